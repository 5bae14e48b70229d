//! Workarounds, standbys and stocks over time: the simulation against a minute-by-minute brute
//! force that follows the format's words. A workaround is in use from `after` past the moment
//! the service was lost, while its own capacity stays below its MBCO, until its time in use
//! reaches `lasts`; the service's capacity is the greatest of its own and of the workarounds in
//! use. A standby gives nothing until `switchover` has passed since its `any` or `atleast` was
//! first short (its other parts alone below full capacity) in the current run of shortness. A
//! stock is drawn on, a minute at a time, while in use (always, or while a standby naming it is
//! up) and its asset is not out; it is empty after `lasts` minutes drawn, and full again at a
//! `resupply` event or `resupply` after it ran out.

use super::{meta, r, random_model};
use bulwark_engine::Compiled;
use bulwark_engine::simulate::{Options, simulate};
use bulwark_model::*;
use proptest::prelude::*;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Periods from a minute to a minute (`None`: to the horizon).
pub(super) type Spans = Vec<(u64, Option<u64>)>;

/// Where each `any` or `atleast` with standbys is in its run of shortness, by the address of
/// its expression: since when it is short, and the spans each of its standbys was up.
#[derive(Default)]
pub(super) struct Gates {
    short_since: HashMap<usize, Option<u64>>,
    pub(super) up: BTreeMap<(usize, usize), Spans>,
    /// Assets named directly by a standby that is up this minute.
    drawn: BTreeSet<String>,
}

/// One minute of the scenario: what has failed, and the capacity of services worked out so far.
struct Minute<'m> {
    m: &'m Model,
    t: u64,
    failed: BTreeSet<String>,
    /// Stocks empty this minute.
    empty: BTreeSet<String>,
    services: HashMap<String, f64>,
    suspended: &'m BTreeSet<String>,
    gates: &'m RefCell<Gates>,
}

impl Minute<'_> {
    fn need(&self, n: &Need) -> f64 {
        match n {
            Need::Ref(r) => self.item(&r.id),
            Need::All(ps, _) => ps.iter().map(|p| self.need(p)).fold(1.0, f64::min),
            Need::Any(ps, _) => self.kth(n, 1, ps),
            Need::AtLeast { k, of, .. } => self.kth(n, *k as usize, of),
            Need::Standby { need, .. } => self.need(need),
        }
    }

    /// The k-th largest of `parts`, a standby counting only once brought up.
    fn kth(&self, gate: &Need, k: usize, parts: &[Need]) -> f64 {
        let mut immediate: Vec<f64> = (parts.iter())
            .filter(|p| !matches!(p, Need::Standby { .. }))
            .map(|p| self.need(p))
            .collect();
        immediate.sort_by(|a, b| b.total_cmp(a));
        let short = immediate.get(k - 1).copied().unwrap_or(0.0) < 1.0 - 1e-9;
        let key = gate as *const Need as usize;
        let start = {
            let mut g = self.gates.borrow_mut();
            let e = g.short_since.entry(key).or_default();
            if short {
                e.get_or_insert(self.t);
            } else {
                *e = None;
            }
            *e
        };
        let mut v: Vec<f64> = Vec::new();
        for (i, p) in parts.iter().enumerate() {
            let Need::Standby {
                need, switchover, ..
            } = p
            else {
                v.push(self.need(p));
                continue;
            };
            let up = start.is_some_and(|s| self.t >= s + switchover.minutes());
            let value = self.need(need);
            let mut g = self.gates.borrow_mut();
            let spans = g.up.entry((key, i)).or_default();
            match (up, spans.last_mut()) {
                (true, Some((_, None))) => {}
                (true, _) => spans.push((self.t, None)),
                (false, Some((_, end @ None))) => *end = Some(self.t),
                (false, _) => {}
            }
            if up {
                if let Need::Ref(r) = need.as_ref() {
                    g.drawn.insert(r.id.clone());
                }
                v.push(value);
            } else {
                v.push(0.0);
            }
        }
        v.sort_by(|a, b| b.total_cmp(a));
        v[k - 1]
    }

    fn item(&self, id: &str) -> f64 {
        if let Some(v) = self.services.get(id) {
            return *v;
        }
        let a = self
            .m
            .assets
            .iter()
            .find(|a| a.meta.id.as_str() == id)
            .unwrap();
        let own = if self.failed.contains(id) || self.empty.contains(id) {
            0.0
        } else {
            1.0
        };
        a.needs.as_ref().map_or(own, |n| own.min(self.need(n)))
    }

    /// A skill's share for `staff` needing `extra` FTE beside the services.
    fn staff(&self, staff: &[StaffNeed], extra: bool) -> f64 {
        let mut f: f64 = 1.0;
        for st in staff {
            let skill = self
                .m
                .skills
                .iter()
                .find(|k| k.meta.id.as_str() == st.skill.id)
                .unwrap();
            let mut required: f64 = (self.m.services.iter())
                .filter(|x| !self.suspended.contains(x.meta.id.as_str()))
                .flat_map(|x| &x.staff)
                .filter(|x| x.skill.id == st.skill.id)
                .map(|x| x.fte)
                .sum();
            if extra {
                required += st.fte;
            }
            if st.fte > 0.0 {
                f = f.min((skill.headcount / required).min(1.0));
            }
        }
        f
    }
}

