//! The working records of an incident: the status board's marks (assets or services failed
//! or degraded from a time), actions, the battle rhythm (meetings and situation report
//! deadlines) and situation reports from every organisation taking part.
//!
//! The lead organisation keeps the board, the actions and the rhythm; any organisation taking
//! part submits its own situation reports, and the organisation an action is given to may
//! move it on. Each write is one transaction with its audit entry, in the trail of the
//! organisation that made it.

use crate::audit::{Actor, finish, json};
use crate::incidents::{OrgName, led, touch, words};
use crate::{Store, StoreError, now};
use serde::{Deserialize, Serialize};
use sqlx::Row;

/// An asset or service marked failed (capacity 0) or degraded on the status board.
#[derive(Debug, Clone, Serialize)]
pub struct Mark {
    /// Database id.
    pub id: i64,
    /// The model item (asset or service id).
    pub item: String,
    /// The capacity it has left, in percent (0: failed).
    pub capacity: i64,
    /// Since when (seconds since 1970).
    pub from_at: i64,
    /// Until when, once it is marked restored.
    pub until_at: Option<i64>,
    /// What is known.
    pub note: String,
    /// Who marked it.
    pub recorded_by: String,
}

/// A mark to put on the status board.
#[derive(Debug, Clone, Copy)]
pub struct NewMark<'a> {
    /// The model item (asset or service id).
    pub item: &'a str,
    /// The capacity it has left, in percent (0: failed).
    pub capacity: i64,
    /// Since when (seconds since 1970).
    pub from_at: i64,
    /// What is known.
    pub note: &'a str,
}

/// An action to add to an incident.
#[derive(Debug, Clone, Copy)]
pub struct NewAction<'a> {
    /// The organisation responsible.
    pub org: i64,
    /// What is to be done.
    pub description: &'a str,
    /// Who owns it.
    pub owner: &'a str,
    /// When it is due (seconds since 1970).
    pub due_at: i64,
    /// The decision it carries out (its number in the log).
    pub decision_seq: Option<i64>,
}

/// Where an incident action has got to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IncidentActionStatus {
    /// Not started.
    Open,
    /// Being worked on.
    InProgress,
    /// Done.
    Done,
    /// No longer needed.
    Cancelled,
}
words!(IncidentActionStatus, Open => "open", InProgress => "in-progress", Done => "done", Cancelled => "cancelled");

/// An action in an incident.
#[derive(Debug, Clone, Serialize)]
pub struct IncidentAction {
    /// Database id.
    pub id: i64,
    /// The organisation responsible.
    pub org: OrgName,
    /// What is to be done.
    pub description: String,
    /// Who owns it.
    pub owner: String,
    /// When it is due (seconds since 1970).
    pub due_at: i64,
    /// Where it has got to.
    pub status: IncidentActionStatus,
    /// The decision it carries out, if any (its number in the log).
    pub decision_seq: Option<i64>,
}

/// What the battle rhythm holds: a meeting, or a deadline for situation reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RhythmKind {
    /// A meeting (a Tactical or Strategic Co-ordinating Group, a briefing).
    Meeting,
    /// Situation reports are due.
    Sitrep,
}
words!(RhythmKind, Meeting => "meeting", Sitrep => "sitrep");

/// One fixed point of the battle rhythm.
#[derive(Debug, Clone, Serialize)]
pub struct RhythmEntry {
    /// Database id.
    pub id: i64,
    /// A meeting or a deadline.
    pub kind: RhythmKind,
    /// What it is.
    pub title: String,
    /// When (seconds since 1970).
    pub at: i64,
}

/// What a situation report says, on the shared template.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SitrepBody {
    /// The situation now.
    #[serde(default)]
    pub situation: String,
    /// Actions taken since the last report.
    #[serde(default)]
    pub actions_taken: String,
    /// Services affected.
    #[serde(default)]
    pub services_affected: String,
    /// Resources committed and available.
    #[serde(default)]
    pub resources: String,
    /// Issues, and requests to other organisations.
    #[serde(default)]
    pub issues: String,
    /// What is expected next.
    #[serde(default)]
    pub forecast: String,
}

/// A submitted situation report.
#[derive(Debug, Clone, Serialize)]
pub struct Sitrep {
    /// Database id.
    pub id: i64,
    /// The reporting organisation.
    pub org: OrgName,
    /// What it says.
    #[serde(flatten)]
    pub body: SitrepBody,
    /// When its next report is due.
    pub next_due_at: Option<i64>,
    /// Who submitted it.
    pub submitted_by: String,
    /// When.
    pub submitted_at: i64,
}

