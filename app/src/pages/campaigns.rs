//! Diagnostic campaigns for the ЦНППМ methodist: the list with
//! participation, opening a campaign, one campaign's live participation.

use leptos::prelude::*;

use crate::layout::{
    Header, error_alert, participation_bar, render_document, render_document_with, share_text,
};
use crate::{CampaignPage, CampaignRow, CampaignsPage, ParticipationView, layout::Head};

/// The audience kinds of the new-campaign form: the value of
/// `audience_kind` and its Russian title.
pub const AUDIENCE_KINDS: [(&str, &str); 6] = [
    ("all", "все педагоги"),
    ("clusters", "педагоги школ кластеров"),
    (
        "students_low_results",
        "педагоги с низкими результатами обучающихся",
    ),
    ("schools", "выбранные ОО"),
    ("municipalities", "выбранные муниципалитеты"),
    ("roles", "сотрудники с ролями (управленческая диагностика)"),
];

/// How often the participation page reloads itself, in seconds.
pub const PARTICIPATION_REFRESH_SECS: u32 = 60;

/// A campaign status («открыта», «запланирована», «завершена») as a mark.
fn status_mark(status: String) -> impl IntoView {
    let class = match status.as_str() {
        "открыта" => "status status--ok",
        "запланирована" => "status status--waiting",
        _ => "status status--off",
    };
    view! { <span class=class>{status}</span> }
}

/// A campaign's participation in one cell: a native progress bar of the
/// finished share and the figures in words.
fn participation_summary(addressed: usize, started: usize, finished: usize) -> impl IntoView {
    let max = addressed.max(finished).max(1);
    view! {
        <div class="share">
            <progress
                class="share__bar"
                max=max.to_string()
                value=finished.min(max).to_string()
                aria-hidden="true"
            ></progress>
            <span class="share__text">{share_text(finished, addressed)}</span>
        </div>
        <p class="share__figures">
            {format!("завершили {finished} из {addressed}, в процессе {started}")}
        </p>
    }
}

