//! Taking a diagnostic: one question per screen, and the confirmation
//! before the answers are sent.

use domain::Response;
use domain::attempt::{Choice, ItemView};
use leptos::prelude::*;

use crate::format::{excerpt, kind_title, ru_plural, ru_plural_word, ru_time_left};
use crate::layout::{
    Head, Header, error_alert, paragraphs, render_document, render_document_with, seg,
};
use crate::{AttemptPage, FinishPage};

/// The longest stem excerpt on the confirmation page.
const EXCERPT_CHARS: usize = 120;

/// Letters that name the right-hand choices of a matching item (no «Ё»,
/// «Й», «Ъ», «Ы», «Ь»: they do not start list labels).
const LETTERS: [&str; 20] = [
    "А", "Б", "В", "Г", "Д", "Е", "Ж", "З", "И", "К", "Л", "М", "Н", "О", "П", "Р", "С", "Т", "У",
    "Ф",
];

fn letter(i: usize) -> String {
    LETTERS
        .get(i)
        .map_or_else(|| (i + 1).to_string(), |l| (*l).to_string())
}

/// One question of an attempt.
pub fn render_attempt(p: &AttemptPage) -> String {
    let p = p.clone();
    let number = p.position + 1;
    let title = format!("Вопрос {number} из {} · {}", p.total, p.campaign_title);
    let head = Head {
        csrf: Some(p.csrf.clone()),
        script: true,
        refresh_secs: None,
    };
    render_document_with(&title, Header::SignedIn(&p.chrome), head, move || {
        let id = p.attempt_id;
        let answered_count = p.answered.iter().filter(|a| **a).count();
        let last = number >= p.total;
        let attempt_href = format!("/attempts/{id}");
        let item_seg = seg(&p.item.id);
        let action = format!("/attempts/{id}/items/{item_seg}");
        let save_url = format!("/api/v1/attempts/{id}/responses/{item_seg}");
        let progress = format!("Вопрос {number} из {} · отвечено {answered_count}", p.total);
        let timer_class = if p.remaining_secs < 5 * 60 {
            "timer timer--low"
        } else {
            "timer"
        };
        let (next_value, next_label) = if last {
            ("finish", "К завершению")
        } else {
            ("next", "Далее →")
        };
        let kind = p.item.kind;
        let context = p
            .item
            .context
            .clone()
            .filter(|c| !c.trim().is_empty())
            .map(|c| {
                view! {
                    <div class="case">
                        <p class="case__label">"Ситуация"</p>
                        {paragraphs(&c)}
                    </div>
                }
            });
        let stem = paragraphs(&p.item.stem);
        let fields = answer_fields(&p.item, p.response.as_ref());
        let saved = p.saved.then_some("Ответ сохранён");
        let nav = question_nav(id, p.position, p.total, &p.answered);
        view! {
            <div class="attempt">
                <p class="attempt__bank">{p.bank_title}</p>
                <h1 class="attempt__title">{p.campaign_title}</h1>
                <div class="attempt-bar">
                    <div class="attempt-bar__progress">
                        <p id="attempt-progress">{progress}</p>
                        <progress
                            max=p.total.max(1).to_string()
                            value=answered_count.to_string()
                            aria-labelledby="attempt-progress"
                        >
                            {format!("отвечено {answered_count} из {}", p.total)}
                        </progress>
                    </div>
                    <p class=timer_class>
                        <span
                            role="timer"
                            data-deadline=p.deadline_utc
                            data-remaining=p.remaining_secs.to_string()
                            data-timeout-href=attempt_href
                        >
                            {ru_time_left(p.remaining_secs)}
                        </span>
                        " "
                        <span class="timer__until">{format!("до {}", p.deadline_text)}</span>
                    </p>
                </div>
                {error_alert(p.error, "attempt-error")}
                <section class="question" aria-labelledby="question-title">
                    <h2 id="question-title">
                        {format!("Вопрос {number}")}
                        " "
                        <span class="question__kind">{format!("· {}", kind_title(kind))}</span>
                    </h2>
                    {context}
                    <div class="question__stem" id="question-stem">{stem}</div>
                    <form
                        class="answer-form"
                        method="post"
                        action=action
                        data-autosave=true
                        data-kind=kind
                        data-save-url=save_url
                    >
                        <input type="hidden" name="csrf" value=p.csrf/>
                        // The first submit button is the one Enter presses: move on,
                        // never back.
                        <button
                            type="submit"
                            name="go"
                            value=next_value
                            class="visually-hidden"
                            tabindex="-1"
                            aria-hidden="true"
                        >
                            {next_label}
                        </button>
                        <fieldset class="answer" aria-describedby="question-stem">
                            <legend>{instruction(kind)}</legend>
                            {fields}
                        </fieldset>
                        <div class="attempt-actions">
                            <button
                                type="submit"
                                name="go"
                                value="prev"
                                class="button button--secondary"
                                disabled={p.position == 0}
                            >
                                "← Назад"
                            </button>
                            <button
                                type="submit"
                                name="go"
                                value="stay"
                                class="button button--secondary"
                            >
                                "Сохранить"
                            </button>
                            <button type="submit" name="go" value=next_value class="button">
                                {next_label}
                            </button>
                        </div>
                        <p class="save-status" role="status" data-save-status=true>
                            {saved}
                        </p>
                    </form>
                </section>
                {nav}
            </div>
        }
    })
}

