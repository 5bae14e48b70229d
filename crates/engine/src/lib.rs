//! Bulwark's analyses over a compiled dependency graph.
//!
//! A [`Compiled`] model maps ids to dense indices and flattens every dependency expression
//! into gate nodes in topological order. The analyses on it are pure and deterministic:
//! capacities under failures ([`impact`]), single points of failure ([`spof`]) and minimal
//! cut sets ([`cutsets`]). The engine knows nothing of files, HTTP or SQL.

pub mod budget;
pub mod compile;
pub mod cutsets;
pub mod estate;
pub mod eval;
pub mod impact;
pub mod montecarlo;
pub mod redeploy;
pub mod risk;
pub mod simulate;
pub mod spof;
pub mod templates;

pub use budget::{Budget, StopCause, Stopped};
pub use compile::{Compiled, EngineError, ItemRef, NodeKind};
pub use eval::Capacities;
