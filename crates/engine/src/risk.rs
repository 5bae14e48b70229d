//! Service risk: each service's loss as a fault tree over asset failures, solved exactly by
//! the fault tree engine (`bulwark-fta`), and the yearly figures `p_loss` and `p_breach`.
//!
//! # What the inputs mean
//!
//! `failure: {probability: p}` is the chance an asset fails at least once in a year: one
//! failure with probability `p`, lasting its `recovery.rto` (or [`DEFAULT_REPAIR`]).
//! `failure: {rate: λ, repair: τ}` is a Poisson process of λ failures a year, each lasting an
//! exponential time with mean τ (so it fails at least once in a year with probability
//! `1 − e^−λ`). Monte Carlo ([`crate::montecarlo`]) draws exactly these; assets without failure
//! data never fail.
//!
//! # The fault tree
//!
//! Basic events are assets being down at a given moment: for `{rate, repair}` with probability
//! `1 − e^−λτ` (the chance that some failure is being repaired), for `{probability}` with
//! `p × duration / year`. So the tree's top probability is the service's unavailability, and
//! importance measures share it out between assets. The tree follows the same threshold logic
//! as single points of failure: `all` is an OR over failures, `any` an AND, `atleast k of n` a
//! vote of `n - k + 1` failures, a workaround counted by the structural rule is one more
//! alternative, and a service whose staff are already below its MBCO is lost with certainty
//! (one with an MBCO of 0 never is).
//!
//! # `p_loss` and `p_breach`
//!
//! `p_loss` is the probability of losing the service at least once in a year, `p_breach` of
//! at least one loss lasting longer than its MTPD. Split the assets whose failure alone loses
//! the service (`S`, its single points of failure) from the rest:
//!
//! - through `S`: `1 − Π(1 − q_a)` with `q_a` the chance that `a` fails at least once a year
//!   (exact); for breaches, `q_a` becomes the chance that one of its failures lasts longer
//!   than the MTPD (`1 − exp(−λ e^(−mtpd/τ))`, or `p` when its fixed duration is longer);
//! - through combinations (minimal cut sets of two or more assets, up to the order limit):
//!   each is entered about `Σ_i w_i Π_(j≠i) U_j` times a year (`w_i` failures a year, `U_j`
//!   unavailability), and stays entered longer than the MTPD with the chance that the failure
//!   that completed it and the repairs still running all outlast it. Summed over sets, `W`
//!   gives a chance `1 − e^−W` of at least one such loss.
//!
//! The two parts combine as independent. A figure is exact when only the first part counts:
//! `p_loss` when no combination of two or more assets with failure data loses the service,
//! `p_breach` when, besides, at most one asset with failure data can lose it and that asset
//! fails at most once a year (`{probability}`), or when the service has no MTPD. Every other
//! figure is an estimate, said so by [`ServiceRisk::estimates`]; it errs on the side of rare
//! overlaps, where Monte Carlo needs many trials to see anything.

use crate::ItemRef;
use crate::compile::{Compiled, NodeKind};
use crate::montecarlo::DEFAULT_REPAIR;
use crate::spof::ServiceSpof;
use bulwark_fta::{Analysis, Child, Connective, FaultTree, FtaError, Options};
use bulwark_model::{Failure, Model};
use std::collections::HashMap;
use std::ops::ControlFlow;

/// Minutes in a year, as Monte Carlo counts them.
const YEAR: f64 = 365.0 * 24.0 * 60.0;

/// How long one failure of an asset lasts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Repair {
    /// Exponentially distributed with this mean, in minutes (`{rate, repair}`).
    Exponential(f64),
    /// Exactly this long, in minutes (`{probability}`: its `recovery.rto` or three days).
    Fixed(f64),
}

impl Repair {
    /// The chance that a whole failure lasts longer than `m` minutes.
    fn outlasts(self, m: f64) -> f64 {
        match self {
            Repair::Exponential(mean) => (-m / mean).exp(),
            Repair::Fixed(d) => f64::from(u8::from(d > m)),
        }
    }

