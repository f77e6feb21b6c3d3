//! Stage 6 for one article: features from the [`Analysis`], the models, pooling and the
//! exact attribution of the score.
//!
//! A [`Scorer`] holds one thread's caches and buffers and reads articles for an [`Engine`]
//! shared between threads. The stance model reads the article in segments: each weighted
//! sentence under opinion pooling, else one segment holding every part. A segment's logits are
//! the intercepts plus its parts' `value x weights`; [`pooling`] turns the segments'
//! probabilities into the article's, and [`crate::model::attribution`] splits the article's probabilities
//! among the parts, so each label's share of the score is a sum of `value x (weights · g)`
//! over its occurrences.
//!
//! With an article model, that reading is not the answer: the article model reads named
//! features of it ([`crate::model::features::ArticleFeature`], valued there: the pooled
//! probabilities, the shares of bullish and bearish sentences, the headline, the last sentence,
//! the relevance) with the article's own terms, and its probabilities are the article's. Its
//! parts' shares are exact in the same way, over one segment.

use rustc_hash::FxHashMap;

use crate::model::attribution::{
    EVERY_CLASS, Jacobian, Quadrature, Segment, path_gradients, shares,
};
use crate::model::classes::{
    CLASSES, Class, Logits, NEUTRAL, Voice, class_probabilities, stance_score,
};
use crate::model::engine::Engine;
use crate::model::features::{
    FeatureBuilder, FeatureKind, FeatureVector, Label, Labels, Part, Source,
};
pub use crate::model::linear::Decision;
use crate::model::linear::{CompiledModel, Contribution, MergedParts, Pooling, Prediction, decide};
use crate::model::pooling::{self, SegmentScore};
use crate::read::analysis::{Aim, Analysis, Document};
use crate::read::target::Target;
use crate::read::target::alias::{Companies, CompanyMention, TargetMatcher};
use crate::read::target::focus::Focus;
use crate::text::analyze::{Analyzer, Codebook, StemFilter};

/// One occurrence of a labelled feature in a segment of the stance reading.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Occurrence {
    pub label: Label,
    pub feature: usize,
    pub segment: usize,
    /// The sentence it is in; `None` for article-level counts (style).
    pub sentence: Option<usize>,
    /// Byte range in the text; empty for article-level counts.
    pub span: (usize, usize),
    /// What it adds to its feature's value.
    pub value: f64,
}

/// The stance model's reading of an article.
#[derive(Clone, Debug, PartialEq)]
pub struct StanceReading {
    pub probabilities: Logits,
    /// The probabilities of the intercepts alone: where the attribution path starts.
    pub base: Logits,
    pub pooling: Pooling,
    pub segments: Vec<SegmentScore>,
    pub occurrences: Vec<Occurrence>,
    /// Each label's share of `score - base score`, in first-seen order.
    pub label_shares: Vec<(Label, f64)>,
}

impl StanceReading {
    /// An occurrence's logit contributions: its value times its feature's weights.
    pub fn logits_of(&self, model: &CompiledModel, o: &Occurrence) -> Logits {
        model.weights(o.feature).map(|w| w * o.value)
    }

    /// An occurrence's share of the score.
    pub fn score_share(&self, model: &CompiledModel, o: &Occurrence) -> f64 {
        shares(
            &self.logits_of(model, o),
            &[self.segments[o.segment].score_gradient],
        )[0]
    }

    /// Each segment's `∫ ∂P/∂logits` along the same path, for shares of every class
    /// probability (explanations); scoring needs only the score's.
    pub fn class_gradients(&self, model: &CompiledModel) -> Vec<Jacobian> {
        let mut gradients = Vec::with_capacity(self.segments.len());
        path_gradients(
            &model.intercepts,
            &segments_of(&self.segments, model).collect::<Vec<_>>(),
            &EVERY_CLASS,
            &mut gradients,
        );
        gradients
    }

    /// An occurrence's share of each class probability, by [`class_gradients`](Self::class_gradients).
    pub fn probability_shares(
        &self,
        model: &CompiledModel,
        o: &Occurrence,
        gradients: &[Jacobian],
    ) -> Logits {
        shares(&self.logits_of(model, o), &gradients[o.segment])
    }
}

