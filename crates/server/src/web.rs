//! The pages: thin handlers that check the caller, read scoped data from the
//! store, and render the `app` crate's components. Forms are native HTML
//! forms posting here, so everything works with JavaScript off.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use domain::{Caller, ClusterFlag, Login, MunicipalityCode, Role, SchoolCode, Scope};
use serde::Deserialize;
use store::{
    AssignmentFilter, InvitationState, RouteStatus, SchoolAssignmentFilter, SchoolFilter,
    StaffFilter,
};

use crate::auth::{Auth, LoginOutcome, SESSION_TTL, check_new_password, now_millis, token_hash};
use crate::error::{Failure, PageError};
use crate::session::{self, Csrf, Identity, PageCaller};
use crate::state::AppState;

type PageResult = Result<Response, PageError>;

pub(crate) fn html(s: String) -> Response {
    Html(s).into_response()
}

/// The caller's main page, by its most region-wide role.
fn main_page(c: &Caller) -> &'static str {
    if c.has_any(&[Role::CnppmMethodist, Role::Admin]) {
        "/region"
    } else if c.has(Role::MunicipalCoordinator) {
        "/municipality"
    } else if c.has_any(&[Role::DeputyHead, Role::Principal]) {
        "/school"
    } else if c.has(Role::Mentor) {
        "/mentees"
    } else {
        "/me"
    }
}

pub(crate) fn chrome(c: &Caller, csrf: &Csrf, current: &str) -> app::Chrome {
    let mut items: Vec<(&str, &str)> = Vec::new();
    if c.has_any(&[Role::CnppmMethodist, Role::Admin]) {
        items.push(("/region", "Регион"));
        items.push(("/campaigns", "Диагностики"));
        items.push(("/routes", "Маршруты"));
        items.push(("/catalogue", "Каталог"));
        items.push(("/matching/methodists", "Подбор"));
        items.push(("/roadmap", "Дорожная карта"));
        items.push(("/indicators", "Показатели"));
        items.push(("/targets", "Цели"));
        items.push(("/custom-indicators", "Доп. показатели"));
        items.push(("/banks", "Банки заданий"));
        items.push(("/settings", "Настройки"));
    }
    if c.has(Role::MunicipalCoordinator) {
        items.push(("/municipality", "Муниципалитет"));
    }
    if c.has_any(&[Role::DeputyHead, Role::Principal]) {
        items.push(("/school", "Моя школа"));
    }
    if c.has_any(&[
        Role::DeputyHead,
        Role::Principal,
        Role::MunicipalCoordinator,
    ]) && !c.has_any(&[Role::CnppmMethodist, Role::Admin])
    {
        items.push(("/routes", "Маршруты"));
        items.push(("/roadmap", "Дорожная карта"));
        items.push(("/indicators", "Показатели"));
        items.push(("/targets", "Цели"));
        items.push(("/custom-indicators", "Доп. показатели"));
    }
    if c.has(Role::Teacher) {
        items.push(("/my-route", "Мой маршрут"));
    }
    if c.has(Role::Mentor) {
        items.push(("/mentees", "Подопечные"));
    }
    items.push(("/me", "Мой профиль"));
    app::Chrome {
        full_name: c.full_name.clone(),
        roles: c.roles.iter().copied().collect(),
        nav: items
            .into_iter()
            .map(|(href, label)| app::NavItem {
                href: href.into(),
                label: label.into(),
                active: href == current,
            })
            .collect(),
        csrf: csrf.0.clone(),
    }
}

pub async fn home(PageCaller(c): PageCaller) -> Response {
    Redirect::to(main_page(&c)).into_response()
}

pub async fn not_found(
    identity: Option<axum::Extension<Identity>>,
    csrf: Option<axum::Extension<Csrf>>,
) -> Response {
    let chrome = match (identity.and_then(|i| i.0.caller), csrf) {
        (Some(c), Some(t)) => Some(chrome(&c, &t.0, "")),
        _ => None,
    };
    let page = app::render_error(&app::ErrorPage {
        chrome,
        status: 404,
        title: "Страница не найдена".into(),
        message: "Такой страницы нет или у вас нет к ней доступа.".into(),
    });
    (StatusCode::NOT_FOUND, Html(page)).into_response()
}

pub async fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        app::SCRIPT,
    )
        .into_response()
}

pub async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        app::STYLESHEET,
    )
        .into_response()
}

// ---- login and logout -------------------------------------------------

#[derive(Debug, Default, Deserialize)]
pub struct LoginQuery {
    #[serde(default)]
    done: Option<String>,
}

pub async fn login_form(
    identity: axum::Extension<Identity>,
    csrf: Csrf,
    Query(q): Query<LoginQuery>,
) -> Response {
    if let Some(c) = &identity.caller {
        return Redirect::to(main_page(c)).into_response();
    }
    let notice = match q.done.as_deref() {
        Some("password") => Some("Пароль установлен. Войдите с новым паролем.".to_string()),
        Some("logout") => Some("Вы вышли из системы.".to_string()),
        _ => None,
    };
    html(app::render_login(&app::LoginPage {
        login: String::new(),
        error: None,
        notice,
        csrf: csrf.0,
    }))
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
}

