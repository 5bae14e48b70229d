//! Public warnings: draft one from a template, change the draft, have a colleague approve
//! it, then update or cancel it (each a new message a colleague approves too); the warning's
//! page with the plain-language check, its SMS and social media text and its history; the
//! organisation's warning settings. And what the public sees, with no sign-in: the page of
//! each issued warning, its CAP 1.2 XML, and the Atom feed of warnings in force.

use super::{Ctx, FieldError};
use crate::access::{Admin, Editor, Member, OrgAccess, Viewer};
use crate::auth::SignedIn;
use crate::cap::{self, Public};
use crate::error::{PageError, WebError};
use crate::labels::Label;
use crate::models::org_model;
use crate::state::AppState;
use crate::warnings::{Derived, base_url, check_sender, derived, sender};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::{Form, Query};
use bulwark_rules::warnings::{
    self as rules, CATEGORIES, CERTAINTIES, SEVERITIES, URGENCIES, WarningDraft,
};
use bulwark_store::{MessageType, Warning, WarningSettings, WarningStatus};
use serde::Deserialize;
use std::collections::HashMap;

/// A confirmation shown after a change, chosen by key so no submitted text is reflected.
#[derive(Deserialize, Default)]
pub(super) struct Done {
    done: Option<String>,
    template: Option<String>,
}

impl Done {
    fn notice(&self) -> Option<String> {
        let text = match self.done.as_deref()? {
            "drafted" => {
                "Draft saved. Another editor or administrator must now approve it before it is published."
            }
            "saved" => "Draft changed",
            "issued" => "Approved and published",
            "settings" => "Warning settings saved",
            "template" => "Template saved: new warnings from it use your wording",
            _ => return None,
        };
        Some(text.to_string())
    }
}

fn number(s: &str) -> Result<i64, PageError> {
    s.parse().map_err(|_| PageError(WebError::NotFound))
}

async fn find(state: &AppState, org: i64, id: &str) -> Result<Warning, PageError> {
    Ok(state
        .store()
        .warning(org, number(id)?)
        .await?
        .ok_or(WebError::NotFound)?)
}

/// The English headline of a warning.
fn headline(w: &Warning) -> String {
    w.details
        .infos
        .first()
        .map(|i| i.headline.clone())
        .unwrap_or_default()
}

// ----- list -----

/// A warning in the list.
pub struct Row {
    number: i64,
    headline: String,
    kind: &'static str,
    status: WarningStatus,
    when: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "warnings.html")]
struct ListPage {
    ctx: Ctx,
    rows: Vec<Row>,
    feed: String,
    public: String,
}

/// `GET /o/{org}/warnings`.
pub(super) async fn list(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Viewer>,
    Query(done): Query<Done>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let list = state.store().warnings(a.org.id, false, None).await?;
    let rows = list
        .iter()
        .map(|w| Row {
            number: w.number,
            headline: headline(w),
            kind: w.msg_type.label(),
            status: w.status,
            when: rules::time_label(w.sent_at.unwrap_or(w.created_at)),
        })
        .collect();
    let base = base_url(&headers, &state);
    let public = Public {
        base: &base,
        slug: &a.org.slug,
        name: &a.org.name,
    };
    let mut ctx = Ctx::org(&s, &a, "warnings");
    ctx.notice = done.notice();
    Ok(ListPage {
        ctx,
        rows,
        feed: public.feed(),
        public: public.index(),
    }
    .into_response())
}

// ----- the form -----

/// The warning form's values, as typed.
#[derive(Default, Clone)]
pub struct Values {
    event: String,
    category: String,
    urgency: String,
    severity: String,
    certainty: String,
    headline: String,
    description: String,
    instruction: String,
    cy_headline: String,
    cy_description: String,
    cy_instruction: String,
    area: String,
    polygon: String,
    circle: String,
    geocodes: String,
    web: String,
    contact: String,
    incident: String,
    services: String,
    onset: (String, String, String, String),
    expires: (String, String, String, String),
}

