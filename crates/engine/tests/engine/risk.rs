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

mod yearly {
    use super::random_model;
    use bulwark_engine::Compiled;
    use bulwark_engine::montecarlo::{McOptions, monte_carlo};
    use bulwark_engine::risk::RiskInputs;
    use bulwark_model::generate::{Shape, generate};
    use bulwark_model::{Duration, Failure, Model, Pos};
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    const TRIALS: u64 = 20_000;

    /// `risk`'s `p_loss` and `p_breach` against Monte Carlo's on `m`: exact figures within four
    /// standard errors (worked out from the exact figure, plus a few trials' worth, so a
    /// rare event that Monte Carlo happened not to see still passes); estimates also within
    /// 10% of their value.
    fn agree(m: &Model, what: &str) -> usize {
        let c = Compiled::new(m).unwrap();
        let inputs = RiskInputs::new(&c, m);
        let mc = monte_carlo(
            m,
            &c,
            McOptions {
                trials: TRIALS,
                seed: 11,
            },
            &|_| {},
        );
        let n = TRIALS as f64;
        let mut checked = 0;
        for (i, s) in c.services.iter().enumerate() {
            let r = inputs.service(&c, i as u32, 4).unwrap();
            let sim = mc.services[i];
            for (name, exact_figure, exact, simulated) in [
                ("p_loss", r.p_loss, r.p_loss_exact, sim.p_loss),
                ("p_breach", r.p_breach, r.p_breach_exact, sim.p_breach),
            ] {
                let p = exact_figure;
                let mut tolerance = 4.0 * (p * (1.0 - p) / n).sqrt() + 3.0 / n;
                if !exact {
                    tolerance += 0.1 * p;
                }
                if (p - simulated).abs() > tolerance {
                    eprintln!(
                        "{}",
                        bulwark_model::export::write(m, bulwark_model::export::Format::Yaml)
                    );
                }
                assert!(
                    (p - simulated).abs() <= tolerance,
                    "{what}, service {}: risk {name} {p} ({}) against Monte Carlo {simulated}",
                    s.id,
                    if exact { "exact" } else { "estimate" }
                );
                checked += usize::from(p > 0.0);
            }
        }
        checked
    }

    #[test]
    fn risk_and_monte_carlo_agree_on_generated_councils() {
        for seed in [1, 2] {
            let m = generate(Shape { services: 30, seed });
            assert!(agree(&m, &format!("generated council {seed}")) > 10);
        }
    }

    #[test]
    fn risk_and_monte_carlo_agree_on_random_models_with_workarounds() {
        let mut checked = 0;
        for seed in 0..40u64 {
            let mut m = random_model(seed);
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            for a in &mut m.assets {
                a.failure = match rng.random_range(0..3) {
                    0 => None,
                    1 => Some(Failure::Rate {
                        rate: [0.5, 1.0, 3.0][rng.random_range(0..3)],
                        repair: ["4h", "1d", "3d"][rng.random_range(0..3)].parse().unwrap(),
                    }),
                    _ => Some(Failure::Probability(
                        [0.05, 0.2, 0.4][rng.random_range(0..3)],
                    )),
                };
                if rng.random_bool(0.5) {
                    a.recovery_rto = Some((Duration::from_minutes(2 * 1440), Pos::default()));
                }
            }
            checked += agree(&m, &format!("random model {seed}"));
        }
        assert!(checked > 20, "{checked}");
    }
}
