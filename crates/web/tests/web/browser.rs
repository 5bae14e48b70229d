//! The pages in a real headless Chromium: signing in, editing a service's needs and seeing
//! a single point of failure appear and disappear, importing a broken model, being refused
//! another organisation, and an axe-core accessibility check (WCAG 2.2 AA) on every page.

use super::{App, PASSWORD};
use bulwark_store::Backend;
use bulwark_testkit::BACKENDS;
use bulwark_testkit::browser::Browser;
use fantoccini::{Client, Locator};

const AXE: &str = include_str!("../vendor/axe-4.14.1.min.js");

/// Runs axe-core on the current page and returns its WCAG A/AA violations.
pub async fn axe(c: &Client) -> Vec<String> {
    c.execute(AXE, vec![]).await.expect("axe loads");
    let script = r#"
        const done = arguments[arguments.length - 1];
        axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } })
           .then(r => done(r.violations.map(v => v.id + ': ' + v.help + ' at ' + v.nodes.map(n => n.target.join(' ')).join(', '))))
           .catch(e => done(['axe failed: ' + e]));
    "#;
    let v = c.execute_async(script, vec![]).await.expect("axe runs");
    serde_json::from_value(v).expect("a list of violations")
}

pub async fn visit(c: &Client, app: &App, path: &str) {
    c.goto(&format!("{}{path}", app.base))
        .await
        .expect("page loads");
}

pub async fn text(c: &Client) -> String {
    c.find(Locator::Css("main"))
        .await
        .expect("a main element")
        .text()
        .await
        .expect("text")
}

async fn spof(c: &Client) -> String {
    c.find(Locator::Id("spof"))
        .await
        .expect("a single points of failure section")
        .text()
        .await
        .expect("text")
}

pub async fn fill(c: &Client, id: &str, value: &str) {
    let field = c
        .find(Locator::Id(id))
        .await
        .unwrap_or_else(|_| panic!("field {id}"));
    field.clear().await.expect("clear");
    field.send_keys(value).await.expect("type");
}

