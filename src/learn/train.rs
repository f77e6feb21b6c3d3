//! Learning readable weights with linfa: labelled texts become the same feature vectors the
//! scorer uses, a multinomial logistic regression is fitted on standardized features, and the
//! standardization is folded back so every stored weight is per raw feature unit.

use std::borrow::Cow;
use std::path::PathBuf;

use linfa::prelude::*;
use linfa_logistic::MultiLogisticRegression;
use ndarray::{Array1, Array2, Axis};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::error::{Context, Result, bail, ensure};
use crate::input::{Article, InputFormat, InputOptions, Problem, read_all};
use crate::language::Language;
use crate::learn::corpus::{is_document_corpus, read_document_corpus};
use crate::model::classes::softmax;
use crate::model::engine::{Engine, EngineConfig, Models};
use crate::model::features::{ArticleFeature, term_occurrences};
use crate::model::linear::{FORMAT, FeatureWeights, Model, Pooling, Task};
use crate::model::scorer::Scorer;
use crate::read::analysis::{Analysis, Document, Mask};
use crate::read::lexicon::Lexicon;
use crate::read::rules::Cue;
use crate::read::style::StyleFeature;
use crate::read::target::{Target, TargetBook};
use crate::text::analyze::{Analyzer, Codebook, NO_WORD, StemFilter};
use crate::text::tokenize::normalize_into;

/// How to read a labelled CSV file.
#[derive(Clone, Debug)]
pub struct DataOptions {
    pub task: Task,
    pub text_col: String,
    pub label_col: String,
    /// A column naming the entity each row is about.
    pub target_col: Option<String>,
    /// Target for rows without one: "any" for short texts.
    pub target: String,
    /// `raw=class` pairs, needed for numeric labels.
    pub label_map: Vec<(String, String)>,
    /// Keep only rows whose column equals the value.
    pub filters: Vec<(String, String)>,
}

/// A labelled article.
#[derive(Clone, Debug)]
pub struct Example {
    pub article: Article,
    pub label: usize,
}

/// Reads labelled rows; rows with problems are returned as problems, never silently dropped.
/// A file without the target column uses the default target for its rows. A folder is a document
/// corpus ([`crate::learn::corpus`]): its `train` rows, each for its labelled company, labelled by the
/// task's column (rows without a voice label are left out of voice training).
pub fn read_examples(
    files: &[PathBuf],
    options: &DataOptions,
) -> Result<(Vec<Example>, Vec<Problem>)> {
    let input = InputOptions {
        format: InputFormat::Csv,
        text_col: options.text_col.clone(),
        id_col: "\u{0}no id column".into(),
        ..InputOptions::default()
    };
    let mut examples = Vec::new();
    let mut problems = Vec::new();
    for file in files {
        if is_document_corpus(file) {
            let (documents, found) = read_document_corpus(file, Some("train"))?;
            problems.extend(found);
            let before = examples.len();
            examples.extend(documents.into_iter().filter_map(|d| {
                let label = match options.task {
                    Task::Stance | Task::Article => Some(d.stance),
                    Task::Voice => d.voice,
                };
                label.map(|label| Example {
                    article: d.article,
                    label,
                })
            }));
            ensure!(
                examples.len() > before,
                "{}: no labelled train rows",
                file.display()
            );
            continue;
        }
        ensure!(file.is_file(), "{}: no such file", file.display());
        let before = examples.len();
        for item in read_all(vec![file.display().to_string()], &input) {
            let mut article = match item {
                Ok(a) => a,
                Err(p) => {
                    problems.push(p);
                    continue;
                }
            };
            let field = |name: &str| -> Option<String> {
                match name {
                    "title" => article.title.clone(),
                    "date" => article.date.clone(),
                    "source" => article.source.clone(),
                    "url" => article.url.clone(),
                    "target" => article.target.clone(),
                    _ => article
                        .extra
                        .iter()
                        .find(|(k, _)| k == name)
                        .map(|(_, v)| v.clone()),
                }
            };
            if !options
                .filters
                .iter()
                .all(|(col, want)| field(col).as_deref() == Some(want.as_str()))
            {
                continue;
            }
            let Some(raw) = field(&options.label_col) else {
                bail!(
                    "{}: no column {:?} (choose one with --label-col)",
                    file.display(),
                    options.label_col
                );
            };
            let mapped = options
                .label_map
                .iter()
                .find(|(k, _)| *k == raw.trim())
                .map_or(raw.as_str(), |(_, v)| v.as_str());
            let Some(label) = options.task.parse_label(mapped) else {
                problems.push(Problem {
                    location: article.id.clone(),
                    message: format!(
                        "label {raw:?} is not one of {:?}{}",
                        options.task.classes(),
                        if raw.trim().parse::<f64>().is_ok() {
                            " (numeric labels need --label-map)"
                        } else {
                            ""
                        }
                    ),
                    id: Some(article.id.clone()),
                });
                continue;
            };
            if let Some(col) = &options.target_col {
                article.target = field(col);
            }
            examples.push(Example { article, label });
        }
        ensure!(
            examples.len() > before,
            "{}: no labelled rows",
            file.display()
        );
    }
    Ok((examples, problems))
}

