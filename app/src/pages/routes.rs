//! Individual educational routes (ИОМ): the ЦНППМ methodist's list with
//! the generation button, and one route — the teacher's profile beside the
//! steps, with the forms the caller may use: edit and approve a draft (the
//! methodist), mark a step done with evidence (the teacher), confirm or
//! return it (the deputy head).

use leptos::prelude::*;

use crate::layout::{Header, error_alert, level_mark, notice, render_document, share_text};
use crate::{DeficitRow, EvidenceView, RouteListRow, RoutePage, RoutesPage, StepView};

/// The kinds a methodist may add by hand, with their Russian titles.
/// Retraining is added by hand too, where it is the right answer.
pub const STEP_KINDS: [(&str, &str); 8] = [
    ("course", "курс повышения квалификации"),
    ("retraining", "профессиональная переподготовка"),
    ("internship", "стажировка"),
    ("seminar", "семинар"),
    ("master_class", "мастер-класс (в т. ч. открытый урок)"),
    ("webinar", "вебинар"),
    ("mentoring", "наставничество"),
    ("self_study", "самообразование (методический продукт)"),
];

/// The status filter of the list: value and title.
pub const ROUTE_FILTERS: [(&str, &str); 5] = [
    ("", "все"),
    ("draft", "черновики"),
    ("approved", "выполняются"),
    ("waiting", "ждут подтверждения"),
    ("completed", "выполнены"),
];

fn status_mark(key: &'static str, title: String) -> impl IntoView {
    let class = match key {
        "completed" => "status status--ok",
        "approved" => "status status--waiting",
        _ => "status status--off",
    };
    view! { <span class=class>{title}</span> }
}

fn progress_view(done: usize, of: usize) -> impl IntoView {
    let max = of.max(1);
    view! {
        <div class="share">
            <progress
                class="share__bar"
                max=max.to_string()
                value=done.min(max).to_string()
                aria-hidden="true"
            ></progress>
            <span class="share__text">{share_text(done, of)}</span>
        </div>
    }
}

fn route_row(r: RouteListRow) -> impl IntoView {
    let href = format!("/routes/{}", r.id);
    let level = match r.level {
        Some(l) => level_mark(l, r.level_title).into_any(),
        None => view! { <span class="muted">"—"</span> }.into_any(),
    };
    let flags = (r.edited || r.needs_review).then(|| {
        let text = match (r.edited, r.needs_review) {
            (_, true) => "требует пересмотра",
            _ => "изменён вручную",
        };
        view! { <span class="hint">{text}</span> }
    });
    let uncovered = if r.uncovered == 0 {
        view! { <span class="muted">"нет"</span> }.into_any()
    } else {
        view! { <span class="mark level-high">{r.uncovered.to_string()}</span> }.into_any()
    };
    let waiting = if r.waiting == 0 {
        view! { <span class="muted">"—"</span> }.into_any()
    } else {
        view! { <span class="mark level-reduced">{r.waiting.to_string()}</span> }.into_any()
    };
    view! {
        <tr>
            <th scope="row">
                <a href=href>{r.teacher_name}</a>
            </th>
            <td>{r.school}</td>
            <td>{level}</td>
            <td>{status_mark(r.status_key, r.status)} " " {flags}</td>
            <td class="num">{r.steps.to_string()}</td>
            <td class="num">{r.hours.to_string()}</td>
            <td>{uncovered}</td>
            <td class="num">{waiting}</td>
            <td>{progress_view(r.progress.0, r.progress.1)}</td>
        </tr>
    }
}

