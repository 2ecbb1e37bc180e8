//! «Подбор»: the matching board of a ЦНППМ methodist — regional methodists
//! for teachers and mentor schools for schools. Run the matching, read each
//! proposal's reasons and every methodist's (school's) load, accept all or
//! some, and change or end one assignment on its own page (with the
//! board's warnings before a change that breaks a limit or a preference).

use leptos::prelude::*;

use crate::Chrome;
use crate::layout::{Header, error_alert, notice, render_document};

/// Which matching a page is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchingKind {
    Methodists,
    Schools,
}

impl MatchingKind {
    /// The board's address; the other pages hang below it.
    pub fn base(self) -> &'static str {
        match self {
            MatchingKind::Methodists => "/matching/methodists",
            MatchingKind::Schools => "/matching/schools",
        }
    }

    fn who(self) -> &'static str {
        match self {
            MatchingKind::Methodists => "Педагог",
            MatchingKind::Schools => "Школа",
        }
    }

    fn target(self) -> &'static str {
        match self {
            MatchingKind::Methodists => "Региональный методист",
            MatchingKind::Schools => "Школа-наставник",
        }
    }
}

/// A proposed new assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposalView {
    /// The teacher's login or the school's code (the accept form's value).
    pub key: String,
    pub who: String,
    /// School, municipality.
    pub who_detail: String,
    pub class: u8,
    pub target: String,
    pub target_detail: String,
    pub reasons: Vec<String>,
}

/// Someone who needs an assignment and gets none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnassignedView {
    pub key: String,
    pub who: String,
    pub who_detail: String,
    pub class: u8,
    pub why: String,
}

/// An active assignment a run would end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndingView {
    pub key: String,
    pub who: String,
    pub with: String,
    pub why: String,
}

/// A methodist's (mentor school's) load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapacityView {
    pub name: String,
    /// Subjects and place (methodists), municipality and type (schools).
    pub detail: String,
    pub load: u32,
    pub capacity: u32,
}

/// An active assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveView {
    pub key: String,
    pub who: String,
    pub who_detail: String,
    pub target: String,
    /// «12.11.2026, Петрова А. А.».
    pub since: String,
    pub reasons: Vec<String>,
}

/// The board.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchingPage {
    pub chrome: Chrome,
    pub csrf: String,
    pub kind: MatchingKind,
    pub notice: Option<String>,
    pub error: Option<String>,
    /// When and by whom the shown proposal was made; `None`: never run.
    pub run: Option<String>,
    pub proposals: Vec<ProposalView>,
    /// Assignments the run keeps.
    pub kept: usize,
    pub unassigned: Vec<UnassignedView>,
    pub endings: Vec<EndingView>,
    pub capacities: Vec<CapacityView>,
    /// Per priority class: title, active assignments, needing.
    pub classes: Vec<(String, usize, usize)>,
    pub active: Vec<ActiveView>,
    /// Active assignments not shown past the page's limit.
    pub active_more: usize,
    /// The filter of the active list (a name or code part).
    pub query: String,
}

/// One past or present assignment of a teacher (school).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryView {
    pub target: String,
    /// «12.11.2026 (Петрова А. А.)».
    pub started: String,
    /// `None`: active.
    pub ended: Option<String>,
    pub end_reason: Option<String>,
    pub reasons: Vec<String>,
}

/// One teacher's (school's) assignment: change it or end it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignmentPage {
    pub chrome: Chrome,
    pub csrf: String,
    pub kind: MatchingKind,
    pub key: String,
    pub who: String,
    /// Facts about the teacher (school): label, value.
    pub facts: Vec<(String, String)>,
    /// The active methodist (mentor school), if any.
    pub current: Option<String>,
    pub history: Vec<HistoryView>,
    /// Choices: value, label (with the load).
    pub options: Vec<(String, String)>,
    /// The chosen option (kept after a refusal or while confirming).
    pub chosen: String,
    pub reason: String,
    /// The board's warnings about `chosen`: the form then asks to confirm.
    pub warnings: Vec<String>,
    pub error: Option<String>,
    pub notice: Option<String>,
}

fn reasons_list(reasons: Vec<String>) -> impl IntoView {
    let items = reasons
        .into_iter()
        .map(|r| view! { <li>{r}</li> })
        .collect_view();
    view! { <ul class="reasons">{items}</ul> }
}

