//! Two things the library needs from its build:
//! - `STANCE_CODE_HASH`, a hash of the library's source and `Cargo.lock`, so incremental runs
//!   rescore everything after the scoring code or a dependency changes, not only after the model
//!   or lexicons do;
//! - `defaults.rs`, the default lexicons, targets and models compiled into the binary, so an
//!   installed `stance` works without the checkout it was built from.

use std::fmt::Write;
use std::fs;
use std::path::{Path, PathBuf};

fn files_with_extension(dir: &Path, extension: &str, recurse: bool, found: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if recurse {
                files_with_extension(&path, extension, recurse, found);
            }
        } else if path.extension().is_some_and(|e| e == extension) {
            found.push(path);
        }
    }
}

fn code_hash() -> String {
    let mut files = Vec::new();
    files_with_extension(Path::new("src"), "rs", true, &mut files);
    files.sort();
    files.push(PathBuf::from("Cargo.lock"));
    let mut hasher = blake3::Hasher::new();
    for file in &files {
        hasher.update(file.to_string_lossy().as_bytes());
        hasher.update(&fs::read(file).unwrap_or_default());
    }
    hasher.finalize().to_hex()[..16].to_string()
}

fn defaults_source() -> String {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let mut lexicons = Vec::new();
    files_with_extension(&root.join("lexicons"), "csv", false, &mut lexicons);
    lexicons.sort();
    let included = |relative: &str| {
        let absolute = root.join(relative);
        format!(
            "(\"{relative}\", include_str!({:?}))",
            absolute.to_string_lossy()
        )
    };
    let mut source = String::from("pub const LEXICONS: &[(&str, &str)] = &[\n");
    for file in &lexicons {
        let name = file.file_name().expect("a file").to_string_lossy();
        writeln!(source, "    {},", included(&format!("lexicons/{name}"))).unwrap();
    }
    source.push_str("];\n");
    for (name, relative) in [
        ("TARGETS", "lexicons/targets.toml"),
        ("COMPANIES", "lexicons/companies/companies.csv"),
        ("STANCE_MODEL", "data/models/stance.json"),
        ("VOICE_MODEL", "data/models/voice.json"),
        ("ARTICLE_MODEL", "data/models/article.json"),
    ] {
        writeln!(
            source,
            "pub const {name}: (&str, &str) = {};",
            included(relative)
        )
        .unwrap();
    }
    source
}

fn main() {
    for watched in ["src", "Cargo.lock", "lexicons", "data/models"] {
        println!("cargo:rerun-if-changed={watched}");
    }
    println!("cargo:rustc-env=STANCE_CODE_HASH={}", code_hash());
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("set by cargo"));
    fs::write(out.join("defaults.rs"), defaults_source()).expect("OUT_DIR is writable");
}
