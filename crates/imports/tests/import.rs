//! Files as regions make them, planned against a directory in memory.

use std::time::Instant;

use chrono::NaiveDate;
use domain::{
    Account, ClusterFlag, Login, Municipality, MunicipalityCode, Role, School, SchoolCode,
    TeacherAttrs,
};
use imports::{ImportPlan, Kind, plan};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use store::{Directory, DirectoryChanges};

// ---- helpers ---------------------------------------------------------------

fn login(s: &str) -> Login {
    Login::parse(s).unwrap()
}

fn mcode(s: &str) -> MunicipalityCode {
    MunicipalityCode::parse(s).unwrap()
}

fn scode(s: &str) -> SchoolCode {
    SchoolCode::parse(s).unwrap()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Upserts by key, as a store's `apply_directory` does.
fn apply(dir: &mut Directory, changes: &DirectoryChanges) {
    for m in &changes.municipalities {
        match dir.municipalities.iter_mut().find(|x| x.code == m.code) {
            Some(x) => *x = m.clone(),
            None => dir.municipalities.push(m.clone()),
        }
    }
    for s in &changes.schools {
        match dir.schools.iter_mut().find(|x| x.code == s.code) {
            Some(x) => *x = s.clone(),
            None => dir.schools.push(s.clone()),
        }
    }
    for a in &changes.accounts {
        match dir.accounts.iter_mut().find(|x| x.login == a.login) {
            Some(x) => *x = a.clone(),
            None => dir.accounts.push(a.clone()),
        }
    }
    for m in &changes.methodists {
        assert!(
            dir.accounts.iter().any(|a| a.login == m.login),
            "a methodist needs an account"
        );
        match dir.methodists.iter_mut().find(|x| x.login == m.login) {
            Some(x) => *x = m.clone(),
            None => dir.methodists.push(m.clone()),
        }
    }
}

fn school(code: &str, municipality: &str, name: &str) -> School {
    School {
        code: scode(code),
        municipality: mcode(municipality),
        name: name.into(),
        short_name: None,
        clusters: Default::default(),
        rural: false,
        critical_monitoring: false,
        mentor_school: false,
        mentor_capacity: None,
        active: true,
    }
}

fn account(l: &str, name: &str, roles: &[Role], school: Option<&str>) -> Account {
    Account {
        login: login(l),
        full_name: name.into(),
        roles: roles.iter().copied().collect(),
        school: school.map(scode),
        municipality: None,
        attrs: TeacherAttrs::default(),
        active: true,
    }
}

/// Two municipalities, two schools, one teacher.
fn base() -> Directory {
    Directory {
        municipalities: vec![
            Municipality {
                code: mcode("67001"),
                name: "г. Смоленск".into(),
            },
            Municipality {
                code: mcode("67002"),
                name: "Вяземский район".into(),
            },
        ],
        schools: vec![
            school("67001001", "67001", "МБОУ СШ № 1"),
            school("67002001", "67002", "МБОУ Вяземская СШ № 2"),
        ],
        accounts: vec![account(
            "petrova",
            "Петрова Мария Ивановна",
            &[Role::Teacher],
            Some("67001001"),
        )],
        methodists: vec![],
    }
}

fn ok(kind: Kind, file: &str, bytes: &[u8], dir: &Directory) -> ImportPlan {
    match plan(kind, file, bytes, dir) {
        Ok(p) => p,
        Err(e) => panic!("expected a plan, got errors:\n{e}"),
    }
}

fn errors(kind: Kind, file: &str, bytes: &[u8], dir: &Directory) -> Vec<String> {
    match plan(kind, file, bytes, dir) {
        Ok(p) => panic!("expected errors, got a plan: {p:?}"),
        Err(e) => e.0.iter().map(ToString::to_string).collect(),
    }
}

/// Applies the file, then checks that planning it again changes nothing.
fn apply_and_replan(kind: Kind, file: &str, bytes: &[u8], dir: &mut Directory) -> ImportPlan {
    let first = ok(kind, file, bytes, dir);
    apply(dir, &first.changes);
    let again = ok(kind, file, bytes, dir);
    assert_eq!(again.changes.municipalities, vec![]);
    assert_eq!(again.changes.schools, vec![]);
    assert_eq!(again.changes.accounts, vec![]);
    assert_eq!(again.changes.methodists, vec![]);
    assert!(again.created_accounts.is_empty());
    assert_eq!((again.created, again.updated), (0, 0));
    assert_eq!(
        again.unchanged,
        first.created + first.updated + first.unchanged
    );
    first
}

fn find<'a>(dir: &'a Directory, l: &str) -> &'a Account {
    dir.accounts.iter().find(|a| a.login.as_str() == l).unwrap()
}

