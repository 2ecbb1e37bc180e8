//! The deficit level (уровень профессионального дефицита).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ParseError;

/// A deficit level, ordered by severity: `None < Reduced < High < Critical`,
/// so `max()` over a teacher's levels is the most severe one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// «дефицитов нет»
    None,
    /// «пониженный»
    Reduced,
    /// «высокий»
    High,
    /// «критический»
    Critical,
}

impl Level {
    pub const ALL: [Level; 4] = [Level::None, Level::Reduced, Level::High, Level::Critical];

    /// The name used in files and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::None => "none",
            Level::Reduced => "reduced",
            Level::High => "high",
            Level::Critical => "critical",
        }
    }

    /// The default Russian display name (a region may word it differently:
    /// the display names are settings).
    pub fn default_title(self) -> &'static str {
        match self {
            Level::None => "дефицитов нет",
            Level::Reduced => "пониженный",
            Level::High => "высокий",
            Level::Critical => "критический",
        }
    }

    /// Parses the English name or its Russian form, case-insensitively.
    pub fn parse(value: &str) -> Result<Self, ParseError> {
        let v = value.trim().to_lowercase();
        Ok(match v.as_str() {
            "none" | "нет" | "дефицитов нет" => Level::None,
            "reduced" | "пониженный" => Level::Reduced,
            "high" | "высокий" => Level::High,
            "critical" | "критический" => Level::Critical,
            _ => {
                return Err(ParseError(
                    "уровень должен быть одним из: критический, высокий, пониженный, нет".into(),
                ));
            }
        })
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordered_by_severity() {
        assert!(Level::Critical > Level::High);
        assert!(Level::High > Level::Reduced);
        assert!(Level::Reduced > Level::None);
        assert_eq!(
            [Level::Reduced, Level::Critical, Level::None].iter().max(),
            Some(&Level::Critical)
        );
    }

    #[test]
    fn parses_russian_forms() {
        assert_eq!(Level::parse("Критический").unwrap(), Level::Critical);
        assert_eq!(Level::parse("нет").unwrap(), Level::None);
        for l in Level::ALL {
            assert_eq!(Level::parse(l.as_str()).unwrap(), l);
        }
        assert!(Level::parse("средний").is_err());
    }
}
