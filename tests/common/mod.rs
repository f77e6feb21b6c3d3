//! Helpers shared by the CLI test files; each file uses some of them.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command as Process;

use assert_cmd::Command;

pub fn stance() -> Command {
    Command::cargo_bin("stance").expect("binary")
}

pub fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// Copies the files of `from` whose extension is `extension` into `to`, which must exist.
pub fn copy_files(from: &Path, to: &Path, extension: &str) {
    for entry in fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == extension) {
            fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
        }
    }
}

/// Whether something a test needs from outside the repository is here. A test without it does
/// not pass quietly: under CI (`CI` set and not `false`) it fails, elsewhere it says on stderr
/// that it did not run.
pub fn available(present: bool, what: &str) -> bool {
    if !present {
        let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false");
        assert!(!ci, "{what} is required under CI=true, and it is not here");
        eprintln!("SKIPPED: {what} is not here, so this test did not run");
    }
    present
}

/// The records of a CSV text, header included, without a leading byte-order mark.
pub fn csv_rows(text: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.trim_start_matches('\u{FEFF}').as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect()
}

/// The rows of a CSV output, each as column name to cell.
pub fn records(csv_text: &str) -> Vec<std::collections::HashMap<String, String>> {
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            header
                .iter()
                .cloned()
                .zip(r.iter().map(String::from))
                .collect()
        })
        .collect()
}

/// LibreOffice's command, where it is installed.
pub fn soffice() -> Option<&'static str> {
    ["soffice", "libreoffice"].into_iter().find(|bin| {
        Process::new(bin)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

/// Converts `input` with LibreOffice into `outdir`, in a profile of its own there.
pub fn convert(bin: &str, input: &Path, to: &str, infilter: Option<&str>, outdir: &Path) {
    let mut cmd = Process::new(bin);
    cmd.args(["--headless", "--norestore"]);
    cmd.arg(format!(
        "-env:UserInstallation=file://{}",
        outdir.join("profile").display()
    ));
    if let Some(filter) = infilter {
        cmd.arg(format!("--infilter={filter}"));
    }
    let out = cmd
        .args(["--convert-to", to, "--outdir"])
        .arg(outdir)
        .arg(input)
        .output()
        .expect("soffice runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
