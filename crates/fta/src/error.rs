//! The crate's error type.

use thiserror::Error;

/// A position in a MEF document (1-based line and column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub col: u32,
}

impl std::fmt::Display for Pos {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.line, self.col)
    }
}

/// Everything that can go wrong reading, building or analysing a fault tree.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum FtaError {
    /// The text is not well-formed XML.
    #[error("XML syntax error: {0}")]
    Xml(String),
    /// An element that this reader does not support.
    #[error("{pos}: unsupported element <{element}>")]
    Unsupported {
        /// The element name.
        element: String,
        /// Where it is.
        pos: Pos,
    },
    /// An element is malformed (missing or bad attribute, wrong number of arguments, ...).
    #[error("{pos}: invalid <{element}>: {message}")]
    Invalid {
        /// The element name.
        element: String,
        /// What is wrong.
        message: String,
        /// Where it is.
        pos: Pos,
    },
    /// A reference to something never defined.
    #[error("{pos}: undefined {kind} '{name}'")]
    Undefined {
        /// What kind of thing (gate, basic event, house event, event, parameter).
        kind: &'static str,
        /// The referenced name.
        name: String,
        /// Where the reference is.
        pos: Pos,
    },
    /// The same name defined twice.
    #[error("{pos}: {kind} '{name}' is defined twice")]
    Duplicate {
        /// What kind of thing.
        kind: &'static str,
        /// The name.
        name: String,
        /// Where the second definition is.
        pos: Pos,
    },
    /// Gates that (directly or indirectly) refer to themselves.
    #[error("{pos}: cycle among gates through '{name}'")]
    Cycle {
        /// A gate on the cycle.
        name: String,
        /// Where it is defined.
        pos: Pos,
    },
    /// No top gate could be chosen.
    #[error("no top gate: {0}")]
    NoTop(String),
    /// Several candidate top gates and none named.
    #[error("several top gates ({0}); name one")]
    AmbiguousTop(String),
    /// A probability outside [0, 1] or not a number.
    #[error("{pos}: probability of '{name}' is {value}, not in [0, 1]")]
    BadProbability {
        /// The event.
        name: String,
        /// The value found.
        value: f64,
        /// Where it is defined.
        pos: Pos,
    },
    /// The computation was cancelled (another ordering finished first, or the caller asked).
    #[error("cancelled")]
    Cancelled,
    /// The decision diagram grew beyond the configured node limit.
    #[error("node limit of {limit} {what} nodes exceeded")]
    NodeLimit {
        /// BDD or ZBDD.
        what: &'static str,
        /// The limit.
        limit: usize,
    },
}

/// Result alias for this crate.
pub type Result<T> = std::result::Result<T, FtaError>;
