//! Why an article got its score, as data: each model's table of features and (label, feature)
//! parts with their exact shares of the probabilities, the strongest terms with the sentences
//! they occur in, and each sentence's weight. `stance explain` prints it; front ends return it.

use std::collections::HashMap;

use serde_json::json;

use crate::choice::Choice;
use crate::model::attribution::shares;
use crate::model::classes::{BEARISH, BULLISH, CLASSES, Logits, STANCE_CLASSES, Voice};
use crate::model::engine::Engine;
use crate::model::features::{FeatureKind, Label};
use crate::model::linear::CompiledModel;
use crate::model::scorer::{Decision, Evaluation, Explained, STATEMENT_WORDS};
use crate::write::output::ScoreRow;

/// A term with its total score share and where it occurs.
struct TermView {
    label: Label,
    score: f64,
    occurrences: Vec<(usize, (usize, usize))>,
}

/// How the stance class was chosen, with the voice when it widened the band.
fn decision_rule(eval: &Evaluation, article: Option<&Table>) -> String {
    let voice = eval.voice_class().map_or("no voice model", Voice::name);
    match (eval.decision, article) {
        (Decision::Document, Some(a)) => format!(
            "the article model's most probable class ({}): a document of {} words",
            a.model, eval.tokens
        ),
        (Decision::Band(Some(band)), _) => {
            format!("neutral within score ±{band:.2} (band for voice: {voice})")
        }
        (Decision::Statement, _) => format!(
            "the sentence reading's most probable class: a statement of {} words (under {STATEMENT_WORDS})",
            eval.tokens
        ),
        _ => "the most probable class".into(),
    }
}

/// One row of the feature table: a feature's summed value and its share of each probability.
struct FeatureRow {
    name: String,
    value: f64,
    weights: Vec<f64>,
    shares: Logits,
    score: f64,
}

/// A (label, feature) pair's parts merged across the article.
struct PartRow {
    label: Label,
    feature: usize,
    value: f64,
    shares: Logits,
}

/// An evaluation explained, built by [`Explanation::new`] from an [`Explained`] evaluation.
pub struct Explanation {
    /// The stance model's pooled reading of the sentences.
    sentences: Table,
    /// The article model's decision, which reads the sentence reading among its features.
    article: Option<Table>,
    terms: Vec<TermView>,
    sentence_spans: Vec<(usize, usize)>,
    pooling: String,
    names: HashMap<Label, String>,
}

/// One model's reading as a table: its features and (label, feature) parts with their shares of
/// each class probability, which add up from the intercepts' probabilities to the reading's.
struct Table {
    model: String,
    features: Vec<FeatureRow>,
    parts: Vec<PartRow>,
    base: Logits,
    probabilities: Logits,
}

impl Table {
    /// `items` are (label, feature, value, probability shares), in reading order.
    fn new(
        model: &CompiledModel,
        items: impl Iterator<Item = (Label, usize, f64, Logits)>,
        base: Logits,
        probabilities: Logits,
    ) -> Table {
        let mut features: Vec<FeatureRow> = Vec::new();
        let mut row_of: HashMap<usize, usize> = HashMap::new();
        let mut parts: Vec<PartRow> = Vec::new();
        let mut part_of: HashMap<(Label, usize), usize> = HashMap::new();
        for (label, feature, value, shares) in items {
            let f = *row_of.entry(feature).or_insert_with(|| {
                features.push(FeatureRow {
                    name: model.index.names[feature].clone(),
                    value: 0.0,
                    weights: model.weights(feature).to_vec(),
                    shares: [0.0; CLASSES],
                    score: 0.0,
                });
                features.len() - 1
            });
            let p = *part_of.entry((label, feature)).or_insert_with(|| {
                parts.push(PartRow {
                    label,
                    feature,
                    value: 0.0,
                    shares: [0.0; CLASSES],
                });
                parts.len() - 1
            });
            features[f].value += value;
            parts[p].value += value;
            for (c, share) in shares.iter().enumerate() {
                features[f].shares[c] += share;
                parts[p].shares[c] += share;
            }
        }
        for f in &mut features {
            f.score = f.shares[BULLISH] - f.shares[BEARISH];
        }
        features.sort_by(|a, b| {
            b.score
                .abs()
                .total_cmp(&a.score.abs())
                .then_with(|| a.name.cmp(&b.name))
        });
        Table {
            model: model.model.label(),
            features,
            parts,
            base,
            probabilities,
        }
    }

