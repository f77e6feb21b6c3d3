//! Properties that hold for any input text, checked on generated text with proptest.

use proptest::prelude::*;
use stance::model::classes::{Class, STANCE_CLASSES, argmax};
use stance::model::engine::{Engine, EngineConfig};
use stance::model::scorer::{Evaluation, Explained, Scorer};
use stance::read::analysis::Document;
use stance::read::target::Target;
use stance::text::tokenize::Tokenizer;

fn engine() -> &'static Engine {
    static ENGINE: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
    ENGINE.get_or_init(|| Engine::load(&EngineConfig::default()).expect("default engine"))
}

/// Text mixing finance words, modifiers, names, punctuation, CJK, emoji and odd characters.
fn article() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "Alibaba",
        "profit",
        "rose",
        "fell",
        "not",
        "no",
        "but",
        "may",
        "very",
        "strong",
        "weak",
        "buyback",
        "downgraded",
        "confidence of holding",
        "shares",
        "U.S.",
        "3.5%",
        "$BABA",
        "9988.HK",
        "isn’t",
        "阿里巴巴",
        "通义千问",
        "🚀",
        ".",
        "!",
        "?",
        ",",
        "\n",
        "\n\n",
        " - ",
        "—",
        "“quoted”",
        "https://t.co/x.y",
        "\u{0}",
        "é",
        "ǅ",
        "\u{200D}",
        "ß",
        "İ",
    ]);
    prop::collection::vec(
        prop_oneof![pieces.prop_map(String::from), "[a-zA-Z0-9 .,'’%$-]{0,12}"],
        0..60,
    )
    .prop_map(|parts| parts.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn tokens_slice_the_text_on_char_boundaries_in_order(text in article()) {
        let mut last = 0;
        for t in Tokenizer::new(&text) {
            prop_assert!(t.start < t.end && t.end <= text.len());
            prop_assert!(text.is_char_boundary(t.start) && text.is_char_boundary(t.end));
            prop_assert!(t.start >= last);
            last = t.end;
        }
    }

    #[test]
    fn scores_are_bounded_probabilities_sum_to_one_and_parts_add_up(text in article(), any in any::<bool>()) {
        let engine = engine();
        let target = if any { Target::Any } else { engine.targets.resolve("alibaba") };
        let eval = Scorer::new(engine).evaluate(Document { text: &text, headline_paragraphs: 0 }, &target);
        let p = &eval.stance.probabilities;
        prop_assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        prop_assert!(p.iter().all(|x| (0.0..=1.0).contains(x)));
        prop_assert!((-1.0..=1.0).contains(&eval.score()));
        if eval.on_target() {
            // Each segment's logits are the intercepts plus its occurrences' contributions.
            let intercepts = &engine.stance.intercepts;
            for (i, segment) in eval.stance.segments.iter().enumerate() {
                for (c, intercept) in intercepts.iter().enumerate() {
                    let sum: f64 = intercept + eval.stance.occurrences.iter()
                        .filter(|o| o.segment == i)
                        .map(|o| eval.stance.logits_of(&engine.stance, o)[c])
                        .sum::<f64>();
                    prop_assert!((sum - segment.logits[c]).abs() < 1e-9, "class {}: {} vs {}", c, sum, segment.logits[c]);
                }
            }
            // The probability shares add up to the probabilities, and the label shares to the score.
            let gradients = eval.stance.class_gradients(&engine.stance);
            for (c, pc) in p.iter().enumerate() {
                let sum: f64 = eval.stance.base[c] + eval.stance.occurrences.iter()
                    .map(|o| eval.stance.probability_shares(&engine.stance, o, &gradients)[c])
                    .sum::<f64>();
                prop_assert!((sum - pc).abs() < 1e-9, "class {}: {} vs {}", c, sum, pc);
            }
            prop_assert!(reading_residual(&eval).abs() < 1e-9);
            prop_assert!((explained(&eval) - eval.score()).abs() < 1e-9);
        } else {
            prop_assert_eq!(eval.stance_class(), Class::Neutral);
            prop_assert!(eval.stance.occurrences.is_empty());
        }
        if let Some(v) = &eval.voice {
            prop_assert!((v.probabilities.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        }
    }

    #[test]
    fn the_same_input_gives_the_same_output(text in article()) {
        let engine = engine();
        let target = engine.targets.resolve("alibaba");
        let doc = Document { text: &text, headline_paragraphs: 1 };
        let mut cold = Scorer::new(engine);
        let first = cold.evaluate_explained(doc, &target);
        let mut warm = Scorer::new(engine);
        warm.evaluate(Document { text: "Tencent profit fell. Nokia rose.", headline_paragraphs: 0 }, &engine.targets.resolve("Nokia"));
        let second = warm.evaluate_explained(doc, &target);
        let (first_names, second_names) = (named_parts(&first), named_parts(&second));
        let (first, second) = (first.evaluation, second.evaluation);
        let logits = |e: &Evaluation| e.stance.segments.iter().map(|s| s.logits).collect::<Vec<_>>();
        prop_assert_eq!(logits(&first), logits(&second));
        prop_assert_eq!(first.stance.probabilities, second.stance.probabilities);
        // Label numbers are each scorer's own: the parts must agree by name.
        prop_assert_eq!(first_names, second_names);
        prop_assert_eq!(first.drivers, second.drivers);
        prop_assert_eq!(first.focus, second.focus);
    }

    #[test]
    fn feature_vectors_list_parts_by_sentence_then_style_counts(text in article()) {
        // Opinion pooling reads each sentence's parts as one run of the vector.
        let engine = engine();
        let mut scorer = Scorer::new(engine);
        let analysis = scorer.analyze(Document { text: &text, headline_paragraphs: 0 }, &Target::Any);
        let ones = vec![1.0; analysis.sentences.len()];
        for linear in [Some(&engine.stance), engine.voice.as_ref()].into_iter().flatten() {
            let sentences: Vec<Option<usize>> =
                scorer.vector(linear, &text, &ones).parts.iter().map(|p| p.sentence).collect();
            let styles = sentences.iter().position(Option::is_none).unwrap_or(sentences.len());
            prop_assert!(sentences[styles..].iter().all(Option::is_none));
            prop_assert!(sentences[..styles].is_sorted());
        }
    }
}

/// Long run-on sentences of words the model reads as neutral, enough of them to saturate each
/// sentence's P(neutral) to exactly 1.
fn saturating_article() -> impl Strategy<Value = String> {
    let neutral = prop::sample::select(vec![
        "declared",
        "appointed",
        "mixed",
        "steady",
        "tomorrow",
        "Refinitiv",
        "Bloomberg",
        "flat",
        "preview",
        "consolidated",
    ]);
    let sentence = prop::collection::vec(neutral, 40..160).prop_map(|words| words.join(" "));
    prop::collection::vec(sentence, 1..4)
        .prop_map(|sentences| format!("Alibaba {}.", sentences.join(". Alibaba ")))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn saturated_neutral_sentences_pool_to_a_neutral_article(text in saturating_article()) {
        let engine = engine();
        let eval = Scorer::new(engine).evaluate(
            Document { text: &text, headline_paragraphs: 0 },
            &engine.targets.resolve("alibaba"),
        );
        // The pooled sentence reading is neutral, and so is the article model's decision: it
        // reads the words too, and a term repeated in a run-on counts 1 + ln(count) (before
        // that, "flat" 13 times in one sentence read bearish).
        let p = &eval.stance.probabilities;
        prop_assert!(p.iter().all(|x| x.is_finite()), "{:?}", p);
        prop_assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-9, "{:?}", p);
        prop_assert_eq!(STANCE_CLASSES[argmax(p)], "neutral");
        let decided = eval.probabilities();
        prop_assert!(decided.iter().all(|x| x.is_finite()), "{:?}", decided);
        prop_assert!((decided.iter().sum::<f64>() - 1.0).abs() < 1e-9, "{:?}", decided);
        prop_assert!(eval.score().is_finite());
        prop_assert_eq!(eval.stance_class(), Class::Neutral, "{:?}", decided);
        prop_assert!(reading_residual(&eval).abs() < 1e-9);
        prop_assert!((explained(&eval) - eval.score()).abs() < 1e-9);
    }
}

/// The deciding model's base score plus every label's share.
fn explained(eval: &Evaluation) -> f64 {
    eval.base_score() + eval.label_shares().iter().map(|(_, s)| s).sum::<f64>()
}

/// The sentence reading's score less the base score plus every label's share of it.
fn reading_residual(eval: &Evaluation) -> f64 {
    let score = |p: &[f64; 3]| p[2] - p[0];
    let shares: f64 = eval.stance.label_shares.iter().map(|(_, s)| s).sum();
    score(&eval.stance.base) + shares - score(&eval.stance.probabilities)
}

#[test]
fn argmax_and_the_decision_never_pick_a_class_for_nan() {
    use stance::model::classes::argmax;
    use stance::model::linear::decide;
    assert_eq!(argmax(&[f64::NAN, 0.2, 0.7]), 2);
    assert_eq!(decide(&[f64::NAN, f64::NAN, f64::NAN], None), 1);
    assert_eq!(decide(&[f64::NAN, 0.1, 0.9], Some(0.15)), 1);
}

/// Each occurrence as (name, feature, segment, value), and each label's share by name.
#[allow(clippy::type_complexity)]
fn named_parts(explained: &Explained) -> (Vec<(String, usize, usize, f64)>, Vec<(String, f64)>) {
    let (eval, names) = (&explained.evaluation, &explained.names);
    let occurrences = (eval.stance.occurrences.iter())
        .map(|o| (names[&o.label].clone(), o.feature, o.segment, o.value))
        .collect();
    let shares = (eval.stance.label_shares.iter())
        .map(|(l, s)| (names[l].clone(), *s))
        .collect();
    (occurrences, shares)
}

/// Sentences about one company, written with `{C}` for its name and `{T}` for its ticker.
const ABOUT_A_COMPANY: &[&str] = &[
    "{C} shares rose 7% after the company beat estimates.",
    "{C} ({T}) reported a loss of $240 million as margins narrowed.",
    "Analysts at Morgan Stanley cut their price target on {C}.",
    "I sold all my {C} shares today and I am not looking back.",
    "Revenue at {C} fell sharply in the quarter.",
    "${T} looks strong here, adding to my position.",
    "{C}'s new plant should lift deliveries next year.",
    "Rivals gained ground while the market waited.",
    "The stock was little changed in early trading.",
    "{C} said it would buy back $5 billion of stock.",
    "Regulators opened a probe into {C}'s driver-assistance claims.",
    "We remain cautious on {C} despite the rally.",
];

/// An article of sentences about one company, with an optional headline, as a template.
fn company_article() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(prop::sample::select(ABOUT_A_COMPANY), 1..12),
        prop::option::of(prop::sample::select(ABOUT_A_COMPANY)),
    )
        .prop_map(|(body, headline)| {
            // The first sentence names the company, so every article is about it.
            let body = format!("{} {}", ABOUT_A_COMPANY[0], body.join(" "));
            match headline {
                Some(h) => format!("{}\n\n{body}", h.trim_end_matches('.')),
                None => body,
            }
        })
}

