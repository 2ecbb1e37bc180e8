//! Signing in and setting a password from an invitation.

use leptos::prelude::*;

use crate::layout::{Header, error_alert, notice, render_document, seg};
use crate::{InvitationPage, InvitationView, LoginPage};

/// The product name and subtitle above the sign-in and invitation cards.
fn product_intro() -> impl IntoView {
    view! {
        <div class="auth__intro">
            <p class="auth__product">"Маршрут"</p>
            <p class="auth__subtitle">"Адресное методическое сопровождение школ"</p>
        </div>
    }
}

/// The sign-in page.
pub fn render_login(p: &LoginPage) -> String {
    let p = p.clone();
    render_document("Вход", Header::Bare, move || {
        let described = p.error.is_some().then_some("login-error");
        view! {
            <div class="auth">
                {product_intro()}
                <section class="card auth__card" aria-labelledby="login-title">
                    <h1 id="login-title">"Вход"</h1>
                    {notice(p.notice)}
                    {error_alert(p.error, "login-error")}
                    <form class="form" method="post" action="/login">
                        <input type="hidden" name="csrf" value=p.csrf/>
                        <div class="field">
                            <label for="login">"Логин"</label>
                            <input
                                id="login"
                                name="login"
                                type="text"
                                value=p.login
                                autocomplete="username"
                                autocapitalize="none"
                                spellcheck="false"
                                required=true
                                aria-describedby=described
                            />
                        </div>
                        <div class="field">
                            <label for="password">"Пароль"</label>
                            <input
                                id="password"
                                name="password"
                                type="password"
                                autocomplete="current-password"
                                required=true
                                aria-describedby=described
                            />
                        </div>
                        <button type="submit" class="button">"Войти"</button>
                    </form>
                    <p class="hint">
                        "Ещё нет пароля или вы его забыли? Попросите у заместителя директора по УВР "
                        "или администратора ссылку-приглашение: по ней вы зададите новый пароль."
                    </p>
                </section>
            </div>
        }
    })
}

