//! `stance aggregate`: an index over many scored articles, with explicit weights.

use crate::cmd::choice;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use stance::files::Destination;
use stance::write::aggregate::{
    GroupBy, INDEX_COLUMNS, IndexWeights, aggregate, index_record, parse_half_life,
    parse_voice_weights, read_scores,
};
use stance::write::format::OutputFormat;
use stance::write::output::spreadsheet_safe;
use stance::write::workbook::save_index;

const ABOUT: &str = "Combine scored articles into an index per group, with explicit weights";
const LONG_ABOUT: &str = "\
Combine scored articles into an index per group, with explicit weights.

Each article weighs voice weight x relevance / 100 (x 0.5^(age / half-life) with --half-life,
age counted back from the newest date); a group's index is sum(weight x score) / sum(weight), in
[-1, 1]. Articles with the same text_hash count once. The weights are printed with the result and
written in every CSV row, so any index can be recomputed by hand in a spreadsheet.";

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum AggregateFormat {
    Table,
    Csv,
    /// An Excel workbook with one `index` sheet
    Xlsx,
}

#[derive(clap::Args, Debug)]
#[command(about = ABOUT, long_about = LONG_ABOUT)]
pub struct Args {
    /// A CSV written by `stance score`
    pub scores: PathBuf,
    #[arg(long, value_parser = choice::<GroupBy>(), default_value = "all")]
    pub by: GroupBy,
    /// Voice weights
    #[arg(long, default_value = "retail=1,analysis=1,corporate=0.5", value_parser = parse_voice_weights)]
    pub weights: [f64; 3],
    /// Older articles decay by half every this long, e.g. 7d or 36h
    #[arg(long, value_parser = parse_half_life)]
    pub half_life: Option<f64>,
    /// List each group's articles and the drivers that moved its index most
    #[arg(long)]
    pub explain: bool,
    /// How many articles and drivers --explain lists per group
    #[arg(long, default_value_t = 5)]
    pub top: usize,
    /// Write the index here, as CSV or (FILE.xlsx) a workbook; a table is printed otherwise
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// [default: from the -o file's extension, else csv with -o and table without]
    #[arg(long, value_enum)]
    pub format: Option<AggregateFormat>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let (rows, problems) = read_scores(&args.scores)?;
    for p in &problems {
        super::to_stderr!("warning: {p}");
    }
    let weights = IndexWeights {
        voice: args.weights,
        half_life_days: args.half_life,
    };
    let (groups, summary) = aggregate(&rows, args.by, &weights);
    let format = match (args.format, args.output.as_deref()) {
        (Some(format), _) => format,
        (None, Some(path)) if OutputFormat::of_path(path) == OutputFormat::Xlsx => {
            AggregateFormat::Xlsx
        }
        (None, Some(_)) => AggregateFormat::Csv,
        (None, None) => AggregateFormat::Table,
    };
    anyhow::ensure!(
        format != AggregateFormat::Table || args.output.is_none(),
        "--format table is printed on the terminal: leave out -o, or give --format csv or xlsx"
    );
    if format == AggregateFormat::Xlsx {
        super::workbook_destination(args.output.as_deref())?;
    }
    // Notes go with the table on the terminal; beside a file on stdout they go to stderr.
    let mut notes: Box<dyn Write> = if format != AggregateFormat::Table && args.output.is_none() {
        Box::new(std::io::stderr())
    } else {
        Box::new(std::io::stdout())
    };
    writeln!(notes, "{weights}")?;
    writeln!(
        notes,
        "{} articles read, {} duplicate text(s) counted once{}",
        rows.len(),
        summary.duplicates,
        if summary.undated > 0 {
            format!(
                ", {} undated left out of the decayed index",
                summary.undated
            )
        } else {
            String::new()
        }
    )?;
    let records = groups.iter().map(|g| index_record(g, &weights));
    if format == AggregateFormat::Xlsx {
        let mut destination = Destination::for_output(args.output.as_deref())?;
        save_index(records, &mut destination)?;
        destination.commit()?;
    } else if format == AggregateFormat::Csv {
        let destination = Destination::for_output(args.output.as_deref())?;
        let mut csv = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(destination);
        csv.write_record(INDEX_COLUMNS.map(|c| c.name))?;
        for mut record in records {
            record[0] = spreadsheet_safe(&record[0]).into_owned();
            csv.write_record(&record)?;
        }
        csv.into_inner().map_err(|e| e.into_error())?.commit()?;
    } else {
        let mut out = std::io::stdout().lock();
        writeln!(
            out,
            "{:<22}{:>9}{:>9}{:>10}{:>9}{:>10}{:>11}",
            "group", "articles", "index", "weight", "retail", "analysis", "corporate"
        )?;
        for g in &groups {
            writeln!(
                out,
                "{:<22}{:>9}{:>+9.4}{:>10.4}{:>8.1}%{:>9.1}%{:>10.1}%",
                truncate(&g.key, 21),
                g.articles,
                g.index,
                g.total_weight,
                100.0 * g.voice_shares[0],
                100.0 * g.voice_shares[1],
                100.0 * g.voice_shares[2]
            )?;
        }
    }
    if args.explain {
        for g in &groups {
            writeln!(
                notes,
                "\n{} (index {:+.4} = sum of contributions):",
                g.key, g.index
            )?;
            for m in g.members.iter().take(args.top) {
                writeln!(
                    notes,
                    "  {:>+8.4}  weight {:.4} x score {:+.4} / {:.4}  {}",
                    m.contribution, m.weight, m.score, g.total_weight, m.id
                )?;
            }
            let drivers: Vec<String> = g
                .drivers
                .iter()
                .take(args.top)
                .map(|(t, v)| format!("{t} {v:+.4}"))
                .collect();
            writeln!(notes, "  drivers: {}", drivers.join(", "))?;
        }
    }
    Ok(if groups.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(max - 1).collect::<String>())
    }
}
