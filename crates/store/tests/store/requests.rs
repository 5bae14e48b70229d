//! The community hub on both backends: requests for help and volunteers sealed field by
//! field, duplicates found by keyed hashes, every read audited with its purpose, other
//! organisations kept out, assignment through to completion on a timeline, retention that
//! spares what is under legal hold, key rotation, and no requester's name in plain text in
//! the database's files.

use crate::day;
use crate::people::{database_files, every_value};
use bulwark_store::{
    Actor, Assignee, Category, Channel, DbsLevel, Keyring, NewRequest, NewVolunteer, RequestStatus,
    Requester, Store, StoreError, Urgency, VolunteerContact,
};
use bulwark_testkit::{BACKENDS, TestDatabase};

fn hub() -> Actor {
    Actor {
        user_id: None,
        label: "hub@example.org".into(),
    }
}

/// A requester's name distinctive enough that finding it in a file can only mean it leaked.
const NAME: &str = "Wilhelmina Quartermaine-Oxbridge";
const ADDRESS: &str = "Flat 9 Zanzibar Mews";
const DETAILS: &str = "Needs insulin collected from Pharmacy Xenophon";
const NOTE: &str = "Spoke to her daughter Yolanda Featherstonehaugh";
const VOLUNTEER: &str = "Bartholomew Vandersloot";

fn request(name: &str, phone: Option<&str>, expires: &str) -> NewRequest {
    NewRequest {
        requester: Requester {
            name: name.into(),
            address: ADDRESS.into(),
            postcode: "NM4 2QD".into(),
            phone: phone.map(String::from),
            details: DETAILS.into(),
        },
        channel: Channel::Public,
        category: Category::Medicine,
        urgency: Urgency::Today,
        incident: None,
        expires_on: day(expires),
    }
}

fn volunteer(name: &str, postcode: &str, skills: Vec<Category>, available: bool) -> NewVolunteer {
    NewVolunteer {
        contact: VolunteerContact {
            name: name.into(),
            phone: Some("07700 900 555".into()),
            email: Some("helper@example.org".into()),
            postcode: postcode.into(),
        },
        skills,
        dbs_level: DbsLevel::Enhanced,
        dbs_expires_on: Some(day("2027-06-30")),
        available,
        availability: "Weekday mornings".into(),
    }
}

/// A volunteer, a request assigned to them with a note, and hours logged, in `org` (for the
/// backup fixture and the plain-text check).
pub async fn fill(store: &Store, org: i64, keys: &Keyring) {
    let v = store
        .create_volunteer(
            org,
            &volunteer(VOLUNTEER, "NM4 2QA", vec![Category::Medicine], true),
            keys,
            &hub(),
        )
        .await
        .unwrap();
    let (r, _) = store
        .create_help_request(
            org,
            &request(NAME, Some("01632 960 417"), "2027-06-01"),
            keys,
            &hub(),
        )
        .await
        .unwrap();
    let to = Assignee::Volunteer { volunteer: v };
    store
        .assign_help_request(org, r, &to, Some(NOTE), keys, &hub())
        .await
        .unwrap();
    store
        .log_volunteer_hours(org, v, day("2026-11-30"), 90, Some(r), &hub())
        .await
        .unwrap();
}