/// How learned term features are chosen.
#[derive(Clone, Debug)]
pub struct TermOptions {
    pub max_terms: usize,
    pub min_df: usize,
    /// Whether a term may hold a placeholder ("[target] rose"): not for a model of the whole
    /// text, whatever its target (the voice).
    pub placeholders: bool,
    /// These terms instead of a selection: another model's, so that scoring finds both
    /// models' terms in one pass.
    pub fixed: Option<Vec<String>>,
}

/// Picks stems and stem bigrams by document frequency. Labels are not looked at, so choosing
/// terms on all rows before cross-validation leaks nothing about held-out labels. Words masked
/// in `masks` (one list per example: the target's and other companies' names) count as their
/// placeholders, and no term is made of function words and placeholders alone, nor holds a
/// company's name (`names`, as stems) or a cashtag.
pub fn select_terms(
    examples: &[Example],
    masks: &[Vec<Mask>],
    names: &FxHashSet<String>,
    options: &TermOptions,
) -> Vec<String> {
    let stem = StemFilter::default();
    let mut cache: FxHashMap<String, String> = FxHashMap::default();
    let mut df: FxHashMap<String, usize> = FxHashMap::default();
    let mut buf = String::new();
    let mut seen: Vec<String> = Vec::new();
    // Tokens and their stems exactly as scoring sees them; the codebook is empty because every
    // stem is a candidate here.
    let (mut analyzer, codebook) = (Analyzer::default(), Codebook::new());
    let mut tokens = Vec::new();
    let mut stems: Vec<String> = Vec::new();
    for (example, masks) in examples.iter().zip(masks) {
        let text = &example.article.text;
        seen.clear();
        analyzer.analyze(text, &codebook, &mut tokens);
        stems.clear();
        stems.extend(tokens.iter().zip(masks).map(|(t, mask)| {
            if t.word == NO_WORD {
                return String::new();
            }
            if let Some(placeholder) = mask.placeholder() {
                return placeholder.to_string();
            }
            let raw = &text[t.token.start..t.token.end];
            normalize_into(raw, &mut buf);
            cache
                .entry(buf.clone())
                .or_insert_with(|| stem.stem(&buf))
                .clone()
        }));
        term_occurrences(&tokens, |at, len| {
            seen.push(if len == 1 {
                stems[at].clone()
            } else {
                format!("{} {}", stems[at], stems[at + 1])
            })
        });
        let said = |w: &str| !w.starts_with('[') && !Language::of_word(w).stop_stems().contains(&w);
        let named = |w: &str| names.contains(w) || w.starts_with('$');
        let placeholder = |w: &str| !options.placeholders && w.starts_with('[');
        seen.retain(|t| {
            t.split(' ').any(said) && !t.split(' ').any(|w| named(w) || placeholder(w))
        });
        seen.sort_unstable();
        seen.dedup();
        for term in &seen {
            *df.entry(term.clone()).or_default() += 1;
        }
    }
    let mut terms: Vec<(String, usize)> = df
        .into_iter()
        .filter(|(_, n)| *n >= options.min_df)
        .collect();
    terms.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    terms.truncate(options.max_terms);
    terms.sort();
    terms
        .into_iter()
        .map(|(t, _)| format!("term:{t}"))
        .collect()
}

