//! Stage 2: split text into tokens that keep their byte offsets into the original text.
//!
//! The tokenizer is a single forward scan with constant look-ahead, so its cost is linear in the
//! text. It emits breaks as tokens too: lexicon phrases and negation windows never cross a
//! clause break, and sentence and paragraph breaks drive target weighting downstream.

use crate::language::{is_cjk, simplified};

/// What a token is. Words and numbers carry meaning; breaks carry structure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// Letters or digits, possibly with internal apostrophes or dots ("isn't", "u.s.", "9988.hk").
    Word,
    /// Starts with a digit and has no letters ("3.5%", "1,000").
    Number,
    /// One Han or Kana character: CJK text has no spaces, so each character is a token.
    Cjk,
    /// An emoji or pictograph, kept because it signals an informal voice.
    Symbol,
    /// A web address, kept whole so its dots and slashes neither split sentences nor make words.
    Url,
    /// `,` `;` `:` dashes and brackets.
    ClauseBreak,
    /// `.` `!` `?` and their CJK forms; the character is kept for style features.
    SentenceBreak(char),
    /// A line break: scraped articles put one paragraph on each line.
    ParagraphBreak,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub start: usize,
    pub end: usize,
    pub kind: TokenKind,
}

impl Token {
    pub fn is_break(&self) -> bool {
        matches!(
            self.kind,
            TokenKind::ClauseBreak | TokenKind::SentenceBreak(_) | TokenKind::ParagraphBreak
        )
    }
}

/// Iterator over the tokens of one text.
pub struct Tokenizer<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Tokenizer<'a> {
    pub fn new(text: &'a str) -> Self {
        Tokenizer { text, pos: 0 }
    }

    fn char_at(&self, pos: usize) -> Option<char> {
        self.text.get(pos..).and_then(|s| s.chars().next())
    }

    /// The end of a web address starting at `start`, if one does.
    fn url_end(&self, start: usize) -> Option<usize> {
        let rest = self.text.as_bytes().get(start..)?;
        if !matches!(rest.first(), Some(b'h' | b'H' | b'w' | b'W')) {
            return None;
        }
        let prefix = |p: &[u8]| rest.len() >= p.len() && rest[..p.len()].eq_ignore_ascii_case(p);
        if !(prefix(b"http://") || prefix(b"https://") || prefix(b"www.")) {
            return None;
        }
        let len = self.text[start..]
            .find(|c: char| {
                c.is_whitespace() || matches!(c, '"' | '<' | '>' | '\u{201C}' | '\u{201D}')
            })
            .unwrap_or(self.text.len() - start);
        let url = self.text[start..start + len]
            .trim_end_matches(['.', ',', ';', ':', ')', '!', '?', '\'']);
        Some(start + url.len())
    }

    /// The end of a signed percentage ("+9%", "-1.5%") starting at `start`: a move stated as a
    /// number keeps its sign, which is what it says about the holder.
    fn signed_percent_end(&self, start: usize) -> Option<usize> {
        let bytes = self.text.as_bytes();
        let signed = matches!(bytes[start], b'+' | b'-');
        if !signed || !bytes.get(start + 1).is_some_and(u8::is_ascii_digit) {
            return None;
        }
        if self.text[..start]
            .chars()
            .next_back()
            .is_some_and(is_word_char)
        {
            return None;
        }
        let end = self.scan_word(start + 1);
        let number = &self.text[start + 1..end];
        (number.ends_with('%') && !number.chars().any(char::is_alphabetic)).then_some(end)
    }

    /// Scans a word or number starting at `start`, applying the in-word rules for apostrophes,
    /// dots, commas and percent signs. Returns the end offset.
    fn scan_word(&self, start: usize) -> usize {
        let text = self.text;
        let mut pos = start;
        if text.as_bytes()[pos] == b'$' {
            pos += 1;
        }
        // Length in chars of the current dot-separated segment, and whether it has lowercase.
        let mut segment_len = 0usize;
        let mut segment_has_lower = false;
        let mut dotted = false;
        let mut prev: Option<char> = None;
        let bytes = text.as_bytes();
        loop {
            // ASCII letters and digits, nearly every character of a word, without decoding.
            while let Some(&b) = bytes.get(pos).filter(|b| b.is_ascii_alphanumeric()) {
                segment_len += 1;
                segment_has_lower |= b.is_ascii_lowercase();
                prev = Some(b as char);
                pos += 1;
            }
            let Some(c) = self.char_at(pos) else {
                break;
            };
            let width = c.len_utf8();
            if is_word_char(c) {
                segment_len += 1;
                segment_has_lower |= c.is_lowercase();
                prev = Some(c);
                pos += width;
                continue;
            }
            let next = self.char_at(pos + width);
            let prev_is_digit = prev.is_some_and(|p| p.is_ascii_digit());
            match c {
                '\'' | '\u{2019}' | '\u{02BC}' if next.is_some_and(is_letter) && prev.is_some() => {
                }
                '.' if prev_is_digit && next.is_some_and(|n| n.is_ascii_digit()) => {}
                // "JD.com", "Amazon.com": a company name, not the end of a sentence.
                '.' if prev.is_some_and(is_letter) && is_dot_com(&bytes[pos..]) => {}
                '.' if next.is_some_and(|n| n.is_uppercase() || n.is_ascii_digit())
                    && !segment_has_lower
                    && prev.is_some() =>
                {
                    dotted = true;
                    segment_len = 0;
                }
                '.' if segment_len == 1
                    && next.is_some_and(is_letter)
                    && self.char_at(pos + width + next.map_or(0, char::len_utf8)) == Some('.') =>
                {
                    dotted = true;
                    segment_len = 0;
                }
                // The closing dot of an abbreviation such as "U.S." belongs to the word.
                '.' if dotted && segment_len == 1 => return pos + width,
                ',' if prev_is_digit && next.is_some_and(|n| n.is_ascii_digit()) => {}
                // "non-GAAP", "non-core": the prefix is part of the word, not a negation.
                '-' if next.is_some_and(is_letter)
                    && text[start..pos].eq_ignore_ascii_case("non") => {}
                '%' if prev_is_digit => return pos + width,
                _ => return pos,
            }
            prev = Some(c);
            pos += width;
        }
        pos
    }
}

