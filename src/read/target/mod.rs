//! Part of stage 4: the target an article is read for. The targets file (`lexicons/targets.toml`:
//! hand-added companies and aliases, and how much each kind of sentence counts) is data, not code;
//! the listed companies and their names come from the company table ([`crate::read::company`]).
//! A name resolves here to a [`Target`] with every alias; [`alias`] finds its mentions in a text
//! and [`focus`] weighs the sentences by them.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::data::{DataError, DataFile};
use crate::read::company::{Alias, Asked, Case, Company, CompanyTable, Found, push_alias};
use crate::text::analyze::{Codebook, StemFilter, phrase_stems};

pub mod alias;
pub mod focus;

use alias::{Companies, covers};

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
    /// Links the entry to a listed company, whose names and tickers are matched too.
    #[serde(default)]
    ticker: Option<String>,
    aliases: Vec<String>,
    /// The entry's names and aliases that are also ordinary words or products ("Meta",
    /// "Llama"): matched only capitalized, and a product only with company context.
    #[serde(default)]
    plain: Vec<String>,
}

impl TargetEntry {
    fn names(&self) -> impl Iterator<Item = &String> {
        std::iter::once(&self.name).chain(&self.aliases)
    }

    fn is_plain(&self, alias: &str) -> bool {
        self.plain.iter().any(|p| p.eq_ignore_ascii_case(alias))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TargetsFile {
    #[serde(default)]
    weighting: Option<Weighting>,
    #[serde(default)]
    target: Vec<TargetEntry>,
}

/// A company to score against: its display name, ticker and the names it goes by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// Every sentence counts (short texts such as headlines and tweets).
    Any,
    Named {
        name: String,
        /// The primary ticker of a listed company; empty for one the table does not list.
        ticker: String,
        aliases: Vec<Alias>,
    },
}

impl Target {
    pub fn name(&self) -> &str {
        match self {
            Target::Any => "any",
            Target::Named { name, .. } => name,
        }
    }

    pub fn ticker(&self) -> &str {
        match self {
            Target::Any => "",
            Target::Named { ticker, .. } => ticker,
        }
    }

    /// A key under which a compiled matcher can be cached.
    pub fn key(&self) -> String {
        match self {
            Target::Any => "any".into(),
            Target::Named { aliases, .. } => {
                let mut key = String::new();
                for a in aliases {
                    key.push_str(&a.text.to_lowercase());
                    key.push(char::from(b'0' + a.case as u8));
                }
                key
            }
        }
    }
}

/// What a name resolves to, and how: for `stance targets find`.
#[derive(Clone, Debug, PartialEq)]
pub struct Resolved {
    pub target: Target,
    /// How the company table found it; `None` for a targets-file entry it does not list, or a
    /// name it does not know (then matched as written).
    pub found: Option<Found>,
    /// Whether a targets-file entry gave names.
    pub hand_entry: bool,
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
    #[serde(default)]
    ticker: Option<toml::Spanned<String>>,
    aliases: Vec<toml::Spanned<String>>,
    #[serde(default)]
    plain: Vec<toml::Spanned<String>>,
}

/// The targets file (hand-added companies and aliases, the sentence weighting) and the company
/// table.
#[derive(Clone, Debug, Default)]
pub struct TargetBook {
    pub weighting: Weighting,
    entries: Vec<TargetEntry>,
    pub companies: CompanyTable,
}

impl TargetBook {
    pub fn load(file: &DataFile) -> Result<TargetBook, DataError> {
        let text = file.read_text()?;
        TargetBook::parse(&text, &file.to_string())
    }

    /// The targets file's entries resolved against `companies`; an entry's ticker must be
    /// listed there.
    pub fn with_companies(
        mut self,
        companies: CompanyTable,
        file: &DataFile,
    ) -> Result<TargetBook, DataError> {
        for entry in &self.entries {
            if let Some(t) = &entry.ticker
                && companies.by_ticker(t).is_none()
            {
                return Err(DataError {
                    file: file.to_string(),
                    line: 0,
                    reason: format!(
                        "target {:?}: ticker {t} is not in the company table",
                        entry.name
                    ),
                });
            }
        }
        self.companies = companies;
        Ok(self)
    }

    /// A hash of the weighting, every hand entry and the company table.
    pub fn fingerprint(&self) -> String {
        let bytes =
            serde_json::to_vec(&(&self.weighting, &self.entries, self.companies.fingerprint()))
                .expect("targets serialize");
        blake3::hash(&bytes).to_hex().to_string()
    }

