//! Where an indicator stands against its target and where it is heading:
//! the traffic light, the shortfall (how many more would meet the target)
//! and the forecast from the daily snapshots.
//!
//! The forecast is deliberately simple, because a methodist must be able to
//! say why it says what it says: the pace is the least-squares slope of the
//! percent per day over the snapshots of the last [`PACE_WINDOW_DAYS`] days
//! (today's live value included), and the projection continues that line to
//! the target's deadline.

use chrono::NaiveDate;

use crate::indicators::{Percent, Share};

/// How far back the pace is measured.
pub const PACE_WINDOW_DAYS: i64 = 60;

/// The fewest days of history a pace is measured over.
pub const MIN_PACE_SPAN_DAYS: i64 = 7;

/// One day's value of a share (a daily snapshot, or today's live value).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Point {
    pub day: NaiveDate,
    pub share: Share,
}

/// The traffic light of an indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Light {
    /// The target is met.
    Green,
    /// Not met yet, but on track (or too little history to tell).
    Yellow,
    /// Not met and, at the current pace, will not be by the deadline (or
    /// the deadline has passed).
    Red,
    /// No target, or nobody to count.
    Grey,
}

impl Light {
    pub fn as_str(self) -> &'static str {
        match self {
            Light::Green => "green",
            Light::Yellow => "yellow",
            Light::Red => "red",
            Light::Grey => "grey",
        }
    }
}

/// Where a share stands against its target today: no one to count, no
/// target, met, or short by so many (exact, [`shortfall`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    NoData,
    NoTarget,
    Met,
    Short(u64),
}

impl Standing {
    /// A zero denominator is «нет данных» whether or not a target is set.
    pub fn of(share: Share, threshold: Option<Percent>) -> Standing {
        if share.denominator == 0 {
            return Standing::NoData;
        }
        match threshold.map(|t| shortfall(share, t)) {
            None => Standing::NoTarget,
            Some(Some(0)) => Standing::Met,
            Some(Some(n)) => Standing::Short(n),
            Some(None) => Standing::NoData,
        }
    }

    /// The light of a figure without a forecast (a part of a scope, an
    /// entered value): met green, short red, otherwise grey.
    pub fn light(self) -> Light {
        match self {
            Standing::Met => Light::Green,
            Standing::Short(_) => Light::Red,
            Standing::NoData | Standing::NoTarget => Light::Grey,
        }
    }
}

/// The forecast of one indicator against its target.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Forecast {
    /// The target is met today.
    Met,
    /// Not met; at the current pace the projected percent at the deadline
    /// reaches the threshold.
    OnTrack { projected: f64 },
    /// Not met; at the current pace it will not be by the deadline.
    AtRisk { projected: f64 },
    /// The deadline has passed without the target met.
    Missed,
    /// Not met, and the history is too short to measure a pace.
    TooLittleHistory,
    /// No target, or a zero denominator.
    NoTarget,
}

impl Forecast {
    pub fn light(self) -> Light {
        match self {
            Forecast::Met => Light::Green,
            Forecast::OnTrack { .. } | Forecast::TooLittleHistory => Light::Yellow,
            Forecast::AtRisk { .. } | Forecast::Missed => Light::Red,
            Forecast::NoTarget => Light::Grey,
        }
    }
}

/// The forecast for `now` (today's live value) against `threshold` due on
/// `due_on` (`None`: no deadline — then only met or not), given the daily
/// snapshots `history` (any order; days after `today` are ignored).
pub fn forecast(
    history: &[Point],
    now: Share,
    today: NaiveDate,
    threshold: Option<Percent>,
    due_on: Option<NaiveDate>,
) -> Forecast {
    let Some(threshold) = threshold else {
        return Forecast::NoTarget;
    };
    match now.meets(threshold) {
        None => return Forecast::NoTarget,
        Some(true) => return Forecast::Met,
        Some(false) => {}
    }
    let Some(due) = due_on else {
        return Forecast::TooLittleHistory;
    };
    if due < today {
        return Forecast::Missed;
    }
    let Some(slope) = pace(history, now, today) else {
        return Forecast::TooLittleHistory;
    };
    let current = percent_f64(now).unwrap_or(0.0);
    let days_left = (due - today).num_days() as f64;
    let projected = (current + slope * days_left).clamp(0.0, 100.0);
    if projected + 1e-9 >= threshold.as_f64() {
        Forecast::OnTrack { projected }
    } else {
        Forecast::AtRisk { projected }
    }
}

