//! Organisations' models as the web app uses them: read from the store, checked and
//! compiled once per version, and written back only when the whole model stays valid.

use crate::error::WebError;
use crate::state::AppState;
use bulwark_engine::spof::ServiceSpof;
use bulwark_engine::{Compiled, NodeKind};
use bulwark_model::{Criticality, Loaded, Severity, export, load_str};
use bulwark_store::{Actor, ItemKind, Organisation};
use serde_json::Value;
use std::sync::{Arc, OnceLock};

/// An organisation's model at one version, checked and compiled.
pub struct OrgModel {
    /// The model version it was read at.
    pub version: i64,
    /// The model, with its problems.
    pub loaded: Loaded,
    /// The compiled graph, when the model is valid.
    pub compiled: Option<Compiled>,
    spof: OnceLock<Vec<ServiceSpof>>,
    reliance: OnceLock<Vec<Reliance>>,
}

/// How much the services rely on one asset.
#[derive(Debug, Clone, Copy, Default)]
pub struct Reliance {
    /// Services that depend on it, directly or not.
    pub services: usize,
    /// Critical services among them.
    pub critical: usize,
    /// Services for which it alone is a single point of failure.
    pub alone: usize,
}

impl OrgModel {
    /// Single points of failure of every service (computed once per version).
    pub fn spof(&self) -> &[ServiceSpof] {
        self.spof.get_or_init(|| {
            self.compiled
                .as_ref()
                .map(Compiled::spof)
                .unwrap_or_default()
        })
    }

    /// How much the services rely on each asset, by asset index (computed once per version).
    pub fn reliance(&self) -> &[Reliance] {
        self.reliance.get_or_init(|| {
            let Some(c) = &self.compiled else {
                return Vec::new();
            };
            let mut out = vec![Reliance::default(); c.assets.len()];
            for (i, s) in c.services.iter().enumerate() {
                for n in c.reachable(s.node) {
                    if let NodeKind::Asset(a) = c.kind(n) {
                        out[a as usize].services += 1;
                        out[a as usize].critical +=
                            usize::from(s.criticality == Some(Criticality::Critical));
                    }
                }
                if let Some(ServiceSpof::Assets(points)) = self.spof().get(i) {
                    for a in points {
                        out[*a as usize].alone += 1;
                    }
                }
            }
            out
        })
    }
}

/// The current model of `org`, from the cache when its version has not changed.
pub async fn org_model(state: &AppState, org: &Organisation) -> Result<Arc<OrgModel>, WebError> {
    // `org` was read in this request (by the access check), so its version is current.
    if let Some(m) = state.cached(org.id, org.model_version) {
        return Ok(m);
    }
    let (document, version) = state.store().model_document(org.id).await?;
    let model = Arc::new(check(&document, version));
    state.remember(org.id, model.clone());
    Ok(model)
}

fn check(document: &Value, version: i64) -> OrgModel {
    let text = serde_json::to_string_pretty(document).expect("JSON values serialise");
    let loaded = load_str("model.json", &text);
    let compiled = if loaded.is_valid() {
        Compiled::new(&loaded.model).ok()
    } else {
        None
    };
    OrgModel {
        version,
        loaded,
        compiled,
        spof: OnceLock::new(),
        reliance: OnceLock::new(),
    }
}

/// The errors (not warnings) of a loaded model, as messages.
pub fn errors(loaded: &Loaded) -> Vec<String> {
    loaded
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.message.clone())
        .collect()
}

fn list_mut(doc: &mut Value, kind: ItemKind) -> &mut Vec<Value> {
    if doc.get(kind.list_key()).is_none() {
        doc[kind.list_key()] = Value::Array(Vec::new());
    }
    doc[kind.list_key()]
        .as_array_mut()
        .expect("model lists are arrays")
}

/// Writes one item (new or replacing the one with its id) if the model stays valid and is
/// still at `expected_version`. Every problem the change would cause is returned otherwise.
pub async fn put_item(
    state: &AppState,
    org: &Organisation,
    kind: ItemKind,
    body: Value,
    expected_version: i64,
    actor: &Actor,
) -> Result<i64, WebError> {
    let (mut doc, version) = state.store().model_document(org.id).await?;
    if version != expected_version {
        return Err(WebError::Conflict("Someone else changed the model while you were editing. Reload the page to see their change, then make yours again.".into()));
    }
    let id = body
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let list = list_mut(&mut doc, kind);
    match list
        .iter()
        .position(|v| v.get("id").and_then(Value::as_str) == Some(id.as_str()))
    {
        Some(i) => list[i] = body.clone(),
        None => list.push(body.clone()),
    }
    let checked = check(&doc, version);
    if !checked.loaded.is_valid() {
        return Err(WebError::InvalidModel(errors(&checked.loaded)));
    }
    Ok(state
        .store()
        .put_item(org.id, kind, &body, expected_version, actor)
        .await?)
}

/// Deletes one item if nothing else still needs it.
pub async fn delete_item(
    state: &AppState,
    org: &Organisation,
    kind: ItemKind,
    id: &str,
    expected_version: i64,
    actor: &Actor,
) -> Result<i64, WebError> {
    let (mut doc, version) = state.store().model_document(org.id).await?;
    if version != expected_version {
        return Err(WebError::Conflict(
            "Someone else changed the model meanwhile. Reload the page and try again.".into(),
        ));
    }
    let list = list_mut(&mut doc, kind);
    let before = list.len();
    list.retain(|v| v.get("id").and_then(Value::as_str) != Some(id));
    if list.len() == before {
        return Err(WebError::NotFound);
    }
    let checked = check(&doc, version);
    if !checked.loaded.is_valid() {
        return Err(WebError::InvalidModel(errors(&checked.loaded)));
    }
    Ok(state
        .store()
        .delete_item(org.id, kind, id, expected_version, actor)
        .await?)
}

/// Replaces the whole model with the file `name` holding `text`, all or nothing: a model
/// with any error changes nothing, and every problem is returned as `LINE:COLUMN: message`.
pub async fn import(
    state: &AppState,
    org: &Organisation,
    name: &str,
    text: &str,
    actor: &Actor,
) -> Result<(i64, Loaded), WebError> {
    let loaded = load_str(name, text);
    if !loaded.is_valid() {
        let problems = loaded
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| format!("{name}:{}:{}: {}", d.pos.line, d.pos.column, d.message))
            .collect();
        return Err(WebError::InvalidModel(problems));
    }
    let document = export::to_value(&loaded.model);
    let version = state
        .store()
        .replace_model(org.id, &document, None, actor)
        .await?;
    Ok((version, loaded))
}
