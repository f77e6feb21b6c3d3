//! Stage 5: named features, built from an [`Analysis`]. Each feature value is built from
//! labelled parts (a lexicon term, a learned stem, a style count) so that every part's share of
//! the scores can be reported.
//!
//! Feature names:
//! - `lex:<cue>`: the signed sum of one kind of lexicon cue (`lex:positive`, `lex:direction_metric`, ...);
//! - `term:<stem>` and `term:<stem> <stem>`: counts of a learned stem or stem bigram;
//! - `style:<name>`: counts that describe how an article is written (see [`crate::read::style`]);
//! - `article:<name>`: what the stance model made of the whole article, read by the
//!   article decision (see [`ArticleFeature`]); the scorer supplies their values.

use rustc_hash::FxHashMap;

use crate::error::{Result, bail, invalid};
use crate::language::Language;
use crate::model::classes::{BEARISH, BULLISH, Logits, NEUTRAL, argmax, stance_score};
use crate::model::pooling::SegmentScore;
use crate::read::analysis::{Analysis, COMPANY_PLACEHOLDER, Mask, TARGET_PLACEHOLDER};
use crate::read::lexicon::{Category, CompiledLexicon};
use crate::read::rules::{Cue, Evidence};
use crate::read::style::StyleFeature;
use crate::read::target::focus::Focus;
use crate::text::analyze::{AnalyzedToken, Codebook, NO_WORD, UNKNOWN};
use crate::text::tokenize::normalize_into;

const NONE: u32 = u32::MAX;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FeatureKind {
    Cue(Cue),
    Unigram(u32),
    Bigram(u32, u32),
    Style(StyleFeature),
    Article(ArticleFeature),
}

/// What the article decision reads of the stance model's sentence reading: the learned second
/// stage weighs these against the article's own terms. (The voice model's
/// probabilities were tried too and added nothing in CV: most retail rows are one stock's rally.)
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArticleFeature {
    /// ln of the pooled P(bullish) over P(neutral) (each plus 0.001, so bounded by ±6.9).
    SentencesBullish,
    /// ln of the pooled P(bearish) over P(neutral), likewise.
    SentencesBearish,
    /// The target-weighted share of scored sentences whose most probable class is bullish.
    OpinionBullish,
    OpinionBearish,
    /// P(bullish) - P(bearish) of the headline's sentences, pooled alike; 0 without a headline.
    Headline,
    /// P(bullish) - P(bearish) of the last scored sentence when there are at least two.
    Conclusion,
    /// Relevance to the target, 0-1.
    Relevance,
    /// The author's own position acts: the holding cues ("bought more", "sold all my") of
    /// sentences in the first person singular, summed as sign x ln(1 + |sum|).
    OwnPosition,
    /// Company events: the strategy and leadership cues ("buyback", "offering", "CEO resigns")
    /// of the target's sentences, by their target weight, summed as sign x ln(1 + |sum|).
    Events,
}

impl ArticleFeature {
    pub const ALL: [ArticleFeature; 9] = [
        ArticleFeature::SentencesBullish,
        ArticleFeature::SentencesBearish,
        ArticleFeature::OpinionBullish,
        ArticleFeature::OpinionBearish,
        ArticleFeature::Headline,
        ArticleFeature::Conclusion,
        ArticleFeature::Relevance,
        ArticleFeature::OwnPosition,
        ArticleFeature::Events,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ArticleFeature::SentencesBullish => "sentences_bullish",
            ArticleFeature::SentencesBearish => "sentences_bearish",
            ArticleFeature::OpinionBullish => "opinion_bullish",
            ArticleFeature::OpinionBearish => "opinion_bearish",
            ArticleFeature::Headline => "headline",
            ArticleFeature::Conclusion => "conclusion",
            ArticleFeature::Relevance => "relevance",
            ArticleFeature::OwnPosition => "own_position",
            ArticleFeature::Events => "events",
        }
    }

    pub fn feature_name(self) -> String {
        format!("article:{}", self.name())
    }

    /// Whether its value is read from the stance model's sentence reading.
    pub fn reads_sentences(self) -> bool {
        !matches!(
            self,
            ArticleFeature::Relevance | ArticleFeature::OwnPosition | ArticleFeature::Events
        )
    }

    /// How `explain` and the drivers name its part.
    pub fn label(self) -> &'static str {
        match self {
            ArticleFeature::SentencesBullish => "[sentences: bullish vs neutral]",
            ArticleFeature::SentencesBearish => "[sentences: bearish vs neutral]",
            ArticleFeature::OpinionBullish => "[share of bullish sentences]",
            ArticleFeature::OpinionBearish => "[share of bearish sentences]",
            ArticleFeature::Headline => "[headline]",
            ArticleFeature::Conclusion => "[last sentence]",
            ArticleFeature::Relevance => "[relevance]",
            ArticleFeature::OwnPosition => "[the author's own position acts]",
            ArticleFeature::Events => "[company events]",
        }
    }
}

