//! Backups: a consistent snapshot of every table as one versioned JSON document that either
//! backend can load, and restoring such a document into an empty database.
//!
//! # The format (`bulwark_backup` 1)
//!
//! ```text
//! {"bulwark_backup":1,"schema_version":2,"taken_at":1767225600,"tables":{
//! "organisations":{"columns":["id","slug","name","model_version","extensions","created_at"],"rows":[
//! [1,"northmoor","Northmoor Borough Council",12,"[]",1767225000]
//! ]},
//! "users":{"columns":[...],"rows":[
//! ...
//! ]}}}
//! ```
//!
//! - `bulwark_backup`: the version of this format; a reader refuses versions it does not know.
//! - `schema_version`: the database's newest migration when the backup was taken. A restore
//!   migrates the new database to exactly that version, loads the rows, then applies any
//!   newer migrations; a backup newer than the build restoring it is refused.
//! - `taken_at`: when the snapshot was taken, in seconds since 1970.
//! - `tables`: every table except sqlx's record of migrations, each after the tables its
//!   foreign keys refer to (the order a restore inserts them in). `columns` names the
//!   table's columns, read from the live database; each row lists its values in that order,
//!   as JSON integers, strings or `null`: the schema holds only integers (ids, times in
//!   seconds since 1970, counts, flags as 0 or 1) and text (names, ISO dates, JSON).
//!
//! The header keys come before `tables`, and `columns` before `rows`, so that both ends
//! stream: rows are written as they are read and inserted as they are parsed, one per line.
//!
//! A backup is one read transaction (PostgreSQL: `REPEATABLE READ`; SQLite: one
//! transaction on the write-ahead log), so it is consistent while the server keeps writing.
//! A restore is one transaction: all of it is loaded, or nothing.

use crate::schema::{ColumnKind, Table, data_tables, quoted, schema_version_on, table_names};
use crate::schema::{MIGRATIONS_TABLE, SchemaMigration};
use crate::{Backend, Store, StoreError, now};
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use sqlx::{Any, AnyConnection, AssertSqlSafe, Row, Transaction};
use std::collections::BTreeMap;
use std::fmt;
use std::io::{BufReader, BufWriter, Read, Write};
use std::sync::Arc;
use tokio::sync::mpsc;

/// The version of the backup format this build writes and reads.
pub const BACKUP_FORMAT: i64 = 1;

/// What a backup or a restore covered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BackupSummary {
    /// The schema version of the data backed up or restored.
    pub schema_version: i64,
    /// Each table with its number of rows, in the order written or read.
    pub tables: Vec<(String, u64)>,
    /// After a restore of an older backup, the migrations applied to bring it up to date.
    pub migrated: Vec<SchemaMigration>,
}

impl BackupSummary {
    /// Rows in all tables.
    pub fn rows(&self) -> u64 {
        self.tables.iter().map(|(_, n)| n).sum()
    }
}

fn write_failed(e: impl fmt::Display) -> StoreError {
    StoreError::Backup(format!("cannot write the backup: {e}"))
}

impl Store {
    /// Writes a consistent snapshot of the whole database to `writer` in the backup format
    /// (see the module documentation), row by row. The server can keep running meanwhile.
    pub async fn backup<W: Write + Send>(&self, writer: W) -> Result<BackupSummary, StoreError> {
        let mut tx = match self.backend {
            Backend::Sqlite => self.pool.begin().await?,
            Backend::Postgres => {
                self.pool
                    .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    .await?
            }
        };
        let schema_version = schema_version_on(&mut tx, self.backend).await?;
        if schema_version == 0 {
            return Err(StoreError::Backup(
                "there is nothing to back up: this database has never had Bulwark's schema".into(),
            ));
        }
        let tables = data_tables(&mut tx, self.backend).await?;
        let mut out = BufWriter::new(writer);
        write!(
            out,
            "{{\"bulwark_backup\":{BACKUP_FORMAT},\"schema_version\":{schema_version},\"taken_at\":{},\"tables\":{{",
            now()
        )
        .map_err(write_failed)?;
        let mut summary = BackupSummary {
            schema_version,
            ..BackupSummary::default()
        };
        for (i, table) in tables.iter().enumerate() {
            let rows = write_table(&mut tx, table, i == 0, &mut out).await?;
            summary.tables.push((table.name.clone(), rows));
        }
        out.write_all(b"\n}}\n").map_err(write_failed)?;
        out.flush().map_err(write_failed)?;
        tx.commit().await?;
        Ok(summary)
    }

