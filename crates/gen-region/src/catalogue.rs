//! `catalogue.csv`: the region's course catalogue, the activities routes are
//! built from.
//!
//! About one entry per [`TEACHERS_PER_CATALOGUE_ENTRY`] teachers (at least
//! [`MIN_CATALOGUE_ENTRIES`]), split over the kinds as a Russian region's
//! catalogue is: further-training courses (ПК) most, then seminars,
//! webinars, self-study, master classes, internships on the base of mentor
//! schools and a few retraining programmes (ПП, never proposed by routes).
//! Every title is written for the competences it names, all of them of the
//! shipped banks ([`CATALOGUE_COMPETENCES`]); the first course of each
//! competence is regional, at least 36 hours long and dated inside the route
//! period, so every deficit can be met.
//!
//! Dates are relative to `as_of`: most dated entries fall into the route
//! period the default [`RoutePolicy`] gives for `as_of` (January 1 – May 31,
//! after `as_of` where there is room), the others into the autumn or June of
//! the same school year; self-study and some webinars have no dates. The
//! catalogue has its own random stream of the seed, so the other files of a
//! seed are as they were before it existed.

use std::path::Path;

use anyhow::Result;
use chrono::{Datelike, Days, Months, NaiveDate, Weekday};
use domain::{ActivityKind, Format, RoutePolicy};
use indicatif::ProgressBar;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::{Region, apportion, csv_writer, finish, names, pick, shuffled};

pub const CATALOGUE_FILE: &str = "catalogue.csv";

pub const CATALOGUE_COLUMNS: [&str; 13] = [
    "code",
    "title",
    "kind",
    "hours",
    "competences",
    "provider",
    "format",
    "subjects",
    "municipality",
    "starts_on",
    "ends_on",
    "capacity",
    "url",
];

/// The banks the catalogue's competences are of, with their competence
/// codes in each file's order. They must match the shipped
/// `assessment-banks/` (a test of this crate reads the files); the generator
/// does not depend on the bank parser.
pub const CATALOGUE_COMPETENCES: [(&str, [&str; 5]); 4] = [
    ("pedagogy-core", ["K1", "K2", "K3", "K4", "K5"]),
    ("math-methods", ["K1", "K2", "K3", "K4", "K5"]),
    ("russian-methods", ["K1", "K2", "K3", "K4", "K5"]),
    ("management", ["K1", "K2", "K3", "K4", "K5"]),
];

/// Teachers per catalogue entry; the catalogue has at least
/// [`MIN_CATALOGUE_ENTRIES`].
pub const TEACHERS_PER_CATALOGUE_ENTRY: u32 = 10;
pub const MIN_CATALOGUE_ENTRIES: u32 = 60;

/// How many entries the catalogue of a region of `teachers` teachers has.
pub fn catalogue_size(teachers: u32) -> u32 {
    let by_size = (teachers + TEACHERS_PER_CATALOGUE_ENTRY / 2) / TEACHERS_PER_CATALOGUE_ENTRY;
    by_size.max(MIN_CATALOGUE_ENTRIES)
}

const SOIRO: &str = "ГАУ ДПО «Смоленский областной институт развития образования»";
const CNPPM: &str = "ЦНППМ Смоленской области";
const ACADEMY: &str = "ФГАОУ ДПО «Академия Минпросвещения России»";
const ACADEMY_URL: &str = "https://apkpro.ru/";

const MATH: Option<&str> = Some("Математика");
const RUSSIAN: Option<&str> = Some("Русский язык");

/// One kind of activity the catalogue offers, with what it is about.
struct Template {
    title: &'static str,
    /// `BANK:CODE`, of [`CATALOGUE_COMPETENCES`].
    competences: &'static [&'static str],
    /// `None`: any subject (pedagogy, management).
    subject: Option<&'static str>,
}

const fn t(
    title: &'static str,
    competences: &'static [&'static str],
    subject: Option<&'static str>,
) -> Template {
    Template {
        title,
        competences,
        subject,
    }
}

/// One course for each competence of the shipped banks, in their order:
/// the first [`COURSE_PRIMARIES`] courses.
const COURSE_PRIMARIES: usize = 20;

