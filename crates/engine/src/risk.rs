//! Service risk: each service's loss as a fault tree over asset failures, solved exactly by
//! the fault tree engine (`bulwark-fta`).
//!
//! An asset fails with its `failure.probability` (chance of loss in a year) or, for
//! `{rate, repair}`, with its steady-state unavailability `λτ / (1 + λτ)` (λ failures a
//! year, τ the mean repair time in years). Assets without failure data never fail here.
//! The tree follows the same threshold logic as single points of failure: `all` is an OR
//! over failures, `any` an AND, `atleast k of n` a vote of `n - k + 1` failures, and a
//! service whose staff are already below its MBCO is lost with certainty (one with an MBCO
//! of 0 never is).

use crate::compile::{Compiled, NodeKind};
use bulwark_fta::{Child, Connective, FaultTree, FtaError};
use bulwark_model::{Failure, Model};
use std::collections::HashMap;

/// Each asset's probability of being failed, by asset index.
pub fn asset_probabilities(c: &Compiled, model: &Model) -> Vec<f64> {
    let by_id: HashMap<&str, Option<Failure>> = model
        .assets
        .iter()
        .map(|a| (a.meta.id.as_str(), a.failure))
        .collect();
    c.assets
        .iter()
        .map(|a| match by_id.get(a.id.as_str()).copied().flatten() {
            Some(Failure::Probability(p)) => p,
            Some(Failure::Rate { rate, repair }) => {
                let down = rate * repair.days() / 365.25;
                down / (1.0 + down)
            }
            None => 0.0,
        })
        .collect()
}

/// The fault tree whose top event is "service `service` is lost"; basic events are named
/// by asset id, gates `_g<node>`, and the top `<service id>.lost`.
pub fn service_fault_tree(
    c: &Compiled,
    probabilities: &[f64],
    service: u32,
) -> Result<FaultTree, FtaError> {
    let info = &c.services[service as usize];
    let staff = c.baseline_staff();
    let mut b = FaultTree::builder(format!("{}.lost", info.id));
    let mut child: HashMap<u32, Child> = HashMap::new();
    let mut houses = [false, false];
    let mut house =
        |b: &mut bulwark_fta::FaultTreeBuilder, state: bool| -> Result<Child, FtaError> {
            let name = if state {
                "_lost_for_want_of_staff"
            } else {
                "_never"
            };
            if !std::mem::replace(&mut houses[usize::from(state)], true) {
                b.house_event(name, state)?;
            }
            Ok(Child::event(name))
        };
    for n in c.reachable(info.node) {
        let kids: Vec<Child> = c.children(n).iter().map(|k| child[k].clone()).collect();
        let gate = format!("_g{n}");
        let made = match c.kind(n) {
            NodeKind::Asset(a) => {
                let asset = &c.assets[a as usize];
                b.basic_event(asset.id.clone(), probabilities[a as usize])?;
                if kids.is_empty() {
                    Child::basic(asset.id.clone())
                } else {
                    b.gate(
                        gate.clone(),
                        Connective::Or,
                        std::iter::once(Child::basic(asset.id.clone())).chain(kids),
                    )?;
                    Child::gate(gate)
                }
            }
            NodeKind::Service(i) if staff[i as usize] < info.mbco => house(&mut b, true)?,
            NodeKind::Service(_) => match kids.into_iter().next() {
                Some(k) => k,
                None => house(&mut b, false)?,
            },
            NodeKind::All | NodeKind::Any | NodeKind::AtLeast(_) if kids.is_empty() => {
                house(&mut b, false)?
            }
            kind => {
                let n_kids = kids.len() as u32;
                let connective = match kind {
                    NodeKind::All => Connective::Or,
                    NodeKind::Any => Connective::And,
                    NodeKind::AtLeast(k) => Connective::AtLeast(n_kids - k + 1),
                    _ => unreachable!("items are handled above"),
                };
                b.gate(gate.clone(), connective, kids)?;
                Child::gate(gate)
            }
        };
        child.insert(n, made);
    }
    let top = format!("{}.lost", info.id);
    // A service with an MBCO of 0 is never below it.
    let root = if info.mbco <= 0.0 {
        house(&mut b, false)?
    } else {
        child[&info.node].clone()
    };
    b.gate(top.clone(), Connective::Null, [root])?;
    b.build(Some(&top))
}
