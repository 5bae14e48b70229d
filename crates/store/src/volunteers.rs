//! Volunteers of a community hub: what they can help with, their DBS check, when they are
//! available, the hours they give and the requests they are assigned. Their name and contact
//! details are personal data, sealed field by field as person records are
//! ([`crate::people`]), and every read is audited with its purpose; their postcode district is
//! kept as a keyed hash only, to match them with requests in the same district.

use crate::audit::{Actor, Change, finish, json, record};
use crate::exercises::parse_date;
use crate::incidents::words;
use crate::people::{next_number, numbered, row_id};
use crate::postcode::Postcode;
use crate::requests::Category;
use crate::vault::Keyring;
use crate::warnings::is_unique_violation;
use crate::{Store, StoreError, new_secret, now};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::any::AnyRow;

/// The level of a Disclosure and Barring Service check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DbsLevel {
    /// No check.
    None,
    /// A basic check (unspent convictions).
    Basic,
    /// A standard check (spent and unspent convictions, cautions).
    Standard,
    /// An enhanced check (also local police information).
    Enhanced,
    /// An enhanced check with the barred lists: needed to work alone with vulnerable adults.
    EnhancedBarred,
}
words!(DbsLevel, None => "none", Basic => "basic", Standard => "standard", Enhanced => "enhanced", EnhancedBarred => "enhanced-barred");

impl DbsLevel {
    /// How pages name it.
    pub fn label(self) -> &'static str {
        match self {
            DbsLevel::None => "No check",
            DbsLevel::Basic => "Basic",
            DbsLevel::Standard => "Standard",
            DbsLevel::Enhanced => "Enhanced",
            DbsLevel::EnhancedBarred => "Enhanced with barred lists",
        }
    }
}

/// A volunteer's personal details: sealed before they are stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VolunteerContact {
    /// Their name.
    pub name: String,
    /// A phone number.
    #[serde(default)]
    pub phone: Option<String>,
    /// An email address.
    #[serde(default)]
    pub email: Option<String>,
    /// Their home postcode (only its district is used for matching).
    pub postcode: String,
}

/// A volunteer to add.
#[derive(Debug, Clone)]
pub struct NewVolunteer {
    /// Their personal details (the postcode must be a UK postcode).
    pub contact: VolunteerContact,
    /// The kinds of request they can help with.
    pub skills: Vec<Category>,
    /// Their DBS check.
    pub dbs_level: DbsLevel,
    /// When their DBS check is due to be renewed, if it is.
    pub dbs_expires_on: Option<NaiveDate>,
    /// Whether they can take requests now.
    pub available: bool,
    /// When they are usually free, like `weekday mornings` (not personal data).
    pub availability: String,
}

/// A volunteer, opened.
#[derive(Debug, Clone, Serialize)]
pub struct Volunteer {
    /// The organisation's number for them, from 1.
    pub id: i64,
    /// Their personal details.
    #[serde(flatten)]
    pub contact: VolunteerContact,
    /// The kinds of request they can help with.
    pub skills: Vec<Category>,
    /// Their DBS check.
    pub dbs_level: DbsLevel,
    /// When their DBS check is due to be renewed.
    pub dbs_expires_on: Option<NaiveDate>,
    /// Whether they can take requests now.
    pub available: bool,
    /// When they are usually free.
    pub availability: String,
    /// Hours logged, in minutes.
    pub minutes: i64,
    /// The requests assigned to them that are still open (numbers).
    pub assignments: Vec<i64>,
}

/// A volunteer who could take a request.
#[derive(Debug, Clone, Serialize)]
pub struct VolunteerMatch {
    /// The volunteer.
    #[serde(flatten)]
    pub volunteer: Volunteer,
    /// They live in the request's postcode district.
    pub same_district: bool,
}

/// The associated data of one sealed field of volunteer `uid`.
fn context(uid: &str, field: &str) -> String {
    format!("volunteer {uid} {field}")
}

