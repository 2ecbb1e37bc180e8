//! Roles. An account holds one or more; its scope is the union of theirs.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ParseError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// педагог
    Teacher,
    /// заместитель директора по УВР
    DeputyHead,
    /// руководитель ОО
    Principal,
    /// координатор ОМСУ / МОЦ
    MunicipalCoordinator,
    /// региональный методист (managed only by the `methodists` import)
    Mentor,
    /// методист ЦНППМ
    CnppmMethodist,
    /// администратор
    Admin,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Teacher,
        Role::DeputyHead,
        Role::Principal,
        Role::MunicipalCoordinator,
        Role::Mentor,
        Role::CnppmMethodist,
        Role::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Teacher => "teacher",
            Role::DeputyHead => "deputy_head",
            Role::Principal => "principal",
            Role::MunicipalCoordinator => "municipal_coordinator",
            Role::Mentor => "mentor",
            Role::CnppmMethodist => "cnppm_methodist",
            Role::Admin => "admin",
        }
    }

    /// The Russian name shown to users.
    pub fn title(self) -> &'static str {
        match self {
            Role::Teacher => "Педагог",
            Role::DeputyHead => "Заместитель директора по УВР",
            Role::Principal => "Руководитель ОО",
            Role::MunicipalCoordinator => "Муниципальный координатор",
            Role::Mentor => "Региональный методист",
            Role::CnppmMethodist => "Методист ЦНППМ",
            Role::Admin => "Администратор",
        }
    }

    /// Parses the English name or a Russian form, case-insensitively.
    pub fn parse(value: &str) -> Result<Self, ParseError> {
        let v = value.trim().to_lowercase();
        let role = match v.as_str() {
            "teacher" | "педагог" | "учитель" => Role::Teacher,
            "deputy_head" | "заместитель" | "зам. директора" | "заместитель директора" => {
                Role::DeputyHead
            }
            "principal" | "руководитель" | "директор" => Role::Principal,
            "municipal_coordinator" | "координатор" => Role::MunicipalCoordinator,
            "mentor" | "наставник" | "региональный методист" => {
                Role::Mentor
            }
            "cnppm_methodist" | "методист цнппм" => Role::CnppmMethodist,
            "admin" | "администратор" => Role::Admin,
            _ => {
                return Err(ParseError(
                    "неизвестная роль; допустимы: teacher (педагог), deputy_head (заместитель), \
                     principal (руководитель), municipal_coordinator (координатор), \
                     cnppm_methodist (методист ЦНППМ), admin (администратор)"
                        .into(),
                ));
            }
        };
        Ok(role)
    }

    /// Roles whose holder works in a school and so must name one.
    pub fn needs_school(self) -> bool {
        matches!(self, Role::Teacher | Role::DeputyHead | Role::Principal)
    }

    /// Roles whose holder works for a municipality and so must name one.
    pub fn needs_municipality(self) -> bool {
        matches!(self, Role::MunicipalCoordinator)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_round_trips_and_has_russian_aliases() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()).unwrap(), r);
        }
        assert_eq!(Role::parse("Учитель").unwrap(), Role::Teacher);
        assert_eq!(Role::parse("методист ЦНППМ").unwrap(), Role::CnppmMethodist);
        assert!(Role::parse("завуч-директор").is_err());
    }
}