/// Everything the pipeline found in one article.
#[derive(Clone, Debug)]
pub struct Evaluation {
    pub target: String,
    /// The target's primary ticker; empty for a company the table does not list.
    pub ticker: String,
    pub focus: Focus,
    /// Word, number and CJK tokens.
    pub tokens: usize,
    pub stance: StanceReading,
    /// What chose the stance class.
    pub decision: Decision,
    pub voice: Option<Prediction>,
    /// The article model's decision, when there is one and something about the target was read.
    pub article: Option<ArticleReading>,
    /// The [`DRIVERS_PER_SIDE`] words that moved the score most each way, by name.
    pub drivers: Drivers,
}

/// How many drivers a row names each way.
pub const DRIVERS_PER_SIDE: usize = 3;

/// An evaluation with what explaining it takes: the name of every label its parts and shares
/// hold (label numbers are the scorer's own), and each sentence's byte span in the text.
#[derive(Clone, Debug)]
pub struct Explained {
    pub evaluation: Evaluation,
    pub names: std::collections::HashMap<Label, String>,
    pub sentence_spans: Vec<(usize, usize)>,
}

/// The article model's reading: its parts are the article features and the article's terms.
#[derive(Clone, Debug, PartialEq)]
pub struct ArticleReading {
    pub prediction: Prediction,
    /// The probabilities of its intercepts alone.
    pub base: Logits,
    /// `∫ ∂score/∂logits` from the intercepts to the logits: a part's share of the score is its
    /// logit contributions dotted with this.
    pub score_gradient: Logits,
    /// Each label's share of `score - base score`, in first-seen order. The article features
    /// that read the sentence reading (all but relevance) hand their summed share `S` on to the
    /// reading's labels that pushed its score the same way, in proportion: a label with share
    /// `r` of the reading's score gets `S r / Σ r` over those labels, so a bearish word stays
    /// bearish and none gets more than `S`. When no label pushed that way, `S` is
    /// [`SENTENCE_READING`]'s. The shares still add up to `score - base score`.
    pub label_shares: Vec<(Label, f64)>,
    /// The labels that are no words of the text (the article features and
    /// [`SENTENCE_READING`]): explained, but never drivers.
    pub feature_labels: Vec<Label>,
}

/// Texts with fewer words than this are statements (a tweet, a headline, a paragraph): the
/// sentence reading decides them, as it was learned on such texts, and the document decision
/// reads only longer ones. The short-text corpora run to 98 words (FinEntity's longest
/// paragraph), and documents from 77 (SENTiVENT's shortest story).
pub const STATEMENT_WORDS: usize = 100;

/// The label of the article features' share when no label of the sentence reading carries it.
pub const SENTENCE_READING: &str = "[sentence reading]";

impl ArticleReading {
    /// `∫ ∂P/∂logits` for every class probability, for each part's share of each (explanations).
    pub fn class_gradients(&self, model: &CompiledModel) -> Jacobian {
        let mut gradients = Vec::with_capacity(1);
        path_gradients(
            &model.intercepts,
            &[self.segment(model)],
            &EVERY_CLASS,
            &mut gradients,
        );
        gradients[0]
    }

    fn segment(&self, model: &CompiledModel) -> Segment {
        Segment {
            weight: 1.0,
            delta: std::array::from_fn(|c| self.prediction.logits[c] - model.intercepts[c]),
        }
    }
}

impl Evaluation {
    pub fn on_target(&self) -> bool {
        self.focus.relevance > 0
    }

    /// The target is named, but no lexicon cue and no model term was found (a script or
    /// language the lexicons do not cover): the probabilities are the intercepts' alone.
    pub fn read_nothing(&self) -> bool {
        self.on_target() && self.stance.occurrences.is_empty()
    }

    /// Whether anything was judged: the target is named and something in the text was read.
    fn judged(&self) -> bool {
        self.on_target() && !self.read_nothing()
    }

    /// The article's class probabilities: the article model's, else the stance model's.
    pub fn probabilities(&self) -> &Logits {
        match &self.article {
            Some(a) => &a.prediction.probabilities,
            None => &self.stance.probabilities,
        }
    }

    pub fn score(&self) -> f64 {
        stance_score(self.probabilities())
    }

    /// The score of the deciding model's intercepts alone; the labels' shares add up to the rest.
    pub fn base_score(&self) -> f64 {
        stance_score(match &self.article {
            Some(a) => &a.base,
            None => &self.stance.base,
        })
    }

    /// Each label's share of the score less the base score, by the deciding model.
    pub fn label_shares(&self) -> &[(Label, f64)] {
        match &self.article {
            Some(a) => &a.label_shares,
            None => &self.stance.label_shares,
        }
    }

