//! Incremental evaluation: after a few item states or staff capacities change, re-evaluate only
//! the nodes above them, in topological order, stopping wherever a value does not change.
//!
//! Few changes go through a heap keyed by topological rank; many (an absence step touches every
//! service) through one sweep of the order from the lowest changed rank, so either way each
//! affected node is evaluated once, after all its children.
//!
//! Nodes are renumbered by rank, their position in a topological order that keeps alike nodes
//! together (see [`sweep_order`]), and everything the evaluation reads is stored by rank: a sweep
//! then walks values, children and dirty flags in memory order, and its branches go the same way
//! for long runs. Each node also keeps a *base*, the value its children are folded into (its own
//! capacity for an asset, own and staff capacity for a service, 1 for all-of, 0 for any-of), so
//! that evaluating a node does not depend on its kind beyond min, max or k-th largest.

use super::lists::Lists;
use crate::compile::{Compiled, NodeKind};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// What does not change while simulating: the nodes in the sweep's order, with their kinds,
/// children and parents by rank.
#[derive(Debug, Clone)]
pub(crate) struct Graph {
    /// Each node's rank: its position in the sweep's (topological) order.
    rank: Vec<u32>,
    /// The node at each rank.
    order: Vec<u32>,
    /// The kind of the node at each rank.
    kinds: Vec<NodeKind>,
    /// The ranks of each rank's children.
    children: Lists,
    /// The ranks of each rank's parents.
    parents: Lists,
    /// Each service's rank.
    service_rank: Vec<u32>,
    /// How many of each rank's children are workarounds (the last ones; only services have).
    alternatives: Vec<u32>,
}

impl Graph {
    /// Renumbers `c`'s nodes by rank.
    pub(crate) fn new(c: &Compiled) -> Graph {
        let n = c.node_count();
        let order = sweep_order(c);
        let mut rank = vec![0u32; n];
        for (r, &node) in order.iter().enumerate() {
            rank[node as usize] = r as u32;
        }
        let children = Lists::new(
            (order.iter()).map(|&node| c.children(node).iter().map(|&k| rank[k as usize])),
        );
        Graph {
            alternatives: (order.iter())
                .map(|&node| match c.kind(node) {
                    NodeKind::Service(_) => c.service_children(node).1.len() as u32,
                    _ => 0,
                })
                .collect(),
            kinds: order.iter().map(|&node| c.kind(node)).collect(),
            service_rank: c.services.iter().map(|s| rank[s.node as usize]).collect(),
            parents: children.transpose(n),
            children,
            rank,
            order,
        }
    }

    /// The rank of `node`.
    pub(crate) fn rank(&self, node: u32) -> u32 {
        self.rank[node as usize]
    }

    /// The ranks of the children of the node at rank `r`.
    fn children(&self, r: usize) -> &[u32] {
        self.children.of(r)
    }

    /// The ranks of the parents of the node at rank `r`.
    fn parents(&self, r: usize) -> &[u32] {
        self.parents.of(r)
    }

    /// The capacity of the node at rank `r`: its children's (`value`, by rank) folded into
    /// `base`, as `Compiled::evaluate` defines it.
    #[inline(always)]
    fn combine(&self, r: usize, base: f64, value: &[f64], scratch: &mut Vec<f64>) -> f64 {
        let kids = self.children(r).iter().map(|&k| value[k as usize]);
        match self.kinds[r] {
            NodeKind::Any => kids.fold(base, f64::max),
            NodeKind::AtLeast(k) => kth_largest(k, kids, scratch),
            NodeKind::Service(_) if self.alternatives[r] > 0 => {
                with_workarounds(self.children(r), self.alternatives[r], base, value)
            }
            NodeKind::Asset(_) | NodeKind::Service(_) | NodeKind::All | NodeKind::Workaround(_) => {
                kids.fold(base, f64::min)
            }
        }
    }
}

