//! Backups and restores across backends, explicit migrations, and a snapshot taken while
//! the data keeps changing.

use crate::day;
use bulwark_store::{
    ActionDetails, ActionProgress, ActionStatus, Actor, Backend, ExerciseDetails, ExerciseFormat,
    Identity, ItemKind, Keyring, MessageType, Participant, Role, RuleTest, SchemaStatus,
    SignOnAttempt, Store, StoreError, WarningArea, WarningDetails, WarningInfo, WarningSettings,
};
use bulwark_testkit::{BACKENDS, TestDatabase};
use serde_json::{Value, json};
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet};

fn cli() -> Actor {
    Actor {
        user_id: None,
        label: "command line".into(),
    }
}

/// Something in every table, with the awkward values: quotes, new lines, non-ASCII text,
/// nulls, flags and JSON. Returns a working API token and a session cookie.
async fn fill(store: &Store) -> (String, String) {
    let ann = store
        .create_user("ann@example.org", "Ann \"Nan\" Ørsted", "hash-1", true)
        .await
        .unwrap();
    let bob = store
        .create_user("bob@example.org", "Bob\nsecond line", "hash-2", false)
        .await
        .unwrap();
    let north = store.create_org("northmoor", "Northmoor").await.unwrap();
    let south = store.create_org("southdale", "Southdale").await.unwrap();
    let who = Actor {
        user_id: Some(ann.id),
        label: ann.email.clone(),
    };
    store
        .set_membership(ann.id, north.id, Role::Admin, &who)
        .await
        .unwrap();
    store
        .set_membership(bob.id, south.id, Role::Viewer, &who)
        .await
        .unwrap();
    let cookie = store.create_session(ann.id).await.unwrap();
    // Single sign-on: a rule, a sign-in in progress, and someone the rule admitted, signed in
    // with the provider's ID token kept for signing out.
    store
        .add_sign_on_rule(
            north.id,
            &RuleTest::EmailDomain {
                domain: "example.org".into(),
            },
            Role::Editor,
            &who,
        )
        .await
        .unwrap();
    let attempt = SignOnAttempt {
        verifier: "verifier".into(),
        nonce: "nonce".into(),
        next: "/o/northmoor".into(),
    };
    store.begin_sign_on("state", &attempt).await.unwrap();
    let cat = Identity {
        subject: "https://idp.example.org#cat".into(),
        email: Some("cat@example.org".into()),
        name: "Cat".into(),
        claims: json!({}),
    };
    let cat = store.sign_on(&cat).await.unwrap().unwrap();
    store
        .create_session_with(cat.id, Some("header.claims.signature"))
        .await
        .unwrap();
    let token = store.create_token(ann.id, "nightly export").await.unwrap();
    store.create_token(bob.id, "never used").await.unwrap();
    store.user_by_token(&token).await.unwrap();
    let doc = json!({
        "bulwark": 1,
        "services": [{"id": "care", "name": "Home care", "needs": ["app"]}],
        "assets": [{"id": "app", "name": "App", "kind": "it-system"}],
        "x-note": {"text": "tab\there, \\ and \u{1F600}"}
    });
    let v = store
        .replace_model(north.id, &doc, None, &who)
        .await
        .unwrap();
    store
        .put_item(
            north.id,
            ItemKind::Asset,
            &json!({"id": "db", "name": "DB", "kind": "data"}),
            v,
            &who,
        )
        .await
        .unwrap();
    store.share(north.id, "care", south.id, &who).await.unwrap();
    store
        .record_login_failure("eve@example.org", "192.0.2.7")
        .await
        .unwrap();
    let details = ExerciseDetails {
        title: "Exercise Cold Snap".into(),
        scenario_id: "heavy-snow".into(),
        held_on: day("2026-02-02"),
        format: ExerciseFormat::Tabletop,
        lead: "Emergency planning".into(),
        objectives: String::new(),
        participants: vec![Participant {
            name: "Moorside Homecare".into(),
            sector: "social care".into(),
        }],
    };
    let exercise = store
        .create_exercise(north.id, &details, &cli())
        .await
        .unwrap();
    let lesson = store
        .add_lesson(
            north.id,
            exercise,
            "Salt ran out",
            "",
            day("2026-02-03"),
            &cli(),
        )
        .await
        .unwrap();
    let action = store
        .add_action(
            north.id,
            lesson,
            &ActionDetails {
                description: "Double the salt reserve".into(),
                owner: "Highways".into(),
                due_on: day("2026-10-01"),
                service_id: Some("care".into()),
                plan: None,
            },
            &cli(),
        )
        .await
        .unwrap();
    let done = ActionProgress {
        status: ActionStatus::Done,
        evidence: Some("Invoice 123".into()),
        closed_on: Some(day("2026-09-01")),
    };
    store
        .update_action(north.id, action, &done, &cli())
        .await
        .unwrap();
    store
        .set_programme(north.id, "heavy-snow", Some(12), &cli())
        .await
        .unwrap();
    // A public warning in two languages, issued and then updated, with the settings and an
    // organisation's own template.
    let info = |language: &str, headline: &str| WarningInfo {
        language: language.into(),
        headline: headline.into(),
        description: "Line one\nline \"two\" <&>".into(),
        instruction: "Move upstairs.".into(),
    };
    let details = WarningDetails {
        event: "Flood".into(),
        category: "Met".into(),
        urgency: "Expected".into(),
        severity: "Severe".into(),
        certainty: "Likely".into(),
        web: None,
        contact: Some("01234 567890".into()),
        note: None,
        effective_at: None,
        onset_at: Some(1_796_148_000),
        expires_at: Some(1_796_234_400),
        infos: vec![
            info("en-GB", "Flood warning"),
            info("cy", "Rhybudd llifogydd: Dŵr"),
        ],
        areas: vec![WarningArea {
            description: "Riverside".into(),
            polygon: Some("53.8,-1.5 53.9,-1.5 53.9,-1.4 53.8,-1.5".into()),
            circle: None,
            geocodes: vec![("GSS".into(), "E06000047".into())],
        }],
        incident: Some("INC-1".into()),
        services: vec!["home-care".into()],
    };
    let ann_actor = Actor {
        user_id: Some(ann.id),
        label: "ann@example.org".into(),
    };
    let bob_actor = Actor {
        user_id: Some(bob.id),
        label: "bob@example.org".into(),
    };
    let first = store
        .create_warning(
            north.id,
            "northmoor",
            MessageType::Alert,
            None,
            &details,
            &ann_actor,
        )
        .await
        .unwrap();
    store
        .approve_warning(north.id, first, 1, "bulwark:northmoor", &bob_actor)
        .await
        .unwrap();
    let second = store
        .create_warning(
            north.id,
            "northmoor",
            MessageType::Update,
            Some(first),
            &details,
            &bob_actor,
        )
        .await
        .unwrap();
    store
        .approve_warning(north.id, second, 1, "bulwark:northmoor", &ann_actor)
        .await
        .unwrap();
    store
        .set_warning_settings(
            north.id,
            &WarningSettings {
                publish_welsh: true,
                sender: "w@example.org".into(),
            },
            &cli(),
        )
        .await
        .unwrap();
    store
        .set_warning_template(north.id, "flood", "{\"key\":\"flood\"}", &cli())
        .await
        .unwrap();
    crate::incidents::sample_incident(store, &north, &south).await;
    // Community support: a source of the list of lists, a list under legal hold, a person.
    crate::people::fill(store, north.id, &Keyring::ephemeral()).await;
    // The community hub: a volunteer, a request assigned to them with a note, hours.
    crate::requests::fill(store, north.id, &Keyring::ephemeral()).await;
    store
        .set_catalogue(north.id, "catalogue.yaml", Some("categories: []\n"), &cli())
        .await
        .unwrap();
    store
        .set_risk_appetite(north.id, [None, None, Some(4), Some(3), Some(2)], &cli())
        .await
        .unwrap();
    (token, cookie)
}

