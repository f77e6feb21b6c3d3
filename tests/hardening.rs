//! What a user can get wrong, or be misled by, on the command line: outputs that are not plain
//! files, an installed binary away from its checkout, answers that are no reading, reruns that
//! must notice a change, and cells a spreadsheet would mangle.

use std::fs;
use std::path::Path;

mod common;

use common::{repo, stance};

fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A FIFO or, as root, a character device like /dev/null, made in `dir`.
fn special_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut made = Vec::new();
    let fifo = dir.join("fifo");
    if std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success())
    {
        made.push(fifo);
    }
    let null = dir.join("null");
    if std::process::Command::new("mknod")
        .arg(&null)
        .args(["c", "1", "3"])
        .status()
        .is_ok_and(|s| s.success())
    {
        made.push(null);
    }
    made
}

#[cfg(unix)]
#[test]
fn an_output_that_is_a_device_or_fifo_is_written_through_not_replaced() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    let special = special_files(dir.path());
    assert!(!special.is_empty(), "neither mkfifo nor mknod worked");
    for path in special {
        // A reader drains the FIFO; the device swallows what it is given.
        let reader = path.ends_with("fifo").then(|| {
            let path = path.clone();
            std::thread::spawn(move || fs::read(path).unwrap().len())
        });
        stance()
            .args(["score", "--quiet"])
            .arg(repo("data/articles"))
            .arg("-o")
            .arg(&path)
            .assert()
            .success();
        if let Some(reader) = reader {
            assert!(reader.join().unwrap() > 1000, "the FIFO got the rows");
        }
        let kind = fs::symlink_metadata(&path).unwrap().file_type();
        assert!(
            kind.is_fifo() || kind.is_char_device(),
            "{} was replaced",
            path.display()
        );
        assert!(
            !dir.path()
                .join(format!(
                    "{}.lock",
                    path.file_name().unwrap().to_string_lossy()
                ))
                .exists()
        );
        let out = stance()
            .args(["score", "--incremental", "--quiet"])
            .arg(repo("data/articles"))
            .arg("-o")
            .arg(&path)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert!(
            stderr_of(&out).contains("--incremental needs a regular file"),
            "{}",
            stderr_of(&out)
        );
    }
}

#[cfg(unix)]
#[test]
fn a_symlinked_output_is_followed_and_its_target_is_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("real.csv");
    let link = dir.path().join("link.csv");
    std::os::unix::fs::symlink("real.csv", &link).unwrap();
    stance()
        .args(["score", "--quiet"])
        .arg(repo("data/articles"))
        .arg("-o")
        .arg(&link)
        .assert()
        .success();
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(fs::read_to_string(&target).unwrap().starts_with("id,"));
}

#[test]
fn outputs_that_cannot_be_written_safely_are_refused_before_scoring() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let article = d.join("a.md");
    fs::write(&article, "Alibaba profit rose.").unwrap();
    let cases = [
        (d.to_path_buf(), "is a directory"),
        (d.join("missing/out.csv"), "does not exist"),
        (article.clone(), "would be read as input"),
        (d.join("new.md"), "would be read as input"),
    ];
    for (output, message) in cases {
        let out = stance()
            .arg("score")
            .arg(d)
            .arg("-o")
            .arg(&output)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", output.display());
        assert!(stderr_of(&out).contains(message), "{}", stderr_of(&out));
        assert!(!stderr_of(&out).contains("scored"), "scoring started");
    }
    assert_eq!(
        fs::read_to_string(&article).unwrap(),
        "Alibaba profit rose."
    );
}

