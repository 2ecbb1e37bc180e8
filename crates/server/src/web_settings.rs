//! «Настройки»: the region's route policy and level names, which a ЦНППМ
//! methodist or an administrator changes on a page (`rules.md`: every value
//! is a setting with its default). Stored as JSON settings; the domain
//! checks them.

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use domain::matching::{MATCH_POLICY_KEY, MatchPolicy, NeedKind};
use domain::policy::{LEVEL_NAMES_KEY, ROUTE_POLICY_KEY};
use domain::{Level, LevelNames, MonthDay, RoutePolicy};
use serde::Deserialize;

use crate::error::PageError;
use crate::session::{Csrf, PageCaller};
use crate::state::AppState;
use crate::web::chrome;

type PageResult = Result<Response, PageError>;

/// The level names the page edits, in its order.
const NAMED: [Level; 4] = [Level::Critical, Level::High, Level::Reduced, Level::None];

fn form_of(policy: &RoutePolicy, names: &LevelNames, matching: &MatchPolicy) -> app::SettingsForm {
    let priority = NeedKind::ALL.map(|k| {
        matching
            .methodist_priority
            .iter()
            .position(|p| *p == k)
            .map(|i| (i + 1).to_string())
            .unwrap_or_default()
    });
    let levels = |set: &std::collections::BTreeSet<Level>| {
        set.iter().rev().map(|l| l.as_str().to_string()).collect()
    };
    app::SettingsForm {
        budget_hours: policy.budget_hours.to_string(),
        critical_course_hours: policy.critical_course_hours.to_string(),
        period_start: String::from(policy.period_start),
        period_end: String::from(policy.period_end),
        route_levels: levels(&policy.route_levels),
        mandatory_levels: levels(&policy.mandatory_levels),
        recommend_reduced: policy.recommend_reduced,
        critical_mentoring: policy.critical_mentoring,
        fit_subjects: policy.fit_subjects,
        fit_place: policy.fit_place,
        prefer_remote_rural: policy.prefer_remote_rural,
        names: NAMED.map(|l| names.name(l).to_string()),
        methodist_priority: priority,
        young_under_years: matching.young_under_years.to_string(),
        newly_hired_days: matching.newly_hired_days.to_string(),
        prefer_subject: matching.prefer_subject,
        prefer_municipality: matching.prefer_municipality,
        balance_load: matching.balance_load,
        schools_critical: matching.schools_critical,
        schools_cluster: matching.schools_cluster,
        mentor_capacity: matching.mentor_capacity.to_string(),
        prefer_same_municipality: matching.prefer_same_municipality,
        prefer_same_type: matching.prefer_same_type,
    }
}

/// Reads the matching part of the form, or says what to fix.
fn parse_matching(form: &app::SettingsForm) -> Result<MatchPolicy, String> {
    let number = |v: &str, what: &str, max: u32| -> Result<u32, String> {
        v.parse::<u32>()
            .ok()
            .filter(|n| *n <= max)
            .ok_or_else(|| format!("{what}: целое число от 0 до {max}"))
    };
    let mut ranked: Vec<(u32, NeedKind)> = Vec::new();
    for (kind, value) in NeedKind::ALL.iter().zip(&form.methodist_priority) {
        if value.is_empty() {
            continue;
        }
        let rank = value
            .parse::<u32>()
            .ok()
            .filter(|r| (1..=4).contains(r))
            .ok_or_else(|| "Приоритеты групп педагогов: число от 1 до 4 или пусто".to_string())?;
        if ranked.iter().any(|(r, _)| *r == rank) {
            return Err(format!(
                "Приоритеты групп педагогов: приоритет {rank} указан дважды"
            ));
        }
        ranked.push((rank, *kind));
    }
    ranked.sort();
    let policy = MatchPolicy {
        methodist_priority: ranked.into_iter().map(|(_, k)| k).collect(),
        young_under_years: number(&form.young_under_years, "Стаж молодого педагога", 50)?,
        newly_hired_days: number(&form.newly_hired_days, "Вновь принятый педагог", 3660)?,
        prefer_subject: form.prefer_subject,
        prefer_municipality: form.prefer_municipality,
        balance_load: form.balance_load,
        schools_critical: form.schools_critical,
        schools_cluster: form.schools_cluster,
        mentor_capacity: number(&form.mentor_capacity, "Мест у школы-наставника", 100)?,
        prefer_same_municipality: form.prefer_same_municipality,
        prefer_same_type: form.prefer_same_type,
    };
    policy.check().map_err(|e| e.0)?;
    Ok(policy)
}

