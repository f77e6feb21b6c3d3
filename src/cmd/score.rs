//! `stance score`: one row per article with its stance on holding the target.

use crate::cmd::choice;
use std::collections::HashSet;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use anyhow::Context;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::EngineArgs;
use stance::batch::Batch;
use stance::engine::Engine;
use stance::files::{Destination, OutputPath, parent_dir};
use stance::incremental::{NextOutput, OutputLock, Previous, RowRecipe, article_hash};
use stance::input::{
    Article, BytesRead, InputFormat, InputOptions, Item, TextEncoding, input_reading, input_size,
    read_all,
};
use stance::output::{CsvOptions, OutputFormat, RowEncoder, ScoreRow, refuse_kept, schema};
use stance::score::Evaluation;
use stance::target::Target;
use stance::workbook::{ScoreWorkbook, SheetRow};

const ABOUT: &str = "Score articles: stance on holding the target, probabilities, drivers";
const LONG_ABOUT: &str = "\
Score articles: stance on holding the target, probabilities, drivers.

Inputs are files, directories (recursive; .txt and .md), JSON Lines (.jsonl: one object per line
with \"text\" and optional id, title, date, source, url, target), CSV (--text-col) or - for stdin.
Text files may start with a front-matter block between --- lines (title, date, source, url,
target). Problems with an input are reported on stderr and the rest is still scored; the exit
status is non-zero only when nothing could be scored.

Rows come in input order; a directory is read in id order (its paths), whatever order the file
system lists them in. From standard input, rows are written as each chunk is scored, and a
chunk ends when the input pauses, so the reader of a pipe sees rows while it is still open.
With -o, the file is replaced atomically at the end, and OUTPUT.lock stops a second run on the
same output while one is writing. -o FILE.xlsx writes an Excel workbook (see `stance workbook`).

--incremental keeps OUTPUT.manifest.json beside the output: a rerun scores only new and changed
articles, copies every other row byte for byte, drops rows of articles that are gone (unless
--keep-missing), sorts rows by id, and rescores everything when the model, lexicons, targets,
output settings or stance build changed (or with --force). A run killed at any moment leaves the
previous output; the next run finishes the job.";

#[derive(clap::Args, Debug)]
#[command(about = ABOUT, long_about = LONG_ABOUT)]
pub struct Args {
    /// Files, directories, or - for standard input
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<String>,
    /// Write here instead of standard output (replaced atomically when the run ends)
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Output format [default: from the -o file's extension (.xlsx, .jsonl), else csv]
    #[arg(long, value_parser = choice::<OutputFormat>())]
    pub format: Option<OutputFormat>,
    /// Leave CSV text cells as they are; by default a cell starting with = + - @ tab or CR gets a
    /// leading ' so no spreadsheet runs it as a formula
    #[arg(long)]
    pub raw_csv: bool,
    /// Start the CSV with a UTF-8 byte-order mark, so Excel shows non-ASCII titles correctly
    #[arg(long)]
    pub excel: bool,
    /// Company to score against: a name, ticker ($PDD, 9988.HK), alias or former name of a listed
    /// company or of the targets file (see `stance targets find`), any other name as written,
    /// "any" to score every sentence, or "auto" for a row per listed company each article
    /// names. A per-article target field wins.
    #[arg(long, default_value = "alibaba")]
    pub target: String,
    /// With --target auto: the least relevance a company needs to get a row (100 when the
    /// headline names it; 50 when about one sentence in twelve does)
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u8).range(1..=100))]
    pub min_relevance: u8,
    #[arg(long, value_parser = choice::<InputFormat>(), default_value = "auto")]
    pub input_format: InputFormat,
    /// CSV or JSONL field holding the text
    #[arg(long, default_value = "text")]
    pub text_col: String,
    /// CSV or JSONL field holding the article id
    #[arg(long, default_value = "id")]
    pub id_col: String,
    /// Input fields (CSV columns, JSONL fields, front-matter keys, url) to pass through to every
    /// row, after the standard columns, in this order; empty where an article lacks one
    #[arg(long, value_name = "FIELD,...", value_delimiter = ',')]
    pub keep: Vec<String>,
    /// Skip any article (file, JSONL line, CSV record) larger than this many bytes
    #[arg(long, default_value_t = 16 << 20)]
    pub max_article_bytes: usize,
    /// How input bytes are read as text; a byte-order mark always wins
    #[arg(long, value_parser = choice::<TextEncoding>(), default_value = "auto")]
    pub encoding: TextEncoding,
    /// Threads that score in parallel [default: one per core; at most 4 per core]; the output is
    /// the same for any number
    #[arg(long)]
    pub threads: Option<usize>,
    /// Score only new and changed articles, keeping a manifest beside the output (needs -o)
    #[arg(long, requires = "output")]
    pub incremental: bool,
    /// With --incremental: keep the rows of articles no longer in the input
    #[arg(long, requires = "incremental")]
    pub keep_missing: bool,
    /// With --incremental: rescore every article
    #[arg(long, requires = "incremental")]
    pub force: bool,
    /// No progress bar (it is shown only when stderr is a terminal)
    #[arg(short, long)]
    pub quiet: bool,
    #[command(flatten)]
    pub engine: EngineArgs,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let output = args
        .output
        .as_deref()
        .map(|path| checked_output(path, &args.paths, args.incremental))
        .transpose()?;
    anyhow::ensure!(
        !args.target.trim().is_empty(),
        "--target is empty: give a company name or alias, or \"any\" to score every sentence"
    );
    let threads = thread_count(args.threads)?;
    if let Some(reason) = (args.keep.iter()).find_map(|name| refuse_kept(name, &args.text_col)) {
        anyhow::bail!(reason);
    }
    let mut engine = args.engine.load()?;
    let every_company = args.target.trim().eq_ignore_ascii_case("auto");
    if every_company {
        engine.find_every_company();
    } else {
        note_unlisted(&engine, &args.target);
    }
    let min_relevance = every_company.then_some(args.min_relevance);
    let options = InputOptions {
        format: args.input_format,
        text_col: args.text_col.clone(),
        id_col: args.id_col.clone(),
        max_article_bytes: args.max_article_bytes,
        encoding: args.encoding,
        bytes_read: BytesRead::default(),
    };
    let format = args
        .format
        .or(args.output.as_deref().map(OutputFormat::of_path))
        .unwrap_or(OutputFormat::Csv);
    if format == OutputFormat::Xlsx {
        check_workbook_args(&args)?;
    }
    let csv_options = CsvOptions {
        raw: args.raw_csv,
        bom: args.excel,
    };
    let encoder = RowEncoder::new(format, csv_options);
    let with_voice = engine.voice.is_some();
    let header = encoder.header(with_voice, &args.keep)?;
    let workbook = (format == OutputFormat::Xlsx)
        .then(|| ScoreWorkbook::new(&schema(with_voice, &args.keep)))
        .transpose()?;
    let scoring = Scoring {
        batch: Batch::new(&engine, &args.target, min_relevance, threads)?,
        model: engine.model_labels(),
        encoder,
        sheet: format == OutputFormat::Xlsx,
        keep: args.keep.clone(),
    };
    // A device or FIFO is not replaced, so it needs no lock beside it.
    let _lock = match &output {
        Some(OutputPath::Regular(path)) => Some(OutputLock::acquire(path)?),
        _ => None,
    };
    let progress = Progress::new(args.quiet, &args.paths, options.bytes_read.clone());
    let streaming = args.paths.iter().any(|p| p == "-");
    let chunks = scoring.chunks(read_all(args.paths.clone(), &options), streaming);
    let code = match &output {
        Some(OutputPath::Regular(output)) if args.incremental => {
            let recipe = RowRecipe {
                engine: engine.fingerprint(),
                // The target as rows show it: a known company's name whatever its spelling.
                settings: format!(
                    "format={:?} raw_csv={} excel={} target={}{}{}",
                    format,
                    args.raw_csv,
                    args.excel,
                    scoring.batch.default_target.name(),
                    min_relevance.map_or(String::new(), |m| format!(" min_relevance={m}")),
                    if args.keep.is_empty() {
                        String::new()
                    } else {
                        format!(" keep={}", args.keep.join(","))
                    }
                ),
            };
            let rerun = Rerun {
                output,
                recipe,
                force: args.force,
                keep_missing: args.keep_missing,
            };
            rerun.run(chunks, &scoring, &header, &progress)?
        }
        _ => {
            let sink = Sink::create(output.as_ref(), header, workbook)?;
            stream(chunks, sink, output.as_ref(), &scoring, &progress)?
        }
    };
    Ok(code)
}

