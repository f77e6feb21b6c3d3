//! `stance explain`: why an article got its score, down to each feature, term and sentence.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use super::EngineArgs;
use stance::input::{InputOptions, read_all};
use stance::model::scorer::Scorer;
use stance::read::analysis::Document;
use stance::write::explain::Explanation;
use stance::write::output::ScoreRow;

const ABOUT: &str =
    "Explain a score: feature contributions, strongest terms in context, sentence shares";
const LONG_ABOUT: &str = "\
Explain a score: feature contributions, strongest terms in context, sentence shares.

Every part (a lexicon cue, a learned term, a style count) adds value x weight to the logits of
its sentence. All parts grow together from zero to their values, and with them the weight each
sentence has in the article; a part's share of each class probability is its logit contribution
times the gradient of the article's probabilities along that path (integrated gradients of the
pooled article). So the probabilities of the intercepts alone plus every share are the article's
probabilities, and the base score plus every score share is its score.

With an article model (the default), the article's probabilities are that model's: its table of
article features (read from the sentence reading), style counts and terms comes first and adds up
to the row's probabilities the same way; the sentence reading's table follows and adds up to the
pooled sentence probabilities. Terms are highlighted in colour on a terminal unless NO_COLOR is
set.";

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ExplainFormat {
    Text,
    Json,
}

#[derive(clap::Args, Debug)]
#[command(about = ABOUT, long_about = LONG_ABOUT)]
pub struct Args {
    /// Article files (or any input `stance score` reads); every article in them is explained
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Company to explain the score for (see `stance targets find`), or "any"
    #[arg(long, default_value = "alibaba", value_parser = super::one_target)]
    pub target: String,
    /// json: one JSON object per article, one per line (JSON Lines)
    #[arg(long, value_enum, default_value = "text")]
    pub format: ExplainFormat,
    /// How many terms to show
    #[arg(long, default_value_t = 12)]
    pub terms: usize,
    /// How many feature rows to show in text; the rest are summed in one row
    #[arg(long, default_value_t = 12)]
    pub features: usize,
    #[command(flatten)]
    pub engine: EngineArgs,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let engine = args.engine.load()?;
    let mut scorer = Scorer::new(&engine);
    let color = std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let mut explained = 0;
    let mut out = std::io::stdout().lock();
    let inputs = args.files.iter().map(|f| f.display().to_string()).collect();
    for item in read_all(inputs, &InputOptions::default()) {
        let article = match item {
            Ok(a) => a,
            Err(p) => {
                super::to_stderr!("warning: {p}");
                continue;
            }
        };
        let target = engine
            .targets
            .resolve(article.target.as_deref().unwrap_or(&args.target));
        let reading = scorer.evaluate_explained(Document::from(&article), &target);
        let explanation = Explanation::new(&engine, &reading, args.terms);
        let eval = &reading.evaluation;
        match args.format {
            ExplainFormat::Json => {
                let model = engine.model_labels();
                let row = ScoreRow::new(&article, eval, &model);
                let line = serde_json::to_string(&explanation.json(&row, eval))?;
                writeln!(out, "{line}")?;
            }
            ExplainFormat::Text => write!(
                out,
                "{}",
                explanation.text(&article.id, eval, &article.text, color, args.features)
            )?,
        }
        explained += 1;
    }
    Ok(if explained > 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
