//! A teacher's own profile.

use leptos::prelude::*;

use crate::TeacherHome;
use crate::format::{ru_date, ru_years};
use crate::layout::{Header, join_or_dash, render_document};

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
            view! {
                <h1>"Мой профиль"</h1>
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
                <section class="card" aria-labelledby="diagnostics-title">
                    <h2 id="diagnostics-title">"Диагностика"</h2>
                    <p class="empty">"Назначенных диагностик пока нет."</p>
                    <p class="hint">
                        "Когда региональный центр назначит вам диагностику профессиональных дефицитов, "
                        "она появится здесь."
                    </p>
                </section>
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::{assert_page, chrome, school, teacher};

    #[test]
    fn teacher_profile_shows_the_record() {
        let mut a = teacher("ivanova", "Иванова <script>x</script>");
        a.attrs.hired_on = chrono::NaiveDate::from_ymd_opt(2015, 9, 1);
        a.attrs.experience_years = Some(12.0);
        a.attrs.students_low_results = true;
        let html = render_teacher_home(&TeacherHome {
            chrome: chrome(),
            account: a,
            school: Some(school("67-001", "МБОУ «Средняя школа № 1»")),
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
        assert!(html.contains("Диагностика"));
        assert!(html.contains("Назначенных диагностик пока нет"));
        assert!(html.contains("Выйти"));
    }

    #[test]
    fn missing_data_says_not_given() {
        let mut a = teacher("petrov", "Петров");
        a.attrs = domain::TeacherAttrs::default();
        a.school = None;
        let html = render_teacher_home(&TeacherHome {
            chrome: chrome(),
            account: a,
            school: None,
        });
        assert!(html.contains("не указано"));
        assert!(html.contains("<dd>нет</dd>"));
    }
}
