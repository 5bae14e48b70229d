//! The risk register as the National Risk Register presents it: a matrix of likelihood
//! against impact with each risk placed in it, risks ranked by impact then likelihood (never
//! multiplied), and the organisation's risk appetite drawn on the matrix and set by its
//! administrators.

use super::Ctx;
use crate::access::{Admin, Member, Viewer};
use crate::error::PageError;
use crate::models::org_model;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use bulwark_rules::risks::{Appetite, LIKELIHOOD_BANDS, impact_word, likelihood_band, rank};
use serde::Deserialize;
use std::collections::HashMap;

/// One risk in the register.
pub struct RiskRow {
    /// Id, the anchor of its row.
    pub id: String,
    /// Name.
    pub name: String,
    /// Likelihood 1-5.
    pub likelihood: u8,
    /// Impact 1-5.
    pub impact: u8,
    /// The assessment period in words: "over 5 years", or that it is not recorded.
    pub period: String,
    /// Whether it is outside the organisation's risk appetite.
    pub outside: bool,
    /// Theme.
    pub category: String,
    /// Scenario that rehearses it: its name.
    pub scenario: Option<String>,
    /// Owner.
    pub owner: String,
    /// Controls.
    pub controls: Vec<String>,
}

impl RiskRow {
    /// The impact in the National Risk Register's word.
    pub fn impact_word(&self) -> &'static str {
        impact_word(self.impact)
    }

    /// The likelihood's band.
    pub fn likelihood_band(&self) -> &'static str {
        likelihood_band(self.likelihood)
    }
}

/// A cell of the matrix: the risks placed in it and whether it lies outside the appetite.
pub struct Cell {
    /// The risks in it: (their number in the ranked list, from 1; name; id).
    pub risks: Vec<(usize, String, String)>,
    /// Outside the risk appetite.
    pub outside: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "risks.html")]
