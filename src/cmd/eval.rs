//! `stance eval`: accuracy, macro-F1, per-class scores and the confusion matrix on labelled data.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use serde_json::json;

use super::EngineArgs;
use super::train::{DataArgs, FitArgs, scored_rows};
use stance::learn::corpus::{is_document_corpus, read_document_corpus};
use stance::learn::evaluate::{corpus_parts, decision_path, is_direction_only, metrics, predict};
use stance::learn::train::{cross_validate, prepare, read_examples};
use stance::model::classes::{BEARISH, BULLISH};
use stance::model::linear::Task;

const ABOUT: &str = "Evaluate on labelled CSV files or a document corpus: a model as it is, or \
                     train-then-test with --cv K";

const LONG_ABOUT: &str = "\
Evaluate on labelled data: a model as it is, or train-then-test with --cv K.

--data takes labelled CSV files, or one folder holding data.jsonl and labels.csv (a document
corpus such as ../shared/corpora/articles): each document is scored for its labelled company and
the report gives stance and voice figures overall, by source and by voice, with confusion
matrices (--split picks the rows). Labels that are only bearish and bullish (StockTwits author
tags) are scored on the direction they can express: P(bullish) against P(bearish).";

#[derive(clap::Args, Debug)]
#[command(about = ABOUT, long_about = LONG_ABOUT)]
pub struct Args {
    #[command(flatten)]
    pub data: DataArgs,
    /// Stratified K-fold train-then-test (fixed seed) instead of scoring with --model
    #[arg(long, value_name = "K")]
    pub cv: Option<usize>,
    /// Print one JSON object instead of a report
    #[arg(long)]
    pub json: bool,
    /// Rows of a document corpus to score: train, test or all
    #[arg(long, default_value = "test", value_parser = ["train", "test", "all"])]
    pub split: String,
    /// Write the misclassified rows (id, truth, predicted, text) to this CSV file
    #[arg(long, value_name = "FILE")]
    pub errors: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub fit: FitArgs,
    #[command(flatten)]
    pub engine: EngineArgs,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(
        !args.data.data.is_empty(),
        "give the labelled data with --data FILE (or a document corpus folder)"
    );
    if let [dir] = args.data.data.as_slice()
        && is_document_corpus(dir)
        && args.cv.is_none()
    {
        return documents(&args, dir);
    }
    let task = args.data.task;
    let classes = task.classes();
    let direction;
    let (truth, predicted, problems, how, examples) = match args.cv {
        Some(k) => {
            let mut terms = args.fit.terms()?;
            terms.placeholders = task != Task::Voice;
            let prepared = prepare(
                &args.data.data,
                &args.data.train_only,
                &args.data.options(),
                terms,
                args.fit.training_pooling,
                &args.engine.config()?,
            )?;
            // Labels without a neutral class are fitted as the two sides they have.
            direction = is_direction_only(task, prepared.y.iter().copied());
            let side = |y: &usize| usize::from(*y == BULLISH);
            let (y, fitted_classes) = if direction {
                (prepared.y.iter().map(side).collect(), 2)
            } else {
                (prepared.y.clone(), classes.len())
            };
            let (predicted, converged) = cross_validate(
                &prepared.x,
                &y,
                &prepared.scored,
                fitted_classes,
                k,
                args.fit.seed,
                args.fit.fit(),
            )?;
            let predicted: Vec<usize> = if direction {
                let class = |p: usize| if p == 1 { BULLISH } else { BEARISH };
                predicted.into_iter().map(class).collect()
            } else {
                predicted
            };
            if !converged {
                super::to_stderr!("warning: a fold's fit did not converge; raise --max-iterations");
            }
            let how = json!({"mode": "cross-validation", "folds": k, "seed": args.fit.seed, "c": args.fit.c,
                             "max_terms": args.fit.max_terms, "min_df": args.fit.min_df, "all_folds_converged": converged,
                             "train_only_rows": prepared.scored.iter().filter(|s| !**s).count()});
            // Only the rows of --data are judged.
            let (truth, predicted) = scored_rows(&prepared.scored, &prepared.y, &predicted);
            let examples = prepared
                .examples
                .into_iter()
                .zip(&prepared.scored)
                .filter_map(|(e, &scored)| scored.then_some(e))
                .collect();
            (truth, predicted, prepared.problems, how, examples)
        }
        None => {
            let engine = args.engine.load()?;
            let (examples, problems) = read_examples(&args.data.data, &args.data.options())?;
            direction = is_direction_only(task, examples.iter().map(|e| e.label));
            let predicted = predict(&engine, &examples, &args.data.target, task, direction);
            let trained_on = match task {
                Task::Stance => Some(&engine.stance.model),
                Task::Voice => engine.voice.as_ref().map(|v| &v.model),
                Task::Article => engine.article.as_ref().map(|a| &a.model),
            };
            let model = trained_on.map(|m| m.name.clone()).unwrap_or_default();
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
                super::to_stderr!(
                    "note: the model was trained on {}: these figures are in-sample, not held out \
                     (--cv K gives held-out ones)",
                    seen_in_training.join(", ")
                );
            }
            let decision = decision_path(&engine, task);
            super::to_stderr!("note: evaluated {decision}");
            let how = json!({"mode": "model", "model": model, "decision": decision,
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
        super::to_stderr!("warning: {p}");
    }
    if direction {
        super::to_stderr!(
            "note: the labels are only bearish and bullish, so this is scored on direction: \
             P(bullish) against P(bearish), neutral never predicted"
        );
    }
    let metrics = metrics(task, &truth, &predicted, direction);
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
    let mut out = std::io::stdout().lock();
    if args.json {
        let mut value = serde_json::to_value(&metrics)?;
        value["evaluation"] = how;
        value["rows_with_problems"] = json!(problems.len());
        value["direction_only"] = json!(direction);
        writeln!(out, "{}", serde_json::to_string(&value)?)?;
    } else {
        writeln!(out, "{}", how)?;
        write!(out, "{}", metrics.report())?;
    }
    Ok(ExitCode::SUCCESS)
}

/// A document corpus scored as it is: stance and voice figures overall, by source and by voice.
fn documents(args: &Args, dir: &std::path::Path) -> anyhow::Result<ExitCode> {
    let engine = args.engine.load()?;
    let split = (args.split != "all").then_some(args.split.as_str());
    let (documents, problems) = read_document_corpus(dir, split)?;
    for p in &problems {
        super::to_stderr!("warning: {p}");
    }
    anyhow::ensure!(
        !documents.is_empty(),
        "{}: no documents in split {:?}",
        dir.display(),
        args.split
    );
    let parts = corpus_parts(&engine, &documents, &args.split);
    let how = json!({"mode": "model", "model": engine.label(), "corpus": dir.display().to_string(),
                     "split": args.split, "documents": documents.len(), "rows_with_problems": problems.len()});
    let mut out = std::io::stdout().lock();
    if args.json {
        let parts: Vec<serde_json::Value> = (parts.iter())
            .map(|p| {
                json!({"part": p.name, "n": p.documents, "stance": p.stance, "voice": p.voice,
                       "relevance_0": p.company_not_found})
            })
            .collect();
        writeln!(
            out,
            "{}",
            serde_json::to_string(&json!({"evaluation": how, "parts": parts}))?
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(out, "{how}")?;
    writeln!(
        out,
        "| part | n | stance accuracy | stance macro-F1 | voice accuracy | company not found |"
    )?;
    writeln!(out, "|---|---|---|---|---|---|")?;
    for p in &parts {
        let voice = (p.voice.as_ref()).map_or("-".to_string(), |v| format!("{:.3}", v.accuracy));
        writeln!(
            out,
            "| {} | {} | {:.3} | {:.3} | {voice} | {} |",
            p.name, p.documents, p.stance.accuracy, p.stance.macro_f1, p.company_not_found
        )?;
    }
    let all = &parts[0];
    writeln!(out, "\nstance, {}:\n{}", all.name, all.stance.report())?;
    if let Some(voice) = &all.voice {
        writeln!(out, "voice, {}:\n{}", all.name, voice.report())?;
    }
    Ok(ExitCode::SUCCESS)
}
