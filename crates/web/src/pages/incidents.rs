//! The incident room: declare an incident, its M/ETHANE report, the partners invited, status
//! and legal hold, actions and the battle rhythm, the live status board, situation reports
//! combined into one picture, and the IIMARCH briefing. The decision log has its own module
//! ([`super::decision_log`]).
//!
//! The lead organisation's editors change an incident; invited partners read it, submit
//! their situation reports and move on the actions given to them.

use super::{Ctx, FieldError, form_status};
use crate::access::{Admin, Editor, Member, OrgAccess, Viewer};
use crate::board::span;
use crate::error::{PageError, WebError};
use crate::incidents::{find, find_led, status_board};
use crate::labels::Label;
use crate::models::org_model;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::{Form, Query};
use bulwark_rules::incidents::{self as rules, IncidentDraft};
use bulwark_rules::warnings::{time_from_parts, time_label, time_parts};
use bulwark_store::{
    CommandLevel, Incident, IncidentAction, IncidentActionStatus, IncidentStatus, Methane,
    MethaneVersion, RhythmEntry, RhythmKind, Standing, now,
};
use serde::Deserialize;

/// A confirmation shown after a change, chosen by key so no submitted text is reflected.
#[derive(Deserialize, Default)]
pub(super) struct Done {
    done: Option<String>,
}

impl Done {
    pub(super) fn notice(&self) -> Option<String> {
        let text = match self.done.as_deref()? {
            "declared" => "Incident declared. Record the M/ETHANE report and mark what has failed.",
            "saved" => "Incident updated",
            "methane" => "M/ETHANE report recorded",
            "invited" => "Partner organisation invited: its members can now see this incident",
            "hold" => "Legal hold changed",
            "action" => "Action added",
            "progress" => "Action updated",
            "rhythm" => "Added to the battle rhythm",
            "marked" => "Marked on the status board",
            "restored" => "Marked restored",
            "sitrep" => "Situation report submitted",
            "logged" => "Decision recorded in the log",
            _ => return None,
        };
        Some(text.to_string())
    }
}

/// A time typed as UK date boxes and a 24-hour time.
#[derive(Deserialize, Default, Clone)]
pub(super) struct When {
    /// Day of the month.
    #[serde(default)]
    pub day: String,
    /// Month number.
    #[serde(default)]
    pub month: String,
    /// Year.
    #[serde(default)]
    pub year: String,
    /// `HH:MM`.
    #[serde(default)]
    pub time: String,
}

impl When {
    /// The boxes filled with `at` (empty for `None`).
    pub(super) fn of(at: Option<i64>) -> When {
        let (day, month, year, time) = time_parts(at);
        When {
            day,
            month,
            year,
            time,
        }
    }

    /// The time typed, `None` when every box is empty.
    pub(super) fn read(&self) -> Result<Option<i64>, String> {
        time_from_parts(&self.day, &self.month, &self.year, &self.time)
    }
}

/// Reads the four boxes of a time field called `name` from a form's fields.
pub(super) fn when_of(fields: &[(String, String)], name: &str) -> When {
    let get = |suffix: &str| {
        fields
            .iter()
            .find(|(k, _)| *k == format!("{name}_{suffix}"))
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    When {
        day: get("day"),
        month: get("month"),
        year: get("year"),
        time: get("time"),
    }
}

/// A form's value by name.
pub(super) fn field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

// ----- list -----

/// An incident in the list.
pub struct Row {
    id: i64,
    title: String,
    status: IncidentStatus,
    level: CommandLevel,
    lead: String,
    partner: bool,
    started: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "incidents.html")]
struct ListPage {
    ctx: Ctx,
    rows: Vec<Row>,
}

/// `GET /o/{org}/incidents`.
pub(super) async fn list(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Viewer>,
) -> Result<Response, PageError> {
    let rows = state
        .store()
        .incidents_for(a.org.id)
        .await?
        .into_iter()
        .map(|(i, standing)| Row {
            id: i.id,
            title: i.details.title,
            status: i.status,
            level: i.details.level,
            lead: i.lead.name,
            partner: standing == Standing::Partner,
            started: time_label(i.details.started_at),
        })
        .collect();
    Ok(ListPage {
        ctx: Ctx::org(&s, &a, "incidents"),
        rows,
    }
    .into_response())
}

