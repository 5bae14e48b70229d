//! What every request shares: the store, settings, compiled models cached by version, and
//! the limits on heavy work.

use crate::error::WebError;
use crate::models::OrgModel;
use crate::observability::Metrics;
use crate::sign_on::Provider;
use bulwark_store::{Keyring, Store};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Semaphore, broadcast};

/// How the server runs; [`Settings::default`] is safe for most deployments.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Mark cookies `Secure` with the `__Host-` prefix and send HSTS (set it behind TLS).
    pub secure_cookies: bool,
    /// The largest request body accepted, in bytes (model imports are the largest).
    pub max_upload: usize,
    /// Heavy jobs (loading, checking, drawing, simulating) that may run at once.
    pub max_jobs: usize,
    /// The longest one heavy job may run before it is stopped.
    pub job_time: Duration,
    /// How long a request waits for a free slot before it is told the server is busy.
    pub queue_wait: Duration,
    /// Password checks that may run at once (each takes about 19 MiB for a moment).
    pub max_password_checks: usize,
    /// Take the caller's address from the last `X-Forwarded-For` entry (set it only behind a
    /// proxy that sets that header), for sign-in throttling.
    pub behind_proxy: bool,
    /// The single sign-on provider, if the server is registered with one.
    pub sign_on: Option<Arc<Provider>>,
    /// The keys that seal personal data (person records); without them those pages and API
    /// routes answer 503 and nothing personal can be stored or read.
    pub people_keys: Option<Arc<Keyring>>,
    /// Requests for help the public form accepts from one address in an hour (each server
    /// counts its own).
    pub public_requests_per_hour: usize,
}

impl Default for Settings {
    fn default() -> Settings {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Settings {
            secure_cookies: false,
            max_upload: 64 * 1024 * 1024,
            max_jobs: (2 * cores).max(2),
            job_time: Duration::from_secs(60),
            queue_wait: Duration::from_secs(5),
            max_password_checks: cores.max(2),
            behind_proxy: false,
            sign_on: None,
            people_keys: None,
            public_requests_per_hour: 10,
        }
    }
}

/// Shared application state.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    settings: Settings,
    cache: Mutex<HashMap<i64, Arc<OrgModel>>>,
    loading: Mutex<HashMap<i64, Arc<tokio::sync::Mutex<()>>>>,
    jobs: Arc<Semaphore>,
    passwords: Arc<Semaphore>,
    metrics: Metrics,
    /// Incidents changed, by id: what the pages of open incidents listen to.
    incident_events: broadcast::Sender<i64>,
    /// True while a task relays the database's change notifications to `incident_events`.
    relaying: Arc<AtomicBool>,
    /// When each client address last sent requests through the public form (the last hour).
    public_requests: Mutex<HashMap<String, Vec<i64>>>,
}

impl AppState {
    /// State over `store` with default settings; `secure_cookies` as in [`Settings`].
    pub fn new(store: Store, secure_cookies: bool) -> AppState {
        AppState::with_settings(
            store,
            Settings {
                secure_cookies,
                ..Settings::default()
            },
        )
    }

