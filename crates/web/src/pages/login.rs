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
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use bulwark_store::new_secret;
use bulwark_store::{LoginFailures, Refusal};
use serde::Deserialize;
use std::net::SocketAddr;
use subtle::ConstantTimeEq;

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

/// The caller's network address, for throttling (and the public form's rate limit).
pub(crate) fn client_address(
    state: &AppState,
    headers: &HeaderMap,
    peer: Option<SocketAddr>,
) -> String {
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
    /// The sign-on provider's name and the address that starts a sign-in there.
    sign_on: Option<(String, String)>,
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
    page_parts(jar, state, email, next, errors).into_response()
}

/// The sign-in page with its status and the cookie its form needs.
fn page_parts(
    jar: CookieJar,
    state: &AppState,
    email: String,
    next: String,
    errors: Vec<FieldError>,
) -> (StatusCode, CookieJar, LoginPage) {
    let token = new_secret("");
    let jar = jar.add(cookie(state, login_csrf_cookie(state), token.clone()));
    let status = super::form_status(&errors);
    let ctx = Ctx {
        csrf: token,
        errors,
        ..Ctx::default()
    };
    let sign_on = state.sign_on().map(|p| {
        let query: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("next", &next)
            .finish();
        (
            p.settings().provider_name.clone(),
            format!("/login/sso?{query}"),
        )
    });
    let page = LoginPage {
        ctx,
        email,
        next,
        sign_on,
    };
    (status, jar, page)
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

#[derive(Template, WebTemplate)]
#[template(path = "signed_out.html")]
struct SignedOutPage {
    ctx: Ctx,
    provider: String,
    sign_out_url: String,
}

/// `POST /logout`: ends the session; one that began at the sign-on provider is offered a
/// link to sign out there as well (a link, not a redirect, so that the page can say what it
/// does and forms stay limited to this site).
pub(super) async fn logout(
    State(state): State<AppState>,
    _s: SignedIn,
    jar: CookieJar,
) -> Result<Response, PageError> {
    let name = session_cookie(&state);
    let id_token = match jar.get(name) {
        Some(c) => state.store().delete_session(c.value()).await?,
        None => None,
    };
    let jar = jar.remove(name);
    if let (Some(token), Some(provider)) = (id_token, state.sign_on())
        && let Some(sign_out_url) = provider.sign_out_url(&token).await
    {
        let page = SignedOutPage {
            ctx: Ctx::default(),
            provider: provider.settings().provider_name.clone(),
            sign_out_url,
        };
        return Ok((jar, page).into_response());
    }
    Ok((jar, Redirect::to("/login")).into_response())
}

/// The cookie that holds a sign-in's state while the browser is at the provider.
fn sign_on_cookie(state: &AppState) -> &'static str {
    if state.secure_cookies() {
        "__Host-bulwark_sign_on"
    } else {
        "bulwark_sign_on"
    }
}

/// The sign-in page again, with `message` about the single sign-on.
fn sign_on_problem(jar: CookieJar, state: &AppState, next: String, message: String) -> Response {
    let e = FieldError {
        field: "sign-on".into(),
        message,
    };
    let (_, jar, page) = page_parts(jar, state, String::new(), next, vec![e]);
    (StatusCode::FORBIDDEN, jar, page).into_response()
}

/// The sign-in page, saying that single sign-on is not switched on (for an old bookmark).
fn sign_on_off(jar: CookieJar, state: &AppState) -> Response {
    let e = FieldError {
        field: "email".into(),
        message: "Single sign-on is not switched on for this Bulwark server. Sign in with your email address and password, or ask your IT administrator.".into(),
    };
    let (_, jar, page) = page_parts(jar, state, String::new(), "/".into(), vec![e]);
    (jar, page).into_response()
}

