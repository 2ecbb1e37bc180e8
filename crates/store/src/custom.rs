//! Row models of custom indicators (дополнительные показатели) and the
//! rules both backends apply.
//!
//! The roadmaps set targets on things the product does not record («не
//! менее 75% ОО … подключены к проекту «500+»», «участвует не менее 75%
//! управленческих команд ШФНСУ»). A ЦНППМ methodist defines such an
//! indicator; a municipal coordinator (or the region) enters its numerator
//! and denominator with the evidence behind them.
//!
//! Values are never updated: a new entry is a new row, so the history stays.
//! The current value of a scope (the region, or one municipality) is its
//! latest entry by (`as_of`, `id`).

use chrono::NaiveDate;
use domain::indicators::{Indicator, Percent, Share};
use domain::{Login, MunicipalityCode};

use crate::{Millis, StoreError};

/// A custom indicator as the region defines it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCustomIndicator {
    /// A short slug (`school_500`): lower-case Latin letters, digits, `_`
    /// and `-`, starting with a letter; unique; never changed.
    pub code: String,
    pub title: String,
    /// What is counted: the denominator and who of it makes the numerator.
    pub description: String,
    pub threshold: Option<Percent>,
    pub due_on: Option<NaiveDate>,
    /// An inactive indicator takes no new values and leaves the dashboards.
    pub active: bool,
}

/// What an edit of a definition may change (the code stays).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomIndicatorChange {
    pub title: String,
    pub description: String,
    pub threshold: Option<Percent>,
    pub due_on: Option<NaiveDate>,
    pub active: bool,
}

/// A stored custom indicator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomIndicatorRow {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub description: String,
    pub threshold: Option<Percent>,
    pub due_on: Option<NaiveDate>,
    pub active: bool,
    /// `None`: the operator at the command line.
    pub created_by: Option<Login>,
    pub created_at: Millis,
}

/// One entry of a custom indicator's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCustomValue {
    pub indicator_id: i64,
    /// `None`: the region's own figure; else the municipality's.
    pub municipality: Option<MunicipalityCode>,
    /// The day the figure describes.
    pub as_of: NaiveDate,
    pub share: Share,
    /// What confirms the figure: a document's name and number or a link.
    pub evidence: String,
}

/// A stored value entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomValueRow {
    pub id: i64,
    pub value: NewCustomValue,
    /// `None`: the operator at the command line.
    pub entered_by: Option<Login>,
    pub entered_at: Millis,
}

/// The longest code, title and evidence the store keeps.
pub const CODE_MAX: usize = 64;
pub const TITLE_MAX: usize = 500;
pub const EVIDENCE_MAX: usize = 2000;

/// Refuses a code that is not a slug, or that names one of the seven
/// indicators the product counts itself. The message is Russian and fit
/// for a form.
pub fn check_code(code: &str) -> Result<(), String> {
    let mut chars = code.chars();
    let slug = chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if !slug || code.len() > CODE_MAX {
        return Err(format!(
            "код «{code}»: строчные латинские буквы, цифры, «_» и «-», начиная с буквы, \
             не длиннее {CODE_MAX} знаков"
        ));
    }
    if Indicator::ALL.iter().any(|i| i.as_str() == code) {
        return Err(format!(
            "код «{code}» занят показателем, который Маршрут считает сам"
        ));
    }
    Ok(())
}

/// Refuses a blank or overlong title.
pub fn check_title(title: &str) -> Result<(), String> {
    if title.trim().is_empty() {
        return Err("укажите название показателя".into());
    }
    if title.chars().count() > TITLE_MAX {
        return Err(format!("название длиннее {TITLE_MAX} знаков"));
    }
    Ok(())
}

