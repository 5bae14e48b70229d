//! Telling every server on one database that an incident changed, so pages open on any of
//! them update: PostgreSQL's `NOTIFY` on the channel [`INCIDENT_CHANNEL`], heard through a
//! dedicated `LISTEN` connection. On SQLite there is one server, so there is nothing to send.

use crate::{Backend, Store, StoreError};
use sqlx::postgres::PgListener;

/// The PostgreSQL notification channel; the payload is the incident's id.
pub const INCIDENT_CHANNEL: &str = "bulwark_incidents";

/// A connection listening for incident changes made by any server.
pub struct IncidentListener(PgListener);

impl IncidentListener {
    /// Waits for the next change and returns the incident's id. An error means the
    /// connection was lost: listen again.
    pub async fn next(&mut self) -> Result<i64, StoreError> {
        loop {
            let n = self.0.recv().await?;
            if let Ok(id) = n.payload().parse() {
                return Ok(id);
            }
        }
    }
}

impl Store {
    /// Announces that incident `id` changed to every server on this database. Returns false
    /// when the database cannot carry it (SQLite: the caller tells its own pages directly).
    pub async fn notify_incident(&self, id: i64) -> Result<bool, StoreError> {
        if self.backend != Backend::Postgres {
            return Ok(false);
        }
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(INCIDENT_CHANNEL)
            .bind(id.to_string())
            .execute(&self.pool)
            .await?;
        Ok(true)
    }

    /// Listens for incident changes announced by any server; `None` on SQLite.
    pub async fn incident_listener(&self) -> Result<Option<IncidentListener>, StoreError> {
        let Some(url) = self.postgres_url.as_deref() else {
            return Ok(None);
        };
        let mut listener = PgListener::connect(url).await?;
        listener.listen(INCIDENT_CHANNEL).await?;
        Ok(Some(IncidentListener(listener)))
    }
}
