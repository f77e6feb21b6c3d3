//! Exact shares of an article's class probabilities (and so of its score) among its parts, by
//! integrated gradients of the pooled article itself.
//!
//! An article is pooled from segments (its sentences under opinion pooling, or one segment
//! holding every part when features are pooled before the model). Segment `s` has logits
//! `b + δ_s`, where `b` are the intercepts and `δ_s` the sum of its parts' logit contributions
//! `z_i`. All parts move together along the path `b + t δ_s`, `t` from 0 to 1, and the pooling
//! weights move with them (a sentence that comes to take a side gains weight along the way).
//! Part `i` of segment `s` gets `z_i · G_s`, where `G_s = ∫ ∂P/∂l_s dt` along that path: its
//! share of each class probability. The shares of every part add up to `P(1) - P(0)`, the
//! article's probabilities less those of the intercepts alone, and a part's share of the score
//! `P(bullish) - P(bearish)` is its bullish share less its bearish one. The integral is taken by
//! adaptive Gauss-Kronrod quadrature to about 1e-10.

use crate::model::classes::{CLASSES, Logits, NEUTRAL, class_probabilities};
use crate::model::pooling::opinions_usable;

/// `[k][j]`: the derivative of article probability `k` with respect to a segment's logit `j`.
pub type Jacobian = [Logits; CLASSES];

/// Output directions that pick every class probability: a part's shares of each.
pub const EVERY_CLASS: [Logits; CLASSES] = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];

/// One pooled segment: its pooling weight and how far its logits are from the intercepts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Segment {
    pub weight: f64,
    pub delta: Logits,
}

/// The 21-point Kronrod rule on [-1, 1] (QUADPACK's `qk21`): nodes from the outside in (the
/// last is 0) and their weights; the embedded 10-point Gauss rule uses the odd-numbered nodes.
/// One interval of it settles nearly every article; the 15-point rule needed two for most.
const KRONROD_NODES: [f64; 11] = [
    0.995_657_163_025_808_1,
    0.973_906_528_517_171_7,
    0.930_157_491_355_708_2,
    0.865_063_366_688_984_5,
    0.780_817_726_586_416_9,
    0.679_409_568_299_024_4,
    0.562_757_134_668_604_7,
    0.433_395_394_129_247_2,
    0.294_392_862_701_460_2,
    0.148_874_338_981_631_2,
    0.0,
];
const KRONROD_WEIGHTS: [f64; 11] = [
    0.011_694_638_867_371_874,
    0.032_558_162_307_964_73,
    0.054_755_896_574_352,
    0.075_039_674_810_919_95,
    0.093_125_454_583_697_6,
    0.109_387_158_802_297_64,
    0.123_491_976_262_065_85,
    0.134_709_217_311_473_33,
    0.142_775_938_577_060_08,
    0.147_739_104_901_338_5,
    0.149_445_554_002_916_9,
];
/// Gauss weights of nodes 1, 3, 5, 7 and 9.
const GAUSS_WEIGHTS: [f64; 5] = [
    0.066_671_344_308_688_14,
    0.149_451_349_150_580_6,
    0.219_086_362_515_982_04,
    0.269_266_719_309_996_36,
    0.295_524_224_714_752_87,
];
/// Nodes other than the centre, which come in pairs.
const OFFSETS: usize = KRONROD_NODES.len() - 1;

/// An interval is accepted when its Kronrod and Gauss estimates differ by less than this per
/// unit of length in every entry: the Kronrod estimate is then closer than 1e-10 for the smooth
/// integrands here (its error shrinks far faster than the difference of the two rules).
const TOLERANCE: f64 = 1e-7;
/// Intervals examined at most: a path this wiggly is integrated as well as that allows.
const MAX_INTERVALS: usize = 200;
/// Beyond this spread of `t x δ` over the classes, `e^(t δ)` may leave f64's range, and each
/// node's exponentials are taken directly.
const MAX_SPREAD: f64 = 600.0;

