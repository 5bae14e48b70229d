//! Community support through the API on both databases: hub coordinators add and read
//! person records (viewers and editors get 403, other organisations 404), every read is in
//! the audit trail with its purpose, and who is affected is found by postcode and by what
//! failed.

use super::App;
use bulwark_store::{Actor, Keyring, ListDetails, NewPerson, PersonDetails, Store};
use bulwark_testkit::BACKENDS;
use reqwest::Method;
use serde_json::{Value, json};

/// Gives `north` and `south` list 1 and person 1 on it, and request 1 and volunteer 1, so the
/// access matrix has records to reach by those ids.
pub async fn seed(store: &Store, keys: &Keyring) {
    let actor = Actor {
        user_id: None,
        label: "seed".into(),
    };
    for slug in ["north", "south"] {
        let org = store.org_by_slug(slug).await.unwrap().unwrap();
        let list = store
            .activate_people_list(
                org.id,
                &ListDetails {
                    name: "Seeded list".into(),
                    purpose: "Welfare calls".into(),
                    source: None,
                    incident: None,
                },
                &actor,
            )
            .await
            .unwrap();
        let person = NewPerson {
            details: PersonDetails {
                name: format!("Seeded person of {slug}"),
                address: "1 Test Street".into(),
                postcode: "NM1 1AA".into(),
                ..PersonDetails::default()
            },
            list: Some(list),
            source: "Adult social care".into(),
            lawful_basis: "6(1)(e)".into(),
            expires_on: super::day("2099-01-01"),
        };
        store
            .create_person(org.id, &person, keys, &actor)
            .await
            .unwrap();
        super::requests::seed(store, org.id, keys, &actor).await;
    }
}

fn in_a_year() -> String {
    (bulwark_web::exercises::today() + chrono::Duration::days(365)).to_string()
}

fn ada(list: i64) -> Value {
    json!({
        "name": "Ada Quillfeather",
        "address": "3 Mill Lane",
        "postcode": "nm2 7qz",
        "phone": "01632 960 111",
        "needs": ["Oxygen at home", "Electricity-dependent equipment"],
        "source": "Priority Services Register",
        "lawful_basis": "UK GDPR 6(1)(e) and 9(2)(g); DPA 2018 Sch 1 para 18",
        "expires_on": in_a_year(),
        "list": list,
        "relies_on": ["care"],
    })
}