    /// Loads a backup from `reader` into this database, which must be empty, in one
    /// transaction; then applies any migrations newer than the backup. Refuses a database
    /// that holds any row, and a backup from a newer build of Bulwark. On PostgreSQL the
    /// id sequences are moved past the restored ids, so new rows get fresh ones.
    pub async fn restore<R: Read + Send + 'static>(
        &self,
        reader: R,
    ) -> Result<BackupSummary, StoreError> {
        let (sender, mut events) = mpsc::channel(256);
        let parser = tokio::task::spawn_blocking(move || parse(reader, &sender));
        let loaded = self.load(&mut events).await;
        // Hang up first, so that a parser still sending after a failed load stops.
        drop(events);
        let parsed = parser
            .await
            .map_err(|e| StoreError::Backup(format!("reading the backup failed: {e}")))?;
        let (tx, mut summary) = match (loaded, parsed) {
            (_, Err(ParseError::Invalid(why))) => {
                return Err(StoreError::Backup(format!(
                    "the backup file cannot be read: {why}"
                )));
            }
            (Err(e), _) => return Err(e),
            (Ok(_), Err(ParseError::Stopped)) => {
                return Err(StoreError::Backup(
                    "the backup was not read to its end".into(),
                ));
            }
            (Ok(loaded), Ok(())) => loaded,
        };
        tx.commit().await?;
        summary.migrated = self.migrate().await?;
        Ok(summary)
    }

    /// Checks the header, prepares the schema and inserts every row, leaving the
    /// transaction for the caller to commit once the whole file has been read.
    async fn load(
        &self,
        events: &mut mpsc::Receiver<Event>,
    ) -> Result<(Transaction<'static, Any>, BackupSummary), StoreError> {
        let Some(Event::Header { schema_version }) = events.recv().await else {
            // The parser says why.
            return Err(StoreError::Backup("the backup has no header".into()));
        };
        let latest = self.latest_schema_version();
        if schema_version > latest {
            return Err(StoreError::Backup(format!(
                "the backup is of schema version {schema_version}, newer than this build of Bulwark knows ({latest}): restore it with the version that took it, or a newer one"
            )));
        }
        let mut conn = self.pool.acquire().await?;
        refuse_if_not_empty(&mut conn, self.backend).await?;
        let current = schema_version_on(&mut conn, self.backend).await?;
        drop(conn);
        if current > schema_version {
            return Err(StoreError::Backup(format!(
                "this database already has schema version {current}, newer than the backup's ({schema_version}): restore into a new database that has no tables yet: the restore upgrades it after loading"
            )));
        }
        self.migrate_to(schema_version).await?;

        let mut tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        refuse_if_not_empty(&mut tx, self.backend).await?;
        let tables: BTreeMap<String, Table> = data_tables(&mut tx, self.backend)
            .await?
            .into_iter()
            .map(|t| (t.name.clone(), t))
            .collect();
        let mut summary = BackupSummary {
            schema_version,
            ..BackupSummary::default()
        };
        let mut insert = None;
        while let Some(event) = events.recv().await {
            match event {
                Event::Header { .. } => {
                    return Err(StoreError::Backup("the backup has two headers".into()));
                }
                Event::Table { name, columns } => {
                    let table = tables.get(&name).ok_or_else(|| {
                        StoreError::Backup(format!(
                            "the backup has a table `{name}` that this database does not have"
                        ))
                    })?;
                    insert = Some(Insert::new(table, &columns, self.backend)?);
                    summary.tables.push((name, 0));
                }
                Event::Row(values) => {
                    let (Some(insert), Some((_, count))) = (&insert, summary.tables.last_mut())
                    else {
                        return Err(StoreError::Backup(
                            "the backup has a row outside any table".into(),
                        ));
                    };
                    *count += 1;
                    insert.run(&mut tx, *count, values).await?;
                }
            }
        }
        if self.backend == Backend::Postgres {
            reset_sequences(&mut tx, tables.values()).await?;
        }
        Ok((tx, summary))
    }
}