/// For each output `r · P` (one per row of `rows`), its derivative with respect to each
/// segment's logits, given the segments' probabilities `p` at one point of the path: added
/// `kronrod_weight` times into `kronrod` and, at a Gauss node, `gauss_weight` times into `gauss`.
fn add_gradients_at<const R: usize>(
    segments: &[Segment],
    p: &[Logits],
    rows: &[Logits; R],
    (kronrod_weight, kronrod): (f64, &mut [[Logits; R]]),
    (gauss_weight, gauss): (f64, &mut [[Logits; R]]),
) {
    let opinion: f64 = segments
        .iter()
        .zip(p)
        .map(|(s, p)| s.weight * (1.0 - p[NEUTRAL]))
        .sum();
    let by_opinion = opinions_usable(opinion);
    let strength = |s: &Segment, p: &Logits| {
        if by_opinion {
            s.weight * (1.0 - p[NEUTRAL])
        } else {
            s.weight
        }
    };
    let total = if by_opinion {
        opinion
    } else {
        segments.iter().map(|s| s.weight).sum()
    };
    // The article's probabilities, needed for how a segment's weight moves them.
    let mut mixed = [0.0; CLASSES];
    for (s, ps) in segments.iter().zip(p) {
        let a = strength(s, ps);
        for (m, pc) in mixed.iter_mut().zip(ps) {
            *m += a * pc;
        }
    }
    let dot = |a: &Logits, b: &Logits| a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
    let article: [f64; R] = std::array::from_fn(|r| dot(&rows[r], &mixed) / total);
    let (kronrod_scale, gauss_scale) = (kronrod_weight / total, gauss_weight / total);
    for (((s, ps), k), g) in segments.iter().zip(p).zip(kronrod).zip(gauss) {
        // A segment with no parts moves no logits: its gradient is never used.
        if s.delta == [0.0; CLASSES] {
            continue;
        }
        let own = strength(s, ps);
        // d o_s / d l_j for o_s = w_s (1 - p_neutral), by the softmax derivative
        // d p_k / d l_j = p_k (δ_kj - p_j); zero when weights are fixed.
        let moves = if by_opinion {
            -s.weight * ps[NEUTRAL]
        } else {
            0.0
        };
        let mut weight_moves: Logits = [-moves * ps[0], -moves * ps[1], -moves * ps[2]];
        weight_moves[NEUTRAL] += moves;
        for r in 0..R {
            let own_output = dot(&rows[r], ps);
            let pull = own_output - article[r];
            // d (r · p_s) / d l_j = p_j (r_j - r · p_s).
            let d: Logits = std::array::from_fn(|j| {
                own * ps[j] * (rows[r][j] - own_output) + pull * weight_moves[j]
            });
            for j in 0..CLASSES {
                k[r][j] += kronrod_scale * d[j];
            }
            // Half the nodes are Kronrod's own, with no Gauss weight.
            if gauss_scale != 0.0 {
                for j in 0..CLASSES {
                    g[r][j] += gauss_scale * d[j];
                }
            }
        }
    }
}

/// `e^x`, without calling `exp` for the one entry of each shifted triple that is 0.
fn exp_or_one(x: f64) -> f64 {
    if x == 0.0 { 1.0 } else { x.exp() }
}

/// Normalizes `e` to probabilities.
fn normalized(e: Logits) -> Logits {
    let sum: f64 = e.iter().sum();
    e.map(|x| x / sum)
}

/// `G_s = ∫_0^1 ∂(r · P)/∂l_s (b + t δ) dt` for every segment and every output row `r`, into
/// `out` (one per segment). With [`EVERY_CLASS`] that is `∫ ∂P/∂l_s dt`; with the one row
/// bullish - bearish it is the gradient of the score. The shares it gives add up to
/// `r · (P(1) - P(0))` exactly: what quadrature leaves over is spread along the path directions.
pub fn path_gradients<const R: usize>(
    intercepts: &Logits,
    segments: &[Segment],
    rows: &[Logits; R],
    out: &mut Vec<[Logits; R]>,
) {
    Quadrature::default().path_gradients(intercepts, segments, rows, out);
}

