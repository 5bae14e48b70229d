//! Scenarios over time: capacities, losses, breaches and backlogs as a scenario's events unfold.
//!
//! # Time
//!
//! Outages, degradations and demand factors are piecewise constant: they change only when an
//! event starts or ends. Absence profiles are piecewise linear. So the simulation is
//! event-driven, with a fine step only where it is needed:
//!
//! - it evaluates at every event boundary (each `at`, each `at + for`, each profile point), and
//!   only there when no absence is changing: outage-only scenarios are exact to the minute;
//! - while an absence profile is sloped, it also evaluates every `step` (default one hour, on a
//!   grid from the scenario's start). Where a service's lost state differs between two
//!   evaluations, the crossing is found by bisection to the minute, re-evaluating only what the
//!   service depends on. Within a step a skill's absence is linear, so a crossing is missed only
//!   when a service is lost and restored again within one step.
//!
//! Times are whole minutes from the scenario's start: a service is lost at the first whole
//! minute at which its capacity is below its MBCO, and restored at the first whole minute
//! after that at which it is back at or above it (comparisons allow 1e-9 for rounding).
//! Evaluation is incremental: only nodes above a changed input are recomputed, staff capacities
//! only of services that need a skill whose capacity changed (without redeployment), and
//! backlogs only of services with work waiting or arriving faster than they can do it.
//!
//! # Inputs at a moment
//!
//! - an item's own capacity is the minimum over the outages (0) and degradations (`to`) active
//!   then, 1 when none; `[at, at + for)`, to the horizon without `for`;
//! - a skill's available FTE is `headcount × (1 − min(1, Σ absences))`, each absence
//!   interpolated in its profile (times from the event's `at`, `0h` by default), holding the
//!   first value before the first point and the last after the last; an absence with `for`
//!   ends then;
//! - staff capacities follow an [`Allocation`]: the engine's proportional pool rule, or a
//!   redeployment plan (see [`crate::redeploy`]);
//! - a service's demand factor is the product of the factors active then.
//!
//! # Backlog
//!
//! Work arrives at `a = demand.per_day × factor` and the service can do `r = demand.per_day ×
//! capacity × surge` a day. With no backlog it does what arrives, up to `r`; what it cannot do
//! carries over as backlog, which it then works at the full rate `r` until it is gone:
//! `dB/dt = a − r` while `B > 0`, and `max(0, a − r)` when `B = 0`. Surge starts as soon as
//! work is waiting, so arrivals up to `per_day × capacity × surge` never build a backlog. Between
//! two evaluations the rates are constant (capacity as evaluated at the earlier one), so the
//! backlog is integrated exactly and the moment it is cleared is solved, not stepped.
//! `backlog_peak` is the largest backlog within the horizon, and `backlog_cleared_at` the first
//! moment after that peak at which the backlog is zero again (rounded up to the minute).
//! A service without `demand` has no backlog.
//!
//! # Redeployment
//!
//! With [`Options::redeploy`], a linear programme (see [`crate::redeploy`]) re-plans who works
//! where at the start, at every event boundary, and at least every `redeploy` interval (a daily
//! rota by default, [`DEFAULT_REPLAN`]) while absence moves. Each plan is a rota for the period
//! until the next: it is made for the fewest staff at work at any moment of that period, so a
//! service it holds stays held however absence moves within the period (planning for the
//! moment alone held services at their minimum with nothing to spare, and rising absence
//! tipped them back a minute later, splitting one loss into daily pieces); staff beyond the
//! plan's are shared out in the plan's proportions, and absence beyond what was planned for
//! (none, within a period) would fall on the least critical services first. Re-planning only then keeps the demo's 90-day
//! pandemic to about a hundred small solves. Plans whose moves differ from the previous one's
//! are reported in [`Simulation::plans`].
//!
//! # Stopping early
//!
//! [`Options::budget`] stops a run cooperatively at its deadline or when cancelled: it is
//! checked at every evaluation, and so before every redeployment plan.
//!
//! # Horizon
//!
//! A scenario's `horizon`, or [`DEFAULT_HORIZON`] (90 days) when it has none. A service still
//! lost at the horizon has no `restored_at`; it breaches when `lost_at + mtpd` is within the
//! horizon.
//!
//! # Bounded work
//!
//! Whatever the horizon, stepping through sloped absence adds at most [`MAX_STEPS`]
//! evaluations: a longer sloped stretch is stepped more coarsely ([`Simulation::step`] says
//! how). Recorded series are thinned to a bounded number of points per service (see
//! [`Series`]).

mod calendar;
mod incremental;
mod lists;
mod record;
mod staff;
mod stocks;
mod switchover;
mod timeline;
mod workarounds;

pub use stocks::StockOutcome;

pub(crate) use incremental::{Graph, Incremental};
pub(crate) use switchover::{Gate, gates};

use crate::budget::{Budget, Stopped};
use crate::compile::Compiled;
use crate::redeploy::{Allocation, Move, RedeployError, Redeployer};
use bulwark_model::{DemandKind, Duration, Model, Scenario};
use calendar::Calendar;
use record::Recorder;
use staff::ProportionalStaff;
use stocks::Stocks;
use switchover::Switchovers;
use timeline::Timeline;
use workarounds::Workarounds;