    fn json(&self, names: &HashMap<Label, String>) -> serde_json::Value {
        json!({
            "model": self.model,
            "probabilities": self.probabilities,
            "base_probabilities": self.base,
            "base_score": self.base[BULLISH] - self.base[BEARISH],
            "features": self.features.iter().map(|f| json!({
                "feature": f.name, "value": f.value, "weights": f.weights, "probability_shares": f.shares, "score": f.score
            })).collect::<Vec<_>>(),
            "parts": self.parts.iter().map(|p| json!({
                "label": names[&p.label], "feature": p.feature, "value": p.value, "probability_shares": p.shares,
                "score": p.shares[BULLISH] - p.shares[BEARISH]
            })).collect::<Vec<_>>(),
        })
    }

    /// The feature rows (the strongest `rows`, the rest summed), the base and the total.
    fn text(&self, out: &mut String, rows: usize) {
        use std::fmt::Write;
        let _ = writeln!(
            out,
            "{:<32}{:>9} |{:>9}{:>9}{:>9} |{:>9}{:>9}{:>9} |{:>9}",
            "feature",
            "value",
            "w_bear",
            "w_neu",
            "w_bull",
            "bearish",
            "neutral",
            "bullish",
            "score"
        );
        for FeatureRow {
            name,
            value,
            weights: w,
            shares: c,
            score,
        } in self.features.iter().take(rows)
        {
            let _ = writeln!(
                out,
                "{:<32}{:>9.4} |{:>9.3}{:>9.3}{:>9.3} |{:>9.4}{:>9.4}{:>9.4} |{:>+9.4}",
                truncate(name, 32),
                value,
                w[0],
                w[1],
                w[2],
                c[0],
                c[1],
                c[2],
                score
            );
        }
        let total = |label: &str, p: [f64; 3], score: f64, out: &mut String| {
            let _ = writeln!(
                out,
                "{label:<32}{:>9} |{:>27} |{:>9.4}{:>9.4}{:>9.4} |{:>+9.4}",
                "", "", p[0], p[1], p[2], score
            );
        };
        if self.features.len() > rows {
            let rest = &self.features[rows..];
            let sum = |c: usize| rest.iter().map(|f| f.shares[c]).sum::<f64>();
            let score: f64 = rest.iter().map(|f| f.score).sum();
            let label = format!("({} more features)", rest.len());
            total(&label, [sum(0), sum(1), sum(2)], score, out);
        }
        let (b, p) = (&self.base, &self.probabilities);
        total("intercepts alone (base)", *b, b[BULLISH] - b[BEARISH], out);
        total("probabilities (total)", *p, p[BULLISH] - p[BEARISH], out);
    }
}