/// The non-term features of each task: stance reads what is said (cue sums), voice how it is
/// written (style rates and voice cues), the article decision the stance reading. Style is left
/// out of the article decision: most retail rows it learns from are one stock's rally, so it
/// read a bearish holder's post as bullish by its retail cues (CV 0.580 with style, 0.596 without).
pub fn base_features(task: Task) -> Vec<String> {
    let styles = StyleFeature::ALL
        .into_iter()
        .map(StyleFeature::feature_name);
    match task {
        Task::Stance => Cue::all().into_iter().map(Cue::feature_name).collect(),
        Task::Voice => styles.collect(),
        Task::Article => ArticleFeature::ALL
            .into_iter()
            .map(ArticleFeature::feature_name)
            .collect(),
    }
}

fn zero_model(task: Task, features: &[String], pooling: Pooling) -> Model {
    let classes = task.classes();
    Model {
        format: FORMAT.into(),
        name: "candidate".into(),
        task,
        classes: classes.iter().map(|c| c.to_string()).collect(),
        pooling,
        neutral_band: None,
        neutral_band_by_voice: Default::default(),
        intercepts: vec![0.0; classes.len()],
        weights: features
            .iter()
            .map(|f| FeatureWeights {
                feature: f.clone(),
                weights: vec![0.0; classes.len()],
            })
            .collect(),
        training: serde_json::Value::Null,
    }
}

/// An engine whose model lists every candidate feature at weight zero, to compute feature values.
/// An article candidate reads with the configured stance model.
pub fn candidate_engine(
    lexicon: &Lexicon,
    targets: &TargetBook,
    config: &EngineConfig,
    task: Task,
    features: &[String],
    pooling: Pooling,
) -> Result<Engine> {
    let candidate = zero_model(task, features, pooling);
    let models = match task {
        Task::Stance => Models {
            stance: candidate,
            voice: None,
            article: None,
        },
        Task::Voice => Models {
            stance: zero_model(Task::Stance, &[], pooling),
            voice: Some(candidate),
            article: None,
        },
        Task::Article => Models {
            stance: Model::load(&config.model)?,
            voice: None,
            article: Some(candidate),
        },
    };
    Engine::new(lexicon.clone(), targets.clone(), models, config)
}

/// The feature matrix (one row per example) of a candidate engine's features, and for the
/// article task the rows where nothing was read: the article model never decides those.
pub fn feature_matrix(
    engine: &Engine,
    task: Task,
    examples: &[Example],
    default_target: &str,
) -> (Array2<f64>, Vec<usize>) {
    let linear = match task {
        Task::Stance => &engine.stance,
        Task::Voice => engine.voice.as_ref().expect("voice candidate"),
        Task::Article => engine.article.as_ref().expect("article candidate"),
    };
    let targets = &engine.targets;
    let default_target = targets.resolve(default_target);
    let mut scorer = Scorer::new(engine);
    let mut x = Array2::<f64>::zeros((examples.len(), linear.index.len()));
    let mut unread = Vec::new();
    for (i, example) in examples.iter().enumerate() {
        let a = &example.article;
        let doc = Document::from(a);
        let vector = match task {
            Task::Voice => {
                labelled_target(&mut scorer, targets, doc, a, &default_target);
                scorer.voice_vector(linear, &a.text)
            }
            Task::Stance => {
                let (_, analysis) = labelled_target(&mut scorer, targets, doc, a, &default_target);
                let weights = analysis.focus.sentence_weights.clone();
                scorer.vector(linear, &a.text, &weights)
            }
            Task::Article => {
                let (target, _) = labelled_target(&mut scorer, targets, doc, a, &default_target);
                let evaluation = scorer.evaluate_as_document(doc, &target);
                match evaluation.article {
                    Some(article) => {
                        for p in &article.prediction.parts {
                            x[[i, p.feature]] += p.value;
                        }
                    }
                    None => unread.push(i),
                }
                continue;
            }
        };
        for p in &vector.parts {
            x[[i, p.feature]] += p.value;
        }
    }
    (x, unread)
}

