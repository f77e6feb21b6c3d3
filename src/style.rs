//! How an article is written, as per-sentence rates: the cues that separate a retail post, a
//! neutral analysis and a piece that repeats the company's line. Unlike stance cues, these are
//! counted over the whole article, whatever it is about.

use crate::analyze::AnalyzedToken;
use crate::lexicon::{Category, CompiledLexicon};
use crate::phrase::PhraseMatch;
use crate::sentence::Sentence;
use crate::tokenize::{QuoteMark, TokenKind, quote_marks};

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
    /// Lexicon cues of each voice.
    RetailCues,
    AnalysisCues,
    CorporateCues,
}

impl StyleFeature {
    pub const ALL: [StyleFeature; 9] = [
        StyleFeature::Exclamation,
        StyleFeature::Question,
        StyleFeature::Emoji,
        StyleFeature::Cashtag,
        StyleFeature::Figures,
        StyleFeature::Quotes,
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

    /// Counted from the voice lexicons (rather than punctuation or symbols).
    pub fn is_voice_cue(self) -> bool {
        self.voice_category().is_some()
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

/// Counts every style cue of the article into `out` (cleared first).
pub fn count<'a>(
    text: &str,
    tokens: &[AnalyzedToken],
    sentences: &[Sentence],
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
    for t in tokens {
        match t.token.kind {
            TokenKind::Symbol => emoji += 1.0,
            TokenKind::Number => figures += 1.0,
            TokenKind::Word if text.as_bytes()[t.token.start] == b'$' => cashtags += 1.0,
            _ => {}
        }
    }
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
    fn names_round_trip() {
        for f in StyleFeature::ALL {
            assert_eq!(StyleFeature::from_name(f.name()), Some(f));
        }
    }
}
