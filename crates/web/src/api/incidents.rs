//! API for incidents, with the same rules as the pages ([`bulwark_rules::incidents`]): declare
//! and read incidents, the decision log (append and read only: there is no route that changes
//! or removes an entry) and its verification, the status board, situation reports and
//! actions. Times are RFC 3339 with an offset.

use super::handlers::{ApiResult, ErrorBody};
use crate::access::{ApiMember, Editor, OrgAccess, Viewer};
use crate::error::{ApiError, WebError};
use crate::incidents::{find, find_led, markable_items, status_board};
use crate::models::org_model;
use crate::pages::{FieldError, check_mark};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use bulwark_rules::incidents::{self as rules, DecisionDraft, IncidentDraft};
use bulwark_rules::warnings::parse_time;
use bulwark_store::{
    DecisionEntry, DecisionInput, Incident, IncidentActionStatus, IncidentStatus, SitrepBody,
    Standing, now, rfc3339,
};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

/// Field problems, named by the JSON field they are about.
fn invalid(errors: Vec<FieldError>) -> ApiError {
    ApiError(WebError::Invalid(
        errors
            .into_iter()
            .map(|e| {
                let field = e
                    .field
                    .strip_suffix("-day")
                    .map_or(e.field.clone(), |f| match f {
                        "started" => "started_at".into(),
                        "decided" => "decided_at".into(),
                        "review" => "review_at".into(),
                        "due" => "due_at".into(),
                        "next" => "next_due_at".into(),
                        "from" => "at".into(),
                        other => other.into(),
                    });
                format!("{field}: {}", e.message)
            })
            .collect(),
    ))
}

/// An optional RFC 3339 time.
fn time(text: &Option<String>) -> Result<Option<i64>, String> {
    text.as_deref()
        .filter(|t| !t.trim().is_empty())
        .map(parse_time)
        .transpose()
}

fn incident_json(i: &Incident, standing: Standing) -> Value {
    let mut v = serde_json::to_value(i).unwrap_or_default();
    v["standing"] = json!(standing);
    v["started_at"] = json!(rfc3339(i.details.started_at));
    v
}

fn entry_json(e: &DecisionEntry) -> Value {
    serde_json::to_value(e).unwrap_or_default()
}

/// An incident to declare, or the new state of one.
#[derive(Deserialize, ToSchema, Default)]
pub struct IncidentRequest {
    /// A short title.
    #[serde(default)]
    pub title: String,
    /// When it started (RFC 3339).
    pub started_at: Option<String>,
    /// `operational`, `tactical` or `strategic`.
    #[serde(default)]
    pub level: String,
    /// The model scenario it resembles (an id).
    pub scenario: Option<String>,
    /// What happened.
    #[serde(default)]
    pub summary: String,
    /// Where.
    #[serde(default)]
    pub location: String,
    /// `active`, `stand-down`, `recovery` or `closed` (when changing an incident).
    pub status: Option<String>,
}

async fn checked(
    state: &AppState,
    a: &OrgAccess,
    r: &IncidentRequest,
) -> Result<bulwark_store::IncidentDetails, ApiError> {
    let m = org_model(state, &a.org).await?;
    let scenarios: Vec<String> = m
        .loaded
        .model
        .scenarios
        .iter()
        .map(|s| s.meta.id.to_string())
        .collect();
    let draft = IncidentDraft {
        title: r.title.clone(),
        summary: r.summary.clone(),
        location: r.location.clone(),
        started_at: time(&r.started_at),
        level: r.level.clone(),
        scenario: r.scenario.clone().unwrap_or_default(),
    };
    rules::check_incident(&draft, &scenarios).map_err(invalid)
}

/// Declares an incident led by the organisation (editors).
#[utoipa::path(post, path = "/api/orgs/{org}/incidents", params(("org" = String, Path)), request_body = IncidentRequest, responses((status = 201, body = Object), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiMember { caller, a, .. }: ApiMember<Editor>,
    Json(body): Json<IncidentRequest>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let details = checked(&state, &a, &body).await?;
    let id = state
        .store()
        .declare_incident(a.org.id, &caller.actor(), &details)
        .await?;
    state.incident_changed(id).await;
    let (i, standing) = find(&state, &a, &id.to_string()).await?;
    Ok((StatusCode::CREATED, Json(incident_json(&i, standing))))
}

