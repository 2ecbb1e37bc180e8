//! What the database counts for the indicators (`domain::indicators`
//! defines each): per school and indicator, the denominator and the
//! numerator, and for one school the members themselves.
//!
//! The aggregates run in the database so that a region of 150,000 teachers
//! is counted without reading it into memory; a server test holds them to
//! the domain's definitions (`domain::indicators::compute` and `members`).

use chrono::{Days, LocalResult, Months, NaiveDate, NaiveTime, TimeZone};
use domain::indicators::{Indicator, Share, state_date};
use domain::matching::MatchPolicy;
use domain::{MunicipalityCode, Period, SchoolCode};

use crate::Millis;

/// One school's share of one indicator (for `mentor_school_coverage`, the
/// school itself, 0 or 1 of 0 or 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndicatorTally {
    pub indicator: Indicator,
    /// `None`: the teachers without a school (they count region-wide only).
    pub school: Option<SchoolCode>,
    /// The school's municipality; `None` with `school`.
    pub municipality: Option<MunicipalityCode>,
    pub share: Share,
}

/// One member of an indicator's denominator: a teacher's login (a school's
/// code for `mentor_school_coverage`) and whether it is in the numerator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndicatorMember {
    pub indicator: Indicator,
    pub id: String,
    pub counted: bool,
}

/// One day's figure of one indicator in one scope (a daily snapshot, kept
/// for the trend and the forecast).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotRow {
    pub day: chrono::NaiveDate,
    pub at: domain::indicators::Where,
    pub indicator: Indicator,
    pub share: Share,
    /// The first day of the period counted (the school year).
    pub period_from: chrono::NaiveDate,
}

/// Everything a backend needs to count the indicators over `period`, every
/// bound computed here so that the SQL compares stored values with bound
/// parameters only: no time-zone, month or day arithmetic in the database.
///
/// Stored days (`taken_on`, `period_to`, `completed_on`, `hired_on`) are
/// compared with the days; stored instants (a route's `approved_at` and
/// `completed_at`, a step's `reviewed_at`, an assignment's `started_at` and
/// `ended_at`) with the instants, which are the first millisecond of a day
/// in the region's zone. An instant falls on a day `≤ D` exactly when it is
/// before the start of `D + 1`, which is how the server's facts read them
/// (the day of an instant in the region's zone).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IndicatorQuery {
    pub period: Period,
    /// The day states are taken on: `min(period.to, today)`
    /// ([`domain::indicators::state_date`]).
    pub state_date: NaiveDate,
    /// Diagnostics taken after this day and on or before the state date
    /// are current (`rules.md`: the 12 months before the state date): the
    /// state date − 12 months.
    pub level_after: NaiveDate,
    /// Young: experience under this many years (`MatchPolicy::default()`).
    pub young_under_years: f64,
    /// Newly hired: hired on this day or later, and not after the state date
    /// (the state date − `MatchPolicy::default().newly_hired_days`).
    pub hired_since: NaiveDate,
    /// The first instant of `period.from`.
    pub period_start: Millis,
    /// The first instant after `period.to` (the start of the next day).
    pub period_end: Millis,
    /// The first instant after the state date (the start of the next day).
    pub state_end: Millis,
}

impl IndicatorQuery {
    /// The query for `period` as of `today`, the region's days in `tz`.
    pub fn new<Z: TimeZone>(period: Period, today: NaiveDate, tz: &Z) -> IndicatorQuery {
        let d = state_date(period, today);
        let policy = MatchPolicy::default();
        IndicatorQuery {
            period,
            state_date: d,
            // As `domain::profile::current` reads the window.
            level_after: d
                .checked_sub_months(Months::new(12))
                .unwrap_or(NaiveDate::MIN),
            young_under_years: f64::from(policy.young_under_years),
            // `is_newly_hired`: (d − hired_on) in days ≤ newly_hired_days.
            hired_since: d
                .checked_sub_days(Days::new(u64::from(policy.newly_hired_days)))
                .unwrap_or(NaiveDate::MIN),
            period_start: start_of_day(period.from, tz),
            period_end: start_of_next_day(period.to, tz),
            state_end: start_of_next_day(d, tz),
        }
    }
}

