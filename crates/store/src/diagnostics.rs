//! Row models of the diagnostics area: assessment bank versions, campaigns,
//! attempts with their responses, completed diagnostics, participation.
//!
//! The store knows nothing of the bank format: a bank is kept as its source
//! text, and forms, responses and profiles as JSON text that the server
//! writes and reads back unchanged.

use chrono::NaiveDate;
use domain::{Level, Login, MunicipalityCode, SchoolCode};
use serde::{Deserialize, Serialize};

use crate::{Millis, Result, StoreError};

// ---- banks ---------------------------------------------------------------------

/// One version of a bank, as `bank load` hands it over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBankVersion {
    /// `[bank] id`.
    pub bank_id: String,
    /// `[bank] version`.
    pub version: String,
    /// A hash of the file's content, computed by the server; the same
    /// (id, version) must always come with the same hash.
    pub content_hash: String,
    pub title: String,
    /// The file it was loaded from, for people (`pedagogy-core.toml`).
    pub file_name: String,
    /// The whole file, kept so that any attempt can be re-explained.
    pub source: String,
}

/// What loading a bank version did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BankLoad {
    /// A new version, stored under this id.
    Inserted(i64),
    /// This (id, version) was already stored with the same content hash.
    Unchanged(i64),
}

impl BankLoad {
    /// The stored version's id, either way.
    pub fn id(self) -> i64 {
        match self {
            BankLoad::Inserted(id) | BankLoad::Unchanged(id) => id,
        }
    }
}

/// A stored bank version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankVersionRow {
    pub id: i64,
    pub bank_id: String,
    pub version: String,
    pub content_hash: String,
    pub title: String,
    pub file_name: String,
    pub loaded_at: Millis,
    /// Who loaded it (`None`: the operator at the command line).
    pub loaded_by: Option<Login>,
    /// The bank file; `None` in lists ([`Store::bank_versions`](crate::Store::bank_versions)).
    pub source: Option<String>,
}

// ---- campaigns -----------------------------------------------------------------

/// A campaign to open on one bank version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCampaign {
    pub title: String,
    pub bank_version_id: i64,
    pub opens_on: NaiveDate,
    /// Inclusive; not before `opens_on`.
    pub closes_on: NaiveDate,
    /// Opaque to the store: the server writes and interprets it
    /// (`domain::Audience`, e.g. `clusters:low_results`).
    pub audience: String,
}

/// A stored campaign with its bank version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignRow {
    pub id: i64,
    pub title: String,
    pub bank_version_id: i64,
    /// The bank's id (`pedagogy-core`).
    pub bank_id: String,
    /// The bank version's `version` (`2026.1`).
    pub bank_version: String,
    pub bank_title: String,
    pub opens_on: NaiveDate,
    /// Inclusive.
    pub closes_on: NaiveDate,
    pub audience: String,
    /// Who opened it (`None`: the operator at the command line).
    pub created_by: Option<Login>,
    pub created_at: Millis,
}

// ---- attempts ------------------------------------------------------------------

/// Where an attempt stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttemptStatus {
    InProgress,
    /// Submitted by the teacher.
    Submitted,
    /// Finalised by the server when time ran out.
    Expired,
}

impl AttemptStatus {
    /// The name stored and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            AttemptStatus::InProgress => "in_progress",
            AttemptStatus::Submitted => "submitted",
            AttemptStatus::Expired => "expired",
        }
    }

    pub fn parse(value: &str) -> Result<AttemptStatus> {
        match value {
            "in_progress" => Ok(AttemptStatus::InProgress),
            "submitted" => Ok(AttemptStatus::Submitted),
            "expired" => Ok(AttemptStatus::Expired),
            other => Err(StoreError::Other(format!(
                "bad stored attempt status {other:?}"
            ))),
        }
    }
}

/// An attempt to start (the server has drawn the form and set the deadline).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAttempt {
    pub campaign_id: i64,
    pub login: Login,
    /// The campaign's bank version, which the attempt keeps for good.
    pub bank_version_id: i64,
    pub deadline: Millis,
    /// The items drawn for this attempt, as the server serialises them.
    pub form_json: String,
}

/// A stored attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttemptRow {
    pub id: i64,
    pub campaign_id: i64,
    pub login: Login,
    pub bank_version_id: i64,
    pub status: AttemptStatus,
    pub started_at: Millis,
    pub deadline: Millis,
    /// When it was submitted or expired; `None` while in progress.
    pub finished_at: Option<Millis>,
    pub form_json: String,
    /// The profile, once finished.
    pub profile_json: Option<String>,
}

/// What saving a response did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveOutcome {
    /// Stored (and committed).
    Saved,
    /// Refused: the attempt is finished or past its deadline plus the grace.
    Closed,
}

