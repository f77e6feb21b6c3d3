//! Measuring on labelled data with the same stages as scoring: labelled rows read by a model as it
//! is (the default path, or one model alone), and a document corpus measured overall, by source
//! and by voice. `stance eval` prints what these return.

use crate::input::Article;
use crate::learn::corpus::LabelledDocument;
use crate::learn::metrics::Metrics;
use crate::learn::train::Example;
use crate::model::classes::{BEARISH, BULLISH, NEUTRAL, STANCE_CLASSES, VOICE_CLASSES};
use crate::model::engine::Engine;
use crate::model::linear::Task;
use crate::model::scorer::Scorer;
use crate::read::analysis::Document;

/// Labels that are only bearish and bullish (StockTwits author tags) say which way and no more:
/// such rows are predicted and scored on direction.
pub fn is_direction_only(task: Task, labels: impl IntoIterator<Item = usize>) -> bool {
    task != Task::Voice && labels.into_iter().all(|y| y != NEUTRAL)
}

/// What the default path says of one text.
#[derive(Clone, Copy, Debug)]
pub struct Reading {
    pub stance: usize,
    pub voice: Option<usize>,
    /// P(bullish) >= P(bearish): the direction a bullish/bearish tag is judged by.
    pub bullish: bool,
    /// Whether the text names its target (relevance above 0).
    pub on_target: bool,
}

/// Each article read as `stance score` reads it, for its own target or else `default_target`.
pub fn read_all<'a>(
    engine: &Engine,
    articles: impl Iterator<Item = &'a Article>,
    default_target: &str,
) -> Vec<Reading> {
    let default_target = engine.targets.resolve(default_target);
    let mut scorer = Scorer::new(engine);
    articles
        .map(|a| {
            let target = (engine.targets).resolve_or(a.target.as_deref(), &default_target);
            let eval = scorer.evaluate(Document::from(a), &target);
            let p = eval.probabilities();
            Reading {
                stance: eval.stance_class().column(),
                voice: eval.voice.as_ref().map(|v| v.best()),
                bullish: p[BULLISH] >= p[BEARISH],
                on_target: eval.on_target(),
            }
        })
        .collect()
}

/// Each example's predicted class for `task`, as `stance score` reads it; on direction-only
/// labels, the likelier side.
pub fn predict(
    engine: &Engine,
    examples: &[Example],
    default_target: &str,
    task: Task,
    direction: bool,
) -> Vec<usize> {
    let read = read_all(engine, examples.iter().map(|e| &e.article), default_target);
    (read.iter())
        .map(|r| match task {
            _ if direction => match r.bullish {
                true => BULLISH,
                false => BEARISH,
            },
            Task::Stance | Task::Article => r.stance,
            Task::Voice => r.voice.unwrap_or(1),
        })
        .collect()
}

/// Which path decides what is evaluated for `task`: what `stance score` writes, or one model.
pub fn decision_path(engine: &Engine, task: Task) -> String {
    match (&engine.article, &engine.voice, task) {
        (Some(article), _, Task::Stance | Task::Article) => format!(
            "the default path: the stance model {} read by the article model {}, as \
             `stance score` writes (--no-article-model for the stance model alone)",
            engine.stance.model.name, article.model.name
        ),
        (None, _, Task::Stance | Task::Article) => format!(
            "the stance model {} alone, by its score bands",
            engine.stance.model.name
        ),
        (_, voice, Task::Voice) => format!(
            "the voice model {}",
            voice.as_ref().map_or("", |v| v.model.name.as_str())
        ),
    }
}

/// Metrics of `truth` against `predicted`, on direction (bearish against bullish) when asked.
pub fn metrics(task: Task, truth: &[usize], predicted: &[usize], direction: bool) -> Metrics {
    if !direction {
        return Metrics::new(&task.classes(), truth, predicted);
    }
    let side = |c: &usize| usize::from(*c == BULLISH);
    let (t, p): (Vec<usize>, Vec<usize>) = (
        truth.iter().map(side).collect(),
        predicted.iter().map(side).collect(),
    );
    Metrics::new(&["bearish", "bullish"], &t, &p)
}

/// One part of a document corpus and how it read.
pub struct CorpusPart {
    pub name: String,
    pub documents: usize,
    pub stance: Metrics,
    /// Only where the engine has a voice model and some document of the part a voice label.
    pub voice: Option<Metrics>,
    /// Documents that never name their company (relevance 0).
    pub company_not_found: usize,
}

/// A document corpus scored as it is, each document for its labelled company: the whole (named
/// `all (SPLIT)`), each source, each voice.
pub fn corpus_parts(
    engine: &Engine,
    documents: &[LabelledDocument],
    split: &str,
) -> Vec<CorpusPart> {
    let scored = read_all(engine, documents.iter().map(|d| &d.article), "any");
    let all = (0..documents.len()).collect();
    let mut parts: Vec<(String, Vec<usize>)> = vec![(format!("all ({split})"), all)];
    let mut sources: Vec<&str> = documents.iter().map(|d| d.source.as_str()).collect();
    sources.sort_unstable();
    sources.dedup();
    for source in sources {
        let rows = (0..documents.len()).filter(|&i| documents[i].source == source);
        parts.push((format!("source {source}"), rows.collect()));
    }
    for (v, voice) in VOICE_CLASSES.iter().enumerate() {
        let rows: Vec<usize> = (0..documents.len())
            .filter(|&i| documents[i].voice == Some(v))
            .collect();
        if !rows.is_empty() {
            parts.push((format!("voice {voice}"), rows));
        }
    }
    let voices = engine.voice.is_some();
    let measure = |(name, rows): (String, Vec<usize>)| {
        let truth: Vec<usize> = rows.iter().map(|&i| documents[i].stance).collect();
        let read: Vec<usize> = rows.iter().map(|&i| scored[i].stance).collect();
        let voiced: Vec<(usize, usize)> = (rows.iter())
            .filter_map(|&i| Some((documents[i].voice?, scored[i].voice?)))
            .collect();
        let voice = (voices && !voiced.is_empty()).then(|| {
            let (truth, read): (Vec<usize>, Vec<usize>) = voiced.into_iter().unzip();
            Metrics::new(&VOICE_CLASSES, &truth, &read)
        });
        CorpusPart {
            name,
            documents: rows.len(),
            stance: Metrics::new(&STANCE_CLASSES, &truth, &read),
            voice,
            company_not_found: rows.iter().filter(|&&i| !scored[i].on_target).count(),
        }
    };
    parts.into_iter().map(measure).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_without_neutral_are_scored_on_direction() {
        assert!(is_direction_only(Task::Stance, [BEARISH, BULLISH]));
        assert!(!is_direction_only(Task::Stance, [BEARISH, NEUTRAL]));
        assert!(!is_direction_only(Task::Voice, [0, 2]));
        // A neutral prediction counts as bearish on direction, as P(bullish) < P(bearish) would.
        let truth = [BEARISH, BULLISH, BULLISH];
        let read = [NEUTRAL, BULLISH, BEARISH];
        let on_direction = metrics(Task::Stance, &truth, &read, true);
        assert!((on_direction.accuracy - 2.0 / 3.0).abs() < 1e-12);
        let by_class = metrics(Task::Stance, &truth, &read, false);
        assert!((by_class.accuracy - 1.0 / 3.0).abs() < 1e-12);
    }
}
