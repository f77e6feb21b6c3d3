//! stance: rates each article's stance on holding a listed company, and explains the rating.
//!
//! Data flows one way, one folder per stage, each stage's output a named type; a module imports
//! only its own stage and earlier ones (`tests/architecture.rs` checks it):
//!
//! 1. [`input`]: files, directories, JSON Lines, CSV or standard input → [`input::Article`];
//! 2. [`text`]: text → [`text::tokenize::Token`]s with byte offsets, Chinese runs cut into words
//!    ([`text::segment`]);
//! 3. [`text::analyze`]: tokens → [`text::analyze::AnalyzedToken`]s, each word stemmed once through
//!    a cache, grouped into sentences ([`text::sentence`]);
//! 4. [`read`]: lexicon hits, the target's focus, signed evidence and style counts →
//!    [`read::analysis::Analysis`];
//! 5. [`model::features`]: an analysis → labelled [`model::features::Part`]s of a model's features;
//! 6. [`model::scorer`]: parts → segment logits ([`model::linear`]), pooled probabilities
//!    ([`model::pooling`]) and exact shares ([`model::attribution`]), then the article model's
//!    decision → [`model::scorer::Evaluation`];
//! 7. [`write`]: an evaluation → a [`write::output::ScoreRow`] as CSV, JSON Lines or typed cells of
//!    a workbook, an explanation ([`write::explain`]), an aggregate index; reruns
//!    ([`write::incremental`]).
//!
//! Beneath every stage: [`error`], the library's one error type; [`language`], what differs by
//! language; [`data`], the built-in data files; [`files`], where bytes are read and written;
//! [`choice`], the options every front end offers. Above them: [`run`] is a whole scoring run
//! (chunks scored in parallel by [`batch`], streamed to a sink or merged into a rerun, reported
//! through a [`run::Reporter`]); [`learn`] fits and measures models with the same stages. The
//! command line lives in the binary (`src/main.rs`, `src/cmd/`), the Python package in
//! `python/`.

pub mod batch;
pub mod choice;
pub mod data;
pub mod error;
pub mod files;
pub mod input;
pub mod language;
pub mod learn;
pub mod model;
pub mod read;
pub mod run;
pub mod text;
pub mod write;
