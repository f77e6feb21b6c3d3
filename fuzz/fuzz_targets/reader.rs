//! The check every reader target makes: each item is an article with text or a problem that
//! names the stream, never a panic.

use stance::input::{InputFormat, InputOptions, read_stream};

pub fn check(bytes: &[u8], format: InputFormat) {
    let options = InputOptions { format, max_article_bytes: 4096, ..InputOptions::default() };
    for item in read_stream("fuzz", Box::new(std::io::Cursor::new(bytes.to_vec())), &options) {
        match item {
            Ok(article) => assert!(!article.text.trim().is_empty()),
            Err(problem) => assert!(problem.location.starts_with("fuzz")),
        }
    }
}
