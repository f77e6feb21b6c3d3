//! Scoring many articles at once: a pool of threads, each with its own warm scorer, and results
//! in input order whatever the number of threads. The run ([`crate::run`]) scores through it,
//! for the CLI and the Python package alike.

use std::sync::Mutex;

use rayon::prelude::*;

use crate::error::Result;
use crate::input::Article;
use crate::model::engine::Engine;
use crate::model::scorer::{Evaluation, Scorer};
use crate::read::analysis::Document;
use crate::read::target::Target;

pub struct Batch<'e> {
    pub engine: &'e Engine,
    /// The target of articles without their own.
    pub default_target: Target,
    /// With `--target auto`: an evaluation per listed company an article names at this
    /// relevance (the engine must have found every company).
    pub min_relevance: Option<u8>,
    pool: rayon::ThreadPool,
    scorers: Vec<Mutex<Scorer<'e>>>,
}

impl<'e> Batch<'e> {
    pub fn new(
        engine: &'e Engine,
        target: &str,
        min_relevance: Option<u8>,
        threads: usize,
    ) -> Result<Self> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()?;
        let scorers = (0..pool.current_num_threads())
            .map(|_| Mutex::new(Scorer::new(engine)))
            .collect();
        Ok(Batch {
            engine,
            default_target: engine.targets.resolve(target),
            min_relevance,
            pool,
            scorers,
        })
    }

    /// One article's evaluations: one for its target, or with `--target auto` one per company
    /// it names.
    pub fn evaluate(&self, scorer: &mut Scorer<'e>, article: &Article) -> Vec<Evaluation> {
        let doc = Document::from(article);
        let every = self.min_relevance.zip(self.engine.every_company.as_ref());
        match (article.target.as_deref(), every) {
            (None, Some((min, companies))) => scorer.evaluate_every_company(doc, companies, min),
            (own, _) => {
                let target = (self.engine.targets).resolve_or(own, &self.default_target);
                vec![scorer.evaluate(doc, &target)]
            }
        }
    }

    /// `f` of each article and its evaluations, in parallel and in input order.
    pub fn map<T: Send>(
        &self,
        articles: &[Article],
        f: impl Fn(&Article, Vec<Evaluation>) -> T + Sync,
    ) -> Vec<T> {
        let score = |scorer: &mut Scorer<'e>, article: &Article| {
            let evals = self.evaluate(scorer, article);
            f(article, evals)
        };
        if self.scorers.len() == 1 {
            // One thread: score here, without handing the batch to the pool.
            let mut scorer = self.scorers[0].lock().unwrap_or_else(|e| e.into_inner());
            return articles.iter().map(|a| score(&mut scorer, a)).collect();
        }
        self.pool.install(|| {
            articles
                .par_iter()
                .map(|article| {
                    let slot = rayon::current_thread_index().unwrap_or(0) % self.scorers.len();
                    let mut scorer = self.scorers[slot].lock().unwrap_or_else(|e| e.into_inner());
                    score(&mut scorer, article)
                })
                .collect()
        })
    }

    pub fn threads(&self) -> usize {
        self.scorers.len()
    }
}
