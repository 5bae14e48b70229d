//! Capacities: every node's value in `[0, 1]` given item states and staff, as the format defines.

use crate::compile::{Compiled, NodeKind};

/// The capacity of every node after an evaluation.
#[derive(Debug, Clone)]
pub struct Capacities {
    /// Capacity by node index.
    pub node: Vec<f64>,
}

impl Compiled {
    /// Each service's staff capacity when `available[k]` FTE of skill `k` can work.
    ///
    /// Services share a skill's pool in proportion to what they need, so a skill's capacity is
    /// available FTE over the FTE that all services need of it, capped at 1; a service takes
    /// the lowest over the skills it needs.
    pub fn staff_factors(&self, available: &[f64]) -> Vec<f64> {
        self.services
            .iter()
            .map(|s| {
                s.staff
                    .iter()
                    .filter(|(_, fte)| *fte > 0.0)
                    .map(|(k, _)| {
                        let skill = &self.skills[*k as usize];
                        if skill.required <= 0.0 {
                            1.0
                        } else {
                            (available[*k as usize] / skill.required).min(1.0)
                        }
                    })
                    .fold(1.0, f64::min)
            })
            .collect()
    }

    /// Staff capacities with everyone at work.
    pub fn baseline_staff(&self) -> Vec<f64> {
        let available: Vec<f64> = self.skills.iter().map(|s| s.headcount).collect();
        self.staff_factors(&available)
    }

    /// Evaluates every node. `own[n]` is the capacity of item node `n` itself (1 when up, 0 when
    /// failed, a fraction when degraded; for a workaround, what it gives; ignored for gates);
    /// `staff[i]` is service `i`'s staff capacity.
    pub fn evaluate(&self, own: &[f64], staff: &[f64]) -> Capacities {
        let mut value = vec![1.0f64; self.node_count()];
        let mut scratch: Vec<f64> = Vec::new();
        for &n in self.order() {
            let kids = self.children(n);
            let v = match self.kind(n) {
                NodeKind::Asset(_) => kids
                    .iter()
                    .map(|c| value[*c as usize])
                    .fold(own[n as usize], f64::min),
                NodeKind::Service(i) => {
                    let (needs, workarounds) = self.service_children(n);
                    let core = needs
                        .map(|c| value[c as usize])
                        .into_iter()
                        .fold(own[n as usize].min(staff[i as usize]), f64::min);
                    workarounds
                        .iter()
                        .map(|c| value[*c as usize])
                        .fold(core, f64::max)
                }
                NodeKind::Workaround(_) => kids
                    .iter()
                    .map(|c| value[*c as usize])
                    .fold(own[n as usize], f64::min),
                NodeKind::All => kids.iter().map(|c| value[*c as usize]).fold(1.0, f64::min),
                NodeKind::Any => kids.iter().map(|c| value[*c as usize]).fold(0.0, f64::max),
                NodeKind::AtLeast(k) => {
                    scratch.clear();
                    scratch.extend(kids.iter().map(|c| value[*c as usize]));
                    let k = (k as usize).clamp(1, scratch.len().max(1));
                    if scratch.is_empty() {
                        0.0
                    } else {
                        let (_, kth, _) =
                            scratch.select_nth_unstable_by(k - 1, |a, b| b.total_cmp(a));
                        *kth
                    }
                }
            };
            value[n as usize] = v;
        }
        Capacities { node: value }
    }

    /// Item capacities with every item up, and every workaround at its structural capacity
    /// (see [`crate::compile::WorkaroundInfo::structural_capacity`]).
    pub fn all_up(&self) -> Vec<f64> {
        let mut own = vec![1.0; self.node_count()];
        for w in &self.workarounds {
            own[w.node as usize] = w.structural_capacity();
        }
        own
    }
}
