//! Importance measures of every basic event, from one backward pass over the BDD.

use crate::bdd::{Bdd, ModularBdd};
use serde::Serialize;

/// Importance measures of one basic event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Importance {
    /// Event name.
    pub event: String,
    /// Its probability.
    pub probability: f64,
    /// Birnbaum (marginal importance factor): P(top | e) - P(top | not e).
    pub mif: f64,
    /// Criticality: MIF * p / P(top).
    pub cif: f64,
    /// Fussell-Vesely (diagnosis importance factor): P(e | top) = p * P(top | e) / P(top).
    pub dif: f64,
    /// Risk achievement worth: P(top | e) / P(top).
    pub raw: f64,
    /// Risk reduction worth: P(top) / P(top | not e).
    pub rrw: f64,
}

/// Partial derivative of the top probability with respect to each variable's probability
/// (the Birnbaum measure), by reverse-mode differentiation of the BDD in linear time.
pub fn birnbaum(bdd: &Bdd, p: &[f64]) -> Vec<f64> {
    let mut mif = vec![0.0f64; bdd.num_vars];
    add_birnbaum(bdd, p, 1.0, &mut mif);
    mif
}

/// Adds `scale` times the Birnbaum measure of each variable of `bdd` to `mif` (by variable),
/// in time linear in the size of `bdd` alone.
fn add_birnbaum(bdd: &Bdd, p: &[f64], scale: f64, mif: &mut [f64]) {
    let q = bdd.node_probabilities(p);
    let val = |e: u32| {
        let v = q[Bdd::node(e)];
        if Bdd::complemented(e) { 1.0 - v } else { v }
    };
    let mut d = vec![0.0f64; bdd.nodes.len()];
    d[Bdd::node(bdd.root)] = if Bdd::complemented(bdd.root) {
        -scale
    } else {
        scale
    };
    for i in (1..bdd.nodes.len()).rev() {
        let di = d[i];
        if di == 0.0 {
            continue;
        }
        let n = bdd.nodes[i];
        let pv = p[n.var as usize];
        mif[n.var as usize] += di * (val(n.hi) - val(n.lo));
        let sign = |e: u32| if Bdd::complemented(e) { -1.0 } else { 1.0 };
        d[Bdd::node(n.hi)] += di * pv * sign(n.hi);
        d[Bdd::node(n.lo)] += di * (1.0 - pv) * sign(n.lo);
    }
}

/// Birnbaum measure of every variable of a modular BDD by the chain rule: a variable inside
/// a module gets its local measure times the module variable's measure in the parent.
/// `p` holds every variable's probability (modules included). Each variable occurs in one
/// module only, so the cost is linear in the total size of the modules' BDDs.
pub fn birnbaum_modular(mb: &ModularBdd, p: &[f64]) -> Vec<f64> {
    let mut global = vec![0.0f64; mb.num_vars];
    // Process the top first: a module's variable gets its measure from its (later) parent.
    for m in mb.modules.iter().rev() {
        let scale = match m.var {
            None => 1.0,
            Some(v) => global[v as usize],
        };
        if scale == 0.0 {
            continue;
        }
        add_birnbaum(&m.bdd, p, scale, &mut global);
    }
    global
}

/// All five measures from the Birnbaum measure, the event probability and P(top).
pub fn measures(event: String, p: f64, mif: f64, top: f64) -> Importance {
    let p1 = top + (1.0 - p) * mif;
    let p0 = top - p * mif;
    let div = |a: f64, b: f64| {
        if b == 0.0 {
            if a == 0.0 { 0.0 } else { f64::INFINITY }
        } else {
            a / b
        }
    };
    Importance {
        event,
        probability: p,
        mif,
        cif: div(p * mif, top),
        dif: div(p * p1, top),
        raw: div(p1, top),
        rrw: div(top, p0.max(0.0)),
    }
}
