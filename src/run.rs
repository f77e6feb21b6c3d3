//! The run of `stance score`, whole: input read in chunks, scored in parallel, rows streamed to
//! their sink (one per output format) or merged into an incremental rerun, and the output
//! committed. The command line turns its arguments into a [`Scoring`] and gives its progress bar
//! as the [`Reporter`]; the run knows nothing of the command line.

use std::collections::HashSet;
use std::fmt::Display;
use std::path::Path;
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use crate::batch::Batch;
use crate::error::{Context, Result, bail};
use crate::files::{Destination, OutputPath, parent_dir};
use crate::input::{Article, Item};
use crate::model::engine::ModelLabels;
use crate::model::scorer::Evaluation;
use crate::read::target::Target;
use crate::write::incremental::{NextOutput, Previous, RowRecipe, article_hash};
use crate::write::output::{Column, ScoreRow};
use crate::write::sink::{RowEncoding, RowSink, encode_all};

/// Where a run says how it is going: progress, warnings and its closing lines.
pub trait Reporter {
    /// A problem with one input; the run goes on.
    fn warn(&self, message: &dyn Display);
    /// A line for the person running it (the summary, a note, why nothing was written).
    fn say(&self, message: &dyn Display);
    /// `articles` more were read.
    fn read(&self, _articles: usize) {}
    /// Reading is over.
    fn finish(&self) {}
}

/// Threads per core beyond which more threads only cost memory and start-up.
pub const THREADS_PER_CORE: usize = 4;

/// Threads asked for, checked: at least one, at most [`THREADS_PER_CORE`] per core (with the
/// reason when fewer are used); one per core when none is asked for. Messages start with the
/// number asked for, for the caller to name its option before it.
pub fn thread_count(asked: Option<usize>) -> Result<(usize, Option<String>)> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let most = THREADS_PER_CORE * cores;
    match asked {
        None => Ok((cores, None)),
        Some(0) => bail!("0: give at least 1 (leave it out for one per core)"),
        Some(n) if n > most => Ok((
            most,
            Some(format!(
                "{n} is more than {THREADS_PER_CORE} per core; using {most}"
            )),
        )),
        Some(n) => Ok((n, None)),
    }
}

/// Whether a target asks for a row per company the text names (`auto`) rather than one target.
pub fn is_every_company(target: &str) -> bool {
    target.trim().eq_ignore_ascii_case("auto")
}

/// Where a run's output goes: `None` is standard output.
pub fn destination(output: Option<&OutputPath>) -> Result<Destination> {
    Ok(match output {
        Some(path) => Destination::create(path)
            .with_context(|| format!("creating {}", path.path().display()))?,
        None => Destination::stdout(),
    })
}

/// Articles are read, scored in parallel and written a chunk at a time: up to this many, and no
/// more than [`CHUNK_BYTES`] of text, so memory does not grow with the articles' length.
const CHUNK: usize = 1024;
/// Text per chunk; an article longer than this is a chunk on its own.
const CHUNK_BYTES: usize = 16 << 20;

/// Scores chunks of articles in parallel and encodes their rows.
pub struct Scoring<'e> {
    pub batch: Batch<'e>,
    pub model: ModelLabels,
    /// Input fields passed through to every row.
    pub keep: Vec<String>,
}

impl<'e> Scoring<'e> {
    /// Each article's rows, in the order given, as `prepare` makes them ready for their sink: one
    /// row, or with `--target auto` one per company it names.
    fn rows<P: Send>(
        &self,
        articles: &[Article],
        prepare: impl Fn(&[ScoreRow]) -> Result<P> + Sync,
    ) -> Result<Vec<Row<P>>> {
        self.batch
            .map(articles, |article, evals| {
                let rows: Vec<ScoreRow> = (evals.iter())
                    .map(|eval| {
                        ScoreRow::new(article, eval, &self.model).keeping(article, &self.keep)
                    })
                    .collect();
                let prepared = prepare(&rows)?;
                let reading = if !evals.iter().any(Evaluation::on_target) {
                    Reading::OffTarget
                } else if evals.iter().all(Evaluation::read_nothing) {
                    Reading::Nothing
                } else {
                    Reading::Read
                };
                Ok(Row { prepared, reading })
            })
            .into_iter()
            .collect()
    }

