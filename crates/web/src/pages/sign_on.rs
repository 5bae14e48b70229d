//! An organisation's single sign-on rules: who may join it through the server's sign-on
//! provider, and with what role.

use super::{Ctx, FieldError};
use crate::access::{Admin, Member, OrgAccess};
use crate::auth::SignedIn;
use crate::error::PageError;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use bulwark_store::{Role, RuleTest, SignOnRule, StoreError};
use serde::Deserialize;

#[derive(Template, WebTemplate)]
#[template(path = "sign_on.html")]
struct RulesPage {
    ctx: Ctx,
    /// The provider's name, when the server has one.
    provider: Option<String>,
    rules: Vec<SignOnRule>,
    form: RuleForm,
}

/// A new rule as submitted.
#[derive(Deserialize, Default, Clone)]
pub(super) struct RuleForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    domain: String,
    #[serde(default)]
    claim: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    role: String,
}

impl RuleForm {
    /// The rule it asks for, or what is wrong with it.
    fn rule(&self) -> Result<(RuleTest, Role), Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut problem = |field: &str, message: &str| {
            errors.push(FieldError {
                field: field.into(),
                message: message.into(),
            })
        };
        let test = match self.kind.as_str() {
            "email-domain" => {
                let domain = self.domain.trim().trim_start_matches('@').to_lowercase();
                let valid = domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && domain
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
                if !valid {
                    problem(
                        "domain",
                        "Enter an email domain, like north.gov.uk (the part after @)",
                    );
                }
                Some(RuleTest::EmailDomain { domain })
            }
            "claim" => {
                let claim = self.claim.trim();
                let value = self.value.trim();
                if claim.is_empty()
                    || !claim
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "_-.:".contains(c))
                {
                    problem(
                        "claim",
                        "Enter the name of the claim, like groups or roles (letters, digits, _ - . :)",
                    );
                }
                if value.is_empty() || value.len() > 200 || value.chars().any(char::is_control) {
                    problem(
                        "value",
                        "Enter the value the claim must hold, like a group's object id",
                    );
                }
                Some(RuleTest::Claim {
                    claim: claim.into(),
                    value: value.into(),
                })
            }
            _ => {
                problem("kind", "Choose who the rule admits");
                None
            }
        };
        let role = Role::parse(&self.role);
        if role.is_none() {
            problem("role", "Choose the role they get");
        }
        match (test, role) {
            (Some(test), Some(role)) if errors.is_empty() => Ok((test, role)),
            _ => Err(errors),
        }
    }
}

async fn rules_page(
    state: &AppState,
    s: &SignedIn,
    a: &OrgAccess,
    errors: Vec<FieldError>,
    form: RuleForm,
) -> Result<Response, PageError> {
    let rules = state.store().sign_on_rules(a.org.id).await?;
    let status = super::form_status(&errors);
    let mut ctx = Ctx::org(s, a, "members");
    ctx.errors = errors;
    let page = RulesPage {
        ctx,
        provider: state.sign_on().map(|p| p.settings().provider_name.clone()),
        rules,
        form,
    };
    Ok((status, page).into_response())
}

/// `GET /o/{org}/sign-on`.
pub(super) async fn rules(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Admin>,
) -> Result<Response, PageError> {
    let form = RuleForm {
        kind: "email-domain".into(),
        role: "viewer".into(),
        ..RuleForm::default()
    };
    rules_page(&state, &s, &a, Vec::new(), form).await
}

/// `POST /o/{org}/sign-on`: adds a rule.
pub(super) async fn add_rule(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Admin>,
    Form(f): Form<RuleForm>,
) -> Result<Response, PageError> {
    let (test, role) = match f.rule() {
        Ok(rule) => rule,
        Err(errors) => return rules_page(&state, &s, &a, errors, f).await,
    };
    match state
        .store()
        .add_sign_on_rule(a.org.id, &test, role, &s.actor())
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/o/{}/sign-on", a.org.slug)).into_response()),
        Err(StoreError::Conflict(why)) => {
            let field = if f.kind == "claim" { "value" } else { "domain" };
            let e = FieldError {
                field: field.into(),
                message: super::sentence(&why),
            };
            rules_page(&state, &s, &a, vec![e], f).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub(super) struct CsrfForm {}

/// `POST /o/{org}/sign-on/{id}/remove`; removing a rule that is already gone (a second
/// click) changes nothing.
pub(super) async fn remove_rule(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Admin>,
    Path((_slug, id)): Path<(String, i64)>,
    Form(_f): Form<CsrfForm>,
) -> Result<Response, PageError> {
    match state
        .store()
        .remove_sign_on_rule(a.org.id, id, &s.actor())
        .await
    {
        Ok(()) | Err(StoreError::NotFound) => {}
        Err(e) => return Err(e.into()),
    }
    Ok(Redirect::to(&format!("/o/{}/sign-on", a.org.slug)).into_response())
}
