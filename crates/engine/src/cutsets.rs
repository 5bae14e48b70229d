//! Minimal cut sets up to an order: the smallest sets of assets whose joint failure loses a
//! service.
//!
//! Families of cut sets are built bottom-up over the compiled graph and shared between every
//! service that depends on the same node. An `all` unites its parts' families, an `any`
//! multiplies them (every cut set of one part joined with one of each other part), and
//! `atleast k of n` needs `n - k + 1` of its parts cut, built one part at a time, and a
//! service with workarounds (counted by the structural rule) is cut when its own needs and
//! every workaround are, like an `any`. Sets over
//! the order limit are dropped as they appear: any minimal set within the limit is made only
//! of parts within it, so truncation never changes the answer below the limit.

use crate::compile::{Compiled, NodeKind};
use crate::spof::ThresholdClasses;
use rustc_hash::{FxHashMap, FxHashSet};
use smallvec::SmallVec;

/// A set of asset indices, sorted.
pub type CutSet = SmallVec<[u32; 4]>;

/// Computes minimal cut sets, remembering every node's family for later services.
pub struct CutSetFinder<'c> {
    compiled: &'c Compiled,
    max_order: usize,
    staff: Vec<f64>,
    /// Families by threshold group, then node.
    memo: FxHashMap<usize, FxHashMap<u32, Vec<CutSet>>>,
    classes: ThresholdClasses,
}

impl<'c> CutSetFinder<'c> {
    /// A finder for sets of at most `max_order` assets, with staff at baseline.
    pub fn new(compiled: &'c Compiled, max_order: usize) -> CutSetFinder<'c> {
        let staff = compiled.baseline_staff();
        let classes = ThresholdClasses::new(&compiled.levels(&staff));
        CutSetFinder {
            compiled,
            max_order,
            staff,
            memo: FxHashMap::default(),
            classes,
        }
    }

    /// Minimal cut sets of service `service`, each sorted by asset index, listed by order.
    /// A service lost without any failure has the one empty cut set; one with an MBCO of 0
    /// has none.
    pub fn service(&mut self, service: u32) -> Vec<CutSet> {
        let c = self.compiled;
        let s = &c.services[service as usize];
        if s.mbco <= 0.0 {
            return Vec::new();
        }
        let threshold = s.mbco;
        let group = self.classes.of(threshold);
        let memo = self.memo.entry(group).or_default();
        for n in c.reachable(s.node) {
            if memo.contains_key(&n) {
                continue;
            }
            let kids = c.children(n);
            let family = match c.kind(n) {
                NodeKind::Asset(a) => {
                    let own = vec![CutSet::from_slice(&[a])];
                    match kids.first() {
                        Some(k) => {
                            minimize(own.into_iter().chain(memo[k].iter().cloned()).collect())
                        }
                        None => own,
                    }
                }
                NodeKind::Service(i) => {
                    let (needs, workarounds) = c.service_children(n);
                    let mut acc = if self.staff[i as usize] < threshold {
                        vec![CutSet::new()]
                    } else {
                        needs.map_or_else(Vec::new, |k| memo[&k].clone())
                    };
                    // Lost only when it and every workaround are: like `any`.
                    for w in workarounds {
                        acc = product(&acc, &memo[w], self.max_order);
                    }
                    acc
                }
                NodeKind::Workaround(w)
                    if c.workarounds[w as usize].structural_capacity() < threshold =>
                {
                    vec![CutSet::new()]
                }
                NodeKind::Workaround(_) => kids.first().map_or_else(Vec::new, |k| memo[k].clone()),
                NodeKind::All => {
                    minimize(kids.iter().flat_map(|k| memo[k].iter().cloned()).collect())
                }
                NodeKind::Any => {
                    let mut acc = vec![CutSet::new()];
                    for k in kids {
                        acc = product(&acc, &memo[k], self.max_order);
                    }
                    if kids.is_empty() {
                        vec![CutSet::new()]
                    } else {
                        acc
                    }
                }
                NodeKind::AtLeast(k) => {
                    let m = kids.len().saturating_sub(k as usize) + 1;
                    // by_count[j]: minimal sets that cut j of the parts seen so far.
                    let mut by_count: Vec<Vec<CutSet>> = vec![Vec::new(); m + 1];
                    by_count[0].push(CutSet::new());
                    for kid in kids {
                        for j in (1..=m).rev() {
                            if by_count[j - 1].is_empty() {
                                continue;
                            }
                            let extra = product(&by_count[j - 1], &memo[kid], self.max_order);
                            let mut merged = std::mem::take(&mut by_count[j]);
                            merged.extend(extra);
                            by_count[j] = minimize(merged);
                        }
                    }
                    by_count.pop().unwrap_or_default()
                }
            };
            let family = family
                .into_iter()
                .filter(|s| s.len() <= self.max_order)
                .collect();
            memo.insert(n, family);
        }
        memo[&s.node].clone()
    }
}

/// Every union of one set from `a` and one from `b` within `max_order`, minimised.
fn product(a: &[CutSet], b: &[CutSet], max_order: usize) -> Vec<CutSet> {
    let mut out = Vec::with_capacity(a.len().max(b.len()));
    for x in a {
        for y in b {
            if let Some(u) = union_within(x, y, max_order) {
                out.push(u);
            }
        }
    }
    minimize(out)
}

fn union_within(a: &[u32], b: &[u32], max: usize) -> Option<CutSet> {
    let mut out = CutSet::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        let next = match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) if x == y => {
                i += 1;
                j += 1;
                *x
            }
            (Some(x), Some(y)) if x < y => {
                i += 1;
                *x
            }
            (Some(_), Some(y)) | (None, Some(y)) => {
                j += 1;
                *y
            }
            (Some(x), None) => {
                i += 1;
                *x
            }
            (None, None) => unreachable!("loop condition"),
        };
        out.push(next);
        if out.len() > max {
            return None;
        }
    }
    Some(out)
}

/// Removes duplicates and every set that contains another; sorts by order, then contents.
pub fn minimize(mut family: Vec<CutSet>) -> Vec<CutSet> {
    family.sort_unstable_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
    family.dedup();
    if family.first().is_some_and(|s| s.is_empty()) {
        return vec![CutSet::new()];
    }
    let mut kept: FxHashSet<CutSet> = FxHashSet::default();
    let mut out: Vec<CutSet> = Vec::with_capacity(family.len());
    for set in family {
        let covered = if set.len() <= 12 {
            // Look up every proper, non-empty subset.
            let full = (1u32 << set.len()) - 1;
            (1..full).any(|mask| {
                let sub: CutSet = set
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| mask >> i & 1 == 1)
                    .map(|(_, v)| *v)
                    .collect();
                kept.contains(&sub)
            })
        } else {
            out.iter()
                .any(|k| k.len() < set.len() && is_subset(k, &set))
        };
        if !covered {
            kept.insert(set.clone());
            out.push(set);
        }
    }
    out
}

fn is_subset(small: &[u32], big: &[u32]) -> bool {
    let mut j = 0;
    for x in small {
        while j < big.len() && big[j] < *x {
            j += 1;
        }
        if j == big.len() || big[j] != *x {
            return false;
        }
        j += 1;
    }
    true
}

impl Compiled {
    /// Minimal cut sets of one service up to `max_order` assets (see [`CutSetFinder`]).
    pub fn cut_sets(&self, service: u32, max_order: usize) -> Vec<CutSet> {
        CutSetFinder::new(self, max_order).service(service)
    }
}
