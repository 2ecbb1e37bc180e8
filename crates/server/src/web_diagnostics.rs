//! The diagnostic pages: taking an attempt one question per screen (works
//! with JavaScript off: every screen's form saves its answer), the
//! confirmation before sending, the profile with its review, and the ЦНППМ
//! methodist's campaigns with live participation.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::{Audience, Bank, Caller, Decimal, Item, ItemKind, Response as Answer, Scope};
use serde::Deserialize;
use store::{AttemptRow, AttemptStatus, DiagnosticRow, DiagnosticSource, StaffFilter};

use crate::auth::now_millis;
use crate::diagnostics::{Diagnostics, Window, grace_ms};
use crate::error::{Failure, PageError};
use crate::session::{Csrf, PageCaller};
use crate::state::AppState;
use crate::web::{bank_titles, chrome, html, local_time, percent_ru};

type PageResult = Result<Response, PageError>;

// ---- reading an answer from a form ------------------------------------------

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, v)| k == name && !v.trim().is_empty())
        .map(|(_, v)| v.trim())
}

fn index(value: &str) -> Result<usize, String> {
    value
        .parse()
        .map_err(|_| "Неверный номер варианта ответа".to_string())
}

/// The answer a native form carries, by the item's kind (see
/// `app::AttemptPage` for the field names). Nothing filled is `Null`: the
/// question stays unanswered.
pub fn form_answer(item: &Item, fields: &[(String, String)]) -> Result<Answer, String> {
    Ok(match &item.kind {
        ItemKind::Single { .. } => match field(fields, "choice") {
            Some(v) => Answer::Index(index(v)?),
            None => Answer::Null,
        },
        ItemKind::Multiple { .. } => {
            let chosen = fields
                .iter()
                .filter(|(k, v)| k == "choice" && !v.trim().is_empty())
                .map(|(_, v)| index(v.trim()))
                .collect::<Result<Vec<_>, _>>()?;
            if chosen.is_empty() {
                Answer::Null
            } else {
                Answer::Indices(chosen)
            }
        }
        ItemKind::Matching { left, .. } => {
            let mut pairs = Vec::new();
            for l in 0..left.len() {
                if let Some(r) = field(fields, &format!("match_{l}")) {
                    pairs.push((l, index(r)?));
                }
            }
            if pairs.is_empty() {
                Answer::Null
            } else {
                Answer::Pairs(pairs)
            }
        }
        ItemKind::Ordering { options, .. } => {
            let mut places = Vec::new();
            for i in 0..options.len() {
                if let Some(p) = field(fields, &format!("pos_{i}")) {
                    places.push((index(p)?, i));
                }
            }
            if places.is_empty() {
                Answer::Null
            } else {
                places.sort_unstable();
                let distinct = places.windows(2).all(|w| w[0].0 != w[1].0);
                if places.len() != options.len() || !distinct {
                    return Err(
                        "Расставьте все варианты по местам, каждому — своё место".to_string()
                    );
                }
                Answer::Indices(places.into_iter().map(|(_, i)| i).collect())
            }
        }
        ItemKind::Numeric { .. } => match field(fields, "number") {
            Some(v) => Answer::Number(
                Decimal::parse(v)
                    .map_err(|_| format!("«{v}» — не число: введите число, например 12,5"))?,
            ),
            None => Answer::Null,
        },
        ItemKind::Text { .. } => match field(fields, "text") {
            Some(v) => Answer::Text(v.to_string()),
            None => Answer::Null,
        },
    })
}

// ---- taking an attempt ------------------------------------------------------

pub async fn start(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    Path(id): Path<i64>,
) -> PageResult {
    let (attempt, _) = state.diagnostics.start(&c, id).await?;
    Ok(Redirect::to(&format!("/attempts/{}", attempt.id)).into_response())
}

/// Where a finished attempt's result is.
async fn result_of(state: &AppState, c: &Caller, attempt: &AttemptRow) -> Result<String, Failure> {
    let own = Scope {
        own: Some(c.login.clone()),
        ..Scope::default()
    };
    let d = state
        .store
        .diagnostics_of(&own, &c.login)
        .await?
        .into_iter()
        .find(|d| d.attempt_id == Some(attempt.id))
        .ok_or_else(|| Failure::internal("a finished attempt without its diagnostic"))?;
    Ok(format!("/diagnostics/{}", d.id))
}

/// The caller's attempt, finished first if its time is over.
async fn live_attempt(state: &AppState, c: &Caller, id: i64) -> Result<AttemptRow, Failure> {
    let row = state.diagnostics.own_attempt(c, id).await?;
    if row.status == AttemptStatus::InProgress && now_millis() > row.deadline + grace_ms() {
        return state.diagnostics.finish(id, AttemptStatus::Expired).await;
    }
    Ok(row)
}

