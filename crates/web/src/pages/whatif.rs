//! What if: pick failures, see what is lost and why.

use super::{Ctx, FieldError};
use crate::access::{Member, Viewer};
use crate::error::PageError;
use crate::models::org_model;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::Query;
use bulwark_model::AssetKind;
use serde::Deserialize;

/// A group of things that can be failed.
pub struct Group {
    /// Heading.
    pub label: &'static str,
    /// (id, name, checked).
    pub items: Vec<(String, String, bool)>,
    /// Shown open because something in it is checked.
    pub open: bool,
}

/// A lost or degraded service in the result.
pub struct Outcome {
    /// Service id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Criticality word.
    pub criticality: &'static str,
    /// Capacity left, as a percentage.
    pub capacity: String,
    /// Why.
    pub because: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "whatif.html")]
struct WhatIfPage {
    ctx: Ctx,
    groups: Vec<Group>,
    asked: bool,
    failed: Vec<String>,
    lost: Vec<Outcome>,
    degraded: Vec<Outcome>,
    unaffected: usize,
}

impl WhatIfPage {
    /// The heading of the answer: "If Town Hall fails", "If Town Hall and Depot fail".
    fn heading(&self) -> String {
        match self.failed.as_slice() {
            [] => String::new(),
            [one] => format!("If {one} fails"),
            [rest @ .., last] => format!("If {} and {last} fail", rest.join(", ")),
        }
    }

    /// `n` with `one` or `many` after it: "1 service", "3 services".
    fn how_many(&self, n: impl std::borrow::Borrow<usize>, one: &str, many: &str) -> String {
        super::plural(*n.borrow(), one, many)
    }
}

#[derive(Deserialize)]
pub(super) struct Fail {
    #[serde(default)]
    fail: Vec<String>,
    /// Set by the form's button, so that submitting it with nothing ticked can be told
    /// from a first visit.
    asked: Option<String>,
}

/// `GET /o/{org}/what-if?fail=ID&fail=ID`.
pub(super) async fn whatif(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Viewer>,
    Query(q): Query<Fail>,
) -> Result<Response, PageError> {
    let m = org_model(&state, &a.org).await?;
    let mut ctx = Ctx::org(&s, &a, "what-if");
    let model = &m.loaded.model;
    let checked = |id: &str| q.fail.iter().any(|f| f == id);
    let mut groups: Vec<Group> = AssetKind::ALL
        .iter()
        .map(|k| Group {
            label: match k {
                AssetKind::Site => "Sites",
                AssetKind::ItSystem => "IT systems",
                AssetKind::Supplier => "Suppliers",
                AssetKind::Utility => "Utilities",
                AssetKind::Data => "Data",
                AssetKind::Equipment => "Equipment",
                AssetKind::Vehicle => "Vehicles",
                AssetKind::Other => "Other assets",
            },
            items: model
                .assets
                .iter()
                .filter(|x| x.kind == *k)
                .map(|x| {
                    (
                        x.meta.id.to_string(),
                        x.meta.name.clone(),
                        checked(x.meta.id.as_str()),
                    )
                })
                .collect(),
            open: false,
        })
        .filter(|g| !g.items.is_empty())
        .collect();
    groups.push(Group {
        label: "Staff skills (everyone absent)",
        items: model
            .skills
            .iter()
            .map(|x| {
                (
                    x.meta.id.to_string(),
                    x.meta.name.clone(),
                    checked(x.meta.id.as_str()),
                )
            })
            .collect(),
        open: false,
    });
    for g in &mut groups {
        g.open = g.items.iter().any(|i| i.2);
    }
    let (mut lost, mut degraded, mut unaffected) = (Vec::new(), Vec::new(), 0);
    if let (Some(c), false) = (&m.compiled, q.fail.is_empty()) {
        let name_of = |id: &str| crate::board::item_name(model, id);
        let mut refs = Vec::new();
        for id in &q.fail {
            match c.lookup(id) {
                Some(r) => refs.push(r),
                None => ctx.errors.push(FieldError {
                    field: "failures".into(),
                    message: format!("There is no asset, service or skill with the id {id}"),
                }),
            }
        }
        let result = {
            let m = m.clone();
            crate::jobs::run(&state, move || m.compiled.as_ref().map(|c| c.impact(&refs)))
                .await?
                .unwrap_or_default()
        };
        let outcome = |i: u32, capacity: f64, because: String| {
            let svc = &c.services[i as usize];
            Outcome {
                id: svc.id.clone(),
                name: svc.name.clone(),
                criticality: svc.criticality.map_or("not rated", |c| c.as_str()),
                capacity: format!("{:.0}%", capacity * 100.0),
                because,
            }
        };
        let mut l = result.lost.clone();
        l.sort_by_key(|x| {
            (
                c.services[x.service as usize]
                    .criticality
                    .map_or(9, |c| c as u8),
                x.service,
            )
        });
        lost = l
            .iter()
            .map(|x| {
                outcome(
                    x.service,
                    x.capacity,
                    crate::board::in_words_failing(&x.because, &name_of, "fails"),
                )
            })
            .collect();
        degraded = result
            .degraded
            .iter()
            .map(|x| outcome(x.service, x.capacity, String::new()))
            .collect();
        unaffected = c.services.len() - lost.len() - degraded.len();
    }
    if q.asked.is_some() && q.fail.is_empty() {
        ctx.errors.push(FieldError {
            field: "failures".into(),
            message: "Choose at least one asset, service or skill that fails".into(),
        });
    }
    let failed = q
        .fail
        .iter()
        .map(|id| crate::board::item_name(model, id))
        .collect();
    Ok(WhatIfPage {
        ctx,
        groups,
        asked: !q.fail.is_empty(),
        failed,
        lost,
        degraded,
        unaffected,
    }
    .into_response())
}
