//! End-to-end tests of the `stance` binary on the bundled sample corpus and on broken input.

use std::fs;
use std::path::Path;

use predicates::prelude::*;

mod common;

use common::{copy_files, repo, stance};

fn rows(csv_text: &str) -> Vec<csv::StringRecord> {
    csv::Reader::from_reader(csv_text.as_bytes())
        .records()
        .map(|r| r.expect("valid CSV"))
        .collect()
}

fn header(csv_text: &str) -> Vec<String> {
    csv::Reader::from_reader(csv_text.as_bytes())
        .headers()
        .expect("header")
        .iter()
        .map(String::from)
        .collect()
}

fn column(csv_text: &str, name: &str) -> usize {
    header(csv_text)
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name}"))
}

/// A broken data file given with `flag` stops the run at once (exit 2) with `message`.
fn stops_on_broken_file(flag: &str, path: &Path, message: &str) {
    stance()
        .args(["score", "-", flag])
        .arg(path)
        .write_stdin("x")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(message));
}

/// Every message must appear in stderr.
fn assert_mentions(err: &str, messages: &[&str]) {
    for message in messages {
        assert!(err.contains(message), "missing {message:?} in:\n{err}");
    }
}

/// Scores `paths`, which must succeed with each of `problems` reported on stderr; returns stdout.
fn score_despite(paths: &[&Path], problems: &[&str]) -> String {
    let out = stance()
        .arg("score")
        .args(paths)
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{err}");
    assert_mentions(&err, problems);
    String::from_utf8(out.stdout).unwrap()
}

fn score_dir(dir: &Path, extra: &[&str]) -> (String, String, bool) {
    let out = stance()
        .arg("score")
        .arg(dir)
        .args(extra)
        .output()
        .expect("runs");
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.success(),
    )
}

#[test]
fn scores_the_sample_corpus_with_the_documented_columns() {
    let (out, err, ok) = score_dir(&repo("data/articles"), &[]);
    assert!(ok, "{err}");
    let expected = "id,title,date,source,target,ticker,relevance,stance,score,p_bearish,p_neutral,\
                    p_bullish,confidence,drivers_bullish,drivers_bearish,tokens,model";
    assert!(
        header(&out).join(",").starts_with(expected),
        "{}",
        header(&out).join(",")
    );
    let rows = rows(&out);
    let labels = fs::read_to_string(repo("data/articles/labels.csv")).unwrap();
    assert_eq!(rows.len(), labels.lines().count() - 1);
    let ids: Vec<&str> = rows.iter().map(|r| &r[0]).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "rows come in path order");
    for r in &rows {
        let score: f64 = r[8].parse().unwrap();
        let p: Vec<f64> = (9..12).map(|i| r[i].parse().unwrap()).collect();
        assert!((-1.0..=1.0).contains(&score));
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 2e-4, "{p:?}");
        assert!((score - (p[2] - p[0])).abs() < 2e-4);
        assert_eq!(
            r[8].split('.').nth(1).map(str::len),
            Some(4),
            "fixed four decimals"
        );
    }
}

#[test]
fn an_article_that_never_names_the_target_is_reported_not_guessed() {
    let (out, _, ok) = score_dir(&repo("data/articles/market-wrap.md"), &[]);
    assert!(ok);
    let r = &rows(&out)[0];
    let (rel, stance, conf) = (
        column(&out, "relevance"),
        column(&out, "stance"),
        column(&out, "confidence"),
    );
    assert_eq!((&r[rel], &r[stance], &r[conf]), ("0", "neutral", "0.0000"));
}

#[test]
fn front_matter_target_and_target_flags() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a.md"), "---\ntitle: Nokia results\ntarget: Nokia\n---\nNokia profit rose sharply and the outlook improved.\n").unwrap();
    let (out, _, _) = score_dir(dir.path(), &[]);
    let r = &rows(&out)[0];
    assert_eq!(&r[column(&out, "target")], "Nokia");
    assert_eq!(&r[column(&out, "relevance")], "100");
    assert_eq!(&r[column(&out, "stance")], "bullish");
    fs::write(
        dir.path().join("a.md"),
        "Profit rose sharply and the outlook improved.\n",
    )
    .unwrap();
    let (out, _, _) = score_dir(dir.path(), &["--target", "any"]);
    assert_eq!(&rows(&out)[0][column(&out, "relevance")], "100");
    let (out, _, _) = score_dir(dir.path(), &["--target", "Nokia"]);
    assert_eq!(&rows(&out)[0][column(&out, "relevance")], "0");
}