    /// The input in chunks. With more than one thread a reader thread parses ahead (two chunks
    /// at most), so reading overlaps scoring. From standard input (`streaming`) a chunk also
    /// ends when the input pauses, so rows come out while a pipe is still open.
    pub fn chunks(
        &self,
        mut items: impl Iterator<Item = Item> + Send + 'static,
        streaming: bool,
    ) -> Box<dyn Iterator<Item = Vec<Item>>> {
        if streaming {
            let (send, receive) = std::sync::mpsc::sync_channel(STREAM_AHEAD);
            std::thread::spawn(move || {
                for item in items {
                    if send.send(item).is_err() {
                        break;
                    }
                }
            });
            return Box::new(std::iter::from_fn(move || next_chunk_as_read(&receive)));
        }
        let mut read_chunk = move || next_chunk(&mut items);
        if self.batch.threads() == 1 {
            return Box::new(std::iter::from_fn(read_chunk));
        }
        let (send, receive) = std::sync::mpsc::sync_channel(1);
        std::thread::spawn(move || {
            while let Some(chunk) = read_chunk() {
                if send.send(chunk).is_err() {
                    break;
                }
            }
        });
        Box::new(receive.into_iter())
    }
}

/// An article's rows as its sink prepared them, and what the scorer could read of it.
struct Row<P> {
    prepared: P,
    reading: Reading,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Reading {
    Read,
    /// The article never names its target.
    OffTarget,
    /// The target is named, but no cue or term was found.
    Nothing,
}

/// Rows that carry no reading, counted so that the summary says so instead of letting them
/// pass for confident neutrals.
#[derive(Default)]
struct Tally {
    scored: usize,
    off_target: usize,
    read_nothing: usize,
}

impl Tally {
    fn add(&mut self, article: &Article, reading: Reading, reporter: &dyn Reporter) {
        self.scored += 1;
        match reading {
            Reading::Read => {}
            Reading::OffTarget => self.off_target += 1,
            Reading::Nothing => {
                self.read_nothing += 1;
                reporter.warn(&format!(
                    "{}: nothing in it was read (no lexicon cue and no model term; is it in a \
                     language the lexicons cover?): reported neutral with confidence 0",
                    article.id
                ));
            }
        }
    }

