//! The aggregate index: many articles' scores combined with explicit, printed weights.
//!
//! An article's weight is `voice weight x relevance / 100 x decay`, where decay is
//! `0.5 ^ (age in days / half-life)` relative to the newest dated article. A group's index is
//! `sum(weight x score) / sum(weight)`, in [-1, 1]. Rows with the same text hash and target count
//! once.
//! Every number needed to recompute an index by hand is in the output.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use chrono::{Datelike, NaiveDate};

use crate::error::{Context, Result, bail, invalid};
use crate::input::iso_date;
use crate::model::classes::VOICE_CLASSES;
use crate::write::output::{Column, ColumnKind};

/// What to group articles by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupBy {
    Voice,
    Date,
    Week,
    Source,
    Target,
    All,
}

impl crate::choice::Choice for GroupBy {
    const ALL: &'static [(Self, &'static str, &'static str)] = &[
        (GroupBy::Voice, "voice", "The voice class of each article"),
        (GroupBy::Date, "date", "The day of the date"),
        (GroupBy::Week, "week", "ISO week of the date, e.g. 2026-W10"),
        (GroupBy::Source, "source", "The source field"),
        (GroupBy::Target, "target", "The target scored"),
        (GroupBy::All, "all", "One group with every article"),
    ];
}

/// The explicit weights of an index.
#[derive(Clone, Debug, PartialEq)]
pub struct IndexWeights {
    /// Weight of each voice, in `VOICE_CLASSES` order; articles without a voice count 1.
    pub voice: [f64; 3],
    pub half_life_days: Option<f64>,
}

impl Default for IndexWeights {
    fn default() -> Self {
        IndexWeights {
            voice: [1.0, 1.0, 0.5],
            half_life_days: None,
        }
    }
}

impl fmt::Display for IndexWeights {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "weight = voice weight (retail {}, analysis {}, corporate {}) x relevance/100",
            self.voice[0], self.voice[1], self.voice[2]
        )?;
        match self.half_life_days {
            Some(h) => write!(f, " x 0.5^(age in days / {h}) from the newest date"),
            None => write!(f, " (no decay)"),
        }
    }
}

/// Parses `retail=1,analysis=1,corporate=0.5` (missing voices keep their default).
pub fn parse_voice_weights(text: &str) -> Result<[f64; 3]> {
    let mut weights = IndexWeights::default().voice;
    for pair in text.split(',').filter(|p| !p.trim().is_empty()) {
        let (name, value) = pair
            .split_once('=')
            .ok_or_else(|| invalid!("expected VOICE=WEIGHT, found {pair:?}"))?;
        let i = VOICE_CLASSES
            .iter()
            .position(|v| *v == name.trim())
            .ok_or_else(|| {
                invalid!(
                    "unknown voice {:?} (expected retail, analysis or corporate)",
                    name.trim()
                )
            })?;
        let w: f64 = value
            .trim()
            .parse()
            .map_err(|_| invalid!("weight {value:?} is not a number"))?;
        if !w.is_finite() || w < 0.0 {
            bail!("weight {w} must be a number >= 0");
        }
        weights[i] = w;
    }
    Ok(weights)
}

/// Parses `7d`, `36h` or a number of days.
pub fn parse_half_life(text: &str) -> Result<f64> {
    let t = text.trim();
    let (number, unit) = match t.strip_suffix('d') {
        Some(n) => (n, 1.0),
        None => match t.strip_suffix('h') {
            Some(n) => (n, 1.0 / 24.0),
            None => (t, 1.0),
        },
    };
    let days = number
        .trim()
        .parse::<f64>()
        .map_err(|_| invalid!("half-life {t:?} is not like 7d or 36h"))?
        * unit;
    if days > 0.0 && days.is_finite() {
        Ok(days)
    } else {
        Err(invalid!("half-life {t:?} must be positive"))
    }
}

/// One article as read from a scores file.
#[derive(Clone, Debug, PartialEq)]
pub struct ScoredArticle {
    pub id: String,
    pub date: Option<NaiveDate>,
    pub date_text: String,
    pub source: String,
    pub target: String,
    pub relevance: f64,
    pub score: f64,
    pub voice: Option<usize>,
    pub text_hash: String,
    /// Driver terms with their share of the article's score, both sides.
    pub drivers: Vec<(String, f64)>,
}