impl Store {
    /// Marks an item failed or degraded on incident `id`'s board; returns the mark's id.
    pub async fn add_mark(
        &self,
        org: i64,
        id: i64,
        actor: &Actor,
        mark: &NewMark<'_>,
    ) -> Result<i64, StoreError> {
        let NewMark {
            item,
            capacity,
            from_at,
            note,
        } = *mark;
        let mut tx = self.pool.begin().await?;
        led(&mut tx, org, id).await?;
        let mark: i64 = sqlx::query(
            "INSERT INTO incident_marks (incident_id, item_id, capacity, from_at, note, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(id)
        .bind(item)
        .bind(capacity)
        .bind(from_at)
        .bind(note)
        .bind(&actor.label)
        .bind(now())
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        let after = serde_json::json!({"item": item, "capacity": capacity, "from_at": from_at, "note": note});
        finish(
            tx,
            org,
            actor,
            ["mark", "incident", &format!("{id}/{item}")],
            None,
            Some(after.to_string()),
        )
        .await?;
        Ok(mark)
    }

    /// Marks the item of mark `mark` restored at `until_at`; a conflict when it already is.
    pub async fn restore_mark(
        &self,
        org: i64,
        id: i64,
        mark: i64,
        actor: &Actor,
        until_at: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        led(&mut tx, org, id).await?;
        let row = sqlx::query(
            "UPDATE incident_marks SET until_at = $1 WHERE id = $2 AND incident_id = $3 AND until_at IS NULL AND from_at <= $1 RETURNING item_id",
        )
        .bind(until_at)
        .bind(mark)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            let exists =
                sqlx::query("SELECT id FROM incident_marks WHERE id = $1 AND incident_id = $2")
                    .bind(mark)
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?;
            return Err(match exists {
                Some(_) => StoreError::Conflict(
                    "it is already marked restored, or the time is before it failed".into(),
                ),
                None => StoreError::NotFound,
            });
        };
        let item: String = row.try_get("item_id")?;
        finish(
            tx,
            org,
            actor,
            ["restore", "incident", &format!("{id}/{item}")],
            None,
            Some(until_at.to_string()),
        )
        .await
    }

