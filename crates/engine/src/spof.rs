//! Single points of failure: for every service, the assets whose failure alone loses it.
//!
//! One pass over the graph in topological order computes, for every node, the set of assets
//! whose single failure takes it below the threshold: an `all` takes the union of its parts,
//! an `any` the intersection, and `atleast k of n` the assets shared by more than `n - k` of
//! its parts. So shared dependencies under redundancy (two sites on one substation) show up.
//!
//! Thresholds matter only through staff and workarounds: with binary asset states every node is
//! either at its baseline or reduced by failures, and "capacity ≥ MBCO" commutes with min, max
//! and k-th largest. A service whose staff capacity is already below a threshold counts as down
//! at it, and so does a workaround whose capacity is. A service's workarounds counted by the
//! structural rule are alternatives to its own capacity, like an `any`. Services are grouped by
//! which of these capacities their MBCO exceeds: one pass per group, almost always a single
//! pass.

use crate::compile::{Compiled, NodeKind};
use rustc_hash::FxHashMap;

/// What is known about a node at a threshold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Single {
    /// Below the threshold with nothing failed (staff shortage).
    Down,
    /// Up; the sorted asset indices whose single failure takes it down.
    Set(Vec<u32>),
}

/// A service's single points of failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServiceSpof {
    /// Lost even with every asset up (too few staff at baseline).
    LostWithoutFailure,
    /// Asset indices whose failure alone loses the service.
    Assets(Vec<u32>),
}

impl ServiceSpof {
    /// The asset ids, sorted; none for a service lost without any failure.
    pub fn asset_ids(&self, c: &Compiled) -> Vec<String> {
        match self {
            ServiceSpof::Assets(a) => c.asset_ids(a),
            ServiceSpof::LostWithoutFailure => Vec::new(),
        }
    }
}

impl Compiled {
    /// Single points of failure of every service, in model order.
    pub fn spof(&self) -> Vec<ServiceSpof> {
        let staff = self.baseline_staff();
        let mut out = vec![ServiceSpof::Assets(Vec::new()); self.services.len()];
        for (threshold, members) in self.threshold_groups(&staff) {
            let sets = self.single_failure_sets(threshold, &staff);
            for i in members {
                out[i] = match &sets[self.services[i].node as usize] {
                    Single::Down => ServiceSpof::LostWithoutFailure,
                    Single::Set(s) => ServiceSpof::Assets(s.clone()),
                };
            }
        }
        out
    }

    /// For every service (in model order), its single points of failure (as `spof` gives
    /// them) whose failure alone would breach its MTPD: the asset takes at least the MTPD to
    /// restore, or the model does not say how long it takes. None for a service without an
    /// MTPD, or lost without any failure.
    pub fn breach_spof(&self, spof: &[ServiceSpof]) -> Vec<Vec<u32>> {
        spof.iter()
            .enumerate()
            .map(|(i, r)| self.breaching(i, r))
            .collect()
    }

