//! Stage 3: lowercase and stem words, each distinct word once.
//!
//! Stemming every token caps throughput at about 30 MB/s, so a per-thread cache maps each
//! normalized word to its stem's code in the [`Codebook`] (the stems that any lexicon entry,
//! target alias or model term uses). Unknown stems get code 0 and cost one hash lookup.

use rust_stemmers::Stemmer;
use rustc_hash::FxHashMap;

use crate::language::{Language, cut_unspaced};
use crate::text::segment::{Segmented, segmented};
use crate::text::tokenize::{Token, TokenKind, normalize_into, signed_percent_stem};

/// The code of a stem that no lexicon, target or model uses.
pub const UNKNOWN: u32 = 0;
/// Above this many cached words the cache is emptied, so memory stays bounded on any input.
const CACHE_LIMIT: usize = 1 << 20;

/// Stems each word by its language's rules ([`Language`]), after folding the English
/// contractions that carry negation.
pub struct StemFilter {
    snowball: Vec<(Language, Stemmer)>,
}

impl Default for StemFilter {
    fn default() -> Self {
        let snowball = (Language::ALL.into_iter())
            .filter_map(|l| Some((l, Stemmer::create(l.snowball()?))))
            .collect();
        StemFilter { snowball }
    }
}

impl StemFilter {
    /// `word` must already be normalized (lowercase, straight apostrophes).
    pub fn stem(&self, word: &str) -> String {
        if word.ends_with("n't") || word == "cannot" {
            return "not".to_string();
        }
        if word.starts_with('$') {
            return word.strip_suffix("'s").unwrap_or(word).to_string();
        }
        if let Some(stem) = signed_percent_stem(word) {
            return stem.to_string();
        }
        let language = Language::of_word(word);
        let overrides = language.stem_overrides();
        if let Some((_, stem)) = overrides.iter().find(|(w, _)| *w == word) {
            return stem.to_string();
        }
        match self.snowball.iter().find(|(l, _)| *l == language) {
            Some((_, stemmer)) => stemmer.stem(word).into_owned(),
            None => word.to_string(),
        }
    }
}

/// Whether a token is stemmed: words, CJK characters, emoji (each its own stem: a rocket or a
/// red chart is how retail posts say bullish or bearish) and signed percentages (which stem to
/// `up%` / `down%`); other numbers, addresses and punctuation are not.
pub fn has_stem(kind: TokenKind, raw: &str) -> bool {
    match kind {
        TokenKind::Word | TokenKind::Cjk | TokenKind::Symbol => true,
        TokenKind::Number => signed_percent_stem(raw).is_some(),
        _ => false,
    }
}

/// Whether a token is a whole number of up to six digits, which aliases and lexicon phrases may
/// contain ("9988", "S&P 500", "52-week high").
fn is_code_number(kind: TokenKind, raw: &str) -> bool {
    kind == TokenKind::Number && raw.len() <= 6 && raw.bytes().all(|b| b.is_ascii_digit())
}

/// Stems of every word of a phrase, analyzed exactly as article text is.
pub fn phrase_stems(phrase: &str, stem: &StemFilter) -> Vec<String> {
    let mut buf = String::new();
    segmented(phrase)
        .filter(|t| !t.is_break())
        .map(|t| {
            normalize_into(&phrase[t.start..t.end], &mut buf);
            stem.stem(&buf)
        })
        .collect()
}

/// Codes must fit in the 21 bits phrase matching gives a token.
pub const MAX_CODE: u32 = (1 << 21) - 1;

/// Numbers every stem that some downstream stage cares about.
#[derive(Default, Debug, Clone)]
pub struct Codebook {
    codes: FxHashMap<String, u32>,
}

impl Codebook {
    pub fn new() -> Self {
        Codebook {
            codes: FxHashMap::default(),
        }
    }

