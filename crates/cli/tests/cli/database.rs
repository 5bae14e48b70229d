//! The database commands as an administrator runs them: `token create`, `backup`,
//! `restore`, `migrate`, and `serve` refusing a schema that needs upgrading.

use super::{bulwark, demo};
use bulwark_store::Store;
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn sqlite(dir: &Path, name: &str) -> String {
    format!("sqlite://{}", dir.join(name).display())
}

fn succeeds(args: &[&str]) -> String {
    let out = bulwark(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn fails(args: &[&str]) -> String {
    let out = bulwark(args);
    assert_eq!(out.status.code(), Some(1), "{args:?}");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn create_user(url: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bulwark"))
        .args([
            "user",
            "create",
            "--email",
            "ann@example.org",
            "--name",
            "Ann",
            "--org",
            "northmoor",
            "--database-url",
            url,
        ])
        .env("BULWARK_PASSWORD", "a long enough passphrase")
        .env("NO_COLOR", "1")
        .output()
        .expect("bulwark runs")
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Runtime::new().unwrap()
}

#[test]
fn token_create_prints_a_token_that_works() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite(dir.path(), "b.db");
    assert!(create_user(&url).status.success());
    let out = succeeds(&[
        "token",
        "create",
        "--email",
        "ANN@example.org",
        "--name",
        "nightly export",
        "--database-url",
        &url,
    ]);
    let token = out.trim();
    assert!(token.starts_with("bwk_") && !token.contains(' '), "{out}");
    runtime().block_on(async {
        let store = Store::connect(&url).await.unwrap();
        let user = store.user_by_token(token).await.unwrap().unwrap();
        assert_eq!(user.email, "ann@example.org");
        assert_eq!(
            store.tokens(user.id).await.unwrap()[0].name,
            "nightly export"
        );
    });
    let stderr = fails(&[
        "token",
        "create",
        "--email",
        "nobody@example.org",
        "--name",
        "x",
        "--database-url",
        &url,
    ]);
    assert!(
        stderr.contains("no account for nobody@example.org"),
        "{stderr}"
    );
}

/// A backup's tables, without the time it was taken.
fn tables(path: &Path) -> Value {
    let doc: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    doc["tables"].clone()
}

#[test]
fn backup_and_restore_carry_everything_to_a_new_database_and_refuse_a_used_one() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite(dir.path(), "live.db");
    assert!(create_user(&url).status.success());
    succeeds(&[
        "import",
        &demo(),
        "--org",
        "northmoor",
        "--database-url",
        &url,
    ]);
    let first = dir.path().join("first.json");
    succeeds(&[
        "backup",
        "-o",
        first.to_str().unwrap(),
        "--database-url",
        &url,
    ]);

    let copy = sqlite(dir.path(), "copy.db");
    let out = succeeds(&["restore", first.to_str().unwrap(), "--database-url", &copy]);
    assert!(out.contains("restored"), "{out}");
    let second = dir.path().join("second.json");
    succeeds(&[
        "backup",
        "--output",
        second.to_str().unwrap(),
        "--database-url",
        &copy,
    ]);
    assert_eq!(tables(&second), tables(&first));
    assert!(
        tables(&first)["model_items"]["rows"]
            .as_array()
            .unwrap()
            .len()
            > 100,
        "the demo model is in it"
    );

    let stderr = fails(&["restore", first.to_str().unwrap(), "--database-url", &copy]);
    assert!(stderr.contains("already holds data"), "{stderr}");
    let third = dir.path().join("third.json");
    succeeds(&[
        "backup",
        "-o",
        third.to_str().unwrap(),
        "--database-url",
        &copy,
    ]);
    assert_eq!(
        tables(&third),
        tables(&second),
        "the refused restore changed nothing"
    );

    let missing = sqlite(dir.path(), "missing.db");
    fails(&[
        "backup",
        "-o",
        first.to_str().unwrap(),
        "--database-url",
        &missing,
    ]);
    assert!(
        !dir.path().join("missing.db").exists(),
        "a backup creates no database"
    );
    assert!(
        tables(&first).is_object(),
        "a failed backup leaves the old file whole"
    );
}

#[test]
fn migrate_says_what_it_applied_and_then_that_nothing_is_left() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite(dir.path(), "m.db");
    let first = succeeds(&["migrate", "--database-url", &url]);
    assert!(first.contains("applied 0001 init"), "{first}");
    let again = succeeds(&["migrate", "--database-url", &url]);
    assert!(again.contains("up to date"), "{again}");
}