async fn backup(store: &Store) -> Vec<u8> {
    let mut out = Vec::new();
    store.backup(&mut out).await.unwrap();
    out
}

/// A backup's tables, each with its columns and its rows sorted, for comparing.
fn tables(backup: &[u8]) -> BTreeMap<String, (Value, Vec<Value>)> {
    let doc: Value = serde_json::from_slice(backup).expect("a backup is JSON");
    let mut tables = BTreeMap::new();
    for (name, table) in doc["tables"].as_object().unwrap() {
        let mut rows = table["rows"].as_array().unwrap().clone();
        rows.sort_by_key(Value::to_string);
        tables.insert(name.clone(), (table["columns"].clone(), rows));
    }
    tables
}

/// The rows of one table of a backup as objects by column name.
fn rows(backup: &[u8], table: &str) -> Vec<BTreeMap<String, Value>> {
    rows_of(&tables(backup), table)
}

fn other(backend: Backend) -> Backend {
    match backend {
        Backend::Sqlite => Backend::Postgres,
        Backend::Postgres => Backend::Sqlite,
    }
}

#[tokio::test]
async fn a_backup_restores_into_the_other_backend_with_every_row() {
    for from in BACKENDS {
        let source_db = TestDatabase::new(from).await;
        let source = source_db.store().await;
        let (token, cookie) = fill(&source).await;
        let taken = backup(&source).await;
        let header: Value = serde_json::from_slice(&taken).unwrap();
        assert_eq!(header["bulwark_backup"], 1);
        assert_eq!(header["schema_version"], source.latest_schema_version());

        let target_db = TestDatabase::new(other(from)).await;
        let target = Store::connect_without_migrating(&target_db.url)
            .await
            .unwrap();
        let summary = target
            .restore(std::io::Cursor::new(taken.clone()))
            .await
            .unwrap();
        assert!(summary.migrated.is_empty(), "same schema version");
        assert_eq!(
            summary.rows(),
            tables(&taken)
                .values()
                .map(|(_, r)| r.len() as u64)
                .sum::<u64>()
        );
        assert_eq!(
            tables(&backup(&target).await),
            tables(&taken),
            "{from:?} to {:?}: every table's rows are equal",
            other(from)
        );

        // What the app reads back is the same, and secrets still work.
        let north = target.org_by_slug("northmoor").await.unwrap().unwrap();
        let source_north = source.org_by_slug("northmoor").await.unwrap().unwrap();
        assert_eq!(
            target.model_document(north.id).await.unwrap(),
            source.model_document(source_north.id).await.unwrap()
        );
        let audit =
            |entries: Vec<bulwark_store::AuditEntry>| serde_json::to_value(entries).unwrap();
        assert_eq!(
            audit(target.audit(north.id, 100, None).await.unwrap()),
            audit(source.audit(north.id, 100, None).await.unwrap())
        );
        let ann = target.user_by_token(&token).await.unwrap().unwrap();
        assert_eq!(ann.email, "ann@example.org");
        assert!(ann.is_admin);
        assert_eq!(
            target.session(&cookie).await.unwrap().unwrap().user.id,
            ann.id
        );
        let actions = target.actions(north.id, None).await.unwrap();
        assert_eq!(actions[0].progress.evidence.as_deref(), Some("Invoice 123"));

        // New rows get fresh ids (on PostgreSQL, because the sequences moved on).
        let max_org = rows(&taken, "organisations")
            .iter()
            .map(|r| r["id"].as_i64().unwrap())
            .max()
            .unwrap();
        let new = target.create_org("newtown", "Newtown").await.unwrap();
        assert!(new.id > max_org, "{} > {max_org}", new.id);
        let before = target.audit(north.id, 1, None).await.unwrap()[0].id;
        target
            .share(north.id, "care", new.id, &cli())
            .await
            .unwrap();
        assert!(target.audit(north.id, 1, None).await.unwrap()[0].id > before);
        target
            .create_user("new@example.org", "New", "h", false)
            .await
            .unwrap();
    }
}