#[derive(Debug, Default, Deserialize)]
pub struct QuestionQuery {
    #[serde(default)]
    q: Option<usize>,
    #[serde(default)]
    saved: Option<String>,
}

fn remaining_secs(row: &AttemptRow) -> i64 {
    ((row.deadline - now_millis()) / 1000).max(0)
}

pub async fn question(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    csrf: Csrf,
    Path(id): Path<i64>,
    Query(q): Query<QuestionQuery>,
) -> PageResult {
    let number = match q.q {
        Some(n) => n,
        // Resuming: the first question without an answer.
        None => {
            let row = state.diagnostics.own_attempt(&c, id).await?;
            let form = Diagnostics::form(&row)?;
            let responses = state.diagnostics.responses(id).await?;
            form.items
                .iter()
                .position(|f| responses.get(&f.id).is_none_or(|r| *r == Answer::Null))
                .map_or(1, |p| p + 1)
        }
    };
    render_question(&state, &c, &csrf, id, number, q.saved.is_some(), None, None).await
}

#[allow(clippy::too_many_arguments)]
async fn render_question(
    state: &AppState,
    c: &Caller,
    csrf: &Csrf,
    id: i64,
    number: usize,
    saved: bool,
    error: Option<String>,
    typed: Option<Answer>,
) -> PageResult {
    let row = live_attempt(state, c, id).await?;
    if row.status != AttemptStatus::InProgress {
        return Ok(Redirect::to(&result_of(state, c, &row).await?).into_response());
    }
    let bank = state.diagnostics.bank(row.bank_version_id).await?;
    let form = Diagnostics::form(&row)?;
    let views = domain::attempt::view_form(&bank, &form);
    let total = views.len();
    let position = number.clamp(1, total.max(1)) - 1;
    let responses = state.diagnostics.responses(id).await?;
    let answered = views
        .iter()
        .map(|v| responses.get(&v.id).is_some_and(|r| *r != Answer::Null))
        .collect();
    let campaign = state
        .store
        .campaign(row.campaign_id)
        .await?
        .ok_or(Failure::NotFound)?;
    let item = views.get(position).cloned().ok_or(Failure::NotFound)?;
    let response = typed.or_else(|| responses.get(&item.id).cloned());
    let status = if error.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    let page = app::render_attempt(&app::AttemptPage {
        chrome: chrome(c, csrf, "/me"),
        attempt_id: id,
        campaign_title: campaign.title,
        bank_title: bank.title.clone(),
        position,
        total,
        answered,
        item,
        response,
        deadline_utc: crate::diagnostics::rfc3339(row.deadline),
        deadline_text: local_time(state, row.deadline),
        remaining_secs: remaining_secs(&row),
        csrf: csrf.0.clone(),
        error,
        saved,
    });
    Ok((status, axum::response::Html(page)).into_response())
}

pub async fn answer(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    csrf: Csrf,
    Path((id, item_id)): Path<(i64, String)>,
    body: Bytes,
) -> PageResult {
    let fields: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let row = live_attempt(&state, &c, id).await?;
    if row.status != AttemptStatus::InProgress {
        return Ok(Redirect::to(&result_of(&state, &c, &row).await?).into_response());
    }
    let form = Diagnostics::form(&row)?;
    let position = form
        .items
        .iter()
        .position(|i| i.id == item_id)
        .ok_or(Failure::NotFound)?;
    let bank = state.diagnostics.bank(row.bank_version_id).await?;
    let item = bank.item(&item_id).ok_or(Failure::NotFound)?;
    let number = position + 1;
    let answer = match form_answer(item, &fields) {
        Ok(a) => a,
        Err(message) => {
            return render_question(&state, &c, &csrf, id, number, false, Some(message), None)
                .await;
        }
    };
    let json =
        serde_json::to_value(&answer).map_err(|e| Failure::internal(format!("answer: {e}")))?;
    match state.diagnostics.save(&c, id, &item_id, &json).await {
        Ok(()) => {}
        Err(Failure::Unprocessable { message, .. }) => {
            return render_question(
                &state,
                &c,
                &csrf,
                id,
                number,
                false,
                Some(message),
                Some(answer),
            )
            .await;
        }
        Err(Failure::Conflict(_)) => {
            return Ok(Redirect::to(&format!("/attempts/{id}")).into_response());
        }
        Err(other) => return Err(other.into()),
    }
    let total = form.items.len();
    let target = match field(&fields, "go") {
        Some("prev") => format!("/attempts/{id}?q={}", number.saturating_sub(1).max(1)),
        Some("next") if number < total => format!("/attempts/{id}?q={}", number + 1),
        Some("next") | Some("finish") => format!("/attempts/{id}/finish"),
        Some(n) if n.parse::<usize>().is_ok() => format!("/attempts/{id}?q={n}"),
        _ => format!("/attempts/{id}?q={number}&saved=1"),
    };
    Ok(Redirect::to(&target).into_response())
}