/// What the teacher is asked to do, by the item's kind.
fn instruction(kind: &str) -> &'static str {
    match kind {
        "single" => "Выберите один вариант ответа",
        "multiple" => "Выберите все верные варианты ответа",
        "matching" => "Установите соответствие: для каждого элемента выберите вариант из списка",
        "ordering" => "Расставьте варианты по порядку: укажите место каждого (1 — первое)",
        "numeric" => "Введите ответ числом",
        "text" => "Введите краткий ответ",
        _ => "Ответ",
    }
}

/// The inputs of the answer form, pre-filled from the saved response.
fn answer_fields(item: &ItemView, response: Option<&Response>) -> AnyView {
    let none: Vec<Choice> = Vec::new();
    let options = item.options.as_ref().unwrap_or(&none);
    match item.kind {
        "single" => {
            let chosen = match response {
                Some(Response::Index(i)) => Some(*i),
                _ => None,
            };
            choices("radio", options, |i| chosen == Some(i))
        }
        "multiple" => {
            let chosen: &[usize] = match response {
                Some(Response::Indices(v)) => v,
                _ => &[],
            };
            choices("checkbox", options, |i| chosen.contains(&i))
        }
        "matching" => {
            let pairs: &[(usize, usize)] = match response {
                Some(Response::Pairs(v)) => v,
                _ => &[],
            };
            matching(
                item.left.as_ref().unwrap_or(&none),
                item.right.as_ref().unwrap_or(&none),
                pairs,
            )
        }
        "ordering" => {
            let order: &[usize] = match response {
                Some(Response::Indices(v)) => v,
                _ => &[],
            };
            ordering(options, order)
        }
        "numeric" => {
            let value = match response {
                // Shown the way Russians write decimals; parsed back either way.
                Some(Response::Number(x)) => x.to_string().replace('.', ","),
                Some(Response::Index(i)) => i.to_string(),
                Some(Response::Text(t)) => t.clone(),
                _ => String::new(),
            };
            view! {
                <div class="field">
                    <label for="answer-number">"Ответ"</label>
                    <input
                        type="text"
                        id="answer-number"
                        name="number"
                        class="input-number"
                        inputmode="decimal"
                        autocomplete="off"
                        value=value
                        aria-describedby="answer-number-hint"
                    />
                    <p class="hint" id="answer-number-hint">
                        "Дробную часть можно отделять запятой, например 12,5."
                    </p>
                </div>
            }
            .into_any()
        }
        "text" => {
            let value = match response {
                Some(Response::Text(t)) => t.clone(),
                Some(Response::Number(x)) => x.to_string(),
                Some(Response::Index(i)) => i.to_string(),
                _ => String::new(),
            };
            view! {
                <div class="field">
                    <label for="answer-text">"Ответ"</label>
                    <input
                        type="text"
                        id="answer-text"
                        name="text"
                        autocomplete="off"
                        value=value
                        aria-describedby="answer-text-hint"
                    />
                    <p class="hint" id="answer-text-hint">
                        "Регистр букв и лишние пробелы не важны."
                    </p>
                </div>
            }
            .into_any()
        }
        _ => view! {
            <p class="alert alert--error">
                "Этот вид задания не поддерживается. Сообщите в региональный центр."
            </p>
        }
        .into_any(),
    }
}

