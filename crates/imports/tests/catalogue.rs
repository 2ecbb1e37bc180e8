//! `catalogue` files: courses, seminars, internships… planned against banks,
//! municipalities and the stored entries in memory; and the catalogue that
//! `gen-region` writes.

use std::fs;
use std::path::Path;

use chrono::NaiveDate;
use domain::{
    ActivityKind, Bank, Competence, CompetenceRef, CourseCode, Entry, Format, Municipality,
    MunicipalityCode, OverallRule, Rational, Review, Thresholds,
};
use imports::{CataloguePlan, Kind, plan, plan_catalogue};
use rust_xlsxwriter::{ExcelDateTime, Workbook};
use store::Directory;

// ---- helpers ---------------------------------------------------------------

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn code(s: &str) -> CourseCode {
    CourseCode::parse(s).unwrap()
}

fn mcode(s: &str) -> MunicipalityCode {
    MunicipalityCode::parse(s).unwrap()
}

fn cref(s: &str) -> CompetenceRef {
    CompetenceRef::parse(s).unwrap()
}

fn bank(id: &str, codes: &[&str]) -> Bank {
    let t = Thresholds {
        critical_below: Rational::integer(40),
        high_below: Rational::integer(60),
        reduced_below: Rational::integer(80),
    };
    Bank {
        id: id.into(),
        version: "2026.1".into(),
        title: format!("Банк {id}"),
        audience: None,
        subjects: vec![],
        time_limit_minutes: 50,
        review: Review::AfterSubmit,
        thresholds: t,
        overall: OverallRule::Total,
        competences: codes
            .iter()
            .map(|c| Competence {
                code: (*c).into(),
                title: format!("Компетенция {c}"),
                description: None,
                standard_ref: None,
                items_per_attempt: 4,
                thresholds: t,
            })
            .collect(),
        items: vec![],
        content_hash: "0".repeat(64),
    }
}

/// K1 and K2 are in two banks, K3 only in `pedagogy-core`, M1 and M2 only in
/// `management`.
fn banks() -> Vec<Bank> {
    vec![
        bank("pedagogy-core", &["K1", "K2", "K3"]),
        bank("math-methods", &["K1", "K2"]),
        bank("management", &["M1", "M2"]),
    ]
}

fn directory() -> Directory {
    Directory {
        municipalities: vec![
            Municipality {
                code: mcode("m01"),
                name: "город Смоленск".into(),
            },
            Municipality {
                code: mcode("m02"),
                name: "Велижский муниципальный округ".into(),
            },
        ],
        ..Directory::default()
    }
}

fn ok(file: &str, bytes: &[u8], existing: &[Entry]) -> CataloguePlan {
    match plan_catalogue(file, bytes, existing, &banks(), &directory()) {
        Ok(p) => p,
        Err(e) => panic!("expected a plan, got errors:\n{e}"),
    }
}

fn errors(file: &str, bytes: &[u8], existing: &[Entry]) -> Vec<String> {
    match plan_catalogue(file, bytes, existing, &banks(), &directory()) {
        Ok(p) => panic!("expected errors, got a plan: {p:#?}"),
        Err(e) => e.0.iter().map(ToString::to_string).collect(),
    }
}

/// Upserts by code, as a store would.
fn apply(stored: &mut Vec<Entry>, changes: &[Entry]) {
    for e in changes {
        match stored.iter_mut().find(|x| x.code == e.code) {
            Some(x) => *x = e.clone(),
            None => stored.push(e.clone()),
        }
    }
}

const HEADER: &str = "code,title,kind,hours,competences,provider,format,subjects,municipality,\
                      starts_on,ends_on,capacity,url";

/// A CSV with the full English header and these rows.
fn csv(rows: &[&str]) -> Vec<u8> {
    let mut s = format!("{HEADER}\n");
    for r in rows {
        s.push_str(r);
        s.push('\n');
    }
    s.into_bytes()
}

/// A complete stored entry, to see what a later file keeps or clears.
fn stored_entry() -> Entry {
    Entry {
        code: code("pk-001"),
        title: "Формирующее оценивание".into(),
        kind: ActivityKind::Course,
        hours: 36,
        competences: vec![cref("pedagogy-core:K2")],
        provider: Some("ЦНППМ Смоленской области".into()),
        format: Format::Blended,
        subjects: vec!["Математика".into()],
        municipality: Some(mcode("m02")),
        starts_on: Some(date(2027, 2, 1)),
        ends_on: Some(date(2027, 2, 20)),
        capacity: Some(25),
        url: Some("https://example.org/pk-001".into()),
        active: true,
    }
}