/// Buffers for [`path_gradients`], kept between articles by a scorer.
#[derive(Default)]
pub struct Quadrature {
    /// Per segment: the exponentials at an interval's centre and at each node offset.
    centre_exp: Vec<Logits>,
    offset_exp: Vec<[Logits; OFFSETS]>,
    /// Per segment: the probabilities at one node.
    p: Vec<Logits>,
    pending: Vec<(f64, f64)>,
    shares: Vec<f64>,
    /// Per segment and output row: the two rules' sums over one interval.
    kronrod: Vec<Logits>,
    gauss: Vec<Logits>,
}

impl Quadrature {
    /// [`path_gradients`], reusing these buffers.
    pub fn path_gradients<const R: usize>(
        &mut self,
        intercepts: &Logits,
        segments: &[Segment],
        rows: &[Logits; R],
        out: &mut Vec<[Logits; R]>,
    ) {
        let n = segments.len();
        out.clear();
        out.resize(n, [[0.0; CLASSES]; R]);
        if n == 0 {
            return;
        }
        let Quadrature {
            centre_exp,
            offset_exp,
            p,
            pending,
            shares,
            kronrod,
            gauss,
        } = self;
        centre_exp.clear();
        centre_exp.resize(n, [0.0; CLASSES]);
        offset_exp.clear();
        offset_exp.resize(n, [[0.0; CLASSES]; OFFSETS]);
        p.clear();
        p.resize(n, [0.0; CLASSES]);
        kronrod.clear();
        kronrod.resize(n * R, [0.0; CLASSES]);
        gauss.clear();
        gauss.resize(n * R, [0.0; CLASSES]);
        let spread = segments
            .iter()
            .map(|s| {
                let (hi, lo) = s
                    .delta
                    .iter()
                    .fold((f64::MIN, f64::MAX), |(hi, lo), &d| (hi.max(d), lo.min(d)));
                hi - lo
            })
            .fold(0.0, f64::max);
        // The probabilities of a segment with no parts, wherever on the path.
        let still = class_probabilities(intercepts);
        pending.clear();
        pending.push((0.0_f64, 1.0_f64));
        let mut examined = 0;
        while let Some((a, b)) = pending.pop() {
            examined += 1;
            let (centre, half) = ((a + b) / 2.0, (b - a) / 2.0);
            let paired = spread * half < MAX_SPREAD;
            for (s, seg) in segments.iter().enumerate() {
                if seg.delta == [0.0; CLASSES] {
                    continue;
                }
                let l: Logits = std::array::from_fn(|c| intercepts[c] + centre * seg.delta[c]);
                let top = l.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                centre_exp[s] = l.map(|x| exp_or_one(x - top));
                if paired {
                    // Shifted by the smallest entry (softmax ignores a shift), so no exponent
                    // passes MAX_SPREAD.
                    let lo = seg.delta.iter().copied().fold(f64::INFINITY, f64::min);
                    for (i, x) in KRONROD_NODES[..OFFSETS].iter().enumerate() {
                        offset_exp[s][i] = seg.delta.map(|d| exp_or_one(half * x * (d - lo)));
                    }
                }
            }
            for j in kronrod.iter_mut().chain(gauss.iter_mut()) {
                *j = [0.0; CLASSES];
            }
            for (i, (&x, &w)) in KRONROD_NODES.iter().zip(&KRONROD_WEIGHTS).enumerate() {
                let gauss_weight = (i % 2 == 1).then(|| GAUSS_WEIGHTS[i / 2]);
                let sides: &[f64] = if x == 0.0 { &[1.0] } else { &[-1.0, 1.0] };
                for &side in sides {
                    for (s, seg) in segments.iter().enumerate() {
                        p[s] = if seg.delta == [0.0; CLASSES] {
                            still
                        } else if x == 0.0 {
                            normalized(centre_exp[s])
                        } else if paired {
                            let (e, u) = (centre_exp[s], offset_exp[s][i]);
                            normalized(std::array::from_fn(|c| {
                                if side > 0.0 { e[c] * u[c] } else { e[c] / u[c] }
                            }))
                        } else {
                            let t = centre + side * half * x;
                            class_probabilities(&std::array::from_fn(|c| {
                                intercepts[c] + t * seg.delta[c]
                            }))
                        };
                    }
                    add_gradients_at(
                        segments,
                        p,
                        rows,
                        (half * w, as_rows(kronrod)),
                        (half * gauss_weight.unwrap_or(0.0), as_rows(gauss)),
                    );
                }
            }
            let error = kronrod
                .iter()
                .flatten()
                .zip(gauss.iter().flatten())
                .map(|(k, g)| (k - g).abs())
                .fold(0.0, f64::max);
            let settled = error <= TOLERANCE * (b - a) || !error.is_finite();
            if settled || examined + pending.len() + 2 > MAX_INTERVALS {
                add_scaled(out, as_rows(kronrod), 1.0);
            } else {
                pending.push((centre, b));
                pending.push((a, centre));
            }
        }
        complete(intercepts, segments, rows, out, (p, shares));
    }
}