// ---- reading ---------------------------------------------------------------

#[test]
fn an_excel_csv_in_windows_1251_loads() {
    let text = "Логин;ФИО;Роли;ОО;Предметы;Стаж;Дата приёма;Низкие_результаты_обучающихся\r\n\
                Ivanova.AA;Иванова Анна Андреевна;учитель;67001001;Математика|Физика;12,5;01.09.2015;да\r\n\
                ;;;;;;;\r\n\
                sidorov;Сидоров Пётр Ильич;Заместитель|педагог;67002001;История;3;2023-09-01;нет\r\n";
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1251.encode(text);
    assert!(!unmappable);
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "the fixture is not UTF-8"
    );
    let mut dir = base();
    let p = apply_and_replan(Kind::Staff, "Педагоги.csv", &bytes, &mut dir);
    assert_eq!((p.created, p.updated, p.unchanged), (2, 0, 0));
    assert_eq!(
        p.created_accounts,
        vec![login("ivanova.aa"), login("sidorov")]
    );
    assert!(p.changes.invitations.is_empty());
    assert_eq!(
        p.changes.audit_action,
        "import staff: файл Педагоги.csv, создано 2, изменено 0, без изменений 0"
    );
    let a = find(&dir, "ivanova.aa");
    assert_eq!(a.full_name, "Иванова Анна Андреевна");
    assert_eq!(a.roles, [Role::Teacher].into());
    assert_eq!(a.school, Some(scode("67001001")));
    assert_eq!(a.attrs.subjects, vec!["Математика", "Физика"]);
    assert_eq!(a.attrs.experience_years, Some(12.5));
    assert_eq!(a.attrs.hired_on, Some(date(2015, 9, 1)));
    assert!(a.attrs.students_low_results);
    assert!(a.active);
    let s = find(&dir, "sidorov");
    assert_eq!(s.roles, [Role::Teacher, Role::DeputyHead].into());
    assert_eq!(s.attrs.hired_on, Some(date(2023, 9, 1)));
}

#[test]
fn a_utf8_csv_with_bom_and_commas_loads() {
    let text = "\u{feff}code,municipality,name,Краткое наименование,clusters,rural,mentor_capacity,\"№ п/п\"\n\
                67001002,67001,\"МБОУ \"\"СШ № 2\"\", г. Смоленск\",СШ № 2,ШНОР|шфнсу,Yes,3,1\n\
                67002003,67002,МБОУ Новосельская ОШ,,,0,,2\n";
    let mut dir = base();
    let p = apply_and_replan(Kind::Schools, "schools.csv", text.as_bytes(), &mut dir);
    assert_eq!((p.created, p.updated, p.unchanged), (2, 0, 0));
    assert_eq!(
        p.warnings,
        vec!["schools.csv: столбец «№ п/п» не распознан и пропущен".to_string()]
    );
    let s = dir
        .schools
        .iter()
        .find(|s| s.code == scode("67001002"))
        .unwrap();
    assert_eq!(s.name, "МБОУ \"СШ № 2\", г. Смоленск");
    assert_eq!(s.short_name.as_deref(), Some("СШ № 2"));
    assert_eq!(
        s.clusters,
        [ClusterFlag::LowResults, ClusterFlag::AdverseConditions].into()
    );
    assert!(s.rural);
    assert_eq!(s.mentor_capacity, Some(3));
    assert!(
        s.active,
        "active is not in the file: a new school is active"
    );
    let s = dir
        .schools
        .iter()
        .find(|s| s.code == scode("67002003"))
        .unwrap();
    assert_eq!(s.short_name, None);
    assert!(s.clusters.is_empty() && !s.rural);
}

