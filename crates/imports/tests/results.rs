//! `results` files: diagnostics taken elsewhere, planned against banks and a
//! directory in memory.

use chrono::NaiveDate;
use domain::{
    Account, Bank, Competence, Level, Login, OverallRule, Rational, Review, Role, TeacherAttrs,
    Thresholds,
};
use imports::{ResultsPlan, plan_results, plan_results_on};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use store::{DiagnosticCompetence, DiagnosticSource, Directory, NewDiagnostic};

// ---- helpers ---------------------------------------------------------------

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn today() -> NaiveDate {
    date(2026, 3, 15)
}

fn thresholds(critical: i128, high: i128, reduced: i128) -> Thresholds {
    Thresholds {
        critical_below: Rational::integer(critical),
        high_below: Rational::integer(high),
        reduced_below: Rational::integer(reduced),
    }
}

fn competence(code: &str, items_per_attempt: u32, t: Thresholds) -> Competence {
    Competence {
        code: code.into(),
        title: format!("Компетенция {code}"),
        description: None,
        standard_ref: None,
        items_per_attempt,
        thresholds: t,
    }
}

fn bank(id: &str, overall: OverallRule, competences: Vec<Competence>) -> Bank {
    Bank {
        id: id.into(),
        version: "2026.1".into(),
        title: format!("Банк {id}"),
        audience: None,
        subjects: vec![],
        time_limit_minutes: 50,
        review: Review::AfterSubmit,
        thresholds: thresholds(40, 60, 80),
        overall,
        competences,
        items: vec![],
        content_hash: "0".repeat(64),
    }
}

/// `pedagogy-core` (overall by the total percent): K1 and K2 with 4 items an
/// attempt, K3 with 2 and its own thresholds 50/70/90; `management` (overall
/// by the worst competence): M1, M2 with 3 items each.
fn banks() -> Vec<Bank> {
    let t = thresholds(40, 60, 80);
    vec![
        bank(
            "pedagogy-core",
            OverallRule::Total,
            vec![
                competence("K1", 4, t),
                competence("K2", 4, t),
                competence("K3", 2, thresholds(50, 70, 90)),
            ],
        ),
        bank(
            "management",
            OverallRule::Worst,
            vec![competence("M1", 3, t), competence("M2", 3, t)],
        ),
    ]
}

fn account(login: &str, name: &str) -> Account {
    Account {
        login: Login::parse(login).unwrap(),
        full_name: name.into(),
        roles: [Role::Teacher].into(),
        school: None,
        municipality: None,
        attrs: TeacherAttrs::default(),
        active: true,
    }
}

fn directory() -> Directory {
    Directory {
        municipalities: vec![],
        schools: vec![],
        accounts: vec![
            account("petrova", "Петрова Мария Ивановна"),
            account("ivanov.ap", "Иванов Алексей Петрович"),
        ],
        methodists: vec![],
    }
}

fn ok(file: &str, bytes: &[u8]) -> ResultsPlan {
    match plan_results_on(file, bytes, &banks(), &directory(), today()) {
        Ok(p) => p,
        Err(e) => panic!("expected a plan, got errors:\n{e}"),
    }
}

fn errors(file: &str, bytes: &[u8]) -> Vec<String> {
    match plan_results_on(file, bytes, &banks(), &directory(), today()) {
        Ok(p) => panic!("expected errors, got a plan: {p:?}"),
        Err(e) => e.0.iter().map(ToString::to_string).collect(),
    }
}

/// A CSV with the English header and these rows.
fn csv(rows: &[&str]) -> Vec<u8> {
    let mut s = String::from("login,bank,competence,percent,level,taken_on\n");
    for r in rows {
        s.push_str(r);
        s.push('\n');
    }
    s.into_bytes()
}

fn one(plan: &ResultsPlan) -> &NewDiagnostic {
    assert_eq!(plan.diagnostics.len(), 1, "{:#?}", plan.diagnostics);
    &plan.diagnostics[0]
}

fn levels(d: &NewDiagnostic) -> Vec<(&str, Option<&str>, Level)> {
    d.competences
        .iter()
        .map(|c| (c.competence.as_str(), c.percent.as_deref(), c.level))
        .collect()
}

// ---- reading ---------------------------------------------------------------