    /// The chance that what is left of a failure under way at a random moment lasts longer
    /// than `m` minutes.
    fn rest_outlasts(self, m: f64) -> f64 {
        match self {
            Repair::Exponential(mean) => (-m / mean).exp(),
            Repair::Fixed(d) => (1.0 - m / d).max(0.0),
        }
    }
}

/// How an asset fails, in the terms every yearly figure uses.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AssetFailure {
    /// Expected failures a year that start while it is up.
    pub per_year: f64,
    /// The chance it fails at least once in a year.
    pub at_least_once: f64,
    /// The chance it is down at a given moment.
    pub unavailability: f64,
    /// How long a failure lasts.
    pub repair: Repair,
    /// Whether it fails at most once a year (`{probability}`).
    pub once: bool,
}

impl AssetFailure {
    /// The asset's failure as the model gives it; `None` when it never fails.
    pub fn of(failure: Option<Failure>, recovery: Option<bulwark_model::Duration>) -> Option<Self> {
        match failure? {
            Failure::Rate { rate, repair } if rate > 0.0 => {
                let lambda = rate;
                let mean = (repair.minutes() as f64).max(1e-9);
                let unavailability = 1.0 - (-lambda * mean / YEAR).exp();
                Some(AssetFailure {
                    per_year: lambda * (1.0 - unavailability),
                    at_least_once: 1.0 - (-lambda).exp(),
                    unavailability,
                    repair: Repair::Exponential(mean),
                    once: false,
                })
            }
            Failure::Probability(p) if p > 0.0 => {
                let p = p.min(1.0);
                let d = (recovery.unwrap_or(DEFAULT_REPAIR).minutes() as f64).max(1e-9);
                Some(AssetFailure {
                    per_year: p,
                    at_least_once: p,
                    unavailability: p * d.min(YEAR) / YEAR,
                    repair: Repair::Fixed(d),
                    once: true,
                })
            }
            _ => None,
        }
    }
}

/// Each asset's failure, by asset index.
pub fn asset_failures(c: &Compiled, model: &Model) -> Vec<Option<AssetFailure>> {
    let by_id: HashMap<&str, &bulwark_model::Asset> = model
        .assets
        .iter()
        .map(|a| (a.meta.id.as_str(), a))
        .collect();
    c.assets
        .iter()
        .map(|a| {
            let asset = by_id.get(a.id.as_str())?;
            AssetFailure::of(asset.failure, asset.recovery_rto.map(|(d, _)| d))
        })
        .collect()
}

/// Each asset's probability of being down at a given moment, by asset index: the basic event
/// probabilities of [`service_fault_tree`].
pub fn asset_probabilities(c: &Compiled, model: &Model) -> Vec<f64> {
    asset_failures(c, model)
        .iter()
        .map(|f| f.map_or(0.0, |f| f.unavailability))
        .collect()
}

/// The yearly figures of one service.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceRisk {
    /// Service index.
    pub service: u32,
    /// The probability of losing it at least once in a year.
    pub p_loss: f64,
    /// The probability of at least one loss longer than its MTPD in a year.
    pub p_breach: f64,
    /// Whether `p_loss` is exact (otherwise an estimate).
    pub p_loss_exact: bool,
    /// Whether `p_breach` is exact (otherwise an estimate).
    pub p_breach_exact: bool,
    /// The chance of being down at a given moment (the fault tree's top event).
    pub unavailability: f64,
    /// Minimal cut sets up to the order limit.
    pub cut_sets: u64,
    /// The likeliest ways to lose it: the chance each happens at least once a year, and the
    /// asset ids, likeliest first (at most five).
    pub likeliest: Vec<(f64, Vec<String>)>,
    /// Importance of each asset in its fault tree (basic events named by asset id).
    pub importance: Vec<bulwark_fta::Importance>,
}

impl ServiceRisk {
    /// The names of the figures that are estimates: `p_loss`, `p_breach`, both or neither.
    pub fn estimates(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if !self.p_loss_exact {
            out.push("p_loss");
        }
        if !self.p_breach_exact {
            out.push("p_breach");
        }
        out
    }
}