impl Iterator for Tokenizer<'_> {
    type Item = Token;

    fn next(&mut self) -> Option<Token> {
        loop {
            // Spaces, tabs and lone carriage returns separate tokens and are nothing themselves.
            let bytes = self.text.as_bytes();
            while matches!(bytes.get(self.pos), Some(b' ' | b'\t' | b'\r')) {
                self.pos += 1;
            }
            let start = self.pos;
            let c = self.char_at(start)?;
            let width = c.len_utf8();
            // Tokens read whole before any character rule: web addresses and signed percentages.
            let whole = self
                .url_end(start)
                .map(|end| (end, TokenKind::Url))
                .or_else(|| {
                    self.signed_percent_end(start)
                        .map(|end| (end, TokenKind::Number))
                });
            if let Some((end, kind)) = whole {
                self.pos = end;
                return Some(Token { start, end, kind });
            }
            let kind = if is_cjk(c) {
                TokenKind::Cjk
            } else if is_word_char(c)
                || (c == '$' && self.char_at(start + 1).is_some_and(is_letter))
            {
                let end = self.scan_word(start);
                self.pos = end;
                let body = &self.text[start..end];
                let kind = if c.is_ascii_digit() && !body.chars().any(char::is_alphabetic) {
                    TokenKind::Number
                } else {
                    TokenKind::Word
                };
                return Some(Token { start, end, kind });
            } else if let Some(kind) = break_kind(c) {
                // Runs such as "..." or "?!" or "\r\n" form one break.
                let mut end = start + width;
                while let Some(n) = self.char_at(end) {
                    if break_kind(n) == Some(kind)
                        || (kind == TokenKind::ParagraphBreak && n == '\r')
                    {
                        end += n.len_utf8();
                    } else {
                        break;
                    }
                }
                self.pos = end;
                return Some(Token { start, end, kind });
            } else if is_symbol(c) {
                TokenKind::Symbol
            } else {
                self.pos += width;
                continue;
            };
            self.pos += width;
            return Some(Token {
                start,
                end: start + width,
                kind,
            });
        }
    }
}

/// Whether `rest` starts with ".com" and the word ends there.
fn is_dot_com(rest: &[u8]) -> bool {
    rest.len() >= 4
        && rest[1..4].eq_ignore_ascii_case(b"com")
        && !rest.get(4).is_some_and(u8::is_ascii_alphanumeric)
}

fn is_letter(c: char) -> bool {
    c.is_alphabetic() && !is_cjk(c)
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() && !is_cjk(c)
}

/// Han ideographs and Japanese kana. Hangul is written with spaces and stays in words.
/// A byte that matters for quoting: a double quotation mark, or a line break (which ends any
/// quote a stray mark left open).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QuoteMark {
    /// `"`: opens or closes, by parity.
    Straight,
    /// U+201C.
    Opening,
    /// U+201D.
    Closing,
    LineBreak,
}