    /// The voice, when a voice model read the article.
    pub fn voice_class(&self) -> Option<Voice> {
        self.voice.as_ref().map(|p| Voice::of_column(p.best()))
    }

    /// The stance class by the decision; neutral when nothing was judged.
    pub fn stance_class(&self) -> Class {
        Class::of_column(match self.decision {
            _ if !self.judged() => NEUTRAL,
            Decision::Band(band) => decide(self.probabilities(), band),
            Decision::Statement | Decision::Document => decide(self.probabilities(), None),
        })
    }

    /// The probability of the chosen class; 0 when nothing was judged (the target is absent, or
    /// nothing in the text was read).
    pub fn confidence(&self) -> f64 {
        if self.judged() {
            self.probabilities()[self.stance_class().column()]
        } else {
            0.0
        }
    }

    /// The opinion-pooled sentences, in text order; empty when the model pools features first.
    pub fn sentence_scores(&self) -> impl Iterator<Item = (usize, &SegmentScore)> {
        self.stance
            .segments
            .iter()
            .filter_map(|s| s.sentence.map(|i| (i, s)))
    }

    /// The `n` strongest labels each way, words of the text only (an article model's own
    /// features are explained, not drivers), named by the scorer's `labels` that made it.
    fn strongest_drivers(&self, n: usize, labels: &Labels) -> Drivers {
        let strongest = |sign: f64| {
            // Stronger first; names break ties, and labels are distinct, so the order is total.
            let before = |a: &(Label, f64), b: &(Label, f64)| {
                (sign * b.1)
                    .total_cmp(&(sign * a.1))
                    .then_with(|| labels.name(a.0).cmp(labels.name(b.0)))
                    .is_lt()
            };
            // The few strongest, kept in order as the shares go by.
            let mut top: Vec<(Label, f64)> = Vec::with_capacity(n + 1);
            let worded = |label: &Label| {
                (self.article.as_ref()).is_none_or(|a| !a.feature_labels.contains(label))
            };
            let shares = self.label_shares().iter();
            for &share in shares.filter(|(l, s)| sign * s > 0.0 && worded(l)) {
                if top.len() == n && top.last().is_none_or(|last| !before(&share, last)) {
                    continue;
                }
                let at = top
                    .iter()
                    .position(|t| before(&share, t))
                    .unwrap_or(top.len());
                top.insert(at, share);
                top.truncate(n);
            }
            top.into_iter()
                .map(|(label, share)| (labels.name(label).to_string(), share))
                .collect()
        };
        Drivers {
            bullish: strongest(1.0),
            bearish: strongest(-1.0),
        }
    }
}

/// The labels that moved a score most, as (label, share of the score), strongest first.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Drivers {
    pub bullish: Vec<(String, f64)>,
    pub bearish: Vec<(String, f64)>,
}

/// Caps the number of compiled per-article targets kept by one scorer.
const MATCHER_CACHE_LIMIT: usize = 4096;

/// Caps the stems per-article targets add to one scorer's codebook.
const CODEBOOK_ROOM: usize = 1 << 16;

/// One thread's scorer: word cache, target matchers, the last article's analysis and buffers.
pub struct Scorer<'e> {
    engine: &'e Engine,
    stem: StemFilter,
    codebook: Codebook,
    analyzer: Analyzer,
    matchers: FxHashMap<String, TargetMatcher>,
    analysis: Analysis<'e>,
    features: FeatureBuilder,
    labels: Labels,
    /// Per label number: its place in the article's label shares, or `u32::MAX`.
    label_slot: Vec<u32>,
    weights: Vec<f64>,
    segments: Vec<Segment>,
    merged: MergedParts,
    /// The parts of the models that read every sentence, kept between articles.
    parts: FeatureVector,
    quadrature: Quadrature,
    score_gradients: Vec<[Logits; 1]>,
}