struct RisksPage {
    ctx: Ctx,
    rows: Vec<RiskRow>,
    /// Rows of the matrix from impact 5 down to 1, each (impact, its word, cells for
    /// likelihood 1 to 5).
    matrix: Vec<(u8, &'static str, Vec<Cell>)>,
    /// Likelihood headings: (level, band).
    likelihoods: Vec<(u8, &'static str)>,
    /// The appetite in words, one line per impact level with a limit.
    appetite: Vec<String>,
    /// Whether the organisation set its own appetite (else Bulwark's default applies).
    appetite_set: bool,
    outside: usize,
    saved: bool,
}

/// `?done=appetite` after the appetite was saved.
#[derive(Deserialize)]
pub(super) struct Done {
    done: Option<String>,
}

/// The organisation's appetite, or the default.
async fn appetite_of(state: &AppState, org: i64) -> Result<(Appetite, bool), PageError> {
    Ok(match state.store().risk_appetite(org).await? {
        Some(from_likelihood) => (Appetite { from_likelihood }, true),
        None => (Appetite::default(), false),
    })
}

/// `GET /o/{org}/risks`.
pub(super) async fn register(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Viewer>,
    Query(done): Query<Done>,
) -> Result<Response, PageError> {
    let m = org_model(&state, &a.org).await?;
    let model = &m.loaded.model;
    let (appetite, appetite_set) = appetite_of(&state, a.org.id).await?;
    let scenario_name = |id: &str| {
        model
            .scenarios
            .iter()
            .find(|x| x.meta.id.as_str() == id)
            .map_or(id.to_string(), |x| x.meta.name.clone())
    };
    let mut rows: Vec<RiskRow> = model
        .risks
        .iter()
        .map(|r| RiskRow {
            id: r.meta.id.to_string(),
            name: r.meta.name.clone(),
            likelihood: r.likelihood,
            impact: r.impact,
            period: match r.period_years {
                Some(1) => "in a year".into(),
                Some(y) => format!("over {y} years"),
                None => "period not recorded".into(),
            },
            outside: appetite.outside(r.likelihood, r.impact),
            category: r.category.clone().unwrap_or_default(),
            scenario: r.scenario.as_ref().map(|sc| scenario_name(&sc.id)),
            owner: r.meta.owner.clone().unwrap_or_default(),
            controls: r.controls.clone(),
        })
        .collect();
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    rank(&mut rows, |r| (r.likelihood, r.impact));
    let matrix = (1..=5u8)
        .rev()
        .map(|impact| {
            let cells = (1..=5u8)
                .map(|likelihood| Cell {
                    risks: rows
                        .iter()
                        .enumerate()
                        .filter(|(_, r)| r.likelihood == likelihood && r.impact == impact)
                        .map(|(i, r)| (i + 1, r.name.clone(), r.id.clone()))
                        .collect(),
                    outside: appetite.outside(likelihood, impact),
                })
                .collect();
            (impact, impact_word(impact), cells)
        })
        .collect();
    let outside = rows.iter().filter(|r| r.outside).count();
    Ok(RisksPage {
        ctx: Ctx::org(&s, &a, "risks"),
        rows,
        matrix,
        likelihoods: (1..=5u8).zip(LIKELIHOOD_BANDS).collect(),
        appetite: appetite_words(&appetite),
        appetite_set,
        outside,
        saved: done.done.as_deref() == Some("appetite"),
    }
    .into_response())
}

/// The appetite in plain words, from the worst impact down.
fn appetite_words(appetite: &Appetite) -> Vec<String> {
    (1..=5u8)
        .rev()
        .map(|impact| {
            let word = impact_word(impact);
            match appetite.from_likelihood[usize::from(impact) - 1] {
                Some(1) => format!("A {word} impact ({impact}) is outside it at any likelihood"),
                Some(l) => format!(
                    "A {word} impact ({impact}) is outside it from likelihood {l} ({})",
                    likelihood_band(l)
                ),
                None => format!("A {word} impact ({impact}) is always within it"),
            }
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "risk_appetite.html")]
struct AppetitePage {
    ctx: Ctx,
    /// From impact 5 down to 1: (impact, its word, the value chosen: "1" to "5" or "never").
    levels: Vec<(u8, &'static str, String)>,
    /// Likelihood choices: (value, words).
    choices: Vec<(String, String)>,
}

impl AppetitePage {
    fn new(ctx: Ctx, chosen: impl Fn(u8) -> String) -> AppetitePage {
        let mut choices: Vec<(String, String)> = (1..=5u8)
            .zip(LIKELIHOOD_BANDS)
            .map(|(l, band)| (l.to_string(), format!("From likelihood {l} ({band})")))
            .collect();
        choices.push(("never".into(), "Never: always within the appetite".into()));
        AppetitePage {
            ctx,
            levels: (1..=5u8)
                .rev()
                .map(|i| (i, impact_word(i), chosen(i)))
                .collect(),
            choices,
        }
    }
}

/// `GET /o/{org}/risks/appetite`.
pub(super) async fn appetite_form(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Admin>,
) -> Result<Response, PageError> {
    let (appetite, _) = appetite_of(&state, a.org.id).await?;
    let chosen = |impact: u8| {
        appetite.from_likelihood[usize::from(impact) - 1].map_or("never".into(), |l| l.to_string())
    };
    Ok(AppetitePage::new(Ctx::org(&s, &a, "risks"), chosen).into_response())
}

/// `POST /o/{org}/risks/appetite`.
pub(super) async fn save_appetite(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Admin>,
    Path(slug): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    match Appetite::from_fields(|name| f.get(name).cloned()) {
        Ok(appetite) => {
            state
                .store()
                .set_risk_appetite(a.org.id, appetite.from_likelihood, &s.actor())
                .await?;
            Ok(Redirect::to(&format!("/o/{slug}/risks?done=appetite")).into_response())
        }
        Err(errors) => {
            let mut ctx = Ctx::org(&s, &a, "risks");
            ctx.errors = errors;
            let chosen = |impact: u8| {
                f.get(&format!("impact-{impact}"))
                    .cloned()
                    .unwrap_or_else(|| "never".into())
            };
            let page = AppetitePage::new(ctx, chosen);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}
