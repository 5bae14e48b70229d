//! Redeployment: sharing out the staff who are at work so that the most critical services stay
//! at or above their MBCO.
//!
//! An [`Allocation`] says how each pool's available FTE is shared out over the services' staff
//! needs. Without redeployment the share is proportional (a service needing `f` of the `R` FTE
//! all services need of a skill gets `f / R` of its pool), which is exactly the engine's pool
//! rule. A plan fixes FTE per pool and need; between two plans, while absence moves, a pool
//! that has more than planned gives the plan's parts their FTE and the rest to the needs of its
//! own skill still short, in proportion to the shortfall, and one that has less serves needs in
//! priority order (the weights below), so the least critical
//! services feel new absence first.
//!
//! [`Redeployer::plan`] solves a linear programme (good_lp with the pure-Rust microlp solver):
//!
//! - `x[j,i,k] ≥ 0`: FTE of pool `j` working on service `i`'s need for skill `k`, where `j` is
//!   `k` itself or a skill whose `can_cover` lists `k`; `Σ_j x[j,i,k] ≤ fte[i,k]`;
//! - `Σ_{i,k} x[j,i,k] ≤ available[j]` for every pool;
//! - `z[i] ≤ Σ_j x[j,i,k] / fte[i,k]` for every need, and `z[i] ≤ limit[i]`: staff capacity,
//!   never more than what the service's needs (sites, systems, suppliers) allow;
//! - `h[i] ≤ z[i]`, `h[i] ≤ mbco[i]`: the part of the MBCO that is held, only for services
//!   whose needs allow them to reach their MBCO at all;
//! - maximise `Σ w[i] h[i] / mbco[i] + 0.001 Σ z[i] − 0.0001 Σ_{j≠k} x[j,i,k]`, with
//!   `w[i] = 10^(3 − tier) (1 + population[i] / largest population)` (critical tier 0 to low
//!   tier 3): hold the MBCO of critical services first, then high, and so on, by population
//!   within a tier; then use spare staff to raise capacity; move people across skills only
//!   when it helps.
//!
//! It is a relaxation: a service can end up part of the way to its MBCO, but a vertex solution
//! has few such services, and each is reported as lost by the simulation like any other.

use crate::compile::Compiled;
use bulwark_model::{Criticality, Model};
use good_lp::{
    Expression, ProblemVariables, Solution, SolverModel, Variable, constraint, microlp, variable,
};

/// Why a plan could not be made.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RedeployError {
    /// The solver failed (it should not on these problems, which are always feasible).
    #[error("the redeployment solver failed: {0}")]
    Solver(String),
}

/// One staff need of a service and who covers it.
#[derive(Debug, Clone)]
struct NeedShare {
    skill: u32,
    fte: f64,
    start: u32,
    end: u32,
}

/// A plan's FTE for one need from one pool, with the need's priority.
#[derive(Debug, Clone, Copy)]
struct Planned {
    need: u32,
    fte: f64,
    weight: f64,
}

/// Which staff of each pool work on each service's staff needs.
#[derive(Debug, Clone)]
pub struct Allocation {
    need_start: Vec<u32>,
    needs: Vec<NeedShare>,
    /// Proportional: (skill, share of its available FTE) per need.
    shares: Vec<(u32, f64)>,
    /// Planned: per pool, FTE planned for needs, highest priority first. Empty when proportional.
    planned: Vec<Vec<Planned>>,
    /// FTE all services need of each skill.
    required: Vec<f64>,
    /// Planned: FTE planned for each need, from every pool. Empty when proportional.
    planned_for: Vec<f64>,
}

