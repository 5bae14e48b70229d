//! An organisation's approved technology catalogue, kept as the file its administrators
//! loaded (checked by the caller before it is stored); every change is audited.

use crate::audit::{self, Actor};
use crate::{Store, StoreError, now};
use sqlx::Row;

/// A stored catalogue file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCatalogue {
    /// The file name it was loaded from (`.json` means JSON, anything else YAML).
    pub file_name: String,
    /// The file's text.
    pub body: String,
    /// When it was loaded, in seconds since 1970.
    pub updated_at: i64,
}

impl Store {
    /// The catalogue of `org`, if one was loaded.
    pub async fn catalogue(&self, org: i64) -> Result<Option<StoredCatalogue>, StoreError> {
        let row = sqlx::query(
            "SELECT file_name, body, updated_at FROM estate_catalogues WHERE org_id = $1",
        )
        .bind(org)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(StoredCatalogue {
                file_name: r.try_get("file_name")?,
                body: r.try_get("body")?,
                updated_at: r.try_get("updated_at")?,
            })
        })
        .transpose()
    }

    /// Replaces the catalogue of `org` with `body` (from `file_name`), or removes it when
    /// `body` is `None`; audited with the file before and after.
    pub async fn set_catalogue(
        &self,
        org: i64,
        file_name: &str,
        body: Option<&str>,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let before: Option<String> =
            sqlx::query("SELECT body FROM estate_catalogues WHERE org_id = $1")
                .bind(org)
                .fetch_optional(&mut *tx)
                .await?
                .map(|r| r.try_get("body"))
                .transpose()?;
        sqlx::query("DELETE FROM estate_catalogues WHERE org_id = $1")
            .bind(org)
            .execute(&mut *tx)
            .await?;
        if let Some(body) = body {
            sqlx::query(
                "INSERT INTO estate_catalogues (org_id, file_name, body, updated_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(org)
            .bind(file_name)
            .bind(body)
            .bind(now())
            .execute(&mut *tx)
            .await?;
        }
        let action = match (&before, body) {
            (None, _) => "create",
            (Some(_), Some(_)) => "update",
            (Some(_), None) => "delete",
        };
        audit::finish(
            tx,
            org,
            actor,
            [action, "catalogue", "technology"],
            before.map(|b| audit::json(&b)),
            body.map(|b| audit::json(&b)),
        )
        .await
    }
}
