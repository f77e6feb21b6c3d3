//! stance: rates each article's stance on holding a listed company, and explains the rating.
//!
//! Data flows one way, one module per stage, each stage's output a named type:
//!
//! 1. [`input`]: files, directories, JSON Lines, CSV or standard input → [`input::Article`];
//! 2. [`tokenize`]: text → [`tokenize::Token`]s with byte offsets;
//! 3. [`analyze`]: tokens → [`analyze::AnalyzedToken`]s, each word stemmed once through a cache;
//! 4. [`analysis`]: sentences ([`sentence`]), lexicon hits ([`lexicon`], [`phrase`]), the target's
//!    focus ([`target`]), signed evidence ([`rules`]) and style counts ([`style`]) →
//!    [`analysis::Analysis`];
//! 5. [`features`]: an analysis → labelled [`features::Part`]s of a model's features;
//! 6. [`score`]: parts → segment logits ([`model::CompiledModel`]), pooled probabilities
//!    ([`pooling`]) and exact shares ([`attribution`]), then the article model's decision over
//!    named features of that reading and the article's terms → [`score::Evaluation`];
//! 7. [`output`]: an evaluation → a [`output::ScoreRow`], encoded as CSV or JSON Lines, or typed
//!    cells of an Excel workbook ([`workbook`]).
//!
//! Around them: [`error`] is the library's one error type; [`engine`] loads lexicons, targets and models once (defaults from [`data`]) and
//! fingerprints them; [`run`] is a whole scoring run (chunks scored in parallel, streamed to a
//! sink or merged into a rerun, reported through a [`run::Reporter`]); [`batch`] scores many
//! articles in parallel, in input order; [`explain`]
//! turns an evaluation into its explanation as data; [`files`] writes outputs atomically;
//! [`incremental`] lets a rerun copy the rows of unchanged articles; [`aggregate`] combines rows
//! into an index; [`train`] and
//! [`metrics`] fit and measure models with the same stages, on labelled files or the document
//! corpora [`corpus`] reads; [`choice`] names the options every front end offers. The command
//! line lives in the binary (`src/main.rs`, `src/cmd/`), the Python package in `python/`.

pub mod aggregate;
pub mod analysis;
pub mod analyze;
pub mod attribution;
pub mod batch;
pub mod boilerplate;
pub mod choice;
pub mod company;
pub mod corpus;
pub mod data;
pub mod engine;
pub mod error;
pub mod explain;
pub mod features;
pub mod files;
pub mod incremental;
pub mod input;
pub mod learn;
pub mod lexicon;
pub mod metrics;
pub mod model;
pub mod output;
pub mod phrase;
pub mod pooling;
pub mod rules;
pub mod run;
pub mod score;
pub mod segment;
pub mod sentence;
pub mod style;
pub mod target;
pub mod tokenize;
pub mod train;
pub mod workbook;
