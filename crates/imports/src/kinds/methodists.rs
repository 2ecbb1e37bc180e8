//! `methodists`: regional methodists, the `mentor` role's records.

use std::collections::{HashMap, HashSet};

use domain::{Account, Login, Methodist, MunicipalityCode, Role, TeacherAttrs};
use store::Directory;

use super::Keys;
use super::schools::known_municipality;
use crate::ImportPlan;
use crate::cells::{Sheet, parse_count};
use crate::columns::{Col, opt, req};
use crate::read::Record;

pub(super) const COLUMNS: &[Col] = &[
    req("login", "логин"),
    req("full_name", "фио"),
    req("subjects", "предметы"),
    opt("municipality", "муниципалитет"),
    req("capacity", "макс_подопечных"),
    opt("remote", "дистанционно"),
];
const LOGIN: usize = 0;
const FULL_NAME: usize = 1;
const SUBJECTS: usize = 2;
const MUNICIPALITY: usize = 3;
const CAPACITY: usize = 4;
const REMOTE: usize = 5;

pub(super) fn plan(sheet: &mut Sheet<'_>, records: &[Record], existing: &Directory) -> ImportPlan {
    let accounts: HashMap<&Login, &Account> =
        existing.accounts.iter().map(|a| (&a.login, a)).collect();
    let stored: HashMap<&Login, &Methodist> =
        existing.methodists.iter().map(|m| (&m.login, m)).collect();
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
        let subjects = sheet.list(rec, SUBJECTS, |s| Ok(s.to_string()));
        if subjects.as_ref().is_some_and(Vec::is_empty) {
            sheet.required_text(rec, SUBJECTS);
        }
        let municipality = sheet.parsed(rec, MUNICIPALITY, |v| {
            known_municipality(&municipalities, v)
        });
        let capacity = sheet.required(rec, CAPACITY, parse_count);
        let remote = sheet.boolean(rec, REMOTE, false);
        let (Some(login), Some(full_name), Some(subjects), Some(capacity)) =
            (login, full_name, subjects, capacity)
        else {
            continue;
        };
        if sheet.errors.len() > before {
            continue;
        }
        let old = stored.get(&login).copied();
        let new = Methodist {
            login: login.clone(),
            subjects,
            municipality: municipality.unwrap_or_else(|| old.and_then(|m| m.municipality.clone())),
            capacity,
            remote: remote.unwrap_or(old.is_some_and(|m| m.remote)),
        };

        // The account: created if there is none, else given the mentor role.
        let account_written = match accounts.get(&login).copied() {
            None => {
                plan.created_accounts.push(login.clone());
                plan.changes.accounts.push(Account {
                    login: login.clone(),
                    full_name,
                    roles: [Role::Mentor].into(),
                    school: None,
                    municipality: new.municipality.clone(),
                    attrs: TeacherAttrs::default(),
                    active: true,
                });
                true
            }
            Some(account) => {
                if account.full_name != full_name {
                    plan.warnings.push(format!(
                        "{}:{}: ФИО «{full_name}» отличается от ФИО учётной записи {login} \
                         «{}»; ФИО меняется импортом staff",
                        sheet.file, rec.row, account.full_name
                    ));
                }
                if account.has(Role::Mentor) {
                    false
                } else {
                    let mut account = account.clone();
                    account.roles.insert(Role::Mentor);
                    plan.changes.accounts.push(account);
                    true
                }
            }
        };

        let methodist_written = match old {
            None => true,
            Some(old) => *old != new,
        };
        if old.is_none() {
            plan.created += 1;
        } else if methodist_written || account_written {
            plan.updated += 1;
        } else {
            plan.unchanged += 1;
        }
        if methodist_written {
            plan.changes.methodists.push(new);
        }
    }
    plan
}
