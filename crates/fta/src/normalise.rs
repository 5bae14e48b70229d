//! Rewrites a [`FaultTree`] into a normalised DAG ready for BDD construction: constants and
//! house events propagated away, `not`/`nand`/`nor`/`iff` turned into complemented edges,
//! nested same-type single-parent gates coalesced, the top event's literal arguments
//! propagated as don't-cares (`simplify.rs`), modules found and grouped (`modules.rs`), and a
//! static variable order chosen.

use crate::tree::{Connective, EventId, FaultTree, Node};

/// A literal of the normalised DAG.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lit {
    /// A constant.
    Const(bool),
    /// Variable (index in BDD order), negated if the flag is set.
    Var(u32, bool),
    /// Gate of the DAG, negated if the flag is set.
    Gate(u32, bool),
}

impl Lit {
    pub(crate) fn negate(self) -> Lit {
        match self {
            Lit::Const(b) => Lit::Const(!b),
            Lit::Var(v, n) => Lit::Var(v, !n),
            Lit::Gate(g, n) => Lit::Gate(g, !n),
        }
    }
}

/// Operator of a normalised gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// Conjunction.
    And,
    /// Disjunction.
    Or,
    /// Parity.
    Xor,
    /// At least k of the arguments.
    AtLeast(u32),
}

/// How the depth-first variable ordering visits a gate's arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderHeuristic {
    /// Basic events before sub-gates.
    VariablesFirst,
    /// Sub-gates before basic events.
    GatesFirst,
}

/// A normalised gate (two or more arguments, no constants).
#[derive(Debug, Clone)]
pub struct PGate {
    /// Operator.
    pub op: Op,
    /// Arguments.
    pub args: Vec<Lit>,
}

/// What a BDD variable stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Var {
    /// A basic event.
    Event(EventId),
    /// A module: a gate whose sub-graph shares nothing with the rest (index in `gates`).
    Module(u32),
}

/// The normalised DAG.
#[derive(Debug, Clone)]
pub struct Pdag {
    /// Gates; every argument gate has a smaller index than its parent.
    pub gates: Vec<PGate>,
    /// The root literal.
    pub root: Lit,
    /// Before [`Pdag::order_variables`]: the basic event of each temporary variable id.
    /// After it: the basic event of each variable that is an event, `usize::MAX` for modules.
    pub var_event: Vec<EventId>,
    /// What each variable (in BDD order) stands for; filled by [`Pdag::order_variables`].
    pub vars: Vec<Var>,
    /// For each gate, its module variable, or `u32::MAX` if it is not a (proper) module.
    pub module_var: Vec<u32>,
    /// Which gates are modules (the root excluded).
    pub is_module: Vec<bool>,
}

struct Builder<'t> {
    tree: &'t FaultTree,
    memo: Vec<Option<Lit>>,
    gates: Arena,
    /// Basic event -> temporary variable id (numbered in discovery order).
    event_var: Vec<Option<u32>>,
    var_event: Vec<EventId>,
}

impl Pdag {
    /// Normalises the tree. Uses an explicit stack, so deep trees cannot overflow.
    pub fn from_tree(tree: &FaultTree) -> Pdag {
        let mut b = Builder {
            tree,
            memo: vec![None; tree.gates.len()],
            gates: Arena::default(),
            event_var: vec![None; tree.basic_events.len()],
            var_event: Vec::new(),
        };
        let root = b.convert(tree.top);
        let n = b.gates.0.len();
        let mut pdag = Pdag {
            gates: b.gates.0,
            root,
            var_event: b.var_event,
            vars: Vec::new(),
            module_var: vec![u32::MAX; n],
            is_module: vec![false; n],
        };
        // Dead gates (left behind when constants fold a parent away) must not count as
        // users of live ones, or coalescing would merge a live gate into a dead one.
        pdag.prune_unreachable();
        pdag.coalesce();
        pdag.prune_unreachable();
        pdag.simplify();
        pdag.detect_modules();
        if pdag.group_modular_args() {
            pdag.detect_modules();
        }
        pdag.order_variables(OrderHeuristic::VariablesFirst);
        pdag
    }

