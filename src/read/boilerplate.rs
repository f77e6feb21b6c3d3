//! Part of stage 4: the sentences that are no one's view of the company: a release's end matter
//! ("About Acme", forward-looking-statement and safe-harbor notices, contacts, disclaimers,
//! "view source version") and any sentence about forward-looking statements. Their risk words
//! ("risks and uncertainties", "could differ materially") are legal form, not news, so they weigh
//! nothing in the stance reading; how a text is written (the voice) still reads them.

use std::sync::OnceLock;

use aho_corasick::AhoCorasick;

use crate::text::analyze::AnalyzedToken;
use crate::text::sentence::Sentence;

/// How a paragraph of end matter begins (lower case).
const END_MATTER: &[&str] = &[
    "forward-looking statement",
    "forward looking statement",
    "cautionary note",
    "cautionary statement",
    "cautionary language",
    "safe harbor",
    "safe harbour",
    "this press release contains",
    "this news release contains",
    "this release contains",
    "this press release may contain",
    "certain statements in",
    "certain information in",
    "for more information",
    "for further information",
    "further information on",
    "media contact",
    "media inquiries",
    "investor contact",
    "investor relations contact",
    "investor inquiries",
    "contacts:",
    "contact:",
    "contact information",
    "disclaimer",
    "disclosure:",
    "view source version",
    "view the original",
    "please see full",
    "this post contains",
    "to receive sms",
    "featured photo",
    "distributed by",
    "this content was",
    "all rights reserved",
    "copyright ©",
    "###",
    "免责声明",
    "风险提示",
    "联系方式",
    "关于本公司",
];

/// Marks each sentence that is end matter or a forward-looking-statement notice, into `out`.
/// A paragraph that opens like end matter, past the first third of the text, ends the news: it
/// and every paragraph after it are end matter.
pub fn mark(text: &str, tokens: &[AnalyzedToken], sentences: &[Sentence], out: &mut Vec<bool>) {
    out.clear();
    out.resize(sentences.len(), false);
    let paragraphs = sentences.last().map_or(0, |s| s.paragraph + 1);
    let span = |s: &Sentence| {
        let start = tokens.get(s.start).map_or(0, |t| t.token.start);
        let end = s
            .end
            .checked_sub(1)
            .and_then(|i| tokens.get(i))
            .map_or(start, |t| t.token.end);
        &text[start..end.max(start)]
    };
    let mut end_matter_from = None;
    let mut first_of_paragraph = usize::MAX;
    for (i, s) in sentences.iter().enumerate() {
        let sentence = span(s);
        if notices().is_match(sentence) {
            out[i] = true;
        }
        if s.paragraph != first_of_paragraph {
            first_of_paragraph = s.paragraph;
            let late = s.paragraph > 0 && 3 * s.paragraph >= paragraphs;
            if late && end_matter_from.is_none() && opens_end_matter(sentence) {
                end_matter_from = Some(s.paragraph);
            }
        }
        if end_matter_from.is_some_and(|p| s.paragraph >= p) {
            out[i] = true;
        }
    }
}

/// Whether a paragraph's first sentence opens end matter: a known heading, or "About" and a
/// capitalized name ("About Acme Corp.").
fn opens_end_matter(sentence: &str) -> bool {
    let opening = sentence
        .trim_start_matches(|c: char| !c.is_alphanumeric() && c != '#')
        .as_bytes();
    let about = sentence
        .trim_start()
        .strip_prefix("About ")
        .is_some_and(|rest| rest.chars().next().is_some_and(char::is_uppercase));
    about
        || END_MATTER.iter().any(|p| {
            opening
                .get(..p.len())
                .is_some_and(|o| o.eq_ignore_ascii_case(p.as_bytes()))
        })
}

/// What marks a sentence as a notice wherever it stands: forward-looking statements, and the
/// assurance a mainland announcement opens with (本公司董事会及全体董事保证本公告内容不存在任何
/// 虚假记载...), which is legal form however many risk words it holds.
const NOTICE_PHRASES: &[&str] = &[
    "forward-looking statement",
    "forward looking statement",
    "前瞻性陈述",
    "董事会及全体董事保证",
    "董事会全体成员保证",
    "不存在任何虚假记载",
    "不构成投资建议",
    "投资有风险",
];

/// Any notice of [`NOTICE_PHRASES`], in any case (no copy of the text is lowered).
fn notices() -> &'static AhoCorasick {
    static NOTICES: OnceLock<AhoCorasick> = OnceLock::new();
    NOTICES.get_or_init(|| {
        AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(NOTICE_PHRASES)
            .expect("plain patterns")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::analyze::{Analyzer, Codebook};
    use crate::text::sentence::split;

    fn marked(text: &str) -> Vec<bool> {
        let mut tokens = Vec::new();
        Analyzer::default().analyze(text, &Codebook::new(), &mut tokens);
        let mut sentences = Vec::new();
        split(&tokens, &mut sentences);
        let mut out = Vec::new();
        mark(text, &tokens, &sentences, &mut out);
        out
    }

    #[test]
    fn end_matter_and_notices_are_marked_and_news_is_not() {
        let release = "Acme wins a record contract.\n\nAcme said revenue rose 20%. Orders grew.\n\n\
                       About Acme\n\nAcme makes widgets. It faces risks.\n\n\
                       Forward-Looking Statements\n\nResults could differ materially.";
        assert_eq!(
            marked(release),
            [false, false, false, true, true, true, true, true]
        );
        let notice = "Shares rose. This release contains forward-looking statements. Sales grew.";
        assert_eq!(marked(notice), [false, true, false]);
        // "About" early on, or in lower case, is news.
        assert_eq!(
            marked("About Acme: it rose.\n\nIt fell.\n\nIt rose."),
            [false, false, false]
        );
    }

    #[test]
    fn a_mainland_announcements_assurance_and_disclaimer_are_marked() {
        let announcement = "本公司董事会及全体董事保证本公告内容不存在任何虚假记载，并对其内容的真实性\
                            承担法律责任。公司拟回购股份。\n\n业绩大幅增长。\n\n\
                            免责声明：本文不构成投资建议。";
        assert_eq!(marked(announcement), [true, false, false, true]);
    }
}