// ----- declare and edit -----

/// The incident form as typed.
#[derive(Deserialize, Default, Clone)]
pub(super) struct IncidentForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    location: String,
    #[serde(default)]
    started_day: String,
    #[serde(default)]
    started_month: String,
    #[serde(default)]
    started_year: String,
    #[serde(default)]
    started_time: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    scenario: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    debrief: String,
}

impl IncidentForm {
    fn started(&self) -> When {
        When {
            day: self.started_day.clone(),
            month: self.started_month.clone(),
            year: self.started_year.clone(),
            time: self.started_time.clone(),
        }
    }

    fn draft(&self) -> IncidentDraft {
        IncidentDraft {
            title: self.title.clone(),
            summary: self.summary.clone(),
            location: self.location.clone(),
            started_at: self.started().read(),
            level: self.level.clone(),
            scenario: self.scenario.clone(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "incident_form.html")]
struct FormPage {
    ctx: Ctx,
    heading: String,
    action: String,
    f: IncidentForm,
    started: When,
    levels: Vec<(&'static str, &'static str)>,
    scenarios: Vec<(String, String)>,
    /// Status choices, when editing.
    statuses: Vec<(&'static str, &'static str)>,
}

async fn form_page(
    state: &AppState,
    ctx: Ctx,
    a: &OrgAccess,
    heading: &str,
    action: String,
    f: IncidentForm,
    editing: bool,
) -> Result<Response, PageError> {
    let m = org_model(state, &a.org).await?;
    let scenarios = m
        .loaded
        .model
        .scenarios
        .iter()
        .map(|s| (s.meta.id.to_string(), s.meta.name.clone()))
        .collect();
    let status = form_status(&ctx.errors);
    let started = f.started();
    Ok((
        status,
        FormPage {
            ctx,
            heading: heading.into(),
            action,
            f,
            started,
            levels: CommandLevel::ALL
                .iter()
                .map(|l| (l.as_str(), l.label()))
                .collect(),
            scenarios,
            statuses: if editing {
                IncidentStatus::ALL
                    .iter()
                    .map(|s| (s.as_str(), s.label()))
                    .collect()
            } else {
                Vec::new()
            },
        },
    )
        .into_response())
}

/// `GET /o/{org}/incidents/new`.
pub(super) async fn new_form(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Editor>,
) -> Result<Response, PageError> {
    let started = When::of(Some(now()));
    let f = IncidentForm {
        started_day: started.day,
        started_month: started.month,
        started_year: started.year,
        started_time: started.time,
        level: "tactical".into(),
        ..IncidentForm::default()
    };
    let action = format!("/o/{}/incidents/new", a.org.slug);
    let ctx = Ctx::org(&s, &a, "incidents");
    form_page(&state, ctx, &a, "Declare an incident", action, f, false).await
}

async fn scenario_ids(state: &AppState, a: &OrgAccess) -> Result<Vec<String>, PageError> {
    let m = org_model(state, &a.org).await?;
    Ok(m.loaded
        .model
        .scenarios
        .iter()
        .map(|s| s.meta.id.to_string())
        .collect())
}

/// `POST /o/{org}/incidents/new`.
pub(super) async fn create(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Editor>,
    Form(f): Form<IncidentForm>,
) -> Result<Response, PageError> {
    match rules::check_incident(&f.draft(), &scenario_ids(&state, &a).await?) {
        Ok(details) => {
            let id = state
                .store()
                .declare_incident(a.org.id, &s.actor(), &details)
                .await?;
            state.incident_changed(id).await;
            Ok(
                Redirect::to(&format!("/o/{}/incidents/{id}?done=declared", a.org.slug))
                    .into_response(),
            )
        }
        Err(errors) => {
            let mut ctx = Ctx::org(&s, &a, "incidents");
            ctx.errors = errors;
            let action = format!("/o/{}/incidents/new", a.org.slug);
            form_page(&state, ctx, &a, "Declare an incident", action, f, false).await
        }
    }
}

/// `GET /o/{org}/incidents/{id}/edit`.
pub(super) async fn edit_form(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Editor>,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let i = find_led(&state, &a, &id).await?;
    let started = When::of(Some(i.details.started_at));
    let f = IncidentForm {
        title: i.details.title.clone(),
        summary: i.details.summary.clone(),
        location: i.details.location.clone(),
        started_day: started.day,
        started_month: started.month,
        started_year: started.year,
        started_time: started.time,
        level: i.details.level.as_str().into(),
        scenario: i.details.scenario.clone().unwrap_or_default(),
        status: i.status.as_str().into(),
        debrief: i.debrief.clone().unwrap_or_default(),
    };
    let action = format!("/o/{}/incidents/{}/edit", a.org.slug, i.id);
    let ctx = Ctx::org(&s, &a, "incidents");
    form_page(&state, ctx, &a, "Change the incident", action, f, true).await
}

/// `POST /o/{org}/incidents/{id}/edit`: details, status and, on closing, the debrief.
pub(super) async fn update(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Editor>,
    Path((_, id)): Path<(String, String)>,
    Form(f): Form<IncidentForm>,
) -> Result<Response, PageError> {
    let i = find_led(&state, &a, &id).await?;
    let checked = rules::check_incident(&f.draft(), &scenario_ids(&state, &a).await?);
    let status = IncidentStatus::parse(&f.status);
    let mut errors = checked.as_ref().err().cloned().unwrap_or_default();
    if status.is_none() {
        errors.push(FieldError::new(
            "status",
            "Choose where the incident stands",
        ));
    }
    errors.extend(bulwark_rules::text::check(
        "debrief",
        "The debrief",
        &f.debrief,
        bulwark_rules::text::LONG,
        true,
    ));
    if status == Some(IncidentStatus::Closed) && f.debrief.trim().is_empty() {
        errors.push(FieldError::new(
            "debrief",
            "Record the debrief before closing: what went well, what did not, and the lessons",
        ));
    }
    match (checked, status) {
        (Ok(details), Some(status)) if errors.is_empty() => {
            let actor = s.actor();
            state
                .store()
                .update_incident(a.org.id, i.id, &actor, &details, status)
                .await?;
            if f.debrief.trim() != i.debrief.as_deref().unwrap_or_default() {
                state
                    .store()
                    .record_debrief(a.org.id, i.id, &actor, f.debrief.trim())
                    .await?;
            }
            state.incident_changed(i.id).await;
            Ok(
                Redirect::to(&format!("/o/{}/incidents/{}?done=saved", a.org.slug, i.id))
                    .into_response(),
            )
        }
        _ => {
            let mut ctx = Ctx::org(&s, &a, "incidents");
            ctx.errors = errors;
            let action = format!("/o/{}/incidents/{}/edit", a.org.slug, i.id);
            form_page(&state, ctx, &a, "Change the incident", action, f, true).await
        }
    }
}

// ----- the incident's page -----

/// An action as shown.
pub struct ActionRow {
    id: i64,
    description: String,
    owner: String,
    org: String,
    due: String,
    overdue: bool,
    status: IncidentActionStatus,
    decision: Option<i64>,
    /// The caller's organisation may move it on.
    can_update: bool,
}

/// A battle rhythm entry as shown.
pub struct RhythmRow {
    kind: &'static str,
    title: String,
    at: String,
    missed: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "incident.html")]
struct IncidentPage {
    ctx: Ctx,
    i: Incident,
    lead: bool,
    scenario: Option<String>,
    started: String,
    /// The latest version's number and who recorded it.
    methane: Option<(i64, String)>,
    /// The latest version's fields: (label, value).
    methane_rows: Vec<(&'static str, String)>,
    methane_versions: usize,
    lost: usize,
    next_breach: Option<String>,
    actions: Vec<ActionRow>,
    rhythm: Vec<RhythmRow>,
    partners_to_invite: Vec<(String, String)>,
    statuses: Vec<(&'static str, &'static str)>,
    action_due: When,
    rhythm_at: When,
    decisions: Vec<(i64, String)>,
}

fn action_rows(actions: Vec<IncidentAction>, a: &OrgAccess, lead: bool, at: i64) -> Vec<ActionRow> {
    actions
        .into_iter()
        .map(|x| ActionRow {
            id: x.id,
            overdue: x.due_at < at
                && matches!(
                    x.status,
                    IncidentActionStatus::Open | IncidentActionStatus::InProgress
                ),
            can_update: a.can_edit() && (lead || x.org.slug == a.org.slug),
            description: x.description,
            owner: x.owner,
            org: x.org.name,
            due: time_label(x.due_at),
            status: x.status,
            decision: x.decision_seq,
        })
        .collect()
}

fn rhythm_rows(rhythm: Vec<RhythmEntry>, at: i64) -> Vec<RhythmRow> {
    rhythm
        .into_iter()
        .map(|r| RhythmRow {
            kind: match r.kind {
                RhythmKind::Meeting => "Meeting",
                RhythmKind::Sitrep => "Situation reports due",
            },
            title: r.title,
            at: time_label(r.at),
            missed: r.at < at,
        })
        .collect()
}

/// `GET /o/{org}/incidents/{id}`.
pub(super) async fn show(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Viewer>,
    Path((_, id)): Path<(String, String)>,
    Query(done): Query<Done>,
) -> Result<Response, PageError> {
    let (i, standing) = find(&state, &a, &id).await?;
    let lead = standing == Standing::Lead;
    let at = now();
    let store = state.store();
    let methane = store.methane_versions(i.id).await?;
    let board = status_board(&state, &i, at).await?.unwrap_or_default();
    let next_breach = board
        .lost
        .iter()
        .find_map(|l| l.breach_at.map(|b| (l.name.clone(), b)))
        .map(|(name, b)| {
            if b <= at {
                format!(
                    "{name} breached its maximum tolerable period of disruption {} ago",
                    span(at - b)
                )
            } else {
                format!(
                    "{name} breaches its maximum tolerable period of disruption in {}",
                    span(b - at)
                )
            }
        });
    let actions = action_rows(store.incident_actions(i.id).await?, &a, lead, at);
    let rhythm = rhythm_rows(store.rhythm(i.id).await?, at);
    let partners_to_invite = if lead && a.can_edit() {
        store
            .orgs()
            .await?
            .into_iter()
            .filter(|o| o.id != a.org.id && !i.partners.iter().any(|p| p.slug == o.slug))
            .map(|o| (o.slug, o.name))
            .collect()
    } else {
        Vec::new()
    };
    // Named from the lead organisation's model, which partners see through the board too.
    let scenario = match &i.details.scenario {
        Some(sc) => {
            let m = crate::incidents::lead_model(&state, &i).await?;
            Some(
                m.loaded
                    .model
                    .scenarios
                    .iter()
                    .find(|x| x.meta.id.as_str() == sc)
                    .map_or_else(|| sc.clone(), |x| x.meta.name.clone()),
            )
        }
        None => None,
    };
    let decisions = (1..=i.log_length)
        .map(|n| (n, format!("Entry {n}")))
        .collect();
    let mut ctx = Ctx::org(&s, &a, "incidents");
    ctx.notice = done.notice();
    Ok(IncidentPage {
        ctx,
        lead,
        scenario,
        started: time_label(i.details.started_at),
        methane_versions: methane.len(),
        methane_rows: methane.first().map_or_else(Vec::new, |v| {
            METHANE_FIELDS
                .iter()
                .map(|(name, label, _)| (*label, methane_value(&v.report, name).to_string()))
                .collect()
        }),
        methane: methane.first().map(|v| (v.version, v.recorded_by.clone())),
        lost: board.lost.len(),
        next_breach,
        actions,
        rhythm,
        partners_to_invite,
        statuses: IncidentActionStatus::ALL
            .iter()
            .map(|s| (s.as_str(), s.label()))
            .collect(),
        action_due: When::of(Some(at + 3600)),
        rhythm_at: When::of(Some(at + 3600)),
        decisions,
        i,
    }
    .into_response())
}

/// Where a form posted from the incident's page goes back to, with a confirmation.
pub(super) fn back(a: &OrgAccess, id: i64, done: &str) -> Response {
    Redirect::to(&format!("/o/{}/incidents/{id}?done={done}", a.org.slug)).into_response()
}

/// Shows the incident page's problem on the error page (the forms there are small: the
/// message says which field and why).
pub(super) fn refused(errors: Vec<FieldError>) -> PageError {
    PageError(WebError::Invalid(
        errors.into_iter().map(|e| e.message).collect(),
    ))
}

/// `POST /o/{org}/incidents/{id}/partners`: invite a partner organisation.
pub(super) async fn invite(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Editor>,
    Path((_, id)): Path<(String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let i = find_led(&state, &a, &id).await?;
    let partner = state
        .store()
        .org_by_slug(field(&fields, "partner"))
        .await?
        .ok_or_else(|| {
            refused(vec![FieldError::new(
                "partner",
                "Choose an organisation to invite",
            )])
        })?;
    state
        .store()
        .invite_partner(a.org.id, i.id, &s.actor(), &partner)
        .await?;
    state.incident_changed(i.id).await;
    Ok(back(&a, i.id, "invited"))
}

/// `POST /o/{org}/incidents/{id}/hold`: set or lift the legal hold (administrators).
pub(super) async fn hold(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Admin>,
    Path((_, id)): Path<(String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let i = find_led(&state, &a, &id).await?;
    let hold = field(&fields, "hold") == "on";
    state
        .store()
        .set_incident_legal_hold(a.org.id, i.id, &s.actor(), hold)
        .await?;
    state.incident_changed(i.id).await;
    Ok(back(&a, i.id, "hold"))
}

// ----- M/ETHANE -----

#[derive(Template, WebTemplate)]
#[template(path = "methane_form.html")]
struct MethanePage {
    ctx: Ctx,
    i: Incident,
    m: Methane,
    versions: Vec<MethaneVersion>,
}

/// The M/ETHANE fields: (name, letter and label, hint).
pub const METHANE_FIELDS: [(&str, &str, &str); 7] = [
    (
        "major_incident",
        "M: Major incident declared?",
        "Yes or no, and by whom",
    ),
    (
        "exact_location",
        "E: Exact location",
        "A grid reference, what3words or a postcode, and a description",
    ),
    (
        "incident_type",
        "T: Type of incident",
        "Flood, fire, power loss, cyber attack...",
    ),
    ("hazards", "H: Hazards", "Present and potential"),
    (
        "access",
        "A: Access",
        "Routes in and out, rendezvous points",
    ),
    (
        "casualties",
        "N: Number of casualties",
        "Number, type and severity",
    ),
    (
        "emergency_services",
        "E: Emergency services",
        "Present, and those required",
    ),
];

impl MethanePage {
    fn value(&self, name: &str) -> &str {
        methane_value(&self.m, name)
    }

    fn field_of<'a>(&self, v: &'a MethaneVersion, name: &str) -> &'a str {
        methane_value(&v.report, name)
    }
}

/// The value of the M/ETHANE field `name`.
pub fn methane_value<'a>(m: &'a Methane, name: &str) -> &'a str {
    match name {
        "major_incident" => &m.major_incident,
        "exact_location" => &m.exact_location,
        "incident_type" => &m.incident_type,
        "hazards" => &m.hazards,
        "access" => &m.access,
        "casualties" => &m.casualties,
        _ => &m.emergency_services,
    }
}

