//! API for the community hub: requests for help (every member may list them without personal
//! details; editors and above record them; hub coordinators and administrators read, assign
//! and update them) and volunteers (hub coordinators and administrators). Every read of a
//! requester's or a volunteer's personal details is audited with its purpose (`purpose` in the
//! query).

use super::handlers::{ApiResult, ErrorBody};
use super::people::{invalid, number, purpose};
use crate::access::{Admin, ApiMember, Editor, HubCoordinator, Viewer};
use crate::error::{ApiError, WebError};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use bulwark_rules::exercises::today;
use bulwark_rules::requests::{self as rules, RequestDraft, VolunteerDraft, contact_figures};
use bulwark_store::{Channel, StoreError};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};

/// Why personal details are read.
#[derive(Deserialize, IntoParams)]
pub struct PurposeQuery {
    /// The purpose, recorded in the audit trail with the read (like `arranging a delivery`).
    pub purpose: Option<String>,
}

/// A request for help. The name, address, postcode, phone and details are sealed before they
/// are stored.
#[derive(Deserialize, ToSchema, Default)]
pub struct HelpRequestBody {
    /// The name of the person who needs help.
    #[serde(default)]
    pub name: String,
    /// The address where help is needed, without the postcode.
    #[serde(default)]
    pub address: String,
    /// The postcode, like `NM1 4AB`.
    #[serde(default)]
    pub postcode: String,
    /// A phone number.
    pub phone: Option<String>,
    /// What help is needed, in their words.
    #[serde(default)]
    pub details: String,
    /// `food`, `medicine`, `energy` (energy and warmth), `welfare-check`, `transport`,
    /// `shelter` or `other`.
    #[serde(default)]
    pub category: String,
    /// `today` (someone is at risk without help today), `three-days` (safe today, needs help
    /// within 3 days) or `can-wait`.
    #[serde(default)]
    pub urgency: String,
    /// How it came in: `phone` (the default) or `api`.
    pub channel: Option<String>,
    /// The incident it is part of (the incident's number).
    pub incident: Option<String>,
}

/// The requests of the organisation without personal details, open ones first, with the
/// time-to-first-contact figures (every member).
#[utoipa::path(get, path = "/api/orgs/{org}/requests", params(("org" = String, Path)), responses((status = 200, body = Object), (status = 404, body = ErrorBody)))]
pub async fn requests(
    State(state): State<AppState>,
    ApiMember { a, .. }: ApiMember<Viewer>,
) -> ApiResult<Value> {
    let list = state.store().help_requests(a.org.id).await?;
    let f = contact_figures(&list, bulwark_store::now());
    let figures = json!({
        "contacted": f.contacted, "median_seconds_to_first_contact": f.median_seconds,
        "judged": f.judged, "within_target": f.within_target,
        "percent_within_target": f.percent_within(), "overdue": f.overdue,
    });
    Ok(Json(json!({ "requests": list, "figures": figures })))
}

/// Records a request for help (editors, hub coordinators and administrators); answers its
/// number, reference and the requests it may duplicate (same person, address or phone).
#[utoipa::path(post, path = "/api/orgs/{org}/requests", params(("org" = String, Path)), request_body = HelpRequestBody, responses((status = 201, body = Object), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn create_request(
    State(state): State<AppState>,
    ApiMember { caller, a, .. }: ApiMember<Editor>,
    Json(b): Json<HelpRequestBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let keys = state.people_keys()?;
    let channel = match b.channel.as_deref() {
        None | Some("phone") => Channel::Phone,
        Some("api") => Channel::Api,
        Some(_) => {
            return Err(invalid(vec![bulwark_rules::FieldError::new(
                "channel",
                "the channel is phone or api",
            )]));
        }
    };
    let draft = RequestDraft {
        name: b.name,
        address: b.address,
        postcode: b.postcode,
        phone: b.phone.unwrap_or_default(),
        details: b.details,
        category: b.category,
        urgency: b.urgency,
        incident: b.incident.unwrap_or_default(),
    };
    let request = rules::check_request(&draft, channel, today()).map_err(invalid)?;
    let (id, duplicates) = state
        .store()
        .create_help_request(a.org.id, &request, keys, &caller.actor())
        .await?;
    let body =
        json!({ "id": id, "reference": bulwark_store::reference(id), "duplicates": duplicates });
    Ok((StatusCode::CREATED, Json(body)))
}

