//! The schema: the migrations this build carries, the ones a database has had, and the
//! tables and columns a live database holds. Backups read the live schema rather than a
//! list written by hand, so a new table or column is backed up without changing them.

use crate::{Backend, Store, StoreError};
use sqlx::migrate::Migrator;
use sqlx::{AnyConnection, AssertSqlSafe, Row};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

static SQLITE: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES: Migrator = sqlx::migrate!("./migrations/postgres");

/// Where sqlx records the migrations applied. It is not data: backups record the schema
/// version instead, and a restore rebuilds it by migrating.
pub(crate) const MIGRATIONS_TABLE: &str = "_sqlx_migrations";

/// One schema change this build carries (a file under `migrations/`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaMigration {
    /// Its version, the number that starts its file name.
    pub version: i64,
    /// What it does, from the rest of its file name.
    pub description: String,
}

impl fmt::Display for SchemaMigration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04} {}", self.version, self.description)
    }
}

/// Where a database's schema stands against this build of Bulwark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemaStatus {
    /// No tables at all: a new database, ready for the schema.
    Empty,
    /// Every migration this build carries has been applied.
    Current,
    /// These migrations are waiting to be applied (`bulwark migrate`).
    Behind(Vec<SchemaMigration>),
    /// A newer build of Bulwark migrated it to this version, beyond what this one knows.
    Newer(i64),
}

impl Backend {
    fn migrator(self) -> &'static Migrator {
        match self {
            Backend::Sqlite => &SQLITE,
            Backend::Postgres => &POSTGRES,
        }
    }
}

impl Store {
    /// The newest schema version this build of Bulwark carries.
    pub fn latest_schema_version(&self) -> i64 {
        self.backend
            .migrator()
            .iter()
            .map(|m| m.version)
            .max()
            .unwrap_or(0)
    }

    /// The versions of the migrations applied to the database, or `None` when it has
    /// never been migrated.
    async fn applied_versions(&self) -> Result<Option<BTreeSet<i64>>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        applied_versions(&mut conn, self.backend).await
    }

    /// The schema version of the database (its newest applied migration), or `None` when
    /// it has never been migrated.
    pub async fn schema_version(&self) -> Result<Option<i64>, StoreError> {
        Ok(self
            .applied_versions()
            .await?
            .map(|v| v.last().copied().unwrap_or(0)))
    }

    /// The migrations this build carries that the database has not had yet, oldest first.
    pub async fn pending_migrations(&self) -> Result<Vec<SchemaMigration>, StoreError> {
        let applied = self.applied_versions().await?.unwrap_or_default();
        Ok(self
            .backend
            .migrator()
            .iter()
            .filter(|m| !applied.contains(&m.version))
            .map(|m| SchemaMigration {
                version: m.version,
                description: m.description.to_string(),
            })
            .collect())
    }

    /// Where the database's schema stands against this build.
    pub async fn schema_status(&self) -> Result<SchemaStatus, StoreError> {
        let mut conn = self.pool.acquire().await?;
        if table_names(&mut conn, self.backend).await?.is_empty() {
            return Ok(SchemaStatus::Empty);
        }
        drop(conn);
        let version = self.schema_version().await?.unwrap_or(0);
        if version > self.latest_schema_version() {
            return Ok(SchemaStatus::Newer(version));
        }
        let pending = self.pending_migrations().await?;
        Ok(if pending.is_empty() {
            SchemaStatus::Current
        } else {
            SchemaStatus::Behind(pending)
        })
    }

    /// Applies every pending migration, each in its own transaction, and returns those
    /// applied (none when the schema was already up to date).
    pub async fn migrate(&self) -> Result<Vec<SchemaMigration>, StoreError> {
        let pending = self.pending_migrations().await?;
        self.backend.migrator().run(&self.pool).await?;
        Ok(pending)
    }

    /// Applies the pending migrations up to and including `version`.
    pub(crate) async fn migrate_to(&self, version: i64) -> Result<(), StoreError> {
        self.backend.migrator().run_to(version, &self.pool).await?;
        Ok(())
    }
}

