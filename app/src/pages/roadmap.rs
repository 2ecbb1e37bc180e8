//! «Дорожная карта»: the region's roadmap as imported, each item with its
//! control points and status; overdue items stand out. A ЦНППМ methodist
//! marks an item done with what confirms it (or takes the mark back).

use leptos::prelude::*;

use crate::Chrome;
use crate::layout::{Header, error_alert, notice, render_document};

/// One item of the roadmap as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoadmapItemView {
    pub id: i64,
    pub number: String,
    pub direction: Option<String>,
    pub title: String,
    pub responsible: Option<String>,
    pub due_text: String,
    /// «01.01.2026 – 31.01.2026; до 15.04.2026» or «без срока».
    pub points: String,
    /// «ежеквартально», if recurring.
    pub recurrence: Option<String>,
    /// `planned`, `in_progress`, `done`, `overdue`.
    pub status_key: &'static str,
    pub status: String,
    pub evidence: Option<String>,
    /// «03.12.2026, Бондаренко И. С.» when done.
    pub done: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoadmapPage {
    pub chrome: Chrome,
    pub csrf: String,
    /// «01.09.2025 – 31.08.2026»; `None`: no roadmap imported.
    pub period: Option<String>,
    /// The period's value for links (`2025-09-01..2026-08-31`).
    pub period_value: String,
    /// Other imported periods: value, title.
    pub periods: Vec<(String, String)>,
    /// `""` (all) or a status key.
    pub status_filter: String,
    /// Counts: planned, in progress, done, overdue.
    pub counts: [usize; 4],
    pub items: Vec<RoadmapItemView>,
    /// The caller may mark items done (a ЦНППМ methodist, an administrator).
    pub can_mark: bool,
    pub notice: Option<String>,
    pub error: Option<String>,
}

/// The status filter: value and title.
pub const ROADMAP_FILTERS: [(&str, &str); 5] = [
    ("", "все"),
    ("overdue", "просрочено"),
    ("in_progress", "выполняется"),
    ("planned", "запланировано"),
    ("done", "выполнено"),
];

fn status_class(key: &str) -> &'static str {
    match key {
        "done" => "status status--ok",
        "overdue" => "status status--late",
        "in_progress" => "status status--waiting",
        _ => "status status--off",
    }
}

fn item_row(item: RoadmapItemView, can_mark: bool, csrf: String, back: String) -> impl IntoView {
    let row_class = if item.status_key == "overdue" {
        "roadmap-item roadmap-item--late"
    } else {
        "roadmap-item"
    };
    let recurrence = item
        .recurrence
        .map(|r| view! { <div class="hint">{format!("периодичность: {r}")}</div> });
    let evidence = match (item.evidence, item.done) {
        (Some(e), Some(d)) => view! {
            <div>{e}</div>
            <div class="hint">{d}</div>
        }
        .into_any(),
        _ => view! { <span class="muted">"—"</span> }.into_any(),
    };
    let action = can_mark.then(|| {
        let id = item.id;
        if item.status_key == "done" {
            view! {
                <form method="post" action=format!("/roadmap/{id}/undo") class="inline-form">
                    <input type="hidden" name="csrf" value=csrf/>
                    <input type="hidden" name="back" value=back/>
                    <button type="submit" class="button button--secondary">"Снять отметку"</button>
                </form>
            }
            .into_any()
        } else {
            let field = format!("evidence-{id}");
            view! {
                <form method="post" action=format!("/roadmap/{id}/done") class="step__form">
                    <input type="hidden" name="csrf" value=csrf/>
                    <input type="hidden" name="back" value=back/>
                    <label for=field.clone()>"Чем подтверждается"</label>
                    <input type="text" id=field name="evidence" required=true maxlength="1000"/>
                    <button type="submit" class="button">"Выполнено"</button>
                </form>
            }
            .into_any()
        }
    });
    view! {
        <tr class=row_class id=format!("item-{}", item.id)>
            <td class="nowrap">{item.number}</td>
            <th scope="row">
                {item.title}
                <div class="hint">{item.responsible.unwrap_or_default()}</div>
            </th>
            <td>
                {item.due_text}
                <div class="hint">{item.points}</div>
                {recurrence}
            </td>
            <td>
                <span class=status_class(item.status_key)>{item.status}</span>
            </td>
            <td>{evidence} {action}</td>
        </tr>
    }
}

