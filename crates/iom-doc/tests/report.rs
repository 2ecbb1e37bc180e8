//! The analytical report through the public API, as the server uses it: the
//! DOCX is a zip whose body holds the texts, and the PDF's text read back
//! with poppler's `pdftotext` (where it is installed) holds them too.

#[path = "support/report_sample.rs"]
mod sample;

use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};
use std::process::Command;

// The sample reaches the types through `super`.
use iom_doc::{AnalyticalReport, BehindList, ReportIndicator, ReportRoadmap, RoadmapLine};

fn document_xml(docx: &[u8]) -> String {
    assert!(docx.starts_with(b"PK"), "a DOCX is a zip archive");
    let mut archive = zip::ZipArchive::new(Cursor::new(docx)).expect("a DOCX is a zip archive");
    let mut file = archive
        .by_name("word/document.xml")
        .expect("word/document.xml in the DOCX");
    let mut text = String::new();
    file.read_to_string(&mut text).expect("UTF-8 XML");
    text
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"))
}

/// The PDF's pages as `pdftotext` reads them (it ends each page with a form
/// feed), whitespace squashed; `None` when poppler-utils is not installed.
fn pdf_pages(pdf: &[u8], name: &str) -> Option<Vec<String>> {
    if Command::new("pdftotext").arg("-v").output().is_err() {
        eprintln!("skipped: pdftotext is not installed (apt-get install poppler-utils)");
        return None;
    }
    let dir = target_dir().join("iom-doc-tests");
    std::fs::create_dir_all(&dir).expect("create the scratch folder");
    let path = dir.join(name);
    std::fs::write(&path, pdf).expect("write the PDF");
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("run pdftotext");
    assert!(
        out.status.success(),
        "pdftotext failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("UTF-8 from pdftotext");
    let mut pages: Vec<String> = text.split('\u{c}').map(squash).collect();
    if pages.last().is_some_and(String::is_empty) {
        pages.pop();
    }
    Some(pages)
}

/// Collapses every run of whitespace (the no-break space in grouped counts
/// among them) to one space.
fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Counts `/Type/Page` dictionaries (not `/Pages`).
fn page_objects(pdf: &[u8]) -> usize {
    let needle = b"/Type/Page";
    pdf.windows(needle.len() + 1)
        .filter(|w| &w[..needle.len()] == needle && !w[needle.len()].is_ascii_alphabetic())
        .count()
}

#[test]
fn docx_holds_the_report() {
    let r = sample::report();
    let xml = document_xml(&iom_doc::report_docx(&r));
    for text in [
        "АНАЛИТИЧЕСКАЯ СПРАВКА",
        "за период с 01.09.2025 по 31.08.2026, по состоянию на 16.03.2026",
        sample::ROUTES_DONE,
        "нет данных",
        sample::OVERDUE_TITLE,
        sample::BEHIND_SCHOOL,
        sample::EVIDENCE,
        "при текущем темпе цель будет достигнута к 31.08.2026",
        "Муниципальный координатор: Иванова И. И.",
    ] {
        assert!(xml.contains(text), "the DOCX says {text:?}");
    }
    assert!(
        xml.contains("<w:tblHeader />"),
        "table headers repeat on every page"
    );
    assert!(
        !xml.contains(r#"w:orient="landscape""#),
        "the report is portrait throughout"
    );
}

#[test]
fn pdf_reads_back() {
    let r = sample::report();
    let pdf = iom_doc::report_pdf(&r);
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(pdf.trim_ascii_end().ends_with(b"%%EOF"));
    let dir = target_dir();
    std::fs::create_dir_all(&dir).expect("create target/");
    std::fs::write(dir.join("report-sample.pdf"), &pdf).expect("write the PDF sample");
    std::fs::write(dir.join("report-sample.docx"), iom_doc::report_docx(&r))
        .expect("write the DOCX sample");
    let Some(pages) = pdf_pages(&pdf, "report.pdf") else {
        return;
    };
    assert_eq!(pages.len(), page_objects(&pdf));
    let text = pages.join(" ");
    for phrase in [
        "АНАЛИТИЧЕСКАЯ СПРАВКА",
        "о реализации адресной методической поддержки",
        "за период с 01.09.2025 по 31.08.2026, по состоянию на 16.03.2026",
        sample::ROUTES_DONE,
        "56,3",
        "нет данных",
        "Цикл муниципальных консультативных",
        sample::BEHIND_SCHOOL,
        "2 педагога",
    ] {
        assert!(
            text.contains(phrase),
            "pdftotext finds {phrase:?} in {text}"
        );
    }
    assert!(
        !text.contains("Все целевые значения достигнуты"),
        "two targets are missed"
    );
    assert!(pages[0].contains("АНАЛИТИЧЕСКАЯ СПРАВКА"));
}

#[test]
fn a_list_of_300_runs_over_pages_with_its_header() {
    let r = sample::long_behind();
    let pdf = iom_doc::report_pdf(&r);
    let pages = page_objects(&pdf);
    assert!(pages >= 5, "300 rows take several pages, not {pages}");
    let xml = document_xml(&iom_doc::report_docx(&r));
    for i in [1, 150, 300] {
        assert!(
            xml.contains(&sample::numbered_school(i)),
            "the DOCX lists row {i}"
        );
    }
    let Some(pages) = pdf_pages(&pdf, "report-long.pdf") else {
        return;
    };
    let text = pages.join(" ");
    for i in 1..=300 {
        assert!(
            text.contains(&sample::numbered_school(i)),
            "pdftotext finds row {i}"
        );
    }
    let with_rows: Vec<&String> = pages
        .iter()
        .filter(|p| p.contains("Средняя школа номер"))
        .collect();
    assert!(with_rows.len() >= 4, "{} pages hold rows", with_rows.len());
    for page in with_rows {
        assert!(
            page.contains("Не хватает до цели"),
            "every page of the list repeats its header: {page}"
        );
    }
}

#[test]
fn empty_report_renders() {
    let r = sample::empty();
    let pdf = iom_doc::report_pdf(&r);
    assert_eq!(page_objects(&pdf), 1);
    let xml = document_xml(&iom_doc::report_docx(&r));
    for text in [
        "Мероприятия плана («дорожной карты») не загружены.",
        "Все целевые значения достигнуты.",
    ] {
        assert!(xml.contains(text), "the DOCX says {text:?}");
    }
    assert!(!xml.contains("Просроченные мероприятия"));
    let Some(pages) = pdf_pages(&pdf, "report-empty.pdf") else {
        return;
    };
    let text = pages.join(" ");
    assert!(text.contains("Все целевые значения достигнуты."), "{text}");
    assert!(text.contains("не загружены"), "{text}");
}
