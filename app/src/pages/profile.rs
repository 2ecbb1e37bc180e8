//! A diagnostic's result: the level, what it means, the profile by
//! competence (a chart and the same figures in a table), the history and
//! the review of the items.

use domain::Level;
use leptos::prelude::*;

use crate::format::{excerpt, kind_title};
use crate::layout::{Header, history_table, level_class, level_mark, paragraphs, render_document};
use crate::{ProfilePage, ResultRow, ReviewItem};

/// The default level thresholds, in percent, drawn as the chart's guides.
/// A threshold as printed: «40», «45,5».
fn threshold_text(t: f64) -> String {
    let s = format!("{t:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.replace('.', ",")
}

/// The longest competence label drawn next to a bar (the table has them in
/// full).
const CHART_LABEL_CHARS: usize = 40;

/// The same on a phone, where the stylesheet shows the short label instead.
const CHART_LABEL_CHARS_NARROW: usize = 22;

/// Chart geometry, in pixels: the axis labels band, one row per competence
/// (its label above its bar).
const AXIS_BAND: u32 = 24;
const ROW: u32 = 46;
const LABEL_BASELINE: u32 = 14;
const BAR_TOP: u32 = 20;
const BAR_HEIGHT: u32 = 16;
const BOTTOM: u32 = 6;

/// «Результаты диагностики».
pub fn render_profile(p: &ProfilePage) -> String {
    let p = p.clone();
    render_document(
        "Результаты диагностики",
        Header::SignedIn(&p.chrome),
        move || {
            let overall = p.overall;
            let explanation = level_explanation(overall.level, &p.competences);
            let chart = chart(&p.competences, p.thresholds);
            let legend = legend(&p.competences, &overall, p.thresholds);
            let table = competence_table(&p.competences, &overall, p.previous_taken_on);
            let review = match (p.review, p.review_note) {
                (Some(items), _) if !items.is_empty() => {
                    let items = items.into_iter().map(review_item).collect_view();
                    view! {
                        <p class="hint">
                            "Ниже — каждое задание вашей диагностики: ваш ответ, верный ответ "
                            "и пояснение."
                        </p>
                        <ol class="review">{items}</ol>
                    }
                    .into_any()
                }
                (Some(_), _) => {
                    view! { <p class="empty">"Заданий для разбора нет."</p> }.into_any()
                }
                (None, Some(note)) => view! { <p class="empty">{note}</p> }.into_any(),
                (None, None) => view! {
                    <p class="empty">"Разбор заданий для этой диагностики не предусмотрен."</p>
                }
                .into_any(),
            };
            let history = if p.history.is_empty() {
                view! { <p class="empty">"Других диагностик пока нет."</p> }.into_any()
            } else {
                history_table(p.history, "Все пройденные диагностики").into_any()
            };
            view! {
                <h1>"Результаты диагностики"</h1>
                <p class="lead">{p.bank_title}</p>
                <dl class="facts facts--compact">
                    <div>
                        <dt>"Педагог"</dt>
                        <dd>{p.teacher_name}</dd>
                    </div>
                    <div>
                        <dt>"Дата"</dt>
                        <dd>{p.taken_on}</dd>
                    </div>
                    <div>
                        <dt>"Форма"</dt>
                        <dd>{p.source}</dd>
                    </div>
                    <div>
                        <dt>"Версия банка заданий"</dt>
                        <dd>{p.version}</dd>
                    </div>
                </dl>
                <section
                    class=format!("card result result--{}", overall.level.as_str())
                    aria-labelledby="result-title"
                >
                    <h2 id="result-title">"Уровень профессиональных дефицитов"</h2>
                    <p class=format!("level-badge {}", level_class(overall.level))>
                        {overall.level_title.clone()}
                    </p>
                    <p class="result__percent">
                        "Общий результат: " <strong>{overall.percent_text.clone()}</strong>
                        {overall
                            .change
                            .clone()
                            .map(|c| format!(" ({c} п. п. к прошлой диагностике)"))}
                    </p>
                    {explanation}
                </section>
                <section aria-labelledby="chart-title">
                    <h2 id="chart-title">"Профиль по компетенциям"</h2>
                    {chart}
                    {legend}
                    {table}
                </section>
                <section aria-labelledby="history-title">
                    <h2 id="history-title">"История диагностик"</h2>
                    {history}
                </section>
                <section aria-labelledby="review-title">
                    <h2 id="review-title">"Разбор заданий"</h2>
                    {review}
                </section>
                <p class="hint no-print">
                    "Чтобы сохранить результаты, распечатайте страницу или сохраните её в PDF (Ctrl+P)."
                </p>
            }
        },
    )
}

/// Competence titles at these levels, for the explanation.
fn titles_at(competences: &[ResultRow], levels: &[Level]) -> Vec<String> {
    competences
        .iter()
        .filter(|c| levels.contains(&c.level))
        .map(|c| c.title.clone())
        .collect()
}

fn focus_list(titles: Vec<String>, lead: &'static str) -> Option<impl IntoView + use<>> {
    (!titles.is_empty()).then(|| {
        let items = titles
            .into_iter()
            .map(|t| view! { <li>{t}</li> })
            .collect_view();
        view! {
            <p>{lead}</p>
            <ul class="focus-list">{items}</ul>
        }
    })
}

/// What the level means and what happens next, in plain words.
fn level_explanation(level: Level, competences: &[ResultRow]) -> impl IntoView + use<> {
    match level {
        Level::Critical => {
            let focus = focus_list(
                titles_at(competences, &[Level::Critical, Level::High]),
                "В первую очередь маршрут затронет:",
            );
            view! {
                <p>
                    "По результатам диагностики в вашей работе есть трудности, которые нужно "
                    "решать в первую очередь. Это не оценка вашей работы: уровень показывает, "
                    "где вам полезнее всего помощь."
                </p>
                <h3>"Что будет дальше"</h3>
                <ul class="next-steps">
                    <li>
                        "Для вас обязательно составят индивидуальный образовательный маршрут (ИОМ)."
                    </li>
                    <li>
                        "В первую очередь за вами закрепят наставника — регионального методиста, "
                        "который поможет пройти маршрут."
                    </li>
                    <li>"В маршрут войдёт курс повышения квалификации объёмом не менее 36 часов."</li>
                </ul>
                {focus}
            }
            .into_any()
        }
        Level::High => {
            let focus = focus_list(
                titles_at(competences, &[Level::Critical, Level::High]),
                "Маршрут затронет каждую из этих компетенций:",
            );
            view! {
                <p>
                    "По результатам диагностики есть компетенции, по которым нужна "
                    "целенаправленная работа."
                </p>
                <h3>"Что будет дальше"</h3>
                <ul class="next-steps">
                    <li>
                        "Для вас составят индивидуальный образовательный маршрут (ИОМ): курсы, "
                        "семинары, стажировки по компетенциям с высоким и критическим уровнем "
                        "дефицитов."
                    </li>
                    <li>"Маршрут согласует методист регионального центра (ЦНППМ)."</li>
                </ul>
                {focus}
            }
            .into_any()
        }
        Level::Reduced => {
            let focus = focus_list(
                titles_at(competences, &[Level::Critical, Level::High, Level::Reduced]),
                "Стоит уделить внимание:",
            );
            view! {
                <p>
                    "В целом вы уверенно справились с диагностикой; отдельные компетенции "
                    "стоит подтянуть."
                </p>
                <h3>"Что будет дальше"</h3>
                <ul class="next-steps">
                    <li>
                        "Рекомендуем самостоятельно изучить материалы и посетить семинары по "
                        "компетенциям с более низким результатом."
                    </li>
                    <li>
                        "Индивидуальный образовательный маршрут (ИОМ) составят по вашему запросу: "
                        "обратитесь к заместителю директора по УВР или в региональный центр."
                    </li>
                </ul>
                {focus}
            }
            .into_any()
        }
        Level::None => view! {
            <p>"Профессиональных дефицитов не выявлено: по всем компетенциям высокий результат."</p>
            <h3>"Что дальше"</h3>
            <ul class="next-steps">
                <li>
                    "Обязательных мероприятий нет. Вы можете делиться опытом с коллегами: "
                    "провести открытый урок или мастер-класс."
                </li>
                <li>"Вы можете стать наставником для педагогов, которым нужна поддержка."</li>
            </ul>
        }
        .into_any(),
    }
}

/// A percent to draw: within 0–100, 0 when not a number.
fn clamp_percent(p: f64) -> f64 {
    if p.is_finite() {
        p.clamp(0.0, 100.0)
    } else {
        0.0
    }
}

/// The profile as a horizontal bar chart: one bar per competence over a
/// 0–100 % axis with guides at the level thresholds. Widths are percentages
/// of the chart's width, so the chart fills any screen without scaling its
/// text.
fn chart(competences: &[ResultRow], thresholds: [f64; 3]) -> AnyView {
    if competences.is_empty() {
        return view! { <p class="empty">"Результатов по компетенциям нет."</p> }.into_any();
    }
    let height = AXIS_BAND + ROW * competences.len() as u32 + BOTTOM;
    let label = competences
        .iter()
        .map(|c| {
            format!(
                "{} {} — {}, {}",
                c.code, c.title, c.percent_text, c.level_title
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    let label = format!("Диаграмма результатов по компетенциям, в процентах: {label}");
    let ticks: Vec<f64> = std::iter::once(0.0)
        .chain(thresholds)
        .chain(std::iter::once(100.0))
        .collect();
    let guides = thresholds
        .iter()
        .map(|t| {
            view! {
                <line
                    class="chart__guide"
                    x1=format!("{t}%")
                    x2=format!("{t}%")
                    y1=(AXIS_BAND - 4).to_string()
                    y2=height.to_string()
                ></line>
            }
        })
        .collect_view();
    let tick_labels = ticks
        .into_iter()
        .map(|t| {
            let anchor = if t <= 0.0 {
                "start"
            } else if t >= 100.0 {
                "end"
            } else {
                "middle"
            };
            view! {
                <text class="chart__tick" x=format!("{t}%") y="14" text-anchor=anchor>
                    {format!("{} %", threshold_text(t))}
                </text>
            }
        })
        .collect_view();
    let bars = competences
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let y = (AXIS_BAND + ROW * i as u32 + BAR_TOP).to_string();
            let width = clamp_percent(c.percent);
            let tooltip = format!(
                "{}. {}: {}, {}",
                c.code, c.title, c.percent_text, c.level_title
            );
            view! {
                <g class="chart__row">
                    <title>{tooltip}</title>
                    <rect
                        class="chart__track"
                        x="0"
                        y=y.clone()
                        width="100%"
                        height=BAR_HEIGHT.to_string()
                    ></rect>
                    <rect
                        class=format!("chart__bar chart__bar--{}", c.level.as_str())
                        x="0"
                        y=y
                        width=format!("{width:.2}%")
                        height=BAR_HEIGHT.to_string()
                    ></rect>
                </g>
            }
        })
        .collect_view();
    let labels = competences
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let y = (AXIS_BAND + ROW * i as u32 + LABEL_BASELINE).to_string();
            let name = format!("{}. {}", c.code, c.title);
            let long = excerpt(&name, CHART_LABEL_CHARS);
            let short = excerpt(&name, CHART_LABEL_CHARS_NARROW);
            view! {
                <text class="chart__label chart__label--long" x="0" y=y.clone()>
                    {long}
                </text>
                <text class="chart__label chart__label--short" x="0" y=y.clone()>
                    {short}
                </text>
                <text class="chart__value" x="100%" y=y text-anchor="end">
                    {c.percent_text.clone()}
                </text>
            }
        })
        .collect_view();
    view! {
        <figure class="chart">
            <svg
                class="chart__svg"
                width="100%"
                height=height.to_string()
                role="img"
                aria-label=label
                focusable="false"
            >
                <g class="chart__bars">{bars}</g>
                <g class="chart__guides">{guides}</g>
                <g class="chart__text">{tick_labels}{labels}</g>
            </svg>
            <figcaption class="hint">
                "Длина полосы — результат по компетенции в процентах; цвет — уровень дефицитов. "
                "Вертикальные линии — границы уровней: 40 %, 60 % и 80 %. "
                "Те же данные — в таблице ниже."
            </figcaption>
        </figure>
    }
    .into_any()
}

