//! Matching on the server side (`rules.md`, «Methodists», «Mentor schools»):
//! gathering who needs a methodist or a mentor school from the stored facts,
//! running the domain's optimiser, and recording an accepted proposal.
//!
//! The rules and the optimisation live in `domain::matching`; this module
//! reads the directory, the teachers' current levels and the active
//! assignments, and writes through the store.

use std::collections::{BTreeMap, HashMap};

use chrono::{Months, NaiveDate};
use domain::matching::{
    MATCH_POLICY_KEY, MatchPolicy, MentorSlot, MethodistMatch, MethodistSlot, SchoolMatch,
    SchoolNeed, TeacherNeed, match_methodists, match_schools,
};
use domain::{Account, Level, Login, RegionAuthority, Role, School, SchoolCode, Scope};
use serde_json::{Value, json};
use store::{
    AssignCounts, AssignmentFilter, MatchKind, MatchRun, NewAssignment, NewSchoolAssignment,
    SchoolAssignmentFilter, Store, StoreError,
};

use crate::error::Failure;

/// The region's matching policy: the stored setting, or the defaults of
/// `rules.md`.
pub async fn policy(store: &dyn Store) -> Result<MatchPolicy, Failure> {
    match store.setting(MATCH_POLICY_KEY).await? {
        Some(json) => serde_json::from_str(&json)
            .map_err(|e| Failure::internal(format!("stored matching policy does not parse: {e}"))),
        None => Ok(MatchPolicy::default()),
    }
}

/// Everything the methodist matching looked at, for the board to show.
#[derive(Debug, Clone, Default)]
pub struct MethodistFacts {
    pub policy: MatchPolicy,
    /// Every teacher who needs a methodist.
    pub needs: Vec<TeacherNeed>,
    /// Every methodist who can take mentees.
    pub slots: Vec<MethodistSlot>,
    /// Active assignments (teacher → methodist).
    pub active: BTreeMap<Login, Login>,
    /// The same as stored rows (since when, by whom, why).
    pub active_rows: Vec<store::AssignmentRow>,
    /// Every account of the region by login (names for the pages).
    pub accounts: HashMap<Login, Account>,
    pub schools: HashMap<SchoolCode, School>,
    pub municipalities: HashMap<domain::MunicipalityCode, String>,
}

impl MethodistFacts {
    pub fn name(&self, login: &Login) -> String {
        self.accounts
            .get(login)
            .map_or_else(|| login.to_string(), |a| a.full_name.clone())
    }

    /// The number of active mentees of each methodist.
    pub fn loads(&self) -> HashMap<&Login, u32> {
        let mut loads: HashMap<&Login, u32> = HashMap::new();
        for m in self.active.values() {
            *loads.entry(m).or_default() += 1;
        }
        loads
    }

    pub fn need(&self, teacher: &Login) -> Option<&TeacherNeed> {
        self.needs.iter().find(|n| &n.login == teacher)
    }

    pub fn slot(&self, methodist: &Login) -> Option<&MethodistSlot> {
        self.slots.iter().find(|s| &s.login == methodist)
    }

    /// The board's warnings for giving `teacher` to `methodist` by hand.
    pub fn warnings(&self, teacher: &Login, methodist: &MethodistSlot) -> Vec<String> {
        let account = self.accounts.get(teacher);
        let subjects = account
            .map(|a| a.attrs.subjects.clone())
            .unwrap_or_default();
        let municipality = account
            .and_then(|a| a.school.as_ref())
            .and_then(|s| self.schools.get(s))
            .map(|s| s.municipality.clone());
        let load_before = self
            .active
            .iter()
            .filter(|(t, m)| *m == &methodist.login && *t != teacher)
            .count() as u32;
        domain::matching::methodist_warnings(
            &self.policy,
            &subjects,
            municipality.as_ref(),
            self.need(teacher).is_some(),
            methodist,
            load_before,
        )
    }
}

/// The teachers' current levels (`rules.md`: the most severe overall level
/// of the profile of the last 12 months).
async fn current_levels(
    store: &dyn Store,
    auth: &RegionAuthority,
    today: NaiveDate,
) -> Result<HashMap<Login, Level>, Failure> {
    let since = today
        .checked_sub_months(Months::new(12))
        .unwrap_or(NaiveDate::MIN);
    let diagnostics = store.diagnostics_since(auth, since).await?;
    Ok(crate::iom::current_profiles(&diagnostics, today)
        .into_iter()
        .map(|(login, p)| (login, p.level))
        .collect())
}

