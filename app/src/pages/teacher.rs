//! A teacher's own profile.

use leptos::prelude::*;

use crate::format::{ru_date, ru_plural, ru_years};
use crate::layout::{Header, history_table, join_or_dash, render_document};
use crate::{CampaignCard, CardState, TeacherHome};

const NOT_GIVEN: &str = "не указано";

/// «Мой профиль».
pub fn render_teacher_home(p: &TeacherHome) -> String {
    let p = p.clone();
    render_document(
        "Мой профиль",
        Header::SignedIn(&p.chrome),
        move || {
            let a = p.account;
            let attrs = a.attrs;
            let position = attrs.position.unwrap_or_else(|| NOT_GIVEN.into());
            let subjects = if attrs.subjects.is_empty() {
                NOT_GIVEN.to_string()
            } else {
                join_or_dash(&attrs.subjects)
            };
            let (school, municipality) = match p.school {
                Some(s) => (s.school.name, s.municipality_name),
                None => (
                    a.school.map_or_else(|| NOT_GIVEN.into(), |c| c.to_string()),
                    a.municipality
                        .map_or_else(|| NOT_GIVEN.into(), |c| c.to_string()),
                ),
            };
            let experience = attrs
                .experience_years
                .map_or_else(|| NOT_GIVEN.into(), ru_years);
            let hired = attrs.hired_on.map_or_else(|| NOT_GIVEN.into(), ru_date);
            let low = if attrs.students_low_results {
                "да"
            } else {
                "нет"
            };
            let campaigns = if p.campaigns.is_empty() {
                view! {
                    <p class="empty">"Назначенных диагностик пока нет."</p>
                    <p class="hint">
                        "Когда региональный центр назначит вам диагностику профессиональных дефицитов, "
                        "она появится здесь."
                    </p>
                }
                .into_any()
            } else {
                let csrf = p.csrf;
                let cards = p
                    .campaigns
                    .into_iter()
                    .map(|c| campaign_card(c, &csrf))
                    .collect_view();
                view! { <ul class="campaign-cards">{cards}</ul> }.into_any()
            };
            let methodist = p.methodist;
            let history = (!p.diagnostics.is_empty())
                .then(|| history_table(p.diagnostics, "Пройденные диагностики"));
            view! {
                <h1>"Мой профиль"</h1>
                <section class="card" aria-labelledby="diagnostics-title">
                    <h2 id="diagnostics-title">"Диагностика"</h2>
                    {campaigns}
                    {history}
                </section>
                <section class="card" aria-labelledby="profile-title">
                    <h2 id="profile-title">{a.full_name}</h2>
                    <dl class="facts">
                        <div>
                            <dt>"Должность"</dt>
                            <dd>{position}</dd>
                        </div>
                        <div>
                            <dt>"Предметы"</dt>
                            <dd>{subjects}</dd>
                        </div>
                        <div>
                            <dt>"Образовательная организация"</dt>
                            <dd>{school}</dd>
                        </div>
                        <div>
                            <dt>"Муниципалитет"</dt>
                            <dd>{municipality}</dd>
                        </div>
                        <div>
                            <dt>"Педагогический стаж"</dt>
                            <dd>{experience}</dd>
                        </div>
                        <div>
                            <dt>"Дата приёма на работу"</dt>
                            <dd>{hired}</dd>
                        </div>
                        <div>
                            <dt>"Обучающиеся показали низкие результаты (ВПР, ОГЭ, ЕГЭ)"</dt>
                            <dd>{low}</dd>
                        </div>
                        {methodist
                            .map(|m| {
                                view! {
                                    <div>
                                        <dt>"Региональный методист (наставник)"</dt>
                                        <dd>{m}</dd>
                                    </div>
                                }
                            })}
                        <div>
                            <dt>"Логин"</dt>
                            <dd>{a.login.to_string()}</dd>
                        </div>
                    </dl>
                    <p class="hint">
                        "Если в профиле есть ошибка, сообщите заместителю директора по УВР: "
                        "данные загружает школа."
                    </p>
                </section>
            }
        },
    )
}