fn minutes_left(row: &AttemptRow) -> String {
    let secs = remaining_secs(row);
    if secs >= 3600 {
        format!("Осталось {} ч {} мин", secs / 3600, (secs % 3600) / 60)
    } else {
        format!("Осталось {} мин", (secs + 59) / 60)
    }
}

pub async fn finish_form(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    csrf: Csrf,
    Path(id): Path<i64>,
) -> PageResult {
    let row = live_attempt(&state, &c, id).await?;
    if row.status != AttemptStatus::InProgress {
        return Ok(Redirect::to(&result_of(&state, &c, &row).await?).into_response());
    }
    let bank = state.diagnostics.bank(row.bank_version_id).await?;
    let form = Diagnostics::form(&row)?;
    let responses = state.diagnostics.responses(id).await?;
    let campaign = state
        .store
        .campaign(row.campaign_id)
        .await?
        .ok_or(Failure::NotFound)?;
    let unanswered = form
        .items
        .iter()
        .enumerate()
        .filter(|(_, f)| responses.get(&f.id).is_none_or(|r| *r == Answer::Null))
        .map(|(i, f)| {
            (
                i + 1,
                app::excerpt(
                    bank.item(&f.id).map(|it| it.stem.as_str()).unwrap_or(""),
                    120,
                ),
            )
        })
        .collect();
    Ok(html(app::render_finish(&app::FinishPage {
        chrome: chrome(&c, &csrf, "/me"),
        attempt_id: id,
        campaign_title: campaign.title,
        total: form.items.len(),
        unanswered,
        remaining_text: minutes_left(&row),
        csrf: csrf.0.clone(),
    })))
}

pub async fn submit(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    Path(id): Path<i64>,
) -> PageResult {
    let row = state.diagnostics.submit(&c, id).await?;
    Ok(Redirect::to(&result_of(&state, &c, &row).await?).into_response())
}

// ---- the profile --------------------------------------------------------------

fn percent_of(stored: &str) -> f64 {
    stored.parse().unwrap_or(0.0)
}

fn change_text(now: f64, before: f64) -> String {
    let d = ((now - before) * 100.0).round() / 100.0;
    let sign = if d > 0.0 {
        "+"
    } else if d < 0.0 {
        "−"
    } else {
        ""
    };
    format!("{sign}{:.2}", d.abs()).replace('.', ",")
}

fn kind_title(kind: &ItemKind) -> &'static str {
    match kind {
        ItemKind::Single { .. } => "выбор одного ответа",
        ItemKind::Multiple { .. } => "выбор нескольких ответов",
        ItemKind::Matching { .. } => "установление соответствия",
        ItemKind::Ordering { .. } => "установление порядка",
        ItemKind::Numeric { .. } => "числовой ответ",
        ItemKind::Text { .. } => "краткий ответ",
    }
}

fn pick(texts: &[String], i: usize) -> String {
    texts
        .get(i)
        .cloned()
        .unwrap_or_else(|| format!("№{}", i + 1))
}

/// An answer in words, for the review.
pub fn describe(item: &Item, answer: Option<&Answer>) -> String {
    let none = "не дан ответ".to_string();
    let Some(answer) = answer else { return none };
    match (&item.kind, answer) {
        (_, Answer::Null) => none,
        (ItemKind::Single { options, .. }, Answer::Index(i)) => pick(options, *i),
        (
            ItemKind::Multiple { options, .. } | ItemKind::Ordering { options, .. },
            Answer::Indices(list),
        ) => {
            if list.is_empty() {
                none
            } else {
                let sep = if matches!(item.kind, ItemKind::Ordering { .. }) {
                    " → "
                } else {
                    "; "
                };
                list.iter()
                    .map(|i| pick(options, *i))
                    .collect::<Vec<_>>()
                    .join(sep)
            }
        }
        (ItemKind::Matching { left, right, .. }, Answer::Pairs(pairs)) => pairs
            .iter()
            .map(|(l, r)| format!("{} — {}", pick(left, *l), pick(right, *r)))
            .collect::<Vec<_>>()
            .join("; "),
        (_, Answer::Number(n)) => n.to_string().replace('.', ","),
        (_, Answer::Text(t)) => t.clone(),
        (_, Answer::Index(i)) => i.to_string(),
        (_, other) => serde_json::to_string(other).unwrap_or(none),
    }
}

