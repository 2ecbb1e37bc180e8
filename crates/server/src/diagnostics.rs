//! Diagnostics: campaigns, attempts and their finishing, shared by the
//! pages, the JSON API and the background sweeper.
//!
//! The rules live in the domain (drawing a form, scoring, audiences); this
//! module checks the caller, reads and writes through the store, and makes
//! the decisions that need a clock: the deadline (the earlier of start +
//! the bank's time limit and the end of the campaign's last day in the
//! region's time zone) and the 30 s grace after it.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{NaiveDate, TimeZone};
use domain::attempt::{Form, draw_form};
use domain::{Audience, Bank, Caller, Profile, RegionAuthority, Response, Role, Scope};
use store::{
    AttemptRow, AttemptStatus, CampaignRow, DiagnosticCompetence, DiagnosticSource, FinishAttempt,
    FinishOutcome, Millis, NewAttempt, NewDiagnostic, SaveOutcome, Store,
};

use crate::auth::now_millis;
use crate::error::Failure;
use crate::state::Config;

/// Answers are accepted this long after the deadline (a slow network, a
/// click in the last second); the server finalises an overdue attempt no
/// earlier than that.
pub const GRACE: Duration = Duration::from_secs(30);

/// An instant as the API and the page script read it: RFC 3339, UTC.
pub fn rfc3339(ms: Millis) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

pub fn grace_ms() -> Millis {
    GRACE.as_millis() as Millis
}

/// Parsed banks by stored version id: bank versions never change, so a
/// process may keep them.
#[derive(Debug, Default)]
pub struct BankCache {
    banks: Mutex<HashMap<i64, Arc<Bank>>>,
}

pub use domain::campaign::Window;

/// Where `c`'s window stands on `today`.
pub fn window(c: &CampaignRow, today: NaiveDate) -> Window {
    Window::on(c.opens_on, c.closes_on, today)
}

pub struct Diagnostics {
    store: Arc<dyn Store>,
    config: Arc<Config>,
    cache: BankCache,
}

impl std::fmt::Debug for Diagnostics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Diagnostics").finish_non_exhaustive()
    }
}

/// The first instant after the campaign's last day, in the region's zone.
fn window_end(config: &Config, closes_on: NaiveDate) -> Millis {
    let next = closes_on.succ_opt().unwrap_or(closes_on);
    let midnight = next.and_hms_opt(0, 0, 0).expect("midnight exists");
    config
        .timezone
        .from_local_datetime(&midnight)
        .earliest()
        .map(|t| t.timestamp_millis())
        .unwrap_or(Millis::MAX)
}

fn percent_text(p: domain::Rational) -> String {
    p.to_decimal_string(2)
}

/// The stored diagnostic for a scored profile.
pub fn diagnostic_of(
    login: &domain::Login,
    bank: &Bank,
    bank_version_id: i64,
    taken_on: NaiveDate,
    profile: &Profile,
) -> Result<NewDiagnostic, Failure> {
    let profile_json =
        serde_json::to_string(profile).map_err(|e| Failure::internal(format!("profile: {e}")))?;
    Ok(NewDiagnostic {
        login: login.clone(),
        bank_id: bank.id.clone(),
        bank_version_id: Some(bank_version_id),
        taken_on,
        source: DiagnosticSource::Attempt,
        overall_percent: percent_text(profile.overall.percent),
        overall_level: profile.overall.level,
        competences: profile
            .competences
            .iter()
            .map(|c| DiagnosticCompetence {
                competence: c.code.clone(),
                percent: Some(percent_text(c.percent)),
                level: c.level,
            })
            .collect(),
        profile_json,
    })
}

impl Diagnostics {
    pub fn new(store: Arc<dyn Store>, config: Arc<Config>) -> Self {
        Diagnostics {
            store,
            config,
            cache: BankCache::default(),
        }
    }

