//! Codes and logins: validated once at the edge, trusted inside.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why a value could not become a domain value. The message is Russian: it
/// reaches the person who typed the value (an import row, a form field).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ParseError(pub String);

fn check_code(value: &str, what: &str) -> Result<String, ParseError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(ParseError(format!("{what} не может быть пустым")));
    }
    if v.chars().count() > 64 {
        return Err(ParseError(format!("{what} длиннее 64 символов")));
    }
    if v.chars()
        .any(|c| c.is_whitespace() || c == '|' || c.is_control())
    {
        return Err(ParseError(format!(
            "{what} не должен содержать пробелов и символа «|»"
        )));
    }
    Ok(v.to_string())
}

macro_rules! code_type {
    ($(#[$m:meta])* $name:ident, $what:expr) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn parse(value: &str) -> Result<Self, ParseError> {
                check_code(value, $what).map(Self)
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl TryFrom<String> for $name {
            type Error = ParseError;
            fn try_from(v: String) -> Result<Self, ParseError> {
                Self::parse(&v)
            }
        }
        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }
    };
}

code_type!(
    /// A municipality's code in the region's register (ОМСУ).
    MunicipalityCode,
    "Код муниципалитета"
);
code_type!(
    /// A school's code in the region's register (ОО).
    SchoolCode,
    "Код ОО"
);
code_type!(
    /// A catalogue entry's code (a course, seminar, internship…).
    CourseCode,
    "Код мероприятия"
);

/// An account's login. Logins are case-insensitive: the value is kept in
/// lower case, so two spellings of one login are one key everywhere.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Login(String);

impl Login {
    pub fn parse(value: &str) -> Result<Self, ParseError> {
        let v = value.trim();
        if v.is_empty() {
            return Err(ParseError("Логин не может быть пустым".into()));
        }
        if v.chars().count() > 100 {
            return Err(ParseError("Логин длиннее 100 символов".into()));
        }
        if !v
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'))
        {
            return Err(ParseError(
                "Логин может содержать только буквы, цифры и символы . _ - @".into(),
            ));
        }
        Ok(Self(v.to_lowercase()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Login {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl TryFrom<String> for Login {
    type Error = ParseError;
    fn try_from(v: String) -> Result<Self, ParseError> {
        Self::parse(&v)
    }
}
impl From<Login> for String {
    fn from(v: Login) -> String {
        v.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logins_are_case_insensitive() {
        assert_eq!(
            Login::parse(" Ivanova.AA ").unwrap(),
            Login::parse("ivanova.aa").unwrap()
        );
        assert_eq!(Login::parse("Иванова").unwrap().as_str(), "иванова");
    }

    #[test]
    fn bad_logins_say_what_to_fix() {
        assert!(Login::parse("").unwrap_err().0.contains("пуст"));
        assert!(Login::parse("a b").unwrap_err().0.contains("только буквы"));
    }

    #[test]
    fn codes_reject_separators() {
        assert!(SchoolCode::parse("ОО 1").is_err());
        assert!(SchoolCode::parse("a|b").is_err());
        assert_eq!(SchoolCode::parse(" 67-001 ").unwrap().as_str(), "67-001");
    }
}