#[test]
fn an_xlsx_with_numeric_codes_and_a_date_cell_loads() {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let date_format = Format::new().set_num_format("dd.mm.yyyy");
    for (col, h) in ["login", "ФИО", "roles", "оо", "стаж", "hired_on", "active"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, col as u16, *h).unwrap();
    }
    sheet.write_string(1, 0, "kuznetsova").unwrap();
    sheet
        .write_string(1, 1, "Кузнецова Ольга Петровна")
        .unwrap();
    sheet.write_string(1, 2, "teacher").unwrap();
    sheet.write_number(1, 3, 67001001).unwrap();
    sheet.write_number(1, 4, 7).unwrap();
    let hired = ExcelDateTime::from_ymd(2018, 8, 30).unwrap();
    sheet
        .write_datetime_with_format(1, 5, &hired, &date_format)
        .unwrap();
    sheet.write_boolean(1, 6, true).unwrap();
    // Row 3 left empty; row 4 is another teacher, inactive.
    sheet.write_string(3, 0, "orlov").unwrap();
    sheet.write_string(3, 1, "Орлов Олег").unwrap();
    sheet.write_string(3, 2, "principal").unwrap();
    sheet.write_number(3, 3, 67002001.0).unwrap();
    sheet.write_number(3, 4, 20.5).unwrap();
    sheet.write_string(3, 5, "").unwrap();
    sheet.write_boolean(3, 6, false).unwrap();
    let bytes = book.save_to_buffer().unwrap();

    let mut dir = base();
    // Detected by content, whatever the name says.
    let p = apply_and_replan(Kind::Staff, "upload.bin", &bytes, &mut dir);
    assert_eq!(p.created, 2);
    let k = find(&dir, "kuznetsova");
    assert_eq!(k.school, Some(scode("67001001")));
    assert_eq!(k.attrs.experience_years, Some(7.0));
    assert_eq!(k.attrs.hired_on, Some(date(2018, 8, 30)));
    let o = find(&dir, "orlov");
    assert_eq!(o.school, Some(scode("67002001")));
    assert_eq!(o.attrs.experience_years, Some(20.5));
    assert!(!o.active);

    // Errors in an XLSX carry its row numbers.
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (col, h) in ["code", "name"].iter().enumerate() {
        sheet.write_string(0, col as u16, *h).unwrap();
    }
    sheet.write_number(1, 0, 67003).unwrap();
    sheet.write_string(1, 1, "Гагаринский район").unwrap();
    sheet.write_number(4, 0, 67004).unwrap();
    let bytes = book.save_to_buffer().unwrap();
    assert_eq!(
        errors(Kind::Municipalities, "m.xlsx", &bytes, &dir),
        vec!["m.xlsx:5: name: не заполнено обязательное поле name [наименование]"]
    );
}

#[test]
fn a_broken_file_is_reported_not_planned() {
    assert_eq!(
        errors(Kind::Schools, "s.csv", b"", &base()),
        vec!["s.csv: файл пуст: нет строки заголовков"]
    );
    let e = errors(Kind::Schools, "s.xlsx", b"PK\x03\x04garbage", &base());
    assert!(
        e[0].starts_with("s.xlsx: не удалось прочитать файл XLSX"),
        "{e:?}"
    );
}

// ---- headers ---------------------------------------------------------------