#[test]
fn a_windows_1251_file_with_russian_headers_loads() {
    let text = "Логин;Банк;Компетенция;Процент;Уровень;Дата\r\n\
                Petrova;pedagogy-core;K2;62,5;;01.09.2025\r\n\
                petrova;pedagogy-core;K1;85;дефицитов нет;01.09.2025\r\n\
                petrova;pedagogy-core;pedagogy-core:K3;49,99;Критический;1.9.2025\r\n";
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1251.encode(text);
    assert!(!unmappable);
    let plan = ok("результаты.csv", &bytes);
    assert_eq!(plan.rows, 3);
    assert!(plan.warnings.is_empty(), "{:?}", plan.warnings);
    let d = one(&plan);
    assert_eq!(d.login.as_str(), "petrova");
    assert_eq!(d.bank_id, "pedagogy-core");
    assert_eq!(d.bank_version_id, None);
    assert_eq!(d.taken_on, date(2025, 9, 1));
    assert_eq!(d.source, DiagnosticSource::Import);
    // In the bank's order, whatever the file's.
    assert_eq!(
        d.competences,
        vec![
            DiagnosticCompetence {
                competence: "pedagogy-core:K1".into(),
                percent: Some("85.00".into()),
                level: Level::None,
            },
            DiagnosticCompetence {
                competence: "pedagogy-core:K2".into(),
                percent: Some("62.50".into()),
                level: Level::Reduced,
            },
            DiagnosticCompetence {
                competence: "pedagogy-core:K3".into(),
                percent: Some("49.99".into()),
                level: Level::Critical,
            },
        ]
    );
    // (4·85 + 4·62.5 + 2·49.99) / 10 = 68.998
    assert_eq!(d.overall_percent, "69.00");
    assert_eq!(d.overall_level, Level::Reduced);
}

