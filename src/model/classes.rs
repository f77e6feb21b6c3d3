//! The three classes each model decides among. A model's weights and probabilities are indexed
//! by class column ([`BEARISH`], [`NEUTRAL`], [`BULLISH`], or the voices in order); what a
//! reader gets back is a [`Class`] or a [`Voice`].

pub const STANCE_CLASSES: [&str; 3] = ["bearish", "neutral", "bullish"];
pub const VOICE_CLASSES: [&str; 3] = ["retail", "analysis", "corporate"];

/// Where each stance class is; the score is P(bullish) - P(bearish).
pub const BEARISH: usize = 0;
pub const NEUTRAL: usize = 1;
pub const BULLISH: usize = 2;

/// Every task has three classes (see `STANCE_CLASSES` and `VOICE_CLASSES`), so per-class
/// numbers live in fixed arrays on the scoring path.
pub const CLASSES: usize = 3;
pub type Logits = [f64; CLASSES];

/// An article's stance on holding the stock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Class {
    Bearish,
    Neutral,
    Bullish,
}

impl Class {
    pub const ALL: [Class; CLASSES] = [Class::Bearish, Class::Neutral, Class::Bullish];

    /// The class of a stance model's probability column.
    pub fn of_column(column: usize) -> Class {
        Class::ALL[column]
    }

    pub fn column(self) -> usize {
        self as usize
    }

    pub fn name(self) -> &'static str {
        STANCE_CLASSES[self.column()]
    }
}

/// Who wrote an article, as the voice model reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Voice {
    Retail,
    Analysis,
    Corporate,
}

impl Voice {
    pub const ALL: [Voice; CLASSES] = [Voice::Retail, Voice::Analysis, Voice::Corporate];

    /// The voice of a voice model's probability column.
    pub fn of_column(column: usize) -> Voice {
        Voice::ALL[column]
    }

    pub fn column(self) -> usize {
        self as usize
    }

    pub fn name(self) -> &'static str {
        VOICE_CLASSES[self.column()]
    }
}

/// P(bullish) - P(bearish): how much more confident a holder should feel, in [-1, 1].
pub fn stance_score(p: &Logits) -> f64 {
    p[BULLISH] - p[BEARISH]
}

/// [`softmax`] for one three-class prediction, without allocating.
pub fn class_probabilities(logits: &Logits) -> Logits {
    let max = logits.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let exps: Logits = std::array::from_fn(|c| (logits[c] - max).exp());
    let sum: f64 = exps.iter().sum();
    exps.map(|e| e / sum)
}

/// Numerically stable softmax.
pub fn softmax(logits: &[f64]) -> Vec<f64> {
    let max = logits.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let exps: Vec<f64> = logits.iter().map(|l| (l - max).exp()).collect();
    let sum: f64 = exps.iter().sum();
    exps.iter().map(|e| e / sum).collect()
}

/// Index of the largest value that is a number; ties go to the first (0 when none is).
pub fn argmax(values: &[f64]) -> usize {
    values.iter().enumerate().fold(0, |best, (i, &v)| {
        if v > values[best] || (values[best].is_nan() && !v.is_nan()) {
            i
        } else {
            best
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn softmax_sums_to_one_and_survives_large_logits() {
        let p = softmax(&[1000.0, 0.0, -1000.0]);
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!(p[0] > 0.999);
    }

    #[test]
    fn classes_and_voices_are_their_columns() {
        for (column, name) in STANCE_CLASSES.iter().enumerate() {
            assert_eq!(Class::of_column(column).column(), column);
            assert_eq!(Class::of_column(column).name(), *name);
        }
        assert_eq!(Class::Bullish.column(), BULLISH);
        assert_eq!(Class::Bearish.column(), BEARISH);
        for (column, name) in VOICE_CLASSES.iter().enumerate() {
            assert_eq!(Voice::of_column(column).name(), *name);
        }
    }
}
