//! The analysis entry points: [`Analysis::new`] builds the diagrams once, then probability,
//! cut set counts, streamed cut sets, approximations and importance are read from them.

use crate::bdd::{BddManager, ModularBdd};
use crate::build::ModularBuild;
use crate::error::{FtaError, Result};
use crate::importance::{self, Importance};
use crate::normalise::{OrderHeuristic, Pdag, Var};
use crate::report::{Report, Stats};
use crate::tree::{EventId, FaultTree};
use crate::zbdd::Zbdd;
use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// Least stack size of the analysis threads.
const STACK_SIZE: usize = 1 << 26;

/// Stack added to the analysis threads per basic event and gate. The decision diagram
/// operations (`and`, `xor`, Rauzy's `minsol`, `without`) recurse once per variable level, a
/// BDD has at most one level per basic event or module, and `without` may nest below
/// `minsol`: a few frames per level, about 1 KiB each in a debug build (a gate with 100,000
/// arguments took 61,680 `minsol` frames to overflow 64 MiB). Stacks are reserved, not
/// committed, so the unused part costs address space only.
const STACK_PER_ELEMENT: usize = 4 << 10;

/// What to compute and the resource bounds.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Largest cut set order kept (SCRAM's `-l`, default 20).
    pub order_limit: u32,
    /// Cut sets less probable than this are not counted or listed (0 = keep all).
    pub cutoff: f64,
    /// Whether to compute minimal cut sets.
    pub cut_sets: bool,
    /// Whether to compute importance measures.
    pub importance: bool,
    /// Largest BDD (in nodes) before giving up with [`FtaError::NodeLimit`].
    pub bdd_node_limit: usize,
    /// Largest ZBDD (in nodes) before giving up.
    pub zbdd_node_limit: usize,
    /// The min-cut upper bound is computed by streaming the cut sets, up to this many.
    pub mcub_max_sets: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            order_limit: 20,
            cutoff: 0.0,
            cut_sets: true,
            importance: false,
            bdd_node_limit: 80_000_000,
            zbdd_node_limit: 40_000_000,
            mcub_max_sets: 10_000_000,
        }
    }
}

/// Diagrams of one fault tree, ready to answer questions.
pub struct Analysis {
    top_event: String,
    /// Basic event of each variable (`usize::MAX` for module variables).
    var_event: Vec<EventId>,
    /// Event variables in order, and their names.
    events: Vec<EventId>,
    names: Vec<String>,
    /// Probability of each variable (BDD order; modules included).
    p: Vec<f64>,
    bdd: ModularBdd,
    zbdd: Option<Zbdd>,
    probability: f64,
    opts: Options,
    basic_events: usize,
    gates: usize,
    seconds: f64,
}

impl Analysis {
    /// Normalises the tree, builds its BDD (trying two variable orders at once and keeping the
    /// first to finish), computes the probability and, if asked, the minimal cut set ZBDD.
    pub fn new(tree: &FaultTree, opts: &Options) -> Result<Analysis> {
        let start = Instant::now();
        let elements = tree.basic_events.len() + tree.gates.len();
        let stack = (elements > INLINE_MAX).then(|| stack_size(elements));
        let (pdag, bdd, zbdd) = with_stack(stack, || {
            let (pdag, bdd) = build_bdd(tree, opts, stack.unwrap_or(STACK_SIZE))?;
            let zbdd = if opts.cut_sets {
                let mut z = Zbdd::from_modules(&bdd, opts.order_limit, opts.zbdd_node_limit)?;
                z.shrink();
                Some(z)
            } else {
                None
            };
            Ok((pdag, bdd, zbdd))
        })?;
        let p0: Vec<f64> = pdag
            .vars
            .iter()
            .map(|v| {
                if let Var::Event(e) = *v {
                    tree.basic_events[e].probability
                } else {
                    0.0
                }
            })
            .collect();
        let (p, probability) = bdd.probabilities(&p0);
        let events: Vec<EventId> = pdag
            .var_event
            .iter()
            .copied()
            .filter(|&e| e != usize::MAX)
            .collect();
        Ok(Analysis {
            top_event: tree.top_name().to_string(),
            names: events
                .iter()
                .map(|&e| tree.basic_events[e].name.clone())
                .collect(),
            events,
            var_event: pdag.var_event,
            p,
            bdd,
            zbdd,
            probability,
            opts: opts.clone(),
            basic_events: tree.basic_events.len(),
            gates: tree.gates.len(),
            seconds: start.elapsed().as_secs_f64(),
        })
    }

