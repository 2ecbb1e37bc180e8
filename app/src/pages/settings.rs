//! «Настройки»: the region's policy for routes and the level names — every
//! value of `rules.md` a ЦНППМ methodist may change, with its default.

use leptos::prelude::*;

use crate::SettingsPage;
use crate::layout::{Header, error_alert, notice, render_document};

/// The levels a policy names, with their default Russian titles.
const LEVELS: [(&str, &str); 3] = [
    ("critical", "критический"),
    ("high", "высокий"),
    ("reduced", "пониженный"),
];

fn level_boxes(name: &'static str, chosen: &[String]) -> impl IntoView + use<> {
    LEVELS
        .iter()
        .map(|(value, title)| {
            let checked = chosen.iter().any(|c| c == value);
            view! {
                <label class="checkbox">
                    <input type="checkbox" name=name value=*value checked=checked/>
                    {format!(" {title}")}
                </label>
            }
        })
        .collect_view()
}

/// The groups of teachers who may need a regional methodist, in the order
/// of [`SettingsForm::methodist_priority`](crate::SettingsForm).
pub const PRIORITY_GROUPS: [(&str, &str); 4] = [
    ("priority_critical", "критический уровень дефицитов"),
    ("priority_young_or_new", "молодые и вновь принятые педагоги"),
    ("priority_high", "высокий уровень дефицитов"),
    ("priority_reduced", "пониженный уровень дефицитов"),
];

fn priority_inputs(values: &[String; 4]) -> impl IntoView + use<> {
    PRIORITY_GROUPS
        .iter()
        .zip(values.clone())
        .map(|((name, title), value)| {
            view! {
                <label for=*name>{*title}</label>
                <input type="text" id=*name name=*name value=value inputmode="numeric" maxlength="1"/>
            }
        })
        .collect_view()
}

