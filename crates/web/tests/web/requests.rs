//! The community hub end to end: a phone request and a public one (no sign-in, rate-limited
//! per address, with a robot trap), duplicates flagged, viewers and editors refused the
//! requester's details (403), other organisations 404, requests assigned to volunteers and
//! closed, and the first-contact figures on the requests page.

use super::{App, cookie_client, hidden, page_text};
use bulwark_store::{
    Actor, Category, Channel, DbsLevel, Keyring, NewRequest, NewVolunteer, Requester, Store,
    Urgency, VolunteerContact,
};
use bulwark_testkit::BACKENDS;
use bulwark_web::Settings;
use reqwest::Method;
use serde_json::{Value, json};

/// Gives `org` request 1 and volunteer 1 (whose DBS check has expired).
pub async fn seed(store: &Store, org: i64, keys: &Keyring, actor: &Actor) {
    let v = NewVolunteer {
        contact: VolunteerContact {
            name: "Seeded volunteer".into(),
            phone: Some("07700 900 001".into()),
            email: None,
            postcode: "NM1 1AB".into(),
        },
        skills: vec![Category::Food],
        dbs_level: DbsLevel::Basic,
        dbs_expires_on: Some(super::day("2020-01-01")),
        available: true,
        availability: String::new(),
    };
    store.create_volunteer(org, &v, keys, actor).await.unwrap();
    let r = NewRequest {
        requester: Requester {
            name: "Seeded requester".into(),
            address: "2 Test Street".into(),
            postcode: "NM1 1AA".into(),
            phone: None,
            details: "Food parcel".into(),
        },
        channel: Channel::Phone,
        category: Category::Food,
        urgency: Urgency::ThreeDays,
        incident: None,
        expires_on: super::day("2099-01-01"),
    };
    store
        .create_help_request(org, &r, keys, actor)
        .await
        .unwrap();
}

fn edna() -> Value {
    json!({
        "name": "Edna Quillfeather",
        "address": "9 Weir Cottages",
        "postcode": "nm4 2qd",
        "phone": "01632 960 222",
        "details": "No heating since the power cut; lives alone",
        "category": "energy",
        "urgency": "today",
    })
}

