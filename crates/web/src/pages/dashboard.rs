//! The start page and each organisation's dashboard.

use super::Ctx;
use crate::access::{Member, Viewer};
use crate::auth::SignedIn;
use crate::error::PageError;
use crate::exercises as rules;
use crate::models::{errors, org_model};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use bulwark_engine::spof::ServiceSpof;
use bulwark_model::{Criticality, Severity};
use bulwark_store::Membership;

/// Risks scoring this much (likelihood × impact, out of 25) or more are above appetite.
pub const RISK_APPETITE: u8 = 12;

#[derive(Template, WebTemplate)]
#[template(path = "choose.html")]
struct Choose {
    ctx: Ctx,
    memberships: Vec<Membership>,
}

/// `GET /`: the organisation's dashboard, or a choice of organisations.
pub(super) async fn home(s: SignedIn) -> Response {
    if let [only] = s.memberships.as_slice() {
        return Redirect::to(&format!("/o/{}", only.org_slug)).into_response();
    }
    Choose {
        ctx: Ctx::user(&s),
        memberships: s.memberships.clone(),
    }
    .into_response()
}

/// A service flagged on the dashboard.
pub struct Flag {
    /// Service id.
    pub id: String,
    /// Service name.
    pub name: String,
    /// Its criticality.
    pub criticality: &'static str,
    /// Why it is flagged.
    pub detail: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "dashboard.html")]
struct Dashboard {
    ctx: Ctx,
    by_criticality: Vec<(&'static str, usize)>,
    services: usize,
    assets: usize,
    spof: Vec<Flag>,
    spof_total: usize,
    rto_gaps: Vec<String>,
    risks: Vec<(String, String, u8)>,
    problems: Vec<String>,
    overdue_exercises: Vec<rules::ProgrammeRow>,
    lesson_ages: Vec<rules::AgeBand>,
    overdue_actions: i64,
}

/// `GET /o/{org}`.
pub(super) async fn dashboard(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Viewer>,
) -> Result<Response, PageError> {
    let m = org_model(&state, &a.org).await?;
    let model = &m.loaded.model;
    let mut by_criticality: Vec<(&'static str, usize)> = Criticality::ALL
        .iter()
        .map(|c| {
            (
                c.as_str(),
                model
                    .services
                    .iter()
                    .filter(|s| s.criticality == Some(*c))
                    .count(),
            )
        })
        .collect();
    by_criticality.push((
        "not rated",
        model
            .services
            .iter()
            .filter(|s| s.criticality.is_none())
            .count(),
    ));
    let mut spof = Vec::new();
    if let Some(c) = &m.compiled {
        for (i, r) in m.spof().iter().enumerate() {
            let svc = &c.services[i];
            let detail = match r {
                ServiceSpof::LostWithoutFailure => {
                    "already below its minimum for want of staff".to_string()
                }
                ServiceSpof::Assets(a) if a.is_empty() => continue,
                ServiceSpof::Assets(a) => {
                    let mut ids: Vec<&str> = a
                        .iter()
                        .map(|x| c.assets[*x as usize].name.as_str())
                        .collect();
                    ids.sort_unstable();
                    let more = if ids.len() > 3 {
                        format!(" and {} more", ids.len() - 3)
                    } else {
                        String::new()
                    };
                    format!(
                        "{} single point(s) of failure: {}{more}",
                        ids.len(),
                        ids[..ids.len().min(3)].join(", ")
                    )
                }
            };
            spof.push((
                svc.criticality,
                Flag {
                    id: svc.id.clone(),
                    name: svc.name.clone(),
                    criticality: svc.criticality.map_or("not rated", |c| c.as_str()),
                    detail,
                },
            ));
        }
    }
    spof.sort_by_key(|(c, _)| c.map_or(9, |c| c as u8));
    let spof_total = spof.len();
    let spof = spof.into_iter().take(10).map(|(_, f)| f).collect();
    let rto_gaps = m
        .loaded
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Warning && d.message.contains("RTO"))
        .map(|d| d.message.clone())
        .collect();
    let mut risks: Vec<(String, String, u8)> = model
        .risks
        .iter()
        .map(|r| {
            (
                r.meta.id.to_string(),
                r.meta.name.clone(),
                r.likelihood * r.impact,
            )
        })
        .filter(|r| r.2 >= RISK_APPETITE)
        .collect();
    risks.sort_by_key(|r| std::cmp::Reverse(r.2));
    let today = rules::today();
    let summary = state
        .store()
        .exercise_summary(a.org.id, &today.to_string())
        .await?;
    let last = summary
        .last_exercised
        .iter()
        .filter_map(|(id, day)| Some((id.clone(), rules::parse_date(day).ok()?)))
        .collect();
    let overdue_exercises = rules::programme(model, &summary.programme, &last, today)
        .into_iter()
        .filter(|r| r.status.is_overdue())
        .collect();
    let lesson_ages = rules::age_bands(
        summary
            .open_lessons
            .iter()
            .filter_map(|day| rules::age_days(day, today)),
    );
    let overdue_actions = summary.overdue_actions;
    Ok(Dashboard {
        overdue_exercises,
        lesson_ages,
        overdue_actions,
        ctx: Ctx::org(&s, &a, "dashboard"),
        by_criticality,
        services: model.services.len(),
        assets: model.assets.len(),
        spof,
        spof_total,
        rto_gaps,
        risks,
        problems: errors(&m.loaded),
    }
    .into_response())
}
