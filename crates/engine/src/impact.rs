//! What is lost when given items fail, and why.

use crate::compile::{Compiled, ItemRef, NodeKind};

/// The end of an explanation: why the chain stops where it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cause {
    /// The item itself failed.
    Failed,
    /// The service has too few staff (the skill with the lowest capacity).
    ShortOfStaff(String),
}

/// One item on the way from a lost service to the cause of its loss.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The item's id.
    pub id: String,
    /// Alternatives to it (from an `any` or `atleast`) that are lost too.
    pub alternatives_lost: Vec<String>,
}

/// Why a service is lost: the chain of needs from it to the cause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    /// Items from the service down to the one where the cause lies.
    pub path: Vec<Step>,
    /// What happened at the end of the path.
    pub cause: Cause,
}

impl std::fmt::Display for Explanation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, step) in self.path.iter().enumerate() {
            let id = &step.id;
            match i {
                0 => write!(f, "{id}")?,
                1 => write!(f, " needs {id}")?,
                _ => write!(f, ", which needs {id}")?,
            }
            match step.alternatives_lost.as_slice() {
                [] => {}
                [one] => write!(f, " (its alternative {one} is lost too)")?,
                many => write!(f, " (its alternatives {} are lost too)", many.join(", "))?,
            }
        }
        match &self.cause {
            Cause::Failed if self.path.len() == 1 => write!(f, " failed"),
            Cause::Failed => write!(f, ", which failed"),
            Cause::ShortOfStaff(skill) => write!(f, " is short of `{skill}` staff"),
        }
    }
}

/// A service that is lost.
#[derive(Debug, Clone)]
pub struct Lost {
    /// Service index.
    pub service: u32,
    /// Its capacity.
    pub capacity: f64,
    /// Why.
    pub because: Explanation,
}

/// A service that runs at reduced capacity but stays at or above its MBCO.
#[derive(Debug, Clone)]
pub struct Degraded {
    /// Service index.
    pub service: u32,
    /// Its capacity.
    pub capacity: f64,
}

/// The result of failing some items.
#[derive(Debug, Clone, Default)]
pub struct Impact {
    /// Services below their MBCO, in model order.
    pub lost: Vec<Lost>,
    /// Services reduced but not lost, in model order.
    pub degraded: Vec<Degraded>,
}

impl Compiled {
    /// Fails `failed` (assets, services or whole skills) and reports what is lost and degraded.
    pub fn impact(&self, failed: &[ItemRef]) -> Impact {
        let states: Vec<(ItemRef, f64)> = failed.iter().map(|item| (*item, 0.0)).collect();
        self.impact_with(&states)
    }

    /// Like [`Compiled::impact`], with each item at a capacity of its own: 0 when failed, a
    /// fraction when degraded (for a skill, the fraction of its headcount at work). An item
    /// given twice takes the lower capacity.
    pub fn impact_with(&self, states: &[(ItemRef, f64)]) -> Impact {
        let mut own = self.all_up();
        let mut available: Vec<f64> = self.skills.iter().map(|s| s.headcount).collect();
        for &(item, capacity) in states {
            let capacity = capacity.clamp(0.0, 1.0);
            match item {
                ItemRef::Asset(i) => {
                    let n = self.assets[i as usize].node as usize;
                    own[n] = own[n].min(capacity);
                }
                ItemRef::Service(i) => {
                    let n = self.services[i as usize].node as usize;
                    own[n] = own[n].min(capacity);
                }
                ItemRef::Skill(k) => {
                    let k = k as usize;
                    available[k] = available[k].min(self.skills[k].headcount * capacity);
                }
            }
        }
        let staff = self.staff_factors(&available);
        let caps = self.evaluate(&own, &staff);
        let mut out = Impact::default();
        for (i, s) in self.services.iter().enumerate() {
            let capacity = caps.node[s.node as usize];
            if capacity < s.mbco {
                let because = self.explain(s.node, s.mbco, &caps.node, &own, &staff, &available);
                out.lost.push(Lost {
                    service: i as u32,
                    capacity,
                    because,
                });
            } else if capacity < 1.0 {
                out.degraded.push(Degraded {
                    service: i as u32,
                    capacity,
                });
            }
        }
        out
    }

    /// Follows, from `node`, children whose value is below `threshold` down to the cause.
    fn explain(
        &self,
        mut node: u32,
        threshold: f64,
        value: &[f64],
        own: &[f64],
        staff: &[f64],
        available: &[f64],
    ) -> Explanation {
        let mut path = Vec::new();
        let mut alternatives_lost = Vec::new();
        loop {
            match self.kind(node) {
                NodeKind::Asset(_) | NodeKind::Service(_) => {
                    let id = self.node_label(node);
                    path.push(Step {
                        id,
                        alternatives_lost: std::mem::take(&mut alternatives_lost),
                    });
                    if own[node as usize] < threshold {
                        return Explanation {
                            path,
                            cause: Cause::Failed,
                        };
                    }
                    if let NodeKind::Service(i) = self.kind(node)
                        && staff[i as usize] < threshold
                    {
                        let skill = self.services[i as usize]
                            .staff
                            .iter()
                            .min_by(|a, b| {
                                self.skill_ratio(a.0, available)
                                    .total_cmp(&self.skill_ratio(b.0, available))
                            })
                            .map(|(k, _)| self.skills[*k as usize].id.clone())
                            .unwrap_or_default();
                        return Explanation {
                            path,
                            cause: Cause::ShortOfStaff(skill),
                        };
                    }
                }
                NodeKind::All | NodeKind::Any | NodeKind::AtLeast(_) | NodeKind::Workaround(_) => {}
            }
            let kids = self.children(node);
            let Some(&next) = kids.iter().find(|c| value[**c as usize] < threshold) else {
                return Explanation {
                    path,
                    cause: Cause::Failed,
                };
            };
            if matches!(self.kind(node), NodeKind::Any | NodeKind::AtLeast(_)) {
                alternatives_lost = kids
                    .iter()
                    .filter(|c| **c != next && value[**c as usize] < threshold)
                    .filter(|c| matches!(self.kind(**c), NodeKind::Asset(_) | NodeKind::Service(_)))
                    .map(|c| self.node_label(*c))
                    .collect();
            }
            node = next;
        }
    }

    fn skill_ratio(&self, k: u32, available: &[f64]) -> f64 {
        let s = &self.skills[k as usize];
        if s.required <= 0.0 {
            1.0
        } else {
            available[k as usize] / s.required
        }
    }
}
