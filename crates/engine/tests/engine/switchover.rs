//! Standbys and stocks over time: the simulation against the minute-by-minute brute force of
//! `workarounds.rs`, on random models with standbys, stocks and resupply events; and the same
//! answers as before for models without them.

use super::workarounds::{brute_all, spans};
use super::{meta, r, random_model, with_standbys};
use bulwark_engine::Compiled;
use bulwark_engine::simulate::{Options, simulate};
use bulwark_model::*;
use proptest::prelude::*;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The standbys of `n` as the engine numbers them: by gate, after everything below it, in
/// the order written; each as (the gate's address, the part's index).
fn walk(n: &Need, out: &mut Vec<(usize, usize)>) {
    match n {
        Need::Ref(_) => {}
        Need::Standby { need, .. } => walk(need, out),
        Need::All(ps, _) => ps.iter().for_each(|p| walk(p, out)),
        Need::Any(ps, _) | Need::AtLeast { of: ps, .. } => {
            for p in ps {
                walk(p, out);
            }
            let key = n as *const Need as usize;
            (ps.iter().enumerate())
                .filter(|(_, p)| matches!(p, Need::Standby { .. }))
                .for_each(|(i, _)| out.push((key, i)));
        }
    }
}

/// Every standby of `m` in the engine's order: services' needs, assets' needs, then
/// workarounds' needs.
fn standbys_in_order(m: &Model) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for n in (m.services.iter().filter_map(|s| s.needs.as_ref()))
        .chain(m.assets.iter().filter_map(|a| a.needs.as_ref()))
    {
        walk(n, &mut out);
    }
    for s in &m.services {
        for n in s.workarounds.iter().filter_map(|w| w.needs.as_ref()) {
            walk(n, &mut out);
        }
    }
    out
}

