//! The «аналитическая справка» (analytical report) on targeted methodological
//! support: the indicators against their targets, the state of the plan of
//! measures («дорожная карта») and the lists of who is behind. A municipal
//! authority (ОМСУ) sends it to the regional institute, the institute to the
//! ministry; the roadmaps in the seeds ask for one after every monitoring.
//!
//! Like the route, it is built once as neutral [`content`] blocks and
//! typeset by both renderers. The caller passes display text (percents
//! already formatted, statuses in Russian); the only reading this module
//! does of it is counting the statuses for the conclusion, so the status
//! words of [`ReportIndicator::status`] are part of the contract.

use chrono::NaiveDate;

use crate::content::{
    Block, Cell, Orientation, Span, Table, TableSize, TextSize, body, centered, date, or_dash,
};
use crate::{docx, pdf};

/// Everything the report shows, as display text and counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnalyticalReport {
    /// «Муниципальное образование «Ершичский район»» or «Регион (все
    /// муниципалитеты)».
    pub scope: String,
    /// Who reports: «Муниципальный координатор: Иванова И. И.»; `None`
    /// omits the sign-off.
    pub prepared_by: Option<String>,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    /// The day the figures are taken on.
    pub as_of: NaiveDate,
    pub indicators: Vec<ReportIndicator>,
    /// Custom indicators a coordinator entered with evidence (may be empty).
    pub custom: Vec<ReportIndicator>,
    pub roadmap: ReportRoadmap,
    /// What holds targets back, one list per indicator that misses its
    /// target.
    pub behind: Vec<BehindList>,
}

/// One indicator's line (показатель).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportIndicator {
    /// «Доля учителей, освоивших ИОМ».
    pub title: String,
    pub numerator: u64,
    pub denominator: u64,
    /// «72,5», already formatted; `None` prints «нет данных».
    pub percent: Option<String>,
    /// «75»; `None` prints «—».
    pub target: Option<String>,
    /// One of [`STATUS_MET`], [`STATUS_MISSED`], [`STATUS_NO_DATA`],
    /// [`STATUS_NO_TARGET`]; the conclusion counts them.
    pub status: String,
    /// The forecast in words: «при текущем темпе цель будет достигнута к
    /// 31.08.2026»; may be empty.
    pub forecast: String,
    /// For a custom indicator, the evidence of its value (a document's name
    /// and number, a link); `None` for computed ones.
    pub evidence: Option<String>,
}

/// The status of an indicator whose target is met.
pub const STATUS_MET: &str = "достигнуто";
/// The status of an indicator below its target.
pub const STATUS_MISSED: &str = "не достигнуто";
/// The status of an indicator with a target but no value (denominator 0).
pub const STATUS_NO_DATA: &str = "нет данных";
/// The status of an indicator without a target.
pub const STATUS_NO_TARGET: &str = "цель не установлена";

/// The plan of measures («дорожная карта»): items per status, and the
/// overdue ones. The four counts are disjoint.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportRoadmap {
    pub planned: usize,
    pub in_progress: usize,
    pub done: usize,
    pub overdue: usize,
    pub overdue_items: Vec<RoadmapLine>,
}

/// One item of the plan of measures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoadmapLine {
    /// The item's number in the roadmap: «3.4».
    pub number: String,
    pub title: String,
    pub responsible: Option<String>,
    /// The due words as the roadmap has them: «январь-май 2026».
    pub due_text: String,
}

/// Who is behind on one indicator (перечень отстающих).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BehindList {
    /// «Доля учителей, освоивших ИОМ: ниже цели».
    pub title: String,
    /// «Муниципалитет», «Значение, %», «Не хватает до цели».
    pub columns: [String; 3],
    pub rows: Vec<[String; 3]>,
}

/// The report as a Word document (Office Open XML, A4 portrait).
pub fn report_docx(r: &AnalyticalReport) -> Vec<u8> {
    docx::render(&blocks(r))
}

/// The report as a PDF (A4 portrait) with DejaVu Sans embedded as a
/// subset; long tables run over pages with their header repeated.
pub fn report_pdf(r: &AnalyticalReport) -> Vec<u8> {
    let layout = pdf::layout(&blocks(r), &footer_label(r));
    pdf::render(&layout, "Аналитическая справка")
}

