//! The view models the server builds and the pages render.

use domain::attempt::ItemView;
use domain::{Account, ClusterFlag, Level, Methodist, Response, Role};
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

/// A teacher's own page: the profile record and the «Диагностика» section.
#[derive(Debug, Clone, PartialEq)]
pub struct TeacherHome {
    pub chrome: Chrome,
    pub account: Account,
    pub school: Option<SchoolSummary>,
    /// The campaigns open to the teacher (an empty list shows «Назначенных
    /// диагностик пока нет»).
    pub campaigns: Vec<CampaignCard>,
    /// Completed diagnostics, newest first (table «Пройденные диагностики»).
    pub diagnostics: Vec<HistoryRow>,
    /// The hidden `csrf` input of the «Начать диагностику» forms.
    pub csrf: String,
    /// The regional methodist who accompanies the teacher now, if any.
    pub methodist: Option<String>,
}

/// One person in a school's staff table.
#[derive(Debug, Clone, PartialEq)]
pub struct StaffRow {
    pub account: Account,
    /// The account has a password, so its holder can sign in.
    pub has_password: bool,
    /// The teacher's current level and its regional name.
    pub level: Option<(Level, String)>,
    /// The teacher's route for the current period, as the caller may see it.
    pub route: Option<StaffRoute>,
    /// The name of the regional methodist who accompanies the teacher now
    /// (an active assignment), if any.
    pub methodist: Option<String>,
}

/// A teacher's route in the school's staff list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffRoute {
    pub id: i64,
    /// `draft`, `approved`, `completed`.
    pub status_key: &'static str,
    pub status: String,
    /// Confirmed mandatory steps, mandatory steps.
    pub progress: (usize, usize),
    /// Steps waiting for the deputy head's confirmation.
    pub waiting: usize,
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
    /// The school's active mentor school, if any.
    pub mentor: Option<crate::SchoolLink>,
    /// The schools this one mentors now (a mentor school), by name.
    pub mentored: Vec<crate::SchoolLink>,
    /// The school's indicators against their targets.
    pub indicators: Vec<crate::IndicatorCard>,
    /// The school's dashboard, when the caller may open it.
    pub indicators_href: Option<String>,
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
    /// Active mentor-school pairs where either school is in the
    /// municipality, by the mentored school's name.
    pub mentor_pairs: Vec<crate::MentorPairView>,
    /// The municipality's indicators against their targets.
    pub indicators: Vec<crate::IndicatorCard>,
    /// The municipality's dashboard, when the caller may open it.
    pub indicators_href: Option<String>,
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
    /// The teachers actively assigned to the methodist, by name.
    pub mentees: Vec<crate::MenteeRow>,
}

/// An error page, with the signed-in chrome when the caller is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorPage {
    pub chrome: Option<Chrome>,
    pub status: u16,
    pub title: String,
    pub message: String,
}

// ---- diagnostics -------------------------------------------------------------

/// A campaign as the teacher sees it on the home page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignCard {
    pub id: i64,
    pub title: String,
    pub bank_title: String,
    /// Already formatted: «01.12.2026 – 31.12.2026».
    pub window: String,
    pub time_limit_minutes: u32,
    /// Items in one attempt.
    pub items: usize,
    pub state: CardState,
}

/// Where the teacher stands in a campaign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CardState {
    /// A form POST `/campaigns/{id}/start` (hidden `csrf`): «Начать диагностику».
    NotStarted,
    /// A link «Продолжить» to `/attempts/{attempt_id}`.
    InProgress {
        attempt_id: i64,
        answered: usize,
        /// «22.11.2026 15:40 (МСК)».
        deadline_text: String,
    },
    /// A link «Результаты» to `/diagnostics/{diagnostic_id}`.
    Finished { diagnostic_id: i64 },
}

