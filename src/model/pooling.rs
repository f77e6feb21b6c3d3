//! Opinion pooling: an article's class probabilities as a weighted average of its sentences'.
//!
//! Sentence `s` with target weight `w_s` and probabilities `p_s` counts by its opinion strength
//! `o_s = w_s (1 - p_s[neutral])`, normalized: `a_s = o_s / sum o`, `P = sum a_s p_s`. Sentences
//! that take a side outweigh background ones. When every sentence is certainly neutral (the sum
//! is 0, or not a number), they count by target weight alone. Pure functions: scoring and the
//! attribution of the score ([`crate::model::attribution`]) use the same ones.

use crate::model::classes::{CLASSES, Logits, NEUTRAL};

/// One pooled segment of the stance reading.
#[derive(Clone, Debug, PartialEq)]
pub struct SegmentScore {
    /// The sentence; `None` for the one segment of a model that pools features first.
    pub sentence: Option<usize>,
    /// Target weight (mention, same paragraph, elsewhere; times the headline factor).
    pub weight: f64,
    pub logits: Logits,
    pub probabilities: Logits,
    /// Its share of the article: weight x (1 - P(neutral)), normalized (see [`crate::model::pooling`]).
    pub share: f64,
    /// `∫ ∂score/∂logits` along the path from the intercepts (see [`crate::model::attribution`]): an
    /// occurrence's share of the score is its logit contributions dotted with this.
    pub score_gradient: Logits,
}

/// Whether the opinion strengths `o_s` can be normalized; if not, target weights are used.
pub fn opinions_usable(total: f64) -> bool {
    total > 0.0 && total.is_finite()
}

/// Each sentence's share `a_s` of the article, written to `shares` (one per sentence).
pub fn opinion_shares(weights: &[f64], probabilities: &[Logits], shares: &mut Vec<f64>) {
    shares.clear();
    shares.extend(
        weights
            .iter()
            .zip(probabilities)
            .map(|(w, p)| w * (1.0 - p[NEUTRAL])),
    );
    let mut total: f64 = shares.iter().sum();
    if !opinions_usable(total) {
        shares.clear();
        shares.extend_from_slice(weights);
        total = shares.iter().sum();
    }
    for a in shares.iter_mut() {
        *a /= total;
    }
}

/// `sum a_s p_s`.
pub fn mix(shares: &[f64], probabilities: &[Logits]) -> Logits {
    let mut mixed = [0.0; CLASSES];
    for (a, p) in shares.iter().zip(probabilities) {
        for (m, pc) in mixed.iter_mut().zip(p) {
            *m += a * pc;
        }
    }
    mixed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_that_take_a_side_count_more() {
        let p = [[0.1, 0.8, 0.1], [0.7, 0.2, 0.1]];
        let mut a = Vec::new();
        opinion_shares(&[1.0, 1.0], &p, &mut a);
        assert!(
            (a[0] - 0.2 / 1.0).abs() < 1e-12 && (a[1] - 0.8).abs() < 1e-12,
            "{a:?}"
        );
        let mixed = mix(&a, &p);
        assert!((mixed.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!((mixed[0] - (0.2 * 0.1 + 0.8 * 0.7)).abs() < 1e-12);
    }

    #[test]
    fn certainly_neutral_sentences_share_by_target_weight() {
        let p = [[0.0, 1.0, 0.0], [0.0, 1.0, 0.0]];
        let mut a = Vec::new();
        opinion_shares(&[3.0, 1.0], &p, &mut a);
        assert_eq!(a, [0.75, 0.25]);
    }
}