/// Each example's masks as scoring reads it for its labelled target.
fn masks_of(engine: &Engine, examples: &[Example], default_target: &str) -> Vec<Vec<Mask>> {
    let default_target = engine.targets.resolve(default_target);
    let mut scorer = Scorer::new(engine);
    examples
        .iter()
        .map(|e| {
            let doc = Document::from(&e.article);
            let targets = &engine.targets;
            let (_, analysis) =
                labelled_target(&mut scorer, targets, doc, &e.article, &default_target);
            analysis.masks.clone()
        })
        .collect()
}

/// The article's labelled target, or any sentence when the text never names it (misspelt or
/// abbreviated): the label still belongs to the text. With the analysis for the target returned.
fn labelled_target<'s, 'e>(
    scorer: &'s mut Scorer<'e>,
    targets: &TargetBook,
    doc: Document,
    article: &Article,
    default_target: &Target,
) -> (Target, &'s Analysis<'e>) {
    let target = targets.resolve_or(article.target.as_deref(), default_target);
    scorer.analyze_or_any(doc, &target)
}

/// How features are made comparable before fitting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scaling {
    Standard,
    None,
}

impl crate::choice::Choice for Scaling {
    const ALL: &'static [(Self, &'static str, &'static str)] = &[
        (
            Scaling::Standard,
            "standard",
            "Subtract the mean and divide by the standard deviation of every feature",
        ),
        (
            Scaling::None,
            "none",
            "Fit on raw values: term counts per sentence and cue sums already share a unit",
        ),
    ];
}

/// Which class frequencies the decision assumes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Prior {
    Data,
    Balanced,
}

impl crate::choice::Choice for Prior {
    const ALL: &'static [(Self, &'static str, &'static str)] = &[
        (Prior::Data, "data", "As in the training data"),
        (
            Prior::Balanced,
            "balanced",
            "Equal: the log of each class's training share is subtracted from its intercept, so a frequent class does not win by frequency alone",
        ),
    ];
}

#[derive(Clone, Copy, Debug)]
pub struct FitOptions {
    pub scaling: Scaling,
    pub prior: Prior,
    /// Inverse L2 strength, as scikit-learn's C: linfa's alpha is 1 / C on the summed loss.
    pub c: f64,
    pub max_iterations: u64,
    /// Converged when the gradient's norm divided by the row count is below this.
    pub tolerance: f64,
}

/// A fitted model in raw feature units.
#[derive(Clone, Debug)]
pub struct Fitted {
    pub intercepts: Vec<f64>,
    /// features x classes
    pub weights: Array2<f64>,
    pub gradient_norm: f64,
    pub converged: bool,
}

impl Fitted {
    /// The most probable class of each row: a labelled text is one statement, so its own
    /// probabilities decide (the score band is for pooled articles).
    pub fn predict(&self, x: &Array2<f64>) -> Vec<usize> {
        let logits = x.dot(&self.weights) + &Array1::from(self.intercepts.clone());
        logits
            .rows()
            .into_iter()
            .map(|r| crate::model::classes::argmax(r.as_slice().expect("standard layout")))
            .collect()
    }
}

