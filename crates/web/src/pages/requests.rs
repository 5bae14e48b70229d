//! Requests for help, as a hub uses them: the list with how quickly people are first
//! contacted (every member: it holds no personal data), the phone handler's form (editors and
//! above), and a request's page with the requester's details, its timeline, possible
//! duplicates and the volunteers who could take it (hub coordinators and administrators, after
//! saying why: every read is audited with that purpose).

use super::{Ctx, FieldError, form_status};
use crate::access::{Editor, HubCoordinator, Member, Viewer};
use crate::error::{PageError, WebError};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::{Form, Query};
use bulwark_rules::exercises::today;
use bulwark_rules::people::check_purpose;
use bulwark_rules::requests::{
    self as rules, ContactFigures, RequestDraft, contact_figures, duration_words,
};
use bulwark_store::{
    Category, Channel, Duplicate, HelpRequest, RequestStatus, RequestSummary, Urgency,
    VolunteerMatch, reference,
};
use serde::Deserialize;

pub(super) fn number(s: &str) -> Result<i64, PageError> {
    s.parse().map_err(|_| PageError(WebError::NotFound))
}

/// The categories as forms offer them: (word, label).
pub(super) fn categories() -> Vec<(&'static str, &'static str)> {
    Category::ALL
        .iter()
        .map(|c| (c.as_str(), c.label()))
        .collect()
}

/// The urgencies as forms offer them: (word, label, definition).
pub(super) fn urgencies() -> Vec<(&'static str, &'static str, &'static str)> {
    Urgency::ALL
        .iter()
        .map(|u| (u.as_str(), u.label(), u.definition()))
        .collect()
}

/// What the phone handler's and the public form submit.
#[derive(Deserialize, Default)]
pub(super) struct RequestForm {
    #[serde(default)]
    pub(super) name: String,
    #[serde(default)]
    pub(super) address: String,
    #[serde(default)]
    pub(super) postcode: String,
    #[serde(default)]
    pub(super) phone: String,
    #[serde(default)]
    pub(super) details: String,
    #[serde(default)]
    pub(super) category: String,
    #[serde(default)]
    pub(super) urgency: String,
    #[serde(default)]
    pub(super) incident: String,
    /// Left empty by people; filled in by robots that fill in every field.
    #[serde(default)]
    pub(super) website: String,
}

impl RequestForm {
    pub(super) fn draft(&self) -> RequestDraft {
        RequestDraft {
            name: self.name.clone(),
            address: self.address.clone(),
            postcode: self.postcode.clone(),
            phone: self.phone.clone(),
            details: self.details.clone(),
            category: self.category.clone(),
            urgency: self.urgency.clone(),
            incident: self.incident.clone(),
        }
    }
}

/// The request just taken, for the notice.
#[derive(Deserialize, Default)]
pub(super) struct Done {
    taken: Option<i64>,
}

/// The words for what a duplicate shares.
fn same_words(d: &Duplicate) -> String {
    let words: Vec<&str> = d
        .same
        .iter()
        .map(|s| match *s {
            "person" => "same name and postcode",
            "address" => "same address",
            _ => "same phone number",
        })
        .collect();
    words.join(", ")
}

#[derive(Template, WebTemplate)]
#[template(path = "requests.html")]
struct ListPage {
    ctx: Ctx,
    requests: Vec<RequestSummary>,
    figures: ContactFigures,
    median: Option<String>,
    coordinator: bool,
}

impl ListPage {
    fn open(&self) -> Vec<&RequestSummary> {
        self.requests
            .iter()
            .filter(|r| !r.status.is_closed())
            .collect()
    }

    fn closed(&self) -> Vec<&RequestSummary> {
        self.requests
            .iter()
            .filter(|r| r.status.is_closed())
            .collect()
    }
}

