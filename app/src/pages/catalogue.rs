//! «Каталог мероприятий»: the entries routes are built from, with the seats
//! routes take; a ЦНППМ methodist edits and adds entries.

use leptos::prelude::*;

use crate::layout::{Header, error_alert, notice, render_document};
use crate::pages::routes::STEP_KINDS;
use crate::{CatalogueEntryPage, CataloguePage, CatalogueRow};

/// The formats, value and title.
pub const FORMATS: [(&str, &str); 3] = [
    ("in_person", "очно"),
    ("remote", "дистанционно"),
    ("blended", "смешанно"),
];

fn options(items: &[(String, String)], chosen: &str, any: &'static str) -> impl IntoView + use<> {
    let any = view! { <option value="">{any}</option> };
    let rest = items
        .iter()
        .map(|(v, t)| {
            view! {
                <option value=v.clone() selected=chosen == v>
                    {t.clone()}
                </option>
            }
        })
        .collect_view();
    view! {
        {any}
        {rest}
    }
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(v, t)| (v.to_string(), t.to_string()))
        .collect()
}

fn row(r: CatalogueRow, can_edit: bool) -> impl IntoView {
    let title = if can_edit {
        view! { <a href=format!("/catalogue/{}", r.code)>{r.title}</a> }.into_any()
    } else {
        view! { <span>{r.title}</span> }.into_any()
    };
    let inactive = (!r.active).then(|| view! { <span class="hint">" (не действует)"</span> });
    let seats_class = if r.full { "mark level-high" } else { "" };
    let provider = r.provider.map(|p| view! { <div class="hint">{p}</div> });
    view! {
        <tr>
            <td class="nowrap">{r.code}</td>
            <th scope="row">{title} {inactive} {provider}</th>
            <td>{r.kind}</td>
            <td class="num">{r.hours.to_string()}</td>
            <td>{r.format}</td>
            <td>{r.place}</td>
            <td class="nowrap">{r.dates}</td>
            <td>{r.competences.join("; ")}</td>
            <td>
                <span class=seats_class>{r.seats}</span>
            </td>
        </tr>
    }
}

/// «Каталог мероприятий».
pub fn render_catalogue(p: &CataloguePage) -> String {
    let p = p.clone();
    let chrome = p.chrome.clone();
    render_document(
        "Каталог мероприятий",
        Header::SignedIn(&chrome),
        move || {
            let f = p.filter;
            let kinds = pairs(&STEP_KINDS);
            let formats = pairs(&FORMATS);
            let shown = p.rows.len();
            let table = if p.rows.is_empty() {
                view! { <p class="empty">"Подходящих мероприятий нет: измените фильтр."</p> }
                    .into_any()
            } else {
                let can_edit = p.can_edit;
                let rows = p.rows.into_iter().map(|r| row(r, can_edit)).collect_view();
                view! {
                    <div class="table-wrap">
                        <table aria-labelledby="catalogue-title">
                            <thead>
                                <tr>
                                    <th scope="col">"Код"</th>
                                    <th scope="col">"Мероприятие"</th>
                                    <th scope="col">"Вид"</th>
                                    <th scope="col">"Часов"</th>
                                    <th scope="col">"Формат"</th>
                                    <th scope="col">"Где"</th>
                                    <th scope="col">"Сроки"</th>
                                    <th scope="col">"Компетенции"</th>
                                    <th scope="col">"Места (заняты маршрутами)"</th>
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                }
                .into_any()
            };
            let add = p.can_edit.then(|| {
                view! {
                    <p>
                        <a class="button" href="/catalogue/new">
                            "Добавить мероприятие"
                        </a>
                    </p>
                }
            });
            view! {
                <h1>"Каталог мероприятий"</h1>
                <p class="lead">
                    "Курсы, стажировки, семинары и другие мероприятия, из которых строятся маршруты. "
                    "Места считаются по утверждённым маршрутам."
                </p>
                {notice(p.notice)}
                {add}
                <form method="get" action="/catalogue" class="filter">
                    <div>
                        <label for="f-competence">"Компетенция"</label>
                        <select id="f-competence" name="competence">
                            {options(&p.competences, &f.competence, "любая")}
                        </select>
                    </div>
                    <div>
                        <label for="f-kind">"Вид"</label>
                        <select id="f-kind" name="kind">{options(&kinds, &f.kind, "любой")}</select>
                    </div>
                    <div>
                        <label for="f-format">"Формат"</label>
                        <select id="f-format" name="format">
                            {options(&formats, &f.format, "любой")}
                        </select>
                    </div>
                    <div>
                        <label for="f-municipality">"Муниципалитет"</label>
                        <select id="f-municipality" name="municipality">
                            {options(&p.municipalities, &f.municipality, "все, включая региональные")}
                        </select>
                    </div>
                    <div>
                        <label for="f-from">"Начало не раньше"</label>
                        <input type="date" id="f-from" name="from" value=f.from/>
                    </div>
                    <div>
                        <label for="f-to">"Окончание не позже"</label>
                        <input type="date" id="f-to" name="to" value=f.to/>
                    </div>
                    <label class="checkbox">
                        <input type="checkbox" name="seats" value="left" checked=f.seats_left/>
                        " только со свободными местами"
                    </label>
                    <button type="submit" class="button">"Показать"</button>
                </form>
                <h2 id="catalogue-title">
                    {format!("Мероприятия: {shown} из {}", p.total)}
                </h2>
                {table}
            }
        },
    )
}

