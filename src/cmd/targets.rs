//! `stance targets find NAME`: what a `--target` resolves to, and how it is found in text.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use stance::data::DataFile;
use stance::model::engine::EngineConfig;
use stance::read::company::Found;
use stance::read::target::Target;

const ABOUT: &str = "Look up companies: what a --target resolves to, and which aliases find it";
const LONG_ABOUT: &str = "\
Look up companies: what a --target resolves to, and which aliases find it.

A target resolves by these rules in turn: \"any\"; an entry of the targets file by its name or an
alias (it overrides the table, and adds executives and products); a ticker written as one ($PDD,
PDD.US, NASDAQ:PDD, 9988.HK, 09988, 600519.SS) or in capitals (GM, META); a name, alias or former
name of a listed company, with or without its legal suffix (Inc., Corp., Holdings, Ltd, plc,
.com), the most prominent company of that name when several share it; the first words of a name
(Ford for Ford Motor); a ticker in lower case (gme). Anything else is matched as written, with a
note. \"Name (Other)\" resolves by Name and matches Other too.

The company table (lexicons/companies/companies.csv, built by scripts/build_companies.py from
SEC, S&P 500, FinanceDatabase and index-constituents tables; see lexicons/companies/NOTICE.md)
lists each company's names and tickers. A name that is also an ordinary word is matched only when
capitalized; a ticker only in capitals, and one that is also an ordinary word or abbreviation
(ALL, IT, ON, KEY, CAT) only as a cashtag, after an exchange (NYSE: ALL), in parentheses, before
\"shares\" or \"stock\", in an article that names the company otherwise, or when it is the
ticker asked for.";

#[derive(clap::Args, Debug)]
#[command(about = ABOUT, long_about = LONG_ABOUT)]
pub struct Args {
    #[command(subcommand)]
    pub command: TargetsCommand,
}

#[derive(clap::Subcommand, Debug)]
pub enum TargetsCommand {
    /// Show what NAME resolves to: the company, its ticker, how it was found, and every alias
    /// that will be matched with the case it must be written in
    Find {
        #[arg(value_name = "NAME")]
        name: String,
        /// Targets file [default: the built-in targets.toml]
        #[arg(long, value_name = "FILE")]
        targets: Option<PathBuf>,
        /// Company table CSV [default: the built-in lexicons/companies/companies.csv]
        #[arg(long, value_name = "FILE")]
        companies: Option<PathBuf>,
    },
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let TargetsCommand::Find {
        name,
        targets,
        companies,
    } = args.command;
    let mut config = EngineConfig::default();
    if let Some(t) = targets {
        config.targets = DataFile::Disk(t);
    }
    if let Some(c) = companies {
        config.companies = DataFile::Disk(c);
    }
    let book = config.load_targets()?;
    let resolved = book.resolve_explained(&name);
    let mut out = std::io::stdout().lock();
    let Target::Named {
        name: shown,
        ticker,
        aliases,
    } = &resolved.target
    else {
        writeln!(out, "any: every sentence counts; no company is looked for")?;
        return Ok(ExitCode::SUCCESS);
    };
    let how = match (resolved.found, resolved.hand_entry) {
        (Some(found), true) => format!("targets-file entry, listed by {}", found.as_str()),
        (Some(found), false) => format!("company table, by {}", found.as_str()),
        (None, true) => "targets-file entry, not in the company table".to_string(),
        (None, false) => "not a listed company: matched as written".to_string(),
    };
    writeln!(out, "{name:?} -> {shown}")?;
    if !ticker.is_empty() {
        let company = book
            .companies
            .by_ticker(ticker)
            .map(|i| &book.companies.companies()[i]);
        let tickers = company
            .map_or_else(Vec::new, |c| c.tickers().collect())
            .join(", ");
        writeln!(out, "ticker: {ticker} (all: {tickers})")?;
    }
    writeln!(out, "found: {how}")?;
    if resolved.found == Some(Found::NameStart) {
        writeln!(
            out,
            "note: the most prominent company whose name starts with {name:?}"
        )?;
    }
    writeln!(out, "aliases matched in text ({}):", aliases.len())?;
    let width = aliases
        .iter()
        .map(|a| a.text.chars().count())
        .max()
        .unwrap_or(0);
    for alias in aliases {
        writeln!(out, "  {:width$}  {}", alias.text, alias.case.as_str())?;
    }
    Ok(ExitCode::SUCCESS)
}
