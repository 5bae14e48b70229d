//! Signing in and out, with throttling after repeated failures.

use super::{Ctx, FieldError};
use crate::auth::{SignedIn, cookie, login_csrf_cookie, session_cookie};
use crate::error::PageError;
use crate::jobs;
use crate::password;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Extension;
use axum::Form;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use bulwark_store::LoginFailures;
use bulwark_store::new_secret;
use serde::Deserialize;
use std::net::SocketAddr;

/// The window over which failed sign-ins count.
const THROTTLE_SECONDS: i64 = 15 * 60;

/// How long to wait after `failures` recent failures, the first `free` of them free, doubling
/// from one second up to `cap` seconds. Delays, never a lock-out: whoever waits may try again.
fn delay(failures: i64, free: i64, cap: i64) -> i64 {
    if failures < free {
        0
    } else {
        1i64.checked_shl((failures - free).min(20) as u32)
            .unwrap_or(cap)
            .min(cap)
    }
}

/// Seconds the caller must still wait before another attempt: per account from this address
/// (3 free, up to a minute), per address over every account (50 free, so that a council
/// office behind one address is not slowed by its own typing mistakes, then up to a minute,
/// against password spraying), and per account from anywhere (50 free, up to a minute, against
/// attacks spread over many addresses, which then slow that account without locking it).
fn wait_seconds(f: &LoginFailures, now: i64) -> i64 {
    let left = |(n, last): (i64, i64), free, cap| (last + delay(n, free, cap) - now).max(0);
    left(f.account_from_address, 3, 60)
        .max(left(f.address, 50, 60))
        .max(left(f.account, 50, 60))
}

/// Only paths on this site may be returned to after signing in: one leading `/`, then no
/// second `/` or `\`, and no control characters or spaces anywhere (browsers drop tabs and
/// newlines, so `/\t/evil.example` would become `//evil.example`).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.strip_prefix('/')
                .is_some_and(|rest| !rest.starts_with(['/', '\\']))
                && !n
                    .chars()
                    .any(|c| c.is_control() || c.is_whitespace() || c == '\\') =>
        {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

/// The caller's network address, for throttling.
fn client_address(state: &AppState, headers: &HeaderMap, peer: Option<SocketAddr>) -> String {
    if state.settings().behind_proxy
        && let Some(last) = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .rfind(|v| !v.is_empty())
    {
        return last.to_string();
    }
    peer.map(|p| p.ip().to_string()).unwrap_or_default()
}

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

fn page(
    jar: CookieJar,
    state: &AppState,
    email: String,
    next: String,
    errors: Vec<FieldError>,
) -> Response {
    let token = new_secret("");
    let jar = jar.add(cookie(state, login_csrf_cookie(state), token.clone()));
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
    next: Option<String>,
}

/// `POST /login`.
pub(super) async fn submit(
    State(state): State<AppState>,
    jar: CookieJar,
    headers: HeaderMap,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    Form(f): Form<LoginForm>,
) -> Result<Response, PageError> {
    let next = safe_next(f.next.as_deref());
    let address = client_address(&state, &headers, peer.map(|p| p.0.0));
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
    let failures = store
        .recent_login_failures(&f.email, &address, THROTTLE_SECONDS)
        .await?;
    let wait = wait_seconds(&failures, bulwark_store::now());
    if wait > 0 {
        state.metrics().signin_throttled();
        let unit = if wait == 1 { "second" } else { "seconds" };
        let e = FieldError {
            field: "email".into(),
            message: format!(
                "There have been several failed attempts to sign in. Wait {wait} {unit}, then try again."
            ),
        };
        return Ok(page(jar, &state, f.email, next, vec![e]));
    }
    let user = store.user_by_email(&f.email).await?;
    let hash = user
        .as_ref()
        .map_or(password::decoy(), |u| u.password_hash.as_str())
        .to_string();
    let password = f.password.clone();
    let ok = jobs::password(&state, move || password::verify(&password, &hash)).await?;
    match user.filter(|_| ok) {
        Some(user) => {
            store.clear_login_failures(&f.email).await?;
            let secret = store.create_session(user.id).await?;
            let jar = jar.remove(login_csrf_cookie(&state)).add(cookie(
                &state,
                session_cookie(&state),
                secret,
            ));
            Ok((jar, Redirect::to(&next)).into_response())
        }
        None => {
            store.record_login_failure(&f.email, &address).await?;
            state.metrics().signin_failed();
            let e = FieldError {
                field: "email".into(),
                message: "The email address or password is not right".into(),
            };
            Ok(page(jar, &state, f.email, next, vec![e]))
        }
    }
}

/// `POST /logout`.
pub(super) async fn logout(
    State(state): State<AppState>,
    _s: SignedIn,
    jar: CookieJar,
) -> Result<Response, PageError> {
    let name = session_cookie(&state);
    if let Some(c) = jar.get(name) {
        state.store().delete_session(c.value()).await?;
    }
    Ok((jar.remove(name), Redirect::to("/login")).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_same_site_paths_are_returned_to() {
        for good in ["/", "/o/north", "/o/north/services?q=care"] {
            assert_eq!(safe_next(Some(good)), good);
        }
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/ /evil.example",
            "\\\\evil.example",
            "https://evil.example",
            "evil.example",
            "/%09/evil.example\u{0}",
            "",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn failures_slow_down_but_never_lock_out() {
        let now = 1_000_000;
        let f = |n, ago| LoginFailures {
            account_from_address: (n, now - ago),
            address: (n, now - ago),
            account: (n, now - ago),
        };
        assert_eq!(wait_seconds(&f(2, 0), now), 0, "the first tries are free");
        assert_eq!(wait_seconds(&f(3, 0), now), 1);
        assert_eq!(wait_seconds(&f(5, 0), now), 4, "doubling");
        assert_eq!(wait_seconds(&f(40, 0), now), 60, "capped");
        assert_eq!(wait_seconds(&f(40, 60), now), 0, "over after the wait");
        let other_address = LoginFailures {
            account_from_address: (0, 0),
            address: (0, 0),
            account: (20, now),
        };
        assert_eq!(
            wait_seconds(&other_address, now),
            0,
            "someone else's failures from elsewhere do not slow the account's owner"
        );
    }
}