/// Reads the form into a policy and names, or says what to fix.
fn parse(
    fields: &[(String, String)],
) -> (
    app::SettingsForm,
    Result<(RoutePolicy, LevelNames, MatchPolicy), String>,
) {
    let one = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let many = |name: &str| -> Vec<String> {
        fields
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    };
    let form = app::SettingsForm {
        budget_hours: one("budget_hours"),
        critical_course_hours: one("critical_course_hours"),
        period_start: one("period_start"),
        period_end: one("period_end"),
        route_levels: many("route_levels"),
        mandatory_levels: many("mandatory_levels"),
        recommend_reduced: !one("recommend_reduced").is_empty(),
        critical_mentoring: !one("critical_mentoring").is_empty(),
        fit_subjects: !one("fit_subjects").is_empty(),
        fit_place: !one("fit_place").is_empty(),
        prefer_remote_rural: !one("prefer_remote_rural").is_empty(),
        names: ["name_critical", "name_high", "name_reduced", "name_none"].map(one),
        methodist_priority: app::PRIORITY_GROUPS.map(|(name, _)| one(name)),
        young_under_years: one("young_under_years"),
        newly_hired_days: one("newly_hired_days"),
        prefer_subject: !one("prefer_subject").is_empty(),
        prefer_municipality: !one("prefer_municipality").is_empty(),
        balance_load: !one("balance_load").is_empty(),
        schools_critical: !one("schools_critical").is_empty(),
        schools_cluster: !one("schools_cluster").is_empty(),
        mentor_capacity: one("mentor_capacity"),
        prefer_same_municipality: !one("prefer_same_municipality").is_empty(),
        prefer_same_type: !one("prefer_same_type").is_empty(),
    };
    let parsed = (|| {
        let hours = |v: &str, what: &str| -> Result<u32, String> {
            v.parse::<u32>()
                .ok()
                .filter(|h| *h <= 2000)
                .ok_or_else(|| format!("{what}: целое число часов от 0 до 2000"))
        };
        let levels = |values: &[String], what: &str| {
            values
                .iter()
                .map(|v| Level::parse(v).map_err(|e| format!("{what}: {}", e.0)))
                .collect::<Result<std::collections::BTreeSet<_>, _>>()
        };
        let policy = RoutePolicy {
            route_levels: levels(&form.route_levels, "Кому формируется маршрут")?,
            mandatory_levels: levels(&form.mandatory_levels, "Обязательные дефициты")?,
            recommend_reduced: form.recommend_reduced,
            period_start: MonthDay::parse(&form.period_start)
                .map_err(|e| format!("Начало периода: {}", e.0))?,
            period_end: MonthDay::parse(&form.period_end)
                .map_err(|e| format!("Окончание периода: {}", e.0))?,
            budget_hours: hours(&form.budget_hours, "Бюджет часов")?,
            critical_course_hours: hours(
                &form.critical_course_hours,
                "Курс для критического уровня",
            )?,
            critical_mentoring: form.critical_mentoring,
            fit_subjects: form.fit_subjects,
            fit_place: form.fit_place,
            prefer_remote_rural: form.prefer_remote_rural,
        };
        policy.check().map_err(|e| e.0)?;
        if policy.route_levels.is_empty() {
            return Err("Отметьте хотя бы один уровень, которому формируется маршрут".to_string());
        }
        let [critical, high, reduced, none] = form.names.clone();
        if [&critical, &high, &reduced, &none]
            .iter()
            .any(|n| n.is_empty())
        {
            return Err("Названия уровней не могут быть пустыми".to_string());
        }
        let matching = parse_matching(&form)?;
        Ok((
            policy,
            LevelNames {
                critical,
                high,
                reduced,
                none,
            },
            matching,
        ))
    })();
    (form, parsed)
}

#[derive(Debug, Deserialize, Default)]
pub struct SettingsQuery {
    #[serde(default)]
    done: String,
}

pub async fn settings(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    csrf: Csrf,
    Query(q): Query<SettingsQuery>,
) -> PageResult {
    let policy = crate::iom::policy(state.store.as_ref()).await?;
    let names = crate::iom::level_names(state.store.as_ref()).await?;
    let matching = crate::matching::policy(state.store.as_ref()).await?;
    let page = app::render_settings(&app::SettingsPage {
        chrome: chrome(&c, &csrf, "/settings"),
        csrf: csrf.0.clone(),
        form: form_of(&policy, &names, &matching),
        error: None,
        notice: (!q.done.is_empty()).then(|| "Настройки сохранены.".to_string()),
    });
    Ok(Html(page).into_response())
}

