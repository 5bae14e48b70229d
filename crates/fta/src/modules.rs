//! Modules of the normalised DAG: detection (Dutuit and Rauzy's linear-time algorithm) and
//! grouping of a gate's modular arguments into new module gates, as SCRAM's preprocessor
//! does. Both rest on the visit times of one depth-first traversal from the root.
//!
//! Grouping is plain associativity (`a | b | c | x = (a | b | c) | x`), so it never changes
//! the function; what it changes is that the new gate is a module, hence a single variable in
//! its parent's BDD instead of several.

use crate::normalise::{Lit, Op, PGate, Pdag};

/// Visit times of a depth-first traversal from the root; every visit of a node (entering a
/// gate, revisiting it, reaching a variable) gets its own time.
struct Times {
    /// Time a gate is first entered (0 = never reached).
    enter: Vec<u32>,
    /// Time its first traversal ends.
    exit: Vec<u32>,
    /// Last time it is visited (first exit or a later revisit).
    last: Vec<u32>,
    /// First and last visit of any node strictly below each gate.
    lo: Vec<u32>,
    hi: Vec<u32>,
    /// First and last visit of each variable.
    vfirst: Vec<u32>,
    vlast: Vec<u32>,
}

impl Times {
    fn new(p: &Pdag, root: u32) -> Times {
        let n = p.gates.len();
        let nv = p.var_event.len().max(p.vars.len());
        let mut t = Times {
            enter: vec![0; n],
            exit: vec![0; n],
            last: vec![0; n],
            lo: vec![u32::MAX; n],
            hi: vec![0; n],
            vfirst: vec![0; nv],
            vlast: vec![0; nv],
        };
        let mut time = 1u32;
        t.enter[root as usize] = time;
        let mut stack: Vec<(u32, usize)> = vec![(root, 0)];
        while let Some(&mut (g, ref mut i)) = stack.last_mut() {
            if let Some(&a) = p.gates[g as usize].args.get(*i) {
                *i += 1;
                time += 1;
                match a {
                    Lit::Var(v, _) => {
                        let v = v as usize;
                        if t.vfirst[v] == 0 {
                            t.vfirst[v] = time;
                        }
                        t.vlast[v] = time;
                    }
                    Lit::Gate(c, _) => {
                        if t.enter[c as usize] == 0 {
                            t.enter[c as usize] = time;
                            stack.push((c, 0));
                        } else {
                            t.last[c as usize] = time;
                        }
                    }
                    Lit::Const(_) => {}
                }
            } else {
                time += 1;
                t.exit[g as usize] = time;
                t.last[g as usize] = t.last[g as usize].max(time);
                stack.pop();
            }
        }
        // Arguments have smaller indices than their gates: one upward sweep suffices.
        for g in 0..n {
            if t.enter[g] == 0 {
                continue;
            }
            for a in &p.gates[g].args {
                if let Some((f, l)) = t.span(*a) {
                    t.lo[g] = t.lo[g].min(f);
                    t.hi[g] = t.hi[g].max(l);
                }
            }
        }
        t
    }

    /// First and last visit of any node of an argument's sub-graph (itself included).
    fn span(&self, a: Lit) -> Option<(u32, u32)> {
        match a {
            Lit::Var(v, _) => Some((self.vfirst[v as usize], self.vlast[v as usize])),
            Lit::Gate(c, _) => {
                let c = c as usize;
                Some((self.enter[c].min(self.lo[c]), self.last[c].max(self.hi[c])))
            }
            Lit::Const(_) => None,
        }
    }
}

impl Pdag {
    /// Marks the module gates: a gate is a module when every visit of every node below it
    /// happens between entering and leaving it during the traversal.
    pub(crate) fn detect_modules(&mut self) {
        let n = self.gates.len();
        self.is_module = vec![false; n];
        self.module_var = vec![u32::MAX; n];
        let Lit::Gate(root, _) = self.root else {
            return;
        };
        let t = Times::new(self, root);
        for g in 0..n {
            self.is_module[g] = t.enter[g] != 0
                && g != root as usize
                && t.enter[g] < t.lo[g]
                && t.hi[g] < t.exit[g];
        }
    }