    pub fn parse(text: &str, file: &str) -> Result<TargetBook, DataError> {
        let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
        let error = |span: std::ops::Range<usize>, reason: String| DataError {
            file: file.to_string(),
            line: line_of(span.start),
            reason,
        };
        let parse_error = |e: toml::de::Error| DataError {
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
            for p in &entry.plain {
                let listed = std::iter::once(&entry.name)
                    .chain(&entry.aliases)
                    .any(|a| a.get_ref().eq_ignore_ascii_case(p.get_ref()));
                if !listed {
                    return Err(error(
                        p.span(),
                        format!(
                            "plain entry {:?} of {name:?} is not one of its names or aliases",
                            p.get_ref()
                        ),
                    ));
                }
            }
            if let Some(t) = &entry.ticker
                && t.get_ref().trim().is_empty()
            {
                return Err(error(
                    t.span(),
                    format!("target {name:?} has an empty ticker"),
                ));
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
            companies: CompanyTable::default(),
        })
    }

    /// `any` scores every sentence; otherwise the hand entries of the targets file by name or
    /// alias, then the company table ([`CompanyTable::resolve`]); a name neither knows is
    /// matched as written.
    pub fn resolve(&self, name: &str) -> Target {
        self.resolve_explained(name).target
    }

    /// [`resolve`](Self::resolve), saying how. A name written with another in parentheses
    /// ("Raadr (Telvantis)") resolves by the first, and matches both.
    pub fn resolve_explained(&self, name: &str) -> Resolved {
        let (wanted, also) = match name.trim().split_once(" (") {
            Some((first, rest)) if rest.ends_with(')') && !first.trim().is_empty() => {
                (first.trim(), Some(rest.trim_end_matches(')').trim()))
            }
            _ => (name.trim(), None),
        };
        if wanted.eq_ignore_ascii_case("any") {
            return Resolved {
                target: Target::Any,
                found: None,
                hand_entry: false,
            };
        }
        let by_name = self
            .entries
            .iter()
            .find(|e| e.names().any(|a| a.eq_ignore_ascii_case(wanted)));
        // An entry is a listed company when it gives that company's ticker.
        let listed = match by_name {
            Some(e) => (e.ticker.as_deref()).and_then(|t| {
                (self.companies.resolve_ticker(t)).or_else(|| self.companies.resolve(t))
            }),
            None => self.companies.resolve(wanted),
        };
        let company = listed
            .as_ref()
            .map(|r| (r, &self.companies.companies()[r.company]));
        // However the company was found, its targets-file entry adds to it.
        let hand = by_name.or_else(|| {
            let (_, c) = company?;
            self.entries
                .iter()
                .find(|e| e.ticker.as_deref() == Some(c.ticker.as_str()))
        });
        let asked = company.map(|(r, c)| {
            r.asked_ticker.as_deref().or_else(|| {
                let typed = wanted.trim_start_matches('$');
                c.tickers().find(|t| t.eq_ignore_ascii_case(typed))
            })
        });
        let mut aliases =
            self.aliases_of(hand, company.map(|(_, c)| c), Asked::For(asked.flatten()));
        let found = listed.as_ref().map(|r| r.found);
        // What was typed is matched as typed, unless it is a ticker or already one of the
        // company's aliases (matched in the table's way: "Target" only capitalized), so that
        // every name of a company gives the same aliases. A one-word name is matched as a
        // cashtag too ("$SPX").
        if found != Some(Found::Ticker) {
            for typed in std::iter::once(wanted).chain(also) {
                if !aliases.iter().any(|a| covers(a, typed)) {
                    push_alias(&mut aliases, Alias::new(typed, Case::AnyForm));
                }
                let cashtag = format!("${typed}");
                let one_word = typed.chars().all(|c| c.is_alphanumeric() || c == '.');
                if one_word && !aliases.iter().any(|a| covers(a, &cashtag)) {
                    push_alias(&mut aliases, Alias::new(cashtag, Case::AnyForm));
                }
            }
        }
        let name = (hand.map(|e| e.name.clone()))
            .or_else(|| company.map(|(_, c)| c.name.clone()))
            .unwrap_or_else(|| wanted.to_string());
        Resolved {
            target: Target::Named {
                name,
                ticker: company.map_or_else(String::new, |(_, c)| c.ticker.clone()),
                aliases,
            },
            found,
            hand_entry: hand.is_some(),
        }
    }

