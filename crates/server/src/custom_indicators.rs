//! Custom indicators (дополнительные показатели) for the pages, the
//! dashboards and the reports: each active indicator's current figure in
//! the region or a municipality, against its threshold.
//!
//! A municipality's figure is its latest entry by (`as_of`, `id`). The
//! region's figure is its own latest entry when the region entered one,
//! else the sum of the municipalities' latest entries, labelled with how
//! many municipalities it covers («сумма по 2 муниципалитетам из 5»): the
//! roadmaps set these targets region-wide, while the facts behind them are
//! known municipality by municipality.

use std::collections::HashMap;

use chrono::NaiveDate;
use domain::indicators::{Percent, Share, Where};
use domain::{MunicipalityCode, Scope};
use store::{CustomIndicatorRow, CustomValueRow, Store};

use crate::error::Failure;

/// One custom indicator's line on a dashboard or in a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomLine {
    pub id: i64,
    pub code: String,
    pub title: String,
    /// 0 of 0 when nothing was entered («нет данных»).
    pub share: Share,
    pub threshold: Option<Percent>,
    pub due_on: Option<NaiveDate>,
    /// The day the figure describes (for a sum, its newest entry's);
    /// `None` when nothing was entered.
    pub as_of: Option<NaiveDate>,
    /// What confirms the figure; `None` for a sum or nothing entered.
    pub evidence: Option<String>,
    /// A region's sum: (municipalities with an entry, municipalities of the
    /// region).
    pub summed: Option<(usize, usize)>,
}

impl CustomLine {
    /// Whether the threshold is reached, decided exactly; `None` without a
    /// threshold or without data.
    pub fn met(&self) -> Option<bool> {
        self.threshold.and_then(|t| self.share.meets(t))
    }
}

/// A scope's current figure of one custom indicator.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Figure {
    pub share: Share,
    pub as_of: Option<NaiveDate>,
    pub evidence: Option<String>,
    pub summed: Option<(usize, usize)>,
}

impl Figure {
    /// A municipality's (or the region's own) latest entry, if any.
    pub fn entered(row: Option<&CustomValueRow>) -> Figure {
        match row {
            Some(r) => Figure {
                share: r.value.share,
                as_of: Some(r.value.as_of),
                evidence: Some(r.value.evidence.clone()),
                summed: None,
            },
            None => Figure::default(),
        }
    }
}

/// The region's figure: its own latest entry if any, else the sum of the
/// municipalities' latest entries (`municipal`, one per municipality) out
/// of `municipalities` in the region. Nothing entered anywhere: no data.
pub fn region_figure(
    own: Option<&CustomValueRow>,
    municipal: &[&CustomValueRow],
    municipalities: usize,
) -> Figure {
    if own.is_some() {
        return Figure::entered(own);
    }
    if municipal.is_empty() {
        return Figure::default();
    }
    let mut share = Share::default();
    for r in municipal {
        share.numerator += r.value.share.numerator;
        share.denominator += r.value.share.denominator;
    }
    Figure {
        share,
        as_of: municipal.iter().map(|r| r.value.as_of).max(),
        evidence: None,
        summed: Some((municipal.len(), municipalities.max(municipal.len()))),
    }
}

/// «сумма по 1 муниципалитету из 5», «сумма по 2 муниципалитетам из 5».
pub fn summed_text((n, of): (usize, usize)) -> String {
    let word = domain::words::plural_word(
        n as u64,
        "муниципалитету",
        "муниципалитетам",
        "муниципалитетам",
    );
    format!("сумма по {n} {word} из {of}")
}

/// The latest entries of every indicator, by indicator id and scope
/// (`None`: the region's own).
pub type Latest = HashMap<(i64, Option<MunicipalityCode>), CustomValueRow>;

/// Reads the latest entries visible in `scope`.
pub async fn latest(store: &dyn Store, scope: &Scope) -> Result<Latest, Failure> {
    Ok(store
        .latest_custom_values(scope)
        .await?
        .into_iter()
        .map(|r| ((r.value.indicator_id, r.value.municipality.clone()), r))
        .collect())
}

/// The region's figure of `indicator` from every municipality's latest
/// entry (`latest` read region-wide).
pub fn region_figure_of(indicator: i64, latest: &Latest, municipalities: usize) -> Figure {
    let mut municipal: Vec<&CustomValueRow> = latest
        .iter()
        .filter(|((id, m), _)| *id == indicator && m.is_some())
        .map(|(_, r)| r)
        .collect();
    municipal.sort_by(|a, b| a.value.municipality.cmp(&b.value.municipality));
    region_figure(latest.get(&(indicator, None)), &municipal, municipalities)
}

