//! The pipeline in one place: text, tokens, lexicon hits, evidence, features, scores.
//!
//! An [`Engine`] holds what is loaded once (lexicons, targets, models) and is shared between
//! threads; a [`Scorer`] holds one thread's caches and buffers.

use rustc_hash::FxHashMap;

use crate::analyze::{AnalyzedToken, Analyzer, Codebook, StemFilter};
use crate::data::DataFile;
use std::cell::RefCell;

use crate::features::{FeatureIndex, FeatureVector, Label, Labels, Part};
use crate::lexicon::{CompiledLexicon, Lexicon};
use crate::model::{
    CLASSES, Logits, Model, Pooling, VOICE_CLASSES, argmax, class_probabilities, decide,
};
use crate::phrase::{PhraseMatch, PhraseMatcher, encode};
use crate::rules::{Cue, Evidence, evidence};
use crate::sentence::{Sentence, split};
use crate::style::{StyleCount, count as count_style};
use crate::target::{Focus, Target, TargetBook, TargetMatcher, focus};
use crate::tokenize::TokenKind;

/// Which data files the engine loads: the built-in defaults unless a file or directory on disk
/// was given.
#[derive(Clone, Debug)]
pub struct EngineConfig {
    /// Lexicon files, in load order.
    pub lexicons: Vec<DataFile>,
    pub targets: DataFile,
    pub model: DataFile,
    pub voice_model: Option<DataFile>,
}

impl EngineConfig {
    /// Loads and validates the lexicons and the targets file.
    pub fn load_lexicon_and_targets(&self) -> anyhow::Result<(Lexicon, TargetBook)> {
        let lexicon = Lexicon::load_files(&self.lexicons)?;
        Ok((lexicon, TargetBook::load(&self.targets)?))
    }
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            lexicons: DataFile::lexicons(),
            targets: DataFile::targets(),
            model: DataFile::stance_model(),
            voice_model: Some(DataFile::voice_model()),
        }
    }
}

/// A model with its features resolved against the engine's codebook.
#[derive(Clone, Debug)]
pub struct Linear {
    pub model: Model,
    pub index: FeatureIndex,
    intercepts: Logits,
    /// The model's weights by feature, contiguous: the scoring loop reads one per part.
    weights: Vec<Logits>,
}

impl Linear {
    fn new(model: Model, codebook: &mut Codebook, file: &DataFile) -> anyhow::Result<Linear> {
        let names: Vec<String> = model.weights.iter().map(|w| w.feature.clone()).collect();
        let index =
            FeatureIndex::new(&names, codebook).map_err(|e| anyhow::anyhow!("{}: {e}", file))?;
        let intercepts = model
            .intercepts
            .as_slice()
            .try_into()
            .map_err(|_| anyhow::anyhow!("{}: intercepts: expected {CLASSES}", file))?;
        let weights = model
            .weights
            .iter()
            .map(|w| {
                w.weights.as_slice().try_into().map_err(|_| {
                    anyhow::anyhow!("{}: weights of {}: expected {CLASSES}", file, w.feature)
                })
            })
            .collect::<anyhow::Result<Vec<Logits>>>()?;
        Ok(Linear {
            model,
            index,
            intercepts,
            weights,
        })
    }

    fn weights(&self, feature: usize) -> &Logits {
        &self.weights[feature]
    }

    /// Scores a feature vector. Each part's logit contribution is its value times its feature's
    /// weights, so the intercepts plus all contributions are the logits.
    pub fn predict(&self, vector: &FeatureVector) -> Prediction {
        let mut parts = Vec::new();
        let logits = self.contributions(&vector.parts, &mut parts);
        Prediction {
            probabilities: class_probabilities(&logits),
            logits,
            parts,
        }
    }

    /// Merges `parts` by (label, feature) in first-seen order and appends them to `out` with
    /// their logit contributions; returns the logits.
    fn contributions(&self, parts: &[Part], out: &mut Vec<Contribution>) -> Logits {
        let first = out.len();
        // A sentence has a few parts: a scan beats hashing them.
        let scan = parts.len() <= 32;
        let mut index: FxHashMap<(Label, usize), usize> = FxHashMap::default();
        for p in parts {
            let found = if scan {
                out[first..]
                    .iter()
                    .position(|c| c.feature == p.feature && c.label == p.label)
            } else {
                index.get(&(p.label, p.feature)).copied()
            };
            match found {
                Some(i) => out[first + i].value += p.value,
                None => {
                    if !scan {
                        index.insert((p.label, p.feature), out.len() - first);
                    }
                    out.push(Contribution {
                        label: p.label,
                        feature: p.feature,
                        value: p.value,
                        logits: [0.0; CLASSES],
                        score: 0.0,
                    });
                }
            }
        }
        let mut logits = self.intercepts;
        for c in &mut out[first..] {
            let weights = self.weights(c.feature);
            c.logits = std::array::from_fn(|k| weights[k] * c.value);
            for (l, v) in logits.iter_mut().zip(&c.logits) {
                *l += v;
            }
        }
        logits
    }
}

