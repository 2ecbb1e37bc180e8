//! Scoring an attempt on a bank, `spec/assessment-bank.md`: marks per item,
//! percents and levels per competence and overall.
//!
//! Every decision is exact: scores are sums of fractions of points
//! ([`Rational`]), numeric answers are compared as written decimals
//! ([`Decimal`]), and a level compares `100 × score` with `threshold × max`
//! without rounding, so 40.0 % is `high` and 39.99 % is `critical` under
//! thresholds 40/60/80. Rounding to 2 decimals happens only when a profile is
//! printed.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::de::{self, SeqAccess, Visitor};
use serde::ser::SerializeSeq;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use unicode_normalization::UnicodeNormalization;

use crate::Level;
use crate::bank::{Bank, Decimal, Item, ItemKind, OverallRule, Rational, Thresholds, cmp_products};

/// An item's id in its bank (`K1-001`).
pub type ItemId = String;

/// A teacher's response to one item, in the file's indices (options are shown
/// shuffled, responses are stored unshuffled).
///
/// The shape is the JSON one, independent of the item's kind; which shapes a
/// kind accepts is [`check_response`]'s business.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Response {
    /// The item was given and left unanswered: worth 0.
    Null,
    /// An option's index (`single`); a non-negative integer for `numeric`.
    Index(usize),
    /// Selected options (`multiple`, empty allowed) or an order (`ordering`).
    Indices(Vec<usize>),
    /// `[left, right]` pairs (`matching`).
    Pairs(Vec<(usize, usize)>),
    /// A number as written (`numeric`).
    Number(Decimal),
    /// Free text (`text`).
    Text(String),
}

/// Why a response set cannot be scored. Messages are Russian: they reach the
/// person who sent the answers (`bank score` prints them, the API answers 422).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScoreError {
    #[error("задания «{0}» нет в банке")]
    UnknownItem(String),
    #[error("задание «{item}»: {problem}")]
    BadResponse { item: String, problem: String },
    #[error("в ответах нет ни одного задания банка")]
    NoItems,
    #[error("баллы не удаётся сложить точно: слишком большие или слишком дробные значения")]
    Overflow,
}

fn bad(item: &Item, problem: impl Into<String>) -> ScoreError {
    ScoreError::BadResponse {
        item: item.id.clone(),
        problem: problem.into(),
    }
}

fn range(n: usize) -> String {
    if n == 0 {
        "вариантов нет".to_string()
    } else {
        format!("от 0 до {}", n - 1)
    }
}

fn check_indices(item: &Item, indices: &[usize], n: usize, what: &str) -> Result<(), ScoreError> {
    if let Some(i) = indices.iter().find(|i| **i >= n) {
        return Err(bad(
            item,
            format!("{what} {i} вне диапазона (допустимо {})", range(n)),
        ));
    }
    Ok(())
}

/// Checks that a response has a shape the item's kind accepts and that its
/// indices are in range. `Null` (given, unanswered) fits every kind.
pub fn check_response(item: &Item, response: &Response) -> Result<(), ScoreError> {
    if *response == Response::Null {
        return Ok(());
    }
    match (&item.kind, response) {
        (ItemKind::Single { options, .. }, Response::Index(i)) => {
            check_indices(item, &[*i], options.len(), "номер варианта")
        }
        (ItemKind::Single { options, .. }, _) => Err(bad(
            item,
            format!(
                "ответ должен быть номером варианта ({})",
                range(options.len())
            ),
        )),
        (ItemKind::Multiple { options, .. }, Response::Indices(selected)) => {
            check_indices(item, selected, options.len(), "номер варианта")?;
            let mut seen = BTreeSet::new();
            if let Some(i) = selected.iter().find(|i| !seen.insert(**i)) {
                return Err(bad(item, format!("номер варианта {i} указан дважды")));
            }
            Ok(())
        }
        (ItemKind::Multiple { .. }, _) => Err(bad(
            item,
            "ответ должен быть списком номеров выбранных вариантов",
        )),
        (ItemKind::Matching { left, right, .. }, Response::Pairs(pairs)) => {
            let lefts: Vec<usize> = pairs.iter().map(|p| p.0).collect();
            let rights: Vec<usize> = pairs.iter().map(|p| p.1).collect();
            check_indices(item, &lefts, left.len(), "левый номер")?;
            check_indices(item, &rights, right.len(), "правый номер")
        }
        (ItemKind::Matching { .. }, Response::Indices(v)) if v.is_empty() => Ok(()),
        (ItemKind::Matching { .. }, _) => Err(bad(
            item,
            "ответ должен быть списком пар [левый номер, правый номер]",
        )),
        (ItemKind::Ordering { options, .. }, Response::Indices(order)) => {
            check_indices(item, order, options.len(), "номер варианта")?;
            let distinct: BTreeSet<usize> = order.iter().copied().collect();
            if order.len() != options.len() || distinct.len() != options.len() {
                return Err(bad(
                    item,
                    format!(
                        "ответ должен быть перестановкой номеров вариантов {} (каждый ровно один раз)",
                        range(options.len())
                    ),
                ));
            }
            Ok(())
        }
        (ItemKind::Ordering { options, .. }, _) => Err(bad(
            item,
            format!(
                "ответ должен быть списком номеров вариантов {} в выбранном порядке",
                range(options.len())
            ),
        )),
        (ItemKind::Numeric { .. }, Response::Number(_) | Response::Index(_)) => Ok(()),
        (ItemKind::Numeric { .. }, Response::Text(s)) => Decimal::parse(s)
            .map(|_| ())
            .map_err(|_| bad(item, format!("ответ «{s}» должен быть числом"))),
        (ItemKind::Numeric { .. }, _) => Err(bad(item, "ответ должен быть числом")),
        (ItemKind::Text { .. }, Response::Text(_) | Response::Number(_) | Response::Index(_)) => {
            Ok(())
        }
        (ItemKind::Text { .. }, _) => Err(bad(item, "ответ должен быть строкой")),
    }
}