/// How an attempt ends: everything [`Store::finish_attempt`](crate::Store::finish_attempt)
/// writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinishAttempt {
    /// `Submitted` or `Expired`.
    pub status: AttemptStatus,
    /// The responses the profile was computed from, exactly as
    /// [`Store::responses`](crate::Store::responses) returned them. If the
    /// stored responses differ at the moment of finishing (a save slipped in
    /// after they were read), nothing is written and the answer is
    /// [`FinishOutcome::ResponsesChanged`]: read them again and re-score.
    pub scored_responses: std::collections::BTreeMap<String, String>,
    /// Stored on the attempt.
    pub profile_json: String,
    /// The completed diagnostic, with `source: Attempt`, the attempt's login
    /// and bank; stored linked to the attempt.
    pub diagnostic: NewDiagnostic,
}

/// What finishing an attempt did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FinishOutcome {
    /// This call finished it and stored the diagnostic.
    Finished,
    /// It was already finished (by another call): nothing was written. The
    /// attempt as stored, with its status and profile.
    AlreadyFinished(AttemptRow),
    /// The responses changed since the caller read them: nothing was
    /// written, the attempt is still in progress.
    ResponsesChanged,
}

// ---- diagnostics ---------------------------------------------------------------

/// Where a completed diagnostic comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DiagnosticSource {
    /// An attempt on this platform.
    Attempt,
    /// An import of results taken elsewhere (`import results`).
    Import,
}

impl DiagnosticSource {
    pub fn as_str(self) -> &'static str {
        match self {
            DiagnosticSource::Attempt => "attempt",
            DiagnosticSource::Import => "import",
        }
    }

    pub fn parse(value: &str) -> Result<DiagnosticSource> {
        match value {
            "attempt" => Ok(DiagnosticSource::Attempt),
            "import" => Ok(DiagnosticSource::Import),
            other => Err(StoreError::Other(format!(
                "bad stored diagnostic source {other:?}"
            ))),
        }
    }
}

/// One competence of a completed diagnostic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiagnosticCompetence {
    /// `BANK:CODE`.
    pub competence: String,
    /// The percent rounded to two decimals (see [`parse_percent`]); `None`
    /// when an import gave only the level.
    pub percent: Option<String>,
    pub level: Level,
}

/// A completed diagnostic to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDiagnostic {
    pub login: Login,
    pub bank_id: String,
    /// The exact version, when known (always for an attempt).
    pub bank_version_id: Option<i64>,
    /// The day it was taken (the region's date).
    pub taken_on: NaiveDate,
    pub source: DiagnosticSource,
    /// The overall percent rounded to two decimals, e.g. `"62.50"` (see
    /// [`parse_percent`]).
    pub overall_percent: String,
    pub overall_level: Level,
    /// In the bank file's order; each competence once.
    pub competences: Vec<DiagnosticCompetence>,
    /// The profile as the API shows it.
    pub profile_json: String,
}

/// A stored completed diagnostic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiagnosticRow {
    pub id: i64,
    pub login: Login,
    pub bank_id: String,
    pub bank_version_id: Option<i64>,
    pub taken_on: NaiveDate,
    pub source: DiagnosticSource,
    /// The attempt it completed (`source: Attempt`).
    pub attempt_id: Option<i64>,
    /// Always with two decimals: `"62.50"`, `"100.00"`.
    pub overall_percent: String,
    pub overall_level: Level,
    /// In the order given when stored; percents with two decimals.
    pub competences: Vec<DiagnosticCompetence>,
    pub profile_json: String,
    /// When it was stored (or last replaced by an import).
    pub recorded_at: Millis,
}

/// What an import of results did, in diagnostics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportCounts {
    pub inserted: u32,
    pub updated: u32,
    pub unchanged: u32,
}

// ---- participation -------------------------------------------------------------

/// A campaign's attempts at one school.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParticipationRow {
    pub school: SchoolCode,
    pub school_name: String,
    pub municipality: MunicipalityCode,
    pub municipality_name: String,
    /// Attempts still in progress.
    pub started: u32,
    /// Attempts submitted or expired.
    pub finished: u32,
}

// ---- percents ------------------------------------------------------------------