/// A part of the feature vector with what it adds to each class logit and to the score.
#[derive(Clone, Debug, PartialEq)]
pub struct Contribution {
    pub label: Label,
    pub feature: usize,
    pub value: f64,
    pub logits: Logits,
    /// Share of (score - base score), by the path-integrated gradient (see [`attribute`]).
    pub score: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Prediction {
    pub logits: Logits,
    pub probabilities: Logits,
    pub parts: Vec<Contribution>,
}

impl Prediction {
    pub fn best(&self) -> usize {
        argmax(&self.probabilities)
    }
}

/// Stance classes are bearish, neutral, bullish; the score is P(bullish) - P(bearish).
pub const BEARISH: usize = 0;
pub const NEUTRAL: usize = 1;
pub const BULLISH: usize = 2;

fn stance_score(logits: &Logits) -> f64 {
    let p = class_probabilities(logits);
    p[BULLISH] - p[BEARISH]
}

/// The gradient of the score with respect to the logits, at class probabilities `p`.
fn score_gradient(p: &Logits) -> Logits {
    std::array::from_fn(|j| {
        let d = |i: usize| if i == j { 1.0 } else { 0.0 };
        p[BULLISH] * (d(BULLISH) - p[j]) - p[BEARISH] * (d(BEARISH) - p[j])
    })
}

fn normalized(weights: Logits) -> Logits {
    let sum: f64 = weights.iter().sum();
    weights.map(|w| w / sum)
}

/// Splits `score - base_score` exactly among the parts.
///
/// The logits move along a straight line from the intercepts to the full logits, so every
/// part's share is its logit contribution dotted with the gradient of the score averaged along
/// that line (integrated gradients, which for a model linear in its logits needs one shared
/// average). The average is taken by 16-point Gauss-Legendre quadrature and then corrected
/// along the path so that the shares add up exactly.
pub fn attribute(intercepts: &Logits, logits: &Logits, parts: &mut [Contribution]) -> f64 {
    const NODES: [(f64, f64); 8] = [
        (0.0950125098376374, 0.1894506104550685),
        (0.2816035507792589, 0.1826034150449236),
        (0.4580167776572274, 0.1691565193950025),
        (0.6178762444026438, 0.1495959888165767),
        (0.755_404_408_355_003, 0.1246289712555339),
        (0.8656312023878318, 0.0951585116824928),
        (0.9445750230732326, 0.0622535239386479),
        (0.9894009349916499, 0.0271524594117541),
    ];
    let path: Logits = std::array::from_fn(|c| logits[c] - intercepts[c]);
    let (start, end) = (class_probabilities(intercepts), class_probabilities(logits));
    let base = start[BULLISH] - start[BEARISH];
    let delta = end[BULLISH] - end[BEARISH] - base;
    // One part moves the logits along the whole path: its share is all of it.
    if let [only] = parts {
        only.score = delta;
        return base;
    }
    let top = path.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let spread = top - path.iter().copied().fold(f64::INFINITY, f64::min);
    let mut g = [0.0; CLASSES];
    for (x, w) in NODES {
        // The nodes come in pairs t, 1 - t with t < 1/2. Up to a factor shared by the classes,
        // the probabilities there are start x e^(t path) and end / e^(t path): one exponential
        // per class serves both, unless the path is so long that e^(t path) leaves f64's range.
        let t = 0.5 - x / 2.0;
        let pair = if spread < 600.0 {
            let e: Logits = std::array::from_fn(|c| (t * (path[c] - top)).exp());
            [
                normalized(std::array::from_fn(|c| start[c] * e[c])),
                normalized(std::array::from_fn(|c| end[c] / e[c])),
            ]
        } else {
            [t, 1.0 - t]
                .map(|t| class_probabilities(&std::array::from_fn(|c| intercepts[c] + t * path[c])))
        };
        for p in &pair {
            for (gc, dc) in g.iter_mut().zip(score_gradient(p)) {
                *gc += w / 2.0 * dc;
            }
        }
    }
    let norm: f64 = path.iter().map(|d| d * d).sum();
    if norm > 0.0 {
        let residual = delta - path.iter().zip(&g).map(|(d, gc)| d * gc).sum::<f64>();
        for (gc, d) in g.iter_mut().zip(&path) {
            *gc += residual * d / norm;
        }
    }
    for p in parts {
        p.score = p.logits.iter().zip(&g).map(|(l, gc)| l * gc).sum();
    }
    base
}

/// An article's text as the scorer reads it.
#[derive(Clone, Copy, Debug)]
pub struct Document<'a> {
    pub text: &'a str,
    /// 1 when the first line is the headline.
    pub headline_paragraphs: usize,
}