/// Refuses what a workbook cannot do, before anything is scored.
fn check_workbook_args(args: &Args) -> anyhow::Result<()> {
    anyhow::ensure!(
        !args.incremental,
        "--incremental copies earlier rows byte for byte, which a workbook cannot hold: score \
         incrementally to a CSV (-o scores.csv --incremental), then `stance workbook scores.csv \
         -o scores.xlsx`"
    );
    anyhow::ensure!(
        !args.raw_csv && !args.excel,
        "--raw-csv and --excel shape CSV; a workbook's text cells are never formulas and keep \
         their UTF-8 as it is"
    );
    super::workbook_destination(args.output.as_deref())
}

/// Where a plain run's rows go: bytes written as each chunk is scored, or a workbook whose
/// scores sheet fills as they come and which is saved when the run ends.
enum Sink {
    Bytes(Destination),
    Workbook(Box<ScoreWorkbook>, Destination),
}

impl Sink {
    fn create(
        output: Option<&OutputPath>,
        header: Vec<u8>,
        workbook: Option<ScoreWorkbook>,
    ) -> anyhow::Result<Sink> {
        let mut destination = match output {
            Some(path) => Destination::create(path)
                .with_context(|| format!("creating {}", path.path().display()))?,
            None => Destination::stdout(),
        };
        Ok(match workbook {
            Some(book) => Sink::Workbook(Box::new(book), destination),
            None => {
                destination.write_all(&header)?;
                Sink::Bytes(destination)
            }
        })
    }