/// Fits a multinomial logistic regression with linfa on standardized features.
pub fn fit(x: &Array2<f64>, y: &[usize], classes: usize, options: FitOptions) -> Result<Fitted> {
    ensure!(x.nrows() == y.len() && !y.is_empty(), "no training rows");
    for c in 0..classes {
        ensure!(y.contains(&c), "class {c} has no training rows");
    }
    let n = x.nrows() as f64;
    let (mean, std) = match options.scaling {
        Scaling::Standard => (
            x.mean_axis(Axis(0)).expect("rows"),
            x.std_axis(Axis(0), 0.0)
                .mapv(|s| if s > 1e-12 { s } else { 1.0 }),
        ),
        Scaling::None => (Array1::zeros(x.ncols()), Array1::ones(x.ncols())),
    };
    // The fit streams the whole matrix at least twice per iteration: single precision halves
    // what it streams and holds. The convergence check below is in f64.
    let standardized = match options.scaling {
        Scaling::Standard => Cow::Owned((x - &mean) / &std),
        Scaling::None => Cow::Borrowed(x),
    };
    let z = standardized.mapv(|v| v as f32);
    let alpha = 1.0 / options.c;
    let dataset = Dataset::new(z, Array1::from(y.to_vec()));
    let fitted = MultiLogisticRegression::default()
        .alpha(alpha as f32)
        .max_iterations(options.max_iterations)
        .gradient_tolerance((options.tolerance * n) as f32)
        .fit(&dataset)
        .context("fitting the logistic regression")?;
    ensure!(
        fitted.classes() == (0..classes).collect::<Vec<_>>().as_slice(),
        "unexpected class order from linfa"
    );
    let w = fitted.params().mapv(f64::from);
    let b = fitted.intercept().mapv(f64::from);
    // linfa returns Ok even when it stopped at max_iterations: check the gradient ourselves.
    let z = &*standardized;
    let mut p = z.dot(&w) + &b;
    for mut row in p.rows_mut() {
        let probs = softmax(row.as_slice().expect("standard layout"));
        row.assign(&Array1::from(probs));
    }
    for (i, &label) in y.iter().enumerate() {
        p[[i, label]] -= 1.0;
    }
    let grad_w = z.t().dot(&p) + &(&w * alpha);
    let grad_b = p.sum_axis(Axis(0));
    let gradient_norm = (grad_w
        .iter()
        .chain(grad_b.iter())
        .map(|g| g * g)
        .sum::<f64>())
    .sqrt();
    let weights = &w / &std.clone().insert_axis(Axis(1));
    let shift = mean.dot(&weights);
    let prior_shift = |c: usize| match options.prior {
        Prior::Data => 0.0,
        Prior::Balanced => (y.iter().filter(|&&l| l == c).count() as f64 / n).ln(),
    };
    let intercepts: Vec<f64> = (0..classes)
        .map(|c| b[c] - shift[c] - prior_shift(c))
        .collect();
    Ok(Fitted {
        intercepts,
        weights,
        gradient_norm,
        converged: gradient_norm <= options.tolerance * n,
    })
}

/// Stratified K-fold: every fold gets its share of each class, shuffled with a fixed seed.
pub fn stratified_folds(y: &[usize], k: usize, seed: u64) -> Vec<usize> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let classes = y.iter().max().map_or(0, |m| m + 1);
    let mut fold = vec![0; y.len()];
    let mut offset = 0;
    for c in 0..classes {
        let mut rows: Vec<usize> = (0..y.len()).filter(|&i| y[i] == c).collect();
        rows.shuffle(&mut rng);
        for (j, &i) in rows.iter().enumerate() {
            fold[i] = (offset + j) % k;
        }
        offset += rows.len();
    }
    fold
}

