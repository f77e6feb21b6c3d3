//! The drivers a reader sees are reasons: never a function word or boilerplate, never the
//! company's own name. Checked on every article of the sample corpus and the seeds.

use std::path::Path;

use stance::input::{InputOptions, read_all};
use stance::model::engine::{Engine, EngineConfig};
use stance::model::scorer::{DRIVERS_PER_SIDE, Scorer};
use stance::read::analysis::Document;
use stance::read::target::Target;

mod common;

/// Words that say nothing a reader could check: none may be a driver or a driver's every word.
const BOILERPLATE: &[&str] = &[
    "company",
    "companies",
    "group",
    "inc",
    "corp",
    "corporation",
    "ltd",
    "plc",
    "llc",
    "co",
    "every",
    "said",
    "says",
    "also",
    "today",
    "yesterday",
    "the",
    "a",
    "an",
    "of",
    "to",
    "and",
    "in",
    "on",
    "for",
    "it",
    "its",
    "is",
    "was",
    "this",
    "that",
    "with",
    "as",
    "by",
    "at",
    "now",
    "around",
    "more",
    "most",
    "still",
    "even",
    "very",
    "just",
    "like",
    "not",
    "some",
    "all",
    "there",
    "here",
    "then",
    "than",
    "so",
    "but",
    "or",
    "if",
    "be",
    "been",
    "has",
    "have",
    "had",
    "will",
    "would",
    "can",
    "could",
    "may",
    "might",
    "i",
    "we",
    "you",
    "they",
    "he",
    "she",
];

fn check_drivers(dir: &Path) {
    let engine = Engine::load(&EngineConfig::default()).unwrap();
    let mut scorer = Scorer::new(&engine);
    let mut checked = 0;
    for item in read_all(vec![dir.display().to_string()], &InputOptions::default()) {
        let article = item.unwrap();
        let target = engine
            .targets
            .resolve(article.target.as_deref().unwrap_or("Alibaba"));
        let Target::Named { aliases, .. } = &target else {
            unreachable!("the sample corpus names its companies")
        };
        let eval = scorer.evaluate(Document::from(&article), &target);
        let drivers = &eval.drivers;
        assert!(drivers.bullish.len().max(drivers.bearish.len()) <= DRIVERS_PER_SIDE);
        for (term, _) in drivers.bullish.iter().chain(&drivers.bearish) {
            let words: Vec<String> = term
                .split_whitespace()
                .map(|w| {
                    w.trim_matches(|c: char| !c.is_alphanumeric())
                        .to_lowercase()
                })
                .collect();
            assert!(
                !words.iter().all(|w| BOILERPLATE.contains(&w.as_str())),
                "{}: driver {term:?} is boilerplate",
                article.id
            );
            for alias in aliases {
                let alias = alias.text.trim_start_matches('$').to_lowercase();
                assert!(
                    !words.contains(&alias),
                    "{}: driver {term:?} is the company's name {alias:?}",
                    article.id
                );
            }
        }
        checked += 1;
    }
    assert!(checked > 0);
}

#[test]
fn sample_corpus_drivers_are_reasons() {
    check_drivers(&common::repo("data/articles"));
}

#[test]
#[cfg_attr(
    stance_without_shared,
    ignore = "needs ../shared beside the repository, missing when the tests were built"
)]
fn seed_drivers_are_reasons() {
    let dir = common::repo("../shared/seeds");
    if common::available(dir.is_dir(), &dir.display().to_string()) {
        check_drivers(&dir);
    }
}