const COURSES: &[Template] = &[
    t(
        "Проектирование урока и рабочей программы по обновлённым ФГОС и ФОП",
        &["pedagogy-core:K1"],
        None,
    ),
    t(
        "Формирующее оценивание и обратная связь в учебном процессе",
        &["pedagogy-core:K2"],
        None,
    ),
    t(
        "Обучение школьников с трудностями в освоении образовательной программы: \
         дифференциация и адресная помощь",
        &["pedagogy-core:K3"],
        None,
    ),
    t(
        "Формирование и оценка функциональной грамотности обучающихся",
        &["pedagogy-core:K4"],
        None,
    ),
    t(
        "Воспитательный потенциал урока: учебная мотивация и психологически безопасная среда",
        &["pedagogy-core:K5"],
        None,
    ),
    t(
        "Актуальные вопросы преподавания алгебры в 7–9 классах по ФОП ООО",
        &["math-methods:K1"],
        MATH,
    ),
    t(
        "Геометрия в основной школе: содержание курса и методика решения задач",
        &["math-methods:K2", "math-methods:K4"],
        MATH,
    ),
    t(
        "Учебный курс «Вероятность и статистика» в 7–9 классах: содержание и методика",
        &["math-methods:K3"],
        MATH,
    ),
    t(
        "Типичные ошибки обучающихся по математике и методика обучения решению задач",
        &["math-methods:K4"],
        MATH,
    ),
    t(
        "Подготовка обучающихся к ВПР и ОГЭ по математике: задания с развёрнутым ответом",
        &["math-methods:K5"],
        MATH,
    ),
    t(
        "Трудные вопросы орфографии в курсе русского языка основной школы",
        &["russian-methods:K1"],
        RUSSIAN,
    ),
    t(
        "Пунктуация и синтаксис: методика преподавания в основной школе",
        &["russian-methods:K2"],
        RUSSIAN,
    ),
    t(
        "Работа с текстом на уроках русского языка: развитие речи и читательская грамотность",
        &["russian-methods:K3", "pedagogy-core:K4"],
        RUSSIAN,
    ),
    t(
        "Типичные ошибки обучающихся по русскому языку: диагностика и предупреждение",
        &["russian-methods:K4"],
        RUSSIAN,
    ),
    t(
        "Подготовка к ОГЭ по русскому языку: сжатое изложение и сочинение-рассуждение",
        &["russian-methods:K5"],
        RUSSIAN,
    ),
    t(
        "Внутренняя система оценки качества образования и объективность оценочных процедур",
        &["management:K1"],
        None,
    ),
    t(
        "Анализ результатов ВПР и ГИА для принятия управленческих решений",
        &["management:K2"],
        None,
    ),
    t(
        "Управление методической работой школы: профессиональные дефициты и ИОМ педагогов",
        &["management:K3"],
        None,
    ),
    t(
        "Наставничество в образовательной организации: целевая модель и программы наставничества",
        &["management:K4"],
        None,
    ),
    t(
        "Управление школой с низкими образовательными результатами: антирисковые программы",
        &["management:K5"],
        None,
    ),
    // Further courses.
    t(
        "Реализация требований обновлённых ФГОС НОО и ФГОС ООО в работе учителя",
        &["pedagogy-core:K1", "pedagogy-core:K2"],
        None,
    ),
    t(
        "Оценочная деятельность учителя: от результатов ВПР к планированию обучения",
        &["pedagogy-core:K2", "pedagogy-core:K3"],
        None,
    ),
    t(
        "Инклюзивное образование: обучение детей с ОВЗ по адаптированным образовательным \
         программам",
        &["pedagogy-core:K3"],
        None,
    ),
    t(
        "Цифровые образовательные ресурсы на уроке: ФГИС «Моя школа» и библиотека ЦОК",
        &["pedagogy-core:K1"],
        None,
    ),
    t(
        "Читательская грамотность: смысловое чтение на уроках по всем предметам",
        &["pedagogy-core:K4"],
        None,
    ),
    t(
        "Профилактика травли и конфликтов в школе: роль учителя",
        &["pedagogy-core:K5"],
        None,
    ),
    t(
        "Текстовые задачи в курсе математики 5–9 классов: моделирование и эвристики",
        &["math-methods:K4", "math-methods:K1"],
        MATH,
    ),
    t(
        "Оценивание развёрнутых ответов ОГЭ по математике по критериям ФИПИ",
        &["math-methods:K5"],
        MATH,
    ),
    t(
        "Оценивание сжатого изложения и сочинения ОГЭ по русскому языку по критериям ФИПИ",
        &["russian-methods:K5", "russian-methods:K4"],
        RUSSIAN,
    ),
    t(
        "Обеспечение объективности ВПР и ГИА в общеобразовательной организации",
        &["management:K1", "management:K2"],
        None,
    ),
    t(
        "Переход школы в эффективный режим функционирования: проект «500+»",
        &["management:K5"],
        None,
    ),
];