/// Radio buttons or checkboxes named `choice`, valued by the bank index.
fn choices(input: &'static str, options: &[Choice], checked: impl Fn(usize) -> bool) -> AnyView {
    let items = options
        .iter()
        .map(|c| {
            view! {
                <li>
                    <label class="choice">
                        <input
                            type=input
                            name="choice"
                            value=c.index.to_string()
                            checked=checked(c.index)
                        />
                        <span>{c.text.clone()}</span>
                    </label>
                </li>
            }
        })
        .collect_view();
    view! { <ul class="choices">{items}</ul> }.into_any()
}

/// One select per left choice, `match_{left}`, offering the right choices.
fn matching(left: &[Choice], right: &[Choice], pairs: &[(usize, usize)]) -> AnyView {
    let rows = left
        .iter()
        .enumerate()
        .map(|(n, l)| {
            let chosen = pairs.iter().find(|(pl, _)| *pl == l.index).map(|p| p.1);
            let name = format!("match_{}", l.index);
            let options = right
                .iter()
                .enumerate()
                .map(|(k, r)| {
                    view! {
                        <option value=r.index.to_string() selected={chosen == Some(r.index)}>
                            {format!("{}. {}", letter(k), r.text)}
                        </option>
                    }
                })
                .collect_view();
            view! {
                <li class="match-row">
                    <label class="match-row__left" for=name.clone()>
                        <span class="match-row__num">{format!("{}.", n + 1)}</span>
                        " "
                        {l.text.clone()}
                    </label>
                    <select id=name.clone() name=name>
                        <option value="" selected=chosen.is_none()>
                            "— выберите —"
                        </option>
                        {options}
                    </select>
                </li>
            }
        })
        .collect_view();
    let rights = right
        .iter()
        .enumerate()
        .map(|(k, r)| {
            view! {
                <li>
                    <span class="match-rights__letter">{format!("{}.", letter(k))}</span>
                    " "
                    {r.text.clone()}
                </li>
            }
        })
        .collect_view();
    view! {
        <div class="matching">
            <ol class="match-list">{rows}</ol>
            <div class="match-rights">
                <p class="match-rights__title">"Варианты для выбора"</p>
                <ul>{rights}</ul>
            </div>
        </div>
    }
    .into_any()
}

/// One select per option, `pos_{option}`, offering the places `1..=n`. The
/// saved order lists option indices: the option at list position k has
/// place k + 1.
fn ordering(options: &[Choice], order: &[usize]) -> AnyView {
    let n = options.len();
    let rows = options
        .iter()
        .map(|c| {
            let place = order.iter().position(|o| *o == c.index).map(|k| k + 1);
            let name = format!("pos_{}", c.index);
            let places = (1..=n)
                .map(|k| {
                    view! {
                        <option value=k.to_string() selected={place == Some(k)}>
                            {k.to_string()}
                        </option>
                    }
                })
                .collect_view();
            view! {
                <li class="order-row">
                    <select id=name.clone() name=name.clone() class="order-row__place">
                        <option value="" selected=place.is_none()>
                            "—"
                        </option>
                        {places}
                    </select>
                    <label for=name>{c.text.clone()}</label>
                </li>
            }
        })
        .collect_view();
    view! {
        <p class="hint">
            {format!("Места от 1 до {n}; у каждого варианта — своё, без повторов.")}
        </p>
        <ul class="order-list">{rows}</ul>
    }
    .into_any()
}

