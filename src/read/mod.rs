//! Stage 4: what an article says, read with the data files: lexicon hits, the companies it names
//! and which sentences are about the target, signed evidence and style counts, together one
//! [`analysis::Analysis`].

pub mod analysis;
pub mod boilerplate;
pub mod company;
pub mod lexicon;
pub mod phrase;
pub mod rules;
pub mod style;
pub mod target;