    /// The code of `stem`, adding it if new; `None` once every code up to [`MAX_CODE`] is taken.
    pub fn intern(&mut self, stem: &str) -> Option<u32> {
        if let Some(&code) = self.codes.get(stem) {
            return Some(code);
        }
        let code = u32::try_from(self.len()).ok().filter(|&c| c <= MAX_CODE)?;
        self.codes.insert(stem.to_string(), code);
        Some(code)
    }

    /// The codes of a phrase's stems; `None` when they do not all fit.
    pub fn intern_all(&mut self, stems: &[String]) -> Option<Vec<u32>> {
        stems.iter().map(|s| self.intern(s)).collect()
    }

    pub fn code(&self, stem: &str) -> u32 {
        self.codes.get(stem).copied().unwrap_or(UNKNOWN)
    }

    /// Codes in use, counting the reserved [`UNKNOWN`].
    pub fn len(&self) -> usize {
        self.codes.len() + 1
    }

    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }
}

/// A token with its stem's code; `code` is [`UNKNOWN`] for breaks and unlisted words.
#[derive(Clone, Copy, Debug)]
pub struct AnalyzedToken {
    pub token: Token,
    pub code: u32,
    /// The normalized word's number in the analyzer's cache ([`NO_WORD`] for other tokens):
    /// equal words have equal numbers within one [`Analyzer::generation`], so later stages can
    /// keep per-word data without hashing the word again.
    pub word: u32,
}

pub const NO_WORD: u32 = u32::MAX;

/// Tells cache generations apart across every analyzer of the process.
static GENERATIONS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

