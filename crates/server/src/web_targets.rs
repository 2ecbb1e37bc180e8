//! «Целевые значения» and «Дополнительные показатели» in the browser.
//!
//! Targets: every indicator with the region's target (the seed roadmaps'
//! default unless one is stored) and the municipalities' and schools' own;
//! a ЦНППМ methodist or an administrator sets one (`apply_targets` with one
//! row, as `import targets` would) or removes a stored one.
//!
//! Custom indicators: the region defines them; a municipal coordinator
//! enters its municipality's figure, the region any municipality's or its
//! own, each with what confirms it. Entries are kept, never overwritten.
//!
//! A form with a mistake is answered again (422) with the values typed and
//! a Russian message naming the field.

use crate::web_dashboard::decimal_comma;
use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use domain::indicators::{Indicator, Percent, Share, Where, school_year};
use domain::{Caller, Login, MunicipalityCode, RegionAuthority, Scope};
use serde::Deserialize;
use store::custom::{check_code, check_title, check_value};
use store::{
    CustomIndicatorChange, CustomIndicatorRow, NewCustomIndicator, NewCustomValue, NewTarget,
    StoreError,
};

use crate::auth::now_millis;
use crate::custom_indicators::{Figure, latest, region_figure_of, summed_text};
use crate::error::{Failure, PageError};
use crate::session::{Csrf, PageCaller};
use crate::state::AppState;
use crate::web::{chrome, local_time};

type PageResult = Result<Response, PageError>;

/// A form's mistake: the field it is about and what to fix (in Russian,
/// naming the field).
#[derive(Debug, Clone, PartialEq, Eq)]
struct FieldError {
    field: &'static str,
    message: String,
}

fn field_error(field: &'static str, label: &str, what: impl std::fmt::Display) -> FieldError {
    FieldError {
        field,
        message: format!("{label}: {what}"),
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct DoneQuery {
    #[serde(default)]
    done: String,
}

fn notice_of(q: DoneQuery) -> Option<String> {
    (!q.done.is_empty()).then_some(q.done)
}

fn form_fields(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body).into_owned().collect()
}

fn one(fields: &[(String, String)], name: &str) -> String {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_default()
}

/// Back to `path` with a notice (303).
fn done(path: &str, message: &str) -> Response {
    let query: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("done", message)
        .finish();
    Redirect::to(&format!("{path}?{query}")).into_response()
}

/// «75 %», «66,7 %».
fn ru_percent(p: Percent) -> String {
    format!("{} %", decimal_comma(p))
}

/// «31.08.2026», or «—».
fn ru_day(d: Option<NaiveDate>) -> String {
    d.map_or_else(|| "—".to_string(), |d| d.format("%d.%m.%Y").to_string())
}

/// «3 из 4 (75,0 %)»; «нет данных» for a zero denominator.
fn share_text(s: Share) -> String {
    match s.percent() {
        Some(p) => format!(
            "{} из {} ({} %)",
            s.numerator,
            s.denominator,
            decimal_comma(p)
        ),
        None => format!("{} из {} (нет данных)", s.numerator, s.denominator),
    }
}

/// «регион», «муниципалитет m1», «ОО s1».
fn where_ru(at: &Where) -> String {
    match at {
        Where::Region => "регион".to_string(),
        Where::Municipality(m) => format!("муниципалитет {m}"),
        Where::School(s) => format!("ОО {s}"),
    }
}

/// A form's day: `YYYY-MM-DD` (a date input) or `DD.MM.YYYY` (typed).
fn parse_day(v: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(v, "%d.%m.%Y"))
        .ok()
}

/// An optional day; a mistake names the field.
fn optional_day(
    v: &str,
    field: &'static str,
    label: &str,
) -> Result<Option<NaiveDate>, FieldError> {
    if v.is_empty() {
        return Ok(None);
    }
    parse_day(v).map(Some).ok_or_else(|| {
        field_error(
            field,
            label,
            format!("«{v}» — укажите дату в виде ДД.ММ.ГГГГ"),
        )
    })
}

/// An optional threshold; a mistake names the field.
fn optional_percent(v: &str) -> Result<Option<Percent>, FieldError> {
    if v.is_empty() {
        return Ok(None);
    }
    Percent::parse(v)
        .map(Some)
        .map_err(|e| field_error("threshold", "Целевое значение", e.0))
}

