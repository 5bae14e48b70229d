//! Exact fault tree analysis for Bulwark.
//!
//! Reads Open-PSA MEF XML ([`parse_mef`]) or builds trees programmatically
//! ([`FaultTree::builder`]), computes the exact top event probability with a BDD, minimal cut
//! sets with a ZBDD derived from it (Rauzy's algorithm), approximations and importance
//! measures ([`Analysis`], [`analyse`]).

pub mod analysis;
pub mod bdd;
pub mod build;
pub mod error;
pub mod importance;
pub mod mef;
mod modules;
pub mod normalise;
pub mod report;
mod simplify;
pub mod tree;
pub mod zbdd;

pub use analysis::{Analysis, Options, analyse};
pub use error::{FtaError, Pos, Result};
pub use importance::Importance;
pub use mef::{parse_mef, parse_mef_with_top, to_mef};
pub use report::{Report, Stats};
pub use tree::{
    BasicEvent, Child, Connective, EventId, FaultTree, FaultTreeBuilder, Gate, GateId, HouseEvent,
    Node,
};
