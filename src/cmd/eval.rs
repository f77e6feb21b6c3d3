//! `stance eval`: accuracy, macro-F1, per-class scores and the confusion matrix on labelled data.

use std::process::ExitCode;

use anyhow::Context;
use serde_json::json;

use super::EngineArgs;
use super::train::{DataArgs, FitArgs};
use stance::analysis::Document;
use stance::metrics::Metrics;
use stance::score::Scorer;
use stance::train::{Task, cross_validate, prepare, read_examples};

const ABOUT: &str =
    "Evaluate on labelled CSV files: a model as it is, or train-then-test with --cv K";

#[derive(clap::Args, Debug)]
#[command(about = ABOUT)]
pub struct Args {
    #[command(flatten)]
    pub data: DataArgs,
    /// Stratified K-fold train-then-test (fixed seed) instead of scoring with --model
    #[arg(long, value_name = "K")]
    pub cv: Option<usize>,
    /// Print one JSON object instead of a report
    #[arg(long)]
    pub json: bool,
    /// Write the misclassified rows (id, truth, predicted, text) to this CSV file
    #[arg(long, value_name = "FILE")]
    pub errors: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub fit: FitArgs,
    #[command(flatten)]
    pub engine: EngineArgs,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let task = args.data.task;
    let classes = task.classes();
    let (truth, predicted, problems, how, examples) = match args.cv {
        Some(k) => {
            let prepared = prepare(
                &args.data.data,
                &args.data.options(),
                args.fit.terms(),
                args.fit.training_pooling,
                &args.engine.config()?,
            )?;
            let (predicted, converged) = cross_validate(
                &prepared.x,
                &prepared.y,
                classes.len(),
                k,
                args.fit.seed,
                args.fit.fit(),
            )?;
            if !converged {
                eprintln!("warning: a fold's fit did not converge; raise --max-iterations");
            }
            let how = json!({"mode": "cross-validation", "folds": k, "seed": args.fit.seed, "c": args.fit.c,
                             "max_terms": args.fit.max_terms, "min_df": args.fit.min_df, "all_folds_converged": converged});
            (
                prepared.y,
                predicted,
                prepared.problems,
                how,
                prepared.examples,
            )
        }
        None => {
            let engine = args.engine.load()?;
            let (examples, problems) = read_examples(&args.data.data, &args.data.options())?;
            let default_target = engine.targets.resolve(&args.data.target);
            let mut scorer = Scorer::new(&engine);
            let predicted = examples
                .iter()
                .map(|e| {
                    let a = &e.article;
                    let target = engine
                        .targets
                        .resolve_or(a.target.as_deref(), &default_target);
                    let eval = scorer.evaluate(Document::from(a), &target);
                    match task {
                        Task::Stance => eval.stance_class(),
                        Task::Voice => eval.voice.as_ref().map_or(1, |v| v.best()),
                    }
                })
                .collect();
            let model = match task {
                Task::Stance => engine.stance.model.name.clone(),
                Task::Voice => engine
                    .voice
                    .as_ref()
                    .map(|v| v.model.name.clone())
                    .unwrap_or_default(),
            };
            let trained_on = match task {
                Task::Stance => Some(&engine.stance.model),
                Task::Voice => engine.voice.as_ref().map(|v| &v.model),
            };
            let mut seen_in_training = Vec::new();
            for file in &args.data.data {
                let bytes =
                    std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
                let hash = blake3::hash(&bytes).to_hex().to_string();
                if trained_on.is_some_and(|m| m.was_trained_on(&hash)) {
                    seen_in_training.push(file.display().to_string());
                }
            }
            if !seen_in_training.is_empty() {
                eprintln!(
                    "note: the model was trained on {}: these figures are in-sample, not held out \
                     (--cv K gives held-out ones)",
                    seen_in_training.join(", ")
                );
            }
            let how = json!({"mode": "model", "model": model,
                             "in_sample": !seen_in_training.is_empty(),
                             "files_in_training_data": seen_in_training});
            (
                examples.iter().map(|e| e.label).collect::<Vec<_>>(),
                predicted,
                problems,
                how,
                examples,
            )
        }
    };
    for p in &problems {
        eprintln!("warning: {p}");
    }
    let metrics = Metrics::new(&classes, &truth, &predicted);
    if let Some(path) = &args.errors {
        let mut out = csv::Writer::from_writer(Vec::new());
        out.write_record(["id", "truth", "predicted", "text"])?;
        for ((e, &t), &p) in examples
            .iter()
            .zip(&truth)
            .zip(&predicted)
            .filter(|((_, t), p)| t != p)
        {
            out.write_record([
                e.article.id.as_str(),
                classes[t],
                classes[p],
                e.article.text.as_str(),
            ])?;
        }
        stance::files::write_atomically(path, &out.into_inner().map_err(|e| e.into_error())?)?;
    }
    if args.json {
        let mut value = serde_json::to_value(&metrics)?;
        value["evaluation"] = how;
        value["rows_with_problems"] = json!(problems.len());
        println!("{}", serde_json::to_string(&value)?);
    } else {
        println!("{}", how);
        print!("{}", metrics.report());
    }
    Ok(ExitCode::SUCCESS)
}