/// The same article about Tesla and about Ford: every probability of every model.
fn renamed_readings(template: &str) -> [(Vec<f64>, Option<Vec<f64>>); 2] {
    let engine = engine();
    let mut scorer = Scorer::new(engine);
    [("Tesla", "TSLA"), ("Ford", "F")].map(|(name, ticker)| {
        let text = template.replace("{C}", name).replace("{T}", ticker);
        let headline_paragraphs = usize::from(text.contains("\n\n"));
        let eval = scorer.evaluate(
            Document {
                text: &text,
                headline_paragraphs,
            },
            &engine.targets.resolve(name),
        );
        assert!(eval.on_target(), "{text}");
        (
            eval.probabilities().to_vec(),
            eval.voice.map(|v| v.probabilities.to_vec()),
        )
    })
}

fn assert_same_readings(template: &str) {
    let [tesla, ford] = renamed_readings(template);
    for (a, b) in tesla.0.iter().zip(&ford.0) {
        assert!(
            (a - b).abs() < 1e-12,
            "{template}: {:?} vs {:?}",
            tesla.0,
            ford.0
        );
    }
    assert_eq!(tesla.1.is_some(), ford.1.is_some());
    for (a, b) in tesla.1.iter().flatten().zip(ford.1.iter().flatten()) {
        assert!(
            (a - b).abs() < 1e-12,
            "{template}: voice {:?} vs {:?}",
            tesla.1,
            ford.1
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// No model learned who an article is about: renaming the company and its ticker
    /// throughout changes no probability.
    #[test]
    fn renaming_the_company_changes_no_probability(template in company_article()) {
        assert_same_readings(&template);
    }
}

#[test]
fn renaming_the_company_in_whole_articles_changes_no_probability() {
    // Articles written here in the way real ones about the company read.
    for template in [
        "{C} Stock Slides As Deliveries Miss\n\n\
         Shares of {C} ({T}) fell 6% on Tuesday after the automaker said it delivered fewer \
         vehicles than analysts expected in the second quarter. The company blamed supply \
         constraints and factory shutdowns for the shortfall. Wall Street had expected \
         stronger numbers, and several brokers lowered their estimates. {C} said demand \
         remained solid and that production would recover in the months ahead. Still, \
         investors worried that price cuts would squeeze margins further.",
        "Why I Finally Bought {C}\n\n\
         I have watched ${T} for two years and never pulled the trigger. Last week I bought \
         my first 50 shares at what I think is a fair price. The balance sheet is strong, \
         free cash flow is growing and the new models look promising. I could be wrong, but \
         I plan to hold for at least five years and add on dips. {C} is not cheap, yet the \
         long-term story is intact.",
        "{C} Announces Second-Quarter Results\n\n\
         {C} today reported second-quarter revenue of $24.9 billion, up 8% from a year ago. \
         Operating income rose to $2.4 billion and the company reaffirmed its full-year \
         outlook. \"We delivered another quarter of record production,\" the chief executive \
         said. {C} will host a conference call for investors at 5:30 p.m. Eastern Time.\n\n\
         About {C}\n\n{C} designs and builds vehicles and energy products.",
    ] {
        assert_same_readings(template);
    }
}
