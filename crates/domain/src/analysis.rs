//! Item analysis of a bank version for its authors: classical test theory
//! statistics over the scored attempts taken on that version.
//!
//! Per item: how many attempts were given it (`n`), its facility (mean share
//! of its points) and its discrimination (corrected item–rest correlation).
//! Per competence: Cronbach's alpha. Each with [`Flag`]s for what an author
//! should look at, under an [`AnalysisPolicy`].
//!
//! These are descriptive statistics, not decisions, so they are `f64`; the
//! exact [`Rational`] marks are only converted at the end (a share is divided
//! exactly first, so equal shares give equal floats and a constant column is
//! recognised as constant, not as a column with rounding noise).
//!
//! Forms draw `items_per_attempt` items of each competence at random, so the
//! data are incomplete by design and every statistic uses the attempts that
//! were given what it is about:
//!
//! * facility: the attempts given the item;
//! * discrimination: the attempts given the item and at least one other item
//!   of its competence, against the rest score on those other items as a share
//!   of their maximum (attempts got different items with different points, so
//!   raw rest sums are not comparable);
//! * alpha: from the pairwise-complete item covariance matrix, see [`analyse`].
//!
//! Pure functions: the caller selects the attempts of one bank version.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::bank::{Bank, Rational};
use crate::scoring::{ItemId, Response, ScoreError, check_response, score_item};

/// One attempt's marks: for each item it was given, `(score, max points)`.
/// Items it was not given are absent.
///
/// Expected: `max > 0` and `0 <= score <= max` (what [`score_item`] gives).
/// An entry with `max <= 0` counts as not given; an id the bank does not have
/// is ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScoredAttempt {
    pub items: BTreeMap<ItemId, (Rational, Rational)>,
}

impl ScoredAttempt {
    /// Scores a response set as [`crate::score_attempt`] reads it: absent
    /// items were not given, `Null` ones were given and earn 0.
    pub fn score(
        bank: &Bank,
        responses: &BTreeMap<ItemId, Response>,
    ) -> Result<ScoredAttempt, ScoreError> {
        let mut items = BTreeMap::new();
        for (id, response) in responses {
            let item = bank
                .item(id)
                .ok_or_else(|| ScoreError::UnknownItem(id.clone()))?;
            check_response(item, response)?;
            items.insert(id.clone(), (score_item(item, response), item.points));
        }
        Ok(ScoredAttempt { items })
    }
}

/// Thresholds of the flags. The defaults are the usual rules of thumb of
/// classical item analysis.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AnalysisPolicy {
    /// Below this many attempts a statistic is only flagged
    /// [`Flag::FewResponses`]. Default 30.
    pub min_n: usize,
    /// Facility above this is [`Flag::TooEasy`]. Default 0.90.
    pub too_easy_above: f64,
    /// Facility below this is [`Flag::TooHard`]. Default 0.20.
    pub too_hard_below: f64,
    /// Discrimination below this is [`Flag::LowDiscrimination`]. Default 0.20.
    pub low_discrimination_below: f64,
    /// Discrimination below this is [`Flag::NegativeDiscrimination`] (instead
    /// of low). Default 0.
    pub negative_discrimination_below: f64,
    /// Alpha below this is [`Flag::LowReliability`]. Default 0.60.
    pub low_alpha_below: f64,
}

impl Default for AnalysisPolicy {
    fn default() -> Self {
        AnalysisPolicy {
            min_n: 30,
            too_easy_above: 0.90,
            too_hard_below: 0.20,
            low_discrimination_below: 0.20,
            negative_discrimination_below: 0.0,
            low_alpha_below: 0.60,
        }
    }
}

/// What an author should look at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    /// Fewer than `min_n` attempts: no other flag is raised.
    FewResponses,
    /// Facility above `too_easy_above`.
    TooEasy,
    /// Facility below `too_hard_below`.
    TooHard,
    /// Discrimination below `low_discrimination_below` (and not negative).
    LowDiscrimination,
    /// Discrimination below `negative_discrimination_below`: stronger
    /// teachers do worse on the item, often a wrong key.
    NegativeDiscrimination,
    /// A competence's alpha below `low_alpha_below`.
    LowReliability,
}

