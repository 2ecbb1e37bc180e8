//! A school's card, its staff, and handing out invitations.

use domain::Role;
use leptos::prelude::*;

use crate::format::{ru_plural, ru_plural_word, ru_years};
use crate::layout::{
    Header, cluster_badges, join_or_dash, level_mark, low_results_mark, notice, render_document,
    seg,
};
use crate::{InvitationIssued, SchoolPage, StaffRow};

/// A school named on another school's page (a mentor school, a mentored
/// school): `href` only when the caller may open its page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchoolLink {
    pub code: String,
    pub name: String,
    pub href: Option<String>,
}

/// «МБОУ СОШ № 3 (67-003)», a link when the caller may open the school.
pub(crate) fn school_link(s: SchoolLink) -> impl IntoView {
    let text = format!("{} ({})", s.name, s.code);
    match s.href {
        Some(href) => view! { <a href=href>{text}</a> }.into_any(),
        None => view! { <span>{text}</span> }.into_any(),
    }
}

/// A school's page: its card and its staff table.
pub fn render_school(p: &SchoolPage) -> String {
    let p = p.clone();
    let title = p.school.school.display_name().to_string();
    render_document(&title, Header::SignedIn(&p.chrome), move || {
        let s = p.school.school;
        let code = s.code.to_string();
        let clusters = if s.clusters.is_empty() {
            view! { <span>"не относится ни к одному кластеру"</span> }.into_any()
        } else {
            cluster_badges(&s.clusters)
        };
        let monitoring = if s.critical_monitoring {
            view! { <span class="mark level-critical">"есть критические значения"</span> }
                .into_any()
        } else {
            view! { <span>"критических значений нет"</span> }.into_any()
        };
        let mentor = match (s.mentor_school, s.mentor_capacity) {
            (false, _) => "нет".to_string(),
            (true, Some(n)) => format!(
                "да, может сопровождать до {} {}",
                n,
                ru_plural_word(n.into(), "школы", "школ", "школ")
            ),
            (true, None) => "да, число сопровождаемых школ — по региональной норме".to_string(),
        };
        let teachers = ru_plural(p.school.teachers.into(), "педагог", "педагога", "педагогов");
        let mentored_by = p.mentor.map(|m| {
            view! {
                <div>
                    <dt>"Сопровождает школа-наставник"</dt>
                    <dd>{school_link(m)}</dd>
                </div>
            }
        });
        let mentors = s.mentor_school.then(|| {
            let list = if p.mentored.is_empty() {
                view! { <span class="muted">"пока не назначены"</span> }.into_any()
            } else {
                let items = p
                    .mentored
                    .into_iter()
                    .map(|m| view! { <li>{school_link(m)}</li> })
                    .collect_view();
                view! { <ul class="plain-list">{items}</ul> }.into_any()
            };
            view! {
                <div>
                    <dt>"Сопровождаемые школы"</dt>
                    <dd>{list}</dd>
                </div>
            }
        });
        let staff_count = ru_plural(p.staff.len() as u64, "человек", "человека", "человек");
        let can_invite = p.can_invite;
        let waiting = p.staff.iter().filter(|r| !r.has_password).count();
        let invite_hint = (can_invite && waiting > 0).then(|| {
            view! {
                <p class="hint">
                    "Сотрудник без пароля входит по одноразовой ссылке-приглашению. "
                    "Выдайте приглашение и передайте ссылку лично."
                </p>
            }
        });
        let table = if p.staff.is_empty() {
            view! { <p class="empty">"Сотрудники этой ОО пока не загружены."</p> }.into_any()
        } else {
            let rows = p
                .staff
                .into_iter()
                .map(|row| staff_row(row, &code, can_invite, &p.csrf))
                .collect_view();
            let action_head = can_invite.then(|| {
                view! {
                    <th scope="col">
                        <span class="visually-hidden">"Действия"</span>
                    </th>
                }
            });
            view! {
                <div class="table-wrap">
                    <table>
                        <caption>{format!("Сотрудники ОО: {staff_count}")}</caption>
                        <thead>
                            <tr>
                                <th scope="col">"ФИО"</th>
                                <th scope="col">"Должность"</th>
                                <th scope="col">"Предметы"</th>
                                <th scope="col">"Стаж"</th>
                                <th scope="col">"Роли"</th>
                                <th scope="col">"Низкие результаты обучающихся"</th>
                                <th scope="col">"Уровень дефицитов"</th>
                                <th scope="col">"Маршрут (ИОМ)"</th>
                                <th scope="col">"Региональный методист"</th>
                                <th scope="col">"Учётная запись"</th>
                                {action_head}
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            }
            .into_any()
        };
        view! {
            <h1>{s.name.clone()}</h1>
            {notice(p.notice)}
            {crate::pages::dashboard::indicators_panel(p.indicators, p.indicators_href)}
            <section class="card" aria-labelledby="school-card-title">
                <h2 id="school-card-title">"Карточка ОО"</h2>
                <dl class="facts">
                    <div>
                        <dt>"Полное наименование"</dt>
                        <dd>{s.name}</dd>
                    </div>
                    <div>
                        <dt>"Муниципалитет"</dt>
                        <dd>{p.school.municipality_name}</dd>
                    </div>
                    <div>
                        <dt>"Код ОО"</dt>
                        <dd>{code.clone()}</dd>
                    </div>
                    <div>
                        <dt>"Кластеры"</dt>
                        <dd>{clusters}</dd>
                    </div>
                    <div>
                        <dt>"Местность"</dt>
                        <dd>{locality_title(s.rural)}</dd>
                    </div>
                    <div>
                        <dt>"Мониторинг"</dt>
                        <dd>{monitoring}</dd>
                    </div>
                    <div>
                        <dt>"Школа-наставник"</dt>
                        <dd>{mentor}</dd>
                    </div>
                    {mentored_by}
                    {mentors}
                    <div>
                        <dt>"Педагогов"</dt>
                        <dd>{teachers}</dd>
                    </div>
                </dl>
            </section>
            <section aria-labelledby="staff-title">
                <h2 id="staff-title">"Сотрудники"</h2>
                {invite_hint}
                {table}
            </section>
        }
    })
}

