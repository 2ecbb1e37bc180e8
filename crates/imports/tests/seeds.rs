//! The five real roadmaps of `shared/seeds` (beside the workspace), read as
//! the importer reads them. The counts were made by hand from the files.
//!
//! Without the directory the test says so and passes; CI sets
//! `MARSHRUT_REQUIRE_SEEDS=1` to make it fail instead.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use domain::Period;
use imports::roadmap::{RoadmapFile, read_roadmap, read_roadmap_text};

struct Seed {
    /// The start of the file's name.
    prefix: &'static str,
    /// The roadmap's own period, as its title gives it.
    period: (i32, u32, u32, i32, u32, u32),
    items: usize,
    /// Distinct direction headings.
    directions: usize,
    /// Numbered rows with no due cell at all: «без срока».
    no_due: &'static [&'static str],
    /// Due cells with no date in them: «без срока», with the text.
    unreadable: &'static [(&'static str, &'static str)],
    first: (&'static str, &'static str),
    last: (&'static str, &'static str),
}

const SEEDS: [Seed; 5] = [
    // Шумячский округ, «на 2025-2026 учебный год».
    Seed {
        prefix: "000_",
        period: (2025, 9, 1, 2026, 8, 31),
        items: 29,
        directions: 3,
        no_due: &[],
        unreadable: &[("2.3", "По графику РОИВ")],
        first: (
            "1.1",
            "Разработка и утверждение Плана мероприятий («дорожной карты»)",
        ),
        last: ("3.17", "Итоговая конференция «От низких"),
    },
    // Ершичский район, «в 2023/2024 учебном году»: two appendices, two
    // tables numbered from 1 each.
    Seed {
        prefix: "001_",
        period: (2023, 9, 1, 2024, 8, 31),
        items: 34,
        directions: 3,
        no_due: &["3.6", "3.3"],
        unreadable: &[],
        first: (
            "1.1",
            "Разработка и утверждение Плана мероприятий (муниципальной",
        ),
        last: ("3.9", "Рассмотрение коллегиальными органами ОО"),
    },
    // Новошахтинск, «в 2026 году»: a calendar year.
    Seed {
        prefix: "002_",
        period: (2026, 1, 1, 2026, 12, 31),
        items: 23,
        directions: 5,
        no_due: &[],
        unreadable: &[
            ("7", "по отдельному плану"),
            ("8", "по отдельному плану"),
            ("10", "по отдельному плану"),
            ("13", "по отдельному плану"),
            ("14", "по отдельному плану"),
            ("15", "по отдельному плану"),
            ("20", "в соответствии со сроками реализации программы"),
            ("21", "по четвертям, полугодиям, за год"),
            ("22", "по плану работы"),
        ],
        first: (
            "1",
            "Разработка муниципальных нормативно-правовых документов",
        ),
        last: ("23", "Восполнение профессиональных дефицитов"),
    },
    // ГАУ ДПО СОИРО, «в 2022-2023 учебном году».
    Seed {
        prefix: "003_",
        period: (2022, 9, 1, 2023, 8, 31),
        items: 23,
        directions: 3,
        no_due: &[],
        unreadable: &[],
        first: ("1.1", "Инструктивные совещания с руководителями"),
        last: ("3.13", "Итоговая конференция"),
    },
    // Смоленск, «в 2021/2022 учебном году»: text extracted from a PDF (no
    // 1.8 in the source; 3.10 has no date, its due column repeats the
    // responsible).
    Seed {
        prefix: "004_",
        period: (2021, 9, 1, 2022, 8, 31),
        items: 35,
        directions: 3,
        no_due: &["3.10"],
        unreadable: &[],
        first: (
            "1.1",
            "Организация деятельности ОЦПРМСО в 2021/2022 учебном году",
        ),
        last: (
            "3.15",
            "Пополнение банка методических материалов на сайте методического отдела",
        ),
    },
];

