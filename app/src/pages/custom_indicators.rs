//! «Дополнительные показатели»: what the roadmaps target but the product
//! does not record (schools connected to «500+», management teams at a
//! seminar). The region defines them; a municipal coordinator enters its
//! municipality's numerator and denominator with what confirms them; the
//! region's figure is its own entry or the municipalities' sum.

use leptos::prelude::*;

use crate::Chrome;
use crate::layout::{Header, error_alert, notice, render_document};

/// A definition's form values, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomDefinitionForm {
    /// Only when defining; the code never changes.
    pub code: String,
    pub title: String,
    pub description: String,
    pub threshold: String,
    pub due_on: String,
    pub active: bool,
}

/// A figure (the region's or a municipality's) as the pages show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomFigureView {
    /// «Регион», «Ярцевский район».
    pub scope: String,
    /// «3 из 4 (75,0 %)», «нет данных».
    pub value: String,
    /// Whether the threshold is reached; `None`: no threshold or no data.
    pub met: Option<bool>,
    /// «на 01.03.2026».
    pub as_of: Option<String>,
    pub evidence: Option<String>,
    /// «сумма по 2 муниципалитетам из 5».
    pub note: Option<String>,
}

/// One custom indicator in the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomIndicatorItem {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub description: String,
    /// «75 %» or «—».
    pub threshold: String,
    /// «31.08.2026» or «—».
    pub due: String,
    pub active: bool,
    /// The region's figure (active indicators only).
    pub region: Option<CustomFigureView>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomIndicatorsPage {
    pub chrome: Chrome,
    pub csrf: String,
    pub items: Vec<CustomIndicatorItem>,
    /// The caller defines indicators (a ЦНППМ methodist, an administrator).
    pub can_define: bool,
    pub form: CustomDefinitionForm,
    pub notice: Option<String>,
    pub error: Option<String>,
    pub error_field: Option<String>,
}

/// One entry of the history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomHistoryView {
    pub as_of: String,
    pub scope: String,
    pub value: String,
    pub evidence: String,
    /// «Волкова Елена Николаевна, 03.03.2026 14:05».
    pub entered: String,
}

/// The value form's values, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomValueForm {
    /// `""`: the region; else a municipality code.
    pub municipality: String,
    pub as_of: String,
    pub numerator: String,
    pub denominator: String,
    pub evidence: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomIndicatorPage {
    pub chrome: Chrome,
    pub csrf: String,
    pub id: i64,
    pub item: CustomIndicatorItem,
    /// The region first, then each municipality the caller sees.
    pub figures: Vec<CustomFigureView>,
    /// The latest first.
    pub history: Vec<CustomHistoryView>,
    /// The caller edits the definition.
    pub can_edit: bool,
    pub definition: CustomDefinitionForm,
    /// Where the caller may enter a value: value (`""`: the region) and
    /// title. Empty: no value form.
    pub value_scopes: Vec<(String, String)>,
    pub value_form: CustomValueForm,
    /// Today (`YYYY-MM-DD`): a value's day may not be later.
    pub today: String,
    pub notice: Option<String>,
    pub error: Option<String>,
    pub error_field: Option<String>,
    /// The error is about the definition form (else the value form).
    pub error_in_definition: bool,
}

/// Text to put inside a `<textarea>`, escaped: tachys renders a
/// textarea's children unescaped, while the browser decodes entities there,
/// so a typed `</textarea>` would otherwise end the element and let markup
/// in (as `pages::mentor` does for its own).
fn textarea_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn met_mark(met: Option<bool>) -> AnyView {
    match met {
        Some(true) => view! { <span class="status status--ok">"достигнуто"</span> }.into_any(),
        Some(false) => {
            view! { <span class="status status--late">"не достигнуто"</span> }.into_any()
        }
        None => view! { <span class="muted">"—"</span> }.into_any(),
    }
}

fn figure_cells(f: CustomFigureView) -> impl IntoView {
    let note = f.note.map(|n| view! { <div class="hint">{n}</div> });
    let as_of = f.as_of.map(|a| view! { <div class="hint">{a}</div> });
    view! {
        <td>{f.value} {note} {as_of}</td>
        <td>{met_mark(f.met)}</td>
    }
}

