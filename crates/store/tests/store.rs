//! One story of the store, told on SQLite and on PostgreSQL: both must behave the same.
#![allow(clippy::unwrap_used, clippy::string_slice)] // test code: a panic is a failed test

use bulwark_store::{Actor, Backend, ItemKind, Role, Store, StoreError};
use bulwark_testkit::{BACKENDS, TestDatabase};
use serde_json::json;

/// A date written the ISO way, for test data.
pub fn day(iso: &str) -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(iso, "%Y-%m-%d").unwrap()
}

#[path = "store/backup.rs"]
mod backup;
#[path = "store/estate.rs"]
mod estate;
#[path = "store/incidents.rs"]
mod incidents;
#[path = "store/people.rs"]
mod people;
#[path = "store/requests.rs"]
mod requests;

fn actor(user: i64) -> Actor {
    Actor {
        user_id: Some(user),
        label: "ann@example.org".into(),
    }
}

async fn story(store: Store) {
    // Accounts and organisations.
    let ann = store
        .create_user("Ann@Example.org", "Ann", "hash", false)
        .await
        .unwrap();
    assert_eq!(ann.email, "ann@example.org");
    assert!(matches!(
        store
            .create_user("ann@example.org", "Ann", "h", false)
            .await,
        Err(StoreError::Conflict(_))
    ));
    let north = store.create_org("northmoor", "Northmoor").await.unwrap();
    let south = store.create_org("southdale", "Southdale").await.unwrap();
    assert!(matches!(
        store.create_org("Bad Slug", "x").await,
        Err(StoreError::Conflict(_))
    ));
    store
        .set_membership(ann.id, north.id, Role::Viewer, &actor(ann.id))
        .await
        .unwrap();
    store
        .set_membership(ann.id, north.id, Role::Editor, &actor(ann.id))
        .await
        .unwrap();
    let m = store.memberships(ann.id).await.unwrap();
    assert_eq!(m.len(), 1);
    assert_eq!(
        (m[0].org_slug.as_str(), m[0].role),
        ("northmoor", Role::Editor)
    );

    // Sessions and tokens keep only hashes, and find the user back.
    let cookie = store.create_session(ann.id).await.unwrap();
    let session = store.session(&cookie).await.unwrap().unwrap();
    assert_eq!(session.user.id, ann.id);
    assert!(session.csrf.len() >= 40);
    assert_eq!(
        session.memberships.len(),
        1,
        "memberships come with the session"
    );
    assert_eq!(
        (
            session.memberships[0].org_slug.as_str(),
            session.memberships[0].role
        ),
        ("northmoor", Role::Editor)
    );
    store.delete_session(&cookie).await.unwrap();
    assert!(store.session(&cookie).await.unwrap().is_none());
    let token = store.create_token(ann.id, "script").await.unwrap();
    assert!(token.starts_with("bwk_"));
    assert_eq!(
        store.user_by_token(&token).await.unwrap().unwrap().id,
        ann.id
    );
    assert!(store.user_by_token("bwk_nope").await.unwrap().is_none());
    let listed = store.tokens(ann.id).await.unwrap();
    assert!(listed[0].last_used_at.is_some());
    store.delete_token(ann.id, listed[0].id).await.unwrap();
    assert!(store.user_by_token(&token).await.unwrap().is_none());

    // Sign-in throttling counts recent failures per account and address, per address, and
    // per account from anywhere, each with the time of the latest.
    for _ in 0..3 {
        store
            .record_login_failure("ANN@example.org", "192.0.2.1")
            .await
            .unwrap();
    }
    store
        .record_login_failure("ann@example.org", "192.0.2.2")
        .await
        .unwrap();
    store
        .record_login_failure("bob@example.org", "192.0.2.1")
        .await
        .unwrap();
    let f = store
        .recent_login_failures("ann@example.org", "192.0.2.1", 900)
        .await
        .unwrap();
    assert_eq!(
        (f.account_from_address.0, f.address.0, f.account.0),
        (3, 4, 4)
    );
    assert!(f.account.1 > 0 && f.account.1 <= bulwark_store::now());
    store.clear_login_failures("ann@example.org").await.unwrap();
    let f = store
        .recent_login_failures("ann@example.org", "192.0.2.9", 900)
        .await
        .unwrap();
    assert_eq!(
        (f.account_from_address.0, f.address.0, f.account.0),
        (0, 0, 0)
    );
    assert_eq!(f.account.1, 0);

    // Models: replace whole, read back in order with x- keys, edit one item under a version guard.
    let doc = json!({
        "bulwark": 1,
        "services": [{"id": "care", "name": "Care", "needs": ["app"]}, {"id": "bins", "name": "Bins"}],
        "assets": [{"id": "app", "name": "App", "kind": "it-system"}],
        "x-note": {"kept": true}
    });
    let v1 = store
        .replace_model(north.id, &doc, None, &actor(ann.id))
        .await
        .unwrap();
    let (back, version) = store.model_document(north.id).await.unwrap();
    assert_eq!(version, v1);
    assert_eq!(back, doc);
    let (empty, _) = store.model_document(south.id).await.unwrap();
    assert_eq!(
        empty,
        json!({"bulwark": 1}),
        "another organisation's model is separate"
    );

    let edited = json!({"id": "care", "name": "Home care", "needs": ["app"]});
    let v2 = store
        .put_item(north.id, ItemKind::Service, &edited, v1, &actor(ann.id))
        .await
        .unwrap();
    assert_eq!(v2, v1 + 1);
    let stale = store
        .put_item(north.id, ItemKind::Service, &edited, v1, &actor(ann.id))
        .await;
    assert!(
        matches!(stale, Err(StoreError::Conflict(_))),
        "a stale version is refused"
    );
    let (back, _) = store.model_document(north.id).await.unwrap();
    assert_eq!(back["services"][0]["name"], "Home care");
    assert_eq!(back["services"][1]["id"], "bins", "order is kept");
    let v3 = store
        .put_item(
            north.id,
            ItemKind::Asset,
            &json!({"id": "db", "name": "DB", "kind": "data"}),
            v2,
            &actor(ann.id),
        )
        .await
        .unwrap();
    let v4 = store
        .delete_item(north.id, ItemKind::Service, "bins", v3, &actor(ann.id))
        .await
        .unwrap();
    let services = store
        .items(north.id, Some(ItemKind::Service))
        .await
        .unwrap();
    assert_eq!(services.len(), 1);
    assert!(matches!(
        store
            .delete_item(north.id, ItemKind::Service, "bins", v4, &actor(ann.id))
            .await,
        Err(StoreError::NotFound)
    ));

    // Every change is in the audit trail, newest first, with before and after.
    let audit = store.audit(north.id, 10, None).await.unwrap();
    let actions: Vec<&str> = audit.iter().map(|a| a.action.as_str()).collect();
    assert_eq!(
        actions,
        ["delete", "create", "update", "import", "grant", "grant"]
    );
    assert!(audit[2].before.as_deref().unwrap().contains("\"Care\""));
    assert!(audit[2].after.as_deref().unwrap().contains("Home care"));
    // A whole-model import is listed with what it changed, not with the two models.
    assert!(audit[3].before.is_none() && audit[3].after.is_none());
    let summary: serde_json::Value =
        serde_json::from_str(audit[3].summary.as_deref().unwrap()).unwrap();
    assert!(
        summary["services"]["added"]
            .as_array()
            .unwrap()
            .contains(&json!("care"))
    );
    assert!(store.audit(south.id, 10, None).await.unwrap().is_empty());

    // Sharing is one way and per service.
    store
        .share(north.id, "care", south.id, &actor(ann.id))
        .await
        .unwrap();
    assert!(store.is_shared(north.id, "care", south.id).await.unwrap());
    assert!(!store.is_shared(south.id, "care", north.id).await.unwrap());
    let incoming = store.shares(south.id, false).await.unwrap();
    assert_eq!(
        (
            incoming[0].owner.slug.as_str(),
            incoming[0].service_id.as_str()
        ),
        ("northmoor", "care")
    );
    assert!(
        store
            .share(north.id, "care", north.id, &actor(ann.id))
            .await
            .is_err()
    );
    store
        .unshare(north.id, "care", south.id, &actor(ann.id))
        .await
        .unwrap();
    let audit = store.audit(north.id, 2, None).await.unwrap();
    assert_eq!(
        (audit[0].action.as_str(), audit[1].action.as_str()),
        ("unshare", "share"),
        "sharing is audited"
    );
    assert_eq!(audit[1].after.as_deref(), Some("southdale"));
    assert!(store.shares(south.id, false).await.unwrap().is_empty());

    // A share ends with its service; a service that does not exist cannot be shared.
    store
        .share(north.id, "care", south.id, &actor(ann.id))
        .await
        .unwrap();
    store
        .delete_item(north.id, ItemKind::Service, "care", v4, &actor(ann.id))
        .await
        .unwrap();
    assert!(!store.is_shared(north.id, "care", south.id).await.unwrap());
    assert!(matches!(
        store
            .share(north.id, "care", south.id, &actor(ann.id))
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(store.healthy().await);
}

/// Exercises, lessons and actions: scoped to their organisation, closed only with evidence
/// (the database refuses otherwise, and a refused write leaves no audit entry), and deleted
/// with everything under them.
async fn exercise_story(store: Store) {
    use bulwark_store::{
        ActionDetails, ActionProgress, ActionStatus, ExerciseDetails, ExerciseFormat,
    };
    let who = actor(1);
    let who = Actor {
        user_id: None,
        ..who
    };
    let north = store.create_org("north", "North").await.unwrap();
    let south = store.create_org("south", "South").await.unwrap();
    let details = ExerciseDetails {
        title: "Exercise Cold Snap".into(),
        scenario_id: "heavy-snow".into(),
        held_on: day("2026-02-02"),
        format: ExerciseFormat::Live,
        lead: String::new(),
        objectives: String::new(),
        participants: Vec::new(),
    };
    let exercise = store
        .create_exercise(north.id, &details, &who)
        .await
        .unwrap();
    assert!(
        matches!(
            store
                .add_lesson(south.id, exercise, "x", "", day("2026-02-03"), &who)
                .await,
            Err(StoreError::NotFound)
        ),
        "another organisation's exercise is not found"
    );
    let lesson = store
        .add_lesson(
            north.id,
            exercise,
            "Gritters ran out of salt",
            "",
            day("2026-02-03"),
            &who,
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
                service_id: None,
                plan: Some("Winter service plan".into()),
            },
            &who,
        )
        .await
        .unwrap();
    let audited = store.audit(north.id, 100, None).await.unwrap().len();
    let unproven = ActionProgress {
        status: ActionStatus::Done,
        evidence: None,
        closed_on: Some(day("2026-09-01")),
    };
    assert!(
        store
            .update_action(north.id, action, &unproven, &who)
            .await
            .is_err()
    );
    let kept = store.action(north.id, action).await.unwrap().unwrap();
    assert_eq!(
        kept.progress.status,
        ActionStatus::Open,
        "nothing half-written"
    );
    assert_eq!(
        store.audit(north.id, 100, None).await.unwrap().len(),
        audited,
        "and nothing audited"
    );
    assert!(matches!(
        store.update_action(south.id, action, &unproven, &who).await,
        Err(StoreError::NotFound)
    ));
    // The dashboard's summary: planned (future) exercises do not count as exercised.
    let planned = ExerciseDetails {
        held_on: day("2027-01-10"),
        ..details.clone()
    };
    store
        .create_exercise(north.id, &planned, &who)
        .await
        .unwrap();
    store
        .set_programme(north.id, "heavy-snow", Some(12), &who)
        .await
        .unwrap();
    let summary = store
        .exercise_summary(north.id, "2026-11-01")
        .await
        .unwrap();
    assert_eq!(summary.programme.len(), 1);
    assert_eq!(summary.programme[0].every_months, 12);
    assert_eq!(
        summary.last_exercised,
        vec![("heavy-snow".to_string(), "2026-02-02".to_string())]
    );
    assert_eq!(summary.open_lessons, vec!["2026-02-03".to_string()]);
    assert_eq!(summary.overdue_actions, 1, "due 2026-10-01 and not done");
    let before_due = store
        .exercise_summary(north.id, "2026-09-01")
        .await
        .unwrap();
    assert_eq!(before_due.overdue_actions, 0);
    assert_eq!(
        store
            .exercise_summary(south.id, "2026-11-01")
            .await
            .unwrap(),
        Default::default(),
        "nothing of another organisation"
    );
    // A correction keeps the day an action was first closed; reopening clears it.
    let mut done = ActionProgress {
        status: ActionStatus::Done,
        evidence: Some("Reserve doubled".into()),
        closed_on: Some(day("2026-09-01")),
    };
    store
        .update_action(north.id, action, &done, &who)
        .await
        .unwrap();
    done.evidence = Some("Reserve doubled, invoice 123".into());
    done.closed_on = Some(day("2026-10-10"));
    store
        .update_action(north.id, action, &done, &who)
        .await
        .unwrap();
    let kept = store.action(north.id, action).await.unwrap().unwrap();
    assert_eq!(kept.progress.closed_on, Some(day("2026-09-01")));
    assert_eq!(kept.progress.evidence, done.evidence);
    let reopened = ActionProgress {
        status: ActionStatus::InProgress,
        evidence: None,
        closed_on: None,
    };
    store
        .update_action(north.id, action, &reopened, &who)
        .await
        .unwrap();
    let kept = store.action(north.id, action).await.unwrap().unwrap();
    assert_eq!(kept.progress.closed_on, None);

    // A run is kept while the scenario stays, and dropped when it changes.
    store
        .save_exercise_run(north.id, exercise, "{}", "run", &who)
        .await
        .unwrap();
    let retitled = ExerciseDetails {
        title: "Exercise Cold Snap (revised)".into(),
        ..details.clone()
    };
    store
        .update_exercise(north.id, exercise, &retitled, &who)
        .await
        .unwrap();
    assert!(
        store
            .exercise(north.id, exercise)
            .await
            .unwrap()
            .unwrap()
            .1
            .is_some()
    );
    let moved = ExerciseDetails {
        scenario_id: "power-cut".into(),
        ..retitled
    };
    store
        .update_exercise(north.id, exercise, &moved, &who)
        .await
        .unwrap();
    let (e, run) = store.exercise(north.id, exercise).await.unwrap().unwrap();
    assert!(
        run.is_none() && e.run_at.is_none(),
        "a run of another scenario is dropped"
    );

    store
        .delete_exercise(north.id, exercise, &who)
        .await
        .unwrap();
    assert!(store.lessons(north.id, None).await.unwrap().is_empty());
    assert!(store.actions(north.id, None).await.unwrap().is_empty());
    assert!(store.exercise(north.id, exercise).await.unwrap().is_none());
}

#[tokio::test]
async fn exercises_hold_on_both_backends() {
    for backend in BACKENDS {
        let db = TestDatabase::new(backend).await;
        exercise_story(db.store().await).await;
    }
}

#[tokio::test]
async fn the_store_story_holds_on_both_backends() {
    for backend in BACKENDS {
        let db = TestDatabase::new(backend).await;
        let store = db.store().await;
        assert_eq!(store.backend(), backend);
        story(store.clone()).await;
        store.close().await;
    }
}

#[tokio::test]
async fn migrations_are_idempotent_and_sqlite_files_persist() {
    let db = TestDatabase::new(Backend::Sqlite).await;
    let store = db.store().await;
    store.create_org("a", "A").await.unwrap();
    store.close().await;
    let again = db.store().await;
    assert!(again.org_by_slug("a").await.unwrap().is_some());
}

#[tokio::test]
async fn unsupported_urls_are_refused_plainly() {
    let e = Store::connect("mysql://x").await.unwrap_err();
    assert!(
        e.to_string().contains("sqlite://PATH or postgres://"),
        "{e}"
    );
}
