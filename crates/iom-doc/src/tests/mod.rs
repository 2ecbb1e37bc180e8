//! Rendering tests: snapshots of the DOCX body and the PDF layout, byte
//! determinism, pagination, and (where poppler's `pdftotext` is installed)
//! the text a PDF reader gets back.
//!
//! Snapshots live in `tests/snapshots/`; `UPDATE_SNAPSHOTS=1 cargo test -p
//! iom-doc` rewrites them after an intended change.

mod report;
mod sample;

use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::content;
use crate::pdf::{self, Item, Layout};

fn snapshot(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().expect("a folder"))
            .expect("create the snapshot folder");
        std::fs::write(&path, actual).expect("write the snapshot");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "no snapshot {}: run with UPDATE_SNAPSHOTS=1 to write it",
            path.display()
        )
    });
    if expected != actual {
        let line = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
        panic!(
            "{name} differs from the snapshot at line {}:\n  expected: {:?}\n  actual:   {:?}\n\
             (UPDATE_SNAPSHOTS=1 rewrites it if the change is intended)",
            line + 1,
            expected.lines().nth(line),
            actual.lines().nth(line),
        );
    }
}

fn unzip(bytes: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("a DOCX is a zip archive");
    let mut file = archive
        .by_name(name)
        .unwrap_or_else(|_| panic!("{name} in the DOCX"));
    let mut text = String::new();
    file.read_to_string(&mut text).expect("UTF-8 XML");
    text
}

/// One element a line at the paragraph, table, row and cell level, so a
/// snapshot diff points at what changed.
fn pretty_xml(xml: &str) -> String {
    let mut out = xml.to_owned();
    for tag in [
        "<w:p ",
        "<w:p>",
        "<w:tbl>",
        "<w:tr>",
        "<w:tc>",
        "<w:sectPr>",
        "</w:body>",
    ] {
        out = out.replace(tag, &format!("\n{tag}"));
    }
    out.push('\n');
    out
}