/// The normal form text answers are compared in: Unicode NFC, lower case,
/// `ё` → `е`, white space trimmed and collapsed to single spaces.
pub fn normalize_text(text: &str) -> String {
    let lower = text.nfc().collect::<String>().to_lowercase();
    // Lower-casing can leave a combining sequence NFC would compose.
    let lower: String = lower.nfc().collect();
    lower
        .replace('ё', "е")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The share of the item's points a response earns, as `(numerator,
/// denominator)` of small counts.
fn share(item: &Item, response: &Response) -> (usize, usize) {
    const NOTHING: (usize, usize) = (0, 1);
    const ALL: (usize, usize) = (1, 1);
    match (&item.kind, response) {
        (_, Response::Null) => NOTHING,
        (ItemKind::Single { answer, .. }, Response::Index(i)) => {
            if i == answer {
                ALL
            } else {
                NOTHING
            }
        }
        (ItemKind::Multiple { answer, .. }, Response::Indices(selected)) => {
            let key: BTreeSet<usize> = answer.iter().copied().collect();
            let selected: BTreeSet<usize> = selected.iter().copied().collect();
            let right = selected.intersection(&key).count();
            let wrong = selected.len() - right;
            if key.is_empty() {
                NOTHING
            } else {
                (right.saturating_sub(wrong), key.len())
            }
        }
        (ItemKind::Matching { left, answer, .. }, Response::Pairs(pairs)) => {
            let mut chosen: BTreeMap<usize, BTreeSet<usize>> = BTreeMap::new();
            for &(l, r) in pairs {
                chosen.entry(l).or_default().insert(r);
            }
            // A left matched to several rights counts as wrong.
            let matched = answer
                .iter()
                .filter(|(l, r)| {
                    chosen
                        .get(l)
                        .is_some_and(|rights| rights.len() == 1 && rights.contains(r))
                })
                .count();
            if left.is_empty() {
                NOTHING
            } else {
                (matched.min(left.len()), left.len())
            }
        }
        (ItemKind::Ordering { answer, .. }, Response::Indices(order)) => {
            let in_place = answer.iter().zip(order).filter(|(a, o)| a == o).count();
            if answer.is_empty() {
                NOTHING
            } else {
                (in_place, answer.len())
            }
        }
        (ItemKind::Numeric { value, tolerance }, response) => {
            let x = match response {
                Response::Number(x) => Some(x.clone()),
                Response::Index(i) => Some(Decimal::from_integer(*i as i128)),
                Response::Text(s) => Decimal::parse(s).ok(),
                _ => None,
            };
            match x {
                Some(x) if Decimal::within(&x, value, tolerance) => ALL,
                _ => NOTHING,
            }
        }
        (ItemKind::Text { accepted }, response) => {
            let given = match response {
                Response::Text(s) => normalize_text(s),
                Response::Number(x) => x.to_string(),
                Response::Index(i) => i.to_string(),
                _ => return NOTHING,
            };
            if accepted.iter().any(|a| normalize_text(a) == given) {
                ALL
            } else {
                NOTHING
            }
        }
        _ => NOTHING,
    }
}

/// The points a response earns: full, partial or none, per the kind's rule
/// (`spec/assessment-bank.md`, the table). Always within `0..=points`. A
/// response [`check_response`] rejects earns nothing.
///
/// # Panics
/// On arithmetic overflow of `points × share`, which a validated bank (points
/// at most 1000 with at most 6 decimals) cannot reach.
pub fn score_item(item: &Item, response: &Response) -> Rational {
    let (k, n) = share(item, response);
    if k == 0 {
        return Rational::ZERO;
    }
    let fraction = Rational::new(k as i128, n as i128).expect("a share has a positive denominator");
    item.points
        .checked_mul(fraction)
        .expect("points × share overflows i128")
}

/// The level of `score` out of `max` under `thresholds`, decided exactly:
/// `100 × score < threshold × max`. A zero `max` has no deficit to show and
/// gives [`Level::None`].
pub fn level_for(score: Rational, max: Rational, thresholds: &Thresholds) -> Level {
    let below = |threshold: Rational| {
        // 100·(sn/sd) < (tn/td)·(mn/md)  ⇔  100·sn·td·md < tn·mn·sd  (all d > 0)
        cmp_products(
            &[100, score.numer(), threshold.denom(), max.denom()],
            &[threshold.numer(), max.numer(), score.denom()],
        )
        .is_lt()
    };
    if below(thresholds.critical_below) {
        Level::Critical
    } else if below(thresholds.high_below) {
        Level::High
    } else if below(thresholds.reduced_below) {
        Level::Reduced
    } else {
        Level::None
    }
}

/// `100 × score / max`, exactly; zero when `max` is zero.
pub fn percent(score: Rational, max: Rational) -> Option<Rational> {
    if max.is_zero() {
        return Some(Rational::ZERO);
    }
    score.checked_mul(Rational::integer(100))?.checked_div(max)
}

/// The result of one attempt on one bank, printed by `bank score` and kept
/// with the attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub bank: String,
    pub version: String,
    /// The competences with at least one item given, in the file's order.
    pub competences: Vec<CompetenceResult>,
    pub overall: OverallResult,
}

