//! Classification metrics: accuracy, per-class precision/recall/F1, macro-F1, the confusion
//! matrix and the majority-class baseline.

use std::fmt::Write;

use serde::Serialize;

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ClassMetrics {
    pub class: String,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub support: usize,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Metrics {
    pub n: usize,
    pub accuracy: f64,
    pub macro_f1: f64,
    pub classes: Vec<ClassMetrics>,
    /// Rows are the true class, columns the predicted class, in `classes` order.
    pub confusion: Vec<Vec<usize>>,
    pub majority_class: String,
    pub majority_accuracy: f64,
    pub majority_macro_f1: f64,
}

impl Metrics {
    pub fn new(class_names: &[&str], truth: &[usize], predicted: &[usize]) -> Metrics {
        assert_eq!(truth.len(), predicted.len());
        let k = class_names.len();
        let mut confusion = vec![vec![0usize; k]; k];
        for (&t, &p) in truth.iter().zip(predicted) {
            confusion[t][p] += 1;
        }
        let n = truth.len();
        let per_class = |confusion: &[Vec<usize>]| -> Vec<ClassMetrics> {
            (0..k)
                .map(|c| {
                    let tp = confusion[c][c] as f64;
                    let predicted: usize = (0..k).map(|r| confusion[r][c]).sum();
                    let support: usize = confusion[c].iter().sum();
                    let precision = if predicted > 0 {
                        tp / predicted as f64
                    } else {
                        0.0
                    };
                    let recall = if support > 0 {
                        tp / support as f64
                    } else {
                        0.0
                    };
                    let f1 = if precision + recall > 0.0 {
                        2.0 * precision * recall / (precision + recall)
                    } else {
                        0.0
                    };
                    ClassMetrics {
                        class: class_names[c].to_string(),
                        precision,
                        recall,
                        f1,
                        support,
                    }
                })
                .collect()
        };
        let macro_f1 = |m: &[ClassMetrics]| m.iter().map(|c| c.f1).sum::<f64>() / k as f64;
        let classes = per_class(&confusion);
        let correct: usize = (0..k).map(|c| confusion[c][c]).sum();
        let majority = (0..k)
            .max_by_key(|&c| (confusion[c].iter().sum::<usize>(), std::cmp::Reverse(c)))
            .unwrap_or(0);
        let baseline: Vec<Vec<usize>> = (0..k)
            .map(|r| {
                (0..k)
                    .map(|c| {
                        if c == majority {
                            confusion[r].iter().sum()
                        } else {
                            0
                        }
                    })
                    .collect()
            })
            .collect();
        let ratio = |a: usize| if n > 0 { a as f64 / n as f64 } else { 0.0 };
        Metrics {
            n,
            accuracy: ratio(correct),
            macro_f1: macro_f1(&classes),
            majority_class: class_names[majority].to_string(),
            majority_accuracy: ratio(confusion[majority].iter().sum()),
            majority_macro_f1: macro_f1(&per_class(&baseline)),
            classes,
            confusion,
        }
    }

    /// A plain-text report.
    pub fn report(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "rows        {}", self.n);
        let _ = writeln!(out, "accuracy    {:.4}", self.accuracy);
        let _ = writeln!(out, "macro-F1    {:.4}", self.macro_f1);
        let _ = writeln!(
            out,
            "baseline    always {:?}: accuracy {:.4}, macro-F1 {:.4}\n",
            self.majority_class, self.majority_accuracy, self.majority_macro_f1
        );
        let _ = writeln!(
            out,
            "{:<12}{:>10}{:>10}{:>10}{:>10}",
            "class", "precision", "recall", "F1", "support"
        );
        for c in &self.classes {
            let _ = writeln!(
                out,
                "{:<12}{:>10.4}{:>10.4}{:>10.4}{:>10}",
                c.class, c.precision, c.recall, c.f1, c.support
            );
        }
        let _ = write!(
            out,
            "\nconfusion (rows: true, columns: predicted)\n{:<12}",
            ""
        );
        for c in &self.classes {
            let _ = write!(out, "{:>10}", c.class);
        }
        out.push('\n');
        for (c, row) in self.classes.iter().zip(&self.confusion) {
            let _ = write!(out, "{:<12}", c.class);
            for v in row {
                let _ = write!(out, "{v:>10}");
            }
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn computes_known_values() {
        // truth:     0 0 0 1 1 2
        // predicted: 0 0 1 1 2 2
        let m = Metrics::new(&["a", "b", "c"], &[0, 0, 0, 1, 1, 2], &[0, 0, 1, 1, 2, 2]);
        assert_eq!(
            m.confusion,
            vec![vec![2, 1, 0], vec![0, 1, 1], vec![0, 0, 1]]
        );
        assert!((m.accuracy - 4.0 / 6.0).abs() < 1e-12);
        let f1_a = 2.0 * 1.0 * (2.0 / 3.0) / (1.0 + 2.0 / 3.0);
        let f1_b = 0.5;
        let f1_c = 2.0 * 0.5 * 1.0 / 1.5;
        assert!((m.macro_f1 - (f1_a + f1_b + f1_c) / 3.0).abs() < 1e-12);
        assert_eq!(m.majority_class, "a");
        assert!((m.majority_accuracy - 0.5).abs() < 1e-12);
        assert!((m.majority_macro_f1 - (2.0 * 0.5 / 1.5) / 3.0).abs() < 1e-12);
    }
}
