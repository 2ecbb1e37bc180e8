//! `staff`: accounts with their roles, place of work and teacher record.

use std::collections::{BTreeSet, HashMap, HashSet};

use domain::{Account, Login, MunicipalityCode, ParseError, Role, SchoolCode, TeacherAttrs};
use store::Directory;

use super::schools::known_municipality;
use super::{Keys, tally};
use crate::ImportPlan;
use crate::cells::{Sheet, parse_date, parse_non_negative_decimal};
use crate::columns::{Col, opt, req};
use crate::read::Record;

pub(super) const COLUMNS: &[Col] = &[
    req("login", "логин"),
    req("full_name", "фио"),
    req("roles", "роли"),
    opt("school", "оо"),
    opt("municipality", "муниципалитет"),
    opt("subjects", "предметы"),
    opt("position", "должность"),
    opt("experience_years", "стаж"),
    opt("hired_on", "дата_приема"),
    opt("students_low_results", "низкие_результаты_обучающихся"),
    opt("active", "действует"),
];
const LOGIN: usize = 0;
const FULL_NAME: usize = 1;
const ROLES: usize = 2;
const SCHOOL: usize = 3;
const MUNICIPALITY: usize = 4;
const SUBJECTS: usize = 5;
const POSITION: usize = 6;
const EXPERIENCE: usize = 7;
const HIRED_ON: usize = 8;
const LOW_RESULTS: usize = 9;
const ACTIVE: usize = 10;

/// A role a staff file may assign: any but `mentor`.
fn staff_role(value: &str) -> Result<Role, ParseError> {
    match Role::parse(value)? {
        Role::Mentor => Err(ParseError(
            "роль mentor назначается только импортом методистов".into(),
        )),
        role => Ok(role),
    }
}

pub(super) fn plan(sheet: &mut Sheet<'_>, records: &[Record], existing: &Directory) -> ImportPlan {
    let stored: HashMap<&Login, &Account> =
        existing.accounts.iter().map(|a| (&a.login, a)).collect();
    let schools: HashSet<&SchoolCode> = existing.schools.iter().map(|s| &s.code).collect();
    let municipalities: HashSet<&MunicipalityCode> =
        existing.municipalities.iter().map(|m| &m.code).collect();
    let mut keys = Keys::with_capacity(records.len());
    let mut plan = ImportPlan::default();
    for rec in records {
        let before = sheet.errors.len();
        let login = sheet.required(rec, LOGIN, Login::parse);
        if let Some(login) = &login {
            keys.check(sheet, rec, LOGIN, login.clone(), "логин");
        }
        let full_name = sheet.required_text(rec, FULL_NAME);
        let roles = sheet.list(rec, ROLES, staff_role);
        let school = sheet.parsed(rec, SCHOOL, |v| {
            let code = SchoolCode::parse(v)?;
            if schools.contains(&code) {
                Ok(code)
            } else {
                Err(ParseError(format!(
                    "ОО с кодом {code} не найдена: сначала импортируйте школы"
                )))
            }
        });
        let municipality = sheet.parsed(rec, MUNICIPALITY, |v| {
            known_municipality(&municipalities, v)
        });
        let subjects = sheet.list(rec, SUBJECTS, |s| Ok(s.to_string()));
        let position = sheet.optional_text(rec, POSITION);
        let experience = sheet.parsed(rec, EXPERIENCE, parse_non_negative_decimal);
        let hired_on = sheet.parsed(rec, HIRED_ON, parse_date);
        let low_results = sheet.boolean(rec, LOW_RESULTS, false);
        let active = sheet.boolean(rec, ACTIVE, true);
        let (Some(login), Some(full_name), Some(roles)) = (login, full_name, roles) else {
            continue;
        };
        if sheet.errors.len() > before {
            continue;
        }
        let old = stored.get(&login).copied();
        let roles: BTreeSet<Role> = match old {
            // An empty cell keeps an account's roles: it cannot have none.
            Some(old) if roles.is_empty() => old.roles.clone(),
            Some(old) => {
                let mut set: BTreeSet<Role> = roles.into_iter().collect();
                if old.has(Role::Mentor) {
                    set.insert(Role::Mentor);
                }
                set
            }
            None if roles.is_empty() => {
                sheet.error(
                    rec,
                    ROLES,
                    "для новой учётной записи нужно указать хотя бы одну роль",
                    "",
                );
                continue;
            }
            None => roles.into_iter().collect(),
        };
        let base = old.map(|a| a.attrs.clone()).unwrap_or_default();
        let new = Account {
            login,
            full_name,
            roles,
            school: school.unwrap_or_else(|| old.and_then(|a| a.school.clone())),
            municipality: municipality.unwrap_or_else(|| old.and_then(|a| a.municipality.clone())),
            attrs: TeacherAttrs {
                subjects: subjects.unwrap_or(base.subjects),
                position: position.unwrap_or(base.position),
                experience_years: experience.unwrap_or(base.experience_years),
                hired_on: hired_on.unwrap_or(base.hired_on),
                students_low_results: low_results.unwrap_or(base.students_low_results),
            },
            active: active.unwrap_or(old.is_none_or(|a| a.active)),
        };
        if let Err(e) = new.check_placement() {
            let col = if new.roles.is_empty() {
                ROLES
            } else if new.school.is_none() && new.roles.iter().any(|r| r.needs_school()) {
                SCHOOL
            } else {
                MUNICIPALITY
            };
            sheet.error(rec, col, e.0, "");
            continue;
        }
        if tally(&mut plan, old, &new) {
            if old.is_none() {
                plan.created_accounts.push(new.login.clone());
            }
            plan.changes.accounts.push(new);
        }
    }
    plan
}