/// One competence's line of a profile. Numbers are exact here and printed
/// rounded half away from zero to 2 decimals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompetenceResult {
    /// `BANK:CODE`.
    pub code: String,
    #[serde(with = "two_places")]
    pub score: Rational,
    #[serde(with = "two_places")]
    pub max: Rational,
    #[serde(with = "two_places")]
    pub percent: Rational,
    pub level: Level,
}

/// The profile's overall line: the percent over all items given, its level
/// by the bank's [`OverallRule`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverallResult {
    #[serde(with = "two_places")]
    pub score: Rational,
    #[serde(with = "two_places")]
    pub max: Rational,
    #[serde(with = "two_places")]
    pub percent: Rational,
    pub level: Level,
}

/// JSON numbers rounded half away from zero to 2 decimals. Reading one back
/// gives the rounded value exactly (its shortest decimal form).
mod two_places {
    use serde::{Deserialize, Deserializer, Serializer, de};

    use crate::bank::{Decimal, Rational};

    pub fn serialize<S: Serializer>(value: &Rational, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(value.to_f64_rounded(2))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Rational, D::Error> {
        let f = f64::deserialize(d)?;
        let decimal = Decimal::from_f64(f).map_err(de::Error::custom)?;
        Rational::from_decimal(&decimal)
            .ok_or_else(|| de::Error::custom(format!("число {f} вне допустимого диапазона")))
    }
}

/// Scores a response set on a bank. Items absent from `responses` were not
/// given; `Null` ones were given and left unanswered (0 points). A competence
/// with no item given is left out; the overall percent is over all items
/// given.
pub fn score_attempt(
    bank: &Bank,
    responses: &BTreeMap<ItemId, Response>,
) -> Result<Profile, ScoreError> {
    if let Some(id) = responses.keys().find(|id| bank.item(id).is_none()) {
        return Err(ScoreError::UnknownItem(id.clone()));
    }
    let mut given = Vec::new();
    for item in &bank.items {
        if let Some(response) = responses.get(&item.id) {
            check_response(item, response)?;
            given.push((item, score_item(item, response)));
        }
    }
    if given.is_empty() {
        return Err(ScoreError::NoItems);
    }
    let mut competences = Vec::new();
    for competence in &bank.competences {
        let mine: Vec<&(&Item, Rational)> = given
            .iter()
            .filter(|(item, _)| item.competence == competence.code)
            .collect();
        if mine.is_empty() {
            continue;
        }
        let (score, max) = totals(mine.into_iter()).ok_or(ScoreError::Overflow)?;
        competences.push(CompetenceResult {
            code: bank.competence_code(&competence.code),
            score,
            max,
            percent: percent(score, max).ok_or(ScoreError::Overflow)?,
            level: level_for(score, max, &competence.thresholds),
        });
    }

    let (score, max) = totals(given.iter()).ok_or(ScoreError::Overflow)?;
    let level = match bank.overall {
        OverallRule::Total => level_for(score, max, &bank.thresholds),
        OverallRule::Worst => competences
            .iter()
            .map(|c| c.level)
            .max()
            // Items outside every competence only happen in unvalidated banks.
            .unwrap_or_else(|| level_for(score, max, &bank.thresholds)),
    };
    Ok(Profile {
        bank: bank.id.clone(),
        version: bank.version.clone(),
        competences,
        overall: OverallResult {
            score,
            max,
            percent: percent(score, max).ok_or(ScoreError::Overflow)?,
            level,
        },
    })
}

/// The marks and the maximum of some given items; `None` on overflow.
fn totals<'a>(
    mut given: impl Iterator<Item = &'a (&'a Item, Rational)>,
) -> Option<(Rational, Rational)> {
    given.try_fold((Rational::ZERO, Rational::ZERO), |(s, m), (item, mark)| {
        Some((s.checked_add(*mark)?, m.checked_add(item.points)?))
    })
}

// ---------------------------------------------------------------------------
// JSON form of a response
// ---------------------------------------------------------------------------