/// The right answer in words.
pub fn describe_key(item: &Item) -> String {
    match &item.kind {
        ItemKind::Single { options, answer } => pick(options, *answer),
        ItemKind::Multiple { options, answer } => answer
            .iter()
            .map(|i| pick(options, *i))
            .collect::<Vec<_>>()
            .join("; "),
        ItemKind::Ordering { options, answer } => answer
            .iter()
            .map(|i| pick(options, *i))
            .collect::<Vec<_>>()
            .join(" → "),
        ItemKind::Matching {
            left,
            right,
            answer,
        } => answer
            .iter()
            .map(|(l, r)| format!("{} — {}", pick(left, *l), pick(right, *r)))
            .collect::<Vec<_>>()
            .join("; "),
        ItemKind::Numeric { value, tolerance } => {
            let v = value.to_string().replace('.', ",");
            if tolerance.to_string() == "0" {
                v
            } else {
                format!("{v} ± {}", tolerance.to_string().replace('.', ","))
            }
        }
        ItemKind::Text { accepted } => accepted.join(" / "),
    }
}

fn rational_text(r: domain::Rational) -> String {
    let s = r.to_decimal_string(2);
    let s = s.trim_end_matches('0').trim_end_matches('.').to_string();
    s.replace('.', ",")
}

async fn bank_for(state: &AppState, d: &DiagnosticRow) -> Result<std::sync::Arc<Bank>, Failure> {
    match d.bank_version_id {
        Some(v) => state.diagnostics.bank(v).await,
        None => {
            let v = state
                .store
                .current_bank_version(&d.bank_id)
                .await?
                .ok_or_else(|| Failure::internal(format!("bank {} is not loaded", d.bank_id)))?;
            state.diagnostics.bank(v.id).await
        }
    }
}

pub(crate) fn history_rows(
    history: &[DiagnosticRow],
    titles: &std::collections::HashMap<String, String>,
    names: &domain::LevelNames,
) -> Vec<app::HistoryRow> {
    history
        .iter()
        .map(|d| app::HistoryRow {
            diagnostic_id: d.id,
            bank_title: titles
                .get(&d.bank_id)
                .cloned()
                .unwrap_or_else(|| d.bank_id.clone()),
            taken_on: d.taken_on.format("%d.%m.%Y").to_string(),
            source: match d.source {
                DiagnosticSource::Attempt => "онлайн".into(),
                DiagnosticSource::Import => "импорт".into(),
            },
            percent: percent_ru(&d.overall_percent),
            level: d.overall_level,
            level_title: names.name(d.overall_level).to_string(),
        })
        .collect()
}

pub async fn profile(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    csrf: Csrf,
    Path(id): Path<i64>,
) -> PageResult {
    // A teacher's own diagnostics (the school and region views of other
    // teachers' profiles come with the school pages).
    let scope = c.scope();
    let history = state.store.diagnostics_of(&scope, &c.login).await?;
    let at = history
        .iter()
        .position(|d| d.id == id)
        .ok_or(Failure::NotFound)?;
    let d = &history[at];
    let bank = bank_for(&state, d).await?;
    let previous = history[at + 1..].iter().find(|p| p.bank_id == d.bank_id);
    let before = |code: &str| {
        previous.and_then(|p| {
            p.competences
                .iter()
                .find(|k| k.competence == code)
                .and_then(|k| k.percent.as_deref())
                .map(percent_of)
        })
    };
    let names = crate::iom::level_names(state.store.as_ref()).await?;
    let mut competences = Vec::new();
    for k in &d.competences {
        let local = k.competence.rsplit(':').next().unwrap_or(&k.competence);
        let comp = bank.competence(local);
        let percent = k.percent.as_deref().map(percent_of).unwrap_or(0.0);
        competences.push(app::ResultRow {
            code: local.to_string(),
            title: comp
                .map(|x| x.title.clone())
                .unwrap_or_else(|| k.competence.clone()),
            standard_ref: comp.and_then(|x| x.standard_ref.clone()),
            percent,
            percent_text: k
                .percent
                .as_deref()
                .map(percent_ru)
                .unwrap_or_else(|| "—".into()),
            level: k.level,
            level_title: names.name(k.level).to_string(),
            change: before(&k.competence).map(|b| change_text(percent, b)),
        });
    }
    let overall_percent = percent_of(&d.overall_percent);
    let overall = app::ResultRow {
        code: String::new(),
        title: "Итог".into(),
        standard_ref: None,
        percent: overall_percent,
        percent_text: percent_ru(&d.overall_percent),
        level: d.overall_level,
        level_title: names.name(d.overall_level).to_string(),
        change: previous.map(|p| change_text(overall_percent, percent_of(&p.overall_percent))),
    };
    let (review, review_note) = review_of(&state, d, &bank).await?;
    let titles = bank_titles(&state).await?;
    Ok(html(app::render_profile(&app::ProfilePage {
        chrome: chrome(&c, &csrf, "/me"),
        teacher_name: c.full_name.clone(),
        bank_title: bank.title.clone(),
        version: bank.version.clone(),
        taken_on: d.taken_on.format("%d.%m.%Y").to_string(),
        source: match d.source {
            DiagnosticSource::Attempt => "онлайн".into(),
            DiagnosticSource::Import => "импорт".into(),
        },
        overall,
        competences,
        previous_taken_on: previous.map(|p| p.taken_on.format("%d.%m.%Y").to_string()),
        review,
        review_note,
        history: history_rows(&history, &titles, &names),
        thresholds: [
            bank.thresholds.critical_below.to_f64_rounded(2),
            bank.thresholds.high_below.to_f64_rounded(2),
            bank.thresholds.reduced_below.to_f64_rounded(2),
        ],
    })))
}

