//! Drawing an attempt's form from the shipped banks.

use std::collections::BTreeSet;
use std::path::Path;

use domain::ItemKind;
use domain::attempt::{draw_form, view_form};
use rand::SeedableRng;

fn shipped() -> Vec<domain::Bank> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assessment-banks");
    banks::load_dir(&dir).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn a_form_draws_items_per_attempt_from_each_competence() {
    for bank in shipped() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let form = draw_form(&bank, &mut rng);
        let expected: u32 = bank.competences.iter().map(|c| c.items_per_attempt).sum();
        assert_eq!(form.items.len() as u32, expected, "{}", bank.id);
        let ids: BTreeSet<_> = form.items.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(ids.len(), form.items.len(), "no item twice");
        for c in &bank.competences {
            let n = form
                .items
                .iter()
                .filter(|f| bank.item(&f.id).unwrap().competence == c.code)
                .count();
            assert_eq!(n as u32, c.items_per_attempt);
        }
        // Every shuffled order is a permutation of the bank's indices.
        for f in &form.items {
            let item = bank.item(&f.id).unwrap();
            let len = match &item.kind {
                ItemKind::Single { options, .. }
                | ItemKind::Multiple { options, .. }
                | ItemKind::Ordering { options, .. } => options.len(),
                _ => 0,
            };
            let mut sorted = f.options.clone();
            sorted.sort_unstable();
            assert_eq!(sorted, (0..len).collect::<Vec<_>>());
        }
    }
}

#[test]
fn forms_vary_between_attempts() {
    let bank = &shipped()[0];
    let forms: BTreeSet<Vec<String>> = (0..20)
        .map(|seed| {
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
            draw_form(bank, &mut rng)
                .items
                .into_iter()
                .map(|i| i.id)
                .collect()
        })
        .collect();
    assert!(forms.len() > 1, "twenty attempts all got the same items");
}

#[test]
fn the_view_never_carries_answers_or_explanations() {
    for bank in shipped() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let form = draw_form(&bank, &mut rng);
        let view = serde_json::to_string(&view_form(&bank, &form)).unwrap();
        assert!(!view.contains("\"answer"), "{}", bank.id);
        assert!(!view.contains("explanation"), "{}", bank.id);
        for item in &bank.items {
            if let Some(e) = &item.explanation {
                assert!(
                    !view.contains(e.as_str()),
                    "{}: explanation leaked",
                    item.id
                );
            }
        }
    }
}
