//! Bulwark's web app: server-rendered pages (GOV.UK Design System patterns, no JavaScript
//! needed) and a JSON API documented by OpenAPI, over the store and the engine.
//!
//! Every route is declared once in a [`routes::Table`] with the access it needs; every route
//! that shows an organisation's data takes an [`access`] extractor that resolves the caller's
//! role there first (a caller who is not a member gets 404, never the data), and every
//! request passes one [`gate`] for cross-site refusal, CSRF and body limits.

pub mod access;
pub mod api;
pub mod auth;
pub mod board;
pub mod cap;
pub mod error;
pub mod gate;
pub mod incidents;
pub mod jobs;
pub mod labels;
pub mod models;
pub mod observability;
pub mod pages;
pub mod password;
pub mod people;
pub mod replay;
pub mod report;
pub mod routes;
pub mod sign_on;
pub mod state;
pub mod warnings;

pub use bulwark_rules::exercises;
pub use state::{AppState, Settings};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use routes::{Guard, Table};
use std::net::SocketAddr;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::set_header::SetResponseHeaderLayer;

/// GOV.UK Frontend's stylesheet, vendored by `scripts/vendor-frontend`.
const GOVUK_CSS: &str = include_str!("../static/vendor/govuk-frontend-6.6.0.min.css");
/// Bulwark's own stylesheet.
const APP_CSS: &str = include_str!("../static/app.css");
/// Live updates and countdowns on an incident's pages (the pages work without it).
const INCIDENT_JS: &str = include_str!("../static/incident.js");

/// Routes anyone may call: the health check, the stylesheets and the incident pages' script.
pub(crate) fn public_routes() -> Table {
    Table::new()
        .get("/healthz", Guard::Public, healthz)
        .get("/static/govuk.css", Guard::Public, || css(GOVUK_CSS))
        .get("/static/app.css", Guard::Public, || css(APP_CSS))
        .get("/static/incident.js", Guard::Public, script)
}

/// The whole application: pages, API, static files and health check, behind the gate
/// ([`gate::gate`]: cross-site refusal, CSRF, body limit), with security headers and panics
/// answered as errors rather than dropped connections.
pub fn app(state: AppState) -> Router {
    let (router, _) = pages::routes()
        .merge(api::routes())
        .merge(public_routes())
        .into_parts();
    let max_upload = state.max_upload();
    let mut app = router
        .layer(axum::middleware::from_fn_with_state(state.clone(), gate::gate))
        .layer(DefaultBodyLimit::max(max_upload))
        .layer(axum::middleware::from_fn(gate::error_shapes))
        .layer(CatchPanicLayer::custom(panicked))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"),
        ))
        // Signed-in pages, exports and API answers are never kept by browsers or proxies;
        // the stylesheets say otherwise for themselves.
        .layer(SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, HeaderValue::from_static("no-store")));
    if state.secure_cookies() {
        app = app.layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        ));
    }
    // Outermost: every answer, a panic's too, carries the request id, and is counted.
    app.layer(axum::middleware::from_fn_with_state(
        state.clone(),
        observability::observe,
    ))
    .with_state(state)
}

/// A handler that panicked: logged, and answered as an error, never a dropped connection.
fn panicked(detail: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let what = detail
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| detail.downcast_ref::<&str>().copied())
        .unwrap_or("unknown");
    error::PageError(error::WebError::Internal(format!(
        "a request panicked: {what}"
    )))
    .into_response()
}

async fn css(text: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        text,
    )
}

async fn script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        INCIDENT_JS,
    )
}

/// `GET /healthz`: 200 when the database answers.
async fn healthz(axum::extract::State(state): axum::extract::State<AppState>) -> impl IntoResponse {
    if state.store().healthy().await {
        (axum::http::StatusCode::OK, "ok")
    } else {
        (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "database unavailable",
        )
    }
}

/// Serves the app on `listener` until Ctrl-C, with each caller's address known (for sign-in
/// throttling).
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
}
