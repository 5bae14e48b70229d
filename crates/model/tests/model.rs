//! Reading, checking and writing models as a planner would: real files, every problem with
//! its place, includes, and exports that read back to the same model.
#![allow(clippy::unwrap_used, clippy::string_slice)] // test code: a panic is a failed test

use bulwark_model::export::{Format, to_value, write};
use bulwark_model::generate::{Shape, generate};
use bulwark_model::load::{InMemory, load_with};
use bulwark_model::{Loaded, Severity, load, load_str};
use proptest::prelude::*;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[path = "model/additions.rs"]
mod additions;
#[path = "model/estate.rs"]
mod estate;
#[path = "model/standbys.rs"]
mod standbys;
#[path = "model/stored.rs"]
mod stored;
#[path = "model/workbook.rs"]
mod workbook;

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

fn errors(loaded: &Loaded) -> Vec<(u32, u32, String)> {
    loaded
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| (d.pos.line, d.pos.column, d.message.clone()))
        .collect()
}

fn files(entries: &[(&str, &str)]) -> InMemory {
    let mut m = InMemory::default();
    for (p, t) in entries {
        m.0.insert(PathBuf::from(p), t.to_string());
    }
    m
}

#[test]
fn the_demo_council_is_valid_and_complete() {
    let loaded = load(&examples().join("demo-council/council.yaml"));
    assert!(loaded.is_valid(), "{:#?}", errors(&loaded));
    let m = &loaded.model;
    assert!(
        (60..=120).contains(&m.services.len()),
        "{} services",
        m.services.len()
    );
    assert!(m.assets.len() >= 150, "{} assets", m.assets.len());
    assert!(
        loaded.sources.files().len() >= 5,
        "split over directorate files"
    );
    for scenario in [
        "pandemic-wave",
        "ransomware-careledger",
        "river-flood-tillen",
        "regional-power-loss",
    ] {
        assert!(
            m.scenarios.iter().any(|s| s.meta.id.as_str() == scenario),
            "{scenario}"
        );
    }
}

#[test]
fn the_broken_example_reports_every_mistake_at_its_line() {
    let path = examples().join("broken/model.yaml");
    let loaded = load(&path);
    assert!(!loaded.is_valid());
    let text = std::fs::read_to_string(&path).unwrap();
    // Every line marked BROKEN (or the line after it, for a key whose value is below) has an error.
    let errs = errors(&loaded);
    for (i, line) in text.lines().enumerate() {
        if line.contains("# BROKEN") {
            let n = i as u32 + 1;
            assert!(
                errs.iter().any(|(l, _, _)| *l == n || *l == n + 1),
                "no error reported at line {n}: {line}\n{errs:#?}"
            );
        }
    }
    let all: String = errs
        .iter()
        .map(|e| e.2.clone())
        .collect::<Vec<_>>()
        .join("\n");
    for fragment in [
        "did you mean `hr-system`",
        "duplicate id `payroll-officer`",
        "`24` has no unit",
        "did you mean `criticality`",
        "longer than `mtpd`",
        "`150%` is out of range",
        "`atleast: 4` cannot be met by a list of 3",
        "dependency cycle: ",
        "`2026-13-40` is not a date",
        "unknown id `hgv-driver`",
        "`depot` is not an asset kind",
    ] {
        assert!(all.contains(fragment), "missing `{fragment}` in:\n{all}");
    }
    let printed = loaded.problems().next().unwrap().to_string();
    assert!(
        printed.contains("examples/broken/model.yaml:")
            && printed.split(':').nth(1).unwrap().parse::<u32>().is_ok(),
        "{printed}"
    );
}

#[test]
fn cycles_are_reported_whole() {
    let loaded = load_str(
        "m.yaml",
        "bulwark: 1\nassets:\n  - {id: a, name: A, kind: site, needs: [b]}\n  - {id: b, name: B, kind: site, needs: [{any: [c, a]}]}\n  - {id: c, name: C, kind: site, needs: [a]}\n",
    );
    let errs = errors(&loaded);
    let cycles: Vec<_> = errs.iter().filter(|e| e.2.contains("cycle")).collect();
    assert_eq!(cycles.len(), 1, "{errs:#?}");
    assert!(
        cycles[0].2.contains("a → b → a") || cycles[0].2.contains("a → b → c → a"),
        "{}",
        cycles[0].2
    );
}