impl Allocation {
    /// The engine's rule: every pool shared in proportion to what services need of it.
    pub fn proportional(c: &Compiled) -> Allocation {
        let required = c.skills.iter().map(|s| s.required).collect();
        let mut a = Allocation {
            need_start: vec![0],
            needs: Vec::new(),
            shares: Vec::new(),
            planned: Vec::new(),
            required,
            planned_for: Vec::new(),
        };
        for s in &c.services {
            for &(k, fte) in s.staff.iter().filter(|(_, f)| *f > 0.0) {
                let required = c.skills[k as usize].required;
                let start = a.shares.len() as u32;
                a.shares
                    .push((k, if required > 0.0 { fte / required } else { 1.0 }));
                a.needs.push(NeedShare {
                    skill: k,
                    fte,
                    start,
                    end: start + 1,
                });
            }
            a.need_start.push(a.needs.len() as u32);
        }
        a
    }

    /// Shares each pool's `available` FTE out; calls `give(pool, need, fte)` for each part.
    ///
    /// Proportional: each need gets its share. Planned: a pool with at least the planned FTE
    /// scales every part up alike; a smaller pool serves needs in priority order (equal
    /// priorities alike), so absence after a plan is felt by the least critical services first.
    fn share_out(&self, available: &[f64], mut give: impl FnMut(u32, usize, f64)) {
        if self.planned.is_empty() {
            for (n, need) in self.needs.iter().enumerate() {
                for &(j, share) in &self.shares[need.start as usize..need.end as usize] {
                    give(j, n, share * available[j as usize]);
                }
            }
            return;
        }
        for (j, parts) in self.planned.iter().enumerate() {
            let total: f64 = parts.iter().map(|p| p.fte).sum();
            let a = available[j];
            if a >= total {
                // The plan's parts first; staff beyond them go to the needs of their own skill
                // still short of what they need, in proportion to the shortfall. Anyone left
                // over is not needed.
                for p in parts {
                    give(j as u32, p.need as usize, p.fte);
                }
                let surplus = a - total;
                let short: Vec<(usize, f64)> = (self.needs.iter().enumerate())
                    .filter(|(_, n)| n.skill as usize == j)
                    .map(|(n, need)| (n, (need.fte - self.planned_for[n]).max(0.0)))
                    .filter(|(_, s)| *s > 1e-12)
                    .collect();
                let shortfall: f64 = short.iter().map(|(_, s)| s).sum();
                if shortfall > 0.0 {
                    let scale = (surplus / shortfall).min(1.0);
                    for &(n, s) in &short {
                        give(j as u32, n, s * scale);
                    }
                }
                continue;
            }
            let mut left = a;
            let mut g = 0;
            while g < parts.len() {
                let mut h = g;
                while h < parts.len() && parts[h].weight == parts[g].weight {
                    h += 1;
                }
                let group: f64 = parts[g..h].iter().map(|p| p.fte).sum();
                let scale = if group <= left { 1.0 } else { left / group };
                for p in &parts[g..h] {
                    give(j as u32, p.need as usize, p.fte * scale);
                }
                left = (left - group).max(0.0);
                g = h;
            }
        }
    }

    /// Every service's staff capacity when `available[k]` FTE of each skill are at work.
    pub fn staff_factors(&self, available: &[f64], out: &mut Vec<f64>) {
        if self.planned.is_empty() {
            // Proportional: each need's share gives available / required of its one skill.
            let ratio: Vec<f64> = available
                .iter()
                .zip(&self.required)
                .map(|(a, r)| if *r > 0.0 { a / r } else { 1.0 })
                .collect();
            out.clear();
            out.extend(self.need_start.windows(2).map(|w| {
                self.needs[w[0] as usize..w[1] as usize]
                    .iter()
                    .map(|n| ratio[n.skill as usize])
                    .fold(1.0, f64::min)
            }));
            return;
        }
        let mut fte = vec![0.0; self.needs.len()];
        self.share_out(available, |_, n, f| fte[n] += f);
        out.clear();
        out.extend((0..self.need_start.len() - 1).map(|i| {
            let range = self.need_start[i] as usize..self.need_start[i + 1] as usize;
            self.needs[range.clone()]
                .iter()
                .zip(&fte[range])
                .map(|(n, f)| f / n.fte)
                .fold(1.0, f64::min)
        }));
    }

