//! Engine benchmarks on generated councils of 1k, 10k and 100k services.
//!
//! Run with `cargo bench -p bulwark-engine`; figures are recorded in docs/benchmarks.md.
#![allow(clippy::unwrap_used, clippy::string_slice)] // test code: a panic is a failed test

use bulwark_engine::Compiled;
use bulwark_engine::cutsets::CutSetFinder;
use bulwark_model::export::{Format, write};
use bulwark_model::generate::{Shape, generate};
use bulwark_model::{Model, load_str};
use std::sync::OnceLock;

const SIZES: [usize; 3] = [1_000, 10_000, 100_000];

fn main() {
    divan::main();
}

/// Generated model text and its loaded form, made once per size.
fn fixture(services: usize) -> &'static (String, Model) {
    static CACHE: OnceLock<Vec<(usize, &'static (String, Model))>> = OnceLock::new();
    let all = CACHE.get_or_init(|| {
        SIZES
            .iter()
            .map(|&n| {
                let text = write(
                    &generate(Shape {
                        services: n,
                        seed: 1,
                    }),
                    Format::Yaml,
                );
                let model = load_str("bench.yaml", &text).model;
                (n, &*Box::leak(Box::new((text, model))))
            })
            .collect()
    });
    all.iter()
        .find(|(n, _)| *n == services)
        .expect("a benchmarked size")
        .1
}

/// Parse the YAML, build the model, check every reference, cycle and objective.
#[divan::bench(args = SIZES, sample_count = 5, sample_size = 1)]
fn load_and_validate(bencher: divan::Bencher, services: usize) {
    let (text, _) = fixture(services);
    bencher.bench(|| {
        let loaded = load_str("bench.yaml", text);
        assert!(loaded.is_valid());
        loaded
    });
}

/// One mapping with many keys (`x-` keys at the top of a file): reading must stay linear.
#[divan::bench(args = [20_000, 100_000], sample_count = 3, sample_size = 1)]
fn load_wide_mapping(bencher: divan::Bencher, keys: usize) {
    let mut text = String::from("bulwark: 1\n");
    for i in 0..keys {
        text.push_str(&format!("x-key-{i}: {i}\n"));
    }
    bencher.bench(|| {
        let loaded = load_str("wide.yaml", &text);
        assert!(loaded.is_valid());
        loaded
    });
}

/// Unknown references among 20,000 assets, each a "did you mean" candidate.
#[divan::bench(args = [500, 2_000], sample_count = 3, sample_size = 1)]
fn load_unknown_ids(bencher: divan::Bencher, unknown: usize) {
    let mut text = String::from("bulwark: 1\nassets:\n");
    for i in 0..20_000 {
        text.push_str(&format!("  - {{id: asset-{i}, name: A, kind: site}}\n"));
    }
    text.push_str("services:\n  - id: s\n    name: S\n    needs:\n");
    for i in 0..unknown {
        text.push_str(&format!("      - aset-{i}\n"));
    }
    bencher.bench(|| {
        let loaded = load_str("unknown.yaml", &text);
        assert!(!loaded.is_valid());
        loaded
    });
}

/// Compile the model to the indexed graph.
#[divan::bench(args = SIZES, sample_count = 5, sample_size = 1)]
fn compile(bencher: divan::Bencher, services: usize) {
    let (_, model) = fixture(services);
    bencher.bench(|| Compiled::new(model).expect("valid"));
}

/// Single points of failure of every service.
#[divan::bench(args = SIZES, sample_count = 5, sample_size = 1)]
fn spof_all_services(bencher: divan::Bencher, services: usize) {
    let (_, model) = fixture(services);
    let c = Compiled::new(model).expect("valid");
    bencher.bench(|| c.spof());
}

/// Minimal cut sets up to order 3 of every service (families shared between services).
#[divan::bench(args = SIZES, sample_count = 3, sample_size = 1)]
fn cut_sets_order_3_all_services(bencher: divan::Bencher, services: usize) {
    let (_, model) = fixture(services);
    let c = Compiled::new(model).expect("valid");
    bencher.bench(|| {
        let mut finder = CutSetFinder::new(&c, 3);
        (0..c.services.len() as u32)
            .map(|s| finder.service(s).len())
            .sum::<usize>()
    });
}

/// Minimal cut sets up to order 3 of one service, from scratch.
#[divan::bench(args = SIZES, sample_count = 5, sample_size = 1)]
fn cut_sets_order_3_one_service(bencher: divan::Bencher, services: usize) {
    let (_, model) = fixture(services);
    let c = Compiled::new(model).expect("valid");
    let last = c.services.len() as u32 - 1;
    bencher.bench(|| c.cut_sets(last, 3).len());
}
