//! The municipality and region pages: schools tables with a filter.

use domain::ClusterFlag;
use leptos::prelude::*;
use store::{MunicipalitySummary, SchoolSummary};

use crate::format::{ru_number, ru_plural, ru_plural_word};
use crate::layout::{Header, cluster_badges, locality, monitoring_mark, render_document, seg};
use crate::pages::school::school_link;
use crate::{MunicipalityPage, RegionPage, SchoolFilterView, SchoolLink};

/// An active mentor-school pair: the school, its mentor school, since when
/// and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MentorPairView {
    pub school: SchoolLink,
    pub mentor: SchoolLink,
    /// «01.12.2026».
    pub since: String,
    pub reasons: Vec<String>,
}

/// At most this many schools are listed on one page; a longer list asks to
/// narrow the filter.
pub const SCHOOLS_SHOWN: usize = 500;

/// A municipality's schools.
pub fn render_municipality(p: &MunicipalityPage) -> String {
    let p = p.clone();
    let title = p.municipality.municipality.name.clone();
    render_document(&title, Header::SignedIn(&p.chrome), move || {
        let m = p.municipality;
        let action = format!("/municipalities/{}", seg(m.municipality.code.as_str()));
        let shown: Vec<SchoolSummary> = p
            .schools
            .iter()
            .filter(|s| p.filter.matches_ignoring_municipality(s))
            .cloned()
            .collect();
        let filtered = p.filter.cluster.is_some() || p.filter.critical_only;
        let summary = format!(
            "{}, {}",
            ru_plural(m.schools.into(), "школа", "школы", "школ"),
            ru_plural(m.teachers.into(), "педагог", "педагога", "педагогов"),
        );
        view! {
            <h1>{m.municipality.name}</h1>
            <p class="lead">{summary}</p>
            {crate::pages::dashboard::indicators_panel(p.indicators, p.indicators_href)}
            <section aria-labelledby="clusters-title">
                <h2 id="clusters-title">"Школы по кластерам"</h2>
                {cluster_stats(&p.schools)}
            </section>
            <section aria-labelledby="schools-title">
                <h2 id="schools-title">"Школы"</h2>
                {filter_form(action, &p.filter, None)}
                {schools_list(shown, false, filtered)}
            </section>
            <section aria-labelledby="mentor-pairs-title">
                <h2 id="mentor-pairs-title">"Школы-наставники"</h2>
                {mentor_pairs(p.mentor_pairs)}
            </section>
        }
    })
}

