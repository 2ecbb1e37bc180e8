//! The course catalogue (`imports.md`, catalogue): the activities a route is
//! built from — further-training courses, internships, seminars, webinars,
//! master classes, mentoring and self-study — with the competences each
//! addresses, its format, place, dates and seats.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::ids::{CourseCode, MunicipalityCode, ParseError};

/// What kind of activity a catalogue entry or a route step is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityKind {
    /// Курс повышения квалификации (ПК).
    Course,
    /// Профессиональная переподготовка (ПП), 250 h and more.
    Retraining,
    Internship,
    Seminar,
    MasterClass,
    Webinar,
    Mentoring,
    SelfStudy,
}

impl ActivityKind {
    pub const ALL: [ActivityKind; 8] = [
        ActivityKind::Course,
        ActivityKind::Retraining,
        ActivityKind::Internship,
        ActivityKind::Seminar,
        ActivityKind::MasterClass,
        ActivityKind::Webinar,
        ActivityKind::Mentoring,
        ActivityKind::SelfStudy,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ActivityKind::Course => "course",
            ActivityKind::Retraining => "retraining",
            ActivityKind::Internship => "internship",
            ActivityKind::Seminar => "seminar",
            ActivityKind::MasterClass => "master_class",
            ActivityKind::Webinar => "webinar",
            ActivityKind::Mentoring => "mentoring",
            ActivityKind::SelfStudy => "self_study",
        }
    }

    /// The Russian name, as a route or a catalogue page shows it.
    pub fn title(self) -> &'static str {
        match self {
            ActivityKind::Course => "курс повышения квалификации",
            ActivityKind::Retraining => "профессиональная переподготовка",
            ActivityKind::Internship => "стажировка",
            ActivityKind::Seminar => "семинар",
            ActivityKind::MasterClass => "мастер-класс",
            ActivityKind::Webinar => "вебинар",
            ActivityKind::Mentoring => "наставничество",
            ActivityKind::SelfStudy => "самообразование",
        }
    }

    /// The reporting form `rules.md` gives each kind by default.
    pub fn reporting_form(self) -> &'static str {
        match self {
            ActivityKind::Course => "удостоверение о повышении квалификации",
            ActivityKind::Retraining => "диплом о профессиональной переподготовке",
            ActivityKind::Seminar | ActivityKind::Webinar | ActivityKind::MasterClass => {
                "сертификат или лист участия"
            }
            ActivityKind::Internship => "отчёт о стажировке",
            ActivityKind::SelfStudy => "методическая разработка или конспект",
            ActivityKind::Mentoring => "план и отчёт наставничества",
        }
    }

    /// Accepts the English code or the Russian forms of `imports.md`,
    /// case-insensitively.
    pub fn parse(value: &str) -> Result<Self, ParseError> {
        let v = value.trim().to_lowercase();
        let kind = match v.as_str() {
            "course" | "пк" | "курс" | "курс пк" | "курсы" => ActivityKind::Course,
            "retraining" | "пп" | "переподготовка" => ActivityKind::Retraining,
            "internship" | "стажировка" => ActivityKind::Internship,
            "seminar" | "семинар" => ActivityKind::Seminar,
            "master_class" | "мастер-класс" | "мастер класс" => {
                ActivityKind::MasterClass
            }
            "webinar" | "вебинар" => ActivityKind::Webinar,
            "mentoring" | "наставничество" => ActivityKind::Mentoring,
            "self_study" | "самообразование" => ActivityKind::SelfStudy,
            _ => {
                return Err(ParseError(
                    "неизвестный вид: ожидается ПК, ПП, стажировка, семинар, мастер-класс, \
                     вебинар, наставничество или самообразование"
                        .into(),
                ));
            }
        };
        Ok(kind)
    }
}

impl fmt::Display for ActivityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How an activity is held.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// Очно. The default when the catalogue does not say.
    #[default]
    InPerson,
    /// Дистанционно.
    Remote,
    /// Смешанно (очно-дистанционно).
    Blended,
}

impl Format {
    pub const ALL: [Format; 3] = [Format::InPerson, Format::Remote, Format::Blended];

    pub fn as_str(self) -> &'static str {
        match self {
            Format::InPerson => "in_person",
            Format::Remote => "remote",
            Format::Blended => "blended",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Format::InPerson => "очно",
            Format::Remote => "дистанционно",
            Format::Blended => "смешанно",
        }
    }

    /// Can be taken without travelling (remote or blended).
    pub fn is_distance(self) -> bool {
        matches!(self, Format::Remote | Format::Blended)
    }

    pub fn parse(value: &str) -> Result<Self, ParseError> {
        let v = value.trim().to_lowercase();
        Ok(match v.as_str() {
            "in_person" | "очно" | "очный" | "очная" => Format::InPerson,
            "remote" | "дистанционно" | "дистанционный" | "дистанционная" | "онлайн" => {
                Format::Remote
            }
            "blended" | "смешанно" | "смешанный" | "смешанная" | "очно-дистанционно" => {
                Format::Blended
            }
            _ => {
                return Err(ParseError(
                    "неизвестный формат: ожидается очно, дистанционно или смешанно".into(),
                ));
            }
        })
    }
}

/// A competence as the whole product names it: `BANK:CODE`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CompetenceRef {
    pub bank: String,
    pub code: String,
}

impl CompetenceRef {
    pub fn new(bank: &str, code: &str) -> Self {
        CompetenceRef {
            bank: bank.to_string(),
            code: code.to_string(),
        }
    }