const COLUMNS: &str = "v.id AS row_id, v.number, v.uid, v.name_sealed, v.phone_sealed, v.email_sealed, v.postcode_sealed, \
    v.district_hash, v.skills, v.dbs_level, v.dbs_expires_on, v.available, v.availability, \
    (SELECT CAST(COALESCE(SUM(h.minutes), 0) AS BIGINT) FROM volunteer_hours h WHERE h.volunteer_id = v.id) AS minutes";

/// The sealed columns of a volunteer.
struct Sealed {
    name: String,
    phone: Option<String>,
    email: Option<String>,
    postcode: String,
    district_hash: String,
}

fn seal(c: &VolunteerContact, uid: &str, keys: &Keyring) -> Result<Sealed, StoreError> {
    let postcode = Postcode::parse(&c.postcode).ok_or_else(|| {
        StoreError::Conflict("the volunteer's postcode is not a UK postcode".into())
    })?;
    let optional =
        |field: &str, v: &Option<String>| v.as_ref().map(|t| keys.seal(&context(uid, field), t));
    Ok(Sealed {
        name: keys.seal(&context(uid, "name"), &c.name),
        phone: optional("phone", &c.phone),
        email: optional("email", &c.email),
        postcode: keys.seal(&context(uid, "postcode"), &postcode.to_string()),
        district_hash: keys.hash("district", postcode.district()),
    })
}

/// A row opened, with its open assignments.
fn open(row: &AnyRow, keys: &Keyring, assignments: Vec<i64>) -> Result<Volunteer, StoreError> {
    let uid: String = row.try_get("uid")?;
    let sealed = |field: &str| -> Result<Option<String>, StoreError> {
        row.try_get::<Option<String>, _>(format!("{field}_sealed").as_str())?
            .map(|s| keys.open(&context(&uid, field), &s))
            .transpose()
    };
    let skills: Vec<String> = serde_json::from_str(&row.try_get::<String, _>("skills")?)
        .map_err(|e| StoreError::Key(format!("a volunteer's skills do not read: {e}")))?;
    let dbs: String = row.try_get("dbs_level")?;
    let expires: Option<String> = row.try_get("dbs_expires_on")?;
    Ok(Volunteer {
        id: row.try_get("number")?,
        contact: VolunteerContact {
            name: sealed("name")?.unwrap_or_default(),
            phone: sealed("phone")?,
            email: sealed("email")?,
            postcode: sealed("postcode")?.unwrap_or_default(),
        },
        skills: skills.iter().filter_map(|s| Category::parse(s)).collect(),
        dbs_level: DbsLevel::parse(&dbs).unwrap_or(DbsLevel::None),
        dbs_expires_on: expires
            .map(|e| parse_date("dbs_expires_on", &e))
            .transpose()?,
        available: row.try_get::<i64, _>("available")? != 0,
        availability: row.try_get("availability")?,
        minutes: row.try_get("minutes")?,
        assignments,
    })
}

/// What the audit trail keeps of a volunteer: never personal data.
fn audit_view(v: &NewVolunteer) -> String {
    json(&serde_json::json!({
        "skills": v.skills, "dbs_level": v.dbs_level, "dbs_expires_on": v.dbs_expires_on,
        "available": v.available, "availability": v.availability,
    }))
}

/// Records that `org`'s volunteer `number` was read for `purpose`, in `tx`.
async fn record_read(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    org: i64,
    number: i64,
    purpose: &str,
    actor: &Actor,
) -> Result<(), StoreError> {
    let id = number.to_string();
    let change = Change {
        org: Some(org),
        actor,
        action: "read",
        entity: "volunteer",
        entity_id: &id,
        before: None,
        after: Some(json(&serde_json::json!({ "purpose": purpose }))),
        summary: None,
    };
    record(&mut **tx, change).await?;
    Ok(())
}

impl Store {
    /// Adds a volunteer, their personal details sealed with `keys`; returns their number.
    pub async fn create_volunteer(
        &self,
        org: i64,
        v: &NewVolunteer,
        keys: &Keyring,
        actor: &Actor,
    ) -> Result<i64, StoreError> {
        numbered!(self.try_create_volunteer(org, v, keys, actor))
    }

