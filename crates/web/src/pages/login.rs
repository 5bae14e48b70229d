//! Signing in and out, with throttling after repeated failures.

use super::{Ctx, FieldError};
use crate::auth::{LOGIN_CSRF_COOKIE, SESSION_COOKIE, SignedIn, cookie};
use crate::error::PageError;
use crate::password;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use bulwark_store::new_secret;
use serde::Deserialize;
use subtle::ConstantTimeEq;

/// Failed attempts allowed per account in [`THROTTLE_SECONDS`].
const MAX_FAILURES: i64 = 5;
/// The throttling window.
const THROTTLE_SECONDS: i64 = 15 * 60;

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
struct LoginPage {
    ctx: Ctx,
    email: String,
    next: String,
}

#[derive(Deserialize)]
pub(super) struct Next {
    next: Option<String>,
}

/// Only local paths may be returned to after signing in.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".to_string(),
    }
}

fn page(
    jar: CookieJar,
    state: &AppState,
    email: String,
    next: String,
    errors: Vec<FieldError>,
) -> Response {
    let token = new_secret("");
    let jar = jar.add(cookie(state, LOGIN_CSRF_COOKIE, token.clone()));
    let status = super::form_status(&errors);
    let ctx = Ctx {
        csrf: token,
        errors,
        ..Ctx::default()
    };
    (status, jar, LoginPage { ctx, email, next }).into_response()
}

/// `GET /login`.
pub(super) async fn form(
    State(state): State<AppState>,
    jar: CookieJar,
    Query(q): Query<Next>,
) -> Response {
    page(
        jar,
        &state,
        String::new(),
        safe_next(q.next.as_deref()),
        Vec::new(),
    )
}

#[derive(Deserialize)]
pub(super) struct LoginForm {
    email: String,
    password: String,
    csrf: String,
    next: Option<String>,
}

/// `POST /login`.
pub(super) async fn submit(
    State(state): State<AppState>,
    jar: CookieJar,
    Form(f): Form<LoginForm>,
) -> Result<Response, PageError> {
    let next = safe_next(f.next.as_deref());
    let expected = jar
        .get(LOGIN_CSRF_COOKIE)
        .map(|c| c.value().to_string())
        .unwrap_or_default();
    if expected.is_empty() || !bool::from(expected.as_bytes().ct_eq(f.csrf.as_bytes())) {
        let e = FieldError {
            field: "email".into(),
            message: "This form has expired. Enter your details again.".into(),
        };
        return Ok(page(jar, &state, f.email, next, vec![e]));
    }
    let mut errors = Vec::new();
    if f.email.trim().is_empty() {
        errors.push(FieldError {
            field: "email".into(),
            message: "Enter your email address".into(),
        });
    }
    if f.password.is_empty() {
        errors.push(FieldError {
            field: "password".into(),
            message: "Enter your password".into(),
        });
    }
    if !errors.is_empty() {
        return Ok(page(jar, &state, f.email, next, errors));
    }
    let store = state.store();
    if store
        .recent_login_failures(&f.email, THROTTLE_SECONDS)
        .await?
        >= MAX_FAILURES
    {
        let e = FieldError { field: "email".into(), message: "Too many failed attempts to sign in to this account. Wait 15 minutes, then try again.".into() };
        return Ok(page(jar, &state, f.email, next, vec![e]));
    }
    let user = store.user_by_email(&f.email).await?;
    let hash = user
        .as_ref()
        .map_or(password::decoy(), |u| u.password_hash.as_str())
        .to_string();
    let password = f.password.clone();
    let ok = tokio::task::spawn_blocking(move || password::verify(&password, &hash))
        .await
        .unwrap_or(false);
    match user.filter(|_| ok) {
        Some(user) => {
            store.clear_login_failures(&f.email).await?;
            let secret = store.create_session(user.id).await?;
            let jar = jar
                .remove(LOGIN_CSRF_COOKIE)
                .add(cookie(&state, SESSION_COOKIE, secret));
            Ok((jar, Redirect::to(&next)).into_response())
        }
        None => {
            store.record_login_failure(&f.email).await?;
            let e = FieldError {
                field: "email".into(),
                message: "The email address or password is not right".into(),
            };
            Ok(page(jar, &state, f.email, next, vec![e]))
        }
    }
}

#[derive(Deserialize)]
pub(super) struct CsrfOnly {
    csrf: String,
}

/// `POST /logout`.
pub(super) async fn logout(
    State(state): State<AppState>,
    s: SignedIn,
    jar: CookieJar,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, PageError> {
    s.check_csrf(&f.csrf)?;
    if let Some(c) = jar.get(SESSION_COOKIE) {
        state.store().delete_session(c.value()).await?;
    }
    Ok((jar.remove(SESSION_COOKIE), Redirect::to("/login")).into_response())
}