/// One completed diagnostic in a history table (links `/diagnostics/{id}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryRow {
    pub diagnostic_id: i64,
    pub bank_title: String,
    /// «22.11.2026».
    pub taken_on: String,
    /// «онлайн» or «импорт».
    pub source: String,
    /// «62,50 %».
    pub percent: String,
    pub level: Level,
    /// The region's name of the level (a setting).
    pub level_title: String,
}

/// One question of an attempt per screen.
///
/// The answer form posts to `/attempts/{attempt_id}/items/{item.id}` with
/// `csrf`, `go` (`prev`, `stay`, `next` or `finish`) and the answer fields
/// by the item's kind:
///
/// | kind | fields |
/// |---|---|
/// | single | `choice` = the option's bank index (absent: no answer) |
/// | multiple | `choice`, repeated, one per ticked option (none: no answer) |
/// | matching | `match_{left}` = the right index or empty, per left choice |
/// | ordering | `pos_{option}` = its place `1..=n` or empty, per option |
/// | numeric | `number`: text as typed, a decimal comma allowed («12,5») |
/// | text | `text` |
///
/// The same form autosaves with the page script: `PUT
/// /api/v1/attempts/{attempt_id}/responses/{item.id}` with
/// `{"response": …}` and the `X-CSRF-Token` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptPage {
    pub chrome: Chrome,
    pub attempt_id: i64,
    pub campaign_title: String,
    pub bank_title: String,
    /// 0-based position of the shown item.
    pub position: usize,
    pub total: usize,
    /// Whether each position has a saved answer (index = position).
    pub answered: Vec<bool>,
    /// Never carries an answer key: see [`ItemView`].
    pub item: ItemView,
    /// The saved response to pre-fill the form with.
    pub response: Option<Response>,
    /// RFC 3339, for the page script's countdown.
    pub deadline_utc: String,
    /// «22.11.2026 15:40 (МСК)».
    pub deadline_text: String,
    /// Seconds left when the page was rendered (the countdown counts from
    /// this, so a wrong clock on the teacher's computer does not matter).
    pub remaining_secs: i64,
    /// The form's hidden `csrf` and the page's `<meta name="csrf-token">`.
    pub csrf: String,
    pub error: Option<String>,
    /// Show «Ответ сохранён» (after a save that stayed on the question).
    pub saved: bool,
}

/// «Завершить диагностику?»: the confirmation before submitting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinishPage {
    pub chrome: Chrome,
    pub attempt_id: i64,
    pub campaign_title: String,
    pub total: usize,
    /// 1-based positions and stem excerpts (shortened to 120 characters if
    /// longer; see [`crate::excerpt`]).
    pub unanswered: Vec<(usize, String)>,
    /// «Осталось 12 мин».
    pub remaining_text: String,
    pub csrf: String,
}

/// A diagnostic's result (профиль дефицитов).
#[derive(Debug, Clone, PartialEq)]
pub struct ProfilePage {
    pub chrome: Chrome,
    pub teacher_name: String,
    pub bank_title: String,
    pub version: String,
    /// «22.11.2026».
    pub taken_on: String,
    /// «онлайн» or «импорт».
    pub source: String,
    /// The overall result (`code` and `standard_ref` are not shown).
    pub overall: ResultRow,
    /// In the bank's order.
    pub competences: Vec<ResultRow>,
    /// The date of the previous diagnostic on the same bank, which the
    /// `change` values compare with.
    pub previous_taken_on: Option<String>,
    /// The item review, when the bank's `review` setting allows it now.
    pub review: Option<Vec<ReviewItem>>,
    /// Why there is no review («Разбор заданий будет доступен после закрытия
    /// диагностики»); shown when `review` is `None`.
    pub review_note: Option<String>,
    /// The teacher's diagnostics, newest first.
    pub history: Vec<HistoryRow>,
    /// The bank's level thresholds (critical below, high below, reduced
    /// below), drawn as the chart's guide lines and named in its legend.
    pub thresholds: [f64; 3],
}