impl ArticleFeature {
    /// Its value for one article: `probabilities` and `segments` are the stance model's sentence
    /// reading, `focus` the target's; `headline` says which sentences are the headline's.
    pub fn value(
        self,
        probabilities: &Logits,
        segments: &[SegmentScore],
        focus: &Focus,
        analysis: &Analysis,
        text: &str,
        headline: &dyn Fn(usize) -> bool,
    ) -> f64 {
        let p = probabilities;
        let log_odds = |c: usize| ((p[c] + 1e-3) / (p[NEUTRAL] + 1e-3)).ln();
        let weighted_share = |keep: &dyn Fn(&SegmentScore) -> bool,
                              value: &dyn Fn(&SegmentScore) -> f64| {
            let total: f64 = segments.iter().filter(|s| keep(s)).map(|s| s.weight).sum();
            if total > 0.0 {
                (segments.iter())
                    .filter(|s| keep(s))
                    .map(|s| s.weight * value(s))
                    .sum::<f64>()
                    / total
            } else {
                0.0
            }
        };
        let wins =
            |c: usize| move |s: &SegmentScore| f64::from(u8::from(argmax(&s.probabilities) == c));
        match self {
            ArticleFeature::SentencesBullish => log_odds(BULLISH),
            ArticleFeature::SentencesBearish => log_odds(BEARISH),
            ArticleFeature::OpinionBullish => weighted_share(&|_| true, &wins(BULLISH)),
            ArticleFeature::OpinionBearish => weighted_share(&|_| true, &wins(BEARISH)),
            ArticleFeature::Headline => {
                weighted_share(&|s| s.sentence.is_some_and(headline), &|s| {
                    stance_score(&s.probabilities)
                })
            }
            ArticleFeature::Conclusion => match segments {
                [_, .., last] => stance_score(&last.probabilities),
                _ => 0.0,
            },
            ArticleFeature::Relevance => f64::from(focus.relevance) / 100.0,
            ArticleFeature::OwnPosition => {
                let first_person = |sentence: usize| {
                    let s = &analysis.sentences[sentence];
                    (analysis.tokens[s.start..s.end].iter()).any(|t| {
                        let word = &text[t.token.start..t.token.end];
                        (Language::of_word(word).first_person_singular().iter())
                            .any(|w| word.eq_ignore_ascii_case(w))
                    })
                };
                let own = cue_sum(analysis, &[Category::Holding], |s| {
                    f64::from(u8::from(first_person(s)))
                });
                signed_log(own)
            }
            ArticleFeature::Events => {
                let weights = &focus.sentence_weights;
                let total: f64 = weights.iter().sum::<f64>().max(1.0);
                let events = cue_sum(analysis, &[Category::Strategy, Category::Leadership], |s| {
                    weights[s]
                });
                signed_log(events * weights.len() as f64 / total)
            }
        }
    }
}

/// sign x ln(1 + |x|): a sum of cues, kept in range however many there are.
fn signed_log(x: f64) -> f64 {
    x.signum() * x.abs().ln_1p()
}

/// The summed value of the cues of `categories` in each sentence, times `weight(sentence)`.
fn cue_sum(analysis: &Analysis, categories: &[Category], weight: impl Fn(usize) -> f64) -> f64 {
    (analysis.evidence.iter())
        .filter(|e| matches!(e.cue, Cue::Lexicon(c) if categories.contains(&c)))
        .filter(|e| analysis.masks[e.head] != Mask::Elsewhere && !analysis.boilerplate[e.sentence])
        .map(|e| e.value * weight(e.sentence))
        .sum()
}

