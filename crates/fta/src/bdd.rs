//! Reduced ordered BDD with complement edges, a unique table and a lossy computed cache.
//!
//! An edge is `node << 1 | complement`. Node 0 is the terminal ONE, so edge 0 is true and
//! edge 1 is false. The high edge of a stored node is never complemented (canonical form).

use crate::build::ModularBuild;
use crate::error::{FtaError, Result};
use crate::normalise::{Lit, Pdag};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// An edge: node index shifted left by one, low bit = complement.
pub type Edge = u32;
/// The true function.
pub const TRUE: Edge = 0;
/// The false function.
pub const FALSE: Edge = 1;

/// Node of the graph; `var == u32::MAX` for the terminal.
#[derive(Debug, Clone, Copy)]
pub struct BNode {
    /// Variable index (order position).
    pub var: u32,
    /// High (then) edge, never complemented.
    pub hi: Edge,
    /// Low (else) edge.
    pub lo: Edge,
}

const TERMINAL_VAR: u32 = u32::MAX;

#[inline]
fn node_of(e: Edge) -> usize {
    (e >> 1) as usize
}

#[inline]
fn is_comp(e: Edge) -> bool {
    e & 1 == 1
}

#[derive(Clone, Copy, Default)]
struct CacheEntry {
    a: u32,
    b: u32,
    op: u32,
    res: u32,
}

const OP_AND: u32 = 1;
const OP_XOR: u32 = 2;

/// The mutable manager used while building.
pub struct BddManager {
    nodes: Vec<BNode>,
    unique: Vec<u32>,
    unique_mask: usize,
    cache: Vec<CacheEntry>,
    cache_mask: usize,
    node_limit: usize,
    cancel: Option<Arc<AtomicBool>>,
}