/// What the yearly figures of every service share: asset failures and single points of failure.
#[derive(Debug, Clone)]
pub struct RiskInputs {
    /// Each asset's failure, by index.
    pub failures: Vec<Option<AssetFailure>>,
    spof: Vec<ServiceSpof>,
    probabilities: Vec<f64>,
    mtpd: Vec<Option<f64>>,
}

impl RiskInputs {
    /// Reads failures from `model`, compiled as `c`.
    pub fn new(c: &Compiled, model: &Model) -> RiskInputs {
        let failures = asset_failures(c, model);
        let by_id: HashMap<&str, Option<f64>> = model
            .services
            .iter()
            .map(|s| (s.meta.id.as_str(), s.mtpd.map(|(d, _)| d.minutes() as f64)))
            .collect();
        RiskInputs {
            probabilities: failures
                .iter()
                .map(|f| f.map_or(0.0, |f| f.unavailability))
                .collect(),
            failures,
            spof: c.spof(),
            mtpd: c
                .services
                .iter()
                .map(|s| by_id.get(s.id.as_str()).copied().flatten())
                .collect(),
        }
    }

    /// The yearly figures of service `service`, with cut sets up to `order_limit` assets
    /// (combinations beyond it are left out of the estimates) and importance measures.
    pub fn service(
        &self,
        c: &Compiled,
        service: u32,
        order_limit: u32,
    ) -> Result<ServiceRisk, FtaError> {
        let i = service as usize;
        let info = &c.services[i];
        let tree = service_fault_tree(c, &self.probabilities, service)?;
        let opts = Options {
            order_limit,
            importance: true,
            cutoff: f64::MIN_POSITIVE,
            ..Options::default()
        };
        let analysis = Analysis::new(&tree, &opts)?;
        let mtpd = self.mtpd[i];
        let asset_of = |event: usize| match c.lookup(&tree.basic_events[event].name) {
            Some(ItemRef::Asset(a)) => self.failures[a as usize],
            _ => None,
        };
        // Combinations of two or more assets: how often each is entered, and outlasts the MTPD.
        let (mut entered, mut outlasting) = (0.0f64, 0.0f64);
        let mut likeliest: Vec<(f64, Vec<String>)> = Vec::new();
        let _ = analysis.for_each_cut_set(|set, _| {
            let parts: Vec<AssetFailure> = set.iter().filter_map(|e| asset_of(*e)).collect();
            if parts.len() != set.len() {
                return ControlFlow::<()>::Continue(());
            }
            let chance = if let [one] = parts.as_slice() {
                one.at_least_once
            } else {
                let (freq, long) = combination(&parts, mtpd);
                entered += freq;
                outlasting += long;
                1.0 - (-freq).exp()
            };
            likeliest.push((
                chance,
                set.iter()
                    .map(|e| tree.basic_events[*e].name.clone())
                    .collect(),
            ));
            if likeliest.len() > 2000 {
                likeliest.sort_by(|a, b| b.0.total_cmp(&a.0));
                likeliest.truncate(5);
            }
            ControlFlow::Continue(())
        });
        likeliest.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        likeliest.truncate(5);
        let cut_sets = analysis
            .cut_set_counts()
            .map(|c| c.iter().sum())
            .unwrap_or(0);
        let mut out = ServiceRisk {
            service,
            p_loss: 0.0,
            p_breach: 0.0,
            p_loss_exact: true,
            p_breach_exact: true,
            unavailability: analysis.probability(),
            cut_sets,
            likeliest,
            importance: if analysis.probability() > 0.0 {
                analysis.importance()
            } else {
                Vec::new()
            },
        };
        if info.mbco <= 0.0 {
            return Ok(out);
        }
        let singles = match &self.spof[i] {
            ServiceSpof::LostWithoutFailure => {
                out.p_loss = 1.0;
                out.p_breach = f64::from(u8::from(mtpd.is_some_and(|m| m < YEAR)));
                return Ok(out);
            }
            ServiceSpof::Assets(a) => a,
        };
        let failing: Vec<AssetFailure> = singles
            .iter()
            .filter_map(|a| self.failures[*a as usize])
            .collect();
        let mut up = 1.0;
        let mut no_breach = 1.0;
        for f in &failing {
            up *= 1.0 - f.at_least_once;
            if let Some(m) = mtpd {
                no_breach *= match f.repair {
                    Repair::Exponential(_) => {
                        (-f.per_year / (1.0 - f.unavailability) * f.repair.outlasts(m)).exp()
                    }
                    Repair::Fixed(_) => 1.0 - f.at_least_once * f.repair.outlasts(m),
                };
            }
        }
        if let Some(m) = mtpd {
            outlasting += merged(&failing, m);
        }
        let combinations = self.lost_by_combinations(c, service, singles);
        out.p_loss = 1.0 - up * (-entered).exp();
        out.p_loss_exact = !combinations;
        match mtpd {
            None => out.p_breach = 0.0,
            Some(_) => {
                out.p_breach = 1.0 - no_breach * (-outlasting).exp();
                out.p_breach_exact =
                    !combinations && failing.len() <= 1 && failing.iter().all(|f| f.once);
                if out.p_breach_exact {
                    out.p_breach = 1.0 - no_breach;
                }
            }
        }
        Ok(out)
    }

