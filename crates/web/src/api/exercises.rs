//! API for exercises, lessons, actions and the exercise programme: the same rules as the
//! pages ([`crate::exercises`]), as JSON.

use super::handlers::{ApiResult, ErrorBody};
use crate::access::{Admin, ApiMember, Editor, Viewer};
use crate::error::{ApiError, WebError};
use crate::exercises::{self as rules, ActionDraft, ExerciseDraft};
use crate::models::org_model;
use crate::pages::FieldError;
use crate::report::{lessons_of, load_exercise, programme_of, run_exercise};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use bulwark_store::Participant;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

/// Field problems, named by the JSON field they are about (the rules name form inputs).
fn invalid(errors: Vec<FieldError>) -> ApiError {
    let json_name = |field: &str| {
        match field {
            "held-day" => "held_on",
            "recorded-day" => "recorded_on",
            "due-day" => "due_on",
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

fn to_json<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).expect("records serialise")
}

/// An exercise to record or change.
#[derive(Deserialize, ToSchema)]
pub struct ExerciseRequest {
    /// Title.
    pub title: String,
    /// The model scenario it rehearses.
    pub scenario: String,
    /// The day held, as 2026-03-31.
    pub held_on: String,
    /// discussion, tabletop, command-post or live.
    pub format: String,
    /// Who led it.
    #[serde(default)]
    pub lead: String,
    /// What it set out to test.
    #[serde(default)]
    pub objectives: String,
    /// Organisations taking part: `{"name", "sector"}`.
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub participants: Vec<Participant>,
}

impl ExerciseRequest {
    fn draft(self) -> ExerciseDraft {
        ExerciseDraft {
            title: self.title,
            scenario_id: self.scenario,
            held_on: rules::parse_date(&self.held_on),
            format: self.format,
            lead: self.lead,
            objectives: self.objectives,
            participants: Ok(self
                .participants
                .into_iter()
                .map(|p| Participant {
                    name: p.name.trim().to_string(),
                    sector: p.sector.trim().to_lowercase(),
                })
                .collect()),
        }
    }
}

/// The organisation's exercises, newest first.
#[utoipa::path(get, path = "/api/orgs/{org}/exercises", params(("org" = String, Path)), responses((status = 200, body = Object), (status = 404, body = ErrorBody)))]
pub async fn exercises(
    State(state): State<AppState>,
    ApiMember { a, .. }: ApiMember<Viewer>,
) -> ApiResult<Value> {
    Ok(Json(to_json(&state.store().exercises(a.org.id).await?)))
}

/// Records an exercise (editors).
#[utoipa::path(post, path = "/api/orgs/{org}/exercises", params(("org" = String, Path)), request_body = ExerciseRequest, responses((status = 201, body = Object), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn create_exercise(
    State(state): State<AppState>,
    ApiMember { caller, a, .. }: ApiMember<Editor>,
    Json(body): Json<ExerciseRequest>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let m = org_model(&state, &a.org).await?;
    let details = rules::check_exercise(&body.draft(), &m.loaded.model, None).map_err(invalid)?;
    let id = state
        .store()
        .create_exercise(a.org.id, &details, &caller.actor())
        .await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))))
}

/// One exercise with its simulation run (if any) and its lessons with their actions.
#[utoipa::path(get, path = "/api/orgs/{org}/exercises/{id}", params(("org" = String, Path), ("id" = i64, Path)), responses((status = 200, body = Object), (status = 404, body = ErrorBody)))]
pub async fn exercise(
    State(state): State<AppState>,
    ApiMember { a, .. }: ApiMember<Viewer>,
    Path((_org, id)): Path<(String, String)>,
) -> ApiResult<Value> {
    let (e, run, lessons) = load_exercise(&state, a.org.id, number(&id)?).await?;
    Ok(Json(json!({
        "exercise": e,
        "run": run,
        "lessons": lessons,
    })))
}

