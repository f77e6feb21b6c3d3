//! `stance train`: learn readable weights from labelled CSV files with linfa.

use crate::cmd::choice;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use serde_json::json;

use super::EngineArgs;
use stance::choice::Choice;
use stance::data::DataFile;
use stance::learn::corpus::is_document_corpus;
use stance::learn::metrics::Metrics;
use stance::learn::recipe::{Corpora, Recipe, Settings};
use stance::learn::train::{
    DataOptions, FitOptions, Prior, Scaling, TermOptions, cross_validate, file_hash, fit, prepare,
    prepare_examples, to_model,
};
use stance::model::linear::{Model, Pooling, Task};

const ABOUT: &str = "Train a linear softmax model on labelled CSV files";
const LONG_ABOUT: &str = "\
Train a linear softmax model on labelled CSV files.

Features are the lexicon cue sums plus learned stems and stem bigrams (chosen by document
frequency, so labels never pick them), each a named feature with readable weights. Features are
standardized for fitting and the scaling is folded back, so stored weights are per raw unit.
Labels: negative/neutral/positive or bearish/neutral/bullish (voice: retail/analysis/corporate),
case-insensitive; numeric labels need --label-map. Training reads short texts with --target any
unless --target or --target-col says otherwise.";

/// Which rows to read and how; shared with `stance eval`.
#[derive(clap::Args, Clone, Debug)]
pub struct DataArgs {
    /// Labelled CSV file, or a document corpus folder (repeatable; `stance train --recipe`
    /// reads its own)
    #[arg(long = "data", value_name = "FILE.csv")]
    pub data: Vec<PathBuf>,
    #[arg(long, default_value = "text")]
    pub text_col: String,
    #[arg(long, default_value = "label")]
    pub label_col: String,
    /// Column naming the entity each row is about; files without it use --target
    #[arg(long, value_name = "COL")]
    pub target_col: Option<String>,
    /// Target for rows without one
    #[arg(long, default_value = "any", value_parser = super::one_target)]
    pub target: String,
    #[arg(long, value_parser = choice::<Task>(), default_value = "stance")]
    pub task: Task,
    /// Map raw labels to classes, e.g. 0=bearish,1=neutral,2=bullish
    #[arg(long, value_delimiter = ',', value_parser = parse_pair)]
    pub label_map: Vec<(String, String)>,
    /// Keep only rows where COL equals VALUE (repeatable), e.g. n_entities=1
    #[arg(long = "filter", value_name = "COL=VALUE", value_parser = parse_pair)]
    pub filters: Vec<(String, String)>,
    /// Labelled data (CSV or a document corpus) fitted on but never scored by --cv: other
    /// genres that may help, with figures from --data rows alone (repeatable)
    #[arg(long = "train-only", value_name = "FILE")]
    pub train_only: Vec<PathBuf>,
}

impl DataArgs {
    pub fn options(&self) -> DataOptions {
        DataOptions {
            task: self.task,
            text_col: self.text_col.clone(),
            label_col: self.label_col.clone(),
            target_col: self.target_col.clone(),
            target: self.target.clone(),
            label_map: self.label_map.clone(),
            filters: self.filters.clone(),
        }
    }
}

/// How features are chosen and weights fitted; shared with `stance eval --cv`.
#[derive(clap::Args, Clone, Debug)]
pub struct FitArgs {
    /// Inverse regularisation strength (as scikit-learn's C; linfa alpha = 1/C)
    #[arg(long = "c", default_value_t = 0.3)]
    pub c: f64,
    /// How many stems and stem bigrams become features (0: lexicon features only)
    #[arg(long, default_value_t = 6000)]
    pub max_terms: usize,
    /// A term must occur in at least this many texts
    #[arg(long, default_value_t = 3)]
    pub min_df: usize,
    /// Use this model's learned terms instead of choosing them (the voice model takes the
    /// article model's, so scoring reads both models' terms in one pass over the text)
    #[arg(long, value_name = "MODEL")]
    pub terms_from: Option<PathBuf>,
    #[arg(long, default_value_t = 400)]
    pub max_iterations: u64,
    /// Converged when |gradient| / rows falls below this
    #[arg(long, default_value_t = 1e-3)]
    pub tolerance: f64,
    /// How features are made comparable before fitting
    #[arg(long, value_parser = choice::<Scaling>(), default_value = "none")]
    pub scaling: Scaling,
    /// How sentence features of a training text are pooled (its texts are short)
    #[arg(long, value_parser = choice::<Pooling>(), default_value = "sum")]
    pub training_pooling: Pooling,
    /// Class frequencies the decision assumes
    #[arg(long, value_parser = choice::<Prior>(), default_value = "data")]
    pub prior: Prior,
    /// Seed for the cross-validation folds
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
}

