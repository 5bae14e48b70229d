//! The decision log of an incident: read it (every read is audited), record a decision on
//! the JESIP Joint Decision Model or a correction of an earlier one, check that nothing in it
//! has changed since it was recorded, and export it as a bundle anyone can check without
//! Bulwark. No route changes or removes an entry.

use super::incidents::{Done, When, field, when_of};
use super::{Ctx, form_status};
use crate::access::{Editor, Member, Viewer};
use crate::error::{PageError, WebError};
use crate::incidents::{export_bundle, find, find_led};
use crate::labels::Label;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::{Form, Query};
use bulwark_rules::incidents::{self as rules, DecisionDraft};
use bulwark_rules::warnings::time_label;
use bulwark_store::{DecisionEntry, DecisionInput, Incident, Standing, Verification, now};
use serde::Deserialize;

/// An entry as the log shows it.
pub struct EntryView {
    seq: i64,
    decided: String,
    recorded: String,
    late_reason: Option<String>,
    review: Option<String>,
    /// The JDM's answers: (label, text), only those given.
    sections: Vec<(&'static str, String)>,
    decision: String,
    decision_maker: String,
    loggist: String,
    agencies: String,
    corrects: Option<i64>,
    corrected_by: Option<i64>,
    hash: String,
}

/// The Joint Decision Model's questions, in the order the log shows them: (field, label).
pub const JDM_FIELDS: [(&str, &str); 5] = [
    ("information", "Information and intelligence"),
    ("assessment", "Assessment of risk and threat"),
    ("powers", "Powers, policies and procedures"),
    (
        "options",
        "Options considered, and why others were rejected",
    ),
    ("rationale", "Rationale"),
];

fn view(e: &DecisionEntry) -> EntryView {
    let b = &e.body;
    let sections = [
        &b.information,
        &b.assessment,
        &b.powers,
        &b.options,
        &b.rationale,
    ]
    .into_iter()
    .zip(JDM_FIELDS)
    .filter(|(text, _)| !text.is_empty())
    .map(|(text, (_, label))| (label, text.clone()))
    .collect();
    let time = |t: &str| {
        bulwark_rules::warnings::parse_time(t)
            .map(time_label)
            .unwrap_or_else(|_| t.to_string())
    };
    EntryView {
        seq: e.seq,
        decided: time(&b.decided_at),
        recorded: time(&b.recorded_at),
        late_reason: b.delay_reason.clone(),
        review: b.review_at.as_deref().map(time),
        sections,
        decision: b.decision.clone(),
        decision_maker: b.decision_maker.clone(),
        loggist: b.loggist.clone(),
        agencies: b.agencies.join(", "),
        corrects: b.corrects,
        corrected_by: e.corrected_by,
        hash: e.hash.clone(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "decision_log.html")]
struct LogPage {
    ctx: Ctx,
    i: Incident,
    lead: bool,
    entries: Vec<EntryView>,
    check: Verification,
}

/// The log as a self-contained page, for the export bundle and printing.
#[derive(Template)]
#[template(path = "decision_log_export.html")]
struct ExportPage<'a> {
    i: &'a Incident,
    entries: Vec<EntryView>,
    check: &'a Verification,
    exported: String,
}

/// `GET /o/{org}/incidents/{id}/log`: the log, oldest first, each correction beside what it
/// corrects; reading it is audited.
pub(super) async fn log(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Viewer>,
    Path((_, id)): Path<(String, String)>,
    Query(done): Query<Done>,
) -> Result<Response, PageError> {
    let (i, standing) = find(&state, &a, &id).await?;
    let (entries, check) = state
        .store()
        .decision_log_checked(a.org.id, i.id, &s.actor())
        .await?;
    let mut ctx = Ctx::org(&s, &a, "incidents");
    ctx.notice = done.notice();
    Ok(LogPage {
        ctx,
        lead: standing == Standing::Lead,
        entries: entries.iter().map(view).collect(),
        check,
        i,
    }
    .into_response())
}

/// The decision form as typed.
#[derive(Deserialize, Default, Clone)]
pub(super) struct DecisionForm {
    #[serde(default)]
    information: String,
    #[serde(default)]
    assessment: String,
    #[serde(default)]
    powers: String,
    #[serde(default)]
    options: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    rationale: String,
    #[serde(default)]
    decision_maker: String,
    #[serde(default)]
    agencies: String,
    #[serde(default)]
    delay_reason: String,
    #[serde(default)]
    corrects: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "decision_form.html")]
struct FormPage {
    ctx: Ctx,
    i: Incident,
    f: DecisionForm,
    decided: When,
    review: When,
    /// The entry being corrected: its number and decision.
    correcting: Option<(i64, String)>,
}

impl FormPage {
    fn value(&self, name: &str) -> &str {
        match name {
            "information" => &self.f.information,
            "assessment" => &self.f.assessment,
            "powers" => &self.f.powers,
            "options" => &self.f.options,
            _ => &self.f.rationale,
        }
    }
}

#[derive(Deserialize, Default)]
pub(super) struct Corrects {
    corrects: Option<String>,
}