    /// A company's aliases: its targets-file entry's first (they override the table's cases),
    /// then the table's. An entry's plain name is matched as the table matches an ordinary-word
    /// name; its other plain aliases (products, "the Dow") need company context.
    fn aliases_of(
        &self,
        hand: Option<&TargetEntry>,
        company: Option<&Company>,
        asked: Asked,
    ) -> Vec<Alias> {
        let mut aliases = Vec::new();
        if let Some(entry) = hand {
            for alias in entry.names() {
                let case = match (entry.is_plain(alias), alias == &entry.name) {
                    (false, _) => Case::AnyForm,
                    (true, true) => Company::plain_name_case(asked, true),
                    (true, false) => Case::CapitalizedInContext,
                };
                push_alias(&mut aliases, Alias::new(alias.clone(), case));
            }
        }
        let overridden = |alias: &Alias| {
            hand.is_some_and(|e| e.names().any(|a| a.eq_ignore_ascii_case(&alias.text)))
        };
        for alias in company.map_or_else(Vec::new, |c| c.matched_aliases(asked)) {
            if !overridden(&alias) {
                push_alias(&mut aliases, alias);
            }
        }
        aliases
    }

    /// An article's own target when it names one, else `default`.
    pub fn resolve_or(&self, name: Option<&str>, default: &Target) -> Target {
        name.map_or_else(|| default.clone(), |n| self.resolve(n))
    }

    /// Every one-word company name, lower case ("intel", "apple"): a capitalized word that is
    /// one, in a clause of its own, is another company's clause.
    pub fn company_words(&self) -> rustc_hash::FxHashSet<Box<str>> {
        let hand = (self.entries.iter()).flat_map(|e| e.names().map(String::as_str));
        let table = self.companies.companies().iter().flat_map(|c| c.aliases());
        (hand.chain(table))
            .filter(|name| !name.contains(char::is_whitespace) && name.is_ascii())
            .map(|name| name.to_ascii_lowercase().into_boxed_str())
            .collect()
    }

    /// The stems of every company's one-word names and tickers that are no ordinary word, and
    /// of the targets file's one-word aliases that are not marked plain: never learned terms.
    pub fn name_stems(&self, stem: &StemFilter) -> rustc_hash::FxHashSet<String> {
        let hand = (self.entries.iter())
            .flat_map(|e| e.names().filter(|a| !e.is_plain(a)).map(String::as_str));
        let table = self
            .companies
            .companies()
            .iter()
            .flat_map(|c| c.name_words());
        (hand.chain(table))
            .map(|name| phrase_stems(name, stem))
            .filter(|stems| stems.len() == 1)
            .flatten()
            .collect()
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|e| e.name.as_str())
    }

    /// One matcher for every company of the targets file, to find sentences about other
    /// companies; each pattern's owner is the company's name.
    pub fn compile_hand_entries(&self, codebook: &mut Codebook, stem: &StemFilter) -> Companies {
        let targets: Vec<Target> = self.names().map(|n| self.resolve(n)).collect();
        Companies::compile(targets, codebook, stem)
    }