    /// Service `i`'s staff capacity when `available[k]` FTE of each skill are at work.
    pub fn staff_factor(&self, i: usize, available: &[f64]) -> f64 {
        let range = self.need_start[i] as usize..self.need_start[i + 1] as usize;
        if self.planned.is_empty() {
            let k = |n: &NeedShare| n.skill as usize;
            return self.needs[range]
                .iter()
                .map(|n| {
                    if self.required[k(n)] > 0.0 {
                        available[k(n)] / self.required[k(n)]
                    } else {
                        1.0
                    }
                })
                .fold(1.0, f64::min);
        }
        let mut out = Vec::new();
        self.staff_factors(available, &mut out);
        out[i]
    }

    /// FTE of each pool working on each service beyond its proportional share: who moved where.
    pub fn moves(&self, c: &Compiled, available: &[f64]) -> Vec<Move> {
        let mut service_of = Vec::with_capacity(self.needs.len());
        for i in 0..self.need_start.len() - 1 {
            service_of.extend(std::iter::repeat_n(
                i as u32,
                (self.need_start[i + 1] - self.need_start[i]) as usize,
            ));
        }
        let mut given: std::collections::BTreeMap<(u32, u32), f64> =
            std::collections::BTreeMap::new();
        self.share_out(available, |j, n, f| {
            *given.entry((service_of[n], j)).or_default() += f
        });
        let mut out = Vec::new();
        for ((i, j), fte) in given {
            let usual: f64 = c.services[i as usize]
                .staff
                .iter()
                .filter(|(k, f)| *k == j && *f > 0.0)
                .map(|(_, f)| {
                    let req = c.skills[j as usize].required;
                    if req > 0.0 {
                        available[j as usize] * f / req
                    } else {
                        0.0
                    }
                })
                .sum();
            if fte - usual > 0.05 {
                out.push(Move {
                    skill: j,
                    service: i,
                    fte: fte - usual,
                });
            }
        }
        out.sort_by_key(|m| (m.service, m.skill));
        out
    }
}

/// Staff of a skill working for a service beyond the share they would have without redeployment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Move {
    /// The skill (pool) they come from.
    pub skill: u32,
    /// The service they work for.
    pub service: u32,
    /// How many FTE.
    pub fte: f64,
}

/// A need's service, FTE, and a variable for each pool that can staff it.
type NeedVars = (usize, u32, f64, Vec<(u32, Variable)>);

/// Plans redeployments for one compiled model.
#[derive(Debug, Clone)]
pub struct Redeployer {
    /// For each skill, the pools that can do it: itself first, then those that can cover it.
    pools_for: Vec<Vec<u32>>,
    weight: Vec<f64>,
}

impl Redeployer {
    /// Reads `can_cover`, criticality and population; `model` is the one `c` was compiled from.
    pub fn new(model: &Model, c: &Compiled) -> Redeployer {
        let mut pools_for: Vec<Vec<u32>> = (0..c.skills.len() as u32).map(|k| vec![k]).collect();
        for (j, skill) in model.skills.iter().enumerate() {
            for covered in &skill.can_cover {
                if let Some(crate::ItemRef::Skill(k)) = c.lookup(&covered.id)
                    && k as usize != j
                    && !pools_for[k as usize].contains(&(j as u32))
                {
                    pools_for[k as usize].push(j as u32);
                }
            }
        }
        let largest = c
            .services
            .iter()
            .filter_map(|s| s.population)
            .max()
            .unwrap_or(0)
            .max(1) as f64;
        let weight = c
            .services
            .iter()
            .map(|s| {
                let tier = match s.criticality {
                    Some(Criticality::Critical) => 1000.0,
                    Some(Criticality::High) => 100.0,
                    Some(Criticality::Medium) => 10.0,
                    _ => 1.0,
                };
                tier * (1.0 + s.population.unwrap_or(0) as f64 / largest)
            })
            .collect();
        Redeployer { pools_for, weight }
    }

