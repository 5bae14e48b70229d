//! The JSON API under `/api`: everything the pages do, for scripts and other tools, with
//! the same access rules. Every route but the OpenAPI document needs `Authorization: Bearer`.

mod exercises;
mod handlers;

use crate::state::AppState;
use axum::Router;
use axum::routing::{get, post};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

pub use handlers::*;

/// The API's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi))
        .route("/orgs", get(handlers::orgs))
        .route("/orgs/{org}/services", get(handlers::services))
        .route(
            "/orgs/{org}/services/{id}",
            get(handlers::service)
                .put(handlers::put_service)
                .delete(handlers::delete_service),
        )
        .route("/orgs/{org}/assets", get(handlers::assets))
        .route("/orgs/{org}/risks", get(handlers::risks))
        .route("/orgs/{org}/skills", get(handlers::skills))
        .route("/orgs/{org}/members", get(handlers::members))
        .route(
            "/orgs/{org}/members/{email}",
            axum::routing::put(handlers::put_member).delete(handlers::delete_member),
        )
        .route("/orgs/{org}/shares", get(handlers::shares))
        .route(
            "/orgs/{org}/shares/{service}/{partner}",
            axum::routing::put(handlers::put_share).delete(handlers::delete_share),
        )
        .route("/orgs/{org}/spof", get(handlers::spof))
        .route("/orgs/{org}/impact", post(handlers::impact))
        .route(
            "/orgs/{org}/model",
            get(handlers::model).put(handlers::put_model),
        )
        .route("/orgs/{org}/audit", get(handlers::audit))
        .route(
            "/orgs/{org}/exercises",
            get(exercises::exercises).post(exercises::create_exercise),
        )
        .route(
            "/orgs/{org}/exercises/{id}",
            get(exercises::exercise)
                .put(exercises::put_exercise)
                .delete(exercises::delete_exercise),
        )
        .route("/orgs/{org}/exercises/{id}/run", post(exercises::run))
        .route(
            "/orgs/{org}/exercises/{id}/lessons",
            post(exercises::add_lesson),
        )
        .route("/orgs/{org}/lessons", get(exercises::lessons))
        .route(
            "/orgs/{org}/lessons/{id}/actions",
            post(exercises::add_action),
        )
        .route(
            "/orgs/{org}/actions/{id}",
            axum::routing::put(exercises::put_action),
        )
        .route("/orgs/{org}/programme", get(exercises::programme))
        .route(
            "/orgs/{org}/programme/{scenario}",
            axum::routing::put(exercises::put_programme),
        )
        .route("/orgs/{org}/shared", get(handlers::shared))
        .route(
            "/orgs/{org}/shared/{owner}/{service}",
            get(handlers::shared_service),
        )
}

/// The OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    info(title = "Bulwark API", description = "Resilience and continuity planning for local public services. Authenticate with `Authorization: Bearer TOKEN` (create tokens under API tokens in the web app)."),
    paths(
        handlers::orgs, handlers::services, handlers::service, handlers::put_service, handlers::delete_service,
        handlers::assets, handlers::risks, handlers::spof, handlers::impact, handlers::model, handlers::put_model,
        handlers::audit, handlers::shared, handlers::shared_service, handlers::skills, handlers::members,
        handlers::put_member, handlers::delete_member, handlers::shares, handlers::put_share, handlers::delete_share,
        exercises::exercises, exercises::create_exercise, exercises::exercise, exercises::put_exercise,
        exercises::delete_exercise, exercises::run, exercises::add_lesson, exercises::add_action,
        exercises::put_action, exercises::lessons, exercises::programme, exercises::put_programme
    ),
    components(schemas(
        handlers::OrgSummary, handlers::ServiceSummary, handlers::SpofReport, handlers::ServiceSpofEntry,
        handlers::ImpactRequest, handlers::ImpactReport, handlers::Degraded, handlers::Explanation,
        handlers::ErrorBody, handlers::SharedService, handlers::AuditItem,
        handlers::Member, handlers::RoleRequest, handlers::OutgoingShare,
        exercises::ExerciseRequest, exercises::LessonRequest, exercises::ActionRequest,
        exercises::ProgressRequest, exercises::FrequencyRequest
    )),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme(
                "bearer",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
        }
    }
}

/// `GET /api/openapi.json`.
async fn openapi() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(ApiDoc::openapi())
}
