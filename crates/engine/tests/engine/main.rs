//! The engine's analyses checked against a brute-force evaluator on thousands of random models.
//!
//! The brute force works straight from the model's expressions, by the format's definitions
//! (min, max, k-th largest, staff shared in proportion, lost below MBCO), enumerating failure
//! sets; it shares no code with the engine beyond the model types.
#![allow(clippy::unwrap_used, clippy::string_slice)] // test code: a panic is a failed test

use bulwark_engine::{Compiled, ItemRef, spof::ServiceSpof};
use bulwark_model::*;
use proptest::prelude::*;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeSet;

mod budget;
mod estate;
mod risk;
mod simulate;
mod switchover;
mod templates;
mod workarounds;

fn meta(id: &str) -> Meta {
    Meta {
        id: Id::parse(id).unwrap(),
        name: id.to_string(),
        ..Meta::default()
    }
}

fn r(id: &str) -> Ref {
    Ref {
        id: id.to_string(),
        pos: Pos::default(),
    }
}

/// A random expression over `pool` (ids of items it may depend on).
fn expr(rng: &mut ChaCha8Rng, pool: &[String], depth: u32) -> Need {
    let leaf = depth == 0 || rng.random_bool(0.4);
    if leaf {
        return Need::Ref(r(&pool[rng.random_range(0..pool.len())]));
    }
    let n = rng.random_range(1..=3);
    let parts: Vec<Need> = (0..n).map(|_| expr(rng, pool, depth - 1)).collect();
    match rng.random_range(0..3) {
        0 => Need::All(parts, Pos::default()),
        1 => Need::Any(parts, Pos::default()),
        _ => Need::AtLeast {
            k: rng.random_range(1..=parts.len() as u32),
            of: parts,
            pos: Pos::default(),
        },
    }
}

fn random_model(seed: u64) -> Model {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut m = Model::default();
    let n_assets = rng.random_range(1..=7);
    let n_services = rng.random_range(1..=5);
    let n_skills = rng.random_range(0..=2);
    for k in 0..n_skills {
        m.skills.push(Skill {
            meta: meta(&format!("k{k}")),
            headcount: [2.0, 4.0, 5.0][rng.random_range(0..3)],
            can_cover: vec![],
        });
    }
    let mut pool: Vec<String> = Vec::new();
    for a in 0..n_assets {
        let id = format!("a{a}");
        let needs = (!pool.is_empty() && rng.random_bool(0.4)).then(|| expr(&mut rng, &pool, 2));
        m.assets.push(Asset {
            meta: meta(&id),
            kind: AssetKind::Other,
            needs,
            ..Asset::default()
        });
        pool.push(id);
    }
    for s in 0..n_services {
        let id = format!("s{s}");
        let needs = rng.random_bool(0.9).then(|| expr(&mut rng, &pool, 3));
        let staff = if n_skills > 0 && rng.random_bool(0.5) {
            vec![StaffNeed {
                skill: r(&format!("k{}", rng.random_range(0..n_skills))),
                fte: [1.0, 2.0, 3.0][rng.random_range(0..3)],
            }]
        } else {
            vec![]
        };
        let mbco = [0.0, 0.3, 0.5, 0.7, 1.0][rng.random_range(0..5)];
        let mtpd = [None, Some("4h"), Some("1d"), Some("3d")][rng.random_range(0..4)]
            .map(|d| (d.parse::<Duration>().unwrap(), Pos::default()));
        let workarounds = (0..[0, 0, 1, 2][rng.random_range(0..4)])
            .map(|w| Workaround {
                name: format!("w{w}"),
                capacity: Percent::from_fraction([0.3, 0.5, 0.7, 1.0][rng.random_range(0..4)])
                    .unwrap(),
                after: ["0h", "2h", "1d"][rng.random_range(0..3)].parse().unwrap(),
                lasts: rng.random_bool(0.3).then(|| "10h".parse().unwrap()),
                needs: rng.random_bool(0.6).then(|| expr(&mut rng, &pool, 2)),
                staff: if n_skills > 0 && rng.random_bool(0.3) {
                    vec![StaffNeed {
                        skill: r(&format!("k{}", rng.random_range(0..n_skills))),
                        fte: 1.0,
                    }]
                } else {
                    vec![]
                },
                ..Workaround::default()
            })
            .collect();
        m.services.push(Service {
            meta: meta(&id),
            needs,
            staff,
            mbco: Some(Percent::from_fraction(mbco).unwrap()),
            mtpd,
            workarounds,
            ..Service::default()
        });
        pool.push(id);
    }
    m
}

