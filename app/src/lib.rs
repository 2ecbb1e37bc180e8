#![forbid(unsafe_code)]
//! Marshrut's UI: complete HTML pages rendered on the server with Leptos.
//!
//! The server loads the data, builds a view model (see [`model`]) and calls
//! a `render_*` function; the returned `String` is the whole document. No
//! hydration: links are plain links and forms are native forms posting to
//! the server's routes, so everything works with JavaScript off. Every page
//! links `/static/app.css` ([`STYLESHEET`]); the diagnostic question page
//! also loads `/static/app.js` ([`SCRIPT`]), a small plain script that
//! autosaves answers and runs the countdown.

pub mod format;
mod layout;
pub mod model;
mod pages;

pub use format::{
    excerpt, kind_title, ru_date, ru_number, ru_plural, ru_plural_word, ru_time_left, ru_years,
};
pub use model::{
    AttemptPage, BankOption, CampaignCard, CampaignPage, CampaignRow, CampaignsPage, CardState,
    Chrome, ErrorPage, FinishPage, HistoryRow, InvitationIssued, InvitationPage, InvitationView,
    LoginPage, MentorPage, MunicipalityPage, NavItem, NewCampaignForm, ParticipationView,
    ProfilePage, RegionPage, ResultRow, ReviewItem, SchoolFilterView, SchoolPage, StaffRow,
    TeacherHome,
};
pub use model::{
    CatalogueEntryForm, CatalogueEntryPage, CatalogueFilterView, CataloguePage, CatalogueRow,
};
pub use model::{
    CatalogueOption, DeficitRow, EvidenceView, RouteListRow, RoutePage, RoutesPage, SettingsForm,
    SettingsPage, StaffRoute, StepView,
};
pub use pages::attempt::{render_attempt, render_finish};
pub use pages::auth::{render_invitation, render_login};
pub use pages::banks::{
    BankAnalysisPage, BankVersionView, BanksPage, CompetenceStatsView, ItemStatsView,
    render_bank_analysis, render_banks,
};
pub use pages::campaigns::{
    AUDIENCE_KINDS, PARTICIPATION_REFRESH_SECS, render_campaign, render_campaigns,
};
pub use pages::catalogue::{FORMATS, render_catalogue, render_catalogue_entry};
pub use pages::custom_indicators::{
    CustomDefinitionForm, CustomFigureView, CustomHistoryView, CustomIndicatorItem,
    CustomIndicatorPage, CustomIndicatorsPage, CustomValueForm, render_custom_indicator,
    render_custom_indicators,
};
pub use pages::dashboard::{
    BehindRowView, BehindView, DashboardPage, IndicatorCard, PartRowView, render_dashboard,
};
pub use pages::directory::{MentorPairView, SCHOOLS_SHOWN, render_municipality, render_region};
pub use pages::error::render_error;
pub use pages::matching::{
    ActiveView, AssignmentPage, CapacityView, EndingView, HistoryView, MatchingKind, MatchingPage,
    ProposalView, UnassignedView, render_assignment, render_matching,
};
pub use pages::mentor::{
    CONSULTATION_FORMS, ConsultationForm, ConsultationView, MenteePage, MenteeRow, render_mentee,
    render_mentor,
};
pub use pages::profile::render_profile;
pub use pages::roadmap::{ROADMAP_FILTERS, RoadmapItemView, RoadmapPage, render_roadmap};
pub use pages::routes::{ROUTE_FILTERS, STEP_KINDS, render_route, render_routes};
pub use pages::school::{SchoolLink, render_invitation_issued, render_school};
pub use pages::settings::{PRIORITY_GROUPS, render_settings};
pub use pages::targets::{
    TARGET_SCOPES, TargetForm, TargetIndicatorView, TargetView, TargetsPage, render_targets,
};
pub use pages::teacher::render_teacher_home;

/// The stylesheet every page links; the server serves it at `/static/app.css`.
pub const STYLESHEET: &str = include_str!("../style/app.css");

/// The page script the diagnostic question page loads; the server serves it
/// at `/static/app.js` (`text/javascript; charset=utf-8`). Plain JavaScript,
/// no libraries; every page works without it.
pub const SCRIPT: &str = include_str!("../static/app.js");

#[cfg(test)]
pub(crate) mod tests {
    //! Fixtures and checks the page tests share.

    use domain::{
        Account, Login, Municipality, MunicipalityCode, Role, School, SchoolCode, TeacherAttrs,
    };
    use store::{MunicipalitySummary, SchoolSummary};

    use crate::{Chrome, NavItem};

