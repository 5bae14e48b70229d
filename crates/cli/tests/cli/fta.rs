//! `mef`, `risk` and `mef-export` as users run them.

use super::{bulwark, json, write};
use serde_json::Value;

fn bench(name: &str) -> String {
    format!("{}/../fta/aralia/{name}.xml", env!("CARGO_MANIFEST_DIR"))
}

/// Two assets, one redundant pair: care is lost when the app fails, or both sites fail.
const RISKY: &str = r#"bulwark: 1
assets:
  - {id: app, name: App, kind: it-system, failure: {probability: 0.1}}
  - {id: hall, name: Hall, kind: site, failure: {probability: 0.2}}
  - {id: depot, name: Depot, kind: site, failure: {rate: 2, repair: 36.525d}}
services:
  - {id: care, name: Care, criticality: critical, population: 100, needs: [app, {any: [hall, depot]}]}
"#;

#[test]
fn mef_reproduces_scram_on_a_benchmark_tree() {
    let v = json(&["mef", &bench("chinese"), "--json"]);
    let p = v["probability"].as_f64().unwrap();
    assert!((p - 0.00117058).abs() / 0.00117058 < 1e-5, "{p}");
    assert_eq!(v["cut_sets"], 392);
    assert_eq!(
        v["by_order"],
        serde_json::json!({"2": 12, "4": 24, "5": 188, "6": 168})
    );
    assert!(v["top_event"].is_string());
}

#[test]
fn mef_reports_a_broken_file_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "bad.xml",
        "<opsa-mef>\n<define-fault-tree name=\"t\">\n<define-gate name=\"g\"><or><gate name=\"missing\"/></or></define-gate>\n</define-fault-tree>\n</opsa-mef>\n",
    );
    let out = bulwark(&["mef", &f]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("missing") && err.contains("3:"), "{err}");
}

#[test]
fn risk_gives_exact_service_loss_probabilities_and_exports_mef() {
    let dir = tempfile::tempdir().unwrap();
    let m = write(dir.path(), "m.yaml", RISKY);
    let v = json(&["risk", &m, "--json"]);
    // depot: 2 failures a year of a tenth of a year each: unavailability 0.2 / 1.2.
    let depot: f64 = 0.2 / 1.2;
    let expected = 1.0 - (1.0 - 0.1) * (1.0 - 0.2 * depot);
    let care = &v["services"][0];
    assert!(
        (care["annual_probability_of_loss"].as_f64().unwrap() - expected).abs() < 1e-12,
        "{care}"
    );
    assert_eq!(care["cut_sets"], 2);
    assert_eq!(
        care["likeliest_cut_sets"][0]["assets"],
        serde_json::json!(["app"])
    );
    assert_eq!(v["asset_importance"][0]["id"], "app");

    let out = dir.path().join("care.xml");
    assert!(
        bulwark(&[
            "mef-export",
            &m,
            "--service",
            "care",
            "-o",
            out.to_str().unwrap()
        ])
        .status
        .success()
    );
    let again: Value = json(&["mef", out.to_str().unwrap(), "--json"]);
    assert!((again["probability"].as_f64().unwrap() - expected).abs() < 1e-12);
    assert_eq!(again["cut_sets"], 2);
}
