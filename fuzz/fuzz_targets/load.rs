//! Fuzzes the model loader: any bytes, read as YAML and as JSON, must give a model or
//! problems with positions, never a panic; a valid model must compile and analyse.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for name in ["fuzz.yaml", "fuzz.json"] {
        let loaded = bulwark_model::load_str(name, text);
        if loaded.is_valid() {
            let compiled = bulwark_engine::Compiled::new(&loaded.model).expect("valid models compile");
            let _ = compiled.spof();
            for s in 0..compiled.services.len().min(4) as u32 {
                let _ = compiled.cut_sets(s, 3);
            }
        }
    }
});