/// Makes some alternatives of `any` and `atleast` lists standbys with random switchover times,
/// keeping as many parts without one as the list needs (as the format requires).
fn add_standbys(need: &mut Need, rng: &mut ChaCha8Rng) {
    let (k, parts) = match need {
        Need::Ref(_) | Need::Standby { .. } => return,
        Need::All(parts, _) => (0, parts),
        Need::Any(parts, _) => (1, parts),
        Need::AtLeast { k, of, .. } => (*k as usize, of),
    };
    for p in parts.iter_mut() {
        add_standbys(p, rng);
    }
    if k == 0 {
        return;
    }
    let mut immediate = parts.len();
    for p in parts.iter_mut().rev() {
        if immediate > k && rng.random_bool(0.5) {
            immediate -= 1;
            let inner = std::mem::replace(p, Need::All(vec![], Pos::default()));
            *p = Need::Standby {
                need: Box::new(inner),
                switchover: Duration::from_minutes([0, 30, 120, 600][rng.random_range(0..4)]),
                pos: Pos::default(),
            };
        }
    }
}

/// `m` with standbys sprinkled over its expressions (see [`add_standbys`]).
fn with_standbys(mut m: Model, rng: &mut ChaCha8Rng) -> Model {
    for s in &mut m.services {
        if let Some(n) = &mut s.needs {
            add_standbys(n, rng);
        }
        for w in &mut s.workarounds {
            if let Some(n) = &mut w.needs {
                add_standbys(n, rng);
            }
        }
    }
    for a in &mut m.assets {
        if let Some(n) = &mut a.needs {
            add_standbys(n, rng);
        }
    }
    m
}

/// Capacities by the format's definitions, evaluated naively.
struct Brute<'m> {
    m: &'m Model,
    failed: BTreeSet<String>,
}

impl Brute<'_> {
    fn need(&self, n: &Need) -> f64 {
        match n {
            Need::Ref(r) => self.item(&r.id),
            Need::All(ps, _) => ps.iter().map(|p| self.need(p)).fold(1.0, f64::min),
            Need::Any(ps, _) => ps.iter().map(|p| self.need(p)).fold(0.0, f64::max),
            Need::AtLeast { k, of, .. } => {
                let mut v: Vec<f64> = of.iter().map(|p| self.need(p)).collect();
                v.sort_by(|a, b| b.total_cmp(a));
                v[*k as usize - 1]
            }
            // Structurally a standby is a plain alternative: switchover times are the
            // simulation's business.
            Need::Standby { need, .. } => self.need(need),
        }
    }

    fn staff(&self, s: &Service) -> f64 {
        let mut f: f64 = 1.0;
        for st in &s.staff {
            let skill = self
                .m
                .skills
                .iter()
                .find(|k| k.meta.id.as_str() == st.skill.id)
                .unwrap();
            let required: f64 = self
                .m
                .services
                .iter()
                .flat_map(|x| &x.staff)
                .filter(|x| x.skill.id == st.skill.id)
                .map(|x| x.fte)
                .sum();
            let available = if self.failed.contains(&st.skill.id) {
                0.0
            } else {
                skill.headcount
            };
            f = f.min((available / required).min(1.0));
        }
        f
    }

    fn item(&self, id: &str) -> f64 {
        let own = if self.failed.contains(id) { 0.0 } else { 1.0 };
        if let Some(a) = self.m.assets.iter().find(|a| a.meta.id.as_str() == id) {
            return a.needs.as_ref().map_or(own, |n| own.min(self.need(n)));
        }
        let s = self
            .m
            .services
            .iter()
            .find(|s| s.meta.id.as_str() == id)
            .unwrap();
        let needs = s.needs.as_ref().map_or(1.0, |n| self.need(n));
        let core = own.min(needs).min(self.staff(s));
        // Workarounds that reach the MBCO and start before the MTPD are alternatives.
        s.workarounds
            .iter()
            .filter(|w| structural(s, w))
            .map(|w| {
                let needs = w.needs.as_ref().map_or(1.0, |n| self.need(n));
                w.capacity.fraction().min(needs)
            })
            .fold(core, f64::max)
    }

    fn lost(&self, s: &Service) -> bool {
        self.item(s.meta.id.as_str()) < s.mbco().fraction()
    }
}

/// Whether the structural analyses count workaround `w` of `s`, by the format's words.
fn structural(s: &Service, w: &Workaround) -> bool {
    w.capacity.fraction() >= s.mbco().fraction() && s.mtpd.is_none_or(|(m, _)| w.after < m)
}