    /// [`Compiled::breach_spof`] for service `service` alone, whose single points of failure
    /// are `spof`.
    pub fn breaching(&self, service: usize, spof: &ServiceSpof) -> Vec<u32> {
        match (self.services[service].mtpd, spof) {
            (Some(mtpd), ServiceSpof::Assets(assets)) => assets
                .iter()
                .copied()
                .filter(|a| self.assets[*a as usize].recovery.is_none_or(|r| r >= mtpd))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Groups services (by index) whose MBCO exceeds the same staff capacities, each with a
    /// representative threshold. Services with an MBCO of 0 are never lost and are left out.
    pub fn threshold_groups(&self, staff: &[f64]) -> Vec<(f64, Vec<usize>)> {
        let classes = ThresholdClasses::new(&self.levels(staff));
        let mut groups: FxHashMap<usize, (f64, Vec<usize>)> = FxHashMap::default();
        for (i, s) in self.services.iter().enumerate() {
            if s.mbco <= 0.0 {
                continue;
            }
            let key = classes.of(s.mbco);
            groups
                .entry(key)
                .or_insert_with(|| (s.mbco, Vec::new()))
                .1
                .push(i);
        }
        let mut groups: Vec<_> = groups.into_values().collect();
        groups.sort_by(|a, b| a.0.total_cmp(&b.0));
        groups
    }

    /// For every node, the assets whose single failure takes it below `threshold`.
    pub fn single_failure_sets(&self, threshold: f64, staff: &[f64]) -> Vec<Single> {
        let mut sets: Vec<Single> = vec![Single::Set(Vec::new()); self.node_count()];
        let mut counts: FxHashMap<u32, u32> = FxHashMap::default();
        for &n in self.order() {
            let kids = self.children(n);
            let value = match self.kind(n) {
                NodeKind::Asset(a) => match kids.first().map(|c| &sets[*c as usize]) {
                    Some(Single::Down) => Single::Down,
                    Some(Single::Set(s)) => Single::Set(insert_sorted(s, a)),
                    None => Single::Set(vec![a]),
                },
                NodeKind::Service(i) => {
                    let (needs, workarounds) = self.service_children(n);
                    let core = if staff[i as usize] < threshold {
                        Single::Down
                    } else {
                        needs.map_or(Single::Set(Vec::new()), |c| sets[c as usize].clone())
                    };
                    // Lost only when it and every workaround are: like `any`.
                    let mut acc = match core {
                        Single::Down => None,
                        Single::Set(s) => Some(s),
                    };
                    for w in workarounds {
                        if let Single::Set(s) = &sets[*w as usize] {
                            acc = Some(match acc {
                                None => s.clone(),
                                Some(a) => intersect(&a, s),
                            });
                        }
                    }
                    acc.map_or(Single::Down, Single::Set)
                }
                NodeKind::Workaround(w)
                    if self.workarounds[w as usize].structural_capacity() < threshold =>
                {
                    Single::Down
                }
                NodeKind::Workaround(_) => kids
                    .first()
                    .map_or(Single::Set(Vec::new()), |c| sets[*c as usize].clone()),
                NodeKind::All => {
                    let mut acc = Vec::new();
                    let mut down = false;
                    for c in kids {
                        match &sets[*c as usize] {
                            Single::Down => down = true,
                            Single::Set(s) => acc = union(&acc, s),
                        }
                    }
                    if down { Single::Down } else { Single::Set(acc) }
                }
                NodeKind::Any => {
                    let mut acc: Option<Vec<u32>> = None;
                    for c in kids {
                        if let Single::Set(s) = &sets[*c as usize] {
                            acc = Some(match acc {
                                None => s.clone(),
                                Some(a) => intersect(&a, s),
                            });
                        }
                    }
                    acc.map_or(Single::Down, Single::Set)
                }
                NodeKind::AtLeast(k) => {
                    let live: Vec<&Vec<u32>> = kids
                        .iter()
                        .filter_map(|c| match &sets[*c as usize] {
                            Single::Set(s) => Some(s),
                            Single::Down => None,
                        })
                        .collect();
                    if live.len() < k as usize {
                        Single::Down
                    } else {
                        // One failure loses the gate when it takes down more than live - k parts.
                        let needed = (live.len() - k as usize + 1) as u32;
                        counts.clear();
                        for s in &live {
                            for a in s.iter() {
                                *counts.entry(*a).or_default() += 1;
                            }
                        }
                        let mut v: Vec<u32> = counts
                            .iter()
                            .filter(|(_, c)| **c >= needed)
                            .map(|(a, _)| *a)
                            .collect();
                        v.sort_unstable();
                        Single::Set(v)
                    }
                }
            };
            sets[n as usize] = value;
        }
        sets
    }
}

/// Which staff capacities (and workaround capacities) a threshold exceeds: two thresholds in
/// the same class see the same services as down for want of staff and the same workarounds as
/// too small, so their boolean structure is the same.
#[derive(Debug, Clone)]
pub struct ThresholdClasses {
    /// The distinct staff capacities below 1, ascending.
    cuts: Vec<f64>,
}

impl ThresholdClasses {
    /// The classes for capacities `staff` (see [`Compiled::levels`]).
    pub fn new(staff: &[f64]) -> ThresholdClasses {
        let mut cuts: Vec<f64> = staff.iter().copied().filter(|v| *v < 1.0).collect();
        cuts.sort_by(f64::total_cmp);
        cuts.dedup();
        ThresholdClasses { cuts }
    }

    /// The class of `threshold`: how many staff capacities lie below it.
    pub fn of(&self, threshold: f64) -> usize {
        self.cuts.partition_point(|v| *v < threshold)
    }
}

fn insert_sorted(s: &[u32], a: u32) -> Vec<u32> {
    let mut v = s.to_vec();
    if let Err(i) = v.binary_search(&a) {
        v.insert(i, a);
    }
    v
}

fn union(a: &[u32], b: &[u32]) -> Vec<u32> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => {
                out.push(a[i]);
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                out.push(b[j]);
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

fn intersect(a: &[u32], b: &[u32]) -> Vec<u32> {
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out
}
