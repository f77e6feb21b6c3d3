//! Part of stage 4: finding a company's mentions. Its aliases are matched on stem codes in one
//! pass, and a match counts only where its words are written as the alias's case asks (a plain
//! word needs company context).

use crate::read::company::{Alias, Case, EXCHANGES};
use crate::read::phrase::{PhraseMatch, PhraseMatcher};
use crate::read::target::Target;
use crate::text::analyze::{AnalyzedToken, Codebook, StemFilter, phrase_stems};
use crate::text::segment::segmented;
use crate::text::tokenize::normalize_into;

/// Alias patterns of many companies in one automaton, each pattern with its company and case.
#[derive(Clone, Debug)]
pub struct Companies {
    matcher: AliasMatcher,
    targets: Vec<Target>,
}

impl Companies {
    pub(super) fn compile(
        targets: Vec<Target>,
        codebook: &mut Codebook,
        stem: &StemFilter,
    ) -> Companies {
        let mut builder = AliasMatcher::builder();
        for (owner, target) in targets.iter().enumerate() {
            if let Target::Named { aliases, .. } = target {
                for alias in aliases {
                    builder.add(alias, owner as u32, codebook, stem);
                }
            }
        }
        Companies {
            matcher: builder.build(),
            targets,
        }
    }

    pub fn targets(&self) -> &[Target] {
        &self.targets
    }

    /// Every mention of these companies, as written by their aliases' cases, into `out`.
    pub fn find(&self, text: &TextView, out: &mut Vec<CompanyMention>) {
        self.matcher.find(text, out);
    }
}

/// What alias matching reads of an article: its stem codes as bytes, its tokens and its text.
#[derive(Clone, Copy)]
pub struct TextView<'a> {
    pub encoded: &'a [u8],
    pub tokens: &'a [AnalyzedToken],
    pub text: &'a str,
}

/// A mention of one of several companies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CompanyMention {
    pub owner: u32,
    pub at: PhraseMatch,
}

/// Alias patterns on stem codes, each with an owner, its words and the case it must be written
/// in. The automaton finds stems; a match counts only when its words are the alias's own
/// (stems would let "Cooper" match "cooperation" and "Pool" match "pooling").
#[derive(Clone, Debug)]
struct AliasMatcher {
    matcher: PhraseMatcher,
    cases: Vec<Case>,
    owners: Vec<u32>,
    /// Each pattern's words, normalized, each followed by a unit separator.
    words: Vec<Box<str>>,
}

struct AliasMatcherBuilder {
    patterns: Vec<Vec<u32>>,
    cases: Vec<Case>,
    owners: Vec<u32>,
    words: Vec<Box<str>>,
}

/// A word as alias words are compared: normalized, without a possessive.
fn push_alias_word(raw: &str, buf: &mut String, out: &mut String) {
    normalize_into(raw, buf);
    out.push_str(buf.strip_suffix("'s").unwrap_or(buf));
    out.push('\u{1f}');
}

impl AliasMatcher {
    fn builder() -> AliasMatcherBuilder {
        AliasMatcherBuilder {
            patterns: Vec::new(),
            cases: Vec::new(),
            owners: Vec::new(),
            words: Vec::new(),
        }
    }

    fn find(&self, text: &TextView, out: &mut Vec<CompanyMention>) {
        let mut found = Vec::new();
        self.matcher.find(text.encoded, &mut found);
        out.clear();
        out.extend(found.into_iter().map(|at| CompanyMention {
            owner: self.owners[at.pattern],
            at,
        }));
        let (mut buf, mut words) = (String::new(), String::new());
        out.retain(|m| {
            let case = self.cases[m.at.pattern];
            if case == Case::AnyForm {
                return true;
            }
            words.clear();
            for t in &text.tokens[m.at.start..m.at.end] {
                push_alias_word(&text.text[t.token.start..t.token.end], &mut buf, &mut words);
            }
            *self.words[m.at.pattern] == *words && written_in(case, text, m.at)
        });
        // Of the mentions that hold, the leftmost-longest ones that do not overlap.
        out.sort_by_key(|m| (m.at.start, std::cmp::Reverse(m.at.end), m.at.pattern));
        let mut end = 0;
        out.retain(|m| {
            let keep = m.at.start >= end;
            if keep {
                end = m.at.end;
            }
            keep
        });
        // A plain ticker or a product counts where its company is named in some other way.
        let needs_context = |m: &CompanyMention| match self.cases[m.at.pattern] {
            Case::CapitalsInContext | Case::CapitalizedInContext => true,
            Case::CapitalizedAsName => !after_lower_case_word(text, m.at),
            _ => false,
        };
        let mut named: Vec<u32> = (out.iter())
            .filter(|m| !needs_context(m))
            .map(|m| m.owner)
            .collect();
        named.sort_unstable();
        out.retain(|m| {
            !needs_context(m)
                || named.binary_search(&m.owner).is_ok()
                || in_company_context(text, m.at)
        });
    }
}