/// «Настройки».
pub fn render_settings(p: &SettingsPage) -> String {
    let p = p.clone();
    let chrome = p.chrome.clone();
    render_document("Настройки", Header::SignedIn(&chrome), move || {
        let f = p.form;
        let [critical, high, reduced, none] = f.names;
        view! {
            <h1>"Настройки региона"</h1>
            <p class="lead">
                "Правила формирования маршрутов, подбора методистов и школ-наставников, названия уровней дефицитов. "
                "Изменения действуют для следующих черновиков; утверждённые маршруты не меняются."
            </p>
            {notice(p.notice)}
            {error_alert(p.error, "settings-error")}
            <form method="post" action="/settings" class="card step__form">
                <input type="hidden" name="csrf" value=p.csrf/>
                <h2>"Маршруты (ИОМ)"</h2>
                <fieldset>
                    <legend>"Кому формируется маршрут (уровень педагога)"</legend>
                    {level_boxes("route_levels", &f.route_levels)}
                </fieldset>
                <fieldset>
                    <legend>"Дефициты каких уровней обязательны к устранению"</legend>
                    {level_boxes("mandatory_levels", &f.mandatory_levels)}
                </fieldset>
                <label class="checkbox">
                    <input
                        type="checkbox"
                        name="recommend_reduced"
                        value="true"
                        checked=f.recommend_reduced
                    />
                    " добавлять рекомендованные шаги по пониженному уровню, если позволяет бюджет"
                </label>
                <label for="period_start">"Начало периода (ММ-ДД)"</label>
                <input type="text" id="period_start" name="period_start" value=f.period_start inputmode="numeric" maxlength="5"/>
                <label for="period_end">"Окончание периода (ММ-ДД)"</label>
                <input type="text" id="period_end" name="period_end" value=f.period_end inputmode="numeric" maxlength="5"/>
                <label for="budget_hours">"Бюджет часов на маршрут (без наставничества)"</label>
                <input type="text" id="budget_hours" name="budget_hours" value=f.budget_hours inputmode="numeric" maxlength="4"/>
                <label for="critical_course_hours">
                    "Курс ПК для критического уровня: не менее, часов"
                </label>
                <input
                    type="text"
                    id="critical_course_hours"
                    name="critical_course_hours"
                    value=f.critical_course_hours
                    inputmode="numeric"
                    maxlength="4"
                />
                <label class="checkbox">
                    <input
                        type="checkbox"
                        name="critical_mentoring"
                        value="true"
                        checked=f.critical_mentoring
                    />
                    " при критическом уровне добавлять шаг наставничества"
                </label>
                <fieldset>
                    <legend>"Правила подбора мероприятий"</legend>
                    <label class="checkbox">
                        <input type="checkbox" name="fit_subjects" value="true" checked=f.fit_subjects/>
                        " мероприятие для предметников подходит только учителям этих предметов"
                    </label>
                    <label class="checkbox">
                        <input type="checkbox" name="fit_place" value="true" checked=f.fit_place/>
                        " очное мероприятие подходит только своему муниципалитету (региональное — всем)"
                    </label>
                    <label class="checkbox">
                        <input
                            type="checkbox"
                            name="prefer_remote_rural"
                            value="true"
                            checked=f.prefer_remote_rural
                        />
                        " сельским школам в первую очередь дистанционные и смешанные форматы"
                    </label>
                </fieldset>
                <h2>"Региональные методисты"</h2>
                <fieldset>
                    <legend>
                        "Кому нужен методист и в каком порядке (1 — в первую очередь; пусто — не назначать)"
                    </legend>
                    {priority_inputs(&f.methodist_priority)}
                </fieldset>
                <label for="young_under_years">"Молодой педагог: стаж менее, лет"</label>
                <input type="text" id="young_under_years" name="young_under_years" value=f.young_under_years inputmode="numeric" maxlength="2"/>
                <label for="newly_hired_days">"Вновь принятый: принят не более, дней назад"</label>
                <input type="text" id="newly_hired_days" name="newly_hired_days" value=f.newly_hired_days inputmode="numeric" maxlength="4"/>
                <fieldset>
                    <legend>"Что учитывать при подборе (после числа назначенных по приоритетам)"</legend>
                    <label class="checkbox">
                        <input type="checkbox" name="prefer_subject" value="true" checked=f.prefer_subject/>
                        " совпадение предмета"
                    </label>
                    <label class="checkbox">
                        <input type="checkbox" name="prefer_municipality" value="true" checked=f.prefer_municipality/>
                        " тот же муниципалитет (или методист работает дистанционно)"
                    </label>
                    <label class="checkbox">
                        <input type="checkbox" name="balance_load" value="true" checked=f.balance_load/>
                        " равномерная нагрузка методистов"
                    </label>
                </fieldset>
                <h2>"Школы-наставники"</h2>
                <fieldset>
                    <legend>"Каким школам нужна школа-наставник"</legend>
                    <label class="checkbox">
                        <input type="checkbox" name="schools_critical" value="true" checked=f.schools_critical/>
                        " 1 — школам с критическими значениями мониторинга"
                    </label>
                    <label class="checkbox">
                        <input type="checkbox" name="schools_cluster" value="true" checked=f.schools_cluster/>
                        " 2 — остальным школам кластеров (ШНОР, ШсРНР, ШФНСУ)"
                    </label>
                </fieldset>
                <label for="mentor_capacity">"Школа-наставник сопровождает не более, школ (если в реестре не указано)"</label>
                <input type="text" id="mentor_capacity" name="mentor_capacity" value=f.mentor_capacity inputmode="numeric" maxlength="3"/>
                <fieldset>
                    <legend>"Что учитывать при подборе школ"</legend>
                    <label class="checkbox">
                        <input type="checkbox" name="prefer_same_municipality" value="true" checked=f.prefer_same_municipality/>
                        " тот же муниципалитет"
                    </label>
                    <label class="checkbox">
                        <input type="checkbox" name="prefer_same_type" value="true" checked=f.prefer_same_type/>
                        " тот же тип школы (сельская или городская)"
                    </label>
                </fieldset>
                <h2>"Названия уровней дефицитов"</h2>
                <label for="name_critical">"Критический"</label>
                <input type="text" id="name_critical" name="name_critical" value=critical maxlength="60"/>
                <label for="name_high">"Высокий"</label>
                <input type="text" id="name_high" name="name_high" value=high maxlength="60"/>
                <label for="name_reduced">"Пониженный"</label>
                <input type="text" id="name_reduced" name="name_reduced" value=reduced maxlength="60"/>
                <label for="name_none">"Нет дефицитов"</label>
                <input type="text" id="name_none" name="name_none" value=none maxlength="60"/>
                <button type="submit" class="button">"Сохранить настройки"</button>
            </form>
        }
    })
}
