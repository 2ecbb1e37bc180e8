//! «Показатели»: the dashboard of the region, a municipality or a school.
//! Each indicator is a progress bar against its target with a traffic
//! light, the trend of the daily snapshots and the forecast; below, the
//! parts of the scope (municipalities, schools) with their values, and the
//! lists of who holds each target back. Everything is server-rendered: the
//! bars and the trend are plain HTML and inline SVG.

use leptos::prelude::*;

use crate::Chrome;
use crate::layout::{Header, error_alert, render_document};

/// One indicator as a card.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorCard {
    /// `route_completion`, or `custom-ID`.
    pub key: String,
    pub title: String,
    pub explanation: String,
    /// «72,5 %» or «нет данных».
    pub value: String,
    /// «29 из 40 учителей».
    pub counts: String,
    /// The bar's fill in tenths of a percent (`None`: no data).
    pub tenths: Option<u64>,
    /// The target's mark on the bar in percent, and its words («цель ≥ 75 %
    /// к 31.08.2026»).
    pub target: Option<(f64, String)>,
    /// `green`, `yellow`, `red`, `grey`.
    pub light: &'static str,
    /// «цель достигнута», «не хватает 3 учителей», «цель не установлена».
    pub status: String,
    /// The forecast in words (may be empty).
    pub forecast: String,
    /// The trend: (share of the period elapsed 0..1, percent) per day.
    pub trend: Vec<(f64, f64)>,
    /// What confirms an entered value (custom indicators).
    pub evidence: Option<String>,
}

/// One part of the scope in the overview table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartRowView {
    pub name: String,
    pub href: Option<String>,
    /// Per indicator: «72,5» or «—», and the light.
    pub cells: Vec<(String, &'static str)>,
}

/// One row of a list of who holds a target back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BehindRowView {
    pub name: String,
    pub href: Option<String>,
    /// «2 из 8 (25,0 %)» or what is missing for a teacher.
    pub value: String,
    /// «не хватает 4» or «не учтён».
    pub gap: String,
}

/// The list of who holds one indicator back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BehindView {
    pub key: String,
    pub title: String,
    /// Shown open (the target is missed).
    pub open: bool,
    pub columns: [String; 3],
    pub rows: Vec<BehindRowView>,
    /// Rows left out of a long list.
    pub more: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DashboardPage {
    pub chrome: Chrome,
    /// «Регион», «Ершичский район», «МБОУ СШ № 1».
    pub scope_title: String,
    /// The way back up: (title, link).
    pub crumbs: Vec<(String, String)>,
    /// «01.09.2025 – 31.08.2026, по состоянию на 03.12.2026».
    pub period_text: String,
    /// The page's own path, for the period form.
    pub action: String,
    pub from: String,
    pub to: String,
    /// (title, link) of the downloads.
    pub downloads: Vec<(String, String)>,
    pub indicators: Vec<IndicatorCard>,
    pub custom: Vec<IndicatorCard>,
    /// «Муниципалитеты», «Школы»; `None` for a school.
    pub parts_title: Option<String>,
    /// Short indicator titles, the overview's columns.
    pub columns: Vec<String>,
    pub parts: Vec<PartRowView>,
    pub behind: Vec<BehindView>,
    pub error: Option<String>,
}

fn light_title(light: &str) -> &'static str {
    match light {
        "green" => "цель достигнута",
        "yellow" => "цель не достигнута, идёт к ней",
        "red" => "цель под угрозой",
        _ => "нет цели или данных",
    }
}

/// The trend as an inline SVG line over the period, with the target as a
/// dashed line.
fn trend_svg(points: &[(f64, f64)], target: Option<f64>, label: String) -> impl IntoView + use<> {
    const W: f64 = 240.0;
    const H: f64 = 48.0;
    let y = |percent: f64| H - 2.0 - percent.clamp(0.0, 100.0) * (H - 4.0) / 100.0;
    let line = points
        .iter()
        .map(|(x, p)| format!("{:.1},{:.1}", x.clamp(0.0, 1.0) * W, y(*p)))
        .collect::<Vec<_>>()
        .join(" ");
    let target_line = target.map(|t| {
        let ty = format!("{:.1}", y(t));
        view! {
            <line x1="0" x2=format!("{W}") y1=ty.clone() y2=ty class="trend__target"></line>
        }
    });
    view! {
        <svg class="trend" viewBox=format!("0 0 {W} {H}") width="240" height="48" role="img"
            aria-label=label>
            <rect x="0" y="0" width=format!("{W}") height=format!("{H}") class="trend__bg"></rect>
            {target_line}
            <polyline points=line class="trend__line"></polyline>
        </svg>
    }
}