// ---- reading -----------------------------------------------------------------

#[test]
fn a_russian_csv_plans_the_right_entries() {
    let text = "Код;Название;Вид;Часы;Компетенции;Организатор;Формат;Предметы;Муниципалитет;\
                Начало;Окончание;Мест;Ссылка\r\n\
                ПК-01;Формирующее оценивание на уроке;ПК;36,0;pedagogy-core:K2 | K3;\
                ГАУ ДПО «СОИРО»;Смешанно;;;01.02.2027;2027-02-20;25;\r\n\
                ;;;;;;;;;;;;\r\n\
                СМ-01;Анализ ВПР по математике;семинар;4;math-methods:K2;\
                Муниципальная методическая служба;очно;Математика;m01;15.03.2027;15.03.2027;30;\r\n\
                ВБ-01;Обратная связь на уроке;Вебинар;2;pedagogy-core:K2;;дистанционно;;;;;;\
                https://apkpro.ru/\r\n\
                СТ-01;Стажировка на базе школы-наставника;стажировка;24;M1|M2;;;;m02;;;15;\r\n\
                МК-01;Урок в деятельностном подходе;мастер-класс;3;pedagogy-core:K1;;очно;;;;;;\r\n\
                НС-01;Наставничество молодого педагога;наставничество;10;management:M2;;;;;;;;\r\n\
                СО-01;Изучение ФОП ООО;самообразование;16;pedagogy-core:K1;;;;;;;;\r\n\
                ПП-01;Менеджмент в образовании;ПП;260;management:M1|management:M2|management:M1;\
                ФГАОУ ДПО «Академия Минпросвещения России»;смешанно;;;;;;\r\n";
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1251.encode(text);
    assert!(!unmappable);
    let plan = ok("каталог.csv", &bytes, &[]);
    assert_eq!(plan.rows, 8, "the empty row is skipped");
    assert!(plan.warnings.is_empty(), "{:?}", plan.warnings);
    assert_eq!((plan.created, plan.updated, plan.unchanged), (8, 0, 0));
    let codes: Vec<&str> = plan.changes.iter().map(|e| e.code.as_str()).collect();
    assert_eq!(
        codes,
        [
            "ПК-01", "СМ-01", "ВБ-01", "СТ-01", "МК-01", "НС-01", "СО-01", "ПП-01"
        ],
        "file order"
    );
    assert_eq!(
        plan.changes[0],
        Entry {
            code: code("ПК-01"),
            title: "Формирующее оценивание на уроке".into(),
            kind: ActivityKind::Course,
            hours: 36,
            competences: vec![cref("pedagogy-core:K2"), cref("pedagogy-core:K3")],
            provider: Some("ГАУ ДПО «СОИРО»".into()),
            format: Format::Blended,
            subjects: vec![],
            municipality: None,
            starts_on: Some(date(2027, 2, 1)),
            ends_on: Some(date(2027, 2, 20)),
            capacity: Some(25),
            url: None,
            active: true,
        }
    );
    let seminar = &plan.changes[1];
    assert_eq!(seminar.kind, ActivityKind::Seminar);
    assert_eq!(seminar.format, Format::InPerson);
    assert_eq!(seminar.subjects, ["Математика"]);
    assert_eq!(seminar.municipality, Some(mcode("m01")));
    assert_eq!(seminar.starts_on, seminar.ends_on);
    let webinar = &plan.changes[2];
    assert_eq!(webinar.kind, ActivityKind::Webinar);
    assert_eq!(webinar.format, Format::Remote);
    assert_eq!(webinar.url.as_deref(), Some("https://apkpro.ru/"));
    assert_eq!((webinar.starts_on, webinar.capacity), (None, None));
    let internship = &plan.changes[3];
    assert_eq!(internship.kind, ActivityKind::Internship);
    // No format given: in person.
    assert_eq!(internship.format, Format::InPerson);
    assert_eq!(
        internship.competences,
        [cref("management:M1"), cref("management:M2")]
    );
    let kinds: Vec<ActivityKind> = plan.changes[4..].iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            ActivityKind::MasterClass,
            ActivityKind::Mentoring,
            ActivityKind::SelfStudy,
            ActivityKind::Retraining
        ]
    );
    // A competence named twice is kept once.
    assert_eq!(
        plan.changes[7].competences,
        [cref("management:M1"), cref("management:M2")]
    );
    assert!(plan.changes.iter().all(|e| e.active));
}