#[derive(Default, Clone)]
pub(super) struct Standby {
    episode: Option<u64>,
    used: Vec<u64>,
    in_use: Vec<bool>,
    pub(super) spans: Vec<Vec<(u64, Option<u64>)>>,
    /// Work waiting, oldest first: (minute it arrived in, units).
    queue: Vec<(u64, f64)>,
    backlog_peak: f64,
    overdue_peak: f64,
    unmet: f64,
}

/// Whether service `s` is in season at minute `t` of a scenario starting on `start`.
fn in_season(s: &Service, start: Option<chrono::NaiveDate>, t: u64) -> bool {
    match (s.season, start) {
        (Some(season), Some(start)) => season.contains(start + chrono::Days::new(t / 1440)),
        _ => true,
    }
}

/// A stock, minute by minute.
#[derive(Default, Clone, Debug, PartialEq)]
pub(super) struct Tank {
    pub(super) left: u64,
    pub(super) empty_since: Option<u64>,
    pub(super) empty: Vec<(u64, Option<u64>)>,
    pub(super) drawn: Vec<(u64, Option<u64>)>,
}

/// Opens or closes the last of `spans` at `t` as `on` says.
fn track(spans: &mut Vec<(u64, Option<u64>)>, on: bool, t: u64) {
    match (on, spans.last_mut()) {
        (true, Some((_, None))) => {}
        (true, _) => spans.push((t, None)),
        (false, Some((_, end @ None))) => *end = Some(t),
        (false, _) => {}
    }
}

/// What the brute force finds: lost minutes per service, each service's workarounds and work,
/// the spans each standby was up (by gate address and part), and each stock's state.
pub(super) struct Found {
    pub(super) lost: Vec<Vec<bool>>,
    pub(super) standby: Vec<Standby>,
    pub(super) gates: Gates,
    pub(super) tanks: BTreeMap<String, Tank>,
}

/// Lost minute by minute, and each service's workarounds and work, by brute force.
fn brute(
    m: &Model,
    outages: &[(String, u64, u64)],
    horizon: u64,
) -> (Vec<Vec<bool>>, Vec<Standby>) {
    let f = brute_all(m, outages, &[], horizon);
    (f.lost, f.standby)
}

