//! API handlers. Each resolves the caller's role in the organisation first: 404 when they
//! are not a member, 403 when their role is too low.

use crate::access::{Admin, ApiMember, Editor, OrgAccess, Viewer};
use crate::auth::ApiCaller;
use crate::error::{ApiError, WebError};
use crate::jobs;
use crate::models::{self, org_model};
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use bulwark_model::export::to_value;
use bulwark_report::shapes::{ImpactReport, SpofReport};
use bulwark_store::{ItemKind, Role};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

/// A JSON answer or an API error.
pub(super) type ApiResult<T> = Result<Json<T>, ApiError>;

/// An error: `{"error": "...", "problems": ["..."]}`.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    /// What went wrong.
    pub error: String,
    /// Every problem with a submitted model, when there are some.
    pub problems: Option<Vec<String>>,
}

/// An organisation the caller belongs to.
#[derive(Serialize, ToSchema)]
pub struct OrgSummary {
    /// Id used in addresses.
    pub slug: String,
    /// Name.
    pub name: String,
    /// The caller's role: viewer, editor, hub-coordinator or admin.
    pub role: String,
}

/// The caller's organisations.
#[utoipa::path(get, path = "/api/orgs", responses((status = 200, body = [OrgSummary]), (status = 401, body = ErrorBody)))]
pub async fn orgs(caller: ApiCaller) -> ApiResult<Vec<OrgSummary>> {
    Ok(Json(
        caller
            .memberships
            .iter()
            .map(|m| OrgSummary {
                slug: m.org_slug.clone(),
                name: m.org_name.clone(),
                role: m.role.as_str().into(),
            })
            .collect(),
    ))
}

/// A service in a list.
#[derive(Serialize, ToSchema)]
pub struct ServiceSummary {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// critical, high, medium or low.
    pub criticality: Option<String>,
    /// Maximum tolerable period of disruption.
    pub mtpd: Option<String>,
    /// Recovery time objective.
    pub rto: Option<String>,
    /// Minimum business continuity objective.
    pub mbco: String,
    /// Assets whose failure alone loses it (empty when the model has problems).
    pub single_points_of_failure: Vec<String>,
}

/// The organisation's services with their BIA figures and single points of failure.
#[utoipa::path(get, path = "/api/orgs/{org}/services", params(("org" = String, Path)), responses((status = 200, body = [ServiceSummary]), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn services(
    State(state): State<AppState>,
    ApiMember { a, .. }: ApiMember<Viewer>,
) -> ApiResult<Vec<ServiceSummary>> {
    let m = org_model(&state, &a.org).await?;
    let out = m
        .loaded
        .model
        .services
        .iter()
        .enumerate()
        .map(|(i, s)| ServiceSummary {
            id: s.meta.id.to_string(),
            name: s.meta.name.clone(),
            criticality: s.criticality.map(|c| c.as_str().into()),
            mtpd: s.mtpd.map(|d| d.0.to_string()),
            rto: s.rto.map(|d| d.0.to_string()),
            mbco: s.mbco().to_string(),
            single_points_of_failure: match (m.spof().get(i), &m.compiled) {
                (Some(r), Some(c)) => r.asset_ids(c),
                _ => Vec::new(),
            },
        })
        .collect();
    Ok(Json(out))
}

/// One service, as the model format writes it.
#[utoipa::path(get, path = "/api/orgs/{org}/services/{id}", params(("org" = String, Path), ("id" = String, Path)), responses((status = 200, body = Object), (status = 404, body = ErrorBody)))]
pub async fn service(
    State(state): State<AppState>,
    ApiMember { a, .. }: ApiMember<Viewer>,
    Path((_org, id)): Path<(String, String)>,
) -> ApiResult<Value> {
    let item = state
        .store()
        .item(a.org.id, ItemKind::Service, &id)
        .await?
        .ok_or(WebError::NotFound)?;
    Ok(Json(item.body))
}

fn expected_version(headers: &HeaderMap) -> Option<i64> {
    headers
        .get(axum::http::header::IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim_matches('"').parse().ok())
}