impl AliasMatcherBuilder {
    /// An alias whose stems no longer get a code (only after millions of distinct stems) is
    /// left out rather than matched wrongly.
    fn add(&mut self, alias: &Alias, owner: u32, codebook: &mut Codebook, stem: &StemFilter) {
        let stems = phrase_stems(&alias.text, stem);
        if let Some(codes) = codebook.intern_all(&stems).filter(|c| !c.is_empty()) {
            let (mut buf, mut words) = (String::new(), String::new());
            for t in segmented(&alias.text).filter(|t| !t.is_break()) {
                push_alias_word(&alias.text[t.start..t.end], &mut buf, &mut words);
            }
            self.patterns.push(codes);
            self.cases.push(alias.case);
            self.owners.push(owner);
            self.words.push(words.into());
        }
    }

    fn build(self) -> AliasMatcher {
        AliasMatcher {
            matcher: PhraseMatcher::overlapping(&self.patterns),
            cases: self.cases,
            owners: self.owners,
            words: self.words,
        }
    }
}

/// The raw text of a token, without a trailing possessive ("GME's").
fn raw<'t>(text: &'t TextView, token: &AnalyzedToken) -> &'t str {
    let word = &text.text[token.token.start..token.token.end];
    word.strip_suffix("'s")
        .or_else(|| word.strip_suffix("\u{2019}s"))
        .unwrap_or(word)
}

/// Whether the matched tokens are written as `case` asks.
fn written_in(case: Case, text: &TextView, at: PhraseMatch) -> bool {
    let tokens = &text.tokens[at.start..at.end];
    match case {
        Case::AnyForm | Case::Any => true,
        Case::Capitalized | Case::CapitalizedAsName | Case::CapitalizedInContext => tokens
            .iter()
            .all(|t| !raw(text, t).chars().next().is_some_and(char::is_lowercase)),
        Case::Capitals | Case::CapitalsInContext => tokens
            .iter()
            .all(|t| !raw(text, t).chars().any(char::is_lowercase)),
    }
}

/// Whether `alias` already matches `typed` as the user wrote it, or is the company's own rule for
/// that word (one that needs company context).
pub(super) fn covers(alias: &Alias, typed: &str) -> bool {
    let starts_upper = typed.chars().next().is_some_and(char::is_uppercase);
    alias.text.eq_ignore_ascii_case(typed)
        && match alias.case {
            Case::AnyForm | Case::Any => true,
            Case::Capitalized => starts_upper,
            Case::Capitals => !typed.chars().any(char::is_lowercase),
            Case::CapitalizedAsName | Case::CapitalizedInContext | Case::CapitalsInContext => true,
        }
}

/// Whether the word before the match is in lower case, or a comma: a capitalized word there is
/// a name in running prose ("with Apple", "SoftBank, Amazon"), not a sentence's or a
/// headline's first word.
fn after_lower_case_word(text: &TextView, at: PhraseMatch) -> bool {
    let Some(before) = at.start.checked_sub(1).and_then(|i| text.tokens.get(i)) else {
        return false;
    };
    let word = &text.text[before.token.start..before.token.end];
    let between = &text.text[before.token.end..text.tokens[at.start].token.start];
    !between.contains('\n')
        && (matches!(word, "," | ";" | "&") || word.chars().next().is_some_and(char::is_lowercase))
}

/// Words after a ticker that say it is one.
const TICKER_WORDS: &[&str] = &[
    "shares", "stock", "stocks", "calls", "puts", "options", "adr", "adrs", "股价", "股票", "股份",
];

/// Whether a ticker stands where only a ticker would: after an exchange name ("NYSE: ALL"),
/// alone in parentheses ("(ALL)") or before a word such as "shares".
fn in_company_context(text: &TextView, at: PhraseMatch) -> bool {
    let word = |i: usize| {
        text.tokens
            .get(i)
            .map(|t| &text.text[t.token.start..t.token.end])
    };
    let before = at.start.checked_sub(1).and_then(word);
    let before2 = at.start.checked_sub(2).and_then(word);
    let after = word(at.end);
    let exchange =
        |w: Option<&str>| w.is_some_and(|w| EXCHANGES.contains(&w.to_ascii_lowercase().as_str()));
    exchange(before)
        || (before == Some(":") && exchange(before2))
        || (matches!(before, Some("(" | "（")) && matches!(after, Some(")" | "）")))
        || after.is_some_and(|w| TICKER_WORDS.contains(&w.to_ascii_lowercase().as_str()))
}

/// Finds mentions of one target.
#[derive(Clone, Debug)]
pub struct TargetMatcher {
    matcher: Option<AliasMatcher>,
}

impl TargetMatcher {
    pub fn compile(target: &Target, codebook: &mut Codebook, stem: &StemFilter) -> Self {
        let Target::Named { aliases, .. } = target else {
            return TargetMatcher { matcher: None };
        };
        let mut builder = AliasMatcher::builder();
        for alias in aliases {
            builder.add(alias, 0, codebook, stem);
        }
        TargetMatcher {
            matcher: Some(builder.build()),
        }
    }

    pub fn is_any(&self) -> bool {
        self.matcher.is_none()
    }

    pub fn find(&self, text: &TextView, out: &mut Vec<PhraseMatch>) {
        out.clear();
        if let Some(m) = &self.matcher {
            let mut found = Vec::new();
            m.find(text, &mut found);
            out.extend(found.iter().map(|m| m.at));
        }
    }
}