    /// The parsed bank of a stored version.
    pub async fn bank(&self, version_id: i64) -> Result<Arc<Bank>, Failure> {
        if let Some(b) = self
            .cache
            .banks
            .lock()
            .expect("cache lock")
            .get(&version_id)
        {
            return Ok(b.clone());
        }
        let row =
            self.store.bank_version(version_id).await?.ok_or_else(|| {
                Failure::internal(format!("bank version {version_id} is missing"))
            })?;
        let source = row
            .source
            .ok_or_else(|| Failure::internal("bank version read without its source"))?;
        let bank = banks::parse(&row.file_name, &source).map_err(|e| {
            Failure::internal(format!("stored bank {} no longer parses: {e}", row.bank_id))
        })?;
        let bank = Arc::new(bank);
        self.cache
            .banks
            .lock()
            .expect("cache lock")
            .insert(version_id, bank.clone());
        Ok(bank)
    }

    /// The current version of every loaded bank (its newest load), parsed
    /// once and kept in the cache.
    pub async fn current_banks(&self) -> Result<Vec<Arc<Bank>>, Failure> {
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        // Newest load first: the first of each bank is its current version.
        for v in self.store.bank_versions().await? {
            if seen.insert(v.bank_id.clone()) {
                out.push(self.bank(v.id).await?);
            }
        }
        Ok(out)
    }

    /// Whether `campaign` is addressed to `caller`.
    pub async fn addressed(
        &self,
        caller: &Caller,
        campaign: &CampaignRow,
    ) -> Result<bool, Failure> {
        let audience = Audience::parse(&campaign.audience)
            .map_err(|e| Failure::internal(format!("stored audience: {e}")))?;
        let bank = self.bank(campaign.bank_version_id).await?;
        let own = Scope {
            own: Some(caller.login.clone()),
            ..Scope::default()
        };
        let Some(account) = self.store.account(&own, &caller.login).await? else {
            return Ok(false);
        };
        let school = match &account.school {
            Some(code) => self
                .store
                .school(&Scope::region(), code)
                .await?
                .map(|s| s.school),
            None => None,
        };
        Ok(audience.includes(&account, school.as_ref(), &bank.subjects))
    }

    /// Campaigns addressed to the caller that are open today or that the
    /// caller has an attempt in.
    pub async fn campaigns_for(
        &self,
        caller: &Caller,
    ) -> Result<Vec<(CampaignRow, Window)>, Failure> {
        let today = self.config.today();
        let mine: BTreeMap<i64, AttemptRow> = self
            .store
            .attempts_of(&caller.login)
            .await?
            .into_iter()
            .map(|a| (a.campaign_id, a))
            .collect();
        let mut out = Vec::new();
        for c in self.store.campaigns().await? {
            let window = window(&c, today);
            let relevant = mine.contains_key(&c.id) || window == Window::Open;
            if relevant && self.addressed(caller, &c).await? {
                out.push((c, window));
            }
        }
        Ok(out)
    }

    /// Starts (or resumes) the caller's attempt in a campaign. Answers the
    /// attempt and whether it was created now.
    pub async fn start(
        &self,
        caller: &Caller,
        campaign_id: i64,
    ) -> Result<(AttemptRow, bool), Failure> {
        let campaign = self
            .store
            .campaign(campaign_id)
            .await?
            .ok_or(Failure::NotFound)?;
        if !self.addressed(caller, &campaign).await? {
            return Err(Failure::NotFound);
        }
        if let Some(existing) = self.store.attempt_for(campaign_id, &caller.login).await? {
            return match existing.status {
                AttemptStatus::InProgress => Ok((existing, false)),
                _ => Err(Failure::Conflict(
                    "Вы уже прошли эту диагностику: повторная попытка не предусмотрена".into(),
                )),
            };
        }
        match window(&campaign, self.config.today()) {
            Window::Planned => {
                return Err(Failure::Conflict(format!(
                    "Диагностика начнётся {}",
                    campaign.opens_on.format("%d.%m.%Y")
                )));
            }
            Window::Closed => {
                return Err(Failure::Conflict("Диагностика уже завершена".into()));
            }
            Window::Open => {}
        }
        let bank = self.bank(campaign.bank_version_id).await?;
        let form = draw_form(&bank, &mut rand::rng());
        let now = now_millis();
        let limit = i64::from(bank.time_limit_minutes) * 60_000;
        let deadline = (now + limit).min(window_end(&self.config, campaign.closes_on));
        let (row, created) = self
            .store
            .start_attempt(
                NewAttempt {
                    campaign_id,
                    login: caller.login.clone(),
                    bank_version_id: campaign.bank_version_id,
                    deadline,
                    form_json: serde_json::to_string(&form)
                        .map_err(|e| Failure::internal(format!("form: {e}")))?,
                },
                now,
            )
            .await?;
        if row.status != AttemptStatus::InProgress {
            return Err(Failure::Conflict(
                "Вы уже прошли эту диагностику: повторная попытка не предусмотрена".into(),
            ));
        }
        Ok((row, created))
    }

