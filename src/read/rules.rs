//! Part of stage 4: turn lexicon hits into signed evidence.
//!
//! - A negator within three tokens before a cue flips and dampens it (the classic finance rule;
//!   the factor is the negator's weight, e.g. -0.75 as in VADER).
//! - A shifter ("hurt", "erode", "threaten") before a favourable cue turns it against the holder;
//!   a shifter with nothing favourable after it is itself a negative cue of its weight.
//! - Intensifiers and downtoners within two tokens before a cue scale it.
//! - A hedge anywhere in the sentence scales all its cues; a sentence inside quotation marks is
//!   hedged too: someone else's words weigh less than the author's own.
//! - A contrast word ("but") scales the cues before it by its weight w and those after by
//!   2 - w (VADER's 0.5 and 1.5): what follows "but" is the point.
//! - A shifter right after a favourable cue turns it too ("my confidence is shaken").
//! - Direction x metric: a direction word ("rose", "widened") next to a metric ("profit",
//!   "loss") gives one cue whose sign is the product of the two. A lone direction counts half.
//!
//! No window crosses a clause break, and every window is a constant number of tokens, so the
//! cost is linear in the sentence length.

use crate::read::lexicon::{Category, CompiledLexicon, MAX_TERM_WORDS, Role};
use crate::read::phrase::PhraseMatch;
use crate::text::analyze::AnalyzedToken;
use crate::text::sentence::Sentence;
use crate::text::tokenize::{QuoteMark, quote_marks};

const NEGATION_WINDOW: usize = 3;
const SCALING_WINDOW: usize = 2;
const PAIRING_WINDOW: usize = 4;
/// What a quoted sentence's cues count, as a hedge would scale them.
const QUOTED_FACTOR: f64 = 0.7;
/// A direction with no metric beside it ("shares of X surged" aside) is weaker evidence.
const LONE_DIRECTION_FACTOR: f64 = 0.5;

/// What a piece of evidence is: one lexicon cue, or a direction paired with a metric.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Cue {
    Lexicon(Category),
    DirectionMetric,
}

impl Cue {
    pub fn feature_name(self) -> String {
        match self {
            Cue::Lexicon(c) => format!("lex:{}", c.name()),
            Cue::DirectionMetric => "lex:direction_metric".into(),
        }
    }

    /// Every cue that can become a stance feature, in feature order.
    pub fn all() -> Vec<Cue> {
        let mut cues: Vec<Cue> = Category::ALL
            .into_iter()
            .filter(|c| c.role() == Role::Evidence || *c == Category::Direction)
            .map(Cue::Lexicon)
            .collect();
        cues.push(Cue::DirectionMetric);
        cues
    }
}

/// How the rules turned a cue, shown in its label.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Modifiers {
    pub negated: bool,
    pub shifted: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Evidence {
    pub cue: Cue,
    /// Lexicon entry index; for a direction x metric pair, the direction's entry.
    pub entry: usize,
    /// The metric's entry and token range, for a pair.
    pub paired: Option<(usize, usize, usize)>,
    pub sentence: usize,
    /// Token range covered (both words of a pair).
    pub start: usize,
    pub end: usize,
    /// The token that carries the cue, from which modifiers look back: the direction, for a pair.
    pub head: usize,
    pub value: f64,
    pub modifiers: Modifiers,
}

/// Applies the rules to the hits of every sentence. `hits` must be sorted by start.
/// `scales` receives, for every token, the factor that hedges and contrast give a cue there,
/// so learned term features can be scaled the same way.
pub fn evidence(
    lexicon: &CompiledLexicon,
    text: &str,
    tokens: &[AnalyzedToken],
    sentences: &[Sentence],
    hits: &[PhraseMatch],
    out: &mut Vec<Evidence>,
    scales: &mut Vec<f64>,
) {
    out.clear();
    scales.clear();
    scales.resize(tokens.len(), 1.0);
    let mut first = 0;
    let mut quotes = QuoteState::new(quote_marks(text));
    for (si, s) in sentences.iter().enumerate() {
        while first < hits.len() && hits[first].start < s.start {
            first += 1;
        }
        let mut last = first;
        while last < hits.len() && hits[last].end <= s.end {
            last += 1;
        }
        // Quoted if it begins or ends inside quotation marks (`He said: "Bad.` is quoted).
        let (begins, ends) = s.span(tokens);
        let quoted = quotes.inside_at(begins) | quotes.inside_at(ends);
        let sentence = SentenceContext {
            span: s,
            index: si,
            quoted,
        };
        sentence_evidence(lexicon, tokens, sentence, &hits[first..last], out, scales);
        first = last;
    }
}