impl<'e> Scorer<'e> {
    pub fn new(engine: &'e Engine) -> Scorer<'e> {
        Scorer {
            engine,
            stem: StemFilter::default(),
            codebook: engine.codebook.clone(),
            analyzer: Analyzer::default(),
            matchers: FxHashMap::default(),
            analysis: Analysis::default(),
            features: FeatureBuilder::default(),
            labels: Labels::default(),
            label_slot: Vec::new(),
            weights: Vec::new(),
            segments: Vec::new(),
            merged: MergedParts::default(),
            parts: FeatureVector::default(),
            quadrature: Quadrature::default(),
            score_gradients: Vec::new(),
        }
    }

    /// Makes sure the codebook has every stem of `target`, emptying the word cache if it grew.
    /// Articles that bring their own targets add stems without end, so once the cache holds
    /// [`MATCHER_CACHE_LIMIT`] targets or the codebook [`CODEBOOK_ROOM`] more stems than the
    /// engine's, both start again from the engine's.
    fn prepare_target(&mut self, target: &Target) -> String {
        let key = target.key();
        if !self.matchers.contains_key(&key) {
            let grown = self.codebook.len() - self.engine.codebook.len();
            if self.matchers.len() >= MATCHER_CACHE_LIMIT || grown > CODEBOOK_ROOM {
                self.matchers.clear();
                self.codebook = self.engine.codebook.clone();
                self.analyzer = Analyzer::default();
            }
            let before = self.codebook.len();
            let matcher = TargetMatcher::compile(target, &mut self.codebook, &self.stem);
            if self.codebook.len() != before {
                self.analyzer = Analyzer::default();
            }
            self.matchers.insert(key.clone(), matcher);
        }
        key
    }

    /// Runs every stage up to evidence and style counts.
    pub fn analyze(&mut self, doc: Document, target: &Target) -> &Analysis<'e> {
        let key = self.prepare_target(target);
        self.labels.bound();
        let aim = Aim {
            name: target.name(),
            matcher: &self.matchers[&key],
        };
        self.analysis.run(
            doc,
            &aim,
            &mut self.analyzer,
            &self.codebook,
            self.engine.sources(),
        );
        &self.analysis
    }

    /// [`analyze`](Self::analyze) for `target`, or for any company when the text never names it
    /// (misspelt or abbreviated); with the target it was analyzed for.
    pub fn analyze_or_any(&mut self, doc: Document, target: &Target) -> (Target, &Analysis<'e>) {
        if self.analyze(doc, target).focus.relevance > 0 || *target == Target::Any {
            return (target.clone(), &self.analysis);
        }
        self.analyze(doc, &Target::Any);
        (Target::Any, &self.analysis)
    }

    /// The last analyzed article's feature vector for `model`, its sentences weighted by
    /// `weights` and pooled by the model's rule (training reads features this way).
    pub fn vector(&mut self, model: &CompiledModel, text: &str, weights: &[f64]) -> FeatureVector {
        let mut vector = FeatureVector::default();
        self.vector_into(model, text, weights, &mut vector);
        vector
    }

    fn vector_into(
        &mut self,
        model: &CompiledModel,
        text: &str,
        weights: &[f64],
        vector: &mut FeatureVector,
    ) {
        let source = Source {
            analysis: &self.analysis,
            text,
            lexicon: &self.engine.lexicon,
        };
        let divisor = model.model.pooling.divisor(weights.iter().sum());
        let (index, names) = (&model.index, &mut self.labels);
        self.features
            .vector_into(source, index, weights, divisor, names, vector);
    }

    /// The voice and article models' features count every sentence alike, whatever it is
    /// about. The vector is the scorer's buffer: scoring gives it back to `self.parts`.
    pub fn voice_vector(&mut self, model: &CompiledModel, text: &str) -> FeatureVector {
        let mut vector = std::mem::take(&mut self.parts);
        let ones = vec![1.0; self.analysis.sentences.len()];
        self.vector_into(model, text, &ones, &mut vector);
        vector
    }

    pub fn evaluate(&mut self, doc: Document, target: &Target) -> Evaluation {
        self.analyze(doc, target);
        let voice = self.read_voice(doc.text);
        self.evaluate_analyzed(doc, target, voice, STATEMENT_WORDS)
    }

    /// [`evaluate`](Self::evaluate), with the names and sentences that explaining it takes.
    pub fn evaluate_explained(&mut self, doc: Document, target: &Target) -> Explained {
        let evaluation = self.evaluate(doc, target);
        let occurrences = evaluation.stance.occurrences.iter().map(|o| o.label);
        let voice = evaluation.voice.iter().flat_map(|v| &v.parts);
        let article = evaluation.article.iter().flat_map(|a| &a.prediction.parts);
        let shares = evaluation.label_shares().iter().map(|&(l, _)| l);
        let names = (occurrences.chain(voice.chain(article).map(|p| p.label)))
            .chain(shares)
            .map(|l| (l, self.labels.name(l).to_string()))
            .collect();
        let analysis = &self.analysis;
        let sentence_spans = (analysis.sentences.iter())
            .map(|s| s.span(&analysis.tokens))
            .collect();
        Explained {
            evaluation,
            names,
            sentence_spans,
        }
    }

