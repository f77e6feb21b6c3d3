//! Batch reruns on a growing folder: a manifest beside the output records what each row was made
//! from, so a rerun scores only new and changed articles and copies every other row byte for byte.
//!
//! Crash safety comes from the order of writes: the new output and then the new manifest are
//! each written to a temporary file and renamed into place. The manifest holds the hash of the
//! output it describes, so a manifest that does not match its output (a run killed between the
//! two renames, or a hand-edited output) is not trusted and everything is scored again.

use std::collections::{BTreeMap, HashMap};
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Context, Result, bail};
use crate::files::{Destination, TEMPORARY_SUFFIX, parent_dir, temporary_prefix, write_atomically};
use crate::input::Article;
use crate::model::engine::EngineFingerprint;

pub const MANIFEST_FORMAT: &str = "stance-manifest/1";

/// `scores.csv` → `scores.csv.manifest.json`
pub fn manifest_path(output: &Path) -> PathBuf {
    suffixed(output, ".manifest.json")
}

/// `scores.csv` → `scores.csv.lock`
pub fn lock_path(output: &Path) -> PathBuf {
    suffixed(output, ".lock")
}

fn suffixed(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Everything a row depends on besides its article.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowRecipe {
    pub engine: EngineFingerprint,
    /// Output format, CSV options and the default target, as given on the command line.
    pub settings: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ManifestRow {
    pub id: String,
    /// [`article_hash`] of the article the row was scored from.
    pub article: String,
    /// Where the row's bytes are in the output.
    pub offset: u64,
    pub len: u64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub recipe: RowRecipe,
    /// BLAKE3 of the whole output file this manifest describes.
    pub output_hash: String,
    /// Sorted by id, as the rows are in the output.
    pub rows: Vec<ManifestRow>,
}

/// A hash of every article field that reaches its row.
pub fn article_hash(article: &Article) -> String {
    let mut hasher = blake3::Hasher::new();
    let none = "\u{0}none";
    for field in [
        Some(article.id.as_str()),
        article.title.as_deref(),
        article.date.as_deref(),
        article.source.as_deref(),
        article.url.as_deref(),
        article.target.as_deref(),
        Some(article.text.as_str()),
    ] {
        let field = field.unwrap_or(none);
        hasher.update(&(field.len() as u64).to_le_bytes());
        hasher.update(field.as_bytes());
    }
    hasher.update(&(article.headline_paragraphs as u64).to_le_bytes());
    hasher.finalize().to_hex()[..32].to_string()
}

/// The previous run's rows that may be copied, and what every earlier article hashed to.
pub struct Previous {
    output: Option<File>,
    rows: HashMap<String, ManifestRow>,
    /// False when the recipe changed, `--force` was given or the manifest is not trusted: the
    /// rows are known (to count new and changed articles) but none is copied.
    pub reusable: bool,
    /// Why everything is scored again, for the user.
    pub rescore_reason: Option<String>,
}

impl Previous {
    /// Reads the manifest beside `output`. A missing, unreadable or stale manifest is not an
    /// error: everything is scored, and `rescore_reason` says why.
    pub fn load(output: &Path, recipe: &RowRecipe, force: bool) -> Previous {
        let mut previous = Previous {
            output: None,
            rows: HashMap::new(),
            reusable: false,
            rescore_reason: None,
        };
        let manifest_file = manifest_path(output);
        let text = match std::fs::read_to_string(&manifest_file) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                if output.exists() {
                    previous.rescore_reason = Some(format!("{} has no manifest", output.display()));
                }
                return previous;
            }
            Err(e) => {
                previous.rescore_reason = Some(format!("{}: {e}", manifest_file.display()));
                return previous;
            }
        };
        let manifest: Manifest = match serde_json::from_str(&text) {
            Ok(m) => m,
            Err(e) => {
                previous.rescore_reason = Some(format!(
                    "{}:{}: not a manifest ({e})",
                    manifest_file.display(),
                    e.line()
                ));
                return previous;
            }
        };
        if manifest.format != MANIFEST_FORMAT {
            previous.rescore_reason = Some(format!(
                "{}: format {:?}, expected {MANIFEST_FORMAT:?}",
                manifest_file.display(),
                manifest.format
            ));
            return previous;
        }
        let matches_output = File::open(output).and_then(|mut f| {
            let mut hasher = blake3::Hasher::new();
            io::copy(&mut f, &mut hasher)?;
            f.seek(SeekFrom::Start(0))?;
            Ok((hasher.finalize().to_hex().to_string(), f))
        });
        let reason = match matches_output {
            Ok((hash, file)) if hash == manifest.output_hash => {
                previous.output = Some(file);
                if force {
                    Some("--force".to_string())
                } else if manifest.recipe.settings != recipe.settings {
                    Some("output settings changed".to_string())
                } else {
                    let changed = recipe.engine.changes_from(&manifest.recipe.engine);
                    (!changed.is_empty()).then(|| format!("{} changed", changed.join(", ")))
                }
            }
            Ok(_) => Some(format!(
                "{} does not match its manifest (edited, or left by an interrupted run)",
                output.display()
            )),
            Err(e) => Some(format!("{}: {e}", output.display())),
        };
        previous.reusable = reason.is_none();
        previous.rescore_reason = reason;
        previous.rows = manifest
            .rows
            .into_iter()
            .map(|r| (r.id.clone(), r))
            .collect();
        previous
    }

    pub fn get(&self, id: &str) -> Option<&ManifestRow> {
        self.rows.get(id)
    }

    /// A row that can be copied as it is: same article, same recipe.
    pub fn reusable_row(&self, id: &str, article: &str) -> Option<&ManifestRow> {
        self.get(id)
            .filter(|r| self.reusable && r.article == article)
    }

    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.rows.keys().map(String::as_str)
    }
}

