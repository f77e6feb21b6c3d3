//! `stance lexicon check`: validate lexicon and targets files, reporting every problem.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::lexicon::{Category, Lexicon};
use crate::score::repo_path;
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
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        LexiconCommand::Check { files, targets } => check(files, targets),
    }
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