/// The incidents the organisation leads or is invited to, newest first.
#[utoipa::path(get, path = "/api/orgs/{org}/incidents", params(("org" = String, Path)), responses((status = 200, body = Object), (status = 404, body = ErrorBody)))]
pub async fn incidents(
    State(state): State<AppState>,
    ApiMember { a, .. }: ApiMember<Viewer>,
) -> ApiResult<Value> {
    let list = state.store().incidents_for(a.org.id).await?;
    Ok(Json(json!({
        "incidents": list.iter().map(|(i, s)| incident_json(i, *s)).collect::<Vec<_>>()
    })))
}

/// One incident with its latest M/ETHANE report, status board, actions and situation reports.
#[utoipa::path(get, path = "/api/orgs/{org}/incidents/{id}", params(("org" = String, Path), ("id" = i64, Path)), responses((status = 200, body = Object), (status = 404, body = ErrorBody)))]
pub async fn incident(
    State(state): State<AppState>,
    ApiMember { a, .. }: ApiMember<Viewer>,
    Path((_org, id)): Path<(String, String)>,
) -> ApiResult<Value> {
    let (i, standing) = find(&state, &a, &id).await?;
    let store = state.store();
    let mut out = incident_json(&i, standing);
    out["methane"] = json!(store.methane_versions(i.id).await?.first());
    out["board"] = board_json(&state, &i).await?;
    out["actions"] = json!(store.incident_actions(i.id).await?);
    out["sitreps"] = json!(store.sitreps(i.id).await?);
    out["rhythm"] = json!(store.rhythm(i.id).await?);
    Ok(Json(out))
}

/// Changes an incident and its status (editors of the lead organisation).
#[utoipa::path(put, path = "/api/orgs/{org}/incidents/{id}", params(("org" = String, Path), ("id" = i64, Path)), request_body = IncidentRequest, responses((status = 200, body = Object), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put(
    State(state): State<AppState>,
    ApiMember { caller, a, .. }: ApiMember<Editor>,
    Path((_org, id)): Path<(String, String)>,
    Json(body): Json<IncidentRequest>,
) -> ApiResult<Value> {
    let i = find_led(&state, &a, &id).await?;
    let details = checked(&state, &a, &body).await?;
    let status = match body.status.as_deref() {
        None => i.status,
        Some(s) => IncidentStatus::parse(s).ok_or_else(|| {
            invalid(vec![FieldError::new(
                "status",
                "must be active, stand-down, recovery or closed",
            )])
        })?,
    };
    state
        .store()
        .update_incident(a.org.id, i.id, &caller.actor(), &details, status)
        .await?;
    state.incident_changed(i.id).await;
    let (i, standing) = find(&state, &a, &id).await?;
    Ok(Json(incident_json(&i, standing)))
}

/// A decision to append to the log, on the JESIP Joint Decision Model.
#[derive(Deserialize, ToSchema, Default)]
pub struct DecisionRequest {
    /// The decision.
    #[serde(default)]
    pub decision: String,
    /// Why.
    #[serde(default)]
    pub rationale: String,
    /// When it was decided (RFC 3339).
    pub decided_at: Option<String>,
    /// Who decided.
    #[serde(default)]
    pub decision_maker: String,
    /// Information and intelligence held.
    #[serde(default)]
    pub information: String,
    /// The assessment of risk and threat.
    #[serde(default)]
    pub assessment: String,
    /// Powers, policies and procedures considered.
    #[serde(default)]
    pub powers: String,
    /// Options considered, and why others were rejected.
    #[serde(default)]
    pub options: String,
    /// Agencies party to a joint decision.
    #[serde(default)]
    pub agencies: Vec<String>,
    /// Why it is recorded more than 15 minutes after it was made.
    pub delay_reason: Option<String>,
    /// When to review it (RFC 3339).
    pub review_at: Option<String>,
    /// The entry (its `seq`) this one corrects.
    pub corrects: Option<i64>,
}

