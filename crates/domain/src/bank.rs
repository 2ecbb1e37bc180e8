//! Assessment banks (банки диагностических заданий), `spec/assessment-bank.md`.
//!
//! Plain data: a bank as the `banks` crate validated it from its TOML file.
//! Every number a decision depends on (points, thresholds, numeric answers)
//! is exact: [`Rational`] for points, thresholds and scores, [`Decimal`] for
//! the written values of numeric answers and responses. Floats never decide
//! a level or a mark.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ParseError;

/// One versioned bank. An attempt keeps `id`, `version` and `content_hash`,
/// so its result can always be re-explained on the exact content it was taken
/// on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bank {
    /// `[a-z0-9-]+`, unique among banks.
    pub id: String,
    pub version: String,
    pub title: String,
    pub audience: Option<String>,
    /// Empty: every subject.
    pub subjects: Vec<String>,
    pub time_limit_minutes: u32,
    pub review: Review,
    /// The bank-wide thresholds (`[levels]`); a competence carries its own
    /// after overrides.
    pub thresholds: Thresholds,
    pub overall: OverallRule,
    /// In file order: profiles list competences in this order.
    pub competences: Vec<Competence>,
    /// In file order.
    pub items: Vec<Item>,
    /// SHA-256 (lower-case hex) of the file's bytes.
    pub content_hash: String,
}

impl Bank {
    /// The name of a competence outside its bank: `BANK:CODE`.
    pub fn competence_code(&self, code: &str) -> String {
        format!("{}:{}", self.id, code)
    }

    pub fn competence(&self, code: &str) -> Option<&Competence> {
        self.competences.iter().find(|c| c.code == code)
    }

    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.id == id)
    }

    /// The items of one competence, in file order.
    pub fn items_of<'a>(&'a self, code: &'a str) -> impl Iterator<Item = &'a Item> + 'a {
        self.items.iter().filter(move |i| i.competence == code)
    }
}

/// When a teacher may review the items (answers, keys, explanations).
/// Percents and levels are always shown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Review {
    /// Right after the attempt is submitted.
    #[default]
    AfterSubmit,
    /// Once the campaign window has closed.
    AfterClose,
    /// Never.
    None,
}

impl Review {
    pub const ALL: [Review; 3] = [Review::AfterSubmit, Review::AfterClose, Review::None];

    pub fn as_str(self) -> &'static str {
        match self {
            Review::AfterSubmit => "after_submit",
            Review::AfterClose => "after_close",
            Review::None => "none",
        }
    }

    /// The exact file spelling.
    pub fn parse(value: &str) -> Option<Review> {
        Review::ALL.into_iter().find(|r| r.as_str() == value)
    }
}

/// How the overall level of an attempt is decided.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OverallRule {
    /// The level of the percent over all items given.
    #[default]
    Total,
    /// The most severe competence level (the percent is still over all items).
    Worst,
}

impl OverallRule {
    pub const ALL: [OverallRule; 2] = [OverallRule::Total, OverallRule::Worst];

    pub fn as_str(self) -> &'static str {
        match self {
            OverallRule::Total => "total",
            OverallRule::Worst => "worst",
        }
    }

    /// The exact file spelling.
    pub fn parse(value: &str) -> Option<OverallRule> {
        OverallRule::ALL.into_iter().find(|r| r.as_str() == value)
    }
}

/// Level thresholds, in percent of the maximum score: `p < critical_below`
/// is critical, `p < high_below` high, `p < reduced_below` reduced, else none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Thresholds {
    pub critical_below: Rational,
    pub high_below: Rational,
    pub reduced_below: Rational,
}

impl Thresholds {
    /// Strictly increasing within (0, 100].
    pub fn is_valid(&self) -> bool {
        let hundred = Rational::integer(100);
        Rational::ZERO < self.critical_below
            && self.critical_below < self.high_below
            && self.high_below < self.reduced_below
            && self.reduced_below <= hundred
    }
}

/// A competence (компетенция), a labour function's part the bank measures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Competence {
    /// Unique in the bank; elsewhere named `BANK:CODE`.
    pub code: String,
    pub title: String,
    pub description: Option<String>,
    /// The professional standard's labour function, e.g. «ПС «Педагог», A/01.6».
    pub standard_ref: Option<String>,
    /// How many of its items an attempt draws at random.
    pub items_per_attempt: u32,
    /// The bank's thresholds with this competence's overrides applied.
    pub thresholds: Thresholds,
}

