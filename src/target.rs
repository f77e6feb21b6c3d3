//! Part of stage 4: which sentences are about the target company, and how relevant the article is.
//!
//! Sentences that name the target count fully; the rest of the same paragraph counts partly
//! (it usually continues the same subject); other sentences count little. The weights live in
//! `lexicons/targets.toml` with the aliases, so they are data, not code.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::analyze::{Codebook, StemFilter, phrase_stems};
use crate::data::DataFile;
use crate::phrase::{PhraseMatch, PhraseMatcher};
use crate::sentence::Sentence;

/// How much each kind of sentence counts towards the article's stance.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Weighting {
    pub mention: f64,
    pub same_paragraph: f64,
    pub elsewhere: f64,
    /// Replaces `elsewhere` when the headline names the target: the whole article is about it.
    pub elsewhere_when_headline: f64,
    /// A sentence that names another company of the targets file, and not the target.
    pub other_target: f64,
    /// Multiplies the weight of headline sentences.
    pub headline: f64,
}

impl Default for Weighting {
    fn default() -> Self {
        Weighting {
            mention: 1.0,
            same_paragraph: 0.5,
            elsewhere: 0.1,
            elsewhere_when_headline: 0.5,
            other_target: 0.0,
            headline: 2.0,
        }
    }
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct TargetEntry {
    name: String,
    aliases: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TargetsFile {
    #[serde(default)]
    weighting: Option<Weighting>,
    #[serde(default)]
    target: Vec<TargetEntry>,
}

/// A company to score against: its display name and the names it goes by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// Every sentence counts (short texts such as headlines and tweets).
    Any,
    Named {
        name: String,
        aliases: Vec<String>,
    },
}

impl Target {
    pub fn name(&self) -> &str {
        match self {
            Target::Any => "any",
            Target::Named { name, .. } => name,
        }
    }

    /// A key under which a compiled matcher can be cached.
    pub fn key(&self) -> String {
        match self {
            Target::Any => "any".into(),
            Target::Named { aliases, .. } => aliases.join("\u{1f}").to_lowercase(),
        }
    }
}

/// A problem in a targets file; `line` is 0 for one with the whole file.
#[derive(Debug, thiserror::Error)]
#[error("{}{}: {reason}", file, if *line > 0 { format!(":{line}") } else { String::new() })]
pub struct TargetsError {
    pub file: String,
    pub line: usize,
    pub reason: String,
}

/// The targets file again, with where each value is written, so a problem found after parsing
/// points at its own line.
#[derive(Deserialize)]
struct LocatedFile {
    #[serde(default)]
    weighting: std::collections::HashMap<String, toml::Spanned<f64>>,
    #[serde(default)]
    target: Vec<LocatedEntry>,
}

#[derive(Deserialize)]
struct LocatedEntry {
    name: toml::Spanned<String>,
    aliases: Vec<toml::Spanned<String>>,
}

/// The targets file: known companies and the sentence weighting.
#[derive(Clone, Debug, Default)]
pub struct TargetBook {
    pub weighting: Weighting,
    entries: Vec<TargetEntry>,
}

impl TargetBook {
    pub fn load(file: &DataFile) -> Result<TargetBook, TargetsError> {
        let name = file.to_string();
        let text = file.read().map_err(|e| TargetsError {
            file: name.clone(),
            line: 0,
            reason: e.to_string(),
        })?;
        TargetBook::parse(&text, &name)
    }

    /// A hash of the weighting and every company with its aliases.
    pub fn fingerprint(&self) -> String {
        let bytes =
            serde_json::to_vec(&(&self.weighting, &self.entries)).expect("targets serialize");
        blake3::hash(&bytes).to_hex().to_string()
    }

