//! Organisations' models as the web app uses them: read from the store item by item, checked
//! and compiled once per version, and written back only when the whole model stays valid.
//!
//! A single-item edit is checked incrementally against the cached model of the version it
//! was made on (`bulwark_model::stored::edit`), written as that one row, and the checked model
//! it gives becomes the cache of the new version, so nothing is read again. Another server on
//! the same database sees the new version and reads the model afresh.

use crate::error::WebError;
use crate::jobs;
use crate::state::AppState;
use bulwark_engine::Compiled;
use bulwark_engine::spof::ServiceSpof;
use bulwark_model::read::List;
use bulwark_model::stored::{self, Change};
use bulwark_model::{Criticality, Loaded, Severity, export, load_str, load_workbook};
use bulwark_store::{Actor, ItemKind, Organisation, StoredItem};
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
    asset_reliance: OnceLock<Vec<bulwark_engine::estate::Reliance>>,
    ransomware: OnceLock<Vec<Option<bulwark_report::estate::Ransomware>>>,
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

    /// How the services rely on each asset, by asset index: the services its failure alone
    /// loses and those that need it at all (computed once per version).
    pub fn asset_reliance(&self) -> &[bulwark_engine::estate::Reliance] {
        self.asset_reliance.get_or_init(|| {
            self.compiled
                .as_ref()
                .map(|c| c.reliance(self.spof()))
                .unwrap_or_default()
        })
    }

    /// Each IT system's ransomware rehearsal, in model order (simulated once per version);
    /// none when that would cost more than [`bulwark_report::estate::RANSOMWARE_WORK_LIMIT`].
    /// Slow: call it through [`crate::jobs::run`].
    pub fn ransomware(&self) -> &[Option<bulwark_report::estate::Ransomware>] {
        self.ransomware.get_or_init(|| {
            let Some(c) = &self.compiled else {
                return Vec::new();
            };
            let day = chrono::NaiveDate::MIN;
            let mut report = bulwark_report::estate::EstateReport::new(
                &self.loaded.model,
                c,
                self.asset_reliance(),
                day,
            );
            if report.ransomware_work(c) > bulwark_report::estate::RANSOMWARE_WORK_LIMIT {
                return Vec::new();
            }
            report.rehearse_ransomware(&self.loaded.model, c);
            report.ransomware()
        })
    }

    /// How much the services rely on each asset, by asset index (computed once per version).
    pub fn reliance(&self) -> &[Reliance] {
        self.reliance.get_or_init(|| {
            let Some(c) = &self.compiled else {
                return Vec::new();
            };
            // Services lost with nothing failed are in every asset's blast radius; they are not
            // counted against any one asset here.
            let already_lost = self
                .spof()
                .iter()
                .filter(|s| **s == ServiceSpof::LostWithoutFailure)
                .count();
            self.asset_reliance()
                .iter()
                .map(|r| Reliance {
                    services: r.needed_by.len(),
                    critical: r
                        .needed_by
                        .iter()
                        .filter(|s| {
                            c.services[**s as usize].criticality == Some(Criticality::Critical)
                        })
                        .count(),
                    alone: r.lost_alone.len().saturating_sub(already_lost),
                })
                .collect()
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
    let (items, extensions, version) = state.store().model_items(org.id).await?;
    let model = Arc::new(
        jobs::run(state, move || {
            OrgModel::new(version, read_items(&items, extensions))
        })
        .await?,
    );
    state.remember(org.id, model.clone());
    Ok(model)
}

/// Reads and checks a model as the store keeps it, item by item.
pub fn read_items(items: &[StoredItem], extensions: Vec<(String, Value)>) -> Loaded {
    stored::load_items(
        items
            .iter()
            .filter_map(|i| Some((List::from_key(i.kind.list_key())?, &i.body))),
        extensions,
    )
}

impl OrgModel {
    /// The model `loaded` at `version`, compiled when it is valid. Slow on a large model:
    /// call it through [`crate::jobs::run`].
    pub fn new(version: i64, loaded: Loaded) -> OrgModel {
        let compiled = compile(&loaded);
        OrgModel::compiled(version, loaded, compiled)
    }

    fn compiled(version: i64, loaded: Loaded, compiled: Option<Compiled>) -> OrgModel {
        OrgModel {
            version,
            loaded,
            compiled,
            spof: OnceLock::new(),
            reliance: OnceLock::new(),
            asset_reliance: OnceLock::new(),
            ransomware: OnceLock::new(),
            pictures: Mutex::new(HashMap::new()),
            combinations: Mutex::new(HashMap::new()),
        }
    }
}

fn compile(loaded: &Loaded) -> Option<Compiled> {
    if loaded.is_valid() {
        Compiled::new(&loaded.model).ok()
    } else {
        None
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
    let conflict = "Someone else changed the model while you were editing. Reload the page to see their change, then make yours again.";
    let (loaded, compiled) = checked_change(
        state,
        org,
        kind,
        Edit::Put(body.clone()),
        expected_version,
        conflict,
    )
    .await?;
    let version = state
        .store()
        .put_item(org.id, kind, &body, expected_version, actor)
        .await?;
    state.remember(
        org.id,
        Arc::new(OrgModel::compiled(version, loaded, compiled)),
    );
    Ok(version)
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
    if state.store().item(org.id, kind, id).await?.is_none() {
        return Err(WebError::NotFound);
    }
    let conflict = "Someone else changed the model meanwhile. Reload the page and try again.";
    let (loaded, compiled) = checked_change(
        state,
        org,
        kind,
        Edit::Delete(id.to_string()),
        expected_version,
        conflict,
    )
    .await?;
    let version = state
        .store()
        .delete_item(org.id, kind, id, expected_version, actor)
        .await?;
    state.remember(
        org.id,
        Arc::new(OrgModel::compiled(version, loaded, compiled)),
    );
    Ok(version)
}

/// A change to one item, owned so that it can be checked off the async threads.
#[derive(Clone)]
enum Edit {
    Put(Value),
    Delete(String),
}

impl Edit {
    fn change(&self) -> Change<'_> {
        match self {
            Edit::Put(body) => Change::Put(body),
            Edit::Delete(id) => Change::Delete(id),
        }
    }
}

/// The model at `expected_version` with `edit` made, checked (and compiled when valid), or
/// every problem the edit would cause. Checked incrementally from the cached model when it
/// can be; otherwise the whole model is read again with the edit.
async fn checked_change(
    state: &AppState,
    org: &Organisation,
    kind: ItemKind,
    edit: Edit,
    expected_version: i64,
    conflict: &str,
) -> Result<(Loaded, Option<Compiled>), WebError> {
    let list = List::from_key(kind.list_key())
        .ok_or_else(|| WebError::Internal(format!("no list holds {}", kind.as_str())))?;
    let base = org_model(state, org).await?;
    if base.version != expected_version {
        return Err(WebError::Conflict(conflict.into()));
    }
    let change = edit.clone();
    let incremental = jobs::run(state, move || {
        let loaded = stored::edit(&base.loaded, list, change.change())?;
        let compiled = compile(&loaded);
        Some((loaded, compiled))
    })
    .await?;
    let (loaded, compiled) = match incremental {
        Some(done) => done,
        None => {
            let (mut items, extensions, version) = state.store().model_items(org.id).await?;
            if version != expected_version {
                return Err(WebError::Conflict(conflict.into()));
            }
            apply(&mut items, kind, &edit);
            jobs::run(state, move || {
                let loaded = read_items(&items, extensions);
                let compiled = compile(&loaded);
                (loaded, compiled)
            })
            .await?
        }
    };
    if !loaded.is_valid() {
        return Err(WebError::InvalidModel(errors(&loaded)));
    }
    Ok((loaded, compiled))
}

/// Makes `edit` on stored items as the store will: replace in place, add at the end of its
/// kind, or delete.
fn apply(items: &mut Vec<StoredItem>, kind: ItemKind, edit: &Edit) {
    match edit {
        Edit::Put(body) => {
            let id = body.get("id").and_then(Value::as_str).unwrap_or_default();
            let item = StoredItem {
                kind,
                id: id.to_string(),
                body: body.clone(),
            };
            match items.iter().position(|i| i.kind == kind && i.id == id) {
                Some(at) => items[at] = item,
                None => {
                    let order = |k: ItemKind| ItemKind::ALL.iter().position(|x| *x == k);
                    let end = items
                        .iter()
                        .rposition(|i| order(i.kind) <= order(kind))
                        .map_or(0, |at| at + 1);
                    items.insert(end, item);
                }
            }
        }
        Edit::Delete(id) => items.retain(|i| !(i.kind == kind && i.id == *id)),
    }
}

/// Replaces the whole model with the file `name` holding `text`, all or nothing: a model
/// with any error changes nothing, and every problem is returned with its place
/// (`NAME:LINE:COLUMN: message`).
pub async fn import(
    state: &AppState,
    org: &Organisation,
    name: &str,
    text: &str,
    actor: &Actor,
) -> Result<(i64, Loaded), WebError> {
    let (file, body) = (name.to_string(), text.to_string());
    let loaded = jobs::run(state, move || load_str(&file, &body)).await?;
    replace(state, org, loaded, actor).await
}

/// Replaces the whole model with the workbook `name` (the bytes of an `.xlsx` file), all or
/// nothing like [`import`]; problems name their sheet, row and column
/// (`NAME, sheet Services, row 12, column MTPD: message`).
pub async fn import_workbook(
    state: &AppState,
    org: &Organisation,
    name: &str,
    bytes: Vec<u8>,
    actor: &Actor,
) -> Result<(i64, Loaded), WebError> {
    let file = std::path::PathBuf::from(name);
    let loaded = jobs::run(state, move || load_workbook(&file, &bytes)).await?;
    replace(state, org, loaded, actor).await
}

/// The media type of a workbook (`.xlsx`).
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// True when an upload is a workbook: its name ends in `.xlsx`, or it is a zip archive
/// (which a YAML or JSON model never is).
pub fn is_workbook(name: &str, bytes: &[u8]) -> bool {
    bulwark_model::workbook::is_workbook(std::path::Path::new(name))
        || bytes.starts_with(b"PK\x03\x04")
}

async fn replace(
    state: &AppState,
    org: &Organisation,
    loaded: Loaded,
    actor: &Actor,
) -> Result<(i64, Loaded), WebError> {
    if !loaded.is_valid() {
        let problems = loaded
            .problems()
            .filter(|p| p.diagnostic.severity == Severity::Error)
            .map(|p| p.to_string())
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

#[cfg(test)]
mod tests {
    use super::*;
    use bulwark_model::export::{Format, to_value, write};
    use bulwark_store::{Backend, Store};
    use bulwark_testkit::TestDatabase;
    use serde_json::json;

    type Problem = (String, u32, u32, bool, String);

    fn problems(loaded: &Loaded) -> Vec<Problem> {
        let mut out: Vec<Problem> = loaded
            .diagnostics
            .iter()
            .map(|d| {
                (
                    loaded.sources.path(d.pos.file).display().to_string(),
                    d.pos.line,
                    d.pos.column,
                    d.severity == Severity::Error,
                    d.message.clone(),
                )
            })
            .collect();
        out.sort();
        out
    }

    /// The model as a server that has nothing cached reads it.
    async fn fresh(store: &Store, org: i64) -> (Loaded, i64) {
        let (items, extensions, version) = store.model_items(org).await.unwrap();
        (read_items(&items, extensions), version)
    }

    fn actor() -> Actor {
        Actor {
            user_id: None,
            label: "test".into(),
        }
    }

    async fn org(store: &Store) -> Organisation {
        store.org_by_slug("north").await.unwrap().unwrap()
    }

    /// Two servers on one database: an edit made through one leaves in its cache exactly
    /// what a fresh read gives, the other server reads the new version, and edits made on a
    /// version that is no longer current are refused.
    #[tokio::test]
    async fn incremental_edits_leave_the_cache_a_fresh_read_gives_on_every_server() {
        for backend in [Backend::Sqlite, Backend::Postgres] {
            let db = TestDatabase::new(backend).await;
            let one = AppState::new(db.store().await, false);
            let two = AppState::new(db.store().await, false);
            let north = one.store().create_org("north", "North").await.unwrap();
            let demo = bulwark_model::load(
                &std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("../../examples/demo-council/council.yaml"),
            );
            let text = write(&demo.model, Format::Yaml);
            import(&one, &north, "demo.yaml", &text, &actor())
                .await
                .unwrap();
            let start = org(one.store()).await;
            // Both servers have the model cached at the version before the edits.
            org_model(&one, &start).await.unwrap();
            org_model(&two, &start).await.unwrap();

            let mut body = one
                .store()
                .item(start.id, ItemKind::Service, "as-brokerage")
                .await
                .unwrap()
                .unwrap()
                .body;
            body["name"] = json!("Brokerage, renamed");
            body["rto"] = json!("2h");
            let v1 = put_item(
                &one,
                &start,
                ItemKind::Service,
                body.clone(),
                start.model_version,
                &actor(),
            )
            .await
            .unwrap();
            let cached = one
                .cached(start.id, v1)
                .expect("the edit's model is cached");
            let (read, version) = fresh(one.store(), start.id).await;
            assert_eq!(version, v1);
            assert_eq!(to_value(&cached.loaded.model), to_value(&read.model));
            assert_eq!(problems(&cached.loaded), problems(&read));
            assert!(
                problems(&read)
                    .iter()
                    .any(|p| p.4.contains("longer than the RTO of `as-brokerage` (2h)")),
                "the edit's own warnings are worked out: {:?}",
                problems(&read)
            );
            assert!(cached.compiled.is_some());

            // The other server still has the old version: it reads the new one.
            let now = org(two.store()).await;
            assert_eq!(now.model_version, v1);
            let seen = org_model(&two, &now).await.unwrap();
            assert_eq!(seen.version, v1);
            assert_eq!(to_value(&seen.loaded.model), to_value(&read.model));

            // An edit made on the version before is refused, whichever server gets it.
            let stale = put_item(
                &two,
                &start,
                ItemKind::Service,
                body.clone(),
                start.model_version,
                &actor(),
            )
            .await;
            assert!(
                matches!(stale, Err(WebError::Conflict(_))),
                "{:?}",
                stale.err()
            );

            // The second server edits next; the first reads that edit.
            let mut new = body.clone();
            new["id"] = json!("new-service");
            new["needs"] = json!(["as-brokerage"]);
            let v2 = put_item(&two, &now, ItemKind::Service, new.clone(), v1, &actor())
                .await
                .unwrap();
            let later = org(one.store()).await;
            let m = org_model(&one, &later).await.unwrap();
            assert_eq!(m.version, v2);
            assert!(
                m.loaded
                    .model
                    .services
                    .iter()
                    .any(|s| s.meta.id.as_str() == "new-service")
            );

            // A change that breaks the model is refused with what a full check says.
            let mut broken = body.clone();
            broken["needs"] = json!(["new-service"]);
            let refused = put_item(
                &one,
                &later,
                ItemKind::Service,
                broken.clone(),
                v2,
                &actor(),
            )
            .await;
            let Err(WebError::InvalidModel(said)) = refused else {
                panic!("a cycle is refused: {:?}", refused.ok());
            };
            let (mut items, extensions, _) = one.store().model_items(later.id).await.unwrap();
            apply(&mut items, ItemKind::Service, &Edit::Put(broken));
            assert_eq!(said, errors(&read_items(&items, extensions)));
            assert!(
                said.iter().any(|m| m.contains("dependency cycle")),
                "{said:?}"
            );
            let refused = delete_item(
                &one,
                &later,
                ItemKind::Service,
                "as-brokerage",
                v2,
                &actor(),
            )
            .await;
            assert!(matches!(refused, Err(WebError::InvalidModel(_))));
            assert_eq!(
                org(one.store()).await.model_version,
                v2,
                "nothing was written"
            );

            // Deleting what nothing needs lands, and the cache follows.
            let v3 = delete_item(&one, &later, ItemKind::Service, "new-service", v2, &actor())
                .await
                .unwrap();
            let cached = one
                .cached(later.id, v3)
                .expect("the deletion's model is cached");
            let (read, _) = fresh(one.store(), later.id).await;
            assert_eq!(to_value(&cached.loaded.model), to_value(&read.model));
            assert_eq!(problems(&cached.loaded), problems(&read));
        }
    }
}
