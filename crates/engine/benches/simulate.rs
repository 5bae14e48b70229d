//! Simulation benchmarks: a one-year scenario at an hourly step on generated councils of 1k and
//! 10k services, and Monte Carlo trial-years on the demo council and on 10k services. The
//! `_budgeted` variants run the same with a time budget that does not run out (what checking it
//! costs), and `five_years_hourly` bounds the memory of the longest scenarios.
//!
//! Run with `cargo bench -p bulwark-engine --bench simulate`; figures are recorded in
//! docs/benchmarks.md ("Simulation").
#![allow(clippy::unwrap_used, clippy::string_slice)] // test code: a panic is a failed test

use bulwark_engine::montecarlo::{McOptions, monte_carlo, monte_carlo_with_budget};
use bulwark_engine::simulate::{Options, Record, simulate_scenario};
use bulwark_engine::{Budget, Compiled};
use bulwark_model::generate::{Shape, generate};
use bulwark_model::{Duration, Event, EventKind, Meta, Model, Percent, Pos, Ref, Scenario, Target};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, OnceLock};

fn main() {
    divan::main();
}

fn days(d: u64) -> Duration {
    Duration::from_minutes(d * 1440)
}

fn event(kind: EventKind, at: u64, length: Option<u64>) -> Event {
    Event {
        kind,
        at: days(at),
        duration: length.map(days),
        pos: Pos::default(),
        extensions: Vec::new(),
    }
}

fn r(id: &str) -> Ref {
    Ref {
        id: id.into(),
        pos: Pos::default(),
    }
}

/// A generated model, compiled, with a one-year scenario.
type Fixture = (Model, Compiled, Scenario);

/// A year of winter and summer absence waves, with outages and a demand surge.
fn year(services: usize) -> &'static Fixture {
    static CACHE: OnceLock<Vec<(usize, &'static Fixture)>> = OnceLock::new();
    let all = CACHE.get_or_init(|| {
        [1_000, 10_000]
            .into_iter()
            .map(|n| {
                let model = generate(Shape {
                    services: n,
                    seed: 1,
                });
                let c = Compiled::new(&model).expect("valid");
                let pct = |f: f64| Percent::from_fraction(f).expect("fraction");
                let profile = vec![
                    (days(0), pct(0.0)),
                    (days(60), pct(0.15)),
                    (days(150), pct(0.03)),
                    (days(300), pct(0.12)),
                    (days(365), pct(0.0)),
                ];
                let events = vec![
                    event(
                        EventKind::Absence(Target::All(Pos::default()), profile),
                        0,
                        None,
                    ),
                    event(EventKind::Outage(r("system-0")), 30, Some(3)),
                    event(EventKind::Outage(r("supplier-1")), 100, Some(14)),
                    event(EventKind::Outage(r("datacentre-a")), 200, Some(1)),
                    event(EventKind::Degrade(r("wan"), pct(0.5)), 250, Some(2)),
                    event(
                        EventKind::Demand(Target::All(Pos::default()), 1.2),
                        60,
                        Some(30),
                    ),
                ];
                let sc = Scenario {
                    meta: Meta {
                        name: "year".into(),
                        ..Meta::default()
                    },
                    horizon: Some(days(365)),
                    start: None,
                    suspend: Vec::new(),
                    events,
                };
                (n, &*Box::leak(Box::new((model, c, sc))))
            })
            .collect()
    });
    all.iter()
        .find(|(n, _)| *n == services)
        .expect("a benchmarked size")
        .1
}

/// One year, hourly while absence changes (it always does here), every service.
#[divan::bench(args = [1_000, 10_000], sample_count = 5, sample_size = 1)]
fn scenario_one_year_hourly(bencher: divan::Bencher, services: usize) {
    let (model, c, sc) = year(services);
    bencher.bench(|| {
        simulate_scenario(model, c, sc, &Options::default())
            .expect("runs")
            .evaluations
    });
}

/// A budget of an hour, with a cancel flag: checked, never run out.
fn hour() -> Budget {
    Budget::with_timeout(std::time::Duration::from_secs(3600))
        .with_cancel(Arc::new(AtomicBool::new(false)))
}