    /// Checks what every page carries.
    pub fn assert_page(html: &str, title: &str) {
        assert!(
            html.starts_with("<!DOCTYPE html><html lang=\"ru\">"),
            "{html}"
        );
        assert!(html.contains(r#"<meta charset="utf-8">"#), "{html}");
        assert!(
            html.contains(
                r#"<meta name="viewport" content="width=device-width, initial-scale=1">"#
            )
        );
        assert!(
            html.contains(&format!("<title>{title} — Маршрут</title>")),
            "{html}"
        );
        assert!(html.contains(r#"<link rel="stylesheet" href="/static/app.css">"#));
        assert!(html.contains("<main id=\"main\""));
        assert!(html.trim_end().ends_with("</html>"), "{html}");
        assert!(!html.contains("<!>"), "{html}");
        assert!(!html.contains("http://") && !html.contains("//cdn"));
    }

    pub fn chrome() -> Chrome {
        Chrome {
            full_name: "Кузнецова Мария Ивановна".into(),
            roles: vec![Role::DeputyHead, Role::Teacher],
            nav: vec![
                NavItem {
                    href: "/".into(),
                    label: "Мой профиль".into(),
                    active: false,
                },
                NavItem {
                    href: "/schools/67-001".into(),
                    label: "Моя школа".into(),
                    active: true,
                },
            ],
            csrf: "chrome-csrf".into(),
        }
    }

    pub fn teacher(login: &str, name: &str) -> Account {
        Account {
            login: Login::parse(login).unwrap(),
            full_name: name.into(),
            roles: [Role::Teacher].into(),
            school: Some(SchoolCode::parse("67-001").unwrap()),
            municipality: None,
            attrs: TeacherAttrs {
                subjects: vec!["Математика".into(), "Физика".into()],
                position: Some("учитель математики".into()),
                experience_years: Some(3.0),
                hired_on: None,
                students_low_results: false,
            },
            active: true,
        }
    }

    pub fn school(code: &str, name: &str) -> SchoolSummary {
        SchoolSummary {
            school: School {
                code: SchoolCode::parse(code).unwrap(),
                municipality: MunicipalityCode::parse("m1").unwrap(),
                name: name.into(),
                short_name: None,
                clusters: Default::default(),
                rural: false,
                critical_monitoring: false,
                mentor_school: false,
                mentor_capacity: None,
                active: true,
            },
            municipality_name: "Смоленский район".into(),
            teachers: 12,
        }
    }

    pub fn municipality(
        code: &str,
        name: &str,
        schools: u32,
        teachers: u32,
    ) -> MunicipalitySummary {
        MunicipalitySummary {
            municipality: Municipality {
                code: MunicipalityCode::parse(code).unwrap(),
                name: name.into(),
            },
            schools,
            teachers,
        }
    }

    #[test]
    fn chrome_shows_nav_user_and_logout() {
        let html = crate::render_error(&crate::ErrorPage {
            chrome: Some(chrome()),
            status: 403,
            title: "Нет доступа".into(),
            message: "У вас нет прав на эту страницу.".into(),
        });
        assert!(html.contains(r#"<a class="brand" href="/">Маршрут</a>"#));
        assert!(html.contains("Кузнецова Мария Ивановна"));
        assert!(html.contains("Заместитель директора по УВР, Педагог"));
        assert!(
            html.contains(r#"<a href="/schools/67-001" aria-current="page">Моя школа</a>"#),
            "{html}"
        );
        assert!(html.contains(r#"<a href="/">Мой профиль</a>"#));
        assert!(html.contains(r#"<form method="post" action="/logout" class="account__logout">"#));
        assert!(html.contains(r#"<input type="hidden" name="csrf" value="chrome-csrf">"#));
        assert!(html.contains(">Выйти</button>"));
    }

    #[test]
    fn script_has_its_hooks_and_no_outside_sources() {
        for needle in [
            "form[data-autosave]",
            "data-kind",
            "data-save-url",
            "[data-save-status]",
            "X-CSRF-Token",
            "meta[name=\"csrf-token\"]",
            "[data-deadline]",
            "data-remaining",
            "Время вышло",
            "Сохранено",
            "Не удалось сохранить — ответ будет сохранён при переходе",
        ] {
            assert!(crate::SCRIPT.contains(needle), "{needle}");
        }
        assert!(!crate::SCRIPT.contains("http://") && !crate::SCRIPT.contains("https://"));
        // Never blocks the native submission.
        assert!(!crate::SCRIPT.contains("preventDefault"));
    }

    #[test]
    fn stylesheet_has_levels_and_print() {
        for needle in [
            ".level-critical",
            ".level-high",
            ".level-reduced",
            ".level-none",
            "@media print",
            ".table-wrap",
        ] {
            assert!(crate::STYLESHEET.contains(needle), "{needle}");
        }
    }
}
