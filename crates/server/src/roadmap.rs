//! The region's roadmap (дорожная карта) on the server side: `import
//! roadmap` reads the region's own table (`imports::roadmap`), reads each
//! due cell into control points (`domain::roadmap`) and stores the items;
//! `report roadmap` writes them with their status as JSON, CSV or XLSX.

use std::path::Path;

use chrono::NaiveDate;
use domain::roadmap::{ControlPoint, Due, ItemStatus, Recurrence, status};
use domain::{Period, RegionAuthority};
use serde_json::{Value, json};
use store::{NewRoadmapItem, RoadmapItemRow, RoadmapPoint, Store};

use crate::auth::now_millis;
use crate::cli::{CliError, CliResult, refused};
use crate::import::{Report, spinner};

/// Reads `FROM..TO` (`2025-09-01..2026-08-31`).
pub fn parse_period(text: &str) -> Result<Period, String> {
    let bad = || {
        format!(
            "--period: «{text}» — укажите период дорожной карты как ГГГГ-ММ-ДД..ГГГГ-ММ-ДД, например 2025-09-01..2026-08-31"
        )
    };
    let (from, to) = text.trim().split_once("..").ok_or_else(bad)?;
    let day = |s: &str| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| bad());
    let (from, to) = (day(from)?, day(to)?);
    if to < from {
        return Err(format!("--period: конец периода {to} раньше начала {from}"));
    }
    Ok(Period { from, to })
}