/// The binary carries its defaults: it names no file of the checkout it was built from, and
/// scores the same with them as with the files `lexicon init` writes out.
#[test]
fn the_binary_needs_no_checkout_and_writes_its_defaults_out() {
    let binary = fs::read(assert_cmd::cargo::cargo_bin("stance")).unwrap();
    let checkout = env!("CARGO_MANIFEST_DIR").as_bytes();
    assert!(
        !binary.windows(checkout.len()).any(|w| w == checkout),
        "the binary refers to {}",
        env!("CARGO_MANIFEST_DIR")
    );
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    stance()
        .args(["lexicon", "init"])
        .arg(&data)
        .assert()
        .success();
    let copied = dir.path().join("stance");
    fs::copy(assert_cmd::cargo::cargo_bin("stance"), &copied).unwrap();
    let score = |extra: &[&str]| {
        let run = || {
            std::process::Command::new(&copied)
                .current_dir(dir.path())
                .args(["score", "--quiet"])
                .arg(repo("data/articles"))
                .args(extra)
                .output()
        };
        // A child another test thread forks while the copy is open for writing holds it open
        // until that child execs: running the copy then fails with "text file busy" for a moment.
        let mut out = run();
        for _ in 0..100 {
            match &out {
                Err(e) if e.kind() == std::io::ErrorKind::ExecutableFileBusy => {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                    out = run();
                }
                _ => break,
            }
        }
        let out = out.unwrap();
        assert!(out.status.success(), "{}", stderr_of(&out));
        out.stdout
    };
    let d = data.display().to_string();
    let from_files = score(&[
        "--lexicons",
        &d,
        "--targets",
        &format!("{d}/targets.toml"),
        "--model",
        &format!("{d}/stance.json"),
        "--voice-model",
        &format!("{d}/voice.json"),
        "--article-model",
        &format!("{d}/article.json"),
        "--companies",
        &format!("{d}/companies/companies.csv"),
    ]);
    assert_eq!(score(&[]), from_files);
    // init never overwrites.
    stance()
        .args(["lexicon", "init"])
        .arg(&data)
        .assert()
        .code(2);
}

