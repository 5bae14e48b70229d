//! API for community support: the list of lists (every member may read it), activated lists,
//! and person records, which only hub coordinators and administrators may add or read. Every
//! read of a person record is audited with its purpose (`purpose` in the query; the pages ask
//! for it before showing anything).

use super::handlers::{ApiResult, ErrorBody};
use crate::access::{Admin, ApiMember, HubCoordinator, Viewer};
use crate::error::{ApiError, WebError};
use crate::pages::FieldError;
use crate::people::{Affected, Failure, affected};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use bulwark_rules::exercises::today;
use bulwark_rules::people::{self as rules, PersonDraft, SourceDraft};
use bulwark_store::{ListDetails, PersonDetails, SourceDetails};
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};

pub(super) fn invalid(errors: Vec<FieldError>) -> ApiError {
    ApiError(WebError::Invalid(
        errors
            .into_iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect(),
    ))
}

pub(super) fn number(id: &str) -> Result<i64, ApiError> {
    id.parse().map_err(|_| ApiError(WebError::NotFound))
}

/// A person to add to a vulnerable people list. Names, addresses, postcodes, phone numbers
/// and every other personal field are sealed before they are stored.
#[derive(Deserialize, ToSchema, Default)]
pub struct PersonRequest {
    /// Their name.
    #[serde(default)]
    pub name: String,
    /// Their address, without the postcode.
    #[serde(default)]
    pub address: String,
    /// Their postcode, like `NM1 4AB`.
    #[serde(default)]
    pub postcode: String,
    /// A phone number.
    pub phone: Option<String>,
    /// Needs, like `Oxygen at home` or `Electricity-dependent equipment`.
    #[serde(default)]
    pub needs: Vec<String>,
    /// The dataset the record comes from, like `Priority Services Register`.
    #[serde(default)]
    pub source: String,
    /// The lawful basis for holding it, like `UK GDPR 6(1)(e), 9(2)(g); DPA 2018 Sch 1 para 18`.
    #[serde(default)]
    pub lawful_basis: String,
    /// The day after which it is deleted (ISO date, at most two years ahead; a past date
    /// means the next retention run deletes it).
    #[serde(default)]
    pub expires_on: String,
    /// The activated list it belongs to (its id).
    pub list: Option<i64>,
    /// The Unique Property Reference Number of the address.
    pub uprn: Option<String>,
    /// Mobility.
    pub mobility: Option<String>,
    /// Preferred language.
    pub language: Option<String>,
    /// Care package.
    pub care_package: Option<String>,
    /// Key safe.
    pub key_safe: Option<String>,
    /// Ids of model services and assets they rely on (like `home-care`), for who is affected
    /// when those fail.
    #[serde(default)]
    pub relies_on: Vec<String>,
}

impl From<PersonRequest> for PersonDraft {
    fn from(r: PersonRequest) -> PersonDraft {
        PersonDraft {
            details: PersonDetails {
                name: r.name,
                address: r.address,
                postcode: r.postcode,
                uprn: r.uprn,
                phone: r.phone,
                needs: r.needs,
                mobility: r.mobility,
                language: r.language,
                care_package: r.care_package,
                key_safe: r.key_safe,
                relies_on: r.relies_on,
            },
            list: r.list,
            source: r.source,
            lawful_basis: r.lawful_basis,
            expires_on: r.expires_on,
        }
    }
}

/// Why a person record is read.
#[derive(Deserialize, IntoParams)]
pub struct ReadQuery {
    /// The purpose, recorded in the audit trail with the read (like `welfare call`).
    pub purpose: Option<String>,
}

/// The purpose given, or what the audit trail says when an API caller gave none.
pub(super) fn purpose(given: Option<String>) -> Result<String, ApiError> {
    match given {
        None => Ok("not given (API)".into()),
        Some(text) => rules::check_purpose(&text).map_err(|e| invalid(vec![e])),
    }
}

