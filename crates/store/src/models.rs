//! Organisations' models, kept item by item as the JSON the model format exports, so that
//! what is stored reads back through the same validation as a file and round-trips exactly.
//!
//! Writes are whole transactions guarded by the organisation's model version: a caller
//! validates the model it is about to write, then writes only if nobody changed the model
//! since it read it; otherwise it gets a conflict and reads again.

use crate::audit::{Actor, Change, record};
use crate::{Store, StoreError};
use serde_json::{Map, Value};
use sqlx::Row;

/// The kinds of item a model holds, in the order they are written out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ItemKind {
    /// An organisation entry of the model.
    Organisation,
    /// A skill.
    Skill,
    /// A service.
    Service,
    /// An asset.
    Asset,
    /// A risk.
    Risk,
    /// A scenario.
    Scenario,
}

impl ItemKind {
    /// Every kind, in export order.
    pub const ALL: [ItemKind; 6] = [
        Self::Organisation,
        Self::Skill,
        Self::Service,
        Self::Asset,
        Self::Risk,
        Self::Scenario,
    ];

    /// The word stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Organisation => "organisation",
            Self::Skill => "skill",
            Self::Service => "service",
            Self::Asset => "asset",
            Self::Risk => "risk",
            Self::Scenario => "scenario",
        }
    }

    /// The model file's list key for this kind.
    pub fn list_key(self) -> &'static str {
        match self {
            Self::Organisation => "organisations",
            Self::Skill => "skills",
            Self::Service => "services",
            Self::Asset => "assets",
            Self::Risk => "risks",
            Self::Scenario => "scenarios",
        }
    }

    fn parse(text: &str) -> Option<ItemKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// One stored item.
#[derive(Debug, Clone)]
pub struct StoredItem {
    /// Its kind.
    pub kind: ItemKind,
    /// Its id.
    pub id: String,
    /// Its JSON, as the model format writes it.
    pub body: Value,
}

