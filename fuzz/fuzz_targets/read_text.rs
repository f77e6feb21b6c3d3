//! Any bytes read as text: every item is an article or a problem, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stance::input::{InputFormat, InputOptions, read_stream};

fuzz_target!(|bytes: &[u8]| {
    let options = InputOptions {
        format: InputFormat::Text,
        max_article_bytes: 4096,
        ..InputOptions::default()
    };
    for item in read_stream(
        "fuzz",
        Box::new(std::io::Cursor::new(bytes.to_vec())),
        &options,
    ) {
        match item {
            Ok(article) => assert!(!article.text.trim().is_empty()),
            Err(problem) => assert!(problem.location.starts_with("fuzz")),
        }
    }
});
