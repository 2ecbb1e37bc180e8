//! `marshrut bank score FILE ANSWERS.json` scenarios on the all-kinds
//! fixture: every kind, partial credit, missing and null responses,
//! per-competence overrides, exact boundaries, `overall = "worst"`, errors,
//! and an independent re-computation of a mixed response set.

use banks::{AnswersError, parse, parse_answers, score_file};
use domain::bank::Bank;
use domain::scoring::{Profile, Response, ScoreError};
use domain::{Decimal, Level};
use serde_json::{Value, json};

const ALL_KINDS: &str = include_str!("fixtures/all-kinds.toml");

fn bank() -> Bank {
    parse("all-kinds.toml", ALL_KINDS).unwrap()
}

fn score(bank: &Bank, answers: Value) -> Profile {
    score_file(bank, &answers.to_string()).unwrap_or_else(|e| panic!("{e}"))
}

fn printed(p: &Profile) -> Value {
    serde_json::from_str(&serde_json::to_string(p).unwrap()).unwrap()
}

/// The competence line of a profile by its code, as printed.
fn line(p: &Profile, code: &str) -> Value {
    printed(p)["competences"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == code)
        .cloned()
        .unwrap_or(Value::Null)
}

fn all_correct() -> Value {
    json!({ "responses": {
        "K1-single": 2,
        "K1-multiple": [4, 0, 2],
        "K1-matching": [[2, 3], [0, 1], [1, 0]],
        "K2-ordering": [1, 0, 4, 2, 3],
        "K2-single": 0,
        "K3-numeric": 12.5,
        "K3-text": "ЗБР",
        "K3-numeric-int": 3
    }})
}

/// Partial credit of every partial kind, a null, one item not given.
fn mixed() -> Value {
    json!({ "responses": {
        "K1-single": 1,
        "K1-multiple": [0, 2, 3],
        "K1-matching": [[0, 1], [1, 2], [2, 3], [2, 0]],
        "K2-ordering": [1, 0, 4, 3, 2],
        "K2-single": null,
        "K3-numeric": 12.6,
        "K3-text": "  Зона  БЛИЖАЙШЕГО   развития "
    }})
}

#[test]
fn all_correct_is_no_deficit() {
    let p = score(&bank(), all_correct());
    for c in &p.competences {
        assert_eq!(c.level, Level::None, "{}", c.code);
        assert_eq!(c.score, c.max);
    }
    assert_eq!(
        printed(&p)["overall"],
        json!({ "score": 16.5, "max": 16.5, "percent": 100.0, "level": "none" })
    );
}

#[test]
fn mixed_responses_print_exactly_as_the_spec_shows() {
    let p = score(&bank(), mixed());
    // K1: 0 + 3·(2−1)/3 + 3·1/3 = 2 of 7; K2: 4·3/5 + 0 = 2.4 of 6, exactly
    // 40 %, critical under K2's own critical_below = 50; K3: 2 + 1 of 3
    // (K3-numeric-int not given); overall 7.4 of 16 = 46.25 %.
    let expected = r#"{"bank":"test-all","version":"2026.1","competences":[{"code":"test-all:K1","score":2.0,"max":7.0,"percent":28.57,"level":"critical"},{"code":"test-all:K2","score":2.4,"max":6.0,"percent":40.0,"level":"critical"},{"code":"test-all:K3","score":3.0,"max":3.0,"percent":100.0,"level":"none"}],"overall":{"score":7.4,"max":16.0,"percent":46.25,"level":"high"}}"#;
    assert_eq!(serde_json::to_string(&p).unwrap(), expected);
}

