//! Stage 4 as one value: an article's tokens (stages 2-3), sentences, lexicon hits, target
//! focus, signed evidence and style counts. Scoring builds features from it, and `explain`
//! reads the same value, so what is explained is what was scored.

use crate::read::lexicon::CompiledLexicon;
use crate::read::phrase::{PhraseMatch, encode};
use crate::read::rules::{Evidence, evidence};
use crate::read::style::{StyleCount, count as count_style};
use crate::read::target::Weighting;
use crate::read::target::alias::{Companies, CompanyMention, TargetMatcher, TextView};
use crate::read::target::focus::{Focus, focus};
use crate::text::analyze::{AnalyzedToken, Analyzer, Codebook};
use crate::text::sentence::{Sentence, split};
use crate::text::tokenize::TokenKind;

/// An article's text as the scorer reads it.
#[derive(Clone, Copy, Debug)]
pub struct Document<'a> {
    pub text: &'a str,
    /// 1 when the first line is the headline.
    pub headline_paragraphs: usize,
}

impl<'a> From<&'a crate::input::Article> for Document<'a> {
    fn from(article: &'a crate::input::Article) -> Self {
        Document {
            text: &article.text,
            headline_paragraphs: article.headline_paragraphs,
        }
    }
}

/// What a word is to the article's target, as learned terms read it: the target's own names and
/// other companies' names are never learned (a model would learn who a corpus is about), so
/// their words count as placeholders, alike in training and scoring.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Mask {
    #[default]
    Word,
    Target,
    Company,
    /// In a clause about another company ("Nvidia rose while Intel fell", read for Nvidia):
    /// neither its cues nor its words count for the target.
    Elsewhere,
}

impl Mask {
    /// The placeholder a masked word is read as.
    pub fn placeholder(self) -> Option<&'static str> {
        match self {
            Mask::Word | Mask::Elsewhere => None,
            Mask::Target => Some(TARGET_PLACEHOLDER),
            Mask::Company => Some(COMPANY_PLACEHOLDER),
        }
    }
}

pub const TARGET_PLACEHOLDER: &str = "[target]";
pub const COMPANY_PLACEHOLDER: &str = "[company]";

/// What the analysis reads besides the article: loaded once, shared by every thread.
#[derive(Clone, Copy)]
pub struct Sources<'e> {
    pub lexicon: &'e CompiledLexicon,
    pub companies: &'e Companies,
    /// Every one-word company name, lower case.
    pub company_words: &'e rustc_hash::FxHashSet<Box<str>>,
    pub weighting: &'e Weighting,
}

/// The target an article is read for, compiled against the scorer's codebook.
pub struct Aim<'a> {
    pub name: &'a str,
    pub matcher: &'a TargetMatcher,
}

/// Everything found in one article before features. The buffers are kept between articles.
#[derive(Default)]
pub struct Analysis<'e> {
    pub tokens: Vec<AnalyzedToken>,
    pub sentences: Vec<Sentence>,
    /// The tokens' stem codes as bytes, for phrase matching.
    encoded: Vec<u8>,
    pub hits: Vec<PhraseMatch>,
    pub mentions: Vec<PhraseMatch>,
    /// Mentions of the targets file's companies, whatever the target; found for the run
    /// `known_run` (on the first aim at a named company).
    known: Vec<CompanyMention>,
    known_run: u64,
    /// Mentions of other known companies, which lower sentence weights.
    pub others: Vec<PhraseMatch>,
    /// Per token: whether it names the target or another company.
    pub masks: Vec<Mask>,
    pub focus: Focus,
    /// Per sentence: end matter or a forward-looking-statement notice ([`crate::read::boilerplate`]),
    /// which weighs nothing for any target.
    pub boilerplate: Vec<bool>,
    /// In sentence order.
    pub evidence: Vec<Evidence>,
    /// Per token: what a learned term there counts for (a negator or shifter turns it).
    pub scales: Vec<f64>,
    pub styles: Vec<StyleCount<'e>>,
    /// The analyzer cache generation the tokens' word numbers belong to.
    pub generation: u64,
    /// Counts the runs, so what a reader derives from one run can be kept until the next.
    pub run: u64,
}

