//! Community support: the list of lists (who holds which data about vulnerable people, and on
//! what lawful basis), lists activated for an incident or a standing hub, and the people on
//! them, with personal data protected by design:
//!
//! - every personal field is sealed with the [`Keyring`] before it reaches the database, and
//!   postcodes are found by keyed hashes, so neither database file nor a backup holds a name,
//!   address, postcode, phone number or need in plain text;
//! - every read of a person record is audited with its purpose, in the same transaction as
//!   the read (no audit entry, no data);
//! - [`Store::run_retention`] deletes records past their expiry date unless their list is
//!   under legal hold.
//!
//! Who may do what is the caller's to decide (hub coordinators and administrators).

use crate::audit::{Actor, Change, finish, json, record};
use crate::exercises::{date, parse_date};
use crate::postcode::{Postcode, PostcodeArea};
use crate::requests::RequestRetention;
use crate::vault::Keyring;
use crate::warnings::is_unique_violation;
use crate::{Store, StoreError, new_secret, now};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::any::AnyRow;

/// A source in the list of lists: a dataset about vulnerable people that an organisation
/// holds, and how to get it in an emergency.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceDetails {
    /// The dataset, like `Priority Services Register`.
    pub name: String,
    /// Who holds it, like `Northern Power Networks`.
    pub holder: String,
    /// What it contains (kinds of people and fields).
    pub contents: String,
    /// How to request it: contact, form, hours.
    pub how_to_request: String,
    /// The lawful basis under UK GDPR Article 6, like `6(1)(e) public task`.
    pub article6: String,
    /// The condition under UK GDPR Article 9 for health data, like `9(2)(g) substantial public interest`.
    pub article9: String,
    /// The condition in DPA 2018 Schedule 1, like `Part 2 para 18 safeguarding`.
    pub schedule1: String,
    /// The data sharing agreement (its name or reference).
    pub agreement: String,
    /// When the agreement is next reviewed.
    pub review_on: Option<NaiveDate>,
    /// What triggers asking for it (a power cut over 12 hours, a flood warning).
    pub triggers: String,
}

/// A stored source of the list of lists.
#[derive(Debug, Clone, Serialize)]
pub struct PeopleSource {
    /// The organisation's number for it, from 1.
    pub id: i64,
    /// What it says.
    #[serde(flatten)]
    pub details: SourceDetails,
    /// When it was added.
    pub created_at: i64,
    /// When it last changed.
    pub updated_at: i64,
}

/// What activates a list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListDetails {
    /// Its name, like `Flood: Riverside welfare calls`.
    pub name: String,
    /// Why it is activated: the purpose every use of it must serve.
    pub purpose: String,
    /// The source of the list of lists it comes from (its number).
    pub source: Option<i64>,
    /// The incident it is for (the incident's id), or none for a standing hub.
    pub incident: Option<String>,
}

/// A list activated for an incident or a standing hub.
#[derive(Debug, Clone, Serialize)]
pub struct PeopleList {
    /// The organisation's number for it, from 1.
    pub id: i64,
    /// What activated it.
    #[serde(flatten)]
    pub details: ListDetails,
    /// Its records are kept past their expiry.
    pub legal_hold: bool,
    /// When it was activated.
    pub activated_at: i64,
    /// Who activated it.
    pub activated_by: String,
    /// How many people are on it.
    pub people: i64,
}

/// What is known about a person: all of it personal data, sealed before it is stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonDetails {
    /// Their name.
    pub name: String,
    /// Their address, without the postcode.
    pub address: String,
    /// Their postcode.
    pub postcode: String,
    /// The Unique Property Reference Number of the address, where known.
    #[serde(default)]
    pub uprn: Option<String>,
    /// A phone number.
    #[serde(default)]
    pub phone: Option<String>,
    /// Needs, like `oxygen`, `electricity-dependent equipment`, `insulin kept cold`.
    #[serde(default)]
    pub needs: Vec<String>,
    /// Mobility, like `wheelchair user`.
    #[serde(default)]
    pub mobility: Option<String>,
    /// The language they prefer, where not English.
    #[serde(default)]
    pub language: Option<String>,
    /// Their care package, like `home care four visits a day`.
    #[serde(default)]
    pub care_package: Option<String>,
    /// Where the key safe is and how to get its code.
    #[serde(default)]
    pub key_safe: Option<String>,
    /// Model services and assets they rely on (ids), like `home-care` or `substation-north`.
    #[serde(default)]
    pub relies_on: Vec<String>,
}