/// The form of one entry.
pub fn render_catalogue_entry(p: &CatalogueEntryPage) -> String {
    let p = p.clone();
    let chrome = p.chrome.clone();
    let title = match &p.code {
        Some(code) => format!("Мероприятие {code}"),
        None => "Новое мероприятие".to_string(),
    };
    let heading = title.clone();
    render_document(&title, Header::SignedIn(&chrome), move || {
        let f = p.form;
        let action = match &p.code {
            Some(code) => format!("/catalogue/{code}"),
            None => "/catalogue".to_string(),
        };
        let code_field = if p.code.is_some() {
            view! { <input type="hidden" name="code" value=f.code.clone()/> }.into_any()
        } else {
            view! {
                <label for="e-code">"Код (латиница и цифры, без пробелов)"</label>
                <input type="text" id="e-code" name="code" value=f.code.clone() maxlength="64"/>
            }
            .into_any()
        };
        let kinds = pairs(&STEP_KINDS);
        let formats = pairs(&FORMATS);
        let competences = p
            .competences
            .iter()
            .map(|(v, t)| {
                let checked = f.competences.contains(v);
                view! {
                    <label class="checkbox">
                        <input type="checkbox" name="competences" value=v.clone() checked=checked/>
                        {format!(" {t}")}
                    </label>
                }
            })
            .collect_view();
        let seats = p.seats.map(|s| view! { <p class="hint">{s}</p> });
        view! {
            <h1>{heading}</h1>
            <p>
                <a href="/catalogue">"← к каталогу"</a>
            </p>
            {error_alert(p.error, "entry-error")}
            {seats}
            <form method="post" action=action class="card step__form">
                <input type="hidden" name="csrf" value=p.csrf/>
                {code_field}
                <label for="e-title">"Название"</label>
                <input type="text" id="e-title" name="title" value=f.title maxlength="300"/>
                <label for="e-kind">"Вид"</label>
                <select id="e-kind" name="kind">{options(&kinds, &f.kind, "— выбрать —")}</select>
                <label for="e-hours">"Часов"</label>
                <input type="text" id="e-hours" name="hours" value=f.hours inputmode="numeric" maxlength="4"/>
                <fieldset>
                    <legend>"На какие компетенции направлено"</legend>
                    {competences}
                </fieldset>
                <label for="e-provider">"Организатор"</label>
                <input type="text" id="e-provider" name="provider" value=f.provider maxlength="300"/>
                <label for="e-format">"Формат"</label>
                <select id="e-format" name="format">{options(&formats, &f.format, "очно")}</select>
                <label for="e-subjects">"Предметы (через «|»; пусто — для всех)"</label>
                <input type="text" id="e-subjects" name="subjects" value=f.subjects maxlength="300"/>
                <label for="e-municipality">"Муниципалитет (пусто — региональное)"</label>
                <select id="e-municipality" name="municipality">
                    {options(&p.municipalities, &f.municipality, "региональное")}
                </select>
                <label for="e-from">"Начало"</label>
                <input type="date" id="e-from" name="starts_on" value=f.starts_on/>
                <label for="e-to">"Окончание"</label>
                <input type="date" id="e-to" name="ends_on" value=f.ends_on/>
                <label for="e-capacity">"Мест (пусто — не ограничено)"</label>
                <input type="text" id="e-capacity" name="capacity" value=f.capacity inputmode="numeric" maxlength="6"/>
                <label for="e-url">"Ссылка"</label>
                <input type="url" id="e-url" name="url" value=f.url maxlength="2000"/>
                <label class="checkbox">
                    <input type="checkbox" name="active" value="true" checked=f.active/>
                    " действует (предлагается в маршрутах)"
                </label>
                <button type="submit" class="button">"Сохранить"</button>
            </form>
        }
    })
}