/// Out-of-fold predictions for every scored row (`scored[i]`), and whether every fold's fit
/// converged. Rows that are not scored are in every fold's training data and never predicted
/// (their entry is their own label): other genres that help a model, judged on its own rows.
pub fn cross_validate(
    x: &Array2<f64>,
    y: &[usize],
    scored: &[bool],
    classes: usize,
    k: usize,
    seed: u64,
    options: FitOptions,
) -> Result<(Vec<usize>, bool)> {
    let rows: Vec<usize> = (0..y.len()).filter(|&i| scored[i]).collect();
    ensure!(
        k >= 2 && k <= rows.len(),
        "--cv needs between 2 and {} folds",
        rows.len()
    );
    let mut fold = vec![usize::MAX; y.len()];
    let folds = stratified_folds(&rows.iter().map(|&i| y[i]).collect::<Vec<_>>(), k, seed);
    for (&i, f) in rows.iter().zip(folds) {
        fold[i] = f;
    }
    let mut predicted = y.to_vec();
    let mut converged = true;
    for f in 0..k {
        let train: Vec<usize> = (0..y.len()).filter(|&i| fold[i] != f).collect();
        let test: Vec<usize> = (0..y.len()).filter(|&i| fold[i] == f).collect();
        let fitted = fit(
            &x.select(Axis(0), &train),
            &train.iter().map(|&i| y[i]).collect::<Vec<_>>(),
            classes,
            options,
        )?;
        converged &= fitted.converged;
        for (&i, p) in test.iter().zip(fitted.predict(&x.select(Axis(0), &test))) {
            predicted[i] = p;
        }
    }
    Ok((predicted, converged))
}

/// Turns a fit into a model file, dropping term features whose weights are all zero.
/// `pooling` is how articles will be pooled when the model scores them.
pub fn to_model(
    task: Task,
    name: &str,
    features: &[String],
    fitted: &Fitted,
    pooling: Pooling,
    training: serde_json::Value,
) -> Model {
    let mut model = zero_model(task, features, pooling);
    model.name = name.to_string();
    model.intercepts = fitted.intercepts.clone();
    model.weights = features
        .iter()
        .enumerate()
        .map(|(i, f)| FeatureWeights {
            feature: f.clone(),
            weights: fitted.weights.row(i).to_vec(),
        })
        .filter(|w| !w.feature.starts_with("term:") || w.weights.iter().any(|v| v.abs() > 1e-12))
        .collect();
    model.training = training;
    model
}

/// Labelled rows turned into a feature matrix, ready to fit or cross-validate.
pub struct Prepared {
    pub examples: Vec<Example>,
    /// Whether each row is scored by cross-validation (rows of `--train-only` files are not).
    pub scored: Vec<bool>,
    /// Each row's place among the examples given: rows in which nothing was read are left out.
    pub rows: Vec<usize>,
    pub features: Vec<String>,
    pub x: Array2<f64>,
    pub y: Vec<usize>,
    pub problems: Vec<Problem>,
    pub lexicon: Lexicon,
}

/// Reads the data, chooses term features and builds the matrix with the engine's lexicons and targets.
pub fn prepare(
    files: &[PathBuf],
    train_only: &[PathBuf],
    data: &DataOptions,
    terms: TermOptions,
    pooling: Pooling,
    config: &EngineConfig,
) -> Result<Prepared> {
    let (mut examples, mut problems) = read_examples(files, data)?;
    let mut scored = vec![true; examples.len()];
    if !train_only.is_empty() {
        let (extra, found) = read_examples(train_only, data)?;
        scored.resize(examples.len() + extra.len(), false);
        examples.extend(extra);
        problems.extend(found);
    }
    let mut prepared = prepare_examples(
        examples,
        scored,
        data.task,
        &data.target,
        &terms,
        pooling,
        config,
    )?;
    problems.append(&mut prepared.problems);
    prepared.problems = problems;
    Ok(prepared)
}