/// A topological order that keeps alike nodes together, so that a sweep's branches go the same
/// way for long runs: by level (the longest path down to a node without children), then by
/// kind, number of parents and number of children, then as in `c`'s order.
fn sweep_order(c: &Compiled) -> Vec<u32> {
    let n = c.node_count();
    let mut level = vec![0u32; n];
    let mut parents = vec![0u32; n];
    for &node in c.order() {
        let kids = c.children(node);
        level[node as usize] = kids
            .iter()
            .map(|&k| level[k as usize] + 1)
            .max()
            .unwrap_or(0);
        for &k in kids {
            parents[k as usize] += 1;
        }
    }
    let kind = |node: u32| match c.kind(node) {
        NodeKind::Asset(_) => 0,
        NodeKind::Service(_) => 1,
        NodeKind::All => 2,
        NodeKind::Any => 3,
        NodeKind::AtLeast(_) => 4,
        NodeKind::Workaround(_) => 5,
    };
    let mut order = c.order().to_vec();
    // A stable sort keeps `c`'s order among equals.
    order.sort_by_key(|&node| {
        (
            level[node as usize],
            kind(node),
            parents[node as usize].min(2),
            c.children(node).len(),
        )
    });
    order
}

/// A service with workarounds: the greatest of its own capacity (`base` and its needs, the
/// children before the last `alternatives`) and of its workarounds' (the last ones).
#[inline(never)]
fn with_workarounds(children: &[u32], alternatives: u32, base: f64, value: &[f64]) -> f64 {
    let (needs, workarounds) = children.split_at(children.len() - alternatives as usize);
    let own = needs
        .iter()
        .map(|&k| value[k as usize])
        .fold(base, f64::min);
    workarounds
        .iter()
        .map(|&k| value[k as usize])
        .fold(own, f64::max)
}

/// The `k`-th largest of `values` (`k` clamped to their number), 0 when there are none. Kept
/// out of line so that evaluating the common kinds stays small.
#[inline(never)]
fn kth_largest(k: u32, values: impl Iterator<Item = f64>, scratch: &mut Vec<f64>) -> f64 {
    scratch.clear();
    scratch.extend(values);
    if scratch.is_empty() {
        return 0.0;
    }
    let k = (k as usize).clamp(1, scratch.len());
    let (_, kth, _) = scratch.select_nth_unstable_by(k - 1, |a, b| b.total_cmp(a));
    *kth
}

/// A set of ranks as one bit each, so a sweep finds the next dirty rank a word at a time.
#[derive(Debug, Clone)]
struct RankSet {
    words: Vec<u64>,
}

impl RankSet {
    fn new(n: usize) -> RankSet {
        RankSet {
            words: vec![0; n.div_ceil(64)],
        }
    }

    /// Adds `r`; returns whether it was new.
    fn insert(&mut self, r: u32) -> bool {
        let (w, bit) = ((r / 64) as usize, 1u64 << (r % 64));
        let new = self.words[w] & bit == 0;
        self.words[w] |= bit;
        new
    }

    fn remove(&mut self, r: u32) {
        self.words[(r / 64) as usize] &= !(1u64 << (r % 64));
    }

    /// Removes and returns the lowest rank at or after word `*word`, moving `*word` on to it.
    /// Ranks added meanwhile above the last one taken are found too.
    fn pop_from(&mut self, word: &mut usize) -> Option<u32> {
        while let Some(w) = self.words.get_mut(*word) {
            if *w != 0 {
                let bit = w.trailing_zeros();
                *w &= *w - 1;
                return Some((*word * 64) as u32 + bit);
            }
            *word += 1;
        }
        None
    }
}

/// Node values kept up to date as item states and staff capacities change.
#[derive(Debug, Clone)]
pub(crate) struct Incremental<'a> {
    g: &'a Graph,
    /// Capacity of every node, by node (a copy of `ranked` in the compiled model's numbering).
    pub value: Vec<f64>,
    /// Each service's staff capacity.
    staff: Vec<f64>,
    /// Capacity of every node, by rank.
    ranked: Vec<f64>,
    /// Each item's own capacity (1 up, 0 down, a fraction degraded), by rank.
    own: Vec<f64>,
    /// What each node's children are folded into, by rank (see the module's documentation).
    base: Vec<f64>,
    /// Ranks waiting to be re-evaluated.
    dirty: RankSet,
    /// How many ranks were marked since the last propagation, and the lowest.
    marked: usize,
    lowest: u32,
    /// Which, while few enough to go through the heap (at most `heap_limit`).
    pending: Vec<u32>,
    heap_limit: usize,
    heap: BinaryHeap<Reverse<u32>>,
    scratch: Vec<f64>,
}