/// Reads what the methodist matching needs.
pub async fn methodist_facts(
    store: &dyn Store,
    auth: &RegionAuthority,
    today: NaiveDate,
) -> Result<MethodistFacts, Failure> {
    let policy = policy(store).await?;
    let directory = store.directory(auth).await?;
    let levels = current_levels(store, auth, today).await?;
    let schools: HashMap<SchoolCode, School> = directory
        .schools
        .into_iter()
        .map(|s| (s.code.clone(), s))
        .collect();
    let accounts: HashMap<Login, Account> = directory
        .accounts
        .into_iter()
        .map(|a| (a.login.clone(), a))
        .collect();
    let mut needs = Vec::new();
    for a in accounts.values() {
        if !a.active || !a.has(Role::Teacher) {
            continue;
        }
        let level = levels.get(&a.login).copied();
        let Some((class, kind)) = policy.teacher_need(level, &a.attrs, today) else {
            continue;
        };
        needs.push(TeacherNeed {
            login: a.login.clone(),
            class,
            kind,
            subjects: a.attrs.subjects.clone(),
            municipality: a
                .school
                .as_ref()
                .and_then(|s| schools.get(s))
                .map(|s| s.municipality.clone()),
            level,
            young: policy.is_young(&a.attrs),
            newly_hired: policy.is_newly_hired(&a.attrs, today),
        });
    }
    needs.sort_by(|a, b| a.login.cmp(&b.login));
    let mut slots: Vec<MethodistSlot> = directory
        .methodists
        .into_iter()
        .filter(|m| accounts.get(&m.login).is_some_and(|a| a.active))
        .map(|m| MethodistSlot {
            login: m.login,
            subjects: m.subjects,
            municipality: m.municipality,
            remote: m.remote,
            capacity: m.capacity,
        })
        .collect();
    slots.sort_by(|a, b| a.login.cmp(&b.login));
    let active_rows = store
        .methodist_assignments(
            &Scope::region(),
            &AssignmentFilter {
                active_only: true,
                ..AssignmentFilter::default()
            },
        )
        .await?;
    let active = active_rows
        .iter()
        .map(|r| (r.teacher.clone(), r.methodist.clone()))
        .collect();
    Ok(MethodistFacts {
        policy,
        needs,
        slots,
        active,
        active_rows,
        accounts,
        schools,
        municipalities: directory
            .municipalities
            .into_iter()
            .map(|m| (m.code, m.name))
            .collect(),
    })
}

/// Runs the methodist matching on the stored facts (nothing is written).
pub async fn propose_methodists(
    store: &dyn Store,
    auth: &RegionAuthority,
    today: NaiveDate,
) -> Result<(MethodistMatch, MethodistFacts), Failure> {
    let facts = methodist_facts(store, auth, today).await?;
    let names = crate::iom::level_names(store).await?;
    let active: Vec<(Login, Login)> = facts
        .active
        .iter()
        .map(|(t, m)| (t.clone(), m.clone()))
        .collect();
    let result = match_methodists(&facts.policy, &names, &facts.needs, &facts.slots, &active);
    Ok((result, facts))
}

/// Everything the mentor-school matching looked at.
#[derive(Debug, Clone, Default)]
pub struct SchoolFacts {
    pub policy: MatchPolicy,
    pub needs: Vec<SchoolNeed>,
    pub slots: Vec<MentorSlot>,
    /// Active assignments (school → mentor school).
    pub active: BTreeMap<SchoolCode, SchoolCode>,
    /// The same as stored rows.
    pub active_rows: Vec<store::SchoolAssignmentRow>,
    pub schools: HashMap<SchoolCode, School>,
    /// Municipality names by code.
    pub municipalities: HashMap<domain::MunicipalityCode, String>,
}

impl SchoolFacts {
    pub fn name(&self, code: &SchoolCode) -> String {
        self.schools
            .get(code)
            .map_or_else(|| code.to_string(), |s| s.display_name().to_string())
    }

    pub fn loads(&self) -> HashMap<&SchoolCode, u32> {
        let mut loads: HashMap<&SchoolCode, u32> = HashMap::new();
        for m in self.active.values() {
            *loads.entry(m).or_default() += 1;
        }
        loads
    }

    pub fn slot(&self, code: &SchoolCode) -> Option<&MentorSlot> {
        self.slots.iter().find(|s| &s.code == code)
    }

