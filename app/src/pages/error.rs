//! Error pages.

use leptos::prelude::*;

use crate::ErrorPage;
use crate::layout::{Header, render_document};

/// An error page; with the signed-in chrome when `chrome` is given.
pub fn render_error(p: &ErrorPage) -> String {
    let p = p.clone();
    let header = match &p.chrome {
        Some(c) => Header::SignedIn(c),
        None => Header::Public,
    };
    render_document(&p.title, header, || {
        view! {
            <section class="card error-page" aria-labelledby="error-title">
                <h1 id="error-title">{p.title.clone()}</h1>
                <p>{p.message.clone()}</p>
                <p class="hint">{format!("Код ошибки: {}", p.status)}</p>
                <p>
                    <a href="/">"Перейти на главную страницу"</a>
                </p>
            </section>
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::{assert_page, chrome};

    #[test]
    fn error_page_with_and_without_chrome() {
        let mut p = ErrorPage {
            chrome: None,
            status: 404,
            title: "Страница не найдена".into(),
            message: "Нет страницы <script>".into(),
        };
        let html = render_error(&p);
        assert_page(&html, "Страница не найдена");
        assert!(html.contains("Код ошибки: 404"));
        assert!(html.contains("Нет страницы &lt;script&gt;"));
        assert!(!html.contains("Выйти"));
        assert!(html.contains(r#"class="brand""#));
        p.chrome = Some(chrome());
        let html = render_error(&p);
        assert!(html.contains("Выйти"));
    }
}