/// The horizon of a scenario that sets none: 90 days.
pub const DEFAULT_HORIZON: Duration = Duration::from_minutes(90 * 24 * 60);
/// The default step while absence changes: one hour.
pub const DEFAULT_STEP: Duration = Duration::from_minutes(60);
/// How often redeployment is re-planned between events by default: once a day.
pub const DEFAULT_REPLAN: Duration = Duration::from_minutes(24 * 60);
/// The most evaluations stepping through sloped absence may add, give or take one per sloped
/// stretch (five years hourly is 43,800).
pub const MAX_STEPS: u64 = 100_000;
/// The most points kept in one recorded series.
pub const MAX_SERIES_POINTS: usize = 3_000;
/// The most points kept in all recorded series together (fewer per service when many are
/// recorded, but never fewer than [`MIN_SERIES_POINTS`] each).
pub const MAX_RECORDED_POINTS: usize = 12_000_000;
/// The fewest points a recorded series is thinned to.
pub const MIN_SERIES_POINTS: usize = 60;

const EPS: f64 = 1e-9;

/// Why a simulation could not run.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SimError {
    /// No scenario has this id.
    #[error("no scenario has the id `{0}`")]
    UnknownScenario(String),
    /// An event names an item the compiled model does not have (or of the wrong kind).
    #[error("the scenario refers to `{0}`, which is not an item of the right kind in the model")]
    UnknownTarget(String),
    /// The model and the compiled model differ.
    #[error("the compiled model was not made from this model")]
    ModelMismatch,
    /// Redeployment failed.
    #[error(transparent)]
    Redeploy(#[from] RedeployError),
    /// The run was stopped by [`Options::budget`].
    #[error("the simulation was {0}")]
    Stopped(#[from] Stopped),
}

/// Which services to keep capacity and backlog series for (for charts).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Record {
    /// None: the cheapest.
    #[default]
    Nothing,
    /// Every service.
    All,
    /// These services, by index.
    Services(Vec<u32>),
}

/// How to simulate.
#[derive(Debug, Clone)]
pub struct Options {
    /// The step while an absence profile is changing.
    pub step: Duration,
    /// Redeploy staff, re-planning at every event and at least this often; `None`: no redeployment.
    pub redeploy: Option<Duration>,
    /// Series to keep.
    pub record: Record,
    /// When to stop early (default: never).
    pub budget: Budget,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            step: DEFAULT_STEP,
            redeploy: None,
            record: Record::Nothing,
            budget: Budget::unlimited(),
        }
    }
}

/// What happened to one service.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcome {
    /// The first moment it was lost.
    pub lost_at: Option<Duration>,
    /// The first moment after `lost_at` it was back at or above its MBCO.
    pub restored_at: Option<Duration>,
    /// The first moment it had been lost for its MTPD.
    pub breached_at: Option<Duration>,
    /// Every period it was lost: start and end (`None`: still lost at the horizon).
    pub lost_spans: Vec<(Duration, Option<Duration>)>,
    /// Minutes lost within the horizon.
    pub minutes_lost: u64,
    /// The lowest capacity it had.
    pub min_capacity: f64,
    /// The largest backlog, in units of work.
    pub backlog_peak: f64,
    /// When the backlog peaked.
    pub backlog_peak_at: Option<Duration>,
    /// The first moment after the peak that the backlog was cleared.
    pub backlog_cleared_at: Option<Duration>,
    /// The backlog left at the horizon.
    pub backlog_at_horizon: f64,
    /// Perishable demand only: the units of demand not served within the horizon.
    pub unmet: Option<f64>,
    /// Deferrable demand with a `max_wait` only: the most units that had waited longer than
    /// that at any one moment.
    pub overdue_peak: Option<f64>,
    /// Whether the scenario suspends the service (it is then never lost).
    pub suspended: bool,
}

impl Outcome {
    /// Service-days lost within the horizon.
    pub fn days_lost(&self) -> f64 {
        self.minutes_lost as f64 / 1440.0
    }
}

/// A service's capacity and backlog at each evaluation (capacity holds until the next).
///
/// When there are more evaluations than a series may keep (at most [`MAX_SERIES_POINTS`], and
/// [`MAX_RECORDED_POINTS`] over all series), the horizon is cut into equal buckets and each
/// keeps the first evaluation in it, the one with the lowest capacity and the one with the
/// largest backlog, so dips and peaks stay on the chart.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Series {
    /// The service's index.
    pub service: u32,
    /// (minute, capacity, backlog).
    pub points: Vec<(u64, f64, f64)>,
}

/// Staff moved by a redeployment plan made at a moment.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// When the plan was made.
    pub at: Duration,
    /// Who works where beyond their usual share.
    pub moves: Vec<Move>,
}

/// Totals across services, to compare runs.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Summary {
    /// Services lost at some moment.
    pub services_lost: usize,
    /// Service-days lost within the horizon.
    pub service_days_lost: f64,
    /// Services that breached their MTPD.
    pub breaches: usize,
}