/// Maps a model's feature names to what computes them.
#[derive(Clone, Debug, Default)]
pub struct FeatureIndex {
    pub names: Vec<String>,
    pub kinds: Vec<FeatureKind>,
    cues: Vec<(Cue, usize)>,
    unigram: Vec<u32>,
    bigram: FxHashMap<u64, u32>,
    /// By stem code: whether some bigram starts with it, so most word pairs skip the hash.
    starts_bigram: Vec<bool>,
    styles: Vec<(StyleFeature, usize)>,
    articles: Vec<(ArticleFeature, usize)>,
    /// The codes masked words are read as.
    target_code: u32,
    company_code: u32,
    /// How the model reads masks: a model of the whole text, whatever its target (the voice),
    /// reads no term in a company's name and every clause alike; the others read names as
    /// placeholders and leave out other companies' clauses.
    pub whole_text: bool,
}

fn pair_key(a: u32, b: u32) -> u64 {
    ((a as u64) << 32) | b as u64
}

impl FeatureIndex {
    /// Fails with the first name it does not understand.
    pub fn new(names: &[String], codebook: &mut Codebook) -> Result<FeatureIndex> {
        let all_cues: Vec<(Cue, String)> = Cue::all()
            .into_iter()
            .map(|c| (c, c.feature_name()))
            .collect();
        let placeholder = |stem: &str, codebook: &mut Codebook| {
            (codebook.intern(stem)).ok_or_else(|| invalid!("{stem}: too many distinct stems"))
        };
        let mut index = FeatureIndex {
            names: names.to_vec(),
            target_code: placeholder(TARGET_PLACEHOLDER, codebook)?,
            company_code: placeholder(COMPANY_PLACEHOLDER, codebook)?,
            ..FeatureIndex::default()
        };
        for (i, name) in names.iter().enumerate() {
            let kind = if let Some((cue, _)) = all_cues.iter().find(|(_, n)| n == name) {
                index.cues.push((*cue, i));
                FeatureKind::Cue(*cue)
            } else if let Some(stems) = name.strip_prefix("term:") {
                let codes: Vec<u32> = stems
                    .split(' ')
                    .map(|s| codebook.intern(s))
                    .collect::<Option<_>>()
                    .ok_or_else(|| invalid!("feature {name:?}: too many distinct stems"))?;
                match codes.as_slice() {
                    [a] => FeatureKind::Unigram(*a),
                    [a, b] => FeatureKind::Bigram(*a, *b),
                    _ => {
                        bail!("feature {name:?}: a term feature has one or two stems");
                    }
                }
            } else if let Some(style) = name
                .strip_prefix("style:")
                .and_then(StyleFeature::from_name)
            {
                index.styles.push((style, i));
                FeatureKind::Style(style)
            } else if let Some(article) = name
                .strip_prefix("article:")
                .and_then(|n| ArticleFeature::ALL.into_iter().find(|a| a.name() == n))
            {
                index.articles.push((article, i));
                FeatureKind::Article(article)
            } else {
                bail!("unknown feature {name:?}");
            };
            index.kinds.push(kind);
        }
        let max_code = index
            .kinds
            .iter()
            .filter_map(|k| {
                if let FeatureKind::Unigram(c) = k {
                    Some(*c)
                } else {
                    None
                }
            })
            .max();
        index.unigram = vec![NONE; max_code.map_or(0, |c| c as usize + 1)];
        for (i, kind) in index.kinds.iter().enumerate() {
            match *kind {
                FeatureKind::Unigram(c) => index.unigram[c as usize] = i as u32,
                FeatureKind::Bigram(a, b) => {
                    index.bigram.insert(pair_key(a, b), i as u32);
                    if index.starts_bigram.len() <= a as usize {
                        index.starts_bigram.resize(a as usize + 1, false);
                    }
                    index.starts_bigram[a as usize] = true;
                }
                _ => {}
            }
        }
        Ok(index)
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    pub fn cue(&self, cue: Cue) -> Option<usize> {
        self.cues.iter().find(|(c, _)| *c == cue).map(|&(_, i)| i)
    }

    pub fn styles(&self) -> &[(StyleFeature, usize)] {
        &self.styles
    }

    pub fn articles(&self) -> &[(ArticleFeature, usize)] {
        &self.articles
    }

    pub fn has_terms(&self) -> bool {
        !self.unigram.is_empty() || !self.bigram.is_empty()
    }

    /// A token's stem code as learned terms read it: a masked word is its placeholder.
    fn code(&self, token: &AnalyzedToken, mask: Mask) -> u32 {
        match (mask, self.whole_text) {
            (Mask::Word, _) | (Mask::Elsewhere, true) => token.code,
            (Mask::Target | Mask::Company, true) | (Mask::Elsewhere, false) => NONE,
            (Mask::Target, false) => self.target_code,
            (Mask::Company, false) => self.company_code,
        }
    }

    /// Calls `f(feature, token_index, token_count)` for each of the model's learned terms in
    /// `tokens` (whose masks are `masks`), as [`term_occurrences`] finds them.
    pub fn for_each_term(
        &self,
        tokens: &[AnalyzedToken],
        masks: &[Mask],
        mut f: impl FnMut(usize, usize, usize),
    ) {
        term_occurrences(tokens, |at, len| {
            let feature = match len {
                1 => self
                    .unigram
                    .get(self.code(&tokens[at], masks[at]) as usize)
                    .copied(),
                _ => {
                    let a = self.code(&tokens[at], masks[at]);
                    let b = self.code(&tokens[at + 1], masks[at + 1]);
                    let starts = self.starts_bigram.get(a as usize).copied() == Some(true);
                    if !starts || b == UNKNOWN {
                        None
                    } else {
                        self.bigram.get(&pair_key(a, b)).copied()
                    }
                }
            };
            if let Some(feature) = feature.filter(|&f| f != NONE) {
                f(feature as usize, at, len);
            }
        });
    }
}

/// Where a learned term can be: every token with a stem (`f(at, 1)`), and every two adjacent
/// tokens that both have one (`f(at, 2)`). A break, an address or a plain number
/// between two words ends the pair. Training picks its terms with this function and scoring
/// finds them with it, so a selected term is one scoring can produce.
pub fn term_occurrences(tokens: &[AnalyzedToken], mut f: impl FnMut(usize, usize)) {
    let mut previous_has_stem = false;
    for (i, t) in tokens.iter().enumerate() {
        let has_stem = t.word != NO_WORD;
        if has_stem {
            f(i, 1);
            if previous_has_stem {
                f(i - 1, 2);
            }
        }
        previous_has_stem = has_stem;
    }
}

/// A part's readable name, as its number in the scorer's [`Labels`]: parts are made for every
/// word and cue but their names are read only for the few drivers shown, so the name stays there
/// and the part carries a number that copies and compares as an integer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Label(u32);

impl Label {
    /// Its number: labels are numbered from 0 in the order they are first named.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Numbers every distinct name, and keeps the numbers of words, word pairs and lexicon entries
/// so that naming them again costs one array or map lookup.
#[derive(Debug, Default)]
pub struct Labels {
    names: Vec<Box<str>>,
    known: FxHashMap<Box<str>, Label>,
    /// Labels of single words by the analyzer's word number, valid for `generation`.
    words: Vec<Option<Label>>,
    generation: u64,
    /// Labels of lexicon entries by entry index and variant (plain, negated, turned).
    entries: Vec<[Option<Label>; 3]>,
    /// Labels of two words written with one space between them, by their word numbers.
    pairs: FxHashMap<(u32, u32), Label>,
}

impl Labels {
    /// Above this many names they are forgotten between articles, so memory stays bounded.
    const LIMIT: usize = 1 << 16;