/// Chooses term features for `examples` and builds their matrix with the engine's lexicons and
/// targets; `default_target` is read for rows without their own.
pub fn prepare_examples(
    mut examples: Vec<Example>,
    mut scored: Vec<bool>,
    task: Task,
    default_target: &str,
    terms: &TermOptions,
    pooling: Pooling,
    config: &EngineConfig,
) -> Result<Prepared> {
    let (lexicon, targets) = config.load_lexicon_and_targets()?;
    if let Some(e) = lexicon
        .entries
        .iter()
        .find(|e| e.category == crate::read::lexicon::Category::Learned)
    {
        bail!(
            "{}: learned entries re-weight a trained model; leave them out when training",
            e.origin
        );
    }
    let mut features = base_features(task);
    match &terms.fixed {
        Some(fixed) => features.extend(fixed.iter().cloned()),
        None if terms.max_terms > 0 => {
            let base = candidate_engine(&lexicon, &targets, config, task, &features, pooling)?;
            let masks = masks_of(&base, &examples, default_target);
            let names = targets.name_stems(&StemFilter::default());
            features.extend(select_terms(&examples, &masks, &names, terms));
        }
        None => {}
    }
    let engine = candidate_engine(&lexicon, &targets, config, task, &features, pooling)?;
    let (mut x, unread) = feature_matrix(&engine, task, &examples, default_target);
    let mut problems = Vec::new();
    let mut rows: Vec<usize> = (0..examples.len()).collect();
    if !unread.is_empty() {
        for &i in &unread {
            problems.push(Problem {
                location: examples[i].article.id.clone(),
                message: "nothing in it was read (no cue, no model term): left out, as the \
                          article model never decides such an article"
                    .into(),
                id: None,
            });
        }
        rows.retain(|i| unread.binary_search(i).is_err());
        x = x.select(Axis(0), &rows);
        scored = rows.iter().map(|&i| scored[i]).collect();
        let mut all = examples.into_iter().enumerate();
        examples = rows
            .iter()
            .map(|&keep| {
                all.find(|(i, _)| *i == keep)
                    .map(|(_, e)| e)
                    .expect("rows are in order")
            })
            .collect();
    }
    let y = examples.iter().map(|e| e.label).collect();
    Ok(Prepared {
        examples,
        scored,
        rows,
        features,
        x,
        y,
        problems,
        lexicon,
    })
}