/// Changes an exercise (editors).
#[utoipa::path(put, path = "/api/orgs/{org}/exercises/{id}", params(("org" = String, Path), ("id" = i64, Path)), request_body = ExerciseRequest, responses((status = 200, body = Object), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn put_exercise(
    State(state): State<AppState>,
    ApiMember { caller, a, .. }: ApiMember<Editor>,
    Path((_org, id)): Path<(String, String)>,
    Json(body): Json<ExerciseRequest>,
) -> ApiResult<Value> {
    let m = org_model(&state, &a.org).await?;
    let id = number(&id)?;
    let (e, _) = state
        .store()
        .exercise(a.org.id, id)
        .await?
        .ok_or(WebError::NotFound)?;
    let kept = Some(e.details.scenario_id.as_str());
    let details = rules::check_exercise(&body.draft(), &m.loaded.model, kept).map_err(invalid)?;
    state
        .store()
        .update_exercise(a.org.id, id, &details, &caller.actor())
        .await?;
    Ok(Json(json!({ "id": id })))
}

/// Deletes an exercise with its lessons and actions (administrators).
#[utoipa::path(delete, path = "/api/orgs/{org}/exercises/{id}", params(("org" = String, Path), ("id" = i64, Path)), responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_exercise(
    State(state): State<AppState>,
    ApiMember { caller, a, .. }: ApiMember<Admin>,
    Path((_org, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    state
        .store()
        .delete_exercise(a.org.id, number(&id)?, &caller.actor())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Runs the exercise's scenario on the current model, with and without redeployment, and
/// keeps the result with the exercise (editors).
#[utoipa::path(post, path = "/api/orgs/{org}/exercises/{id}/run", params(("org" = String, Path), ("id" = i64, Path)), responses((status = 200, body = Object), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn run(
    State(state): State<AppState>,
    ApiMember { caller, a, .. }: ApiMember<Editor>,
    Path((_org, id)): Path<(String, String)>,
) -> ApiResult<Value> {
    let (e, _) = state
        .store()
        .exercise(a.org.id, number(&id)?)
        .await?
        .ok_or(WebError::NotFound)?;
    let snapshot = run_exercise(&state, &a.org, &e, &caller.actor()).await?;
    Ok(Json(to_json(&snapshot)))
}

/// A lesson to record.
#[derive(Deserialize, ToSchema)]
pub struct LessonRequest {
    /// What was learned.
    pub title: String,
    /// More about it.
    #[serde(default)]
    pub detail: String,
    /// The day recorded (today when absent), as 2026-03-31.
    pub recorded_on: Option<String>,
}

/// Records a lesson from an exercise (editors).
#[utoipa::path(post, path = "/api/orgs/{org}/exercises/{id}/lessons", params(("org" = String, Path), ("id" = i64, Path)), request_body = LessonRequest, responses((status = 201, body = Object), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn add_lesson(
    State(state): State<AppState>,
    ApiMember { caller, a, .. }: ApiMember<Editor>,
    Path((_org, id)): Path<(String, String)>,
    Json(body): Json<LessonRequest>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let date = body
        .recorded_on
        .as_deref()
        .map_or_else(|| Ok(rules::today()), rules::parse_date);
    let errors = rules::check_lesson(&body.title, &body.detail, &date);
    let (Ok(date), true) = (date, errors.is_empty()) else {
        return Err(invalid(errors));
    };
    let lesson = state
        .store()
        .add_lesson(
            a.org.id,
            number(&id)?,
            body.title.trim(),
            body.detail.trim(),
            date,
            &caller.actor(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": lesson }))))
}

/// An action to add to a lesson.
#[derive(Deserialize, ToSchema)]
pub struct ActionRequest {
    /// What must be done.
    pub description: String,
    /// Who owns it.
    pub owner: String,
    /// Due by, as 2026-03-31.
    pub due_on: String,
    /// The service it changes.
    #[serde(default)]
    pub service: String,
    /// The plan it changes.
    #[serde(default)]
    pub plan: String,
}

/// Adds an action to a lesson (editors). It needs a service or a plan that it changes.
#[utoipa::path(post, path = "/api/orgs/{org}/lessons/{id}/actions", params(("org" = String, Path), ("id" = i64, Path)), request_body = ActionRequest, responses((status = 201, body = Object), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn add_action(
    State(state): State<AppState>,
    ApiMember { caller, a, .. }: ApiMember<Editor>,
    Path((_org, id)): Path<(String, String)>,
    Json(body): Json<ActionRequest>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let m = org_model(&state, &a.org).await?;
    let draft = ActionDraft {
        due_on: rules::parse_date(&body.due_on),
        description: body.description,
        owner: body.owner,
        service_id: body.service,
        plan: body.plan,
    };
    let details = rules::check_action(&draft, &m.loaded.model).map_err(invalid)?;
    let action = state
        .store()
        .add_action(a.org.id, number(&id)?, &details, &caller.actor())
        .await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": action }))))
}

/// A change of an action's status.
#[derive(Deserialize, ToSchema)]
pub struct ProgressRequest {
    /// open, in-progress or done.
    pub status: String,
    /// What shows it is done (required for done).
    #[serde(default)]
    pub evidence: String,
}

/// Moves an action on (editors); closing it needs evidence.
#[utoipa::path(put, path = "/api/orgs/{org}/actions/{id}", params(("org" = String, Path), ("id" = i64, Path)), request_body = ProgressRequest, responses((status = 200, body = Object), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn put_action(
    State(state): State<AppState>,
    ApiMember { caller, a, .. }: ApiMember<Editor>,
    Path((_org, id)): Path<(String, String)>,
    Json(body): Json<ProgressRequest>,
) -> ApiResult<Value> {
    let progress =
        rules::check_progress(&body.status, &body.evidence, rules::today()).map_err(invalid)?;
    let id = number(&id)?;
    state
        .store()
        .update_action(a.org.id, id, &progress, &caller.actor())
        .await?;
    let action = state.store().action(a.org.id, id).await?;
    Ok(Json(to_json(&action)))
}

