//! Community support on both backends: person records sealed field by field and found by
//! keyed postcode hashes, every read audited with its purpose, other organisations kept out,
//! retention that spares lists under legal hold, key rotation, and no personal data in plain
//! text anywhere in the database's files or its backups.

use crate::day;
use bulwark_store::{
    Actor, Backend, Keyring, ListDetails, NewPerson, PeopleQuery, PersonDetails, PostcodeArea,
    SourceDetails, Store, StoreError,
};
use bulwark_testkit::{BACKENDS, TestDatabase};
use sqlx::Row;

fn hub() -> Actor {
    Actor {
        user_id: None,
        label: "hub@example.org".into(),
    }
}

/// Values distinctive enough that finding one in a file can only mean it leaked.
const NAME: &str = "Zebedee Quillfeather-Marchbanks";
const ADDRESS: &str = "Flat 7 Xylophone Wharf";
const PHONE: &str = "01632 960 417";
const NEED: &str = "Oxygen concentrator Zygomatic";
const POSTCODE: &str = "NM9 7QZ";

fn person(name: &str, postcode: &str, expires: &str, list: Option<i64>) -> NewPerson {
    NewPerson {
        details: PersonDetails {
            name: name.into(),
            address: ADDRESS.into(),
            postcode: postcode.into(),
            phone: Some(PHONE.into()),
            needs: vec![NEED.into()],
            relies_on: vec!["home-care".into()],
            care_package: Some("Four visits a day".into()),
            ..PersonDetails::default()
        },
        list,
        source: "Priority Services Register".into(),
        lawful_basis: "UK GDPR 6(1)(e), 9(2)(g); DPA 2018 Sch 1 para 18".into(),
        expires_on: day(expires),
    }
}

/// A source, a list under legal hold and a person on it, in `org` (for the backup fixture).
pub async fn fill(store: &Store, org: i64, keys: &Keyring) {
    let source = store
        .create_people_source(
            org,
            &SourceDetails {
                name: "Priority Services Register".into(),
                holder: "Northern Power \"Networks\"".into(),
                contents: "Customers who depend on electricity\nfor health".into(),
                how_to_request: "Emergency line".into(),
                article6: "6(1)(e)".into(),
                article9: "9(2)(g)".into(),
                schedule1: "Part 2 para 18".into(),
                agreement: "DSA-7".into(),
                review_on: Some(day("2027-04-01")),
                triggers: "Power cut over 12 hours".into(),
            },
            &hub(),
        )
        .await
        .unwrap();
    let list = store
        .activate_people_list(
            org,
            &ListDetails {
                name: "Flood welfare calls".into(),
                purpose: "Welfare calls in the flood area".into(),
                source: Some(source),
                incident: Some("3".into()),
            },
            &hub(),
        )
        .await
        .unwrap();
    store.set_legal_hold(org, list, true, &hub()).await.unwrap();
    store
        .create_person(
            org,
            &person(NAME, POSTCODE, "2027-01-31", Some(list)),
            keys,
            &hub(),
        )
        .await
        .unwrap();
}