const RETRAINING: &[Template] = &[
    t(
        "Менеджмент в образовании",
        &["management:K1", "management:K3", "management:K5"],
        None,
    ),
    t(
        "Педагогическое образование: учитель математики",
        &["math-methods:K1", "math-methods:K2", "math-methods:K3"],
        MATH,
    ),
    t(
        "Педагогическое образование: учитель русского языка и литературы",
        &[
            "russian-methods:K1",
            "russian-methods:K2",
            "russian-methods:K3",
        ],
        RUSSIAN,
    ),
    t(
        "Специальное (дефектологическое) образование: инклюзивная практика в школе",
        &["pedagogy-core:K3"],
        None,
    ),
];

const INTERNSHIPS: &[Template] = &[
    t(
        "Современный урок по обновлённым ФГОС: стажировка на базе школы-наставника",
        &["pedagogy-core:K1", "pedagogy-core:K2"],
        None,
    ),
    t(
        "Адресная работа с обучающимися с низкими результатами: стажировка на базе \
         школы-наставника",
        &["pedagogy-core:K3"],
        None,
    ),
    t(
        "Функциональная грамотность на уроках: стажировка на базе школы-наставника",
        &["pedagogy-core:K4"],
        None,
    ),
    t(
        "Воспитывающая среда и учебная мотивация: стажировка на базе школы-наставника",
        &["pedagogy-core:K5"],
        None,
    ),
    t(
        "Преподавание математики в 5–9 классах: стажировка на базе школы-наставника",
        &["math-methods:K4", "math-methods:K5"],
        MATH,
    ),
    t(
        "Подготовка к ОГЭ по русскому языку: стажировка на базе школы-наставника",
        &["russian-methods:K5", "russian-methods:K3"],
        RUSSIAN,
    ),
    t(
        "Антирисковая программа и ВСОКО: стажировка управленческой команды в школе-наставнике",
        &["management:K5", "management:K1"],
        None,
    ),
    t(
        "Система наставничества школы: стажировка в школе-наставнике",
        &["management:K4", "management:K3"],
        None,
    ),
];

const SEMINARS: &[Template] = &[
    t(
        "Рабочая программа по ФОП: типичные ошибки проектирования",
        &["pedagogy-core:K1"],
        None,
    ),
    t(
        "Методы формирующего оценивания на уроке",
        &["pedagogy-core:K2"],
        None,
    ),
    t(
        "Психолого-педагогический консилиум и индивидуальные планы ликвидации пробелов",
        &["pedagogy-core:K3"],
        None,
    ),
    t(
        "Конструирование контекстных заданий по функциональной грамотности",
        &["pedagogy-core:K4"],
        None,
    ),
    t(
        "Рабочая программа воспитания: модуль «Урочная деятельность»",
        &["pedagogy-core:K5"],
        None,
    ),
    t(
        "Анализ результатов ВПР по математике: задания и проверяемые умения",
        &["math-methods:K5", "math-methods:K4"],
        MATH,
    ),
    t(
        "Вероятность и статистика: трудные темы курса",
        &["math-methods:K3"],
        MATH,
    ),
    t(
        "Геометрические задачи ОГЭ: методика решения",
        &["math-methods:K2", "math-methods:K5"],
        MATH,
    ),
    t(
        "Н и НН, НЕ с разными частями речи: трудные случаи орфографии",
        &["russian-methods:K1"],
        RUSSIAN,
    ),
    t(
        "Типичные ошибки в ВПР по русскому языку и их предупреждение",
        &["russian-methods:K4"],
        RUSSIAN,
    ),
    t(
        "Анализ результатов ВПР и ГИА: от данных к управленческим решениям",
        &["management:K2"],
        None,
    ),
    t(
        "ИОМ педагога: проектирование и сопровождение",
        &["management:K3"],
        None,
    ),
    t(
        "Самообследование и ВСОКО: документы и процедуры",
        &["management:K1"],
        None,
    ),
];

const MASTER_CLASSES: &[Template] = &[
    t(
        "Урок в логике системно-деятельностного подхода",
        &["pedagogy-core:K1"],
        None,
    ),
    t(
        "Приёмы формирующего оценивания: листы самооценки и рубрики",
        &["pedagogy-core:K2"],
        None,
    ),
    t(
        "Поэтапная помощь ученику: дифференцированные задания на уроке",
        &["pedagogy-core:K3"],
        None,
    ),
    t(
        "Смысловое чтение на уроках любого предмета",
        &["pedagogy-core:K4"],
        None,
    ),
    t(
        "Поддерживающая обратная связь и учебная мотивация",
        &["pedagogy-core:K5", "pedagogy-core:K2"],
        None,
    ),
    t(
        "Решение задач по теории вероятностей с помощью таблиц и графов",
        &["math-methods:K3"],
        MATH,
    ),
    t(
        "Эвристики в решении текстовых задач",
        &["math-methods:K4", "math-methods:K1"],
        MATH,
    ),
    t(
        "Морфемный анализ в обучении орфографии",
        &["russian-methods:K1"],
        RUSSIAN,
    ),
    t(
        "Сочинение-рассуждение: от тезиса к аргументам",
        &["russian-methods:K5", "russian-methods:K3"],
        RUSSIAN,
    ),
    t(
        "Наставник и молодой педагог: практики сопровождения",
        &["management:K4"],
        None,
    ),
];