/// The item review the bank allows now, or why there is none.
async fn review_of(
    state: &AppState,
    d: &DiagnosticRow,
    bank: &Bank,
) -> Result<(Option<Vec<app::ReviewItem>>, Option<String>), Failure> {
    let Some(attempt_id) = d.attempt_id else {
        return Ok((
            None,
            Some("Диагностика пройдена на другой платформе: разбора заданий нет".into()),
        ));
    };
    let row = state
        .store
        .attempt(attempt_id)
        .await?
        .ok_or(Failure::NotFound)?;
    let allowed = match bank.review {
        domain::Review::None => {
            return Ok((
                None,
                Some("Разбор заданий этой диагностики не предусмотрен".into()),
            ));
        }
        domain::Review::AfterSubmit => true,
        domain::Review::AfterClose => {
            let campaign = state
                .store
                .campaign(row.campaign_id)
                .await?
                .ok_or(Failure::NotFound)?;
            crate::diagnostics::window(&campaign, state.config.today()) == Window::Closed
        }
    };
    if !allowed {
        return Ok((
            None,
            Some("Разбор заданий будет доступен после закрытия диагностики".into()),
        ));
    }
    let form = Diagnostics::form(&row)?;
    let responses: BTreeMap<String, Answer> = state.diagnostics.responses(attempt_id).await?;
    let mut items = Vec::new();
    for (i, f) in form.items.iter().enumerate() {
        let Some(item) = bank.item(&f.id) else {
            continue;
        };
        let given = responses.get(&f.id);
        let score = domain::score_item(item, given.unwrap_or(&Answer::Null));
        items.push(app::ReviewItem {
            position: i + 1,
            competence_title: bank
                .competence(&item.competence)
                .map(|c| c.title.clone())
                .unwrap_or_default(),
            kind: kind_title(&item.kind).into(),
            context: item.context.clone(),
            stem: item.stem.clone(),
            given: describe(item, given),
            correct: describe_key(item),
            score_text: format!("{} из {}", rational_text(score), rational_text(item.points)),
            full: score == item.points,
            explanation: item.explanation.clone(),
        });
    }
    Ok((Some(items), None))
}

// ---- campaigns (ЦНППМ) ------------------------------------------------------

fn status_text(w: Window) -> &'static str {
    match w {
        Window::Planned => "запланирована",
        Window::Open => "открыта",
        Window::Closed => "завершена",
    }
}

/// The people and schools a caller can see, read once per page: every
/// campaign's audience is counted over them.
struct People {
    schools: std::collections::HashMap<domain::SchoolCode, domain::School>,
    staff: Vec<domain::Account>,
}

impl People {
    async fn read(state: &AppState, scope: &Scope) -> Result<People, Failure> {
        let schools = state
            .store
            .schools(scope, &store::SchoolFilter::default())
            .await?
            .into_iter()
            .map(|s| (s.school.code.clone(), s.school))
            .collect();
        let staff = state.store.staff(scope, &StaffFilter::default()).await?;
        Ok(People { schools, staff })
    }

    /// The schools of the accounts a campaign addresses (one entry per
    /// account; `None` for accounts without a school).
    async fn addressed(
        &self,
        state: &AppState,
        campaign: &store::CampaignRow,
    ) -> Result<Vec<Option<domain::SchoolCode>>, Failure> {
        let audience = Audience::parse(&campaign.audience)
            .map_err(|e| Failure::internal(format!("stored audience: {e}")))?;
        let bank = state.diagnostics.bank(campaign.bank_version_id).await?;
        Ok(self
            .staff
            .iter()
            .filter(|a| {
                let school = a.school.as_ref().and_then(|s| self.schools.get(s));
                audience.includes(a, school, &bank.subjects)
            })
            .map(|a| a.school.clone())
            .collect())
    }
}

