//! Labelled whole documents: a folder with `data.jsonl` (one document per line: `id`, `title`,
//! `text`, ...) and `labels.csv` (`id`, `source`, `company`, `stance`, `voice`, `split`, ...),
//! joined by id. Each document is read for its labelled company, as a user would score it.

use std::collections::HashMap;
use std::path::Path;

use crate::error::{Context, Result, bail};
use crate::input::{Article, InputFormat, InputOptions, Problem, read_all};
use crate::model::classes::{STANCE_CLASSES, VOICE_CLASSES};

/// One labelled document.
#[derive(Clone, Debug)]
pub struct LabelledDocument {
    /// Its `target` is the labelled company.
    pub article: Article,
    pub source: String,
    pub stance: usize,
    pub voice: Option<usize>,
    pub split: String,
    /// `en` unless the labels say otherwise (the web corpus has Chinese rows).
    pub language: String,
}

/// Whether `dir` holds a document corpus.
pub fn is_document_corpus(dir: &Path) -> bool {
    dir.is_dir() && dir.join("data.jsonl").is_file() && dir.join("labels.csv").is_file()
}

/// The documents of `dir` in `labels.csv` order, those of `split` only when one is given
/// (`train`, `test`). Rows whose document is missing, or whose labels are not classes, are
/// problems, named by file and line.
pub fn read_document_corpus(
    dir: &Path,
    split: Option<&str>,
) -> Result<(Vec<LabelledDocument>, Vec<Problem>)> {
    let labels_path = dir.join("labels.csv");
    let mut reader = csv::Reader::from_path(&labels_path)
        .with_context(|| format!("reading {}", labels_path.display()))?;
    let headers = reader.headers()?.clone();
    let column = |name: &str| -> Result<usize> {
        match headers.iter().position(|h| h == name) {
            Some(i) => Ok(i),
            None => bail!("{}:1: no column {name:?}", labels_path.display()),
        }
    };
    let (id, source, company, stance, voice, split_col) = (
        column("id")?,
        column("source")?,
        column("company")?,
        column("stance")?,
        column("voice").ok(),
        column("split").ok(),
    );
    let language = column("language").ok();
    let mut problems = Vec::new();
    let mut wanted = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let here = format!("{}:{}", labels_path.display(), i + 2);
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                problems.push(Problem {
                    location: here,
                    id: None,
                    message: e.to_string(),
                });
                continue;
            }
        };
        let field = |i: usize| record.get(i).unwrap_or("").trim().to_string();
        let row_split = split_col.map(field).unwrap_or_default();
        if split.is_some_and(|s| s != row_split) {
            continue;
        }
        let class = |names: &[&str], raw: &str| names.iter().position(|c| *c == raw);
        let Some(stance_class) = class(&STANCE_CLASSES, &field(stance)) else {
            problems.push(Problem {
                location: here,
                id: Some(field(id)),
                message: format!(
                    "stance {:?} is not one of {STANCE_CLASSES:?}",
                    field(stance)
                ),
            });
            continue;
        };
        let voice_class = voice.and_then(|v| class(&VOICE_CLASSES, &field(v)));
        let row_language = language.map(field).unwrap_or_else(|| "en".into());
        wanted.push((
            field(id),
            field(source),
            field(company),
            stance_class,
            voice_class,
            row_split,
            row_language,
        ));
    }
    let data_path = dir.join("data.jsonl");
    let options = InputOptions {
        format: InputFormat::Jsonl,
        ..InputOptions::default()
    };
    let mut texts: HashMap<String, Article> = HashMap::new();
    for item in read_all(vec![data_path.display().to_string()], &options) {
        match item {
            Ok(article) => {
                texts.insert(article.id.clone(), article);
            }
            Err(p) => problems.push(p),
        }
    }
    let mut documents = Vec::with_capacity(wanted.len());
    for (id, source, company, stance, voice, split, language) in wanted {
        let Some(mut article) = texts.remove(&id) else {
            problems.push(Problem {
                location: labels_path.display().to_string(),
                id: Some(id.clone()),
                message: format!("no document {id:?} in {}", data_path.display()),
            });
            continue;
        };
        article.target = Some(company);
        article.source = Some(source.clone());
        documents.push(LabelledDocument {
            article,
            source,
            stance,
            voice,
            split,
            language,
        });
    }
    Ok((documents, problems))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_without_a_document_or_a_class_are_problems_named_by_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("data.jsonl"),
            "{\"id\": \"a\", \"text\": \"Alibaba profit rose.\"}\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("labels.csv"),
            "id,source,company,stance,voice,split\n\
             a,wire,Alibaba,bullish,analysis,test\n\
             b,wire,Alibaba,bearish,analysis,test\n\
             a,wire,Alibaba,upbeat,analysis,test\n",
        )
        .unwrap();
        assert!(is_document_corpus(dir.path()));
        let (documents, problems) = read_document_corpus(dir.path(), Some("test")).unwrap();
        assert_eq!(documents.len(), 1);
        assert_eq!(documents[0].article.target.as_deref(), Some("Alibaba"));
        assert_eq!(documents[0].voice, Some(1));
        let messages: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        assert!(
            messages
                .iter()
                .any(|m| m.contains("labels.csv:4") && m.contains("upbeat")),
            "{messages:?}"
        );
        assert!(
            messages.iter().any(|m| m.contains("no document \"b\"")),
            "{messages:?}"
        );
        assert!(
            read_document_corpus(dir.path(), Some("train"))
                .unwrap()
                .0
                .is_empty()
        );
    }
}