/// The list of all questions: answered ones marked, the current one
/// `aria-current`, and the way to the end.
fn question_nav(
    id: i64,
    position: usize,
    total: usize,
    answered: &[bool],
) -> impl IntoView + use<> {
    let links = (0..total)
        .map(|i| {
            let done = answered.get(i).copied().unwrap_or(false);
            let current = i == position;
            let mut class = String::from("qnav__item");
            if done {
                class.push_str(" qnav__item--answered");
            }
            if current {
                class.push_str(" qnav__item--current");
            }
            let state = match (done, current) {
                (true, true) => ", есть ответ, текущий",
                (true, false) => ", есть ответ",
                (false, true) => ", без ответа, текущий",
                (false, false) => ", без ответа",
            };
            view! {
                <li>
                    <a
                        class=class
                        href=format!("/attempts/{id}?q={}", i + 1)
                        aria-current=current.then_some("page")
                        data-nav=true
                    >
                        <span class="visually-hidden">"Вопрос "</span>
                        {(i + 1).to_string()}
                        <span class="visually-hidden">{state}</span>
                    </a>
                </li>
            }
        })
        .collect_view();
    view! {
        <nav class="qnav" aria-labelledby="qnav-title">
            <h2 id="qnav-title">"Все вопросы"</h2>
            <ol class="qnav__list">{links}</ol>
            <p class="qnav__legend">
                <span class="qnav__swatch qnav__swatch--answered" aria-hidden="true"></span>
                " есть ответ "
                <span class="qnav__swatch" aria-hidden="true"></span>
                " без ответа"
            </p>
            <p class="hint">
                "Ответ сохраняется кнопками «Сохранить», «Далее» и «Назад». "
                "Перед переходом к другому вопросу по номеру сохраните ответ на текущий."
            </p>
            <p>
                <a class="button button--secondary" href=format!("/attempts/{id}/finish")>
                    "Завершить диагностику"
                </a>
            </p>
        </nav>
    }
}