/// The text of a page's items in drawing order, lines joined by spaces.
fn page_text(layout: &Layout, page: usize) -> String {
    let mut text = String::new();
    for item in &layout.pages[page].items {
        if let Item::Text { text: t, .. } = item {
            text.push(' ');
            text.push_str(t);
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn all_text(layout: &Layout) -> String {
    (0..layout.pages.len())
        .map(|p| page_text(layout, p))
        .collect::<Vec<_>>()
        .join(" ")
}

fn layout_of(doc: &crate::IomDocument) -> Layout {
    pdf::layout(&content::blocks(doc), &content::footer_label(doc))
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"))
}

/// `pdftotext` of poppler-utils, when it is installed.
fn pdftotext(pdf: &[u8], name: &str) -> Option<String> {
    if Command::new("pdftotext").arg("-v").output().is_err() {
        eprintln!("skipped: pdftotext is not installed (apt-get install poppler-utils)");
        return None;
    }
    let dir = target_dir().join("iom-doc-tests");
    std::fs::create_dir_all(&dir).expect("create the scratch folder");
    let path = dir.join(name);
    std::fs::write(&path, pdf).expect("write the PDF");
    let out = Command::new("pdftotext")
        .arg("-enc")
        .arg("UTF-8")
        .arg(&path)
        .arg("-")
        .output()
        .expect("run pdftotext");
    assert!(
        out.status.success(),
        "pdftotext failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8(out.stdout).expect("UTF-8 from pdftotext"))
}

fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn docx_body_matches_snapshot() {
    let doc = sample::route();
    let bytes = crate::docx(&doc);
    assert!(bytes.starts_with(b"PK"), "a DOCX is a zip archive");
    let xml = unzip(&bytes, "word/document.xml");
    for a in &doc.activities {
        assert!(xml.contains(&a.topic), "the plan lists {:?}", a.topic);
    }
    assert!(
        xml.contains("<w:tblHeader />"),
        "the plan's header repeats on every page"
    );
    assert!(
        xml.contains(r#"w:orient="landscape""#),
        "the plan is on landscape pages"
    );
    snapshot("document.xml", &pretty_xml(&xml));
}

#[test]
fn docx_is_deterministic() {
    let doc = sample::route();
    let first = crate::docx(&doc);
    // Another document in between must not shift any generated id.
    let _ = crate::docx(&sample::long_route());
    assert!(
        first == crate::docx(&doc),
        "two renders of one route differ"
    );
    let core = unzip(&first, "docProps/core.xml");
    assert!(
        core.contains("1970-01-01T00:00:00Z"),
        "no clock time in the properties: {core}"
    );
}

#[test]
fn pdf_layout_matches_snapshot() {
    let layout = layout_of(&sample::route());
    snapshot("layout.txt", &pdf::dump(&layout));
}

#[test]
fn pdf_is_deterministic_and_embeds_the_font() {
    let doc = sample::route();
    let first = crate::pdf(&doc);
    assert!(first.starts_with(b"%PDF-"));
    assert!(first.trim_ascii_end().ends_with(b"%%EOF"));
    let _ = crate::pdf(&sample::long_route());
    assert!(first == crate::pdf(&doc), "two renders of one route differ");
    let text = String::from_utf8_lossy(&first);
    assert!(text.contains("/FontFile2"), "a TrueType font is embedded");
    assert!(text.contains("+DejaVuSans"), "as a subset");
    assert!(text.contains("+DejaVuSans-Bold"), "both faces");
    assert!(text.contains("/ToUnicode"), "with a map back to text");
    assert!(
        !text.contains("/CreationDate") && !text.contains("/ModDate"),
        "no clock time"
    );
    let layout = layout_of(&doc);
    assert_eq!(page_objects(&first), layout.pages.len());
}

/// Counts `/Type/Page` dictionaries (not `/Pages`).
fn page_objects(pdf: &[u8]) -> usize {
    let needle = b"/Type/Page";
    pdf.windows(needle.len() + 1)
        .filter(|w| &w[..needle.len()] == needle && !w[needle.len()].is_ascii_alphabetic())
        .count()
}

#[test]
fn sample_layout_reads_right() {
    let layout = layout_of(&sample::route());
    let first = page_text(&layout, 0);
    for text in [
        "Смоленская область",
        "ИНДИВИДУАЛЬНЫЙ ОБРАЗОВАТЕЛЬНЫЙ МАРШРУТ",
        "педагогического работника",
        "на период с 01.09.2026 по 31.05.2027",
        "Ф. И. О. педагога Кузнецова Анна Сергеевна",
        "1. Результаты диагностики профессиональных дефицитов",
        "32,50 % критический 10.09.2026",
    ] {
        assert!(first.contains(text), "page 1 says {text:?}: {first}");
    }
    let plan = layout
        .pages
        .iter()
        .position(|p| p.width > p.height)
        .expect("the plan is on a landscape page");
    assert!(page_text(&layout, plan).contains("3. План мероприятий"));
    assert!(
        all_text(&layout).contains(&squash(sample::LONG_TOPIC)),
        "the long title wraps whole"
    );
    let topic_lines = layout.pages[plan]
        .items
        .iter()
        .filter(
            |i| matches!(i, Item::Text { text, .. } if sample::LONG_TOPIC.contains(text.trim())),
        )
        .count();
    assert!(
        topic_lines >= 4,
        "the long title takes several lines, not {topic_lines}"
    );
    let last = page_text(&layout, layout.pages.len() - 1);
    assert!(last.contains("4. Ожидаемые результаты"));
    assert!(last.contains("Региональный методист (ЦНППМ)"));
    assert!(last.contains("подпись / расшифровка подписи / дата"));
    assert_no_overlap(&layout);
    assert_no_orphan_headings(&layout);
}

/// No two texts on a page overlap, and all text stays on the page and, but
/// for the footer, inside the margins.
fn assert_no_overlap(layout: &Layout) {
    for (n, page) in layout.pages.iter().enumerate() {
        let boxes: Vec<(f32, f32, f32, f32, &str)> = page
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Text {
                    x,
                    y,
                    size,
                    text,
                    width,
                    ..
                } => Some((
                    *x,
                    *y - 0.76 * size,
                    *x + *width,
                    *y + 0.2 * size,
                    text.as_str(),
                )),
                _ => None,
            })
            .collect();
        let [left, top, right, bottom] = page.frame;
        for (i, a) in boxes.iter().enumerate() {
            assert!(a.0 >= 0.0 && a.2 <= page.width && a.1 >= 0.0 && a.3 <= page.height);
            let footer = a.1 > bottom;
            if !footer {
                assert!(
                    a.0 >= left - 0.01 && a.2 <= right + 0.01 && a.1 >= top - 0.01,
                    "page {}: {:?} leaves the margins",
                    n + 1,
                    a.4
                );
            }
            for b in &boxes[i + 1..] {
                let apart = a.2 <= b.0 + 0.01
                    || b.2 <= a.0 + 0.01
                    || a.3 <= b.1 + 0.01
                    || b.3 <= a.1 + 0.01;
                assert!(apart, "page {}: {:?} overlaps {:?}", n + 1, a.4, b.4);
            }
        }
    }
}

/// A section heading (bold, 12 pt) never ends a page.
fn assert_no_orphan_headings(layout: &Layout) {
    for (n, page) in layout.pages.iter().enumerate() {
        let bottom = page.frame[3];
        let body: Vec<(f32, f32, bool, &str)> = page
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Text {
                    y,
                    size,
                    bold,
                    text,
                    ..
                } if *y < bottom => Some((*y, *size, *bold, text.as_str())),
                _ => None,
            })
            .collect();
        for (y, size, bold, text) in &body {
            if *bold && (*size - 12.0).abs() < 0.01 {
                assert!(
                    body.iter().any(|(y2, ..)| y2 > y),
                    "page {}: the heading {text:?} ends the page",
                    n + 1
                );
            }
        }
    }
}

#[test]
fn forty_activities_run_over_several_pages() {
    let doc = sample::long_route();
    let layout = layout_of(&doc);
    let landscape: Vec<usize> = (0..layout.pages.len())
        .filter(|&p| layout.pages[p].width > layout.pages[p].height)
        .collect();
    assert!(
        landscape.len() >= 3,
        "40 activities take several pages, not {}",
        landscape.len()
    );
    let text = all_text(&layout);
    for i in 1..=40 {
        assert!(
            text.contains(&sample::numbered_topic(i)),
            "activity {i} is in the plan"
        );
    }
    for &p in &landscape {
        assert!(
            page_text(&layout, p).contains("Тема / мероприятие"),
            "page {} repeats the header",
            p + 1
        );
    }
    assert!(text.contains("Всего: 40 мероприятий"));
    assert_no_overlap(&layout);
    assert_no_orphan_headings(&layout);
    let bytes = crate::pdf(&doc);
    assert_eq!(page_objects(&bytes), layout.pages.len());
    assert!(all_text(&layout).contains(&format!(
        "Страница {} из {}",
        layout.pages.len(),
        layout.pages.len()
    )));
    if let Some(text) = pdftotext(&bytes, "iom-long.pdf") {
        let text = squash(&text);
        for i in 1..=40 {
            assert!(
                text.contains(&format!("Мероприятие номер {i}:")),
                "pdftotext finds activity {i}"
            );
        }
    }
}

#[test]
fn a_row_taller_than_a_page_is_cut_between_lines() {
    let mut doc = sample::route();
    doc.activities.truncate(1);
    doc.activities[0].topic = "очень длинное название мероприятия ".repeat(120);
    let layout = layout_of(&doc);
    let plan_pages = layout.pages.iter().filter(|p| p.width > p.height).count();
    assert!(plan_pages >= 2, "the row runs onto a second page");
    assert_no_overlap(&layout);
    assert_no_orphan_headings(&layout);
    if let Some(text) = pdftotext(&crate::pdf(&doc), "iom-tall-row.pdf") {
        assert_eq!(
            squash(&text).matches("длинное").count(),
            120,
            "every line of the row is printed"
        );
    }
}

#[test]
fn empty_sections_still_render() {
    let mut doc = sample::route();
    doc.diagnostics.clear();
    doc.activities.clear();
    doc.tasks.clear();
    doc.expected_results.clear();
    doc.methodist = None;
    doc.approved = None;
    doc.position = None;
    let layout = layout_of(&doc);
    let text = all_text(&layout);
    assert!(text.contains("Диагностика профессиональных дефицитов не проводилась."));
    assert!(text.contains("Мероприятия не запланированы."));
    assert!(text.contains("Наставник (региональный методист) не назначен"));
    assert!(crate::pdf(&doc).starts_with(b"%PDF-"));
    let xml = unzip(&crate::docx(&doc), "word/document.xml");
    assert!(xml.contains("не назначен"));
}

#[test]
fn writes_samples_and_pdftotext_reads_cyrillic() {
    let doc = sample::route();
    let dir = target_dir();
    std::fs::create_dir_all(&dir).expect("create target/");
    let pdf = crate::pdf(&doc);
    std::fs::write(dir.join("iom-sample.docx"), crate::docx(&doc)).expect("write the DOCX sample");
    std::fs::write(dir.join("iom-sample.pdf"), &pdf).expect("write the PDF sample");
    let Some(text) = pdftotext(&pdf, "iom-sample.pdf") else {
        return;
    };
    let text = squash(&text);
    for phrase in [
        "Смоленская область",
        "ИНДИВИДУАЛЬНЫЙ ОБРАЗОВАТЕЛЬНЫЙ МАРШРУТ",
        "Кузнецова Анна Сергеевна",
        "Результаты диагностики профессиональных дефицитов",
        "критический",
        "План мероприятий",
        "Ожидаемые результаты",
        "Заместитель директора по УВР",
    ] {
        assert!(
            text.contains(phrase),
            "pdftotext finds {phrase:?} in: {text}"
        );
    }
}