/// One check of a budget: unlimited, or with a deadline and a cancel flag.
#[divan::bench(args = [false, true])]
fn budget_check(bencher: divan::Bencher, limited: bool) {
    let budget = if limited { hour() } else { Budget::unlimited() };
    bencher.bench(|| divan::black_box(&budget).check().is_ok());
}

/// The same year, checking a time budget at every evaluation.
#[divan::bench(sample_count = 5, sample_size = 1)]
fn scenario_one_year_hourly_budgeted_10000(bencher: divan::Bencher) {
    let (model, c, sc) = year(10_000);
    bencher.bench(|| {
        let options = Options {
            budget: hour(),
            ..Options::default()
        };
        simulate_scenario(model, c, sc, &options)
            .expect("runs")
            .evaluations
    });
}

/// Absence sloping for five years (the longest horizon a model allows), hourly, on 10k
/// services, recording no service or every one: the series are thinned, so memory stays
/// bounded.
#[divan::bench(args = [false, true], sample_count = 1, sample_size = 1)]
fn five_years_hourly_10000(bencher: divan::Bencher, record_all: bool) {
    let (model, c, _) = year(10_000);
    let five = days(5 * 364);
    let pct = |f: f64| Percent::from_fraction(f).expect("fraction");
    let sc = Scenario {
        meta: Meta {
            name: "five years".into(),
            ..Meta::default()
        },
        horizon: Some(five),
        start: None,
        suspend: Vec::new(),
        events: vec![event(
            EventKind::Absence(
                Target::All(Pos::default()),
                vec![(days(0), pct(0.0)), (five, pct(0.3))],
            ),
            0,
            None,
        )],
    };
    let options = Options {
        record: if record_all {
            Record::All
        } else {
            Record::Nothing
        },
        ..Options::default()
    };
    bencher.bench(|| {
        let sim = simulate_scenario(model, c, &sc, &options).expect("runs");
        sim.series.iter().map(|s| s.points.len()).sum::<usize>()
    });
}

fn demo() -> &'static (Model, Compiled) {
    static DEMO: OnceLock<(Model, Compiled)> = OnceLock::new();
    DEMO.get_or_init(|| {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../examples/demo-council/council.yaml");
        let loaded = bulwark_model::load(&path);
        let c = Compiled::new(&loaded.model).expect("valid");
        (loaded.model, c)
    })
}

/// 10,000 trial-years of the demo council's failure rates.
#[divan::bench(sample_count = 3, sample_size = 1, counters = [divan::counter::ItemsCount::new(10_000usize)])]
fn montecarlo_demo_10k_years(bencher: divan::Bencher) {
    let (model, c) = demo();
    bencher.bench(|| {
        monte_carlo(
            model,
            c,
            McOptions {
                trials: 10_000,
                seed: 1,
            },
            &|_| {},
        )
        .services
        .len()
    });
}

/// The same, checking a time budget before every trial-year.
#[divan::bench(sample_count = 3, sample_size = 1, counters = [divan::counter::ItemsCount::new(10_000usize)])]
fn montecarlo_demo_10k_years_budgeted(bencher: divan::Bencher) {
    let (model, c) = demo();
    bencher.bench(|| {
        let options = McOptions {
            trials: 10_000,
            seed: 1,
        };
        monte_carlo_with_budget(model, c, options, &hour(), &|_| {})
            .expect("in budget")
            .services
            .len()
    });
}

/// 1,000 trial-years of a generated council of 10k services.
#[divan::bench(sample_count = 3, sample_size = 1, counters = [divan::counter::ItemsCount::new(1_000usize)])]
fn montecarlo_10k_services_1k_years(bencher: divan::Bencher) {
    let (model, c, _) = year(10_000);
    bencher.bench(|| {
        monte_carlo(
            model,
            c,
            McOptions {
                trials: 1_000,
                seed: 1,
            },
            &|_| {},
        )
        .services
        .len()
    });
}
