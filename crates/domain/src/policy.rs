//! The region's policy for routes (`rules.md`, «Routes (ИОМ)» and the level
//! names): data with the defaults of `rules.md`, which a ЦНППМ methodist can
//! change. Stored as JSON in the settings; a field missing from a stored
//! value takes its default, so adding a field never breaks an old setting.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::Level;
use crate::ids::ParseError;

/// The settings key the route policy is stored under.
pub const ROUTE_POLICY_KEY: &str = "policy.routes";
/// The settings key the level names are stored under.
pub const LEVEL_NAMES_KEY: &str = "policy.level_names";

/// A day of the year, as the period's ends are written (`01-01`, `05-31`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MonthDay {
    pub month: u32,
    pub day: u32,
}

impl MonthDay {
    pub fn parse(value: &str) -> Result<Self, ParseError> {
        let bad = || ParseError(format!("«{value}»: ожидается ММ-ДД, например 05-31"));
        let (m, d) = value.trim().split_once('-').ok_or_else(bad)?;
        let (month, day): (u32, u32) =
            (m.parse().map_err(|_| bad())?, d.parse().map_err(|_| bad())?);
        // 2024 is a leap year: 02-29 is a valid day of the year.
        NaiveDate::from_ymd_opt(2024, month, day).ok_or_else(bad)?;
        Ok(MonthDay { month, day })
    }

    /// This day in `year`; 02-29 falls back to 02-28 in other years.
    pub fn in_year(self, year: i32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, self.month, self.day)
            .or_else(|| NaiveDate::from_ymd_opt(year, self.month, self.day - 1))
            .expect("a valid day of the year")
    }
}

impl TryFrom<String> for MonthDay {
    type Error = ParseError;
    fn try_from(v: String) -> Result<Self, ParseError> {
        Self::parse(&v)
    }
}

impl From<MonthDay> for String {
    fn from(v: MonthDay) -> String {
        format!("{:02}-{:02}", v.month, v.day)
    }
}

/// A route's period: both days included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// What `rules.md` says about routes, as values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RoutePolicy {
    /// Teachers at these levels get a route (others on request).
    pub route_levels: BTreeSet<Level>,
    /// Deficits at these levels are mandatory steps.
    pub mandatory_levels: BTreeSet<Level>,
    /// Add recommended steps for `reduced` deficits when the budget allows.
    pub recommend_reduced: bool,
    /// The period: the first [start, end] that ends after today.
    pub period_start: MonthDay,
    pub period_end: MonthDay,
    /// At most this many hours of activities (mentoring not counted).
    pub budget_hours: u32,
    /// A teacher at `critical` gets a course of at least this many hours on a
    /// competence at their most severe level, when one fits.
    pub critical_course_hours: u32,
    /// A teacher at `critical` gets a mentoring step.
    pub critical_mentoring: bool,
    /// Fit rule: an entry with subjects fits only a teacher who teaches
    /// one of them.
    pub fit_subjects: bool,
    /// Fit rule: an in-person entry fits only teachers of its municipality
    /// (a regional one, everyone); remote and blended fit everyone.
    pub fit_place: bool,
    /// Choice: remote and blended formats first for rural schools.
    pub prefer_remote_rural: bool,
}

impl Default for RoutePolicy {
    fn default() -> Self {
        RoutePolicy {
            route_levels: [Level::High, Level::Critical].into(),
            mandatory_levels: [Level::High, Level::Critical].into(),
            recommend_reduced: true,
            period_start: MonthDay { month: 1, day: 1 },
            period_end: MonthDay { month: 5, day: 31 },
            budget_hours: 144,
            critical_course_hours: 36,
            critical_mentoring: true,
            fit_subjects: true,
            fit_place: true,
            prefer_remote_rural: true,
        }
    }
}

impl RoutePolicy {
    /// The first period that ends after `today` (a period may span the New
    /// Year when its start day comes after its end day).
    pub fn period(&self, today: NaiveDate) -> Period {
        for year in [today.year(), today.year() + 1] {
            let to = self.period_end.in_year(year);
            if to > today {
                let from = if self.period_start <= self.period_end {
                    self.period_start.in_year(year)
                } else {
                    self.period_start.in_year(year - 1)
                };
                return Period { from, to };
            }
        }
        unreachable!("a day of next year always ends after today")
    }

    /// Checks the values make sense; the message names the setting.
    pub fn check(&self) -> Result<(), ParseError> {
        if self.budget_hours == 0 {
            return Err(ParseError("Бюджет часов должен быть больше нуля".into()));
        }
        if self.route_levels.contains(&Level::None) || self.mandatory_levels.contains(&Level::None)
        {
            return Err(ParseError(
                "Уровень «дефицитов нет» не может требовать маршрута".into(),
            ));
        }
        if self.period_start == self.period_end {
            return Err(ParseError(
                "Начало и конец периода не могут совпадать".into(),
            ));
        }
        Ok(())
    }
}

/// The Russian display names of the levels (regions word them differently).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LevelNames {
    pub critical: String,
    pub high: String,
    pub reduced: String,
    pub none: String,
}

impl Default for LevelNames {
    fn default() -> Self {
        LevelNames {
            critical: Level::Critical.default_title().into(),
            high: Level::High.default_title().into(),
            reduced: Level::Reduced.default_title().into(),
            none: Level::None.default_title().into(),
        }
    }
}

impl LevelNames {
    pub fn name(&self, level: Level) -> &str {
        match level {
            Level::Critical => &self.critical,
            Level::High => &self.high,
            Level::Reduced => &self.reduced,
            Level::None => &self.none,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn default_period_is_the_next_january_to_may() {
        let p = RoutePolicy::default();
        assert_eq!(
            p.period(d(2026, 12, 3)),
            Period {
                from: d(2027, 1, 1),
                to: d(2027, 5, 31)
            }
        );
        // Inside the period: this year's.
        assert_eq!(p.period(d(2027, 3, 1)).to, d(2027, 5, 31));
        // On its last day it no longer ends after today.
        assert_eq!(p.period(d(2027, 5, 31)).to, d(2028, 5, 31));
    }

    #[test]
    fn a_period_can_span_the_new_year() {
        let p = RoutePolicy {
            period_start: MonthDay::parse("09-01").unwrap(),
            period_end: MonthDay::parse("05-31").unwrap(),
            ..RoutePolicy::default()
        };
        assert_eq!(
            p.period(d(2026, 12, 3)),
            Period {
                from: d(2026, 9, 1),
                to: d(2027, 5, 31)
            }
        );
    }

    #[test]
    fn stored_values_keep_defaults_for_missing_fields() {
        let p: RoutePolicy = serde_json::from_str(r#"{"budget_hours": 72}"#).unwrap();
        assert_eq!(p.budget_hours, 72);
        assert_eq!(p.critical_course_hours, 36);
        assert!(MonthDay::parse("02-30").is_err());
        assert!(MonthDay::parse("5/31").is_err());
        let names: LevelNames = serde_json::from_str(r#"{"none": "нет"}"#).unwrap();
        assert_eq!(names.name(Level::None), "нет");
        assert_eq!(names.name(Level::Critical), "критический");
    }
}