    /// Whether the service is lost when every asset with failure data fails except its single
    /// points of failure: whether some combination of two or more can lose it.
    fn lost_by_combinations(&self, c: &Compiled, service: u32, singles: &[u32]) -> bool {
        let failed: Vec<ItemRef> = (0..c.assets.len() as u32)
            .filter(|a| self.failures[*a as usize].is_some() && singles.binary_search(a).is_err())
            .map(ItemRef::Asset)
            .collect();
        !failed.is_empty() && c.impact(&failed).lost.iter().any(|l| l.service == service)
    }
}

/// How often a year failures of single points of failure `parts` overlap into one loss longer
/// than `m` minutes although neither alone is: one part fails while another is being repaired
/// (or, for a Poisson part, while it is itself), and the loss then lasts from the first
/// failure to the later end. Only pairs are counted.
fn merged(parts: &[AssetFailure], m: f64) -> f64 {
    let mut total = 0.0;
    for (i, first) in parts.iter().enumerate() {
        for (j, second) in parts.iter().enumerate() {
            let rate = if i == j {
                match first.repair {
                    // Poisson failures arrive whether or not it is down already.
                    Repair::Exponential(_) => first.per_year / (1.0 - first.unavailability),
                    Repair::Fixed(_) => continue,
                }
            } else {
                second.per_year
            };
            total += rate * first.unavailability * overlap_outlasts(first.repair, second.repair, m);
        }
    }
    total
}

/// The chance that a failure (`second`) starting while another (`first`) is under way makes a
/// loss longer than `m` minutes from the start of `first`, when neither alone lasts that long:
/// with `e` the time `first` has run and `r` what is left of it (`e + r <= m`), `second` must
/// last longer than `m - e` but no longer than `m`. Worked out by Simpson's rule over `e`.
fn overlap_outlasts(first: Repair, second: Repair, m: f64) -> f64 {
    let longer = |x: f64| match second {
        Repair::Exponential(mean) => (-x / mean).exp(),
        Repair::Fixed(d) => f64::from(u8::from(d > x)),
    };
    let window = |e: f64| (longer(m - e) - longer(m)).max(0.0);
    // The density of `e`, times the chance that `first` ends by `m`.
    let (upper, weight): (f64, Box<dyn Fn(f64) -> f64>) = match first {
        Repair::Fixed(d) if d > m => return 0.0,
        Repair::Fixed(d) => (d, Box::new(move |_| 1.0 / d)),
        Repair::Exponential(mean) => (
            m,
            Box::new(move |e| (-e / mean).exp() / mean * (1.0 - (-(m - e) / mean).exp())),
        ),
    };
    const STEPS: usize = 200;
    let h = upper / STEPS as f64;
    (0..=STEPS)
        .map(|k| {
            let e = k as f64 * h;
            let simpson = if k == 0 || k == STEPS {
                1.0
            } else if k % 2 == 1 {
                4.0
            } else {
                2.0
            };
            simpson * weight(e) * window(e)
        })
        .sum::<f64>()
        * h
        / 3.0
}

