//! The view models the server builds and the pages render.

use domain::{Account, ClusterFlag, Methodist, Role};
use store::{MunicipalitySummary, SchoolSummary};

/// One link of the main navigation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NavItem {
    pub href: String,
    pub label: String,
    /// The current section: marked with `aria-current="page"`.
    pub active: bool,
}

/// What every signed-in page shows around its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chrome {
    pub full_name: String,
    /// Shown as their Russian titles under the name.
    pub roles: Vec<Role>,
    pub nav: Vec<NavItem>,
    /// The hidden `csrf` input of the logout form (POST /logout).
    pub csrf: String,
}

/// The sign-in page: a form posting `login`, `password`, `csrf` to /login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginPage {
    /// The login typed last time, to keep it after a failed attempt.
    pub login: String,
    pub error: Option<String>,
    pub notice: Option<String>,
    pub csrf: String,
}

/// What an invitation token turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvitationView {
    Valid { login: String, full_name: String },
    Used,
    Expired,
    Unknown,
}

/// The page behind a one-time invitation link: set a password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationPage {
    pub token: String,
    pub state: InvitationView,
    pub error: Option<String>,
    pub csrf: String,
}

/// A teacher's own page.
#[derive(Debug, Clone, PartialEq)]
pub struct TeacherHome {
    pub chrome: Chrome,
    pub account: Account,
    pub school: Option<SchoolSummary>,
}

/// One person in a school's staff table.
#[derive(Debug, Clone, PartialEq)]
pub struct StaffRow {
    pub account: Account,
    /// The account has a password, so its holder can sign in.
    pub has_password: bool,
}

/// A school's card and its staff.
#[derive(Debug, Clone, PartialEq)]
pub struct SchoolPage {
    pub chrome: Chrome,
    pub school: SchoolSummary,
    pub staff: Vec<StaffRow>,
    /// The caller may hand out invitations in this school.
    pub can_invite: bool,
    /// The hidden `csrf` input of the invitation forms.
    pub csrf: String,
    pub notice: Option<String>,
}

/// The one-time link just issued, to hand out (or print).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationIssued {
    pub chrome: Chrome,
    pub full_name: String,
    pub login: String,
    /// The absolute link with the token.
    pub link: String,
    /// When the link stops working, already formatted for people
    /// (e.g. «05.09.2025 18:00 (МСК)»).
    pub expires: String,
    /// Where «back» leads (the school page).
    pub back_href: String,
}

/// The schools filter of the municipality and region pages. Its form sends
/// `cluster` ([`ClusterFlag::as_str`], empty for all), `municipality` (a
/// code, empty for all; region page only) and `critical_only=true` when
/// ticked (absent otherwise).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SchoolFilterView {
    pub cluster: Option<ClusterFlag>,
    pub municipality: Option<String>,
    pub critical_only: bool,
}

impl SchoolFilterView {
    /// Whether any condition narrows the list.
    pub fn is_active(&self) -> bool {
        self.cluster.is_some() || self.municipality.is_some() || self.critical_only
    }

    /// Whether a school passes the filter.
    pub fn matches(&self, s: &SchoolSummary) -> bool {
        self.matches_ignoring_municipality(s)
            && self
                .municipality
                .as_deref()
                .is_none_or(|m| s.school.municipality.as_str() == m)
    }

    pub(crate) fn matches_ignoring_municipality(&self, s: &SchoolSummary) -> bool {
        self.cluster.is_none_or(|c| s.school.clusters.contains(&c))
            && (!self.critical_only || s.school.critical_monitoring)
    }
}

/// A municipality's schools.
#[derive(Debug, Clone, PartialEq)]
pub struct MunicipalityPage {
    pub chrome: Chrome,
    pub municipality: MunicipalitySummary,
    /// The municipality's schools. Pass them all: the cluster counts are
    /// taken over this list and the page applies `filter` to the table
    /// itself (a list filtered already gives the same table).
    pub schools: Vec<SchoolSummary>,
    pub filter: SchoolFilterView,
}

/// The region overview.
#[derive(Debug, Clone, PartialEq)]
pub struct RegionPage {
    pub chrome: Chrome,
    pub municipalities: Vec<MunicipalitySummary>,
    /// The region's schools. Pass them all: the per-cluster totals are taken
    /// over this list and the page applies `filter` to the table itself
    /// (a list filtered already gives the same table).
    pub schools: Vec<SchoolSummary>,
    pub filter: SchoolFilterView,
}

/// A regional methodist's mentees.
#[derive(Debug, Clone, PartialEq)]
pub struct MentorPage {
    pub chrome: Chrome,
    pub methodist: Option<Methodist>,
    pub mentees: Vec<Account>,
}

/// An error page, with the signed-in chrome when the caller is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorPage {
    pub chrome: Option<Chrome>,
    pub status: u16,
    pub title: String,
    pub message: String,
}
