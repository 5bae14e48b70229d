//! Workarounds over time: which are in use, from when, and for how long.
//!
//! A service's workaround is in use from its `after` past the moment the service was lost
//! (its *episode*: the moment its own capacity, needs and staff, fell below its MBCO), while
//! that own capacity stays below the MBCO, until its total time in use in the scenario reaches
//! its `lasts`. While in use it gives the least of its `capacity`, its needs (its node's child,
//! evaluated by the graph) and its staff; otherwise nothing. Its staff draw on their skill's
//! available FTE as one more claimant beside the services that need the skill: each skill
//! gives `available / (what the services need + what the workaround needs)`, capped at 1.
//!
//! A suspended service's workarounds are never in use. Start-ups and time limits fall at moments the scenario's events do not give, so the
//! simulation asks [`Workarounds::next_moment`] for the next one and evaluates there too.

use super::incremental::Incremental;
use crate::compile::{Compiled, NodeKind};

/// The state of every workaround of the model.
#[derive(Debug, Clone)]
pub(super) struct Workarounds {
    /// Services that have workarounds, and theirs (indices into `Compiled::workarounds`).
    services: Vec<(u32, Vec<u32>)>,
    /// Per service: the start of its episode, while its own capacity is below its MBCO.
    episode: Vec<Option<u64>>,
    /// Per workaround: minutes in use so far (not counting the current period).
    used: Vec<u64>,
    /// Per workaround: since when it is in use.
    since: Vec<Option<u64>>,
    /// Per workaround: the periods it was in use.
    spans: Vec<Vec<(u64, Option<u64>)>>,
}

impl Workarounds {
    /// No workaround in use; those of services for which `stood_down` is true never are.
    pub(super) fn new(c: &Compiled, stood_down: impl Fn(u32) -> bool) -> Workarounds {
        let mut by_service: Vec<Vec<u32>> = vec![Vec::new(); c.services.len()];
        for (w, info) in c.workarounds.iter().enumerate() {
            if !stood_down(info.service) {
                by_service[info.service as usize].push(w as u32);
            }
        }
        // Each service after everything it depends on, so it sees their workarounds' effect.
        let services = (c.order().iter())
            .filter_map(|&node| match c.kind(node) {
                NodeKind::Service(i) if !by_service[i as usize].is_empty() => {
                    Some((i, std::mem::take(&mut by_service[i as usize])))
                }
                _ => None,
            })
            .collect();
        let n = c.workarounds.len();
        Workarounds {
            services,
            episode: vec![None; c.services.len()],
            used: vec![0; n],
            since: vec![None; n],
            spans: vec![Vec::new(); n],
        }
    }

    /// Takes every workaround out of use in `inc` (it starts with the structural capacities).
    pub(super) fn reset(&self, c: &Compiled, inc: &mut Incremental<'_>) {
        for w in &c.workarounds {
            inc.set_own(w.node, 0.0);
        }
    }

    /// Whether the model has no workarounds.
    pub(super) fn is_empty(&self) -> bool {
        self.services.is_empty()
    }

    /// Service `i` was lost at minute `m`: its episode starts then, unless one is under way.
    pub(super) fn lost(&mut self, i: u32, m: u64) {
        if let Some(e) = self.episode.get_mut(i as usize) {
            e.get_or_insert(m);
        }
    }

    /// Brings every workaround up to date at minute `t`, with `available` FTE of each skill and
    /// `mbco` of each service, service after service in the order of their needs, propagating
    /// what each changes in `inc` before the next looks (so that each sees the final state of
    /// what it needs); `changed` is told of every service whose capacity changed.
    pub(super) fn update(
        &mut self,
        c: &Compiled,
        inc: &mut Incremental<'_>,
        available: &[f64],
        mbco: impl Fn(u32) -> f64,
        t: u64,
        changed: &mut Vec<u32>,
    ) {
        for pos in 0..self.services.len() {
            self.update_service(pos, c, inc, available, &mbco, t, changed);
        }
    }

