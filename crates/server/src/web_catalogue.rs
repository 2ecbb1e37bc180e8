//! «Каталог мероприятий»: browse and filter the entries routes are built
//! from, with the seats approved routes take (counted from the routes, never
//! stored); a ЦНППМ methodist or an administrator edits and adds entries.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use domain::{
    ActivityKind, Caller, CompetenceRef, CourseCode, Entry, Format, MunicipalityCode,
    RegionAuthority, Scope,
};
use serde::Deserialize;

use crate::error::{Failure, PageError};
use crate::session::{Csrf, PageCaller};
use crate::state::AppState;
use crate::web::chrome;

type PageResult = Result<Response, PageError>;

fn day(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

fn dates_text(from: Option<NaiveDate>, to: Option<NaiveDate>) -> String {
    crate::web_routes::dates_or(from, to, "в любое время")
}

/// Competences for the forms, in the banks' order: `BANK:CODE`, title.
async fn competence_list(state: &AppState) -> Result<Vec<(String, String)>, Failure> {
    let banks = state.diagnostics.current_banks().await?;
    Ok(banks
        .iter()
        .flat_map(|b| {
            b.competences.iter().map(move |c| {
                (
                    format!("{}:{}", b.id, c.code),
                    format!("{} — {}", b.id, c.title),
                )
            })
        })
        .collect())
}

async fn municipality_list(state: &AppState) -> Result<Vec<(String, String)>, Failure> {
    Ok(state
        .store
        .municipalities(&Scope::region())
        .await?
        .into_iter()
        .map(|m| (m.municipality.code.to_string(), m.municipality.name.clone()))
        .collect())
}

/// Seats approved and completed routes hold, per entry.
async fn held(state: &AppState) -> Result<HashMap<CourseCode, u32>, Failure> {
    Ok(state
        .store
        .seat_use()
        .await?
        .into_iter()
        .map(|(code, u)| (code, u.held))
        .collect())
}

fn seats_text(capacity: Option<u32>, taken: u32) -> (String, bool) {
    match capacity {
        Some(c) => (
            format!(
                "занято {taken} из {c}, свободно {}",
                c.saturating_sub(taken)
            ),
            taken >= c,
        ),
        None if taken > 0 => (format!("не ограничено, занято {taken}"), false),
        None => ("не ограничено".into(), false),
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct CatalogueQuery {
    #[serde(default)]
    competence: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    format: String,
    #[serde(default)]
    municipality: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    seats: String,
    #[serde(default)]
    done: String,
}

pub async fn catalogue(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    csrf: Csrf,
    Query(q): Query<CatalogueQuery>,
) -> PageResult {
    let entries = state.store.catalogue().await?;
    let taken = held(&state).await?;
    let competences = competence_list(&state).await?;
    let titles: HashMap<&str, &str> = competences
        .iter()
        .map(|(v, t)| (v.as_str(), t.as_str()))
        .collect();
    let municipalities = municipality_list(&state).await?;
    let names: HashMap<&str, &str> = municipalities
        .iter()
        .map(|(v, t)| (v.as_str(), t.as_str()))
        .collect();
    let date = |v: &str| NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").ok();
    let (from, to) = (date(&q.from), date(&q.to));
    let competence = CompetenceRef::parse(&q.competence).ok();
    let kind = ActivityKind::parse(&q.kind).ok();
    let format = Format::parse(&q.format).ok();
    let municipality = MunicipalityCode::parse(&q.municipality).ok();
    let seats_left = q.seats == "left";
    let rows: Vec<app::CatalogueRow> = entries
        .iter()
        .filter(|e| competence.as_ref().is_none_or(|c| e.covers(c)))
        .filter(|e| kind.is_none_or(|k| e.kind == k))
        .filter(|e| format.is_none_or(|f| e.format == f))
        .filter(|e| {
            municipality
                .as_ref()
                .is_none_or(|m| e.municipality.as_ref().is_none_or(|em| em == m))
        })
        .filter(|e| from.is_none_or(|f| e.starts_on.is_none_or(|s| s >= f)))
        .filter(|e| to.is_none_or(|t| e.ends_on.is_none_or(|d| d <= t)))
        .filter(|e| {
            !seats_left
                || e.capacity
                    .is_none_or(|cap| taken.get(&e.code).copied().unwrap_or(0) < cap)
        })
        .map(|e| {
            let (seats, full) = seats_text(e.capacity, taken.get(&e.code).copied().unwrap_or(0));
            app::CatalogueRow {
                code: e.code.to_string(),
                title: e.title.clone(),
                kind: e.kind.title().to_string(),
                hours: e.hours,
                format: e.format.title().to_string(),
                place: match &e.municipality {
                    Some(m) => names
                        .get(m.as_str())
                        .map_or_else(|| m.to_string(), |n| (*n).to_string()),
                    None => "региональное".into(),
                },
                dates: dates_text(e.starts_on, e.ends_on),
                competences: e
                    .competences
                    .iter()
                    .map(|c| {
                        let key = c.to_string();
                        titles
                            .get(key.as_str())
                            .map_or(key.clone(), |t| (*t).to_string())
                    })
                    .collect(),
                provider: e.provider.clone(),
                seats,
                full,
                active: e.active,
            }
        })
        .collect();
    let page = app::render_catalogue(&app::CataloguePage {
        chrome: chrome(&c, &csrf, "/catalogue"),
        filter: app::CatalogueFilterView {
            competence: q.competence,
            kind: q.kind,
            format: q.format,
            municipality: q.municipality,
            from: q.from,
            to: q.to,
            seats_left,
        },
        competences,
        municipalities,
        total: entries.len(),
        rows,
        can_edit: crate::iom::works_on_routes(&c),
        notice: (!q.done.is_empty()).then_some(q.done),
    });
    Ok(Html(page).into_response())
}

fn form_of(e: &Entry) -> app::CatalogueEntryForm {
    app::CatalogueEntryForm {
        code: e.code.to_string(),
        title: e.title.clone(),
        kind: e.kind.as_str().into(),
        hours: e.hours.to_string(),
        competences: e.competences.iter().map(|c| c.to_string()).collect(),
        provider: e.provider.clone().unwrap_or_default(),
        format: e.format.as_str().into(),
        subjects: e.subjects.join("|"),
        municipality: e
            .municipality
            .as_ref()
            .map(|m| m.to_string())
            .unwrap_or_default(),
        starts_on: day(e.starts_on),
        ends_on: day(e.ends_on),
        capacity: e.capacity.map(|c| c.to_string()).unwrap_or_default(),
        url: e.url.clone().unwrap_or_default(),
        active: e.active,
    }
}

async fn entry_page(
    state: &AppState,
    c: &Caller,
    csrf: &Csrf,
    code: Option<String>,
    form: app::CatalogueEntryForm,
    error: Option<String>,
) -> PageResult {
    let seats = match &code {
        Some(code) => {
            let taken = match CourseCode::parse(code) {
                Ok(cc) => held(state).await?.get(&cc).copied().unwrap_or(0),
                Err(_) => 0,
            };
            Some(format!("Занято мест утверждёнными маршрутами: {taken}."))
        }
        None => None,
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = app::render_catalogue_entry(&app::CatalogueEntryPage {
        chrome: chrome(c, csrf, "/catalogue"),
        csrf: csrf.0.clone(),
        code,
        form,
        competences: competence_list(state).await?,
        municipalities: municipality_list(state).await?,
        seats,
        error,
    });
    Ok((status, Html(page)).into_response())
}

pub async fn new_entry(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    csrf: Csrf,
) -> PageResult {
    let form = app::CatalogueEntryForm {
        kind: "course".into(),
        format: "remote".into(),
        active: true,
        ..app::CatalogueEntryForm::default()
    };
    entry_page(&state, &c, &csrf, None, form, None).await
}

async fn stored_entry(state: &AppState, code: &str) -> Result<Entry, Failure> {
    state
        .store
        .catalogue()
        .await?
        .into_iter()
        .find(|e| e.code.as_str() == code)
        .ok_or(Failure::NotFound)
}

pub async fn entry(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    csrf: Csrf,
    Path(code): Path<String>,
) -> PageResult {
    let e = stored_entry(&state, &code).await?;
    entry_page(&state, &c, &csrf, Some(code), form_of(&e), None).await
}

/// Reads the form into an entry, or says what to fix.
fn parse(
    fields: &[(String, String)],
    competences: &[(String, String)],
    municipalities: &[(String, String)],
) -> (app::CatalogueEntryForm, Result<Entry, String>) {
    let one = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let form = app::CatalogueEntryForm {
        code: one("code"),
        title: one("title"),
        kind: one("kind"),
        hours: one("hours"),
        competences: fields
            .iter()
            .filter(|(k, _)| k == "competences")
            .map(|(_, v)| v.clone())
            .collect(),
        provider: one("provider"),
        format: one("format"),
        subjects: one("subjects"),
        municipality: one("municipality"),
        starts_on: one("starts_on"),
        ends_on: one("ends_on"),
        capacity: one("capacity"),
        url: one("url"),
        active: !one("active").is_empty(),
    };
    let parsed = (|| {
        let code = CourseCode::parse(&form.code).map_err(|e| e.0)?;
        if form.title.is_empty() {
            return Err("Укажите название мероприятия".to_string());
        }
        let kind = ActivityKind::parse(&form.kind).map_err(|e| format!("Вид: {}", e.0))?;
        let hours: u32 = form
            .hours
            .parse()
            .ok()
            .filter(|h| (1..=2000).contains(h))
            .ok_or("Часов: целое число от 1 до 2000")?;
        if form.competences.is_empty() {
            return Err("Отметьте хотя бы одну компетенцию".to_string());
        }
        let mut refs = Vec::new();
        for c in &form.competences {
            if !competences.iter().any(|(v, _)| v == c) {
                return Err(format!("Компетенция {c} не найдена в загруженных банках"));
            }
            refs.push(CompetenceRef::parse(c).map_err(|e| e.0)?);
        }
        let format = if form.format.is_empty() {
            Format::InPerson
        } else {
            Format::parse(&form.format).map_err(|e| format!("Формат: {}", e.0))?
        };
        let municipality = match form.municipality.as_str() {
            "" => None,
            m if municipalities.iter().any(|(v, _)| v == m) => {
                Some(MunicipalityCode::parse(m).map_err(|e| e.0)?)
            }
            m => return Err(format!("Муниципалитета с кодом «{m}» нет")),
        };
        let date = |v: &str, what: &str| -> Result<Option<NaiveDate>, String> {
            if v.is_empty() {
                return Ok(None);
            }
            NaiveDate::parse_from_str(v, "%Y-%m-%d")
                .map(Some)
                .map_err(|_| format!("{what}: укажите дату в виде ГГГГ-ММ-ДД"))
        };
        let starts_on = date(&form.starts_on, "Начало")?;
        let ends_on = date(&form.ends_on, "Окончание")?;
        if let (Some(a), Some(b)) = (starts_on, ends_on)
            && b < a
        {
            return Err("Окончание раньше начала".into());
        }
        let capacity = match form.capacity.as_str() {
            "" => None,
            v => Some(
                v.parse::<u32>()
                    .map_err(|_| "Мест: целое число или пусто, если не ограничено")?,
            ),
        };
        let url = match form.url.as_str() {
            "" => None,
            u if u.starts_with("https://") || u.starts_with("http://") => Some(u.to_string()),
            _ => return Err("Ссылка должна начинаться с https:// или http://".into()),
        };
        Ok(Entry {
            code,
            title: form.title.clone(),
            kind,
            hours,
            competences: refs,
            provider: (!form.provider.is_empty()).then(|| form.provider.clone()),
            format,
            subjects: domain::directory::split_list(&form.subjects),
            municipality,
            starts_on,
            ends_on,
            capacity,
            url,
            active: form.active,
        })
    })();
    (form, parsed)
}

async fn save(
    state: &AppState,
    c: &Caller,
    csrf: &Csrf,
    existing: Option<String>,
    body: &[u8],
) -> PageResult {
    let auth = RegionAuthority::for_route_work(c).ok_or(Failure::Forbidden)?;
    if let Some(code) = &existing {
        stored_entry(state, code).await?;
    }
    let fields: Vec<(String, String)> = form_urlencoded::parse(body).into_owned().collect();
    let competences = competence_list(state).await?;
    let municipalities = municipality_list(state).await?;
    let (mut form, parsed) = parse(&fields, &competences, &municipalities);
    if let Some(code) = &existing {
        form.code = code.clone();
    }
    let entry = match parsed {
        Ok(mut e) => {
            if let Some(code) = &existing {
                e.code = CourseCode::parse(code).map_err(|_| Failure::NotFound)?;
            } else if stored_entry(state, e.code.as_str()).await.is_ok() {
                let message = format!("Мероприятие с кодом «{}» уже есть", e.code);
                return entry_page(state, c, csrf, existing, form, Some(message)).await;
            }
            e
        }
        Err(message) => return entry_page(state, c, csrf, existing, form, Some(message)).await,
    };
    let done = format!("Мероприятие {} сохранено.", entry.code);
    match state
        .store
        .apply_catalogue(&auth, vec![entry], crate::auth::now_millis())
        .await
    {
        Ok(()) => {
            let query: String = form_urlencoded::Serializer::new(String::new())
                .append_pair("done", &done)
                .finish();
            Ok(Redirect::to(&format!("/catalogue?{query}")).into_response())
        }
        Err(store::StoreError::Conflict(message)) => {
            entry_page(state, c, csrf, existing, form, Some(message)).await
        }
        Err(e) => Err(Failure::from(e).into()),
    }
}

pub async fn create_entry(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    csrf: Csrf,
    body: Bytes,
) -> PageResult {
    save(&state, &c, &csrf, None, &body).await
}

pub async fn update_entry(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    csrf: Csrf,
    Path(code): Path<String>,
    body: Bytes,
) -> PageResult {
    save(&state, &c, &csrf, Some(code), &body).await
}