#[test]
fn an_xlsx_with_number_and_date_cells_loads() {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in [
        "код",
        "название",
        "вид",
        "часы",
        "компетенции",
        "начало",
        "окончание",
        "мест",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    let format = rust_xlsxwriter::Format::new().set_num_format("dd.mm.yyyy");
    sheet.write_number(1, 0, 1001).unwrap();
    sheet
        .write_string(1, 1, "Вероятность и статистика")
        .unwrap();
    sheet.write_string(1, 2, "курс").unwrap();
    sheet.write_number(1, 3, 72.0).unwrap();
    sheet.write_string(1, 4, "math-methods:K2").unwrap();
    let start = ExcelDateTime::from_ymd(2027, 1, 18).unwrap();
    let end = ExcelDateTime::from_ymd(2027, 2, 12).unwrap();
    sheet
        .write_datetime_with_format(1, 5, &start, &format)
        .unwrap();
    sheet
        .write_datetime_with_format(1, 6, &end, &format)
        .unwrap();
    sheet.write_number(1, 7, 30).unwrap();
    // A fractional number of hours in a number cell is refused on its row.
    sheet.write_number(3, 0, 1002).unwrap();
    sheet.write_string(3, 1, "Вебинар").unwrap();
    sheet.write_string(3, 2, "вебинар").unwrap();
    sheet.write_number(3, 3, 1.5).unwrap();
    sheet.write_string(3, 4, "K3").unwrap();
    let bytes = book.save_to_buffer().unwrap();
    assert_eq!(
        errors("c.xlsx", &bytes, &[]),
        [
            "c.xlsx:4: часы: часы указываются целым числом академических часов: \
          дробное значение не принимается (1.5)"
        ]
    );

    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in [
        "код",
        "название",
        "вид",
        "часы",
        "компетенции",
        "начало",
        "мест",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    sheet.write_number(1, 0, 1001).unwrap();
    sheet
        .write_string(1, 1, "Вероятность и статистика")
        .unwrap();
    sheet.write_string(1, 2, "курс").unwrap();
    sheet.write_number(1, 3, 72.0).unwrap();
    sheet.write_string(1, 4, "math-methods:K2").unwrap();
    sheet
        .write_datetime_with_format(1, 5, &start, &format)
        .unwrap();
    sheet.write_number(1, 6, 30).unwrap();
    let plan = ok("c.xlsx", &book.save_to_buffer().unwrap(), &[]);
    let e = &plan.changes[0];
    assert_eq!(e.code, code("1001"));
    assert_eq!(e.kind, ActivityKind::Course);
    assert_eq!(e.hours, 72);
    assert_eq!(e.competences, [cref("math-methods:K2")]);
    assert_eq!(e.starts_on, Some(date(2027, 1, 18)));
    assert_eq!(e.capacity, Some(30));
}

// ---- errors ----------------------------------------------------------------

#[test]
fn every_wrong_cell_is_reported_with_file_row_and_column() {
    let e = errors(
        "cat.csv",
        &csv(&[
            // 2: a code with a space, an unknown kind, hours in halves.
            "ПК 1,Курс,лекция,\"1,5\",pedagogy-core:K1,,,,,,,,",
            // 3: no title, zero hours, no competences.
            "pk-2,,course,0,,,,,,,,,",
            // 4: words for hours, an unknown bank, an unknown code of a bank.
            "pk-3,Курс,ПК,много,oge-bank:K1|pedagogy-core:K9,,,,,,,,",
            // 5: a bare code of two banks, a bare code of none.
            "pk-4,Курс,ПК,36,K1|Z9,,,,,,,,",
            // 6: an unknown format and municipality, a bad url.
            "pk-5,Курс,ПК,36,K3,,заочно,,m99,,,,www.soiro.ru",
            // 7: dates that cannot be read, a negative capacity.
            "pk-6,Курс,ПК,36,K3,,,,,2027-13-01,32.01.2027,-5,",
            // 8: ends before it starts; a fractional capacity.
            "pk-7,Курс,ПК,36,K3,,,,,10.03.2027,01.03.2027,\"2,5\",",
            // 9: the code of row 4 again.
            "pk-3,Курс,ПК,36,K3,,,,,,,,",
        ]),
        &[],
    );
    assert_eq!(
        e,
        [
            "cat.csv:2: code: Код мероприятия не должен содержать пробелов и символа «|» (ПК 1)",
            "cat.csv:2: kind: неизвестный вид: ожидается ПК, ПП, стажировка, семинар, \
             мастер-класс, вебинар, наставничество или самообразование (лекция)",
            "cat.csv:2: hours: часы указываются целым числом академических часов: \
             дробное значение не принимается (1,5)",
            "cat.csv:3: title: не заполнено обязательное поле title [название]",
            "cat.csv:3: hours: число часов должно быть больше нуля (0)",
            "cat.csv:3: competences: не указано ни одной компетенции: ожидается список \
             БАНК:КОД через «|», например pedagogy-core:K1|pedagogy-core:K3",
            "cat.csv:4: hours: ожидается целое число академических часов больше нуля \
             (например, 36) (много)",
            "cat.csv:4: competences: банк oge-bank не загружен (загружены: pedagogy-core, \
             math-methods, management): загрузите его (marshrut bank load) или исправьте код \
             банка (oge-bank:K1)",
            "cat.csv:4: competences: компетенции K9 нет в банке pedagogy-core \
             (есть: K1, K2, K3) (pedagogy-core:K9)",
            "cat.csv:5: competences: компетенция K1 есть в нескольких банках \
             (pedagogy-core, math-methods): укажите БАНК:КОД, например pedagogy-core:K1 (K1)",
            "cat.csv:5: competences: компетенции Z9 нет ни в одном загруженном банке: \
             укажите БАНК:КОД компетенции загруженного банка (Z9)",
            "cat.csv:6: format: неизвестный формат: ожидается очно, дистанционно или \
             смешанно (заочно)",
            "cat.csv:6: municipality: муниципалитет с кодом m99 не найден: сначала \
             импортируйте муниципалитеты (для регионального мероприятия оставьте ячейку \
             пустой) (m99)",
            "cat.csv:6: url: ссылка должна начинаться с http:// или https:// (www.soiro.ru)",
            "cat.csv:7: starts_on: такой даты нет в календаре (2027-13-01)",
            "cat.csv:7: ends_on: такой даты нет в календаре (32.01.2027)",
            "cat.csv:7: capacity: ожидается целое неотрицательное число (-5)",
            "cat.csv:8: ends_on: дата окончания (01.03.2027) раньше даты начала (10.03.2027) \
             (01.03.2027)",
            "cat.csv:8: capacity: ожидается целое неотрицательное число (2,5)",
            "cat.csv:9: code: код повторяется: он уже встречался в строке 4 (pk-3)",
        ]
    );
}

#[test]
fn an_entry_may_not_end_before_it_starts() {
    let e = errors(
        "cat.csv",
        &csv(&["pk-7,Курс,ПК,36,K3,,,,,10.03.2027,01.03.2027,,"]),
        &[],
    );
    assert_eq!(
        e,
        [
            "cat.csv:2: ends_on: дата окончания (01.03.2027) раньше даты начала (10.03.2027) \
          (01.03.2027)"
        ]
    );
    // A one-day seminar is fine.
    ok(
        "cat.csv",
        &csv(&["sm-1,Семинар,семинар,4,K3,,,,,10.03.2027,10.03.2027,,"]),
        &[],
    );
    // Against the stored start when the file has no start column.
    let stored = [stored_entry()];
    let e = errors(
        "cat.csv",
        "code,title,kind,hours,competences,ends_on\n\
          pk-001,Курс,ПК,36,pedagogy-core:K2,31.01.2027\n"
            .as_bytes(),
        &stored,
    );
    assert_eq!(
        e,
        [
            "cat.csv:2: ends_on: дата окончания (31.01.2027) раньше даты начала (01.02.2027) \
          (31.01.2027)"
        ]
    );
}

#[test]
fn header_problems_are_row_one_errors() {
    let e = errors(
        "cat.csv",
        "code;title;kind;hours\npk-1;A;ПК;36\n".as_bytes(),
        &[],
    );
    assert_eq!(
        e,
        ["cat.csv:1: competences: нет обязательного столбца competences [компетенции]"]
    );
    let e = errors(
        "cat.csv",
        "code,title,kind,hours,competences,Часы\n".as_bytes(),
        &[],
    );
    assert_eq!(
        e,
        ["cat.csv:1: Часы: столбец hours [часы] встречается в заголовке дважды"]
    );
}

// ---- competences ---------------------------------------------------------------

#[test]
fn bare_codes_resolve_only_when_one_bank_defines_them() {
    let plan = ok(
        "cat.csv",
        &csv(&[
            // Defined only in pedagogy-core and only in management.
            "a,A,ПК,36,K3|M1,,,,,,,,",
            // Case and a Russian keyboard do not matter; the bank's spelling is kept.
            "b,B,ПК,36,к3|Math-Methods:к2,,,,,,,,",
        ]),
        &[],
    );
    assert_eq!(
        plan.changes[0].competences,
        [cref("pedagogy-core:K3"), cref("management:M1")]
    );
    assert_eq!(
        plan.changes[1].competences,
        [cref("pedagogy-core:K3"), cref("math-methods:K2")]
    );

    // K2 is in two banks: the message names them and asks for BANK:CODE.
    let e = errors("cat.csv", &csv(&["c,C,ПК,36,K2,,,,,,,,"]), &[]);
    assert_eq!(
        e,
        [
            "cat.csv:2: competences: компетенция K2 есть в нескольких банках \
          (pedagogy-core, math-methods): укажите БАНК:КОД, например pedagogy-core:K2 (K2)"
        ]
    );
    // With math-methods not loaded, K2 is pedagogy-core's.
    let two = [
        bank("pedagogy-core", &["K1", "K2", "K3"]),
        bank("management", &["M1"]),
    ];
    let p = plan_catalogue(
        "cat.csv",
        &csv(&["c,C,ПК,36,K2,,,,,,,,"]),
        &[],
        &two,
        &directory(),
    )
    .unwrap();
    assert_eq!(p.changes[0].competences, [cref("pedagogy-core:K2")]);
    // No bank loaded at all.
    let e = plan_catalogue(
        "cat.csv",
        &csv(&["c,C,ПК,36,pedagogy-core:K2,,,,,,,,"]),
        &[],
        &[],
        &directory(),
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "cat.csv:2: competences: банк pedagogy-core не загружен (не загружено ни одного \
         банка): загрузите его (marshrut bank load) или исправьте код банка (pedagogy-core:K2)"
    );
}

// ---- merging ---------------------------------------------------------------------

#[test]
fn re_importing_the_same_file_changes_nothing() {
    let bytes = csv(&[
        "pk-001,Формирующее оценивание,ПК,36,pedagogy-core:K2,ЦНППМ,смешанно,Математика,m02,\
         01.02.2027,20.02.2027,25,https://example.org/pk-001",
        "vb-001,Обратная связь,вебинар,2,pedagogy-core:K2,,дистанционно,,,,,,",
    ]);
    let mut stored = Vec::new();
    let first = ok("cat.csv", &bytes, &stored);
    assert_eq!((first.created, first.updated, first.unchanged), (2, 0, 0));
    apply(&mut stored, &first.changes);
    let again = ok("cat.csv", &bytes, &stored);
    assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 2));
    assert!(again.changes.is_empty());

    // A changed row is an update, listed alone.
    let changed = csv(&[
        "pk-001,Формирующее оценивание,ПК,72,pedagogy-core:K2,ЦНППМ,смешанно,Математика,m02,\
         01.02.2027,20.02.2027,25,https://example.org/pk-001",
        "vb-001,Обратная связь,вебинар,2,pedagogy-core:K2,,дистанционно,,,,,,",
    ]);
    let p = ok("cat.csv", &changed, &stored);
    assert_eq!((p.created, p.updated, p.unchanged), (0, 1, 1));
    assert_eq!(p.changes.len(), 1);
    assert_eq!(p.changes[0].hours, 72);
}

