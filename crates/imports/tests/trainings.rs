//! `trainings` and `targets` files, planned against a directory and the
//! stored rows in memory.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use domain::indicators::{Indicator, Percent, Where};
use domain::{
    Account, ActivityKind, Login, Municipality, MunicipalityCode, Role, School, SchoolCode,
    TeacherAttrs,
};
use imports::{plan_targets, plan_trainings};
use store::{Directory, NewTarget, NewTraining, TargetRow, TrainingRow};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn login(s: &str) -> Login {
    Login::parse(s).unwrap()
}

fn mcode(s: &str) -> MunicipalityCode {
    MunicipalityCode::parse(s).unwrap()
}

fn scode(s: &str) -> SchoolCode {
    SchoolCode::parse(s).unwrap()
}

fn account(l: &str) -> Account {
    Account {
        login: login(l),
        full_name: format!("Педагог {l}"),
        roles: [Role::Teacher].into(),
        school: None,
        municipality: None,
        attrs: TeacherAttrs::default(),
        active: true,
    }
}

fn directory() -> Directory {
    Directory {
        municipalities: vec![Municipality {
            code: mcode("m01"),
            name: "город Смоленск".into(),
        }],
        schools: vec![School {
            code: scode("s001"),
            municipality: mcode("m01"),
            name: "Средняя школа № 1".into(),
            short_name: None,
            clusters: BTreeSet::new(),
            rural: false,
            critical_monitoring: false,
            mentor_school: false,
            mentor_capacity: None,
            active: true,
        }],
        accounts: vec![account("petrova"), account("ivanov.ap")],
        methodists: vec![],
    }
}

fn cp1251(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1251.encode(text);
    assert!(!unmappable);
    bytes.into_owned()
}

fn stored_trainings(rows: &[NewTraining]) -> Vec<TrainingRow> {
    rows.iter()
        .enumerate()
        .map(|(i, t)| TrainingRow {
            id: i as i64 + 1,
            training: t.clone(),
            updated_at: 0,
        })
        .collect()
}

fn stored_targets(rows: &[NewTarget]) -> Vec<TargetRow> {
    rows.iter()
        .enumerate()
        .map(|(i, t)| TargetRow {
            id: i as i64 + 1,
            target: t.clone(),
            updated_at: 0,
        })
        .collect()
}

fn errors<T: std::fmt::Debug>(result: Result<T, imports::ImportErrors>) -> Vec<String> {
    match result {
        Ok(p) => panic!("expected errors, got a plan: {p:?}"),
        Err(e) => e.0.iter().map(ToString::to_string).collect(),
    }
}

// ---- trainings ----------------------------------------------------------------

const TRAININGS_1251: &str = "Логин;Программа;Вид;Часы;Дата_окончания;Документ\r\n\
     Petrova;Формирование функциональной грамотности;ПК;36;20.11.2025;УПК 0001\r\n\
     ivanov.ap;Педагогика и психология;переподготовка;252,0;2025-12-01;\r\n\
     petrova;Наставничество в школе;Стажировка;16;01.02.2026;\r\n";

#[test]
fn a_windows_1251_trainings_file_with_russian_headers_loads() {
    let plan = plan_trainings("обучение.csv", &cp1251(TRAININGS_1251), &[], &directory()).unwrap();
    assert!(plan.warnings.is_empty(), "{:?}", plan.warnings);
    assert_eq!((plan.created, plan.updated, plan.unchanged), (3, 0, 0));
    assert_eq!(
        plan.changes[0],
        NewTraining {
            login: login("petrova"),
            title: "Формирование функциональной грамотности".into(),
            kind: ActivityKind::Course,
            hours: 36,
            completed_on: date(2025, 11, 20),
            document: Some("УПК 0001".into()),
        }
    );
    assert_eq!(plan.changes[1].kind, ActivityKind::Retraining);
    assert_eq!(plan.changes[1].hours, 252);
    assert_eq!(plan.changes[1].document, None);
    assert_eq!(plan.changes[2].kind, ActivityKind::Internship);
}

#[test]
fn reimported_trainings_change_nothing_and_changes_are_updates() {
    let first = plan_trainings("t.csv", &cp1251(TRAININGS_1251), &[], &directory()).unwrap();
    let stored = stored_trainings(&first.changes);
    let again = plan_trainings("t.csv", &cp1251(TRAININGS_1251), &stored, &directory()).unwrap();
    assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 3));
    assert!(again.changes.is_empty());

    // More hours on one row; a file without the document column keeps it.
    let file = "login,title,kind,hours,completed_on\n\
                petrova,Формирование функциональной грамотности,course,72,20.11.2025\n";
    let plan = plan_trainings("t.csv", file.as_bytes(), &stored, &directory()).unwrap();
    assert_eq!((plan.created, plan.updated, plan.unchanged), (0, 1, 0));
    assert_eq!(plan.changes[0].hours, 72);
    assert_eq!(plan.changes[0].document.as_deref(), Some("УПК 0001"));
}

