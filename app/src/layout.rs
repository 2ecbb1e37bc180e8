//! The document around every page and the pieces pages share.

use std::collections::BTreeSet;

use domain::{ClusterFlag, Level, School};
use leptos::prelude::*;

use crate::{Chrome, HistoryRow};

/// What sits above a page's body.
pub(crate) enum Header<'a> {
    /// A signed-in page: product, navigation, the user, «Выйти».
    SignedIn(&'a Chrome),
    /// A public page: the product name only.
    Public,
    /// Nothing: the page shows the product itself (sign-in, invitation).
    Bare,
}

/// What a page adds to the document head.
#[derive(Debug, Default)]
pub(crate) struct Head {
    /// `<meta name="csrf-token">` for the page script's requests.
    pub csrf: Option<String>,
    /// Loads `/static/app.js` (deferred).
    pub script: bool,
    /// `<meta http-equiv="refresh">` every so many seconds.
    pub refresh_secs: Option<u32>,
}

/// Renders a complete HTML document titled «{title} — Маршрут».
pub(crate) fn render_document<V: IntoView>(
    title: &str,
    header: Header<'_>,
    body: impl FnOnce() -> V,
) -> String {
    render_document_with(title, header, Head::default(), body)
}

/// [`render_document`] with additions to the head.
pub(crate) fn render_document_with<V: IntoView>(
    title: &str,
    header: Header<'_>,
    head: Head,
    body: impl FnOnce() -> V,
) -> String {
    let owner = Owner::new();
    owner.with(|| {
        let title = format!("{title} — Маршрут");
        let header = match header {
            Header::SignedIn(chrome) => signed_in_header(chrome).into_any(),
            Header::Public => public_header().into_any(),
            Header::Bare => ().into_any(),
        };
        let csrf = head
            .csrf
            .map(|token| view! { <meta name="csrf-token" content=token/> });
        let refresh = head
            .refresh_secs
            .map(|s| view! { <meta http-equiv="refresh" content=s.to_string()/> });
        let script = head
            .script
            .then(|| view! { <script src="/static/app.js" defer=true></script> });
        let body = body();
        view! {
            <!DOCTYPE html>
            <html lang="ru">
                <head>
                    <meta charset="utf-8"/>
                    <meta name="viewport" content="width=device-width, initial-scale=1"/>
                    {refresh}
                    <title>{title}</title>
                    <link rel="stylesheet" href="/static/app.css"/>
                    {csrf}
                    {script}
                </head>
                <body>
                    <a class="skip-link" href="#main">"Перейти к основному содержимому"</a>
                    {header}
                    <main id="main" class="page">{body}</main>
                    <footer class="site-footer">
                        <p>"«Маршрут» — адресное методическое сопровождение школ"</p>
                    </footer>
                </body>
            </html>
        }
        .to_html()
        // Without hydration the `<!>` markers tachys puts between adjacent
        // text nodes and after lists serve no purpose. User data cannot
        // produce them: text and attribute values have `<` escaped.
        .replace("<!>", "")
    })
}

fn public_header() -> impl IntoView {
    view! {
        <header class="site-header">
            <div class="site-header__inner">
                <a class="brand" href="/">"Маршрут"</a>
            </div>
        </header>
    }
}

fn signed_in_header(chrome: &Chrome) -> impl IntoView {
    let roles = chrome
        .roles
        .iter()
        .map(|r| r.title())
        .collect::<Vec<_>>()
        .join(", ");
    let nav = (!chrome.nav.is_empty()).then(|| {
        let items = chrome
            .nav
            .iter()
            .map(|item| {
                let current = item.active.then_some("page");
                view! {
                    <li>
                        <a href=item.href.clone() aria-current=current>
                            {item.label.clone()}
                        </a>
                    </li>
                }
            })
            .collect_view();
        view! {
            <nav class="main-nav" aria-label="Разделы">
                <ul>{items}</ul>
            </nav>
        }
    });
    view! {
        <header class="site-header">
            <div class="site-header__inner">
                <a class="brand" href="/">"Маршрут"</a>
                <div class="account">
                    <p class="account__name">{chrome.full_name.clone()}</p>
                    <p class="account__roles">{roles}</p>
                    <form class="account__logout" method="post" action="/logout">
                        <input type="hidden" name="csrf" value=chrome.csrf.clone()/>
                        <button type="submit" class="button button--quiet">"Выйти"</button>
                    </form>
                </div>
            </div>
            {nav}
        </header>
    }
}

/// A notice after a successful action (`role="status"`).
pub(crate) fn notice(text: Option<String>) -> impl IntoView {
    text.map(|t| {
        view! {
            <div class="alert alert--notice" role="status">
                <p>{t}</p>
            </div>
        }
    })
}

/// An error message next to a form (`role="alert"`).
pub(crate) fn error_alert(text: Option<String>, id: &'static str) -> impl IntoView {
    text.map(|t| {
        view! {
            <div class="alert alert--error" role="alert" id=id>
                <p>{t}</p>
            </div>
        }
    })
}

/// A school's cluster flags as badges; the title is the tooltip.
pub(crate) fn cluster_badges(flags: &BTreeSet<ClusterFlag>) -> AnyView {
    if flags.is_empty() {
        return view! { <span class="muted">"—"</span> }.into_any();
    }
    let badges = flags
        .iter()
        .map(|f| {
            view! {
                <abbr class=format!("badge badge--{}", f.as_str()) title=f.title()>
                    {f.short()}
                </abbr>
            }
        })
        .collect_view();
    view! { <span class="badges">{badges}</span> }.into_any()
}