/// Where a row of the next output comes from.
#[derive(Clone, Debug)]
enum RowSource {
    Previous { offset: u64, len: u64 },
    Scored { offset: u64, len: u64 },
}

/// The next output, assembled by id: rows copied from the previous output plus rows scored now,
/// which wait in an anonymous temporary file so memory holds only the index.
pub struct NextOutput {
    rows: BTreeMap<String, (String, RowSource)>,
    scored: io::BufWriter<File>,
    scored_len: u64,
}

impl NextOutput {
    pub fn new(dir: &Path) -> io::Result<NextOutput> {
        Ok(NextOutput {
            rows: BTreeMap::new(),
            scored: io::BufWriter::new(tempfile::tempfile_in(dir)?),
            scored_len: 0,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn contains(&self, id: &str) -> bool {
        self.rows.contains_key(id)
    }

    pub fn keep(&mut self, row: &ManifestRow) {
        self.rows.insert(
            row.id.clone(),
            (
                row.article.clone(),
                RowSource::Previous {
                    offset: row.offset,
                    len: row.len,
                },
            ),
        );
    }

    pub fn add(&mut self, id: String, article: String, bytes: &[u8]) -> io::Result<()> {
        self.scored.write_all(bytes)?;
        let source = RowSource::Scored {
            offset: self.scored_len,
            len: bytes.len() as u64,
        };
        self.scored_len += bytes.len() as u64;
        self.rows.insert(id, (article, source));
        Ok(())
    }

    /// Writes the output (header, then rows by id) and then its manifest, each replaced
    /// atomically, in that order.
    pub fn commit(
        self,
        output: &Path,
        header: &[u8],
        previous: &mut Previous,
        recipe: &RowRecipe,
    ) -> Result<()> {
        let mut scored = self
            .scored
            .into_inner()
            .map_err(|e| e.into_error())
            .context("temporary rows")?;
        let mut out = HashingWriter::new(
            Destination::file(output).with_context(|| format!("creating {}", output.display()))?,
        );
        out.write_all(header)?;
        let mut rows = Vec::with_capacity(self.rows.len());
        let mut buffer = Vec::new();
        for (id, (article, source)) in self.rows {
            let (file, offset, len) = match source {
                RowSource::Previous { offset, len } => {
                    let file = previous
                        .output
                        .as_mut()
                        .context("a kept row without the previous output")?;
                    (file, offset, len)
                }
                RowSource::Scored { offset, len } => (&mut scored, offset, len),
            };
            buffer.resize(len as usize, 0);
            file.seek(SeekFrom::Start(offset))?;
            file.read_exact(&mut buffer)
                .with_context(|| format!("reading back the row of {id}"))?;
            rows.push(ManifestRow {
                id,
                article,
                offset: out.written,
                len,
            });
            out.write_all(&buffer)?;
        }
        let output_hash = out.hasher.finalize().to_hex().to_string();
        out.inner
            .commit()
            .with_context(|| format!("writing {}", output.display()))?;
        let manifest = Manifest {
            format: MANIFEST_FORMAT.into(),
            recipe: recipe.clone(),
            output_hash,
            rows,
        };
        let manifest_file = manifest_path(output);
        let mut text = serde_json::to_vec(&manifest)?;
        text.push(b'\n');
        write_atomically(&manifest_file, &text)
            .with_context(|| format!("writing {}", manifest_file.display()))
    }
}

struct HashingWriter<W> {
    inner: W,
    hasher: blake3::Hasher,
    written: u64,
}

impl<W: Write> HashingWriter<W> {
    fn new(inner: W) -> Self {
        HashingWriter {
            inner,
            hasher: blake3::Hasher::new(),
            written: 0,
        }
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Held while a run writes an output: a second run on the same output stops instead of
/// interleaving. It is an operating-system lock on `OUTPUT.lock`, released by the kernel when
/// the process ends however it ends, so a lock file left by a killed run never blocks.
pub struct OutputLock {
    file: File,
    path: PathBuf,
}

impl OutputLock {
    pub fn acquire(output: &Path) -> Result<OutputLock> {
        let path = lock_path(output);
        // The file may be replaced between open and lock by a run that is ending; retry then.
        for _ in 0..8 {
            let mut file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
                .with_context(|| format!("creating the lock file {}", path.display()))?;
            match file.try_lock() {
                Ok(()) => {}
                Err(std::fs::TryLockError::WouldBlock) => {
                    let mut holder = String::new();
                    let _ = file.read_to_string(&mut holder);
                    let holder = holder.trim();
                    bail!(
                        "{} is being written by another stance run{} (it holds {}); \
                         try again when that run ends",
                        output.display(),
                        if holder.is_empty() {
                            String::new()
                        } else {
                            format!(" ({holder})")
                        },
                        path.display()
                    );
                }
                Err(std::fs::TryLockError::Error(e)) => {
                    return Err(e).with_context(|| format!("locking {}", path.display()));
                }
            }
            if !same_file(&file, &path) {
                continue;
            }
            file.set_len(0)?;
            write!(file, "pid {}", std::process::id())?;
            file.flush()?;
            remove_leftovers(output);
            return Ok(OutputLock { file, path });
        }
        bail!("{}: the lock file keeps being replaced", path.display())
    }
}

impl Drop for OutputLock {
    fn drop(&mut self) {
        // Removed while still locked, so no other run can hold a lock on a file that is gone
        // (the check in `acquire` catches one that opened it just before).
        let _ = std::fs::remove_file(&self.path);
        let _ = self.file.unlock();
    }
}

#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_: &File, path: &Path) -> bool {
    path.exists()
}

/// Temporary files a killed run left beside `output` (only called under its lock).
fn remove_leftovers(output: &Path) {
    let dir = parent_dir(output);
    let prefixes = [
        temporary_prefix(output),
        temporary_prefix(&manifest_path(output)),
    ];
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.ends_with(TEMPORARY_SUFFIX) && prefixes.iter().any(|p| name.starts_with(p)) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn article_hash_sees_every_field_that_reaches_the_row() {
        let base = Article {
            id: "a".into(),
            title: Some("T".into()),
            text: "T\n\nbody".into(),
            headline_paragraphs: 1,
            ..Article::default()
        };
        let hash = article_hash(&base);
        let variants = [
            Article {
                id: "b".into(),
                ..base.clone()
            },
            Article {
                date: Some("2026-01-01".into()),
                ..base.clone()
            },
            Article {
                source: Some(String::new()),
                ..base.clone()
            },
            Article {
                target: Some("Tencent".into()),
                ..base.clone()
            },
            Article {
                text: "T\n\nbody!".into(),
                ..base.clone()
            },
        ];
        for v in &variants {
            assert_ne!(article_hash(v), hash, "{v:?}");
        }
        assert_eq!(article_hash(&base.clone()), hash);
    }

    #[test]
    fn a_second_lock_on_the_same_output_is_refused_and_released_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let output = dir.path().join("scores.csv");
        let first = OutputLock::acquire(&output).unwrap();
        let refused = OutputLock::acquire(&output)
            .err()
            .expect("second lock refused");
        let message = format!("{refused:#}");
        assert!(message.contains("another stance run"), "{message}");
        assert!(
            message.contains(&format!("pid {}", std::process::id())),
            "{message}"
        );
        drop(first);
        assert!(!lock_path(&output).exists());
        OutputLock::acquire(&output).unwrap();
    }

    #[test]
    fn a_lock_file_left_by_a_killed_run_does_not_block() {
        let dir = tempfile::tempdir().unwrap();
        let output = dir.path().join("scores.csv");
        std::fs::write(lock_path(&output), "pid 4000000").unwrap();
        let leftover = dir.path().join(".scores.csv.abc123.stance-tmp");
        std::fs::write(&leftover, "half a file").unwrap();
        let _lock = OutputLock::acquire(&output).unwrap();
        assert!(!leftover.exists(), "leftover temporary file removed");
    }
}
