//! Monte Carlo risk: many simulated years of asset failures, and what they do to each service.
//!
//! In each trial-year, every asset with a `failure` fails at random:
//!
//! - `{rate, repair}`: failures arrive as a Poisson process with `rate` a year; each lasts an
//!   exponentially distributed time with mean `repair`;
//! - `{probability}`: one failure in the year with that probability, at a uniform moment, lasting
//!   the asset's `recovery.rto`, or [`DEFAULT_REPAIR`] (three days) without one.
//!
//! Failures start within the year; repairs may run past its end. The year is then evaluated
//! event by event on the failure timeline (incrementally: only what depends on an asset that
//! changed is recomputed), with every service's staff at full strength. A service is lost while
//! its capacity is below its MBCO; it breaches when one loss lasts longer than its MTPD. Losses
//! that start within the year count in full. A service below its MBCO for want of staff even
//! with nothing failed is lost all year. Workarounds count as the structural analyses count
//! them (an alternative from the first minute when their capacity reaches the MBCO and they
//! start within the MTPD), so that `p_loss` and `p_breach` here and in [`crate::risk`] answer
//! the same question. Standbys honour their switchover time as in the simulation: when the
//! other parts of their `any` or `atleast` alone give less than full capacity, a standby gives
//! nothing until its switchover time has passed, and the clock starts again at the next loss
//! (a gate already short with nothing failed has its standbys up all year). Stocks are not
//! drawn on here: they count as always available, as in the structural analyses.
//!
//! Per service the result gives the probability of a breach in a year, the expected
//! service-days lost, the 95th percentile of service-days lost, and the standard error of each:
//! `sqrt(p(1-p)/n)`, `sd/sqrt(n)`, and for the percentile half the width of its distribution-free
//! 95% confidence interval (order statistics at `n·0.95 ± 1.96·sqrt(n·0.95·0.05)`) over 1.96.
//! Run more trials until the errors are small enough for the decision at hand.
//!
//! Trials run in chunks of [`CHUNK`] on rayon's threads; chunk `k` draws from ChaCha8 stream `k`
//! of the seed, so results depend on the seed and the number of trials, never on the threads.
//! [`monte_carlo_with_budget`] checks a [`Budget`] before every trial-year and stops when it
//! says so.

use crate::budget::{Budget, Stopped};
use crate::compile::Compiled;
use crate::simulate::{Gate, Graph, Incremental, gates};
use bulwark_model::{Duration, Failure, Model};
use rand::{Rng, RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use std::convert::Infallible;

/// Repair time of an asset with a failure probability and no `recovery.rto`: three days.
pub const DEFAULT_REPAIR: Duration = Duration::from_minutes(3 * 24 * 60);
/// Trials per chunk (and per random stream).
pub const CHUNK: u64 = 64;

const YEAR: f64 = 365.0 * 24.0 * 60.0;

/// How to run.
#[derive(Debug, Clone, Copy)]
pub struct McOptions {
    /// Number of trial-years.
    pub trials: u64,
    /// Random seed.
    pub seed: u64,
}

/// Estimates for one service.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ServiceRisk {
    /// Probability of breaching the MTPD at least once in a year.
    pub p_breach: f64,
    /// Its standard error.
    pub p_breach_se: f64,
    /// Probability of being lost at least once in a year.
    pub p_loss: f64,
    /// Its standard error.
    pub p_loss_se: f64,
    /// Expected service-days lost in a year.
    pub days_lost: f64,
    /// Its standard error.
    pub days_lost_se: f64,
    /// 95th percentile of service-days lost in a year.
    pub days_lost_p95: f64,
    /// Its standard error.
    pub days_lost_p95_se: f64,
}

/// The result of a Monte Carlo run.
#[derive(Debug, Clone)]
pub struct McResult {
    /// Trial-years run.
    pub trials: u64,
    /// Seed used.
    pub seed: u64,
    /// Per service, in model order.
    pub services: Vec<ServiceRisk>,
}

/// Why a Monte Carlo run gave no result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum McError {
    /// The run was stopped by its budget.
    #[error("the Monte Carlo run was {0}")]
    Stopped(#[from] Stopped),
}

