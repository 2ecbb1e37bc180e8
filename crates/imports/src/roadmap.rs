//! Roadmaps («дорожные карты», `imports.md`, «Roadmap»): the table of a
//! region's or a municipality's plan read into items, as regions write them.
//!
//! Three layouts are read:
//! - a sheet: CSV (`;`, `,` or tab; UTF-8 or Windows-1251) or XLSX (first
//!   sheet);
//! - text pasted from Word: one row a line, cells separated by tabs, the
//!   cells' own markup (`<p>`, `<ul>`, `<li>`, `<i>`…) left in;
//! - text extracted from a PDF: no tabs at all, each cell's lines in turn.
//!
//! In a sheet or pasted text the table starts at the header row (columns
//! are known by the start of their header; everything above — the order's
//! preamble — is skipped) and a repeat of it after a page break is skipped.
//! A numbered row whose due cell is empty and whose next numbered row is
//! one of its sub-items (`1` then `1.1`) is a direction heading, and so is
//! a row with text only in its «№» cell (a merged row across the table); a
//! row with no number continues the row above (a row split by a page
//! break: each cell's text is added to the cell above). A numbered row with
//! no due date and no sub-items is an item «без срока», with a warning. In
//! pasted text a line with no tab ends the table (the text between two
//! appendices), and a row one or two cells short has lost its merged
//! «Уровень управления» (or «Направление») cell; an empty level cell takes
//! the level above within the same direction (Word's vertically merged
//! cell).
//!
//! In text from a PDF the header is found as lines made only of header
//! words starting with «№»; an item starts at a line beginning with a number
//! with a dot (`1.`, `1.1`, `1.14.`) greater than the previous one (a
//! smaller one, or a line starting with «Приложение», ends the table), and
//! runs to the next one. Its first due expression ([`domain::roadmap::find_due`])
//! splits it: the text before is the title, after is the responsible. Lines
//! after a repeated header that continue an item whose due was already found
//! before the page break are its title's continuation (the title is the
//! column that wraps most).
//!
//! Nothing here needs the roadmap's period: each item keeps its `due_text`,
//! and [`RoadmapRow::due`] reads it against a period. The due words are
//! checked here, though ([`domain::roadmap::check_due`]), so that every
//! unreadable cell is a warning naming its row.

use std::fs;
use std::path::Path;

use domain::Period;
use domain::roadmap::{Due, check_due, find_due, parse_due, plain_text};

use crate::read;

/// One item of a roadmap, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoadmapRow {
    /// The row (sheet, CSV record) or line (text) where the item starts.
    pub line: usize,
    /// The item's number without a trailing dot: «1.1», «12».
    pub number: String,
    /// The direction heading the item is under, or its «Направление» cell.
    pub direction: Option<String>,
    pub title: String,
    pub audience: Option<String>,
    pub description: Option<String>,
    /// The due cell as written (markup stripped); empty when the row has
    /// none.
    pub due_text: String,
    pub responsible: Option<String>,
    /// «Уровень управления».
    pub level: Option<String>,
    /// «Форма».
    pub form: Option<String>,
}

impl RoadmapRow {
    /// The due cell read against the roadmap's period; `None` when the row
    /// has no due text.
    pub fn due(&self, period: Period) -> Option<Result<Due, String>> {
        (!self.due_text.is_empty()).then(|| parse_due(&self.due_text, period))
    }
}

/// A roadmap file, read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoadmapFile {
    pub items: Vec<RoadmapRow>,
    /// In Russian, each naming its row: due cells that are empty or cannot
    /// be read (the items import «без срока»), rows that could not be
    /// placed.
    pub warnings: Vec<String>,
}

/// Reads a roadmap from CSV, XLSX (first sheet) or text (tab-separated, as
/// pasted from Word, or text extracted from a PDF). `Err` (Russian, what
/// to fix) only when the file cannot be read or holds no table at all.
pub fn read_roadmap(path: &Path) -> Result<RoadmapFile, String> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let bytes = fs::read(path)
        .map_err(|e| format!("{}: не удалось прочитать файл: {e}", path.display()))?;
    read_roadmap_bytes(&name, &bytes)
}

