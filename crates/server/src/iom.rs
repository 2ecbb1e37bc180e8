//! Routes (ИОМ) on the server side: gathering what generation needs from the
//! store, running the domain's generator, saving the drafts.
//!
//! The rules live in `domain::routes`; this module only reads the stored
//! facts (the directory, the current diagnostics, the catalogue and how its
//! seats are used, the routes already there) and the region's policy.

use std::collections::{BTreeMap, HashMap};

use chrono::{Months, NaiveDate};
use domain::profile::{Taken, current};
use domain::routes::{Deficit, Mentor, Need, Proposal, Step, generate};
use domain::{
    Bank, CompetenceRef, CourseCode, Level, Login, MunicipalityCode, RegionAuthority, Role,
    RoutePolicy, SchoolCode, policy::ROUTE_POLICY_KEY,
};
use serde_json::{Value, json};
use store::{DiagnosticRow, DraftCounts, NewDraft, RouteRow, Store};

use crate::auth::now_millis;
use crate::error::Failure;

/// The region's route policy: the stored setting, or the defaults of
/// `rules.md`.
pub async fn policy(store: &dyn Store) -> Result<RoutePolicy, Failure> {
    match store.setting(ROUTE_POLICY_KEY).await? {
        Some(json) => serde_json::from_str(&json)
            .map_err(|e| Failure::internal(format!("stored route policy does not parse: {e}"))),
        None => Ok(RoutePolicy::default()),
    }
}

/// The region's display names of the levels (a setting; the defaults of
/// `rules.md`, since regions word them differently).
pub async fn level_names(store: &dyn Store) -> Result<domain::LevelNames, Failure> {
    Ok(
        match store.setting(domain::policy::LEVEL_NAMES_KEY).await? {
            Some(json) => serde_json::from_str(&json).unwrap_or_default(),
            None => domain::LevelNames::default(),
        },
    )
}

/// What one generation run did.
#[derive(Debug)]
pub struct Generated {
    pub proposals: Vec<Proposal>,
    pub counts: DraftCounts,
    /// Teachers who need a route but kept theirs (approved or edited).
    pub kept: usize,
}

/// A teacher's current profile (`rules.md`: per bank the latest completed
/// diagnostic of the last 12 months): the level, the most severe overall
/// level, and every competence of those diagnostics with its stored percent,
/// level and the day it was taken, most severe first.
#[derive(Debug, Clone, PartialEq)]
pub struct CurrentProfile {
    pub level: Level,
    pub competences: Vec<(CompetenceRef, Option<String>, Level, NaiveDate)>,
}

impl CurrentProfile {
    /// The deficits: the competences above [`Level::None`].
    pub fn deficits(
        &self,
    ) -> impl Iterator<Item = &(CompetenceRef, Option<String>, Level, NaiveDate)> {
        self.competences.iter().filter(|c| c.2 > Level::None)
    }
}

/// Every teacher's current profile from their completed diagnostics; a
/// teacher without a current diagnostic is absent.
pub fn current_profiles(
    diagnostics: &[DiagnosticRow],
    today: NaiveDate,
) -> BTreeMap<Login, CurrentProfile> {
    let mut by_teacher: BTreeMap<&Login, Vec<&DiagnosticRow>> = BTreeMap::new();
    for d in diagnostics {
        by_teacher.entry(&d.login).or_default().push(d);
    }
    let mut out = BTreeMap::new();
    for (login, rows) in by_teacher {
        let taken: Vec<Taken<'_>> = rows
            .iter()
            .map(|d| Taken {
                bank: &d.bank_id,
                taken_on: d.taken_on,
                order: d.id,
                level: d.overall_level,
            })
            .collect();
        let chosen = current(&taken, today);
        let Some(level) = chosen.iter().map(|&i| taken[i].level).max() else {
            continue;
        };
        let mut competences = Vec::new();
        for &i in &chosen {
            for c in &rows[i].competences {
                if let Ok(r) = CompetenceRef::parse(&c.competence) {
                    competences.push((r, c.percent.clone(), c.level, rows[i].taken_on));
                }
            }
        }
        competences.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
        out.insert(login.clone(), CurrentProfile { level, competences });
    }
    out
}

/// Whom a generation run proposes routes for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Group {
    /// Every teacher of the region who needs a route.
    All,
    /// Those of one municipality's schools.
    Municipality(MunicipalityCode),
    /// Those of one school.
    School(SchoolCode),
    /// Those who finished one diagnostic campaign.
    Campaign(i64),
    /// One teacher, whatever their level («any other teacher on request»).
    Teacher(Login),
}

