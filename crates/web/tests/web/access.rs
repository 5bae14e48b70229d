//! The access matrix: every route × every role × own and other organisation, on both
//! databases. A member with enough role is served; too little role gets 403; anyone from
//! another organisation gets 404 (never the data); nobody signed in gets 401 or the sign-in page.

use super::{App, USERS};
use bulwark_store::Role;
use bulwark_testkit::BACKENDS;
use reqwest::Method;

/// (method, path with {org}, least role, body: form fields for pages, JSON for the API).
type Route = (Method, &'static str, Role, &'static str);

const PAGES: &[Route] = &[
    (Method::GET, "/o/{org}", Role::Viewer, ""),
    (Method::GET, "/o/{org}/services", Role::Viewer, ""),
    (Method::GET, "/o/{org}/services/care", Role::Viewer, ""),
    (
        Method::GET,
        "/o/{org}/services/care/graph.svg",
        Role::Viewer,
        "",
    ),
    (Method::GET, "/o/{org}/services/new", Role::Editor, ""),
    (Method::GET, "/o/{org}/services/care/edit", Role::Editor, ""),
    (Method::GET, "/o/{org}/assets", Role::Viewer, ""),
    (Method::GET, "/o/{org}/suppliers", Role::Viewer, ""),
    (Method::GET, "/o/{org}/skills", Role::Viewer, ""),
    (Method::GET, "/o/{org}/risks", Role::Viewer, ""),
    (Method::GET, "/o/{org}/what-if?fail=hall", Role::Viewer, ""),
    (Method::GET, "/o/{org}/import", Role::Admin, ""),
    (Method::GET, "/o/{org}/export.yaml", Role::Viewer, ""),
    (Method::GET, "/o/{org}/export.json", Role::Viewer, ""),
    (Method::GET, "/o/{org}/audit", Role::Viewer, ""),
    (Method::GET, "/o/{org}/members", Role::Admin, ""),
    (Method::GET, "/o/{org}/sharing", Role::Viewer, ""),
    (Method::POST, "/o/{org}/services/new", Role::Editor, "name="),
    (
        Method::POST,
        "/o/{org}/services/care/edit",
        Role::Editor,
        "name=&version=-1",
    ),
    (
        Method::POST,
        "/o/{org}/services/triage/delete",
        Role::Editor,
        "version=-1",
    ),
    (
        Method::POST,
        "/o/{org}/members",
        Role::Admin,
        "email=x&role=nobody",
    ),
    (
        Method::POST,
        "/o/{org}/members/999999/remove",
        Role::Admin,
        "",
    ),
    (
        Method::POST,
        "/o/{org}/sharing",
        Role::Admin,
        "service=&partner=",
    ),
    (
        Method::POST,
        "/o/{org}/sharing/remove",
        Role::Admin,
        "service=none&partner=0",
    ),
    (Method::POST, "/o/{org}/import", Role::Admin, "multipart"),
    (Method::GET, "/o/{org}/exercises", Role::Viewer, ""),
    (Method::GET, "/o/{org}/exercises/new", Role::Editor, ""),
    (Method::GET, "/o/{org}/exercises/1", Role::Viewer, ""),
    (Method::GET, "/o/{org}/exercises/1/edit", Role::Editor, ""),
    (Method::GET, "/o/{org}/exercises/1/report", Role::Viewer, ""),
    (
        Method::GET,
        "/o/{org}/exercises/1/lessons/new",
        Role::Editor,
        "",
    ),
    (
        Method::GET,
        "/o/{org}/lessons/1/actions/new",
        Role::Editor,
        "",
    ),
    (Method::GET, "/o/{org}/actions/1", Role::Viewer, ""),
    (Method::GET, "/o/{org}/lessons", Role::Viewer, ""),
    (Method::GET, "/o/{org}/programme", Role::Editor, ""),
    (
        Method::POST,
        "/o/{org}/exercises/new",
        Role::Editor,
        "title=",
    ),
    (
        Method::POST,
        "/o/{org}/exercises/1/edit",
        Role::Editor,
        "title=",
    ),
    (Method::POST, "/o/{org}/exercises/1/run", Role::Editor, ""),
    (
        Method::POST,
        "/o/{org}/exercises/1/lessons/new",
        Role::Editor,
        "title=",
    ),
    (
        Method::POST,
        "/o/{org}/lessons/1/actions/new",
        Role::Editor,
        "description=",
    ),
    (
        Method::POST,
        "/o/{org}/actions/1",
        Role::Editor,
        "status=done&evidence=",
    ),
    (
        Method::POST,
        "/o/{org}/programme",
        Role::Editor,
        "every-pandemic-wave=99",
    ),
    (Method::POST, "/o/{org}/exercises/2/delete", Role::Admin, ""),
];

