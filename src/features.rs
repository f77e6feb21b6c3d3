//! Stage 6: named features. Each feature value is built from labelled parts (a lexicon term, a
//! learned stem, a style count) so that every part's share of every logit can be reported.
//!
//! Feature names:
//! - `lex:<cue>`: the signed sum of one kind of lexicon cue (`lex:positive`, `lex:direction_metric`, ...);
//! - `term:<stem>` and `term:<stem> <stem>`: counts of a learned stem or stem bigram;
//! - `style:<name>`: counts that describe how an article is written (see [`crate::style`]).

use rustc_hash::FxHashMap;

use crate::analyze::{AnalyzedToken, Codebook, NO_WORD, UNKNOWN};
use crate::rules::Cue;
use crate::style::StyleFeature;

const NONE: u32 = u32::MAX;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FeatureKind {
    Cue(Cue),
    Unigram(u32),
    Bigram(u32, u32),
    Style(StyleFeature),
}

/// Maps a model's feature names to what computes them.
#[derive(Clone, Debug, Default)]
pub struct FeatureIndex {
    pub names: Vec<String>,
    pub kinds: Vec<FeatureKind>,
    cues: Vec<(Cue, usize)>,
    unigram: Vec<u32>,
    bigram: FxHashMap<u64, u32>,
    styles: Vec<(StyleFeature, usize)>,
}

fn pair_key(a: u32, b: u32) -> u64 {
    ((a as u64) << 32) | b as u64
}

impl FeatureIndex {
    /// Fails with the first name it does not understand.
    pub fn new(names: &[String], codebook: &mut Codebook) -> Result<FeatureIndex, String> {
        let all_cues: Vec<(Cue, String)> = Cue::all()
            .into_iter()
            .map(|c| (c, c.feature_name()))
            .collect();
        let mut index = FeatureIndex {
            names: names.to_vec(),
            ..FeatureIndex::default()
        };
        for (i, name) in names.iter().enumerate() {
            let kind = if let Some((cue, _)) = all_cues.iter().find(|(_, n)| n == name) {
                index.cues.push((*cue, i));
                FeatureKind::Cue(*cue)
            } else if let Some(stems) = name.strip_prefix("term:") {
                let codes: Vec<u32> = stems
                    .split(' ')
                    .map(|s| codebook.intern(s))
                    .collect::<Option<_>>()
                    .ok_or_else(|| format!("feature {name:?}: too many distinct stems"))?;
                match codes.as_slice() {
                    [a] => FeatureKind::Unigram(*a),
                    [a, b] => FeatureKind::Bigram(*a, *b),
                    _ => {
                        return Err(format!(
                            "feature {name:?}: a term feature has one or two stems"
                        ));
                    }
                }
            } else if let Some(style) = name
                .strip_prefix("style:")
                .and_then(StyleFeature::from_name)
            {
                index.styles.push((style, i));
                FeatureKind::Style(style)
            } else {
                return Err(format!("unknown feature {name:?}"));
            };
            index.kinds.push(kind);
        }
        let max_code = index
            .kinds
            .iter()
            .filter_map(|k| {
                if let FeatureKind::Unigram(c) = k {
                    Some(*c)
                } else {
                    None
                }
            })
            .max();
        index.unigram = vec![NONE; max_code.map_or(0, |c| c as usize + 1)];
        for (i, kind) in index.kinds.iter().enumerate() {
            match *kind {
                FeatureKind::Unigram(c) => index.unigram[c as usize] = i as u32,
                FeatureKind::Bigram(a, b) => {
                    index.bigram.insert(pair_key(a, b), i as u32);
                }
                _ => {}
            }
        }
        Ok(index)
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    pub fn cue(&self, cue: Cue) -> Option<usize> {
        self.cues.iter().find(|(c, _)| *c == cue).map(|&(_, i)| i)
    }

    pub fn styles(&self) -> &[(StyleFeature, usize)] {
        &self.styles
    }

    pub fn has_terms(&self) -> bool {
        !self.unigram.is_empty() || !self.bigram.is_empty()
    }

    /// Calls `f(feature, token_index, token_count)` for each learned term in `tokens`.
    pub fn for_each_term(&self, tokens: &[AnalyzedToken], mut f: impl FnMut(usize, usize, usize)) {
        let mut prev = UNKNOWN;
        for (i, t) in tokens.iter().enumerate() {
            let code = t.code;
            if code != UNKNOWN {
                if let Some(&feature) = self.unigram.get(code as usize)
                    && feature != NONE
                {
                    f(feature as usize, i, 1);
                }
                if prev != UNKNOWN
                    && let Some(&feature) = self.bigram.get(&pair_key(prev, code))
                {
                    f(feature as usize, i - 1, 2);
                }
            }
            prev = if t.token.is_break() { UNKNOWN } else { code };
        }
    }
}

/// A part's readable name, as its number in the scorer's [`Labels`]: parts are made for every
/// word and cue but their names are read only for the few drivers shown, so the name stays there
/// and the part carries a number that copies and compares as an integer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Label(u32);

/// Numbers every distinct name, and keeps the numbers of words, word pairs and lexicon entries
/// so that naming them again costs one array or map lookup.
#[derive(Debug, Default)]
pub struct Labels {
    names: Vec<Box<str>>,
    known: FxHashMap<Box<str>, Label>,
    /// Labels of single words by the analyzer's word number, valid for `generation`.
    words: Vec<Option<Label>>,
    generation: u64,
    /// Labels of lexicon entries by entry index and variant (plain, negated, turned).
    entries: Vec<[Option<Label>; 3]>,
    /// Labels of two words written with one space between them, by their word numbers.
    pairs: FxHashMap<(u32, u32), Label>,
}

impl Labels {
    /// Above this many names they are forgotten between articles, so memory stays bounded.
    const LIMIT: usize = 1 << 16;