    /// Exact top event probability.
    pub fn probability(&self) -> f64 {
        self.probability
    }

    /// The BDDs of the modules (the top event last).
    pub fn bdd(&self) -> &ModularBdd {
        &self.bdd
    }

    /// The basic events the top event depends on, in BDD order (the order of [`Self::importance`]).
    pub fn variables(&self) -> &[EventId] {
        &self.events
    }

    /// Number of minimal cut sets per order `0..=order_limit` (None if cut sets were not
    /// computed). Counted on the ZBDD, or by streaming when a cut-off is set.
    pub fn cut_set_counts(&self) -> Option<Vec<u64>> {
        let z = self.zbdd.as_ref()?;
        if self.opts.cutoff > 0.0 {
            let mut counts = vec![0u64; self.opts.order_limit as usize + 1];
            let _ = z.for_each(&self.p, self.opts.cutoff, |s, _| {
                counts[s.len()] += 1;
                ControlFlow::<()>::Continue(())
            });
            Some(counts)
        } else {
            Some(z.count_by_order())
        }
    }

    /// Streams the minimal cut sets (basic event ids, and the set's probability) without
    /// materialising them; stop early by returning `ControlFlow::Break`.
    pub fn for_each_cut_set<B>(
        &self,
        mut visit: impl FnMut(&[EventId], f64) -> ControlFlow<B>,
    ) -> ControlFlow<B> {
        let Some(z) = &self.zbdd else {
            return ControlFlow::Continue(());
        };
        let mut buf: Vec<EventId> = Vec::new();
        z.for_each(&self.p, self.opts.cutoff, |s, pr| {
            buf.clear();
            buf.extend(s.iter().map(|&v| self.var_event[v as usize]));
            visit(&buf, pr)
        })
    }

    /// Approximation: sum of the cut sets' probabilities.
    pub fn rare_event_approximation(&self) -> Option<f64> {
        let z = self.zbdd.as_ref()?;
        if self.opts.cutoff > 0.0 {
            let mut sum = 0.0;
            let _ = self.for_each_cut_set(|_, p| {
                sum += p;
                ControlFlow::<()>::Continue(())
            });
            Some(sum)
        } else {
            Some(z.rare_event(&self.p))
        }
    }

    /// Approximation: 1 - prod(1 - P(cut set)), streamed; None beyond `mcub_max_sets` sets.
    pub fn min_cut_upper_bound(&self) -> Option<f64> {
        let total: u64 = self.cut_set_counts()?.iter().sum();
        if total > self.opts.mcub_max_sets {
            return None;
        }
        let mut log_none = 0.0f64;
        let _ = self.for_each_cut_set(|_, p| {
            log_none += (-p).ln_1p();
            ControlFlow::<()>::Continue(())
        });
        Some(-log_none.exp_m1())
    }

    /// Importance measures of every basic event the top event depends on, in the order of
    /// [`Self::variables`].
    pub fn importance(&self) -> Vec<Importance> {
        let mif = importance::birnbaum_modular(&self.bdd, &self.p);
        let event_vars = self
            .var_event
            .iter()
            .enumerate()
            .filter(|(_, e)| **e != usize::MAX)
            .map(|(v, _)| v);
        event_vars
            .zip(&self.names)
            .map(|(v, name)| {
                importance::measures(name.clone(), self.p[v], mif[v], self.probability)
            })
            .collect()
    }

    /// Everything asked for in the options, as a serialisable report.
    pub fn report(&self) -> Report {
        let counts = self.cut_set_counts();
        let by_order = counts.as_ref().map(|c| {
            c.iter()
                .enumerate()
                .filter(|(_, n)| **n > 0)
                .map(|(k, n)| (k as u32, *n))
                .collect::<BTreeMap<_, _>>()
        });
        Report {
            top_event: self.top_event.clone(),
            probability: self.probability,
            cut_sets: counts.map(|c| c.iter().fold(0u64, |a, b| a.saturating_add(*b))),
            by_order,
            order_limit: self.opts.order_limit,
            cutoff: self.opts.cutoff,
            rare_event_approximation: self.rare_event_approximation(),
            min_cut_upper_bound: self.min_cut_upper_bound(),
            importance: self.opts.importance.then(|| self.importance()),
            stats: Stats {
                basic_events: self.basic_events,
                gates: self.gates,
                variables: self.p.len(),
                bdd_nodes: self.bdd.size(),
                zbdd_nodes: self.zbdd.as_ref().map(Zbdd::size),
                seconds: self.seconds,
            },
        }
    }
}

