//! Incremental evaluation: after a few item states or staff capacities change, re-evaluate only
//! the nodes above them, in topological order, stopping wherever a value does not change.
//!
//! Few changes go through a heap keyed by topological rank; many (an absence step touches every
//! service) through one sweep of the order from the lowest changed rank, so either way each
//! affected node is evaluated once, after all its children.

use crate::compile::{Compiled, NodeKind};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// What does not change while simulating: each node's position in the order and its parents.
#[derive(Debug, Clone)]
pub(crate) struct Graph {
    rank: Vec<u32>,
    service_node: Vec<u32>,
    parent_start: Vec<u32>,
    parents: Vec<u32>,
}

impl Graph {
    pub(crate) fn new(c: &Compiled) -> Graph {
        let n = c.node_count();
        let mut rank = vec![0u32; n];
        for (r, &node) in c.order().iter().enumerate() {
            rank[node as usize] = r as u32;
        }
        let mut count = vec![0u32; n + 1];
        for node in 0..n as u32 {
            for &child in c.children(node) {
                count[child as usize + 1] += 1;
            }
        }
        for i in 0..n {
            count[i + 1] += count[i];
        }
        let mut fill = count.clone();
        let mut parents = vec![0u32; count[n] as usize];
        for node in 0..n as u32 {
            for &child in c.children(node) {
                parents[fill[child as usize] as usize] = node;
                fill[child as usize] += 1;
            }
        }
        let service_node = c.services.iter().map(|s| s.node).collect();
        Graph {
            rank,
            service_node,
            parent_start: count,
            parents,
        }
    }

    fn parents(&self, node: u32) -> &[u32] {
        &self.parents[self.parent_start[node as usize] as usize
            ..self.parent_start[node as usize + 1] as usize]
    }
}

/// Node values kept up to date as item states and staff capacities change.
#[derive(Debug, Clone)]
pub(crate) struct Incremental<'a> {
    c: &'a Compiled,
    g: &'a Graph,
    /// Capacity of every node.
    pub value: Vec<f64>,
    /// Each item's own capacity (1 up, 0 down, a fraction degraded).
    pub own: Vec<f64>,
    /// Each service's staff capacity.
    pub staff: Vec<f64>,
    /// Dirty flags by rank, so a sweep reads them in order.
    dirty: Vec<bool>,
    pending: Vec<u32>,
    heap: BinaryHeap<Reverse<u32>>,
    scratch: Vec<f64>,
}

impl<'a> Incremental<'a> {
    /// Evaluates everything once with every item up and the given staff capacities.
    pub(crate) fn new(c: &'a Compiled, g: &'a Graph, staff: Vec<f64>) -> Incremental<'a> {
        let own = c.all_up();
        let value = c.evaluate(&own, &staff).node;
        Incremental {
            c,
            g,
            value,
            own,
            staff,
            dirty: vec![false; c.node_count()],
            pending: Vec::new(),
            heap: BinaryHeap::new(),
            scratch: Vec::new(),
        }
    }

    /// Sets an item node's own capacity.
    pub(crate) fn set_own(&mut self, node: u32, v: f64) {
        if self.own[node as usize] != v {
            self.own[node as usize] = v;
            self.mark(node);
        }
    }

    /// Sets service `i`'s staff capacity.
    pub(crate) fn set_staff(&mut self, i: u32, v: f64) {
        if self.staff[i as usize] != v {
            self.staff[i as usize] = v;
            self.mark(self.g.service_node[i as usize]);
        }
    }

    fn mark(&mut self, node: u32) {
        let r = self.g.rank[node as usize];
        if !self.dirty[r as usize] {
            self.dirty[r as usize] = true;
            self.pending.push(r);
        }
    }

    /// Re-evaluates what changed; calls `changed(service, new capacity)` for every service whose
    /// capacity changed, in topological order.
    pub(crate) fn propagate(&mut self, mut changed: impl FnMut(u32, f64)) {
        if self.pending.is_empty() {
            return;
        }
        let n = self.value.len();
        let order = self.c.order();
        if self.pending.len() * 32 > n {
            // Sweep: parents always come later in the order, so one pass sees every change.
            let start = self.pending.iter().copied().min().unwrap_or(0) as usize;
            self.pending.clear();
            for (r, &node) in order.iter().enumerate().skip(start) {
                if !self.dirty[r] {
                    continue;
                }
                self.dirty[r] = false;
                if let Some(v) = self.update(node) {
                    for &p in self.g.parents(node) {
                        self.dirty[self.g.rank[p as usize] as usize] = true;
                    }
                    if let NodeKind::Service(i) = self.c.kind(node) {
                        changed(i, v);
                    }
                }
            }
        } else {
            self.heap.extend(self.pending.drain(..).map(Reverse));
            while let Some(Reverse(r)) = self.heap.pop() {
                let node = order[r as usize];
                self.dirty[r as usize] = false;
                if let Some(v) = self.update(node) {
                    for &p in self.g.parents(node) {
                        let pr = self.g.rank[p as usize];
                        if !self.dirty[pr as usize] {
                            self.dirty[pr as usize] = true;
                            self.heap.push(Reverse(pr));
                        }
                    }
                    if let NodeKind::Service(i) = self.c.kind(node) {
                        changed(i, v);
                    }
                }
            }
        }
    }

    /// Recomputes one node; returns its new value when it changed.
    fn update(&mut self, node: u32) -> Option<f64> {
        let v = node_value(
            self.c,
            node,
            &self.value,
            &self.own,
            &self.staff,
            &mut self.scratch,
        );
        if v != self.value[node as usize] {
            self.value[node as usize] = v;
            Some(v)
        } else {
            None
        }
    }
}

/// One node's capacity from its children's values, as `Compiled::evaluate` defines it.
pub(crate) fn node_value(
    c: &Compiled,
    n: u32,
    value: &[f64],
    own: &[f64],
    staff: &[f64],
    scratch: &mut Vec<f64>,
) -> f64 {
    let kids = c.children(n);
    match c.kind(n) {
        NodeKind::Asset(_) => kids
            .iter()
            .map(|k| value[*k as usize])
            .fold(own[n as usize], f64::min),
        NodeKind::Service(i) => kids
            .iter()
            .map(|k| value[*k as usize])
            .fold(own[n as usize].min(staff[i as usize]), f64::min),
        NodeKind::All => kids.iter().map(|k| value[*k as usize]).fold(1.0, f64::min),
        NodeKind::Any => kids.iter().map(|k| value[*k as usize]).fold(0.0, f64::max),
        NodeKind::AtLeast(k) => {
            scratch.clear();
            scratch.extend(kids.iter().map(|c| value[*c as usize]));
            if scratch.is_empty() {
                return 0.0;
            }
            let k = (k as usize).clamp(1, scratch.len());
            let (_, kth, _) = scratch.select_nth_unstable_by(k - 1, |a, b| b.total_cmp(a));
            *kth
        }
    }
}
