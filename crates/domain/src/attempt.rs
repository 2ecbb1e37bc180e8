//! An attempt's form: which items a teacher is given and in which order
//! their options are shown.
//!
//! A form is drawn once when the attempt starts and kept with it, so that a
//! resumed attempt shows the same questions in the same order. Options are
//! shuffled per attempt, but every response names options by their index in
//! the bank file, so the shuffle never touches scoring.

use rand::Rng;
use rand::seq::{IndexedRandom, SliceRandom};
use serde::{Deserialize, Serialize};

use crate::bank::{Bank, ItemKind};

/// The items of one attempt, grouped by competence in the bank's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Form {
    pub items: Vec<FormItem>,
}

/// One given item and the order its choices are shown in (indices into the
/// bank file's lists; empty where the kind has no such list).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormItem {
    pub id: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<usize>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub left: Vec<usize>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub right: Vec<usize>,
}

fn shuffled(len: usize, rng: &mut impl Rng) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    order.shuffle(rng);
    order
}

/// Draws `items_per_attempt` items at random from each competence and
/// shuffles every item's options.
pub fn draw_form(bank: &Bank, rng: &mut impl Rng) -> Form {
    let mut items = Vec::new();
    for competence in &bank.competences {
        let pool: Vec<_> = bank.items_of(&competence.code).collect();
        let take = (competence.items_per_attempt as usize).min(pool.len());
        // Keep the bank's order within a competence: the draw decides which
        // items, not their sequence.
        let mut chosen: Vec<usize> = (0..pool.len())
            .collect::<Vec<_>>()
            .choose_multiple(rng, take)
            .copied()
            .collect();
        chosen.sort_unstable();
        for i in chosen {
            let item = pool[i];
            let mut f = FormItem {
                id: item.id.clone(),
                options: Vec::new(),
                left: Vec::new(),
                right: Vec::new(),
            };
            match &item.kind {
                ItemKind::Single { options, .. }
                | ItemKind::Multiple { options, .. }
                | ItemKind::Ordering { options, .. } => f.options = shuffled(options.len(), rng),
                ItemKind::Matching { left, right, .. } => {
                    f.left = shuffled(left.len(), rng);
                    f.right = shuffled(right.len(), rng);
                }
                ItemKind::Numeric { .. } | ItemKind::Text { .. } => {}
            }
            items.push(f);
        }
    }
    Form { items }
}

/// A choice as shown: its index in the bank file and its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Choice {
    pub index: usize,
    pub text: String,
}

/// An item as the teacher sees it during the attempt: never its answer or
/// explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemView {
    pub id: String,
    pub kind: &'static str,
    pub competence: String,
    pub context: Option<String>,
    pub stem: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options: Option<Vec<Choice>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub left: Option<Vec<Choice>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub right: Option<Vec<Choice>>,
}

fn choices(texts: &[String], order: &[usize]) -> Vec<Choice> {
    order
        .iter()
        .filter_map(|&i| {
            texts.get(i).map(|t| Choice {
                index: i,
                text: t.clone(),
            })
        })
        .collect()
}

/// The items of a form as shown, in the form's order. Items the bank no
/// longer has are skipped (a form always belongs to its bank version, so
/// this does not happen in practice).
pub fn view_form(bank: &Bank, form: &Form) -> Vec<ItemView> {
    form.items
        .iter()
        .filter_map(|f| {
            let item = bank.item(&f.id)?;
            let (options, left, right) = match &item.kind {
                ItemKind::Single { options, .. }
                | ItemKind::Multiple { options, .. }
                | ItemKind::Ordering { options, .. } => {
                    (Some(choices(options, &f.options)), None, None)
                }
                ItemKind::Matching { left, right, .. } => (
                    None,
                    Some(choices(left, &f.left)),
                    Some(choices(right, &f.right)),
                ),
                ItemKind::Numeric { .. } | ItemKind::Text { .. } => (None, None, None),
            };
            Some(ItemView {
                id: item.id.clone(),
                kind: item.kind.name(),
                competence: bank.competence_code(&item.competence),
                context: item.context.clone(),
                stem: item.stem.clone(),
                options,
                left,
                right,
            })
        })
        .collect()
}