impl Flag {
    /// The reason in Russian, with the default thresholds' numbers. Under a
    /// policy with other thresholds use [`Flag::describe`].
    pub fn reason(&self) -> &'static str {
        match self {
            Flag::FewResponses => "мало ответов: меньше 30, показатели ненадёжны",
            Flag::TooEasy => "слишком лёгкое: решают более 90 %",
            Flag::TooHard => "слишком трудное: решают менее 20 %",
            Flag::LowDiscrimination => {
                "слабо различает: связь с остальными заданиями компетенции ниже 0,2"
            }
            Flag::NegativeDiscrimination => {
                "различает наоборот: сильные участники решают хуже слабых, проверьте ключ"
            }
            Flag::LowReliability => "низкая надёжность: альфа Кронбаха ниже 0,6",
        }
    }

    /// The reason in Russian with the policy's thresholds.
    pub fn describe(&self, policy: &AnalysisPolicy) -> String {
        match self {
            Flag::FewResponses => format!(
                "мало ответов: меньше {}, показатели ненадёжны",
                policy.min_n
            ),
            Flag::TooEasy => format!(
                "слишком лёгкое: решают более {} %",
                ru_number(100.0 * policy.too_easy_above)
            ),
            Flag::TooHard => format!(
                "слишком трудное: решают менее {} %",
                ru_number(100.0 * policy.too_hard_below)
            ),
            Flag::LowDiscrimination => format!(
                "слабо различает: связь с остальными заданиями компетенции ниже {}",
                ru_number(policy.low_discrimination_below)
            ),
            Flag::NegativeDiscrimination if policy.negative_discrimination_below == 0.0 => {
                self.reason().to_string()
            }
            Flag::NegativeDiscrimination => format!(
                "различает наоборот: связь с остальными заданиями компетенции ниже {}, \
                 проверьте ключ",
                ru_number(policy.negative_discrimination_below)
            ),
            Flag::LowReliability => format!(
                "низкая надёжность: альфа Кронбаха ниже {}",
                ru_number(policy.low_alpha_below)
            ),
        }
    }
}

/// Up to 2 decimals, trailing zeros dropped, decimal comma: `90`, `0,2`.
fn ru_number(x: f64) -> String {
    let text = format!("{x:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    text.replace('.', ",")
}

/// One item's statistics.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemStats {
    /// The item's id.
    pub item: String,
    /// Its competence's code in the bank.
    pub competence: String,
    /// Attempts given the item.
    pub n: usize,
    /// Mean share of the item's points, in `[0, 1]`; `None` without attempts.
    pub facility: Option<f64>,
    /// Corrected item–rest correlation (the point-biserial for a 0/1 item,
    /// Pearson's r for partial credit), in `[-1, 1]`: the item's share
    /// against the share of the maximum on the other items of its competence
    /// the same attempt was given, the item itself excluded. `None` with
    /// fewer than 2 such attempts or when either side does not vary (an item
    /// everyone solves).
    pub discrimination: Option<f64>,
    /// Only [`Flag::FewResponses`] when `n < min_n`. Discrimination flags also
    /// need `min_n` attempts behind the correlation.
    pub flags: Vec<Flag>,
}

/// One competence's statistics.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompetenceStats {
    /// The competence's code in the bank.
    pub competence: String,
    /// Attempts given at least 2 of its items.
    pub n: usize,
    /// Cronbach's alpha of a form of `items_per_attempt` items, at most 1
    /// (may be negative); see [`analyse`] for when it is `None`.
    pub alpha: Option<f64>,
    /// Only [`Flag::FewResponses`] when `n < min_n`.
    pub flags: Vec<Flag>,
}