#[inline]
fn hash3(a: u32, b: u32, c: u32) -> usize {
    let h = (a as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ (b as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F)
        ^ (c as u64).wrapping_mul(0x1656_67B1_9E37_79F9);
    (h ^ (h >> 29)) as usize
}

impl BddManager {
    /// A manager that refuses to create more than `node_limit` nodes.
    pub fn new(node_limit: usize) -> Self {
        let ucap = 1 << 12;
        let ccap = 1 << 12;
        BddManager {
            nodes: vec![BNode {
                var: TERMINAL_VAR,
                hi: TRUE,
                lo: TRUE,
            }],
            unique: vec![0; ucap],
            unique_mask: ucap - 1,
            cache: vec![CacheEntry::default(); ccap],
            cache_mask: ccap - 1,
            node_limit,
            cancel: None,
        }
        .with_limit(node_limit)
    }

    /// Node ids must fit in 31 bits (edges carry the complement bit).
    fn with_limit(mut self, node_limit: usize) -> Self {
        self.set_limit(node_limit);
        self
    }

    /// Number of nodes created so far (including garbage and the terminal).
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// True when only the terminal exists.
    pub fn is_empty(&self) -> bool {
        self.nodes.len() == 1
    }

    #[inline]
    pub(crate) fn var(&self, e: Edge) -> u32 {
        self.nodes[node_of(e)].var
    }

    /// The positive literal of variable `v`.
    pub fn var_edge(&mut self, v: u32) -> Result<Edge> {
        self.mk(v, TRUE, FALSE)
    }

    fn mk(&mut self, var: u32, hi: Edge, lo: Edge) -> Result<Edge> {
        if hi == lo {
            return Ok(hi);
        }
        if is_comp(hi) {
            return Ok(self.mk(var, hi ^ 1, lo ^ 1)? ^ 1);
        }
        let mut i = hash3(var, hi, lo) & self.unique_mask;
        loop {
            let id = self.unique[i];
            if id == 0 {
                break;
            }
            let n = &self.nodes[id as usize];
            if n.var == var && n.hi == hi && n.lo == lo {
                return Ok(id << 1);
            }
            i = (i + 1) & self.unique_mask;
        }
        if self.nodes.len() >= self.node_limit {
            return Err(FtaError::NodeLimit {
                what: "BDD",
                limit: self.node_limit,
            });
        }
        if self.nodes.len() & 0xFFF == 0
            && let Some(c) = &self.cancel
            && c.load(Ordering::Relaxed)
        {
            return Err(FtaError::Cancelled);
        }
        let id = self.nodes.len() as u32;
        self.nodes.push(BNode { var, hi, lo });
        self.unique[i] = id;
        if self.nodes.len() * 2 > self.unique.len() {
            self.grow();
        }
        Ok(id << 1)
    }

    fn grow(&mut self) {
        let cap = self.unique.len() * 2;
        self.unique = vec![0; cap];
        self.unique_mask = cap - 1;
        for (id, n) in self.nodes.iter().enumerate().skip(1) {
            let mut i = hash3(n.var, n.hi, n.lo) & self.unique_mask;
            while self.unique[i] != 0 {
                i = (i + 1) & self.unique_mask;
            }
            self.unique[i] = id as u32;
        }
        // Keep the computed cache proportional to the graph.
        if self.cache.len() < cap / 2 && self.cache.len() < (1 << 24) {
            let ccap = self.cache.len() * 2;
            let old = std::mem::replace(&mut self.cache, vec![CacheEntry::default(); ccap]);
            self.cache_mask = ccap - 1;
            // Keep what was computed (re-hashed): dropping it made edf9202's build redo 13%
            // of its work, and an interrupted build resumes from these results.
            for c in old {
                if c.op != 0 {
                    self.cache[hash3(c.a, c.b, c.op) & self.cache_mask] = c;
                }
            }
        }
    }

    #[inline]
    fn cofactors(&self, e: Edge, var: u32) -> (Edge, Edge) {
        let n = self.nodes[node_of(e)];
        if n.var != var {
            return (e, e);
        }
        let c = e & 1;
        (n.hi ^ c, n.lo ^ c)
    }

    /// Conjunction.
    pub fn and(&mut self, f: Edge, g: Edge) -> Result<Edge> {
        if f == g || g == TRUE {
            return Ok(f);
        }
        if f == TRUE {
            return Ok(g);
        }
        if f == FALSE || g == FALSE || f == g ^ 1 {
            return Ok(FALSE);
        }
        let (f, g) = if f < g { (f, g) } else { (g, f) };
        let slot = hash3(f, g, OP_AND) & self.cache_mask;
        let c = self.cache[slot];
        if c.op == OP_AND && c.a == f && c.b == g {
            return Ok(c.res);
        }
        let v = self.var(f).min(self.var(g));
        let (f1, f0) = self.cofactors(f, v);
        let (g1, g0) = self.cofactors(g, v);
        let hi = self.and(f1, g1)?;
        let lo = self.and(f0, g0)?;
        let r = self.mk(v, hi, lo)?;
        let slot = hash3(f, g, OP_AND) & self.cache_mask;
        self.cache[slot] = CacheEntry {
            a: f,
            b: g,
            op: OP_AND,
            res: r,
        };
        Ok(r)
    }

    /// Disjunction.
    pub fn or(&mut self, f: Edge, g: Edge) -> Result<Edge> {
        Ok(self.and(f ^ 1, g ^ 1)? ^ 1)
    }

    /// Exclusive or.
    pub fn xor(&mut self, f: Edge, g: Edge) -> Result<Edge> {
        let flip = (f ^ g) & 1;
        let (f, g) = (f & !1, g & !1);
        if f == g {
            return Ok(FALSE ^ flip);
        }
        if f == TRUE {
            return Ok(g ^ 1 ^ flip);
        }
        if g == TRUE {
            return Ok(f ^ 1 ^ flip);
        }
        let (f, g) = if f < g { (f, g) } else { (g, f) };
        let slot = hash3(f, g, OP_XOR) & self.cache_mask;
        let c = self.cache[slot];
        if c.op == OP_XOR && c.a == f && c.b == g {
            return Ok(c.res ^ flip);
        }
        let v = self.var(f).min(self.var(g));
        let (f1, f0) = self.cofactors(f, v);
        let (g1, g0) = self.cofactors(g, v);
        let hi = self.xor(f1, g1)?;
        let lo = self.xor(f0, g0)?;
        let r = self.mk(v, hi, lo)?;
        let slot = hash3(f, g, OP_XOR) & self.cache_mask;
        self.cache[slot] = CacheEntry {
            a: f,
            b: g,
            op: OP_XOR,
            res: r,
        };
        Ok(r ^ flip)
    }

    /// If-then-else.
    pub fn ite(&mut self, f: Edge, g: Edge, h: Edge) -> Result<Edge> {
        let a = self.and(f, g)?;
        let b = self.and(f ^ 1, h)?;
        self.or(a, b)
    }

    /// Builds one BDD per module of the normalised DAG (bottom-up, the top last), each module
    /// standing as a single variable in its parents, and returns them compacted (see
    /// [`ModularBuild`]).
    pub fn build(
        pdag: &Pdag,
        node_limit: usize,
        cancel: Option<Arc<AtomicBool>>,
    ) -> Result<ModularBdd> {
        let mut b = ModularBuild::new(pdag);
        b.set_cancel(cancel);
        b.advance(node_limit)?;
        Ok(b.finish())
    }

    /// Sets the largest number of nodes (ids must fit in 31 bits: edges carry the complement bit).
    pub(crate) fn set_limit(&mut self, node_limit: usize) {
        self.node_limit = node_limit.min(i32::MAX as usize);
    }

    /// Sets the flag that makes the next node creation fail with [`FtaError::Cancelled`].
    pub(crate) fn set_cancel(&mut self, cancel: Option<Arc<AtomicBool>>) {
        self.cancel = cancel;
    }

    pub(crate) fn true_on_empty(&self, mut e: Edge) -> bool {
        let mut c = false;
        loop {
            c ^= is_comp(e);
            let n = self.nodes[node_of(e)];
            if n.var == TERMINAL_VAR {
                return !c;
            }
            e = n.lo;
        }
    }

    pub(crate) fn lit(
        &mut self,
        l: Lit,
        res: &[Edge],
        pdag: &Pdag,
        flipped: &[bool],
    ) -> Result<Edge> {
        Ok(match l {
            Lit::Const(b) => {
                if b {
                    TRUE
                } else {
                    FALSE
                }
            }
            Lit::Var(v, neg) => self.var_edge(v)? ^ u32::from(neg),
            Lit::Gate(g, neg) => {
                let mv = pdag.module_var[g as usize];
                if mv == u32::MAX {
                    res[g as usize] ^ u32::from(neg)
                } else {
                    // A module stored complemented is the negation of its variable.
                    self.var_edge(mv)? ^ u32::from(neg) ^ u32::from(flipped[g as usize])
                }
            }
        })
    }

    /// At least `k` of `args`: dynamic programming over (position, still needed).
    pub(crate) fn atleast(&mut self, k: usize, args: &[Edge]) -> Result<Edge> {
        let n = args.len();
        // row[j] = "at least j of args[i..]" for the current i, j in 0..=k.
        let mut row: Vec<Edge> = (0..=k).map(|j| if j == 0 { TRUE } else { FALSE }).collect();
        for i in (0..n).rev() {
            let mut next = row.clone();
            for j in 1..=k {
                next[j] = self.ite(args[i], row[j - 1], row[j])?;
            }
            row = next;
        }
        Ok(row[k])
    }

    /// Copies the part reachable from `root` into a compact, immutable [`Bdd`].
    pub fn freeze(&self, root: Edge, num_vars: usize) -> Bdd {
        let mut map = vec![u32::MAX; self.nodes.len()];
        self.freeze_into(root, num_vars, &mut map)
    }

    /// [`BddManager::freeze`] with a caller-provided map (all `u32::MAX` for nodes not yet
    /// frozen), so that many disjoint graphs can be frozen in linear total time.
    pub(crate) fn freeze_into(&self, root: Edge, num_vars: usize, map: &mut [u32]) -> Bdd {
        map[0] = 0;
        let mut order: Vec<u32> = Vec::new();
        // Iterative post-order DFS.
        let mut stack: Vec<(u32, bool)> = vec![(node_of(root) as u32, false)];
        while let Some((id, expanded)) = stack.pop() {
            if id == 0 || (map[id as usize] != u32::MAX && !expanded) {
                continue;
            }
            if expanded {
                if map[id as usize] == u32::MAX {
                    map[id as usize] = (order.len() + 1) as u32;
                    order.push(id);
                }
            } else {
                stack.push((id, true));
                let n = self.nodes[id as usize];
                for e in [n.lo, n.hi] {
                    if map[node_of(e)] == u32::MAX {
                        stack.push((node_of(e) as u32, false));
                    }
                }
            }
        }
        let remap = |e: Edge| (map[node_of(e)] << 1) | (e & 1);
        let mut nodes = Vec::with_capacity(order.len() + 1);
        nodes.push(self.nodes[0]);
        for &id in &order {
            let n = self.nodes[id as usize];
            nodes.push(BNode {
                var: n.var,
                hi: remap(n.hi),
                lo: remap(n.lo),
            });
        }
        Bdd {
            nodes,
            root: remap(root),
            num_vars,
        }
    }
}

/// The BDDs of a tree's modules, innermost first, the top event last.
#[derive(Debug, Clone)]
pub struct ModularBdd {
    /// The modules; a module's variable is used only by modules after it.
    pub modules: Vec<Module>,
    /// Number of variables (events and modules).
    pub num_vars: usize,
    /// Nodes created while building (a measure of the work done).
    pub built_nodes: usize,
}

/// One module's BDD.
#[derive(Debug, Clone)]
pub struct Module {
    /// The variable standing for this module in its parents (None for the top event).
    pub var: Option<u32>,
    /// Its function (false on the empty set, except possibly the top event).
    pub bdd: Bdd,
}

impl ModularBdd {
    /// Total nodes over all modules.
    pub fn size(&self) -> usize {
        self.modules.iter().map(|m| m.bdd.size()).sum()
    }

    /// Probability of every variable: `p_events` for events (by variable, ignored for
    /// modules) completed with each module's probability, and the top event probability.
    pub fn probabilities(&self, p_events: &[f64]) -> (Vec<f64>, f64) {
        let mut p = p_events.to_vec();
        let mut top = 0.0;
        for m in &self.modules {
            let q = m.bdd.probability(&p);
            match m.var {
                Some(v) => p[v as usize] = q,
                None => top = q,
            }
        }
        (p, top)
    }

    /// The top event's BDD.
    pub fn top(&self) -> &Bdd {
        &self.modules[self.modules.len() - 1].bdd
    }
}

/// An immutable BDD: nodes in topological order (children before parents), node 0 terminal.
#[derive(Debug, Clone)]
pub struct Bdd {
    /// The nodes.
    pub nodes: Vec<BNode>,
    /// The function.
    pub root: Edge,
    /// Number of variables.
    pub num_vars: usize,
}

impl Bdd {
    /// Node index of an edge.
    #[inline]
    pub fn node(e: Edge) -> usize {
        node_of(e)
    }

    /// Whether an edge is complemented.
    #[inline]
    pub fn complemented(e: Edge) -> bool {
        is_comp(e)
    }

    /// Probability of every node (as stored, uncomplemented), given variable probabilities.
    pub fn node_probabilities(&self, p: &[f64]) -> Vec<f64> {
        let mut q = vec![1.0; self.nodes.len()];
        let val = |q: &[f64], e: Edge| {
            if is_comp(e) {
                1.0 - q[node_of(e)]
            } else {
                q[node_of(e)]
            }
        };
        for i in 1..self.nodes.len() {
            let n = self.nodes[i];
            let pv = p[n.var as usize];
            q[i] = pv * val(&q, n.hi) + (1.0 - pv) * val(&q, n.lo);
        }
        q
    }

    /// Probability of the root function.
    pub fn probability(&self, p: &[f64]) -> f64 {
        let q = self.node_probabilities(p);
        let v = q[node_of(self.root)];
        if is_comp(self.root) { 1.0 - v } else { v }
    }

    /// Evaluates the function on an assignment (indexed by variable).
    pub fn eval(&self, x: &[bool]) -> bool {
        let mut e = self.root;
        let mut c = false;
        loop {
            c ^= is_comp(e);
            let n = self.nodes[node_of(e)];
            if n.var == TERMINAL_VAR {
                return !c;
            }
            e = if x[n.var as usize] { n.hi } else { n.lo };
        }
    }

    /// Number of nodes in the compacted graph.
    pub fn size(&self) -> usize {
        self.nodes.len()
    }
}
