//! Bounded work: time budgets and cancellation stop long analyses cooperatively, and a long
//! horizon cannot make a simulation's steps or series grow without bound.

use bulwark_engine::montecarlo::{McError, McOptions, monte_carlo, monte_carlo_with_budget};
use bulwark_engine::simulate::{
    MAX_SERIES_POINTS, MAX_STEPS, Options, Record, SimError, simulate, simulate_scenario,
};
use bulwark_engine::{Budget, Compiled, StopCause, Stopped};
use bulwark_model::generate::{Shape, generate};
use bulwark_model::{Duration, Event, EventKind, Meta, Model, Percent, Pos, Scenario, Target};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

fn demo() -> (Model, Compiled) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/demo-council/council.yaml");
    let loaded = bulwark_model::load(&path);
    assert!(loaded.is_valid());
    let c = Compiled::new(&loaded.model).unwrap();
    (loaded.model, c)
}

/// Absence across all skills sloping from none to `peak` over the whole `horizon`.
fn sloping(horizon: &str, peak: f64) -> Scenario {
    let horizon: Duration = horizon.parse().unwrap();
    Scenario {
        meta: Meta {
            name: "long".into(),
            ..Meta::default()
        },
        horizon: Some(horizon),
        start: None,
        suspend: Vec::new(),
        events: vec![Event {
            kind: EventKind::Absence(
                Target::All(Pos::default()),
                vec![
                    (
                        Duration::from_minutes(0),
                        Percent::from_fraction(0.0).unwrap(),
                    ),
                    (horizon, Percent::from_fraction(peak).unwrap()),
                ],
            ),
            at: Duration::from_minutes(0),
            duration: None,
            pos: Pos::default(),
            extensions: Vec::new(),
        }],
    }
}

fn passed() -> Budget {
    Budget::with_timeout(std::time::Duration::ZERO)
}

#[test]
fn five_years_of_sloping_absence_keep_bounded_series_that_still_show_the_lowest_point() {
    let model = generate(Shape {
        services: 50,
        seed: 3,
    });
    let c = Compiled::new(&model).unwrap();
    let sc = sloping("260w", 0.6);
    let options = Options {
        record: Record::All,
        ..Options::default()
    };
    let sim = simulate_scenario(&model, &c, &sc, &options).unwrap();
    // Hourly for five years is within the step limit, so every hour is evaluated...
    assert_eq!(sim.step, Duration::from_minutes(60));
    assert_eq!(sim.evaluations, 260 * 7 * 24 + 1);
    // ...but a series keeps at most its limit of points, in time order.
    assert_eq!(sim.series.len(), c.services.len());
    for (s, out) in sim.series.iter().zip(&sim.services) {
        assert!(s.points.len() <= MAX_SERIES_POINTS, "{}", s.points.len());
        assert!(s.points.len() > MAX_SERIES_POINTS / 3, "{}", s.points.len());
        assert!(s.points.windows(2).all(|w| w[0].0 < w[1].0));
        let lowest = s.points.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
        assert!(
            (lowest - out.min_capacity).abs() < 1e-12,
            "{lowest} vs {out:?}"
        );
    }
    assert!(sim.services.iter().any(|s| s.min_capacity < 0.9));
}

#[test]
fn a_fine_step_over_a_long_horizon_is_widened_to_bound_the_evaluations() {
    let model = generate(Shape {
        services: 25,
        seed: 1,
    });
    let c = Compiled::new(&model).unwrap();
    let options = Options {
        step: Duration::from_minutes(1),
        ..Options::default()
    };
    let sim = simulate_scenario(&model, &c, &sloping("260w", 0.5), &options).unwrap();
    let horizon = 260 * 7 * 1440;
    assert_eq!(sim.step.minutes(), u64::div_ceil(horizon, MAX_STEPS));
    assert!(
        sim.evaluations as u64 <= MAX_STEPS + 2,
        "{}",
        sim.evaluations
    );
}

#[test]
fn a_passed_deadline_stops_a_simulation_with_or_without_redeployment() {
    let (m, c) = demo();
    for redeploy in [None, Some(Duration::from_minutes(1440))] {
        let options = Options {
            redeploy,
            budget: passed(),
            ..Options::default()
        };
        let err = simulate(&m, &c, "pandemic-wave", &options).unwrap_err();
        assert!(
            matches!(
                err,
                SimError::Stopped(Stopped {
                    cause: StopCause::TimeBudget,
                    ..
                })
            ),
            "{err:?}"
        );
        let text = err.to_string();
        assert!(
            text.starts_with("the simulation was stopped after ")
                && text.ends_with(" seconds (time budget)"),
            "{text}"
        );
    }
}

#[test]
fn a_passed_deadline_stops_monte_carlo() {
    let (m, c) = demo();
    let options = McOptions {
        trials: 1_000,
        seed: 1,
    };
    let done = AtomicU64::new(0);
    let err = monte_carlo_with_budget(&m, &c, options, &passed(), &|n| {
        done.fetch_add(n, Ordering::Relaxed);
    })
    .unwrap_err();
    assert!(
        matches!(
            err,
            McError::Stopped(Stopped {
                cause: StopCause::TimeBudget,
                ..
            })
        ),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .starts_with("the Monte Carlo run was stopped after")
    );
    assert_eq!(done.into_inner(), 0);
}

#[test]
fn a_cancel_flag_set_from_another_thread_stops_a_long_monte_carlo() {
    let (m, c) = demo();
    let flag = Arc::new(AtomicBool::new(false));
    let budget = Budget::unlimited().with_cancel(flag.clone());
    let options = McOptions {
        trials: 1_000_000_000,
        seed: 1,
    };
    let start = Instant::now();
    let canceller = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(200));
        flag.store(true, Ordering::Relaxed);
    });
    let done = AtomicU64::new(0);
    let err = monte_carlo_with_budget(&m, &c, options, &budget, &|n| {
        done.fetch_add(n, Ordering::Relaxed);
    })
    .unwrap_err();
    canceller.join().unwrap();
    assert!(
        matches!(
            err,
            McError::Stopped(Stopped {
                cause: StopCause::Cancelled,
                ..
            })
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("(cancelled)"), "{err}");
    assert!(start.elapsed() < std::time::Duration::from_secs(30));
    assert!(done.into_inner() < options.trials);
}

#[test]
fn a_budget_that_does_not_run_out_changes_nothing() {
    let (m, c) = demo();
    let budget = Budget::with_timeout(std::time::Duration::from_secs(3600))
        .with_cancel(Arc::new(AtomicBool::new(false)));
    let plain = simulate(&m, &c, "pandemic-wave", &Options::default()).unwrap();
    let budgeted = simulate(
        &m,
        &c,
        "pandemic-wave",
        &Options {
            budget: budget.clone(),
            ..Options::default()
        },
    )
    .unwrap();
    assert_eq!(plain.services, budgeted.services);
    let options = McOptions {
        trials: 300,
        seed: 5,
    };
    let plain = monte_carlo(&m, &c, options, &|_| {});
    let budgeted = monte_carlo_with_budget(&m, &c, options, &budget, &|_| {}).unwrap();
    assert_eq!(plain.services, budgeted.services);
}