/// How one sentence counted in an opinion-pooled article.
#[derive(Clone, Debug, PartialEq)]
pub struct SentenceScore {
    pub sentence: usize,
    /// Target weight (mention, same paragraph, elsewhere; times the headline factor).
    pub weight: f64,
    /// Share of the article: weight x (1 - P(neutral)), normalized to sum to 1.
    pub share: f64,
    pub probabilities: Logits,
    pub score: f64,
}

impl<'a> From<&'a crate::input::Article> for Document<'a> {
    fn from(article: &'a crate::input::Article) -> Self {
        Document {
            text: &article.text,
            headline_paragraphs: article.headline_paragraphs,
        }
    }
}

/// Everything the pipeline found in one article.
#[derive(Clone, Debug)]
pub struct Evaluation {
    pub target: String,
    pub focus: Focus,
    /// Word, number and CJK tokens.
    pub tokens: usize,
    pub stance: Prediction,
    /// The neutral band of the model's decision rule; `None` when the most probable class
    /// decides.
    pub band: Option<f64>,
    /// Score with no features: what the intercepts alone say.
    pub base_score: f64,
    /// Per-sentence scores, for opinion pooling.
    pub sentence_scores: Vec<SentenceScore>,
    pub voice: Option<Prediction>,
}

impl Evaluation {
    pub fn on_target(&self) -> bool {
        self.focus.relevance > 0
    }

    /// The target is named, but no lexicon cue and no model term was found (a script or
    /// language the lexicons do not cover): the probabilities are the intercepts' alone.
    pub fn read_nothing(&self) -> bool {
        self.on_target() && self.stance.parts.is_empty()
    }

    /// Whether anything was judged: the target is named and something in the text was read.
    fn judged(&self) -> bool {
        self.on_target() && !self.read_nothing()
    }

    pub fn score(&self) -> f64 {
        self.stance.probabilities[BULLISH] - self.stance.probabilities[BEARISH]
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

    /// The `n` strongest parts each way, merged by label; `labels` are the scorer's that made
    /// this evaluation.
    pub fn drivers(&self, n: usize, labels: &Labels) -> Drivers {
        let mut by_label: Vec<(Label, f64)> = Vec::with_capacity(self.stance.parts.len());
        let mut seen: FxHashMap<Label, usize> =
            FxHashMap::with_capacity_and_hasher(self.stance.parts.len(), Default::default());
        for p in &self.stance.parts {
            match seen.get(&p.label) {
                Some(&i) => by_label[i].1 += p.score,
                None => {
                    seen.insert(p.label, by_label.len());
                    by_label.push((p.label, p.score));
                }
            }
        }
        let strongest = |mut side: Vec<(Label, f64)>, sign: f64| {
            // Names are read only to break ties.
            let order = |a: &(Label, f64), b: &(Label, f64)| {
                (sign * b.1)
                    .total_cmp(&(sign * a.1))
                    .then_with(|| labels.name(a.0).cmp(labels.name(b.0)))
            };
            // Labels are distinct, so the order is total: select the first n, then sort them.
            if n > 0 && side.len() > n {
                side.select_nth_unstable_by(n - 1, order);
            }
            side.truncate(n);
            side.sort_by(order);
            side.into_iter()
                .map(|(label, score)| (labels.name(label).to_string(), score))
                .collect()
        };
        let bullish = by_label.iter().filter(|(_, s)| *s > 0.0).copied().collect();
        let bearish = by_label.into_iter().filter(|(_, s)| *s < 0.0).collect();
        Drivers {
            bullish: strongest(bullish, 1.0),
            bearish: strongest(bearish, -1.0),
        }
    }
}

/// The terms that moved a score most, as (label, share of the score), strongest first.
#[derive(Clone, Debug, PartialEq)]
pub struct Drivers {
    pub bullish: Vec<(String, f64)>,
    pub bearish: Vec<(String, f64)>,
}

/// What a scorer saw in detail, for explanations.
#[derive(Clone, Debug)]
pub struct Trace {
    pub tokens: Vec<AnalyzedToken>,
    pub sentences: Vec<Sentence>,
    pub evidence: Vec<Evidence>,
}

/// Loaded lexicons, targets and models, shared by all threads.
pub struct Engine {
    pub lexicon: CompiledLexicon,
    pub targets: TargetBook,
    pub stance: Linear,
    pub voice: Option<Linear>,
    /// Every company of the targets file, to find sentences about other companies.
    companies: PhraseMatcher,
    company_names: Vec<String>,
    codebook: Codebook,
}

/// What scores depend on besides the article, each as a hash: when one changes, earlier scores
/// are stale. `code` hashes the scoring source this binary was built from; learned lexicon
/// entries show in `model`, which they re-weight.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EngineFingerprint {
    pub code: String,
    pub model: String,
    pub voice: Option<String>,
    pub lexicons: String,
    pub targets: String,
}