#[test]
fn wrong_training_rows_are_each_named() {
    let file = "login,title,kind,hours,completed_on\n\
                nobody,Курс,course,36,20.11.2025\n\
                petrova,Курс,seminar,36,20.11.2025\n\
                petrova,Курс,course,0,2025-11-20\n\
                petrova,Курс,course,36,31.11.2025\n\
                petrova,,course,36,20.11.2025\n\
                ivanov.ap,Курс,ПК,36,20.11.2025\n\
                IVANOV.AP,Курс,ПК,40,2025-11-20\n";
    let errors = errors(plan_trainings("t.csv", file.as_bytes(), &[], &directory()));
    assert_eq!(errors.len(), 6, "{errors:#?}");
    assert!(
        errors[0].starts_with("t.csv:2: login: учётная запись nobody не найдена"),
        "{}",
        errors[0]
    );
    assert!(errors[0].ends_with("(nobody)"), "{}", errors[0]);
    assert!(
        errors[1].starts_with("t.csv:3: kind: неизвестный вид обучения"),
        "{}",
        errors[1]
    );
    assert!(
        errors[2].starts_with("t.csv:4: hours: число часов должно быть больше нуля"),
        "{}",
        errors[2]
    );
    assert!(
        errors[3].starts_with("t.csv:5: completed_on: такой даты нет в календаре"),
        "{}",
        errors[3]
    );
    assert!(
        errors[4].starts_with("t.csv:6: title: не заполнено обязательное поле"),
        "{}",
        errors[4]
    );
    assert!(
        errors[5]
            .starts_with("t.csv:8: title: обучение (логин, программа, дата окончания) повторяется"),
        "{}",
        errors[5]
    );
}

// ---- targets ------------------------------------------------------------------

fn target(
    indicator: Indicator,
    threshold: &str,
    at: Where,
    due_on: Option<NaiveDate>,
) -> NewTarget {
    NewTarget {
        indicator,
        threshold: Percent::parse(threshold).unwrap(),
        at,
        due_on,
    }
}

const TARGETS_1251: &str = "Показатель;Целевое_значение;Уровень;Код;Срок\r\n\
     охват ПК;90;;;31.08.2026\r\n\
     route_completion;66,7;Муниципалитет;m01;\r\n\
     methodist_coverage;55.5;ОО;s001;2026-05-31\r\n";

#[test]
fn a_windows_1251_targets_file_with_russian_headers_loads() {
    let plan = plan_targets("цели.csv", &cp1251(TARGETS_1251), &[], &directory()).unwrap();
    assert!(plan.warnings.is_empty(), "{:?}", plan.warnings);
    assert_eq!((plan.created, plan.updated, plan.unchanged), (3, 0, 0));
    assert_eq!(
        plan.changes,
        vec![
            target(
                Indicator::TrainingCoverage,
                "90",
                Where::Region,
                Some(date(2026, 8, 31))
            ),
            target(
                Indicator::RouteCompletion,
                "66.7",
                Where::Municipality(mcode("m01")),
                None
            ),
            target(
                Indicator::MethodistCoverage,
                "55,5",
                Where::School(scode("s001")),
                Some(date(2026, 5, 31))
            ),
        ]
    );
}

#[test]
fn reimported_targets_change_nothing_and_changes_are_updates() {
    let first = plan_targets("g.csv", &cp1251(TARGETS_1251), &[], &directory()).unwrap();
    let stored = stored_targets(&first.changes);
    let again = plan_targets("g.csv", &cp1251(TARGETS_1251), &stored, &directory()).unwrap();
    assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 3));
    let file = "indicator,threshold,scope,code\nroute_completion,70,municipality,m01\n";
    let plan = plan_targets("g.csv", file.as_bytes(), &stored, &directory()).unwrap();
    assert_eq!((plan.created, plan.updated, plan.unchanged), (0, 1, 0));
    assert_eq!(plan.changes[0].threshold, Percent::parse("70").unwrap());
}

#[test]
fn wrong_target_rows_are_each_named() {
    let file = "indicator,threshold,scope,code,due_on\n\
                охват всего,50,,,\n\
                growth,101,,,\n\
                growth,50,municipality,,\n\
                growth,50,municipality,m99,\n\
                growth,50,,m01,\n\
                growth,50,city,,\n\
                growth,50,school,s001,\n\
                growth,60,ОО,s001,\n";
    let errors = errors(plan_targets("g.csv", file.as_bytes(), &[], &directory()));
    assert_eq!(errors.len(), 7, "{errors:#?}");
    assert!(
        errors[0].starts_with("g.csv:2: indicator: неизвестный показатель"),
        "{}",
        errors[0]
    );
    assert!(
        errors[1].starts_with("g.csv:3: threshold: «101»: целевое значение"),
        "{}",
        errors[1]
    );
    assert!(
        errors[2].starts_with("g.csv:4: code: для уровня «municipality» нужно указать код"),
        "{}",
        errors[2]
    );
    assert!(
        errors[3].starts_with("g.csv:5: code: муниципалитет с таким кодом не найден"),
        "{}",
        errors[3]
    );
    assert!(errors[3].ends_with("(m99)"), "{}", errors[3]);
    assert!(
        errors[4].starts_with("g.csv:6: code: код «m01» указан для уровня региона"),
        "{}",
        errors[4]
    );
    assert!(
        errors[5].starts_with("g.csv:7: scope: неизвестный уровень «city»"),
        "{}",
        errors[5]
    );
    assert!(
        errors[6]
            .starts_with("g.csv:9: code: целевое значение (показатель, уровень, код) повторяется"),
        "{}",
        errors[6]
    );
}
