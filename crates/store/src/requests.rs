//! Requests for help to a community hub: taken by phone, sent through the public form or the
//! API, triaged by urgency, assigned to a volunteer, a partner organisation or a council team,
//! and followed through to completion on a timeline. The requester's name, address, postcode,
//! phone number and what they need are personal data, sealed field by field as person records
//! are ([`crate::people`]), and every read is audited with its purpose. Duplicates (the same
//! person, address or phone number) are found by keyed hashes, never by plain text. Expired
//! requests are deleted by [`Store::run_retention`] unless under legal hold.

use crate::audit::{Actor, Change, finish, json, record};
use crate::exercises::date;
use crate::incidents::words;
use crate::people::{next_number, numbered};
use crate::postcode::Postcode;
use crate::vault::Keyring;
use crate::warnings::is_unique_violation;
use crate::{Store, StoreError, new_secret, now};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::any::AnyRow;

/// What kind of help is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// Food and essential shopping.
    Food,
    /// Collecting or delivering medicine.
    Medicine,
    /// Energy and warmth: heating, power, blankets.
    Energy,
    /// Someone to check that a person is safe and well.
    WelfareCheck,
    /// A lift to an appointment or a rest centre.
    Transport,
    /// Somewhere to stay.
    Shelter,
    /// Anything else.
    Other,
}
words!(Category, Food => "food", Medicine => "medicine", Energy => "energy", WelfareCheck => "welfare-check", Transport => "transport", Shelter => "shelter", Other => "other");

impl Category {
    /// How pages name it.
    pub fn label(self) -> &'static str {
        match self {
            Category::Food => "Food",
            Category::Medicine => "Medicine",
            Category::Energy => "Energy and warmth",
            Category::WelfareCheck => "Welfare check",
            Category::Transport => "Transport",
            Category::Shelter => "Shelter",
            Category::Other => "Something else",
        }
    }
}

/// How soon help is needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Urgency {
    /// Someone is at risk without help today.
    Today,
    /// Help is needed within 3 days; they are safe today.
    ThreeDays,
    /// Help would make things easier but can wait.
    CanWait,
}
words!(Urgency, Today => "today", ThreeDays => "three-days", CanWait => "can-wait");

impl Urgency {
    /// How pages name it.
    pub fn label(self) -> &'static str {
        match self {
            Urgency::Today => "Today",
            Urgency::ThreeDays => "Within 3 days",
            Urgency::CanWait => "Can wait",
        }
    }

    /// What it means, in plain words.
    pub fn definition(self) -> &'static str {
        match self {
            Urgency::Today => {
                "Someone is at risk without help today: no food or heating, medicine running out, or nobody has heard from them"
            }
            Urgency::ThreeDays => "They are safe today but will need help in the next 3 days",
            Urgency::CanWait => "Help would make things easier, but nobody is at risk",
        }
    }

    /// The target for first contact, in seconds from when the request was received.
    pub fn contact_target(self) -> i64 {
        match self {
            Urgency::Today => 4 * 3600,
            Urgency::ThreeDays => 24 * 3600,
            Urgency::CanWait => 72 * 3600,
        }
    }
}

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RequestStatus {
    /// Received, nobody assigned yet.
    New,
    /// Assigned, the requester not yet contacted.
    Assigned,
    /// The requester has been contacted; help is under way.
    Contacted,
    /// Help was given.
    Completed,
    /// Closed without help (not needed any more, could not be reached, a duplicate).
    Closed,
}
words!(RequestStatus, New => "new", Assigned => "assigned", Contacted => "contacted", Completed => "completed", Closed => "closed");

impl RequestStatus {
    /// How pages name it.
    pub fn label(self) -> &'static str {
        match self {
            RequestStatus::New => "New",
            RequestStatus::Assigned => "Assigned",
            RequestStatus::Contacted => "Contacted",
            RequestStatus::Completed => "Completed",
            RequestStatus::Closed => "Closed without help",
        }
    }

    /// True once the request is finished with.
    pub fn is_closed(self) -> bool {
        matches!(self, RequestStatus::Completed | RequestStatus::Closed)
    }

    /// True when reaching it means the requester has been contacted.
    fn means_contact(self) -> bool {
        matches!(self, RequestStatus::Contacted | RequestStatus::Completed)
    }
}

