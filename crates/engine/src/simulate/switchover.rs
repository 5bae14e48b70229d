//! Standbys over time: alternatives of an `any` or `atleast` that take time to bring up.
//!
//! A gate with standbys is *short* while its other parts (those without a switchover time)
//! alone give less than full capacity: the `any`'s greatest of them, or the `atleast k`'s k-th
//! largest, below 1. Its *episode* starts at the first moment it is short and ends at the first
//! moment it is not. A standby is brought up `switchover` after its gate's episode started, and
//! gives its part's capacity from then until the episode ends; before that, and outside an
//! episode, it gives nothing. A new episode starts the clock again.
//!
//! Bring-ups fall at moments the scenario's events do not give, so the simulation asks
//! [`Switchovers::next_moment`] for the next one and evaluates there too.

use super::incremental::Incremental;
use crate::compile::{Compiled, NodeKind};

/// A gate that has standbys.
#[derive(Debug, Clone)]
pub(crate) struct Gate {
    /// Its node.
    pub node: u32,
    /// How many parts it needs (1 for `any`).
    k: usize,
    /// Its parts without a switchover time.
    immediate: Vec<u32>,
    /// Its standbys (indices into `Compiled::standbys`).
    pub standbys: Vec<u32>,
}

impl Gate {
    /// Whether the gate is short: its parts without a switchover time alone, with node values
    /// `value`, give less than full capacity.
    pub(crate) fn short(&self, value: &[f64], scratch: &mut Vec<f64>) -> bool {
        scratch.clear();
        scratch.extend(self.immediate.iter().map(|&k| value[k as usize]));
        scratch.sort_by(|a, b| b.total_cmp(a));
        let unaided = scratch.get(self.k - 1).copied().unwrap_or(0.0);
        unaided < 1.0 - super::EPS
    }
}

/// The gates of `c` that have standbys, children before parents.
pub(crate) fn gates(c: &Compiled) -> Vec<Gate> {
    let mut by_gate: rustc_hash::FxHashMap<u32, Vec<u32>> = Default::default();
    for (i, s) in c.standbys.iter().enumerate() {
        by_gate.entry(s.gate).or_default().push(i as u32);
    }
    (c.order().iter())
        .filter_map(|&node| {
            let standbys = by_gate.remove(&node)?;
            let k = match c.kind(node) {
                NodeKind::AtLeast(k) => k as usize,
                _ => 1,
            };
            let nodes: Vec<u32> = (standbys.iter())
                .map(|&s| c.standbys[s as usize].node)
                .collect();
            let immediate = (c.children(node).iter())
                .copied()
                .filter(|k| !nodes.contains(k))
                .collect();
            Some(Gate {
                node,
                k,
                immediate,
                standbys,
            })
        })
        .collect()
}

/// The state of every standby of the model.
#[derive(Debug, Clone)]
pub(super) struct Switchovers {
    /// Gates with standbys, children before parents.
    gates: Vec<Gate>,
    /// Per gate: the start of its episode, while it is short.
    episode: Vec<Option<u64>>,
    /// Per standby: whether it is brought up.
    up: Vec<bool>,
    /// Per standby: the periods it was up.
    spans: Vec<Vec<(u64, Option<u64>)>>,
    scratch: Vec<f64>,
}

impl Switchovers {
    /// Every standby down (to be applied with [`Switchovers::reset`]).
    pub(super) fn new(c: &Compiled) -> Switchovers {
        let gates = gates(c);
        Switchovers {
            episode: vec![None; gates.len()],
            gates,
            up: vec![false; c.standbys.len()],
            spans: vec![Vec::new(); c.standbys.len()],
            scratch: Vec::new(),
        }
    }

    /// Whether the model has no standbys.
    pub(super) fn is_empty(&self) -> bool {
        self.gates.is_empty()
    }

    /// Every gate's node, children before parents.
    pub(super) fn gate_nodes(&self) -> impl Iterator<Item = u32> + '_ {
        self.gates.iter().map(|g| g.node)
    }

    /// Takes every standby down in `inc` (it starts with them counted in full).
    pub(super) fn reset(&self, c: &Compiled, inc: &mut Incremental<'_>) {
        for s in &c.standbys {
            inc.set_own(s.node, 0.0);
        }
    }

    /// Whether standby `s` is brought up.
    pub(super) fn is_up(&self, s: u32) -> bool {
        self.up[s as usize]
    }

    /// Brings gate `g`'s standbys up to date at minute `t` from its other parts' values in
    /// `inc`, and propagates what that changes; `changed` is told of every service whose
    /// capacity changed.
    pub(super) fn update_gate(
        &mut self,
        g: usize,
        c: &Compiled,
        inc: &mut Incremental<'_>,
        t: u64,
        changed: &mut Vec<u32>,
    ) {
        let gate = &self.gates[g];
        let short = gate.short(&inc.value, &mut self.scratch);
        match (short, self.episode[g]) {
            (true, None) => self.episode[g] = Some(t),
            (false, Some(_)) => self.episode[g] = None,
            _ => {}
        }
        for &s in &gate.standbys {
            let info = &c.standbys[s as usize];
            let up =
                self.episode[g].is_some_and(|start| start.saturating_add(info.switchover) <= t);
            let k = s as usize;
            if up != self.up[k] {
                self.up[k] = up;
                if up {
                    self.spans[k].push((t, None));
                } else if let Some(last) = self.spans[k].last_mut() {
                    last.1 = Some(t);
                }
                inc.set_own(info.node, if up { 1.0 } else { 0.0 });
            }
        }
        inc.propagate(|i, _| changed.push(i));
    }

    /// The first moment after `t` at which a standby is brought up.
    pub(super) fn next_moment(&self, c: &Compiled, t: u64) -> Option<u64> {
        let mut next: Option<u64> = None;
        for (g, gate) in self.gates.iter().enumerate() {
            let Some(start) = self.episode[g] else {
                continue;
            };
            for &s in &gate.standbys {
                let at = start.saturating_add(c.standbys[s as usize].switchover);
                if at > t && !self.up[s as usize] {
                    next = Some(next.map_or(at, |n| n.min(at)));
                }
            }
        }
        next
    }

    /// The periods each standby was up (`None`: still at the horizon), by standby.
    pub(super) fn finish(self) -> Vec<Vec<(u64, Option<u64>)>> {
        self.spans
    }
}