/// One item (задание).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// Unique in the bank.
    pub id: String,
    /// The code of its competence in this bank.
    pub competence: String,
    /// The kind with its options and key.
    pub kind: ItemKind,
    /// Shared case text (ситуационная задача), Markdown.
    pub context: Option<String>,
    /// Markdown.
    pub stem: String,
    /// Greater than zero.
    pub points: Rational,
    /// Shown in the review.
    pub explanation: Option<String>,
}

/// An item's kind, its options and its key. Indices are the file's (options
/// are shown shuffled, answers are stored unshuffled).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemKind {
    /// One right option.
    Single { options: Vec<String>, answer: usize },
    /// The right options (at least one, distinct).
    Multiple {
        options: Vec<String>,
        answer: Vec<usize>,
    },
    /// `answer` holds one `(left, right)` pair per left item, each right used
    /// once; `right` may be longer than `left` (distractors).
    Matching {
        left: Vec<String>,
        right: Vec<String>,
        answer: Vec<(usize, usize)>,
    },
    /// `answer` is the option indices in the correct order (a permutation).
    Ordering {
        options: Vec<String>,
        answer: Vec<usize>,
    },
    /// Right when `|x − value| <= tolerance`, in exact decimal arithmetic.
    Numeric { value: Decimal, tolerance: Decimal },
    /// The accepted answers, as written (normalised when compared).
    Text { accepted: Vec<String> },
}

impl ItemKind {
    /// The file spelling of the kind.
    pub fn name(&self) -> &'static str {
        match self {
            ItemKind::Single { .. } => "single",
            ItemKind::Multiple { .. } => "multiple",
            ItemKind::Matching { .. } => "matching",
            ItemKind::Ordering { .. } => "ordering",
            ItemKind::Numeric { .. } => "numeric",
            ItemKind::Text { .. } => "text",
        }
    }

    pub const NAMES: [&'static str; 6] = [
        "single", "multiple", "matching", "ordering", "numeric", "text",
    ];
}

// ---------------------------------------------------------------------------
// Exact numbers
// ---------------------------------------------------------------------------

/// An exact fraction over `i128`, always in lowest terms with a positive
/// denominator, so the derived equality is value equality.
///
/// Sums and products are checked (`None` on overflow); comparisons never
/// overflow (they multiply in wide integers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rational {
    num: i128,
    den: i128,
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

impl Rational {
    pub const ZERO: Rational = Rational { num: 0, den: 1 };
    pub const ONE: Rational = Rational { num: 1, den: 1 };

    /// `num / den` in lowest terms; `None` when `den` is zero or the value
    /// cannot be represented.
    pub fn new(num: i128, den: i128) -> Option<Rational> {
        if den == 0 {
            return None;
        }
        let (num, den) = if den < 0 {
            (num.checked_neg()?, den.checked_neg()?)
        } else {
            (num, den)
        };
        let g = gcd(num.unsigned_abs(), den.unsigned_abs());
        // g divides den > 0, so g <= den <= i128::MAX.
        let g = g as i128;
        Some(Rational {
            num: num / g,
            den: den / g,
        })
    }

    pub const fn integer(n: i128) -> Rational {
        Rational { num: n, den: 1 }
    }

    pub fn numer(self) -> i128 {
        self.num
    }

    /// Always positive.
    pub fn denom(self) -> i128 {
        self.den
    }

    pub fn is_zero(self) -> bool {
        self.num == 0
    }

    pub fn is_positive(self) -> bool {
        self.num > 0
    }

    pub fn is_negative(self) -> bool {
        self.num < 0
    }

    pub fn is_integer(self) -> bool {
        self.den == 1
    }

    pub fn checked_neg(self) -> Option<Rational> {
        Some(Rational {
            num: self.num.checked_neg()?,
            den: self.den,
        })
    }