impl FitArgs {
    pub fn terms(&self) -> anyhow::Result<TermOptions> {
        let fixed = match &self.terms_from {
            Some(path) => {
                let model = Model::load(&DataFile::Disk(path.clone()))?;
                let terms: Vec<String> = (model.weights.iter())
                    .map(|w| w.feature.clone())
                    .filter(|f| f.starts_with("term:"))
                    .collect();
                Some(terms)
            }
            None => None,
        };
        Ok(TermOptions {
            max_terms: self.max_terms,
            min_df: self.min_df,
            placeholders: true,
            fixed,
        })
    }

    pub fn fit(&self) -> FitOptions {
        FitOptions {
            scaling: self.scaling,
            prior: self.prior,
            c: self.c,
            max_iterations: self.max_iterations,
            tolerance: self.tolerance,
        }
    }
}

pub fn parse_pair(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(a, b)| (a.trim().to_string(), b.trim().to_string()))
        .ok_or_else(|| format!("expected KEY=VALUE, found {s:?}"))
}

fn parse_band(s: &str) -> Result<(String, f64), String> {
    let (voice, band) = parse_pair(s)?;
    let band: f64 = band
        .parse()
        .map_err(|_| format!("expected a number after '=', found {band:?}"))?;
    Ok((voice, band))
}

#[derive(clap::Args, Debug)]
#[command(about = ABOUT, long_about = LONG_ABOUT)]
pub struct Args {
    /// Make a shipped model by its recipe: the labelled rows of ../shared/corpora it learns from
    /// and its settings (the scorecard refits the same recipes)
    #[arg(long, value_parser = choice::<Recipe>(), conflicts_with_all = [
        "data", "train_only", "task", "c", "max_terms", "min_df", "terms_from", "max_iterations",
        "tolerance", "scaling", "training_pooling", "prior", "pooling", "neutral_band", "voice_bands"])]
    pub recipe: Option<Recipe>,
    /// With --recipe: the folder that holds corpora/
    #[arg(long, default_value = "../shared", value_name = "DIR")]
    pub shared: PathBuf,
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub fit: FitArgs,
    /// How the model pools an article's sentences when it scores
    #[arg(long, value_parser = choice::<Pooling>(), default_value = "opinion")]
    pub pooling: Pooling,
    /// Articles pooled from several sentences are neutral when |P(bullish) - P(bearish)| is
    /// below this (the industry's -0.15..0.15 band); 0 keeps the most probable class
    #[arg(long, default_value_t = 0.15)]
    pub neutral_band: f64,
    /// A wider band for one voice class, as VOICE=BAND (repeatable), e.g. analysis=0.35: a piece
    /// of neutral analysis that only leans has made no call
    #[arg(long = "voice-band", value_name = "VOICE=BAND", value_parser = parse_band)]
    pub voice_bands: Vec<(String, f64)>,
    /// Cross-validate with K stratified folds first and record the metrics (0: skip)
    #[arg(long, default_value_t = 5)]
    pub cv: usize,
    /// Name stored in the model and shown in the output's model column
    #[arg(long, default_value = "trained")]
    pub name: String,
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    #[command(flatten)]
    pub engine: EngineArgs,
}

/// The labels and predictions of the rows cross-validation scored.
pub fn scored_rows(scored: &[bool], y: &[usize], predicted: &[usize]) -> (Vec<usize>, Vec<usize>) {
    scored
        .iter()
        .zip(y.iter().zip(predicted))
        .filter(|(s, _)| **s)
        .map(|(_, (&t, &p))| (t, p))
        .unzip()
}

