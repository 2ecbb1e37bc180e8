//! One bank file: TOML with spans → validated [`Bank`], or every problem.
//!
//! We walk `toml`'s spanned document tree ourselves instead of deriving
//! `Deserialize`: serde stops at the first problem and speaks English, while
//! the authors need all problems at once, in Russian, each with its line.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use domain::bank::{
    Bank, Competence, Decimal, Item, ItemKind, OverallRule, Rational, Review, Thresholds,
};
use sha2::{Digest, Sha256};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::BankError;

type Value<'i> = Spanned<DeValue<'i>>;
type Span = Range<usize>;

/// A bank with what `load_files` needs to report on it.
pub(crate) struct Parsed {
    pub bank: Bank,
    /// The line of `bank.id`, for a duplicate id across files.
    pub id_line: usize,
}

/// Points at most this, with at most [`MAX_PLACES`] decimals: keeps every
/// sum of marks exact in `i128`.
const MAX_POINTS: i128 = 1000;
const MAX_PLACES: u64 = 6;

pub(crate) fn parse(file: &str, text: &str) -> Result<Parsed, Vec<BankError>> {
    let content_hash = hex(&Sha256::digest(text.as_bytes()));
    let mut cx = Cx::new(file, text);
    // A byte-order mark is not TOML; its three bytes shift no line.
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let offset = text.len() - body.len();
    let (root, syntax) = DeTable::parse_recoverable(body);
    if !syntax.is_empty() {
        // The recovered tree may miss whole tables: checking it would add
        // noise, so syntax errors come alone.
        for e in &syntax {
            let at = e.span().map_or(0, |s| s.start + offset);
            cx.report_at(at, syntax_message(e.message()));
        }
        return Err(cx.finish());
    }
    let root_span = 0..0;
    let parsed = cx.document(root.get_ref(), &root_span, content_hash);
    match parsed {
        Some(p) if cx.problems.is_empty() => Ok(p),
        _ => Err(cx.finish()),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// TOML syntax errors in Russian, with the parser's words kept where we have
/// no translation.
fn syntax_message(message: &str) -> String {
    let known: &[(&str, &str)] = &[
        ("duplicate key", "ключ повторяется"),
        (
            "string values must be quoted",
            "строковое значение должно быть в кавычках",
        ),
        ("unclosed array table", "не закрыт заголовок [[…]]"),
        ("unclosed table", "не закрыт заголовок […]"),
        (
            "unclosed inline table",
            "не закрыта встроенная таблица { … }",
        ),
        ("unclosed array", "не закрыт массив [ … ]"),
        (
            "missing comma between array elements",
            "между элементами массива нет запятой",
        ),
        ("missing value", "нет значения"),
        ("key with no value", "у ключа нет значения"),
        (
            "missing assignment between key-value pairs",
            "нет знака «=»",
        ),
        ("invalid basic string", "некорректная строка"),
        ("invalid float", "некорректное число"),
        ("invalid integer number", "некорректное целое число"),
        ("unexpected leading zero", "лишний ведущий ноль в числе"),
    ];
    for (en, ru) in known {
        if message.starts_with(en) {
            return format!("ошибка синтаксиса TOML: {ru} ({message})");
        }
    }
    format!("ошибка синтаксиса TOML: {message}")
}

/// Thresholds with where each value was written, for messages.
#[derive(Clone)]
struct Levels {
    values: [Option<(Rational, Span)>; 3],
}

const THRESHOLD_KEYS: [&str; 3] = ["critical_below", "high_below", "reduced_below"];

impl Levels {
    fn thresholds(&self) -> Option<Thresholds> {
        let [c, h, r] = &self.values;
        Some(Thresholds {
            critical_below: c.as_ref()?.0,
            high_below: h.as_ref()?.0,
            reduced_below: r.as_ref()?.0,
        })
    }
}

/// What the first pass knows of a competence.
struct CompetenceEntry {
    competence: Option<Competence>,
    code: Option<(String, Span)>,
    items_per_attempt: Option<(u32, Span)>,
}

/// The context of one file: where lines start and what is wrong so far.
struct Cx {
    file: String,
    newlines: Vec<usize>,
    problems: Vec<(usize, String)>,
}

impl Cx {
    fn new(file: &str, text: &str) -> Cx {
        Cx {
            file: file.to_string(),
            newlines: text.match_indices('\n').map(|(i, _)| i).collect(),
            problems: Vec::new(),
        }
    }

    fn line(&self, offset: usize) -> usize {
        self.newlines.partition_point(|nl| *nl < offset) + 1
    }

    fn report_at(&mut self, offset: usize, message: impl Into<String>) {
        let line = self.line(offset);
        self.problems.push((line, message.into()));
    }

    fn report(&mut self, span: &Span, message: impl Into<String>) {
        self.report_at(span.start, message);
    }

    fn finish(mut self) -> Vec<BankError> {
        self.problems.sort_by_key(|(line, _)| *line);
        self.problems.dedup();
        self.problems
            .into_iter()
            .map(|(line, message)| BankError {
                file: self.file.clone(),
                line: Some(line),
                message,
            })
            .collect()
    }

    // --- the document ---------------------------------------------------

    fn document(
        &mut self,
        root: &DeTable<'_>,
        root_span: &Span,
        content_hash: String,
    ) -> Option<Parsed> {
        self.unknown_keys(
            root,
            &["bank", "levels", "competence", "item"],
            "в файле банка",
        );

        let bank_table = self.table_of(root, root_span, "bank", "[bank]");
        let levels_table = self.table_of(root, root_span, "levels", "[levels]");

        let mut header = None;
        if let Some((t, span)) = bank_table {
            header = self.bank_header(t, &span);
        }
        let mut levels = Levels {
            values: [None, None, None],
        };
        let mut overall = Some(OverallRule::default());
        if let Some((t, span)) = levels_table {
            (levels, overall) = self.levels(t, &span);
        }

        let competence_tables = self.array_of_tables(root, "competence");
        let item_tables = self.array_of_tables(root, "item");
        if root.get("competence").is_none() {
            self.report(
                root_span,
                "в банке нет ни одной компетенции ([[competence]])",
            );
        }
        if root.get("item").is_none() {
            self.report(root_span, "в банке нет ни одного задания ([[item]])");
        }

        let entries: Vec<CompetenceEntry> = competence_tables
            .iter()
            .enumerate()
            .map(|(n, (t, span))| self.competence(n + 1, t, span, &levels))
            .collect();
        let mut codes: BTreeMap<String, usize> = BTreeMap::new();
        for e in &entries {
            if let Some((code, span)) = &e.code {
                let line = self.line(span.start);
                if let Some(first) = codes.get(code) {
                    self.report(
                        span,
                        format!("код компетенции «{code}» повторяется (уже в строке {first})"),
                    );
                } else {
                    codes.insert(code.clone(), line);
                }
            }
        }

        let mut items = Vec::new();
        let mut ids: BTreeMap<String, usize> = BTreeMap::new();
        let mut per_competence: BTreeMap<String, u32> = BTreeMap::new();
        for (n, (t, span)) in item_tables.iter().enumerate() {
            let (item, id, competence) = self.item(n + 1, t, span);
            if let Some((id, span)) = id {
                let line = self.line(span.start);
                if let Some(first) = ids.get(&id) {
                    self.report(
                        &span,
                        format!("id задания «{id}» повторяется (уже в строке {first})"),
                    );
                } else {
                    ids.insert(id, line);
                }
            }
            if let Some((code, span)) = competence {
                if codes.contains_key(&code) {
                    *per_competence.entry(code).or_default() += 1;
                } else if !codes.is_empty() || entries.is_empty() {
                    self.report(
                        &span,
                        format!(
                            "компетенции «{code}» нет в банке (нет [[competence]] с таким code)"
                        ),
                    );
                }
            }
            items.push(item);
        }

        for e in &entries {
            if let (Some((code, _)), Some((wanted, span))) = (&e.code, &e.items_per_attempt) {
                let have = per_competence.get(code).copied().unwrap_or(0);
                if have < *wanted {
                    self.report(
                        span,
                        format!(
                            "у компетенции «{code}» {have} {} в банке, а items_per_attempt = {wanted}: заданий должно быть не меньше",
                            plural_items(have)
                        ),
                    );
                }
            }
        }

        let (id, id_span, version, title, audience, subjects, time_limit_minutes, review) = header?;
        let thresholds = levels.thresholds()?;
        let competences = entries
            .into_iter()
            .map(|e| e.competence)
            .collect::<Option<Vec<_>>>()?;
        let items = items.into_iter().collect::<Option<Vec<_>>>()?;
        Some(Parsed {
            id_line: self.line(id_span.start),
            bank: Bank {
                id,
                version,
                title,
                audience,
                subjects,
                time_limit_minutes,
                review,
                thresholds,
                overall: overall?,
                competences,
                items,
                content_hash,
            },
        })
    }

    // --- [bank] ---------------------------------------------------------

    #[allow(clippy::type_complexity)]
    fn bank_header(
        &mut self,
        t: &DeTable<'_>,
        span: &Span,
    ) -> Option<(
        String,
        Span,
        String,
        String,
        Option<String>,
        Vec<String>,
        u32,
        Review,
    )> {
        let place = "[bank]";
        self.unknown_keys(
            t,
            &[
                "id",
                "version",
                "title",
                "audience",
                "subjects",
                "time_limit_minutes",
                "review",
            ],
            place,
        );
        let id = self.required(t, span, "id", place).and_then(|v| {
            let s = self.string(v, "id", place)?;
            let valid = !s.is_empty()
                && s
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
            if valid {
                Some((s, v.span()))
            } else {
                self.report(
                    &v.span(),
                    format!(
                        "{place}: id «{s}» может состоять только из строчных латинских букв, цифр и дефиса ([a-z0-9-]+)"
                    ),
                );
                None
            }
        });
        let version = self
            .required(t, span, "version", place)
            .and_then(|v| self.nonempty_string(v, "version", place));
        let title = self
            .required(t, span, "title", place)
            .and_then(|v| self.nonempty_string(v, "title", place));
        let audience = self.optional_string(t, "audience", place);
        let subjects = match t.get("subjects") {
            None => Some(Vec::new()),
            Some(v) => self
                .string_list(v, "subjects", place)
                .map(|l| l.into_iter().map(|(s, _)| s).collect()),
        };
        let time_limit = self
            .required(t, span, "time_limit_minutes", place)
            .and_then(|v| {
                let n = self.integer(v, "time_limit_minutes", place)?;
                match u32::try_from(n) {
                    Ok(m) if m > 0 => Some(m),
                    _ => {
                        self.report(
                            &v.span(),
                            format!("{place}: time_limit_minutes должно быть целым числом минут больше 0"),
                        );
                        None
                    }
                }
            });
        let review = match t.get("review") {
            None => Some(Review::default()),
            Some(v) => self.string(v, "review", place).and_then(|s| {
                let r = Review::parse(&s);
                if r.is_none() {
                    self.report(
                        &v.span(),
                        format!(
                            "{place}: review = «{s}» — допустимые значения: after_submit, after_close, none"
                        ),
                    );
                }
                r
            }),
        };
        let audience = audience?;
        let (id, id_span) = id?;
        Some((
            id,
            id_span,
            version?,
            title?,
            audience,
            subjects?,
            time_limit?,
            review?,
        ))
    }

    // --- [levels] -------------------------------------------------------

    fn levels(&mut self, t: &DeTable<'_>, span: &Span) -> (Levels, Option<OverallRule>) {
        let place = "[levels]";
        self.unknown_keys(
            t,
            &["critical_below", "high_below", "reduced_below", "overall"],
            place,
        );
        let mut levels = Levels {
            values: [None, None, None],
        };
        for (i, key) in THRESHOLD_KEYS.iter().enumerate() {
            if let Some(v) = self.required(t, span, key, place) {
                levels.values[i] = self.threshold(v, key, place).map(|r| (r, v.span()));
            }
        }
        self.check_levels(&levels, [true; 3], place);
        let overall = match t.get("overall") {
            None => Some(OverallRule::default()),
            Some(v) => self.string(v, "overall", place).and_then(|s| {
                let r = OverallRule::parse(&s);
                if r.is_none() {
                    self.report(
                        &v.span(),
                        format!("{place}: overall = «{s}» — допустимые значения: total, worst"),
                    );
                }
                r
            }),
        };
        (levels, overall)
    }

    fn threshold(&mut self, v: &Value<'_>, key: &str, place: &str) -> Option<Rational> {
        let d = self.number(v, key, place)?;
        if d.decimal_places() > MAX_PLACES {
            self.report(
                &v.span(),
                format!("{place}: {key} — не больше {MAX_PLACES} знаков после запятой"),
            );
            return None;
        }
        match Rational::from_decimal(&d) {
            Some(r) => Some(r),
            None => {
                self.report(
                    &v.span(),
                    format!("{place}: {key} = {d} — порог должен быть в пределах (0, 100]"),
                );
                None
            }
        }
    }

    /// Strictly increasing within (0, 100]. Only pairs that involve a value
    /// in `mine` are reported, so a competence's problem is reported at its
    /// own override and a bank-wide problem once, at `[levels]`.
    fn check_levels(&mut self, levels: &Levels, mine: [bool; 3], place: &str) -> bool {
        let mut ok = true;
        let v = &levels.values;
        if let Some((c, span)) = &v[0]
            && !c.is_positive()
        {
            ok = false;
            if mine[0] {
                self.report(
                    span,
                    format!("{place}: critical_below = {c} — порог должен быть больше 0"),
                );
            }
        }
        for i in 0..2 {
            if let (Some((a, sa)), Some((b, sb))) = (&v[i], &v[i + 1])
                && a >= b
            {
                ok = false;
                if mine[i] || mine[i + 1] {
                    let span = if mine[i + 1] { sb } else { sa };
                    self.report(
                        span,
                        format!(
                            "{place}: пороги должны строго возрастать: {} = {b} не больше {} = {a}",
                            THRESHOLD_KEYS[i + 1],
                            THRESHOLD_KEYS[i]
                        ),
                    );
                }
            }
        }
        if let Some((r, span)) = &v[2]
            && *r > Rational::integer(100)
        {
            ok = false;
            if mine[2] {
                self.report(
                    span,
                    format!("{place}: reduced_below = {r} — порог не может быть больше 100"),
                );
            }
        }
        ok
    }

    // --- [[competence]] -------------------------------------------------

    fn competence(
        &mut self,
        n: usize,
        t: &DeTable<'_>,
        span: &Span,
        bank: &Levels,
    ) -> CompetenceEntry {
        let mut place = format!("компетенция №{n}");
        let code = self.required(t, span, "code", &place).and_then(|v| {
            let s = self.nonempty_string(v, "code", &place)?;
            if s.contains(':') || s.chars().any(char::is_whitespace) {
                self.report(
                    &v.span(),
                    format!("{place}: code «{s}» не должен содержать пробелов и двоеточия"),
                );
                return None;
            }
            Some((s, v.span()))
        });
        if let Some((c, _)) = &code {
            place = format!("компетенция «{c}»");
        }
        self.unknown_keys(
            t,
            &[
                "code",
                "title",
                "description",
                "standard_ref",
                "items_per_attempt",
                "critical_below",
                "high_below",
                "reduced_below",
            ],
            &place,
        );
        let title = self
            .required(t, span, "title", &place)
            .and_then(|v| self.nonempty_string(v, "title", &place));
        let description = self.optional_string(t, "description", &place);
        let standard_ref = self.optional_string(t, "standard_ref", &place);
        let items_per_attempt = self
            .required(t, span, "items_per_attempt", &place)
            .and_then(|v| {
                let k = self.integer(v, "items_per_attempt", &place)?;
                match u32::try_from(k) {
                    Ok(k) if k > 0 => Some((k, v.span())),
                    _ => {
                        self.report(
                            &v.span(),
                            format!("{place}: items_per_attempt должно быть целым числом больше 0"),
                        );
                        None
                    }
                }
            });

        let mut levels = bank.clone();
        let mut overridden = [false; 3];
        let mut broken = false;
        for (i, key) in THRESHOLD_KEYS.iter().enumerate() {
            if let Some(v) = t.get(*key) {
                overridden[i] = true;
                match self.threshold(v, key, &place) {
                    Some(r) => levels.values[i] = Some((r, v.span())),
                    None => broken = true,
                }
            }
        }
        let valid = self.check_levels(&levels, overridden, &place);
        let thresholds = if broken || !valid {
            None
        } else {
            levels.thresholds()
        };

        let competence = (|| {
            Some(Competence {
                code: code.clone()?.0,
                title: title?,
                description: description?,
                standard_ref: standard_ref?,
                items_per_attempt: items_per_attempt.clone()?.0,
                thresholds: thresholds?,
            })
        })();
        CompetenceEntry {
            competence,
            code,
            items_per_attempt,
        }
    }

    // --- [[item]] -------------------------------------------------------

    #[allow(clippy::type_complexity)]
    fn item(
        &mut self,
        n: usize,
        t: &DeTable<'_>,
        span: &Span,
    ) -> (Option<Item>, Option<(String, Span)>, Option<(String, Span)>) {
        let mut place = format!("задание №{n}");
        let id = self
            .required(t, span, "id", &place)
            .and_then(|v| Some((self.nonempty_string(v, "id", &place)?, v.span())));
        if let Some((id, _)) = &id {
            place = format!("задание «{id}»");
        }
        let kind_name = self.required(t, span, "kind", &place).and_then(|v| {
            let s = self.string(v, "kind", &place)?;
            if ItemKind::NAMES.contains(&s.as_str()) {
                Some(s)
            } else {
                self.report(
                    &v.span(),
                    format!(
                        "{place}: kind = «{s}» — допустимые виды: {}",
                        ItemKind::NAMES.join(", ")
                    ),
                );
                None
            }
        });
        let mut allowed = vec![
            "id",
            "competence",
            "kind",
            "context",
            "stem",
            "answer",
            "points",
            "explanation",
        ];
        match kind_name.as_deref() {
            Some("single" | "multiple" | "ordering") => allowed.push("options"),
            Some("matching") => allowed.extend(["left", "right"]),
            Some(_) => {}
            // Unknown kind: do not pile up errors about its keys.
            None => allowed.extend(["options", "left", "right"]),
        }
        let kind_label = kind_name.as_deref().unwrap_or("");
        for (key, _) in t.iter() {
            let k: &str = key.get_ref();
            if !allowed.contains(&k) {
                let message = if ["options", "left", "right"].contains(&k) {
                    format!("{place}: ключ «{k}» не используется в заданиях вида {kind_label}")
                } else {
                    format!("{place}: неизвестный ключ «{k}»")
                };
                self.report(&key.span(), message);
            }
        }

        let competence = self
            .required(t, span, "competence", &place)
            .and_then(|v| Some((self.nonempty_string(v, "competence", &place)?, v.span())));
        let stem = self
            .required(t, span, "stem", &place)
            .and_then(|v| self.nonempty_string(v, "stem", &place));
        let context = self.optional_string(t, "context", &place);
        let explanation = self.optional_string(t, "explanation", &place);
        let points = match t.get("points") {
            None => Some(Rational::ONE),
            Some(v) => self.points(v, &place),
        };
        let answer = self.required(t, span, "answer", &place);
        let kind = match kind_name.as_deref() {
            Some("single" | "multiple" | "ordering") => {
                let options = self.options(t, span, "options", &place, 2);
                answer.and_then(|a| self.choice_answer(kind_label, a, options, &place))
            }
            Some("matching") => {
                let left = self.options(t, span, "left", &place, 1);
                let right = self.options(t, span, "right", &place, 1);
                answer.and_then(|a| self.matching_answer(a, left, right, &place))
            }
            Some("numeric") => answer.and_then(|a| self.numeric_answer(a, &place)),
            Some("text") => answer.and_then(|a| {
                let list = self.string_list(a, "answer", &place)?;
                if list.is_empty() {
                    self.report(
                        &a.span(),
                        format!("{place}: answer — нужен хотя бы один принимаемый ответ"),
                    );
                    return None;
                }
                let mut ok = true;
                for (s, sp) in &list {
                    if domain::scoring::normalize_text(s).is_empty() {
                        self.report(sp, format!("{place}: пустой принимаемый ответ"));
                        ok = false;
                    }
                }
                ok.then(|| ItemKind::Text {
                    accepted: list.into_iter().map(|(s, _)| s).collect(),
                })
            }),
            _ => None,
        };

        let item = (|| {
            Some(Item {
                id: id.clone()?.0,
                competence: competence.clone()?.0,
                kind: kind?,
                context: context?,
                stem: stem?,
                points: points?,
                explanation: explanation?,
            })
        })();
        (item, id, competence)
    }

    fn points(&mut self, v: &Value<'_>, place: &str) -> Option<Rational> {
        let d = self.number(v, "points", place)?;
        let r = Rational::from_decimal(&d);
        match r {
            Some(r) if !r.is_positive() => {
                self.report(
                    &v.span(),
                    format!("{place}: points = {d} — баллы должны быть больше 0"),
                );
                None
            }
            Some(r) if r <= Rational::integer(MAX_POINTS) && d.decimal_places() <= MAX_PLACES => {
                Some(r)
            }
            _ => {
                self.report(
                    &v.span(),
                    format!(
                        "{place}: points = {d} — баллы должны быть не больше {MAX_POINTS}, не больше {MAX_PLACES} знаков после запятой"
                    ),
                );
                None
            }
        }
    }

    /// A list of distinct option texts, at least `min` of them. `Some` with
    /// `false` when the list is there but wrong: its length still bounds the
    /// answer's indices.
    fn options(
        &mut self,
        t: &DeTable<'_>,
        span: &Span,
        key: &str,
        place: &str,
        min: usize,
    ) -> Option<(Vec<String>, bool)> {
        let v = self.required(t, span, key, place)?;
        let list = self.string_list(v, key, place)?;
        let mut ok = true;
        if list.len() < min {
            self.report(
                &v.span(),
                format!(
                    "{place}: в «{key}» нужно не меньше {min} вариантов, а их {}",
                    list.len()
                ),
            );
            ok = false;
        }
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, (s, sp)) in list.iter().enumerate() {
            if let Some(first) = seen.get(s.trim()) {
                self.report(
                    sp,
                    format!("{place}: вариант «{s}» в «{key}» повторяется (номера {first} и {i})"),
                );
                ok = false;
            } else {
                seen.insert(s.trim(), i);
            }
        }
        Some((list.into_iter().map(|(s, _)| s).collect(), ok))
    }

    fn choice_answer(
        &mut self,
        kind: &str,
        a: &Value<'_>,
        options: Option<(Vec<String>, bool)>,
        place: &str,
    ) -> Option<ItemKind> {
        let n = options.as_ref().map(|(o, _)| o.len());
        let options = options.and_then(|(o, ok)| ok.then_some(o));
        match kind {
            "single" => {
                let Some(i) = a.get_ref().as_integer().and_then(int_value) else {
                    self.report(
                        &a.span(),
                        format!("{place}: answer задания вида single — номер правильного варианта (целое число от 0)"),
                    );
                    return None;
                };
                let i = self.index_in(i, n, &a.span(), place)?;
                Some(ItemKind::Single {
                    options: options?,
                    answer: i,
                })
            }
            "multiple" => {
                let Some(list) = self.index_list(a) else {
                    self.report(
                        &a.span(),
                        format!("{place}: answer задания вида multiple — список номеров правильных вариантов, например [0, 2]"),
                    );
                    return None;
                };
                if list.is_empty() {
                    self.report(
                        &a.span(),
                        format!("{place}: answer — нужен хотя бы один правильный вариант"),
                    );
                    return None;
                }
                let mut answer = Vec::new();
                let mut ok = true;
                for (i, sp) in &list {
                    match self.index_in(*i, n, sp, place) {
                        Some(i) if answer.contains(&i) => {
                            self.report(sp, format!("{place}: номер {i} в answer повторяется"));
                            ok = false;
                        }
                        Some(i) => answer.push(i),
                        None => ok = false,
                    }
                }
                (ok).then_some(())?;
                Some(ItemKind::Multiple {
                    options: options?,
                    answer,
                })
            }
            _ => {
                let Some(list) = self.index_list(a) else {
                    self.report(
                        &a.span(),
                        format!("{place}: answer задания вида ordering — номера вариантов в правильном порядке, например [2, 0, 1]"),
                    );
                    return None;
                };
                let mut answer = Vec::new();
                let mut ok = true;
                for (i, sp) in &list {
                    match self.index_in(*i, n, sp, place) {
                        Some(i) if answer.contains(&i) => {
                            self.report(sp, format!("{place}: номер {i} в answer повторяется"));
                            ok = false;
                        }
                        Some(i) => answer.push(i),
                        None => ok = false,
                    }
                }
                if ok
                    && let Some(n) = n
                    && answer.len() != n
                {
                    self.report(
                        &a.span(),
                        format!(
                            "{place}: answer должен перечислять все {n} вариантов по одному разу, а в нём {}",
                            answer.len()
                        ),
                    );
                    ok = false;
                }
                ok.then_some(())?;
                Some(ItemKind::Ordering {
                    options: options?,
                    answer,
                })
            }
        }
    }

    fn matching_answer(
        &mut self,
        a: &Value<'_>,
        left: Option<(Vec<String>, bool)>,
        right: Option<(Vec<String>, bool)>,
        place: &str,
    ) -> Option<ItemKind> {
        let left_len = left.as_ref().map(|(l, _)| l.len());
        let right_len = right.as_ref().map(|(r, _)| r.len());
        let left = left.and_then(|(l, ok)| ok.then_some(l));
        let right = right.and_then(|(r, ok)| ok.then_some(r));
        let shape = format!(
            "{place}: answer задания вида matching — список пар [левый, правый], по одной на каждый левый элемент, например [[0, 1], [1, 0]]"
        );
        let Some(array) = a.get_ref().as_array() else {
            self.report(&a.span(), shape);
            return None;
        };
        let mut pairs = Vec::new();
        let mut ok = true;
        for element in array.iter() {
            let pair = match element.get_ref() {
                DeValue::Array(p) if p.len() == 2 => {
                    let l = p[0].get_ref().as_integer().and_then(int_value);
                    let r = p[1].get_ref().as_integer().and_then(int_value);
                    l.zip(r)
                }
                _ => None,
            };
            let Some((l, r)) = pair else {
                self.report(&element.span(), shape.clone());
                ok = false;
                continue;
            };
            let sp = element.span();
            let l = self.index_in_named(l, left_len, &sp, place, "левый номер");
            let r = self.index_in_named(r, right_len, &sp, place, "правый номер");
            match (l, r) {
                (Some(l), Some(r)) => pairs.push((l, r, sp)),
                _ => ok = false,
            }
        }
        let mut lefts = BTreeSet::new();
        let mut rights = BTreeSet::new();
        for (l, r, sp) in &pairs {
            if !lefts.insert(*l) {
                self.report(
                    sp,
                    format!("{place}: левому элементу {l} в answer сопоставлено несколько правых"),
                );
                ok = false;
            }
            if !rights.insert(*r) {
                self.report(
                    sp,
                    format!("{place}: правый элемент {r} в answer использован дважды"),
                );
                ok = false;
            }
        }
        if ok && let Some(left_len) = left_len {
            let missing: Vec<String> = (0..left_len)
                .filter(|l| !lefts.contains(l))
                .map(|l| l.to_string())
                .collect();
            if !missing.is_empty() {
                self.report(
                    &a.span(),
                    format!(
                        "{place}: в answer нет пары для левых элементов {}",
                        missing.join(", ")
                    ),
                );
                ok = false;
            }
        }
        ok.then_some(())?;
        Some(ItemKind::Matching {
            left: left?,
            right: right?,
            answer: pairs.into_iter().map(|(l, r, _)| (l, r)).collect(),
        })
    }

    fn numeric_answer(&mut self, a: &Value<'_>, place: &str) -> Option<ItemKind> {
        let Some(t) = a.get_ref().as_table() else {
            self.report(
                &a.span(),
                format!("{place}: answer задания вида numeric — таблица {{ value = 12.5, tolerance = 0.1 }}"),
            );
            return None;
        };
        let inner = format!("{place}, answer");
        self.unknown_keys(t, &["value", "tolerance"], &inner);
        let value = self
            .required(t, &a.span(), "value", &inner)
            .and_then(|v| self.number(v, "value", &inner));
        let tolerance = match t.get("tolerance") {
            None => Some(Decimal::zero()),
            Some(v) => self.number(v, "tolerance", &inner).and_then(|d| {
                if d.is_negative() {
                    self.report(
                        &v.span(),
                        format!("{inner}: tolerance не может быть отрицательным"),
                    );
                    None
                } else {
                    Some(d)
                }
            }),
        };
        Some(ItemKind::Numeric {
            value: value?,
            tolerance: tolerance?,
        })
    }

    fn index_in(&mut self, i: i128, n: Option<usize>, span: &Span, place: &str) -> Option<usize> {
        self.index_in_named(i, n, span, place, "номер варианта")
    }

    /// `i` as an index into a list of `n` (unknown when the list itself was
    /// wrong: then only the sign is checked).
    fn index_in_named(
        &mut self,
        i: i128,
        n: Option<usize>,
        span: &Span,
        place: &str,
        what: &str,
    ) -> Option<usize> {
        let fits = usize::try_from(i).ok().filter(|i| n.is_none_or(|n| *i < n));
        if fits.is_none() {
            let range = match n {
                Some(0) | None => "номера начинаются с 0".to_string(),
                Some(n) => format!("допустимо от 0 до {}", n - 1),
            };
            self.report(span, format!("{place}: {what} {i} вне диапазона ({range})"));
        }
        fits
    }

    // --- typed access ---------------------------------------------------

    fn unknown_keys(&mut self, t: &DeTable<'_>, allowed: &[&str], place: &str) {
        for (key, _) in t.iter() {
            let k: &str = key.get_ref();
            if !allowed.contains(&k) {
                self.report(
                    &key.span(),
                    format!(
                        "{place}: неизвестный ключ «{k}» (допустимы: {})",
                        allowed.join(", ")
                    ),
                );
            }
        }
    }

    fn required<'t, 'i>(
        &mut self,
        t: &'t DeTable<'i>,
        span: &Span,
        key: &str,
        place: &str,
    ) -> Option<&'t Value<'i>> {
        let v = t.get(key);
        if v.is_none() {
            self.report(span, format!("{place}: нет обязательного ключа «{key}»"));
        }
        v
    }

    fn table_of<'t, 'i>(
        &mut self,
        root: &'t DeTable<'i>,
        root_span: &Span,
        key: &str,
        header: &str,
    ) -> Option<(&'t DeTable<'i>, Span)> {
        match root.get(key) {
            None => {
                self.report(root_span, format!("нет обязательной таблицы {header}"));
                None
            }
            Some(v) => match v.get_ref() {
                DeValue::Table(t) => Some((t, v.span())),
                _ => {
                    self.report(&v.span(), format!("«{key}» должно быть таблицей {header}"));
                    None
                }
            },
        }
    }

    fn array_of_tables<'t, 'i>(
        &mut self,
        root: &'t DeTable<'i>,
        key: &str,
    ) -> Vec<(&'t DeTable<'i>, Span)> {
        let Some(v) = root.get(key) else {
            return Vec::new();
        };
        let message = format!("«{key}» должно быть списком таблиц [[{key}]]");
        let Some(array) = v.get_ref().as_array() else {
            self.report(&v.span(), message);
            return Vec::new();
        };
        let mut out = Vec::new();
        for element in array.iter() {
            match element.get_ref() {
                DeValue::Table(t) => out.push((t, element.span())),
                _ => self.report(&element.span(), message.clone()),
            }
        }
        out
    }

    fn string(&mut self, v: &Value<'_>, key: &str, place: &str) -> Option<String> {
        match v.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            other => {
                self.report(
                    &v.span(),
                    format!(
                        "{place}: «{key}» должно быть строкой в кавычках, а не {}",
                        type_name(other)
                    ),
                );
                None
            }
        }
    }

    fn nonempty_string(&mut self, v: &Value<'_>, key: &str, place: &str) -> Option<String> {
        let s = self.string(v, key, place)?;
        if s.trim().is_empty() {
            self.report(&v.span(), format!("{place}: «{key}» не может быть пустым"));
            return None;
        }
        Some(s)
    }

    /// `Some(None)` when absent, `None` when present and wrong.
    fn optional_string(
        &mut self,
        t: &DeTable<'_>,
        key: &str,
        place: &str,
    ) -> Option<Option<String>> {
        match t.get(key) {
            None => Some(None),
            Some(v) => self.string(v, key, place).map(Some),
        }
    }

    fn string_list(
        &mut self,
        v: &Value<'_>,
        key: &str,
        place: &str,
    ) -> Option<Vec<(String, Span)>> {
        let message =
            format!("{place}: «{key}» должно быть списком строк, например [\"…\", \"…\"]");
        let Some(array) = v.get_ref().as_array() else {
            self.report(&v.span(), message);
            return None;
        };
        let mut out = Vec::new();
        let mut ok = true;
        for element in array.iter() {
            match element.get_ref() {
                DeValue::String(s) => out.push((s.to_string(), element.span())),
                _ => {
                    self.report(&element.span(), message.clone());
                    ok = false;
                }
            }
        }
        ok.then_some(out)
    }

    /// A list of integers, or `None` (unreported) when it is not one.
    fn index_list(&mut self, v: &Value<'_>) -> Option<Vec<(i128, Span)>> {
        v.get_ref()
            .as_array()?
            .iter()
            .map(|e| Some((e.get_ref().as_integer().and_then(int_value)?, e.span())))
            .collect()
    }

    fn integer(&mut self, v: &Value<'_>, key: &str, place: &str) -> Option<i128> {
        let n = v.get_ref().as_integer().and_then(int_value);
        if n.is_none() {
            self.report(
                &v.span(),
                format!(
                    "{place}: «{key}» должно быть целым числом, а не {}",
                    type_name(v.get_ref())
                ),
            );
        }
        n
    }

    /// An integer or a float, exactly as written.
    fn number(&mut self, v: &Value<'_>, key: &str, place: &str) -> Option<Decimal> {
        let d = match v.get_ref() {
            DeValue::Integer(i) => int_value(i).map(Decimal::from_integer),
            DeValue::Float(f) => Decimal::parse(f.as_str()).ok(),
            _ => None,
        };
        if d.is_none() {
            let what = match v.get_ref() {
                DeValue::Integer(_) | DeValue::Float(_) => {
                    "конечным числом в допустимом диапазоне".to_string()
                }
                other => format!("числом, а не {}", type_name(other)),
            };
            self.report(&v.span(), format!("{place}: «{key}» должно быть {what}"));
        }
        d
    }
}

fn int_value(i: &toml::de::DeInteger<'_>) -> Option<i128> {
    i128::from_str_radix(i.as_str(), i.radix()).ok()
}

fn type_name(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "строка",
        DeValue::Integer(_) => "целое число",
        DeValue::Float(_) => "дробное число",
        DeValue::Boolean(_) => "логическое значение",
        DeValue::Datetime(_) => "дата",
        DeValue::Array(_) => "список",
        DeValue::Table(_) => "таблица",
    }
}

fn plural_items(n: u32) -> &'static str {
    match (n % 10, n % 100) {
        (1, 11) => "заданий",
        (1, _) => "задание",
        (2..=4, 12..=14) => "заданий",
        (2..=4, _) => "задания",
        _ => "заданий",
    }
}
