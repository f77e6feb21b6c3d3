//! Throughput of the pipeline's stages, on the JSONL corpus that `scripts/bench.sh` builds, with
//! the articles already in memory: tokenizing, then tokenizing and stemming (through the
//! per-thread word cache, as scoring does), each on one thread and on all; then, on one thread,
//! each later stage added in turn: matching and rules, then features and models, then the
//! encoded row. Prints one line per run: stage, threads, MB/s, articles/s, tokens.
//!
//! `cargo bench --bench stages -- CORPUS.jsonl`

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
    let report = |stage: &str, threads: usize, seconds: f64, tokens: usize| {
        println!(
            "{stage}\t{threads}\t{:.1}\t{:.0}\t{tokens}",
            bytes as f64 / 1e6 / seconds,
            texts.len() as f64 / seconds
        );
    };
    let all = rayon::current_num_threads();

    let start = Instant::now();
    let tokens: usize = texts.iter().map(tokenize).sum();
    report("tokenize", 1, start.elapsed().as_secs_f64(), tokens);
    let start = Instant::now();
    let tokens: usize = texts.par_iter().map(tokenize).sum();
    report("tokenize", all, start.elapsed().as_secs_f64(), tokens);

    let start = Instant::now();
    let mut analyzer = Analyzer::default();
    let mut out = Vec::new();
    let mut tokens = 0;
    for text in &texts {
        analyzer.analyze(text, &codebook, &mut out);
        tokens += out.len();
    }
    report("tokenize+stem", 1, start.elapsed().as_secs_f64(), tokens);
    let start = Instant::now();
    let tokens: usize = texts
        .par_iter()
        .map_init(
            || (Analyzer::default(), Vec::new()),
            |(analyzer, out), text| {
                analyzer.analyze(text, &codebook, out);
                out.len()
            },
        )
        .sum();
    report("tokenize+stem", all, start.elapsed().as_secs_f64(), tokens);

    // The later stages as `stance score --target any` runs them, one thread.
    let engine = Engine::load(&EngineConfig::default())?;
    let mut scorer = engine.scorer();
    let start = Instant::now();
    for article in &articles {
        scorer.analyze(Document::from(article), &Target::Any);
    }
    report("+ match, rules, focus", 1, start.elapsed().as_secs_f64(), 0);
    let start = Instant::now();
    for article in &articles {
        scorer.evaluate(Document::from(article), &Target::Any);
    }
    report(
        "+ features, models, shares",
        1,
        start.elapsed().as_secs_f64(),
        0,
    );
    let model = engine.stance.model.label();
    let encoder = RowEncoder::new(OutputFormat::Csv, CsvOptions::default());
    let mut row = Vec::new();
    let start = Instant::now();
    for article in &articles {
        let eval = scorer.evaluate(Document::from(article), &Target::Any);
        row.clear();
        encoder.encode(
            &ScoreRow::new(article, &eval, &scorer.labels(), &model),
            &mut row,
        )?;
    }
    report("+ drivers, CSV row", 1, start.elapsed().as_secs_f64(), 0);
    Ok(())
}
