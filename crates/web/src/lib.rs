//! Bulwark's web app: server-rendered pages (GOV.UK Design System patterns, no JavaScript
//! needed) and a JSON API documented by OpenAPI, over the store and the engine.
//!
//! Every route that shows an organisation's data resolves the caller's role in that
//! organisation first ([`access`]); a caller who is not a member gets 404, never the data.

pub mod access;
pub mod api;
pub mod auth;
pub mod error;
pub mod exercises;
pub mod models;
pub mod pages;
pub mod password;
pub mod report;
pub mod state;

pub use state::AppState;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use axum::routing::get;
use tower_http::set_header::SetResponseHeaderLayer;

/// GOV.UK Frontend's stylesheet, vendored by `scripts/vendor-frontend`.
const GOVUK_CSS: &str = include_str!("../static/vendor/govuk-frontend-6.6.0.min.css");
/// Bulwark's own stylesheet.
const APP_CSS: &str = include_str!("../static/app.css");

/// The whole application: pages, API, static files and health check.
pub fn app(state: AppState) -> Router {
    Router::new()
        .merge(pages::routes())
        .nest("/api", api::routes())
        .route("/healthz", get(healthz))
        .route("/static/govuk.css", get(|| css(GOVUK_CSS)))
        .route("/static/app.css", get(|| css(APP_CSS)))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(20 * 1024 * 1024))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .with_state(state)
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

/// Serves the app on `listener` until Ctrl-C.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    axum::serve(listener, app(state))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
