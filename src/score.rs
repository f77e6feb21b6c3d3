//! Stage 6 for one article: features from the [`Analysis`], the models, pooling and the
//! exact attribution of the score.
//!
//! A [`Scorer`] holds one thread's caches and buffers and reads articles for an [`Engine`]
//! shared between threads. The stance model reads the article in segments: each weighted
//! sentence under opinion pooling, else one segment holding every part. A segment's logits are
//! the intercepts plus its parts' `value x weights`; [`pooling`] turns the segments'
//! probabilities into the article's, and [`crate::attribution`] splits the article's probabilities
//! among the parts, so each label's share of the score is a sum of `value x (weights · g)`
//! over its occurrences.

use rustc_hash::FxHashMap;

use crate::analysis::{Aim, Analysis, Document};
use crate::analyze::{Analyzer, Codebook, StemFilter};
use crate::attribution::{EVERY_CLASS, Jacobian, Quadrature, Segment, path_gradients, shares};
use crate::engine::Engine;
use crate::features::{FeatureBuilder, FeatureVector, Label, Labels, Part, Source};
use crate::model::{
    BEARISH, BULLISH, CLASSES, CompiledModel, Logits, MergedParts, NEUTRAL, Pooling, Prediction,
    VOICE_CLASSES, class_probabilities, decide,
};
use crate::pooling;
use crate::target::{Focus, Target, TargetMatcher};

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

/// One pooled segment of the stance reading.
#[derive(Clone, Debug, PartialEq)]
pub struct SegmentScore {
    /// The sentence; `None` for the one segment of a model that pools features first.
    pub sentence: Option<usize>,
    /// Target weight (mention, same paragraph, elsewhere; times the headline factor).
    pub weight: f64,
    pub logits: Logits,
    pub probabilities: Logits,
    /// Its share of the article: weight x (1 - P(neutral)), normalized (see [`crate::pooling`]).
    pub share: f64,
    /// `∫ ∂score/∂logits` along the path from the intercepts (see [`crate::attribution`]): an
    /// occurrence's share of the score is its logit contributions dotted with this.
    pub score_gradient: Logits,
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
    pub focus: Focus,
    /// Word, number and CJK tokens.
    pub tokens: usize,
    pub stance: StanceReading,
    /// The neutral band of the model's decision rule; `None` when the most probable class
    /// decides.
    pub band: Option<f64>,
    pub voice: Option<Prediction>,
}

fn stance_score(p: &Logits) -> f64 {
    p[BULLISH] - p[BEARISH]
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

    pub fn score(&self) -> f64 {
        stance_score(&self.stance.probabilities)
    }

    /// The score of the intercepts alone; the labels' shares add up to the rest.
    pub fn base_score(&self) -> f64 {
        stance_score(&self.stance.base)
    }

    /// The voice class, when a voice model read the article.
    pub fn voice_class(&self) -> Option<&'static str> {
        self.voice.as_ref().map(|p| VOICE_CLASSES[p.best()])
    }

    /// The stance class by the model's decision rule; neutral when nothing was judged.
    pub fn stance_class(&self) -> usize {
        if self.judged() {
            decide(&self.stance.probabilities, self.band)
        } else {
            NEUTRAL
        }
    }

    /// The probability of the chosen class; 0 when nothing was judged (the target is absent, or
    /// nothing in the text was read).
    pub fn confidence(&self) -> f64 {
        if self.judged() {
            self.stance.probabilities[self.stance_class()]
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

    /// The `n` strongest labels each way; `labels` are the scorer's that made this evaluation.
    pub fn drivers<'l>(&self, n: usize, labels: &'l Labels) -> Drivers<'l> {
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
            for &share in self
                .stance
                .label_shares
                .iter()
                .filter(|(_, s)| sign * s > 0.0)
            {
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
                .map(|(label, share)| (labels.name(label), share))
                .collect()
        };
        Drivers {
            bullish: strongest(1.0),
            bearish: strongest(-1.0),
        }
    }
}