/// Item and competence statistics of one bank version, in the bank's file
/// order (every item and competence, attempts or not).
///
/// Item marks are shares of the item's maximum (`score / max`) throughout, so
/// items of different points weigh alike.
///
/// **Alpha in an incomplete design.** Attempts were given different subsets
/// of a competence's items, so there is no complete attempts × items matrix
/// to take the variance of the total from. Instead the item covariance
/// matrix is estimated from pairwise-complete observations: each item's
/// variance over the attempts given it, each pair's covariance over the
/// attempts given both (sample estimates, divisor `n − 1`). With `v̄` the
/// mean item variance, `c̄` the mean inter-item covariance and
/// `k = items_per_attempt` (the length of the form a teacher actually
/// takes), alpha is
///
/// ```text
/// alpha = k·c̄ / (v̄ + (k − 1)·c̄)
/// ```
///
/// the alpha of a `k`-item form whose items have the average variance and
/// covariance. On a complete design with `k` items it is exactly the usual
/// `k/(k−1)·(1 − Σσ²ᵢ / σ²(total))`, since `Σσ²ᵢ = k·v̄` and
/// `σ²(total) = k·v̄ + k(k−1)·c̄`.
///
/// `None` when it is undefined: `k < 2`; no item with 2 attempts or no pair
/// of items given together in 2 attempts; no variance (`v̄ = 0`); a total
/// variance `v̄ + (k − 1)·c̄` that is not positive; or `c̄ > v̄`, which a real
/// covariance matrix cannot have (it would mean alpha > 1) but pairwise
/// estimates from little overlap can: the data are too thin to say.
pub fn analyse(
    bank: &Bank,
    attempts: &[ScoredAttempt],
    policy: &AnalysisPolicy,
) -> (Vec<ItemStats>, Vec<CompetenceStats>) {
    // Items by id (the first one, should an unvalidated bank repeat an id)
    // and by competence group.
    let mut position: HashMap<&str, usize> = HashMap::new();
    let mut group_index: HashMap<&str, usize> = HashMap::new();
    let mut group_of = Vec::with_capacity(bank.items.len());
    for (p, item) in bank.items.iter().enumerate() {
        position.entry(item.id.as_str()).or_insert(p);
        let next = group_index.len();
        group_of.push(*group_index.entry(item.competence.as_str()).or_insert(next));
    }

    // Per item: its shares; its (share, rest share) pairs.
    let mut shares: Vec<Vec<f64>> = vec![Vec::new(); bank.items.len()];
    let mut with_rest: Vec<(Vec<f64>, Vec<f64>)> = vec![(Vec::new(), Vec::new()); bank.items.len()];
    // Per pair of items (by position, lower first): their shares in the
    // attempts given both.
    let mut pairs: BTreeMap<(usize, usize), (Vec<f64>, Vec<f64>)> = BTreeMap::new();
    // Per group: attempts given at least 2 of its items.
    let mut group_n = vec![0usize; group_index.len()];

    for attempt in attempts {
        let mut given: BTreeMap<usize, Vec<(usize, Rational, Rational)>> = BTreeMap::new();
        for (id, &(score, max)) in &attempt.items {
            let Some(&p) = position.get(id.as_str()) else {
                continue;
            };
            if max.is_positive() {
                given.entry(group_of[p]).or_default().push((p, score, max));
            }
        }
        for (group, marks) in given {
            let xs: Vec<f64> = marks.iter().map(|&(_, s, m)| share(s, m)).collect();
            for (i, &(p, _, _)) in marks.iter().enumerate() {
                shares[p].push(xs[i]);
                if marks.len() >= 2 {
                    with_rest[p].0.push(xs[i]);
                    with_rest[p].1.push(rest_share(&marks, i));
                }
            }
            if marks.len() < 2 {
                continue;
            }
            group_n[group] += 1;
            for i in 0..marks.len() {
                for j in i + 1..marks.len() {
                    let (a, b) = (marks[i].0, marks[j].0);
                    let (key, xa, xb) = if a < b {
                        ((a, b), xs[i], xs[j])
                    } else {
                        ((b, a), xs[j], xs[i])
                    };
                    let entry = pairs.entry(key).or_default();
                    entry.0.push(xa);
                    entry.1.push(xb);
                }
            }
        }
    }

    let items = bank
        .items
        .iter()
        .enumerate()
        .map(|(p, item)| {
            let n = shares[p].len();
            let facility = mean(&shares[p]);
            let (xs, rests) = &with_rest[p];
            let discrimination = pearson(xs, rests);
            let mut flags = Vec::new();
            if n < policy.min_n {
                flags.push(Flag::FewResponses);
            } else {
                if let Some(f) = facility {
                    if f > policy.too_easy_above {
                        flags.push(Flag::TooEasy);
                    }
                    if f < policy.too_hard_below {
                        flags.push(Flag::TooHard);
                    }
                }
                if let Some(r) = discrimination
                    && xs.len() >= policy.min_n
                {
                    if r < policy.negative_discrimination_below {
                        flags.push(Flag::NegativeDiscrimination);
                    } else if r < policy.low_discrimination_below {
                        flags.push(Flag::LowDiscrimination);
                    }
                }
            }
            ItemStats {
                item: item.id.clone(),
                competence: item.competence.clone(),
                n,
                facility,
                discrimination,
                flags,
            }
        })
        .collect();

    // Per group: the item variances and the pairwise covariances.
    let mut variances: Vec<Vec<f64>> = vec![Vec::new(); group_index.len()];
    for (p, xs) in shares.iter().enumerate() {
        if let Some(v) = covariance(xs, xs) {
            variances[group_of[p]].push(v);
        }
    }
    let mut covariances: Vec<Vec<f64>> = vec![Vec::new(); group_index.len()];
    for (&(a, _), (xs, ys)) in &pairs {
        if let Some(c) = covariance(xs, ys) {
            covariances[group_of[a]].push(c);
        }
    }

    let competences = bank
        .competences
        .iter()
        .map(|competence| {
            let group = group_index.get(competence.code.as_str()).copied();
            let n = group.map_or(0, |g| group_n[g]);
            let alpha = group
                .and_then(|g| alpha(competence.items_per_attempt, &variances[g], &covariances[g]));
            let mut flags = Vec::new();
            if n < policy.min_n {
                flags.push(Flag::FewResponses);
            } else if alpha.is_some_and(|a| a < policy.low_alpha_below) {
                flags.push(Flag::LowReliability);
            }
            CompetenceStats {
                competence: competence.code.clone(),
                n,
                alpha,
                flags,
            }
        })
        .collect();

    (items, competences)
}

/// `r` as the nearest-ish `f64`.
fn to_f64(r: Rational) -> f64 {
    r.numer() as f64 / r.denom() as f64
}

/// `score / max` divided exactly first, so equal shares are equal floats.
fn share(score: Rational, max: Rational) -> f64 {
    score
        .checked_div(max)
        .map_or_else(|| to_f64(score) / to_f64(max), to_f64)
}