/// The result of simulating a scenario.
#[derive(Debug, Clone)]
pub struct Simulation {
    /// The scenario's id.
    pub scenario: String,
    /// The horizon used.
    pub horizon: Duration,
    /// The step used while absence changes: [`Options::step`], or coarser when stepping the
    /// horizon would take more than [`MAX_STEPS`] evaluations.
    pub step: Duration,
    /// Per service, in model order.
    pub services: Vec<Outcome>,
    /// Series kept, as asked for in [`Options::record`].
    pub series: Vec<Series>,
    /// Redeployment plans whose moves differ from the previous plan's (empty without redeployment).
    pub plans: Vec<Plan>,
    /// The periods each workaround was in use (by index into `Compiled::workarounds`; end
    /// `None`: still in use at the horizon).
    pub workarounds: Vec<Vec<(Duration, Option<Duration>)>>,
    /// The periods each standby was brought up (by index into `Compiled::standbys`; end
    /// `None`: still up at the horizon).
    pub standbys: Vec<Vec<(Duration, Option<Duration>)>>,
    /// What happened to each stock (in the order of `Compiled::stocks`).
    pub stocks: Vec<StockOutcome>,
    /// Number of evaluation moments.
    pub evaluations: usize,
}

impl Simulation {
    /// Totals across services.
    pub fn summary(&self) -> Summary {
        Summary {
            services_lost: self.services.iter().filter(|s| s.lost_at.is_some()).count(),
            service_days_lost: self.services.iter().map(Outcome::days_lost).sum(),
            breaches: self
                .services
                .iter()
                .filter(|s| s.breached_at.is_some())
                .count(),
        }
    }
}

/// Simulates the scenario with id `scenario` of `model`, compiled as `c`.
pub fn simulate(
    model: &Model,
    c: &Compiled,
    scenario: &str,
    options: &Options,
) -> Result<Simulation, SimError> {
    let sc = model
        .scenarios
        .iter()
        .find(|s| s.meta.id.as_str() == scenario)
        .ok_or_else(|| SimError::UnknownScenario(scenario.to_string()))?;
    simulate_scenario(model, c, sc, options)
}

/// Per-service state while simulating.
#[derive(Debug, Clone, Default)]
struct State {
    lost_since: u64,
    out: Outcome,
    cleared_after_peak: Option<f64>,
    unmet: f64,
    overdue_peak: f64,
}

/// A service's backlog and work rates (per minute) over the current interval, kept apart from
/// [`State`] so the loops over every service at every step stay in cache.
#[derive(Debug, Clone, Copy, Default)]
struct Work {
    backlog: f64,
    arrive: f64,
    serve: f64,
    min_capacity: f64,
}

impl Work {
    /// No backlog and no more work arriving than the service can do: integrating changes nothing.
    fn idle(&self) -> bool {
        self.backlog <= 0.0 && self.arrive <= self.serve
    }
}

/// Fixed facts about a service.
#[derive(Debug, Clone, Copy)]
struct Facts {
    per_day: f64,
    surge: f64,
    mtpd: Option<u64>,
    mbco: f64,
    /// Work not done the day it arrives is lost (no backlog).
    perishable: bool,
    /// Deferrable work waiting longer than this is overdue.
    max_wait: Option<u64>,
}

/// Simulates a scenario (it need not be one of the model's own, e.g. one made from a template).
pub fn simulate_scenario(
    model: &Model,
    c: &Compiled,
    scenario: &Scenario,
    options: &Options,
) -> Result<Simulation, SimError> {
    if model.services.len() != c.services.len() || model.skills.len() != c.skills.len() {
        return Err(SimError::ModelMismatch);
    }
    let horizon = scenario.horizon.unwrap_or(DEFAULT_HORIZON).minutes();
    let calendar = Calendar::new(model, c, scenario, horizon)?;
    let mut tl = Timeline::new(
        c,
        scenario,
        horizon,
        options.step.minutes(),
        &calendar.breaks(),
    )?;
    let stood_down;
    let c = if calendar.suspended().next().is_some() {
        for i in calendar.suspended() {
            tl.stand_down(c.services[i as usize].node);
        }
        stood_down = c.without_staff_of(calendar.suspended());
        &stood_down
    } else {
        c
    };
    let facts: Vec<Facts> = model
        .services
        .iter()
        .zip(&c.services)
        .map(|(s, info)| Facts {
            per_day: s.demand.as_ref().map_or(0.0, |d| d.per_day.max(0.0)),
            surge: s.surge().max(1.0),
            mtpd: s.mtpd.map(|(d, _)| d.minutes()),
            mbco: info.mbco,
            perishable: s
                .demand
                .as_ref()
                .is_some_and(|d| d.kind() == DemandKind::Perishable),
            max_wait: s
                .demand
                .as_ref()
                .and_then(|d| d.max_wait)
                .map(|(w, _)| w.minutes()),
        })
        .collect();
    let graph = Graph::new(c);
    let mut sim = Run::new(c, &graph, &tl, facts, options, model, calendar);
    sim.run()?;
    let minutes = |t: u64| Duration::from_minutes(t);
    let spans = |v: Vec<Vec<(u64, Option<u64>)>>| -> Vec<Vec<(Duration, Option<Duration>)>> {
        (v.into_iter())
            .map(|spans| {
                (spans.into_iter())
                    .map(|(a, b)| (minutes(a), b.map(minutes)))
                    .collect()
            })
            .collect()
    };
    Ok(Simulation {
        scenario: scenario.meta.id.to_string(),
        horizon: Duration::from_minutes(horizon),
        step: Duration::from_minutes(tl.step),
        services: sim.state.into_iter().map(|s| s.out).collect(),
        series: sim.recorder.finish(),
        plans: sim.plans,
        workarounds: spans(sim.standby.finish()),
        standbys: spans(sim.switchovers.finish()),
        stocks: sim.stocks.finish(c, horizon),
        evaluations: tl.points.len() + sim.extra_moments,
    })
}