/// Municipality codes and names, by name.
async fn municipality_names(
    state: &AppState,
    scope: &Scope,
) -> Result<Vec<(MunicipalityCode, String)>, Failure> {
    Ok(state
        .store
        .municipalities(scope)
        .await?
        .into_iter()
        .map(|m| (m.municipality.code, m.municipality.name))
        .collect())
}

// ---------------------------------------------------------------------------
// Targets
// ---------------------------------------------------------------------------

fn can_edit_targets(c: &Caller) -> bool {
    RegionAuthority::for_indicator_work(c).is_some()
}

async fn targets_page(
    state: &AppState,
    c: &Caller,
    csrf: &Csrf,
    form: app::TargetForm,
    notice: Option<String>,
    error: Option<FieldError>,
) -> PageResult {
    let today = state.config.today();
    let stored = state.store.targets().await?;
    let all = crate::indicators::targets(state.store.as_ref(), school_year(today)).await?;
    let municipalities = municipality_names(state, &Scope::region()).await?;
    let names: HashMap<&str, &str> = municipalities
        .iter()
        .map(|(c, n)| (c.as_str(), n.as_str()))
        .collect();
    let mut schools: HashMap<String, String> = HashMap::new();
    for r in &stored {
        if let Where::School(code) = &r.target.at
            && !schools.contains_key(code.as_str())
        {
            let name = state
                .store
                .school(&Scope::region(), code)
                .await?
                .map_or_else(String::new, |s| s.school.name);
            schools.insert(code.to_string(), name);
        }
    }
    let scope_title = |at: &Where| match at {
        Where::Region => "Регион".to_string(),
        Where::Municipality(m) => match names.get(m.as_str()) {
            Some(n) => format!("Муниципалитет: {n} ({m})"),
            None => format!("Муниципалитет {m}"),
        },
        Where::School(s) => match schools.get(s.as_str()).filter(|n| !n.is_empty()) {
            Some(n) => format!("ОО: {n} ({s})"),
            None => format!("ОО {s}"),
        },
    };
    let indicators = Indicator::ALL
        .iter()
        .map(|&indicator| {
            let region = all
                .iter()
                .find(|t| t.indicator == indicator && t.at == Where::Region)
                .map(|t| {
                    let row = stored
                        .iter()
                        .find(|r| r.target.indicator == indicator && r.target.at == Where::Region);
                    app::TargetView {
                        id: row.map(|r| r.id),
                        scope: scope_title(&t.at),
                        threshold: ru_percent(t.threshold),
                        due: ru_day(t.due_on),
                        default: row.is_none(),
                    }
                });
            let overrides = stored
                .iter()
                .filter(|r| r.target.indicator == indicator && r.target.at != Where::Region)
                .map(|r| app::TargetView {
                    id: Some(r.id),
                    scope: scope_title(&r.target.at),
                    threshold: ru_percent(r.target.threshold),
                    due: ru_day(r.target.due_on),
                    default: false,
                })
                .collect();
            app::TargetIndicatorView {
                code: indicator.as_str().to_string(),
                title: indicator.title().to_string(),
                explanation: indicator.explanation().to_string(),
                region,
                overrides,
            }
        })
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = app::render_targets(&app::TargetsPage {
        chrome: chrome(c, csrf, "/targets"),
        csrf: csrf.0.clone(),
        indicators,
        can_edit: can_edit_targets(c),
        form,
        municipalities: municipalities
            .iter()
            .map(|(code, name)| (code.to_string(), name.clone()))
            .collect(),
        notice,
        error: error.as_ref().map(|e| e.message.clone()),
        error_field: error.map(|e| e.field.to_string()),
    });
    Ok((status, Html(page)).into_response())
}

pub async fn targets(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    csrf: Csrf,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let form = app::TargetForm {
        scope: "region".into(),
        ..app::TargetForm::default()
    };
    targets_page(&state, &c, &csrf, form, notice_of(q), None).await
}

