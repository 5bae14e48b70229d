//! Time budgets and cancellation stop long analyses cooperatively.

use bulwark_engine::montecarlo::{McError, McOptions, monte_carlo, monte_carlo_with_budget};
use bulwark_engine::simulate::{Options, SimError, simulate};
use bulwark_engine::{Budget, Compiled, StopCause, Stopped};
use bulwark_model::{Duration, Model};
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

fn passed() -> Budget {
    Budget::with_timeout(std::time::Duration::ZERO)
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
