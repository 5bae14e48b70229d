//! The approved technology catalogue file: one per organisation, replaced and removed with
//! every change in the audit trail, on both backends.

use bulwark_store::{Actor, Store};
use bulwark_testkit::{BACKENDS, TestDatabase};

async fn catalogue_story(store: Store) {
    let north = store.create_org("northmoor", "Northmoor").await.unwrap();
    let south = store.create_org("southdale", "Southdale").await.unwrap();
    let who = Actor {
        user_id: None,
        label: "planner".into(),
    };
    assert_eq!(store.catalogue(north.id).await.unwrap(), None);
    store
        .set_catalogue(north.id, "catalogue.yaml", Some("categories: []\n"), &who)
        .await
        .unwrap();
    store
        .set_catalogue(
            north.id,
            "catalogue.json",
            Some("{\"categories\": []}"),
            &who,
        )
        .await
        .unwrap();
    let kept = store.catalogue(north.id).await.unwrap().unwrap();
    assert_eq!(kept.file_name, "catalogue.json");
    assert_eq!(kept.body, "{\"categories\": []}");
    assert_eq!(
        store.catalogue(south.id).await.unwrap(),
        None,
        "one per organisation"
    );
    store.set_catalogue(north.id, "", None, &who).await.unwrap();
    assert_eq!(store.catalogue(north.id).await.unwrap(), None);
    let audit = store.audit(north.id, 10, None).await.unwrap();
    let actions: Vec<&str> = audit
        .iter()
        .filter(|e| e.entity == "catalogue")
        .map(|e| e.action.as_str())
        .collect();
    assert_eq!(actions, ["delete", "update", "create"], "newest first");
    assert!(audit[1].after.as_deref().unwrap().contains("categories"));
    assert_eq!(audit[0].after, None);
}

#[tokio::test]
async fn a_catalogue_is_kept_per_organisation_and_audited_on_both_backends() {
    for backend in BACKENDS {
        let db = TestDatabase::new(backend).await;
        catalogue_story(db.store().await).await;
    }
}
