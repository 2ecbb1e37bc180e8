//! A regional methodist's mentees: the list («Мои подопечные») and one
//! mentee's page with the consultation log.

use domain::Level;
use leptos::prelude::*;

use crate::format::{ru_plural, ru_plural_word};
use crate::layout::{Header, error_alert, join_or_dash, level_mark, notice, render_document, seg};
use crate::{Chrome, DeficitRow, MentorPage, StaffRoute};

/// The forms of a consultation, as the log's select offers them; the
/// chosen text is stored as is.
pub const CONSULTATION_FORMS: [&str; 5] = [
    "очно",
    "дистанционно",
    "по телефону",
    "посещение урока",
    "другое",
];

/// One mentee in «Мои подопечные».
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenteeRow {
    pub login: String,
    pub full_name: String,
    /// The school's name, or «—».
    pub school: String,
    pub subjects: Vec<String>,
    /// The current level and its regional name; `None`: no current diagnostic.
    pub level: Option<(Level, String)>,
    /// The approved or completed route of the current period.
    pub route: Option<StaffRoute>,
    /// «01.12.2026»: the assignment's start.
    pub since: String,
    /// «15.01.2027»: the latest consultation held, if any.
    pub last_consultation: Option<String>,
    pub consultations: usize,
}

/// One logged consultation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsultationView {
    /// «15.01.2027».
    pub held_on: String,
    pub form: String,
    pub topic: String,
    pub result: String,
}

/// The consultation form's values, as typed (kept after a refusal).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConsultationForm {
    /// `YYYY-MM-DD`.
    pub held_on: String,
    /// One of [`CONSULTATION_FORMS`].
    pub form: String,
    pub topic: String,
    pub result: String,
}

/// One mentee's page: who, the current deficits, the route, why the
/// assignment was made, and the consultation log with its form (POST
/// `/mentees/{login}/consultations`: `csrf`, `held_on`, `form`, `topic`,
/// `result`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenteePage {
    pub chrome: Chrome,
    pub csrf: String,
    pub login: String,
    pub full_name: String,
    /// «МБОУ СОШ № 3 (67-003)», or «—».
    pub school: String,
    pub subjects: Vec<String>,
    /// «12 лет», or «—».
    pub experience: String,
    /// Or «—».
    pub position: String,
    pub level: Option<(Level, String)>,
    /// The current profile's deficits, most severe first; `None`: no
    /// current diagnostic.
    pub deficits: Option<Vec<DeficitRow>>,
    /// The approved or completed route of the current period.
    pub route: Option<StaffRoute>,
    /// «01.12.2026».
    pub since: String,
    /// Why the assignment was made.
    pub reasons: Vec<String>,
    /// Newest first.
    pub consultations: Vec<ConsultationView>,
    pub form: ConsultationForm,
    /// Today, `YYYY-MM-DD`: the date input's default and its maximum.
    pub today: String,
    pub error: Option<String>,
    pub notice: Option<String>,
}

/// Text to put inside a `<textarea>`, escaped. tachys 0.2 renders a
/// textarea's children unescaped (`ESCAPE_CHILDREN = false`, as for
/// `<script>`), but the browser decodes entities there: unescaped, a typed
/// `</textarea>` would end the element and let markup in.
fn textarea_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn route_cell(route: Option<StaffRoute>) -> AnyView {
    match route {
        Some(r) => view! {
            <a href=format!("/routes/{}", r.id)>{r.status}</a>
            <div class="hint">
                {format!("выполнено обязательных: {} из {}", r.progress.0, r.progress.1)}
            </div>
        }
        .into_any(),
        None => view! { <span class="muted">"нет"</span> }.into_any(),
    }
}

fn level_cell(level: Option<(Level, String)>) -> AnyView {
    match level {
        Some((l, title)) => level_mark(l, title).into_any(),
        None => view! { <span class="muted">"нет диагностики"</span> }.into_any(),
    }
}

