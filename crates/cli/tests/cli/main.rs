//! The `bulwark` command as users and tools run it: exit codes, messages and JSON shapes.
#![allow(clippy::unwrap_used, clippy::string_slice)] // test code: a panic is a failed test

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod database;
mod estate;
mod fta;
mod observability;
mod replicas;
mod simulate;

fn bulwark(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bulwark"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("bulwark runs")
}

fn json(args: &[&str]) -> Value {
    let out = bulwark(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON document on stdout")
}

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

fn demo() -> String {
    examples()
        .join("demo-council/council.yaml")
        .display()
        .to_string()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

/// A small model whose answers are known by hand.
const SMALL: &str = r#"bulwark: 1
assets:
  - {id: grid, name: Grid, kind: utility}
  - {id: generator, name: Generator, kind: equipment}
  - {id: hall, name: Hall, kind: site, needs: [{any: [grid, generator]}]}
  - {id: depot, name: Depot, kind: site, needs: [grid]}
  - {id: app, name: App, kind: it-system, needs: [hall]}
  - {id: p1, name: Provider 1, kind: supplier}
  - {id: p2, name: Provider 2, kind: supplier}
  - {id: p3, name: Provider 3, kind: supplier}
services:
  - id: care
    name: Home care
    mbco: 50%
    needs: [app, {atleast: 2, of: [p1, p2, p3]}]
  - id: bins
    name: Bin collection
    needs: [{any: [hall, depot]}]
"#;

#[test]
fn check_accepts_the_demo_and_rejects_the_broken_example_with_positions() {
    let out = bulwark(&["check", &demo()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("is valid"));

    let broken = examples().join("broken/model.yaml").display().to_string();
    let out = bulwark(&["check", &broken]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let located = stderr.lines().filter(|l| {
        let parts: Vec<&str> = l.splitn(4, ':').collect();
        parts.len() == 4 && parts[1].parse::<u32>().is_ok() && parts[2].parse::<u32>().is_ok()
    });
    assert!(located.count() >= 11, "{stderr}");

    let v = bulwark(&["check", &broken, "--json"]);
    assert_eq!(v.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&v.stdout).unwrap();
    assert_eq!(v["valid"], false);
    let first = &v["problems"][0];
    for key in ["file", "line", "column", "message"] {
        assert!(!first[key].is_null(), "{key} in {first}");
    }
}

#[test]
fn impact_lists_lost_and_degraded_services_with_reasons() {
    let dir = tempfile::tempdir().unwrap();
    let m = write(dir.path(), "m.yaml", SMALL);
    let v = json(&["impact", &m, "--fail", "grid", "--json"]);
    assert_eq!(
        v["lost"],
        serde_json::json!([]),
        "the generator keeps the hall up"
    );
    let v = json(&["impact", &m, "--fail", "grid,generator", "--json"]);
    assert_eq!(v["lost"], serde_json::json!(["care", "bins"]));
    assert_eq!(v["degraded"], serde_json::json!([]));
    assert_eq!(
        v["explanations"][1]["because"],
        "bins needs hall (its alternative depot is lost too), which needs grid (its alternative generator is lost too), which failed"
    );
    assert_eq!(
        v["explanations"][1]["path"],
        serde_json::json!(["bins", "hall", "grid"])
    );
    let v = json(&["impact", &m, "--fail", "p1,p2", "--json"]);
    assert_eq!(v["lost"], serde_json::json!(["care"]));
    let text = bulwark(&["impact", &m, "--fail", "grid,generator"]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("Home care (care"), "{text}");
    let out = bulwark(&["impact", &m, "--fail", "gird"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean `grid`?"));
}

#[test]
fn spof_and_cutsets_follow_the_fixed_json_shapes() {
    let dir = tempfile::tempdir().unwrap();
    let m = write(dir.path(), "m.yaml", SMALL);
    let v = json(&["spof", &m, "--json"]);
    assert_eq!(
        v["services"],
        serde_json::json!([
            {"id": "care", "single_points_of_failure": ["app", "hall"], "breaching_mtpd": []},
            {"id": "bins", "single_points_of_failure": [], "breaching_mtpd": []},
        ])
    );
    let v = json(&[
        "cutsets",
        &m,
        "--service",
        "care",
        "--max-order",
        "2",
        "--json",
    ]);
    assert_eq!(
        v,
        serde_json::json!({"service": "care", "cut_sets": [
            ["app"], ["hall"], ["generator", "grid"], ["p1", "p2"], ["p1", "p3"], ["p2", "p3"]
        ]})
    );
    let v = json(&[
        "cutsets",
        &m,
        "--service",
        "care",
        "--max-order",
        "1",
        "--json",
    ]);
    assert_eq!(v["cut_sets"], serde_json::json!([["app"], ["hall"]]));
}

/// The breach view: of a service's single points of failure, those that take at least its
/// MTPD to restore (their `recovery: {rto}`, else their mean repair time) or whose recovery is unknown.
#[test]
fn spof_says_which_single_points_of_failure_would_breach_the_mtpd() {
    let dir = tempfile::tempdir().unwrap();
    let model = SMALL
        .replace(
            "{id: app, name: App, kind: it-system, needs: [hall]}",
            "{id: app, name: App, kind: it-system, needs: [hall], recovery: {rto: 4h}}",
        )
        .replace(
            "{id: hall, name: Hall, kind: site,",
            "{id: hall, name: Hall, kind: site, failure: {rate: 0.5, repair: 2d},",
        )
        .replace("    mbco: 50%\n", "    mbco: 50%\n    mtpd: 1d\n");
    let m = write(dir.path(), "m.yaml", &model);
    let v = json(&["spof", &m, "--json"]);
    assert_eq!(
        v["services"][0]["single_points_of_failure"],
        serde_json::json!(["app", "hall"])
    );
    assert_eq!(
        v["services"][0]["breaching_mtpd"],
        serde_json::json!(["hall"])
    );
    let text = String::from_utf8(bulwark(&["spof", &m]).stdout).unwrap();
    assert!(
        text.contains(
            "1 of 2 services has a single point of failure; for 1 of them it would breach the MTPD"
        ),
        "{text}"
    );
    // Restored sooner than the MTPD, the hall breaches nothing.
    let quick = model.replace("repair: 2d", "repair: 12h");
    let m = write(dir.path(), "quick.yaml", &quick);
    assert_eq!(
        json(&["spof", &m, "--json"])["services"][0]["breaching_mtpd"],
        serde_json::json!([])
    );
    // With no recovery time at all, both count as too slow.
    let unknown = SMALL.replace("    mbco: 50%\n", "    mbco: 50%\n    mtpd: 1d\n");
    let m = write(dir.path(), "unknown.yaml", &unknown);
    assert_eq!(
        json(&["spof", &m, "--json"])["services"][0]["breaching_mtpd"],
        serde_json::json!(["app", "hall"])
    );
}

#[test]
fn piped_tables_fit_a_hundred_columns_unless_asked_to_be_wide() {
    let narrow = String::from_utf8(bulwark(&["spof", &demo()]).stdout).unwrap();
    let widest = |text: &str| text.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    assert!(narrow.lines().count() > 20, "{narrow}");
    assert!(widest(&narrow) <= 100, "{}", widest(&narrow));
    let wide = String::from_utf8(bulwark(&["spof", &demo(), "--wide"]).stdout).unwrap();
    assert!(widest(&wide) > 100, "{}", widest(&wide));
}

#[test]
fn the_demo_council_finds_its_shared_weak_points() {
    let v = json(&["spof", &demo(), "--json"]);
    let services = v["services"].as_array().unwrap();
    assert!(services.len() >= 60);
    let points = |id: &str| -> Vec<&str> {
        let service = services.iter().find(|s| s["id"] == id).unwrap();
        service["single_points_of_failure"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect()
    };
    // MASH triage's paper forms (a workaround that needs only the MASH office and phones)
    // cover every system it uses: only the office itself is left.
    assert_eq!(points("as-mash-triage"), ["police-mash-office"]);
    let points = points("as-s42-enquiries");
    assert!(points.contains(&"wan-core-circuit"), "{points:?}");
    let mut sorted = points.clone();
    sorted.sort_unstable();
    assert_eq!(points, sorted, "ids are sorted");

    let v = json(&["impact", &demo(), "--fail", "wan-core-circuit", "--json"]);
    assert!(v["lost"].as_array().unwrap().len() >= 10);

    let out = bulwark(&["demo", "--tour"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Northmoor") && text.contains("single point of failure"),
        "{text}"
    );
}

#[test]
fn export_round_trips_through_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let out_yaml = dir.path().join("out.yaml");
    let out = bulwark(&[
        "export",
        &demo(),
        "--format",
        "yaml",
        "-o",
        out_yaml.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let out_json = dir.path().join("out.json");
    let out = bulwark(&[
        "export",
        out_yaml.to_str().unwrap(),
        "--format",
        "json",
        "-o",
        out_json.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let again = bulwark(&["export", out_json.to_str().unwrap(), "--format", "yaml"]);
    assert_eq!(
        String::from_utf8_lossy(&again.stdout),
        std::fs::read_to_string(&out_yaml).unwrap()
    );
}

/// The fixed contract: `export --format xlsx -o FILE` writes a workbook, every command reads
/// it, and exporting it gives back the same model; a broken workbook's problems name their
/// sheet, row and column.
#[test]
fn workbooks_export_read_and_check_through_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let yaml = dir.path().join("demo.yaml");
    let xlsx = dir.path().join("demo.xlsx");
    let path = |p: &Path| p.to_str().unwrap().to_string();
    assert!(
        bulwark(&["export", &demo(), "-o", &path(&yaml)])
            .status
            .success()
    );
    let out = bulwark(&["export", &demo(), "--format", "xlsx", "-o", &path(&xlsx)]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A workbook goes to a file, not the terminal.
    let out = bulwark(&["export", &demo(), "--format", "xlsx"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("-o FILE.xlsx"));
    // Read as every command reads a model, and back to the same YAML.
    assert_eq!(json(&["check", &path(&xlsx), "--json"])["valid"], true);
    assert_eq!(
        json(&["spof", &path(&xlsx), "--json"]),
        json(&["spof", &demo(), "--json"])
    );
    let again = bulwark(&["export", &path(&xlsx)]);
    assert_eq!(
        String::from_utf8_lossy(&again.stdout),
        std::fs::read_to_string(&yaml).unwrap()
    );
    // The BIA template is a workbook that checks clean while empty.
    let bia = dir.path().join("bia.xlsx");
    assert!(
        bulwark(&["template", "bia", "-o", &path(&bia)])
            .status
            .success()
    );
    assert_eq!(json(&["check", &path(&bia), "--json"])["valid"], true);
    // A workbook whose services name assets it does not have: placed by sheet and heading.
    let mut model = bulwark_model::load(Path::new(&demo())).model;
    model.assets.clear();
    let broken = dir.path().join("broken.xlsx");
    std::fs::write(&broken, bulwark_model::workbook::write(&model).unwrap()).unwrap();
    let out = bulwark(&["check", &path(&broken), "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let first = &report["problems"][0];
    assert_eq!(first["file"], path(&broken));
    assert_eq!(first["sheet"], "Services");
    assert_eq!(first["heading"], "Needs");
    assert_eq!(first["line"], 2);
    let out = bulwark(&["check", &path(&broken)]);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(&format!(
            "{}, sheet Services, row 2, column Needs: ",
            path(&broken)
        )),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A workbook that is not one: exit 1 and a plain reason.
    let junk = dir.path().join("junk.xlsx");
    std::fs::write(&junk, "not a workbook").unwrap();
    let out = bulwark(&["check", &path(&junk)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("junk.xlsx:1:1: cannot read the workbook"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn demo_write_gives_files_that_check_clean() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("my-council");
    assert!(
        bulwark(&["demo", "--write", target.to_str().unwrap()])
            .status
            .success()
    );
    let out = bulwark(&["check", target.join("council.yaml").to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn graph_draws_dot_and_svg() {
    let dir = tempfile::tempdir().unwrap();
    let m = write(dir.path(), "m.yaml", SMALL);
    let dot = bulwark(&["graph", &m, "--service", "bins"]);
    let dot = String::from_utf8_lossy(&dot.stdout);
    assert!(
        dot.starts_with("digraph") && dot.contains("Bin collection") && !dot.contains("Home care"),
        "{dot}"
    );
    let svg = dir.path().join("g.svg");
    assert!(
        bulwark(&["graph", &m, "--format", "svg", "-o", svg.to_str().unwrap()])
            .status
            .success()
    );
    let svg = std::fs::read_to_string(svg).unwrap();
    assert!(svg.contains("<svg") && svg.contains("Home care"));
}

#[test]
fn generate_writes_a_valid_model() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.yaml");
    assert!(
        bulwark(&[
            "generate",
            "--services",
            "300",
            "--seed",
            "7",
            "-o",
            path.to_str().unwrap()
        ])
        .status
        .success()
    );
    let v = json(&["check", path.to_str().unwrap(), "--json"]);
    assert_eq!(v["valid"], true);
    let v = json(&["spof", path.to_str().unwrap(), "--json"]);
    assert_eq!(v["services"].as_array().unwrap().len(), 300);
}