async fn story(store: &Store) {
    let key_dir = tempfile::tempdir().unwrap();
    let key_file = key_dir.path().join("keys");
    let keys = Keyring::load_or_create(&key_file).unwrap();
    let north = store.create_org("northmoor", "Northmoor").await.unwrap();
    let south = store.create_org("southdale", "Southdale").await.unwrap();
    let list = store
        .activate_people_list(
            north.id,
            &ListDetails {
                name: "Riverside flood".into(),
                purpose: "Welfare calls".into(),
                source: None,
                incident: Some("1".into()),
            },
            &hub(),
        )
        .await
        .unwrap();
    let ada = store
        .create_person(
            north.id,
            &person(NAME, POSTCODE, "2027-01-31", Some(list)),
            &keys,
            &hub(),
        )
        .await
        .unwrap();
    let bob = store
        .create_person(
            north.id,
            &person("Bob Other", "NM9 8AA", "2027-01-31", None),
            &keys,
            &hub(),
        )
        .await
        .unwrap();
    assert_eq!((ada, bob), (1, 2));
    // Another organisation's list cannot be named, nor its records read.
    let e = store
        .create_person(
            south.id,
            &person("X", "NM9 8AA", "2027-01-31", Some(list)),
            &keys,
            &hub(),
        )
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::NotFound), "{e}");
    let e = store
        .read_person(south.id, ada, "welfare call", &keys, &hub())
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::NotFound));

    // Reading opens every field and records the read with its purpose.
    let p = store
        .read_person(north.id, ada, "welfare call", &keys, &hub())
        .await
        .unwrap();
    assert_eq!(p.details.name, NAME);
    assert_eq!(p.details.postcode, POSTCODE);
    assert_eq!(p.details.phone.as_deref(), Some(PHONE));
    assert_eq!(p.details.needs, vec![NEED.to_string()]);
    assert_eq!(p.list, Some(list));
    let audit = store.audit(north.id, 10, None).await.unwrap();
    let read = &audit[0];
    assert_eq!(
        (
            read.action.as_str(),
            read.entity.as_str(),
            read.entity_id.as_str()
        ),
        ("read", "person", "1")
    );
    assert!(read.after.as_deref().unwrap().contains("welfare call"));
    for entry in &audit {
        let text = format!("{:?} {:?}", entry.before, entry.after);
        assert!(!text.contains("Zebedee") && !text.contains("NM9"), "{text}");
    }

    // Found by postcode, sector or district, in any spelling; on one list or all.
    let find = |areas: Vec<&str>, list: Option<i64>| {
        let areas: Vec<PostcodeArea> = areas
            .into_iter()
            .map(|a| PostcodeArea::parse(a).unwrap())
            .collect();
        let keys = &keys;
        async move {
            let q = PeopleQuery {
                list,
                areas: &areas,
                relies_on: &[],
            };
            store
                .find_people(north.id, &q, "flood search", keys, &hub())
                .await
                .unwrap()
                .into_iter()
                .map(|p| p.id)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(find(vec!["nm97qz"], None).await, vec![1]);
    assert_eq!(find(vec!["NM9 7"], None).await, vec![1]);
    assert_eq!(find(vec!["NM9"], None).await, vec![1, 2]);
    assert_eq!(find(vec!["NM9"], Some(list)).await, vec![1]);
    assert_eq!(find(vec!["NM8"], None).await, Vec::<i64>::new());
    let q = PeopleQuery {
        list: None,
        areas: &[],
        relies_on: &["home-care".to_string()],
    };
    let relying = store
        .find_people(north.id, &q, "home care failed", &keys, &hub())
        .await
        .unwrap();
    assert_eq!(relying.len(), 2);
    let reads = store.audit(north.id, 100, None).await.unwrap();
    assert_eq!(
        reads.iter().filter(|e| e.action == "read").count(),
        1 + 1 + 1 + 2 + 1 + 2,
        "one audit entry for every record returned"
    );

    // Keys rotate: a new key seals, the old one still opens and finds, and after a rekey
    // the new key alone does.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("keys");
    std::fs::copy(&key_file, &file).unwrap();
    assert_eq!(Keyring::add_key(&file).unwrap(), 2);
    let rotated = Keyring::load(&file).unwrap();
    let carol = store
        .create_person(
            north.id,
            &person("Carol", POSTCODE, "2027-01-31", None),
            &rotated,
            &hub(),
        )
        .await
        .unwrap();
    let everyone = PeopleQuery {
        list: None,
        areas: &[PostcodeArea::parse("NM9").unwrap()],
        relies_on: &[],
    };
    let found = store
        .find_people(north.id, &everyone, "rotation check", &rotated, &hub())
        .await
        .unwrap();
    assert_eq!(found.len(), 3, "records under either key are found");
    assert_eq!(store.rekey_people(&rotated).await.unwrap(), 3);
    let text = std::fs::read_to_string(&file).unwrap();
    let newest_only: String = text
        .lines()
        .filter(|l| !l.starts_with("1 "))
        .collect::<Vec<_>>()
        .join("\n");
    let newest = Keyring::parse(&newest_only, "test").unwrap();
    assert_eq!(newest.ids(), vec![2]);
    let found = store
        .find_people(north.id, &everyone, "after rekey", &newest, &hub())
        .await
        .unwrap();
    assert_eq!(
        found.iter().map(|p| p.id).collect::<Vec<_>>(),
        vec![ada, bob, carol]
    );
    assert!(
        store
            .read_person(north.id, ada, "old key gone", &keys, &hub())
            .await
            .is_err(),
        "the old key alone no longer opens anything"
    );
}

#[tokio::test]
async fn person_records_are_sealed_found_audited_and_kept_to_their_organisation() {
    for backend in BACKENDS {
        let db = TestDatabase::new(backend).await;
        story(&db.store().await).await;
    }
}

#[tokio::test]
async fn retention_deletes_expired_records_except_under_legal_hold() {
    for backend in BACKENDS {
        let db = TestDatabase::new(backend).await;
        let store = db.store().await;
        let keys = Keyring::ephemeral();
        let north = store.create_org("northmoor", "Northmoor").await.unwrap();
        let details = |name: &str| ListDetails {
            name: name.into(),
            purpose: "Welfare calls".into(),
            source: None,
            incident: None,
        };
        let held = store
            .activate_people_list(north.id, &details("Held"), &hub())
            .await
            .unwrap();
        let open = store
            .activate_people_list(north.id, &details("Open"), &hub())
            .await
            .unwrap();
        store
            .set_legal_hold(north.id, held, true, &hub())
            .await
            .unwrap();
        for (expires, list) in [
            ("2026-01-01", Some(held)),
            ("2026-01-01", Some(open)),
            ("2026-01-01", None),
            ("2026-06-30", None),
            ("2026-07-01", Some(open)),
        ] {
            store
                .create_person(
                    north.id,
                    &person(NAME, POSTCODE, expires, list),
                    &keys,
                    &hub(),
                )
                .await
                .unwrap();
        }
        let done = store
            .run_retention(day("2026-07-01"), &hub())
            .await
            .unwrap();
        assert_eq!((done.deleted, done.held), (3, 1), "{backend:?}");
        let left = store
            .find_people(
                north.id,
                &PeopleQuery {
                    list: None,
                    areas: &[PostcodeArea::parse(POSTCODE).unwrap()],
                    relies_on: &[],
                },
                "check",
                &keys,
                &hub(),
            )
            .await
            .unwrap();
        assert_eq!(left.iter().map(|p| p.id).collect::<Vec<_>>(), vec![1, 5]);
        let deletions = store
            .audit(north.id, 100, None)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.action == "delete" && e.entity == "person")
            .count();
        assert_eq!(deletions, 3, "every deletion is in the audit trail");
        // Lifting the hold lets the next run delete the rest.
        store
            .set_legal_hold(north.id, held, false, &hub())
            .await
            .unwrap();
        let again = store
            .run_retention(day("2026-07-01"), &hub())
            .await
            .unwrap();
        assert_eq!((again.deleted, again.held), (1, 0));
    }
}

