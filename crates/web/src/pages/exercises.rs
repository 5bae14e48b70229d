//! Exercises: record one, run its scenario's simulation, report it (web page and PDF), and
//! follow its lessons and actions to closure; the exercise programme; open lessons by age.

use super::{Ctx, FieldError};
use crate::access::{Admin, Editor, Member, OrgAccess, Viewer};
use crate::auth::SignedIn;
use crate::error::{PageError, WebError};
use crate::exercises::{
    self as rules, ActionDraft, ExerciseDraft, LessonStatus, ProgrammeRow, SECTORS,
};
use crate::labels::Label;
use crate::models::{OrgModel, org_model};
use crate::report::{exercise_document, lessons_of, load_exercise, programme_of, run_exercise};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::{Form, Query};
use bulwark_model::Model;
use bulwark_report::document::{Block, Document};
use bulwark_report::exercise::RunSnapshot;
use bulwark_store::{Action, ActionStatus, Exercise, ExerciseFormat};
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use std::collections::HashMap;

/// A confirmation shown after a change, chosen by key so no submitted text is reflected.
#[derive(Deserialize, Default)]
pub(super) struct Done {
    done: Option<String>,
}

impl Done {
    fn notice(&self) -> Option<String> {
        let text = match self.done.as_deref()? {
            "created" => "Exercise recorded",
            "saved" => "Exercise updated",
            "run" => "Simulation run: read the exercise report for its results",
            "lesson" => "Lesson recorded. Add the actions that will close it.",
            "action" => "Action added",
            "progress" => "Action updated",
            "programme" => "Exercise programme saved",
            "deleted" => "Exercise deleted",
            _ => return None,
        };
        Some(text.to_string())
    }
}

fn ids(s: &str) -> Result<i64, PageError> {
    s.parse().map_err(|_| PageError(WebError::NotFound))
}

/// The scenario's name, or its id when the model no longer has it.
fn scenario_name(model: &Model, id: &str) -> String {
    model
        .scenarios
        .iter()
        .find(|s| s.meta.id.as_str() == id)
        .map_or_else(
            || format!("{id} (no longer in the model)"),
            |s| s.meta.name.clone(),
        )
}

/// Day, month and year boxes' text for a stored date.
fn boxes(d: NaiveDate) -> (String, String, String) {
    (
        d.day().to_string(),
        d.month().to_string(),
        d.year().to_string(),
    )
}

// ----- list and programme -----

/// An exercise in the list.
pub struct ExerciseRow {
    id: i64,
    title: String,
    scenario: String,
    held_on: String,
    format: &'static str,
    participants: usize,
    open_lessons: usize,
}

#[derive(Template, WebTemplate)]
#[template(path = "exercises.html")]
struct ListPage {
    ctx: Ctx,
    exercises: Vec<ExerciseRow>,
    programme: Vec<ProgrammeRow>,
}