    /// The board's warnings for giving `school` to `mentor` by hand.
    pub fn warnings(&self, school: &SchoolCode, mentor: &MentorSlot) -> Vec<String> {
        let Some(s) = self.schools.get(school) else {
            return Vec::new();
        };
        let load_before = self
            .active
            .iter()
            .filter(|(sc, m)| *m == &mentor.code && *sc != school)
            .count() as u32;
        domain::matching::mentor_school_warnings(
            &self.policy,
            self.needs.iter().find(|n| &n.code == school),
            &s.municipality,
            s.rural,
            mentor,
            load_before,
            &mentor.code == school,
        )
    }
}

/// Reads what the mentor-school matching needs.
pub async fn school_facts(
    store: &dyn Store,
    auth: &RegionAuthority,
) -> Result<SchoolFacts, Failure> {
    let policy = policy(store).await?;
    let directory = store.directory(auth).await?;
    let mut needs = Vec::new();
    let mut slots = Vec::new();
    for s in &directory.schools {
        if let Some(class) = policy.school_need(s) {
            needs.push(SchoolNeed {
                code: s.code.clone(),
                class,
                municipality: s.municipality.clone(),
                rural: s.rural,
                critical_monitoring: s.critical_monitoring,
                clusters: s.clusters.iter().copied().collect(),
            });
        }
        if let Some(capacity) = policy.mentor_places(s) {
            slots.push(MentorSlot {
                code: s.code.clone(),
                municipality: s.municipality.clone(),
                rural: s.rural,
                capacity,
            });
        }
    }
    needs.sort_by(|a, b| a.code.cmp(&b.code));
    slots.sort_by(|a, b| a.code.cmp(&b.code));
    let active_rows = store
        .mentor_school_assignments(
            &Scope::region(),
            &SchoolAssignmentFilter {
                active_only: true,
                ..SchoolAssignmentFilter::default()
            },
        )
        .await?;
    let active = active_rows
        .iter()
        .map(|r| (r.school.clone(), r.mentor_school.clone()))
        .collect();
    Ok(SchoolFacts {
        policy,
        needs,
        slots,
        active,
        active_rows,
        schools: directory
            .schools
            .into_iter()
            .map(|s| (s.code.clone(), s))
            .collect(),
        municipalities: directory
            .municipalities
            .into_iter()
            .map(|m| (m.code, m.name))
            .collect(),
    })
}

/// Runs the mentor-school matching on the stored facts (nothing is written).
pub async fn propose_schools(
    store: &dyn Store,
    auth: &RegionAuthority,
) -> Result<(SchoolMatch, SchoolFacts), Failure> {
    let facts = school_facts(store, auth).await?;
    let active: Vec<(SchoolCode, SchoolCode)> = facts
        .active
        .iter()
        .map(|(s, m)| (s.clone(), m.clone()))
        .collect();
    let result = match_schools(&facts.policy, &facts.needs, &facts.slots, &active);
    Ok((result, facts))
}

/// `match methodists --json` as `spec/cli.md` writes it, plus the active
/// assignments the run would end (`ended`).
pub fn methodists_json(m: &MethodistMatch) -> Value {
    json!({
        "assignments": m.assignments.iter().map(|a| json!({
            "teacher": a.teacher.as_str(),
            "methodist": a.methodist.as_str(),
            "kept": a.kept,
            "class": a.class,
            "reasons": a.reasons,
        })).collect::<Vec<_>>(),
        "unassigned": m.unassigned.iter().map(|u| json!({
            "teacher": u.who,
            "class": u.class,
            "why": u.why,
        })).collect::<Vec<_>>(),
        "ended": m.endings.iter().map(|e| json!({
            "teacher": e.who,
            "methodist": e.with,
            "why": e.why,
        })).collect::<Vec<_>>(),
    })
}

/// `match schools --json` as `spec/cli.md` writes it, plus `ended`.
pub fn schools_json(m: &SchoolMatch) -> Value {
    json!({
        "assignments": m.assignments.iter().map(|a| json!({
            "school": a.school.as_str(),
            "mentor_school": a.mentor_school.as_str(),
            "kept": a.kept,
            "class": a.class,
            "reasons": a.reasons,
        })).collect::<Vec<_>>(),
        "unassigned": m.unassigned.iter().map(|u| json!({
            "school": u.who,
            "class": u.class,
            "why": u.why,
        })).collect::<Vec<_>>(),
        "ended": m.endings.iter().map(|e| json!({
            "school": e.who,
            "mentor_school": e.with,
            "why": e.why,
        })).collect::<Vec<_>>(),
    })
}

