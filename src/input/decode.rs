//! Bytes to text: byte-order marks, UTF-8, UTF-16, GB18030 and Big5, by `encoding_rs`.

use std::io::{BufRead, BufReader, Read};

use encoding_rs::Encoding;

use super::{Problem, problem};
use crate::language::Language;

/// How input bytes are read as text. A byte-order mark always wins.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TextEncoding {
    #[default]
    Auto,
    Utf8,
    Utf16Le,
    Utf16Be,
    Gb18030,
    Big5,
}

impl crate::choice::Choice for TextEncoding {
    const ALL: &'static [(Self, &'static str, &'static str)] = &[
        (
            TextEncoding::Auto,
            "auto",
            "By byte-order mark (UTF-8, UTF-16), else UTF-8, else GB18030 or Big5 (with a warning)",
        ),
        (TextEncoding::Utf8, "utf-8", "UTF-8"),
        (TextEncoding::Utf16Le, "utf-16le", "UTF-16, little-endian"),
        (TextEncoding::Utf16Be, "utf-16be", "UTF-16, big-endian"),
        (
            TextEncoding::Gb18030,
            "gb18030",
            "GB18030 (and GBK, GB2312): mainland Chinese sources",
        ),
        (
            TextEncoding::Big5,
            "big5",
            "Big5: Taiwan and Hong Kong sources",
        ),
    ];
}

impl TextEncoding {
    fn encoding(self) -> &'static Encoding {
        match self {
            TextEncoding::Auto | TextEncoding::Utf8 => encoding_rs::UTF_8,
            TextEncoding::Utf16Le => encoding_rs::UTF_16LE,
            TextEncoding::Utf16Be => encoding_rs::UTF_16BE,
            TextEncoding::Gb18030 => encoding_rs::GB18030,
            TextEncoding::Big5 => encoding_rs::BIG5,
        }
    }

    fn is_utf16(self) -> bool {
        matches!(self, TextEncoding::Utf16Le | TextEncoding::Utf16Be)
    }
}

/// Decodes bytes as text in `encoding`, after any byte-order mark (which names its own
/// encoding). Undecodable bytes become U+FFFD with a warning naming the first; NUL bytes in an
/// encoding that keeps ASCII as it is mean a binary file, refused.
pub fn decode(
    bytes: Vec<u8>,
    location: &str,
    encoding: TextEncoding,
    warnings: &mut Vec<Problem>,
) -> Result<String, Problem> {
    let requested = encoding;
    let (encoding, body) = match Encoding::for_bom(&bytes) {
        Some((found, bom)) => (found, &bytes[bom..]),
        None => (encoding.encoding(), &bytes[..]),
    };
    let ascii_compatible = encoding != encoding_rs::UTF_16LE && encoding != encoding_rs::UTF_16BE;
    if ascii_compatible && body[..body.len().min(8000)].contains(&0) {
        return Err(problem(location, "binary file (NUL bytes), skipped"));
    }
    if encoding == encoding_rs::UTF_8 {
        return match std::str::from_utf8(body) {
            Ok(s) => Ok(s.to_string()),
            Err(_)
                if requested == TextEncoding::Auto
                    && let Some((text, found)) = legacy_encoding(body) =>
            {
                warnings.push(problem(
                    location,
                    format!(
                        "not UTF-8: decoded as {} (--encoding names another encoding)",
                        found.name()
                    ),
                ));
                Ok(text)
            }
            Err(e) => {
                warnings.push(problem(
                    location,
                    format!(
                        "invalid UTF-8 at byte {}, decoded with replacement characters \
                         (--encoding names another encoding)",
                        e.valid_up_to()
                    ),
                ));
                Ok(String::from_utf8_lossy(body).into_owned())
            }
        };
    }
    let (text, had_errors) = encoding.decode_without_bom_handling(body);
    if had_errors {
        let odd = if ascii_compatible || body.len() % 2 == 0 {
            ""
        } else {
            " (an odd number of bytes: the last is half a character)"
        };
        warnings.push(problem(
            location,
            format!(
                "invalid {} at {}{odd}, decoded with replacement characters",
                encoding.name(),
                first_replacement(&text)
            ),
        ));
    }
    Ok(text.into_owned())
}

/// Text that is not UTF-8 read in the legacy encoding that decodes it cleanly into the most
/// dictionary words of its language: nearly any bytes decode as GB18030, but Big5 text read so
/// gives no words ("ńぺぺ基禴"), and the reverse alike. A tie goes to the encoding listed first
/// (GB18030: mainland sources).
fn legacy_encoding(body: &[u8]) -> Option<(String, &'static Encoding)> {
    let candidates = (Language::ALL.into_iter())
        .flat_map(|language| language.encodings().iter().map(move |&e| (language, e)));
    candidates
        .enumerate()
        .filter_map(|(rank, (language, encoding))| {
            let (text, had_errors) = encoding.decode_without_bom_handling(body);
            (!had_errors).then(|| (text.into_owned(), encoding, language, rank))
        })
        .max_by_key(|(text, _, language, rank)| {
            (language.dictionary_words(text), std::cmp::Reverse(*rank))
        })
        .map(|(text, encoding, _, _)| (text, encoding))
}

/// Where the first replacement character is, as a character offset.
fn first_replacement(text: &str) -> String {
    match text.chars().position(|c| c == '\u{FFFD}') {
        Some(at) => format!("character {at}"),
        None => "the end".into(),
    }
}

/// A record stream ready to be split on ASCII delimiters: UTF-16 (named, or found by its
/// byte-order mark) is turned into UTF-8 first; every other encoding keeps its ASCII bytes as
/// they are, so its fields are decoded one by one. Returns the stream and the encoding its
/// fields are in.
pub fn record_stream(
    reader: Box<dyn Read + Send>,
    encoding: TextEncoding,
) -> (Box<dyn Read + Send>, TextEncoding) {
    let mut peeked = BufReader::new(reader);
    let bom = peeked
        .fill_buf()
        .ok()
        .and_then(|start| Encoding::for_bom(start))
        .map(|(found, _)| found);
    let utf16 = encoding.is_utf16()
        || bom.is_some_and(|e| e == encoding_rs::UTF_16LE || e == encoding_rs::UTF_16BE);
    if !utf16 {
        return (Box::new(peeked), encoding);
    }
    let transcoded = encoding_rs_io::DecodeReaderBytesBuilder::new()
        .encoding(Some(bom.unwrap_or(encoding.encoding())))
        .build(peeked);
    (Box::new(transcoded), TextEncoding::Utf8)
}
