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
fn risk_gives_yearly_probabilities_says_which_are_estimates_and_exports_mef() {
    let dir = tempfile::tempdir().unwrap();
    let m = write(dir.path(), "m.yaml", RISKY);
    let v = json(&["risk", &m, "--json"]);
    // `{probability}`: a failure a year with that chance, lasting 3 days (no recovery.rto);
    // `{rate, repair}`: Poisson failures, so the depot is down a moment with 1 - e^-λτ.
    let year = 365.0;
    let depot = 1.0 - (-2.0f64 * 36.525 / year).exp();
    let hall = 0.2 * 3.0 / year;
    let app = 0.1 * 3.0 / year;
    // The app alone loses care (exactly 10% a year); the sites must be down together, which
    // happens about w_hall U_depot + w_depot U_hall times a year: an estimate.
    let together = 0.2 * depot + 2.0 * (1.0 - depot) * hall;
    let p_loss = 1.0 - 0.9 * (-together).exp();
    let care = &v["services"][0];
    assert!(
        (care["p_loss"].as_f64().unwrap() - p_loss).abs() < 1e-12,
        "{care}"
    );
    assert_eq!(care["annual_probability_of_loss"], care["p_loss"]);
    // Without an MTPD it never breaches, exactly.
    assert_eq!(care["p_breach"], 0.0);
    assert_eq!(care["estimates"], serde_json::json!(["p_loss"]));
    let expected = 1.0 - (1.0 - app) * (1.0 - hall * depot);
    assert!(
        (care["unavailability"].as_f64().unwrap() - expected).abs() < 1e-12,
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