/// `GET /o/{org}/exercises`.
pub(super) async fn list(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Viewer>,
    Query(done): Query<Done>,
) -> Result<Response, PageError> {
    let m = org_model(&state, &a.org).await?;
    let exercises = state.store().exercises(a.org.id).await?;
    let lessons = lessons_of(&state, a.org.id, None).await?;
    let model = &m.loaded.model;
    let programme = programme_of(&state, a.org.id, model).await?;
    let rows = exercises
        .iter()
        .map(|e| ExerciseRow {
            id: e.id,
            title: e.details.title.clone(),
            scenario: scenario_name(model, &e.details.scenario_id),
            held_on: e.details.held_on.to_string(),
            format: e.details.format.label(),
            participants: e.details.participants.len(),
            open_lessons: lessons
                .iter()
                .filter(|l| l.open && l.lesson.exercise_id == e.id)
                .count(),
        })
        .collect();
    let mut ctx = Ctx::org(&s, &a, "exercises");
    ctx.notice = done.notice();
    Ok(ListPage {
        ctx,
        exercises: rows,
        programme,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "programme.html")]
struct ProgrammePage {
    ctx: Ctx,
    rows: Vec<ProgrammeRow>,
    values: HashMap<String, String>,
}

impl ProgrammePage {
    fn value(&self, scenario: &str) -> &str {
        self.values.get(scenario).map_or("", String::as_str)
    }
}

/// `GET /o/{org}/programme`.
pub(super) async fn programme_form(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Editor>,
) -> Result<Response, PageError> {
    let m = org_model(&state, &a.org).await?;
    let rows = programme_of(&state, a.org.id, &m.loaded.model).await?;
    let values = (state.store().programme(a.org.id).await?)
        .iter()
        .map(|e| (e.scenario_id.clone(), e.every_months.to_string()))
        .collect();
    Ok(ProgrammePage {
        ctx: Ctx::org(&s, &a, "exercises"),
        rows,
        values,
    }
    .into_response())
}

/// `POST /o/{org}/programme`: every scenario's frequency at once, all or nothing.
pub(super) async fn save_programme(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Editor>,
    Path(slug): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let m = org_model(&state, &a.org).await?;
    let model = &m.loaded.model;
    let mut errors = Vec::new();
    let mut wanted = Vec::new();
    for sc in &model.scenarios {
        let id = sc.meta.id.as_str();
        let text = form.get(&format!("every-{id}")).map_or("", |v| v.trim());
        if text.is_empty() {
            wanted.push((id, None));
            continue;
        }
        match text.parse::<i64>() {
            Ok(months) => match rules::check_every_months(sc, months) {
                Ok(()) => wanted.push((id, Some(months))),
                Err(e) => errors.push(FieldError {
                    field: format!("every-{id}"),
                    message: e,
                }),
            },
            Err(_) => errors.push(FieldError {
                field: format!("every-{id}"),
                message: format!("{}: enter a whole number of months, like 12", sc.meta.name),
            }),
        }
    }
    if !errors.is_empty() {
        let mut ctx = Ctx::org(&s, &a, "exercises");
        ctx.errors = errors;
        let values = form
            .iter()
            .filter_map(|(k, v)| Some((k.strip_prefix("every-")?.to_string(), v.clone())))
            .collect();
        let page = ProgrammePage {
            ctx,
            rows: programme_of(&state, a.org.id, model).await?,
            values,
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    state
        .store()
        .set_programmes(a.org.id, &wanted, &s.actor())
        .await?;
    Ok(Redirect::to(&format!("/o/{slug}/exercises?done=programme")).into_response())
}

// ----- recording an exercise -----

/// The exercise form's fields.
#[derive(Deserialize, Default)]
pub(super) struct ExerciseForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    scenario: String,
    #[serde(default)]
    held_day: String,
    #[serde(default)]
    held_month: String,
    #[serde(default)]
    held_year: String,
    #[serde(default)]
    format: String,
    #[serde(default)]
    lead: String,
    #[serde(default)]
    objectives: String,
    #[serde(default)]
    participants: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "exercise_form.html")]
struct ExerciseFormPage {
    ctx: Ctx,
    f: ExerciseForm,
    action: String,
    scenarios: Vec<(String, String)>,
    formats: Vec<(&'static str, &'static str)>,
    participants_hint: String,
}

fn exercise_form_page(ctx: Ctx, f: ExerciseForm, action: String, model: &Model) -> Response {
    let status = super::form_status(&ctx.errors);
    let mut scenarios: Vec<(String, String)> = model
        .scenarios
        .iter()
        .map(|s| (s.meta.id.to_string(), s.meta.name.clone()))
        .collect();
    // An exercise of a scenario the model has since dropped can still be edited.
    if !f.scenario.is_empty() && !scenarios.iter().any(|(id, _)| *id == f.scenario) {
        scenarios.push((f.scenario.clone(), scenario_name(model, &f.scenario)));
    }
    let page = ExerciseFormPage {
        ctx,
        f,
        action,
        scenarios,
        formats: ExerciseFormat::ALL
            .iter()
            .map(|f| (f.as_str(), f.label()))
            .collect(),
        participants_hint: format!(
            "One per line: the organisation, a comma, then its sector ({}). For example: Moorside Homecare, social care",
            SECTORS.join(", ")
        ),
    };
    (status, page).into_response()
}

/// `GET /o/{org}/exercises/new`.
pub(super) async fn new_form(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Editor>,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    let m = org_model(&state, &a.org).await?;
    Ok(exercise_form_page(
        Ctx::org(&s, &a, "exercises"),
        ExerciseForm::default(),
        format!("/o/{slug}/exercises/new"),
        &m.loaded.model,
    ))
}

fn draft(f: &ExerciseForm) -> ExerciseDraft {
    ExerciseDraft {
        title: f.title.clone(),
        scenario_id: f.scenario.clone(),
        held_on: rules::date_from_parts(&f.held_day, &f.held_month, &f.held_year),
        format: f.format.clone(),
        lead: f.lead.clone(),
        objectives: f.objectives.clone(),
        participants: rules::parse_participants(&f.participants),
    }
}

/// `POST /o/{org}/exercises/new`.
pub(super) async fn create(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Editor>,
    Path(slug): Path<String>,
    Form(f): Form<ExerciseForm>,
) -> Result<Response, PageError> {
    let m = org_model(&state, &a.org).await?;
    match rules::check_exercise(&draft(&f), &m.loaded.model, None) {
        Ok(details) => {
            let id = state
                .store()
                .create_exercise(a.org.id, &details, &s.actor())
                .await?;
            Ok(Redirect::to(&format!("/o/{slug}/exercises/{id}?done=created")).into_response())
        }
        Err(errors) => {
            let mut ctx = Ctx::org(&s, &a, "exercises");
            ctx.errors = errors;
            Ok(exercise_form_page(
                ctx,
                f,
                format!("/o/{slug}/exercises/new"),
                &m.loaded.model,
            ))
        }
    }
}

/// What a lookup found, or 404.
fn found<T>(lookup: Result<Option<T>, bulwark_store::StoreError>) -> Result<T, PageError> {
    Ok(lookup?.ok_or(WebError::NotFound)?)
}

async fn find_exercise(state: &AppState, org: i64, id: &str) -> Result<Exercise, PageError> {
    Ok(found(state.store().exercise(org, ids(id)?).await)?.0)
}

/// `GET /o/{org}/exercises/{id}/edit`.
pub(super) async fn edit_form(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Editor>,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let m = org_model(&state, &a.org).await?;
    let e = find_exercise(&state, a.org.id, &id).await?;
    let (held_day, held_month, held_year) = boxes(e.details.held_on);
    let f = ExerciseForm {
        title: e.details.title,
        scenario: e.details.scenario_id,
        held_day,
        held_month,
        held_year,
        format: e.details.format.as_str().into(),
        lead: e.details.lead,
        objectives: e.details.objectives,
        participants: rules::participants_text(&e.details.participants),
    };
    Ok(exercise_form_page(
        Ctx::org(&s, &a, "exercises"),
        f,
        format!("/o/{slug}/exercises/{}/edit", e.id),
        &m.loaded.model,
    ))
}

/// `POST /o/{org}/exercises/{id}/edit`.
pub(super) async fn update(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Editor>,
    Path((slug, id)): Path<(String, String)>,
    Form(f): Form<ExerciseForm>,
) -> Result<Response, PageError> {
    let m = org_model(&state, &a.org).await?;
    let e = find_exercise(&state, a.org.id, &id).await?;
    let kept = Some(e.details.scenario_id.as_str());
    match rules::check_exercise(&draft(&f), &m.loaded.model, kept) {
        Ok(details) => {
            state
                .store()
                .update_exercise(a.org.id, e.id, &details, &s.actor())
                .await?;
            Ok(Redirect::to(&format!("/o/{slug}/exercises/{}?done=saved", e.id)).into_response())
        }
        Err(errors) => {
            let mut ctx = Ctx::org(&s, &a, "exercises");
            ctx.errors = errors;
            Ok(exercise_form_page(
                ctx,
                f,
                format!("/o/{slug}/exercises/{}/edit", e.id),
                &m.loaded.model,
            ))
        }
    }
}

/// A form that carries only its CSRF token.
#[derive(Deserialize)]
pub(super) struct Plain {}

/// `POST /o/{org}/exercises/{id}/delete`: administrators only.
pub(super) async fn delete(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Admin>,
    Path((slug, id)): Path<(String, String)>,
    Form(_f): Form<Plain>,
) -> Result<Response, PageError> {
    let e = find_exercise(&state, a.org.id, &id).await?;
    state
        .store()
        .delete_exercise(a.org.id, e.id, &s.actor())
        .await?;
    Ok(Redirect::to(&format!("/o/{slug}/exercises?done=deleted")).into_response())
}

/// `POST /o/{org}/exercises/{id}/run`: simulates the scenario on the current model and keeps
/// the result with the exercise.
pub(super) async fn run(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Editor>,
    Path((slug, id)): Path<(String, String)>,
    Form(_f): Form<Plain>,
) -> Result<Response, PageError> {
    let e = find_exercise(&state, a.org.id, &id).await?;
    run_exercise(&state, &a.org, &e, &s.actor()).await?;
    Ok(Redirect::to(&format!("/o/{slug}/exercises/{}?done=run", e.id)).into_response())
}

// ----- the exercise page and its report -----

#[derive(Template, WebTemplate)]
#[template(path = "exercise.html")]
struct ExercisePage {
    ctx: Ctx,
    e: Exercise,
    scenario: String,
    run: Option<RunSnapshot>,
    lessons: Vec<LessonStatus>,
    today: NaiveDate,
    pdf: bool,
}

impl ExercisePage {
    fn overdue(&self, a: &Action) -> bool {
        rules::action_overdue(a, self.today)
    }
}

/// `GET /o/{org}/exercises/{id}`.
pub(super) async fn show(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Viewer>,
    Path((_, id)): Path<(String, String)>,
    Query(done): Query<Done>,
) -> Result<Response, PageError> {
    let m = org_model(&state, &a.org).await?;
    let (e, run, lessons) = load_exercise(&state, a.org.id, ids(&id)?).await?;
    let mut ctx = Ctx::org(&s, &a, "exercises");
    ctx.notice = done.notice();
    Ok(ExercisePage {
        scenario: scenario_name(&m.loaded.model, &e.details.scenario_id),
        ctx,
        e,
        run,
        lessons,
        today: rules::today(),
        pdf: cfg!(feature = "pdf"),
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "report.html")]
struct ReportPage {
    ctx: Ctx,
    doc: Document,
    back: String,
    pdf: bool,
}

async fn document(
    state: &AppState,
    s: &SignedIn,
    a: &OrgAccess,
    id: &str,
) -> Result<(Ctx, Document, i64), PageError> {
    let m: std::sync::Arc<OrgModel> = org_model(state, &a.org).await?;
    let (e, run, lessons) = load_exercise(state, a.org.id, ids(id)?).await?;
    let doc = exercise_document(
        &a.org.name,
        &e,
        &scenario_name(&m.loaded.model, &e.details.scenario_id),
        run.as_ref(),
        &lessons,
        &m.loaded.model,
    );
    Ok((Ctx::org(s, a, "exercises"), doc, e.id))
}

/// `GET /o/{org}/exercises/{id}/report`: the report as a printable page.
pub(super) async fn report(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Viewer>,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let (ctx, doc, id) = document(&state, &s, &a, &id).await?;
    Ok(ReportPage {
        ctx,
        doc,
        back: format!("/o/{}/exercises/{id}", a.org.slug),
        pdf: cfg!(feature = "pdf"),
    }
    .into_response())
}

/// `GET /o/{org}/exercises/{id}/report.pdf`: the same report as a PDF.
#[cfg(feature = "pdf")]
pub(super) async fn report_pdf(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Viewer>,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let (_, doc, id) = document(&state, &s, &a, &id).await?;
    let bytes = crate::jobs::run(&state, move || bulwark_report::pdf::render(&doc))
        .await?
        .map_err(|e| WebError::Internal(e.to_string()))?;
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/pdf".to_string(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("inline; filename=\"exercise-{id}.pdf\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

// ----- lessons and actions -----

/// The lesson form's fields.
#[derive(Deserialize, Default)]
pub(super) struct LessonForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    detail: String,
    #[serde(default)]
    recorded_day: String,
    #[serde(default)]
    recorded_month: String,
    #[serde(default)]
    recorded_year: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "lesson_form.html")]
struct LessonFormPage {
    ctx: Ctx,
    f: LessonForm,
    e: Exercise,
}

/// `GET /o/{org}/exercises/{id}/lessons/new`.
pub(super) async fn lesson_form(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Editor>,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let e = find_exercise(&state, a.org.id, &id).await?;
    let today = rules::today();
    let f = LessonForm {
        recorded_day: today.day().to_string(),
        recorded_month: today.month().to_string(),
        recorded_year: today.year().to_string(),
        ..LessonForm::default()
    };
    Ok(LessonFormPage {
        ctx: Ctx::org(&s, &a, "exercises"),
        f,
        e,
    }
    .into_response())
}

/// `POST /o/{org}/exercises/{id}/lessons/new`.
pub(super) async fn add_lesson(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Editor>,
    Path((slug, id)): Path<(String, String)>,
    Form(f): Form<LessonForm>,
) -> Result<Response, PageError> {
    let e = find_exercise(&state, a.org.id, &id).await?;
    let date = rules::date_from_parts(&f.recorded_day, &f.recorded_month, &f.recorded_year);
    let errors = rules::check_lesson(&f.title, &f.detail, &date);
    match (date, errors.is_empty()) {
        (Ok(date), true) => {
            let lesson = state
                .store()
                .add_lesson(
                    a.org.id,
                    e.id,
                    f.title.trim(),
                    f.detail.trim(),
                    date,
                    &s.actor(),
                )
                .await?;
            Ok(Redirect::to(&format!(
                "/o/{slug}/lessons/{lesson}/actions/new?done=lesson"
            ))
            .into_response())
        }
        _ => {
            let mut ctx = Ctx::org(&s, &a, "exercises");
            ctx.errors = errors;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                LessonFormPage { ctx, f, e },
            )
                .into_response())
        }
    }
}

