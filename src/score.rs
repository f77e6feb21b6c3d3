//! The pipeline in one place: text, tokens, lexicon hits, evidence, features, scores.
//!
//! An [`Engine`] holds what is loaded once (lexicons, targets, models) and is shared between
//! threads; a [`Scorer`] holds one thread's caches and buffers.

use std::path::{Path, PathBuf};

use rustc_hash::FxHashMap;

use crate::analyze::{AnalyzedToken, Analyzer, Codebook, StemFilter};
use crate::features::{FeatureIndex, FeatureVector};
use crate::lexicon::{CompiledLexicon, Lexicon};
use crate::model::{Model, argmax, softmax};
use crate::phrase::{PhraseMatch, encode};
use crate::rules::{Cue, Evidence, evidence};
use crate::sentence::{Sentence, split};
use crate::style::{StyleCount, count as count_style};
use crate::target::{Focus, Target, TargetBook, TargetMatcher, focus};
use crate::tokenize::TokenKind;

/// Where the engine's data files are.
#[derive(Clone, Debug)]
pub struct EngineConfig {
    pub lexicon_dir: PathBuf,
    /// Extra lexicon files loaded after those of `lexicon_dir`.
    pub extra_lexicons: Vec<PathBuf>,
    pub targets: PathBuf,
    pub model: PathBuf,
    pub voice_model: Option<PathBuf>,
}

/// The repository's data directory, found from the build location.
pub fn repo_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            lexicon_dir: repo_path("lexicons"),
            extra_lexicons: Vec::new(),
            targets: repo_path("lexicons/targets.toml"),
            model: repo_path("data/models/stance.json"),
            voice_model: None,
        }
    }
}

/// A model with its features resolved against the engine's codebook.
#[derive(Clone, Debug)]
pub struct Linear {
    pub model: Model,
    pub index: FeatureIndex,
}

impl Linear {
    fn new(model: Model, codebook: &mut Codebook, file: &Path) -> anyhow::Result<Linear> {
        let names: Vec<String> = model.weights.iter().map(|w| w.feature.clone()).collect();
        let index = FeatureIndex::new(&names, codebook).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
        Ok(Linear { model, index })
    }

    fn weights(&self, feature: usize) -> &[f64] {
        &self.model.weights[feature].weights
    }

    /// Scores a feature vector. Each part's logit contribution is its value times its feature's
    /// weights, so the intercepts plus all contributions are the logits.
    pub fn predict(&self, vector: &FeatureVector) -> Prediction {
        let k = self.model.class_count();
        let parts: Vec<Contribution> = vector
            .merged()
            .into_iter()
            .map(|p| {
                let logits: Vec<f64> = self.weights(p.feature).iter().map(|w| w * p.value).collect();
                Contribution { label: p.label, feature: p.feature, value: p.value, logits, score: 0.0 }
            })
            .collect();
        let mut logits = self.model.intercepts.clone();
        for p in &parts {
            for c in 0..k {
                logits[c] += p.logits[c];
            }
        }
        let probabilities = softmax(&logits);
        Prediction { logits, probabilities, parts }
    }
}

