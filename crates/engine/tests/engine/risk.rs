//! Service risk through the exact fault tree engine, against enumeration of every
//! combination of asset states.

use super::{Brute, random_model};
use bulwark_engine::Compiled;
use bulwark_engine::risk::service_fault_tree;
use bulwark_fta::{Options, analyse};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn service_loss_probability_matches_enumeration(seed in any::<u64>(), ps in proptest::collection::vec(0.0f64..0.5, 7)) {
        let m = random_model(seed);
        let c = Compiled::new(&m).unwrap();
        let probabilities: Vec<f64> = (0..c.assets.len()).map(|i| ps[i]).collect();
        for (i, s) in m.services.iter().enumerate() {
            let tree = service_fault_tree(&c, &probabilities, i as u32).unwrap();
            let got = analyse(&tree, &Options { cut_sets: false, ..Options::default() }).unwrap().probability;
            let mut expected = 0.0;
            for state in 0u32..(1 << m.assets.len()) {
                let failed = (0..m.assets.len()).filter(|a| state >> a & 1 == 1).map(|a| m.assets[a].meta.id.to_string()).collect();
                if (Brute { m: &m, failed }).lost(s) {
                    expected += (0..m.assets.len()).map(|a| if state >> a & 1 == 1 { probabilities[a] } else { 1.0 - probabilities[a] }).product::<f64>();
                }
            }
            prop_assert!((got - expected).abs() < 1e-9, "service {} of seed {seed}: {got} vs {expected}", s.meta.id);
        }
    }
}
