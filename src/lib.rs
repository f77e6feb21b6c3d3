//! stance: rates each article's stance on holding a listed company, and explains the rating.
//!
//! The pipeline flows one way, one module per stage:
//! [`input`] (articles) → [`tokenize`] (tokens with offsets) → [`analyze`] (stems, once per
//! distinct word) → [`lexicon`] (hits) → [`rules`] (signed evidence) → [`target`] (sentence
//! weights) → [`features`] → [`model`] (softmax) → [`output`] (rows). [`score`] ties the stages
//! together; [`incremental`] lets a rerun copy the rows of unchanged articles; [`cmd`] holds
//! the subcommands.

pub mod aggregate;
pub mod analysis;
pub mod analyze;
pub mod attribution;
pub mod choice;
pub mod data;
pub mod engine;
pub mod features;
pub mod files;
pub mod incremental;
pub mod input;
pub mod lexicon;
pub mod metrics;
pub mod model;
pub mod output;
pub mod phrase;
pub mod pooling;
pub mod rules;
pub mod score;
pub mod sentence;
pub mod style;
pub mod target;
pub mod tokenize;
pub mod train;