/// «Маршруты».
pub fn render_routes(p: &RoutesPage) -> String {
    let p = p.clone();
    render_document("Маршруты", Header::SignedIn(&p.chrome), move || {
        let [drafts, approved, completed] = p.counts;
        let filters = ROUTE_FILTERS
            .iter()
            .map(|(value, title)| {
                let href = if value.is_empty() {
                    "/routes".to_string()
                } else {
                    format!("/routes?status={value}")
                };
                let current = (p.status_filter == *value).then_some("page");
                view! {
                    <li>
                        <a href=href aria-current=current>
                            {*title}
                        </a>
                    </li>
                }
            })
            .collect_view();
        let table = if p.rows.is_empty() {
            view! { <p class="empty">"Маршрутов нет. Сформируйте черновики кнопкой выше."</p> }
                .into_any()
        } else {
            let rows = p.rows.into_iter().map(route_row).collect_view();
            view! {
                <div class="table-wrap">
                    <table aria-labelledby="routes-title">
                        <thead>
                            <tr>
                                <th scope="col">"Педагог"</th>
                                <th scope="col">"ОО"</th>
                                <th scope="col">"Уровень"</th>
                                <th scope="col">"Статус"</th>
                                <th scope="col">"Шагов"</th>
                                <th scope="col">"Часов"</th>
                                <th scope="col">"Не покрыто"</th>
                                <th scope="col">"Ждут подтверждения"</th>
                                <th scope="col">"Выполнение"</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            }
            .into_any()
        };
        let more = (p.more > 0).then(|| {
            view! {
                <p class="hint">
                    {format!("И ещё {}: уточните фильтр.", p.more)}
                </p>
            }
        });
        let csrf = p.csrf.clone();
        let municipalities = p
            .municipalities
            .iter()
            .map(|(code, name)| view! { <option value=code.clone()>{name.clone()}</option> })
            .collect_view();
        let campaigns = p
            .campaigns
            .iter()
            .map(|(id, title)| view! { <option value=id.clone()>{title.clone()}</option> })
            .collect_view();
        let generate = p.can_generate.then(move || {
            view! {
            <section class="card" aria-labelledby="generate-title">
                <h2 id="generate-title">"Черновики по результатам диагностики"</h2>
                <p>
                    "Черновики предлагаются всем педагогам с высоким и критическим уровнем "
                    "дефицитов по правилам региона: каталог мероприятий, бюджет часов, места. "
                    "Утверждённые маршруты и черновики, изменённые вручную, не затрагиваются."
                </p>
                <form method="post" action="/routes/generate" class="filter">
                    <input type="hidden" name="csrf" value=csrf/>
                    <div>
                        <label for="g-municipality">"Для кого"</label>
                        <select id="g-municipality" name="municipality">
                            <option value="">"все педагоги региона"</option>
                            {municipalities}
                        </select>
                    </div>
                    <div>
                        <label for="g-campaign">"или прошедшим диагностику"</label>
                        <select id="g-campaign" name="campaign">
                            <option value="">"— любую —"</option>
                            {campaigns}
                        </select>
                    </div>
                    <div>
                        <label for="g-school">"или только ОО (код)"</label>
                        <input type="text" id="g-school" name="school" maxlength="64"/>
                    </div>
                    <button type="submit" class="button">"Сформировать черновики"</button>
                </form>
            </section>
            }
        });
        view! {
            <h1>"Индивидуальные образовательные маршруты"</h1>
            <p class="lead">{format!("Период маршрутов: {}.", p.period)}</p>
            {notice(p.notice)}
            {generate}
            <section aria-labelledby="routes-title">
                <h2 id="routes-title">
                    {format!(
                        "Маршруты: черновиков {drafts}, выполняются {approved}, выполнены {completed}"
                    )}
                </h2>
                <nav aria-label="Фильтр по статусу">
                    <ul class="filters">{filters}</ul>
                </nav>
                {table}
                {more}
            </section>
        }
    })
}

fn deficit_row(d: DeficitRow) -> impl IntoView {
    view! {
        <tr>
            <th scope="row">{d.title}</th>
            <td class="num">{d.percent}</td>
            <td>{level_mark(d.level, d.level_title)}</td>
        </tr>
    }
}

fn evidence_item(e: EvidenceView) -> impl IntoView {
    let text = e.text.map(|t| view! { <p>{t}</p> });
    let url = e.url.map(|u| {
        view! {
            <p>
                <a href=u.clone() rel="noopener noreferrer nofollow">
                    {u.clone()}
                </a>
            </p>
        }
    });
    let file = e.file.map(|(name, href)| {
        view! {
            <p>
                <a href=href>{name}</a>
            </p>
        }
    });
    view! {
        <li>
            <span class="hint">{e.when}</span>
            {text}
            {url}
            {file}
        </li>
    }
}