/// Appends a decision to the incident's log (editors of the lead organisation; the caller is
/// recorded as the loggist). Entries are never changed or deleted.
#[utoipa::path(post, path = "/api/orgs/{org}/incidents/{id}/decisions", params(("org" = String, Path), ("id" = i64, Path)), request_body = DecisionRequest, responses((status = 201, body = Object), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn append_decision(
    State(state): State<AppState>,
    ApiMember { caller, a, .. }: ApiMember<Editor>,
    Path((_org, id)): Path<(String, String)>,
    Json(r): Json<DecisionRequest>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let i = find_led(&state, &a, &id).await?;
    let draft = DecisionDraft {
        input: DecisionInput {
            information: r.information,
            assessment: r.assessment,
            powers: r.powers,
            options: r.options,
            decision: r.decision,
            rationale: r.rationale,
            decision_maker: r.decision_maker,
            agencies: r.agencies,
            decided_at: 0,
            delay_reason: r.delay_reason,
            review_at: None,
            corrects: r.corrects,
        },
        decided_at: time(&r.decided_at),
        review_at: time(&r.review_at),
        // The store checks the correction against the log as it stands when appending.
        log_length: i64::MAX,
    };
    let input = rules::check_decision(&draft, now()).map_err(invalid)?;
    let entry = state
        .store()
        .append_decision(a.org.id, i.id, &caller.actor(), &input)
        .await
        .map_err(|e| match e {
            bulwark_store::StoreError::Conflict(m) => invalid(vec![FieldError::new("corrects", m)]),
            other => ApiError(other.into()),
        })?;
    state.incident_changed(i.id).await;
    Ok((StatusCode::CREATED, Json(entry_json(&entry))))
}

/// The incident's decision log, oldest first (`seq` from 1 without gaps). Every read is
/// recorded in the audit trail.
#[utoipa::path(get, path = "/api/orgs/{org}/incidents/{id}/decisions", params(("org" = String, Path), ("id" = i64, Path)), responses((status = 200, body = Object), (status = 404, body = ErrorBody)))]
pub async fn decisions(
    State(state): State<AppState>,
    ApiMember { caller, a, .. }: ApiMember<Viewer>,
    Path((_org, id)): Path<(String, String)>,
) -> ApiResult<Value> {
    let (i, _) = find(&state, &a, &id).await?;
    let entries = state
        .store()
        .decision_log(a.org.id, i.id, &caller.actor())
        .await?;
    Ok(Json(json!({
        "entries": entries.iter().map(entry_json).collect::<Vec<_>>()
    })))
}

/// Checks the decision log: every entry against its hash and the one before it.
#[utoipa::path(get, path = "/api/orgs/{org}/incidents/{id}/verify", params(("org" = String, Path), ("id" = i64, Path)), responses((status = 200, body = Object), (status = 404, body = ErrorBody)))]
pub async fn verify(
    State(state): State<AppState>,
    ApiMember { a, .. }: ApiMember<Viewer>,
    Path((_org, id)): Path<(String, String)>,
) -> ApiResult<Value> {
    let (i, _) = find(&state, &a, &id).await?;
    let v = state.store().verify_decision_log(i.id).await?;
    Ok(Json(serde_json::to_value(&v).unwrap_or_default()))
}

async fn board_json(state: &AppState, i: &Incident) -> Result<Value, WebError> {
    let at = now();
    let Some(b) = status_board(state, i, at).await? else {
        return Ok(Value::Null);
    };
    let row = |x: &crate::board::Affected| {
        json!({
            "id": x.id,
            "name": x.name,
            "criticality": x.criticality,
            "capacity": x.capacity,
            "since": rfc3339(x.since),
            "mtpd_seconds": x.mtpd,
            "breach_at": x.breach_at.map(rfc3339),
            "seconds_to_breach": x.breach_at.map(|t| t - at),
            "because": x.because,
            "backlog": x.backlog.as_ref().map(|(n, unit)| json!({"amount": n, "unit": unit})),
        })
    };
    Ok(json!({
        "at": rfc3339(at),
        "lost": b.lost.iter().map(row).collect::<Vec<_>>(),
        "degraded": b.degraded.iter().map(row).collect::<Vec<_>>(),
        "marked": b.marked.iter().map(|(item, c)| json!({"item": item, "capacity": c})).collect::<Vec<_>>(),
    }))
}