/// Creates or replaces a service. The whole model must stay valid (422 lists every problem);
/// send `If-Match: VERSION` to refuse the write (409) if the model changed since you read it.
#[utoipa::path(put, path = "/api/orgs/{org}/services/{id}", params(("org" = String, Path), ("id" = String, Path)), request_body = Object,
    responses((status = 200, body = Object), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_service(
    State(state): State<AppState>,
    ApiMember { caller, a, .. }: ApiMember<Editor>,
    Path((slug, id)): Path<(String, String)>,
    headers: HeaderMap,
    Json(mut body): Json<Value>,
) -> ApiResult<Value> {
    if !body.is_object() {
        return Err(
            WebError::BadRequest("the body must be a service as a JSON object".into()).into(),
        );
    }
    match body.get("id").and_then(Value::as_str) {
        Some(given) if given != id => {
            return Err(WebError::BadRequest(format!(
                "the body's id `{given}` differs from the address's `{id}`"
            ))
            .into());
        }
        _ => body["id"] = Value::from(id.clone()),
    }
    let version = match expected_version(&headers) {
        Some(v) => v,
        None => {
            state
                .store()
                .org_by_slug(&slug)
                .await?
                .ok_or(WebError::NotFound)?
                .model_version
        }
    };
    models::put_item(
        &state,
        &a.org,
        ItemKind::Service,
        body.clone(),
        version,
        &caller.actor(),
    )
    .await?;
    Ok(Json(body))
}

/// Deletes a service; refused (422) while anything still needs it.
#[utoipa::path(delete, path = "/api/orgs/{org}/services/{id}", params(("org" = String, Path), ("id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn delete_service(
    State(state): State<AppState>,
    ApiMember { caller, a, .. }: ApiMember<Editor>,
    Path((slug, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let version = match expected_version(&headers) {
        Some(v) => v,
        None => {
            state
                .store()
                .org_by_slug(&slug)
                .await?
                .ok_or(WebError::NotFound)?
                .model_version
        }
    };
    models::delete_item(
        &state,
        &a.org,
        ItemKind::Service,
        &id,
        version,
        &caller.actor(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list(state: &AppState, a: &OrgAccess, kind: ItemKind) -> ApiResult<Vec<Value>> {
    Ok(Json(
        state
            .store()
            .items(a.org.id, Some(kind))
            .await?
            .into_iter()
            .map(|i| i.body)
            .collect(),
    ))
}

/// The organisation's assets, as the model format writes them.
#[utoipa::path(get, path = "/api/orgs/{org}/assets", params(("org" = String, Path)), responses((status = 200, body = [Object]), (status = 404, body = ErrorBody)))]
pub async fn assets(
    State(state): State<AppState>,
    ApiMember { a, .. }: ApiMember<Viewer>,
) -> ApiResult<Vec<Value>> {
    list(&state, &a, ItemKind::Asset).await
}

/// The risk register.
#[utoipa::path(get, path = "/api/orgs/{org}/risks", params(("org" = String, Path)), responses((status = 200, body = [Object]), (status = 404, body = ErrorBody)))]
pub async fn risks(
    State(state): State<AppState>,
    ApiMember { a, .. }: ApiMember<Viewer>,
) -> ApiResult<Vec<Value>> {
    list(&state, &a, ItemKind::Risk).await
}

pub(super) fn compiled(m: &models::OrgModel) -> Result<&bulwark_engine::Compiled, ApiError> {
    m.compiled
        .as_ref()
        .ok_or_else(|| ApiError(WebError::InvalidModel(models::errors(&m.loaded))))
}

/// Single points of failure of every service.
#[utoipa::path(get, path = "/api/orgs/{org}/spof", params(("org" = String, Path)), responses((status = 200, body = SpofReport), (status = 422, body = ErrorBody)))]
pub async fn spof(
    State(state): State<AppState>,
    ApiMember { a, .. }: ApiMember<Viewer>,
) -> ApiResult<SpofReport> {
    let m = org_model(&state, &a.org).await?;
    let c = compiled(&m)?;
    Ok(Json(SpofReport::new(c, m.spof())))
}

/// Items to fail.
#[derive(Deserialize, ToSchema)]
pub struct ImpactRequest {
    /// Ids of assets, services or skills.
    pub fail: Vec<String>,
}

/// What is lost when some items fail, and why.
#[utoipa::path(post, path = "/api/orgs/{org}/impact", params(("org" = String, Path)), request_body = ImpactRequest,
    responses((status = 200, body = ImpactReport), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn impact(
    State(state): State<AppState>,
    ApiMember { a, .. }: ApiMember<Viewer>,
    Json(req): Json<ImpactRequest>,
) -> ApiResult<ImpactReport> {
    let m = org_model(&state, &a.org).await?;
    let c = compiled(&m)?;
    let refs = req
        .fail
        .iter()
        .map(|id| {
            c.lookup(id).ok_or_else(|| {
                WebError::BadRequest(format!("no asset, service or skill has the id `{id}`"))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    // Linear in the model, but a large one still belongs off the async threads.
    let report = {
        let m = m.clone();
        jobs::run(&state, move || {
            m.compiled
                .as_ref()
                .map(|c| ImpactReport::new(c, &c.impact(&refs)))
        })
        .await?
    };
    report
        .map(Json)
        .ok_or_else(|| ApiError(WebError::InvalidModel(models::errors(&m.loaded))))
}

/// The whole model as a model-format JSON document; its version is in the `ETag` header.
#[utoipa::path(get, path = "/api/orgs/{org}/model", params(("org" = String, Path)), responses((status = 200, body = Object)))]
pub async fn model(
    State(state): State<AppState>,
    ApiMember { a, .. }: ApiMember<Viewer>,
) -> Result<(HeaderMap, Json<Value>), ApiError> {
    let m = org_model(&state, &a.org).await?;
    let mut headers = HeaderMap::new();
    if let Ok(v) = format!("\"{}\"", m.version).parse() {
        headers.insert(axum::http::header::ETAG, v);
    }
    Ok((headers, Json(to_value(&m.loaded.model))))
}

/// The whole model as a workbook a planner can edit (a sheet per kind of item), which reads
/// back to the same model.
#[utoipa::path(get, path = "/api/orgs/{org}/model.xlsx", params(("org" = String, Path)),
    responses((status = 200, content(("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))), (status = 422, body = ErrorBody)))]
pub async fn model_xlsx(
    State(state): State<AppState>,
    ApiMember { a, .. }: ApiMember<Viewer>,
) -> Result<axum::response::Response, ApiError> {
    let m = org_model(&state, &a.org).await?;
    let bytes = jobs::run(&state, move || {
        bulwark_model::workbook::write(&m.loaded.model)
    })
    .await?
    .map_err(|e| WebError::Internal(e.to_string()))?;
    let disposition = format!("attachment; filename=\"{}.xlsx\"", a.org.slug);
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, models::XLSX.to_string()),
            (axum::http::header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

/// Replaces the whole model with a model file (YAML, JSON, or a workbook as
/// `bulwark export --format xlsx` writes it), all or nothing: a model with any error changes
/// nothing and every problem is listed with its place (422): `FILE:LINE:COLUMN: message`, or
/// in a workbook `model.xlsx, sheet Services, row 12, column MTPD: message`.
#[utoipa::path(put, path = "/api/orgs/{org}/model", params(("org" = String, Path)),
    request_body(content(
        (String = "application/yaml"),
        (Object = "application/json"),
        ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    )),
    responses((status = 200, body = Object), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_model(
    State(state): State<AppState>,
    ApiMember { caller, a, .. }: ApiMember<Admin>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Value> {
    let content_type = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let (version, loaded) =
        if content_type.contains("spreadsheetml") || models::is_workbook("", &body) {
            models::import_workbook(&state, &a.org, "model.xlsx", body.to_vec(), &caller.actor())
                .await?
        } else {
            let text = String::from_utf8(body.to_vec()).map_err(|_| {
                WebError::BadRequest(
                    "the model must be UTF-8 text (YAML or JSON) or an Excel workbook".into(),
                )
            })?;
            let name = if content_type.contains("json") {
                "model.json"
            } else {
                "model.yaml"
            };
            models::import(&state, &a.org, name, &text, &caller.actor()).await?
        };
    Ok(Json(serde_json::json!({
        "version": version,
        "services": loaded.model.services.len(),
        "assets": loaded.model.assets.len(),
        "warnings": loaded.diagnostics.len(),
    })))
}

/// One entry of the audit trail.
#[derive(Serialize, ToSchema)]
pub struct AuditItem {
    /// Increasing id.
    pub id: i64,
    /// Who.
    pub actor: String,
    /// When, seconds since 1970.
    pub at: i64,
    /// What was done.
    pub action: String,
    /// What kind of thing.
    pub entity: String,
    /// Which one.
    pub entity_id: String,
    /// The item's JSON before the change (absent for whole-model imports: see `summary`).
    pub before: Option<String>,
    /// The item's JSON after the change (absent for whole-model imports).
    pub after: Option<String>,
    /// For a whole-model import: per kind of item, the ids added, removed and changed.
    #[schema(value_type = Object)]
    pub summary: Option<Value>,
}

/// Which page of the audit trail.
#[derive(Deserialize, utoipa::IntoParams)]
pub struct AuditPage {
    /// Entries older than this id (the `id` of the last entry of the previous page).
    pub before: Option<i64>,
    /// How many, 1 to 200 (default 50).
    pub limit: Option<i64>,
}

/// The changes, newest first, a page at a time: the `Link` header (`rel="next"`) gives the
/// next page.
#[utoipa::path(get, path = "/api/orgs/{org}/audit", params(("org" = String, Path), AuditPage), responses((status = 200, body = [AuditItem])))]
pub async fn audit(
    State(state): State<AppState>,
    ApiMember { a, .. }: ApiMember<Viewer>,
    Query(page): Query<AuditPage>,
) -> Result<axum::response::Response, ApiError> {
    let limit = page.limit.unwrap_or(50).clamp(1, 200);
    let entries = state.store().audit(a.org.id, limit, page.before).await?;
    let next = (entries.len() as i64 == limit)
        .then(|| entries.last().map(|e| e.id))
        .flatten()
        .map(|last| {
            format!(
                "</api/orgs/{}/audit?before={last}&limit={limit}>; rel=\"next\"",
                a.org.slug
            )
        });
    let items: Vec<AuditItem> = entries
        .into_iter()
        .map(|e| AuditItem {
            id: e.id,
            actor: e.actor,
            at: e.at,
            action: e.action,
            entity: e.entity,
            entity_id: e.entity_id,
            before: e.before,
            after: e.after,
            summary: e.summary.and_then(|s| serde_json::from_str(&s).ok()),
        })
        .collect();
    let mut response = Json(items).into_response();
    if let Some(link) = next.and_then(|l| axum::http::HeaderValue::from_str(&l).ok()) {
        response
            .headers_mut()
            .insert(axum::http::header::LINK, link);
    }
    Ok(response)
}

/// A service a partner shares with the organisation.
#[derive(Serialize, ToSchema)]
pub struct SharedService {
    /// The sharing organisation's slug.
    pub owner: String,
    /// Its name.
    pub owner_name: String,
    /// The service's id.
    pub service: String,
}

/// Services partners share with the organisation.
#[utoipa::path(get, path = "/api/orgs/{org}/shared", params(("org" = String, Path)), responses((status = 200, body = [SharedService])))]
pub async fn shared(
    State(state): State<AppState>,
    ApiMember { a, .. }: ApiMember<Viewer>,
    Path(_slug): Path<String>,
) -> ApiResult<Vec<SharedService>> {
    let shares = state.store().shares(a.org.id, false).await?;
    Ok(Json(
        shares
            .into_iter()
            .map(|s| SharedService {
                owner: s.owner.slug,
                owner_name: s.owner.name,
                service: s.service_id,
            })
            .collect(),
    ))
}

/// A service a partner shares with the organisation, read only.
#[utoipa::path(get, path = "/api/orgs/{org}/shared/{owner}/{service}", params(("org" = String, Path), ("owner" = String, Path), ("service" = String, Path)),
    responses((status = 200, body = Object), (status = 404, body = ErrorBody)))]
pub async fn shared_service(
    State(state): State<AppState>,
    ApiMember { a, .. }: ApiMember<Viewer>,
    Path((_org, owner, service)): Path<(String, String, String)>,
) -> ApiResult<Value> {
    let owner = state
        .store()
        .org_by_slug(&owner)
        .await?
        .ok_or(WebError::NotFound)?;
    if !state
        .store()
        .is_shared(owner.id, &service, a.org.id)
        .await?
    {
        return Err(WebError::NotFound.into());
    }
    let item = state
        .store()
        .item(owner.id, ItemKind::Service, &service)
        .await?
        .ok_or(WebError::NotFound)?;
    Ok(Json(item.body))
}

/// The organisation's staff skills, as the model format writes them.
#[utoipa::path(get, path = "/api/orgs/{org}/skills", params(("org" = String, Path)), responses((status = 200, body = [Object]), (status = 404, body = ErrorBody)))]
pub async fn skills(
    State(state): State<AppState>,
    ApiMember { a, .. }: ApiMember<Viewer>,
) -> ApiResult<Vec<Value>> {
    list(&state, &a, ItemKind::Skill).await
}

/// A member of the organisation.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct Member {
    /// Login email.
    pub email: String,
    /// Display name.
    pub name: String,
    /// viewer, editor, hub-coordinator or admin.
    pub role: String,
}

/// The organisation's members (administrators only).
#[utoipa::path(get, path = "/api/orgs/{org}/members", params(("org" = String, Path)), responses((status = 200, body = [Member]), (status = 403, body = ErrorBody)))]
pub async fn members(
    State(state): State<AppState>,
    ApiMember { a, .. }: ApiMember<Admin>,
) -> ApiResult<Vec<Member>> {
    let members = state.store().members(a.org.id).await?;
    Ok(Json(
        members
            .into_iter()
            .map(|(u, r)| Member {
                email: u.email,
                name: u.name,
                role: r.as_str().into(),
            })
            .collect(),
    ))
}

/// A role to give.
#[derive(Deserialize, ToSchema)]
pub struct RoleRequest {
    /// viewer, editor, hub-coordinator or admin.
    pub role: String,
}

/// Gives an existing account a role in the organisation (administrators only).
#[utoipa::path(put, path = "/api/orgs/{org}/members/{email}", params(("org" = String, Path), ("email" = String, Path)), request_body = RoleRequest,
    responses((status = 204), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn put_member(
    State(state): State<AppState>,
    ApiMember { caller, a, .. }: ApiMember<Admin>,
    Path((_org, email)): Path<(String, String)>,
    Json(req): Json<RoleRequest>,
) -> Result<StatusCode, ApiError> {
    let role = Role::parse(&req.role).ok_or_else(|| {
        WebError::BadRequest(format!(
            "`{}` is not a role: use viewer, editor, hub-coordinator or admin",
            req.role
        ))
    })?;
    let user = state
        .store()
        .user_by_email(&email)
        .await?
        .ok_or_else(|| WebError::BadRequest(format!("there is no account for {email}")))?;
    state
        .store()
        .set_membership(user.id, a.org.id, role, &caller.actor())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes a member (administrators only; not yourself).
#[utoipa::path(delete, path = "/api/orgs/{org}/members/{email}", params(("org" = String, Path), ("email" = String, Path)),
    responses((status = 204), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn delete_member(
    State(state): State<AppState>,
    ApiMember { caller, a, .. }: ApiMember<Admin>,
    Path((_org, email)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let user = state
        .store()
        .user_by_email(&email)
        .await?
        .ok_or(WebError::NotFound)?;
    if user.id == caller.user.id {
        return Err(WebError::BadRequest(
            "you cannot remove yourself; ask another administrator".into(),
        )
        .into());
    }
    state
        .store()
        .remove_membership(user.id, a.org.id, &caller.actor())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A service the organisation shares with a partner.
#[derive(Serialize, ToSchema)]
pub struct OutgoingShare {
    /// The service's id.
    pub service: String,
    /// The partner's slug.
    pub partner: String,
}

/// Services the organisation shares with partners.
#[utoipa::path(get, path = "/api/orgs/{org}/shares", params(("org" = String, Path)), responses((status = 200, body = [OutgoingShare])))]
pub async fn shares(
    State(state): State<AppState>,
    ApiMember { a, .. }: ApiMember<Viewer>,
    Path(_slug): Path<String>,
) -> ApiResult<Vec<OutgoingShare>> {
    let shares = state.store().shares(a.org.id, true).await?;
    Ok(Json(
        shares
            .into_iter()
            .map(|s| OutgoingShare {
                service: s.service_id,
                partner: s.partner.slug,
            })
            .collect(),
    ))
}

async fn share_target(
    state: &AppState,
    a: &OrgAccess,
    service: &str,
    partner: &str,
) -> Result<bulwark_store::Organisation, ApiError> {
    let m = org_model(state, &a.org).await?;
    if !m
        .loaded
        .model
        .services
        .iter()
        .any(|s| s.meta.id.as_str() == service)
    {
        return Err(WebError::BadRequest(format!("there is no service `{service}`")).into());
    }
    let partner = state
        .store()
        .org_by_slug(partner)
        .await?
        .ok_or_else(|| WebError::BadRequest(format!("there is no organisation `{partner}`")))?;
    Ok(partner)
}

/// Shares a service read-only with a partner organisation (administrators only).
#[utoipa::path(put, path = "/api/orgs/{org}/shares/{service}/{partner}", params(("org" = String, Path), ("service" = String, Path), ("partner" = String, Path)),
    responses((status = 204), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn put_share(
    State(state): State<AppState>,
    ApiMember { caller, a, .. }: ApiMember<Admin>,
    Path((_org, service, partner)): Path<(String, String, String)>,
) -> Result<StatusCode, ApiError> {
    let partner = share_target(&state, &a, &service, &partner).await?;
    state
        .store()
        .share(a.org.id, &service, partner.id, &caller.actor())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Stops sharing a service with a partner (administrators only).
#[utoipa::path(delete, path = "/api/orgs/{org}/shares/{service}/{partner}", params(("org" = String, Path), ("service" = String, Path), ("partner" = String, Path)),
    responses((status = 204), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn delete_share(
    State(state): State<AppState>,
    ApiMember { caller, a, .. }: ApiMember<Admin>,
    Path((_org, service, partner)): Path<(String, String, String)>,
) -> Result<StatusCode, ApiError> {
    let partner = share_target(&state, &a, &service, &partner).await?;
    state
        .store()
        .unshare(a.org.id, &service, partner.id, &caller.actor())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