    /// Called before each article: a label stays valid until the next call.
    pub fn bound(&mut self) {
        if self.names.len() >= Self::LIMIT {
            *self = Labels {
                generation: self.generation,
                ..Labels::default()
            };
        }
    }

    /// The text of `label`.
    pub fn name(&self, label: Label) -> &str {
        &self.names[label.0 as usize]
    }

    /// The label of the analyzer's words `pair` of cache `generation` written with one space
    /// between them; `name` writes it the first time.
    pub fn pair(
        &mut self,
        generation: u64,
        pair: (u32, u32),
        name: impl FnOnce(&mut String),
    ) -> Label {
        self.follow(generation);
        if let Some(&label) = self.pairs.get(&pair) {
            return label;
        }
        let label = self.written(name);
        self.pairs.insert(pair, label);
        label
    }

    /// Forgets the word labels of an older analyzer cache.
    fn follow(&mut self, generation: u64) {
        if generation != self.generation {
            self.words.clear();
            self.pairs.clear();
            self.generation = generation;
        }
    }

    /// The label of lexicon entry `entry` in `variant` (0-2); `name` writes it the first time.
    pub fn entry(&mut self, entry: usize, variant: usize, name: impl FnOnce(&mut String)) -> Label {
        if let Some(Some(label)) = self.entries.get(entry).map(|v| v[variant]) {
            return label;
        }
        let label = self.written(name);
        if entry >= self.entries.len() {
            self.entries.resize(entry + 1, Default::default());
        }
        self.entries[entry][variant] = Some(label);
        label
    }

    /// The label of the analyzer's word `word` of cache `generation`; `name` writes the
    /// normalized word, called only the first time.
    pub fn word(&mut self, generation: u64, word: u32, name: impl FnOnce(&mut String)) -> Label {
        self.follow(generation);
        if word == NO_WORD {
            return self.written(name);
        }
        let i = word as usize;
        if let Some(Some(label)) = self.words.get(i) {
            return *label;
        }
        let label = self.written(name);
        if i >= self.words.len() {
            self.words.resize(i + 1, None);
        }
        self.words[i] = Some(label);
        label
    }

    fn written(&mut self, name: impl FnOnce(&mut String)) -> Label {
        let mut text = String::new();
        name(&mut text);
        self.get(&text)
    }

    pub fn get(&mut self, name: &str) -> Label {
        if let Some(&label) = self.known.get(name) {
            return label;
        }
        let label = Label(self.names.len() as u32);
        self.names.push(name.into());
        self.known.insert(name.into(), label);
        label
    }
}

/// One labelled part of the article's feature vector.
#[derive(Clone, Debug, PartialEq)]
pub struct Part {
    pub label: Label,
    pub feature: usize,
    /// The sentence it comes from; `None` for article-level counts (style).
    pub sentence: Option<usize>,
    /// Byte range in the text; empty for article-level counts.
    pub span: (usize, usize),
    /// Pooled value: this part's addition to the feature's value.
    pub value: f64,
}

/// The article's feature vector, kept as labelled parts.
#[derive(Clone, Debug, Default)]
pub struct FeatureVector {
    pub parts: Vec<Part>,
}

impl FeatureVector {
    pub fn clear(&mut self) {
        self.parts.clear();
    }

    pub fn add(
        &mut self,
        label: Label,
        feature: usize,
        sentence: Option<usize>,
        span: (usize, usize),
        value: f64,
    ) {
        self.parts.push(Part {
            label,
            feature,
            sentence,
            span,
            value,
        });
    }

    /// Dense values, one per feature.
    pub fn values(&self, features: usize) -> Vec<f64> {
        let mut x = vec![0.0; features];
        for p in &self.parts {
            x[p.feature] += p.value;
        }
        x
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_label_per_name_whatever_path_made_it() {
        let mut labels = Labels::default();
        let by_word = labels.word(1, 7, |s| s.push_str("fall"));
        assert_eq!(by_word, labels.get("fall"));
        // The same word number again does not write the name again.
        assert_eq!(labels.word(1, 7, |_| panic!("written twice")), by_word);
        // A newer analyzer cache renumbers words.
        let rise = labels.word(2, 7, |s| s.push_str("rise"));
        assert_eq!(labels.name(rise), "rise");
        // A token without a word number is labelled by name, with nothing kept per number.
        let odd = labels.word(2, NO_WORD, |s| s.push_str("odd"));
        assert_eq!(labels.name(odd), "odd");
        assert!(labels.words.len() <= 8);
        let pair = labels.pair(2, (1, 2), |s| s.push_str("net up"));
        assert_eq!(pair, labels.get("net up"));
        let entry = labels.entry(3, 1, |s| s.push_str("strong (negated)"));
        assert_eq!(labels.entry(3, 1, |_| panic!("written twice")), entry);
        assert_eq!(labels.name(entry), "strong (negated)");
        assert_ne!(entry, pair);
    }
}