impl Values {
    fn from_form(form: &HashMap<String, String>) -> Values {
        let get = |k: &str| form.get(k).cloned().unwrap_or_default();
        let time = |p: &str| {
            (
                get(&format!("{p}_day")),
                get(&format!("{p}_month")),
                get(&format!("{p}_year")),
                get(&format!("{p}-time")),
            )
        };
        Values {
            event: get("event"),
            category: get("category"),
            urgency: get("urgency"),
            severity: get("severity"),
            certainty: get("certainty"),
            headline: get("headline"),
            description: get("description"),
            instruction: get("instruction"),
            cy_headline: get("cy-headline"),
            cy_description: get("cy-description"),
            cy_instruction: get("cy-instruction"),
            area: get("area"),
            polygon: get("polygon"),
            circle: get("circle"),
            geocodes: get("geocodes"),
            web: get("web"),
            contact: get("contact"),
            incident: get("incident"),
            services: get("services"),
            onset: time("onset"),
            expires: time("expires"),
        }
    }

    fn from_draft(d: &WarningDraft) -> Values {
        let time = |t: &Result<Option<i64>, String>| rules::time_parts(t.clone().ok().flatten());
        Values {
            event: d.event.clone(),
            category: d.category.clone(),
            urgency: d.urgency.clone(),
            severity: d.severity.clone(),
            certainty: d.certainty.clone(),
            headline: d.headline.clone(),
            description: d.description.clone(),
            instruction: d.instruction.clone(),
            cy_headline: d.cy_headline.clone(),
            cy_description: d.cy_description.clone(),
            cy_instruction: d.cy_instruction.clone(),
            area: d.area.clone(),
            polygon: d.polygon.clone(),
            circle: d.circle.clone(),
            geocodes: d.geocodes.clone(),
            web: d.web.clone(),
            contact: d.contact.clone(),
            incident: d.incident.clone(),
            services: d.services.join("\n"),
            onset: time(&d.onset),
            expires: time(&d.expires),
        }
    }

    fn from_template(t: &rules::Template) -> Values {
        Values {
            event: t.event.clone(),
            category: t.category.clone(),
            urgency: t.urgency.clone(),
            severity: t.severity.clone(),
            certainty: t.certainty.clone(),
            headline: t.headline.clone(),
            description: t.description.clone(),
            instruction: t.instruction.clone(),
            area: "{area}".into(),
            ..Values::default()
        }
    }

    /// The values with the placeholders filled in.
    fn filled(&self, values: &[(String, String)]) -> Values {
        let fill = |t: &str| rules::fill_placeholders(t, values);
        Values {
            headline: fill(&self.headline),
            description: fill(&self.description),
            instruction: fill(&self.instruction),
            cy_headline: fill(&self.cy_headline),
            cy_description: fill(&self.cy_description),
            cy_instruction: fill(&self.cy_instruction),
            area: fill(&self.area),
            ..self.clone()
        }
    }