/// How a request came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Channel {
    /// A phone call, typed in by a member.
    Phone,
    /// The public form, with no sign-in.
    Public,
    /// The API.
    Api,
}
words!(Channel, Phone => "phone", Public => "public", Api => "api");

/// The requester's personal details: sealed before they are stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Requester {
    /// Their name.
    pub name: String,
    /// Their address, without the postcode.
    pub address: String,
    /// Their postcode.
    pub postcode: String,
    /// A phone number.
    #[serde(default)]
    pub phone: Option<String>,
    /// What they need, in their words.
    pub details: String,
}

/// A request to record.
#[derive(Debug, Clone)]
pub struct NewRequest {
    /// Who asks (the postcode must be a UK postcode).
    pub requester: Requester,
    /// How it came in.
    pub channel: Channel,
    /// What kind of help.
    pub category: Category,
    /// How soon.
    pub urgency: Urgency,
    /// The incident it is part of (the incident's id), if any.
    pub incident: Option<String>,
    /// The day after which it is deleted (unless under legal hold).
    pub expires_on: NaiveDate,
}

/// Who a request is assigned to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Assignee {
    /// A volunteer (their number).
    Volunteer {
        /// The volunteer's number.
        volunteer: i64,
    },
    /// A partner organisation, like `Age UK Northmoor`.
    Partner {
        /// Its name.
        name: String,
    },
    /// A council team, like `Adult social care duty team`.
    Team {
        /// Its name.
        name: String,
    },
}

impl Assignee {
    /// How pages and the timeline name it: never a person's name.
    pub fn label(&self) -> String {
        match self {
            Assignee::Volunteer { volunteer } => format!("Volunteer {volunteer}"),
            Assignee::Partner { name } => format!("{name} (partner)"),
            Assignee::Team { name } => format!("{name} (council team)"),
        }
    }
}

/// Another request that looks like the same one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Duplicate {
    /// Its number.
    pub id: i64,
    /// Its reference.
    pub reference: String,
    /// What is the same: `person` (name and postcode), `address` or `phone`.
    pub same: Vec<&'static str>,
}

/// A request without its personal details: what every member may see.
#[derive(Debug, Clone, Serialize)]
pub struct RequestSummary {
    /// The organisation's number for it, from 1.
    pub id: i64,
    /// The reference given to the requester, like `HR-0007`.
    pub reference: String,
    /// How it came in.
    pub channel: Channel,
    /// What kind of help.
    pub category: Category,
    /// How soon.
    pub urgency: Urgency,
    /// Where it stands.
    pub status: RequestStatus,
    /// Who it is assigned to.
    pub assignee: Option<Assignee>,
    /// The incident it is part of.
    pub incident: Option<String>,
    /// Kept past its expiry.
    pub legal_hold: bool,
    /// When it was received.
    pub received_at: i64,
    /// When the requester was first contacted.
    pub first_contact_at: Option<i64>,
    /// When it was completed or closed.
    pub closed_at: Option<i64>,
    /// The day after which it is deleted.
    pub expires_on: NaiveDate,
    /// Other requests that look like the same one (numbers).
    pub duplicates: Vec<i64>,
}

/// One step of a request's timeline.
#[derive(Debug, Clone, Serialize)]
pub struct RequestEvent {
    /// When.
    pub at: i64,
    /// Who.
    pub actor: String,
    /// `received`, `assigned`, `status` or `note`.
    pub kind: String,
    /// The status after it.
    pub status: RequestStatus,
    /// Who it was assigned to, for an assignment.
    pub assignee: Option<String>,
    /// The note, opened.
    pub note: Option<String>,
}

/// A request with its personal details and timeline, opened.
#[derive(Debug, Clone, Serialize)]
pub struct HelpRequest {
    /// What every member may see.
    #[serde(flatten)]
    pub summary: RequestSummary,
    /// Who asks.
    pub requester: Requester,
    /// What happened, oldest first.
    pub timeline: Vec<RequestEvent>,
    /// Other requests that look like the same one.
    pub duplicate_of: Vec<Duplicate>,
}

