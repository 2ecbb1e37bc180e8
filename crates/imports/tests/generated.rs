//! The synthetic region of `gen-region` imports cleanly, its results
//! against the shipped bank they name.

use std::fs;
use std::path::Path;

use chrono::NaiveDate;
use domain::Level;
use imports::{Kind, plan, plan_results_on};
use store::Directory;

#[test]
fn a_generated_region_and_its_results_import() {
    let as_of = NaiveDate::from_ymd_opt(2026, 3, 15).unwrap();
    let out = tempfile::tempdir().unwrap();
    let summary = gen_region::generate(&gen_region::Options {
        teachers: 400,
        seed: 9,
        as_of,
        out: out.path().to_path_buf(),
        progress: false,
    })
    .unwrap();

    // Every file is new to an empty directory: applying is appending.
    let mut dir = Directory::default();
    for kind in [
        Kind::Municipalities,
        Kind::Schools,
        Kind::Staff,
        Kind::Methodists,
    ] {
        let file = out.path().join(format!("{kind}.csv"));
        let bytes = fs::read(&file).unwrap();
        let p = plan(kind, &file.display().to_string(), &bytes, &dir)
            .unwrap_or_else(|e| panic!("{kind}:\n{e}"));
        let c = p.changes;
        dir.municipalities.extend(c.municipalities);
        dir.schools.extend(c.schools);
        for a in c.accounts {
            match dir.accounts.iter_mut().find(|x| x.login == a.login) {
                Some(x) => *x = a,
                None => dir.accounts.push(a),
            }
        }
        dir.methodists.extend(c.methodists);
    }

    let bank_file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../assessment-banks")
        .join(format!("{}.toml", gen_region::RESULTS_BANK));
    let bank = banks::load_file(&bank_file).unwrap();
    let bytes = fs::read(out.path().join(gen_region::RESULTS_FILE)).unwrap();
    let results = plan_results_on("results.csv", &bytes, &[bank], &dir, as_of)
        .unwrap_or_else(|e| panic!("results:\n{e}"));
    assert_eq!(results.rows, summary.results);
    assert!(results.warnings.is_empty(), "{:?}", results.warnings);
    assert_eq!(results.diagnostics.len() * 5, summary.results);
    let mut overall = std::collections::BTreeSet::new();
    for d in &results.diagnostics {
        assert_eq!(d.competences.len(), 5);
        overall.insert(d.overall_level);
    }
    // Overall levels vary too.
    assert!(
        overall.contains(&Level::High) && overall.contains(&Level::Reduced),
        "{overall:?}"
    );
}