fn card(c: IndicatorCard) -> impl IntoView + use<> {
    let width = c
        .tenths
        .map(|t| format!("width: {}.{}%", t / 10, t % 10))
        .unwrap_or_else(|| "width: 0".into());
    let marker = c.target.as_ref().map(|(p, _)| {
        view! { <span class="bar__target" style=format!("left: {p:.1}%")></span> }
    });
    let target_text = c
        .target
        .as_ref()
        .map(|(_, t)| t.clone())
        .unwrap_or_else(|| "цель не установлена".into());
    let trend = (c.trend.len() > 1).then(|| {
        trend_svg(
            &c.trend,
            c.target.as_ref().map(|t| t.0),
            format!("Динамика: {}", c.title),
        )
    });
    let evidence = c
        .evidence
        .map(|e| view! { <p class="hint">{format!("Подтверждение: {e}")}</p> });
    let forecast = (!c.forecast.is_empty()).then(|| view! { <p class="forecast">{c.forecast}</p> });
    let light = c.light;
    view! {
        <li class=format!("indicator indicator--{light}") id=format!("indicator-{}", c.key)>
            <h3 class="indicator__title">
                <span class=format!("light light--{light}") title=light_title(light)
                    aria-label=light_title(light)></span>
                {c.title}
            </h3>
            <p class="indicator__value">
                <strong>{c.value}</strong>
                " "
                <span class="muted">{c.counts}</span>
            </p>
            <div class="bar" role="presentation">
                <span class=format!("bar__fill bar__fill--{light}") style=width></span>
                {marker}
            </div>
            <p class="indicator__target">{target_text} " · " {c.status}</p>
            {forecast}
            {trend}
            {evidence}
            <details class="hint">
                <summary>"Как считается"</summary>
                {c.explanation}
            </details>
        </li>
    }
}

fn behind_list(b: BehindView) -> impl IntoView {
    let rows = b
        .rows
        .into_iter()
        .map(|r| {
            let name = match r.href {
                Some(href) => view! { <a href=href>{r.name}</a> }.into_any(),
                None => view! { <span>{r.name}</span> }.into_any(),
            };
            view! {
                <tr>
                    <th scope="row">{name}</th>
                    <td>{r.value}</td>
                    <td>{r.gap}</td>
                </tr>
            }
        })
        .collect_view();
    let more = (b.more > 0).then(|| view! { <p class="hint">{format!("и ещё {}", b.more)}</p> });
    let [c1, c2, c3] = b.columns;
    view! {
        <details class="behind" id=format!("behind-{}", b.key) open=b.open>
            <summary>{b.title}</summary>
            <div class="table-wrap">
                <table>
                    <thead>
                        <tr>
                            <th scope="col">{c1}</th>
                            <th scope="col">{c2}</th>
                            <th scope="col">{c3}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            {more}
        </details>
    }
}

/// The indicators' panel of the school and municipality pages: the cards
/// and a link to the whole dashboard (trend, forecast, lists behind).
pub(crate) fn indicators_panel(cards: Vec<IndicatorCard>, href: Option<String>) -> AnyView {
    let Some(href) = href else {
        return ().into_any();
    };
    let cards = cards.into_iter().map(card).collect_view();
    view! {
        <section aria-labelledby="indicators-title">
            <h2 id="indicators-title">"Показатели"</h2>
            <ul class="indicators">{cards}</ul>
            <p>
                <a href=href>"Подробно: динамика, прогноз и кто сдерживает достижение целей"</a>
            </p>
        </section>
    }
    .into_any()
}