#[test]
fn includes_are_followed_relative_to_the_including_file() {
    let fs = files(&[
        (
            "m/root.yaml",
            "bulwark: 1\ninclude: [parts/a.yaml]\nservices:\n  - {id: s, name: S, needs: [x]}\n",
        ),
        (
            "m/parts/a.yaml",
            "include: [../more/b.json]\nassets:\n  - {id: x, name: X, kind: site, needs: [y]}\n",
        ),
        (
            "m/more/b.json",
            "{\"assets\": [{\"id\": \"y\", \"name\": \"Y\", \"kind\": \"utility\"}]}",
        ),
    ]);
    let loaded = load_with(&fs, Path::new("m/root.yaml"));
    assert!(loaded.is_valid(), "{:?}", errors(&loaded));
    assert_eq!(loaded.model.assets.len(), 2);
    assert_eq!(loaded.sources.files().len(), 3);
}

#[test]
fn include_cycles_and_missing_files_are_errors_at_the_include() {
    let fs = files(&[
        ("a.yaml", "bulwark: 1\ninclude: [b.yaml, missing.yaml]\n"),
        ("b.yaml", "include:\n  - a.yaml\n"),
    ]);
    let loaded = load_with(&fs, Path::new("a.yaml"));
    let errs = errors(&loaded);
    assert!(
        errs.iter().any(|e| e
            .2
            .contains("include cycle: a.yaml includes b.yaml includes a.yaml")
            && e.0 == 2),
        "{errs:#?}"
    );
    assert!(
        errs.iter()
            .any(|e| e.2.contains("cannot read included file `missing.yaml`") && e.0 == 2),
        "{errs:#?}"
    );
}

/// Writes `text` to `dir/path`, making directories on the way.
fn write_file(dir: &Path, path: &str, text: &str) {
    let path = dir.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn includes_climb_out_of_a_root_given_relative_to_the_working_directory() {
    let tmp = tempfile::tempdir().unwrap();
    write_file(
        tmp.path(),
        "a/council/root.yaml",
        "bulwark: 1\ninclude: [../../x.yaml]\nservices:\n  - {id: s, name: S, needs: [x]}\n",
    );
    write_file(
        tmp.path(),
        "x.yaml",
        "assets:\n  - {id: x, name: X, kind: site}\n",
    );
    std::fs::create_dir_all(tmp.path().join("a/work")).unwrap();
    // The only test that depends on the working directory: every other one uses absolute paths.
    let before = std::env::current_dir().unwrap();
    std::env::set_current_dir(tmp.path().join("a/work")).unwrap();
    let loaded = load(Path::new("../council/root.yaml"));
    std::env::set_current_dir(before).unwrap();
    assert!(loaded.is_valid(), "{:?}", errors(&loaded));
    assert_eq!(loaded.sources.path(1), Path::new("../../x.yaml"));
}

/// Loads `root.yaml` in `dir` on another thread, failing the test if it blocks.
fn load_without_blocking(dir: &Path) -> Loaded {
    let root = dir.join("root.yaml");
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        // The receiver gives up after the timeout; the result is then of no use.
        let _ = send.send(load(&root));
    });
    receive
        .recv_timeout(Duration::from_secs(20))
        .expect("loading must not block")
}

#[test]
fn only_regular_files_of_sane_size_are_read() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let fifo = dir.join("pipe.yaml");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    std::fs::create_dir(dir.join("folder.yaml")).unwrap();
    std::fs::File::create(dir.join("huge.yaml"))
        .unwrap()
        .set_len(65 << 20)
        .unwrap();
    write_file(
        dir,
        "root.yaml",
        "bulwark: 1\ninclude:\n  - pipe.yaml\n  - /dev/zero\n  - folder.yaml\n  - huge.yaml\n",
    );
    let loaded = load_without_blocking(dir);
    let errs = errors(&loaded);
    for (line, reason) in [
        (3, "pipe.yaml`: it is not a regular file"),
        (4, "`/dev/zero`: it is not a regular file"),
        (5, "folder.yaml`: it is a folder"),
        (6, "huge.yaml`: it is larger than 64 MiB"),
    ] {
        assert!(
            errs.iter().any(|e| e.0 == line && e.2.contains(reason)),
            "no `{reason}` at line {line}: {errs:#?}"
        );
    }
}