/// The spec's formulas, written again independently of `domain::scoring`
/// (floating point is fine for a check away from the boundaries).
fn recompute(bank: &Bank, answers: &Value) -> Vec<(String, f64, f64)> {
    let responses = answers["responses"].as_object().unwrap();
    let mut lines = Vec::new();
    let (mut total, mut total_max) = (0.0, 0.0);
    for c in &bank.competences {
        let (mut s, mut m, mut given) = (0.0, 0.0, false);
        for item in bank.items.iter().filter(|i| i.competence == c.code) {
            let Some(r) = responses.get(&item.id) else {
                continue;
            };
            given = true;
            let points = item.points.numer() as f64 / item.points.denom() as f64;
            m += points;
            let ints = |v: &Value| -> Vec<i64> {
                v.as_array()
                    .map(|a| a.iter().filter_map(Value::as_i64).collect())
                    .unwrap_or_default()
            };
            let share = match item.id.as_str() {
                "K1-single" => f64::from(r.as_i64() == Some(2)),
                "K2-single" => f64::from(r.as_i64() == Some(0)),
                "K1-multiple" => {
                    let key = [0, 2, 4];
                    let sel = ints(r);
                    let right = sel.iter().filter(|i| key.contains(i)).count() as f64;
                    let wrong = sel.len() as f64 - right;
                    ((right - wrong) / 3.0).max(0.0)
                }
                "K1-matching" => {
                    let key = [(0, 1), (1, 0), (2, 3)];
                    let pairs: Vec<(i64, i64)> = r
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .map(|p| (p[0].as_i64().unwrap(), p[1].as_i64().unwrap()))
                                .collect()
                        })
                        .unwrap_or_default();
                    let ok = key
                        .iter()
                        .filter(|(l, rt)| {
                            let mine: Vec<_> = pairs.iter().filter(|(pl, _)| pl == l).collect();
                            mine.len() == 1 && mine[0].1 == *rt
                        })
                        .count();
                    ok as f64 / 3.0
                }
                "K2-ordering" => {
                    let key = [1, 0, 4, 2, 3];
                    let got = ints(r);
                    key.iter().zip(&got).filter(|(a, b)| a == b).count() as f64 / 5.0
                }
                "K3-numeric" => r
                    .as_f64()
                    .map_or(0.0, |x| f64::from((x - 12.5).abs() <= 0.1 + 1e-9)),
                "K3-numeric-int" => r.as_f64().map_or(0.0, |x| f64::from(x == 3.0)),
                "K3-text" => {
                    let t = r
                        .as_str()
                        .unwrap_or("")
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ")
                        .to_lowercase();
                    f64::from(t == "зона ближайшего развития" || t == "збр")
                }
                other => panic!("unexpected item {other}"),
            };
            s += points * share;
        }
        if given {
            lines.push((bank.competence_code(&c.code), s, m));
            total += s;
            total_max += m;
        }
    }
    lines.push(("overall".into(), total, total_max));
    lines
}

#[test]
fn independent_recomputation_agrees() {
    let b = bank();
    for answers in [
        mixed(),
        all_correct(),
        json!({ "responses": {
            "K1-multiple": [1, 3],
            "K1-matching": [[0, 0], [1, 1]],
            "K2-ordering": [0, 1, 2, 3, 4],
            "K3-numeric": 12.39,
            "K3-text": "збр!"
        }}),
    ] {
        let p = printed(&score(&b, answers.clone()));
        let expected = recompute(&b, &answers);
        let mut got: Vec<&Value> = p["competences"].as_array().unwrap().iter().collect();
        got.push(&p["overall"]);
        assert_eq!(got.len(), expected.len(), "{p}");
        for (g, (code, s, m)) in got.iter().zip(&expected) {
            if code != "overall" {
                assert_eq!(g["code"], code.as_str());
            }
            let near = |a: &Value, b: f64| (a.as_f64().unwrap() - b).abs() < 0.006;
            assert!(near(&g["score"], *s), "{code}: {g} vs {s}");
            assert!(near(&g["max"], *m), "{code}: {g} vs {m}");
            assert!(near(&g["percent"], 100.0 * s / m), "{code}: {g}");
        }
    }
}

#[test]
fn missing_items_are_not_given_and_nulls_are_zero() {
    let p = score(
        &bank(),
        json!({ "responses": { "K1-single": null, "K3-text": "збр" } }),
    );
    // K2 had nothing given: left out of the profile.
    assert_eq!(
        printed(&p)["competences"],
        json!([
            { "code": "test-all:K1", "score": 0.0, "max": 1.0, "percent": 0.0, "level": "critical" },
            { "code": "test-all:K3", "score": 1.0, "max": 1.0, "percent": 100.0, "level": "none" }
        ])
    );
    assert_eq!(
        printed(&p)["overall"],
        json!({ "score": 1.0, "max": 2.0, "percent": 50.0, "level": "high" })
    );
}

