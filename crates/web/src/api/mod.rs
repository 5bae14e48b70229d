//! The JSON API under `/api`: everything the pages do, for scripts and other tools, with
//! the same access rules. Every route but the OpenAPI document needs `Authorization: Bearer`.

mod estate;
mod exercises;
mod handlers;
mod incidents;
mod people;
mod requests;
mod warnings;

use crate::routes::{Guard, Table};
use bulwark_report::estate::{EstateReport, SupplierEntry, SuppliersReport, SystemEntry};
use bulwark_report::shapes;
use bulwark_store::Role;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

pub use handlers::*;

/// The API's routes, with the access each needs.
pub fn routes() -> Table {
    use Guard::{ApiCaller, ApiMember, Public};
    let (viewer, editor, admin) = (
        ApiMember(Role::Viewer),
        ApiMember(Role::Editor),
        ApiMember(Role::Admin),
    );
    Table::new()
        .get("/api/openapi.json", Public, openapi)
        .get("/api/orgs", ApiCaller, handlers::orgs)
        .get("/api/orgs/{org}/services", viewer, handlers::services)
        .get("/api/orgs/{org}/services/{id}", viewer, handlers::service)
        .put(
            "/api/orgs/{org}/services/{id}",
            editor,
            handlers::put_service,
        )
        .delete(
            "/api/orgs/{org}/services/{id}",
            editor,
            handlers::delete_service,
        )
        .get("/api/orgs/{org}/assets", viewer, handlers::assets)
        .get("/api/orgs/{org}/risks", viewer, handlers::risks)
        .get("/api/orgs/{org}/skills", viewer, handlers::skills)
        .get("/api/orgs/{org}/members", admin, handlers::members)
        .put(
            "/api/orgs/{org}/members/{email}",
            admin,
            handlers::put_member,
        )
        .delete(
            "/api/orgs/{org}/members/{email}",
            admin,
            handlers::delete_member,
        )
        .get("/api/orgs/{org}/shares", viewer, handlers::shares)
        .put(
            "/api/orgs/{org}/shares/{service}/{partner}",
            admin,
            handlers::put_share,
        )
        .delete(
            "/api/orgs/{org}/shares/{service}/{partner}",
            admin,
            handlers::delete_share,
        )
        .get("/api/orgs/{org}/spof", viewer, handlers::spof)
        .get("/api/orgs/{org}/estate", viewer, estate::estate)
        .get("/api/orgs/{org}/suppliers", viewer, estate::suppliers)
        .post("/api/orgs/{org}/impact", viewer, handlers::impact)
        .get("/api/orgs/{org}/model", viewer, handlers::model)
        .put("/api/orgs/{org}/model", admin, handlers::put_model)
        .get("/api/orgs/{org}/model.xlsx", viewer, handlers::model_xlsx)
        .get("/api/orgs/{org}/audit", viewer, handlers::audit)
        .get("/api/orgs/{org}/exercises", viewer, exercises::exercises)
        .post(
            "/api/orgs/{org}/exercises",
            editor,
            exercises::create_exercise,
        )
        .get(
            "/api/orgs/{org}/exercises/{id}",
            viewer,
            exercises::exercise,
        )
        .put(
            "/api/orgs/{org}/exercises/{id}",
            editor,
            exercises::put_exercise,
        )
        .delete(
            "/api/orgs/{org}/exercises/{id}",
            admin,
            exercises::delete_exercise,
        )
        .post("/api/orgs/{org}/exercises/{id}/run", editor, exercises::run)
        .post(
            "/api/orgs/{org}/exercises/{id}/lessons",
            editor,
            exercises::add_lesson,
        )
        .get("/api/orgs/{org}/lessons", viewer, exercises::lessons)
        .post(
            "/api/orgs/{org}/lessons/{id}/actions",
            editor,
            exercises::add_action,
        )
        .put(
            "/api/orgs/{org}/actions/{id}",
            editor,
            exercises::put_action,
        )
        .get("/api/orgs/{org}/programme", viewer, exercises::programme)
        .put(
            "/api/orgs/{org}/programme/{scenario}",
            editor,
            exercises::put_programme,
        )
        .merge(warning_routes())
        .merge(incident_routes())
        .merge(people_routes())
        .merge(community_routes())
        .get("/api/orgs/{org}/shared", viewer, handlers::shared)
        .get(
            "/api/orgs/{org}/shared/{owner}/{service}",
            viewer,
            handlers::shared_service,
        )
}

