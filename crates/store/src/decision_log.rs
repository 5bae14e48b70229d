//! The decision log of an incident, on the JESIP Joint Decision Model: append-only and
//! hash-chained, so that anyone holding it can show it was not changed afterwards.
//!
//! Each entry is kept as its *canonical serialisation*: a JSON object with the fields of
//! [`EntryBody`] in alphabetical order, no whitespace, UTF-8, times as RFC 3339 in UTC to the
//! second (`2026-11-30T08:15:00Z`), absent values as `null`. The entry's hash is the SHA-256
//! of exactly those bytes, in lower-case hex; the body carries the previous entry's hash
//! (64 zeros for the first), so changing, removing or reordering any entry breaks every hash
//! after it. The incident row keeps the log's length and last hash, so removing the last entry
//! is found too. Rows are only ever inserted: no code here updates or deletes one, and a
//! correction is a new entry that names the one it corrects.

use crate::audit::{Actor, Change, record};
use crate::{Store, StoreError, now};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::Row;

/// The previous hash of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// How far apart a decision and its recording may be without a reason (seconds).
pub const LATE_RECORDING_SECONDS: i64 = 15 * 60;

/// What a loggist records for one decision (the JESIP Joint Decision Model's questions).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionInput {
    /// The information and intelligence held when deciding.
    #[serde(default)]
    pub information: String,
    /// The assessment of risk and threat.
    #[serde(default)]
    pub assessment: String,
    /// Powers, policies and procedures considered.
    #[serde(default)]
    pub powers: String,
    /// Options considered, and why those rejected were rejected.
    #[serde(default)]
    pub options: String,
    /// The decision.
    pub decision: String,
    /// Why.
    pub rationale: String,
    /// Who decided.
    pub decision_maker: String,
    /// Agencies party to a joint decision.
    #[serde(default)]
    pub agencies: Vec<String>,
    /// When it was decided (seconds since 1970).
    pub decided_at: i64,
    /// Why it is recorded more than 15 minutes after it was made.
    #[serde(default)]
    pub delay_reason: Option<String>,
    /// When it is to be reviewed.
    #[serde(default)]
    pub review_at: Option<i64>,
    /// The entry this one corrects.
    #[serde(default)]
    pub corrects: Option<i64>,
}

/// An entry as hashed: the canonical serialisation is this struct's JSON, whose fields are
/// declared in alphabetical order. Changing it changes every hash: never reorder or rename.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntryBody {
    /// Agencies party to a joint decision.
    pub agencies: Vec<String>,
    /// The assessment of risk and threat.
    pub assessment: String,
    /// The entry corrected, if any.
    pub corrects: Option<i64>,
    /// When it was decided (RFC 3339, UTC).
    pub decided_at: String,
    /// The decision.
    pub decision: String,
    /// Who decided.
    pub decision_maker: String,
    /// Why it was recorded late, if it was.
    pub delay_reason: Option<String>,
    /// The incident's id.
    pub incident: i64,
    /// Information and intelligence.
    pub information: String,
    /// Who recorded it (the loggist's account).
    pub loggist: String,
    /// Options considered and rejected.
    pub options: String,
    /// Powers, policies and procedures.
    pub powers: String,
    /// The previous entry's hash.
    pub prev_hash: String,
    /// Why.
    pub rationale: String,
    /// When it was recorded (RFC 3339, UTC).
    pub recorded_at: String,
    /// When it is to be reviewed (RFC 3339, UTC).
    pub review_at: Option<String>,
    /// Its place in the log, from 1.
    pub seq: i64,
}

impl EntryBody {
    /// The canonical serialisation: the bytes that are hashed and stored.
    pub fn canonical(&self) -> String {
        serde_json::to_string(self).expect("an entry serialises")
    }
}

/// One entry of a decision log as stored and shown.
#[derive(Debug, Clone, Serialize)]
pub struct DecisionEntry {
    /// Its place in the log, from 1.
    pub seq: i64,
    /// SHA-256 of its canonical serialisation.
    pub hash: String,
    /// The previous entry's hash.
    pub prev_hash: String,
    /// What it records.
    #[serde(flatten)]
    pub body: EntryBody,
    /// The canonical serialisation as stored (what `hash` is the hash of).
    #[serde(skip)]
    pub canonical: String,
    /// The later entry that corrects this one, if any.
    pub corrected_by: Option<i64>,
}