/// The forms of one step, by what the caller may do.
fn step_forms(
    s: &StepView,
    p_id: i64,
    csrf: &str,
    last: u32,
    can: (bool, bool, bool),
    bounds: &(String, String),
) -> AnyView {
    let (can_edit, can_submit, can_review) = can;
    let base = format!("/routes/{p_id}/steps/{}", s.position);
    if can_edit {
        let up = (s.position > 0).then(|| {
            view! {
                <form method="post" action=format!("{base}/move") class="inline-form">
                    <input type="hidden" name="csrf" value=csrf.to_string()/>
                    <input type="hidden" name="direction" value="up"/>
                    <button type="submit" class="button button--secondary button--small">"Выше"</button>
                </form>
            }
        });
        let down = (s.position < last).then(|| {
            view! {
                <form method="post" action=format!("{base}/move") class="inline-form">
                    <input type="hidden" name="csrf" value=csrf.to_string()/>
                    <input type="hidden" name="direction" value="down"/>
                    <button type="submit" class="button button--secondary button--small">"Ниже"</button>
                </form>
            }
        });
        let from_id = format!("from-{}", s.position);
        let to_id = format!("to-{}", s.position);
        return view! {
            <div class="step__tools">
                {up}
                {down}
                <form method="post" action=format!("{base}/remove") class="inline-form">
                    <input type="hidden" name="csrf" value=csrf.to_string()/>
                    <button type="submit" class="button button--secondary button--small">"Удалить"</button>
                </form>
                <form method="post" action=format!("{base}/dates") class="inline-form">
                    <input type="hidden" name="csrf" value=csrf.to_string()/>
                    <label for=from_id.clone()>"с"</label>
                    <input
                        type="date"
                        id=from_id
                        name="starts_on"
                        value=s.starts_on.clone()
                        min=bounds.0.clone()
                        max=bounds.1.clone()
                    />
                    <label for=to_id.clone()>"по"</label>
                    <input
                        type="date"
                        id=to_id
                        name="ends_on"
                        value=s.ends_on.clone()
                        min=bounds.0.clone()
                        max=bounds.1.clone()
                    />
                    <button type="submit" class="button button--secondary button--small">"Изменить сроки"</button>
                </form>
            </div>
        }
        .into_any();
    }
    if can_submit && matches!(s.status_key, "planned" | "returned") {
        let text_id = format!("evidence-text-{}", s.position);
        let url_id = format!("evidence-url-{}", s.position);
        let file_id = format!("evidence-file-{}", s.position);
        return view! {
            <form
                method="post"
                action=format!("{base}/submit")
                class="step__form"
                enctype="multipart/form-data"
            >
                <input type="hidden" name="csrf" value=csrf.to_string()/>
                <p class="hint">
                    "Отметьте выполнение: опишите результат, дайте ссылку или приложите файл "
                    "(удостоверение, отчёт, конспект)."
                </p>
                <label for=text_id.clone()>"Что сделано"</label>
                <textarea id=text_id name="text" rows="3" maxlength="4000"></textarea>
                <label for=url_id.clone()>"Ссылка (документ, публикация, удостоверение)"</label>
                <input type="url" id=url_id name="url" maxlength="2000" placeholder="https://"/>
                <label for=file_id.clone()>"Файл: PDF, JPEG, PNG, DOCX, XLSX, PPTX или ODT, до 10 МБ"</label>
                <input
                    type="file"
                    id=file_id
                    name="file"
                    accept=".pdf,.jpg,.jpeg,.png,.docx,.xlsx,.pptx,.odt"
                />
                <button type="submit" class="button">"Отметить выполнение"</button>
            </form>
        }
        .into_any();
    }
    if can_review && s.status_key == "submitted" {
        let comment_id = format!("comment-{}", s.position);
        return view! {
            <form method="post" action=format!("{base}/review") class="step__form">
                <input type="hidden" name="csrf" value=csrf.to_string()/>
                <label for=comment_id.clone()>"Комментарий (обязателен при возврате)"</label>
                <textarea id=comment_id name="comment" rows="2" maxlength="2000"></textarea>
                <div class="step__tools">
                    <button type="submit" name="decision" value="confirm" class="button">
                        "Подтвердить"
                    </button>
                    <button type="submit" name="decision" value="return" class="button button--secondary button--small">
                        "Вернуть на доработку"
                    </button>
                </div>
            </form>
        }
        .into_any();
    }
    ().into_any()
}