/// `marshrut import roadmap FILE --period FROM..TO`: every item imports; a
/// due cell that cannot be read imports as «без срока» with a warning
/// naming the row and the words (never a guess).
pub async fn import(
    store: &dyn Store,
    file: &Path,
    period: Option<&str>,
    dry_run: bool,
    progress: bool,
) -> CliResult<Report> {
    let Some(period) = period else {
        return refused(
            "import roadmap: укажите период дорожной карты: --period 2025-09-01..2026-08-31",
        );
    };
    let period = parse_period(period).map_err(CliError::Refused)?;
    let bar = spinner(progress, "Чтение дорожной карты…");
    let read = imports::roadmap::read_roadmap(file);
    bar.finish_and_clear();
    let read = read.map_err(|e| CliError::Refused(format!("{e}\nИмпорт не выполнен.")))?;
    let file_name = file.file_name().map_or_else(
        || file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let mut warnings = read.warnings.clone();
    let mut items = Vec::with_capacity(read.items.len());
    // A file may hold two tables numbered alike (a region's and a
    // municipality's appendix): a repeated number is kept apart as
    // «1.1 (2)», the same way on every import, and said.
    let mut seen: std::collections::HashMap<&str, u32> = std::collections::HashMap::new();
    for row in &read.items {
        let n = seen.entry(row.number.as_str()).or_default();
        *n += 1;
        let number = if *n == 1 {
            row.number.clone()
        } else {
            let number = format!("{} ({n})", row.number);
            warnings.push(format!(
                "{file_name}:{}: пункт {} встречается в файле ещё раз — сохранён как «{number}»",
                row.line, row.number
            ));
            number
        };
        let (points, recurrence, unreadable) = match row.due(period) {
            Some(Ok(due)) => (
                due.points
                    .iter()
                    .map(|p| RoadmapPoint {
                        from: p.from,
                        to: p.to,
                    })
                    .collect(),
                due.recurrence.map(|r| r.as_str().to_string()),
                false,
            ),
            Some(Err(words)) => {
                let w = format!(
                    "{file_name}:{}: пункт {}: срок «{}» не распознан ({words}) — импортирован как «без срока»",
                    row.line, row.number, row.due_text
                );
                if !warnings.iter().any(|x| x.contains(&row.due_text)) {
                    warnings.push(w);
                }
                (Vec::new(), None, true)
            }
            None => (Vec::new(), None, true),
        };
        items.push(NewRoadmapItem {
            number,
            direction: row.direction.clone(),
            title: row.title.clone(),
            audience: row.audience.clone(),
            description: row.description.clone(),
            due_text: row.due_text.clone(),
            control_points: points,
            recurrence,
            unreadable,
            responsible: row.responsible.clone(),
            level: row.level.clone(),
            form: row.form.clone(),
        });
    }
    let mut report = Report {
        kind: "roadmap".into(),
        file: file_name,
        dry_run,
        created: items.len(),
        updated: 0,
        unchanged: 0,
        invitations: 0,
        invitations_file: None,
        warnings,
    };
    if dry_run {
        return Ok(report);
    }
    let bar = spinner(progress, "Запись в базу данных…");
    let applied = store
        .apply_roadmap(
            &RegionAuthority::command_line(),
            period,
            items,
            now_millis(),
        )
        .await;
    bar.finish_and_clear();
    let counts = applied.map_err(|e| match e {
        store::StoreError::Conflict(c) => {
            CliError::Refused(format!("Импорт не выполнен, ничего не записано: {c}"))
        }
        other => CliError::Internal(other.into()),
    })?;
    report.created = counts.created as usize;
    report.updated = counts.updated as usize;
    report.unchanged = counts.unchanged as usize;
    Ok(report)
}

/// An item's due as the domain reads it (for its status).
fn due_of(row: &RoadmapItemRow) -> Option<Due> {
    if row.unreadable || row.control_points.is_empty() {
        return None;
    }
    Some(Due {
        points: row
            .control_points
            .iter()
            .map(|p| ControlPoint {
                from: p.from,
                to: p.to,
            })
            .collect(),
        recurrence: row.recurrence.as_deref().and_then(Recurrence::parse),
    })
}

/// An item's status on `today` (`domain::roadmap::status`).
pub fn item_status(row: &RoadmapItemRow, today: NaiveDate) -> ItemStatus {
    status(due_of(row).as_ref(), row.done(), today)
}

/// `report roadmap --format json` as `spec/cli.md` writes it; items whose
/// due could not be read are also listed under `unreadable`.
pub fn roadmap_json(rows: &[RoadmapItemRow], today: NaiveDate) -> Value {
    json!({
        "items": rows.iter().map(|r| json!({
            "number": r.number,
            "direction": r.direction,
            "title": r.title,
            "responsible": r.responsible,
            "due_text": r.due_text,
            "control_points": r.control_points.iter().map(|p| json!({
                "from": p.from.map(iso_day),
                "to": iso_day(p.to),
            })).collect::<Vec<_>>(),
            "recurrence": r.recurrence,
            "status": item_status(r, today).as_str(),
            "evidence": r.evidence,
        })).collect::<Vec<_>>(),
        "unreadable": rows.iter().filter(|r| r.unreadable).map(|r| json!({
            "number": r.number,
            "due_text": r.due_text,
        })).collect::<Vec<_>>(),
    })
}

/// «01.01.2026 – 31.01.2026; до 15.04.2026».
pub fn points_text(r: &RoadmapItemRow) -> String {
    if r.unreadable {
        return "без срока".into();
    }
    r.control_points
        .iter()
        .map(|p| match p.from {
            Some(f) => format!("{} – {}", f.format("%d.%m.%Y"), p.to.format("%d.%m.%Y")),
            None => format!("до {}", p.to.format("%d.%m.%Y")),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// «ежемесячно» / «ежеквартально» for a recurring item.
pub fn recurrence_title(r: &RoadmapItemRow) -> Option<&'static str> {
    r.recurrence
        .as_deref()
        .and_then(Recurrence::parse)
        .map(Recurrence::title)
}

/// The columns of the CSV and XLSX reports, in Russian as regions read them.
const COLUMNS: [&str; 9] = [
    "№",
    "Направление",
    "Мероприятие",
    "Ответственный",
    "Сроки",
    "Контрольные точки",
    "Периодичность",
    "Статус",
    "Подтверждение",
];

fn report_rows(rows: &[RoadmapItemRow], today: NaiveDate) -> Vec<[String; 9]> {
    rows.iter()
        .map(|r| {
            [
                r.number.clone(),
                r.direction.clone().unwrap_or_default(),
                r.title.clone(),
                r.responsible.clone().unwrap_or_default(),
                r.due_text.clone(),
                points_text(r),
                recurrence_title(r).unwrap_or_default().to_string(),
                item_status(r, today).title().to_string(),
                r.evidence.clone().unwrap_or_default(),
            ]
        })
        .collect()
}

/// A report as CSV the way Excel opens it: UTF-8 with a BOM, `;` between
/// the cells, a header row first.
pub fn excel_csv<R: AsRef<[String]>>(columns: &[&str], rows: &[R]) -> Vec<u8> {
    let mut out = Vec::from("\u{feff}".as_bytes());
    {
        let mut w = csv::WriterBuilder::new()
            .delimiter(b';')
            .from_writer(&mut out);
        w.write_record(columns).expect("writing to memory");
        for row in rows {
            w.write_record(row.as_ref()).expect("writing to memory");
        }
        w.flush().expect("writing to memory");
    }
    out
}

/// A day as reports write it (`YYYY-MM-DD`).
pub fn iso_day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// The report as CSV (UTF-8 with a BOM and `;`, as Excel opens it).
pub fn roadmap_csv(rows: &[RoadmapItemRow], today: NaiveDate) -> Vec<u8> {
    excel_csv(&COLUMNS, &report_rows(rows, today))
}

/// The report as an XLSX workbook: one sheet, a bold frozen header, overdue
/// items in red.
pub fn roadmap_xlsx(rows: &[RoadmapItemRow], today: NaiveDate) -> Result<Vec<u8>, String> {
    use rust_xlsxwriter::{Color, Format, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet
        .set_name("Дорожная карта")
        .map_err(|e| e.to_string())?;
    let bold = Format::new().set_bold().set_text_wrap();
    let wrap = Format::new().set_text_wrap();
    let overdue = Format::new()
        .set_text_wrap()
        .set_font_color(Color::RGB(0xB0_00_20))
        .set_bold();
    for (c, title) in COLUMNS.iter().enumerate() {
        sheet
            .write_string_with_format(0, c as u16, *title, &bold)
            .map_err(|e| e.to_string())?;
    }
    let widths = [6.0, 24.0, 60.0, 28.0, 18.0, 26.0, 14.0, 14.0, 30.0];
    for (c, w) in widths.iter().enumerate() {
        sheet
            .set_column_width(c as u16, *w)
            .map_err(|e| e.to_string())?;
    }
    sheet.set_freeze_panes(1, 0).map_err(|e| e.to_string())?;
    for (i, (row, item)) in report_rows(rows, today).iter().zip(rows).enumerate() {
        let late = item_status(item, today) == ItemStatus::Overdue;
        for (c, value) in row.iter().enumerate() {
            let format = if late && c == 7 { &overdue } else { &wrap };
            sheet
                .write_string_with_format(i as u32 + 1, c as u16, value, format)
                .map_err(|e| e.to_string())?;
        }
    }
    book.save_to_buffer().map_err(|e| e.to_string())
}
