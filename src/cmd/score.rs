//! `stance score`: one row per article with its stance on holding the target.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use super::EngineArgs;
use std::sync::Mutex;

use rayon::prelude::*;

use crate::input::{Article, InputFormat, InputOptions, Item, Problem, read_all};
use crate::output::{CsvOptions, Destination, OutputFormat, RowWriter, ScoreRow};
use crate::score::{Document, Scorer};

const ABOUT: &str = "Score articles: stance on holding the target, probabilities, drivers";
const LONG_ABOUT: &str = "\
Score articles: stance on holding the target, probabilities, drivers.

Inputs are files, directories (recursive; .txt and .md), JSON Lines (.jsonl: one object per line
with \"text\" and optional id, title, date, source, url, target), CSV (--text-col) or - for stdin.
Text files may start with a front-matter block between --- lines (title, date, source, url,
target). Problems with an input are reported on stderr and the rest is still scored; the exit
status is non-zero only when nothing could be scored.";

/// Articles read, scored in parallel and written per chunk.
const CHUNK: usize = 1024;

#[derive(clap::Args, Debug)]
#[command(about = ABOUT, long_about = LONG_ABOUT)]
pub struct Args {
    /// Files, directories, or - for standard input
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<String>,
    /// Write here instead of standard output (replaced atomically when the run ends)
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "csv")]
    pub format: OutputFormat,
    /// Leave CSV text cells as they are; by default a cell starting with = + - @ tab or CR gets a
    /// leading ' so no spreadsheet runs it as a formula
    #[arg(long)]
    pub raw_csv: bool,
    /// Start the CSV with a UTF-8 byte-order mark, so Excel shows non-ASCII titles correctly
    #[arg(long)]
    pub excel: bool,
    /// Company to score against: a name or alias from the targets file, any other name as
    /// written, or "any" to score every sentence. A per-article target field wins.
    #[arg(long, default_value = "alibaba")]
    pub target: String,
    #[arg(long, value_enum, default_value = "auto")]
    pub input_format: InputFormat,
    /// CSV or JSONL field holding the text
    #[arg(long, default_value = "text")]
    pub text_col: String,
    /// CSV or JSONL field holding the article id
    #[arg(long, default_value = "id")]
    pub id_col: String,
    /// Skip any article (file, JSONL line, CSV record) larger than this many bytes
    #[arg(long, default_value_t = 16 << 20)]
    pub max_article_bytes: usize,
    /// Threads that score in parallel (0: all cores); the output is the same for any number
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    #[command(flatten)]
    pub engine: EngineArgs,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let engine = args.engine.load()?;
    let default_target = engine.targets.resolve(&args.target);
    let options = InputOptions {
        format: args.input_format,
        text_col: args.text_col.clone(),
        id_col: args.id_col.clone(),
        max_article_bytes: args.max_article_bytes,
    };
    let model = engine.stance.model.label();
    let destination = match &args.output {
        Some(path) => {
            Destination::file(path).with_context(|| format!("creating {}", path.display()))?
        }
        None => Destination::stdout(),
    };
    let mut writer = RowWriter::new(
        destination,
        args.format,
        CsvOptions {
            raw: args.raw_csv,
            bom: args.excel,
        },
    )?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads)
        .build()?;
    // One scorer per pool thread for the whole run, so each word cache stays warm.
    let scorers: Vec<Mutex<Scorer>> = (0..pool.current_num_threads())
        .map(|_| Mutex::new(engine.scorer()))
        .collect();
    let (mut scored, mut problems) = (0usize, 0usize);
    let mut items = read_all(args.paths, &options);
    // Bounded chunks keep memory flat on any input; rows are written in input order.
    loop {
        let chunk: Vec<Item> = items.by_ref().take(CHUNK).collect();
        if chunk.is_empty() {
            break;
        }
        let score_one = |scorer: &mut Scorer, item: Item| -> Result<(Article, ScoreRow), Problem> {
            let article = item?;
            let target = engine
                .targets
                .resolve_or(article.target.as_deref(), &default_target);
            let eval = scorer.evaluate(Document::from(&article), &target);
            let row = ScoreRow::new(&article, &eval, &model);
            Ok((article, row))
        };
        let results: Vec<Result<(Article, ScoreRow), Problem>> = if scorers.len() == 1 {
            // One thread: score here, without handing chunks to the pool.
            let mut scorer = scorers[0].lock().unwrap_or_else(|e| e.into_inner());
            chunk
                .into_iter()
                .map(|item| score_one(&mut scorer, item))
                .collect()
        } else {
            pool.install(|| {
                chunk
                    .into_par_iter()
                    .map(|item| {
                        let slot = rayon::current_thread_index().unwrap_or(0) % scorers.len();
                        let mut scorer = scorers[slot].lock().unwrap_or_else(|e| e.into_inner());
                        score_one(&mut scorer, item)
                    })
                    .collect()
            })
        };
        for result in results {
            match result {
                Ok((article, row)) => {
                    for w in &article.warnings {
                        eprintln!("warning: {w}");
                    }
                    writer.write(&row)?;
                    scored += 1;
                }
                Err(p) => {
                    eprintln!("warning: {p}");
                    problems += 1;
                }
            }
        }
    }
    eprintln!("scored {scored} article(s), {problems} problem(s)");
    if scored == 0 {
        // The previous output, if any, stays as it was.
        eprintln!("error: nothing could be scored");
        return Ok(ExitCode::from(1));
    }
    let destination = writer.finish()?;
    destination.commit().with_context(|| {
        format!(
            "writing {}",
            args.output.as_deref().unwrap_or("-".as_ref()).display()
        )
    })?;
    Ok(ExitCode::SUCCESS)
}
