//! Bulwark's model: the services an organisation delivers and everything they depend on.
//!
//! Reads the model format (YAML or JSON, split over files with `include`, or a workbook),
//! reports every problem with its file, line and column (sheet, row and column in a
//! workbook), and writes models back out. Does no I/O beyond
//! reading the files it is given.

mod block;
pub mod catalogue;
pub mod diag;
pub mod estate;
pub mod export;
pub mod generate;
pub mod lines;
pub mod load;
pub mod node;
pub mod read;
pub mod stored;
pub mod types;
pub mod validate;
pub mod values;
pub mod workbook;

pub use diag::{Diagnostic, Pos, Severity, Sheet, Sources};
pub use estate::{Estate, Standing, Word};
pub use load::{Loaded, load, load_str, load_with, load_workbook};
pub use types::*;
pub use values::{Duration, Id, Percent};