/// The running label in the PDF's page footer.
pub(crate) fn footer_label(r: &AnalyticalReport) -> String {
    format!("Аналитическая справка: {}", r.scope)
}

/// Russian noun agreement with a number: `forms` are for 1, 2–4 and 5+
/// («мероприятие», «мероприятия», «мероприятий»).
fn plural(n: usize, forms: [&str; 3]) -> &str {
    match (n % 10, n % 100) {
        (_, 11..=14) => forms[2],
        (1, _) => forms[0],
        (2..=4, _) => forms[1],
        _ => forms[2],
    }
}

/// A count the Russian way: digits grouped by three with a no-break space
/// from five digits on («12 345»), so that a group never wraps alone.
fn number(n: u64) -> String {
    let digits = n.to_string();
    if digits.len() < 5 {
        return digits;
    }
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{a0}');
        }
        out.push(c);
    }
    out
}

/// How the indicators stand against their targets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Tally {
    /// Indicators with a target.
    set: usize,
    met: usize,
    missed: usize,
    no_data: usize,
}

fn is(status: &str, word: &str) -> bool {
    status.trim().to_lowercase() == word
}

fn tally<'a>(lines: impl Iterator<Item = &'a ReportIndicator>) -> Tally {
    let mut t = Tally::default();
    for l in lines {
        if l.target.is_some() {
            t.set += 1;
        }
        if is(&l.status, STATUS_MET) {
            t.met += 1;
        } else if is(&l.status, STATUS_MISSED) {
            t.missed += 1;
        } else if is(&l.status, STATUS_NO_DATA) {
            t.no_data += 1;
        }
    }
    t
}

pub(crate) fn blocks(r: &AnalyticalReport) -> Vec<Block> {
    let mut out = vec![Block::Section(Orientation::Portrait)];
    out.push(centered("АНАЛИТИЧЕСКАЯ СПРАВКА", true, TextSize::Title));
    out.push(centered(
        "о реализации адресной методической поддержки",
        true,
        TextSize::Large,
    ));
    out.push(centered(&r.scope, false, TextSize::Normal));
    out.push(centered(
        format!(
            "за период с {} по {}, по состоянию на {}",
            date(r.period_from),
            date(r.period_to),
            date(r.as_of)
        ),
        false,
        TextSize::Normal,
    ));
    out.push(body(vec![Span::plain(format!(
        "Значения показателей приведены по состоянию на {}. Значение показателя — доля \
         числителя в знаменателе, %; «нет данных» — знаменатель равен нулю.",
        date(r.as_of)
    ))]));

    indicators(r, &mut out);
    roadmap(&r.roadmap, &mut out);
    behind(r, &mut out);

    out.push(Block::Heading("4. Выводы".into()));
    out.push(body(vec![Span::plain(conclusion(r))]));
    if let Some(who) = &r.prepared_by {
        out.push(Block::Signatures(vec![who.clone()]));
    }
    out
}

fn indicators(r: &AnalyticalReport, out: &mut Vec<Block>) {
    out.push(Block::Heading(
        "1. Показатели адресной методической поддержки".into(),
    ));
    if r.indicators.is_empty() && r.custom.is_empty() {
        out.push(body(vec![Span::plain("Показатели не рассчитывались.")]));
        return;
    }
    // Computed and entered values stand in separate tables: the entered
    // ones carry their evidence, and a reader weighs them differently.
    if r.custom.is_empty() {
        out.push(Block::Table(indicator_table(&r.indicators)));
        return;
    }
    out.push(Block::Heading(
        "1.1. Показатели, рассчитанные по данным платформы".into(),
    ));
    if r.indicators.is_empty() {
        out.push(body(vec![Span::plain("Показатели не рассчитывались.")]));
    } else {
        out.push(Block::Table(indicator_table(&r.indicators)));
    }
    out.push(Block::Heading(
        "1.2. Показатели, значения которых внесены координаторами".into(),
    ));
    out.push(Block::Table(indicator_table(&r.custom)));
}

