//! Part of stage 6: a linear softmax model in a readable JSON file, scored as `softmax(xW + b)`, and
//! [`CompiledModel`], the same model with its features resolved for scoring.
//!
//! Weights are stored in raw feature units, so a contribution is simply value x weight and the
//! logits are exactly the intercepts plus the contributions.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::choice::Choice;
use crate::data::DataFile;
use crate::error::{Result, invalid};
use crate::model::classes::{
    CLASSES, Logits, STANCE_CLASSES, VOICE_CLASSES, argmax, class_probabilities,
};
use crate::model::features::{FeatureIndex, FeatureVector, Label};
use crate::text::analyze::Codebook;

pub const FORMAT: &str = "stance-model/1";

/// How sentence features are pooled into an article's features.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Pooling {
    /// Weighted mean over sentences: length never pushes a score to an extreme.
    #[default]
    Mean,
    /// Weighted sum divided by the square root of the total weight: consistent evidence across
    /// many sentences counts for more than a single sentence, while noise does not grow.
    Sqrt,
    /// Plain weighted sum: for short texts, where every sentence is part of one statement.
    Sum,
    /// Each sentence is scored on its own; the article's probabilities are the average of the
    /// sentences' probabilities, each weighted by its target weight times its opinion strength
    /// (1 - P(neutral)), so background sentences do not drown the sentences that take a side.
    Opinion,
}

impl Choice for Pooling {
    const ALL: &'static [(Self, &'static str, &'static str)] = &[
        (
            Pooling::Mean,
            "mean",
            "Weighted mean of the sentences' features",
        ),
        (
            Pooling::Sqrt,
            "sqrt",
            "Weighted sum divided by the square root of the total weight",
        ),
        (
            Pooling::Sum,
            "sum",
            "Plain weighted sum of the sentences' features",
        ),
        (
            Pooling::Opinion,
            "opinion",
            "Each sentence scored alone, probabilities averaged by target weight x (1 - P(neutral))",
        ),
    ];
}

impl Pooling {
    /// The divisor applied to summed sentence features with total weight `total`.
    pub fn divisor(self, total: f64) -> f64 {
        match self {
            Pooling::Mean => total,
            Pooling::Sqrt => total.sqrt(),
            Pooling::Sum | Pooling::Opinion => 1.0,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FeatureWeights {
    pub feature: String,
    /// One weight per class, in the order of `classes`.
    pub weights: Vec<f64>,
}

/// What a model decides; its classes follow from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Task {
    Stance,
    Voice,
    /// The article decision, learned over the stance model's reading and the article's terms.
    Article,
}

impl Choice for Task {
    const ALL: &'static [(Self, &'static str, &'static str)] = &[
        (Task::Stance, "stance", "Bearish, neutral or bullish"),
        (Task::Voice, "voice", "Retail, analysis or corporate"),
        (
            Task::Article,
            "article",
            "The article decision: bearish, neutral or bullish from the stance model's reading (--model) and the article's own terms",
        ),
    ];
}

impl Task {
    pub fn classes(self) -> [&'static str; 3] {
        match self {
            Task::Stance | Task::Article => STANCE_CLASSES,
            Task::Voice => VOICE_CLASSES,
        }
    }

