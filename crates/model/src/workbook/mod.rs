//! Models as spreadsheets: a workbook with a sheet per kind of item, which a planner can
//! edit and which reads back to the same model; and a business impact analysis template
//! for service managers to fill in.
//!
//! Reading builds the same tree of values a YAML file gives, each value at its cell (a
//! sheet is a file of [`crate::Sources`], a row its line, a column its column), so the
//! model's reader checks a workbook with exactly the rules and words it uses for YAML, and
//! problems read like `model.xlsx, sheet Services, row 12, column MTPD: ...`.

mod layout;
mod read;
mod write;

pub use layout::column_letters;
pub use read::{MAX_CELLS, MAX_UNPACKED_BYTES};
pub use write::WriteError;

pub(crate) use read::read;

use crate::types::Model;
use std::path::Path;

/// True when `path` names a workbook (`.xlsx`), which is read as one rather than as text.
pub fn is_workbook(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
}

/// Writes `model` as a workbook (the bytes of an `.xlsx` file) that reads back to the same
/// model.
pub fn write(model: &Model) -> Result<Vec<u8>, WriteError> {
    write::write_with(
        model,
        &write::Options {
            readme: write::EXPORT_README,
            impacts: &[],
            spare_rows: 200,
            sheets: None,
        },
    )
}

/// The business impact analysis template: an empty workbook of services, their workarounds,
/// and the assets and skills they name, with notes on every heading and drop-down lists, for a
/// service manager to fill in and a planner to import.
pub fn template_bia() -> Result<Vec<u8>, WriteError> {
    write::write_with(
        &Model::default(),
        &write::Options {
            readme: write::BIA_README,
            impacts: &["4h", "1d", "3d", "1w", "2w"],
            spare_rows: 500,
            sheets: Some(&["Services", "Workarounds", "Assets", "Skills"]),
        },
    )
}