struct Run<'a> {
    c: &'a Compiled,
    tl: &'a Timeline,
    facts: Vec<Facts>,
    inc: Incremental<'a>,
    alloc: Allocation,
    /// Staff capacities by skill while the allocation stays proportional (no redeployment).
    proportional: Option<ProportionalStaff>,
    redeployer: Option<(Redeployer, u64)>,
    state: Vec<State>,
    work: Vec<Work>,
    /// The services that are not idle (see [`Work::idle`]): the only ones integration changes.
    busy: Vec<u32>,
    is_busy: Vec<bool>,
    node: Vec<u32>,
    rate_dirty: Vec<u32>,
    lost: Vec<bool>,
    available: Vec<f64>,
    staff: Vec<f64>,
    factor: Vec<f64>,
    changed: Vec<u32>,
    /// For bisection: the ranks each service depends on, found when first needed.
    reach: Vec<Option<Vec<u32>>>,
    /// For bisection: node values by rank, and available FTE by skill.
    scratch_value: Vec<f64>,
    scratch_available: Vec<f64>,
    record: Vec<u32>,
    recorder: Recorder,
    plans: Vec<Plan>,
    budget: Budget,
    last_plan: Option<u64>,
    /// Workarounds in use.
    standby: Workarounds,
    /// Standbys brought up.
    switchovers: Switchovers,
    /// Services with workarounds and gates with standbys, children before parents, when the
    /// model has standbys (otherwise workarounds are brought up to date on their own).
    controls: Vec<Control>,
    /// Stocks of assets.
    stocks: Stocks,
    /// Scratch: asset nodes whose stock level changed.
    stock_changed: Vec<u32>,
    /// Moments evaluated for workarounds, besides the timeline's.
    extra_moments: usize,
    /// Which services run when.
    calendar: Calendar,
    /// The moment being evaluated.
    now: u64,
    /// Services with a `max_wait`, and for each service the work that has arrived by each
    /// moment evaluated (empty for the others).
    waits: Vec<u32>,
    arrived: Vec<Vec<(u64, f64)>>,
}