async fn story(store: &Store) {
    let keys = Keyring::ephemeral();
    let north = store.create_org("northmoor", "Northmoor").await.unwrap().id;
    let south = store.create_org("southdale", "Southdale").await.unwrap().id;
    let v1 = store
        .create_volunteer(
            north,
            &volunteer(
                VOLUNTEER,
                "NM4 9ZZ",
                vec![Category::Medicine, Category::Food],
                true,
            ),
            &keys,
            &hub(),
        )
        .await
        .unwrap();
    let v2 = store
        .create_volunteer(
            north,
            &volunteer("Far Away", "NM7 1AA", vec![Category::Medicine], true),
            &keys,
            &hub(),
        )
        .await
        .unwrap();
    store
        .create_volunteer(
            north,
            &volunteer("Resting", "NM4 2QA", vec![Category::Medicine], false),
            &keys,
            &hub(),
        )
        .await
        .unwrap();
    store
        .create_volunteer(
            north,
            &volunteer("Driver", "NM4 2QA", vec![Category::Transport], true),
            &keys,
            &hub(),
        )
        .await
        .unwrap();

    // Duplicates: the same phone written another way, the same person in other spelling.
    let (a, dups) = store
        .create_help_request(
            north,
            &request(NAME, Some("01632 960 417"), "2027-06-01"),
            &keys,
            &hub(),
        )
        .await
        .unwrap();
    assert!(dups.is_empty());
    let (b, dups) = store
        .create_help_request(
            north,
            &request("Someone Else", Some("+44 1632 960417"), "2027-06-01"),
            &keys,
            &hub(),
        )
        .await
        .unwrap();
    assert_eq!(dups.len(), 1);
    assert_eq!(
        (dups[0].id, dups[0].same.as_slice()),
        (a, &["address", "phone"][..])
    );
    let (c, dups) = store
        .create_help_request(
            north,
            &request("  wilhelmina quartermaine oxbridge ", None, "2027-06-01"),
            &keys,
            &hub(),
        )
        .await
        .unwrap();
    assert_eq!(dups.iter().map(|d| d.id).collect::<Vec<_>>(), vec![a, b]);
    assert!(dups[0].same.contains(&"person"));
    // South's identical request is not a duplicate of north's, nor are north's visible to it.
    let (s1, dups) = store
        .create_help_request(
            south,
            &request(NAME, Some("01632 960 417"), "2027-06-01"),
            &keys,
            &hub(),
        )
        .await
        .unwrap();
    assert_eq!(s1, 1);
    assert!(dups.is_empty());
    assert_eq!(store.help_requests(south).await.unwrap().len(), 1);
    let e = store
        .read_help_request(south, c, "welfare call", &keys, &hub())
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::NotFound), "{e}");

    // The list holds no personal data.
    let list = store.help_requests(north).await.unwrap();
    assert_eq!(list.len(), 3);
    assert_eq!(
        list.iter().find(|r| r.id == a).unwrap().duplicates,
        vec![b, c]
    );
    let text = serde_json::to_string(&list).unwrap();
    assert!(
        !text.contains("Wilhelmina") && !text.contains("Zanzibar") && !text.contains("960 417"),
        "{text}"
    );

    // Matching: available volunteers who help with medicine, the same district first.
    let found = store
        .volunteer_matches(north, a, "arranging a collection", &keys, &hub())
        .await
        .unwrap();
    let matched: Vec<(i64, bool)> = found
        .iter()
        .map(|m| (m.volunteer.id, m.same_district))
        .collect();
    assert_eq!(matched, vec![(v1, true), (v2, false)]);
    assert_eq!(found[0].volunteer.contact.name, VOLUNTEER);

    // Assign, contact, complete; the timeline keeps notes sealed and opens them on reading.
    let e = store
        .assign_help_request(
            north,
            a,
            &Assignee::Volunteer { volunteer: 99 },
            None,
            &keys,
            &hub(),
        )
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::NotFound));
    store
        .assign_help_request(
            north,
            a,
            &Assignee::Volunteer { volunteer: v1 },
            Some(NOTE),
            &keys,
            &hub(),
        )
        .await
        .unwrap();
    let before = store.help_request_summary(north, a).await.unwrap().unwrap();
    assert_eq!(
        (before.status, before.first_contact_at),
        (RequestStatus::Assigned, None)
    );
    store
        .update_help_request(
            north,
            a,
            RequestStatus::Contacted,
            Some("Called, collecting at 3pm"),
            &keys,
            &hub(),
        )
        .await
        .unwrap();
    store
        .update_help_request(north, a, RequestStatus::Completed, None, &keys, &hub())
        .await
        .unwrap();
    let after = store.help_request_summary(north, a).await.unwrap().unwrap();
    assert_eq!(after.status, RequestStatus::Completed);
    assert!(after.first_contact_at.is_some() && after.closed_at.is_some());
    store
        .assign_help_request(
            north,
            b,
            &Assignee::Team {
                name: "Adult social care".into(),
            },
            None,
            &keys,
            &hub(),
        )
        .await
        .unwrap();
    store
        .update_help_request(
            north,
            c,
            RequestStatus::Closed,
            Some("Duplicate of HR-0001"),
            &keys,
            &hub(),
        )
        .await
        .unwrap();
    let closed = store.help_request_summary(north, c).await.unwrap().unwrap();
    assert_eq!(
        (closed.first_contact_at, closed.closed_at.is_some()),
        (None, true),
        "closing is not contact"
    );

    let r = store
        .read_help_request(north, a, "checking the delivery", &keys, &hub())
        .await
        .unwrap();
    assert_eq!(
        (r.requester.name.as_str(), r.requester.details.as_str()),
        (NAME, DETAILS)
    );
    assert_eq!(r.requester.postcode, "NM4 2QD");
    let kinds: Vec<&str> = r.timeline.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, vec!["received", "assigned", "status", "status"]);
    assert_eq!(r.timeline[1].assignee.as_deref(), Some("Volunteer 1"));
    assert_eq!(r.timeline[1].note.as_deref(), Some(NOTE));
    assert_eq!(r.duplicate_of.len(), 2);

    // Volunteers: hours and open assignments.
    store
        .log_volunteer_hours(north, v1, day("2026-11-30"), 90, Some(a), &hub())
        .await
        .unwrap();
    let e = store
        .log_volunteer_hours(north, v1, day("2026-11-30"), 30, Some(s1 + 50), &hub())
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::NotFound), "a request of nobody's");
    store
        .assign_help_request(
            north,
            b,
            &Assignee::Volunteer { volunteer: v2 },
            None,
            &keys,
            &hub(),
        )
        .await
        .unwrap();
    store
        .set_volunteer_availability(north, v2, false, "On holiday", &hub())
        .await
        .unwrap();
    let vs = store
        .volunteers(north, "weekly rota", &keys, &hub())
        .await
        .unwrap();
    assert_eq!(vs.len(), 4);
    assert_eq!(
        (vs[0].minutes, vs[0].assignments.clone()),
        (90, vec![]),
        "request a is completed"
    );
    assert_eq!(
        (vs[1].assignments.clone(), vs[1].available),
        (vec![b], false)
    );
    assert!(
        store
            .volunteers(south, "rota", &keys, &hub())
            .await
            .unwrap()
            .is_empty()
    );

    // Every read is audited with its purpose; the audit trail holds no personal data.
    let audit = store.audit(north, 200, None).await.unwrap();
    let reads = |entity: &str| {
        audit
            .iter()
            .filter(|e| e.action == "read" && e.entity == entity)
            .count()
    };
    assert_eq!(reads("help-request"), 1);
    assert_eq!(reads("volunteer"), 2 + 4, "two matched, four on the rota");
    assert!(audit.iter().any(|e| {
        e.after
            .as_deref()
            .is_some_and(|a| a.contains("checking the delivery"))
    }));
    for e in &audit {
        let text = format!("{:?} {:?}", e.before, e.after);
        for secret in [
            "Wilhelmina",
            "Zanzibar",
            "Xenophon",
            "Yolanda",
            "Bartholomew",
            "NM4",
            "07700",
        ] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
    }
}