/// Writes one table's entry, its rows streamed from the snapshot; returns how many rows.
async fn write_table(
    conn: &mut AnyConnection,
    table: &Table,
    first: bool,
    out: &mut impl Write,
) -> Result<u64, StoreError> {
    use futures_util::TryStreamExt;
    let names: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
    let head = serde_json::json!({"columns": names}).to_string();
    // The object's closing brace is left off, to be followed by its rows.
    let head = head.strip_suffix('}').unwrap_or(&head);
    let separator = if first { "" } else { "," };
    write!(
        out,
        "{separator}\n{}:{head},\"rows\":[",
        Value::from(table.name.as_str())
    )
    .map_err(write_failed)?;
    let list: Vec<String> = names.iter().map(|n| quoted(n)).collect();
    let order: Vec<String> = (1..=list.len()).map(|i| i.to_string()).collect();
    let sql = format!(
        "SELECT {} FROM {} ORDER BY {}",
        list.join(", "),
        quoted(&table.name),
        order.join(", ")
    );
    let mut rows = sqlx::query(AssertSqlSafe(sql)).fetch(conn);
    let mut count = 0u64;
    while let Some(row) = rows.try_next().await? {
        let values = table
            .columns
            .iter()
            .enumerate()
            .map(|(i, column)| {
                Ok(match column.kind {
                    ColumnKind::Integer => Value::from(row.try_get::<Option<i64>, _>(i)?),
                    ColumnKind::Text => Value::from(row.try_get::<Option<String>, _>(i)?),
                })
            })
            .collect::<Result<Vec<Value>, sqlx::Error>>()?;
        out.write_all(if count == 0 { b"\n" } else { b",\n" })
            .map_err(write_failed)?;
        serde_json::to_writer(&mut *out, &values).map_err(write_failed)?;
        count += 1;
    }
    out.write_all(b"\n]}").map_err(write_failed)?;
    Ok(count)
}

/// Fails with [`StoreError::NotEmpty`] when any table holds a row.
async fn refuse_if_not_empty(conn: &mut AnyConnection, backend: Backend) -> Result<(), StoreError> {
    let mut filled = Vec::new();
    for table in table_names(conn, backend).await? {
        if table == MIGRATIONS_TABLE {
            continue;
        }
        let sql = format!("SELECT 1 AS one FROM {} LIMIT 1", quoted(&table));
        if sqlx::query(AssertSqlSafe(sql))
            .fetch_optional(&mut *conn)
            .await?
            .is_some()
        {
            filled.push(table);
        }
    }
    if filled.is_empty() {
        Ok(())
    } else {
        Err(StoreError::NotEmpty(filled.join(", ")))
    }
}

/// One table's insert statement, for the columns the backup names.
struct Insert {
    table: String,
    sql: Arc<str>,
    columns: Vec<(String, ColumnKind)>,
}

