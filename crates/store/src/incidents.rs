//! Incidents: declared by a lead organisation, shared with the partner organisations it
//! invites, with their M/ETHANE reports (every version kept), status, legal hold and debrief.
//!
//! Whether a caller's organisation may see an incident is answered here ([`Standing`]):
//! the lead organisation and invited partners see it, nobody else learns it exists. What
//! each may do with it (partners read and report, the lead's editors change it) is the
//! caller's to enforce. Every write is audited in the lead organisation's trail, in the
//! same transaction.

use crate::audit::{Actor, finish, json};
use crate::{Store, StoreError, now};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::any::AnyRow;

/// The JESIP command level an incident is run at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CommandLevel {
    /// Bronze: at the scene.
    Operational,
    /// Silver: co-ordinating the response.
    Tactical,
    /// Gold: setting the strategy.
    Strategic,
}

/// Where an incident stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IncidentStatus {
    /// The response is under way.
    Active,
    /// The response is standing down.
    StandDown,
    /// Services and the community are recovering.
    Recovery,
    /// Over; its debrief is recorded.
    Closed,
}

/// Words for enums stored as text, parsed the same way everywhere.
macro_rules! words {
    ($t:ty, $($v:ident => $w:literal),+) => {
        impl $t {
            /// Every value, in the order forms offer them.
            pub const ALL: &'static [$t] = &[$(<$t>::$v),+];
            /// The word stored and submitted.
            pub fn as_str(self) -> &'static str {
                match self { $(<$t>::$v => $w),+ }
            }
            /// Reads a stored or submitted word.
            pub fn parse(text: &str) -> Option<$t> {
                Self::ALL.iter().copied().find(|v| v.as_str() == text)
            }
        }
    };
}
words!(CommandLevel, Operational => "operational", Tactical => "tactical", Strategic => "strategic");
words!(IncidentStatus, Active => "active", StandDown => "stand-down", Recovery => "recovery", Closed => "closed");
pub(crate) use words;

/// What a duty officer records when declaring an incident, and may correct later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentDetails {
    /// A short title.
    pub title: String,
    /// What happened.
    #[serde(default)]
    pub summary: String,
    /// Where.
    #[serde(default)]
    pub location: String,
    /// When it started (seconds since 1970).
    pub started_at: i64,
    /// The command level.
    pub level: CommandLevel,
    /// The model scenario it resembles, if any (an id).
    #[serde(default)]
    pub scenario: Option<String>,
}

/// An organisation, as an incident names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrgName {
    /// Its short name (slug).
    pub slug: String,
    /// Its display name.
    pub name: String,
}

/// An incident.
#[derive(Debug, Clone, Serialize)]
pub struct Incident {
    /// Its id (unique across organisations, so partners use the same address).
    pub id: i64,
    /// The lead organisation.
    pub lead: OrgName,
    /// What was declared.
    #[serde(flatten)]
    pub details: IncidentDetails,
    /// Where it stands.
    pub status: IncidentStatus,
    /// Nothing of it may be deleted under retention rules while this is set.
    pub legal_hold: bool,
    /// How many entries its decision log holds.
    pub log_length: i64,
    /// The debrief recorded when it closed.
    pub debrief: Option<String>,
    /// The invited partner organisations.
    pub partners: Vec<OrgName>,
    /// Who declared it.
    pub created_by: String,
    /// When it was declared.
    pub created_at: i64,
    /// When anything about it last changed.
    pub updated_at: i64,
    /// When it was closed.
    pub closed_at: Option<i64>,
}

/// How the organisation asking relates to an incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Standing {
    /// It leads the incident.
    Lead,
    /// It was invited as a partner.
    Partner,
}

/// A M/ETHANE report: the first structured message of a major incident.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Methane {
    /// M: has a major incident been declared (yes or no, with by whom)?
    #[serde(default)]
    pub major_incident: String,
    /// E: the exact location.
    #[serde(default)]
    pub exact_location: String,
    /// T: the type of incident.
    #[serde(default)]
    pub incident_type: String,
    /// H: hazards, present and potential.
    #[serde(default)]
    pub hazards: String,
    /// A: access routes and rendezvous points.
    #[serde(default)]
    pub access: String,
    /// N: the number and severity of casualties.
    #[serde(default)]
    pub casualties: String,
    /// E: emergency services present and required.
    #[serde(default)]
    pub emergency_services: String,
}