/// One request with the requester's details, its timeline and possible duplicates (hub
/// coordinators and administrators); the read is audited with its purpose.
#[utoipa::path(get, path = "/api/orgs/{org}/requests/{id}", params(("org" = String, Path), ("id" = i64, Path), PurposeQuery), responses((status = 200, body = Object), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn request(
    State(state): State<AppState>,
    ApiMember { caller, a, .. }: ApiMember<HubCoordinator>,
    Path((_org, id)): Path<(String, String)>,
    Query(q): Query<PurposeQuery>,
) -> ApiResult<Value> {
    let keys = state.people_keys()?;
    let why = purpose(q.purpose)?;
    let r = state
        .store()
        .read_help_request(a.org.id, number(&id)?, &why, keys, &caller.actor())
        .await?;
    Ok(Json(json!(r)))
}

/// The available volunteers who can help with a request, those in its postcode district
/// first (hub coordinators and administrators); each one returned is audited as read.
#[utoipa::path(get, path = "/api/orgs/{org}/requests/{id}/volunteers", params(("org" = String, Path), ("id" = i64, Path), PurposeQuery), responses((status = 200, body = Object), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn matches(
    State(state): State<AppState>,
    ApiMember { caller, a, .. }: ApiMember<HubCoordinator>,
    Path((_org, id)): Path<(String, String)>,
    Query(q): Query<PurposeQuery>,
) -> ApiResult<Value> {
    let keys = state.people_keys()?;
    let why = purpose(q.purpose)?;
    let found = state
        .store()
        .volunteer_matches(a.org.id, number(&id)?, &why, keys, &caller.actor())
        .await?;
    Ok(Json(json!({ "volunteers": found })))
}

/// An assignment.
#[derive(Deserialize, ToSchema, Default)]
pub struct AssignBody {
    /// `volunteer`, `partner` or `team`.
    #[serde(default)]
    pub kind: String,
    /// The volunteer's number, for `volunteer`.
    pub volunteer: Option<i64>,
    /// The partner organisation's or council team's name.
    #[serde(default)]
    pub name: String,
    /// A note for the timeline.
    pub note: Option<String>,
}

/// Assigns a request to a volunteer, a partner organisation or a council team (hub
/// coordinators and administrators).
#[utoipa::path(post, path = "/api/orgs/{org}/requests/{id}/assign", params(("org" = String, Path), ("id" = i64, Path)), request_body = AssignBody, responses((status = 200, body = Object), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn assign(
    State(state): State<AppState>,
    ApiMember { caller, a, .. }: ApiMember<HubCoordinator>,
    Path((_org, id)): Path<(String, String)>,
    Json(b): Json<AssignBody>,
) -> ApiResult<Value> {
    let keys = state.people_keys()?;
    let id = number(&id)?;
    let volunteers = state.store().volunteer_numbers(a.org.id).await?;
    let to = rules::check_assignment(&b.kind, b.volunteer, &b.name, &volunteers)
        .map_err(|e| invalid(vec![e]))?;
    let note = b.note.as_deref().map(str::trim).filter(|n| !n.is_empty());
    if let Some(e) = bulwark_rules::text::check_all(&[(
        "note",
        "The note",
        note.unwrap_or(""),
        bulwark_rules::text::LONG,
        true,
    )])
    .pop()
    {
        return Err(invalid(vec![e]));
    }
    state
        .store()
        .assign_help_request(a.org.id, id, &to, note, keys, &caller.actor())
        .await?;
    Ok(Json(json!({ "id": id, "assignee": to })))
}