async fn applied_versions(
    conn: &mut AnyConnection,
    backend: Backend,
) -> Result<Option<BTreeSet<i64>>, StoreError> {
    if !table_names(conn, backend)
        .await?
        .iter()
        .any(|t| t == MIGRATIONS_TABLE)
    {
        return Ok(None);
    }
    let sql = format!("SELECT version FROM {MIGRATIONS_TABLE} WHERE success");
    let rows = sqlx::query(AssertSqlSafe(sql)).fetch_all(conn).await?;
    Ok(Some(
        rows.iter()
            .map(|r| r.try_get("version"))
            .collect::<Result<_, _>>()?,
    ))
}

/// The schema version recorded in the database, read on `conn` (inside the caller's
/// transaction, if it has one); 0 when it has never been migrated.
pub(crate) async fn schema_version_on(
    conn: &mut AnyConnection,
    backend: Backend,
) -> Result<i64, StoreError> {
    Ok(applied_versions(conn, backend)
        .await?
        .and_then(|v| v.last().copied())
        .unwrap_or(0))
}

/// Every table of the database, sqlx's migrations table included (SQLite's internal
/// tables are not), by name.
pub(crate) async fn table_names(
    conn: &mut AnyConnection,
    backend: Backend,
) -> Result<Vec<String>, StoreError> {
    let sql = match backend {
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"
        }
        Backend::Postgres => {
            "SELECT table_name::text AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name"
        }
    };
    let rows = sqlx::query(sql).fetch_all(conn).await?;
    Ok(rows
        .iter()
        .map(|r| r.try_get("name"))
        .collect::<Result<_, _>>()?)
}

/// What a column holds. The schema uses only integers (ids, times, counts, flags) and text
/// (names, ISO dates, JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ColumnKind {
    /// A 64-bit integer.
    Integer,
    /// Text.
    Text,
}

/// A column of a live table.
#[derive(Debug, Clone)]
pub(crate) struct Column {
    /// Its name.
    pub(crate) name: String,
    /// What it holds.
    pub(crate) kind: ColumnKind,
    /// Filled from a sequence when not given (PostgreSQL identity columns).
    pub(crate) generated: bool,
}

/// A table of the live database: its name and columns, in their order.
#[derive(Debug, Clone)]
pub(crate) struct Table {
    /// Its name.
    pub(crate) name: String,
    /// Its columns.
    pub(crate) columns: Vec<Column>,
}

/// Every data table (not the migrations table), each after the tables it refers to, so
/// that rows can be inserted in this order without breaking a foreign key.
pub(crate) async fn data_tables(
    conn: &mut AnyConnection,
    backend: Backend,
) -> Result<Vec<Table>, StoreError> {
    let names: Vec<String> = table_names(conn, backend)
        .await?
        .into_iter()
        .filter(|t| t != MIGRATIONS_TABLE)
        .collect();
    let mut parents = BTreeMap::new();
    for name in &names {
        parents.insert(name.clone(), referenced_tables(conn, backend, name).await?);
    }
    let mut tables = Vec::with_capacity(names.len());
    for name in foreign_key_order(parents)? {
        let columns = columns(conn, backend, &name).await?;
        tables.push(Table { name, columns });
    }
    Ok(tables)
}

/// The tables `table`'s foreign keys refer to.
async fn referenced_tables(
    conn: &mut AnyConnection,
    backend: Backend,
    table: &str,
) -> Result<BTreeSet<String>, StoreError> {
    let sql = match backend {
        Backend::Sqlite => r#"SELECT "table" AS parent FROM pragma_foreign_key_list($1)"#,
        Backend::Postgres => {
            "SELECT p.relname::text AS parent FROM pg_constraint c \
             JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class p ON p.oid = c.confrelid \
             JOIN pg_namespace n ON n.oid = t.relnamespace \
             WHERE c.contype = 'f' AND n.nspname = current_schema() AND t.relname = $1"
        }
    };
    let rows = sqlx::query(sql).bind(table).fetch_all(conn).await?;
    Ok(rows
        .iter()
        .map(|r| r.try_get("parent"))
        .collect::<Result<_, _>>()?)
}

