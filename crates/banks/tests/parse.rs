//! Bank files: a correct bank with every kind, and one malformed bank per
//! validation rule of `spec/assessment-bank.md`, each asserting `file:line`.
//!
//! In the malformed banks the line an error must point at carries `# ERR`.

use banks::{BankError, parse};
use domain::bank::{Decimal, ItemKind, OverallRule, Rational, Review};

const ALL_KINDS: &str = include_str!("fixtures/all-kinds.toml");

#[test]
fn a_correct_bank_with_every_kind_parses() {
    let bank = parse("all-kinds.toml", ALL_KINDS).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(bank.id, "test-all");
    assert_eq!(bank.version, "2026.1");
    assert_eq!(
        bank.audience.as_deref(),
        Some("Учителя общеобразовательных организаций")
    );
    assert_eq!(bank.subjects, ["Математика", "Информатика"]);
    assert_eq!(bank.time_limit_minutes, 45);
    assert_eq!(bank.review, Review::AfterClose);
    assert_eq!(bank.overall, OverallRule::Total);
    assert_eq!(bank.thresholds.critical_below, Rational::integer(40));
    assert_eq!(bank.competence_code("K2"), "test-all:K2");

    let codes: Vec<&str> = bank.competences.iter().map(|c| c.code.as_str()).collect();
    assert_eq!(codes, ["K1", "K2", "K3"]);
    let k1 = &bank.competences[0];
    assert_eq!(k1.standard_ref.as_deref(), Some("ПС «Педагог», A/01.6"));
    assert_eq!(k1.thresholds, bank.thresholds);
    // Overrides apply key by key.
    let k2 = &bank.competences[1].thresholds;
    assert_eq!(k2.critical_below, Rational::integer(50));
    assert_eq!(k2.high_below, Rational::integer(60));
    let k3 = &bank.competences[2].thresholds;
    assert_eq!(k3.critical_below, Rational::integer(40));
    assert_eq!(k3.reduced_below, Rational::integer(90));

    let kinds: Vec<&str> = bank.items.iter().map(|i| i.kind.name()).collect();
    assert_eq!(
        kinds,
        [
            "single", "multiple", "matching", "ordering", "single", "numeric", "text", "numeric"
        ]
    );
    let item = |id: &str| bank.item(id).unwrap();
    assert_eq!(item("K1-single").points, Rational::ONE);
    assert!(item("K1-single").explanation.is_some());
    assert!(
        matches!(item("K1-single").kind, ItemKind::Single { answer: 2, ref options } if options.len() == 4)
    );
    assert!(
        matches!(&item("K1-multiple").kind, ItemKind::Multiple { answer, .. } if answer == &[0, 2, 4])
    );
    assert!(matches!(
        &item("K1-matching").kind,
        ItemKind::Matching { left, right, answer } if left.len() == 3 && right.len() == 4 && answer == &[(0, 1), (1, 0), (2, 3)]
    ));
    assert!(
        matches!(&item("K2-ordering").kind, ItemKind::Ordering { answer, .. } if answer == &[1, 0, 4, 2, 3])
    );
    assert!(
        item("K2-ordering")
            .context
            .as_deref()
            .unwrap()
            .contains("7 классе")
    );
    assert_eq!(
        item("K3-numeric").kind,
        ItemKind::Numeric {
            value: Decimal::parse("12.5").unwrap(),
            tolerance: Decimal::parse("0.1").unwrap()
        }
    );
    assert_eq!(
        item("K3-numeric-int").kind,
        ItemKind::Numeric {
            value: Decimal::from_integer(3),
            tolerance: Decimal::zero()
        }
    );
    assert_eq!(item("K3-numeric-int").points, Rational::new(1, 2).unwrap());
    assert!(matches!(&item("K3-text").kind, ItemKind::Text { accepted } if accepted.len() == 2));

    // SHA-256 of the file's bytes.
    assert_eq!(bank.content_hash.len(), 64);
    let again = parse("other-name.toml", ALL_KINDS).unwrap();
    assert_eq!(again.content_hash, bank.content_hash);
    let changed = parse("all-kinds.toml", &ALL_KINDS.replace("45", "46")).unwrap();
    assert_ne!(changed.content_hash, bank.content_hash);
}