    fn write(&mut self, row: Row) -> anyhow::Result<()> {
        match self {
            Sink::Bytes(out) => out.write_all(&row.bytes)?,
            Sink::Workbook(book, _) => book.add_rows(row.sheet)?,
        }
        Ok(())
    }

    /// Hands a chunk's rows on at once, so a reader of a pipe sees them before the input ends.
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Sink::Bytes(out) => out.flush(),
            Sink::Workbook(..) => Ok(()),
        }
    }

    fn commit(self, progress: &Progress) -> anyhow::Result<()> {
        match self {
            Sink::Bytes(out) => out.commit()?,
            Sink::Workbook(book, mut out) => {
                let notes = book.save(&mut out)?;
                if notes.cut_cells > 0 {
                    progress.warn(format!(
                        "{} text cell(s) longer than Excel's 32,767 characters were cut to fit",
                        notes.cut_cells
                    ));
                }
                out.commit()?;
            }
        }
        Ok(())
    }
}

/// Says so when `--target` names no company the targets file or the company table knows.
fn note_unlisted(engine: &Engine, target: &str) {
    let resolved = engine.targets.resolve_explained(target);
    if resolved.found.is_none() && !resolved.hand_entry && resolved.target != Target::Any {
        super::to_stderr!(
            "note: --target {target:?} is not a listed company or a targets-file entry: it is \
             matched as written (see `stance targets find`)"
        );
    }
}

/// Threads per core beyond which more threads only cost memory and start-up.
const THREADS_PER_CORE: usize = 4;

/// `--threads`, checked: at least one, at most [`THREADS_PER_CORE`] per core.
fn thread_count(asked: Option<usize>) -> anyhow::Result<usize> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    match asked {
        None => Ok(cores),
        Some(0) => anyhow::bail!("--threads 0: give at least 1 (leave it out for one per core)"),
        Some(n) if n > THREADS_PER_CORE * cores => {
            let most = THREADS_PER_CORE * cores;
            super::to_stderr!(
                "warning: --threads {n} is more than {THREADS_PER_CORE} per core; using {most}"
            );
            Ok(most)
        }
        Some(n) => Ok(n),
    }
}

