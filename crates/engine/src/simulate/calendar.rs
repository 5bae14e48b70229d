//! Which services run when: services a scenario suspends, and seasonal services outside their
//! season.
//!
//! A suspended service is stood down for the whole scenario: its own capacity is 0 (so what
//! needs it feels it), it takes no work and needs no staff (its FTE are free for the other
//! services sharing the pools, and for redeployment), and it is never reported lost or
//! breached. A service with a `season`, in a scenario with a `start` date, runs only on the
//! days of its season: outside them it has no demand and cannot be lost. Days begin at
//! midnight; minute `t` of the scenario falls on `start + t / 1440` days. Without a `start`,
//! seasons are ignored.

use super::SimError;
use crate::compile::{Compiled, ItemRef};
use bulwark_model::{Model, Scenario};
use chrono::Days;

const DAY: u64 = 24 * 60;

/// When each service runs.
#[derive(Debug, Clone)]
pub(super) struct Calendar {
    /// Per service: whether the scenario suspends it.
    suspended: Vec<bool>,
    /// Per service: the periods `[from, to)` outside its season, in time order.
    off: Vec<Vec<(u64, u64)>>,
}

impl Calendar {
    /// The calendar of `scenario` over `horizon` minutes.
    pub(super) fn new(
        model: &Model,
        c: &Compiled,
        scenario: &Scenario,
        horizon: u64,
    ) -> Result<Calendar, SimError> {
        let mut suspended = vec![false; c.services.len()];
        for r in &scenario.suspend {
            match c.lookup(&r.id) {
                Some(ItemRef::Service(i)) => suspended[i as usize] = true,
                _ => return Err(SimError::UnknownTarget(r.id.clone())),
            }
        }
        let mut off = vec![Vec::new(); c.services.len()];
        if let Some(start) = scenario.start {
            for (i, s) in model.services.iter().enumerate() {
                let Some(season) = s.season else { continue };
                let mut periods: Vec<(u64, u64)> = Vec::new();
                for day in 0..horizon.div_ceil(DAY) {
                    let Some(date) = start.checked_add_days(Days::new(day)) else {
                        break;
                    };
                    if season.contains(date) {
                        continue;
                    }
                    let (from, to) = (day * DAY, ((day + 1) * DAY).min(horizon));
                    match periods.last_mut() {
                        Some(last) if last.1 == from => last.1 = to,
                        _ => periods.push((from, to)),
                    }
                }
                off[i] = periods;
            }
        }
        Ok(Calendar { suspended, off })
    }

    /// The services suspended.
    pub(super) fn suspended(&self) -> impl Iterator<Item = u32> + '_ {
        (self.suspended.iter().enumerate())
            .filter(|(_, s)| **s)
            .map(|(i, _)| i as u32)
    }

    /// Whether service `i` is suspended.
    pub(super) fn is_suspended(&self, i: u32) -> bool {
        self.suspended[i as usize]
    }

    /// The moments a season starts or ends.
    pub(super) fn breaks(&self) -> Vec<u64> {
        let mut out: Vec<u64> = (self.off.iter().flatten())
            .flat_map(|&(a, b)| [a, b])
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Whether some service has a season in this scenario.
    pub(super) fn has_seasons(&self) -> bool {
        self.off.iter().any(|o| !o.is_empty())
    }

    /// Whether service `i` runs at minute `t`: not suspended, and in its season.
    pub(super) fn runs(&self, i: u32, t: u64) -> bool {
        let i = i as usize;
        !self.suspended[i] && !self.off[i].iter().any(|&(a, b)| a <= t && t < b)
    }

    /// Whether service `i` can be lost at some moment (it is seasonal or suspended).
    pub(super) fn varies(&self, i: u32) -> bool {
        self.suspended[i as usize] || !self.off[i as usize].is_empty()
    }
}

impl Compiled {
    /// The model with `services` stood down: they need no staff, so their FTE are free for the
    /// other services of their pools.
    pub fn without_staff_of(&self, services: impl IntoIterator<Item = u32>) -> Compiled {
        let mut c = self.clone();
        for i in services {
            for (k, fte) in std::mem::take(&mut c.services[i as usize].staff) {
                let required = &mut c.skills[k as usize].required;
                *required = (*required - fte).max(0.0);
            }
        }
        c
    }
}