    async fn try_create_volunteer(
        &self,
        org: i64,
        v: &NewVolunteer,
        keys: &Keyring,
        actor: &Actor,
    ) -> Result<i64, StoreError> {
        let uid = new_secret("");
        let s = seal(&v.contact, &uid, keys)?;
        let skills: Vec<&str> = v.skills.iter().map(|c| c.as_str()).collect();
        let mut tx = self.pool.begin().await?;
        let number = next_number(&mut tx, "volunteers", org).await?;
        sqlx::query(
            "INSERT INTO volunteers (org_id, number, uid, name_sealed, phone_sealed, email_sealed, postcode_sealed, \
             district_hash, skills, dbs_level, dbs_expires_on, available, availability, created_at, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        )
        .bind(org)
        .bind(number)
        .bind(&uid)
        .bind(&s.name)
        .bind(&s.phone)
        .bind(&s.email)
        .bind(&s.postcode)
        .bind(&s.district_hash)
        .bind(json(&skills))
        .bind(v.dbs_level.as_str())
        .bind(v.dbs_expires_on.map(|d| d.to_string()))
        .bind(i64::from(v.available))
        .bind(&v.availability)
        .bind(now())
        .bind(&actor.label)
        .execute(&mut *tx)
        .await?;
        let id = number.to_string();
        let after = Some(audit_view(v));
        finish(tx, org, actor, ["create", "volunteer", &id], None, after).await?;
        Ok(number)
    }

    /// The open requests of `org` assigned to each volunteer (by volunteer row id).
    async fn open_assignments(
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        org: i64,
    ) -> Result<Vec<(i64, i64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT volunteer_id, number FROM help_requests WHERE org_id = $1 AND volunteer_id IS NOT NULL \
             AND status NOT IN ('completed', 'closed') ORDER BY number",
        )
        .bind(org)
        .fetch_all(&mut **tx)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("volunteer_id")?, r.try_get("number")?)))
            .collect()
    }

    /// The numbers of `org`'s volunteers (no personal data, so no read is recorded).
    pub async fn volunteer_numbers(&self, org: i64) -> Result<Vec<i64>, StoreError> {
        let rows = sqlx::query("SELECT number FROM volunteers WHERE org_id = $1 ORDER BY number")
            .bind(org)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| Ok(r.try_get("number")?)).collect()
    }

    /// Every volunteer of `org`, by number, each read recorded in the audit trail with
    /// `purpose` in the same transaction.
    pub async fn volunteers(
        &self,
        org: i64,
        purpose: &str,
        keys: &Keyring,
        actor: &Actor,
    ) -> Result<Vec<Volunteer>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM volunteers v WHERE v.org_id = $1 ORDER BY v.number"
        )))
        .bind(org)
        .fetch_all(&mut *tx)
        .await?;
        let assigned = Store::open_assignments(&mut tx, org).await?;
        let mut out = Vec::new();
        for row in &rows {
            let id: i64 = row.try_get("row_id")?;
            let mine = assigned
                .iter()
                .filter(|(v, _)| *v == id)
                .map(|(_, n)| *n)
                .collect();
            let v = open(row, keys, mine)?;
            record_read(&mut tx, org, v.id, purpose, actor).await?;
            out.push(v);
        }
        tx.commit().await?;
        Ok(out)
    }

    /// The available volunteers of `org` who can help with request `request`'s category (any
    /// category for `other`), those in the request's postcode district first, then those with
    /// fewest open assignments. Each one returned is recorded as read with `purpose`.
    pub async fn volunteer_matches(
        &self,
        org: i64,
        request: i64,
        purpose: &str,
        keys: &Keyring,
        actor: &Actor,
    ) -> Result<Vec<VolunteerMatch>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let r = sqlx::query(
            "SELECT category, district_hash FROM help_requests WHERE org_id = $1 AND number = $2",
        )
        .bind(org)
        .bind(request)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let category =
            Category::parse(&r.try_get::<String, _>("category")?).unwrap_or(Category::Other);
        let district: String = r.try_get("district_hash")?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM volunteers v WHERE v.org_id = $1 AND v.available <> 0 ORDER BY v.number"
        )))
        .bind(org)
        .fetch_all(&mut *tx)
        .await?;
        let assigned = Store::open_assignments(&mut tx, org).await?;
        let mut found = Vec::new();
        for row in &rows {
            let skills: Vec<String> =
                serde_json::from_str(&row.try_get::<String, _>("skills")?).unwrap_or_default();
            if category != Category::Other && !skills.iter().any(|s| s == category.as_str()) {
                continue;
            }
            let id: i64 = row.try_get("row_id")?;
            let mine: Vec<i64> = assigned
                .iter()
                .filter(|(v, _)| *v == id)
                .map(|(_, n)| *n)
                .collect();
            let same_district = row.try_get::<String, _>("district_hash")? == district;
            found.push(VolunteerMatch {
                volunteer: open(row, keys, mine)?,
                same_district,
            });
        }
        found.sort_by_key(|m| {
            (
                !m.same_district,
                m.volunteer.assignments.len(),
                m.volunteer.id,
            )
        });
        for m in &found {
            record_read(&mut tx, org, m.volunteer.id, purpose, actor).await?;
        }
        tx.commit().await?;
        Ok(found)
    }

    /// Marks volunteer `number` available or not, with when they are usually free.
    pub async fn set_volunteer_availability(
        &self,
        org: i64,
        number: i64,
        available: bool,
        availability: &str,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let id = row_id(&mut tx, "volunteers", org, number).await?;
        sqlx::query("UPDATE volunteers SET available = $1, availability = $2 WHERE id = $3")
            .bind(i64::from(available))
            .bind(availability)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let after =
            json(&serde_json::json!({ "available": available, "availability": availability }));
        let key = number.to_string();
        finish(
            tx,
            org,
            actor,
            ["update", "volunteer", &key],
            None,
            Some(after),
        )
        .await
    }

    /// Logs `minutes` that volunteer `number` gave on `day`, perhaps for a request (which must
    /// be one of `org`'s).
    pub async fn log_volunteer_hours(
        &self,
        org: i64,
        number: i64,
        day: NaiveDate,
        minutes: i64,
        request: Option<i64>,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let id = row_id(&mut tx, "volunteers", org, number).await?;
        if let Some(r) = request {
            row_id(&mut tx, "help_requests", org, r).await?;
        }
        sqlx::query(
            "INSERT INTO volunteer_hours (volunteer_id, worked_on, minutes, request_number, logged_at, logged_by) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(day.to_string())
        .bind(minutes)
        .bind(request)
        .bind(now())
        .bind(&actor.label)
        .execute(&mut *tx)
        .await?;
        let after =
            json(&serde_json::json!({ "worked_on": day, "minutes": minutes, "request": request }));
        let key = number.to_string();
        finish(
            tx,
            org,
            actor,
            ["log-hours", "volunteer", &key],
            None,
            Some(after),
        )
        .await
    }

    /// Seals every volunteer again with the newest key of `keys`, in `tx`; returns how many.
    pub(crate) async fn rekey_volunteers(
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        keys: &Keyring,
    ) -> Result<u64, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM volunteers v ORDER BY v.id"
        )))
        .fetch_all(&mut **tx)
        .await?;
        for row in &rows {
            let v = open(row, keys, Vec::new())?;
            let uid: String = row.try_get("uid")?;
            let s = seal(&v.contact, &uid, keys)?;
            sqlx::query(
                "UPDATE volunteers SET name_sealed = $1, phone_sealed = $2, email_sealed = $3, postcode_sealed = $4, \
                 district_hash = $5 WHERE id = $6",
            )
            .bind(&s.name)
            .bind(&s.phone)
            .bind(&s.email)
            .bind(&s.postcode)
            .bind(&s.district_hash)
            .bind(row.try_get::<i64, _>("row_id")?)
            .execute(&mut **tx)
            .await?;
        }
        Ok(rows.len() as u64)
    }
}