    /// Merges an And (Or) argument gate into its And (Or) parent when the parent is its only
    /// user, transitively: a gate that stays gets the arguments of the whole tree of gates
    /// merged into it, gathered once (so a chain of `n` nested Or gates costs O(n log n), not
    /// O(n^2)), sorted and deduplicated.
    pub(crate) fn coalesce(&mut self) {
        let n = self.gates.len();
        let mut refs = vec![0u32; n];
        // The root is used from outside: it must never be merged away.
        if let Lit::Gate(r, _) = self.root {
            refs[r as usize] += 1;
        }
        for g in &self.gates {
            for a in &g.args {
                if let Lit::Gate(c, _) = *a {
                    refs[c as usize] += 1;
                }
            }
        }
        // Whether argument `a` of a gate of type `op` is merged into it.
        let merges = |gates: &[PGate], op: Op, a: Lit| match a {
            Lit::Gate(c, false) => refs[c as usize] == 1 && gates[c as usize].op == op,
            _ => false,
        };
        let mut merged = vec![false; n];
        for g in &self.gates {
            if matches!(g.op, Op::And | Op::Or) {
                for &a in &g.args {
                    if let Lit::Gate(c, _) = a
                        && merges(&self.gates, g.op, a)
                    {
                        merged[c as usize] = true;
                    }
                }
            }
        }
        // Each gate that is not merged itself collects, depth first, the arguments of the
        // gates merged into it (each merged gate has one user, so it is visited once).
        let mut pending: Vec<u32> = Vec::new();
        for gi in (0..n).rev() {
            let op = self.gates[gi].op;
            if merged[gi]
                || !matches!(op, Op::And | Op::Or)
                || !self.gates[gi]
                    .args
                    .iter()
                    .any(|&a| merges(&self.gates, op, a))
            {
                continue;
            }
            let mut out = Vec::with_capacity(self.gates[gi].args.len());
            pending.push(gi as u32);
            while let Some(g) = pending.pop() {
                for a in std::mem::take(&mut self.gates[g as usize].args) {
                    match a {
                        Lit::Gate(c, false) if merged[c as usize] => pending.push(c),
                        _ => out.push(a),
                    }
                }
            }
            out.sort_unstable_by_key(lit_key);
            out.dedup();
            self.gates[gi].args = out;
        }
    }

    /// Empties the gates the root does not reach (arguments have smaller indices).
    fn prune_unreachable(&mut self) {
        let mut reach = vec![false; self.gates.len()];
        if let Lit::Gate(g, _) = self.root {
            reach[g as usize] = true;
        }
        for g in (0..self.gates.len()).rev() {
            if reach[g] {
                for a in &self.gates[g].args {
                    if let Lit::Gate(c, _) = *a {
                        reach[c as usize] = true;
                    }
                }
            } else {
                self.gates[g].args.clear();
            }
        }
    }

