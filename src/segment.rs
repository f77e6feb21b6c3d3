//! Stage 2's word filter for Chinese: a run of CJK characters (one token each from the
//! tokenizer) becomes the words jieba finds in it, each token keeping its byte offsets, so every
//! later stage, lexicon entry and alias reads Chinese by words, as it reads English.

use std::sync::OnceLock;

use jieba_rs::Jieba;

use crate::tokenize::{Token, TokenKind, Tokenizer, is_cjk};

/// The segmenter and its built-in dictionary, loaded on the first Chinese text (about 0.1 s).
fn jieba() -> &'static Jieba {
    static JIEBA: OnceLock<Jieba> = OnceLock::new();
    JIEBA.get_or_init(Jieba::new)
}

/// The words of a run of CJK characters, as byte ranges within it. The hidden Markov model joins
/// characters the dictionary lacks ("营收"), the same way wherever they occur. The runs of the
/// built-in data files were cut when the binary was built, so English read with the defaults
/// never loads the dictionary.
pub fn words(run: &str, out: &mut Vec<(u32, u32)>) {
    out.clear();
    let built_in = crate::data::CJK_WORDS.binary_search_by(|(r, _)| (*r).cmp(run));
    match built_in {
        Ok(i) => out.extend_from_slice(crate::data::CJK_WORDS[i].1),
        Err(_) => {
            let tokens = jieba().cut(run, true);
            out.extend(
                tokens
                    .iter()
                    .map(|t| (t.byte_start as u32, t.byte_end as u32)),
            );
        }
    }
}

/// How many words of two or more characters the dictionary finds in `text` (its first 4,000
/// characters): how much it reads as Chinese, to tell a right decoding from a wrong one.
pub fn dictionary_words(text: &str) -> usize {
    let sample = text
        .char_indices()
        .nth(4000)
        .map_or(text, |(i, _)| &text[..i]);
    (jieba().cut(sample, false).iter())
        .filter(|t| t.word.chars().nth(1).is_some_and(is_cjk))
        .count()
}

/// Tokens with each CJK run replaced by its words; `cut` gives a run's words (see [`words`]),
/// so that a caller can cache them.
pub struct Segmented<'t, C> {
    tokens: Tokenizer<'t>,
    text: &'t str,
    cut: C,
    /// The token after the run being handed out.
    next: Option<Token>,
    run_start: usize,
    words: Vec<(u32, u32)>,
    word: usize,
}

impl<'t, C: FnMut(&str, &mut Vec<(u32, u32)>)> Segmented<'t, C> {
    pub fn new(text: &'t str, cut: C) -> Self {
        Segmented {
            tokens: Tokenizer::new(text),
            text,
            cut,
            next: None,
            run_start: 0,
            words: Vec::new(),
            word: 0,
        }
    }
}

/// How a run of CJK characters is cut into words: byte ranges within the run into the vector.
pub type Cut = fn(&str, &mut Vec<(u32, u32)>);

/// [`Segmented`] with an uncached segmenter, for short texts such as lexicon entries and aliases.
pub fn segmented(text: &str) -> Segmented<'_, Cut> {
    Segmented::new(text, words)
}

impl<C: FnMut(&str, &mut Vec<(u32, u32)>)> Iterator for Segmented<'_, C> {
    type Item = Token;

    fn next(&mut self) -> Option<Token> {
        if let Some(&(start, end)) = self.words.get(self.word) {
            self.word += 1;
            return Some(Token {
                start: self.run_start + start as usize,
                end: self.run_start + end as usize,
                kind: TokenKind::Cjk,
            });
        }
        let first = self.next.take().or_else(|| self.tokens.next())?;
        if first.kind != TokenKind::Cjk {
            return Some(first);
        }
        let mut end = first.end;
        for token in self.tokens.by_ref() {
            if token.kind == TokenKind::Cjk && token.start == end {
                end = token.end;
            } else {
                self.next = Some(token);
                break;
            }
        }
        if end == first.end {
            return Some(first);
        }
        self.run_start = first.start;
        (self.cut)(&self.text[first.start..end], &mut self.words);
        self.word = 0;
        self.next()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words_of(text: &str) -> Vec<&str> {
        segmented(text).map(|t| &text[t.start..t.end]).collect()
    }

    #[test]
    fn chinese_runs_become_words_with_their_byte_offsets() {
        assert_eq!(
            words_of("阿里巴巴股价大跌，投资者信心受挫。"),
            [
                "阿里巴巴",
                "股价",
                "大跌",
                "，",
                "投资者",
                "信心",
                "受挫",
                "。"
            ]
        );
        assert_eq!(words_of("营收大幅增长"), ["营收", "大幅", "增长"]);
    }

    #[test]
    fn mixed_text_keeps_english_words_and_cashtags() {
        assert_eq!(
            words_of("$BABA 我不看好阿里 shares fell"),
            ["$BABA", "我", "不", "看好", "阿里", "shares", "fell"]
        );
    }
}