    /// Accepts each class name and, for stance, negative/positive; case-insensitive.
    pub fn parse_label(self, raw: &str) -> Option<usize> {
        let raw = raw.trim().to_ascii_lowercase();
        let raw = match (self, raw.as_str()) {
            (Task::Stance | Task::Article, "negative") => "bearish",
            (Task::Stance | Task::Article, "positive") => "bullish",
            (_, r) => r,
        };
        self.classes().iter().position(|c| *c == raw)
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Model {
    pub format: String,
    pub name: String,
    pub task: Task,
    pub classes: Vec<String>,
    #[serde(default)]
    pub pooling: Pooling,
    /// For articles pooled from several sentences, stance by score band: |P(bullish) -
    /// P(bearish)| below this is neutral (the industry's -0.15..0.15 band). A pooled article's
    /// probabilities mix its sentences' and so lean neutral; one sentence's do not, and its
    /// most probable class decides. Absent: always the most probable class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub neutral_band: Option<f64>,
    /// Wider bands for some voices, by voice class. Neutral analysis names risks and strengths
    /// as a matter of course, so a piece in that voice that only leans (the industry's
    /// "somewhat" band, 0.15..0.35) has made no call; a holder's post or a corporate-aligned
    /// piece that leans has taken its side. Without a voice model, `neutral_band` applies.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub neutral_band_by_voice: BTreeMap<String, f64>,
    pub intercepts: Vec<f64>,
    pub weights: Vec<FeatureWeights>,
    /// How the model was made: command, data, hashes, metrics. Free-form, never read for scoring.
    #[serde(default)]
    pub training: serde_json::Value,
}

#[derive(Debug, thiserror::Error)]
#[error("{file}: {field}: {reason}")]
pub struct ModelError {
    pub file: String,
    pub field: String,
    pub reason: String,
}

crate::error::from_other!(ModelError);

impl Model {
    pub fn load(source: &DataFile) -> Result<Model, ModelError> {
        let file = source.to_string();
        let err = |field: &str, reason: String| ModelError {
            file: file.clone(),
            field: field.into(),
            reason,
        };
        let text = source.read().map_err(|e| err("file", e.to_string()))?;
        let model: Model = serde_json::from_str(&text).map_err(|e| {
            err(
                &format!("line {} column {}", e.line(), e.column()),
                e.to_string(),
            )
        })?;
        model
            .validate()
            .map_err(|(field, reason)| err(&field, reason))?;
        Ok(model)
    }

    /// Sets how much the term feature `term:<stems>` pushes bullish over bearish to `weight`,
    /// keeping its neutral weight and the midpoint of its bearish and bullish weights, so
    /// exporting and loading back changes nothing. False when the model has no such feature.
    pub fn reweight_term(&mut self, stems: &[String], weight: f64) -> bool {
        let name = format!("term:{}", stems.join(" "));
        let Some((bearish, bullish)) = self.bearish_bullish() else {
            return false;
        };
        match self.weights.iter_mut().find(|w| w.feature == name) {
            Some(w) => {
                let mid = (w.weights[bearish] + w.weights[bullish]) / 2.0;
                w.weights[bearish] = mid - weight / 2.0;
                w.weights[bullish] = mid + weight / 2.0;
                true
            }
            None => false,
        }
    }

    /// A term's push on bullish over bearish, as `stance lexicon export` writes it.
    pub fn term_weight(&self, feature: &FeatureWeights) -> Option<f64> {
        let (bearish, bullish) = self.bearish_bullish()?;
        Some(feature.weights[bullish] - feature.weights[bearish])
    }

    /// Where the bearish and bullish classes are; `None` for a model without them (voice).
    fn bearish_bullish(&self) -> Option<(usize, usize)> {
        let class = |name: &str| self.classes.iter().position(|c| c == name);
        Some((class("bearish")?, class("bullish")?))
    }

    /// Whether the training record lists a data file with this BLAKE3 hash.
    pub fn was_trained_on(&self, blake3: &str) -> bool {
        self.training["data"]
            .as_array()
            .is_some_and(|files| files.iter().any(|f| f["blake3"] == blake3))
    }

    /// A hash of everything that affects scores (the training record does not).
    pub fn fingerprint(&self) -> String {
        let scoring = (
            &self.name,
            &self.task,
            &self.classes,
            self.pooling,
            self.neutral_band,
            &self.neutral_band_by_voice,
            &self.intercepts,
            &self.weights,
        );
        let bytes = serde_json::to_vec(&scoring).expect("a model serializes");
        blake3::hash(&bytes).to_hex().to_string()
    }

    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let mut text = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        text.push('\n');
        crate::files::write_atomically(path, text.as_bytes())
    }

    /// Checks the shape and values; the error names the offending field.
    pub fn validate(&self) -> Result<(), (String, String)> {
        if self.format != FORMAT {
            return Err((
                "format".into(),
                format!("expected {FORMAT:?}, found {:?}", self.format),
            ));
        }
        let expected = self.task.classes();
        if self.classes != expected {
            return Err((
                "classes".into(),
                format!("a {} model has classes {expected:?}", self.task.name()),
            ));
        }
        let k = self.classes.len();
        if self.intercepts.len() != k {
            return Err((
                "intercepts".into(),
                format!("expected {k} numbers, found {}", self.intercepts.len()),
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for (i, w) in self.weights.iter().enumerate() {
            let field = format!("weights[{i}] ({})", w.feature);
            if w.weights.len() != k {
                return Err((
                    field,
                    format!("expected {k} weights, found {}", w.weights.len()),
                ));
            }
            if !w.weights.iter().all(|x| x.is_finite()) {
                return Err((field, "weights must be finite numbers".into()));
            }
            if !seen.insert(w.feature.as_str()) {
                return Err((field, "feature listed twice".into()));
            }
        }
        if let Some(band) = self.neutral_band
            && (self.task != Task::Stance || !(0.0..1.0).contains(&band))
        {
            return Err((
                "neutral_band".into(),
                "a stance model's neutral band is in [0, 1)".into(),
            ));
        }
        if !self.neutral_band_by_voice.is_empty() && self.neutral_band.is_none() {
            return Err((
                "neutral_band_by_voice".into(),
                "needs a neutral_band for the other voices".into(),
            ));
        }
        for (voice, band) in &self.neutral_band_by_voice {
            if !VOICE_CLASSES.contains(&voice.as_str()) {
                return Err((
                    format!("neutral_band_by_voice.{voice}"),
                    format!("not a voice class (expected one of {VOICE_CLASSES:?})"),
                ));
            }
            if !(0.0..1.0).contains(band) {
                return Err((
                    format!("neutral_band_by_voice.{voice}"),
                    "a neutral band is in [0, 1)".into(),
                ));
            }
        }
        if !self.intercepts.iter().all(|x| x.is_finite()) {
            return Err(("intercepts".into(), "must be finite numbers".into()));
        }
        Ok(())
    }

    /// A short label for output rows.
    pub fn label(&self) -> String {
        self.name.clone()
    }

    /// The neutral band an article in `voice` is judged by; `None` when its most probable class
    /// decides: one sentence (`pooled` false), or a model without a band.
    pub fn band_for(&self, pooled: bool, voice: Option<&str>) -> Option<f64> {
        if !pooled {
            return None;
        }
        let by_voice = voice.and_then(|v| self.neutral_band_by_voice.get(v));
        by_voice.copied().or(self.neutral_band)
    }
}

/// What chose an evaluation's stance class.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Decision {
    /// A statement: the sentence reading's most probable class.
    Statement,
    /// A document: the article model's most probable class.
    Document,
    /// No article model is loaded: the sentence reading, neutral within this score band when
    /// there is one.
    Band(Option<f64>),
}

/// The stance class: by score band when there is one (see [`Model::band_for`]), else the most
/// probable class; neutral when a probability is not a number.
pub fn decide(probabilities: &[f64], band: Option<f64>) -> usize {
    if probabilities.iter().any(|p| !p.is_finite()) {
        return 1;
    }
    match band {
        Some(band) => {
            let score = probabilities[2] - probabilities[0];
            if score >= band {
                2
            } else if score <= -band {
                0
            } else {
                1
            }
        }
        None => argmax(probabilities),
    }
}

/// A model with its features resolved against the engine's codebook.
#[derive(Clone, Debug)]
pub struct CompiledModel {
    pub model: Model,
    pub index: FeatureIndex,
    pub intercepts: Logits,
    /// The model's weights by feature, contiguous: scoring reads one per part.
    weights: Vec<Logits>,
}

impl CompiledModel {
    pub fn new(model: Model, codebook: &mut Codebook, file: &DataFile) -> Result<CompiledModel> {
        let names: Vec<String> = model.weights.iter().map(|w| w.feature.clone()).collect();
        let mut index =
            FeatureIndex::new(&names, codebook).map_err(|e| invalid!("{}: {e}", file))?;
        index.whole_text = model.task == Task::Voice;
        let intercepts = model
            .intercepts
            .as_slice()
            .try_into()
            .map_err(|_| invalid!("{}: intercepts: expected {CLASSES}", file))?;
        let weights = model
            .weights
            .iter()
            .map(|w| {
                w.weights
                    .as_slice()
                    .try_into()
                    .map_err(|_| invalid!("{}: weights of {}: expected {CLASSES}", file, w.feature))
            })
            .collect::<Result<Vec<Logits>>>()?;
        Ok(CompiledModel {
            model,
            index,
            intercepts,
            weights,
        })
    }

    pub fn weights(&self, feature: usize) -> &Logits {
        &self.weights[feature]
    }

    /// Scores a feature vector whose parts are merged by (label, feature) in first-seen order:
    /// each merged part adds value x weights to the logits, so the intercepts plus every
    /// contribution are the logits.
    pub fn predict(&self, vector: &FeatureVector, merged: &mut MergedParts) -> Prediction {
        let values = merged.merge(vector.parts.iter().map(|p| (p.label, p.feature, p.value)));
        self.predict_merged(values.iter().copied())
    }

    /// Scores values already merged by (label, feature).
    fn predict_merged(&self, merged: impl Iterator<Item = (Label, usize, f64)>) -> Prediction {
        let mut logits = self.intercepts;
        let parts: Vec<Contribution> = merged
            .map(|(label, feature, value)| {
                let contribution = self.weights(feature).map(|w| w * value);
                for (l, z) in logits.iter_mut().zip(&contribution) {
                    *l += z;
                }
                Contribution {
                    label,
                    feature,
                    value,
                    logits: contribution,
                }
            })
            .collect();
        Prediction {
            probabilities: class_probabilities(&logits),
            logits,
            parts,
        }
    }

    /// The intercepts plus each merged value times its feature's weights, added in order.
    pub fn logits(&self, merged: &[(Label, usize, f64)]) -> Logits {
        let mut logits = self.intercepts;
        for &(_, feature, value) in merged {
            for (l, w) in logits.iter_mut().zip(self.weights(feature)) {
                *l += w * value;
            }
        }
        logits
    }
}

/// Feature values merged by (label, feature) in first-seen order, so that logits are always
/// summed in one order. Keeps its buffers between calls.
#[derive(Default)]
pub struct MergedParts {
    values: Vec<(Label, usize, f64)>,
    /// By label number: its latest merged value, or `NO_VALUE`; labels are small dense numbers,
    /// so this is a lookup, not a hash.
    latest: Vec<u32>,
    /// By merged value: the label's value before it, or `NO_VALUE` (a label rarely has two
    /// features, so the chains are short).
    earlier: Vec<u32>,
}

const NO_VALUE: u32 = u32::MAX;

impl MergedParts {
    /// Merges `parts` as (label, feature, value), replacing the previous merge.
    pub fn merge(
        &mut self,
        parts: impl ExactSizeIterator<Item = (Label, usize, f64)>,
    ) -> &[(Label, usize, f64)] {
        self.values.clear();
        self.earlier.clear();
        for (label, feature, value) in parts {
            let l = label.index();
            if l >= self.latest.len() {
                self.latest.resize(l + 1, NO_VALUE);
            }
            let mut at = self.latest[l];
            while at != NO_VALUE && self.values[at as usize].1 != feature {
                at = self.earlier[at as usize];
            }
            if at == NO_VALUE {
                self.earlier.push(self.latest[l]);
                self.latest[l] = self.values.len() as u32;
                self.values.push((label, feature, value));
            } else {
                self.values[at as usize].2 += value;
            }
        }
        for &(label, _, _) in &self.values {
            self.latest[label.index()] = NO_VALUE;
        }
        &self.values
    }
}

/// A part of a feature vector with what it adds to each class logit.
#[derive(Clone, Debug, PartialEq)]
pub struct Contribution {
    pub label: Label,
    pub feature: usize,
    pub value: f64,
    pub logits: Logits,
}

/// A model's reading of one feature vector.
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

#[cfg(test)]
mod tests {
    use super::*;

    fn decided(m: &Model, probabilities: &[f64], pooled: bool, voice: Option<&str>) -> usize {
        decide(probabilities, m.band_for(pooled, voice))
    }

    fn model() -> Model {
        Model {
            format: FORMAT.into(),
            name: "t".into(),
            task: Task::Stance,
            classes: STANCE_CLASSES.iter().map(|s| s.to_string()).collect(),
            pooling: Pooling::Mean,
            neutral_band: None,
            neutral_band_by_voice: BTreeMap::new(),
            intercepts: vec![0.0, 1.0, 0.0],
            weights: vec![FeatureWeights {
                feature: "lex:positive".into(),
                weights: vec![-1.0, 0.0, 1.0],
            }],
            training: serde_json::Value::Null,
        }
    }

    #[test]
    fn validation_names_the_field() {
        let mut m = model();
        m.weights[0].weights.pop();
        assert_eq!(m.validate().unwrap_err().0, "weights[0] (lex:positive)");
        let mut m = model();
        m.classes.swap(0, 2);
        assert_eq!(m.validate().unwrap_err().0, "classes");
        assert!(model().validate().is_ok());
    }

    #[test]
    fn band_decision_uses_the_score() {
        let mut m = model();
        assert_eq!(decided(&m, &[0.1, 0.6, 0.3], true, None), 1);
        m.neutral_band = Some(0.15);
        assert_eq!(decided(&m, &[0.1, 0.6, 0.3], true, None), 2);
        assert_eq!(decided(&m, &[0.1, 0.6, 0.3], false, None), 1);
        assert_eq!(decided(&m, &[0.3, 0.6, 0.1], true, None), 0);
        assert_eq!(decided(&m, &[0.2, 0.6, 0.2], true, None), 1);
    }

    #[test]
    fn a_voice_band_widens_neutral_for_that_voice_only() {
        let mut m = model();
        m.neutral_band = Some(0.15);
        m.neutral_band_by_voice.insert("analysis".into(), 0.35);
        assert!(m.validate().is_ok());
        let leaning = [0.1, 0.5, 0.4];
        assert_eq!(decided(&m, &leaning, true, Some("analysis")), 1);
        assert_eq!(decided(&m, &leaning, true, Some("retail")), 2);
        assert_eq!(decided(&m, &leaning, true, None), 2);
        assert_eq!(decided(&m, &[0.5, 0.45, 0.05], true, Some("analysis")), 0);
        assert_eq!(decided(&m, &leaning, false, Some("analysis")), 1);
        m.neutral_band_by_voice.insert("analysis".into(), 1.5);
        assert_eq!(
            m.validate().unwrap_err().0,
            "neutral_band_by_voice.analysis"
        );
        m.neutral_band_by_voice.clear();
        m.neutral_band_by_voice.insert("pundit".into(), 0.3);
        assert_eq!(m.validate().unwrap_err().0, "neutral_band_by_voice.pundit");
        m.neutral_band_by_voice.clear();
        m.neutral_band_by_voice.insert("analysis".into(), 0.35);
        m.neutral_band = None;
        assert_eq!(m.validate().unwrap_err().0, "neutral_band_by_voice");
    }

    #[test]
    fn round_trips_exactly_through_json() {
        let mut m = model();
        m.weights[0].weights[2] = 0.1 + 0.2;
        let back: Model = serde_json::from_str(&serde_json::to_string(&m).unwrap()).unwrap();
        assert_eq!(back, m);
    }
}
