//! Assets (and how many critical services rely on each) and staff skills. Suppliers have
//! their own page (`estate.rs`), the risk register too (`risks.rs`).

use super::Ctx;
use crate::access::{Member, Viewer};
use crate::error::PageError;
use crate::models::{OrgModel, org_model};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use bulwark_model::{AssetKind, Failure};
use serde::Deserialize;

/// One asset row.
pub struct AssetRow {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Kind word.
    pub kind: &'static str,
    /// Services that depend on it, directly or not.
    pub used_by: usize,
    /// Critical services among them.
    pub critical: usize,
    /// Services for which it is a single point of failure.
    pub spof_for: usize,
    /// Failure figures, in words.
    pub failure: String,
    /// Support or contract end.
    pub ends: String,
}

fn asset_rows(m: &OrgModel, only: Option<AssetKind>) -> Vec<AssetRow> {
    if m.compiled.is_none() {
        return Vec::new();
    }
    let counts = m.reliance();
    m.loaded
        .model
        .assets
        .iter()
        .enumerate()
        .filter(|(_, a)| only.is_none_or(|k| a.kind == k))
        .map(|(i, a)| AssetRow {
            id: a.meta.id.to_string(),
            name: a.meta.name.clone(),
            kind: a.kind.as_str(),
            used_by: counts[i].services,
            critical: counts[i].critical,
            spof_for: counts[i].alone,
            failure: match a.failure {
                Some(Failure::Probability(p)) => format!("{:.1}% a year", p * 100.0),
                Some(Failure::Rate { rate, repair }) => {
                    format!("{rate} a year, {repair} to restore")
                }
                None => String::new(),
            },
            ends: a
                .end_of_support
                .or(a.contract_end)
                .map(|d| d.to_string())
                .unwrap_or_default(),
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "assets.html")]
struct AssetsPage {
    ctx: Ctx,
    heading: &'static str,
    intro: &'static str,
    rows: Vec<AssetRow>,
    kinds: Vec<&'static str>,
    kind: String,
    ends_label: &'static str,
}

#[derive(Deserialize)]
pub(super) struct KindFilter {
    #[serde(default)]
    kind: String,
}

/// `GET /o/{org}/assets`.
pub(super) async fn assets(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Viewer>,
    Query(f): Query<KindFilter>,
) -> Result<Response, PageError> {
    let m = org_model(&state, &a.org).await?;
    let only = AssetKind::ALL.into_iter().find(|k| k.as_str() == f.kind);
    let mut rows = asset_rows(&m, only);
    rows.sort_by(|a, b| {
        b.spof_for
            .cmp(&a.spof_for)
            .then(b.used_by.cmp(&a.used_by))
            .then(a.id.cmp(&b.id))
    });
    Ok(AssetsPage {
        ctx: Ctx::org(&s, &a, "assets"),
        heading: "Assets",
        intro: "Sites, systems, suppliers, utilities, data and equipment, with how many services rely on each. Those that alone can lose a service come first.",
        rows,
        kinds: AssetKind::ALL.iter().map(|k| k.as_str()).collect(),
        kind: f.kind,
        ends_label: "Support or contract ends",
    }
    .into_response())
}

/// One skill row.
pub struct SkillRow {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Headcount (FTE).
    pub headcount: f64,
    /// FTE all services need.
    pub required: f64,
    /// Skills these staff can cover.
    pub cover: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "skills.html")]
struct SkillsPage {
    ctx: Ctx,
    rows: Vec<SkillRow>,
}

/// `GET /o/{org}/skills`.
pub(super) async fn skills(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Viewer>,
) -> Result<Response, PageError> {
    let m = org_model(&state, &a.org).await?;
    let model = &m.loaded.model;
    let rows = model
        .skills
        .iter()
        .map(|k| SkillRow {
            id: k.meta.id.to_string(),
            name: k.meta.name.clone(),
            headcount: k.headcount,
            required: model
                .services
                .iter()
                .flat_map(|s| &s.staff)
                .filter(|st| st.skill.id == k.meta.id.as_str())
                .map(|st| st.fte)
                .sum(),
            cover: k
                .can_cover
                .iter()
                .map(|r| r.id.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        })
        .collect();
    Ok(SkillsPage {
        ctx: Ctx::org(&s, &a, "skills"),
        rows,
    }
    .into_response())
}
