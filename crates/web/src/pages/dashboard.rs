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
use bulwark_rules::risks::{Appetite, impact_word, likelihood_band};
use bulwark_store::Membership;

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
    /// Services whose single points of failure would breach their MTPD (or lost already).
    spof_breaching: usize,
    rto_gaps: Vec<String>,
    /// Risks outside the appetite, worst first: (id, name, impact and likelihood in words).
    risks: Vec<(String, String, String)>,
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
    let mut spof_breaching = 0;
    if let Some(c) = &m.compiled {
        let result = m.spof();
        let breach = c.breach_spof(result);
        let names = |assets: &[u32]| {
            let mut names: Vec<&str> = assets
                .iter()
                .map(|x| c.assets[*x as usize].name.as_str())
                .collect();
            names.sort_unstable();
            let shown = names[..names.len().min(3)].join(", ");
            match names.len() {
                n if n > 3 => format!("{shown} and {} more", n - 3),
                _ => shown,
            }
        };
        for (i, r) in result.iter().enumerate() {
            let svc = &c.services[i];
            let (breaching, detail) = match r {
                ServiceSpof::LostWithoutFailure => (
                    true,
                    "already below its minimum for want of staff".to_string(),
                ),
                ServiceSpof::Assets(a) if a.is_empty() => continue,
                ServiceSpof::Assets(a) => {
                    let b = &breach[i];
                    let all = super::plural(
                        a.len(),
                        "single point of failure",
                        "single points of failure",
                    );
                    let detail = match (b.is_empty(), svc.mtpd) {
                        (false, Some(mtpd)) => format!(
                            "lost for longer than its maximum tolerable period of disruption ({}) if {} failed ({all} in all)",
                            crate::board::span(mtpd as i64 * 60),
                            names(b),
                        ),
                        (true, Some(_)) => format!(
                            "{all} ({}), each restored within its maximum tolerable period of disruption",
                            names(a)
                        ),
                        (_, None) => format!(
                            "{all} ({}); no maximum tolerable period of disruption is set",
                            names(a)
                        ),
                    };
                    (!b.is_empty(), detail)
                }
            };
            spof_breaching += usize::from(breaching);
            spof.push((
                (!breaching, svc.criticality.map_or(9, |c| c as u8)),
                Flag {
                    id: svc.id.clone(),
                    name: svc.name.clone(),
                    criticality: svc.criticality.map_or("not rated", |c| c.as_str()),
                    detail,
                },
            ));
        }
    }
    spof.sort_by_key(|(rank, _)| *rank);
    let spof_total = spof.len();
    let spof = spof.into_iter().take(10).map(|(_, f)| f).collect();
    let rto_gaps = m
        .loaded
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Warning && d.message.contains("RTO"))
        .map(|d| d.message.clone())
        .collect();
    let appetite = state
        .store()
        .risk_appetite(a.org.id)
        .await?
        .map_or_else(Appetite::default, |from_likelihood| Appetite {
            from_likelihood,
        });
    let mut risks: Vec<&bulwark_model::Risk> = model
        .risks
        .iter()
        .filter(|r| appetite.outside(r.likelihood, r.impact))
        .collect();
    bulwark_rules::risks::rank(&mut risks, |r| (r.likelihood, r.impact));
    let risks = risks
        .into_iter()
        .map(|r| {
            (
                r.meta.id.to_string(),
                r.meta.name.clone(),
                format!(
                    "impact {} ({}), likelihood {} ({})",
                    r.impact,
                    impact_word(r.impact),
                    r.likelihood,
                    likelihood_band(r.likelihood)
                ),
            )
        })
        .collect();
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
        spof_breaching,
        rto_gaps,
        risks,
        problems: errors(&m.loaded),
    }
    .into_response())
}