async fn campaign_row(
    state: &AppState,
    scope: &Scope,
    people: &People,
    c: store::CampaignRow,
) -> Result<app::CampaignRow, Failure> {
    let audience = Audience::parse(&c.audience)
        .map(|a| a.describe())
        .unwrap_or_else(|_| c.audience.clone());
    let participation = state.store.campaign_participation(scope, c.id).await?;
    Ok(app::CampaignRow {
        id: c.id,
        title: c.title.clone(),
        bank_title: c.bank_title.clone(),
        window: format!(
            "{} – {}",
            c.opens_on.format("%d.%m.%Y"),
            c.closes_on.format("%d.%m.%Y")
        ),
        audience,
        status: status_text(crate::diagnostics::window(&c, state.config.today())).into(),
        addressed: people.addressed(state, &c).await?.len(),
        started: participation.iter().map(|p| p.started as usize).sum(),
        finished: participation.iter().map(|p| p.finished as usize).sum(),
    })
}

async fn campaigns_page(
    state: &AppState,
    c: &Caller,
    csrf: &Csrf,
    error: Option<String>,
    form: app::NewCampaignForm,
) -> PageResult {
    let scope = c.scope();
    let people = People::read(state, &scope).await?;
    let mut campaigns = Vec::new();
    for row in state.store.campaigns().await? {
        campaigns.push(campaign_row(state, &scope, &people, row).await?);
    }
    let mut banks: Vec<app::BankOption> = Vec::new();
    for v in state.store.bank_versions().await? {
        if !banks.iter().any(|b| b.title == v.title) {
            banks.push(app::BankOption {
                id: v.id,
                title: v.title,
                version: v.version,
            });
        }
    }
    let status = if error.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    let page = app::render_campaigns(&app::CampaignsPage {
        chrome: chrome(c, csrf, "/campaigns"),
        campaigns,
        banks,
        csrf: csrf.0.clone(),
        error,
        form,
    });
    Ok((status, axum::response::Html(page)).into_response())
}

pub async fn campaigns(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    csrf: Csrf,
) -> PageResult {
    let today = state.config.today();
    let form = app::NewCampaignForm {
        from: today.format("%Y-%m-%d").to_string(),
        to: (today + chrono::Days::new(30))
            .format("%Y-%m-%d")
            .to_string(),
        audience_kind: "all".into(),
        ..app::NewCampaignForm::default()
    };
    campaigns_page(&state, &c, &csrf, None, form).await
}

#[derive(Debug, Deserialize)]
pub struct NewCampaignFields {
    #[serde(default)]
    title: String,
    #[serde(default)]
    bank: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    audience_kind: String,
    #[serde(default)]
    audience_value: String,
}

pub async fn open_campaign(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    csrf: Csrf,
    axum::Form(f): axum::Form<NewCampaignFields>,
) -> PageResult {
    let form = app::NewCampaignForm {
        title: f.title.clone(),
        bank: f.bank.clone(),
        from: f.from.clone(),
        to: f.to.clone(),
        audience_kind: f.audience_kind.clone(),
        audience_value: f.audience_value.clone(),
    };
    let parsed = (|| -> Result<store::NewCampaign, String> {
        let title = f.title.trim();
        if title.is_empty() {
            return Err("Укажите название кампании".into());
        }
        let bank_version_id: i64 = f.bank.parse().map_err(|_| "Выберите банк".to_string())?;
        let date = |v: &str, what: &str| {
            chrono::NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d")
                .map_err(|_| format!("Укажите {what} в виде ГГГГ-ММ-ДД"))
        };
        let opens_on = date(&f.from, "первый день")?;
        let closes_on = date(&f.to, "последний день")?;
        if closes_on < opens_on {
            return Err("Последний день раньше первого".into());
        }
        let text = match f.audience_kind.as_str() {
            "" | "all" => "all".to_string(),
            "students_low_results" => "students_low_results".to_string(),
            kind => format!("{kind}:{}", f.audience_value.trim()),
        };
        let audience = Audience::parse(&text).map_err(|e| format!("Аудитория: {}", e.0))?;
        Ok(store::NewCampaign {
            title: title.to_string(),
            bank_version_id,
            opens_on,
            closes_on,
            audience: audience.to_string(),
        })
    })();
    let new = match parsed {
        Ok(n) => n,
        Err(message) => return campaigns_page(&state, &c, &csrf, Some(message), form).await,
    };
    match state
        .store
        .create_campaign(Some(&c.login), new, now_millis())
        .await
    {
        Ok(id) => Ok(Redirect::to(&format!("/campaigns/{id}")).into_response()),
        Err(store::StoreError::Conflict(message)) => {
            campaigns_page(&state, &c, &csrf, Some(message), form).await
        }
        Err(e) => Err(Failure::from(e).into()),
    }
}