fn tabs(kind: MatchingKind) -> impl IntoView {
    let current = |k: MatchingKind| (k == kind).then_some("page");
    view! {
        <nav class="tabs" aria-label="Что подбираем">
            <ul class="filters">
                <li>
                    <a href="/matching/methodists" aria-current=current(MatchingKind::Methodists)>
                        "Региональные методисты"
                    </a>
                </li>
                <li>
                    <a href="/matching/schools" aria-current=current(MatchingKind::Schools)>
                        "Школы-наставники"
                    </a>
                </li>
            </ul>
        </nav>
    }
}

fn load_view(load: u32, capacity: u32) -> impl IntoView {
    let class = if load > capacity {
        "mark level-critical"
    } else if load == capacity {
        "mark level-reduced"
    } else {
        "mark level-none"
    };
    view! { <span class=class>{format!("{load} из {capacity}")}</span> }
}

/// «Подбор».
pub fn render_matching(p: &MatchingPage) -> String {
    let p = p.clone();
    let kind = p.kind;
    let base = kind.base();
    let title = match kind {
        MatchingKind::Methodists => "Подбор региональных методистов",
        MatchingKind::Schools => "Подбор школ-наставников",
    };
    render_document(title, Header::SignedIn(&p.chrome), move || {
        let run_text = match &p.run {
            Some(r) => format!("Последний подбор: {r}."),
            None => "Подбор ещё не запускался.".to_string(),
        };
        let classes = p
            .classes
            .into_iter()
            .map(|(title, active, needing)| {
                view! {
                    <tr>
                        <th scope="row">{title}</th>
                        <td class="num">{needing.to_string()}</td>
                        <td class="num">{active.to_string()}</td>
                    </tr>
                }
            })
            .collect_view();
        let proposals = if p.proposals.is_empty() {
            let text = if p.run.is_some() {
                "Новых предложений нет: всё предложенное уже принято или мест больше нет."
            } else {
                "Запустите подбор, чтобы получить предложения."
            };
            view! { <p class="empty">{text}</p> }.into_any()
        } else {
            let rows = p
                .proposals
                .into_iter()
                .map(|r| {
                    let id = format!("pick-{}", r.key);
                    view! {
                        <tr>
                            <td>
                                <input
                                    type="checkbox"
                                    name="pick"
                                    value=r.key.clone()
                                    id=id.clone()
                                    form="accept-form"
                                />
                            </td>
                            <th scope="row">
                                <label for=id>{r.who}</label>
                                <div class="hint">{r.who_detail}</div>
                            </th>
                            <td class="num">{r.class.to_string()}</td>
                            <td>
                                {r.target}
                                <div class="hint">{r.target_detail}</div>
                            </td>
                            <td>{reasons_list(r.reasons)}</td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <form method="post" action=format!("{base}/accept") id="accept-form" class="inline-form">
                    <input type="hidden" name="csrf" value=p.csrf.clone()/>
                    <button type="submit" class="button">"Принять выбранные"</button>
                    " "
                    <button type="submit" name="all" value="1" class="button button--secondary">
                        "Принять все"
                    </button>
                </form>
                <div class="table-wrap">
                    <table aria-labelledby="proposals-title">
                        <thead>
                            <tr>
                                <th scope="col">
                                    <span class="visually-hidden">"Выбрать"</span>
                                </th>
                                <th scope="col">{kind.who()}</th>
                                <th scope="col">"Приоритет"</th>
                                <th scope="col">{kind.target()}</th>
                                <th scope="col">"Почему"</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            }
            .into_any()
        };
        let unassigned = (!p.unassigned.is_empty()).then(|| {
            let rows = p
                .unassigned
                .into_iter()
                .map(|u| {
                    view! {
                        <tr>
                            <th scope="row">
                                <a href=format!("{base}/{}", u.key)>{u.who}</a>
                                <div class="hint">{u.who_detail}</div>
                            </th>
                            <td class="num">{u.class.to_string()}</td>
                            <td>{u.why}</td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <section aria-labelledby="unassigned-title">
                    <h2 id="unassigned-title">"Остались без назначения"</h2>
                    <div class="table-wrap">
                        <table aria-labelledby="unassigned-title">
                            <thead>
                                <tr>
                                    <th scope="col">{kind.who()}</th>
                                    <th scope="col">"Приоритет"</th>
                                    <th scope="col">"Почему"</th>
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                </section>
            }
        });
        let endings = (!p.endings.is_empty()).then(|| {
            let rows = p
                .endings
                .into_iter()
                .map(|e| {
                    view! {
                        <tr>
                            <th scope="row">
                                <a href=format!("{base}/{}", e.key)>{e.who}</a>
                            </th>
                            <td>{e.with}</td>
                            <td>{e.why}</td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <section aria-labelledby="endings-title">
                    <h2 id="endings-title">"Назначения, которые подбор завершит"</h2>
                    <p class="hint">"Завершаются при «Принять все» или вместе с выбранной строкой."</p>
                    <div class="table-wrap">
                        <table aria-labelledby="endings-title">
                            <thead>
                                <tr>
                                    <th scope="col">{kind.who()}</th>
                                    <th scope="col">{kind.target()}</th>
                                    <th scope="col">"Почему"</th>
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                </section>
            }
        });
        let capacities = p
            .capacities
            .into_iter()
            .map(|c| {
                view! {
                    <tr>
                        <th scope="row">{c.name}</th>
                        <td>{c.detail}</td>
                        <td>{load_view(c.load, c.capacity)}</td>
                    </tr>
                }
            })
            .collect_view();
        let active = if p.active.is_empty() {
            view! { <p class="empty">"Действующих назначений нет."</p> }.into_any()
        } else {
            let rows = p
                .active
                .into_iter()
                .map(|a| {
                    view! {
                        <tr>
                            <th scope="row">
                                <a href=format!("{base}/{}", a.key)>{a.who}</a>
                                <div class="hint">{a.who_detail}</div>
                            </th>
                            <td>{a.target}</td>
                            <td>{a.since}</td>
                            <td>{reasons_list(a.reasons)}</td>
                        </tr>
                    }
                })
                .collect_view();
            let more = (p.active_more > 0).then(|| {
                view! {
                    <p class="hint">
                        {format!("Ещё {} — уточните поиск.", p.active_more)}
                    </p>
                }
            });
            view! {
                <div class="table-wrap">
                    <table aria-labelledby="active-title">
                        <thead>
                            <tr>
                                <th scope="col">{kind.who()}</th>
                                <th scope="col">{kind.target()}</th>
                                <th scope="col">"С какого дня, кем"</th>
                                <th scope="col">"Почему"</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
                {more}
            }
            .into_any()
        };
        let capacity_title = match kind {
            MatchingKind::Methodists => "Нагрузка методистов",
            MatchingKind::Schools => "Нагрузка школ-наставников",
        };
        view! {
            <h1>{title}</h1>
            {tabs(kind)}
            {notice(p.notice)}
            {error_alert(p.error, "matching-error")}
            <section class="card" aria-labelledby="run-title">
                <h2 id="run-title">"Подбор"</h2>
                <p>{run_text}</p>
                <p class="hint">
                    "Подбор ничего не записывает: он предлагает. Действующие назначения сохраняются, "
                    "пока педагог (школа) нуждается в сопровождении."
                </p>
                <form method="post" action=format!("{base}/run") class="inline-form">
                    <input type="hidden" name="csrf" value=p.csrf.clone()/>
                    <button type="submit" class="button">"Подобрать"</button>
                </form>
                <table class="compact">
                    <caption>"Кому нужно сопровождение"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Приоритет"</th>
                            <th scope="col">"Нуждаются"</th>
                            <th scope="col">"Назначено"</th>
                        </tr>
                    </thead>
                    <tbody>{classes}</tbody>
                </table>
            </section>
            <section aria-labelledby="proposals-title">
                <h2 id="proposals-title">"Новые предложения"</h2>
                {(p.kept > 0)
                    .then(|| {
                        view! {
                            <p class="hint">
                                {format!(
                                    "Действующих назначений, которые подбор сохраняет: {}.",
                                    p.kept,
                                )}
                            </p>
                        }
                    })}
                {proposals}
            </section>
            {unassigned}
            {endings}
            <section aria-labelledby="capacity-title">
                <h2 id="capacity-title">{capacity_title}</h2>
                <div class="table-wrap">
                    <table aria-labelledby="capacity-title">
                        <thead>
                            <tr>
                                <th scope="col">"Кто"</th>
                                <th scope="col">"Предметы и место работы"</th>
                                <th scope="col">"Нагрузка"</th>
                            </tr>
                        </thead>
                        <tbody>{capacities}</tbody>
                    </table>
                </div>
            </section>
            <section aria-labelledby="active-title">
                <h2 id="active-title">"Действующие назначения"</h2>
                <form method="get" action=base class="filter">
                    <label for="q">"Поиск по имени или коду"</label>
                    <input type="search" id="q" name="q" value=p.query/>
                    <button type="submit" class="button button--secondary">"Найти"</button>
                </form>
                {active}
            </section>
        }
    })
}

/// One teacher's (school's) assignment.
pub fn render_assignment(p: &AssignmentPage) -> String {
    let p = p.clone();
    let kind = p.kind;
    let base = format!("{}/{}", kind.base(), p.key);
    render_document(&p.who.clone(), Header::SignedIn(&p.chrome), move || {
        let facts = p
            .facts
            .into_iter()
            .map(|(label, value)| {
                view! {
                    <div>
                        <dt>{label}</dt>
                        <dd>{value}</dd>
                    </div>
                }
            })
            .collect_view();
        let current = match p.current.clone() {
            Some(c) => view! { <p>{format!("Сейчас: {c}.")}</p> }.into_any(),
            None => view! { <p class="empty">"Сейчас назначения нет."</p> }.into_any(),
        };
        let options = p
            .options
            .into_iter()
            .map(|(value, label)| {
                let selected = value == p.chosen;
                view! { <option value=value selected=selected>{label}</option> }
            })
            .collect_view();
        // The confirmation holds the option it was shown for: choosing
        // another one asks again.
        let confirmed = p.chosen.clone();
        let confirm = (!p.warnings.is_empty()).then(|| {
            let items = p
                .warnings
                .into_iter()
                .map(|w| view! { <li>{w}</li> })
                .collect_view();
            view! {
                <div class="alert alert--warning" role="alert" id="assign-warnings">
                    <p>"Обратите внимание:"</p>
                    <ul>{items}</ul>
                    <p>"Если назначение всё равно верное, подтвердите его."</p>
                </div>
                <input type="hidden" name="confirm" value=confirmed/>
            }
        });
        let button = if confirm.is_some() {
            "Всё равно назначить"
        } else {
            "Назначить"
        };
        let end = p.current.is_some().then(|| {
            view! {
                <section class="card" aria-labelledby="end-title">
                    <h2 id="end-title">"Завершить назначение"</h2>
                    <form method="post" action=format!("{base}/end") class="step__form">
                        <input type="hidden" name="csrf" value=p.csrf.clone()/>
                        <label for="end-reason">"Причина"</label>
                        <input type="text" id="end-reason" name="reason" required=true maxlength="300"/>
                        <button type="submit" class="button button--secondary">"Завершить"</button>
                    </form>
                </section>
            }
        });
        let history = if p.history.is_empty() {
            view! { <p class="empty">"Назначений ещё не было."</p> }.into_any()
        } else {
            let rows = p
                .history
                .into_iter()
                .map(|h| {
                    let ended = match (h.ended, h.end_reason) {
                        (Some(e), Some(r)) => format!("{e}: {r}"),
                        (Some(e), None) => e,
                        (None, _) => "действует".to_string(),
                    };
                    view! {
                        <tr>
                            <th scope="row">{h.target}</th>
                            <td>{h.started}</td>
                            <td>{ended}</td>
                            <td>{reasons_list(h.reasons)}</td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <div class="table-wrap">
                    <table aria-labelledby="history-title">
                        <thead>
                            <tr>
                                <th scope="col">{kind.target()}</th>
                                <th scope="col">"Назначен(а)"</th>
                                <th scope="col">"Завершено"</th>
                                <th scope="col">"Почему"</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            }
            .into_any()
        };
        let assign_title = match kind {
            MatchingKind::Methodists => "Назначить методиста",
            MatchingKind::Schools => "Назначить школу-наставника",
        };
        view! {
            <p>
                <a href=kind.base()>"← К подбору"</a>
            </p>
            <h1>{p.who}</h1>
            {notice(p.notice)}
            {error_alert(p.error, "assignment-error")}
            <section class="card" aria-labelledby="facts-title">
                <h2 id="facts-title">"Сведения"</h2>
                <dl class="facts">{facts}</dl>
                {current}
            </section>
            <section class="card" aria-labelledby="assign-title">
                <h2 id="assign-title">{assign_title}</h2>
                <form method="post" action=format!("{base}/assign") class="step__form">
                    <input type="hidden" name="csrf" value=p.csrf.clone()/>
                    <label for="target">{kind.target()}</label>
                    <select id="target" name="target" required=true>
                        {options}
                    </select>
                    <label for="assign-reason">"Причина замены (если назначение меняется)"</label>
                    <input
                        type="text"
                        id="assign-reason"
                        name="reason"
                        value=p.reason
                        maxlength="300"
                    />
                    {confirm}
                    <button type="submit" class="button">{button}</button>
                </form>
            </section>
            {end}
            <section aria-labelledby="history-title">
                <h2 id="history-title">"История назначений"</h2>
                {history}
            </section>
        }
    })
}