#[test]
fn reads_jsonl_csv_and_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let jsonl = dir.path().join("in.jsonl");
    fs::write(&jsonl, "{\"id\":\"j1\",\"text\":\"Alibaba profit rose.\",\"source\":\"wire\"}\n{\"text\":\"Tencent was downgraded.\",\"target\":\"Tencent\"}\n").unwrap();
    let (out, err, ok) = score_dir(&jsonl, &[]);
    assert!(ok, "{err}");
    let r = rows(&out);
    assert_eq!(
        (&r[0][0], &r[0][3], &r[1][0], &r[1][4]),
        ("j1", "wire", "in.jsonl:2", "Tencent")
    );
    assert_ne!(
        &r[1][column(&out, "relevance")],
        "0",
        "the line's own target was used"
    );
    assert!(
        r[1][column(&out, "score")].parse::<f64>().unwrap() < -0.2,
        "a downgrade leans bearish"
    );

    let csv_path = dir.path().join("in.csv");
    fs::write(
        &csv_path,
        "id,body,source\nc1,\"Alibaba shares jumped, analysts said.\",desk\n",
    )
    .unwrap();
    let (out, err, ok) = score_dir(&csv_path, &["--text-col", "body"]);
    assert!(ok, "{err}");
    assert_eq!(&rows(&out)[0][0], "c1");

    let out = stance()
        .args(["score", "-", "--target", "any"])
        .write_stdin("Shares plunged after the loss widened.")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(&rows(&text)[0][column(&text, "stance")], "bearish");
}

#[test]
fn jsonl_output_has_numbers_and_driver_lists() {
    let (out, _, ok) = score_dir(
        &repo("data/articles/alibaba-corporate-memo.md"),
        &["--format", "jsonl"],
    );
    assert!(ok);
    let v: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert!(v["score"].is_f64() && v["relevance"].is_u64());
    assert!(
        v["drivers_bullish"][0]["term"].is_string()
            && v["drivers_bullish"][0]["contribution"].is_f64()
    );
}

#[test]
fn writes_the_output_file_only_when_something_was_scored() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("scores.csv");
    stance()
        .args(["score"])
        .arg(repo("data/articles"))
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    let first = fs::read_to_string(&out).unwrap();
    let empty = dir.path().join("empty");
    fs::create_dir(&empty).unwrap();
    stance()
        .arg("score")
        .arg(&empty)
        .arg("-o")
        .arg(&out)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("nothing could be scored"));
    assert_eq!(
        fs::read_to_string(&out).unwrap(),
        first,
        "a failed run keeps the previous output"
    );
}

#[test]
fn bad_input_is_named_and_the_rest_is_scored() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(d.join("good.txt"), "Alibaba profit rose strongly.").unwrap();
    fs::write(d.join("empty.txt"), "   \n").unwrap();
    fs::write(d.join("binary.txt"), b"\x00\x01\x02binary").unwrap();
    fs::write(d.join("latin1.txt"), b"Alibaba caf\xe9 profit rose.").unwrap();
    fs::create_dir(d.join("nothing_here")).unwrap();
    let jsonl = d.join("lines.jsonl");
    fs::write(
        &jsonl,
        "{\"text\":\"Alibaba up\"}\n{broken\n{\"text\":[1]}\n",
    )
    .unwrap();
    let ragged = d.join("rows.csv");
    fs::write(&ragged, "id,text\n1,Alibaba fell\n2\n").unwrap();
    let missing = d.join("missing.txt");
    let out = score_despite(
        &[d, &jsonl, &ragged, &missing],
        &[
            "empty.txt: empty, skipped",
            "binary.txt: binary file",
            "latin1.txt: invalid UTF-8 at byte 11",
            "lines.jsonl:2: invalid JSON",
            "lines.jsonl:3: field \"text\" must be a string, found an array",
            "rows.csv:3: record has 1 fields",
            "missing.txt: no such file or directory",
        ],
    );
    let scored = rows(&out);
    let ids: Vec<&str> = scored.iter().map(|r| &r[0]).collect();
    assert_eq!(ids, ["good.txt", "latin1.txt", "lines.jsonl:1", "1"]);
}

#[test]
fn nothing_scorable_exits_non_zero() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("e.txt"), "").unwrap();
    stance()
        .arg("score")
        .arg(dir.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains("e.txt: empty"));
}