    /// [`evaluate`](Self::evaluate), with the article model deciding whatever the text's length
    /// (training the document decision reads its rows so).
    pub fn evaluate_as_document(&mut self, doc: Document, target: &Target) -> Evaluation {
        self.analyze(doc, target);
        let voice = self.read_voice(doc.text);
        self.evaluate_analyzed(doc, target, voice, 0)
    }

    /// The voice model's reading of the last analyzed article: every sentence counts alike, so
    /// it is the same for every target.
    fn read_voice(&mut self, text: &str) -> Option<Prediction> {
        let model = self.engine.voice.as_ref()?;
        let vector = self.voice_vector(model, text);
        let prediction = model.predict(&vector, &mut self.merged);
        self.parts = vector;
        Some(prediction)
    }

    /// An evaluation for each of `companies` that the article names with a relevance of at
    /// least `min_relevance`, most relevant first (then in the companies' order). The article
    /// is read once; only what depends on the target is done again for each company.
    pub fn evaluate_every_company(
        &mut self,
        doc: Document,
        companies: &Companies,
        min_relevance: u8,
    ) -> Vec<Evaluation> {
        self.labels.bound();
        let sources = self.engine.sources();
        (self.analysis).read(doc, &mut self.analyzer, &self.codebook, sources);
        let mut found: Vec<CompanyMention> = Vec::new();
        companies.find(&self.analysis.view(doc.text), &mut found);
        found.sort_by_key(|m| (m.owner, m.at.start));
        let mut evaluations: Vec<(u32, Evaluation)> = Vec::new();
        let mut mentions = Vec::new();
        let voice = if found.is_empty() {
            None
        } else {
            // The voice reads every company's name as the name of some company, as it does
            // when one company is asked for.
            for m in &found {
                self.analysis.masks[m.at.start..m.at.end]
                    .fill(crate::read::analysis::Mask::Company);
            }
            self.read_voice(doc.text)
        };
        let mut others = Vec::new();
        for named in found.chunk_by(|a, b| a.owner == b.owner) {
            let owner = named[0].owner;
            let target = &companies.targets()[owner as usize];
            mentions.clear();
            mentions.extend(named.iter().map(|m| m.at));
            others.clear();
            others.extend(found.iter().filter(|m| m.owner != owner).map(|m| m.at));
            self.analysis
                .aim_at(doc, target.name(), &mentions, &others, sources);
            if self.analysis.focus.relevance >= min_relevance.max(1) {
                let evaluation =
                    self.evaluate_analyzed(doc, target, voice.clone(), STATEMENT_WORDS);
                evaluations.push((named[0].owner, evaluation));
            }
        }
        evaluations.sort_by_key(|(owner, e)| (std::cmp::Reverse(e.focus.relevance), *owner));
        evaluations.into_iter().map(|(_, e)| e).collect()
    }

    /// The readings of the last analyzed article, for `target`; a text of fewer than
    /// `statement_words` words is a statement.
    fn evaluate_analyzed(
        &mut self,
        doc: Document,
        target: &Target,
        voice: Option<Prediction>,
        statement_words: usize,
    ) -> Evaluation {
        let engine = self.engine;
        let statement = engine.article.is_some() && self.analysis.word_count() < statement_words;
        // A statement is read as the stance model learned its rows: its sentences' features
        // summed into one reading.
        let pooling = if statement {
            Pooling::Sum
        } else {
            engine.stance.model.pooling
        };
        let stance = self.read_stance(doc.text, pooling);
        let pooled = stance.pooling == Pooling::Opinion && stance.segments.len() > 1;
        let mut evaluation = Evaluation {
            target: target.name().to_string(),
            ticker: target.ticker().to_string(),
            decision: Decision::Statement,
            focus: self.analysis.focus.clone(),
            tokens: self.analysis.word_count(),
            stance,
            voice,
            article: None,
            drivers: Drivers::default(),
        };
        match &engine.article {
            // A statement is the sentence reading's to decide; nothing read is nothing to decide.
            Some(_) if statement || !evaluation.judged() => {}
            Some(model) => {
                evaluation.article = Some(self.read_article(model, doc, &evaluation));
                evaluation.decision = Decision::Document;
            }
            None => {
                let band = engine
                    .stance
                    .model
                    .band_for(pooled, evaluation.voice_class().map(Voice::name));
                evaluation.decision = Decision::Band(band);
            }
        }
        evaluation.drivers = evaluation.strongest_drivers(DRIVERS_PER_SIDE, &self.labels);
        evaluation
    }

