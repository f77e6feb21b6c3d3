//! Multi-word matching on stem codes, in one linear pass with aho-corasick.
//!
//! Each token becomes three bytes: the first has its high bit set and no other byte does, so a
//! match can only start on a token boundary. Breaks and unlisted words encode as code 0, which
//! no pattern contains, so no phrase spans a clause, sentence or unknown word.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

use crate::text::analyze::{AnalyzedToken, MAX_CODE};

const BYTES_PER_TOKEN: usize = 3;
/// Above this many patterns the matcher is not a DFA (see [`PhraseMatcher::new`]).
const DFA_MAX_PATTERNS: usize = 2_000;

fn push_code(code: u32, out: &mut Vec<u8>) {
    out.push(0x80 | ((code >> 14) & 0x7F) as u8);
    out.push(((code >> 7) & 0x7F) as u8);
    out.push((code & 0x7F) as u8);
}

/// Encodes the tokens of one text for [`PhraseMatcher::find`].
pub fn encode(tokens: &[AnalyzedToken], out: &mut Vec<u8>) {
    out.clear();
    out.reserve(tokens.len() * BYTES_PER_TOKEN);
    for t in tokens {
        push_code(t.code, out);
    }
}

/// A phrase found in the text, as a token range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PhraseMatch {
    pub pattern: usize,
    pub start: usize,
    pub end: usize,
}

/// Finds the leftmost-longest, non-overlapping occurrences of code sequences, or every
/// occurrence ([`PhraseMatcher::overlapping`]).
#[derive(Clone, Debug)]
pub struct PhraseMatcher {
    automaton: Option<AhoCorasick>,
}

impl PhraseMatcher {
    /// Every pattern must be non-empty with codes in `1..=MAX_CODE`.
    pub fn new(patterns: &[Vec<u32>]) -> Self {
        Self::build(patterns, MatchKind::LeftmostLongest)
    }

    /// A matcher whose [`find`](Self::find) reports every occurrence of every pattern, for a
    /// caller that checks each match before it chooses among overlapping ones.
    pub fn overlapping(patterns: &[Vec<u32>]) -> Self {
        Self::build(patterns, MatchKind::Standard)
    }

    fn build(patterns: &[Vec<u32>], match_kind: MatchKind) -> Self {
        if patterns.is_empty() {
            return PhraseMatcher { automaton: None };
        }
        let encoded: Vec<Vec<u8>> = patterns
            .iter()
            .map(|p| {
                debug_assert!(!p.is_empty() && p.iter().all(|&c| c > 0 && c <= MAX_CODE));
                let mut bytes = Vec::with_capacity(p.len() * BYTES_PER_TOKEN);
                for &code in p {
                    push_code(code, &mut bytes);
                }
                bytes
            })
            .collect();
        // A DFA takes one table lookup per byte, but its table grows with the patterns: for the
        // shipped lexicons' 2,980 it took 5.5 MB more than the default automaton and was 7%
        // slower on 20 MB of the bench corpus, its table no longer in cache. Larger lexicons get
        // the default, smaller automaton.
        // The tokens' first bytes all look alike, so a prefilter has no rare byte to skip to.
        let kind = (patterns.len() <= DFA_MAX_PATTERNS).then_some(AhoCorasickKind::DFA);
        let automaton = AhoCorasickBuilder::new()
            .match_kind(match_kind)
            .kind(kind)
            .prefilter(false)
            .build(&encoded)
            .expect("phrase patterns are small and valid");
        PhraseMatcher {
            automaton: Some(automaton),
        }
    }

    pub fn find(&self, encoded: &[u8], out: &mut Vec<PhraseMatch>) {
        out.clear();
        let Some(automaton) = &self.automaton else {
            return;
        };
        let found = |m: aho_corasick::Match| PhraseMatch {
            pattern: m.pattern().as_usize(),
            start: m.start() / BYTES_PER_TOKEN,
            end: m.end() / BYTES_PER_TOKEN,
        };
        if automaton.match_kind() == MatchKind::Standard {
            out.extend(automaton.find_overlapping_iter(encoded).map(found));
        } else {
            out.extend(automaton.find_iter(encoded).map(found));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::tokenize::{Token, TokenKind};

    fn tokens(codes: &[u32]) -> Vec<AnalyzedToken> {
        codes
            .iter()
            .map(|&code| AnalyzedToken {
                token: Token {
                    start: 0,
                    end: 1,
                    kind: TokenKind::Word,
                },
                code,
                word: crate::text::analyze::NO_WORD,
            })
            .collect()
    }

    #[test]
    fn longest_phrase_wins_and_matches_align_to_tokens() {
        let matcher = PhraseMatcher::new(&[vec![1], vec![1, 2, 3], vec![2]]);
        let mut bytes = Vec::new();
        encode(&tokens(&[5, 1, 2, 3, 2, 1]), &mut bytes);
        let mut found = Vec::new();
        matcher.find(&bytes, &mut found);
        let spans: Vec<(usize, usize, usize)> =
            found.iter().map(|m| (m.pattern, m.start, m.end)).collect();
        assert_eq!(spans, [(1, 1, 4), (2, 4, 5), (0, 5, 6)]);
    }

    #[test]
    fn codes_with_shared_low_bytes_do_not_match_across_tokens() {
        // 128 encodes as 0x80 0x01 0x00: its tail must never look like the start of code 1.
        let matcher = PhraseMatcher::new(&[vec![1]]);
        let mut bytes = Vec::new();
        encode(&tokens(&[128, 16384 + 1]), &mut bytes);
        let mut found = Vec::new();
        matcher.find(&bytes, &mut found);
        assert!(found.is_empty());
    }

    #[test]
    fn unknown_words_break_phrases() {
        let matcher = PhraseMatcher::new(&[vec![1, 2]]);
        let mut bytes = Vec::new();
        encode(&tokens(&[1, 0, 2]), &mut bytes);
        let mut found = Vec::new();
        matcher.find(&bytes, &mut found);
        assert!(found.is_empty());
    }

    #[test]
    fn large_lexicons_match_as_small_ones_do() {
        // Past DFA_MAX_PATTERNS the automaton changes kind; the matches must not.
        let small = vec![vec![1], vec![1, 2, 3], vec![2]];
        let mut large = small.clone();
        large.extend((0..DFA_MAX_PATTERNS as u32).map(|i| vec![1000 + i, 7]));
        let mut bytes = Vec::new();
        encode(&tokens(&[5, 1, 2, 3, 2, 1, 1000, 7]), &mut bytes);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        PhraseMatcher::new(&small).find(&bytes, &mut a);
        PhraseMatcher::new(&large).find(&bytes, &mut b);
        assert_eq!(b[..a.len()], a);
        assert_eq!(
            b[a.len()..],
            [PhraseMatch {
                pattern: 3,
                start: 6,
                end: 8
            }]
        );
    }
}