/// The live status board: every lost service, soonest to breach first, with why.
#[utoipa::path(get, path = "/api/orgs/{org}/incidents/{id}/board", params(("org" = String, Path), ("id" = i64, Path)), responses((status = 200, body = Object), (status = 404, body = ErrorBody)))]
pub async fn board(
    State(state): State<AppState>,
    ApiMember { a, .. }: ApiMember<Viewer>,
    Path((_org, id)): Path<(String, String)>,
) -> ApiResult<Value> {
    let (i, _) = find(&state, &a, &id).await?;
    Ok(Json(board_json(&state, &i).await?))
}

/// An asset or service to mark failed or degraded.
#[derive(Deserialize, ToSchema, Default)]
pub struct MarkRequest {
    /// The asset or service id.
    #[serde(default)]
    pub item: String,
    /// Capacity left, 0 to 99 percent (0 or absent: failed).
    pub capacity: Option<i64>,
    /// Since when (RFC 3339; now when absent).
    pub at: Option<String>,
    /// What is known.
    #[serde(default)]
    pub note: String,
}

/// Marks an asset or service failed or degraded on the board (editors of the lead
/// organisation).
#[utoipa::path(post, path = "/api/orgs/{org}/incidents/{id}/marks", params(("org" = String, Path), ("id" = i64, Path)), request_body = MarkRequest, responses((status = 201, body = Object), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn mark(
    State(state): State<AppState>,
    ApiMember { caller, a, .. }: ApiMember<Editor>,
    Path((_org, id)): Path<(String, String)>,
    Json(r): Json<MarkRequest>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let i = find_led(&state, &a, &id).await?;
    let items = markable_items(&state, &i).await?;
    let capacity = r.capacity.map(|c| c.to_string()).unwrap_or_default();
    let (from_at, capacity, note) =
        check_mark(&items, &r.item, &capacity, time(&r.at), &r.note).map_err(invalid)?;
    let mark = state
        .store()
        .add_mark(
            a.org.id,
            i.id,
            &caller.actor(),
            &bulwark_store::NewMark {
                item: &r.item,
                capacity,
                from_at,
                note: &note,
            },
        )
        .await?;
    state.incident_changed(i.id).await;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": mark, "board": board_json(&state, &i).await? })),
    ))
}

/// A situation report on the shared template.
#[derive(Deserialize, ToSchema, Default)]
pub struct SitrepRequest {
    /// The situation now.
    #[serde(default)]
    pub situation: String,
    /// Actions taken.
    #[serde(default)]
    pub actions_taken: String,
    /// Services affected.
    #[serde(default)]
    pub services_affected: String,
    /// Resources.
    #[serde(default)]
    pub resources: String,
    /// Issues and requests.
    #[serde(default)]
    pub issues: String,
    /// Forecast.
    #[serde(default)]
    pub forecast: String,
    /// When the next report is due (RFC 3339).
    pub next_due_at: Option<String>,
}

/// Submits the organisation's situation report (editors of the lead or a partner).
#[utoipa::path(post, path = "/api/orgs/{org}/incidents/{id}/sitreps", params(("org" = String, Path), ("id" = i64, Path)), request_body = SitrepRequest, responses((status = 201, body = Object), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn submit_sitrep(
    State(state): State<AppState>,
    ApiMember { caller, a, .. }: ApiMember<Editor>,
    Path((_org, id)): Path<(String, String)>,
    Json(r): Json<SitrepRequest>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let (i, _) = find(&state, &a, &id).await?;
    let body = SitrepBody {
        situation: r.situation,
        actions_taken: r.actions_taken,
        services_affected: r.services_affected,
        resources: r.resources,
        issues: r.issues,
        forecast: r.forecast,
    };
    let (body, next) = rules::check_sitrep(&body, &time(&r.next_due_at)).map_err(invalid)?;
    let report = state
        .store()
        .submit_sitrep(a.org.id, i.id, &caller.actor(), &body, next)
        .await?;
    state.incident_changed(i.id).await;
    Ok((StatusCode::CREATED, Json(json!({ "id": report }))))
}

/// An action in an incident, or a change to one's status.
#[derive(Deserialize, ToSchema, Default)]
pub struct IncidentActionRequest {
    /// What is to be done.
    #[serde(default)]
    pub description: String,
    /// Who owns it.
    #[serde(default)]
    pub owner: String,
    /// When it is due (RFC 3339).
    pub due_at: Option<String>,
    /// The decision it carries out (its `seq`).
    pub decision: Option<i64>,
    /// `open`, `in-progress`, `done` or `cancelled` (when changing one).
    pub status: Option<String>,
}