/// A result line: overall or one competence.
#[derive(Debug, Clone, PartialEq)]
pub struct ResultRow {
    /// `K1` (or `pedagogy-core:K1`).
    pub code: String,
    pub title: String,
    /// «ПС «Педагог», A/01.6».
    pub standard_ref: Option<String>,
    /// 0–100, drawn in the chart.
    pub percent: f64,
    /// «62,50 %».
    pub percent_text: String,
    pub level: Level,
    /// The region's display name of the level («критический»).
    pub level_title: String,
    /// Percentage points against the previous diagnostic on the same bank:
    /// «+12,50», «−5,00», «0,00».
    pub change: Option<String>,
}

/// One item in the review after the diagnostic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewItem {
    /// 1-based.
    pub position: usize,
    pub competence_title: String,
    /// The item kind: `single`… (shown in Russian) or a Russian title.
    pub kind: String,
    pub context: Option<String>,
    pub stem: String,
    /// The teacher's answer in words («не дан ответ» when empty).
    pub given: String,
    pub correct: String,
    /// «0,5 из 1».
    pub score_text: String,
    /// Full points.
    pub full: bool,
    pub explanation: Option<String>,
}

/// The ЦНППМ methodist's campaigns and the form to open one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignsPage {
    pub chrome: Chrome,
    pub campaigns: Vec<CampaignRow>,
    pub banks: Vec<BankOption>,
    pub csrf: String,
    pub error: Option<String>,
    /// The values of the form (kept after a refused submission).
    pub form: NewCampaignForm,
}

/// A campaign in the methodist's list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignRow {
    pub id: i64,
    pub title: String,
    pub bank_title: String,
    /// «01.12.2026 – 31.12.2026».
    pub window: String,
    /// In words: «педагоги школ кластеров: ШНОР, ШФНСУ».
    pub audience: String,
    /// «открыта», «запланирована», «завершена».
    pub status: String,
    /// Accounts the audience takes in.
    pub addressed: usize,
    /// Attempts in progress now (not counting finished ones), as
    /// `store::ParticipationRow::started`.
    pub started: usize,
    /// Attempts submitted or expired.
    pub finished: usize,
}

/// A bank version to open a campaign on: the select's value is `id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankOption {
    /// The stored bank version's id.
    pub id: i64,
    pub title: String,
    pub version: String,
}

/// The new-campaign form, POST `/campaigns`: `csrf`, `title`, `bank` (a
/// [`BankOption::id`]), `from`, `to` (`YYYY-MM-DD`), `audience_kind` (`all`,
/// `clusters`, `students_low_results`, `schools`, `municipalities`,
/// `roles`) and `audience_value` (codes separated by `|`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewCampaignForm {
    pub title: String,
    pub bank: String,
    /// `YYYY-MM-DD`.
    pub from: String,
    /// `YYYY-MM-DD`.
    pub to: String,
    pub audience_kind: String,
    pub audience_value: String,
}

/// One campaign's live participation (the page refreshes itself every minute).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignPage {
    pub chrome: Chrome,
    pub campaign: CampaignRow,
    pub bank_title: String,
    /// Per municipality or school.
    pub rows: Vec<ParticipationView>,
}

/// Participation of one municipality or school.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParticipationView {
    pub name: String,
    /// A drill-down link (a municipality's schools), if any.
    pub href: Option<String>,
    pub addressed: usize,
    /// In progress now, not counting finished ones.
    pub started: usize,
    pub finished: usize,
}

/// «Маршруты» of the ЦНППМ methodist: every route of the period, filtered
/// by status, and the button that proposes drafts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoutesPage {
    pub chrome: Chrome,
    pub csrf: String,
    /// «01.01.2027 – 31.05.2027».
    pub period: String,
    /// `""` (all), `draft`, `approved`, `completed`.
    pub status_filter: String,
    /// Drafts, approved (in progress), completed.
    pub counts: [usize; 3],
    pub rows: Vec<RouteListRow>,
    /// Rows not shown past the page's limit.
    pub more: usize,
    pub notice: Option<String>,
    /// The caller may propose drafts (a ЦНППМ methodist or an administrator).
    pub can_generate: bool,
    /// For the generation form: campaign ids and titles.
    pub campaigns: Vec<(String, String)>,
    /// For the generation form: municipality codes and names.
    pub municipalities: Vec<(String, String)>,
}