    fn draft(&self) -> WarningDraft {
        let time =
            |(d, m, y, t): &(String, String, String, String)| rules::time_from_parts(d, m, y, t);
        WarningDraft {
            event: self.event.clone(),
            category: self.category.clone(),
            urgency: self.urgency.clone(),
            severity: self.severity.clone(),
            certainty: self.certainty.clone(),
            headline: self.headline.clone(),
            description: self.description.clone(),
            instruction: self.instruction.clone(),
            cy_headline: self.cy_headline.clone(),
            cy_description: self.cy_description.clone(),
            cy_instruction: self.cy_instruction.clone(),
            area: self.area.clone(),
            polygon: self.polygon.clone(),
            circle: self.circle.clone(),
            geocodes: self.geocodes.clone(),
            web: self.web.clone(),
            contact: self.contact.clone(),
            note: String::new(),
            effective: Ok(None),
            onset: time(&self.onset),
            expires: time(&self.expires),
            incident: self.incident.clone(),
            services: self
                .services
                .split([',', '\n'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect(),
        }
    }
}

/// A choice in a select: (value, label).
type Choices = &'static [(&'static str, &'static str)];

#[derive(Template, WebTemplate)]
#[template(path = "warning_form.html")]
struct FormPage {
    ctx: Ctx,
    heading: String,
    caption: String,
    action: String,
    submit: &'static str,
    f: Values,
    template: String,
    placeholders: Vec<(String, String)>,
    welsh: bool,
    selects: Vec<(&'static str, &'static str, Choices, String)>,
}

fn form_page(
    ctx: Ctx,
    heading: String,
    action: String,
    f: Values,
    template: String,
    placeholders: Vec<(String, String)>,
    welsh: bool,
) -> Response {
    let status = super::form_status(&ctx.errors);
    let welsh = welsh
        || !(f.cy_headline.is_empty()
            && f.cy_description.is_empty()
            && f.cy_instruction.is_empty());
    let selects = vec![
        ("category", "Category", &CATEGORIES[..], f.category.clone()),
        ("urgency", "Urgency", &URGENCIES[..], f.urgency.clone()),
        ("severity", "Severity", &SEVERITIES[..], f.severity.clone()),
        (
            "certainty",
            "Certainty",
            &CERTAINTIES[..],
            f.certainty.clone(),
        ),
    ];
    let (caption, submit) = if action.ends_with("/update") {
        ("Update a warning", "Save the update as a draft")
    } else if action.ends_with("/edit") {
        ("Change a draft", "Save the draft")
    } else {
        ("Draft a warning", "Save the draft")
    };
    let page = FormPage {
        ctx,
        heading,
        caption: caption.into(),
        action,
        submit,
        f,
        template,
        placeholders,
        welsh,
        selects,
    };
    (status, page).into_response()
}

#[derive(Template, WebTemplate)]
#[template(path = "warning_new.html")]
struct ChoosePage {
    ctx: Ctx,
    templates: Vec<rules::Template>,
}

/// `GET /o/{org}/warnings/new`: choose a template, then fill in the form.
pub(super) async fn new_form(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Editor>,
    Path(slug): Path<String>,
    Query(q): Query<Done>,
) -> Result<Response, PageError> {
    let templates = rules::templates(&state.store().warning_templates(a.org.id).await?);
    let mut ctx = Ctx::org(&s, &a, "warnings");
    ctx.notice = q.notice();
    let Some(key) = q.template else {
        return Ok(ChoosePage { ctx, templates }.into_response());
    };
    let settings = state.store().warning_settings(a.org.id).await?;
    let (f, heading, placeholders) = match templates.iter().find(|t| t.key == key) {
        Some(t) => {
            let mut names = t.placeholders();
            if !names.contains(&"area".to_string()) {
                names.insert(0, "area".into());
            }
            let ph = names.into_iter().map(|n| (n, String::new())).collect();
            (Values::from_template(t), t.name.clone(), ph)
        }
        None => (
            Values {
                category: "Safety".into(),
                ..Values::default()
            },
            "New warning".to_string(),
            Vec::new(),
        ),
    };
    Ok(form_page(
        ctx,
        heading,
        format!("/o/{slug}/warnings/new"),
        f,
        key,
        placeholders,
        settings.publish_welsh,
    ))
}

/// The placeholder values a form carries (`ph-NAME` fields), in a stable order.
fn placeholder_values(form: &HashMap<String, String>) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = form
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("ph-")?.to_string(), v.clone())))
        .collect();
    v.sort();
    v
}

/// Checks a submitted form: the values with placeholders filled, and the result.
async fn check(
    state: &AppState,
    a: &OrgAccess,
    form: &HashMap<String, String>,
) -> Result<
    (
        Values,
        Vec<(String, String)>,
        Result<bulwark_store::WarningDetails, Vec<FieldError>>,
    ),
    PageError,
> {
    let m = org_model(state, &a.org).await?;
    let placeholders = placeholder_values(form);
    let f = Values::from_form(form).filled(&placeholders);
    let result = rules::check_warning(&f.draft(), &m.loaded.model, false);
    Ok((f, placeholders, result))
}