fn minutes(v: &[(Duration, Option<Duration>)]) -> Vec<(u64, Option<u64>)> {
    v.iter()
        .map(|(a, b)| (a.minutes(), b.map(|b| b.minutes())))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn standbys_and_stocks_match_the_minute_by_minute_brute_force(seed in any::<u64>(), pick in any::<u64>()) {
        let mut rng = ChaCha8Rng::seed_from_u64(pick);
        let mut m = with_standbys(random_model(seed), &mut rng);
        let horizon = 3 * 1440;
        for a in &mut m.assets {
            if rng.random_bool(0.4) {
                a.stock = Some(Stock {
                    lasts: Duration::from_minutes([60, 600, 1440][rng.random_range(0..3)]),
                    resupply: [None, Some(120), Some(1000)][rng.random_range(0..3)].map(Duration::from_minutes),
                    pos: Pos::default(),
                });
            }
        }
        let items: Vec<String> = (m.assets.iter().map(|a| a.meta.id.to_string()))
            .chain(m.services.iter().map(|s| s.meta.id.to_string()))
            .collect();
        let stocks: Vec<String> = (m.assets.iter())
            .filter(|a| a.stock.is_some())
            .map(|a| a.meta.id.to_string())
            .collect();
        let mut outages = Vec::new();
        let mut deliveries = Vec::new();
        let mut events = Vec::new();
        for _ in 0..rng.random_range(1..=4) {
            let id = items[rng.random_range(0..items.len())].clone();
            let at = rng.random_range(0..(horizon / 10)) * 10;
            let length = rng.random_bool(0.8).then(|| rng.random_range(1..=150) * 10);
            outages.push((id.clone(), at, length.map_or(u64::MAX, |l| at + l)));
            events.push(Event {
                kind: EventKind::Outage(r(&id)),
                at: Duration::from_minutes(at),
                duration: length.map(Duration::from_minutes),
                pos: Pos::default(),
                extensions: Vec::new(),
            });
        }
        if !stocks.is_empty() {
            for _ in 0..rng.random_range(0..=2) {
                let id = stocks[rng.random_range(0..stocks.len())].clone();
                let at = rng.random_range(0..(horizon / 10)) * 10;
                deliveries.push((at, id.clone()));
                events.push(Event {
                    kind: EventKind::Resupply(r(&id)),
                    at: Duration::from_minutes(at),
                    duration: None,
                    pos: Pos::default(),
                    extensions: Vec::new(),
                });
            }
        }
        m.scenarios.push(Scenario {
            meta: meta("sc"),
            horizon: Some(Duration::from_minutes(horizon)),
            events,
            ..Scenario::default()
        });
        let c = Compiled::new(&m).unwrap();
        let sim = simulate(&m, &c, "sc", &Options::default()).unwrap();
        let found = brute_all(&m, &outages, &deliveries, horizon);
        for (i, s) in m.services.iter().enumerate() {
            let got = minutes(&sim.services[i].lost_spans);
            prop_assert_eq!(&got, &spans(&found.lost[i]), "service {} of seed {} pick {}", s.meta.id, seed, pick);
        }
        let mut w = 0;
        for (i, s) in m.services.iter().enumerate() {
            for k in 0..s.workarounds.len() {
                prop_assert_eq!(&minutes(&sim.workarounds[w]), &found.standby[i].spans[k], "workaround {} of {}", k, s.meta.id);
                w += 1;
            }
        }
        let order = standbys_in_order(&m);
        prop_assert_eq!(order.len(), c.standbys.len());
        for (b, key) in order.iter().enumerate() {
            let expected = found.gates.up.get(key).cloned().unwrap_or_default();
            prop_assert_eq!(&minutes(&sim.standbys[b]), &expected, "standby {} of seed {} pick {}", b, seed, pick);
        }
        for (o, info) in sim.stocks.iter().zip(&c.stocks) {
            let id = &c.assets[info.asset as usize].id;
            let tank = &found.tanks[id];
            prop_assert_eq!(&minutes(&o.empty), &tank.empty, "empty spans of {} (seed {} pick {})", id, seed, pick);
            prop_assert_eq!(&minutes(&o.drawn), &tank.drawn, "drawn spans of {} (seed {} pick {})", id, seed, pick);
            let left = if tank.empty_since.is_some() { 0 } else { tank.left };
            prop_assert_eq!(o.left_at_horizon.minutes(), left);
        }
    }

    /// A standby that takes over at once is a plain alternative over time too.
    #[test]
    fn a_standby_with_no_switchover_time_is_a_plain_alternative(seed in any::<u64>(), pick in any::<u64>()) {
        let plain = random_model(seed);
        let mut m = with_standbys(plain.clone(), &mut ChaCha8Rng::seed_from_u64(pick));
        fn zero(n: &mut Need) {
            match n {
                Need::Ref(_) => {}
                Need::Standby { need, switchover, .. } => {
                    *switchover = Duration::from_minutes(0);
                    zero(need);
                }
                Need::All(ps, _) | Need::Any(ps, _) | Need::AtLeast { of: ps, .. } => ps.iter_mut().for_each(zero),
            }
        }
        for s in &mut m.services {
            s.needs.iter_mut().for_each(zero);
            s.workarounds.iter_mut().filter_map(|w| w.needs.as_mut()).for_each(zero);
        }
        m.assets.iter_mut().filter_map(|a| a.needs.as_mut()).for_each(zero);
        let mut rng = ChaCha8Rng::seed_from_u64(pick ^ 1);
        let mut events = Vec::new();
        for _ in 0..3 {
            let a = &plain.assets[rng.random_range(0..plain.assets.len())];
            events.push(Event {
                kind: EventKind::Outage(r(a.meta.id.as_str())),
                at: Duration::from_minutes(rng.random_range(0..200) * 10),
                duration: Some(Duration::from_minutes(rng.random_range(1..150) * 10)),
                pos: Pos::default(),
                extensions: Vec::new(),
            });
        }
        let scenario = Scenario { meta: meta("sc"), horizon: Some(Duration::from_minutes(3 * 1440)), events, ..Scenario::default() };
        m.scenarios.push(scenario.clone());
        let mut plain = plain;
        plain.scenarios.push(scenario);
        let (c, p) = (Compiled::new(&m).unwrap(), Compiled::new(&plain).unwrap());
        let a = simulate(&m, &c, "sc", &Options::default()).unwrap();
        let b = simulate(&plain, &p, "sc", &Options::default()).unwrap();
        prop_assert_eq!(a.services, b.services);
        prop_assert_eq!(a.workarounds, b.workarounds);
    }
}