fn seeds_dir() -> Option<PathBuf> {
    seeds_dir_at(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seeds"))
}

fn seeds_dir_at(dir: PathBuf) -> Option<PathBuf> {
    if dir.is_dir() {
        return Some(dir);
    }
    let required = std::env::var("MARSHRUT_REQUIRE_SEEDS").is_ok_and(|v| v == "1");
    assert!(
        !required,
        "MARSHRUT_REQUIRE_SEEDS=1, but there is no {}",
        dir.display()
    );
    println!("no {}: the roadmap seeds are not checked", dir.display());
    None
}

fn seed_file(dir: &Path, prefix: &str) -> PathBuf {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(prefix))
        })
        .collect();
    assert_eq!(found.len(), 1, "one seed {prefix}* in {}", dir.display());
    found.pop().unwrap()
}

fn check(seed: &Seed, file: &RoadmapFile) {
    let name = seed.prefix;
    let (y1, m1, d1, y2, m2, d2) = seed.period;
    let period = Period {
        from: NaiveDate::from_ymd_opt(y1, m1, d1).unwrap(),
        to: NaiveDate::from_ymd_opt(y2, m2, d2).unwrap(),
    };
    assert_eq!(file.items.len(), seed.items, "{name}: items");
    for item in &file.items {
        assert!(
            !item.number.is_empty(),
            "{name}: line {}: number",
            item.line
        );
        assert!(!item.title.is_empty(), "{name}: {}: title", item.number);
        assert!(
            item.direction.as_deref().is_some_and(|d| !d.is_empty()),
            "{name}: {}: direction",
            item.number
        );
    }
    let mut directions: Vec<&str> = file
        .items
        .iter()
        .filter_map(|i| i.direction.as_deref())
        .collect();
    directions.sort_unstable();
    directions.dedup();
    assert_eq!(directions.len(), seed.directions, "{name}: {directions:?}");

    let first = &file.items[0];
    assert_eq!(first.number, seed.first.0, "{name}: first");
    assert!(
        first.title.starts_with(seed.first.1),
        "{name}: {}",
        first.title
    );
    let last = file.items.last().unwrap();
    assert_eq!(last.number, seed.last.0, "{name}: last");
    assert!(
        last.title.starts_with(seed.last.1),
        "{name}: {}",
        last.title
    );

    // Every due cell reads, or is a warning naming its row.
    let mut no_due = Vec::new();
    let mut unreadable = Vec::new();
    for item in &file.items {
        match item.due(period) {
            None => {
                no_due.push(item.number.as_str());
                let warning = format!(
                    "строка {}: пункт {}: срок не указан — импортирован как «без срока»",
                    item.line, item.number
                );
                assert!(file.warnings.contains(&warning), "{name}: {warning}");
            }
            Some(Ok(due)) => {
                assert!(!due.points.is_empty(), "{name}: {}", item.due_text);
                for p in &due.points {
                    assert!(p.from.is_none_or(|f| f <= p.to), "{name}: {p:?}");
                }
            }
            Some(Err(e)) => {
                unreadable.push((item.number.as_str(), item.due_text.as_str()));
                let warning = format!(
                    "строка {}: срок «{}» не распознан — импортирован как «без срока»",
                    item.line, item.due_text
                );
                assert!(
                    file.warnings.iter().any(|w| w.starts_with(&warning)),
                    "{name}: {warning} ({e})"
                );
            }
        }
    }
    assert_eq!(no_due, seed.no_due, "{name}: rows without a due date");
    assert_eq!(unreadable, seed.unreadable, "{name}: unreadable due cells");
    // Nothing else to say about these files.
    assert_eq!(
        file.warnings.len(),
        no_due.len() + unreadable.len(),
        "{name}: {:#?}",
        file.warnings
    );
}

#[test]
fn the_five_seed_roadmaps_read_as_counted_by_hand() {
    let Some(dir) = seeds_dir() else {
        return;
    };
    for seed in &SEEDS {
        let path = seed_file(&dir, seed.prefix);
        let file =
            read_roadmap(&path).unwrap_or_else(|e| panic!("{}: no table: {e}", path.display()));
        check(seed, &file);
    }
}

