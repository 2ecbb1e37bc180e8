//! «Целевые значения»: every indicator the product counts, with the
//! region's target (the seed roadmaps' default unless one is set) and the
//! municipalities' and schools' own targets. A ЦНППМ methodist or an
//! administrator sets a target and removes a stored one.

use leptos::prelude::*;

use crate::Chrome;
use crate::layout::{Header, error_alert, notice, render_document};

/// One target as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetView {
    /// The stored target's id; `None` for a default (nothing to remove).
    pub id: Option<i64>,
    /// «Регион», «Муниципалитет: Ярцевский район (m1)», «ОО: … (s1)».
    pub scope: String,
    /// «75 %», «66,7 %».
    pub threshold: String,
    /// «31.08.2026» or «—».
    pub due: String,
    /// The seed roadmaps' default, not a stored target.
    pub default: bool,
}

/// One indicator with its targets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetIndicatorView {
    /// `training_coverage`.
    pub code: String,
    pub title: String,
    pub explanation: String,
    /// `None`: no region target and no default.
    pub region: Option<TargetView>,
    /// Municipalities' and schools' targets.
    pub overrides: Vec<TargetView>,
}

/// The «set a target» form's values, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TargetForm {
    pub indicator: String,
    pub threshold: String,
    /// `region`, `municipality` or `school`.
    pub scope: String,
    pub code: String,
    pub due_on: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetsPage {
    pub chrome: Chrome,
    pub csrf: String,
    pub indicators: Vec<TargetIndicatorView>,
    /// The caller sets and removes targets (a ЦНППМ methodist, an
    /// administrator).
    pub can_edit: bool,
    pub form: TargetForm,
    /// For the form: municipality codes and names (a hint for the code).
    pub municipalities: Vec<(String, String)>,
    pub notice: Option<String>,
    pub error: Option<String>,
    /// The form field the error is about (`threshold`, `code`, …).
    pub error_field: Option<String>,
}

/// The scopes of the form: value and title.
pub const TARGET_SCOPES: [(&str, &str); 3] = [
    ("region", "регион"),
    ("municipality", "муниципалитет"),
    ("school", "школа (ОО)"),
];

fn remove_form(id: i64, csrf: String) -> impl IntoView {
    view! {
        <form method="post" action=format!("/targets/{id}/remove") class="inline-form">
            <input type="hidden" name="csrf" value=csrf/>
            <button type="submit" class="button button--secondary">"Удалить"</button>
        </form>
    }
}

fn target_row(t: TargetView, can_edit: bool, csrf: String) -> impl IntoView {
    let default = t.default.then(|| {
        view! { <div class="hint">"по умолчанию из дорожной карты"</div> }
    });
    // Readers get no action column at all.
    let action = can_edit.then(|| match t.id {
        Some(id) => view! { <td>{remove_form(id, csrf)}</td> }.into_any(),
        None => view! { <td class="muted">"—"</td> }.into_any(),
    });
    view! {
        <tr>
            <th scope="row">{t.scope}</th>
            <td class="num">{t.threshold} {default}</td>
            <td class="nowrap">{t.due}</td>
            {action}
        </tr>
    }
}

