//! Bulwark's pictures: dependency graphs as Graphviz DOT and as SVG. Data in, text out.

pub mod charts;
pub mod graph;

pub use graph::{dot, svg};