    /// The article model's reading: the article's terms over every sentence,
    /// and the article features of the stance reading in `evaluation`. When the engine shares
    /// the voice model's terms with it, they are the voice reading's merged parts under the
    /// article model's feature numbers, and the text is not read again.
    fn read_article(
        &mut self,
        model: &CompiledModel,
        doc: Document,
        evaluation: &Evaluation,
    ) -> ArticleReading {
        let sentences = &self.analysis.sentences;
        let headline = |s: usize| sentences[s].paragraph < doc.headline_paragraphs;
        let articles: Vec<(Label, usize, f64)> = (model.index.articles().iter())
            .map(|&(feature, index)| {
                let label = self.labels.get(feature.label());
                let stance = &evaluation.stance;
                let (analysis, focus) = (&self.analysis, &evaluation.focus);
                let value = (feature).value(
                    &stance.probabilities,
                    &stance.segments,
                    focus,
                    analysis,
                    doc.text,
                    &headline,
                );
                (label, index, value)
            })
            .collect();
        let mut feature_labels: Vec<Label> = articles.iter().map(|a| a.0).collect();
        feature_labels.push(self.labels.get(SENTENCE_READING));
        let mut vector = self.voice_vector(model, doc.text);
        vector
            .parts
            .extend(articles.into_iter().map(|(label, feature, value)| Part {
                label,
                feature,
                sentence: None,
                span: (0, 0),
                value,
            }));
        let prediction = model.predict(&vector, &mut self.merged);
        self.parts = vector;
        let mut reading = ArticleReading {
            base: class_probabilities(&model.intercepts),
            prediction,
            score_gradient: [0.0; CLASSES],
            label_shares: Vec::new(),
            feature_labels,
        };
        self.quadrature.path_gradients(
            &model.intercepts,
            &[reading.segment(model)],
            &SCORE,
            &mut self.score_gradients,
        );
        let [g] = self.score_gradients[0];
        reading.score_gradient = g;
        // The features that read the sentence reading pass their share on to its labels.
        let parts = &reading.prediction.parts;
        let share = |p: &Contribution| -> f64 { p.logits.iter().zip(&g).map(|(z, g)| z * g).sum() };
        let reads_sentences = |p: &&Contribution| matches!(model.index.kinds[p.feature], FeatureKind::Article(f) if f.reads_sentences());
        let passed: f64 = parts.iter().filter(reads_sentences).map(share).sum();
        let own = (parts.iter())
            .filter(|p| !reads_sentences(p))
            .map(|p| (p.label, share(p)));
        let words = &evaluation.stance.label_shares;
        let same_side = |r: f64| r * passed > 0.0;
        let side: f64 = words
            .iter()
            .map(|&(_, r)| r)
            .filter(|&r| same_side(r))
            .sum();
        let per = if side != 0.0 { passed / side } else { 0.0 };
        let credited = words
            .iter()
            .filter(|&&(_, r)| same_side(r))
            .map(|&(label, r)| (label, r * per));
        let rest = if side != 0.0 { 0.0 } else { passed };
        let shares = own
            .chain(credited)
            .chain(std::iter::once((self.labels.get(SENTENCE_READING), rest)));
        collect_label_shares(&mut self.label_slot, shares, &mut reading.label_shares);
        reading
    }