/// The reference of request `number`, as the requester is told it.
pub fn reference(number: i64) -> String {
    format!("HR-{number:04}")
}

/// The request number of a reference (`HR-0007`, `hr7` or `7`).
pub fn parse_reference(text: &str) -> Option<i64> {
    let t = text.trim();
    let digits = t
        .strip_prefix("HR-")
        .or_else(|| t.strip_prefix("hr-"))
        .or_else(|| t.strip_prefix("HR"))
        .or_else(|| t.strip_prefix("hr"))
        .unwrap_or(t);
    digits.parse().ok().filter(|n| *n > 0)
}

/// Lower case letters and digits, one space between words: the form duplicates are compared in.
fn normalise(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                ' '
            }
        })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A phone number's digits, with the UK's `+44` or `0044` written as `0`.
fn phone_digits(phone: &str) -> String {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    if let Some(rest) = digits
        .strip_prefix("0044")
        .or_else(|| digits.strip_prefix("44"))
        .filter(|r| r.len() >= 9)
    {
        format!("0{}", rest.trim_start_matches('0'))
    } else {
        digits
    }
}

/// The values hashed to find duplicates: (kind, column, value).
fn duplicate_inputs(
    r: &Requester,
    postcode: &Postcode,
) -> Vec<(&'static str, &'static str, String)> {
    let mut out = vec![
        (
            "request-person",
            "person_hash",
            format!("{}\n{postcode}", normalise(&r.name)),
        ),
        (
            "request-address",
            "address_hash",
            format!("{}\n{postcode}", normalise(&r.address)),
        ),
    ];
    if let Some(p) = r
        .phone
        .as_deref()
        .map(phone_digits)
        .filter(|p| !p.is_empty())
    {
        out.push(("request-phone", "phone_hash", p));
    }
    out
}

/// The associated data of one sealed field of request `uid`.
fn context(uid: &str, field: &str) -> String {
    format!("help request {uid} {field}")
}

/// The sealed columns and hashes of a requester.
struct Sealed {
    name: String,
    address: String,
    postcode: String,
    phone: Option<String>,
    details: String,
    person_hash: String,
    address_hash: String,
    phone_hash: Option<String>,
    district_hash: String,
}

fn seal(r: &Requester, uid: &str, keys: &Keyring) -> Result<Sealed, StoreError> {
    let postcode = Postcode::parse(&r.postcode).ok_or_else(|| {
        StoreError::Conflict("the requester's postcode is not a UK postcode".into())
    })?;
    let hashes = duplicate_inputs(r, &postcode);
    let hash_of = |column: &str| {
        hashes
            .iter()
            .find(|(_, c, _)| *c == column)
            .map(|(kind, _, value)| keys.hash(kind, value))
    };
    Ok(Sealed {
        name: keys.seal(&context(uid, "name"), &r.name),
        address: keys.seal(&context(uid, "address"), &r.address),
        postcode: keys.seal(&context(uid, "postcode"), &postcode.to_string()),
        phone: r
            .phone
            .as_ref()
            .map(|p| keys.seal(&context(uid, "phone"), p)),
        details: keys.seal(&context(uid, "details"), &r.details),
        person_hash: hash_of("person_hash").unwrap_or_default(),
        address_hash: hash_of("address_hash").unwrap_or_default(),
        phone_hash: hash_of("phone_hash"),
        district_hash: keys.hash("district", postcode.district()),
    })
}

const SUMMARY_COLUMNS: &str = "r.id AS row_id, r.number, r.uid, r.channel, r.category, r.urgency, r.status, r.assignee_kind, \
    v.number AS volunteer_number, r.assignee, r.incident_id, r.legal_hold, r.received_at, r.first_contact_at, r.closed_at, \
    r.expires_on";

const FROM: &str = "FROM help_requests r LEFT JOIN volunteers v ON v.id = r.volunteer_id";

fn word<T>(row: &AnyRow, column: &str, parse: fn(&str) -> Option<T>) -> Result<T, StoreError> {
    let text: String = row.try_get(column)?;
    parse(&text)
        .ok_or_else(|| StoreError::Conflict(format!("unknown {column} {text:?} in a request")))
}

