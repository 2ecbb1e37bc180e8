//! Diagnostic campaigns: who is invited (the audience).

use std::collections::BTreeSet;
use std::fmt;

use crate::{Account, ClusterFlag, MunicipalityCode, ParseError, Role, School, SchoolCode};

/// Who a campaign is addressed to (`spec/cli.md`, `campaign open --audience`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// Every teacher.
    All,
    /// Teachers of schools carrying any of these flags.
    Clusters(BTreeSet<ClusterFlag>),
    /// Teachers whose students showed low results.
    StudentsLowResults,
    /// Teachers of these schools.
    Schools(BTreeSet<SchoolCode>),
    /// Teachers of schools in these municipalities.
    Municipalities(BTreeSet<MunicipalityCode>),
    /// Any staff holding one of these roles (the management bank).
    Roles(BTreeSet<Role>),
}

fn list<T: Ord>(
    value: &str,
    what: &str,
    parse: impl Fn(&str) -> Result<T, ParseError>,
) -> Result<BTreeSet<T>, ParseError> {
    let items = crate::directory::split_list(value);
    if items.is_empty() {
        return Err(ParseError(format!(
            "после «{what}:» нужен хотя бы один элемент"
        )));
    }
    items.iter().map(|v| parse(v)).collect()
}

impl Audience {
    /// Parses `all`, `clusters:F|F`, `students_low_results`, `schools:C|C`,
    /// `municipalities:C|C`, `roles:R|R`.
    pub fn parse(value: &str) -> Result<Audience, ParseError> {
        let v = value.trim();
        match v.split_once(':') {
            None => match v {
                "" | "all" => Ok(Audience::All),
                "students_low_results" => Ok(Audience::StudentsLowResults),
                _ => Err(ParseError(format!(
                    "неизвестная аудитория «{v}»; {}",
                    Self::HELP
                ))),
            },
            Some((kind, rest)) => match kind.trim() {
                "clusters" => Ok(Audience::Clusters(list(rest, kind, ClusterFlag::parse)?)),
                "schools" => Ok(Audience::Schools(list(rest, kind, SchoolCode::parse)?)),
                "municipalities" => Ok(Audience::Municipalities(list(
                    rest,
                    kind,
                    MunicipalityCode::parse,
                )?)),
                "roles" => Ok(Audience::Roles(list(rest, kind, Role::parse)?)),
                _ => Err(ParseError(format!(
                    "неизвестная аудитория «{v}»; {}",
                    Self::HELP
                ))),
            },
        }
    }

    const HELP: &'static str = "допустимы: all, clusters:ФЛАГ|ФЛАГ, students_low_results, \
         schools:КОД|КОД, municipalities:КОД|КОД, roles:РОЛЬ|РОЛЬ";

    /// Whether `account` (working in `school`, if any) is addressed, for a
    /// bank whose `subjects` (empty: every subject) narrow a teacher
    /// audience.
    pub fn includes(
        &self,
        account: &Account,
        school: Option<&School>,
        subjects: &[String],
    ) -> bool {
        if !account.active {
            return false;
        }
        if let Audience::Roles(roles) = self {
            return account.roles.iter().any(|r| roles.contains(r));
        }
        if !account.has(Role::Teacher) {
            return false;
        }
        let subject_fits = subjects.is_empty()
            || account.attrs.subjects.iter().any(|own| {
                subjects
                    .iter()
                    .any(|s| s.trim().to_lowercase() == own.trim().to_lowercase())
            });
        if !subject_fits {
            return false;
        }
        match self {
            Audience::All => true,
            Audience::StudentsLowResults => account.attrs.students_low_results,
            Audience::Clusters(flags) => {
                school.is_some_and(|s| s.clusters.iter().any(|f| flags.contains(f)))
            }
            Audience::Schools(codes) => account.school.as_ref().is_some_and(|c| codes.contains(c)),
            Audience::Municipalities(codes) => {
                school.is_some_and(|s| codes.contains(&s.municipality))
            }
            Audience::Roles(_) => unreachable!("handled above"),
        }
    }
}

impl fmt::Display for Audience {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn join<T>(items: &BTreeSet<T>, s: impl Fn(&T) -> String) -> String {
            items.iter().map(s).collect::<Vec<_>>().join("|")
        }
        match self {
            Audience::All => f.write_str("all"),
            Audience::StudentsLowResults => f.write_str("students_low_results"),
            Audience::Clusters(x) => write!(f, "clusters:{}", join(x, |c| c.as_str().into())),
            Audience::Schools(x) => write!(f, "schools:{}", join(x, |c| c.to_string())),
            Audience::Municipalities(x) => {
                write!(f, "municipalities:{}", join(x, |c| c.to_string()))
            }
            Audience::Roles(x) => write!(f, "roles:{}", join(x, |c| c.as_str().into())),
        }
    }
}