#[test]
fn broken_lexicon_and_targets_fail_fast_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let lex = dir.path().join("lex");
    fs::create_dir(&lex).unwrap();
    fs::write(
        lex.join("bad.csv"),
        "term,category,weight,note\ngood,positive,1,\nworse,negative,1,\n",
    )
    .unwrap();
    stops_on_broken_file(
        "--lexicons",
        &lex,
        "bad.csv:3: weight 1 is not allowed for category negative",
    );
    let targets = dir.path().join("t.toml");
    fs::write(&targets, "[[target]]\nname = \"A\"\naliases = [\"x\"\n").unwrap();
    stops_on_broken_file("--targets", &targets, "t.toml:");
}

#[test]
fn explanations_add_up_exactly_on_every_sample_article() {
    let (mut checked, mut documents) = (0, 0);
    for entry in fs::read_dir(repo("data/articles")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "md") {
            continue;
        }
        let out = stance()
            .arg("explain")
            .arg(&path)
            .args(["--format", "json"])
            .output()
            .unwrap();
        let v = json_stdout(&out);
        let num = |x: &serde_json::Value| x.as_f64().unwrap();
        let parts = v["parts"].as_array().unwrap();
        if parts.is_empty() {
            continue;
        }
        // The probabilities of the intercepts alone plus every part's share are the printed
        // probabilities, class by class.
        for (c, column) in ["p_bearish", "p_neutral", "p_bullish"].iter().enumerate() {
            let sum: f64 = num(&v["base_probabilities"][c])
                + parts
                    .iter()
                    .map(|p| num(&p["probability_shares"][c]))
                    .sum::<f64>();
            assert!(
                (sum - num(&v["probabilities"][c])).abs() < 1e-9,
                "{}: class {c}: {sum} vs {}",
                path.display(),
                v["probabilities"][c]
            );
            assert!((sum - num(&v["row"][column])).abs() < 1e-9);
        }
        let explained = num(&v["base_score"]) + parts.iter().map(|p| num(&p["score"])).sum::<f64>();
        assert!(
            (explained - num(&v["row"]["score"])).abs() < 1e-9,
            "{}: {explained} vs {}",
            path.display(),
            v["row"]["score"]
        );
        // The sentence reading's shares add up to its own probabilities, and the article
        // features that read it are what they say: ln((P(side) + 0.001) / (P(neutral) + 0.001)).
        let reading = &v["sentence_reading"];
        let p = |c: usize| num(&reading["probabilities"][c]);
        for c in 0..3 {
            let sum: f64 = num(&reading["base_probabilities"][c])
                + reading["parts"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| num(&p["probability_shares"][c]))
                    .sum::<f64>();
            assert!(
                (sum - p(c)).abs() < 1e-9,
                "{}: sentence class {c}",
                path.display()
            );
        }
        let feature = |name: &str| {
            v["features"]
                .as_array()
                .unwrap()
                .iter()
                .find(|f| f["feature"] == name)
                .map(|f| num(&f["value"]))
        };
        // A document is decided by the article model; a statement by the sentence reading,
        // which is then the table above.
        let document = v["decision"]
            .as_str()
            .unwrap()
            .starts_with("the article model");
        for (name, side) in [
            ("article:sentences_bearish", 0),
            ("article:sentences_bullish", 2),
        ] {
            let value = feature(name);
            if !document {
                assert!(
                    value.is_none(),
                    "{}: a statement has {name}",
                    path.display()
                );
                continue;
            }
            let expected = ((p(side) + 1e-3) / (p(1) + 1e-3)).ln();
            let value = value.unwrap_or_else(|| panic!("{}: no {name}", path.display()));
            assert!(
                (value - expected).abs() < 1e-9,
                "{}: {name} {value} vs {expected}",
                path.display()
            );
        }
        documents += usize::from(document);
        checked += 1;
    }
    assert!(checked >= 12 && documents >= 2, "{checked} {documents}");
}

#[test]
fn learned_terms_sharing_a_word_with_a_cue_are_reported_under_the_cue() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("memo.txt");
    fs::write(
        &file,
        "Alibaba will step up efforts to attract top talent and increase R&D investment in AI.\n",
    )
    .unwrap();
    let out = stance()
        .arg("explain")
        .arg(&file)
        .args(["--format", "json", "--terms", "100"])
        .output()
        .unwrap();
    let v = json_stdout(&out);
    let labels: Vec<&str> = v["parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["label"].as_str().unwrap())
        .collect();
    assert!(labels.contains(&"attract top talent"), "{labels:?}");
    assert!(labels.contains(&"increase r&d investment"), "{labels:?}");
    // The word pairs `to attract` and `investment in` overlap those cues: no label of their own.
    for fragment in ["to attract", "investment in", "attract", "investment"] {
        assert!(!labels.contains(&fragment), "{fragment:?} in {labels:?}");
    }
}

