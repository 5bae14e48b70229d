//! Incidents and their decision logs: partners see only what they are invited to, the log is
//! one gapless chain however many loggists append at once, and any change made to a stored
//! entry behind Bulwark's back is found and the entry named.

use bulwark_store::{
    Actor, CommandLevel, DecisionInput, IncidentDetails, IncidentStatus, Methane, Organisation,
    RhythmKind, SitrepBody, Standing, Store, StoreError,
};
use bulwark_testkit::{BACKENDS, TestDatabase};
use serde_json::Value;
use sqlx::Row;

fn loggist() -> Actor {
    Actor {
        user_id: None,
        label: "loggist@northmoor.example".into(),
    }
}

fn decision(text: &str, corrects: Option<i64>) -> DecisionInput {
    DecisionInput {
        information: "River at 4.2 m and rising".into(),
        assessment: "Properties on Mill Lane at risk tonight".into(),
        powers: "Civil Contingencies Act 2004".into(),
        options: "Wait for the next gauge reading (rejected: too late)".into(),
        decision: text.into(),
        rationale: "Evacuation takes three hours".into(),
        decision_maker: "J. Patel, Tactical Commander".into(),
        agencies: vec!["Police".into(), "Environment Agency".into()],
        decided_at: bulwark_store::now() - 60,
        delay_reason: None,
        review_at: Some(bulwark_store::now() + 3600),
        corrects,
    }
}

/// An incident led by `lead` with `partner` invited and something in every incident table:
/// M/ETHANE, a board mark, three decisions (the third correcting the first), an action,
/// the battle rhythm and a partner's situation report. Returns its id.
pub async fn sample_incident(store: &Store, lead: &Organisation, partner: &Organisation) -> i64 {
    let details = IncidentDetails {
        title: "Flooding on Mill Lane".into(),
        summary: "River Brack over its banks \"again\"\nsecond line".into(),
        location: "Mill Lane, Northmoor".into(),
        started_at: bulwark_store::now() - 3 * 3600,
        level: CommandLevel::Tactical,
        scenario: Some("flood".into()),
    };
    let id = store
        .declare_incident(lead.id, &loggist(), &details)
        .await
        .unwrap();
    store
        .invite_partner(lead.id, id, &loggist(), partner)
        .await
        .unwrap();
    store
        .record_methane(
            lead.id,
            id,
            &loggist(),
            &Methane {
                exact_location: "Mill Lane".into(),
                incident_type: "Flood".into(),
                ..Methane::default()
            },
        )
        .await
        .unwrap();
    store
        .add_mark(
            lead.id,
            id,
            &loggist(),
            &bulwark_store::NewMark {
                item: "substation",
                capacity: 0,
                from_at: details.started_at,
                note: "Flooded",
            },
        )
        .await
        .unwrap();
    for (text, corrects) in [
        ("Evacuate Mill Lane", None),
        ("Open the rest centre at Riverside School", None),
        ("Evacuate Mill Lane and Weir Street", Some(1)),
    ] {
        store
            .append_decision(lead.id, id, &loggist(), &decision(text, corrects))
            .await
            .unwrap();
    }
    store
        .add_incident_action(
            lead.id,
            id,
            &loggist(),
            &bulwark_store::NewAction {
                org: partner.id,
                description: "Send two buses",
                owner: "Transport lead",
                due_at: bulwark_store::now() + 3600,
                decision_seq: Some(1),
            },
        )
        .await
        .unwrap();
    store
        .add_rhythm(
            lead.id,
            id,
            &loggist(),
            RhythmKind::Meeting,
            "TCG",
            bulwark_store::now() + 7200,
        )
        .await
        .unwrap();
    store
        .submit_sitrep(
            partner.id,
            id,
            &loggist(),
            &SitrepBody {
                situation: "Buses on the way".into(),
                ..SitrepBody::default()
            },
            Some(bulwark_store::now() + 4 * 3600),
        )
        .await
        .unwrap();
    id
}

async fn orgs(store: &Store) -> (Organisation, Organisation, Organisation) {
    (
        store.create_org("northmoor", "Northmoor").await.unwrap(),
        store.create_org("southdale", "Southdale").await.unwrap(),
        store.create_org("eastvale", "Eastvale").await.unwrap(),
    )
}

