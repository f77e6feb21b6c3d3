//! Learning and measuring: the shipped models' recipes, and the scorecard that measures the
//! default path with them.

pub mod recipe;
pub mod scorecard;
