//! Stage 7: an evaluation becomes what a user reads: a row in CSV, JSON Lines or a workbook, an
//! explanation, an aggregate index; a rerun keeps the rows of unchanged articles.

pub mod aggregate;
pub mod explain;
pub mod incremental;
pub mod output;
pub mod workbook;
