//! A scenario's events resolved to dense indices, and the moments at which to evaluate them.

use super::{MAX_STEPS, SimError};
use crate::compile::{Compiled, ItemRef};
use bulwark_model::{EventKind, Scenario, Target};

/// An outage (level 0) or degradation of one item over `[start, end)`.
#[derive(Debug, Clone)]
pub(crate) struct Piece {
    pub node: u32,
    pub start: u64,
    pub end: u64,
    pub level: f64,
}

/// Absence of a skill (`None`: every skill) over `[start, end)`, as a profile from `start`.
#[derive(Debug, Clone)]
pub(crate) struct Absence {
    pub skill: Option<u32>,
    pub start: u64,
    pub end: u64,
    /// Points in absolute minutes, in time order.
    pub points: Vec<(u64, f64)>,
}

impl Absence {
    /// The absent fraction at `t`; `left` gives the limit from before `t` (so an absence that
    /// ends at `t` still counts, and one that starts at `t` does not yet).
    fn at(&self, t: u64, left: bool) -> f64 {
        let active = if left {
            self.start < t && t <= self.end
        } else {
            self.start <= t && t < self.end
        };
        if !active {
            return 0.0;
        }
        let p = &self.points;
        let Some(&(t0, v0)) = p.first() else {
            return 0.0;
        };
        if t <= t0 {
            return v0;
        }
        for w in p.windows(2) {
            let ((ta, va), (tb, vb)) = (w[0], w[1]);
            if t <= tb {
                if tb == ta {
                    return vb;
                }
                return va + (vb - va) * (t - ta) as f64 / (tb - ta) as f64;
            }
        }
        p.last().map_or(0.0, |l| l.1)
    }

    /// Whether the fraction changes within `(a, b)`: some sloped part of the profile overlaps it.
    fn changes_within(&self, a: u64, b: u64) -> bool {
        if b <= self.start || a >= self.end {
            return false;
        }
        self.points
            .windows(2)
            .any(|w| w[0].1 != w[1].1 && w[0].0 < b && w[1].0 > a)
    }
}

/// A demand factor on a service (`None`: every service) over `[start, end)`.
#[derive(Debug, Clone)]
pub(crate) struct DemandFactor {
    pub service: Option<u32>,
    pub start: u64,
    pub end: u64,
    pub factor: f64,
}

/// The scenario, resolved, with its evaluation points.
#[derive(Debug, Clone)]
pub(crate) struct Timeline {
    pub horizon: u64,
    /// The step through sloped absence: the one asked for, or coarser (see [`MAX_STEPS`]).
    pub step: u64,
    pub pieces: Vec<Piece>,
    pub absences: Vec<Absence>,
    pub demands: Vec<DemandFactor>,
    /// Resupply events: (minute, asset node).
    pub deliveries: Vec<(u64, u32)>,
    /// Item nodes some outage or degradation targets, sorted and unique.
    pub targets: Vec<u32>,
    /// Evaluation moments, from 0 to the horizon.
    pub points: Vec<u64>,
    /// Whether an event starts or ends at the point (otherwise only absence moves on).
    pub is_break: Vec<bool>,
    /// Whether some absence changes between the point and the next.
    pub continuous: Vec<bool>,
}