/// `GET /o/{org}/incidents/{id}/methane`: the report's versions and a form for the next.
pub(super) async fn methane_form(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Viewer>,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let (i, _) = find(&state, &a, &id).await?;
    let versions = state.store().methane_versions(i.id).await?;
    let m = versions
        .first()
        .map(|v| v.report.clone())
        .unwrap_or_default();
    Ok(MethanePage {
        ctx: Ctx::org(&s, &a, "incidents"),
        i,
        m,
        versions,
    }
    .into_response())
}

/// `POST /o/{org}/incidents/{id}/methane`: records a new version.
pub(super) async fn save_methane(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Editor>,
    Path((_, id)): Path<(String, String)>,
    Form(m): Form<Methane>,
) -> Result<Response, PageError> {
    let i = find_led(&state, &a, &id).await?;
    match rules::check_methane(&m) {
        Ok(m) => {
            state
                .store()
                .record_methane(a.org.id, i.id, &s.actor(), &m)
                .await?;
            state.incident_changed(i.id).await;
            Ok(back(&a, i.id, "methane"))
        }
        Err(errors) => {
            let versions = state.store().methane_versions(i.id).await?;
            let mut ctx = Ctx::org(&s, &a, "incidents");
            ctx.errors = errors;
            Ok((
                form_status(&ctx.errors),
                MethanePage {
                    ctx,
                    i,
                    m,
                    versions,
                },
            )
                .into_response())
        }
    }
}