    pub fn checked_add(self, other: Rational) -> Option<Rational> {
        let g = gcd(self.den.unsigned_abs(), other.den.unsigned_abs()) as i128;
        let (a, b) = (self.den / g, other.den / g);
        let den = a.checked_mul(other.den)?;
        let num = self
            .num
            .checked_mul(b)?
            .checked_add(other.num.checked_mul(a)?)?;
        Rational::new(num, den)
    }

    pub fn checked_sub(self, other: Rational) -> Option<Rational> {
        self.checked_add(other.checked_neg()?)
    }

    pub fn checked_mul(self, other: Rational) -> Option<Rational> {
        // Cancel crosswise first so the products stay small.
        let g1 = gcd(self.num.unsigned_abs(), other.den.unsigned_abs()).max(1) as i128;
        let g2 = gcd(other.num.unsigned_abs(), self.den.unsigned_abs()).max(1) as i128;
        let num = (self.num / g1).checked_mul(other.num / g2)?;
        let den = (self.den / g2).checked_mul(other.den / g1)?;
        Rational::new(num, den)
    }

    /// `None` when `other` is zero or on overflow.
    pub fn checked_div(self, other: Rational) -> Option<Rational> {
        if other.is_zero() {
            return None;
        }
        self.checked_mul(Rational::new(other.den, other.num)?)
    }

    /// The exact value of a decimal, when it fits.
    pub fn from_decimal(d: &Decimal) -> Option<Rational> {
        let mut num: i128 = 0;
        for &digit in &d.digits {
            num = num.checked_mul(10)?.checked_add(i128::from(digit))?;
        }
        if d.negative {
            num = -num;
        }
        if d.exp >= 0 {
            let scale = 10i128.checked_pow(u32::try_from(d.exp).ok()?)?;
            Some(Rational::integer(num.checked_mul(scale)?))
        } else {
            let scale = 10i128.checked_pow(u32::try_from(d.exp.unsigned_abs()).ok()?)?;
            Rational::new(num, scale)
        }
    }

    /// How many decimal places the value needs, when it is a terminating
    /// decimal (its denominator has no prime factor but 2 and 5).
    pub fn decimal_places(self) -> Option<u32> {
        let mut den = self.den;
        let (mut twos, mut fives) = (0u32, 0u32);
        while den % 2 == 0 {
            den /= 2;
            twos += 1;
        }
        while den % 5 == 0 {
            den /= 5;
            fives += 1;
        }
        (den == 1).then_some(twos.max(fives))
    }

    /// `self × 10^places`, rounded half away from zero; `None` on overflow.
    pub fn round_scaled(self, places: u32) -> Option<i128> {
        let scale = 10u128.checked_pow(places)?;
        let magnitude = self.num.unsigned_abs().checked_mul(scale)?;
        let den = self.den.unsigned_abs();
        let (mut q, r) = (magnitude / den, magnitude % den);
        // r < den <= i128::MAX, so 2r fits in u128.
        if 2 * r >= den {
            q += 1;
        }
        let q = i128::try_from(q).ok()?;
        Some(if self.num < 0 { -q } else { q })
    }

    /// The value rounded half away from zero to `places` decimals, as the
    /// nearest `f64` (what JSON prints). Only for display: decisions compare
    /// rationals.
    pub fn to_f64_rounded(self, places: u32) -> f64 {
        match (self.round_scaled(places), 10i32.checked_pow(places)) {
            // Both operands are exact in f64 when |scaled| < 2^53, and the
            // quotient is then the f64 nearest to the rounded decimal.
            (Some(scaled), Some(scale)) => scaled as f64 / f64::from(scale),
            _ => self.num as f64 / self.den as f64,
        }
    }

    /// The value rounded half away from zero to `places` decimals, written
    /// with exactly `places` decimals.
    pub fn to_decimal_string(self, places: u32) -> String {
        match self.round_scaled(places) {
            Some(scaled) => {
                let sign = if scaled < 0 { "-" } else { "" };
                let digits = scaled.unsigned_abs().to_string();
                let places = places as usize;
                if places == 0 {
                    return format!("{sign}{digits}");
                }
                let padded = format!("{digits:0>width$}", width = places + 1);
                let (int, frac) = padded.split_at(padded.len() - places);
                format!("{sign}{int}.{frac}")
            }
            None => format!("{}/{}", self.num, self.den),
        }
    }
}

