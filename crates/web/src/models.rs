//! Organisations' models as the web app uses them: read from the store, checked and
//! compiled once per version, and written back only when the whole model stays valid.

use crate::error::WebError;
use crate::jobs;
use crate::state::AppState;
use bulwark_engine::spof::ServiceSpof;
use bulwark_engine::{Compiled, NodeKind};
use bulwark_model::{Criticality, Loaded, Severity, export, load_str};
use bulwark_store::{Actor, ItemKind, Organisation};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

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
    pictures: Mutex<HashMap<u32, Arc<String>>>,
    combinations: Mutex<HashMap<u32, Arc<Option<Vec<String>>>>>,
}

/// The most items a dependency picture draws; beyond it the layout would take minutes and
/// be unreadable, so the page says so and the list of needs stands in for the picture.
pub const PICTURE_LIMIT: usize = 250;

/// The most items behind a service for which a page lists its combinations of two or three
/// failures; beyond it the search costs too much memory for a page (`bulwark cutsets` does it).
pub const COMBINATIONS_LIMIT: usize = 1_000;

/// The value under `key` in `memo`, made by `make` the first time.
fn remembered<T>(memo: &Mutex<HashMap<u32, Arc<T>>>, key: u32, make: impl FnOnce() -> T) -> Arc<T> {
    let known = memo
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&key)
        .cloned();
    if let Some(v) = known {
        return v;
    }
    let v = Arc::new(make());
    memo.lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(key, v.clone());
    v
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

    /// The dependency picture (SVG) of service `index`, drawn once per model version; a
    /// short note instead when it reaches more than [`PICTURE_LIMIT`] items. Slow: call it
    /// through [`crate::jobs::run`].
    pub fn picture(&self, index: u32) -> Arc<String> {
        remembered(&self.pictures, index, || match &self.compiled {
            None => String::new(),
            Some(c) => {
                let items = self.items_behind(c, index);
                if items > PICTURE_LIMIT {
                    too_big_to_draw(items)
                } else {
                    bulwark_report::svg(c, Some(index)).unwrap_or_default()
                }
            }
        })
    }

    /// The combinations of two or three asset failures that lose service `index`, as ids
    /// joined by ` + `, worked out once per model version; `None` when more than
    /// [`COMBINATIONS_LIMIT`] items stand behind it. Slow: call it through [`crate::jobs::run`].
    pub fn combinations(&self, index: u32) -> Arc<Option<Vec<String>>> {
        remembered(&self.combinations, index, || {
            let c = self.compiled.as_ref()?;
            if self.items_behind(c, index) > COMBINATIONS_LIMIT {
                return None;
            }
            let sets = c.cut_sets(index, 3);
            Some(
                sets.iter()
                    .filter(|s| s.len() > 1)
                    .map(|s| {
                        let mut ids: Vec<&str> = s
                            .iter()
                            .map(|x| c.assets[*x as usize].id.as_str())
                            .collect();
                        ids.sort_unstable();
                        ids.join(" + ")
                    })
                    .collect(),
            )
        })
    }

    /// How many items service `index` depends on, directly or not.
    fn items_behind(&self, c: &Compiled, index: u32) -> usize {
        c.services
            .get(index as usize)
            .map_or(0, |s| c.reachable(s.node).len())
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
    // One load per organisation at a time: the others wait for it and use the cache.
    let lock = state.loading(org.id);
    let _loading = lock.lock().await;
    if let Some(m) = state.cached(org.id, org.model_version) {
        return Ok(m);
    }
    let (document, version) = state.store().model_document(org.id).await?;
    let model = Arc::new(jobs::run(state, move || check(&document, version)).await?);
    state.remember(org.id, model.clone());
    Ok(model)
}

/// Checks `doc` as a whole model, off the async threads.
async fn check_off_thread(
    state: &AppState,
    doc: Value,
    version: i64,
) -> Result<OrgModel, WebError> {
    jobs::run(state, move || check(&doc, version)).await
}

fn check(document: &Value, version: i64) -> OrgModel {
    // Serialising a JSON value to a string cannot fail.
    let text = serde_json::to_string_pretty(document).unwrap_or_default();
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
        pictures: Mutex::new(HashMap::new()),
        combinations: Mutex::new(HashMap::new()),
    }
}

/// A picture that says the real one would be too big to read.
fn too_big_to_draw(items: usize) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" height=\"60\" viewBox=\"0 0 640 60\">\
         <text x=\"10\" y=\"35\" font-family=\"sans-serif\" font-size=\"16\">\
         This service depends on {items} items: too many to draw readably. See the list of needs.</text></svg>"
    )
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
    let slot = &mut doc[kind.list_key()];
    if !slot.is_array() {
        *slot = Value::Array(Vec::new());
    }
    match slot {
        Value::Array(list) => list,
        _ => unreachable!("made an array just above"),
    }
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
    let checked = check_off_thread(state, doc, version).await?;
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
    let checked = check_off_thread(state, doc, version).await?;
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
    let (file, body) = (name.to_string(), text.to_string());
    let loaded = jobs::run(state, move || load_str(&file, &body)).await?;
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