#[test]
fn partial_credit_of_each_kind() {
    let b = bank();
    let only = |id: &str, r: Value| {
        let p = score(&b, json!({ "responses": { id: r } }));
        printed(&p)["overall"]["score"].as_f64().unwrap()
    };
    // multiple: points × max(0, (right − wrong) / len(answer)), 3 points.
    assert_eq!(only("K1-multiple", json!([0, 2])), 2.0);
    assert_eq!(only("K1-multiple", json!([0, 1])), 0.0);
    assert_eq!(only("K1-multiple", json!([0, 1, 3])), 0.0);
    assert_eq!(only("K1-multiple", json!([])), 0.0);
    assert_eq!(only("K1-multiple", json!([0, 1, 2, 3, 4])), 1.0);
    // matching: share of lefts matched to their right, 3 points.
    assert_eq!(only("K1-matching", json!([[0, 1], [1, 0]])), 2.0);
    assert_eq!(only("K1-matching", json!([[0, 1], [0, 2], [1, 0]])), 1.0);
    assert_eq!(only("K1-matching", json!([])), 0.0);
    // ordering: share of positions holding the right option, 4 points.
    assert_eq!(only("K2-ordering", json!([1, 0, 4, 3, 2])), 2.4);
    assert_eq!(only("K2-ordering", json!([0, 1, 4, 2, 3])), 2.4);
    assert_eq!(only("K2-ordering", json!([3, 2, 1, 0, 4])), 0.0);
    // numeric within tolerance, text normalised, 0.5-point integer answer.
    assert_eq!(only("K3-numeric", json!(12.4)), 2.0);
    assert_eq!(only("K3-numeric", json!(12.61)), 0.0);
    assert_eq!(only("K3-numeric-int", json!(3.0)), 0.5);
    assert_eq!(only("K3-text", json!("Зона ближайшего развитиЯ")), 1.0);
    assert_eq!(only("K3-text", json!("зона развития")), 0.0);
}

#[test]
fn a_competence_override_decides_its_level() {
    let answers = json!({ "responses": { "K2-ordering": [1, 0, 4, 3, 2], "K2-single": 1 } });
    // 2.4 of 6 = 40 %: under K2's critical_below = 50 it is critical…
    let p = score(&bank(), answers.clone());
    assert_eq!(
        line(&p, "test-all:K2"),
        json!({ "code": "test-all:K2", "score": 2.4, "max": 6.0, "percent": 40.0, "level": "critical" })
    );
    // …and the same 40 % overall is high under the bank's 40.
    assert_eq!(p.overall.level, Level::High);
    // Without the override, K2 follows [levels]: high.
    let plain = parse(
        "plain.toml",
        &ALL_KINDS.replace(
            "critical_below = 50        # stricter than the bank's 40\n",
            "",
        ),
    )
    .unwrap();
    assert_eq!(score(&plain, answers).competences[0].level, Level::High);
    // K3's reduced_below = 90: 3 of 3.5 = 85.71 % is reduced, not none.
    let p = score(
        &bank(),
        json!({ "responses": { "K3-numeric": 12.5, "K3-text": "збр", "K3-numeric-int": 4 } }),
    );
    assert_eq!(
        line(&p, "test-all:K3"),
        json!({ "code": "test-all:K3", "score": 3.0, "max": 3.5, "percent": 85.71, "level": "reduced" })
    );
}

