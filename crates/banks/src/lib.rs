#![forbid(unsafe_code)]
//! Assessment bank files (`assessment-banks/*.toml`, `spec/assessment-bank.md`).
//!
//! [`parse`] turns one file into a validated [`domain::Bank`], or reports
//! every problem it finds at once, each as `file:line: what is wrong` in
//! Russian, because methodists fix a bank in one pass rather than one error
//! per run. [`load_dir`] reads a directory of banks and also checks that bank
//! ids are unique. [`parse_answers`] and [`score_file`] back
//! `marshrut bank score FILE ANSWERS.json`.

mod answers;
mod parse;

use std::fmt;
use std::path::{Path, PathBuf};

use domain::Bank;

pub use answers::{AnswersError, parse_answers, score_file};

/// One problem in one bank file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankError {
    /// The file as it was named to us.
    pub file: String,
    /// 1-based; `None` for a problem with the whole file (unreadable).
    pub line: Option<usize>,
    /// Russian, for the bank's authors.
    pub message: String,
}

impl fmt::Display for BankError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.file, line, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// Every problem found, in file then line order; displayed one per line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankErrors(pub Vec<BankError>);

impl BankErrors {
    pub fn iter(&self) -> impl Iterator<Item = &BankError> {
        self.0.iter()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for BankErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for BankErrors {}

/// Parses and validates one bank file. `file_name` only names the file in
/// errors; the content hash is SHA-256 of `text`'s bytes (the file's bytes).
pub fn parse(file_name: &str, text: &str) -> Result<Bank, BankErrors> {
    parse::parse(file_name, text)
        .map(|p| p.bank)
        .map_err(BankErrors)
}

/// Reads and validates one bank file.
pub fn load_file(path: impl AsRef<Path>) -> Result<Bank, BankErrors> {
    load_files(&[path.as_ref().to_path_buf()]).map(|mut banks| banks.remove(0))
}

/// Reads and validates bank files, collecting every problem of every file;
/// bank ids must be unique among them.
pub fn load_files(paths: &[PathBuf]) -> Result<Vec<Bank>, BankErrors> {
    let mut errors = Vec::new();
    let mut banks: Vec<(String, parse::Parsed)> = Vec::new();
    for path in paths {
        let file = path.display().to_string();
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                errors.push(BankError {
                    file,
                    line: None,
                    message: format!("не удалось прочитать файл: {e}"),
                });
                continue;
            }
        };
        let text = match std::str::from_utf8(&bytes) {
            Ok(t) => t,
            Err(e) => {
                let before = &bytes[..e.valid_up_to()];
                errors.push(BankError {
                    file,
                    line: Some(before.iter().filter(|b| **b == b'\n').count() + 1),
                    message: "файл не в кодировке UTF-8".into(),
                });
                continue;
            }
        };
        match parse::parse(&file, text) {
            Ok(parsed) => {
                if let Some((first, _)) = banks.iter().find(|(_, p)| p.bank.id == parsed.bank.id) {
                    errors.push(BankError {
                        file: file.clone(),
                        line: Some(parsed.id_line),
                        message: format!(
                            "банк с id «{}» уже есть в файле {first}; id банков должны быть уникальны",
                            parsed.bank.id
                        ),
                    });
                } else {
                    banks.push((file, parsed));
                }
            }
            Err(mut e) => errors.append(&mut e),
        }
    }
    if errors.is_empty() {
        Ok(banks.into_iter().map(|(_, p)| p.bank).collect())
    } else {
        Err(BankErrors(errors))
    }
}

/// Reads every `*.toml` file of a directory (in file name order) as a bank.
pub fn load_dir(dir: impl AsRef<Path>) -> Result<Vec<Bank>, BankErrors> {
    let dir = dir.as_ref();
    let unreadable = |e: std::io::Error| {
        BankErrors(vec![BankError {
            file: dir.display().to_string(),
            line: None,
            message: format!("не удалось прочитать каталог банков: {e}"),
        }])
    };
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(unreadable)? {
        let path = entry.map_err(unreadable)?.path();
        let is_toml = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("toml"));
        if is_toml && path.is_file() {
            paths.push(path);
        }
    }
    paths.sort();
    load_files(&paths)
}