#[test]
fn included_files_that_are_not_models_are_never_quoted() {
    let secrets = [
        (
            "shadow",
            "root:$6$salt$SECRET-HASH:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n",
        ),
        (
            "keys.yaml",
            "SECRET_KEY: hunter2\naws_token: SECRET-TOKEN\n",
        ),
        ("twice.yaml", "SECRET-A: 1\nSECRET-A: 2\n"),
        ("tagged.yaml", "!SECRET-TAG x\n"),
        ("broken.yaml", "password: [SECRET, \n"),
        ("list.json", "[\"SECRET\"]"),
    ];
    for (name, text) in secrets {
        let fs = files(&[
            ("m/root.yaml", &format!("bulwark: 1\ninclude: [{name}]\n")),
            (&format!("m/{name}"), text),
        ]);
        let loaded = load_with(&fs, Path::new("m/root.yaml"));
        assert!(!loaded.is_valid(), "{name}");
        for problem in loaded.problems() {
            let printed = problem.to_string();
            assert!(
                !printed.contains("SECRET") && !printed.contains("hunter2"),
                "{name}: {printed}"
            );
        }
    }
}

#[test]
fn version_and_unknown_keys_are_checked_but_x_keys_are_kept() {
    let loaded = load_str("m.yaml", "services: []\nservice: []\nx-mine: {a: 1}\n");
    let errs = errors(&loaded);
    assert!(errs.iter().any(|e| e.2.contains("bulwark: 1")), "{errs:#?}");
    assert!(
        errs.iter().any(|e| e.0 == 2
            && e.2.contains("unknown key `service`")
            && e.2.contains("did you mean `services`")),
        "{errs:#?}"
    );
    let loaded = load_str("m.yaml", "bulwark: 2\n");
    assert!(
        errors(&loaded)[0]
            .2
            .contains("version `2` is not supported")
    );
}

#[test]
fn semantic_errors_in_json_point_at_their_line() {
    let text = "{\n  \"bulwark\": 1,\n  \"services\": [\n    {\"id\": \"s\", \"name\": \"S\",\n     \"mtpd\": \"24\"}\n  ]\n}\n";
    let loaded = load_str("m.json", text);
    let errs = errors(&loaded);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert_eq!((errs[0].0, errs[0].1), (5, 14));
}

#[test]
fn every_problem_is_reported_in_one_run() {
    let text = "bulwark: 1\nservices:\n  - {id: a, name: A, mtpd: 4, criticality: huge}\n  - {id: b, name: B, mbco: 2, needs: [nope]}\n  - {id: Bad, name: C}\n";
    let errs = errors(&load_str("m.yaml", text));
    assert_eq!(errs.len(), 5, "{errs:#?}");
}

#[test]
fn invisible_characters_and_overlong_text_are_refused_where_written() {
    let long = |n: usize| "x".repeat(n);
    let text = format!(
        "bulwark: 1\nservices:\n  - id: s\n    name: \"Payroll \\u202Eexe.txt\"\n    owner: \"HR\\0\"\n    description: \"Pays staff.\\n\\tMonthly.\"\n    tags: [ok, \"{}\"]\n  - id: t\n    name: \"Two\\nlines\"\n    description: {}\n  - id: {}\n    name: {}\n",
        long(501),
        long(10_001),
        long(101),
        long(201),
    );
    let errs = errors(&load_str("m.yaml", &text));
    for (line, column, fragment) in [
        (
            4,
            11,
            "`name` contains an invisible control character (U+202E) that could disguise the text",
        ),
        (
            5,
            12,
            "`owner` contains an invisible control character (U+0000)",
        ),
        (
            7,
            16,
            "`tags` is 501 characters long; it may be at most 500",
        ),
        (9, 11, "`name` must be one line"),
        (
            10,
            18,
            "`description` is 10001 characters long; it may be at most 10000",
        ),
        (
            11,
            9,
            "an id may be at most 100 characters; this one has 101",
        ),
        (
            12,
            11,
            "`name` is 201 characters long; it may be at most 200",
        ),
    ] {
        assert!(
            errs.iter()
                .any(|e| (e.0, e.1) == (line, column) && e.2.contains(fragment)),
            "no `{fragment}` at {line}:{column}: {errs:#?}"
        );
    }
    assert_eq!(
        errs.len(),
        7,
        "a tab and line break in a description are fine: {errs:#?}"
    );
}