/// One version of an incident's M/ETHANE report.
#[derive(Debug, Clone, Serialize)]
pub struct MethaneVersion {
    /// From 1.
    pub version: i64,
    /// What it says.
    #[serde(flatten)]
    pub report: Methane,
    /// Who recorded it.
    pub recorded_by: String,
    /// When.
    pub recorded_at: i64,
}

const COLUMNS: &str = "i.id, i.org_id, o.slug, o.name, i.title, i.summary, i.location, i.started_at, i.level, i.scenario, \
    i.status, i.legal_hold, i.log_length, i.debrief, i.created_by, i.created_at, i.updated_at, i.closed_at";

fn incident_from(row: &AnyRow) -> Result<Incident, StoreError> {
    let level: String = row.try_get("level")?;
    let status: String = row.try_get("status")?;
    Ok(Incident {
        id: row.try_get("id")?,
        lead: OrgName {
            slug: row.try_get("slug")?,
            name: row.try_get("name")?,
        },
        details: IncidentDetails {
            title: row.try_get("title")?,
            summary: row.try_get("summary")?,
            location: row.try_get("location")?,
            started_at: row.try_get("started_at")?,
            level: CommandLevel::parse(&level).unwrap_or(CommandLevel::Tactical),
            scenario: row.try_get("scenario")?,
        },
        status: IncidentStatus::parse(&status).unwrap_or(IncidentStatus::Active),
        legal_hold: row.try_get::<i64, _>("legal_hold")? != 0,
        log_length: row.try_get("log_length")?,
        debrief: row.try_get("debrief")?,
        partners: Vec::new(),
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        closed_at: row.try_get("closed_at")?,
    })
}

/// Checks, inside `tx`, that incident `id` is led by `org` (not found otherwise), and
/// returns it.
pub(crate) async fn led(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    org: i64,
    id: i64,
) -> Result<Incident, StoreError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM incidents i JOIN organisations o ON o.id = i.org_id WHERE i.id = $1 AND i.org_id = $2"
    )))
    .bind(id)
    .bind(org)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(StoreError::NotFound)?;
    incident_from(&row)
}