pub async fn login_submit(
    State(state): State<AppState>,
    csrf: Csrf,
    Form(form): Form<LoginForm>,
) -> PageResult {
    let again = |status: StatusCode, error: String| {
        let page = app::render_login(&app::LoginPage {
            login: form.login.clone(),
            error: Some(error),
            notice: None,
            csrf: csrf.0.clone(),
        });
        (status, Html(page)).into_response()
    };
    if form.login.trim().is_empty() || form.password.is_empty() {
        return Ok(again(
            StatusCode::BAD_REQUEST,
            "Введите логин и пароль.".into(),
        ));
    }
    match state.auth.login(&form.login, &form.password).await? {
        LoginOutcome::Ok { caller, session } => {
            let mut response = Redirect::to(main_page(&caller)).into_response();
            response.headers_mut().append(
                header::SET_COOKIE,
                session::session_cookie(&state, &session.token, SESSION_TTL.as_secs() as i64),
            );
            // A new CSRF token for the new session: a token planted before
            // login is worth nothing after it.
            response.headers_mut().append(
                header::SET_COOKIE,
                session::csrf_cookie(&state, &crate::auth::new_token().0),
            );
            Ok(response)
        }
        LoginOutcome::Rejected => Ok(again(
            StatusCode::UNAUTHORIZED,
            "Неверный логин или пароль.".into(),
        )),
        LoginOutcome::Throttled { retry_after_secs } => {
            let f = Failure::TooMany { retry_after_secs };
            let mut response = again(StatusCode::TOO_MANY_REQUESTS, f.message());
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, retry_after_secs.into());
            Ok(response)
        }
    }
}

pub async fn logout(
    State(state): State<AppState>,
    identity: axum::Extension<Identity>,
) -> PageResult {
    if let Some(c) = &identity.caller {
        state.auth.logout(&c.login).await?;
    }
    let mut response = Redirect::to("/login?done=logout").into_response();
    response
        .headers_mut()
        .append(header::SET_COOKIE, session::clear_session_cookie(&state));
    Ok(response)
}

// ---- invitations --------------------------------------------------------

fn invitation_view(state: InvitationState) -> app::InvitationView {
    match state {
        InvitationState::Valid { login, full_name } => app::InvitationView::Valid {
            login: login.to_string(),
            full_name,
        },
        InvitationState::Used => app::InvitationView::Used,
        InvitationState::Expired => app::InvitationView::Expired,
        InvitationState::Unknown => app::InvitationView::Unknown,
    }
}

pub async fn invitation_form(
    State(state): State<AppState>,
    csrf: Csrf,
    Path(token): Path<String>,
) -> PageResult {
    let invitation = state
        .store
        .invitation(&token_hash(&token), now_millis())
        .await?;
    let status = match invitation {
        InvitationState::Valid { .. } => StatusCode::OK,
        InvitationState::Unknown => StatusCode::NOT_FOUND,
        _ => StatusCode::GONE,
    };
    let page = app::render_invitation(&app::InvitationPage {
        token,
        state: invitation_view(invitation),
        error: None,
        csrf: csrf.0,
    });
    Ok((status, Html(page)).into_response())
}

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    password2: String,
}

pub async fn invitation_submit(
    State(state): State<AppState>,
    csrf: Csrf,
    Path(token): Path<String>,
    Form(form): Form<PasswordForm>,
) -> PageResult {
    let hash = token_hash(&token);
    let current = state.store.invitation(&hash, now_millis()).await?;
    let problem = match &current {
        InvitationState::Valid { .. } => check_new_password(&form.password, &form.password2).err(),
        _ => None,
    };
    if problem.is_some() || !matches!(current, InvitationState::Valid { .. }) {
        let status = match (&problem, &current) {
            (Some(_), _) => StatusCode::UNPROCESSABLE_ENTITY,
            (None, InvitationState::Unknown) => StatusCode::NOT_FOUND,
            (None, _) => StatusCode::GONE,
        };
        let page = app::render_invitation(&app::InvitationPage {
            token,
            state: invitation_view(current),
            error: problem,
            csrf: csrf.0,
        });
        return Ok((status, Html(page)).into_response());
    }
    let password_hash = state.auth.hash_password(&form.password).await?;
    match state
        .store
        .accept_invitation(&hash, &password_hash, now_millis())
        .await?
    {
        InvitationState::Valid { login, .. } => {
            tracing::info!("invitation accepted");
            let _ = login;
            Ok(Redirect::to("/login?done=password").into_response())
        }
        other => {
            let page = app::render_invitation(&app::InvitationPage {
                token,
                state: invitation_view(other),
                error: None,
                csrf: csrf.0,
            });
            Ok((StatusCode::GONE, Html(page)).into_response())
        }
    }
}