/// «Дорожная карта».
pub fn render_roadmap(p: &RoadmapPage) -> String {
    let p = p.clone();
    render_document(
        "Дорожная карта",
        Header::SignedIn(&p.chrome),
        move || {
            let Some(period) = p.period.clone() else {
                return view! {
                    <h1>"Дорожная карта"</h1>
                    <p class="empty">"Дорожная карта ещё не загружена."</p>
                    <p class="hint">
                        "Администратор загружает её из таблицы региона: "
                        <code>"marshrut import roadmap ФАЙЛ --period 2025-09-01..2026-08-31"</code>
                    </p>
                }
                .into_any();
            };
            let [planned, in_progress, done, overdue] = p.counts;
            let base = format!("/roadmap?period={}", p.period_value);
            let filters = ROADMAP_FILTERS
                .iter()
                .map(|(value, title)| {
                    let href = if value.is_empty() {
                        base.clone()
                    } else {
                        format!("{base}&status={value}")
                    };
                    let current = (p.status_filter == *value).then_some("page");
                    view! {
                        <li>
                            <a href=href aria-current=current>{*title}</a>
                        </li>
                    }
                })
                .collect_view();
            let periods = (p.periods.len() > 1).then(|| {
                let options = p
                .periods
                .iter()
                .map(|(value, title)| {
                    let selected = *value == p.period_value;
                    view! { <option value=value.clone() selected=selected>{title.clone()}</option> }
                })
                .collect_view();
                view! {
                    <form method="get" action="/roadmap" class="filter">
                        <label for="period">"Период"</label>
                        <select id="period" name="period">{options}</select>
                        <button type="submit" class="button button--secondary">"Показать"</button>
                    </form>
                }
            });
            let back = if p.status_filter.is_empty() {
                base.clone()
            } else {
                format!("{base}&status={}", p.status_filter)
            };
            // Items under their direction headings, in the file's order.
            let mut body = Vec::new();
            let mut direction: Option<String> = None;
            for item in p.items {
                if item.direction != direction {
                    direction = item.direction.clone();
                    if let Some(d) = &direction {
                        body.push(
                            view! {
                                <tr class="roadmap-direction">
                                    <th scope="rowgroup" colspan="5">{d.clone()}</th>
                                </tr>
                            }
                            .into_any(),
                        );
                    }
                }
                body.push(item_row(item, p.can_mark, p.csrf.clone(), back.clone()).into_any());
            }
            let table = if body.is_empty() {
                view! { <p class="empty">"Пунктов с таким статусом нет."</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table aria-labelledby="roadmap-title" class="roadmap">
                            <thead>
                                <tr>
                                    <th scope="col">"№"</th>
                                    <th scope="col">"Мероприятие, ответственный"</th>
                                    <th scope="col">"Сроки"</th>
                                    <th scope="col">"Статус"</th>
                                    <th scope="col">"Подтверждение"</th>
                                </tr>
                            </thead>
                            <tbody>{body}</tbody>
                        </table>
                    </div>
                }
                .into_any()
            };
            let downloads = format!("period={}", p.period_value);
            view! {
                <h1 id="roadmap-title">"Дорожная карта"</h1>
                <p class="lead">{format!("Период: {period}.")}</p>
                {notice(p.notice)}
                {error_alert(p.error, "roadmap-error")}
                <ul class="stats">
                    <li>
                        <strong class="status status--late">{overdue.to_string()}</strong>
                        " просрочено"
                    </li>
                    <li>
                        <strong>{in_progress.to_string()}</strong>
                        " выполняется"
                    </li>
                    <li>
                        <strong>{planned.to_string()}</strong>
                        " запланировано"
                    </li>
                    <li>
                        <strong>{done.to_string()}</strong>
                        " выполнено"
                    </li>
                </ul>
                {periods}
                <nav aria-label="Статус пунктов">
                    <ul class="filters">{filters}</ul>
                </nav>
                <p>
                    "Скачать: "
                    <a href=format!("/roadmap.xlsx?{downloads}")>"XLSX"</a>
                    " · "
                    <a href=format!("/roadmap.csv?{downloads}")>"CSV"</a>
                </p>
                {table}
            }
            .into_any()
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::{assert_page, chrome};

    fn item(id: i64, status: &'static str, direction: &str) -> RoadmapItemView {
        RoadmapItemView {
            id,
            number: format!("1.{id}"),
            direction: Some(direction.into()),
            title: format!("Мероприятие <b>{id}</b>"),
            responsible: Some("ЦНППМ".into()),
            due_text: "Январь 2026".into(),
            points: "01.01.2026 – 31.01.2026".into(),
            recurrence: None,
            status_key: status,
            status: match status {
                "overdue" => "просрочено".into(),
                "done" => "выполнено".into(),
                _ => "запланировано".into(),
            },
            evidence: (status == "done").then(|| "приказ № 12".into()),
            done: (status == "done").then(|| "03.12.2026, Бондаренко И. С.".into()),
        }
    }

    fn page(can_mark: bool) -> RoadmapPage {
        RoadmapPage {
            chrome: chrome(),
            csrf: "c-1".into(),
            period: Some("01.09.2025 – 31.08.2026".into()),
            period_value: "2025-09-01..2026-08-31".into(),
            periods: vec![],
            status_filter: String::new(),
            counts: [1, 0, 1, 1],
            items: vec![
                item(1, "overdue", "Организационное направление"),
                item(2, "done", "Организационное направление"),
                item(3, "planned", "Методическое направление"),
            ],
            can_mark,
            notice: None,
            error: None,
        }
    }

    #[test]
    fn overdue_items_stand_out_under_their_directions() {
        let html = render_roadmap(&page(false));
        assert_page(&html, "Дорожная карта");
        assert!(html.contains("roadmap-item roadmap-item--late"), "{html}");
        assert_eq!(html.matches("class=\"roadmap-direction\"").count(), 2);
        assert!(html.contains("Мероприятие &lt;b&gt;1&lt;/b&gt;"));
        assert!(html.contains("приказ № 12"));
        assert!(html.contains("/roadmap.xlsx?period=2025-09-01..2026-08-31"));
        assert!(!html.contains("/done\""), "no marking without the right");
    }

    #[test]
    fn a_methodist_marks_and_unmarks() {
        let html = render_roadmap(&page(true));
        assert!(html.contains("action=\"/roadmap/1/done\""));
        assert!(html.contains("action=\"/roadmap/2/undo\""));
        assert!(html.contains("name=\"evidence\""));
    }

    #[test]
    fn nothing_imported_yet() {
        let mut p = page(false);
        p.period = None;
        let html = render_roadmap(&p);
        assert!(html.contains("Дорожная карта ещё не загружена"));
    }
}