#[tokio::test]
async fn a_hub_takes_requests_matches_volunteers_and_closes_them_through_the_api() {
    for backend in BACKENDS {
        let app = App::start(backend).await;
        let send = |key: &'static str, method: Method, path: String, body: Option<Value>| {
            let app = &app;
            async move { app.send(key, method, &path, body).await }
        };
        // A phone handler (an editor) records a request; viewers may not, nor other councils.
        let (status, created) = send(
            "north-editor",
            Method::POST,
            "/api/orgs/north/requests".into(),
            Some(edna()),
        )
        .await;
        assert_eq!(status, 201, "{created}");
        let id = created["id"].as_i64().unwrap();
        assert_eq!(created["reference"], format!("HR-{id:04}"));
        assert_eq!(created["duplicates"], json!([]));
        for (key, want) in [("north-viewer", 403), ("south-admin", 404)] {
            let (status, _) = send(
                key,
                Method::POST,
                "/api/orgs/north/requests".into(),
                Some(edna()),
            )
            .await;
            assert_eq!(status, want, "{key} records");
        }
        let (status, body) = send(
            "north-editor",
            Method::POST,
            "/api/orgs/north/requests".into(),
            Some(json!({"name": "x"})),
        )
        .await;
        assert_eq!(status, 422);
        assert!(body["problems"].to_string().contains("urgency"), "{body}");
        // The same phone number again, written differently: a possible duplicate.
        let mut again = edna();
        again["name"] = json!("E. Quillfeather");
        again["phone"] = json!("+44 1632 960222");
        again["address"] = json!("Weir Cottages, number 9");
        let (status, dup) = send(
            "north-coordinator",
            Method::POST,
            "/api/orgs/north/requests".into(),
            Some(again),
        )
        .await;
        assert_eq!(status, 201);
        assert_eq!(dup["duplicates"][0]["id"], json!(id));
        assert_eq!(dup["duplicates"][0]["same"], json!(["phone"]));

        // Every member sees the list, without personal data.
        let (status, list) = app.get("north-viewer", "/api/orgs/north/requests").await;
        assert_eq!(status, 200);
        let text = list.to_string();
        assert!(
            !text.contains("Edna") && !text.contains("Weir") && !text.contains("960 222"),
            "{text}"
        );
        let ours = list["requests"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == json!(id))
            .unwrap();
        assert_eq!(
            (ours["urgency"].clone(), ours["category"].clone()),
            (json!("today"), json!("energy"))
        );
        assert_eq!(ours["duplicates"], json!([dup["id"]]));

        // The requester's details: hub coordinators and administrators only.
        let path = format!("/api/orgs/north/requests/{id}?purpose=arranging%20heaters");
        for (key, want) in [
            ("north-viewer", 403),
            ("north-editor", 403),
            ("south-admin", 404),
        ] {
            let (status, body) = app.get(key, &path).await;
            assert_eq!(status, want, "{key} reads");
            assert!(!body.to_string().contains("Edna"), "{key} sees nothing");
        }
        let (status, r) = app.get("north-coordinator", &path).await;
        assert_eq!(status, 200, "{r}");
        assert_eq!(r["requester"]["name"], "Edna Quillfeather");
        assert_eq!(r["requester"]["postcode"], "NM4 2QD");
        assert_eq!(r["timeline"][0]["kind"], "received");

        // A volunteer who helps with energy in the same district is offered first.
        let volunteer = |name: &str, postcode: &str| {
            json!({
                "name": name, "phone": "07700 900 321", "postcode": postcode, "skills": ["energy", "food"],
                "dbs_level": "enhanced", "dbs_expires_on": "2099-01-01",
            })
        };
        let (status, _) = send(
            "north-viewer",
            Method::POST,
            "/api/orgs/north/volunteers".into(),
            Some(volunteer("V", "NM4 2AA")),
        )
        .await;
        assert_eq!(status, 403);
        let (status, far) = send(
            "north-coordinator",
            Method::POST,
            "/api/orgs/north/volunteers".into(),
            Some(volunteer("Far Helper", "NM9 1AA")),
        )
        .await;
        assert_eq!(status, 201, "{far}");
        let (_, near) = send(
            "north-coordinator",
            Method::POST,
            "/api/orgs/north/volunteers".into(),
            Some(volunteer("Near Helper", "NM4 5ZZ")),
        )
        .await;
        let (status, matches) = app
            .get(
                "north-coordinator",
                &format!(
                    "/api/orgs/north/requests/{id}/volunteers?purpose=finding%20a%20volunteer"
                ),
            )
            .await;
        assert_eq!(status, 200, "{matches}");
        let names: Vec<&str> = matches["volunteers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            vec!["Near Helper", "Far Helper"],
            "same district first; the seeded one helps with food only"
        );
        assert_eq!(matches["volunteers"][0]["same_district"], json!(true));

        // Assign, contact, complete.
        let assign = format!("/api/orgs/north/requests/{id}/assign");
        let body = json!({"kind": "volunteer", "volunteer": near["id"], "note": "Near Helper has two heaters"});
        let (status, _) = send(
            "north-editor",
            Method::POST,
            assign.clone(),
            Some(body.clone()),
        )
        .await;
        assert_eq!(status, 403, "editors take calls, coordinators assign");
        let (status, _) = send(
            "north-coordinator",
            Method::POST,
            assign.clone(),
            Some(json!({"kind": "volunteer", "volunteer": 999})),
        )
        .await;
        assert_eq!(status, 422);
        let (status, done) = send("north-coordinator", Method::POST, assign, Some(body)).await;
        assert_eq!(status, 200, "{done}");
        let status_path = format!("/api/orgs/north/requests/{id}/status");
        let (status, _) = send(
            "north-coordinator",
            Method::POST,
            status_path.clone(),
            Some(json!({"status": "closed"})),
        )
        .await;
        assert_eq!(status, 422, "closing without help needs a reason");
        for step in ["contacted", "completed"] {
            let (status, body) = send(
                "north-coordinator",
                Method::POST,
                status_path.clone(),
                Some(json!({"status": step, "note": format!("{step} today")})),
            )
            .await;
            assert_eq!(status, 200, "{body}");
        }
        let dup_path = format!("/api/orgs/north/requests/{}/status", dup["id"]);
        let (status, _) = send(
            "north-coordinator",
            Method::POST,
            dup_path,
            Some(json!({"status": "closed", "note": "Duplicate"})),
        )
        .await;
        assert_eq!(status, 200);
        let (_, list) = app.get("north-viewer", "/api/orgs/north/requests").await;
        let f = &list["figures"];
        assert_eq!(
            (
                f["contacted"].clone(),
                f["within_target"].clone(),
                f["percent_within_target"].clone()
            ),
            (json!(1), json!(1), json!(100)),
            "{f}"
        );
        assert!(f["median_seconds_to_first_contact"].as_i64().unwrap() < 60);
        let (_, r) = app
            .get("north-admin", &format!("/api/orgs/north/requests/{id}"))
            .await;
        let kinds: Vec<&str> = r["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, vec!["received", "assigned", "status", "status"]);
        assert_eq!(r["timeline"][1]["note"], "Near Helper has two heaters");

        // Hours; the volunteer's assignment is finished.
        let hours = format!("/api/orgs/north/volunteers/{}/hours", near["id"]);
        let (status, _) = send(
            "north-coordinator",
            Method::POST,
            hours.clone(),
            Some(json!({"hours": 1.5, "worked_on": "2026-11-01", "request": id})),
        )
        .await;
        assert_eq!(status, 200);
        let (status, _) = send(
            "north-coordinator",
            Method::POST,
            hours,
            Some(json!({"hours": 1, "worked_on": "2026-11-01", "request": 9999})),
        )
        .await;
        assert_eq!(status, 422);
        let (status, vs) = app
            .get(
                "north-coordinator",
                "/api/orgs/north/volunteers?purpose=monthly%20report",
            )
            .await;
        assert_eq!(status, 200);
        let v = vs["volunteers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["id"] == near["id"])
            .unwrap();
        assert_eq!(
            (v["minutes"].clone(), v["assignments"].clone()),
            (json!(90), json!([]))
        );
        assert_eq!(
            app.get("south-admin", "/api/orgs/north/volunteers").await.0,
            404
        );

        // The audit trail has every read with its purpose, and no personal data.
        let (_, audit) = app.get("north-admin", "/api/orgs/north/audit").await;
        let text = audit.to_string();
        assert!(
            text.contains("arranging heaters")
                && text.contains("finding a volunteer")
                && text.contains("monthly report")
        );
        for secret in ["Edna", "Weir", "960 222", "Near Helper", "two heaters"] {
            assert!(!text.contains(secret), "{secret} in the audit trail");
        }
    }
}

/// Posts the public form of `org` with `fields` through `client` (which first opens the form
/// for its token), optionally as if from `address` (behind a proxy).
async fn post_public(
    app: &App,
    client: &reqwest::Client,
    fields: &[(&str, &str)],
    address: Option<&str>,
) -> reqwest::Response {
    let page = page_text(client, format!("{}/help/north", app.base)).await;
    let csrf = hidden(&page, "csrf");
    let mut form: Vec<(&str, &str)> = fields.to_vec();
    form.push(("csrf", &csrf));
    let mut req = client.post(format!("{}/help/north", app.base)).form(&form);
    if let Some(a) = address {
        req = req.header("x-forwarded-for", a);
    }
    req.send().await.unwrap()
}

const PUBLIC: [(&str, &str); 7] = [
    ("name", "Olive Pennywhistle"),
    ("address", "14 Orchard Row"),
    ("postcode", "NM4 3AB"),
    ("phone", ""),
    (
        "details",
        "Cannot get to the shops while the bridge is closed",
    ),
    ("category", "food"),
    ("urgency", "three-days"),
];

#[tokio::test]
async fn the_public_form_needs_no_sign_in_gives_a_reference_and_is_rate_limited() {
    let settings = Settings {
        public_requests_per_hour: 2,
        behind_proxy: true,
        ..Settings::default()
    };
    let app = App::start_with(bulwark_store::Backend::Sqlite, settings).await;
    let before = app
        .store
        .help_requests(app.store.org_by_slug("north").await.unwrap().unwrap().id)
        .await
        .unwrap()
        .len();
    let anonymous = cookie_client();
    let page = page_text(&anonymous, format!("{}/help/north", app.base)).await;
    assert!(
        page.contains("Ask for help")
            && page.contains("call 999")
            && page.contains("How soon is help needed?")
    );
    assert!(
        page.contains("Someone is at risk without help today"),
        "plain definitions of urgency"
    );

    // Problems are shown beside their fields, and nothing is stored.
    let r = post_public(&app, &anonymous, &[("name", "Olive")], Some("198.51.100.1")).await;
    assert_eq!(r.status(), 422);
    let text = r.text().await.unwrap();
    assert!(
        text.contains("There is a problem")
            && text.contains("Enter the address where help is needed"),
        "{text}"
    );

    // A valid request: redirected to a confirmation with the reference.
    let r = post_public(&app, &anonymous, &PUBLIC, Some("198.51.100.1")).await;
    assert_eq!(r.status(), 303);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    let n = before as i64 + 1;
    assert_eq!(to, format!("/help/north/sent?reference={n}"));
    let sent = page_text(&anonymous, format!("{}{to}", app.base)).await;
    assert!(
        sent.contains("Request sent") && sent.contains(&format!("HR-{n:04}")),
        "{sent}"
    );
    assert!(!sent.contains("Olive"), "nothing sent is shown back");
    let north = app.store.org_by_slug("north").await.unwrap().unwrap();
    let list = app.store.help_requests(north.id).await.unwrap();
    let stored = list.iter().find(|r| r.id == n).unwrap();
    assert_eq!(
        (stored.channel, stored.urgency),
        (Channel::Public, Urgency::ThreeDays)
    );

    // Without the form's token, or from another site, nothing is taken.
    let r = reqwest::Client::new()
        .post(format!("{}/help/north", app.base))
        .form(&PUBLIC)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let r = anonymous
        .post(format!("{}/help/north", app.base))
        .header("origin", "https://evil.example")
        .form(&PUBLIC)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);

    // A robot that fills in the hidden field is thanked, and nothing is stored.
    let mut robot = PUBLIC.to_vec();
    robot.push(("website", "http://spam.example"));
    let r = post_public(&app, &anonymous, &robot, Some("198.51.100.9")).await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/help/north/sent?reference=0");
    assert_eq!(
        app.store.help_requests(north.id).await.unwrap().len(),
        before + 1
    );

    // The second request from the same address is taken; the third is refused for an hour,
    // while another address is still served.
    let r = post_public(&app, &anonymous, &PUBLIC, Some("198.51.100.1")).await;
    assert_eq!(r.status(), 303);
    let r = post_public(&app, &anonymous, &PUBLIC, Some("198.51.100.1")).await;
    assert_eq!(r.status(), 429);
    let text = r.text().await.unwrap();
    assert!(
        text.contains("Too many requests have been sent from here") && text.contains("call 999"),
        "{text}"
    );
    let r = post_public(&app, &cookie_client(), &PUBLIC, Some("198.51.100.2")).await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        app.store.help_requests(north.id).await.unwrap().len(),
        before + 3
    );
    // The repeated requests are flagged as possible duplicates of the first.
    let first = app
        .store
        .help_request_summary(north.id, n)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.duplicates.len(), 2);

    // An unknown council has no form.
    let r = anonymous
        .get(format!("{}/help/nowhere", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn pages_take_a_phone_request_flag_duplicates_assign_and_close_it() {
    let app = App::start(bulwark_store::Backend::Sqlite).await;
    let (editor, csrf) = app.browser_client("north-editor").await;
    let phone = |name: &'static str| {
        let csrf = csrf.clone();
        let editor = editor.clone();
        let base = app.base.clone();
        async move {
            editor
                .post(format!("{base}/o/north/requests/new"))
                .form(&[
                    ("csrf", csrf.as_str()),
                    ("name", name),
                    ("address", "3 Mill Lane"),
                    ("postcode", "NM2 7QZ"),
                    ("phone", "01632 960 333"),
                    ("details", "Prescription to collect"),
                    ("category", "medicine"),
                    ("urgency", "today"),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    let r = phone("Ivor Bramblethorpe").await;
    assert_eq!(r.status(), 303);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    let first: i64 = to.rsplit('=').next().unwrap().parse().unwrap();
    let page = page_text(&editor, format!("{}{to}", app.base)).await;
    assert!(
        page.contains(&format!("Request HR-{first:04} taken")),
        "{page}"
    );
    let r = phone("Ivor Bramblethorpe").await;
    let page = page_text(
        &editor,
        format!("{}{}", app.base, r.headers()["location"].to_str().unwrap()),
    )
    .await;
    assert!(
        page.contains(&format!("It may be the same as HR-{first:04} (same name and postcode, same address, same phone number)")),
        "{page}"
    );
    assert!(
        page.contains("Possible duplicate") && !page.contains("Ivor"),
        "the list has no personal data"
    );

    // Viewers and editors cannot open a request's details; other councils get 404.
    let path = format!("/o/north/requests/{first}?purpose=welfare%20check");
    let (viewer, _) = app.browser_client("north-viewer").await;
    for (client, want) in [
        (&viewer, 403),
        (&editor, 403),
        (&app.browser_client("south-admin").await.0, 404),
    ] {
        let r = client
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), want);
        assert!(!r.text().await.unwrap().contains("Ivor"));
    }

    // A coordinator gives the reason, sees the details and the warning, assigns and closes.
    let (coordinator, csrf) = app.browser_client("north-coordinator").await;
    let prompt = page_text(
        &coordinator,
        format!("{}/o/north/requests/{first}", app.base),
    )
    .await;
    assert!(prompt.contains("Why do you need to see this request?"));
    let page = page_text(&coordinator, format!("{}{path}", app.base)).await;
    assert!(
        page.contains("Ivor Bramblethorpe") && page.contains("This may be the same as"),
        "{page}"
    );
    let r = coordinator
        .post(format!("{}/o/north/requests/{first}/assign", app.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("purpose", "welfare check"),
            ("kind", "partner"),
            ("partner", "Age UK Northmoor"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let r = coordinator
        .post(format!("{}/o/north/requests/{first}/status", app.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("purpose", "welfare check"),
            ("status", "completed"),
            ("note", "Collected and delivered"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let page = page_text(
        &coordinator,
        format!("{}{}", app.base, r.headers()["location"].to_str().unwrap()),
    )
    .await;
    assert!(
        page.contains("Request updated")
            && page.contains("Collected and delivered")
            && page.contains("Age UK Northmoor (partner)"),
        "{page}"
    );
    let list = page_text(&viewer, format!("{}/o/north/requests", app.base)).await;
    assert!(
        list.contains("Finished requests") && list.contains("Contacted within the target"),
        "{list}"
    );
    assert!(list.contains("100% (1 of 1)"), "{list}");

    // The volunteers page flags the seeded volunteer's expired DBS check.
    let page = page_text(&coordinator, format!("{}/o/north/volunteers", app.base)).await;
    assert!(
        page.contains("Seeded volunteer") && page.contains("Expired") && page.contains("1 expired"),
        "{page}"
    );
    let r = viewer
        .get(format!("{}/o/north/volunteers", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // Hours: a mistake is shown beside the volunteer's own form, opened; then logged.
    let hours = format!("{}/o/north/volunteers/1/hours", app.base);
    let r = coordinator
        .post(&hours)
        .form(&[
            ("csrf", csrf.as_str()),
            ("hours", "lots"),
            ("worked_on", "2026-11-01"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("Volunteer 1: Enter the hours given")
            && page.contains("href=\"#hours-1\"")
            && page.contains(" open>"),
        "{page}"
    );
    let reference = format!("HR-{first:04}");
    let r = coordinator
        .post(&hours)
        .form(&[
            ("csrf", csrf.as_str()),
            ("hours", "2.5"),
            ("worked_on", "2026-11-01"),
            ("request", reference.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/o/north/volunteers?done=hours");
    let page = page_text(
        &coordinator,
        format!("{}/o/north/volunteers?done=hours", app.base),
    )
    .await;
    assert!(
        page.contains("Hours logged")
            && page.contains("Hours given</dt><dd class=\"govuk-summary-list__value\">2.5<"),
        "{page}"
    );
}

#[tokio::test]
async fn the_hub_pages_and_the_public_form_pass_an_accessibility_check_in_a_browser() {
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
    // The public form, not signed in: problems first, then a request.
    visit(c, &app, "/help/north").await;
    check("public form", c).await;
    submit(c, "main form").await;
    assert!(text(c).await.contains("Choose how soon help is needed"));
    check("public form with errors", c).await;
    fill(c, "name", "Olive Pennywhistle").await;
    fill(c, "address", "14 Orchard Row").await;
    fill(c, "postcode", "NM4 3AB").await;
    fill(c, "details", "Cannot get to the shops").await;
    c.find(Locator::Id("category"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::Id("urgency-three-days"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    submit(c, "main form").await;
    let page = text(c).await;
    assert!(
        page.contains("Request sent") && page.contains("HR-0002"),
        "{page}"
    );
    check("confirmation", c).await;

    // A coordinator: the list, a request after the reason, the volunteers.
    super::warnings::sign_in(c, &app, "coordinator@north.test").await;
    visit(c, &app, "/o/north/people").await;
    c.find(Locator::LinkText("Requests for help"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert!(text(c).await.contains("How quickly people are contacted"));
    check("requests", c).await;
    c.find(Locator::LinkText("HR-0002"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    check("reason prompt", c).await;
    fill(c, "purpose", "arranging a food delivery").await;
    submit(c, "main form").await;
    assert!(text(c).await.contains("Olive Pennywhistle"));
    check("request", c).await;
    visit(c, &app, "/o/north/requests/new").await;
    check("phone form", c).await;
    visit(c, &app, "/o/north/volunteers").await;
    assert!(text(c).await.contains("Seeded volunteer"));
    check("volunteers", c).await;
    visit(c, &app, "/o/north/volunteers/new").await;
    submit(c, "main form").await;
    assert!(text(c).await.contains("Choose at least one kind of help"));
    check("volunteer form with errors", c).await;
    assert!(
        violations.is_empty(),
        "accessibility violations:\n{}",
        violations.join("\n")
    );
}
