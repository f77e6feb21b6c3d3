//! CSV: one article per record, `--text-col` naming the text, streamed with bounded records.

use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use super::decode::{decode, record_stream};
use super::{Article, InputOptions, Item, problem};

/// One CSV record as [`BoundedCsv`] reads it.
pub(super) enum CsvRecord {
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
pub(super) struct BoundedCsv<R> {
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
pub(super) fn csv_fields<'a>(
    bytes: &'a [u8],
    ends: &'a [usize],
) -> impl Iterator<Item = &'a [u8]> + 'a {
    let starts = std::iter::once(0).chain(ends.iter().copied());
    starts
        .zip(ends)
        .map(move |(start, &end)| &bytes[start..end])
}

/// Streams CSV records; `--text-col` names the text, other columns are kept by name.
pub(super) fn csv_articles(
    location: String,
    reader: Box<dyn Read + Send>,
    options: &InputOptions,
) -> Box<dyn Iterator<Item = Item> + Send> {
    let limit = options.max_article_bytes;
    let (reader, encoding) = record_stream(reader, options.encoding);
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
            let value = decode(raw.to_vec(), &here, encoding, &mut warnings)
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
