//! Stage 7: an evaluation becomes what a user reads: a row in CSV, JSON Lines or a workbook, an
//! explanation, an aggregate index; a rerun keeps the rows of unchanged articles.

pub mod aggregate;
pub mod csv;
pub mod explain;
pub mod format;
pub mod incremental;
pub mod jsonl;
pub mod output;
pub mod sink;
pub mod workbook;