/// The quotation marks and line breaks of `text` with their byte offsets, found by their UTF-8
/// bytes (U+201C and U+201D are E2 80 9C and E2 80 9D) without decoding the text.
pub fn quote_marks(text: &str) -> impl Iterator<Item = (usize, QuoteMark)> + '_ {
    let bytes = text.as_bytes();
    memchr::memchr3_iter(b'"', b'\n', 0xE2, bytes).filter_map(move |i| match bytes[i] {
        b'"' => Some((i, QuoteMark::Straight)),
        b'\n' => Some((i, QuoteMark::LineBreak)),
        _ => match bytes.get(i + 1..i + 3) {
            Some([0x80, 0x9C]) => Some((i, QuoteMark::Opening)),
            Some([0x80, 0x9D]) => Some((i, QuoteMark::Closing)),
            _ => None,
        },
    })
}

fn is_symbol(c: char) -> bool {
    matches!(c as u32, 0x1F000..=0x1FAFF | 0x2600..=0x27BF | 0x2B00..=0x2BFF)
}

fn break_kind(c: char) -> Option<TokenKind> {
    match c {
        '\n' | '\u{2029}' => Some(TokenKind::ParagraphBreak),
        // A Chinese semicolon ends a sentence, as a full stop does.
        '.' | '!' | '?' | '\u{3002}' | '\u{FF01}' | '\u{FF1F}' | '\u{2026}' | '\u{FF1B}'
        | '\u{FF0E}' => Some(TokenKind::SentenceBreak(match c {
            '\u{FF01}' => '!',
            '\u{FF1F}' => '?',
            '!' | '?' => c,
            _ => '.',
        })),
        ',' | ';' | ':' | '(' | ')' | '[' | ']' | '\u{2013}' | '\u{2014}' | '\u{FF0C}'
        | '\u{3001}' | '\u{FF1A}' | '\u{FF08}' | '\u{FF09}' | '\u{3010}' | '\u{3011}' | '|' => {
            Some(TokenKind::ClauseBreak)
        }
        _ => None,
    }
}

/// "up%" or "down%" for a signed percentage token ("+9%", "-1.5%"): every rise stated as a
/// number is one term, and every fall another.
pub fn signed_percent_stem(token: &str) -> Option<&'static str> {
    let rest = token.strip_suffix('%')?;
    let (sign, digits) = rest.split_at_checked(1)?;
    if digits.is_empty() || !digits.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    match sign {
        "+" => Some("up%"),
        "-" => Some("down%"),
        _ => None,
    }
}

/// Writes the lowercase form of a token into `out`, folding curly apostrophes to `'` and
/// traditional Chinese characters to simplified.
pub fn normalize_into(raw: &str, out: &mut String) {
    out.clear();
    if raw.is_ascii() {
        out.push_str(raw);
        out.make_ascii_lowercase();
        return;
    }
    for c in raw.chars() {
        match c {
            '\u{2019}' | '\u{02BC}' => out.push('\''),
            // Full-width forms ("１２％", "ＡＩ") read as their ASCII letters, digits and signs.
            '\u{FF01}'..='\u{FF5E}' => {
                let ascii = char::from_u32(c as u32 - 0xFEE0).unwrap_or(c);
                out.push(ascii.to_ascii_lowercase());
            }
            // Traditional Chinese reads as simplified, as capitals read as lower case.
            c if is_cjk(c) => out.push(simplified(c)),
            _ => out.extend(c.to_lowercase()),
        }
    }
}