/// Reads the form into a target; the code is checked against the
/// directory afterwards.
fn parse_target(f: &app::TargetForm) -> Result<NewTarget, FieldError> {
    let indicator =
        Indicator::parse(&f.indicator).map_err(|e| field_error("indicator", "Показатель", e.0))?;
    let threshold = optional_percent(&f.threshold)?.ok_or_else(|| {
        field_error(
            "threshold",
            "Целевое значение",
            "укажите процент от 0 до 100",
        )
    })?;
    let at = Where::parse(Some(&f.scope), Some(&f.code)).map_err(|e| {
        // A scope the form offers: what is wrong is the code.
        if f.scope.is_empty() || app::TARGET_SCOPES.iter().any(|(v, _)| *v == f.scope) {
            field_error("code", "Код", e.0)
        } else {
            field_error("scope", "Уровень", e.0)
        }
    })?;
    let due_on = optional_day(&f.due_on, "due_on", "Срок")?;
    Ok(NewTarget {
        indicator,
        threshold,
        at,
        due_on,
    })
}

/// The municipality or school a target names must exist.
async fn check_place(state: &AppState, at: &Where) -> Result<Option<FieldError>, Failure> {
    let region = Scope::region();
    Ok(match at {
        Where::Region => None,
        Where::Municipality(m) => (!state
            .store
            .municipalities(&region)
            .await?
            .iter()
            .any(|x| &x.municipality.code == m))
        .then(|| {
            field_error(
                "code",
                "Код",
                format!("муниципалитет с кодом «{m}» не найден"),
            )
        }),
        Where::School(s) => state.store.school(&region, s).await?.is_none().then(|| {
            field_error(
                "code",
                "Код",
                format!("школа (ОО) с кодом «{s}» не найдена"),
            )
        }),
    })
}

pub async fn set_target(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    csrf: Csrf,
    body: Bytes,
) -> PageResult {
    let auth = RegionAuthority::for_indicator_work(&c).ok_or(Failure::Forbidden)?;
    let fields = form_fields(&body);
    let form = app::TargetForm {
        indicator: one(&fields, "indicator"),
        threshold: one(&fields, "threshold"),
        scope: one(&fields, "scope"),
        code: one(&fields, "code"),
        due_on: one(&fields, "due_on"),
    };
    let target = match parse_target(&form) {
        Ok(t) => t,
        Err(e) => return targets_page(&state, &c, &csrf, form, None, Some(e)).await,
    };
    if let Some(e) = check_place(&state, &target.at).await? {
        return targets_page(&state, &c, &csrf, form, None, Some(e)).await;
    }
    let message = format!(
        "Целевое значение «{}» ({}) сохранено: {}.",
        target.indicator.title(),
        where_ru(&target.at),
        ru_percent(target.threshold)
    );
    match state
        .store
        .apply_targets(&auth, vec![target], now_millis())
        .await
    {
        Ok(_) => Ok(done("/targets", &message)),
        Err(StoreError::Conflict(m)) => {
            let e = FieldError {
                field: "indicator",
                message: m,
            };
            targets_page(&state, &c, &csrf, form, None, Some(e)).await
        }
        Err(e) => Err(Failure::from(e).into()),
    }
}

pub async fn remove_target(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    Path(id): Path<i64>,
) -> PageResult {
    let auth = RegionAuthority::for_indicator_work(&c).ok_or(Failure::Forbidden)?;
    let row = state.store.remove_target(&auth, id, now_millis()).await?;
    let indicator = row.target.indicator;
    let mut message = format!(
        "Целевое значение «{}» ({}) удалено.",
        indicator.title(),
        where_ru(&row.target.at)
    );
    if row.target.at == Where::Region {
        let today = state.config.today();
        let all = crate::indicators::targets(state.store.as_ref(), school_year(today)).await?;
        if let Some(d) = all
            .iter()
            .find(|t| t.indicator == indicator && t.at == Where::Region)
        {
            message.push_str(&format!(
                " Действует значение по умолчанию из дорожной карты: {}.",
                ru_percent(d.threshold)
            ));
        }
    }
    Ok(done("/targets", &message))
}

// ---------------------------------------------------------------------------
// Custom indicators
// ---------------------------------------------------------------------------

fn threshold_text(t: Option<Percent>) -> String {
    t.map_or_else(|| "—".to_string(), ru_percent)
}

fn figure_view(scope: String, f: &Figure, threshold: Option<Percent>) -> app::CustomFigureView {
    let entered = f.as_of.is_some();
    app::CustomFigureView {
        scope,
        value: if entered {
            share_text(f.share)
        } else {
            "нет данных".into()
        },
        met: threshold.and_then(|t| f.share.meets(t)),
        as_of: f.as_of.map(|d| format!("на {}", d.format("%d.%m.%Y"))),
        evidence: f.evidence.clone(),
        note: f.summed.map(summed_text),
    }
}

