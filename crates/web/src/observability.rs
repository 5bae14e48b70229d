//! What operators see of a running server: a request id on every request (in its log lines,
//! in the `x-request-id` response header, and on error pages for people to quote), and
//! Prometheus metrics served only by a separate listener ([`metrics_app`]), never by the app.
//!
//! The metrics are kept per [`AppState`] (one registry each, so two servers in one process
//! do not mix their figures); gauges that describe the present (database connections,
//! running jobs, cached models) are read when Prometheus scrapes.

use crate::state::AppState;
use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::sync::Arc;
use std::time::Instant;
use tracing::Instrument;

/// The header that carries a request's id, both ways.
pub const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// The label of requests that matched no route (any path, so it cannot name them).
pub const UNMATCHED: &str = "unmatched";

/// The route load balancers poll, logged only at debug level when it answers well.
const HEALTH_CHECK: &str = "/healthz";

/// Upper bounds of the request latency buckets, in seconds: from a cached page to a long
/// analysis near the job time limit.
const LATENCY_BUCKETS: [f64; 14] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0,
];

/// The id of one request: made fresh, or taken from a trusted proxy's `x-request-id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(Arc<str>);

impl RequestId {
    /// A new random id: 16 hexadecimal digits, short enough to read out over the phone.
    pub fn new() -> RequestId {
        let mut bytes = [0u8; 8];
        // If the system has no randomness to give, the id is still unique enough to find a
        // log line by its time; the request must not fail for it.
        let _ = getrandom::fill(&mut bytes);
        let text: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        RequestId(text.into())
    }