/// Every lesson with its actions, whether it is open and its age in days, and the open
/// lessons counted by age.
#[utoipa::path(get, path = "/api/orgs/{org}/lessons", params(("org" = String, Path)), responses((status = 200, body = Object), (status = 404, body = ErrorBody)))]
pub async fn lessons(
    State(state): State<AppState>,
    ApiMember { a, .. }: ApiMember<Viewer>,
) -> ApiResult<Value> {
    let all = lessons_of(&state, a.org.id, None).await?;
    let overdue: Vec<i64> = (rules::overdue_actions(&all, rules::today()).iter())
        .map(|x| x.id)
        .collect();
    Ok(Json(json!({
        "open_by_age": rules::open_by_age(&all),
        "overdue_actions": overdue,
        "lessons": all,
    })))
}

/// The exercise programme: every scenario with its frequency, last exercise, due date and
/// status (`not-in-programme`, `never-exercised`, `overdue`, `due-soon`, `up-to-date`).
#[utoipa::path(get, path = "/api/orgs/{org}/programme", params(("org" = String, Path)), responses((status = 200, body = Object), (status = 404, body = ErrorBody)))]
pub async fn programme(
    State(state): State<AppState>,
    ApiMember { a, .. }: ApiMember<Viewer>,
) -> ApiResult<Value> {
    let m = org_model(&state, &a.org).await?;
    let rows = programme_of(&state, a.org.id, &m.loaded.model).await?;
    Ok(Json(to_json(&rows)))
}

/// How often a scenario must be exercised.
#[derive(Deserialize, ToSchema)]
pub struct FrequencyRequest {
    /// At least once in this many months; `null` takes it out of the programme.
    pub every_months: Option<i64>,
}

/// Sets how often a scenario must be exercised (editors); a pandemic at most every 36 months.
#[utoipa::path(put, path = "/api/orgs/{org}/programme/{scenario}", params(("org" = String, Path), ("scenario" = String, Path)), request_body = FrequencyRequest, responses((status = 200, body = Object), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn put_programme(
    State(state): State<AppState>,
    ApiMember { caller, a, .. }: ApiMember<Editor>,
    Path((_org, scenario)): Path<(String, String)>,
    Json(body): Json<FrequencyRequest>,
) -> ApiResult<Value> {
    let m = org_model(&state, &a.org).await?;
    let sc = m
        .loaded
        .model
        .scenarios
        .iter()
        .find(|s| s.meta.id.as_str() == scenario)
        .ok_or(WebError::NotFound)?;
    if let Some(months) = body.every_months {
        rules::check_every_months(sc, months).map_err(|e| ApiError(WebError::Invalid(vec![e])))?;
    }
    state
        .store()
        .set_programme(a.org.id, &scenario, body.every_months, &caller.actor())
        .await?;
    Ok(Json(
        json!({ "scenario": scenario, "every_months": body.every_months }),
    ))
}
