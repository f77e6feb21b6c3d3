//! Any text through the whole pipeline: probabilities sum to 1, the score is bounded, and the
//! parts add up to the score.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use stance::read::analysis::Document;
use stance::model::engine::{Engine, EngineConfig};
use stance::model::scorer::Scorer;

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::load(&EngineConfig::default()).expect("default engine"))
}

fuzz_target!(|text: &str| {
    let engine = engine();
    let target = engine.targets.resolve("alibaba");
    let eval = Scorer::new(&engine).evaluate(
        Document {
            text,
            headline_paragraphs: 1,
        },
        &target,
    );
    let p = &eval.stance.probabilities;
    assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-9);
    assert!((-1.0..=1.0).contains(&eval.score()));
    let explained = eval.base_score() + eval.stance.label_shares.iter().map(|(_, s)| s).sum::<f64>();
    assert!(!eval.on_target() || (explained - eval.score()).abs() < 1e-9);
});
