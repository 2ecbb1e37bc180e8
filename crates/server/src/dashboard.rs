//! The indicators' dashboards (region → municipality → school) and their
//! daily snapshots.
//!
//! A dashboard's figures are counted from the stored facts on every view
//! ([`crate::indicators::tallies`], aggregated in the database). The daily
//! snapshots are a record of what was counted on each day, kept only for
//! the trend and the forecast (`domain::trend`); nothing live is read from
//! them.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use chrono_tz::Tz;
use domain::indicators::{
    Indicator, Percent, Share, Target, Where, school_year, state_date, target_for,
};
use domain::trend::{Forecast, Light, Point, Standing, forecast, shortfall};
use domain::{MunicipalityCode, Period, SchoolCode};
use store::{IndicatorTally, SnapshotRow, Store};

use crate::auth::now_millis;
use crate::error::Failure;
use crate::indicators::{sum, tallies};

// ---- snapshots -----------------------------------------------------------

/// The snapshot rows of one day: the school year containing `day`, counted
/// as of `day`, for the region, every municipality and every school.
pub fn snapshot_rows(
    tallies: &[IndicatorTally],
    day: NaiveDate,
    period: Period,
) -> Vec<SnapshotRow> {
    let mut by_scope: BTreeMap<(u8, String, Indicator), Share> = BTreeMap::new();
    for t in tallies {
        let mut add = |key: (u8, String, Indicator)| {
            let s = by_scope.entry(key).or_default();
            s.numerator += t.share.numerator;
            s.denominator += t.share.denominator;
        };
        add((0, String::new(), t.indicator));
        if let Some(m) = &t.municipality {
            add((1, m.as_str().to_string(), t.indicator));
        }
        if let Some(s) = &t.school {
            add((2, s.as_str().to_string(), t.indicator));
        }
    }
    by_scope
        .into_iter()
        .map(|((level, code, indicator), share)| SnapshotRow {
            day,
            at: match level {
                0 => Where::Region,
                1 => Where::Municipality(MunicipalityCode::parse(&code).expect("a stored code")),
                _ => Where::School(SchoolCode::parse(&code).expect("a stored code")),
            },
            indicator,
            share,
            period_from: period.from,
        })
        .collect()
}

/// Takes the snapshot of `day` (the school year containing it, counted as
/// of that day) unless it is already stored. Returns the rows written.
pub async fn take_snapshot(store: &dyn Store, day: NaiveDate, tz: Tz) -> Result<u64, Failure> {
    if store.snapshot_days(day, day).await?.contains(&day) {
        return Ok(0);
    }
    let period = school_year(day);
    let t = tallies(store, &Where::Region, period, day, tz).await?;
    Ok(store
        .save_snapshots(&snapshot_rows(&t, day, period), now_millis())
        .await?)
}

/// Takes every missing snapshot from `from` to `to`, calling `progress`
/// after each day. Past days are counted as of that day from the stored
/// facts, so a backfilled history says what the facts said then.
pub async fn backfill(
    store: &dyn Store,
    from: NaiveDate,
    to: NaiveDate,
    tz: Tz,
    mut progress: impl FnMut(NaiveDate),
) -> Result<u64, Failure> {
    let have = store.snapshot_days(from, to).await?;
    let mut written = 0;
    for day in from.iter_days().take_while(|d| *d <= to) {
        if !have.contains(&day) {
            written += take_snapshot(store, day, tz).await?;
        }
        progress(day);
    }
    Ok(written)
}

/// Takes today's snapshot whenever it is missing, until the process ends.
/// Several servers on one database may all run this: the first to store a
/// day's snapshot wins and the others write nothing.
pub async fn run_snapshots(store: Arc<dyn Store>, tz: Tz, every: Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let today = chrono::Utc::now().with_timezone(&tz).date_naive();
        match take_snapshot(store.as_ref(), today, tz).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(rows = n, day = %today, "indicator snapshot taken"),
            Err(e) => tracing::error!(cause = ?e, "taking the indicator snapshot failed"),
        }
    }
}

// ---- a dashboard's figures ---------------------------------------------------

/// One indicator of a dashboard: today's share against its target, the
/// daily history and the forecast.
#[derive(Debug, Clone)]
pub struct Figure {
    pub indicator: Indicator,
    pub share: Share,
    pub target: Option<Target>,
    pub forecast: Forecast,
    /// The snapshots of the period, then today's live value.
    pub history: Vec<Point>,
}

