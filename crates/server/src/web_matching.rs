//! «Подбор»: the matching board of a ЦНППМ methodist (or an administrator).
//!
//! A run computes a proposal and stores it (nothing is assigned yet); the
//! board shows what is new in it with the reasons, the loads, who is left
//! without and why; «Принять все» or the chosen rows record assignments
//! (limits re-checked in the store's transaction). One teacher's (school's)
//! page changes or ends an assignment by hand: a change that breaks a limit
//! or a preference is shown with its warnings and needs a confirmation.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::{Caller, Login, RegionAuthority, SchoolCode, Scope};
use serde::Deserialize;
use store::{AssignmentFilter, SchoolAssignmentFilter, StoreError};

use crate::auth::now_millis;
use crate::error::{Failure, PageError};
use crate::matching::{MethodistFacts, SchoolFacts};
use crate::session::{Csrf, PageCaller};
use crate::state::AppState;
use crate::web::{chrome, html, local_time};

type PageResult = Result<Response, PageError>;

/// Active assignments a board lists at most.
const ACTIVE_LIMIT: usize = 200;

const NAV: &str = "/matching/methodists";

fn authority(c: &Caller) -> Result<RegionAuthority, PageError> {
    RegionAuthority::for_route_work(c).ok_or_else(|| Failure::Forbidden.into())
}

fn fields(body: &Bytes) -> Vec<(String, String)> {
    form_urlencoded::parse(body).into_owned().collect()
}

fn field(fields: &[(String, String)], name: &str) -> String {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_default()
}

fn redirect_done(path: &str, done: &str) -> Response {
    let query: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("done", done)
        .finish();
    Redirect::to(&format!("{path}?{query}")).into_response()
}