#[tokio::test]
async fn partners_see_the_incidents_they_are_invited_to_and_nobody_else_does() {
    for backend in BACKENDS {
        let db = TestDatabase::new(backend).await;
        let store = db.store().await;
        let (north, south, east) = orgs(&store).await;
        let id = sample_incident(&store, &north, &south).await;
        let (i, standing) = store.incident_for(north.id, id).await.unwrap().unwrap();
        assert_eq!(standing, Standing::Lead);
        assert_eq!(i.partners.len(), 1);
        assert_eq!(i.log_length, 3);
        let (_, standing) = store.incident_for(south.id, id).await.unwrap().unwrap();
        assert_eq!(standing, Standing::Partner, "{backend:?}");
        assert!(store.incident_for(east.id, id).await.unwrap().is_none());
        assert!(store.incidents_for(east.id).await.unwrap().is_empty());
        assert_eq!(store.incidents_for(south.id).await.unwrap().len(), 1);
        // Only the lead changes the incident itself; the partner cannot, even through the store.
        let e = store
            .set_incident_legal_hold(south.id, id, &loggist(), true)
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::NotFound), "{e:?}");
        let e = store
            .append_decision(south.id, id, &loggist(), &decision("x", None))
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::NotFound), "{e:?}");
        // A correction names an entry that exists before it.
        let e = store
            .append_decision(north.id, id, &loggist(), &decision("x", Some(9)))
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Conflict(_)), "{e:?}");
        assert_eq!(store.verify_decision_log(id).await.unwrap().entries, 3);
        // Reading the log is audited, in the reader's trail.
        let entries = store.decision_log(south.id, id, &loggist()).await.unwrap();
        assert_eq!(entries[0].corrected_by, Some(3), "the correction is shown");
        let audit = store.audit(south.id, 10, None).await.unwrap();
        assert!(
            audit.iter().any(|a| a.action == "read"
                && a.entity == "decision-log"
                && a.entity_id == id.to_string()),
            "{backend:?}: {audit:?}"
        );
        store
            .update_incident(
                north.id,
                id,
                &loggist(),
                &store
                    .incident_for(north.id, id)
                    .await
                    .unwrap()
                    .unwrap()
                    .0
                    .details,
                IncidentStatus::Closed,
            )
            .await
            .unwrap();
        let (i, _) = store.incident_for(north.id, id).await.unwrap().unwrap();
        assert!(i.closed_at.is_some());
    }
}

#[tokio::test]
async fn fifty_concurrent_appends_make_one_gapless_chain() {
    for backend in BACKENDS {
        let db = TestDatabase::new(backend).await;
        let store = db.store().await;
        let (north, south, _) = orgs(&store).await;
        let id = sample_incident(&store, &north, &south).await;
        let tasks: Vec<_> = (0..50)
            .map(|n| {
                let store = store.clone();
                tokio::spawn(async move {
                    store
                        .append_decision(
                            north.id,
                            id,
                            &loggist(),
                            &decision(&format!("decision {n}"), None),
                        )
                        .await
                        .unwrap()
                        .seq
                })
            })
            .collect();
        let mut seqs = Vec::new();
        for t in tasks {
            seqs.push(t.await.unwrap());
        }
        seqs.sort_unstable();
        assert_eq!(seqs, (4..=53).collect::<Vec<_>>(), "{backend:?}");
        let entries = store.decision_log(north.id, id, &loggist()).await.unwrap();
        assert_eq!(
            entries.iter().map(|e| e.seq).collect::<Vec<_>>(),
            (1..=53).collect::<Vec<_>>()
        );
        for pair in entries.windows(2) {
            assert_eq!(pair[1].prev_hash, pair[0].hash, "{backend:?}: one chain");
        }
        let v = store.verify_decision_log(id).await.unwrap();
        assert!(v.intact, "{backend:?}: {v:?}");
        assert_eq!(v.entries, 53);
    }
}

/// Runs `sql` with its binds straight on the database, as someone with database access could.
async fn tamper(db: &TestDatabase, sql: &str, binds: &[&str]) {
    let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.to_string()));
    for b in binds {
        q = q.bind(b.to_string());
    }
    q.execute(&pool).await.unwrap();
    pool.close().await;
}

/// A JSON value changed a little: text gets a character, numbers one more, null becomes text.
fn nudged(v: &Value) -> Value {
    match v {
        Value::String(s) => Value::String(format!("{s}.")),
        Value::Number(n) => Value::from(n.as_i64().unwrap() + 1),
        Value::Array(a) => {
            let mut a = a.clone();
            a.push(Value::String("Fire and Rescue".into()));
            Value::Array(a)
        }
        Value::Null => Value::String("added".into()),
        other => other.clone(),
    }
}