#[test]
fn unknown_keys_with_invisible_characters_are_not_quoted() {
    let loaded = load_str("m.yaml", "bulwark: 1\n\"serv\\u202Eices\": []\n");
    let errs = errors(&loaded);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert!(
        errs[0].2.contains("U+202E") && !errs[0].2.contains('\u{202E}'),
        "{errs:#?}"
    );
}

#[test]
fn scenario_times_are_bounded_and_huge_durations_are_errors_in_place() {
    let text = "bulwark: 1\nassets:\n  - {id: a, name: A, kind: site}\nscenarios:\n  - id: x\n    name: X\n    horizon: 9999999w\n    events:\n      - {outage: a, at: 261w, for: 99999999999999999999d}\n      - {absence: all, profile: [[0d, 0%], [2000d, 10%]]}\n      - {outage: a, at: 260w, for: 1d12h}\n";
    let errs = errors(&load_str("m.yaml", text));
    for (line, column, fragment) in [
        (7, 14, "the horizon may be at most 5 years (260w)"),
        (9, 25, "`at` may be at most 5 years (260w)"),
        (9, 36, "longer than Bulwark can plan for"),
        (10, 45, "`profile` may be at most 5 years (260w)"),
    ] {
        assert!(
            errs.iter()
                .any(|e| (e.0, e.1) == (line, column) && e.2.contains(fragment)),
            "no `{fragment}` at {line}:{column}: {errs:#?}"
        );
    }
    assert_eq!(errs.len(), 4, "260w itself is allowed: {errs:#?}");
}

#[test]
fn a_risks_assessment_period_is_read_checked_in_place_and_round_trips() {
    let text = "bulwark: 1\nrisks:\n  - {id: cyber, name: Cyber attack, likelihood: 4, impact: 4, period_years: 2}\n  - {id: flood, name: Flooding, likelihood: 3, impact: 4}\n  - {id: odd, name: Odd, likelihood: 1, impact: 1, period_years: 50}\n";
    let loaded = load_str("m.yaml", text);
    assert_eq!(
        errors(&loaded),
        [(5, 66, "`period_years`: 50 years is not a period a likelihood is assessed over; use 1 to 10 (the National Risk Register uses 5, and 2 for malicious risks)".to_string())]
    );
    let loaded = load_str(
        "m.yaml",
        &text.replace("period_years: 50", "period_years: 5"),
    );
    assert!(loaded.is_valid(), "{:?}", errors(&loaded));
    let periods: Vec<Option<u8>> = loaded.model.risks.iter().map(|r| r.period_years).collect();
    assert_eq!(periods, [Some(2), None, Some(5)]);
    let again = load_str("again.yaml", &export_text(&loaded, Format::Yaml));
    let periods_again: Vec<Option<u8>> = again.model.risks.iter().map(|r| r.period_years).collect();
    assert_eq!(periods_again, periods);
}

fn export_text(loaded: &Loaded, format: Format) -> String {
    write(&loaded.model, format)
}

#[test]
fn export_round_trips_the_demo_in_yaml_and_json() {
    let loaded = load(&examples().join("demo-council/council.yaml"));
    for (format, name) in [(Format::Yaml, "out.yaml"), (Format::Json, "out.json")] {
        let text = export_text(&loaded, format);
        let again = load_str(name, &text);
        assert!(again.is_valid(), "{:?}", errors(&again));
        assert_eq!(to_value(&again.model), to_value(&loaded.model));
        assert_eq!(
            again.diagnostics.len(),
            loaded.diagnostics.len(),
            "same warnings"
        );
    }
    let yaml = export_text(&loaded, Format::Yaml);
    assert!(yaml.contains("x-model-info"), "x- keys are exported");
    assert!(
        yaml.contains("x-cost-centre"),
        "x- keys on items are exported"
    );
}

#[test]
fn generated_models_are_valid_and_deterministic() {
    for (services, seed) in [(1, 1), (30, 2), (700, 3)] {
        let m = generate(Shape { services, seed });
        assert_eq!(m.services.len(), services);
        let text = write(&m, Format::Yaml);
        let loaded = load_str("g.yaml", &text);
        assert!(
            loaded.is_valid(),
            "{:?}",
            errors(&loaded).into_iter().take(5).collect::<Vec<_>>()
        );
        assert_eq!(
            text,
            write(&generate(Shape { services, seed }), Format::Yaml)
        );
    }
}

