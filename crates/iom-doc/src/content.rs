//! What the route says, as neutral blocks that both renderers typeset: the
//! wording lives here once, so the DOCX and the PDF cannot drift apart.

use chrono::NaiveDate;

use crate::{ActivityLine, IomDocument};

/// Page orientation of a run of pages (a section in DOCX).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Orientation {
    Portrait,
    Landscape,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Center,
}

/// Relative text sizes; each renderer maps them to its own points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TextSize {
    Title,
    Large,
    Normal,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Span {
    pub text: String,
    pub bold: bool,
}

impl Span {
    pub fn plain(text: impl Into<String>) -> Self {
        Span {
            text: text.into(),
            bold: false,
        }
    }

    pub fn bold(text: impl Into<String>) -> Self {
        Span {
            text: text.into(),
            bold: true,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cell {
    /// Each entry starts on a new line.
    pub paragraphs: Vec<String>,
    pub bold: bool,
    pub align: Align,
    /// Grey background: header rows and the label column.
    pub shaded: bool,
}

impl Cell {
    pub fn text(text: impl Into<String>) -> Self {
        Cell::lines(vec![text.into()])
    }

    pub fn lines(paragraphs: Vec<String>) -> Self {
        Cell {
            paragraphs,
            bold: false,
            align: Align::Left,
            shaded: false,
        }
    }

    pub(crate) fn centered(mut self) -> Self {
        self.align = Align::Center;
        self
    }

    fn label(mut self) -> Self {
        self.shaded = true;
        self
    }

    pub(crate) fn header(text: &str) -> Self {
        Cell {
            paragraphs: vec![text.to_owned()],
            bold: true,
            align: Align::Center,
            shaded: true,
        }
    }
}

/// Table density: the plan, with eight columns, is set smaller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TableSize {
    Normal,
    Small,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Table {
    /// Relative column widths (they need not add up to anything).
    pub widths: Vec<u32>,
    /// Repeated on every page the table runs onto; empty for none.
    pub header: Vec<Cell>,
    pub rows: Vec<Vec<Cell>>,
    pub size: TableSize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Block {
    /// Starts a new page in this orientation (a new section in DOCX). The
    /// first block is always one.
    Section(Orientation),
    Paragraph {
        spans: Vec<Span>,
        align: Align,
        size: TextSize,
    },
    /// A numbered section heading, kept with what follows it.
    Heading(String),
    /// Items with a marker ("1.", "–") and a hanging indent.
    List {
        markers: Vec<String>,
        items: Vec<String>,
    },
    Table(Table),
    /// Sign-off lines, one per role: «________ / ________ / дата».
    Signatures(Vec<String>),
}

/// The captions under the three blanks of a sign-off line.
pub(crate) const SIGNATURE_CAPTIONS: [&str; 3] = ["подпись", "расшифровка подписи", "дата"];

pub(crate) fn date(d: NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

pub(crate) fn or_dash(text: &str) -> String {
    if text.trim().is_empty() {
        "—".to_owned()
    } else {
        text.to_owned()
    }
}

/// The running label in the PDF's page footer.
pub(crate) fn footer_label(doc: &IomDocument) -> String {
    format!("ИОМ педагога: {}", doc.teacher)
}

/// «1 мероприятие», «3 мероприятия», «12 мероприятий».
fn activities_phrase(n: usize) -> String {
    let word = match (n % 10, n % 100) {
        (_, 11..=14) => "мероприятий",
        (1, _) => "мероприятие",
        (2..=4, _) => "мероприятия",
        _ => "мероприятий",
    };
    format!("{n} {word}")
}

pub(crate) fn blocks(doc: &IomDocument) -> Vec<Block> {
    let mut out = vec![Block::Section(Orientation::Portrait)];
    title(doc, &mut out);
    out.push(Block::Table(person(doc)));

    out.push(Block::Heading(
        "1. Результаты диагностики профессиональных дефицитов".into(),
    ));
    if doc.diagnostics.is_empty() {
        out.push(body(vec![Span::plain(
            "Диагностика профессиональных дефицитов не проводилась.",
        )]));
    } else {
        out.push(Block::Table(Table {
            widths: vec![47, 14, 20, 19],
            header: [
                "Компетенция",
                "Результат",
                "Уровень дефицита",
                "Дата диагностики",
            ]
            .map(Cell::header)
            .to_vec(),
            rows: doc
                .diagnostics
                .iter()
                .map(|d| {
                    vec![
                        Cell::text(&d.competence),
                        Cell::text(&d.percent).centered(),
                        Cell::text(&d.level).centered(),
                        Cell::text(date(d.taken_on)).centered(),
                    ]
                })
                .collect(),
            size: TableSize::Normal,
        }));
    }

    out.push(Block::Heading("2. Цель и задачи".into()));
    out.push(body(vec![
        Span::bold("Цель: "),
        Span::plain(or_dash(&doc.goal)),
    ]));
    if !doc.tasks.is_empty() {
        out.push(body(vec![Span::bold("Задачи:")]));
        out.push(Block::List {
            markers: (1..=doc.tasks.len()).map(|i| format!("{i}.")).collect(),
            items: doc.tasks.clone(),
        });
    }

    out.push(Block::Section(Orientation::Landscape));
    out.push(Block::Heading("3. План мероприятий".into()));
    if doc.activities.is_empty() {
        out.push(body(vec![Span::plain("Мероприятия не запланированы.")]));
    } else {
        out.push(Block::Table(plan(&doc.activities)));
        out.push(body(vec![Span::plain(totals(&doc.activities))]));
    }

    out.push(Block::Section(Orientation::Portrait));
    out.push(Block::Heading("4. Ожидаемые результаты".into()));
    if doc.expected_results.is_empty() {
        out.push(body(vec![Span::plain("—")]));
    } else {
        out.push(Block::List {
            markers: vec!["–".to_owned(); doc.expected_results.len()],
            items: doc.expected_results.clone(),
        });
    }
    if !doc.signatures.is_empty() {
        out.push(Block::Signatures(doc.signatures.clone()));
    }
    out
}

pub(crate) fn body(spans: Vec<Span>) -> Block {
    Block::Paragraph {
        spans,
        align: Align::Left,
        size: TextSize::Normal,
    }
}

pub(crate) fn centered(text: impl Into<String>, bold: bool, size: TextSize) -> Block {
    Block::Paragraph {
        spans: vec![Span {
            text: text.into(),
            bold,
        }],
        align: Align::Center,
        size,
    }
}

fn title(doc: &IomDocument, out: &mut Vec<Block>) {
    out.push(centered(&doc.region, false, TextSize::Normal));
    out.push(centered(
        "ИНДИВИДУАЛЬНЫЙ ОБРАЗОВАТЕЛЬНЫЙ МАРШРУТ",
        true,
        TextSize::Title,
    ));
    out.push(centered("педагогического работника", true, TextSize::Large));
    out.push(centered(
        format!(
            "на период с {} по {}",
            date(doc.period_from),
            date(doc.period_to)
        ),
        false,
        TextSize::Normal,
    ));
}

fn person(doc: &IomDocument) -> Table {
    let approved = match &doc.approved {
        Some((who, on)) => format!("{who}, {}", date(*on)),
        None => "—".to_owned(),
    };
    let rows = [
        ("Ф. И. О. педагога", doc.teacher.clone()),
        ("Должность", or_dash(doc.position.as_deref().unwrap_or(""))),
        ("Преподаваемые предметы", or_dash(&doc.subjects.join(", "))),
        ("Образовательная организация", or_dash(&doc.school)),
        ("Муниципальное образование", or_dash(&doc.municipality)),
        (
            "Период реализации маршрута",
            format!("{} – {}", date(doc.period_from), date(doc.period_to)),
        ),
        (
            "Наставник (региональный методист)",
            doc.methodist
                .clone()
                .unwrap_or_else(|| "не назначен".to_owned()),
        ),
        ("Статус маршрута", or_dash(&doc.status)),
        ("Маршрут утверждён", approved),
    ];
    Table {
        widths: vec![35, 65],
        header: Vec::new(),
        rows: rows
            .into_iter()
            .map(|(k, v)| vec![Cell::text(k).label(), Cell::text(v)])
            .collect(),
        size: TableSize::Normal,
    }
}

fn plan(activities: &[ActivityLine]) -> Table {
    let header = [
        "№",
        "Дефицит (компетенция)",
        "Тема / мероприятие",
        "Форма",
        "Организатор",
        "Сроки",
        "Форма отчётности",
        "Отметка о выполнении",
    ]
    .map(Cell::header)
    .to_vec();
    let rows = activities
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let mut form = vec![or_dash(&a.form)];
            if a.hours > 0 {
                form.push(format!("{} ч", a.hours));
            }
            form.push(
                if a.mandatory {
                    "обязательное"
                } else {
                    "по выбору"
                }
                .to_owned(),
            );
            // Several competences: one per line, each but the last ending
            // in a semicolon so they do not read as one.
            let deficit = if a.deficit.is_empty() {
                vec!["—".to_owned()]
            } else {
                let last = a.deficit.len() - 1;
                a.deficit
                    .iter()
                    .enumerate()
                    .map(|(i, c)| if i < last { format!("{c};") } else { c.clone() })
                    .collect()
            };
            vec![
                Cell::text(format!("{}", i + 1)).centered(),
                Cell::lines(deficit),
                Cell::text(&a.topic),
                Cell::lines(form),
                Cell::text(or_dash(&a.provider)),
                Cell::text(or_dash(&a.dates)),
                Cell::text(or_dash(&a.reporting_form)),
                Cell::text(&a.completion),
            ]
        })
        .collect();
    Table {
        widths: vec![4, 15, 22, 13, 13, 9, 12, 12],
        header,
        rows,
        size: TableSize::Small,
    }
}

fn totals(activities: &[ActivityLine]) -> String {
    let hours: u32 = activities.iter().map(|a| a.hours).sum();
    let mandatory: u32 = activities
        .iter()
        .filter(|a| a.mandatory)
        .map(|a| a.hours)
        .sum();
    format!(
        "Всего: {}, {hours} ч, из них в обязательных мероприятиях — {mandatory} ч.",
        activities_phrase(activities.len())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn russian_plural_of_activities() {
        let cases = [
            (1, "1 мероприятие"),
            (2, "2 мероприятия"),
            (4, "4 мероприятия"),
            (5, "5 мероприятий"),
            (11, "11 мероприятий"),
            (12, "12 мероприятий"),
            (21, "21 мероприятие"),
            (22, "22 мероприятия"),
            (40, "40 мероприятий"),
            (111, "111 мероприятий"),
        ];
        for (n, text) in cases {
            assert_eq!(activities_phrase(n), text);
        }
    }
}