/// [`brute`], with `deliveries` (minute, stock) and standbys and stocks reported too.
pub(super) fn brute_all(
    m: &Model,
    outages: &[(String, u64, u64)],
    deliveries: &[(u64, String)],
    horizon: u64,
) -> Found {
    let gates = RefCell::new(Gates::default());
    // Stocks named directly as a standby are drawn on only while one such standby is up.
    let mut on_standby: BTreeSet<String> = BTreeSet::new();
    let mut note = |n: &Need| {
        n.for_each_standby(&mut |inner, _| {
            if let Need::Ref(r) = inner {
                on_standby.insert(r.id.clone());
            }
        })
    };
    for s in &m.services {
        s.needs.iter().for_each(&mut note);
        s.workarounds
            .iter()
            .filter_map(|w| w.needs.as_ref())
            .for_each(&mut note);
    }
    m.assets
        .iter()
        .filter_map(|a| a.needs.as_ref())
        .for_each(&mut note);
    let mut tanks: BTreeMap<String, Tank> = (m.assets.iter())
        .filter_map(|a| {
            let st = a.stock?;
            Some((
                a.meta.id.to_string(),
                Tank {
                    left: st.lasts.minutes(),
                    ..Tank::default()
                },
            ))
        })
        .collect();
    let sc = &m.scenarios[0];
    let suspended: BTreeSet<String> = sc.suspend.iter().map(|r| r.id.clone()).collect();
    let mut standby: Vec<Standby> = (m.services.iter())
        .map(|s| Standby {
            used: vec![0; s.workarounds.len()],
            in_use: vec![false; s.workarounds.len()],
            spans: vec![Vec::new(); s.workarounds.len()],
            ..Standby::default()
        })
        .collect();
    let mut lost = vec![Vec::new(); m.services.len()];
    for t in 0..horizon {
        let failed: BTreeSet<String> = (outages.iter())
            .filter(|(_, a, b)| *a <= t && t < *b)
            .map(|(id, _, _)| id.clone())
            .collect();
        // Deliveries, then running out, at the start of the minute.
        for (id, tank) in &mut tanks {
            let stock = m
                .assets
                .iter()
                .find(|a| a.meta.id.as_str() == id)
                .unwrap()
                .stock
                .unwrap();
            let delivered = deliveries.iter().any(|(at, s)| *at == t && s == id)
                || tank
                    .empty_since
                    .zip(stock.resupply)
                    .is_some_and(|(e, r)| t >= e + r.minutes());
            if delivered {
                tank.left = stock.lasts.minutes();
                tank.empty_since = None;
            } else if tank.left == 0 {
                tank.empty_since.get_or_insert(t);
            }
            track(&mut tank.empty, tank.empty_since.is_some(), t);
        }
        gates.borrow_mut().drawn.clear();
        let mut now = Minute {
            m,
            t,
            empty: (tanks.iter())
                .filter(|(_, k)| k.empty_since.is_some())
                .map(|(id, _)| id.clone())
                .collect(),
            failed,
            services: HashMap::new(),
            suspended: &suspended,
            gates: &gates,
        };
        // Every asset, so that the standbys of expressions no service reaches are followed too.
        for a in &m.assets {
            now.item(a.meta.id.as_str());
        }
        // Services come after everything they depend on in a random model.
        for (i, s) in m.services.iter().enumerate() {
            let stood_down = suspended.contains(s.meta.id.as_str());
            let runs = !stood_down && in_season(s, sc.start, t);
            let own: f64 = if now.failed.contains(s.meta.id.as_str()) || stood_down {
                0.0
            } else {
                1.0
            };
            let needs = s.needs.as_ref().map_or(1.0, |n| now.need(n));
            let staff = if stood_down {
                1.0
            } else {
                now.staff(&s.staff, false)
            };
            let core = own.min(needs).min(staff);
            let mbco = s.mbco().fraction();
            let sb = &mut standby[i];
            if core < mbco - 1e-9 {
                sb.episode.get_or_insert(t);
            } else {
                sb.episode = None;
            }
            let mut value = core;
            for (k, w) in s.workarounds.iter().enumerate() {
                // Evaluated whether in use or not, so that its standbys are followed.
                let w_needs = w.needs.as_ref().map_or(1.0, |n| now.need(n));
                let lasts = w.lasts.map_or(u64::MAX, |d| d.minutes());
                let want = !stood_down
                    && sb
                        .episode
                        .is_some_and(|start| t >= start + w.after.minutes())
                    && sb.used[k] < lasts;
                if want != sb.in_use[k] {
                    if want {
                        sb.spans[k].push((t, None));
                    } else {
                        sb.spans[k].last_mut().unwrap().1 = Some(t);
                    }
                    sb.in_use[k] = want;
                }
                if want {
                    sb.used[k] += 1;
                    let v = w
                        .capacity
                        .fraction()
                        .min(w_needs)
                        .min(now.staff(&w.staff, true));
                    value = value.max(v);
                }
            }
            lost[i].push(value < mbco - 1e-9 && runs);
            now.services.insert(s.meta.id.to_string(), value);
            // A minute's work: what arrives and what can be done, at this minute's capacity.
            let Some(d) = &s.demand else { continue };
            let arrive = if runs { d.per_day / 1440.0 } else { 0.0 };
            if d.kind() == DemandKind::Perishable {
                sb.unmet += (arrive - d.per_day * value / 1440.0).max(0.0);
                continue;
            }
            let mut can = d.per_day * value * s.surge() / 1440.0;
            if arrive > 0.0 {
                sb.queue.push((t, arrive));
            }
            while can > 0.0 && !sb.queue.is_empty() {
                let take = can.min(sb.queue[0].1);
                sb.queue[0].1 -= take;
                can -= take;
                if sb.queue[0].1 <= 1e-12 {
                    sb.queue.remove(0);
                }
            }
            let backlog: f64 = sb.queue.iter().map(|q| q.1).sum();
            sb.backlog_peak = sb.backlog_peak.max(backlog);
            if let Some((wait, _)) = d.max_wait {
                // At the end of this minute, the work of minutes before `t + 1 - wait` has
                // waited longer than `wait`.
                let overdue: f64 = (sb.queue.iter())
                    .filter(|q| q.0 + wait.minutes() < t + 1)
                    .map(|q| q.1)
                    .sum();
                sb.overdue_peak = sb.overdue_peak.max(overdue);
            }
        }
        // Stocks drawn on this minute.
        let drawn = gates.borrow().drawn.clone();
        for (id, tank) in &mut tanks {
            let in_use = !on_standby.contains(id) || drawn.contains(id);
            let drawing = in_use && tank.empty_since.is_none() && !now.failed.contains(id);
            track(&mut tank.drawn, drawing, t);
            if drawing {
                tank.left -= 1;
            }
        }
    }
    Found {
        lost,
        standby,
        gates: gates.into_inner(),
        tanks,
    }
}