impl Figure {
    pub fn light(&self) -> Light {
        self.forecast.light()
    }

    /// How many more members would meet the target.
    pub fn shortfall(&self) -> Option<u64> {
        self.target
            .as_ref()
            .and_then(|t| shortfall(self.share, t.threshold))
    }

    /// Where today's share stands against the target.
    pub fn standing(&self) -> Standing {
        Standing::of(self.share, self.target.as_ref().map(|t| t.threshold))
    }
}

/// One part of a scope (a municipality of the region, a school of a
/// municipality) with its share of every indicator.
#[derive(Debug, Clone)]
pub struct Part {
    pub at: Where,
    pub shares: Vec<(Indicator, Share, Option<Percent>)>,
}

impl Part {
    pub fn get(&self, indicator: Indicator) -> (Share, Option<Percent>) {
        self.shares
            .iter()
            .find(|(i, ..)| *i == indicator)
            .map(|(_, s, t)| (*s, *t))
            .unwrap_or_default()
    }
}

/// Everything a dashboard of `at` shows, counted now.
#[derive(Debug, Clone)]
pub struct Board {
    pub at: Where,
    pub period: Period,
    pub today: NaiveDate,
    pub figures: Vec<Figure>,
    /// Municipalities (region), schools (municipality); empty for a school.
    pub parts: Vec<Part>,
}

impl Board {
    pub fn as_of(&self) -> NaiveDate {
        state_date(self.period, self.today)
    }
}

/// Counts the dashboard of `at` over `period`. `school_municipality` is
/// the municipality of a school scope (for its targets).
pub async fn board(
    store: &dyn Store,
    at: &Where,
    school_municipality: Option<&MunicipalityCode>,
    period: Period,
    today: NaiveDate,
    tz: Tz,
) -> Result<Board, Failure> {
    let tallies = tallies(store, at, period, today, tz).await?;
    let targets = crate::indicators::targets(store, period).await?;
    let as_of = state_date(period, today);
    let snapshots = store.snapshots(at, period.from, as_of).await?;
    let mut figures = Vec::new();
    for indicator in Indicator::ALL {
        let share = sum(&tallies, indicator, |_| true);
        let target = target_for(&targets, indicator, at, school_municipality).cloned();
        let mut history: Vec<Point> = snapshots
            .iter()
            .filter(|s| s.indicator == indicator && s.period_from == period.from && s.day < as_of)
            .map(|s| Point {
                day: s.day,
                share: s.share,
            })
            .collect();
        let forecast = forecast(
            &history,
            share,
            as_of,
            target.as_ref().map(|t| t.threshold),
            target.as_ref().and_then(|t| t.due_on),
        );
        history.push(Point { day: as_of, share });
        figures.push(Figure {
            indicator,
            share,
            target,
            forecast,
            history,
        });
    }
    let parts = match at {
        Where::Region => parts_by(&tallies, &targets, |t| {
            t.municipality.clone().map(Where::Municipality)
        }),
        Where::Municipality(_) => {
            parts_by(&tallies, &targets, |t| t.school.clone().map(Where::School))
        }
        Where::School(_) => Vec::new(),
    };
    Ok(Board {
        at: at.clone(),
        period,
        today,
        figures,
        parts,
    })
}

/// The tallies summed per part (`key` names a tally's part), each share
/// with the threshold of the target that applies to the part.
fn parts_by(
    tallies: &[IndicatorTally],
    targets: &[Target],
    key: impl Fn(&IndicatorTally) -> Option<Where>,
) -> Vec<Part> {
    let mut shares: HashMap<Where, HashMap<Indicator, Share>> = HashMap::new();
    let mut municipality_of: HashMap<Where, MunicipalityCode> = HashMap::new();
    for t in tallies {
        let Some(part) = key(t) else { continue };
        if let Some(m) = &t.municipality {
            municipality_of.insert(part.clone(), m.clone());
        }
        let s = shares
            .entry(part)
            .or_default()
            .entry(t.indicator)
            .or_default();
        s.numerator += t.share.numerator;
        s.denominator += t.share.denominator;
    }
    let mut parts: Vec<Part> = shares
        .into_iter()
        .map(|(at, by)| {
            let m = municipality_of.get(&at);
            Part {
                shares: Indicator::ALL
                    .iter()
                    .map(|&i| {
                        let threshold = target_for(targets, i, &at, m).map(|t| t.threshold);
                        (i, by.get(&i).copied().unwrap_or_default(), threshold)
                    })
                    .collect(),
                at,
            }
        })
        .collect();
    parts.sort_by(|a, b| a.at.code().cmp(&b.at.code()));
    parts
}