impl<'e> Analysis<'e> {
    /// Analyzes `doc` for `aim` into `self`, replacing the previous article.
    pub fn run(
        &mut self,
        doc: Document,
        aim: &Aim,
        analyzer: &mut Analyzer,
        codebook: &Codebook,
        sources: Sources<'e>,
    ) {
        self.read(doc, analyzer, codebook, sources);
        let view = text_view(&self.encoded, &self.tokens, doc.text);
        aim.matcher.find(&view, &mut self.mentions);
        self.refocus(doc, aim.name, aim.matcher.is_any(), sources);
    }

    /// The article's text as alias matching reads it.
    pub fn view<'a>(&'a self, text: &'a str) -> TextView<'a> {
        text_view(&self.encoded, &self.tokens, text)
    }

    /// Re-aims the last analyzed article at the company `mentions` name (found in its text),
    /// with `others` the mentions of the other companies found: every stage that does not depend
    /// on the target is kept.
    pub fn aim_at(
        &mut self,
        doc: Document,
        name: &str,
        mentions: &[PhraseMatch],
        others: &[PhraseMatch],
        sources: Sources<'e>,
    ) {
        self.mentions.clear();
        self.mentions.extend_from_slice(mentions);
        self.refocus(doc, name, false, sources);
        self.others.extend_from_slice(others);
        self.others.sort_by_key(|m| (m.start, m.end));
        self.others.dedup();
        self.refocus_with_others(doc, false, sources);
    }

    fn refocus(&mut self, doc: Document, name: &str, any: bool, sources: Sources<'e>) {
        // Other companies lower sentence weights, which `--target any` does not have.
        self.others.clear();
        if !any {
            if self.known_run != self.run {
                let view = text_view(&self.encoded, &self.tokens, doc.text);
                sources.companies.find(&view, &mut self.known);
                self.known_run = self.run;
            }
            let targets = sources.companies.targets();
            let other = |m: &&CompanyMention| targets[m.owner as usize].name() != name;
            self.others
                .extend(self.known.iter().filter(other).map(|m| m.at));
        }
        self.refocus_with_others(doc, any, sources);
    }

    /// The focus and masks for the target's mentions and the others' found so far.
    fn refocus_with_others(&mut self, doc: Document, any: bool, sources: Sources<'e>) {
        self.focus = focus(
            &self.sentences,
            &self.mentions,
            &self.others,
            any,
            doc.headline_paragraphs,
            sources.weighting,
        );
        for (weight, _) in (self.focus.sentence_weights.iter_mut())
            .zip(&self.boilerplate)
            .filter(|(_, b)| **b)
        {
            *weight = 0.0;
        }
        self.masks.clear();
        self.masks.resize(self.tokens.len(), Mask::Word);
        for (names, mask) in [
            (&self.others, Mask::Company),
            (&self.mentions, Mask::Target),
        ] {
            for m in names.iter() {
                self.masks[m.start..m.end].fill(mask);
            }
        }
        if !self.mentions.is_empty() {
            let view = clause_view(&self.tokens, doc.text, sources.company_words);
            mask_other_clauses(&view, &self.sentences, &mut self.masks);
        }
    }

    /// Every stage that does not depend on the target: tokens, sentences, lexicon hits,
    /// evidence and style counts.
    pub fn read(
        &mut self,
        doc: Document,
        analyzer: &mut Analyzer,
        codebook: &Codebook,
        sources: Sources<'e>,
    ) {
        analyzer.analyze(doc.text, codebook, &mut self.tokens);
        self.generation = analyzer.generation();
        // No target yet: nothing is masked until one is aimed at.
        self.masks.clear();
        self.masks.resize(self.tokens.len(), Mask::Word);
        self.run = self.run.wrapping_add(1);
        split(&self.tokens, &mut self.sentences);
        crate::read::boilerplate::mark(
            doc.text,
            &self.tokens,
            &self.sentences,
            &mut self.boilerplate,
        );
        encode(&self.tokens, &mut self.encoded);
        sources.lexicon.matcher.find(&self.encoded, &mut self.hits);
        evidence(
            sources.lexicon,
            doc.text,
            &self.tokens,
            &self.sentences,
            &self.hits,
            &mut self.evidence,
            &mut self.scales,
        );
        count_style(
            doc.text,
            &self.tokens,
            &self.sentences,
            &self.boilerplate,
            sources.lexicon,
            &self.hits,
            &mut self.styles,
        );
    }

    /// Word, number and CJK tokens.
    pub fn word_count(&self) -> usize {
        self.tokens
            .iter()
            .filter(|t| {
                matches!(
                    t.token.kind,
                    TokenKind::Word | TokenKind::Number | TokenKind::Cjk
                )
            })
            .count()
    }

