//! Helpers shared by the CLI test files.

use std::fs;
use std::path::{Path, PathBuf};

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