/// Adds a person to a vulnerable people list (hub coordinators and administrators).
#[utoipa::path(post, path = "/api/orgs/{org}/people", params(("org" = String, Path)), request_body = PersonRequest, responses((status = 201, body = Object), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn create_person(
    State(state): State<AppState>,
    ApiMember { caller, a, .. }: ApiMember<HubCoordinator>,
    Json(body): Json<PersonRequest>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let keys = state.people_keys()?;
    let person = rules::check_person(&body.into(), today()).map_err(invalid)?;
    let id = state
        .store()
        .create_person(a.org.id, &person, keys, &caller.actor())
        .await
        .map_err(|e| match e {
            bulwark_store::StoreError::NotFound => invalid(vec![FieldError::new(
                "list",
                "there is no such list in this organisation",
            )]),
            other => other.into(),
        })?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))))
}

/// One person record (hub coordinators and administrators); the read is audited with its
/// purpose.
#[utoipa::path(get, path = "/api/orgs/{org}/people/{id}", params(("org" = String, Path), ("id" = i64, Path), ReadQuery), responses((status = 200, body = Object), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn person(
    State(state): State<AppState>,
    ApiMember { caller, a, .. }: ApiMember<HubCoordinator>,
    Path((_org, id)): Path<(String, String)>,
    Query(q): Query<ReadQuery>,
) -> ApiResult<Value> {
    let keys = state.people_keys()?;
    let why = purpose(q.purpose)?;
    let p = state
        .store()
        .read_person(a.org.id, number(&id)?, &why, keys, &caller.actor())
        .await?;
    Ok(Json(json!(p)))
}

/// Who is affected: postcodes, sectors or districts, and failed model items.
#[derive(Deserialize, ToSchema, Default)]
pub struct AffectedRequest {
    /// Postcodes (`NM1 4AB`), sectors (`NM1 4`) or districts (`NM1`) of the area.
    #[serde(default)]
    pub postcodes: Vec<String>,
    /// Ids of failed assets or services (like a substation): people who rely on anything
    /// their failure loses or degrades are affected.
    #[serde(default)]
    pub fail: Vec<String>,
    /// Only people on this list (its id).
    pub list: Option<i64>,
    /// Why (recorded with every record read).
    #[serde(default)]
    pub purpose: String,
}

/// The people on the organisation's lists inside an area or relying on failed services, with
/// their needs and phone numbers, for welfare calls (hub coordinators and administrators).
/// Every record returned is audited as read, with the purpose.
#[utoipa::path(post, path = "/api/orgs/{org}/people/affected", params(("org" = String, Path)), request_body = AffectedRequest, responses((status = 200, body = Object), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn affected_people(
    State(state): State<AppState>,
    ApiMember { caller, a, .. }: ApiMember<HubCoordinator>,
    Json(body): Json<AffectedRequest>,
) -> ApiResult<Value> {
    let why = rules::check_purpose(&body.purpose).map_err(|e| invalid(vec![e]))?;
    let query = Affected {
        postcodes: body.postcodes.join("\n"),
        fail: body.fail,
        list: body.list,
    };
    let found = affected(&state, &a, &query, &why, &caller.actor())
        .await
        .map_err(|e| match e {
            Failure::Fields(errors) => invalid(errors),
            Failure::Web(e) => ApiError(e),
        })?;
    Ok(Json(json!({ "people": found.people, "lost": found.lost })))
}

/// The list of lists: who holds which data about vulnerable people, and how to get it.
#[utoipa::path(get, path = "/api/orgs/{org}/people-sources", params(("org" = String, Path)), responses((status = 200, body = Object), (status = 404, body = ErrorBody)))]
pub async fn sources(
    State(state): State<AppState>,
    ApiMember { a, .. }: ApiMember<Viewer>,
) -> ApiResult<Value> {
    let list = state.store().people_sources(a.org.id).await?;
    Ok(Json(json!({ "sources": list })))
}

/// A source of the list of lists. Dates ISO.
#[derive(Deserialize, ToSchema, Default)]
pub struct SourceRequest {
    /// The dataset.
    #[serde(default)]
    pub name: String,
    /// Who holds it.
    #[serde(default)]
    pub holder: String,
    /// What it contains.
    #[serde(default)]
    pub contents: String,
    /// How to request it.
    #[serde(default)]
    pub how_to_request: String,
    /// UK GDPR Article 6 lawful basis.
    #[serde(default)]
    pub article6: String,
    /// UK GDPR Article 9 condition.
    #[serde(default)]
    pub article9: String,
    /// DPA 2018 Schedule 1 condition.
    #[serde(default)]
    pub schedule1: String,
    /// The data sharing agreement.
    #[serde(default)]
    pub agreement: String,
    /// When the agreement is next reviewed.
    #[serde(default)]
    pub review_on: String,
    /// What triggers asking for it.
    #[serde(default)]
    pub triggers: String,
}

