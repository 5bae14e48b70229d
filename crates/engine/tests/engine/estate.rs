//! Reliance on each asset (the estate's and supply chain's blast radius) agrees with
//! `impact` and with the brute-force evaluator on random models.

use super::{Brute, random_model};
use bulwark_engine::{Compiled, ItemRef};
use bulwark_model::Model;
use proptest::prelude::*;
use std::collections::BTreeSet;

/// Every id `id` needs, directly or through other items, by walking the model's expressions:
/// a service's own needs and those of its workarounds (it relies on both).
fn needs_of(m: &Model, id: &str, out: &mut BTreeSet<String>) {
    let mut needs: Vec<&bulwark_model::Need> = Vec::new();
    if let Some(a) = m.assets.iter().find(|a| a.meta.id.as_str() == id) {
        needs.extend(a.needs.as_ref());
    }
    if let Some(s) = m.services.iter().find(|s| s.meta.id.as_str() == id) {
        needs.extend(s.needs.as_ref());
        needs.extend(s.workarounds.iter().filter_map(|w| w.needs.as_ref()));
    }
    let mut refs = Vec::new();
    for n in needs {
        n.for_each_ref(&mut |r| refs.push(r.id.clone()));
    }
    for r in refs {
        if out.insert(r.clone()) {
            needs_of(m, &r, out);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn blast_radius_is_what_impact_and_brute_force_lose(seed in any::<u64>()) {
        let m = random_model(seed);
        let c = Compiled::new(&m).unwrap();
        let reliance = c.reliance(&c.spof());
        prop_assert_eq!(reliance.len(), m.assets.len());
        for (a, asset) in m.assets.iter().enumerate() {
            let impact: Vec<u32> = c.impact(&[ItemRef::Asset(a as u32)]).lost.iter().map(|l| l.service).collect();
            prop_assert_eq!(&reliance[a].lost_alone, &impact, "asset {} of seed {}", asset.meta.id, seed);
            let brute = Brute { m: &m, failed: [asset.meta.id.to_string()].into() };
            let expected: Vec<u32> = (0..m.services.len() as u32)
                .filter(|s| brute.lost(&m.services[*s as usize]))
                .collect();
            prop_assert_eq!(&reliance[a].lost_alone, &expected);
            let needing: Vec<u32> = (0..m.services.len() as u32)
                .filter(|s| {
                    let mut seen = BTreeSet::new();
                    needs_of(&m, m.services[*s as usize].meta.id.as_str(), &mut seen);
                    seen.contains(asset.meta.id.as_str())
                })
                .collect();
            prop_assert_eq!(&reliance[a].needed_by, &needing, "asset {} of seed {}", asset.meta.id, seed);
            let mut behind = BTreeSet::new();
            needs_of(&m, asset.meta.id.as_str(), &mut behind);
            let expected: Vec<u32> = (0..m.assets.len() as u32)
                .filter(|x| *x != a as u32 && behind.contains(m.assets[*x as usize].meta.id.as_str()))
                .collect();
            prop_assert_eq!(c.assets_needed_by_asset(a as u32), expected);
        }
    }
}
