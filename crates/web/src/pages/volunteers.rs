//! Volunteers of the community hub (hub coordinators and administrators): who they are, what
//! they can help with, their DBS check (expired and due within 30 days flagged), when they are
//! available, hours given and open assignments. Their names and contact details are personal
//! data: every time the page shows them, each read is recorded with the page's purpose.

use super::requests::{categories, number};
use super::{Ctx, FieldError};
use crate::access::{HubCoordinator, Member};
use crate::error::PageError;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::{Form, Query};
use bulwark_rules::exercises::today;
use bulwark_rules::requests::{self as rules, DbsStanding, VolunteerDraft, dbs_standing};
use bulwark_rules::text::{SHORT, check_all};
use bulwark_store::{DbsLevel, Volunteer, reference};
use serde::Deserialize;

/// What the audit trail records as the reason for showing the volunteers page.
pub const PAGE_PURPOSE: &str = "coordinating volunteers (the volunteers page)";

/// A notice after a change.
#[derive(Deserialize, Default)]
pub(super) struct Done {
    done: Option<String>,
}

/// A volunteer as the page shows them.
struct Row {
    v: Volunteer,
    dbs: DbsStanding,
}

impl Row {
    fn skills(&self) -> String {
        let labels: Vec<&str> = self.v.skills.iter().map(|c| c.label()).collect();
        labels.join(", ")
    }

    fn hours(&self) -> String {
        let h = self.v.minutes as f64 / 60.0;
        if self.v.minutes % 60 == 0 {
            format!("{}", self.v.minutes / 60)
        } else {
            format!("{h:.1}")
        }
    }

    fn assignments(&self) -> Vec<String> {
        self.v.assignments.iter().map(|n| reference(*n)).collect()
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "volunteers.html")]
struct ListPage {
    ctx: Ctx,
    rows: Vec<Row>,
    today: String,
}

impl ListPage {
    fn expired(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| r.dbs == DbsStanding::Expired)
            .count()
    }

    fn due_soon(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| matches!(r.dbs, DbsStanding::DueSoon(_)))
            .count()
    }
}

/// The volunteers page for `member`, with `errors` (from a form on it).
async fn list_page(
    state: &AppState,
    member: &Member<HubCoordinator>,
    notice: Option<String>,
    errors: Vec<FieldError>,
) -> Result<Response, PageError> {
    let keys = state.people_keys()?;
    let (s, a) = (&member.s, &member.a);
    let day = today();
    let rows = state
        .store()
        .volunteers(a.org.id, PAGE_PURPOSE, keys, &s.actor())
        .await?
        .into_iter()
        .map(|v| Row {
            dbs: dbs_standing(v.dbs_level, v.dbs_expires_on, day),
            v,
        })
        .collect();
    let mut ctx = Ctx::org(s, a, "people");
    ctx.notice = notice;
    ctx.errors = errors;
    let status = super::form_status(&ctx.errors);
    let page = ListPage {
        ctx,
        rows,
        today: day.to_string(),
    };
    Ok((status, page).into_response())
}

/// `GET /o/{org}/volunteers`.
pub(super) async fn list(
    State(state): State<AppState>,
    member: Member<HubCoordinator>,
    Query(q): Query<Done>,
) -> Result<Response, PageError> {
    let notice = match q.done.as_deref() {
        Some("added") => Some("Volunteer added".to_string()),
        Some("hours") => Some("Hours logged".to_string()),
        Some("availability") => Some("Availability changed".to_string()),
        _ => None,
    };
    list_page(&state, &member, notice, Vec::new()).await
}

/// The volunteer form's fields.
#[derive(Deserialize, Default)]
pub(super) struct VolunteerForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    postcode: String,
    #[serde(default)]
    skills: Vec<String>,
    #[serde(default)]
    dbs_level: String,
    #[serde(default)]
    dbs_expires_on: String,
    #[serde(default)]
    available: String,
    #[serde(default)]
    availability: String,
}

impl VolunteerForm {
    fn has_skill(&self, s: &str) -> bool {
        self.skills.iter().any(|k| k == s)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "volunteer_form.html")]
struct FormPage {
    ctx: Ctx,
    f: VolunteerForm,
    categories: Vec<(&'static str, &'static str)>,
    levels: Vec<(&'static str, &'static str)>,
}

fn levels() -> Vec<(&'static str, &'static str)> {
    DbsLevel::ALL
        .iter()
        .map(|l| (l.as_str(), l.label()))
        .collect()
}

