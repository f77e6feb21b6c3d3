//! Learning and measuring with the same stages as scoring: labelled files and document corpora
//! read, models fitted with linfa by the shipped recipes, and the scorecard that measures the
//! default path with them.

pub mod corpus;
pub mod evaluate;
pub mod metrics;
pub mod recipe;
pub mod scorecard;
pub mod train;
