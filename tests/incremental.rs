//! Batch reruns: `stance score DIR -o FILE --incremental` on a growing folder.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

mod common;

use common::{copy_files, repo, stance};

/// A work directory with a copy of the sample articles in `articles/`.
fn sample_folder() -> (tempfile::TempDir, PathBuf) {
    let work = tempfile::tempdir().unwrap();
    let articles = work.path().join("articles");
    fs::create_dir(&articles).unwrap();
    copy_files(&repo("data/articles"), &articles, "md");
    (work, articles)
}

/// Runs `stance score DIR -o OUT --incremental EXTRA...`; returns stderr after checking success.
fn rerun(dir: &Path, out: &Path, extra: &[&str]) -> String {
    let output = stance()
        .arg("score")
        .arg(dir)
        .arg("-o")
        .arg(out)
        .args(["--incremental", "--quiet"])
        .args(extra)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "stance failed:\n{err}");
    err
}

/// The summary line: new, changed, unchanged, removed, errors, scored.
fn summary(err: &str) -> [usize; 6] {
    let line = err
        .lines()
        .find(|l| l.contains(" new, "))
        .unwrap_or_else(|| panic!("no summary line in:\n{err}"));
    let numbers: Vec<usize> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect();
    let kept_missing = line.contains("missing kept");
    let n = |i: usize| numbers[if kept_missing && i >= 4 { i + 1 } else { i }];
    [n(0), n(1), n(2), n(3), n(4), n(5)]
}

/// A run without --incremental into a fresh file: what a rerun must reproduce byte for byte.
fn clean_run(dir: &Path, work: &Path, extra: &[&str]) -> Vec<u8> {
    let out = work.join(format!("clean-{}.csv", std::process::id()));
    stance()
        .arg("score")
        .arg(dir)
        .arg("-o")
        .arg(&out)
        .args(extra)
        .assert()
        .success();
    let bytes = fs::read(&out).unwrap();
    fs::remove_file(&out).unwrap();
    bytes
}

#[test]
fn reruns_score_only_what_is_new_or_changed_and_match_a_clean_run() {
    let (work, articles) = sample_folder();
    let out = work.path().join("scores.csv");
    let files = fs::read_dir(&articles).unwrap().count();

    assert_eq!(
        summary(&rerun(&articles, &out, &[])),
        [files, 0, 0, 0, 0, files]
    );
    let first = fs::read(&out).unwrap();
    assert_eq!(
        summary(&rerun(&articles, &out, &[])),
        [0, 0, files, 0, 0, 0]
    );
    assert_eq!(fs::read(&out).unwrap(), first, "nothing new: same bytes");

    // Add one file.
    fs::write(
        articles.join("zz-new.md"),
        "Alibaba raises its dividend\n\nAlibaba raised its dividend and announced a buyback.\n",
    )
    .unwrap();
    assert_eq!(
        summary(&rerun(&articles, &out, &[])),
        [1, 0, files, 0, 0, 1]
    );
    assert_eq!(
        fs::read(&out).unwrap(),
        clean_run(&articles, work.path(), &[])
    );

    // Edit one.
    let edited = articles.join("zz-new.md");
    fs::write(
        &edited,
        "Alibaba shares plunge after profit collapses\n\nAlibaba shares plunged 12% after profit \
         collapsed and it warned of losses.\n",
    )
    .unwrap();
    assert_eq!(
        summary(&rerun(&articles, &out, &[])),
        [0, 1, files, 0, 0, 1]
    );
    let after_edit = fs::read(&out).unwrap();
    assert_eq!(after_edit, clean_run(&articles, work.path(), &[]));
    let text = String::from_utf8(after_edit).unwrap();
    assert!(
        text.lines()
            .any(|l| l.starts_with("zz-new.md,") && l.contains(",bearish,"))
    );

    // Remove one: its row goes, unless --keep-missing.
    fs::rename(&edited, work.path().join("aside.md")).unwrap();
    assert_eq!(
        summary(&rerun(&articles, &out, &["--keep-missing"])),
        [0, 0, files, 0, 0, 0]
    );
    assert!(
        String::from_utf8(fs::read(&out).unwrap())
            .unwrap()
            .contains("\nzz-new.md,")
    );
    assert_eq!(
        summary(&rerun(&articles, &out, &[])),
        [0, 0, files, 1, 0, 0]
    );
    assert_eq!(fs::read(&out).unwrap(), first);

    // --force rescores everything and changes nothing.
    let err = rerun(&articles, &out, &["--force"]);
    assert_eq!(summary(&err), [0, 0, files, 0, 0, files]);
    assert!(err.contains("--force"), "{err}");
    assert_eq!(fs::read(&out).unwrap(), first);
}

#[test]
fn a_changed_lexicon_weight_rescores_every_article() {
    let (work, articles) = sample_folder();
    let out = work.path().join("scores.csv");
    let lexicons = work.path().join("lexicons");
    fs::create_dir(&lexicons).unwrap();
    copy_files(&repo("lexicons"), &lexicons, "csv");
    let flags = ["--lexicons", lexicons.to_str().unwrap()];
    let files = fs::read_dir(&articles).unwrap().count();
    rerun(&articles, &out, &flags);
    assert_eq!(
        summary(&rerun(&articles, &out, &flags)),
        [0, 0, files, 0, 0, 0]
    );

    // Change one weight in one line of the finance lexicon.
    let finance = lexicons.join("finance.csv");
    let text = fs::read_to_string(&finance).unwrap();
    let mut header = csv::Reader::from_reader(text.as_bytes());
    let weight = header
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "weight")
        .expect("a weight column");
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let analyst = lines
        .iter()
        .position(|l| l.split(',').nth(1) == Some("analyst"))
        .expect("an analyst line, whose weight may be any number");
    let mut cells: Vec<String> = lines[analyst].split(',').map(String::from).collect();
    let old: f64 = cells[weight].parse().unwrap();
    cells[weight] = format!("{}", old * 1.25);
    lines[analyst] = cells.join(",");
    fs::write(&finance, lines.join("\n") + "\n").unwrap();

    let err = rerun(&articles, &out, &flags);
    assert!(err.contains("lexicons changed"), "{err}");
    assert_eq!(summary(&err), [0, 0, files, 0, 0, files]);
    assert_eq!(
        fs::read(&out).unwrap(),
        clean_run(&articles, work.path(), &flags)
    );
}