/// The action form's fields.
#[derive(Deserialize, Default)]
pub(super) struct ActionForm {
    #[serde(default)]
    description: String,
    #[serde(default)]
    owner: String,
    #[serde(default)]
    due_day: String,
    #[serde(default)]
    due_month: String,
    #[serde(default)]
    due_year: String,
    #[serde(default)]
    service: String,
    #[serde(default)]
    plan: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "action_form.html")]
struct ActionFormPage {
    ctx: Ctx,
    f: ActionForm,
    lesson: bulwark_store::Lesson,
    services: Vec<(String, String)>,
}

fn action_form_page(
    ctx: Ctx,
    f: ActionForm,
    lesson: bulwark_store::Lesson,
    model: &Model,
) -> Response {
    let status = super::form_status(&ctx.errors);
    let mut services: Vec<(String, String)> = model
        .services
        .iter()
        .map(|s| (s.meta.id.to_string(), s.meta.name.clone()))
        .collect();
    services.sort_by(|a, b| a.1.cmp(&b.1));
    (
        status,
        ActionFormPage {
            ctx,
            f,
            lesson,
            services,
        },
    )
        .into_response()
}

async fn find_lesson(
    state: &AppState,
    org: i64,
    id: &str,
) -> Result<bulwark_store::Lesson, PageError> {
    found(state.store().lesson(org, ids(id)?).await)
}