/// Public warnings (the public CAP XML and feed are page routes, under `/cap`).
fn warning_routes() -> Table {
    let (viewer, editor) = (
        Guard::ApiMember(Role::Viewer),
        Guard::ApiMember(Role::Editor),
    );
    Table::new()
        .get("/api/orgs/{org}/warnings", viewer, warnings::warnings)
        .get(
            "/api/orgs/{org}/warning-templates",
            viewer,
            warnings::templates,
        )
        .post("/api/orgs/{org}/warnings", editor, warnings::create)
        .get("/api/orgs/{org}/warnings/{id}", viewer, warnings::warning)
        .put("/api/orgs/{org}/warnings/{id}", editor, warnings::put)
        .post(
            "/api/orgs/{org}/warnings/{id}/approve",
            editor,
            warnings::approve,
        )
        .post(
            "/api/orgs/{org}/warnings/{id}/update",
            editor,
            warnings::update,
        )
        .post(
            "/api/orgs/{org}/warnings/{id}/cancel",
            editor,
            warnings::cancel,
        )
}

/// Incidents and their decision logs. The log has no route that changes or removes an entry.
fn incident_routes() -> Table {
    let (viewer, editor) = (
        Guard::ApiMember(Role::Viewer),
        Guard::ApiMember(Role::Editor),
    );
    Table::new()
        .get("/api/orgs/{org}/incidents", viewer, incidents::incidents)
        .post("/api/orgs/{org}/incidents", editor, incidents::create)
        .get(
            "/api/orgs/{org}/incidents/{id}",
            viewer,
            incidents::incident,
        )
        .put("/api/orgs/{org}/incidents/{id}", editor, incidents::put)
        .get(
            "/api/orgs/{org}/incidents/{id}/decisions",
            viewer,
            incidents::decisions,
        )
        .post(
            "/api/orgs/{org}/incidents/{id}/decisions",
            editor,
            incidents::append_decision,
        )
        .get(
            "/api/orgs/{org}/incidents/{id}/verify",
            viewer,
            incidents::verify,
        )
        .get(
            "/api/orgs/{org}/incidents/{id}/board",
            viewer,
            incidents::board,
        )
        .post(
            "/api/orgs/{org}/incidents/{id}/marks",
            editor,
            incidents::mark,
        )
        .post(
            "/api/orgs/{org}/incidents/{id}/sitreps",
            editor,
            incidents::submit_sitrep,
        )
        .post(
            "/api/orgs/{org}/incidents/{id}/actions",
            editor,
            incidents::add_action,
        )
        .put(
            "/api/orgs/{org}/incidents/{id}/actions/{action}",
            editor,
            incidents::put_action,
        )
        .post(
            "/api/orgs/{org}/incidents/{id}/methane",
            editor,
            incidents::methane,
        )
        .post(
            "/api/orgs/{org}/incidents/{id}/partners",
            editor,
            incidents::invite,
        )
        .put(
            "/api/orgs/{org}/incidents/{id}/legal-hold",
            Guard::ApiMember(Role::Admin),
            incidents::legal_hold,
        )
        .post(
            "/api/orgs/{org}/incidents/{id}/rhythm",
            editor,
            incidents::rhythm,
        )
        .post(
            "/api/orgs/{org}/incidents/{id}/marks/{mark}/restore",
            editor,
            incidents::restore,
        )
}

/// Community support: the list of lists, activated lists and person records.
fn people_routes() -> Table {
    let (viewer, coordinator, admin) = (
        Guard::ApiMember(Role::Viewer),
        Guard::ApiMember(Role::HubCoordinator),
        Guard::ApiMember(Role::Admin),
    );
    Table::new()
        .post("/api/orgs/{org}/people", coordinator, people::create_person)
        .post(
            "/api/orgs/{org}/people/affected",
            coordinator,
            people::affected_people,
        )
        .get("/api/orgs/{org}/people/{id}", coordinator, people::person)
        .get("/api/orgs/{org}/people-sources", viewer, people::sources)
        .post(
            "/api/orgs/{org}/people-sources",
            coordinator,
            people::create_source,
        )
        .get("/api/orgs/{org}/people-lists", coordinator, people::lists)
        .post(
            "/api/orgs/{org}/people-lists",
            coordinator,
            people::create_list,
        )
        .put(
            "/api/orgs/{org}/people-lists/{id}/legal-hold",
            admin,
            people::put_hold,
        )
}

