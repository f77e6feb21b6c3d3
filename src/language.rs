//! What differs by language, in one place: the characters whose words are written without spaces
//! and how a run of them is cut into words, how a word is stemmed, which stems are too common to
//! be learned terms, and which legacy encodings a language's texts arrive in. Every stage asks
//! here; a new language is one more [`Language`] with its arms below, and its lexicon file.

use std::borrow::Cow;
use std::sync::OnceLock;

use encoding_rs::Encoding;
use jieba_rs::Jieba;
use rust_stemmers::Algorithm;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Language {
    English,
    Chinese,
}

impl Language {
    pub const ALL: [Language; 2] = [Language::English, Language::Chinese];

    /// The language a word is read in: Chinese when written in CJK characters, else English (the
    /// language of every other word the lexicons and models know).
    pub fn of_word(word: &str) -> Language {
        match word.chars().next() {
            Some(c) if is_cjk(c) => Language::Chinese,
            _ => Language::English,
        }
    }

    /// The Snowball stemmer of the language's words; Chinese words have no inflection.
    pub fn snowball(self) -> Option<Algorithm> {
        match self {
            Language::English => Some(Algorithm::English),
            Language::Chinese => None,
        }
    }

    /// Words Snowball conflates with unrelated words, given their own stem (as Lucene's
    /// StemmerOverrideFilter does): "position" would otherwise match the sentiment word "positive".
    pub fn stem_overrides(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Language::English => &[
                ("position", "position"),
                ("positions", "position"),
                ("positioned", "position"),
                ("positioning", "position"),
                ("shaken", "shake"),
            ],
            Language::Chinese => &[],
        }
    }

    /// Function words and boilerplate, as stems: a term made only of these says nothing a reader
    /// could check ("company", "every", "said" were among the drivers of learned models). A
    /// negator alone is here too: the negation rules read "not" with the cue it turns, and a
    /// pair such as "not buy" is still a term.
    pub fn stop_stems(self) -> &'static [&'static str] {
        match self {
            Language::English => ENGLISH_STOP_STEMS,
            Language::Chinese => &[],
        }
    }

    /// Words of the first person singular: a sentence with one is the author speaking of
    /// themself (a holder's own position acts are read in such sentences).
    pub fn first_person_singular(self) -> &'static [&'static str] {
        match self {
            Language::English => &[
                "i", "i'm", "i’m", "i've", "i’ve", "i'd", "i'll", "my", "me", "mine", "myself",
            ],
            Language::Chinese => &["我", "本人", "俺"],
        }
    }

    /// Words of the first person plural, in lower case: a company, or a newsletter, speaking.
    pub fn first_person_plural(self) -> &'static [&'static str] {
        match self {
            Language::English => &[
                "we", "our", "us", "we're", "we’re", "we've", "we’ve", "ours",
            ],
            Language::Chinese => &["我们", "我司", "咱们"],
        }
    }

    /// Encodings other than UTF-8 and UTF-16 that the language's texts come in, most common first.
    pub fn encodings(self) -> &'static [&'static Encoding] {
        static CHINESE: [&Encoding; 2] = [encoding_rs::GB18030, encoding_rs::BIG5];
        match self {
            Language::English => &[],
            Language::Chinese => &CHINESE,
        }
    }

    /// How many words of two or more characters the language's dictionary finds in `text` (its
    /// first 4,000 characters): how much it reads as this language, to tell a right decoding
    /// from a wrong one. English has no dictionary here, and reads nothing so.
    pub fn dictionary_words(self, text: &str) -> usize {
        if self != Language::Chinese {
            return 0;
        }
        let sample = text
            .char_indices()
            .nth(4000)
            .map_or(text, |(i, _)| &text[..i]);
        (jieba().cut(sample, false).iter())
            .filter(|t| t.word.chars().nth(1).is_some_and(is_cjk))
            .count()
    }
}

/// Characters of the languages written without spaces between words: the tokenizer gives each
/// a token of its own and the segmenter ([`cut_unspaced`]) joins a run of them into words.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF      // Hiragana, Katakana
        | 0x3400..=0x4DBF    // CJK Extension A
        | 0x4E00..=0x9FFF    // CJK Unified Ideographs
        | 0xF900..=0xFAFF    // Compatibility Ideographs
        | 0x20000..=0x2FA1F) // Extensions B and later
}

/// The simplified character a traditional one reads as (`騰` as `腾`), from OpenCC's table
/// (`lexicons/chinese/traditional.tsv`); any other character is itself. Each pair takes as many
/// bytes, so text read in simplified form keeps its byte offsets.
pub fn simplified(c: char) -> char {
    let table = crate::data::TRADITIONAL;
    match table.binary_search_by_key(&c, |&(t, _)| t) {
        Ok(i) => table[i].1,
        Err(_) => c,
    }
}

