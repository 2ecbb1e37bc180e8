//! Sample routes for the tests: a realistic one, and a long one.

use chrono::NaiveDate;

use crate::{ActivityLine, DiagnosticLine, IomDocument};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("a valid date")
}

const LITERACY: &str = "Формирование функциональной (математической) грамотности обучающихся";
const ASSESSMENT: &str =
    "Оценивание образовательных результатов обучающихся в соответствии с обновлёнными ФГОС";
const DIGITAL: &str = "Использование цифровых образовательных ресурсов на уроках математики";

/// The long title the plan table must wrap.
pub const LONG_TOPIC: &str = "Практикум «Конструирование контекстных задач по математике на основе \
реальных ситуаций из жизни сельского школьника: семейный бюджет, сельскохозяйственное \
производство, строительство и благоустройство приусадебного участка»";

/// A mathematics teacher of a rural school with three deficits.
pub fn route() -> IomDocument {
    IomDocument {
        region: "Смоленская область".into(),
        teacher: "Кузнецова Анна Сергеевна".into(),
        position: Some("учитель математики".into()),
        subjects: vec![
            "математика".into(),
            "алгебра".into(),
            "геометрия".into(),
            "вероятность и статистика".into(),
        ],
        school: "МБОУ «Суетовская средняя школа»".into(),
        municipality: "муниципальное образование «Ярцевский муниципальный округ»".into(),
        period_from: d(2026, 9, 1),
        period_to: d(2027, 5, 31),
        methodist: Some("Орлова Марина Викторовна, методист ЦНППМ".into()),
        status: "утверждён".into(),
        approved: Some((
            "Лебедева Татьяна Николаевна, заместитель директора по УВР".into(),
            d(2026, 9, 15),
        )),
        diagnostics: vec![
            DiagnosticLine {
                competence: LITERACY.into(),
                percent: "32,50 %".into(),
                level: "критический".into(),
                taken_on: d(2026, 9, 10),
            },
            DiagnosticLine {
                competence: ASSESSMENT.into(),
                percent: "48,00 %".into(),
                level: "высокий".into(),
                taken_on: d(2026, 9, 10),
            },
            DiagnosticLine {
                competence: DIGITAL.into(),
                percent: "66,67 %".into(),
                level: "пониженный".into(),
                taken_on: d(2026, 9, 11),
            },
        ],
        goal: "Устранить выявленные профессиональные дефициты в формировании математической \
               грамотности обучающихся, оценивании образовательных результатов и применении \
               цифровых ресурсов в соответствии с требованиями обновлённых ФГОС ООО и СОО."
            .into(),
        tasks: vec![
            "Освоить методику разработки и применения практико-ориентированных заданий для \
             формирования математической грамотности."
                .into(),
            "Овладеть критериальным подходом к оцениванию и приёмами формирующего оценивания."
                .into(),
            "Научиться использовать ФГИС «Моя школа» и цифровые тренажёры при подготовке и \
             проведении уроков."
                .into(),
            "Обобщить опыт и представить его на заседании муниципального методического \
             объединения учителей математики."
                .into(),
        ],
        activities: vec![
            ActivityLine {
                deficit: vec![LITERACY.into()],
                topic: "Формирование и оценка функциональной грамотности обучающихся основной \
                        школы: математическая грамотность"
                    .into(),
                form: "курс повышения квалификации, дистанционно".into(),
                provider: "ГАУ ДПО «Смоленский областной институт развития образования»".into(),
                dates: "05.10.2026 – 30.10.2026".into(),
                reporting_form: "удостоверение о повышении квалификации".into(),
                hours: 36,
                mandatory: true,
                completion: "выполнено 02.11.2026".into(),
            },
            ActivityLine {
                deficit: vec![LITERACY.into()],
                topic: LONG_TOPIC.into(),
                form: "семинар, очно".into(),
                provider: "Муниципальный методический центр Ярцевского округа".into(),
                dates: "24.11.2026".into(),
                reporting_form: "сертификат или лист участия".into(),
                hours: 8,
                mandatory: false,
                completion: "ожидает подтверждения".into(),
            },
            ActivityLine {
                deficit: vec![ASSESSMENT.into(), LITERACY.into()],
                topic: "Наставничество: сопровождение в разработке системы формирующего \
                        оценивания на уроках алгебры в 7–9 классах"
                    .into(),
                form: "наставничество, смешанно".into(),
                provider: "Орлова Марина Викторовна, региональный методист".into(),
                dates: "15.09.2026 – 31.05.2027".into(),
                reporting_form: "отчёт наставника, технологические карты уроков".into(),
                hours: 0,
                mandatory: true,
                completion: String::new(),
            },
            ActivityLine {
                deficit: vec![DIGITAL.into()],
                topic: "Цифровые сервисы ФГИС «Моя школа» для организации самостоятельной работы \
                        на уроках математики"
                    .into(),
                form: "вебинар, дистанционно".into(),
                provider: "ФГАОУ ДПО «Академия Минпросвещения России»".into(),
                dates: "18.11.2026".into(),
                reporting_form: "сертификат или лист участия".into(),
                hours: 2,
                mandatory: false,
                completion: "выполнено 18.11.2026".into(),
            },
            ActivityLine {
                deficit: vec![ASSESSMENT.into()],
                topic: "Критериальное оценивание образовательных результатов обучающихся в \
                        условиях реализации обновлённых ФГОС"
                    .into(),
                form: "курс повышения квалификации, смешанно".into(),
                provider: "ГАУ ДПО «Смоленский областной институт развития образования»".into(),
                dates: "11.01.2027 – 29.01.2027".into(),
                reporting_form: "удостоверение о повышении квалификации".into(),
                hours: 24,
                mandatory: true,
                completion: String::new(),
            },
            ActivityLine {
                deficit: vec![LITERACY.into(), DIGITAL.into()],
                topic: "Открытый урок «Решение практических задач на проценты» в 6 классе с \
                        самоанализом"
                    .into(),
                form: "мастер-класс, очно".into(),
                provider: "МБОУ «Суетовская средняя школа»".into(),
                dates: "март 2027".into(),
                reporting_form: "технологическая карта урока и самоанализ".into(),
                hours: 2,
                mandatory: false,
                completion: String::new(),
            },
        ],
        expected_results: vec![
            "составлен банк не менее чем из 20 контекстных задач по математике для 5–9 классов;"
                .into(),
            "на уроках алгебры и геометрии применяется система формирующего оценивания;".into(),
            "доля обучающихся, выполняющих задания на математическую грамотность, выросла не \
             менее чем на 10 процентных пунктов;"
                .into(),
            "опыт представлен на заседании муниципального методического объединения;".into(),
            "повторная диагностика показывает снижение уровня профессиональных дефицитов.".into(),
        ],
        signatures: vec![
            "Педагог".into(),
            "Заместитель директора по УВР".into(),
            "Региональный методист (ЦНППМ)".into(),
        ],
    }
}

/// The title of activity `i` of [`long_route`].
pub fn numbered_topic(i: usize) -> String {
    format!("Мероприятие номер {i}: разбор заданий олимпиадного уровня по теме {i}")
}

/// The sample with 40 activities, to run over several pages.
pub fn long_route() -> IomDocument {
    let mut doc = route();
    let template = doc.activities.clone();
    doc.activities = (1..=40)
        .map(|i| ActivityLine {
            topic: numbered_topic(i),
            ..template[i % template.len()].clone()
        })
        .collect();
    doc
}