#[test]
fn lexicon_check_passes_on_the_shipped_lexicons_and_reports_problems() {
    stance()
        .args(["lexicon", "check"])
        .assert()
        .success()
        .stdout(predicate::str::contains(" 0 problems"));
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("dup.csv");
    fs::write(&bad, "term,category,weight,note\nresign,leadership,-1,\nresigned,leadership,-1,\nresigns,negative,-2,\n").unwrap();
    stance()
        .args(["lexicon", "check"])
        .arg(&bad)
        .assert()
        .code(1)
        .stdout(
            predicate::str::contains("dup.csv:3: duplicate")
                .and(predicate::str::contains("dup.csv:4: conflict")),
        );
}

#[test]
#[ignore = "acceptance not met (issue 32): 26 of 28 read as labelled; alibaba-retail-trim \
            (labelled bearish) reads neutral and alibaba-analysis-quarter (labelled neutral) \
            reads bearish; run with --ignored"]
fn the_sample_corpus_reads_as_labelled() {
    let (out, _, ok) = score_dir(&repo("data/articles"), &[]);
    assert!(ok);
    let stance = column(&out, "stance");
    let scored: std::collections::HashMap<String, String> = rows(&out)
        .iter()
        .map(|r| (r[0].to_string(), r[stance].to_string()))
        .collect();
    let mut wrong = Vec::new();
    let labels = rows(&fs::read_to_string(repo("data/articles/labels.csv")).unwrap());
    for l in &labels {
        if scored[&l[0]] != l[2] {
            wrong.push(format!(
                "{}: labelled {}, read {}",
                &l[0], &l[2], scored[&l[0]]
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn hostile_titles_are_neutralised_unless_raw() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a.md"), "---\ntitle: =HYPERLINK(\"http://example.com\",\"x\")\nsource: \"@SUM(1+1)\"\n---\nAlibaba profit fell.\n").unwrap();
    let (out, _, _) = score_dir(dir.path(), &[]);
    let r = &rows(&out)[0];
    assert_eq!(
        &r[column(&out, "title")],
        "'=HYPERLINK(\"http://example.com\",\"x\")"
    );
    assert_eq!(&r[column(&out, "source")], "'@SUM(1+1)");
    assert!(
        r[column(&out, "score")].starts_with('-'),
        "numbers stay numbers: {}",
        &r[column(&out, "score")]
    );
    let (raw, _, _) = score_dir(dir.path(), &["--raw-csv"]);
    assert_eq!(
        &rows(&raw)[0][column(&raw, "title")],
        "=HYPERLINK(\"http://example.com\",\"x\")"
    );
    let out = stance()
        .arg("score")
        .arg(dir.path())
        .arg("--excel")
        .output()
        .unwrap();
    assert!(out.stdout.starts_with("\u{FEFF}id,".as_bytes()));
}

#[test]
fn aggregate_index_can_be_recomputed_by_hand_and_duplicates_count_once() {
    let dir = tempfile::tempdir().unwrap();
    let articles = dir.path().join("articles");
    fs::create_dir(&articles).unwrap();
    copy_files(&repo("data/articles"), &articles, "md");
    fs::copy(
        repo("data/articles/alibaba-retail-dip.md"),
        articles.join("zz-copy-of-dip.md"),
    )
    .unwrap();
    let scores = dir.path().join("scores.csv");
    stance()
        .arg("score")
        .arg(&articles)
        .arg("-o")
        .arg(&scores)
        .assert()
        .success();
    let out_csv = dir.path().join("index.csv");
    stance()
        .args(["aggregate"])
        .arg(&scores)
        .args([
            "--by",
            "voice",
            "--weights",
            "retail=2,analysis=1,corporate=0.5",
            "-o",
        ])
        .arg(&out_csv)
        .assert()
        .success()
        .stdout(
            predicate::str::contains("1 duplicate text(s) counted once")
                .and(predicate::str::contains("retail 2")),
        );
    let text = fs::read_to_string(&scores).unwrap();
    let (voice, rel, score, hash, id) = (
        column(&text, "voice"),
        column(&text, "relevance"),
        column(&text, "score"),
        column(&text, "text_hash"),
        column(&text, "id"),
    );
    let index_text = fs::read_to_string(&out_csv).unwrap();
    let groups = rows(&index_text);
    let weight_of = |v: &str| {
        [("retail", 2.0), ("analysis", 1.0), ("corporate", 0.5)]
            .iter()
            .find(|(n, _)| *n == v)
            .unwrap()
            .1
    };
    for g in &groups {
        let mut seen = std::collections::HashSet::new();
        let (mut num, mut den) = (0.0, 0.0);
        for r in rows(&text).iter().filter(|r| r[voice] == g[0]) {
            if !seen.insert(r[hash].to_string()) || r[id].starts_with("zz-copy") {
                continue;
            }
            let w = weight_of(&r[voice]) * r[rel].parse::<f64>().unwrap() / 100.0;
            num += w * r[score].parse::<f64>().unwrap();
            den += w;
        }
        let index: f64 = g[column(&index_text, "index")].parse().unwrap();
        assert!(
            (index - num / den).abs() < 1e-3,
            "{}: {index} vs {}",
            &g[0],
            num / den
        );
        assert_eq!(&g[column(&index_text, "weight_retail")], "2");
    }
    assert_eq!(groups.len(), 3);
}

#[test]
fn a_long_single_line_article_is_scored_in_linear_time() {
    // One 3 MB "sentence" full of cues and modifiers: a step that looked at every earlier hit for
    // each hit would take minutes here; the timeout turns that into a failure, not a hang.
    let dir = tempfile::tempdir().unwrap();
    let words = [
        "profit", "rose", "not", "good", "but", "may", "very", "strong", "shares", "fell",
        "Alibaba", "the",
    ];
    let text: Vec<&str> = (0..500_000)
        .map(|i| words[(i * 7 + i / 13) % words.len()])
        .collect();
    fs::write(dir.path().join("long.txt"), text.join(" ")).unwrap();
    stance()
        .arg("score")
        .arg(dir.path().join("long.txt"))
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .success();
}

#[test]
fn hostile_inputs_are_named_and_the_rest_is_scored() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let texts = d.join("texts");
    fs::create_dir(&texts).unwrap();
    fs::write(texts.join("good.txt"), "Alibaba profit rose.").unwrap();
    // 100 MB with no newline: over the default limit, skipped without being read whole.
    let huge = fs::File::create(texts.join("huge.txt")).unwrap();
    huge.set_len(100 << 20).unwrap();
    // A UTF-16 file with a byte-order mark is decoded.
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(
            "阿里巴巴 profit rose"
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        )
        .collect();
    fs::write(texts.join("utf16.txt"), utf16).unwrap();
    // A directory symlink loop and a file that vanished (a dangling link).
    std::os::unix::fs::symlink(&texts, texts.join("loop")).unwrap();
    std::os::unix::fs::symlink(d.join("gone.txt"), texts.join("vanished.txt")).unwrap();
    // A JSONL line of 50 MB between two good lines.
    let jsonl = d.join("big.jsonl");
    let mut lines =
        String::from("{\"id\":\"before\",\"text\":\"Alibaba shares fell.\"}\n{\"text\":\"");
    lines.push_str(&"x".repeat(50 << 20));
    lines.push_str("\"}\n{\"id\":\"after\",\"text\":\"Alibaba shares rose.\"}\n");
    fs::write(&jsonl, lines).unwrap();
    // A CSV whose last record opens a quote it never closes.
    let csv_path = d.join("open.csv");
    fs::write(
        &csv_path,
        "id,text\nok,Alibaba rose\nbad,\"never closed, Alibaba fell\nmore,text\n",
    )
    .unwrap();

    let text = score_despite(
        &[&texts, &jsonl, &csv_path],
        &[
            "huge.txt: larger than 16777216 bytes, skipped",
            "loop: symbolic link loop, not followed",
            "vanished.txt",
            "big.jsonl:2: line of 52428812 bytes is longer than 16777216 bytes, skipped",
            "open.csv:3: a quote opened here is never closed",
        ],
    );
    let ids: Vec<String> = rows(&text).iter().map(|r| r[0].to_string()).collect();
    assert_eq!(ids, ["good.txt", "utf16.txt", "before", "after", "ok"]);
    assert_ne!(
        &rows(&text)[1][column(&text, "relevance")],
        "0",
        "the UTF-16 text was decoded"
    );
}

#[test]
fn a_malformed_model_file_names_the_file_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let model: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(repo("data/models/stance.json")).unwrap())
            .unwrap();
    let mut broken = model.clone();
    broken["weights"][0]["weights"] = serde_json::json!([1.0, 2.0]);
    let path = dir.path().join("m.json");
    fs::write(&path, broken.to_string()).unwrap();
    stops_on_broken_file(
        "--model",
        &path,
        "m.json: weights[0] (lex:positive): expected 3 weights, found 2",
    );
    fs::write(&path, "{\"format\": ").unwrap();
    stops_on_broken_file("--model", &path, "m.json: line 1");
}

#[test]
fn output_is_byte_identical_whatever_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let jsonl = dir.path().join("many.jsonl");
    let sentences = [
        "Alibaba profit rose.",
        "Tencent was downgraded.",
        "Shares fell after the loss widened.",
        "Nothing to see.",
    ];
    let lines: Vec<String> = (0..3000)
        .map(|i| serde_json::json!({"id": format!("n{i:05}"), "text": sentences[i % 4], "target": if i % 3 == 0 { "Tencent" } else { "Alibaba" }}).to_string())
        .collect();
    fs::write(&jsonl, lines.join("\n")).unwrap();
    let run = |threads: &str| {
        let out = stance()
            .arg("score")
            .arg(repo("data/articles"))
            .arg(&jsonl)
            .args(["--threads", threads])
            .output()
            .unwrap();
        assert!(out.status.success());
        out.stdout
    };
    let one = run("1");
    let samples = fs::read_to_string(repo("data/articles/labels.csv"))
        .unwrap()
        .lines()
        .count()
        - 1;
    assert_eq!(
        rows(&String::from_utf8(one.clone()).unwrap()).len(),
        samples + 3000
    );
    assert_eq!(one, run("2"));
    assert_eq!(one, run("3"));
}