/// Where a campaign's window (its first and last day, inclusive) stands
/// on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    Planned,
    Open,
    Closed,
}

impl Window {
    pub fn on(
        opens_on: chrono::NaiveDate,
        closes_on: chrono::NaiveDate,
        today: chrono::NaiveDate,
    ) -> Window {
        if today < opens_on {
            Window::Planned
        } else if today > closes_on {
            Window::Closed
        } else {
            Window::Open
        }
    }

    /// The name used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Window::Planned => "planned",
            Window::Open => "open",
            Window::Closed => "closed",
        }
    }
}

impl Audience {
    /// A Russian description for pages.
    pub fn describe(&self) -> String {
        match self {
            Audience::All => "все педагоги".into(),
            Audience::StudentsLowResults => {
                "педагоги, обучающиеся которых показали низкие результаты".into()
            }
            Audience::Clusters(x) => format!(
                "педагоги школ: {}",
                x.iter().map(|c| c.short()).collect::<Vec<_>>().join(", ")
            ),
            Audience::Schools(x) => format!("педагоги выбранных ОО ({})", x.len()),
            Audience::Municipalities(x) => {
                format!("педагоги выбранных муниципалитетов ({})", x.len())
            }
            Audience::Roles(x) => format!(
                "сотрудники с ролями: {}",
                x.iter().map(|r| r.title()).collect::<Vec<_>>().join(", ")
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Login, TeacherAttrs};

    fn teacher(subjects: &[&str], low: bool) -> Account {
        Account {
            login: Login::parse("t").unwrap(),
            full_name: "Т".into(),
            roles: [Role::Teacher].into(),
            school: Some(SchoolCode::parse("s1").unwrap()),
            municipality: None,
            attrs: TeacherAttrs {
                subjects: subjects.iter().map(|s| s.to_string()).collect(),
                students_low_results: low,
                ..TeacherAttrs::default()
            },
            active: true,
        }
    }

    fn school(flags: &[ClusterFlag]) -> School {
        School {
            code: SchoolCode::parse("s1").unwrap(),
            municipality: MunicipalityCode::parse("m1").unwrap(),
            name: "Школа".into(),
            short_name: None,
            clusters: flags.iter().copied().collect(),
            rural: false,
            critical_monitoring: false,
            mentor_school: false,
            mentor_capacity: None,
            active: true,
        }
    }

    #[test]
    fn a_window_includes_its_first_and_last_day() {
        let d = |day| chrono::NaiveDate::from_ymd_opt(2026, 12, day).unwrap();
        assert_eq!(Window::on(d(2), d(20), d(1)), Window::Planned);
        assert_eq!(Window::on(d(2), d(20), d(2)), Window::Open);
        assert_eq!(Window::on(d(2), d(20), d(20)), Window::Open);
        assert_eq!(Window::on(d(2), d(20), d(21)), Window::Closed);
    }

    #[test]
    fn parses_and_prints_every_form() {
        for text in [
            "all",
            "students_low_results",
            "clusters:low_results|adverse_conditions",
            "schools:s1|s2",
            "municipalities:m1",
            "roles:deputy_head|principal",
        ] {
            assert_eq!(Audience::parse(text).unwrap().to_string(), text);
        }
        assert_eq!(
            Audience::parse("clusters:ШНОР").unwrap(),
            Audience::Clusters([ClusterFlag::LowResults].into())
        );
        assert!(Audience::parse("clusters:").is_err());
        assert!(
            Audience::parse("pupils")
                .unwrap_err()
                .0
                .contains("допустимы")
        );
    }

    #[test]
    fn includes_by_audience_and_subject() {
        let t = teacher(&["Математика"], true);
        let flagged = school(&[ClusterFlag::LowResults]);
        let plain = school(&[]);
        let clusters = Audience::parse("clusters:low_results").unwrap();
        assert!(clusters.includes(&t, Some(&flagged), &[]));
        assert!(!clusters.includes(&t, Some(&plain), &[]));
        assert!(Audience::All.includes(&t, Some(&plain), &["математика".into()]));
        assert!(!Audience::All.includes(&t, Some(&plain), &["Русский язык".into()]));
        assert!(Audience::StudentsLowResults.includes(&t, None, &[]));
        assert!(!Audience::StudentsLowResults.includes(&teacher(&[], false), None, &[]));
        let managers = Audience::parse("roles:deputy_head").unwrap();
        assert!(!managers.includes(&t, Some(&plain), &[]));
        let mut d = t.clone();
        d.roles = [Role::DeputyHead].into();
        assert!(managers.includes(&d, Some(&plain), &["Русский язык".into()]));
        assert!(
            !Audience::All.includes(&d, Some(&plain), &[]),
            "a teacher audience"
        );
    }
}