#[test]
fn output_does_not_depend_on_threads_or_the_order_files_were_made() {
    let (work, articles) = sample_folder();
    // The same files created in the opposite order, so the directory lists them differently.
    let reversed = work.path().join("reversed");
    fs::create_dir(&reversed).unwrap();
    let mut names: Vec<PathBuf> = fs::read_dir(&articles)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    for path in names.iter().rev() {
        fs::copy(path, reversed.join(path.file_name().unwrap())).unwrap();
    }
    let a = work.path().join("a.csv");
    let b = work.path().join("b.csv");
    rerun(&articles, &a, &["--threads", "1"]);
    rerun(&reversed, &b, &["--threads", "2"]);
    assert_eq!(fs::read(&a).unwrap(), fs::read(&b).unwrap());
    let text = String::from_utf8(fs::read(&a).unwrap()).unwrap();
    let ids: Vec<&str> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "rows sorted by id");
}

#[test]
fn a_second_run_on_the_same_output_stops_while_one_is_writing() {
    let (work, articles) = sample_folder();
    let out = work.path().join("scores.csv");
    let lock_file = work.path().join("scores.csv.lock");
    let held = fs::File::create(&lock_file).unwrap();
    held.try_lock().expect("the test holds the lock");
    let output = stance()
        .arg("score")
        .arg(&articles)
        .arg("-o")
        .arg(&out)
        .arg("--incremental")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(err.contains("being written by another stance run"), "{err}");
    assert!(err.contains("scores.csv.lock"), "{err}");
    assert!(!out.exists());

    // A lock file whose holder is gone (as a killed run leaves it) does not block.
    drop(held);
    assert!(lock_file.exists());
    rerun(&articles, &out, &[]);
    assert!(out.exists());
    assert!(!lock_file.exists(), "removed by the run that held it");
}

/// Writes `count` articles named `prefix-NNNNN.md`, each a sample article with its own line.
fn many_articles(dir: &Path, prefix: &str, count: usize) {
    let samples: Vec<String> = {
        let mut paths: Vec<PathBuf> = fs::read_dir(repo("data/articles"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "md"))
            .collect();
        paths.sort();
        paths
            .iter()
            .map(|p| fs::read_to_string(p).unwrap())
            .collect()
    };
    for i in 0..count {
        let text = format!(
            "{}\n\nReader note {prefix} {i}: Alibaba shares moved {}%.\n",
            samples[i % samples.len()],
            i % 7
        );
        fs::write(dir.join(format!("{prefix}-{i:05}.md")), text).unwrap();
    }
}

#[test]
fn a_run_killed_at_any_moment_leaves_the_previous_output_and_the_next_run_finishes() {
    let work = tempfile::tempdir().unwrap();
    let articles = work.path().join("articles");
    fs::create_dir(&articles).unwrap();
    let out = work.path().join("scores.csv");
    many_articles(&articles, "a", 300);
    rerun(&articles, &out, &[]);
    let before = fs::read(&out).unwrap();

    many_articles(&articles, "b", 5000);
    let binary = assert_cmd::cargo::cargo_bin("stance");
    let mut killed_mid_run = 0;
    for delay_ms in [0u64, 40, 150, 400, 900] {
        let mut child = std::process::Command::new(&binary)
            .arg("score")
            .arg(&articles)
            .arg("-o")
            .arg(&out)
            .args(["--incremental", "--quiet"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Wait until the run holds its lock, then let it work a little.
        let started = Instant::now();
        let lock = work.path().join("scores.csv.lock");
        while !fs::read_to_string(&lock).is_ok_and(|s| s.contains(&child.id().to_string()))
            && started.elapsed() < Duration::from_secs(30)
            && child.try_wait().unwrap().is_none()
        {
            std::thread::sleep(Duration::from_millis(2));
        }
        std::thread::sleep(Duration::from_millis(delay_ms));
        if child.try_wait().unwrap().is_none() {
            killed_mid_run += 1;
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let now = fs::read(&out).unwrap();
        if now != before {
            // Killed after the new output was in place: it must be the complete one.
            assert_eq!(
                now,
                clean_run(&articles, work.path(), &[]),
                "after {delay_ms} ms"
            );
            break;
        }
    }
    eprintln!("{killed_mid_run} kill(s) landed while a run was working");
    assert!(killed_mid_run > 0, "no kill landed while a run was working");

    let err = rerun(&articles, &out, &[]);
    let [new, changed, unchanged, removed, errors, _] = summary(&err);
    assert_eq!((changed, removed, errors), (0, 0, 0), "{err}");
    assert_eq!(new + unchanged, 5300, "{err}");
    assert_eq!(
        fs::read(&out).unwrap(),
        clean_run(&articles, work.path(), &[])
    );
    let leftovers: Vec<String> = fs::read_dir(work.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".stance-tmp") || n.ends_with(".lock"))
        .collect();
    assert!(leftovers.is_empty(), "left behind: {leftovers:?}");
}