/// `score` of one sample article, by id.
fn score_of(csv_text: &str, id: &str) -> f64 {
    let score = column(csv_text, "score");
    rows(csv_text)
        .iter()
        .find(|r| &r[0] == id)
        .unwrap_or_else(|| panic!("no row {id}"))[score]
        .parse()
        .unwrap()
}

#[test]
fn exported_term_weights_load_back_unchanged_and_edits_take_effect() {
    let dir = tempfile::tempdir().unwrap();
    let learned = dir.path().join("learned.csv");
    stance()
        .args(["lexicon", "export", "-o"])
        .arg(&learned)
        .assert()
        .success();
    let exported = fs::read_to_string(&learned).unwrap();
    assert!(
        exported.starts_with("term,category,weight,note\r\n")
            || exported.starts_with("term,category,weight,note\n")
    );
    stance()
        .args(["lexicon", "check"])
        .arg(&learned)
        .assert()
        .success()
        .stdout(predicate::str::contains("0 problems"));

    let (plain, err, ok) = score_dir(&repo("data/articles"), &[]);
    assert!(ok, "{err}");
    let flag = ["--lexicon", learned.to_str().unwrap()];
    let (loaded, err, ok) = score_dir(&repo("data/articles"), &flag);
    assert!(ok, "{err}");
    assert_eq!(plain, loaded, "an unedited export changes no score");

    // Make "fall" a bullish word: a bearish post whose ad revenue "keeps falling" reads less
    // bearish.
    let edited: String = exported
        .lines()
        .map(|l| {
            if l.starts_with("fall,learned,") {
                "fall,learned,3,edited".to_string()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert_ne!(
        edited.trim(),
        exported.trim(),
        "the export has a row for fall"
    );
    fs::write(&learned, edited + "\n").unwrap();
    let (changed, err, ok) = score_dir(&repo("data/articles"), &flag);
    assert!(ok, "{err}");
    let id = "baidu-retail-bearish.md";
    assert!(
        score_of(&changed, id) > score_of(&plain, id) + 0.001,
        "{} vs {}",
        score_of(&changed, id),
        score_of(&plain, id)
    );

    // A term the model does not have is refused with its file and line.
    fs::write(&learned, "term,category,weight,note\nzzyzx,learned,1,\n").unwrap();
    let (_, err, ok) = score_dir(&repo("data/articles"), &flag);
    assert!(!ok);
    assert_mentions(
        &err,
        &[
            "learned.csv:2",
            "\"zzyzx\" is not a term of the stance model",
        ],
    );
}

#[test]
fn eval_reads_a_document_corpus_by_split_with_figures_by_source_and_voice() {
    let dir = tempfile::tempdir().unwrap();
    let docs = [
        (
            "a",
            "Alibaba profit rose sharply and the shares surged to a record.",
        ),
        (
            "b",
            "Alibaba warned of weak demand; its profit fell and the shares slumped.",
        ),
        ("c", "Alibaba will hold its annual meeting on Tuesday."),
        ("d", "Alibaba profit fell."),
    ];
    let data: String = docs
        .iter()
        .map(|(id, text)| {
            format!(
                "{}\n",
                serde_json::json!({"id": id, "title": "", "text": text})
            )
        })
        .collect();
    fs::write(dir.path().join("data.jsonl"), data).unwrap();
    fs::write(
        dir.path().join("labels.csv"),
        "id,source,company,ticker,stance,voice,split\n\
         a,wire,Alibaba,BABA,bullish,analysis,test\n\
         b,wire,Alibaba,BABA,bearish,analysis,test\n\
         c,blog,Alibaba,BABA,neutral,corporate,test\n\
         d,blog,Alibaba,BABA,bearish,retail,train\n",
    )
    .unwrap();
    let out = stance()
        .args(["eval", "--data"])
        .arg(dir.path())
        .args(["--split", "test", "--json"])
        .output()
        .unwrap();
    let v = json_stdout(&out);
    let parts = v["parts"].as_array().unwrap();
    let part = |name: &str| parts.iter().find(|p| p["part"] == name).unwrap();
    // The train row is left out; each part counts its own rows.
    assert_eq!(part("all (test)")["n"], 3);
    assert_eq!(part("source wire")["n"], 2);
    assert_eq!(part("source blog")["n"], 1);
    assert_eq!(part("voice analysis")["n"], 2);
    assert!(parts.iter().all(|p| p["part"] != "voice retail"));
    // The confusion matrix holds every row of the part.
    let confusion = part("all (test)")["stance"]["confusion"]
        .as_array()
        .unwrap();
    let total: u64 = confusion
        .iter()
        .flat_map(|r| r.as_array().unwrap())
        .map(|x| x.as_u64().unwrap())
        .sum();
    assert_eq!(total, 3);
    // The text report has the table and the matrices.
    stance()
        .args(["eval", "--data"])
        .arg(dir.path())
        .args(["--split", "all"])
        .assert()
        .success()
        .stdout(predicate::str::contains("| all (all) | 4 |"))
        .stdout(predicate::str::contains(
            "confusion (rows: true, columns: predicted)",
        ));
}

#[test]
fn training_the_article_model_leaves_out_a_document_where_nothing_was_read() {
    let dir = tempfile::tempdir().unwrap();
    let docs = [
        (
            "a",
            "Alibaba profit rose sharply and the shares surged.",
            "bullish",
        ),
        ("b", "Alibaba shares soared on record growth.", "bullish"),
        (
            "c",
            "Alibaba profit fell and the shares slumped.",
            "bearish",
        ),
        ("d", "Alibaba warned of weak demand and losses.", "bearish"),
        (
            "e",
            "Alibaba will hold its annual meeting on Tuesday.",
            "neutral",
        ),
        ("f", "Zzqx wubble.", "neutral"),
    ];
    let data: String = (docs.iter())
        .map(|(id, text, _)| format!("{}\n", serde_json::json!({"id": id, "text": text})))
        .collect();
    let labels: String = (docs.iter())
        .map(|(id, _, stance)| format!("{id},wire,Alibaba,BABA,{stance},analysis,train\n"))
        .collect();
    fs::write(dir.path().join("data.jsonl"), data).unwrap();
    fs::write(
        dir.path().join("labels.csv"),
        format!("id,source,company,ticker,stance,voice,split\n{labels}"),
    )
    .unwrap();
    let model = dir.path().join("article.json");
    stance()
        .args([
            "train",
            "--task",
            "article",
            "--max-terms",
            "0",
            "--cv",
            "0",
            "--data",
        ])
        .arg(dir.path())
        .arg("-o")
        .arg(&model)
        .assert()
        .success()
        .stderr(predicate::str::contains("f: nothing in it was read"))
        .stderr(predicate::str::contains("5 rows"));
    assert!(model.exists());
}

#[test]
fn eval_scores_labels_without_neutral_on_direction_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("posts.csv");
    fs::write(
        &file,
        "text,label\nprofit rose and the shares surged,bullish\nprofit fell and the shares slumped,bearish\n",
    )
    .unwrap();
    let out = stance()
        .args(["eval", "--data"])
        .arg(&file)
        .args(["--target", "any", "--json"])
        .output()
        .unwrap();
    let v = json_stdout(&out);
    assert!(String::from_utf8_lossy(&out.stderr).contains("scored on direction"));
    assert_eq!(v["direction_only"], true);
    let classes: Vec<&str> = v["classes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["class"].as_str().unwrap())
        .collect();
    assert_eq!(classes, ["bearish", "bullish"]);
    assert_eq!(v["accuracy"], 1.0);
}

#[test]
fn cross_validation_fits_labels_without_neutral_as_their_two_sides() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("posts.csv");
    let mut data = String::from("text,label\n");
    for i in 0..12 {
        data.push_str(&format!("profit rose and the shares surged {i},bullish\n"));
        data.push_str(&format!("profit fell and the shares slumped {i},bearish\n"));
    }
    fs::write(&file, data).unwrap();
    let out = stance()
        .args(["eval", "--data"])
        .arg(&file)
        .args(["--target", "any", "--cv", "3", "--json"])
        .output()
        .unwrap();
    let v = json_stdout(&out);
    assert!(String::from_utf8_lossy(&out.stderr).contains("scored on direction"));
    assert_eq!(v["direction_only"], true);
    assert_eq!(v["n"], 24);
    assert!(v["accuracy"].as_f64().unwrap() > 0.9, "{v}");
}

/// A successful run's standard output as one JSON value.
fn json_stdout(out: &std::process::Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn kept_input_fields_follow_the_standard_columns() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("in.csv");
    fs::write(
        &csv,
        "id,text,sheet_row,Region,url\n1,Alibaba shares jumped after earnings,17,APAC,https://a.example\n2,\"Alibaba stock fell\",18,,\n",
    )
    .unwrap();
    let jsonl = dir.path().join("in.jsonl");
    fs::write(
        &jsonl,
        "{\"id\":\"j1\",\"text\":\"Alibaba shares jumped\",\"sheet_row\":19,\"tags\":[\"a\",\"b\"]}\n",
    )
    .unwrap();
    let out = stance()
        .arg("score")
        .arg(&csv)
        .arg(&jsonl)
        .args(["--keep", "sheet_row,region,url,tags"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let header = text.lines().next().unwrap();
    assert!(
        header.ends_with(",p_corporate,sheet_row,region,url,tags"),
        "{header}"
    );
    let rows = common::records(&text);
    let kept: Vec<[&str; 4]> = rows
        .iter()
        .map(|r| {
            [
                r["sheet_row"].as_str(),
                r["region"].as_str(),
                r["url"].as_str(),
                r["tags"].as_str(),
            ]
        })
        .collect();
    assert_eq!(
        kept,
        [
            ["17", "APAC", "https://a.example", ""],
            ["18", "", "", ""],
            ["19", "", "", "[\"a\",\"b\"]"],
        ]
    );
    // JSON Lines output carries them as fields after the standard ones.
    let out = stance()
        .arg("score")
        .arg(&csv)
        .args(["--keep", "sheet_row", "--format", "jsonl"])
        .output()
        .unwrap();
    let first: serde_json::Value = serde_json::from_str(
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(first["sheet_row"], "17");
    // A name that is already an output column, or the text, is refused before scoring.
    for (keep, says) in [
        ("title", "already an output column"),
        ("text", "join on id"),
    ] {
        stance()
            .arg("score")
            .arg(&csv)
            .args(["--keep", keep])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(says));
    }
}

#[test]
fn each_company_reads_its_own_clause() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("three.txt"),
        "Nvidia shares jumped 7% while Intel slumped 9%. AMD stock was little changed.\n",
    )
    .unwrap();
    let stances = |extra: &[&str]| {
        let (out, err, ok) = score_dir(dir.path(), extra);
        assert!(ok, "{err}");
        let (target, stance) = (column(&out, "target"), column(&out, "stance"));
        rows(&out)
            .iter()
            .map(|r| (r[target].to_string(), r[stance].to_string()))
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    let expected = [
        ("Nvidia", "bullish"),
        ("Intel", "bearish"),
        ("Advanced Micro Devices", "neutral"),
    ];
    let auto = stances(&["--target", "auto"]);
    for (company, stance) in expected {
        assert_eq!(
            auto.get(company).map(String::as_str),
            Some(stance),
            "{auto:?}"
        );
        let named = stances(&["--target", company]);
        assert_eq!(
            named.get(company).map(String::as_str),
            Some(stance),
            "{named:?}"
        );
    }
}