/// The words of a run of [`is_cjk`] characters, as byte ranges within it, cut as Chinese in its
/// simplified form, so traditional text is cut as simplified text is. The
/// hidden Markov model joins characters the dictionary lacks ("营收"), the same way wherever they
/// occur. The runs of the built-in data files were cut when the binary was built, so English read
/// with the defaults never loads the dictionary.
pub fn cut_unspaced(run: &str, out: &mut Vec<(u32, u32)>) {
    out.clear();
    let run: Cow<str> = match run.chars().any(|c| simplified(c) != c) {
        true => Cow::Owned(run.chars().map(simplified).collect()),
        false => Cow::Borrowed(run),
    };
    let built_in = crate::data::CJK_WORDS.binary_search_by(|(r, _)| (*r).cmp(&run));
    match built_in {
        Ok(i) => out.extend_from_slice(crate::data::CJK_WORDS[i].1),
        Err(_) => {
            let tokens = jieba().cut(&run, true);
            out.extend(
                tokens
                    .iter()
                    .map(|t| (t.byte_start as u32, t.byte_end as u32)),
            );
        }
    }
}

/// The segmenter and its built-in dictionary, loaded on the first Chinese text that needs it
/// (about 0.1 s and 33 MB).
fn jieba() -> &'static Jieba {
    static JIEBA: OnceLock<Jieba> = OnceLock::new();
    JIEBA.get_or_init(Jieba::new)
}

const ENGLISH_STOP_STEMS: &[&str] = &[
    "compani",
    "group",
    "inc",
    "corp",
    "corpor",
    "ltd",
    "plc",
    "llc",
    "co",
    "everi",
    "said",
    "say",
    "today",
    "yesterday",
    "week",
    "one",
    "two",
    "per",
    "just",
    "year",
    "month",
    "day",
    "now",
    "around",
    "more",
    "most",
    "still",
    "even",
    "veri",
    "much",
    "mani",
    "some",
    "ani",
    "all",
    "both",
    "each",
    "few",
    "other",
    "such",
    "onli",
    "own",
    "same",
    "too",
    "again",
    "further",
    "onc",
    "out",
    "off",
    "under",
    "between",
    "through",
    "dure",
    "becaus",
    "while",
    "until",
    "though",
    "although",
    "whether",
    "yet",
    "not",
    "no",
    "like",
    "get",
    "got",
    "go",
    "let",
    "well",
    "being",
    "having",
    "whi",
    "them",
    "itself",
    "a",
    "an",
    "the",
    "of",
    "to",
    "in",
    "on",
    "at",
    "for",
    "from",
    "by",
    "with",
    "as",
    "and",
    "or",
    "but",
    "if",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "am",
    "it",
    "it'",
    "it",
    "this",
    "that",
    "these",
    "those",
    "there",
    "here",
    "i",
    "we",
    "you",
    "he",
    "she",
    "they",
    "him",
    "her",
    "them",
    "his",
    "their",
    "our",
    "your",
    "my",
    "me",
    "us",
    "its",
    "which",
    "who",
    "whom",
    "what",
    "when",
    "where",
    "how",
    "so",
    "than",
    "then",
    "also",
    "into",
    "about",
    "over",
    "after",
    "befor",
    "has",
    "have",
    "had",
    "do",
    "doe",
    "did",
    "will",
    "would",
    "can",
    "could",
    "should",
    "may",
    "might",
    "must",
    "s",
    "t",
    "via",
    "amp",
    "rt",
    "http",
    "https",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_read_in_the_language_of_their_script() {
        assert_eq!(Language::of_word("股价"), Language::Chinese);
        assert_eq!(Language::of_word("shares"), Language::English);
        assert_eq!(Language::of_word("$baba"), Language::English);
    }

    #[test]
    fn a_run_is_cut_into_words_with_byte_ranges() {
        let run = "营收大幅增长";
        let mut out = Vec::new();
        cut_unspaced(run, &mut out);
        let words: Vec<&str> = (out.iter())
            .map(|&(s, e)| &run[s as usize..e as usize])
            .collect();
        assert_eq!(words, ["营收", "大幅", "增长"]);
    }

    #[test]
    fn traditional_text_is_cut_as_its_simplified_form() {
        let (traditional, simplified_run) = ("騰訊營收大幅增長", "腾讯营收大幅增长");
        assert_eq!(traditional.len(), simplified_run.len());
        let (mut a, mut b) = (Vec::new(), Vec::new());
        cut_unspaced(traditional, &mut a);
        cut_unspaced(simplified_run, &mut b);
        assert_eq!(a, b);
        assert_eq!(simplified('騰'), '腾');
        assert_eq!(simplified('腾'), '腾');
        assert_eq!(simplified('a'), 'a');
    }

    #[test]
    fn only_chinese_reads_chinese_dictionary_words() {
        let text = "阿里巴巴股价大跌，投资者信心受挫。";
        assert!(Language::Chinese.dictionary_words(text) >= 4);
        assert_eq!(Language::English.dictionary_words(text), 0);
    }
}