    /// State over `store` with `settings`.
    pub fn with_settings(store: Store, settings: Settings) -> AppState {
        AppState {
            inner: Arc::new(Inner {
                store,
                jobs: Arc::new(Semaphore::new(settings.max_jobs.max(1))),
                passwords: Arc::new(Semaphore::new(settings.max_password_checks.max(1))),
                settings,
                cache: Mutex::new(HashMap::new()),
                loading: Mutex::new(HashMap::new()),
                metrics: Metrics::new(),
                incident_events: broadcast::channel(256).0,
                relaying: Arc::new(AtomicBool::new(false)),
                public_requests: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// The database.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.inner.settings
    }

    /// The single sign-on provider, if there is one.
    pub fn sign_on(&self) -> Option<&Provider> {
        self.inner.settings.sign_on.as_deref()
    }

    /// The keys for personal data, or a 503 that says how to configure them.
    pub fn people_keys(&self) -> Result<&Keyring, WebError> {
        self.inner.settings.people_keys.as_deref().ok_or_else(|| {
            WebError::Unavailable(
                "Personal data is switched off on this server: it has no key to seal it with. \
                 Start it with --people-key-file (see \"Personal data keys\" in the README)."
                    .into(),
            )
        })
    }

    /// Counts one request through the public form from `address` at `now`: false, counting
    /// nothing, when that address has already sent the hour's allowance.
    pub(crate) fn take_public_request(&self, address: &str, now: i64) -> bool {
        let mut sent = self
            .inner
            .public_requests
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if sent.len() > 10_000 {
            sent.retain(|_, times| times.iter().any(|t| now - t < 3600));
        }
        let times = sent.entry(address.to_string()).or_default();
        times.retain(|t| now - t < 3600);
        if times.len() >= self.inner.settings.public_requests_per_hour {
            return false;
        }
        times.push(now);
        true
    }

    /// Whether cookies carry `Secure` (and the `__Host-` prefix).
    pub fn secure_cookies(&self) -> bool {
        self.inner.settings.secure_cookies
    }

    /// The largest request body accepted, in bytes.
    pub fn max_upload(&self) -> usize {
        self.inner.settings.max_upload
    }

    /// The permits for heavy jobs.
    pub(crate) fn jobs(&self) -> Arc<Semaphore> {
        self.inner.jobs.clone()
    }

    /// The permits for password checks.
    pub(crate) fn passwords(&self) -> Arc<Semaphore> {
        self.inner.passwords.clone()
    }

    /// The server's metrics.
    pub fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    /// The cached model of `org` if it is still at `version` (counted as a cache hit).
    pub(crate) fn cached(&self, org: i64, version: i64) -> Option<Arc<OrgModel>> {
        let cache = self.inner.cache.lock().unwrap_or_else(|e| e.into_inner());
        let found = cache.get(&org).filter(|m| m.version == version).cloned();
        if found.is_some() {
            self.inner.metrics.model_cache_hit();
        }
        found
    }

    /// Remembers a freshly loaded or edited model, unless a newer version is already kept
    /// (counted as a cache miss: the version asked for was not cached).
    pub(crate) fn remember(&self, org: i64, model: Arc<OrgModel>) {
        self.inner.metrics.model_cache_miss();
        let mut cache = self.inner.cache.lock().unwrap_or_else(|e| e.into_inner());
        if cache.get(&org).is_none_or(|m| m.version <= model.version) {
            cache.insert(org, model);
        }
    }

    /// How many organisations' models are cached.
    pub(crate) fn cached_models(&self) -> usize {
        let cache = self.inner.cache.lock().unwrap_or_else(|e| e.into_inner());
        cache.len()
    }

    /// The lock that makes concurrent requests for `org`'s model load it once.
    pub(crate) fn loading(&self, org: i64) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self.inner.loading.lock().unwrap_or_else(|e| e.into_inner());
        locks.entry(org).or_default().clone()
    }

    /// Tells the pages of incident `id` open on every server that it changed: through the
    /// database on PostgreSQL (so other replicas hear it too), directly on SQLite.
    pub async fn incident_changed(&self, id: i64) {
        match self.store().notify_incident(id).await {
            Ok(true) => {}
            Ok(false) => {
                let _ = self.inner.incident_events.send(id);
            }
            Err(e) => {
                tracing::warn!("cannot announce a change to incident {id} to other servers: {e}");
                let _ = self.inner.incident_events.send(id);
            }
        }
    }

    /// The ids of incidents as they change, on this server and (on PostgreSQL) every other.
    pub fn incident_events(&self) -> broadcast::Receiver<i64> {
        let events = self.inner.incident_events.subscribe();
        self.relay_notifications();
        events
    }

    /// On PostgreSQL, starts (once) a task that relays the database's change notifications to
    /// this server's listeners. It stops when nobody has listened for a while, so an idle
    /// server holds no extra connection; the next listener starts it again.
    fn relay_notifications(&self) {
        if self.store().backend() != bulwark_store::Backend::Postgres
            || self.inner.relaying.swap(true, Ordering::SeqCst)
        {
            return;
        }
        let store = self.store().clone();
        let events = self.inner.incident_events.clone();
        let relaying = self.inner.relaying.clone();
        tokio::spawn(async move {
            loop {
                while events.receiver_count() > 0 {
                    let mut listener = match store.incident_listener().await {
                        Ok(Some(l)) => l,
                        Ok(None) => break,
                        Err(e) => {
                            tracing::warn!("cannot listen for incident changes: {e}");
                            tokio::time::sleep(Duration::from_secs(5)).await;
                            continue;
                        }
                    };
                    loop {
                        tokio::select! {
                            next = listener.next() => match next {
                                Ok(id) => {
                                    let _ = events.send(id);
                                }
                                Err(e) => {
                                    tracing::warn!("lost the connection that listens for incident changes: {e}");
                                    break;
                                }
                            },
                            () = tokio::time::sleep(Duration::from_secs(30)) => {
                                if events.receiver_count() == 0 {
                                    break;
                                }
                            }
                        }
                    }
                }
                relaying.store(false, Ordering::SeqCst);
                // Someone may have started listening just as this stopped: carry on for them.
                if events.receiver_count() == 0 || relaying.swap(true, Ordering::SeqCst) {
                    break;
                }
            }
        });
    }
}