impl EngineFingerprint {
    /// The parts that differ from `earlier`, by name.
    pub fn changes_from(&self, earlier: &EngineFingerprint) -> Vec<&'static str> {
        let mut changed = Vec::new();
        if self.code != earlier.code {
            changed.push("stance build");
        }
        if self.model != earlier.model {
            changed.push("model");
        }
        if self.voice != earlier.voice {
            changed.push("voice model");
        }
        if self.lexicons != earlier.lexicons {
            changed.push("lexicons");
        }
        if self.targets != earlier.targets {
            changed.push("targets");
        }
        changed
    }
}

impl Engine {
    pub fn load(config: &EngineConfig) -> anyhow::Result<Engine> {
        let (lexicon, targets) = config.load_lexicon_and_targets()?;
        let model = Model::load(&config.model)?;
        let voice = config.voice_model.as_ref().map(Model::load).transpose()?;
        Engine::new(lexicon, targets, model, voice, config)
    }

    pub fn new(
        mut lexicon: Lexicon,
        targets: TargetBook,
        mut model: Model,
        voice: Option<Model>,
        config: &EngineConfig,
    ) -> anyhow::Result<Engine> {
        anyhow::ensure!(
            model.task == "stance",
            "{}: task: expected a stance model",
            config.model
        );
        for entry in lexicon.take_learned() {
            anyhow::ensure!(
                model.reweight_term(&entry.stems, entry.weight),
                "{}: learned term {:?} is not a term of the stance model {}",
                entry.origin,
                entry.term,
                model.name
            );
        }
        let mut codebook = Codebook::new();
        let lexicon =
            CompiledLexicon::compile(lexicon, &mut codebook).map_err(anyhow::Error::msg)?;
        let stance = Linear::new(model, &mut codebook, &config.model)?;
        let voice = match voice {
            Some(m) => {
                let file = config
                    .voice_model
                    .clone()
                    .unwrap_or_else(DataFile::voice_model);
                anyhow::ensure!(m.task == "voice", "{}: task: expected a voice model", file);
                Some(Linear::new(m, &mut codebook, &file)?)
            }
            None => None,
        };
        let stem = StemFilter::default();
        let (companies, company_names) = targets.compile_all(&mut codebook, &stem);
        Ok(Engine {
            lexicon,
            targets,
            stance,
            voice,
            companies,
            company_names,
            codebook,
        })
    }

    /// Computed when asked (incremental runs), not at every load.
    pub fn fingerprint(&self) -> EngineFingerprint {
        EngineFingerprint {
            code: env!("STANCE_CODE_HASH").to_string(),
            model: self.stance.model.fingerprint(),
            voice: self.voice.as_ref().map(|v| v.model.fingerprint()),
            lexicons: self.lexicon.lexicon.fingerprint(),
            targets: self.targets.fingerprint(),
        }
    }

    pub fn scorer(&self) -> Scorer<'_> {
        Scorer {
            engine: self,
            stem: StemFilter::default(),
            codebook: self.codebook.clone(),
            analyzer: Analyzer::default(),
            matchers: FxHashMap::default(),
            tokens: Vec::new(),
            sentences: Vec::new(),
            encoded: Vec::new(),
            hits: Vec::new(),
            mentions: Vec::new(),
            others: Vec::new(),
            evidence: Vec::new(),
            scales: Vec::new(),
            styles: Vec::new(),
            labels: RefCell::default(),
        }
    }
}

/// The most merged parts an article's pooling makes room for before it has them.
const MERGE_ROOM: usize = 2048;

/// Caps the number of compiled per-article targets kept by one scorer.
const MATCHER_CACHE_LIMIT: usize = 4096;

/// Caps the stems per-article targets add to one scorer's codebook.
const CODEBOOK_ROOM: usize = 1 << 16;