/// Every table of the live schema, and every column, from the database's own catalogue.
async fn catalogue(db: &TestDatabase, backend: Backend) -> BTreeMap<String, Vec<String>> {
    let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
    let (tables_sql, columns_sql) = match backend {
        Backend::Sqlite => (
            "SELECT name FROM sqlite_master WHERE type = 'table'",
            "SELECT name FROM pragma_table_info($1) ORDER BY cid",
        ),
        Backend::Postgres => (
            "SELECT table_name::text AS name FROM information_schema.tables WHERE table_schema = 'public'",
            "SELECT column_name::text AS name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position",
        ),
    };
    let mut catalogue = BTreeMap::new();
    for row in sqlx::query(tables_sql).fetch_all(&pool).await.unwrap() {
        let table: String = row.get("name");
        if table == "_sqlx_migrations" || table.starts_with("sqlite_") {
            continue;
        }
        let columns = sqlx::query(columns_sql)
            .bind(&table)
            .fetch_all(&pool)
            .await
            .unwrap()
            .iter()
            .map(|r| r.get("name"))
            .collect();
        catalogue.insert(table, columns);
    }
    pool.close().await;
    catalogue
}

/// Fails when a table or column is added to the schema that backups do not carry.
#[tokio::test]
async fn backups_cover_every_table_and_column_of_the_schema() {
    for backend in BACKENDS {
        let db = TestDatabase::new(backend).await;
        let store = db.store().await;
        fill(&store).await;
        let taken = tables(&backup(&store).await);
        let catalogue = catalogue(&db, backend).await;
        assert_eq!(
            taken.keys().collect::<BTreeSet<_>>(),
            catalogue.keys().collect::<BTreeSet<_>>(),
            "{backend:?}: tables in the backup and in the schema"
        );
        for (table, columns) in &catalogue {
            assert_eq!(&taken[table].0, &json!(columns), "{backend:?}: {table}");
            assert!(
                !taken[table].1.is_empty(),
                "{backend:?}: the fixture puts rows in {table}, so that restoring them is tested"
            );
        }
    }
}

