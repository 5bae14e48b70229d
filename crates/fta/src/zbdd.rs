//! Zero-suppressed BDD of minimal cut sets, derived from a [`Bdd`] with Rauzy's
//! minimal-solutions algorithm, truncated at an order limit.
//!
//! Negative literals are dropped, as SCRAM 0.16 does without `--prime-implicants`: the cut sets
//! of a non-coherent function are the minimal sets `S` of basic events such that the function
//! is true when exactly the events of `S` occur.

use crate::bdd::{Bdd, Edge, FALSE, ModularBdd, TRUE};
use crate::error::{FtaError, Result};
use rustc_hash::FxHashMap;
use std::ops::ControlFlow;

/// Node id of the empty family.
pub const EMPTY: u32 = 0;
/// Node id of the family holding only the empty set.
pub const BASE: u32 = 1;

#[derive(Debug, Clone, Copy)]
struct ZNode {
    var: u32,
    hi: u32,
    lo: u32,
}

#[derive(Clone, Copy, Default)]
struct CacheEntry {
    a: u32,
    b: u32,
    res: u32,
}

const NO_ORDER: i32 = i32::MAX / 2;

/// A family of minimal cut sets over variables `0..num_vars` (BDD order).
pub struct Zbdd {
    nodes: Vec<ZNode>,
    /// Whether each node's family contains the empty set.
    has_empty: Vec<bool>,
    /// Largest set (in variables) of each node's family.
    max_ord: Vec<u16>,
    /// Smallest set of each node's family (`u16::MAX` for the empty family).
    min_ord: Vec<u16>,
    unique: Vec<u32>,
    unique_mask: usize,
    cache: Vec<CacheEntry>,
    cache_mask: usize,
    node_limit: usize,
    /// The minimal cut sets.
    pub root: u32,
    /// The order limit used.
    pub limit: u32,
    /// For each variable that stands for a module, the root of the module's family.
    module_root: Vec<u32>,
}