const WEBINARS: &[Template] = &[
    t(
        "ФГИС «Моя школа» и библиотека ЦОК при подготовке к уроку",
        &["pedagogy-core:K1"],
        None,
    ),
    t(
        "Обратная связь на уроке: приёмы и типичные ошибки",
        &["pedagogy-core:K2"],
        None,
    ),
    t(
        "Обучающиеся с ОВЗ в общеобразовательном классе: адаптация заданий",
        &["pedagogy-core:K3"],
        None,
    ),
    t(
        "Финансовая грамотность: контекстные задания для основной школы",
        &["pedagogy-core:K4"],
        None,
    ),
    t(
        "Профилактика травли: что делать учителю",
        &["pedagogy-core:K5"],
        None,
    ),
    t(
        "Алгебраические преобразования: типичные ошибки и работа над ними",
        &["math-methods:K1", "math-methods:K4"],
        MATH,
    ),
    t(
        "Описательная статистика и диаграммы в 7–9 классах",
        &["math-methods:K3"],
        MATH,
    ),
    t(
        "Пунктуация в сложном предложении и при прямой речи: трудные случаи",
        &["russian-methods:K2"],
        RUSSIAN,
    ),
    t(
        "Приёмы сжатия текста при подготовке к изложению",
        &["russian-methods:K3", "russian-methods:K5"],
        RUSSIAN,
    ),
    t(
        "Объективность оценочных процедур: требования и практика",
        &["management:K1"],
        None,
    ),
    t(
        "Рисковый профиль школы и антирисковая программа",
        &["management:K5"],
        None,
    ),
];

const SELF_STUDY: &[Template] = &[
    t(
        "Изучение ФОП ООО и конструирование рабочей программы по предмету",
        &["pedagogy-core:K1"],
        None,
    ),
    t(
        "Формирующее оценивание: методические материалы и банк приёмов",
        &["pedagogy-core:K2"],
        None,
    ),
    t(
        "Адаптированные образовательные программы для обучающихся с ОВЗ",
        &["pedagogy-core:K3"],
        None,
    ),
    t(
        "Банк заданий по функциональной грамотности: решение и разработка заданий",
        &["pedagogy-core:K4"],
        None,
    ),
    t(
        "Рабочая программа воспитания и воспитательный потенциал урока",
        &["pedagogy-core:K5"],
        None,
    ),
    t(
        "Открытый банк заданий ОГЭ по математике: задания второй части",
        &["math-methods:K5", "math-methods:K2"],
        MATH,
    ),
    t(
        "Вероятность и статистика: учебное пособие и задачник",
        &["math-methods:K3"],
        MATH,
    ),
    t(
        "Орфография и пунктуация: справочник и практикум для учителя",
        &["russian-methods:K1", "russian-methods:K2"],
        RUSSIAN,
    ),
    t(
        "Материалы ФИПИ: критерии оценивания изложения и сочинения ОГЭ",
        &["russian-methods:K5"],
        RUSSIAN,
    ),
    t(
        "Методические рекомендации по наставничеству педагогических работников",
        &["management:K4"],
        None,
    ),
    t(
        "Анализ результатов оценочных процедур: методические рекомендации",
        &["management:K2"],
        None,
    ),
];

/// The kinds the catalogue offers, in the file's order, with their share
/// (percent), code prefix and templates. Mentoring is not a catalogue
/// offer: methodists are assigned to teachers.
const KINDS: [(ActivityKind, u64, &str, &[Template]); 7] = [
    (ActivityKind::Course, 38, "pk", COURSES),
    (ActivityKind::Retraining, 3, "pp", RETRAINING),
    (ActivityKind::Internship, 8, "st", INTERNSHIPS),
    (ActivityKind::Seminar, 16, "sem", SEMINARS),
    (ActivityKind::MasterClass, 10, "mk", MASTER_CLASSES),
    (ActivityKind::Webinar, 14, "web", WEBINARS),
    (ActivityKind::SelfStudy, 11, "so", SELF_STUDY),
];

/// When the dated entries happen.
struct Calendar {
    /// Where most dated entries go: the route period, from `as_of` on when
    /// there is room.
    window: (NaiveDate, NaiveDate),
    /// The rest of the school year: its autumn, before the period…
    autumn: (NaiveDate, NaiveDate),
    /// …and June, after it.
    june: (NaiveDate, NaiveDate),
}

