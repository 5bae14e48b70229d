//! The serialisable result of an analysis.

use crate::importance::Importance;
use serde::Serialize;
use std::collections::BTreeMap;

/// What `bulwark mef` prints: `{"top_event", "probability", "cut_sets", "by_order", ...}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Name of the top gate.
    pub top_event: String,
    /// Exact top event probability (BDD).
    pub probability: f64,
    /// Number of minimal cut sets within the order limit (and cut-off, if any).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cut_sets: Option<u64>,
    /// Number of minimal cut sets per order (orders with none are omitted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by_order: Option<BTreeMap<u32, u64>>,
    /// The product-order limit used for cut sets.
    pub order_limit: u32,
    /// Probability cut-off applied to cut sets (0 = none).
    pub cutoff: f64,
    /// Approximation: sum of cut set probabilities.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rare_event_approximation: Option<f64>,
    /// Approximation: 1 - prod(1 - P(cut set)); omitted for very large families.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_cut_upper_bound: Option<f64>,
    /// Importance of every basic event in the tree's logic.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub importance: Option<Vec<Importance>>,
    /// Sizes of the model and the diagrams.
    pub stats: Stats,
}

/// Sizes and timings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stats {
    /// Basic events in the model.
    pub basic_events: usize,
    /// Gates in the model (including nested formulas).
    pub gates: usize,
    /// Variables in the BDD (basic events the top event depends on).
    pub variables: usize,
    /// Nodes of the final BDD.
    pub bdd_nodes: usize,
    /// Nodes of the cut set ZBDD.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zbdd_nodes: Option<usize>,
    /// Wall time of the analysis in seconds (excluding parsing).
    pub seconds: f64,
}
