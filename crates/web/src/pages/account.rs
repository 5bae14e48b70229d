//! The signed-in person's API tokens, and site administration (organisations and accounts).

use super::{Ctx, FieldError};
use crate::access::SiteAdmin;
use crate::auth::SignedIn;
use crate::error::{PageError, WebError};
use crate::password;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use bulwark_store::{ApiToken, Organisation, Role, User};
use serde::Deserialize;

#[derive(Template, WebTemplate)]
#[template(path = "tokens.html")]
struct TokensPage {
    ctx: Ctx,
    tokens: Vec<ApiToken>,
    created: Option<String>,
}

async fn tokens_page(
    state: &AppState,
    s: &SignedIn,
    created: Option<String>,
    errors: Vec<FieldError>,
) -> Result<Response, PageError> {
    let tokens = state.store().tokens(s.user.id).await?;
    let status = super::form_status(&errors);
    let mut ctx = Ctx::user(s);
    ctx.errors = errors;
    Ok((
        status,
        TokensPage {
            ctx,
            tokens,
            created,
        },
    )
        .into_response())
}

/// `GET /account/tokens`.
pub(super) async fn tokens(
    State(state): State<AppState>,
    s: SignedIn,
) -> Result<Response, PageError> {
    tokens_page(&state, &s, None, Vec::new()).await
}

#[derive(Deserialize)]
pub(super) struct TokenForm {
    name: String,
}

/// `POST /account/tokens`: the new token is shown once.
pub(super) async fn create_token(
    State(state): State<AppState>,
    s: SignedIn,
    Form(f): Form<TokenForm>,
) -> Result<Response, PageError> {
    let problem = bulwark_rules::text::check("name", "The token's name", &f.name, 100, false)
        .or_else(|| {
            f.name.trim().is_empty().then(|| {
                FieldError::new(
                    "name",
                    "Enter a name for the token, like the script that will use it",
                )
            })
        });
    if let Some(problem) = problem {
        return tokens_page(&state, &s, None, vec![problem]).await;
    }
    let secret = state.store().create_token(s.user.id, f.name.trim()).await?;
    tokens_page(&state, &s, Some(secret), Vec::new()).await
}

/// `POST /account/tokens/{id}/delete`.
pub(super) async fn delete_token(
    State(state): State<AppState>,
    s: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    state.store().delete_token(s.user.id, id).await?;
    Ok(Redirect::to("/account/tokens").into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "admin.html")]
struct AdminPage {
    ctx: Ctx,
    orgs: Vec<Organisation>,
    users: Vec<User>,
}

async fn admin_page(
    state: &AppState,
    s: &SignedIn,
    errors: Vec<FieldError>,
    notice: Option<String>,
) -> Result<Response, PageError> {
    if !s.user.is_admin {
        return Err(PageError(WebError::Forbidden));
    }
    let mut ctx = Ctx::user(s);
    ctx.errors = errors;
    ctx.notice = notice;
    Ok(AdminPage {
        ctx,
        orgs: state.store().orgs().await?,
        users: state.store().users().await?,
    }
    .into_response())
}

/// `GET /admin`: site administrators only.
pub(super) async fn admin(
    State(state): State<AppState>,
    SiteAdmin(s): SiteAdmin,
) -> Result<Response, PageError> {
    admin_page(&state, &s, Vec::new(), None).await
}

#[derive(Deserialize)]
pub(super) struct AdminForm {
    action: String,
    #[serde(default)]
    slug: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

/// `POST /admin`: creates an organisation (with the creator as its administrator) or an account.
pub(super) async fn admin_create(
    State(state): State<AppState>,
    SiteAdmin(s): SiteAdmin,
    Form(f): Form<AdminForm>,
) -> Result<Response, PageError> {
    let store = state.store();
    let err = |field: &str, message: String| {
        vec![FieldError {
            field: field.into(),
            message,
        }]
    };
    if f.action == "org" {
        if f.name.trim().is_empty() {
            return admin_page(
                &state,
                &s,
                err("name", "Enter the organisation's name".into()),
                None,
            )
            .await;
        }
        return match store.create_org(f.slug.trim(), f.name.trim()).await {
            Ok(org) => {
                store
                    .set_membership(s.user.id, org.id, Role::Admin, &s.actor())
                    .await?;
                admin_page(
                    &state,
                    &s,
                    Vec::new(),
                    Some(format!("Created {}", org.name)),
                )
                .await
            }
            Err(bulwark_store::StoreError::Conflict(m)) => {
                admin_page(&state, &s, err("slug", m), None).await
            }
            Err(e) => Err(e.into()),
        };
    }
    if !f.email.contains('@') {
        return admin_page(
            &state,
            &s,
            err(
                "email",
                "Enter an email address, like name@council.gov.uk".into(),
            ),
            None,
        )
        .await;
    }
    if f.name.trim().is_empty() {
        return admin_page(
            &state,
            &s,
            err("user-name", "Enter the person's name".into()),
            None,
        )
        .await;
    }
    if let Some(why) = password::weakness(&f.password, &f.email, &f.name) {
        return admin_page(&state, &s, err("password", why), None).await;
    }
    let pw = f.password.clone();
    let hash = crate::jobs::password(&state, move || password::hash(&pw)).await?;
    match store
        .create_user(&f.email, f.name.trim(), &hash, false)
        .await
    {
        Ok(u) => {
            admin_page(
                &state,
                &s,
                Vec::new(),
                Some(format!("Created an account for {}", u.email)),
            )
            .await
        }
        Err(bulwark_store::StoreError::Conflict(m)) => {
            admin_page(&state, &s, err("email", m), None).await
        }
        Err(e) => Err(e.into()),
    }
}