fn subsets(n: usize, max: usize) -> Vec<Vec<usize>> {
    let mut out = vec![vec![]];
    for size in 1..=max.min(n) {
        let mut idx: Vec<usize> = (0..size).collect();
        loop {
            out.push(idx.clone());
            let mut i = size;
            while i > 0 && idx[i - 1] == n - size + i - 1 {
                i -= 1;
            }
            if i == 0 {
                break;
            }
            idx[i - 1] += 1;
            for j in i..size {
                idx[j] = idx[j - 1] + 1;
            }
        }
    }
    out
}

fn brute_lost(m: &Model, service: &Service, failed: &[usize]) -> bool {
    let failed = failed
        .iter()
        .map(|i| m.assets[*i].meta.id.to_string())
        .collect();
    Brute { m, failed }.lost(service)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn spof_matches_brute_force(seed in any::<u64>()) {
        let m = random_model(seed);
        let c = Compiled::new(&m).unwrap();
        for (i, s) in m.services.iter().enumerate() {
            let expected = if brute_lost(&m, s, &[]) {
                ServiceSpof::LostWithoutFailure
            } else {
                ServiceSpof::Assets((0..m.assets.len() as u32).filter(|a| brute_lost(&m, s, &[*a as usize])).collect())
            };
            prop_assert_eq!(&c.spof()[i], &expected, "service {} of seed {}", s.meta.id, seed);
        }
    }

    /// Single points of failure that breach the MTPD: by brute force, each asset failed alone
    /// loses the service and takes at least the MTPD to restore (its `recovery: {rto}`, else its mean
    /// repair time), or nobody knows how long it takes.
    #[test]
    fn breaching_spof_matches_brute_force(seed in any::<u64>()) {
        let mut m = random_model(seed);
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xb4ea);
        let span = |rng: &mut ChaCha8Rng| -> Duration { ["2h", "1d", "3d", "5d"][rng.random_range(0..4)].parse().unwrap() };
        for a in &mut m.assets {
            let pick = rng.random_range(0..4);
            if pick & 1 == 1 {
                a.recovery_rto = Some((span(&mut rng), Pos::default()));
            }
            if pick & 2 == 2 {
                a.failure = Some(Failure::Rate { rate: 1.0, repair: span(&mut rng) });
            }
        }
        let recovery = |a: &Asset| a.recovery_rto.map(|(d, _)| d).or(match &a.failure {
            Some(Failure::Rate { repair, .. }) => Some(*repair),
            _ => None,
        });
        let c = Compiled::new(&m).unwrap();
        let breach = c.breach_spof(&c.spof());
        for (i, s) in m.services.iter().enumerate() {
            let expected: Vec<u32> = match s.mtpd {
                Some((mtpd, _)) if !brute_lost(&m, s, &[]) => (0..m.assets.len())
                    .filter(|a| brute_lost(&m, s, &[*a]))
                    .filter(|a| recovery(&m.assets[*a]).is_none_or(|r| r.minutes() >= mtpd.minutes()))
                    .map(|a| a as u32)
                    .collect(),
                _ => vec![],
            };
            prop_assert_eq!(&breach[i], &expected, "service {} of seed {}", s.meta.id, seed);
        }
    }

    #[test]
    fn cut_sets_match_brute_force(seed in any::<u64>(), max_order in 1usize..=4) {
        let m = random_model(seed);
        let c = Compiled::new(&m).unwrap();
        let all = subsets(m.assets.len(), max_order);
        for (i, s) in m.services.iter().enumerate() {
            let lost: Vec<&Vec<usize>> = all.iter().filter(|f| brute_lost(&m, s, f)).collect();
            let minimal: Vec<Vec<u32>> = lost
                .iter()
                .filter(|f| !lost.iter().any(|g| g.len() < f.len() && g.iter().all(|x| f.contains(x))))
                .map(|f| f.iter().map(|x| *x as u32).collect())
                .collect();
            let mut expected = if s.mbco().fraction() == 0.0 { vec![] } else { minimal };
            expected.sort_by(|a, b| a.len().cmp(&b.len()).then(a.cmp(b)));
            let got: Vec<Vec<u32>> = c.cut_sets(i as u32, max_order).into_iter().map(|s| s.to_vec()).collect();
            prop_assert_eq!(got, expected, "service {} of seed {}", s.meta.id, seed);
        }
    }

    #[test]
    fn impact_matches_brute_force(seed in any::<u64>(), pick in any::<u64>()) {
        let m = random_model(seed);
        let c = Compiled::new(&m).unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(pick);
        let mut ids: Vec<String> = m.assets.iter().map(|a| a.meta.id.to_string())
            .chain(m.services.iter().map(|s| s.meta.id.to_string()))
            .chain(m.skills.iter().map(|s| s.meta.id.to_string()))
            .filter(|_| rng.random_bool(0.25))
            .collect();
        ids.sort();
        let refs: Vec<ItemRef> = ids.iter().map(|id| c.lookup(id).unwrap()).collect();
        let impact = c.impact(&refs);
        let brute = Brute { m: &m, failed: ids.iter().cloned().collect() };
        let mut lost = vec![];
        let mut degraded = vec![];
        for (i, s) in m.services.iter().enumerate() {
            let cap = brute.item(s.meta.id.as_str());
            if cap < s.mbco().fraction() { lost.push((i as u32, cap)) } else if cap < 1.0 { degraded.push((i as u32, cap)) }
        }
        prop_assert_eq!(impact.lost.iter().map(|l| (l.service, l.capacity)).collect::<Vec<_>>(), lost);
        prop_assert_eq!(impact.degraded.iter().map(|d| (d.service, d.capacity)).collect::<Vec<_>>(), degraded);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    /// Switchover times change nothing in the structural analyses: a standby is a plain
    /// alternative there.
    #[test]
    fn standbys_are_plain_alternatives_in_the_structural_analyses(seed in any::<u64>(), pick in any::<u64>()) {
        let plain = random_model(seed);
        let m = with_standbys(plain.clone(), &mut ChaCha8Rng::seed_from_u64(pick));
        let (c, p) = (Compiled::new(&m).unwrap(), Compiled::new(&plain).unwrap());
        prop_assert_eq!(c.spof(), p.spof());
        for (i, s) in m.services.iter().enumerate() {
            let got: Vec<Vec<u32>> = c.cut_sets(i as u32, 3).into_iter().map(|s| s.to_vec()).collect();
            let expected: Vec<Vec<u32>> = p.cut_sets(i as u32, 3).into_iter().map(|s| s.to_vec()).collect();
            prop_assert_eq!(got, expected, "service {} of seed {}", s.meta.id, seed);
        }
        for a in 0..m.assets.len() {
            let failed = [c.lookup(m.assets[a].meta.id.as_str()).unwrap()];
            let (x, y) = (c.impact(&failed), p.impact(&failed));
            prop_assert_eq!(x.lost.iter().map(|l| (l.service, l.capacity)).collect::<Vec<_>>(), y.lost.iter().map(|l| (l.service, l.capacity)).collect::<Vec<_>>());
            let brute = Brute { m: &m, failed: [m.assets[a].meta.id.to_string()].into() };
            for (i, s) in m.services.iter().enumerate() {
                prop_assert_eq!(x.lost.iter().any(|l| l.service == i as u32), brute.lost(s));
            }
        }
    }
}

