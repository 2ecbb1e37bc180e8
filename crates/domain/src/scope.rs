//! Who is asking and what they may see.
//!
//! A request's caller becomes a [`Scope`]: the union of what each of its
//! roles reaches. Every store read takes one, so there is no unscoped read a
//! handler can reach. Region-wide writes (imports, accounts) need a
//! [`RegionAuthority`], which only an administrator or the operator at the
//! command line can obtain.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::{Login, MunicipalityCode, Role, SchoolCode};

/// The authenticated person behind a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Caller {
    pub login: Login,
    pub full_name: String,
    pub roles: BTreeSet<Role>,
    pub school: Option<SchoolCode>,
    pub municipality: Option<MunicipalityCode>,
}

impl Caller {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    pub fn has_any(&self, roles: &[Role]) -> bool {
        roles.iter().any(|r| self.roles.contains(r))
    }

    pub fn scope(&self) -> Scope {
        Scope::of(self)
    }
}

/// What a caller may read: the union of its roles' reach.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Scope {
    /// The whole region (ЦНППМ methodists, administrators).
    pub region: bool,
    /// Whole municipalities (municipal coordinators).
    pub municipalities: BTreeSet<MunicipalityCode>,
    /// Whole schools (deputy heads, principals).
    pub schools: BTreeSet<SchoolCode>,
    /// The caller's own records.
    pub own: Option<Login>,
    /// A regional methodist's assigned mentees (by the mentor's login).
    pub mentees_of: Option<Login>,
}

impl Scope {
    pub fn of(caller: &Caller) -> Scope {
        let mut scope = Scope {
            own: Some(caller.login.clone()),
            ..Scope::default()
        };
        for role in &caller.roles {
            match role {
                Role::Teacher => {}
                Role::DeputyHead | Role::Principal => {
                    if let Some(s) = &caller.school {
                        scope.schools.insert(s.clone());
                    }
                }
                Role::MunicipalCoordinator => {
                    if let Some(m) = &caller.municipality {
                        scope.municipalities.insert(m.clone());
                    }
                }
                Role::Mentor => scope.mentees_of = Some(caller.login.clone()),
                Role::CnppmMethodist | Role::Admin => scope.region = true,
            }
        }
        scope
    }

    /// The whole region: for work the operator runs (the command line).
    pub fn region() -> Scope {
        Scope {
            region: true,
            ..Scope::default()
        }
    }

    pub fn sees_municipality(&self, code: &MunicipalityCode) -> bool {
        self.region || self.municipalities.contains(code)
    }

    pub fn sees_school(&self, code: &SchoolCode, municipality: &MunicipalityCode) -> bool {
        self.region || self.schools.contains(code) || self.municipalities.contains(municipality)
    }

    /// Whether a person is visible, given where they work. Assigned mentees
    /// are resolved by the store, which knows the assignments.
    pub fn sees_person(
        &self,
        login: &Login,
        school: Option<(&SchoolCode, &MunicipalityCode)>,
        municipality: Option<&MunicipalityCode>,
    ) -> bool {
        self.region
            || self.own.as_ref() == Some(login)
            || school.is_some_and(|(s, m)| self.sees_school(s, m))
            || municipality.is_some_and(|m| self.municipalities.contains(m))
    }
}

/// Proof that the holder may write region-wide data: imports, accounts.
/// It cannot be built outside this crate except through the two
/// constructors, so a handler that has none cannot reach such a write.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RegionAuthority {
    /// Who acts, for the audit log (`None`: the operator at the command line).
    pub actor: Option<Login>,
}

impl RegionAuthority {
    /// An administrator acting through the web or the API.
    pub fn for_caller(caller: &Caller) -> Option<Self> {
        caller.has(Role::Admin).then(|| RegionAuthority {
            actor: Some(caller.login.clone()),
        })
    }

    /// A ЦНППМ methodist (or an administrator) doing region-wide route
    /// work: generating draft routes reads every teacher's diagnostics and
    /// writes drafts for the region. The server hands it only to the route
    /// handlers; imports and accounts stay with [`Self::for_caller`].
    pub fn for_route_work(caller: &Caller) -> Option<Self> {
        caller
            .has_any(&[Role::CnppmMethodist, Role::Admin])
            .then(|| RegionAuthority {
                actor: Some(caller.login.clone()),
            })
    }

    /// A ЦНППМ methodist (or an administrator) keeping the region's
    /// indicators: setting and removing targets, defining custom
    /// indicators. The server hands it only to those handlers; imports and
    /// accounts stay with [`Self::for_caller`].
    pub fn for_indicator_work(caller: &Caller) -> Option<Self> {
        caller
            .has_any(&[Role::CnppmMethodist, Role::Admin])
            .then(|| RegionAuthority {
                actor: Some(caller.login.clone()),
            })
    }

    /// The operator running the `marshrut` command on the server.
    pub fn command_line() -> Self {
        RegionAuthority { actor: None }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller(roles: &[Role]) -> Caller {
        Caller {
            login: Login::parse("x").unwrap(),
            full_name: "Икс".into(),
            roles: roles.iter().copied().collect(),
            school: Some(SchoolCode::parse("s1").unwrap()),
            municipality: Some(MunicipalityCode::parse("m1").unwrap()),
        }
    }

    #[test]
    fn scope_is_the_union_of_roles() {
        let m1 = MunicipalityCode::parse("m1").unwrap();
        let m2 = MunicipalityCode::parse("m2").unwrap();
        let s1 = SchoolCode::parse("s1").unwrap();
        let s2 = SchoolCode::parse("s2").unwrap();

        let teacher = caller(&[Role::Teacher]).scope();
        assert!(!teacher.sees_school(&s1, &m1));
        assert!(teacher.sees_person(&Login::parse("X").unwrap(), None, None));

        let deputy = caller(&[Role::Teacher, Role::DeputyHead]).scope();
        assert!(deputy.sees_school(&s1, &m1));
        assert!(!deputy.sees_school(&s2, &m1));
        assert!(!deputy.sees_municipality(&m1));

        let coord = caller(&[Role::MunicipalCoordinator]).scope();
        assert!(coord.sees_school(&s2, &m1));
        assert!(!coord.sees_school(&s2, &m2));

        let region = caller(&[Role::CnppmMethodist]).scope();
        assert!(region.sees_school(&s2, &m2));
    }

    #[test]
    fn only_admins_get_region_authority() {
        assert!(RegionAuthority::for_caller(&caller(&[Role::Admin])).is_some());
        assert!(RegionAuthority::for_caller(&caller(&[Role::CnppmMethodist])).is_none());
        assert!(RegionAuthority::for_indicator_work(&caller(&[Role::CnppmMethodist])).is_some());
        assert!(
            RegionAuthority::for_indicator_work(&caller(&[Role::MunicipalCoordinator])).is_none()
        );
    }
}
