//! An organisation's risk appetite on the National Risk Register's matrix, as its
//! administrators set it; every change is audited.

use crate::audit::{self, Actor};
use crate::{Store, StoreError, now};
use sqlx::Row;

/// For each impact level 1 to 5 (index 0 to 4), the lowest likelihood at which a risk is
/// outside the appetite, or `None` when no likelihood is.
pub type AppetiteLevels = [Option<u8>; 5];

const COLUMNS: [&str; 5] = ["impact_1", "impact_2", "impact_3", "impact_4", "impact_5"];

impl Store {
    /// The risk appetite `org` has set, or `None` when it has not (the default applies).
    pub async fn risk_appetite(&self, org: i64) -> Result<Option<AppetiteLevels>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        levels_set(&mut conn, org).await
    }

    /// Sets the risk appetite of `org` (checked by the caller), audited with the levels
    /// before and after.
    pub async fn set_risk_appetite(
        &self,
        org: i64,
        levels: AppetiteLevels,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let before = levels_set(&mut tx, org).await?;
        sqlx::query("DELETE FROM risk_appetites WHERE org_id = $1")
            .bind(org)
            .execute(&mut *tx)
            .await?;
        let mut insert = sqlx::query(
            "INSERT INTO risk_appetites (org_id, impact_1, impact_2, impact_3, impact_4, impact_5, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(org);
        for level in levels {
            insert = insert.bind(level.map(i64::from));
        }
        insert.bind(now()).execute(&mut *tx).await?;
        audit::finish(
            tx,
            org,
            actor,
            [
                if before.is_some() { "update" } else { "create" },
                "risk_appetite",
                "register",
            ],
            before.map(|b| audit::json(&b)),
            Some(audit::json(&levels)),
        )
        .await
    }
}

/// The levels `org` has set, read on `conn` (inside a write's transaction, so the audit's
/// "before" is what the write replaced).
async fn levels_set(
    conn: &mut sqlx::AnyConnection,
    org: i64,
) -> Result<Option<AppetiteLevels>, StoreError> {
    let row = sqlx::query(
        "SELECT impact_1, impact_2, impact_3, impact_4, impact_5 FROM risk_appetites WHERE org_id = $1",
    )
    .bind(org)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| {
        let mut levels = [None; 5];
        for (slot, column) in levels.iter_mut().zip(COLUMNS) {
            let v: Option<i64> = r.try_get(column)?;
            *slot = v.and_then(|v| u8::try_from(v).ok());
        }
        Ok(levels)
    })
    .transpose()
}