/// «Диагностические кампании».
pub fn render_campaigns(p: &CampaignsPage) -> String {
    let p = p.clone();
    render_document(
        "Диагностические кампании",
        Header::SignedIn(&p.chrome),
        move || {
            let list = if p.campaigns.is_empty() {
                view! { <p class="empty">"Кампаний пока нет. Откройте первую с помощью формы ниже."</p> }
                    .into_any()
            } else {
                let rows = p
                    .campaigns
                    .into_iter()
                    .map(|c| {
                        let href = format!("/campaigns/{}", c.id);
                        view! {
                            <tr>
                                <th scope="row">
                                    <a href=href>{c.title}</a>
                                </th>
                                <td>{c.bank_title}</td>
                                <td class="nowrap">{c.window}</td>
                                <td>{c.audience}</td>
                                <td>{status_mark(c.status)}</td>
                                <td>{participation_summary(c.addressed, c.started, c.finished)}</td>
                            </tr>
                        }
                    })
                    .collect_view();
                view! {
                    <div class="table-wrap">
                        <table aria-labelledby="campaigns-title">
                            <thead>
                                <tr>
                                    <th scope="col">"Название"</th>
                                    <th scope="col">"Банк заданий"</th>
                                    <th scope="col">"Сроки"</th>
                                    <th scope="col">"Адресаты"</th>
                                    <th scope="col">"Статус"</th>
                                    <th scope="col">"Участие"</th>
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                }
                .into_any()
            };
            let form = p.form;
            let described = p.error.is_some().then_some("campaign-error");
            let bank_options = p
                .banks
                .iter()
                .map(|b| {
                    let value = b.id.to_string();
                    let selected = form.bank == value;
                    view! {
                        <option value=value selected=selected>
                            {format!("{} (версия {})", b.title, b.version)}
                        </option>
                    }
                })
                .collect_view();
            let no_banks = p.banks.is_empty().then(|| {
                view! {
                    <p class="hint">
                        "Банки заданий ещё не загружены. Обратитесь к администратору."
                    </p>
                }
            });
            let kind = if form.audience_kind.is_empty() {
                "all".to_string()
            } else {
                form.audience_kind.clone()
            };
            let kind_options = AUDIENCE_KINDS
                .iter()
                .map(|(value, title)| {
                    view! {
                        <option value=*value selected=kind == *value>
                            {*title}
                        </option>
                    }
                })
                .collect_view();
            view! {
                <h1>"Диагностические кампании"</h1>
                <p class="lead">
                    "Кампания назначает педагогам диагностику профессиональных дефицитов "
                    "по банку заданий на заданные сроки."
                </p>
                <section aria-labelledby="campaigns-title">
                    <h2 id="campaigns-title">"Кампании"</h2>
                    {list}
                </section>
                <section class="card" aria-labelledby="new-campaign-title">
                    <h2 id="new-campaign-title">"Открыть новую кампанию"</h2>
                    {error_alert(p.error, "campaign-error")}
                    <form class="form" method="post" action="/campaigns">
                        <input type="hidden" name="csrf" value=p.csrf/>
                        <div class="field">
                            <label for="campaign-title">"Название"</label>
                            <input
                                id="campaign-title"
                                name="title"
                                type="text"
                                value=form.title
                                required=true
                                maxlength="200"
                                aria-describedby=described
                            />
                        </div>
                        <div class="field">
                            <label for="campaign-bank">"Банк заданий"</label>
                            <select id="campaign-bank" name="bank" required=true>
                                <option value="" selected=form.bank.is_empty()>
                                    "— выберите банк —"
                                </option>
                                {bank_options}
                            </select>
                            {no_banks}
                        </div>
                        <div class="field-row">
                            <div class="field">
                                <label for="campaign-from">"Начало"</label>
                                <input
                                    id="campaign-from"
                                    name="from"
                                    type="date"
                                    value=form.from
                                    required=true
                                />
                            </div>
                            <div class="field">
                                <label for="campaign-to">"Окончание (включительно)"</label>
                                <input
                                    id="campaign-to"
                                    name="to"
                                    type="date"
                                    value=form.to
                                    required=true
                                />
                            </div>
                        </div>
                        <div class="field">
                            <label for="campaign-audience-kind">"Кому назначить"</label>
                            <select id="campaign-audience-kind" name="audience_kind">
                                {kind_options}
                            </select>
                        </div>
                        <div class="field">
                            <label for="campaign-audience-value">"Коды адресатов"</label>
                            <input
                                id="campaign-audience-value"
                                name="audience_value"
                                type="text"
                                value=form.audience_value
                                aria-describedby="campaign-audience-hint"
                            />
                            <p class="hint" id="campaign-audience-hint">
                                "Коды через |, например ШНОР|ШФНСУ — для кластеров, ОО, "
                                "муниципалитетов и ролей. Для «все педагоги» и «педагоги с низкими "
                                "результатами обучающихся» оставьте поле пустым."
                            </p>
                        </div>
                        <button type="submit" class="button">"Открыть кампанию"</button>
                    </form>
                </section>
            }
        },
    )
}

/// One row of the participation table (a municipality, a school, or the total).
fn participation_cells(addressed: usize, started: usize, finished: usize) -> impl IntoView {
    let not_started = addressed.saturating_sub(started + finished);
    view! {
        <td class="num">{addressed.to_string()}</td>
        <td class="num">{not_started.to_string()}</td>
        <td class="num">{started.to_string()}</td>
        <td class="num">{finished.to_string()}</td>
        <td class="participation">
            {participation_bar(addressed, started, finished)}
            <span class="share__text">{share_text(finished, addressed)}</span>
        </td>
    }
}