async fn correcting(
    state: &AppState,
    org: i64,
    i: &Incident,
    actor: &bulwark_store::Actor,
    corrects: &str,
) -> Result<Option<(i64, String)>, PageError> {
    let Ok(n) = corrects.trim().parse::<i64>() else {
        return Ok(None);
    };
    let entries = state.store().decision_log(org, i.id, actor).await?;
    Ok(entries
        .iter()
        .find(|e| e.seq == n)
        .map(|e| (e.seq, e.body.decision.clone())))
}

/// `GET /o/{org}/incidents/{id}/log/new` (`?corrects=N` to correct entry N).
pub(super) async fn new_form(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Editor>,
    Path((_, id)): Path<(String, String)>,
    Query(q): Query<Corrects>,
) -> Result<Response, PageError> {
    let i = find_led(&state, &a, &id).await?;
    let corrects = q.corrects.unwrap_or_default();
    let correcting = correcting(&state, a.org.id, &i, &s.actor(), &corrects).await?;
    if !corrects.is_empty() && correcting.is_none() {
        return Err(PageError(WebError::NotFound));
    }
    let f = DecisionForm {
        corrects,
        ..DecisionForm::default()
    };
    Ok(FormPage {
        ctx: Ctx::org(&s, &a, "incidents"),
        i,
        f,
        decided: When::of(Some(now())),
        review: When::of(None),
        correcting,
    }
    .into_response())
}

/// `POST /o/{org}/incidents/{id}/log/new`: appends the decision, recorded by the signed-in
/// loggist.
pub(super) async fn append(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Editor>,
    Path((_, id)): Path<(String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let i = find_led(&state, &a, &id).await?;
    let f = DecisionForm {
        information: field(&fields, "information").into(),
        assessment: field(&fields, "assessment").into(),
        powers: field(&fields, "powers").into(),
        options: field(&fields, "options").into(),
        decision: field(&fields, "decision").into(),
        rationale: field(&fields, "rationale").into(),
        decision_maker: field(&fields, "decision_maker").into(),
        agencies: field(&fields, "agencies").into(),
        delay_reason: field(&fields, "delay_reason").into(),
        corrects: field(&fields, "corrects").into(),
    };
    let (decided, review) = (when_of(&fields, "decided"), when_of(&fields, "review"));
    let draft = DecisionDraft {
        input: DecisionInput {
            information: f.information.clone(),
            assessment: f.assessment.clone(),
            powers: f.powers.clone(),
            options: f.options.clone(),
            decision: f.decision.clone(),
            rationale: f.rationale.clone(),
            decision_maker: f.decision_maker.clone(),
            agencies: f.agencies.split([',', '\n']).map(String::from).collect(),
            decided_at: 0,
            delay_reason: Some(f.delay_reason.clone()),
            review_at: None,
            corrects: f.corrects.trim().parse().ok(),
        },
        decided_at: decided.read(),
        review_at: review.read(),
        log_length: i.log_length,
    };
    match rules::check_decision(&draft, now()) {
        Ok(input) => {
            let entry = state
                .store()
                .append_decision(a.org.id, i.id, &s.actor(), &input)
                .await?;
            state.incident_changed(i.id).await;
            Ok(Redirect::to(&format!(
                "/o/{}/incidents/{}/log?done=logged#entry-{}",
                a.org.slug, i.id, entry.seq
            ))
            .into_response())
        }
        Err(errors) => {
            let correcting = correcting(&state, a.org.id, &i, &s.actor(), &f.corrects).await?;
            let mut ctx = Ctx::org(&s, &a, "incidents");
            ctx.errors = errors;
            let status = form_status(&ctx.errors);
            Ok((
                status,
                FormPage {
                    ctx,
                    i,
                    f,
                    decided,
                    review,
                    correcting,
                },
            )
                .into_response())
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "decision_verify.html")]
struct VerifyPage {
    ctx: Ctx,
    i: Incident,
    check: Verification,
    checked_at: String,
}

/// `GET /o/{org}/incidents/{id}/log/verify`: recomputes every hash and names the first
/// entry that fails.
pub(super) async fn verify(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Viewer>,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let (i, _) = find(&state, &a, &id).await?;
    let check = state.store().verify_decision_log(i.id).await?;
    Ok(VerifyPage {
        ctx: Ctx::org(&s, &a, "incidents"),
        i,
        check,
        checked_at: time_label(now()),
    }
    .into_response())
}

/// `GET /o/{org}/incidents/{id}/log/export.zip`: the bundle for an inquiry (see
/// [`crate::incidents::export_bundle`]); the read is audited.
pub(super) async fn export(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Viewer>,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let (i, _) = find(&state, &a, &id).await?;
    let actor = s.actor();
    let (entries, check) = state
        .store()
        .decision_log_checked(a.org.id, i.id, &actor)
        .await?;
    let at = now();
    let html = ExportPage {
        i: &i,
        entries: entries.iter().map(view).collect(),
        check: &check,
        exported: time_label(at),
    }
    .render()
    .map_err(|e| WebError::Internal(e.to_string()))?;
    let bytes = export_bundle(&i, &entries, &check, &html, &actor, at)?;
    let name = format!("incident-{}-decision-log.zip", i.id);
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}