    /// Moves the arguments of every And/Or gate that share no node with the other arguments
    /// nor with anything outside the gate (when there are two or more of them, and others)
    /// into a new gate of the same type, which is then a module: one variable in the gate's
    /// BDD instead of several. Returns whether anything changed.
    pub(crate) fn group_modular_args(&mut self) -> bool {
        let Lit::Gate(root, _) = self.root else {
            return false;
        };
        let t = Times::new(self, root);
        let n = self.gates.len();
        // Uses of each variable and gate: a variable used once, or a module gate used once,
        // is independent of every other argument (the intervals alone cannot always tell).
        let mut var_uses = vec![0u32; t.vfirst.len()];
        let mut gate_uses = vec![0u32; n];
        gate_uses[root as usize] += 1;
        for g in (0..n).filter(|&g| t.enter[g] != 0) {
            for a in &self.gates[g].args {
                match *a {
                    Lit::Var(v, _) => var_uses[v as usize] += 1,
                    Lit::Gate(c, _) => gate_uses[c as usize] += 1,
                    Lit::Const(_) => {}
                }
            }
        }
        let independent = |a: Lit| match a {
            Lit::Var(v, _) => var_uses[v as usize] == 1,
            Lit::Gate(c, _) => self.is_module[c as usize] && gate_uses[c as usize] == 1,
            Lit::Const(_) => false,
        };
        let mut changed = false;
        // Visit interval of each argument that is not independent by itself, and its index.
        let mut spans: Vec<(u32, u32, usize)> = Vec::new();
        for g in 0..n {
            let op = self.gates[g].op;
            if t.enter[g] == 0 || !matches!(op, Op::And | Op::Or) || self.gates[g].args.len() < 3 {
                continue;
            }
            // Which arguments move to the new gate (by index, so a wide gate costs no more
            // than sorting its arguments' intervals).
            let mut single = vec![false; self.gates[g].args.len()];
            spans.clear();
            for (i, &a) in self.gates[g].args.iter().enumerate() {
                if independent(a) {
                    single[i] = true;
                } else if let Some((f, l)) = t.span(a) {
                    spans.push((f, l, i));
                }
            }
            spans.sort_unstable_by_key(|s| s.0);
            // Any node shared by two arguments, or reached from outside the gate, makes the
            // visit intervals concerned overlap or leave the gate's own interval.
            let inside = |f: u32, l: u32| t.enter[g] < f && l < t.exit[g];
            // A cluster: arguments whose visit intervals overlap, transitively. One that stays
            // inside the gate's interval and overlaps no other argument is independent too.
            // (Grouping clusters of several overlapping arguments into modules as well was
            // tried: it is exact, but the new modules reshuffle the depth-first variable order
            // and blew edf9202 up from 170k to over 20M BDD nodes.)
            let mut i = 0;
            while i < spans.len() {
                let (mut j, mut end) = (i + 1, spans[i].1);
                while j < spans.len() && spans[j].0 <= end {
                    end = end.max(spans[j].1);
                    j += 1;
                }
                if j == i + 1 && inside(spans[i].0, spans[i].1) {
                    single[spans[i].2] = true;
                }
                i = j;
            }
            let singles = single.iter().filter(|&&s| s).count();
            if singles < 2 || singles == single.len() {
                continue;
            }
            changed = true;
            // Keep the arguments' original order on both sides: it drives the variable order.
            let new = Lit::Gate(self.gates.len() as u32, false);
            let (mut moved, mut kept) = (Vec::with_capacity(singles), Vec::new());
            for (a, s) in std::mem::take(&mut self.gates[g].args)
                .into_iter()
                .zip(single)
            {
                if s { moved.push(a) } else { kept.push(a) }
            }
            kept.push(new);
            self.gates[g].args = kept;
            self.gates.push(PGate { op, args: moved });
        }
        if changed {
            self.renumber();
        }
        changed
    }

    /// Renumbers the gates reachable from the root in post-order (arguments before their
    /// gates again) and drops the others (all of them if the root is not a gate).
    pub(crate) fn renumber(&mut self) {
        let Lit::Gate(root, root_neg) = self.root else {
            // A constant or literal top event needs no gates.
            self.gates.clear();
            self.is_module.clear();
            self.module_var.clear();
            return;
        };
        let n = self.gates.len();
        let mut new_index = vec![u32::MAX; n];
        let mut order: Vec<u32> = Vec::new();
        let mut stack: Vec<(u32, usize)> = vec![(root, 0)];
        let mut seen = vec![false; n];
        seen[root as usize] = true;
        while let Some(&mut (g, ref mut i)) = stack.last_mut() {
            if let Some(&a) = self.gates[g as usize].args.get(*i) {
                *i += 1;
                if let Lit::Gate(c, _) = a
                    && !seen[c as usize]
                {
                    seen[c as usize] = true;
                    stack.push((c, 0));
                }
            } else {
                new_index[g as usize] = order.len() as u32;
                order.push(g);
                stack.pop();
            }
        }
        let mut old = std::mem::take(&mut self.gates);
        self.gates = order
            .iter()
            .map(|&g| {
                let mut pg = std::mem::replace(
                    &mut old[g as usize],
                    PGate {
                        op: Op::And,
                        args: Vec::new(),
                    },
                );
                for a in &mut pg.args {
                    if let Lit::Gate(c, neg) = *a {
                        *a = Lit::Gate(new_index[c as usize], neg);
                    }
                }
                pg
            })
            .collect();
        self.root = Lit::Gate(new_index[root as usize], root_neg);
        self.is_module = vec![false; self.gates.len()];
        self.module_var = vec![u32::MAX; self.gates.len()];
    }
}