impl<'a> Incremental<'a> {
    /// Evaluates everything once with every item up, workarounds at their structural capacity
    /// and the given staff capacities.
    pub(crate) fn new(c: &Compiled, g: &'a Graph, staff: Vec<f64>) -> Incremental<'a> {
        let all_up = c.all_up();
        let value = c.evaluate(&all_up, &staff).node;
        let own: Vec<f64> = g.order.iter().map(|&node| all_up[node as usize]).collect();
        let base = (g.kinds.iter().zip(&own))
            .map(|(kind, &own)| match kind {
                NodeKind::Service(i) => own.min(staff[*i as usize]),
                NodeKind::Asset(_) | NodeKind::Workaround(_) => own,
                NodeKind::All => 1.0,
                NodeKind::Any | NodeKind::AtLeast(_) => 0.0,
            })
            .collect();
        Incremental {
            g,
            ranked: g.order.iter().map(|&node| value[node as usize]).collect(),
            value,
            staff,
            own,
            base,
            dirty: RankSet::new(g.order.len()),
            marked: 0,
            lowest: u32::MAX,
            pending: Vec::new(),
            heap_limit: g.order.len() / 32,
            heap: BinaryHeap::new(),
            scratch: Vec::new(),
        }
    }

    /// An item node's own capacity.
    pub(crate) fn own(&self, node: u32) -> f64 {
        self.own[self.g.rank(node) as usize]
    }

    /// Sets an item node's own capacity.
    pub(crate) fn set_own(&mut self, node: u32, v: f64) {
        let r = self.g.rank(node) as usize;
        if self.own[r] != v {
            self.own[r] = v;
            self.base[r] = match self.g.kinds[r] {
                NodeKind::Service(i) => v.min(self.staff[i as usize]),
                _ => v,
            };
            self.mark(r as u32);
        }
    }

    /// Service `i`'s own capacity, without its workarounds: its own state, staff and needs.
    pub(crate) fn core(&self, c: &Compiled, i: u32) -> f64 {
        let node = c.services[i as usize].node;
        let base = self.base[self.g.rank(node) as usize];
        match c.service_children(node).0 {
            Some(needs) => base.min(self.value[needs as usize]),
            None => base,
        }
    }

    /// Sets service `i`'s staff capacity.
    pub(crate) fn set_staff(&mut self, i: u32, v: f64) {
        if self.staff[i as usize] != v {
            self.staff[i as usize] = v;
            let r = self.g.service_rank[i as usize];
            self.base[r as usize] = self.own[r as usize].min(v);
            self.mark(r);
        }
    }

    fn mark(&mut self, r: u32) {
        if self.dirty.insert(r) {
            self.marked += 1;
            self.lowest = self.lowest.min(r);
            if self.pending.len() < self.heap_limit {
                self.pending.push(r);
            }
        }
    }

    /// Re-evaluates what changed; calls `changed(service, new capacity)` for every service whose
    /// capacity changed, in topological order.
    pub(crate) fn propagate(&mut self, changed: impl FnMut(u32, f64)) {
        if self.marked == 0 {
            return;
        }
        if self.marked > self.heap_limit {
            self.sweep(changed);
        } else {
            self.drain_heap(changed);
        }
        self.marked = 0;
        self.lowest = u32::MAX;
        self.pending.clear();
    }

    /// Many changes: one pass up the order from the lowest dirty rank. Parents always come later
    /// in the order, so the pass sees every change.
    fn sweep(&mut self, mut changed: impl FnMut(u32, f64)) {
        let g = self.g;
        let mut word = (self.lowest / 64) as usize;
        while let Some(r) = self.dirty.pop_from(&mut word) {
            let r = r as usize;
            let v = g.combine(r, self.base[r], &self.ranked, &mut self.scratch);
            if v == self.ranked[r] {
                continue;
            }
            self.ranked[r] = v;
            self.value[g.order[r] as usize] = v;
            for &p in g.parents(r) {
                self.dirty.insert(p);
            }
            if let NodeKind::Service(i) = g.kinds[r] {
                changed(i, v);
            }
        }
    }

    /// Few changes: a heap of dirty ranks, lowest first.
    fn drain_heap(&mut self, mut changed: impl FnMut(u32, f64)) {
        self.heap.extend(self.pending.drain(..).map(Reverse));
        while let Some(Reverse(r)) = self.heap.pop() {
            self.dirty.remove(r);
            if let Some(v) = self.update(r as usize) {
                for &p in self.g.parents(r as usize) {
                    if self.dirty.insert(p) {
                        self.heap.push(Reverse(p));
                    }
                }
                if let NodeKind::Service(i) = self.g.kinds[r as usize] {
                    changed(i, v);
                }
            }
        }
    }

    /// Recomputes the node at rank `r`; returns its new value when it changed.
    #[inline(always)]
    fn update(&mut self, r: usize) -> Option<f64> {
        let v = self
            .g
            .combine(r, self.base[r], &self.ranked, &mut self.scratch);
        if v == self.ranked[r] {
            return None;
        }
        self.ranked[r] = v;
        self.value[self.g.order[r] as usize] = v;
        Some(v)
    }

    /// The ranks of the nodes `node` depends on, itself included, in increasing order.
    pub(crate) fn below(&self, c: &Compiled, node: u32) -> Vec<u32> {
        let mut ranks: Vec<u32> = c.reachable(node).iter().map(|&n| self.g.rank(n)).collect();
        ranks.sort_unstable();
        ranks
    }

    /// Evaluates the nodes at `ranks` (in increasing order, everything they depend on
    /// included) into `out` (by rank) as they would be with staff capacities from `staff`, and
    /// everything else as it is; returns the value at the last rank.
    pub(crate) fn evaluate_with(
        &mut self,
        ranks: &[u32],
        mut staff: impl FnMut(u32) -> f64,
        out: &mut [f64],
    ) -> f64 {
        let mut last = 0.0;
        for &r in ranks {
            let r = r as usize;
            let base = match self.g.kinds[r] {
                NodeKind::Service(i) => self.own[r].min(staff(i)),
                _ => self.base[r],
            };
            last = self.g.combine(r, base, out, &mut self.scratch);
            out[r] = last;
        }
        last
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bulwark_model::generate::{Shape, generate};
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// After any changes, few (through the heap) or many (a sweep), every value is exactly that
    /// of a full evaluation, and every service whose value changed is reported with it.
    #[test]
    fn values_match_a_full_evaluation_after_any_changes() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        for seed in 0..4 {
            let model = generate(Shape {
                services: 150,
                seed,
            });
            let c = Compiled::new(&model).expect("valid");
            let g = Graph::new(&c);
            let mut own = c.all_up();
            let mut staff = c.baseline_staff();
            let mut inc = Incremental::new(&c, &g, staff.clone());
            let items: Vec<u32> = (c.services.iter().map(|s| s.node))
                .chain(c.assets.iter().map(|a| a.node))
                .collect();
            let mut before = c.evaluate(&own, &staff).node;
            for round in 0..40 {
                let changes = if round % 4 == 0 {
                    items.len()
                } else {
                    rng.random_range(1..4)
                };
                for _ in 0..changes {
                    if rng.random_bool(0.5) {
                        let node = items[rng.random_range(0..items.len())];
                        let v = [0.0, 0.4, 1.0][rng.random_range(0..3)];
                        own[node as usize] = v;
                        inc.set_own(node, v);
                    } else {
                        let i = rng.random_range(0..staff.len());
                        staff[i] = f64::from(rng.random_range(0..=10u32)) / 10.0;
                        inc.set_staff(i as u32, staff[i]);
                    }
                }
                let mut changed = vec![None; c.services.len()];
                inc.propagate(|i, v| changed[i as usize] = Some(v));
                let after = c.evaluate(&own, &staff).node;
                assert_eq!(inc.value, after);
                for (i, s) in c.services.iter().enumerate() {
                    let (old, new) = (before[s.node as usize], after[s.node as usize]);
                    assert_eq!(changed[i], (old != new).then_some(new), "service {i}");
                }
                before = after;
            }
        }
    }
}
