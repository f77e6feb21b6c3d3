//! `stance._native`: the engine for Python. It loads an engine as the CLI does and scores a batch
//! with the same run `stance score` makes (`stance::run::stream`, into a sink that gathers typed
//! cells), with the GIL released and the batch spread over a thread pool; the `stance` package
//! wraps it for pandas.

use std::fmt::Display;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use stance::batch::Batch;
use stance::input::Article;
use stance::model::engine::{Engine as CoreEngine, EngineConfig, EngineFiles};
use stance::model::scorer::Scorer;
use stance::read::analysis::Document;
use stance::run::{Reporter, Scoring, is_every_company, stream, thread_count};
use stance::write::explain::Explanation;
use stance::write::output::{Cell, ScoreRow, columns};
use stance::write::sink::RowSink;

fn error(e: impl Into<anyhow::Error>) -> PyErr {
    PyRuntimeError::new_err(format!("{:#}", e.into()))
}

/// Lexicons, targets, company table and models, loaded once and validated; scores and explains
/// articles. Every path is optional, named as the CLI's option (`targets_file` is `--targets`):
/// leave it out for the default compiled into stance.
#[pyclass(frozen, module = "stance._native")]
struct Engine {
    config: EngineConfig,
    engine: Arc<CoreEngine>,
    /// The engine with every listed company's matcher, for `target="auto"`: built on first use.
    every_company: OnceLock<Arc<CoreEngine>>,
}

impl Engine {
    fn for_target(&self, target: &str) -> PyResult<Arc<CoreEngine>> {
        if !is_every_company(target) {
            return Ok(self.engine.clone());
        }
        if let Some(engine) = self.every_company.get() {
            return Ok(engine.clone());
        }
        let mut engine = CoreEngine::load(&self.config).map_err(error)?;
        engine.find_every_company();
        Ok(self.every_company.get_or_init(|| Arc::new(engine)).clone())
    }
}

/// Column `i` of an optional per-article list, checked against the number of texts.
fn field<'v>(
    name: &str,
    values: &'v Option<Vec<Option<String>>>,
    n: usize,
) -> PyResult<Option<&'v [Option<String>]>> {
    match values {
        Some(v) if v.len() != n => Err(PyValueError::new_err(format!(
            "{name} has {} values for {n} texts",
            v.len()
        ))),
        Some(v) => Ok(Some(v)),
        None => Ok(None),
    }
}