/// «Завершить диагностику?».
pub fn render_finish(p: &FinishPage) -> String {
    let p = p.clone();
    render_document(
        "Завершение диагностики",
        Header::SignedIn(&p.chrome),
        move || {
            let id = p.attempt_id;
            let count = p.unanswered.len();
            let missing = if count == 0 {
                let all = ru_plural(p.total as u64, "вопрос", "вопроса", "вопросов");
                view! { <p class="lead">{format!("Вы ответили на все {all}.")}</p> }.into_any()
            } else {
                let verb = ru_plural_word(count as u64, "остался", "осталось", "осталось");
                let heading = format!(
                    "Без ответа {verb} {}:",
                    ru_plural(count as u64, "вопрос", "вопроса", "вопросов")
                );
                let items = p
                    .unanswered
                    .into_iter()
                    .map(|(n, stem)| {
                        view! {
                            <li>
                                <a href=format!("/attempts/{id}?q={n}")>
                                    {format!("Вопрос {n}")}
                                </a>
                                {format!(": {}", excerpt(&stem, EXCERPT_CHARS))}
                            </li>
                        }
                    })
                    .collect_view();
                view! {
                    <div class="alert alert--warning">
                        <p class="lead">{heading}</p>
                        <ul class="unanswered">{items}</ul>
                        <p>"Вопрос без ответа оценивается в 0 баллов."</p>
                    </div>
                }
                .into_any()
            };
            view! {
                <h1>"Завершить диагностику?"</h1>
                <p class="attempt__bank">{p.campaign_title}</p>
                <section class="card" aria-labelledby="finish-title">
                    <h2 id="finish-title" class="visually-hidden">"Проверка ответов"</h2>
                    {missing}
                    <p>{format!("{}.", p.remaining_text)}</p>
                    <p>
                        <strong>"После отправки ответы изменить нельзя."</strong>
                        " Уровень и профиль по компетенциям появятся сразу после отправки. "
                        "Если время выйдет раньше, сохранённые ответы будут отправлены автоматически."
                    </p>
                    <form class="form" method="post" action=format!("/attempts/{id}/submit")>
                        <input type="hidden" name="csrf" value=p.csrf/>
                        <button type="submit" class="button">"Завершить и отправить"</button>
                    </form>
                    <p>
                        <a href=format!("/attempts/{id}")>"Вернуться к вопросам"</a>
                    </p>
                </section>
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use domain::Decimal;

    use super::*;
    use crate::tests::{assert_page, chrome};

    fn choice(index: usize, text: &str) -> Choice {
        Choice {
            index,
            text: text.into(),
        }
    }

    fn item(kind: &'static str) -> ItemView {
        let opts = || {
            Some(vec![
                choice(2, "Вариант В"),
                choice(0, "Вариант <А>"),
                choice(1, "Вариант Б"),
            ])
        };
        ItemView {
            id: "K1-001".into(),
            kind,
            competence: "pedagogy-core:K1".into(),
            context: None,
            stem: "Что делать?".into(),
            options: matches!(kind, "single" | "multiple" | "ordering")
                .then(opts)
                .flatten(),
            left: (kind == "matching").then(|| vec![choice(1, "Левый 1"), choice(0, "Левый 0")]),
            right: (kind == "matching").then(|| {
                vec![
                    choice(2, "Правый 2"),
                    choice(0, "Правый 0"),
                    choice(1, "Правый 1"),
                ]
            }),
        }
    }

    fn page(kind: &'static str, response: Option<Response>) -> AttemptPage {
        AttemptPage {
            chrome: chrome(),
            attempt_id: 41,
            campaign_title: "Осенняя диагностика".into(),
            bank_title: "Психолого-педагогические компетенции".into(),
            position: 2,
            total: 20,
            answered: (0..20).map(|i| i < 12).collect(),
            item: item(kind),
            response,
            deadline_utc: "2026-11-22T12:40:00Z".into(),
            deadline_text: "22.11.2026 15:40 (МСК)".into(),
            remaining_secs: 43 * 60 + 10,
            csrf: "csrf-a".into(),
            error: None,
            saved: false,
        }
    }

    #[test]
    fn question_page_has_progress_timer_form_and_navigator() {
        let mut p = page("single", Some(Response::Index(0)));
        p.item.context = Some("Ситуация <b>урока</b>.\n\nВторой абзац\nс переносом.".into());
        p.item.stem = "Как <i>поступить</i>?".into();
        let html = render_attempt(&p);
        assert_page(&html, "Вопрос 3 из 20 · Осенняя диагностика");
        assert!(
            html.contains(r#"<meta name="csrf-token" content="csrf-a">"#),
            "{html}"
        );
        assert!(html.contains(r#"<script src="/static/app.js" defer></script>"#));
        assert!(html.contains("Вопрос 3 из 20 · отвечено 12"));
        assert!(html.contains(r#"<progress max="20" value="12""#), "{html}");
        assert!(html.contains(
            r#"<span role="timer" data-deadline="2026-11-22T12:40:00Z" data-remaining="2590" data-timeout-href="/attempts/41">Осталось 43 мин</span>"#
        ), "{html}");
        assert!(html.contains("до 22.11.2026 15:40 (МСК)"));
        // The case text and the stem are escaped plain-text paragraphs.
        assert!(
            html.contains(
                "<p>Ситуация &lt;b&gt;урока&lt;/b&gt;.</p><p>Второй абзац<br>с переносом.</p>"
            ),
            "{html}"
        );
        assert!(html.contains("<p>Как &lt;i&gt;поступить&lt;/i&gt;?</p>"));
        assert!(!html.contains("<b>урока"));
        let case_at = html.find("class=\"case\"").unwrap();
        let stem_at = html.find("id=\"question-stem\"").unwrap();
        assert!(case_at < stem_at);
        assert!(html.contains(
            r#"<form method="post" action="/attempts/41/items/K1-001" data-autosave data-kind="single" data-save-url="/api/v1/attempts/41/responses/K1-001" class="answer-form">"#
        ), "{html}");
        assert!(html.contains(r#"<input type="hidden" name="csrf" value="csrf-a">"#));
        assert!(html.contains("Выберите один вариант ответа"));
        assert!(html.contains(r#"<input type="radio" name="choice" value="2">"#));
        assert!(
            html.contains(r#"<input type="radio" name="choice" value="0" checked>"#),
            "{html}"
        );
        assert!(html.contains("Вариант &lt;А&gt;"));
        assert_eq!(html.matches(r#"type="radio""#).count(), 3);
        // Buttons: back enabled from the third question on, save, next.
        assert!(html.contains(
            r#"<button type="submit" name="go" value="prev" class="button button--secondary">← Назад</button>"#
        ), "{html}");
        assert!(
            html.contains(r#"value="stay" class="button button--secondary">Сохранить</button>"#)
        );
        assert!(html.contains(
            r#"<button type="submit" name="go" value="next" class="button">Далее →</button>"#
        ));
        // Enter moves on: the first submit button is a hidden «next».
        let first_button = html.find("<button type=\"submit\" name=\"go\"").unwrap();
        assert!(html[first_button..].starts_with(r#"<button type="submit" name="go" value="next" tabindex="-1" aria-hidden="true" class="visually-hidden">"#));
        assert!(html.contains(r#"role="status" data-save-status"#));
        assert!(!html.contains("Ответ сохранён"));
        // Navigator.
        assert!(html.contains(r#"href="/attempts/41?q=1""#));
        assert!(html.contains(r#"href="/attempts/41?q=20""#));
        assert_eq!(html.matches("qnav__item--answered").count(), 12);
        assert!(html.contains(
            r#"<a href="/attempts/41?q=3" aria-current="page" data-nav class="qnav__item qnav__item--answered qnav__item--current">"#
        ), "{html}");
        assert_eq!(html.matches("aria-current=\"page\"").count(), 2); // chrome nav + question
        assert!(html.contains(r#"href="/attempts/41/finish""#));
        assert!(html.contains("Завершить диагностику"));
        // Nothing about the key: only the teacher's own choice is marked.
        assert_eq!(html.matches(" checked").count(), 1);
        assert!(!html.contains("Верный ответ"));
        assert!(!html.contains("Пояснение"));
        let fresh = render_attempt(&page("single", None));
        assert!(!fresh.contains(" checked"));
    }

    #[test]
    fn first_and_last_questions_change_the_buttons() {
        let mut p = page("text", None);
        p.position = 0;
        let html = render_attempt(&p);
        assert!(
            html.contains(r#"value="prev" disabled class="button button--secondary">← Назад"#),
            "{html}"
        );
        let mut p = page("text", None);
        p.position = 19;
        p.saved = true;
        p.error = Some("Не удалось <сохранить>".into());
        p.remaining_secs = 30;
        let html = render_attempt(&p);
        assert!(html.contains(
            r#"<button type="submit" name="go" value="finish" class="button">К завершению</button>"#
        ));
        assert!(!html.contains(r#"value="next""#));
        assert!(!html.contains("disabled"));
        assert!(html.contains(">Ответ сохранён</p>"));
        assert!(html.contains(r#"role="alert""#));
        assert!(html.contains("Не удалось &lt;сохранить&gt;"));
        assert!(html.contains("Осталось меньше минуты"));
        assert!(html.contains("timer timer--low"));
    }

    #[test]
    fn multiple_choice_ticks_the_saved_options() {
        let html = render_attempt(&page("multiple", Some(Response::Indices(vec![2, 1]))));
        assert!(html.contains(r#"data-kind="multiple""#));
        assert!(html.contains(r#"<input type="checkbox" name="choice" value="2" checked>"#));
        assert!(html.contains(r#"<input type="checkbox" name="choice" value="0">"#));
        assert!(html.contains(r#"<input type="checkbox" name="choice" value="1" checked>"#));
        assert!(html.contains("Выберите все верные варианты ответа"));
    }

    #[test]
    fn matching_has_a_select_per_left_choice() {
        let html = render_attempt(&page("matching", Some(Response::Pairs(vec![(1, 0)]))));
        assert!(html.contains(r#"data-kind="matching""#));
        assert!(
            html.contains(r#"<select id="match_1" name="match_1">"#),
            "{html}"
        );
        assert!(html.contains(r#"<select id="match_0" name="match_0">"#));
        assert!(html.contains(r#"<label for="match_1" class="match-row__left">"#));
        // Left 1 is matched to right 0 (shown second: «Б»).
        let m1 = &html[html.find(r#"name="match_1""#).unwrap()..];
        let m1 = &m1[..m1.find("</select>").unwrap()];
        assert!(
            m1.contains(r#"<option value="">— выберите —</option>"#),
            "{m1}"
        );
        assert!(
            m1.contains(r#"<option value="2">А. Правый 2</option>"#),
            "{m1}"
        );
        assert!(
            m1.contains(r#"<option value="0" selected>Б. Правый 0</option>"#),
            "{m1}"
        );
        let m0 = &html[html.find(r#"name="match_0""#).unwrap()..];
        let m0 = &m0[..m0.find("</select>").unwrap()];
        assert!(
            m0.contains(r#"<option value="" selected>— выберите —</option>"#),
            "{m0}"
        );
        assert!(!m0.contains(r#"value="0" selected"#));
    }

    #[test]
    fn ordering_assigns_places_from_the_saved_order() {
        // The order lists option indices: 1 first, then 2, then 0.
        let html = render_attempt(&page("ordering", Some(Response::Indices(vec![1, 2, 0]))));
        assert!(html.contains(r#"data-kind="ordering""#));
        let place = |option: usize| {
            let s = &html[html.find(&format!(r#"name="pos_{option}""#)).unwrap()..];
            let s = &s[..s.find("</select>").unwrap()];
            assert_eq!(s.matches("<option").count(), 4, "{s}");
            let at = s.find(" selected>").unwrap();
            s[..at]
                .rsplit("value=\"")
                .next()
                .unwrap()
                .trim_end_matches('"')
                .to_string()
        };
        assert_eq!(place(1), "1");
        assert_eq!(place(2), "2");
        assert_eq!(place(0), "3");
        let html = render_attempt(&page("ordering", None));
        assert!(
            html.contains(r#"<label for="pos_2">Вариант В</label>"#),
            "{html}"
        );
        assert_eq!(
            html.matches(r#"<option value="" selected>—</option>"#)
                .count(),
            3
        );
    }

    #[test]
    fn numeric_and_text_inputs_are_prefilled() {
        let html = render_attempt(&page(
            "numeric",
            Some(Response::Number(Decimal::parse("12.5").unwrap())),
        ));
        assert!(html.contains(r#"data-kind="numeric""#));
        assert!(html.contains(
            r#"<input type="text" id="answer-number" name="number" inputmode="decimal" autocomplete="off" value="12,5""#
        ), "{html}");
        let html = render_attempt(&page("numeric", Some(Response::Index(7))));
        assert!(html.contains(r#"value="7""#));
        let html = render_attempt(&page("text", Some(Response::Text("\"ФГОС\" <ООО>".into()))));
        assert!(html.contains(r#"data-kind="text""#));
        assert!(html.contains(
            r#"<input type="text" id="answer-text" name="text" autocomplete="off" value="&quot;ФГОС&quot; &lt;ООО&gt;""#
        ), "{html}");
        assert!(!html.contains("<ООО>"));
    }

    #[test]
    fn finish_page_lists_unanswered_questions() {
        let long = "Очень длинная формулировка вопроса ".repeat(10);
        let html = render_finish(&FinishPage {
            chrome: chrome(),
            attempt_id: 41,
            campaign_title: "Осенняя <диагностика>".into(),
            total: 20,
            unanswered: vec![(3, "Что <делать>?".into()), (17, long)],
            remaining_text: "Осталось 12 мин".into(),
            csrf: "csrf-f".into(),
        });
        assert_page(&html, "Завершение диагностики");
        assert!(!html.contains("app.js"));
        assert!(html.contains("<h1>Завершить диагностику?</h1>"));
        assert!(html.contains("Осенняя &lt;диагностика&gt;"));
        assert!(html.contains("Без ответа осталось 2 вопроса:"));
        assert!(
            html.contains(r#"<a href="/attempts/41?q=3">Вопрос 3</a>: Что &lt;делать&gt;?"#),
            "{html}"
        );
        assert!(html.contains(r#"<a href="/attempts/41?q=17">Вопрос 17</a>"#));
        assert!(html.contains("…</li>"));
        assert!(html.contains("Осталось 12 мин."));
        assert!(
            html.contains(r#"<form method="post" action="/attempts/41/submit" class="form">"#),
            "{html}"
        );
        assert!(html.contains(r#"<input type="hidden" name="csrf" value="csrf-f">"#));
        assert!(html.contains("Завершить и отправить"));
        assert!(html.contains(r#"<a href="/attempts/41">Вернуться к вопросам</a>"#));
        assert!(html.contains("После отправки ответы изменить нельзя."));
    }

    #[test]
    fn finish_page_when_all_answered() {
        let html = render_finish(&FinishPage {
            chrome: chrome(),
            attempt_id: 1,
            campaign_title: "Д".into(),
            total: 21,
            unanswered: vec![],
            remaining_text: "Осталось 1 ч".into(),
            csrf: "c".into(),
        });
        assert!(html.contains("Вы ответили на все 21 вопрос."));
        assert!(!html.contains("Без ответа"));
        let one = render_finish(&FinishPage {
            chrome: chrome(),
            attempt_id: 1,
            campaign_title: "Д".into(),
            total: 21,
            unanswered: vec![(1, "В".into())],
            remaining_text: "Осталось 1 ч".into(),
            csrf: "c".into(),
        });
        assert!(one.contains("Без ответа остался 1 вопрос:"));
    }
}
