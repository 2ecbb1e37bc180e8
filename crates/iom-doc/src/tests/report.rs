//! The analytical report's layout: what it says where, pagination of long
//! lists, the sentences for empty sections, snapshots and determinism.

#[path = "../../tests/support/report_sample.rs"]
mod sample;

use super::{
    all_text, assert_no_orphan_headings, assert_no_overlap, page_objects, page_text, pretty_xml,
    snapshot, unzip,
};
use crate::pdf::{self, Item, Layout};
use crate::report::{self, footer_label};
// The sample reaches the types through `super`.
use crate::{AnalyticalReport, BehindList, ReportIndicator, ReportRoadmap, RoadmapLine};

fn layout_of(r: &AnalyticalReport) -> Layout {
    pdf::layout(&report::blocks(r), &footer_label(r))
}

fn docx_text(r: &AnalyticalReport) -> String {
    unzip(&crate::report_docx(r), "word/document.xml")
}

#[test]
fn sample_report_reads_right() {
    let r = sample::report();
    let layout = layout_of(&r);
    let first = page_text(&layout, 0);
    for text in [
        "АНАЛИТИЧЕСКАЯ СПРАВКА",
        "о реализации адресной методической поддержки",
        "Муниципальное образование «Ершичский район»",
        "за период с 01.09.2025 по 31.08.2026, по состоянию на 16.03.2026",
        "1. Показатели адресной методической поддержки",
        "1.1. Показатели, рассчитанные по данным платформы",
        "Доля учителей, освоивших ИОМ 9 16 56,3 75",
    ] {
        assert!(first.contains(text), "page 1 says {text:?}: {first}");
    }
    let text = all_text(&layout);
    for phrase in [
        // No header word or status is cut between letters.
        "Показатель Числитель Знаменатель Значение, % Целевое значение, % Статус Прогноз",
        "12 480 15 320 81,5 80 достигнуто",
        "0 0 нет данных 20 нет данных",
        "90,0 — цель не установлена",
        "1.2. Показатели, значения которых внесены координаторами",
        "Основание: приказ Отдела по образованию от 15.01.2026 № 12",
        "2. Реализация плана мероприятий («дорожной карты»)",
        "В плане мероприятий («дорожной карте») 28 мероприятий: выполнено — 9, выполняется — 5, \
         запланировано — 12, просрочено — 2.",
        "Просроченные мероприятия",
        "3.2 Цикл муниципальных консультативных",
        "3. Показатели ниже целевых значений",
        "3.1. Доля учителей, освоивших ИОМ: ниже цели",
        "1 МБОУ «Кузьмичская основная школа» 33,3 2 педагога",
        "3.2. Доля педагогов, сопровождаемых региональными методистами: ниже цели",
        "4. Выводы",
        "Из 6 установленных целевых значений достигнуто 3, не достигнуто 2, по 1 показателю нет \
         данных.",
        "Ниже целевого значения: Доля учителей, освоивших ИОМ; Доля педагогов с критическим",
        "Просрочено 2 мероприятия плана («дорожной карты») из 28, выполнено 9.",
        "Муниципальный координатор: Иванова И. И.",
        "подпись / расшифровка подписи / дата",
    ] {
        assert!(text.contains(phrase), "the report says {phrase:?}: {text}");
    }
    assert!(!text.contains("Все целевые значения достигнуты"));
    for status in ["не достигнуто", "цель не установлена"] {
        assert!(text.contains(status), "{status:?} is whole: {text}");
    }
    // A grouped count is one piece, joined by a no-break space.
    let counts = layout.pages[0]
        .items
        .iter()
        .filter(|i| matches!(i, Item::Text { text, .. } if text == "12\u{a0}480"))
        .count();
    assert_eq!(counts, 1, "12 480 is one text");
    // The overdue item without a responsible one prints a dash, not nothing.
    assert!(text.contains("антирисковых мер — I квартал 2026"), "{text}");
    let last = layout.pages.len();
    assert!(text.contains(&format!("Страница {last} из {last}")));
    assert!(text.contains("Аналитическая справка: Муниципальное образование «Ершичский район»"));
    for p in &layout.pages {
        assert!(p.width < p.height, "every page is A4 portrait");
        assert!((p.width - 595.28).abs() < 0.01 && (p.height - 841.89).abs() < 0.01);
    }
    assert_no_overlap(&layout);
    assert_no_orphan_headings(&layout);
}

#[test]
fn report_layout_and_docx_match_snapshots() {
    let r = sample::report();
    snapshot("report-layout.txt", &pdf::dump(&layout_of(&r)));
    let xml = docx_text(&r);
    assert!(
        xml.contains("<w:tblHeader />"),
        "table headers repeat on every page"
    );
    snapshot("report-document.xml", &pretty_xml(&xml));
}

#[test]
fn report_is_deterministic() {
    let r = sample::report();
    let pdf = crate::report_pdf(&r);
    let docx = crate::report_docx(&r);
    let _ = crate::report_pdf(&sample::long_behind());
    let _ = crate::report_docx(&sample::long_behind());
    assert!(pdf == crate::report_pdf(&r), "two PDF renders differ");
    assert!(docx == crate::report_docx(&r), "two DOCX renders differ");
    assert_eq!(page_objects(&pdf), layout_of(&r).pages.len());
}