/// Every active custom indicator's line in `at`: the region's figure (its
/// own entry or the municipalities' sum) or a municipality's latest entry.
/// A school has none (custom indicators are entered per municipality).
///
/// `scope` is the reader's: a municipality outside it is
/// [`Failure::NotFound`]. The region's figure is an aggregate and any
/// reader gets it; the entries it sums are read region-wide, and only
/// their total leaves this function.
pub async fn custom_lines(
    store: &dyn Store,
    scope: &Scope,
    at: &Where,
) -> Result<Vec<CustomLine>, Failure> {
    let figure: Box<dyn Fn(&CustomIndicatorRow) -> Figure + Send> = match at {
        Where::School(_) => return Ok(Vec::new()),
        Where::Municipality(m) => {
            if !scope.sees_municipality(m) {
                return Err(Failure::NotFound);
            }
            let latest = latest(store, scope).await?;
            let m = m.clone();
            Box::new(move |d| Figure::entered(latest.get(&(d.id, Some(m.clone())))))
        }
        Where::Region => {
            let region = Scope::region();
            let latest = latest(store, &region).await?;
            let municipalities = store.municipality_names().await?.len();
            Box::new(move |d| region_figure_of(d.id, &latest, municipalities))
        }
    };
    Ok(store
        .custom_indicators()
        .await?
        .into_iter()
        .filter(|d| d.active)
        .map(|d| {
            let f = figure(&d);
            CustomLine {
                id: d.id,
                code: d.code,
                title: d.title,
                share: f.share,
                threshold: d.threshold,
                due_on: d.due_on,
                as_of: f.as_of,
                evidence: f.evidence,
                summed: f.summed,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use store::NewCustomValue;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    fn row(id: i64, m: Option<&str>, as_of: NaiveDate, n: u64, den: u64) -> CustomValueRow {
        CustomValueRow {
            id,
            value: NewCustomValue {
                indicator_id: 1,
                municipality: m.map(|c| MunicipalityCode::parse(c).unwrap()),
                as_of,
                share: Share {
                    numerator: n,
                    denominator: den,
                },
                evidence: format!("документ {id}"),
            },
            entered_by: None,
            entered_at: 0,
        }
    }

    #[test]
    fn the_region_sums_its_municipalities_unless_it_entered_its_own() {
        let m1 = row(1, Some("m1"), d(3, 1), 3, 4);
        let m2 = row(2, Some("m2"), d(3, 5), 1, 2);
        let summed = region_figure(None, &[&m1, &m2], 5);
        assert_eq!(
            summed.share,
            Share {
                numerator: 4,
                denominator: 6
            }
        );
        assert_eq!(summed.summed, Some((2, 5)));
        assert_eq!(summed.as_of, Some(d(3, 5)), "the newest entry summed");
        assert_eq!(summed.evidence, None);
        assert_eq!(summed_text((2, 5)), "сумма по 2 муниципалитетам из 5");
        assert_eq!(summed_text((1, 2)), "сумма по 1 муниципалитету из 2");
        assert_eq!(summed_text((21, 30)), "сумма по 21 муниципалитету из 30");

        let own = row(3, None, d(1, 10), 10, 20);
        let figure = region_figure(Some(&own), &[&m1, &m2], 5);
        assert_eq!(figure.share.numerator, 10);
        assert_eq!(figure.summed, None, "its own entry wins, even when older");
        assert_eq!(figure.evidence.as_deref(), Some("документ 3"));

        assert_eq!(region_figure(None, &[], 5), Figure::default());
    }

    #[test]
    fn met_is_decided_exactly_against_the_threshold() {
        let line = |n, den, t: Option<&str>| CustomLine {
            id: 1,
            code: "school_500".into(),
            title: "«500+»".into(),
            share: Share {
                numerator: n,
                denominator: den,
            },
            threshold: t.map(|t| Percent::parse(t).unwrap()),
            due_on: None,
            as_of: None,
            evidence: None,
            summed: None,
        };
        assert_eq!(line(3, 4, Some("75")).met(), Some(true));
        assert_eq!(line(2, 3, Some("66,7")).met(), Some(false));
        assert_eq!(line(0, 0, Some("75")).met(), None, "no data");
        assert_eq!(line(3, 4, None).met(), None, "no threshold");
    }

    #[test]
    fn the_regions_figure_reads_each_municipalitys_latest() {
        let mut latest = Latest::new();
        for r in [
            row(1, Some("m1"), d(3, 1), 3, 4),
            row(2, Some("m2"), d(3, 5), 1, 2),
        ] {
            latest.insert((1, r.value.municipality.clone()), r);
        }
        let mut other = row(3, Some("m1"), d(3, 1), 9, 9);
        other.value.indicator_id = 2;
        latest.insert((2, other.value.municipality.clone()), other);
        let f = region_figure_of(1, &latest, 2);
        assert_eq!(
            (f.share.numerator, f.share.denominator, f.summed),
            (4, 6, Some((2, 2)))
        );
    }
}