pub async fn save_settings(
    State(state): State<AppState>,
    PageCaller(c): PageCaller,
    csrf: Csrf,
    body: Bytes,
) -> PageResult {
    let fields: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let (form, parsed) = parse(&fields);
    match parsed {
        Ok((policy, names, matching)) => {
            let failure = crate::error::Failure::from;
            let policy_json = serde_json::to_string(&policy).expect("policy serialises");
            let names_json = serde_json::to_string(&names).expect("names serialise");
            let matching_json = serde_json::to_string(&matching).expect("policy serialises");
            state
                .store
                .set_setting(ROUTE_POLICY_KEY, &policy_json)
                .await
                .map_err(failure)?;
            state
                .store
                .set_setting(LEVEL_NAMES_KEY, &names_json)
                .await
                .map_err(failure)?;
            state
                .store
                .set_setting(MATCH_POLICY_KEY, &matching_json)
                .await
                .map_err(failure)?;
            state
                .store
                .audit(store::AuditEntry {
                    at: crate::auth::now_millis(),
                    actor: Some(c.login.clone()),
                    action: "settings".into(),
                    object: format!("{policy_json} {names_json} {matching_json}"),
                })
                .await
                .map_err(failure)?;
            Ok(Redirect::to("/settings?done=1").into_response())
        }
        Err(message) => {
            let page = app::render_settings(&app::SettingsPage {
                chrome: chrome(&c, &csrf, "/settings"),
                csrf: csrf.0.clone(),
                form,
                error: Some(message),
                notice: None,
            });
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page)).into_response())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_default_form_reads_back_as_the_defaults() {
        let form = form_of(
            &RoutePolicy::default(),
            &LevelNames::default(),
            &MatchPolicy::default(),
        );
        let mut pairs = vec![
            ("budget_hours".to_string(), form.budget_hours.clone()),
            (
                "critical_course_hours".into(),
                form.critical_course_hours.clone(),
            ),
            ("period_start".into(), form.period_start.clone()),
            ("period_end".into(), form.period_end.clone()),
            ("recommend_reduced".into(), "true".into()),
            ("critical_mentoring".into(), "true".into()),
            ("fit_subjects".into(), "true".into()),
            ("fit_place".into(), "true".into()),
            ("prefer_remote_rural".into(), "true".into()),
        ];
        for l in &form.route_levels {
            pairs.push(("route_levels".into(), l.clone()));
        }
        for l in &form.mandatory_levels {
            pairs.push(("mandatory_levels".into(), l.clone()));
        }
        for (k, v) in ["name_critical", "name_high", "name_reduced", "name_none"]
            .iter()
            .zip(form.names.iter())
        {
            pairs.push((k.to_string(), v.clone()));
        }
        for ((k, _), v) in app::PRIORITY_GROUPS
            .iter()
            .zip(form.methodist_priority.iter())
        {
            pairs.push((k.to_string(), v.clone()));
        }
        for (k, v) in [
            ("young_under_years", form.young_under_years.clone()),
            ("newly_hired_days", form.newly_hired_days.clone()),
            ("mentor_capacity", form.mentor_capacity.clone()),
        ] {
            pairs.push((k.to_string(), v));
        }
        for k in [
            "prefer_subject",
            "prefer_municipality",
            "balance_load",
            "schools_critical",
            "schools_cluster",
            "prefer_same_municipality",
            "prefer_same_type",
        ] {
            pairs.push((k.to_string(), "true".into()));
        }
        let (_, parsed) = parse(&pairs);
        let (policy, names, matching) = parsed.unwrap();
        assert_eq!(policy, RoutePolicy::default());
        assert_eq!(names, LevelNames::default());
        assert_eq!(matching, MatchPolicy::default());
    }

    #[test]
    fn the_priority_order_is_read_from_the_numbers() {
        let mut form = form_of(
            &RoutePolicy::default(),
            &LevelNames::default(),
            &MatchPolicy::default(),
        );
        // Young and new first, critical second, reduced left out.
        form.methodist_priority = ["2".into(), "1".into(), "3".into(), String::new()];
        let policy = parse_matching(&form).unwrap();
        assert_eq!(
            policy.methodist_priority,
            vec![NeedKind::YoungOrNew, NeedKind::Critical, NeedKind::High]
        );
        form.methodist_priority = ["1".into(), "1".into(), String::new(), String::new()];
        assert!(parse_matching(&form).unwrap_err().contains("указан дважды"));
        form.methodist_priority = ["5".into(), String::new(), String::new(), String::new()];
        assert!(parse_matching(&form).unwrap_err().contains("от 1 до 4"));
    }

    #[test]
    fn bad_values_name_the_field() {
        let (_, parsed) = parse(&fields(&[
            ("budget_hours", "много"),
            ("critical_course_hours", "36"),
            ("period_start", "01-01"),
            ("period_end", "05-31"),
            ("route_levels", "critical"),
        ]));
        assert!(parsed.unwrap_err().contains("Бюджет часов"));
        let (_, parsed) = parse(&fields(&[
            ("budget_hours", "144"),
            ("critical_course_hours", "36"),
            ("period_start", "13-01"),
            ("period_end", "05-31"),
            ("route_levels", "critical"),
        ]));
        assert!(parsed.unwrap_err().contains("Начало периода"));
    }
}