/// One campaign's live participation; reloads itself every minute.
pub fn render_campaign(p: &CampaignPage) -> String {
    let p = p.clone();
    let title = p.campaign.title.clone();
    let head = Head {
        refresh_secs: Some(PARTICIPATION_REFRESH_SECS),
        ..Head::default()
    };
    render_document_with(&title, Header::SignedIn(&p.chrome), head, move || {
        let CampaignRow {
            title,
            window,
            audience,
            status,
            addressed,
            started,
            finished,
            ..
        } = p.campaign;
        let not_started = addressed.saturating_sub(started + finished);
        let table = if p.rows.is_empty() {
            view! { <p class="empty">"Участников пока нет."</p> }.into_any()
        } else {
            let rows = p
                .rows
                .into_iter()
                .map(|r: ParticipationView| {
                    let name = match r.href {
                        Some(href) => view! { <a href=href>{r.name}</a> }.into_any(),
                        None => view! { <span>{r.name}</span> }.into_any(),
                    };
                    view! {
                        <tr>
                            <th scope="row">{name}</th>
                            {participation_cells(r.addressed, r.started, r.finished)}
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <div class="table-wrap">
                    <table>
                        <caption>"Участие по муниципалитетам и школам"</caption>
                        <thead>
                            <tr>
                                <th scope="col">"Муниципалитет / ОО"</th>
                                <th scope="col" class="num">"Назначено"</th>
                                <th scope="col" class="num">"Не начали"</th>
                                <th scope="col" class="num">"В процессе"</th>
                                <th scope="col" class="num">"Завершили"</th>
                                <th scope="col">"Доля завершивших"</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                        <tfoot>
                            <tr>
                                <th scope="row">"Всего"</th>
                                {participation_cells(addressed, started, finished)}
                            </tr>
                        </tfoot>
                    </table>
                </div>
            }
            .into_any()
        };
        view! {
            <p class="no-print">
                <a href="/campaigns">"← Все кампании"</a>
            </p>
            <h1>{title}</h1>
            <dl class="facts facts--compact">
                <div>
                    <dt>"Банк заданий"</dt>
                    <dd>{p.bank_title}</dd>
                </div>
                <div>
                    <dt>"Сроки"</dt>
                    <dd>{window}</dd>
                </div>
                <div>
                    <dt>"Адресаты"</dt>
                    <dd>{audience}</dd>
                </div>
                <div>
                    <dt>"Статус"</dt>
                    <dd>{status_mark(status)}</dd>
                </div>
            </dl>
            <section aria-labelledby="participation-title">
                <h2 id="participation-title">"Участие"</h2>
                <ul class="stats">
                    <li class="stat">
                        <span class="stat__value">{addressed.to_string()}</span>
                        <span class="stat__label">"назначено"</span>
                    </li>
                    <li class="stat">
                        <span class="stat__value">{not_started.to_string()}</span>
                        <span class="stat__label">"не начали"</span>
                    </li>
                    <li class="stat">
                        <span class="stat__value">{started.to_string()}</span>
                        <span class="stat__label">"в процессе"</span>
                    </li>
                    <li class="stat">
                        <span class="stat__value">{finished.to_string()}</span>
                        <span class="stat__label">"завершили"</span>
                        <span class="stat__note">{share_text(finished, addressed)}</span>
                    </li>
                </ul>
                <ul class="legend" aria-label="Обозначения на полосах">
                    <li>
                        <span class="swatch stack__done" aria-hidden="true"></span>
                        "завершили"
                    </li>
                    <li>
                        <span class="swatch stack__active" aria-hidden="true"></span>
                        "в процессе"
                    </li>
                    <li>
                        <span class="swatch stack__rest" aria-hidden="true"></span>
                        "не начали"
                    </li>
                </ul>
                {table}
                <p class="hint">"Страница обновляется сама раз в минуту."</p>
            </section>
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::{assert_page, chrome};
    use crate::{BankOption, NewCampaignForm};

    fn campaign(id: i64, status: &str) -> CampaignRow {
        CampaignRow {
            id,
            title: format!("Осень <{id}>"),
            bank_title: "Психолого-педагогические компетенции".into(),
            window: "01.12.2026 – 31.12.2026".into(),
            audience: "педагоги школ кластеров: ШНОР".into(),
            status: status.into(),
            addressed: 200,
            started: 30,
            finished: 90,
        }
    }

    #[test]
    fn campaigns_page_lists_and_opens_campaigns() {
        let html = render_campaigns(&CampaignsPage {
            chrome: chrome(),
            campaigns: vec![campaign(3, "открыта"), campaign(4, "завершена")],
            banks: vec![
                BankOption {
                    id: 1,
                    title: "Педагогика".into(),
                    version: "2026.1".into(),
                },
                BankOption {
                    id: 2,
                    title: "Математика <методика>".into(),
                    version: "2026.2".into(),
                },
            ],
            csrf: "csrf-c".into(),
            error: Some("Дата окончания раньше даты начала".into()),
            form: NewCampaignForm {
                title: "Весна \"2027\"".into(),
                bank: "2".into(),
                from: "2027-03-01".into(),
                to: "2027-02-01".into(),
                audience_kind: "clusters".into(),
                audience_value: "ШНОР|ШФНСУ".into(),
            },
        });
        assert_page(&html, "Диагностические кампании");
        assert!(!html.contains("<script"));
        assert!(html.contains("<h1>Диагностические кампании</h1>"));
        assert!(html.contains(r#"<a href="/campaigns/3">Осень &lt;3&gt;</a>"#));
        assert!(html.contains(r#"<span class="status status--ok">открыта</span>"#));
        assert!(html.contains(r#"<span class="status status--off">завершена</span>"#));
        assert!(html.contains("<th scope=\"col\">Участие</th>"));
        assert!(html.contains(r#"<progress max="200" value="90" aria-hidden="true" class="share__bar"></progress>"#), "{html}");
        assert!(html.contains("45 %"));
        assert!(html.contains("завершили 90 из 200, в процессе 30"));
        // The form.
        assert!(html.contains(r#"<form method="post" action="/campaigns" class="form">"#));
        assert!(html.contains(r#"<input type="hidden" name="csrf" value="csrf-c">"#));
        assert!(
            html.contains(r#"name="title" type="text" value="Весна &quot;2027&quot;""#),
            "{html}"
        );
        assert!(html.contains(r#"<option value="1">Педагогика (версия 2026.1)</option>"#));
        assert!(html.contains(
            r#"<option value="2" selected>Математика &lt;методика&gt; (версия 2026.2)</option>"#
        ));
        assert!(html.contains(r#"name="from" type="date" value="2027-03-01""#));
        assert!(html.contains(r#"name="to" type="date" value="2027-02-01""#));
        assert!(html.contains(r#"<select id="campaign-audience-kind" name="audience_kind">"#));
        for (value, title) in AUDIENCE_KINDS {
            assert!(
                html.contains(&format!(r#"<option value="{value}""#)),
                "{value}"
            );
            assert!(html.contains(title), "{title}");
        }
        assert!(
            html.contains(r#"<option value="clusters" selected>педагоги школ кластеров</option>"#)
        );
        assert!(html.contains(r#"name="audience_value" type="text" value="ШНОР|ШФНСУ""#));
        assert!(html.contains("например ШНОР|ШФНСУ"));
        assert!(html.contains("Дата окончания раньше даты начала"));
        assert!(html.contains("Открыть кампанию"));
    }

    #[test]
    fn empty_campaigns_page() {
        let html = render_campaigns(&CampaignsPage {
            chrome: chrome(),
            campaigns: vec![],
            banks: vec![],
            csrf: "c".into(),
            error: None,
            form: NewCampaignForm::default(),
        });
        assert!(html.contains("Кампаний пока нет."));
        assert!(html.contains("Банки заданий ещё не загружены."));
        assert!(html.contains(r#"<option value="all" selected>все педагоги</option>"#));
        assert!(!html.contains("role=\"alert\""));
    }

    #[test]
    fn campaign_page_shows_live_participation() {
        let html = render_campaign(&CampaignPage {
            chrome: chrome(),
            campaign: campaign(3, "открыта"),
            bank_title: "Психолого-педагогические компетенции".into(),
            rows: vec![
                ParticipationView {
                    name: "Смоленский район <м>".into(),
                    href: Some("/campaigns/3?municipality=m1".into()),
                    addressed: 120,
                    started: 10,
                    finished: 60,
                },
                ParticipationView {
                    name: "МБОУ СШ № 1".into(),
                    href: None,
                    addressed: 80,
                    started: 20,
                    finished: 30,
                },
            ],
        });
        assert_page(&html, "Осень &lt;3&gt;");
        assert!(html.contains(r#"<meta http-equiv="refresh" content="60">"#));
        assert!(!html.contains("<script"));
        assert!(html.contains("<h1>Осень &lt;3&gt;</h1>"));
        for h in ["Назначено", "Не начали", "В процессе", "Завершили"]
        {
            assert!(
                html.contains(&format!(r#"<th scope="col" class="num">{h}</th>"#)),
                "{h}"
            );
        }
        assert!(
            html.contains(
                r#"<a href="/campaigns/3?municipality=m1">Смоленский район &lt;м&gt;</a>"#
            )
        );
        // 120 addressed: 50 not started, 10 in progress, 60 finished.
        assert!(html.contains(
            r#"<td class="num">120</td><td class="num">50</td><td class="num">10</td><td class="num">60</td>"#
        ), "{html}");
        assert!(html.contains(r#"width="50.00%""#));
        assert!(html.contains(r#"x="50.00%""#));
        assert!(html.contains(r#"width="8.33%""#));
        assert_eq!(html.matches(r#"class="stack""#).count(), 3);
        // Totals from the campaign.
        assert!(html.contains("<th scope=\"row\">Всего</th>"));
        assert!(
            html.contains(
                r#"<span class="stat__value">80</span><span class="stat__label">не начали</span>"#
            ),
            "{html}"
        );
        assert!(html.contains("45 %"));
        assert!(html.contains("обновляется сама раз в минуту"));
    }
}
