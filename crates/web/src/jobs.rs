//! Heavy work (loading and checking models, drawing, simulating, PDF) runs here: off the
//! async threads, at most [`crate::state::Settings::max_jobs`] at once. When every slot stays
//! taken for [`crate::state::Settings::queue_wait`], the request is answered 503 with
//! `Retry-After` instead of piling up, so `/healthz` and light pages keep answering.

use crate::error::WebError;
use crate::observability::JobKind;
use crate::state::AppState;
use std::sync::Arc;
use tokio::sync::Semaphore;

/// Runs `work` on the blocking pool once a slot is free; [`WebError::Busy`] when none frees
/// up in time. The slot is held until `work` ends, even if the caller has gone.
pub async fn run<T, F>(state: &AppState, work: F) -> Result<T, WebError>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    in_slot(state, JobKind::Analysis, state.jobs(), work).await
}

/// Runs a password check (argon2, about 19 MiB each) with at most
/// [`crate::state::Settings::max_password_checks`] at once.
pub async fn password<T, F>(state: &AppState, work: F) -> Result<T, WebError>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    in_slot(state, JobKind::Password, state.passwords(), work).await
}

async fn in_slot<T, F>(
    state: &AppState,
    kind: JobKind,
    slots: Arc<Semaphore>,
    work: F,
) -> Result<T, WebError>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let queued = state.metrics().job_waiting(kind);
    let permit = tokio::time::timeout(state.settings().queue_wait, slots.acquire_owned())
        .await
        .ok()
        .and_then(Result::ok);
    drop(queued);
    let Some(permit) = permit else {
        state.metrics().job_refused(kind);
        return Err(WebError::Busy);
    };
    // The job's log lines belong to the request that asked for it.
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || {
        let _slot = permit;
        let _span = span.enter();
        work()
    })
    .await
    .map_err(|e| WebError::Internal(format!("a background job failed: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::Settings;
    use bulwark_store::Backend;
    use bulwark_testkit::TestDatabase;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration as StdDuration;

    async fn state(settings: Settings) -> (AppState, TestDatabase) {
        let db = TestDatabase::new(Backend::Sqlite).await;
        let store = db.store().await;
        (AppState::with_settings(store, settings), db)
    }

    #[tokio::test]
    async fn password_checks_run_at_most_as_many_at_once_as_allowed() {
        let (state, _dir) = state(Settings {
            max_password_checks: 2,
            ..Settings::default()
        })
        .await;
        let (running, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let mut handles = Vec::new();
        for _ in 0..8 {
            let (state, running, most) = (state.clone(), running.clone(), most.clone());
            handles.push(tokio::spawn(async move {
                password(&state, move || {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(StdDuration::from_millis(50));
                    running.fetch_sub(1, Ordering::SeqCst);
                })
                .await
            }));
        }
        for h in handles {
            h.await.expect("joined").expect("each check runs in time");
        }
        assert_eq!(
            most.load(Ordering::SeqCst),
            2,
            "never more than two at once"
        );
    }

    #[tokio::test]
    async fn a_saturated_server_says_busy_instead_of_queueing_forever() {
        let (state, _dir) = state(Settings {
            max_jobs: 1,
            queue_wait: StdDuration::from_millis(100),
            ..Settings::default()
        })
        .await;
        let slow = {
            let state = state.clone();
            tokio::spawn(async move {
                run(&state, || std::thread::sleep(StdDuration::from_secs(1))).await
            })
        };
        tokio::time::sleep(StdDuration::from_millis(50)).await;
        let second = run(&state, || ()).await;
        assert!(matches!(second, Err(WebError::Busy)), "{second:?}");
        slow.await.expect("joined").expect("the first job finishes");
        run(&state, || ()).await.expect("free again afterwards");
    }
}
