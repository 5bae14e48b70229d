//! Public warnings: CAP 1.2 messages drafted by one person and issued only when a second
//! approves them, their language versions (`info` blocks) and areas, the organisation's own
//! versions of the warning templates, and its warning settings.
//!
//! Each message is a row: an `Alert`, or an `Update` or `Cancel` that references an earlier
//! message of the same alert (its `thread`). Issuing an update marks the message it updates
//! `superseded`; issuing a cancellation marks it `cancelled`. What the text may say, and who
//! may approve, is the caller's to check; the store keeps the record, refuses approvals of a
//! draft changed since the approver read it, and audits every step in the same transaction.

use crate::audit::{Actor, Change, finish, json, record};
use crate::{Store, StoreError, new_secret, now};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::any::AnyRow;

/// Where a message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WarningStatus {
    /// Written, waiting for a second person's approval; never public.
    Draft,
    /// Approved and published.
    Issued,
    /// Published, then replaced by an update.
    Superseded,
    /// Published, then ended by a cancellation.
    Cancelled,
}

impl WarningStatus {
    /// The word stored.
    pub fn as_str(self) -> &'static str {
        match self {
            WarningStatus::Draft => "draft",
            WarningStatus::Issued => "issued",
            WarningStatus::Superseded => "superseded",
            WarningStatus::Cancelled => "cancelled",
        }
    }

    fn parse(text: &str) -> WarningStatus {
        match text {
            "issued" => WarningStatus::Issued,
            "superseded" => WarningStatus::Superseded,
            "cancelled" => WarningStatus::Cancelled,
            _ => WarningStatus::Draft,
        }
    }
}

/// The kind of CAP message (`msgType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MessageType {
    /// A new alert.
    Alert,
    /// Replaces an earlier message of the same alert.
    Update,
    /// Ends an earlier message of the same alert.
    Cancel,
}

impl MessageType {
    /// The CAP word, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageType::Alert => "Alert",
            MessageType::Update => "Update",
            MessageType::Cancel => "Cancel",
        }
    }

    fn parse(text: &str) -> MessageType {
        match text {
            "Update" => MessageType::Update,
            "Cancel" => MessageType::Cancel,
            _ => MessageType::Alert,
        }
    }
}

/// One language version of a message (a CAP `info` block's text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WarningInfo {
    /// `en-GB` or `cy`.
    pub language: String,
    /// A short headline.
    pub headline: String,
    /// What is happening.
    pub description: String,
    /// What people should do.
    pub instruction: String,
}

/// An area a message is about (a CAP `area`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WarningArea {
    /// The area in words.
    pub description: String,
    /// A closed polygon as CAP writes it: `lat,lon` pairs separated by spaces.
    pub polygon: Option<String>,
    /// A circle as CAP writes it: `lat,lon radius` (radius in kilometres).
    pub circle: Option<String>,
    /// Geographic codes: (name, value), like (`GSS`, `E06000047`).
    #[serde(default)]
    pub geocodes: Vec<(String, String)>,
}

/// What a message says and where, as its author wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WarningDetails {
    /// The kind of event, like `Flood`.
    pub event: String,
    /// The CAP category, like `Met`.
    pub category: String,
    /// CAP urgency.
    pub urgency: String,
    /// CAP severity.
    pub severity: String,
    /// CAP certainty.
    pub certainty: String,
    /// A web page with more (the public alert page when absent).
    pub web: Option<String>,
    /// Who the public can contact.
    pub contact: Option<String>,
    /// A note (why a cancellation was issued).
    pub note: Option<String>,
    /// When it takes effect (seconds since 1970; when issued if absent).
    pub effective_at: Option<i64>,
    /// When the hazard is expected to begin.
    pub onset_at: Option<i64>,
    /// When it stops being in force.
    pub expires_at: Option<i64>,
    /// The language versions, English first.
    pub infos: Vec<WarningInfo>,
    /// The areas.
    pub areas: Vec<WarningArea>,
    /// The incident it belongs to, in the organisation's own words (for now).
    pub incident: Option<String>,
    /// The model services it is about (ids).
    pub services: Vec<String>,
}