fn step_item(
    s: StepView,
    p_id: i64,
    csrf: &str,
    last: u32,
    can: (bool, bool, bool),
    bounds: &(String, String),
) -> impl IntoView {
    let forms = step_forms(&s, p_id, csrf, last, can, bounds);
    let mentor_form = (!s.mentor_options.is_empty()).then(|| {
        let select_id = format!("mentor-{}", s.position);
        let options = s
            .mentor_options
            .iter()
            .map(|(login, name)| view! { <option value=login.clone()>{name.clone()}</option> })
            .collect_view();
        view! {
            <form
                method="post"
                action=format!("/routes/{p_id}/steps/{}/mentor", s.position)
                class="step__tools inline-form"
            >
                <input type="hidden" name="csrf" value=csrf.to_string()/>
                <label for=select_id.clone()>"Наставник из педагогов школы"</label>
                <select id=select_id name="mentor">{options}</select>
                <button type="submit" class="button button--secondary button--small">
                    "Назначить"
                </button>
            </form>
        }
    });
    let number = s.position + 1;
    let mandatory = if s.mandatory {
        "обязательный"
    } else {
        "рекомендованный"
    };
    let hours = (s.hours > 0).then(|| format!(", {} ч", s.hours));
    let course = s
        .course
        .map(|c| view! { <span class="hint">{format!(" ({c})")}</span> });
    let provider = s.provider.map(|pr| {
        view! {
            <div>
                <dt>"Организатор"</dt>
                <dd>{pr}</dd>
            </div>
        }
    });
    let mentor = s.mentor.map(|m| {
        view! {
            <div>
                <dt>"Наставник"</dt>
                <dd>{m}</dd>
            </div>
        }
    });
    let comment = s.comment.map(|c| {
        view! { <p class="alert alert--notice">{format!("Комментарий заместителя директора: {c}")}</p> }
    });
    let evidence = (!s.evidence.is_empty()).then(|| {
        let items = s.evidence.into_iter().map(evidence_item).collect_view();
        view! {
            <div class="step__evidence">
                <h4>"Подтверждения"</h4>
                <ul>{items}</ul>
            </div>
        }
    });
    let competences = s.competences.join("; ");
    view! {
        <li class=format!("step step--{}", s.status_key) id=format!("step-{}", s.position)>
            <h3>
                {format!("{number}. {}", s.title)}
                {course}
            </h3>
            <p>
                {status_mark(s.status_key, s.status)}
                {format!(" {}{} · {mandatory}", s.kind, hours.unwrap_or_default())}
            </p>
            <dl class="facts">
                <div>
                    <dt>"Сроки"</dt>
                    <dd>{s.dates}</dd>
                </div>
                <div>
                    <dt>"Дефициты"</dt>
                    <dd>{competences}</dd>
                </div>
                {provider}
                {mentor}
                <div>
                    <dt>"Ожидаемый результат"</dt>
                    <dd>{s.expected_result}</dd>
                </div>
                <div>
                    <dt>"Форма отчётности"</dt>
                    <dd>{s.reporting_form}</dd>
                </div>
            </dl>
            {comment}
            {evidence}
            {mentor_form}
            {forms}
        </li>
    }
}

fn add_step_form(p: &RoutePage) -> impl IntoView + use<> {
    let id = p.id;
    let csrf = p.csrf.clone();
    let options = p
        .catalogue
        .iter()
        .map(|c| view! { <option value=c.code.clone()>{c.label.clone()}</option> })
        .collect_view();
    let competences = p
        .profile
        .iter()
        .map(|d| view! { <option value=d.competence.clone()>{d.title.clone()}</option> })
        .collect_view();
    let kinds = STEP_KINDS
        .iter()
        .map(|(v, t)| view! { <option value=*v>{*t}</option> })
        .collect_view();
    let (min, max) = p.period_bounds.clone();
    view! {
        <section class="card" aria-labelledby="add-title">
            <h2 id="add-title">"Добавить шаг"</h2>
            <form method="post" action=format!("/routes/{id}/steps") class="step__form">
                <input type="hidden" name="csrf" value=csrf.clone()/>
                <label for="add-course">"Мероприятие из каталога"</label>
                <select id="add-course" name="course">
                    <option value="">"— выбрать —"</option>
                    {options}
                </select>
                <button type="submit" class="button">"Добавить из каталога"</button>
            </form>
            <form method="post" action=format!("/routes/{id}/steps") class="step__form">
                <input type="hidden" name="csrf" value=csrf/>
                <p class="hint">
                    "Или своё мероприятие: открытый урок, методический продукт, стажировка в школе-наставнике."
                </p>
                <label for="add-kind">"Вид"</label>
                <select id="add-kind" name="kind">{kinds}</select>
                <label for="add-title-input">"Название"</label>
                <input type="text" id="add-title-input" name="title" maxlength="300"/>
                <label for="add-competence">"Дефицит"</label>
                <select id="add-competence" name="competence">{competences}</select>
                <label for="add-hours">"Часов"</label>
                <input type="number" id="add-hours" name="hours" min="0" max="1000" value="0"/>
                <label for="add-from">"С"</label>
                <input type="date" id="add-from" name="starts_on" min=min.clone() max=max.clone()/>
                <label for="add-to">"По"</label>
                <input type="date" id="add-to" name="ends_on" min=min max=max/>
                <label class="checkbox">
                    <input type="checkbox" name="mandatory" value="true" checked=true/>
                    " обязательный шаг"
                </label>
                <button type="submit" class="button">"Добавить своё мероприятие"</button>
            </form>
        </section>
    }
}