/// The colours of the chart with the region's level names.
fn legend(
    competences: &[ResultRow],
    overall: &ResultRow,
    thresholds: [f64; 3],
) -> impl IntoView + use<> {
    let title = |level: Level| {
        competences
            .iter()
            .chain(std::iter::once(overall))
            .find(|c| c.level == level)
            .map_or_else(
                || level.default_title().to_string(),
                |c| c.level_title.clone(),
            )
    };
    let [critical, high, reduced] = thresholds.map(threshold_text);
    let items = [
        (Level::Critical, format!("ниже {critical} %")),
        (Level::High, format!("{critical}–{high} %")),
        (Level::Reduced, format!("{high}–{reduced} %")),
        (Level::None, format!("{reduced} % и выше")),
    ]
    .into_iter()
    .map(|(level, range)| {
        view! {
            <li>
                <span
                    class=format!("swatch chart__bar--{}", level.as_str())
                    aria-hidden="true"
                ></span>
                {format!("{} — {range}", title(level))}
            </li>
        }
    })
    .collect_view();
    view! { <ul class="legend" aria-label="Уровни дефицитов">{items}</ul> }
}

/// A change in percentage points, coloured by its direction.
fn change_cell(change: Option<String>) -> impl IntoView {
    let class = match change.as_deref().and_then(|c| c.chars().next()) {
        Some('+') => "num change change--up",
        Some('−' | '-') => "num change change--down",
        _ => "num change",
    };
    view! { <td class=class>{change.unwrap_or_else(|| "—".to_string())}</td> }
}