    /// The stance model's reading of the last analyzed article.
    fn read_stance(&mut self, text: &str, pooling: Pooling) -> StanceReading {
        let model = &self.engine.stance;
        let base = class_probabilities(&model.intercepts);
        let mut reading = StanceReading {
            probabilities: [0.0; CLASSES],
            base,
            pooling,
            segments: Vec::new(),
            // A part per cue and about one per word: rarely grown.
            occurrences: Vec::with_capacity(
                self.analysis.evidence.len() + self.analysis.tokens.len() / 2,
            ),
            label_shares: Vec::new(),
        };
        let focus = &self.analysis.focus;
        if focus.relevance == 0 {
            reading.probabilities[NEUTRAL] = 1.0;
            return reading;
        }
        // Under opinion pooling each weighted sentence is a segment scored alone, its parts
        // unweighted (the target weight goes into pooling); otherwise the weighted parts of
        // every sentence and the style counts pool into one segment.
        let opinion = pooling == Pooling::Opinion;
        let mut segment_of = Vec::new();
        self.weights.clear();
        if opinion {
            for (s, &w) in focus.sentence_weights.iter().enumerate() {
                segment_of.push(reading.segments.len());
                self.weights.push(if w > 0.0 { 1.0 } else { 0.0 });
                if w > 0.0 {
                    reading.segments.push(new_segment(Some(s), w, model));
                }
            }
        } else {
            self.weights.extend_from_slice(&focus.sentence_weights);
            reading.segments.push(new_segment(None, 1.0, model));
        }
        let divisor = pooling.divisor(self.weights.iter().sum());
        let source = Source {
            analysis: &self.analysis,
            text,
            lexicon: &self.engine.lexicon,
        };
        let occurrences = &mut reading.occurrences;
        let weights = &self.weights;
        self.features.build(
            source,
            &model.index,
            weights,
            divisor,
            &mut self.labels,
            |part: Part| {
                let segment = match (opinion, part.sentence) {
                    (false, _) => 0,
                    (true, Some(s)) => segment_of[s],
                    // Style counts belong to no sentence.
                    (true, None) => return,
                };
                occurrences.push(Occurrence {
                    label: part.label,
                    feature: part.feature,
                    segment,
                    sentence: part.sentence,
                    span: part.span,
                    value: part.value,
                });
            },
        );
        if reading.segments.is_empty() {
            reading.probabilities = base;
            return reading;
        }
        // Occurrences come segment by segment.
        let mut rest = reading.occurrences.as_slice();
        for (i, segment) in reading.segments.iter_mut().enumerate() {
            let n = rest.iter().take_while(|o| o.segment == i).count();
            let (own, later) = rest.split_at(n);
            rest = later;
            let merged = self
                .merged
                .merge(own.iter().map(|o| (o.label, o.feature, o.value)));
            segment.logits = model.logits(merged);
            segment.probabilities = class_probabilities(&segment.logits);
        }
        if opinion {
            let weights: Vec<f64> = reading.segments.iter().map(|s| s.weight).collect();
            let probabilities: Vec<Logits> =
                reading.segments.iter().map(|s| s.probabilities).collect();
            let mut shares = Vec::with_capacity(weights.len());
            pooling::opinion_shares(&weights, &probabilities, &mut shares);
            for (s, a) in reading.segments.iter_mut().zip(&shares) {
                s.share = *a;
            }
            reading.probabilities = pooling::mix(&shares, &probabilities);
        } else {
            reading.probabilities = reading.segments[0].probabilities;
        }
        self.attribute(&mut reading);
        reading
    }

    /// Fills each segment's score gradient and each label's share of the score.
    fn attribute(&mut self, reading: &mut StanceReading) {
        let model = &self.engine.stance;
        self.segments.clear();
        self.segments.extend(segments_of(&reading.segments, model));
        self.quadrature.path_gradients(
            &model.intercepts,
            &self.segments,
            &SCORE,
            &mut self.score_gradients,
        );
        for (s, [g]) in reading.segments.iter_mut().zip(&self.score_gradients) {
            s.score_gradient = *g;
        }
        let shares = reading.occurrences.iter().map(|o| {
            let g = &reading.segments[o.segment].score_gradient;
            let w = model.weights(o.feature);
            (o.label, o.value * (w[0] * g[0] + w[1] * g[1] + w[2] * g[2]))
        });
        collect_label_shares(&mut self.label_slot, shares, &mut reading.label_shares);
    }
}

/// The output direction of the score, P(bullish) - P(bearish).
const SCORE: [Logits; 1] = [[-1.0, 0.0, 1.0]];

/// Sums `shares` by label into `out`, in first-seen order. `slot` (per label number: its place
/// in `out`, or `u32::MAX`) is left all `u32::MAX` again.
fn collect_label_shares(
    slot: &mut Vec<u32>,
    shares: impl Iterator<Item = (Label, f64)>,
    out: &mut Vec<(Label, f64)>,
) {
    for (label, share) in shares {
        let i = label.index();
        if i >= slot.len() {
            slot.resize(i + 1, u32::MAX);
        }
        match slot[i] {
            u32::MAX => {
                slot[i] = out.len() as u32;
                out.push((label, share));
            }
            at => out[at as usize].1 += share,
        }
    }
    for (label, _) in out.iter() {
        slot[label.index()] = u32::MAX;
    }
}