/// Lowercase word tokens of `text` with their offsets; a convenience for tests and tools.
pub fn words(text: &str) -> Vec<(String, usize, usize)> {
    let mut buf = String::new();
    Tokenizer::new(text)
        .filter(|t| !t.is_break())
        .map(|t| {
            normalize_into(&text[t.start..t.end], &mut buf);
            (buf.clone(), t.start, t.end)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<String> {
        words(text).into_iter().map(|(w, _, _)| w).collect()
    }

    #[test]
    fn keeps_abbreviations_tickers_and_figures_whole() {
        assert_eq!(
            texts("The U.S. rose 3.5% as $BABA and 9988.HK gained 1,000 points."),
            [
                "the", "u.s.", "rose", "3.5%", "as", "$baba", "and", "9988.hk", "gained", "1,000",
                "points"
            ]
        );
    }

    #[test]
    fn signed_percentages_keep_their_sign_and_nothing_else_does() {
        assert_eq!(
            texts("SMPL +9% and TDY -1.5% (+0.9% pre); a 3-5% range, Q3-9%, -7 points, +4"),
            [
                "smpl", "+9%", "and", "tdy", "-1.5%", "+0.9%", "pre", "a", "3", "5%", "range",
                "q3", "9%", "7", "points", "4"
            ]
        );
        assert_eq!(signed_percent_stem("+9%"), Some("up%"));
        assert_eq!(signed_percent_stem("-1.5%"), Some("down%"));
        for other in ["9%", "+9", "+%", "x%", "-a%"] {
            assert_eq!(signed_percent_stem(other), None, "{other}");
        }
    }

    #[test]
    fn abbreviation_dot_is_not_a_sentence_break_but_a_full_stop_is() {
        let kinds: Vec<TokenKind> = Tokenizer::new("In the U.S. it fell. Then")
            .map(|t| t.kind)
            .collect();
        let sentence_breaks = kinds
            .iter()
            .filter(|k| matches!(k, TokenKind::SentenceBreak(_)))
            .count();
        assert_eq!(sentence_breaks, 1);
    }

    #[test]
    fn splits_hyphenated_words_into_parts() {
        assert_eq!(
            texts("open-source and double\u{2011}down"),
            ["open", "source", "and", "double", "down"]
        );
        // Except after "non", which is a prefix of the word it joins.
        assert_eq!(
            texts("Non-GAAP profit, non-core and none-left"),
            ["non-gaap", "profit", "non-core", "and", "none", "left"]
        );
    }

    #[test]
    fn folds_curly_apostrophes_and_keeps_contractions() {
        assert_eq!(
            texts("Alibaba\u{2019}s model isn\u{2019}t dead"),
            ["alibaba's", "model", "isn't", "dead"]
        );
        assert_eq!(texts("‘quoted’ words"), ["quoted", "words"]);
    }

    #[test]
    fn keeps_each_cjk_character_as_a_token() {
        assert_eq!(
            texts("阿里巴巴的通义千问"),
            ["阿", "里", "巴", "巴", "的", "通", "义", "千", "问"]
        );
        assert_eq!(texts("Qwen（通义）up"), ["qwen", "通", "义", "up"]);
    }

    #[test]
    fn decimals_inside_names_stay_in_the_word() {
        assert_eq!(
            texts("Qwen3.5-0.8B is out."),
            ["qwen3.5", "0.8b", "is", "out"]
        );
    }

    #[test]
    fn numbers_are_marked() {
        let kinds: Vec<TokenKind> = Tokenizer::new("3.5% of 9988.HK").map(|t| t.kind).collect();
        assert_eq!(kinds, [TokenKind::Number, TokenKind::Word, TokenKind::Word]);
    }

    #[test]
    fn emits_breaks_for_clauses_sentences_and_lines() {
        let kinds: Vec<TokenKind> = Tokenizer::new("up, down... why?!\nnext")
            .map(|t| t.kind)
            .collect();
        assert_eq!(
            kinds,
            [
                TokenKind::Word,
                TokenKind::ClauseBreak,
                TokenKind::Word,
                TokenKind::SentenceBreak('.'),
                TokenKind::Word,
                TokenKind::SentenceBreak('?'),
                TokenKind::SentenceBreak('!'),
                TokenKind::ParagraphBreak,
                TokenKind::Word,
            ]
        );
    }

    #[test]
    fn urls_are_one_token_and_break_nothing() {
        let tokens: Vec<Token> =
            Tokenizer::new("Cut to Hold https://t.co/AbC.x? Yes. www.x.com/a.").collect();
        let kinds: Vec<TokenKind> = tokens.iter().map(|t| t.kind).collect();
        assert_eq!(
            kinds,
            [
                TokenKind::Word,
                TokenKind::Word,
                TokenKind::Word,
                TokenKind::Url,
                TokenKind::SentenceBreak('?'),
                TokenKind::Word,
                TokenKind::SentenceBreak('.'),
                TokenKind::Url,
                TokenKind::SentenceBreak('.'),
            ]
        );
        assert_eq!(tokens[3].end - tokens[3].start, "https://t.co/AbC.x".len());
    }

    #[test]
    fn emoji_are_symbols() {
        let kinds: Vec<TokenKind> = Tokenizer::new("moon 🚀🚀").map(|t| t.kind).collect();
        assert_eq!(
            kinds,
            [TokenKind::Word, TokenKind::Symbol, TokenKind::Symbol]
        );
    }

    #[test]
    fn offsets_slice_the_original_text() {
        let text = "Alibaba’s 阿里 U.S. $BABA — fine.";
        for t in Tokenizer::new(text) {
            assert!(text.is_char_boundary(t.start) && text.is_char_boundary(t.end));
            assert!(t.start < t.end);
        }
    }

    #[test]
    fn chinese_punctuation_ends_sentences_and_full_width_forms_read_as_ascii() {
        let kinds: Vec<TokenKind> = Tokenizer::new("涨；跌．（好）").map(|t| t.kind).collect();
        assert_eq!(
            kinds,
            [
                TokenKind::Cjk,
                TokenKind::SentenceBreak('.'),
                TokenKind::Cjk,
                TokenKind::SentenceBreak('.'),
                TokenKind::ClauseBreak,
                TokenKind::Cjk,
                TokenKind::ClauseBreak,
            ]
        );
        let mut out = String::new();
        normalize_into("ＡＩ１２", &mut out);
        assert_eq!(out, "ai12");
    }
}
