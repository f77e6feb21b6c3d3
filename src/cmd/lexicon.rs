//! `stance lexicon check`: validate lexicon and targets files, reporting every problem.
//! `stance lexicon export`: the stance model's learned term weights as a lexicon file.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use crate::lexicon::{Category, Lexicon};
use crate::model::Model;
use crate::output::{Destination, spreadsheet_safe};
use crate::score::{EngineConfig, repo_path};
use crate::target::TargetBook;

const ABOUT: &str = "Work with lexicon files";

#[derive(clap::Args, Debug)]
#[command(about = ABOUT)]
pub struct Args {
    #[command(subcommand)]
    pub command: LexiconCommand,
}

#[derive(clap::Subcommand, Debug)]
pub enum LexiconCommand {
    /// Validate lexicon CSV files and the targets file; list every problem as file:line: reason,
    /// including duplicates (two rows with the same stems) and conflicts (same stems, other
    /// category or weight). Exits 1 when there is any problem.
    Check {
        /// Lexicon CSV files [default: every .csv in the repository's lexicons/]
        files: Vec<PathBuf>,
        /// Targets file to check as well [default: lexicons/targets.toml]
        #[arg(long, value_name = "FILE")]
        targets: Option<PathBuf>,
    },
    /// Write the stance model's learned term weights as a lexicon CSV (term,category,weight,note)
    /// to review and edit in a spreadsheet. Each row is a model term (its stems) with category
    /// "learned" and weight = its push on bullish over bearish per occurrence; the note gives the
    /// model's three class weights. `stance score --lexicon FILE` loads it back: each row sets that
    /// term's bullish-minus-bearish weight (neutral and the midpoint stay), so an unedited file
    /// changes no score.
    Export {
        /// Stance model to export [default: data/models/stance.json]
        #[arg(long, value_name = "FILE")]
        model: Option<PathBuf>,
        /// Write here instead of standard output
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Only the N terms with the largest weights (0: all)
        #[arg(long, default_value_t = 0)]
        top: usize,
    },
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        LexiconCommand::Check { files, targets } => check(files, targets),
        LexiconCommand::Export { model, output, top } => export(model, output, top),
    }
}

fn export(model: Option<PathBuf>, output: Option<PathBuf>, top: usize) -> anyhow::Result<ExitCode> {
    let path = model.unwrap_or_else(|| EngineConfig::default().model);
    let model = Model::load(&path)?;
    anyhow::ensure!(
        model.task == "stance",
        "{}: task: expected a stance model",
        path.display()
    );
    let mut terms: Vec<(&str, f64, &[f64])> = model
        .weights
        .iter()
        .filter_map(|w| {
            let stems = w.feature.strip_prefix("term:")?;
            Some((stems, model.term_weight(w)?, w.weights.as_slice()))
        })
        .collect();
    terms.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then_with(|| a.0.cmp(b.0)));
    if top > 0 {
        terms.truncate(top);
    }
    let mut destination = match &output {
        Some(file) => Destination::file(file)?,
        None => Destination::stdout(),
    };
    let mut csv = csv::Writer::from_writer(&mut destination);
    csv.write_record(["term", "category", "weight", "note"])?;
    for (stems, weight, classes) in &terms {
        let note = model
            .classes
            .iter()
            .zip(classes.iter())
            .map(|(c, w)| format!("{c} {w:+.4}"))
            .collect::<Vec<_>>()
            .join(", ");
        csv.write_record([
            spreadsheet_safe(stems).into_owned(),
            Category::Learned.name().to_string(),
            weight.to_string(),
            format!("model {}: {note}", model.name),
        ])?;
    }
    csv.flush()?;
    drop(csv);
    destination.commit().with_context(|| {
        format!(
            "writing {}",
            output.as_deref().unwrap_or("-".as_ref()).display()
        )
    })?;
    if let Some(file) = &output {
        eprintln!(
            "{}: {} learned terms from {}",
            file.display(),
            terms.len(),
            path.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn check(files: Vec<PathBuf>, targets: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    let files = if files.is_empty() {
        Lexicon::csv_files(&repo_path("lexicons"))?
    } else {
        files
    };
    let (lexicon, problems) = Lexicon::check_files(&files);
    for p in &problems {
        println!("{p}");
    }
    let targets = targets.unwrap_or_else(|| repo_path("lexicons/targets.toml"));
    let targets_ok = match TargetBook::load(&targets) {
        Ok(book) => {
            println!("{}: {} targets", targets.display(), book.names().count());
            true
        }
        Err(e) => {
            println!("{e}");
            false
        }
    };
    for category in Category::ALL {
        let n = lexicon
            .entries
            .iter()
            .filter(|e| e.category == category)
            .count();
        if n > 0 {
            println!("{:<12} {n:>5} entries", category.name());
        }
    }
    println!(
        "{} files, {} entries, {} problems",
        files.len(),
        lexicon.entries.len(),
        problems.len() + usize::from(!targets_ok)
    );
    Ok(if problems.is_empty() && targets_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