fn summary_from(row: &AnyRow) -> Result<RequestSummary, StoreError> {
    let kind: Option<String> = row.try_get("assignee_kind")?;
    let name: Option<String> = row.try_get("assignee")?;
    let volunteer: Option<i64> = row.try_get("volunteer_number")?;
    let assignee = match (kind.as_deref(), volunteer, name) {
        (Some("volunteer"), Some(v), _) => Some(Assignee::Volunteer { volunteer: v }),
        (Some("partner"), _, Some(name)) => Some(Assignee::Partner { name }),
        (Some("team"), _, Some(name)) => Some(Assignee::Team { name }),
        _ => None,
    };
    let number: i64 = row.try_get("number")?;
    Ok(RequestSummary {
        id: number,
        reference: reference(number),
        channel: word(row, "channel", Channel::parse)?,
        category: word(row, "category", Category::parse)?,
        urgency: word(row, "urgency", Urgency::parse)?,
        status: word(row, "status", RequestStatus::parse)?,
        assignee,
        incident: row.try_get("incident_id")?,
        legal_hold: row.try_get::<i64, _>("legal_hold")? != 0,
        received_at: row.try_get("received_at")?,
        first_contact_at: row.try_get("first_contact_at")?,
        closed_at: row.try_get("closed_at")?,
        expires_on: date(row, "expires_on")?,
        duplicates: Vec::new(),
    })
}

/// What the audit trail keeps of a request: never personal data.
fn audit_view(s: &RequestSummary) -> String {
    json(&serde_json::json!({
        "channel": s.channel, "category": s.category, "urgency": s.urgency, "status": s.status,
        "assignee": s.assignee.as_ref().map(Assignee::label), "incident": s.incident,
        "expires_on": s.expires_on,
    }))
}

/// Pairs of `org`'s requests that share a keyed hash, with what they share; `only` limits it
/// to one request's duplicates.
const DUPLICATE_PAIRS: &str = "SELECT r.number AS a, o.number AS b, \
    CASE WHEN o.person_hash = r.person_hash THEN 1 ELSE 0 END AS same_person, \
    CASE WHEN o.address_hash = r.address_hash THEN 1 ELSE 0 END AS same_address, \
    CASE WHEN o.phone_hash = r.phone_hash THEN 1 ELSE 0 END AS same_phone \
    FROM help_requests r JOIN help_requests o ON o.org_id = r.org_id AND o.id <> r.id \
    AND (o.person_hash = r.person_hash OR o.address_hash = r.address_hash OR o.phone_hash = r.phone_hash) \
    WHERE r.org_id = $1";

fn duplicate_from(row: &AnyRow) -> Result<(i64, Duplicate), StoreError> {
    let mut same = Vec::new();
    for (column, word) in [
        ("same_person", "person"),
        ("same_address", "address"),
        ("same_phone", "phone"),
    ] {
        if row.try_get::<i64, _>(column)? != 0 {
            same.push(word);
        }
    }
    let b: i64 = row.try_get("b")?;
    Ok((
        row.try_get("a")?,
        Duplicate {
            id: b,
            reference: reference(b),
            same,
        },
    ))
}

/// The loaded request row of `org` numbered `number`, in `tx`, or `NotFound`.
async fn load(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    org: i64,
    number: i64,
) -> Result<AnyRow, StoreError> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {SUMMARY_COLUMNS}, r.name_sealed, r.address_sealed, r.postcode_sealed, r.phone_sealed, r.details_sealed \
         {FROM} WHERE r.org_id = $1 AND r.number = $2"
    )))
    .bind(org)
    .bind(number)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(StoreError::NotFound)
}

fn open_requester(row: &AnyRow, keys: &Keyring) -> Result<Requester, StoreError> {
    let uid: String = row.try_get("uid")?;
    let open = |field: &str| -> Result<String, StoreError> {
        keys.open(
            &context(&uid, field),
            &row.try_get::<String, _>(format!("{field}_sealed").as_str())?,
        )
    };
    Ok(Requester {
        name: open("name")?,
        address: open("address")?,
        postcode: open("postcode")?,
        phone: row
            .try_get::<Option<String>, _>("phone_sealed")?
            .map(|s| keys.open(&context(&uid, "phone"), &s))
            .transpose()?,
        details: open("details")?,
    })
}

