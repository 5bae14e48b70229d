//! The simulation run of an exercise, kept as it was on the day: which services broke and
//! when, how far their backlogs grew, what redeploying staff saved, and the charts.
//!
//! A [`RunSnapshot`] is self-contained (names, figures and SVG charts), so an exercise's
//! report still reads the same after the model has moved on.

use crate::charts::{self, ChartError};
use bulwark_engine::simulate::{
    DEFAULT_REPLAN, Options, Outcome, Record, SimError, Simulation, Summary, simulate,
};
use bulwark_engine::{Budget, Compiled};
use bulwark_model::{Duration, Model};
use serde::{Deserialize, Serialize};

/// Charts of at most this many services go into a snapshot (the most critical first).
pub const MAX_SERVICE_CHARTS: usize = 6;

/// Totals across services for one run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Totals {
    /// Services lost at some moment.
    pub services_lost: usize,
    /// Service-days lost within the horizon.
    pub service_days_lost: f64,
    /// Services that breached their MTPD.
    pub breaches: usize,
}

impl From<Summary> for Totals {
    fn from(s: Summary) -> Totals {
        Totals {
            services_lost: s.services_lost,
            service_days_lost: tenth(s.service_days_lost),
            breaches: s.breaches,
        }
    }
}

/// What happened to one affected service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceRun {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its criticality (`not rated` when none).
    pub criticality: String,
    /// When it fell below its MBCO, from the scenario's start.
    pub lost_at: Option<String>,
    /// When it was back at or above it.
    pub restored_at: Option<String>,
    /// When it had been lost for its MTPD.
    pub breached_at: Option<String>,
    /// Days lost within the horizon.
    pub days_lost: f64,
    /// Its lowest capacity, in per cent.
    pub lowest_capacity: f64,
    /// The largest backlog, with its unit.
    pub backlog_peak: Option<String>,
    /// When that backlog was cleared (`None`: not within the horizon, or no backlog).
    pub backlog_cleared_at: Option<String>,
    /// Days lost with staff redeployed, when that was simulated.
    pub days_lost_redeployed: Option<f64>,
    /// Whether it still breached its MTPD with staff redeployed.
    pub breached_redeployed: Option<bool>,
}

/// Staff moved to hold a service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffMove {
    /// The skill moved.
    pub skill: String,
    /// The service it moved to.
    pub service: String,
    /// The largest number of full-time equivalents moved.
    pub fte: f64,
    /// When the move was first made.
    pub from: String,
}

/// A chart: a title for people and the SVG.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Chart {
    /// What it shows.
    pub title: String,
    /// The picture.
    pub svg: String,
}

/// An exercise's simulation run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSnapshot {
    /// The scenario's id.
    pub scenario: String,
    /// Its name.
    pub scenario_name: String,
    /// Its description.
    pub description: String,
    /// The horizon simulated.
    pub horizon: String,
    /// Totals as things are.
    pub without: Totals,
    /// Totals with staff redeployed to the most critical services.
    pub redeployed: Option<Totals>,
    /// Why redeployment could not be simulated, when it could not.
    pub redeploy_problem: Option<String>,
    /// Services lost or with a backlog, most critical first.
    pub services: Vec<ServiceRun>,
    /// Who moved where with redeployment (largest moves first).
    pub moves: Vec<StaffMove>,
    /// Charts: the timeline of losses, then capacity and backlog of the most critical services.
    pub charts: Vec<Chart>,
}

