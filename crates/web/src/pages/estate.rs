//! The IT estate register and the supply chain: systems out of support or due out, each
//! system's and supplier's blast radius, contract ends, fourth parties and concentration.
//! Both pages show `bulwark_report::estate`'s reports, as `bulwark estate` and
//! `bulwark suppliers` do.

use super::{Ctx, FieldError};
use crate::access::{Member, Viewer};
use crate::error::PageError;
use crate::jobs;
use crate::models::org_model;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use bulwark_report::estate::{EstateReport, SupplierEntry, SuppliersReport, SystemEntry};
use chrono::NaiveDate;
use serde::Deserialize;

/// `?on=YYYY-MM-DD`: the day to judge support and contracts on (default today).
#[derive(Deserialize)]
pub(super) struct OnDay {
    #[serde(default)]
    on: String,
}

impl OnDay {
    /// The day asked for, or today with a problem to show when it is not a date.
    fn day(&self) -> (NaiveDate, Vec<FieldError>) {
        let today = chrono::Utc::now().date_naive();
        let text = self.on.trim();
        if text.is_empty() {
            return (today, Vec::new());
        }
        match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            Ok(d) => (d, Vec::new()),
            Err(_) => (
                today,
                vec![FieldError::new(
                    "on",
                    "Enter the date as year, month and day, like 2027-03-31",
                )],
            ),
        }
    }
}

/// The date to show in the form: what was typed when it was wrong, so it can be corrected.
fn shown(q: &OnDay, day: NaiveDate, errors: &[FieldError]) -> String {
    if errors.is_empty() {
        day.to_string()
    } else {
        q.on.clone()
    }
}

/// A status as a GOV.UK tag: (label, colour class).
fn tag(word: &str) -> (&'static str, &'static str) {
    match word {
        "expired" => ("Out of support", "govuk-tag--red"),
        "ended" => ("Ended", "govuk-tag--red"),
        "within-12-months" => ("Ends within 12 months", "govuk-tag--yellow"),
        "supported" => ("Supported", "govuk-tag--green"),
        "current" => ("Current", "govuk-tag--green"),
        _ => ("Not recorded", "govuk-tag--grey"),
    }
}

fn urgency(word: &str) -> u8 {
    match word {
        "expired" | "ended" => 0,
        "within-12-months" => 1,
        "unknown" => 2,
        _ => 3,
    }
}

/// One system row.
pub struct SystemRow {
    /// The report's entry.
    pub s: SystemEntry,
    /// Its support as a tag: (label, class).
    pub tag: (&'static str, &'static str),
    /// Vendor, product and version in one line.
    pub product: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "estate.html")]
struct EstatePage {
    ctx: Ctx,
    on: String,
    day_label: &'static str,
    has_concerns: bool,
    /// False when the model is too large to rehearse ransomware on every system here.
    rehearsed: bool,
    rows: Vec<SystemRow>,
    expired: usize,
    soon: usize,
    unknown: usize,
}

/// `GET /o/{org}/estate`.
pub(super) async fn estate(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Viewer>,
    Query(q): Query<OnDay>,
) -> Result<Response, PageError> {
    let m = org_model(&state, &a.org).await?;
    let (day, errors) = q.day();
    // One simulation per system, once per model version: off the async threads.
    let model = m.clone();
    let rehearsed = jobs::run(&state, move || !model.ransomware().is_empty()).await?;
    let systems = match &m.compiled {
        Some(c) => {
            EstateReport::new(&m.loaded.model, c, m.asset_reliance(), day)
                .with_ransomware(m.ransomware())
                .systems
        }
        None => Vec::new(),
    };
    let mut rows: Vec<SystemRow> = systems
        .into_iter()
        .map(|s| SystemRow {
            tag: tag(s.support),
            product: [&s.vendor, &s.product, &s.version]
                .into_iter()
                .flatten()
                .cloned()
                .collect::<Vec<_>>()
                .join(" · "),
            s,
        })
        .collect();
    rows.sort_by(|a, b| {
        urgency(a.s.support)
            .cmp(&urgency(b.s.support))
            .then(b.s.critical_services_lost.cmp(&a.s.critical_services_lost))
            .then(b.s.services_lost.len().cmp(&a.s.services_lost.len()))
            .then_with(|| a.s.id.cmp(&b.s.id))
    });
    let count = |w: &str| rows.iter().filter(|r| r.s.support == w).count();
    let on = shown(&q, day, &errors);
    Ok(EstatePage {
        ctx: Ctx {
            errors,
            ..Ctx::org(&s, &a, "estate")
        },
        on,
        day_label: "Show support as it stands on",
        has_concerns: rows.iter().any(|r| !r.s.concerns.is_empty()),
        rehearsed: rehearsed || rows.is_empty(),
        expired: count("expired"),
        soon: count("within-12-months"),
        unknown: count("unknown"),
        rows,
    }
    .into_response())
}

/// One supplier row.
pub struct SupplierRow {
    /// The report's entry.
    pub s: SupplierEntry,
    /// Its contract as a tag: (label, class).
    pub tag: (&'static str, &'static str),
}

#[derive(Template, WebTemplate)]
#[template(path = "suppliers.html")]
struct SuppliersPage {
    ctx: Ctx,
    on: String,
    day_label: &'static str,
    has_concerns: bool,
    services: usize,
    rows: Vec<SupplierRow>,
    concentrated: Vec<SupplierEntry>,
    contracts_due: usize,
}

/// `GET /o/{org}/suppliers`: suppliers ranked by the critical services they alone can take
/// down.
pub(super) async fn suppliers(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Viewer>,
    Query(q): Query<OnDay>,
) -> Result<Response, PageError> {
    let m = org_model(&state, &a.org).await?;
    let (day, errors) = q.day();
    let report = m
        .compiled
        .as_ref()
        .map(|c| SuppliersReport::new(&m.loaded.model, c, m.asset_reliance(), day));
    let services = report.as_ref().map_or(0, |r| r.services);
    let rows: Vec<SupplierRow> = report
        .map(|r| r.suppliers)
        .unwrap_or_default()
        .into_iter()
        .map(|s| SupplierRow {
            tag: tag(s.contract),
            s,
        })
        .collect();
    let mut concentrated: Vec<SupplierEntry> = rows
        .iter()
        .filter(|r| r.s.concentration)
        .map(|r| r.s.clone())
        .collect();
    concentrated.sort_by(|a, b| {
        b.services_needing
            .cmp(&a.services_needing)
            .then_with(|| a.id.cmp(&b.id))
    });
    let contracts_due = rows.iter().filter(|r| urgency(r.s.contract) < 2).count();
    let has_concerns = rows.iter().any(|r| !r.s.concerns.is_empty());
    let on = shown(&q, day, &errors);
    Ok(SuppliersPage {
        ctx: Ctx {
            errors,
            ..Ctx::org(&s, &a, "suppliers")
        },
        on,
        day_label: "Show contracts as they stand on",
        has_concerns,
        services,
        rows,
        concentrated,
        contracts_due,
    }
    .into_response())
}