/// Every text value of every table, as the database returns it.
pub async fn every_value(db: &TestDatabase, backend: Backend) -> String {
    let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
    let tables: Vec<String> = match backend {
        Backend::Sqlite => sqlx::query("SELECT name FROM sqlite_master WHERE type = 'table'"),
        Backend::Postgres => sqlx::query(
            "SELECT CAST(table_name AS TEXT) AS name FROM information_schema.tables WHERE table_schema = 'public'",
        ),
    }
    .fetch_all(&pool)
    .await
    .unwrap()
    .iter()
    .map(|r| r.get::<String, _>("name"))
    // sqlx's own bookkeeping, whose times the Any driver cannot read.
    .filter(|t| !t.starts_with("_sqlx"))
    .collect();
    let mut all = String::new();
    for table in tables {
        let sql = match backend {
            Backend::Sqlite => format!("SELECT * FROM \"{table}\""),
            Backend::Postgres => format!("SELECT CAST(t AS TEXT) AS row FROM \"{table}\" t"),
        };
        for row in sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&pool)
            .await
            .unwrap()
        {
            for i in 0..sqlx::Row::len(&row) {
                if let Ok(Some(text)) = row.try_get::<Option<String>, _>(i) {
                    all.push_str(&text);
                    all.push('\n');
                }
            }
        }
    }
    pool.close().await;
    all
}