    /// Called before each article: a label stays valid until the next call.
    pub fn bound(&mut self) {
        if self.names.len() >= Self::LIMIT {
            *self = Labels {
                generation: self.generation,
                ..Labels::default()
            };
        }
    }

    /// The text of `label`.
    pub fn name(&self, label: Label) -> &str {
        &self.names[label.0 as usize]
    }

    /// The label of the analyzer's words `pair` of cache `generation` written with one space
    /// between them; `name` writes it the first time.
    pub fn pair(
        &mut self,
        generation: u64,
        pair: (u32, u32),
        name: impl FnOnce(&mut String),
    ) -> Label {
        self.follow(generation);
        if let Some(&label) = self.pairs.get(&pair) {
            return label;
        }
        let label = self.written(name);
        self.pairs.insert(pair, label);
        label
    }

    /// Forgets the word labels of an older analyzer cache.
    fn follow(&mut self, generation: u64) {
        if generation != self.generation {
            self.words.clear();
            self.pairs.clear();
            self.generation = generation;
        }
    }

    /// The label of lexicon entry `entry` in `variant` (0-2); `name` writes it the first time.
    pub fn entry(&mut self, entry: usize, variant: usize, name: impl FnOnce(&mut String)) -> Label {
        if let Some(Some(label)) = self.entries.get(entry).map(|v| v[variant]) {
            return label;
        }
        let label = self.written(name);
        if entry >= self.entries.len() {
            self.entries.resize(entry + 1, Default::default());
        }
        self.entries[entry][variant] = Some(label);
        label
    }