pub async fn campaign(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    csrf: Csrf,
    Path(id): Path<i64>,
) -> PageResult {
    let row = state.store.campaign(id).await?.ok_or(Failure::NotFound)?;
    let bank_title = row.bank_title.clone();
    let scope = c.scope();
    let participation = state.store.campaign_participation(&scope, id).await?;
    let people = People::read(&state, &scope).await?;
    let members = people.addressed(&state, &row).await?;
    let schools = &people.schools;
    let municipality_names: std::collections::HashMap<_, _> = state
        .store
        .municipalities(&scope)
        .await?
        .into_iter()
        .map(|m| (m.municipality.code.clone(), m.municipality.name))
        .collect();
    // (addressed, started, finished) per school, then per municipality.
    let mut per_school: BTreeMap<domain::SchoolCode, (usize, usize, usize)> = BTreeMap::new();
    for school in members.iter().flatten() {
        per_school.entry(school.clone()).or_default().0 += 1;
    }
    for p in &participation {
        let e = per_school.entry(p.school.clone()).or_default();
        e.1 += p.started as usize;
        e.2 += p.finished as usize;
    }
    let mut per_municipality: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    let mut school_rows = Vec::new();
    for (code, (addressed, started, finished)) in &per_school {
        let Some(school) = schools.get(code) else {
            continue;
        };
        let m = municipality_names
            .get(&school.municipality)
            .cloned()
            .unwrap_or_else(|| school.municipality.to_string());
        let e = per_municipality.entry(m.clone()).or_default();
        e.0 += addressed;
        e.1 += started;
        e.2 += finished;
        school_rows.push(app::ParticipationView {
            name: format!("{} ({m})", school.display_name()),
            href: Some(format!("/schools/{code}")),
            addressed: *addressed,
            started: *started,
            finished: *finished,
        });
    }
    let mut rows: Vec<app::ParticipationView> = per_municipality
        .into_iter()
        .map(
            |(name, (addressed, started, finished))| app::ParticipationView {
                name,
                href: None,
                addressed,
                started,
                finished,
            },
        )
        .collect();
    rows.extend(school_rows);
    let campaign = campaign_row(&state, &scope, &people, row).await?;
    Ok(html(app::render_campaign(&app::CampaignPage {
        chrome: chrome(&c, &csrf, "/campaigns"),
        campaign,
        bank_title,
        rows,
    })))
}

// ---- bank authors -------------------------------------------------------------

fn ratio_text(v: Option<f64>) -> String {
    v.map_or_else(|| "—".into(), |x| format!("{x:.2}").replace('.', ","))
}

pub async fn banks(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    csrf: Csrf,
) -> PageResult {
    let scope = c.scope();
    let mut banks = Vec::new();
    for v in state.store.bank_versions().await? {
        let attempts = state
            .store
            .finished_attempts_of_version(&scope, v.id)
            .await?
            .len();
        banks.push(app::BankVersionView {
            id: v.id,
            bank_id: v.bank_id,
            title: v.title,
            version: v.version,
            file_name: v.file_name,
            loaded_at: local_time(&state, v.loaded_at),
            attempts,
        });
    }
    Ok(html(app::render_banks(&app::BanksPage {
        chrome: chrome(&c, &csrf, "/banks"),
        banks,
    })))
}