#[tokio::test]
async fn hub_coordinators_add_and_read_people_and_every_read_is_audited() {
    for backend in BACKENDS {
        let app = App::start(backend).await;
        let post = |key: &'static str, path: &'static str, body: Value| {
            let app = &app;
            async move { app.send(key, Method::POST, path, Some(body)).await }
        };
        // The list of lists, then a list activated for an incident.
        let (status, source) = post(
            "north-coordinator",
            "/api/orgs/north/people-sources",
            json!({
                "name": "Priority Services Register", "holder": "Northern Power",
                "contents": "Customers who rely on electricity for health",
                "how_to_request": "Call the emergency line", "article6": "6(1)(e)",
                "article9": "9(2)(g)", "schedule1": "Part 2 para 18", "agreement": "DSA-7",
                "review_on": "2027-04-01", "triggers": "Power cut over 12 hours"
            }),
        )
        .await;
        assert_eq!(status, 201, "{source}");
        let (status, sources) = app
            .get("north-viewer", "/api/orgs/north/people-sources")
            .await;
        assert_eq!(
            status, 200,
            "viewers see the list of lists: it holds no personal data"
        );
        assert_eq!(sources["sources"][0]["holder"], "Northern Power");
        let (status, list) = post(
            "north-coordinator",
            "/api/orgs/north/people-lists",
            json!({"name": "Riverside flood", "purpose": "Welfare calls", "source": source["id"], "incident": "7"}),
        )
        .await;
        assert_eq!(status, 201, "{list}");
        let list = list["id"].as_i64().unwrap();

        // Adding: coordinators and administrators; viewers and editors may not.
        let (status, created) =
            post("north-coordinator", "/api/orgs/north/people", ada(list)).await;
        assert_eq!(status, 201, "{created}");
        let id = created["id"].as_i64().unwrap();
        for (key, want) in [
            ("north-viewer", 403),
            ("north-editor", 403),
            ("south-admin", 404),
        ] {
            let (status, _) = post(key, "/api/orgs/north/people", ada(list)).await;
            assert_eq!(status, want, "{key} adds");
        }
        let mut bad = ada(list);
        bad["postcode"] = json!("flooded");
        bad["expires_on"] = json!("2090-01-01");
        let (status, body) = post("north-coordinator", "/api/orgs/north/people", bad).await;
        assert_eq!(status, 422);
        let problems = body["problems"].to_string();
        assert!(
            problems.contains("postcode") && problems.contains("expires_on"),
            "{problems}"
        );

        // Reading: the contract's route, with and without a purpose.
        let path = format!("/api/orgs/north/people/{id}?purpose=welfare%20call%20in%20flood");
        let (status, person) = app.get("north-coordinator", &path).await;
        assert_eq!(status, 200, "{person}");
        assert_eq!(person["name"], "Ada Quillfeather");
        assert_eq!(person["postcode"], "NM2 7QZ");
        assert_eq!(person["needs"][1], "Electricity-dependent equipment");
        let (status, _) = app
            .get("north-admin", &format!("/api/orgs/north/people/{id}"))
            .await;
        assert_eq!(status, 200, "administrators read too");
        for (key, want) in [
            ("north-viewer", 403),
            ("north-editor", 403),
            ("south-admin", 404),
        ] {
            let (status, body) = app.get(key, &path).await;
            assert_eq!(status, want, "{key} reads");
            assert!(!body.to_string().contains("Ada"), "{key} sees nothing");
        }
        let (status, _) = app
            .get("north-coordinator", "/api/orgs/north/people/999")
            .await;
        assert_eq!(status, 404);
        let (_, audit) = app.get("north-admin", "/api/orgs/north/audit").await;
        let reads: Vec<&Value> = audit
            .as_array()
            .or_else(|| audit["entries"].as_array())
            .unwrap()
            .iter()
            .filter(|e| e["action"] == "read" && e["entity"] == "person")
            .collect();
        assert_eq!(reads.len(), 2, "both reads are in the audit trail: {audit}");
        assert!(
            reads
                .iter()
                .all(|e| e["entity_id"] == json!(id.to_string()))
        );
        let text = audit.to_string();
        assert!(text.contains("welfare call in flood") && text.contains("not given (API)"));
        assert!(
            !text.contains("Ada") && !text.contains("Mill Lane"),
            "no personal data in the audit"
        );

        // Who is affected: by postcode sector, and by a failed substation that takes home
        // care down (Ada relies on it).
        let (status, found) = post(
            "north-coordinator",
            "/api/orgs/north/people/affected",
            json!({"postcodes": ["NM2 7"], "purpose": "flood welfare calls"}),
        )
        .await;
        assert_eq!(status, 200, "{found}");
        assert_eq!(found["people"].as_array().unwrap().len(), 1);
        assert_eq!(found["people"][0]["phone"], "01632 960 111");
        let (status, found) = post(
            "north-coordinator",
            "/api/orgs/north/people/affected",
            json!({"fail": ["substation"], "purpose": "power cut welfare calls", "list": list}),
        )
        .await;
        assert_eq!(status, 200, "{found}");
        assert_eq!(found["people"][0]["name"], "Ada Quillfeather");
        assert!(found["lost"].as_array().unwrap().contains(&json!("care")));
        let (status, body) = post(
            "north-coordinator",
            "/api/orgs/north/people/affected",
            json!({"postcodes": ["somewhere"], "fail": ["nothing-here"], "purpose": "x"}),
        )
        .await;
        assert_eq!(status, 422);
        assert!(body["problems"].to_string().contains("purpose"), "{body}");

        // A record that has already expired is taken, and the next retention run deletes it
        // (the list is not under legal hold yet).
        let mut brief = ada(list);
        brief["expires_on"] =
            json!((bulwark_web::exercises::today() - chrono::Duration::days(1)).to_string());
        let (status, expired) = post("north-coordinator", "/api/orgs/north/people", brief).await;
        assert_eq!(status, 201, "{expired}");
        let actor = Actor {
            user_id: None,
            label: "retention".into(),
        };
        let done = app
            .store
            .run_retention(bulwark_web::exercises::today(), &actor)
            .await
            .unwrap();
        assert_eq!((done.deleted, done.held), (1, 0));
        let gone = format!("/api/orgs/north/people/{}", expired["id"]);
        assert_eq!(app.get("north-coordinator", &gone).await.0, 404);
        assert_eq!(
            app.get("north-coordinator", &format!("/api/orgs/north/people/{id}"))
                .await
                .0,
            200
        );

        // Legal hold: administrators only.
        let hold = json!({"legal_hold": true});
        let path = format!("/api/orgs/north/people-lists/{list}/legal-hold");
        let (status, _) = app
            .send("north-coordinator", Method::PUT, &path, Some(hold.clone()))
            .await;
        assert_eq!(status, 403);
        let (status, _) = app
            .send("north-admin", Method::PUT, &path, Some(hold))
            .await;
        assert_eq!(status, 200);
        let (_, lists) = app
            .get("north-coordinator", "/api/orgs/north/people-lists")
            .await;
        let ours = lists["lists"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["id"] == json!(list))
            .unwrap();
        assert_eq!(
            (ours["legal_hold"].clone(), ours["people"].clone()),
            (json!(true), json!(1))
        );
        assert_eq!(ours["incident"], "7");
    }
}

