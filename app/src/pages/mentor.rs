//! A regional methodist's mentees.

use leptos::prelude::*;

use crate::MentorPage;
use crate::format::{ru_plural, ru_years};
use crate::layout::{Header, join_or_dash, low_results_mark, render_document};

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
                let rows = p
                    .mentees
                    .into_iter()
                    .map(|a| {
                        let experience = a
                            .attrs
                            .experience_years
                            .map_or_else(|| "—".to_string(), ru_years);
                        let school = a.school.map_or_else(|| "—".to_string(), |c| c.to_string());
                        view! {
                            <tr>
                                <th scope="row">{a.full_name}</th>
                                <td>{a.attrs.position.unwrap_or_else(|| "—".into())}</td>
                                <td>{join_or_dash(&a.attrs.subjects)}</td>
                                <td>{school}</td>
                                <td class="nowrap">{experience}</td>
                                <td>{low_results_mark(a.attrs.students_low_results)}</td>
                            </tr>
                        }
                    })
                    .collect_view();
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
                                    <th scope="col">"Должность"</th>
                                    <th scope="col">"Предметы"</th>
                                    <th scope="col">"Код ОО"</th>
                                    <th scope="col">"Стаж"</th>
                                    <th scope="col">"Низкие результаты обучающихся"</th>
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::{assert_page, chrome, teacher};
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

    #[test]
    fn mentees_table() {
        let html = render_mentor(&MentorPage {
            chrome: chrome(),
            methodist: Some(methodist()),
            mentees: vec![teacher("t1", "Сидорова <script>")],
        });
        assert_page(&html, "Мои подопечные");
        assert!(html.contains("Математика, Информатика"));
        assert!(html.contains("5 педагогов (назначено: 1)"));
        assert!(html.contains("дистанционно"));
        assert!(html.contains(r#"<th scope="row">Сидорова &lt;script&gt;</th>"#));
        assert!(!html.contains("<script"));
        assert!(html.contains("<caption>Подопечные: 1 педагог</caption>"));
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
}