impl Serialize for Response {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Response::Null => s.serialize_unit(),
            Response::Index(i) => s.serialize_u64(*i as u64),
            Response::Indices(v) => v.serialize(s),
            Response::Pairs(pairs) => {
                let mut seq = s.serialize_seq(Some(pairs.len()))?;
                for (l, r) in pairs {
                    seq.serialize_element(&[*l, *r])?;
                }
                seq.end()
            }
            Response::Number(x) => match Rational::from_decimal(x) {
                Some(r) if r.is_integer() && i64::try_from(r.numer()).is_ok() => {
                    s.serialize_i64(r.numer() as i64)
                }
                // Responses come from JSON numbers, so the shortest f64 form
                // gives the same decimal back.
                _ => s.serialize_f64(x.to_string().parse::<f64>().unwrap_or(f64::NAN)),
            },
            Response::Text(t) => s.serialize_str(t),
        }
    }
}

impl<'de> Deserialize<'de> for Response {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Response, D::Error> {
        d.deserialize_any(ResponseVisitor)
    }
}

const RESPONSE_SHAPES: &str =
    "номер варианта, список номеров, список пар [левый, правый], число, строка или null";

struct ResponseVisitor;

impl<'de> Visitor<'de> for ResponseVisitor {
    type Value = Response;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(RESPONSE_SHAPES)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Response, E> {
        Ok(Response::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Response, E> {
        Ok(Response::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Response, D::Error> {
        Response::deserialize(d)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Response, E> {
        Ok(match usize::try_from(v) {
            Ok(i) => Response::Index(i),
            Err(_) => Response::Number(Decimal::from_integer(i128::from(v))),
        })
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Response, E> {
        match u64::try_from(v) {
            Ok(u) => self.visit_u64(u),
            Err(_) => Ok(Response::Number(Decimal::from_integer(i128::from(v)))),
        }
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Response, E> {
        Decimal::from_f64(v)
            .map(Response::Number)
            .map_err(E::custom)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Response, E> {
        Ok(Response::Text(v.to_string()))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Response, E> {
        Err(E::custom(format!(
            "ответ не может быть логическим значением {v}; ожидается {RESPONSE_SHAPES}"
        )))
    }

    fn visit_map<A: de::MapAccess<'de>>(self, _map: A) -> Result<Response, A::Error> {
        Err(de::Error::custom(format!(
            "ответ не может быть объектом; ожидается {RESPONSE_SHAPES}"
        )))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Response, A::Error> {
        let mut elements = Vec::new();
        while let Some(e) = seq.next_element::<Element>()? {
            elements.push(e);
        }
        if elements.iter().all(|e| matches!(e, Element::Index(_))) {
            Ok(Response::Indices(
                elements
                    .into_iter()
                    .filter_map(|e| match e {
                        Element::Index(i) => Some(i),
                        Element::Pair(..) => None,
                    })
                    .collect(),
            ))
        } else if elements.iter().all(|e| matches!(e, Element::Pair(..))) {
            Ok(Response::Pairs(
                elements
                    .into_iter()
                    .filter_map(|e| match e {
                        Element::Pair(l, r) => Some((l, r)),
                        Element::Index(_) => None,
                    })
                    .collect(),
            ))
        } else {
            Err(de::Error::custom(
                "список должен состоять либо из номеров, либо из пар [левый, правый]",
            ))
        }
    }
}

/// One element of a list response: an index or a `[left, right]` pair.
enum Element {
    Index(usize),
    Pair(usize, usize),
}

const ELEMENT_SHAPES: &str = "номер (целое число от 0) или пара [левый, правый]";

impl<'de> Deserialize<'de> for Element {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Element, D::Error> {
        struct ElementVisitor;
        impl<'de> Visitor<'de> for ElementVisitor {
            type Value = Element;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(ELEMENT_SHAPES)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Element, E> {
                usize::try_from(v)
                    .map(Element::Index)
                    .map_err(|_| E::custom(format!("номер {v} слишком велик")))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Element, E> {
                u64::try_from(v)
                    .map_err(|_| E::custom(format!("номер {v} не может быть отрицательным")))
                    .and_then(|u| self.visit_u64(u))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Element, E> {
                Err(E::custom(format!(
                    "номер должен быть целым числом, а не {v}"
                )))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Element, E> {
                Err(E::custom(format!(
                    "в списке ожидается {ELEMENT_SHAPES}, а не строка «{v}»"
                )))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Element, E> {
                Err(E::custom(format!(
                    "в списке ожидается {ELEMENT_SHAPES}, а не {v}"
                )))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Element, E> {
                Err(E::custom(format!(
                    "в списке ожидается {ELEMENT_SHAPES}, а не null"
                )))
            }
            fn visit_map<A: de::MapAccess<'de>>(self, _map: A) -> Result<Element, A::Error> {
                Err(de::Error::custom(format!(
                    "в списке ожидается {ELEMENT_SHAPES}, а не объект"
                )))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Element, A::Error> {
                let pair_shape = || de::Error::custom("пара должна быть вида [левый, правый]");
                let l: Index = seq.next_element()?.ok_or_else(pair_shape)?;
                let r: Index = seq.next_element()?.ok_or_else(pair_shape)?;
                if seq.next_element::<de::IgnoredAny>()?.is_some() {
                    return Err(pair_shape());
                }
                Ok(Element::Pair(l.0, r.0))
            }
        }
        d.deserialize_any(ElementVisitor)
    }
}

/// A non-negative index inside a pair.
struct Index(usize);

impl<'de> Deserialize<'de> for Index {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Index, D::Error> {
        match Element::deserialize(d)? {
            Element::Index(i) => Ok(Index(i)),
            Element::Pair(..) => Err(de::Error::custom("в паре должны быть номера, а не пары")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bank::{Competence, Review};
    use proptest::prelude::*;

    fn q(n: i128, d: i128) -> Rational {
        Rational::new(n, d).unwrap()
    }

    fn int(n: i128) -> Rational {
        Rational::integer(n)
    }

    fn standard() -> Thresholds {
        Thresholds {
            critical_below: int(40),
            high_below: int(60),
            reduced_below: int(80),
        }
    }

    fn item(id: &str, competence: &str, kind: ItemKind, points: Rational) -> Item {
        Item {
            id: id.into(),
            competence: competence.into(),
            kind,
            context: None,
            stem: "?".into(),
            points,
            explanation: None,
        }
    }

    fn opts(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("вариант {i}")).collect()
    }

    fn dec(s: &str) -> Decimal {
        Decimal::parse(s).unwrap()
    }

    #[test]
    fn levels_at_the_boundaries() {
        let t = standard();
        let l = |s: Rational| level_for(s, int(100), &t);
        assert_eq!(l(int(40)), Level::High);
        assert_eq!(l(q(3999, 100)), Level::Critical);
        assert_eq!(l(int(0)), Level::Critical);
        assert_eq!(l(q(5999, 100)), Level::High);
        assert_eq!(l(int(60)), Level::Reduced);
        assert_eq!(l(q(7999, 100)), Level::Reduced);
        assert_eq!(l(int(80)), Level::None);
        assert_eq!(l(int(100)), Level::None);
        // 2/5 of 1 point is exactly 40 %; 1/3 of 3 points is 33.(3) %.
        assert_eq!(level_for(q(2, 5), int(1), &t), Level::High);
        assert_eq!(level_for(int(1), int(3), &t), Level::Critical);
        assert_eq!(level_for(Rational::ZERO, Rational::ZERO, &t), Level::None);
    }

    #[test]
    fn single_and_multiple() {
        let s = item(
            "S",
            "K",
            ItemKind::Single {
                options: opts(4),
                answer: 2,
            },
            int(2),
        );
        assert_eq!(score_item(&s, &Response::Index(2)), int(2));
        assert_eq!(score_item(&s, &Response::Index(1)), int(0));
        assert_eq!(score_item(&s, &Response::Null), int(0));
        assert!(check_response(&s, &Response::Index(4)).is_err());
        assert!(check_response(&s, &Response::Indices(vec![2])).is_err());

        let m = item(
            "M",
            "K",
            ItemKind::Multiple {
                options: opts(5),
                answer: vec![0, 2, 4],
            },
            int(3),
        );
        let score = |v: Vec<usize>| score_item(&m, &Response::Indices(v));
        assert_eq!(score(vec![0, 2, 4]), int(3));
        assert_eq!(score(vec![0, 2]), int(2));
        assert_eq!(score(vec![0, 2, 1]), int(1));
        assert_eq!(score(vec![0, 1, 3]), int(0));
        assert_eq!(score(vec![]), int(0));
        assert_eq!(score(vec![0, 1, 2, 3, 4]), int(1));
        assert!(check_response(&m, &Response::Indices(vec![])).is_ok());
        assert!(check_response(&m, &Response::Indices(vec![0, 0])).is_err());
        assert!(check_response(&m, &Response::Indices(vec![5])).is_err());
    }

    #[test]
    fn matching_counts_lefts_matched_once_to_their_right() {
        let m = item(
            "P",
            "K",
            ItemKind::Matching {
                left: opts(3),
                right: opts(4),
                answer: vec![(0, 1), (1, 0), (2, 3)],
            },
            int(1),
        );
        let score = |v: Vec<(usize, usize)>| score_item(&m, &Response::Pairs(v));
        assert_eq!(score(vec![(0, 1), (1, 0), (2, 3)]), int(1));
        assert_eq!(score(vec![(0, 1), (1, 2)]), q(1, 3));
        // Left 0 matched to both its right and a wrong one: wrong.
        assert_eq!(score(vec![(0, 1), (0, 2), (1, 0)]), q(1, 3));
        assert_eq!(score(vec![(0, 1), (0, 1), (1, 0)]), q(2, 3));
        assert!(check_response(&m, &Response::Pairs(vec![(3, 0)])).is_err());
        assert!(check_response(&m, &Response::Pairs(vec![(0, 4)])).is_err());
        assert!(check_response(&m, &Response::Indices(vec![])).is_ok());
        assert!(check_response(&m, &Response::Indices(vec![1])).is_err());
    }

    #[test]
    fn ordering_counts_positions() {
        let o = item(
            "O",
            "K",
            ItemKind::Ordering {
                options: opts(4),
                answer: vec![2, 0, 3, 1],
            },
            int(2),
        );
        let score = |v: Vec<usize>| score_item(&o, &Response::Indices(v));
        assert_eq!(score(vec![2, 0, 3, 1]), int(2));
        assert_eq!(score(vec![2, 0, 1, 3]), int(1));
        assert_eq!(score(vec![0, 1, 2, 3]), int(0));
        assert!(check_response(&o, &Response::Indices(vec![2, 0, 3])).is_err());
        assert!(check_response(&o, &Response::Indices(vec![2, 2, 3, 1])).is_err());
        assert!(check_response(&o, &Response::Indices(vec![2, 0, 3, 4])).is_err());
        assert!(check_response(&o, &Response::Index(2)).is_err());
    }

    #[test]
    fn numeric_is_exact() {
        let n = item(
            "N",
            "K",
            ItemKind::Numeric {
                value: dec("0.2"),
                tolerance: dec("0.1"),
            },
            int(1),
        );
        assert_eq!(score_item(&n, &Response::Number(dec("0.3"))), int(1));
        assert_eq!(score_item(&n, &Response::Number(dec("0.30001"))), int(0));
        assert_eq!(score_item(&n, &Response::Number(dec("0.1"))), int(1));
        assert_eq!(score_item(&n, &Response::Text("0,25".into())), int(1));
        assert!(check_response(&n, &Response::Text("около 0.2".into())).is_err());
        let whole = item(
            "W",
            "K",
            ItemKind::Numeric {
                value: dec("12"),
                tolerance: Decimal::zero(),
            },
            int(1),
        );
        assert_eq!(score_item(&whole, &Response::Index(12)), int(1));
        assert_eq!(score_item(&whole, &Response::Number(dec("12.0"))), int(1));
        assert!(check_response(&whole, &Response::Indices(vec![12])).is_err());
    }

    #[test]
    fn text_is_normalised() {
        assert_eq!(normalize_text("  Ёлка   и\tЕЖ \n"), "елка и еж");
        // A decomposed Ё (Е + combining diaeresis) is the same letter.
        assert_eq!(normalize_text("\u{415}\u{308}ж"), "еж");
        let t = item(
            "T",
            "K",
            ItemKind::Text {
                accepted: vec!["Зона ближайшего развития".into(), "ЗБР".into()],
            },
            int(1),
        );
        let score = |s: &str| score_item(&t, &Response::Text(s.into()));
        assert_eq!(score(" зона  БЛИЖАЙШЕГО развития "), int(1));
        assert_eq!(score("збр"), int(1));
        assert_eq!(score("зона развития"), int(0));
        assert!(check_response(&t, &Response::Indices(vec![])).is_err());
    }

    fn bank(overall: OverallRule) -> Bank {
        let k2 = Thresholds {
            critical_below: int(50),
            ..standard()
        };
        Bank {
            id: "b".into(),
            version: "1".into(),
            title: "Б".into(),
            audience: None,
            subjects: vec![],
            time_limit_minutes: 60,
            review: Review::AfterSubmit,
            thresholds: standard(),
            overall,
            competences: vec![
                Competence {
                    code: "K2".into(),
                    title: "2".into(),
                    description: None,
                    standard_ref: None,
                    items_per_attempt: 1,
                    thresholds: k2,
                },
                Competence {
                    code: "K1".into(),
                    title: "1".into(),
                    description: None,
                    standard_ref: None,
                    items_per_attempt: 1,
                    thresholds: standard(),
                },
                Competence {
                    code: "K3".into(),
                    title: "3".into(),
                    description: None,
                    standard_ref: None,
                    items_per_attempt: 1,
                    thresholds: standard(),
                },
            ],
            items: vec![
                item(
                    "a",
                    "K1",
                    ItemKind::Single {
                        options: opts(2),
                        answer: 0,
                    },
                    int(1),
                ),
                item(
                    "b",
                    "K1",
                    ItemKind::Single {
                        options: opts(2),
                        answer: 0,
                    },
                    int(1),
                ),
                item(
                    "c",
                    "K2",
                    ItemKind::Single {
                        options: opts(2),
                        answer: 1,
                    },
                    int(2),
                ),
                item(
                    "d",
                    "K3",
                    ItemKind::Single {
                        options: opts(2),
                        answer: 1,
                    },
                    int(2),
                ),
            ],
            content_hash: String::new(),
        }
    }

    fn responses(pairs: &[(&str, Response)]) -> BTreeMap<ItemId, Response> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    #[test]
    fn attempt_profile() {
        let b = bank(OverallRule::Total);
        let p = score_attempt(
            &b,
            &responses(&[
                ("a", Response::Index(0)),
                ("b", Response::Null),
                ("c", Response::Index(1)),
            ]),
        )
        .unwrap();
        // File order of competences (K2 before K1); K3 not given: left out.
        let codes: Vec<&str> = p.competences.iter().map(|c| c.code.as_str()).collect();
        assert_eq!(codes, ["b:K2", "b:K1"]);
        assert_eq!(p.competences[1].score, int(1));
        assert_eq!(p.competences[1].max, int(2));
        assert_eq!(p.competences[1].percent, int(50));
        assert_eq!(p.competences[1].level, Level::High);
        assert_eq!(p.overall.score, int(3));
        assert_eq!(p.overall.max, int(4));
        assert_eq!(p.overall.percent, int(75));
        assert_eq!(p.overall.level, Level::Reduced);
    }

    #[test]
    fn worst_rule_and_overrides() {
        let b = bank(OverallRule::Worst);
        // K2 overrides critical_below to 50: 0 of 2 is critical; K1 is 100 %.
        let p = score_attempt(
            &b,
            &responses(&[
                ("a", Response::Index(0)),
                ("b", Response::Index(0)),
                ("c", Response::Index(0)),
            ]),
        )
        .unwrap();
        assert_eq!(p.competences[0].level, Level::Critical);
        assert_eq!(p.competences[1].level, Level::None);
        assert_eq!(p.overall.percent, int(50));
        assert_eq!(p.overall.level, Level::Critical);
        let total = score_attempt(
            &bank(OverallRule::Total),
            &responses(&[
                ("a", Response::Index(0)),
                ("b", Response::Index(0)),
                ("c", Response::Index(0)),
            ]),
        )
        .unwrap();
        assert_eq!(total.overall.level, Level::High);
    }

    #[test]
    fn attempt_errors() {
        let b = bank(OverallRule::Total);
        assert_eq!(
            score_attempt(&b, &responses(&[("zz", Response::Null)])),
            Err(ScoreError::UnknownItem("zz".into()))
        );
        let err = score_attempt(&b, &responses(&[("a", Response::Index(7))])).unwrap_err();
        assert!(err.to_string().contains("«a»"), "{err}");
        assert_eq!(
            score_attempt(&b, &BTreeMap::new()),
            Err(ScoreError::NoItems)
        );
    }

    // --- properties -------------------------------------------------------

    fn rational(max_num: i128, max_den: i128) -> impl Strategy<Value = Rational> {
        (0..=max_num, 1..=max_den).prop_map(|(n, d)| Rational::new(n, d).unwrap())
    }

    fn thresholds() -> impl Strategy<Value = Thresholds> {
        // Three distinct values in (0, 100] with up to 2 decimals.
        proptest::collection::btree_set(1i128..=10_000, 3).prop_map(|set| {
            let v: Vec<Rational> = set.into_iter().map(|n| q(n, 100)).collect();
            Thresholds {
                critical_below: v[0],
                high_below: v[1],
                reduced_below: v[2],
            }
        })
    }

    fn any_item() -> impl Strategy<Value = Item> {
        let points = (
            1i128..=1000,
            prop_oneof![Just(1i128), Just(2), Just(4), Just(10), Just(100)],
        )
            .prop_map(|(n, d)| q(n, d));
        let kind = prop_oneof![
            (2usize..8)
                .prop_flat_map(|n| (Just(n), 0..n))
                .prop_map(|(n, a)| ItemKind::Single {
                    options: opts(n),
                    answer: a
                }),
            (2usize..8)
                .prop_flat_map(|n| (Just(n), proptest::collection::btree_set(0..n, 1..=n)))
                .prop_map(|(n, a)| ItemKind::Multiple {
                    options: opts(n),
                    answer: a.into_iter().collect()
                }),
            (1usize..6, 0usize..3)
                .prop_flat_map(|(n, extra)| {
                    let rights = Just((0..n + extra).collect::<Vec<usize>>()).prop_shuffle();
                    (Just(n), Just(extra), rights)
                })
                .prop_map(|(n, extra, rights)| ItemKind::Matching {
                    left: opts(n),
                    right: opts(n + extra),
                    answer: (0..n).map(|l| (l, rights[l])).collect(),
                }),
            (2usize..7)
                .prop_flat_map(|n| Just((0..n).collect::<Vec<usize>>()).prop_shuffle())
                .prop_map(|a| ItemKind::Ordering {
                    options: opts(a.len()),
                    answer: a
                }),
            (-1000i64..1000, 0i64..50).prop_map(|(v, t)| ItemKind::Numeric {
                value: dec(&format!(
                    "{}{}.{}",
                    if v < 0 { "-" } else { "" },
                    v.abs() / 10,
                    v.abs() % 10
                )),
                tolerance: dec(&format!("0.{t:02}")),
            }),
            Just(ItemKind::Text {
                accepted: vec!["Ответ".into()]
            }),
        ];
        (kind, points).prop_map(|(kind, points)| item("X", "K", kind, points))
    }

    fn any_response() -> impl Strategy<Value = Response> {
        prop_oneof![
            Just(Response::Null),
            (0usize..10).prop_map(Response::Index),
            proptest::collection::vec(0usize..10, 0..10).prop_map(Response::Indices),
            proptest::collection::vec((0usize..10, 0usize..10), 0..10).prop_map(Response::Pairs),
            (-1000i64..1000).prop_map(|v| Response::Number(dec(&format!("{}", v as f64 / 10.0)))),
            prop_oneof![Just("ответ"), Just(" ОТВЕТ "), Just("нет")]
                .prop_map(|s| Response::Text(s.into())),
        ]
    }

    /// A response of the right shape for the item, chosen by the item.
    fn fitting_response(item: &Item, seed: &[usize]) -> Response {
        let pick = |i: usize, n: usize| seed.get(i).copied().unwrap_or(i) % n.max(1);
        match &item.kind {
            ItemKind::Single { options, .. } => Response::Index(pick(0, options.len())),
            ItemKind::Multiple { options, .. } => {
                let set: BTreeSet<usize> = seed
                    .iter()
                    .map(|s| s % options.len())
                    .take(options.len())
                    .collect();
                Response::Indices(set.into_iter().collect())
            }
            ItemKind::Matching { left, right, .. } => Response::Pairs(
                (0..left.len())
                    .map(|l| (pick(l, left.len()), pick(l + 1, right.len())))
                    .collect(),
            ),
            ItemKind::Ordering { options, .. } => {
                let mut v: Vec<usize> = (0..options.len()).collect();
                for i in (1..v.len()).rev() {
                    v.swap(i, pick(i, i + 1));
                }
                Response::Indices(v)
            }
            ItemKind::Numeric { value, .. } => Response::Number(value.clone()),
            ItemKind::Text { .. } => Response::Text("ответ".into()),
        }
    }

    proptest! {
        #[test]
        fn levels_are_monotone_in_the_percent(
            t in thresholds(),
            max in rational(1000, 20).prop_filter("positive", |m| m.is_positive()),
            a in 0i128..=1000, b in 0i128..=1000,
        ) {
            let (lo, hi) = (a.min(b), a.max(b));
            let s = |k: i128| max.checked_mul(q(k, 1000)).unwrap();
            // A higher score is never a more severe level.
            prop_assert!(level_for(s(lo), max, &t) >= level_for(s(hi), max, &t));
        }

        #[test]
        fn boundaries_are_exact(t in thresholds(), max in rational(1000, 20).prop_filter("positive", |m| m.is_positive())) {
            let at = |p: Rational| max.checked_mul(p).unwrap().checked_div(int(100)).unwrap();
            let eps = q(1, 1_000_000);
            prop_assert_eq!(level_for(at(t.critical_below), max, &t), Level::High);
            prop_assert_eq!(level_for(at(t.critical_below.checked_sub(eps).unwrap()), max, &t), Level::Critical);
            prop_assert_eq!(level_for(at(t.high_below), max, &t), Level::Reduced);
            prop_assert_eq!(level_for(at(t.high_below.checked_sub(eps).unwrap()), max, &t), Level::High);
            prop_assert_eq!(level_for(at(t.reduced_below), max, &t), Level::None);
            prop_assert_eq!(level_for(at(t.reduced_below.checked_sub(eps).unwrap()), max, &t), Level::Reduced);
        }

        #[test]
        fn partial_credit_stays_within_points(item in any_item(), response in any_response(), seed in proptest::collection::vec(0usize..100, 8)) {
            for r in [response, fitting_response(&item, &seed)] {
                let mark = score_item(&item, &r);
                prop_assert!(mark >= Rational::ZERO, "{mark} < 0");
                prop_assert!(mark <= item.points, "{mark} > {}", item.points);
            }
            let fitting = fitting_response(&item, &seed);
            prop_assert!(check_response(&item, &fitting).is_ok(), "{:?} {:?}", item.kind, fitting);
        }

        #[test]
        fn score_never_exceeds_max(
            items in proptest::collection::vec(any_item(), 1..12),
            seeds in proptest::collection::vec(proptest::collection::vec(0usize..100, 8), 12),
            skip in proptest::collection::vec(any::<bool>(), 12),
            rule in prop_oneof![Just(OverallRule::Total), Just(OverallRule::Worst)],
        ) {
            let mut b = bank(rule);
            b.items = items
                .into_iter()
                .enumerate()
                .map(|(i, mut it)| {
                    it.id = format!("i{i}");
                    it.competence = ["K1", "K2", "K3"][i % 3].into();
                    it
                })
                .collect();
            let mut given = BTreeMap::new();
            for (i, it) in b.items.iter().enumerate() {
                if i == 0 || !skip[i] {
                    given.insert(it.id.clone(), fitting_response(it, &seeds[i]));
                }
            }
            let p = score_attempt(&b, &given).unwrap();
            prop_assert!(p.overall.score <= p.overall.max);
            prop_assert!(p.overall.percent >= Rational::ZERO && p.overall.percent <= int(100));
            for c in &p.competences {
                prop_assert!(c.score <= c.max);
                prop_assert!(c.score >= Rational::ZERO);
            }
            if rule == OverallRule::Worst {
                prop_assert_eq!(Some(p.overall.level), p.competences.iter().map(|c| c.level).max());
            }
        }
    }
}