/// Little-endian 64-bit limbs of the product of the factors.
fn wide_product(factors: &[u128]) -> Vec<u64> {
    let mut acc: Vec<u64> = vec![1];
    for &f in factors {
        let parts = [f as u64, (f >> 64) as u64];
        let mut out = vec![0u64; acc.len() + 2];
        for (i, &a) in acc.iter().enumerate() {
            let mut carry: u128 = 0;
            for (j, &b) in parts.iter().enumerate() {
                let cur = u128::from(out[i + j]) + u128::from(a) * u128::from(b) + carry;
                out[i + j] = cur as u64;
                carry = cur >> 64;
            }
            let mut k = i + parts.len();
            while carry != 0 {
                let cur = u128::from(out[k]) + carry;
                out[k] = cur as u64;
                carry = cur >> 64;
                k += 1;
            }
        }
        while out.len() > 1 && out.last() == Some(&0) {
            out.pop();
        }
        acc = out;
    }
    acc
}

fn cmp_wide(a: &[u64], b: &[u64]) -> Ordering {
    a.len()
        .cmp(&b.len())
        .then_with(|| a.iter().rev().cmp(b.iter().rev()))
}

/// Compares the products `∏ lhs` and `∏ rhs` exactly, whatever their size.
pub(crate) fn cmp_products(lhs: &[i128], rhs: &[i128]) -> Ordering {
    let sign = |fs: &[i128]| -> i8 {
        if fs.contains(&0) {
            0
        } else if fs.iter().filter(|f| **f < 0).count() % 2 == 1 {
            -1
        } else {
            1
        }
    };
    let (sl, sr) = (sign(lhs), sign(rhs));
    if sl != sr || sl == 0 {
        return sl.cmp(&sr);
    }
    let mag = |fs: &[i128]| wide_product(&fs.iter().map(|f| f.unsigned_abs()).collect::<Vec<_>>());
    let by_magnitude = cmp_wide(&mag(lhs), &mag(rhs));
    if sl > 0 {
        by_magnitude
    } else {
        by_magnitude.reverse()
    }
}

impl Ord for Rational {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_products(&[self.num, other.den], &[other.num, self.den])
    }
}

impl PartialOrd for Rational {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl From<i64> for Rational {
    fn from(n: i64) -> Rational {
        Rational::integer(i128::from(n))
    }
}

/// A terminating value as a plain decimal (`2.5`, `40`), otherwise `7/3`.
impl fmt::Display for Rational {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.decimal_places() {
            Some(places) if places <= 38 => {
                let s = self.to_decimal_string(places);
                if s.contains('/') {
                    write!(f, "{}/{}", self.num, self.den)
                } else {
                    f.write_str(&s)
                }
            }
            _ => write!(f, "{}/{}", self.num, self.den),
        }
    }
}

/// An exact decimal as written (`12.5`, `-0.001`, `1e3`), of any size
/// within [`Decimal::MAX_DIGITS`] significant digits and exponents within
/// ±[`Decimal::MAX_EXPONENT`]. Numeric answers and responses are compared in
/// this type, so `0.1 + 0.2` style float artefacts never decide a mark.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Decimal {
    negative: bool,
    /// Significant digits, most significant first, without leading or
    /// trailing zeros; empty for zero.
    digits: Vec<u8>,
    /// The value is `±digits × 10^exp`.
    exp: i64,
}

impl Decimal {
    pub const MAX_DIGITS: usize = 1000;
    pub const MAX_EXPONENT: i64 = 1000;

    pub fn zero() -> Decimal {
        Decimal {
            negative: false,
            digits: Vec::new(),
            exp: 0,
        }
    }

    pub fn from_integer(n: i128) -> Decimal {
        Decimal::build(
            n < 0,
            n.unsigned_abs()
                .to_string()
                .bytes()
                .map(|b| b - b'0')
                .collect(),
            0,
        )
    }

    fn build(negative: bool, mut digits: Vec<u8>, mut exp: i64) -> Decimal {
        let lead = digits.iter().take_while(|d| **d == 0).count();
        digits.drain(..lead);
        while digits.last() == Some(&0) {
            digits.pop();
            exp += 1;
        }
        if digits.is_empty() {
            return Decimal::zero();
        }
        Decimal {
            negative,
            digits,
            exp,
        }
    }