impl<'a> Run<'a> {
    fn new(
        c: &'a Compiled,
        graph: &'a Graph,
        tl: &'a Timeline,
        facts: Vec<Facts>,
        options: &Options,
        model: &Model,
        calendar: Calendar,
    ) -> Run<'a> {
        let alloc = Allocation::proportional(c);
        let mut available = Vec::new();
        tl.available(c, 0, false, &mut available);
        let mut staff = Vec::new();
        alloc.staff_factors(&available, &mut staff);
        let mut inc = Incremental::new(c, graph, staff.clone());
        let standby = Workarounds::new(c, |i| calendar.is_suspended(i));
        standby.reset(c, &mut inc);
        let switchovers = Switchovers::new(c);
        switchovers.reset(c, &mut inc);
        let controls = controls(c, &standby, &switchovers);
        let stocks = Stocks::new(c, &tl.deliveries);
        let record: Vec<u32> = match &options.record {
            Record::Nothing => Vec::new(),
            Record::All => (0..c.services.len() as u32).collect(),
            Record::Services(v) => v
                .iter()
                .copied()
                .filter(|i| (*i as usize) < c.services.len())
                .collect(),
        };
        let n = c.services.len();
        Run {
            c,
            tl,
            inc,
            alloc,
            proportional: options
                .redeploy
                .is_none()
                .then(|| ProportionalStaff::new(c, &available)),
            redeployer: options
                .redeploy
                .map(|every| (Redeployer::new(model, c), every.minutes().max(1))),
            state: vec![State::default(); n],
            work: vec![Work::default(); n],
            busy: Vec::new(),
            is_busy: vec![false; n],
            node: c.services.iter().map(|s| s.node).collect(),
            rate_dirty: Vec::new(),
            lost: vec![false; n],
            available,
            staff,
            factor: vec![1.0; n],
            changed: Vec::new(),
            reach: vec![None; n],
            scratch_value: vec![0.0; c.node_count()],
            scratch_available: Vec::new(),
            recorder: Recorder::new(&record, tl.horizon),
            record,
            plans: Vec::new(),
            last_plan: None,
            budget: options.budget.clone(),
            standby,
            switchovers,
            controls,
            stocks,
            stock_changed: Vec::new(),
            extra_moments: 0,
            calendar,
            now: 0,
            waits: (0..n as u32).filter(|&i| facts_wait(&facts, i)).collect(),
            arrived: (0..n as u32)
                .map(|i| {
                    if facts_wait(&facts, i) {
                        vec![(0, 0.0)]
                    } else {
                        Vec::new()
                    }
                })
                .collect(),
            facts,
        }
    }

    fn run(&mut self) -> Result<(), SimError> {
        let points = &self.tl.points;
        let horizon = self.tl.horizon;
        self.budget.check()?;
        // Time 0.
        self.now = 0;
        self.apply_breaks(0);
        self.replan(0)?;
        self.propagate();
        self.update_workarounds(0);
        self.set_drawing(0);
        for (i, st) in self.state.iter_mut().enumerate() {
            let cap = self.inc.value[self.node[i] as usize];
            self.work[i].min_capacity = cap;
            if cap < self.facts[i].mbco - EPS && self.calendar.runs(i as u32, 0) {
                self.lost[i] = true;
                st.lost_since = 0;
                st.out.lost_at = Some(Duration::from_minutes(0));
            }
        }
        self.changed.clear();
        self.set_rates(true);
        self.record_point(0);
        let (mut idx, mut t0) = (1, 0);
        while idx < points.len() {
            self.budget.check()?;
            // The next point of the timeline, or a workaround's start-up or time limit, a
            // standby's bring-up or a stock running out or delivered before it.
            let next = [
                self.standby.next_moment(self.c, t0),
                self.switchovers.next_moment(self.c, t0),
                self.stocks.next_moment(t0),
            ]
            .into_iter()
            .flatten()
            .min();
            let t = match next {
                Some(w) if w < points[idx] => {
                    self.extra_moments += 1;
                    w
                }
                _ => points[idx],
            };
            let is_break = t == points[idx] && self.tl.is_break[idx];
            self.now = t;
            // The limit from before `t`: absence has moved on; nothing else has.
            if self.tl.continuous[idx - 1] {
                self.tl.available(self.c, t, true, &mut self.available);
                self.update_staff();
                self.propagate();
                let changed = std::mem::take(&mut self.changed);
                for &i in &changed {
                    let lost = self.is_lost(i);
                    if lost != self.lost[i as usize] {
                        let m = self.bisect(i, t0, t);
                        self.flip(i, m, lost);
                    }
                }
                self.rate_dirty.extend_from_slice(&changed);
                self.changed = changed;
                self.changed.clear();
            }
            self.integrate(t0, t);
            if t >= horizon {
                break;
            }
            // Stocks drawn on until `t`, events starting or ending at `t`, and a new plan.
            self.advance_stocks(t);
            if is_break {
                self.apply_breaks(t);
            }
            self.replan(t)?;
            self.propagate();
            self.update_workarounds(t);
            self.set_drawing(t);
            let changed = std::mem::take(&mut self.changed);
            for &i in &changed {
                let lost = self.is_lost(i);
                if lost != self.lost[i as usize] {
                    self.flip(i, t, lost);
                }
            }
            self.rate_dirty.extend_from_slice(&changed);
            self.changed = changed;
            self.changed.clear();
            if is_break {
                self.calendar_flips(t);
            }
            self.set_rates(is_break);
            self.record_point(t);
            if t == points[idx] {
                idx += 1;
            }
            t0 = t;
        }
        self.finish(horizon);
        Ok(())
    }

    /// Applies own capacities, demand factors and availability as they are from `t`.
    fn apply_breaks(&mut self, t: u64) {
        for &node in &self.tl.targets {
            let v = self.own_at(node, t);
            self.inc.set_own(node, v);
        }
        self.tl.demand_at(t, &mut self.factor);
        self.tl.available(self.c, t, false, &mut self.available);
        self.update_staff();
    }

    /// An item's own capacity over `[t, next)`: the events' and its stock's.
    fn own_at(&self, node: u32, t: u64) -> f64 {
        let events = if self.tl.targets.binary_search(&node).is_ok() {
            self.tl.own_at(node, t)
        } else {
            1.0
        };
        events.min(self.stocks.level(node))
    }

    /// Stocks drawn on until `t`, delivered or run out at `t`: their assets' own capacities.
    fn advance_stocks(&mut self, t: u64) {
        if self.stocks.is_empty() {
            return;
        }
        let mut changed = std::mem::take(&mut self.stock_changed);
        self.stocks.advance(t, &mut changed);
        for &node in &changed {
            let v = self.own_at(node, t);
            self.inc.set_own(node, v);
        }
        self.stock_changed = changed;
    }

    /// Which stocks are drawn on from `t`, now that standbys are up to date.
    fn set_drawing(&mut self, t: u64) {
        if self.stocks.is_empty() {
            return;
        }
        let (switchovers, tl) = (&self.switchovers, self.tl);
        self.stocks
            .set_drawing(t, |b| switchovers.is_up(b), |node| tl.out_at(node, t));
    }

    /// Staff capacities from the current availability and allocation.
    fn update_staff(&mut self) {
        let inc = &mut self.inc;
        if let Some(p) = &mut self.proportional {
            p.update(self.c, &self.available, |i, v| inc.set_staff(i, v));
            return;
        }
        self.alloc.staff_factors(&self.available, &mut self.staff);
        for (i, &v) in self.staff.iter().enumerate() {
            inc.set_staff(i as u32, v);
        }
    }

    /// Integrates every backlog over `[t0, t)`, skipping idle services, which it would not change.
    fn integrate(&mut self, t0: u64, t: u64) {
        for &i in &self.waits {
            let i = i as usize;
            let w = self.work[i];
            let arrived = &mut self.arrived[i];
            let before = arrived.last().map_or(0.0, |p| p.1);
            arrived.push((t, before + w.arrive * (t - t0) as f64));
            if !w.idle()
                && let Some(wait) = self.facts[i].max_wait
            {
                let peak = overdue_peak(&w, arrived, t0, t, wait);
                let st = &mut self.state[i];
                st.overdue_peak = st.overdue_peak.max(peak);
            }
        }
        let (work, state, is_busy) = (&mut self.work, &mut self.state, &mut self.is_busy);
        let facts = &self.facts;
        self.busy.retain(|&i| {
            let w = &mut work[i as usize];
            let st = &mut state[i as usize];
            if facts[i as usize].perishable {
                st.unmet += (w.arrive - w.serve).max(0.0) * (t - t0) as f64;
            } else {
                integrate(w, st, t0, t);
            }
            is_busy[i as usize] = !w.idle();
            is_busy[i as usize]
        });
    }

    fn propagate(&mut self) {
        let changed = &mut self.changed;
        self.inc.propagate(|i, _| changed.push(i));
    }

    /// Brings workarounds and standbys up to date at `t` and propagates what they change.
    fn update_workarounds(&mut self, t: u64) {
        let facts = &self.facts;
        if self.switchovers.is_empty() {
            if self.standby.is_empty() {
                return;
            }
            self.standby.update(
                self.c,
                &mut self.inc,
                &self.available,
                |i| facts[i as usize].mbco,
                t,
                &mut self.changed,
            );
            return;
        }
        let mbco = |i: u32| facts[i as usize].mbco;
        for control in &self.controls {
            match *control {
                Control::Workarounds(pos) => self.standby.update_service(
                    pos,
                    self.c,
                    &mut self.inc,
                    &self.available,
                    &mbco,
                    t,
                    &mut self.changed,
                ),
                Control::Gate(g) => {
                    self.switchovers
                        .update_gate(g, self.c, &mut self.inc, t, &mut self.changed)
                }
            }
        }
    }

    fn is_lost(&self, i: u32) -> bool {
        self.inc.value[self.node[i as usize] as usize] < self.facts[i as usize].mbco - EPS
            && self.calendar.runs(i, self.now)
    }

    /// Services that start or stop running at `t` (a season's first or last day) change lost
    /// state without any change of capacity.
    fn calendar_flips(&mut self, t: u64) {
        if !self.calendar.has_seasons() {
            return;
        }
        for i in 0..self.node.len() as u32 {
            if self.calendar.varies(i) && self.is_lost(i) != self.lost[i as usize] {
                let lost = self.is_lost(i);
                self.flip(i, t, lost);
            }
        }
    }

    /// Makes a new redeployment plan when one is due at `t`.
    fn replan(&mut self, t: u64) -> Result<(), SimError> {
        let Some(every) = self.redeployer.as_ref().map(|r| r.1) else {
            return Ok(());
        };
        let due = match self.last_plan {
            None => true,
            Some(last) => {
                self.tl
                    .points
                    .binary_search(&t)
                    .is_ok_and(|i| self.tl.is_break[i])
                    || t >= last + every
            }
        };
        if !due {
            return Ok(());
        }
        self.last_plan = Some(t);
        // What the needs (not staff) allow each service now.
        self.propagate();
        let limit: Vec<f64> = self
            .c
            .services
            .iter()
            .map(|s| {
                let own = self.inc.own(s.node);
                let needs = self.c.service_children(s.node).0;
                needs
                    .map(|k| self.inc.value[k as usize])
                    .into_iter()
                    .fold(own, f64::min)
            })
            .collect();
        // A rota for the period until the next plan: staff it with the fewest people that
        // will be at work in it, so that absence rising within the period does not tip a
        // service held at its minimum back below it minute after minute.
        let worst = self.fewest_at_work(t, every);
        if let Some((redeployer, _)) = &self.redeployer {
            self.alloc = redeployer.plan(self.c, &worst, &limit)?;
        }
        self.update_staff();
        let moves = self.alloc.moves(self.c, &self.available);
        let same = self.plans.last().is_some_and(|p| {
            p.moves.len() == moves.len()
                && p.moves.iter().zip(&moves).all(|(a, b)| {
                    a.skill == b.skill && a.service == b.service && (a.fte - b.fte).abs() < 0.05
                })
        });
        if !same && (!moves.is_empty() || !self.plans.is_empty()) {
            self.plans.push(Plan {
                at: Duration::from_minutes(t),
                moves,
            });
        }
        Ok(())
    }

    /// The fewest FTE of each skill at work from `t` until the next plan: the next event, or
    /// `every` later. Availability is linear between the timeline's points, so the least is at
    /// one of them or at the end.
    fn fewest_at_work(&mut self, t: u64, every: u64) -> Vec<f64> {
        let points = &self.tl.points;
        let after = points.partition_point(|p| *p <= t);
        let next_break = (after..points.len())
            .find(|&i| self.tl.is_break[i])
            .map_or(self.tl.horizon, |i| points[i]);
        let end = next_break.min(t.saturating_add(every)).min(self.tl.horizon);
        let mut worst = self.available.clone();
        let mut at = std::mem::take(&mut self.scratch_available);
        let moments = points[after..]
            .iter()
            .take_while(|p| **p < end)
            .map(|p| (*p, false))
            .chain(std::iter::once((end, true)));
        for (p, left) in moments {
            self.tl.available(self.c, p, left, &mut at);
            for (w, a) in worst.iter_mut().zip(&at) {
                *w = w.min(*a);
            }
        }
        self.scratch_available = at;
        worst
    }

    /// Work rates over the interval starting now: of every service (`all`, when demand
    /// factors may have changed), or of those whose capacity changed.
    fn set_rates(&mut self, all: bool) {
        if all {
            for (i, (w, (f, factor))) in (self.work.iter_mut())
                .zip(self.facts.iter().zip(&self.factor))
                .enumerate()
            {
                let runs = self.calendar.runs(i as u32, self.now);
                w.arrive = if runs {
                    f.per_day * factor / 1440.0
                } else {
                    0.0
                };
            }
            self.rate_dirty.clear();
            self.rate_dirty.extend(0..self.node.len() as u32);
        }
        for &i in &self.rate_dirty {
            let i = i as usize;
            let f = &self.facts[i];
            let cap = self.inc.value[self.node[i] as usize];
            let w = &mut self.work[i];
            w.min_capacity = w.min_capacity.min(cap);
            // Perishable work cannot be caught up later, so surge does not apply.
            let surge = if f.perishable { 1.0 } else { f.surge };
            w.serve = f.per_day * cap.max(0.0) * surge / 1440.0;
            if !w.idle() && !self.is_busy[i] {
                self.is_busy[i] = true;
                self.busy.push(i as u32);
            }
        }
        self.rate_dirty.clear();
    }

    fn record_point(&mut self, t: u64) {
        let (inc, node, work) = (&self.inc, &self.node, &self.work);
        let values = self.record.iter().map(|&i| {
            let i = i as usize;
            (inc.value[node[i] as usize], work[i].backlog)
        });
        self.recorder.record(t, values);
    }

    /// Service `i` changes lost state at minute `m`.
    fn flip(&mut self, i: u32, m: u64, lost: bool) {
        let st = &mut self.state[i as usize];
        let f = self.facts[i as usize];
        self.lost[i as usize] = lost;
        if lost {
            self.standby.lost(i, m);
            st.lost_since = m;
            st.out.lost_at.get_or_insert(Duration::from_minutes(m));
        } else {
            let since = st.lost_since;
            st.out.lost_spans.push((
                Duration::from_minutes(since),
                Some(Duration::from_minutes(m)),
            ));
            st.out.minutes_lost += m - since;
            if st.out.lost_at.is_some() && st.out.restored_at.is_none() {
                st.out.restored_at = Some(Duration::from_minutes(m));
            }
            if let Some(mtpd) = f.mtpd
                && m - since > mtpd
            {
                st.out
                    .breached_at
                    .get_or_insert(Duration::from_minutes(since + mtpd));
            }
        }
    }

    fn finish(&mut self, horizon: u64) {
        for (i, st) in self.state.iter_mut().enumerate() {
            if self.lost[i] {
                let since = st.lost_since;
                st.out
                    .lost_spans
                    .push((Duration::from_minutes(since), None));
                st.out.minutes_lost += horizon.saturating_sub(since);
                if let Some(mtpd) = self.facts[i].mtpd
                    && since + mtpd <= horizon
                {
                    st.out
                        .breached_at
                        .get_or_insert(Duration::from_minutes(since + mtpd));
                }
            }
            st.out.backlog_at_horizon = self.work[i].backlog;
            let f = &self.facts[i];
            st.out.unmet = f.perishable.then_some(st.unmet);
            st.out.overdue_peak = f.max_wait.map(|_| st.overdue_peak);
            st.out.suspended = self.calendar.is_suspended(i as u32);
            st.out.min_capacity = self.work[i].min_capacity;
            if let Some(t) = st.cleared_after_peak {
                st.out.backlog_cleared_at = Some(Duration::from_minutes(ceil_minute(t)));
            }
        }
    }

    /// The first minute in `(t0, t]` at which service `i` is no longer in the state it had at
    /// `t0`, knowing that it has changed by `t`; inputs other than absence are those of `[t0, t)`.
    fn bisect(&mut self, i: u32, t0: u64, t: u64) -> u64 {
        let was = self.lost[i as usize];
        let (mut lo, mut hi) = (t0, t);
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if self.lost_at(i, mid) == was {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        hi
    }

    /// Whether service `i` is lost at minute `m` inside the current interval.
    fn lost_at(&mut self, i: u32, m: u64) -> bool {
        let (c, tl, inc) = (self.c, self.tl, &mut self.inc);
        let ranks =
            self.reach[i as usize].get_or_insert_with(|| inc.below(c, c.services[i as usize].node));
        let out = &mut self.scratch_value;
        let v = match &self.proportional {
            // Only the skills of the services below are needed.
            Some(p) => {
                let staff = |j| p.service_with(c, j, |k| tl.available_of(c, k, m, false));
                inc.evaluate_with(ranks, staff, out)
            }
            None => {
                let available = &mut self.scratch_available;
                tl.available(c, m, false, available);
                let staff = |j: u32| self.alloc.staff_factor(j as usize, available);
                inc.evaluate_with(ranks, staff, out)
            }
        };
        v < self.facts[i as usize].mbco - EPS && self.calendar.runs(i, m)
    }
}