impl Calendar {
    fn new(as_of: NaiveDate) -> Calendar {
        let period = RoutePolicy::default().period(as_of);
        let after = as_of + Days::new(1);
        let from = if after > period.from && (period.to - after).num_days() >= 30 {
            after
        } else {
            period.from
        };
        let year = period.from.year();
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("a calendar day");
        Calendar {
            window: (from, period.to),
            autumn: (day(year - 1, 9, 1), period.from - Days::new(1)),
            june: (period.to + Days::new(1), day(year, 6, 30)),
        }
    }
}

/// What the writer needs of the region.
struct Places<'a> {
    region: &'a Region,
    /// Indices of the mentor schools, where internships are held.
    mentor_schools: Vec<usize>,
}

/// An entry's fields as the file writes them.
struct Row {
    code: String,
    title: String,
    kind: ActivityKind,
    hours: u32,
    competences: String,
    provider: String,
    format: Format,
    subjects: &'static str,
    municipality: String,
    dates: Option<(NaiveDate, NaiveDate)>,
    capacity: Option<u32>,
    url: &'static str,
}

/// Writes `catalogue.csv` and answers the number of entries.
pub(crate) fn write_catalogue(
    seed: u64,
    teachers: u32,
    as_of: NaiveDate,
    region: &Region,
    path: &Path,
    progress: &ProgressBar,
) -> Result<usize> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(2);
    let calendar = Calendar::new(as_of);
    let places = Places {
        region,
        mentor_schools: region
            .schools
            .iter()
            .enumerate()
            .filter(|(_, s)| s.mentor_capacity.is_some())
            .map(|(i, _)| i)
            .collect(),
    };
    let total = catalogue_size(teachers);
    let weights: Vec<u64> = KINDS.iter().map(|k| k.1).collect();
    let counts = apportion(u64::from(total), &weights, 1);

    let mut out = csv_writer(path)?;
    out.write_record(CATALOGUE_COLUMNS)?;
    let mut rows = 0usize;
    for (&(kind, _, prefix, templates), &count) in KINDS.iter().zip(&counts) {
        let order = template_order(&mut rng, kind, templates.len());
        let width = count.to_string().len().max(3);
        for i in 0..count as usize {
            let round = i / order.len();
            let template = &templates[order[i % order.len()]];
            let primary = kind == ActivityKind::Course && round == 0 && i < COURSE_PRIMARIES;
            let mut title = template.title.to_string();
            if round > 0 && matches!(kind, ActivityKind::Course | ActivityKind::Retraining) {
                title = format!("{title} (поток {})", round + 1);
            }
            let row = entry(
                &mut rng,
                &calendar,
                &places,
                kind,
                primary,
                Row {
                    code: format!("{prefix}-{:0width$}", i + 1),
                    title,
                    kind,
                    hours: 0,
                    competences: template.competences.join("|"),
                    provider: String::new(),
                    format: Format::InPerson,
                    subjects: template.subject.unwrap_or(""),
                    municipality: String::new(),
                    dates: None,
                    capacity: None,
                    url: "",
                },
            );
            write_row(&mut out, &row)?;
            rows += 1;
            progress.inc(1);
        }
    }
    finish(out, path)?;
    Ok(rows)
}

/// The order a kind's templates are used in: shuffled, but for courses the
/// one-per-competence courses first, so that even the smallest catalogue
/// covers every competence.
fn template_order(rng: &mut ChaCha8Rng, kind: ActivityKind, n: usize) -> Vec<usize> {
    if kind == ActivityKind::Course {
        let mut order = shuffled(rng, COURSE_PRIMARIES);
        order.extend(
            shuffled(rng, n - COURSE_PRIMARIES)
                .into_iter()
                .map(|i| i + COURSE_PRIMARIES),
        );
        order
    } else {
        shuffled(rng, n)
    }
}

/// A weighted pick; weights are whole numbers so the stream is the same on
/// every platform.
fn weighted<T: Copy>(rng: &mut ChaCha8Rng, items: &[(T, u32)]) -> T {
    let total: u32 = items.iter().map(|i| i.1).sum();
    let mut draw = rng.random_range(0..total);
    for &(item, weight) in items {
        if draw < weight {
            return item;
        }
        draw -= weight;
    }
    items[0].0
}

/// Who runs an entry.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Provider {
    Soiro,
    Cnppm,
    Academy,
    /// A municipality's methodical service: the entry is municipal.
    Municipal,
    /// A mentor school: the entry is held in its municipality.
    MentorSchool,
    /// Nobody: the teacher studies on their own.
    Nobody,
}