/// [`read_roadmap`] for a file already in memory (an upload); `name` tells
/// the format by its extension when the bytes do not.
pub fn read_roadmap_bytes(name: &str, bytes: &[u8]) -> Result<RoadmapFile, String> {
    let lower = name.to_lowercase();
    let sheet = bytes.starts_with(b"PK\x03\x04")
        || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0])
        || lower.ends_with(".xlsx")
        || lower.ends_with(".xls");
    if sheet {
        let table = read::read_table(name, bytes, &|_| false).map_err(|e| e.to_string())?;
        let rows = std::iter::once(read::Record {
            row: table.header_row,
            cells: table.headers,
        })
        .chain(table.records)
        .map(|r| Line {
            line: r.row,
            cells: r.cells,
            breaks: false,
        })
        .collect::<Vec<_>>();
        return read_grid(name, &rows, Layout::Sheet).ok_or_else(|| no_table(name));
    }
    read_roadmap_text(name, &decode(bytes))
}

/// Reads a roadmap from text: tab-separated as pasted from Word, text
/// extracted from a PDF, or CSV (a name ending in `.csv` is read as CSV
/// first). `Err` (Russian, what to fix) only when no table is found.
pub fn read_roadmap_text(name: &str, text: &str) -> Result<RoadmapFile, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let csv_first = name.to_lowercase().ends_with(".csv");
    if csv_first && let Some(file) = read_csv(name, text) {
        return Ok(file);
    }
    let lines: Vec<Line> = text
        .lines()
        .enumerate()
        .map(|(i, l)| Line {
            line: i + 1,
            cells: l.split('\t').map(str::to_string).collect(),
            breaks: !l.contains('\t'),
        })
        .collect();
    if let Some(file) = read_grid(name, &lines, Layout::Text) {
        return Ok(file);
    }
    if let Some(file) = read_pdf_text(text) {
        return Ok(file);
    }
    if !csv_first && let Some(file) = read_csv(name, text) {
        return Ok(file);
    }
    Err(no_table(name))
}

fn no_table(name: &str) -> String {
    format!(
        "{name}: таблица дорожной карты не найдена — нужна строка заголовков со столбцами \
         «№», «Мероприятие» (или «Наименование мероприятия») и «Сроки»; текст над ней \
         (преамбула приказа) пропускается"
    )
}

fn decode(bytes: &[u8]) -> String {
    if let Some((enc, _)) = encoding_rs::Encoding::for_bom(bytes)
        && enc != encoding_rs::UTF_8
    {
        return enc.decode_with_bom_removal(bytes).0.into_owned();
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::WINDOWS_1251
            .decode_without_bom_handling(bytes)
            .0
            .into_owned(),
    }
}

// ---- columns ------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Number,
    Title,
    Audience,
    Description,
    Due,
    Responsible,
    Direction,
    Level,
    Form,
}

const COLS: usize = 9;

impl Col {
    fn index(self) -> usize {
        self as usize
    }
}

/// A header cell's column, by the start of the header (or its English
/// name).
fn column_of(header: &str) -> Option<Col> {
    let h = plain_text(header).to_lowercase().replace('ё', "е");
    let h = h.trim_matches(|c: char| !(c.is_alphanumeric() || c == '№'));
    let starts = |p: &[&str]| p.iter().any(|p| h.starts_with(p));
    Some(
        if h.starts_with('№') || starts(&["n п/п", "номер"]) || h == "n" || h == "number" {
            Col::Number
        } else if starts(&["мероприят", "наименование"]) || h == "title" {
            Col::Title
        } else if starts(&["целевая аудитория"]) || h == "audience" {
            Col::Audience
        } else if starts(&["описание"]) || h == "description" {
            Col::Description
        } else if starts(&["срок"]) || h == "due" {
            Col::Due
        } else if starts(&["ответственн"]) || h == "responsible" {
            Col::Responsible
        } else if starts(&["направлени"]) || h == "direction" {
            Col::Direction
        } else if starts(&["уровень управления"]) || h == "level" {
            Col::Level
        } else if starts(&["форма"]) || h == "form" {
            Col::Form
        } else {
            return None;
        },
    )
}