    pub fn parse(text: &str, file: &str) -> Result<TargetBook, TargetsError> {
        let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
        let error = |span: std::ops::Range<usize>, reason: String| TargetsError {
            file: file.to_string(),
            line: line_of(span.start),
            reason,
        };
        let parse_error = |e: toml::de::Error| TargetsError {
            file: file.to_string(),
            line: e.span().map_or(0, |s| line_of(s.start)),
            reason: e.message().to_string(),
        };
        let parsed: TargetsFile = toml::from_str(text).map_err(parse_error)?;
        let located: LocatedFile = toml::from_str(text).map_err(parse_error)?;
        let weighting = parsed.weighting.unwrap_or_default();
        for (field, value) in [
            ("mention", weighting.mention),
            ("same_paragraph", weighting.same_paragraph),
            ("elsewhere", weighting.elsewhere),
            ("elsewhere_when_headline", weighting.elsewhere_when_headline),
            ("other_target", weighting.other_target),
            ("headline", weighting.headline),
        ] {
            if !(0.0..=10.0).contains(&value) {
                let span = located.weighting.get(field).map_or(0..0, |v| v.span());
                return Err(error(
                    span,
                    format!("weighting.{field} = {value} must be in [0, 10]"),
                ));
            }
        }
        let mut seen: std::collections::HashMap<String, &str> = std::collections::HashMap::new();
        for entry in &located.target {
            let (name, name_span) = (entry.name.get_ref(), entry.name.span());
            if name.trim().is_empty() {
                return Err(error(name_span, "target name is empty".into()));
            }
            if entry.aliases.is_empty() {
                return Err(error(name_span, format!("target {name:?} has no aliases")));
            }
            for alias in entry.aliases.iter().chain(std::iter::once(&entry.name)) {
                if alias.get_ref().trim().is_empty() {
                    return Err(error(
                        alias.span(),
                        format!("target {name:?} has an empty alias"),
                    ));
                }
                let key = alias.get_ref().trim().to_lowercase();
                match seen.get(&key) {
                    Some(owner) if *owner != name => {
                        return Err(error(
                            alias.span(),
                            format!(
                                "alias {:?} of {name:?} already names {owner:?}",
                                alias.get_ref()
                            ),
                        ));
                    }
                    Some(_) => {}
                    None => {
                        seen.insert(key, name);
                    }
                }
            }
        }
        Ok(TargetBook {
            weighting,
            entries: parsed.target,
        })
    }

    /// `any` scores every sentence; a known name or alias gives that target; anything else is
    /// matched as written.
    pub fn resolve(&self, name: &str) -> Target {
        let wanted = name.trim();
        if wanted.eq_ignore_ascii_case("any") {
            return Target::Any;
        }
        let lower = wanted.to_lowercase();
        let found = self.entries.iter().find(|e| {
            e.name.to_lowercase() == lower || e.aliases.iter().any(|a| a.to_lowercase() == lower)
        });
        match found {
            Some(e) => {
                let mut aliases = e.aliases.clone();
                if !aliases.iter().any(|a| a.eq_ignore_ascii_case(&e.name)) {
                    aliases.insert(0, e.name.clone());
                }
                Target::Named {
                    name: e.name.clone(),
                    aliases,
                }
            }
            None => Target::Named {
                name: wanted.to_string(),
                aliases: vec![wanted.to_string()],
            },
        }
    }

    /// An article's own target when it names one, else `default`.
    pub fn resolve_or(&self, name: Option<&str>, default: &Target) -> Target {
        name.map_or_else(|| default.clone(), |n| self.resolve(n))
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|e| e.name.as_str())
    }

    /// One matcher for every known company; each pattern maps to the company's name.
    pub fn compile_all(&self, codebook: &mut Codebook, stem: &StemFilter) -> Companies {
        let mut patterns = Vec::new();
        let mut owners = Vec::new();
        for name in self.names() {
            if let Target::Named { aliases, .. } = self.resolve(name) {
                for alias in aliases {
                    let stems = phrase_stems(&alias, stem);
                    if let Some(codes) = codebook.intern_all(&stems).filter(|c| !c.is_empty()) {
                        patterns.push(codes);
                        owners.push(name.to_string());
                    }
                }
            }
        }
        Companies {
            matcher: PhraseMatcher::new(&patterns),
            owners,
        }
    }
}

/// Every company of the targets file, to find sentences about other companies.
#[derive(Clone, Debug)]
pub struct Companies {
    matcher: PhraseMatcher,
    /// The company each pattern names.
    owners: Vec<String>,
}

impl Companies {
    /// Mentions of known companies other than `target` into `out` (cleared first).
    pub fn others(&self, encoded: &[u8], target: &str, out: &mut Vec<PhraseMatch>) {
        self.matcher.find(encoded, out);
        out.retain(|m| self.owners[m.pattern] != target);
    }
}

/// Finds mentions of one target.
#[derive(Clone, Debug)]
pub struct TargetMatcher {
    matcher: Option<PhraseMatcher>,
}

