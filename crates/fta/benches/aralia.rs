//! Aralia benchmark harness: `cargo bench -p bulwark-fta --bench aralia [-- MODEL...]`.
//!
//! Each model runs in a child process (this binary with `--child MODEL`) so that its peak
//! memory (VmHWM) is its own and a runaway model can be killed at the timeout. The child
//! parses the model, then times `Analysis::new` (BDD, probability, ZBDD cut sets with order
//! limit 20) plus the ZBDD count several times and reports the median; the parent checks the
//! answers against `crates/fta/aralia/reference.json` and prints a table beside SCRAM's figures.
//! Environment: `ARALIA_TIMEOUT` (seconds per model, default 60), `ARALIA_RUNS` (max runs, 5).
//! Diagnostics for one model: `ARALIA_PHASES=1 aralia --child MODEL` prints per-phase times,
//! `ARALIA_ORDERS=1 aralia --child MODEL` the BDD nodes built under each variable order.
//! Exits non-zero if any answer differs from the reference (this is the `check` for the
//! models too large for the debug-build tests).
//!
//! Then a second table times generated models that a reader or analysis quadratic in the
//! number of gates or arguments would choke on (100,000-gate chains, a 100,000-argument gate;
//! `tests/common/chains.rs`), each in a child process too (`--chain NAME`); `--chains` runs
//! that table alone, `ARALIA_CHAIN_SIZE` sets n.
#![allow(clippy::unwrap_used, clippy::string_slice)] // test code: a panic is a failed test

#[path = "../tests/common/chains.rs"]
mod chains;

use bulwark_fta::{Analysis, Options, parse_mef};
use serde_json::{Value, json};
use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The Aralia benchmark trees and SCRAM's reference answers, kept in the repository.
const BENCH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/aralia");

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(i) = args.iter().position(|a| a == "--child") {
        child(&args[i + 1]);
        return;
    }
    if let Some(i) = args.iter().position(|a| a == "--chain") {
        chain_child(&args[i + 1]);
        return;
    }
    let timeout: u64 = std::env::var("ARALIA_TIMEOUT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60);
    let exe = std::env::current_exe().expect("own path");
    if args.iter().any(|a| a == "--chains") {
        chain_table(&exe, Duration::from_secs(timeout));
        return;
    }
    let mut names: Vec<String> = std::fs::read_dir(BENCH)
        .expect("bench directory")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".xml"))
        .map(|n| n.trim_end_matches(".xml").to_string())
        .collect();
    names.sort();
    let wanted: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    if !wanted.is_empty() {
        names.retain(|n| wanted.contains(&n));
    }
    let reference: Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{BENCH}/reference.json")).expect("reference.json"),
    )
    .expect("reference JSON");
    println!(
        "| model | SCRAM s | Bulwark s | speed-up | SCRAM MiB | Bulwark MiB | parse s | cut sets | probability | matches |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
    let mut failures = 0;
    let started = Instant::now();
    for n in &names {
        let r = &reference[n];
        let out = run_child(&exe, &["--child", n], Duration::from_secs(timeout));
        let scram_s = r["scram_analysis_s"].as_f64();
        let scram_mib = r["scram_peak_rss_mib"].as_f64();
        let fmt_opt =
            |v: Option<f64>, prec: usize| v.map_or("-".to_string(), |x| format!("{x:.prec$}"));
        match out {
            Ok(v) if v.get("error").is_none() => {
                let ours = v["analysis_s"].as_f64().unwrap_or(f64::NAN);
                let verdict = check(r, &v);
                if verdict.starts_with("NO") {
                    failures += 1;
                }
                println!(
                    "| {n} | {} | {ours:.4} | {} | {} | {:.0} | {:.4} | {} | {:.6e} | {verdict} |",
                    fmt_opt(scram_s, 4),
                    scram_s.map_or("-".into(), |s| format!("{:.1}x", s / ours)),
                    fmt_opt(scram_mib, 0),
                    v["peak_rss_mib"].as_f64().unwrap_or(f64::NAN),
                    v["parse_s"].as_f64().unwrap_or(f64::NAN),
                    v["cut_sets"],
                    v["probability"].as_f64().unwrap_or(f64::NAN),
                );
            }
            Ok(v) => {
                if r.get("cut_sets").is_some_and(|c| !c.is_null()) {
                    failures += 1;
                }
                println!(
                    "| {n} | {} | - | - | {} | {} | - | - | - | {} |",
                    fmt_opt(scram_s, 4),
                    fmt_opt(scram_mib, 0),
                    v["peak_rss_mib"]
                        .as_f64()
                        .map_or("-".into(), |m| format!("{m:.0}")),
                    v["error"].as_str().unwrap_or("error")
                )
            }
            Err(e) => {
                if r.get("cut_sets").is_some_and(|c| !c.is_null()) {
                    failures += 1;
                }
                println!(
                    "| {n} | {} | - | - | {} | - | - | - | - | {e} |",
                    fmt_opt(scram_s, 4),
                    fmt_opt(scram_mib, 0)
                );
            }
        }
    }
    println!(
        "\n{} models in {:.1} s; {failures} failed the reference check\n",
        names.len(),
        started.elapsed().as_secs_f64()
    );
    failures += chain_table(&exe, Duration::from_secs(timeout));
    if failures > 0 {
        std::process::exit(1);
    }
}