    /// Every mark on incident `id`'s board, oldest first.
    pub async fn marks(&self, id: i64) -> Result<Vec<Mark>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, item_id, capacity, from_at, until_at, note, recorded_by FROM incident_marks \
             WHERE incident_id = $1 ORDER BY from_at, id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Mark {
                    id: r.try_get("id")?,
                    item: r.try_get("item_id")?,
                    capacity: r.try_get("capacity")?,
                    from_at: r.try_get("from_at")?,
                    until_at: r.try_get("until_at")?,
                    note: r.try_get("note")?,
                    recorded_by: r.try_get("recorded_by")?,
                })
            })
            .collect()
    }

    /// Adds an action to incident `id` (led by `org`).
    pub async fn add_incident_action(
        &self,
        org: i64,
        id: i64,
        actor: &Actor,
        action: &NewAction<'_>,
    ) -> Result<i64, StoreError> {
        let NewAction {
            org: owner_org,
            description,
            owner,
            due_at,
            decision_seq,
        } = *action;
        let mut tx = self.pool.begin().await?;
        led(&mut tx, org, id).await?;
        let at = now();
        let action: i64 = sqlx::query(
            "INSERT INTO incident_actions (incident_id, org_id, description, owner, due_at, status, decision_seq, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, 'open', $6, $7, $8, $8) RETURNING id",
        )
        .bind(id)
        .bind(owner_org)
        .bind(description)
        .bind(owner)
        .bind(due_at)
        .bind(decision_seq)
        .bind(&actor.label)
        .bind(at)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        let after = serde_json::json!({"description": description, "owner": owner, "due_at": due_at, "decision": decision_seq});
        finish(
            tx,
            org,
            actor,
            ["create", "incident-action", &format!("{id}/{action}")],
            None,
            Some(after.to_string()),
        )
        .await?;
        Ok(action)
    }

    /// Moves action `action` of incident `id` on; `org` must lead the incident or be the
    /// organisation the action is given to.
    pub async fn set_incident_action_status(
        &self,
        org: i64,
        id: i64,
        action: i64,
        actor: &Actor,
        status: IncidentActionStatus,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(
            "UPDATE incident_actions SET status = $1, updated_at = $2 WHERE id = $3 AND incident_id = $4 \
             AND (org_id = $5 OR EXISTS (SELECT 1 FROM incidents i WHERE i.id = $4 AND i.org_id = $5)) RETURNING id",
        )
        .bind(status.as_str())
        .bind(now())
        .bind(action)
        .bind(id)
        .bind(org)
        .fetch_optional(&mut *tx)
        .await?;
        row.ok_or(StoreError::NotFound)?;
        finish(
            tx,
            org,
            actor,
            ["update", "incident-action", &format!("{id}/{action}")],
            None,
            Some(status.as_str().into()),
        )
        .await
    }

    /// Incident `id`'s actions, by due time.
    pub async fn incident_actions(&self, id: i64) -> Result<Vec<IncidentAction>, StoreError> {
        let rows = sqlx::query(
            "SELECT a.id, o.slug, o.name, a.description, a.owner, a.due_at, a.status, a.decision_seq \
             FROM incident_actions a JOIN organisations o ON o.id = a.org_id WHERE a.incident_id = $1 ORDER BY a.due_at, a.id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(IncidentAction {
                    id: r.try_get("id")?,
                    org: OrgName {
                        slug: r.try_get("slug")?,
                        name: r.try_get("name")?,
                    },
                    description: r.try_get("description")?,
                    owner: r.try_get("owner")?,
                    due_at: r.try_get("due_at")?,
                    status: IncidentActionStatus::parse(&r.try_get::<String, _>("status")?)
                        .unwrap_or(IncidentActionStatus::Open),
                    decision_seq: r.try_get("decision_seq")?,
                })
            })
            .collect()
    }

    /// Adds a meeting or a situation report deadline to incident `id`'s battle rhythm.
    pub async fn add_rhythm(
        &self,
        org: i64,
        id: i64,
        actor: &Actor,
        kind: RhythmKind,
        title: &str,
        at: i64,
    ) -> Result<i64, StoreError> {
        let mut tx = self.pool.begin().await?;
        led(&mut tx, org, id).await?;
        let entry: i64 = sqlx::query(
            "INSERT INTO incident_rhythm (incident_id, kind, title, at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(id)
        .bind(kind.as_str())
        .bind(title)
        .bind(at)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        let after = serde_json::json!({"kind": kind, "title": title, "at": at});
        finish(
            tx,
            org,
            actor,
            ["create", "battle-rhythm", &format!("{id}/{entry}")],
            None,
            Some(after.to_string()),
        )
        .await?;
        Ok(entry)
    }

    /// Incident `id`'s battle rhythm, in time order.
    pub async fn rhythm(&self, id: i64) -> Result<Vec<RhythmEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, kind, title, at FROM incident_rhythm WHERE incident_id = $1 ORDER BY at, id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(RhythmEntry {
                    id: r.try_get("id")?,
                    kind: RhythmKind::parse(&r.try_get::<String, _>("kind")?)
                        .unwrap_or(RhythmKind::Meeting),
                    title: r.try_get("title")?,
                    at: r.try_get("at")?,
                })
            })
            .collect()
    }

    /// Records organisation `org`'s situation report on incident `id`; the caller has
    /// checked `org` takes part in it.
    pub async fn submit_sitrep(
        &self,
        org: i64,
        id: i64,
        actor: &Actor,
        body: &SitrepBody,
        next_due_at: Option<i64>,
    ) -> Result<i64, StoreError> {
        let mut tx = self.pool.begin().await?;
        let report: i64 = sqlx::query(
            "INSERT INTO incident_sitreps (incident_id, org_id, body, next_due_at, submitted_by, submitted_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(id)
        .bind(org)
        .bind(json(body))
        .bind(next_due_at)
        .bind(&actor.label)
        .bind(now())
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        touch(&mut tx, id).await?;
        finish(
            tx,
            org,
            actor,
            ["submit", "sitrep", &format!("{id}/{report}")],
            None,
            Some(json(body)),
        )
        .await?;
        Ok(report)
    }

    /// Incident `id`'s situation reports, newest first.
    pub async fn sitreps(&self, id: i64) -> Result<Vec<Sitrep>, StoreError> {
        let rows = sqlx::query(
            "SELECT s.id, o.slug, o.name, s.body, s.next_due_at, s.submitted_by, s.submitted_at \
             FROM incident_sitreps s JOIN organisations o ON o.id = s.org_id WHERE s.incident_id = $1 \
             ORDER BY s.submitted_at DESC, s.id DESC",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let body: String = r.try_get("body")?;
                Ok(Sitrep {
                    id: r.try_get("id")?,
                    org: OrgName {
                        slug: r.try_get("slug")?,
                        name: r.try_get("name")?,
                    },
                    body: serde_json::from_str(&body).unwrap_or_default(),
                    next_due_at: r.try_get("next_due_at")?,
                    submitted_by: r.try_get("submitted_by")?,
                    submitted_at: r.try_get("submitted_at")?,
                })
            })
            .collect()
    }
}
