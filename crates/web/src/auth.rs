//! Who is asking: a browser session (cookie, with a CSRF token for forms) or an API token
//! (`Authorization: Bearer`).

use crate::error::{ApiError, PageError, WebError};
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use bulwark_store::{Actor, Membership, User};

/// The session cookie's name over plain HTTP (development and tests).
pub const SESSION_COOKIE: &str = "bulwark_session";
/// The cookie that protects forms before there is a session (sign-in), over plain HTTP.
pub const LOGIN_CSRF_COOKIE: &str = "bulwark_login_csrf";

/// The session cookie's name: with `__Host-` behind TLS, so that no other site, not even a
/// subdomain, can set or shadow it.
pub fn session_cookie(state: &AppState) -> &'static str {
    if state.secure_cookies() {
        "__Host-bulwark_session"
    } else {
        SESSION_COOKIE
    }
}

/// The name of the cookie that protects forms before there is a session.
pub fn login_csrf_cookie(state: &AppState) -> &'static str {
    if state.secure_cookies() {
        "__Host-bulwark_login_csrf"
    } else {
        LOGIN_CSRF_COOKIE
    }
}

/// A signed-in person, from their session cookie.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// The account.
    pub user: User,
    /// The organisations they belong to.
    pub memberships: Vec<Membership>,
    /// The token every form they submit must carry.
    pub csrf: String,
}

impl SignedIn {
    /// The session of the request's cookie, if it is valid.
    pub async fn from_cookie(
        headers: &axum::http::HeaderMap,
        state: &AppState,
    ) -> Result<Option<SignedIn>, WebError> {
        let jar = CookieJar::from_headers(headers);
        let Some(secret) = jar
            .get(session_cookie(state))
            .map(|c| c.value().to_string())
        else {
            return Ok(None);
        };
        Ok(state
            .store()
            .session(&secret)
            .await?
            .map(|session| SignedIn {
                user: session.user,
                memberships: session.memberships,
                csrf: session.csrf,
            }))
    }

    /// Who to record in the audit trail.
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: Some(self.user.id),
            label: self.user.email.clone(),
        }
    }
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<SignedIn, PageError> {
        // The gate has already read the session of a form it checked.
        if let Some(s) = parts.extensions.get::<SignedIn>() {
            return Ok(s.clone());
        }
        SignedIn::from_cookie(&parts.headers, state)
            .await?
            .ok_or(PageError(WebError::Unauthenticated))
    }
}

/// A caller of the JSON API, from their bearer token.
#[derive(Debug, Clone)]
pub struct ApiCaller {
    /// The account the token belongs to.
    pub user: User,
    /// The organisations it belongs to.
    pub memberships: Vec<Membership>,
}

impl ApiCaller {
    /// Who to record in the audit trail.
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: Some(self.user.id),
            label: format!("{} (API)", self.user.email),
        }
    }
}

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<ApiCaller, ApiError> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let Some(token) = header
            .strip_prefix("Bearer ")
            .map(str::trim)
            .filter(|t| !t.is_empty())
        else {
            return Err(ApiError(WebError::Unauthenticated));
        };
        let Some(user) = state.store().user_by_token(token).await? else {
            return Err(ApiError(WebError::Unauthenticated));
        };
        let memberships = state.store().memberships(user.id).await?;
        Ok(ApiCaller { user, memberships })
    }
}

/// A cookie with Bulwark's safe defaults: HttpOnly, SameSite=Lax, Secure behind TLS.
pub fn cookie(state: &AppState, name: &'static str, value: String) -> Cookie<'static> {
    // `__Host-` cookies must be Secure, with path `/` and no domain: exactly these defaults.
    Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.secure_cookies())
        .build()
}