const API: &[Route] = &[
    (Method::GET, "/api/orgs/{org}/services", Role::Viewer, ""),
    (
        Method::GET,
        "/api/orgs/{org}/services/care",
        Role::Viewer,
        "",
    ),
    (
        Method::PUT,
        "/api/orgs/{org}/services/care",
        Role::Editor,
        r#"{"name": "Care", "needs": ["nowhere"]}"#,
    ),
    (
        Method::DELETE,
        "/api/orgs/{org}/services/triage",
        Role::Editor,
        "",
    ),
    (Method::GET, "/api/orgs/{org}/assets", Role::Viewer, ""),
    (Method::GET, "/api/orgs/{org}/risks", Role::Viewer, ""),
    (Method::GET, "/api/orgs/{org}/spof", Role::Viewer, ""),
    (
        Method::POST,
        "/api/orgs/{org}/impact",
        Role::Viewer,
        r#"{"fail": ["hall"]}"#,
    ),
    (Method::GET, "/api/orgs/{org}/model", Role::Viewer, ""),
    (
        Method::PUT,
        "/api/orgs/{org}/model",
        Role::Admin,
        "bulwark: 1\nservices: [{id: x}]\n",
    ),
    (Method::GET, "/api/orgs/{org}/audit", Role::Viewer, ""),
    (Method::GET, "/api/orgs/{org}/shared", Role::Viewer, ""),
    (Method::GET, "/api/orgs/{org}/skills", Role::Viewer, ""),
    (Method::GET, "/api/orgs/{org}/members", Role::Admin, ""),
    (
        Method::PUT,
        "/api/orgs/{org}/members/nobody@nowhere.test",
        Role::Admin,
        r#"{"role": "viewer"}"#,
    ),
    (
        Method::DELETE,
        "/api/orgs/{org}/members/admin@north.test",
        Role::Admin,
        "",
    ),
    (Method::GET, "/api/orgs/{org}/shares", Role::Viewer, ""),
    (
        Method::PUT,
        "/api/orgs/{org}/shares/nothing/south",
        Role::Admin,
        "",
    ),
    (
        Method::DELETE,
        "/api/orgs/{org}/shares/care/nowhere",
        Role::Admin,
        "",
    ),
    (Method::GET, "/api/orgs/{org}/exercises", Role::Viewer, ""),
    (
        Method::POST,
        "/api/orgs/{org}/exercises",
        Role::Editor,
        r#"{"title": "", "scenario": "x", "held_on": "no", "format": "x"}"#,
    ),
    (Method::GET, "/api/orgs/{org}/exercises/1", Role::Viewer, ""),
    (
        Method::PUT,
        "/api/orgs/{org}/exercises/1",
        Role::Editor,
        r#"{"title": "", "scenario": "x", "held_on": "no", "format": "x"}"#,
    ),
    (
        Method::POST,
        "/api/orgs/{org}/exercises/1/run",
        Role::Editor,
        "",
    ),
    (
        Method::POST,
        "/api/orgs/{org}/exercises/1/lessons",
        Role::Editor,
        r#"{"title": ""}"#,
    ),
    (Method::GET, "/api/orgs/{org}/lessons", Role::Viewer, ""),
    (
        Method::POST,
        "/api/orgs/{org}/lessons/1/actions",
        Role::Editor,
        r#"{"description": "", "owner": "", "due_on": ""}"#,
    ),
    (
        Method::PUT,
        "/api/orgs/{org}/actions/1",
        Role::Editor,
        r#"{"status": "done"}"#,
    ),
    (Method::GET, "/api/orgs/{org}/programme", Role::Viewer, ""),
    (
        Method::PUT,
        "/api/orgs/{org}/programme/pandemic-wave",
        Role::Editor,
        r#"{"every_months": 48}"#,
    ),
    (
        Method::DELETE,
        "/api/orgs/{org}/exercises/3",
        Role::Admin,
        "",
    ),
];

