//! Subcommands: each module holds its arguments, help text and `run`.

use std::path::PathBuf;

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use stance::choice::Choice;
use stance::model::engine::{Engine, EngineConfig, EngineFiles};

/// `eprintln!` that never fails: a message is worth losing when stderr is a closed pipe
/// (`2>&1 | head`), a run whose output goes to a file is not.
macro_rules! to_stderr {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}
pub(crate) use to_stderr;

pub mod aggregate;
pub mod eval;
pub mod explain;
pub mod lexicon;
pub mod score;
pub mod scorecard;
pub mod targets;
pub mod train;
pub mod workbook;

/// A `--target` naming one company, or `any`: `auto` (every company) is for `stance score`.
pub fn one_target(name: &str) -> Result<String, String> {
    if stance::run::is_every_company(name) {
        Err(
            "\"auto\" (a row per company) is for `stance score`; give one company, or \"any\""
                .into(),
        )
    } else {
        Ok(name.to_string())
    }
}

/// Refuses to send a workbook, which is binary, to a terminal.
pub fn workbook_destination(output: Option<&std::path::Path>) -> anyhow::Result<()> {
    use std::io::IsTerminal;
    anyhow::ensure!(
        output.is_some() || !std::io::stdout().is_terminal(),
        "a workbook is binary: give -o FILE.xlsx (or redirect standard output)"
    );
    Ok(())
}

/// Parses one of the library's named choices, listing them with their help in `--help`.
pub fn choice<T: Choice + Send + Sync>() -> impl TypedValueParser<Value = T> {
    let values = T::ALL
        .iter()
        .map(|&(_, name, help)| PossibleValue::new(name).help(help));
    PossibleValuesParser::new(values).try_map(|name: String| {
        T::from_name(&name).ok_or_else(|| format!("unknown value {name:?}"))
    })
}

/// Where the lexicons, targets and models come from; shared by every subcommand that scores.
/// Each default is compiled into the binary (`stance lexicon init DIR` writes them out).
#[derive(clap::Args, Clone, Debug)]
pub struct EngineArgs {
    /// Directory of lexicon CSV files [default: the built-in lexicons]
    #[arg(long, value_name = "DIR")]
    pub lexicons: Option<PathBuf>,
    /// An extra lexicon CSV file loaded after the directory (repeatable)
    #[arg(long = "lexicon", value_name = "FILE")]
    pub extra_lexicons: Vec<PathBuf>,
    /// Targets file [default: the built-in targets.toml]
    #[arg(long, value_name = "FILE")]
    pub targets: Option<PathBuf>,
    /// Company table CSV [default: the built-in lexicons/companies/companies.csv]
    #[arg(long, value_name = "FILE")]
    pub companies: Option<PathBuf>,
    /// Stance model JSON [default: the built-in stance.json]
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
    /// Voice model JSON [default: the built-in voice.json]
    #[arg(long, value_name = "FILE")]
    pub voice_model: Option<PathBuf>,
    /// Article decision model JSON [default: the built-in article.json]
    #[arg(long, value_name = "FILE", conflicts_with = "no_article_model")]
    pub article_model: Option<PathBuf>,
    /// Decide by the stance model's own rule (its score bands), without an article model
    #[arg(long)]
    pub no_article_model: bool,
}

impl EngineArgs {
    pub fn config(&self) -> anyhow::Result<EngineConfig> {
        let config = EngineFiles {
            lexicons: self.lexicons.clone(),
            extra_lexicons: self.extra_lexicons.clone(),
            targets: self.targets.clone(),
            companies: self.companies.clone(),
            model: self.model.clone(),
            voice_model: self.voice_model.clone(),
            article_model: self.article_model.clone(),
            no_article_model: self.no_article_model,
        }
        .config()?;
        Ok(config)
    }

    pub fn load(&self) -> anyhow::Result<Engine> {
        Ok(Engine::load(&self.config()?)?)
    }
}
