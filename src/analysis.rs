//! Stage 4 as one value: an article's tokens (stages 2-3), sentences, lexicon hits, target
//! focus, signed evidence and style counts. Scoring builds features from it, and `explain`
//! reads the same value, so what is explained is what was scored.

use crate::analyze::{AnalyzedToken, Analyzer, Codebook};
use crate::lexicon::CompiledLexicon;
use crate::phrase::{PhraseMatch, encode};
use crate::rules::{Evidence, evidence};
use crate::sentence::{Sentence, split};
use crate::style::{StyleCount, count as count_style};
use crate::target::{Companies, CompanyMention, Focus, TargetMatcher, TextView, Weighting, focus};
use crate::tokenize::TokenKind;

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

/// What the analysis reads besides the article: loaded once, shared by every thread.
#[derive(Clone, Copy)]
pub struct Sources<'e> {
    pub lexicon: &'e CompiledLexicon,
    pub companies: &'e Companies,
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
    pub focus: Focus,
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

    /// Re-aims the last analyzed article at the company `mentions` name (found in its text):
    /// every stage that does not depend on the target is kept.
    pub fn aim_at(
        &mut self,
        doc: Document,
        name: &str,
        mentions: &[PhraseMatch],
        sources: Sources<'e>,
    ) {
        self.mentions.clear();
        self.mentions.extend_from_slice(mentions);
        self.refocus(doc, name, false, sources);
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
        self.focus = focus(
            &self.sentences,
            &self.mentions,
            &self.others,
            any,
            doc.headline_paragraphs,
            sources.weighting,
        );
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
        self.run = self.run.wrapping_add(1);
        split(&self.tokens, &mut self.sentences);
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