#[inline]
fn hash2(a: u32, b: u32, c: u32) -> usize {
    let h = (a as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ (b as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F)
        ^ (c as u64).wrapping_mul(0x1656_67B1_9E37_79F9);
    (h ^ (h >> 29)) as usize
}

struct Orders {
    /// min/max number of positive literals on a path to true, per node and polarity.
    min: Vec<[i32; 2]>,
    max: Vec<[i32; 2]>,
}

impl Orders {
    fn new(bdd: &Bdd) -> Orders {
        let n = bdd.nodes.len();
        let mut min = vec![[0, NO_ORDER]; n];
        let mut max = vec![[0, -NO_ORDER]; n];
        for i in 1..n {
            let nd = bdd.nodes[i];
            for c in 0..2u32 {
                let (h, l) = (nd.hi ^ c, nd.lo ^ c);
                let (hn, hc) = (Bdd::node(h), (h & 1) as usize);
                let (ln, lc) = (Bdd::node(l), (l & 1) as usize);
                min[i][c as usize] = (1 + min[hn][hc]).min(min[ln][lc]).min(NO_ORDER);
                max[i][c as usize] = (1 + max[hn][hc]).max(max[ln][lc]).max(-NO_ORDER);
            }
        }
        Orders { min, max }
    }
    fn min(&self, e: Edge) -> i32 {
        self.min[Bdd::node(e)][(e & 1) as usize]
    }
    fn max(&self, e: Edge) -> i32 {
        self.max[Bdd::node(e)][(e & 1) as usize]
    }
}

impl Zbdd {
    fn empty_manager(limit: u32, node_limit: usize) -> Zbdd {
        let ucap = 1 << 12;
        let ccap = 1 << 12;
        Zbdd {
            nodes: vec![
                ZNode {
                    var: u32::MAX,
                    hi: 0,
                    lo: 0,
                },
                ZNode {
                    var: u32::MAX,
                    hi: 1,
                    lo: 1,
                },
            ],
            has_empty: vec![false, true],
            max_ord: vec![0, 0],
            min_ord: vec![u16::MAX, 0],
            unique: vec![0; ucap],
            unique_mask: ucap - 1,
            cache: vec![CacheEntry::default(); ccap],
            cache_mask: ccap - 1,
            node_limit,
            root: EMPTY,
            limit,
            module_root: Vec::new(),
        }
    }

    /// Minimal cut sets of `bdd` of at most `limit` variables, as a root in this manager.
    fn minimal(&mut self, bdd: &Bdd, limit: u32) -> Result<u32> {
        // First try without truncation: one result per BDD node, memoised in an array. When
        // the minimal cut sets are all within the limit (the usual case) this is exact and
        // much cheaper than memoising per (node, remaining order).
        let node_limit = self.node_limit;
        self.node_limit = node_limit.min(self.nodes.len() + 4 * bdd.nodes.len() + (1 << 20));
        let mut memo = vec![u32::MAX; bdd.nodes.len()];
        let full = self.minsol_full(bdd, &mut memo, bdd.root);
        self.node_limit = node_limit;
        if let Ok(root) = full
            && u32::from(self.max_ord[root as usize]) <= limit
        {
            return Ok(root);
        }
        drop(memo);
        let orders = Orders::new(bdd);
        let mut memo: FxHashMap<u64, u32> = FxHashMap::default();
        self.minsol(bdd, &orders, &mut memo, bdd.root, limit as i32)
    }

    /// Minimal solutions without an order limit; `memo` is indexed by BDD node (each node is
    /// reached with one polarity only in practice; the other polarity is not memoised).
    fn minsol_full(&mut self, bdd: &Bdd, memo: &mut [u32], e: Edge) -> Result<u32> {
        if e == FALSE {
            return Ok(EMPTY);
        }
        if e == TRUE {
            return Ok(BASE);
        }
        let idx = Bdd::node(e);
        // The memo slot stores `result << 1 | polarity`.
        let m = memo[idx];
        if m != u32::MAX && m & 1 == e & 1 {
            return Ok(m >> 1);
        }
        let n = bdd.nodes[idx];
        let c = e & 1;
        let z0 = self.minsol_full(bdd, memo, n.lo ^ c)?;
        let z1 = self.minsol_full(bdd, memo, n.hi ^ c)?;
        let z1 = self.without(z1, z0)?;
        let r = self.mk(n.var, z1, z0)?;
        if m == u32::MAX {
            memo[idx] = (r << 1) | c;
        }
        Ok(r)
    }

    fn minsol(
        &mut self,
        bdd: &Bdd,
        orders: &Orders,
        memo: &mut FxHashMap<u64, u32>,
        e: Edge,
        limit: i32,
    ) -> Result<u32> {
        if e == FALSE || orders.min(e) > limit {
            return Ok(EMPTY);
        }
        if e == TRUE {
            return Ok(BASE);
        }
        let limit = limit.min(orders.max(e));
        if limit == 0 {
            return Ok(BASE);
        }
        let key = (u64::from(e) << 8) | limit as u64;
        if let Some(&r) = memo.get(&key) {
            return Ok(r);
        }
        let n = bdd.nodes[Bdd::node(e)];
        let c = e & 1;
        let z0 = self.minsol(bdd, orders, memo, n.lo ^ c, limit)?;
        let z1 = self.minsol(bdd, orders, memo, n.hi ^ c, limit - 1)?;
        let z1 = self.without(z1, z0)?;
        let r = self.mk(n.var, z1, z0)?;
        memo.insert(key, r);
        Ok(r)
    }

    fn mk(&mut self, var: u32, hi: u32, lo: u32) -> Result<u32> {
        if hi == EMPTY {
            return Ok(lo);
        }
        let mut i = hash2(var, hi, lo) & self.unique_mask;
        loop {
            let id = self.unique[i];
            if id == 0 {
                break;
            }
            let n = &self.nodes[id as usize];
            if n.var == var && n.hi == hi && n.lo == lo {
                return Ok(id);
            }
            i = (i + 1) & self.unique_mask;
        }
        if self.nodes.len() >= self.node_limit {
            return Err(FtaError::NodeLimit {
                what: "ZBDD",
                limit: self.node_limit,
            });
        }
        let id = self.nodes.len() as u32;
        self.nodes.push(ZNode { var, hi, lo });
        self.has_empty.push(self.has_empty[lo as usize]);
        self.max_ord
            .push((self.max_ord[hi as usize] + 1).max(self.max_ord[lo as usize]));
        self.min_ord.push(
            self.min_ord[hi as usize]
                .saturating_add(1)
                .min(self.min_ord[lo as usize]),
        );
        self.unique[i] = id;
        if self.nodes.len() * 2 > self.unique.len() {
            self.grow();
        }
        Ok(id)
    }

    fn grow(&mut self) {
        let cap = self.unique.len() * 2;
        self.unique = vec![0; cap];
        self.unique_mask = cap - 1;
        for (id, n) in self.nodes.iter().enumerate().skip(2) {
            let mut i = hash2(n.var, n.hi, n.lo) & self.unique_mask;
            while self.unique[i] != 0 {
                i = (i + 1) & self.unique_mask;
            }
            self.unique[i] = id as u32;
        }
        if self.cache.len() < cap && self.cache.len() < (1 << 21) {
            let ccap = self.cache.len() * 2;
            self.cache = vec![CacheEntry::default(); ccap];
            self.cache_mask = ccap - 1;
        }
    }

    /// The sets of `f` that contain no set of `g`.
    fn without(&mut self, f: u32, g: u32) -> Result<u32> {
        if g == EMPTY || f == EMPTY {
            return Ok(f);
        }
        if f == g || self.has_empty[g as usize] {
            return Ok(EMPTY);
        }
        // A set can only contain smaller sets.
        if f == BASE || self.min_ord[g as usize] > self.max_ord[f as usize] {
            return Ok(f);
        }
        let slot = hash2(f, g, 7) & self.cache_mask;
        let ce = self.cache[slot];
        if ce.a == f && ce.b == g {
            return Ok(ce.res);
        }
        let nf = self.nodes[f as usize];
        let ng = self.nodes[g as usize];
        let r = if nf.var < ng.var {
            let hi = self.without(nf.hi, g)?;
            let lo = self.without(nf.lo, g)?;
            self.mk(nf.var, hi, lo)?
        } else if nf.var > ng.var {
            self.without(f, ng.lo)?
        } else {
            let t = self.without(nf.hi, ng.hi)?;
            let hi = self.without(t, ng.lo)?;
            let lo = self.without(nf.lo, ng.lo)?;
            self.mk(nf.var, hi, lo)?
        };
        let slot = hash2(f, g, 7) & self.cache_mask;
        self.cache[slot] = CacheEntry { a: f, b: g, res: r };
        Ok(r)
    }

    /// Minimal cut sets of every module of `mb` (innermost first), each module's family
    /// standing for its variable in the families of its parents.
    pub fn from_modules(mb: &ModularBdd, limit: u32, node_limit: usize) -> Result<Zbdd> {
        // No set is larger than the number of variables; node ids must fit in 31 bits.
        let limit = limit.min(mb.num_vars as u32).min(u32::from(u16::MAX) - 1);
        let mut z = Zbdd::empty_manager(limit, node_limit.min(i32::MAX as usize));
        z.module_root = vec![u32::MAX; mb.num_vars];
        for m in &mb.modules {
            let r = z.minimal(&m.bdd, limit)?;
            match m.var {
                Some(v) => z.module_root[v as usize] = r,
                None => z.root = r,
            }
        }
        Ok(z)
    }

    /// Nodes created (including intermediate results).
    pub fn created_nodes(&self) -> usize {
        self.nodes.len()
    }

    /// Releases the tables only needed while building.
    pub fn shrink(&mut self) {
        self.unique = Vec::new();
        self.cache = Vec::new();
    }

    #[inline]
    fn module_of(&self, var: u32) -> Option<u32> {
        match self.module_root.get(var as usize) {
            Some(&r) if r != u32::MAX => Some(r),
            _ => None,
        }
    }

    /// Marks the nodes reachable from the root, through modules too.
    fn reachable(&self) -> Vec<bool> {
        let mut r = vec![false; self.nodes.len()];
        r[self.root as usize] = true;
        for i in (2..self.nodes.len()).rev() {
            if r[i] {
                let n = self.nodes[i];
                r[n.hi as usize] = true;
                r[n.lo as usize] = true;
                if let Some(m) = self.module_of(n.var) {
                    r[m as usize] = true;
                }
            }
        }
        r
    }

    /// Number of nodes reachable from the root (through modules).
    pub fn size(&self) -> usize {
        self.reachable().iter().filter(|&&b| b).count()
    }

    /// Number of cut sets of each order `0..=limit`, computed on the diagram (saturating).
    /// A module variable contributes its module's counts by order (a convolution).
    pub fn count_by_order(&self) -> Vec<u64> {
        let width = self.limit as usize + 1;
        let reach = self.reachable();
        let mut row_of = vec![u32::MAX; self.nodes.len()];
        let mut rows: Vec<u64> = Vec::new();
        let mut poly = vec![0u64; width];
        for i in 0..self.nodes.len() {
            if !reach[i] && i > 1 {
                continue;
            }
            let base = rows.len();
            row_of[i] = (base / width) as u32;
            rows.resize(base + width, 0);
            if i == 1 {
                rows[base] = 1;
            }
            if i < 2 {
                continue;
            }
            let n = self.nodes[i];
            let (h, l) = (
                row_of[n.hi as usize] as usize * width,
                row_of[n.lo as usize] as usize * width,
            );
            poly.iter_mut().for_each(|x| *x = 0);
            match self.module_of(n.var) {
                Some(m) => {
                    let mr = row_of[m as usize] as usize * width;
                    poly.copy_from_slice(&rows[mr..mr + width]);
                }
                None if width > 1 => poly[1] = 1,
                None => {}
            }
            for k in 0..width {
                let mut v = rows[l + k];
                for (j, &c) in poly.iter().enumerate().take(k + 1) {
                    if c != 0 {
                        v = v.saturating_add(c.saturating_mul(rows[h + k - j]));
                    }
                }
                rows[base + k] = v;
            }
        }
        let r = row_of[self.root as usize] as usize * width;
        rows[r..r + width].to_vec()
    }

    /// Per node, `combine(weight of var, value of hi, value of lo)` bottom-up, where a module
    /// variable's weight is the value of its module's root.
    fn fold(&self, p: &[f64], one: f64, combine: impl Fn(f64, f64, f64) -> f64) -> Vec<f64> {
        let reach = self.reachable();
        let mut v = vec![0.0; self.nodes.len()];
        v[1] = one;
        for i in 2..self.nodes.len() {
            if reach[i] {
                let n = self.nodes[i];
                let w = self
                    .module_of(n.var)
                    .map_or(p[n.var as usize], |m| v[m as usize]);
                v[i] = combine(w, v[n.hi as usize], v[n.lo as usize]);
            }
        }
        v
    }

    /// Sum over cut sets of the product of their events' probabilities (the rare-event
    /// approximation of the top event probability). `p` is indexed by variable.
    pub fn rare_event(&self, p: &[f64]) -> f64 {
        self.fold(p, 1.0, |w, h, l| w * h + l)[self.root as usize]
    }

    /// Calls `visit` with each cut set (event variables, modules expanded) of at most `limit`
    /// events and probability at least `cutoff`, without materialising the family. Stops
    /// when `visit` breaks.
    pub fn for_each<B>(
        &self,
        p: &[f64],
        cutoff: f64,
        mut visit: impl FnMut(&[u32], f64) -> ControlFlow<B>,
    ) -> ControlFlow<B, ()> {
        // Highest probability of any set below each node, for pruning.
        let best = self.fold(p, 1.0, |w, h, l| (w * h).max(l));
        let mut st = Expand {
            z: self,
            p,
            best: &best,
            cutoff,
            buf: Vec::new(),
            pending: Vec::new(),
            set: Vec::new(),
        };
        st.run(&mut visit)
    }
}

/// The sets of the family under one node (variables, modules not expanded), one at a time,
/// depth first, with those longer than `max_len` or whose weight times `best` falls below
/// `cutoff` pruned.
struct RawSets {
    /// Variables on the current path.
    path: Vec<u32>,
    /// Nodes still to visit: (node, product of the weights on the path, path length).
    stack: Vec<(u32, f64, usize)>,
    cutoff: f64,
    max_len: usize,
}

impl RawSets {
    fn new(root: u32, cutoff: f64, max_len: usize) -> RawSets {
        RawSets {
            path: Vec::new(),
            stack: vec![(root, 1.0, 0)],
            cutoff,
            max_len,
        }
    }

    /// The next set, or `None` when all have been given.
    fn next(&mut self, z: &Zbdd, p: &[f64], best: &[f64]) -> Option<&[u32]> {
        while let Some((node, acc, len)) = self.stack.pop() {
            self.path.truncate(len);
            if node == EMPTY
                || len > self.max_len
                || (self.cutoff > 0.0 && acc * best[node as usize] < self.cutoff)
            {
                continue;
            }
            if node == BASE {
                return Some(&self.path);
            }
            let n = z.nodes[node as usize];
            let w = z
                .module_of(n.var)
                .map_or(p[n.var as usize], |m| best[m as usize]);
            self.stack.push((n.lo, acc, len));
            self.path.push(n.var);
            self.stack.push((n.hi, acc * w, len + 1));
        }
        None
    }
}

/// State of the expansion of module variables into their cut sets.
///
/// Iterative: a chain of modules whose sets are single modules (a chain of `xor` gates) is as
/// deep as the chain, and this runs on the caller's thread.
struct Expand<'a> {
    z: &'a Zbdd,
    p: &'a [f64],
    best: &'a [f64],
    cutoff: f64,
    /// Events of the set being assembled.
    buf: Vec<u32>,
    /// Module roots still to expand.
    pending: Vec<u32>,
    /// The set of a module being read (copied out of its [`RawSets`]).
    set: Vec<u32>,
}