/// `GET /o/{org}/requests`: every request (no personal data), with the first-contact figures.
pub(super) async fn list(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Viewer>,
    Query(q): Query<Done>,
) -> Result<Response, PageError> {
    let requests = state.store().help_requests(a.org.id).await?;
    let figures = contact_figures(&requests, bulwark_store::now());
    let mut ctx = Ctx::org(&s, &a, "people");
    if let Some(n) = q.taken {
        let dups = state.store().request_duplicates(a.org.id, n).await?;
        let mut text = format!("Request {} taken", reference(n));
        if let Some(d) = dups.first() {
            text.push_str(&format!(
                ". It may be the same as {} ({}): a hub coordinator will check",
                d.reference,
                same_words(d)
            ));
        }
        ctx.notice = Some(text);
    }
    let page = ListPage {
        ctx,
        median: figures.median_seconds.map(duration_words),
        figures,
        requests,
        coordinator: a.is_hub_coordinator(),
    };
    Ok(page.into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "request_form.html")]
struct FormPage {
    ctx: Ctx,
    f: RequestForm,
    categories: Vec<(&'static str, &'static str)>,
    urgencies: Vec<(&'static str, &'static str, &'static str)>,
}

/// `GET /o/{org}/requests/new`: the phone handler's form.
pub(super) async fn new_form(Member { s, a, .. }: Member<Editor>) -> Result<Response, PageError> {
    Ok(FormPage {
        ctx: Ctx::org(&s, &a, "people"),
        f: RequestForm::default(),
        categories: categories(),
        urgencies: urgencies(),
    }
    .into_response())
}

/// `POST /o/{org}/requests/new`.
pub(super) async fn create(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Editor>,
    Path(slug): Path<String>,
    Form(f): Form<RequestForm>,
) -> Result<Response, PageError> {
    let keys = state.people_keys()?;
    match rules::check_request(&f.draft(), Channel::Phone, today()) {
        Ok(request) => {
            let (n, _) = state
                .store()
                .create_help_request(a.org.id, &request, keys, &s.actor())
                .await?;
            Ok(Redirect::to(&format!("/o/{slug}/requests?taken={n}")).into_response())
        }
        Err(errors) => {
            let mut ctx = Ctx::org(&s, &a, "people");
            ctx.errors = errors;
            let page = FormPage {
                ctx,
                f,
                categories: categories(),
                urgencies: urgencies(),
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

/// Why the request is opened, and a notice after a change.
#[derive(Deserialize, Default)]
pub(super) struct Why {
    purpose: Option<String>,
    done: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "request.html")]
struct RequestPage {
    ctx: Ctx,
    id: i64,
    purpose: String,
    request: Option<HelpRequest>,
    matches: Vec<VolunteerMatch>,
    statuses: Vec<(&'static str, &'static str)>,
}

impl RequestPage {
    fn same(&self, d: &Duplicate) -> String {
        same_words(d)
    }
}

/// The request page of `id` for `purpose` (asks for it when empty), with `errors`.
async fn request_page(
    state: &AppState,
    member: &Member<HubCoordinator>,
    id: i64,
    given: String,
    done: Option<&str>,
    errors: Vec<FieldError>,
) -> Result<Response, PageError> {
    let (s, a) = (&member.s, &member.a);
    let keys = state.people_keys()?;
    let mut ctx = Ctx::org(s, a, "people");
    ctx.errors = errors;
    ctx.notice = match done {
        Some("assigned") => Some("Request assigned".to_string()),
        Some("updated") => Some("Request updated".to_string()),
        _ => None,
    };
    let mut request = None;
    let mut matches = Vec::new();
    if !given.is_empty() {
        match check_purpose(&given) {
            Err(e) => ctx.errors.push(e),
            Ok(purpose) => {
                let r = state
                    .store()
                    .read_help_request(a.org.id, id, &purpose, keys, &s.actor())
                    .await?;
                if !r.summary.status.is_closed() {
                    matches = state
                        .store()
                        .volunteer_matches(a.org.id, id, &purpose, keys, &s.actor())
                        .await?;
                }
                request = Some(r);
            }
        }
    }
    let statuses = RequestStatus::ALL
        .iter()
        .filter(|s| **s != RequestStatus::New)
        .map(|s| (s.as_str(), s.label()))
        .collect();
    let status = form_status(&ctx.errors);
    let page = RequestPage {
        ctx,
        id,
        purpose: given,
        request,
        matches,
        statuses,
    };
    Ok((status, page).into_response())
}

/// `GET /o/{org}/requests/{id}`: asks why, then shows the request (and records the read).
pub(super) async fn show(
    State(state): State<AppState>,
    member: Member<HubCoordinator>,
    Path((_slug, id)): Path<(String, String)>,
    Query(q): Query<Why>,
) -> Result<Response, PageError> {
    let id = number(&id)?;
    let given = q.purpose.unwrap_or_default();
    request_page(&state, &member, id, given, q.done.as_deref(), Vec::new()).await
}

/// The assignment form.
#[derive(Deserialize, Default)]
pub(super) struct AssignForm {
    #[serde(default)]
    purpose: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    volunteer: String,
    #[serde(default)]
    partner: String,
    #[serde(default)]
    team: String,
    #[serde(default, rename = "assign-note")]
    note: String,
}

/// The address of request `id`'s page for `purpose`, with a notice.
fn back(slug: &str, id: i64, purpose: &str, done: &str) -> String {
    let query: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("purpose", purpose)
        .append_pair("done", done)
        .finish();
    format!("/o/{slug}/requests/{id}?{query}")
}

/// `POST /o/{org}/requests/{id}/assign`: to a volunteer, a partner or a council team.
pub(super) async fn assign(
    State(state): State<AppState>,
    member: Member<HubCoordinator>,
    Path((slug, id)): Path<(String, String)>,
    Form(f): Form<AssignForm>,
) -> Result<Response, PageError> {
    let id = number(&id)?;
    let keys = state.people_keys()?;
    let (s, a) = (&member.s, &member.a);
    let purpose = check_purpose(&f.purpose).unwrap_or_else(|_| "assigning a request".into());
    let volunteers = state.store().volunteer_numbers(a.org.id).await?;
    let name = if f.kind == "partner" {
        &f.partner
    } else {
        &f.team
    };
    let note = Some(f.note.trim()).filter(|n| !n.is_empty());
    match rules::check_assignment(&f.kind, f.volunteer.parse().ok(), name, &volunteers) {
        Ok(to) => {
            state
                .store()
                .assign_help_request(a.org.id, id, &to, note, keys, &s.actor())
                .await?;
            Ok(Redirect::to(&back(&slug, id, &purpose, "assigned")).into_response())
        }
        Err(e) => request_page(&state, &member, id, purpose, None, vec![e]).await,
    }
}

/// The status form.
#[derive(Deserialize, Default)]
pub(super) struct StatusForm {
    #[serde(default)]
    purpose: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    note: String,
}

/// `POST /o/{org}/requests/{id}/status`: a new status, a note, or both.
pub(super) async fn update(
    State(state): State<AppState>,
    member: Member<HubCoordinator>,
    Path((slug, id)): Path<(String, String)>,
    Form(f): Form<StatusForm>,
) -> Result<Response, PageError> {
    let id = number(&id)?;
    let keys = state.people_keys()?;
    let (s, a) = (&member.s, &member.a);
    let purpose = check_purpose(&f.purpose).unwrap_or_else(|_| "updating a request".into());
    let current = state
        .store()
        .help_request_summary(a.org.id, id)
        .await?
        .ok_or(WebError::NotFound)?;
    match rules::check_status(current.status, &f.status, &f.note) {
        Ok((status, note)) => {
            state
                .store()
                .update_help_request(a.org.id, id, status, note.as_deref(), keys, &s.actor())
                .await?;
            Ok(Redirect::to(&back(&slug, id, &purpose, "updated")).into_response())
        }
        Err(errors) => request_page(&state, &member, id, purpose, None, errors).await,
    }
}