/// How often a year a combination of failures is entered, and entered for longer than `mtpd`
/// minutes (none without one): each part in turn completes it while the others are being
/// repaired.
fn combination(parts: &[AssetFailure], mtpd: Option<f64>) -> (f64, f64) {
    let (mut freq, mut long) = (0.0, 0.0);
    for (i, last) in parts.iter().enumerate() {
        let (mut others, mut others_long) = (1.0, 1.0);
        for (j, p) in parts.iter().enumerate() {
            if j != i {
                others *= p.unavailability;
                others_long *= p.unavailability * mtpd.map_or(1.0, |m| p.repair.rest_outlasts(m));
            }
        }
        freq += last.per_year * others;
        if let Some(m) = mtpd {
            long += last.per_year * last.repair.outlasts(m) * others_long;
        }
    }
    (freq, long)
}

/// The fault tree whose top event is "service `service` is lost"; basic events are named
/// by asset id, gates `_g<node>`, and the top `<service id>.lost`.
pub fn service_fault_tree(
    c: &Compiled,
    probabilities: &[f64],
    service: u32,
) -> Result<FaultTree, FtaError> {
    let info = &c.services[service as usize];
    let staff = c.baseline_staff();
    let mut b = FaultTree::builder(format!("{}.lost", info.id));
    let mut child: HashMap<u32, Child> = HashMap::new();
    let mut houses = [false, false];
    let mut house =
        |b: &mut bulwark_fta::FaultTreeBuilder, state: bool| -> Result<Child, FtaError> {
            let name = if state {
                "_lost_for_want_of_staff"
            } else {
                "_never"
            };
            if !std::mem::replace(&mut houses[usize::from(state)], true) {
                b.house_event(name, state)?;
            }
            Ok(Child::event(name))
        };
    for n in c.reachable(info.node) {
        let kids: Vec<Child> = c.children(n).iter().map(|k| child[k].clone()).collect();
        let gate = format!("_g{n}");
        let made = match c.kind(n) {
            NodeKind::Asset(a) => {
                let asset = &c.assets[a as usize];
                b.basic_event(asset.id.clone(), probabilities[a as usize])?;
                if kids.is_empty() {
                    Child::basic(asset.id.clone())
                } else {
                    b.gate(
                        gate.clone(),
                        Connective::Or,
                        std::iter::once(Child::basic(asset.id.clone())).chain(kids),
                    )?;
                    Child::gate(gate)
                }
            }
            NodeKind::Service(i) => {
                let (needs, workarounds) = c.service_children(n);
                let core = if staff[i as usize] < info.mbco {
                    house(&mut b, true)?
                } else {
                    match needs {
                        Some(k) => child[&k].clone(),
                        None => house(&mut b, false)?,
                    }
                };
                if workarounds.is_empty() {
                    core
                } else {
                    // Lost only when it and every workaround are.
                    let parts =
                        std::iter::once(core).chain(workarounds.iter().map(|w| child[w].clone()));
                    b.gate(gate.clone(), Connective::And, parts)?;
                    Child::gate(gate)
                }
            }
            NodeKind::Workaround(w)
                if c.workarounds[w as usize].structural_capacity() < info.mbco =>
            {
                house(&mut b, true)?
            }
            NodeKind::Workaround(_) => match kids.into_iter().next() {
                Some(k) => k,
                None => house(&mut b, false)?,
            },
            NodeKind::All | NodeKind::Any | NodeKind::AtLeast(_) if kids.is_empty() => {
                house(&mut b, false)?
            }
            kind => {
                let n_kids = kids.len() as u32;
                let connective = match kind {
                    NodeKind::All => Connective::Or,
                    NodeKind::Any => Connective::And,
                    NodeKind::AtLeast(k) => Connective::AtLeast(n_kids - k + 1),
                    _ => unreachable!("items are handled above"),
                };
                b.gate(gate.clone(), connective, kids)?;
                Child::gate(gate)
            }
        };
        child.insert(n, made);
    }
    let top = format!("{}.lost", info.id);
    // A service with an MBCO of 0 is never below it.
    let root = if info.mbco <= 0.0 {
        house(&mut b, false)?
    } else {
        child[&info.node].clone()
    };
    b.gate(top.clone(), Connective::Null, [root])?;
    b.build(Some(&top))
}