/// One thread's scorer: word cache, target matchers and buffers.
pub struct Scorer<'e> {
    engine: &'e Engine,
    stem: StemFilter,
    codebook: Codebook,
    analyzer: Analyzer,
    matchers: FxHashMap<String, TargetMatcher>,
    tokens: Vec<AnalyzedToken>,
    sentences: Vec<Sentence>,
    encoded: Vec<u8>,
    hits: Vec<PhraseMatch>,
    mentions: Vec<PhraseMatch>,
    others: Vec<PhraseMatch>,
    evidence: Vec<Evidence>,
    scales: Vec<f64>,
    styles: Vec<StyleCount<'e>>,
    labels: RefCell<Labels>,
}

impl Scorer<'_> {
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

    /// Runs every stage up to evidence and style counts; returns how the article weighs sentences.
    pub fn analyze(&mut self, doc: Document, target: &Target) -> Focus {
        let key = self.prepare_target(target);
        self.labels.get_mut().bound();
        self.analyzer
            .analyze(doc.text, &self.codebook, &mut self.tokens);
        split(&self.tokens, &mut self.sentences);
        encode(&self.tokens, &mut self.encoded);
        self.engine
            .lexicon
            .matcher
            .find(&self.encoded, &mut self.hits);
        let matcher = &self.matchers[&key];
        matcher.find(&self.encoded, &mut self.mentions);
        // Other companies lower sentence weights, which `--target any` does not have.
        if matcher.is_any() {
            self.others.clear();
        } else {
            self.engine.companies.find(&self.encoded, &mut self.others);
            let owners = &self.engine.company_names;
            self.others.retain(|m| owners[m.pattern] != target.name());
        }
        let focus = focus(
            &self.sentences,
            &self.mentions,
            &self.others,
            matcher.is_any(),
            doc.headline_paragraphs,
            &self.engine.targets.weighting,
        );
        evidence(
            &self.engine.lexicon,
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
            &self.engine.lexicon,
            &self.hits,
            &mut self.styles,
        );
        focus
    }

    pub fn evaluate(&mut self, doc: Document, target: &Target) -> Evaluation {
        let focus = self.analyze(doc, target);
        let engine = self.engine;
        let intercepts = &engine.stance.intercepts;
        let (stance, base_score, sentence_scores) = if focus.relevance == 0 {
            let mut probabilities = [0.0; CLASSES];
            probabilities[NEUTRAL] = 1.0;
            let none = Prediction {
                logits: *intercepts,
                probabilities,
                parts: Vec::new(),
            };
            (none, stance_score(intercepts), Vec::new())
        } else if engine.stance.model.pooling == Pooling::Opinion {
            self.opinion_prediction(&engine.stance, doc.text, &focus.sentence_weights)
        } else {
            let mut p = engine.stance.predict(&self.vector(
                &engine.stance,
                doc.text,
                &focus.sentence_weights,
            ));
            let base = attribute(intercepts, &p.logits, &mut p.parts);
            (p, base, Vec::new())
        };
        let voice = engine
            .voice
            .as_ref()
            .map(|linear| linear.predict(&self.voice_vector(linear, doc.text)));
        let pooled = sentence_scores.len() > 1;
        let mut evaluation = Evaluation {
            target: target.name().to_string(),
            band: None,
            focus,
            tokens: self
                .tokens
                .iter()
                .filter(|t| {
                    matches!(
                        t.token.kind,
                        TokenKind::Word | TokenKind::Number | TokenKind::Cjk
                    )
                })
                .count(),
            stance,
            base_score,
            sentence_scores,
            voice,
        };
        evaluation.band = engine
            .stance
            .model
            .band_for(pooled, evaluation.voice_class());
        evaluation
    }

    /// Scores each weighted sentence alone, then averages the sentences' predictions with
    /// weights target x (1 - P(neutral)). Every average is linear, so the article's logits are
    /// still the intercepts plus the parts' contributions, and its score the base score plus the
    /// parts' score shares, exactly.
    fn opinion_prediction(
        &self,
        linear: &Linear,
        text: &str,
        weights: &[f64],
    ) -> (Prediction, f64, Vec<SentenceScore>) {
        let intercepts = &linear.intercepts;
        let mut parts = self.vector(linear, text, &vec![1.0; weights.len()]).parts;
        // The parts come in sentence order (see `vector`); style counts belong to no sentence.
        parts.retain(|p| p.sentence.is_some_and(|s| weights[s] > 0.0));
        // Every weighted sentence's merged parts, one after another in `contributions`.
        struct Scored {
            sentence: usize,
            weight: f64,
            opinion: f64,
            logits: Logits,
            probabilities: Logits,
            parts: std::ops::Range<usize>,
        }
        let mut contributions: Vec<Contribution> = Vec::with_capacity(parts.len());
        let mut scored: Vec<Scored> = Vec::with_capacity(weights.len());
        let mut base = stance_score(intercepts);
        let mut rest = parts.as_slice();
        for (s, &w) in weights.iter().enumerate() {
            let n = rest.iter().take_while(|p| p.sentence == Some(s)).count();
            let (own, later) = rest.split_at(n);
            rest = later;
            if w <= 0.0 {
                continue;
            }
            let first = contributions.len();
            let logits = linear.contributions(own, &mut contributions);
            // A sentence without parts has nothing to attribute; its base is the same.
            if first < contributions.len() {
                base = attribute(intercepts, &logits, &mut contributions[first..]);
            }
            let probabilities = class_probabilities(&logits);
            scored.push(Scored {
                sentence: s,
                weight: w,
                opinion: w * (1.0 - probabilities[NEUTRAL]),
                logits,
                probabilities,
                parts: first..contributions.len(),
            });
        }
        // When every weighted sentence reads as certainly neutral (a long run-on sentence of
        // neutral terms saturates P(neutral) to 1), no sentence takes a side: they then share by
        // target weight alone, and the article is neutral with them.
        let mut total: f64 = scored.iter().map(|s| s.opinion).sum();
        if !(total > 0.0 && total.is_finite()) {
            for sentence in &mut scored {
                sentence.opinion = sentence.weight;
            }
            total = scored.iter().map(|s| s.opinion).sum();
        }
        // The sentences' parts merge into far fewer (a long article repeats its words): room for
        // all of them suits a short article, and a long one grows its own.
        let room = contributions.len().min(MERGE_ROOM);
        let mut article = Prediction {
            logits: [0.0; CLASSES],
            probabilities: [0.0; CLASSES],
            parts: Vec::with_capacity(room),
        };
        let mut index: FxHashMap<(Label, usize), usize> =
            FxHashMap::with_capacity_and_hasher(room, Default::default());
        let mut sentence_scores = Vec::with_capacity(scored.len());
        for sentence in &scored {
            let a = sentence.opinion / total;
            let p = &sentence.probabilities;
            sentence_scores.push(SentenceScore {
                sentence: sentence.sentence,
                weight: sentence.weight,
                share: a,
                probabilities: *p,
                score: p[BULLISH] - p[BEARISH],
            });
            for (c, pc) in p.iter().enumerate() {
                article.logits[c] += a * sentence.logits[c];
                article.probabilities[c] += a * pc;
            }
            for part in &contributions[sentence.parts.clone()] {
                let i = *index.entry((part.label, part.feature)).or_insert_with(|| {
                    article.parts.push(Contribution {
                        logits: [0.0; CLASSES],
                        value: 0.0,
                        score: 0.0,
                        ..part.clone()
                    });
                    article.parts.len() - 1
                });
                let merged = &mut article.parts[i];
                merged.value += a * part.value;
                merged.score += a * part.score;
                for c in 0..CLASSES {
                    merged.logits[c] += a * part.logits[c];
                }
            }
        }
        if scored.is_empty() {
            article.logits = *intercepts;
            article.probabilities = class_probabilities(intercepts);
        }
        (article, base, sentence_scores)
    }

    /// Voice features count every sentence alike, whatever it is about.
    pub fn voice_vector(&self, linear: &Linear, text: &str) -> FeatureVector {
        self.vector(linear, text, &vec![1.0; self.sentences.len()])
    }

    /// The names of the last evaluation's labels.
    pub fn labels(&self) -> std::cell::Ref<'_, Labels> {
        self.labels.borrow()
    }

    /// The details of the last evaluation, for explanations.
    pub fn trace(&self) -> Trace {
        Trace {
            tokens: self.tokens.clone(),
            sentences: self.sentences.clone(),
            evidence: self.evidence.clone(),
        }
    }

    /// Pools the last analyzed article's sentence features with `weights` (one per sentence)
    /// into its labelled feature vector for `linear`'s features.
    pub fn vector(&self, linear: &Linear, text: &str, weights: &[f64]) -> FeatureVector {
        let index = &linear.index;
        let total: f64 = weights.iter().sum();
        if total <= 0.0 {
            return FeatureVector::default();
        }
        // Room for a part per cue and style count, and per learned term (at most two a token).
        let terms = if index.has_terms() {
            2 * self.tokens.len()
        } else {
            0
        };
        let mut vector = FeatureVector {
            parts: Vec::with_capacity(self.evidence.len() + self.styles.len() + terms),
        };
        let divisor = linear.model.pooling.divisor(total);
        let lexicon = &self.engine.lexicon;
        let mut names = self.labels.borrow_mut();
        let generation = self.analyzer.generation();
        let mut buf = String::new();
        let label_of = |e: &Evidence, names: &mut Labels, buf: &mut String| -> Label {
            let write = |out: &mut String| evidence_label(lexicon, &self.tokens, text, e, out);
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
        let labels: Vec<Label> = if index.has_terms() {
            self.evidence
                .iter()
                .map(|e| label_of(e, &mut names, &mut buf))
                .collect()
        } else {
            Vec::new()
        };
        // Evidence is in sentence order, so one cursor finds each sentence's cues. A sentence's
        // parts are its cues, then its learned terms: the parts come in sentence order.
        let mut first = 0;
        let mut cues: Vec<(usize, usize, Label)> = Vec::new();
        for (si, s) in self.sentences.iter().enumerate() {
            while first < self.evidence.len() && self.evidence[first].sentence < si {
                first += 1;
            }
            let end = first
                + self.evidence[first..]
                    .iter()
                    .take_while(|e| e.sentence == si)
                    .count();
            let own = first..end;
            let w = weights[si];
            if w == 0.0 {
                continue;
            }
            for i in own.clone() {
                let e = &self.evidence[i];
                if let Some(feature) = index.cue(e.cue) {
                    let span = (
                        self.tokens[e.start].token.start,
                        self.tokens[e.end - 1].token.end,
                    );
                    let label = match labels.get(i) {
                        Some(&label) => label,
                        None => label_of(e, &mut names, &mut buf),
                    };
                    vector.add(label, feature, Some(si), span, e.value * w / divisor);
                }
            }
            if index.has_terms() {
                cues.clear();
                cues.extend(
                    self.evidence[own.clone()]
                        .iter()
                        .zip(&labels[own])
                        .map(|(e, &l)| (e.start, e.end, l)),
                );
                cues.sort_by_key(|c| c.0);
                // Terms come in token order: a cursor keeps the furthest-reaching cue begun so far.
                let (mut next, mut reach): (usize, Option<(usize, usize, Label)>) = (0, None);
                let tokens = &self.tokens[s.start..s.end];
                let scales = &self.scales[s.start..s.end];
                index.for_each_term(tokens, |feature, at, len| {
                    let (a, b) = (tokens[at].token.start, tokens[at + len - 1].token.end);
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
                    let label = match overlapping {
                        Some((_, _, label)) => label,
                        // One word: its label is kept by the analyzer's number for it.
                        None if len == 1 => names.word(generation, tokens[at].word, |name| {
                            crate::tokenize::normalize_into(&text[a..b], name)
                        }),
                        // Two words with one space between: kept by the pair of word numbers.
                        None if len == 2
                            && &text[tokens[at].token.end..tokens[at + 1].token.start] == " " =>
                        {
                            let pair = (tokens[at].word, tokens[at + 1].word);
                            names.pair(generation, pair, |name| {
                                crate::tokenize::normalize_into(&text[a..b], name)
                            })
                        }
                        None => {
                            crate::tokenize::normalize_into(&text[a..b], &mut buf);
                            names.get(&buf)
                        }
                    };
                    vector.add(label, feature, Some(si), (a, b), w * scales[at] / divisor);
                });
            }
        }
        let sentences = self.sentences.len().max(1) as f64;
        for (style, feature) in index.styles() {
            let counts = self.styles.iter().filter(|c| c.feature == *style);
            // Voice cues mark a piece whatever its length: ln(1 + total), shared among the cues
            // in proportion so the parts still add up. Punctuation and symbols are per sentence.
            let scale = if style.is_voice_cue() {
                let total: f64 = counts.clone().map(|c| c.amount).sum();
                if total > 0.0 {
                    total.ln_1p() / total
                } else {
                    0.0
                }
            } else {
                1.0 / sentences
            };
            for c in counts {
                vector.add(names.get(c.label), *feature, None, (0, 0), c.amount * scale);
            }
        }
        vector
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
    fn targets_that_articles_bring_do_not_grow_a_scorer_without_bound() {
        let engine = Engine::load(&EngineConfig::default()).unwrap();
        let mut scorer = engine.scorer();
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
    fn attribution_adds_up_to_the_score_exactly() {
        let intercepts = [0.2, 0.9, -0.1];
        // Three parts sharing the path, and one part alone.
        for shares in [&[0.5, 0.3, 0.2][..], &[1.0]] {
            for logits in [
                [0.3, 1.2, -0.4],
                [-2.0, 0.5, 3.0],
                [5.0, -1.0, 0.0],
                [0.1, 0.1, 0.1],
            ] {
                let mut labels = Labels::default();
                let mut parts: Vec<Contribution> = shares
                    .iter()
                    .enumerate()
                    .map(|(i, share)| Contribution {
                        label: labels.get(&format!("p{i}")),
                        feature: i,
                        value: 1.0,
                        logits: std::array::from_fn(|c| (logits[c] - intercepts[c]) * share),
                        score: 0.0,
                    })
                    .collect();
                let base = attribute(&intercepts, &logits, &mut parts);
                let total: f64 = base + parts.iter().map(|p| p.score).sum::<f64>();
                let score = stance_score(&logits);
                assert!((total - score).abs() < 1e-12, "{total} vs {score}");
            }
        }
    }

    #[test]
    fn parts_with_the_same_label_and_feature_merge_into_one_contribution() {
        let names = ["term:fall", "term:rise"];
        let model = Model {
            format: crate::model::FORMAT.into(),
            name: "test".into(),
            task: "stance".into(),
            classes: crate::model::STANCE_CLASSES
                .iter()
                .map(|c| c.to_string())
                .collect(),
            pooling: Pooling::Sum,
            neutral_band: None,
            neutral_band_by_voice: Default::default(),
            intercepts: vec![0.0; CLASSES],
            weights: names
                .iter()
                .zip([[1.0, 0.0, -1.0], [-1.0, 0.0, 1.0]])
                .map(|(f, w)| crate::model::FeatureWeights {
                    feature: f.to_string(),
                    weights: w.to_vec(),
                })
                .collect(),
            training: serde_json::Value::Null,
        };
        let linear =
            Linear::new(model, &mut Codebook::new(), &DataFile::Disk("test".into())).unwrap();
        let mut labels = Labels::default();
        let (fall, rise) = (labels.get("fall"), labels.get("rise"));
        let mut vector = FeatureVector::default();
        vector.add(fall, 0, Some(0), (0, 4), 1.0);
        vector.add(fall, 0, Some(1), (9, 13), 0.5);
        vector.add(fall, 1, Some(1), (9, 13), 2.0);
        vector.add(rise, 0, Some(2), (20, 24), 1.0);
        let merged = |p: &Prediction| -> Vec<(Label, usize, f64)> {
            p.parts
                .iter()
                .map(|c| (c.label, c.feature, c.value))
                .collect()
        };
        let few = linear.predict(&vector);
        assert_eq!(
            merged(&few),
            [(fall, 0, 1.5), (fall, 1, 2.0), (rise, 0, 1.0)]
        );
        assert_eq!(few.logits, [1.5 - 2.0 + 1.0, 0.0, -1.5 + 2.0 - 1.0]);
        // Past 32 parts they are merged by hashing, with the same result.
        let many = FeatureVector {
            parts: (0..40).map(|i| vector.parts[i % 4].clone()).collect(),
        };
        assert_eq!(
            merged(&linear.predict(&many)),
            [(fall, 0, 15.0), (fall, 1, 20.0), (rise, 0, 10.0)]
        );
    }

    #[test]
    fn shares_are_the_same_on_paths_too_long_for_paired_nodes() {
        // A spread of 599 takes the paired exponentials, 601 the direct ones; scaled paths
        // just either side must give nearly the same shares.
        let intercepts = [0.2, 0.9, -0.1];
        let shares = |spread: f64| {
            let logits = [
                intercepts[0] - spread / 2.0,
                0.9,
                intercepts[2] + spread / 2.0,
            ];
            let mut labels = Labels::default();
            let mut parts: Vec<Contribution> = [0.25, 0.75]
                .iter()
                .enumerate()
                .map(|(i, share)| Contribution {
                    label: labels.get(&format!("p{i}")),
                    feature: i,
                    value: 1.0,
                    logits: std::array::from_fn(|c| (logits[c] - intercepts[c]) * share),
                    score: 0.0,
                })
                .collect();
            attribute(&intercepts, &logits, &mut parts);
            parts.iter().map(|p| p.score).collect::<Vec<f64>>()
        };
        let (paired, direct) = (shares(599.0), shares(601.0));
        for (a, b) in paired.iter().zip(&direct) {
            assert!((a - b).abs() < 1e-6, "{paired:?} vs {direct:?}");
        }
        assert!(
            paired.iter().all(|s| s.is_finite() && *s > 0.0),
            "{paired:?}"
        );
    }

    #[test]
    fn score_gradient_matches_finite_differences() {
        let logits = [-1.5, 0.4, 2.5];
        let g = score_gradient(&class_probabilities(&logits));
        for j in 0..3 {
            let mut up = logits;
            let mut down = logits;
            up[j] += 1e-6;
            down[j] -= 1e-6;
            let numeric = (stance_score(&up) - stance_score(&down)) / 2e-6;
            assert!((g[j] - numeric).abs() < 1e-8, "{j}: {} vs {numeric}", g[j]);
        }
    }
}