    /// Parses `[+-]digits[.digits][e[+-]digits]`; a comma may stand for the
    /// decimal point (as Russian users write it). Surrounding white space is
    /// ignored.
    pub fn parse(text: &str) -> Result<Decimal, ParseError> {
        let invalid = || ParseError(format!("«{}» не является числом", text.trim()));
        let s = text.trim();
        let (negative, s) = match s.as_bytes().first() {
            Some(b'-') => (true, &s[1..]),
            Some(b'+') => (false, &s[1..]),
            _ => (false, s),
        };
        let (mantissa, exponent) = match s.find(['e', 'E']) {
            Some(at) => (&s[..at], Some(&s[at + 1..])),
            None => (s, None),
        };
        let (int, frac) = match mantissa.find(['.', ',']) {
            Some(at) => (&mantissa[..at], &mantissa[at + 1..]),
            None => (mantissa, ""),
        };
        let all_digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
        if (int.is_empty() && frac.is_empty()) || !all_digits(int) || !all_digits(frac) {
            return Err(invalid());
        }
        let mut exp: i64 = match exponent {
            None => 0,
            Some(e) => {
                let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
                if digits.is_empty() || !all_digits(digits) {
                    return Err(invalid());
                }
                // Cap early: a longer exponent is out of range anyway.
                if digits.trim_start_matches('0').len() > 6 {
                    return Err(out_of_range(text));
                }
                e.parse::<i64>().map_err(|_| invalid())?
            }
        };
        exp -= frac.len() as i64;
        let digits: Vec<u8> = int.bytes().chain(frac.bytes()).map(|b| b - b'0').collect();
        let d = Decimal::build(negative, digits, exp);
        if d.digits.len() > Decimal::MAX_DIGITS
            || (!d.digits.is_empty()
                && (d.exp.abs() > Decimal::MAX_EXPONENT
                    || (d.exp + d.digits.len() as i64).abs() > Decimal::MAX_EXPONENT))
        {
            return Err(out_of_range(text));
        }
        Ok(d)
    }

    /// The shortest decimal that reads back as `f` (what `{}` prints), which
    /// is the value a person wrote in a JSON or TOML number.
    pub fn from_f64(f: f64) -> Result<Decimal, ParseError> {
        if !f.is_finite() {
            return Err(ParseError("число должно быть конечным".into()));
        }
        Decimal::parse(&format!("{f}"))
    }

    pub fn is_zero(&self) -> bool {
        self.digits.is_empty()
    }

    pub fn is_negative(&self) -> bool {
        self.negative
    }

    /// The number of digits after the decimal point.
    pub fn decimal_places(&self) -> u64 {
        if self.exp < 0 {
            self.exp.unsigned_abs()
        } else {
            0
        }
    }

    /// `|x − value| <= tolerance`, exactly.
    pub fn within(x: &Decimal, value: &Decimal, tolerance: &Decimal) -> bool {
        if tolerance.negative {
            return false;
        }
        let base = [x, value, tolerance]
            .iter()
            .filter(|d| !d.is_zero())
            .map(|d| d.exp)
            .min()
            .unwrap_or(0);
        let (mx, mv, mt) = (x.scaled(base), value.scaled(base), tolerance.scaled(base));
        let diff = if x.negative != value.negative {
            add_mag(&mx, &mv)
        } else if cmp_mag(&mx, &mv) == Ordering::Less {
            sub_mag(&mv, &mx)
        } else {
            sub_mag(&mx, &mv)
        };
        cmp_mag(&diff, &mt) != Ordering::Greater
    }

    /// The magnitude as little-endian decimal digits of `|self| / 10^base`
    /// (`base` at most the exponent of every non-zero operand).
    fn scaled(&self, base: i64) -> Vec<u8> {
        if self.is_zero() {
            return Vec::new();
        }
        let zeros = usize::try_from(self.exp - base).unwrap_or(0);
        let mut out = vec![0u8; zeros];
        out.extend(self.digits.iter().rev());
        out
    }
}

fn out_of_range(text: &str) -> ParseError {
    ParseError(format!("число «{}» вне допустимого диапазона", text.trim()))
}

