//! `stance workbook`: a scores CSV as an Excel workbook, for outputs kept as CSV (incremental runs).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use stance::files::Destination;
use stance::write::aggregate::ScoreColumns;
use stance::write::output::{Column, column_named};
use stance::write::workbook::ScoreWorkbook;

const ABOUT: &str = "Turn a scores CSV into an Excel workbook, with an index sheet";
const LONG_ABOUT: &str = "\
Turn a scores CSV into an Excel workbook, with an index sheet.

The workbook is what `stance score -o FILE.xlsx` writes: a scores sheet with typed cells
(numbers, percentages, dates) and text that is never a formula (the ' that guards such cells in
the CSV is dropped), a frozen header with filters, and an index sheet by target with the
default weights. Use it for the CSV an incremental run keeps up to date.";

#[derive(clap::Args, Debug)]
#[command(about = ABOUT, long_about = LONG_ABOUT)]
pub struct Args {
    /// A CSV written by `stance score`
    pub scores: PathBuf,
    /// The workbook to write (replaced atomically)
    #[arg(short, long, value_name = "FILE.xlsx")]
    pub output: PathBuf,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let name = args.scores.display();
    let mut reader =
        csv::Reader::from_path(&args.scores).with_context(|| format!("reading {name}"))?;
    let header: Vec<String> = reader.headers()?.iter().map(String::from).collect();
    anyhow::ensure!(
        ScoreColumns::find(&header).is_some(),
        "{name}: not a stance scores file (needs id, score and relevance columns)"
    );
    let columns: Vec<Column> = header
        .iter()
        .map(|h| column_named(h.trim_start_matches('\u{FEFF}')))
        .collect();
    let mut book = ScoreWorkbook::new(&columns)?;
    let mut problems = 0;
    for (n, record) in reader.records().enumerate() {
        match record {
            Ok(record) => book.add_record(&record)?,
            Err(e) => {
                super::to_stderr!("warning: {name}:{}: {e}, skipped", n + 2);
                problems += 1;
            }
        }
    }
    let mut destination = Destination::for_output(Some(&args.output))?;
    let notes = book.save(&mut destination)?;
    destination
        .commit()
        .with_context(|| format!("writing {}", args.output.display()))?;
    if notes.cut_cells > 0 {
        super::to_stderr!(
            "warning: {} text cell(s) longer than Excel's 32,767 characters were cut to fit",
            notes.cut_cells
        );
    }
    super::to_stderr!(
        "wrote {} row(s) to {}, {problems} problem(s)",
        notes.rows,
        args.output.display()
    );
    Ok(ExitCode::SUCCESS)
}