    /// Renumbers variables in depth-first order of first appearance from the root, visiting
    /// each gate's arguments as the heuristic says. Module gates get a variable of their own
    /// when first met; their inside is numbered right after.
    pub fn order_variables(&mut self, heuristic: OrderHeuristic) {
        // Temporary event variable ids: recover them from a previous ordering if there was one.
        let events: Vec<EventId> = if self.vars.is_empty() {
            self.var_event.clone()
        } else {
            let mut ev = vec![0; self.var_event.iter().filter(|&&e| e != usize::MAX).count()];
            self.unorder(&mut ev);
            ev
        };
        let nv = events.len();
        let mut new_index = vec![u32::MAX; nv];
        let mut vars: Vec<Var> = Vec::new();
        let mut module_var = vec![u32::MAX; self.gates.len()];
        let mut visited = vec![false; self.gates.len()];
        let sorted: Vec<Vec<Lit>> = self
            .gates
            .iter()
            .map(|g| {
                let mut a = g.args.clone();
                match heuristic {
                    OrderHeuristic::VariablesFirst => a.sort_by_key(|l| !matches!(l, Lit::Var(..))),
                    OrderHeuristic::GatesFirst => a.sort_by_key(|l| matches!(l, Lit::Var(..))),
                }
                a
            })
            .collect();
        let mut stack: Vec<(u32, usize)> = Vec::new();
        let mut visit = |l: Lit, stack: &mut Vec<(u32, usize)>, visited: &mut Vec<bool>| match l {
            Lit::Var(v, _) => {
                if new_index[v as usize] == u32::MAX {
                    new_index[v as usize] = vars.len() as u32;
                    vars.push(Var::Event(events[v as usize]));
                }
            }
            Lit::Gate(g, _) => {
                if !visited[g as usize] {
                    visited[g as usize] = true;
                    if self.is_module[g as usize] {
                        module_var[g as usize] = vars.len() as u32;
                        vars.push(Var::Module(g));
                    }
                    stack.push((g, 0));
                }
            }
            Lit::Const(_) => {}
        };
        visit(self.root, &mut stack, &mut visited);
        while let Some(&mut (g, ref mut i)) = stack.last_mut() {
            if let Some(&a) = sorted[g as usize].get(*i) {
                *i += 1;
                visit(a, &mut stack, &mut visited);
            } else {
                stack.pop();
            }
        }
        let map = |l: &mut Lit| {
            if let Lit::Var(v, neg) = *l {
                *l = Lit::Var(new_index[v as usize], neg);
            }
        };
        for g in &mut self.gates {
            g.args.iter_mut().for_each(map);
        }
        map(&mut self.root);
        self.var_event = vars
            .iter()
            .map(|v| {
                if let Var::Event(e) = *v {
                    e
                } else {
                    usize::MAX
                }
            })
            .collect();
        self.vars = vars;
        self.module_var = module_var;
    }

    /// Undoes a previous ordering: event variables get ids `0..events` again (in the previous
    /// order), and `ev` receives their events.
    fn unorder(&mut self, ev: &mut [EventId]) {
        let mut back = vec![u32::MAX; self.vars.len()];
        let mut next = 0u32;
        for (v, var) in self.vars.iter().enumerate() {
            if let Var::Event(e) = *var {
                back[v] = next;
                ev[next as usize] = e;
                next += 1;
            }
        }
        let map = |l: &mut Lit| {
            if let Lit::Var(v, neg) = *l {
                *l = Lit::Var(back[v as usize], neg);
            }
        };
        for g in &mut self.gates {
            g.args.iter_mut().for_each(map);
        }
        map(&mut self.root);
        self.vars.clear();
    }
}

fn lit_key(l: &Lit) -> (u8, u32, bool) {
    match *l {
        Lit::Const(b) => (0, 0, b),
        Lit::Var(v, n) => (1, v, n),
        Lit::Gate(g, n) => (2, g, n),
    }
}