/// Whether a position is inside quotation marks, read forward through the text once: a straight
/// double quote toggles, a curly one opens or closes, and a line break closes any quote, so a
/// stray mark (`a 12" screen`) hedges no more than the rest of its paragraph.
struct QuoteState<I: Iterator<Item = (usize, QuoteMark)>> {
    marks: std::iter::Peekable<I>,
    inside: bool,
}

impl<I: Iterator<Item = (usize, QuoteMark)>> QuoteState<I> {
    fn new(marks: I) -> Self {
        QuoteState {
            marks: marks.peekable(),
            inside: false,
        }
    }

    fn inside_at(&mut self, at: usize) -> bool {
        while let Some((_, mark)) = self.marks.next_if(|&(i, _)| i < at) {
            self.inside = match mark {
                QuoteMark::Straight => !self.inside,
                QuoteMark::Opening => true,
                QuoteMark::Closing | QuoteMark::LineBreak => false,
            };
        }
        self.inside
    }
}

/// One sentence for the rules: its tokens, its number, and whether it is quoted.
#[derive(Clone, Copy)]
struct SentenceContext<'a> {
    span: &'a Sentence,
    index: usize,
    quoted: bool,
}

fn sentence_evidence(
    lexicon: &CompiledLexicon,
    tokens: &[AnalyzedToken],
    SentenceContext {
        span,
        index: sentence,
        quoted,
    }: SentenceContext,
    hits: &[PhraseMatch],
    out: &mut Vec<Evidence>,
    scales: &mut [f64],
) {
    let category = |h: &PhraseMatch| lexicon.entry(h.pattern).category;
    let weight = |h: &PhraseMatch| lexicon.entry(h.pattern).weight;
    let hedge = hits
        .iter()
        .filter(|h| category(h) == Category::Hedge)
        .map(weight)
        .chain(quoted.then_some(QUOTED_FACTOR))
        .fold(None, |acc: Option<f64>, w| {
            Some(acc.map_or(w, |a| a.min(w)))
        });
    let contrast = hits
        .iter()
        .find(|h| category(h) == Category::Contrast)
        .map(|h| (h.start, weight(h)));
    for (i, scale) in scales
        .iter_mut()
        .enumerate()
        .take(span.end)
        .skip(span.start)
    {
        let by_contrast = match contrast {
            Some((at, w)) if i < at => w,
            Some((at, w)) if i >= at => 2.0 - w,
            _ => 1.0,
        };
        *scale = hedge.unwrap_or(1.0) * by_contrast;
    }
    let begin = out.len();
    let mut metric_used = vec![false; hits.len()];
    for (i, h) in hits.iter().enumerate() {
        match category(h) {
            Category::Direction => {
                let metric = nearest_metric(tokens, hits, i, &metric_used, |h| {
                    category(h) == Category::Metric
                });
                let (cue, value, paired, start, end) = match metric {
                    Some(j) => {
                        metric_used[j] = true;
                        let m = &hits[j];
                        let paired = Some((m.pattern, m.start, m.end));
                        (
                            Cue::DirectionMetric,
                            weight(h) * weight(m),
                            paired,
                            h.start.min(m.start),
                            h.end.max(m.end),
                        )
                    }
                    None => (
                        Cue::Lexicon(Category::Direction),
                        weight(h) * LONE_DIRECTION_FACTOR,
                        None,
                        h.start,
                        h.end,
                    ),
                };
                out.push(Evidence {
                    cue,
                    entry: h.pattern,
                    paired,
                    sentence,
                    start,
                    end,
                    head: h.start,
                    value,
                    modifiers: Modifiers::default(),
                });
            }
            c if c.role() == Role::Evidence => out.push(Evidence {
                cue: Cue::Lexicon(c),
                entry: h.pattern,
                paired: None,
                sentence,
                start: h.start,
                end: h.end,
                head: h.start,
                value: weight(h),
                modifiers: Modifiers::default(),
            }),
            _ => {}
        }
    }
    let mut shifter_used = vec![false; hits.len()];
    for e in &mut out[begin..] {
        let head = e.head;
        let favourable = e.value > 0.0;
        let after = starting_in(hits, e.end, e.end + NEGATION_WINDOW).find(|&hi| {
            category(&hits[hi]) == Category::Shifter && same_clause(tokens, e.end, hits[hi].start)
        });
        if let (Some(hi), true) = (after, favourable) {
            shifter_used[hi] = true;
            e.modifiers.shifted = true;
            e.value *= weight(&hits[hi]);
        }
        let before = starting_in(
            hits,
            head.saturating_sub(NEGATION_WINDOW + MAX_TERM_WORDS),
            head,
        );
        for (hi, h) in before
            .map(|hi| (hi, &hits[hi]))
            .filter(|(_, h)| h.end <= head)
        {
            let distance = head - h.end + 1;
            if !same_clause(tokens, h.end, head) {
                continue;
            }
            let w = weight(h);
            match category(h) {
                Category::Negator if distance <= NEGATION_WINDOW => {
                    e.modifiers.negated = true;
                    e.value *= w;
                }
                Category::Shifter
                    if distance <= NEGATION_WINDOW && favourable && !e.modifiers.negated =>
                {
                    shifter_used[hi] = true;
                    e.modifiers.shifted = true;
                    e.value *= w;
                }
                Category::Intensifier | Category::Downtoner if distance <= SCALING_WINDOW => {
                    e.value *= w
                }
                _ => {}
            }
        }
        e.value *= scales[head];
    }
    for (i, h) in hits.iter().enumerate() {
        if category(h) == Category::Shifter && !shifter_used[i] {
            out.push(Evidence {
                cue: Cue::Lexicon(Category::Negative),
                entry: h.pattern,
                paired: None,
                sentence,
                start: h.start,
                end: h.end,
                head: h.start,
                value: weight(h) * scales[h.start],
                modifiers: Modifiers::default(),
            });
        }
    }
}

