//! A directory of banks: every `*.toml` file, every problem of every file,
//! bank ids unique among the files.

use std::fs;

use banks::{load_dir, load_file};

const ALL_KINDS: &str = include_str!("fixtures/all-kinds.toml");

#[test]
fn loads_every_toml_file_in_name_order() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("b.toml"), ALL_KINDS).unwrap();
    fs::write(
        dir.path().join("a.toml"),
        ALL_KINDS.replace("id = \"test-all\"", "id = \"other\""),
    )
    .unwrap();
    fs::write(dir.path().join("README.md"), "not a bank").unwrap();
    let banks = load_dir(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    let ids: Vec<&str> = banks.iter().map(|b| b.id.as_str()).collect();
    assert_eq!(ids, ["other", "test-all"]);
    assert_ne!(banks[0].content_hash, banks[1].content_hash);
}

#[test]
fn an_empty_directory_has_no_banks() {
    let dir = tempfile::tempdir().unwrap();
    assert!(load_dir(dir.path()).unwrap().is_empty());
}

#[test]
fn problems_of_all_files_are_collected() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a.toml"), ALL_KINDS).unwrap();
    // Same id as a.toml, on line 3.
    fs::write(
        dir.path().join("b.toml"),
        ALL_KINDS.replace("version = \"2026.1\"", "version = \"2026.2\""),
    )
    .unwrap();
    fs::write(
        dir.path().join("c.toml"),
        ALL_KINDS.replace("time_limit_minutes = 45", "time_limit_minutes = 0"),
    )
    .unwrap();
    let mut bytes = b"[bank]\nid = \"x\"\ntitle = \"".to_vec();
    bytes.extend([0xff, 0xfe]);
    bytes.extend(b"\"\n");
    fs::write(dir.path().join("d.toml"), bytes).unwrap();

    let errors = load_dir(dir.path()).unwrap_err();
    let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(shown.len(), 3, "{errors}");
    let b = dir.path().join("b.toml").display().to_string();
    let a = dir.path().join("a.toml").display().to_string();
    assert_eq!(
        shown[0],
        format!(
            "{b}:3: банк с id «test-all» уже есть в файле {a}; id банков должны быть уникальны"
        )
    );
    let c = dir.path().join("c.toml").display().to_string();
    assert!(
        shown[1].starts_with(&format!("{c}:8: [bank]: time_limit_minutes")),
        "{}",
        shown[1]
    );
    let d = dir.path().join("d.toml").display().to_string();
    assert_eq!(shown[2], format!("{d}:3: файл не в кодировке UTF-8"));
}

#[test]
fn an_unreadable_file_has_no_line() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.toml");
    let e = load_file(&missing).unwrap_err();
    assert_eq!(e.len(), 1);
    assert!(e.0[0].line.is_none());
    assert!(
        e.to_string()
            .starts_with(&format!("{}: не удалось прочитать файл", missing.display()))
    );
}