fn check(r: &Value, v: &Value) -> String {
    let Some(cs) = r["cut_sets"].as_u64() else {
        return "new (SCRAM did not finish)".into();
    };
    let p_ref = r["probability"].as_f64().unwrap_or(f64::NAN);
    let p = v["probability"].as_f64().unwrap_or(f64::NAN);
    let mut bad = Vec::new();
    if (p - p_ref).abs() > 1e-5 * p_ref.abs() {
        bad.push(format!("p {p:.6e} != {p_ref:.6e}"));
    }
    if v["cut_sets"].as_u64() != Some(cs) {
        bad.push(format!("cut sets {} != {cs}", v["cut_sets"]));
    }
    if v["by_order"] != r["by_order"] {
        bad.push("by_order differs".into());
    }
    if bad.is_empty() {
        "yes".into()
    } else {
        format!("NO: {}", bad.join("; "))
    }
}

fn run_child(exe: &std::path::Path, args: &[&str], timeout: Duration) -> Result<Value, String> {
    let mut child = Command::new(exe)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| e.to_string())?;
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if start.elapsed() > timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("timeout after {} s", timeout.as_secs()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(e.to_string()),
        }
    }
    let mut s = String::new();
    child
        .stdout
        .take()
        .ok_or("no output")?
        .read_to_string(&mut s)
        .map_err(|e| e.to_string())?;
    serde_json::from_str(s.trim()).map_err(|_| format!("child failed: {}", s.trim()))
}

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn child(model: &str) {
    let text = std::fs::read_to_string(format!("{BENCH}/{model}.xml")).expect("model file");
    let t = Instant::now();
    let tree = match parse_mef(&text) {
        Ok(t) => t,
        Err(e) => {
            println!("{}", json!({"error": e.to_string()}));
            return;
        }
    };
    let parse_s = t.elapsed().as_secs_f64();
    if std::env::var("ARALIA_ORDERS").is_ok() {
        let a = bulwark_fta::normalise::Pdag::from_tree(&tree);
        let mut b = a.clone();
        b.order_variables(bulwark_fta::normalise::OrderHeuristic::GatesFirst);
        let x = bulwark_fta::bdd::BddManager::build(&a, 40_000_000, None).map(|m| m.built_nodes);
        let y = bulwark_fta::bdd::BddManager::build(&b, 40_000_000, None).map(|m| m.built_nodes);
        eprintln!("{model} vars-first {x:?} gates-first {y:?}");
        return;
    }
    if std::env::var("ARALIA_PHASES").is_ok() {
        for _ in 0..3 {
            let t = Instant::now();
            let pdag = bulwark_fta::normalise::Pdag::from_tree(&tree);
            let t1 = t.elapsed();
            let mb = bulwark_fta::bdd::BddManager::build(&pdag, 40_000_000, None).expect("bdd");
            let t2 = t.elapsed();
            let z = bulwark_fta::zbdd::Zbdd::from_modules(&mb, 20, 20_000_000).expect("zbdd");
            let t3 = t.elapsed();
            let c: u64 = z.count_by_order().iter().sum();
            let t4 = t.elapsed();
            eprintln!(
                "pdag {t1:?} bdd {t2:?} zbdd {t3:?} count {t4:?}: {} modules, {} bdd nodes ({} built), {} zbdd nodes, {c} sets",
                mb.modules.len(),
                mb.size(),
                mb.built_nodes,
                z.size()
            );
        }
    }
    let opts = Options {
        bdd_node_limit: 40_000_000,
        zbdd_node_limit: 20_000_000,
        ..Options::default()
    };
    let max_runs: usize = std::env::var("ARALIA_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let mut times = Vec::new();
    let budget = Instant::now();
    let mut last = None;
    while times.len() < max_runs && (times.is_empty() || budget.elapsed().as_secs_f64() < 10.0) {
        let t = Instant::now();
        let a = match Analysis::new(&tree, &opts) {
            Ok(a) => a,
            Err(e) => {
                println!(
                    "{}",
                    json!({"error": e.to_string(), "peak_rss_mib": peak_rss_mib()})
                );
                return;
            }
        };
        let counts = a.cut_set_counts().unwrap_or_default();
        times.push(t.elapsed().as_secs_f64());
        last = Some((a.probability(), counts));
    }
    times.sort_by(f64::total_cmp);
    let Some((p, counts)) = last else { return };
    let by_order: serde_json::Map<String, Value> = counts
        .iter()
        .enumerate()
        .filter(|(_, c)| **c > 0)
        .map(|(k, c)| (k.to_string(), json!(c)))
        .collect();
    println!(
        "{}",
        json!({
            "probability": p,
            "cut_sets": counts.iter().sum::<u64>(),
            "by_order": by_order,
            "parse_s": parse_s,
            "analysis_s": times[times.len() / 2],
            "runs": times.len(),
            "peak_rss_mib": peak_rss_mib(),
        })
    );
}

/// The generated models of the chain table, by name.
const CHAINS: &[&str] = &["or-chain", "and-or-chain", "xor-chain", "wide-gate"];

/// Size of the generated models (gates in a chain, arguments of the wide gate):
/// `ARALIA_CHAIN_SIZE`, default 100,000.
fn chain_size() -> usize {
    std::env::var("ARALIA_CHAIN_SIZE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000)
}

fn chain_model(name: &str) -> Option<chains::Model> {
    let n = chain_size();
    Some(match name {
        "or-chain" => chains::or_chain(n, 1e-5),
        "and-or-chain" => chains::alternating_chain(n, 0.3, ["and", "or"]),
        "xor-chain" => chains::alternating_chain(n, 0.3, ["xor", "xor"]),
        "wide-gate" => chains::wide_gate(n, 1e-5),
        _ => return None,
    })
}

/// Prints the chain table; returns the number of models with a wrong answer or no answer.
fn chain_table(exe: &std::path::Path, timeout: Duration) -> usize {
    let n = chain_size();
    println!(
        "| generated model (n = {n}) | MiB of MEF | parse s | analysis s | peak MiB | matches |"
    );
    println!("|---|---:|---:|---:|---:|---|");
    let mut failures = 0;
    for name in CHAINS {
        match run_child(exe, &["--chain", name], timeout) {
            Ok(v) if v.get("error").is_none() => {
                let ok = v["ok"].as_bool() == Some(true);
                failures += usize::from(!ok);
                println!(
                    "| {name} | {:.1} | {:.3} | {:.3} | {:.0} | {} |",
                    v["mef_mib"].as_f64().unwrap_or(f64::NAN),
                    v["parse_s"].as_f64().unwrap_or(f64::NAN),
                    v["analysis_s"].as_f64().unwrap_or(f64::NAN),
                    v["peak_rss_mib"].as_f64().unwrap_or(f64::NAN),
                    if ok { "yes" } else { "NO" }
                );
            }
            Ok(v) => {
                failures += 1;
                println!("| {name} | - | - | - | - | {} |", v["error"]);
            }
            Err(e) => {
                failures += 1;
                println!("| {name} | - | - | - | - | {e} |");
            }
        }
    }
    failures
}

/// Reads and analyses one generated model (importance included) and prints JSON figures.
fn chain_child(name: &str) {
    let Some(model) = chain_model(name) else {
        println!("{}", json!({"error": format!("no generated model {name}")}));
        return;
    };
    let t = Instant::now();
    let tree = match parse_mef(&model.text) {
        Ok(t) => t,
        Err(e) => {
            println!("{}", json!({"error": e.to_string()}));
            return;
        }
    };
    let parse_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let opts = Options {
        importance: true,
        ..Options::default()
    };
    let report = match Analysis::new(&tree, &opts) {
        Ok(a) => a.report(),
        Err(e) => {
            println!("{}", json!({"error": e.to_string()}));
            return;
        }
    };
    let analysis_s = t.elapsed().as_secs_f64();
    let ok = (report.probability - model.probability).abs() <= 1e-9 * model.probability
        && report.cut_sets == Some(model.cut_sets);
    println!(
        "{}",
        json!({
            "mef_mib": model.text.len() as f64 / (1 << 20) as f64,
            "parse_s": parse_s,
            "analysis_s": analysis_s,
            "peak_rss_mib": peak_rss_mib(),
            "ok": ok,
        })
    );
}
