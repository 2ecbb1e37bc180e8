//! The printable ИОМ — «Индивидуальный образовательный маршрут педагога»
//! (individual educational route) in the usual regional form, as DOCX (to
//! edit and sign) and as PDF (to print and file).
//!
//! Both renderers read the same neutral [`content`] blocks, so the two files
//! always say the same thing; only the typesetting differs. Output is
//! deterministic: the same [`IomDocument`] gives the same bytes, which the
//! snapshot tests rely on.
//!
//! The caller fills [`IomDocument`] with display text (percent as
//! "45,00 %", level names in Russian, completion marks): this crate does no
//! domain logic and knows nothing of the store.
//!
//! The same machinery prints the «аналитическая справка» that a
//! municipality sends to the regional institute and the institute to the
//! ministry: [`report_docx`] and [`report_pdf`] over an [`AnalyticalReport`].

#![forbid(unsafe_code)]

use chrono::NaiveDate;

mod content;
mod docx;
mod pdf;
mod report;

pub use report::{
    AnalyticalReport, BehindList, ReportIndicator, ReportRoadmap, RoadmapLine, STATUS_MET,
    STATUS_MISSED, STATUS_NO_DATA, STATUS_NO_TARGET, report_docx, report_pdf,
};

#[cfg(test)]
mod tests;

/// Everything the printed route shows, as display text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IomDocument {
    /// «Смоленская область».
    pub region: String,
    /// Full name: «Кузнецова Анна Сергеевна».
    pub teacher: String,
    pub position: Option<String>,
    pub subjects: Vec<String>,
    pub school: String,
    pub municipality: String,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    /// The regional methodist or mentor; `None` prints «не назначен».
    pub methodist: Option<String>,
    /// «черновик», «утверждён», «выполнен».
    pub status: String,
    /// Who approved the route, and when.
    pub approved: Option<(String, NaiveDate)>,
    pub diagnostics: Vec<DiagnosticLine>,
    pub goal: String,
    pub tasks: Vec<String>,
    pub activities: Vec<ActivityLine>,
    pub expected_results: Vec<String>,
    /// The roles of the sign-off lines: «Педагог», «Заместитель директора по
    /// УВР», «Региональный методист (ЦНППМ)».
    pub signatures: Vec<String>,
}

/// One competence's diagnostic result (результат диагностики).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiagnosticLine {
    pub competence: String,
    /// "45,00 %", or "—" when there is no score.
    pub percent: String,
    /// The level's Russian name: «критический», «высокий», …
    pub level: String,
    pub taken_on: NaiveDate,
}

/// One activity of the plan (мероприятие ИОМ).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityLine {
    /// The competences (deficits) the activity addresses.
    pub deficit: Vec<String>,
    /// The step's title.
    pub topic: String,
    /// Kind and format: «курс повышения квалификации, дистанционно».
    pub form: String,
    /// The organiser: «ГАУ ДПО СОИРО», «МБОУ СШ № 2», a mentor's name.
    pub provider: String,
    /// «01.10.2026 – 30.10.2026», «в течение года».
    pub dates: String,
    pub reporting_form: String,
    /// Academic hours; 0 when not counted (mentoring).
    pub hours: u32,
    pub mandatory: bool,
    /// «выполнено 12.03.2027», «ожидает подтверждения», or empty.
    pub completion: String,
}

/// The route as a Word document (Office Open XML, A4, the plan on landscape
/// pages).
pub fn docx(doc: &IomDocument) -> Vec<u8> {
    docx::render(&content::blocks(doc))
}

/// The route as a PDF (A4, the plan on landscape pages) with DejaVu Sans
/// embedded as a subset, so Cyrillic prints on any machine.
pub fn pdf(doc: &IomDocument) -> Vec<u8> {
    let blocks = content::blocks(doc);
    let layout = pdf::layout(&blocks, &content::footer_label(doc));
    pdf::render(&layout, "Индивидуальный образовательный маршрут педагога")
}