/// A file the model learned from, for its training record.
#[derive(Clone)]
struct DataFileUse {
    path: PathBuf,
    name: String,
    split: Option<&'static str>,
    train_only: bool,
}

/// The files of `--data` and `--train-only` (a document corpus by its two files and the split
/// trained on).
fn data_files(args: &Args) -> Vec<DataFileUse> {
    let name = |p: &std::path::Path| {
        p.file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
    };
    let roles = (args.data.data.iter().map(|f| (f, false)))
        .chain(args.data.train_only.iter().map(|f| (f, true)));
    roles
        .flat_map(|(f, train_only)| {
            if is_document_corpus(f) {
                ["labels.csv", "data.jsonl"]
                    .map(|file| DataFileUse {
                        path: f.join(file),
                        name: format!("{}/{file}", name(f)),
                        split: Some("train"),
                        train_only,
                    })
                    .to_vec()
            } else {
                vec![DataFileUse {
                    path: f.clone(),
                    name: name(f),
                    split: None,
                    train_only,
                }]
            }
        })
        .collect()
}

/// The settings the flags give, when no recipe does.
fn settings_of(args: &Args) -> anyhow::Result<Settings> {
    let task = args.data.task;
    anyhow::ensure!(
        args.voice_bands.is_empty() || (task == Task::Stance && args.neutral_band > 0.0),
        "--voice-band widens the neutral band of a stance model: it needs --neutral-band > 0"
    );
    let mut terms = args.fit.terms()?;
    terms.placeholders = task != Task::Voice;
    Ok(Settings {
        task,
        terms,
        fit: args.fit.fit(),
        training_pooling: args.fit.training_pooling,
        pooling: args.pooling,
        neutral_band: (task == Task::Stance && args.neutral_band > 0.0)
            .then_some(args.neutral_band),
        voice_bands: args.voice_bands.clone(),
    })
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let config = args.engine.config()?;
    let (prepared, settings, files) = match args.recipe {
        Some(recipe) => {
            let corpora = Corpora::at(&args.shared)?;
            let set = recipe.training_set(&corpora)?;
            let settings = recipe.settings();
            let mut prepared = prepare_examples(
                set.examples,
                set.scored,
                settings.task,
                "any",
                &settings.terms,
                settings.training_pooling,
                &config,
            )?;
            prepared.problems.extend(set.problems);
            let files = (set.files.into_iter())
                .map(|(path, split)| DataFileUse {
                    name: path
                        .strip_prefix(args.shared.join("corpora"))
                        .unwrap_or(&path)
                        .display()
                        .to_string(),
                    path,
                    split,
                    train_only: false,
                })
                .collect();
            (prepared, settings, files)
        }
        None => {
            anyhow::ensure!(
                !args.data.data.is_empty(),
                "give the labelled data with --data FILE, or a shipped model's --recipe"
            );
            let settings = settings_of(&args)?;
            let prepared = prepare(
                &args.data.data,
                &args.data.train_only,
                &args.data.options(),
                settings.terms.clone(),
                settings.training_pooling,
                &config,
            )?;
            (prepared, settings, data_files(&args))
        }
    };
    let task = settings.task;
    for p in &prepared.problems {
        super::to_stderr!("warning: {p}");
    }
    super::to_stderr!(
        "{} rows, {} features ({} terms)",
        prepared.y.len(),
        prepared.features.len(),
        prepared
            .features
            .iter()
            .filter(|f| f.starts_with("term:"))
            .count()
    );
    let classes = task.classes();
    let cv_started = Instant::now();
    let cv = if args.cv > 0 {
        let (predicted, converged) = cross_validate(
            &prepared.x,
            &prepared.y,
            &prepared.scored,
            classes.len(),
            args.cv,
            args.fit.seed,
            settings.fit,
        )?;
        let (truth, predicted) = scored_rows(&prepared.scored, &prepared.y, &predicted);
        let metrics = Metrics::new(&classes, &truth, &predicted);
        super::to_stderr!(
            "{}-fold CV on {} rows of --data: macro-F1 {:.4}, accuracy {:.4}",
            args.cv,
            truth.len(),
            metrics.macro_f1,
            metrics.accuracy
        );
        Some(
            json!({"folds": args.cv, "seed": args.fit.seed, "all_folds_converged": converged, "metrics": metrics}),
        )
    } else {
        None
    };
    let cv_seconds = cv_started.elapsed().as_secs_f64();
    let fit_started = Instant::now();
    let fitted = fit(&prepared.x, &prepared.y, classes.len(), settings.fit)?;
    let fit_seconds = fit_started.elapsed().as_secs_f64();
    if !fitted.converged {
        super::to_stderr!(
            "warning: the fit did not converge in {} iterations (gradient norm {:.3e}); raise --max-iterations or lower --c",
            settings.fit.max_iterations,
            fitted.gradient_norm
        );
    }
    let data: Vec<serde_json::Value> = files
        .iter()
        .map(|f| {
            Ok(json!({"file": f.name, "blake3": file_hash(&f.path)?, "split": f.split, "train_only": f.train_only}))
        })
        .collect::<anyhow::Result<_>>()?;
    let mut counts = vec![0usize; classes.len()];
    for &y in &prepared.y {
        counts[y] += 1;
    }
    let mut training = json!({
        "method": "multinomial logistic regression (linfa-logistic, L-BFGS, fitted in single precision); any scaling is folded into the weights",
        "recipe": args.recipe.map(|r| r.name()),
        "scaling": format!("{:?}", settings.fit.scaling).to_lowercase(),
        "prior": format!("{:?}", settings.fit.prior).to_lowercase(),
        "training_pooling": settings.training_pooling,
        "c": settings.fit.c,
        "alpha": 1.0 / settings.fit.c,
        "rows": prepared.y.len(),
        "rows_per_class": classes.iter().zip(&counts).map(|(c, n)| (c.to_string(), json!(n))).collect::<serde_json::Map<_, _>>(),
        "rows_with_problems": prepared.problems.len(),
        "data": data,
        "text_col": args.data.text_col,
        "label_col": args.data.label_col,
        "target_col": args.data.target_col,
        "filters": args.data.filters.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>(),
        "terms": match &args.fit.terms_from {
            Some(from) => json!({"selection": "the terms of another model", "from": from.display().to_string(), "blake3": file_hash(from)?}),
            None => json!({"max_terms": settings.terms.max_terms, "min_df": settings.terms.min_df, "selection": "document frequency"}),
        },
        "lexicon_fingerprint": prepared.lexicon.fingerprint(),
        "targets_blake3": blake3::hash(config.targets.read().with_context(|| format!("reading {}", config.targets))?.as_bytes()).to_hex().to_string(),
        "converged": fitted.converged,
        "gradient_norm": fitted.gradient_norm,
        "max_iterations": settings.fit.max_iterations,
        "cross_validation": cv,
    });
    if task == Task::Article {
        // The article features are this model's reading: retraining it calls for a refit.
        let named = |file: &DataFile| -> anyhow::Result<serde_json::Value> {
            let m = Model::load(file)?;
            Ok(json!({"name": m.name, "fingerprint": m.fingerprint()}))
        };
        training["reads"] = json!({
            "stance_model": named(&config.model)?,
        });
    }
    let mut model = to_model(
        task,
        &args.name,
        &prepared.features,
        &fitted,
        settings.pooling,
        training,
    );
    model.neutral_band = settings.neutral_band;
    model.neutral_band_by_voice = settings.voice_bands.iter().cloned().collect();
    if let Err((field, reason)) = model.validate() {
        anyhow::bail!("{field}: {reason}");
    }
    model
        .save(&args.output)
        .with_context(|| format!("writing {}", args.output.display()))?;
    super::to_stderr!(
        "wrote {} ({} features with weights): fit {fit_seconds:.1} s, cross-validation {cv_seconds:.1} s, total {:.1} s",
        args.output.display(),
        model.weights.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}