/// Refuses a numerator above the denominator, a figure the database cannot
/// hold, and blank or overlong evidence.
pub fn check_value(value: &NewCustomValue) -> Result<(), String> {
    let Share {
        numerator,
        denominator,
    } = value.share;
    if i64::try_from(denominator).is_err() {
        return Err(format!("знаменатель {denominator} слишком велик"));
    }
    if numerator > denominator {
        return Err(format!(
            "числитель ({numerator}) больше знаменателя ({denominator})"
        ));
    }
    if value.evidence.trim().is_empty() {
        return Err(
            "укажите, чем подтверждается значение: документ (название, номер, дата) или ссылку"
                .into(),
        );
    }
    if value.evidence.chars().count() > EVIDENCE_MAX {
        return Err(format!("подтверждение длиннее {EVIDENCE_MAX} знаков"));
    }
    Ok(())
}

/// The stored `level` of a value: `region` or `municipality`.
pub fn level_of(municipality: Option<&MunicipalityCode>) -> &'static str {
    match municipality {
        None => "region",
        Some(_) => "municipality",
    }
}

/// Reads a stored threshold (`75`, `66.7`) back.
pub fn threshold_of(text: Option<&str>) -> Result<Option<Percent>, StoreError> {
    text.map(crate::trainings::threshold_of).transpose()
}

/// Reads a stored numerator and denominator back.
pub fn share_of(numerator: i64, denominator: i64) -> Result<Share, StoreError> {
    let bad = || StoreError::Other(format!("bad stored share {numerator}/{denominator}"));
    Ok(Share {
        numerator: u64::try_from(numerator).map_err(|_| bad())?,
        denominator: u64::try_from(denominator).map_err(|_| bad())?,
    })
}

/// The audit object of a definition: `school_500 «Подключены к «500+»»`.
pub fn definition_audit_object(code: &str, title: &str) -> String {
    format!("{code} «{title}»")
}

/// The audit object of a value: `school_500, m1, 2026-03-01: 3 из 4`.
pub fn value_audit_object(code: &str, value: &NewCustomValue) -> String {
    format!(
        "{code}, {}, {}: {} из {}",
        value.municipality.as_ref().map_or("регион", |m| m.as_str()),
        value.as_of.format("%Y-%m-%d"),
        value.share.numerator,
        value.share.denominator
    )
}

/// The audit object of a removed target: `training_coverage municipality m1: 66.7`.
pub fn target_removed_audit_object(row: &crate::TargetRow) -> String {
    format!(
        "{} {}: {}",
        row.target.indicator,
        crate::trainings::where_text(&row.target.at),
        row.target.threshold
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_slugs_other_than_the_products_indicators() {
        for ok in ["school_500", "seminars-shfnsu", "a1", "x"] {
            assert!(check_code(ok).is_ok(), "{ok}");
        }
        for bad in ["", "1abc", "School", "школы", "a b", "a.b", &"a".repeat(65)] {
            assert!(check_code(bad).is_err(), "{bad}");
        }
        assert!(check_code("growth").unwrap_err().contains("считает сам"));
    }

    #[test]
    fn values_need_evidence_and_a_numerator_within_the_denominator() {
        let value = |n, d, evidence: &str| NewCustomValue {
            indicator_id: 1,
            municipality: None,
            as_of: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
            share: Share {
                numerator: n,
                denominator: d,
            },
            evidence: evidence.into(),
        };
        assert!(check_value(&value(3, 4, "Приказ № 15")).is_ok());
        assert!(check_value(&value(0, 0, "Справка ОМСУ")).is_ok());
        assert!(
            check_value(&value(5, 4, "Приказ"))
                .unwrap_err()
                .contains("больше")
        );
        assert!(
            check_value(&value(1, 4, "  "))
                .unwrap_err()
                .contains("подтверждается")
        );
        assert!(check_value(&value(0, u64::MAX, "x")).is_err());
        assert!(check_title(" ").is_err());
        assert!(share_of(-1, 2).is_err());
        assert_eq!(
            value_audit_object("school_500", &value(3, 4, "x")),
            "school_500, регион, 2026-03-01: 3 из 4"
        );
    }
}