fn indicator_table(lines: &[ReportIndicator]) -> Table {
    let header = [
        "Показатель",
        "Числитель",
        "Знаменатель",
        "Значение, %",
        "Целевое значение, %",
        "Статус",
        "Прогноз",
    ]
    .map(Cell::header)
    .to_vec();
    let rows = lines
        .iter()
        .map(|l| {
            let mut title = vec![l.title.clone()];
            if let Some(evidence) = &l.evidence {
                title.push(format!("Основание: {}", or_dash(evidence)));
            }
            vec![
                Cell::lines(title),
                Cell::text(number(l.numerator)).centered(),
                Cell::text(number(l.denominator)).centered(),
                Cell::text(l.percent.as_deref().unwrap_or(STATUS_NO_DATA)).centered(),
                Cell::text(or_dash(l.target.as_deref().unwrap_or(""))).centered(),
                Cell::text(or_dash(&l.status)).centered(),
                Cell::text(or_dash(&l.forecast)),
            ]
        })
        .collect();
    // The narrow columns are as wide as their longest word needs (in DejaVu
    // Sans 8 pt for the PDF, in Times New Roman 10 pt for Word), so no word
    // is cut; the indicator and the forecast share the rest.
    Table {
        widths: vec![230, 122, 142, 112, 112, 128, 154],
        header,
        rows,
        size: TableSize::Small,
    }
}

fn roadmap(m: &ReportRoadmap, out: &mut Vec<Block>) {
    out.push(Block::Heading(
        "2. Реализация плана мероприятий («дорожной карты»)".into(),
    ));
    let total = m.planned + m.in_progress + m.done + m.overdue;
    if total == 0 {
        out.push(body(vec![Span::plain(
            "Мероприятия плана («дорожной карты») не загружены.",
        )]));
        return;
    }
    let mut text = format!(
        "В плане мероприятий («дорожной карте») {total} {}: выполнено — {}, выполняется — {}, \
         запланировано — {}, просрочено — {}.",
        plural(total, ["мероприятие", "мероприятия", "мероприятий"]),
        m.done,
        m.in_progress,
        m.planned,
        m.overdue,
    );
    if m.overdue == 0 {
        text.push_str(" Просроченных мероприятий нет.");
    }
    out.push(body(vec![Span::plain(text)]));
    if m.overdue_items.is_empty() {
        return;
    }
    out.push(Block::Heading("2.1. Просроченные мероприятия".into()));
    out.push(Block::Table(Table {
        widths: vec![9, 51, 22, 18],
        header: ["№ п/п", "Мероприятие", "Ответственный", "Срок"]
            .map(Cell::header)
            .to_vec(),
        rows: m
            .overdue_items
            .iter()
            .map(|i| {
                vec![
                    Cell::text(or_dash(&i.number)).centered(),
                    Cell::text(&i.title),
                    Cell::text(or_dash(i.responsible.as_deref().unwrap_or(""))),
                    Cell::text(or_dash(&i.due_text)),
                ]
            })
            .collect(),
        size: TableSize::Normal,
    }));
}

fn behind(r: &AnalyticalReport, out: &mut Vec<Block>) {
    out.push(Block::Heading("3. Показатели ниже целевых значений".into()));
    if r.behind.is_empty() {
        let t = tally(r.indicators.iter().chain(&r.custom));
        // «All met» only when it is true: nothing missed, nothing unknown.
        let text = if t.set == 0 {
            "Целевые значения показателей не установлены."
        } else if t.missed == 0 && t.no_data == 0 {
            "Все целевые значения достигнуты."
        } else if t.missed == 0 {
            "Целевые значения, по которым есть данные, достигнуты."
        } else {
            "Перечни отстающих не сформированы."
        };
        out.push(body(vec![Span::plain(text)]));
        return;
    }
    for (i, list) in r.behind.iter().enumerate() {
        out.push(Block::Heading(format!("3.{}. {}", i + 1, list.title)));
        if list.rows.is_empty() {
            out.push(body(vec![Span::plain("Перечень пуст.")]));
            continue;
        }
        let mut header = vec![Cell::header("№")];
        header.extend(list.columns.iter().map(|c| Cell::header(c)));
        out.push(Block::Table(Table {
            widths: vec![7, 47, 23, 23],
            header,
            rows: list
                .rows
                .iter()
                .enumerate()
                .map(|(n, row)| {
                    vec![
                        Cell::text((n + 1).to_string()).centered(),
                        Cell::text(or_dash(&row[0])),
                        Cell::text(or_dash(&row[1])).centered(),
                        Cell::text(or_dash(&row[2])).centered(),
                    ]
                })
                .collect(),
            size: TableSize::Normal,
        }));
    }
}

