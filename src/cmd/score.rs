//! `stance score`: one row per article with its stance on holding the target.

use crate::cmd::choice;
use std::fmt::Display;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::EngineArgs;
use stance::batch::Batch;
use stance::files::OutputPath;
use stance::input::{
    BytesRead, InputFormat, InputOptions, TextEncoding, input_reading, input_size, read_all,
};
use stance::model::engine::Engine;
use stance::read::target::Target;
use stance::run::{Reporter, Rerun, Scoring, destination, is_every_company, stream, thread_count};
use stance::write::csv::CsvOptions;
use stance::write::format::OutputFormat;
use stance::write::incremental::{OutputLock, RowRecipe};
use stance::write::output::{refuse_kept, schema};
use stance::write::sink::EncodedSink;
use stance::write::workbook::WorkbookSink;

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
    let (threads, fewer) =
        thread_count(args.threads).map_err(|e| anyhow::anyhow!("--threads {e}"))?;
    if let Some(why) = fewer {
        super::to_stderr!("warning: --threads {why}");
    }
    if let Some(reason) = (args.keep.iter()).find_map(|name| refuse_kept(name, &args.text_col)) {
        anyhow::bail!(reason);
    }
    let mut engine = args.engine.load()?;
    let every_company = is_every_company(&args.target);
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
    let columns = schema(engine.voice.is_some(), &args.keep);
    let scoring = Scoring {
        batch: Batch::new(&engine, &args.target, min_relevance, threads)?,
        model: engine.model_labels(),
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
    let written = match (&output, format.encoding(csv_options)) {
        (Some(OutputPath::Regular(output)), Some(encoding)) if args.incremental => {
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
            rerun.run(chunks, &scoring, encoding.as_ref(), &columns, &progress)?
        }
        (_, Some(encoding)) => {
            let out = destination(output.as_ref())?;
            let sink = EncodedSink::new(encoding, &columns, out)?;
            stream(chunks, sink, output.as_ref(), &scoring, &progress)?
        }
        (_, None) => {
            let sink = WorkbookSink::new(&columns, destination(output.as_ref())?)?;
            stream(chunks, sink, output.as_ref(), &scoring, &progress)?
        }
    };
    Ok(if written {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
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
}

impl Reporter for Progress {
    fn warn(&self, message: &dyn Display) {
        self.bar.suspend(|| super::to_stderr!("warning: {message}"));
    }

    fn say(&self, message: &dyn Display) {
        self.bar.suspend(|| super::to_stderr!("{message}"));
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