#[test]
fn xlsx_with_date_cells_loads() {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["Логин", "Банк", "Компетенция", "Процент", "Дата"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    let format = Format::new().set_num_format("dd.mm.yyyy");
    let taken = ExcelDateTime::from_ymd(2025, 12, 1).unwrap();
    for (r, (code, percent)) in [("K1", 39.99), ("K2", 40.0)].into_iter().enumerate() {
        let r = r as u32 + 1;
        sheet.write_string(r, 0, "ivanov.ap").unwrap();
        sheet.write_string(r, 1, "pedagogy-core").unwrap();
        sheet.write_string(r, 2, code).unwrap();
        sheet.write_number(r, 3, percent).unwrap();
        sheet
            .write_datetime_with_format(r, 4, &taken, &format)
            .unwrap();
    }
    let bytes = book.save_to_buffer().unwrap();
    let plan = ok("results.xlsx", &bytes);
    let d = one(&plan);
    assert_eq!(d.taken_on, date(2025, 12, 1));
    assert_eq!(
        levels(d),
        vec![
            ("pedagogy-core:K1", Some("39.99"), Level::Critical),
            ("pedagogy-core:K2", Some("40.00"), Level::High),
        ]
    );
}

// ---- levels ------------------------------------------------------------------

#[test]
fn percents_get_levels_by_exact_thresholds() {
    let cases = [
        // (competence, percent, level): K1 40/60/80, K3 50/70/90.
        ("K1", "0", Level::Critical),
        ("K1", "39.99", Level::Critical),
        ("K1", "40.00", Level::High),
        ("K1", "40", Level::High),
        ("K1", "59,99", Level::High),
        ("K1", "60", Level::Reduced),
        ("K1", "79.99", Level::Reduced),
        ("K1", "80", Level::None),
        ("K1", "100", Level::None),
        ("K3", "40", Level::Critical),
        ("K3", "49.99", Level::Critical),
        ("K3", "50", Level::High),
        ("K3", "89.99", Level::Reduced),
        ("K3", "90", Level::None),
    ];
    for (code, percent, level) in cases {
        let plan = ok(
            "r.csv",
            &csv(&[&format!(
                "petrova,pedagogy-core,{code},\"{percent}\",,2025-10-01"
            )]),
        );
        let d = one(&plan);
        assert_eq!(d.competences[0].level, level, "{code} {percent}");
        if code == "K1" {
            // A competence alone: the overall result is its own.
            assert_eq!(d.overall_level, level, "{percent}");
        }
    }
}

#[test]
fn levels_without_percents_need_a_total_percent() {
    let plan = ok(
        "r.csv",
        &csv(&[
            "petrova,pedagogy-core,K1,,высокий,2025-10-01",
            "petrova,pedagogy-core,K2,85,,2025-10-01",
            "petrova,pedagogy-core,TOTAL,55.5,,2025-10-01",
            "petrova,pedagogy-core,K3,,critical,2025-10-01",
        ]),
    );
    let d = one(&plan);
    assert_eq!(
        levels(d),
        vec![
            ("pedagogy-core:K1", None, Level::High),
            ("pedagogy-core:K2", Some("85.00"), Level::None),
            ("pedagogy-core:K3", None, Level::Critical),
        ]
    );
    assert_eq!(d.overall_percent, "55.50");
    assert_eq!(d.overall_level, Level::High);
    let profile: serde_json::Value = serde_json::from_str(&d.profile_json).unwrap();
    assert_eq!(
        profile["competences"][0],
        serde_json::json!({
            "code": "pedagogy-core:K1", "score": null, "max": null, "percent": null, "level": "high"
        })
    );

    // Without a TOTAL row, or with one without a percent, the level alone
    // is not enough.
    let e = errors(
        "r.csv",
        &csv(&[
            "petrova,pedagogy-core,K1,,высокий,2025-10-01",
            "petrova,pedagogy-core,K2,85,,2025-10-01",
            "ivanov.ap,pedagogy-core,K1,,high,2025-10-01",
            "ivanov.ap,pedagogy-core,K2,50,,2025-10-01",
            "ivanov.ap,pedagogy-core,TOTAL,,high,2025-10-01",
        ]),
    );
    let needs = "percent: не указан процент: уровень без процента принимается, только если \
                 у диагностики есть строка TOTAL с общим процентом";
    assert_eq!(
        e,
        vec![format!("r.csv:2: {needs}"), format!("r.csv:4: {needs}")]
    );

    // A row with neither.
    let e = errors("r.csv", &csv(&["petrova,pedagogy-core,K1,,,2025-10-01"]));
    assert_eq!(e, ["r.csv:2: percent: нужно указать процент или уровень"]);
}

#[test]
fn a_level_must_agree_with_its_percent() {
    let e = errors(
        "r.csv",
        &csv(&[
            "petrova,pedagogy-core,K1,40,high,2025-10-01",
            "petrova,pedagogy-core,K2,39.99,высокий,2025-10-01",
            "petrova,pedagogy-core,TOTAL,70,critical,2025-10-01",
        ]),
    );
    assert_eq!(
        e,
        vec![
            "r.csv:3: level: уровень не соответствует проценту 39.99: по порогам банка \
             pedagogy-core для компетенции K2 это уровень «критический» (высокий)"
                .to_string(),
            "r.csv:4: level: общий уровень не соответствует результатам: по общему проценту \
             70.00 и порогам банка pedagogy-core это уровень «пониженный» (critical)"
                .to_string(),
        ]
    );
    // Agreeing ones pass, the TOTAL's included.
    let plan = ok(
        "r.csv",
        &csv(&[
            "petrova,pedagogy-core,K1,40,high,2025-10-01",
            "petrova,pedagogy-core,TOTAL,70,пониженный,2025-10-01",
        ]),
    );
    assert_eq!(one(&plan).overall_level, Level::Reduced);
}

#[test]
fn the_overall_percent_is_the_weighted_mean_without_a_total() {
    // (4·10 + 2·20.01) / 6 = 13.33666… → 13.34
    let plan = ok(
        "r.csv",
        &csv(&[
            "petrova,pedagogy-core,K1,10,,2025-10-01",
            "petrova,pedagogy-core,K3,20.01,,2025-10-01",
        ]),
    );
    let d = one(&plan);
    assert_eq!(d.overall_percent, "13.34");
    assert_eq!(d.overall_level, Level::Critical);

    // (4·40 + 2·39.99) / 6 = 39.99666…: printed 40.00, yet below 40 exactly,
    // so critical, as an attempt's level is decided on the exact score
    // (ivanov.ap below).
    let plan = ok(
        "r.csv",
        &csv(&[
            "petrova,pedagogy-core,K1,40,,2025-10-01",
            "petrova,pedagogy-core,K3,79.99,,2025-10-01",
            "ivanov.ap,pedagogy-core,K1,40,,2025-10-01",
            "ivanov.ap,pedagogy-core,K3,39.99,,2025-10-01",
        ]),
    );
    let (p, i) = (&plan.diagnostics[0], &plan.diagnostics[1]);
    // (4·40 + 2·79.99) / 6 = 53.33
    assert_eq!(
        (p.overall_percent.as_str(), p.overall_level),
        ("53.33", Level::High)
    );
    assert_eq!(
        (i.overall_percent.as_str(), i.overall_level),
        ("40.00", Level::Critical)
    );
    let profile: serde_json::Value = serde_json::from_str(&i.profile_json).unwrap();
    assert_eq!(profile["overall"]["percent"], 40.0);

    // A TOTAL row's percent wins over the mean.
    let plan = ok(
        "r.csv",
        &csv(&[
            "petrova,pedagogy-core,K1,10,,2025-10-01",
            "petrova,pedagogy-core,TOTAL,80,,2025-10-01",
        ]),
    );
    let d = one(&plan);
    assert_eq!(
        (d.overall_percent.as_str(), d.overall_level),
        ("80.00", Level::None)
    );

    // A TOTAL row alone with a level but no percent has nothing to go by.
    let e = errors(
        "r.csv",
        &csv(&["petrova,pedagogy-core,TOTAL,,high,2025-10-01"]),
    );
    assert_eq!(
        e,
        [
            "r.csv:2: percent: не указан общий процент: в диагностике нет компетенций с \
          процентом, из которых его можно вычислить"
        ]
    );
    // With only a percent it is a diagnostic without competences.
    let plan = ok(
        "r.csv",
        &csv(&["petrova,pedagogy-core,TOTAL,45,,2025-10-01"]),
    );
    let d = one(&plan);
    assert!(d.competences.is_empty());
    assert_eq!(
        (d.overall_percent.as_str(), d.overall_level),
        ("45.00", Level::High)
    );
}

#[test]
fn the_worst_rule_takes_the_most_severe_competence() {
    // management: overall = "worst". The mean is 65 (reduced by the bank's
    // [levels]), but M2 is high.
    let plan = ok(
        "r.csv",
        &csv(&[
            "petrova,management,M1,85,,2025-10-01",
            "petrova,management,M2,45,,2025-10-01",
        ]),
    );
    let d = one(&plan);
    assert_eq!(d.overall_percent, "65.00");
    assert_eq!(d.overall_level, Level::High);

    // A level-only competence counts too.
    let plan = ok(
        "r.csv",
        &csv(&[
            "petrova,management,M1,85,,2025-10-01",
            "petrova,management,M2,,критический,2025-10-01",
            "petrova,management,TOTAL,70,,2025-10-01",
        ]),
    );
    let d = one(&plan);
    assert_eq!(
        (d.overall_percent.as_str(), d.overall_level),
        ("70.00", Level::Critical)
    );

    // A TOTAL level must follow the rule, not the total percent.
    let e = errors(
        "r.csv",
        &csv(&[
            "petrova,management,M1,85,,2025-10-01",
            "petrova,management,M2,45,,2025-10-01",
            "petrova,management,TOTAL,65,reduced,2025-10-01",
        ]),
    );
    assert_eq!(
        e,
        [
            "r.csv:4: level: общий уровень не соответствует результатам: в банке management \
          общий уровень — самый тяжёлый из уровней компетенций, здесь «высокий» (reduced)"
        ]
    );
}

// ---- grouping ----------------------------------------------------------------

#[test]
fn rows_are_grouped_by_login_bank_and_date() {
    let plan = ok(
        "r.csv",
        &csv(&[
            "petrova,pedagogy-core,K1,50,,2025-10-01",
            "ivanov.ap,pedagogy-core,K1,70,,2025-10-01",
            "petrova,management,M1,30,,2025-10-01",
            // The same day written the other way, the login in capitals.
            "PETROVA,pedagogy-core,K2,90,,01.10.2025",
            "petrova,pedagogy-core,K1,65,,2026-02-10",
            "petrova,Pedagogy-Core,k3,75,,2025-10-01",
        ]),
    );
    assert_eq!(plan.rows, 6);
    let keys: Vec<(&str, &str, NaiveDate, usize)> = plan
        .diagnostics
        .iter()
        .map(|d| {
            (
                d.login.as_str(),
                d.bank_id.as_str(),
                d.taken_on,
                d.competences.len(),
            )
        })
        .collect();
    assert_eq!(
        keys,
        vec![
            ("petrova", "pedagogy-core", date(2025, 10, 1), 3),
            ("ivanov.ap", "pedagogy-core", date(2025, 10, 1), 1),
            ("petrova", "management", date(2025, 10, 1), 1),
            ("petrova", "pedagogy-core", date(2026, 2, 10), 1),
        ]
    );
    // (4·50 + 4·90 + 2·75) / 10 = 71
    assert_eq!(plan.diagnostics[0].overall_percent, "71.00");
    assert_eq!(
        levels(&plan.diagnostics[0]),
        vec![
            ("pedagogy-core:K1", Some("50.00"), Level::High),
            ("pedagogy-core:K2", Some("90.00"), Level::None),
            ("pedagogy-core:K3", Some("75.00"), Level::Reduced),
        ]
    );
}

#[test]
fn a_competence_twice_in_one_diagnostic_is_refused() {
    let e = errors(
        "r.csv",
        &csv(&[
            "petrova,pedagogy-core,K1,50,,2025-10-01",
            "petrova,pedagogy-core,TOTAL,50,,2025-10-01",
            "petrova,pedagogy-core,pedagogy-core:K1,55,,01.10.2025",
            "petrova,pedagogy-core,total,50,,2025-10-01",
            // Another day: another diagnostic.
            "petrova,pedagogy-core,K1,50,,2025-10-02",
        ]),
    );
    assert_eq!(
        e,
        vec![
            "r.csv:4: competence: компетенция K1 повторяется: она уже есть в строке 2 этой же \
             диагностики (логин petrova, банк pedagogy-core, дата 01.10.2025) \
             (pedagogy-core:K1)"
                .to_string(),
            "r.csv:5: competence: строка TOTAL повторяется: она уже есть в строке 3 этой же \
             диагностики (логин petrova, банк pedagogy-core, дата 01.10.2025) (total)"
                .to_string(),
        ]
    );
}

// ---- wrong cells -------------------------------------------------------------

#[test]
fn every_wrong_cell_is_named_with_row_column_and_value() {
    let text = "Логин;Банк;Компетенция;Процент;Дата\n\
                petrova;pedagogy-core;K1;50;01.10.2025\n\
                sidorova;pedagogy-core;K1;50;01.10.2025\n\
                petrova;geography;K1;50;01.10.2025\n\
                petrova;pedagogy-core;K9;50;01.10.2025\n\
                petrova;pedagogy-core;management:M1;50;01.10.2025\n\
                petrova;pedagogy-core;K2;100,5;01.10.2025\n\
                petrova;pedagogy-core;K3;62,505;01.10.2025\n\
                petrova;pedagogy-core;K2;-3;02.10.2025\n\
                petrova;pedagogy-core;K1;50;16.03.2026\n\
                petrova;pedagogy-core;K1;50;31.02.2026\n\
                ;pedagogy-core;K1;50;01.10.2025\n";
    let e = errors("results.csv", text.as_bytes());
    assert_eq!(
        e,
        vec![
            "results.csv:3: Логин: учётной записи с логином sidorova нет: сначала импортируйте \
             сотрудников (staff) (sidorova)",
            "results.csv:4: Банк: банк geography не загружен: загрузите его (marshrut bank load) \
             (geography)",
            "results.csv:5: Компетенция: компетенции K9 нет в банке pedagogy-core (есть: K1, \
             K2, K3; TOTAL — общий результат) (K9)",
            "results.csv:6: Компетенция: компетенция относится к банку management, а в строке \
             указан банк pedagogy-core (management:M1)",
            "results.csv:7: Процент: процент должен быть от 0 до 100 (100,5)",
            "results.csv:8: Процент: процент должен быть указан не более чем с двумя знаками \
             после запятой (62,505)",
            "results.csv:9: Процент: процент должен быть от 0 до 100 (-3)",
            "results.csv:10: Дата: дата диагностики позже сегодняшнего дня (2026-03-15): \
             импортируются только пройденные диагностики (16.03.2026)",
            "results.csv:11: Дата: такой даты нет в календаре (31.02.2026)",
            "results.csv:12: Логин: не заполнено обязательное поле login [логин]",
        ]
    );
}

#[test]
fn cyrillic_look_alikes_and_case_are_forgiven_in_codes() {
    // «К1» typed on a Russian keyboard, «k2» in lower case.
    let plan = ok(
        "r.csv",
        &csv(&[
            "petrova,pedagogy-core,К1,50,,2025-10-01",
            "petrova,pedagogy-core,PEDAGOGY-CORE:k2,50,,2025-10-01",
        ]),
    );
    assert_eq!(
        levels(one(&plan)),
        vec![
            ("pedagogy-core:K1", Some("50.00"), Level::High),
            ("pedagogy-core:K2", Some("50.00"), Level::High),
        ]
    );
}

#[test]
fn missing_columns_and_unknown_headers() {
    let e = errors("r.csv", b"login,competence,percent\npetrova,K1,50\n");
    assert_eq!(
        e,
        [
            "r.csv:1: bank: нет обязательного столбца bank [банк]",
            "r.csv:1: taken_on: нет обязательного столбца taken_on [дата]",
        ]
    );
    let plan = ok(
        "r.csv",
        "login,bank,competence,percent,taken_on,platform\n\
         petrova,pedagogy-core,K1,50,2025-10-01,ФИС ОКО\n"
            .as_bytes(),
    );
    assert_eq!(
        plan.warnings,
        ["r.csv: столбец «platform» не распознан и пропущен"]
    );
    let plan = ok("r.csv", b"login,bank,competence,percent,taken_on\n");
    assert!(plan.diagnostics.is_empty());
    assert_eq!(plan.warnings, ["r.csv: в файле нет строк с данными"]);
}

#[test]
fn today_is_allowed_and_the_default_today_is_the_clock() {
    let plan = ok("r.csv", &csv(&["petrova,pedagogy-core,K1,50,,2026-03-15"]));
    assert_eq!(one(&plan).taken_on, today());
    // `plan_results` uses the machine's date: yesterday is never the future.
    let yesterday = chrono::Local::now().date_naive().pred_opt().unwrap();
    let plan = plan_results(
        "r.csv",
        &csv(&[&format!(
            "petrova,pedagogy-core,K1,50,,{}",
            yesterday.format("%Y-%m-%d")
        )]),
        &banks(),
        &directory(),
    )
    .unwrap();
    assert_eq!(one(&plan).taken_on, yesterday);
}

// ---- the profile -------------------------------------------------------------

#[test]
fn the_profile_has_the_shape_of_bank_score() {
    let plan = ok(
        "r.csv",
        &csv(&[
            "petrova,pedagogy-core,K2,62.5,,2025-10-01",
            "petrova,pedagogy-core,K1,33.33,,2025-10-01",
        ]),
    );
    let d = one(&plan);
    assert_eq!(
        d.profile_json,
        r#"{"bank":"pedagogy-core","version":"2026.1","competences":[{"code":"pedagogy-core:K1","score":33.33,"max":100.0,"percent":33.33,"level":"critical"},{"code":"pedagogy-core:K2","score":62.5,"max":100.0,"percent":62.5,"level":"reduced"}],"overall":{"score":47.92,"max":100.0,"percent":47.92,"level":"high"}}"#
    );
    // It reads back as the profile `bank score` prints.
    let profile: domain::Profile = serde_json::from_str(&d.profile_json).unwrap();
    assert_eq!(profile.bank, "pedagogy-core");
    assert_eq!(profile.version, "2026.1");
    assert_eq!(profile.competences.len(), 2);
    assert_eq!(
        profile.competences[1].percent,
        Rational::new(125, 2).unwrap()
    );
    assert_eq!(profile.overall.level, Level::High);
    assert_eq!(d.overall_percent, "47.92");

    // The same file plans the same diagnostics.
    let again = ok(
        "r.csv",
        &csv(&[
            "petrova,pedagogy-core,K2,62.5,,2025-10-01",
            "petrova,pedagogy-core,K1,33.33,,2025-10-01",
        ]),
    );
    assert_eq!(again, plan);
}