    /// The node of each service with workarounds, in the order [`Workarounds::update`] takes
    /// them (children before parents).
    pub(super) fn service_nodes<'c>(&'c self, c: &'c Compiled) -> impl Iterator<Item = u32> + 'c {
        self.services
            .iter()
            .map(|(i, _)| c.services[*i as usize].node)
    }

    /// Brings the workarounds of the `pos`-th service with workarounds up to date at minute
    /// `t`, as [`Workarounds::update`] does for each.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn update_service(
        &mut self,
        pos: usize,
        c: &Compiled,
        inc: &mut Incremental<'_>,
        available: &[f64],
        mbco: &impl Fn(u32) -> f64,
        t: u64,
        changed: &mut Vec<u32>,
    ) {
        let (service, list) = std::mem::take(&mut self.services[pos]);
        {
            let i = service as usize;
            let below = inc.core(c, service) < mbco(service) - super::EPS;
            match (below, self.episode[i]) {
                (true, None) => self.episode[i] = Some(t),
                (false, Some(_)) => self.episode[i] = None,
                _ => {}
            }
            for &w in &list {
                let info = &c.workarounds[w as usize];
                let k = w as usize;
                let lasts = info.lasts.unwrap_or(u64::MAX);
                let in_use = match (self.episode[i], self.since[k]) {
                    (None, None) => false,
                    (None, Some(since)) => {
                        self.stop(k, since, t);
                        false
                    }
                    (Some(_), Some(since)) if since.saturating_add(lasts - self.used[k]) <= t => {
                        self.stop(k, since, t);
                        false
                    }
                    (Some(_), Some(_)) => true,
                    (Some(start), None) => {
                        let ready = start.saturating_add(info.after) <= t && self.used[k] < lasts;
                        if ready {
                            self.since[k] = Some(t);
                            self.spans[k].push((t, None));
                        }
                        ready
                    }
                };
                let v = if in_use {
                    info.capacity.min(staff_factor(c, &info.staff, available))
                } else {
                    0.0
                };
                inc.set_own(info.node, v);
            }
            inc.propagate(|i, _| changed.push(i));
        }
        self.services[pos] = (service, list);
    }

    fn stop(&mut self, k: usize, since: u64, t: u64) {
        self.used[k] += t - since;
        self.since[k] = None;
        if let Some(last) = self.spans[k].last_mut() {
            last.1 = Some(t);
        }
    }

    /// The first moment after `t` at which a workaround starts up or reaches its time limit.
    pub(super) fn next_moment(&self, c: &Compiled, t: u64) -> Option<u64> {
        let mut next: Option<u64> = None;
        for (service, list) in &self.services {
            let Some(start) = self.episode[*service as usize] else {
                continue;
            };
            for &w in list {
                let info = &c.workarounds[w as usize];
                let k = w as usize;
                let lasts = info.lasts.unwrap_or(u64::MAX);
                let at = match self.since[k] {
                    Some(since) => since.saturating_add(lasts - self.used[k]),
                    None if self.used[k] < lasts => start.saturating_add(info.after),
                    None => continue,
                };
                if at > t {
                    next = Some(next.map_or(at, |n| n.min(at)));
                }
            }
        }
        next
    }

    /// The periods each workaround was in use (`None`: still at the horizon), by workaround.
    pub(super) fn finish(self) -> Vec<Vec<(u64, Option<u64>)>> {
        self.spans
    }
}

/// A workaround's staff capacity: for each skill it needs, the available FTE over what the
/// services need of the skill and the workaround needs, capped at 1; the lowest of them.
fn staff_factor(c: &Compiled, staff: &[(u32, f64)], available: &[f64]) -> f64 {
    staff
        .iter()
        .filter(|(_, fte)| *fte > 0.0)
        .map(|&(k, fte)| {
            let wanted = c.skills[k as usize].required + fte;
            (available[k as usize] / wanted).min(1.0)
        })
        .fold(1.0, f64::min)
}