impl Insert {
    fn new(table: &Table, names: &[String], backend: Backend) -> Result<Insert, StoreError> {
        let columns = names
            .iter()
            .map(|name| {
                let column = table.columns.iter().find(|c| &c.name == name);
                column.map(|c| (c.name.clone(), c.kind)).ok_or_else(|| {
                    StoreError::Backup(format!(
                        "the backup's table `{}` has a column `{name}` that this database does not have",
                        table.name
                    ))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        // PostgreSQL generates identity columns itself unless told to take the given ids.
        let overriding =
            if backend == Backend::Postgres && table.columns.iter().any(|c| c.generated) {
                " OVERRIDING SYSTEM VALUE"
            } else {
                ""
            };
        let list: Vec<String> = names.iter().map(|n| quoted(n)).collect();
        let params: Vec<String> = (1..=names.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "INSERT INTO {} ({}){overriding} VALUES ({})",
            quoted(&table.name),
            list.join(", "),
            params.join(", ")
        );
        Ok(Insert {
            table: table.name.clone(),
            sql: sql.into(),
            columns,
        })
    }

    /// Inserts row number `number` (counting from 1, for messages).
    async fn run(
        &self,
        conn: &mut AnyConnection,
        number: u64,
        values: Vec<Value>,
    ) -> Result<(), StoreError> {
        let table = &self.table;
        if values.len() != self.columns.len() {
            return Err(StoreError::Backup(format!(
                "row {number} of table `{table}` has {} values for {} columns",
                values.len(),
                self.columns.len()
            )));
        }
        let mut query = sqlx::query(AssertSqlSafe(self.sql.clone()));
        for (value, (column, kind)) in values.into_iter().zip(&self.columns) {
            query = match (value, kind) {
                (Value::Null, ColumnKind::Integer) => query.bind(None::<i64>),
                (Value::Null, ColumnKind::Text) => query.bind(None::<String>),
                (Value::Number(n), ColumnKind::Integer) if n.is_i64() => query.bind(n.as_i64()),
                (Value::String(s), ColumnKind::Text) => query.bind(s),
                (value, kind) => {
                    let expected = match kind {
                        ColumnKind::Integer => "an integer",
                        ColumnKind::Text => "text",
                    };
                    return Err(StoreError::Backup(format!(
                        "row {number} of table `{table}`: column `{column}` should hold {expected}, not {value}"
                    )));
                }
            };
        }
        query.execute(conn).await.map_err(|e| {
            StoreError::Backup(format!(
                "row {number} of table `{table}` cannot be restored: {e}"
            ))
        })?;
        Ok(())
    }
}

/// Moves each PostgreSQL id sequence past the largest id restored.
async fn reset_sequences<'a>(
    conn: &mut AnyConnection,
    tables: impl Iterator<Item = &'a Table>,
) -> Result<(), StoreError> {
    for table in tables {
        for column in table.columns.iter().filter(|c| c.generated) {
            let sql = format!(
                "SELECT setval(pg_get_serial_sequence($1, $2), COALESCE(MAX({}), 0) + 1, false) FROM {}",
                quoted(&column.name),
                quoted(&table.name)
            );
            sqlx::query(AssertSqlSafe(sql))
                .bind(quoted(&table.name))
                .bind(&column.name)
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(())
}

/// What the parser reads, in file order.
#[derive(Debug)]
enum Event {
    /// The header, once checked to be a backup in a format this build reads.
    Header { schema_version: i64 },
    /// A table starts, with the backup's column names.
    Table { name: String, columns: Vec<String> },
    /// One row of the current table.
    Row(Vec<Value>),
}

/// Why parsing ended early.
#[derive(Debug)]
enum ParseError {
    /// The file is not a backup this build can read.
    Invalid(String),
    /// The loader stopped listening (it failed, and says why).
    Stopped,
}

/// Parses a backup, sending what it reads to the loader as it goes.
fn parse(reader: impl Read, sender: &mpsc::Sender<Event>) -> Result<(), ParseError> {
    let mut json = serde_json::Deserializer::from_reader(BufReader::new(reader));
    let parsed = Document(sender)
        .deserialize(&mut json)
        .and_then(|()| json.end());
    match parsed {
        Ok(()) => Ok(()),
        Err(_) if sender.is_closed() => Err(ParseError::Stopped),
        Err(e) => Err(ParseError::Invalid(e.to_string())),
    }
}

fn send<E: de::Error>(sender: &mpsc::Sender<Event>, event: Event) -> Result<(), E> {
    sender
        .blocking_send(event)
        .map_err(|_| E::custom("the restore stopped"))
}

/// The whole document.
struct Document<'a>(&'a mpsc::Sender<Event>);

impl<'de> DeserializeSeed<'de> for Document<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Document<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Bulwark backup (a JSON object starting with \"bulwark_backup\")")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let (mut format, mut schema_version, mut tables) = (None, None, false);
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "bulwark_backup" => format = Some(map.next_value::<i64>()?),
                "schema_version" => schema_version = Some(map.next_value::<i64>()?),
                "tables" if !tables => {
                    let (Some(format), Some(schema_version)) = (format, schema_version) else {
                        return Err(de::Error::custom(
                            "it is not a Bulwark backup: `bulwark_backup` and `schema_version` must come before `tables`",
                        ));
                    };
                    if format != BACKUP_FORMAT {
                        return Err(de::Error::custom(format!(
                            "it is in backup format {format}, and this build of Bulwark reads format {BACKUP_FORMAT}"
                        )));
                    }
                    send(self.0, Event::Header { schema_version })?;
                    map.next_value_seed(Tables(self.0))?;
                    tables = true;
                }
                "tables" => return Err(de::Error::custom("it has `tables` twice")),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if tables {
            Ok(())
        } else {
            Err(de::Error::custom(
                "it is not a Bulwark backup: it has no `tables`",
            ))
        }
    }
}

/// The `tables` object.
struct Tables<'a>(&'a mpsc::Sender<Event>);

impl<'de> DeserializeSeed<'de> for Tables<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Tables<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object of tables")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(name) = map.next_key::<String>()? {
            map.next_value_seed(TableEntry {
                sender: self.0,
                name,
            })?;
        }
        Ok(())
    }
}

/// One table's `columns` and `rows`.
struct TableEntry<'a> {
    sender: &'a mpsc::Sender<Event>,
    name: String,
}

impl<'de> DeserializeSeed<'de> for TableEntry<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TableEntry<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "table `{}` as an object with columns and rows",
            self.name
        )
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut columns = false;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "columns" if !columns => {
                    let names: Vec<String> = map.next_value()?;
                    let event = Event::Table {
                        name: self.name.clone(),
                        columns: names,
                    };
                    send(self.sender, event)?;
                    columns = true;
                }
                "rows" if columns => map.next_value_seed(Rows(self.sender))?,
                "columns" | "rows" => {
                    return Err(de::Error::custom(format!(
                        "table `{}` must have `columns` once, before its `rows`",
                        self.name
                    )));
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if columns {
            Ok(())
        } else {
            Err(de::Error::custom(format!(
                "table `{}` has no `columns`",
                self.name
            )))
        }
    }
}

/// A table's `rows`, each sent on as it is read.
struct Rows<'a>(&'a mpsc::Sender<Event>);

impl<'de> DeserializeSeed<'de> for Rows<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Rows<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of rows")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(row) = seq.next_element::<Vec<Value>>()? {
            send(self.0, Event::Row(row))?;
        }
        Ok(())
    }
}
