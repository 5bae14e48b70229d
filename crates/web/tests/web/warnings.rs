//! Public warnings end to end: drafted by one person, refused to its author, approved by a
//! colleague, then public as CAP 1.2 XML (validated against the OASIS schema with xmllint)
//! and in the Atom feed; an update supersedes it and a cancellation ends it, each referencing
//! what came before. Drafts are never public, other organisations' numbers are 404, hostile
//! text is escaped and comes back unchanged, the plain-language check and SMS text are in the
//! API, and a Welsh organisation's alerts carry a Welsh `info` block. A browser journey
//! drafts from a template and approves as a second person, with axe-core on every page.

use super::browser::{axe, fill, submit, text, visit};
use super::{App, PASSWORD};
use bulwark_store::{Actor, Backend, MessageType, Store, WarningArea, WarningDetails, WarningInfo};
use bulwark_testkit::BACKENDS;
use bulwark_testkit::browser::Browser;
use fantoccini::Locator;
use reqwest::Method;
use serde_json::{Value, json};
use std::io::Write;
use std::process::{Command, Stdio};

const SCHEMA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/standards/CAP-v1.2.xsd");
const CAP: &str = "urn:oasis:names:tc:emergency:cap:1.2";
const ATOM: &str = "http://www.w3.org/2005/Atom";

/// Gives `north` and `south` warning 1 (issued) and warning 2 (a draft), written by nobody's
/// account so that any editor may approve them: the access matrix reaches them by number.
pub async fn seed(store: &Store) {
    let author = Actor {
        user_id: None,
        label: "seed author".into(),
    };
    let approver = Actor {
        user_id: None,
        label: "seed approver".into(),
    };
    for slug in ["north", "south"] {
        let org = store.org_by_slug(slug).await.unwrap().unwrap();
        for n in 1..=2 {
            let details = WarningDetails {
                event: "Flood".into(),
                category: "Met".into(),
                urgency: "Expected".into(),
                severity: "Severe".into(),
                certainty: "Likely".into(),
                web: None,
                contact: None,
                note: None,
                effective_at: None,
                onset_at: None,
                expires_at: None,
                infos: vec![WarningInfo {
                    language: "en-GB".into(),
                    headline: format!("Seeded warning {n}"),
                    description: "Flooding is expected.".into(),
                    instruction: "Move upstairs.".into(),
                }],
                areas: vec![WarningArea {
                    description: "Riverside".into(),
                    polygon: None,
                    circle: None,
                    geocodes: Vec::new(),
                }],
                incident: None,
                services: Vec::new(),
            };
            let number = store
                .create_warning(org.id, slug, MessageType::Alert, None, &details, &author)
                .await
                .unwrap();
            assert_eq!(number, n);
            if n == 1 {
                store
                    .approve_warning(org.id, 1, 1, "bulwark:test", &approver)
                    .await
                    .unwrap();
            }
        }
    }
}