/// «Показатели» of one scope.
pub fn render_dashboard(p: &DashboardPage) -> String {
    let p = p.clone();
    let title = format!("Показатели: {}", p.scope_title);
    render_document(&title.clone(), Header::SignedIn(&p.chrome), move || {
        let crumbs = (!p.crumbs.is_empty()).then(|| {
            let items = p
                .crumbs
                .iter()
                .map(|(t, href)| view! { <li><a href=href.clone()>{t.clone()}</a></li> })
                .collect_view();
            view! {
                <nav aria-label="Уровни" class="crumbs">
                    <ol>{items}</ol>
                </nav>
            }
        });
        let downloads = p
            .downloads
            .iter()
            .enumerate()
            .map(|(i, (t, href))| {
                view! {
                    {(i > 0).then_some(" · ")}
                    <a href=href.clone()>{t.clone()}</a>
                }
            })
            .collect_view();
        let cards = p.indicators.into_iter().map(card).collect_view();
        let custom = (!p.custom.is_empty()).then(|| {
            let cards = p.custom.into_iter().map(card).collect_view();
            view! {
                <h2>"Показатели, вводимые координаторами"</h2>
                <ul class="indicators">{cards}</ul>
            }
        });
        let parts = p.parts_title.map(|parts_title| {
            let head = p
                .columns
                .iter()
                .map(|c| view! { <th scope="col">{c.clone()}</th> })
                .collect_view();
            let rows = p
                .parts
                .into_iter()
                .map(|r| {
                    let name = match r.href {
                        Some(href) => view! { <a href=href>{r.name}</a> }.into_any(),
                        None => view! { <span>{r.name}</span> }.into_any(),
                    };
                    let cells = r
                        .cells
                        .into_iter()
                        .map(|(text, light)| {
                            view! {
                                <td class=format!("cell cell--{light}") title=light_title(light)>
                                    {text}
                                </td>
                            }
                        })
                        .collect_view();
                    view! {
                        <tr>
                            <th scope="row">{name}</th>
                            {cells}
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <h2 id="parts-title">{parts_title}</h2>
                <p class="hint">"Значения в процентах; цветом отмечено, достигнута ли цель."</p>
                <div class="table-wrap">
                    <table aria-labelledby="parts-title" class="parts">
                        <thead>
                            <tr>
                                <th scope="col">"Название"</th>
                                {head}
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            }
        });
        let behind = if p.behind.is_empty() {
            view! { <p class="empty">"Все установленные цели достигнуты."</p> }.into_any()
        } else {
            p.behind
                .into_iter()
                .map(behind_list)
                .collect_view()
                .into_any()
        };
        view! {
            {crumbs}
            <h1>{title.clone()}</h1>
            <p class="lead">{p.period_text}</p>
            {error_alert(p.error, "period-error")}
            <form method="get" action=p.action class="filter">
                <label for="from">"Период с"</label>
                <input type="date" id="from" name="from" value=p.from/>
                <label for="to">"по"</label>
                <input type="date" id="to" name="to" value=p.to/>
                <button type="submit" class="button button--secondary">"Показать"</button>
            </form>
            <p>"Скачать: " {downloads}</p>
            <ul class="indicators">{cards}</ul>
            {custom}
            {parts}
            <h2>"Кто сдерживает достижение целей"</h2>
            {behind}
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::{assert_page, chrome};

    fn card(key: &str, light: &'static str, tenths: Option<u64>) -> IndicatorCard {
        IndicatorCard {
            key: key.into(),
            title: format!("Показатель <{key}>"),
            explanation: "Знаменатель: …".into(),
            value: tenths.map_or("нет данных".into(), |t| {
                format!("{},{} %", t / 10, t % 10)
            }),
            counts: "29 из 40 учителей".into(),
            tenths,
            target: Some((75.0, "цель ≥ 75 % к 31.08.2026".into())),
            light,
            status: "не хватает 1 учителя".into(),
            forecast: "При текущем темпе к 31.08.2026 — около 80 %".into(),
            trend: vec![(0.0, 50.0), (0.5, 72.5)],
            evidence: None,
        }
    }

    fn page() -> DashboardPage {
        DashboardPage {
            chrome: chrome(),
            scope_title: "Ершичский район".into(),
            crumbs: vec![("Регион".into(), "/indicators".into())],
            period_text: "01.09.2025 – 31.08.2026, по состоянию на 03.12.2025".into(),
            action: "/indicators/municipalities/m01".into(),
            from: "2025-09-01".into(),
            to: "2026-08-31".into(),
            downloads: vec![
                (
                    "XLSX".into(),
                    "/indicators/report.xlsx?municipality=m01".into(),
                ),
                (
                    "Справка DOCX".into(),
                    "/indicators/spravka.docx?municipality=m01".into(),
                ),
            ],
            indicators: vec![
                card("route_completion", "red", Some(725)),
                card("growth", "grey", None),
            ],
            custom: vec![],
            parts_title: Some("Школы".into()),
            columns: vec!["ИОМ освоен".into(), "Рост".into()],
            parts: vec![PartRowView {
                name: "МБОУ СШ № 1".into(),
                href: Some("/indicators/schools/s001".into()),
                cells: vec![("72,5".into(), "red"), ("—".into(), "grey")],
            }],
            behind: vec![BehindView {
                key: "route_completion".into(),
                title: "Освоили ИОМ: школы ниже цели".into(),
                open: true,
                columns: ["Школа".into(), "Значение".into(), "Не хватает".into()],
                rows: vec![BehindRowView {
                    name: "МБОУ СШ № 1".into(),
                    href: Some("/indicators/schools/s001".into()),
                    value: "29 из 40 (72,5 %)".into(),
                    gap: "1".into(),
                }],
                more: 3,
            }],
            error: None,
        }
    }

    #[test]
    fn cards_bars_trend_parts_and_lists_behind() {
        let html = render_dashboard(&page());
        assert_page(&html, "Показатели: Ершичский район");
        assert!(
            html.contains("Показатель &lt;route_completion&gt;"),
            "{html}"
        );
        assert!(html.contains("style=\"width: 72.5%;\""), "{html}");
        assert!(html.contains("style=\"left: 75.0%;\""), "{html}");
        assert!(html.contains("light light--red"));
        assert!(html.contains("<polyline points=\"0.0,"), "{html}");
        assert!(html.contains("href=\"/indicators/schools/s001\""));
        assert!(html.contains("cell cell--red"));
        assert!(html.contains("и ещё 3"));
        assert!(html.contains("/indicators/spravka.docx?municipality=m01"));
        assert!(html.contains("нет данных"));
    }

    #[test]
    fn nothing_behind_says_so() {
        let mut p = page();
        p.behind.clear();
        p.parts_title = None;
        let html = render_dashboard(&p);
        assert!(html.contains("Все установленные цели достигнуты."));
        assert!(!html.contains("parts-title"));
    }
}
