//! Stages 2 and 3: text to tokens that keep their byte offsets, Chinese runs cut into words, each
//! word stemmed once through a cache, and the tokens grouped into sentences and paragraphs.

pub mod analyze;
pub mod segment;
pub mod sentence;
pub mod tokenize;
