//! One text article: a file or stream, with optional `---` front matter and a headline line.

use std::io::{self, Read};

use super::{Article, InputOptions, Item, Problem, decode::decode, io_reason, problem};

/// Reads at most `limit + 1` bytes, so an oversized input is detected without reading it all.
pub(super) fn read_limited(mut reader: impl Read, limit: usize) -> io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    reader
        .by_ref()
        .take(limit as u64 + 1)
        .read_to_end(&mut bytes)?;
    Ok((bytes.len() <= limit).then_some(bytes))
}

pub(super) fn text_article(
    id: String,
    location: &str,
    reader: impl Read,
    options: &InputOptions,
) -> Item {
    read_text_article(id.clone(), location, reader, options)
        .map_err(|p| Problem { id: Some(id), ..p })
}

pub(super) fn read_text_article(
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
    let text = decode(bytes, location, options.encoding, &mut warnings)?;
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
pub(super) fn front_matter(text: &str) -> (Vec<(String, String)>, &str) {
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