/// A stored message.
#[derive(Debug, Clone, Serialize)]
pub struct Warning {
    /// The organisation's number for it, from 1.
    pub number: i64,
    /// The number of the first message of its alert.
    pub thread: i64,
    /// The CAP identifier, unique and never changed.
    pub identifier: String,
    /// Alert, Update or Cancel.
    pub msg_type: MessageType,
    /// Where it stands.
    pub status: WarningStatus,
    /// The number of the message it updates or cancels.
    pub references: Option<i64>,
    /// What it says.
    #[serde(flatten)]
    pub details: WarningDetails,
    /// Increases with every change to the draft.
    pub revision: i64,
    /// Who drafted it (an email).
    pub author: String,
    /// Their account.
    #[serde(skip)]
    pub author_id: Option<i64>,
    /// The last person to change the draft, if not its author.
    #[serde(skip)]
    pub edited_by_id: Option<i64>,
    /// Who approved it.
    pub approver: Option<String>,
    /// The CAP sender it was issued as.
    pub sender: Option<String>,
    /// When it was issued (seconds since 1970).
    pub sent_at: Option<i64>,
    /// When it was drafted.
    pub created_at: i64,
    /// When it last changed.
    pub updated_at: i64,
}

/// An organisation's warning settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WarningSettings {
    /// Every warning has a Welsh version too.
    pub publish_welsh: bool,
    /// The CAP sender (empty: Bulwark's default for the organisation).
    pub sender: String,
}

const COLUMNS: &str = "id, number, thread, identifier, msg_type, status, references_number, event, category, urgency, severity, certainty, \
    web, contact, note, effective_at, onset_at, expires_at, incident, services, revision, author_id, author, edited_by_id, \
    approver, sender, sent_at, created_at, updated_at";

/// A warning row without its infos and areas, with its database id.
fn warning_from(row: &AnyRow) -> Result<(i64, Warning), StoreError> {
    let services: String = row.try_get("services")?;
    let w = Warning {
        number: row.try_get("number")?,
        thread: row.try_get("thread")?,
        identifier: row.try_get("identifier")?,
        msg_type: MessageType::parse(&row.try_get::<String, _>("msg_type")?),
        status: WarningStatus::parse(&row.try_get::<String, _>("status")?),
        references: row.try_get("references_number")?,
        details: WarningDetails {
            event: row.try_get("event")?,
            category: row.try_get("category")?,
            urgency: row.try_get("urgency")?,
            severity: row.try_get("severity")?,
            certainty: row.try_get("certainty")?,
            web: row.try_get("web")?,
            contact: row.try_get("contact")?,
            note: row.try_get("note")?,
            effective_at: row.try_get("effective_at")?,
            onset_at: row.try_get("onset_at")?,
            expires_at: row.try_get("expires_at")?,
            infos: Vec::new(),
            areas: Vec::new(),
            incident: row.try_get("incident")?,
            services: serde_json::from_str(&services).unwrap_or_default(),
        },
        revision: row.try_get("revision")?,
        author: row.try_get("author")?,
        author_id: row.try_get("author_id")?,
        edited_by_id: row.try_get("edited_by_id")?,
        approver: row.try_get("approver")?,
        sender: row.try_get("sender")?,
        sent_at: row.try_get("sent_at")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    };
    Ok((row.try_get("id")?, w))
}

/// Reads the infos and areas of `warnings` (each with its database id) into them.
async fn fill(
    conn: &mut sqlx::AnyConnection,
    warnings: &mut [(i64, Warning)],
) -> Result<(), StoreError> {
    if warnings.is_empty() {
        return Ok(());
    }
    let list = warnings
        .iter()
        .map(|(id, _)| id.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    // The ids are integers from the database, so the list is safe to write into the query.
    let infos = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT warning_id, language, headline, description, instruction FROM warning_infos \
         WHERE warning_id IN ({list}) ORDER BY warning_id, CASE WHEN language = 'en-GB' THEN 0 ELSE 1 END, language"
    )))
    .fetch_all(&mut *conn)
    .await?;
    let areas = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT warning_id, description, polygon, circle, geocodes FROM warning_areas \
         WHERE warning_id IN ({list}) ORDER BY warning_id, position"
    )))
    .fetch_all(&mut *conn)
    .await?;
    for (id, w) in warnings.iter_mut() {
        for r in infos.iter() {
            if r.try_get::<i64, _>("warning_id")? == *id {
                w.details.infos.push(WarningInfo {
                    language: r.try_get("language")?,
                    headline: r.try_get("headline")?,
                    description: r.try_get("description")?,
                    instruction: r.try_get("instruction")?,
                });
            }
        }
        for r in areas.iter() {
            if r.try_get::<i64, _>("warning_id")? == *id {
                let geocodes: String = r.try_get("geocodes")?;
                w.details.areas.push(WarningArea {
                    description: r.try_get("description")?,
                    polygon: r.try_get("polygon")?,
                    circle: r.try_get("circle")?,
                    geocodes: serde_json::from_str(&geocodes).unwrap_or_default(),
                });
            }
        }
    }
    Ok(())
}