    /// The best allocation of `available` FTE when service `i`'s needs (everything but staff)
    /// allow it at most `limit[i]` capacity.
    pub fn plan(
        &self,
        c: &Compiled,
        available: &[f64],
        limit: &[f64],
    ) -> Result<Allocation, RedeployError> {
        let mut vars = ProblemVariables::new();
        let mut objective = Expression::with_capacity(4 * c.services.len());
        let mut pool_use: Vec<Expression> = vec![Expression::default(); c.skills.len()];
        let mut constraints = Vec::new();
        // (service, fte, [(pool, variable)]) per need, in allocation order.
        let mut plan: Vec<NeedVars> = Vec::new();
        for (i, s) in c.services.iter().enumerate() {
            let needs: Vec<(u32, f64)> =
                s.staff.iter().copied().filter(|(_, f)| *f > 0.0).collect();
            if needs.is_empty() {
                continue;
            }
            let cap = limit[i].clamp(0.0, 1.0);
            let z = vars.add(variable().min(0.0).max(cap));
            objective.add_mul(0.001, z);
            if s.mbco > 0.0 && cap >= s.mbco {
                let h = vars.add(variable().min(0.0).max(s.mbco));
                objective.add_mul(self.weight[i] / s.mbco, h);
                constraints.push(constraint!(h - z <= 0.0));
            }
            for (k, fte) in needs {
                let mut staffed = Expression::default();
                let mut xs = Vec::new();
                for &j in &self.pools_for[k as usize] {
                    if available[j as usize] <= 0.0 {
                        continue;
                    }
                    let x = vars.add(variable().min(0.0).max(fte));
                    staffed.add_mul(1.0, x);
                    pool_use[j as usize].add_mul(1.0, x);
                    if j != k {
                        objective.add_mul(-0.0001, x);
                    }
                    xs.push((j, x));
                }
                constraints.push(constraint!(staffed.clone() <= fte));
                constraints.push(constraint!(fte * z - staffed <= 0.0));
                plan.push((i, k, fte, xs));
            }
        }
        if plan.is_empty() {
            return Ok(Allocation::proportional(c));
        }
        let mut problem = vars.maximise(objective).using(microlp);
        for c in constraints {
            problem.add_constraint(c);
        }
        for (j, used) in pool_use.into_iter().enumerate() {
            if available[j] > 0.0 {
                problem.add_constraint(constraint!(used <= available[j]));
            }
        }
        let solution = problem
            .solve()
            .map_err(|e| RedeployError::Solver(e.to_string()))?;
        let mut a = Allocation {
            need_start: vec![0],
            needs: Vec::new(),
            shares: Vec::new(),
            planned: vec![Vec::new(); c.skills.len()],
            required: c.skills.iter().map(|s| s.required).collect(),
            planned_for: Vec::new(),
        };
        let mut next = plan.into_iter().peekable();
        for i in 0..c.services.len() {
            while let Some((_, k, fte, xs)) = next.next_if(|p| p.0 == i) {
                let need = a.needs.len() as u32;
                for (j, x) in xs {
                    let v = solution.value(x).max(0.0);
                    if v > 1e-9 {
                        a.planned[j as usize].push(Planned {
                            need,
                            fte: v,
                            weight: self.weight[i],
                        });
                    }
                }
                a.needs.push(NeedShare {
                    skill: k,
                    fte,
                    start: 0,
                    end: 0,
                });
            }
            a.need_start.push(a.needs.len() as u32);
        }
        a.planned_for = vec![0.0; a.needs.len()];
        for parts in &mut a.planned {
            parts.sort_by(|x, y| y.weight.total_cmp(&x.weight));
            for p in parts.iter() {
                a.planned_for[p.need as usize] += p.fte;
            }
        }
        Ok(a)
    }
}