/// The bytes of the database's own files, where this machine can read them: the SQLite file
/// and its write-ahead log, or the PostgreSQL database's folder and the server's log of
/// changes (after a checkpoint). `None` when the files are elsewhere.
pub async fn database_files(db: &TestDatabase, backend: Backend) -> Option<Vec<u8>> {
    let mut bytes = Vec::new();
    match backend {
        Backend::Sqlite => {
            let path = db.url.trim_start_matches("sqlite://");
            for file in [path.to_string(), format!("{path}-wal")] {
                if let Ok(b) = std::fs::read(file) {
                    bytes.extend(b);
                }
            }
        }
        Backend::Postgres => {
            let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
            let data: String = sqlx::query("SELECT current_setting('data_directory') AS d")
                .fetch_one(&pool)
                .await
                .ok()?
                .get("d");
            let oid: String = sqlx::query(
                "SELECT CAST(oid AS TEXT) AS o FROM pg_database WHERE datname = current_database()",
            )
            .fetch_one(&pool)
            .await
            .unwrap()
            .get("o");
            sqlx::query("CHECKPOINT").execute(&pool).await.ok()?;
            pool.close().await;
            let base = std::path::Path::new(&data).join("base").join(oid);
            if !base.is_dir() {
                return None;
            }
            for file in walk(&base)
                .into_iter()
                .chain(walk(&std::path::Path::new(&data).join("pg_wal")))
            {
                if let Ok(b) = std::fs::read(&file) {
                    bytes.extend(b);
                }
            }
        }
    }
    Some(bytes)
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let path = e.path();
            if path.is_dir() {
                files.extend(walk(&path));
            } else {
                files.push(path);
            }
        }
    }
    files
}

fn leaks(haystack: &[u8]) -> Vec<&'static str> {
    [
        NAME,
        ADDRESS,
        PHONE,
        NEED,
        POSTCODE,
        "NM97QZ",
        "Zebedee",
        "Xylophone",
        "Zygomatic",
    ]
    .into_iter()
    .filter(|needle| {
        haystack
            .windows(needle.len())
            .any(|w| w == needle.as_bytes())
    })
    .collect()
}

#[tokio::test]
async fn no_personal_data_in_plain_text_in_the_database_its_files_or_its_backups() {
    for backend in BACKENDS {
        let db = TestDatabase::new(backend).await;
        let store = db.store().await;
        let keys = Keyring::ephemeral();
        let north = store.create_org("northmoor", "Northmoor").await.unwrap();
        fill(&store, north.id, &keys).await;
        let p = store
            .read_person(north.id, 1, "welfare call", &keys, &hub())
            .await
            .unwrap();
        assert_eq!(p.details.name, NAME, "the record is there and opens");
        let values = every_value(&db, backend).await;
        assert!(values.contains("p1.1."), "sealed values are stored");
        assert_eq!(
            leaks(values.as_bytes()),
            Vec::<&str>::new(),
            "{backend:?}: table values"
        );
        let mut backup = Vec::new();
        store.backup(&mut backup).await.unwrap();
        assert_eq!(leaks(&backup), Vec::<&str>::new(), "{backend:?}: backup");
        match database_files(&db, backend).await {
            Some(files) => {
                assert!(files.len() > 10_000, "{backend:?}: the files were read");
                assert_eq!(
                    leaks(&files),
                    Vec::<&str>::new(),
                    "{backend:?}: database files"
                );
            }
            None => eprintln!(
                "{backend:?}: the database's files are not on this machine; checked its values only"
            ),
        }
    }
}

#[tokio::test]
async fn sealed_records_survive_a_backup_into_the_other_backend() {
    let source_db = TestDatabase::new(Backend::Sqlite).await;
    let source = source_db.store().await;
    let keys = Keyring::ephemeral();
    let north = source.create_org("northmoor", "Northmoor").await.unwrap();
    fill(&source, north.id, &keys).await;
    let mut backup = Vec::new();
    source.backup(&mut backup).await.unwrap();
    let target_db = TestDatabase::new(Backend::Postgres).await;
    let target = Store::connect_without_migrating(&target_db.url)
        .await
        .unwrap();
    target.restore(std::io::Cursor::new(backup)).await.unwrap();
    let north = target.org_by_slug("northmoor").await.unwrap().unwrap();
    let p = target
        .read_person(north.id, 1, "restored check", &keys, &hub())
        .await
        .unwrap();
    assert_eq!(
        (p.details.name.as_str(), p.details.postcode.as_str()),
        (NAME, POSTCODE)
    );
    let lists = target.people_lists(north.id).await.unwrap();
    assert!(lists[0].legal_hold && lists[0].people == 1);
}