pub async fn bank_analysis(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    csrf: Csrf,
    Path(id): Path<i64>,
) -> PageResult {
    state
        .store
        .bank_version(id)
        .await?
        .ok_or(Failure::NotFound)?;
    let bank = state.diagnostics.bank(id).await?;
    let finished = state
        .store
        .finished_attempts_of_version(&c.scope(), id)
        .await?;
    let mut scored = Vec::with_capacity(finished.len());
    for (attempt, raw) in &finished {
        let form = Diagnostics::form(attempt)?;
        let mut given = BTreeMap::new();
        for f in &form.items {
            let answer = match raw.get(&f.id) {
                Some(json) => serde_json::from_str(json)
                    .map_err(|e| Failure::internal(format!("stored response: {e}")))?,
                None => Answer::Null,
            };
            given.insert(f.id.clone(), answer);
        }
        scored.push(
            domain::analysis::ScoredAttempt::score(&bank, &given)
                .map_err(|e| Failure::internal(format!("scoring attempt {}: {e}", attempt.id)))?,
        );
    }
    let policy = domain::analysis::AnalysisPolicy::default();
    let (items, competences) = domain::analysis::analyse(&bank, &scored, &policy);
    let flags = |f: &[domain::analysis::Flag]| f.iter().map(|x| x.describe(&policy)).collect();
    Ok(html(app::render_bank_analysis(&app::BankAnalysisPage {
        chrome: chrome(&c, &csrf, "/banks"),
        title: bank.title.clone(),
        version: bank.version.clone(),
        attempts: finished.len(),
        competences: competences
            .iter()
            .map(|s| app::CompetenceStatsView {
                code: s.competence.clone(),
                title: bank
                    .competence(&s.competence)
                    .map(|x| x.title.clone())
                    .unwrap_or_default(),
                n: s.n,
                alpha: ratio_text(s.alpha),
                flags: flags(&s.flags),
            })
            .collect(),
        items: items
            .iter()
            .map(|s| {
                let item = bank.item(&s.item);
                app::ItemStatsView {
                    id: s.item.clone(),
                    competence: s.competence.clone(),
                    kind: item
                        .map(|i| kind_title(&i.kind).to_string())
                        .unwrap_or_default(),
                    stem: item.map(|i| app::excerpt(&i.stem, 120)).unwrap_or_default(),
                    n: s.n,
                    facility: ratio_text(s.facility),
                    discrimination: ratio_text(s.discrimination),
                    flags: flags(&s.flags),
                }
            })
            .collect(),
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(kind: ItemKind) -> Item {
        Item {
            id: "K1-001".into(),
            competence: "K1".into(),
            kind,
            context: None,
            stem: "?".into(),
            points: domain::Rational::ONE,
            explanation: None,
        }
    }

    fn f(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn forms_become_answers_by_kind() {
        let opts = vec!["a".to_string(), "b".into(), "c".into()];
        let single = item(ItemKind::Single {
            options: opts.clone(),
            answer: 0,
        });
        assert_eq!(
            form_answer(&single, &f(&[("choice", "2")])).unwrap(),
            Answer::Index(2)
        );
        assert_eq!(
            form_answer(&single, &f(&[("csrf", "x")])).unwrap(),
            Answer::Null
        );
        let multiple = item(ItemKind::Multiple {
            options: opts.clone(),
            answer: vec![0],
        });
        assert_eq!(
            form_answer(&multiple, &f(&[("choice", "0"), ("choice", "2")])).unwrap(),
            Answer::Indices(vec![0, 2])
        );
        let ordering = item(ItemKind::Ordering {
            options: opts.clone(),
            answer: vec![0, 1, 2],
        });
        assert_eq!(
            form_answer(
                &ordering,
                &f(&[("pos_0", "3"), ("pos_1", "1"), ("pos_2", "2")])
            )
            .unwrap(),
            Answer::Indices(vec![1, 2, 0])
        );
        assert!(
            form_answer(
                &ordering,
                &f(&[("pos_0", "1"), ("pos_1", "1"), ("pos_2", "2")])
            )
            .is_err()
        );
        let matching = item(ItemKind::Matching {
            left: vec!["x".into(), "y".into()],
            right: opts.clone(),
            answer: vec![(0, 0), (1, 1)],
        });
        assert_eq!(
            form_answer(&matching, &f(&[("match_0", "2"), ("match_1", "")])).unwrap(),
            Answer::Pairs(vec![(0, 2)])
        );
        let numeric = item(ItemKind::Numeric {
            value: Decimal::parse("12.5").unwrap(),
            tolerance: Decimal::parse("0").unwrap(),
        });
        assert_eq!(
            form_answer(&numeric, &f(&[("number", "12,5")])).unwrap(),
            Answer::Number(Decimal::parse("12.5").unwrap())
        );
        assert!(
            form_answer(&numeric, &f(&[("number", "двенадцать")]))
                .unwrap_err()
                .contains("не число")
        );
        let text = item(ItemKind::Text {
            accepted: vec!["нн".into()],
        });
        assert_eq!(
            form_answer(&text, &f(&[("text", " НН ")])).unwrap(),
            Answer::Text("НН".into())
        );
    }

    #[test]
    fn answers_read_in_words() {
        let opts = vec!["первый".to_string(), "второй".into()];
        let ordering = item(ItemKind::Ordering {
            options: opts,
            answer: vec![1, 0],
        });
        assert_eq!(describe_key(&ordering), "второй → первый");
        assert_eq!(describe(&ordering, None), "не дан ответ");
        assert_eq!(
            describe(&ordering, Some(&Answer::Indices(vec![0, 1]))),
            "первый → второй"
        );
        assert_eq!(change_text(62.5, 50.0), "+12,50");
        assert_eq!(change_text(40.0, 45.0), "−5,00");
    }
}