/// A deputy head (or an administrator) hands out a new invitation link.
pub async fn reissue_invitation(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    csrf: Csrf,
    Path((code, login)): Path<(String, String)>,
) -> PageResult {
    let scope = c.scope();
    let code = SchoolCode::parse(&code).map_err(|_| Failure::NotFound)?;
    let login = Login::parse(&login).map_err(|_| Failure::NotFound)?;
    // Deputy heads invite in their own school; administrators anywhere.
    let admin = c.has(Role::Admin);
    if !admin && !scope.schools.contains(&code) {
        return Err(Failure::NotFound.into());
    }
    state
        .store
        .school(&scope, &code)
        .await?
        .ok_or(Failure::NotFound)?;
    let person = state
        .store
        .account(&scope, &login)
        .await?
        .filter(|a| a.school.as_ref() == Some(&code))
        .ok_or(Failure::NotFound)?;
    // A link sets the password of whoever redeems it: the school hands out
    // first links to its teachers only. Resetting a password that is set, or
    // inviting management staff, is an administrator's job.
    if !admin {
        let has_password = state
            .store
            .credentials(&person.login)
            .await?
            .is_some_and(|cr| cr.password_hash.is_some());
        let teacher_only = person
            .roles
            .iter()
            .all(|r| matches!(r, Role::Teacher | Role::Mentor));
        if has_password || !teacher_only {
            return Err(Failure::Forbidden.into());
        }
    }
    let (token, invitation) = Auth::invitation(&person.login);
    let expires = chrono::DateTime::from_timestamp_millis(invitation.expires_at)
        .map(|t| {
            t.with_timezone(&state.config.timezone)
                .format("%d.%m.%Y %H:%M")
                .to_string()
        })
        .unwrap_or_default();
    state
        .store
        .reissue_invitation(invitation, now_millis())
        .await?;
    state
        .store
        .audit(store::AuditEntry {
            at: now_millis(),
            actor: Some(c.login.clone()),
            action: "invitation reissued".into(),
            object: format!("account {}", person.login),
        })
        .await?;
    Ok(html(app::render_invitation_issued(
        &app::InvitationIssued {
            chrome: chrome(&c, &csrf, ""),
            full_name: person.full_name,
            login: person.login.to_string(),
            link: state.config.invitation_link(&token),
            expires,
            back_href: if scope.schools.contains(&code) {
                "/school".into()
            } else {
                format!("/schools/{code}")
            },
        },
    )))
}

// ---- home pages -----------------------------------------------------------

/// «22.11.2026 15:40 (МСК)» for an instant, in the region's zone.
pub fn local_time(state: &AppState, ms: store::Millis) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| {
            let local = t.with_timezone(&state.config.timezone);
            let zone = if state.config.timezone == chrono_tz::Europe::Moscow {
                "МСК".to_string()
            } else {
                local.format("%Z").to_string()
            };
            format!("{} ({zone})", local.format("%d.%m.%Y %H:%M"))
        })
        .unwrap_or_default()
}

/// «62,50 %» from a stored «62.50».
pub fn percent_ru(stored: &str) -> String {
    format!("{} %", stored.replace('.', ","))
}

/// Titles of the loaded banks by id (the latest loaded version's).
pub async fn bank_titles(
    state: &AppState,
) -> Result<std::collections::HashMap<String, String>, Failure> {
    let mut titles = std::collections::HashMap::new();
    for v in state.store.bank_versions().await? {
        titles.entry(v.bank_id).or_insert(v.title);
    }
    Ok(titles)
}

pub async fn me(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    csrf: Csrf,
) -> PageResult {
    let scope = c.scope();
    let account = state
        .store
        .account(&scope, &c.login)
        .await?
        .ok_or(Failure::NotFound)?;
    let school = match &account.school {
        // One's own school is shown on one's profile even without a school role.
        Some(code) => state.store.school(&Scope::region(), code).await?,
        None => None,
    };
    let history = state.store.diagnostics_of(&scope, &c.login).await?;
    let titles = bank_titles(&state).await?;
    let mut campaigns = Vec::new();
    for (campaign, _) in state.diagnostics.campaigns_for(&c).await? {
        let bank = state.diagnostics.bank(campaign.bank_version_id).await?;
        let state_of = match state.store.attempt_for(campaign.id, &c.login).await? {
            None => app::CardState::NotStarted,
            Some(a) if a.status == store::AttemptStatus::InProgress => app::CardState::InProgress {
                attempt_id: a.id,
                answered: state.store.responses(a.id).await?.len(),
                deadline_text: local_time(&state, a.deadline),
            },
            Some(a) => match history.iter().find(|d| d.attempt_id == Some(a.id)) {
                Some(d) => app::CardState::Finished {
                    diagnostic_id: d.id,
                },
                None => continue,
            },
        };
        campaigns.push(app::CampaignCard {
            id: campaign.id,
            title: campaign.title.clone(),
            bank_title: bank.title.clone(),
            window: format!(
                "{} – {}",
                campaign.opens_on.format("%d.%m.%Y"),
                campaign.closes_on.format("%d.%m.%Y")
            ),
            time_limit_minutes: bank.time_limit_minutes,
            items: bank
                .competences
                .iter()
                .map(|k| k.items_per_attempt as usize)
                .sum(),
            state: state_of,
        });
    }
    let names = crate::iom::level_names(state.store.as_ref()).await?;
    let diagnostics = crate::web_diagnostics::history_rows(&history, &titles, &names);
    // One's own regional methodist: the assignment is read in one's own
    // scope, the methodist's name region-wide (a name, nothing more).
    let methodist = match crate::matching::active_methodists(state.store.as_ref(), &scope)
        .await?
        .get(&c.login)
    {
        Some(m) => Some(
            state
                .store
                .account(&Scope::region(), m)
                .await?
                .map_or_else(|| m.to_string(), |a| a.full_name),
        ),
        None => None,
    };
    Ok(html(app::render_teacher_home(&app::TeacherHome {
        chrome: chrome(&c, &csrf, "/me"),
        account,
        school,
        campaigns,
        diagnostics,
        csrf: csrf.0.clone(),
        methodist,
    })))
}