#[test]
fn header_problems_are_row_one_errors() {
    let e = errors(
        Kind::Staff,
        "staff.csv",
        "фио;роли;Роли\nИванов;teacher;teacher\n".as_bytes(),
        &base(),
    );
    assert_eq!(
        e,
        vec![
            "staff.csv:1: Роли: столбец roles [роли] встречается в заголовке дважды",
            "staff.csv:1: login: нет обязательного столбца login [логин]",
        ]
    );
    let e = errors(
        Kind::Municipalities,
        "m.csv",
        "name\nx\n".as_bytes(),
        &base(),
    );
    assert_eq!(
        e,
        vec!["m.csv:1: code: нет обязательного столбца code [код]"]
    );
}

// ---- values ----------------------------------------------------------------

#[test]
fn every_bad_cell_is_reported_with_file_row_column_and_value() {
    let text = "login;full_name;roles;school;experience_years;hired_on;active\n\
                ok1;Первый;teacher;67001001;1;01.09.2020;\n\
                bad login;Второй;teacher;67001001;-2;31.02.2020;может быть\n\
                ok3;;завуч;67001001;1,5;2020-09-01;да\n";
    let e = errors(Kind::Staff, "staff.csv", text.as_bytes(), &base());
    assert_eq!(
        e,
        vec![
            "staff.csv:3: login: Логин может содержать только буквы, цифры и символы . _ - @ (bad login)",
            "staff.csv:3: experience_years: число не может быть отрицательным (-2)",
            "staff.csv:3: hired_on: такой даты нет в календаре (31.02.2020)",
            "staff.csv:3: active: ожидается да или нет (true/false, yes/no, да/нет, 1/0) (может быть)",
            "staff.csv:4: full_name: не заполнено обязательное поле full_name [фио]",
            "staff.csv:4: roles: неизвестная роль; допустимы: teacher (педагог), deputy_head (заместитель), \
             principal (руководитель), municipal_coordinator (координатор), \
             cnppm_methodist (методист ЦНППМ), admin (администратор) (завуч)",
        ]
    );
    let err = plan(Kind::Staff, "staff.csv", text.as_bytes(), &base()).unwrap_err();
    let first = &err.0[0];
    assert_eq!(first.file, "staff.csv");
    assert_eq!(first.row, 3);
    assert_eq!(first.column, "login");
    assert_eq!(first.value.as_deref(), Some("bad login"));
    assert_eq!(err.to_string().lines().count(), 6);
}

#[test]
fn bad_school_values() {
    let text = "код;муниципалитет;наименование;кластеры;мест_наставничества;школа-наставник\n\
                s1;67001;Школа;ШНОР|ШНР;-1;да\n\
                s2;67001;Школа;;2,5;\n";
    assert_eq!(
        errors(Kind::Schools, "s.csv", text.as_bytes(), &base()),
        vec![
            "s.csv:2: кластеры: неизвестный кластер; допустимы: low_results (ШНОР), \
             risk_low_results (ШсРНР), adverse_conditions (ШФНСУ) (ШНР)",
            "s.csv:2: мест_наставничества: ожидается целое неотрицательное число (-1)",
            "s.csv:3: мест_наставничества: ожидается целое неотрицательное число (2,5)",
        ]
    );
}

// ---- merging ---------------------------------------------------------------