/// The definition fields shared by «new» and «edit».
fn definition_fields(
    f: CustomDefinitionForm,
    with_code: bool,
    invalid: impl Fn(&str) -> Option<&'static str>,
    described: Option<&'static str>,
) -> impl IntoView {
    let code = with_code.then(|| {
        view! {
            <div class="field">
                <label for="custom-code">"Код (латиница, цифры, «_» и «-»)"</label>
                <input
                    type="text"
                    id="custom-code"
                    name="code"
                    value=f.code.clone()
                    maxlength="64"
                    required=true
                    aria-invalid=invalid("code")
                    aria-describedby=described
                />
                <p class="hint">"например, school_500; потом не меняется"</p>
            </div>
        }
    });
    view! {
        {code}
        <div class="field">
            <label for="custom-title">"Название"</label>
            <input
                type="text"
                id="custom-title"
                name="title"
                value=f.title
                maxlength="500"
                required=true
                aria-invalid=invalid("title")
                aria-describedby=described
            />
        </div>
        <div class="field">
            <label for="custom-description">"Что считается (знаменатель и числитель)"</label>
            <textarea id="custom-description" name="description" rows="3" maxlength="2000">
                {textarea_text(&f.description)}
            </textarea>
        </div>
        <div class="field-row">
            <div class="field">
                <label for="custom-threshold">"Целевое значение, % (необязательно)"</label>
                <input
                    type="text"
                    id="custom-threshold"
                    name="threshold"
                    value=f.threshold
                    inputmode="decimal"
                    maxlength="12"
                    aria-invalid=invalid("threshold")
                    aria-describedby=described
                />
            </div>
            <div class="field">
                <label for="custom-due">"Срок (необязательно)"</label>
                <input
                    type="date"
                    id="custom-due"
                    name="due_on"
                    value=f.due_on
                    aria-invalid=invalid("due_on")
                    aria-describedby=described
                />
            </div>
        </div>
        <label class="checkbox">
            <input type="checkbox" name="active" value="true" checked=f.active/>
            " действует (принимает значения, показывается на панелях)"
        </label>
    }
}

/// «Дополнительные показатели».
pub fn render_custom_indicators(p: &CustomIndicatorsPage) -> String {
    let p = p.clone();
    let chrome = p.chrome.clone();
    render_document(
        "Дополнительные показатели",
        Header::SignedIn(&chrome),
        move || {
            let rows = p
                .items
                .iter()
                .cloned()
                .map(|i| {
                    let state =
                        (!i.active).then(|| view! { <div class="hint">"не действует"</div> });
                    let figure = match i.region {
                        Some(f) => figure_cells(f).into_any(),
                        None => view! {
                            <td class="muted">"—"</td>
                            <td class="muted">"—"</td>
                        }
                        .into_any(),
                    };
                    view! {
                        <tr>
                            <th scope="row">
                                <a href=format!("/custom-indicators/{}", i.id)>{i.title}</a>
                                <div class="hint">{i.description}</div>
                                {state}
                            </th>
                            <td class="num">{i.threshold}</td>
                            <td class="nowrap">{i.due}</td>
                            {figure}
                        </tr>
                    }
                })
                .collect_view();
            let table = if p.items.is_empty() {
                view! { <p class="empty">"Дополнительных показателей пока нет."</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table aria-labelledby="custom-list-title">
                            <thead>
                                <tr>
                                    <th scope="col">"Показатель"</th>
                                    <th scope="col" class="num">"Цель"</th>
                                    <th scope="col">"Срок"</th>
                                    <th scope="col">"Регион"</th>
                                    <th scope="col">"Достигнуто"</th>
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                }
                .into_any()
            };
            let field = p.error_field.clone();
            let invalid = move |name: &str| (field.as_deref() == Some(name)).then_some("true");
            let described = p.error.is_some().then_some("custom-error");
            let form = p.can_define.then(|| {
                view! {
                    <section class="card" aria-labelledby="custom-new-title">
                        <h2 id="custom-new-title">"Новый показатель"</h2>
                        {error_alert(p.error.clone(), "custom-error")}
                        <form class="form" method="post" action="/custom-indicators">
                            <input type="hidden" name="csrf" value=p.csrf.clone()/>
                            {definition_fields(p.form.clone(), true, invalid, described)}
                            <button type="submit" class="button">"Добавить"</button>
                        </form>
                    </section>
                }
            });
            view! {
                <h1 id="custom-list-title">"Дополнительные показатели"</h1>
                <p class="lead">
                    "Цели дорожных карт, которые Маршрут не учитывает сам: числитель и "
                    "знаменатель вносят координаторы с подтверждением."
                </p>
                <p>
                    <a href="/targets">"← целевые значения показателей"</a>
                </p>
                {notice(p.notice.clone())}
                {table}
                {form}
            }
        },
    )
}