    /// The caller's own attempt; anyone else's answers 404.
    pub async fn own_attempt(
        &self,
        caller: &Caller,
        attempt_id: i64,
    ) -> Result<AttemptRow, Failure> {
        let row = self
            .store
            .attempt(attempt_id)
            .await?
            .ok_or(Failure::NotFound)?;
        if row.login != caller.login {
            return Err(Failure::NotFound);
        }
        Ok(row)
    }

    pub fn form(row: &AttemptRow) -> Result<Form, Failure> {
        serde_json::from_str(&row.form_json)
            .map_err(|e| Failure::internal(format!("stored form: {e}")))
    }

    /// Saves one answer once it is durable. Refused after submission or
    /// past the deadline plus the grace.
    pub async fn save(
        &self,
        caller: &Caller,
        attempt_id: i64,
        item_id: &str,
        response: &serde_json::Value,
    ) -> Result<(), Failure> {
        let row = self.own_attempt(caller, attempt_id).await?;
        let form = Self::form(&row)?;
        if !form.items.iter().any(|i| i.id == item_id) {
            return Err(Failure::NotFound);
        }
        let bank = self.bank(row.bank_version_id).await?;
        let item = bank.item(item_id).ok_or(Failure::NotFound)?;
        let parsed: Response =
            serde_json::from_value(response.clone()).map_err(|_| Failure::Unprocessable {
                message: "Ответ имеет неверный вид для этого задания".into(),
                field: Some("response".into()),
            })?;
        domain::check_response(item, &parsed).map_err(|e| Failure::Unprocessable {
            message: e.to_string(),
            field: Some("response".into()),
        })?;
        let json = serde_json::to_string(&parsed)
            .map_err(|e| Failure::internal(format!("response: {e}")))?;
        match self
            .store
            .save_response(attempt_id, item_id, &json, now_millis(), grace_ms())
            .await?
        {
            SaveOutcome::Saved => Ok(()),
            SaveOutcome::Closed => Err(Failure::Conflict(
                "Диагностика завершена или время истекло: ответ не принят".into(),
            )),
        }
    }

    /// The saved answers of an attempt, parsed.
    pub async fn responses(&self, attempt_id: i64) -> Result<BTreeMap<String, Response>, Failure> {
        self.store
            .responses(attempt_id)
            .await?
            .into_iter()
            .map(|(k, v)| {
                serde_json::from_str(&v)
                    .map(|r| (k, r))
                    .map_err(|e| Failure::internal(format!("stored response: {e}")))
            })
            .collect()
    }