/// The competences with their figures: what the chart shows, readable
/// without it and on paper.
fn competence_table(
    competences: &[ResultRow],
    overall: &ResultRow,
    previous: Option<String>,
) -> AnyView {
    if competences.is_empty() {
        return ().into_any();
    }
    let with_change = previous.is_some()
        || competences
            .iter()
            .chain(std::iter::once(overall))
            .any(|c| c.change.is_some());
    let rows = competences
        .iter()
        .cloned()
        .map(|c| {
            let change = with_change.then(|| change_cell(c.change));
            view! {
                <tr>
                    <th scope="row">
                        <span class="code">{c.code}</span>
                        " "
                        {c.title}
                    </th>
                    <td>{c.standard_ref.unwrap_or_else(|| "—".to_string())}</td>
                    <td class="num">{c.percent_text}</td>
                    <td>{level_mark(c.level, c.level_title)}</td>
                    {change}
                </tr>
            }
        })
        .collect_view();
    let change_head = with_change.then(|| {
        view! {
            <th scope="col" class="num">
                "Изменение, п. п."
            </th>
        }
    });
    let overall_change = with_change.then(|| change_cell(overall.change.clone()));
    let note = previous.map(|d| {
        view! {
            <p class="hint">
                {format!(
                    "Изменение — разница с результатом диагностики от {d} по тому же банку \
                     заданий, в процентных пунктах.",
                )}
            </p>
        }
    });
    view! {
        <div class="table-wrap">
            <table>
                <caption>"Результаты по компетенциям"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Компетенция"</th>
                        <th scope="col">"Трудовая функция (профстандарт)"</th>
                        <th scope="col" class="num">
                            "Результат"
                        </th>
                        <th scope="col">"Уровень дефицитов"</th>
                        {change_head}
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
                <tfoot>
                    <tr>
                        <th scope="row">"Итого"</th>
                        <td></td>
                        <td class="num">{overall.percent_text.clone()}</td>
                        <td>{level_mark(overall.level, overall.level_title.clone())}</td>
                        {overall_change}
                    </tr>
                </tfoot>
            </table>
        </div>
        {note}
    }
    .into_any()
}