async fn school_page(
    state: &AppState,
    c: &Caller,
    csrf: &Csrf,
    code: &SchoolCode,
    current: &str,
) -> PageResult {
    let scope = c.scope();
    let school = state
        .store
        .school(&scope, code)
        .await?
        .ok_or(Failure::NotFound)?;
    let staff = state
        .store
        .staff(
            &scope,
            &StaffFilter {
                school: Some(code.clone()),
                ..StaffFilter::default()
            },
        )
        .await?;
    // Routes of the current period, as the caller may see them (drafts
    // only for the region's methodists).
    let period = crate::iom::policy(state.store.as_ref())
        .await?
        .period(state.config.today());
    let drafts = crate::iom::works_on_routes(c);
    let routes: std::collections::HashMap<_, _> = state
        .store
        .routes_where(
            &scope,
            &store::RouteFilter {
                school: Some(code.clone()),
                period_from: Some(period.from),
                ..store::RouteFilter::default()
            },
        )
        .await?
        .into_iter()
        .filter(|r| drafts || r.status != store::RouteStatus::Draft)
        .map(|r| (r.teacher.clone(), r))
        .collect();
    let names = crate::iom::level_names(state.store.as_ref()).await?;
    let today = state.config.today();
    // Who accompanies each teacher: one read of the active assignments the
    // caller may see, then the methodists' names.
    let methodists = crate::matching::active_methodists(state.store.as_ref(), &scope).await?;
    let mut methodist_names: std::collections::HashMap<Login, Option<String>> =
        std::collections::HashMap::new();
    let mut rows = Vec::with_capacity(staff.len());
    for account in staff {
        let methodist = match methodists.get(&account.login) {
            Some(m) => {
                if !methodist_names.contains_key(m) {
                    let name = person_name(state, m).await?;
                    methodist_names.insert(m.clone(), name);
                }
                methodist_names.get(m).cloned().flatten()
            }
            None => None,
        };
        let has_password = state
            .store
            .credentials(&account.login)
            .await?
            .is_some_and(|cr| cr.password_hash.is_some());
        let (level, route) = if account.has(Role::Teacher) {
            let diagnostics = state.store.diagnostics_of(&scope, &account.login).await?;
            let level = crate::iom::current_profiles(&diagnostics, today)
                .get(&account.login)
                .map(|p| (p.level, names.name(p.level).to_string()));
            let route = routes
                .get(&account.login)
                .map(crate::web_routes::staff_route);
            (level, route)
        } else {
            (None, None)
        };
        rows.push(app::StaffRow {
            account,
            has_password,
            level,
            route,
            methodist,
        });
    }
    let can_invite = c.has(Role::Admin) || scope.schools.contains(code);
    // The school's mentor school, and the schools it mentors (a mentor
    // school): the assignments the caller may see touch this school.
    let mentor_row = state
        .store
        .mentor_school_assignments(
            &scope,
            &SchoolAssignmentFilter {
                active_only: true,
                school: Some(code.clone()),
                municipality: None,
            },
        )
        .await?
        .into_iter()
        .find(|r| &r.school == code);
    let mentor = match mentor_row {
        Some(r) => Some(school_link(state, &scope, &r.mentor_school).await?),
        None => None,
    };
    let mut mentored = Vec::new();
    if school.school.mentor_school {
        let rows = state
            .store
            .mentor_school_assignments(
                &scope,
                &SchoolAssignmentFilter {
                    active_only: true,
                    ..SchoolAssignmentFilter::default()
                },
            )
            .await?;
        for r in rows.iter().filter(|r| &r.mentor_school == code) {
            mentored.push(school_link(state, &scope, &r.school).await?);
        }
        mentored.sort_by(|a, b| a.name.cmp(&b.name));
    }
    let (indicators, indicators_href) = crate::web_dashboard::panel(
        state,
        c,
        domain::indicators::Where::School(code.clone()),
        Some(&school.school.municipality),
    )
    .await?;
    Ok(html(app::render_school(&app::SchoolPage {
        chrome: chrome(c, csrf, current),
        school,
        staff: rows,
        can_invite,
        csrf: csrf.0.clone(),
        notice: None,
        mentor,
        mentored,
        indicators,
        indicators_href,
    })))
}