/// Proposes draft routes by the policy for the teachers of `group` who
/// need one and saves them: untouched drafts are replaced, drafts edited
/// by hand and approved routes are kept.
pub async fn generate_routes(
    store: &dyn Store,
    auth: &RegionAuthority,
    banks: &[Bank],
    today: NaiveDate,
    group: &Group,
) -> Result<Generated, Failure> {
    let policy = policy(store).await?;
    let period = policy.period(today);
    let titles: HashMap<CompetenceRef, &str> = banks
        .iter()
        .flat_map(|b| {
            b.competences
                .iter()
                .map(move |c| (CompetenceRef::new(&b.id, &c.code), c.title.as_str()))
        })
        .collect();

    let directory = store.directory(auth).await?;
    let schools: HashMap<_, _> = directory.schools.iter().map(|s| (&s.code, s)).collect();
    let since = today
        .checked_sub_months(Months::new(12))
        .unwrap_or(NaiveDate::MIN);
    let diagnostics = store.diagnostics_since(auth, since).await?;
    let profiles = current_profiles(&diagnostics, today);
    let states = store.route_states(auth, period.from).await?;

    let finishers: std::collections::HashSet<Login> = match group {
        Group::Campaign(id) => store
            .campaign_finishers(auth, *id)
            .await?
            .into_iter()
            .collect(),
        _ => Default::default(),
    };
    let methodists = crate::matching::active_methodists(store, &domain::Scope::region()).await?;
    let names: HashMap<&Login, &str> = directory
        .accounts
        .iter()
        .map(|a| (&a.login, a.full_name.as_str()))
        .collect();
    let mut needs = Vec::new();
    let mut kept = 0;
    for a in &directory.accounts {
        let school = a.school.as_ref().and_then(|c| schools.get(c));
        let in_group = match group {
            Group::All => true,
            Group::Teacher(l) => l == &a.login,
            Group::School(code) => a.school.as_ref() == Some(code),
            Group::Municipality(code) => school.is_some_and(|s| &s.municipality == code),
            Group::Campaign(_) => finishers.contains(&a.login),
        };
        if !a.active || !a.has(Role::Teacher) || !in_group {
            continue;
        }
        let on_request = matches!(group, Group::Teacher(_));
        let Some(profile) = profiles.get(&a.login) else {
            continue;
        };
        if profile.deficits().next().is_none()
            || (!on_request && !policy.route_levels.contains(&profile.level))
        {
            continue;
        }
        if states.get(&a.login).is_some_and(|s| !s.replaceable()) {
            kept += 1;
            continue;
        }
        needs.push(Need {
            teacher: a.login.clone(),
            municipality: school.map(|s| s.municipality.clone()),
            rural: school.is_some_and(|s| s.rural),
            subjects: a.attrs.subjects.clone(),
            deficits: profile
                .deficits()
                .map(|(c, _, l, _)| Deficit {
                    title: titles
                        .get(c)
                        .map_or_else(|| c.to_string(), |t| (*t).to_string()),
                    competence: c.clone(),
                    level: *l,
                })
                .collect(),
            // `rules.md`: the teacher's regional methodist when one is
            // assigned; a colleague is named later on the route page.
            mentor: methodists
                .get(&a.login)
                .map_or(Mentor::Unassigned, |m| Mentor::Methodist {
                    login: m.clone(),
                    name: names
                        .get(m)
                        .map_or_else(|| m.to_string(), |n| n.to_string()),
                }),
        });
    }

    let catalogue = store.catalogue().await?;
    let used = store.seat_use().await?;
    let seats_left: HashMap<CourseCode, u32> = catalogue
        .iter()
        .filter_map(|e| {
            let capacity = e.capacity?;
            let u = used.get(&e.code).copied().unwrap_or_default();
            Some((
                e.code.clone(),
                capacity.saturating_sub(u.held + u.kept_drafts),
            ))
        })
        .collect();

    let proposals = generate(&needs, &catalogue, &seats_left, &policy, period);
    let drafts = proposals
        .iter()
        .map(|p| NewDraft {
            teacher: p.teacher.clone(),
            period,
            steps: p.steps.clone(),
            uncovered_json: serde_json::to_string(&p.uncovered).expect("uncovered serialises"),
        })
        .collect();
    let counts = store.save_drafts(auth, drafts, now_millis()).await?;
    Ok(Generated {
        proposals,
        counts,
        kept,
    })
}

fn date(d: Option<NaiveDate>) -> Value {
    d.map_or(Value::Null, |d| json!(d.format("%Y-%m-%d").to_string()))
}

/// A step as `spec/cli.md` writes it (`routes generate --json`).
pub fn step_json(s: &Step) -> Value {
    json!({
        "kind": s.kind.as_str(),
        "course": s.course.as_ref().map(|c| c.as_str()),
        "title": s.title,
        "competences": s.competences.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
        "hours": s.hours,
        "mandatory": s.mandatory,
        "starts_on": date(s.starts_on),
        "ends_on": date(s.ends_on),
        "mentor": s.mentor.as_ref().map(|l| l.as_str()),
    })
}

/// `routes generate --json` as `spec/cli.md` writes it.
pub fn proposals_json(proposals: &[Proposal]) -> Value {
    let routes: Vec<Value> = proposals
        .iter()
        .map(|p| {
            json!({
                "teacher": p.teacher.as_str(),
                "steps": p.steps.iter().map(step_json).collect::<Vec<_>>(),
                "uncovered": p.uncovered.iter().map(|u| json!({
                    "competence": u.competence.to_string(),
                    "why": u.text,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({ "routes": routes })
}

/// A stored route as the API answers it (`spec/api.md`): each step as
/// `routes generate` writes it, plus its status.
pub fn route_json(r: &RouteRow) -> Value {
    json!({
        "id": r.id,
        "status": r.status.as_str(),
        "period": { "from": date(Some(r.period.from)), "to": date(Some(r.period.to)) },
        "steps": r.steps.iter().map(|s| {
            let mut v = step_json(&s.step);
            v["status"] = json!(s.status.as_str());
            v
        }).collect::<Vec<_>>(),
    })
}

/// ЦНППМ methodists and administrators work on routes: they see drafts,
/// generate, edit and approve them, and edit the catalogue; a teacher, a
/// deputy head or a coordinator sees a route once it is approved. The same
/// holders get [`RegionAuthority::for_route_work`].
pub fn works_on_routes(caller: &domain::Caller) -> bool {
    RegionAuthority::for_route_work(caller).is_some()
}
