//! `stance aggregate`: an index over many scored articles, with explicit weights.

use crate::cmd::choice;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use stance::aggregate::{
    GroupBy, IndexWeights, aggregate, parse_half_life, parse_voice_weights, read_scores,
};
use stance::files::Destination;
use stance::output::{number, spreadsheet_safe};

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
    /// Write CSV here (a table is printed on the terminal otherwise)
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "table")]
    pub format: AggregateFormat,
}

const HEADER: [&str; 12] = [
    "group",
    "articles",
    "index",
    "total_weight",
    "share_retail",
    "share_analysis",
    "share_corporate",
    "share_unknown_voice",
    "weight_retail",
    "weight_analysis",
    "weight_corporate",
    "half_life_days",
];

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let (rows, problems) = read_scores(&args.scores)?;
    for p in &problems {
        eprintln!("warning: {p}");
    }
    let weights = IndexWeights {
        voice: args.weights,
        half_life_days: args.half_life,
    };
    let (groups, summary) = aggregate(&rows, args.by, &weights);
    let csv_out = args.output.is_some() || args.format == AggregateFormat::Csv;
    // Notes go with the table on the terminal; beside CSV on stdout they go to stderr.
    let mut notes: Box<dyn Write> = if csv_out && args.output.is_none() {
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
    if csv_out {
        let destination = Destination::for_output(args.output.as_deref())?;
        let mut csv = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(destination);
        csv.write_record(HEADER)?;
        for g in &groups {
            let half_life = weights
                .half_life_days
                .map_or(String::new(), |h| h.to_string());
            let mut record = vec![
                spreadsheet_safe(&g.key).into_owned(),
                g.articles.to_string(),
                number(g.index),
                number(g.total_weight),
            ];
            record.extend(g.voice_shares.iter().map(|s| number(*s)));
            record.extend(weights.voice.iter().map(|w| w.to_string()));
            record.push(half_life);
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
