//! The region's directory: municipalities, schools, staff, methodists.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::{Login, MunicipalityCode, ParseError, Role, SchoolCode};

/// A municipality (муниципальное образование, its ОМСУ).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Municipality {
    pub code: MunicipalityCode,
    pub name: String,
}

/// A school's cluster flag; a school can carry several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClusterFlag {
    /// ШНОР / ШНРО — school with low results
    LowResults,
    /// ШсРНР — school at risk of low results
    RiskLowResults,
    /// ШФНСУ — school in adverse social conditions
    AdverseConditions,
}

impl ClusterFlag {
    pub const ALL: [ClusterFlag; 3] = [
        ClusterFlag::LowResults,
        ClusterFlag::RiskLowResults,
        ClusterFlag::AdverseConditions,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ClusterFlag::LowResults => "low_results",
            ClusterFlag::RiskLowResults => "risk_low_results",
            ClusterFlag::AdverseConditions => "adverse_conditions",
        }
    }

    /// The abbreviation regions use.
    pub fn short(self) -> &'static str {
        match self {
            ClusterFlag::LowResults => "ШНОР",
            ClusterFlag::RiskLowResults => "ШсРНР",
            ClusterFlag::AdverseConditions => "ШФНСУ",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            ClusterFlag::LowResults => "Школа с низкими образовательными результатами",
            ClusterFlag::RiskLowResults => "Школа с риском низких образовательных результатов",
            ClusterFlag::AdverseConditions => {
                "Школа, функционирующая в неблагоприятных социальных условиях"
            }
        }
    }

    pub fn parse(value: &str) -> Result<Self, ParseError> {
        let v = value.trim().to_lowercase();
        Ok(match v.as_str() {
            "low_results" | "шнор" | "шнро" => ClusterFlag::LowResults,
            "risk_low_results" | "шсрнр" => ClusterFlag::RiskLowResults,
            "adverse_conditions" | "шфнсу" => ClusterFlag::AdverseConditions,
            _ => {
                return Err(ParseError(
                    "неизвестный кластер; допустимы: low_results (ШНОР), \
                     risk_low_results (ШсРНР), adverse_conditions (ШФНСУ)"
                        .into(),
                ));
            }
        })
    }
}

/// A school (образовательная организация, ОО).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct School {
    pub code: SchoolCode,
    pub municipality: MunicipalityCode,
    pub name: String,
    pub short_name: Option<String>,
    pub clusters: BTreeSet<ClusterFlag>,
    pub rural: bool,
    /// The school has critical values in the monitoring (критические значения).
    pub critical_monitoring: bool,
    /// The school can mentor others (школа-наставник).
    pub mentor_school: bool,
    /// How many schools it can mentor; `None` means the policy default.
    pub mentor_capacity: Option<u32>,
    pub active: bool,
}

impl School {
    /// The name to show where space is short.
    pub fn display_name(&self) -> &str {
        self.short_name.as_deref().unwrap_or(&self.name)
    }
}

/// What a teacher's record says beyond the account.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TeacherAttrs {
    pub subjects: Vec<String>,
    pub position: Option<String>,
    /// Pedagogical experience in years (стаж); fractional years are allowed.
    pub experience_years: Option<f64>,
    pub hired_on: Option<NaiveDate>,
    /// The teacher's students showed low results (ВПР/ОГЭ/ЕГЭ).
    pub students_low_results: bool,
}

/// A person's account: who they are, where they work, what they may do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Account {
    pub login: Login,
    pub full_name: String,
    pub roles: BTreeSet<Role>,
    pub school: Option<SchoolCode>,
    pub municipality: Option<MunicipalityCode>,
    pub attrs: TeacherAttrs,
    pub active: bool,
}

impl Account {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Checks the rules that tie roles to a place of work.
    pub fn check_placement(&self) -> Result<(), ParseError> {
        if self.roles.is_empty() {
            return Err(ParseError(
                "у учётной записи должна быть хотя бы одна роль".into(),
            ));
        }
        if self.school.is_none() && self.roles.iter().any(|r| r.needs_school()) {
            return Err(ParseError(
                "для ролей педагога, заместителя и руководителя нужно указать ОО".into(),
            ));
        }
        if self.municipality.is_none() && self.roles.iter().any(|r| r.needs_municipality()) {
            return Err(ParseError(
                "для муниципального координатора нужно указать муниципалитет".into(),
            ));
        }
        Ok(())
    }
}

/// A regional methodist (региональный методист): the `mentor` role's data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Methodist {
    pub login: Login,
    pub subjects: Vec<String>,
    pub municipality: Option<MunicipalityCode>,
    /// Maximum number of mentees (макс. подопечных).
    pub capacity: u32,
    /// Works remotely, so the municipality does not matter.
    pub remote: bool,
}

/// Splits a `|`-separated list cell, trimming and dropping empty parts.
pub fn split_list(value: &str) -> Vec<String> {
    value
        .split('|')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_flags_accept_russian_abbreviations() {
        assert_eq!(ClusterFlag::parse("ШНРО").unwrap(), ClusterFlag::LowResults);
        assert_eq!(
            ClusterFlag::parse("шсрнр").unwrap(),
            ClusterFlag::RiskLowResults
        );
        assert_eq!(
            ClusterFlag::parse(" ШФНСУ ").unwrap(),
            ClusterFlag::AdverseConditions
        );
        assert!(ClusterFlag::parse("ШНР").is_err());
    }

    #[test]
    fn a_teacher_needs_a_school() {
        let mut a = Account {
            login: Login::parse("t1").unwrap(),
            full_name: "Иванова Анна Петровна".into(),
            roles: [Role::Teacher].into(),
            school: None,
            municipality: None,
            attrs: TeacherAttrs::default(),
            active: true,
        };
        assert!(a.check_placement().is_err());
        a.school = Some(SchoolCode::parse("s1").unwrap());
        assert!(a.check_placement().is_ok());
        a.roles.insert(Role::MunicipalCoordinator);
        assert!(a.check_placement().is_err());
    }

    #[test]
    fn list_cells_split_on_bars() {
        assert_eq!(
            split_list(" Математика | Физика ||"),
            vec!["Математика", "Физика"]
        );
        assert!(split_list("").is_empty());
    }
}
