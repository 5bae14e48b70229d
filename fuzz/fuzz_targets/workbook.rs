//! Fuzzes the workbook reader: any bytes, read as an `.xlsx` workbook, must give a model or
//! problems placed by sheet, row and column, never a panic; a valid model must write back
//! to a workbook that reads as the same model. Seeds: `fuzz/seeds-xlsx/`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let loaded = bulwark_model::load_workbook(Path::new("fuzz.xlsx"), data);
    for problem in loaded.problems() {
        let _ = problem.to_string();
    }
    if loaded.is_valid() {
        let bytes = bulwark_model::workbook::write(&loaded.model).expect("a valid model writes");
        let again = bulwark_model::load_workbook(Path::new("again.xlsx"), &bytes);
        assert_eq!(
            bulwark_model::export::to_value(&again.model),
            bulwark_model::export::to_value(&loaded.model)
        );
    }
});
