//! MEF text of long gate chains and wide gates, with their exact answers: the inputs on which
//! a reader or analysis that is quadratic in the number of gates or arguments shows it.
//! Shared by `tests/fta.rs` and `benches/aralia.rs` (included there with `#[path]`).

use std::fmt::Write as _;

/// A generated model and what its analysis must find (order limit 20, no cut-off).
pub struct Model {
    /// The MEF document.
    pub text: String,
    /// Exact top event probability.
    pub probability: f64,
    /// Number of minimal cut sets of order 20 or less.
    pub cut_sets: u64,
}

/// Builds the document from gate definitions `(name, formula)` and `events` basic events
/// `e0, e1, ...` of probability `p`, writing the gates in a scrambled order (so most are used
/// before they are defined) and everything on one line when `one_line`.
fn document(mut gates: Vec<(String, String)>, events: usize, p: f64, one_line: bool) -> String {
    // Fisher-Yates with a fixed xorshift generator: the same order on every run.
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    for i in (1..gates.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        gates.swap(i, (state % (i as u64 + 1)) as usize);
    }
    let nl = if one_line { "" } else { "\n" };
    let mut s =
        format!("<?xml version=\"1.0\"?>{nl}<opsa-mef>{nl}<define-fault-tree name=\"gen\">{nl}");
    for (name, formula) in &gates {
        let _ = write!(
            s,
            "<define-gate name=\"{name}\">{formula}</define-gate>{nl}"
        );
    }
    let _ = write!(s, "</define-fault-tree>{nl}<model-data>{nl}");
    for e in 0..events {
        let _ = write!(
            s,
            "<define-basic-event name=\"e{e}\"><float value=\"{p}\"/></define-basic-event>{nl}"
        );
    }
    let _ = write!(s, "</model-data>{nl}</opsa-mef>{nl}");
    s
}

/// `g0 = or(g1, e0)`, `g1 = or(g2, e1)`, ..., `g{n-1} = or(e{n-1}, e{n})`: `n` gates, each
/// used by the one before, on one line. P(top) = 1 - (1 - p)^(n + 1); n + 1 cut sets.
pub fn or_chain(n: usize, p: f64) -> Model {
    let gates = (0..n)
        .map(|i| {
            let next = if i + 1 < n {
                format!("<event name=\"g{}\"/>", i + 1)
            } else {
                format!("<basic-event name=\"e{n}\"/>")
            };
            (
                format!("g{i}"),
                format!("<or>{next}<basic-event name=\"e{i}\"/></or>"),
            )
        })
        .collect();
    Model {
        text: document(gates, n + 1, p, true),
        probability: 1.0 - (1.0 - p).powi(n as i32 + 1),
        cut_sets: n as u64 + 1,
    }
}

/// `g0 = ops[0](g1, e0)`, `g1 = ops[1](g2, e1)`, `g2 = ops[0](g3, e2)`, ...: a chain of
/// `and`/`or`/`xor` gates, the last using `e{n-1}` and `e{n}`. With two different
/// connectives (or `xor`) nothing coalesces and every gate is a module.
pub fn alternating_chain(n: usize, p: f64, ops: [&str; 2]) -> Model {
    let gates = (0..n)
        .map(|i| {
            let next = if i + 1 < n {
                format!("<gate name=\"g{}\"/>", i + 1)
            } else {
                format!("<basic-event name=\"e{n}\"/>")
            };
            let c = ops[i % 2];
            (
                format!("g{i}"),
                format!("<{c}>{next}<basic-event name=\"e{i}\"/></{c}>"),
            )
        })
        .collect();
    // Bottom-up: probability and cut sets counted by order (orders above 20 dropped). The
    // minimal true points of `xor(a, e)` with `a` false on the empty set are those of `a`
    // and `{e}`, as for `or`.
    const LIMIT: usize = 20;
    let (mut prob, mut by_order) = (p, [0u64; LIMIT + 1]);
    by_order[1] = 1;
    for i in (0..n).rev() {
        match ops[i % 2] {
            "and" => {
                prob *= p;
                by_order.rotate_right(1);
                by_order[0] = 0;
            }
            "or" => {
                prob = p + (1.0 - p) * prob;
                by_order[1] += 1;
            }
            "xor" => {
                prob = p * (1.0 - prob) + (1.0 - p) * prob;
                by_order[1] += 1;
            }
            op => panic!("no connective {op}"),
        }
    }
    Model {
        text: document(gates, n + 1, p, false),
        probability: prob,
        cut_sets: by_order.iter().sum(),
    }
}

/// `top = and(w, h)`, `w = or(e1, ..., e{m})`, `h = or(e1, e0)`: a gate with `m` arguments,
/// all but one used nowhere else. Cut sets: `{e1}` and every `{e0, ek}`, `k` in `2..=m`.
pub fn wide_gate(m: usize, p: f64) -> Model {
    let mut w = String::from("<or>");
    for e in 1..=m {
        let _ = write!(w, "<basic-event name=\"e{e}\"/>");
    }
    w.push_str("</or>");
    let gates = vec![
        (
            "top".to_string(),
            "<and><gate name=\"w\"/><gate name=\"h\"/></and>".to_string(),
        ),
        ("w".to_string(), w),
        (
            "h".to_string(),
            "<or><basic-event name=\"e1\"/><basic-event name=\"e0\"/></or>".to_string(),
        ),
    ];
    Model {
        text: document(gates, m + 1, p, false),
        probability: p + (1.0 - p) * p * (1.0 - (1.0 - p).powi(m as i32 - 1)),
        cut_sets: m as u64,
    }
}