#[test]
fn an_absent_column_keeps_a_value_an_empty_cell_clears_it() {
    let mut dir = base();
    let full = "code;municipality;name;short_name;clusters;critical_monitoring;mentor_capacity\n\
                67001001;67001;МБОУ СШ № 1;СШ 1;ШсРНР;да;4\n";
    apply_and_replan(Kind::Schools, "full.csv", full.as_bytes(), &mut dir);

    // Without the optional columns: everything stays.
    let narrow = "code;municipality;name\n67001001;67001;МБОУ «СШ № 1»\n";
    let p = apply_and_replan(Kind::Schools, "narrow.csv", narrow.as_bytes(), &mut dir);
    assert_eq!((p.created, p.updated), (0, 1));
    let s = &dir.schools[0];
    assert_eq!(s.name, "МБОУ «СШ № 1»");
    assert_eq!(s.short_name.as_deref(), Some("СШ 1"));
    assert_eq!(s.clusters, [ClusterFlag::RiskLowResults].into());
    assert!(s.critical_monitoring);
    assert_eq!(s.mentor_capacity, Some(4));

    // With the columns but empty cells: optional values are cleared.
    let empty = "code;municipality;name;short_name;clusters;critical_monitoring;mentor_capacity\n\
                 67001001;67001;МБОУ «СШ № 1»;;;;\n";
    apply_and_replan(Kind::Schools, "empty.csv", empty.as_bytes(), &mut dir);
    let s = &dir.schools[0];
    assert_eq!(s.short_name, None);
    assert!(s.clusters.is_empty());
    assert!(!s.critical_monitoring);
    assert_eq!(s.mentor_capacity, None);
    // Rows missing from a file are kept.
    assert_eq!(dir.schools.len(), 2);

    // `active` set to false deactivates; empty means active.
    let off = "code;municipality;name;active\n67002001;67002;МБОУ Вяземская СШ № 2;нет\n";
    apply_and_replan(Kind::Schools, "off.csv", off.as_bytes(), &mut dir);
    assert!(!dir.schools[1].active);
    let on = "code;municipality;name;active\n67002001;67002;МБОУ Вяземская СШ № 2;\n";
    apply_and_replan(Kind::Schools, "on.csv", on.as_bytes(), &mut dir);
    assert!(dir.schools[1].active);
}

#[test]
fn staff_columns_absent_or_empty() {
    let mut dir = base();
    let full = "login;full_name;roles;school;subjects;position;experience_years;hired_on\n\
                PETROVA;Петрова Мария Ивановна;teacher;67001001;Химия;учитель химии;10;01.09.2014\n";
    let p = apply_and_replan(Kind::Staff, "a.csv", full.as_bytes(), &mut dir);
    assert_eq!(
        (p.created, p.updated),
        (0, 1),
        "login matched case-insensitively"
    );
    let narrow = "login;full_name;roles\npetrova;Петрова Мария Ивановна;teacher\n";
    let p = ok(Kind::Staff, "b.csv", narrow.as_bytes(), &dir);
    assert_eq!((p.updated, p.unchanged), (0, 1));
    let cleared = "login;full_name;roles;subjects;position;experience_years;hired_on\n\
                   petrova;Петрова Мария Ивановна;;;;;\n";
    apply_and_replan(Kind::Staff, "c.csv", cleared.as_bytes(), &mut dir);
    let a = find(&dir, "petrova");
    assert_eq!(
        a.roles,
        [Role::Teacher].into(),
        "an empty roles cell keeps the roles"
    );
    assert_eq!(a.school, Some(scode("67001001")));
    assert!(a.attrs.subjects.is_empty());
    assert_eq!(a.attrs.position, None);
    assert_eq!(a.attrs.experience_years, None);
    assert_eq!(a.attrs.hired_on, None);
}

#[test]
fn a_key_repeated_in_one_file_is_an_error_on_the_later_row() {
    let text = "login;full_name;roles;school\n\
                a1;А;teacher;67001001\n\
                b2;Б;teacher;67001001\n\
                A1;А;teacher;67001001\n";
    assert_eq!(
        errors(Kind::Staff, "staff.csv", text.as_bytes(), &base()),
        vec!["staff.csv:4: login: логин повторяется: он уже встречался в строке 2 (A1)"]
    );
    let text = "code;name\n1;А\n1;Б\n";
    assert_eq!(
        errors(Kind::Municipalities, "m.csv", text.as_bytes(), &base()),
        vec!["m.csv:3: code: код повторяется: он уже встречался в строке 2 (1)"]
    );
}

