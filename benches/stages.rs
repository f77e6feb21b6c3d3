//! Throughput of the pipeline's stages, on the JSONL corpus that `scripts/bench.sh` builds, with
//! the articles already in memory (the fastest of three runs of each): tokenizing, then tokenizing and stemming (through the
//! per-thread word cache, as scoring does), each on one thread and on all; then, on one thread,
//! each later stage added in turn: matching and rules, then features and models, then the
//! encoded row. Prints one line per run: stage, threads, MB/s, articles/s, tokens.
//!
//! `cargo bench --bench stages -- CORPUS.jsonl`

use std::sync::Mutex;
use std::time::Instant;

use rayon::prelude::*;
use stance::analyze::{Analyzer, Codebook};
use stance::input::{Article, InputOptions, read_all};
use stance::output::{CsvOptions, OutputFormat, RowEncoder, ScoreRow};
use stance::score::{Document, Engine, EngineConfig};
use stance::target::Target;
use stance::tokenize::Tokenizer;

fn main() -> anyhow::Result<()> {
    let path = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .ok_or_else(|| anyhow::anyhow!("usage: cargo bench --bench stages -- CORPUS.jsonl"))?;
    let articles: Vec<Article> = read_all(vec![path.clone()], &InputOptions::default())
        .filter_map(Result::ok)
        .collect();
    let texts: Vec<&str> = articles.iter().map(|a| a.text.as_str()).collect();
    let bytes: usize = texts.iter().map(|t| t.len()).sum();
    // The stems the engine cares about, so stemming codes words as in a real run.
    let (lexicon, _) = EngineConfig::default().load_lexicon_and_targets()?;
    let mut codebook = Codebook::new();
    stance::lexicon::CompiledLexicon::compile(lexicon, &mut codebook);

    let tokenize = |text: &&str| Tokenizer::new(text).count();
    // Timings on a shared machine wander: each stage runs RUNS times from a cold start (fresh
    // caches) and the fastest run is reported.
    const RUNS: usize = 3;
    let report = |stage: &str, threads: usize, run: &mut dyn FnMut() -> anyhow::Result<usize>| {
        let mut best = f64::INFINITY;
        let mut tokens = 0;
        for _ in 0..RUNS {
            let start = Instant::now();
            tokens = run()?;
            best = best.min(start.elapsed().as_secs_f64());
        }
        println!(
            "{stage}\t{threads}\t{:.1}\t{:.0}\t{tokens}",
            bytes as f64 / 1e6 / best,
            texts.len() as f64 / best
        );
        anyhow::Ok(())
    };
    let all = rayon::current_num_threads();

    report("tokenize", 1, &mut || Ok(texts.iter().map(tokenize).sum()))?;
    report("tokenize", all, &mut || {
        Ok(texts.par_iter().map(tokenize).sum())
    })?;
    report("tokenize+stem", 1, &mut || {
        let mut analyzer = Analyzer::default();
        let mut out = Vec::new();
        let mut tokens = 0;
        for text in &texts {
            analyzer.analyze(text, &codebook, &mut out);
            tokens += out.len();
        }
        Ok(tokens)
    })?;
    report("tokenize+stem", all, &mut || {
        // One word cache per thread, as `stance score` keeps one scorer per thread.
        let slots: Vec<Mutex<(Analyzer, Vec<_>)>> = (0..all)
            .map(|_| Mutex::new((Analyzer::default(), Vec::new())))
            .collect();
        Ok(texts
            .par_iter()
            .map(|text| {
                let slot = rayon::current_thread_index().unwrap_or(0) % all;
                let mut slot = slots[slot].lock().unwrap_or_else(|e| e.into_inner());
                let (analyzer, out) = &mut *slot;
                analyzer.analyze(text, &codebook, out);
                out.len()
            })
            .sum())
    })?;

    // The later stages as `stance score --target any` runs them, one thread.
    let engine = Engine::load(&EngineConfig::default())?;
    report("+ match, rules, focus", 1, &mut || {
        let mut scorer = engine.scorer();
        for article in &articles {
            scorer.analyze(Document::from(article), &Target::Any);
        }
        Ok(0)
    })?;
    report("+ features, models, shares", 1, &mut || {
        let mut scorer = engine.scorer();
        for article in &articles {
            scorer.evaluate(Document::from(article), &Target::Any);
        }
        Ok(0)
    })?;
    let model = engine.stance.model.label();
    let encoder = RowEncoder::new(OutputFormat::Csv, CsvOptions::default());
    report("+ drivers, CSV row", 1, &mut || {
        let mut scorer = engine.scorer();
        let mut row = Vec::new();
        for article in &articles {
            let eval = scorer.evaluate(Document::from(article), &Target::Any);
            row.clear();
            encoder.encode(
                &ScoreRow::new(article, &eval, &scorer.labels(), &model),
                &mut row,
            )?;
        }
        Ok(0)
    })?;
    Ok(())
}
