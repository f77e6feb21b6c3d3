//! Stage 1: read articles from files, directories, JSON Lines, CSV or standard input.
//!
//! Readers are iterators, so a large JSONL or CSV file is streamed, never held whole. Each item
//! is an article or a [`Problem`] that names the input and the place in it; a problem never
//! stops the other articles.

use std::fmt;
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};

mod csv;
mod decode;
mod directory;
mod jsonl;
mod prose;
mod text;

use csv::csv_articles;
pub use decode::{TextEncoding, decode};
use directory::{directory_articles, is_text_file};
use jsonl::{JsonlReader, starts_like_json};
pub use prose::{not_prose, word_share};
use text::text_article;

/// Metadata fields every reader understands.
const FIELDS: [&str; 5] = ["title", "date", "source", "url", "target"];
const TEXT_EXTENSIONS: [&str; 3] = ["txt", "md", "markdown"];

/// Where a problem is and what it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub location: String,
    pub message: String,
    /// The article's id when it is known despite the problem (a text file that cannot be read),
    /// so an incremental run can keep the article's earlier row.
    pub id: Option<String>,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

fn problem(location: impl Into<String>, message: impl Into<String>) -> Problem {
    Problem {
        location: location.into(),
        message: message.into(),
        id: None,
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Article {
    /// Stable: the path below the root given, the `id` field, or `file:line`.
    pub id: String,
    pub title: Option<String>,
    pub date: Option<String>,
    pub source: Option<String>,
    pub url: Option<String>,
    pub target: Option<String>,
    /// Other CSV columns and front-matter keys, by name.
    pub extra: Vec<(String, String)>,
    /// The text scored: the headline (if any) on the first line, then the body.
    pub text: String,
    /// 1 when the first line of `text` is the headline.
    pub headline_paragraphs: usize,
    /// Things worth telling the user that did not stop the article (e.g. lossy decoding).
    pub warnings: Vec<Problem>,
}

impl Article {
    /// The input field `name` as read: `url`, or another field kept as `extra` (case-sensitive
    /// first, as written in the header; then in any case).
    pub fn field(&self, name: &str) -> Option<&str> {
        if name.eq_ignore_ascii_case("url") {
            return self.url.as_deref();
        }
        (self.extra.iter().find(|(k, _)| k == name))
            .or_else(|| {
                self.extra
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(name))
            })
            .map(|(_, value)| value.as_str())
    }

    /// An article from its id, named fields (title, date, source, url, target; any others are
    /// kept as `extra`) and body, as every reader builds one.
    pub fn new(id: String, mut fields: Vec<(String, String)>, body: &str) -> Article {
        let mut article = Article {
            id,
            ..Article::default()
        };
        let mut take = |name: &str| {
            fields
                .iter()
                .position(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|i| fields.remove(i).1)
        };
        article.title = take("title").filter(|t| !t.trim().is_empty());
        article.date = take("date").filter(|d| !d.trim().is_empty());
        if let Some(date) = article.date.as_deref().filter(|d| iso_date(d).is_none()) {
            article.warnings.push(problem(
                &article.id,
                format!(
                    "date {date:?} is not YYYY-MM-DD; kept as written, but aggregate counts the \
                     article as undated"
                ),
            ));
        }
        article.source = take("source");
        article.url = take("url");
        article.target = take("target").filter(|t| !t.trim().is_empty());
        article.extra = fields;
        match &article.title {
            Some(title) => {
                article.text = format!("{}\n\n{}", title.trim(), body);
                article.headline_paragraphs = 1;
            }
            None => {
                article.text = body.to_string();
                if let Some(first) = headline_line(body) {
                    article.title = Some(first.to_string());
                    article.headline_paragraphs = 1;
                }
            }
        }
        article
    }
}

/// The day of a date field, which must start with an ISO date (`2026-03-06`,
/// `2026-03-06T09:30:00Z`); `None` for anything else.
pub fn iso_date(text: &str) -> Option<chrono::NaiveDate> {
    let day = text.trim().get(..10)?;
    chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()
}

/// The first line of plain text is a headline when it is short, does not end like a sentence
/// (a question may), and more follows.
fn headline_line(body: &str) -> Option<&str> {
    let trimmed = body.trim_start();
    let (first, rest) = trimmed.split_once('\n')?;
    let first = first.trim();
    let is_headline = !first.is_empty()
        && first.chars().count() <= 200
        && !first.ends_with(['.', '\u{3002}', ':', ',', ';'])
        && !rest.trim().is_empty();
    is_headline.then_some(first)
}

/// How to read an input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputFormat {
    Auto,
    Text,
    Jsonl,
    Csv,
}

