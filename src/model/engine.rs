//! What is loaded once and shared by every thread: lexicons, targets and models compiled
//! against one codebook, where they came from, and their fingerprints.

use std::path::PathBuf;

use crate::choice::Choice;
use crate::data::DataFile;
use crate::error::{Result, ensure};
use crate::model::linear::{CompiledModel, Model, Task};
use crate::read::analysis::Sources;
use crate::read::company::CompanyTable;
use crate::read::lexicon::{CompiledLexicon, Lexicon};
use crate::read::target::TargetBook;
use crate::read::target::alias::Companies;
use crate::text::analyze::{Codebook, StemFilter};

/// Which data files the engine loads: the built-in defaults unless a file or directory on disk
/// was given.
#[derive(Clone, Debug)]
pub struct EngineConfig {
    /// Lexicon files, in load order.
    pub lexicons: Vec<DataFile>,
    pub targets: DataFile,
    /// The listed companies targets resolve to.
    pub companies: DataFile,
    pub model: DataFile,
    pub voice_model: Option<DataFile>,
    /// The article decision; without it the stance model's own rule decides.
    pub article_model: Option<DataFile>,
}

impl EngineConfig {
    /// Loads and validates the lexicons and the targets file.
    pub fn load_lexicon_and_targets(&self) -> Result<(Lexicon, TargetBook)> {
        let lexicon = Lexicon::load_files(&self.lexicons)?;
        Ok((lexicon, self.load_targets()?))
    }

    /// Loads and validates the targets file and the company table.
    pub fn load_targets(&self) -> Result<TargetBook> {
        let companies = CompanyTable::load(&self.companies)?;
        Ok(TargetBook::load(&self.targets)?.with_companies(companies, &self.targets)?)
    }
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            lexicons: DataFile::lexicons(),
            targets: DataFile::targets(),
            companies: DataFile::companies(),
            model: DataFile::stance_model(),
            voice_model: Some(DataFile::voice_model()),
            article_model: Some(DataFile::article_model()),
        }
    }
}

/// The engine's files as a front end names them (`--lexicons DIR`, `--model FILE`, ...): each
/// one left out is the built-in default.
#[derive(Clone, Debug, Default)]
pub struct EngineFiles {
    /// A directory of lexicon CSV files, instead of the built-in lexicons.
    pub lexicons: Option<PathBuf>,
    /// Lexicon files loaded after those.
    pub extra_lexicons: Vec<PathBuf>,
    pub targets: Option<PathBuf>,
    pub companies: Option<PathBuf>,
    pub model: Option<PathBuf>,
    pub voice_model: Option<PathBuf>,
    pub article_model: Option<PathBuf>,
    /// Decide by the stance model's own rule, without an article model.
    pub no_article_model: bool,
}

impl EngineFiles {
    pub fn config(&self) -> Result<EngineConfig> {
        ensure!(
            !(self.no_article_model && self.article_model.is_some()),
            "an article model and no article model were both asked for"
        );
        let disk = |path: &Option<PathBuf>| path.clone().map(DataFile::Disk);
        let defaults = EngineConfig::default();
        let mut lexicons = match &self.lexicons {
            Some(dir) => Lexicon::csv_files(dir)?,
            None => defaults.lexicons,
        };
        lexicons.extend(self.extra_lexicons.iter().cloned().map(DataFile::Disk));
        Ok(EngineConfig {
            lexicons,
            targets: disk(&self.targets).unwrap_or(defaults.targets),
            companies: disk(&self.companies).unwrap_or(defaults.companies),
            model: disk(&self.model).unwrap_or(defaults.model),
            voice_model: disk(&self.voice_model).or(defaults.voice_model),
            article_model: match self.no_article_model {
                true => None,
                false => disk(&self.article_model).or(defaults.article_model),
            },
        })
    }
}

/// The models an engine reads with: the stance model reads sentences, the voice model the
/// writing, and the article model decides from the stance reading and the article's own terms.
pub struct Models {
    pub stance: Model,
    pub voice: Option<Model>,
    pub article: Option<Model>,
}

/// The model column of a row, by what decided it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ModelLabels {
    pub statement: String,
    pub document: String,
}

impl ModelLabels {
    pub fn of(&self, decision: crate::model::linear::Decision) -> &str {
        match decision {
            crate::model::linear::Decision::Document => &self.document,
            _ => &self.statement,
        }
    }
}

/// Loaded lexicons, targets and models, shared by all threads.
pub struct Engine {
    pub lexicon: CompiledLexicon,
    pub targets: TargetBook,
    pub stance: CompiledModel,
    pub voice: Option<CompiledModel>,
    pub article: Option<CompiledModel>,
    /// Every company of the targets file, to find sentences about other companies.
    pub companies: Companies,
    /// Every one-word company name, lower case: tells another company's clause.
    pub company_words: rustc_hash::FxHashSet<Box<str>>,
    /// Every listed company, for `--target auto`: built by [`Engine::find_every_company`].
    pub every_company: Option<Companies>,
    /// Every stem the lexicons, targets and models use; each scorer starts from a copy.
    pub codebook: Codebook,
}