    /// The label of the analyzer's word `word` of cache `generation`; `name` writes the
    /// normalized word, called only the first time.
    pub fn word(&mut self, generation: u64, word: u32, name: impl FnOnce(&mut String)) -> Label {
        self.follow(generation);
        if word == NO_WORD {
            return self.written(name);
        }
        let i = word as usize;
        if let Some(Some(label)) = self.words.get(i) {
            return *label;
        }
        let label = self.written(name);
        if i >= self.words.len() {
            self.words.resize(i + 1, None);
        }
        self.words[i] = Some(label);
        label
    }

    fn written(&mut self, name: impl FnOnce(&mut String)) -> Label {
        let mut text = String::new();
        name(&mut text);
        self.get(&text)
    }

    pub fn get(&mut self, name: &str) -> Label {
        if let Some(&label) = self.known.get(name) {
            return label;
        }
        let label = Label(self.names.len() as u32);
        self.names.push(name.into());
        self.known.insert(name.into(), label);
        label
    }
}

/// One labelled part of the article's feature vector.
#[derive(Clone, Debug, PartialEq)]
pub struct Part {
    pub label: Label,
    pub feature: usize,
    /// The sentence it comes from; `None` for article-level counts (style).
    pub sentence: Option<usize>,
    /// Byte range in the text; empty for article-level counts.
    pub span: (usize, usize),
    /// Pooled value: this part's addition to the feature's value.
    pub value: f64,
}

/// The article's feature vector, kept as labelled parts.
#[derive(Clone, Debug, Default)]
pub struct FeatureVector {
    pub parts: Vec<Part>,
}

/// Builds a model's labelled parts from an analysis; keeps its buffers between articles.
#[derive(Default)]
pub struct FeatureBuilder {
    cue_labels: Vec<Label>,
    /// The analysis run `cue_labels` belong to: the stance and voice models read one article
    /// in turn, and its cue labels are made once.
    cue_labels_run: Option<u64>,
    cues: Vec<(usize, usize, Label)>,
    /// One sentence's learned terms as (feature, token, length), and each feature's count there.
    sentence_terms: Vec<(usize, usize, usize)>,
    term_counts: Vec<u32>,
    buf: String,
}

/// What each of `count` occurrences of one term in one sentence is worth: together they make
/// 1 + ln(count), so a run-on repeating a word cannot push a feature far past what training
/// saw, and a term met once counts 1.
fn repeat_scale(count: u32) -> f64 {
    if count <= 1 {
        1.0
    } else {
        let c = count as f64;
        (1.0 + c.ln()) / c
    }
}

/// What a feature builder reads: one article's analysis and text, and the lexicon it was
/// analyzed with.
#[derive(Clone, Copy)]
pub struct Source<'a, 'e> {
    pub analysis: &'a Analysis<'e>,
    pub text: &'a str,
    pub lexicon: &'a CompiledLexicon,
}

impl FeatureBuilder {
    /// Calls `emit` with each part of `index`'s features, sentence by sentence (a sentence's
    /// cues, then its learned terms), then the article's style counts. A sentence's parts are
    /// weighted by `weights` (one per sentence) and divided by `divisor`; nothing is emitted
    /// when no sentence has weight.
    pub fn build(
        &mut self,
        source: Source,
        index: &FeatureIndex,
        weights: &[f64],
        divisor: f64,
        names: &mut Labels,
        mut emit: impl FnMut(Part),
    ) {
        let Source {
            analysis,
            text,
            lexicon,
        } = source;
        let total: f64 = weights.iter().sum();
        if total <= 0.0 {
            return;
        }
        let tokens = &analysis.tokens;
        self.term_counts.resize(index.len(), 0);
        let generation = analysis.generation;
        let buf = &mut self.buf;
        let label_of = |e: &Evidence, names: &mut Labels, buf: &mut String| -> Label {
            let write = |out: &mut String| evidence_label(lexicon, tokens, text, e, out);
            if e.paired.is_some() {
                // A pair's label is its words as written.
                write(buf);
                names.get(buf)
            } else {
                let variant = match (e.modifiers.negated, e.modifiers.shifted) {
                    (true, _) => 1,
                    (_, true) => 2,
                    _ => 0,
                };
                names.entry(e.entry, variant, write)
            }
        };
        // Learned terms inside a cue are reported under the cue's label, so with terms every cue
        // needs one; without them (the voice model) only the cues that are features do.
        if index.has_terms() && self.cue_labels_run != Some(analysis.run) {
            self.cue_labels.clear();
            for e in &analysis.evidence {
                let label = label_of(e, names, buf);
                self.cue_labels.push(label);
            }
            self.cue_labels_run = Some(analysis.run);
        } else if self.cue_labels_run != Some(analysis.run) {
            self.cue_labels.clear();
        }
        for ((si, s), own) in analysis
            .sentences
            .iter()
            .enumerate()
            .zip(analysis.evidence_by_sentence())
        {
            let w = weights[si];
            if w == 0.0 {
                continue;
            }
            for i in own.clone() {
                let e = &analysis.evidence[i];
                if analysis.masks[e.head] == Mask::Elsewhere {
                    continue;
                }
                if let Some(feature) = index.cue(e.cue) {
                    let span = (tokens[e.start].token.start, tokens[e.end - 1].token.end);
                    let label = match self.cue_labels.get(i) {
                        Some(&label) => label,
                        None => label_of(e, names, buf),
                    };
                    emit(Part {
                        label,
                        feature,
                        sentence: Some(si),
                        span,
                        value: e.value * w / divisor,
                    });
                }
            }
            if index.has_terms() {
                let cues = &mut self.cues;
                cues.clear();
                cues.extend(
                    analysis.evidence[own.clone()]
                        .iter()
                        .zip(&self.cue_labels[own])
                        .map(|(e, &l)| (e.start, e.end, l)),
                );
                cues.sort_by_key(|c| c.0);
                // Terms come in token order: a cursor keeps the furthest-reaching cue begun so far.
                let (mut next, mut reach): (usize, Option<(usize, usize, Label)>) = (0, None);
                let sentence_tokens = &tokens[s.start..s.end];
                let masks = &analysis.masks[s.start..s.end];
                let scales = &analysis.scales[s.start..s.end];
                let (terms, counts) = (&mut self.sentence_terms, &mut self.term_counts);
                terms.clear();
                index.for_each_term(sentence_tokens, masks, |feature, at, len| {
                    terms.push((feature, at, len));
                    counts[feature] += 1;
                });
                for &(feature, at, len) in terms.iter() {
                    let t = sentence_tokens;
                    let (a, b) = (t[at].token.start, t[at + len - 1].token.end);
                    let (from, to) = (s.start + at, s.start + at + len);
                    while next < cues.len() && cues[next].0 <= from {
                        if reach.is_none_or(|r| cues[next].1 > r.1) {
                            reach = Some(cues[next]);
                        }
                        next += 1;
                    }
                    // A learned term that shares a word with a matched cue is reported under
                    // the cue: the cue begun furthest back, else the next one.
                    let overlapping = reach
                        .filter(|(_, end, _)| from < *end)
                        .or_else(|| cues.get(next).filter(|(start, _, _)| *start < to).copied());
                    let masked = masks[at..at + len].iter().any(|&m| m != Mask::Word);
                    let label = match overlapping {
                        Some((_, _, label)) => label,
                        // A placeholder is shown as such, never the name it stands for.
                        None if masked => {
                            buf.clear();
                            for (i, (token, mask)) in
                                t[at..at + len].iter().zip(&masks[at..at + len]).enumerate()
                            {
                                if i > 0 {
                                    buf.push(' ');
                                }
                                match mask.placeholder() {
                                    Some(p) => buf.push_str(p),
                                    None => {
                                        let mut word = String::new();
                                        normalize_into(
                                            &text[token.token.start..token.token.end],
                                            &mut word,
                                        );
                                        buf.push_str(&word);
                                    }
                                }
                            }
                            names.get(buf)
                        }
                        // One word: its label is kept by the analyzer's number for it.
                        None if len == 1 => names.word(generation, t[at].word, |name| {
                            normalize_into(&text[a..b], name)
                        }),
                        // Two words with one space between: kept by the pair of word numbers.
                        None if len == 2
                            && &text[t[at].token.end..t[at + 1].token.start] == " " =>
                        {
                            names.pair(generation, (t[at].word, t[at + 1].word), |name| {
                                normalize_into(&text[a..b], name)
                            })
                        }
                        None => {
                            normalize_into(&text[a..b], buf);
                            names.get(buf)
                        }
                    };
                    emit(Part {
                        label,
                        feature,
                        sentence: Some(si),
                        span: (a, b),
                        value: w * scales[at] * repeat_scale(counts[feature]) / divisor,
                    });
                }
                for &(feature, _, _) in terms.iter() {
                    counts[feature] = 0;
                }
            }
        }
        let sentences = analysis.sentences.len().max(1) as f64;
        for (style, feature) in index.styles() {
            let counts = analysis.styles.iter().filter(|c| c.feature == *style);
            // Voice cues mark a piece whatever its length: ln(1 + total). Punctuation and
            // symbols are per sentence, as ln(1 + total / sentences), so a post of 70 emoji
            // stays in range of the other features. Either is shared among the counts in
            // proportion, so the parts still add up.
            let total: f64 = counts.clone().map(|c| c.amount).sum();
            let per = if style.is_voice_cue() { 1.0 } else { sentences };
            let scale = if total > 0.0 {
                (total / per).ln_1p() / total
            } else {
                0.0
            };
            for c in counts {
                emit(Part {
                    label: names.get(c.label),
                    feature: *feature,
                    sentence: None,
                    span: (0, 0),
                    value: c.amount * scale,
                });
            }
        }
    }