// ----- actions and the battle rhythm -----

/// `POST /o/{org}/incidents/{id}/actions`.
pub(super) async fn add_action(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Editor>,
    Path((_, id)): Path<(String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let i = find_led(&state, &a, &id).await?;
    let due = when_of(&fields, "due").read();
    let due_at = rules::check_action(field(&fields, "description"), field(&fields, "owner"), &due)
        .map_err(refused)?;
    let owner_org = match field(&fields, "org") {
        "" => a.org.id,
        slug if i.partners.iter().any(|p| p.slug == slug) => state
            .store()
            .org_by_slug(slug)
            .await?
            .map_or(a.org.id, |o| o.id),
        _ => {
            return Err(refused(vec![FieldError::new(
                "org",
                "Give the action to your organisation or to a partner in this incident",
            )]));
        }
    };
    let decision = field(&fields, "decision").parse::<i64>().ok();
    if decision.is_some_and(|d| !(1..=i.log_length).contains(&d)) {
        return Err(refused(vec![FieldError::new(
            "decision",
            "There is no such entry in the decision log",
        )]));
    }
    state
        .store()
        .add_incident_action(
            a.org.id,
            i.id,
            &s.actor(),
            &bulwark_store::NewAction {
                org: owner_org,
                description: field(&fields, "description").trim(),
                owner: field(&fields, "owner").trim(),
                due_at,
                decision_seq: decision,
            },
        )
        .await?;
    state.incident_changed(i.id).await;
    Ok(back(&a, i.id, "action"))
}

/// `POST /o/{org}/incidents/{id}/actions/{action}`: moves an action on (the lead
/// organisation, or the organisation it is given to).
pub(super) async fn action_status(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Editor>,
    Path((_, id, action)): Path<(String, String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (i, _) = find(&state, &a, &id).await?;
    let action: i64 = action.parse().map_err(|_| WebError::NotFound)?;
    let status = IncidentActionStatus::parse(field(&fields, "status")).ok_or_else(|| {
        refused(vec![FieldError::new(
            "status",
            "Choose where the action has got to",
        )])
    })?;
    state
        .store()
        .set_incident_action_status(a.org.id, i.id, action, &s.actor(), status)
        .await?;
    state.incident_changed(i.id).await;
    Ok(back(&a, i.id, "progress"))
}

/// `POST /o/{org}/incidents/{id}/rhythm`: a meeting or a situation report deadline.
pub(super) async fn add_rhythm(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Editor>,
    Path((_, id)): Path<(String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let i = find_led(&state, &a, &id).await?;
    let (kind, title, at) = rules::check_rhythm(
        field(&fields, "kind"),
        field(&fields, "title"),
        &when_of(&fields, "at").read(),
    )
    .map_err(refused)?;
    state
        .store()
        .add_rhythm(a.org.id, i.id, &s.actor(), kind, &title, at)
        .await?;
    state.incident_changed(i.id).await;
    Ok(back(&a, i.id, "rhythm"))
}

/// `GET /o/{org}/incidents/{id}/events`: server-sent events for the incident's open pages,
/// one `changed` event whenever anything in it changes, on any server.
pub(super) async fn events(
    State(state): State<AppState>,
    Member { a, .. }: Member<Viewer>,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    use axum::response::sse::{Event, KeepAlive, Sse};
    use tokio::sync::broadcast::error::RecvError;
    let (i, _) = find(&state, &a, &id).await?;
    let incident = i.id;
    let changes = state.incident_events();
    let stream = futures_util::stream::unfold(changes, move |mut changes| async move {
        loop {
            match changes.recv().await {
                Ok(changed) if changed != incident => continue,
                // A burst too large to follow: the page reloads once anyway.
                Ok(_) | Err(RecvError::Lagged(_)) => {
                    let event = Event::default().event("changed").data(incident.to_string());
                    return Some((Ok::<_, std::convert::Infallible>(event), changes));
                }
                Err(RecvError::Closed) => return None,
            }
        }
    });
    Ok(Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response())
}
