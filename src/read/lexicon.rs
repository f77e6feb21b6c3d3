//! Part of stage 4: lexicons are data. CSV files (`term,category,weight,note`) editable in a
//! spreadsheet, validated when loaded, matched on stems so inflections match.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::data::DataFile;
use crate::error::{Result, invalid};
use crate::read::phrase::PhraseMatcher;
use crate::text::analyze::{Codebook, MAX_CODE, StemFilter, phrase_stems};

/// The longest term, in words; rule windows rely on this bound to stay linear.
pub const MAX_TERM_WORDS: usize = 8;

/// What a lexicon entry does. Evidence categories become stance features; modifiers change
/// the evidence near them; direction and metric combine into one cue; voice cues feed the voice model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Positive,
    Negative,
    Uncertainty,
    Analyst,
    Holding,
    Leadership,
    Strategy,
    Direction,
    Metric,
    Negator,
    Shifter,
    Intensifier,
    Downtoner,
    Hedge,
    Contrast,
    Retail,
    Analysis,
    Corporate,
    /// A model term's weight, exported by `stance lexicon export`: the term is the model's stems,
    /// the weight its push on bullish over bearish. Loaded with `--lexicon`, it re-weights that
    /// term in the stance model; it is never matched as a cue.
    Learned,
}

/// How a category takes part in scoring.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Evidence,
    Pairing,
    Modifier,
    Voice,
    Learned,
}

impl Category {
    pub const ALL: [Category; 19] = [
        Category::Positive,
        Category::Negative,
        Category::Uncertainty,
        Category::Analyst,
        Category::Holding,
        Category::Leadership,
        Category::Strategy,
        Category::Direction,
        Category::Metric,
        Category::Negator,
        Category::Shifter,
        Category::Intensifier,
        Category::Downtoner,
        Category::Hedge,
        Category::Contrast,
        Category::Retail,
        Category::Analysis,
        Category::Corporate,
        Category::Learned,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Category::Positive => "positive",
            Category::Negative => "negative",
            Category::Uncertainty => "uncertainty",
            Category::Analyst => "analyst",
            Category::Holding => "holding",
            Category::Leadership => "leadership",
            Category::Strategy => "strategy",
            Category::Direction => "direction",
            Category::Metric => "metric",
            Category::Negator => "negator",
            Category::Shifter => "shifter",
            Category::Intensifier => "intensifier",
            Category::Downtoner => "downtoner",
            Category::Hedge => "hedge",
            Category::Contrast => "contrast",
            Category::Retail => "retail",
            Category::Analysis => "analysis",
            Category::Corporate => "corporate",
            Category::Learned => "learned",
        }
    }

    pub fn role(self) -> Role {
        match self {
            Category::Positive
            | Category::Negative
            | Category::Uncertainty
            | Category::Analyst
            | Category::Holding
            | Category::Leadership
            | Category::Strategy => Role::Evidence,
            Category::Direction | Category::Metric => Role::Pairing,
            Category::Negator
            | Category::Shifter
            | Category::Intensifier
            | Category::Downtoner
            | Category::Hedge
            | Category::Contrast => Role::Modifier,
            Category::Retail | Category::Analysis | Category::Corporate => Role::Voice,
            Category::Learned => Role::Learned,
        }
    }

    /// The weights this category accepts, checked on load.
    fn check_weight(self, w: f64) -> Result<(), String> {
        let ok = match self {
            Category::Positive => w > 0.0,
            Category::Negative => w < 0.0,
            Category::Uncertainty => w > 0.0,
            Category::Negator | Category::Shifter => (-1.0..0.0).contains(&w),
            Category::Intensifier => w > 1.0 && w <= 3.0,
            Category::Downtoner | Category::Hedge | Category::Contrast => w > 0.0 && w < 1.0,
            Category::Direction | Category::Metric => w == 1.0 || w == -1.0,
            Category::Retail | Category::Analysis | Category::Corporate => w > 0.0,
            Category::Analyst | Category::Holding | Category::Leadership | Category::Strategy => {
                w != 0.0
            }
            Category::Learned => true,
        };
        if !ok {
            return Err(format!(
                "weight {w} is not allowed for category {}: {}",
                self.name(),
                self.weight_rule()
            ));
        }
        let limit = if self == Category::Learned { 50.0 } else { 5.0 };
        if w.abs() > limit {
            return Err(format!("weight {w} is outside [-{limit}, {limit}]"));
        }
        Ok(())
    }

    fn weight_rule(self) -> &'static str {
        match self {
            Category::Positive | Category::Uncertainty => "must be > 0",
            Category::Negative => "must be < 0",
            Category::Negator | Category::Shifter => "is a factor in [-1, 0)",
            Category::Intensifier => "is a factor in (1, 3]",
            Category::Downtoner | Category::Hedge => "is a factor in (0, 1)",
            Category::Contrast => {
                "is the factor for cues before it, in (0, 1); cues after it get 2 - factor"
            }
            Category::Direction | Category::Metric => "must be 1 (up, good) or -1 (down, bad)",
            Category::Retail | Category::Analysis | Category::Corporate => "must be > 0",
            Category::Learned => "may be any number in [-50, 50]",
            _ => "must not be 0",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Category {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim().to_ascii_lowercase();
        Category::ALL
            .into_iter()
            .find(|c| c.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Category::ALL.iter().map(|c| c.name()).collect();
                format!(
                    "unknown category {s:?} (expected one of: {})",
                    names.join(", ")
                )
            })
    }
}

