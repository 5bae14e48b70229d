//! Bulwark's database: organisations, accounts and access, models, sharing, exercises with
//! their lessons and actions, public warnings, incidents with their hash-chained decision
//! logs, community support (person records, requests for help and volunteers, sealed with keys
//! kept outside the database), and
//! the audit trail, on SQLite (one file, the default) or PostgreSQL (shared deployments).
//!
//! One implementation serves both backends through sqlx's `Any` driver: the SQL is written
//! in the subset both understand (numbered parameters, `RETURNING`, integers for times and
//! flags, text for JSON), and each backend has its own migrations, kept in step, under
//! `migrations/`. The backend is chosen from the URL. Every query about an organisation's
//! data takes the organisation's id; access decisions are made by the caller (`web`) from
//! the [`Role`] this crate returns.

mod accounts;
mod appetite;
mod audit;
mod backup;
mod decision_log;
mod error;
mod estate;
mod events;
mod exercises;
mod incident_work;
mod incidents;
mod models;
mod orgs;
mod people;
mod postcode;
mod requests;
mod schema;
mod secret;
mod sign_on;
mod vault;
mod volunteers;
mod warnings;

pub use accounts::{ApiToken, LoginFailures, Membership, Role, Session, User};
pub use appetite::AppetiteLevels;
pub use audit::{Actor, AuditEntry};
pub use backup::{BACKUP_FORMAT, BackupSummary};
pub use decision_log::{
    DecisionEntry, DecisionInput, EntryBody, GENESIS, LATE_RECORDING_SECONDS, StoredEntry,
    Verification, rfc3339, sha256_hex, verify_entries,
};
pub use error::StoreError;
pub use estate::StoredCatalogue;
pub use events::{INCIDENT_CHANNEL, IncidentListener};
pub use exercises::{
    Action, ActionDetails, ActionProgress, ActionStatus, Exercise, ExerciseDetails, ExerciseFormat,
    ExerciseSummary, Lesson, Participant, ProgrammeEntry,
};
pub use incident_work::{
    IncidentAction, IncidentActionStatus, Mark, NewAction, NewMark, RhythmEntry, RhythmKind,
    Sitrep, SitrepBody,
};
pub use incidents::{
    CommandLevel, Incident, IncidentDetails, IncidentStatus, Methane, MethaneVersion, OrgName,
    Standing,
};
pub use models::{ItemKind, StoredItem};
pub use orgs::{Organisation, Share};
pub use people::{
    ListDetails, NewPerson, PeopleList, PeopleQuery, PeopleSource, Person, PersonDetails,
    Retention, SourceDetails,
};
pub use postcode::{Postcode, PostcodeArea};
pub use requests::{
    Assignee, Category, Channel, Duplicate, HelpRequest, NewRequest, RequestEvent,
    RequestRetention, RequestStatus, RequestSummary, Requester, Urgency, parse_reference,
    reference,
};
pub use schema::{SchemaMigration, SchemaStatus};
pub use secret::{hash_secret, new_secret};
pub use sign_on::{
    ATTEMPT_SECONDS, Identity, Refusal, RuleTest, SIGN_ON_ONLY, SignOnAttempt, SignOnRule,
    roles_for,
};
pub use vault::{Keyring, default_key_file};
pub use volunteers::{DbsLevel, NewVolunteer, Volunteer, VolunteerContact, VolunteerMatch};
pub use warnings::{
    MessageType, Warning, WarningArea, WarningDetails, WarningInfo, WarningSettings, WarningStatus,
};

use sqlx::AnyPool;
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use std::time::{SystemTime, UNIX_EPOCH};

/// Which database a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An embedded SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// The database, shared by every request.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// The PostgreSQL server's address, for the connection that listens for changes.
    postgres_url: Option<std::sync::Arc<str>>,
}

// Written by hand so that the database's address, which may hold a password, is never printed.
impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend)
            .finish_non_exhaustive()
    }
}

/// How many database connections a [`Store`] holds ([`Store::pool_status`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStatus {
    /// Connections open, in use or idle.
    pub open: u32,
    /// Connections open and idle.
    pub idle: usize,
    /// The most connections it opens.
    pub max: u32,
}

/// Seconds since 1970, the unit of every time stored.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

impl Store {
    /// Connects to `url` (`sqlite://PATH` or `postgres://...`), creating an SQLite file if
    /// needed, and brings the schema up to date.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        let store = Store::open(url, true).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Connects to `url`, creating an SQLite file if needed, and leaves the schema as it
    /// is: see [`Store::schema_status`] and [`Store::migrate`].
    pub async fn connect_without_migrating(url: &str) -> Result<Store, StoreError> {
        Store::open(url, true).await
    }

    /// Connects to a database that must already exist (a missing SQLite file is an error,
    /// not created), leaving the schema as it is.
    pub async fn connect_existing(url: &str) -> Result<Store, StoreError> {
        Store::open(url, false).await
    }

    async fn open(url: &str, create: bool) -> Result<Store, StoreError> {
        install_default_drivers();
        let (backend, url) = if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            let sep = if path.contains('?') { '&' } else { '?' };
            let mode = if create { "rwc" } else { "rw" };
            let url = if path.contains("mode=") {
                format!("sqlite://{path}")
            } else {
                format!("sqlite://{path}{sep}mode={mode}")
            };
            (Backend::Sqlite, url)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            (Backend::Postgres, url.to_string())
        } else {
            return Err(StoreError::UnsupportedUrl(
                url.split("://").next().unwrap_or(url).to_string(),
            ));
        };
        let connections = if backend == Backend::Sqlite { 8 } else { 10 };
        let pool = AnyPoolOptions::new()
            .max_connections(connections)
            .connect(&url)
            .await?;
        let postgres_url = (backend == Backend::Postgres).then(|| url.as_str().into());
        let store = Store {
            pool,
            backend,
            postgres_url,
        };
        if backend == Backend::Sqlite {
            // Write-ahead logging lets readers work while a writer commits; it persists in the file.
            sqlx::query("PRAGMA journal_mode = WAL")
                .execute(&store.pool)
                .await?;
        }
        Ok(store)
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// True when the database answers.
    pub async fn healthy(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }

    /// The connection pool's present state, for monitoring.
    pub fn pool_status(&self) -> PoolStatus {
        PoolStatus {
            open: self.pool.size(),
            idle: self.pool.num_idle(),
            max: self.pool.options().get_max_connections(),
        }
    }

    /// Closes every connection.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}