/// The result of checking a decision log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    /// True when every entry is as it was recorded.
    pub intact: bool,
    /// How many entries the log holds.
    pub entries: i64,
    /// The first entry that fails, if any.
    pub first_broken: Option<i64>,
    /// What is wrong with it, in words.
    pub problem: Option<String>,
    /// The hash of the last entry (what an exported manifest records).
    pub head_hash: String,
}

/// Writes a time as the canonical serialisation does.
pub fn rfc3339(seconds: i64) -> String {
    DateTime::<Utc>::from_timestamp(seconds, 0)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The lower-case hex SHA-256 of `text`.
pub fn sha256_hex(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A stored row: (seq, body, hash, prev_hash).
pub type StoredEntry = (i64, String, String, String);

/// Checks stored rows (in `seq` order) against each other and against the incident's record
/// of the log's `length` and `head` hash; names the first entry that fails and why.
pub fn verify_entries(
    incident: i64,
    rows: &[StoredEntry],
    length: i64,
    head: &str,
) -> Verification {
    let mut prev = GENESIS.to_string();
    let broken = |seq: i64, problem: String, prev: &str| Verification {
        intact: false,
        entries: rows.len() as i64,
        first_broken: Some(seq),
        problem: Some(problem),
        head_hash: prev.to_string(),
    };
    for (i, (seq, body, hash, prev_hash)) in rows.iter().enumerate() {
        let expected = i as i64 + 1;
        if *seq != expected {
            return broken(
                expected,
                format!("entry {expected} is missing (the next entry is {seq})"),
                &prev,
            );
        }
        let parsed: EntryBody = match serde_json::from_str(body) {
            Ok(b) => b,
            Err(_) => {
                return broken(
                    *seq,
                    format!("entry {seq} is not a decision log entry any more"),
                    &prev,
                );
            }
        };
        if parsed.canonical() != *body {
            return broken(
                *seq,
                format!("entry {seq} was rewritten: it is not in the canonical form"),
                &prev,
            );
        }
        if sha256_hex(body) != *hash {
            return broken(
                *seq,
                format!(
                    "entry {seq} was changed after it was recorded: its content does not match its hash"
                ),
                &prev,
            );
        }
        if parsed.seq != *seq || parsed.incident != incident {
            return broken(
                *seq,
                format!(
                    "entry {seq} was moved: it was recorded as entry {} of incident {}",
                    parsed.seq, parsed.incident
                ),
                &prev,
            );
        }
        if parsed.prev_hash != prev || *prev_hash != prev {
            return broken(
                *seq,
                format!(
                    "entry {seq} does not follow entry {}: the chain of hashes is broken",
                    seq - 1
                ),
                &prev,
            );
        }
        prev = hash.clone();
    }
    let count = rows.len() as i64;
    if count < length {
        return broken(
            count + 1,
            format!(
                "entry {} is missing: the log had {length} entries",
                count + 1
            ),
            &prev,
        );
    }
    if count > length || prev != head && count > 0 {
        return broken(
            length + 1,
            format!("the log has {count} entries but {length} were recorded"),
            &prev,
        );
    }
    Verification {
        intact: true,
        entries: count,
        first_broken: None,
        problem: None,
        head_hash: prev,
    }
}

fn entry_from(row: (i64, String, String, String)) -> Result<DecisionEntry, StoreError> {
    let (seq, canonical, hash, prev_hash) = row;
    let body: EntryBody = serde_json::from_str(&canonical).map_err(|_| {
        StoreError::Conflict(format!(
            "decision log entry {seq} cannot be read: check the log on its verification page"
        ))
    })?;
    Ok(DecisionEntry {
        seq,
        hash,
        prev_hash,
        body,
        canonical,
        corrected_by: None,
    })
}

impl Store {
    /// Appends a decision to incident `incident`'s log, recorded by `actor` now. The caller
    /// has checked the incident is the organisation's and the input is complete; the store
    /// checks only what needs the log itself (`corrects` names an earlier entry).
    ///
    /// Appends to one incident serialise on its row: the first statement bumps the log's
    /// length, which takes the row's write lock on PostgreSQL and the database's on SQLite,
    /// so the sequence has no gaps and each entry follows the one committed before it.
    pub async fn append_decision(
        &self,
        org: i64,
        incident: i64,
        actor: &Actor,
        input: &DecisionInput,
    ) -> Result<DecisionEntry, StoreError> {
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(
            "UPDATE incidents SET log_length = log_length + 1 WHERE id = $1 AND org_id = $2 \
             RETURNING log_length, log_head",
        )
        .bind(incident)
        .bind(org)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let seq: i64 = row.try_get("log_length")?;
        let head: String = row.try_get("log_head")?;
        if let Some(c) = input.corrects
            && !(1..seq).contains(&c)
        {
            return Err(StoreError::Conflict(format!(
                "there is no entry {c} before this one to correct"
            )));
        }
        let prev_hash = if seq == 1 { GENESIS.to_string() } else { head };
        let body = EntryBody {
            agencies: input.agencies.clone(),
            assessment: input.assessment.clone(),
            corrects: input.corrects,
            decided_at: rfc3339(input.decided_at),
            decision: input.decision.clone(),
            decision_maker: input.decision_maker.clone(),
            delay_reason: input.delay_reason.clone(),
            incident,
            information: input.information.clone(),
            loggist: actor.label.clone(),
            options: input.options.clone(),
            powers: input.powers.clone(),
            prev_hash: prev_hash.clone(),
            rationale: input.rationale.clone(),
            recorded_at: rfc3339(now()),
            review_at: input.review_at.map(rfc3339),
            seq,
        };
        let canonical = body.canonical();
        let hash = sha256_hex(&canonical);
        sqlx::query(
            "INSERT INTO incident_decisions (incident_id, seq, body, hash, prev_hash) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(incident)
        .bind(seq)
        .bind(&canonical)
        .bind(&hash)
        .bind(&prev_hash)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE incidents SET log_head = $1, updated_at = $2 WHERE id = $3")
            .bind(&hash)
            .bind(now())
            .bind(incident)
            .execute(&mut *tx)
            .await?;
        let entity_id = format!("{incident}/{seq}");
        let change = Change {
            org: Some(org),
            actor,
            action: "log",
            entity: "decision",
            entity_id: &entity_id,
            before: None,
            after: Some(canonical.clone()),
            summary: None,
        };
        record(&mut *tx, change).await?;
        tx.commit().await?;
        Ok(DecisionEntry {
            seq,
            hash,
            prev_hash,
            body,
            canonical,
            corrected_by: None,
        })
    }

    /// Incident `incident`'s decision log in order, each entry with the entry that corrects
    /// it. Reading the log is recorded in the audit trail of `reader_org` (the lead
    /// organisation or a partner) as a read by `actor`.
    pub async fn decision_log(
        &self,
        reader_org: i64,
        incident: i64,
        actor: &Actor,
    ) -> Result<Vec<DecisionEntry>, StoreError> {
        Ok(self
            .decision_log_checked(reader_org, incident, actor)
            .await?
            .0)
    }

    /// Like [`Store::decision_log`], with the log's verification from the same rows (one
    /// read for a page that shows both).
    pub async fn decision_log_checked(
        &self,
        reader_org: i64,
        incident: i64,
        actor: &Actor,
    ) -> Result<(Vec<DecisionEntry>, Verification), StoreError> {
        let mut tx = self.pool.begin().await?;
        let (rows, verification) = read_checked(&mut tx, incident).await?;
        let entity_id = incident.to_string();
        let change = Change {
            org: Some(reader_org),
            actor,
            action: "read",
            entity: "decision-log",
            entity_id: &entity_id,
            before: None,
            after: None,
            summary: None,
        };
        record(&mut *tx, change).await?;
        tx.commit().await?;
        let mut entries = rows
            .into_iter()
            .map(entry_from)
            .collect::<Result<Vec<_>, _>>()?;
        let corrections: Vec<(i64, i64)> = entries
            .iter()
            .filter_map(|e| e.body.corrects.map(|c| (c, e.seq)))
            .collect();
        for (corrected, by) in corrections {
            if let Some(e) = entries.iter_mut().find(|e| e.seq == corrected) {
                e.corrected_by.get_or_insert(by);
            }
        }
        Ok((entries, verification))
    }

    /// Checks incident `incident`'s decision log from its stored rows.
    pub async fn verify_decision_log(&self, incident: i64) -> Result<Verification, StoreError> {
        let mut tx = self.pool.begin().await?;
        let (_, verification) = read_checked(&mut tx, incident).await?;
        tx.commit().await?;
        Ok(verification)
    }
}

/// Reads incident `incident`'s stored entries inside `tx` and checks them against the
/// incident's record of the log's length and head.
async fn read_checked(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    incident: i64,
) -> Result<(Vec<StoredEntry>, Verification), StoreError> {
    let head = sqlx::query("SELECT log_length, log_head FROM incidents WHERE id = $1")
        .bind(incident)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    let rows = sqlx::query(
        "SELECT seq, body, hash, prev_hash FROM incident_decisions WHERE incident_id = $1 ORDER BY seq",
    )
    .bind(incident)
    .fetch_all(&mut **tx)
    .await?
    .iter()
    .map(|r| {
        Ok((
            r.try_get("seq")?,
            r.try_get("body")?,
            r.try_get("hash")?,
            r.try_get("prev_hash")?,
        ))
    })
    .collect::<Result<Vec<StoredEntry>, sqlx::Error>>()?;
    let verification = verify_entries(
        incident,
        &rows,
        head.try_get("log_length")?,
        &head.try_get::<String, _>("log_head")?,
    );
    Ok((rows, verification))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(seq: i64, prev: &str) -> EntryBody {
        EntryBody {
            agencies: vec!["Police".into()],
            assessment: String::new(),
            corrects: None,
            decided_at: rfc3339(1_700_000_000),
            decision: format!("decision {seq}"),
            decision_maker: "Gold".into(),
            delay_reason: None,
            incident: 7,
            information: String::new(),
            loggist: "loggist@example.org".into(),
            options: String::new(),
            powers: String::new(),
            prev_hash: prev.into(),
            rationale: "because".into(),
            recorded_at: rfc3339(1_700_000_060),
            review_at: None,
            seq,
        }
    }

    fn chain(n: i64) -> (Vec<StoredEntry>, String) {
        let mut prev = GENESIS.to_string();
        let mut rows = Vec::new();
        for seq in 1..=n {
            let text = body(seq, &prev).canonical();
            let hash = sha256_hex(&text);
            rows.push((seq, text, hash.clone(), prev.clone()));
            prev = hash;
        }
        (rows, prev)
    }

    #[test]
    fn the_canonical_form_has_sorted_keys_and_no_spaces() {
        let text = body(1, GENESIS).canonical();
        assert!(text.starts_with(r#"{"agencies":["Police"],"assessment":"","corrects":null,"decided_at":"2023-11-14T22:13:20Z""#), "{text}");
        assert!(text.ends_with(r#""review_at":null,"seq":1}"#), "{text}");
        let keys: Vec<String> = serde_json::from_str::<serde_json::Value>(&text)
            .unwrap()
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted);
    }

    #[test]
    fn an_intact_chain_verifies_and_a_removed_last_entry_does_not() {
        let (rows, head) = chain(3);
        let v = verify_entries(7, &rows, 3, &head);
        assert!(v.intact, "{v:?}");
        assert_eq!(v.head_hash, head);
        let v = verify_entries(7, &rows[..2], 3, &head);
        assert_eq!(v.first_broken, Some(3));
        let v = verify_entries(7, &[], 0, "");
        assert!(v.intact);
    }

    #[test]
    fn a_reordered_chain_names_its_first_broken_entry() {
        let (mut rows, head) = chain(4);
        rows.swap(1, 2);
        let v = verify_entries(7, &rows, 4, &head);
        assert_eq!(v.first_broken, Some(2), "{v:?}");
    }
}