/// Adds an action for the lead organisation (editors of the lead organisation).
#[utoipa::path(post, path = "/api/orgs/{org}/incidents/{id}/actions", params(("org" = String, Path), ("id" = i64, Path)), request_body = IncidentActionRequest, responses((status = 201, body = Object), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_action(
    State(state): State<AppState>,
    ApiMember { caller, a, .. }: ApiMember<Editor>,
    Path((_org, id)): Path<(String, String)>,
    Json(r): Json<IncidentActionRequest>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let i = find_led(&state, &a, &id).await?;
    let due_at =
        rules::check_action(&r.description, &r.owner, &time(&r.due_at)).map_err(invalid)?;
    if r.decision.is_some_and(|d| !(1..=i.log_length).contains(&d)) {
        return Err(invalid(vec![FieldError::new(
            "decision",
            "there is no such entry in the decision log",
        )]));
    }
    let action = state
        .store()
        .add_incident_action(
            a.org.id,
            i.id,
            &caller.actor(),
            &bulwark_store::NewAction {
                org: a.org.id,
                description: r.description.trim(),
                owner: r.owner.trim(),
                due_at,
                decision_seq: r.decision,
            },
        )
        .await?;
    state.incident_changed(i.id).await;
    Ok((StatusCode::CREATED, Json(json!({ "id": action }))))
}

/// Moves an action on (editors of the lead organisation or of the organisation it is given
/// to).
#[utoipa::path(put, path = "/api/orgs/{org}/incidents/{id}/actions/{action}", params(("org" = String, Path), ("id" = i64, Path), ("action" = i64, Path)), request_body = IncidentActionRequest, responses((status = 200, body = Object), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_action(
    State(state): State<AppState>,
    ApiMember { caller, a, .. }: ApiMember<Editor>,
    Path((_org, id, action)): Path<(String, String, String)>,
    Json(r): Json<IncidentActionRequest>,
) -> ApiResult<Value> {
    let (i, _) = find(&state, &a, &id).await?;
    let action: i64 = action.parse().map_err(|_| WebError::NotFound)?;
    let status = r
        .status
        .as_deref()
        .and_then(IncidentActionStatus::parse)
        .ok_or_else(|| {
            invalid(vec![FieldError::new(
                "status",
                "must be open, in-progress, done or cancelled",
            )])
        })?;
    state
        .store()
        .set_incident_action_status(a.org.id, i.id, action, &caller.actor(), status)
        .await?;
    state.incident_changed(i.id).await;
    Ok(Json(json!({ "id": action, "status": status })))
}

/// Records a new version of the incident's M/ETHANE report (editors of the lead
/// organisation).
#[utoipa::path(post, path = "/api/orgs/{org}/incidents/{id}/methane", params(("org" = String, Path), ("id" = i64, Path)), request_body = Object, responses((status = 201, body = Object), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn methane(
    State(state): State<AppState>,
    ApiMember { caller, a, .. }: ApiMember<Editor>,
    Path((_org, id)): Path<(String, String)>,
    Json(report): Json<bulwark_store::Methane>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let i = find_led(&state, &a, &id).await?;
    let report = rules::check_methane(&report).map_err(invalid)?;
    let version = state
        .store()
        .record_methane(a.org.id, i.id, &caller.actor(), &report)
        .await?;
    state.incident_changed(i.id).await;
    Ok((StatusCode::CREATED, Json(json!({ "version": version }))))
}

/// An organisation to invite, or a legal hold to set.
#[derive(Deserialize, ToSchema, Default)]
pub struct IncidentChangeRequest {
    /// The partner organisation's id (when inviting).
    pub org: Option<String>,
    /// Whether the incident is under legal hold (when setting it).
    pub legal_hold: Option<bool>,
}