    /// Scores the attempt from its saved answers and finishes it, exactly
    /// once. Answers the finished attempt.
    pub async fn finish(
        &self,
        attempt_id: i64,
        status: AttemptStatus,
    ) -> Result<AttemptRow, Failure> {
        for _ in 0..10 {
            let row = self
                .store
                .attempt(attempt_id)
                .await?
                .ok_or(Failure::NotFound)?;
            if row.status != AttemptStatus::InProgress {
                return Ok(row);
            }
            let bank = self.bank(row.bank_version_id).await?;
            let form = Self::form(&row)?;
            let raw = self.store.responses(attempt_id).await?;
            let mut given = BTreeMap::new();
            for item in &form.items {
                let r = match raw.get(&item.id) {
                    Some(json) => serde_json::from_str(json)
                        .map_err(|e| Failure::internal(format!("stored response: {e}")))?,
                    None => Response::Null,
                };
                given.insert(item.id.clone(), r);
            }
            let profile = domain::score_attempt(&bank, &given)
                .map_err(|e| Failure::internal(format!("scoring attempt {attempt_id}: {e}")))?;
            let now = now_millis();
            // An attempt that ran out of time was taken when it ended, not
            // when the server got round to finishing it.
            let ended = if status == AttemptStatus::Expired {
                now.min(row.deadline)
            } else {
                now
            };
            let taken_on = chrono::DateTime::from_timestamp_millis(ended)
                .map(|t| t.with_timezone(&self.config.timezone).date_naive())
                .unwrap_or_else(|| self.config.today());
            let diagnostic =
                diagnostic_of(&row.login, &bank, row.bank_version_id, taken_on, &profile)?;
            let finish = FinishAttempt {
                status,
                scored_responses: raw,
                profile_json: diagnostic.profile_json.clone(),
                diagnostic,
            };
            match self.store.finish_attempt(attempt_id, finish, now).await? {
                FinishOutcome::Finished => {
                    return self
                        .store
                        .attempt(attempt_id)
                        .await?
                        .ok_or(Failure::NotFound);
                }
                FinishOutcome::AlreadyFinished(row) => return Ok(row),
                FinishOutcome::ResponsesChanged => continue,
            }
        }
        Err(Failure::internal(format!(
            "attempt {attempt_id}: answers kept changing while it was being finished"
        )))
    }

    /// The teacher submits: submitted in time, or expired when the deadline
    /// and grace have passed. Idempotent.
    pub async fn submit(&self, caller: &Caller, attempt_id: i64) -> Result<AttemptRow, Failure> {
        let row = self.own_attempt(caller, attempt_id).await?;
        if row.status != AttemptStatus::InProgress {
            return Ok(row);
        }
        let status = if now_millis() <= row.deadline + grace_ms() {
            AttemptStatus::Submitted
        } else {
            AttemptStatus::Expired
        };
        self.finish(attempt_id, status).await
    }

    /// Finalises every attempt whose deadline and grace have passed, from
    /// its saved answers. Safe to run in several processes at once.
    pub async fn sweep(&self) -> Result<usize, Failure> {
        let overdue = self
            .store
            .overdue_attempts(now_millis(), grace_ms())
            .await?;
        let mut finished = 0;
        for id in overdue {
            // One attempt that cannot be finished must not hold up the rest.
            match self.finish(id, AttemptStatus::Expired).await {
                Ok(row) if row.status == AttemptStatus::Expired => finished += 1,
                Ok(_) => {}
                Err(e) => {
                    tracing::error!(attempt = id, cause = %e, "finishing an overdue attempt failed")
                }
            }
        }
        Ok(finished)
    }
}

/// Runs the sweeper until the process ends.
pub async fn run_sweeper(diagnostics: Arc<Diagnostics>, every: Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match diagnostics.sweep().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(finished = n, "overdue attempts finalised"),
            Err(e) => tracing::error!(cause = %e, "sweeping overdue attempts failed"),
        }
    }
}

/// Who may open campaigns and see participation.
pub fn manages_campaigns(c: &Caller) -> bool {
    c.has_any(&[Role::CnppmMethodist, Role::Admin])
}

/// Loads every bank file in `dir` (or the given files) into the store.
pub async fn load_banks(
    store: &dyn Store,
    auth: &RegionAuthority,
    banks_found: Vec<(Bank, String, String)>,
) -> Result<Vec<(String, String, store::BankLoad)>, Failure> {
    let mut out = Vec::new();
    for (bank, file_name, source) in banks_found {
        let load = store
            .load_bank_version(
                auth,
                store::NewBankVersion {
                    bank_id: bank.id.clone(),
                    version: bank.version.clone(),
                    content_hash: bank.content_hash.clone(),
                    title: bank.title.clone(),
                    file_name,
                    source,
                },
                now_millis(),
            )
            .await?;
        out.push((bank.id.clone(), bank.version.clone(), load));
    }
    Ok(out)
}