fn item_of(
    d: &CustomIndicatorRow,
    region: Option<app::CustomFigureView>,
) -> app::CustomIndicatorItem {
    app::CustomIndicatorItem {
        id: d.id,
        code: d.code.clone(),
        title: d.title.clone(),
        description: d.description.clone(),
        threshold: threshold_text(d.threshold),
        due: ru_day(d.due_on),
        active: d.active,
        region,
    }
}

fn definition_form_of(d: &CustomIndicatorRow) -> app::CustomDefinitionForm {
    app::CustomDefinitionForm {
        code: d.code.clone(),
        title: d.title.clone(),
        description: d.description.clone(),
        threshold: d.threshold.map(decimal_comma).unwrap_or_default(),
        due_on: d
            .due_on
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
        active: d.active,
    }
}

fn definition_form(fields: &[(String, String)]) -> app::CustomDefinitionForm {
    app::CustomDefinitionForm {
        code: one(fields, "code"),
        title: one(fields, "title"),
        description: one(fields, "description"),
        threshold: one(fields, "threshold"),
        due_on: one(fields, "due_on"),
        active: !one(fields, "active").is_empty(),
    }
}

/// Reads a definition's editable fields.
fn parse_change(f: &app::CustomDefinitionForm) -> Result<CustomIndicatorChange, FieldError> {
    check_title(&f.title).map_err(|e| field_error("title", "Название", e))?;
    Ok(CustomIndicatorChange {
        title: f.title.clone(),
        description: f.description.clone(),
        threshold: optional_percent(&f.threshold)?,
        due_on: optional_day(&f.due_on, "due_on", "Срок")?,
        active: f.active,
    })
}

async fn list_page(
    state: &AppState,
    c: &Caller,
    csrf: &Csrf,
    form: app::CustomDefinitionForm,
    notice: Option<String>,
    error: Option<FieldError>,
) -> PageResult {
    let region = Scope::region();
    let latest = latest(state.store.as_ref(), &region).await?;
    let municipalities = state.store.municipalities(&region).await?.len();
    let items = state
        .store
        .custom_indicators()
        .await?
        .iter()
        .map(|d| {
            let figure = d.active.then(|| {
                figure_view(
                    "Регион".into(),
                    &region_figure_of(d.id, &latest, municipalities),
                    d.threshold,
                )
            });
            item_of(d, figure)
        })
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = app::render_custom_indicators(&app::CustomIndicatorsPage {
        chrome: chrome(c, csrf, "/custom-indicators"),
        csrf: csrf.0.clone(),
        items,
        can_define: can_edit_targets(c),
        form,
        notice,
        error: error.as_ref().map(|e| e.message.clone()),
        error_field: error.map(|e| e.field.to_string()),
    });
    Ok((status, Html(page)).into_response())
}

pub async fn custom_indicators(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    csrf: Csrf,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let form = app::CustomDefinitionForm {
        active: true,
        ..app::CustomDefinitionForm::default()
    };
    list_page(&state, &c, &csrf, form, notice_of(q), None).await
}

pub async fn define_custom(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    csrf: Csrf,
    body: Bytes,
) -> PageResult {
    let auth = RegionAuthority::for_indicator_work(&c).ok_or(Failure::Forbidden)?;
    let form = definition_form(&form_fields(&body));
    let parsed = check_code(&form.code)
        .map_err(|e| field_error("code", "Код", e))
        .and_then(|()| parse_change(&form));
    let change = match parsed {
        Ok(change) => change,
        Err(e) => return list_page(&state, &c, &csrf, form, None, Some(e)).await,
    };
    let new = NewCustomIndicator {
        code: form.code.clone(),
        title: change.title,
        description: change.description,
        threshold: change.threshold,
        due_on: change.due_on,
        active: change.active,
    };
    match state
        .store
        .define_custom_indicator(&auth, new, now_millis())
        .await
    {
        Ok(row) => Ok(done(
            &format!("/custom-indicators/{}", row.id),
            &format!("Показатель «{}» добавлен.", row.title),
        )),
        Err(StoreError::Conflict(m)) => {
            let e = field_error("code", "Код", m);
            list_page(&state, &c, &csrf, form, None, Some(e)).await
        }
        Err(e) => Err(Failure::from(e).into()),
    }
}

