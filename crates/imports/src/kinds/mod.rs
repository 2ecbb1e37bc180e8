//! One module per kind of file: its columns and how its rows merge with
//! the stored directory.

mod methodists;
mod municipalities;
mod schools;
mod staff;

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::hash::Hash;

use store::Directory;

use crate::cells::Sheet;
use crate::columns::Col;
use crate::read::Record;
use crate::{ImportPlan, Kind};

pub(crate) fn columns(kind: Kind) -> &'static [Col] {
    match kind {
        Kind::Municipalities => municipalities::COLUMNS,
        Kind::Schools => schools::COLUMNS,
        Kind::Staff => staff::COLUMNS,
        Kind::Methodists => methodists::COLUMNS,
    }
}

/// Merges the rows with `existing`. Wrong cells land in `sheet.errors`;
/// the plan is meaningful only when there are none.
pub(crate) fn plan(
    kind: Kind,
    sheet: &mut Sheet<'_>,
    records: &[Record],
    existing: &Directory,
) -> ImportPlan {
    match kind {
        Kind::Municipalities => municipalities::plan(sheet, records, existing),
        Kind::Schools => schools::plan(sheet, records, existing),
        Kind::Staff => staff::plan(sheet, records, existing),
        Kind::Methodists => methodists::plan(sheet, records, existing),
    }
}

/// The rows where each key was first seen, to refuse a key repeated in one
/// file (the later row is the wrong one).
pub(crate) struct Keys<K>(HashMap<K, usize>);

impl<K: Hash + Eq> Keys<K> {
    pub fn with_capacity(n: usize) -> Self {
        Keys(HashMap::with_capacity(n))
    }

    /// Records `key` at `rec`; on a repeat, reports it in `col`.
    pub fn check(&mut self, sheet: &mut Sheet<'_>, rec: &Record, col: usize, key: K, what: &str) {
        match self.0.entry(key) {
            Entry::Occupied(first) => {
                let value = sheet.raw(rec, col).unwrap_or_default().to_string();
                let first = *first.get();
                sheet.error(
                    rec,
                    col,
                    format!("{what} повторяется: он уже встречался в строке {first}"),
                    &value,
                );
            }
            Entry::Vacant(v) => {
                v.insert(rec.row);
            }
        }
    }
}

/// Counts one row by comparing its new record with the stored one; true
/// when the record is to be written.
pub(crate) fn tally<T: PartialEq>(plan: &mut ImportPlan, old: Option<&T>, new: &T) -> bool {
    match old {
        None => {
            plan.created += 1;
            true
        }
        Some(old) if old == new => {
            plan.unchanged += 1;
            false
        }
        Some(_) => {
            plan.updated += 1;
            true
        }
    }
}