/// Indices of the hits (sorted by start) that start in tokens `from..to`, found by binary
/// search so that every rule window costs a constant, however long the sentence.
fn starting_in(hits: &[PhraseMatch], from: usize, to: usize) -> std::ops::Range<usize> {
    let first = hits.partition_point(|h| h.start < from);
    let last = hits.partition_point(|h| h.start < to);
    first..last.max(first)
}

/// The unused metric closest to direction hit `i`, within the pairing window and clause.
fn nearest_metric(
    tokens: &[AnalyzedToken],
    hits: &[PhraseMatch],
    i: usize,
    used: &[bool],
    is_metric: impl Fn(&PhraseMatch) -> bool,
) -> Option<usize> {
    let d = &hits[i];
    let window = starting_in(
        hits,
        d.start.saturating_sub(PAIRING_WINDOW + MAX_TERM_WORDS),
        d.end + PAIRING_WINDOW,
    );
    let gap = |m: &PhraseMatch| {
        if m.end <= d.start {
            d.start - m.end
        } else {
            m.start.saturating_sub(d.end)
        }
    };
    window
        .map(|j| (j, &hits[j]))
        .filter(|&(j, m)| !used[j] && is_metric(m) && gap(m) < PAIRING_WINDOW)
        .filter(|(_, m)| same_clause(tokens, m.end.min(d.end), m.start.max(d.start)))
        .min_by_key(|(_, m)| gap(m))
        .map(|(j, _)| j)
}

