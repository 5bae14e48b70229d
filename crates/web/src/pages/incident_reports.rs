//! Situation reports from every organisation taking part in an incident, combined into one
//! common recognised information picture, and the IIMARCH briefing sheet generated from the
//! incident's current state.

use super::incidents::{Done, When, field, when_of};
use super::{Ctx, form_status};
use crate::access::{Editor, Member, Viewer};
use crate::board::span;
use crate::error::PageError;
use crate::incidents::{find, find_led, status_board};
use crate::labels::Label;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::{Form, Query};
use bulwark_rules::incidents as rules;
use bulwark_rules::warnings::time_label;
use bulwark_store::{Incident, IncidentActionStatus, Sitrep, SitrepBody, now};

/// A report as shown.
pub struct SitrepRow {
    org: String,
    submitted: String,
    by: String,
    situation: String,
    /// The template's fields: (label, what it says).
    fields: Vec<(&'static str, String)>,
    next_due: Option<String>,
    overdue: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "sitreps.html")]
struct SitrepsPage {
    ctx: Ctx,
    i: Incident,
    latest: Vec<SitrepRow>,
    earlier: Vec<SitrepRow>,
    f: SitrepBody,
    next: When,
}

impl SitrepsPage {
    fn form_value(&self, name: &str) -> &str {
        sitrep_value(&self.f, name)
    }
}

/// The sitrep template's fields: (name, label, hint).
pub const SITREP_FIELDS: [(&str, &str, &str); 6] = [
    (
        "situation",
        "Situation",
        "What is happening now, where and to whom",
    ),
    ("actions_taken", "Actions taken", "Since your last report"),
    (
        "services_affected",
        "Services affected",
        "Which of your services are lost or reduced, and since when",
    ),
    (
        "resources",
        "Resources",
        "Committed, available, and what you could lend",
    ),
    (
        "issues",
        "Issues and requests",
        "What you need from other organisations",
    ),
    (
        "forecast",
        "Forecast",
        "What you expect in the next hours and days",
    ),
];

/// The value of the sitrep field `name`.
pub fn sitrep_value<'a>(b: &'a SitrepBody, name: &str) -> &'a str {
    match name {
        "situation" => &b.situation,
        "actions_taken" => &b.actions_taken,
        "services_affected" => &b.services_affected,
        "resources" => &b.resources,
        "issues" => &b.issues,
        _ => &b.forecast,
    }
}

fn sitrep_rows(reports: Vec<Sitrep>, at: i64) -> (Vec<SitrepRow>, Vec<SitrepRow>) {
    let mut seen: Vec<String> = Vec::new();
    let (mut latest, mut earlier) = (Vec::new(), Vec::new());
    for r in reports {
        let first = !seen.contains(&r.org.slug);
        seen.push(r.org.slug.clone());
        let row = SitrepRow {
            org: r.org.name,
            submitted: time_label(r.submitted_at),
            by: r.submitted_by,
            overdue: first && r.next_due_at.is_some_and(|t| t < at),
            next_due: r.next_due_at.map(time_label),
            fields: SITREP_FIELDS
                .iter()
                .map(|(name, label, _)| (*label, sitrep_value(&r.body, name).to_string()))
                .collect(),
            situation: r.body.situation,
        };
        if first {
            latest.push(row);
        } else {
            earlier.push(row);
        }
    }
    (latest, earlier)
}

async fn sitreps_page(
    state: &AppState,
    ctx: Ctx,
    i: Incident,
    f: SitrepBody,
    next: When,
) -> Result<Response, PageError> {
    let (latest, earlier) = sitrep_rows(state.store().sitreps(i.id).await?, now());
    let status = form_status(&ctx.errors);
    Ok((
        status,
        SitrepsPage {
            ctx,
            i,
            latest,
            earlier,
            f,
            next,
        },
    )
        .into_response())
}

/// `GET /o/{org}/incidents/{id}/sitreps`: the latest report of every organisation (the
/// common recognised information picture), earlier ones, and the form.
pub(super) async fn sitreps(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Viewer>,
    Path((_, id)): Path<(String, String)>,
    Query(done): Query<Done>,
) -> Result<Response, PageError> {
    let (i, _) = find(&state, &a, &id).await?;
    let mut ctx = Ctx::org(&s, &a, "incidents");
    ctx.notice = done.notice();
    sitreps_page(
        &state,
        ctx,
        i,
        SitrepBody::default(),
        When::of(Some(now() + 4 * 3600)),
    )
    .await
}