/// «12.11.2026 10:15 (МСК), Петрова Анна Андреевна».
fn when_by(state: &AppState, at: store::Millis, by: Option<&str>) -> String {
    match by {
        Some(name) => format!("{}, {name}", local_time(state, at)),
        None => format!("{}, из командной строки", local_time(state, at)),
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct BoardQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    done: String,
}

// ---- methodists ------------------------------------------------------------------

impl MethodistFacts {
    /// «МБОУ СОШ № 3, Вяземский район».
    fn teacher_detail(&self, login: &Login) -> String {
        let Some(a) = self.accounts.get(login) else {
            return String::new();
        };
        let school = a.school.as_ref().and_then(|c| self.schools.get(c));
        let mut parts = Vec::new();
        if let Some(s) = school {
            parts.push(s.display_name().to_string());
            if let Some(m) = self.municipalities.get(&s.municipality) {
                parts.push(m.clone());
            }
        }
        if !a.attrs.subjects.is_empty() {
            parts.push(a.attrs.subjects.join(", "));
        }
        parts.join(" · ")
    }

    fn methodist_detail(&self, slot: &domain::matching::MethodistSlot) -> String {
        let place = if slot.remote {
            "дистанционно".to_string()
        } else {
            match &slot.municipality {
                Some(m) => self
                    .municipalities
                    .get(m)
                    .cloned()
                    .unwrap_or_else(|| m.to_string()),
                None => "без привязки к муниципалитету".to_string(),
            }
        };
        let subjects = if slot.subjects.is_empty() {
            "предметы не указаны".to_string()
        } else {
            slot.subjects.join(", ")
        };
        format!("{subjects} · {place}")
    }
}

async fn methodist_board(
    state: &AppState,
    c: &Caller,
    csrf: &Csrf,
    query: &str,
    notice: Option<String>,
    error: Option<String>,
) -> PageResult {
    let auth = authority(c)?;
    let store = state.store.as_ref();
    let facts = crate::matching::methodist_facts(store, &auth, state.config.today()).await?;
    let names = crate::iom::level_names(store).await?;
    let run = crate::matching::methodist_run(store).await?;
    let loads = facts.loads();
    let mut page = app::MatchingPage {
        chrome: chrome(c, csrf, NAV),
        csrf: csrf.0.clone(),
        kind: app::MatchingKind::Methodists,
        notice,
        error,
        run: None,
        proposals: Vec::new(),
        kept: 0,
        unassigned: Vec::new(),
        endings: Vec::new(),
        capacities: Vec::new(),
        classes: Vec::new(),
        active: Vec::new(),
        active_more: 0,
        query: query.to_string(),
    };
    if let Some((r, m)) = run {
        let by = r.run_by.as_ref().map(|l| facts.name(l));
        page.run = Some(when_by(state, r.run_at, by.as_deref()));
        page.kept = m.assignments.iter().filter(|a| a.kept).count();
        for a in m.assignments.iter().filter(|a| !a.kept) {
            if facts.active.get(&a.teacher) == Some(&a.methodist) {
                continue;
            }
            page.proposals.push(app::ProposalView {
                key: a.teacher.to_string(),
                who: facts.name(&a.teacher),
                who_detail: facts.teacher_detail(&a.teacher),
                class: a.class,
                target: facts.name(&a.methodist),
                target_detail: facts
                    .slot(&a.methodist)
                    .map(|s| facts.methodist_detail(s))
                    .unwrap_or_default(),
                reasons: a.reasons.clone(),
            });
        }
        for u in &m.unassigned {
            let Ok(login) = Login::parse(&u.who) else {
                continue;
            };
            if facts.active.contains_key(&login) {
                continue;
            }
            page.unassigned.push(app::UnassignedView {
                key: u.who.clone(),
                who: facts.name(&login),
                who_detail: facts.teacher_detail(&login),
                class: u.class,
                why: u.why.clone(),
            });
        }
        for e in &m.endings {
            let (Ok(t), Ok(with)) = (Login::parse(&e.who), Login::parse(&e.with)) else {
                continue;
            };
            if facts.active.get(&t) != Some(&with) {
                continue;
            }
            page.endings.push(app::EndingView {
                key: e.who.clone(),
                who: facts.name(&t),
                with: facts.name(&with),
                why: e.why.clone(),
            });
        }
    }
    page.capacities = facts
        .slots
        .iter()
        .map(|s| app::CapacityView {
            name: facts.name(&s.login),
            detail: facts.methodist_detail(s),
            load: loads.get(&s.login).copied().unwrap_or_default(),
            capacity: s.capacity,
        })
        .collect();
    page.classes = facts
        .policy
        .methodist_priority
        .iter()
        .enumerate()
        .map(|(i, kind)| {
            let class = i as u8 + 1;
            let needing: Vec<&Login> = facts
                .needs
                .iter()
                .filter(|n| n.class == class)
                .map(|n| &n.login)
                .collect();
            let active = needing
                .iter()
                .filter(|l| facts.active.contains_key(**l))
                .count();
            (
                format!("{class}: {}", kind.title(&names)),
                active,
                needing.len(),
            )
        })
        .collect();
    let q = query.trim().to_lowercase();
    let mut rows: Vec<&store::AssignmentRow> = facts
        .active_rows
        .iter()
        .filter(|r| {
            q.is_empty()
                || r.teacher.as_str().contains(&q)
                || facts.name(&r.teacher).to_lowercase().contains(&q)
                || facts.name(&r.methodist).to_lowercase().contains(&q)
        })
        .collect();
    rows.sort_by_cached_key(|r| facts.name(&r.teacher));
    page.active_more = rows.len().saturating_sub(ACTIVE_LIMIT);
    page.active = rows
        .into_iter()
        .take(ACTIVE_LIMIT)
        .map(|r| app::ActiveView {
            key: r.teacher.to_string(),
            who: facts.name(&r.teacher),
            who_detail: facts.teacher_detail(&r.teacher),
            target: facts.name(&r.methodist),
            since: when_by(
                state,
                r.started_at,
                r.started_by.as_ref().map(|l| facts.name(l)).as_deref(),
            ),
            reasons: r.reasons.clone(),
        })
        .collect();
    let status = if page.error.is_some() {
        StatusCode::CONFLICT
    } else {
        StatusCode::OK
    };
    Ok((status, html(app::render_matching(&page))).into_response())
}

pub async fn index() -> Response {
    Redirect::to(NAV).into_response()
}

pub async fn methodists(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    csrf: Csrf,
    Query(q): Query<BoardQuery>,
) -> PageResult {
    let notice = (!q.done.is_empty()).then(|| q.done.clone());
    methodist_board(&state, &c, &csrf, &q.q, notice, None).await
}

pub async fn run_methodists(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
) -> PageResult {
    let auth = authority(&c)?;
    let store = state.store.as_ref();
    let (m, _) = crate::matching::propose_methodists(store, &auth, state.config.today()).await?;
    crate::matching::save_methodist_run(store, &auth, &m, now_millis()).await?;
    let new = m.assignments.iter().filter(|a| !a.kept).count();
    Ok(redirect_done(
        NAV,
        &format!(
            "Подбор выполнен: новых предложений {new}, без назначения {}. Ничего не записано, пока вы не примете предложения.",
            m.unassigned.len()
        ),
    ))
}

pub async fn accept_methodists(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    csrf: Csrf,
    body: Bytes,
) -> PageResult {
    let auth = authority(&c)?;
    let fields = fields(&body);
    let store = state.store.as_ref();
    let Some((_, m)) = crate::matching::methodist_run(store).await? else {
        return methodist_board(
            &state,
            &c,
            &csrf,
            "",
            None,
            Some("Сначала запустите подбор.".into()),
        )
        .await;
    };
    let all = !field(&fields, "all").is_empty();
    let picked: Vec<Login> = fields
        .iter()
        .filter(|(k, _)| k == "pick")
        .filter_map(|(_, v)| Login::parse(v).ok())
        .collect();
    if !all && picked.is_empty() {
        return methodist_board(
            &state,
            &c,
            &csrf,
            "",
            None,
            Some("Отметьте предложения, которые принимаете, или нажмите «Принять все».".into()),
        )
        .await;
    }
    let only = (!all).then_some(picked.as_slice());
    match crate::matching::apply_methodists(store, &auth, &m, only, now_millis()).await {
        Ok(applied) => Ok(redirect_done(
            NAV,
            &format!(
                "Принято назначений: {}; завершено: {}.",
                applied.counts.started, applied.ended
            ),
        )),
        Err(Failure::Conflict(message)) => {
            methodist_board(
                &state,
                &c,
                &csrf,
                "",
                None,
                Some(format!(
                    "{message}. Ничего не записано: запустите подбор заново — он учтёт изменения."
                )),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

fn level_title(level: Option<domain::Level>, names: &domain::LevelNames) -> String {
    level.map_or_else(
        || "нет действующей диагностики".to_string(),
        |l| names.name(l).to_string(),
    )
}

/// [`teacher_page_with`] on freshly read facts.
#[allow(clippy::too_many_arguments)]
async fn teacher_page(
    state: &AppState,
    c: &Caller,
    csrf: &Csrf,
    login: &Login,
    chosen: String,
    reason: String,
    warnings: Vec<String>,
    notice: Option<String>,
    error: Option<String>,
) -> PageResult {
    let auth = authority(c)?;
    let store = state.store.as_ref();
    let facts = crate::matching::methodist_facts(store, &auth, state.config.today()).await?;
    teacher_page_with(
        state, c, csrf, &facts, login, chosen, reason, warnings, notice, error,
    )
    .await
}

/// The page on facts the caller has just read (a refusal or a warning
/// before anything was written: nothing changed since).
#[allow(clippy::too_many_arguments)]
async fn teacher_page_with(
    state: &AppState,
    c: &Caller,
    csrf: &Csrf,
    facts: &MethodistFacts,
    login: &Login,
    chosen: String,
    reason: String,
    warnings: Vec<String>,
    notice: Option<String>,
    error: Option<String>,
) -> PageResult {
    let store = state.store.as_ref();
    let Some(account) = facts.accounts.get(login) else {
        return Err(Failure::NotFound.into());
    };
    let names = crate::iom::level_names(store).await?;
    let need = facts.need(login);
    let mut page_facts = vec![
        ("Где работает".to_string(), facts.teacher_detail(login)),
        (
            "Уровень дефицитов".to_string(),
            level_title(need.and_then(|n| n.level), &names),
        ),
    ];
    page_facts.push((
        "Нуждается в методисте".to_string(),
        match need {
            Some(n) => format!("да, приоритет {}: {}", n.class, n.kind.title(&names)),
            None => "нет (по правилам региона)".to_string(),
        },
    ));
    if let Some(y) = account.attrs.experience_years {
        page_facts.push(("Стаж".to_string(), app::ru_years(y)));
    }
    let history = store
        .methodist_assignments(
            &Scope::region(),
            &AssignmentFilter {
                active_only: false,
                teacher: Some(login.clone()),
                methodist: None,
            },
        )
        .await?;
    let loads = facts.loads();
    let current = facts.active.get(login);
    let chosen = if chosen.is_empty() {
        current.map(|m| m.to_string()).unwrap_or_default()
    } else {
        chosen
    };
    let page = app::AssignmentPage {
        chrome: chrome(c, csrf, NAV),
        csrf: csrf.0.clone(),
        kind: app::MatchingKind::Methodists,
        key: login.to_string(),
        who: account.full_name.clone(),
        facts: page_facts,
        current: current.map(|m| facts.name(m)),
        history: history
            .iter()
            .map(|h| app::HistoryView {
                target: facts.name(&h.methodist),
                started: when_by(
                    state,
                    h.started_at,
                    h.started_by.as_ref().map(|l| facts.name(l)).as_deref(),
                ),
                ended: h.ended_at.map(|at| {
                    when_by(
                        state,
                        at,
                        h.ended_by.as_ref().map(|l| facts.name(l)).as_deref(),
                    )
                }),
                end_reason: h.end_reason.clone(),
                reasons: h.reasons.clone(),
            })
            .collect(),
        options: facts
            .slots
            .iter()
            .filter(|s| &s.login != login)
            .map(|s| {
                let load = loads.get(&s.login).copied().unwrap_or_default();
                (
                    s.login.to_string(),
                    format!(
                        "{} — {} — нагрузка {load} из {}",
                        facts.name(&s.login),
                        facts.methodist_detail(s),
                        s.capacity
                    ),
                )
            })
            .collect(),
        chosen,
        reason,
        warnings,
        error,
        notice,
    };
    let status = if page.error.is_some() {
        StatusCode::CONFLICT
    } else {
        StatusCode::OK
    };
    Ok((status, html(app::render_assignment(&page))).into_response())
}

#[derive(Debug, Deserialize, Default)]
pub struct DoneQuery {
    #[serde(default)]
    done: String,
}

pub async fn methodist_assignment(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    csrf: Csrf,
    Path(login): Path<String>,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let login = Login::parse(&login).map_err(|_| Failure::NotFound)?;
    let notice = (!q.done.is_empty()).then_some(q.done);
    teacher_page(
        &state,
        &c,
        &csrf,
        &login,
        String::new(),
        String::new(),
        Vec::new(),
        notice,
        None,
    )
    .await
}

pub async fn assign_methodist(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    csrf: Csrf,
    Path(login): Path<String>,
    body: Bytes,
) -> PageResult {
    let auth = authority(&c)?;
    let teacher = Login::parse(&login).map_err(|_| Failure::NotFound)?;
    let fields = fields(&body);
    let target = field(&fields, "target");
    let reason = field(&fields, "reason");
    let confirmed = field(&fields, "confirm") == target;
    let store = state.store.as_ref();
    let facts = crate::matching::methodist_facts(store, &auth, state.config.today()).await?;
    if !facts.accounts.contains_key(&teacher) {
        return Err(Failure::NotFound.into());
    }
    let slot = Login::parse(&target)
        .ok()
        .and_then(|l| facts.slot(&l).cloned());
    let Some(slot) = slot else {
        return teacher_page_with(
            &state,
            &c,
            &csrf,
            &facts,
            &teacher,
            target,
            reason,
            Vec::new(),
            None,
            Some("Выберите регионального методиста из списка.".into()),
        )
        .await;
    };
    if facts.active.get(&teacher) == Some(&slot.login) {
        return Ok(redirect_done(
            &format!("{NAV}/{teacher}"),
            "Этот методист уже назначен.",
        ));
    }
    let warnings = facts.warnings(&teacher, &slot);
    if !warnings.is_empty() && !confirmed {
        return teacher_page_with(
            &state, &c, &csrf, &facts, &teacher, target, reason, warnings, None, None,
        )
        .await;
    }
    let mut reasons = vec!["назначен вручную".to_string()];
    reasons.extend(warnings);
    let replace = if reason.is_empty() {
        "переназначен вручную".to_string()
    } else {
        reason.clone()
    };
    match crate::matching::assign_by_hand(
        store,
        &auth,
        &teacher,
        &slot.login,
        reasons,
        &replace,
        now_millis(),
    )
    .await
    {
        Ok(_) => Ok(redirect_done(
            &format!("{NAV}/{teacher}"),
            &format!("Назначен методист: {}.", facts.name(&slot.login)),
        )),
        Err(Failure::Conflict(message)) => {
            teacher_page(
                &state,
                &c,
                &csrf,
                &teacher,
                target,
                reason,
                Vec::new(),
                None,
                Some(message),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn end_methodist(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    csrf: Csrf,
    Path(login): Path<String>,
    body: Bytes,
) -> PageResult {
    let auth = authority(&c)?;
    let teacher = Login::parse(&login).map_err(|_| Failure::NotFound)?;
    let fields = fields(&body);
    let reason = field(&fields, "reason");
    let message = if reason.is_empty() {
        "Укажите причину завершения.".to_string()
    } else {
        match state
            .store
            .end_methodist_assignment(&auth, &teacher, &reason, now_millis())
            .await
        {
            Ok(_) => {
                return Ok(redirect_done(
                    &format!("{NAV}/{teacher}"),
                    "Назначение завершено.",
                ));
            }
            Err(StoreError::Conflict(m)) => m,
            Err(StoreError::NotFound) => "Действующего назначения нет.".to_string(),
            Err(e) => return Err(Failure::from(e).into()),
        }
    };
    teacher_page(
        &state,
        &c,
        &csrf,
        &teacher,
        String::new(),
        String::new(),
        Vec::new(),
        None,
        Some(message),
    )
    .await
}

// ---- mentor schools --------------------------------------------------------------

const SCHOOLS: &str = "/matching/schools";

impl SchoolFacts {
    fn school_detail(&self, code: &SchoolCode) -> String {
        let Some(s) = self.schools.get(code) else {
            return String::new();
        };
        let mut parts = vec![code.to_string()];
        if let Some(m) = self.municipalities.get(&s.municipality) {
            parts.push(m.clone());
        }
        parts.push(
            if s.rural {
                "сельская"
            } else {
                "городская"
            }
            .to_string(),
        );
        let flags: Vec<&str> = s.clusters.iter().map(|f| f.short()).collect();
        if !flags.is_empty() {
            parts.push(flags.join(", "));
        }
        if s.critical_monitoring {
            parts.push("критические значения".to_string());
        }
        parts.join(" · ")
    }
}

async fn school_board(
    state: &AppState,
    c: &Caller,
    csrf: &Csrf,
    query: &str,
    notice: Option<String>,
    error: Option<String>,
) -> PageResult {
    let auth = authority(c)?;
    let store = state.store.as_ref();
    let facts = crate::matching::school_facts(store, &auth).await?;
    let run = crate::matching::school_run(store).await?;
    let loads = facts.loads();
    let mut page = app::MatchingPage {
        chrome: chrome(c, csrf, NAV),
        csrf: csrf.0.clone(),
        kind: app::MatchingKind::Schools,
        notice,
        error,
        run: None,
        proposals: Vec::new(),
        kept: 0,
        unassigned: Vec::new(),
        endings: Vec::new(),
        capacities: Vec::new(),
        classes: Vec::new(),
        active: Vec::new(),
        active_more: 0,
        query: query.to_string(),
    };
    if let Some((r, m)) = run {
        let by = match &r.run_by {
            Some(l) => Some(
                store
                    .account(&Scope::region(), l)
                    .await?
                    .map_or_else(|| l.to_string(), |a| a.full_name),
            ),
            None => None,
        };
        page.run = Some(when_by(state, r.run_at, by.as_deref()));
        page.kept = m.assignments.iter().filter(|a| a.kept).count();
        for a in m.assignments.iter().filter(|a| !a.kept) {
            if facts.active.get(&a.school) == Some(&a.mentor_school) {
                continue;
            }
            page.proposals.push(app::ProposalView {
                key: a.school.to_string(),
                who: facts.name(&a.school),
                who_detail: facts.school_detail(&a.school),
                class: a.class,
                target: facts.name(&a.mentor_school),
                target_detail: facts.school_detail(&a.mentor_school),
                reasons: a.reasons.clone(),
            });
        }
        for u in &m.unassigned {
            let Ok(code) = SchoolCode::parse(&u.who) else {
                continue;
            };
            if facts.active.contains_key(&code) {
                continue;
            }
            page.unassigned.push(app::UnassignedView {
                key: u.who.clone(),
                who: facts.name(&code),
                who_detail: facts.school_detail(&code),
                class: u.class,
                why: u.why.clone(),
            });
        }
        for e in &m.endings {
            let (Ok(s), Ok(with)) = (SchoolCode::parse(&e.who), SchoolCode::parse(&e.with)) else {
                continue;
            };
            if facts.active.get(&s) != Some(&with) {
                continue;
            }
            page.endings.push(app::EndingView {
                key: e.who.clone(),
                who: facts.name(&s),
                with: facts.name(&with),
                why: e.why.clone(),
            });
        }
    }
    page.capacities = facts
        .slots
        .iter()
        .map(|s| app::CapacityView {
            name: facts.name(&s.code),
            detail: facts.school_detail(&s.code),
            load: loads.get(&s.code).copied().unwrap_or_default(),
            capacity: s.capacity,
        })
        .collect();
    page.classes = [
        (1u8, "1: критические значения мониторинга"),
        (2, "2: школы кластеров"),
    ]
    .into_iter()
    .map(|(class, title)| {
        let needing: Vec<&SchoolCode> = facts
            .needs
            .iter()
            .filter(|n| n.class == class)
            .map(|n| &n.code)
            .collect();
        let active = needing
            .iter()
            .filter(|s| facts.active.contains_key(**s))
            .count();
        (title.to_string(), active, needing.len())
    })
    .collect();
    let q = query.trim().to_lowercase();
    let mut rows: Vec<&store::SchoolAssignmentRow> = facts
        .active_rows
        .iter()
        .filter(|r| {
            q.is_empty()
                || r.school.as_str().to_lowercase().contains(&q)
                || facts.name(&r.school).to_lowercase().contains(&q)
                || facts.name(&r.mentor_school).to_lowercase().contains(&q)
        })
        .collect();
    rows.sort_by_cached_key(|r| facts.name(&r.school));
    page.active_more = rows.len().saturating_sub(ACTIVE_LIMIT);
    let mut by_names: HashMap<Login, String> = HashMap::new();
    for r in rows.iter().take(ACTIVE_LIMIT) {
        if let Some(l) = &r.started_by
            && !by_names.contains_key(l)
        {
            let name = store
                .account(&Scope::region(), l)
                .await?
                .map_or_else(|| l.to_string(), |a| a.full_name);
            by_names.insert(l.clone(), name);
        }
    }
    page.active = rows
        .into_iter()
        .take(ACTIVE_LIMIT)
        .map(|r| app::ActiveView {
            key: r.school.to_string(),
            who: facts.name(&r.school),
            who_detail: facts.school_detail(&r.school),
            target: facts.name(&r.mentor_school),
            since: when_by(
                state,
                r.started_at,
                r.started_by
                    .as_ref()
                    .and_then(|l| by_names.get(l))
                    .map(String::as_str),
            ),
            reasons: r.reasons.clone(),
        })
        .collect();
    let status = if page.error.is_some() {
        StatusCode::CONFLICT
    } else {
        StatusCode::OK
    };
    Ok((status, html(app::render_matching(&page))).into_response())
}

pub async fn schools(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    csrf: Csrf,
    Query(q): Query<BoardQuery>,
) -> PageResult {
    let notice = (!q.done.is_empty()).then(|| q.done.clone());
    school_board(&state, &c, &csrf, &q.q, notice, None).await
}

pub async fn run_schools(State(state): State<AppState>, PageCaller(c): PageCaller) -> PageResult {
    let auth = authority(&c)?;
    let store = state.store.as_ref();
    let (m, _) = crate::matching::propose_schools(store, &auth).await?;
    crate::matching::save_school_run(store, &auth, &m, now_millis()).await?;
    let new = m.assignments.iter().filter(|a| !a.kept).count();
    Ok(redirect_done(
        SCHOOLS,
        &format!(
            "Подбор выполнен: новых предложений {new}, без назначения {}. Ничего не записано, пока вы не примете предложения.",
            m.unassigned.len()
        ),
    ))
}

pub async fn accept_schools(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    csrf: Csrf,
    body: Bytes,
) -> PageResult {
    let auth = authority(&c)?;
    let fields = fields(&body);
    let store = state.store.as_ref();
    let Some((_, m)) = crate::matching::school_run(store).await? else {
        return school_board(
            &state,
            &c,
            &csrf,
            "",
            None,
            Some("Сначала запустите подбор.".into()),
        )
        .await;
    };
    let all = !field(&fields, "all").is_empty();
    let picked: Vec<SchoolCode> = fields
        .iter()
        .filter(|(k, _)| k == "pick")
        .filter_map(|(_, v)| SchoolCode::parse(v).ok())
        .collect();
    if !all && picked.is_empty() {
        return school_board(
            &state,
            &c,
            &csrf,
            "",
            None,
            Some("Отметьте предложения, которые принимаете, или нажмите «Принять все».".into()),
        )
        .await;
    }
    let policy = crate::matching::policy(store).await?;
    let only = (!all).then_some(picked.as_slice());
    match crate::matching::apply_schools(
        store,
        &auth,
        &m,
        only,
        policy.mentor_capacity,
        now_millis(),
    )
    .await
    {
        Ok(applied) => Ok(redirect_done(
            SCHOOLS,
            &format!(
                "Принято назначений: {}; завершено: {}.",
                applied.counts.started, applied.ended
            ),
        )),
        Err(Failure::Conflict(message)) => {
            school_board(
                &state,
                &c,
                &csrf,
                "",
                None,
                Some(format!(
                    "{message}. Ничего не записано: запустите подбор заново — он учтёт изменения."
                )),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// [`school_page_with`] on freshly read facts.
#[allow(clippy::too_many_arguments)]
async fn school_page(
    state: &AppState,
    c: &Caller,
    csrf: &Csrf,
    code: &SchoolCode,
    chosen: String,
    reason: String,
    warnings: Vec<String>,
    notice: Option<String>,
    error: Option<String>,
) -> PageResult {
    let auth = authority(c)?;
    let store = state.store.as_ref();
    let facts = crate::matching::school_facts(store, &auth).await?;
    school_page_with(
        state, c, csrf, &facts, code, chosen, reason, warnings, notice, error,
    )
    .await
}

/// The page on facts the caller has just read (a refusal or a warning
/// before anything was written: nothing changed since).
#[allow(clippy::too_many_arguments)]
async fn school_page_with(
    state: &AppState,
    c: &Caller,
    csrf: &Csrf,
    facts: &SchoolFacts,
    code: &SchoolCode,
    chosen: String,
    reason: String,
    warnings: Vec<String>,
    notice: Option<String>,
    error: Option<String>,
) -> PageResult {
    let store = state.store.as_ref();
    let Some(school) = facts.schools.get(code) else {
        return Err(Failure::NotFound.into());
    };
    let need = facts.needs.iter().find(|n| &n.code == code);
    let page_facts = vec![
        ("Школа".to_string(), facts.school_detail(code)),
        (
            "Нуждается в школе-наставнике".to_string(),
            match need {
                Some(n) if n.class == 1 => "да, приоритет 1: критические значения".to_string(),
                Some(n) => format!("да, приоритет {}: кластер", n.class),
                None => "нет (по правилам региона)".to_string(),
            },
        ),
    ];
    let history = store
        .mentor_school_assignments(
            &Scope::region(),
            &SchoolAssignmentFilter {
                active_only: false,
                school: Some(code.clone()),
                municipality: None,
            },
        )
        .await?;
    let mut by_names: HashMap<Login, String> = HashMap::new();
    let actors: Vec<Login> = history
        .iter()
        .flat_map(|h| [h.started_by.clone(), h.ended_by.clone()])
        .flatten()
        .collect();
    for l in &actors {
        if !by_names.contains_key(l) {
            let name = store
                .account(&Scope::region(), l)
                .await?
                .map_or_else(|| l.to_string(), |a| a.full_name);
            by_names.insert(l.clone(), name);
        }
    }
    let name_of = |l: &Option<Login>| l.as_ref().and_then(|l| by_names.get(l)).cloned();
    let loads = facts.loads();
    let current = facts.active.get(code);
    let chosen = if chosen.is_empty() {
        current.map(|m| m.to_string()).unwrap_or_default()
    } else {
        chosen
    };
    let page = app::AssignmentPage {
        chrome: chrome(c, csrf, NAV),
        csrf: csrf.0.clone(),
        kind: app::MatchingKind::Schools,
        key: code.to_string(),
        who: school.name.clone(),
        facts: page_facts,
        current: current.map(|m| facts.name(m)),
        history: history
            .iter()
            .map(|h| app::HistoryView {
                target: facts.name(&h.mentor_school),
                started: when_by(state, h.started_at, name_of(&h.started_by).as_deref()),
                ended: h
                    .ended_at
                    .map(|at| when_by(state, at, name_of(&h.ended_by).as_deref())),
                end_reason: h.end_reason.clone(),
                reasons: h.reasons.clone(),
            })
            .collect(),
        options: facts
            .slots
            .iter()
            .filter(|s| &s.code != code)
            .map(|s| {
                let load = loads.get(&s.code).copied().unwrap_or_default();
                (
                    s.code.to_string(),
                    format!(
                        "{} — {} — нагрузка {load} из {}",
                        facts.name(&s.code),
                        facts.school_detail(&s.code),
                        s.capacity
                    ),
                )
            })
            .collect(),
        chosen,
        reason,
        warnings,
        error,
        notice,
    };
    let status = if page.error.is_some() {
        StatusCode::CONFLICT
    } else {
        StatusCode::OK
    };
    Ok((status, html(app::render_assignment(&page))).into_response())
}

pub async fn school_assignment(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    csrf: Csrf,
    Path(code): Path<String>,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let code = SchoolCode::parse(&code).map_err(|_| Failure::NotFound)?;
    let notice = (!q.done.is_empty()).then_some(q.done);
    school_page(
        &state,
        &c,
        &csrf,
        &code,
        String::new(),
        String::new(),
        Vec::new(),
        notice,
        None,
    )
    .await
}

pub async fn assign_school(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    csrf: Csrf,
    Path(code): Path<String>,
    body: Bytes,
) -> PageResult {
    let auth = authority(&c)?;
    let school = SchoolCode::parse(&code).map_err(|_| Failure::NotFound)?;
    let fields = fields(&body);
    let target = field(&fields, "target");
    let reason = field(&fields, "reason");
    let confirmed = field(&fields, "confirm") == target;
    let store = state.store.as_ref();
    let facts = crate::matching::school_facts(store, &auth).await?;
    if !facts.schools.contains_key(&school) {
        return Err(Failure::NotFound.into());
    }
    let slot = SchoolCode::parse(&target)
        .ok()
        .and_then(|s| facts.slot(&s).cloned());
    let Some(slot) = slot.filter(|s| s.code != school) else {
        return school_page_with(
            &state,
            &c,
            &csrf,
            &facts,
            &school,
            target,
            reason,
            Vec::new(),
            None,
            Some("Выберите школу-наставника из списка.".into()),
        )
        .await;
    };
    if facts.active.get(&school) == Some(&slot.code) {
        return Ok(redirect_done(
            &format!("{SCHOOLS}/{school}"),
            "Эта школа-наставник уже назначена.",
        ));
    }
    let warnings = facts.warnings(&school, &slot);
    if !warnings.is_empty() && !confirmed {
        return school_page_with(
            &state, &c, &csrf, &facts, &school, target, reason, warnings, None, None,
        )
        .await;
    }
    let mut reasons = vec!["назначена вручную".to_string()];
    reasons.extend(warnings);
    let replace = if reason.is_empty() {
        "переназначена вручную".to_string()
    } else {
        reason.clone()
    };
    let outcome = store
        .assign_mentor_schools(
            &auth,
            vec![store::NewSchoolAssignment {
                school: school.clone(),
                mentor_school: slot.code.clone(),
                reasons,
            }],
            false,
            facts.policy.mentor_capacity,
            &replace,
            now_millis(),
        )
        .await;
    match outcome {
        Ok(_) => Ok(redirect_done(
            &format!("{SCHOOLS}/{school}"),
            &format!("Назначена школа-наставник: {}.", facts.name(&slot.code)),
        )),
        Err(StoreError::Conflict(message)) => {
            school_page(
                &state,
                &c,
                &csrf,
                &school,
                target,
                reason,
                Vec::new(),
                None,
                Some(message),
            )
            .await
        }
        Err(e) => Err(Failure::from(e).into()),
    }
}

pub async fn end_school(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    csrf: Csrf,
    Path(code): Path<String>,
    body: Bytes,
) -> PageResult {
    let auth = authority(&c)?;
    let school = SchoolCode::parse(&code).map_err(|_| Failure::NotFound)?;
    let fields = fields(&body);
    let reason = field(&fields, "reason");
    let message = if reason.is_empty() {
        "Укажите причину завершения.".to_string()
    } else {
        match state
            .store
            .end_mentor_school_assignment(&auth, &school, &reason, now_millis())
            .await
        {
            Ok(_) => {
                return Ok(redirect_done(
                    &format!("{SCHOOLS}/{school}"),
                    "Назначение завершено.",
                ));
            }
            Err(StoreError::Conflict(m)) => m,
            Err(StoreError::NotFound) => "Действующего назначения нет.".to_string(),
            Err(e) => return Err(Failure::from(e).into()),
        }
    };
    school_page(
        &state,
        &c,
        &csrf,
        &school,
        String::new(),
        String::new(),
        Vec::new(),
        None,
        Some(message),
    )
    .await
}