impl Timeline {
    /// Resolves `scenario` against `c`, with `horizon`, a time step for absence profiles
    /// (widened so that stepping adds at most [`MAX_STEPS`] points) and other moments to
    /// evaluate at (`extra_breaks`: seasons starting and ending).
    pub(crate) fn new(
        c: &Compiled,
        scenario: &Scenario,
        horizon: u64,
        step: u64,
        extra_breaks: &[u64],
    ) -> Result<Timeline, SimError> {
        let step = step.max(1);
        let mut tl = Timeline {
            horizon,
            step,
            pieces: Vec::new(),
            absences: Vec::new(),
            demands: Vec::new(),
            deliveries: Vec::new(),
            targets: Vec::new(),
            points: Vec::new(),
            is_break: Vec::new(),
            continuous: Vec::new(),
        };
        let mut breaks: Vec<u64> = vec![0, horizon];
        breaks.extend_from_slice(extra_breaks);
        for e in &scenario.events {
            let start = e.at.minutes();
            let end = e
                .duration
                .map_or(u64::MAX, |d| start.saturating_add(d.minutes()));
            match &e.kind {
                EventKind::Outage(r) | EventKind::Degrade(r, _) => {
                    let node = match c.lookup(&r.id) {
                        Some(ItemRef::Service(i)) => c.services[i as usize].node,
                        Some(ItemRef::Asset(i)) => c.assets[i as usize].node,
                        _ => return Err(SimError::UnknownTarget(r.id.clone())),
                    };
                    let level = match &e.kind {
                        EventKind::Degrade(_, p) => p.fraction(),
                        _ => 0.0,
                    };
                    tl.pieces.push(Piece {
                        node,
                        start,
                        end,
                        level,
                    });
                    tl.targets.push(node);
                    breaks.extend([start, end]);
                }
                EventKind::Absence(target, profile) => {
                    let skill = match target {
                        Target::All(_) => None,
                        Target::One(r) => match c.lookup(&r.id) {
                            Some(ItemRef::Skill(k)) => Some(k),
                            _ => return Err(SimError::UnknownTarget(r.id.clone())),
                        },
                    };
                    let points: Vec<(u64, f64)> = profile
                        .iter()
                        .map(|(t, p)| (start.saturating_add(t.minutes()), p.fraction()))
                        .collect();
                    breaks.extend([start, end]);
                    breaks.extend(points.iter().map(|p| p.0));
                    tl.absences.push(Absence {
                        skill,
                        start,
                        end,
                        points,
                    });
                }
                EventKind::Demand(target, factor) => {
                    let service = match target {
                        Target::All(_) => None,
                        Target::One(r) => match c.lookup(&r.id) {
                            Some(ItemRef::Service(i)) => Some(i),
                            _ => return Err(SimError::UnknownTarget(r.id.clone())),
                        },
                    };
                    tl.demands.push(DemandFactor {
                        service,
                        start,
                        end,
                        factor: *factor,
                    });
                    breaks.extend([start, end]);
                }
                EventKind::Resupply(r) => {
                    let node = match c.lookup(&r.id) {
                        Some(ItemRef::Asset(i)) => c.assets[i as usize].node,
                        _ => return Err(SimError::UnknownTarget(r.id.clone())),
                    };
                    tl.deliveries.push((start, node));
                    breaks.push(start);
                }
            }
        }
        tl.targets.sort_unstable();
        tl.targets.dedup();
        breaks.retain(|t| *t <= horizon);
        breaks.sort_unstable();
        breaks.dedup();
        // Step through the sloped parts of absence profiles: `[lo, hi)` stretches, merged
        // where they overlap, at a step coarse enough for at most `MAX_STEPS` points.
        let mut sloped: Vec<(u64, u64)> = Vec::new();
        for a in &tl.absences {
            for w in a.points.windows(2) {
                let (lo, hi) = (w[0].0.max(a.start), w[1].0.min(a.end).min(horizon));
                if w[0].1 != w[1].1 && lo < hi {
                    sloped.push((lo, hi));
                }
            }
        }
        sloped.sort_unstable();
        let mut merged: Vec<(u64, u64)> = Vec::with_capacity(sloped.len());
        for (lo, hi) in sloped {
            match merged.last_mut() {
                Some(last) if lo <= last.1 => last.1 = last.1.max(hi),
                _ => merged.push((lo, hi)),
            }
        }
        let length: u64 = merged.iter().map(|(lo, hi)| hi - lo).sum();
        let step = step.max(length.div_ceil(MAX_STEPS));
        tl.step = step;
        let mut points = breaks.clone();
        for (lo, hi) in merged {
            let mut t = lo.div_ceil(step) * step;
            while t < hi {
                points.push(t);
                t += step;
            }
        }
        points.sort_unstable();
        points.dedup();
        tl.is_break = points
            .iter()
            .map(|t| breaks.binary_search(t).is_ok())
            .collect();
        tl.continuous = (0..points.len())
            .map(|i| match points.get(i + 1) {
                Some(&next) => tl
                    .absences
                    .iter()
                    .any(|a| a.changes_within(points[i], next)),
                None => false,
            })
            .collect();
        tl.points = points;
        Ok(tl)
    }

    /// Stands the item at `node` down for the whole scenario (own capacity 0).
    pub(crate) fn stand_down(&mut self, node: u32) {
        self.pieces.push(Piece {
            node,
            start: 0,
            end: u64::MAX,
            level: 0.0,
        });
        if let Err(at) = self.targets.binary_search(&node) {
            self.targets.insert(at, node);
        }
    }

    /// Available FTE of every skill at `t` (`left`: the limit from before `t`).
    pub(crate) fn available(&self, c: &Compiled, t: u64, left: bool, out: &mut Vec<f64>) {
        out.clear();
        out.extend(std::iter::repeat_n(0.0, c.skills.len()));
        let mut all = 0.0;
        for a in &self.absences {
            let f = a.at(t, left);
            match a.skill {
                None => all += f,
                Some(k) => out[k as usize] += f,
            }
        }
        for (k, s) in c.skills.iter().enumerate() {
            let absent = (out[k] + all).clamp(0.0, 1.0);
            out[k] = s.headcount * (1.0 - absent);
        }
    }

    /// Available FTE of skill `k` at `t`, as [`Timeline::available`] gives it: for a few skills,
    /// without working out every other.
    pub(crate) fn available_of(&self, c: &Compiled, k: u32, t: u64, left: bool) -> f64 {
        let (mut own, mut all) = (0.0, 0.0);
        for a in &self.absences {
            match a.skill {
                None => all += a.at(t, left),
                Some(j) if j == k => own += a.at(t, left),
                Some(_) => {}
            }
        }
        let absent = (own + all).clamp(0.0, 1.0);
        c.skills[k as usize].headcount * (1.0 - absent)
    }

    /// Whether `node` is under an outage (not a degradation) over `[t, next)`.
    pub(crate) fn out_at(&self, node: u32, t: u64) -> bool {
        self.pieces
            .iter()
            .any(|p| p.node == node && p.level <= 0.0 && p.start <= t && t < p.end)
    }

    /// The own capacity of a targeted node over `[t, next)`.
    pub(crate) fn own_at(&self, node: u32, t: u64) -> f64 {
        self.pieces
            .iter()
            .filter(|p| p.node == node && p.start <= t && t < p.end)
            .map(|p| p.level)
            .fold(1.0, f64::min)
    }

    /// Demand factors over `[t, next)`: one for every service.
    pub(crate) fn demand_at(&self, t: u64, out: &mut [f64]) {
        let active = || self.demands.iter().filter(|d| d.start <= t && t < d.end);
        let all: f64 = active()
            .filter(|d| d.service.is_none())
            .map(|d| d.factor)
            .product();
        out.fill(all);
        for d in active() {
            if let Some(i) = d.service {
                out[i as usize] *= d.factor;
            }
        }
    }
}