fn indicator_card(i: TargetIndicatorView, can_edit: bool, csrf: String) -> impl IntoView {
    let id = format!("target-{}", i.code);
    let heading = format!("{id}-title");
    let labelled = heading.clone();
    let mut rows = Vec::new();
    match i.region {
        Some(r) => rows.push(target_row(r, can_edit, csrf.clone()).into_any()),
        None => rows.push(
            view! {
                <tr>
                    <th scope="row">"Регион"</th>
                    <td colspan=if can_edit { "3" } else { "2" } class="muted">
                        "целевое значение не задано"
                    </td>
                </tr>
            }
            .into_any(),
        ),
    }
    for o in i.overrides {
        rows.push(target_row(o, can_edit, csrf.clone()).into_any());
    }
    view! {
        <section class="card" id=id aria-labelledby=labelled>
            <h2 id=heading>{i.title}</h2>
            <p class="hint">{i.explanation} " " <code>{i.code}</code></p>
            <div class="table-wrap">
                <table>
                    <thead>
                        <tr>
                            <th scope="col">"Уровень"</th>
                            <th scope="col" class="num">"Целевое значение"</th>
                            <th scope="col">"Срок"</th>
                            {can_edit.then(|| view! { <th scope="col">"Действие"</th> })}
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}

fn set_form(p: &TargetsPage) -> impl IntoView + use<> {
    let f = p.form.clone();
    let invalid = |name: &str| (p.error_field.as_deref() == Some(name)).then_some("true");
    let described = p.error.is_some().then_some("target-error");
    let indicators = p
        .indicators
        .iter()
        .map(|i| {
            let selected = f.indicator == i.code;
            view! { <option value=i.code.clone() selected=selected>{i.title.clone()}</option> }
        })
        .collect_view();
    let scope = if f.scope.is_empty() {
        "region".to_string()
    } else {
        f.scope.clone()
    };
    let scopes = TARGET_SCOPES
        .iter()
        .map(|(v, t)| view! { <option value=*v selected=scope == *v>{*t}</option> })
        .collect_view();
    let codes = p
        .municipalities
        .iter()
        .map(|(code, name)| view! { <option value=code.clone()>{name.clone()}</option> })
        .collect_view();
    view! {
        <section class="card" aria-labelledby="set-target-title">
            <h2 id="set-target-title">"Задать целевое значение"</h2>
            <p class="hint">
                "Значение для муниципалитета или школы действует вместо регионального; "
                "заданное заново — заменяет прежнее."
            </p>
            {error_alert(p.error.clone(), "target-error")}
            <form class="form" method="post" action="/targets">
                <input type="hidden" name="csrf" value=p.csrf.clone()/>
                <div class="field">
                    <label for="target-indicator">"Показатель"</label>
                    <select
                        id="target-indicator"
                        name="indicator"
                        aria-invalid=invalid("indicator")
                        aria-describedby=described
                    >
                        {indicators}
                    </select>
                </div>
                <div class="field-row">
                    <div class="field">
                        <label for="target-threshold">"Целевое значение, %"</label>
                        <input
                            type="text"
                            id="target-threshold"
                            name="threshold"
                            value=f.threshold
                            inputmode="decimal"
                            maxlength="12"
                            required=true
                            aria-invalid=invalid("threshold")
                            aria-describedby=described
                        />
                        <p class="hint">"например, 75 или 66,7"</p>
                    </div>
                    <div class="field">
                        <label for="target-due">"Срок"</label>
                        <input
                            type="date"
                            id="target-due"
                            name="due_on"
                            value=f.due_on
                            aria-invalid=invalid("due_on")
                            aria-describedby=described
                        />
                    </div>
                </div>
                <div class="field-row">
                    <div class="field">
                        <label for="target-scope">"Уровень"</label>
                        <select
                            id="target-scope"
                            name="scope"
                            aria-invalid=invalid("scope")
                            aria-describedby=described
                        >
                            {scopes}
                        </select>
                    </div>
                    <div class="field">
                        <label for="target-code">"Код муниципалитета или школы"</label>
                        <input
                            type="text"
                            id="target-code"
                            name="code"
                            value=f.code
                            list="target-codes"
                            maxlength="64"
                            aria-invalid=invalid("code")
                            aria-describedby=described
                        />
                        <datalist id="target-codes">{codes}</datalist>
                        <p class="hint">"для региона оставьте пустым"</p>
                    </div>
                </div>
                <button type="submit" class="button">"Сохранить"</button>
            </form>
        </section>
    }
}

/// «Целевые значения».
pub fn render_targets(p: &TargetsPage) -> String {
    let p = p.clone();
    let chrome = p.chrome.clone();
    render_document(
        "Целевые значения",
        Header::SignedIn(&chrome),
        move || {
            let form = p.can_edit.then(|| set_form(&p));
            let cards = p
                .indicators
                .iter()
                .cloned()
                .map(|i| indicator_card(i, p.can_edit, p.csrf.clone()))
                .collect_view();
            view! {
                <h1>"Целевые значения"</h1>
                <p class="lead">
                    "Показатель считается достигнутым, когда его значение не меньше целевого. "
                    "Действует самое частное значение: школы, затем муниципалитета, затем региона."
                </p>
                <p>
                    <a href="/custom-indicators">"Дополнительные показатели"</a>
                    " — то, что Маршрут не учитывает сам: значения вносят координаторы."
                </p>
                {notice(p.notice.clone())}
                {form}
                {cards}
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::{assert_page, chrome};

    fn page(can_edit: bool) -> TargetsPage {
        TargetsPage {
            chrome: chrome(),
            csrf: "c-1".into(),
            indicators: vec![
                TargetIndicatorView {
                    code: "route_completion".into(),
                    title: "Освоили ИОМ".into(),
                    explanation: "Из педагогов с утверждённым ИОМ …".into(),
                    region: Some(TargetView {
                        id: None,
                        scope: "Регион".into(),
                        threshold: "75 %".into(),
                        due: "31.08.2026".into(),
                        default: true,
                    }),
                    overrides: vec![TargetView {
                        id: Some(7),
                        scope: "Муниципалитет: Ярцевский район (m1)".into(),
                        threshold: "66,7 %".into(),
                        due: "—".into(),
                        default: false,
                    }],
                },
                TargetIndicatorView {
                    code: "growth".into(),
                    title: "Положительная динамика".into(),
                    explanation: "Из педагогов …".into(),
                    region: None,
                    overrides: vec![],
                },
            ],
            can_edit,
            form: TargetForm::default(),
            municipalities: vec![("m1".into(), "Ярцевский район".into())],
            notice: None,
            error: None,
            error_field: None,
        }
    }

    #[test]
    fn defaults_are_marked_and_staff_only_read() {
        let html = render_targets(&page(false));
        assert_page(&html, "Целевые значения");
        assert!(html.contains("по умолчанию из дорожной карты"), "{html}");
        assert!(html.contains("66,7 %"));
        assert!(html.contains("целевое значение не задано"));
        assert!(
            !html.contains("action=\"/targets\""),
            "no form without the right"
        );
        assert!(!html.contains("/remove"));
        assert!(!html.contains("Действие"), "no action column for readers");
        assert!(html.contains("colspan=\"2\""));
    }

    #[test]
    fn the_region_sets_and_removes_stored_targets_only() {
        let mut p = page(true);
        p.error = Some("Целевое значение: «150»: должно быть процентом от 0 до 100".into());
        p.error_field = Some("threshold".into());
        p.form.threshold = "150".into();
        let html = render_targets(&p);
        assert!(html.contains("action=\"/targets\""), "{html}");
        assert!(html.contains("action=\"/targets/7/remove\""));
        assert!(html.contains("Действие"));
        assert_eq!(
            html.matches("/remove\"").count(),
            1,
            "a default is not removed"
        );
        assert!(html.contains("role=\"alert\""));
        assert!(html.contains("value=\"150\""));
        assert_eq!(html.matches("aria-invalid=\"true\"").count(), 1, "{html}");
    }
}