/// What an error on the detail page is about.
enum DetailError {
    Definition(FieldError),
    Value(FieldError),
}

async fn detail_page(
    state: &AppState,
    c: &Caller,
    csrf: &Csrf,
    id: i64,
    forms: (
        Option<app::CustomDefinitionForm>,
        Option<app::CustomValueForm>,
    ),
    notice: Option<String>,
    error: Option<DetailError>,
) -> PageResult {
    let d = state
        .store
        .custom_indicator(id)
        .await?
        .ok_or(Failure::NotFound)?;
    let scope = c.scope();
    let region = Scope::region();
    let all_municipalities = municipality_names(state, &region).await?;
    let names: HashMap<MunicipalityCode, String> = all_municipalities.iter().cloned().collect();
    let latest = latest(state.store.as_ref(), &region).await?;
    let region_figure = region_figure_of(d.id, &latest, all_municipalities.len());
    let mut figures = vec![figure_view("Регион".into(), &region_figure, d.threshold)];
    let visible = municipality_names(state, &scope).await?;
    for (code, name) in &visible {
        let f = Figure::entered(latest.get(&(d.id, Some(code.clone()))));
        figures.push(figure_view(name.clone(), &f, d.threshold));
    }
    let mut people: HashMap<Login, String> = HashMap::new();
    let mut history = Vec::new();
    for r in state.store.custom_values(&scope, d.id).await? {
        let by = match &r.entered_by {
            Some(login) => {
                if !people.contains_key(login) {
                    let name = state
                        .store
                        .account(&region, login)
                        .await?
                        .map_or_else(|| login.to_string(), |a| a.full_name);
                    people.insert(login.clone(), name);
                }
                format!("{}, ", people[login])
            }
            None => String::new(),
        };
        history.push(app::CustomHistoryView {
            as_of: r.value.as_of.format("%d.%m.%Y").to_string(),
            scope: match &r.value.municipality {
                None => "Регион".to_string(),
                Some(m) => names.get(m).cloned().unwrap_or_else(|| m.to_string()),
            },
            value: share_text(r.value.share),
            evidence: r.value.evidence.clone(),
            entered: format!("{by}{}", local_time(state, r.entered_at)),
        });
    }
    let may_enter = c.has_any(&[
        domain::Role::MunicipalCoordinator,
        domain::Role::CnppmMethodist,
        domain::Role::Admin,
    ]);
    let mut value_scopes = Vec::new();
    if may_enter {
        if scope.region {
            value_scopes.push((String::new(), "Регион".to_string()));
        }
        value_scopes.extend(
            visible
                .iter()
                .filter(|(code, _)| scope.sees_municipality(code))
                .map(|(code, name)| (code.to_string(), name.clone())),
        );
    }
    let today = state.config.today();
    let (definition, value_form) = forms;
    let value_form = value_form.unwrap_or_else(|| app::CustomValueForm {
        // A coordinator's own municipality comes first in the list.
        municipality: value_scopes
            .first()
            .map(|(v, _)| v.clone())
            .unwrap_or_default(),
        as_of: today.format("%Y-%m-%d").to_string(),
        ..app::CustomValueForm::default()
    });
    let (error_in_definition, error) = match error {
        Some(DetailError::Definition(e)) => (true, Some(e)),
        Some(DetailError::Value(e)) => (false, Some(e)),
        None => (false, None),
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = app::render_custom_indicator(&app::CustomIndicatorPage {
        chrome: chrome(c, csrf, "/custom-indicators"),
        csrf: csrf.0.clone(),
        id: d.id,
        item: item_of(&d, None),
        figures,
        history,
        can_edit: can_edit_targets(c),
        definition: definition.unwrap_or_else(|| definition_form_of(&d)),
        value_scopes,
        value_form,
        today: today.format("%Y-%m-%d").to_string(),
        notice,
        error: error.as_ref().map(|e| e.message.clone()),
        error_field: error.map(|e| e.field.to_string()),
        error_in_definition,
    });
    Ok((status, Html(page)).into_response())
}

pub async fn custom_indicator(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    csrf: Csrf,
    Path(id): Path<i64>,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    detail_page(&state, &c, &csrf, id, (None, None), notice_of(q), None).await
}

pub async fn update_custom(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    csrf: Csrf,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    let auth = RegionAuthority::for_indicator_work(&c).ok_or(Failure::Forbidden)?;
    let stored = state
        .store
        .custom_indicator(id)
        .await?
        .ok_or(Failure::NotFound)?;
    let mut form = definition_form(&form_fields(&body));
    form.code = stored.code;
    let change = match parse_change(&form) {
        Ok(change) => change,
        Err(e) => {
            let forms = (Some(form), None);
            let e = Some(DetailError::Definition(e));
            return detail_page(&state, &c, &csrf, id, forms, None, e).await;
        }
    };
    match state
        .store
        .update_custom_indicator(&auth, id, change, now_millis())
        .await
    {
        Ok(row) => Ok(done(
            &format!("/custom-indicators/{id}"),
            &format!("Показатель «{}» сохранён.", row.title),
        )),
        Err(StoreError::Conflict(m)) => {
            let e = Some(DetailError::Definition(field_error("title", "Название", m)));
            detail_page(&state, &c, &csrf, id, (Some(form), None), None, e).await
        }
        Err(e) => Err(Failure::from(e).into()),
    }
}

/// Reads the value form (the place is checked before).
fn parse_value(
    f: &app::CustomValueForm,
    indicator_id: i64,
    municipality: Option<MunicipalityCode>,
    today: NaiveDate,
) -> Result<NewCustomValue, FieldError> {
    let as_of = parse_day(&f.as_of)
        .ok_or_else(|| field_error("as_of", "Дата", "укажите дату в виде ДД.ММ.ГГГГ"))?;
    if as_of > today {
        return Err(field_error(
            "as_of",
            "Дата",
            format!(
                "{} — позже сегодняшнего дня; значение вносится на прошедшую дату",
                as_of.format("%d.%m.%Y")
            ),
        ));
    }
    let count = |v: &str, field: &'static str, label: &str| {
        v.parse::<u64>().map_err(|_| {
            field_error(
                field,
                label,
                format!("«{v}» — нужно целое число, не меньше 0"),
            )
        })
    };
    let numerator = count(&f.numerator, "numerator", "Числитель")?;
    let denominator = count(&f.denominator, "denominator", "Знаменатель")?;
    if numerator > denominator {
        return Err(field_error(
            "numerator",
            "Числитель",
            format!("{numerator} больше знаменателя ({denominator})"),
        ));
    }
    let value = NewCustomValue {
        indicator_id,
        municipality,
        as_of,
        share: Share {
            numerator,
            denominator,
        },
        evidence: f.evidence.clone(),
    };
    check_value(&value).map_err(|e| {
        if f.evidence.trim().is_empty() || f.evidence.chars().count() > store::custom::EVIDENCE_MAX
        {
            field_error("evidence", "Подтверждение", e)
        } else {
            field_error("denominator", "Знаменатель", e)
        }
    })?;
    Ok(value)
}

