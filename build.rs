//! Hashes the library's source into `STANCE_CODE_HASH`, so incremental runs rescore everything
//! after the scoring code changes, not only after the model or lexicons do.

use std::fs;
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

fn main() {
    println!("cargo:rerun-if-changed=src");
    let mut files = Vec::new();
    rust_files(Path::new("src"), &mut files);
    files.sort();
    let mut hasher = blake3::Hasher::new();
    for file in &files {
        hasher.update(file.to_string_lossy().as_bytes());
        hasher.update(&fs::read(file).unwrap_or_default());
    }
    println!(
        "cargo:rustc-env=STANCE_CODE_HASH={}",
        &hasher.finalize().to_hex()[..16]
    );
}