#[test]
fn three_hundred_rows_run_over_pages_with_the_header_repeated() {
    let r = sample::long_behind();
    let layout = layout_of(&r);
    let text = all_text(&layout);
    let pages_with_rows: Vec<usize> = (0..layout.pages.len())
        .filter(|&p| page_text(&layout, p).contains("МБОУ «Средняя школа номер"))
        .collect();
    assert!(
        pages_with_rows.len() >= 4,
        "300 rows take several pages, not {}",
        pages_with_rows.len()
    );
    for &p in &pages_with_rows {
        let page = page_text(&layout, p);
        assert!(
            page.contains("№ Образовательная организация Значение, % Не хватает до цели"),
            "page {} repeats the header: {page}",
            p + 1
        );
    }
    // Every row once, numbered, in order.
    let mut at = 0;
    for i in 1..=300 {
        let row = format!("{i} {}", sample::numbered_school(i));
        let found = text[at..]
            .find(&row)
            .unwrap_or_else(|| panic!("row {i} follows row {}", i - 1));
        at += found + row.len();
        assert_eq!(text.matches(&sample::numbered_school(i)).count(), 1);
    }
    assert!(
        text.contains("4. Выводы"),
        "the conclusion follows the list"
    );
    assert_no_overlap(&layout);
    assert_no_orphan_headings(&layout);
    assert_eq!(
        page_objects(&crate::report_pdf(&r)),
        layout.pages.len(),
        "the PDF has the laid-out pages"
    );
}

#[test]
fn empty_report_says_so() {
    let r = sample::empty();
    let layout = layout_of(&r);
    let text = all_text(&layout);
    for phrase in [
        "Мероприятия плана («дорожной карты») не загружены.",
        "3. Показатели ниже целевых значений Все целевые значения достигнуты.",
        "Из 1 установленного целевого значения достигнуто 1. План мероприятий («дорожная карта») \
         не загружен.",
    ] {
        assert!(text.contains(phrase), "the report says {phrase:?}: {text}");
    }
    for absent in ["Просроченные мероприятия", "1.2.", "подпись", "Основание:"]
    {
        assert!(!text.contains(absent), "no {absent:?}: {text}");
    }
    assert_eq!(layout.pages.len(), 1);
    assert_no_overlap(&layout);
    assert_no_orphan_headings(&layout);
    let xml = docx_text(&r);
    assert!(xml.contains("Все целевые значения достигнуты."));
    assert!(xml.contains("не загружены"));

    let none = AnalyticalReport {
        indicators: Vec::new(),
        ..sample::empty()
    };
    let text = all_text(&layout_of(&none));
    assert!(text.contains("Показатели не рассчитывались."), "{text}");
    assert!(
        text.contains(
            "3. Показатели ниже целевых значений Целевые значения показателей не установлены."
        ),
        "{text}"
    );
    assert!(text.contains("4. Выводы Целевые значения показателей не установлены."));
}

#[test]
fn nothing_behind_is_not_called_all_met_when_it_is_not() {
    let mut r = sample::report();
    r.behind.clear();
    let text = all_text(&layout_of(&r));
    assert!(
        text.contains("Перечни отстающих не сформированы."),
        "{text}"
    );
    assert!(!text.contains("Все целевые значения достигнуты"));

    r.indicators.retain(|l| l.status != "не достигнуто");
    let text = all_text(&layout_of(&r));
    assert!(
        text.contains("Целевые значения, по которым есть данные, достигнуты."),
        "{text}"
    );
    assert!(text.contains("достигнуто 3, по 1 показателю нет данных."));
}

#[test]
fn roadmap_without_overdue_items_and_custom_only() {
    let mut r = sample::report();
    r.roadmap.overdue = 0;
    r.roadmap.overdue_items.clear();
    r.indicators.clear();
    let text = all_text(&layout_of(&r));
    for phrase in [
        "В плане мероприятий («дорожной карте») 26 мероприятий: выполнено — 9, выполняется — 5, \
         запланировано — 12, просрочено — 0. Просроченных мероприятий нет.",
        "Просроченных мероприятий плана («дорожной карты») нет; выполнено 9 из 26.",
        "1.1. Показатели, рассчитанные по данным платформы Показатели не рассчитывались.",
        "1.2. Показатели, значения которых внесены координаторами",
        "Из 1 установленного целевого значения достигнуто 1.",
    ] {
        assert!(text.contains(phrase), "the report says {phrase:?}: {text}");
    }
    assert!(!text.contains("Просроченные мероприятия "));
}

#[test]
fn the_sign_off_never_stands_alone_on_a_page() {
    // Lists of growing length move the conclusion down the page until the
    // sign-off no longer fits under it; the conclusion's end must follow.
    let mut moved = false;
    for n in 0..60 {
        let mut r = sample::report();
        r.behind[1].rows = (1..=n)
            .map(|i| [sample::numbered_school(i), "0,0".into(), "1 педагог".into()])
            .collect();
        let layout = layout_of(&r);
        let page = (0..layout.pages.len())
            .find(|&p| page_text(&layout, p).contains("Муниципальный координатор"))
            .expect("the sign-off is printed");
        let text = page_text(&layout, page);
        assert!(
            text.contains("выполнено 9. Муниципальный координатор"),
            "with {n} rows the sign-off on page {} follows the conclusion's end: {text}",
            page + 1
        );
        moved |= !text.contains("4. Выводы");
        assert_no_overlap(&layout);
    }
    assert!(moved, "some length carries the conclusion over a page");
}