/// One route.
pub fn render_route(p: &RoutePage) -> String {
    let p = p.clone();
    let title = format!("ИОМ: {}", p.teacher_name);
    let chrome = p.chrome.clone();
    render_document(&title, Header::SignedIn(&chrome), move || {
        let add = p.can_edit.then(|| add_step_form(&p));
        let approve = p.can_edit.then(|| {
            view! {
                <form method="post" action=format!("/routes/{}/approve", p.id) class="inline-form">
                    <input type="hidden" name="csrf" value=p.csrf.clone()/>
                    <button type="submit" class="button">"Утвердить маршрут"</button>
                </form>
            }
        });
        let review = p.needs_review.then(|| {
            view! {
                <p class="alert alert--notice">
                    "Требует пересмотра: после утверждения педагог прошёл новую диагностику."
                </p>
            }
        });
        let approved = p
            .approved
            .clone()
            .map(|a| view! { <p class="hint">{a}</p> });
        let profile = if p.profile.is_empty() {
            view! { <p class="empty">"Действующих результатов диагностики нет."</p> }.into_any()
        } else {
            let rows = p
                .profile
                .clone()
                .into_iter()
                .map(deficit_row)
                .collect_view();
            view! {
                <table aria-labelledby="profile-title">
                    <thead>
                        <tr>
                            <th scope="col">"Компетенция"</th>
                            <th scope="col">"Результат"</th>
                            <th scope="col">"Уровень дефицита"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            }
            .into_any()
        };
        let missing = (p.can_edit && !p.missing.is_empty()).then(|| {
            view! {
                <div class="alert alert--error" role="alert">
                    <p>
                        {format!(
                            "Не покрыты обязательные дефициты: {}. Добавьте шаг или поясните педагогу, почему.",
                            p.missing.join("; ")
                        )}
                    </p>
                </div>
            }
        });
        let uncovered = (!p.uncovered.is_empty()).then(|| {
            let items = p
                .uncovered
                .iter()
                .map(|u| view! { <li>{u.clone()}</li> })
                .collect_view();
            view! {
                <div class="alert alert--notice">
                    <p>"Не удалось подобрать мероприятия:"</p>
                    <ul>{items}</ul>
                </div>
            }
        });
        let last = p.steps.len().saturating_sub(1) as u32;
        let can = (p.can_edit, p.can_submit, p.can_review);
        let steps = if p.steps.is_empty() {
            view! { <p class="empty">"Шагов нет."</p> }.into_any()
        } else {
            let items = p
                .steps
                .clone()
                .into_iter()
                .map(|s| step_item(s, p.id, &p.csrf, last, can, &p.period_bounds))
                .collect_view();
            view! { <ol class="steps">{items}</ol> }.into_any()
        };
        let documents = format!("/routes/{}/iom", p.id);
        view! {
            <h1>{format!("Индивидуальный образовательный маршрут: {}", p.teacher_name)}</h1>
            <p class="lead">
                {status_mark(p.status_key, p.status.clone())}
                {format!(" Период: {}. Часов: {} из {}.", p.period, p.hours, p.budget)}
            </p>
            {approved}
            {review}
            {notice(p.notice.clone())}
            {error_alert(p.error.clone(), "route-error")}
            <div class="route-columns">
                <section class="card" aria-labelledby="teacher-title">
                    <h2 id="teacher-title">{p.teacher_name.clone()}</h2>
                    <dl class="facts">
                        <div>
                            <dt>"Должность"</dt>
                            <dd>{p.position.clone()}</dd>
                        </div>
                        <div>
                            <dt>"Предметы"</dt>
                            <dd>{p.subjects.clone()}</dd>
                        </div>
                        <div>
                            <dt>"ОО"</dt>
                            <dd>{p.school.clone()}</dd>
                        </div>
                        <div>
                            <dt>"Муниципалитет"</dt>
                            <dd>{p.municipality.clone()}</dd>
                        </div>
                    </dl>
                    <h3 id="profile-title">"Профиль дефицитов"</h3>
                    {profile}
                </section>
                <section class="card" aria-labelledby="steps-title">
                    <h2 id="steps-title">"Шаги маршрута"</h2>
                    <p>"Обязательные шаги выполнены:"</p>
                    {progress_view(p.progress.0, p.progress.1)}
                    {missing}
                    {uncovered}
                    {steps}
                    {approve}
                    <p>
                        <a href=format!("{documents}.docx") download="">"Скачать ИОМ (DOCX)"</a>
                        " · "
                        <a href=format!("{documents}.pdf") download="">"Скачать ИОМ (PDF)"</a>
                    </p>
                </section>
            </div>
            {add}
        }
    })
}
