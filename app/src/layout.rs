//! The document around every page and the pieces pages share.

use std::collections::BTreeSet;

use domain::{ClusterFlag, School};
use leptos::prelude::*;

use crate::Chrome;

/// What sits above a page's body.
pub(crate) enum Header<'a> {
    /// A signed-in page: product, navigation, the user, «Выйти».
    SignedIn(&'a Chrome),
    /// A public page: the product name only.
    Public,
    /// Nothing: the page shows the product itself (sign-in, invitation).
    Bare,
}

/// Renders a complete HTML document titled «{title} — Маршрут».
pub(crate) fn render_document<V: IntoView>(
    title: &str,
    header: Header<'_>,
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
        let body = body();
        view! {
            <!DOCTYPE html>
            <html lang="ru">
                <head>
                    <meta charset="utf-8"/>
                    <meta name="viewport" content="width=device-width, initial-scale=1"/>
                    <title>{title}</title>
                    <link rel="stylesheet" href="/static/app.css"/>
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