/// One module being expanded: its sets, and the state when its expansion started.
struct Frame {
    sets: RawSets,
    /// Lengths of `buf` and `pending` when the frame was opened.
    buf_len: usize,
    pending_len: usize,
    /// Probability of the events in `buf` then.
    acc: f64,
    /// The pending module this frame expands, put back when it is done (None for the root).
    module: Option<u32>,
}

impl Expand<'_> {
    /// A frame expanding the family under `root`, given the events and pending modules so far.
    fn open(&self, root: u32, acc: f64, module: Option<u32>) -> Frame {
        let limit = self.z.limit as usize;
        let room = limit.saturating_sub(self.buf.len() + self.pending.len());
        let bound: f64 = self
            .pending
            .iter()
            .map(|&m| self.best[m as usize])
            .product();
        let cutoff = if self.cutoff > 0.0 {
            self.cutoff / (acc * bound)
        } else {
            0.0
        };
        Frame {
            sets: RawSets::new(root, cutoff, room),
            buf_len: self.buf.len(),
            pending_len: self.pending.len(),
            acc,
            module,
        }
    }

    /// Expands the root family: every set of events is given to `visit` (sorted).
    fn run<B>(&mut self, visit: &mut dyn FnMut(&[u32], f64) -> ControlFlow<B>) -> ControlFlow<B> {
        let (z, p, best) = (self.z, self.p, self.best);
        let limit = z.limit as usize;
        let mut frames = vec![self.open(z.root, 1.0, None)];
        while let Some(f) = frames.last_mut() {
            self.buf.truncate(f.buf_len);
            self.pending.truncate(f.pending_len);
            let Some(set) = f.sets.next(z, p, best) else {
                if let Some(m) = f.module {
                    self.pending.push(m);
                }
                frames.pop();
                continue;
            };
            self.set.clear();
            self.set.extend_from_slice(set);
            let mut prob = f.acc;
            for &v in &self.set {
                match z.module_of(v) {
                    Some(m) => self.pending.push(m),
                    None => {
                        self.buf.push(v);
                        prob *= p[v as usize];
                    }
                }
            }
            if self.buf.len() + self.pending.len() > limit {
                continue;
            }
            if let Some(m) = self.pending.pop() {
                let frame = self.open(m, prob, Some(m));
                frames.push(frame);
            } else if !(self.cutoff > 0.0 && prob < self.cutoff) {
                let mut sorted = self.buf.clone();
                sorted.sort_unstable();
                visit(&sorted, prob)?;
            }
        }
        ControlFlow::Continue(())
    }
}
