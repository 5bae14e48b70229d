//! Don't-care propagation from the top event: in `x | a` the value of `a` only matters when
//! `x` is false, so `x` may be set to false anywhere inside `a` (and to true inside the other
//! arguments of `x & a`). Every gate lies below the root, so each literal argument of a root
//! And/Or gate (an event or a gate, possibly negated) is set to its non-deciding constant in
//! every other gate, and the constants are folded away; repeated while folding brings new
//! literals up to the root.
//!
//! edf9202's top event is an Or of 40 events (and 28 gates) many of which also occur deep
//! inside its other arguments: removing those occurrences shrinks the DAG from 124 gates to
//! 98, makes more of them modules, and cuts the BDD work from 172k (events first) / 1.12M
//! (sub-gates first) nodes to 110k / 95k; jbd9601 from 308k / 267k to 155k / 152k.
//!
//! Tried and left out (see NOTES.md): the same propagation from every gate (not only the
//! root), and SCRAM-style distributivity (`(c | p1) & (c | p2) = c | (p1 & p2)` and its
//! dual). Both are exact and shrink some BDDs, but they reshuffle the depth-first variable
//! order and made other models several times slower (edfpa14p, das9701).

use crate::normalise::{Arena, Lit, Op, Pdag};

/// Folding rounds at most (each may bring new literals up to the root).
const ROUNDS: usize = 4;

/// Identifies a literal up to negation: events even, gates odd.
fn key(l: Lit) -> Option<u64> {
    match l {
        Lit::Var(v, _) => Some(u64::from(v) << 1),
        Lit::Gate(g, _) => Some((u64::from(g) << 1) | 1),
        Lit::Const(_) => None,
    }
}

fn is_neg(l: Lit) -> bool {
    matches!(l, Lit::Var(_, true) | Lit::Gate(_, true))
}

impl Pdag {
    /// Propagates the root's literal arguments as don't-cares into the rest of the DAG and
    /// folds the constants, until nothing changes. Gates must be in bottom-up order (they stay
    /// so, renumbered).
    pub(crate) fn simplify(&mut self) {
        for _ in 0..ROUNDS {
            if !self.propagate_root_literals() {
                break;
            }
            self.fold();
        }
    }

    /// Sets every literal argument of the root And/Or gate to the constant that does not
    /// decide the root, in every other gate. Returns whether anything changed.
    fn propagate_root_literals(&mut self) -> bool {
        let Lit::Gate(root, _) = self.root else {
            return false;
        };
        let root = root as usize;
        // An Or's other arguments matter only when the literal is false; an And's, when true.
        let value = match self.gates[root].op {
            Op::Or => false,
            Op::And => true,
            _ => return false,
        };
        // (key, constant the un-negated literal takes).
        let mut facts: Vec<(u64, bool)> = self.gates[root]
            .args
            .iter()
            .filter_map(|&a| Some((key(a)?, value ^ is_neg(a))))
            .collect();
        facts.sort_unstable();
        // `x | !x` is folded before; should both values of a key appear, use neither.
        let facts: Vec<(u64, bool)> = facts
            .chunk_by(|a, b| a.0 == b.0)
            .filter(|run| run.iter().all(|f| f.1 == run[0].1))
            .map(|run| run[0])
            .collect();
        if facts.is_empty() {
            return false;
        }
        let mut changed = false;
        for (gi, g) in self.gates.iter_mut().enumerate() {
            if gi == root {
                continue;
            }
            for a in &mut g.args {
                if let Some(k) = key(*a)
                    && let Ok(i) = facts.binary_search_by_key(&k, |f| f.0)
                {
                    *a = Lit::Const(facts[i].1 ^ is_neg(*a));
                    changed = true;
                }
            }
        }
        changed
    }

    /// Rebuilds every gate bottom-up through [`Arena`], folding constants, duplicate and
    /// complementary arguments, and single-argument gates; then coalesces and renumbers.
    fn fold(&mut self) {
        let old = std::mem::take(&mut self.gates);
        let mut arena = Arena::default();
        let mut map: Vec<Lit> = Vec::with_capacity(old.len());
        let sub = |l: Lit, map: &[Lit]| match l {
            Lit::Gate(g, n) => {
                if n {
                    map[g as usize].negate()
                } else {
                    map[g as usize]
                }
            }
            l => l,
        };
        for g in old {
            if g.args.is_empty() {
                // Unreachable (merged away before): nothing refers to it.
                map.push(Lit::Const(false));
                continue;
            }
            let args = g.args.iter().map(|&a| sub(a, &map)).collect();
            map.push(arena.make(g.op, args));
        }
        self.root = sub(self.root, &map);
        self.gates = arena.0;
        self.is_module = vec![false; self.gates.len()];
        self.module_var = vec![u32::MAX; self.gates.len()];
        self.renumber();
        self.coalesce();
        self.renumber();
    }
}

#[cfg(test)]
mod tests {
    use crate::normalise::{Lit, Pdag};
    use crate::tree::{Child, Connective, FaultTree};

    /// `a | (a & b) | (!a & c & d) | (b & c)`: `a` leaves the sub-gates, the first And
    /// disappears (`a & b` is false when `a` is) and `!a & c & d` becomes `c & d`.
    #[test]
    fn root_literals_leave_the_sub_gates() {
        let mut b = FaultTree::builder("t");
        for e in ["a", "b", "c", "d"] {
            b.basic_event(e, 0.1).unwrap();
        }
        b.gate(
            "g1",
            Connective::And,
            [Child::basic("a"), Child::basic("b")],
        )
        .unwrap();
        b.gate("na", Connective::Not, [Child::basic("a")]).unwrap();
        b.gate(
            "g2",
            Connective::And,
            [Child::gate("na"), Child::basic("c"), Child::basic("d")],
        )
        .unwrap();
        b.gate(
            "g3",
            Connective::And,
            [Child::basic("b"), Child::basic("c")],
        )
        .unwrap();
        b.gate(
            "top",
            Connective::Or,
            [
                Child::basic("a"),
                Child::gate("g1"),
                Child::gate("g2"),
                Child::gate("g3"),
            ],
        )
        .unwrap();
        let tree = b.build(Some("top")).unwrap();
        let p = Pdag::from_tree(&tree);
        let Lit::Gate(root, false) = p.root else {
            panic!("root {:?}", p.root)
        };
        // `a` is used once (by the root), no gate is empty, and only two Ands are left.
        let mut var_uses = vec![0; p.vars.len()];
        let mut ands = 0;
        for (i, g) in p.gates.iter().enumerate() {
            if i != root as usize && g.op == crate::normalise::Op::And {
                ands += 1;
                assert_eq!(g.args.len(), 2);
            }
            for l in &g.args {
                assert!(!matches!(l, Lit::Const(_)));
                if let Lit::Var(v, _) = *l {
                    var_uses[v as usize] += 1;
                }
            }
        }
        assert_eq!(ands, 2);
        let a = tree.basic_event("a").unwrap();
        let va = p.var_event.iter().position(|&e| e == a).unwrap();
        assert_eq!(var_uses[va], 1);
    }
}
