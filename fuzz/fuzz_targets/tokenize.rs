//! Any text: tokens lie in order on character boundaries, and sentences cover only words.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stance::text::analyze::{Analyzer, Codebook};
use stance::text::sentence::split;
use stance::text::tokenize::Tokenizer;

fuzz_target!(|text: &str| {
    let mut last = 0;
    for t in Tokenizer::new(text) {
        assert!(t.start >= last && t.start < t.end && t.end <= text.len());
        assert!(text.is_char_boundary(t.start) && text.is_char_boundary(t.end));
        last = t.end;
    }
    let mut tokens = Vec::new();
    Analyzer::default().analyze(text, &Codebook::new(), &mut tokens);
    let mut sentences = Vec::new();
    split(&tokens, &mut sentences);
    for s in &sentences {
        assert!(s.start < s.end && s.end <= tokens.len());
    }
});
