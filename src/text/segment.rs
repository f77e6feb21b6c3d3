//! Stage 2's word filter for Chinese: a run of CJK characters (one token each from the
//! tokenizer) becomes the words jieba finds in it, each token keeping its byte offsets, so every
//! later stage, lexicon entry and alias reads Chinese by words, as it reads English.

use crate::language::cut_unspaced;
use crate::text::tokenize::{Token, TokenKind, Tokenizer};

/// Tokens with each CJK run replaced by its words; `cut` gives a run's words (see
/// [`cut_unspaced`]), so that a caller can cache them.
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
    Segmented::new(text, cut_unspaced)
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