/// One reviewed item.
fn review_item(r: ReviewItem) -> impl IntoView {
    let class = if r.full {
        "review-item review-item--full"
    } else {
        "review-item review-item--partial"
    };
    let score_class = if r.full {
        "mark level-none"
    } else {
        "mark level-high"
    };
    let context = r.context.filter(|c| !c.trim().is_empty()).map(|c| {
        view! {
            <div class="case">
                <p class="case__label">"Ситуация"</p>
                {paragraphs(&c)}
            </div>
        }
    });
    let explanation = r.explanation.filter(|e| !e.trim().is_empty()).map(|e| {
        view! {
            <div class="review-item__explanation">
                <p class="review-item__label">"Пояснение"</p>
                {paragraphs(&e)}
            </div>
        }
    });
    let given = if r.given.trim().is_empty() {
        view! { <p class="muted">"ответ не дан"</p> }.into_any()
    } else {
        paragraphs(&r.given).into_any()
    };
    view! {
        <li class=class>
            <h3>
                {format!("Задание {}", r.position)}
                <span class="review-item__meta">
                    {format!(" · {} · {}", r.competence_title, kind_title(&r.kind))}
                </span>
            </h3>
            {context}
            <div class="review-item__stem">{paragraphs(&r.stem)}</div>
            <dl class="review-item__answers">
                <div>
                    <dt>"Ваш ответ"</dt>
                    <dd>{given}</dd>
                </div>
                <div>
                    <dt>"Верный ответ"</dt>
                    <dd>{paragraphs(&r.correct)}</dd>
                </div>
                <div>
                    <dt>"Баллы"</dt>
                    <dd>
                        <span class=score_class>{r.score_text}</span>
                    </dd>
                </div>
            </dl>
            {explanation}
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::HistoryRow;
    use crate::tests::{assert_page, chrome};

    fn row(code: &str, title: &str, percent: f64, level: Level, change: Option<&str>) -> ResultRow {
        ResultRow {
            code: code.into(),
            title: title.into(),
            standard_ref: Some("ПС «Педагог», A/01.6".into()),
            percent,
            percent_text: format!("{percent:.2} %").replace('.', ","),
            level,
            level_title: level.default_title().into(),
            change: change.map(Into::into),
        }
    }

    fn page(level: Level) -> ProfilePage {
        ProfilePage {
            chrome: chrome(),
            teacher_name: "Иванова <Анна>".into(),
            bank_title: "Психолого-педагогические компетенции".into(),
            version: "2026.1".into(),
            taken_on: "22.11.2026".into(),
            source: "онлайн".into(),
            overall: ResultRow {
                code: String::new(),
                title: "Итого".into(),
                standard_ref: None,
                ..row("", "", 62.5, level, Some("+12,50"))
            },
            competences: vec![
                row(
                    "K1",
                    "Проектирование урока <ФГОС>",
                    35.0,
                    Level::Critical,
                    Some("−5,00"),
                ),
                row("K2", "Оценивание", 55.0, Level::High, Some("+10,00")),
                row("K3", "Воспитание", 100.0, Level::None, None),
            ],
            previous_taken_on: Some("10.03.2026".into()),
            review: None,
            review_note: Some("Разбор заданий будет доступен после закрытия диагностики".into()),
            history: vec![HistoryRow {
                diagnostic_id: 3,
                bank_title: "Психолого-педагогические компетенции".into(),
                taken_on: "10.03.2026".into(),
                source: "импорт".into(),
                percent: "50,00 %".into(),
                level: Level::High,
                level_title: Level::High.default_title().into(),
            }],
            thresholds: [40.0, 60.0, 80.0],
        }
    }

    #[test]
    fn the_chart_follows_the_bank_thresholds() {
        let mut p = page(Level::High);
        p.thresholds = [45.5, 60.0, 85.0];
        let html = render_profile(&p);
        assert!(html.contains("45,5 %") && html.contains("85 %"));
        assert!(html.contains(r#"x1="45.5%""#));
    }

    #[test]
    fn profile_shows_level_chart_table_and_history() {
        let html = render_profile(&page(Level::Critical));
        assert_page(&html, "Результаты диагностики");
        assert!(!html.contains("<script"));
        assert!(html.contains("<h1>Результаты диагностики</h1>"));
        assert!(html.contains("Иванова &lt;Анна&gt;"));
        assert!(html.contains("2026.1"));
        assert!(
            html.contains(r#"<p class="level-badge level-critical">критический</p>"#),
            "{html}"
        );
        assert!(html.contains("<strong>62,50 %</strong> (+12,50 п. п. к прошлой диагностике)"));
        assert!(html.contains("индивидуальный образовательный маршрут (ИОМ)"));
        assert!(html.contains("регионального методиста"));
        assert!(html.contains("не менее 36 часов"));
        // The chart.
        let svg = &html[html.find("<svg").unwrap()..html.find("</svg>").unwrap()];
        assert!(svg.contains(r#"role="img""#));
        assert!(svg.contains(
            "aria-label=\"Диаграмма результатов по компетенциям, в процентах: K1 Проектирование урока &lt;ФГОС&gt; — 35,00 %, критический; K2 Оценивание — 55,00 %, высокий; K3 Воспитание — 100,00 %, дефицитов нет\""
        ), "{svg}");
        assert_eq!(svg.matches("class=\"chart__bar ").count(), 3);
        assert!(
            svg.contains(r#"width="35.00%" height="16" class="chart__bar chart__bar--critical""#),
            "{svg}"
        );
        assert!(svg.contains(r#"class="chart__bar chart__bar--high""#));
        assert!(svg.contains(r#"width="100.00%" height="16" class="chart__bar chart__bar--none""#));
        assert_eq!(svg.matches("class=\"chart__guide\"").count(), 3);
        for t in ["40", "60", "80"] {
            assert!(svg.contains(&format!(r#"x1="{t}%" x2="{t}%""#)), "{t}");
            assert!(svg.contains(&format!(">{t} %</text>")), "{t}");
        }
        assert!(!svg.contains("<ФГОС>"));
        // The same figures in the table.
        assert!(html.contains("<caption>Результаты по компетенциям</caption>"));
        assert!(html.contains("Проектирование урока &lt;ФГОС&gt;"));
        assert!(html.contains("<td>ПС «Педагог», A/01.6</td>"));
        assert!(html.contains(r#"<td class="num">35,00 %</td>"#));
        assert!(html.contains(r#"<span class="mark level-critical">критический</span>"#));
        assert!(html.contains(r#"<td class="num change change--down">−5,00</td>"#));
        assert!(html.contains(r#"<td class="num change change--up">+10,00</td>"#));
        assert!(html.contains("Изменение, п. п."));
        assert!(html.contains("диагностики от 10.03.2026"));
        // History and review note.
        assert!(html.contains("История диагностик"));
        assert!(html.contains(r#"<a href="/diagnostics/3">"#));
        assert!(html.contains("импорт"));
        assert!(html.contains("Разбор заданий будет доступен после закрытия диагностики"));
    }

    #[test]
    fn each_level_explains_what_happens_next() {
        let html = render_profile(&page(Level::High));
        assert!(html.contains("level-badge level-high"));
        assert!(html.contains("индивидуальный образовательный маршрут (ИОМ)"));
        assert!(html.contains("Маршрут затронет каждую из этих компетенций:"));
        assert!(html.contains("<li>Оценивание</li>"));
        assert!(!html.contains("<li>Воспитание</li>"));
        let html = render_profile(&page(Level::Reduced));
        assert!(html.contains("семинары"));
        assert!(html.contains("по вашему запросу"));
        let html = render_profile(&page(Level::None));
        assert!(html.contains("level-badge level-none"));
        assert!(html.contains("наставником"));
        assert!(!html.contains("36 часов"));
    }

    #[test]
    fn review_shows_given_correct_score_and_explanation() {
        let mut p = page(Level::Reduced);
        p.previous_taken_on = None;
        for c in p
            .competences
            .iter_mut()
            .chain(std::iter::once(&mut p.overall))
        {
            c.change = None;
        }
        p.review = Some(vec![
            ReviewItem {
                position: 1,
                competence_title: "Оценивание".into(),
                kind: "single".into(),
                context: Some("Кейс <i>класса</i>".into()),
                stem: "Что <b>выбрать</b>?".into(),
                given: "Вариант А".into(),
                correct: "Вариант Б".into(),
                score_text: "0 из 1".into(),
                full: false,
                explanation: Some("Потому что <так>.".into()),
            },
            ReviewItem {
                position: 2,
                competence_title: "Воспитание".into(),
                kind: "numeric".into(),
                context: None,
                stem: "Сколько?".into(),
                given: String::new(),
                correct: "12,5".into(),
                score_text: "1 из 1".into(),
                full: true,
                explanation: None,
            },
        ]);
        let html = render_profile(&p);
        assert!(!html.contains("Изменение, п. п."));
        assert!(!html.contains("change"));
        assert!(!html.contains("Разбор заданий будет доступен"));
        assert!(html.contains("<h3>Задание 1<span class=\"review-item__meta\"> · Оценивание · выбор одного ответа</span></h3>"), "{html}");
        assert!(html.contains("Кейс &lt;i&gt;класса&lt;/i&gt;"));
        assert!(html.contains("Что &lt;b&gt;выбрать&lt;/b&gt;?"));
        assert!(html.contains("<dt>Ваш ответ</dt><dd><p>Вариант А</p></dd>"));
        assert!(html.contains("<dt>Верный ответ</dt><dd><p>Вариант Б</p></dd>"));
        assert!(html.contains(r#"<span class="mark level-high">0 из 1</span>"#));
        assert!(html.contains(r#"<span class="mark level-none">1 из 1</span>"#));
        assert!(html.contains("Потому что &lt;так&gt;."));
        assert!(html.contains("ответ не дан"));
        assert!(html.contains("числовой ответ"));
        assert_eq!(html.matches("review-item__explanation").count(), 1);
    }

    #[test]
    fn no_competences_no_chart() {
        let mut p = page(Level::None);
        p.competences.clear();
        p.history.clear();
        let html = render_profile(&p);
        assert!(!html.contains("<svg"));
        assert!(html.contains("Результатов по компетенциям нет."));
        assert!(html.contains("Других диагностик пока нет."));
    }
}