/// Submits a form and waits for the next page to have loaded.
pub async fn submit(c: &Client, form_css: &str) {
    c.execute("window.__bulwarkOldPage = true;", vec![])
        .await
        .expect("mark the page");
    c.find(Locator::Css(&format!("{form_css} button")))
        .await
        .expect("a submit button")
        .click()
        .await
        .expect("click");
    for _ in 0..100 {
        let loaded = c
            .execute("return window.__bulwarkOldPage === undefined && document.readyState === 'complete';", vec![])
            .await
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        if loaded {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the page after submitting {form_css} did not load");
}

#[tokio::test]
async fn pages_work_in_a_real_browser_and_pass_axe() {
    let browser = Browser::start().await;
    let c = &browser.client;
    for backend in BACKENDS {
        c.delete_all_cookies().await.expect("a fresh browser state");
        let violations = journey(backend, c).await;
        assert!(
            violations.is_empty(),
            "accessibility violations on {backend:?}:\n{}",
            violations.join("\n")
        );
    }

    // The checker itself catches a violation when there is one.
    c.execute("document.querySelector('main').appendChild(document.createElement('img')).src = '/static/app.css';", vec![]).await.unwrap();
    assert!(
        axe(c).await.iter().any(|v| v.starts_with("image-alt")),
        "axe reports an image without a text alternative"
    );
}

/// A planner's session on one backend; returns the accessibility violations seen.
async fn journey(backend: Backend, c: &Client) -> Vec<String> {
    let app = App::start(backend).await;
    let mut violations = Vec::new();
    let mut check = async |page: &str, c: &Client| {
        for v in axe(c).await {
            violations.push(format!("{page}: {v}"));
        }
    };

    // Sign in: a wrong password shows an error summary, keeps the email, and is accessible.
    visit(c, &app, "/o/north/services").await;
    assert!(c.current_url().await.unwrap().path().starts_with("/login"));
    check("sign in", c).await;
    fill(c, "email", "admin@north.test").await;
    fill(c, "password", "not the password").await;
    submit(c, "form[action='/login']").await;
    assert!(text(c).await.contains("There is a problem"));
    assert_eq!(
        c.find(Locator::Id("email"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("admin@north.test")
    );
    check("sign in with an error", c).await;
    fill(c, "password", PASSWORD).await;
    submit(c, "form[action='/login']").await;
    assert!(text(c).await.contains("Dashboard"), "signed in");

    // Every page, checked by axe.
    for (name, path) in [
        ("dashboard", "/o/north"),
        ("services", "/o/north/services?criticality=critical"),
        ("service", "/o/north/services/care"),
        ("edit service", "/o/north/services/care/edit"),
        ("new service", "/o/north/services/new"),
        ("assets", "/o/north/assets"),
        ("estate", "/o/north/estate?on=2026-11-30"),
        ("estate with a wrong date", "/o/north/estate?on=31/11/2026"),
        ("technology catalogue", "/o/north/estate/catalogue"),
        ("suppliers", "/o/north/suppliers"),
        ("skills", "/o/north/skills"),
        ("risks", "/o/north/risks"),
        ("risk appetite", "/o/north/risks/appetite"),
        ("API reference", "/docs/api"),
        ("what if", "/o/north/what-if?fail=substation"),
        ("import", "/o/north/import"),
        ("members", "/o/north/members"),
        ("sharing", "/o/north/sharing"),
        ("audit", "/o/north/audit"),
        ("tokens", "/account/tokens"),
        ("exercises", "/o/north/exercises"),
        ("exercise", "/o/north/exercises/1"),
        ("exercise report", "/o/north/exercises/1/report"),
        ("edit exercise", "/o/north/exercises/1/edit"),
        ("new lesson", "/o/north/exercises/1/lessons/new"),
        ("new action", "/o/north/lessons/1/actions/new"),
        ("action", "/o/north/actions/1"),
        ("lessons", "/o/north/lessons"),
        ("programme", "/o/north/programme"),
    ] {
        visit(c, &app, path).await;
        assert!(
            !text(c).await.contains("Page not found"),
            "{name} is served"
        );
        check(name, c).await;
    }
    visit(c, &app, "/o/north/what-if?fail=substation").await;
    let answer = text(c).await;
    assert!(answer.contains("If Substation fails"), "{answer}");
    assert!(
        answer.contains(
            "Home care needs Town Hall (its alternative Depot is lost too), which needs Substation, which fails"
        ),
        "{answer}"
    );
    // Asking with nothing ticked says what to do.
    visit(c, &app, "/o/north/what-if?asked=yes").await;
    assert!(
        text(c)
            .await
            .contains("Choose at least one asset, service or skill that fails")
    );

    // Edit the needs: the hall becomes a single point of failure, then stops being one.
    visit(c, &app, "/o/north/services/care").await;
    assert!(spof(c).await.contains("Substation (substation)"));
    assert!(!spof(c).await.contains("Town Hall (hall)"));
    visit(c, &app, "/o/north/services/care/edit").await;
    fill(c, "needs", "triage\nhall").await;
    submit(c, "#service-form").await;
    assert!(
        c.current_url()
            .await
            .unwrap()
            .path()
            .ends_with("/services/care")
    );
    assert!(
        spof(c).await.contains("Town Hall (hall)"),
        "hall is now a single point of failure"
    );
    visit(c, &app, "/o/north/services/care/edit").await;
    fill(c, "needs", "triage\nany of: hall, depot").await;
    submit(c, "#service-form").await;
    assert!(
        !spof(c).await.contains("Town Hall (hall)"),
        "redundancy restored"
    );

    // A wrong edit keeps what was typed and explains every problem.
    visit(c, &app, "/o/north/services/care/edit").await;
    fill(c, "needs", "triage\nhal").await;
    fill(c, "mtpd", "24").await;
    submit(c, "#service-form").await;
    let page = text(c).await;
    assert!(
        page.contains("There is a problem") && page.contains("has no unit"),
        "{page}"
    );
    assert_eq!(
        c.find(Locator::Id("needs"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("triage\nhal")
    );
    check("edit service with errors", c).await;

    // Importing a broken model reports every problem and changes nothing.
    visit(c, &app, "/o/north/import").await;
    fill(c, "text", "bulwark: 1\nservices:\n  - {id: a, name: A, mtpd: 24}\n  - {id: b, name: B, needs: [nope]}\n").await;
    submit(c, "form[enctype='multipart/form-data']").await;
    let page = text(c).await;
    assert!(
        page.contains("pasted.yaml:3:") && page.contains("nope"),
        "{page}"
    );
    check("import with errors", c).await;
    visit(c, &app, "/o/north/services").await;
    assert!(
        text(c).await.contains("Showing 2 of 2 services"),
        "nothing was imported"
    );

    // Record an exercise: a wrong form keeps what was typed and says what to fix.
    visit(c, &app, "/o/north/exercises/new").await;
    fill(c, "title", "Exercise Lights Out").await;
    fill(c, "held-day", "31").await;
    fill(c, "held-month", "2").await;
    fill(c, "held-year", "2026").await;
    fill(
        c,
        "participants",
        "Moorside Homecare, social care\nNorthmoor Foodbank",
    )
    .await;
    submit(c, "form[action='/o/north/exercises/new']").await;
    let page = text(c).await;
    for wanted in [
        "There is a problem",
        "Choose the scenario",
        "real date",
        "Line 2",
    ] {
        assert!(page.contains(wanted), "{wanted} in {page}");
    }
    check("new exercise with errors", c).await;
    c.find(Locator::Css("#scenario option[value='power-cut']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::Id("format-tabletop"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    fill(c, "held-day", "14").await;
    fill(
        c,
        "participants",
        "Moorside Homecare, social care\nNorthmoor Foodbank, voluntary sector",
    )
    .await;
    submit(c, "form[action='/o/north/exercises/new']").await;
    assert!(text(c).await.contains("Exercise recorded"));

    // Run its simulation and read the report with its charts.
    submit(c, "form[action$='/run']").await;
    let page = text(c).await;
    assert!(
        page.contains("1 service(s) lost, 1 MTPD breach(es)"),
        "{page}"
    );
    c.find(Locator::LinkText("Read the exercise report"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let page = text(c).await;
    assert!(
        page.contains("Northmoor Foodbank") && page.contains("1d2h"),
        "{page}"
    );
    check("exercise report with a run", c).await;

    // A lesson, an action, and closing it only with evidence.
    visit(c, &app, "/o/north/exercises/1/lessons/new").await;
    fill(c, "title", "Depot generator untested").await;
    submit(c, "main form").await;
    assert!(text(c).await.contains("Lesson recorded"));
    fill(c, "description", "Test the generator").await;
    fill(c, "owner", "Facilities").await;
    fill(c, "due-day", "1").await;
    fill(c, "due-month", "4").await;
    fill(c, "due-year", "2027").await;
    fill(c, "plan", "Power resilience plan").await;
    submit(c, "main form").await;
    assert!(text(c).await.contains("Action added"));
    c.find(Locator::LinkText("Test the generator"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::Id("status-done"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    submit(c, "main form").await;
    assert!(text(c).await.contains("Describe the evidence"));
    check("action with errors", c).await;
    fill(
        c,
        "evidence",
        "Load test passed on 3 March, log in the facilities drive",
    )
    .await;
    submit(c, "main form").await;
    let page = text(c).await;
    assert!(
        page.contains("Action updated") && page.contains("Load test passed"),
        "{page}"
    );

    // Another organisation's data is refused, and the refusal page is accessible too.
    visit(c, &app, "/o/south/services/care").await;
    assert!(text(c).await.contains("Page not found"));
    check("not found", c).await;

    violations
}
