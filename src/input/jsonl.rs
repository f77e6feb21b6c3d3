//! JSON Lines: one article per line, streamed.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use serde_json::Value;

use super::decode::{TextEncoding, decode, record_stream};
use super::{Article, FIELDS, InputOptions, Item, Problem, io_reason, problem};

/// Whether a stream's first byte, after white space and a byte-order mark, is `{`.
pub(super) fn starts_like_json(reader: &mut impl BufRead) -> bool {
    let Ok(start) = reader.fill_buf() else {
        return false;
    };
    let start = start.strip_prefix("\u{FEFF}".as_bytes()).unwrap_or(start);
    start.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
}

/// Streams one article per line, skipping blank lines.
pub(super) struct JsonlReader {
    location: String,
    name: String,
    reader: BufReader<Box<dyn Read + Send>>,
    line: usize,
    limit: usize,
    id_col: String,
    text_col: String,
    /// What the lines' text is in, after any UTF-16 is turned into UTF-8.
    encoding: TextEncoding,
    buf: Vec<u8>,
}

impl JsonlReader {
    pub(super) fn new(
        location: String,
        reader: Box<dyn Read + Send>,
        options: &InputOptions,
    ) -> Self {
        let (reader, encoding) = record_stream(reader, options.encoding);
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
            encoding,
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
        let text = decode(self.buf.clone(), &here, self.encoding, &mut warnings)
            .map_err(|_| problem(&here, "line is not text (NUL bytes)"))?;
        let value: Value =
            serde_json::from_str(&text).map_err(|e| problem(&here, json_reason(&e)))?;
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

/// What is wrong with a line that is not JSON, in plain words, and where in the line.
fn json_reason(error: &serde_json::Error) -> String {
    let message = error.to_string();
    let what = message
        .rsplit_once(" at line ")
        .map_or(message.as_str(), |(what, _)| what);
    // The line was cut at its line break, so a string still open there was broken by one.
    let broken_at_end = error.line() > 1 || what.starts_with("EOF while parsing a string");
    let plain = if what.starts_with("control character") && broken_at_end {
        "a string runs past the end of the line: JSON Lines needs each object on one line, with \
         line breaks inside strings written as \\n"
    } else if what.starts_with("control character") {
        "a control character (a tab or line break) inside a string: write it as \\t or \\n"
    } else if what.starts_with("EOF while parsing a string") {
        "a string is never closed (a missing closing quote)"
    } else if what.starts_with("EOF while parsing") {
        "the line ends before the object does (a missing closing '}', ']' or value)"
    } else if what == "key must be a string" {
        "a field name is not in double quotes"
    } else if what == "expected `:`" {
        "a field name is not followed by ':'"
    } else if what.starts_with("expected `,` or") {
        "a missing comma between fields, or a quote inside a string not written as \\\""
    } else if what == "trailing comma" {
        "a comma before a closing brace or bracket"
    } else if what == "trailing characters" {
        "more text after the object ends (two objects on one line?)"
    } else if what == "expected value" || what == "expected ident" {
        "not a JSON value here (single quotes, a bare word, or the rest of a line broken before)"
    } else if what == "invalid escape" {
        "a backslash that starts no JSON escape (write a backslash as \\\\)"
    } else {
        what
    };
    if error.line() > 1 {
        format!("invalid JSON: {plain}")
    } else {
        format!("invalid JSON at column {}: {plain}", error.column())
    }
}

pub(super) fn kind_of(v: &Value) -> &'static str {
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