    /// The parts of [`build`](Self::build) in `vector`, replacing what it held.
    pub fn vector_into(
        &mut self,
        source: Source,
        index: &FeatureIndex,
        weights: &[f64],
        divisor: f64,
        names: &mut Labels,
        vector: &mut FeatureVector,
    ) {
        vector.parts.clear();
        self.build(source, index, weights, divisor, names, |p| {
            vector.parts.push(p)
        });
    }
}

/// A readable name for a piece of evidence: the lexicon term, or "metric direction" as written,
/// marked when a negator or shifter turned it.
pub fn evidence_label(
    lexicon: &CompiledLexicon,
    tokens: &[AnalyzedToken],
    text: &str,
    e: &Evidence,
    out: &mut String,
) {
    out.clear();
    let mut push_lowercase = |s: &str| {
        s.chars()
            .flat_map(char::to_lowercase)
            .for_each(|c| out.push(c))
    };
    match (e.cue, e.paired) {
        (Cue::DirectionMetric, Some((_, m_start, m_end))) => {
            let words = |from: usize, to: usize| {
                let (a, b) = (tokens[from].token.start, tokens[to - 1].token.end);
                &text[a..b]
            };
            let direction_len = lexicon.entry(e.entry).stems.len();
            let (metric, direction) =
                (words(m_start, m_end), words(e.head, e.head + direction_len));
            let (first, second) = if m_start < e.head {
                (metric, direction)
            } else {
                (direction, metric)
            };
            push_lowercase(first);
            push_lowercase(" ");
            push_lowercase(second);
        }
        _ => push_lowercase(&lexicon.entry(e.entry).term),
    }
    match (e.modifiers.negated, e.modifiers.shifted) {
        (true, _) => out.push_str(" (negated)"),
        (_, true) => out.push_str(" (turned)"),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_label_per_name_whatever_path_made_it() {
        let mut labels = Labels::default();
        let by_word = labels.word(1, 7, |s| s.push_str("fall"));
        assert_eq!(by_word, labels.get("fall"));
        // The same word number again does not write the name again.
        assert_eq!(labels.word(1, 7, |_| panic!("written twice")), by_word);
        // A newer analyzer cache renumbers words.
        let rise = labels.word(2, 7, |s| s.push_str("rise"));
        assert_eq!(labels.name(rise), "rise");
        // A token without a word number is labelled by name, with nothing kept per number.
        let odd = labels.word(2, NO_WORD, |s| s.push_str("odd"));
        assert_eq!(labels.name(odd), "odd");
        assert!(labels.words.len() <= 8);
        let pair = labels.pair(2, (1, 2), |s| s.push_str("net up"));
        assert_eq!(pair, labels.get("net up"));
        let entry = labels.entry(3, 1, |s| s.push_str("strong (negated)"));
        assert_eq!(labels.entry(3, 1, |_| panic!("written twice")), entry);
        assert_eq!(labels.name(entry), "strong (negated)");
        assert_ne!(entry, pair);
    }
}