#[test]
fn answers_without_a_reading_are_counted_and_said() {
    let out = stance()
        .args(["score", "-", "--target", "알리바바"])
        .write_stdin("알리바바 주가가 폭락했다.")
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert!(err.contains("nothing in it was read"), "{err}");
    assert!(err.contains("1 had nothing read"), "{err}");
    let text = String::from_utf8(out.stdout).unwrap();
    let mut rows = csv::Reader::from_reader(text.as_bytes());
    let header = rows.headers().unwrap().clone();
    let row = rows.records().next().unwrap().unwrap();
    let confidence = header.iter().position(|h| h == "confidence").unwrap();
    assert_eq!(&row[confidence], "0.0000");

    let out = stance()
        .arg("score")
        .arg(repo("data/articles"))
        .output()
        .unwrap();
    let samples = fs::read_to_string(repo("data/articles/labels.csv"))
        .unwrap()
        .lines()
        .count()
        - 1;
    assert!(
        stderr_of(&out).contains(&format!(
            "1 of {samples} never name \"Alibaba\" (or their own target): use --target NAME, a target field, or --target any"
        )),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn bad_settings_are_refused_by_name() {
    let empty = tempfile::tempdir().unwrap();
    let cases: [(&[&str], &str); 3] = [
        (&["--target", " "], "--target is empty"),
        (&["--threads", "0"], "--threads 0"),
        (&["--lexicons", ""], "no lexicon files"),
    ];
    for (args, message) in cases {
        let mut cmd = stance();
        cmd.args(["score", "-"]).write_stdin("Alibaba rose.");
        for a in args {
            if a.is_empty() {
                cmd.arg(empty.path());
            } else {
                cmd.arg(a);
            }
        }
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr_of(&out).contains(message), "{}", stderr_of(&out));
    }
    let out = stance()
        .args(["score", "-", "--threads", "100000"])
        .write_stdin("Alibaba rose.")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        stderr_of(&out).contains("more than 4 per core"),
        "{}",
        stderr_of(&out)
    );
    let out = stance()
        .args(["score", "-"])
        .write_stdin("---\ndate: March 5\n---\nAlibaba rose.")
        .output()
        .unwrap();
    assert!(
        stderr_of(&out).contains("date \"March 5\" is not YYYY-MM-DD"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn json_on_standard_input_is_read_as_json_lines() {
    let out = stance()
        .args(["score", "-", "--format", "jsonl"])
        .write_stdin("{\"id\":\"a\",\"text\":\"Alibaba profit fell.\"}\n{\"id\":\"b\",\"text\":\"Alibaba profit rose.\"}\n")
        .output()
        .unwrap();
    assert!(
        stderr_of(&out).contains("read as JSON Lines"),
        "{}",
        stderr_of(&out)
    );
    let ids: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(ids, ["a", "b"]);
}

fn incremental_note(dir: &Path, extra: &[&str]) -> String {
    let out = stance()
        .arg("score")
        .arg(dir.join("articles"))
        .arg("-o")
        .arg(dir.join("scores.csv"))
        .arg("--incremental")
        .args(extra)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    stderr_of(&out)
}

#[test]
fn reruns_notice_a_respelt_term_and_not_a_respelt_target() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::create_dir(d.join("articles")).unwrap();
    fs::write(d.join("articles/a.md"), "Alibaba was downgraded.").unwrap();
    let lexicons = d.join("lexicons");
    fs::create_dir(&lexicons).unwrap();
    common::copy_files(&repo("lexicons"), &lexicons, "csv");
    let lex = lexicons.display().to_string();
    incremental_note(d, &["--lexicons", &lex]);
    let unchanged = incremental_note(d, &["--lexicons", &lex, "--target", "ALIBABA"]);
    assert!(
        unchanged.contains("1 unchanged") && unchanged.contains("0 scored"),
        "{unchanged}"
    );
    // The same stems spelled another way.
    let finance = lexicons.join("finance.csv");
    let text = fs::read_to_string(&finance).unwrap();
    assert!(text.contains("\ndowngrade,"), "the lexicon lists downgrade");
    fs::write(&finance, text.replace("\ndowngrade,", "\ndowngrades,")).unwrap();
    let rescored = incremental_note(d, &["--lexicons", &lex]);
    assert!(
        rescored.contains("lexicons") && rescored.contains("1 scored"),
        "{rescored}"
    );
}

fn csv_cell(text: &str, column: &str) -> Vec<String> {
    let mut rows = csv::Reader::from_reader(text.as_bytes());
    let at = rows
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == column)
        .unwrap();
    rows.records().map(|r| r.unwrap()[at].to_string()).collect()
}

#[test]
fn ids_and_hashes_keep_their_type_in_spreadsheets() {
    let out = stance()
        .args(["score", "-", "--input-format", "jsonl"])
        .write_stdin(
            "{\"id\":\"-5\",\"text\":\"Alibaba profit rose.\\nShares up.\"}\n\
             {\"id\":\"-2+3\",\"text\":\"Alibaba profit rose.\\r\\nShares up.\"}\n",
        )
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(csv_cell(&text, "id"), ["-5", "'-2+3"]);
    let hashes = csv_cell(&text, "text_hash");
    assert_eq!(hashes[0], hashes[1], "CRLF and LF copies hash alike");
    assert!(hashes[0].starts_with("b3-") && hashes[0].parse::<f64>().is_err());
}

#[test]
fn explain_json_on_several_files_is_one_object_per_line() {
    let out = stance()
        .args(["explain", "--format", "json"])
        .arg(repo("data/articles/alibaba-retail-dip.md"))
        .arg(repo("data/articles/market-wrap.md"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    let ids: Vec<String> = text
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["row"]["id"].to_string())
        .collect();
    assert_eq!(ids.len(), 2, "{text}");
}

#[test]
#[cfg_attr(
    stance_without_shared,
    ignore = "needs ../shared beside the repository, missing when the tests were built"
)]
fn eval_on_the_training_data_says_it_is_in_sample() {
    let finentity = repo("../shared/corpora/finentity/data.csv");
    if !common::available(finentity.exists(), &finentity.display().to_string()) {
        return;
    }
    let out = stance()
        .args(["eval", "--json", "--data"])
        .arg(&finentity)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("these figures are in-sample"),
        "{}",
        stderr_of(&out)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["evaluation"]["in_sample"], true);
    // It says which path decided: the default one, with the article decision, unless asked.
    let decision = report["evaluation"]["decision"].as_str().unwrap();
    assert!(decision.starts_with("the default path"), "{decision}");
    let alone = stance()
        .args(["eval", "--json", "--no-article-model", "--data"])
        .arg(&finentity)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&alone.stdout).unwrap();
    let decision = report["evaluation"]["decision"].as_str().unwrap();
    assert!(decision.contains("alone"), "{decision}");
}

/// The largest resident set `/proc` reported for a running child (Linux).
#[cfg(target_os = "linux")]
fn peak_kb_while_running(mut child: std::process::Child) -> (std::process::ExitStatus, u64) {
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    loop {
        if let Ok(status) = fs::read_to_string(&status_file) {
            let hwm = status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok());
            peak = peak.max(hwm.unwrap_or(0));
        }
        if let Some(status) = child.try_wait().unwrap() {
            return (status, peak);
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

#[cfg(target_os = "linux")]
#[test]
fn an_unclosed_csv_quote_is_not_buffered_to_the_end_of_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("runaway.csv");
    let mut csv = String::from("id,text\na,Alibaba profit rose.\nb,\"Alibaba profit fell. ");
    csv.push_str(&"word ".repeat(16 << 20));
    fs::write(&path, csv).unwrap();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("stance"))
        .arg("score")
        .arg(&path)
        .args(["--max-article-bytes", "1000000", "--threads", "1", "-o"])
        .arg(dir.path().join("out.csv"))
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let (status, peak_kb) = peak_kb_while_running(child);
    let mut err = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut err).unwrap();
    assert!(
        err.contains("runaway.csv:3: record larger than 1000000 bytes"),
        "{err}"
    );
    assert!(status.success(), "the record before it is still scored");
    // 80 MB of unclosed field; the run holds about 1 MB of it.
    assert!(peak_kb < 40_000, "peak {peak_kb} kB");
    let out = fs::read_to_string(dir.path().join("out.csv")).unwrap();
    assert_eq!(csv_cell(&out, "id"), ["a"]);
}

