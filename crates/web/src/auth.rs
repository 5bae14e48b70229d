//! Who is asking: a browser session (cookie, with a CSRF token for forms) or an API token
//! (`Authorization: Bearer`).

use crate::error::{ApiError, PageError, WebError};
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use bulwark_store::{Actor, Membership, User};
use subtle::ConstantTimeEq;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "bulwark_session";
/// The cookie that protects the sign-in form before there is a session.
pub const LOGIN_CSRF_COOKIE: &str = "bulwark_login_csrf";

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
    /// Checks a submitted form's CSRF token.
    pub fn check_csrf(&self, submitted: &str) -> Result<(), PageError> {
        if bool::from(submitted.as_bytes().ct_eq(self.csrf.as_bytes())) {
            Ok(())
        } else {
            Err(PageError(WebError::BadRequest(
                "This form has expired. Go back, reload the page and try again.".into(),
            )))
        }
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
        let jar = CookieJar::from_headers(&parts.headers);
        let Some(secret) = jar.get(SESSION_COOKIE).map(|c| c.value().to_string()) else {
            return Err(PageError(WebError::Unauthenticated));
        };
        let Some(session) = state.store().session(&secret).await? else {
            return Err(PageError(WebError::Unauthenticated));
        };
        Ok(SignedIn {
            user: session.user,
            memberships: session.memberships,
            csrf: session.csrf,
        })
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
    Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.secure_cookies())
        .build()
}