#[test]
fn references_must_resolve_in_the_store() {
    let text = "code;municipality;name\ns9;67099;Школа\n";
    assert_eq!(
        errors(Kind::Schools, "s.csv", text.as_bytes(), &base()),
        vec![
            "s.csv:2: municipality: муниципалитет с кодом 67099 не найден: \
             сначала импортируйте муниципалитеты (67099)"
        ]
    );
    let text = "login;full_name;roles;school;municipality\n\
                t1;Т;teacher;99;\n\
                c1;К;координатор;;67099\n";
    assert_eq!(
        errors(Kind::Staff, "staff.csv", text.as_bytes(), &base()),
        vec![
            "staff.csv:2: school: ОО с кодом 99 не найдена: сначала импортируйте школы (99)",
            "staff.csv:3: municipality: муниципалитет с кодом 67099 не найден: \
             сначала импортируйте муниципалитеты (67099)",
        ]
    );
}

#[test]
fn roles_need_their_place_of_work() {
    let text = "login;full_name;roles;school;municipality\n\
                t1;Т;teacher;;\n\
                c1;К;municipal_coordinator;;\n\
                c2;К;municipal_coordinator;;67001\n\
                n1;Н;;;\n";
    assert_eq!(
        errors(Kind::Staff, "staff.csv", text.as_bytes(), &base()),
        vec![
            "staff.csv:2: school: для ролей педагога, заместителя и руководителя нужно указать ОО",
            "staff.csv:3: municipality: для муниципального координатора нужно указать муниципалитет",
            "staff.csv:5: roles: для новой учётной записи нужно указать хотя бы одну роль",
        ]
    );
    // Without a school column the stored school counts.
    let text = "login;full_name;roles\npetrova;Петрова Мария Ивановна;teacher|principal\n";
    let p = ok(Kind::Staff, "staff.csv", text.as_bytes(), &base());
    assert_eq!(
        p.changes.accounts[0].roles,
        [Role::Teacher, Role::Principal].into()
    );
    assert_eq!(p.changes.accounts[0].school, Some(scode("67001001")));
}

#[test]
fn the_mentor_role_belongs_to_the_methodists_import() {
    let text = "login;full_name;roles;school\nx1;Х;teacher|наставник;67001001\n";
    assert_eq!(
        errors(Kind::Staff, "staff.csv", text.as_bytes(), &base()),
        vec!["staff.csv:2: roles: роль mentor назначается только импортом методистов (наставник)"]
    );

    let mut dir = base();
    let methodists = "логин;фио;предметы;муниципалитет;макс_подопечных;дистанционно\n\
                      petrova;Петрова Мария Ивановна;Химия|Биология;67001;5;да\n";
    let p = apply_and_replan(Kind::Methodists, "m.csv", methodists.as_bytes(), &mut dir);
    assert_eq!((p.created, p.updated, p.unchanged), (1, 0, 0));
    assert!(
        p.created_accounts.is_empty(),
        "petrova already had an account"
    );
    assert_eq!(
        find(&dir, "petrova").roles,
        [Role::Teacher, Role::Mentor].into()
    );

    // A staff import keeps the mentor role it cannot assign.
    let staff = "login;full_name;roles;school\npetrova;Петрова Мария Ивановна;teacher|deputy_head;67001001\n";
    apply_and_replan(Kind::Staff, "staff.csv", staff.as_bytes(), &mut dir);
    assert_eq!(
        find(&dir, "petrova").roles,
        [Role::Teacher, Role::DeputyHead, Role::Mentor].into()
    );
}