/// The kinds of help a volunteer can give: every category but `other`.
fn skills() -> Vec<(&'static str, &'static str)> {
    categories()
        .into_iter()
        .filter(|(c, _)| *c != "other")
        .collect()
}

/// `GET /o/{org}/volunteers/new`.
pub(super) async fn new_form(
    Member { s, a, .. }: Member<HubCoordinator>,
) -> Result<Response, PageError> {
    let f = VolunteerForm {
        available: "yes".into(),
        ..VolunteerForm::default()
    };
    Ok(FormPage {
        ctx: Ctx::org(&s, &a, "people"),
        f,
        categories: skills(),
        levels: levels(),
    }
    .into_response())
}

/// `POST /o/{org}/volunteers/new`.
pub(super) async fn create(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<HubCoordinator>,
    Path(slug): Path<String>,
    Form(f): Form<VolunteerForm>,
) -> Result<Response, PageError> {
    let keys = state.people_keys()?;
    let draft = VolunteerDraft {
        name: f.name.clone(),
        phone: f.phone.clone(),
        email: f.email.clone(),
        postcode: f.postcode.clone(),
        skills: f.skills.clone(),
        dbs_level: f.dbs_level.clone(),
        dbs_expires_on: f.dbs_expires_on.clone(),
        available: f.available == "yes",
        availability: f.availability.clone(),
    };
    match rules::check_volunteer(&draft) {
        Ok(v) => {
            state
                .store()
                .create_volunteer(a.org.id, &v, keys, &s.actor())
                .await?;
            Ok(Redirect::to(&format!("/o/{slug}/volunteers?done=added")).into_response())
        }
        Err(errors) => {
            let mut ctx = Ctx::org(&s, &a, "people");
            ctx.errors = errors;
            let page = FormPage {
                ctx,
                f,
                categories: skills(),
                levels: levels(),
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

/// Hours given.
#[derive(Deserialize, Default)]
pub(super) struct HoursForm {
    #[serde(default)]
    hours: String,
    #[serde(default)]
    worked_on: String,
    #[serde(default)]
    request: String,
}

/// `POST /o/{org}/volunteers/{id}/hours`.
pub(super) async fn log_hours(
    State(state): State<AppState>,
    member: Member<HubCoordinator>,
    Path((slug, id)): Path<(String, String)>,
    Form(f): Form<HoursForm>,
) -> Result<Response, PageError> {
    let id = number(&id)?;
    let a = &member.a;
    let mut errors = match rules::check_hours(&f.hours, &f.worked_on, today()) {
        Ok((day, minutes)) => {
            let request = bulwark_store::parse_reference(&f.request);
            let exists = match request {
                Some(n) => state
                    .store()
                    .help_request_summary(a.org.id, n)
                    .await?
                    .is_some(),
                None => true,
            };
            if exists && (request.is_some() || f.request.trim().is_empty()) {
                state
                    .store()
                    .log_volunteer_hours(a.org.id, id, day, minutes, request, &member.s.actor())
                    .await?;
                return Ok(
                    Redirect::to(&format!("/o/{slug}/volunteers?done=hours")).into_response()
                );
            }
            vec![FieldError::new(
                "request",
                "Enter a request reference, like HR-0007, or leave it empty",
            )]
        }
        Err(errors) => errors,
    };
    for e in &mut errors {
        e.message = format!("Volunteer {id}: {}", e.message);
        e.field = format!("{}-{id}", e.field);
    }
    list_page(&state, &member, None, errors).await
}

/// Availability.
#[derive(Deserialize, Default)]
pub(super) struct AvailabilityForm {
    #[serde(default)]
    available: String,
    #[serde(default)]
    availability: String,
}

/// `POST /o/{org}/volunteers/{id}/availability`.
pub(super) async fn set_availability(
    State(state): State<AppState>,
    member: Member<HubCoordinator>,
    Path((slug, id)): Path<(String, String)>,
    Form(f): Form<AvailabilityForm>,
) -> Result<Response, PageError> {
    let id = number(&id)?;
    let text = f.availability.trim();
    let field = format!("availability-{id}");
    if let Some(mut e) = check_all(&[(&field, "When they are free", text, SHORT, false)]).pop() {
        e.message = format!("Volunteer {id}: {}", e.message);
        return list_page(&state, &member, None, vec![e]).await;
    }
    let (s, a) = (&member.s, &member.a);
    state
        .store()
        .set_volunteer_availability(a.org.id, id, f.available == "yes", text, &s.actor())
        .await?;
    Ok(Redirect::to(&format!("/o/{slug}/volunteers?done=availability")).into_response())
}