#[tokio::test]
async fn requests_are_sealed_deduplicated_assigned_and_closed_on_both_backends() {
    for backend in BACKENDS {
        let db = TestDatabase::new(backend).await;
        story(&db.store().await).await;
    }
}

#[tokio::test]
async fn retention_deletes_expired_requests_except_under_legal_hold() {
    for backend in BACKENDS {
        let db = TestDatabase::new(backend).await;
        let store = db.store().await;
        let keys = Keyring::ephemeral();
        let north = store.create_org("northmoor", "Northmoor").await.unwrap();
        let south = store.create_org("southdale", "Southdale").await.unwrap();
        let incident = crate::incidents::sample_incident(&store, &north, &south).await;
        store
            .set_incident_legal_hold(north.id, incident, &hub(), true)
            .await
            .unwrap();
        let mut numbers = Vec::new();
        for (expires, incident) in [
            ("2026-01-01", None),
            ("2026-01-01", Some(incident.to_string())),
            ("2026-01-01", None),
            ("2026-12-01", None),
        ] {
            let r = NewRequest {
                incident,
                ..request(NAME, None, expires)
            };
            numbers.push(
                store
                    .create_help_request(north.id, &r, &keys, &hub())
                    .await
                    .unwrap()
                    .0,
            );
        }
        store
            .set_request_legal_hold(north.id, numbers[2], true, &hub())
            .await
            .unwrap();
        store
            .update_help_request(
                north.id,
                numbers[0],
                RequestStatus::Closed,
                Some("No longer needed"),
                &keys,
                &hub(),
            )
            .await
            .unwrap();
        let done = store
            .run_retention(day("2026-07-01"), &hub())
            .await
            .unwrap();
        assert_eq!(
            (done.requests.deleted, done.requests.held),
            (1, 2),
            "{backend:?}"
        );
        assert_eq!((done.deleted, done.held), (0, 0), "no person records");
        let left: Vec<i64> = store
            .help_requests(north.id)
            .await
            .unwrap()
            .iter()
            .map(|r| r.id)
            .collect();
        let mut left = left;
        left.sort_unstable();
        assert_eq!(left, numbers[1..].to_vec());
        let deletions = store
            .audit(north.id, 100, None)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.action == "delete" && e.entity == "help-request")
            .count();
        assert_eq!(deletions, 1);
        store
            .set_request_legal_hold(north.id, numbers[2], false, &hub())
            .await
            .unwrap();
        let again = store
            .run_retention(day("2026-07-01"), &hub())
            .await
            .unwrap();
        assert_eq!((again.requests.deleted, again.requests.held), (1, 1));
    }
}