#[tokio::test]
async fn a_hub_coordinator_activates_a_list_adds_a_person_and_finds_them_in_a_browser() {
    use super::browser::{axe, fill, submit, text, visit};
    use fantoccini::Locator;
    let browser = bulwark_testkit::browser::Browser::start().await;
    let c = &browser.client;
    let app = App::start(bulwark_store::Backend::Sqlite).await;
    let mut violations = Vec::new();
    let mut check = async |page: &str, c: &fantoccini::Client| {
        for v in axe(c).await {
            violations.push(format!("{page}: {v}"));
        }
    };
    super::warnings::sign_in(c, &app, "coordinator@north.test").await;
    visit(c, &app, "/o/north").await;
    c.find(Locator::LinkText("Community support"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    check("community support", c).await;

    // The list of lists: a problem first, then a source.
    visit(c, &app, "/o/north/people/sources/new").await;
    submit(c, "main form").await;
    assert!(text(c).await.contains("Enter the dataset's name"));
    check("source form with errors", c).await;
    for (id, value) in [
        ("name", "Priority Services Register"),
        ("holder", "Northern Power Networks"),
        ("contents", "Customers who rely on electricity for health"),
        ("how_to_request", "Emergency line, any time"),
        ("article6", "6(1)(e) public task"),
        ("article9", "9(2)(g) substantial public interest"),
        ("review_on", "2027-04-01"),
        ("triggers", "Power cut over 12 hours"),
    ] {
        fill(c, id, value).await;
    }
    submit(c, "main form").await;
    let page = text(c).await;
    assert!(
        page.contains("Source added") && page.contains("Northern Power Networks"),
        "{page}"
    );
    check("list of lists", c).await;

    // Activate a list for an incident, add a person to it.
    visit(c, &app, "/o/north/people/lists/new").await;
    check("activate form", c).await;
    fill(c, "name", "Riverside flood").await;
    fill(c, "purpose", "Welfare calls in the flood area").await;
    fill(c, "incident", "4").await;
    submit(c, "main form").await;
    assert!(text(c).await.contains("List activated"));
    check("list", c).await;
    c.find(Locator::LinkText("Add a person"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    check("person form", c).await;
    fill(c, "name", "Edna Pemberton").await;
    fill(c, "address", "9 Weir Cottages").await;
    fill(c, "postcode", "not a postcode").await;
    c.find(Locator::Id("needs"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    fill(c, "source", "Priority Services Register").await;
    fill(c, "lawful_basis", "6(1)(e); 9(2)(g)").await;
    submit(c, "main form").await;
    assert!(text(c).await.contains("Enter a real postcode"));
    check("person form with errors", c).await;
    fill(c, "postcode", "nm4 2qd").await;
    submit(c, "main form").await;
    assert!(text(c).await.contains("Person added"));

    // Who is affected: the purpose is asked for first.
    fill(c, "postcodes", "NM4 2").await;
    submit(c, "main form").await;
    assert!(text(c).await.contains("Say why you need to see this"));
    check("search with errors", c).await;
    fill(c, "purpose", "welfare calls in the flood").await;
    submit(c, "main form").await;
    let page = text(c).await;
    assert!(
        page.contains("1 person to call") && page.contains("Oxygen at home"),
        "{page}"
    );
    check("who is affected", c).await;
    c.find(Locator::LinkText("Edna Pemberton"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert!(
        text(c)
            .await
            .contains("Why do you need to see this record?")
    );
    check("purpose prompt", c).await;
    fill(c, "purpose", "check her oxygen supply").await;
    submit(c, "main form").await;
    let page = text(c).await;
    assert!(
        page.contains("9 Weir Cottages") && page.contains("NM4 2QD"),
        "{page}"
    );
    check("person record", c).await;

    // A viewer sees the list of lists, not the lists or the people.
    super::warnings::sign_in(c, &app, "viewer@north.test").await;
    visit(c, &app, "/o/north/people").await;
    let page = text(c).await;
    assert!(page.contains("Priority Services Register") && !page.contains("Riverside flood"));
    check("community support for a viewer", c).await;
    visit(c, &app, "/o/north/people/2?purpose=curious").await;
    assert!(!text(c).await.contains("Edna"));
    assert!(
        violations.is_empty(),
        "accessibility violations:\n{}",
        violations.join("\n")
    );
    let (_, audit) = app.get("north-admin", "/api/orgs/north/audit").await;
    let text = audit.to_string();
    assert!(
        text.contains("welfare calls in the flood") && text.contains("check her oxygen supply")
    );
    assert!(
        !text.contains("Edna") && !text.contains("Weir"),
        "no personal data in the audit"
    );
}

#[tokio::test]
async fn without_its_keys_a_server_refuses_personal_data_and_says_why() {
    let app = App::start(bulwark_store::Backend::Sqlite).await;
    // A second server on the same database, started without a key file.
    let keyless = app.replica().await;
    let r = reqwest::Client::new()
        .get(format!(
            "{keyless}/api/orgs/north/people/1?purpose=welfare%20call"
        ))
        .bearer_auth(app.token("north-coordinator"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 503);
    let body: Value = r.json().await.unwrap();
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("--people-key-file"),
        "{body}"
    );
    let r = reqwest::Client::new()
        .post(format!("{keyless}/api/orgs/north/people"))
        .bearer_auth(app.token("north-coordinator"))
        .json(&ada(1))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 503, "nothing personal is stored without a key");
    // The list of lists holds no personal data and needs no key.
    let (status, _) = app
        .get("north-viewer", "/api/orgs/north/people-sources")
        .await;
    assert_eq!(status, 200);
}
