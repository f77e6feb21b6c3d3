//! `stance scorecard`: the default path measured on every labelled shared corpus.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use super::EngineArgs;
use stance::learn::recipe::Corpora;
use stance::learn::scorecard::{Figure, by_source, documents, short_texts};

const ABOUT: &str = "Measure the default path on every labelled corpus of ../shared, held out";
const LONG_ABOUT: &str = "\
Measure the default path (exactly what `stance score` writes) on every labelled corpus of
../shared/corpora, with no figure in-sample:

  documents  the articles test split and the web test split, English and Chinese apart;
  sources    leave-one-source-out over the ten English document sources: the document decision
             and the voice model refitted by their recipes without the source, which is then
             scored by the default path;
  short      10-fold cross-validation of the default path on news tweets, SEntFiN (reported on
             single-entity rows) and FinEntity, the stance model refitted without each fold;
             StockTwits on direction.

Prints a Markdown table (--json: one object per figure). The short-text part refits the stance
model 30 times and takes about a quarter of an hour on two cores.";

#[derive(clap::Args, Debug)]
#[command(about = ABOUT, long_about = LONG_ABOUT)]
pub struct Args {
    /// The folder that holds corpora/
    #[arg(long, default_value = "../shared", value_name = "DIR")]
    pub shared: PathBuf,
    /// Which parts to measure
    #[arg(long, value_delimiter = ',', default_value = "documents,sources,short",
          value_parser = ["documents", "sources", "short"])]
    pub parts: Vec<String>,
    /// Folds of the short-text cross-validation
    #[arg(long, default_value_t = 10)]
    pub folds: usize,
    /// One JSON object per figure instead of a table
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub engine: EngineArgs,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let corpora = Corpora::at(&args.shared)?;
    let config = args.engine.config()?;
    let mut out = std::io::stdout().lock();
    let mut print = |section: &str, figures: Vec<Figure>| -> anyhow::Result<()> {
        if args.json {
            for f in &figures {
                writeln!(
                    out,
                    "{}",
                    serde_json::to_string(&serde_json::json!({"section": section, "figure": f}))?
                )?;
            }
            return Ok(());
        }
        writeln!(out, "\n{section}\n")?;
        writeln!(
            out,
            "| part | n | stance macro-F1 | stance accuracy | voice accuracy |"
        )?;
        writeln!(out, "|---|---:|---:|---:|---:|")?;
        for f in &figures {
            let voice = f
                .voice
                .as_ref()
                .map_or("-".to_string(), |v| format!("{:.3}", v.accuracy));
            writeln!(
                out,
                "| {} | {} | {:.3} | {:.3} | {voice} |",
                f.part, f.stance.n, f.stance.macro_f1, f.stance.accuracy
            )?;
        }
        if section.starts_with("Leave-one-source-out") {
            let worst = figures
                .iter()
                .min_by(|a, b| a.stance.macro_f1.total_cmp(&b.stance.macro_f1));
            if let Some(w) = worst {
                writeln!(out, "\nworst source: {} ({:.3})", w.part, w.stance.macro_f1)?;
            }
        }
        Ok(())
    };
    if args.parts.iter().any(|p| p == "documents") {
        let engine = args.engine.load()?;
        print(
            "Documents, test splits (the shipped default path)",
            documents(&engine, &corpora)?,
        )?;
    }
    if args.parts.iter().any(|p| p == "sources") {
        print(
            "Leave-one-source-out, English documents (decision and voice refitted without the source)",
            by_source(&config, &corpora)?,
        )?;
    }
    if args.parts.iter().any(|p| p == "short") {
        print(
            &format!("Short texts ({}-fold CV of the default path)", args.folds),
            short_texts(&config, &corpora, args.folds)?,
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
