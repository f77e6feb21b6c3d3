//! Three things the build gives:
//! - `STANCE_CODE_HASH`, a hash of the library's source and `Cargo.lock`, so incremental runs
//!   rescore everything after the scoring code or a dependency changes, not only after the model
//!   or lexicons do;
//! - `defaults.rs`, the default lexicons, targets and models compiled into the binary, so an
//!   installed `stance` works without the checkout it was built from, and the words of every run
//!   of Chinese characters in those files, so that reading English with the defaults never loads
//!   the segmenter's dictionary;
//! - for the tests, a `cfg` for each thing from outside the repository that is missing
//!   (`stance_without_soffice`, `stance_without_shared`), so a test that needs it is ignored with
//!   the reason and `cargo test`'s summary counts it; under CI (`CI` set and not `false`) none is
//!   set, so such a test runs and fails.

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
    let mut texts: Vec<String> = lexicons
        .iter()
        .map(|f| fs::read_to_string(f).unwrap_or_default())
        .collect();
    for relative in ["lexicons/targets.toml", "lexicons/companies/companies.csv"] {
        texts.push(fs::read_to_string(root.join(relative)).unwrap_or_default());
    }
    let traditional = traditional_table(&root.join(TRADITIONAL));
    source.push_str(&cjk_words(&texts, &traditional));
    source.push_str("pub const TRADITIONAL: &[(char, char)] = &[\n");
    for (t, s) in &traditional {
        writeln!(source, "    ({t:?}, {s:?}),").unwrap();
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

const TRADITIONAL: &str = "lexicons/chinese/traditional.tsv";

/// The traditional characters of `lexicons/chinese/traditional.tsv` with the simplified ones they
/// read as, sorted; a malformed line stops the build with its line number.
fn traditional_table(path: &Path) -> std::collections::BTreeMap<char, char> {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{TRADITIONAL}: {e}"));
    let mut table = std::collections::BTreeMap::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        let chars: Vec<char> = line.chars().collect();
        match chars[..] {
            [t, '\t', s] if t.len_utf8() == s.len_utf8() && is_cjk(t) && is_cjk(s) => {
                table.insert(t, s);
            }
            _ => panic!(
                "{TRADITIONAL}:{}: expected a traditional and a simplified character of as many \
                 bytes, separated by a tab",
                i + 1
            ),
        }
    }
    table
}

/// The characters `src/language.rs` calls `is_cjk`: the tokenizer gives each a token, the segmenter joins them.
fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// `CJK_WORDS`: each distinct run of CJK characters in `texts` in simplified form, sorted, with
/// its words' byte ranges as `language::cut_unspaced` cuts them.
fn cjk_words(texts: &[String], traditional: &std::collections::BTreeMap<char, char>) -> String {
    let mut runs = std::collections::BTreeSet::new();
    for text in texts {
        let mut run = String::new();
        for c in text.chars().chain(std::iter::once(' ')) {
            if is_cjk(c) {
                run.push(*traditional.get(&c).unwrap_or(&c));
            } else if !run.is_empty() {
                runs.insert(std::mem::take(&mut run));
            }
        }
    }
    let jieba = jieba_rs::Jieba::new();
    let mut source = String::from("pub const CJK_WORDS: &[(&str, &[(u32, u32)])] = &[\n");
    for run in &runs {
        let words: Vec<String> = (jieba.cut(run, true).iter())
            .map(|t| format!("({}, {})", t.byte_start, t.byte_end))
            .collect();
        writeln!(source, "    ({run:?}, &[{}]),", words.join(", ")).unwrap();
    }
    source.push_str("];\n");
    source
}

/// Whether `program` is on the `PATH`.
fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

fn missing_for_tests() {
    println!("cargo::rustc-check-cfg=cfg(stance_without_soffice)");
    println!("cargo::rustc-check-cfg=cfg(stance_without_shared)");
    println!("cargo:rerun-if-env-changed=CI");
    println!("cargo:rerun-if-env-changed=PATH");
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false");
    if ci {
        return;
    }
    if !on_path("soffice") && !on_path("libreoffice") {
        println!("cargo:rustc-cfg=stance_without_soffice");
    }
    if !Path::new("../shared").is_dir() {
        println!("cargo:rustc-cfg=stance_without_shared");
    }
}

fn main() {
    for watched in ["src", "Cargo.lock", "lexicons", "data/models"] {
        println!("cargo:rerun-if-changed={watched}");
    }
    missing_for_tests();
    println!("cargo:rustc-env=STANCE_CODE_HASH={}", code_hash());
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("set by cargo"));
    fs::write(out.join("defaults.rs"), defaults_source()).expect("OUT_DIR is writable");
}