    /// What the summary line adds about rows without a reading.
    fn notes(&self, target: &Target, min_relevance: Option<u8>) -> String {
        let mut notes = String::new();
        if let (Some(min), true) = (min_relevance, self.off_target > 0) {
            notes.push_str(&format!(
                "; {} of {} name no listed company with relevance {min} or more, and have no row",
                self.off_target, self.scored
            ));
        } else if self.off_target > 0 {
            notes.push_str(&format!(
                "; {} of {} never name {}: use --target NAME, a target field, or --target any",
                self.off_target,
                self.scored,
                match target {
                    Target::Named { name, .. } => format!("{name:?} (or their own target)"),
                    Target::Any => "their target".to_string(),
                }
            ));
        }
        if self.read_nothing > 0 {
            notes.push_str(&format!(
                "; {} had nothing read and are reported neutral with confidence 0",
                self.read_nothing
            ));
        }
        notes
    }
}

/// The next chunk of `items`: up to [`CHUNK`] articles and [`CHUNK_BYTES`] of text.
fn next_chunk(items: &mut impl Iterator<Item = Item>) -> Option<Vec<Item>> {
    let (mut chunk, mut bytes) = (Vec::new(), 0);
    while chunk.len() < CHUNK && bytes < CHUNK_BYTES {
        let Some(item) = items.next() else { break };
        bytes += item.as_ref().map_or(0, |article| article.text.len());
        chunk.push(item);
    }
    (!chunk.is_empty()).then_some(chunk)
}

/// Articles read from standard input ahead of scoring.
const STREAM_AHEAD: usize = 16;
/// A streamed chunk ends when no article comes for this long...
const STREAM_PAUSE: Duration = Duration::from_millis(20);
/// ...or once it has waited this long since its first article.
const STREAM_WAIT: Duration = Duration::from_millis(500);

/// The next chunk of a stream: what [`next_chunk`] takes, but no more than has come before the
/// input pauses.
fn next_chunk_as_read(items: &Receiver<Item>) -> Option<Vec<Item>> {
    let first = items.recv().ok()?;
    let deadline = Instant::now() + STREAM_WAIT;
    let more = std::iter::from_fn(|| {
        let wait = STREAM_PAUSE.min(deadline.saturating_duration_since(Instant::now()));
        items.recv_timeout(wait).ok()
    });
    next_chunk(&mut std::iter::once(first).chain(more))
}

/// Every row, in input order, written as it is made. `Ok(false)`: nothing could be scored, and
/// the previous output, if any, stays as it was.
pub fn stream<S: RowSink>(
    chunks: impl Iterator<Item = Vec<Item>>,
    mut sink: S,
    output: Option<&OutputPath>,
    scoring: &Scoring,
    reporter: &dyn Reporter,
) -> Result<bool> {
    let (mut tally, mut problems) = (Tally::default(), 0usize);
    for chunk in chunks {
        reporter.read(chunk.len());
        let mut articles = Vec::with_capacity(chunk.len());
        for item in chunk {
            match item {
                Ok(article) => articles.push(article),
                Err(p) => {
                    reporter.warn(&p);
                    problems += 1;
                }
            }
        }
        let rows = scoring.rows(&articles, |rows| sink.prepare(rows))?;
        for (article, row) in articles.iter().zip(rows) {
            for w in &article.warnings {
                reporter.warn(&w);
            }
            tally.add(article, row.reading, reporter);
            sink.write(row.prepared)?;
        }
        sink.flush()?;
    }
    reporter.finish();
    reporter.say(&format_args!(
        "scored {} article(s), {problems} problem(s){}",
        tally.scored,
        tally.notes(&scoring.batch.default_target, scoring.batch.min_relevance)
    ));
    if tally.scored == 0 {
        reporter.say(&"error: nothing could be scored");
        return Ok(false);
    }
    let notes = sink.commit().with_context(|| {
        format!(
            "writing {}",
            output.map_or(Path::new("-"), OutputPath::path).display()
        )
    })?;
    for note in notes {
        reporter.warn(&note);
    }
    Ok(true)
}

/// An incremental run against the output and manifest of the previous one.
pub struct Rerun<'a> {
    pub output: &'a Path,
    /// What made the rows: a rerun reuses a row only when it is the same.
    pub recipe: RowRecipe,
    /// Rescore every article.
    pub force: bool,
    /// Keep the rows of articles no longer in the input.
    pub keep_missing: bool,
}

#[derive(Default)]
struct Counts {
    new: usize,
    changed: usize,
    unchanged: usize,
    removed: usize,
    kept_missing: usize,
    errors: usize,
}