impl crate::choice::Choice for InputFormat {
    const ALL: &'static [(Self, &'static str, &'static str)] = &[
        (
            InputFormat::Auto,
            "auto",
            "By extension: .jsonl/.ndjson, .csv, else text; directories hold text files",
        ),
        (InputFormat::Text, "text", "One article per file"),
        (InputFormat::Jsonl, "jsonl", "One JSON object per line"),
        (
            InputFormat::Csv,
            "csv",
            "One article per record, with a header",
        ),
    ];
}

#[derive(Clone, Debug)]
pub struct InputOptions {
    pub format: InputFormat,
    pub text_col: String,
    pub id_col: String,
    /// An article (a file, a JSONL line, a CSV field) larger than this is skipped.
    pub max_article_bytes: usize,
    pub encoding: TextEncoding,
    /// Bytes read from input files so far.
    pub bytes_read: BytesRead,
}

impl Default for InputOptions {
    fn default() -> Self {
        InputOptions {
            format: InputFormat::Auto,
            text_col: "text".into(),
            id_col: "id".into(),
            max_article_bytes: 16 << 20,
            encoding: TextEncoding::Auto,
            bytes_read: BytesRead::default(),
        }
    }
}

pub type Item = Result<Article, Problem>;

/// Every article of every input, in the order given (directories in path order).
pub fn read_all(
    inputs: Vec<String>,
    options: &InputOptions,
) -> impl Iterator<Item = Item> + Send + use<> {
    let options = options.clone();
    inputs
        .into_iter()
        .flat_map(move |input| read_input(&input, &options))
        .map(|item| item.and_then(prose_only))
}

/// An article whose text is not prose is a problem, not a confident stance on noise.
fn prose_only(article: Article) -> Item {
    match not_prose(&article.text) {
        None => Ok(article),
        Some(reason) => Err(Problem {
            location: article.id.clone(),
            message: reason,
            id: Some(article.id),
        }),
    }
}

/// The input that would read `output`, if any: the same file, or a directory that would take
/// it for an article on the next run.
pub fn input_reading(inputs: &[String], output: &Path) -> Option<String> {
    let canonical = |p: &Path| std::fs::canonicalize(p).ok();
    let output = match canonical(output) {
        Some(existing) => existing,
        None => canonical(crate::files::parent_dir(output))?.join(output.file_name()?),
    };
    let read_from_directory = output
        .extension()
        .is_some_and(|e| TEXT_EXTENSIONS.iter().any(|t| e.eq_ignore_ascii_case(t)));
    inputs.iter().find_map(|input| {
        let path = canonical(Path::new(input)).filter(|_| input != "-")?;
        let reads =
            path == output || (path.is_dir() && read_from_directory && output.starts_with(&path));
        reads.then(|| input.clone())
    })
}

fn read_input(input: &str, options: &InputOptions) -> Box<dyn Iterator<Item = Item> + Send> {
    if input == "-" {
        return read_stream("stdin", Box::new(io::stdin()), options);
    }
    let path = PathBuf::from(input);
    match std::fs::metadata(&path) {
        Err(e) => Box::new(std::iter::once(Err(problem(input, io_reason(&e))))),
        Ok(meta) if meta.is_dir() => directory_articles(path, options.clone()),
        Ok(_) => {
            let name = path
                .file_name()
                .map_or_else(|| input.to_string(), |n| n.to_string_lossy().into_owned());
            file_articles(&path, name, options)
        }
    }
}

