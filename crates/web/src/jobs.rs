//! Heavy work (loading and checking models, drawing, simulating, PDF) runs here: off the
//! async threads, at most [`crate::state::Settings::max_jobs`] at once. When every slot stays
//! taken for [`QUEUE_WAIT`], the request is answered 503 with `Retry-After` instead of
//! piling up, so `/healthz` and light pages keep answering.

use crate::error::WebError;
use crate::state::AppState;
use std::time::Duration;

/// How long a request waits for a free slot before it is told the server is busy.
pub const QUEUE_WAIT: Duration = Duration::from_secs(5);

/// Runs `work` on the blocking pool once a slot is free; [`WebError::Busy`] when none frees
/// up in time. The slot is held until `work` ends, even if the caller has gone.
pub async fn run<T, F>(state: &AppState, work: F) -> Result<T, WebError>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let permit = tokio::time::timeout(QUEUE_WAIT, state.jobs().acquire_owned())
        .await
        .map_err(|_| WebError::Busy)?
        .map_err(|_| WebError::Busy)?;
    tokio::task::spawn_blocking(move || {
        let _slot = permit;
        work()
    })
    .await
    .map_err(|e| WebError::Internal(format!("a background job failed: {e}")))
}

/// Runs a password check (argon2, about 19 MiB each) with at most
/// [`crate::state::Settings::max_password_checks`] at once.
pub async fn password<T, F>(state: &AppState, work: F) -> Result<T, WebError>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let permit = tokio::time::timeout(QUEUE_WAIT, state.passwords().acquire_owned())
        .await
        .map_err(|_| WebError::Busy)?
        .map_err(|_| WebError::Busy)?;
    tokio::task::spawn_blocking(move || {
        let _slot = permit;
        work()
    })
    .await
    .map_err(|e| WebError::Internal(format!("a password check failed: {e}")))
}