impl TargetMatcher {
    /// An alias whose stems no longer get a code (only after millions of distinct stems) is
    /// left out rather than matched wrongly.
    pub fn compile(target: &Target, codebook: &mut Codebook, stem: &StemFilter) -> Self {
        let Target::Named { aliases, .. } = target else {
            return TargetMatcher { matcher: None };
        };
        let patterns: Vec<Vec<u32>> = aliases
            .iter()
            .map(|a| phrase_stems(a, stem))
            .filter(|s| !s.is_empty())
            .filter_map(|stems| codebook.intern_all(&stems))
            .collect();
        TargetMatcher {
            matcher: Some(PhraseMatcher::new(&patterns)),
        }
    }

    pub fn is_any(&self) -> bool {
        self.matcher.is_none()
    }

    pub fn find(&self, encoded: &[u8], out: &mut Vec<PhraseMatch>) {
        match &self.matcher {
            Some(m) => m.find(encoded, out),
            None => out.clear(),
        }
    }
}

/// Per-sentence weights and the article's relevance.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Focus {
    pub sentence_weights: Vec<f64>,
    pub relevance: u8,
}

/// Weighs each sentence by how directly it is about the target.
/// `others` are mentions of other known companies; `headline_paragraphs` is how many leading
/// paragraphs form the headline (0 or 1).
pub fn focus(
    sentences: &[Sentence],
    mentions: &[PhraseMatch],
    others: &[PhraseMatch],
    any: bool,
    headline_paragraphs: usize,
    w: &Weighting,
) -> Focus {
    let headline = |s: &Sentence| {
        if s.paragraph < headline_paragraphs {
            w.headline
        } else {
            1.0
        }
    };
    if any {
        return Focus {
            sentence_weights: sentences.iter().map(headline).collect(),
            relevance: if sentences.is_empty() { 0 } else { 100 },
        };
    }
    let mentioned = sentences_with(sentences, mentions);
    let names_other = sentences_with(sentences, others);
    let paragraphs = sentences.last().map_or(0, |s| s.paragraph + 1);
    let mut paragraph_mentioned = vec![false; paragraphs];
    for (s, &m) in sentences.iter().zip(&mentioned) {
        paragraph_mentioned[s.paragraph] |= m;
    }
    let in_headline = sentences
        .iter()
        .zip(&mentioned)
        .any(|(s, &m)| m && s.paragraph < headline_paragraphs);
    let sentence_weights = sentences
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let base = if mentioned[i] {
                w.mention
            } else if names_other[i] {
                w.other_target
            } else if paragraph_mentioned[s.paragraph] {
                w.same_paragraph
            } else if in_headline {
                w.elsewhere_when_headline
            } else {
                w.elsewhere
            };
            base * headline(s)
        })
        .collect();
    let mentioned_count = mentioned.iter().filter(|&&m| m).count();
    let relevance = if mentioned_count == 0 {
        0
    } else if in_headline {
        100
    } else {
        let share = mentioned_count as f64 / sentences.len() as f64;
        (40.0 + 60.0 * (2.0 * share).min(1.0)).round().min(95.0) as u8
    };
    Focus {
        sentence_weights,
        relevance,
    }
}

