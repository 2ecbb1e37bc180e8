//! `municipalities`: code, name.

use std::collections::HashMap;

use domain::{Municipality, MunicipalityCode};
use store::Directory;

use super::{Keys, tally};
use crate::ImportPlan;
use crate::cells::Sheet;
use crate::columns::{Col, req};
use crate::read::Record;

pub(super) const COLUMNS: &[Col] = &[req("code", "код"), req("name", "наименование")];
const CODE: usize = 0;
const NAME: usize = 1;

pub(super) fn plan(sheet: &mut Sheet<'_>, records: &[Record], existing: &Directory) -> ImportPlan {
    let stored: HashMap<&MunicipalityCode, &Municipality> = existing
        .municipalities
        .iter()
        .map(|m| (&m.code, m))
        .collect();
    let mut keys = Keys::with_capacity(records.len());
    let mut plan = ImportPlan::default();
    for rec in records {
        let before = sheet.errors.len();
        let code = sheet.required(rec, CODE, MunicipalityCode::parse);
        let name = sheet.required_text(rec, NAME);
        if let Some(code) = &code {
            keys.check(sheet, rec, CODE, code.clone(), "код");
        }
        let (Some(code), Some(name)) = (code, name) else {
            continue;
        };
        if sheet.errors.len() > before {
            continue;
        }
        let new = Municipality { code, name };
        if tally(&mut plan, stored.get(&new.code).copied(), &new) {
            plan.changes.municipalities.push(new);
        }
    }
    plan
}