/// Marks incident `id` changed now.
pub(crate) async fn touch(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: i64,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE incidents SET updated_at = $1 WHERE id = $2")
        .bind(now())
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

impl Store {
    /// Declares an incident led by `org`; returns its id.
    pub async fn declare_incident(
        &self,
        org: i64,
        actor: &Actor,
        details: &IncidentDetails,
    ) -> Result<i64, StoreError> {
        let mut tx = self.pool.begin().await?;
        let at = now();
        let id: i64 = sqlx::query(
            "INSERT INTO incidents (org_id, title, summary, location, started_at, level, scenario, status, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'active', $8, $9, $9) RETURNING id",
        )
        .bind(org)
        .bind(&details.title)
        .bind(&details.summary)
        .bind(&details.location)
        .bind(details.started_at)
        .bind(details.level.as_str())
        .bind(&details.scenario)
        .bind(&actor.label)
        .bind(at)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        let ident = id.to_string();
        finish(
            tx,
            org,
            actor,
            ["declare", "incident", &ident],
            None,
            Some(json(details)),
        )
        .await?;
        Ok(id)
    }

    /// The incidents `org` leads or is invited to, newest first.
    pub async fn incidents_for(&self, org: i64) -> Result<Vec<(Incident, Standing)>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM incidents i JOIN organisations o ON o.id = i.org_id \
             WHERE i.org_id = $1 OR EXISTS (SELECT 1 FROM incident_partners p WHERE p.incident_id = i.id AND p.org_id = $1) \
             ORDER BY i.started_at DESC, i.id DESC"
        )))
        .bind(org)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let i = incident_from(r)?;
                let lead: i64 = r.try_get("org_id")?;
                let standing = if lead == org {
                    Standing::Lead
                } else {
                    Standing::Partner
                };
                Ok((i, standing))
            })
            .collect()
    }

    /// Incident `id` with its partners, if `org` leads it or is invited to it.
    pub async fn incident_for(
        &self,
        org: i64,
        id: i64,
    ) -> Result<Option<(Incident, Standing)>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM incidents i JOIN organisations o ON o.id = i.org_id WHERE i.id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let mut incident = incident_from(&row)?;
        let partners = sqlx::query(
            "SELECT o.id, o.slug, o.name FROM incident_partners p JOIN organisations o ON o.id = p.org_id \
             WHERE p.incident_id = $1 ORDER BY o.name",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        let mut invited = false;
        for p in &partners {
            invited |= p.try_get::<i64, _>("id")? == org;
            incident.partners.push(OrgName {
                slug: p.try_get("slug")?,
                name: p.try_get("name")?,
            });
        }
        let lead: i64 = row.try_get("org_id")?;
        Ok(if lead == org {
            Some((incident, Standing::Lead))
        } else if invited {
            Some((incident, Standing::Partner))
        } else {
            None
        })
    }

    /// Changes what was declared about incident `id` (led by `org`) and its status; closing it
    /// records when, reopening clears that.
    pub async fn update_incident(
        &self,
        org: i64,
        id: i64,
        actor: &Actor,
        details: &IncidentDetails,
        status: IncidentStatus,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let before = led(&mut tx, org, id).await?;
        let at = now();
        let closed_at = match (status, before.closed_at) {
            (IncidentStatus::Closed, Some(t)) => Some(t),
            (IncidentStatus::Closed, None) => Some(at),
            _ => None,
        };
        sqlx::query(
            "UPDATE incidents SET title = $1, summary = $2, location = $3, started_at = $4, level = $5, scenario = $6, \
             status = $7, closed_at = $8, updated_at = $9 WHERE id = $10",
        )
        .bind(&details.title)
        .bind(&details.summary)
        .bind(&details.location)
        .bind(details.started_at)
        .bind(details.level.as_str())
        .bind(&details.scenario)
        .bind(status.as_str())
        .bind(closed_at)
        .bind(at)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let after = serde_json::json!({"details": details, "status": status});
        let before = serde_json::json!({"details": before.details, "status": before.status});
        finish(
            tx,
            org,
            actor,
            ["update", "incident", &id.to_string()],
            Some(before.to_string()),
            Some(after.to_string()),
        )
        .await
    }

    /// Invites organisation `partner` to incident `id` led by `org` (no change if already
    /// invited).
    pub async fn invite_partner(
        &self,
        org: i64,
        id: i64,
        actor: &Actor,
        partner: &crate::Organisation,
    ) -> Result<(), StoreError> {
        if partner.id == org {
            return Err(StoreError::Conflict(
                "your own organisation leads this incident already".into(),
            ));
        }
        let mut tx = self.pool.begin().await?;
        led(&mut tx, org, id).await?;
        sqlx::query("DELETE FROM incident_partners WHERE incident_id = $1 AND org_id = $2")
            .bind(id)
            .bind(partner.id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO incident_partners (incident_id, org_id, invited_at) VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(partner.id)
        .bind(now())
        .execute(&mut *tx)
        .await?;
        touch(&mut tx, id).await?;
        finish(
            tx,
            org,
            actor,
            ["invite", "incident", &id.to_string()],
            None,
            Some(partner.slug.clone()),
        )
        .await
    }

    /// Sets or lifts the legal hold on incident `id` led by `org`.
    pub async fn set_incident_legal_hold(
        &self,
        org: i64,
        id: i64,
        actor: &Actor,
        hold: bool,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let before = led(&mut tx, org, id).await?;
        sqlx::query("UPDATE incidents SET legal_hold = $1, updated_at = $2 WHERE id = $3")
            .bind(i64::from(hold))
            .bind(now())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let action = if hold { "hold" } else { "release" };
        finish(
            tx,
            org,
            actor,
            [action, "incident", &id.to_string()],
            Some(before.legal_hold.to_string()),
            Some(hold.to_string()),
        )
        .await
    }

    /// Records the debrief of incident `id` led by `org`.
    pub async fn record_debrief(
        &self,
        org: i64,
        id: i64,
        actor: &Actor,
        debrief: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let before = led(&mut tx, org, id).await?;
        sqlx::query("UPDATE incidents SET debrief = $1, updated_at = $2 WHERE id = $3")
            .bind(debrief)
            .bind(now())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        finish(
            tx,
            org,
            actor,
            ["debrief", "incident", &id.to_string()],
            before.debrief,
            Some(debrief.to_string()),
        )
        .await
    }

    /// Records a new version of incident `id`'s M/ETHANE report; returns its version number.
    pub async fn record_methane(
        &self,
        org: i64,
        id: i64,
        actor: &Actor,
        report: &Methane,
    ) -> Result<i64, StoreError> {
        let mut tx = self.pool.begin().await?;
        led(&mut tx, org, id).await?;
        let version: i64 = sqlx::query(
            "SELECT COALESCE(MAX(version), 0) + 1 AS v FROM incident_methane WHERE incident_id = $1",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await?
        .try_get("v")?;
        sqlx::query(
            "INSERT INTO incident_methane (incident_id, version, body, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(version)
        .bind(json(report))
        .bind(&actor.label)
        .bind(now())
        .execute(&mut *tx)
        .await?;
        touch(&mut tx, id).await?;
        finish(
            tx,
            org,
            actor,
            ["methane", "incident", &format!("{id}/{version}")],
            None,
            Some(json(report)),
        )
        .await?;
        Ok(version)
    }

    /// Every version of incident `id`'s M/ETHANE report, newest first.
    pub async fn methane_versions(&self, id: i64) -> Result<Vec<MethaneVersion>, StoreError> {
        let rows = sqlx::query(
            "SELECT version, body, recorded_by, recorded_at FROM incident_methane WHERE incident_id = $1 ORDER BY version DESC",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let body: String = r.try_get("body")?;
                Ok(MethaneVersion {
                    version: r.try_get("version")?,
                    report: serde_json::from_str(&body).unwrap_or_default(),
                    recorded_by: r.try_get("recorded_by")?,
                    recorded_at: r.try_get("recorded_at")?,
                })
            })
            .collect()
    }

    /// The learning record (an exercise of the organisation, format live) that carries
    /// incident `id`'s debrief into lessons and actions, made the first time it is asked
    /// for; its id.
    pub async fn debrief_record(
        &self,
        org: i64,
        id: i64,
        actor: &Actor,
    ) -> Result<i64, StoreError> {
        let mut tx = self.pool.begin().await?;
        let i = led(&mut tx, org, id).await?;
        if let Some(row) = sqlx::query("SELECT id FROM exercises WHERE incident_id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
        {
            return Ok(row.try_get("id")?);
        }
        let held_on = chrono::DateTime::from_timestamp(i.closed_at.unwrap_or_else(now), 0)
            .unwrap_or_default()
            .date_naive()
            .to_string();
        let exercise: i64 = sqlx::query(
            "INSERT INTO exercises (org_id, title, scenario_id, held_on, format, lead, objectives, participants, created_at, incident_id) \
             VALUES ($1, $2, $3, $4, 'live', $5, $6, '[]', $7, $8) RETURNING id",
        )
        .bind(org)
        .bind(format!("Debrief of incident {id}: {}", i.details.title))
        .bind(i.details.scenario.clone().unwrap_or_default())
        .bind(held_on)
        .bind(&i.created_by)
        .bind(i.debrief.clone().unwrap_or_default())
        .bind(now())
        .bind(id)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        finish(
            tx,
            org,
            actor,
            ["debrief", "exercise", &exercise.to_string()],
            None,
            Some(id.to_string()),
        )
        .await?;
        Ok(exercise)
    }

    /// The learning record of incident `id`'s debrief, if one was made.
    pub async fn debrief_exercise(&self, id: i64) -> Result<Option<i64>, StoreError> {
        let row = sqlx::query("SELECT id FROM exercises WHERE incident_id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.try_get("id")).transpose()?)
    }
}
