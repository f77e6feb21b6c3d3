//! Throughput of the pipeline's stages, on the JSONL corpus that `scripts/bench.sh` builds, with
//! the articles already in memory (the fastest of three runs of each): tokenizing, then tokenizing and stemming (through the
//! per-thread word cache, as scoring does), each on one thread and on all; then, on one thread,
//! each later stage added in turn: matching and rules, then features and models, then the
//! encoded row, with the exact attribution's share of that timed alone. Last, a floor: the least any linear scorer of these texts has to do (see
//! [`floor`]). Prints one line per run: stage, threads, MB/s, articles/s, tokens.
//!
//! `cargo bench --bench stages -- CORPUS.jsonl`

use std::sync::Mutex;
use std::time::Instant;

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use stance::input::{Article, InputOptions, read_all};
use stance::model::attribution::{Quadrature, Segment};
use stance::model::classes::{CLASSES, Logits, class_probabilities};
use stance::model::engine::{Engine, EngineConfig};
use stance::model::linear::Model;
use stance::model::scorer::Scorer;
use stance::read::analysis::Document;
use stance::read::target::Target;
use stance::text::analyze::{Analyzer, Codebook, StemFilter};
use stance::text::tokenize::Tokenizer;
use stance::write::csv::{CsvEncoding, CsvOptions};
use stance::write::output::ScoreRow;
use stance::write::sink::RowEncoding;

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
    stance::read::lexicon::CompiledLexicon::compile(lexicon, &mut codebook)
        .map_err(anyhow::Error::msg)?;

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
        let mut scorer = Scorer::new(&engine);
        for article in &articles {
            scorer.analyze(Document::from(article), &Target::Any);
        }
        Ok(0)
    })?;
    report("+ features, models, shares", 1, &mut || {
        let mut scorer = Scorer::new(&engine);
        for article in &articles {
            scorer.evaluate(Document::from(article), &Target::Any);
        }
        Ok(0)
    })?;
    // The exact shares alone: the quadrature over the segments those evaluations pooled.
    let pooled: Vec<Vec<Segment>> = {
        let mut scorer = Scorer::new(&engine);
        let intercepts = engine.stance.intercepts;
        articles
            .iter()
            .map(|article| {
                let eval = scorer.evaluate(Document::from(article), &Target::Any);
                eval.stance
                    .segments
                    .iter()
                    .map(|s| Segment {
                        weight: s.weight,
                        delta: std::array::from_fn(|c| s.logits[c] - intercepts[c]),
                    })
                    .collect()
            })
            .collect()
    };
    report("  of which: exact shares alone", 1, &mut || {
        let mut quadrature = Quadrature::default();
        let mut gradients = Vec::new();
        let score = [[-1.0, 0.0, 1.0]];
        for segments in &pooled {
            quadrature.path_gradients(&engine.stance.intercepts, segments, &score, &mut gradients);
        }
        Ok(0)
    })?;
    let models = engine.model_labels();
    let encoder = CsvEncoding(CsvOptions::default());
    report("+ drivers, CSV row", 1, &mut || {
        let mut scorer = Scorer::new(&engine);
        let mut row = Vec::new();
        for article in &articles {
            let eval = scorer.evaluate(Document::from(article), &Target::Any);
            row.clear();
            encoder.encode(&ScoreRow::new(article, &eval, &models), &mut row)?;
        }
        Ok(0)
    })?;

    let terms = one_word_terms(&engine.stance.model);
    for (stage, level) in [
        ("floor: byte scan", Floor::Scan),
        ("floor: + word cache", Floor::WordCache),
        ("floor: + one-word terms, softmax", Floor::Score),
    ] {
        report(stage, 1, &mut || Ok(floor(&texts, &terms, level)))?;
    }
    Ok(())
}

#[derive(Clone, Copy, PartialEq)]
enum Floor {
    Scan,
    WordCache,
    Score,
}

/// The default model's one-word terms by stem.
fn one_word_terms(model: &Model) -> FxHashMap<String, Logits> {
    model
        .weights
        .iter()
        .filter_map(|w| {
            let stem = w.feature.strip_prefix("term:")?;
            let weights = w.weights.as_slice().try_into().ok()?;
            (!stem.contains(' ')).then(|| (stem.to_string(), weights))
        })
        .collect()
}

/// The least a linear scorer of these texts does, as a yardstick for the stages above: runs of
/// ASCII letters, digits and non-ASCII bytes are words; each distinct word is lowercased and
/// stemmed once, through a cache keyed by its bytes; its one-word term weights add to the
/// sentence's logits; a `.`, `!`, `?` or line break ends the sentence, whose score (P(bullish) -
/// P(bearish)) is summed. No phrases, negation, targets, second model, explanation, input
/// parsing or output. Returns the number of words.
fn floor(texts: &[&str], terms: &FxHashMap<String, Logits>, level: Floor) -> usize {
    const NONE: u32 = u32::MAX;
    let stem = StemFilter::default();
    let mut weights: Vec<Logits> = Vec::new();
    let mut short: FxHashMap<u128, u32> = FxHashMap::default();
    let mut other: FxHashMap<Vec<u8>, u32> = FxHashMap::default();
    let term_of = |word: &[u8], weights: &mut Vec<Logits>| {
        let word = String::from_utf8_lossy(word).to_lowercase();
        terms.get(&stem.stem(&word)).map_or(NONE, |w| {
            weights.push(*w);
            weights.len() as u32 - 1
        })
    };
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b >= 0x80;
    let (mut words, mut total) = (0, 0.0);
    for text in texts {
        let bytes = text.as_bytes();
        let mut logits: Logits = [0.0; CLASSES];
        let mut i = 0;
        while i < bytes.len() {
            if !is_word(bytes[i]) {
                if level == Floor::Score && matches!(bytes[i], b'.' | b'!' | b'?' | b'\n') {
                    let p = class_probabilities(&logits);
                    total += p[2] - p[0];
                    logits = [0.0; CLASSES];
                }
                i += 1;
                continue;
            }
            let (start, mut high) = (i, 0);
            while i < bytes.len() && is_word(bytes[i]) {
                high |= bytes[i];
                i += 1;
            }
            words += 1;
            if level == Floor::Scan {
                continue;
            }
            let word = &bytes[start..i];
            let term = if word.len() <= 16 && high < 0x80 {
                let mut packed = [0u8; 16];
                packed[..word.len()].copy_from_slice(word);
                // Letters and digits only: setting bit 5 of every byte lowercases the letters,
                // keeps the digits and pads with spaces, which no word holds.
                let key = u128::from_le_bytes(packed) | u128::from_le_bytes([0x20; 16]);
                *short
                    .entry(key)
                    .or_insert_with(|| term_of(word, &mut weights))
            } else {
                match other.get(word) {
                    Some(&term) => term,
                    None => {
                        let term = term_of(word, &mut weights);
                        other.insert(word.to_vec(), term);
                        term
                    }
                }
            };
            if level == Floor::Score && term != NONE {
                for (l, w) in logits.iter_mut().zip(&weights[term as usize]) {
                    *l += w;
                }
            }
        }
    }
    std::hint::black_box(total);
    words
}