/// The sealed `details` field: everything but name, address, postcode and phone.
#[derive(Serialize, Deserialize)]
struct SealedDetails {
    uprn: Option<String>,
    needs: Vec<String>,
    mobility: Option<String>,
    language: Option<String>,
    care_package: Option<String>,
    key_safe: Option<String>,
    relies_on: Vec<String>,
}

/// A person to add to a list.
#[derive(Debug, Clone)]
pub struct NewPerson {
    /// What is known about them (the postcode must be a valid one).
    pub details: PersonDetails,
    /// The list they are on (its number).
    pub list: Option<i64>,
    /// The dataset the record came from.
    pub source: String,
    /// The lawful basis for holding it.
    pub lawful_basis: String,
    /// The day after which it is deleted (unless its list is under legal hold).
    pub expires_on: NaiveDate,
}

/// A person record, opened.
#[derive(Debug, Clone, Serialize)]
pub struct Person {
    /// The organisation's number for the record, from 1.
    pub id: i64,
    /// The list they are on (its number).
    pub list: Option<i64>,
    /// What is known about them.
    #[serde(flatten)]
    pub details: PersonDetails,
    /// The dataset the record came from.
    pub source: String,
    /// The lawful basis for holding it.
    pub lawful_basis: String,
    /// The day after which it is deleted.
    pub expires_on: NaiveDate,
    /// When it was added.
    pub created_at: i64,
    /// Who added it.
    pub created_by: String,
}

/// Which people to find: those (on one list, if given) whose postcode is in any of `areas`,
/// or who rely on any of `relies_on` (model service or asset ids).
#[derive(Debug, Clone, Copy, Default)]
pub struct PeopleQuery<'a> {
    /// Only this list (its number).
    pub list: Option<i64>,
    /// Postcodes, sectors or districts.
    pub areas: &'a [PostcodeArea],
    /// Services or assets.
    pub relies_on: &'a [String],
}

/// What [`Store::run_retention`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Retention {
    /// Person records deleted.
    pub deleted: u64,
    /// Person records past their expiry kept because their list is under legal hold.
    pub held: u64,
    /// What it did to requests for help.
    pub requests: RequestRetention,
}

const PERSON_COLUMNS: &str = "p.id AS row_id, p.org_id, p.number, p.uid, l.number AS list_number, p.name_sealed, p.address_sealed, \
    p.postcode_sealed, p.phone_sealed, p.details_sealed, p.source, p.lawful_basis, p.expires_on, p.created_at, p.created_by";

const SOURCE_COLUMNS: &str = "number, name, holder, contents, how_to_request, article6, article9, schedule1, agreement, \
    review_on, triggers, created_at, updated_at";

/// The associated data of one sealed field: the record and the field.
fn context(uid: &str, field: &str) -> String {
    format!("person {uid} {field}")
}

/// A sealed row, opened.
fn open_person(row: &AnyRow, keys: &Keyring) -> Result<Person, StoreError> {
    let uid: String = row.try_get("uid")?;
    let open = |field: &str| -> Result<String, StoreError> {
        keys.open(
            &context(&uid, field),
            &row.try_get::<String, _>(format!("{field}_sealed").as_str())?,
        )
    };
    let phone = row
        .try_get::<Option<String>, _>("phone_sealed")?
        .map(|s| keys.open(&context(&uid, "phone"), &s))
        .transpose()?;
    let rest: SealedDetails = serde_json::from_str(&open("details")?)
        .map_err(|e| StoreError::Key(format!("the details of a person record do not read: {e}")))?;
    Ok(Person {
        id: row.try_get("number")?,
        list: row.try_get("list_number")?,
        details: PersonDetails {
            name: open("name")?,
            address: open("address")?,
            postcode: open("postcode")?,
            uprn: rest.uprn,
            phone,
            needs: rest.needs,
            mobility: rest.mobility,
            language: rest.language,
            care_package: rest.care_package,
            key_safe: rest.key_safe,
            relies_on: rest.relies_on,
        },
        source: row.try_get("source")?,
        lawful_basis: row.try_get("lawful_basis")?,
        expires_on: date(row, "expires_on")?,
        created_at: row.try_get("created_at")?,
        created_by: row.try_get("created_by")?,
    })
}