pub async fn add_custom_value(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    csrf: Csrf,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    let d = state
        .store
        .custom_indicator(id)
        .await?
        .ok_or(Failure::NotFound)?;
    let fields = form_fields(&body);
    let form = app::CustomValueForm {
        municipality: one(&fields, "municipality"),
        as_of: one(&fields, "as_of"),
        numerator: one(&fields, "numerator"),
        denominator: one(&fields, "denominator"),
        evidence: one(&fields, "evidence"),
    };
    // The place first: outside the caller's scope reads as missing,
    // whatever else the form says.
    let scope = c.scope();
    let municipality = match form.municipality.as_str() {
        "" | "region" => None,
        code => Some(MunicipalityCode::parse(code).map_err(|_| Failure::NotFound)?),
    };
    let in_scope = match &municipality {
        None => scope.region,
        Some(m) => scope.sees_municipality(m),
    };
    if !in_scope {
        return Err(Failure::NotFound.into());
    }
    let today = state.config.today();
    let value = match parse_value(&form, d.id, municipality, today) {
        Ok(v) => v,
        Err(e) => {
            let e = Some(DetailError::Value(e));
            return detail_page(&state, &c, &csrf, id, (None, Some(form)), None, e).await;
        }
    };
    let message = format!(
        "Значение на {} сохранено: {}.",
        value.as_of.format("%d.%m.%Y"),
        share_text(value.share)
    );
    match state.store.add_custom_value(&c, value, now_millis()).await {
        Ok(_) => Ok(done(&format!("/custom-indicators/{id}"), &message)),
        Err(StoreError::Conflict(m)) => {
            let e = Some(DetailError::Value(FieldError {
                field: "evidence",
                message: m,
            }));
            detail_page(&state, &c, &csrf, id, (None, Some(form)), None, e).await
        }
        Err(e) => Err(Failure::from(e).into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target_form(
        indicator: &str,
        threshold: &str,
        scope: &str,
        code: &str,
        due: &str,
    ) -> app::TargetForm {
        app::TargetForm {
            indicator: indicator.into(),
            threshold: threshold.into(),
            scope: scope.into(),
            code: code.into(),
            due_on: due.into(),
        }
    }

    #[test]
    fn a_target_form_names_the_field_it_gets_wrong() {
        let t = parse_target(&target_form(
            "охват ПК",
            "66,7",
            "municipality",
            "m1",
            "31.08.2026",
        ))
        .unwrap();
        assert_eq!(t.indicator, Indicator::TrainingCoverage);
        assert_eq!(t.threshold, Percent::parse("66.7").unwrap());
        assert_eq!(
            t.at,
            Where::Municipality(MunicipalityCode::parse("m1").unwrap())
        );
        assert_eq!(t.due_on, NaiveDate::from_ymd_opt(2026, 8, 31));
        let err = |f: app::TargetForm| parse_target(&f).unwrap_err();
        let e = err(target_form("growth", "150", "region", "", ""));
        assert_eq!(e.field, "threshold");
        assert!(e.message.starts_with("Целевое значение: "), "{}", e.message);
        let e = err(target_form("growth", "", "region", "", ""));
        assert_eq!(e.field, "threshold");
        let e = err(target_form("growth", "50", "municipality", "", ""));
        assert_eq!((e.field, e.message.starts_with("Код: ")), ("code", true));
        let e = err(target_form("growth", "50", "region", "m1", ""));
        assert_eq!(e.field, "code");
        let e = err(target_form("growth", "50", "region", "", "31.02.2026"));
        assert_eq!((e.field, e.message.starts_with("Срок: ")), ("due_on", true));
        let e = err(target_form("", "50", "region", "", ""));
        assert_eq!(e.field, "indicator");
    }

    #[test]
    fn a_value_form_needs_a_past_day_counts_and_evidence() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 10).unwrap();
        let form = |as_of: &str, n: &str, d: &str, evidence: &str| app::CustomValueForm {
            municipality: "m1".into(),
            as_of: as_of.into(),
            numerator: n.into(),
            denominator: d.into(),
            evidence: evidence.into(),
        };
        let m1 = Some(MunicipalityCode::parse("m1").unwrap());
        let ok = parse_value(
            &form("2026-03-10", "3", "4", "Приказ № 15"),
            7,
            m1.clone(),
            today,
        )
        .unwrap();
        assert_eq!((ok.share.numerator, ok.share.denominator), (3, 4));
        assert_eq!(ok.indicator_id, 7);
        let field = |f: app::CustomValueForm| parse_value(&f, 7, m1.clone(), today).unwrap_err();
        assert_eq!(field(form("2026-03-11", "3", "4", "x")).field, "as_of");
        assert_eq!(field(form("", "3", "4", "x")).field, "as_of");
        assert_eq!(field(form("10.03.2026", "-1", "4", "x")).field, "numerator");
        assert_eq!(
            field(form("10.03.2026", "3", "много", "x")).field,
            "denominator"
        );
        assert_eq!(field(form("10.03.2026", "5", "4", "x")).field, "numerator");
        let e = field(form("10.03.2026", "3", "4", " "));
        assert_eq!(e.field, "evidence");
        assert!(
            e.message.starts_with("Подтверждение: укажите"),
            "{}",
            e.message
        );
    }

    #[test]
    fn figures_read_as_russians_write_them() {
        assert_eq!(ru_percent(Percent::parse("66.7").unwrap()), "66,7 %");
        assert_eq!(
            share_text(Share {
                numerator: 2,
                denominator: 3
            }),
            "2 из 3 (66,7 %)"
        );
        assert_eq!(share_text(Share::default()), "0 из 0 (нет данных)");
        assert_eq!(ru_day(None), "—");
    }
}