/// A status change, a note, or both.
#[derive(Deserialize, ToSchema, Default)]
pub struct StatusBody {
    /// `assigned`, `contacted`, `completed` or `closed` (closed without help: needs a note);
    /// empty keeps the status.
    #[serde(default)]
    pub status: String,
    /// A note for the timeline.
    #[serde(default)]
    pub note: String,
}

/// Moves a request on (the first move to contacted or completed records the time of first
/// contact), or adds a note (hub coordinators and administrators).
#[utoipa::path(post, path = "/api/orgs/{org}/requests/{id}/status", params(("org" = String, Path), ("id" = i64, Path)), request_body = StatusBody, responses((status = 200, body = Object), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn status(
    State(state): State<AppState>,
    ApiMember { caller, a, .. }: ApiMember<HubCoordinator>,
    Path((_org, id)): Path<(String, String)>,
    Json(b): Json<StatusBody>,
) -> ApiResult<Value> {
    let keys = state.people_keys()?;
    let id = number(&id)?;
    let current = state
        .store()
        .help_request_summary(a.org.id, id)
        .await?
        .ok_or(ApiError(WebError::NotFound))?;
    let (status, note) =
        rules::check_status(current.status, &b.status, &b.note).map_err(invalid)?;
    state
        .store()
        .update_help_request(a.org.id, id, status, note.as_deref(), keys, &caller.actor())
        .await?;
    Ok(Json(json!({ "id": id, "status": status })))
}

/// Puts a request under legal hold, or lifts it (administrators).
#[utoipa::path(put, path = "/api/orgs/{org}/requests/{id}/legal-hold", params(("org" = String, Path), ("id" = i64, Path)), request_body = super::people::HoldRequest, responses((status = 200, body = Object), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn put_hold(
    State(state): State<AppState>,
    ApiMember { caller, a, .. }: ApiMember<Admin>,
    Path((_org, id)): Path<(String, String)>,
    Json(b): Json<super::people::HoldRequest>,
) -> ApiResult<Value> {
    let id = number(&id)?;
    state
        .store()
        .set_request_legal_hold(a.org.id, id, b.legal_hold, &caller.actor())
        .await?;
    Ok(Json(json!({ "id": id, "legal_hold": b.legal_hold })))
}

/// The organisation's volunteers with their contact details, DBS checks, hours and open
/// assignments (hub coordinators and administrators); each one is audited as read.
#[utoipa::path(get, path = "/api/orgs/{org}/volunteers", params(("org" = String, Path), PurposeQuery), responses((status = 200, body = Object), (status = 403, body = ErrorBody)))]
pub async fn volunteers(
    State(state): State<AppState>,
    ApiMember { caller, a, .. }: ApiMember<HubCoordinator>,
    Query(q): Query<PurposeQuery>,
) -> ApiResult<Value> {
    let keys = state.people_keys()?;
    let why = purpose(q.purpose)?;
    let list = state
        .store()
        .volunteers(a.org.id, &why, keys, &caller.actor())
        .await?;
    Ok(Json(json!({ "volunteers": list })))
}

/// A volunteer. Name, phone, email and postcode are sealed before they are stored.
#[derive(Deserialize, ToSchema, Default)]
pub struct VolunteerBody {
    /// Their name.
    #[serde(default)]
    pub name: String,
    /// A phone number (this or an email is needed).
    pub phone: Option<String>,
    /// An email address.
    pub email: Option<String>,
    /// Their home postcode (its district is used to offer them nearby requests first).
    #[serde(default)]
    pub postcode: String,
    /// The request categories they can help with, like `["food", "transport"]`.
    #[serde(default)]
    pub skills: Vec<String>,
    /// `none`, `basic`, `standard`, `enhanced` or `enhanced-barred`.
    #[serde(default)]
    pub dbs_level: String,
    /// When the DBS check is due to be renewed (ISO date; needed unless `none`).
    pub dbs_expires_on: Option<String>,
    /// Can take requests now (default true).
    pub available: Option<bool>,
    /// When they are usually free.
    #[serde(default)]
    pub availability: String,
}