/// The sealed columns and postcode hashes of a person, for record `uid`.
struct Sealed {
    name: String,
    address: String,
    postcode: String,
    phone: Option<String>,
    details: String,
    postcode_hash: String,
    sector_hash: String,
    district_hash: String,
}

fn seal_person(details: &PersonDetails, uid: &str, keys: &Keyring) -> Result<Sealed, StoreError> {
    let postcode = Postcode::parse(&details.postcode).ok_or_else(|| {
        StoreError::Conflict(format!(
            "{:?} is not a UK postcode",
            details.postcode.chars().take(12).collect::<String>()
        ))
    })?;
    let rest = SealedDetails {
        uprn: details.uprn.clone(),
        needs: details.needs.clone(),
        mobility: details.mobility.clone(),
        language: details.language.clone(),
        care_package: details.care_package.clone(),
        key_safe: details.key_safe.clone(),
        relies_on: details.relies_on.clone(),
    };
    Ok(Sealed {
        name: keys.seal(&context(uid, "name"), &details.name),
        address: keys.seal(&context(uid, "address"), &details.address),
        postcode: keys.seal(&context(uid, "postcode"), &postcode.to_string()),
        phone: details
            .phone
            .as_ref()
            .map(|p| keys.seal(&context(uid, "phone"), p)),
        details: keys.seal(&context(uid, "details"), &json(&rest)),
        postcode_hash: keys.hash("postcode", &postcode.to_string()),
        sector_hash: keys.hash("sector", &postcode.sector()),
        district_hash: keys.hash("district", postcode.district()),
    })
}

/// What the audit trail keeps of a person record: never personal data.
fn audit_view(list: Option<i64>, source: &str, lawful_basis: &str, expires_on: &str) -> String {
    json(&serde_json::json!({
        "list": list, "source": source, "lawful_basis": lawful_basis, "expires_on": expires_on,
    }))
}

/// The next number of `table` (which has `org_id` and `number`) for `org`.
pub(crate) async fn next_number(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    table: &str,
    org: i64,
) -> Result<i64, StoreError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT COALESCE(MAX(number), 0) + 1 AS next_number FROM {table} WHERE org_id = $1"
    )))
    .bind(org)
    .fetch_one(&mut **tx)
    .await?;
    Ok(row.try_get("next_number")?)
}

/// The database id of `org`'s `table` row numbered `number`, or `NotFound`.
pub(crate) async fn row_id(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    table: &str,
    org: i64,
    number: i64,
) -> Result<i64, StoreError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT id FROM {table} WHERE org_id = $1 AND number = $2"
    )))
    .bind(org)
    .bind(number)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(StoreError::NotFound)?;
    Ok(row.try_get("id")?)
}

/// Runs `attempt` again (up to three more times) when two writers took the same number.
macro_rules! numbered {
    ($attempt:expr) => {{
        let mut tries = 0;
        loop {
            match $attempt.await {
                Err(e) if is_unique_violation(&e) && tries < 3 => tries += 1,
                other => break other,
            }
        }
    }};
}
pub(crate) use numbered;

