//! Throughput of the first stages alone, on the JSONL corpus that `scripts/bench.sh` builds:
//! tokenizing, then tokenizing and stemming (through the per-thread word cache, as scoring does),
//! each on one thread and on all. Prints one line per run: stage, threads, MB/s, articles/s.
//!
//! `cargo bench --bench stages -- CORPUS.jsonl`

use std::time::Instant;

use rayon::prelude::*;
use stance::analyze::{Analyzer, Codebook};
use stance::input::{InputOptions, read_all};
use stance::score::EngineConfig;
use stance::tokenize::Tokenizer;

fn main() -> anyhow::Result<()> {
    let path = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .ok_or_else(|| anyhow::anyhow!("usage: cargo bench --bench stages -- CORPUS.jsonl"))?;
    let texts: Vec<String> = read_all(vec![path.clone()], &InputOptions::default())
        .filter_map(Result::ok)
        .map(|a| a.text)
        .collect();
    let bytes: usize = texts.iter().map(String::len).sum();
    // The stems the engine cares about, so stemming codes words as in a real run.
    let (lexicon, _) = EngineConfig::default().load_lexicon_and_targets()?;
    let mut codebook = Codebook::new();
    stance::lexicon::CompiledLexicon::compile(lexicon, &mut codebook);

    let tokenize = |text: &String| Tokenizer::new(text).count();
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
    Ok(())
}