#[tokio::test]
async fn any_change_to_any_stored_field_of_any_entry_is_found_and_named() {
    for backend in BACKENDS {
        let db = TestDatabase::new(backend).await;
        let store = db.store().await;
        let (north, south, _) = orgs(&store).await;
        let id = sample_incident(&store, &north, &south).await;
        let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
        let rows = sqlx::query("SELECT seq, body, hash, prev_hash FROM incident_decisions WHERE incident_id = $1 ORDER BY seq")
            .bind(id)
            .fetch_all(&pool)
            .await
            .unwrap();
        pool.close().await;
        let ident = id.to_string();
        let mut tried = 0;
        for row in &rows {
            let seq: i64 = row.get("seq");
            let seq_text = seq.to_string();
            let body: String = row.get("body");
            let original: Value = serde_json::from_str(&body).unwrap();
            // Every field of the entry's content, rewritten in canonical form with a new value.
            let mut changes: Vec<(String, String)> = original
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| {
                    let mut changed = original.clone();
                    changed[k] = nudged(v);
                    (
                        format!("body.{k}"),
                        serde_json::to_string(&changed).unwrap(),
                    )
                })
                .collect();
            // The same content, written differently.
            changes.push(("body (spacing)".into(), body.replacen(':', ": ", 1)));
            for (what, text) in &changes {
                tamper(&db, "UPDATE incident_decisions SET body = $1 WHERE incident_id = CAST($2 AS INTEGER) AND seq = CAST($3 AS INTEGER)", &[text, &ident, &seq_text]).await;
                let v = store.verify_decision_log(id).await.unwrap();
                assert!(
                    !v.intact,
                    "{backend:?}: changing {what} of entry {seq} went unnoticed"
                );
                assert_eq!(v.first_broken, Some(seq), "{backend:?}: {what}: {v:?}");
                tamper(&db, "UPDATE incident_decisions SET body = $1 WHERE incident_id = CAST($2 AS INTEGER) AND seq = CAST($3 AS INTEGER)", &[&body, &ident, &seq_text]).await;
                tried += 1;
            }
            for column in ["hash", "prev_hash"] {
                let value: String = row.get(column);
                let sql = format!(
                    "UPDATE incident_decisions SET {column} = $1 WHERE incident_id = CAST($2 AS INTEGER) AND seq = CAST($3 AS INTEGER)"
                );
                let last = if value.ends_with('0') { '1' } else { '0' };
                let forged = format!("{}{last}", &value[..value.len() - 1]);
                tamper(&db, &sql, &[&forged, &ident, &seq_text]).await;
                let v = store.verify_decision_log(id).await.unwrap();
                assert_eq!(
                    v.first_broken,
                    Some(seq),
                    "{backend:?}: {column} of entry {seq}: {v:?}"
                );
                tamper(&db, &sql, &[&value, &ident, &seq_text]).await;
                tried += 1;
            }
            assert!(
                store.verify_decision_log(id).await.unwrap().intact,
                "{backend:?}: restored"
            );
        }
        assert!(
            tried > 3 * 17,
            "every field of every entry was tried ({tried})"
        );
        // Renumbering an entry, removing one in the middle, or removing the last.
        tamper(&db, "UPDATE incident_decisions SET seq = 9 WHERE incident_id = CAST($1 AS INTEGER) AND seq = 2", &[&ident]).await;
        assert_eq!(
            store.verify_decision_log(id).await.unwrap().first_broken,
            Some(2)
        );
        tamper(&db, "UPDATE incident_decisions SET seq = 2 WHERE incident_id = CAST($1 AS INTEGER) AND seq = 9", &[&ident]).await;
        tamper(
            &db,
            "DELETE FROM incident_decisions WHERE incident_id = CAST($1 AS INTEGER) AND seq = 3",
            &[&ident],
        )
        .await;
        let v = store.verify_decision_log(id).await.unwrap();
        assert_eq!(
            (v.intact, v.first_broken),
            (false, Some(3)),
            "{backend:?}: {v:?}"
        );
        tamper(
            &db,
            "DELETE FROM incident_decisions WHERE incident_id = CAST($1 AS INTEGER) AND seq = 1",
            &[&ident],
        )
        .await;
        assert_eq!(
            store.verify_decision_log(id).await.unwrap().first_broken,
            Some(1)
        );
    }
}

#[tokio::test]
async fn personal_data_gathered_for_an_incident_under_legal_hold_outlives_its_expiry() {
    use bulwark_store::{Keyring, ListDetails, NewPerson, PersonDetails};
    for backend in BACKENDS {
        let db = TestDatabase::new(backend).await;
        let store = db.store().await;
        let (north, south, _) = orgs(&store).await;
        let id = sample_incident(&store, &north, &south).await;
        let keys = Keyring::ephemeral();
        let list = store
            .activate_people_list(
                north.id,
                &ListDetails {
                    name: "Mill Lane welfare calls".into(),
                    purpose: "Welfare calls".into(),
                    source: None,
                    incident: Some(id.to_string()),
                },
                &loggist(),
            )
            .await
            .unwrap();
        let person = NewPerson {
            details: PersonDetails {
                name: "Ada".into(),
                address: "1 Mill Lane".into(),
                postcode: "NM1 1AA".into(),
                ..PersonDetails::default()
            },
            list: Some(list),
            source: "Adult social care".into(),
            lawful_basis: "6(1)(e)".into(),
            expires_on: chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
        };
        store
            .create_person(north.id, &person, &keys, &loggist())
            .await
            .unwrap();
        store
            .set_incident_legal_hold(north.id, id, &loggist(), true)
            .await
            .unwrap();
        let today = chrono::DateTime::from_timestamp(bulwark_store::now(), 0)
            .unwrap()
            .date_naive();
        let done = store.run_retention(today, &loggist()).await.unwrap();
        assert_eq!(
            (done.deleted, done.held),
            (0, 1),
            "{backend:?}: the incident's hold keeps it"
        );
        store
            .set_incident_legal_hold(north.id, id, &loggist(), false)
            .await
            .unwrap();
        let done = store.run_retention(today, &loggist()).await.unwrap();
        assert_eq!(
            (done.deleted, done.held),
            (1, 0),
            "{backend:?}: lifted, it goes"
        );
    }
}