#[pymethods]
impl Engine {
    #[new]
    #[pyo3(signature = (*, lexicons=None, lexicon=None, targets_file=None, companies=None, model=None,
                        voice_model=None, article_model=None, no_article_model=false))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        lexicons: Option<std::path::PathBuf>,
        lexicon: Option<Vec<std::path::PathBuf>>,
        targets_file: Option<std::path::PathBuf>,
        companies: Option<std::path::PathBuf>,
        model: Option<std::path::PathBuf>,
        voice_model: Option<std::path::PathBuf>,
        article_model: Option<std::path::PathBuf>,
        no_article_model: bool,
    ) -> PyResult<Engine> {
        let config = EngineFiles {
            lexicons,
            extra_lexicons: lexicon.unwrap_or_default(),
            targets: targets_file,
            companies,
            model,
            voice_model,
            article_model,
            no_article_model,
        }
        .config()
        .map_err(error)?;
        let engine = py.detach(|| CoreEngine::load(&config)).map_err(error)?;
        Ok(Engine {
            config,
            engine: Arc::new(engine),
            every_company: OnceLock::new(),
        })
    }

    /// The columns `score` returns, in the CSV's order.
    #[getter]
    fn columns(&self) -> Vec<&'static str> {
        columns(self.engine.voice.is_some())
    }

    /// Scores `texts` against `target`, or each against its own entry of `targets`; returns
    /// `{column: [values]}` in the CSV's columns and order, a row per text (with `target="auto"`,
    /// one per company it names at `min_relevance`). The GIL is released while scoring, and
    /// `threads` (default: one per core) score in parallel.
    #[pyo3(signature = (texts, *, target="alibaba", ids=None, titles=None, dates=None,
                        sources=None, targets=None, min_relevance=50, threads=None))]
    #[allow(clippy::too_many_arguments)]
    fn score<'py>(
        &self,
        py: Python<'py>,
        texts: Vec<String>,
        target: &str,
        ids: Option<Vec<String>>,
        titles: Option<Vec<Option<String>>>,
        dates: Option<Vec<Option<String>>>,
        sources: Option<Vec<Option<String>>>,
        targets: Option<Vec<Option<String>>>,
        min_relevance: u8,
        threads: Option<usize>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let n = texts.len();
        if target.trim().is_empty() {
            return Err(PyValueError::new_err(
                "target is empty: give a company name or ticker, \"any\" or \"auto\"",
            ));
        }
        if !(1..=100).contains(&min_relevance) {
            return Err(PyValueError::new_err("min_relevance must be 1 to 100"));
        }
        if let Some(ids) = &ids
            && ids.len() != n
        {
            return Err(PyValueError::new_err(format!(
                "ids has {} values for {n} texts",
                ids.len()
            )));
        }
        let named = [
            ("title", field("titles", &titles, n)?),
            ("date", field("dates", &dates, n)?),
            ("source", field("sources", &sources, n)?),
            ("target", field("targets", &targets, n)?),
        ];
        let articles: Vec<Article> = texts
            .iter()
            .enumerate()
            .map(|(i, text)| {
                let fields = named
                    .iter()
                    .filter_map(|(name, values)| {
                        let value = (*values)?[i].clone()?;
                        Some((name.to_string(), value))
                    })
                    .collect();
                let id = ids
                    .as_ref()
                    .map_or_else(|| i.to_string(), |ids| ids[i].clone());
                Article::new(id, fields, text)
            })
            .collect();
        let engine = self.for_target(target)?;
        let every_company = is_every_company(target);
        // Checked as the CLI checks --threads; more than the cap is quietly capped.
        let (threads, _) =
            thread_count(threads).map_err(|e| PyValueError::new_err(format!("threads={e}")))?;
        let report = Warnings::default();
        let rows = py
            .detach(|| -> anyhow::Result<Vec<Vec<Cell<'static>>>> {
                let min_relevance = every_company.then_some(min_relevance);
                let scoring = Scoring {
                    batch: Batch::new(&engine, target, min_relevance, threads)?,
                    model: engine.model_labels(),
                    keep: Vec::new(),
                };
                let chunks = scoring.chunks(articles.into_iter().map(Ok), false);
                let mut frame = Frame::default();
                stream(chunks, &mut frame, None, &scoring, &report)?;
                Ok(frame.rows)
            })
            .map_err(error)?;
        report.raise(py)?;
        let table = PyDict::new(py);
        for (c, name) in columns(engine.voice.is_some()).into_iter().enumerate() {
            let values = PyList::empty(py);
            for row in &rows {
                match &row[c] {
                    Cell::Text(t) => values.append(t.as_ref())?,
                    Cell::Integer(x) => values.append(*x)?,
                    Cell::Number(x) => values.append(*x)?,
                }
            }
            table.set_item(name, values)?;
        }
        Ok(table)
    }

    /// The explanation of one text's score as data: exactly what `stance explain --format json`
    /// prints for it (the row, each model's features and parts with their shares, the terms,
    /// the sentences).
    #[pyo3(signature = (text, *, target="alibaba", title=None, terms=12))]
    fn explain<'py>(
        &self,
        py: Python<'py>,
        text: &str,
        target: &str,
        title: Option<String>,
        terms: usize,
    ) -> PyResult<Bound<'py, PyAny>> {
        if is_every_company(target) {
            return Err(PyValueError::new_err(
                "\"auto\" (a row per company) is for score; explain one company, or \"any\"",
            ));
        }
        let fields = title
            .map(|t| ("title".to_string(), t))
            .into_iter()
            .collect();
        let article = Article::new("0".into(), fields, text);
        let engine = &self.engine;
        let json = py.detach(|| {
            let mut scorer = Scorer::new(engine);
            let target = engine.targets.resolve(target);
            let explained = scorer.evaluate_explained(Document::from(&article), &target);
            let model = engine.model_labels();
            let row = ScoreRow::new(&article, &explained.evaluation, &model);
            let explanation = Explanation::new(engine, &explained, terms);
            serde_json::to_string(&explanation.json(&row, &explained.evaluation))
        });
        let json = json.map_err(error)?;
        py.import("json")?.call_method1("loads", (json,))
    }
}

/// A run's rows gathered as typed cells, for the frame `score` returns.
#[derive(Default)]
struct Frame {
    rows: Vec<Vec<Cell<'static>>>,
}

impl RowSink for &mut Frame {
    type Prepared = Vec<Vec<Cell<'static>>>;

    fn prepare(&self, rows: &[ScoreRow]) -> stance::error::Result<Self::Prepared> {
        let cells = |row: &ScoreRow| row.cells().into_iter().map(Cell::into_owned).collect();
        Ok(rows.iter().map(cells).collect())
    }

    fn write(&mut self, rows: Self::Prepared) -> stance::error::Result<()> {
        self.rows.extend(rows);
        Ok(())
    }

    fn commit(self) -> stance::error::Result<Vec<String>> {
        Ok(Vec::new())
    }
}

/// What a run reports, raised as one Python warning once the GIL is back: the run's summary,
/// when something was worth a warning (texts with nothing read), not one warning per text.
#[derive(Default)]
struct Warnings {
    count: AtomicUsize,
    summary: Mutex<String>,
}

impl Reporter for Warnings {
    fn warn(&self, _message: &dyn Display) {
        self.count.fetch_add(1, Ordering::Relaxed);
    }

    fn say(&self, message: &dyn Display) {
        let mut summary = self.summary.lock().unwrap_or_else(|e| e.into_inner());
        *summary = message.to_string();
    }
}

impl Warnings {
    fn raise(self, py: Python<'_>) -> PyResult<()> {
        if self.count.into_inner() == 0 {
            return Ok(());
        }
        let summary = self.summary.into_inner().unwrap_or_else(|e| e.into_inner());
        // Attributed to the caller of `stance.score`, not to the package's own line.
        let options = PyDict::new(py);
        options.set_item("stacklevel", 2)?;
        py.import("warnings")?.call_method(
            "warn",
            (format!("stance: {summary}"),),
            Some(&options),
        )?;
        Ok(())
    }
}

#[pymodule]
fn _native(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<Engine>()?;
    module.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
