//! Part of stage 4: which sentences are about the target, by where it is named, and how relevant
//! the article is. The weights are the targets file's ([`Weighting`]).

use crate::read::phrase::PhraseMatch;
use crate::read::target::Weighting;
use crate::text::sentence::Sentence;

/// Per-sentence weights and the article's relevance.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Focus {
    pub sentence_weights: Vec<f64>,
    pub relevance: u8,
}

/// Weighs each sentence by how directly it is about the target.
/// `others` are mentions of other known companies; `headline_paragraphs` is how many leading
/// paragraphs form the headline (0 or 1).
pub fn focus(
    sentences: &[Sentence],
    mentions: &[PhraseMatch],
    others: &[PhraseMatch],
    any: bool,
    headline_paragraphs: usize,
    w: &Weighting,
) -> Focus {
    let headline = |s: &Sentence| {
        if s.paragraph < headline_paragraphs {
            w.headline
        } else {
            1.0
        }
    };
    if any {
        return Focus {
            sentence_weights: sentences.iter().map(headline).collect(),
            relevance: if sentences.is_empty() { 0 } else { 100 },
        };
    }
    let mentioned = sentences_with(sentences, mentions);
    let names_other = sentences_with(sentences, others);
    let paragraphs = sentences.last().map_or(0, |s| s.paragraph + 1);
    let mut paragraph_mentioned = vec![false; paragraphs];
    for (s, &m) in sentences.iter().zip(&mentioned) {
        paragraph_mentioned[s.paragraph] |= m;
    }
    let in_headline = sentences
        .iter()
        .zip(&mentioned)
        .any(|(s, &m)| m && s.paragraph < headline_paragraphs);
    let sentence_weights = sentences
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let base = if mentioned[i] {
                w.mention
            } else if names_other[i] {
                w.other_target
            } else if paragraph_mentioned[s.paragraph] {
                w.same_paragraph
            } else if in_headline {
                w.elsewhere_when_headline
            } else {
                w.elsewhere
            };
            base * headline(s)
        })
        .collect();
    let mentioned_count = mentioned.iter().filter(|&&m| m).count();
    let relevance = if mentioned_count == 0 {
        0
    } else if in_headline {
        100
    } else {
        let share = mentioned_count as f64 / sentences.len() as f64;
        (40.0 + 60.0 * (2.0 * share).min(1.0)).round().min(95.0) as u8
    };
    Focus {
        sentence_weights,
        relevance,
    }
}

/// Which sentences contain any of `matches` (both sorted by position).
fn sentences_with(sentences: &[Sentence], matches: &[PhraseMatch]) -> Vec<bool> {
    let mut found = vec![false; sentences.len()];
    let mut si = 0;
    for m in matches {
        while si < sentences.len() && sentences[si].end <= m.start {
            si += 1;
        }
        if si < sentences.len() && sentences[si].start <= m.start {
            found[si] = true;
        }
    }
    found
}