    /// The evidence of each sentence, as index ranges into `evidence`, in sentence order.
    pub fn evidence_by_sentence(&self) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
        let mut first = 0;
        (0..self.sentences.len()).map(move |si| {
            while first < self.evidence.len() && self.evidence[first].sentence < si {
                first += 1;
            }
            let end = first
                + self.evidence[first..]
                    .iter()
                    .take_while(|e| e.sentence == si)
                    .count();
            first..end
        })
    }
}

/// A view of the fields alias matching reads, borrowed one by one so that the other fields of an
/// analysis stay free to fill.
fn text_view<'a>(encoded: &'a [u8], tokens: &'a [AnalyzedToken], text: &'a str) -> TextView<'a> {
    TextView {
        encoded,
        tokens,
        text,
    }
}

/// Words that open a clause about something else: "Nvidia shares jumped while Intel slumped".
const CLAUSE_WORDS: &[&str] = &[
    "while",
    "whereas",
    "but",
    "although",
    "though",
    "however",
    "as",
    "yet",
    "meanwhile",
];

/// What the clause reading needs of an article's tokens.
struct ClauseView<'a> {
    tokens: &'a [AnalyzedToken],
    text: &'a str,
    company_words: &'a rustc_hash::FxHashSet<Box<str>>,
}

fn clause_view<'a>(
    tokens: &'a [AnalyzedToken],
    text: &'a str,
    company_words: &'a rustc_hash::FxHashSet<Box<str>>,
) -> ClauseView<'a> {
    ClauseView {
        tokens,
        text,
        company_words,
    }
}

impl ClauseView<'_> {
    fn word(&self, i: usize) -> &str {
        let t = &self.tokens[i].token;
        &self.text[t.start..t.end]
    }

    /// Whether token `i` opens a new clause of sentence `s`.
    fn opens_clause(&self, i: usize) -> bool {
        let word = self.word(i);
        word == ";" || CLAUSE_WORDS.iter().any(|w| word.eq_ignore_ascii_case(w))
    }

    /// Whether token `i` names some company that the masks do not know: a cashtag, or a
    /// capitalized one-word company name.
    fn names_a_company(&self, i: usize) -> bool {
        let word = self.word(i);
        let capitalized = word.chars().next().is_some_and(char::is_uppercase);
        word.starts_with('$')
            || (capitalized
                && self
                    .company_words
                    .contains(word.to_ascii_lowercase().as_str()))
    }
}

/// In each sentence that names the target and another company, the clauses about the other
/// company alone (split at "while", "but", "whereas", "as", semicolons, and after a leading
/// clause word at its first comma) are masked [`Mask::Elsewhere`]; a clause that names no
/// company belongs with the clause before it.
fn mask_other_clauses(
    view: &ClauseView,
    sentences: &[crate::text::sentence::Sentence],
    masks: &mut [Mask],
) {
    for s in sentences {
        let range = s.start..s.end;
        if !masks[range.clone()].contains(&Mask::Target) {
            continue;
        }
        let mut bounds = vec![s.start];
        let mut leading = false;
        for i in range.clone() {
            if view.opens_clause(i) {
                leading |= i == s.start;
                if i > s.start {
                    bounds.push(i);
                }
            } else if leading && view.word(i) == "," {
                bounds.push(i + 1);
                leading = false;
            }
        }
        if bounds.len() < 2 {
            continue;
        }
        bounds.push(s.end);
        let mut owner_is_target: Option<bool> = None;
        let clauses: Vec<(usize, usize)> = bounds.windows(2).map(|w| (w[0], w[1])).collect();
        let owners: Vec<Option<bool>> = clauses
            .iter()
            .map(|&(a, b)| {
                let target = masks[a..b].contains(&Mask::Target);
                let other = (a..b).any(|i| masks[i] == Mask::Company || view.names_a_company(i));
                match (target, other) {
                    (true, _) => Some(true),
                    (false, true) => Some(false),
                    (false, false) => None,
                }
            })
            .collect();
        for (&(a, b), owner) in clauses.iter().zip(owners) {
            let owner = owner.or(owner_is_target);
            owner_is_target = owner;
            if owner == Some(false) {
                for m in &mut masks[a..b] {
                    if *m != Mask::Target {
                        *m = Mask::Elsewhere;
                    }
                }
            }
        }
    }
}
