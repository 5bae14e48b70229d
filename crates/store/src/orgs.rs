//! Organisations, and the services they share read-only with partners.

use crate::audit::{Actor, Change, record};
use crate::{Store, StoreError, now};
use serde::Serialize;
use sqlx::Row;

/// An organisation (a tenant): its data is visible only to its members and, for shared
/// services, to its partners.
#[derive(Debug, Clone, Serialize)]
pub struct Organisation {
    /// Database id.
    pub id: i64,
    /// Short name used in addresses and on the command line (`--org`).
    pub slug: String,
    /// Display name.
    pub name: String,
    /// Increases with every change to the organisation's model.
    pub model_version: i64,
}

/// A service one organisation shares with another.
#[derive(Debug, Clone, Serialize)]
pub struct Share {
    /// The sharing organisation.
    pub owner: Organisation,
    /// The service's id in the owner's model.
    pub service_id: String,
    /// The partner that may read it.
    pub partner: Organisation,
}

fn org_from(row: &sqlx::any::AnyRow) -> Result<Organisation, sqlx::Error> {
    Ok(Organisation {
        id: row.try_get("id")?,
        slug: row.try_get("slug")?,
        name: row.try_get("name")?,
        model_version: row.try_get("model_version")?,
    })
}

/// The slug of organisation `org`, inside a transaction.
async fn org_slug(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    org: i64,
) -> Result<String, StoreError> {
    let row = sqlx::query("SELECT slug FROM organisations WHERE id = $1")
        .bind(org)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(row.ok_or(StoreError::NotFound)?.try_get("slug")?)
}

/// Checks an organisation slug: the same rule as model ids.
pub fn valid_slug(slug: &str) -> bool {
    bulwark_model::Id::parse(slug).is_ok() && slug.len() <= 64
}

impl Store {
    /// Creates an organisation with a new slug.
    pub async fn create_org(&self, slug: &str, name: &str) -> Result<Organisation, StoreError> {
        if !valid_slug(slug) {
            return Err(StoreError::Conflict(format!(
                "`{slug}` is not a valid organisation id: use lower-case letters, digits, `.`, `_` and `-`"
            )));
        }
        if self.org_by_slug(slug).await?.is_some() {
            return Err(StoreError::Conflict(format!(
                "an organisation `{slug}` already exists"
            )));
        }
        let row = sqlx::query(
            "INSERT INTO organisations (slug, name, created_at) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(slug)
        .bind(name)
        .bind(now())
        .fetch_one(&self.pool)
        .await?;
        Ok(Organisation {
            id: row.try_get("id")?,
            slug: slug.to_string(),
            name: name.to_string(),
            model_version: 0,
        })
    }

    /// Finds an organisation by slug.
    pub async fn org_by_slug(&self, slug: &str) -> Result<Option<Organisation>, StoreError> {
        let row =
            sqlx::query("SELECT id, slug, name, model_version FROM organisations WHERE slug = $1")
                .bind(slug)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.as_ref().map(org_from).transpose()?)
    }

    /// Every organisation, by name.
    pub async fn orgs(&self) -> Result<Vec<Organisation>, StoreError> {
        let rows =
            sqlx::query("SELECT id, slug, name, model_version FROM organisations ORDER BY name")
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.iter().map(org_from).collect::<Result<_, _>>()?)
    }

    /// Shares `service` of `owner` read-only with `partner`, recording it in the audit trail.
    pub async fn share(
        &self,
        owner: i64,
        service: &str,
        partner: i64,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        if owner == partner {
            return Err(StoreError::Conflict(
                "an organisation cannot share with itself".into(),
            ));
        }
        let mut tx = self.pool.begin().await?;
        let slug = org_slug(&mut tx, partner).await?;
        let exists = sqlx::query(
            "SELECT COUNT(*) AS n FROM model_items WHERE org_id = $1 AND kind = 'service' AND item_id = $2",
        )
        .bind(owner)
        .bind(service)
        .fetch_one(&mut *tx)
        .await?;
        if exists.try_get::<i64, _>("n")? == 0 {
            return Err(StoreError::NotFound);
        }
        sqlx::query("DELETE FROM shares WHERE org_id = $1 AND service_id = $2 AND partner_id = $3")
            .bind(owner)
            .bind(service)
            .bind(partner)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO shares (org_id, service_id, partner_id) VALUES ($1, $2, $3)")
            .bind(owner)
            .bind(service)
            .bind(partner)
            .execute(&mut *tx)
            .await?;
        let change = Change {
            org: Some(owner),
            actor,
            action: "share",
            entity: "service",
            entity_id: service,
            before: None,
            after: Some(slug),
            summary: None,
        };
        record(&mut *tx, change).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Stops sharing `service` of `owner` with `partner`, recording it in the audit trail.
    pub async fn unshare(
        &self,
        owner: i64,
        service: &str,
        partner: i64,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "DELETE FROM shares WHERE org_id = $1 AND service_id = $2 AND partner_id = $3",
        )
        .bind(owner)
        .bind(service)
        .bind(partner)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() > 0 {
            let slug = org_slug(&mut tx, partner).await?;
            let change = Change {
                org: Some(owner),
                actor,
                action: "unshare",
                entity: "service",
                entity_id: service,
                before: Some(slug),
                after: None,
                summary: None,
            };
            record(&mut *tx, change).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Shares made by `org` (`outgoing`) or made with it.
    pub async fn shares(&self, org: i64, outgoing: bool) -> Result<Vec<Share>, StoreError> {
        let filter = if outgoing { "s.org_id" } else { "s.partner_id" };
        let sql = format!(
            "SELECT o.id AS o_id, o.slug AS o_slug, o.name AS o_name, o.model_version AS o_v, s.service_id, \
             p.id AS p_id, p.slug AS p_slug, p.name AS p_name, p.model_version AS p_v \
             FROM shares s JOIN organisations o ON o.id = s.org_id JOIN organisations p ON p.id = s.partner_id \
             WHERE {filter} = $1 ORDER BY o.name, s.service_id, p.name"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(org)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Share {
                    owner: Organisation {
                        id: r.try_get("o_id")?,
                        slug: r.try_get("o_slug")?,
                        name: r.try_get("o_name")?,
                        model_version: r.try_get("o_v")?,
                    },
                    service_id: r.try_get("service_id")?,
                    partner: Organisation {
                        id: r.try_get("p_id")?,
                        slug: r.try_get("p_slug")?,
                        name: r.try_get("p_name")?,
                        model_version: r.try_get("p_v")?,
                    },
                })
            })
            .collect()
    }

    /// True when `owner` shares `service` with `partner`.
    pub async fn is_shared(
        &self,
        owner: i64,
        service: &str,
        partner: i64,
    ) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM shares WHERE org_id = $1 AND service_id = $2 AND partner_id = $3")
            .bind(owner)
            .bind(service)
            .bind(partner)
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get::<i64, _>("n")? > 0)
    }
}