#[tokio::test]
async fn rotated_keys_reseal_requests_and_volunteers_and_duplicates_are_still_found() {
    for backend in BACKENDS {
        let db = TestDatabase::new(backend).await;
        let store = db.store().await;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("keys");
        let old = Keyring::load_or_create(&file).unwrap();
        let north = store.create_org("northmoor", "Northmoor").await.unwrap().id;
        fill(&store, north, &old).await;
        Keyring::add_key(&file).unwrap();
        let both = Keyring::load(&file).unwrap();
        assert_eq!(store.rekey_community(&both).await.unwrap(), (1, 1));
        let text = std::fs::read_to_string(&file).unwrap();
        let newest: String = text
            .lines()
            .filter(|l| !l.starts_with("1 "))
            .collect::<Vec<_>>()
            .join("\n");
        let newest = Keyring::parse(&newest, "test").unwrap();
        let r = store
            .read_help_request(north, 1, "after rekey", &newest, &hub())
            .await
            .unwrap();
        assert_eq!(
            (r.requester.name.as_str(), r.timeline[1].note.as_deref()),
            (NAME, Some(NOTE))
        );
        let vs = store
            .volunteers(north, "after rekey", &newest, &hub())
            .await
            .unwrap();
        assert_eq!(vs[0].contact.name, VOLUNTEER);
        let (_, dups) = store
            .create_help_request(north, &request(NAME, None, "2027-06-01"), &newest, &hub())
            .await
            .unwrap();
        assert_eq!(
            dups.len(),
            1,
            "the new key's hashes match the re-hashed request"
        );
        let matched = store
            .volunteer_matches(north, 1, "matching", &newest, &hub())
            .await
            .unwrap();
        assert!(
            matched[0].same_district,
            "district hashes are re-hashed too"
        );
        assert!(
            store
                .read_help_request(north, 1, "old key", &old, &hub())
                .await
                .is_err()
        );
    }
}

#[tokio::test]
async fn no_requester_or_volunteer_appears_in_plain_text_in_the_database_or_its_files() {
    for backend in BACKENDS {
        let db = TestDatabase::new(backend).await;
        let store = db.store().await;
        let keys = Keyring::ephemeral();
        let north = store.create_org("northmoor", "Northmoor").await.unwrap().id;
        fill(&store, north, &keys).await;
        let r = store
            .read_help_request(north, 1, "leak check", &keys, &hub())
            .await
            .unwrap();
        assert_eq!(r.requester.name, NAME, "the request is there and opens");
        let secrets = [
            NAME,
            "Wilhelmina",
            "Quartermaine",
            ADDRESS,
            "Zanzibar",
            DETAILS,
            "Xenophon",
            NOTE,
            "Yolanda",
            VOLUNTEER,
            "Vandersloot",
            "01632 960 417",
            "helper@example.org",
        ];
        let leaks = |haystack: &[u8]| -> Vec<&str> {
            secrets
                .iter()
                .copied()
                .filter(|s| haystack.windows(s.len()).any(|w| w == s.as_bytes()))
                .collect()
        };
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