fn org_ctx(s: &SignedIn, a: &OrgAccess, errors: Vec<FieldError>) -> Ctx {
    let mut ctx = Ctx::org(s, a, "warnings");
    ctx.errors = errors;
    ctx
}

/// `POST /o/{org}/warnings/new`.
pub(super) async fn create(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Editor>,
    Path(slug): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let (f, placeholders, result) = check(&state, &a, &form).await?;
    match result {
        Ok(details) => {
            let n = state
                .store()
                .create_warning(
                    a.org.id,
                    &a.org.slug,
                    MessageType::Alert,
                    None,
                    &details,
                    &s.actor(),
                )
                .await?;
            Ok(Redirect::to(&format!("/o/{slug}/warnings/{n}?done=drafted")).into_response())
        }
        Err(errors) => {
            let settings = state.store().warning_settings(a.org.id).await?;
            Ok(form_page(
                org_ctx(&s, &a, errors),
                "New warning".into(),
                format!("/o/{slug}/warnings/new"),
                f,
                form.get("template").cloned().unwrap_or_default(),
                placeholders,
                settings.publish_welsh,
            ))
        }
    }
}

/// `GET /o/{org}/warnings/{id}/edit` (drafts) and `GET /o/{org}/warnings/{id}/update`
/// (issued warnings in force).
async fn prefilled(
    state: &AppState,
    s: &SignedIn,
    a: &OrgAccess,
    slug: &str,
    id: &str,
    what: &str,
) -> Result<Response, PageError> {
    let w = find(state, a.org.id, id).await?;
    let wanted = if what == "edit" {
        WarningStatus::Draft
    } else {
        WarningStatus::Issued
    };
    if w.status != wanted || (what == "update" && w.msg_type == MessageType::Cancel) {
        return Err(PageError(WebError::Conflict(if what == "edit" {
            "this warning has been issued, so it can no longer be changed: issue an update instead"
                .into()
        } else {
            "only a warning in force can be updated".into()
        })));
    }
    let settings = state.store().warning_settings(a.org.id).await?;
    let heading = if what == "edit" {
        format!("Change draft {}", w.number)
    } else {
        format!("Update warning {}", w.number)
    };
    Ok(form_page(
        Ctx::org(s, a, "warnings"),
        heading,
        format!("/o/{slug}/warnings/{}/{what}", w.number),
        Values::from_draft(&rules::draft_of(&w.details)),
        String::new(),
        Vec::new(),
        settings.publish_welsh,
    ))
}

/// `GET /o/{org}/warnings/{id}/edit`.
pub(super) async fn edit_form(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Editor>,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    prefilled(&state, &s, &a, &slug, &id, "edit").await
}

/// `GET /o/{org}/warnings/{id}/update`.
pub(super) async fn update_form(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Editor>,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    prefilled(&state, &s, &a, &slug, &id, "update").await
}

/// `POST /o/{org}/warnings/{id}/edit`.
pub(super) async fn edit(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Editor>,
    Path((slug, id)): Path<(String, String)>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let w = find(&state, a.org.id, &id).await?;
    let (f, placeholders, result) = check(&state, &a, &form).await?;
    match result {
        Ok(mut details) => {
            details.note = w.details.note;
            state
                .store()
                .update_warning(a.org.id, w.number, &details, &s.actor())
                .await?;
            Ok(
                Redirect::to(&format!("/o/{slug}/warnings/{}?done=saved", w.number))
                    .into_response(),
            )
        }
        Err(errors) => {
            let settings = state.store().warning_settings(a.org.id).await?;
            Ok(form_page(
                org_ctx(&s, &a, errors),
                format!("Change draft {}", w.number),
                format!("/o/{slug}/warnings/{}/edit", w.number),
                f,
                String::new(),
                placeholders,
                settings.publish_welsh,
            ))
        }
    }
}

