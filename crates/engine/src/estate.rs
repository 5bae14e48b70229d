//! Reliance on each asset, for the IT estate register and the supply chain: the services its
//! failure alone loses (its blast radius) and the services that need it at all.

use crate::compile::{Compiled, NodeKind};
use crate::spof::ServiceSpof;

/// How the services rely on one asset.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reliance {
    /// Services its failure alone loses, by index in model order: exactly what
    /// [`Compiled::impact`] of that one asset reports lost.
    pub lost_alone: Vec<u32>,
    /// Services that need it, directly or through other items, by index in model order.
    pub needed_by: Vec<u32>,
}

impl Compiled {
    /// How the services rely on every asset, from the single points of failure `spof` (as
    /// [`Compiled::spof`] gives them), in one pass over the services.
    ///
    /// A service already lost with nothing failed (too few staff) is lost whatever fails, so
    /// it is in every asset's `lost_alone`, as `impact` would report it.
    pub fn reliance(&self, spof: &[ServiceSpof]) -> Vec<Reliance> {
        let mut out = vec![Reliance::default(); self.assets.len()];
        for (i, s) in self.services.iter().enumerate() {
            let i = i as u32;
            match spof.get(i as usize) {
                Some(ServiceSpof::LostWithoutFailure) => {
                    out.iter_mut().for_each(|r| r.lost_alone.push(i));
                }
                Some(ServiceSpof::Assets(points)) => {
                    points
                        .iter()
                        .for_each(|a| out[*a as usize].lost_alone.push(i));
                }
                None => {}
            }
            for n in self.reachable(s.node) {
                if let NodeKind::Asset(a) = self.kind(n) {
                    out[a as usize].needed_by.push(i);
                }
            }
        }
        out
    }

    /// The assets that asset `asset` needs, directly or through other items (itself left
    /// out), by index, sorted.
    pub fn assets_needed_by_asset(&self, asset: u32) -> Vec<u32> {
        let node = self.assets[asset as usize].node;
        let mut found: Vec<u32> = self
            .reachable(node)
            .into_iter()
            .filter_map(|n| match self.kind(n) {
                NodeKind::Asset(a) if a != asset => Some(a),
                _ => None,
            })
            .collect();
        found.sort_unstable();
        found
    }
}
