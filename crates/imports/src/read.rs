//! Bytes to a table of trimmed text cells: CSV (UTF-8 or Windows-1251,
//! `;` or `,`) or XLSX (first sheet).

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

use crate::RowError;

/// One data row: its spreadsheet row number and its cells, trimmed.
#[derive(Debug, Clone)]
pub(crate) struct Record {
    pub row: usize,
    pub cells: Vec<String>,
}

/// The header row and the non-empty rows under it.
#[derive(Debug, Clone)]
pub(crate) struct Table {
    pub header_row: usize,
    pub headers: Vec<String>,
    pub records: Vec<Record>,
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Reads a file. `recognised` tells whether a header names a known column;
/// it decides a CSV file's delimiter.
pub(crate) fn read_table(
    file: &str,
    bytes: &[u8],
    recognised: &dyn Fn(&str) -> bool,
) -> Result<Table, RowError> {
    let whole_file = |message: String| RowError {
        file: file.to_string(),
        row: 0,
        column: String::new(),
        message,
        value: None,
    };
    let lower = file.to_lowercase();
    let rows = if bytes.starts_with(ZIP_MAGIC) || lower.ends_with(".xlsx") {
        read_xlsx(bytes).map_err(whole_file)?
    } else if bytes.starts_with(OLE_MAGIC) || lower.ends_with(".xls") {
        return Err(whole_file(
            "формат XLS (Excel 97–2003) не поддерживается: сохраните файл как XLSX или CSV".into(),
        ));
    } else {
        read_csv(file, bytes, recognised)?
    };
    let mut rows = rows
        .into_iter()
        .filter(|r| r.cells.iter().any(|c| !c.is_empty()));
    let Some(header) = rows.next() else {
        return Err(whole_file("файл пуст: нет строки заголовков".into()));
    };
    Ok(Table {
        header_row: header.row,
        headers: header.cells,
        records: rows.collect(),
    })
}

/// Trims a cell: whitespace (non-breaking spaces included) and stray BOMs;
/// non-breaking spaces inside become ordinary ones.
pub(crate) fn clean(cell: &str) -> String {
    let t = cell.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    if t.contains('\u{a0}') {
        t.replace('\u{a0}', " ")
    } else {
        t.to_string()
    }
}

// ---- CSV -------------------------------------------------------------------

fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => {
            let (text, _) = encoding_rs::WINDOWS_1251.decode_without_bom_handling(bytes);
            text.into_owned()
        }
    }
}

fn read_csv(
    file: &str,
    bytes: &[u8],
    recognised: &dyn Fn(&str) -> bool,
) -> Result<Vec<Record>, RowError> {
    let text = decode(bytes);
    let delimiter = detect_delimiter(&text, recognised);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    // A spreadsheet row is a CSV record (a quoted cell may span lines), so
    // the row number is the record's ordinal, the header being row 1.
    for (index, record) in reader.records().enumerate() {
        match record {
            Ok(r) => {
                let row = index + 1;
                rows.push(Record {
                    row,
                    cells: r.iter().map(clean).collect(),
                });
            }
            Err(e) => {
                let row = index + 1;
                return Err(RowError {
                    file: file.to_string(),
                    row,
                    column: String::new(),
                    message: format!("не удалось прочитать строку CSV: {e}"),
                    value: None,
                });
            }
        }
    }
    Ok(rows)
}

/// The header line's delimiter: the one of `;` and `,` that splits it into
/// more recognised columns; on a tie `;` if the line has one, else `,`.
fn detect_delimiter(text: &str, recognised: &dyn Fn(&str) -> bool) -> u8 {
    let header = text
        .lines()
        .find(|l| !clean(l).is_empty())
        .unwrap_or_default();
    let score = |d: u8| -> usize {
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(d)
            .from_reader(header.as_bytes());
        r.records()
            .next()
            .and_then(Result::ok)
            .map(|rec| rec.iter().filter(|h| recognised(&clean(h))).count())
            .unwrap_or(0)
    };
    let (semi, comma) = (score(b';'), score(b','));
    if comma > semi || (comma == semi && !header.contains(';')) {
        b','
    } else {
        b';'
    }
}

// ---- XLSX ------------------------------------------------------------------

fn read_xlsx(bytes: &[u8]) -> Result<Vec<Record>, String> {
    let unreadable = |e: &dyn std::fmt::Display| format!("не удалось прочитать файл XLSX: {e}");
    let mut book = Xlsx::new(Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
    let range = match book.worksheet_range_at(0) {
        Some(r) => r.map_err(|e| unreadable(&e))?,
        None => return Err("в файле XLSX нет ни одного листа".into()),
    };
    let first_row = range.start().map(|(r, _)| r as usize).unwrap_or(0);
    Ok(range
        .rows()
        .enumerate()
        .map(|(i, cells)| Record {
            row: first_row + i + 1,
            cells: cells.iter().map(cell_text).collect(),
        })
        .collect())
}

/// A cell as text: dates as `YYYY-MM-DD`, integral numbers without `.0`.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => clean(s),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number_text(*f),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            format!("{y:04}-{m:02}-{d:02}")
        }
        Data::DateTime(dt) => number_text(dt.as_f64()),
        Data::DateTimeIso(s) => {
            let s = clean(s);
            match s.get(..10) {
                Some(date) if chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").is_ok() => {
                    date.to_string()
                }
                _ => s,
            }
        }
        Data::DurationIso(s) => clean(s),
        Data::Error(e) => e.to_string(),
    }
}

fn number_text(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        (f as i64).to_string()
    } else {
        f.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_like_people_wrote_them() {
        assert_eq!(number_text(67001.0), "67001");
        assert_eq!(number_text(-0.0), "0");
        assert_eq!(number_text(2.5), "2.5");
    }

    #[test]
    fn delimiter_follows_recognised_headers() {
        let known = |h: &str| ["code", "name"].contains(&h);
        assert_eq!(detect_delimiter("code;name\n1;a", &known), b';');
        assert_eq!(detect_delimiter("code,name\n1,a", &known), b',');
        // «name, full» is one column under `;`: `;` splits into more known ones.
        assert_eq!(detect_delimiter("code;name, full\n", &known), b';');
        assert_eq!(detect_delimiter("x;y,z\n", &known), b';');
        assert_eq!(detect_delimiter("x,y\n", &known), b',');
    }

    #[test]
    fn cells_lose_bom_and_nbsp() {
        assert_eq!(clean("\u{feff} Код\u{a0}"), "Код");
        assert_eq!(clean("Иванова\u{a0}Анна"), "Иванова Анна");
    }

    #[test]
    fn windows_1251_is_decoded() {
        let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode("код;наименование");
        assert_eq!(decode(&bytes), "код;наименование");
        assert_eq!(decode("\u{feff}код".as_bytes()), "код");
    }
}