/// What is brought up to date at every moment, children before parents.
#[derive(Debug, Clone, Copy)]
enum Control {
    /// The workarounds of the service at this position in [`Workarounds`]' list.
    Workarounds(usize),
    /// The standbys of the gate at this position in [`Switchovers`]' list.
    Gate(usize),
}

/// Services with workarounds and gates with standbys in one order, children before parents;
/// empty when the model has no standbys.
fn controls(c: &Compiled, standby: &Workarounds, switchovers: &Switchovers) -> Vec<Control> {
    if switchovers.is_empty() {
        return Vec::new();
    }
    let mut position = vec![0u32; c.node_count()];
    for (p, &node) in c.order().iter().enumerate() {
        position[node as usize] = p as u32;
    }
    let mut all: Vec<(u32, Control)> = (standby.service_nodes(c).enumerate())
        .map(|(i, node)| (position[node as usize], Control::Workarounds(i)))
        .chain(
            (switchovers.gate_nodes().enumerate())
                .map(|(g, node)| (position[node as usize], Control::Gate(g))),
        )
        .collect();
    all.sort_by_key(|(p, _)| *p);
    all.into_iter().map(|(_, c)| c).collect()
}

/// Whether service `i` has a `max_wait`.
fn facts_wait(facts: &[Facts], i: u32) -> bool {
    let f = &facts[i as usize];
    f.max_wait.is_some() && !f.perishable
}