/// A person's name for a page that shows who works with a visible
/// teacher or school (their regional methodist). The methodist's account
/// itself is usually outside the caller's scope; the name is part of the
/// assignment the scoped read returned, so it is read region-wide.
async fn person_name(state: &AppState, login: &Login) -> Result<Option<String>, Failure> {
    Ok(state
        .store
        .account(&Scope::region(), login)
        .await?
        .map(|a| a.full_name))
}

/// A school named on another school's page (its mentor school, a school it
/// mentors). The other school may be outside the caller's scope: its name
/// is part of the assignment the scoped read returned, so it is read
/// region-wide; the link is given only when the caller may open it.
async fn school_link(
    state: &AppState,
    scope: &Scope,
    code: &SchoolCode,
) -> Result<app::SchoolLink, Failure> {
    let found = state.store.school(&Scope::region(), code).await?;
    let href = found
        .as_ref()
        .filter(|s| scope.sees_school(&s.school.code, &s.school.municipality))
        .map(|_| format!("/schools/{}", path_segment(code.as_str())));
    Ok(app::SchoolLink {
        code: code.to_string(),
        name: found.map_or_else(|| code.to_string(), |s| s.school.display_name().to_string()),
        href,
    })
}

/// Percent-encodes one path segment (logins and codes may hold Cyrillic
/// letters, `@` and the like).
fn path_segment(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// «01.12.2026»: the day of an instant, in the region's zone.
fn local_day(state: &AppState, ms: store::Millis) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| {
            t.with_timezone(&state.config.timezone)
                .format("%d.%m.%Y")
                .to_string()
        })
        .unwrap_or_default()
}

pub async fn own_school(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    csrf: Csrf,
) -> PageResult {
    let code = c.school.clone().ok_or(Failure::NotFound)?;
    school_page(&state, &c, &csrf, &code, "/school").await
}

pub async fn school(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    csrf: Csrf,
    Path(code): Path<String>,
) -> PageResult {
    let code = SchoolCode::parse(&code).map_err(|_| Failure::NotFound)?;
    school_page(&state, &c, &csrf, &code, "").await
}

#[derive(Debug, Default, Deserialize)]
pub struct FilterQuery {
    #[serde(default)]
    cluster: Option<String>,
    #[serde(default)]
    municipality: Option<String>,
    #[serde(default)]
    critical_only: Option<String>,
}

impl FilterQuery {
    fn view(&self) -> Result<app::SchoolFilterView, Failure> {
        let cluster = match self.cluster.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(v) => Some(
                ClusterFlag::parse(v).map_err(|e| Failure::bad_request(e.0, Some("cluster")))?,
            ),
        };
        let municipality = match self.municipality.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(v) => Some(
                MunicipalityCode::parse(v)
                    .map_err(|e| Failure::bad_request(e.0, Some("municipality")))?,
            ),
        };
        let critical_only = matches!(self.critical_only.as_deref(), Some("1" | "on" | "true"));
        Ok(app::SchoolFilterView {
            cluster,
            municipality: municipality.map(|m| m.to_string()),
            critical_only,
        })
    }
}

async fn municipality_page(
    state: &AppState,
    c: &Caller,
    csrf: &Csrf,
    code: &MunicipalityCode,
    q: &FilterQuery,
    current: &str,
) -> PageResult {
    let scope = c.scope();
    let municipality = state
        .store
        .municipalities(&scope)
        .await?
        .into_iter()
        .find(|m| &m.municipality.code == code)
        .ok_or(Failure::NotFound)?;
    // The page filters the table itself and counts clusters over all the
    // municipality's schools, so it gets them all.
    let mut view = q.view()?;
    view.municipality = Some(code.to_string());
    let all = SchoolFilter {
        municipality: Some(code.clone()),
        ..SchoolFilter::default()
    };
    let schools = state.store.schools(&scope, &all).await?;
    // Active mentor-school pairs where either school is in the municipality.
    let pairs = state
        .store
        .mentor_school_assignments(
            &scope,
            &SchoolAssignmentFilter {
                active_only: true,
                school: None,
                municipality: Some(code.clone()),
            },
        )
        .await?;
    let mut mentor_pairs = Vec::with_capacity(pairs.len());
    for r in pairs {
        mentor_pairs.push(app::MentorPairView {
            school: school_link(state, &scope, &r.school).await?,
            mentor: school_link(state, &scope, &r.mentor_school).await?,
            since: local_day(state, r.started_at),
            reasons: r.reasons,
        });
    }
    mentor_pairs.sort_by(|a, b| a.school.name.cmp(&b.school.name));
    let (indicators, indicators_href) = crate::web_dashboard::panel(
        state,
        c,
        domain::indicators::Where::Municipality(code.clone()),
        None,
    )
    .await?;
    Ok(html(app::render_municipality(&app::MunicipalityPage {
        chrome: chrome(c, csrf, current),
        municipality,
        schools,
        filter: view,
        mentor_pairs,
        indicators,
        indicators_href,
    })))
}

