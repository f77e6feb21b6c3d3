//! The scorecard's document figures are what an independent reader of `stance score`'s output
//! finds: `../shared/tools/articles_eval.py` scores the same test splits through the CLI and
//! computes its own macro-F1 and voice accuracy.

use std::collections::HashMap;
use std::process::Command;

mod common;

/// `(stance macro-F1, voice accuracy)` by the part names of articles_eval.py's table.
fn independent(corpus: &str) -> HashMap<String, (f64, f64)> {
    let bin = assert_cmd::cargo::cargo_bin("stance");
    let out = Command::new("python3")
        .arg(common::repo("../shared/tools/articles_eval.py"))
        .args(["--corpus", corpus, "--bin"])
        .arg(&bin)
        .current_dir(common::repo("."))
        .output()
        .expect("python3 runs");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let f1 = cells.get(4)?.parse().ok()?;
            let voice = cells.get(5)?.parse().ok()?;
            Some((cells[1].to_string(), (f1, voice)))
        })
        .collect()
}

#[test]
#[cfg_attr(
    stance_without_shared,
    ignore = "needs ../shared beside the repository, missing when the tests were built"
)]
fn document_figures_match_an_independent_reading() {
    let shared = common::repo("../shared/tools/articles_eval.py");
    if !common::available(shared.is_file(), &shared.display().to_string()) {
        return;
    }
    let out = common::stance()
        .args(["scorecard", "--parts", "documents", "--json", "--shared"])
        .arg(common::repo("../shared"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let figures: HashMap<String, (f64, f64)> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let f = &v["figure"];
            (
                f["part"].as_str().unwrap().to_string(),
                (
                    f["stance"]["macro_f1"].as_f64().unwrap(),
                    f["voice"]["accuracy"].as_f64().unwrap(),
                ),
            )
        })
        .collect();
    let articles = independent("articles");
    let web = independent("web");
    for (ours, theirs) in [
        ("articles test", &articles["all (test)"]),
        ("web test, English", &web["language en"]),
        ("web test, Chinese", &web["language zh"]),
    ] {
        let (f1, voice) = figures[ours];
        assert!(
            (f1 - theirs.0).abs() < 0.0006 && (voice - theirs.1).abs() < 0.0006,
            "{ours}: scorecard {f1:.4} / {voice:.4}, articles_eval.py {theirs:?}"
        );
    }
}
