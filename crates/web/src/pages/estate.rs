//! The IT estate register and the supply chain: systems out of support or due out, each
//! system's and supplier's blast radius, contract ends, fourth parties and concentration.
//! Both pages show `bulwark_report::estate`'s reports, as `bulwark estate` and
//! `bulwark suppliers` do.

use super::{Ctx, FieldError};
use crate::access::{Admin, Member, Viewer};
use crate::error::PageError;
use crate::jobs;
use crate::models::org_model;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use bulwark_model::Word;
use bulwark_model::catalogue::Catalogue;
use bulwark_report::estate::{EstateReport, SupplierEntry, SuppliersReport, SystemEntry};
use bulwark_store::StoredCatalogue;
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

/// A system's standing against the catalogue as a GOV.UK tag: (label, colour class).
fn catalogue_tag(status: &str) -> (&'static str, &'static str) {
    match status {
        "approved" => ("Approved", "govuk-tag--green"),
        "contained" => ("Contained", "govuk-tag--turquoise"),
        "retiring" => ("Retiring", "govuk-tag--yellow"),
        "prohibited" => ("Prohibited", "govuk-tag--red"),
        _ => ("Outside the catalogue", "govuk-tag--orange"),
    }
}

/// One system row.
pub struct SystemRow {
    /// Its catalogue standing as a tag, when there is a catalogue.
    pub catalogue: Option<(&'static str, &'static str)>,
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
    /// True when the organisation has loaded a technology catalogue.
    has_catalogue: bool,
    /// Catalogue products whose review date has passed.
    reviews_due: Vec<String>,
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
    let catalogue = stored_catalogue(&state, a.org.id).await?.map(|(_, c)| c);
    let (systems, reviews_due) = match &m.compiled {
        Some(c) => {
            let mut report = EstateReport::new(&m.loaded.model, c, m.asset_reliance(), day)
                .with_ransomware(m.ransomware());
            if let Some(catalogue) = &catalogue {
                report.check_catalogue(&m.loaded.model, catalogue, day);
            }
            (report.systems, report.catalogue_reviews_due)
        }
        None => (Vec::new(), Vec::new()),
    };
    let mut rows: Vec<SystemRow> = systems
        .into_iter()
        .map(|s| SystemRow {
            catalogue: s.catalogue.as_ref().map(|c| catalogue_tag(c.status)),
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
        has_catalogue: catalogue.is_some(),
        reviews_due,
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

/// The organisation's stored catalogue, read (it was checked when loaded; exceptions that
/// the model no longer matches simply match nothing).
async fn stored_catalogue(
    state: &AppState,
    org: i64,
) -> Result<Option<(StoredCatalogue, Catalogue)>, PageError> {
    Ok(state.store().catalogue(org).await?.map(|stored| {
        let (catalogue, _, _) = bulwark_model::catalogue::read(&stored.file_name, &stored.body);
        (stored, catalogue)
    }))
}

#[derive(Template, WebTemplate)]
#[template(path = "catalogue.html")]
struct CataloguePage {
    ctx: Ctx,
    text: String,
    catalogue: Catalogue,
    categories: Vec<(String, String)>,
}

/// The catalogue's page with `text` in the form and `errors` to show.
async fn catalogue_page(
    state: &AppState,
    ctx: Ctx,
    org: i64,
    text: Option<String>,
) -> Result<Response, PageError> {
    let stored = stored_catalogue(state, org).await?;
    let status = super::form_status(&ctx.errors);
    let (text, catalogue) = match stored {
        Some((s, c)) => (text.unwrap_or(s.body), c),
        None => (text.unwrap_or_default(), Catalogue::default()),
    };
    Ok((
        status,
        CataloguePage {
            ctx,
            text,
            categories: catalogue.categories.clone(),
            catalogue,
        },
    )
        .into_response())
}

/// `GET /o/{org}/estate/catalogue`: the approved technology catalogue.
pub(super) async fn catalogue(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Viewer>,
) -> Result<Response, PageError> {
    catalogue_page(&state, Ctx::org(&s, &a, "estate"), a.org.id, None).await
}

/// The catalogue form: the file's text; empty removes the catalogue.
#[derive(Deserialize)]
pub(super) struct CatalogueForm {
    #[serde(default)]
    catalogue: String,
}

/// `POST /o/{org}/estate/catalogue`: replaces the catalogue when it reads without a problem
/// and its exceptions name IT systems of the model; removes it when the text is empty.
pub(super) async fn save_catalogue(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Admin>,
    Form(f): Form<CatalogueForm>,
) -> Result<Response, PageError> {
    let text = f.catalogue;
    if text.trim().is_empty() {
        state
            .store()
            .set_catalogue(a.org.id, "", None, &s.actor())
            .await?;
        return Ok(Redirect::to(&format!("/o/{}/estate/catalogue", a.org.slug)).into_response());
    }
    let name = if text.trim_start().starts_with('{') {
        "catalogue.json"
    } else {
        "catalogue.yaml"
    };
    let (catalogue, _, mut d) = bulwark_model::catalogue::read(name, &text);
    let m = org_model(&state, &a.org).await?;
    catalogue.check_exceptions(&m.loaded.model, &mut d);
    if !d.is_empty() {
        let errors = d
            .sorted()
            .into_iter()
            .map(|p| {
                FieldError::new(
                    "catalogue",
                    format!(
                        "Line {}, column {}: {}",
                        p.pos.line, p.pos.column, p.message
                    ),
                )
            })
            .collect();
        let ctx = Ctx {
            errors,
            ..Ctx::org(&s, &a, "estate")
        };
        return catalogue_page(&state, ctx, a.org.id, Some(text)).await;
    }
    state
        .store()
        .set_catalogue(a.org.id, name, Some(&text), &s.actor())
        .await?;
    Ok(Redirect::to(&format!("/o/{}/estate", a.org.slug)).into_response())
}
