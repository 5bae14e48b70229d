//! The public form for asking a community hub for help, at `/help/{org}`: no sign-in, plain
//! language, protected like the sign-in form (a token in a cookie set with the form, checked by
//! the gate; a signed-in visitor's session token instead), with a field robots fill in and
//! people do not, and a limit on how many requests one address may send in an hour. The
//! confirmation gives the reference; nothing the requester sent is shown back.

use super::Ctx;
use super::requests::{RequestForm, categories, urgencies};
use crate::auth::{SignedIn, cookie, login_csrf_cookie};
use crate::error::{PageError, WebError};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Extension;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use axum_extra::extract::cookie::CookieJar;
use bulwark_rules::exercises::today;
use bulwark_rules::requests::{REQUEST_KEEP_DAYS, check_request};
use bulwark_store::{Actor, Channel, Organisation, new_secret, reference};
use serde::Deserialize;
use std::net::SocketAddr;

/// Who the audit trail says made a request sent through the public form.
fn public_actor() -> Actor {
    Actor {
        user_id: None,
        label: "public form".into(),
    }
}

async fn org(state: &AppState, slug: &str) -> Result<Organisation, PageError> {
    Ok(state
        .store()
        .org_by_slug(slug)
        .await?
        .ok_or(WebError::NotFound)?)
}

#[derive(Template, WebTemplate)]
#[template(path = "help.html")]
struct HelpPage {
    ctx: Ctx,
    org_name: String,
    slug: String,
    f: RequestForm,
    categories: Vec<(&'static str, &'static str)>,
    urgencies: Vec<(&'static str, &'static str, &'static str)>,
    keep_months: i64,
}

/// The form with `errors`: with the signed-in visitor's token, or a new pre-session token
/// and its cookie.
async fn page(
    state: &AppState,
    headers: &HeaderMap,
    jar: CookieJar,
    o: Organisation,
    f: RequestForm,
    errors: Vec<bulwark_rules::FieldError>,
) -> Result<Response, PageError> {
    let status = super::form_status(&errors);
    let (jar, csrf) = match SignedIn::from_cookie(headers, state).await? {
        Some(s) => (jar, s.csrf),
        None => {
            let token = new_secret("");
            (
                jar.add(cookie(state, login_csrf_cookie(state), token.clone())),
                token,
            )
        }
    };
    let ctx = Ctx {
        csrf,
        errors,
        ..Ctx::default()
    };
    let page = HelpPage {
        ctx,
        org_name: o.name,
        slug: o.slug,
        f,
        categories: categories(),
        urgencies: urgencies(),
        keep_months: REQUEST_KEEP_DAYS / 30,
    };
    Ok((status, jar, page).into_response())
}

/// `GET /help/{org}`.
pub(super) async fn form(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
    jar: CookieJar,
) -> Result<Response, PageError> {
    let o = org(&state, &slug).await?;
    page(&state, &headers, jar, o, RequestForm::default(), Vec::new()).await
}

#[derive(Template, WebTemplate)]
#[template(path = "help_limit.html")]
struct LimitPage {
    ctx: Ctx,
    org_name: String,
}

/// `POST /help/{org}`: checks the request, and records it unless the address has sent too
/// many this hour. A filled-in robot field is answered as if the request had been sent.
pub(super) async fn submit(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
    jar: CookieJar,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    Form(f): Form<RequestForm>,
) -> Result<Response, PageError> {
    let o = org(&state, &slug).await?;
    let keys = state.people_keys()?;
    let robot = !f.website.trim().is_empty();
    let checked = check_request(&f.draft(), Channel::Public, today());
    let request = match checked {
        Err(errors) if !robot => return page(&state, &headers, jar, o, f, errors).await,
        other => other.ok(),
    };
    let address = super::login::client_address(&state, &headers, peer.map(|p| p.0.0));
    if !state.take_public_request(&address, bulwark_store::now()) {
        let page = LimitPage {
            ctx: Ctx::default(),
            org_name: o.name,
        };
        return Ok((StatusCode::TOO_MANY_REQUESTS, page).into_response());
    }
    let number = match request {
        Some(r) if !robot => {
            let (n, _) = state
                .store()
                .create_help_request(o.id, &r, keys, &public_actor())
                .await?;
            n
        }
        // Robots are thanked and forgotten: nothing is stored.
        _ => 0,
    };
    Ok(Redirect::to(&format!("/help/{slug}/sent?reference={number}")).into_response())
}

/// The confirmation's query.
#[derive(Deserialize)]
pub(super) struct Sent {
    reference: Option<i64>,
}

#[derive(Template, WebTemplate)]
#[template(path = "help_sent.html")]
struct SentPage {
    ctx: Ctx,
    org_name: String,
    slug: String,
    reference: Option<String>,
}

/// `GET /help/{org}/sent`: the confirmation, with the reference.
pub(super) async fn sent(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(q): Query<Sent>,
) -> Result<Response, PageError> {
    let o = org(&state, &slug).await?;
    let page = SentPage {
        ctx: Ctx::default(),
        org_name: o.name,
        slug: o.slug,
        reference: q.reference.filter(|n| *n > 0).map(reference),
    };
    Ok(page.into_response())
}
