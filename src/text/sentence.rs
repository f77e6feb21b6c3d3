//! Groups analyzed tokens into sentences and paragraphs.

use crate::text::analyze::AnalyzedToken;
use crate::text::tokenize::TokenKind;

/// A sentence as a range of token indices (breaks excluded).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sentence {
    pub start: usize,
    pub end: usize,
    pub paragraph: usize,
    /// `.`, `!` or `?` when the sentence ended with one.
    pub terminator: Option<char>,
}

impl Sentence {
    pub fn len(&self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }

    /// Byte range of the sentence in the text.
    pub fn span(&self, tokens: &[AnalyzedToken]) -> (usize, usize) {
        (
            tokens[self.start].token.start,
            tokens[self.end - 1].token.end,
        )
    }
}

/// Splits `tokens` into non-empty sentences, appending to `out` (cleared first).
pub fn split(tokens: &[AnalyzedToken], out: &mut Vec<Sentence>) {
    out.clear();
    let mut paragraph = 0;
    let mut start = 0;
    let mut has_content = false;
    for (i, t) in tokens.iter().enumerate() {
        let ends = match t.token.kind {
            TokenKind::SentenceBreak(c) => Some(Some(c)),
            TokenKind::ParagraphBreak => Some(None),
            _ => None,
        };
        if let Some(terminator) = ends {
            if has_content {
                out.push(Sentence {
                    start,
                    end: i,
                    paragraph,
                    terminator,
                });
            } else if let (Some(c), Some(last)) = (terminator, out.last_mut()) {
                // "?!" or a closing quote then "." : the terminator joins the previous sentence.
                if last.paragraph == paragraph && last.terminator != Some('?') {
                    last.terminator = Some(c);
                }
            }
            if t.token.kind == TokenKind::ParagraphBreak
                && has_content_since_paragraph(out, paragraph)
            {
                paragraph += 1;
            }
            start = i + 1;
            has_content = false;
        } else {
            has_content |= !t.token.is_break();
        }
    }
    if has_content {
        out.push(Sentence {
            start,
            end: tokens.len(),
            paragraph,
            terminator: None,
        });
    }
    for s in out.iter_mut() {
        trim(tokens, s);
    }
}

fn has_content_since_paragraph(out: &[Sentence], paragraph: usize) -> bool {
    out.last().is_some_and(|s| s.paragraph == paragraph)
}

/// Drops leading and trailing clause breaks so spans start and end on words.
fn trim(tokens: &[AnalyzedToken], s: &mut Sentence) {
    while s.start < s.end && tokens[s.start].token.is_break() {
        s.start += 1;
    }
    while s.end > s.start && tokens[s.end - 1].token.is_break() {
        s.end -= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::analyze::{Analyzer, Codebook};

    fn sentences(text: &str) -> Vec<(String, usize, Option<char>)> {
        let mut tokens = Vec::new();
        Analyzer::default().analyze(text, &Codebook::new(), &mut tokens);
        let mut out = Vec::new();
        split(&tokens, &mut out);
        out.iter()
            .map(|s| {
                let (a, b) = s.span(&tokens);
                (text[a..b].to_string(), s.paragraph, s.terminator)
            })
            .collect()
    }

    #[test]
    fn splits_on_terminators_and_lines() {
        assert_eq!(
            sentences("Title line\n\nFirst one. Second, here! Why?\nNext para"),
            [
                ("Title line".to_string(), 0, None),
                ("First one".to_string(), 1, Some('.')),
                ("Second, here".to_string(), 1, Some('!')),
                ("Why".to_string(), 1, Some('?')),
                ("Next para".to_string(), 2, None),
            ]
        );
    }

    #[test]
    fn abbreviations_do_not_split_and_cjk_full_stops_do() {
        let s = sentences("The U.S. market rose. 阿里巴巴上涨。好");
        assert_eq!(s.len(), 3);
        assert_eq!(s[0].0, "The U.S. market rose");
    }

    #[test]
    fn question_then_exclamation_keeps_the_question() {
        assert_eq!(sentences("Sell now?!")[0].2, Some('?'));
    }
}