/// One route in a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteListRow {
    pub id: i64,
    pub teacher_name: String,
    pub school: String,
    pub level: Option<Level>,
    pub level_title: String,
    /// `draft`, `approved`, `completed`.
    pub status_key: &'static str,
    pub status: String,
    pub edited: bool,
    pub needs_review: bool,
    pub steps: usize,
    pub hours: u32,
    pub uncovered: usize,
    /// Confirmed mandatory steps, mandatory steps.
    pub progress: (usize, usize),
    /// Steps the teacher marked done that wait for the deputy head.
    pub waiting: usize,
}

/// One route: the teacher's profile beside the steps, and what the caller
/// may do with it (edit and approve a draft; mark a step done; confirm it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoutePage {
    pub chrome: Chrome,
    pub csrf: String,
    pub id: i64,
    pub teacher_name: String,
    pub position: String,
    pub subjects: String,
    pub school: String,
    pub municipality: String,
    pub period: String,
    /// The first and last day, for the date inputs (`YYYY-MM-DD`).
    pub period_bounds: (String, String),
    pub status_key: &'static str,
    pub status: String,
    /// «Утверждён 03.12.2026 (Князева Диана Сергеевна)».
    pub approved: Option<String>,
    /// A diagnostic newer than the approval: the methodist should look again.
    pub needs_review: bool,
    /// The teacher's current deficits, most severe first.
    pub profile: Vec<DeficitRow>,
    pub steps: Vec<StepView>,
    /// What generation could not cover, with the reason.
    pub uncovered: Vec<String>,
    /// Mandatory deficits no step of the route addresses (after edits).
    pub missing: Vec<String>,
    pub hours: u32,
    pub budget: u32,
    /// Confirmed mandatory steps, mandatory steps.
    pub progress: (usize, usize),
    pub can_edit: bool,
    pub can_submit: bool,
    pub can_review: bool,
    /// Catalogue entries that fit the teacher, for the «add a step» form.
    pub catalogue: Vec<CatalogueOption>,
    pub notice: Option<String>,
    pub error: Option<String>,
}

/// One competence of the teacher's current profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeficitRow {
    /// `BANK:CODE`, the value of the «add a step» form's competence field.
    pub competence: String,
    pub title: String,
    /// «45,00 %» or «—».
    pub percent: String,
    pub level: Level,
    pub level_title: String,
}

/// One step of a route as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepView {
    pub position: u32,
    /// «курс повышения квалификации».
    pub kind: String,
    pub title: String,
    /// The catalogue code, if it comes from the catalogue.
    pub course: Option<String>,
    pub provider: Option<String>,
    /// The titles of the deficits it addresses.
    pub competences: Vec<String>,
    pub hours: u32,
    pub mandatory: bool,
    /// «16.02.2027 – 01.03.2027», «в течение периода».
    pub dates: String,
    /// For the date inputs: `YYYY-MM-DD` or empty.
    pub starts_on: String,
    pub ends_on: String,
    pub mentor: Option<String>,
    pub expected_result: String,
    pub reporting_form: String,
    /// `planned`, `submitted`, `confirmed`, `returned`.
    pub status_key: &'static str,
    pub status: String,
    /// The deputy head's comment on a returned (or confirmed) step.
    pub comment: Option<String>,
    pub evidence: Vec<EvidenceView>,
    /// Colleagues the caller may name as this mentoring step's mentor
    /// (login, name); empty when the caller may not.
    pub mentor_options: Vec<(String, String)>,
}