/// Fills `row` for one entry of `kind`.
fn entry(
    rng: &mut ChaCha8Rng,
    calendar: &Calendar,
    places: &Places<'_>,
    kind: ActivityKind,
    primary: bool,
    mut row: Row,
) -> Row {
    use Format::{Blended, InPerson, Remote};
    use Provider::*;
    let provider = match kind {
        ActivityKind::Course if primary => {
            weighted(rng, &[(Soiro, 55), (Cnppm, 30), (Academy, 15)])
        }
        ActivityKind::Course => weighted(
            rng,
            &[(Soiro, 45), (Cnppm, 30), (Academy, 17), (Municipal, 8)],
        ),
        ActivityKind::Retraining => weighted(rng, &[(Soiro, 60), (Academy, 40)]),
        ActivityKind::Internship => MentorSchool,
        ActivityKind::Seminar => weighted(rng, &[(Soiro, 35), (Cnppm, 30), (Municipal, 35)]),
        ActivityKind::MasterClass => weighted(rng, &[(Cnppm, 45), (Municipal, 40), (Soiro, 15)]),
        ActivityKind::Webinar => weighted(rng, &[(Academy, 35), (Soiro, 35), (Cnppm, 30)]),
        ActivityKind::SelfStudy => weighted(rng, &[(Cnppm, 50), (Academy, 30), (Nobody, 20)]),
        ActivityKind::Mentoring => Cnppm,
    };
    row.format = match kind {
        ActivityKind::Webinar | ActivityKind::SelfStudy => Remote,
        ActivityKind::Course | ActivityKind::Retraining if provider == Academy => {
            weighted(rng, &[(Remote, 75), (Blended, 25)])
        }
        ActivityKind::Retraining => weighted(rng, &[(Blended, 60), (Remote, 40)]),
        _ if provider == Municipal => weighted(rng, &[(InPerson, 80), (Blended, 20)]),
        ActivityKind::Internship => weighted(rng, &[(InPerson, 85), (Blended, 15)]),
        ActivityKind::MasterClass => weighted(rng, &[(InPerson, 75), (Remote, 25)]),
        ActivityKind::Seminar => weighted(rng, &[(InPerson, 60), (Blended, 15), (Remote, 25)]),
        _ => weighted(rng, &[(InPerson, 60), (Blended, 25), (Remote, 15)]),
    };
    row.hours = match kind {
        ActivityKind::Course if primary => weighted(rng, &[(36, 5), (72, 4), (108, 1)]),
        ActivityKind::Course => weighted(rng, &[(16, 20), (24, 15), (36, 35), (72, 25), (108, 5)]),
        ActivityKind::Retraining => weighted(
            rng,
            &[
                (252, 2),
                (256, 1),
                (260, 2),
                (280, 1),
                (300, 2),
                (340, 1),
                (520, 1),
            ],
        ),
        ActivityKind::Internship => weighted(rng, &[(16, 3), (18, 1), (24, 3), (36, 3)]),
        ActivityKind::Seminar => weighted(rng, &[(2, 3), (3, 2), (4, 3), (6, 1), (8, 1)]),
        ActivityKind::MasterClass => weighted(rng, &[(2, 4), (3, 3), (4, 3)]),
        ActivityKind::Webinar => weighted(rng, &[(2, 5), (3, 2), (4, 2), (6, 1)]),
        ActivityKind::SelfStudy => weighted(rng, &[(10, 2), (12, 2), (16, 2), (18, 1), (20, 2)]),
        ActivityKind::Mentoring => 0,
    };

    let region = places.region;
    let (name, municipality) = match provider {
        Soiro => (SOIRO.to_string(), None),
        Cnppm => (CNPPM.to_string(), None),
        Academy => (ACADEMY.to_string(), None),
        Nobody => (String::new(), None),
        Municipal => {
            let m = rng.random_range(0..region.municipalities.len() as u32) as usize;
            (
                format!(
                    "Муниципальная методическая служба {}",
                    municipality_genitive(m)
                ),
                Some(m),
            )
        }
        MentorSchool if places.mentor_schools.is_empty() => (CNPPM.to_string(), None),
        MentorSchool => {
            let s = &region.schools[*pick(rng, &places.mentor_schools)];
            (
                format!("{} (школа-наставник)", s.name),
                Some(s.municipality),
            )
        }
    };
    row.provider = name;
    row.municipality = municipality
        .map(|m| region.municipalities[m].code.clone())
        .unwrap_or_default();
    if provider == Academy {
        row.url = ACADEMY_URL;
    }

    row.dates = dates(rng, calendar, kind, row.format, row.hours, primary);
    row.capacity = match (kind, row.format) {
        (ActivityKind::SelfStudy, _) => None,
        (ActivityKind::Internship, _) => Some(5 * rng.random_range(3..=5u32)),
        (_, InPerson) => Some(5 * rng.random_range(3..=8u32)),
        (_, Blended) => Some(5 * rng.random_range(4..=10u32)),
        (ActivityKind::Webinar, Remote) => weighted(
            rng,
            &[(None, 7), (Some(100), 1), (Some(300), 1), (Some(500), 1)],
        ),
        (_, Remote) => weighted(
            rng,
            &[
                (None, 5),
                (Some(50), 1),
                (Some(100), 2),
                (Some(150), 1),
                (Some(200), 1),
            ],
        ),
    };
    row
}