/// The attribution's view of the segments: weight, and logits less the intercepts.
fn segments_of<'a>(
    segments: &'a [SegmentScore],
    model: &'a CompiledModel,
) -> impl Iterator<Item = Segment> + 'a {
    segments.iter().map(|s| Segment {
        weight: s.weight,
        delta: std::array::from_fn(|c| s.logits[c] - model.intercepts[c]),
    })
}

fn new_segment(sentence: Option<usize>, weight: f64, model: &CompiledModel) -> SegmentScore {
    SegmentScore {
        sentence,
        weight,
        logits: model.intercepts,
        probabilities: [0.0; CLASSES],
        share: 1.0,
        score_gradient: [0.0; CLASSES],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::attribution::shares as shares_of;
    use crate::model::engine::EngineConfig;

    #[test]
    fn targets_that_articles_bring_do_not_grow_a_scorer_without_bound() {
        let engine = Engine::load(&EngineConfig::default()).unwrap();
        let mut scorer = Scorer::new(&engine);
        let doc = Document {
            text: "Alibaba profit rose.",
            headline_paragraphs: 0,
        };
        let mut largest = 0;
        for t in 0..12 {
            let name: Vec<String> = (0..10_000).map(|w| format!("w{t}x{w}")).collect();
            let target = engine.targets.resolve(&name.join(" "));
            scorer.evaluate(doc, &target);
            largest = largest.max(scorer.codebook.len());
        }
        // Without the reset, twelve targets of 10,000 new stems each would add 120,000.
        assert!(
            largest <= engine.codebook.len() + CODEBOOK_ROOM + 10_000,
            "{largest}"
        );
        assert!(largest > engine.codebook.len() + 10_000);
    }

    #[test]
    fn label_shares_add_up_to_the_score_and_follow_the_occurrences() {
        let engine = Engine::load(&EngineConfig::default()).unwrap();
        let mut scorer = Scorer::new(&engine);
        // A document (100 words or more), which the article model decides.
        let text = "Alibaba profit rose sharply and margins improved. Analysts warned of weak \
                    demand, but Alibaba shares surged. Rivals fell. "
            .repeat(6);
        let text = text.as_str();
        let eval = scorer.evaluate(
            Document {
                text,
                headline_paragraphs: 0,
            },
            &engine.targets.resolve("Alibaba"),
        );
        assert!(eval.stance.segments.len() > 1 && eval.stance.occurrences.len() > 3);
        let shares: f64 = eval.stance.label_shares.iter().map(|(_, s)| s).sum();
        let reading_score = stance_score(&eval.stance.probabilities);
        assert!((stance_score(&eval.stance.base) + shares - reading_score).abs() < 1e-9);
        // The article model decides: its label shares add up to the article's score, and its
        // parts' shares of each class to its probabilities.
        let (model, article) = (
            engine.article.as_ref().unwrap(),
            eval.article.as_ref().unwrap(),
        );
        let shares: f64 = eval.label_shares().iter().map(|(_, s)| s).sum();
        assert!((eval.base_score() + shares - eval.score()).abs() < 1e-9);
        let gradient = article.class_gradients(model);
        for c in 0..CLASSES {
            let parts = &article.prediction.parts;
            let sum: f64 = article.base[c]
                + parts
                    .iter()
                    .map(|p| shares_of(&p.logits, &gradient)[c])
                    .sum::<f64>();
            assert!((sum - eval.probabilities()[c]).abs() < 1e-9);
        }
        // Each label's share is the sum of its occurrences' score shares.
        for (label, share) in &eval.stance.label_shares {
            let own: f64 = eval
                .stance
                .occurrences
                .iter()
                .filter(|o| o.label == *label)
                .map(|o| eval.stance.score_share(&engine.stance, o))
                .sum();
            assert!((own - share).abs() < 1e-12, "{own} vs {share}");
        }
        // The shares of each class probability add up to the probabilities.
        let gradients = eval.stance.class_gradients(&engine.stance);
        for c in 0..CLASSES {
            let sum: f64 = eval.stance.base[c]
                + eval
                    .stance
                    .occurrences
                    .iter()
                    .map(|o| {
                        eval.stance
                            .probability_shares(&engine.stance, o, &gradients)[c]
                    })
                    .sum::<f64>();
            assert!((sum - eval.stance.probabilities[c]).abs() < 1e-9);
        }
        // A second article leaves no trace of the first in the label slots.
        let again = scorer.evaluate(
            Document {
                text,
                headline_paragraphs: 0,
            },
            &engine.targets.resolve("Alibaba"),
        );
        assert_eq!(again.stance.label_shares, eval.stance.label_shares);
    }
}