/// Reads a `stance score` CSV; rows with problems are reported, not dropped silently.
pub fn read_scores(path: &Path) -> Result<(Vec<ScoredArticle>, Vec<String>)> {
    let mut reader =
        csv::Reader::from_path(path).with_context(|| format!("reading {}", path.display()))?;
    let header: Vec<String> = reader.headers()?.iter().map(String::from).collect();
    let Some(columns) = ScoreColumns::find(&header) else {
        bail!(
            "{}: not a stance scores file (needs id, score and relevance columns)",
            path.display()
        );
    };
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let at = format!("{}:{}", path.display(), n + 2);
        match record {
            Ok(record) => rows.extend(columns.read(&record, &at, &mut problems)),
            Err(e) => problems.push(format!("{at}: {e}")),
        }
    }
    Ok((rows, problems))
}

/// Where a scores file keeps what the index reads.
#[derive(Clone, Debug)]
pub struct ScoreColumns {
    id: usize,
    score: usize,
    relevance: usize,
    date: Option<usize>,
    source: Option<usize>,
    target: Option<usize>,
    voice: Option<usize>,
    text_hash: Option<usize>,
    drivers: Vec<usize>,
}

impl ScoreColumns {
    /// `None` unless the header has id, score and relevance columns.
    pub fn find(header: &[impl AsRef<str>]) -> Option<ScoreColumns> {
        let col = |name: &str| {
            header
                .iter()
                .position(|h| h.as_ref().trim_start_matches('\u{FEFF}') == name)
        };
        Some(ScoreColumns {
            id: col("id")?,
            score: col("score")?,
            relevance: col("relevance")?,
            date: col("date"),
            source: col("source"),
            target: col("target"),
            voice: col("voice"),
            text_hash: col("text_hash"),
            drivers: ["drivers_bullish", "drivers_bearish"]
                .iter()
                .filter_map(|c| col(c))
                .collect(),
        })
    }

    /// The article of one record; `at` (`file:line`) names it in `problems`. A row whose score
    /// or relevance is not a number is left out; an undated one is kept.
    pub fn read(
        &self,
        record: &csv::StringRecord,
        at: &str,
        problems: &mut Vec<String>,
    ) -> Option<ScoredArticle> {
        let get = |i: Option<usize>| i.and_then(|i| record.get(i)).unwrap_or("").to_string();
        let number = |i: usize, name: &str| -> Result<f64, String> {
            record
                .get(i)
                .unwrap_or("")
                .parse::<f64>()
                .map_err(|_| format!("{at}: {name} is not a number"))
        };
        let (score, relevance) = match (
            number(self.score, "score"),
            number(self.relevance, "relevance"),
        ) {
            (Ok(s), Ok(r)) => (s, r),
            (Err(e), _) | (_, Err(e)) => {
                problems.push(e);
                return None;
            }
        };
        let date_text = get(self.date);
        let day = iso_date(&date_text);
        if day.is_none() && !date_text.trim().is_empty() {
            problems.push(format!(
                "{at}: date {date_text:?} is not YYYY-MM-DD; the row counts as undated"
            ));
        }
        let strip = |s: String| s.strip_prefix('\'').map(String::from).unwrap_or(s);
        Some(ScoredArticle {
            id: strip(get(Some(self.id))),
            date: day,
            date_text,
            source: strip(get(self.source)),
            target: strip(get(self.target)),
            relevance,
            score,
            voice: VOICE_CLASSES.iter().position(|v| *v == get(self.voice)),
            text_hash: get(self.text_hash),
            drivers: self
                .drivers
                .iter()
                .flat_map(|&i| parse_drivers(&strip(get(Some(i)))))
                .collect(),
        })
    }
}

/// `term:+0.1234; other:-0.05` into pairs.
fn parse_drivers(cell: &str) -> Vec<(String, f64)> {
    cell.split("; ")
        .filter_map(|d| d.rsplit_once(':'))
        .filter_map(|(term, v)| v.parse::<f64>().ok().map(|v| (term.to_string(), v)))
        .collect()
}

/// An article's part in its group.
#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    pub id: String,
    pub weight: f64,
    pub score: f64,
    /// weight x score / the group's total weight: what it adds to the index.
    pub contribution: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    pub key: String,
    pub articles: usize,
    pub total_weight: f64,
    pub index: f64,
    /// Share of the group's weight from each voice (`VOICE_CLASSES` order), then unknown voice.
    pub voice_shares: [f64; 4],
    pub members: Vec<Member>,
    /// Driver terms weighted by their article's share of the index, strongest first.
    pub drivers: Vec<(String, f64)>,
}