/// A bank of two `single` items worth `a` and `b` points, thresholds
/// 40/60/80.
fn two_items(a: &str, b: &str, overall: &str) -> Bank {
    let text = format!(
        r#"[bank]
id = "edge"
version = "1"
title = "Границы"
time_limit_minutes = 10

[levels]
critical_below = 40
high_below = 60
reduced_below = 80
overall = "{overall}"

[[competence]]
code = "K"
title = "К"
items_per_attempt = 2

[[item]]
id = "a"
competence = "K"
kind = "single"
stem = "?"
options = ["да", "нет"]
answer = 0
points = {a}

[[item]]
id = "b"
competence = "K"
kind = "single"
stem = "?"
options = ["да", "нет"]
answer = 0
points = {b}
"#
    );
    parse("edge.toml", &text).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn boundaries_are_exact() {
    let only_a = json!({ "responses": { "a": 0, "b": 1 } });
    let level = |a: &str, b: &str| score(&two_items(a, b, "total"), only_a.clone()).overall;
    let at_40 = level("40", "60");
    assert_eq!(
        (at_40.percent.to_f64_rounded(2), at_40.level),
        (40.0, Level::High)
    );
    let below = level("39.99", "60.01");
    assert_eq!(
        (below.percent.to_f64_rounded(2), below.level),
        (39.99, Level::Critical)
    );
    // 1 of 3 points and 2 of 5: 33.33 % and exactly 40 %.
    assert_eq!(level("1", "2").level, Level::Critical);
    assert_eq!(level("2", "3").level, Level::High);
    assert_eq!(level("0.4", "0.6").level, Level::High);
    // 59.999999 % is still high; 60 % is reduced; 80 % is none.
    assert_eq!(level("59.999999", "40.000001").level, Level::High);
    assert_eq!(level("60", "40").level, Level::Reduced);
    assert_eq!(level("80", "20").level, Level::None);
    // Printed numbers round half away from zero: 1/8 = 12.5 %, 0.125 points.
    let p = score(&two_items("0.125", "0.875", "total"), only_a.clone());
    assert_eq!(
        printed(&p)["overall"],
        json!({ "score": 0.13, "max": 1.0, "percent": 12.5, "level": "critical" })
    );
}

#[test]
fn numeric_answers_compare_as_written_decimals() {
    let text = include_str!("fixtures/all-kinds.toml").replace(
        "answer = { value = 12.5, tolerance = 0.1 }",
        "answer = { value = 0.3, tolerance = 0.1 }",
    );
    let b = parse("n.toml", &text).unwrap();
    let mark = |x: Value| {
        score(&b, json!({ "responses": { "K3-numeric": x } }))
            .overall
            .score
            .to_f64_rounded(2)
    };
    // In f64, 0.4 − 0.3 = 0.10000000000000003 > 0.1; written, it is 0.1.
    assert_eq!(mark(json!(0.4)), 2.0);
    assert_eq!(mark(json!(0.2)), 2.0);
    assert_eq!(mark(json!(0.41)), 0.0);
    assert_eq!(mark(json!("0,35")), 2.0);
}

#[test]
fn worst_overall_takes_the_most_severe_competence() {
    let worst = parse(
        "worst.toml",
        &ALL_KINDS.replace("overall = \"total\"", "overall = \"worst\""),
    )
    .unwrap();
    let p = score(&worst, mixed());
    // The percent is still over all items; only the level changes.
    assert_eq!(
        printed(&p)["overall"],
        json!({ "score": 7.4, "max": 16.0, "percent": 46.25, "level": "critical" })
    );
    let p = score(
        &worst,
        json!({ "responses": { "K1-single": 2, "K3-text": "збр", "K3-numeric": 1 } }),
    );
    // K1 none, K3 1 of 3 critical → critical, though overall is 50 %.
    assert_eq!(p.overall.level, Level::Critical);
    assert_eq!(p.overall.percent.to_f64_rounded(2), 50.0);
}

#[test]
fn errors_name_the_item() {
    let b = bank();
    let err = |answers: &str| score_file(&b, answers).unwrap_err();
    assert_eq!(
        err(r#"{ "responses": { "K9-999": 1 } }"#),
        AnswersError::Score(ScoreError::UnknownItem("K9-999".into()))
    );
    assert_eq!(
        err(r#"{ "responses": { "K9-999": 1 } }"#).to_string(),
        "задания «K9-999» нет в банке"
    );
    let cases = [
        (
            r#"{ "responses": { "K1-single": "ФГОС" } }"#,
            "задание «K1-single»: ответ должен быть номером варианта",
        ),
        (
            r#"{ "responses": { "K1-single": 4 } }"#,
            "задание «K1-single»: номер варианта 4 вне диапазона (допустимо от 0 до 3)",
        ),
        (
            r#"{ "responses": { "K1-multiple": [0, 5] } }"#,
            "задание «K1-multiple»: номер варианта 5 вне диапазона",
        ),
        (
            r#"{ "responses": { "K1-matching": [[0, 4]] } }"#,
            "задание «K1-matching»: правый номер 4 вне диапазона",
        ),
        (
            r#"{ "responses": { "K2-ordering": [1, 0, 4, 2] } }"#,
            "задание «K2-ordering»: ответ должен быть перестановкой",
        ),
        (
            r#"{ "responses": { "K2-ordering": [1, 1, 4, 2, 3] } }"#,
            "задание «K2-ordering»: ответ должен быть перестановкой",
        ),
        (
            r#"{ "responses": { "K3-numeric": [12.5] } }"#,
            "ответ на задание «K3-numeric»: номер должен быть целым числом",
        ),
        (
            r#"{ "responses": { "K3-numeric": "двенадцать" } }"#,
            "задание «K3-numeric»: ответ «двенадцать» должен быть числом",
        ),
        (
            r#"{ "responses": { "K3-text": true } }"#,
            "ответ на задание «K3-text»: ответ не может быть логическим значением",
        ),
        (
            r#"{ "responses": { "K3-text": { "a": 1 } } }"#,
            "ответ на задание «K3-text»: ответ не может быть объектом",
        ),
        (
            r#"{ "responses": { "K1-multiple": [0, [1, 2]] } }"#,
            "ответ на задание «K1-multiple»: список должен состоять либо из номеров, либо из пар",
        ),
        (
            r#"{ "responses": { "K1-multiple": [-1] } }"#,
            "номер -1 не может быть отрицательным",
        ),
        (r#"{ "answers": {} }"#, "неизвестный ключ «answers»"),
        (r#"{ }"#, "нет объекта «responses»"),
        (r#"[1, 2]"#, "ожидается объект вида"),
        (
            r#"{ "responses": {} }"#,
            "в ответах нет ни одного задания банка",
        ),
        (
            "{ \"responses\": {\n  \"K1-single\": 2,\n}",
            "некорректный JSON (строка 3",
        ),
        (r#"{ "responses": { "#, "файл обрывается"),
    ];
    for (answers, expected) in cases {
        let e = err(answers).to_string();
        assert!(
            e.contains(expected),
            "{answers}: «{e}» should contain «{expected}»"
        );
    }
}

#[test]
fn answers_parse_into_kind_free_shapes() {
    let r = parse_answers(
        r#"{ "responses": { "a": 2, "b": [0, 3], "c": [[0, 1], [2, 0]], "d": -1.5, "e": "текст", "f": null, "g": [], "h": 12.5 } }"#,
    )
    .unwrap();
    assert_eq!(r["a"], Response::Index(2));
    assert_eq!(r["b"], Response::Indices(vec![0, 3]));
    assert_eq!(r["c"], Response::Pairs(vec![(0, 1), (2, 0)]));
    assert_eq!(r["d"], Response::Number(Decimal::parse("-1.5").unwrap()));
    assert_eq!(r["e"], Response::Text("текст".into()));
    assert_eq!(r["f"], Response::Null);
    assert_eq!(r["g"], Response::Indices(vec![]));
    assert_eq!(r["h"], Response::Number(Decimal::parse("12.5").unwrap()));
    // And back: a response prints as the JSON it was read from.
    for (k, v) in [
        ("a", json!(2)),
        ("c", json!([[0, 1], [2, 0]])),
        ("d", json!(-1.5)),
        ("f", Value::Null),
    ] {
        assert_eq!(serde_json::to_value(&r[k]).unwrap(), v);
    }
}

#[test]
fn a_printed_profile_reads_back() {
    let p = score(&bank(), mixed());
    let text = serde_json::to_string(&p).unwrap();
    let back: Profile = serde_json::from_str(&text).unwrap();
    assert_eq!(serde_json::to_string(&back).unwrap(), text);
    assert_eq!(back.overall.level, Level::High);
}
