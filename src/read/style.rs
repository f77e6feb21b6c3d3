//! How an article is written, as per-sentence rates: the cues that separate a retail post, a
//! neutral analysis and a piece that repeats the company's line. Unlike stance cues, these are
//! counted over the whole article, whatever it is about.

use crate::language::Language;
use crate::read::lexicon::{Category, CompiledLexicon};
use crate::read::phrase::PhraseMatch;
use crate::text::analyze::AnalyzedToken;
use crate::text::sentence::Sentence;
use crate::text::tokenize::{QuoteMark, TokenKind, quote_marks};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StyleFeature {
    /// Sentences ending in `!`.
    Exclamation,
    /// Sentences ending in `?`.
    Question,
    /// Emoji and pictographs.
    Emoji,
    /// `$TICKER` tokens.
    Cashtag,
    /// Numbers and figures with units.
    Figures,
    /// Quotation marks (quoted people, quoted memos).
    Quotes,
    /// The first person plural ("we", "our"): a company, or a newsletter, speaking.
    FirstPlural,
    /// End matter: "About" sections, forward-looking-statement notices, contacts
    /// ([`crate::read::boilerplate`]).
    EndMatter,
    /// E-mail addresses and telephone numbers: a release's contacts.
    Contacts,
    /// Lexicon cues of each voice.
    RetailCues,
    AnalysisCues,
    CorporateCues,
}

impl StyleFeature {
    pub const ALL: [StyleFeature; 12] = [
        StyleFeature::Exclamation,
        StyleFeature::Question,
        StyleFeature::Emoji,
        StyleFeature::Cashtag,
        StyleFeature::Figures,
        StyleFeature::Quotes,
        StyleFeature::FirstPlural,
        StyleFeature::EndMatter,
        StyleFeature::Contacts,
        StyleFeature::RetailCues,
        StyleFeature::AnalysisCues,
        StyleFeature::CorporateCues,
    ];

    pub fn name(self) -> &'static str {
        match self {
            StyleFeature::Exclamation => "exclamation",
            StyleFeature::Question => "question",
            StyleFeature::Emoji => "emoji",
            StyleFeature::Cashtag => "cashtag",
            StyleFeature::Figures => "figures",
            StyleFeature::Quotes => "quotes",
            StyleFeature::FirstPlural => "first_plural",
            StyleFeature::EndMatter => "end_matter",
            StyleFeature::Contacts => "contacts",
            StyleFeature::RetailCues => "retail_cues",
            StyleFeature::AnalysisCues => "analysis_cues",
            StyleFeature::CorporateCues => "corporate_cues",
        }
    }

    pub fn feature_name(self) -> String {
        format!("style:{}", self.name())
    }

    pub fn from_name(name: &str) -> Option<StyleFeature> {
        StyleFeature::ALL.into_iter().find(|s| s.name() == name)
    }

    /// Counted whatever the length of the text (voice cues, end matter, contacts), rather than
    /// per sentence (punctuation, symbols, pronouns).
    pub fn is_voice_cue(self) -> bool {
        self.voice_category().is_some()
            || matches!(self, StyleFeature::EndMatter | StyleFeature::Contacts)
    }

    fn voice_category(self) -> Option<Category> {
        match self {
            StyleFeature::RetailCues => Some(Category::Retail),
            StyleFeature::AnalysisCues => Some(Category::Analysis),
            StyleFeature::CorporateCues => Some(Category::Corporate),
            _ => None,
        }
    }
}

/// A labelled count for one style feature, before dividing by the sentence count.
#[derive(Clone, Debug, PartialEq)]
pub struct StyleCount<'a> {
    pub feature: StyleFeature,
    pub label: &'a str,
    pub amount: f64,
}

