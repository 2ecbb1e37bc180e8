#![forbid(unsafe_code)]
//! The region's register files (CSV, XLSX) turned into validated changes for
//! the store, all or nothing.
//!
//! [`plan`] reads one file of one [`Kind`], checks every row against the
//! contract of `spec/imports.md` and against the stored [`store::Directory`],
//! and answers either with an [`ImportPlan`] (only the rows that are new or
//! changed) or with every wrong cell as [`ImportErrors`], each located as
//! `FILE:ROW: column: what is wrong (value)` in Russian. The plan writes
//! nothing: the caller applies `changes` in one transaction.
//!
//! [`plan_results`] reads a `results` file (diagnostics taken elsewhere)
//! the same way, against the loaded banks, into completed diagnostics for
//! [`store::Store::import_diagnostics`].
//!
//! [`plan_catalogue`] reads a `catalogue` file (courses, seminars,
//! internships…) against the loaded banks and the stored municipalities into
//! the catalogue entries to write.
//!
//! [`plan_trainings`] and [`plan_targets`] read `trainings` (further
//! training completed outside routes) and `targets` (the indicators'
//! targets) against the stored directory and rows.

mod catalogue;
mod cells;
mod columns;
mod kinds;
mod read;
mod results;
pub mod roadmap;
mod trainings;

use std::fmt;

use domain::Login;
use store::{Directory, DirectoryChanges};

pub use catalogue::{CataloguePlan, plan_catalogue};
pub use results::{ResultsPlan, plan_results, plan_results_on};
pub use trainings::{UpsertPlan, plan_targets, plan_trainings};

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Municipalities,
    Schools,
    Staff,
    Methodists,
}

impl Kind {
    pub const ALL: [Kind; 4] = [
        Kind::Municipalities,
        Kind::Schools,
        Kind::Staff,
        Kind::Methodists,
    ];

    /// Parses the English kind name (`municipalities`, `schools`, `staff`,
    /// `methodists`), case-insensitively.
    pub fn parse(value: &str) -> Option<Kind> {
        let v = value.trim().to_lowercase();
        Kind::ALL.into_iter().find(|k| k.as_str() == v)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Municipalities => "municipalities",
            Kind::Schools => "schools",
            Kind::Staff => "staff",
            Kind::Methodists => "methodists",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One wrong thing in a file, where the person who keeps it can find it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The file's name as given to [`plan`].
    pub file: String,
    /// The spreadsheet's row number (the header is row 1); 0 when the
    /// error is about the whole file (it could not be read).
    pub row: usize,
    /// The column as headed in the file (or its English name when the
    /// column is missing); empty when the error is about a whole row.
    pub column: String,
    /// What is wrong, in Russian.
    pub message: String,
    /// The offending value as written in the cell.
    pub value: Option<String>,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if self.row > 0 {
            write!(f, ":{}", self.row)?;
        }
        f.write_str(": ")?;
        if !self.column.is_empty() {
            write!(f, "{}: ", self.column)?;
        }
        f.write_str(&self.message)?;
        if let Some(v) = &self.value {
            write!(f, " ({v})")?;
        }
        Ok(())
    }
}

impl std::error::Error for RowError {}

/// Every wrong thing in a file, in row order. Nothing was planned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportErrors(pub Vec<RowError>);

impl fmt::Display for ImportErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ImportErrors {}

/// What applying a file would change.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportPlan {
    /// Only the records that are new or changed; `invitations` is left
    /// empty (the caller issues one per account in `created_accounts`).
    pub changes: DirectoryChanges,
    /// Accounts this import creates, in file order: each needs an
    /// invitation link.
    pub created_accounts: Vec<Login>,
    /// Rows that create a record.
    pub created: usize,
    /// Rows that change a stored record.
    pub updated: usize,
    /// Rows that match what is stored.
    pub unchanged: usize,
    /// Things worth saying that do not stop the import (unknown columns).
    pub warnings: Vec<String>,
}

/// Reads `bytes` (CSV or XLSX) as a file of `kind` and merges its rows
/// with `existing`. All or nothing: any wrong cell makes it an `Err` that
/// lists every wrong cell of the file.
pub fn plan(
    kind: Kind,
    file_name: &str,
    bytes: &[u8],
    existing: &Directory,
) -> Result<ImportPlan, ImportErrors> {
    let specs = kinds::columns(kind);
    let table = read::read_table(file_name, bytes, &|header| {
        columns::recognise(specs, header).is_some()
    })
    .map_err(|e| ImportErrors(vec![e]))?;
    let (cols, mut warnings) = columns::resolve(specs, file_name, &table).map_err(ImportErrors)?;
    if table.records.is_empty() {
        warnings.push(format!("{file_name}: в файле нет строк с данными"));
    }
    let mut sheet = cells::Sheet::new(file_name, cols);
    let mut plan = kinds::plan(kind, &mut sheet, &table.records, existing);
    if !sheet.errors.is_empty() {
        let mut errors = sheet.errors;
        errors.sort_by_key(|e| e.row);
        return Err(ImportErrors(errors));
    }
    warnings.append(&mut plan.warnings);
    plan.warnings = warnings;
    plan.changes.invitations.clear();
    plan.changes.audit_action = format!(
        "import {}: файл {}, создано {}, изменено {}, без изменений {}",
        kind.as_str(),
        file_name,
        plan.created,
        plan.updated,
        plan.unchanged
    );
    Ok(plan)
}
