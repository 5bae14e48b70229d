//! API for public warnings: draft, change, approve (a second person), update and cancel, with
//! the same rules as the pages ([`bulwark_rules::warnings`], [`crate::warnings`]).

use super::handlers::{ApiResult, ErrorBody};
use crate::access::{ApiMember, Editor, Viewer};
use crate::error::{ApiError, WebError};
use crate::models::org_model;
use crate::pages::FieldError;
use crate::state::AppState;
use crate::warnings::{approve as approve_warning, base_url, derived};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use bulwark_rules::warnings::{self as rules, WarningDraft};
use bulwark_store::{MessageType, Warning, WarningDetails, WarningStatus};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// Field problems, named by the JSON field they are about (the rules name form inputs).
fn invalid(errors: Vec<FieldError>) -> ApiError {
    let json_name = |field: &str| {
        match field {
            "cy-headline" => "welsh.headline",
            "cy-description" => "welsh.description",
            "cy-instruction" => "welsh.instruction",
            "area" => "area.description",
            "polygon" => "area.polygon",
            "circle" => "area.circle",
            "geocodes" => "area.geocodes",
            "onset-day" => "onset",
            "expires-day" => "expires",
            "note" => "reason",
            other => other,
        }
        .to_string()
    };
    ApiError(WebError::Invalid(
        errors
            .into_iter()
            .map(|e| format!("{}: {}", json_name(&e.field), e.message))
            .collect(),
    ))
}

fn number(id: &str) -> Result<i64, ApiError> {
    id.parse().map_err(|_| ApiError(WebError::NotFound))
}

/// Where a warning is for.
#[derive(Deserialize, ToSchema, Default)]
pub struct AreaRequest {
    /// The area in words.
    #[serde(default)]
    pub description: String,
    /// A closed polygon: `lat,lon` pairs separated by spaces, the last the same as the first.
    pub polygon: Option<String>,
    /// A circle: `lat,lon radius` (kilometres).
    pub circle: Option<String>,
    /// Geographic codes, like `{"GSS": "E06000047"}`.
    #[serde(default)]
    pub geocodes: BTreeMap<String, String>,
}

/// The Welsh version of a warning's text.
#[derive(Deserialize, ToSchema, Default)]
pub struct WelshRequest {
    /// Pennawd.
    #[serde(default)]
    pub headline: String,
    /// Disgrifiad.
    #[serde(default)]
    pub description: String,
    /// Cyfarwyddyd.
    #[serde(default)]
    pub instruction: String,
}

/// A public warning to draft or change. CAP 1.2 values; times RFC 3339 with an offset.
/// With `template` (like `flood`), fields left out come from that template, and
/// `placeholders` fill its `{area}`, `{time}` and so on.
#[derive(Deserialize, ToSchema, Default)]
pub struct WarningRequest {
    /// Headline.
    #[serde(default)]
    pub headline: String,
    /// What is happening.
    #[serde(default)]
    pub description: String,
    /// What people should do.
    #[serde(default)]
    pub instruction: String,
    /// The kind of event, like `Flood`.
    #[serde(default)]
    pub event: String,
    /// Immediate, Expected, Future, Past or Unknown.
    #[serde(default)]
    pub urgency: String,
    /// Extreme, Severe, Moderate, Minor or Unknown.
    #[serde(default)]
    pub severity: String,
    /// Observed, Likely, Possible, Unlikely or Unknown.
    #[serde(default)]
    pub certainty: String,
    /// The CAP category (Met, Safety, Infra, Health, ...; Safety when absent).
    pub category: Option<String>,
    /// The area.
    #[serde(default)]
    pub area: AreaRequest,
    /// The Welsh text.
    pub welsh: Option<WelshRequest>,
    /// A web page with more (the public alert page when absent).
    pub web: Option<String>,
    /// Who the public can contact.
    pub contact: Option<String>,
    /// When it takes effect (when issued, if absent).
    pub effective: Option<String>,
    /// When the hazard begins.
    pub onset: Option<String>,
    /// When it stops being in force.
    pub expires: Option<String>,
    /// The incident it belongs to.
    pub incident: Option<String>,
    /// Model service ids it concerns.
    #[serde(default)]
    pub services: Vec<String>,
    /// A template to start from.
    pub template: Option<String>,
    /// Values for the template's placeholders.
    #[serde(default)]
    pub placeholders: BTreeMap<String, String>,
}

fn time(text: &Option<String>) -> Result<Option<i64>, String> {
    text.as_deref()
        .filter(|t| !t.trim().is_empty())
        .map(rules::parse_time)
        .transpose()
}