/// `POST /o/{org}/warnings/{id}/update`: drafts an update of an issued warning.
pub(super) async fn update(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Editor>,
    Path((slug, id)): Path<(String, String)>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let w = find(&state, a.org.id, &id).await?;
    let (f, placeholders, result) = check(&state, &a, &form).await?;
    match result {
        Ok(details) => {
            let n = state
                .store()
                .create_warning(
                    a.org.id,
                    &a.org.slug,
                    MessageType::Update,
                    Some(w.number),
                    &details,
                    &s.actor(),
                )
                .await?;
            Ok(Redirect::to(&format!("/o/{slug}/warnings/{n}?done=drafted")).into_response())
        }
        Err(errors) => {
            let settings = state.store().warning_settings(a.org.id).await?;
            Ok(form_page(
                org_ctx(&s, &a, errors),
                format!("Update warning {}", w.number),
                format!("/o/{slug}/warnings/{}/update", w.number),
                f,
                String::new(),
                placeholders,
                settings.publish_welsh,
            ))
        }
    }
}

// ----- cancelling -----

#[derive(Template, WebTemplate)]
#[template(path = "warning_cancel.html")]
struct CancelPage {
    ctx: Ctx,
    w: Warning,
    headline: String,
    reason: String,
}

/// The reason for a cancellation.
#[derive(Deserialize, Default)]
pub(super) struct CancelForm {
    #[serde(default)]
    note: String,
}