/// The parts that hold `indicator` back: those whose share misses the
/// target that applies to them, the largest shortfall first (then the
/// lowest percent, then the code).
pub fn holding_back(parts: &[Part], indicator: Indicator) -> Vec<(&Part, Share, u64)> {
    let mut out: Vec<(&Part, Share, u64)> = parts
        .iter()
        .filter_map(|p| {
            let (share, threshold) = p.get(indicator);
            let gap = shortfall(share, threshold?)?;
            (gap > 0).then_some((p, share, gap))
        })
        .collect();
    out.sort_by(|a, b| {
        b.2.cmp(&a.2)
            .then_with(|| a.1.exact().cmp(&b.1.exact()))
            .then_with(|| a.0.at.code().cmp(&b.0.at.code()))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mc(c: &str) -> MunicipalityCode {
        MunicipalityCode::parse(c).unwrap()
    }

    fn sc(c: &str) -> SchoolCode {
        SchoolCode::parse(c).unwrap()
    }

    fn tally(i: Indicator, s: &str, m: &str, n: u64, d: u64) -> IndicatorTally {
        IndicatorTally {
            indicator: i,
            school: Some(sc(s)),
            municipality: Some(mc(m)),
            share: Share {
                numerator: n,
                denominator: d,
            },
        }
    }

    #[test]
    fn snapshot_rows_sum_schools_into_municipalities_and_the_region() {
        let day = NaiveDate::from_ymd_opt(2025, 10, 1).unwrap();
        let period = school_year(day);
        let t = vec![
            tally(Indicator::RouteCompletion, "s1", "m1", 1, 2),
            tally(Indicator::RouteCompletion, "s2", "m1", 2, 2),
            tally(Indicator::RouteCompletion, "s3", "m2", 0, 3),
            IndicatorTally {
                indicator: Indicator::RouteCompletion,
                school: None,
                municipality: None,
                share: Share {
                    numerator: 1,
                    denominator: 1,
                },
            },
        ];
        let rows = snapshot_rows(&t, day, period);
        let find = |at: Where| rows.iter().find(|r| r.at == at).unwrap().share;
        assert_eq!(
            find(Where::Region),
            Share {
                numerator: 4,
                denominator: 8
            }
        );
        assert_eq!(
            find(Where::Municipality(mc("m1"))),
            Share {
                numerator: 3,
                denominator: 4
            }
        );
        assert_eq!(
            find(Where::School(sc("s3"))),
            Share {
                numerator: 0,
                denominator: 3
            }
        );
        assert_eq!(rows.len(), 1 + 2 + 3);
        assert!(rows.iter().all(|r| r.period_from == period.from));
    }

    #[test]
    fn parts_behind_come_largest_shortfall_first_against_their_own_target() {
        let t = vec![
            tally(Indicator::RouteCompletion, "s1", "m1", 1, 4),
            tally(Indicator::RouteCompletion, "s2", "m2", 5, 10),
            tally(Indicator::RouteCompletion, "s3", "m3", 3, 4),
        ];
        let target = |at, p: &str| Target {
            indicator: Indicator::RouteCompletion,
            threshold: Percent::parse(p).unwrap(),
            at,
            due_on: None,
        };
        let targets = vec![
            target(Where::Region, "75"),
            target(Where::Municipality(mc("m2")), "50"),
        ];
        let parts = parts_by(&t, &targets, |t| {
            t.municipality.clone().map(Where::Municipality)
        });
        let behind = holding_back(&parts, Indicator::RouteCompletion);
        // m1 misses 75 % by 2; m2 meets its own 50 %; m3 meets 75 %.
        assert_eq!(behind.len(), 1);
        assert_eq!(behind[0].0.at, Where::Municipality(mc("m1")));
        assert_eq!(behind[0].2, 2);
        assert_eq!(
            Standing::of(behind[0].1, Some(Percent::parse("75").unwrap())).light(),
            Light::Red
        );
    }
}