impl Explanation {
    /// Reads an evaluation made by `engine`, with the names and sentences it came with.
    pub fn new(engine: &Engine, explained: &Explained, top: usize) -> Explanation {
        let eval = &explained.evaluation;
        let model = &engine.stance;
        let reading = &eval.stance;
        let gradients = reading.class_gradients(model);
        let sentences = Table::new(
            model,
            reading.occurrences.iter().map(|o| {
                let shares = reading.probability_shares(model, o, &gradients);
                (o.label, o.feature, o.value, shares)
            }),
            reading.base,
            reading.probabilities,
        );
        let article = engine
            .article
            .as_ref()
            .zip(eval.article.as_ref())
            .map(|(model, a)| {
                let gradient = a.class_gradients(model);
                Table::new(
                    model,
                    a.prediction
                        .parts
                        .iter()
                        .map(|p| (p.label, p.feature, p.value, shares(&p.logits, &gradient))),
                    a.base,
                    a.prediction.probabilities,
                )
            });
        let names = &explained.names;
        // The terms are the drivers' labels with the same shares, strongest either way.
        let mut terms: Vec<TermView> = eval
            .label_shares()
            .iter()
            .map(|&(label, score)| TermView {
                label,
                score,
                occurrences: Vec::new(),
            })
            .collect();
        terms.sort_by(|a, b| {
            b.score
                .abs()
                .total_cmp(&a.score.abs())
                .then_with(|| names[&a.label].cmp(&names[&b.label]))
        });
        terms.truncate(top);
        // Where a term occurs both as a whole cue and as a learned word inside one, the cue
        // shows it better: cues come first, then learned terms, each in reading order.
        let mut occurrences: Vec<_> = reading.occurrences.iter().collect();
        occurrences.sort_by_key(|o| {
            matches!(
                model.index.kinds[o.feature],
                FeatureKind::Unigram(_) | FeatureKind::Bigram(..)
            )
        });
        for o in occurrences {
            if let (Some(s), Some(t)) = (o.sentence, terms.iter_mut().find(|t| t.label == o.label))
                && !t.occurrences.iter().any(|x| x.1 == o.span)
            {
                t.occurrences.push((s, o.span));
            }
        }
        Explanation {
            sentences,
            article,
            terms,
            sentence_spans: explained.sentence_spans.clone(),
            pooling: eval.stance.pooling.name().to_string(),
            names: names.clone(),
        }
    }

    /// The explanation for a reader; `rows` feature rows per table, terms marked in colour or
    /// with « ».
    pub fn text(
        &self,
        id: &str,
        eval: &Evaluation,
        text: &str,
        color: bool,
        rows: usize,
    ) -> String {
        use std::fmt::Write;
        let p = eval.probabilities();
        let stance = eval.stance_class().name();
        let mut out = String::new();
        let _ = writeln!(out, "{id}: {stance}, score {:+.4}", eval.score());
        let _ = writeln!(
            out,
            "P(bearish) {:.4}  P(neutral) {:.4}  P(bullish) {:.4}",
            p[0], p[1], p[2]
        );
        let _ = writeln!(
            out,
            "target {}, relevance {}, model {} (pooling {})",
            eval.target, eval.focus.relevance, self.sentences.model, self.pooling
        );
        if !eval.on_target() {
            let _ = writeln!(
                out,
                "\nThe article never names the target: it is reported neutral, not guessed.\n"
            );
            return out;
        }
        let _ = writeln!(
            out,
            "decision: {}",
            decision_rule(eval, self.article.as_ref())
        );
        if let Some(article) = &self.article {
            let _ = writeln!(
                out,
                "\nArticle decision ({}): shares of each class probability (integrated gradients); \
                 article:sentences_* read the sentence reading below:",
                article.model
            );
            article.text(&mut out, rows);
            let _ = writeln!(
                out,
                "\nSentence reading ({}), pooled over the sentences about the target:",
                self.sentences.model
            );
        } else {
            let _ = writeln!(
                out,
                "\nFeature shares of each class probability (integrated gradients); score = bullish - bearish:"
            );
        }
        self.sentences.text(&mut out, rows);
        let _ = writeln!(
            out,
            "\nStrongest terms (share of the score) and where they occur:"
        );
        for t in &self.terms {
            let _ = writeln!(out, "  {:+.4}  {}", t.score, self.names[&t.label]);
            for (s, span) in t.occurrences.iter().take(2) {
                let _ = writeln!(
                    out,
                    "      s{s}: {}",
                    highlight(text, self.sentence_spans[*s], *span, t.score, color)
                );
            }
        }
        if let Some(voice) = &eval.voice {
            let p = &voice.probabilities;
            let _ = writeln!(
                out,
                "\nVoice: {} (P retail {:.4}, analysis {:.4}, corporate {:.4}); strongest cues (logit: retail analysis corporate):",
                crate::model::classes::VOICE_CLASSES[voice.best()],
                p[0],
                p[1],
                p[2]
            );
            let mut cues = voice.parts.clone();
            cues.sort_by(|a, b| {
                let spread = |l: &[f64]| {
                    l.iter().cloned().fold(f64::MIN, f64::max)
                        - l.iter().cloned().fold(f64::MAX, f64::min)
                };
                spread(&b.logits).total_cmp(&spread(&a.logits))
            });
            for c in cues.iter().take(8) {
                let _ = writeln!(
                    out,
                    "  {:>+8.3} {:>+8.3} {:>+8.3}  {}",
                    c.logits[0], c.logits[1], c.logits[2], self.names[&c.label]
                );
            }
        }
        if eval.sentence_scores().next().is_some() {
            let _ = writeln!(
                out,
                "\nSentences that count most (share of the article, target weight, sentence score):"
            );
            let mut shares: Vec<_> = eval.sentence_scores().collect();
            shares.sort_by(|a, b| b.1.share.total_cmp(&a.1.share));
            for (sentence, s) in shares.into_iter().take(6) {
                let (a, b) = self.sentence_spans[sentence];
                let _ = writeln!(
                    out,
                    "  {:>5.1}%  w {:.2}  {:+.3}  s{}: {}",
                    100.0 * s.share,
                    s.weight,
                    s.probabilities[BULLISH] - s.probabilities[BEARISH],
                    sentence,
                    truncate(&text[a..b], 110)
                );
            }
        }
        out.push('\n');
        out
    }