/// The active mentor-school pairs touching a municipality.
fn mentor_pairs(pairs: Vec<MentorPairView>) -> AnyView {
    if pairs.is_empty() {
        return view! {
            <p class="empty">"Действующих назначений школ-наставников нет."</p>
        }
        .into_any();
    }
    let n = pairs.len() as u64;
    let rows = pairs
        .into_iter()
        .map(|pair| {
            let reasons = if pair.reasons.is_empty() {
                view! { <span class="muted">"—"</span> }.into_any()
            } else {
                let items = pair
                    .reasons
                    .into_iter()
                    .map(|r| view! { <li>{r}</li> })
                    .collect_view();
                view! { <ul class="reasons">{items}</ul> }.into_any()
            };
            view! {
                <tr>
                    <th scope="row">{school_link(pair.school)}</th>
                    <td>{school_link(pair.mentor)}</td>
                    <td class="nowrap">{pair.since}</td>
                    <td>{reasons}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table>
                <caption>
                    {format!("Пары «школа — школа-наставник»: {}", ru_number(n))}
                </caption>
                <thead>
                    <tr>
                        <th scope="col">"Школа"</th>
                        <th scope="col">"Школа-наставник"</th>
                        <th scope="col">"С"</th>
                        <th scope="col">"Основания"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

/// The region overview.
pub fn render_region(p: &RegionPage) -> String {
    let p = p.clone();
    render_document(
        "Обзор региона",
        Header::SignedIn(&p.chrome),
        move || {
            let schools_total: u64 = p.municipalities.iter().map(|m| u64::from(m.schools)).sum();
            let teachers_total: u64 = p.municipalities.iter().map(|m| u64::from(m.teachers)).sum();
            let municipalities_total = p.municipalities.len() as u64;
            let shown: Vec<SchoolSummary> = p
                .schools
                .iter()
                .filter(|s| p.filter.matches(s))
                .cloned()
                .collect();
            let filtered = p.filter.is_active();
            view! {
                <h1>"Обзор региона"</h1>
                <section aria-labelledby="totals-title">
                    <h2 id="totals-title">"Итоги"</h2>
                    <ul class="stats">
                        {stat(
                            municipalities_total,
                            ru_plural_word(municipalities_total, "муниципалитет", "муниципалитета", "муниципалитетов"),
                        )}
                        {stat(schools_total, ru_plural_word(schools_total, "школа", "школы", "школ"))}
                        {stat(teachers_total, ru_plural_word(teachers_total, "педагог", "педагога", "педагогов"))}
                    </ul>
                    <h3>"Школы по кластерам"</h3>
                    {cluster_stats(&p.schools)}
                </section>
                <section aria-labelledby="municipalities-title">
                    <h2 id="municipalities-title">"Муниципалитеты"</h2>
                    {municipalities_table(&p.municipalities, schools_total, teachers_total)}
                </section>
                <section aria-labelledby="schools-title">
                    <h2 id="schools-title">"Школы"</h2>
                    {filter_form("/region".to_string(), &p.filter, Some(&p.municipalities))}
                    {schools_list(shown, true, filtered)}
                </section>
            }
        },
    )
}

fn stat(value: u64, label: &'static str) -> impl IntoView {
    view! {
        <li class="stat">
            <span class="stat__value">{ru_number(value)}</span>
            " "
            <span class="stat__label">{label}</span>
        </li>
    }
}

/// How many of `schools` carry each cluster flag, and how many have
/// critical monitoring values.
fn cluster_stats(schools: &[SchoolSummary]) -> impl IntoView + use<> {
    let items = ClusterFlag::ALL
        .into_iter()
        .map(|flag| {
            let n = schools
                .iter()
                .filter(|s| s.school.clusters.contains(&flag))
                .count() as u64;
            view! {
                <li class="stat">
                    <span class="stat__value">{ru_number(n)}</span>
                    " "
                    <span class="stat__label">
                        <abbr class=format!("badge badge--{}", flag.as_str()) title=flag.title()>
                            {flag.short()}
                        </abbr>
                        <span class="stat__note">{flag.title()}</span>
                    </span>
                </li>
            }
        })
        .collect_view();
    let critical = schools
        .iter()
        .filter(|s| s.school.critical_monitoring)
        .count() as u64;
    view! {
        <ul class="stats">
            {items}
            <li class="stat">
                <span class="stat__value">{ru_number(critical)}</span>
                " "
                <span class="stat__label">"с критическими значениями мониторинга"</span>
            </li>
        </ul>
    }
}

fn municipalities_table(
    municipalities: &[MunicipalitySummary],
    schools_total: u64,
    teachers_total: u64,
) -> AnyView {
    if municipalities.is_empty() {
        return view! { <p class="empty">"Муниципалитеты пока не загружены."</p> }.into_any();
    }
    let rows = municipalities
        .iter()
        .map(|m| {
            let href = format!("/municipalities/{}", seg(m.municipality.code.as_str()));
            view! {
                <tr>
                    <th scope="row">
                        <a href=href>{m.municipality.name.clone()}</a>
                    </th>
                    <td class="num">{ru_number(m.schools.into())}</td>
                    <td class="num">{ru_number(m.teachers.into())}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table>
                <caption>"Школы и педагоги по муниципалитетам"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Муниципалитет"</th>
                        <th scope="col" class="num">"Школ"</th>
                        <th scope="col" class="num">"Педагогов"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
                <tfoot>
                    <tr>
                        <th scope="row">"Итого"</th>
                        <td class="num">{ru_number(schools_total)}</td>
                        <td class="num">{ru_number(teachers_total)}</td>
                    </tr>
                </tfoot>
            </table>
        </div>
    }
    .into_any()
}

/// The GET form that narrows a schools table. `municipalities` adds the
/// municipality select (region page).
fn filter_form(
    action: String,
    filter: &SchoolFilterView,
    municipalities: Option<&[MunicipalitySummary]>,
) -> impl IntoView + use<> {
    let cluster_options = ClusterFlag::ALL
        .into_iter()
        .map(|flag| {
            view! {
                <option value=flag.as_str() selected=filter.cluster == Some(flag)>
                    {format!("{} — {}", flag.short(), flag.title())}
                </option>
            }
        })
        .collect_view();
    let municipality_field = municipalities.map(|list| {
        let options = list
            .iter()
            .map(|m| {
                let code = m.municipality.code.to_string();
                let selected = filter.municipality.as_deref() == Some(code.as_str());
                view! {
                    <option value=code selected=selected>
                        {m.municipality.name.clone()}
                    </option>
                }
            })
            .collect_view();
        view! {
            <div class="field">
                <label for="filter-municipality">"Муниципалитет"</label>
                <select id="filter-municipality" name="municipality">
                    <option value="">"Все муниципалитеты"</option>
                    {options}
                </select>
            </div>
        }
    });
    let reset = filter
        .is_active()
        .then(|| view! { <a class="filter__reset" href=action.clone()>"Сбросить фильтр"</a> });
    view! {
        <form class="filter" method="get" action=action.clone() role="search" aria-label="Фильтр школ">
            <div class="field">
                <label for="filter-cluster">"Кластер"</label>
                <select id="filter-cluster" name="cluster">
                    <option value="" selected=filter.cluster.is_none()>"Все школы"</option>
                    {cluster_options}
                </select>
            </div>
            {municipality_field}
            <div class="field field--check">
                <input
                    type="checkbox"
                    id="filter-critical"
                    name="critical_only"
                    value="true"
                    checked=filter.critical_only
                />
                <label for="filter-critical">"только с критическими значениями мониторинга"</label>
            </div>
            <div class="filter__actions">
                <button type="submit" class="button">"Показать"</button>
                {reset}
            </div>
        </form>
    }
}

/// The schools table, at most [`SCHOOLS_SHOWN`] rows, with its count.
fn schools_list(schools: Vec<SchoolSummary>, with_municipality: bool, filtered: bool) -> AnyView {
    let total = schools.len() as u64;
    if schools.is_empty() {
        let text = if filtered {
            "Под условия фильтра не подходит ни одна школа. Измените или сбросьте фильтр."
        } else {
            "Школы пока не загружены."
        };
        return view! { <p class="empty">{text}</p> }.into_any();
    }
    let found = format!(
        "{} {}",
        ru_plural_word(total, "Найдена", "Найдено", "Найдено"),
        ru_plural(total, "школа", "школы", "школ"),
    );
    let overflow = (schools.len() > SCHOOLS_SHOWN).then(|| {
        let rest = total - SCHOOLS_SHOWN as u64;
        view! {
            <p class="alert alert--notice">
                {format!(
                    "Показаны первые {} из {}. Ещё {} {} — уточните фильтр: выберите кластер{} \
                     или отметьте «только с критическими значениями мониторинга».",
                    SCHOOLS_SHOWN,
                    ru_plural(total, "школы", "школ", "школ"),
                    ru_plural(rest, "школа", "школы", "школ"),
                    ru_plural_word(rest, "не показана", "не показаны", "не показаны"),
                    if with_municipality { ", муниципалитет" } else { "" },
                )}
            </p>
        }
    });
    let municipality_head =
        with_municipality.then(|| view! { <th scope="col">"Муниципалитет"</th> });
    let rows = schools
        .into_iter()
        .take(SCHOOLS_SHOWN)
        .map(|s| school_row(s, with_municipality))
        .collect_view();
    view! {
        <p class="count">{found}</p>
        {overflow}
        <div class="table-wrap">
            <table>
                <caption>"Школы"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Школа"</th>
                        {municipality_head}
                        <th scope="col">"Кластеры"</th>
                        <th scope="col">"Местность"</th>
                        <th scope="col">"Критические значения мониторинга"</th>
                        <th scope="col">"Школа-наставник"</th>
                        <th scope="col" class="num">"Педагогов"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

fn school_row(s: SchoolSummary, with_municipality: bool) -> impl IntoView {
    let href = format!("/schools/{}", seg(s.school.code.as_str()));
    let municipality = with_municipality.then(|| view! { <td>{s.municipality_name}</td> });
    let mentor = if s.school.mentor_school {
        "да"
    } else {
        "—"
    };
    view! {
        <tr>
            <th scope="row">
                <a href=href>{s.school.display_name().to_string()}</a>
            </th>
            {municipality}
            <td>{cluster_badges(&s.school.clusters)}</td>
            <td>{locality(&s.school)}</td>
            <td>{monitoring_mark(&s.school)}</td>
            <td>{mentor}</td>
            <td class="num">{ru_number(s.teachers.into())}</td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::{assert_page, chrome, municipality, school};

    fn schools() -> Vec<SchoolSummary> {
        let mut a = school("s1", "Школа <i>А</i>");
        a.school.clusters = [ClusterFlag::LowResults].into();
        a.school.critical_monitoring = true;
        let mut b = school("s2", "Школа Б");
        b.school.clusters = [ClusterFlag::RiskLowResults, ClusterFlag::LowResults].into();
        b.school.rural = true;
        let mut c = school("s3", "Школа В");
        c.school.municipality = domain::MunicipalityCode::parse("m2").unwrap();
        c.municipality_name = "Вяземский район".into();
        vec![a, b, c]
    }

    #[test]
    fn municipality_page_lists_and_filters_schools() {
        let html = render_municipality(&MunicipalityPage {
            chrome: chrome(),
            municipality: municipality("m1", "Смоленский район", 3, 36),
            schools: schools(),
            filter: SchoolFilterView {
                cluster: Some(ClusterFlag::LowResults),
                municipality: None,
                critical_only: false,
            },
            mentor_pairs: vec![MentorPairView {
                school: SchoolLink {
                    code: "s2".into(),
                    name: "Школа Б".into(),
                    href: Some("/schools/s2".into()),
                },
                mentor: SchoolLink {
                    code: "s9".into(),
                    name: "Гимназия <№ 9>".into(),
                    href: None,
                },
                since: "01.12.2026".into(),
                reasons: vec!["ШНОР".into(), "тот же муниципалитет".into()],
            }],
            indicators: vec![],
            indicators_href: None,
        });
        assert_page(&html, "Смоленский район");
        assert!(html.contains("3 школы, 36 педагогов"));
        assert!(
            html.contains(r#"<a href="/schools/s1">Школа &lt;i&gt;А&lt;/i&gt;</a>"#),
            "{html}"
        );
        assert!(html.contains(r#"href="/schools/s2""#));
        assert!(!html.contains(r#"href="/schools/s3""#));
        assert!(html.contains("Найдено 2 школы"));
        assert!(html.contains(r#"method="get" action="/municipalities/m1""#));
        assert!(
            html.contains(r#"<option value="low_results" selected>"#),
            "{html}"
        );
        assert!(html.contains(r#"name="critical_only" value="true""#));
        assert!(!html.contains(r#"value="true" checked"#));
        assert!(html.contains("только с критическими значениями мониторинга"));
        assert!(html.contains("Сбросить фильтр"));
        // Cluster counts are over all the schools given.
        assert!(html.contains("ШсРНР"));
        assert!(html.contains("<caption>Школы</caption>"));
        assert!(!html.contains("Все муниципалитеты"));
        // The mentor schools section.
        assert!(html.contains("<h2 id=\"mentor-pairs-title\">Школы-наставники</h2>"));
        assert!(html.contains("Пары «школа — школа-наставник»: 1"));
        assert!(
            html.contains(r#"<th scope="row"><a href="/schools/s2">Школа Б (s2)</a></th>"#),
            "{html}"
        );
        assert!(html.contains("<span>Гимназия &lt;№ 9&gt; (s9)</span>"));
        assert!(html.contains("01.12.2026"));
        assert!(html.contains("<li>тот же муниципалитет</li>"));
    }

    #[test]
    fn municipality_without_mentor_schools() {
        let html = render_municipality(&MunicipalityPage {
            chrome: chrome(),
            municipality: municipality("m1", "Смоленский район", 3, 36),
            schools: schools(),
            filter: SchoolFilterView::default(),
            mentor_pairs: vec![],
            indicators: vec![],
            indicators_href: None,
        });
        assert!(html.contains("Действующих назначений школ-наставников нет."));
    }

    #[test]
    fn region_page_totals_and_filter() {
        let html = render_region(&RegionPage {
            chrome: chrome(),
            municipalities: vec![
                municipality("m1", "Смоленский район", 2, 24),
                municipality("m2", "Вяземский район", 1, 12),
            ],
            schools: schools(),
            filter: SchoolFilterView {
                cluster: None,
                municipality: Some("m2".into()),
                critical_only: true,
            },
        });
        assert_page(&html, "Обзор региона");
        assert!(html.contains("<h1>Обзор региона</h1>"));
        assert!(html.contains(r#"<a href="/municipalities/m1">Смоленский район</a>"#));
        assert!(html.contains("муниципалитета"));
        assert!(html.contains(r#"<td class="num">36</td>"#));
        assert!(html.contains(r#"method="get" action="/region""#));
        assert!(html.contains(r#"<option value="m2" selected>"#));
        assert!(html.contains(r#"value="true" checked"#));
        // s3 is in m2 but has no critical values: nothing matches.
        assert!(html.contains("Под условия фильтра не подходит ни одна школа"));
    }

    #[test]
    fn long_lists_are_cut_with_a_note() {
        let list: Vec<SchoolSummary> = (0..503)
            .map(|i| school(&format!("s{i}"), &format!("Школа {i}")))
            .collect();
        let html = render_region(&RegionPage {
            chrome: chrome(),
            municipalities: vec![municipality("m1", "Смоленский район", 503, 5000)],
            schools: list,
            filter: SchoolFilterView::default(),
        });
        assert_eq!(
            html.matches(r#"<th scope="row"><a href="/schools/"#)
                .count(),
            500
        );
        assert!(html.contains("Найдено 503 школы"));
        assert!(
            html.contains("Показаны первые 500 из 503 школ. Ещё 3 школы не показаны"),
            "{html}"
        );
        assert!(!html.contains("Сбросить фильтр"));
        assert!(html.contains(r#"<option value="" selected>Все школы</option>"#));
    }

    #[test]
    fn empty_region() {
        let html = render_region(&RegionPage {
            chrome: chrome(),
            municipalities: vec![],
            schools: vec![],
            filter: SchoolFilterView::default(),
        });
        assert!(html.contains("Муниципалитеты пока не загружены."));
        assert!(html.contains("Школы пока не загружены."));
    }
}