/// On a terminal (here the pseudo-terminal `script` gives it), a run over files shows how far it
/// is through their bytes and when it will end.
#[test]
fn the_progress_bar_has_a_total_and_an_eta_for_files() {
    let script = std::path::Path::new("/usr/bin/script");
    if !common::available(script.exists(), "script (util-linux), for a terminal") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("many.jsonl");
    let line = serde_json::json!({"text": "Alibaba profit rose. Shares fell. ".repeat(20)});
    fs::write(&corpus, format!("{line}\n").repeat(20_000)).unwrap();
    let command = format!(
        "{} score {} --threads 1 --target any -o {}",
        assert_cmd::cargo::cargo_bin("stance").display(),
        corpus.display(),
        dir.path().join("out.csv").display()
    );
    let out = std::process::Command::new(script)
        .args(["-qec", &command, "/dev/null"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let screen = String::from_utf8_lossy(&out.stdout);
    let size = format!(
        "/{:.2} MiB",
        fs::metadata(&corpus).unwrap().len() as f64 / 1048576.0
    );
    assert!(screen.contains("ETA") && screen.contains(&size), "{screen}");
}

#[test]
#[cfg_attr(
    stance_without_shared,
    ignore = "needs ../shared beside the repository, missing when the tests were built"
)]
fn prose_share_on_the_corpora() {
    // Every labelled text of the shared corpora is prose: the screen for data that is not text
    // (binary without NUL bytes, base64, minified JSON) must pass each of them, with room.
    let corpora = repo("../shared/corpora");
    if !common::available(corpora.is_dir(), &corpora.display().to_string()) {
        return;
    }
    let inputs = [
        "articles/data.jsonl",
        "web/data.jsonl",
        "press_releases/data.jsonl",
        "finentity/data.csv",
        "sentfin/data.csv",
        "stocktwits/data.csv",
        "twitter_financial_news/train.csv",
    ];
    let mut lowest = (1.0f64, String::new());
    for input in inputs {
        let path = corpora.join(input).display().to_string();
        // SEntFiN and FinEntity repeat a text per entity; the ids are not needed here.
        let options = stance::input::InputOptions {
            id_col: "no such column".into(),
            ..Default::default()
        };
        for item in stance::input::read_all(vec![path.clone()], &options) {
            let article = match item {
                Ok(article) => article,
                Err(problem) => panic!("{problem}"),
            };
            if let Some((share, _)) = stance::input::word_share(&article.text)
                && share < lowest.0
            {
                lowest = (share, format!("{input} {}", article.id));
            }
        }
    }
    eprintln!("lowest word share: {:.3} ({})", lowest.0, lowest.1);
    assert!(lowest.0 >= 0.6, "{lowest:?}");
}

/// Runs `script` in `sh` in `dir` with `$STANCE` the binary and `$ARTICLES` the sample corpus.
#[cfg(unix)]
fn shell(dir: &Path, script: &str) -> std::process::Output {
    std::process::Command::new("sh")
        .arg("-c")
        .arg(script)
        .current_dir(dir)
        .env("STANCE", assert_cmd::cargo::cargo_bin("stance"))
        .env("ARTICLES", repo("data/articles"))
        .output()
        .unwrap()
}