pub async fn own_municipality(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    csrf: Csrf,
    Query(q): Query<FilterQuery>,
) -> PageResult {
    let code = c.municipality.clone().ok_or(Failure::NotFound)?;
    municipality_page(&state, &c, &csrf, &code, &q, "/municipality").await
}

pub async fn municipality(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    csrf: Csrf,
    Path(code): Path<String>,
    Query(q): Query<FilterQuery>,
) -> PageResult {
    let code = MunicipalityCode::parse(&code).map_err(|_| Failure::NotFound)?;
    municipality_page(&state, &c, &csrf, &code, &q, "").await
}

pub async fn region(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    csrf: Csrf,
    Query(q): Query<FilterQuery>,
) -> PageResult {
    let scope = c.scope();
    // The page filters the table itself and counts clusters over the whole
    // region, so it gets every school; the query is validated here.
    let view = q.view()?;
    let municipalities = state.store.municipalities(&scope).await?;
    let schools = state
        .store
        .schools(&scope, &SchoolFilter::default())
        .await?;
    Ok(html(app::render_region(&app::RegionPage {
        chrome: chrome(&c, &csrf, "/region"),
        municipalities,
        schools,
        filter: view,
    })))
}

// ---- a regional methodist's mentees ------------------------------------------

/// The caller's active mentees' assignments, by the teacher (read in the
/// caller's scope, whose `mentees_of` makes the mentees visible).
async fn active_assignments(
    state: &AppState,
    c: &Caller,
    teacher: Option<&Login>,
) -> Result<Vec<store::AssignmentRow>, Failure> {
    Ok(state
        .store
        .methodist_assignments(
            &c.scope(),
            &AssignmentFilter {
                active_only: true,
                teacher: teacher.cloned(),
                methodist: Some(c.login.clone()),
            },
        )
        .await?)
}

/// A route a mentor follows: approved or completed (drafts are the
/// region's work in progress).
fn followed(r: &store::RouteRow) -> bool {
    r.status != RouteStatus::Draft
}

/// «Мои подопечные».
pub async fn mentees(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    csrf: Csrf,
) -> PageResult {
    let scope = c.scope();
    let store = state.store.as_ref();
    let methodist = store.methodist(&scope, &c.login).await?;
    let assignments = active_assignments(&state, &c, None).await?;
    let today = state.config.today();
    let period = crate::iom::policy(store).await?.period(today);
    let mut routes: std::collections::HashMap<Login, store::RouteRow> =
        std::collections::HashMap::new();
    if !assignments.is_empty() {
        for r in store
            .routes_where(
                &scope,
                &store::RouteFilter {
                    period_from: Some(period.from),
                    ..store::RouteFilter::default()
                },
            )
            .await?
            .into_iter()
            .filter(followed)
        {
            // Newest route first: keep the first of each teacher.
            routes.entry(r.teacher.clone()).or_insert(r);
        }
    }
    let names = crate::iom::level_names(store).await?;
    let mut school_names: std::collections::HashMap<SchoolCode, String> =
        std::collections::HashMap::new();
    let mut rows = Vec::with_capacity(assignments.len());
    for a in assignments {
        let Some(account) = store.account(&scope, &a.teacher).await? else {
            continue;
        };
        let school = match &account.school {
            Some(code) => {
                if !school_names.contains_key(code) {
                    let name = school_link(&state, &scope, code).await?.name;
                    school_names.insert(code.clone(), name);
                }
                school_names[code].clone()
            }
            None => "—".to_string(),
        };
        let diagnostics = store.diagnostics_of(&scope, &a.teacher).await?;
        let level = crate::iom::current_profiles(&diagnostics, today)
            .get(&a.teacher)
            .map(|p| (p.level, names.name(p.level).to_string()));
        // Newest first.
        let consultations = store.consultations(&scope, &a.teacher).await?;
        rows.push(app::MenteeRow {
            login: a.teacher.to_string(),
            full_name: account.full_name,
            school,
            subjects: account.attrs.subjects,
            level,
            route: routes.get(&a.teacher).map(crate::web_routes::staff_route),
            since: local_day(&state, a.started_at),
            last_consultation: consultations.first().map(|k| app::ru_date(k.held_on)),
            consultations: consultations.len(),
        });
    }
    rows.sort_by(|a, b| a.full_name.cmp(&b.full_name));
    Ok(html(app::render_mentor(&app::MentorPage {
        chrome: chrome(&c, &csrf, "/mentees"),
        methodist,
        mentees: rows,
    })))
}