/// Which sentences contain any of `matches` (both sorted by position).
fn sentences_with(sentences: &[Sentence], matches: &[PhraseMatch]) -> Vec<bool> {
    let mut found = vec![false; sentences.len()];
    let mut si = 0;
    for m in matches {
        while si < sentences.len() && sentences[si].end <= m.start {
            si += 1;
        }
        if si < sentences.len() && sentences[si].start <= m.start {
            found[si] = true;
        }
    }
    found
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::Analyzer;
    use crate::phrase::encode;
    use crate::sentence::split;

    const BOOK: &str = r#"
[weighting]
mention = 1.0
same_paragraph = 0.5
elsewhere = 0.0
elsewhere_when_headline = 0.3
other_target = 0.0
headline = 2.0

[[target]]
name = "Alibaba"
aliases = ["BABA", "$BABA", "Alibaba Cloud", "Qwen", "Eddie Wu", "阿里巴巴", "阿里"]

[[target]]
name = "OpenAI"
aliases = ["OpenAI"]
"#;

    fn focus_of(text: &str, target: &str, headline: usize) -> Focus {
        let book = TargetBook::parse(BOOK, "targets.toml").unwrap();
        let target = book.resolve(target);
        let mut codebook = Codebook::new();
        let stem = StemFilter::default();
        let matcher = TargetMatcher::compile(&target, &mut codebook, &stem);
        book.compile_all(&mut codebook, &stem);
        let mut tokens = Vec::new();
        Analyzer::default().analyze(text, &codebook, &mut tokens);
        let mut sentences = Vec::new();
        split(&tokens, &mut sentences);
        let mut bytes = Vec::new();
        encode(&tokens, &mut bytes);
        let mut mentions = Vec::new();
        matcher.find(&bytes, &mut mentions);
        let companies = book.compile_all(&mut codebook, &stem);
        let mut others = Vec::new();
        companies.others(&bytes, target.name(), &mut others);
        focus(
            &sentences,
            &mentions,
            &others,
            matcher.is_any(),
            headline,
            &book.weighting,
        )
    }

    #[test]
    fn resolves_names_aliases_any_and_unknown() {
        let book = TargetBook::parse(BOOK, "t.toml").unwrap();
        assert_eq!(book.resolve("alibaba").name(), "Alibaba");
        assert_eq!(book.resolve("baba").name(), "Alibaba");
        assert_eq!(book.resolve("ANY"), Target::Any);
        assert_eq!(
            book.resolve("Nokia"),
            Target::Named {
                name: "Nokia".into(),
                aliases: vec!["Nokia".into()]
            }
        );
    }

    #[test]
    fn weights_mentions_paragraphs_headlines_and_other_companies() {
        let f = focus_of(
            "Qwen soars\nRates are up. Alibaba’s cloud grew. OpenAI is valued highly.\nOther news.",
            "alibaba",
            1,
        );
        assert_eq!(f.sentence_weights, [2.0, 0.5, 1.0, 0.0, 0.3]);
        assert_eq!(f.relevance, 100);
        let f = focus_of("Markets\nAlibaba’s cloud grew.\nOther news.", "alibaba", 1);
        assert_eq!(f.sentence_weights, [0.0, 1.0, 0.0]);
    }

    #[test]
    fn matches_tickers_possessives_names_and_chinese() {
        for text in [
            "$BABA up",
            "Eddie Wu spoke",
            "阿里巴巴发布",
            "Alibaba's results",
            "ALIBABA CLOUD grew",
        ] {
            assert!(focus_of(text, "alibaba", 0).relevance > 0, "{text}");
        }
        assert_eq!(
            focus_of("Eddie Murphy and Wu Ming", "alibaba", 0).relevance,
            0
        );
    }

    #[test]
    fn no_mention_means_zero_relevance_and_any_means_full() {
        assert_eq!(focus_of("OpenAI raised money.", "alibaba", 0).relevance, 0);
        assert_eq!(focus_of("OpenAI raised money.", "any", 0).relevance, 100);
        assert!(focus_of("Nokia fell. Rain.", "Nokia", 0).relevance > 0);
    }

    #[test]
    fn errors_name_file_and_line() {
        let err =
            TargetBook::parse("[[target]]\nname = \"A\"\naliases = \"x\"\n", "t.toml").unwrap_err();
        assert_eq!((err.file.as_str(), err.line), ("t.toml", 3), "{err}");
        let dup = "[[target]]\nname = \"A\"\naliases = [\"X\"]\n[[target]]\nname = \"B\"\naliases = [\"x\"]\n";
        let err = TargetBook::parse(dup, "t.toml").unwrap_err();
        assert_eq!(err.line, 6, "{err}");
        assert!(err.reason.contains("already names \"A\""));
        // The duplicate is reported where it is written, after lines that mention it elsewhere.
        let dup = "[[target]]\nname = \"A\"\naliases = [\n  \"X\",\n]\n[[target]]\nname = \"B\"\naliases = [\"Y\",\n  \"x\"]\n";
        let err = TargetBook::parse(dup, "t.toml").unwrap_err();
        assert_eq!(err.line, 9, "{err}");
        // A weighting field is found by its key, not by a longer key that starts like it.
        let weights = "[weighting]\nmention = 1.0\nsame_paragraph = 0.5\nelsewhere_when_headline = 0.5\nelsewhere = 11.0\nother_target = 0.0\nheadline = 2.0\n";
        let err = TargetBook::parse(weights, "t.toml").unwrap_err();
        assert_eq!(err.line, 5, "{err}");
        assert!(err.reason.contains("weighting.elsewhere = 11"), "{err}");
    }

    #[test]
    fn a_problem_with_the_whole_file_has_no_line_number() {
        let missing = DataFile::Disk("/nonexistent/targets.toml".into());
        let err = TargetBook::load(&missing).unwrap_err().to_string();
        assert!(err.starts_with("/nonexistent/targets.toml: "), "{err}");
    }
}