/// An entry's dates: none for self-study and for some webinars and remote
/// courses (taken on demand); otherwise mostly inside the route window, on
/// working days.
fn dates(
    rng: &mut ChaCha8Rng,
    calendar: &Calendar,
    kind: ActivityKind,
    format: Format,
    hours: u32,
    primary: bool,
) -> Option<(NaiveDate, NaiveDate)> {
    let undated = match kind {
        ActivityKind::SelfStudy => true,
        ActivityKind::Webinar => rng.random_bool(0.4),
        ActivityKind::Course if format == Format::Remote && !primary => rng.random_bool(0.25),
        _ => false,
    };
    if undated {
        return None;
    }
    if kind == ActivityKind::Retraining {
        // A programme starts in the autumn or after the winter holidays and
        // runs three to six months.
        let season = if rng.random_bool(0.5) {
            calendar.autumn.0
        } else {
            calendar.autumn.1 + Days::new(9)
        };
        let start = season + Days::new(rng.random_range(0..=45u64));
        let start = working_day_within(start, start, start + Days::new(14));
        let months = Months::new(rng.random_range(3..=6u32));
        let end = (start + months) - Days::new(1);
        return Some((start, working_day_back(end, start)));
    }
    // The last day is at most `span` days after the first: in person on
    // consecutive working days (weekends and at most two holidays between),
    // blended or remote spread two or three times as wide.
    let working = u64::from(hours.div_ceil(8));
    let one_day = matches!(
        kind,
        ActivityKind::Seminar | ActivityKind::MasterClass | ActivityKind::Webinar
    );
    let span = match format {
        _ if one_day => 0,
        Format::InPerson => (working - 1) / 5 * 7 + (working - 1) % 5 + 4,
        Format::Blended => (working * 7).div_ceil(5) * 2 - 1,
        Format::Remote => (working * 7).div_ceil(5) * 3 - 1,
    };
    let inside = primary || rng.random_bool(0.6);
    let (from, to) = if inside {
        calendar.window
    } else if rng.random_bool(0.75) {
        calendar.autumn
    } else {
        calendar.june
    };
    let last_start = (to - Days::new(span)).max(from);
    let days = (last_start - from).num_days() as u64;
    // A few draws find a working day, so that Mondays are not favoured by
    // moving weekends to them.
    let mut start = from + Days::new(rng.random_range(0..=days));
    for _ in 0..4 {
        if !day_off(start) {
            break;
        }
        start = from + Days::new(rng.random_range(0..=days));
    }
    let start = working_day_within(start, from, last_start);
    let end = if one_day {
        start
    } else if format == Format::InPerson {
        nth_working_day(start, working - 1)
    } else {
        working_day_back(start + Days::new(span - rng.random_range(0..=1u64)), start)
    };
    Some((start, end))
}

/// A day nobody is trained on: a weekend or a public holiday (Labour Code of
/// the Russian Federation, art. 112).
fn day_off(day: NaiveDate) -> bool {
    matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
        || matches!(
            (day.month(), day.day()),
            (1, 1..=8) | (2, 23) | (3, 8) | (5, 1) | (5, 9) | (6, 12) | (11, 4)
        )
}

/// The first working day from `day` on, not after `last`; else the last
/// working day before `day`, not before `from`; else `day`.
fn working_day_within(day: NaiveDate, from: NaiveDate, last: NaiveDate) -> NaiveDate {
    let mut d = day;
    while d <= last {
        if !day_off(d) {
            return d;
        }
        d = d + Days::new(1);
    }
    let mut d = day;
    while d >= from {
        if !day_off(d) {
            return d;
        }
        d = d - Days::new(1);
    }
    day
}

/// The last working day on or before `day`, not before `floor`.
fn working_day_back(day: NaiveDate, floor: NaiveDate) -> NaiveDate {
    let mut d = day;
    while d > floor && day_off(d) {
        d = d - Days::new(1);
    }
    d
}

