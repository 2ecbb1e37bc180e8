//! Sample analytical reports, shared by the crate's unit tests
//! (`src/tests/report.rs`) and the public-API test (`tests/report.rs`).
//! The includer brings the report types into scope, so the same file
//! compiles inside and outside the crate.

use chrono::NaiveDate;

use super::{AnalyticalReport, BehindList, ReportIndicator, ReportRoadmap, RoadmapLine};

pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("a valid date")
}

pub const ROUTES_DONE: &str = "Доля учителей, освоивших ИОМ";
pub const OVERDUE_TITLE: &str = "Цикл муниципальных консультативных семинаров по \
проектированию программ антирисковых мер";
pub const BEHIND_SCHOOL: &str = "МБОУ «Кузьмичская основная школа»";
pub const EVIDENCE: &str = "приказ Отдела по образованию от 15.01.2026 № 12";

#[allow(clippy::too_many_arguments)]
fn line(
    title: &str,
    numerator: u64,
    denominator: u64,
    percent: Option<&str>,
    target: Option<&str>,
    status: &str,
    forecast: &str,
) -> ReportIndicator {
    ReportIndicator {
        title: title.to_owned(),
        numerator,
        denominator,
        percent: percent.map(str::to_owned),
        target: target.map(str::to_owned),
        status: status.to_owned(),
        forecast: forecast.to_owned(),
        evidence: None,
    }
}

/// A municipality's report: targets met, missed and without data, a custom
/// indicator, overdue roadmap items and two lists of who is behind.
pub fn report() -> AnalyticalReport {
    AnalyticalReport {
        scope: "Муниципальное образование «Ершичский район»".into(),
        prepared_by: Some("Муниципальный координатор: Иванова И. И.".into()),
        period_from: d(2025, 9, 1),
        period_to: d(2026, 8, 31),
        as_of: d(2026, 3, 16),
        indicators: vec![
            line(
                "Охват диагностикой профессиональных дефицитов учителей, обучающиеся которых \
                 показали низкие результаты",
                41,
                44,
                Some("93,2"),
                Some("90"),
                "достигнуто",
                "",
            ),
            line(
                "Доля педагогов с высоким и критическим уровнем дефицитов, имеющих \
                 утверждённый ИОМ",
                18,
                20,
                Some("90,0"),
                None,
                "цель не установлена",
                "",
            ),
            line(
                ROUTES_DONE,
                9,
                16,
                Some("56,3"),
                Some("75"),
                "не достигнуто",
                "при текущем темпе цель будет достигнута к 31.08.2026",
            ),
            line(
                "Доля педагогов с критическим уровнем дефицитов, молодых и вновь принятых \
                 педагогов, сопровождаемых региональными методистами",
                7,
                15,
                Some("46,7"),
                Some("50"),
                "не достигнуто",
                "при текущем темпе цель не будет достигнута к 31.08.2026",
            ),
            line(
                "Доля ОО с критическими значениями мониторинга, сопровождаемых \
                 школами-наставниками",
                0,
                0,
                None,
                Some("20"),
                "нет данных",
                "",
            ),
            line(
                "Охват повышением квалификации учителей, обучающиеся которых показали низкие \
                 результаты",
                12_480,
                15_320,
                Some("81,5"),
                Some("80"),
                "достигнуто",
                "",
            ),
        ],
        custom: vec![ReportIndicator {
            evidence: Some(EVIDENCE.into()),
            ..line(
                "Доля ОО, разработавших программы педагогического наставничества",
                6,
                6,
                Some("100,0"),
                Some("100"),
                "достигнуто",
                "",
            )
        }],
        roadmap: ReportRoadmap {
            planned: 12,
            in_progress: 5,
            done: 9,
            overdue: 2,
            overdue_items: vec![
                RoadmapLine {
                    number: "2.2".into(),
                    title: "Анализ результатов мониторинга образовательных достижений в школах, \
                            функционирующих в условиях рисков снижения образовательных \
                            результатов"
                        .into(),
                    responsible: Some("Отдел по образованию".into()),
                    due_text: "январь 2026".into(),
                },
                RoadmapLine {
                    number: "3.2".into(),
                    title: OVERDUE_TITLE.into(),
                    responsible: None,
                    due_text: "I квартал 2026".into(),
                },
            ],
        },
        behind: vec![
            BehindList {
                title: format!("{ROUTES_DONE}: ниже цели"),
                columns: [
                    "Образовательная организация".into(),
                    "Значение, %".into(),
                    "Не хватает до цели".into(),
                ],
                rows: vec![
                    [BEHIND_SCHOOL.into(), "33,3".into(), "2 педагога".into()],
                    [
                        "МБОУ «Ершичская средняя школа»".into(),
                        "60,0".into(),
                        "1 педагог".into(),
                    ],
                ],
            },
            BehindList {
                title: "Доля педагогов, сопровождаемых региональными методистами: ниже цели".into(),
                columns: [
                    "Образовательная организация".into(),
                    "Значение, %".into(),
                    "Не хватает до цели".into(),
                ],
                rows: vec![[
                    "МБОУ «Рославльская средняя школа № 10»".into(),
                    "0,0".into(),
                    "1 педагог".into(),
                ]],
            },
        ],
    }
}

/// The name in row `i` of [`long_behind`].
pub fn numbered_school(i: usize) -> String {
    format!("МБОУ «Средняя школа номер {i}»")
}

/// The region's report with one list of 300 schools below the target.
pub fn long_behind() -> AnalyticalReport {
    let mut r = report();
    r.scope = "Регион (все муниципалитеты)".into();
    r.prepared_by = Some("Методист ЦНППМ: Орлова М. В.".into());
    r.behind = vec![BehindList {
        title: format!("{ROUTES_DONE}: ниже цели"),
        columns: [
            "Образовательная организация".into(),
            "Значение, %".into(),
            "Не хватает до цели".into(),
        ],
        rows: (1..=300)
            .map(|i| {
                [
                    numbered_school(i),
                    format!("{},{}", 40 + i % 30, i % 10),
                    format!("{} педагогов", 5 + i % 7),
                ]
            })
            .collect(),
    }];
    r
}

/// Nothing to report but the indicators, all met: no roadmap loaded,
/// nothing behind, no author.
pub fn empty() -> AnalyticalReport {
    AnalyticalReport {
        scope: "Муниципальное образование «Шумячский муниципальный округ»".into(),
        prepared_by: None,
        period_from: d(2025, 9, 1),
        period_to: d(2026, 8, 31),
        as_of: d(2025, 9, 1),
        indicators: vec![line(
            ROUTES_DONE,
            3,
            4,
            Some("75,0"),
            Some("75"),
            "достигнуто",
            "",
        )],
        custom: Vec::new(),
        roadmap: ReportRoadmap::default(),
        behind: Vec::new(),
    }
}