/// «Мои подопечные».
pub fn render_mentor(p: &MentorPage) -> String {
    let p = p.clone();
    render_document(
        "Мои подопечные",
        Header::SignedIn(&p.chrome),
        move || {
            let assigned = p.mentees.len() as u64;
            let about = match p.methodist {
                Some(m) => {
                    let format = if m.remote {
                        "дистанционно (подопечные могут быть из любого муниципалитета)"
                    } else {
                        "очно, в своём муниципалитете"
                    };
                    let capacity = format!(
                        "{} (назначено: {})",
                        ru_plural(m.capacity.into(), "педагог", "педагога", "педагогов"),
                        assigned,
                    );
                    view! {
                        <dl class="facts">
                            <div>
                                <dt>"Предметы"</dt>
                                <dd>{join_or_dash(&m.subjects)}</dd>
                            </div>
                            <div>
                                <dt>"Максимум подопечных"</dt>
                                <dd>{capacity}</dd>
                            </div>
                            <div>
                                <dt>"Формат работы"</dt>
                                <dd>{format}</dd>
                            </div>
                        </dl>
                    }
                    .into_any()
                }
                None => view! {
                    <p class="empty">
                        "Ваши данные регионального методиста пока не загружены. "
                        "Обратитесь к администратору."
                    </p>
                }
                .into_any(),
            };
            let list = if p.mentees.is_empty() {
                view! {
                    <p class="empty">"Подопечные пока не назначены."</p>
                    <p class="hint">
                        "Когда региональный центр закрепит за вами педагогов, они появятся здесь."
                    </p>
                }
                .into_any()
            } else {
                let rows = p.mentees.into_iter().map(mentee_row).collect_view();
                view! {
                    <div class="table-wrap">
                        <table>
                            <caption>
                                {format!(
                                    "Подопечные: {}",
                                    ru_plural(assigned, "педагог", "педагога", "педагогов"),
                                )}
                            </caption>
                            <thead>
                                <tr>
                                    <th scope="col">"ФИО"</th>
                                    <th scope="col">"ОО"</th>
                                    <th scope="col">"Предметы"</th>
                                    <th scope="col">"Уровень дефицитов"</th>
                                    <th scope="col">"Маршрут (ИОМ)"</th>
                                    <th scope="col">"Закреплён с"</th>
                                    <th scope="col">"Консультации"</th>
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                }
                .into_any()
            };
            view! {
                <h1>"Мои подопечные"</h1>
                <section class="card" aria-labelledby="methodist-title">
                    <h2 id="methodist-title">"Региональный методист"</h2>
                    {about}
                </section>
                <section aria-labelledby="mentees-title">
                    <h2 id="mentees-title">"Подопечные"</h2>
                    {list}
                </section>
            }
        },
    )
}

fn mentee_row(m: MenteeRow) -> impl IntoView {
    let href = format!("/mentees/{}", seg(&m.login));
    let consultations = match m.last_consultation {
        Some(last) => {
            let n = m.consultations as u64;
            view! {
                <span class="nowrap">{format!("последняя {last}")}</span>
                <div class="hint">
                    {format!("всего {n} {}", ru_plural_word(n, "консультация", "консультации", "консультаций"))}
                </div>
            }
            .into_any()
        }
        None => view! { <span class="muted">"не было"</span> }.into_any(),
    };
    view! {
        <tr>
            <th scope="row">
                <a href=href>{m.full_name}</a>
            </th>
            <td>{m.school}</td>
            <td>{join_or_dash(&m.subjects)}</td>
            <td>{level_cell(m.level)}</td>
            <td>{route_cell(m.route)}</td>
            <td class="nowrap">{m.since}</td>
            <td>{consultations}</td>
        </tr>
    }
}