/// The community hub: requests for help and volunteers.
fn community_routes() -> Table {
    let (viewer, editor, coordinator, admin) = (
        Guard::ApiMember(Role::Viewer),
        Guard::ApiMember(Role::Editor),
        Guard::ApiMember(Role::HubCoordinator),
        Guard::ApiMember(Role::Admin),
    );
    Table::new()
        .get("/api/orgs/{org}/requests", viewer, requests::requests)
        .post("/api/orgs/{org}/requests", editor, requests::create_request)
        .get(
            "/api/orgs/{org}/requests/{id}",
            coordinator,
            requests::request,
        )
        .get(
            "/api/orgs/{org}/requests/{id}/volunteers",
            coordinator,
            requests::matches,
        )
        .post(
            "/api/orgs/{org}/requests/{id}/assign",
            coordinator,
            requests::assign,
        )
        .post(
            "/api/orgs/{org}/requests/{id}/status",
            coordinator,
            requests::status,
        )
        .put(
            "/api/orgs/{org}/requests/{id}/legal-hold",
            admin,
            requests::put_hold,
        )
        .get(
            "/api/orgs/{org}/volunteers",
            coordinator,
            requests::volunteers,
        )
        .post(
            "/api/orgs/{org}/volunteers",
            coordinator,
            requests::create_volunteer,
        )
        .post(
            "/api/orgs/{org}/volunteers/{id}/hours",
            coordinator,
            requests::hours,
        )
        .put(
            "/api/orgs/{org}/volunteers/{id}/availability",
            coordinator,
            requests::availability,
        )
}

/// The OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    info(title = "Bulwark API", description = "Resilience and continuity planning for local public services. Authenticate with `Authorization: Bearer TOKEN` (create tokens under API tokens in the web app)."),
    paths(
        handlers::orgs, handlers::services, handlers::service, handlers::put_service, handlers::delete_service,
        handlers::assets, handlers::risks, handlers::spof, handlers::impact, handlers::model, handlers::put_model, handlers::model_xlsx,
        handlers::audit, handlers::shared, handlers::shared_service, handlers::skills, handlers::members,
        handlers::put_member, handlers::delete_member, handlers::shares, handlers::put_share, handlers::delete_share,
        exercises::exercises, exercises::create_exercise, exercises::exercise, exercises::put_exercise,
        exercises::delete_exercise, exercises::run, exercises::add_lesson, exercises::add_action,
        exercises::put_action, exercises::lessons, exercises::programme, exercises::put_programme,
        warnings::warnings, warnings::create, warnings::warning, warnings::put, warnings::approve,
        warnings::update, warnings::cancel, warnings::templates,
        incidents::incidents, incidents::create, incidents::incident, incidents::put,
        incidents::decisions, incidents::append_decision, incidents::verify, incidents::board,
        incidents::mark, incidents::submit_sitrep, incidents::add_action, incidents::put_action,
        incidents::methane, incidents::invite, incidents::legal_hold, incidents::rhythm, incidents::restore,
        people::create_person, people::person, people::affected_people, people::sources,
        people::create_source, people::lists, people::create_list, people::put_hold,
        requests::requests, requests::create_request, requests::request, requests::matches,
        requests::assign, requests::status, requests::put_hold, requests::volunteers,
        requests::create_volunteer, requests::hours, requests::availability,
        estate::estate, estate::suppliers
    ),
    components(schemas(
        handlers::OrgSummary, handlers::ServiceSummary, shapes::SpofReport, shapes::ServiceSpofEntry,
        handlers::ImpactRequest, shapes::ImpactReport, shapes::Degraded, shapes::Explanation,
        handlers::ErrorBody, handlers::SharedService, handlers::AuditItem,
        handlers::Member, handlers::RoleRequest, handlers::OutgoingShare,
        exercises::ExerciseRequest, exercises::LessonRequest, exercises::ActionRequest,
        exercises::ProgressRequest, exercises::FrequencyRequest,
        warnings::WarningRequest, warnings::AreaRequest, warnings::WelshRequest, warnings::CancelRequest,
        incidents::IncidentRequest, incidents::DecisionRequest, incidents::MarkRequest,
        incidents::SitrepRequest, incidents::IncidentActionRequest, incidents::IncidentChangeRequest,
        incidents::RhythmRequest, incidents::RestoreRequest,
        people::PersonRequest, people::AffectedRequest, people::SourceRequest, people::ListRequest,
        people::HoldRequest,
        requests::HelpRequestBody, requests::AssignBody, requests::StatusBody,
        requests::VolunteerBody, requests::HoursBody,
        requests::AvailabilityBody,
        EstateReport, SystemEntry, SuppliersReport, SupplierEntry
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
