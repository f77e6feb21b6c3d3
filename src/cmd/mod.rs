//! Subcommands: each module holds its arguments, help text and `run`.

use std::path::PathBuf;

use crate::score::{Engine, EngineConfig};

pub mod aggregate;
pub mod eval;
pub mod explain;
pub mod lexicon;
pub mod score;
pub mod train;

/// Where the lexicons, targets and models come from; shared by every subcommand that scores.
#[derive(clap::Args, Clone, Debug)]
pub struct EngineArgs {
    /// Directory of lexicon CSV files [default: the repository's lexicons/]
    #[arg(long, value_name = "DIR")]
    pub lexicons: Option<PathBuf>,
    /// An extra lexicon CSV file loaded after the directory (repeatable)
    #[arg(long = "lexicon", value_name = "FILE")]
    pub extra_lexicons: Vec<PathBuf>,
    /// Targets file [default: lexicons/targets.toml]
    #[arg(long, value_name = "FILE")]
    pub targets: Option<PathBuf>,
    /// Stance model JSON [default: data/models/stance.json]
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
    /// Voice model JSON [default: data/models/voice.json when it exists]
    #[arg(long, value_name = "FILE")]
    pub voice_model: Option<PathBuf>,
}

impl EngineArgs {
    pub fn config(&self) -> EngineConfig {
        let mut config = EngineConfig::default();
        if let Some(dir) = &self.lexicons {
            config.lexicon_dir = dir.clone();
        }
        config.extra_lexicons = self.extra_lexicons.clone();
        if let Some(t) = &self.targets {
            config.targets = t.clone();
        }
        if let Some(m) = &self.model {
            config.model = m.clone();
        }
        if let Some(v) = &self.voice_model {
            config.voice_model = Some(v.clone());
        }
        config
    }

    pub fn load(&self) -> anyhow::Result<Engine> {
        Engine::load(&self.config())
    }
}