#[derive(Debug, Default, Deserialize)]
pub struct MenteeQuery {
    #[serde(default)]
    done: Option<String>,
}

/// One mentee's page; `NotFound` unless the teacher is the caller's active
/// mentee.
async fn mentee_page(
    state: &AppState,
    c: &Caller,
    csrf: &Csrf,
    login: &Login,
) -> Result<app::MenteePage, Failure> {
    let assignment = active_assignments(state, c, Some(login))
        .await?
        .into_iter()
        .find(|a| &a.teacher == login)
        .ok_or(Failure::NotFound)?;
    let scope = c.scope();
    let store = state.store.as_ref();
    let account = store
        .account(&scope, login)
        .await?
        .ok_or(Failure::NotFound)?;
    let school = match &account.school {
        Some(code) => {
            let link = school_link(state, &scope, code).await?;
            format!("{} ({})", link.name, link.code)
        }
        None => "—".to_string(),
    };
    let today = state.config.today();
    let names = crate::iom::level_names(store).await?;
    let titles: std::collections::HashMap<domain::CompetenceRef, String> = state
        .diagnostics
        .current_banks()
        .await?
        .iter()
        .flat_map(|b| {
            b.competences
                .iter()
                .map(move |k| (domain::CompetenceRef::new(&b.id, &k.code), k.title.clone()))
        })
        .collect();
    let diagnostics = store.diagnostics_of(&scope, login).await?;
    let profile = crate::iom::current_profiles(&diagnostics, today).remove(login);
    let level = profile
        .as_ref()
        .map(|p| (p.level, names.name(p.level).to_string()));
    let deficits = profile.map(|p| {
        p.deficits()
            .map(|(k, percent, l, _)| app::DeficitRow {
                competence: k.to_string(),
                title: titles.get(k).cloned().unwrap_or_else(|| k.to_string()),
                percent: percent.as_deref().map_or_else(|| "—".into(), percent_ru),
                level: *l,
                level_title: names.name(*l).to_string(),
            })
            .collect()
    });
    let period = crate::iom::policy(store).await?.period(today);
    let route = store
        .routes_of(&scope, login)
        .await?
        .into_iter()
        .find(|r| r.period.from == period.from && followed(r))
        .map(|r| crate::web_routes::staff_route(&r));
    let consultations = store
        .consultations(&scope, login)
        .await?
        .into_iter()
        .map(|k| app::ConsultationView {
            held_on: app::ru_date(k.held_on),
            form: k.form,
            topic: k.topic,
            result: k.result,
        })
        .collect();
    let a = account.attrs;
    Ok(app::MenteePage {
        chrome: chrome(c, csrf, "/mentees"),
        csrf: csrf.0.clone(),
        login: login.to_string(),
        full_name: account.full_name,
        school,
        subjects: a.subjects,
        experience: a
            .experience_years
            .map_or_else(|| "—".to_string(), app::ru_years),
        position: a.position.unwrap_or_else(|| "—".into()),
        level,
        deficits,
        route,
        since: local_day(state, assignment.started_at),
        reasons: assignment.reasons,
        consultations,
        form: app::ConsultationForm::default(),
        today: today.format("%Y-%m-%d").to_string(),
        error: None,
        notice: None,
    })
}

pub async fn mentee(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    csrf: Csrf,
    Path(login): Path<String>,
    Query(q): Query<MenteeQuery>,
) -> PageResult {
    let login = Login::parse(&login).map_err(|_| Failure::NotFound)?;
    let mut page = mentee_page(&state, &c, &csrf, &login).await?;
    page.notice = match q.done.as_deref() {
        Some("consultation") => Some("Консультация записана.".to_string()),
        _ => None,
    };
    Ok(html(app::render_mentee(&page)))
}

#[derive(Debug, Default, Deserialize)]
pub struct ConsultationFields {
    #[serde(default)]
    held_on: String,
    #[serde(default)]
    form: String,
    #[serde(default)]
    topic: String,
    #[serde(default)]
    result: String,
}

/// Longest topic and result accepted (the form's `maxlength`).
const TOPIC_MAX: usize = 300;
const RESULT_MAX: usize = 4000;

