//! Bulwark's pictures and reports: dependency graphs as Graphviz DOT and SVG, charts of
//! simulations, exercise runs kept for their reports, and reports as documents (printable as
//! PDF with the `pdf` feature). Data in, text (or bytes) out.

pub mod charts;
pub mod document;
pub mod estate;
pub mod exercise;
pub mod graph;
#[cfg(feature = "pdf")]
pub mod pdf;
pub mod shapes;

pub use graph::{dot, svg};
