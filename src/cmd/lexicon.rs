//! `stance lexicon check`: validate lexicon and targets files, reporting every problem.
//! `stance lexicon export`: the stance model's learned term weights as a lexicon file.
//! `stance lexicon init`: the built-in lexicons, targets and models written out for editing.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;

use stance::data::DataFile;
use stance::files::Destination;
use stance::model::linear::{Model, Task};
use stance::read::lexicon::{Category, Lexicon};
use stance::read::target::TargetBook;
use stance::write::output::spreadsheet_safe;

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
        /// Lexicon CSV files [default: the built-in lexicons]
        files: Vec<PathBuf>,
        /// Targets file to check as well [default: the built-in targets.toml]
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
        /// Stance model to export [default: the built-in stance.json]
        #[arg(long, value_name = "FILE")]
        model: Option<PathBuf>,
        /// Write here instead of standard output
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Only the N terms with the largest weights (0: all)
        #[arg(long, default_value_t = 0)]
        top: usize,
    },
    /// Write the built-in lexicons (*.csv), targets.toml, companies/companies.csv, stance.json,
    /// voice.json and article.json into DIR (created if missing; an existing file is never
    /// overwritten), to edit and then use with --lexicons DIR --targets DIR/targets.toml
    /// --companies DIR/companies/companies.csv --model DIR/stance.json
    /// --voice-model DIR/voice.json --article-model DIR/article.json.
    Init {
        #[arg(value_name = "DIR")]
        dir: PathBuf,
    },
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        LexiconCommand::Check { files, targets } => check(files, targets),
        LexiconCommand::Export { model, output, top } => export(model, output, top),
        LexiconCommand::Init { dir } => init(&dir),
    }
}

fn init(dir: &Path) -> anyhow::Result<ExitCode> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let files = DataFile::all_defaults();
    let paths: Vec<PathBuf> = files.iter().map(|f| dir.join(f.init_path())).collect();
    if let Some(existing) = paths.iter().find(|p| p.exists()) {
        anyhow::bail!(
            "{} already exists; nothing was written (choose an empty directory)",
            existing.display()
        );
    }
    for (file, path) in files.iter().zip(&paths) {
        let text = file.read()?;
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::write(path, text.as_bytes())
            .with_context(|| format!("writing {}", path.display()))?;
    }
    let d = dir.display();
    super::to_stderr!(
        "wrote {} files to {d}; use them with\n  --lexicons {d} --targets {d}/targets.toml \
         --companies {d}/companies/companies.csv --model {d}/stance.json \
         --voice-model {d}/voice.json --article-model {d}/article.json",
        paths.len()
    );
    Ok(ExitCode::SUCCESS)
}

fn export(model: Option<PathBuf>, output: Option<PathBuf>, top: usize) -> anyhow::Result<ExitCode> {
    let source = model.map_or_else(DataFile::stance_model, DataFile::Disk);
    let model = Model::load(&source)?;
    anyhow::ensure!(
        model.task == Task::Stance,
        "{source}: task: expected a stance model"
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
    let mut destination = Destination::for_output(output.as_deref())?;
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
        super::to_stderr!(
            "{}: {} learned terms from {}",
            file.display(),
            terms.len(),
            source
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn check(files: Vec<PathBuf>, targets: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    let files = if files.is_empty() {
        DataFile::lexicons()
    } else {
        files.into_iter().map(DataFile::Disk).collect()
    };
    let (lexicon, problems) = Lexicon::check_files(&files);
    let mut out = std::io::stdout().lock();
    for p in &problems {
        writeln!(out, "{p}")?;
    }
    let targets = targets.map_or_else(DataFile::targets, DataFile::Disk);
    let targets_ok = match TargetBook::load(&targets) {
        Ok(book) => {
            writeln!(out, "{targets}: {} targets", book.names().count())?;
            true
        }
        Err(e) => {
            writeln!(out, "{e}")?;
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
            writeln!(out, "{:<12} {n:>5} entries", category.name())?;
        }
    }
    writeln!(
        out,
        "{} files, {} entries, {} problems",
        files.len(),
        lexicon.entries.len(),
        problems.len() + usize::from(!targets_ok)
    )?;
    Ok(if problems.is_empty() && targets_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