#[test]
fn an_absent_column_keeps_a_value_an_empty_cell_clears_it() {
    let mut inactive = stored_entry();
    inactive.active = false;
    let stored = [inactive];

    // Only the required columns: everything optional is kept, `active` too.
    let p = ok(
        "cat.csv",
        "code,title,kind,hours,competences\n\
          pk-001,Формирующее оценивание на уроке,ПК,36,pedagogy-core:K2|pedagogy-core:K3\n"
            .as_bytes(),
        &stored,
    );
    assert_eq!((p.created, p.updated, p.unchanged), (0, 1, 0));
    assert_eq!(
        p.changes[0],
        Entry {
            title: "Формирующее оценивание на уроке".into(),
            competences: vec![cref("pedagogy-core:K2"), cref("pedagogy-core:K3")],
            ..stored[0].clone()
        }
    );

    // Every optional column present and empty: each is cleared, the format
    // goes back to in person.
    let p = ok(
        "cat.csv",
        &csv(&["pk-001,Формирующее оценивание,ПК,36,pedagogy-core:K2,,,,,,,,"]),
        &stored,
    );
    assert_eq!(
        p.changes[0],
        Entry {
            code: code("pk-001"),
            title: "Формирующее оценивание".into(),
            kind: ActivityKind::Course,
            hours: 36,
            competences: vec![cref("pedagogy-core:K2")],
            provider: None,
            format: Format::InPerson,
            subjects: vec![],
            municipality: None,
            starts_on: None,
            ends_on: None,
            capacity: None,
            url: None,
            active: false,
        }
    );
}

