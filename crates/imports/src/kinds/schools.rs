//! `schools`: code, municipality, name and the school's flags.

use std::collections::{BTreeSet, HashMap, HashSet};

use domain::{ClusterFlag, MunicipalityCode, ParseError, School, SchoolCode};
use store::Directory;

use super::{Keys, tally};
use crate::ImportPlan;
use crate::cells::{Sheet, parse_count};
use crate::columns::{Col, opt, req};
use crate::read::Record;

pub(super) const COLUMNS: &[Col] = &[
    req("code", "код"),
    req("municipality", "муниципалитет"),
    req("name", "наименование"),
    opt("short_name", "краткое_наименование"),
    opt("clusters", "кластеры"),
    opt("rural", "сельская"),
    opt("critical_monitoring", "критические_значения"),
    opt("mentor_school", "школа_наставник"),
    opt("mentor_capacity", "мест_наставничества"),
    opt("active", "действует"),
];
const CODE: usize = 0;
const MUNICIPALITY: usize = 1;
const NAME: usize = 2;
const SHORT_NAME: usize = 3;
const CLUSTERS: usize = 4;
const RURAL: usize = 5;
const CRITICAL: usize = 6;
const MENTOR_SCHOOL: usize = 7;
const MENTOR_CAPACITY: usize = 8;
const ACTIVE: usize = 9;

/// A municipality code that must already be stored.
pub(super) fn known_municipality(
    known: &HashSet<&MunicipalityCode>,
    value: &str,
) -> Result<MunicipalityCode, ParseError> {
    let code = MunicipalityCode::parse(value)?;
    if known.contains(&code) {
        Ok(code)
    } else {
        Err(ParseError(format!(
            "муниципалитет с кодом {code} не найден: сначала импортируйте муниципалитеты"
        )))
    }
}

pub(super) fn plan(sheet: &mut Sheet<'_>, records: &[Record], existing: &Directory) -> ImportPlan {
    let stored: HashMap<&SchoolCode, &School> =
        existing.schools.iter().map(|s| (&s.code, s)).collect();
    let municipalities: HashSet<&MunicipalityCode> =
        existing.municipalities.iter().map(|m| &m.code).collect();
    let mut keys = Keys::with_capacity(records.len());
    let mut plan = ImportPlan::default();
    for rec in records {
        let before = sheet.errors.len();
        let code = sheet.required(rec, CODE, SchoolCode::parse);
        if let Some(code) = &code {
            keys.check(sheet, rec, CODE, code.clone(), "код");
        }
        let municipality = sheet.required(rec, MUNICIPALITY, |v| {
            known_municipality(&municipalities, v)
        });
        let name = sheet.required_text(rec, NAME);
        let short_name = sheet.optional_text(rec, SHORT_NAME);
        let clusters = sheet.list(rec, CLUSTERS, ClusterFlag::parse);
        let rural = sheet.boolean(rec, RURAL, false);
        let critical = sheet.boolean(rec, CRITICAL, false);
        let mentor_school = sheet.boolean(rec, MENTOR_SCHOOL, false);
        let mentor_capacity = sheet.parsed(rec, MENTOR_CAPACITY, parse_count);
        let active = sheet.boolean(rec, ACTIVE, true);
        let (Some(code), Some(municipality), Some(name)) = (code, municipality, name) else {
            continue;
        };
        if sheet.errors.len() > before {
            continue;
        }
        let old = stored.get(&code).copied();
        let new = match old {
            Some(old) => School {
                code,
                municipality,
                name,
                short_name: short_name.unwrap_or_else(|| old.short_name.clone()),
                clusters: clusters.map_or_else(|| old.clusters.clone(), BTreeSet::from_iter),
                rural: rural.unwrap_or(old.rural),
                critical_monitoring: critical.unwrap_or(old.critical_monitoring),
                mentor_school: mentor_school.unwrap_or(old.mentor_school),
                mentor_capacity: mentor_capacity.unwrap_or(old.mentor_capacity),
                active: active.unwrap_or(old.active),
            },
            None => School {
                code,
                municipality,
                name,
                short_name: short_name.flatten(),
                clusters: clusters.map(BTreeSet::from_iter).unwrap_or_default(),
                rural: rural.unwrap_or(false),
                critical_monitoring: critical.unwrap_or(false),
                mentor_school: mentor_school.unwrap_or(false),
                mentor_capacity: mentor_capacity.flatten(),
                active: active.unwrap_or(true),
            },
        };
        if tally(&mut plan, old, &new) {
            plan.changes.schools.push(new);
        }
    }
    plan
}
