//! What can go wrong in the store.

/// A store failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database failed or could not be reached.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The schema could not be brought up to date.
    #[error("database migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// The URL names a database Bulwark does not support.
    #[error("unsupported database `{0}`: use sqlite://PATH or postgres://...")]
    UnsupportedUrl(String),
    /// The thing asked for does not exist (or is not visible to the caller).
    #[error("not found")]
    NotFound,
    /// The write clashes with existing data (a duplicate, or a model changed meanwhile).
    #[error("{0}")]
    Conflict(String),
    /// A backup cannot be written, read or restored; the message says why.
    #[error("{0}")]
    Backup(String),
    /// The keys for personal data are missing, unreadable, or do not open a record; the
    /// message says which and why.
    #[error("{0}")]
    Key(String),
    /// A restore was refused because the database already holds data (in these tables).
    #[error(
        "the database already holds data (in {0}): restore only into a new, empty database, so that nothing in it is overwritten"
    )]
    NotEmpty(String),
}

impl StoreError {
    /// True when the database had no free connection in time: the server is busy, the
    /// request may be tried again.
    pub fn is_busy(&self) -> bool {
        matches!(self, StoreError::Database(sqlx::Error::PoolTimedOut))
    }
}