fn expected(role: Role, own: bool, needed: Role) -> &'static str {
    match (own, role >= needed) {
        (false, _) => "404",
        (true, false) => "403",
        (true, true) => "served",
    }
}

fn outcome(status: u16) -> &'static str {
    match status {
        404 => "404",
        403 => "403",
        401 => "401",
        s if (200..500).contains(&s) => "served",
        _ => "error",
    }
}

#[tokio::test]
async fn every_route_checks_role_and_organisation() {
    for backend in BACKENDS {
        let app = App::start(backend).await;
        let mut failures = Vec::new();
        for (key, _, home, role) in USERS.iter().filter(|u| u.2 == "north") {
            let (client, csrf) = app.browser_client(key).await;
            for org in ["north", "south"] {
                let own = org == *home;
                for (method, path, needed, body) in PAGES {
                    let url = format!("{}{}", app.base, path.replace("{org}", org));
                    let mut req = client.request(method.clone(), &url);
                    if *method == Method::POST {
                        req = if *body == "multipart" {
                            req.multipart(
                                reqwest::multipart::Form::new()
                                    .text("csrf", csrf.clone())
                                    .text("text", ""),
                            )
                        } else {
                            let form = format!("csrf={csrf}&{body}");
                            req.header("content-type", "application/x-www-form-urlencoded")
                                .body(form)
                        };
                    }
                    let status = req.send().await.unwrap().status().as_u16();
                    let (want, got) = (expected(*role, own, *needed), outcome(status));
                    if want != got {
                        failures.push(format!(
                            "{backend:?} {key} {method} {url}: wanted {want}, got {status}"
                        ));
                    }
                }
                for (method, path, needed, body) in API {
                    let url = format!("{}{}", app.base, path.replace("{org}", org));
                    let mut req = reqwest::Client::new()
                        .request(method.clone(), &url)
                        .bearer_auth(app.token(key));
                    if !body.is_empty() {
                        let kind = if body.starts_with('{') {
                            "application/json"
                        } else {
                            "application/yaml"
                        };
                        req = req.header("content-type", kind).body(*body);
                    }
                    let status = req.send().await.unwrap().status().as_u16();
                    let (want, got) = (expected(*role, own, *needed), outcome(status));
                    if want != got {
                        failures.push(format!(
                            "{backend:?} {key} {method} {url}: wanted {want}, got {status}"
                        ));
                    }
                }
            }
        }
        // Nobody signed in: pages send to the sign-in page, the API answers 401.
        let anonymous = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        for (method, path, _, _) in PAGES {
            let r = anonymous
                .request(
                    method.clone(),
                    format!("{}{}", app.base, path.replace("{org}", "north")),
                )
                .send()
                .await
                .unwrap();
            let to_login = r.headers().get("location").is_some_and(|l| l == "/login");
            if !to_login {
                failures.push(format!("anonymous {method} {path}: got {}", r.status()));
            }
        }
        for (method, path, _, _) in API {
            let r = anonymous
                .request(
                    method.clone(),
                    format!("{}{}", app.base, path.replace("{org}", "north")),
                )
                .send()
                .await
                .unwrap();
            if r.status() != 401 {
                failures.push(format!("anonymous {method} {path}: got {}", r.status()));
            }
        }
        assert!(
            failures.is_empty(),
            "{} access failures:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }
}