    /// The id a proxy sent, if it is safe to log and echo: 1 to 128 letters, digits and
    /// `-_.:` (so a log line or a header cannot be forged through it).
    pub fn from_header(value: &HeaderValue) -> Option<RequestId> {
        let text = value.to_str().ok()?;
        let fits = !text.is_empty()
            && text.len() <= 128
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'));
        fits.then(|| RequestId(text.into()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for RequestId {
    fn default() -> RequestId {
        RequestId::new()
    }
}

impl std::fmt::Display for RequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

tokio::task_local! {
    /// The id of the request being answered on this task.
    static CURRENT: RequestId;
}

/// The id of the request being answered, inside [`observe`] (error pages show it).
pub fn current_request_id() -> Option<RequestId> {
    CURRENT.try_with(Clone::clone).ok()
}

/// The middleware around every request: gives it an id (a trusted proxy's, with
/// `behind_proxy`, else a new one), runs it in a tracing span that carries the id, the
/// method and the route pattern, echoes the id in `x-request-id`, logs one line when it
/// ends, and counts it in the metrics by route pattern, never by its concrete path.
pub async fn observe(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = state
        .settings()
        .behind_proxy
        .then(|| request.headers().get(&REQUEST_ID_HEADER))
        .flatten()
        .and_then(RequestId::from_header)
        .unwrap_or_default();
    request.extensions_mut().insert(id.clone());
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or(UNMATCHED, MatchedPath::as_str)
        .to_string();
    let method = method_label(request.method());
    let span = tracing::info_span!("request", request_id = %id, method = %method, route = %route);
    let mut response = CURRENT
        .scope(id.clone(), next.run(request).instrument(span.clone()))
        .await;
    let elapsed = started.elapsed();
    let status = response.status();
    span.in_scope(|| {
        // Milliseconds to the microsecond, so a log line stays short.
        let ms = elapsed.as_micros() as f64 / 1000.0;
        let status = status.as_u16();
        if status >= 500 {
            tracing::warn!(status, ms, "answered");
        } else if route == HEALTH_CHECK {
            // A load balancer asks every few seconds: not worth a line each time.
            tracing::debug!(status, ms, "answered");
        } else {
            tracing::info!(status, ms, "answered");
        }
    });
    state
        .metrics()
        .record_request(route, method, status, elapsed.as_secs_f64());
    if let Ok(value) = HeaderValue::from_str(id.as_str()) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    response
}

/// The method as a label: the usual ones by name, anything else as `other` (bounded).
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// The class of a status, like `2xx`.
fn status_class(status: StatusCode) -> &'static str {
    match status.as_u16() {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    method: &'static str,
    status: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
    method: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct BuildLabels {
    version: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct JobLabels {
    kind: &'static str,
}

/// Which limit a job waits under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    /// Loading, checking, drawing, simulating, PDF ([`crate::jobs::run`]).
    Analysis,
    /// Password checks ([`crate::jobs::password`]).
    Password,
}

impl JobKind {
    fn label(self) -> JobLabels {
        JobLabels {
            kind: match self {
                JobKind::Analysis => "analysis",
                JobKind::Password => "password",
            },
        }
    }
}

fn latency_histogram() -> Histogram {
    Histogram::new(LATENCY_BUCKETS)
}

/// The server's metrics, in one registry per [`AppState`].
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram, fn() -> Histogram>,
    pool_open: Gauge,
    pool_idle: Gauge,
    pool_max: Gauge,
    jobs_running: Family<JobLabels, Gauge>,
    jobs_queued: Family<JobLabels, Gauge>,
    jobs_limit: Family<JobLabels, Gauge>,
    jobs_refused: Family<JobLabels, Counter>,
    cache_entries: Gauge,
    cache_hits: Counter,
    cache_misses: Counter,
    signin_failures: Counter,
    signin_throttled: Counter,
}

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics::new()
    }
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Metrics {
    /// Every metric, registered and at zero.
    pub fn new() -> Metrics {
        let mut m = Metrics {
            requests: Family::default(),
            latency: Family::new_with_constructor(latency_histogram),
            pool_open: Gauge::default(),
            pool_idle: Gauge::default(),
            pool_max: Gauge::default(),
            jobs_running: Family::default(),
            jobs_queued: Family::default(),
            jobs_limit: Family::default(),
            jobs_refused: Family::default(),
            cache_entries: Gauge::default(),
            cache_hits: Counter::default(),
            cache_misses: Counter::default(),
            signin_failures: Counter::default(),
            signin_throttled: Counter::default(),
            registry: Registry::default(),
        };
        let registry = &mut m.registry;
        // A gauge at 1 (the usual `_info` convention) rather than OpenMetrics' info type,
        // which tools that read only Prometheus' text format refuse.
        let build = Family::<BuildLabels, Gauge>::default();
        build
            .get_or_create(&BuildLabels {
                version: env!("CARGO_PKG_VERSION"),
            })
            .set(1);
        registry.register(
            "bulwark_build_info",
            "This build of Bulwark, by version (always 1)",
            build,
        );
        registry.register(
            "bulwark_http_requests",
            "HTTP requests answered, by route pattern, method and status class",
            m.requests.clone(),
        );
        registry.register_with_unit(
            "bulwark_http_request_duration",
            "Time to answer HTTP requests, by route pattern and method",
            prometheus_client::registry::Unit::Seconds,
            m.latency.clone(),
        );
        registry.register(
            "bulwark_db_pool_connections",
            "Database connections open",
            m.pool_open.clone(),
        );
        registry.register(
            "bulwark_db_pool_idle_connections",
            "Database connections open and idle",
            m.pool_idle.clone(),
        );
        registry.register(
            "bulwark_db_pool_max_connections",
            "The most database connections the server opens",
            m.pool_max.clone(),
        );
        registry.register(
            "bulwark_jobs_running",
            "Heavy jobs running now, by kind (analysis or password)",
            m.jobs_running.clone(),
        );
        registry.register(
            "bulwark_jobs_queued",
            "Heavy jobs waiting for a free slot now, by kind",
            m.jobs_queued.clone(),
        );
        registry.register(
            "bulwark_jobs_limit",
            "Heavy jobs that may run at once, by kind",
            m.jobs_limit.clone(),
        );
        registry.register(
            "bulwark_jobs_refused",
            "Requests answered 503 busy because no slot freed up in time, by kind",
            m.jobs_refused.clone(),
        );
        registry.register(
            "bulwark_model_cache_entries",
            "Organisations' models held checked and compiled in memory",
            m.cache_entries.clone(),
        );
        registry.register(
            "bulwark_model_cache_hits",
            "Model requests answered from memory",
            m.cache_hits.clone(),
        );
        registry.register(
            "bulwark_model_cache_misses",
            "Model loads from the database (first use, or after a change)",
            m.cache_misses.clone(),
        );
        registry.register(
            "bulwark_signin_failures",
            "Failed sign-ins (wrong email or password)",
            m.signin_failures.clone(),
        );
        registry.register(
            "bulwark_signin_throttled",
            "Sign-ins refused for now after repeated failures",
            m.signin_throttled.clone(),
        );
        m
    }

    fn record_request(&self, route: String, method: &'static str, status: StatusCode, secs: f64) {
        self.latency
            .get_or_create(&RouteLabels {
                route: route.clone(),
                method,
            })
            .observe(secs);
        self.requests
            .get_or_create(&RequestLabels {
                route,
                method,
                status: status_class(status),
            })
            .inc();
    }

    /// A job starts waiting for a slot; it counts as queued until the guard is dropped.
    pub(crate) fn job_waiting(&self, kind: JobKind) -> Queued {
        let gauge = self.jobs_queued.get_or_create(&kind.label()).clone();
        gauge.inc();
        Queued(gauge)
    }

    /// A job was refused because every slot stayed taken.
    pub(crate) fn job_refused(&self, kind: JobKind) {
        self.jobs_refused.get_or_create(&kind.label()).inc();
    }

    /// A model was served from memory.
    pub(crate) fn model_cache_hit(&self) {
        self.cache_hits.inc();
    }

    /// A model was loaded from the database.
    pub(crate) fn model_cache_miss(&self) {
        self.cache_misses.inc();
    }

    /// A sign-in failed.
    pub fn signin_failed(&self) {
        self.signin_failures.inc();
    }

    /// A sign-in was refused for now after repeated failures.
    pub fn signin_throttled(&self) {
        self.signin_throttled.inc();
    }

    /// The metrics as Prometheus (OpenMetrics) text, with the present read from `state`.
    pub fn render(&self, state: &AppState) -> String {
        let pool = state.store().pool_status();
        self.pool_open.set(i64::from(pool.open));
        self.pool_idle.set(pool.idle as i64);
        self.pool_max.set(i64::from(pool.max));
        let settings = state.settings();
        for (kind, slots, limit) in [
            (JobKind::Analysis, state.jobs(), settings.max_jobs),
            (
                JobKind::Password,
                state.passwords(),
                settings.max_password_checks,
            ),
        ] {
            let limit = limit.max(1);
            let free = slots.available_permits().min(limit);
            self.jobs_limit
                .get_or_create(&kind.label())
                .set(limit as i64);
            self.jobs_running
                .get_or_create(&kind.label())
                .set((limit - free) as i64);
            // Present from the first scrape, so a dashboard sees zero rather than nothing.
            let _ = self.jobs_queued.get_or_create(&kind.label());
            let _ = self.jobs_refused.get_or_create(&kind.label());
        }
        self.cache_entries.set(state.cached_models() as i64);
        let mut text = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }
}

/// A job counted as queued while this lives.
pub(crate) struct Queued(Gauge);

impl Drop for Queued {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// The metrics listener's app: `GET /metrics` and nothing else. Serve it on an address only
/// the monitoring system reaches (`bulwark serve --metrics-listen`); the main app has no
/// `/metrics`.
pub fn metrics_app(state: AppState) -> Router {
    Router::new()
        .route("/metrics", axum::routing::get(metrics))
        .with_state(state)
}

/// Serves [`metrics_app`] on `listener` (its own address, apart from the app's).
pub async fn serve_metrics(
    listener: tokio::net::TcpListener,
    state: AppState,
) -> std::io::Result<()> {
    axum::serve(listener, metrics_app(state)).await
}

/// `GET /metrics` on the metrics listener.
async fn metrics(State(state): State<AppState>) -> Response {
    let text = state.metrics().render(&state);
    (
        [
            (
                header::CONTENT_TYPE,
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        text,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_ids_are_sixteen_hex_digits_and_differ() {
        let (a, b) = (RequestId::new(), RequestId::new());
        assert_eq!(a.as_str().len(), 16);
        assert!(a.as_str().bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }

    #[test]
    fn a_proxy_id_is_taken_only_when_safe_to_log() {
        let odd = HeaderValue::from_static("Root=1-67891233-abcdef012345678912345678");
        assert!(RequestId::from_header(&odd).is_none(), "'=' is not allowed");
        let ok = HeaderValue::from_static("f0e1d2c3-b4a5-4697-8899-aabbccddeeff");
        assert_eq!(
            RequestId::from_header(&ok)
                .map(|r| r.to_string())
                .as_deref(),
            Some("f0e1d2c3-b4a5-4697-8899-aabbccddeeff")
        );
        for bad in ["", "a b", "x\"y", "{json}"] {
            let v = HeaderValue::from_str(bad).unwrap();
            assert!(RequestId::from_header(&v).is_none(), "{bad:?}");
        }
        let long = HeaderValue::from_str(&"a".repeat(129)).unwrap();
        assert!(RequestId::from_header(&long).is_none());
    }

    #[test]
    fn methods_and_statuses_become_bounded_labels() {
        assert_eq!(method_label(&Method::GET), "GET");
        assert_eq!(method_label(&Method::from_bytes(b"BREW").unwrap()), "other");
        assert_eq!(status_class(StatusCode::NOT_FOUND), "4xx");
        assert_eq!(status_class(StatusCode::SERVICE_UNAVAILABLE), "5xx");
    }
}