/// Writes a warning's infos and areas (replacing any there were).
async fn write_parts(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: i64,
    details: &WarningDetails,
) -> Result<(), StoreError> {
    for table in ["warning_infos", "warning_areas"] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM {table} WHERE warning_id = $1"
        )))
        .bind(id)
        .execute(&mut **tx)
        .await?;
    }
    for info in &details.infos {
        sqlx::query(
            "INSERT INTO warning_infos (warning_id, language, headline, description, instruction) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(&info.language)
        .bind(&info.headline)
        .bind(&info.description)
        .bind(&info.instruction)
        .execute(&mut **tx)
        .await?;
    }
    for (position, area) in details.areas.iter().enumerate() {
        sqlx::query(
            "INSERT INTO warning_areas (warning_id, position, description, polygon, circle, geocodes) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(position as i64)
        .bind(&area.description)
        .bind(&area.polygon)
        .bind(&area.circle)
        .bind(json(&area.geocodes))
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// One warning of `org` by number, inside a transaction.
async fn one(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    org: i64,
    number: i64,
) -> Result<(i64, Warning), StoreError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM warnings WHERE org_id = $1 AND number = $2"
    )))
    .bind(org)
    .bind(number)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(StoreError::NotFound)?;
    let mut list = vec![warning_from(&row)?];
    fill(tx, &mut list).await?;
    list.pop().ok_or(StoreError::NotFound)
}

/// A unique-key clash (another draft took the same number at the same moment).
pub(crate) fn is_unique_violation(e: &StoreError) -> bool {
    matches!(e, StoreError::Database(sqlx::Error::Database(d)) if d.is_unique_violation())
}

impl Store {
    /// Drafts a new message of `org`: an `Alert`, or an `Update` or `Cancel` of the issued
    /// message `references`. Its identifier starts with `prefix` (the organisation's slug).
    /// Returns its number.
    pub async fn create_warning(
        &self,
        org: i64,
        prefix: &str,
        msg_type: MessageType,
        references: Option<i64>,
        details: &WarningDetails,
        actor: &Actor,
    ) -> Result<i64, StoreError> {
        // Two drafts at the same moment may pick the same number: the loser tries again.
        let mut tries = 0;
        loop {
            match self
                .try_create_warning(org, prefix, msg_type, references, details, actor)
                .await
            {
                Err(e) if is_unique_violation(&e) && tries < 3 => tries += 1,
                other => return other,
            }
        }
    }