/// Articles from any byte stream, read as `options.format` (`auto` means one text article);
/// `name` stands for the stream in ids and messages. Standard input comes this way.
pub fn read_stream(
    name: &str,
    reader: Box<dyn Read + Send>,
    options: &InputOptions,
) -> Box<dyn Iterator<Item = Item> + Send> {
    match options.format {
        InputFormat::Jsonl => Box::new(JsonlReader::new(name.into(), reader, options)),
        InputFormat::Csv => csv_articles(name.into(), reader, options),
        InputFormat::Auto => {
            let mut peeked = BufReader::new(reader);
            if !starts_like_json(&mut peeked) {
                return Box::new(std::iter::once(text_article(
                    name.into(),
                    name,
                    Box::new(peeked),
                    options,
                )));
            }
            let note = problem(
                name,
                "it starts with '{', so it is read as JSON Lines (--input-format text reads it \
                 as one article)",
            );
            let mut articles = JsonlReader::new(name.into(), Box::new(peeked), options);
            let first = articles.next().map(|item| {
                item.map(|mut article| {
                    article.warnings.insert(0, note);
                    article
                })
            });
            Box::new(first.into_iter().chain(articles))
        }
        InputFormat::Text => Box::new(std::iter::once(text_article(
            name.into(),
            name,
            reader,
            options,
        ))),
    }
}

fn io_reason(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "no such file or directory".into(),
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

fn format_of(path: &Path, options: &InputOptions) -> InputFormat {
    match options.format {
        InputFormat::Auto => match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("jsonl" | "ndjson") => InputFormat::Jsonl,
            Some("csv") => InputFormat::Csv,
            _ => InputFormat::Text,
        },
        f => f,
    }
}

fn file_articles(
    path: &Path,
    id: String,
    options: &InputOptions,
) -> Box<dyn Iterator<Item = Item> + Send> {
    let location = path.display().to_string();
    let file = match open_counted(path, options) {
        Ok(f) => f,
        Err(e) => return Box::new(std::iter::once(Err(problem(location, io_reason(&e))))),
    };
    match format_of(path, options) {
        InputFormat::Jsonl => Box::new(JsonlReader::new(location, Box::new(file), options)),
        InputFormat::Csv => csv_articles(location, Box::new(file), options),
        InputFormat::Text | InputFormat::Auto => {
            Box::new(std::iter::once(text_article(id, &location, file, options)))
        }
    }
}

/// The bytes the inputs hold, when that is known before reading them (not for standard input).
pub fn input_size(inputs: &[String]) -> Option<u64> {
    let mut total = 0;
    for input in inputs {
        let meta = std::fs::metadata(input).ok().filter(|_| input != "-")?;
        total += if meta.is_dir() {
            walkdir::WalkDir::new(input)
                .follow_links(true)
                .into_iter()
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_file() && is_text_file(e.path()))
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum()
        } else {
            meta.len()
        };
    }
    Some(total)
}

/// Counts the bytes read from input files, for progress.
#[derive(Clone, Debug, Default)]
pub struct BytesRead(std::sync::Arc<std::sync::atomic::AtomicU64>);

impl BytesRead {
    pub fn get(&self) -> u64 {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }
}

struct Counted<R> {
    inner: R,
    count: BytesRead,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count
            .0
            .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(n)
    }
}