#[test]
fn the_content_hash_is_sha256_of_the_bytes() {
    // `sha256sum tests/fixtures/all-kinds.toml`
    let bank = parse("all-kinds.toml", ALL_KINDS).unwrap();
    assert_eq!(
        bank.content_hash,
        "8d88db4f71a684f717682488353e4a27b3e8e06fadc6d7bd6ec61762f28be47e"
    );
}

/// The smallest valid bank; malformed ones below are edits of it.
const MINI: &str = r#"[bank]
id = "mini"
version = "1"
title = "Мини"
time_limit_minutes = 30

[levels]
critical_below = 40
high_below = 60
reduced_below = 80

[[competence]]
code = "K1"
title = "Компетенция"
items_per_attempt = 1

[[item]]
id = "A"
competence = "K1"
kind = "single"
stem = "Вопрос?"
options = ["да", "нет"]
answer = 0
"#;

/// A bank: `MINI` with extra items appended.
fn mini_with(extra: &str) -> String {
    format!("{MINI}\n{extra}")
}

fn marked_lines(text: &str) -> Vec<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.contains("# ERR"))
        .map(|(i, _)| i + 1)
        .collect()
}

/// Parses a malformed bank and asserts one error per `# ERR` line, in order,
/// each containing the fragment given for it.
#[track_caller]
fn assert_errors(text: &str, fragments: &[&str]) {
    let errors: Vec<BankError> = match parse("bad.toml", text) {
        Ok(_) => panic!("the bank should not parse:\n{text}"),
        Err(e) => e.0,
    };
    let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
    let lines: Vec<usize> = errors.iter().map(|e| e.line.unwrap()).collect();
    assert_eq!(lines, marked_lines(text), "errors:\n{}", shown.join("\n"));
    assert_eq!(
        errors.len(),
        fragments.len(),
        "errors:\n{}",
        shown.join("\n")
    );
    for (e, f) in shown.iter().zip(fragments) {
        assert!(e.contains(f), "«{e}» should contain «{f}»");
        assert!(e.starts_with(&format!("bad.toml:{}: ", e.split(':').nth(1).unwrap())));
    }
}