/// The spans of a minute-by-minute series: (start, end), end `None` at the horizon.
pub(super) fn spans(lost: &[bool]) -> Vec<(u64, Option<u64>)> {
    let mut out: Vec<(u64, Option<u64>)> = Vec::new();
    for (t, l) in lost.iter().enumerate() {
        let t = t as u64;
        match (l, out.last_mut()) {
            (true, Some((_, end @ None))) => {
                let _ = end;
            }
            (true, _) => out.push((t, None)),
            (false, Some((_, end @ None))) => *end = Some(t),
            (false, _) => {}
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn simulation_matches_the_minute_by_minute_brute_force(seed in any::<u64>(), pick in any::<u64>()) {
        let mut m = random_model(seed);
        let mut rng = ChaCha8Rng::seed_from_u64(pick);
        let horizon = 3 * 1440;
        let start = chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()
            + chrono::Days::new(rng.random_range(0..365));
        let day = |n: u64| {
            let d = start + chrono::Days::new(n);
            (chrono::Datelike::month(&d), chrono::Datelike::day(&d))
        };
        let mut suspend = Vec::new();
        for s in &mut m.services {
            if rng.random_bool(0.5) {
                let perishable = rng.random_bool(0.3);
                s.demand = Some(Demand {
                    per_day: [10.0, 100.0][rng.random_range(0..2)],
                    kind: perishable.then_some(DemandKind::Perishable),
                    max_wait: (!perishable && rng.random_bool(0.5)).then(|| {
                        (Duration::from_minutes(rng.random_range(1..=20) * 30), Pos::default())
                    }),
                    ..Demand::default()
                });
                if rng.random_bool(0.3) {
                    s.surge = Some(1.5);
                }
            }
            if rng.random_bool(0.3) {
                let from = rng.random_range(0..3);
                s.season = Some(Season {
                    from: day(from),
                    to: day(from + rng.random_range(0..2)),
                });
            }
            if rng.random_bool(0.15) {
                suspend.push(r(s.meta.id.as_str()));
            }
        }
        let items: Vec<String> = (m.assets.iter().map(|a| a.meta.id.to_string()))
            .chain(m.services.iter().map(|s| s.meta.id.to_string()))
            .collect();
        let mut outages = Vec::new();
        let mut events = Vec::new();
        for _ in 0..rng.random_range(1..=3) {
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
        m.scenarios.push(Scenario {
            meta: meta("sc"),
            horizon: Some(Duration::from_minutes(horizon)),
            start: rng.random_bool(0.8).then_some(start),
            suspend,
            events,
        });
        let c = Compiled::new(&m).unwrap();
        let sim = simulate(&m, &c, "sc", &Options::default()).unwrap();
        let (lost, standby) = brute(&m, &outages, horizon);
        let mut w = 0;
        for (i, s) in m.services.iter().enumerate() {
            let expected = spans(&lost[i]);
            let got: Vec<(u64, Option<u64>)> = sim.services[i]
                .lost_spans
                .iter()
                .map(|(a, b)| (a.minutes(), b.map(|b| b.minutes())))
                .collect();
            prop_assert_eq!(&got, &expected, "service {} of seed {} pick {}", s.meta.id, seed, pick);
            let out = &sim.services[i];
            prop_assert_eq!(out.lost_at.map(|d| d.minutes()), expected.first().map(|s| s.0));
            prop_assert_eq!(out.restored_at.map(|d| d.minutes()), expected.first().and_then(|s| s.1));
            let mtpd = s.mtpd.map(|(d, _)| d.minutes());
            let breach = mtpd.and_then(|mtpd| {
                expected.iter().find_map(|(a, b)| match b {
                    Some(b) if b - a > mtpd => Some(a + mtpd),
                    None if a + mtpd <= horizon => Some(a + mtpd),
                    _ => None,
                })
            });
            prop_assert_eq!(out.breached_at.map(|d| d.minutes()), breach, "breach of {}", s.meta.id);
            let sb = &standby[i];
            let close = |a: f64, b: f64| (a - b).abs() <= 1e-6 * (1.0 + b.abs());
            let suspended = m.scenarios[0].suspend.iter().any(|r| r.id == s.meta.id.as_str());
            prop_assert_eq!(out.suspended, suspended);
            match &s.demand {
                Some(d) if d.kind() == DemandKind::Perishable => {
                    let unmet = out.unmet.unwrap();
                    prop_assert!(close(unmet, sb.unmet), "unmet of {}: {} vs {}", s.meta.id, unmet, sb.unmet);
                    prop_assert_eq!(out.backlog_peak, 0.0);
                }
                Some(d) => {
                    prop_assert_eq!(out.unmet, None);
                    prop_assert!(close(out.backlog_peak, sb.backlog_peak), "backlog of {}: {} vs {}", s.meta.id, out.backlog_peak, sb.backlog_peak);
                    match d.max_wait {
                        Some(_) => {
                            let overdue = out.overdue_peak.unwrap();
                            prop_assert!(close(overdue, sb.overdue_peak), "overdue of {}: {} vs {}", s.meta.id, overdue, sb.overdue_peak);
                        }
                        None => prop_assert_eq!(out.overdue_peak, None),
                    }
                }
                None => prop_assert_eq!((out.unmet, out.overdue_peak), (None, None)),
            }
            for k in 0..s.workarounds.len() {
                let got: Vec<(u64, Option<u64>)> = sim.workarounds[w]
                    .iter()
                    .map(|(a, b)| (a.minutes(), b.map(|b| b.minutes())))
                    .collect();
                prop_assert_eq!(&got, &standby[i].spans[k], "workaround {} of {} (seed {} pick {})", k, s.meta.id, seed, pick);
                w += 1;
            }
        }
    }
}
