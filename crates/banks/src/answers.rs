//! `ANSWERS.json` for `marshrut bank score`: `{ "responses": { "ITEM_ID":
//! RESPONSE } }`, scored offline against one bank.

use std::collections::BTreeMap;

use domain::scoring::{Profile, Response, ScoreError, score_attempt};
use domain::{Bank, ItemId};
use serde::Deserialize;
use serde_json::Value;

/// Why an answers file cannot be scored. Russian, naming the item where there
/// is one; `bank score` prints it and exits 1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswersError {
    #[error("некорректный JSON (строка {line}, столбец {column}): {problem}")]
    Syntax {
        line: usize,
        column: usize,
        problem: String,
    },
    #[error("{0}")]
    Format(String),
    #[error(transparent)]
    Score(#[from] ScoreError),
}

const SHAPE: &str = "ожидается объект вида { \"responses\": { \"ID задания\": ответ } }";

/// Reads the responses of an answers file. Shapes are checked here only as
/// JSON; whether a shape fits the item's kind is the scoring's check.
pub fn parse_answers(json: &str) -> Result<BTreeMap<ItemId, Response>, AnswersError> {
    let value: Value = serde_json::from_str(json).map_err(|e| AnswersError::Syntax {
        line: e.line(),
        column: e.column(),
        problem: match e.classify() {
            serde_json::error::Category::Eof => "файл обрывается раньше, чем закончен JSON".into(),
            _ => format!("ошибка синтаксиса ({e})"),
        },
    })?;
    let Value::Object(top) = value else {
        return Err(AnswersError::Format(SHAPE.into()));
    };
    if let Some(key) = top.keys().find(|k| *k != "responses") {
        return Err(AnswersError::Format(format!(
            "неизвестный ключ «{key}»; {SHAPE}"
        )));
    }
    let Some(Value::Object(responses)) = top.get("responses") else {
        return Err(AnswersError::Format(format!(
            "нет объекта «responses»; {SHAPE}"
        )));
    };
    responses
        .iter()
        .map(|(id, v)| {
            Response::deserialize(v)
                .map(|r| (id.clone(), r))
                .map_err(|e| AnswersError::Format(format!("ответ на задание «{id}»: {e}")))
        })
        .collect()
}

/// Scores an answers file on a bank; `serde_json::to_string(&profile)`
/// prints it as `spec/assessment-bank.md` shows.
pub fn score_file(bank: &Bank, answers_json: &str) -> Result<Profile, AnswersError> {
    let responses = parse_answers(answers_json)?;
    Ok(score_attempt(bank, &responses)?)
}