fn source_from(row: &AnyRow) -> Result<PeopleSource, StoreError> {
    let review: Option<String> = row.try_get("review_on")?;
    Ok(PeopleSource {
        id: row.try_get("number")?,
        details: SourceDetails {
            name: row.try_get("name")?,
            holder: row.try_get("holder")?,
            contents: row.try_get("contents")?,
            how_to_request: row.try_get("how_to_request")?,
            article6: row.try_get("article6")?,
            article9: row.try_get("article9")?,
            schedule1: row.try_get("schedule1")?,
            agreement: row.try_get("agreement")?,
            review_on: review.map(|t| parse_date("review_on", &t)).transpose()?,
            triggers: row.try_get("triggers")?,
        },
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn list_from(row: &AnyRow) -> Result<PeopleList, StoreError> {
    Ok(PeopleList {
        id: row.try_get("number")?,
        details: ListDetails {
            name: row.try_get("name")?,
            purpose: row.try_get("purpose")?,
            source: row.try_get("source_number")?,
            incident: row.try_get("incident_id")?,
        },
        legal_hold: row.try_get::<i64, _>("legal_hold")? != 0,
        activated_at: row.try_get("activated_at")?,
        activated_by: row.try_get("activated_by")?,
        people: row.try_get("people")?,
    })
}

const LIST_QUERY: &str = "SELECT l.number, l.name, l.purpose, s.number AS source_number, l.incident_id, l.legal_hold, \
    l.activated_at, l.activated_by, (SELECT COUNT(*) FROM people p WHERE p.list_id = l.id) AS people \
    FROM people_lists l LEFT JOIN people_sources s ON s.id = l.source_id WHERE l.org_id = $1";

impl Store {
    /// The list of lists of `org`, by number.
    pub async fn people_sources(&self, org: i64) -> Result<Vec<PeopleSource>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {SOURCE_COLUMNS} FROM people_sources WHERE org_id = $1 ORDER BY number"
        )))
        .bind(org)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(source_from).collect()
    }

    /// One source of `org`'s list of lists.
    pub async fn people_source(
        &self,
        org: i64,
        number: i64,
    ) -> Result<Option<PeopleSource>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {SOURCE_COLUMNS} FROM people_sources WHERE org_id = $1 AND number = $2"
        )))
        .bind(org)
        .bind(number)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(source_from).transpose()
    }

    /// Adds a source to `org`'s list of lists; returns its number.
    pub async fn create_people_source(
        &self,
        org: i64,
        d: &SourceDetails,
        actor: &Actor,
    ) -> Result<i64, StoreError> {
        numbered!(self.try_create_people_source(org, d, actor))
    }

    async fn try_create_people_source(
        &self,
        org: i64,
        d: &SourceDetails,
        actor: &Actor,
    ) -> Result<i64, StoreError> {
        let mut tx = self.pool.begin().await?;
        let number = next_number(&mut tx, "people_sources", org).await?;
        let at = now();
        sqlx::query(
            "INSERT INTO people_sources (org_id, number, name, holder, contents, how_to_request, article6, article9, \
             schedule1, agreement, review_on, triggers, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)",
        )
        .bind(org)
        .bind(number)
        .bind(&d.name)
        .bind(&d.holder)
        .bind(&d.contents)
        .bind(&d.how_to_request)
        .bind(&d.article6)
        .bind(&d.article9)
        .bind(&d.schedule1)
        .bind(&d.agreement)
        .bind(d.review_on.map(|r| r.to_string()))
        .bind(&d.triggers)
        .bind(at)
        .execute(&mut *tx)
        .await?;
        let id = number.to_string();
        finish(
            tx,
            org,
            actor,
            ["create", "people-source", &id],
            None,
            Some(json(d)),
        )
        .await?;
        Ok(number)
    }

    /// Changes a source of `org`'s list of lists.
    pub async fn update_people_source(
        &self,
        org: i64,
        number: i64,
        d: &SourceDetails,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        let before = self
            .people_source(org, number)
            .await?
            .ok_or(StoreError::NotFound)?;
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE people_sources SET name = $3, holder = $4, contents = $5, how_to_request = $6, article6 = $7, \
             article9 = $8, schedule1 = $9, agreement = $10, review_on = $11, triggers = $12, updated_at = $13 \
             WHERE org_id = $1 AND number = $2",
        )
        .bind(org)
        .bind(number)
        .bind(&d.name)
        .bind(&d.holder)
        .bind(&d.contents)
        .bind(&d.how_to_request)
        .bind(&d.article6)
        .bind(&d.article9)
        .bind(&d.schedule1)
        .bind(&d.agreement)
        .bind(d.review_on.map(|r| r.to_string()))
        .bind(&d.triggers)
        .bind(now())
        .execute(&mut *tx)
        .await?;
        let id = number.to_string();
        let before = Some(json(&before.details));
        finish(
            tx,
            org,
            actor,
            ["update", "people-source", &id],
            before,
            Some(json(d)),
        )
        .await
    }

    /// The lists `org` has activated, newest first, with how many people are on each.
    pub async fn people_lists(&self, org: i64) -> Result<Vec<PeopleList>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{LIST_QUERY} ORDER BY l.number DESC"
        )))
        .bind(org)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(list_from).collect()
    }

    /// One list of `org`.
    pub async fn people_list(
        &self,
        org: i64,
        number: i64,
    ) -> Result<Option<PeopleList>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{LIST_QUERY} AND l.number = $2"
        )))
        .bind(org)
        .bind(number)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(list_from).transpose()
    }

    /// Activates a list for an incident or a standing hub; returns its number. A source
    /// named must be one of `org`'s.
    pub async fn activate_people_list(
        &self,
        org: i64,
        d: &ListDetails,
        actor: &Actor,
    ) -> Result<i64, StoreError> {
        numbered!(self.try_activate_people_list(org, d, actor))
    }

    async fn try_activate_people_list(
        &self,
        org: i64,
        d: &ListDetails,
        actor: &Actor,
    ) -> Result<i64, StoreError> {
        let mut tx = self.pool.begin().await?;
        let source = match d.source {
            Some(n) => Some(row_id(&mut tx, "people_sources", org, n).await?),
            None => None,
        };
        let number = next_number(&mut tx, "people_lists", org).await?;
        sqlx::query(
            "INSERT INTO people_lists (org_id, number, name, purpose, source_id, incident_id, legal_hold, activated_at, activated_by) \
             VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8)",
        )
        .bind(org)
        .bind(number)
        .bind(&d.name)
        .bind(&d.purpose)
        .bind(source)
        .bind(&d.incident)
        .bind(now())
        .bind(&actor.label)
        .execute(&mut *tx)
        .await?;
        let id = number.to_string();
        finish(
            tx,
            org,
            actor,
            ["activate", "people-list", &id],
            None,
            Some(json(d)),
        )
        .await?;
        Ok(number)
    }

    /// Puts a list under legal hold (its records outlive their expiry) or lifts the hold.
    pub async fn set_legal_hold(
        &self,
        org: i64,
        number: i64,
        hold: bool,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        self.set_hold("people_lists", "people-list", org, number, hold, actor)
            .await
    }

    /// Sets or lifts the legal hold on row `number` of `org` in `table` (one of this crate's
    /// numbered tables with a `legal_hold` column), audited as `entity`.
    pub(crate) async fn set_hold(
        &self,
        table: &str,
        entity: &str,
        org: i64,
        number: i64,
        hold: bool,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let id = row_id(&mut tx, table, org, number).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE {table} SET legal_hold = $1 WHERE id = $2"
        )))
        .bind(i64::from(hold))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let action = if hold { "hold" } else { "release" };
        let after = json(&serde_json::json!({ "legal_hold": hold }));
        finish(
            tx,
            org,
            actor,
            [action, entity, &number.to_string()],
            None,
            Some(after),
        )
        .await
    }

    /// Adds a person, every personal field sealed with `keys`; returns the record's number.
    /// A list named must be one of `org`'s; the postcode must be a UK postcode.
    pub async fn create_person(
        &self,
        org: i64,
        person: &NewPerson,
        keys: &Keyring,
        actor: &Actor,
    ) -> Result<i64, StoreError> {
        numbered!(self.try_create_person(org, person, keys, actor))
    }

    async fn try_create_person(
        &self,
        org: i64,
        p: &NewPerson,
        keys: &Keyring,
        actor: &Actor,
    ) -> Result<i64, StoreError> {
        let uid = new_secret("");
        let sealed = seal_person(&p.details, &uid, keys)?;
        let mut tx = self.pool.begin().await?;
        let list = match p.list {
            Some(n) => Some(row_id(&mut tx, "people_lists", org, n).await?),
            None => None,
        };
        let number = next_number(&mut tx, "people", org).await?;
        let expires = p.expires_on.to_string();
        sqlx::query(
            "INSERT INTO people (org_id, number, uid, list_id, name_sealed, address_sealed, postcode_sealed, phone_sealed, \
             details_sealed, postcode_hash, sector_hash, district_hash, source, lawful_basis, expires_on, created_at, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
        )
        .bind(org)
        .bind(number)
        .bind(&uid)
        .bind(list)
        .bind(&sealed.name)
        .bind(&sealed.address)
        .bind(&sealed.postcode)
        .bind(&sealed.phone)
        .bind(&sealed.details)
        .bind(&sealed.postcode_hash)
        .bind(&sealed.sector_hash)
        .bind(&sealed.district_hash)
        .bind(&p.source)
        .bind(&p.lawful_basis)
        .bind(&expires)
        .bind(now())
        .bind(&actor.label)
        .execute(&mut *tx)
        .await?;
        let after = audit_view(p.list, &p.source, &p.lawful_basis, &expires);
        let id = number.to_string();
        finish(tx, org, actor, ["create", "person", &id], None, Some(after)).await?;
        Ok(number)
    }

    /// Reads one person record for `purpose`, recording the read (who, when, why) in the
    /// audit trail in the same transaction: `NotFound` when `org` has no such record.
    pub async fn read_person(
        &self,
        org: i64,
        number: i64,
        purpose: &str,
        keys: &Keyring,
        actor: &Actor,
    ) -> Result<Person, StoreError> {
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {PERSON_COLUMNS} FROM people p LEFT JOIN people_lists l ON l.id = p.list_id \
             WHERE p.org_id = $1 AND p.number = $2"
        )))
        .bind(org)
        .bind(number)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let person = open_person(&row, keys)?;
        let why = json(&serde_json::json!({ "purpose": purpose }));
        let id = number.to_string();
        finish(tx, org, actor, ["read", "person", &id], None, Some(why)).await?;
        Ok(person)
    }

    /// The people of `org` that `query` finds, by number, each read recorded in the audit
    /// trail with `purpose` in one transaction with the read. Records sealed under any key of
    /// `keys` are found; records are opened only to match `relies_on`, and only those
    /// returned count as read.
    pub async fn find_people(
        &self,
        org: i64,
        query: &PeopleQuery<'_>,
        purpose: &str,
        keys: &Keyring,
        actor: &Actor,
    ) -> Result<Vec<Person>, StoreError> {
        // (column, hash) pairs: a record matches when any of its columns holds its hash.
        let mut hashes: Vec<(&str, String)> = Vec::new();
        for area in query.areas {
            let (kind, value) = area.hash_input();
            let column = match kind {
                "postcode" => "postcode_hash",
                "sector" => "sector_hash",
                _ => "district_hash",
            };
            hashes.extend(keys.hashes(kind, &value).into_iter().map(|h| (column, h)));
        }
        if hashes.is_empty() && query.relies_on.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.pool.begin().await?;
        let list_id = match query.list {
            Some(n) => Some(row_id(&mut tx, "people_lists", org, n).await?),
            None => None,
        };
        // Hashes (and the list) are bound as parameters; only their count shapes the query.
        // Matching what people rely on needs every record of the list opened.
        let by_hash = query.relies_on.is_empty();
        let mut conditions = Vec::new();
        if by_hash {
            for (i, (column, _)) in hashes.iter().enumerate() {
                conditions.push(format!("p.{column} = ${}", i + 2));
            }
        }
        let first_free = if by_hash { hashes.len() + 2 } else { 2 };
        let on_list = match list_id {
            Some(_) => format!(" AND p.list_id = ${first_free}"),
            None => String::new(),
        };
        let matching = if by_hash {
            format!(" AND ({})", conditions.join(" OR "))
        } else {
            String::new()
        };
        let sql = format!(
            "SELECT {PERSON_COLUMNS}, p.postcode_hash, p.sector_hash, p.district_hash FROM people p \
             LEFT JOIN people_lists l ON l.id = p.list_id WHERE p.org_id = $1{on_list}{matching} ORDER BY p.number"
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(org);
        if by_hash {
            for (_, h) in &hashes {
                q = q.bind(h.clone());
            }
        }
        if let Some(id) = list_id {
            q = q.bind(id);
        }
        let rows = q.fetch_all(&mut *tx).await?;
        let mut people = Vec::new();
        let why = json(&serde_json::json!({ "purpose": purpose }));
        for row in &rows {
            let in_area = hashes.iter().any(|(column, h)| {
                row.try_get::<String, _>(*column)
                    .is_ok_and(|stored| stored == *h)
            });
            let person = open_person(row, keys)?;
            let relies = person
                .details
                .relies_on
                .iter()
                .any(|id| query.relies_on.contains(id));
            if !(in_area || relies) {
                continue;
            }
            let id = person.id.to_string();
            let change = Change {
                org: Some(org),
                actor,
                action: "read",
                entity: "person",
                entity_id: &id,
                before: None,
                after: Some(why.clone()),
                summary: None,
            };
            record(&mut *tx, change).await?;
            people.push(person);
        }
        tx.commit().await?;
        Ok(people)
    }

    /// Deletes, in every organisation, each person record past its expiry date (`expires_on`
    /// before `today`) whose list is not under legal hold, nor activated for an incident under
    /// legal hold, and each request for help past its expiry date not under legal hold (its
    /// own or its incident's), recording each deletion, in one transaction.
    pub async fn run_retention(
        &self,
        today: NaiveDate,
        actor: &Actor,
    ) -> Result<Retention, StoreError> {
        let mut tx = self.pool.begin().await?;
        let rows = sqlx::query(
            "SELECT p.id, p.org_id, p.number, p.source, p.lawful_basis, p.expires_on, l.number AS list_number, \
             CASE WHEN COALESCE(l.legal_hold, 0) <> 0 OR EXISTS (SELECT 1 FROM incidents i \
             WHERE i.org_id = p.org_id AND CAST(i.id AS TEXT) = l.incident_id AND i.legal_hold <> 0) \
             THEN 1 ELSE 0 END AS held FROM people p LEFT JOIN people_lists l ON l.id = p.list_id \
             WHERE p.expires_on < $1 ORDER BY p.id",
        )
        .bind(today.to_string())
        .fetch_all(&mut *tx)
        .await?;
        let mut done = Retention::default();
        for row in &rows {
            if row.try_get::<i64, _>("held")? != 0 {
                done.held += 1;
                continue;
            }
            sqlx::query("DELETE FROM people WHERE id = $1")
                .bind(row.try_get::<i64, _>("id")?)
                .execute(&mut *tx)
                .await?;
            let id = row.try_get::<i64, _>("number")?.to_string();
            let before = audit_view(
                row.try_get("list_number")?,
                &row.try_get::<String, _>("source")?,
                &row.try_get::<String, _>("lawful_basis")?,
                &row.try_get::<String, _>("expires_on")?,
            );
            let change = Change {
                org: Some(row.try_get("org_id")?),
                actor,
                action: "delete",
                entity: "person",
                entity_id: &id,
                before: Some(before),
                after: None,
                summary: None,
            };
            record(&mut *tx, change).await?;
            done.deleted += 1;
        }
        done.requests = Store::retain_requests(&mut tx, today, actor).await?;
        tx.commit().await?;
        Ok(done)
    }

    /// Seals every person record again with the newest key of `keys` (which must still hold
    /// the keys they were sealed with), in one transaction; returns how many. After it the
    /// older keys may be removed from the key file.
    pub async fn rekey_people(&self, keys: &Keyring) -> Result<u64, StoreError> {
        let mut tx = self.pool.begin().await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {PERSON_COLUMNS} FROM people p LEFT JOIN people_lists l ON l.id = p.list_id ORDER BY p.id"
        )))
        .fetch_all(&mut *tx)
        .await?;
        for row in &rows {
            let person = open_person(row, keys)?;
            let uid: String = row.try_get("uid")?;
            let s = seal_person(&person.details, &uid, keys)?;
            sqlx::query(
                "UPDATE people SET name_sealed = $1, address_sealed = $2, postcode_sealed = $3, phone_sealed = $4, \
                 details_sealed = $5, postcode_hash = $6, sector_hash = $7, district_hash = $8 WHERE id = $9",
            )
            .bind(&s.name)
            .bind(&s.address)
            .bind(&s.postcode)
            .bind(&s.phone)
            .bind(&s.details)
            .bind(&s.postcode_hash)
            .bind(&s.sector_hash)
            .bind(&s.district_hash)
            .bind(row.try_get::<i64, _>("row_id")?)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(rows.len() as u64)
    }
}