#[cfg(target_os = "linux")]
#[test]
fn a_descriptor_named_as_output_is_written_as_the_shell_opened_it() {
    let dir = tempfile::tempdir().unwrap();
    let clean = stance()
        .args(["score", "--quiet"])
        .arg(repo("data/articles"))
        .output()
        .unwrap()
        .stdout;
    for (script, file) in [
        // Appending: the earlier content stays, the rows follow it.
        (
            "\"$STANCE\" score -q \"$ARTICLES\" -o /dev/stdout >> kept.txt",
            "kept.txt",
        ),
        (
            "\"$STANCE\" score -q \"$ARTICLES\" -o /dev/fd/3 3>> kept.txt",
            "kept.txt",
        ),
        (
            "\"$STANCE\" score -q \"$ARTICLES\" -o /proc/self/fd/1 >> kept.txt",
            "kept.txt",
        ),
        // Into a pipe, which has no name to open again.
        (
            "\"$STANCE\" score -q \"$ARTICLES\" -o /dev/stdout | cat > piped.txt",
            "piped.txt",
        ),
    ] {
        let path = dir.path().join(file);
        fs::write(&path, "earlier line\n").unwrap();
        let out = shell(dir.path(), script);
        assert!(out.status.success(), "{script}: {}", stderr_of(&out));
        let written = fs::read(&path).unwrap();
        let expected: Vec<u8> = if file == "kept.txt" {
            [b"earlier line\n".as_slice(), &clean].concat()
        } else {
            clean.clone()
        };
        assert!(
            written == expected,
            "{script}: {}",
            String::from_utf8_lossy(&written)
        );
        let leftovers: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".lock") || n.contains("stance-tmp"))
            .collect();
        assert!(leftovers.is_empty(), "{script}: {leftovers:?}");
    }
}

/// Runs stance with its standard output a pipe whose reader is already gone.
#[cfg(unix)]
fn into_a_closed_pipe(args: &[&str], dir: &Path) -> std::process::Output {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin("stance"));
    command
        .args(args)
        .current_dir(dir)
        .stdout(writer)
        .stderr(std::process::Stdio::piped());
    command.output().unwrap()
}

#[cfg(unix)]
#[test]
fn a_closed_pipe_ends_every_command_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let articles = repo("data/articles").display().to_string();
    let labelled = dir.path().join("labelled.csv");
    let mut rows = String::from("text,label\n");
    for i in 0..20 {
        rows.push_str(&format!(
            "Shares rose {i}% after profit beat forecasts,bullish\nShares fell {i}% after a loss,bearish\nThe company held its meeting on day {i},neutral\n"
        ));
    }
    fs::write(&labelled, rows).unwrap();
    let labels = labelled.display().to_string();
    let scores = dir.path().join("scores.csv").display().to_string();
    stance()
        .args(["score", "--quiet", &articles, "-o", &scores])
        .assert()
        .success();
    let model = dir.path().join("model.json").display().to_string();
    for args in [
        vec!["score", &articles],
        vec!["score", &articles, "--format", "jsonl"],
        vec!["explain", &articles],
        vec!["explain", &articles, "--format", "json"],
        vec!["eval", "--data", &labels],
        vec!["aggregate", &scores],
        vec!["lexicon", "check"],
        vec!["lexicon", "export"],
        vec!["targets", "find", "Tesla"],
        vec!["train", "--data", &labels, "-o", &model],
        vec!["--help"],
        vec!["score", "--help"],
    ] {
        let out = into_a_closed_pipe(&args, dir.path());
        let err = stderr_of(&out);
        assert!(out.status.success(), "{args:?}: {:?} {err}", out.status);
        assert!(
            !err.contains("panicked") && !err.contains("Broken pipe"),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn data_that_is_not_text_is_skipped_by_name() {
    let dir = tempfile::tempdir().unwrap();
    // Bytes of a fixed pseudo-random sequence with no NUL among them: no text.
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let random: Vec<u8> = (0..200_000)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 56) as u8 | 1
        })
        .collect();
    fs::write(dir.path().join("random.txt"), &random).unwrap();
    let base64: String = random
        .chunks(57)
        .take(500)
        .map(|c| {
            let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
            let mut line: String = c
                .iter()
                .map(|&b| alphabet[usize::from(b % 64)] as char)
                .collect();
            line.push('\n');
            line
        })
        .collect();
    fs::write(dir.path().join("base64.txt"), base64).unwrap();
    let minified = r#"{"id":17,"values":[0.25,0.5,0.75],"name":"item17","ok":true},"#.repeat(300);
    fs::write(dir.path().join("minified.txt"), minified).unwrap();
    fs::write(
        dir.path().join("real.txt"),
        "Alibaba shares rose after cloud revenue beat forecasts.",
    )
    .unwrap();
    let out = stance().arg("score").arg(dir.path()).output().unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let err = stderr_of(&out);
    for name in ["random.txt", "base64.txt", "minified.txt"] {
        assert!(
            err.lines()
                .any(|l| l.contains(name) && l.contains("does not look like text")),
            "{name}: {err}"
        );
    }
    let rows = common::records(&String::from_utf8(out.stdout).unwrap());
    let ids: Vec<&str> = rows.iter().map(|r| r["id"].as_str()).collect();
    assert_eq!(ids, ["real.txt"]);
}