fn next_generation() -> u64 {
    GENERATIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// The per-thread word cache: normalized word to (stem code, word number). Short ASCII words,
/// nearly all of them, are keyed by their lowercased bytes packed in a `u128`: no copy, and a
/// key compare is two integer compares.
pub struct Analyzer {
    stem: StemFilter,
    short: FxHashMap<u128, (u32, u32)>,
    cache: FxHashMap<Box<str>, (u32, u32)>,
    /// Each distinct run of CJK characters seen, with its words' byte ranges: segmenting is
    /// cached as stemming is.
    runs: FxHashMap<Box<str>, Box<[(u32, u32)]>>,
    buf: String,
    generation: u64,
    paragraph_starts: Vec<usize>,
}

/// The lowercased bytes of an ASCII word of 1 to 16 bytes, zero-padded (words hold no NUL).
fn short_key(raw: &str) -> Option<u128> {
    let bytes = raw.as_bytes();
    if bytes.is_empty() || bytes.len() > 16 || !raw.is_ascii() {
        return None;
    }
    let mut packed = [0u8; 16];
    packed[..bytes.len()].copy_from_slice(bytes);
    let v = u128::from_le_bytes(packed);
    // Lowercase all 16 bytes at once: every byte is below 0x80, so no sum carries into the next.
    const EACH: u128 = u128::from_le_bytes([1; 16]);
    let at_least_a = v + EACH * (0x80 - b'A' as u128);
    let above_z = v + EACH * (0x80 - (b'Z' as u128 + 1));
    let upper = at_least_a & !above_z & (EACH * 0x80);
    Some(v | (upper >> 2))
}

impl Default for Analyzer {
    fn default() -> Self {
        Analyzer {
            stem: StemFilter::default(),
            short: FxHashMap::default(),
            cache: FxHashMap::default(),
            runs: FxHashMap::default(),
            buf: String::new(),
            generation: next_generation(),
            paragraph_starts: Vec::new(),
        }
    }
}

impl Analyzer {
    /// Tokenizes `text` into `out` (cleared first), coding each word through `codebook`.
    pub fn analyze(&mut self, text: &str, codebook: &Codebook, out: &mut Vec<AnalyzedToken>) {
        out.clear();
        if self.words() > CACHE_LIMIT {
            self.short.clear();
            self.cache.clear();
            self.runs.clear();
            self.generation = next_generation();
        }
        self.paragraph_starts.clear();
        let mut at_paragraph_start = true;
        let mut runs = std::mem::take(&mut self.runs);
        let cut = |run: &str, out: &mut Vec<(u32, u32)>| match runs.get(run) {
            Some(found) => {
                out.clear();
                out.extend_from_slice(found);
            }
            None => {
                cut_unspaced(run, out);
                runs.insert(run.into(), out.as_slice().into());
            }
        };
        for token in Segmented::new(text, cut) {
            let raw = &text[token.start..token.end];
            let (code, word) = if has_stem(token.kind, raw) {
                self.code(raw, codebook)
            } else if is_code_number(token.kind, raw) {
                // A listing code ("9988", "S&P 500") matches aliases, but is no learned term.
                (codebook.code(raw), NO_WORD)
            } else {
                (UNKNOWN, NO_WORD)
            };
            if at_paragraph_start && token.kind == TokenKind::Word {
                self.paragraph_starts.push(out.len());
            }
            at_paragraph_start = token.kind == TokenKind::ParagraphBreak;
            out.push(AnalyzedToken { token, code, word });
        }
        self.runs = runs;
        mute_datelines(text, out, &self.paragraph_starts);
    }

    /// Identifies the word numbers of the last [`analyze`](Self::analyze).
    pub fn generation(&self) -> u64 {
        self.generation
    }

    fn words(&self) -> usize {
        self.short.len() + self.cache.len() + self.runs.len()
    }

    fn code(&mut self, raw: &str, codebook: &Codebook) -> (u32, u32) {
        let key = short_key(raw);
        let found = match key {
            Some(key) => self.short.get(&key),
            None => {
                normalize_into(raw, &mut self.buf);
                self.cache.get(self.buf.as_str())
            }
        };
        if let Some(&known) = found {
            return known;
        }
        normalize_into(raw, &mut self.buf);
        let known = (
            codebook.code(&self.stem.stem(&self.buf)),
            self.words() as u32,
        );
        match key {
            Some(key) => self.short.insert(key, known),
            None => self.cache.insert(self.buf.as_str().into(), known),
        };
        known
    }
}

const MONTHS: &[&str] = &[
    "jan",
    "feb",
    "mar",
    "apr",
    "may",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "january",
    "february",
    "march",
    "april",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];
/// A dateline's place is one to three capitalized words; its date follows within this many tokens.
const DATELINE_PLACE_WORDS: usize = 3;
const DATELINE_DATE_WITHIN: usize = 8;

/// A wire story's dateline ("SHANGHAI, March 5 (Reuters) -", "FORT LAUDERDALE, FL, April 9,
/// 2024") names where it was filed, not what happened: its place words are not stemmed, so a
/// city that training saw in rallies ("shanghai") does not read bullish.
/// `starts` are the tokens that begin a paragraph with a word.
fn mute_datelines(text: &str, tokens: &mut [AnalyzedToken], starts: &[usize]) {
    let capitalized = |t: &AnalyzedToken| {
        let raw = &text[t.token.start..t.token.end];
        t.token.kind == TokenKind::Word
            && raw.len() >= 2
            && raw.bytes().all(|b| b.is_ascii_uppercase() || b == b'.')
    };
    for &i in starts {
        if !capitalized(&tokens[i]) {
            continue;
        }
        let place = tokens[i..]
            .iter()
            .take(DATELINE_PLACE_WORDS)
            .take_while(|t| capitalized(t))
            .count();
        let comma = tokens.get(i + place).is_some_and(|t| {
            t.token.kind == TokenKind::ClauseBreak && text[t.token.start..].starts_with(',')
        });
        let dated = tokens[i + place..]
            .iter()
            .take(DATELINE_DATE_WITHIN)
            .any(|t| {
                t.token.kind == TokenKind::Word
                    && MONTHS.iter().any(|m| {
                        text[t.token.start..t.token.end]
                            .trim_end_matches('.')
                            .eq_ignore_ascii_case(m)
                    })
            });
        if comma && dated {
            for t in &mut tokens[i..i + place] {
                t.code = UNKNOWN;
                t.word = NO_WORD;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inflections_share_a_stem() {
        let s = StemFilter::default();
        for w in ["strengthen", "strengthened", "strengthening", "strengthens"] {
            assert_eq!(s.stem(w), "strengthen", "{w}");
        }
        assert_eq!(s.stem("investors"), s.stem("investor"));
    }

    #[test]
    fn departure_and_departed_stem_differently_so_lexicons_list_both() {
        let s = StemFilter::default();
        assert_ne!(s.stem("departure"), s.stem("departed"));
        assert_eq!(s.stem("departed"), s.stem("depart"));
    }

    #[test]
    fn overrides_keep_position_apart_from_positive() {
        let s = StemFilter::default();
        assert_ne!(s.stem("position"), s.stem("positive"));
        assert_eq!(s.stem("positions"), s.stem("position"));
        assert_eq!(s.stem("shaken"), s.stem("shake"));
    }

    #[test]
    fn possessives_and_contractions() {
        let s = StemFilter::default();
        assert_eq!(s.stem("alibaba's"), "alibaba");
        assert_eq!(s.stem("isn't"), "not");
        assert_eq!(s.stem("won't"), "not");
        assert_eq!(s.stem("cannot"), "not");
        assert_eq!(s.stem("$baba"), "$baba");
    }

    #[test]
    fn phrases_are_stemmed_word_by_word() {
        let s = StemFilter::default();
        assert_eq!(
            phrase_stems("Confidence of Holding", &s),
            ["confid", "of", "hold"]
        );
        assert_eq!(
            phrase_stems("closed-source pivot", &s),
            ["close", "sourc", "pivot"]
        );
    }

    #[test]
    fn short_keys_fold_case_and_nothing_else() {
        let all: String = (0x21u8..0x7f).map(char::from).collect();
        for chunk in all.as_bytes().chunks(16) {
            let word = std::str::from_utf8(chunk).unwrap();
            let mut expected = [0u8; 16];
            expected[..chunk.len()].copy_from_slice(word.to_ascii_lowercase().as_bytes());
            assert_eq!(
                short_key(word),
                Some(u128::from_le_bytes(expected)),
                "{word}"
            );
        }
        assert_eq!(short_key("Profit"), short_key("PROFIT"));
        assert_eq!(short_key("seventeen-letters"), None);
        assert_eq!(short_key("café"), None);
    }

    #[test]
    fn a_datelines_place_is_not_stemmed_and_a_capitalized_headline_is() {
        let mut codebook = Codebook::new();
        codebook.intern("shanghai");
        codebook.intern("alibaba");
        let mut analyzer = Analyzer::default();
        let mut out = Vec::new();
        let coded = |out: &Vec<AnalyzedToken>, text: &str, word: &str| {
            out.iter()
                .find(|t| text[t.token.start..t.token.end] == *word)
                .map(|t| t.code != UNKNOWN && t.word != NO_WORD)
        };
        for text in [
            "SHANGHAI, March 5 (Reuters) - Shares rose.",
            "Headline\nSHANGHAI, China, Oct. 2, 2025 /PRNewswire/ -- Shares rose.",
        ] {
            analyzer.analyze(text, &codebook, &mut out);
            assert_eq!(coded(&out, text, "SHANGHAI"), Some(false), "{text}");
        }
        // No date after the comma, or not at a paragraph's start: words as usual.
        for text in [
            "ALIBABA, SHANGHAI and others rose.",
            "Shares rose in SHANGHAI, March 5.",
        ] {
            analyzer.analyze(text, &codebook, &mut out);
            assert_eq!(coded(&out, text, "SHANGHAI"), Some(true), "{text}");
        }
    }

    #[test]
    fn analyzer_codes_only_listed_stems() {
        let mut book = Codebook::new();
        let profit = book.intern("profit").unwrap();
        let mut analyzer = Analyzer::default();
        let mut out = Vec::new();
        analyzer.analyze("Profits ROSE, profit", &book, &mut out);
        let codes: Vec<u32> = out.iter().map(|t| t.code).collect();
        assert_eq!(codes, [profit, UNKNOWN, UNKNOWN, profit]);
    }
}