/// `GET /o/{org}/warnings/{id}/cancel`.
pub(super) async fn cancel_form(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Editor>,
    Path((_slug, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let w = find(&state, a.org.id, &id).await?;
    if w.status != WarningStatus::Issued || w.msg_type == MessageType::Cancel {
        return Err(PageError(WebError::Conflict(
            "only a warning in force can be cancelled".into(),
        )));
    }
    Ok(CancelPage {
        ctx: Ctx::org(&s, &a, "warnings"),
        headline: headline(&w),
        w,
        reason: String::new(),
    }
    .into_response())
}

/// `POST /o/{org}/warnings/{id}/cancel`: drafts the cancellation.
pub(super) async fn cancel(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Editor>,
    Path((slug, id)): Path<(String, String)>,
    Form(f): Form<CancelForm>,
) -> Result<Response, PageError> {
    let w = find(&state, a.org.id, &id).await?;
    match rules::cancellation(&w.details, &f.note) {
        Ok(details) => {
            let n = state
                .store()
                .create_warning(
                    a.org.id,
                    &a.org.slug,
                    MessageType::Cancel,
                    Some(w.number),
                    &details,
                    &s.actor(),
                )
                .await?;
            Ok(Redirect::to(&format!("/o/{slug}/warnings/{n}?done=drafted")).into_response())
        }
        Err(errors) => {
            let page = CancelPage {
                ctx: org_ctx(&s, &a, errors),
                headline: headline(&w),
                w,
                reason: f.note,
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

// ----- one warning, and approving it -----

#[derive(Template, WebTemplate)]
#[template(path = "warning.html")]
struct ShowPage {
    ctx: Ctx,
    w: Warning,
    d: Derived,
    headline: String,
    /// The caller wrote or last changed it, so may not approve it.
    own: bool,
    /// The warning that replaced or cancelled it, if any.
    followed_by: Option<i64>,
    services: Vec<String>,
    times: Vec<(&'static str, String)>,
    welsh_missing: bool,
}

async fn show_page(
    state: &AppState,
    s: &SignedIn,
    a: &OrgAccess,
    w: Warning,
    headers: &HeaderMap,
    ctx: Ctx,
) -> Result<ShowPage, PageError> {
    let d = derived(state, &a.org, &w, &base_url(headers, state)).await?;
    let thread = state
        .store()
        .warnings(a.org.id, true, Some(w.thread))
        .await?;
    let followed_by = thread
        .iter()
        .find(|m| m.references == Some(w.number))
        .map(|m| m.number);
    let m = org_model(state, &a.org).await?;
    let services = w
        .details
        .services
        .iter()
        .map(|id| {
            let (name, known) = bulwark_rules::exercises::service_label(&m.loaded.model, id);
            if known {
                name
            } else {
                format!("{id} (no longer in the model)")
            }
        })
        .collect();
    let mut times = Vec::new();
    if let Some(t) = w.sent_at {
        times.push(("Issued", rules::time_label(t)));
    }
    for (label, t) in [
        ("Takes effect", w.details.effective_at),
        ("Begins", w.details.onset_at),
        ("Expires", w.details.expires_at),
    ] {
        if let Some(t) = t {
            times.push((label, rules::time_label(t)));
        }
    }
    let settings = state.store().warning_settings(a.org.id).await?;
    let welsh_missing =
        settings.publish_welsh && !w.details.infos.iter().any(|i| i.language == "cy");
    let me = Some(s.user.id);
    Ok(ShowPage {
        ctx,
        headline: headline(&w),
        own: w.author_id == me || w.edited_by_id == me,
        followed_by,
        services,
        times,
        welsh_missing,
        d,
        w,
    })
}

/// `GET /o/{org}/warnings/{id}`.
pub(super) async fn show(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Viewer>,
    Path((_slug, id)): Path<(String, String)>,
    Query(done): Query<Done>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let w = find(&state, a.org.id, &id).await?;
    let mut ctx = Ctx::org(&s, &a, "warnings");
    ctx.notice = done.notice();
    Ok(show_page(&state, &s, &a, w, &headers, ctx)
        .await?
        .into_response())
}

/// The approval form: the draft's revision the approver read.
#[derive(Deserialize, Default)]
pub(super) struct ApproveForm {
    #[serde(default)]
    revision: Option<i64>,
}

/// `POST /o/{org}/warnings/{id}/approve`.
pub(super) async fn approve(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Editor>,
    Path((slug, id)): Path<(String, String)>,
    headers: HeaderMap,
    Form(f): Form<ApproveForm>,
) -> Result<Response, PageError> {
    let w = find(&state, a.org.id, &id).await?;
    let n = w.number;
    let refused = |status: StatusCode, message: String| (status, message);
    let problem = match crate::warnings::approve(&state, &a.org, n, f.revision, s.user.id, &s.actor()).await {
        Ok(()) => return Ok(Redirect::to(&format!("/o/{slug}/warnings/{n}?done=issued")).into_response()),
        Err(WebError::Forbidden) => refused(
            StatusCode::FORBIDDEN,
            "You wrote or last changed this warning, so another editor or administrator must approve it".into(),
        ),
        Err(WebError::Invalid(p)) => refused(StatusCode::UNPROCESSABLE_ENTITY, super::sentence(&p.join("; "))),
        Err(WebError::Conflict(m)) => refused(StatusCode::CONFLICT, super::sentence(&m)),
        Err(other) => return Err(PageError(other)),
    };
    let w = find(&state, a.org.id, &id).await?;
    let ctx = org_ctx(&s, &a, vec![FieldError::new("approve", problem.1)]);
    Ok((
        problem.0,
        show_page(&state, &s, &a, w, &headers, ctx).await?,
    )
        .into_response())
}

// ----- templates -----

#[derive(Template, WebTemplate)]
#[template(path = "warning_template.html")]
struct TemplatePage {
    ctx: Ctx,
    t: rules::Template,
    selects: Vec<(&'static str, &'static str, Choices, String)>,
}

fn template_page(ctx: Ctx, t: rules::Template) -> Response {
    let status = super::form_status(&ctx.errors);
    let selects = vec![
        ("category", "Category", &CATEGORIES[..], t.category.clone()),
        ("urgency", "Urgency", &URGENCIES[..], t.urgency.clone()),
        ("severity", "Severity", &SEVERITIES[..], t.severity.clone()),
        (
            "certainty",
            "Certainty",
            &CERTAINTIES[..],
            t.certainty.clone(),
        ),
    ];
    (status, TemplatePage { ctx, t, selects }).into_response()
}

async fn find_template(
    state: &AppState,
    org: i64,
    key: &str,
) -> Result<rules::Template, PageError> {
    let all = rules::templates(&state.store().warning_templates(org).await?);
    Ok(all
        .into_iter()
        .find(|t| t.key == key)
        .ok_or(WebError::NotFound)?)
}

/// `GET /o/{org}/warnings/templates/{key}`: change one of the organisation's templates.
pub(super) async fn template_form(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Editor>,
    Path((_slug, key)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let t = find_template(&state, a.org.id, &key).await?;
    Ok(template_page(Ctx::org(&s, &a, "warnings"), t))
}

/// `POST /o/{org}/warnings/templates/{key}`.
pub(super) async fn save_template(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Editor>,
    Path((slug, key)): Path<(String, String)>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let t = find_template(&state, a.org.id, &key).await?;
    let get = |k: &str| {
        form.get(k)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let changed = rules::Template {
        key: t.key,
        name: get("name"),
        event: get("event"),
        category: get("category"),
        urgency: get("urgency"),
        severity: get("severity"),
        certainty: get("certainty"),
        headline: get("headline"),
        description: get("description").replace("\r\n", "\n"),
        instruction: get("instruction").replace("\r\n", "\n"),
    };
    let errors = rules::check_template(&changed);
    if !errors.is_empty() {
        return Ok(template_page(org_ctx(&s, &a, errors), changed));
    }
    let body = serde_json::to_string(&changed).map_err(|e| WebError::Internal(e.to_string()))?;
    state
        .store()
        .set_warning_template(a.org.id, &changed.key, &body, &s.actor())
        .await?;
    Ok(Redirect::to(&format!("/o/{slug}/warnings/new?done=template")).into_response())
}

// ----- settings -----

#[derive(Template, WebTemplate)]
#[template(path = "warning_settings.html")]
struct SettingsPage {
    ctx: Ctx,
    welsh: bool,
    sender: String,
    sender_hint: String,
}

/// `GET /o/{org}/warnings/settings`.
pub(super) async fn settings_form(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Admin>,
) -> Result<Response, PageError> {
    let settings = state.store().warning_settings(a.org.id).await?;
    Ok(SettingsPage {
        ctx: Ctx::org(&s, &a, "warnings"),
        welsh: settings.publish_welsh,
        sender_hint: sender_hint(&a.org),
        sender: settings.sender,
    }
    .into_response())
}

fn sender_hint(org: &bulwark_store::Organisation) -> String {
    format!(
        "Identifies your organisation to systems that read your alerts, like warnings@yourcouncil.gov.uk. Without one: {}",
        sender(&WarningSettings::default(), org)
    )
}

/// The settings form.
#[derive(Deserialize, Default)]
pub(super) struct SettingsForm {
    #[serde(default)]
    welsh: Option<String>,
    #[serde(default)]
    sender: String,
}

/// `POST /o/{org}/warnings/settings`.
pub(super) async fn save_settings(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Admin>,
    Path(slug): Path<String>,
    Form(f): Form<SettingsForm>,
) -> Result<Response, PageError> {
    let settings = WarningSettings {
        publish_welsh: f.welsh.is_some(),
        sender: f.sender.trim().to_string(),
    };
    if let Err(e) = check_sender(&settings.sender) {
        let page = SettingsPage {
            ctx: org_ctx(&s, &a, vec![FieldError::new("sender", e)]),
            welsh: settings.publish_welsh,
            sender_hint: sender_hint(&a.org),
            sender: f.sender,
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    state
        .store()
        .set_warning_settings(a.org.id, &settings, &s.actor())
        .await?;
    Ok(Redirect::to(&format!("/o/{slug}/warnings?done=settings")).into_response())
}

// ----- what the public sees -----

/// The organisation in a public address, or 404.
async fn public_org(
    state: &AppState,
    slug: &str,
) -> Result<bulwark_store::Organisation, PageError> {
    Ok(state
        .store()
        .org_by_slug(slug)
        .await?
        .ok_or(WebError::NotFound)?)
}

/// Public answers may be kept briefly by browsers and proxies.
const PUBLIC_CACHE: (header::HeaderName, &str) = (header::CACHE_CONTROL, "public, max-age=60");

#[derive(Template, WebTemplate)]
#[template(path = "public_warnings.html")]
struct PublicListPage {
    ctx: Ctx,
    org_name: String,
    slug: String,
    rows: Vec<(i64, String, String)>,
}

/// `GET /cap/{org}`: the warnings in force, for the public.
pub(super) async fn public_list(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    let org = public_org(&state, &slug).await?;
    let rows = in_force(&state, org.id)
        .await?
        .iter()
        .map(|w| {
            (
                w.number,
                cap::title(w),
                rules::time_label(w.sent_at.unwrap_or(w.created_at)),
            )
        })
        .collect();
    let page = PublicListPage {
        ctx: Ctx::default(),
        org_name: org.name,
        slug: org.slug,
        rows,
    };
    Ok(([PUBLIC_CACHE], page).into_response())
}

/// The issued messages in force: alerts and updates not replaced, cancelled or expired, and
/// the cancellations (so that readers of the feed learn of them), newest first.
async fn in_force(state: &AppState, org: i64) -> Result<Vec<Warning>, PageError> {
    let now = bulwark_store::now();
    Ok(state
        .store()
        .warnings(org, true, None)
        .await?
        .into_iter()
        .filter(|w| w.status == WarningStatus::Issued)
        .filter(|w| w.details.expires_at.is_none_or(|x| x > now))
        .collect())
}

#[derive(Template, WebTemplate)]
#[template(path = "public_warning.html")]
struct PublicPage {
    ctx: Ctx,
    org_name: String,
    slug: String,
    w: Warning,
    title: String,
    followed_by: Option<(i64, MessageType)>,
    times: Vec<(&'static str, String)>,
}

/// `GET /cap/{org}/alerts/{alert}`: `N` is warning N's public page, `N.xml` its CAP 1.2
/// XML. Only issued warnings: drafts and other organisations' numbers are 404.
pub(super) async fn public_alert(
    State(state): State<AppState>,
    Path((slug, alert)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let org = public_org(&state, &slug).await?;
    let (id, xml) = match alert.strip_suffix(".xml") {
        Some(id) => (id, true),
        None => (alert.as_str(), false),
    };
    let w = find(&state, org.id, id).await?;
    if w.status == WarningStatus::Draft {
        return Err(PageError(WebError::NotFound));
    }
    let thread = state.store().warnings(org.id, true, Some(w.thread)).await?;
    if xml {
        let base = base_url(&headers, &state);
        let public = Public {
            base: &base,
            slug: &org.slug,
            name: &org.name,
        };
        let body = cap::alert_xml(&w, &thread, &public)
            .map_err(|e| WebError::Internal(format!("writing CAP: {e}")))?;
        return Ok((
            [
                (header::CONTENT_TYPE, "application/cap+xml; charset=utf-8"),
                PUBLIC_CACHE,
            ],
            body,
        )
            .into_response());
    }
    let followed_by = thread
        .iter()
        .find(|m| m.references == Some(w.number))
        .map(|m| (m.number, m.msg_type));
    let mut times = Vec::new();
    if let Some(t) = w.sent_at {
        times.push(("Issued", rules::time_label(t)));
    }
    for (label, t) in [
        ("Begins", w.details.onset_at),
        ("Expires", w.details.expires_at),
    ] {
        if let Some(t) = t {
            times.push((label, rules::time_label(t)));
        }
    }
    let page = PublicPage {
        ctx: Ctx::default(),
        org_name: org.name,
        slug: org.slug,
        title: cap::title(&w),
        w,
        followed_by,
        times,
    };
    Ok(([PUBLIC_CACHE], page).into_response())
}

/// `GET /cap/{org}/feed.atom`: an Atom feed of the warnings in force.
pub(super) async fn public_feed(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let org = public_org(&state, &slug).await?;
    let list = in_force(&state, org.id).await?;
    let base = base_url(&headers, &state);
    let public = Public {
        base: &base,
        slug: &org.slug,
        name: &org.name,
    };
    let body = cap::feed_xml(&list, &public, bulwark_store::now())
        .map_err(|e| WebError::Internal(format!("writing the feed: {e}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/atom+xml; charset=utf-8"),
            PUBLIC_CACHE,
        ],
        body,
    )
        .into_response())
}