impl Builder<'_> {
    fn leaf(&mut self, n: Node) -> Option<Lit> {
        Some(match n {
            Node::Const(b) => Lit::Const(b),
            Node::House(h) => Lit::Const(self.tree.house_events[h].state),
            Node::Basic(e) => {
                let v = *self.event_var[e].get_or_insert_with(|| {
                    self.var_event.push(e);
                    (self.var_event.len() - 1) as u32
                });
                Lit::Var(v, false)
            }
            Node::Gate(g) => return self.memo[g],
        })
    }

    /// Post-order conversion with an explicit stack.
    fn convert(&mut self, top: usize) -> Lit {
        let mut stack: Vec<(usize, usize)> = vec![(top, 0)];
        while let Some(&mut (g, ref mut i)) = stack.last_mut() {
            let children = &self.tree.gates[g].children;
            if let Some(&c) = children.get(*i) {
                *i += 1;
                if let Node::Gate(cg) = c
                    && self.memo[cg].is_none()
                {
                    stack.push((cg, 0));
                }
                continue;
            }
            stack.pop();
            let kids: Vec<Lit> = self.tree.gates[g]
                .children
                .clone()
                .into_iter()
                .map(|c| self.leaf(c).unwrap_or(Lit::Const(false)))
                .collect();
            let lit = self.make(self.tree.gates[g].connective, kids);
            self.memo[g] = Some(lit);
        }
        self.memo[top].unwrap_or(Lit::Const(false))
    }

    fn make(&mut self, conn: Connective, kids: Vec<Lit>) -> Lit {
        let g = &mut self.gates;
        match conn {
            Connective::And => g.and_or(true, kids),
            Connective::Or => g.and_or(false, kids),
            Connective::Nand => g.and_or(true, kids).negate(),
            Connective::Nor => g.and_or(false, kids).negate(),
            Connective::Not => kids.first().copied().unwrap_or(Lit::Const(false)).negate(),
            Connective::Null => kids.first().copied().unwrap_or(Lit::Const(false)),
            Connective::Xor => g.xor(kids),
            Connective::Iff => g.xor(kids).negate(),
            Connective::AtLeast(k) => g.atleast(k, kids),
        }
    }
}

/// Gates under construction, made with constants and duplicates simplified away.
#[derive(Default)]
pub(crate) struct Arena(pub(crate) Vec<PGate>);

impl Arena {
    /// The gate `op(args)`, simplified (a literal or a constant when it reduces to one).
    pub(crate) fn make(&mut self, op: Op, args: Vec<Lit>) -> Lit {
        match op {
            Op::And => self.and_or(true, args),
            Op::Or => self.and_or(false, args),
            Op::Xor => self.xor(args),
            Op::AtLeast(k) => self.atleast(k, args),
        }
    }

    fn push(&mut self, op: Op, args: Vec<Lit>) -> Lit {
        self.0.push(PGate { op, args });
        Lit::Gate((self.0.len() - 1) as u32, false)
    }

    /// And (`is_and`) or Or of the literals, with constants and duplicates removed.
    fn and_or(&mut self, is_and: bool, kids: Vec<Lit>) -> Lit {
        let absorbing = Lit::Const(!is_and);
        let mut args: Vec<Lit> = Vec::with_capacity(kids.len());
        for k in kids {
            match k {
                Lit::Const(b) if b == is_and => {}
                Lit::Const(_) => return absorbing,
                l => args.push(l),
            }
        }
        args.sort_unstable_by_key(lit_key);
        args.dedup();
        if args.windows(2).any(|w| w[0] == w[1].negate()) {
            return absorbing;
        }
        match args.len() {
            0 => Lit::Const(is_and),
            1 => args[0],
            _ => self.push(if is_and { Op::And } else { Op::Or }, args),
        }
    }

    fn xor(&mut self, kids: Vec<Lit>) -> Lit {
        let mut flip = false;
        let mut args = Vec::with_capacity(kids.len());
        for k in kids {
            match k {
                Lit::Const(b) => flip ^= b,
                l => args.push(l),
            }
        }
        let lit = match args.len() {
            0 => Lit::Const(false),
            1 => args[0],
            _ => self.push(Op::Xor, args),
        };
        if flip { lit.negate() } else { lit }
    }

    fn atleast(&mut self, k: u32, kids: Vec<Lit>) -> Lit {
        let mut k = k as i64;
        let mut args = Vec::with_capacity(kids.len());
        for l in kids {
            match l {
                Lit::Const(true) => k -= 1,
                Lit::Const(false) => {}
                l => args.push(l),
            }
        }
        let n = args.len() as i64;
        if k <= 0 {
            Lit::Const(true)
        } else if k > n {
            Lit::Const(false)
        } else if k == n {
            self.and_or(true, args)
        } else if k == 1 {
            self.and_or(false, args)
        } else {
            self.push(Op::AtLeast(k as u32), args)
        }
    }
}