/// BLAKE3 of a file, for training records.
pub fn file_hash(path: &std::path::Path) -> Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(blake3::hash(&bytes).to_hex().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_terms_training_selects_are_the_terms_scoring_finds() {
        // Addresses, numbers and punctuation between words end a bigram for both; an emoji is a term.
        let text = "Alibaba shares https://example.com/x rose 🚀 sharply; cloud revenue grew 12 \
                    quarters, and profit (again) beat forecasts. Investors cheered the beat.";
        let article = Article {
            id: "t".into(),
            title: None,
            date: None,
            source: None,
            url: None,
            target: None,
            extra: Vec::new(),
            text: text.into(),
            headline_paragraphs: 0,
            warnings: Vec::new(),
        };
        let examples = [Example { article, label: 1 }];
        let options = TermOptions {
            max_terms: usize::MAX,
            min_df: 1,
            placeholders: true,
            fixed: None,
        };
        let masks = vec![vec![Mask::Word; 1000]];
        let selected = select_terms(&examples, &masks, &FxHashSet::default(), &options);
        assert!(
            selected.contains(&"term:cloud revenu".to_string()),
            "{selected:?}"
        );
        assert!(
            !selected.contains(&"term:share rose".to_string()),
            "{selected:?}"
        );
        let config = EngineConfig::default();
        let (lexicon, targets) = config.load_lexicon_and_targets().unwrap();
        let engine = candidate_engine(
            &lexicon,
            &targets,
            &config,
            Task::Stance,
            &selected,
            Pooling::Sum,
        )
        .unwrap();
        let mut scorer = Scorer::new(&engine);
        let doc = Document::from(&examples[0].article);
        let weights = scorer
            .analyze(doc, &Target::Any)
            .focus
            .sentence_weights
            .clone();
        let vector = scorer.vector(&engine.stance, text, &weights);
        let mut found: Vec<String> = vector
            .parts
            .iter()
            .map(|p| engine.stance.index.names[p.feature].clone())
            .filter(|name| name.starts_with("term:"))
            .collect();
        found.sort();
        found.dedup();
        assert_eq!(found, selected);
    }

    fn options(c: f64, max_iterations: u64, tolerance: f64) -> FitOptions {
        FitOptions {
            scaling: Scaling::Standard,
            prior: Prior::Data,
            c,
            max_iterations,
            tolerance,
        }
    }

    #[test]
    fn labels_parse_case_insensitively_with_synonyms() {
        assert_eq!(Task::Stance.parse_label("Positive"), Some(2));
        assert_eq!(Task::Stance.parse_label("BEARISH"), Some(0));
        assert_eq!(Task::Stance.parse_label("2"), None);
        assert_eq!(Task::Voice.parse_label("Corporate"), Some(2));
    }

    #[test]
    fn folds_are_stratified_and_reproducible() {
        let y: Vec<usize> = (0..100)
            .map(|i| {
                if i < 70 {
                    0
                } else if i < 90 {
                    1
                } else {
                    2
                }
            })
            .collect();
        let a = stratified_folds(&y, 10, 7);
        assert_eq!(a, stratified_folds(&y, 10, 7));
        for f in 0..10 {
            let count = |c: usize| (0..100).filter(|&i| a[i] == f && y[i] == c).count();
            assert_eq!((count(0), count(1), count(2)), (7, 2, 1));
        }
    }

    #[test]
    fn fit_learns_a_separable_problem_and_folds_standardization_back() {
        // Feature 0 decides the class; feature 1 is a large constant offset with noise.
        let rows = 90;
        let x = Array2::from_shape_fn((rows, 2), |(i, j)| {
            let class = i % 3;
            if j == 0 {
                class as f64 * 10.0 + (i % 5) as f64
            } else {
                1000.0 + (i % 7) as f64
            }
        });
        let y: Vec<usize> = (0..rows).map(|i| i % 3).collect();
        let fitted = fit(&x, &y, 3, options(10.0, 500, 1e-4)).unwrap();
        assert_eq!(fitted.predict(&x), y);
        assert!(fitted.converged, "gradient norm {}", fitted.gradient_norm);
    }

    #[test]
    fn rows_that_are_only_trained_on_are_never_held_out() {
        // Six scored rows and many train-only rows; one feature per class says the class.
        let rows = 60;
        let x = Array2::from_shape_fn((rows, 3), |(i, j)| f64::from(u8::from(i % 3 == j)));
        let y: Vec<usize> = (0..rows).map(|i| i % 3).collect();
        let scored: Vec<bool> = (0..rows).map(|i| i < 6).collect();
        let (predicted, _) =
            cross_validate(&x, &y, &scored, 3, 3, 1, options(1.0, 300, 1e-6)).unwrap();
        // Every scored row is predicted by a fold that held it out, and the train-only rows in
        // every fold's training data make those predictions right.
        assert_eq!(&predicted[..6], &y[..6]);
        // Folds are made of scored rows alone: no more folds than there are of them.
        assert!(cross_validate(&x, &y, &scored, 3, 7, 1, options(1.0, 300, 1e-6)).is_err());
        let all = vec![true; rows];
        assert!(cross_validate(&x, &y, &all, 3, 7, 1, options(1.0, 300, 1e-6)).is_ok());
    }

    #[test]
    fn non_convergence_is_reported() {
        let x = Array2::from_shape_fn((60, 3), |(i, j)| ((i * 7 + j * 3) % 11) as f64);
        let y: Vec<usize> = (0..60).map(|i| i % 3).collect();
        let fitted = fit(&x, &y, 3, options(1e6, 1, 1e-9)).unwrap();
        assert!(!fitted.converged);
    }
}