/// `serve` does not upgrade an existing database behind the operator's back.
#[test]
fn serve_refuses_a_schema_that_needs_migrating() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite(dir.path(), "old.db");
    succeeds(&["migrate", "--database-url", &url]);
    // As if this build carried a migration the database has not had yet.
    runtime().block_on(async {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&url).await.unwrap();
        sqlx::query("DELETE FROM _sqlx_migrations WHERE version = (SELECT MAX(version) FROM _sqlx_migrations)")
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    });
    let mut serve = Command::new(env!("CARGO_BIN_EXE_bulwark"))
        .args(["serve", "--listen", "127.0.0.1:0", "--database-url", &url])
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let status = loop {
        if let Some(status) = serve.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > Duration::from_secs(30) {
            serve.kill().unwrap();
            panic!("serve started on a schema that needs migrating");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let out = serve.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(status.code(), Some(1));
    assert!(
        stderr.contains("needs upgrading") && stderr.contains("bulwark migrate"),
        "{stderr}"
    );
}

#[test]
fn log_verify_says_whether_a_decision_log_is_intact_and_names_the_first_broken_entry() {
    use bulwark_store::{Actor, CommandLevel, DecisionInput, IncidentDetails, now};
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite(dir.path(), "log.db");
    let id = runtime().block_on(async {
        let store = Store::connect(&url).await.unwrap();
        let org = store.create_org("northmoor", "Northmoor").await.unwrap();
        let actor = Actor {
            user_id: None,
            label: "loggist@northmoor.example".into(),
        };
        let details = IncidentDetails {
            title: "Flooding".into(),
            summary: String::new(),
            location: String::new(),
            started_at: now() - 3600,
            level: CommandLevel::Strategic,
            scenario: None,
        };
        let id = store
            .declare_incident(org.id, &actor, &details)
            .await
            .unwrap();
        for n in 1..=3 {
            let input = DecisionInput {
                decision: format!("Decision {n}"),
                rationale: "Because".into(),
                decision_maker: "Gold".into(),
                decided_at: now(),
                ..DecisionInput::default()
            };
            store
                .append_decision(org.id, id, &actor, &input)
                .await
                .unwrap();
        }
        store.close().await;
        id
    });
    let incident = id.to_string();
    let args = |json: bool| {
        let mut a = vec![
            "log",
            "verify",
            "--org",
            "northmoor",
            "--incident",
            incident.as_str(),
            "--database-url",
            url.as_str(),
        ];
        if json {
            a.push("--json");
        }
        a.into_iter().map(String::from).collect::<Vec<_>>()
    };
    let run = |json: bool| bulwark(&args(json).iter().map(String::as_str).collect::<Vec<_>>());
    let out = run(true);
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (
            v["intact"].clone(),
            v["entries"].clone(),
            v["first_broken"].clone()
        ),
        (Value::Bool(true), Value::from(3), Value::Null)
    );
    assert!(String::from_utf8_lossy(&run(false).stdout).contains("is intact: 3 entries"));
    // Someone with access to the database rewrites the second decision.
    runtime().block_on(async {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&url).await.unwrap();
        sqlx::query("UPDATE incident_decisions SET body = REPLACE(body, 'Decision 2', 'Decision two') WHERE seq = 2")
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    });
    let out = run(true);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (v["intact"].clone(), v["first_broken"].clone()),
        (Value::Bool(false), Value::from(2))
    );
    let out = run(false);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("broken at entry 2"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // An incident that is not there is an error, not a verdict.
    let out = bulwark(&[
        "log",
        "verify",
        "--org",
        "northmoor",
        "--incident",
        "99",
        "--database-url",
        url.as_str(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("has no incident 99"));
}

#[test]
fn retention_run_deletes_expired_people_and_keys_rotate_from_the_command_line() {
    use bulwark_store::{Actor, Keyring, ListDetails, NewPerson, PersonDetails, default_key_file};
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite(dir.path(), "hub.db");
    let key_file = default_key_file(&url).unwrap();
    runtime().block_on(async {
        let store = Store::connect(&url).await.unwrap();
        let keys = Keyring::load_or_create(&key_file).unwrap();
        let actor = Actor {
            user_id: None,
            label: "test".into(),
        };
        let org = store.create_org("northmoor", "Northmoor").await.unwrap();
        let list = |name: &str| ListDetails {
            name: name.into(),
            purpose: "Welfare calls".into(),
            source: None,
            incident: None,
        };
        let held = store
            .activate_people_list(org.id, &list("held"), &actor)
            .await
            .unwrap();
        store
            .set_legal_hold(org.id, held, true, &actor)
            .await
            .unwrap();
        for (list, expires) in [
            (Some(held), "2020-01-01"),
            (None, "2020-01-01"),
            (None, "2099-01-01"),
        ] {
            let person = NewPerson {
                details: PersonDetails {
                    name: "Ada".into(),
                    address: "1 Mill Lane".into(),
                    postcode: "NM1 1AA".into(),
                    ..PersonDetails::default()
                },
                list,
                source: "Adult social care".into(),
                lawful_basis: "6(1)(e)".into(),
                expires_on: chrono::NaiveDate::parse_from_str(expires, "%Y-%m-%d").unwrap(),
            };
            store
                .create_person(org.id, &person, &keys, &actor)
                .await
                .unwrap();
        }
        // A request for help that has expired, and one that has not.
        for expires in ["2020-01-01", "2099-01-01"] {
            let request = bulwark_store::NewRequest {
                requester: bulwark_store::Requester {
                    name: "Ada".into(),
                    address: "1 Mill Lane".into(),
                    postcode: "NM1 1AA".into(),
                    phone: None,
                    details: "Food parcel".into(),
                },
                channel: bulwark_store::Channel::Phone,
                category: bulwark_store::Category::Food,
                urgency: bulwark_store::Urgency::ThreeDays,
                incident: None,
                expires_on: chrono::NaiveDate::parse_from_str(expires, "%Y-%m-%d").unwrap(),
            };
            store
                .create_help_request(org.id, &request, &keys, &actor)
                .await
                .unwrap();
        }
        store.close().await;
    });
    let out = succeeds(&["retention", "run", "--json", "--database-url", &url]);
    let done: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        done,
        serde_json::json!({"deleted": 1, "held": 1, "requests": {"deleted": 1, "held": 0}})
    );
    let out = succeeds(&["retention", "run", "--database-url", &url]);
    assert!(out.contains("Deleted 0 personal records"), "{out}");
    assert!(out.contains("Deleted 0 requests for help"), "{out}");

    let out = succeeds(&["people", "new-key", "--database-url", &url]);
    assert!(out.contains("Added key 2"), "{out}");
    let out = succeeds(&["people", "rekey", "--database-url", &url]);
    assert!(
        out.contains(
            "Sealed 2 person records, 1 request for help and 0 volunteers again with key 2"
        ),
        "{out}"
    );
    let stored = runtime().block_on(async {
        let store = Store::connect(&url).await.unwrap();
        let mut backup = Vec::new();
        store.backup(&mut backup).await.unwrap();
        String::from_utf8(backup).unwrap()
    });
    assert!(
        stored.contains("p1.2.") && !stored.contains("p1.1."),
        "every record under key 2"
    );
    assert!(!stored.contains("Mill Lane"));
}