fn locality_title(rural: bool) -> &'static str {
    if rural {
        "сельская школа"
    } else {
        "городская школа"
    }
}

fn staff_row(row: StaffRow, school: &str, can_invite: bool, csrf: &str) -> impl IntoView + use<> {
    let a = row.account;
    let roles = a
        .roles
        .iter()
        .map(|r: &Role| r.title())
        .collect::<Vec<_>>()
        .join(", ");
    let experience = a
        .attrs
        .experience_years
        .map_or_else(|| "—".to_string(), ru_years);
    let status = if !a.active {
        view! { <span class="status status--off">"отключена"</span> }.into_any()
    } else if row.has_password {
        view! { <span class="status status--ok">"вход настроен"</span> }.into_any()
    } else {
        view! { <span class="status status--waiting">"ожидает приглашения"</span> }.into_any()
    };
    let action = can_invite.then(|| {
        let form = (a.active && !row.has_password).then(|| {
            let action = format!(
                "/schools/{}/invitations/{}",
                seg(school),
                seg(a.login.as_str())
            );
            view! {
                <form class="inline-form" method="post" action=action>
                    <input type="hidden" name="csrf" value=csrf.to_string()/>
                    <button type="submit" class="button button--small">
                        "Выдать приглашение"
                        <span class="visually-hidden">{format!(": {}", a.full_name)}</span>
                    </button>
                </form>
            }
        });
        view! { <td>{form}</td> }
    });
    let level = match row.level {
        Some((l, title)) => level_mark(l, title).into_any(),
        None => view! { <span class="muted">"—"</span> }.into_any(),
    };
    let route = match row.route {
        Some(r) => {
            let waiting = (r.waiting > 0).then(|| {
                view! {
                    <div class="mark level-reduced">
                        {format!("ждут подтверждения: {}", r.waiting)}
                    </div>
                }
            });
            view! {
                <a href=format!("/routes/{}", r.id)>{r.status}</a>
                <div class="hint">
                    {format!("выполнено обязательных: {} из {}", r.progress.0, r.progress.1)}
                </div>
                {waiting}
            }
            .into_any()
        }
        None => view! { <span class="muted">"нет"</span> }.into_any(),
    };
    let methodist = match row.methodist {
        Some(name) => view! { <span>{name}</span> }.into_any(),
        None => view! { <span class="muted">"—"</span> }.into_any(),
    };
    view! {
        <tr>
            <th scope="row">{a.full_name.clone()}</th>
            <td>{a.attrs.position.unwrap_or_else(|| "—".into())}</td>
            <td>{join_or_dash(&a.attrs.subjects)}</td>
            <td class="nowrap">{experience}</td>
            <td>{roles}</td>
            <td>{low_results_mark(a.attrs.students_low_results)}</td>
            <td>{level}</td>
            <td>{route}</td>
            <td>{methodist}</td>
            <td>{status}</td>
            {action}
        </tr>
    }
}