    /// One matcher for every listed company and every company of the targets file, for
    /// `--target auto`. Built only when asked for: it adds the table's stems to `codebook`.
    pub fn compile_every_company(&self, codebook: &mut Codebook, stem: &StemFilter) -> Companies {
        let mut targets: Vec<Target> = Vec::new();
        let mut covered = vec![false; self.companies.companies().len()];
        for entry in &self.entries {
            let listed = (entry.ticker.as_deref()).and_then(|t| self.companies.by_ticker(t));
            let company = listed.map(|i| &self.companies.companies()[i]);
            if let Some(i) = listed {
                covered[i] = true;
            }
            targets.push(Target::Named {
                name: entry.name.clone(),
                ticker: company.map_or_else(String::new, |c| c.ticker.clone()),
                aliases: self.aliases_of(Some(entry), company, Asked::Nobody),
            });
        }
        for (company, _) in self
            .companies
            .companies()
            .iter()
            .zip(&covered)
            .filter(|(_, c)| !**c)
        {
            targets.push(Target::Named {
                name: company.name.clone(),
                ticker: company.ticker.clone(),
                aliases: company.matched_aliases(Asked::Nobody),
            });
        }
        Companies::compile(targets, codebook, stem)
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::alias::{TargetMatcher, TextView};
    use super::focus::{Focus, focus};
    use super::*;
    use crate::read::phrase::PhraseMatch;
    use crate::read::phrase::encode;
    use crate::text::analyze::Analyzer;
    use crate::text::sentence::split;

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

    const TABLE: &str = "ticker,name,aliases,tickers,plain,tail
BABA,Alibaba,Alibaba Group Holding Limited|Alibaba,BABA|9988.HK,,
JD,JD.com,\"JD.com, Inc|JD.com\",JD,,
ALL,Allstate,Allstate Corp|Allstate,ALL,ALL,
TGT,Target,Target Corporation|Target,TGT,Target,
COO,Cooper,Cooper Companies|Cooper,COO,,
GME,GameStop,GameStop Corp|GameStop,GME,,GME
";

    fn book() -> TargetBook {
        let table = CompanyTable::parse(TABLE, "companies.csv").unwrap();
        let file = DataFile::Disk("targets.toml".into());
        (TargetBook::parse(BOOK, "targets.toml").unwrap())
            .with_companies(table, &file)
            .unwrap()
    }

    fn focus_of(text: &str, target: &str, headline: usize) -> Focus {
        let book = book();
        let target = book.resolve(target);
        let mut codebook = Codebook::new();
        let stem = StemFilter::default();
        let matcher = TargetMatcher::compile(&target, &mut codebook, &stem);
        let companies = book.compile_hand_entries(&mut codebook, &stem);
        let mut tokens = Vec::new();
        Analyzer::default().analyze(text, &codebook, &mut tokens);
        let mut sentences = Vec::new();
        split(&tokens, &mut sentences);
        let mut bytes = Vec::new();
        encode(&tokens, &mut bytes);
        let view = TextView {
            encoded: &bytes,
            tokens: &tokens,
            text,
        };
        let mut mentions = Vec::new();
        matcher.find(&view, &mut mentions);
        let mut known = Vec::new();
        companies.find(&view, &mut known);
        let others: Vec<PhraseMatch> = (known.iter())
            .filter(|m| companies.targets()[m.owner as usize].name() != target.name())
            .map(|m| m.at)
            .collect();
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
        let book = book();
        assert_eq!(book.resolve("alibaba").name(), "Alibaba");
        assert_eq!(book.resolve("baba").name(), "Alibaba");
        assert_eq!(book.resolve("9988.HK").ticker(), "BABA");
        assert_eq!(book.resolve("ANY"), Target::Any);
        assert_eq!(
            book.resolve("Nokia"),
            Target::Named {
                name: "Nokia".into(),
                ticker: String::new(),
                aliases: vec![
                    Alias::new("Nokia", Case::AnyForm),
                    Alias::new("$Nokia", Case::AnyForm)
                ]
            }
        );
        let raadr = book.resolve("Raadr (Telvantis)");
        assert_eq!(raadr.name(), "Raadr");
        assert!(focus_of("Telvantis signs a deal.", "Raadr (Telvantis)", 0).relevance > 0);
    }

    #[test]
    fn listed_names_tickers_and_dot_com_names_are_found() {
        for (text, target) in [
            ("JD.com reported strong growth.", "JD"),
            ("JD.com reported strong growth.", "JD.com"),
            ("Shares of JD rose.", "JD.com"),
            ("$JD up.", "jd.com"),
            ("Alibaba Group Holding Ltd. rose.", "BABA"),
            ("GME to the moon.", "GameStop"),
            ("Allstate (NYSE: ALL) rose.", "ALL"),
            ("ALL of it.", "ALL"),
        ] {
            assert!(focus_of(text, target, 0).relevance > 0, "{text} / {target}");
        }
    }

    #[test]
    fn ordinary_words_are_not_mentions() {
        for (text, target) in [
            // A plain ticker, not asked for, needs a company context.
            ("ALL of it.", "Allstate"),
            ("all of it.", "ALL"),
            // A plain name needs a capital letter.
            ("The price target was cut.", "Target"),
            // Table names match as words, not as stems.
            ("Their cooperation grew.", "Cooper"),
        ] {
            assert_eq!(focus_of(text, target, 0).relevance, 0, "{text} / {target}");
        }
        for (text, target) in [
            ("NYSE: ALL rose.", "Allstate"),
            ("ALL shares rose.", "Allstate"),
            ("Allstate said ALL is cheap.", "Allstate"),
            ("Target cut prices.", "Target"),
            ("Cooper rose.", "Cooper"),
        ] {
            assert!(focus_of(text, target, 0).relevance > 0, "{text} / {target}");
        }
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
        // A plain entry must be one of the entry's own names.
        let plain = "[[target]]\nname = \"A\"\naliases = [\"Ab\"]\nplain = [\"Ab\",\n  \"Zz\"]\n";
        let err = TargetBook::parse(plain, "t.toml").unwrap_err();
        assert_eq!(err.line, 5, "{err}");
        assert!(err.reason.contains("plain entry \"Zz\""), "{err}");
    }

    #[test]
    fn a_problem_with_the_whole_file_has_no_line_number() {
        let missing = DataFile::Disk("/nonexistent/targets.toml".into());
        let err = TargetBook::load(&missing).unwrap_err().to_string();
        assert!(err.starts_with("/nonexistent/targets.toml: "), "{err}");
    }
}