/// What an aggregation did besides grouping.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Summary {
    pub duplicates: usize,
    pub undated: usize,
    pub newest: Option<NaiveDate>,
}

pub fn aggregate(
    rows: &[ScoredArticle],
    by: GroupBy,
    weights: &IndexWeights,
) -> (Vec<Group>, Summary) {
    let mut summary = Summary::default();
    let mut seen = std::collections::HashSet::new();
    let mut sorted: Vec<&ScoredArticle> = rows.iter().collect();
    sorted.sort_by(|a, b| a.id.cmp(&b.id));
    let unique: Vec<&ScoredArticle> = sorted
        .into_iter()
        .filter(|r| {
            // The same story counts once per company: `--target auto` gives it a row for each.
            let fresh = r.text_hash.is_empty() || seen.insert((&r.text_hash, &r.target));
            summary.duplicates += usize::from(!fresh);
            fresh
        })
        .collect();
    summary.newest = unique.iter().filter_map(|r| r.date).max();
    let mut groups: BTreeMap<String, Vec<(&ScoredArticle, f64)>> = BTreeMap::new();
    for r in unique {
        let decay = match (weights.half_life_days, r.date, summary.newest) {
            (None, _, _) => 1.0,
            (Some(h), Some(d), Some(newest)) => 0.5f64.powf((newest - d).num_days() as f64 / h),
            (Some(_), _, _) => {
                summary.undated += 1;
                continue;
            }
        };
        let voice_weight = r.voice.map_or(1.0, |v| weights.voice[v]);
        let weight = voice_weight * r.relevance / 100.0 * decay;
        let key = match by {
            GroupBy::Voice => r
                .voice
                .map_or("(unknown)".to_string(), |v| VOICE_CLASSES[v].to_string()),
            GroupBy::Date => r.date.map_or_else(|| "(no date)".into(), |d| d.to_string()),
            GroupBy::Week => r.date.map_or_else(
                || "(no date)".into(),
                |d| format!("{}-W{:02}", d.iso_week().year(), d.iso_week().week()),
            ),
            GroupBy::Source => {
                if r.source.is_empty() {
                    "(no source)".into()
                } else {
                    r.source.clone()
                }
            }
            GroupBy::Target => r.target.clone(),
            GroupBy::All => "all".into(),
        };
        groups.entry(key).or_default().push((r, weight));
    }
    let groups = groups
        .into_iter()
        .map(|(key, members)| {
            let total: f64 = members.iter().map(|(_, w)| w).sum();
            let share = |w: f64| if total > 0.0 { w / total } else { 0.0 };
            let mut voice_shares = [0.0; 4];
            let mut drivers: BTreeMap<String, f64> = BTreeMap::new();
            for (r, w) in &members {
                voice_shares[r.voice.unwrap_or(3)] += share(*w);
                for (term, v) in &r.drivers {
                    *drivers.entry(term.clone()).or_default() += share(*w) * v;
                }
            }
            let mut members: Vec<Member> = members
                .iter()
                .map(|(r, w)| Member {
                    id: r.id.clone(),
                    weight: *w,
                    score: r.score,
                    contribution: share(*w) * r.score,
                })
                .collect();
            members.sort_by(|a, b| {
                b.contribution
                    .abs()
                    .total_cmp(&a.contribution.abs())
                    .then_with(|| a.id.cmp(&b.id))
            });
            let mut drivers: Vec<(String, f64)> = drivers.into_iter().collect();
            drivers.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then_with(|| a.0.cmp(&b.0)));
            Group {
                key,
                articles: members.len(),
                total_weight: total,
                index: members.iter().map(|m| m.contribution).sum(),
                voice_shares,
                members,
                drivers,
            }
        })
        .collect();
    (groups, summary)
}