/// Why a run could not be made.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The simulation failed.
    #[error(transparent)]
    Simulation(#[from] SimError),
    /// A chart could not be drawn.
    #[error(transparent)]
    Chart(#[from] ChartError),
}

/// Rounded to one decimal place, as reports show days and staff.
fn tenth(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn time(d: Option<Duration>) -> Option<String> {
    d.map(|d| d.to_string())
}

/// The largest move of each (skill, service) over a run's plans, with when it was first made,
/// largest first: (skill index, service index, FTE, first made at).
pub fn largest_moves(sim: &Simulation) -> Vec<(u32, u32, f64, Duration)> {
    let mut largest: Vec<(u32, u32, f64, Duration)> = Vec::new();
    for p in &sim.plans {
        for m in &p.moves {
            match largest
                .iter_mut()
                .find(|x| x.0 == m.skill && x.1 == m.service)
            {
                Some(x) => x.2 = x.2.max(m.fte),
                None => largest.push((m.skill, m.service, m.fte, p.at)),
            }
        }
    }
    largest.sort_by(|a, b| b.2.total_cmp(&a.2));
    largest
}

fn affected(o: &Outcome) -> bool {
    o.lost_at.is_some() || o.backlog_peak > 0.5
}

/// Simulates `scenario` of `model` (compiled as `c`) as things are and with staff redeployed,
/// and keeps what an exercise report shows.
/// Both simulations stop with [`SimError::Stopped`] when `budget` runs out.
pub fn run(
    model: &Model,
    c: &Compiled,
    scenario: &str,
    budget: &Budget,
) -> Result<RunSnapshot, RunError> {
    let sc = model
        .scenarios
        .iter()
        .find(|s| s.meta.id.as_str() == scenario)
        .ok_or_else(|| SimError::UnknownScenario(scenario.to_string()))?;
    let options = Options {
        record: Record::All,
        budget: budget.clone(),
        ..Options::default()
    };
    let sim = simulate(model, c, scenario, &options)?;
    let (redeployed, redeploy_problem) = match simulate(
        model,
        c,
        scenario,
        &Options {
            redeploy: Some(DEFAULT_REPLAN),
            budget: budget.clone(),
            ..Options::default()
        },
    ) {
        Ok(r) => (Some(r), None),
        Err(e @ SimError::Stopped(_)) => return Err(e.into()),
        Err(e) => (None, Some(e.to_string())),
    };
    let mut order: Vec<usize> = (0..sim.services.len())
        .filter(|&i| affected(&sim.services[i]))
        .collect();
    order.sort_by_key(|&i| {
        (
            c.services[i].criticality.map_or(9, |k| k as u8),
            sim.services[i].lost_at,
            i,
        )
    });
    let services = order
        .iter()
        .map(|&i| {
            let (o, s) = (&sim.services[i], &c.services[i]);
            let demand = model.services[i].demand.as_ref();
            let unit = demand.and_then(|d| d.unit.as_deref()).unwrap_or("units");
            let r = redeployed.as_ref().map(|r| &r.services[i]);
            ServiceRun {
                id: s.id.clone(),
                name: s.name.clone(),
                criticality: s.criticality.map_or("not rated", |k| k.as_str()).into(),
                lost_at: time(o.lost_at),
                restored_at: time(o.restored_at),
                breached_at: time(o.breached_at),
                days_lost: tenth(o.days_lost()),
                lowest_capacity: (o.min_capacity * 100.0).round(),
                backlog_peak: (o.backlog_peak > 0.5)
                    .then(|| format!("{:.0} {unit}", o.backlog_peak)),
                backlog_cleared_at: time(o.backlog_cleared_at),
                days_lost_redeployed: r.map(|r| tenth(r.days_lost())),
                breached_redeployed: r.map(|r| r.breached_at.is_some()),
            }
        })
        .collect();
    let moves = redeployed
        .as_ref()
        .map(|r| {
            largest_moves(r)
                .into_iter()
                .take(25)
                .map(|(k, s, fte, at)| StaffMove {
                    skill: model.skills[k as usize].meta.name.clone(),
                    service: c.services[s as usize].name.clone(),
                    fte: tenth(fte),
                    from: at.to_string(),
                })
                .collect()
        })
        .unwrap_or_default();
    let mut charts = vec![Chart {
        title: "Services lost over time (orange) and MTPD breaches (red)".into(),
        svg: charts::breach_timeline(c, &sim)?,
    }];
    if let Some(r) = &redeployed {
        charts.push(Chart {
            title: "The same, with staff redeployed to the most critical services".into(),
            svg: charts::breach_timeline(c, r)?,
        });
    }
    for &i in order.iter().take(MAX_SERVICE_CHARTS) {
        if let Some(series) = sim.series.iter().find(|s| s.service as usize == i) {
            let unit = model.services[i]
                .demand
                .as_ref()
                .and_then(|d| d.unit.as_deref());
            charts.push(Chart {
                title: format!("{}: capacity and backlog", c.services[i].name),
                svg: charts::capacity_and_backlog(c, &sim, series, unit)?,
            });
        }
    }
    Ok(RunSnapshot {
        scenario: scenario.to_string(),
        scenario_name: sc.meta.name.clone(),
        description: sc.meta.description.clone().unwrap_or_default(),
        horizon: sim.horizon.to_string(),
        without: sim.summary().into(),
        redeployed: redeployed.as_ref().map(|r| r.summary().into()),
        redeploy_problem,
        services,
        moves,
        charts,
    })
}