/// The page behind an invitation link.
pub fn render_invitation(p: &InvitationPage) -> String {
    let p = p.clone();
    let title = match &p.state {
        InvitationView::Valid { .. } => "Создание пароля",
        InvitationView::Used => "Ссылка уже использована",
        InvitationView::Expired => "Срок действия ссылки истёк",
        InvitationView::Unknown => "Ссылка недействительна",
    };
    render_document(title, Header::Bare, move || {
        let body = match p.state {
            InvitationView::Valid { login, full_name } => {
                let action = format!("/invite/{}", seg(&p.token));
                let described = if p.error.is_some() {
                    "password-rules invite-error"
                } else {
                    "password-rules"
                };
                view! {
                    <p class="lead">{format!("Здравствуйте, {full_name}!")}</p>
                    <p>
                        "Задайте пароль для входа в «Маршрут». Ваш логин: "
                        <strong class="login-name">{login}</strong>
                        " — запомните его, он понадобится при каждом входе."
                    </p>
                    {error_alert(p.error, "invite-error")}
                    <form class="form" method="post" action=action>
                        <input type="hidden" name="csrf" value=p.csrf/>
                        <div class="field">
                            <label for="password">"Новый пароль"</label>
                            <input
                                id="password"
                                name="password"
                                type="password"
                                autocomplete="new-password"
                                minlength="10"
                                required=true
                                aria-describedby=described
                            />
                            <p class="hint" id="password-rules">
                                "Не менее 10 символов. Не используйте пароль от почты или других сайтов."
                            </p>
                        </div>
                        <div class="field">
                            <label for="password2">"Повторите пароль"</label>
                            <input
                                id="password2"
                                name="password2"
                                type="password"
                                autocomplete="new-password"
                                minlength="10"
                                required=true
                            />
                        </div>
                        <button type="submit" class="button">"Сохранить пароль"</button>
                    </form>
                    <p class="hint">
                        "Ссылка-приглашение действует один раз: после сохранения пароля "
                        "входите со страницы входа."
                    </p>
                }
                .into_any()
            }
            other => {
                let explanation = match other {
                    InvitationView::Used => {
                        "По этой ссылке пароль уже был задан: ссылка-приглашение действует только один раз. \
                         Если вы помните пароль, просто войдите."
                    }
                    InvitationView::Expired => {
                        "Ссылка-приглашение действует ограниченное время, и этот срок прошёл. \
                         Пароль по ней задать уже нельзя."
                    }
                    _ => {
                        "Такой ссылки-приглашения нет. Возможно, она скопирована не полностью \
                         или вместо неё уже выдана новая."
                    }
                };
                view! {
                    <p>{explanation}</p>
                    <p>
                        "Чтобы задать пароль, попросите у заместителя директора по УВР вашей школы "
                        "или у администратора новую ссылку-приглашение."
                    </p>
                    <p>
                        <a class="button button--secondary" href="/login">"Перейти ко входу"</a>
                    </p>
                }
                .into_any()
            }
        };
        view! {
            <div class="auth">
                {product_intro()}
                <section class="card auth__card" aria-labelledby="invite-title">
                    <h1 id="invite-title">{title}</h1>
                    {body}
                </section>
            </div>
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::assert_page;

    #[test]
    fn login_page_has_the_form_and_escapes_input() {
        let html = render_login(&LoginPage {
            login: "<script>alert(1)</script>".into(),
            error: Some("Неверный логин или пароль".into()),
            notice: Some("Пароль сохранён. Войдите.".into()),
            csrf: "tok\"en".into(),
        });
        assert_page(&html, "Вход");
        assert!(html.contains("<h1 id=\"login-title\">Вход</h1>"), "{html}");
        assert!(html.contains("Маршрут"));
        assert!(html.contains("Адресное методическое сопровождение школ"));
        assert!(html.contains(r#"method="post" action="/login""#));
        assert!(html.contains(r#"name="login""#));
        assert!(html.contains(r#"name="password" type="password""#));
        assert!(html.contains(r#"<input type="hidden" name="csrf" value="tok&quot;en""#));
        assert!(html.contains(r#"<label for="login">Логин</label>"#));
        assert!(html.contains("Неверный логин или пароль"));
        assert!(html.contains("role=\"alert\""));
        assert!(html.contains("Пароль сохранён. Войдите."));
        assert!(!html.contains("<script"), "{html}");
        assert!(html.contains("&lt;script&gt;"));
        // No chrome on the sign-in page.
        assert!(!html.contains("Выйти"));
    }

    #[test]
    fn marker_like_user_data_stays_escaped() {
        let html = render_login(&LoginPage {
            login: "<!>".into(),
            error: Some("<!>".into()),
            notice: None,
            csrf: "<!>".into(),
        });
        assert!(!html.contains("<!>"));
        assert!(html.contains(r#"value="&lt;!&gt;""#), "{html}");
        assert!(html.contains("<p>&lt;!&gt;</p>"), "{html}");
    }

    #[test]
    fn login_page_without_messages() {
        let html = render_login(&LoginPage {
            login: String::new(),
            error: None,
            notice: None,
            csrf: "c".into(),
        });
        assert!(!html.contains("role=\"alert\""));
        assert!(!html.contains("role=\"status\""));
        assert!(!html.contains("aria-describedby"));
    }

    #[test]
    fn valid_invitation_asks_for_a_password_twice() {
        let html = render_invitation(&InvitationPage {
            token: "abc_DEF-123".into(),
            state: InvitationView::Valid {
                login: "ivanova.ap".into(),
                full_name: "Иванова <b>Анна</b>".into(),
            },
            error: Some("Пароли не совпадают".into()),
            csrf: "csrf-1".into(),
        });
        assert_page(&html, "Создание пароля");
        assert!(
            html.contains("Здравствуйте, Иванова &lt;b&gt;Анна&lt;/b&gt;!"),
            "{html}"
        );
        assert!(html.contains("ivanova.ap"));
        assert!(html.contains(r#"method="post" action="/invite/abc_DEF-123""#));
        assert!(html.contains(r#"name="password""#));
        assert!(html.contains(r#"name="password2""#));
        assert!(html.contains(r#"minlength="10""#));
        assert!(html.contains("Не менее 10 символов"));
        assert!(html.contains(r#"name="csrf" value="csrf-1""#));
        assert!(html.contains("Пароли не совпадают"));
    }

    #[test]
    fn spent_invitations_explain_what_to_do() {
        for (state, title) in [
            (InvitationView::Used, "Ссылка уже использована"),
            (InvitationView::Expired, "Срок действия ссылки истёк"),
            (InvitationView::Unknown, "Ссылка недействительна"),
        ] {
            let html = render_invitation(&InvitationPage {
                token: "t".into(),
                state,
                error: None,
                csrf: "c".into(),
            });
            assert_page(&html, title);
            assert!(html.contains("новую ссылку-приглашение"));
            assert!(html.contains("заместителя директора"));
            assert!(html.contains(r#"href="/login""#));
            assert!(!html.contains("<form"));
        }
    }
}