/// A flat buffer of `n x R` rows viewed as `n` groups of `R`.
fn as_rows<const R: usize>(v: &mut [Logits]) -> &mut [[Logits; R]] {
    v.as_chunks_mut::<R>().0
}

/// Spreads what the shares miss of `P(1) - P(0)` over the segments along their path directions,
/// so that `sum_s G_s δ_s` is exactly the change in the pooled probabilities.
/// `p` and `scratch` are buffers.
fn complete<const R: usize>(
    intercepts: &Logits,
    segments: &[Segment],
    rows: &[Logits; R],
    gradients: &mut [[Logits; R]],
    (p, scratch): (&mut Vec<Logits>, &mut Vec<f64>),
) {
    // At the start every segment has the intercepts' probabilities, and so has the article.
    let start = class_probabilities(intercepts);
    p.clear();
    p.extend(
        segments
            .iter()
            .map(|s| class_probabilities(&std::array::from_fn(|c| intercepts[c] + s.delta[c]))),
    );
    scratch.clear();
    scratch.extend(segments.iter().map(|s| s.weight));
    let weights = std::mem::take(scratch);
    crate::model::pooling::opinion_shares(&weights, p, scratch);
    let end = crate::model::pooling::mix(scratch, p);
    let norm: f64 = segments
        .iter()
        .map(|s| s.delta.iter().map(|d| d * d).sum::<f64>())
        .sum();
    if !(norm > 0.0 && norm.is_finite()) {
        return;
    }
    let mut residual: [f64; R] =
        std::array::from_fn(|r| (0..CLASSES).map(|k| rows[r][k] * (end[k] - start[k])).sum());
    for (s, g) in segments.iter().zip(gradients.iter()) {
        for (r, m) in residual.iter_mut().zip(shares(&s.delta, g)) {
            *r -= m;
        }
    }
    for (s, g) in segments.iter().zip(gradients.iter_mut()) {
        for (k, row) in g.iter_mut().enumerate() {
            for (entry, d) in row.iter_mut().zip(&s.delta) {
                *entry += residual[k] * d / norm;
            }
        }
    }
}

/// `sum += scale x term`, entry by entry.
fn add_scaled<const R: usize>(sum: &mut [[Logits; R]], term: &[[Logits; R]], scale: f64) {
    for (s, t) in sum
        .iter_mut()
        .flatten()
        .flatten()
        .zip(term.iter().flatten().flatten())
    {
        *s += scale * t;
    }
}