/// An asset that can fail.
#[derive(Debug, Clone, Copy)]
enum Fails {
    Rate {
        node: u32,
        per_minute: f64,
        mean_repair: f64,
    },
    Once {
        node: u32,
        probability: f64,
        repair: f64,
    },
}

/// What one chunk found.
#[derive(Debug, Default)]
struct ChunkResult {
    breaches: Vec<u32>,
    losses: Vec<u32>,
    sum: Vec<f64>,
    sum_sq: Vec<f64>,
    /// (service, days lost) for every trial in which a service lost time.
    lost: Vec<(u32, f64)>,
}

/// Runs `options.trials` trial-years; `progress(n)` is called as each chunk of `n` trials ends.
pub fn monte_carlo(
    model: &Model,
    c: &Compiled,
    options: McOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> McResult {
    let Ok(result) = run(model, c, options, progress, &|| Ok::<(), Infallible>(()));
    result
}

/// [`monte_carlo`], stopping with [`McError::Stopped`] when `budget` runs out or is cancelled.
pub fn monte_carlo_with_budget(
    model: &Model,
    c: &Compiled,
    options: McOptions,
    budget: &Budget,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<McResult, McError> {
    Ok(run(model, c, options, progress, &|| budget.check())?)
}

/// Runs the trials, calling `check` before each and stopping at its first error.
fn run<E: Send>(
    model: &Model,
    c: &Compiled,
    options: McOptions,
    progress: &(dyn Fn(u64) + Sync),
    check: &(dyn Fn() -> Result<(), E> + Sync),
) -> Result<McResult, E> {
    let fails: Vec<Fails> = model
        .assets
        .iter()
        .zip(&c.assets)
        .filter_map(|(a, info)| match a.failure? {
            Failure::Rate { rate, repair } if rate > 0.0 => Some(Fails::Rate {
                node: info.node,
                per_minute: rate / YEAR,
                mean_repair: repair.minutes() as f64,
            }),
            Failure::Probability(p) if p > 0.0 => Some(Fails::Once {
                node: info.node,
                probability: p.min(1.0),
                repair: a.recovery_rto.map_or(DEFAULT_REPAIR, |(d, _)| d).minutes() as f64,
            }),
            _ => None,
        })
        .collect();
    let mtpd: Vec<Option<f64>> = model
        .services
        .iter()
        .map(|s| s.mtpd.map(|(d, _)| d.minutes() as f64))
        .collect();
    let graph = Graph::new(c);
    let baseline = c.baseline_staff();
    let n = c.services.len();
    let chunks = options.trials.div_ceil(CHUNK);
    let results: Vec<ChunkResult> = (0..chunks)
        .into_par_iter()
        .map_init(
            || Incremental::new(c, &graph, baseline.clone()),
            |inc, k| {
                let trials = CHUNK.min(options.trials - k * CHUNK);
                let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
                rng.set_stream(k);
                let r = run_chunk(c, inc, &fails, &mtpd, trials, &mut rng, check)?;
                progress(trials);
                Ok(r)
            },
        )
        .collect::<Result<_, E>>()?;
    // Combine in chunk order, so sums are added in the same order whatever the threads did.
    let mut breaches = vec![0u64; n];
    let mut losses = vec![0u64; n];
    let mut sum = vec![0f64; n];
    let mut sum_sq = vec![0f64; n];
    let mut lost: Vec<Vec<f64>> = vec![Vec::new(); n];
    for r in results {
        for i in 0..n {
            breaches[i] += u64::from(r.breaches[i]);
            losses[i] += u64::from(r.losses[i]);
            sum[i] += r.sum[i];
            sum_sq[i] += r.sum_sq[i];
        }
        for (i, days) in r.lost {
            lost[i as usize].push(days);
        }
    }
    let t = options.trials.max(1) as f64;
    let services = (0..n)
        .map(|i| {
            let p = breaches[i] as f64 / t;
            let p_loss = losses[i] as f64 / t;
            let mean = sum[i] / t;
            let var = if t > 1.0 {
                ((sum_sq[i] - t * mean * mean) / (t - 1.0)).max(0.0)
            } else {
                0.0
            };
            let (p95, p95_se) = percentile(&mut lost[i], options.trials, 0.95);
            ServiceRisk {
                p_breach: p,
                p_breach_se: (p * (1.0 - p) / t).sqrt(),
                p_loss,
                p_loss_se: (p_loss * (1.0 - p_loss) / t).sqrt(),
                days_lost: mean,
                days_lost_se: (var / t).sqrt(),
                days_lost_p95: p95,
                days_lost_p95_se: p95_se,
            }
        })
        .collect();
    Ok(McResult {
        trials: options.trials,
        seed: options.seed,
        services,
    })
}

/// The `q` quantile of `n` values of which `nonzero` are the ones above zero, and its
/// standard error from the order statistics' confidence interval.
fn percentile(nonzero: &mut [f64], n: u64, q: f64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 0.0);
    }
    nonzero.sort_by(f64::total_cmp);
    let zeros = n as usize - nonzero.len();
    let at = |rank: f64| -> f64 {
        let r = (rank.ceil().max(1.0) as usize).min(n as usize) - 1;
        if r < zeros { 0.0 } else { nonzero[r - zeros] }
    };
    let nf = n as f64;
    let half = 1.96 * (nf * q * (1.0 - q)).sqrt();
    let value = at(nf * q);
    let (lo, hi) = (at(nf * q - half), at(nf * q + half + 1.0));
    (value, (hi - lo) / (2.0 * 1.96))
}