impl WarningRequest {
    fn draft(self, templates: &[rules::Template]) -> Result<WarningDraft, ApiError> {
        let mut r = self;
        if let Some(key) = &r.template {
            let t = templates.iter().find(|t| t.key == *key).ok_or_else(|| {
                ApiError(WebError::Invalid(vec![format!(
                    "template: there is no template {key:?}"
                )]))
            })?;
            let or = |v: &mut String, t: &String| {
                if v.trim().is_empty() {
                    *v = t.clone();
                }
            };
            or(&mut r.headline, &t.headline);
            or(&mut r.description, &t.description);
            or(&mut r.instruction, &t.instruction);
            or(&mut r.event, &t.event);
            or(&mut r.urgency, &t.urgency);
            or(&mut r.severity, &t.severity);
            or(&mut r.certainty, &t.certainty);
            r.category.get_or_insert_with(|| t.category.clone());
        }
        let values: Vec<(String, String)> = r.placeholders.into_iter().collect();
        let fill = |t: &str| rules::fill_placeholders(t, &values);
        let welsh = r.welsh.unwrap_or_default();
        Ok(WarningDraft {
            event: r.event,
            category: r.category.unwrap_or_else(|| "Safety".into()),
            urgency: r.urgency,
            severity: r.severity,
            certainty: r.certainty,
            headline: fill(&r.headline),
            description: fill(&r.description),
            instruction: fill(&r.instruction),
            cy_headline: fill(&welsh.headline),
            cy_description: fill(&welsh.description),
            cy_instruction: fill(&welsh.instruction),
            area: fill(&r.area.description),
            polygon: r.area.polygon.unwrap_or_default(),
            circle: r.area.circle.unwrap_or_default(),
            geocodes: r
                .area
                .geocodes
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("\n"),
            web: r.web.unwrap_or_default(),
            contact: r.contact.unwrap_or_default(),
            note: String::new(),
            effective: time(&r.effective),
            onset: time(&r.onset),
            expires: time(&r.expires),
            incident: r.incident.unwrap_or_default(),
            services: r.services,
        })
    }
}

/// Checks a request against the organisation's model and templates.
async fn checked(
    state: &AppState,
    a: &crate::access::OrgAccess,
    body: WarningRequest,
) -> Result<WarningDetails, ApiError> {
    let m = org_model(state, &a.org).await?;
    let templates = rules::templates(&state.store().warning_templates(a.org.id).await?);
    let draft = body.draft(&templates)?;
    rules::check_warning(&draft, &m.loaded.model, false).map_err(invalid)
}

fn summary(w: &Warning) -> Value {
    json!({
        "id": w.number,
        "msg_type": w.msg_type,
        "status": w.status,
        "headline": w.details.infos.first().map(|i| i.headline.clone()),
        "references": w.references,
        "author": w.author,
        "approver": w.approver,
        "sent_at": w.sent_at,
        "created_at": w.created_at,
    })
}

/// The organisation's warning templates (the built-in ones, or its own version of each),
/// with their placeholders.
#[utoipa::path(get, path = "/api/orgs/{org}/warning-templates", params(("org" = String, Path)), responses((status = 200, body = Object), (status = 404, body = ErrorBody)))]
pub async fn templates(
    State(state): State<AppState>,
    ApiMember { a, .. }: ApiMember<Viewer>,
) -> ApiResult<Value> {
    let all = rules::templates(&state.store().warning_templates(a.org.id).await?);
    let list: Vec<Value> = all
        .iter()
        .map(|t| {
            let mut v = serde_json::to_value(t).unwrap_or_default();
            v["placeholders"] = json!(t.placeholders());
            v
        })
        .collect();
    Ok(Json(json!({ "templates": list })))
}

/// The organisation's warnings, newest first, drafts included.
#[utoipa::path(get, path = "/api/orgs/{org}/warnings", params(("org" = String, Path)), responses((status = 200, body = Object), (status = 404, body = ErrorBody)))]
pub async fn warnings(
    State(state): State<AppState>,
    ApiMember { a, .. }: ApiMember<Viewer>,
) -> ApiResult<Value> {
    let list = state.store().warnings(a.org.id, false, None).await?;
    Ok(Json(
        json!({ "warnings": list.iter().map(summary).collect::<Vec<_>>() }),
    ))
}

/// Drafts a public warning (editors). It is not public until a second person approves it.
#[utoipa::path(post, path = "/api/orgs/{org}/warnings", params(("org" = String, Path)), request_body = WarningRequest, responses((status = 201, body = Object), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiMember { caller, a, .. }: ApiMember<Editor>,
    Json(body): Json<WarningRequest>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let details = checked(&state, &a, body).await?;
    let id = state
        .store()
        .create_warning(
            a.org.id,
            &a.org.slug,
            MessageType::Alert,
            None,
            &details,
            &caller.actor(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))))
}