fn cmp_mag(a: &[u8], b: &[u8]) -> Ordering {
    let trim = |v: &[u8]| v.len() - v.iter().rev().take_while(|d| **d == 0).count();
    let (la, lb) = (trim(a), trim(b));
    la.cmp(&lb)
        .then_with(|| a[..la].iter().rev().cmp(b[..lb].iter().rev()))
}

fn add_mag(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(a.len().max(b.len()) + 1);
    let mut carry = 0u8;
    for i in 0..a.len().max(b.len()) {
        let s = a.get(i).copied().unwrap_or(0) + b.get(i).copied().unwrap_or(0) + carry;
        out.push(s % 10);
        carry = s / 10;
    }
    if carry > 0 {
        out.push(carry);
    }
    out
}

/// `a − b` for `a >= b`.
fn sub_mag(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(a.len());
    let mut borrow = 0i8;
    for (i, &d) in a.iter().enumerate() {
        let mut s = d as i8 - b.get(i).copied().unwrap_or(0) as i8 - borrow;
        borrow = 0;
        if s < 0 {
            s += 10;
            borrow = 1;
        }
        out.push(s as u8);
    }
    out
}

impl FromStr for Decimal {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Decimal::parse(s)
    }
}

/// The plain decimal form, without an exponent (`1e3` prints `1000`).
impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_zero() {
            return f.write_str("0");
        }
        if self.negative {
            f.write_str("-")?;
        }
        let digits: String = self.digits.iter().map(|d| char::from(b'0' + d)).collect();
        if self.exp >= 0 {
            f.write_str(&digits)?;
            for _ in 0..self.exp {
                f.write_str("0")?;
            }
            Ok(())
        } else {
            let places = self.exp.unsigned_abs() as usize;
            if digits.len() > places {
                let (int, frac) = digits.split_at(digits.len() - places);
                write!(f, "{int}.{frac}")
            } else {
                write!(f, "0.{digits:0>places$}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(n: i128, d: i128) -> Rational {
        Rational::new(n, d).unwrap()
    }

    fn dec(s: &str) -> Decimal {
        Decimal::parse(s).unwrap()
    }

    #[test]
    fn rationals_are_normalised() {
        assert_eq!(r(2, 4), r(1, 2));
        assert_eq!(r(3, -6), r(-1, 2));
        assert_eq!(r(0, 5), Rational::ZERO);
        assert!(Rational::new(1, 0).is_none());
    }

    #[test]
    fn rational_arithmetic() {
        assert_eq!(r(1, 3).checked_add(r(1, 6)), Some(r(1, 2)));
        assert_eq!(r(1, 3).checked_sub(r(1, 2)), Some(r(-1, 6)));
        assert_eq!(r(2, 3).checked_mul(r(9, 4)), Some(r(3, 2)));
        assert_eq!(r(2, 3).checked_div(r(4, 3)), Some(r(1, 2)));
        assert_eq!(r(1, 3).checked_div(Rational::ZERO), None);
        assert_eq!(
            Rational::integer(i128::MAX).checked_add(Rational::ONE),
            None
        );
    }

    #[test]
    fn comparison_never_overflows() {
        let big = Rational::integer(i128::MAX);
        let nearly = r(i128::MAX - 1, 1);
        assert!(nearly < big);
        assert!(r(i128::MAX, i128::MAX - 1) > Rational::ONE);
        assert!(r(-(i128::MAX), 3) < r(-(i128::MAX), 7));
        assert!(r(-1, 3) < r(1, 1_000_000_007));
        assert!(r(3999, 100) < Rational::integer(40));
    }

    #[test]
    fn rounding_half_away_from_zero() {
        assert_eq!(r(1, 8).round_scaled(2), Some(13)); // 0.125
        assert_eq!(r(-1, 8).round_scaled(2), Some(-13));
        assert_eq!(r(2, 3).round_scaled(2), Some(67));
        assert_eq!(r(1, 3).round_scaled(2), Some(33));
        assert_eq!(r(7, 2).to_f64_rounded(2), 3.5);
        assert_eq!(r(200, 3).to_f64_rounded(2), 66.67);
        assert_eq!(r(200, 3).to_decimal_string(2), "66.67");
        assert_eq!(r(-1, 200).to_decimal_string(2), "-0.01");
        assert_eq!(r(1, 300).to_decimal_string(2), "0.00");
    }

    #[test]
    fn rational_display() {
        assert_eq!(Rational::integer(40).to_string(), "40");
        assert_eq!(r(81, 2).to_string(), "40.5");
        assert_eq!(r(-1, 8).to_string(), "-0.125");
        assert_eq!(r(7, 3).to_string(), "7/3");
    }

    #[test]
    fn decimals_parse_exactly() {
        assert_eq!(dec("12.50"), dec("12.5"));
        assert_eq!(dec("1e3"), Decimal::from_integer(1000));
        assert_eq!(dec("-0"), Decimal::zero());
        assert_eq!(dec("0,5"), dec(".5"));
        assert_eq!(dec("1.5E-2").to_string(), "0.015");
        assert_eq!(dec("-120").to_string(), "-120");
        assert_eq!(dec("+3.").to_string(), "3");
        for bad in [
            "", "-", "1.2.3", "abc", "1e", "1e+", "--1", "1 2", "inf", "nan",
        ] {
            assert!(Decimal::parse(bad).is_err(), "{bad}");
        }
        assert!(Decimal::parse("1e99999999").is_err());
        assert!(Decimal::parse("1e-1001").is_err());
        assert_eq!(Rational::from_decimal(&dec("12.5")), Some(r(25, 2)));
        assert_eq!(
            Rational::from_decimal(&dec("-1e2")),
            Some(Rational::integer(-100))
        );
        assert_eq!(Rational::from_decimal(&dec("1e40")), None);
    }

    #[test]
    fn decimals_from_floats_are_the_written_values() {
        assert_eq!(Decimal::from_f64(0.1).unwrap(), dec("0.1"));
        assert_eq!(Decimal::from_f64(12.5).unwrap(), dec("12.5"));
        assert_eq!(Decimal::from_f64(1e21).unwrap(), dec("1e21"));
        assert_eq!(
            Decimal::from_f64(0.1 + 0.2).unwrap(),
            dec("0.30000000000000004")
        );
        assert!(Decimal::from_f64(f64::NAN).is_err());
    }

    #[test]
    fn within_tolerance_is_exact() {
        let w = |x: &str, v: &str, t: &str| Decimal::within(&dec(x), &dec(v), &dec(t));
        assert!(w("12.6", "12.5", "0.1"));
        assert!(w("12.4", "12.5", "0.1"));
        assert!(!w("12.61", "12.5", "0.1"));
        // In f64, 0.3 - 0.2 > 0.1; in decimals it is exactly 0.1.
        assert!(w("0.3", "0.2", "0.1"));
        assert!(w("5", "5.000", "0"));
        assert!(!w("5.0000000000000000000001", "5", "0"));
        assert!(w("-0.05", "0.05", "0.1"));
        assert!(!w("-0.06", "0.05", "0.1"));
        assert!(w("-3", "-3.5", "0.5"));
        assert!(w("1e300", "1e300", "0"));
        assert!(!w("1e300", "1", "1e299"));
        assert!(!w("1", "1", "-1"));
    }

    #[test]
    fn thresholds_validity() {
        let t = |c: i128, h: i128, rd: i128| Thresholds {
            critical_below: Rational::integer(c),
            high_below: Rational::integer(h),
            reduced_below: Rational::integer(rd),
        };
        assert!(t(40, 60, 80).is_valid());
        assert!(t(40, 60, 100).is_valid());
        assert!(!t(0, 60, 80).is_valid());
        assert!(!t(40, 40, 80).is_valid());
        assert!(!t(40, 60, 101).is_valid());
        assert!(!t(60, 40, 80).is_valid());
    }

    #[test]
    fn review_and_overall_spellings() {
        assert_eq!(Review::parse("after_close"), Some(Review::AfterClose));
        assert_eq!(Review::parse("After_close"), None);
        assert_eq!(Review::default(), Review::AfterSubmit);
        assert_eq!(OverallRule::parse("worst"), Some(OverallRule::Worst));
        assert_eq!(OverallRule::default(), OverallRule::Total);
    }
}