/// Analyses a tree and returns the report.
pub fn analyse(tree: &FaultTree, opts: &Options) -> Result<Report> {
    Ok(Analysis::new(tree, opts)?.report())
}

/// Trees up to this many events and gates are analysed on the caller's thread.
const INLINE_MAX: usize = 1000;

/// Stack size for analysing a tree of `elements` basic events and gates.
fn stack_size(elements: usize) -> usize {
    STACK_SIZE.saturating_add(elements.saturating_mul(STACK_PER_ELEMENT))
}

/// Runs `f` on a thread with a stack of `size` bytes if given, else right here.
fn with_stack<T: Send>(size: Option<usize>, f: impl FnOnce() -> Result<T> + Send) -> Result<T> {
    let Some(size) = size else {
        return f();
    };
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .stack_size(size)
            .spawn_scoped(s, f)
            .map_err(|e| FtaError::Xml(format!("cannot start analysis thread: {e}")))?
            .join()
            .unwrap_or(Err(FtaError::Cancelled))
    })
}

/// First node budget of the turns, and the budget beyond which the two builds race on two
/// threads instead of taking turns.
const FIRST_BUDGET: usize = 1 << 14;
const RACE_FROM: usize = 1 << 19;

/// Builds the BDD under two static variable orders (neither dominates). The two builds take
/// turns on this thread with doubling node budgets, each resuming where it stopped (the one
/// further through the gates first), so cheap models finish at once under the better order
/// and the worse order costs at most about as much as the better one; past [`RACE_FROM`]
/// nodes they race on two threads (the first to finish cancels the other).
/// `stack` is the stack size of the racing thread.
fn build_bdd(tree: &FaultTree, opts: &Options, stack: usize) -> Result<(Pdag, ModularBdd)> {
    let first = Pdag::from_tree(tree);
    let mut second = first.clone();
    second.order_variables(OrderHeuristic::GatesFirst);
    let limit = opts.bdd_node_limit;
    if second.vars == first.vars {
        let bdd = BddManager::build(&first, limit, None)?;
        return Ok((first, bdd));
    }
    let mut builds = [ModularBuild::new(&first), ModularBuild::new(&second)];
    let mut budget = FIRST_BUDGET;
    loop {
        let b = budget.min(limit);
        let mut failed = None;
        // The build that got further through the gates last turn goes first: if it finishes
        // in this turn the other one does not spend this turn's budget (das9601 314k -> 277k
        // nodes in all, elf9601 51k -> 35k; the turns where nobody finishes are unaffected).
        let order = if builds[1].gates_built() > builds[0].gates_built() {
            [1, 0]
        } else {
            [0, 1]
        };
        for i in order {
            match builds[i].advance(b) {
                Ok(()) => {
                    let [x, y] = builds;
                    let won = if i == 0 { x } else { y };
                    return Ok((won.pdag().clone(), won.finish()));
                }
                Err(e @ FtaError::NodeLimit { .. }) => failed = Some(e),
                Err(e) => return Err(e),
            }
        }
        if let Some(e) = failed
            && b == limit
        {
            return Err(e);
        }
        if budget >= RACE_FROM {
            break;
        }
        budget *= 2;
    }
    let cancel = Arc::new(AtomicBool::new(false));
    let run = |build| finish_racing(build, &cancel, limit);
    let [x, y] = builds;
    let (a, b) = std::thread::scope(|s| {
        let hb = std::thread::Builder::new()
            .stack_size(stack)
            .spawn_scoped(s, || run(y));
        let a = run(x);
        let b = match hb {
            Ok(h) => h.join().unwrap_or(Err(FtaError::Cancelled)),
            Err(_) => Err(FtaError::Cancelled),
        };
        (a, b)
    });
    let won = match (a, b) {
        (Ok(x), Ok(y)) => {
            if x.nodes() <= y.nodes() {
                x
            } else {
                y
            }
        }
        (Ok(x), Err(_)) => x,
        (Err(_), Ok(y)) => y,
        (Err(e), Err(FtaError::Cancelled)) | (Err(FtaError::Cancelled), Err(e)) => return Err(e),
        (Err(e), Err(_)) => return Err(e),
    };
    Ok((won.pdag().clone(), won.finish()))
}

/// Completes a build unless `cancel` is set first; sets it when done.
fn finish_racing<'p>(
    mut build: ModularBuild<'p>,
    cancel: &Arc<AtomicBool>,
    limit: usize,
) -> Result<ModularBuild<'p>> {
    build.set_cancel(Some(cancel.clone()));
    build.advance(limit)?;
    cancel.store(true, Ordering::Relaxed);
    Ok(build)
}
