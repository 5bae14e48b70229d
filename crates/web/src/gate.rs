//! The one gate every request passes, whatever route it reaches:
//!
//! - a state-changing request (any method but GET, HEAD, OPTIONS) that a browser says comes
//!   from another site (`Sec-Fetch-Site`, `Origin`) is refused with 403;
//! - a state-changing form (any such request outside `/api`) must carry the CSRF token of the
//!   caller's session in its `csrf` field, or, before there is a session (signing in), the
//!   token of the pre-session cookie; it is checked here, for every form, so a handler cannot
//!   forget it;
//! - every body is bounded by the configured upload limit (413 beyond);
//! - every rejection, including the framework's own (a malformed JSON body, a bad path), is
//!   answered in the documented shape: JSON `{"error"}` under `/api`, an error page elsewhere.

use crate::auth::{SignedIn, login_csrf_cookie};
use crate::error::{ApiError, PageError, WebError};
use crate::state::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use subtle::ConstantTimeEq;

/// The field every state-changing form carries.
pub const CSRF_FIELD: &str = "csrf";

/// True for methods that must not change anything.
fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// True for the JSON API, whose errors are JSON.
fn is_api(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

/// An error in the shape the caller expects.
fn reject(api: bool, e: WebError) -> Response {
    if api {
        ApiError(e).into_response()
    } else {
        PageError(e).into_response()
    }
}

/// True when the browser tells us the request was made by another site: `Sec-Fetch-Site`
/// other than `same-origin` or `none` (typed by the user), or an `Origin` that is not this
/// host. Clients that send neither (scripts with API tokens) are not browsers and pass.
pub fn cross_site(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site")
        && !matches!(site.as_bytes(), b"same-origin" | b"none")
    {
        return true;
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return false;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    let origin_host = origin.to_str().ok().and_then(|o| {
        o.strip_prefix("https://")
            .or_else(|| o.strip_prefix("http://"))
    });
    match origin_host {
        Some(o) => host.is_empty() || !o.eq_ignore_ascii_case(host),
        None => true, // `Origin: null` and anything odd
    }
}

/// The `csrf` field of a form body (URL-encoded or multipart), if there is one.
async fn submitted_token(headers: &HeaderMap, body: &Bytes) -> Option<String> {
    let kind = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if kind.starts_with("application/x-www-form-urlencoded") {
        return form_urlencoded::parse(body)
            .find(|(k, _)| k == CSRF_FIELD)
            .map(|(_, v)| v.into_owned());
    }
    if kind.starts_with("multipart/form-data") {
        let boundary = multer::parse_boundary(kind).ok()?;
        let bytes = body.clone();
        let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(bytes) });
        let mut form = multer::Multipart::new(stream, boundary);
        while let Ok(Some(field)) = form.next_field().await {
            if field.name() == Some(CSRF_FIELD) {
                return field.text().await.ok();
            }
        }
    }
    None
}

fn same(a: &str, b: &str) -> bool {
    !a.is_empty() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// The gate itself, as a middleware over the whole app.
pub async fn gate(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if is_safe(req.method()) {
        return next.run(req).await;
    }
    let api = is_api(req.uri().path());
    if cross_site(req.headers()) {
        return reject(api, WebError::CrossSite);
    }
    let (mut parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, state.max_upload()).await {
        Ok(b) => b,
        Err(_) => return reject(api, WebError::TooLarge(state.max_upload())),
    };
    if !api {
        let signed_in = match SignedIn::from_cookie(&parts.headers, &state).await {
            Ok(s) => s,
            Err(e) => return reject(api, e),
        };
        let token = submitted_token(&parts.headers, &bytes)
            .await
            .unwrap_or_default();
        let pre_session = CookieJar::from_headers(&parts.headers)
            .get(login_csrf_cookie(&state))
            .map(|c| c.value().to_string())
            .unwrap_or_default();
        let ok = match &signed_in {
            Some(s) => {
                same(&token, &s.csrf)
                    || (parts.uri.path() == "/login" && same(&token, &pre_session))
            }
            None => same(&token, &pre_session),
        };
        if !ok {
            return reject(api, WebError::FormExpired);
        }
        if let Some(s) = signed_in {
            parts.extensions.insert(s);
        }
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// Answers the framework's own plain-text rejections (malformed JSON, a wrong form field, a
/// path that does not parse, a body over the limit) in the documented shapes.
pub async fn error_shapes(req: Request, next: Next) -> Response {
    let api = is_api(req.uri().path());
    let response = next.run(req).await;
    let status = response.status();
    let plain = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_none_or(|v| v.as_bytes().starts_with(b"text/plain"));
    if !(status.is_client_error() || status.is_server_error()) || !plain {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 64 * 1024)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    let e = WebError::Rejected(status, text);
    let mut shaped = reject(api, e);
    for name in [header::RETRY_AFTER, header::ALLOW] {
        if let Some(v) = parts.headers.get(&name) {
            shaped.headers_mut().insert(name, v.clone());
        }
    }
    shaped
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn cross_site_requests_are_told_apart() {
        let host = ("host", "bulwark.example:8080");
        assert!(!cross_site(&headers(&[host])));
        assert!(!cross_site(&headers(&[
            host,
            ("sec-fetch-site", "same-origin")
        ])));
        assert!(!cross_site(&headers(&[
            host,
            ("origin", "http://bulwark.example:8080")
        ])));
        assert!(!cross_site(&headers(&[
            host,
            ("origin", "https://BULWARK.example:8080")
        ])));
        assert!(cross_site(&headers(&[
            host,
            ("sec-fetch-site", "cross-site")
        ])));
        assert!(cross_site(&headers(&[
            host,
            ("sec-fetch-site", "same-site")
        ])));
        assert!(cross_site(&headers(&[
            host,
            ("origin", "https://evil.example")
        ])));
        assert!(cross_site(&headers(&[
            host,
            ("origin", "http://bulwark.example:8080.evil.example")
        ])));
        assert!(cross_site(&headers(&[host, ("origin", "null")])));
    }
}