/// Where an entry was written, for messages in `file:line` form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    pub file: PathBuf,
    /// 0 for a problem with the whole file, which is then named without a line.
    pub line: u64,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
        }
        Ok(())
    }
}

#[derive(Clone, Debug)]
pub struct Entry {
    pub term: String,
    pub stems: Vec<String>,
    pub category: Category,
    pub weight: f64,
    pub note: String,
    pub origin: Origin,
}

/// A problem found in a lexicon file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub origin: Origin,
    pub reason: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.origin, self.reason)
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{}", .0.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("\n"))]
pub struct LexiconError(pub Vec<Problem>);

crate::error::from_other!(LexiconError);

#[derive(Deserialize)]
struct Row {
    term: String,
    category: String,
    weight: String,
    #[serde(default)]
    note: String,
}

/// All entries of a set of lexicon files.
#[derive(Clone, Debug, Default)]
pub struct Lexicon {
    pub entries: Vec<Entry>,
}

impl Lexicon {
    /// The `.csv` files of `dir`, in name order; a directory without any is an error, not an
    /// empty lexicon.
    pub fn csv_files(dir: &Path) -> Result<Vec<DataFile>, LexiconError> {
        let problem = |reason: String| {
            LexiconError(vec![Problem {
                origin: Origin {
                    file: dir.to_path_buf(),
                    line: 0,
                },
                reason,
            }])
        };
        let listing = std::fs::read_dir(dir).map_err(|e| problem(e.to_string()))?;
        let mut files: Vec<PathBuf> = listing
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "csv"))
            .collect();
        if files.is_empty() {
            return Err(problem(
                "no lexicon files (.csv) in this directory".to_string(),
            ));
        }
        files.sort();
        Ok(files.into_iter().map(DataFile::Disk).collect())
    }

    /// Loads the files in order, failing with every problem found.
    pub fn load_files(files: &[DataFile]) -> Result<Lexicon, LexiconError> {
        let (lexicon, problems) = Lexicon::check_files(files);
        if problems.is_empty() {
            Ok(lexicon)
        } else {
            Err(LexiconError(problems))
        }
    }

    /// Reads every file, returning the valid entries and every problem (for `lexicon check`).
    pub fn check_files(files: &[DataFile]) -> (Lexicon, Vec<Problem>) {
        let stem = StemFilter::default();
        let mut lexicon = Lexicon {
            entries: Vec::new(),
        };
        let mut problems = Vec::new();
        for file in files {
            read_file(file, &stem, &mut lexicon.entries, &mut problems);
        }
        problems.extend(duplicate_problems(&lexicon.entries));
        (lexicon, problems)
    }

    /// Removes and returns the learned entries, which re-weight a model instead of matching text.
    pub fn take_learned(&mut self) -> Vec<Entry> {
        let (learned, cues) = std::mem::take(&mut self.entries)
            .into_iter()
            .partition(|e| e.category == Category::Learned);
        self.entries = cues;
        learned
    }

    /// A stable hash of the entries, each term as written as well as its stems (a respelling
    /// with the same stems changes what `explain` shows), for model records and incremental
    /// reruns.
    pub fn fingerprint(&self) -> String {
        let mut text = String::new();
        for e in &self.entries {
            text.push_str(&format!(
                "{}\t{}\t{}\t{}\n",
                e.term,
                e.stems.join(" "),
                e.category,
                e.weight
            ));
        }
        blake3::hash(text.as_bytes()).to_hex().to_string()
    }
}