/// Checks the typed consultation; the Russian refusal otherwise.
fn parse_consultation(
    teacher: &Login,
    f: &ConsultationFields,
    today: chrono::NaiveDate,
) -> Result<store::NewConsultation, String> {
    let held_on = match f.held_on.trim() {
        "" => return Err("Укажите дату консультации.".into()),
        v => chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
            .map_err(|_| "Дата консультации указана неверно.".to_string())?,
    };
    if held_on > today {
        return Err("Дата консультации не может быть позже сегодняшнего дня.".into());
    }
    let form = f.form.trim();
    if !app::CONSULTATION_FORMS.contains(&form) {
        return Err("Выберите форму консультации из списка.".into());
    }
    let topic = f.topic.trim();
    if topic.is_empty() {
        return Err("Укажите тему консультации.".into());
    }
    if topic.chars().count() > TOPIC_MAX {
        return Err(format!(
            "Тема слишком длинная: не более {TOPIC_MAX} символов."
        ));
    }
    let result = f.result.trim();
    if result.chars().count() > RESULT_MAX {
        return Err(format!(
            "Результат слишком длинный: не более {RESULT_MAX} символов."
        ));
    }
    Ok(store::NewConsultation {
        teacher: teacher.clone(),
        held_on,
        form: form.to_string(),
        topic: topic.to_string(),
        result: result.to_string(),
    })
}

/// A regional methodist logs a consultation with a mentee.
pub async fn add_consultation(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    csrf: Csrf,
    Path(login): Path<String>,
    Form(f): Form<ConsultationFields>,
) -> PageResult {
    let login = Login::parse(&login).map_err(|_| Failure::NotFound)?;
    // The page as it is now: a refusal shows it with the typed values, even
    // when the assignment ends while the form is being sent.
    let mut page = mentee_page(&state, &c, &csrf, &login).await?;
    page.form = app::ConsultationForm {
        held_on: f.held_on.clone(),
        form: f.form.clone(),
        topic: f.topic.clone(),
        result: f.result.clone(),
    };
    let refuse = |mut page: app::MenteePage, status: StatusCode, message: String| {
        page.error = Some(message);
        (status, Html(app::render_mentee(&page))).into_response()
    };
    let new = match parse_consultation(&login, &f, state.config.today()) {
        Ok(new) => new,
        Err(message) => return Ok(refuse(page, StatusCode::UNPROCESSABLE_ENTITY, message)),
    };
    match state
        .store
        .add_consultation(&c.login, new, now_millis())
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!(
            "/mentees/{}?done=consultation",
            path_segment(login.as_str())
        ))
        .into_response()),
        Err(store::StoreError::Conflict(message)) => {
            Ok(refuse(page, StatusCode::CONFLICT, capitalized(&message)))
        }
        Err(e) => Err(Failure::from(e).into()),
    }
}

/// The store's refusals start in lower case («педагог не закреплён за
/// вами»); a page shows them as a sentence.
fn capitalized(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => {
            let mut out: String = first.to_uppercase().collect();
            out.push_str(chars.as_str());
            if !out.ends_with('.') {
                out.push('.');
            }
            out
        }
        None => message.to_string(),
    }
}

#[cfg(test)]
mod mentee_tests {
    use super::*;

    fn fields(held_on: &str, form: &str, topic: &str, result: &str) -> ConsultationFields {
        ConsultationFields {
            held_on: held_on.into(),
            form: form.into(),
            topic: topic.into(),
            result: result.into(),
        }
    }

    #[test]
    fn consultations_are_checked_at_the_edge() {
        let t = Login::parse("teacher1").unwrap();
        let today = chrono::NaiveDate::from_ymd_opt(2027, 1, 25).unwrap();
        let ok = parse_consultation(
            &t,
            &fields("2027-01-25", "очно", "  План  ", " итог "),
            today,
        )
        .unwrap();
        assert_eq!(ok.held_on, today);
        assert_eq!(ok.form, "очно");
        assert_eq!(ok.topic, "План");
        assert_eq!(ok.result, "итог");
        let refused = |f: ConsultationFields| parse_consultation(&t, &f, today).unwrap_err();
        assert_eq!(
            refused(fields("", "очно", "x", "")),
            "Укажите дату консультации."
        );
        assert_eq!(
            refused(fields("25.01.2027", "очно", "x", "")),
            "Дата консультации указана неверно."
        );
        assert!(refused(fields("2027-01-26", "очно", "x", "")).contains("позже"));
        assert!(refused(fields("2027-01-20", "лично", "x", "")).contains("форму"));
        assert_eq!(
            refused(fields("2027-01-20", "другое", "   ", "")),
            "Укажите тему консультации."
        );
        assert!(refused(fields("2027-01-20", "другое", &"т".repeat(301), "")).contains("300"));
        assert!(refused(fields("2027-01-20", "другое", "x", &"р".repeat(4001))).contains("4000"));
    }

    #[test]
    fn store_refusals_read_as_sentences() {
        assert_eq!(
            capitalized("педагог не закреплён за вами"),
            "Педагог не закреплён за вами."
        );
        assert_eq!(capitalized("Готово."), "Готово.");
        assert_eq!(capitalized(""), "");
    }

    #[test]
    fn path_segments_are_encoded() {
        assert_eq!(path_segment("teacher1"), "teacher1");
        assert_eq!(path_segment("ив@шк"), "%D0%B8%D0%B2%40%D1%88%D0%BA");
    }
}