/// Adds a source to the list of lists (hub coordinators and administrators).
#[utoipa::path(post, path = "/api/orgs/{org}/people-sources", params(("org" = String, Path)), request_body = SourceRequest, responses((status = 201, body = Object), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_source(
    State(state): State<AppState>,
    ApiMember { caller, a, .. }: ApiMember<HubCoordinator>,
    Json(r): Json<SourceRequest>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let draft = SourceDraft {
        details: SourceDetails {
            name: r.name,
            holder: r.holder,
            contents: r.contents,
            how_to_request: r.how_to_request,
            article6: r.article6,
            article9: r.article9,
            schedule1: r.schedule1,
            agreement: r.agreement,
            review_on: None,
            triggers: r.triggers,
        },
        review_on: r.review_on,
    };
    let details = rules::check_source(&draft).map_err(invalid)?;
    let id = state
        .store()
        .create_people_source(a.org.id, &details, &caller.actor())
        .await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))))
}

/// The organisation's activated lists, newest first, with how many people are on each.
#[utoipa::path(get, path = "/api/orgs/{org}/people-lists", params(("org" = String, Path)), responses((status = 200, body = Object), (status = 403, body = ErrorBody)))]
pub async fn lists(
    State(state): State<AppState>,
    ApiMember { a, .. }: ApiMember<HubCoordinator>,
) -> ApiResult<Value> {
    let lists = state.store().people_lists(a.org.id).await?;
    Ok(Json(json!({ "lists": lists })))
}

/// A list to activate.
#[derive(Deserialize, ToSchema, Default)]
pub struct ListRequest {
    /// Its name.
    #[serde(default)]
    pub name: String,
    /// The purpose every use of it must serve.
    #[serde(default)]
    pub purpose: String,
    /// The source of the list of lists it comes from (its id).
    pub source: Option<i64>,
    /// The incident it is for (the incident's id); none for a standing hub.
    pub incident: Option<String>,
}

/// Activates a list for an incident or a standing hub (hub coordinators and administrators).
#[utoipa::path(post, path = "/api/orgs/{org}/people-lists", params(("org" = String, Path)), request_body = ListRequest, responses((status = 201, body = Object), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_list(
    State(state): State<AppState>,
    ApiMember { caller, a, .. }: ApiMember<HubCoordinator>,
    Json(r): Json<ListRequest>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let details = rules::check_list(&ListDetails {
        name: r.name,
        purpose: r.purpose,
        source: r.source,
        incident: r.incident,
    })
    .map_err(invalid)?;
    let id = state
        .store()
        .activate_people_list(a.org.id, &details, &caller.actor())
        .await
        .map_err(|e| match e {
            bulwark_store::StoreError::NotFound => invalid(vec![FieldError::new(
                "source",
                "there is no such source in this organisation's list of lists",
            )]),
            other => other.into(),
        })?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))))
}

/// A legal hold on or off, for a list of people or a request for help.
#[derive(Deserialize, ToSchema)]
pub struct HoldRequest {
    /// True keeps the records past their expiry until the hold is lifted.
    pub legal_hold: bool,
}

/// Puts a list under legal hold, or lifts it (administrators).
#[utoipa::path(put, path = "/api/orgs/{org}/people-lists/{id}/legal-hold", params(("org" = String, Path), ("id" = i64, Path)), request_body = HoldRequest, responses((status = 200, body = Object), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn put_hold(
    State(state): State<AppState>,
    ApiMember { caller, a, .. }: ApiMember<Admin>,
    Path((_org, id)): Path<(String, String)>,
    Json(r): Json<HoldRequest>,
) -> ApiResult<Value> {
    let id = number(&id)?;
    state
        .store()
        .set_legal_hold(a.org.id, id, r.legal_hold, &caller.actor())
        .await?;
    Ok(Json(json!({ "id": id, "legal_hold": r.legal_hold })))
}