/// The percent points gained per day over the last [`PACE_WINDOW_DAYS`]:
/// the least-squares slope through the snapshots with a denominator and
/// today's value. `None` when they span fewer than
/// [`MIN_PACE_SPAN_DAYS`] days.
pub fn pace(history: &[Point], now: Share, today: NaiveDate) -> Option<f64> {
    let since = today - chrono::Duration::days(PACE_WINDOW_DAYS);
    let mut points: Vec<(f64, f64)> = history
        .iter()
        .filter(|p| p.day >= since && p.day < today)
        .filter_map(|p| percent_f64(p.share).map(|v| ((p.day - today).num_days() as f64, v)))
        .collect();
    points.push((0.0, percent_f64(now)?));
    let first = points.iter().map(|p| p.0).fold(f64::INFINITY, f64::min);
    if -first < MIN_PACE_SPAN_DAYS as f64 {
        return None;
    }
    let n = points.len() as f64;
    let mean_x = points.iter().map(|p| p.0).sum::<f64>() / n;
    let mean_y = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| (p.0 - mean_x).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| (p.0 - mean_x) * (p.1 - mean_y)).sum();
    (sxx > 0.0).then(|| sxy / sxx)
}

fn percent_f64(share: Share) -> Option<f64> {
    (share.denominator > 0).then(|| 100.0 * share.numerator as f64 / share.denominator as f64)
}

