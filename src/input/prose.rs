//! Whether a text is prose at all: binary data without NUL bytes (decoded with replacement
//! characters), base64, minified JSON and the like are skipped with a message instead of being
//! read as words ("r", "x") and given a confident stance.

/// Texts shorter than this many tokens are too short to judge (a headline, a cashtag tweet).
const FEWEST_TOKENS: usize = 20;
/// Prose has at least this share of word-like tokens; every shared corpus document and
/// statement has at least 0.6 (`prose_share_on_the_corpora` in `tests/hardening.rs`).
const LEAST_WORD_SHARE: f64 = 0.4;
/// Only the start of a long text is judged: its kind shows in the first few thousand tokens.
const SAMPLE_BYTES: usize = 64 << 10;

/// `None` for prose; for anything else, what it looks like instead. A byte count settles most
/// texts: at least a white-space byte per [`SPACED`] bytes and no replacement character is
/// spaced text, which binary, base64 and minified data never are.
pub fn not_prose(text: &str) -> Option<String> {
    let sample = &text[..floor_char_boundary(text, SAMPLE_BYTES)];
    let spaces = sample.bytes().filter(u8::is_ascii_whitespace).count();
    if spaces * SPACED >= sample.len() && !sample.contains('\u{FFFD}') {
        return None;
    }
    let (share, tokens) = word_share(sample)?;
    (share < LEAST_WORD_SHARE).then(|| {
        format!(
            "does not look like text ({:.0}% of its first {tokens} tokens are words; binary, \
             encoded or minified data?), skipped",
            100.0 * share
        )
    })
}

/// Prose in a language written with spaces has a white-space byte at least every this many
/// bytes (English averages one per six).
const SPACED: usize = 12;

/// The share of word-like tokens at the start of `text`, and how many tokens that is; `None`
/// when there are too few to judge.
pub fn word_share(text: &str) -> Option<(f64, usize)> {
    let sample = &text[..floor_char_boundary(text, SAMPLE_BYTES)];
    let (mut tokens, mut words) = (0usize, 0usize);
    for piece in sample.split_whitespace() {
        if is_social_or_link(piece) {
            tokens += 1;
            words += 1;
            continue;
        }
        // Slugs and compounds ("3-reasons-why-nio-stock", "year_end") are words joined up.
        for part in piece.split(['-', '_', '/']).filter(|p| !p.is_empty()) {
            let (n, w) = judge(part);
            tokens += n;
            words += w;
        }
    }
    (tokens >= FEWEST_TOKENS).then(|| (words as f64 / tokens as f64, tokens))
}

/// Tokens a white-space-separated piece counts as, and how many of them are word-like. A run
/// of a script written without spaces (Chinese, Japanese, Thai) counts a token per character,
/// all word-like; a long piece that is not a word counts a token per [`BYTES_PER_TOKEN`], so a
/// blob with no spaces at all (minified JSON) cannot pass for a few odd words.
fn judge(piece: &str) -> (usize, usize) {
    let unspaced = piece.chars().filter(|&c| written_without_spaces(c)).count();
    if unspaced > 0 && unspaced * 2 >= piece.chars().count() {
        return (unspaced, unspaced);
    }
    if is_word_like(piece) {
        (1, 1)
    } else if !piece.chars().any(char::is_alphanumeric) {
        (1, 0)
    } else {
        (piece.len().div_ceil(BYTES_PER_TOKEN), 0)
    }
}

/// A web address, a hashtag, a mention or a cashtag: prose in posts, whatever its letters.
fn is_social_or_link(piece: &str) -> bool {
    let tagged = piece.strip_prefix(['#', '@', '$']).is_some_and(|rest| {
        !rest.is_empty()
            && rest
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '.')
    });
    tagged || piece.contains("://") || piece.starts_with("www.")
}

/// About the length of a word and the space after it.
const BYTES_PER_TOKEN: usize = 8;

fn written_without_spaces(c: char) -> bool {
    matches!(c,
        '\u{0E00}'..='\u{0EFF}' // Thai, Lao
        | '\u{1000}'..='\u{109F}' // Myanmar
        | '\u{1780}'..='\u{17FF}' // Khmer
        | '\u{3040}'..='\u{30FF}' // kana
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}' // CJK
        | '\u{AC00}'..='\u{D7AF}' // Hangul
    )
}

/// A word, number, ticker or short symbol as people write them: letters in one of the usual case
/// patterns, or digits with the signs numbers carry, within the length words have. Long runs of
/// mixed letters and digits (base64, hashes), replacement characters and symbol soup are not.
fn is_word_like(piece: &str) -> bool {
    let core = piece.trim_matches(|c: char| !c.is_alphanumeric());
    if core.is_empty() {
        // Punctuation alone (a dash, "&") or a run of emoji: prose, in posts.
        return !piece.contains('\u{FFFD}')
            && (piece.chars().count() <= 3 || piece.chars().all(|c| c >= '\u{2000}'));
    }
    let length = core.chars().count();
    if length > 30 || core.contains('\u{FFFD}') {
        return false;
    }
    let inner_ok = |c: char| c.is_alphanumeric() || "'’-.,/&%:".contains(c);
    if !core.chars().all(inner_ok) {
        return false;
    }
    let letters = core.chars().filter(|c| c.is_alphabetic()).count();
    let digits = core.chars().filter(|c| c.is_ascii_digit()).count();
    if letters == 0 {
        return true;
    }
    if digits > 0 && letters > 0 && length > 8 {
        // "Q3", "2026E", "10-K" and "5G" are words; "aZ3kQ9xT2" is not.
        return false;
    }
    let upper = core.chars().filter(|c| c.is_uppercase()).count();
    let first_upper = core.chars().next().is_some_and(char::is_uppercase);
    // lower, Capitalized, ALL CAPS, or a name with one inner capital ("iPhone", "McDonald").
    upper == 0 || upper == letters || (first_upper && upper <= 2) || upper == 1
}

fn floor_char_boundary(text: &str, at: usize) -> usize {
    if at >= text.len() {
        return text.len();
    }
    (0..=at)
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_in_any_script_passes() {
        let english = "Alibaba shares rose 4.5% on Tuesday after the company said cloud revenue \
                       grew faster than expected, and analysts at Morgan Stanley raised their \
                       price target to $150 (from $130) on Q3 results.";
        assert_eq!(not_prose(english), None);
        let chinese = "阿里巴巴 周二股价上涨，公司表示云业务收入增长快于预期，分析师上调目标价。\
                       我昨天又加仓了一些，长期看好。";
        assert_eq!(not_prose(chinese), None);
        assert_eq!(not_prose("$TSLA 🚀🚀🚀"), None);
    }

    #[test]
    fn data_that_is_not_prose_is_named() {
        let base64 =
            "R2uVmkasFeJeTolyOGHKg6j5KUqR6YScbedjIGHCBkXwyVYmT1fCdTIX6JibFiC8HiTz9CvV\n".repeat(40);
        assert!(
            not_prose(&base64)
                .unwrap()
                .contains("does not look like text")
        );
        let minified = r#"{"id":1,"vals":[0.25,0.5],"name":"item1"},"#.repeat(200);
        assert!(not_prose(&minified).is_some());
        let replaced = "\u{FFFD}x\u{FFFD}q7 \u{FFFD}\u{FFFD}Kz ".repeat(50);
        assert!(not_prose(&replaced).is_some());
    }
}