/// Stores a run as the board's proposal (replacing the previous one).
pub async fn save_methodist_run(
    store: &dyn Store,
    auth: &RegionAuthority,
    m: &MethodistMatch,
    now: store::Millis,
) -> Result<(), Failure> {
    store
        .save_match_run(
            auth,
            MatchRun {
                kind: MatchKind::Methodists,
                run_at: now,
                run_by: auth.actor.clone(),
                result: serde_json::to_string(m).expect("a match serialises"),
            },
        )
        .await?;
    Ok(())
}

pub async fn save_school_run(
    store: &dyn Store,
    auth: &RegionAuthority,
    m: &SchoolMatch,
    now: store::Millis,
) -> Result<(), Failure> {
    store
        .save_match_run(
            auth,
            MatchRun {
                kind: MatchKind::Schools,
                run_at: now,
                run_by: auth.actor.clone(),
                result: serde_json::to_string(m).expect("a match serialises"),
            },
        )
        .await?;
    Ok(())
}

/// The latest stored proposal of the methodist matching, with when and by
/// whom it was made.
pub async fn methodist_run(
    store: &dyn Store,
) -> Result<Option<(MatchRun, MethodistMatch)>, Failure> {
    let Some(run) = store.match_run(MatchKind::Methodists).await? else {
        return Ok(None);
    };
    let m = serde_json::from_str(&run.result)
        .map_err(|e| Failure::internal(format!("stored methodist run does not parse: {e}")))?;
    Ok(Some((run, m)))
}

pub async fn school_run(store: &dyn Store) -> Result<Option<(MatchRun, SchoolMatch)>, Failure> {
    let Some(run) = store.match_run(MatchKind::Schools).await? else {
        return Ok(None);
    };
    let m = serde_json::from_str(&run.result)
        .map_err(|e| Failure::internal(format!("stored school run does not parse: {e}")))?;
    Ok(Some((run, m)))
}

/// What accepting (part of) a proposal did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Applied {
    pub counts: AssignCounts,
    /// Active assignments ended because the rules no longer call for them.
    pub ended: u32,
}

/// A refusal from the store as the page or the command line says it.
fn refusal(e: StoreError) -> Failure {
    match e {
        StoreError::Conflict(m) => Failure::Conflict(m),
        other => other.into(),
    }
}

/// Records the chosen new assignments of a methodist run (`only`: the
/// teachers to accept, `None` for all) and ends the assignments the run
/// would end (all of them when accepting everything, else those of the
/// chosen teachers). Limits are re-checked inside the store's transaction,
/// so a proposal gone stale is refused rather than breaking a limit. The
/// mentoring steps of the teachers' current routes then name their new
/// methodist.
pub async fn apply_methodists(
    store: &dyn Store,
    auth: &RegionAuthority,
    m: &MethodistMatch,
    only: Option<&[Login]>,
    now: store::Millis,
) -> Result<Applied, Failure> {
    let chosen = |l: &str| only.is_none_or(|o| o.iter().any(|x| x.as_str() == l));
    let mut ended = 0;
    for e in m.endings.iter().filter(|e| chosen(&e.who)) {
        let teacher = Login::parse(&e.who).map_err(|e| Failure::internal(e.0))?;
        match store
            .end_methodist_assignment(auth, &teacher, &e.why, now)
            .await
        {
            Ok(_) => ended += 1,
            // Ended meanwhile: nothing left to do.
            Err(StoreError::NotFound) => {}
            Err(other) => return Err(refusal(other)),
        }
    }
    let new: Vec<NewAssignment> = m
        .assignments
        .iter()
        .filter(|a| !a.kept && chosen(a.teacher.as_str()))
        .map(|a| NewAssignment {
            teacher: a.teacher.clone(),
            methodist: a.methodist.clone(),
            reasons: a.reasons.clone(),
        })
        .collect();
    let pairs: Vec<(Login, Login)> = new
        .iter()
        .map(|a| (a.teacher.clone(), a.methodist.clone()))
        .collect();
    let counts = if new.is_empty() {
        AssignCounts::default()
    } else {
        store
            .assign_methodists(auth, new, true, "переназначен при подборе", now)
            .await
            .map_err(refusal)?
    };
    name_mentors_in_routes(store, auth, &pairs, now).await?;
    Ok(Applied { counts, ended })
}