/// The share of the maximum scored on the marks other than `skip`.
fn rest_share(marks: &[(usize, Rational, Rational)], skip: usize) -> f64 {
    let others = || {
        marks
            .iter()
            .enumerate()
            .filter(move |(i, _)| *i != skip)
            .map(|(_, mark)| mark)
    };
    let exact = others().try_fold(
        (Rational::ZERO, Rational::ZERO),
        |(s, m), &(_, score, max)| Some((s.checked_add(score)?, m.checked_add(max)?)),
    );
    match exact {
        Some((score, max)) => share(score, max),
        None => {
            let (score, max) = others().fold((0.0, 0.0), |(s, m), &(_, score, max)| {
                (s + to_f64(score), m + to_f64(max))
            });
            score / max
        }
    }
}

fn mean(xs: &[f64]) -> Option<f64> {
    (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64)
}

fn is_constant(xs: &[f64]) -> bool {
    xs.windows(2).all(|w| w[0] == w[1])
}

/// The sample covariance (divisor `n − 1`); `None` below 2 observations.
/// Exactly 0 when either side is constant.
fn covariance(xs: &[f64], ys: &[f64]) -> Option<f64> {
    let n = xs.len();
    if n < 2 {
        return None;
    }
    if is_constant(xs) || is_constant(ys) {
        return Some(0.0);
    }
    let (mx, my) = (mean(xs)?, mean(ys)?);
    let sum: f64 = xs.iter().zip(ys).map(|(x, y)| (x - mx) * (y - my)).sum();
    Some(sum / (n - 1) as f64)
}

/// Pearson's r, clamped to `[-1, 1]` against rounding; `None` below 2
/// observations or when either side is constant.
fn pearson(xs: &[f64], ys: &[f64]) -> Option<f64> {
    if xs.len() < 2 || is_constant(xs) || is_constant(ys) {
        return None;
    }
    let (mx, my) = (mean(xs)?, mean(ys)?);
    let (mut sxx, mut syy, mut sxy) = (0.0, 0.0, 0.0);
    for (x, y) in xs.iter().zip(ys) {
        let (dx, dy) = (x - mx, y - my);
        sxx += dx * dx;
        syy += dy * dy;
        sxy += dx * dy;
    }
    let denominator = sxx.sqrt() * syy.sqrt();
    if denominator.is_nan() || denominator <= 0.0 {
        return None;
    }
    let r = sxy / denominator;
    r.is_finite().then(|| r.clamp(-1.0, 1.0))
}