/// One piece of evidence a teacher gave for a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceView {
    /// «03.12.2026 14:05».
    pub when: String,
    pub text: Option<String>,
    pub url: Option<String>,
    /// A stored file: its name and download link.
    pub file: Option<(String, String)>,
}

/// A catalogue entry offered in the «add a step» form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogueOption {
    pub code: String,
    /// «pk-016 · Формирование функциональной грамотности · 36 ч · 16.02–01.03.2027».
    pub label: String,
}

/// «Настройки»: the region's route policy and level names, as a form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsPage {
    pub chrome: Chrome,
    pub csrf: String,
    pub form: SettingsForm,
    pub error: Option<String>,
    pub notice: Option<String>,
}

/// The settings form's values, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SettingsForm {
    pub budget_hours: String,
    pub critical_course_hours: String,
    /// `MM-DD`.
    pub period_start: String,
    pub period_end: String,
    /// Levels (`critical`, `high`, `reduced`) that get a route.
    pub route_levels: Vec<String>,
    /// Levels whose deficits are mandatory steps.
    pub mandatory_levels: Vec<String>,
    pub recommend_reduced: bool,
    pub critical_mentoring: bool,
    pub fit_subjects: bool,
    pub fit_place: bool,
    pub prefer_remote_rural: bool,
    /// Display names of critical, high, reduced, none.
    pub names: [String; 4],
    /// The matching: each group's priority class (`1`..`4`, empty: needs
    /// no methodist), in the order critical, young or new, high, reduced.
    pub methodist_priority: [String; 4],
    pub young_under_years: String,
    pub newly_hired_days: String,
    pub prefer_subject: bool,
    pub prefer_municipality: bool,
    pub balance_load: bool,
    pub schools_critical: bool,
    pub schools_cluster: bool,
    pub mentor_capacity: String,
    pub prefer_same_municipality: bool,
    pub prefer_same_type: bool,
}

/// «Каталог мероприятий»: browse and filter; methodists edit entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CataloguePage {
    pub chrome: Chrome,
    pub filter: CatalogueFilterView,
    /// Competences for the filter: `BANK:CODE` and title.
    pub competences: Vec<(String, String)>,
    /// Municipalities for the filter: code and name.
    pub municipalities: Vec<(String, String)>,
    pub rows: Vec<CatalogueRow>,
    /// Entries in the catalogue in all.
    pub total: usize,
    pub can_edit: bool,
    pub notice: Option<String>,
}

/// The filter as typed (query parameters).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CatalogueFilterView {
    pub competence: String,
    pub kind: String,
    pub format: String,
    pub municipality: String,
    pub from: String,
    pub to: String,
    pub seats_left: bool,
}

/// One catalogue entry in the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogueRow {
    pub code: String,
    pub title: String,
    pub kind: String,
    pub hours: u32,
    pub format: String,
    /// The municipality's name, or «региональное».
    pub place: String,
    pub dates: String,
    pub competences: Vec<String>,
    pub provider: Option<String>,
    /// «12 из 25, свободно 13», «не ограничено».
    pub seats: String,
    pub full: bool,
    pub active: bool,
}

/// The form to edit (or add) one catalogue entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogueEntryPage {
    pub chrome: Chrome,
    pub csrf: String,
    /// `None`: a new entry.
    pub code: Option<String>,
    pub form: CatalogueEntryForm,
    pub competences: Vec<(String, String)>,
    pub municipalities: Vec<(String, String)>,
    /// «Занято мест: 12 (утверждённые маршруты)».
    pub seats: Option<String>,
    pub error: Option<String>,
}

/// The entry form's values, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CatalogueEntryForm {
    pub code: String,
    pub title: String,
    pub kind: String,
    pub hours: String,
    pub competences: Vec<String>,
    pub provider: String,
    pub format: String,
    pub subjects: String,
    pub municipality: String,
    pub starts_on: String,
    pub ends_on: String,
    pub capacity: String,
    pub url: String,
    pub active: bool,
}