/// Asserts that `xml` is valid CAP 1.2, by `xmllint --schema` with the OASIS schema.
fn assert_valid_cap(xml: &str) {
    let mut child = Command::new("xmllint")
        .args(["--noout", "--schema", SCHEMA, "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("xmllint runs (Debian package libxml2-utils)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(xml.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "not valid CAP 1.2: {}\n{xml}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A public GET without signing in: status, content type and body.
async fn public(app: &App, path: &str) -> (u16, String, String) {
    let r = reqwest::get(format!("{}{path}", app.base)).await.unwrap();
    let status = r.status().as_u16();
    let kind = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, kind, r.text().await.unwrap())
}

/// Warning `n`'s CAP XML, checked against the schema.
async fn cap_xml(app: &App, n: i64) -> String {
    let (status, kind, body) = public(app, &format!("/cap/north/alerts/{n}.xml")).await;
    assert_eq!(status, 200, "{body}");
    assert!(kind.starts_with("application/cap+xml"), "{kind}");
    assert_valid_cap(&body);
    body
}

/// The text of the first CAP element `name` (in document order).
fn cap_text(xml: &str, name: &str) -> Option<String> {
    let doc = roxmltree::Document::parse(xml).unwrap();
    doc.descendants()
        .find(|n| n.has_tag_name((CAP, name)))
        .map(|n| n.text().unwrap_or("").to_string())
}

/// The entries of north's feed: (id, title, CAP link, page link).
async fn feed(app: &App) -> Vec<(String, String, String, String)> {
    let (status, kind, body) = public(app, "/cap/north/feed.atom").await;
    assert_eq!(status, 200);
    assert!(kind.starts_with("application/atom+xml"), "{kind}");
    let doc = roxmltree::Document::parse(&body).unwrap();
    let feed = doc.root_element();
    assert!(feed.has_tag_name((ATOM, "feed")));
    for required in ["id", "title", "updated", "author"] {
        assert!(
            feed.children().any(|c| c.has_tag_name((ATOM, required))),
            "the feed has {required}"
        );
    }
    feed.children()
        .filter(|c| c.has_tag_name((ATOM, "entry")))
        .map(|e| {
            let child = |name: &str| {
                e.children()
                    .find(|c| c.has_tag_name((ATOM, name)))
                    .and_then(|c| c.text())
                    .unwrap_or("")
                    .to_string()
            };
            assert!(!child("updated").is_empty(), "every entry has updated");
            let link = |kind: &str| {
                e.children()
                    .find(|c| c.has_tag_name((ATOM, "link")) && c.attribute("type") == Some(kind))
                    .and_then(|c| c.attribute("href"))
                    .unwrap_or("")
                    .to_string()
            };
            (
                child("id"),
                child("title"),
                link("application/cap+xml"),
                link("text/html"),
            )
        })
        .collect()
}

fn flood() -> Value {
    json!({
        "headline": "Flood warning for Riverside",
        "description": "Flooding is expected in Riverside from 6pm today.",
        "instruction": "Move your family and pets upstairs now. Do not walk or drive through flood water.",
        "event": "Flood",
        "urgency": "Expected",
        "severity": "Severe",
        "certainty": "Likely",
        "category": "Met",
        "area": {
            "description": "Riverside and Mill Lane",
            "polygon": "53.80,-1.55 53.81,-1.54 53.79,-1.53 53.80,-1.55",
            "circle": "53.80,-1.55 2.5",
            "geocodes": {"GSS": "E06000047"}
        },
        "expires": "2036-12-01T18:00:00+00:00",
        "incident": "INC-2026-042",
        "services": ["care"]
    })
}

async fn post(app: &App, key: &str, path: &str, body: Value) -> (u16, Value) {
    app.send(key, Method::POST, path, Some(body)).await
}

#[tokio::test]
async fn a_warning_is_drafted_approved_by_a_colleague_updated_and_cancelled() {
    for backend in BACKENDS {
        let app = App::start(backend).await;
        // Drafted by an editor: not public yet.
        let (status, body) = post(&app, "north-editor", "/api/orgs/north/warnings", flood()).await;
        assert_eq!(status, 201, "{backend:?} {body}");
        let first = body["id"].as_i64().unwrap();
        assert_eq!(first, 3, "north's third warning");
        assert_eq!(
            public(&app, &format!("/cap/north/alerts/{first}.xml"))
                .await
                .0,
            404
        );
        assert_eq!(
            public(&app, &format!("/cap/north/alerts/{first}")).await.0,
            404
        );
        assert!(
            feed(&app)
                .await
                .iter()
                .all(|e| !e.2.ends_with(&format!("/{first}.xml")))
        );
        // A viewer may not approve; the author may not either; a colleague may.
        let approve = format!("/api/orgs/north/warnings/{first}/approve");
        assert_eq!(post(&app, "north-viewer", &approve, json!({})).await.0, 403);
        let (status, body) = post(&app, "north-editor", &approve, json!({})).await;
        assert_eq!(status, 403, "the author cannot approve: {body}");
        let (status, body) = post(&app, "north-admin", &approve, json!({})).await;
        assert_eq!(
            (status, body["status"].as_str()),
            (200, Some("issued")),
            "{body}"
        );
        assert_eq!(
            post(&app, "north-admin", &approve, json!({})).await.0,
            409,
            "once"
        );
        // Public, valid CAP 1.2, and in the feed with both links; other organisations 404.
        let xml = cap_xml(&app, first).await;
        assert_eq!(cap_text(&xml, "msgType").as_deref(), Some("Alert"));
        assert_eq!(cap_text(&xml, "status").as_deref(), Some("Actual"));
        assert_eq!(cap_text(&xml, "sender").as_deref(), Some("bulwark:north"));
        assert_eq!(
            cap_text(&xml, "polygon").as_deref(),
            Some("53.80,-1.55 53.81,-1.54 53.79,-1.53 53.80,-1.55")
        );
        assert_eq!(cap_text(&xml, "value").as_deref(), Some("E06000047"));
        assert_eq!(
            cap_text(&xml, "expires").as_deref(),
            Some("2036-12-01T18:00:00+00:00")
        );
        let sent = cap_text(&xml, "sent").unwrap();
        assert!(
            sent.ends_with("+00:00") || sent.ends_with("+01:00"),
            "{sent}"
        );
        assert!(
            cap_text(&xml, "web")
                .unwrap()
                .ends_with(&format!("/cap/north/alerts/{first}"))
        );
        assert_eq!(
            public(&app, &format!("/cap/south/alerts/{first}.xml"))
                .await
                .0,
            404
        );
        assert_eq!(public(&app, "/cap/nowhere/feed.atom").await.0, 404);
        let entries = feed(&app).await;
        assert!(
            entries[0]
                .2
                .ends_with(&format!("/cap/north/alerts/{first}.xml")),
            "newest first: {entries:?}"
        );
        assert!(
            entries[0]
                .3
                .ends_with(&format!("/cap/north/alerts/{first}"))
        );
        assert_eq!(entries[0].1, "Flood warning for Riverside");
        let (status, _, page) = public(&app, &format!("/cap/north/alerts/{first}")).await;
        assert!(
            status == 200
                && page.contains("Flood warning for Riverside")
                && page.contains("Move your family")
        );
        // The warning, as the API shows it: its services, incident and record.
        let (_, w) = app
            .get("north-viewer", &format!("/api/orgs/north/warnings/{first}"))
            .await;
        assert_eq!(w["services"], json!(["care"]));
        assert_eq!(w["incident"], "INC-2026-042");
        assert_eq!(w["approver"], "admin@north.test (API)");
        assert!(
            w["cap_url"]
                .as_str()
                .unwrap()
                .ends_with(&format!("/{first}.xml"))
        );

        // An update, drafted by the administrator and approved by the editor, supersedes it.
        let mut changed = flood();
        changed["headline"] = json!("Severe flood warning for Riverside");
        changed["severity"] = json!("Extreme");
        let (status, body) = post(
            &app,
            "north-admin",
            &format!("/api/orgs/north/warnings/{first}/update"),
            changed.clone(),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        let second = body["id"].as_i64().unwrap();
        let approve2 = format!("/api/orgs/north/warnings/{second}/approve");
        assert_eq!(post(&app, "north-admin", &approve2, json!({})).await.0, 403);
        assert_eq!(
            post(&app, "north-editor", &approve2, json!({})).await.0,
            200
        );
        let xml2 = cap_xml(&app, second).await;
        assert_eq!(cap_text(&xml2, "msgType").as_deref(), Some("Update"));
        let reference = |xml: &str| {
            format!(
                "{},{},{}",
                cap_text(xml, "sender").unwrap(),
                cap_text(xml, "identifier").unwrap(),
                cap_text(xml, "sent").unwrap()
            )
        };
        assert_eq!(cap_text(&xml2, "references"), Some(reference(&xml)));
        assert_ne!(cap_text(&xml2, "identifier"), cap_text(&xml, "identifier"));
        let (_, w) = app
            .get("north-viewer", &format!("/api/orgs/north/warnings/{first}"))
            .await;
        assert_eq!(w["status"], "superseded");
        let ids: Vec<String> = feed(&app).await.into_iter().map(|e| e.2).collect();
        assert!(ids.iter().any(|l| l.ends_with(&format!("/{second}.xml"))));
        assert!(
            !ids.iter().any(|l| l.ends_with(&format!("/{first}.xml"))),
            "superseded: out of the feed"
        );
        let (_, _, old) = public(&app, &format!("/cap/north/alerts/{first}")).await;
        assert!(
            old.contains("This warning has been replaced"),
            "the old page says so"
        );
        // A superseded warning cannot be updated or cancelled again.
        assert_eq!(
            post(
                &app,
                "north-admin",
                &format!("/api/orgs/north/warnings/{first}/update"),
                changed
            )
            .await
            .0,
            409
        );

        // The cancellation, approved by a second person too, ends it.
        let (status, body) = post(
            &app,
            "north-editor",
            &format!("/api/orgs/north/warnings/{second}/cancel"),
            json!({}),
        )
        .await;
        assert_eq!(status, 422, "a reason is needed: {body}");
        let (status, body) = post(
            &app,
            "north-editor",
            &format!("/api/orgs/north/warnings/{second}/cancel"),
            json!({"reason": "The river level has fallen."}),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        let third = body["id"].as_i64().unwrap();
        let approve3 = format!("/api/orgs/north/warnings/{third}/approve");
        assert_eq!(
            post(&app, "north-editor", &approve3, json!({})).await.0,
            403
        );
        assert_eq!(post(&app, "north-admin", &approve3, json!({})).await.0, 200);
        let xml3 = cap_xml(&app, third).await;
        assert_eq!(cap_text(&xml3, "msgType").as_deref(), Some("Cancel"));
        assert_eq!(
            cap_text(&xml3, "note").as_deref(),
            Some("The river level has fallen.")
        );
        assert_eq!(
            cap_text(&xml3, "references"),
            Some(format!("{} {}", reference(&xml), reference(&xml2)))
        );
        let (_, w) = app
            .get(
                "north-viewer",
                &format!("/api/orgs/north/warnings/{second}"),
            )
            .await;
        assert_eq!(w["status"], "cancelled");
        let entries = feed(&app).await;
        assert!(
            entries[0].2.ends_with(&format!("/{third}.xml"))
                && entries[0].1.starts_with("Cancelled: "),
            "{entries:?}"
        );
        assert!(
            !entries
                .iter()
                .any(|e| e.2.ends_with(&format!("/{second}.xml")))
        );
        // The record of what was said: every step, who and when, on every message of it.
        let (_, w) = app
            .get("north-viewer", &format!("/api/orgs/north/warnings/{third}"))
            .await;
        let steps: Vec<(String, String, String)> = w["history"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                (
                    h["warning"].as_str().unwrap().into(),
                    h["action"].as_str().unwrap().into(),
                    h["actor"].as_str().unwrap().into(),
                )
            })
            .collect();
        let step = |n: i64, action: &str, who: &str| {
            (
                n.to_string(),
                action.to_string(),
                format!("{who}@north.test (API)"),
            )
        };
        assert_eq!(
            steps,
            vec![
                step(first, "draft", "editor"),
                step(first, "approve and issue", "admin"),
                step(second, "draft update", "admin"),
                step(first, "supersede", "editor"),
                step(second, "approve and issue", "editor"),
                step(third, "draft cancellation", "editor"),
                step(second, "cancel", "admin"),
                step(third, "approve and issue", "admin"),
            ],
            "{backend:?}"
        );
        // The audit trail has them too.
        let (_, audit) = app.get("north-viewer", "/api/orgs/north/audit").await;
        assert!(audit.to_string().contains("approve and issue"));
        // Every message produced validates, the seeded ones too.
        assert_valid_cap(&cap_xml(&app, 1).await);
    }
}

#[tokio::test]
async fn drafts_are_never_public_and_other_organisations_get_404() {
    let app = App::start(Backend::Sqlite).await;
    // Warning 2 of each organisation is a draft; 1 is issued.
    for path in [
        "/cap/north/alerts/2",
        "/cap/north/alerts/2.xml",
        "/cap/north/alerts/99.xml",
        "/cap/north/alerts/x.xml",
    ] {
        assert_eq!(public(&app, path).await.0, 404, "{path}");
    }
    assert_eq!(public(&app, "/cap/north/alerts/1.xml").await.0, 200);
    let (_, _, list) = public(&app, "/cap/north").await;
    assert!(list.contains("Seeded warning 1") && !list.contains("Seeded warning 2"));
    let (_, _, feed) = public(&app, "/cap/north/feed.atom").await;
    assert!(feed.contains("Seeded warning 1") && !feed.contains("Seeded warning 2"));
    // South's administrator cannot see, change or approve north's warnings through the API.
    for (method, path) in [
        (Method::GET, "/api/orgs/north/warnings/2"),
        (Method::POST, "/api/orgs/north/warnings/2/approve"),
        (Method::POST, "/api/orgs/north/warnings/1/cancel"),
    ] {
        let (status, _) = app
            .send("south-admin", method, path, Some(json!({"reason": "x"})))
            .await;
        assert_eq!(status, 404, "{path}");
    }
    // An issued warning past its expiry time leaves the feed and the list; its page and
    // CAP message stay.
    let mut old = flood();
    old["headline"] = json!("Expired flood warning");
    old["expires"] = json!("2021-01-01T12:00:00+00:00");
    let (_, created) = post(&app, "north-editor", "/api/orgs/north/warnings", old).await;
    let n = created["id"].as_i64().unwrap();
    let approve = format!("/api/orgs/north/warnings/{n}/approve");
    assert_eq!(post(&app, "north-admin", &approve, json!({})).await.0, 200);
    let (_, _, feed) = public(&app, "/cap/north/feed.atom").await;
    assert!(!feed.contains("Expired flood warning"));
    assert!(
        !public(&app, "/cap/north")
            .await
            .2
            .contains("Expired flood warning")
    );
    assert_valid_cap(&cap_xml(&app, n).await);
    // The pages refuse approval by the author too, and say why.
    let (_, created) = post(&app, "north-editor", "/api/orgs/north/warnings", flood()).await;
    let n = created["id"].as_i64().unwrap();
    let (editor, csrf) = app.browser_client("north-editor").await;
    let r = editor
        .post(format!("{}/o/north/warnings/{n}/approve", app.base))
        .form(&[("csrf", csrf.as_str()), ("revision", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("another editor or administrator must approve it")
    );
    assert_eq!(
        public(&app, &format!("/cap/north/alerts/{n}.xml")).await.0,
        404
    );
    // An unknown service or a bad area is refused with the field named.
    let mut bad = flood();
    bad["services"] = json!(["nope"]);
    bad["area"]["polygon"] = json!("53.8,-1.5 53.9,-1.5");
    bad["headline"] = json!("Flood warning for {area}");
    let (status, body) = post(&app, "north-editor", "/api/orgs/north/warnings", bad).await;
    assert_eq!(status, 422);
    let problems = body["problems"].to_string();
    for wanted in [
        "services: There is no service",
        "area.polygon:",
        "headline: Replace {area}",
    ] {
        assert!(problems.contains(wanted), "{wanted} in {problems}");
    }
}

/// Text that XML, HTML and feeds must all escape: markup, entities, a CDATA end, quotes.
const HOSTILE: &str = "<script>alert('x')</script> & &amp; ]]> \"quoted\" 'single' <!-- --> <![CDATA[ x ]]> \u{e9}\u{175} \u{1F30A}";

#[tokio::test]
async fn hostile_text_in_every_field_is_escaped_and_comes_back_unchanged() {
    let app = App::start(Backend::Sqlite).await;
    let multi = format!("{HOSTILE}\nline two");
    let body = json!({
        "headline": HOSTILE,
        "description": multi,
        "instruction": HOSTILE,
        "event": HOSTILE,
        "urgency": "Immediate",
        "severity": "Minor",
        "certainty": "Observed",
        "category": "Other",
        "area": {"description": HOSTILE, "geocodes": {"<name & \"x\">": HOSTILE}},
        "web": "https://example.org/a?b=1&c=%22x%22",
        "contact": HOSTILE,
        "incident": HOSTILE,
        "welsh": {"headline": HOSTILE, "description": HOSTILE, "instruction": HOSTILE},
    });
    let (status, created) = post(
        &app,
        "north-editor",
        "/api/orgs/north/warnings",
        body.clone(),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let n = created["id"].as_i64().unwrap();
    assert_eq!(
        post(
            &app,
            "north-admin",
            &format!("/api/orgs/north/warnings/{n}/approve"),
            json!({})
        )
        .await
        .0,
        200
    );
    let xml = cap_xml(&app, n).await;
    assert!(!xml.contains("<script>"), "escaped");
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let texts = |name: &str| -> Vec<String> {
        doc.descendants()
            .filter(|n| n.has_tag_name((CAP, name)))
            .map(|n| n.text().unwrap_or("").to_string())
            .collect()
    };
    for name in [
        "headline",
        "instruction",
        "event",
        "areaDesc",
        "contact",
        "value",
    ] {
        assert_eq!(
            texts(name),
            vec![HOSTILE.to_string(); 2],
            "{name} round-trips in both languages"
        );
    }
    assert_eq!(
        texts("description"),
        vec![multi.clone(), HOSTILE.to_string()]
    );
    assert_eq!(texts("valueName")[0], "<name & \"x\">");
    assert_eq!(texts("web")[0], "https://example.org/a?b=1&c=%22x%22");
    // The feed parses and carries the text unchanged; the pages escape it.
    let (_, _, feed) = public(&app, "/cap/north/feed.atom").await;
    let doc = roxmltree::Document::parse(&feed).unwrap();
    assert!(
        doc.descendants()
            .any(|n| n.has_tag_name((ATOM, "title")) && n.text() == Some(HOSTILE))
    );
    let escaped = |page: &str| {
        !page.contains("<script>")
            && (page.contains("&#60;script&#62;") || page.contains("&lt;script&gt;"))
    };
    let (_, _, page) = public(&app, &format!("/cap/north/alerts/{n}")).await;
    assert!(escaped(&page), "{page}");
    let (client, _) = app.browser_client("north-viewer").await;
    let page = super::page_text(&client, format!("{}/o/north/warnings/{n}", app.base)).await;
    assert!(escaped(&page), "{page}");
    // Invisible bidirectional controls are refused, naming the field.
    let mut bidi = body;
    bidi["headline"] = json!("Flood \u{202E}gninraw");
    let (status, problems) = post(&app, "north-editor", "/api/orgs/north/warnings", bidi).await;
    assert_eq!(status, 422);
    assert!(
        problems["problems"][0]
            .as_str()
            .unwrap()
            .starts_with("headline: "),
        "{problems}"
    );
}

#[tokio::test]
async fn the_plain_language_check_and_messages_are_in_the_api() {
    let app = App::start(Backend::Sqlite).await;
    let mut body = flood();
    body["instruction"] = json!(
        "Residents are advised to utilise alternative accommodation in the vicinity of the precautionary evacuation zone in order to mitigate the consequences of the anticipated fluvial inundation affecting properties adjacent to the watercourse."
    );
    let (_, created) = post(&app, "north-editor", "/api/orgs/north/warnings", body).await;
    let n = created["id"].as_i64().unwrap();
    let (_, w) = app
        .get("north-admin", &format!("/api/orgs/north/warnings/{n}"))
        .await;
    let p = &w["versions"][0]["plain_language"];
    assert_eq!(p["sentences"], 3, "{p}");
    assert_eq!(p["long_sentences"].as_array().unwrap().len(), 1, "{p}");
    assert!(p["reading_age"].as_f64().unwrap() > 11.0, "{p}");
    let jargon: Vec<&str> = p["jargon"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j[0].as_str().unwrap())
        .collect();
    assert_eq!(
        jargon,
        [
            "mitigate",
            "in the vicinity of",
            "precautionary",
            "utilise",
            "in order to",
            "inundation",
            "fluvial",
            "residents are advised to"
        ]
    );
    assert!(
        w["page_url"].is_null() && w["cap_url"].is_null(),
        "not published yet"
    );
    // The page shows the advice to the approver as a warning.
    let (client, _) = app.browser_client("north-admin").await;
    let page = super::page_text(&client, format!("{}/o/north/warnings/{n}", app.base)).await;
    assert!(
        page.contains("govuk-warning-text")
            && page.contains("Say “reduce” rather than “mitigate”."),
        "{page}"
    );
    // A plain warning: one text message of at most 160 GSM characters, ending with the link.
    let (_, w) = app.get("north-admin", "/api/orgs/north/warnings/1").await;
    let sms = &w["versions"][0]["sms"];
    assert_eq!(
        (sms["encoding"].as_str(), sms["messages"].as_i64()),
        (Some("GSM-7"), Some(1)),
        "{sms}"
    );
    assert!(
        sms["text"]
            .as_str()
            .unwrap()
            .ends_with("/cap/north/alerts/1")
    );
    assert!(
        w["versions"][0]["social"]
            .as_str()
            .unwrap()
            .starts_with("Seeded warning 1. Move upstairs.")
    );
}

#[tokio::test]
async fn an_organisation_that_publishes_in_welsh_issues_a_welsh_info_block() {
    let app = App::start(Backend::Sqlite).await;
    let (admin, csrf) = app.browser_client("north-admin").await;
    let r = admin
        .post(format!("{}/o/north/warnings/settings", app.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("welsh", "yes"),
            ("sender", "warnings@north.test"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    // The form asks for the Welsh text.
    let (editor, _) = app.browser_client("north-editor").await;
    let form = super::page_text(
        &editor,
        format!("{}/o/north/warnings/new?template=flood", app.base),
    )
    .await;
    assert!(
        form.contains("id=\"cy-headline\"") && form.contains("id=\"ph-time\""),
        "{form}"
    );
    // Without it, the warning cannot be approved.
    let (_, created) = post(&app, "north-editor", "/api/orgs/north/warnings", flood()).await;
    let n = created["id"].as_i64().unwrap();
    let approve = format!("/api/orgs/north/warnings/{n}/approve");
    let (status, body) = post(&app, "north-admin", &approve, json!({})).await;
    assert_eq!(status, 422, "{body}");
    assert!(body["problems"][0].as_str().unwrap().contains("Welsh"));
    let mut welsh = flood();
    welsh["welsh"] = json!({
        "headline": "Rhybudd llifogydd: Heol y Dŵr",
        "description": "Disgwylir llifogydd yng Nglan yr Afon o 6pm heddiw.",
        "instruction": "Ewch â'ch teulu a'ch anifeiliaid anwes i fyny'r grisiau nawr."
    });
    let (status, body) = app
        .send(
            "north-editor",
            Method::PUT,
            &format!("/api/orgs/north/warnings/{n}"),
            Some(welsh),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(post(&app, "north-admin", &approve, json!({})).await.0, 200);
    let xml = cap_xml(&app, n).await;
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let infos: Vec<(String, String)> = doc
        .descendants()
        .filter(|n| n.has_tag_name((CAP, "info")))
        .map(|i| {
            let child = |name: &str| {
                i.children()
                    .find(|c| c.has_tag_name((CAP, name)))
                    .and_then(|c| c.text())
                    .unwrap()
                    .to_string()
            };
            (child("language"), child("headline"))
        })
        .collect();
    assert_eq!(
        infos,
        [
            (
                "en-GB".to_string(),
                "Flood warning for Riverside".to_string()
            ),
            (
                "cy".to_string(),
                "Rhybudd llifogydd: Heol y Dŵr".to_string()
            )
        ]
    );
    assert_eq!(
        cap_text(&xml, "sender").as_deref(),
        Some("warnings@north.test")
    );
    // Its public page marks the Welsh as Welsh; its Welsh text message is UCS-2 (ŵ), so the
    // headline and the link alone are over 70 characters: two messages, as the page says.
    let (_, _, page) = public(&app, &format!("/cap/north/alerts/{n}")).await;
    assert!(page.contains("lang=\"cy\"") && page.contains("Beth i'w wneud"));
    let (_, w) = app
        .get("north-admin", &format!("/api/orgs/north/warnings/{n}"))
        .await;
    assert_eq!(w["versions"][1]["language"], "cy");
    let sms = &w["versions"][1]["sms"];
    assert_eq!(
        (sms["encoding"].as_str(), sms["messages"].as_i64()),
        (Some("UCS-2"), Some(2)),
        "{sms}"
    );
    assert!(sms["length"].as_i64().unwrap() > 70);
    assert!(
        sms["text"]
            .as_str()
            .unwrap()
            .starts_with("Rhybudd llifogydd: Heol y Dŵr.")
    );
}

#[tokio::test]
async fn an_organisation_prepares_its_own_version_of_a_template() {
    let app = App::start(Backend::Sqlite).await;
    let (editor, csrf) = app.browser_client("north-editor").await;
    let url = format!("{}/o/north/warnings/templates/flood", app.base);
    let save = |fields: Vec<(&'static str, String)>| {
        let mut form = vec![("csrf", csrf.clone())];
        form.extend(fields);
        editor.post(url.clone()).form(&form).send()
    };
    let mut fields = vec![
        ("name", "Flood warning".to_string()),
        ("event", "Flood".into()),
        ("category", "Met".into()),
        ("urgency", "Expected".into()),
        ("severity", "Severe".into()),
        ("certainty", "Likely".into()),
        ("headline", "Northmoor flood warning: {area}".into()),
        (
            "description",
            "The River Moor will flood {area} from {time}.".into(),
        ),
        ("instruction", "Go upstairs now.".into()),
    ];
    fields[2].1 = "Weather".into();
    let r = save(fields.clone()).await.unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("Choose the category"));
    fields[2].1 = "Met".into();
    assert_eq!(save(fields).await.unwrap().status(), 303);
    // The API lists it with its placeholders, the form starts from it, and south is untouched.
    let (_, list) = app
        .get("north-viewer", "/api/orgs/north/warning-templates")
        .await;
    assert_eq!(
        list["templates"][0]["headline"],
        "Northmoor flood warning: {area}"
    );
    assert_eq!(
        list["templates"][0]["placeholders"],
        json!(["area", "time"])
    );
    let (_, south) = app
        .get("south-admin", "/api/orgs/south/warning-templates")
        .await;
    assert_eq!(
        south["templates"][0]["headline"],
        "Flood warning for {area}"
    );
    let form = super::page_text(
        &editor,
        format!("{}/o/north/warnings/new?template=flood", app.base),
    )
    .await;
    assert!(form.contains("Northmoor flood warning: {area}"));
    let (status, created) = post(
        &app,
        "north-editor",
        "/api/orgs/north/warnings",
        json!({"template": "flood", "placeholders": {"area": "Riverside", "time": "6pm"}, "area": {"description": "Riverside"}}),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let (_, w) = app
        .get(
            "north-editor",
            &format!("/api/orgs/north/warnings/{}", created["id"]),
        )
        .await;
    assert_eq!(
        w["infos"][0]["headline"],
        "Northmoor flood warning: Riverside"
    );
    assert_eq!(
        w["infos"][0]["description"],
        "The River Moor will flood Riverside from 6pm."
    );
}

/// Signs the browser in as `email`.
pub async fn sign_in(c: &fantoccini::Client, app: &App, email: &str) {
    c.delete_all_cookies().await.unwrap();
    visit(c, app, "/login").await;
    fill(c, "email", email).await;
    fill(c, "password", PASSWORD).await;
    submit(c, "form[action='/login']").await;
    assert!(text(c).await.contains("Dashboard"), "signed in as {email}");
}

#[tokio::test]
async fn a_duty_officer_drafts_from_a_template_and_a_colleague_approves_in_a_browser() {
    let browser = Browser::start().await;
    let c = &browser.client;
    let app = App::start(Backend::Sqlite).await;
    let mut violations = Vec::new();
    let mut check = async |page: &str, c: &fantoccini::Client| {
        for v in axe(c).await {
            violations.push(format!("{page}: {v}"));
        }
    };

    sign_in(c, &app, "editor@north.test").await;
    visit(c, &app, "/o/north").await;
    c.find(Locator::LinkText("Warnings"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    check("warnings", c).await;
    c.find(Locator::LinkText("Draft a warning"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    check("choose a template", c).await;
    submit(c, "main form").await; // the flood template is chosen by default
    check("flood form", c).await;
    // Only the area filled in: the form says which placeholder is left, and keeps the rest.
    fill(c, "ph-area", "Riverside").await;
    submit(c, "#warning-form").await;
    let page = text(c).await;
    assert!(
        page.contains("There is a problem") && page.contains("Replace {time} in the description"),
        "{page}"
    );
    check("flood form with errors", c).await;
    assert_eq!(
        c.find(Locator::Id("headline"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("Flood warning for Riverside")
    );
    fill(c, "ph-time", "6pm today").await;
    fill(c, "expires-day", "1").await;
    fill(c, "expires-month", "12").await;
    fill(c, "expires-year", "2036").await;
    fill(c, "expires-time", "18:00").await;
    fill(c, "services", "care").await;
    submit(c, "#warning-form").await;
    let page = text(c).await;
    assert!(
        page.contains("Draft saved")
            && page.contains("Flooding is expected in Riverside from 6pm today."),
        "{page}"
    );
    assert!(
        page.contains("You wrote or last changed this draft"),
        "no approval for its author"
    );
    assert!(page.contains("The English text reads plainly"), "{page}");
    check("draft", c).await;
    let url = c.current_url().await.unwrap();
    let path = url.path().to_string();
    let number = path.rsplit('/').next().unwrap().to_string();
    assert_eq!(
        public(&app, &format!("/cap/north/alerts/{number}")).await.0,
        404,
        "a draft is not public"
    );

    // A colleague approves it.
    sign_in(c, &app, "admin@north.test").await;
    visit(c, &app, &path).await;
    check("draft for the approver", c).await;
    submit(c, "form[action$='/approve']").await;
    let page = text(c).await;
    assert!(
        page.contains("Approved and published") && page.contains("Text message"),
        "{page}"
    );
    assert!(page.contains("characters in GSM-7: 1 message"), "{page}");
    check("issued", c).await;
    for (name, suffix) in [("update form", "/update"), ("cancel form", "/cancel")] {
        visit(c, &app, &format!("{path}{suffix}")).await;
        check(name, c).await;
    }
    visit(c, &app, "/o/north/warnings/settings").await;
    check("settings", c).await;
    visit(c, &app, "/o/north/warnings/templates/heat").await;
    check("template", c).await;

    // The public sees it without signing in, in an accessible page.
    c.delete_all_cookies().await.unwrap();
    visit(c, &app, &format!("/cap/north/alerts/{number}")).await;
    let page = text(c).await;
    assert!(
        page.contains("Flood warning for Riverside") && page.contains("What to do"),
        "{page}"
    );
    check("public alert", c).await;
    visit(c, &app, "/cap/north").await;
    assert!(text(c).await.contains("Flood warning for Riverside"));
    check("public list", c).await;
    assert_valid_cap(&cap_xml(&app, number.parse().unwrap()).await);
    assert!(
        violations.is_empty(),
        "accessibility violations:\n{}",
        violations.join("\n")
    );
}