/// One warning with its plain-language check, SMS and social media text, public addresses
/// (once issued) and the history of its alert.
#[utoipa::path(get, path = "/api/orgs/{org}/warnings/{id}", params(("org" = String, Path), ("id" = i64, Path)), responses((status = 200, body = Object), (status = 404, body = ErrorBody)))]
pub async fn warning(
    State(state): State<AppState>,
    ApiMember { a, .. }: ApiMember<Viewer>,
    Path((_org, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult<Value> {
    let w = state
        .store()
        .warning(a.org.id, number(&id)?)
        .await?
        .ok_or(WebError::NotFound)?;
    let d = derived(&state, &a.org, &w, &base_url(&headers, &state)).await?;
    let mut out = serde_json::to_value(&w).map_err(|e| WebError::Internal(e.to_string()))?;
    out["id"] = json!(w.number);
    out["versions"] = json!(d.versions);
    out["page_url"] = json!(d.page_url);
    out["cap_url"] = json!(d.cap_url);
    out["history"] = json!(d.history);
    Ok(Json(out))
}

/// Changes a draft (editors); 409 once it is issued.
#[utoipa::path(put, path = "/api/orgs/{org}/warnings/{id}", params(("org" = String, Path), ("id" = i64, Path)), request_body = WarningRequest, responses((status = 200, body = Object), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put(
    State(state): State<AppState>,
    ApiMember { caller, a, .. }: ApiMember<Editor>,
    Path((_org, id)): Path<(String, String)>,
    Json(body): Json<WarningRequest>,
) -> ApiResult<Value> {
    let id = number(&id)?;
    let w = state
        .store()
        .warning(a.org.id, id)
        .await?
        .ok_or(WebError::NotFound)?;
    let mut details = checked(&state, &a, body).await?;
    details.note = w.details.note;
    state
        .store()
        .update_warning(a.org.id, id, &details, &caller.actor())
        .await?;
    Ok(Json(json!({ "id": id })))
}

/// Approves and issues a draft: by an editor or administrator who neither wrote nor last
/// changed it (403 otherwise). An update replaces the warning it updates; a cancellation
/// ends it.
#[utoipa::path(post, path = "/api/orgs/{org}/warnings/{id}/approve", params(("org" = String, Path), ("id" = i64, Path)), responses((status = 200, body = Object), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn approve(
    State(state): State<AppState>,
    ApiMember { caller, a, .. }: ApiMember<Editor>,
    Path((_org, id)): Path<(String, String)>,
) -> ApiResult<Value> {
    let id = number(&id)?;
    approve_warning(&state, &a.org, id, None, caller.user.id, &caller.actor()).await?;
    Ok(Json(json!({ "id": id, "status": WarningStatus::Issued })))
}

/// Drafts an update of an issued warning (editors): a new message that, once approved,
/// replaces it (`references` names it).
#[utoipa::path(post, path = "/api/orgs/{org}/warnings/{id}/update", params(("org" = String, Path), ("id" = i64, Path)), request_body = WarningRequest, responses((status = 201, body = Object), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ApiMember { caller, a, .. }: ApiMember<Editor>,
    Path((_org, id)): Path<(String, String)>,
    Json(body): Json<WarningRequest>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let earlier = number(&id)?;
    let details = checked(&state, &a, body).await?;
    let id = state
        .store()
        .create_warning(
            a.org.id,
            &a.org.slug,
            MessageType::Update,
            Some(earlier),
            &details,
            &caller.actor(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))))
}

/// Why a warning is cancelled.
#[derive(Deserialize, ToSchema)]
pub struct CancelRequest {
    /// The reason, published with the cancellation (like "The river has fallen").
    #[serde(default)]
    pub reason: String,
}

/// Drafts the cancellation of an issued warning (editors); like any message, a second
/// person approves it before it is issued.
#[utoipa::path(post, path = "/api/orgs/{org}/warnings/{id}/cancel", params(("org" = String, Path), ("id" = i64, Path)), request_body = CancelRequest, responses((status = 201, body = Object), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn cancel(
    State(state): State<AppState>,
    ApiMember { caller, a, .. }: ApiMember<Editor>,
    Path((_org, id)): Path<(String, String)>,
    Json(body): Json<CancelRequest>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let earlier = number(&id)?;
    let w = state
        .store()
        .warning(a.org.id, earlier)
        .await?
        .ok_or(WebError::NotFound)?;
    let details = rules::cancellation(&w.details, &body.reason).map_err(invalid)?;
    let id = state
        .store()
        .create_warning(
            a.org.id,
            &a.org.slug,
            MessageType::Cancel,
            Some(earlier),
            &details,
            &caller.actor(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))))
}