#[test]
fn redundant_sites_on_one_substation_make_it_a_single_point_of_failure() {
    let text = r#"
bulwark: 1
assets:
  - {id: substation, name: Substation, kind: utility}
  - {id: hall, name: Hall, kind: site, needs: [substation]}
  - {id: depot, name: Depot, kind: site, needs: [substation]}
  - {id: app, name: App, kind: it-system}
services:
  - id: care
    name: Care
    needs: [{any: [hall, depot]}, app]
"#;
    let loaded = load_str("m.yaml", text);
    assert!(loaded.is_valid(), "{:?}", loaded.diagnostics);
    let c = Compiled::new(&loaded.model).unwrap();
    let ServiceSpof::Assets(spof) = &c.spof()[0] else {
        panic!("not lost at baseline")
    };
    let ids: Vec<&str> = spof
        .iter()
        .map(|a| c.assets[*a as usize].id.as_str())
        .collect();
    assert_eq!(ids, ["substation", "app"]);
    let impact = c.impact(&[c.lookup("substation").unwrap()]);
    assert_eq!(
        impact.lost[0].because.to_string(),
        "care needs hall (its alternative depot is lost too), which needs substation, which failed"
    );
    let impact = c.impact(&[c.lookup("app").unwrap(), c.lookup("hall").unwrap()]);
    assert_eq!(
        impact.lost[0].because.to_string(),
        "care needs app, which failed"
    );
}

#[test]
fn deep_chains_do_not_overflow_the_stack() {
    let mut m = Model::default();
    for i in 0..5_000 {
        let needs = (i > 0).then(|| Need::Ref(r(&format!("a{}", i - 1))));
        m.assets.push(Asset {
            meta: meta(&format!("a{i}")),
            needs,
            ..Asset::default()
        });
    }
    m.services.push(Service {
        meta: meta("s"),
        needs: Some(Need::Ref(r("a4999"))),
        ..Service::default()
    });
    let c = Compiled::new(&m).unwrap();
    let ServiceSpof::Assets(spof) = &c.spof()[0] else {
        panic!()
    };
    assert_eq!(spof.len(), 5_000);
}