/// Refuses, before anything is scored, an output that cannot be written safely.
fn checked_output(path: &Path, inputs: &[String], incremental: bool) -> anyhow::Result<OutputPath> {
    let output = OutputPath::resolve(path)?;
    if let Some(input) = input_reading(inputs, output.path()) {
        anyhow::bail!(
            "{}: the output would be read as input {input}; write it somewhere else",
            path.display()
        );
    }
    if incremental && !output.is_regular() {
        anyhow::bail!(
            "{}: --incremental needs a regular file as output (this is a device, FIFO, socket or \
             a descriptor the shell opened)",
            path.display()
        );
    }
    Ok(output)
}

/// Articles are read, scored in parallel and written a chunk at a time: up to this many, and no
/// more than [`CHUNK_BYTES`] of text, so memory does not grow with the articles' length.
const CHUNK: usize = 1024;
/// Text per chunk; an article longer than this is a chunk on its own.
const CHUNK_BYTES: usize = 16 << 20;

/// Scores chunks of articles in parallel and encodes their rows.
struct Scoring<'e> {
    batch: Batch<'e>,
    model: stance::engine::ModelLabels,
    encoder: RowEncoder,
    /// Rows go to a workbook as typed cells, not encoded.
    sheet: bool,
    /// Input fields passed through to every row.
    keep: Vec<String>,
}

impl<'e> Scoring<'e> {
    /// One encoded row per article, in the order given: one row, or with `--target auto` one per
    /// company it names.
    fn rows(&self, articles: &[Article]) -> io::Result<Vec<Row>> {
        self.batch
            .map(articles, |scorer, article, evals| {
                let (mut bytes, mut sheet) = (Vec::new(), Vec::new());
                for eval in &evals {
                    let row = ScoreRow::new(article, eval, scorer.labels(), &self.model)
                        .keeping(article, &self.keep);
                    if self.sheet {
                        sheet.push(SheetRow::of(&row));
                    } else {
                        self.encoder.encode(&row, &mut bytes)?;
                    }
                }
                let reading = if !evals.iter().any(Evaluation::on_target) {
                    Reading::OffTarget
                } else if evals.iter().all(Evaluation::read_nothing) {
                    Reading::Nothing
                } else {
                    Reading::Read
                };
                Ok(Row {
                    bytes,
                    sheet,
                    reading,
                })
            })
            .into_iter()
            .collect()
    }