/// True when no clause break lies in tokens `from..to`.
fn same_clause(tokens: &[AnalyzedToken], from: usize, to: usize) -> bool {
    tokens[from.min(to)..to.max(from)]
        .iter()
        .all(|t| !t.token.is_break())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::lexicon::Lexicon;
    use crate::read::phrase::encode;
    use crate::text::analyze::{Analyzer, Codebook};
    use crate::text::sentence::split;
    use std::io::Write;

    const LEXICON: &str = "term,category,weight,note
good,positive,1,
bad,negative,-1,
profit,metric,1,
loss,metric,-1,
rise,direction,1,
rose,direction,1,irregular past: Snowball does not map it to rise
widen,direction,1,
fall,direction,-1,
fell,direction,-1,irregular past
not,negator,-0.75,
without,negator,-0.75,
lack of,negator,-0.75,
very,intensifier,1.5,
slightly,downtoner,0.5,
may,hedge,0.6,
hurt,shifter,-1,
shake,shifter,-0.8,
but,contrast,0.5,
confidence of holding,holding,1.5,
";

    fn run(text: &str) -> Vec<(Cue, f64)> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("l.csv");
        std::fs::File::create(&path)
            .unwrap()
            .write_all(LEXICON.as_bytes())
            .unwrap();
        let mut codebook = Codebook::new();
        let lexicon = CompiledLexicon::compile(
            Lexicon::load_files(&[crate::data::DataFile::Disk(path)]).unwrap(),
            &mut codebook,
        )
        .unwrap();
        let mut tokens = Vec::new();
        Analyzer::default().analyze(text, &codebook, &mut tokens);
        let mut sentences = Vec::new();
        split(&tokens, &mut sentences);
        let mut bytes = Vec::new();
        encode(&tokens, &mut bytes);
        let mut hits = Vec::new();
        lexicon.matcher.find(&bytes, &mut hits);
        let mut out = Vec::new();
        evidence(
            &lexicon,
            text,
            &tokens,
            &sentences,
            &hits,
            &mut out,
            &mut Vec::new(),
        );
        out.iter()
            .map(|e| (e.cue, (e.value * 1000.0).round() / 1000.0))
            .collect()
    }

    const POS: Cue = Cue::Lexicon(Category::Positive);
    const NEG: Cue = Cue::Lexicon(Category::Negative);

    #[test]
    fn negation_flips_within_three_tokens_only() {
        assert_eq!(run("not good"), [(POS, -0.75)]);
        assert_eq!(run("it is not the bad one"), [(NEG, 0.75)]);
        assert_eq!(run("not that it was really good"), [(POS, 1.0)]);
        assert_eq!(run("isn't good"), [(POS, -0.75)]);
        assert_eq!(run("a lack of good news"), [(POS, -0.75)]);
    }

    #[test]
    fn negation_stops_at_a_clause_break() {
        assert_eq!(run("not now, good"), [(POS, 1.0)]);
    }

    #[test]
    fn intensifiers_downtoners_and_hedges_scale() {
        assert_eq!(run("very good"), [(POS, 1.5)]);
        assert_eq!(run("slightly bad"), [(NEG, -0.5)]);
        assert_eq!(run("good, it may be"), [(POS, 0.6)]);
    }

    #[test]
    fn direction_times_metric() {
        assert_eq!(run("profit rose"), [(Cue::DirectionMetric, 1.0)]);
        assert_eq!(run("the loss widened"), [(Cue::DirectionMetric, -1.0)]);
        assert_eq!(run("losses fell sharply"), [(Cue::DirectionMetric, 1.0)]);
        assert_eq!(run("profit did not rise"), [(Cue::DirectionMetric, -0.75)]);
        assert_eq!(run("it rose"), [(Cue::Lexicon(Category::Direction), 0.5)]);
    }

    #[test]
    fn shifters_turn_favourable_cues_against_the_holder() {
        assert_eq!(
            run("hurt the confidence of holding"),
            [(Cue::Lexicon(Category::Holding), -1.5)]
        );
        assert_eq!(run("hurt bad"), [(NEG, -1.0), (NEG, -1.0)]);
        assert_eq!(
            run("my confidence of holding is shaken"),
            [(Cue::Lexicon(Category::Holding), -1.2)]
        );
        assert_eq!(run("it may hurt"), [(NEG, -0.6)]);
    }

    #[test]
    fn what_follows_but_counts_more() {
        assert_eq!(run("good but bad"), [(POS, 0.5), (NEG, -1.5)]);
    }

    #[test]
    fn quoted_sentences_count_as_hedged() {
        assert_eq!(
            run("Good. \"Good.\" Good."),
            [(POS, 1.0), (POS, 0.7), (POS, 1.0)]
        );
        assert_eq!(
            run("He said: “Bad. Good.” Good."),
            [(NEG, -0.7), (POS, 0.7), (POS, 1.0)]
        );
        assert_eq!(run("\"Good, it may be\""), [(POS, 0.6)]);
        assert_eq!(run("A 12\" screen. Good.\nGood."), [(POS, 0.7), (POS, 1.0)]);
    }

    #[test]
    fn each_sentence_is_separate() {
        assert_eq!(run("Not yet. Good."), [(POS, 1.0)]);
    }
}