/// The one-time link just issued.
pub fn render_invitation_issued(p: &InvitationIssued) -> String {
    let p = p.clone();
    render_document(
        "Ссылка-приглашение",
        Header::SignedIn(&p.chrome),
        move || {
            view! {
                <h1>"Ссылка-приглашение"</h1>
                <section class="card invitation" aria-labelledby="invitation-for">
                    <h2 id="invitation-for">{p.full_name}</h2>
                    <dl class="facts">
                        <div>
                            <dt>"Логин"</dt>
                            <dd class="login-name">{p.login}</dd>
                        </div>
                        <div>
                            <dt>"Ссылка для создания пароля"</dt>
                            <dd>
                                <a class="invite-url" href=p.link.clone()>{p.link.clone()}</a>
                            </dd>
                        </div>
                        <div>
                            <dt>"Действует до"</dt>
                            <dd>{p.expires.clone()}</dd>
                        </div>
                    </dl>
                    <p>
                        {format!(
                            "Ссылка срабатывает один раз и действует до {}. Откройте её, придумайте \
                             пароль (не менее 10 символов) и затем входите со своим логином.",
                            p.expires,
                        )}
                    </p>
                    <p class="hint">
                        "Передайте ссылку сотруднику лично или распечатайте эту страницу "
                        "(Ctrl+P). Не пересылайте её другим людям: по ней можно задать пароль "
                        "к учётной записи. Если срок истечёт, выдайте новое приглашение."
                    </p>
                </section>
                <p class="no-print">
                    <a href=p.back_href>"Вернуться к списку сотрудников"</a>
                </p>
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::{assert_page, chrome, school, teacher};
    use domain::ClusterFlag;

    fn page(can_invite: bool) -> SchoolPage {
        let mut s = school("67/001", "МБОУ «СШ № 1» <script>");
        s.school.clusters = [ClusterFlag::LowResults, ClusterFlag::AdverseConditions].into();
        s.school.critical_monitoring = true;
        s.school.mentor_school = true;
        s.school.mentor_capacity = Some(2);
        let mut deputy = teacher("petrova", "Петрова Ольга");
        deputy.roles.insert(Role::DeputyHead);
        SchoolPage {
            chrome: chrome(),
            school: s,
            staff: vec![
                StaffRow {
                    level: None,
                    route: None,
                    account: teacher("иванова@шк", "Иванова Анна"),
                    has_password: false,
                    methodist: Some("Орлова <Светлана>".into()),
                },
                StaffRow {
                    level: None,
                    route: None,
                    account: deputy,
                    has_password: true,
                    methodist: None,
                },
            ],
            can_invite,
            csrf: "csrf-9".into(),
            notice: Some("Приглашение выдано".into()),
            mentor: Some(SchoolLink {
                code: "67/050".into(),
                name: "Гимназия <№ 1>".into(),
                href: None,
            }),
            mentored: vec![
                SchoolLink {
                    code: "67-007".into(),
                    name: "СОШ № 7".into(),
                    href: Some("/schools/67-007".into()),
                },
                SchoolLink {
                    code: "67-009".into(),
                    name: "СОШ № 9".into(),
                    href: None,
                },
            ],
            indicators: vec![],
            indicators_href: None,
        }
    }

    #[test]
    fn school_page_shows_card_and_staff() {
        let html = render_school(&page(true));
        assert_page(&html, "МБОУ «СШ № 1» &lt;script&gt;");
        assert!(!html.contains("<script"));
        assert!(html.contains("Смоленский район"));
        assert!(html.contains(
            r#"<abbr title="Школа с низкими образовательными результатами" class="badge badge--low_results">ШНОР</abbr>"#
        ), "{html}");
        assert!(html.contains("ШФНСУ"));
        assert!(html.contains("городская школа"));
        assert!(html.contains("есть критические значения"));
        assert!(html.contains("да, может сопровождать до 2 школ"));
        assert!(html.contains("12 педагогов"));
        assert!(html.contains("<caption>Сотрудники ОО: 2 человека</caption>"));
        for h in [
            "ФИО",
            "Должность",
            "Предметы",
            "Стаж",
            "Роли",
            "Низкие результаты обучающихся",
        ] {
            assert!(
                html.contains(&format!(r#"<th scope="col">{h}</th>"#)),
                "{h}"
            );
        }
        assert!(html.contains(r#"<th scope="row">Иванова Анна</th>"#));
        assert!(html.contains("вход настроен"));
        assert!(html.contains("ожидает приглашения"));
        assert!(html.contains("Педагог, Заместитель директора по УВР"));
        assert!(html.contains(
            r#"method="post" action="/schools/67%2F001/invitations/%D0%B8%D0%B2%D0%B0%D0%BD%D0%BE%D0%B2%D0%B0%40%D1%88%D0%BA""#
        ), "{html}");
        assert!(html.contains(r#"name="csrf" value="csrf-9""#));
        assert_eq!(html.matches("Выдать приглашение").count(), 1);
        assert!(html.contains("Приглашение выдано"));
    }

    #[test]
    fn school_page_shows_who_accompanies() {
        let html = render_school(&page(false));
        assert!(html.contains(r#"<th scope="col">Региональный методист</th>"#));
        assert!(
            html.contains("<td><span>Орлова &lt;Светлана&gt;</span></td>"),
            "{html}"
        );
        assert!(html.contains("Сопровождает школа-наставник"));
        assert!(
            html.contains("<span>Гимназия &lt;№ 1&gt; (67/050)</span>"),
            "{html}"
        );
        assert!(html.contains("Сопровождаемые школы"));
        assert!(html.contains(r#"<li><a href="/schools/67-007">СОШ № 7 (67-007)</a></li>"#));
        assert!(html.contains("<li><span>СОШ № 9 (67-009)</span></li>"));
    }

    #[test]
    fn mentor_school_without_mentored_schools_says_so() {
        let mut p = page(false);
        p.mentor = None;
        p.mentored.clear();
        let html = render_school(&p);
        assert!(!html.contains("Сопровождает школа-наставник"));
        assert!(html.contains("Сопровождаемые школы"));
        assert!(html.contains("пока не назначены"));
        p.school.school.mentor_school = false;
        let html = render_school(&p);
        assert!(!html.contains("Сопровождаемые школы"));
    }

    #[test]
    fn no_invitation_forms_without_the_right() {
        let html = render_school(&page(false));
        assert!(!html.contains("Выдать приглашение"));
        assert!(!html.contains("/invitations/"));
        assert!(html.contains("ожидает приглашения"));
    }

    #[test]
    fn empty_staff_has_an_empty_state() {
        let mut p = page(true);
        p.staff.clear();
        p.notice = None;
        let html = render_school(&p);
        assert!(html.contains("Сотрудники этой ОО пока не загружены."));
        assert!(!html.contains("<table"));
    }

    #[test]
    fn issued_invitation_shows_the_link() {
        let html = render_invitation_issued(&InvitationIssued {
            chrome: chrome(),
            full_name: "Иванова Анна".into(),
            login: "ivanova".into(),
            link: "https://marshrut.example/invite/AbC?x=1&y=2".into(),
            expires: "08.09.2025 18:00 (МСК)".into(),
            back_href: "/schools/67-001".into(),
        });
        assert_page(&html, "Ссылка-приглашение");
        assert!(html.contains("Иванова Анна"));
        assert!(html.contains("ivanova"));
        assert!(html.contains(
            r#"<a href="https://marshrut.example/invite/AbC?x=1&amp;y=2" class="invite-url">https://marshrut.example/invite/AbC?x=1&amp;y=2</a>"#
        ), "{html}");
        assert!(html.contains("один раз и действует до 08.09.2025 18:00 (МСК)"));
        assert!(html.contains(r#"href="/schools/67-001""#));
    }
}