/// Standbys in a trial-year: gates with standbys, whether each is short (and since when), and
/// bring-ups due.
struct Standbys {
    gates: Vec<Gate>,
    /// Per gate: since when it is short (`-∞`: already with nothing failed).
    episode: Vec<Option<f64>>,
    /// Bring-ups due: (time, gate, standby, episode start).
    due: Vec<(f64, usize, u32, f64)>,
    scratch: Vec<f64>,
}

impl Standbys {
    /// The gates of `c` with standbys; those short with nothing failed (in `inc`) have theirs
    /// up, as they stay all year.
    fn new(c: &Compiled, inc: &Incremental<'_>) -> Standbys {
        let gates = gates(c);
        let mut scratch = Vec::new();
        let episode = (gates.iter())
            .map(|g| {
                g.short(&inc.value, &mut scratch)
                    .then_some(f64::NEG_INFINITY)
            })
            .collect();
        Standbys {
            gates,
            episode,
            due: Vec::new(),
            scratch,
        }
    }

    /// The next bring-up due.
    fn next(&self) -> Option<f64> {
        self.due.iter().map(|d| d.0).min_by(f64::total_cmp)
    }

    /// Brings up the standbys due at `t` whose gate is still in the episode that called them.
    fn bring_up(&mut self, c: &Compiled, inc: &mut Incremental<'_>, t: f64) {
        let episode = &self.episode;
        self.due.retain(|&(at, g, s, start)| {
            if at > t {
                return true;
            }
            if episode[g] == Some(start) {
                inc.set_own(c.standbys[s as usize].node, 1.0);
            }
            false
        });
    }

    /// Starts and ends episodes at `t`, gate by gate, children before parents: a gate that
    /// becomes short takes its standbys down until their switchover time has passed; one that
    /// is no longer short has them back (they make no difference then).
    fn update(&mut self, c: &Compiled, inc: &mut Incremental<'_>, t: f64, changed: &mut Vec<u32>) {
        for (g, gate) in self.gates.iter().enumerate() {
            let short = gate.short(&inc.value, &mut self.scratch);
            match (short, self.episode[g]) {
                (true, None) => {
                    self.episode[g] = Some(t);
                    for &s in &gate.standbys {
                        let info = &c.standbys[s as usize];
                        if info.switchover > 0 {
                            inc.set_own(info.node, 0.0);
                            self.due.push((t + info.switchover as f64, g, s, t));
                        }
                    }
                }
                (false, Some(_)) => {
                    self.episode[g] = None;
                    for &s in &gate.standbys {
                        inc.set_own(c.standbys[s as usize].node, 1.0);
                    }
                }
                _ => continue,
            }
            inc.propagate(|i, _| changed.push(i));
        }
    }
}

fn exponential(rng: &mut impl Rng, mean: f64) -> f64 {
    let u: f64 = rng.random();
    -mean * (1.0 - u).ln()
}

