//! Errors, one place that turns them into what users see: a page for people, JSON for tools.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use bulwark_store::StoreError;
use serde_json::json;

/// A failure while answering a request.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// No valid credentials.
    #[error("sign in to continue")]
    Unauthenticated,
    /// Signed in, but the role is not enough.
    #[error("you do not have permission to do this")]
    Forbidden,
    /// Not there, or not visible to this user (the two are never told apart).
    #[error("page not found")]
    NotFound,
    /// The request is wrong; the message says how.
    #[error("{0}")]
    BadRequest(String),
    /// The model would become invalid; every problem is listed.
    #[error("the model has problems")]
    InvalidModel(Vec<String>),
    /// What was submitted has problems; every one is listed.
    #[error("what was sent has problems")]
    Invalid(Vec<String>),
    /// Someone else changed the same thing.
    #[error("{0}")]
    Conflict(String),
    /// A failure of ours.
    #[error("something went wrong on our side")]
    Internal(String),
    /// A state-changing request that a browser says another website made.
    #[error("this request came from another website, so it was refused; use Bulwark's own pages")]
    CrossSite,
    /// A form without the session's CSRF token (old, or not from Bulwark).
    #[error("this form has expired; go back, reload the page and try again")]
    FormExpired,
    /// A body over the upload limit (bytes).
    #[error("what was sent is larger than this server accepts ({} MiB at most)", .0 / (1024 * 1024))]
    TooLarge(usize),
    /// Something this server is not set up to do (like personal data without its keys); the
    /// message says how to set it up.
    #[error("{0}")]
    Unavailable(String),
    /// Too much heavy work is running; try again shortly.
    #[error("the server is busy with other analyses; try again in a few seconds")]
    Busy,
    /// A request the framework refused before any handler ran (its status and reason).
    #[error("{1}")]
    Rejected(StatusCode, String),
}

impl From<StoreError> for WebError {
    fn from(e: StoreError) -> WebError {
        match e {
            StoreError::NotFound => WebError::NotFound,
            StoreError::Conflict(m) => WebError::Conflict(m),
            e if e.is_busy() => WebError::Busy,
            other => WebError::Internal(other.to_string()),
        }
    }
}

impl WebError {
    /// The HTTP status for this error.
    pub fn status(&self) -> StatusCode {
        match self {
            WebError::Unauthenticated => StatusCode::UNAUTHORIZED,
            WebError::Forbidden => StatusCode::FORBIDDEN,
            WebError::NotFound => StatusCode::NOT_FOUND,
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::InvalidModel(_) | WebError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            WebError::Conflict(_) => StatusCode::CONFLICT,
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            WebError::CrossSite => StatusCode::FORBIDDEN,
            WebError::FormExpired => StatusCode::BAD_REQUEST,
            WebError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            WebError::Busy | WebError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            WebError::Rejected(status, _) => *status,
        }
    }

    fn log(&self) {
        if let WebError::Internal(detail) = self {
            tracing::error!("{detail}");
        }
    }
}

/// An error answered as JSON: `{"error": message, "problems": [...]}`.
#[derive(Debug)]
pub struct ApiError(pub WebError);

impl<E: Into<WebError>> From<E> for ApiError {
    fn from(e: E) -> ApiError {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.log();
        let mut body = json!({ "error": self.0.to_string() });
        if let WebError::InvalidModel(problems) | WebError::Invalid(problems) = &self.0 {
            body["problems"] = json!(problems);
        }
        let mut response = (self.0.status(), axum::Json(body)).into_response();
        retry_after(&self.0, &mut response);
        if matches!(self.0, WebError::Unauthenticated) {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}

/// An error answered as a page.
#[derive(Debug)]
pub struct PageError(pub WebError);

impl<E: Into<WebError>> From<E> for PageError {
    fn from(e: E) -> PageError {
        PageError(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        self.0.log();
        if matches!(self.0, WebError::Unauthenticated) {
            return axum::response::Redirect::to("/login").into_response();
        }
        let page = crate::pages::ErrorPage::new(self.0.status(), &self.0);
        let mut response = (self.0.status(), page).into_response();
        retry_after(&self.0, &mut response);
        response
    }
}

/// Tells clients of a busy server when to come back.
fn retry_after(e: &WebError, response: &mut Response) {
    if matches!(e, WebError::Busy) {
        response.headers_mut().insert(
            axum::http::header::RETRY_AFTER,
            axum::http::HeaderValue::from_static("5"),
        );
    }
}