/// Records the chosen new mentor-school pairs of a run and the endings, as
/// [`apply_methodists`] does.
pub async fn apply_schools(
    store: &dyn Store,
    auth: &RegionAuthority,
    m: &SchoolMatch,
    only: Option<&[SchoolCode]>,
    default_capacity: u32,
    now: store::Millis,
) -> Result<Applied, Failure> {
    let chosen = |c: &str| only.is_none_or(|o| o.iter().any(|x| x.as_str() == c));
    let mut ended = 0;
    for e in m.endings.iter().filter(|e| chosen(&e.who)) {
        let school = SchoolCode::parse(&e.who).map_err(|e| Failure::internal(e.0))?;
        match store
            .end_mentor_school_assignment(auth, &school, &e.why, now)
            .await
        {
            Ok(_) => ended += 1,
            Err(StoreError::NotFound) => {}
            Err(other) => return Err(refusal(other)),
        }
    }
    let new: Vec<NewSchoolAssignment> = m
        .assignments
        .iter()
        .filter(|a| !a.kept && chosen(a.school.as_str()))
        .map(|a| NewSchoolAssignment {
            school: a.school.clone(),
            mentor_school: a.mentor_school.clone(),
            reasons: a.reasons.clone(),
        })
        .collect();
    let counts = if new.is_empty() {
        AssignCounts::default()
    } else {
        store
            .assign_mentor_schools(
                auth,
                new,
                true,
                default_capacity,
                "переназначена при подборе",
                now,
            )
            .await
            .map_err(refusal)?
    };
    Ok(Applied { counts, ended })
}

/// Assigns one teacher to a methodist by hand (the board's reassignment):
/// limits are the caller's decision (the board has shown its warnings).
pub async fn assign_by_hand(
    store: &dyn Store,
    auth: &RegionAuthority,
    teacher: &Login,
    methodist: &Login,
    reasons: Vec<String>,
    replace_reason: &str,
    now: store::Millis,
) -> Result<AssignCounts, Failure> {
    let counts = store
        .assign_methodists(
            auth,
            vec![NewAssignment {
                teacher: teacher.clone(),
                methodist: methodist.clone(),
                reasons,
            }],
            false,
            replace_reason,
            now,
        )
        .await
        .map_err(refusal)?;
    name_mentors_in_routes(store, auth, &[(teacher.clone(), methodist.clone())], now).await?;
    Ok(counts)
}

/// `rules.md`: a mentoring step names the teacher's regional methodist when
/// one is assigned. After assignments change, the mentoring steps of the
/// teachers' routes that are not completed name the new methodist (a step
/// naming a colleague or an earlier methodist is updated too: the
/// methodist comes first).
pub async fn name_mentors_in_routes(
    store: &dyn Store,
    auth: &RegionAuthority,
    pairs: &[(Login, Login)],
    now: store::Millis,
) -> Result<(), Failure> {
    if pairs.is_empty() {
        return Ok(());
    }
    let actor = auth.actor.clone();
    let region = Scope::region();
    let wanted: HashMap<&Login, &Login> = pairs.iter().map(|(t, m)| (t, m)).collect();
    let routes = store
        .routes_where(&region, &store::RouteFilter::default())
        .await?;
    let mut names: HashMap<Login, String> = HashMap::new();
    for r in routes {
        let Some(methodist) = wanted.get(&r.teacher) else {
            continue;
        };
        if r.status == store::RouteStatus::Completed {
            continue;
        }
        for (position, s) in r.steps.iter().enumerate() {
            if s.step.kind != domain::ActivityKind::Mentoring
                || s.step.mentor.as_ref() == Some(*methodist)
            {
                continue;
            }
            if !names.contains_key(*methodist) {
                let name = store
                    .account(&region, methodist)
                    .await?
                    .map_or_else(|| methodist.to_string(), |a| a.full_name);
                names.insert((*methodist).clone(), name);
            }
            store
                .set_step_mentor(
                    actor.as_ref(),
                    r.id,
                    position as u32,
                    methodist,
                    &names[*methodist],
                    now,
                )
                .await
                .map_err(refusal)?;
        }
    }
    Ok(())
}

/// The active methodist of each teacher (for route generation and pages).
pub async fn active_methodists(
    store: &dyn Store,
    scope: &Scope,
) -> Result<HashMap<Login, Login>, Failure> {
    Ok(store
        .methodist_assignments(
            scope,
            &AssignmentFilter {
                active_only: true,
                ..AssignmentFilter::default()
            },
        )
        .await?
        .into_iter()
        .map(|r| (r.teacher, r.methodist))
        .collect())
}
