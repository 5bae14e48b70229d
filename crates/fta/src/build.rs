//! Resumable construction of the modular BDD of a normalised DAG.
//!
//! Gates are built bottom-up, one BDD per module (a module being a single variable in its
//! parents). When the node budget runs out the build stops at the gate it was working on and
//! can be resumed later with a larger budget: every node made so far stays in the manager and
//! most of the interrupted gate's work is found again in the unique table and computed cache.
//! That is what lets [`crate::analysis`] try two variable orders in turns, with growing
//! budgets, without paying again for the earlier turns.

use crate::bdd::{BddManager, Edge, FALSE, ModularBdd, Module, TRUE};
use crate::error::Result;
use crate::normalise::{Lit, Op, Pdag};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

/// A modular BDD under construction.
pub struct ModularBuild<'p> {
    pdag: &'p Pdag,
    m: BddManager,
    reach: Vec<bool>,
    /// BDD of each gate built so far (a module's as stored: complemented if flipped).
    res: Vec<Edge>,
    /// Modules stored complemented because they are true on the empty set.
    flipped: Vec<bool>,
    module_roots: Vec<(u32, Edge)>,
    /// The next gate to build.
    next: usize,
    root: Option<Edge>,
}

impl<'p> ModularBuild<'p> {
    /// A build of `pdag` that has not started yet.
    pub fn new(pdag: &'p Pdag) -> Self {
        let n = pdag.gates.len();
        let mut reach = vec![false; n];
        if let Lit::Gate(g, _) = pdag.root {
            reach[g as usize] = true;
        }
        for gi in (0..n).rev() {
            if reach[gi] {
                for a in &pdag.gates[gi].args {
                    if let Lit::Gate(c, _) = *a {
                        reach[c as usize] = true;
                    }
                }
            }
        }
        ModularBuild {
            pdag,
            m: BddManager::new(usize::MAX),
            reach,
            res: vec![FALSE; n],
            flipped: vec![false; n],
            module_roots: Vec::new(),
            next: 0,
            root: None,
        }
    }

    /// The DAG being built.
    pub fn pdag(&self) -> &'p Pdag {
        self.pdag
    }

    /// Nodes created so far.
    pub fn nodes(&self) -> usize {
        self.m.len()
    }

    /// Gates built so far (in the DAG's bottom-up order, the same for every variable order).
    pub fn gates_built(&self) -> usize {
        self.next
    }

    /// Whether the build is complete.
    pub fn is_done(&self) -> bool {
        self.root.is_some()
    }

    /// Sets the flag that cancels the build.
    pub fn set_cancel(&mut self, cancel: Option<Arc<AtomicBool>>) {
        self.m.set_cancel(cancel);
    }

    /// Continues the build until it is complete (`Ok`) or the manager holds `budget` nodes
    /// ([`crate::FtaError::NodeLimit`]; the build can then be resumed with a larger budget).
    pub fn advance(&mut self, budget: usize) -> Result<()> {
        self.m.set_limit(budget);
        let (pdag, m) = (self.pdag, &mut self.m);
        let mut args: Vec<Edge> = Vec::new();
        while self.next < pdag.gates.len() {
            let gi = self.next;
            if !self.reach[gi] {
                self.next += 1;
                continue;
            }
            args.clear();
            for a in &pdag.gates[gi].args {
                args.push(m.lit(*a, &self.res, pdag, &self.flipped)?);
            }
            let r = match pdag.gates[gi].op {
                op @ (Op::And | Op::Or) => {
                    let is_and = op == Op::And;
                    // Combine from the bottom of the order up.
                    args.sort_unstable_by_key(|&e| std::cmp::Reverse(m.var(e)));
                    let mut acc = if is_and { TRUE } else { FALSE };
                    for &e in &args {
                        acc = if is_and {
                            m.and(acc, e)?
                        } else {
                            m.or(acc, e)?
                        };
                    }
                    acc
                }
                Op::Xor => {
                    let mut acc = FALSE;
                    for &e in &args {
                        acc = m.xor(acc, e)?;
                    }
                    acc
                }
                Op::AtLeast(k) => m.atleast(k as usize, &args)?,
            };
            self.res[gi] = r;
            let mv = pdag.module_var[gi];
            if mv != u32::MAX {
                // Store modules false on the empty set; `lit` negates their variable to match.
                if m.true_on_empty(r) {
                    self.res[gi] = r ^ 1;
                    self.flipped[gi] = true;
                }
                self.module_roots.push((mv, self.res[gi]));
            }
            self.next += 1;
        }
        if self.root.is_none() {
            self.root = Some(m.lit(pdag.root, &self.res, pdag, &self.flipped)?);
        }
        Ok(())
    }

    /// The compacted per-module BDDs of a complete build (an empty top event if incomplete).
    ///
    /// A module true when no event occurs is stored complemented (and its variable negated in
    /// the parents), so that every module is false on the empty set: minimal cut sets of the
    /// parents can then be expanded by plain substitution.
    pub fn finish(self) -> ModularBdd {
        let m = self.m;
        let num_vars = self.pdag.vars.len();
        let mut modules: Vec<Module> = Vec::with_capacity(self.module_roots.len() + 1);
        let mut map = vec![u32::MAX; m.len()];
        for (var, e) in self.module_roots {
            modules.push(Module {
                var: Some(var),
                bdd: m.freeze_into(e, num_vars, &mut map),
            });
        }
        modules.push(Module {
            var: None,
            bdd: m.freeze_into(self.root.unwrap_or(FALSE), num_vars, &mut map),
        });
        ModularBdd {
            modules,
            num_vars,
            built_nodes: m.len(),
        }
    }
}