/// One custom indicator: its figures, history and forms.
pub fn render_custom_indicator(p: &CustomIndicatorPage) -> String {
    let p = p.clone();
    let title = p.item.title.clone();
    let chrome = p.chrome.clone();
    render_document(&title, Header::SignedIn(&chrome), move || {
        let item = p.item.clone();
        let figures = p
            .figures
            .iter()
            .cloned()
            .map(|f| {
                let scope = f.scope.clone();
                let evidence = f.evidence.clone().unwrap_or_else(|| "—".to_string());
                view! {
                    <tr>
                        <th scope="row">{scope}</th>
                        {figure_cells(f)}
                        <td>{evidence}</td>
                    </tr>
                }
            })
            .collect_view();
        let history = if p.history.is_empty() {
            view! { <p class="empty">"Значения ещё не вносились."</p> }.into_any()
        } else {
            let rows = p
                .history
                .iter()
                .cloned()
                .map(|h| {
                    view! {
                        <tr>
                            <td class="nowrap">{h.as_of}</td>
                            <th scope="row">{h.scope}</th>
                            <td>{h.value}</td>
                            <td>{h.evidence}</td>
                            <td>{h.entered}</td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <div class="table-wrap">
                    <table aria-labelledby="custom-history-title">
                        <thead>
                            <tr>
                                <th scope="col">"На дату"</th>
                                <th scope="col">"Уровень"</th>
                                <th scope="col">"Значение"</th>
                                <th scope="col">"Подтверждение"</th>
                                <th scope="col">"Внесено"</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            }
            .into_any()
        };
        let field = p.error_field.clone();
        let in_definition = p.error_in_definition;
        let value_error = (!in_definition).then(|| p.error.clone()).flatten();
        let definition_error = in_definition.then(|| p.error.clone()).flatten();
        let value_form = (!p.value_scopes.is_empty() && item.active).then(|| {
            let f = p.value_form.clone();
            let field = field.clone();
            let invalid = move |name: &str| {
                (!in_definition && field.as_deref() == Some(name)).then_some("true")
            };
            let described = value_error.is_some().then_some("value-error");
            let scopes = p
                .value_scopes
                .iter()
                .map(|(v, t)| {
                    view! {
                        <option value=v.clone() selected=f.municipality == *v>
                            {t.clone()}
                        </option>
                    }
                })
                .collect_view();
            view! {
                <section class="card" aria-labelledby="value-title">
                    <h2 id="value-title">"Внести значение"</h2>
                    <p class="hint">
                        "Прежние значения сохраняются: новое становится текущим, если его дата не раньше."
                    </p>
                    {error_alert(value_error.clone(), "value-error")}
                    <form class="form" method="post" action=format!("/custom-indicators/{}/values", p.id)>
                        <input type="hidden" name="csrf" value=p.csrf.clone()/>
                        <div class="field-row">
                            <div class="field">
                                <label for="value-scope">"Уровень"</label>
                                <select
                                    id="value-scope"
                                    name="municipality"
                                    aria-invalid=invalid("municipality")
                                    aria-describedby=described
                                >
                                    {scopes}
                                </select>
                            </div>
                            <div class="field">
                                <label for="value-date">"На дату"</label>
                                <input
                                    type="date"
                                    id="value-date"
                                    name="as_of"
                                    value=f.as_of
                                    max=p.today.clone()
                                    required=true
                                    aria-invalid=invalid("as_of")
                                    aria-describedby=described
                                />
                            </div>
                        </div>
                        <div class="field-row">
                            <div class="field">
                                <label for="value-numerator">"Числитель"</label>
                                <input
                                    type="text"
                                    id="value-numerator"
                                    name="numerator"
                                    value=f.numerator
                                    inputmode="numeric"
                                    maxlength="12"
                                    required=true
                                    aria-invalid=invalid("numerator")
                                    aria-describedby=described
                                />
                            </div>
                            <div class="field">
                                <label for="value-denominator">"Знаменатель"</label>
                                <input
                                    type="text"
                                    id="value-denominator"
                                    name="denominator"
                                    value=f.denominator
                                    inputmode="numeric"
                                    maxlength="12"
                                    required=true
                                    aria-invalid=invalid("denominator")
                                    aria-describedby=described
                                />
                            </div>
                        </div>
                        <div class="field">
                            <label for="value-evidence">"Подтверждение"</label>
                            <input
                                type="text"
                                id="value-evidence"
                                name="evidence"
                                value=f.evidence
                                maxlength="2000"
                                required=true
                                aria-invalid=invalid("evidence")
                                aria-describedby=described
                            />
                            <p class="hint">
                                "документ (название, номер, дата) или ссылка, например: "
                                "приказ ОМСУ № 15 от 01.03.2026"
                            </p>
                        </div>
                        <button type="submit" class="button">"Сохранить значение"</button>
                    </form>
                </section>
            }
        });
        // A refused value with no form to show it beside (the indicator
        // was deactivated meanwhile): at the top.
        let refused = if value_form.is_none() {
            value_error.clone()
        } else {
            None
        };
        let edit = p.can_edit.then(|| {
            let field = field.clone();
            let invalid = move |name: &str| {
                (in_definition && field.as_deref() == Some(name)).then_some("true")
            };
            let described = definition_error.is_some().then_some("definition-error");
            view! {
                <section class="card" aria-labelledby="definition-title">
                    <h2 id="definition-title">"Изменить показатель"</h2>
                    {error_alert(definition_error.clone(), "definition-error")}
                    <form class="form" method="post" action=format!("/custom-indicators/{}", p.id)>
                        <input type="hidden" name="csrf" value=p.csrf.clone()/>
                        {definition_fields(p.definition.clone(), false, invalid, described)}
                        <button type="submit" class="button">"Сохранить"</button>
                    </form>
                </section>
            }
        });
        let inactive = (!item.active).then(|| {
            view! { <p class="alert alert--notice">"Показатель не действует: значения не принимаются."</p> }
        });
        view! {
            <h1>{item.title.clone()}</h1>
            <p>
                <a href="/custom-indicators">"← к дополнительным показателям"</a>
            </p>
            {notice(p.notice.clone())}
            {inactive}
            {error_alert(refused, "value-error")}
            <dl class="facts">
                <div>
                    <dt>"Код"</dt>
                    <dd>
                        <code>{item.code.clone()}</code>
                    </dd>
                </div>
                <div>
                    <dt>"Что считается"</dt>
                    <dd>{item.description.clone()}</dd>
                </div>
                <div>
                    <dt>"Целевое значение"</dt>
                    <dd>{item.threshold.clone()}</dd>
                </div>
                <div>
                    <dt>"Срок"</dt>
                    <dd>{item.due.clone()}</dd>
                </div>
            </dl>
            <section class="card" aria-labelledby="figures-title">
                <h2 id="figures-title">"Текущие значения"</h2>
                <div class="table-wrap">
                    <table>
                        <thead>
                            <tr>
                                <th scope="col">"Уровень"</th>
                                <th scope="col">"Значение"</th>
                                <th scope="col">"Достигнуто"</th>
                                <th scope="col">"Подтверждение"</th>
                            </tr>
                        </thead>
                        <tbody>{figures}</tbody>
                    </table>
                </div>
            </section>
            {value_form}
            <section class="card" aria-labelledby="custom-history-title">
                <h2 id="custom-history-title">"История значений"</h2>
                {history}
            </section>
            {edit}
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::{assert_page, chrome};

    fn item(active: bool) -> CustomIndicatorItem {
        CustomIndicatorItem {
            id: 3,
            code: "school_500".into(),
            title: "Подключены к проекту «500+»".into(),
            description: "Из ОО с критическими значениями".into(),
            threshold: "75 %".into(),
            due: "31.08.2026".into(),
            active,
            region: active.then(|| CustomFigureView {
                scope: "Регион".into(),
                value: "4 из 6 (66,7 %)".into(),
                met: Some(false),
                as_of: Some("на 05.03.2026".into()),
                evidence: None,
                note: Some("сумма по 2 муниципалитетам из 2".into()),
            }),
        }
    }

    #[test]
    fn the_list_shows_the_regions_figure_and_the_form_to_the_region() {
        let mut p = CustomIndicatorsPage {
            chrome: chrome(),
            csrf: "c-1".into(),
            items: vec![item(true), item(false)],
            can_define: false,
            form: CustomDefinitionForm::default(),
            notice: None,
            error: None,
            error_field: None,
        };
        let html = render_custom_indicators(&p);
        assert_page(&html, "Дополнительные показатели");
        assert!(html.contains("сумма по 2 муниципалитетам из 2"), "{html}");
        assert!(html.contains("не достигнуто"));
        assert!(html.contains("не действует"));
        assert!(html.contains("href=\"/custom-indicators/3\""));
        assert!(!html.contains("action=\"/custom-indicators\""));
        p.can_define = true;
        p.error = Some("Код: код «Х» …".into());
        p.error_field = Some("code".into());
        let html = render_custom_indicators(&p);
        assert!(html.contains("action=\"/custom-indicators\""));
        assert_eq!(html.matches("aria-invalid=\"true\"").count(), 1);
    }

    fn detail(scopes: Vec<(String, String)>, active: bool) -> CustomIndicatorPage {
        CustomIndicatorPage {
            chrome: chrome(),
            csrf: "c-1".into(),
            id: 3,
            item: item(active),
            figures: vec![CustomFigureView {
                scope: "Ярцевский район".into(),
                value: "3 из 4 (75,0 %)".into(),
                met: Some(true),
                as_of: Some("на 01.03.2026".into()),
                evidence: Some("Приказ № 15 <b>".into()),
                note: None,
            }],
            history: vec![CustomHistoryView {
                as_of: "01.03.2026".into(),
                scope: "Ярцевский район".into(),
                value: "3 из 4 (75,0 %)".into(),
                evidence: "Приказ № 15 <b>".into(),
                entered: "Волкова Елена Николаевна, 01.03.2026 10:00".into(),
            }],
            can_edit: false,
            definition: CustomDefinitionForm::default(),
            value_scopes: scopes,
            value_form: CustomValueForm::default(),
            today: "2026-03-02".into(),
            notice: None,
            error: Some("Подтверждение: укажите, чем подтверждается значение".into()),
            error_field: Some("evidence".into()),
            error_in_definition: false,
        }
    }

    #[test]
    fn a_coordinator_enters_a_value_with_evidence() {
        let html =
            render_custom_indicator(&detail(vec![("m1".into(), "Ярцевский район".into())], true));
        assert_page(&html, "Подключены к проекту «500+»");
        assert!(
            html.contains("action=\"/custom-indicators/3/values\""),
            "{html}"
        );
        assert!(html.contains("Приказ № 15 &lt;b&gt;"));
        assert!(html.contains("max=\"2026-03-02\""));
        assert!(html.contains("id=\"value-error\""));
        assert_eq!(html.matches("aria-invalid=\"true\"").count(), 1);
        assert!(
            !html.contains("action=\"/custom-indicators/3\""),
            "no editing"
        );
        let mut p = detail(vec![], true);
        p.can_edit = true;
        p.definition.description = "Из ОО <ШНОР>".into();
        let html = render_custom_indicator(&p);
        assert!(html.contains("action=\"/custom-indicators/3\""));
        assert!(
            html.contains("maxlength=\"2000\">Из ОО &lt;ШНОР&gt;</textarea>"),
            "{html}"
        );
    }

    #[test]
    fn an_inactive_indicator_takes_no_values_and_readers_get_no_form() {
        let html = render_custom_indicator(&detail(vec![("".into(), "Регион".into())], false));
        assert!(html.contains("не действует"));
        assert!(!html.contains("/values\""));
        assert!(
            html.contains("id=\"value-error\""),
            "the refusal still shows"
        );
        let html = render_custom_indicator(&detail(vec![], true));
        assert!(!html.contains("/values\""));
    }
}
