//! `simulate`, `montecarlo` and `scenario` as users and tools run them.

use super::{bulwark, demo, json, write};
use serde_json::Value;

const OUTAGE: &str = r#"bulwark: 1
assets:
  - {id: app, name: App, kind: it-system, failure: {rate: 2, repair: 1d}}
services:
  - id: benefits
    name: Benefits
    mtpd: 2d
    mbco: 50%
    needs: [app]
    demand: {per_day: 100, unit: claims}
    surge: 150%
  - {id: records, name: Records, mtpd: 1w}
scenarios:
  - id: app-outage
    name: App outage
    horizon: 12d
    events:
      - {outage: app, at: 6h, for: 3d}
"#;

#[test]
fn simulate_prints_the_fixed_json_shape_with_exact_times() {
    let dir = tempfile::tempdir().unwrap();
    let model = write(dir.path(), "m.yaml", OUTAGE);
    let out = json(&["simulate", &model, "--scenario", "app-outage", "--json"]);
    assert_eq!(out["scenario"], "app-outage");
    let services = out["services"].as_array().unwrap();
    assert_eq!(services.len(), 2);
    let b = &services[0];
    assert_eq!(b["id"], "benefits");
    assert_eq!(b["lost_at"], "6h");
    assert_eq!(b["restored_at"], "3d6h");
    assert_eq!(b["breached_at"], "2d6h");
    assert_eq!(b["backlog_peak"], 300.0);
    assert_eq!(b["backlog_cleared_at"], "9d6h");
    let r = &services[1];
    for key in [
        "lost_at",
        "restored_at",
        "breached_at",
        "backlog_cleared_at",
    ] {
        assert_eq!(r[key], Value::Null, "{key}");
    }
    assert_eq!(r["backlog_peak"], 0.0);

    let out = bulwark(&["simulate", &model, "--scenario", "app-outgae"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("app-outage"),
        "a hint names the nearest id"
    );
}

#[test]
fn the_demo_pandemic_shows_losses_backlogs_and_what_redeployment_saves() {
    let dir = tempfile::tempdir().unwrap();
    let charts = dir.path().join("charts");
    let out = json(&[
        "simulate",
        &demo(),
        "--scenario",
        "pandemic-wave",
        "--redeploy",
        "--chart",
        charts.to_str().unwrap(),
        "--json",
    ]);
    let services = out["services"].as_array().unwrap();
    assert!(services.iter().any(|s| s["lost_at"].is_string()));
    assert!(
        services
            .iter()
            .any(|s| s["backlog_peak"].as_f64().unwrap() > 0.0)
    );
    let r = &out["redeployment"];
    assert!(
        r["with"]["service_days_lost"].as_f64().unwrap()
            < r["without"]["service_days_lost"].as_f64().unwrap()
    );
    assert!(!r["moves"].as_array().unwrap().is_empty());
    let timeline = std::fs::read_to_string(charts.join("timeline.svg")).unwrap();
    assert!(timeline.starts_with("<svg") && timeline.contains("pandemic-wave"));
    assert!(charts.join("as-telecare.svg").exists());

    let text = bulwark(&[
        "simulate",
        &demo(),
        "--scenario",
        "pandemic-wave",
        "--redeploy",
    ]);
    assert!(text.status.success());
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("Services lost") && text.contains("With staff redeployed"),
        "{text}"
    );
}

#[test]
fn montecarlo_is_reproducible_with_a_seed() {
    let dir = tempfile::tempdir().unwrap();
    let model = write(dir.path(), "m.yaml", OUTAGE);
    let args = [
        "montecarlo",
        &model,
        "--trials",
        "300",
        "--seed",
        "9",
        "--json",
    ];
    let a = json(&args);
    assert_eq!(a, json(&args));
    assert_eq!(a["trials"], 300);
    let b = &a["services"][0];
    assert_eq!(b["id"], "benefits");
    for key in [
        "p_breach",
        "p_breach_se",
        "days_lost",
        "days_lost_se",
        "days_lost_p95",
        "days_lost_p95_se",
    ] {
        assert!(b[key].is_number(), "{key}");
    }
    assert!(b["days_lost"].as_f64().unwrap() > 0.5);
    assert_eq!(a["services"][1]["p_loss"], 0.0);
}

#[test]
fn a_template_applied_to_a_model_gives_a_scenario_that_simulates() {
    let out = json(&["scenario", "templates", "--json"]);
    assert_eq!(out["templates"].as_array().unwrap().len(), 9);
    let dir = tempfile::tempdir().unwrap();
    let model = write(
        dir.path(),
        "m.yaml",
        &format!("{OUTAGE}include: [ransomware.yaml]\n"),
    );
    std::fs::write(dir.path().join("ransomware.yaml"), "bulwark: 1\n").unwrap();
    let out = bulwark(&[
        "scenario",
        "apply",
        "ransomware",
        "--model",
        &model,
        "--param",
        "system=app",
        "duration=5d",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(text.contains("outage: app"), "{text}");
    std::fs::write(dir.path().join("ransomware.yaml"), &text).unwrap();
    let sim = json(&["simulate", &model, "--scenario", "ransomware", "--json"]);
    assert_eq!(sim["services"][0]["lost_at"], "0h");
    assert_eq!(sim["services"][0]["restored_at"], "5d");

    let out = bulwark(&[
        "scenario",
        "apply",
        "ransomware",
        "--model",
        &model,
        "--param",
        "system=nope",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not an asset or service"));
}

#[test]
fn the_demo_generator_runs_dry_in_a_three_day_power_loss_and_the_platform_takes_four_hours_to_fail_over()
 {
    let sim = json(&[
        "simulate",
        &demo(),
        "--scenario",
        "prolonged-power-loss",
        "--json",
    ]);
    let fuel = &sim["stocks"][0];
    assert_eq!(fuel["id"], "generator-civic");
    assert_eq!(fuel["ran_out_at"], "2d");
    assert_eq!(fuel["drawn"], serde_json::json!([["0h", "2d"]]));
    // Moorland Fuels deliver a day after it runs dry, when the grid is back.
    assert_eq!(fuel["empty"], serde_json::json!([["2d", "3d"]]));
    let standbys = sim["standbys"].as_array().unwrap();
    let platform = standbys
        .iter()
        .find(|s| s["switchover"] == "4h")
        .expect("the standby platform");
    assert_eq!(platform["standby"], "all of [dc-secondary, san-secondary]");
    // The payroll runs on the virtual platform in the Civic Centre: out from the moment the
    // generator runs dry until the grid is back.
    let payroll = (sim["services"].as_array().unwrap().iter())
        .find(|s| s["id"] == "rs-payroll")
        .unwrap();
    assert_eq!(payroll["lost_at"], "2d");
    assert_eq!(payroll["restored_at"], "3d");
    let out = bulwark(&["simulate", &demo(), "--scenario", "prolonged-power-loss"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Stocks") && text.contains("generator-civic") && text.contains("at 2d"),
        "{text}"
    );
    assert!(text.contains("Standbys brought up"), "{text}");
}