/// One open campaign with what the teacher can do next.
fn campaign_card(c: CampaignCard, csrf: &str) -> impl IntoView + use<> {
    let minutes = ru_plural(c.time_limit_minutes.into(), "минута", "минуты", "минут");
    let items = ru_plural(c.items as u64, "вопрос", "вопроса", "вопросов");
    let total = c.items;
    let (status, action) = match c.state {
        CardState::NotStarted => {
            let action = format!("/campaigns/{}/start", c.id);
            (
                view! {
                    <p class="hint">
                        "Время пойдёт с момента начала. Ответы сохраняются сразу, поэтому "
                        "можно прерваться и продолжить позже, но таймер при этом не останавливается."
                    </p>
                }
                .into_any(),
                view! {
                    <form class="inline-form" method="post" action=action>
                        <input type="hidden" name="csrf" value=csrf.to_string()/>
                        <button type="submit" class="button">
                            "Начать диагностику"
                        </button>
                    </form>
                }
                .into_any(),
            )
        }
        CardState::InProgress {
            attempt_id,
            answered,
            deadline_text,
        } => (
            view! {
                <p>
                    <span class="status status--waiting">"в процессе"</span>
                    {format!(
                        " Отвечено {answered} из {total}. Завершить нужно до {deadline_text}.",
                    )}
                </p>
            }
            .into_any(),
            view! {
                <a class="button" href=format!("/attempts/{attempt_id}")>
                    "Продолжить"
                </a>
            }
            .into_any(),
        ),
        CardState::Finished { diagnostic_id } => (
            view! {
                <p>
                    <span class="status status--ok">"пройдена"</span>
                </p>
            }
            .into_any(),
            view! {
                <a class="button button--secondary" href=format!("/diagnostics/{diagnostic_id}")>
                    "Результаты"
                </a>
            }
            .into_any(),
        ),
    };
    view! {
        <li class="campaign-card">
            <h3>{c.title}</h3>
            <p class="campaign-card__bank">{c.bank_title}</p>
            <dl class="facts facts--compact">
                <div>
                    <dt>"Сроки"</dt>
                    <dd>{c.window}</dd>
                </div>
                <div>
                    <dt>"Время на выполнение"</dt>
                    <dd>{minutes}</dd>
                </div>
                <div>
                    <dt>"Объём"</dt>
                    <dd>{items}</dd>
                </div>
            </dl>
            {status}
            <div class="campaign-card__action">{action}</div>
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::HistoryRow;
    use crate::tests::{assert_page, chrome, school, teacher};

    #[test]
    fn teacher_profile_shows_the_record() {
        let mut a = teacher("ivanova", "Иванова <script>x</script>");
        a.attrs.hired_on = chrono::NaiveDate::from_ymd_opt(2015, 9, 1);
        a.attrs.experience_years = Some(12.0);
        a.attrs.students_low_results = true;
        let html = render_teacher_home(&TeacherHome {
            methodist: Some("Орлова Светлана <b>Юрьевна</b>".into()),
            chrome: chrome(),
            account: a,
            school: Some(school("67-001", "МБОУ «Средняя школа № 1»")),
            campaigns: Vec::new(),
            diagnostics: Vec::new(),
            csrf: "csrf-t".into(),
        });
        assert_page(&html, "Мой профиль");
        assert!(html.contains("<h1>Мой профиль</h1>"));
        assert!(html.contains("Иванова &lt;script&gt;x&lt;/script&gt;"));
        assert!(!html.contains("<script"));
        assert!(html.contains("учитель математики"));
        assert!(html.contains("Математика, Физика"));
        assert!(html.contains("МБОУ «Средняя школа № 1»"));
        assert!(html.contains("Смоленский район"));
        assert!(html.contains("12 лет"));
        assert!(html.contains("01.09.2015"));
        assert!(html.contains("<dd>да</dd>"));
        assert!(html.contains("Региональный методист (наставник)"));
        assert!(html.contains("Орлова Светлана &lt;b&gt;Юрьевна&lt;/b&gt;"));
        assert!(html.contains("Диагностика"));
        assert!(html.contains("Назначенных диагностик пока нет"));
        assert!(!html.contains("Пройденные диагностики"));
        assert!(html.contains("Выйти"));
    }

    #[test]
    fn missing_data_says_not_given() {
        let mut a = teacher("petrov", "Петров");
        a.attrs = domain::TeacherAttrs::default();
        a.school = None;
        let html = render_teacher_home(&TeacherHome {
            methodist: None,
            chrome: chrome(),
            account: a,
            school: None,
            campaigns: Vec::new(),
            diagnostics: Vec::new(),
            csrf: "c".into(),
        });
        assert!(html.contains("не указано"));
        assert!(html.contains("<dd>нет</dd>"));
    }

    fn card(id: i64, state: CardState) -> CampaignCard {
        CampaignCard {
            id,
            title: format!("Осенняя диагностика <{id}>"),
            bank_title: "Психолого-педагогические компетенции".into(),
            window: "01.12.2026 – 31.12.2026".into(),
            time_limit_minutes: 60,
            items: 20,
            state,
        }
    }

    #[test]
    fn diagnostics_section_lists_campaigns_and_history() {
        let html = render_teacher_home(&TeacherHome {
            methodist: None,
            chrome: chrome(),
            account: teacher("ivanova", "Иванова"),
            school: None,
            campaigns: vec![
                card(7, CardState::NotStarted),
                card(
                    8,
                    CardState::InProgress {
                        attempt_id: 41,
                        answered: 12,
                        deadline_text: "22.11.2026 15:40 (МСК)".into(),
                    },
                ),
                card(9, CardState::Finished { diagnostic_id: 5 }),
            ],
            diagnostics: vec![HistoryRow {
                diagnostic_id: 5,
                bank_title: "Методика <b>математики</b>".into(),
                taken_on: "22.11.2026".into(),
                source: "онлайн".into(),
                percent: "62,50 %".into(),
                level: domain::Level::Reduced,
                level_title: "умеренный".into(),
            }],
            csrf: "csrf-t".into(),
        });
        assert_page(&html, "Мой профиль");
        assert!(!html.contains("Назначенных диагностик пока нет"));
        assert!(html.contains("Осенняя диагностика &lt;7&gt;"));
        assert!(html.contains("01.12.2026 – 31.12.2026"));
        assert!(html.contains("60 минут"));
        assert!(html.contains("20 вопросов"));
        assert!(
            html.contains(
                r#"<form method="post" action="/campaigns/7/start" class="inline-form">"#
            ),
            "{html}"
        );
        assert!(html.contains(r#"<input type="hidden" name="csrf" value="csrf-t">"#));
        assert!(html.contains("Начать диагностику"));
        assert_eq!(html.matches("Начать диагностику").count(), 1);
        assert!(html.contains(r#"href="/attempts/41""#));
        assert!(html.contains(">Продолжить</a>"));
        assert!(html.contains("Отвечено 12 из 20. Завершить нужно до 22.11.2026 15:40 (МСК)."));
        assert!(html.contains(r#"href="/diagnostics/5""#));
        assert!(html.contains(">Результаты</a>"));
        assert!(html.contains("<caption>Пройденные диагностики</caption>"));
        assert!(
            html.contains(r#"<a href="/diagnostics/5">Методика &lt;b&gt;математики&lt;/b&gt;</a>"#)
        );
        assert!(html.contains("онлайн"));
        assert!(html.contains("62,50 %"));
        assert!(html.contains(r#"<span class="mark level-reduced">умеренный</span>"#));
    }
}