fn read_file(
    file: &DataFile,
    stem: &StemFilter,
    entries: &mut Vec<Entry>,
    problems: &mut Vec<Problem>,
) {
    let name = file.name();
    let origin = |line: u64| Origin {
        file: name.clone(),
        line,
    };
    let text = match file.read() {
        Ok(text) => text,
        Err(e) => {
            return problems.push(Problem {
                origin: origin(0),
                reason: e.to_string(),
            });
        }
    };
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers = match reader.headers() {
        Ok(h)
            if ["term", "category", "weight"]
                .iter()
                .all(|c| h.iter().any(|x| x.trim() == *c)) =>
        {
            h.clone()
        }
        Ok(_) => {
            return problems.push(Problem {
                origin: origin(1),
                reason: "header must name the columns term,category,weight[,note]".into(),
            });
        }
        Err(e) => {
            return problems.push(Problem {
                origin: origin(1),
                reason: e.to_string(),
            });
        }
    };
    for record in reader.records() {
        let parsed = record
            .map_err(|e| (e.position().map_or(0, |p| p.line()), csv_reason(&e)))
            .and_then(|r| {
                let line = r.position().map_or(0, |p| p.line());
                let row: Row = r
                    .deserialize(Some(&headers))
                    .map_err(|e| (line, csv_reason(&e)))?;
                parse_row(row, stem)
                    .map(|parsed| (line, parsed))
                    .map_err(|reason| (line, reason))
            });
        match parsed {
            Ok((line, (term, stems, category, weight, note))) => entries.push(Entry {
                term,
                stems,
                category,
                weight,
                note,
                origin: origin(line),
            }),
            Err((line, reason)) => problems.push(Problem {
                origin: origin(line),
                reason,
            }),
        }
    }
}

fn csv_reason(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!("expected {expected_len} fields, found {len}")
        }
        csv::ErrorKind::Deserialize { err, .. } => err.to_string(),
        _ => e.to_string(),
    }
}

type ParsedRow = (String, Vec<String>, Category, f64, String);

fn parse_row(row: Row, stem: &StemFilter) -> Result<ParsedRow, String> {
    let term = row.term.trim().to_string();
    if term.is_empty() {
        return Err("empty term".into());
    }
    if term.contains(';') {
        return Err(format!(
            "term {term:?} contains ';', which separates drivers in the output"
        ));
    }
    let category: Category = row.category.parse()?;
    let weight: f64 = row
        .weight
        .trim()
        .parse()
        .map_err(|_| format!("weight {:?} is not a number", row.weight.trim()))?;
    if !weight.is_finite() {
        return Err(format!("weight {weight} is not finite"));
    }
    category.check_weight(weight)?;
    // Learned terms are written as the model's stems already.
    let stems = if category == Category::Learned {
        term.split_whitespace().map(str::to_lowercase).collect()
    } else {
        phrase_stems(&term, stem)
    };
    if stems.is_empty() {
        return Err(format!("term {term:?} has no words"));
    }
    if stems.len() > 8 {
        return Err(format!(
            "term {term:?} has {} words; at most 8",
            stems.len()
        ));
    }
    Ok((term, stems, category, weight, row.note.trim().to_string()))
}