/// The most work that has waited longer than `wait` minutes at any moment of `(t0, t]`, with
/// work done first come, first served: what is waiting is the latest arrivals, so the overdue
/// part is the backlog less what arrived in the last `wait` minutes. `arrived` holds the work
/// arrived by each moment evaluated, up to `t` (linear in between); `w` the backlog at `t0`
/// and the rates over the interval. Both parts are linear between moments evaluated and those
/// moments shifted by `wait`, so the peak is at one of them.
fn overdue_peak(w: &Work, arrived: &[(u64, f64)], t0: u64, t: u64, wait: u64) -> f64 {
    let backlog = |s: u64| (w.backlog + (w.arrive - w.serve) * (s - t0) as f64).max(0.0);
    let arrived_by = |s: i64| -> f64 {
        if s <= 0 {
            return 0.0;
        }
        let s = s as u64;
        let k = arrived.partition_point(|p| p.0 < s);
        match (k.checked_sub(1).map(|j| arrived[j]), arrived.get(k)) {
            (_, Some(&(b, cb))) if b == s => cb,
            (Some((a, ca)), Some(&(b, cb))) => ca + (cb - ca) * (s - a) as f64 / (b - a) as f64,
            (Some((_, ca)), None) => ca,
            (None, _) => 0.0,
        }
    };
    let overdue = |s: u64| backlog(s) - (arrived_by(s as i64) - arrived_by(s as i64 - wait as i64));
    let shifted = (arrived.iter())
        .map(|p| p.0 + wait)
        .filter(|&s| t0 < s && s < t);
    std::iter::once(t)
        .chain(shifted)
        .map(overdue)
        .fold(0.0, f64::max)
}

/// Integrates a service's backlog over `[t0, t1)` at constant rates.
fn integrate(w: &mut Work, st: &mut State, t0: u64, t1: u64) {
    if w.backlog <= 0.0 && w.arrive <= w.serve {
        return;
    }
    let dt = (t1 - t0) as f64;
    let net = w.arrive - w.serve;
    if w.backlog > 0.0 && net < 0.0 {
        let clear = w.backlog / -net;
        if clear <= dt + EPS {
            w.backlog = 0.0;
            if st.out.backlog_peak > 0.0 && st.cleared_after_peak.is_none() {
                st.cleared_after_peak = Some(t0 as f64 + clear);
            }
            return;
        }
    }
    w.backlog = (w.backlog + net * dt).max(0.0);
    if w.backlog > st.out.backlog_peak {
        st.out.backlog_peak = w.backlog;
        st.out.backlog_peak_at = Some(Duration::from_minutes(t1));
        st.cleared_after_peak = None;
    }
}

fn ceil_minute(t: f64) -> u64 {
    (t - 1e-6).ceil().max(0.0) as u64
}