/// «сельская» / «городская».
pub(crate) fn locality(school: &School) -> &'static str {
    if school.rural {
        "сельская"
    } else {
        "городская"
    }
}

/// The monitoring mark of a school: critical values or none.
pub(crate) fn monitoring_mark(school: &School) -> AnyView {
    if school.critical_monitoring {
        view! { <span class="mark level-critical">"критические значения"</span> }.into_any()
    } else {
        view! { <span class="muted">"нет"</span> }.into_any()
    }
}

/// A «да» mark for teachers whose students showed low results, «нет» otherwise.
pub(crate) fn low_results_mark(low: bool) -> AnyView {
    if low {
        view! { <span class="mark level-high">"да"</span> }.into_any()
    } else {
        view! { <span class="muted">"нет"</span> }.into_any()
    }
}

/// The class of a level's colours: `level-critical`…
pub(crate) fn level_class(level: Level) -> String {
    format!("level-{}", level.as_str())
}

/// A level as a coloured mark.
pub(crate) fn level_mark(level: Level, title: String) -> impl IntoView {
    view! { <span class=format!("mark {}", level_class(level))>{title}</span> }
}

/// Plain text (a bank's stem or case text) as paragraphs: blank lines
/// separate paragraphs, single line breaks are kept. Never HTML: the text
/// is escaped like any other.
pub(crate) fn paragraphs(text: &str) -> impl IntoView + use<> {
    let mut paras: Vec<Vec<String>> = Vec::new();
    let mut current: Vec<String> = Vec::new();
    for line in text.lines() {
        let line = line.trim_end();
        if line.trim().is_empty() {
            if !current.is_empty() {
                paras.push(std::mem::take(&mut current));
            }
        } else {
            current.push(line.to_string());
        }
    }
    if !current.is_empty() {
        paras.push(current);
    }
    paras
        .into_iter()
        .map(|lines| {
            let n = lines.len();
            let parts = lines
                .into_iter()
                .enumerate()
                .map(|(i, line)| {
                    let br = (i + 1 < n).then(|| view! { <br/> });
                    view! { {line}{br} }
                })
                .collect_view();
            view! { <p>{parts}</p> }
        })
        .collect_view()
}

/// The table of completed diagnostics, each linking to its result.
pub(crate) fn history_table(rows: Vec<HistoryRow>, caption: &'static str) -> impl IntoView {
    let rows = rows
        .into_iter()
        .map(|r| {
            let href = format!("/diagnostics/{}", r.diagnostic_id);
            view! {
                <tr>
                    <td class="nowrap">{r.taken_on}</td>
                    <th scope="row">
                        <a href=href>{r.bank_title}</a>
                    </th>
                    <td>{r.source}</td>
                    <td class="num">{r.percent}</td>
                    <td>{level_mark(r.level, r.level_title)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table>
                <caption>{caption}</caption>
                <thead>
                    <tr>
                        <th scope="col">"Дата"</th>
                        <th scope="col">"Диагностика"</th>
                        <th scope="col">"Форма"</th>
                        <th scope="col" class="num">"Результат"</th>
                        <th scope="col">"Уровень дефицитов"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// A whole share in percent, «45 %» («—» when there is nothing to share).
pub(crate) fn share_text(part: usize, whole: usize) -> String {
    if whole == 0 {
        "—".to_string()
    } else {
        let p = (part.min(whole) as f64 * 100.0 / whole as f64).round();
        format!("{p} %")
    }
}

/// Participation as one stacked bar: finished, in progress, not started.
/// Decorative: the figures are in the table next to it. Drawn as SVG with
/// percentage attributes, so it needs no inline style.
pub(crate) fn participation_bar(addressed: usize, started: usize, finished: usize) -> AnyView {
    let whole = addressed.max(started + finished);
    if whole == 0 {
        return view! { <span class="muted">"—"</span> }.into_any();
    }
    let pct = |n: usize| n as f64 * 100.0 / whole as f64;
    let done = pct(finished);
    let active = pct(started);
    view! {
        <svg class="stack" width="100%" height="12" aria-hidden="true" focusable="false">
            <rect class="stack__rest" x="0" y="0" width="100%" height="12"></rect>
            <rect class="stack__done" x="0" y="0" width=format!("{done:.2}%") height="12"></rect>
            <rect
                class="stack__active"
                x=format!("{done:.2}%")
                y="0"
                width=format!("{active:.2}%")
                height="12"
            ></rect>
        </svg>
    }
    .into_any()
}

/// Percent-encodes one path segment (codes and logins may hold Cyrillic
/// letters, `@` and other characters that do not belong in a URL as is).
pub(crate) fn seg(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A list joined with commas, or «—» when empty.
pub(crate) fn join_or_dash(items: &[String]) -> String {
    if items.is_empty() {
        "—".to_string()
    } else {
        items.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segments_are_percent_encoded() {
        assert_eq!(seg("67-001"), "67-001");
        assert_eq!(seg("a b/c"), "a%20b%2Fc");
        assert_eq!(seg("ivanova@mail"), "ivanova%40mail");
        assert_eq!(seg("шк"), "%D1%88%D0%BA");
    }
}