/// Generous for a debug build on a busy machine, yet far below what quadratic loading took.
const QUICK: Duration = Duration::from_secs(10);

#[test]
fn a_mapping_with_100k_keys_loads_quickly() {
    let mut text = String::from("bulwark: 1\n");
    for i in 0..100_000 {
        text.push_str(&format!("x-key-{i}: {i}\n"));
    }
    let started = Instant::now();
    let loaded = load_str("wide.yaml", &text);
    let took = started.elapsed();
    assert!(loaded.is_valid(), "{:?}", &errors(&loaded)[..1]);
    assert_eq!(loaded.model.extensions.len(), 100_000);
    assert!(took < QUICK, "100k keys took {took:?}");
}

#[test]
fn thousands_of_unknown_ids_among_20k_items_load_quickly() {
    let mut text = String::from("bulwark: 1\nassets:\n");
    for i in 0..20_000 {
        text.push_str(&format!("  - {{id: asset-{i}, name: A, kind: site}}\n"));
    }
    text.push_str("services:\n  - id: s\n    name: S\n    needs:\n");
    for i in 0..2_000 {
        text.push_str(&format!("      - aset-{i}\n"));
    }
    let started = Instant::now();
    let loaded = load_str("unknown.yaml", &text);
    let took = started.elapsed();
    let errs = errors(&loaded);
    assert_eq!(errs.len(), 2_000);
    assert!(
        errs[0].2.contains("unknown id `aset-0`") && errs[0].2.contains("did you mean `asset-0`"),
        "{}",
        errs[0].2
    );
    assert!(
        !errs[1_999].2.contains("did you mean"),
        "hints stop once enough candidates were compared: {}",
        errs[1_999].2
    );
    assert!(took < QUICK, "2,000 unknown ids took {took:?}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    /// The loader never panics, whatever it is given.
    #[test]
    fn loader_never_panics_on_arbitrary_text(text in "\\PC{0,300}") {
        let _ = load_str("f.yaml", &text);
        let _ = load_str("f.json", &text);
    }

    /// Any name either loads as written or gives an error with a place.
    #[test]
    fn any_name_loads_or_is_refused_with_a_position(name in any::<String>()) {
        let json = serde_json::json!({"bulwark": 1, "services": [{"id": "s", "name": name}]});
        let loaded = load_str("m.json", &json.to_string());
        if loaded.is_valid() {
            prop_assert_eq!(&loaded.model.services[0].meta.name, &name);
        } else {
            for d in &loaded.diagnostics {
                prop_assert!(d.pos.line >= 1 && d.pos.column >= 1, "{d:?}");
            }
        }
    }

    /// Nor on small edits of a real model.
    #[test]
    fn loader_never_panics_on_mutated_models(cut in 0usize..2000, insert in "[\\[\\]{}:,\\- a-z0-9%\n&*!|>]{0,8}") {
        let base = "bulwark: 1\nskills:\n  - {id: k, name: K, headcount: 3, can_cover: [k]}\nservices:\n  - id: s\n    name: S\n    mtpd: 1d\n    rto: 4h\n    mbco: 50%\n    needs: [a, {any: [b, c]}, {atleast: 2, of: [a, b, c]}]\n    staff: [{skill: k, fte: 2}]\n    impacts: {4h: 2, 1d: 5}\nassets:\n  - {id: a, name: A, kind: site, failure: {rate: 1, repair: 2d}}\n  - {id: b, name: B, kind: utility, needs: [a]}\n  - {id: c, name: C, kind: data}\nscenarios:\n  - id: x\n    name: X\n    events:\n      - {outage: a, at: 0h, for: 2d}\n      - {absence: all, profile: [[0d, 0%], [2d, 20%]]}\n";
        let at = cut % (base.len() + 1);
        let mut text = base.to_string();
        if base.is_char_boundary(at) {
            text.insert_str(at, &insert);
        }
        let loaded = load_str("f.yaml", &text);
        for d in &loaded.diagnostics {
            prop_assert!(d.pos.line >= 1 && d.pos.column >= 1, "{d:?}");
        }
    }
}