/// The columns of a header row: each cell's column (a column heads one cell
/// only, the first). `None` unless it has a title and a due column.
fn header_of(cells: &[String]) -> Option<Vec<Option<Col>>> {
    let mut seen = [false; COLS];
    let cols: Vec<Option<Col>> = cells
        .iter()
        .map(|c| {
            let col = column_of(c)?;
            (!std::mem::replace(&mut seen[col.index()], true)).then_some(col)
        })
        .collect();
    (seen[Col::Title.index()] && seen[Col::Due.index()]).then_some(cols)
}

// ---- sheets and pasted text -----------------------------------------------------

/// One row of a sheet or one line of text.
struct Line {
    line: usize,
    cells: Vec<String>,
    /// A line of text with no tab: not a table row, so the table ends.
    breaks: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    Sheet,
    Text,
}

/// A row of the table, continuations merged in.
#[derive(Debug, Clone)]
struct Raw {
    line: usize,
    /// Which table of the file (a file may hold several appendices).
    table: usize,
    /// `None` for a heading row without a number.
    number: Option<String>,
    fields: [String; COLS],
}

impl Raw {
    fn get(&self, col: Col) -> &str {
        &self.fields[col.index()]
    }

    /// The text of every cell but the number, for a heading.
    fn text(&self) -> String {
        self.fields
            .iter()
            .enumerate()
            .filter(|(i, f)| *i != Col::Number.index() && !f.is_empty())
            .map(|(_, f)| f.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// An item number («1», «1.1», «3.5.»), without its trailing dot.
fn item_number(cell: &str) -> Option<String> {
    let n = cell.trim().trim_end_matches('.');
    let ok = !n.is_empty()
        && n.split('.')
            .all(|p| !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()));
    ok.then(|| n.to_string())
}

/// Adds a continuation to a cell: after a space, except that a word
/// hyphenated at the line's end goes on without one («психолого-» +
/// «педагогической»).
fn append(to: &mut String, more: &str) {
    if more.is_empty() {
        return;
    }
    let mut tail = to.chars().rev();
    let hyphenated = tail.next() == Some('-')
        && tail.next().is_some_and(char::is_alphabetic)
        && more.starts_with(char::is_lowercase);
    if !to.is_empty() && !hyphenated {
        to.push(' ');
    }
    to.push_str(more);
}

/// The table of a sheet or of pasted text; `None` when there is no header
/// row.
fn read_grid(name: &str, lines: &[Line], layout: Layout) -> Option<RoadmapFile> {
    let mut raws: Vec<Raw> = Vec::new();
    let mut warnings = Vec::new();
    let mut header: Option<Vec<Option<Col>>> = None;
    let mut table = 0;
    let mut in_table = false;
    let mut ordinal = 0;
    for row in lines {
        let cells: Vec<String> = row.cells.iter().map(|c| plain_text(c)).collect();
        if let Some(cols) = header_of(&cells) {
            if header.is_none() {
                for (cell, col) in cells.iter().zip(&cols) {
                    if col.is_none() && !cell.is_empty() {
                        warnings.push(format!(
                            "строка {}: столбец «{cell}» не распознан — пропущен",
                            row.line
                        ));
                    }
                }
            }
            if !in_table {
                table += 1;
            }
            in_table = true;
            header = Some(cols);
            continue;
        }
        let Some(cols) = header.as_ref().filter(|_| in_table) else {
            continue;
        };
        if cells.iter().all(String::is_empty) {
            continue;
        }
        if row.breaks {
            in_table = false;
            continue;
        }
        let cells = align(cells, cols, layout, row.line, &mut warnings);
        let mut fields: [String; COLS] = Default::default();
        for (cell, col) in cells.into_iter().zip(cols) {
            if let Some(col) = col {
                fields[col.index()] = cell;
            }
        }
        let raw = |number, fields| Raw {
            line: row.line,
            table,
            number,
            fields,
        };
        if !cols.contains(&Some(Col::Number)) {
            // No «№» column: every row with a due or more than one cell is an
            // item, numbered in order.
            let filled = fields.iter().filter(|f| !f.is_empty()).count();
            if filled <= 1 && fields[Col::Due.index()].is_empty() {
                raws.push(raw(None, fields));
            } else {
                if ordinal == 0 {
                    warnings.push(format!(
                        "{name}: нет столбца «№» — пункты пронумерованы по порядку"
                    ));
                }
                ordinal += 1;
                raws.push(raw(Some(ordinal.to_string()), fields));
            }
            continue;
        }
        let cell = fields[Col::Number.index()].clone();
        let others = fields
            .iter()
            .enumerate()
            .any(|(i, f)| i != Col::Number.index() && !f.is_empty());
        if let Some(number) = item_number(&cell) {
            raws.push(raw(Some(number), fields));
        } else if cell.is_empty() {
            match raws.last_mut().filter(|r| r.table == table) {
                Some(last) => {
                    for (to, more) in last.fields.iter_mut().zip(&fields) {
                        append(to, more);
                    }
                }
                None => warnings.push(format!(
                    "строка {}: строка без номера до первого пункта — пропущена",
                    row.line
                )),
            }
        } else if !others {
            // Text only in the «№» cell: a heading merged across the table.
            fields[Col::Number.index()].clear();
            fields[Col::Title.index()] = cell;
            raws.push(raw(None, fields));
        } else {
            warnings.push(format!(
                "строка {}: «{cell}» в столбце «№» — не номер пункта",
                row.line
            ));
            raws.push(raw(Some(cell), fields));
        }
    }
    (table > 0).then(|| items_of(raws, warnings))
}

/// A row's cells under the header's columns. A pasted row one or two cells
/// short has lost its merged «Уровень управления» or «Направление» cell
/// (Word leaves out a vertically merged cell); otherwise cells missing at
/// the end are empty, and text beyond the last column is reported.
fn align(
    mut cells: Vec<String>,
    cols: &[Option<Col>],
    layout: Layout,
    line: usize,
    warnings: &mut Vec<String>,
) -> Vec<String> {
    let width = cols.len();
    if cells.len() > width {
        let extra: Vec<String> = cells.drain(width..).filter(|c| !c.is_empty()).collect();
        if !extra.is_empty() {
            warnings.push(format!(
                "строка {line}: текст правее последнего столбца пропущен: «{}»",
                extra.join(" ")
            ));
        }
    }
    if layout == Layout::Text && cells.len() < width {
        let mut merged: Vec<usize> = [Col::Level, Col::Direction]
            .iter()
            .filter_map(|c| cols.iter().position(|x| *x == Some(*c)))
            .collect();
        merged.sort_unstable();
        let missing = width - cells.len();
        for pos in merged.into_iter().take(missing) {
            cells.insert(pos.min(cells.len()), String::new());
        }
    }
    cells.resize(width, String::new());
    cells
}

/// Headings and items of the merged rows, with the warnings about due
/// cells.
fn items_of(raws: Vec<Raw>, mut warnings: Vec<String>) -> RoadmapFile {
    let mut items = Vec::new();
    let mut table = 0;
    let mut direction: Option<String> = None;
    let mut level: Option<String> = None;
    for (k, raw) in raws.iter().enumerate() {
        if raw.table != table {
            (table, direction, level) = (raw.table, None, None);
        }
        let Some(number) = &raw.number else {
            (direction, level) = (Some(raw.text()), None);
            continue;
        };
        let due_text = raw.get(Col::Due).to_string();
        if due_text.is_empty() {
            let prefix = format!("{number}.");
            let has_sub_items = raws[k + 1..]
                .iter()
                .find(|r| r.number.is_some())
                .filter(|r| r.table == raw.table)
                .and_then(|r| r.number.as_deref())
                .is_some_and(|n| n.starts_with(&prefix));
            if has_sub_items {
                (direction, level) = (Some(raw.text()).filter(|t| !t.is_empty()), None);
                continue;
            }
        }
        let title = raw.get(Col::Title).to_string();
        if title.is_empty() {
            warnings.push(format!(
                "строка {}: пункт {number} без названия мероприятия — пропущен",
                raw.line
            ));
            continue;
        }
        let opt = |col: Col| Some(raw.get(col).to_string()).filter(|s| !s.is_empty());
        if let Some(l) = opt(Col::Level) {
            level = Some(l);
        }
        if due_text.is_empty() {
            warnings.push(format!(
                "строка {}: пункт {number}: срок не указан — импортирован как «без срока»",
                raw.line
            ));
        } else if let Err(e) = check_due(&due_text) {
            let mut w = format!(
                "строка {}: срок «{due_text}» не распознан — импортирован как «без срока»",
                raw.line
            );
            if !e.contains(&due_text) {
                w.push_str(&format!(" ({e})"));
            }
            warnings.push(w);
        }
        items.push(RoadmapRow {
            line: raw.line,
            number: number.clone(),
            direction: opt(Col::Direction).or_else(|| direction.clone()),
            title,
            audience: opt(Col::Audience),
            description: opt(Col::Description),
            due_text,
            responsible: opt(Col::Responsible),
            level: level.clone(),
            form: opt(Col::Form),
        });
    }
    RoadmapFile { items, warnings }
}

// ---- CSV -------------------------------------------------------------------------

/// A CSV file: the delimiter (`;`, `,` or tab) whose header row names the
/// most columns.
fn read_csv(name: &str, text: &str) -> Option<RoadmapFile> {
    let grid = |delimiter: u8| -> Vec<Line> {
        csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(text.as_bytes())
            .records()
            .map_while(Result::ok)
            .enumerate()
            .map(|(i, r)| Line {
                line: i + 1,
                cells: r.iter().map(read::clean).collect(),
                breaks: false,
            })
            .collect()
    };
    let named = |rows: &[Line]| {
        rows.iter()
            .find_map(|r| header_of(&r.cells))
            .map_or(0, |cols| cols.iter().flatten().count())
    };
    let best = [b';', b',', b'\t']
        .into_iter()
        .map(grid)
        .max_by_key(|rows| named(rows))?;
    read_grid(name, &best, Layout::Sheet)
}

// ---- text from a PDF -------------------------------------------------------------

/// Whether a line is made only of header words.
fn is_header_line(line: &str) -> bool {
    const WORDS: &[&str] = &[
        "№",
        "п/п",
        "п",
        "наименован",
        "мероприят",
        "срок",
        "исполнен",
        "выполнен",
        "проведен",
        "ответствен",
        "исполнител",
        "целев",
        "аудитор",
        "описан",
        "специфик",
        "направлен",
        "уровен",
        "управлен",
        "форм",
        "примечан",
    ];
    let lower = line.to_lowercase();
    let mut words = lower
        .split(|c: char| c.is_whitespace() || "(),.;:/".contains(c))
        .filter(|w| !w.is_empty())
        .peekable();
    words.peek().is_some() && words.all(|w| WORDS.iter().any(|h| w.starts_with(h)))
}

/// A header block at `lines[i]`: a line starting with «№», then header
/// lines, naming at least the title and the due; the index after it.
fn header_block(lines: &[(usize, String)], i: usize) -> Option<usize> {
    if !lines[i].1.starts_with('№') || !is_header_line(&lines[i].1) {
        return None;
    }
    let mut j = i;
    let mut words = String::new();
    while j < lines.len() && (lines[j].1.is_empty() || is_header_line(&lines[j].1)) {
        words.push(' ');
        words.push_str(&lines[j].1.to_lowercase());
        j += 1;
    }
    let named =
        words.contains("срок") && (words.contains("мероприят") || words.contains("наименован"));
    named.then_some(j)
}

/// A line that starts an item: its number (with a dot somewhere: `1.`,
/// `1.1`) as numbers, and the text after it.
fn item_start(line: &str) -> Option<(String, Vec<u32>, &str)> {
    let (head, rest) = line.split_once(' ').unwrap_or((line, ""));
    if !head.contains('.') {
        return None;
    }
    let number = item_number(head)?;
    let key = number
        .split('.')
        .map(|p| p.parse().ok())
        .collect::<Option<Vec<u32>>>()?;
    Some((number, key, rest.trim()))
}

struct PdfItem {
    line: usize,
    number: String,
    text: Vec<String>,
    /// Lines after a page break, once the due was seen: the title's end.
    title_more: Vec<String>,
    after_break: bool,
}

fn read_pdf_text(text: &str) -> Option<RoadmapFile> {
    let lines: Vec<(usize, String)> = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, plain_text(l)))
        .collect();
    let mut items: Vec<(usize, PdfItem)> = Vec::new();
    let mut table = 0;
    let mut in_table = false;
    let mut last_key: Option<Vec<u32>> = None;
    let mut j = 0;
    while j < lines.len() {
        let (line, l) = (&lines[j].0, lines[j].1.as_str());
        if l.is_empty() {
            j += 1;
            continue;
        }
        if let Some(end) = header_block(&lines, j) {
            if in_table {
                if let Some((_, last)) = items.last_mut().filter(|(t, _)| *t == table) {
                    last.after_break = find_due(&last.text.join(" ")).is_some();
                }
            } else {
                (table, in_table, last_key) = (table + 1, true, None);
            }
            j = end;
            continue;
        }
        j += 1;
        if !in_table {
            continue;
        }
        if l.to_lowercase().starts_with("приложение") {
            in_table = false;
            continue;
        }
        if let Some((number, key, rest)) = item_start(l) {
            if last_key.as_ref().is_some_and(|k| key <= *k) {
                // The numbering starts again: a list after the table.
                in_table = false;
                continue;
            }
            last_key = Some(key);
            items.push((
                table,
                PdfItem {
                    line: *line,
                    number,
                    text: vec![rest.to_string()],
                    title_more: Vec::new(),
                    after_break: false,
                },
            ));
            continue;
        }
        if let Some((_, last)) = items.last_mut().filter(|(t, _)| *t == table) {
            if last.after_break {
                last.title_more.push(l.to_string());
            } else {
                last.text.push(l.to_string());
            }
        }
    }
    if table == 0 {
        return None;
    }
    let raws = items
        .into_iter()
        .map(|(table, item)| {
            let text = item.text.iter().fold(String::new(), |mut text, line| {
                append(&mut text, line);
                text
            });
            let mut fields: [String; COLS] = Default::default();
            match find_due(&text) {
                Some(r) => {
                    fields[Col::Title.index()] = text[..r.start].trim().to_string();
                    fields[Col::Due.index()] = text[r.clone()].trim().to_string();
                    fields[Col::Responsible.index()] = text[r.end..].trim().to_string();
                }
                None => fields[Col::Title.index()] = text,
            }
            for line in &item.title_more {
                append(&mut fields[Col::Title.index()], line);
            }
            Raw {
                line: item.line,
                table,
                number: Some(item.number),
                fields,
            }
        })
        .collect();
    Some(items_of(raws, Vec::new()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn period() -> Period {
        Period {
            from: d(2025, 9, 1),
            to: d(2026, 8, 31),
        }
    }

    #[test]
    fn pasted_text_with_preamble_page_breaks_and_markup() {
        let text = "ПРИКАЗ\n\n1. Утвердить план.\n\n\
            №\tМероприятие/направление\tЦелевая аудитория\tСроки\tОтветственный\n\
            1\t<i>Организационное направление</i>\t\t\t\n\
            1.1\t<p>Совещание</p>\tОМСУ\tДекабрь 2025\tРОИВ\n\
            \n\
            \tпо итогам\t\t\tи МОЦ\n\
            1.2\tМониторинг\tОО\tПо графику РОИВ\tМОЦ\n\
            №\tМероприятие/направление\tЦелевая аудитория\tСроки\tОтветственный\n\
            1.3\tВебинар\t\t\tМОЦ\n\
            2\tДругое направление\t\t\t\n\
            2.1\tКонференция\t\tноябрь-декабрь\t\n\
            \t\t\t2025\t\n";
        let file = read_roadmap_text("map.txt", text).unwrap();
        let numbers: Vec<&str> = file.items.iter().map(|i| i.number.as_str()).collect();
        assert_eq!(numbers, ["1.1", "1.2", "1.3", "2.1"]);
        let first = &file.items[0];
        assert_eq!(first.line, 7);
        assert_eq!(first.title, "Совещание по итогам");
        assert_eq!(first.responsible.as_deref(), Some("РОИВ и МОЦ"));
        assert_eq!(first.audience.as_deref(), Some("ОМСУ"));
        assert_eq!(
            first.direction.as_deref(),
            Some("Организационное направление")
        );
        assert_eq!(
            file.items[3].direction.as_deref(),
            Some("Другое направление")
        );
        assert_eq!(file.items[3].due_text, "ноябрь-декабрь 2025");
        assert!(file.items[3].due(period()).unwrap().is_ok());
        assert_eq!(
            file.warnings,
            [
                "строка 10: срок «По графику РОИВ» не распознан — импортирован как «без срока»",
                "строка 12: пункт 1.3: срок не указан — импортирован как «без срока»",
            ]
        );
    }

    #[test]
    fn merged_cells_levels_and_unnumbered_headings() {
        let text = "№ п/п\tУровень управления\tМероприятие /направление\tСроки\tОтветственный\n\
            Муниципальный уровень\t\t\t\t\n\
            1.\tМуниципальный\tПриказ\tдекабрь 2025 года\tУО\n\
            2.\t\tОтчёт\tфевраль 2026 года\tУО\n\
            3.\tСеминар\tянварь 2026\tОО\n\
            \tпо темам\t\t\n\
            Уровень ОО\t\t\t\t\n\
            4.\t\tПлан\tмарт 2026\tОО\n\
            \n\
            Приложение 2\n\
            №\tМероприятие\tСроки\n\
            1.\tЕщё\tмай 2026\n";
        let file = read_roadmap_text("map.txt", text).unwrap();
        let got: Vec<(&str, Option<&str>, Option<&str>, &str)> = file
            .items
            .iter()
            .map(|i| {
                (
                    i.number.as_str(),
                    i.direction.as_deref(),
                    i.level.as_deref(),
                    i.title.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "1",
                    Some("Муниципальный уровень"),
                    Some("Муниципальный"),
                    "Приказ"
                ),
                (
                    "2",
                    Some("Муниципальный уровень"),
                    Some("Муниципальный"),
                    "Отчёт"
                ),
                (
                    "3",
                    Some("Муниципальный уровень"),
                    Some("Муниципальный"),
                    "Семинар по темам"
                ),
                ("4", Some("Уровень ОО"), None, "План"),
                ("1", None, None, "Ещё"),
            ]
        );
        assert!(file.warnings.is_empty(), "{:?}", file.warnings);
    }

    #[test]
    fn csv_with_a_preamble_and_quoted_cells() {
        let text = "План мероприятий;;\n\
            № п/п;Наименование мероприятия;Сроки;Ответственные;Форма\n\
            1;Организационные меры;;;\n\
            1.1;\"Совещание; первое\";\"Январь – март\n2026\";РОИВ;Приказ\n\
            1.2;Мониторинг;в течение года\n";
        let file = read_roadmap_text("map.csv", text).unwrap();
        assert_eq!(file.items.len(), 2);
        let first = &file.items[0];
        assert_eq!(first.line, 4);
        assert_eq!(first.title, "Совещание; первое");
        assert_eq!(first.due_text, "Январь – март 2026");
        assert_eq!(first.form.as_deref(), Some("Приказ"));
        assert_eq!(first.direction.as_deref(), Some("Организационные меры"));
        assert_eq!(file.items[1].responsible, None);
        assert!(file.warnings.is_empty(), "{:?}", file.warnings);
    }

    #[test]
    fn xlsx_first_sheet() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        let rows: [&[&str]; 4] = [
            &["Дорожная карта"],
            &[
                "№",
                "Мероприятие",
                "Целевая аудитория",
                "Сроки",
                "Ответственный",
            ],
            &["1", "Направление"],
            &["1.1", "Семинар", "ОО", "I квартал 2026", "ЦНППМ"],
        ];
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                sheet.write_string(r as u32, c as u16, *cell).unwrap();
            }
        }
        let bytes = book.save_to_buffer().unwrap();
        let file = read_roadmap_bytes("map.xlsx", &bytes).unwrap();
        assert_eq!(file.items.len(), 1);
        let item = &file.items[0];
        assert_eq!((item.line, item.number.as_str()), (4, "1.1"));
        assert_eq!(item.direction.as_deref(), Some("Направление"));
        assert_eq!(item.due_text, "I квартал 2026");
    }

    #[test]
    fn pdf_text_without_tabs() {
        let text = "Приказ\n\n2.1. Координацию.\n\n№ \n\nп/п \n\nНаименование мероприятия Сроки \n\n\
            исполнения \n\nОтветственный \n\n1. Организационные меры \n\n1.1 Организация \n\n\
            деятельности \n\nоктябрь 2021 методический \n\nотдел \n\n1.2 Вовлечение органов \n\n\
            в течение \n\nучебного года \n\nШНРО \n\n\n\n№ \n\nп/п \n\nНаименование мероприятия Сроки \n\n\
            исполнения \n\nОтветственный \n\nуправления ШНРО \n\n1.3 Выявление опыта УОиМП \n\n\
            Приложение № 2 \n\n1. МБОУ «СШ № 39» \n";
        let file = read_roadmap_text("map.txt", text).unwrap();
        let got: Vec<(&str, &str, &str, Option<&str>)> = file
            .items
            .iter()
            .map(|i| {
                (
                    i.number.as_str(),
                    i.title.as_str(),
                    i.due_text.as_str(),
                    i.responsible.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "1.1",
                    "Организация деятельности",
                    "октябрь 2021",
                    Some("методический отдел")
                ),
                (
                    "1.2",
                    "Вовлечение органов управления ШНРО",
                    "в течение учебного года",
                    Some("ШНРО")
                ),
                ("1.3", "Выявление опыта УОиМП", "", None),
            ]
        );
        assert!(
            file.items
                .iter()
                .all(|i| i.direction.as_deref() == Some("Организационные меры"))
        );
        assert_eq!(file.items[0].line, 17);
        assert_eq!(
            file.warnings,
            ["строка 47: пункт 1.3: срок не указан — импортирован как «без срока»"]
        );
    }

    #[test]
    fn no_table_is_an_error() {
        let e = read_roadmap_text("letter.txt", "Уважаемые коллеги!\n1. Прошу…").unwrap_err();
        assert!(
            e.starts_with("letter.txt: таблица дорожной карты не найдена"),
            "{e}"
        );
        assert!(read_roadmap_bytes("old.xls", b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1").is_err());
    }

    #[test]
    fn windows_1251_and_utf16_text() {
        let text = "№\tМероприятие\tСроки\n1\tСовещание\tмай 2026\n";
        let (cp1251, _, _) = encoding_rs::WINDOWS_1251.encode(text);
        assert_eq!(
            read_roadmap_bytes("map.txt", &cp1251).unwrap().items.len(),
            1
        );
        let mut utf16 = vec![0xFF, 0xFE];
        for u in text.encode_utf16() {
            utf16.extend(u.to_le_bytes());
        }
        assert_eq!(
            read_roadmap_bytes("map.txt", &utf16).unwrap().items.len(),
            1
        );
    }

    #[test]
    fn headers_by_their_start() {
        for (h, col) in [
            ("№", Col::Number),
            ("№ п/п", Col::Number),
            ("Мероприятие/направление", Col::Title),
            ("Мероприятия", Col::Title),
            ("Наименование мероприятия", Col::Title),
            ("Целевая аудитория", Col::Audience),
            ("Описание специфики (целевая аудитория)", Col::Description),
            ("Сроки исполнения", Col::Due),
            ("Ответственные", Col::Responsible),
            ("Направление", Col::Direction),
            ("Уровень управления", Col::Level),
            ("Форма", Col::Form),
            ("<b>Сроки</b>", Col::Due),
        ] {
            assert_eq!(column_of(h), Some(col), "{h}");
        }
        assert_eq!(column_of("Примечание"), None);
    }
}
