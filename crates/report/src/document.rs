//! A report as a plain list of blocks (headings, paragraphs, facts, tables, charts), so the
//! same content can be shown as a web page and printed as a PDF without being written twice.

use crate::exercise::Chart;

/// A report.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// Its title.
    pub title: String,
    /// Its content, in reading order.
    pub blocks: Vec<Block>,
}

/// One piece of a report.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A section heading.
    Heading(String),
    /// A paragraph of text.
    Paragraph(String),
    /// Label and value pairs, like a summary list.
    Facts(Vec<(String, String)>),
    /// A table with a caption, a header row and rows.
    Table {
        /// What the table shows.
        caption: String,
        /// Column headings.
        head: Vec<String>,
        /// Rows of cells.
        rows: Vec<Vec<String>>,
    },
    /// A chart.
    Chart(Chart),
}