/// `GET /o/{org}/lessons/{lesson}/actions/new`.
pub(super) async fn action_form(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Editor>,
    Path((_, lesson)): Path<(String, String)>,
    Query(done): Query<Done>,
) -> Result<Response, PageError> {
    let m = org_model(&state, &a.org).await?;
    let lesson = find_lesson(&state, a.org.id, &lesson).await?;
    let mut ctx = Ctx::org(&s, &a, "exercises");
    ctx.notice = done.notice();
    Ok(action_form_page(
        ctx,
        ActionForm::default(),
        lesson,
        &m.loaded.model,
    ))
}

/// `POST /o/{org}/lessons/{lesson}/actions/new`.
pub(super) async fn add_action(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Editor>,
    Path((slug, lesson)): Path<(String, String)>,
    Form(f): Form<ActionForm>,
) -> Result<Response, PageError> {
    let m = org_model(&state, &a.org).await?;
    let lesson = find_lesson(&state, a.org.id, &lesson).await?;
    let d = ActionDraft {
        description: f.description.clone(),
        owner: f.owner.clone(),
        due_on: rules::date_from_parts(&f.due_day, &f.due_month, &f.due_year),
        service_id: f.service.clone(),
        plan: f.plan.clone(),
    };
    match rules::check_action(&d, &m.loaded.model) {
        Ok(details) => {
            state
                .store()
                .add_action(a.org.id, lesson.id, &details, &s.actor())
                .await?;
            Ok(Redirect::to(&format!(
                "/o/{slug}/exercises/{}?done=action#lesson-{}",
                lesson.exercise_id, lesson.id
            ))
            .into_response())
        }
        Err(errors) => {
            let mut ctx = Ctx::org(&s, &a, "exercises");
            ctx.errors = errors;
            Ok(action_form_page(ctx, f, lesson, &m.loaded.model))
        }
    }
}