/// `GET /login/sso`: sends the browser to the sign-on provider.
pub(super) async fn sign_on_start(
    State(state): State<AppState>,
    jar: CookieJar,
    Query(q): Query<Next>,
) -> Result<Response, PageError> {
    let Some(provider) = state.sign_on() else {
        return Ok(sign_on_off(jar, &state));
    };
    let next = safe_next(q.next.as_deref());
    match provider.start(next.clone()).await {
        Ok(started) => {
            state
                .store()
                .begin_sign_on(&started.state, &started.attempt)
                .await?;
            let jar = jar.add(cookie(&state, sign_on_cookie(&state), started.state));
            Ok((jar, Redirect::to(&started.url)).into_response())
        }
        Err(e) => {
            tracing::warn!(error = %e, "single sign-on could not start");
            let name = &provider.settings().provider_name;
            let message = format!(
                "{name} did not answer. Try again in a few minutes, or sign in with your Bulwark password. If it keeps happening, tell your IT service desk."
            );
            Ok(sign_on_problem(jar, &state, next, message))
        }
    }
}

/// What the provider sends back.
#[derive(Deserialize)]
pub(super) struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// `GET /login/sso/callback`: finishes a sign-in at the provider.
pub(super) async fn sign_on_finish(
    State(state): State<AppState>,
    jar: CookieJar,
    Query(q): Query<Callback>,
) -> Result<Response, PageError> {
    let Some(provider) = state.sign_on() else {
        return Ok(sign_on_off(jar, &state));
    };
    let name = provider.settings().provider_name.clone();
    let held = jar
        .get(sign_on_cookie(&state))
        .map(|c| c.value().to_string());
    let jar = jar.remove(sign_on_cookie(&state));
    let start_again = format!(
        "The sign-in with {name} did not finish: it was started in another window, or took longer than 10 minutes. Start again."
    );
    if let Some(error) = q.error {
        tracing::info!(%error, description = ?q.error_description, "the sign-on provider refused a sign-in");
        // Anyone can craft this address, so the provider's words are shown short and plain:
        // at most 200 characters, without control characters.
        let said: String = q
            .error_description
            .unwrap_or(error)
            .chars()
            .filter(|c| !c.is_control() && !bulwark_model::read::is_bidi_control(*c))
            .take(200)
            .collect();
        let message = format!("{name} did not sign you in. It said: {said}");
        return Ok(sign_on_problem(jar, &state, "/".into(), message));
    }
    let (Some(code), Some(returned)) = (q.code, q.state) else {
        return Ok(sign_on_problem(jar, &state, "/".into(), start_again));
    };
    let same = held.is_some_and(|h| bool::from(h.as_bytes().ct_eq(returned.as_bytes())));
    let attempt = match same {
        true => state.store().take_sign_on(&returned).await?,
        false => None,
    };
    let Some(attempt) = attempt else {
        return Ok(sign_on_problem(jar, &state, "/".into(), start_again));
    };
    let (identity, id_token) = match provider.finish(code, &attempt).await {
        Ok(done) => done,
        Err(e) => {
            tracing::warn!(error = %e, "a single sign-on failed its checks");
            let message = format!(
                "Bulwark could not check the sign-in from {name}. Try again; if it keeps happening, tell your IT service desk."
            );
            return Ok(sign_on_problem(jar, &state, attempt.next, message));
        }
    };
    let user = match state.store().sign_on(&identity).await? {
        Ok(user) => user,
        Err(refusal) => {
            let message = match refusal {
                Refusal::NoVerifiedEmail => format!(
                    "{name} did not confirm your email address, so Bulwark cannot tell which account is yours. Ask your IT service desk to include a verified email address in sign-ins to Bulwark."
                ),
                Refusal::EmailTaken => format!(
                    "The Bulwark account for your email address is linked to a different {name} account. Ask your Bulwark administrator to check it."
                ),
                Refusal::NotAdmitted { domain } => format!(
                    "You signed in with {name}, but no organisation in Bulwark admits people from {} yet. Ask your organisation's Bulwark administrator to add you.",
                    domain.as_deref().unwrap_or("your organisation")
                ),
            };
            return Ok(sign_on_problem(jar, &state, attempt.next, message));
        }
    };
    let secret = state
        .store()
        .create_session_with(user.id, Some(&id_token))
        .await?;
    let jar =
        jar.remove(login_csrf_cookie(&state))
            .add(cookie(&state, session_cookie(&state), secret));
    Ok((jar, Redirect::to(&attempt.next)).into_response())
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