#[test]
fn seed_details() {
    let Some(dir) = seeds_dir() else {
        return;
    };
    let read = |prefix| read_roadmap(&seed_file(&dir, prefix)).unwrap();

    // 000: a row split by a page break keeps its tail.
    let f = read("000_");
    let item = f.items.iter().find(|i| i.number == "1.7").unwrap();
    assert!(
        item.title
            .ends_with("- по совместной организации и проведению мероприятий")
    );
    assert_eq!(item.audience.as_deref(), Some("ОМСУ, ШсРНР, ШФНСУ"));

    // 001: merged «Уровень управления» cells, a due split over two rows.
    let f = read("001_");
    let level = |n: usize| f.items[n].level.as_deref();
    assert_eq!(
        (f.items[1].number.as_str(), level(1)),
        ("1.2", Some("Муниципальный"))
    );
    assert_eq!(
        (f.items[3].number.as_str(), level(3)),
        ("1.4", Some("Институциональный"))
    );
    assert_eq!(
        f.items[2].title,
        "Разработка и утверждение Плана мероприятий (школьной дорожной карты)/ программы по преодолению рисков снижения образовательных результатов в 2023-2024 учебном году"
    );
    let split = f.items.iter().filter(|i| i.number == "3.7").nth(1).unwrap();
    assert_eq!(split.due_text, "ноябрь-декабрь 2023");
    assert!(
        f.items[5]
            .title
            .starts_with("Заключение сетевых соглашений: - по использованию")
    );

    // 002: headings without a number, a «Форма» column.
    let f = read("002_");
    assert_eq!(
        f.items[0].direction.as_deref(),
        Some("Муниципальный уровень (организационно-методические мероприятия)")
    );
    assert_eq!(f.items[0].form.as_deref(), Some("Приказ"));
    assert_eq!(
        f.items[4].responsible.as_deref(),
        Some("Управление образования Администрации города")
    );

    // 004: title, due and responsible out of running text; a title that
    // goes on after a page break.
    let f = read("004_");
    let item = f.items.iter().find(|i| i.number == "1.10").unwrap();
    assert_eq!(
        item.title,
        "Вовлечение органов государственно-общественного управления ШНРО в решение вопросов повышения качества образования"
    );
    assert_eq!(item.due_text, "в течение учебного года");
    assert_eq!(item.responsible.as_deref(), Some("ШНРО, ОЦПРМСО"));
    let item = f.items.iter().find(|i| i.number == "3.1").unwrap();
    assert_eq!(item.due_text, "сентябрь 2021");
    assert_eq!(
        item.responsible.as_deref(),
        Some("УОиМП, ОЦПРМСО совместно с ЦНППМ ГАУ ДПО СОИРО")
    );
    assert_eq!(
        f.items[0].direction.as_deref(),
        Some("Организационно-управленческие меры")
    );
}

#[test]
fn a_missing_directory_passes_unless_required() {
    let missing = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("no-such-seeds");
    let required = std::env::var("MARSHRUT_REQUIRE_SEEDS").is_ok_and(|v| v == "1");
    let got = std::panic::catch_unwind(|| seeds_dir_at(missing.clone()));
    if required {
        assert!(got.is_err());
    } else {
        assert_eq!(got.ok(), Some(None));
    }
}

/// Any part of a real file reads without a panic: a table, or the error
/// that there is none.
#[test]
fn cut_seeds_never_panic() {
    let Some(dir) = seeds_dir() else {
        return;
    };
    for seed in &SEEDS {
        let text = std::fs::read_to_string(seed_file(&dir, seed.prefix)).unwrap();
        let cuts: Vec<usize> = text.char_indices().map(|(i, _)| i).step_by(397).collect();
        for &cut in &cuts {
            let _ = read_roadmap_text("cut.txt", &text[..cut]);
            let _ = read_roadmap_text("cut.txt", &text[cut..]);
            let _ = read_roadmap_text("cut.csv", &text[cut..]);
        }
    }
}
