//! For bank authors: the loaded bank versions and each version's item
//! statistics (facility, discrimination, reliability) with what to review.

use leptos::prelude::*;

use crate::Chrome;
use crate::layout::{Header, render_document};

/// A loaded bank version in the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankVersionView {
    pub id: i64,
    pub bank_id: String,
    pub title: String,
    pub version: String,
    pub file_name: String,
    /// «22.11.2026 10:15 (МСК)».
    pub loaded_at: String,
    /// Finished attempts on this version.
    pub attempts: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BanksPage {
    pub chrome: Chrome,
    pub banks: Vec<BankVersionView>,
}

/// One item's statistics, already formatted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemStatsView {
    pub id: String,
    pub competence: String,
    pub kind: String,
    pub stem: String,
    pub n: usize,
    /// «0,62» or «—».
    pub facility: String,
    pub discrimination: String,
    /// Russian reasons to review the item; empty when it looks fine.
    pub flags: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompetenceStatsView {
    pub code: String,
    pub title: String,
    pub n: usize,
    /// Cronbach's alpha, «0,71» or «—».
    pub alpha: String,
    pub flags: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankAnalysisPage {
    pub chrome: Chrome,
    pub title: String,
    pub version: String,
    pub attempts: usize,
    pub competences: Vec<CompetenceStatsView>,
    pub items: Vec<ItemStatsView>,
}

/// «Банки заданий».
pub fn render_banks(p: &BanksPage) -> String {
    let p = p.clone();
    render_document(
        "Банки заданий",
        Header::SignedIn(&p.chrome),
        move || {
            let body = if p.banks.is_empty() {
                view! {
                <p class="empty">
                    "Банки ещё не загружены: marshrut bank load (см. руководство автора банков)."
                </p>
            }
            .into_any()
            } else {
                let rows = p
                    .banks
                    .into_iter()
                    .map(|b| {
                        let href = format!("/banks/{}", b.id);
                        view! {
                            <tr>
                                <th scope="row"><a href=href>{b.title}</a></th>
                                <td class="nowrap">{b.bank_id}</td>
                                <td class="nowrap">{b.version}</td>
                                <td>{b.file_name}</td>
                                <td class="nowrap">{b.loaded_at}</td>
                                <td class="num">{b.attempts}</td>
                            </tr>
                        }
                    })
                    .collect_view();
                view! {
                    <div class="table-wrap" tabindex="0">
                        <table>
                            <caption>"Загруженные версии банков"</caption>
                            <thead>
                                <tr>
                                    <th scope="col">"Банк"</th>
                                    <th scope="col">"Идентификатор"</th>
                                    <th scope="col">"Версия"</th>
                                    <th scope="col">"Файл"</th>
                                    <th scope="col">"Загружен"</th>
                                    <th scope="col" class="num">"Завершённых попыток"</th>
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                }
                .into_any()
            };
            view! {
                <h1>"Банки заданий"</h1>
                <p class="hint">
                    "Статистика заданий по каждой версии банка: решаемость, различающая способность и надёжность компетенций."
                </p>
                {body}
            }
        },
    )
}

fn flags_view(flags: Vec<String>) -> AnyView {
    if flags.is_empty() {
        view! { <span class="status status--ok">"в порядке"</span> }.into_any()
    } else {
        let items = flags
            .into_iter()
            .map(|f| view! { <li>{f}</li> })
            .collect_view();
        view! { <ul class="flags">{items}</ul> }.into_any()
    }
}

/// «Статистика заданий» of one bank version.
pub fn render_bank_analysis(p: &BankAnalysisPage) -> String {
    let p = p.clone();
    let title = format!("Статистика заданий: {}", p.title);
    render_document(&title, Header::SignedIn(&p.chrome), move || {
        let competences = p
            .competences
            .into_iter()
            .map(|c| {
                view! {
                    <tr>
                        <th scope="row">{format!("{} {}", c.code, c.title)}</th>
                        <td class="num">{c.n}</td>
                        <td class="num">{c.alpha}</td>
                        <td>{flags_view(c.flags)}</td>
                    </tr>
                }
            })
            .collect_view();
        let items = p
            .items
            .into_iter()
            .map(|i| {
                view! {
                    <tr>
                        <th scope="row" class="nowrap">{i.id}</th>
                        <td class="nowrap">{i.competence}</td>
                        <td>{i.kind}</td>
                        <td>{i.stem}</td>
                        <td class="num">{i.n}</td>
                        <td class="num">{i.facility}</td>
                        <td class="num">{i.discrimination}</td>
                        <td>{flags_view(i.flags)}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <h1>{p.title.clone()}</h1>
            <p class="hint">
                {format!("Версия {} · завершённых попыток: {}", p.version, p.attempts)}
            </p>
            <p class="hint">
                "Решаемость — средняя доля баллов за задание (0–1). Различающая способность — корреляция задания с остальными заданиями той же компетенции (без него самого). Надёжность — альфа Кронбаха. Выводы делаются, когда задание выполнили не менее 30 человек."
            </p>
            <div class="table-wrap" tabindex="0">
                <table>
                    <caption>"Компетенции"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Компетенция"</th>
                            <th scope="col" class="num">"Попыток"</th>
                            <th scope="col" class="num">"Альфа Кронбаха"</th>
                            <th scope="col">"Что проверить"</th>
                        </tr>
                    </thead>
                    <tbody>{competences}</tbody>
                </table>
            </div>
            <div class="table-wrap" tabindex="0">
                <table>
                    <caption>"Задания"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Задание"</th>
                            <th scope="col">"Компетенция"</th>
                            <th scope="col">"Вид"</th>
                            <th scope="col">"Формулировка"</th>
                            <th scope="col" class="num">"Выполняли"</th>
                            <th scope="col" class="num">"Решаемость"</th>
                            <th scope="col" class="num">"Различающая способность"</th>
                            <th scope="col">"Что проверить"</th>
                        </tr>
                    </thead>
                    <tbody>{items}</tbody>
                </table>
            </div>
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chrome() -> Chrome {
        Chrome {
            full_name: "Методист".into(),
            roles: vec![domain::Role::CnppmMethodist],
            nav: vec![],
            csrf: "t".into(),
        }
    }

    #[test]
    fn the_analysis_lists_flags_in_russian_and_escapes_stems() {
        let html = render_bank_analysis(&BankAnalysisPage {
            chrome: chrome(),
            title: "Банк".into(),
            version: "2026.1".into(),
            attempts: 40,
            competences: vec![CompetenceStatsView {
                code: "K1".into(),
                title: "Урок".into(),
                n: 40,
                alpha: "0,71".into(),
                flags: vec![],
            }],
            items: vec![ItemStatsView {
                id: "K1-001".into(),
                competence: "K1".into(),
                kind: "выбор одного ответа".into(),
                stem: "<script>x</script>".into(),
                n: 40,
                facility: "0,95".into(),
                discrimination: "—".into(),
                flags: vec!["слишком лёгкое: решают более 90 %".into()],
            }],
        });
        assert!(html.contains("Альфа Кронбаха"));
        assert!(html.contains("слишком лёгкое"));
        assert!(html.contains("в порядке"));
        assert!(!html.contains("<script>x"));
    }

    #[test]
    fn an_empty_list_says_how_to_load() {
        let html = render_banks(&BanksPage {
            chrome: chrome(),
            banks: vec![],
        });
        assert!(html.contains("marshrut bank load"));
    }
}
