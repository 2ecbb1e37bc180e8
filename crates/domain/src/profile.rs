//! A teacher's profile and level (`rules.md`, «A teacher's profile and
//! level»): for each bank, the latest completed diagnostic taken in the
//! last 12 months; the level is the most severe of their overall levels.

use chrono::{Months, NaiveDate};

use crate::Level;

/// What the rules need to know of one completed diagnostic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taken<'a> {
    pub bank: &'a str,
    pub taken_on: NaiveDate,
    /// Breaks ties between two diagnostics of one bank on one day: the one
    /// recorded later wins.
    pub order: i64,
    pub level: Level,
}

/// The indices (into `taken`) of the current diagnostic per bank, in the
/// order of `taken`.
pub fn current(taken: &[Taken<'_>], today: NaiveDate) -> Vec<usize> {
    let since = today
        .checked_sub_months(Months::new(12))
        .unwrap_or(NaiveDate::MIN);
    let mut best: Vec<usize> = Vec::new();
    for (i, t) in taken.iter().enumerate() {
        if t.taken_on <= since || t.taken_on > today {
            continue;
        }
        match best.iter().position(|&j| taken[j].bank == t.bank) {
            Some(k) => {
                let b = &taken[best[k]];
                if (t.taken_on, t.order) > (b.taken_on, b.order) {
                    best[k] = i;
                }
            }
            None => best.push(i),
        }
    }
    best.sort_unstable();
    best
}

/// The teacher's level: the most severe overall level among the current
/// diagnostics; `None` without one.
pub fn level(taken: &[Taken<'_>], today: NaiveDate) -> Option<Level> {
    current(taken, today)
        .into_iter()
        .map(|i| taken[i].level)
        .max()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn latest_per_bank_within_twelve_months() {
        let today = d(2026, 11, 22);
        let taken = [
            Taken {
                bank: "a",
                taken_on: d(2025, 11, 10),
                order: 1,
                level: Level::Critical,
            },
            Taken {
                bank: "a",
                taken_on: d(2026, 10, 1),
                order: 2,
                level: Level::Reduced,
            },
            Taken {
                bank: "b",
                taken_on: d(2026, 3, 1),
                order: 3,
                level: Level::High,
            },
            Taken {
                bank: "c",
                taken_on: d(2025, 11, 22),
                order: 4,
                level: Level::Critical,
            },
        ];
        assert_eq!(current(&taken, today), vec![1, 2]);
        assert_eq!(level(&taken, today), Some(Level::High));
        // A year later nothing is current.
        assert_eq!(level(&taken, d(2027, 10, 2)), None);
    }

    #[test]
    fn same_day_the_later_record_wins() {
        let today = d(2026, 11, 22);
        let taken = [
            Taken {
                bank: "a",
                taken_on: d(2026, 11, 1),
                order: 5,
                level: Level::None,
            },
            Taken {
                bank: "a",
                taken_on: d(2026, 11, 1),
                order: 7,
                level: Level::High,
            },
        ];
        assert_eq!(current(&taken, today), vec![1]);
    }
}