/// The `n`-th working day after `start` (`start` itself for 0).
fn nth_working_day(start: NaiveDate, n: u64) -> NaiveDate {
    let mut d = start;
    let mut left = n;
    while left > 0 {
        d = d + Days::new(1);
        if !day_off(d) {
            left -= 1;
        }
    }
    d
}

/// «города Смоленска», «Велижского муниципального округа».
fn municipality_genitive(m: usize) -> String {
    let def = &names::SMOLENSK_OBLAST[m];
    if let Some(city) = def.city_genitive {
        return city.to_string();
    }
    match def.name.strip_suffix("ий муниципальный округ") {
        Some(stem) => format!("{stem}ого муниципального округа"),
        None => def.name.to_string(),
    }
}

fn write_row(out: &mut csv::Writer<std::fs::File>, row: &Row) -> Result<()> {
    let date = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    let (starts_on, ends_on) = row
        .dates
        .map(|(s, e)| (date(s), date(e)))
        .unwrap_or_default();
    out.write_record([
        row.code.as_str(),
        &row.title,
        row.kind.as_str(),
        &row.hours.to_string(),
        &row.competences,
        &row.provider,
        row.format.as_str(),
        row.subjects,
        &row.municipality,
        &starts_on,
        &ends_on,
        &row.capacity.map(|c| c.to_string()).unwrap_or_default(),
        row.url,
    ])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_name_competences_of_the_shipped_banks() {
        let known: Vec<String> = CATALOGUE_COMPETENCES
            .iter()
            .flat_map(|(bank, codes)| codes.iter().map(move |c| format!("{bank}:{c}")))
            .collect();
        for &(kind, _, _, templates) in &KINDS {
            assert!(!templates.is_empty(), "{kind}");
            for t in templates {
                assert!((1..=3).contains(&t.competences.len()), "{}", t.title);
                for c in t.competences {
                    assert!(known.iter().any(|k| k == c), "{}: {c}", t.title);
                }
                if let Some(s) = t.subject {
                    assert!(names::SUBJECTS.contains(&s), "{s}");
                }
            }
        }
        // The first courses are one per competence, in the banks' order.
        let primaries: Vec<&str> = COURSES[..COURSE_PRIMARIES]
            .iter()
            .map(|t| t.competences[0])
            .collect();
        assert_eq!(primaries, known);
    }

    #[test]
    fn municipalities_are_named_in_the_genitive() {
        assert_eq!(municipality_genitive(0), "города Смоленска");
        for m in 2..names::SMOLENSK_OBLAST.len() {
            let g = municipality_genitive(m);
            assert!(g.ends_with("ого муниципального округа"), "{g}");
        }
    }

    #[test]
    fn the_calendar_follows_as_of() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        // In March: the rest of this January–May.
        let c = Calendar::new(d(2026, 3, 15));
        assert_eq!(c.window, (d(2026, 3, 16), d(2026, 5, 31)));
        assert_eq!(c.autumn, (d(2025, 9, 1), d(2025, 12, 31)));
        assert_eq!(c.june, (d(2026, 6, 1), d(2026, 6, 30)));
        // In September: next January–May.
        let c = Calendar::new(d(2026, 9, 1));
        assert_eq!(c.window, (d(2027, 1, 1), d(2027, 5, 31)));
        assert_eq!(c.autumn, (d(2026, 9, 1), d(2026, 12, 31)));
        // Late in May there is no room left: the whole period.
        let c = Calendar::new(d(2026, 5, 20));
        assert_eq!(c.window, (d(2026, 1, 1), d(2026, 5, 31)));
    }

    #[test]
    fn activities_are_held_on_working_days() {
        let d = |m, day| NaiveDate::from_ymd_opt(2027, m, day).unwrap();
        // 2027-02-06 is a Saturday; 2027-02-23 a holiday (a Tuesday).
        assert!(day_off(d(2, 6)) && day_off(d(2, 7)) && day_off(d(2, 23)));
        assert!(!day_off(d(2, 8)));
        assert_eq!(working_day_within(d(2, 6), d(1, 1), d(5, 31)), d(2, 8));
        // No room ahead: back to Friday.
        assert_eq!(working_day_within(d(2, 6), d(2, 1), d(2, 7)), d(2, 5));
        assert_eq!(working_day_within(d(1, 1), d(1, 1), d(5, 31)), d(1, 11));
        assert_eq!(working_day_back(d(2, 7), d(2, 1)), d(2, 5));
        // Five working days from Monday 2027-02-22: 22, 24, 25, 26, 1 March.
        assert_eq!(nth_working_day(d(2, 22), 4), d(3, 1));
        assert_eq!(nth_working_day(d(2, 22), 0), d(2, 22));
    }
}
