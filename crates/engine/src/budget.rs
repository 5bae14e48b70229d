//! Cooperative limits on long analyses: a deadline, a cancel flag, or both.
//!
//! A [`Budget`] is checked by simulations (at every evaluation moment, so before every
//! redeployment plan) and by Monte Carlo runs (at every trial-year). When its deadline has
//! passed or its cancel flag is set, the analysis stops at the next check and returns
//! [`Stopped`] instead of a result. Checks read the clock only when there is a deadline, and
//! a run that is not stopped gives exactly the result it gives without a budget.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// When to stop a long analysis. The default, [`Budget::unlimited`], never stops it.
#[derive(Debug, Clone, Default)]
pub struct Budget {
    /// When the budget was made: what [`Stopped::after`] is measured from.
    started: Option<Instant>,
    deadline: Option<Instant>,
    cancel: Option<Arc<AtomicBool>>,
}

/// Why an analysis stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopCause {
    /// Its deadline passed.
    TimeBudget,
    /// Its cancel flag was set.
    Cancelled,
}

impl std::fmt::Display for StopCause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            StopCause::TimeBudget => "time budget",
            StopCause::Cancelled => "cancelled",
        })
    }
}

/// An analysis was stopped by its [`Budget`] before it finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("stopped after {:.1} seconds ({cause})", .after.as_secs_f64())]
pub struct Stopped {
    /// Why.
    pub cause: StopCause,
    /// How long after the budget was made.
    pub after: Duration,
}

impl Budget {
    /// No limit: checks always pass, without reading the clock.
    pub fn unlimited() -> Budget {
        Budget::default()
    }

    /// Stops at `deadline`.
    pub fn until(deadline: Instant) -> Budget {
        Budget {
            started: Some(Instant::now()),
            deadline: Some(deadline),
            cancel: None,
        }
    }

    /// Stops `limit` from now (never, when that is too far ahead to represent).
    pub fn with_timeout(limit: Duration) -> Budget {
        let now = Instant::now();
        Budget {
            started: Some(now),
            deadline: now.checked_add(limit),
            cancel: None,
        }
    }

    /// Also stops once `flag` is set (from any thread).
    pub fn with_cancel(mut self, flag: Arc<AtomicBool>) -> Budget {
        self.started.get_or_insert_with(Instant::now);
        self.cancel = Some(flag);
        self
    }

    /// Whether this budget never stops anything.
    pub fn is_unlimited(&self) -> bool {
        self.deadline.is_none() && self.cancel.is_none()
    }

    /// `Err(Stopped)` when the analysis should stop now: cheap enough to call at every step.
    pub fn check(&self) -> Result<(), Stopped> {
        let cause = if self
            .cancel
            .as_ref()
            .is_some_and(|c| c.load(Ordering::Relaxed))
        {
            StopCause::Cancelled
        } else if self.deadline.is_some_and(|d| Instant::now() >= d) {
            StopCause::TimeBudget
        } else {
            return Ok(());
        };
        Err(Stopped {
            cause,
            after: self.started.map_or(Duration::ZERO, |s| s.elapsed()),
        })
    }
}
