//! Header cells to known columns.

use crate::RowError;
use crate::read::Table;

/// A column of an import: its English name, its Russian alias, whether the
/// file must have it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Col {
    pub name: &'static str,
    pub alias: &'static str,
    pub required: bool,
}

pub(crate) const fn req(name: &'static str, alias: &'static str) -> Col {
    Col {
        name,
        alias,
        required: true,
    }
}

pub(crate) const fn opt(name: &'static str, alias: &'static str) -> Col {
    Col {
        name,
        alias,
        required: false,
    }
}

/// Where each known column sits in the file, and how the file heads it.
#[derive(Debug, Clone)]
pub(crate) struct Columns {
    specs: &'static [Col],
    /// Per spec: the position of the column in a row, if the file has it.
    index: Vec<Option<usize>>,
    /// Per spec: the header as written in the file, else the English name.
    label: Vec<String>,
}

impl Columns {
    pub fn position(&self, col: usize) -> Option<usize> {
        self.index[col]
    }

    pub fn label(&self, col: usize) -> &str {
        &self.label[col]
    }

    pub fn spec(&self, col: usize) -> Col {
        self.specs[col]
    }
}

/// A header made comparable: no BOM, no non-breaking spaces, lower case,
/// `ё` as `е`, runs of spaces, hyphens and underscores as one `_`.
pub(crate) fn normalise(header: &str) -> String {
    let lower = header
        .trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
        .to_lowercase()
        .replace('ё', "е");
    let mut out = String::with_capacity(lower.len());
    let mut gap = false;
    for c in lower.chars() {
        if c.is_whitespace() || c == '-' || c == '_' || c == '\u{feff}' {
            gap = true;
        } else {
            if gap && !out.is_empty() {
                out.push('_');
            }
            gap = false;
            out.push(c);
        }
    }
    out
}

/// The column a header names, if any.
pub(crate) fn recognise(specs: &[Col], header: &str) -> Option<usize> {
    let h = normalise(header);
    if h.is_empty() {
        return None;
    }
    specs
        .iter()
        .position(|c| normalise(c.name) == h || normalise(c.alias) == h)
}

/// Maps the file's header row onto `specs`. Unknown headers are warnings;
/// a missing required column or a repeated one is an error.
pub(crate) fn resolve(
    specs: &'static [Col],
    file: &str,
    table: &Table,
) -> Result<(Columns, Vec<String>), Vec<RowError>> {
    let mut index = vec![None; specs.len()];
    let mut label: Vec<String> = specs.iter().map(|c| c.name.to_string()).collect();
    let mut warnings = Vec::new();
    let mut errors = Vec::new();
    let row = table.header_row;
    for (pos, header) in table.headers.iter().enumerate() {
        if header.is_empty() {
            continue;
        }
        match recognise(specs, header) {
            Some(col) if index[col].is_some() => errors.push(RowError {
                file: file.to_string(),
                row,
                column: header.clone(),
                message: format!(
                    "столбец {} [{}] встречается в заголовке дважды",
                    specs[col].name, specs[col].alias
                ),
                value: None,
            }),
            Some(col) => {
                index[col] = Some(pos);
                label[col] = header.clone();
            }
            None => warnings.push(format!(
                "{file}: столбец «{header}» не распознан и пропущен"
            )),
        }
    }
    for (col, spec) in specs.iter().enumerate() {
        if spec.required && index[col].is_none() {
            errors.push(RowError {
                file: file.to_string(),
                row,
                column: spec.name.to_string(),
                message: format!("нет обязательного столбца {} [{}]", spec.name, spec.alias),
                value: None,
            });
        }
    }
    if errors.is_empty() {
        Ok((
            Columns {
                specs,
                index,
                label,
            },
            warnings,
        ))
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_match_names_and_aliases_loosely() {
        let specs = [req("code", "код"), opt("hired_on", "дата_приема")];
        assert_eq!(recognise(&specs, " CODE "), Some(0));
        assert_eq!(recognise(&specs, "\u{feff}Код"), Some(0));
        assert_eq!(recognise(&specs, "Дата\u{a0}приёма"), Some(1));
        assert_eq!(recognise(&specs, "hired on"), Some(1));
        assert_eq!(recognise(&specs, "№ п/п"), None);
        assert_eq!(recognise(&specs, ""), None);
    }
}