/// `POST /o/{org}/incidents/{id}/sitreps`: the caller's organisation reports (lead or
/// partner).
pub(super) async fn submit_sitrep(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Editor>,
    Path((_, id)): Path<(String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (i, _) = find(&state, &a, &id).await?;
    let body = SitrepBody {
        situation: field(&fields, "situation").into(),
        actions_taken: field(&fields, "actions_taken").into(),
        services_affected: field(&fields, "services_affected").into(),
        resources: field(&fields, "resources").into(),
        issues: field(&fields, "issues").into(),
        forecast: field(&fields, "forecast").into(),
    };
    let next = when_of(&fields, "next");
    match rules::check_sitrep(&body, &next.read()) {
        Ok((body, next_due)) => {
            state
                .store()
                .submit_sitrep(a.org.id, i.id, &s.actor(), &body, next_due)
                .await?;
            state.incident_changed(i.id).await;
            Ok(Redirect::to(&format!(
                "/o/{}/incidents/{}/sitreps?done=sitrep",
                a.org.slug, i.id
            ))
            .into_response())
        }
        Err(errors) => {
            let mut ctx = Ctx::org(&s, &a, "incidents");
            ctx.errors = errors;
            sitreps_page(&state, ctx, i, body, next).await
        }
    }
}

// ----- the IIMARCH briefing -----

#[derive(Template, WebTemplate)]
#[template(path = "briefing.html")]
struct BriefingPage {
    ctx: Ctx,
    i: Incident,
    sections: Vec<(&'static str, Vec<String>)>,
    generated: String,
}

/// `GET /o/{org}/incidents/{id}/briefing`: an IIMARCH briefing sheet from the incident's
/// current state (Information, Intent, Method, Administration, Risk assessment,
/// Communications, Humanitarian issues).
pub(super) async fn briefing(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Viewer>,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let (i, _) = find(&state, &a, &id).await?;
    let at = now();
    let store = state.store();
    let methane = store.methane_versions(i.id).await?.into_iter().next();
    let board = status_board(&state, &i, at).await?.unwrap_or_default();
    let log = store.decision_log(a.org.id, i.id, &s.actor()).await?;
    let actions = store.incident_actions(i.id).await?;
    let rhythm = store.rhythm(i.id).await?;
    let (latest, _) = sitrep_rows(store.sitreps(i.id).await?, at);
    let mut information = vec![format!(
        "{}: {} Started {}.",
        i.details.title,
        if i.details.summary.is_empty() {
            "no summary recorded."
        } else {
            i.details.summary.as_str()
        },
        time_label(i.details.started_at)
    )];
    if let Some(m) = &methane {
        information.push(format!(
            "Location: {}. Type: {}.",
            m.report.exact_location, m.report.incident_type
        ));
    }
    for l in &board.lost {
        information.push(format!(
            "{} lost for {}{}",
            l.name,
            span(at - l.since),
            match l.breach_at {
                Some(b) if b <= at => format!(": breached its MTPD {} ago", span(at - b)),
                Some(b) => format!(": breaches its MTPD in {}", span(b - at)),
                None => String::new(),
            }
        ));
    }
    for r in &latest {
        information.push(format!("{} reports: {}", r.org, r.situation));
    }
    let current: Vec<_> = log.iter().filter(|e| e.corrected_by.is_none()).collect();
    let intent = current
        .iter()
        .rev()
        .take(5)
        .map(|e| {
            format!(
                "Decision {} ({}): {}",
                e.seq, e.body.decision_maker, e.body.decision
            )
        })
        .collect();
    let method = actions
        .iter()
        .filter(|x| {
            matches!(
                x.status,
                IncidentActionStatus::Open | IncidentActionStatus::InProgress
            )
        })
        .map(|x| {
            format!(
                "{} ({}, {}), due {}",
                x.description,
                x.owner,
                x.org.name,
                time_label(x.due_at)
            )
        })
        .collect();
    let administration = rhythm
        .iter()
        .filter(|r| r.at >= at)
        .map(|r| format!("{}: {}", time_label(r.at), r.title))
        .collect();
    let mut risk: Vec<String> = methane
        .iter()
        .filter(|m| !m.report.hazards.is_empty())
        .map(|m| format!("Hazards: {}", m.report.hazards))
        .collect();
    risk.extend(
        current
            .iter()
            .rev()
            .filter(|e| !e.body.assessment.is_empty())
            .take(3)
            .map(|e| e.body.assessment.clone()),
    );
    let communications = std::iter::once(format!(
        "Lead: {}. Partners: {}.",
        i.lead.name,
        if i.partners.is_empty() {
            "none invited".to_string()
        } else {
            i.partners
                .iter()
                .map(|p| p.name.clone())
                .collect::<Vec<_>>()
                .join(", ")
        }
    ))
    .chain(
        methane
            .iter()
            .filter(|m| !m.report.access.is_empty())
            .map(|m| format!("Access: {}", m.report.access)),
    )
    .collect();
    let humanitarian = board
        .lost
        .iter()
        .filter(|l| matches!(l.criticality, "critical" | "high"))
        .map(|l| {
            format!(
                "{} ({}) is lost: who relies on it needs checking",
                l.name, l.criticality
            )
        })
        .chain(
            methane
                .iter()
                .filter(|m| !m.report.casualties.is_empty())
                .map(|m| format!("Casualties: {}", m.report.casualties)),
        )
        .collect();
    Ok(BriefingPage {
        ctx: Ctx::org(&s, &a, "incidents"),
        sections: vec![
            ("Information", information),
            ("Intent", intent),
            ("Method", method),
            ("Administration", administration),
            ("Risk assessment", risk),
            ("Communications", communications),
            ("Humanitarian issues", humanitarian),
        ],
        generated: time_label(at),
        i,
    }
    .into_response())
}

// ----- the debrief and the replay -----

/// A service as the replay predicts it: (name, lost, breached, restored).
pub struct ReplayRow {
    name: String,
    lost: String,
    breached: String,
    restored: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "debrief.html")]
struct DebriefPage {
    ctx: Ctx,
    i: Incident,
    lead: bool,
    lessons: Option<i64>,
    replay: Vec<ReplayRow>,
    replay_error: Option<String>,
    yaml: String,
}

/// `GET /o/{org}/incidents/{id}/debrief`: the debrief, its lessons, and the incident's
/// failures replayed as a scenario on the lead organisation's model.
pub(super) async fn debrief(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Viewer>,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let (i, standing) = find(&state, &a, &id).await?;
    let at = now();
    let marks = state.store().marks(i.id).await?;
    let scenario = crate::replay::scenario(&i, &marks, at);
    let yaml = crate::replay::yaml(&scenario);
    let m = crate::incidents::lead_model(&state, &i).await?;
    let start = i.details.started_at;
    let simulated = crate::jobs::run(&state, move || {
        let c = m.compiled.as_ref()?;
        let options = bulwark_engine::simulate::Options::default();
        Some(
            bulwark_engine::simulate::simulate_scenario(&m.loaded.model, c, &scenario, &options)
                .map(|sim| {
                    sim.services
                        .iter()
                        .zip(&c.services)
                        .filter(|(o, _)| o.lost_at.is_some())
                        .map(|(o, info)| {
                            let when = |d: Option<bulwark_model::Duration>| {
                                d.map_or_else(
                                    || "No".to_string(),
                                    |d| time_label(start + d.minutes() as i64 * 60),
                                )
                            };
                            ReplayRow {
                                name: info.name.clone(),
                                lost: when(o.lost_at),
                                breached: when(o.breached_at),
                                restored: when(o.restored_at),
                            }
                        })
                        .collect::<Vec<_>>()
                })
                .map_err(|e| e.to_string()),
        )
    })
    .await?;
    let (replay, replay_error) = match simulated {
        Some(Ok(rows)) => (rows, None),
        Some(Err(e)) => (Vec::new(), Some(e)),
        None => (
            Vec::new(),
            Some("the model has problems to fix before it can be simulated".into()),
        ),
    };
    Ok(DebriefPage {
        ctx: Ctx::org(&s, &a, "incidents"),
        lead: standing == bulwark_store::Standing::Lead,
        lessons: state.store().debrief_exercise(i.id).await?,
        replay,
        replay_error,
        yaml,
        i,
    }
    .into_response())
}

/// `POST /o/{org}/incidents/{id}/debrief/lessons`: opens (once) the learning record that
/// carries the debrief into lessons and actions, and goes to it.
pub(super) async fn debrief_lessons(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Editor>,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let i = find_led(&state, &a, &id).await?;
    let exercise = state
        .store()
        .debrief_record(a.org.id, i.id, &s.actor())
        .await?;
    Ok(Redirect::to(&format!("/o/{}/exercises/{exercise}", a.org.slug)).into_response())
}