#[test]
fn unknown_columns_and_short_courses_are_warnings() {
    let p = ok(
        "cat.csv",
        "code,title,kind,hours,competences,№ п/п\n\
         pk-1,Курс,ПК,8,K3,1\n\
         pp-1,Переподготовка,ПП,144,K3,2\n\
         sm-1,Семинар,семинар,2,K3,3\n"
            .as_bytes(),
        &[],
    );
    assert_eq!(p.created, 3);
    assert_eq!(
        p.warnings,
        [
            "cat.csv: столбец «№ п/п» не распознан и пропущен",
            "cat.csv:2: hours: 8 ч. — меньше 16 ч., наименьшего объёма курса повышения \
             квалификации (мероприятие pk-1)",
            "cat.csv:3: hours: 144 ч. — меньше 250 ч., наименьшего объёма программы \
             переподготовки (мероприятие pp-1)",
        ]
    );
    let empty = ok("cat.csv", format!("{HEADER}\n").as_bytes(), &[]);
    assert_eq!(empty.rows, 0);
    assert_eq!(empty.warnings, ["cat.csv: в файле нет строк с данными"]);
}

// ---- the generated catalogue -------------------------------------------------------

#[test]
fn the_generated_catalogue_plans_cleanly_against_the_shipped_banks() {
    let as_of = date(2026, 3, 15);
    let out = tempfile::tempdir().unwrap();
    let summary = gen_region::generate(&gen_region::Options {
        teachers: 2000,
        seed: 4,
        as_of,
        out: out.path().to_path_buf(),
        progress: false,
    })
    .unwrap();

    let file = out.path().join("municipalities.csv");
    let municipalities = plan(
        Kind::Municipalities,
        "municipalities.csv",
        &fs::read(&file).unwrap(),
        &Directory::default(),
    )
    .unwrap();
    let dir = Directory {
        municipalities: municipalities.changes.municipalities,
        ..Directory::default()
    };
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assessment-banks");
    let banks: Vec<Bank> = gen_region::CATALOGUE_COMPETENCES
        .iter()
        .map(|(id, _)| banks::load_file(shipped.join(format!("{id}.toml"))).unwrap())
        .collect();

    let bytes = fs::read(out.path().join(gen_region::CATALOGUE_FILE)).unwrap();
    let p = plan_catalogue("catalogue.csv", &bytes, &[], &banks, &dir)
        .unwrap_or_else(|e| panic!("catalogue:\n{e}"));
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    assert_eq!(p.rows, summary.catalogue);
    assert_eq!(p.created, summary.catalogue);
    assert!(summary.catalogue >= 200, "{}", summary.catalogue);

    // Every competence of every shipped bank has a course.
    for bank in &banks {
        for c in &bank.competences {
            let r = CompetenceRef::new(&bank.id, &c.code);
            assert!(
                p.changes
                    .iter()
                    .any(|e| e.kind == ActivityKind::Course && e.covers(&r)),
                "no course for {r}"
            );
        }
    }
    // Municipal entries name municipalities of the region.
    assert!(p.changes.iter().any(|e| e.municipality.is_some()));

    // Importing it again changes nothing.
    let again = plan_catalogue("catalogue.csv", &bytes, &p.changes, &banks, &dir).unwrap();
    assert_eq!(again.unchanged, summary.catalogue);
    assert!(again.changes.is_empty());
}