/// Adds an event to request `row_id`'s timeline, its note sealed.
#[allow(clippy::too_many_arguments)]
async fn add_event(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    row_id: i64,
    uid: &str,
    kind: &str,
    status: RequestStatus,
    assignee: Option<String>,
    note: Option<&str>,
    keys: &Keyring,
    actor: &Actor,
) -> Result<(), StoreError> {
    let next: i64 = sqlx::query(
        "SELECT COALESCE(MAX(number), 0) + 1 AS n FROM help_request_events WHERE request_id = $1",
    )
    .bind(row_id)
    .fetch_one(&mut **tx)
    .await?
    .try_get("n")?;
    let note = note.map(|n| keys.seal(&context(uid, &format!("note {next}")), n));
    sqlx::query(
        "INSERT INTO help_request_events (request_id, number, at, actor, kind, status, assignee, note_sealed) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(row_id)
    .bind(next)
    .bind(now())
    .bind(&actor.label)
    .bind(kind)
    .bind(status.as_str())
    .bind(assignee)
    .bind(note)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// What [`Store::run_retention`] did to requests for help.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RequestRetention {
    /// Requests deleted.
    pub deleted: u64,
    /// Requests past their expiry kept under legal hold.
    pub held: u64,
}

impl Store {
    /// Records a request for help, every personal field sealed with `keys`; returns its number
    /// and the requests it may duplicate (same person, address or phone, under any key).
    pub async fn create_help_request(
        &self,
        org: i64,
        r: &NewRequest,
        keys: &Keyring,
        actor: &Actor,
    ) -> Result<(i64, Vec<Duplicate>), StoreError> {
        let number = numbered!(self.try_create_help_request(org, r, keys, actor))?;
        let duplicates = self.request_duplicates(org, number).await?;
        Ok((number, duplicates))
    }

    async fn try_create_help_request(
        &self,
        org: i64,
        r: &NewRequest,
        keys: &Keyring,
        actor: &Actor,
    ) -> Result<i64, StoreError> {
        let uid = new_secret("");
        let s = seal(&r.requester, &uid, keys)?;
        let mut tx = self.pool.begin().await?;
        let number = next_number(&mut tx, "help_requests", org).await?;
        let received = now();
        let row_id: i64 = sqlx::query(
            "INSERT INTO help_requests (org_id, number, uid, channel, category, urgency, status, name_sealed, address_sealed, \
             postcode_sealed, phone_sealed, details_sealed, person_hash, address_hash, phone_hash, district_hash, incident_id, \
             legal_hold, received_at, expires_on, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6, 'new', $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 0, $17, $18, $19) RETURNING id",
        )
        .bind(org)
        .bind(number)
        .bind(&uid)
        .bind(r.channel.as_str())
        .bind(r.category.as_str())
        .bind(r.urgency.as_str())
        .bind(&s.name)
        .bind(&s.address)
        .bind(&s.postcode)
        .bind(&s.phone)
        .bind(&s.details)
        .bind(&s.person_hash)
        .bind(&s.address_hash)
        .bind(&s.phone_hash)
        .bind(&s.district_hash)
        .bind(&r.incident)
        .bind(received)
        .bind(r.expires_on.to_string())
        .bind(&actor.label)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        add_event(
            &mut tx,
            row_id,
            &uid,
            "received",
            RequestStatus::New,
            None,
            None,
            keys,
            actor,
        )
        .await?;
        let summary = RequestSummary {
            id: number,
            reference: reference(number),
            channel: r.channel,
            category: r.category,
            urgency: r.urgency,
            status: RequestStatus::New,
            assignee: None,
            incident: r.incident.clone(),
            legal_hold: false,
            received_at: received,
            first_contact_at: None,
            closed_at: None,
            expires_on: r.expires_on,
            duplicates: Vec::new(),
        };
        let id = number.to_string();
        let after = Some(audit_view(&summary));
        finish(tx, org, actor, ["create", "help-request", &id], None, after).await?;
        Ok(number)
    }

    /// The requests of `org` without personal details, open ones first (most urgent, then
    /// oldest), then closed ones newest first, each with its possible duplicates.
    pub async fn help_requests(&self, org: i64) -> Result<Vec<RequestSummary>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {SUMMARY_COLUMNS} {FROM} WHERE r.org_id = $1 ORDER BY r.number"
        )))
        .bind(org)
        .fetch_all(&self.pool)
        .await?;
        let mut list: Vec<RequestSummary> =
            rows.iter().map(summary_from).collect::<Result<_, _>>()?;
        let pairs = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{DUPLICATE_PAIRS} ORDER BY r.number, o.number"
        )))
        .bind(org)
        .fetch_all(&self.pool)
        .await?;
        for row in &pairs {
            let (a, d) = duplicate_from(row)?;
            if let Some(s) = list.iter_mut().find(|s| s.id == a) {
                s.duplicates.push(d.id);
            }
        }
        list.sort_by_key(|s| {
            let closed = s.status.is_closed();
            (
                closed,
                if closed { 0 } else { s.urgency as i64 },
                if closed {
                    -s.received_at
                } else {
                    s.received_at
                },
            )
        });
        Ok(list)
    }

    /// Request `number` of `org` without personal details, or `None`.
    pub async fn help_request_summary(
        &self,
        org: i64,
        number: i64,
    ) -> Result<Option<RequestSummary>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {SUMMARY_COLUMNS} {FROM} WHERE r.org_id = $1 AND r.number = $2"
        )))
        .bind(org)
        .bind(number)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let mut summary = summary_from(&row)?;
        summary.duplicates = self
            .request_duplicates(org, number)
            .await?
            .iter()
            .map(|d| d.id)
            .collect();
        Ok(Some(summary))
    }

    /// The requests of `org` that look like request `number` (same person, address or phone).
    pub async fn request_duplicates(
        &self,
        org: i64,
        number: i64,
    ) -> Result<Vec<Duplicate>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{DUPLICATE_PAIRS} AND r.number = $2 ORDER BY o.number"
        )))
        .bind(org)
        .bind(number)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| duplicate_from(r).map(|(_, d)| d))
            .collect()
    }

    /// Reads request `number` with its personal details and notes for `purpose`, recording
    /// the read in the audit trail in the same transaction: `NotFound` when `org` has no such
    /// request.
    pub async fn read_help_request(
        &self,
        org: i64,
        number: i64,
        purpose: &str,
        keys: &Keyring,
        actor: &Actor,
    ) -> Result<HelpRequest, StoreError> {
        let mut tx = self.pool.begin().await?;
        let row = load(&mut tx, org, number).await?;
        let summary = summary_from(&row)?;
        let requester = open_requester(&row, keys)?;
        let uid: String = row.try_get("uid")?;
        let events = sqlx::query(
            "SELECT number, at, actor, kind, status, assignee, note_sealed FROM help_request_events \
             WHERE request_id = $1 ORDER BY number",
        )
        .bind(row.try_get::<i64, _>("row_id")?)
        .fetch_all(&mut *tx)
        .await?;
        let mut timeline = Vec::new();
        for e in &events {
            let n: i64 = e.try_get("number")?;
            let note = e
                .try_get::<Option<String>, _>("note_sealed")?
                .map(|s| keys.open(&context(&uid, &format!("note {n}")), &s))
                .transpose()?;
            timeline.push(RequestEvent {
                at: e.try_get("at")?,
                actor: e.try_get("actor")?,
                kind: e.try_get("kind")?,
                status: word(e, "status", RequestStatus::parse)?,
                assignee: e.try_get("assignee")?,
                note,
            });
        }
        let why = json(&serde_json::json!({ "purpose": purpose }));
        let id = number.to_string();
        finish(
            tx,
            org,
            actor,
            ["read", "help-request", &id],
            None,
            Some(why),
        )
        .await?;
        let duplicate_of = self.request_duplicates(org, number).await?;
        let mut summary = summary;
        summary.duplicates = duplicate_of.iter().map(|d| d.id).collect();
        Ok(HelpRequest {
            summary,
            requester,
            timeline,
            duplicate_of,
        })
    }

    /// Assigns request `number` (a volunteer named must be one of `org`'s), moving a new
    /// request to `assigned`, with an optional note on the timeline.
    pub async fn assign_help_request(
        &self,
        org: i64,
        number: i64,
        to: &Assignee,
        note: Option<&str>,
        keys: &Keyring,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let row = load(&mut tx, org, number).await?;
        let before = summary_from(&row)?;
        let (kind, volunteer, name) = match to {
            Assignee::Volunteer { volunteer } => (
                "volunteer",
                Some(crate::people::row_id(&mut tx, "volunteers", org, *volunteer).await?),
                None,
            ),
            Assignee::Partner { name } => ("partner", None, Some(name.clone())),
            Assignee::Team { name } => ("team", None, Some(name.clone())),
        };
        let status = if before.status == RequestStatus::New {
            RequestStatus::Assigned
        } else {
            before.status
        };
        let row_id: i64 = row.try_get("row_id")?;
        sqlx::query("UPDATE help_requests SET assignee_kind = $1, volunteer_id = $2, assignee = $3, status = $4 WHERE id = $5")
            .bind(kind)
            .bind(volunteer)
            .bind(name)
            .bind(status.as_str())
            .bind(row_id)
            .execute(&mut *tx)
            .await?;
        let uid: String = row.try_get("uid")?;
        add_event(
            &mut tx,
            row_id,
            &uid,
            "assigned",
            status,
            Some(to.label()),
            note,
            keys,
            actor,
        )
        .await?;
        let after = RequestSummary {
            status,
            assignee: Some(to.clone()),
            ..before.clone()
        };
        let id = number.to_string();
        finish(
            tx,
            org,
            actor,
            ["assign", "help-request", &id],
            Some(audit_view(&before)),
            Some(audit_view(&after)),
        )
        .await
    }

    /// Moves request `number` to `status` (or keeps it, to add a note), with an optional note
    /// on the timeline. The first move to `contacted` or `completed` records the time of first
    /// contact; `completed` and `closed` record when it closed.
    pub async fn update_help_request(
        &self,
        org: i64,
        number: i64,
        status: RequestStatus,
        note: Option<&str>,
        keys: &Keyring,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let row = load(&mut tx, org, number).await?;
        let before = summary_from(&row)?;
        let at = now();
        let first_contact = match before.first_contact_at {
            None if status.means_contact() => Some(at),
            other => other,
        };
        let closed_at = status.is_closed().then_some(before.closed_at.unwrap_or(at));
        let row_id: i64 = row.try_get("row_id")?;
        sqlx::query("UPDATE help_requests SET status = $1, first_contact_at = $2, closed_at = $3 WHERE id = $4")
            .bind(status.as_str())
            .bind(first_contact)
            .bind(closed_at)
            .bind(row_id)
            .execute(&mut *tx)
            .await?;
        let kind = if status == before.status {
            "note"
        } else {
            "status"
        };
        let uid: String = row.try_get("uid")?;
        add_event(&mut tx, row_id, &uid, kind, status, None, note, keys, actor).await?;
        let after = RequestSummary {
            status,
            first_contact_at: first_contact,
            closed_at,
            ..before.clone()
        };
        let id = number.to_string();
        let action = if kind == "note" { "note" } else { "update" };
        finish(
            tx,
            org,
            actor,
            [action, "help-request", &id],
            Some(audit_view(&before)),
            Some(audit_view(&after)),
        )
        .await
    }

    /// Puts request `number` under legal hold (kept past its expiry) or lifts the hold.
    pub async fn set_request_legal_hold(
        &self,
        org: i64,
        number: i64,
        hold: bool,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        self.set_hold("help_requests", "help-request", org, number, hold, actor)
            .await
    }

    /// Deletes, in every organisation, each request for help past its expiry date (before
    /// `today`) that is not under legal hold, its own or its incident's, with its timeline;
    /// each deletion recorded, in `tx`.
    pub(crate) async fn retain_requests(
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        today: NaiveDate,
        actor: &Actor,
    ) -> Result<RequestRetention, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {SUMMARY_COLUMNS}, r.org_id, CASE WHEN r.legal_hold <> 0 OR EXISTS (SELECT 1 FROM incidents i \
             WHERE i.org_id = r.org_id AND CAST(i.id AS TEXT) = r.incident_id AND i.legal_hold <> 0) THEN 1 ELSE 0 END AS held \
             {FROM} WHERE r.expires_on < $1 ORDER BY r.id"
        )))
        .bind(today.to_string())
        .fetch_all(&mut **tx)
        .await?;
        let mut done = RequestRetention::default();
        for row in &rows {
            if row.try_get::<i64, _>("held")? != 0 {
                done.held += 1;
                continue;
            }
            let row_id: i64 = row.try_get("row_id")?;
            sqlx::query("DELETE FROM help_request_events WHERE request_id = $1")
                .bind(row_id)
                .execute(&mut **tx)
                .await?;
            sqlx::query("DELETE FROM help_requests WHERE id = $1")
                .bind(row_id)
                .execute(&mut **tx)
                .await?;
            let summary = summary_from(row)?;
            let id = summary.id.to_string();
            let change = Change {
                org: Some(row.try_get("org_id")?),
                actor,
                action: "delete",
                entity: "help-request",
                entity_id: &id,
                before: Some(audit_view(&summary)),
                after: None,
                summary: None,
            };
            record(&mut **tx, change).await?;
            done.deleted += 1;
        }
        Ok(done)
    }

    /// Seals every request for help (with its notes) and every volunteer again with the newest
    /// key of `keys`, and hashes them again, in one transaction; returns how many requests and
    /// volunteers.
    pub async fn rekey_community(&self, keys: &Keyring) -> Result<(u64, u64), StoreError> {
        let mut tx = self.pool.begin().await?;
        let rows = sqlx::query(
            "SELECT id, uid, name_sealed, address_sealed, postcode_sealed, phone_sealed, details_sealed FROM help_requests ORDER BY id",
        )
        .fetch_all(&mut *tx)
        .await?;
        for row in &rows {
            let requester = open_requester(row, keys)?;
            let uid: String = row.try_get("uid")?;
            let row_id: i64 = row.try_get("id")?;
            let s = seal(&requester, &uid, keys)?;
            sqlx::query(
                "UPDATE help_requests SET name_sealed = $1, address_sealed = $2, postcode_sealed = $3, phone_sealed = $4, \
                 details_sealed = $5, person_hash = $6, address_hash = $7, phone_hash = $8, district_hash = $9 WHERE id = $10",
            )
            .bind(&s.name)
            .bind(&s.address)
            .bind(&s.postcode)
            .bind(&s.phone)
            .bind(&s.details)
            .bind(&s.person_hash)
            .bind(&s.address_hash)
            .bind(&s.phone_hash)
            .bind(&s.district_hash)
            .bind(row_id)
            .execute(&mut *tx)
            .await?;
            let notes = sqlx::query(
                "SELECT id, number, note_sealed FROM help_request_events WHERE request_id = $1 AND note_sealed IS NOT NULL",
            )
            .bind(row_id)
            .fetch_all(&mut *tx)
            .await?;
            for n in &notes {
                let field = format!("note {}", n.try_get::<i64, _>("number")?);
                let plain = keys.open(
                    &context(&uid, &field),
                    &n.try_get::<String, _>("note_sealed")?,
                )?;
                sqlx::query("UPDATE help_request_events SET note_sealed = $1 WHERE id = $2")
                    .bind(keys.seal(&context(&uid, &field), &plain))
                    .bind(n.try_get::<i64, _>("id")?)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        let volunteers = Store::rekey_volunteers(&mut tx, keys).await?;
        tx.commit().await?;
        Ok((rows.len() as u64, volunteers))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_compare_normalised_values() {
        assert_eq!(normalise("  3, Mill-Lane "), "3 mill lane");
        assert_eq!(phone_digits("+44 (0)1632 960 111"), "01632960111");
        assert_eq!(phone_digits("+44 1632 960 111"), "01632960111");
        assert_eq!(phone_digits("01632 960111"), "01632960111");
        assert_eq!(phone_digits("0044 1632 960 111"), "01632960111");
        assert_eq!(parse_reference("HR-0007"), Some(7));
        assert_eq!(parse_reference("hr7"), Some(7));
        assert_eq!(parse_reference("0"), None);
        assert_eq!(reference(12), "HR-0012");
    }
}