/// Alpha of a `k`-item form from the mean item variance and the mean
/// inter-item covariance, see [`analyse`].
fn alpha(k: u32, variances: &[f64], covariances: &[f64]) -> Option<f64> {
    if k < 2 {
        return None;
    }
    let (v, c) = (mean(variances)?, mean(covariances)?);
    // Relative slack for rounding: c̄ = v̄ (perfectly parallel items) and a
    // zero total variance must not turn on the last bit.
    const SLACK: f64 = 1e-9;
    if v <= 0.0 || c > v * (1.0 + SLACK) {
        return None;
    }
    let k = f64::from(k);
    let total = v + (k - 1.0) * c;
    if total <= v * SLACK {
        return None;
    }
    let a = k * c / total;
    // c̄ <= v̄ means a <= 1; min() only absorbs the rounding of c̄ ≈ v̄.
    a.is_finite().then(|| a.min(1.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bank::{Competence, Item, ItemKind, OverallRule, Review, Thresholds};
    use proptest::prelude::*;

    fn q(n: i128, d: i128) -> Rational {
        Rational::new(n, d).unwrap()
    }

    fn int(n: i128) -> Rational {
        Rational::integer(n)
    }

    /// A bank of single-choice items: `competences` as `(code,
    /// items_per_attempt)`, `items` as `(id, competence, points)`.
    fn bank(competences: &[(&str, u32)], items: &[(&str, &str, i128)]) -> Bank {
        let thresholds = Thresholds {
            critical_below: int(40),
            high_below: int(60),
            reduced_below: int(80),
        };
        Bank {
            id: "b".into(),
            version: "1".into(),
            title: "Б".into(),
            audience: None,
            subjects: vec![],
            time_limit_minutes: 60,
            review: Review::AfterSubmit,
            thresholds,
            overall: OverallRule::Total,
            competences: competences
                .iter()
                .map(|&(code, k)| Competence {
                    code: code.into(),
                    title: code.into(),
                    description: None,
                    standard_ref: None,
                    items_per_attempt: k,
                    thresholds,
                })
                .collect(),
            items: items
                .iter()
                .map(|&(id, competence, points)| Item {
                    id: id.into(),
                    competence: competence.into(),
                    kind: ItemKind::Single {
                        options: vec!["да".into(), "нет".into()],
                        answer: 0,
                    },
                    context: None,
                    stem: "?".into(),
                    points: int(points),
                    explanation: None,
                })
                .collect(),
            content_hash: String::new(),
        }
    }

    /// An attempt from `(id, score, max)`.
    fn attempt(marks: &[(&str, Rational, i128)]) -> ScoredAttempt {
        ScoredAttempt {
            items: marks
                .iter()
                .map(|&(id, score, max)| (id.to_string(), (score, int(max))))
                .collect(),
        }
    }

    /// A 0/1 attempt on 1-point items.
    fn row(ids: &[&str], marks: &[i128]) -> ScoredAttempt {
        let marks: Vec<(&str, Rational, i128)> = ids
            .iter()
            .zip(marks)
            .map(|(id, m)| (*id, int(*m), 1))
            .collect();
        attempt(&marks)
    }

    fn close(actual: Option<f64>, expected: f64) -> bool {
        actual.is_some_and(|a| (a - expected).abs() < 1e-12)
    }

    fn item<'a>(stats: &'a [ItemStats], id: &str) -> &'a ItemStats {
        stats.iter().find(|s| s.item == id).unwrap()
    }

    /// Sample variance, written out independently of the module.
    fn sample_variance(xs: &[f64]) -> f64 {
        let m = xs.iter().sum::<f64>() / xs.len() as f64;
        xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (xs.len() - 1) as f64
    }

    /// The textbook alpha of a complete matrix (rows: attempts).
    fn classic_alpha(rows: &[Vec<f64>]) -> f64 {
        let k = rows[0].len();
        let item_var: f64 = (0..k)
            .map(|i| sample_variance(&rows.iter().map(|r| r[i]).collect::<Vec<_>>()))
            .sum();
        let totals: Vec<f64> = rows.iter().map(|r| r.iter().sum()).collect();
        k as f64 / (k as f64 - 1.0) * (1.0 - item_var / sample_variance(&totals))
    }

    #[test]
    fn complete_design_by_hand() {
        // 3 items, 5 attempts, every attempt given all 3:
        //        A B C | total
        //   1:   1 1 1 | 3
        //   2:   1 1 0 | 2
        //   3:   1 0 1 | 2
        //   4:   0 1 0 | 1
        //   5:   0 0 0 | 0
        // Facilities 3/5, 3/5, 2/5. Sample variances: each item 1.2/4 = 0.3,
        // the total 5.2/4 = 1.3, so alpha = 3/2·(1 − 0.9/1.3) = 6/13 ≈ 0.4615.
        // Same from the covariances: cov(A,B) = 0.05, cov(A,C) = 0.2,
        // cov(B,C) = −0.05, c̄ = 0.2/3, v̄ = 0.3: 3c̄/(v̄ + 2c̄) = 0.2/0.4333 = 6/13.
        // Item–rest (rest max is 2 everywhere, so shares are rest/2):
        //   A vs B+C = 2,1,1,1,0: Sxy = 1.0, Sxx = 1.2, Syy = 2   → 1/√2.4 ≈ 0.6455
        //   B vs A+C = 2,1,2,0,0: Sxy = 0                        → 0
        //   C vs A+B = 2,2,1,1,0: Sxy = 0.6, Sxx = 1.2, Syy = 2.8 → 0.6/√3.36 ≈ 0.3273
        let b = bank(&[("K", 3)], &[("A", "K", 1), ("B", "K", 1), ("C", "K", 1)]);
        let data = [[1, 1, 1], [1, 1, 0], [1, 0, 1], [0, 1, 0], [0, 0, 0]];
        let attempts: Vec<ScoredAttempt> = data.iter().map(|r| row(&["A", "B", "C"], r)).collect();
        let (items, competences) = analyse(&b, &attempts, &AnalysisPolicy::default());

        let ids: Vec<&str> = items.iter().map(|s| s.item.as_str()).collect();
        assert_eq!(ids, ["A", "B", "C"]);
        assert!(items.iter().all(|s| s.n == 5 && s.competence == "K"));
        assert!(close(item(&items, "A").facility, 0.6));
        assert!(close(item(&items, "B").facility, 0.6));
        assert!(close(item(&items, "C").facility, 0.4));
        assert!(close(item(&items, "A").discrimination, 1.0 / 2.4f64.sqrt()));
        assert!(close(item(&items, "B").discrimination, 0.0));
        assert!(close(
            item(&items, "C").discrimination,
            0.6 / 3.36f64.sqrt()
        ));

        assert_eq!(competences.len(), 1);
        assert_eq!(competences[0].n, 5);
        assert!(close(competences[0].alpha, 6.0 / 13.0));
        let rows: Vec<Vec<f64>> = data
            .iter()
            .map(|r| r.iter().map(|&x| x as f64).collect())
            .collect();
        assert!(close(competences[0].alpha, classic_alpha(&rows)));

        // 5 < 30: nothing but «few responses».
        assert!(items.iter().all(|s| s.flags == [Flag::FewResponses]));
        assert_eq!(competences[0].flags, [Flag::FewResponses]);
    }

    #[test]
    fn an_item_everyone_solves_is_too_easy_and_does_not_discriminate() {
        let b = bank(&[("K", 3)], &[("E", "K", 1), ("A", "K", 1), ("B", "K", 1)]);
        let attempts: Vec<ScoredAttempt> = (0..40)
            .map(|i| row(&["E", "A", "B"], &[1, i % 2, (i / 2) % 2]))
            .collect();
        let (items, _) = analyse(&b, &attempts, &AnalysisPolicy::default());
        let e = item(&items, "E");
        assert_eq!(e.n, 40);
        assert_eq!(e.facility, Some(1.0));
        // Zero variance: the correlation is undefined, not 0.
        assert_eq!(e.discrimination, None);
        assert_eq!(e.flags, [Flag::TooEasy]);
    }

    #[test]
    fn a_reversed_item_discriminates_negatively() {
        // Ability l = 0..3 in equal numbers; A, B, C are solved from l ≥ 1,
        // 2, 3 on; R (a wrong key) exactly by l ≤ 1.
        // R = 1,1,0,0 against the rest share (A+B+C)/3 = 0,1/3,2/3,1:
        // r = corr((1,1,0,0), (0,1,2,3)) = −2/√(1·5) ≈ −0.894.
        // Alpha with population moments per level: item variances
        // 0.1875 + 0.25 + 0.1875 + 0.25 = 0.875, totals 1,2,2,3 with
        // variance 0.5: 4/3·(1 − 0.875/0.5) = −1.
        let b = bank(
            &[("K", 4)],
            &[("A", "K", 1), ("B", "K", 1), ("C", "K", 1), ("R", "K", 1)],
        );
        let attempts: Vec<ScoredAttempt> = (0..40)
            .map(|i| {
                let l = i % 4;
                let x = |c: bool| i128::from(c);
                row(
                    &["A", "B", "C", "R"],
                    &[x(l >= 1), x(l >= 2), x(l >= 3), x(l <= 1)],
                )
            })
            .collect();
        let (items, competences) = analyse(&b, &attempts, &AnalysisPolicy::default());
        let r = item(&items, "R");
        assert!(close(r.facility, 0.5));
        assert!(close(r.discrimination, -2.0 / 5f64.sqrt()));
        assert_eq!(r.flags, [Flag::NegativeDiscrimination]);
        assert!(item(&items, "A").discrimination.unwrap() > 0.2);
        assert!(close(competences[0].alpha, -1.0));
        assert_eq!(competences[0].flags, [Flag::LowReliability]);
    }

    #[test]
    fn missing_items_use_what_was_given() {
        // K1 (2 of a, b, c per attempt; b is worth 2 points), K2 (x alone).
        //        a     b     c   | others
        //   1:  1/1   2/2        | x 1/1
        //   2:  0/1   1/2        | x 0/1
        //   3:  1/1         1/1
        //   4:        0/2   0/1
        //   5:  0/1         0/1
        //   6:        2/2        | zz (not in the bank)
        // Facilities: a 2/4, b (1 + 0.5 + 0 + 1)/4 = 0.625, c 1/3.
        // a vs rest shares 1, 0.5, 1, 0 (b counts as a share of its 2 points,
        // x belongs to K2 and does not count): r = 0.75/√(1·0.6875) = 3/√11.
        // b (attempt 6 has no rest) vs 1, 0, 0: r = 0.5/√(0.5·2/3) = √3/2.
        // c vs 1, 0, 0: r = 1.
        // Alpha: v̄ = (1/3 + 0.6875/3 + 1/3)/3 ≈ 0.2986, but the covariances
        // come from 2 attempts each: cov(a,b) = 0.25, cov(a,c) = 0.5 (b, c
        // share one attempt: none), c̄ = 0.375 > v̄, too thin: None.
        let b = bank(
            &[("K1", 2), ("K2", 1)],
            &[
                ("a", "K1", 1),
                ("b", "K1", 2),
                ("c", "K1", 1),
                ("x", "K2", 1),
            ],
        );
        let attempts = [
            attempt(&[("a", int(1), 1), ("b", int(2), 2), ("x", int(1), 1)]),
            attempt(&[("a", int(0), 1), ("b", int(1), 2), ("x", int(0), 1)]),
            attempt(&[("a", int(1), 1), ("c", int(1), 1)]),
            attempt(&[("b", int(0), 2), ("c", int(0), 1)]),
            attempt(&[("a", int(0), 1), ("c", int(0), 1)]),
            attempt(&[("b", int(2), 2), ("zz", int(1), 1)]),
        ];
        let (items, competences) = analyse(&b, &attempts, &AnalysisPolicy::default());
        let (sa, sb, sc) = (item(&items, "a"), item(&items, "b"), item(&items, "c"));
        assert_eq!((sa.n, sb.n, sc.n), (4, 4, 3));
        assert!(close(sa.facility, 0.5));
        assert!(close(sb.facility, 0.625));
        assert!(close(sc.facility, 1.0 / 3.0));
        assert!(close(sa.discrimination, 3.0 / 11f64.sqrt()));
        assert!(close(sb.discrimination, 3f64.sqrt() / 2.0));
        assert!(close(sc.discrimination, 1.0));
        let sx = item(&items, "x");
        assert_eq!(sx.n, 2);
        assert_eq!(sx.discrimination, None);

        assert_eq!(competences[0].n, 5);
        assert_eq!(competences[0].alpha, None);
        assert_eq!(competences[1].n, 0);
        assert_eq!(competences[1].alpha, None);
    }

    #[test]
    fn alpha_from_pairwise_covariances() {
        // 3 items, 2 per attempt, every pair given together:
        //   a,b: (1,1) (0,0) (1,0) (1,1)
        //   a,c: (1,1) (0,0) (0,1) (1,1)
        //   b,c: (1,1) (0,0) (1,0)
        // Variances over all attempts given the item: a 5 of 8 → 8·(5/8)(3/8)/7
        // = 15/56; b 4 of 7 → 7·(4/7)(3/7)/6 = 2/7; c likewise 2/7.
        // Covariances over the attempts given both: 0.5/3, 0.5/3, (1/3)/2, all 1/6.
        // v̄ = 47/168, c̄ = 1/6: alpha = 2·(1/6)/(47/168 + 1/6) = 56/75.
        let b = bank(&[("K", 2)], &[("a", "K", 1), ("b", "K", 1), ("c", "K", 1)]);
        let mut attempts = Vec::new();
        for (ids, data) in [
            (["a", "b"], &[[1, 1], [0, 0], [1, 0], [1, 1]][..]),
            (["a", "c"], &[[1, 1], [0, 0], [0, 1], [1, 1]][..]),
            (["b", "c"], &[[1, 1], [0, 0], [1, 0]][..]),
        ] {
            attempts.extend(data.iter().map(|r| row(&ids, r)));
        }
        let (items, competences) = analyse(&b, &attempts, &AnalysisPolicy::default());
        assert_eq!(competences[0].n, 11);
        assert!(close(competences[0].alpha, 56.0 / 75.0));
        assert_eq!(items.iter().map(|s| s.n).collect::<Vec<_>>(), [8, 7, 7]);
    }

    #[test]
    fn few_responses_hold_back_the_other_flags() {
        let b = bank(&[("K", 2)], &[("E", "K", 1), ("A", "K", 1), ("N", "K", 1)]);
        let run = |n: i128| {
            let attempts: Vec<ScoredAttempt> =
                (0..n).map(|i| row(&["E", "A"], &[1, i % 2])).collect();
            analyse(&b, &attempts, &AnalysisPolicy::default())
        };
        let (items, competences) = run(29);
        assert_eq!(item(&items, "E").flags, [Flag::FewResponses]);
        assert_eq!(competences[0].flags, [Flag::FewResponses]);
        // Never given: nothing to say.
        let never = item(&items, "N");
        assert_eq!(
            (never.n, never.facility, never.discrimination),
            (0, None, None)
        );
        assert_eq!(never.flags, [Flag::FewResponses]);

        let (items, competences) = run(30);
        assert_eq!(item(&items, "E").flags, [Flag::TooEasy]);
        assert_ne!(competences[0].flags, [Flag::FewResponses]);

        // A stricter policy holds them back again.
        let strict = AnalysisPolicy {
            min_n: 100,
            ..AnalysisPolicy::default()
        };
        let attempts: Vec<ScoredAttempt> = (0..30).map(|i| row(&["E", "A"], &[1, i % 2])).collect();
        let (items, _) = analyse(&b, &attempts, &strict);
        assert_eq!(item(&items, "E").flags, [Flag::FewResponses]);
    }

    #[test]
    fn partial_credit_and_a_hard_item() {
        // H earns a quarter of its 4 points at best, once in 4: facility
        // 1/16 < 0.2, and equal shares give equal floats.
        let b = bank(&[("K", 2)], &[("H", "K", 4), ("A", "K", 1)]);
        let attempts: Vec<ScoredAttempt> = (0..40)
            .map(|i| {
                let h = if i % 4 == 0 { int(1) } else { int(0) };
                attempt(&[("H", h, 4), ("A", q(i128::from(i % 4 == 0), 1), 1)])
            })
            .collect();
        let (items, _) = analyse(&b, &attempts, &AnalysisPolicy::default());
        let h = item(&items, "H");
        assert!(close(h.facility, 1.0 / 16.0));
        assert!(close(h.discrimination, 1.0));
        assert_eq!(h.flags, [Flag::TooHard]);
    }

    #[test]
    fn scoring_responses() {
        let b = bank(&[("K", 2)], &[("A", "K", 2), ("B", "K", 1)]);
        let responses: BTreeMap<ItemId, Response> = [
            ("A".to_string(), Response::Index(0)),
            ("B".into(), Response::Null),
        ]
        .into();
        let scored = ScoredAttempt::score(&b, &responses).unwrap();
        assert_eq!(scored.items["A"], (int(2), int(2)));
        assert_eq!(scored.items["B"], (int(0), int(1)));
        let unknown: BTreeMap<ItemId, Response> = [("Z".to_string(), Response::Null)].into();
        assert_eq!(
            ScoredAttempt::score(&b, &unknown),
            Err(ScoreError::UnknownItem("Z".into()))
        );
    }

    #[test]
    fn reasons() {
        let all = [
            Flag::FewResponses,
            Flag::TooEasy,
            Flag::TooHard,
            Flag::LowDiscrimination,
            Flag::NegativeDiscrimination,
            Flag::LowReliability,
        ];
        let policy = AnalysisPolicy::default();
        for flag in all {
            // The static reasons are the default policy's.
            assert_eq!(flag.reason(), flag.describe(&policy), "{flag:?}");
        }
        let other = AnalysisPolicy {
            min_n: 50,
            too_easy_above: 0.95,
            too_hard_below: 0.125,
            low_discrimination_below: 0.3,
            negative_discrimination_below: -0.1,
            low_alpha_below: 0.7,
        };
        assert_eq!(
            Flag::TooEasy.describe(&other),
            "слишком лёгкое: решают более 95 %"
        );
        assert_eq!(
            Flag::TooHard.describe(&other),
            "слишком трудное: решают менее 12,5 %"
        );
        assert!(Flag::FewResponses.describe(&other).contains("меньше 50"));
        assert!(Flag::LowReliability.describe(&other).ends_with("ниже 0,7"));
        assert!(
            Flag::NegativeDiscrimination
                .describe(&other)
                .contains("ниже -0,1")
        );
    }

    // --- properties -------------------------------------------------------

    /// One competence of `m` items (points 1..=4), `k` per attempt, and
    /// attempts given `k` random items each with marks in quarters of the
    /// points; `complete` when `k == m`.
    fn design() -> impl Strategy<Value = (Bank, Vec<ScoredAttempt>)> {
        (2usize..=6)
            .prop_flat_map(|m| {
                let attempt = (
                    Just((0..m).collect::<Vec<usize>>()).prop_shuffle(),
                    proptest::collection::vec(0i128..=4, m),
                );
                (
                    Just(m),
                    1..=m,
                    proptest::collection::vec(1i128..=4, m),
                    proptest::collection::vec(attempt, 0..60),
                )
            })
            .prop_map(|(m, k, points, rows)| {
                let ids: Vec<String> = (0..m).map(|i| format!("i{i}")).collect();
                let items: Vec<(&str, &str, i128)> = ids
                    .iter()
                    .zip(&points)
                    .map(|(id, p)| (id.as_str(), "K", *p))
                    .collect();
                let b = bank(&[("K", k as u32)], &items);
                let attempts = rows
                    .into_iter()
                    .map(|(order, quarters)| ScoredAttempt {
                        items: order[..k]
                            .iter()
                            .map(|&i| {
                                let score = q(points[i] * quarters[i], 4);
                                (ids[i].clone(), (score, int(points[i])))
                            })
                            .collect(),
                    })
                    .collect();
                (b, attempts)
            })
    }

    proptest! {
        #[test]
        fn statistics_stay_in_range((b, attempts) in design()) {
            let (items, competences) = analyse(&b, &attempts, &AnalysisPolicy::default());
            prop_assert_eq!(items.len(), b.items.len());
            for s in &items {
                let given = attempts.iter().filter(|a| a.items.contains_key(&s.item)).count();
                prop_assert_eq!(s.n, given);
                if let Some(f) = s.facility {
                    prop_assert!((0.0..=1.0).contains(&f), "facility {}", f);
                }
                prop_assert_eq!(s.facility.is_some(), s.n > 0);
                if let Some(r) = s.discrimination {
                    prop_assert!((-1.0..=1.0).contains(&r), "r {}", r);
                }
            }
            let k = b.competences[0].items_per_attempt as usize;
            let c = &competences[0];
            prop_assert_eq!(c.n, if k >= 2 { attempts.len() } else { 0 });
            if let Some(a) = c.alpha {
                prop_assert!(a.is_finite() && a <= 1.0, "alpha {}", a);
            }

            // A complete design: the textbook alpha of the shares.
            if k == b.items.len() && attempts.len() >= 2 {
                let rows: Vec<Vec<f64>> = attempts
                    .iter()
                    .map(|a| {
                        b.items
                            .iter()
                            .map(|it| {
                                let (s, m) = a.items[&it.id];
                                to_f64(s) / to_f64(m)
                            })
                            .collect()
                    })
                    .collect();
                let totals: Vec<f64> = rows.iter().map(|r| r.iter().sum()).collect();
                let item_variance: f64 = (0..k)
                    .map(|i| sample_variance(&rows.iter().map(|r| r[i]).collect::<Vec<_>>()))
                    .sum();
                if sample_variance(&totals) > 1e-6 && item_variance > 1e-6 {
                    let expected = classic_alpha(&rows);
                    let actual = c.alpha;
                    prop_assert!(
                        actual.is_some_and(|a| (a - expected).abs() < 1e-9),
                        "alpha {:?}, textbook {}", actual, expected
                    );
                }
            }
        }
    }
}