/// Invites a partner organisation (editors of the lead organisation).
#[utoipa::path(post, path = "/api/orgs/{org}/incidents/{id}/partners", params(("org" = String, Path), ("id" = i64, Path)), request_body = IncidentChangeRequest, responses((status = 200, body = Object), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn invite(
    State(state): State<AppState>,
    ApiMember { caller, a, .. }: ApiMember<Editor>,
    Path((_org, id)): Path<(String, String)>,
    Json(r): Json<IncidentChangeRequest>,
) -> ApiResult<Value> {
    let i = find_led(&state, &a, &id).await?;
    let slug = r.org.unwrap_or_default();
    let partner = state.store().org_by_slug(&slug).await?.ok_or_else(|| {
        invalid(vec![FieldError::new(
            "org",
            format!("there is no organisation {slug:?}"),
        )])
    })?;
    state
        .store()
        .invite_partner(a.org.id, i.id, &caller.actor(), &partner)
        .await?;
    state.incident_changed(i.id).await;
    let (i, standing) = find(&state, &a, &id).await?;
    Ok(Json(incident_json(&i, standing)))
}

/// Sets or lifts the legal hold (administrators of the lead organisation).
#[utoipa::path(put, path = "/api/orgs/{org}/incidents/{id}/legal-hold", params(("org" = String, Path), ("id" = i64, Path)), request_body = IncidentChangeRequest, responses((status = 200, body = Object), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn legal_hold(
    State(state): State<AppState>,
    ApiMember { caller, a, .. }: ApiMember<crate::access::Admin>,
    Path((_org, id)): Path<(String, String)>,
    Json(r): Json<IncidentChangeRequest>,
) -> ApiResult<Value> {
    let i = find_led(&state, &a, &id).await?;
    let hold = r
        .legal_hold
        .ok_or_else(|| invalid(vec![FieldError::new("legal_hold", "give true or false")]))?;
    state
        .store()
        .set_incident_legal_hold(a.org.id, i.id, &caller.actor(), hold)
        .await?;
    state.incident_changed(i.id).await;
    Ok(Json(json!({ "id": i.id, "legal_hold": hold })))
}

/// A meeting or a situation report deadline.
#[derive(Deserialize, ToSchema, Default)]
pub struct RhythmRequest {
    /// `meeting` or `sitrep`.
    #[serde(default)]
    pub kind: String,
    /// What it is.
    #[serde(default)]
    pub title: String,
    /// When (RFC 3339).
    pub at: Option<String>,
}

/// Adds a meeting or a situation report deadline to the battle rhythm (editors of the lead
/// organisation).
#[utoipa::path(post, path = "/api/orgs/{org}/incidents/{id}/rhythm", params(("org" = String, Path), ("id" = i64, Path)), request_body = RhythmRequest, responses((status = 201, body = Object), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn rhythm(
    State(state): State<AppState>,
    ApiMember { caller, a, .. }: ApiMember<Editor>,
    Path((_org, id)): Path<(String, String)>,
    Json(r): Json<RhythmRequest>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let i = find_led(&state, &a, &id).await?;
    let (kind, title, at) =
        rules::check_rhythm(&r.kind, &r.title, &time(&r.at)).map_err(invalid)?;
    let entry = state
        .store()
        .add_rhythm(a.org.id, i.id, &caller.actor(), kind, &title, at)
        .await?;
    state.incident_changed(i.id).await;
    Ok((StatusCode::CREATED, Json(json!({ "id": entry }))))
}

/// When a marked item was restored.
#[derive(Deserialize, ToSchema, Default)]
pub struct RestoreRequest {
    /// When (RFC 3339; now when absent).
    pub at: Option<String>,
}

/// Marks the item of a board mark restored (editors of the lead organisation).
#[utoipa::path(post, path = "/api/orgs/{org}/incidents/{id}/marks/{mark}/restore", params(("org" = String, Path), ("id" = i64, Path), ("mark" = i64, Path)), request_body = RestoreRequest, responses((status = 200, body = Object), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn restore(
    State(state): State<AppState>,
    ApiMember { caller, a, .. }: ApiMember<Editor>,
    Path((_org, id, mark)): Path<(String, String, String)>,
    Json(r): Json<RestoreRequest>,
) -> ApiResult<Value> {
    let i = find_led(&state, &a, &id).await?;
    let mark: i64 = mark.parse().map_err(|_| WebError::NotFound)?;
    let at = match time(&r.at) {
        Ok(t) => t.unwrap_or_else(now),
        Err(e) => return Err(invalid(vec![FieldError::new("at", e)])),
    };
    state
        .store()
        .restore_mark(a.org.id, i.id, mark, &caller.actor(), at)
        .await?;
    state.incident_changed(i.id).await;
    Ok(Json(json!({ "board": board_json(&state, &i).await? })))
}
