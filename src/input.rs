//! Stage 0: read articles from files, directories, JSON Lines, CSV or standard input.
//!
//! Readers are iterators, so a large JSONL or CSV file is streamed, never held whole. Each item
//! is an article or a [`Problem`] that names the input and the place in it; a problem never
//! stops the other articles.

use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use serde_json::Value;

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
    fn new(id: String, mut fields: Vec<(String, String)>, body: &str) -> Article {
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

/// Whether a stream's first byte, after white space and a byte-order mark, is `{`.
fn starts_like_json(reader: &mut impl BufRead) -> bool {
    let Ok(start) = reader.fill_buf() else {
        return false;
    };
    let start = start.strip_prefix("\u{FEFF}".as_bytes()).unwrap_or(start);
    start.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
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

/// Whether a directory reader takes this file for an article.
fn is_text_file(path: &Path) -> bool {
    path.extension()
        .and_then(|x| x.to_str())
        .is_some_and(|x| TEXT_EXTENSIONS.iter().any(|t| x.eq_ignore_ascii_case(t)))
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

/// Text files below `root`, with ids relative to `root`, in id order (whatever order the file
/// system lists them in).
fn directory_articles(
    root: PathBuf,
    options: InputOptions,
) -> Box<dyn Iterator<Item = Item> + Send> {
    let mut files: Vec<(String, PathBuf)> = Vec::new();
    let mut problems: Vec<Problem> = Vec::new();
    for entry in walkdir::WalkDir::new(&root).follow_links(true) {
        match entry {
            Ok(e) if e.file_type().is_file() => {
                if is_text_file(e.path()) {
                    let id = e
                        .path()
                        .strip_prefix(&root)
                        .unwrap_or(e.path())
                        .to_string_lossy()
                        .replace('\\', "/");
                    files.push((id, e.into_path()));
                }
            }
            Ok(_) => {}
            Err(e) => {
                let location = e.path().unwrap_or(&root).display().to_string();
                let reason = if e.loop_ancestor().is_some() {
                    "symbolic link loop, not followed".to_string()
                } else {
                    e.io_error().map_or_else(|| e.to_string(), io_reason)
                };
                problems.push(problem(location, reason));
            }
        }
    }
    if files.is_empty() {
        problems.push(problem(
            root.display().to_string(),
            "directory holds no .txt or .md files",
        ));
    }
    files.sort_unstable();
    problems.sort_unstable_by(|a, b| a.location.cmp(&b.location));
    let articles = files.into_iter().map(move |(id, path)| {
        let location = path.display().to_string();
        match open_counted(&path, &options) {
            Ok(file) => text_article(id, &location, file, &options),
            Err(e) => Err(Problem {
                id: Some(id),
                ..problem(location, io_reason(&e))
            }),
        }
    });
    Box::new(problems.into_iter().map(Err).chain(articles))
}

/// Decodes bytes as text: UTF-8 (BOM stripped), UTF-16 with a BOM, or lossy UTF-8 with a warning.
pub fn decode(
    bytes: Vec<u8>,
    location: &str,
    warnings: &mut Vec<Problem>,
) -> Result<String, Problem> {
    let utf16 = |bytes: &[u8], le: bool| {
        let units: Vec<u16> = bytes
            .chunks_exact(2)
            .map(|c| {
                if le {
                    u16::from_le_bytes([c[0], c[1]])
                } else {
                    u16::from_be_bytes([c[0], c[1]])
                }
            })
            .collect();
        String::from_utf16_lossy(&units)
    };
    match bytes.as_slice() {
        [0xFF, 0xFE, rest @ ..] => return Ok(utf16(rest, true)),
        [0xFE, 0xFF, rest @ ..] => return Ok(utf16(rest, false)),
        _ => {}
    }
    let body = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(&bytes);
    if body[..body.len().min(8000)].contains(&0) {
        return Err(problem(location, "binary file (NUL bytes), skipped"));
    }
    match std::str::from_utf8(body) {
        Ok(s) => Ok(s.to_string()),
        Err(e) => {
            warnings.push(problem(
                location,
                format!(
                    "invalid UTF-8 at byte {}, decoded with replacement characters",
                    e.valid_up_to()
                ),
            ));
            Ok(String::from_utf8_lossy(body).into_owned())
        }
    }
}

/// Reads at most `limit + 1` bytes, so an oversized input is detected without reading it all.
fn read_limited(mut reader: impl Read, limit: usize) -> io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    reader
        .by_ref()
        .take(limit as u64 + 1)
        .read_to_end(&mut bytes)?;
    Ok((bytes.len() <= limit).then_some(bytes))
}

fn text_article(id: String, location: &str, reader: impl Read, options: &InputOptions) -> Item {
    read_text_article(id.clone(), location, reader, options)
        .map_err(|p| Problem { id: Some(id), ..p })
}

fn read_text_article(
    id: String,
    location: &str,
    reader: impl Read,
    options: &InputOptions,
) -> Item {
    let bytes = match read_limited(reader, options.max_article_bytes) {
        Ok(Some(b)) => b,
        Ok(None) => {
            return Err(problem(
                location,
                format!(
                    "larger than {} bytes, skipped (raise --max-article-bytes)",
                    options.max_article_bytes
                ),
            ));
        }
        Err(e) => return Err(problem(location, io_reason(&e))),
    };
    let mut warnings = Vec::new();
    let text = decode(bytes, location, &mut warnings)?;
    if text.trim().is_empty() {
        return Err(problem(location, "empty, skipped"));
    }
    let (fields, body) = front_matter(&text);
    let mut article = Article::new(id, fields, body);
    // Judged on the article as built: front matter may hold an empty title, or several.
    if article.text.trim().is_empty() {
        return Err(problem(location, "no text after the front matter, skipped"));
    }
    article.warnings.splice(0..0, warnings);
    Ok(article)
}

/// Splits a leading `---` block of `key: value` lines from the body.
fn front_matter(text: &str) -> (Vec<(String, String)>, &str) {
    let Some(rest) = text
        .strip_prefix("---")
        .and_then(|r| r.strip_prefix('\n').or_else(|| r.strip_prefix("\r\n")))
    else {
        return (Vec::new(), text);
    };
    let mut fields = Vec::new();
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        offset += line.len();
        let line = line.trim_end();
        if line == "---" {
            return (fields, &rest[offset..]);
        }
        match line.split_once(':') {
            Some((k, v)) if !k.trim().is_empty() && !k.contains(' ') => {
                let v = v.trim();
                let v = v
                    .strip_prefix('"')
                    .and_then(|v| v.strip_suffix('"'))
                    .unwrap_or(v);
                fields.push((k.trim().to_ascii_lowercase(), v.to_string()));
            }
            _ if line.is_empty() => {}
            _ => return (Vec::new(), text),
        }
    }
    (Vec::new(), text)
}

/// Streams one article per line, skipping blank lines.
struct JsonlReader {
    location: String,
    name: String,
    reader: BufReader<Box<dyn Read + Send>>,
    line: usize,
    limit: usize,
    id_col: String,
    text_col: String,
    buf: Vec<u8>,
}

impl JsonlReader {
    fn new(location: String, reader: Box<dyn Read + Send>, options: &InputOptions) -> Self {
        let name = Path::new(&location)
            .file_name()
            .map_or(location.clone(), |n| n.to_string_lossy().into_owned());
        JsonlReader {
            location,
            name,
            reader: BufReader::with_capacity(1 << 16, reader),
            line: 0,
            limit: options.max_article_bytes,
            id_col: options.id_col.clone(),
            text_col: options.text_col.clone(),
            buf: Vec::new(),
        }
    }

    /// Reads one line into `buf`; an over-long line is skipped to its end and reported.
    fn next_line(&mut self) -> Option<Result<(), Problem>> {
        self.buf.clear();
        self.line += 1;
        let read = (&mut self.reader)
            .take(self.limit as u64 + 1)
            .read_until(b'\n', &mut self.buf);
        match read {
            Ok(0) => None,
            Ok(_) if self.buf.len() > self.limit && !self.buf.ends_with(b"\n") => {
                let mut skipped = self.buf.len();
                loop {
                    let available = match self.reader.fill_buf() {
                        Ok(b) => b,
                        Err(e) => return Some(Err(problem(self.here(), io_reason(&e)))),
                    };
                    if available.is_empty() {
                        break;
                    }
                    let (used, done) = match available.iter().position(|&b| b == b'\n') {
                        Some(i) => (i + 1, true),
                        None => (available.len(), false),
                    };
                    skipped += used;
                    self.reader.consume(used);
                    if done {
                        break;
                    }
                }
                Some(Err(problem(
                    self.here(),
                    format!(
                        "line of {skipped} bytes is longer than {} bytes, skipped (raise --max-article-bytes)",
                        self.limit
                    ),
                )))
            }
            Ok(_) => Some(Ok(())),
            Err(e) => Some(Err(problem(self.here(), io_reason(&e)))),
        }
    }

    fn here(&self) -> String {
        format!("{}:{}", self.location, self.line)
    }

    fn parse(&self) -> Item {
        let here = self.here();
        let mut warnings = Vec::new();
        let text = decode(self.buf.clone(), &here, &mut warnings)
            .map_err(|_| problem(&here, "line is not text (NUL bytes)"))?;
        let value: Value = serde_json::from_str(&text)
            .map_err(|e| problem(&here, format!("invalid JSON: {e}")))?;
        let Value::Object(map) = value else {
            return Err(problem(
                &here,
                "expected a JSON object with a \"text\" field",
            ));
        };
        let mut fields = Vec::new();
        let mut body = None;
        let mut id = None;
        for (key, value) in map {
            let as_text = match &value {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                Value::Bool(b) => Some(b.to_string()),
                Value::Null => None,
                _ => {
                    if key == self.text_col || key == self.id_col || FIELDS.contains(&key.as_str())
                    {
                        return Err(problem(
                            &here,
                            format!("field {key:?} must be a string, found {}", kind_of(&value)),
                        ));
                    }
                    Some(value.to_string())
                }
            };
            if key == self.text_col {
                match value {
                    Value::String(s) => body = Some(s),
                    other => {
                        return Err(problem(
                            &here,
                            format!("field {key:?} must be a string, found {}", kind_of(&other)),
                        ));
                    }
                }
            } else if key == self.id_col {
                id = as_text;
            } else if let Some(v) = as_text {
                fields.push((key, v));
            }
        }
        let body = body.ok_or_else(|| problem(&here, format!("no {:?} field", self.text_col)))?;
        if body.trim().is_empty() {
            return Err(problem(
                &here,
                format!("empty {:?} field, skipped", self.text_col),
            ));
        }
        let id = id
            .filter(|i| !i.is_empty())
            .unwrap_or_else(|| format!("{}:{}", self.name, self.line));
        let mut article = Article::new(id, fields, &body);
        article.warnings.splice(0..0, warnings);
        Ok(article)
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl Iterator for JsonlReader {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        loop {
            match self.next_line()? {
                Err(p) => return Some(Err(p)),
                Ok(()) if self.buf.iter().all(u8::is_ascii_whitespace) => continue,
                Ok(()) => return Some(self.parse()),
            }
        }
    }
}

/// One CSV record as [`BoundedCsv`] reads it.
enum CsvRecord {
    Fields {
        /// The line the record starts on.
        line: u64,
        bytes: Vec<u8>,
        /// Where each field ends in `bytes`.
        ends: Vec<usize>,
        /// The input ended inside a quoted field: the record ran to the end of the file.
        unterminated: bool,
    },
    /// Longer than the limit: read past without being held.
    TooLong { line: u64 },
}

impl CsvRecord {
    fn line(&self) -> u64 {
        match self {
            CsvRecord::Fields { line, .. } | CsvRecord::TooLong { line } => *line,
        }
    }
}

/// CSV records read with `csv_core`, holding at most `limit` bytes of any one: a record (or an
/// unterminated quote running to the end of the file) past it is skipped, not buffered.
struct BoundedCsv<R> {
    input: BufReader<R>,
    parser: csv_core::Reader,
    limit: usize,
    /// Line terminators read so far.
    newlines: u64,
}

impl<R: Read> BoundedCsv<R> {
    fn new(input: R, limit: usize) -> Self {
        BoundedCsv {
            input: BufReader::with_capacity(64 << 10, input),
            parser: csv_core::Reader::new(),
            limit,
            newlines: 0,
        }
    }

    fn next_record(&mut self) -> Option<io::Result<CsvRecord>> {
        use csv_core::ReadRecordResult;
        // Blank lines between records are skipped, so the record's line is where it starts.
        loop {
            let buf = match self.input.fill_buf() {
                Ok(buf) => buf,
                Err(e) => return Some(Err(e)),
            };
            let blank = buf
                .iter()
                .take_while(|&&b| b == b'\n' || b == b'\r')
                .count();
            if blank == 0 {
                break;
            }
            self.newlines += buf[..blank].iter().filter(|&&b| b == b'\n').count() as u64;
            self.input.consume(blank);
        }
        let line = self.newlines + 1;
        let (mut bytes, mut ends) = (vec![0u8; 256], vec![0usize; 16]);
        let (mut written, mut fields, mut quotes) = (0usize, 0usize, 0u64);
        let mut too_long = false;
        loop {
            let buf = match self.input.fill_buf() {
                Ok(buf) => buf,
                Err(e) => return Some(Err(e)),
            };
            let at_end = buf.is_empty();
            let (result, read, out, found) =
                self.parser
                    .read_record(buf, &mut bytes[written..], &mut ends[fields..]);
            let consumed = &buf[..read];
            self.newlines += consumed.iter().filter(|&&b| b == b'\n').count() as u64;
            quotes += consumed.iter().filter(|&&b| b == b'"').count() as u64;
            self.input.consume(read);
            written += out;
            fields += found;
            match result {
                ReadRecordResult::InputEmpty => {}
                ReadRecordResult::OutputFull if too_long || bytes.len() > self.limit => {
                    // Past the limit: the rest of the record is parsed into the same buffer
                    // and thrown away.
                    too_long = true;
                    written = 0;
                    fields = 0;
                }
                ReadRecordResult::OutputFull => bytes.resize(bytes.len() * 2, 0),
                ReadRecordResult::OutputEndsFull if too_long || ends.len() > self.limit => {
                    too_long = true;
                    fields = 0;
                }
                ReadRecordResult::OutputEndsFull => ends.resize(ends.len() * 2, 0),
                ReadRecordResult::Record if too_long => {
                    return Some(Ok(CsvRecord::TooLong { line }));
                }
                ReadRecordResult::Record => {
                    bytes.truncate(written);
                    ends.truncate(fields);
                    return Some(Ok(CsvRecord::Fields {
                        line,
                        bytes,
                        ends,
                        unterminated: at_end && quotes % 2 == 1,
                    }));
                }
                ReadRecordResult::End => return None,
            }
        }
    }
}

/// The fields of a record read by [`BoundedCsv`].
fn csv_fields<'a>(bytes: &'a [u8], ends: &'a [usize]) -> impl Iterator<Item = &'a [u8]> + 'a {
    let starts = std::iter::once(0).chain(ends.iter().copied());
    starts
        .zip(ends)
        .map(move |(start, &end)| &bytes[start..end])
}

/// Streams CSV records; `--text-col` names the text, other columns are kept by name.
fn csv_articles(
    location: String,
    reader: Box<dyn Read + Send>,
    options: &InputOptions,
) -> Box<dyn Iterator<Item = Item> + Send> {
    let limit = options.max_article_bytes;
    let mut csv = BoundedCsv::new(reader, limit);
    let headers: Vec<String> = match csv.next_record() {
        Some(Ok(CsvRecord::Fields { bytes, ends, .. })) => csv_fields(&bytes, &ends)
            .map(|f| String::from_utf8_lossy(f).into_owned())
            .collect(),
        Some(Ok(CsvRecord::TooLong { .. })) => {
            return Box::new(std::iter::once(Err(problem(
                format!("{location}:1"),
                format!("header larger than {limit} bytes"),
            ))));
        }
        Some(Err(e)) => {
            return Box::new(std::iter::once(Err(problem(
                location,
                format!("unreadable header: {e}"),
            ))));
        }
        None => return Box::new(std::iter::once(Err(problem(location, "empty, skipped")))),
    };
    let Some(text_index) = headers.iter().position(|h| *h == options.text_col) else {
        return Box::new(std::iter::once(Err(problem(
            format!("{location}:1"),
            format!(
                "no column {:?} (columns: {}); choose one with --text-col",
                options.text_col,
                headers.join(", ")
            ),
        ))));
    };
    let id_index = headers.iter().position(|h| *h == options.id_col);
    let name = Path::new(&location)
        .file_name()
        .map_or(location.clone(), |n| n.to_string_lossy().into_owned());
    let records = std::iter::from_fn(move || csv.next_record());
    Box::new(records.map(move |record| {
        let record = record.map_err(|e| problem(&location, format!("unreadable CSV: {e}")))?;
        let line = record.line();
        let here = format!("{location}:{line}");
        let (bytes, ends, unterminated) = match record {
            CsvRecord::TooLong { .. } => {
                return Err(problem(
                    here,
                    format!(
                        "record larger than {limit} bytes, skipped (raise --max-article-bytes; \
                         an unclosed quote makes the rest of the file one record)"
                    ),
                ));
            }
            CsvRecord::Fields {
                bytes,
                ends,
                unterminated,
                ..
            } => (bytes, ends, unterminated),
        };
        if unterminated {
            return Err(problem(here, "a quote opened here is never closed; the rest of the file was read as one field, skipped"));
        }
        if ends.len() != headers.len() {
            return Err(problem(
                here,
                format!(
                    "record has {} fields, the header has {}, skipped",
                    ends.len(),
                    headers.len()
                ),
            ));
        }
        let mut warnings = Vec::new();
        let mut fields = Vec::new();
        let mut body = String::new();
        let mut id = None;
        for (i, (header, raw)) in headers.iter().zip(csv_fields(&bytes, &ends)).enumerate() {
            let value = decode(raw.to_vec(), &here, &mut warnings)
                .map_err(|_| problem(&here, "field is not text (NUL bytes)"))?;
            if i == text_index {
                body = value;
            } else if Some(i) == id_index {
                id = Some(value);
            } else {
                fields.push((header.to_string(), value));
            }
        }
        if body.trim().is_empty() {
            return Err(problem(
                here,
                format!(
                    "empty {:?} field, skipped",
                    headers[text_index]
                ),
            ));
        }
        let id = id
            .filter(|i| !i.is_empty())
            .unwrap_or_else(|| format!("{name}:{line}"));
        let mut article = Article::new(id, fields, &body);
        warnings.dedup();
        article.warnings.splice(0..0, warnings);
        Ok(article)
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(decode(utf16, "f", &mut w).unwrap(), "阿里 up");
        assert!(w.is_empty());
        assert_eq!(
            decode(b"ok \xFF here".to_vec(), "f", &mut w).unwrap(),
            "ok \u{FFFD} here"
        );
        assert_eq!(
            w[0].to_string(),
            "f: invalid UTF-8 at byte 3, decoded with replacement characters"
        );
        assert!(decode(b"bin\0ary".to_vec(), "f", &mut w).is_err());
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