/// A file, opened so that its bytes count in `options.bytes_read`.
fn open_counted(path: &Path, options: &InputOptions) -> io::Result<Counted<File>> {
    Ok(Counted {
        inner: File::open(path)?,
        count: options.bytes_read.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use text::front_matter;

    #[test]
    fn front_matter_fields_and_headline() {
        let (fields, body) =
            front_matter("---\ntitle: \"Big news\"\ntarget: Nokia\n---\nBody text.");
        assert_eq!(
            fields,
            [
                ("title".into(), "Big news".into()),
                ("target".into(), "Nokia".into())
            ]
        );
        assert_eq!(body, "Body text.");
        let a = Article::new("x".into(), fields, body);
        assert_eq!(a.text, "Big news\n\nBody text.");
        assert_eq!(
            (
                a.title.as_deref(),
                a.target.as_deref(),
                a.headline_paragraphs
            ),
            (Some("Big news"), Some("Nokia"), 1)
        );
    }

    #[test]
    fn front_matter_with_no_text_is_a_problem_not_an_article() {
        let read = |t: &str| {
            text_article(
                "x".into(),
                "x",
                io::Cursor::new(t.as_bytes().to_vec()),
                &InputOptions::default(),
            )
        };
        assert_eq!(
            read("---\n---\n\n\n\n").unwrap_err().message,
            "no text after the front matter, skipped"
        );
        // Found by fuzzing: the first of two titles is empty, and only the first is used.
        assert_eq!(
            read("---\ntitle:\ntitle: Later\n---\n")
                .unwrap_err()
                .message,
            "no text after the front matter, skipped"
        );
        assert_eq!(
            read("---\ntitle: Only a headline\n---\n")
                .unwrap()
                .text
                .trim(),
            "Only a headline"
        );
    }

    #[test]
    fn a_dashed_line_that_is_not_front_matter_is_left_alone() {
        let text = "---\nNot: a field list because this line has spaces in key\nreally\n";
        assert_eq!(front_matter(text).1, text);
    }

    #[test]
    fn plain_text_headline_needs_to_look_like_one() {
        assert_eq!(
            headline_line("Alibaba raises stake\nBody."),
            Some("Alibaba raises stake")
        );
        assert_eq!(headline_line("A full sentence.\nBody."), None);
        assert_eq!(headline_line("Is it over?\nBody."), Some("Is it over?"));
        assert_eq!(headline_line("Only one line"), None);
    }

    #[test]
    fn decodes_utf16_and_flags_invalid_utf8() {
        let mut w = Vec::new();
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("阿里 up".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(
            decode(utf16, "f", TextEncoding::Auto, &mut w).unwrap(),
            "阿里 up"
        );
        assert!(w.is_empty());
        assert_eq!(
            decode(b"ok \xFF here".to_vec(), "f", TextEncoding::Auto, &mut w).unwrap(),
            "ok \u{FFFD} here"
        );
        assert_eq!(
            w[0].to_string(),
            "f: invalid UTF-8 at byte 3, decoded with replacement characters (--encoding names \
             another encoding)"
        );
        assert!(decode(b"bin\0ary".to_vec(), "f", TextEncoding::Auto, &mut w).is_err());
    }

    #[test]
    fn decodes_chinese_encodings_and_an_odd_utf16_byte() {
        let mut w = Vec::new();
        // "阿里巴巴 股价" in GB18030 and in Big5 (traditional: 阿里巴巴 股價).
        let gb = b"\xB0\xA2\xC0\xEF\xB0\xCD\xB0\xCD \xB9\xC9\xBC\xDB".to_vec();
        assert_eq!(
            decode(gb, "f", TextEncoding::Gb18030, &mut w).unwrap(),
            "阿里巴巴 股价"
        );
        let big5 = b"\xAA\xFC\xA8\xBD\xA4\xDA\xA4\xDA \xAA\xD1\xBB\xF9".to_vec();
        assert_eq!(
            decode(big5, "f", TextEncoding::Big5, &mut w).unwrap(),
            "阿里巴巴 股價"
        );
        assert!(w.is_empty(), "{w:?}");
        // A byte-order mark wins over the encoding named.
        let bom: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain("up".encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert_eq!(
            decode(bom, "f", TextEncoding::Gb18030, &mut w).unwrap(),
            "up"
        );
        // An odd trailing byte is half a character: replaced, and said so.
        let mut odd: Vec<u8> = "ok".encode_utf16().flat_map(u16::to_le_bytes).collect();
        odd.push(b'x');
        assert_eq!(
            decode(odd, "f", TextEncoding::Utf16Le, &mut w).unwrap(),
            "ok\u{FFFD}"
        );
        assert!(w[0].to_string().contains("odd number of bytes"), "{}", w[0]);
    }

    #[test]
    fn utf16_csv_is_split_after_it_is_turned_into_utf8() {
        let data: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(
                "id,text\n1,\"阿里, up\"\n"
                    .encode_utf16()
                    .flat_map(u16::to_le_bytes),
            )
            .collect();
        let items: Vec<Item> = csv_articles(
            "in.csv".into(),
            Box::new(io::Cursor::new(data)),
            &InputOptions::default(),
        )
        .collect();
        assert_eq!(items.len(), 1);
        let article = items[0].as_ref().unwrap();
        assert_eq!(
            (article.id.as_str(), article.text.as_str()),
            ("1", "阿里, up")
        );
    }

    fn jsonl(text: &str, limit: usize) -> Vec<Item> {
        let options = InputOptions {
            max_article_bytes: limit,
            ..InputOptions::default()
        };
        JsonlReader::new(
            "in.jsonl".into(),
            Box::new(io::Cursor::new(text.as_bytes().to_vec())),
            &options,
        )
        .collect()
    }

    #[test]
    fn jsonl_reports_bad_lines_and_keeps_going() {
        let items = jsonl(
            "{\"id\":\"a\",\"text\":\"fine\",\"title\":\"T\"}\n\nnot json\n{\"text\":5}\n{\"text\":\"two\",\"target\":\"Nokia\"}\n",
            1000,
        );
        assert_eq!(items.len(), 4);
        assert_eq!(items[0].as_ref().unwrap().id, "a");
        assert!(
            items[1]
                .as_ref()
                .unwrap_err()
                .to_string()
                .starts_with("in.jsonl:3: invalid JSON")
        );
        assert_eq!(
            items[2].as_ref().unwrap_err().to_string(),
            "in.jsonl:4: field \"text\" must be a string, found a number"
        );
        let last = items[3].as_ref().unwrap();
        assert_eq!(
            (last.id.as_str(), last.target.as_deref()),
            ("in.jsonl:5", Some("Nokia"))
        );
    }

    #[test]
    fn jsonl_problems_say_what_is_wrong_in_plain_words() {
        let items = jsonl(
            "{\"text\":\"first line\nsecond\"}\n{\"text\":\"a\",}\n{text:1}\n{\"text\":\"a\"\n{\"text\":\"a\" \"b\"}\n",
            1000,
        );
        let messages: Vec<String> = items
            .iter()
            .map(|i| i.as_ref().unwrap_err().to_string())
            .collect();
        assert_eq!(
            messages,
            [
                "in.jsonl:1: invalid JSON: a string runs past the end of the line: JSON Lines \
                 needs each object on one line, with line breaks inside strings written as \\n",
                "in.jsonl:2: invalid JSON at column 1: not a JSON value here (single quotes, a \
                 bare word, or the rest of a line broken before)",
                "in.jsonl:3: invalid JSON at column 13: a comma before a closing brace or bracket",
                "in.jsonl:4: invalid JSON at column 2: a field name is not in double quotes",
                "in.jsonl:5: invalid JSON: the line ends before the object does (a missing \
                 closing '}', ']' or value)",
                "in.jsonl:6: invalid JSON at column 13: a missing comma between fields, or a \
                 quote inside a string not written as \\\"",
            ]
        );
    }

    #[test]
    fn jsonl_skips_over_long_lines_whole() {
        let long = format!(
            "{{\"text\":\"{}\"}}\n{{\"text\":\"after\"}}\n",
            "x".repeat(100)
        );
        let items = jsonl(&long, 50);
        assert!(
            items[0]
                .as_ref()
                .unwrap_err()
                .message
                .contains("longer than 50 bytes")
        );
        assert_eq!(items[1].as_ref().unwrap().text, "after");
    }

    #[test]
    fn csv_keeps_columns_and_reports_ragged_rows() {
        let data = "id,text,source,extra\n1,Good news,Wire,e1\n2,too,few\n3,\"Quoted, with comma\",Blog,e3\n";
        let items: Vec<Item> = csv_articles(
            "in.csv".into(),
            Box::new(io::Cursor::new(data.as_bytes().to_vec())),
            &InputOptions::default(),
        )
        .collect();
        assert_eq!(items.len(), 3);
        let first = items[0].as_ref().unwrap();
        assert_eq!(
            (first.id.as_str(), first.source.as_deref()),
            ("1", Some("Wire"))
        );
        assert_eq!(first.extra, [("extra".to_string(), "e1".to_string())]);
        assert_eq!(
            items[1].as_ref().unwrap_err().to_string(),
            "in.csv:3: record has 3 fields, the header has 4, skipped"
        );
        assert_eq!(items[2].as_ref().unwrap().text, "Quoted, with comma");
    }
}