/// The first instant of `day` in `tz`, in milliseconds. Where a zone skips
/// midnight (a clock change at 00:00), the day starts at the first local
/// time that exists.
pub fn start_of_day<Z: TimeZone>(day: NaiveDate, tz: &Z) -> Millis {
    let mut local = day.and_time(NaiveTime::MIN);
    // Gaps last an hour or so; a whole day of minutes bounds the search.
    for _ in 0..24 * 60 {
        match tz.from_local_datetime(&local) {
            LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => return t.timestamp_millis(),
            LocalResult::None => local += chrono::Duration::minutes(1),
        }
    }
    // No zone has a day without a single valid minute; read it as UTC.
    day.and_time(NaiveTime::MIN).and_utc().timestamp_millis()
}

/// The first instant after `day` in `tz` (the start of the next day; the
/// end of time for the last representable day).
fn start_of_next_day<Z: TimeZone>(day: NaiveDate, tz: &Z) -> Millis {
    day.succ_opt()
        .map_or(Millis::MAX, |next| start_of_day(next, tz))
}

/// The indicators counted per teacher, in the order of [`Indicator::ALL`]:
/// every one but `mentor_school_coverage`, which counts schools. A backend
/// names its per-teacher columns after them ([`den_column`],
/// [`num_column`]).
pub const TEACHER_INDICATORS: [Indicator; 6] = [
    Indicator::DiagnosticsCoverage,
    Indicator::RouteAssigned,
    Indicator::RouteCompletion,
    Indicator::TrainingCoverage,
    Indicator::MethodistCoverage,
    Indicator::Growth,
];

/// The column of a backend's answer holding the indicator's denominator
/// (`growth_den`): a count per school, or 0/1 per teacher.
pub fn den_column(indicator: Indicator) -> String {
    format!("{}_den", indicator.as_str())
}

/// The column holding the indicator's numerator (`growth_num`).
pub fn num_column(indicator: Indicator) -> String {
    format!("{}_num", indicator.as_str())
}

/// A count the database gave, which is never negative.
pub fn count_of(what: &str, value: i64) -> crate::Result<u64> {
    u64::try_from(value)
        .map_err(|_| crate::StoreError::Other(format!("negative count of {what}: {value}")))
}

/// Puts tallies in their documented order: by indicator (the order of
/// [`Indicator::ALL`]), then by school code, the school-less row first.
pub fn sort_tallies(tallies: &mut [IndicatorTally]) {
    tallies.sort_by(|a, b| {
        (a.indicator, a.school.as_ref().map(SchoolCode::as_str))
            .cmp(&(b.indicator, b.school.as_ref().map(SchoolCode::as_str)))
    });
}

/// Puts members in their documented order: by indicator, then by id
/// (code-point order).
pub fn sort_members(members: &mut [IndicatorMember]) {
    members.sort_by(|a, b| (a.indicator, &a.id).cmp(&(b.indicator, &b.id)));
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{FixedOffset, Utc};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn ms(y: i32, m: u32, day: u32, h: u32) -> Millis {
        d(y, m, day)
            .and_hms_opt(h, 0, 0)
            .unwrap()
            .and_utc()
            .timestamp_millis()
    }

    #[test]
    fn bounds_are_the_region_days() {
        let year = Period {
            from: d(2025, 9, 1),
            to: d(2026, 8, 31),
        };
        let moscow = FixedOffset::east_opt(3 * 3600).unwrap();
        let q = IndicatorQuery::new(year, d(2026, 3, 15), &moscow);
        assert_eq!(q.state_date, d(2026, 3, 15));
        assert_eq!(q.level_after, d(2025, 3, 15));
        assert_eq!(q.young_under_years, 3.0);
        assert_eq!(q.hired_since, d(2025, 3, 15), "365 days before");
        // Midnight in Moscow is 21:00 UTC the day before.
        assert_eq!(q.period_start, ms(2025, 8, 31, 21));
        assert_eq!(q.period_end, ms(2026, 8, 31, 21));
        assert_eq!(q.state_end, ms(2026, 3, 15, 21));

        // The period's end before today: the state is taken on its last day.
        let q = IndicatorQuery::new(year, d(2027, 1, 1), &Utc);
        assert_eq!(q.state_date, d(2026, 8, 31));
        assert_eq!(q.state_end, ms(2026, 9, 1, 0));
        // Month arithmetic clamps as `profile::current` does.
        let q = IndicatorQuery::new(
            Period {
                from: d(2024, 1, 1),
                to: d(2024, 2, 29),
            },
            d(2025, 1, 1),
            &Utc,
        );
        assert_eq!(q.level_after, d(2023, 2, 28));
    }
}