    /// The deciding model's table at the top level (its shares add up to the row's
    /// probabilities), and the sentence reading under `sentence_reading`.
    pub fn json(&self, row: &ScoreRow, eval: &Evaluation) -> serde_json::Value {
        let deciding = self.article.as_ref().unwrap_or(&self.sentences);
        let mut v = deciding.json(&self.names);
        let extra = json!({
            "row": row,
            "pooling": self.pooling,
            "neutral_band": match eval.decision {
                Decision::Band(band) => band,
                _ => None,
            },
            "decision": decision_rule(eval, self.article.as_ref()),
            "classes": STANCE_CLASSES,
            "sentence_reading": self.sentences.json(&self.names),
            "terms": self.terms.iter().map(|t| json!({
                "term": self.names[&t.label], "score": t.score,
                "sentences": t.occurrences.iter().map(|(s, _)| s).collect::<Vec<_>>()
            })).collect::<Vec<_>>(),
            "voice": eval.voice.as_ref().map(|v| json!({
                "classes": crate::model::classes::VOICE_CLASSES,
                "probabilities": v.probabilities,
                "logits": v.logits,
                "parts": v.parts.iter().map(|p| json!({"label": self.names[&p.label], "logits": p.logits})).collect::<Vec<_>>(),
            })),
            "sentences": eval.sentence_scores().map(|(sentence, s)| json!({
                "sentence": sentence, "weight": s.weight, "share": s.share,
                "score": s.probabilities[BULLISH] - s.probabilities[BEARISH], "probabilities": s.probabilities
            })).collect::<Vec<_>>(),
        });
        if let (Some(to), serde_json::Value::Object(from)) = (v.as_object_mut(), extra) {
            to.extend(from);
        }
        v
    }
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.replace('\n', " ");
    }
    let cut: String = s.chars().take(max - 1).collect();
    format!("{}…", cut.replace('\n', " "))
}

/// The sentence around `span`, shortened, with the span marked in colour or with « ».
fn highlight(
    text: &str,
    sentence: (usize, usize),
    span: (usize, usize),
    score: f64,
    color: bool,
) -> String {
    let (s0, s1) = sentence;
    let (a, b) = (span.0.clamp(s0, s1), span.1.clamp(s0, s1));
    let before: String = text[s0..a]
        .chars()
        .rev()
        .take(60)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let after: String = text[b..s1].chars().take(60).collect();
    let (open, close) = match (color, score >= 0.0) {
        (true, true) => ("\x1b[1;32m", "\x1b[0m"),
        (true, false) => ("\x1b[1;31m", "\x1b[0m"),
        (false, _) => ("«", "»"),
    };
    let lead = if before.len() < a - s0 { "…" } else { "" };
    let tail = if after.len() < s1 - b { "…" } else { "" };
    format!(
        "{lead}{}{open}{}{close}{}{tail}",
        before.replace('\n', " "),
        &text[a..b],
        after.replace('\n', " ")
    )
}