/// A part of the feature vector with what it adds to each class logit and to the score.
#[derive(Clone, Debug, PartialEq)]
pub struct Contribution {
    pub label: String,
    pub feature: usize,
    pub value: f64,
    pub logits: Vec<f64>,
    /// Share of (score - base score), by the path-integrated gradient (see [`attribute`]).
    pub score: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Prediction {
    pub logits: Vec<f64>,
    pub probabilities: Vec<f64>,
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

fn stance_score(logits: &[f64]) -> f64 {
    let p = softmax(logits);
    p[BULLISH] - p[BEARISH]
}

fn score_gradient(logits: &[f64]) -> Vec<f64> {
    let p = softmax(logits);
    (0..p.len())
        .map(|j| {
            let d = |i: usize| if i == j { 1.0 } else { 0.0 };
            p[BULLISH] * (d(BULLISH) - p[j]) - p[BEARISH] * (d(BEARISH) - p[j])
        })
        .collect()
}

/// Splits `score - base_score` exactly among the parts.
///
/// The logits move along a straight line from the intercepts to the full logits, so every
/// part's share is its logit contribution dotted with the gradient of the score averaged along
/// that line (integrated gradients, which for a model linear in its logits needs one shared
/// average). The average is taken by 16-point Gauss-Legendre quadrature and then corrected
/// along the path so that the shares add up exactly.
pub fn attribute(intercepts: &[f64], prediction: &mut Prediction) -> f64 {
    const NODES: [(f64, f64); 8] = [
        (0.0950125098376374, 0.1894506104550685),
        (0.2816035507792589, 0.1826034150449236),
        (0.4580167776572274, 0.1691565193950025),
        (0.6178762444026438, 0.1495959888165767),
        (0.7554044083550030, 0.1246289712555339),
        (0.8656312023878318, 0.0951585116824928),
        (0.9445750230732326, 0.0622535239386479),
        (0.9894009349916499, 0.0271524594117541),
    ];
    let k = intercepts.len();
    let path: Vec<f64> = (0..k).map(|c| prediction.logits[c] - intercepts[c]).collect();
    let base = stance_score(intercepts);
    let delta = stance_score(&prediction.logits) - base;
    let mut g = vec![0.0; k];
    for (x, w) in NODES {
        for t in [0.5 - x / 2.0, 0.5 + x / 2.0] {
            let point: Vec<f64> = (0..k).map(|c| intercepts[c] + t * path[c]).collect();
            for (gc, dc) in g.iter_mut().zip(score_gradient(&point)) {
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
    for p in &mut prediction.parts {
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

/// Everything the pipeline found in one article.
#[derive(Clone, Debug)]
pub struct Evaluation {
    pub target: String,
    pub focus: Focus,
    /// Word, number and CJK tokens.
    pub tokens: usize,
    pub sentences: usize,
    pub stance: Prediction,
    /// Score with no features: what the intercepts alone say.
    pub base_score: f64,
    pub voice: Option<Prediction>,
}

impl Evaluation {
    pub fn on_target(&self) -> bool {
        self.focus.relevance > 0
    }

    pub fn score(&self) -> f64 {
        self.stance.probabilities[BULLISH] - self.stance.probabilities[BEARISH]
    }

    pub fn confidence(&self) -> f64 {
        if self.on_target() { self.stance.probabilities[self.stance.best()] } else { 0.0 }
    }

    /// The `n` strongest parts each way, merged by label, as (label, score contribution).
    pub fn drivers(&self, n: usize) -> (Vec<(String, f64)>, Vec<(String, f64)>) {
        let mut by_label: Vec<(String, f64)> = Vec::new();
        let mut seen: FxHashMap<&str, usize> = FxHashMap::default();
        for p in &self.stance.parts {
            match seen.get(p.label.as_str()) {
                Some(&i) => by_label[i].1 += p.score,
                None => {
                    seen.insert(&p.label, by_label.len());
                    by_label.push((p.label.clone(), p.score));
                }
            }
        }
        let mut bullish: Vec<(String, f64)> = by_label.iter().filter(|(_, s)| *s > 0.0).cloned().collect();
        let mut bearish: Vec<(String, f64)> = by_label.into_iter().filter(|(_, s)| *s < 0.0).collect();
        bullish.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        bearish.sort_by(|a, b| a.1.total_cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
        bullish.truncate(n);
        bearish.truncate(n);
        (bullish, bearish)
    }
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
    codebook: Codebook,
    fingerprint: String,
}

impl Engine {
    pub fn load(config: &EngineConfig) -> anyhow::Result<Engine> {
        let mut lexicon = Lexicon::load_dir(&config.lexicon_dir)?;
        if !config.extra_lexicons.is_empty() {
            let mut files = lexicon.files.clone();
            files.extend(config.extra_lexicons.iter().cloned());
            lexicon = Lexicon::load_files(&files)?;
        }
        let targets = TargetBook::load(&config.targets)?;
        let model = Model::load(&config.model)?;
        let voice = config.voice_model.as_deref().map(Model::load).transpose()?;
        Engine::new(lexicon, targets, model, voice, config)
    }

    pub fn new(
        lexicon: Lexicon,
        targets: TargetBook,
        model: Model,
        voice: Option<Model>,
        config: &EngineConfig,
    ) -> anyhow::Result<Engine> {
        anyhow::ensure!(model.task == "stance", "{}: task: expected a stance model", config.model.display());
        let mut codebook = Codebook::new();
        let mut hasher = blake3::Hasher::new();
        hasher.update(lexicon.fingerprint().as_bytes());
        hasher.update(format!("{:?}", targets.weighting).as_bytes());
        for path in std::iter::once(&config.targets).chain(std::iter::once(&config.model)).chain(config.voice_model.iter()) {
            hasher.update(&std::fs::read(path).unwrap_or_default());
        }
        let lexicon = CompiledLexicon::compile(lexicon, &mut codebook);
        let stance = Linear::new(model, &mut codebook, &config.model)?;
        let voice = match voice {
            Some(m) => {
                let file = config.voice_model.as_deref().unwrap_or(Path::new("voice model"));
                anyhow::ensure!(m.task == "voice", "{}: task: expected a voice model", file.display());
                Some(Linear::new(m, &mut codebook, file)?)
            }
            None => None,
        };
        let stem = StemFilter::default();
        let names: Vec<String> = targets.names().map(String::from).collect();
        for name in names {
            for s in TargetMatcher::stems_needed(&targets.resolve(&name), &stem) {
                codebook.intern(&s);
            }
        }
        Ok(Engine { lexicon, targets, stance, voice, codebook, fingerprint: hasher.finalize().to_hex().to_string() })
    }

    /// A hash of everything that decides a score: lexicons, targets and models.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
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
            evidence: Vec::new(),
            styles: Vec::new(),
        }
    }
}

/// Caps the number of compiled per-article targets kept by one scorer.
const MATCHER_CACHE_LIMIT: usize = 4096;

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
    evidence: Vec<Evidence>,
    styles: Vec<StyleCount>,
}

impl Scorer<'_> {
    pub fn engine(&self) -> &Engine {
        self.engine
    }

    /// Makes sure the codebook has every stem of `target`, emptying the word cache if it grew.
    fn prepare_target(&mut self, target: &Target) -> String {
        let key = target.key();
        if !self.matchers.contains_key(&key) {
            if self.matchers.len() >= MATCHER_CACHE_LIMIT {
                self.matchers.clear();
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

    pub fn evaluate(&mut self, doc: Document, target: &Target) -> Evaluation {
        let key = self.prepare_target(target);
        self.analyzer.analyze(doc.text, &self.codebook, &mut self.tokens);
        split(&self.tokens, &mut self.sentences);
        encode(&self.tokens, &mut self.encoded);
        self.engine.lexicon.matcher.find(&self.encoded, &mut self.hits);
        let matcher = &self.matchers[&key];
        matcher.find(&self.encoded, &mut self.mentions);
        let focus = focus(
            &self.sentences,
            &self.mentions,
            matcher.is_any(),
            doc.headline_paragraphs,
            &self.engine.targets.weighting,
        );
        evidence(&self.engine.lexicon, &self.tokens, &self.sentences, &self.hits, &mut self.evidence);
        count_style(doc.text, &self.tokens, &self.sentences, &self.engine.lexicon, &self.hits, &mut self.styles);

        let engine = self.engine;
        let mut stance = if focus.relevance > 0 {
            let vector = self.vector(&engine.stance, doc.text, &focus.sentence_weights);
            engine.stance.predict(&vector)
        } else {
            let k = engine.stance.model.class_count();
            let mut probabilities = vec![0.0; k];
            probabilities[NEUTRAL] = 1.0;
            Prediction { logits: engine.stance.model.intercepts.clone(), probabilities, parts: Vec::new() }
        };
        let base_score = attribute(&engine.stance.model.intercepts, &mut stance);
        let voice = engine.voice.as_ref().map(|linear| {
            let ones = vec![1.0; self.sentences.len()];
            linear.predict(&self.vector(linear, doc.text, &ones))
        });
        Evaluation {
            target: target.name().to_string(),
            focus,
            tokens: self.tokens.iter().filter(|t| !t.token.is_break() && t.token.kind != TokenKind::Symbol).count(),
            sentences: self.sentences.len(),
            stance,
            base_score,
            voice,
        }
    }

    /// The details of the last evaluation, for explanations.
    pub fn trace(&self) -> Trace {
        Trace { tokens: self.tokens.clone(), sentences: self.sentences.clone(), evidence: self.evidence.clone() }
    }

    /// Pools sentence features with `weights` into the article's labelled feature vector.
    fn vector(&self, linear: &Linear, text: &str, weights: &[f64]) -> FeatureVector {
        let index = &linear.index;
        let mut vector = FeatureVector::default();
        let total: f64 = weights.iter().sum();
        if total <= 0.0 {
            return vector;
        }
        let divisor = linear.model.pooling.divisor(total);
        let lexicon = &self.engine.lexicon;
        for e in &self.evidence {
            let w = weights[e.sentence];
            if w == 0.0 {
                continue;
            }
            if let Some(feature) = index.cue(e.cue) {
                vector.add(&evidence_label(lexicon, &self.tokens, text, e), feature, e.value * w / divisor);
            }
        }
        if index.has_terms() {
            let mut buf = String::new();
            for (si, s) in self.sentences.iter().enumerate() {
                let w = weights[si];
                if w == 0.0 {
                    continue;
                }
                let tokens = &self.tokens[s.start..s.end];
                index.for_each_term(tokens, |feature, at, len| {
                    let (a, b) = (tokens[at].token.start, tokens[at + len - 1].token.end);
                    crate::tokenize::normalize_into(&text[a..b], &mut buf);
                    vector.add(&buf, feature, w / divisor);
                });
            }
        }
        let sentences = self.sentences.len().max(1) as f64;
        for (style, feature) in index.styles() {
            for c in self.styles.iter().filter(|c| c.feature == *style) {
                vector.add(&c.label, *feature, c.amount / sentences);
            }
        }
        vector
    }
}

/// A readable name for a piece of evidence: the lexicon term, or "metric direction" as written.
pub fn evidence_label(lexicon: &CompiledLexicon, tokens: &[AnalyzedToken], text: &str, e: &Evidence) -> String {
    match (e.cue, e.paired_entry) {
        (Cue::DirectionMetric, Some(_)) => {
            let surface = |i: usize| text[tokens[i].token.start..tokens[i].token.end].to_lowercase();
            let words: Vec<String> =
                (e.start..e.end).filter(|&i| !tokens[i].token.is_break() && tokens[i].code != 0).map(surface).collect();
            words.join(" ")
        }
        _ => lexicon.entry(e.entry).term.to_lowercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribution_adds_up_to_the_score_exactly() {
        for logits in [[0.3, 1.2, -0.4], [-2.0, 0.5, 3.0], [5.0, -1.0, 0.0], [0.1, 0.1, 0.1]] {
            let intercepts = [0.2, 0.9, -0.1];
            let parts: Vec<Contribution> = (0..3)
                .map(|i| Contribution {
                    label: format!("p{i}"),
                    feature: i,
                    value: 1.0,
                    logits: (0..3).map(|c| (logits[c] - intercepts[c]) * [0.5, 0.3, 0.2][i]).collect(),
                    score: 0.0,
                })
                .collect();
            let mut prediction = Prediction { logits: logits.to_vec(), probabilities: softmax(&logits), parts };
            let base = attribute(&intercepts, &mut prediction);
            let total: f64 = base + prediction.parts.iter().map(|p| p.score).sum::<f64>();
            let score = prediction.probabilities[BULLISH] - prediction.probabilities[BEARISH];
            assert!((total - score).abs() < 1e-12, "{total} vs {score}");
        }
    }

    #[test]
    fn score_gradient_matches_finite_differences() {
        let logits = [-1.5, 0.4, 2.5];
        let g = score_gradient(&logits);
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