#[test]
fn methodists_create_accounts_they_lack() {
    let mut dir = base();
    let text = "login,full_name,subjects,capacity,remote\n\
                Volkova,Волкова Елена Сергеевна,Русский язык,3,\n";
    let p = apply_and_replan(Kind::Methodists, "m.csv", text.as_bytes(), &mut dir);
    assert_eq!(p.created_accounts, vec![login("volkova")]);
    assert_eq!(p.changes.accounts.len(), 1);
    let a = find(&dir, "volkova");
    assert_eq!(a.full_name, "Волкова Елена Сергеевна");
    assert_eq!(a.roles, [Role::Mentor].into());
    assert_eq!(a.school, None);
    assert!(a.active && a.check_placement().is_ok());
    let m = &dir.methodists[0];
    assert_eq!(m.subjects, vec!["Русский язык"]);
    assert_eq!(
        (m.capacity, m.remote, m.municipality.clone()),
        (3, false, None)
    );

    // A later file with a changed capacity updates the record only.
    let text =
        "login,full_name,subjects,capacity\nvolkova,Волкова Елена Сергеевна,Русский язык,4\n";
    let p = apply_and_replan(Kind::Methodists, "m2.csv", text.as_bytes(), &mut dir);
    assert_eq!((p.created, p.updated), (0, 1));
    assert!(p.changes.accounts.is_empty() && p.created_accounts.is_empty());
    assert_eq!(dir.methodists[0].capacity, 4);

    let bad = "login;full_name;subjects;capacity;municipality\n\
               w1;В;;-3;67099\n";
    assert_eq!(
        errors(Kind::Methodists, "m.csv", bad.as_bytes(), &base()),
        vec![
            "m.csv:2: subjects: не заполнено обязательное поле subjects [предметы]",
            "m.csv:2: municipality: муниципалитет с кодом 67099 не найден: \
             сначала импортируйте муниципалитеты (67099)",
            "m.csv:2: capacity: ожидается целое неотрицательное число (-3)",
        ]
    );
}

#[test]
fn municipalities_round_trip() {
    let mut dir = Directory::default();
    let text = "Код;Наименование\n67001;г. Смоленск\n67002;Вяземский район\n";
    let p = apply_and_replan(Kind::Municipalities, "m.csv", text.as_bytes(), &mut dir);
    assert_eq!(p.created, 2);
    let text = "Код;Наименование\n67002;Вяземский муниципальный округ\n";
    let p = apply_and_replan(Kind::Municipalities, "m.csv", text.as_bytes(), &mut dir);
    assert_eq!(p.updated, 1);
    assert_eq!(dir.municipalities.len(), 2);
    assert_eq!(dir.municipalities[1].name, "Вяземский муниципальный округ");
}

#[test]
fn kinds_parse_by_english_name() {
    for k in Kind::ALL {
        assert_eq!(Kind::parse(k.as_str()), Some(k));
    }
    assert_eq!(Kind::parse(" Staff "), Some(Kind::Staff));
    assert_eq!(Kind::parse("catalogue"), None);
}

#[test]
fn a_hundred_and_fifty_thousand_staff_rows_plan_quickly() {
    let mut dir = base();
    let mut text =
        String::from("login;full_name;roles;school;subjects;experience_years;hired_on\n");
    for i in 0..150_000 {
        let school = if i % 2 == 0 { "67001001" } else { "67002001" };
        text.push_str(&format!(
            "user{i};Педагог Номер {i};teacher;{school};Математика|Физика;{};01.09.2010\n",
            i % 40
        ));
    }
    // Half of them already stored, so both paths are exercised.
    for i in (0..150_000).step_by(2) {
        dir.accounts.push(account(
            &format!("user{i}"),
            "Старое имя",
            &[Role::Teacher],
            Some("67001001"),
        ));
    }
    let started = Instant::now();
    let p = ok(Kind::Staff, "big.csv", text.as_bytes(), &dir);
    let took = started.elapsed();
    assert_eq!((p.created, p.updated), (75_000, 75_000));
    assert_eq!(p.created_accounts.len(), 75_000);
    // Generous for an unoptimised debug build on a slow machine.
    assert!(took.as_secs() < 30, "took {took:?}");
    eprintln!("150000 staff rows planned in {took:?}");
}