    /// The input in chunks. With more than one thread a reader thread parses ahead (two chunks
    /// at most), so reading overlaps scoring. From standard input (`streaming`) a chunk also
    /// ends when the input pauses, so rows come out while a pipe is still open.
    fn chunks(
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

/// An article's rows, encoded or for a workbook, and what the scorer could read of it.
struct Row {
    bytes: Vec<u8>,
    sheet: Vec<SheetRow>,
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
    fn add(&mut self, article: &Article, row: &Row, progress: &Progress) {
        self.scored += 1;
        match row.reading {
            Reading::Read => {}
            Reading::OffTarget => self.off_target += 1,
            Reading::Nothing => {
                self.read_nothing += 1;
                progress.warn(format!(
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

/// A progress bar on stderr when it is a terminal; warnings go through it so they do not tear it.
/// When the inputs' size is known it shows bytes read against it, with a rate and an ETA;
/// otherwise (standard input) articles read and the time taken.
struct Progress {
    bar: ProgressBar,
    bytes_read: Option<BytesRead>,
    articles: std::cell::Cell<usize>,
}

impl Progress {
    fn new(quiet: bool, inputs: &[String], bytes_read: BytesRead) -> Self {
        if quiet || !std::io::stderr().is_terminal() {
            return Progress {
                bar: ProgressBar::hidden(),
                bytes_read: None,
                articles: Default::default(),
            };
        }
        let total_bytes = input_size(inputs);
        let (template, bar) = match total_bytes {
            Some(total) => (
                "{bar:30} {bytes}/{total_bytes} ({binary_bytes_per_sec}), {msg}, ETA {eta}",
                ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr()),
            ),
            None => (
                "{spinner} {human_pos} articles read in {elapsed}",
                ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()),
            ),
        };
        bar.set_style(ProgressStyle::with_template(template).expect("a valid template"));
        Progress {
            bar,
            bytes_read: total_bytes.map(|_| bytes_read),
            articles: Default::default(),
        }
    }

    fn warn(&self, message: impl std::fmt::Display) {
        self.bar.suspend(|| super::to_stderr!("warning: {message}"));
    }

    fn read(&self, articles: usize) {
        match &self.bytes_read {
            // The position is in bytes; the article count rides in the message.
            Some(bytes) => {
                self.articles.set(self.articles.get() + articles);
                self.bar.set_position(bytes.get());
                self.bar
                    .set_message(format!("{} articles", self.articles.get()));
            }
            None => self.bar.inc(articles as u64),
        }
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// Every row, in input order, written as it is made.
fn stream(
    chunks: impl Iterator<Item = Vec<Item>>,
    mut sink: Sink,
    output: Option<&OutputPath>,
    scoring: &Scoring,
    progress: &Progress,
) -> anyhow::Result<ExitCode> {
    let (mut tally, mut problems) = (Tally::default(), 0usize);
    for chunk in chunks {
        progress.read(chunk.len());
        let mut articles = Vec::with_capacity(chunk.len());
        for item in chunk {
            match item {
                Ok(article) => articles.push(article),
                Err(p) => {
                    progress.warn(&p);
                    problems += 1;
                }
            }
        }
        let rows = scoring.rows(&articles)?;
        for (article, row) in articles.iter().zip(rows) {
            for w in &article.warnings {
                progress.warn(w);
            }
            tally.add(article, &row, progress);
            sink.write(row)?;
        }
        sink.flush()?;
    }
    progress.finish();
    super::to_stderr!(
        "scored {} article(s), {problems} problem(s){}",
        tally.scored,
        tally.notes(&scoring.batch.default_target, scoring.batch.min_relevance)
    );
    if tally.scored == 0 {
        // The previous output, if any, stays as it was.
        super::to_stderr!("error: nothing could be scored");
        return Ok(ExitCode::from(1));
    }
    sink.commit(progress).with_context(|| {
        format!(
            "writing {}",
            output.map_or(Path::new("-"), OutputPath::path).display()
        )
    })?;
    Ok(ExitCode::SUCCESS)
}

/// An incremental run against the output and manifest of the previous one.
struct Rerun<'a> {
    output: &'a Path,
    recipe: RowRecipe,
    force: bool,
    keep_missing: bool,
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
    fn run(
        &self,
        chunks: impl Iterator<Item = Vec<Item>>,
        scoring: &Scoring,
        header: &[u8],
        progress: &Progress,
    ) -> anyhow::Result<ExitCode> {
        let mut previous = Previous::load(self.output, &self.recipe, self.force);
        if let Some(reason) = &previous.rescore_reason {
            progress.bar.suspend(|| {
                super::to_stderr!("note: {reason}: scoring every article");
            });
        }
        let dir = parent_dir(self.output);
        let mut next = NextOutput::new(dir)
            .with_context(|| format!("creating a temporary file in {}", dir.display()))?;
        let mut counts = Counts::default();
        let mut tally = Tally::default();
        for chunk in chunks {
            progress.read(chunk.len());
            let mut to_score: Vec<(Article, String)> = Vec::new();
            let mut chunk_ids = HashSet::new();
            for item in chunk {
                let article = match item {
                    Ok(article) => article,
                    Err(p) => {
                        progress.warn(&p);
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
                    progress.warn(format!(
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
            let rows = scoring.rows(&articles)?;
            for ((article, hash), row) in articles.into_iter().zip(hashes).zip(&rows) {
                for w in &article.warnings {
                    progress.warn(w);
                }
                tally.add(&article, row, progress);
                next.add(article.id, hash, &row.bytes)?;
            }
        }
        progress.finish();
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
            progress.warn(format!(
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
            super::to_stderr!("{summary}");
            super::to_stderr!(
                "error: nothing to write; {} left as it was",
                self.output.display()
            );
            return Ok(ExitCode::from(1));
        }
        next.commit(self.output, header, &mut previous, &self.recipe)?;
        super::to_stderr!("{summary}");
        Ok(ExitCode::SUCCESS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stance::input::Article;

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