    async fn try_create_warning(
        &self,
        org: i64,
        prefix: &str,
        msg_type: MessageType,
        references: Option<i64>,
        details: &WarningDetails,
        actor: &Actor,
    ) -> Result<i64, StoreError> {
        let mut tx = self.pool.begin().await?;
        let thread = match references {
            Some(n) => {
                let (_, earlier) = one(&mut tx, org, n).await?;
                if earlier.status != WarningStatus::Issued {
                    return Err(StoreError::Conflict(
                        "only a warning that is in force can be updated or cancelled".into(),
                    ));
                }
                Some(earlier.thread)
            }
            None => None,
        };
        let row = sqlx::query(
            "SELECT COALESCE(MAX(number), 0) + 1 AS next_number FROM warnings WHERE org_id = $1",
        )
        .bind(org)
        .fetch_one(&mut *tx)
        .await?;
        let number: i64 = row.try_get("next_number")?;
        let random: String = new_secret("")
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(10)
            .collect();
        let identifier = format!("{prefix}-{number}-{random}");
        let at = now();
        let row = sqlx::query(
            "INSERT INTO warnings (org_id, number, thread, identifier, msg_type, status, references_number, event, category, urgency, \
             severity, certainty, web, contact, note, effective_at, onset_at, expires_at, incident, services, author_id, author, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'draft', $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
             $18, $19, $20, $21, $22, $22) RETURNING id",
        )
        .bind(org)
        .bind(number)
        .bind(thread.unwrap_or(number))
        .bind(&identifier)
        .bind(msg_type.as_str())
        .bind(references)
        .bind(&details.event)
        .bind(&details.category)
        .bind(&details.urgency)
        .bind(&details.severity)
        .bind(&details.certainty)
        .bind(&details.web)
        .bind(&details.contact)
        .bind(&details.note)
        .bind(details.effective_at)
        .bind(details.onset_at)
        .bind(details.expires_at)
        .bind(&details.incident)
        .bind(json(&details.services))
        .bind(actor.user_id)
        .bind(&actor.label)
        .bind(at)
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get("id")?;
        write_parts(&mut tx, id, details).await?;
        let (_, created) = one(&mut tx, org, number).await?;
        let action = match msg_type {
            MessageType::Alert => "draft",
            MessageType::Update => "draft update",
            MessageType::Cancel => "draft cancellation",
        };
        let number_text = number.to_string();
        finish(
            tx,
            org,
            actor,
            [action, "warning", &number_text],
            None,
            Some(json(&created)),
        )
        .await?;
        Ok(number)
    }

    /// Changes a draft's text. Refused (conflict) once it is issued.
    pub async fn update_warning(
        &self,
        org: i64,
        number: i64,
        details: &WarningDetails,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let (id, before) = one(&mut tx, org, number).await?;
        if before.status != WarningStatus::Draft {
            return Err(StoreError::Conflict(
                "this warning has been issued, so it can no longer be changed: issue an update instead".into(),
            ));
        }
        sqlx::query(
            "UPDATE warnings SET event = $1, category = $2, urgency = $3, severity = $4, certainty = $5, web = $6, contact = $7, \
             note = $8, effective_at = $9, onset_at = $10, expires_at = $11, incident = $12, services = $13, revision = revision + 1, \
             edited_by_id = $14, updated_at = $15 WHERE id = $16",
        )
        .bind(&details.event)
        .bind(&details.category)
        .bind(&details.urgency)
        .bind(&details.severity)
        .bind(&details.certainty)
        .bind(&details.web)
        .bind(&details.contact)
        .bind(&details.note)
        .bind(details.effective_at)
        .bind(details.onset_at)
        .bind(details.expires_at)
        .bind(&details.incident)
        .bind(json(&details.services))
        .bind(actor.user_id)
        .bind(now())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        write_parts(&mut tx, id, details).await?;
        let (_, after) = one(&mut tx, org, number).await?;
        let (b, a) = (Some(json(&before)), Some(json(&after)));
        finish(
            tx,
            org,
            actor,
            ["edit draft", "warning", &number.to_string()],
            b,
            a,
        )
        .await
    }

    /// Issues draft `number` as approved by `approver`, under CAP sender `sender`, provided
    /// it is still at `revision` (what the approver read). An update marks the message it
    /// updates `superseded`, a cancellation marks it `cancelled`; both must still be in force.
    pub async fn approve_warning(
        &self,
        org: i64,
        number: i64,
        revision: i64,
        sender: &str,
        approver: &Actor,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let (id, before) = one(&mut tx, org, number).await?;
        if before.status != WarningStatus::Draft {
            return Err(StoreError::Conflict(
                "this warning has already been issued".into(),
            ));
        }
        if before.revision != revision {
            return Err(StoreError::Conflict(
                "the draft changed while you were reading it: read it again before approving"
                    .into(),
            ));
        }
        if let Some(earlier) = before.references {
            let (earlier_id, e) = one(&mut tx, org, earlier).await?;
            if e.status != WarningStatus::Issued {
                return Err(StoreError::Conflict(format!(
                    "warning {earlier} is no longer in force (it was {}), so this cannot be issued",
                    e.status.as_str()
                )));
            }
            let (status, action) = match before.msg_type {
                MessageType::Cancel => (WarningStatus::Cancelled, "cancel"),
                _ => (WarningStatus::Superseded, "supersede"),
            };
            sqlx::query("UPDATE warnings SET status = $1, updated_at = $2 WHERE id = $3")
                .bind(status.as_str())
                .bind(now())
                .bind(earlier_id)
                .execute(&mut *tx)
                .await?;
            let change = Change {
                org: Some(org),
                actor: approver,
                action,
                entity: "warning",
                entity_id: &earlier.to_string(),
                before: Some(json(&e.status)),
                after: Some(json(&status)),
                summary: None,
            };
            record(&mut *tx, change).await?;
        }
        let at = now();
        sqlx::query(
            "UPDATE warnings SET status = 'issued', approver_id = $1, approver = $2, sender = $3, sent_at = $4, updated_at = $4 WHERE id = $5",
        )
        .bind(approver.user_id)
        .bind(&approver.label)
        .bind(sender)
        .bind(at)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let (_, after) = one(&mut tx, org, number).await?;
        let (b, a) = (Some(json(&before)), Some(json(&after)));
        finish(
            tx,
            org,
            approver,
            ["approve and issue", "warning", &number.to_string()],
            b,
            a,
        )
        .await
    }

    /// One warning of `org`, or `None`.
    pub async fn warning(&self, org: i64, number: i64) -> Result<Option<Warning>, StoreError> {
        let mut tx = self.pool.begin().await?;
        match one(&mut tx, org, number).await {
            Ok((_, w)) => Ok(Some(w)),
            Err(StoreError::NotFound) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The warnings of `org`, newest first; `issued_only` leaves drafts out, `thread` keeps
    /// one alert's messages.
    pub async fn warnings(
        &self,
        org: i64,
        issued_only: bool,
        thread: Option<i64>,
    ) -> Result<Vec<Warning>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM warnings WHERE org_id = $1 AND ($2 = 0 OR status <> 'draft') AND ($3 < 0 OR thread = $3) \
             ORDER BY number DESC"
        )))
        .bind(org)
        .bind(i64::from(issued_only))
        .bind(thread.unwrap_or(-1))
        .fetch_all(&mut *conn)
        .await?;
        let mut list = rows
            .iter()
            .map(warning_from)
            .collect::<Result<Vec<_>, _>>()?;
        fill(&mut conn, &mut list).await?;
        Ok(list.into_iter().map(|(_, w)| w).collect())
    }

    /// The audit trail of one alert: every message of `thread`, oldest first.
    pub async fn warning_history(
        &self,
        org: i64,
        thread: i64,
    ) -> Result<Vec<crate::AuditEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT a.id, a.actor, a.at, a.action, a.entity, a.entity_id, a.summary, NULL AS before_json, NULL AS after_json \
             FROM audit a WHERE a.org_id = $1 AND a.entity = 'warning' AND a.entity_id IN \
             (SELECT CAST(w.number AS TEXT) FROM warnings w WHERE w.org_id = $1 AND w.thread = $2) ORDER BY a.id",
        )
        .bind(org)
        .bind(thread)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(crate::audit::entry_from).collect()
    }

    /// The organisation's warning settings.
    pub async fn warning_settings(&self, org: i64) -> Result<WarningSettings, StoreError> {
        let row =
            sqlx::query("SELECT publish_welsh, sender FROM warning_settings WHERE org_id = $1")
                .bind(org)
                .fetch_optional(&self.pool)
                .await?;
        Ok(match row {
            Some(r) => WarningSettings {
                publish_welsh: r.try_get::<i64, _>("publish_welsh")? != 0,
                sender: r.try_get("sender")?,
            },
            None => WarningSettings::default(),
        })
    }

    /// Changes the organisation's warning settings.
    pub async fn set_warning_settings(
        &self,
        org: i64,
        settings: &WarningSettings,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        let before = self.warning_settings(org).await?;
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO warning_settings (org_id, publish_welsh, sender) VALUES ($1, $2, $3) \
             ON CONFLICT (org_id) DO UPDATE SET publish_welsh = $2, sender = $3",
        )
        .bind(org)
        .bind(i64::from(settings.publish_welsh))
        .bind(&settings.sender)
        .execute(&mut *tx)
        .await?;
        let change = Change {
            org: Some(org),
            actor,
            action: "update",
            entity: "warning settings",
            entity_id: "",
            before: Some(json(&before)),
            after: Some(json(settings)),
            summary: None,
        };
        record(&mut *tx, change).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The organisation's own versions of templates, as (key, JSON body).
    pub async fn warning_templates(&self, org: i64) -> Result<Vec<(String, String)>, StoreError> {
        let rows = sqlx::query(
            "SELECT template_key, body FROM warning_templates WHERE org_id = $1 ORDER BY template_key",
        )
        .bind(org)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("template_key")?, r.try_get("body")?)))
            .collect()
    }

    /// Saves the organisation's own version of template `key` (a JSON body).
    pub async fn set_warning_template(
        &self,
        org: i64,
        key: &str,
        body: &str,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let before = sqlx::query(
            "SELECT body FROM warning_templates WHERE org_id = $1 AND template_key = $2",
        )
        .bind(org)
        .bind(key)
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| r.try_get::<String, _>("body"))
        .transpose()?;
        sqlx::query(
            "INSERT INTO warning_templates (org_id, template_key, body) VALUES ($1, $2, $3) \
             ON CONFLICT (org_id, template_key) DO UPDATE SET body = $3",
        )
        .bind(org)
        .bind(key)
        .bind(body)
        .execute(&mut *tx)
        .await?;
        let change = Change {
            org: Some(org),
            actor,
            action: if before.is_some() { "update" } else { "create" },
            entity: "warning template",
            entity_id: key,
            before,
            after: Some(body.to_string()),
            summary: None,
        };
        record(&mut *tx, change).await?;
        tx.commit().await?;
        Ok(())
    }
}