    /// Parses `BANK:CODE`; both parts non-empty, no spaces.
    pub fn parse(value: &str) -> Result<Self, ParseError> {
        let v = value.trim();
        match v.split_once(':') {
            Some((bank, code))
                if !bank.is_empty()
                    && !code.is_empty()
                    && !v.contains(char::is_whitespace)
                    && !code.contains(':') =>
            {
                Ok(CompetenceRef::new(bank, code))
            }
            _ => Err(ParseError(format!(
                "компетенция «{v}»: ожидается БАНК:КОД, например pedagogy-core:PK1"
            ))),
        }
    }
}

impl fmt::Display for CompetenceRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.bank, self.code)
    }
}

impl TryFrom<String> for CompetenceRef {
    type Error = ParseError;
    fn try_from(v: String) -> Result<Self, ParseError> {
        Self::parse(&v)
    }
}

impl From<CompetenceRef> for String {
    fn from(v: CompetenceRef) -> String {
        v.to_string()
    }
}

/// One entry of the course catalogue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub code: CourseCode,
    pub title: String,
    pub kind: ActivityKind,
    /// Academic hours.
    pub hours: u32,
    /// What it addresses; never empty.
    pub competences: Vec<CompetenceRef>,
    pub provider: Option<String>,
    pub format: Format,
    /// Empty: any subject.
    pub subjects: Vec<String>,
    /// `None`: a regional entry, open to every municipality.
    pub municipality: Option<MunicipalityCode>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    /// Seats; `None`: not limited.
    pub capacity: Option<u32>,
    pub url: Option<String>,
    pub active: bool,
}

impl Entry {
    /// The entry covers this competence.
    pub fn covers(&self, competence: &CompetenceRef) -> bool {
        self.competences.contains(competence)
    }

    /// Its subjects are empty or share one with `subjects` (names compared
    /// case-insensitively, trimmed).
    pub fn suits_subjects(&self, subjects: &[String]) -> bool {
        self.subjects.is_empty()
            || self.subjects.iter().any(|s| {
                let s = normalize_subject(s);
                subjects.iter().any(|t| normalize_subject(t) == s)
            })
    }

    /// Within [from, to]: starts on or after `from` and ends on or before
    /// `to`; an entry without dates always fits.
    pub fn within(&self, from: NaiveDate, to: NaiveDate) -> bool {
        self.starts_on.is_none_or(|d| d >= from && d <= to)
            && self.ends_on.is_none_or(|d| d <= to && d >= from)
    }

    /// A teacher of `municipality` can attend: remote/blended, regional, or
    /// in that municipality.
    pub fn reachable_from(&self, municipality: Option<&MunicipalityCode>) -> bool {
        self.format.is_distance()
            || match &self.municipality {
                None => true,
                Some(m) => Some(m) == municipality,
            }
    }
}

/// A subject name as compared: trimmed, lower case, `ё` as `е`.
pub fn normalize_subject(s: &str) -> String {
    s.trim().to_lowercase().replace('ё', "е")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_formats_read_their_russian_forms() {
        assert_eq!(ActivityKind::parse("ПК").unwrap(), ActivityKind::Course);
        assert_eq!(
            ActivityKind::parse(" Мастер-класс ").unwrap(),
            ActivityKind::MasterClass
        );
        assert_eq!(
            ActivityKind::parse("самообразование").unwrap(),
            ActivityKind::SelfStudy
        );
        assert!(ActivityKind::parse("лекция").is_err());
        for k in ActivityKind::ALL {
            assert_eq!(ActivityKind::parse(k.as_str()).unwrap(), k);
        }
        assert_eq!(Format::parse("Дистанционно").unwrap(), Format::Remote);
        for f in Format::ALL {
            assert_eq!(Format::parse(f.as_str()).unwrap(), f);
        }
    }

    #[test]
    fn competence_refs_are_bank_and_code() {
        let c = CompetenceRef::parse("math-methods:M2").unwrap();
        assert_eq!(c.bank, "math-methods");
        assert_eq!(c.to_string(), "math-methods:M2");
        assert!(CompetenceRef::parse("M2").is_err());
        assert!(CompetenceRef::parse("a:").is_err());
        assert!(CompetenceRef::parse("a:b:c").is_err());
    }

    fn entry() -> Entry {
        Entry {
            code: CourseCode::parse("K1").unwrap(),
            title: "Курс".into(),
            kind: ActivityKind::Course,
            hours: 36,
            competences: vec![CompetenceRef::new("b", "C1")],
            provider: None,
            format: Format::InPerson,
            subjects: vec!["Математика".into()],
            municipality: Some(MunicipalityCode::parse("m01").unwrap()),
            starts_on: NaiveDate::from_ymd_opt(2027, 2, 1),
            ends_on: NaiveDate::from_ymd_opt(2027, 2, 20),
            capacity: Some(10),
            url: None,
            active: true,
        }
    }

    #[test]
    fn fit_rules() {
        let e = entry();
        assert!(e.suits_subjects(&[" математика ".into()]));
        assert!(!e.suits_subjects(&["Физика".into()]));
        let d = |m, day| NaiveDate::from_ymd_opt(2027, m, day).unwrap();
        assert!(e.within(d(1, 1), d(5, 31)));
        assert!(!e.within(d(2, 2), d(5, 31)));
        assert!(!e.within(d(1, 1), d(2, 19)));
        let m01 = MunicipalityCode::parse("m01").unwrap();
        let m02 = MunicipalityCode::parse("m02").unwrap();
        assert!(e.reachable_from(Some(&m01)));
        assert!(!e.reachable_from(Some(&m02)));
        let remote = Entry {
            format: Format::Remote,
            ..entry()
        };
        assert!(remote.reachable_from(Some(&m02)));
        let regional = Entry {
            municipality: None,
            ..entry()
        };
        assert!(regional.reachable_from(None));
    }
}