/// The progress form's fields.
#[derive(Deserialize, Default)]
pub(super) struct ProgressForm {
    #[serde(default)]
    status: String,
    #[serde(default)]
    evidence: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "action.html")]
struct ActionPage {
    ctx: Ctx,
    action: Action,
    lesson: bulwark_store::Lesson,
    /// The service's name, and whether it is still in the model (to link to it).
    service: Option<(String, bool)>,
    f: ProgressForm,
    statuses: Vec<(&'static str, &'static str)>,
    overdue: bool,
}

async fn action_page(
    state: &AppState,
    ctx: Ctx,
    org: &bulwark_store::Organisation,
    action: Action,
    f: Option<ProgressForm>,
) -> Result<Response, PageError> {
    let m = org_model(state, org).await?;
    let lesson = found(state.store().lesson(org.id, action.lesson_id).await)?;
    let service =
        (action.details.service_id.as_deref()).map(|id| rules::service_label(&m.loaded.model, id));
    let f = f.unwrap_or_else(|| ProgressForm {
        status: action.progress.status.as_str().into(),
        evidence: action.progress.evidence.clone().unwrap_or_default(),
    });
    let status = super::form_status(&ctx.errors);
    let overdue = rules::action_overdue(&action, rules::today());
    Ok((
        status,
        ActionPage {
            ctx,
            lesson,
            service,
            f,
            statuses: ActionStatus::ALL
                .iter()
                .map(|s| (s.as_str(), s.label()))
                .collect(),
            overdue,
            action,
        },
    )
        .into_response())
}