/// One mentee: the profile, the route and the consultation log.
pub fn render_mentee(p: &MenteePage) -> String {
    let p = p.clone();
    let title = p.full_name.clone();
    render_document(&title, Header::SignedIn(&p.chrome), move || {
        let deficits = match p.deficits {
            None => view! {
                <p class="empty">"Нет действующей диагностики."</p>
                <p class="hint">
                    "Профиль дефицитов появится, когда педагог пройдёт диагностику "
                    "(учитываются результаты последних 12 месяцев)."
                </p>
            }
            .into_any(),
            Some(rows) if rows.is_empty() => {
                view! { <p class="empty">"Дефицитов по действующей диагностике не выявлено."</p> }
                    .into_any()
            }
            Some(rows) => {
                let rows = rows
                    .into_iter()
                    .map(|d| {
                        view! {
                            <tr>
                                <th scope="row">{d.title}</th>
                                <td>{level_mark(d.level, d.level_title)}</td>
                                <td class="num">{d.percent}</td>
                            </tr>
                        }
                    })
                    .collect_view();
                view! {
                    <div class="table-wrap">
                        <table>
                            <caption>"Дефициты по действующей диагностике"</caption>
                            <thead>
                                <tr>
                                    <th scope="col">"Компетенция"</th>
                                    <th scope="col">"Уровень дефицита"</th>
                                    <th scope="col" class="num">"Результат"</th>
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                }
                .into_any()
            }
        };
        let route = match p.route {
            Some(r) => {
                let progress = format!(
                    "выполнено обязательных шагов: {} из {}",
                    r.progress.0, r.progress.1
                );
                view! {
                    <p>
                        <a href=format!("/routes/{}", r.id)>"Открыть маршрут"</a>
                        {format!(" — {}", r.status)}
                    </p>
                    <p class="hint">{progress}</p>
                }
                .into_any()
            }
            None => view! {
                <p class="empty">"Утверждённого маршрута на текущий период нет."</p>
            }
            .into_any(),
        };
        let reasons = if p.reasons.is_empty() {
            view! { <p class="muted">"Основания не записаны."</p> }.into_any()
        } else {
            let items = p
                .reasons
                .into_iter()
                .map(|r| view! { <li>{r}</li> })
                .collect_view();
            view! { <ul class="reasons">{items}</ul> }.into_any()
        };
        let log = if p.consultations.is_empty() {
            view! { <p class="empty">"Консультаций пока не было."</p> }.into_any()
        } else {
            let n = p.consultations.len() as u64;
            let rows = p
                .consultations
                .into_iter()
                .map(|c| {
                    let result = if c.result.is_empty() {
                        view! { <span class="muted">"—"</span> }.into_any()
                    } else {
                        view! { <span class="consultation__result">{c.result}</span> }.into_any()
                    };
                    view! {
                        <tr>
                            <td class="nowrap">{c.held_on}</td>
                            <td>{c.form}</td>
                            <th scope="row">{c.topic}</th>
                            <td>{result}</td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <div class="table-wrap">
                    <table>
                        <caption>
                            {format!(
                                "Консультации: {}",
                                ru_plural(n, "запись", "записи", "записей"),
                            )}
                        </caption>
                        <thead>
                            <tr>
                                <th scope="col">"Дата"</th>
                                <th scope="col">"Форма"</th>
                                <th scope="col">"Тема"</th>
                                <th scope="col">"Результат"</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            }
            .into_any()
        };
        let f = p.form;
        let held_on = if f.held_on.is_empty() {
            p.today.clone()
        } else {
            f.held_on
        };
        let chosen = if f.form.is_empty() {
            CONSULTATION_FORMS[0].to_string()
        } else {
            f.form
        };
        let forms = CONSULTATION_FORMS
            .iter()
            .map(|v| {
                view! {
                    <option value=*v selected=chosen == *v>
                        {*v}
                    </option>
                }
            })
            .collect_view();
        let described = p.error.is_some().then_some("consultation-error");
        let action = format!("/mentees/{}/consultations", seg(&p.login));
        let level = p.level.map(|(l, t)| level_mark(l, t));
        let no_level = level
            .is_none()
            .then(|| view! { <span class="muted">"—"</span> });
        view! {
            <h1>{p.full_name}</h1>
            <p>
                <a href="/mentees">"← ко всем подопечным"</a>
            </p>
            {notice(p.notice)}
            <section class="card" aria-labelledby="mentee-title">
                <h2 id="mentee-title">"Педагог"</h2>
                <dl class="facts">
                    <div>
                        <dt>"ОО"</dt>
                        <dd>{p.school}</dd>
                    </div>
                    <div>
                        <dt>"Должность"</dt>
                        <dd>{p.position}</dd>
                    </div>
                    <div>
                        <dt>"Предметы"</dt>
                        <dd>{join_or_dash(&p.subjects)}</dd>
                    </div>
                    <div>
                        <dt>"Стаж"</dt>
                        <dd>{p.experience}</dd>
                    </div>
                    <div>
                        <dt>"Уровень дефицитов"</dt>
                        <dd>{level}{no_level}</dd>
                    </div>
                    <div>
                        <dt>"Закреплён за вами"</dt>
                        <dd>{format!("с {}", p.since)}</dd>
                    </div>
                </dl>
            </section>
            <section aria-labelledby="reasons-title">
                <h2 id="reasons-title">"Почему назначен"</h2>
                {reasons}
            </section>
            <section aria-labelledby="deficits-title">
                <h2 id="deficits-title">"Профессиональные дефициты"</h2>
                {deficits}
            </section>
            <section aria-labelledby="route-title">
                <h2 id="route-title">"Маршрут (ИОМ)"</h2>
                {route}
            </section>
            <section aria-labelledby="log-title">
                <h2 id="log-title">"Журнал консультаций"</h2>
                {log}
            </section>
            <section class="card" aria-labelledby="new-consultation-title">
                <h2 id="new-consultation-title">"Записать консультацию"</h2>
                {error_alert(p.error, "consultation-error")}
                <form class="form" method="post" action=action>
                    <input type="hidden" name="csrf" value=p.csrf/>
                    <div class="field-row">
                        <div class="field">
                            <label for="consultation-date">"Дата"</label>
                            <input
                                id="consultation-date"
                                name="held_on"
                                type="date"
                                value=held_on
                                max=p.today
                                required=true
                                aria-describedby=described
                            />
                        </div>
                        <div class="field">
                            <label for="consultation-form">"Форма"</label>
                            <select id="consultation-form" name="form">{forms}</select>
                        </div>
                    </div>
                    <div class="field">
                        <label for="consultation-topic">"Тема"</label>
                        <input
                            id="consultation-topic"
                            name="topic"
                            type="text"
                            value=f.topic
                            required=true
                            maxlength="300"
                            aria-describedby=described
                        />
                    </div>
                    <div class="field">
                        <label for="consultation-result">"Результат (необязательно)"</label>
                        <textarea
                            id="consultation-result"
                            name="result"
                            rows="3"
                            maxlength="4000"
                            aria-describedby="consultation-result-hint"
                        >{textarea_text(&f.result)}</textarea>
                        <p class="hint" id="consultation-result-hint">
                            "О чём договорились, что педагогу сделать к следующей встрече."
                        </p>
                    </div>
                    <button type="submit" class="button">"Записать"</button>
                </form>
            </section>
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::{assert_page, chrome};
    use domain::{Login, Methodist};

    fn methodist() -> Methodist {
        Methodist {
            login: Login::parse("mentor1").unwrap(),
            subjects: vec!["Математика".into(), "Информатика".into()],
            municipality: None,
            capacity: 5,
            remote: true,
        }
    }

    fn row(login: &str, name: &str) -> MenteeRow {
        MenteeRow {
            login: login.into(),
            full_name: name.into(),
            school: "МБОУ СОШ № 3".into(),
            subjects: vec!["Математика".into(), "Физика".into()],
            level: Some((Level::Critical, "критический".into())),
            route: Some(StaffRoute {
                id: 17,
                status_key: "approved",
                status: "выполняется".into(),
                progress: (1, 4),
                waiting: 0,
            }),
            since: "01.12.2026".into(),
            last_consultation: Some("15.01.2027".into()),
            consultations: 3,
        }
    }

    #[test]
    fn mentees_table() {
        let mut second = row("t2@шк", "Петров Пётр");
        second.level = None;
        second.route = None;
        second.last_consultation = None;
        second.consultations = 0;
        let html = render_mentor(&MentorPage {
            chrome: chrome(),
            methodist: Some(methodist()),
            mentees: vec![row("t1", "Сидорова <script>"), second],
        });
        assert_page(&html, "Мои подопечные");
        assert!(html.contains("Математика, Информатика"));
        assert!(html.contains("5 педагогов (назначено: 2)"));
        assert!(html.contains("дистанционно"));
        assert!(
            html.contains(r#"<a href="/mentees/t1">Сидорова &lt;script&gt;</a>"#),
            "{html}"
        );
        assert!(!html.contains("<script"));
        assert!(html.contains("<caption>Подопечные: 2 педагога</caption>"));
        assert!(html.contains("МБОУ СОШ № 3"));
        assert!(html.contains("Математика, Физика"));
        assert!(html.contains(r#"<span class="mark level-critical">критический</span>"#));
        assert!(html.contains(r#"<a href="/routes/17">выполняется</a>"#));
        assert!(html.contains("выполнено обязательных: 1 из 4"));
        assert!(html.contains("01.12.2026"));
        assert!(html.contains("последняя 15.01.2027"));
        assert!(html.contains("всего 3 консультации"));
        // The second mentee: a login that needs encoding, nothing yet.
        assert!(
            html.contains(r#"href="/mentees/t2%40%D1%88%D0%BA""#),
            "{html}"
        );
        assert!(html.contains("нет диагностики"));
        assert!(html.contains("не было"));
        for h in [
            "ФИО",
            "ОО",
            "Предметы",
            "Уровень дефицитов",
            "Маршрут (ИОМ)",
            "Закреплён с",
            "Консультации",
        ] {
            assert!(
                html.contains(&format!(r#"<th scope="col">{h}</th>"#)),
                "{h}"
            );
        }
    }

    #[test]
    fn no_mentees_yet() {
        let html = render_mentor(&MentorPage {
            chrome: chrome(),
            methodist: None,
            mentees: vec![],
        });
        assert!(html.contains("Подопечные пока не назначены"));
        assert!(html.contains("Обратитесь к администратору"));
        assert!(!html.contains("<table"));
    }

    fn mentee() -> MenteePage {
        MenteePage {
            chrome: chrome(),
            csrf: "csrf-7".into(),
            login: "ivanova@шк".into(),
            full_name: "Иванова <b>Анна</b>".into(),
            school: "МБОУ СОШ № 3 (67-003)".into(),
            subjects: vec!["Математика".into()],
            experience: "2 года".into(),
            position: "учитель математики".into(),
            level: Some((Level::High, "высокий".into())),
            deficits: Some(vec![DeficitRow {
                competence: "math:K1".into(),
                title: "Формирующее <оценивание>".into(),
                percent: "35,00 %".into(),
                level: Level::High,
                level_title: "высокий".into(),
            }]),
            route: Some(StaffRoute {
                id: 5,
                status_key: "approved",
                status: "выполняется".into(),
                progress: (0, 2),
                waiting: 1,
            }),
            since: "01.12.2026".into(),
            reasons: vec![
                "критический уровень дефицитов".into(),
                "совпадает предмет".into(),
            ],
            consultations: vec![
                ConsultationView {
                    held_on: "20.01.2027".into(),
                    form: "посещение урока".into(),
                    topic: "Разбор урока <7 класс>".into(),
                    result: "Договорились о плане".into(),
                },
                ConsultationView {
                    held_on: "10.01.2027".into(),
                    form: "очно".into(),
                    topic: "Знакомство".into(),
                    result: String::new(),
                },
            ],
            form: ConsultationForm::default(),
            today: "2027-01-25".into(),
            error: None,
            notice: Some("Консультация записана.".into()),
        }
    }

    #[test]
    fn mentee_page_shows_profile_route_and_log() {
        let html = render_mentee(&mentee());
        assert_page(&html, "Иванова &lt;b&gt;Анна&lt;/b&gt;");
        assert!(!html.contains("<b>"));
        assert!(html.contains(r#"<a href="/mentees">"#));
        assert!(html.contains("Консультация записана."));
        assert!(html.contains("МБОУ СОШ № 3 (67-003)"));
        assert!(html.contains("учитель математики"));
        assert!(html.contains("2 года"));
        assert!(html.contains("с 01.12.2026"));
        assert!(html.contains(r#"<span class="mark level-high">высокий</span>"#));
        assert!(html.contains("Формирующее &lt;оценивание&gt;"));
        assert!(html.contains("35,00 %"));
        assert!(html.contains(r#"<a href="/routes/5">Открыть маршрут</a>"#));
        assert!(html.contains("выполнено обязательных шагов: 0 из 2"));
        assert!(html.contains("<li>критический уровень дефицитов</li>"));
        assert!(html.contains("<li>совпадает предмет</li>"));
        assert!(html.contains("<caption>Консультации: 2 записи</caption>"));
        assert!(html.contains("Разбор урока &lt;7 класс&gt;"));
        // Newest first, as given.
        assert!(html.find("20.01.2027").unwrap() < html.find("10.01.2027").unwrap());
        // The form: csrf, today's date by default and as the maximum.
        assert!(
            html.contains(
                r#"method="post" action="/mentees/ivanova%40%D1%88%D0%BA/consultations""#
            ),
            "{html}"
        );
        assert!(html.contains(r#"<input type="hidden" name="csrf" value="csrf-7">"#));
        assert!(
            html.contains(r#"value="2027-01-25" max="2027-01-25""#),
            "{html}"
        );
        for f in CONSULTATION_FORMS {
            assert!(html.contains(&format!(">{f}</option>")), "{f}");
        }
        assert!(html.contains(r#"<option value="очно" selected>"#), "{html}");
        assert!(html.contains(r#"name="topic""#));
        assert!(html.contains(r#"<textarea id="consultation-result" name="result""#));
        assert!(!html.contains("role=\"alert\""));
    }

    #[test]
    fn refused_form_keeps_the_values() {
        let mut p = mentee();
        p.notice = None;
        p.deficits = None;
        p.route = None;
        p.level = None;
        p.consultations.clear();
        p.error = Some("Укажите тему консультации.".into());
        p.form = ConsultationForm {
            held_on: "2027-01-20".into(),
            form: "по телефону".into(),
            topic: "  ".into(),
            result: "итог <i>важный</i>".into(),
        };
        let html = render_mentee(&p);
        assert!(html.contains("Нет действующей диагностики."));
        assert!(html.contains("Утверждённого маршрута на текущий период нет."));
        assert!(html.contains("Консультаций пока не было."));
        assert!(html.contains(r#"role="alert" id="consultation-error""#));
        assert!(html.contains("Укажите тему консультации."));
        assert!(html.contains(r#"value="2027-01-20""#));
        assert!(
            html.contains(r#"<option value="по телефону" selected>"#),
            "{html}"
        );
        assert!(
            html.contains("итог &lt;i&gt;важный&lt;/i&gt;</textarea>"),
            "{html}"
        );
        assert!(html.contains(r#"aria-describedby="consultation-error""#));
    }

    #[test]
    fn typed_result_cannot_end_the_textarea() {
        let mut p = mentee();
        p.form.result = "a & b </textarea><script>alert(1)</script>".into();
        let html = render_mentee(&p);
        assert!(!html.contains("<script"), "{html}");
        assert!(
            html.contains(
                "a &amp; b &lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;</textarea>"
            ),
            "{html}"
        );
        assert_eq!(html.matches("</textarea>").count(), 1);
    }

    #[test]
    fn no_deficits_in_a_current_profile() {
        let mut p = mentee();
        p.deficits = Some(Vec::new());
        let html = render_mentee(&p);
        assert!(html.contains("Дефицитов по действующей диагностике не выявлено."));
    }
}