/// What scores depend on besides the article, each as a hash: when one changes, earlier scores
/// are stale. `code` hashes the scoring source this binary was built from; learned lexicon
/// entries show in `model`, which they re-weight.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EngineFingerprint {
    pub code: String,
    pub model: String,
    pub voice: Option<String>,
    #[serde(default)]
    pub article: Option<String>,
    pub lexicons: String,
    pub targets: String,
}

impl EngineFingerprint {
    /// The parts that differ from `earlier`, by name.
    pub fn changes_from(&self, earlier: &EngineFingerprint) -> Vec<&'static str> {
        let mut changed = Vec::new();
        if self.code != earlier.code {
            changed.push("stance build");
        }
        if self.model != earlier.model {
            changed.push("model");
        }
        if self.voice != earlier.voice {
            changed.push("voice model");
        }
        if self.article != earlier.article {
            changed.push("article model");
        }
        if self.lexicons != earlier.lexicons {
            changed.push("lexicons");
        }
        if self.targets != earlier.targets {
            changed.push("targets");
        }
        changed
    }
}

impl Engine {
    pub fn load(config: &EngineConfig) -> Result<Engine> {
        let (lexicon, targets) = config.load_lexicon_and_targets()?;
        let model = Model::load(&config.model)?;
        let voice = config.voice_model.as_ref().map(Model::load).transpose()?;
        let article = config.article_model.as_ref().map(Model::load).transpose()?;
        Engine::new(
            lexicon,
            targets,
            Models {
                stance: model,
                voice,
                article,
            },
            config,
        )
    }

    pub fn new(
        mut lexicon: Lexicon,
        targets: TargetBook,
        models: Models,
        config: &EngineConfig,
    ) -> Result<Engine> {
        let Models {
            stance: mut model,
            voice,
            article,
        } = models;
        ensure!(
            model.task == Task::Stance,
            "{}: task: expected a stance model",
            config.model
        );
        for entry in lexicon.take_learned() {
            ensure!(
                model.reweight_term(&entry.stems, entry.weight),
                "{}: learned term {:?} is not a term of the stance model {}",
                entry.origin,
                entry.term,
                model.name
            );
        }
        let mut codebook = Codebook::new();
        let lexicon = CompiledLexicon::compile(lexicon, &mut codebook)?;
        let stance = CompiledModel::new(model, &mut codebook, &config.model)?;
        let (file, default) = (&config.voice_model, DataFile::voice_model);
        let voice = compile_optional(voice, Task::Voice, file, default, &mut codebook)?;
        let (file, default) = (&config.article_model, DataFile::article_model);
        let article = compile_optional(article, Task::Article, file, default, &mut codebook)?;
        let stem = StemFilter::default();
        let companies = targets.compile_hand_entries(&mut codebook, &stem);
        let company_words = targets.company_words();
        Ok(Engine {
            lexicon,
            targets,
            stance,
            voice,
            article,
            companies,
            company_words,
            every_company: None,
            codebook,
        })
    }

    /// Compiles one automaton over every alias of every listed company, for `--target auto`.
    /// Call it before making scorers: it adds the aliases' stems to the codebook they copy.
    pub fn find_every_company(&mut self) {
        if self.every_company.is_none() {
            let every =
                (self.targets).compile_every_company(&mut self.codebook, &StemFilter::default());
            self.every_company = Some(every);
        }
    }

    /// The models an engine decides with: the stance model, and the article model when there is
    /// one (it decides documents).
    pub fn label(&self) -> String {
        match &self.article {
            Some(a) => format!("{}+{}", self.stance.model.label(), a.model.label()),
            None => self.stance.model.label(),
        }
    }

    /// What the output's model column says for each decision: the stance model for a statement,
    /// and the article model too for a document.
    pub fn model_labels(&self) -> ModelLabels {
        ModelLabels {
            statement: self.stance.model.label(),
            document: self.label(),
        }
    }

    /// Computed when asked (incremental runs), not at every load.
    pub fn fingerprint(&self) -> EngineFingerprint {
        EngineFingerprint {
            code: env!("STANCE_CODE_HASH").to_string(),
            model: self.stance.model.fingerprint(),
            voice: self.voice.as_ref().map(|v| v.model.fingerprint()),
            article: self.article.as_ref().map(|a| a.model.fingerprint()),
            lexicons: self.lexicon.lexicon.fingerprint(),
            targets: self.targets.fingerprint(),
        }
    }

    /// What the analysis stage reads.
    pub fn sources(&self) -> Sources<'_> {
        Sources {
            lexicon: &self.lexicon,
            companies: &self.companies,
            company_words: &self.company_words,
            weighting: &self.targets.weighting,
        }
    }
}

/// Compiles an optional model that must be of `task`, naming its file (the configured one, else
/// the default) in any error.
fn compile_optional(
    model: Option<Model>,
    task: Task,
    file: &Option<DataFile>,
    default: fn() -> DataFile,
    codebook: &mut Codebook,
) -> Result<Option<CompiledModel>> {
    let Some(m) = model else { return Ok(None) };
    let file = file.clone().unwrap_or_else(default);
    ensure!(
        m.task == task,
        "{}: task: expected {:?}, found {:?}",
        file,
        task.name(),
        m.task.name()
    );
    CompiledModel::new(m, codebook, &file).map(Some)
}
