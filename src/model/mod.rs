//! Stages 5 and 6: an analysis becomes each model's labelled features, the models score them,
//! sentences pool and every part's exact share is found; the [`engine::Engine`] holds what every
//! thread shares and the [`scorer::Scorer`] reads one article at a time into an
//! [`scorer::Evaluation`].

pub mod attribution;
pub mod classes;
pub mod engine;
pub mod features;
pub mod linear;
pub mod pooling;
pub mod scorer;