/// Parses a percent rounded to at most two decimals (`"62.5"`, `"62.50"`,
/// `"100"`, `"0.05"`) into hundredths of a percent (`6250`), the stored
/// form: exact, and comparable in SQL. Anything else, or more than 100, is
/// a [`StoreError::Conflict`].
pub fn parse_percent(value: &str) -> Result<i64> {
    let refuse = || {
        StoreError::Conflict(format!(
            "процент «{value}» должен быть числом от 0 до 100 \
             не более чем с двумя знаками после точки"
        ))
    };
    let (whole, fraction) = value.split_once('.').unwrap_or((value, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty()
        || whole.len() > 3
        || !digits(whole)
        || fraction.len() > 2
        || !digits(fraction)
        || (value.contains('.') && fraction.is_empty())
    {
        return Err(refuse());
    }
    let whole: i64 = whole.parse().map_err(|_| refuse())?;
    let fraction: i64 = format!("{fraction:0<2}").parse().map_err(|_| refuse())?;
    let hundredths = whole * 100 + fraction;
    if hundredths > 10_000 {
        return Err(refuse());
    }
    Ok(hundredths)
}

/// Hundredths of a percent as text with two decimals: `6250` → `"62.50"`.
pub fn format_percent(hundredths: i64) -> String {
    let sign = if hundredths < 0 { "-" } else { "" };
    let abs = hundredths.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

// ---- for the backends ----------------------------------------------------------

/// A [`NewDiagnostic`]'s values as stored, checked. For the backends.
#[doc(hidden)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedDiagnostic {
    /// Hundredths of a percent.
    pub overall: i64,
    /// `(competence, hundredths, level)` in the given order.
    pub competences: Vec<(String, Option<i64>, Level)>,
}

/// Checks a diagnostic's source, percents and competences. For the backends.
#[doc(hidden)]
pub fn prepare_diagnostic(
    d: &NewDiagnostic,
    source: DiagnosticSource,
) -> Result<PreparedDiagnostic> {
    if d.source != source {
        return Err(StoreError::Other(format!(
            "a diagnostic with source {:?} where {:?} is expected",
            d.source.as_str(),
            source.as_str()
        )));
    }
    let whose = || format!("«{}», банк «{}», {}", d.login, d.bank_id, d.taken_on);
    let with_whose = |e: StoreError| match e {
        StoreError::Conflict(m) => StoreError::Conflict(format!("{m} ({})", whose())),
        other => other,
    };
    let overall = parse_percent(&d.overall_percent).map_err(with_whose)?;
    let mut seen = std::collections::BTreeSet::new();
    let mut competences = Vec::with_capacity(d.competences.len());
    for c in &d.competences {
        if !seen.insert(c.competence.as_str()) {
            return Err(StoreError::Conflict(format!(
                "компетенция «{}» указана дважды ({})",
                c.competence,
                whose()
            )));
        }
        let percent = c
            .percent
            .as_deref()
            .map(parse_percent)
            .transpose()
            .map_err(with_whose)?;
        competences.push((c.competence.clone(), percent, c.level));
    }
    Ok(PreparedDiagnostic {
        overall,
        competences,
    })
}

/// Checks a campaign before it is stored. For the backends.
#[doc(hidden)]
pub fn check_campaign(c: &NewCampaign) -> Result<()> {
    if c.closes_on < c.opens_on {
        return Err(StoreError::Conflict(format!(
            "кампания «{}» закрывается ({}) раньше, чем открывается ({})",
            c.title, c.closes_on, c.opens_on
        )));
    }
    Ok(())
}

/// The refusal of a different content under a stored (id, version).
#[doc(hidden)]
pub fn bank_version_conflict(bank: &NewBankVersion) -> StoreError {
    StoreError::Conflict(format!(
        "банк «{}» версии «{}» уже загружен с другим содержимым ({}): \
         измените version в разделе [bank] и загрузите снова",
        bank.bank_id, bank.version, bank.file_name
    ))
}

/// The audit entry's object for a loaded bank version.
#[doc(hidden)]
pub fn bank_audit_object(bank: &NewBankVersion) -> String {
    format!(
        "банк «{}» версии «{}» ({})",
        bank.bank_id, bank.version, bank.file_name
    )
}

/// The audit entry's object for an import of results.
#[doc(hidden)]
pub fn import_audit_object(counts: &ImportCounts) -> String {
    format!(
        "диагностики: новых {}, изменено {}, без изменений {}",
        counts.inserted, counts.updated, counts.unchanged
    )
}

/// Checks what `finish_attempt` is given, before any write. For the backends.
#[doc(hidden)]
pub fn check_finish(finish: &FinishAttempt) -> Result<PreparedDiagnostic> {
    if finish.status == AttemptStatus::InProgress {
        return Err(StoreError::Other(
            "finish_attempt needs the status submitted or expired".into(),
        ));
    }
    prepare_diagnostic(&finish.diagnostic, DiagnosticSource::Attempt)
}

/// Checks that an attempt's diagnostic names the attempt's account and
/// bank. For the backends.
#[doc(hidden)]
pub fn check_attempt_diagnostic(
    d: &NewDiagnostic,
    login: &Login,
    bank_id: &str,
    bank_version_id: i64,
) -> Result<()> {
    if &d.login != login
        || d.bank_id != bank_id
        || d.bank_version_id.is_some_and(|v| v != bank_version_id)
    {
        return Err(StoreError::Conflict(format!(
            "диагностика («{}», банк «{}») не соответствует попытке («{login}», банк «{bank_id}»)",
            d.login, d.bank_id
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percents_are_exact_hundredths() {
        for (text, hundredths) in [
            ("62.50", 6250),
            ("62.5", 6250),
            ("62", 6200),
            ("0", 0),
            ("0.05", 5),
            ("100", 10_000),
            ("100.00", 10_000),
            ("007.1", 710),
        ] {
            assert_eq!(parse_percent(text).unwrap(), hundredths, "{text}");
        }
        for bad in [
            "", ".5", "5.", "62.505", "-1", "100.01", "1e2", "62,5", " 62", "1000", "+5",
        ] {
            assert!(
                matches!(parse_percent(bad), Err(StoreError::Conflict(_))),
                "{bad:?} should be refused"
            );
        }
        assert_eq!(format_percent(6250), "62.50");
        assert_eq!(format_percent(5), "0.05");
        assert_eq!(format_percent(10_000), "100.00");
        assert_eq!(format_percent(0), "0.00");
    }
}