/// The closing paragraph: targets met of those set, and the roadmap's
/// overdue items.
fn conclusion(r: &AnalyticalReport) -> String {
    let t = tally(r.indicators.iter().chain(&r.custom));
    let mut parts = Vec::new();
    if t.set == 0 {
        parts.push("Целевые значения показателей не установлены.".to_owned());
    } else {
        let mut s = format!(
            "Из {} {} достигнуто {}",
            t.set,
            plural(
                t.set,
                [
                    "установленного целевого значения",
                    "установленных целевых значений",
                    "установленных целевых значений",
                ],
            ),
            t.met,
        );
        if t.missed > 0 {
            s.push_str(&format!(", не достигнуто {}", t.missed));
        }
        if t.no_data > 0 {
            s.push_str(&format!(
                ", по {} {} нет данных",
                t.no_data,
                plural(t.no_data, ["показателю", "показателям", "показателям"])
            ));
        }
        s.push('.');
        parts.push(s);
        let missed: Vec<String> = r
            .indicators
            .iter()
            .chain(&r.custom)
            .filter(|l| is(&l.status, STATUS_MISSED))
            .map(|l| l.title.trim().to_owned())
            .collect();
        if !missed.is_empty() {
            parts.push(format!(
                "Ниже целевого значения: {}.",
                missed.join("; ").trim_end_matches('.')
            ));
        }
    }
    let m = &r.roadmap;
    let total = m.planned + m.in_progress + m.done + m.overdue;
    if total == 0 {
        parts.push("План мероприятий («дорожная карта») не загружен.".to_owned());
    } else if m.overdue == 0 {
        parts.push(format!(
            "Просроченных мероприятий плана («дорожной карты») нет; выполнено {} из {total}.",
            m.done
        ));
    } else {
        parts.push(format!(
            "Просрочено {} {} плана («дорожной карты») из {total}, выполнено {}.",
            m.overdue,
            plural(m.overdue, ["мероприятие", "мероприятия", "мероприятий"]),
            m.done
        ));
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_group_from_five_digits() {
        assert_eq!(number(0), "0");
        assert_eq!(number(9999), "9999");
        assert_eq!(number(10_000), "10\u{a0}000");
        assert_eq!(number(152_340), "152\u{a0}340");
        assert_eq!(number(1_234_567), "1\u{a0}234\u{a0}567");
    }

    #[test]
    fn plural_agrees_with_the_number() {
        let forms = ["мероприятие", "мероприятия", "мероприятий"];
        for (n, word) in [
            (1, "мероприятие"),
            (2, "мероприятия"),
            (5, "мероприятий"),
            (11, "мероприятий"),
            (14, "мероприятий"),
            (21, "мероприятие"),
            (23, "мероприятия"),
            (111, "мероприятий"),
            (0, "мероприятий"),
        ] {
            assert_eq!(plural(n, forms), word, "{n}");
        }
    }

    #[test]
    fn statuses_are_counted_as_written_by_the_caller() {
        let line = |status: &str, target: Option<&str>| ReportIndicator {
            title: String::new(),
            numerator: 0,
            denominator: 0,
            percent: None,
            target: target.map(str::to_owned),
            status: status.to_owned(),
            forecast: String::new(),
            evidence: None,
        };
        let lines = [
            line("достигнуто", Some("75")),
            line(" Не достигнуто ", Some("50")),
            line("нет данных", Some("20")),
            line("цель не установлена", None),
        ];
        assert_eq!(
            tally(lines.iter()),
            Tally {
                set: 3,
                met: 1,
                missed: 1,
                no_data: 1
            }
        );
    }
}