impl Rerun<'_> {
    /// `Ok(false)`: nothing to write, and the output stays as it was.
    pub fn run(
        &self,
        chunks: impl Iterator<Item = Vec<Item>>,
        scoring: &Scoring,
        encoding: &dyn RowEncoding,
        columns: &[Column],
        reporter: &dyn Reporter,
    ) -> Result<bool> {
        let mut previous = Previous::load(self.output, &self.recipe, self.force);
        if let Some(reason) = &previous.rescore_reason {
            reporter.say(&format_args!("note: {reason}: scoring every article"));
        }
        let dir = parent_dir(self.output);
        let mut next = NextOutput::new(dir)
            .with_context(|| format!("creating a temporary file in {}", dir.display()))?;
        let mut counts = Counts::default();
        let mut tally = Tally::default();
        for chunk in chunks {
            reporter.read(chunk.len());
            let mut to_score: Vec<(Article, String)> = Vec::new();
            let mut chunk_ids = HashSet::new();
            for item in chunk {
                let article = match item {
                    Ok(article) => article,
                    Err(p) => {
                        reporter.warn(&p);
                        counts.errors += 1;
                        // An article that cannot be read now keeps its earlier row.
                        if let Some(row) =
                            p.id.as_deref()
                                .and_then(|id| previous.get(id))
                                .filter(|_| previous.reusable)
                                .filter(|row| !next.contains(&row.id))
                        {
                            next.keep(row);
                        }
                        continue;
                    }
                };
                if next.contains(&article.id) || !chunk_ids.insert(article.id.clone()) {
                    reporter.warn(&format!(
                        "{}: duplicate id, skipped (an earlier article has it)",
                        article.id
                    ));
                    counts.errors += 1;
                    continue;
                }
                let hash = article_hash(&article);
                match previous.get(&article.id) {
                    None => counts.new += 1,
                    Some(row) if row.article != hash => counts.changed += 1,
                    Some(_) => counts.unchanged += 1,
                }
                match previous.reusable_row(&article.id, &hash) {
                    Some(row) => next.keep(row),
                    None => to_score.push((article, hash)),
                }
            }
            let (articles, hashes): (Vec<Article>, Vec<String>) = to_score.into_iter().unzip();
            let rows = scoring.rows(&articles, |rows| encode_all(encoding, rows))?;
            for ((article, hash), row) in articles.into_iter().zip(hashes).zip(&rows) {
                for w in &article.warnings {
                    reporter.warn(&w);
                }
                tally.add(&article, row.reading, reporter);
                next.add(article.id, hash, &row.prepared)?;
            }
        }
        reporter.finish();
        let missing: Vec<String> = previous
            .ids()
            .filter(|id| !next.contains(id))
            .map(str::to_string)
            .collect();
        for id in &missing {
            match previous
                .get(id)
                .filter(|_| self.keep_missing && previous.reusable)
            {
                Some(row) => {
                    next.keep(&row.clone());
                    counts.kept_missing += 1;
                }
                None => counts.removed += 1,
            }
        }
        if self.keep_missing && !previous.reusable && counts.removed > 0 {
            reporter.warn(&format!(
                "{} missing article(s) dropped: their rows were made with another model, \
                 lexicons, targets or settings",
                counts.removed
            ));
        }
        let summary = format!(
            "{} new, {} changed, {} unchanged, {} removed{}, {} errors; {} scored{}",
            counts.new,
            counts.changed,
            counts.unchanged,
            counts.removed,
            if counts.kept_missing > 0 {
                format!(" ({} missing kept)", counts.kept_missing)
            } else {
                String::new()
            },
            counts.errors,
            tally.scored,
            tally.notes(&scoring.batch.default_target, scoring.batch.min_relevance)
        );
        if next.is_empty() {
            reporter.say(&summary);
            reporter.say(&format_args!(
                "error: nothing to write; {} left as it was",
                self.output.display()
            ));
            return Ok(false);
        }
        let header = encoding.header(columns);
        next.commit(self.output, &header, &mut previous, &self.recipe)?;
        reporter.say(&summary);
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk_sizes(text_lengths: impl Iterator<Item = usize>) -> Vec<usize> {
        let mut items = text_lengths.map(|n| {
            Ok(Article {
                text: "a".repeat(n),
                ..Article::default()
            })
        });
        std::iter::from_fn(|| next_chunk(&mut items))
            .map(|chunk| chunk.len())
            .collect()
    }

    #[test]
    fn chunks_are_bounded_by_count_and_by_text() {
        assert_eq!(
            chunk_sizes(std::iter::repeat_n(10, 2500)),
            [1024, 1024, 452]
        );
        // Long articles: a chunk stops once it holds CHUNK_BYTES; a longer one stands alone.
        let mb = 1 << 20;
        assert_eq!(chunk_sizes(std::iter::repeat_n(mb, 40)), [16, 16, 8]);
        assert_eq!(chunk_sizes([20 * mb, 10, 10].into_iter()), [1, 2]);
        assert!(chunk_sizes(std::iter::empty()).is_empty());
    }
}