/// How many more members must be counted for `share` to meet `threshold`
/// (0 when it does; `None` for a zero denominator). Exact: the least `k`
/// with 100·(n + k) ≥ threshold·d.
pub fn shortfall(share: Share, threshold: Percent) -> Option<u64> {
    if share.denominator == 0 {
        return None;
    }
    let t = threshold.value();
    // threshold·d / 100 = p·d / (100·q), rounded up.
    let need_num = t.numer() * i128::from(share.denominator);
    let need_den = 100 * t.denom();
    let need = (need_num + need_den - 1) / need_den;
    let have = i128::from(share.numerator);
    Some(u64::try_from((need - have).max(0)).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn share(numerator: u64, denominator: u64) -> Share {
        Share {
            numerator,
            denominator,
        }
    }

    fn pct(text: &str) -> Percent {
        Percent::parse(text).unwrap()
    }

    #[test]
    fn met_today_is_green_whatever_the_history() {
        let f = forecast(&[], share(3, 4), d(2026, 3, 1), Some(pct("75")), None);
        assert_eq!(f, Forecast::Met);
        assert_eq!(f.light(), Light::Green);
    }

    #[test]
    fn no_target_or_nobody_to_count_is_grey() {
        let today = d(2026, 3, 1);
        assert_eq!(
            forecast(&[], share(1, 4), today, None, None),
            Forecast::NoTarget
        );
        assert_eq!(
            forecast(&[], share(0, 0), today, Some(pct("50")), Some(today)),
            Forecast::NoTarget
        );
    }

    #[test]
    fn a_steady_climb_that_reaches_the_target_by_the_deadline_is_on_track() {
        let today = d(2026, 3, 1);
        // 1 point a day for 30 days: 20 % → 50 % today; 30 days left → 80 %.
        let history: Vec<Point> = (1..=30)
            .map(|k| Point {
                day: today - chrono::Duration::days(k),
                share: share(50 - k as u64, 100),
            })
            .collect();
        let due = today + chrono::Duration::days(30);
        match forecast(&history, share(50, 100), today, Some(pct("75")), Some(due)) {
            Forecast::OnTrack { projected } => assert!((projected - 80.0).abs() < 1e-6),
            other => panic!("{other:?}"),
        }
        // The same climb with 20 days left reaches 70 %: at risk.
        let due = today + chrono::Duration::days(20);
        match forecast(&history, share(50, 100), today, Some(pct("75")), Some(due)) {
            Forecast::AtRisk { projected } => assert!((projected - 70.0).abs() < 1e-6),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn history_older_than_the_window_or_too_short_gives_no_pace() {
        let today = d(2026, 3, 1);
        let old = [Point {
            day: today - chrono::Duration::days(PACE_WINDOW_DAYS + 1),
            share: share(0, 10),
        }];
        assert_eq!(pace(&old, share(5, 10), today), None);
        let short = [Point {
            day: today - chrono::Duration::days(MIN_PACE_SPAN_DAYS - 1),
            share: share(0, 10),
        }];
        assert_eq!(pace(&short, share(5, 10), today), None);
        assert_eq!(
            forecast(
                &short,
                share(5, 10),
                today,
                Some(pct("75")),
                Some(d(2026, 8, 31))
            ),
            Forecast::TooLittleHistory
        );
    }

    #[test]
    fn a_passed_deadline_unmet_is_missed_and_red() {
        let f = forecast(
            &[],
            share(1, 4),
            d(2026, 9, 2),
            Some(pct("75")),
            Some(d(2026, 8, 31)),
        );
        assert_eq!(f, Forecast::Missed);
        assert_eq!(f.light(), Light::Red);
    }

    #[test]
    fn a_falling_share_is_at_risk_and_never_projects_below_zero() {
        let today = d(2026, 3, 1);
        let history = [Point {
            day: today - chrono::Duration::days(10),
            share: share(60, 100),
        }];
        match forecast(
            &history,
            share(10, 100),
            today,
            Some(pct("50")),
            Some(d(2026, 8, 31)),
        ) {
            Forecast::AtRisk { projected } => assert_eq!(projected, 0.0),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn standing_puts_no_data_before_no_target() {
        assert_eq!(Standing::of(share(0, 0), None), Standing::NoData);
        assert_eq!(Standing::of(share(0, 0), Some(pct("50"))), Standing::NoData);
        assert_eq!(Standing::of(share(1, 4), None), Standing::NoTarget);
        assert_eq!(Standing::of(share(1, 4), Some(pct("25"))), Standing::Met);
        assert_eq!(
            Standing::of(share(1, 4), Some(pct("75"))),
            Standing::Short(2)
        );
        assert_eq!(Standing::Short(2).light(), Light::Red);
        assert_eq!(Standing::NoTarget.light(), Light::Grey);
    }

    #[test]
    fn shortfall_counts_who_is_missing() {
        assert_eq!(shortfall(share(2, 3), pct("66,7")), Some(1));
        assert_eq!(shortfall(share(2, 3), pct("66")), Some(0));
        assert_eq!(shortfall(share(0, 7), pct("100")), Some(7));
        assert_eq!(shortfall(share(0, 0), pct("50")), None);
        assert_eq!(shortfall(share(1, 5), pct("20")), Some(0));
    }

    proptest! {
        /// Adding the shortfall meets the target; one less does not.
        #[test]
        fn shortfall_is_the_least_that_meets(n in 0u64..500, extra in 0u64..500, tenths in 0u32..=1000) {
            let d = n + extra;
            prop_assume!(d > 0);
            let t = Percent::parse(&format!("{}.{}", tenths / 10, tenths % 10)).unwrap();
            let k = shortfall(share(n, d), t).unwrap();
            // A threshold is at most 100 %, so everyone counted always meets it.
            prop_assert!(n + k <= d);
            prop_assert_eq!(share(n + k, d).meets(t), Some(true));
            if k > 0 {
                prop_assert_eq!(share(n + k - 1, d).meets(t), Some(false));
            }
        }
    }
}
