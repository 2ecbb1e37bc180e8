//! Every bank the project ships in `assessment-banks/` is valid, and scores
//! 100 % on its own keys and 0 % when nothing is answered.

use std::collections::BTreeMap;

use domain::bank::{Bank, ItemKind};
use domain::scoring::{Response, score_attempt};
use domain::{Level, Rational};

fn shipped() -> Vec<Bank> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../assessment-banks");
    banks::load_dir(dir).unwrap_or_else(|e| panic!("\n{e}"))
}

fn key(kind: &ItemKind) -> Response {
    match kind {
        ItemKind::Single { answer, .. } => Response::Index(*answer),
        ItemKind::Multiple { answer, .. } | ItemKind::Ordering { answer, .. } => {
            Response::Indices(answer.clone())
        }
        ItemKind::Matching { answer, .. } => Response::Pairs(answer.clone()),
        ItemKind::Numeric { value, .. } => Response::Number(value.clone()),
        ItemKind::Text { accepted } => Response::Text(accepted[0].clone()),
    }
}

#[test]
fn every_shipped_bank_loads_and_scores() {
    for bank in shipped() {
        assert!(!bank.items.is_empty(), "{}", bank.id);
        let keys: BTreeMap<String, Response> = bank
            .items
            .iter()
            .map(|i| (i.id.clone(), key(&i.kind)))
            .collect();
        let best = score_attempt(&bank, &keys).unwrap();
        assert_eq!(
            best.competences.len(),
            bank.competences.len(),
            "{}",
            bank.id
        );
        assert_eq!(best.overall.percent, Rational::integer(100), "{}", bank.id);
        assert_eq!(best.overall.level, Level::None, "{}", bank.id);

        let nothing: BTreeMap<String, Response> = bank
            .items
            .iter()
            .map(|i| (i.id.clone(), Response::Null))
            .collect();
        let worst = score_attempt(&bank, &nothing).unwrap();
        assert_eq!(worst.overall.percent, Rational::ZERO, "{}", bank.id);
        assert_eq!(worst.overall.level, Level::Critical, "{}", bank.id);
    }
}