/// Two entries with the same stems cannot both match: report each later one.
fn duplicate_problems(entries: &[Entry]) -> Vec<Problem> {
    let mut first: HashMap<&[String], &Entry> = HashMap::new();
    let mut problems = Vec::new();
    // Learned entries re-weight model terms, a namespace of their own.
    let (learned, cues): (Vec<&Entry>, Vec<&Entry>) = entries
        .iter()
        .partition(|e| e.category == Category::Learned);
    for group in [learned, cues] {
        first.clear();
        for e in group {
            match first.get(e.stems.as_slice()) {
                Some(prev) => {
                    let kind = if prev.category == e.category && prev.weight == e.weight {
                        "duplicate"
                    } else {
                        "conflict"
                    };
                    problems.push(Problem {
                    origin: e.origin.clone(),
                    reason: format!(
                        "{kind}: {:?} ({} {}) matches the same stems [{}] as {:?} ({} {}) at {}",
                        e.term,
                        e.category,
                        e.weight,
                        e.stems.join(" "),
                        prev.term,
                        prev.category,
                        prev.weight,
                        prev.origin
                    ),
                });
                }
                None => {
                    first.insert(&e.stems, e);
                }
            }
        }
    }
    problems
}

/// A lexicon compiled against a codebook.
#[derive(Clone, Debug)]
pub struct CompiledLexicon {
    pub lexicon: Lexicon,
    pub matcher: PhraseMatcher,
}

impl CompiledLexicon {
    /// Fails with the first entry whose stems no longer get a code.
    pub fn compile(lexicon: Lexicon, codebook: &mut Codebook) -> Result<Self> {
        let patterns: Vec<Vec<u32>> = lexicon
            .entries
            .iter()
            .map(|e| {
                codebook.intern_all(&e.stems).ok_or_else(|| {
                    invalid!(
                        "{}: more than {MAX_CODE} distinct stems in the lexicons",
                        e.origin
                    )
                })
            })
            .collect::<Result<_, _>>()?;
        let matcher = PhraseMatcher::new(&patterns);
        Ok(CompiledLexicon { lexicon, matcher })
    }

    pub fn entry(&self, index: usize) -> &Entry {
        &self.lexicon.entries[index]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn write_csv(dir: &Path, name: &str, body: &str) -> DataFile {
        let path = dir.join(name);
        std::fs::File::create(&path)
            .unwrap()
            .write_all(body.as_bytes())
            .unwrap();
        DataFile::Disk(path)
    }

    #[test]
    fn loads_entries_with_stems() {
        let dir = tempfile::tempdir().unwrap();
        let f = write_csv(
            dir.path(),
            "a.csv",
            "term,category,weight,note\nstrengthen,positive,1,x\n\"buy the dip\",holding,1.5,\n",
        );
        let lex = Lexicon::load_files(&[f]).unwrap();
        assert_eq!(lex.entries.len(), 2);
        assert_eq!(lex.entries[1].stems, ["buy", "the", "dip"]);
        assert_eq!(lex.entries[1].origin.line, 3);
    }

    #[test]
    fn reports_file_and_line_for_each_bad_row() {
        let dir = tempfile::tempdir().unwrap();
        let f = write_csv(
            dir.path(),
            "bad.csv",
            "term,category,weight,note\ngood,positive,1,\nbad,negative,2,\nx,sentiment,1,\ny,positive,abc,\n",
        );
        let err = Lexicon::load_files(&[f]).unwrap_err().to_string();
        assert!(
            err.contains("bad.csv:3: weight 2 is not allowed for category negative"),
            "{err}"
        );
        assert!(
            err.contains("bad.csv:4: unknown category \"sentiment\""),
            "{err}"
        );
        assert!(
            err.contains("bad.csv:5: weight \"abc\" is not a number"),
            "{err}"
        );
    }

    #[test]
    fn reports_duplicates_and_conflicts_across_inflections() {
        let dir = tempfile::tempdir().unwrap();
        let f = write_csv(
            dir.path(),
            "d.csv",
            "term,category,weight\nresign,leadership,-1\nresigned,leadership,-1\nresigns,negative,-2\n",
        );
        let (_, problems) = Lexicon::check_files(&[f]);
        assert_eq!(problems.len(), 2);
        assert!(problems[0].to_string().contains("d.csv:3: duplicate"));
        assert!(problems[1].to_string().contains("d.csv:4: conflict"));
    }

    #[test]
    fn ragged_rows_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        let f = write_csv(
            dir.path(),
            "r.csv",
            "term,category,weight,note\ngood,positive\n",
        );
        let err = Lexicon::load_files(&[f]).unwrap_err().to_string();
        assert!(err.contains("r.csv:2: expected 4 fields, found 2"), "{err}");
    }
}