#[test]
fn the_minimal_bank_is_valid() {
    parse("mini.toml", MINI).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn unknown_keys_at_every_level() {
    let text = MINI
        .replace("[bank]\n", "colour = \"red\" # ERR\n[bank]\n")
        .replace(
            "title = \"Мини\"\n",
            "title = \"Мини\"\ntitel = \"Мини\" # ERR\n",
        )
        .replace(
            "high_below = 60\n",
            "high_below = 60\nmedium_below = 70 # ERR\n",
        )
        .replace(
            "items_per_attempt = 1\n",
            "items_per_attempt = 1\nitems = 3 # ERR\n",
        )
        .replace("answer = 0\n", "answer = 0\nhint.text = \"…\" # ERR\n");
    assert_errors(
        &text,
        &[
            "неизвестный ключ «colour»",
            "[bank]: неизвестный ключ «titel»",
            "[levels]: неизвестный ключ «medium_below»",
            "компетенция «K1»: неизвестный ключ «items»",
            "задание «A»: неизвестный ключ «hint»",
        ],
    );
    // Inside an inline table, and a key of another kind.
    let text = mini_with(
        r#"[[item]]
id = "N"
competence = "K1"
kind = "numeric"
stem = "?"
options = ["1", "2"] # ERR
answer = { value = 1, tolerence = 0.1 } # ERR
"#,
    );
    assert_errors(
        &text,
        &[
            "ключ «options» не используется в заданиях вида numeric",
            "answer: неизвестный ключ «tolerence»",
        ],
    );
}

#[test]
fn missing_required_keys_point_at_their_table() {
    let text = MINI
        .replace("[bank]\n", "[bank] # ERR\n")
        .replace("version = \"1\"\n", "")
        .replace("[levels]\n", "[levels] # ERR\n")
        .replace("reduced_below = 80\n", "")
        .replace("[[competence]]\n", "[[competence]] # ERR\n")
        .replace("title = \"Компетенция\"\n", "")
        .replace("[[item]]\n", "[[item]] # ERR\n")
        .replace("answer = 0\n", "");
    assert_errors(
        &text,
        &[
            "[bank]: нет обязательного ключа «version»",
            "[levels]: нет обязательного ключа «reduced_below»",
            "компетенция «K1»: нет обязательного ключа «title»",
            "задание «A»: нет обязательного ключа «answer»",
        ],
    );
    // A whole table missing: the file's first line.
    let text = format!(
        "# ERR\n{}",
        MINI.replace(
            "[levels]\ncritical_below = 40\nhigh_below = 60\nreduced_below = 80\n",
            ""
        )
    );
    assert_errors(&text, &["нет обязательной таблицы [levels]"]);
}

#[test]
fn duplicate_ids_and_codes() {
    let text = mini_with(
        r#"[[competence]]
code = "K1" # ERR
title = "Ещё одна"
items_per_attempt = 1

[[item]]
id = "A" # ERR
competence = "K1"
kind = "single"
stem = "?"
options = ["a", "b"]
answer = 1
"#,
    );
    assert_errors(
        &text,
        &[
            "код компетенции «K1» повторяется (уже в строке 13)",
            "id задания «A» повторяется (уже в строке 18)",
        ],
    );
}

#[test]
fn item_of_an_unknown_competence() {
    let text = mini_with(
        r#"[[item]]
id = "B"
competence = "K9" # ERR
kind = "text"
stem = "?"
answer = ["да"]
"#,
    );
    assert_errors(&text, &["компетенции «K9» нет в банке"]);
}

#[test]
fn answers_out_of_range() {
    let text = mini_with(
        r#"[[item]]
id = "S"
competence = "K1"
kind = "single"
stem = "?"
options = ["a", "b"]
answer = 2 # ERR

[[item]]
id = "M"
competence = "K1"
kind = "multiple"
stem = "?"
options = ["a", "b", "c"]
answer = [
  0,
  3, # ERR
]

[[item]]
id = "P"
competence = "K1"
kind = "matching"
stem = "?"
left = ["a", "b"]
right = ["x", "y"]
answer = [[0, 1], [1, 2]] # ERR

[[item]]
id = "O"
competence = "K1"
kind = "ordering"
stem = "?"
options = ["a", "b", "c"]
answer = [0, 1, -1] # ERR
"#,
    );
    assert_errors(
        &text,
        &[
            "задание «S»: номер варианта 2 вне диапазона (допустимо от 0 до 1)",
            "задание «M»: номер варианта 3 вне диапазона (допустимо от 0 до 2)",
            "задание «P»: правый номер 2 вне диапазона",
            "задание «O»: номер варианта -1 вне диапазона",
        ],
    );
}

#[test]
fn answers_of_the_wrong_shape() {
    let item = |id: &str, kind: &str, body: &str| {
        format!(
            "[[item]]\nid = \"{id}\"\ncompetence = \"K1\"\nkind = \"{kind}\"\nstem = \"?\"\n{body}\n"
        )
    };
    let text = mini_with(
        &[
            item(
                "S",
                "single",
                "options = [\"a\", \"b\"]\nanswer = [0] # ERR",
            ),
            item(
                "M",
                "multiple",
                "options = [\"a\", \"b\"]\nanswer = [] # ERR",
            ),
            item(
                "M2",
                "multiple",
                "options = [\"a\", \"b\"]\nanswer = [1, 1] # ERR",
            ),
            item(
                "P",
                "matching",
                "left = [\"a\", \"b\"]\nright = [\"x\", \"y\"]\nanswer = [[0, 1], [1, 1]] # ERR",
            ),
            item(
                "P2",
                "matching",
                "left = [\"a\", \"b\"]\nright = [\"x\", \"y\"]\nanswer = [[0, 1]] # ERR",
            ),
            item(
                "P3",
                "matching",
                "left = [\"a\"]\nright = [\"x\"]\nanswer = [0, 0] # ERR",
            ),
            item(
                "O",
                "ordering",
                "options = [\"a\", \"b\", \"c\"]\nanswer = [0, 1] # ERR",
            ),
            item("N", "numeric", "answer = 12.5 # ERR"),
            item("N2", "numeric", "answer = { value = \"12,5\" } # ERR"),
            item(
                "N3",
                "numeric",
                "answer = { value = 1, tolerance = -0.1 } # ERR",
            ),
            item("T", "text", "answer = \"да\" # ERR"),
        ]
        .join("\n"),
    );
    assert_errors(
        &text,
        &[
            "задание «S»: answer задания вида single — номер правильного варианта",
            "задание «M»: answer — нужен хотя бы один правильный вариант",
            "задание «M2»: номер 1 в answer повторяется",
            "задание «P»: правый элемент 1 в answer использован дважды",
            "задание «P2»: в answer нет пары для левых элементов 1",
            "задание «P3»: answer задания вида matching — список пар",
            "задание «O»: answer должен перечислять все 3 вариантов",
            "задание «N»: answer задания вида numeric — таблица",
            "задание «N2», answer: «value» должно быть числом, а не строка",
            "задание «N3», answer: tolerance не может быть отрицательным",
            "задание «T»: «answer» должно быть списком строк",
        ],
    );
}

#[test]
fn duplicate_options() {
    let text = mini_with(
        r#"[[item]]
id = "S"
competence = "K1"
kind = "single"
stem = "?"
options = [
  "ФГОС",
  "Устав",
  "ФГОС", # ERR
]
answer = 3 # ERR

[[item]]
id = "P"
competence = "K1"
kind = "matching"
stem = "?"
left = ["a", "b"]
right = ["x", "x", "y"] # ERR
answer = [[0, 0], [1, 2]]

[[item]]
id = "O"
competence = "K1"
kind = "ordering"
stem = "?"
options = ["один"] # ERR
answer = [0]
"#,
    );
    assert_errors(
        &text,
        &[
            "задание «S»: вариант «ФГОС» в «options» повторяется (номера 0 и 2)",
            "задание «S»: номер варианта 3 вне диапазона (допустимо от 0 до 2)",
            "задание «P»: вариант «x» в «right» повторяется",
            "задание «O»: в «options» нужно не меньше 2 вариантов, а их 1",
        ],
    );
}

#[test]
fn competence_with_fewer_items_than_drawn() {
    let text = MINI.replace("items_per_attempt = 1\n", "items_per_attempt = 3 # ERR\n");
    assert_errors(
        &text,
        &["у компетенции «K1» 1 задание в банке, а items_per_attempt = 3"],
    );
}

#[test]
fn thresholds_must_increase_within_0_100() {
    let text = MINI
        .replace("critical_below = 40\n", "critical_below = 0 # ERR\n")
        .replace("reduced_below = 80\n", "reduced_below = 120 # ERR\n");
    assert_errors(
        &text,
        &[
            "[levels]: critical_below = 0 — порог должен быть больше 0",
            "[levels]: reduced_below = 120 — порог не может быть больше 100",
        ],
    );
    let text = MINI.replace("high_below = 60\n", "high_below = 40.0 # ERR\n");
    assert_errors(
        &text,
        &[
            "[levels]: пороги должны строго возрастать: high_below = 40 не больше critical_below = 40",
        ],
    );
    // After a competence's override: reported at the override, once.
    let text = MINI.replace(
        "items_per_attempt = 1\n",
        "items_per_attempt = 1\ncritical_below = 65 # ERR\n",
    );
    assert_errors(
        &text,
        &[
            "компетенция «K1»: пороги должны строго возрастать: high_below = 60 не больше critical_below = 65",
        ],
    );
    // An override may also repair nothing it did not touch: a valid override
    // of a valid bank is fine.
    let ok = MINI.replace(
        "items_per_attempt = 1\n",
        "items_per_attempt = 1\nreduced_below = 100\n",
    );
    parse("ok.toml", &ok).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn points_must_be_positive() {
    let text = mini_with(
        r#"[[item]]
id = "Z"
competence = "K1"
kind = "text"
stem = "?"
answer = ["да"]
points = 0 # ERR

[[item]]
id = "N"
competence = "K1"
kind = "text"
stem = "?"
answer = ["да"]
points = -1.5 # ERR

[[item]]
id = "S"
competence = "K1"
kind = "text"
stem = "?"
answer = ["да"]
points = "2" # ERR
"#,
    );
    assert_errors(
        &text,
        &[
            "задание «Z»: points = 0 — баллы должны быть больше 0",
            "задание «N»: points = -1.5 — баллы должны быть больше 0",
            "задание «S»: «points» должно быть числом, а не строка",
        ],
    );
}

#[test]
fn bank_id_review_and_overall_values() {
    let text = MINI
        .replace("id = \"mini\"\n", "id = \"Pedagogy Core\" # ERR\n")
        .replace(
            "time_limit_minutes = 30\n",
            "time_limit_minutes = 30\nreview = \"later\" # ERR\n",
        )
        .replace(
            "reduced_below = 80\n",
            "reduced_below = 80\noverall = \"average\" # ERR\n",
        );
    assert_errors(
        &text,
        &[
            "[bank]: id «Pedagogy Core» может состоять только из строчных латинских букв, цифр и дефиса",
            "[bank]: review = «later» — допустимые значения: after_submit, after_close, none",
            "[levels]: overall = «average» — допустимые значения: total, worst",
        ],
    );
}

#[test]
fn wrong_value_types() {
    let text = MINI
        .replace("version = \"1\"\n", "version = 2026.1 # ERR\n")
        .replace(
            "time_limit_minutes = 30\n",
            "time_limit_minutes = \"60\" # ERR\n",
        )
        .replace("kind = \"single\"\n", "kind = \"choice\" # ERR\n");
    assert_errors(
        &text,
        &[
            "[bank]: «version» должно быть строкой в кавычках, а не дробное число",
            "[bank]: «time_limit_minutes» должно быть целым числом, а не строка",
            "задание «A»: kind = «choice» — допустимые виды: single, multiple, matching, ordering, numeric, text",
        ],
    );
}

#[test]
fn toml_syntax_errors_have_lines_too() {
    let text = MINI.replace(
        "title = \"Мини\"\n",
        "title = \"Мини\"\ntitle = \"Ещё\" # ERR\n",
    );
    assert_errors(&text, &["ошибка синтаксиса TOML: ключ повторяется"]);
    let text = MINI.replace("answer = 0\n", "answer = да # ERR\n");
    assert_errors(&text, &["ошибка синтаксиса TOML"]);
}

#[test]
fn every_problem_is_collected_in_line_order() {
    let text = MINI
        .replace("id = \"mini\"\n", "id = \"Mini\" # ERR\n")
        .replace("high_below = 60\n", "high_below = 90\n")
        .replace("reduced_below = 80\n", "reduced_below = 80 # ERR\n")
        .replace("items_per_attempt = 1\n", "items_per_attempt = 1 # ERR\n")
        .replace("competence = \"K1\"\n", "competence = \"K2\" # ERR\n")
        .replace("answer = 0\n", "answer = 5 # ERR\npoints = 0 # ERR\n");
    let errors = parse("bad.toml", &text).unwrap_err();
    assert_eq!(errors.len(), 6, "{errors}");
    let shown = errors.to_string();
    assert_eq!(shown.lines().count(), 6);
    assert!(shown.lines().all(|l| l.starts_with("bad.toml:")), "{shown}");
    assert_errors(
        &text,
        &[
            "id «Mini»",
            "reduced_below = 80 не больше high_below = 90",
            "у компетенции «K1» 0 заданий в банке",
            "компетенции «K2» нет в банке",
            "номер варианта 5 вне диапазона",
            "баллы должны быть больше 0",
        ],
    );
}
