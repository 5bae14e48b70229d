//! Fuzzes the Open-PSA MEF reader: any bytes give a fault tree or an error, never a panic;
//! a small tree read must analyse and write back to XML that reads again.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(tree) = bulwark_fta::parse_mef(text) {
        if tree.basic_events.len() + tree.gates.len() <= 64 {
            let opts = bulwark_fta::Options { bdd_node_limit: 100_000, zbdd_node_limit: 100_000, ..Default::default() };
            let _ = bulwark_fta::analyse(&tree, &opts);
            let again = bulwark_fta::parse_mef(&bulwark_fta::to_mef(&tree)).expect("written MEF reads back");
            assert_eq!(again.basic_events.len(), tree.basic_events.len());
        }
    }
});