/// The labels that moved a score most, as (label, share of the score), strongest first.
#[derive(Clone, Debug, PartialEq)]
pub struct Drivers<'l> {
    pub bullish: Vec<(&'l str, f64)>,
    pub bearish: Vec<(&'l str, f64)>,
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

    /// The last analyzed article.
    pub fn analysis(&self) -> &Analysis<'e> {
        &self.analysis
    }

    /// The names of the last evaluation's labels.
    pub fn labels(&self) -> &Labels {
        &self.labels
    }

    /// The last analyzed article's feature vector for `model`, its sentences weighted by
    /// `weights` and pooled by the model's rule (training reads features this way).
    pub fn vector(&mut self, model: &CompiledModel, text: &str, weights: &[f64]) -> FeatureVector {
        let source = Source {
            analysis: &self.analysis,
            text,
            lexicon: &self.engine.lexicon,
        };
        let divisor = model.model.pooling.divisor(weights.iter().sum());
        self.features
            .vector(source, &model.index, weights, divisor, &mut self.labels)
    }

    /// Voice features count every sentence alike, whatever it is about.
    pub fn voice_vector(&mut self, model: &CompiledModel, text: &str) -> FeatureVector {
        let ones = vec![1.0; self.analysis.sentences.len()];
        self.vector(model, text, &ones)
    }

    pub fn evaluate(&mut self, doc: Document, target: &Target) -> Evaluation {
        self.analyze(doc, target);
        let engine = self.engine;
        let stance = self.read_stance(doc.text);
        let voice = engine.voice.as_ref().map(|model| {
            let vector = self.voice_vector(model, doc.text);
            model.predict(&vector)
        });
        let pooled = stance.pooling == Pooling::Opinion && stance.segments.len() > 1;
        let mut evaluation = Evaluation {
            target: target.name().to_string(),
            band: None,
            focus: self.analysis.focus.clone(),
            tokens: self.analysis.word_count(),
            stance,
            voice,
        };
        evaluation.band = engine
            .stance
            .model
            .band_for(pooled, evaluation.voice_class());
        evaluation
    }

    /// The stance model's reading of the last analyzed article.
    fn read_stance(&mut self, text: &str) -> StanceReading {
        let model = &self.engine.stance;
        let pooling = model.model.pooling;
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
        let score = [std::array::from_fn(|c| {
            f64::from(u8::from(c == BULLISH)) - f64::from(u8::from(c == BEARISH))
        })];
        self.quadrature.path_gradients(
            &model.intercepts,
            &self.segments,
            &score,
            &mut self.score_gradients,
        );
        for (s, [g]) in reading.segments.iter_mut().zip(&self.score_gradients) {
            s.score_gradient = *g;
        }
        for o in &reading.occurrences {
            let g = &reading.segments[o.segment].score_gradient;
            let w = model.weights(o.feature);
            let share = o.value * (w[0] * g[0] + w[1] * g[1] + w[2] * g[2]);
            let i = o.label.index();
            if i >= self.label_slot.len() {
                self.label_slot.resize(i + 1, u32::MAX);
            }
            match self.label_slot[i] {
                u32::MAX => {
                    self.label_slot[i] = reading.label_shares.len() as u32;
                    reading.label_shares.push((o.label, share));
                }
                slot => reading.label_shares[slot as usize].1 += share,
            }
        }
        for (label, _) in &reading.label_shares {
            self.label_slot[label.index()] = u32::MAX;
        }
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
    use crate::engine::EngineConfig;

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
        let text = "Alibaba profit rose sharply and margins improved. Analysts warned of weak \
                    demand, but Alibaba shares surged. Rivals fell.";
        let eval = scorer.evaluate(
            Document {
                text,
                headline_paragraphs: 0,
            },
            &engine.targets.resolve("Alibaba"),
        );
        assert!(eval.stance.segments.len() > 1 && eval.stance.occurrences.len() > 3);
        let shares: f64 = eval.stance.label_shares.iter().map(|(_, s)| s).sum();
        assert!((eval.base_score() + shares - eval.score()).abs() < 1e-9);
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