fn item_id(body: &Value) -> String {
    body.get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

impl Store {
    /// The organisation's whole model as a model-format JSON document, with its version.
    pub async fn model_document(&self, org: i64) -> Result<(Value, i64), StoreError> {
        let meta = sqlx::query("SELECT model_version, extensions FROM organisations WHERE id = $1")
            .bind(org)
            .fetch_optional(&self.pool)
            .await?;
        let Some(meta) = meta else {
            return Err(StoreError::NotFound);
        };
        let version: i64 = meta.try_get("model_version")?;
        let extensions: String = meta.try_get("extensions")?;
        let mut doc = Map::new();
        doc.insert("bulwark".into(), Value::from(1));
        for item in self.items(org, None).await? {
            let list = doc
                .entry(item.kind.list_key())
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(items) = list {
                items.push(item.body);
            }
        }
        for (k, v) in extension_pairs(&extensions) {
            doc.insert(k, v);
        }
        Ok((Value::Object(doc), version))
    }

    /// The organisation's whole model as its items (in model order) and top-level `x-` keys,
    /// all at the one version returned: read again if the model changed while it was read.
    pub async fn model_items(
        &self,
        org: i64,
    ) -> Result<(Vec<StoredItem>, Vec<(String, Value)>, i64), StoreError> {
        let mut version = self.model_version(org).await?;
        loop {
            let items = self.items(org, None).await?;
            let row =
                sqlx::query("SELECT model_version, extensions FROM organisations WHERE id = $1")
                    .bind(org)
                    .fetch_optional(&self.pool)
                    .await?
                    .ok_or(StoreError::NotFound)?;
            let now: i64 = row.try_get("model_version")?;
            if now == version {
                let extensions: String = row.try_get("extensions")?;
                return Ok((items, extension_pairs(&extensions), version));
            }
            version = now;
        }
    }

    async fn model_version(&self, org: i64) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT model_version FROM organisations WHERE id = $1")
            .bind(org)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(row.try_get("model_version")?)
    }

    /// Items of `org`, of one kind or all, in model order.
    pub async fn items(
        &self,
        org: i64,
        kind: Option<ItemKind>,
    ) -> Result<Vec<StoredItem>, StoreError> {
        let rows = sqlx::query("SELECT kind, item_id, body FROM model_items WHERE org_id = $1 AND ($2 = '' OR kind = $2) ORDER BY position")
            .bind(org)
            .bind(kind.map_or("", ItemKind::as_str))
            .fetch_all(&self.pool)
            .await?;
        let mut items: Vec<StoredItem> = Vec::with_capacity(rows.len());
        for r in &rows {
            let body: String = r.try_get("body")?;
            items.push(StoredItem {
                kind: ItemKind::parse(&r.try_get::<String, _>("kind")?).unwrap_or(ItemKind::Asset),
                id: r.try_get("item_id")?,
                body: serde_json::from_str(&body).unwrap_or(Value::Null),
            });
        }
        items.sort_by_key(|i| ItemKind::ALL.iter().position(|k| *k == i.kind));
        Ok(items)
    }

    /// One item of `org`.
    pub async fn item(
        &self,
        org: i64,
        kind: ItemKind,
        id: &str,
    ) -> Result<Option<StoredItem>, StoreError> {
        let row = sqlx::query(
            "SELECT body FROM model_items WHERE org_id = $1 AND kind = $2 AND item_id = $3",
        )
        .bind(org)
        .bind(kind.as_str())
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let body: String = row.try_get("body")?;
        Ok(Some(StoredItem {
            kind,
            id: id.to_string(),
            body: serde_json::from_str(&body).unwrap_or(Value::Null),
        }))
    }

    /// Replaces the whole model of `org` with `document` (a model-format JSON document that
    /// the caller has validated), in one transaction, if the model is still at
    /// `expected_version` (or always, when it is `None`). Returns the new version.
    pub async fn replace_model(
        &self,
        org: i64,
        document: &Value,
        expected_version: Option<i64>,
        actor: &Actor,
    ) -> Result<i64, StoreError> {
        let (before, _) = self.model_document(org).await?;
        let mut tx = self.pool.begin().await?;
        let version = bump_version(&mut tx, org, expected_version).await?;
        sqlx::query("DELETE FROM model_items WHERE org_id = $1")
            .bind(org)
            .execute(&mut *tx)
            .await?;
        let mut position = 0i64;
        let mut extensions = Vec::new();
        if let Value::Object(map) = document {
            for (key, value) in map {
                if key.starts_with("x-") {
                    extensions.push(Value::Array(vec![Value::from(key.clone()), value.clone()]));
                    continue;
                }
                let Some(kind) = ItemKind::ALL.into_iter().find(|k| k.list_key() == key) else {
                    continue;
                };
                for body in value.as_array().into_iter().flatten() {
                    position += 1;
                    insert_item(&mut tx, org, kind, body, position).await?;
                }
            }
        }
        // A share ends with its service.
        sqlx::query(
            "DELETE FROM shares WHERE org_id = $1 AND NOT EXISTS (SELECT 1 FROM model_items m \
             WHERE m.org_id = shares.org_id AND m.kind = 'service' AND m.item_id = shares.service_id)",
        )
        .bind(org)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE organisations SET extensions = $1 WHERE id = $2")
            .bind(Value::Array(extensions).to_string())
            .bind(org)
            .execute(&mut *tx)
            .await?;
        let change = Change {
            org: Some(org),
            actor,
            action: "import",
            entity: "model",
            entity_id: "",
            before: Some(before.to_string()),
            after: Some(document.to_string()),
            summary: Some(summarise(&before, document).to_string()),
        };
        record(&mut *tx, change).await?;
        tx.commit().await?;
        Ok(version)
    }

    /// Creates or replaces one item (the caller validated the model with it), keeping its
    /// place, if the model is still at `expected_version`. Returns the new version.
    pub async fn put_item(
        &self,
        org: i64,
        kind: ItemKind,
        body: &Value,
        expected_version: i64,
        actor: &Actor,
    ) -> Result<i64, StoreError> {
        let id = item_id(body);
        let before = self.item(org, kind, &id).await?;
        let mut tx = self.pool.begin().await?;
        let version = bump_version(&mut tx, org, Some(expected_version)).await?;
        let action = if before.is_some() {
            sqlx::query(
                "UPDATE model_items SET body = $1 WHERE org_id = $2 AND kind = $3 AND item_id = $4",
            )
            .bind(body.to_string())
            .bind(org)
            .bind(kind.as_str())
            .bind(&id)
            .execute(&mut *tx)
            .await?;
            "update"
        } else {
            let row = sqlx::query(
                "SELECT COALESCE(MAX(position), 0) AS p FROM model_items WHERE org_id = $1",
            )
            .bind(org)
            .fetch_one(&mut *tx)
            .await?;
            insert_item(&mut tx, org, kind, body, row.try_get::<i64, _>("p")? + 1).await?;
            "create"
        };
        let change = Change {
            org: Some(org),
            actor,
            action,
            entity: kind.as_str(),
            entity_id: &id,
            before: before.map(|b| b.body.to_string()),
            after: Some(body.to_string()),
            summary: None,
        };
        record(&mut *tx, change).await?;
        tx.commit().await?;
        Ok(version)
    }

    /// Deletes one item if the model is still at `expected_version`. Returns the new version.
    pub async fn delete_item(
        &self,
        org: i64,
        kind: ItemKind,
        id: &str,
        expected_version: i64,
        actor: &Actor,
    ) -> Result<i64, StoreError> {
        let Some(before) = self.item(org, kind, id).await? else {
            return Err(StoreError::NotFound);
        };
        let mut tx = self.pool.begin().await?;
        let version = bump_version(&mut tx, org, Some(expected_version)).await?;
        sqlx::query("DELETE FROM model_items WHERE org_id = $1 AND kind = $2 AND item_id = $3")
            .bind(org)
            .bind(kind.as_str())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if kind == ItemKind::Service {
            // A share ends with its service: a new service with the same id is not shared.
            sqlx::query("DELETE FROM shares WHERE org_id = $1 AND service_id = $2")
                .bind(org)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        let change = Change {
            org: Some(org),
            actor,
            action: "delete",
            entity: kind.as_str(),
            entity_id: id,
            before: Some(before.body.to_string()),
            after: None,
            summary: None,
        };
        record(&mut *tx, change).await?;
        tx.commit().await?;
        Ok(version)
    }
}

/// The top-level `x-` keys as stored: a JSON list of `[key, value]` pairs.
fn extension_pairs(stored: &str) -> Vec<(String, Value)> {
    let Ok(Value::Array(pairs)) = serde_json::from_str::<Value>(stored) else {
        return Vec::new();
    };
    pairs
        .into_iter()
        .filter_map(|pair| match pair {
            Value::Array(mut kv) if kv.len() == 2 => {
                let v = kv.pop()?;
                Some((kv.pop()?.as_str()?.to_string(), v))
            }
            _ => None,
        })
        .collect()
}

/// Moves the model to its next version inside `tx`, failing if someone else got there first.
async fn bump_version(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    org: i64,
    expected: Option<i64>,
) -> Result<i64, StoreError> {
    let done = match expected {
        Some(v) => sqlx::query("UPDATE organisations SET model_version = model_version + 1 WHERE id = $1 AND model_version = $2").bind(org).bind(v).execute(&mut **tx).await?,
        None => sqlx::query("UPDATE organisations SET model_version = model_version + 1 WHERE id = $1").bind(org).execute(&mut **tx).await?,
    };
    if done.rows_affected() == 0 {
        return Err(StoreError::Conflict(
            "the model was changed by someone else meanwhile; reload and try again".into(),
        ));
    }
    let row = sqlx::query("SELECT model_version FROM organisations WHERE id = $1")
        .bind(org)
        .fetch_one(&mut **tx)
        .await?;
    Ok(row.try_get("model_version")?)
}

async fn insert_item(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    org: i64,
    kind: ItemKind,
    body: &Value,
    position: i64,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO model_items (org_id, kind, item_id, position, body) VALUES ($1, $2, $3, $4, $5)")
        .bind(org)
        .bind(kind.as_str())
        .bind(item_id(body))
        .bind(position)
        .bind(body.to_string())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// What an import changed: per kind of item, the ids added, removed and changed.
fn summarise(before: &Value, after: &Value) -> Value {
    let mut out = serde_json::Map::new();
    for kind in ItemKind::ALL {
        let items = |doc: &Value| -> std::collections::BTreeMap<String, Value> {
            doc.get(kind.list_key())
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|v| (item_id(v), v.clone()))
                .collect()
        };
        let (old, new) = (items(before), items(after));
        let added: Vec<&String> = new.keys().filter(|k| !old.contains_key(*k)).collect();
        let removed: Vec<&String> = old.keys().filter(|k| !new.contains_key(*k)).collect();
        let changed: Vec<&String> = new
            .iter()
            .filter(|(k, v)| old.get(*k).is_some_and(|o| o != *v))
            .map(|(k, _)| k)
            .collect();
        if !(added.is_empty() && removed.is_empty() && changed.is_empty()) {
            out.insert(
                kind.list_key().to_string(),
                serde_json::json!({"added": added, "removed": removed, "changed": changed}),
            );
        }
    }
    Value::Object(out)
}