/// Counts every style cue of the article into `out` (cleared first); `end_matter` marks the
/// sentences of its end matter.
pub fn count<'a>(
    text: &str,
    tokens: &[AnalyzedToken],
    sentences: &[Sentence],
    end_matter: &[bool],
    lexicon: &'a CompiledLexicon,
    hits: &[PhraseMatch],
    out: &mut Vec<StyleCount<'a>>,
) {
    out.clear();
    let mut push = |feature: StyleFeature, label: &'a str, amount: f64| {
        if amount != 0.0 {
            out.push(StyleCount {
                feature,
                label,
                amount,
            });
        }
    };
    let ends = |c: char| sentences.iter().filter(|s| s.terminator == Some(c)).count() as f64;
    push(StyleFeature::Exclamation, "!", ends('!'));
    push(StyleFeature::Question, "?", ends('?'));
    let mut emoji = 0.0;
    let mut cashtags = 0.0;
    let mut figures = 0.0;
    let mut plural = 0.0;
    for t in tokens {
        let word = &text[t.token.start..t.token.end];
        match t.token.kind {
            TokenKind::Symbol => emoji += 1.0,
            TokenKind::Number => figures += 1.0,
            TokenKind::Word if word.starts_with('$') => cashtags += 1.0,
            TokenKind::Word | TokenKind::Cjk
                if word.len() <= 7
                    && (Language::of_word(word).first_person_plural().iter())
                        .any(|w| word.eq_ignore_ascii_case(w)) =>
            {
                plural += 1.0
            }
            _ => {}
        }
    }
    push(StyleFeature::FirstPlural, "we, our", plural);
    push(
        StyleFeature::Contacts,
        "contact details",
        contact_details(text) as f64,
    );
    push(
        StyleFeature::EndMatter,
        "end matter",
        end_matter.iter().filter(|&&b| b).count() as f64,
    );
    push(StyleFeature::Emoji, "emoji", emoji);
    push(StyleFeature::Cashtag, "$cashtags", cashtags);
    push(StyleFeature::Figures, "figures", figures);
    push(
        StyleFeature::Quotes,
        "quotation marks",
        quotation_marks(text) as f64 / 2.0,
    );
    for h in hits {
        let entry = lexicon.entry(h.pattern);
        let feature = StyleFeature::ALL
            .into_iter()
            .find(|f| f.voice_category() == Some(entry.category));
        if let Some(feature) = feature {
            push(feature, &entry.term, entry.weight);
        }
    }
}

/// E-mail addresses and telephone numbers in `text`: an `@` with a word before it and a dotted
/// domain after it, and a run of ten or more digits broken by at least two of `-.() ` and `+`
/// ("415-778-4188", "+1 877-440-9464", "(513) 793-3200").
fn contact_details(text: &str) -> usize {
    let bytes = text.as_bytes();
    let emails = memchr::memchr_iter(b'@', bytes)
        .filter(|&at| {
            let before = at
                .checked_sub(1)
                .is_some_and(|i| bytes[i].is_ascii_alphanumeric());
            let domain = &bytes[at + 1..bytes.len().min(at + 40)];
            let end = domain
                .iter()
                .position(|b| !(b.is_ascii_alphanumeric() || b"-.".contains(b)))
                .unwrap_or(domain.len());
            before && domain[..end].contains(&b'.')
        })
        .count();
    let (mut phones, mut digits, mut breaks) = (0, 0, 0);
    for &b in bytes.iter().chain([b'x'].iter()) {
        if b.is_ascii_digit() {
            digits += 1;
        } else if digits > 0 && matches!(b, b'-' | b'.' | b'(' | b')' | b' ' | b'+') {
            breaks += usize::from(b != b' ' || breaks > 0);
        } else {
            phones += usize::from(digits >= 10 && breaks >= 2);
            (digits, breaks) = (0, 0);
        }
    }
    emails + phones
}

/// Straight and curly double quotes.
fn quotation_marks(text: &str) -> usize {
    quote_marks(text)
        .filter(|&(_, m)| m != QuoteMark::LineBreak)
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotation_marks_are_the_straight_and_curly_double_quotes() {
        let text = "He said \"up\" and \u{201C}down\u{201D} \u{2014} \u{2018}not\u{2019} \u{201E}\u{300C}\u{20AC}\"";
        let by_char = text
            .chars()
            .filter(|c| matches!(c, '"' | '\u{201C}' | '\u{201D}'))
            .count();
        assert_eq!(by_char, 5);
        assert_eq!(quotation_marks(text), by_char);
    }

    #[test]
    fn contact_details_are_addresses_and_phone_numbers() {
        assert_eq!(contact_details("Contact: ir@acme.com or 415-778-4188."), 2);
        assert_eq!(contact_details("Call +1 877-440-9464 or (513) 793-3200"), 2);
        assert_eq!(
            contact_details("Revenue rose 12.5% to $1,234.5 million in 2024-2025"),
            0
        );
        assert_eq!(
            contact_details("@elonmusk said so, and a@b is no address"),
            0
        );
    }

    #[test]
    fn names_round_trip() {
        for f in StyleFeature::ALL {
            assert_eq!(StyleFeature::from_name(f.name()), Some(f));
        }
    }
}