async fn find_action(state: &AppState, org: i64, id: &str) -> Result<Action, PageError> {
    found(state.store().action(org, ids(id)?).await)
}

/// `GET /o/{org}/actions/{id}`.
pub(super) async fn action(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Viewer>,
    Path((_, id)): Path<(String, String)>,
    Query(done): Query<Done>,
) -> Result<Response, PageError> {
    let action = find_action(&state, a.org.id, &id).await?;
    let mut ctx = Ctx::org(&s, &a, "lessons");
    ctx.notice = done.notice();
    action_page(&state, ctx, &a.org, action, None).await
}

/// `POST /o/{org}/actions/{id}`: moves the action on; closing it needs evidence.
pub(super) async fn update_action(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Editor>,
    Path((slug, id)): Path<(String, String)>,
    Form(f): Form<ProgressForm>,
) -> Result<Response, PageError> {
    let action = find_action(&state, a.org.id, &id).await?;
    match rules::check_progress(&f.status, &f.evidence, rules::today()) {
        Ok(progress) => {
            state
                .store()
                .update_action(a.org.id, action.id, &progress, &s.actor())
                .await?;
            Ok(
                Redirect::to(&format!("/o/{slug}/actions/{}?done=progress", action.id))
                    .into_response(),
            )
        }
        Err(errors) => {
            let mut ctx = Ctx::org(&s, &a, "lessons");
            ctx.errors = errors;
            action_page(&state, ctx, &a.org, action, Some(f)).await
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "lessons.html")]
struct LessonsPage {
    ctx: Ctx,
    bands: Vec<rules::AgeBand>,
    open: Vec<LessonStatus>,
    closed: Vec<LessonStatus>,
    overdue: Vec<Action>,
    today: NaiveDate,
}

impl LessonsPage {
    fn overdue(&self, a: &Action) -> bool {
        rules::action_overdue(a, self.today)
    }
}

/// `GET /o/{org}/lessons`: open lessons by age, overdue actions, and lessons closed.
pub(super) async fn lessons(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Viewer>,
) -> Result<Response, PageError> {
    let today = rules::today();
    let mut all = lessons_of(&state, a.org.id, None).await?;
    all.sort_by_key(|l| std::cmp::Reverse(l.age_days));
    let bands = rules::open_by_age(&all);
    let overdue = rules::overdue_actions(&all, today);
    let (open, closed): (Vec<_>, Vec<_>) = all.into_iter().partition(|l| l.open);
    Ok(LessonsPage {
        ctx: Ctx::org(&s, &a, "lessons"),
        bands,
        open,
        closed,
        overdue,
        today,
    }
    .into_response())
}