/// A part's share of each output: its logit contributions `z` through `G`.
pub fn shares<const R: usize>(z: &Logits, gradient: &[Logits; R]) -> [f64; R] {
    std::array::from_fn(|r| (0..CLASSES).map(|j| gradient[r][j] * z[j]).sum())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The pooled probabilities, written out plainly for the reference.
    fn pooled(weights: &[f64], logits: &[Logits]) -> Logits {
        let p: Vec<Logits> = logits.iter().map(class_probabilities).collect();
        let mut shares = Vec::new();
        crate::model::pooling::opinion_shares(weights, &p, &mut shares);
        crate::model::pooling::mix(&shares, &p)
    }

    /// `d P / d α` at `α = 0` when part `z` of segment `s` is scaled by `1 + α` at path point
    /// `t`: Richardson-extrapolated central differences of the pooled article itself.
    fn directional(
        intercepts: &Logits,
        segments: &[Segment],
        s: usize,
        z: &Logits,
        t: f64,
    ) -> Logits {
        let at = |alpha: f64| {
            let logits: Vec<Logits> = segments
                .iter()
                .enumerate()
                .map(|(r, seg)| {
                    std::array::from_fn(|c| {
                        let own = if r == s { alpha * z[c] } else { 0.0 };
                        intercepts[c] + t * seg.delta[c] + own
                    })
                })
                .collect();
            let weights: Vec<f64> = segments.iter().map(|s| s.weight).collect();
            pooled(&weights, &logits)
        };
        let central = |h: f64| -> Logits {
            let (up, down) = (at(h), at(-h));
            std::array::from_fn(|c| (up[c] - down[c]) / (2.0 * h))
        };
        let (coarse, fine) = (central(1e-3), central(5e-4));
        std::array::from_fn(|c| (4.0 * fine[c] - coarse[c]) / 3.0)
    }

    /// The path integral of [`directional`] by composite Simpson's rule on `n` panels.
    fn dense_share(intercepts: &Logits, segments: &[Segment], s: usize, z: &Logits) -> Logits {
        let n = 4000;
        let mut total = [0.0; CLASSES];
        for i in 0..=n {
            let t = i as f64 / n as f64;
            let w = if i == 0 || i == n {
                1.0
            } else if i % 2 == 1 {
                4.0
            } else {
                2.0
            };
            let d = directional(intercepts, segments, s, z, t);
            for c in 0..CLASSES {
                total[c] += w * d[c] / (3.0 * n as f64);
            }
        }
        total
    }

    fn logits() -> impl Strategy<Value = Logits> {
        prop::array::uniform3(-1.0..1.0_f64)
    }

    /// Articles of one to four sentences with one to three parts each, pointing different
    /// ways, on paths up to 24 logits long.
    fn articles() -> impl Strategy<Value = (Logits, Vec<(f64, Vec<Logits>)>)> {
        let part = (logits(), 0.0..8.0_f64).prop_map(|(d, len)| d.map(|x| x * len));
        let sentence = (0.05..3.0_f64, prop::collection::vec(part, 1..4));
        (
            prop::array::uniform3(-1.5..1.5_f64),
            prop::collection::vec(sentence, 1..5),
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        #[test]
        fn shares_match_a_dense_integral_and_add_up((intercepts, sentences) in articles()) {
            let segments: Vec<Segment> = sentences
                .iter()
                .map(|(w, parts)| Segment {
                    weight: *w,
                    delta: std::array::from_fn(|c| parts.iter().map(|z| z[c]).sum()),
                })
                .collect();
            let mut gradients = Vec::new();
            path_gradients(&intercepts, &segments, &EVERY_CLASS, &mut gradients);
            let mut score_rows = Vec::new();
            let score_row = [[-1.0, 0.0, 1.0]];
            path_gradients(&intercepts, &segments, &score_row, &mut score_rows);
            let mut total = [0.0; CLASSES];
            for (s, (_, parts)) in sentences.iter().enumerate() {
                for z in parts {
                    let share = shares(z, &gradients[s]);
                    let reference = dense_share(&intercepts, &segments, s, z);
                    let score = shares(z, &score_rows[s])[0];
                    prop_assert!((score - (reference[2] - reference[0])).abs() < 1e-6);
                    for c in 0..CLASSES {
                        prop_assert!((share[c] - reference[c]).abs() < 1e-6,
                            "class {c}: {share:?} vs {reference:?}");
                        total[c] += share[c];
                    }
                }
            }
            let weights: Vec<f64> = segments.iter().map(|s| s.weight).collect();
            let end: Vec<Logits> = segments
                .iter()
                .map(|s| std::array::from_fn(|c| intercepts[c] + s.delta[c]))
                .collect();
            let start = vec![intercepts; segments.len()];
            let (p1, p0) = (pooled(&weights, &end), pooled(&weights, &start));
            for c in 0..CLASSES {
                prop_assert!((total[c] - (p1[c] - p0[c])).abs() < 1e-9, "{total:?} vs {p1:?} - {p0:?}");
            }
        }
    }

    #[test]
    fn the_rules_integrate_polynomials_of_their_degree_exactly() {
        // Kronrod 21 is exact to degree 31, Gauss 10 to degree 19, on [-1, 1].
        let rule = |weight: &dyn Fn(usize) -> Option<f64>, degree: i32| {
            let mut sum = 0.0;
            for (i, &x) in KRONROD_NODES.iter().enumerate() {
                if let Some(w) = weight(i) {
                    sum += w * x.powi(degree);
                    if x != 0.0 {
                        sum += w * (-x).powi(degree);
                    }
                }
            }
            sum
        };
        let kronrod = |i: usize| Some(KRONROD_WEIGHTS[i]);
        let gauss = |i: usize| (i % 2 == 1).then(|| GAUSS_WEIGHTS[i / 2]);
        for degree in 0..32 {
            let exact = if degree % 2 == 0 {
                2.0 / (degree as f64 + 1.0)
            } else {
                0.0
            };
            assert!(
                (rule(&kronrod, degree) - exact).abs() < 1e-14,
                "kronrod {degree}"
            );
            if degree < 20 {
                assert!(
                    (rule(&gauss, degree) - exact).abs() < 1e-14,
                    "gauss {degree}"
                );
            }
        }
    }

    #[test]
    fn one_sentence_pooled_or_not_has_the_plain_softmax_gradient() {
        // One segment: the weight cancels, and the shares are plain integrated gradients.
        let intercepts = [0.2, 0.9, -0.1];
        let delta = [-2.0, 0.5, 3.0];
        let mut g = Vec::new();
        path_gradients(
            &intercepts,
            &[Segment { weight: 0.3, delta }],
            &EVERY_CLASS,
            &mut g,
        );
        let shares = shares(&delta, &g[0]);
        let (p1, p0) = (
            class_probabilities(&std::array::from_fn(|c| intercepts[c] + delta[c])),
            class_probabilities(&intercepts),
        );
        for c in 0..CLASSES {
            assert!((shares[c] - (p1[c] - p0[c])).abs() < 1e-12, "{shares:?}");
        }
    }

    #[test]
    fn saturated_paths_stay_finite() {
        let intercepts = [0.0, 0.0, 0.0];
        let segments = [
            Segment {
                weight: 1.0,
                delta: [0.0, 900.0, 0.0],
            },
            Segment {
                weight: 1.0,
                delta: [-800.0, 0.0, 800.0],
            },
        ];
        let mut g = Vec::new();
        path_gradients(&intercepts, &segments, &EVERY_CLASS, &mut g);
        assert!(g.iter().flatten().flatten().all(|x| x.is_finite()), "{g:?}");
    }
}