fn run_chunk<E>(
    c: &Compiled,
    inc: &mut Incremental<'_>,
    fails: &[Fails],
    mtpd: &[Option<f64>],
    trials: u64,
    rng: &mut ChaCha8Rng,
    check: &(dyn Fn() -> Result<(), E> + Sync),
) -> Result<ChunkResult, E> {
    let n = c.services.len();
    let mut out = ChunkResult {
        breaches: vec![0; n],
        losses: vec![0; n],
        sum: vec![0.0; n],
        sum_sq: vec![0.0; n],
        lost: Vec::new(),
    };
    let mbco: Vec<f64> = c.services.iter().map(|s| s.mbco).collect();
    let lost_at_baseline: Vec<bool> = (0..n)
        .map(|i| inc.value[c.services[i].node as usize] < mbco[i] - 1e-9)
        .collect();
    // (time, node, +1 down / -1 up)
    let mut events: Vec<(f64, u32, i32)> = Vec::new();
    let mut down = vec![0i32; c.node_count()];
    let mut lost_since: Vec<Option<f64>> = vec![None; n];
    let mut days = vec![0f64; n];
    let mut breached = vec![false; n];
    let mut was_lost = vec![false; n];
    let mut changed: Vec<u32> = Vec::new();
    let mut standby = Standbys::new(c, inc);
    for _ in 0..trials {
        check()?;
        events.clear();
        for f in fails {
            match *f {
                Fails::Rate {
                    node,
                    per_minute,
                    mean_repair,
                } => {
                    let mut t = exponential(rng, 1.0 / per_minute);
                    while t < YEAR {
                        let repair = exponential(rng, mean_repair);
                        events.push((t, node, 1));
                        events.push((t + repair, node, -1));
                        t += exponential(rng, 1.0 / per_minute);
                    }
                }
                Fails::Once {
                    node,
                    probability,
                    repair,
                } => {
                    if rng.random_bool(probability) {
                        let t = rng.random::<f64>() * YEAR;
                        events.push((t, node, 1));
                        events.push((t + repair, node, -1));
                    }
                }
            }
        }
        events.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.2.cmp(&b.2)));
        days.fill(0.0);
        breached.fill(false);
        was_lost.fill(false);
        let mut k = 0;
        loop {
            // The next failure or repair, or a standby brought up before it.
            let t = match (events.get(k), standby.next()) {
                (Some(e), Some(u)) => e.0.min(u),
                (Some(e), None) => e.0,
                (None, Some(u)) => u,
                (None, None) => break,
            };
            while k < events.len() && events[k].0 == t {
                let (_, node, delta) = events[k];
                down[node as usize] += delta;
                inc.set_own(node, if down[node as usize] > 0 { 0.0 } else { 1.0 });
                k += 1;
            }
            standby.bring_up(c, inc, t);
            inc.propagate(|i, _| changed.push(i));
            standby.update(c, inc, t, &mut changed);
            for &i in &changed {
                let i = i as usize;
                if lost_at_baseline[i] {
                    continue;
                }
                let lost = inc.value[c.services[i].node as usize] < mbco[i] - 1e-9;
                match (lost, lost_since[i]) {
                    (true, None) => {
                        lost_since[i] = Some(t);
                        was_lost[i] = true;
                    }
                    (false, Some(since)) => {
                        lost_since[i] = None;
                        days[i] += (t - since) / 1440.0;
                        // A loss exactly as long as the MTPD is no breach, whatever the rounding of `t`.
                        if mtpd[i].is_some_and(|m| t - since > m + 1e-6) {
                            breached[i] = true;
                        }
                    }
                    _ => {}
                }
            }
            changed.clear();
        }
        for i in 0..n {
            if lost_at_baseline[i] {
                days[i] = 365.0;
                was_lost[i] = true;
                breached[i] = mtpd[i].is_some_and(|m| m < YEAR);
            }
            if was_lost[i] {
                out.losses[i] += 1;
            }
            if breached[i] {
                out.breaches[i] += 1;
            }
            if days[i] > 0.0 {
                out.sum[i] += days[i];
                out.sum_sq[i] += days[i] * days[i];
                out.lost.push((i as u32, days[i]));
            }
        }
    }
    Ok(out)
}