/// Adds a volunteer (hub coordinators and administrators).
#[utoipa::path(post, path = "/api/orgs/{org}/volunteers", params(("org" = String, Path)), request_body = VolunteerBody, responses((status = 201, body = Object), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_volunteer(
    State(state): State<AppState>,
    ApiMember { caller, a, .. }: ApiMember<HubCoordinator>,
    Json(b): Json<VolunteerBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let keys = state.people_keys()?;
    let draft = VolunteerDraft {
        name: b.name,
        phone: b.phone.unwrap_or_default(),
        email: b.email.unwrap_or_default(),
        postcode: b.postcode,
        skills: b.skills,
        dbs_level: b.dbs_level,
        dbs_expires_on: b.dbs_expires_on.unwrap_or_default(),
        available: b.available.unwrap_or(true),
        availability: b.availability,
    };
    let v = rules::check_volunteer(&draft).map_err(invalid)?;
    let id = state
        .store()
        .create_volunteer(a.org.id, &v, keys, &caller.actor())
        .await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))))
}

/// Hours a volunteer gave.
#[derive(Deserialize, ToSchema, Default)]
pub struct HoursBody {
    /// Hours, like `1.5` (at most 24).
    #[serde(default)]
    pub hours: f64,
    /// The day (ISO date, not in the future).
    #[serde(default)]
    pub worked_on: String,
    /// The request they were for (its number).
    pub request: Option<i64>,
}

/// Logs hours a volunteer gave (hub coordinators and administrators).
#[utoipa::path(post, path = "/api/orgs/{org}/volunteers/{id}/hours", params(("org" = String, Path), ("id" = i64, Path)), request_body = HoursBody, responses((status = 200, body = Object), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn hours(
    State(state): State<AppState>,
    ApiMember { caller, a, .. }: ApiMember<HubCoordinator>,
    Path((_org, id)): Path<(String, String)>,
    Json(b): Json<HoursBody>,
) -> ApiResult<Value> {
    let id = number(&id)?;
    if !state
        .store()
        .volunteer_numbers(a.org.id)
        .await?
        .contains(&id)
    {
        return Err(ApiError(WebError::NotFound));
    }
    let (day, minutes) =
        rules::check_hours(&b.hours.to_string(), &b.worked_on, today()).map_err(invalid)?;
    state
        .store()
        .log_volunteer_hours(a.org.id, id, day, minutes, b.request, &caller.actor())
        .await
        .map_err(|e| match e {
            // The volunteer exists (checked above), so what is missing is the request.
            StoreError::NotFound if b.request.is_some() => {
                invalid(vec![bulwark_rules::FieldError::new(
                    "request",
                    "there is no such request in this organisation",
                )])
            }
            other => other.into(),
        })?;
    Ok(Json(json!({ "id": id, "minutes": minutes })))
}

/// Availability.
#[derive(Deserialize, ToSchema)]
pub struct AvailabilityBody {
    /// Can take requests now.
    pub available: bool,
    /// When they are usually free.
    #[serde(default)]
    pub availability: String,
}

/// Marks a volunteer available or not (hub coordinators and administrators).
#[utoipa::path(put, path = "/api/orgs/{org}/volunteers/{id}/availability", params(("org" = String, Path), ("id" = i64, Path)), request_body = AvailabilityBody, responses((status = 200, body = Object), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn availability(
    State(state): State<AppState>,
    ApiMember { caller, a, .. }: ApiMember<HubCoordinator>,
    Path((_org, id)): Path<(String, String)>,
    Json(b): Json<AvailabilityBody>,
) -> ApiResult<Value> {
    let id = number(&id)?;
    if let Some(e) = bulwark_rules::text::check_all(&[(
        "availability",
        "When they are free",
        &b.availability,
        bulwark_rules::text::SHORT,
        false,
    )])
    .pop()
    {
        return Err(invalid(vec![e]));
    }
    state
        .store()
        .set_volunteer_availability(
            a.org.id,
            id,
            b.available,
            b.availability.trim(),
            &caller.actor(),
        )
        .await?;
    Ok(Json(json!({ "id": id, "available": b.available })))
}