/// The columns of an index table, each group's row in [`index_record`].
pub const INDEX_COLUMNS: [Column<'static>; 12] = {
    use ColumnKind::*;
    [
        Column::new("group", Text, 24.0),
        Column::new("articles", Integer, 10.0),
        Column::new("index", Decimal, 12.0),
        Column::new("total_weight", Decimal, 12.0),
        Column::new("share_retail", Percent, 12.0),
        Column::new("share_analysis", Percent, 12.0),
        Column::new("share_corporate", Percent, 12.0),
        Column::new("share_unknown_voice", Percent, 12.0),
        Column::new("weight_retail", Number, 16.0),
        Column::new("weight_analysis", Number, 16.0),
        Column::new("weight_corporate", Number, 16.0),
        Column::new("half_life_days", Number, 16.0),
    ]
};

/// One group's row of the index table, cells as written (the key not made spreadsheet-safe):
/// the weights ride in every row, so a spreadsheet can recompute the index.
pub fn index_record(group: &Group, weights: &IndexWeights) -> Vec<String> {
    let mut record = vec![
        group.key.clone(),
        group.articles.to_string(),
        crate::write::output::number(group.index),
        crate::write::output::number(group.total_weight),
    ];
    record.extend(
        group
            .voice_shares
            .iter()
            .map(|s| crate::write::output::number(*s)),
    );
    record.extend(weights.voice.iter().map(|w| w.to_string()));
    record.push(
        weights
            .half_life_days
            .map_or(String::new(), |h| h.to_string()),
    );
    record
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(
        id: &str,
        date: &str,
        voice: usize,
        relevance: f64,
        score: f64,
        hash: &str,
    ) -> ScoredArticle {
        ScoredArticle {
            id: id.into(),
            date: iso_date(date),
            date_text: date.into(),
            source: "s".into(),
            target: "Alibaba".into(),
            relevance,
            score,
            voice: Some(voice),
            text_hash: hash.into(),
            drivers: vec![("buyback".into(), 0.2)],
        }
    }

    #[test]
    fn index_is_the_weighted_mean_and_duplicates_count_once() {
        let rows = [
            row("a", "2026-03-01", 0, 100.0, 0.5, "h1"),
            row("b", "2026-03-01", 2, 100.0, -0.5, "h2"),
            row("c", "2026-03-01", 2, 100.0, -0.5, "h2"),
            row("d", "2026-03-02", 1, 50.0, 1.0, "h3"),
        ];
        let (groups, summary) = aggregate(&rows, GroupBy::All, &IndexWeights::default());
        assert_eq!(summary.duplicates, 1);
        let g = &groups[0];
        // weights: a 1.0, b 0.5 (corporate), d 0.5 (relevance 50)
        assert!((g.total_weight - 2.0).abs() < 1e-12);
        assert!((g.index - (0.5 - 0.25 + 0.5) / 2.0).abs() < 1e-12);
        assert!(
            (g.voice_shares[0] - 0.5).abs() < 1e-12 && (g.voice_shares[2] - 0.25).abs() < 1e-12
        );
        assert!((g.members.iter().map(|m| m.contribution).sum::<f64>() - g.index).abs() < 1e-12);
    }

    #[test]
    fn half_life_decays_from_the_newest_date() {
        let rows = [
            row("old", "2026-03-01", 0, 100.0, 1.0, "1"),
            row("new", "2026-03-08", 0, 100.0, -1.0, "2"),
        ];
        let weights = IndexWeights {
            half_life_days: Some(7.0),
            ..IndexWeights::default()
        };
        let (groups, _) = aggregate(&rows, GroupBy::All, &weights);
        assert!((groups[0].total_weight - 1.5).abs() < 1e-12);
        assert!((groups[0].index - (0.5 - 1.0) / 1.5).abs() < 1e-12);
    }

    #[test]
    fn groups_by_week_and_parses_options() {
        let rows = [
            row("a", "2026-03-01", 0, 100.0, 1.0, "1"),
            row("b", "2026-03-02", 0, 100.0, 1.0, "2"),
        ];
        let (groups, _) = aggregate(&rows, GroupBy::Week, &IndexWeights::default());
        let keys: Vec<&str> = groups.iter().map(|g| g.key.as_str()).collect();
        assert_eq!(keys, ["2026-W09", "2026-W10"]);
        assert_eq!(
            parse_voice_weights("corporate=0,retail=2").unwrap(),
            [2.0, 1.0, 0.0]
        );
        assert!(parse_voice_weights("bloggers=1").is_err());
        assert_eq!(parse_half_life("36h").unwrap(), 1.5);
        assert!(parse_half_life("-1d").is_err());
    }
}
