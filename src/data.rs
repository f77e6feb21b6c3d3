//! The data files the engine loads: lexicons, targets and models.
//!
//! The repository's defaults are compiled into the binary, so an installed `stance` works
//! wherever it is; files on disk given on the command line override them, and
//! `stance lexicon init DIR` writes the defaults out for editing.

use std::borrow::Cow;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

mod defaults {
    include!(concat!(env!("OUT_DIR"), "/defaults.rs"));
}

/// Each run of Chinese characters in the built-in data files with its words, sorted by run (see
/// `language::cut_unspaced`).
pub use defaults::CJK_WORDS;

/// Traditional Chinese characters with the simplified ones they read as, sorted (see
/// `language::simplified`).
pub use defaults::TRADITIONAL;

/// A problem in a data file (targets, company table); `line` is 0 for one with the whole file.
#[derive(Debug, thiserror::Error)]
#[error("{}{}: {reason}", file, if *line > 0 { format!(":{line}") } else { String::new() })]
pub struct DataError {
    pub file: String,
    pub line: usize,
    pub reason: String,
}

crate::error::from_other!(DataError);

/// One data file: compiled in, or on disk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DataFile {
    /// A default, by its path in the repository.
    BuiltIn {
        path: &'static str,
        text: &'static str,
    },
    Disk(PathBuf),
}

impl DataFile {
    fn built_in((path, text): (&'static str, &'static str)) -> DataFile {
        DataFile::BuiltIn { path, text }
    }

    pub fn targets() -> DataFile {
        DataFile::built_in(defaults::TARGETS)
    }

    pub fn companies() -> DataFile {
        DataFile::built_in(defaults::COMPANIES)
    }

    pub fn stance_model() -> DataFile {
        DataFile::built_in(defaults::STANCE_MODEL)
    }

    pub fn voice_model() -> DataFile {
        DataFile::built_in(defaults::VOICE_MODEL)
    }

    pub fn article_model() -> DataFile {
        DataFile::built_in(defaults::ARTICLE_MODEL)
    }

    /// The default lexicons, in file-name order.
    pub fn lexicons() -> Vec<DataFile> {
        defaults::LEXICONS
            .iter()
            .map(|&file| DataFile::built_in(file))
            .collect()
    }

    /// Every default file, for `stance lexicon init`.
    pub fn all_defaults() -> Vec<DataFile> {
        let mut all = DataFile::lexicons();
        all.extend([
            DataFile::targets(),
            DataFile::companies(),
            DataFile::stance_model(),
            DataFile::voice_model(),
            DataFile::article_model(),
        ]);
        all
    }

    /// [`read`](Self::read), with an error that names the file.
    pub fn read_text(&self) -> Result<Cow<'static, str>, DataError> {
        self.read().map_err(|e| DataError {
            file: self.to_string(),
            line: 0,
            reason: e.to_string(),
        })
    }

    pub fn read(&self) -> io::Result<Cow<'static, str>> {
        match self {
            DataFile::BuiltIn { text, .. } => Ok(Cow::Borrowed(text)),
            DataFile::Disk(path) => std::fs::read_to_string(path).map(Cow::Owned),
        }
    }

    /// What messages call it: the path on disk, or the default's path marked as built in.
    pub fn name(&self) -> PathBuf {
        match self {
            DataFile::BuiltIn { path, .. } => PathBuf::from(format!("{path} (built in)")),
            DataFile::Disk(path) => path.clone(),
        }
    }

    /// Where `stance lexicon init` writes a default: its file name, in a directory of its own
    /// for the company table (so `--lexicons DIR` does not read it as a lexicon).
    pub fn init_path(&self) -> PathBuf {
        match self {
            DataFile::BuiltIn { path, .. } if path.starts_with("lexicons/companies/") => {
                Path::new("companies").join(&*self.file_name())
            }
            _ => PathBuf::from(&*self.file_name()),
        }
    }

    /// The file's name without its directory, for writing the defaults out.
    pub fn file_name(&self) -> Cow<'_, str> {
        match self {
            DataFile::BuiltIn { path, .. } => Path::new(path)
                .file_name()
                .map_or(Cow::Borrowed(*path), |n| n.to_string_lossy()),
            DataFile::Disk(path) => path
                .file_name()
                .map_or_else(|| path.to_string_lossy(), |n| n.to_string_lossy()),
        }
    }
}

impl fmt::Display for DataFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.name().display())
    }
}

impl From<PathBuf> for DataFile {
    fn from(path: PathBuf) -> Self {
        DataFile::Disk(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every lexicon of the repository is compiled in, byte for byte.
    #[test]
    fn the_defaults_are_the_repository_files() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut on_disk: Vec<String> = std::fs::read_dir(root.join("lexicons"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".csv"))
            .collect();
        on_disk.sort();
        let built_in: Vec<String> = DataFile::lexicons()
            .iter()
            .map(|f| f.file_name().into_owned())
            .collect();
        assert_eq!(built_in, on_disk);
        for file in DataFile::all_defaults() {
            let DataFile::BuiltIn { path, text } = file else {
                panic!("a default on disk")
            };
            assert_eq!(std::fs::read_to_string(root.join(path)).unwrap(), text);
        }
    }
}