/// Orders tables so that each comes after those it refers to (ties by name).
fn foreign_key_order(
    mut parents: BTreeMap<String, BTreeSet<String>>,
) -> Result<Vec<String>, StoreError> {
    let mut order = Vec::with_capacity(parents.len());
    while !parents.is_empty() {
        let ready: Vec<String> = parents
            .iter()
            .filter(|(name, refs)| refs.iter().all(|r| r == *name || !parents.contains_key(r)))
            .map(|(name, _)| name.clone())
            .collect();
        if ready.is_empty() {
            let cycle: Vec<&str> = parents.keys().map(String::as_str).collect();
            return Err(StoreError::Backup(format!(
                "the tables {} refer to each other in a cycle, so there is no order to restore them in",
                cycle.join(", ")
            )));
        }
        for name in ready {
            parents.remove(&name);
            order.push(name);
        }
    }
    Ok(order)
}

/// The columns of `table`, in their order.
async fn columns(
    conn: &mut AnyConnection,
    backend: Backend,
    table: &str,
) -> Result<Vec<Column>, StoreError> {
    let sql = match backend {
        Backend::Sqlite => {
            "SELECT name, type, '' AS generated FROM pragma_table_info($1) ORDER BY cid"
        }
        Backend::Postgres => {
            "SELECT column_name::text AS name, data_type::text AS type, \
             CASE WHEN is_identity = 'YES' OR column_default LIKE 'nextval(%' THEN 'yes' ELSE '' END AS generated \
             FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 \
             ORDER BY ordinal_position"
        }
    };
    let rows = sqlx::query(sql).bind(table).fetch_all(conn).await?;
    rows.iter()
        .map(|r| {
            let name: String = r.try_get("name")?;
            let declared: String = r.try_get("type")?;
            let kind = column_kind(backend, &declared).ok_or_else(|| {
                StoreError::Backup(format!(
                    "column {table}.{name} has type `{declared}`, which backups do not handle: only integers and text"
                ))
            })?;
            Ok(Column {
                name,
                kind,
                generated: !r.try_get::<String, _>("generated")?.is_empty(),
            })
        })
        .collect()
}

/// Reads a declared column type (SQLite's affinity rules; PostgreSQL's type names).
fn column_kind(backend: Backend, declared: &str) -> Option<ColumnKind> {
    let declared = declared.to_ascii_lowercase();
    match backend {
        Backend::Sqlite if declared.contains("int") => Some(ColumnKind::Integer),
        Backend::Sqlite
            if ["char", "clob", "text"]
                .iter()
                .any(|t| declared.contains(t)) =>
        {
            Some(ColumnKind::Text)
        }
        Backend::Postgres => match declared.as_str() {
            "bigint" | "integer" | "smallint" => Some(ColumnKind::Integer),
            "text" | "character varying" | "character" => Some(ColumnKind::Text),
            _ => None,
        },
        Backend::Sqlite => None,
    }
}

/// An identifier quoted for SQL, as both backends read it.
pub(crate) fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_come_after_those_they_refer_to() {
        let parents = BTreeMap::from([
            (
                "actions".to_string(),
                BTreeSet::from(["lessons".to_string()]),
            ),
            (
                "lessons".to_string(),
                BTreeSet::from(["exercises".to_string()]),
            ),
            (
                "exercises".to_string(),
                BTreeSet::from(["orgs".to_string()]),
            ),
            ("orgs".to_string(), BTreeSet::new()),
            ("tree".to_string(), BTreeSet::from(["tree".to_string()])),
        ]);
        assert_eq!(
            foreign_key_order(parents).unwrap(),
            ["orgs", "tree", "exercises", "lessons", "actions"]
        );
        let cycle = BTreeMap::from([
            ("a".to_string(), BTreeSet::from(["b".to_string()])),
            ("b".to_string(), BTreeSet::from(["a".to_string()])),
        ]);
        assert!(foreign_key_order(cycle).is_err());
    }
}