#[tokio::test]
async fn a_restore_refuses_a_database_with_data_and_changes_nothing() {
    for backend in BACKENDS {
        let source_db = TestDatabase::new(backend).await;
        let source = source_db.store().await;
        fill(&source).await;
        let taken = backup(&source).await;
        let target_db = TestDatabase::new(other(backend)).await;
        let target = target_db.store().await;
        target.create_org("keep", "Keep me").await.unwrap();
        let before = backup(&target).await;
        let refused = target.restore(std::io::Cursor::new(taken)).await;
        match refused {
            Err(e @ StoreError::NotEmpty(_)) => {
                assert!(e.to_string().contains("organisations"), "{e}");
                assert!(e.to_string().contains("new, empty database"), "{e}");
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        assert_eq!(tables(&backup(&target).await), tables(&before));
    }
}

#[tokio::test]
async fn a_broken_or_newer_backup_is_refused_and_loads_nothing() {
    for backend in BACKENDS {
        let source_db = TestDatabase::new(backend).await;
        let source = source_db.store().await;
        fill(&source).await;
        let taken = backup(&source).await;
        let latest = source.latest_schema_version();

        let target_db = TestDatabase::new(other(backend)).await;
        let target = Store::connect_without_migrating(&target_db.url)
            .await
            .unwrap();
        let mut newer: Value = serde_json::from_slice(&taken).unwrap();
        newer["schema_version"] = json!(latest + 1);
        let e = target
            .restore(std::io::Cursor::new(newer.to_string().into_bytes()))
            .await
            .unwrap_err();
        assert!(e.to_string().contains("newer than this build"), "{e}");
        assert_eq!(
            target.schema_status().await.unwrap(),
            SchemaStatus::Empty,
            "refused before anything was created"
        );

        let e = target
            .restore(std::io::Cursor::new(b"{\"orgs\": []}".to_vec()))
            .await
            .unwrap_err();
        assert!(e.to_string().contains("not a Bulwark backup"), "{e}");

        // Cut off half-way: some rows were inserted before the end was found missing, and
        // the transaction takes them all back; the whole file then restores.
        let cut = taken[..taken.len() * 2 / 3].to_vec();
        let e = target.restore(std::io::Cursor::new(cut)).await.unwrap_err();
        assert!(e.to_string().contains("cannot be read"), "{e}");
        assert!(target.orgs().await.unwrap().is_empty(), "all or nothing");
        target.restore(std::io::Cursor::new(taken)).await.unwrap();
        assert_eq!(target.orgs().await.unwrap().len(), 2);
    }
}

/// A backup of an older schema is loaded into that schema, then migrated forward.
#[tokio::test]
async fn an_older_backup_is_upgraded_after_loading() {
    let source_db = TestDatabase::new(Backend::Sqlite).await;
    let source = source_db.store().await;
    fill(&source).await;
    let mut old: Value = serde_json::from_slice(&backup(&source).await).unwrap();
    // Schema 1 had no exercises, no sign-in addresses and no audit summaries.
    old["schema_version"] = json!(1);
    let tables = old["tables"].as_object_mut().unwrap();
    // Nor single sign-on, nor public warnings, nor incidents.
    // Nor single sign-on, nor public warnings, nor community support, nor the community hub.
    for table in [
        "exercises",
        "lessons",
        "actions",
        "programme",
        "sign_on_rules",
        "sign_on_attempts",
        "warnings",
        "warning_infos",
        "warning_areas",
        "warning_templates",
        "warning_settings",
        "incidents",
        "incident_partners",
        "incident_methane",
        "incident_marks",
        "incident_decisions",
        "incident_actions",
        "incident_rhythm",
        "incident_sitreps",
        "people_sources",
        "people_lists",
        "people",
        "estate_catalogues",
        "volunteers",
        "volunteer_hours",
        "help_requests",
        "help_request_events",
        "risk_appetites",
    ] {
        // Keeping the others in order: a restore inserts tables in the order of the file.
        tables.shift_remove(table);
    }
    for (table, column) in [
        ("login_failures", "address"),
        ("audit", "summary"),
        ("users", "oidc_subject"),
        ("memberships", "source"),
        ("sessions", "id_token"),
    ] {
        let t = &mut tables[table];
        let columns = t["columns"].as_array_mut().unwrap();
        let at = columns.iter().position(|c| c == column).unwrap();
        columns.remove(at);
        for row in t["rows"].as_array_mut().unwrap() {
            row.as_array_mut().unwrap().remove(at);
        }
    }

    let target_db = TestDatabase::new(Backend::Postgres).await;
    let target = Store::connect_without_migrating(&target_db.url)
        .await
        .unwrap();
    let summary = target
        .restore(std::io::Cursor::new(old.to_string().into_bytes()))
        .await
        .unwrap();
    assert_eq!(summary.schema_version, 1);
    let migrated: Vec<i64> = summary.migrated.iter().map(|m| m.version).collect();
    // Every migration after the first, in order (their numbers may have gaps).
    assert_eq!(migrated.first(), Some(&2));
    assert_eq!(migrated.last(), Some(&target.latest_schema_version()));
    assert!(migrated.windows(2).all(|w| w[0] < w[1]), "{migrated:?}");
    assert_eq!(target.schema_status().await.unwrap(), SchemaStatus::Current);
    let north = target.org_by_slug("northmoor").await.unwrap().unwrap();
    assert!(target.exercises(north.id).await.unwrap().is_empty());
}

#[tokio::test]
async fn migrations_are_explicit_and_say_what_they_did() {
    for backend in BACKENDS {
        let db = TestDatabase::new(backend).await;
        let store = Store::connect_without_migrating(&db.url).await.unwrap();
        assert_eq!(store.schema_status().await.unwrap(), SchemaStatus::Empty);
        assert_eq!(store.schema_version().await.unwrap(), None);
        let pending = store.pending_migrations().await.unwrap();
        assert_eq!(pending[0].to_string(), "0001 init");
        assert_eq!(store.migrate().await.unwrap(), pending);
        assert!(
            store.migrate().await.unwrap().is_empty(),
            "the second run has nothing to do"
        );
        assert_eq!(store.schema_status().await.unwrap(), SchemaStatus::Current);
        assert_eq!(
            store.schema_version().await.unwrap(),
            Some(store.latest_schema_version())
        );
        let e = store.backup(Vec::new()).await;
        assert!(e.is_ok(), "an empty database backs up: {e:?}");
    }
    let dir = tempfile::tempdir().unwrap();
    let missing = format!("sqlite://{}", dir.path().join("missing.db").display());
    assert!(Store::connect_existing(&missing).await.is_err());
    assert!(!dir.path().join("missing.db").exists(), "not created");
}

/// A backup is one snapshot: while another task keeps adding items, every backup still
/// shows each organisation's model version matching its items and its audit trail (each
/// write bumps the version, adds an item and an audit entry in one transaction).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_during_writes_is_consistent() {
    for backend in BACKENDS {
        let db = TestDatabase::new(backend).await;
        let store = db.store().await;
        fill(&store).await;
        let north = store.org_by_slug("northmoor").await.unwrap().unwrap().id;
        let base = tables(&backup(&store).await);
        let count = |t: &BTreeMap<String, (Value, Vec<Value>)>, table: &str| {
            rows_of(t, table)
                .iter()
                .filter(|r| r["org_id"] == json!(north))
                .count() as i64
        };
        let version = |t: &BTreeMap<String, (Value, Vec<Value>)>| {
            rows_of(t, "organisations")
                .iter()
                .find(|r| r["id"] == json!(north))
                .unwrap()["model_version"]
                .as_i64()
                .unwrap()
        };
        let (items0, audit0, version0) = (
            count(&base, "model_items"),
            count(&base, "audit"),
            version(&base),
        );

        let writer = {
            let store = store.clone();
            tokio::spawn(async move {
                let mut v = version0;
                for i in 0..60 {
                    let item = json!({"id": format!("a{i}"), "name": "A", "kind": "data"});
                    v = store
                        .put_item(north, ItemKind::Asset, &item, v, &cli())
                        .await
                        .unwrap();
                }
                v
            })
        };
        let mut seen = BTreeSet::new();
        while !writer.is_finished() {
            let t = tables(&backup(&store).await);
            let v = version(&t);
            assert_eq!(
                count(&t, "model_items") - items0,
                v - version0,
                "{backend:?}"
            );
            assert_eq!(count(&t, "audit") - audit0, v - version0, "{backend:?}");
            seen.insert(v);
        }
        assert_eq!(writer.await.unwrap(), version0 + 60);
        assert!(!seen.is_empty());
    }
}

fn rows_of(
    tables: &BTreeMap<String, (Value, Vec<Value>)>,
    table: &str,
) -> Vec<BTreeMap<String, Value>> {
    let (columns, rows) = &tables[table];
    let columns: Vec<String> = serde_json::from_value(columns.clone()).unwrap();
    rows.iter()
        .map(|r| {
            columns
                .iter()
                .cloned()
                .zip(r.as_array().unwrap().iter().cloned())
                .collect()
        })
        .collect()
}
