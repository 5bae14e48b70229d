//! Load and validate a generated council from a YAML file, each run in a fresh process so
//! that its peak memory (VmHWM) is the load's own.
//!
//! `cargo bench -p bulwark-model --bench load` (100,000 services; `-- --services N` for
//! another size, `-- --runs N` for more runs). Prints the median and fastest wall time and
//! the largest peak memory; figures are recorded in docs/benchmarks.md.
#![allow(clippy::unwrap_used, clippy::string_slice)] // bench code: a panic is a failed run

use bulwark_model::export::{Format, write};
use bulwark_model::generate::{Shape, generate};
use std::path::Path;
use std::process::Command;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    if let Some(file) = value("--child") {
        child(Path::new(&file));
        return;
    }
    let services: usize = value("--services").map_or(100_000, |v| v.parse().unwrap());
    let runs: usize = value("--runs").map_or(5, |v| v.parse().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let file = value("--keep").map_or_else(|| dir.path().join("generated.yaml"), Into::into);
    let text = write(&generate(Shape { services, seed: 1 }), Format::Yaml);
    std::fs::write(&file, &text).unwrap();
    println!(
        "load and validate, {services} services ({:.1} MB of YAML), {runs} runs, each in its own process",
        text.len() as f64 / 1e6
    );
    drop(text);
    let me = std::env::current_exe().unwrap();
    let mut times = Vec::new();
    let mut peaks = Vec::new();
    let mut cpus = Vec::new();
    for _ in 0..runs {
        let out = Command::new(&me)
            .arg("--child")
            .arg(&file)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let line = String::from_utf8(out.stdout).unwrap();
        let mut parts = line.split_whitespace();
        let secs: f64 = parts.next().unwrap().parse().unwrap();
        let kib: u64 = parts.next().unwrap().parse().unwrap();
        let cpu: f64 = parts.next().unwrap().parse().unwrap();
        println!("  {secs:.3} s ({cpu:.3} s of CPU), peak {} MiB", kib / 1024);
        times.push(secs);
        cpus.push(cpu);
        peaks.push(kib);
    }
    times.sort_by(f64::total_cmp);
    cpus.sort_by(f64::total_cmp);
    println!(
        "median {:.3} s, fastest {:.3} s, median CPU {:.3} s, largest peak {} MiB",
        times[times.len() / 2],
        times[0],
        cpus[cpus.len() / 2],
        peaks.iter().max().unwrap() / 1024
    );
}

/// One run: read the file, load and validate it, print seconds and peak KiB.
fn child(file: &Path) {
    let started = Instant::now();
    let loaded = bulwark_model::load(file);
    let took = started.elapsed().as_secs_f64();
    assert!(loaded.is_valid(), "the generated model is valid");
    println!("{took} {} {}", peak_kib(), cpu_seconds());
}

/// CPU time used by the process so far (user and system), in seconds, from
/// `/proc/self/stat` (clock ticks of 1/100 s): on a shared machine wall time depends on
/// what else runs, CPU time much less.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    // Fields after the command name (which is in parentheses): state is field 3, utime 14,
    // stime 15.
    let after = stat.rsplit_once(')').unwrap().1;
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    ticks as f64 / 100.0
}

/// The process's peak resident memory (VmHWM), in KiB.
fn peak_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}
