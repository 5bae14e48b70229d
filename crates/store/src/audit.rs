//! The audit trail: who changed what, when, with the before and after.

use crate::{Store, StoreError, now};
use serde::Serialize;
use sqlx::Row;

/// Who made a change.
#[derive(Debug, Clone)]
pub struct Actor {
    /// The user, when a person (or their API token) made it.
    pub user_id: Option<i64>,
    /// A readable label: an email, or `command line`.
    pub label: String,
}

/// One recorded change.
#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    /// Database id, increasing.
    pub id: i64,
    /// Who.
    pub actor: String,
    /// When (seconds since 1970).
    pub at: i64,
    /// What was done: `import`, `update`, `create`, `delete`, `share`, ...
    pub action: String,
    /// What kind of thing: `model`, `service`, `membership`, ...
    pub entity: String,
    /// Which one.
    pub entity_id: String,
    /// Its JSON before, if any.
    pub before: Option<String>,
    /// Its JSON after, if any. Neither is read for whole-model imports (see `summary`).
    pub after: Option<String>,
    /// For a whole-model import: per kind of item, the ids added, removed and changed (JSON).
    pub summary: Option<String>,
}

/// Details of a change to record.
pub(crate) struct Change<'a> {
    /// The organisation it belongs to, if any.
    pub(crate) org: Option<i64>,
    /// Who.
    pub(crate) actor: &'a Actor,
    /// What was done.
    pub(crate) action: &'a str,
    /// What kind of thing.
    pub(crate) entity: &'a str,
    /// Which one.
    pub(crate) entity_id: &'a str,
    /// JSON before.
    pub(crate) before: Option<String>,
    /// JSON after.
    pub(crate) after: Option<String>,
    /// What a whole-model change did, item by item (JSON).
    pub(crate) summary: Option<String>,
}

/// Records a change inside the caller's transaction, so it is kept exactly when the change is.
pub(crate) async fn record<'c, E>(executor: E, change: Change<'_>) -> Result<(), sqlx::Error>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    sqlx::query(
        "INSERT INTO audit (org_id, user_id, actor, at, action, entity, entity_id, before_json, after_json, summary) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(change.org)
    .bind(change.actor.user_id)
    .bind(&change.actor.label)
    .bind(now())
    .bind(change.action)
    .bind(change.entity)
    .bind(change.entity_id)
    .bind(change.before)
    .bind(change.after)
    .bind(change.summary)
    .execute(executor)
    .await?;
    Ok(())
}

impl Store {
    /// The newest `limit` changes of `org`, newest first, before entry `before` if given.
    /// Whole-model imports come with their summary, not the two models.
    pub async fn audit(
        &self,
        org: i64,
        limit: i64,
        before: Option<i64>,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, actor, at, action, entity, entity_id, summary, \
             CASE WHEN entity = 'model' THEN NULL ELSE before_json END AS before_json, \
             CASE WHEN entity = 'model' THEN NULL ELSE after_json END AS after_json \
             FROM audit WHERE org_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3",
        )
        .bind(org)
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(entry_from).collect()
    }
}

/// An audit row as an entry (the query names its columns as `audit` does).
pub(crate) fn entry_from(r: &sqlx::any::AnyRow) -> Result<AuditEntry, StoreError> {
    Ok(AuditEntry {
        id: r.try_get("id")?,
        actor: r.try_get("actor")?,
        at: r.try_get("at")?,
        action: r.try_get("action")?,
        entity: r.try_get("entity")?,
        entity_id: r.try_get("entity_id")?,
        before: r.try_get("before_json")?,
        after: r.try_get("after_json")?,
        summary: r.try_get("summary")?,
    })
}

/// Records a change (`[action, entity, id]`) of `org` and commits it with the write it
/// describes.
pub(crate) async fn finish(
    mut tx: sqlx::Transaction<'_, sqlx::Any>,
    org: i64,
    actor: &Actor,
    [action, entity, entity_id]: [&str; 3],
    before: Option<String>,
    after: Option<String>,
) -> Result<(), StoreError> {
    let change = Change {
        org: Some(org),
        actor,
        action,
        entity,
        entity_id,
        before,
        after,
        summary: None,
    };
    record(&mut *tx, change).await?;
    tx.commit().await?;
    Ok(())
}

/// A record as the JSON text stored in the audit trail and in JSON columns.
pub(crate) fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("records serialise")
}
