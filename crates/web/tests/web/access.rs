//! The access matrix, generated from the app's own route table: every declared route must
//! have an entry here saying which access it needs (a route without one fails the suite, and
//! so does an entry whose route is gone), and every route is then tried by every kind of
//! caller on both databases: a member with enough role is served; too little role gets 403;
//! anyone from another organisation gets 404 (never the data); nobody signed in gets 401 or
//! the sign-in page. The gate's own rules (CSRF on every form, cross-site posts refused) are
//! tried on every state-changing page route too.

use super::{App, SITE_ADMIN, USERS, cookie_client};
use bulwark_store::{Actor, Role};
use bulwark_testkit::BACKENDS;
use bulwark_web::routes::{Guard, RouteInfo, table};
use reqwest::Method;

/// An entry: (method, route pattern, the access it must need, a concrete path with
/// `{org}`, a body: form fields for pages, JSON or YAML for the API).
type Entry = (Method, &'static str, Guard, &'static str, &'static str);

const V: Guard = Guard::Member(Role::Viewer);
const E: Guard = Guard::Member(Role::Editor);
const A: Guard = Guard::Member(Role::Admin);
const AV: Guard = Guard::ApiMember(Role::Viewer);
const AE: Guard = Guard::ApiMember(Role::Editor);
const AA: Guard = Guard::ApiMember(Role::Admin);
const HC: Guard = Guard::Member(Role::HubCoordinator);
const AHC: Guard = Guard::ApiMember(Role::HubCoordinator);

const ENTRIES: &[Entry] = &[
    (Method::GET, "/", Guard::SignedIn, "/", ""),
    (Method::GET, "/docs/api", Guard::Public, "/docs/api", ""),
    (Method::GET, "/login", Guard::Public, "/login", ""),
    (
        Method::POST,
        "/login",
        Guard::Public,
        "/login",
        "email=&password=",
    ),
    (Method::POST, "/logout", Guard::SignedIn, "/logout", ""),
    (Method::GET, "/login/sso", Guard::Public, "/login/sso", ""),
    (
        Method::GET,
        "/login/sso/callback",
        Guard::Public,
        "/login/sso/callback?code=x&state=y",
        "",
    ),
    (Method::GET, "/healthz", Guard::Public, "/healthz", ""),
    (
        Method::GET,
        "/static/govuk.css",
        Guard::Public,
        "/static/govuk.css",
        "",
    ),
    (
        Method::GET,
        "/static/app.css",
        Guard::Public,
        "/static/app.css",
        "",
    ),
    (Method::GET, "/o/{org}", V, "/o/{org}", ""),
    (Method::GET, "/o/{org}/services", V, "/o/{org}/services", ""),
    (
        Method::GET,
        "/o/{org}/services/new",
        E,
        "/o/{org}/services/new",
        "",
    ),
    (
        Method::POST,
        "/o/{org}/services/new",
        E,
        "/o/{org}/services/new",
        "name=",
    ),
    (
        Method::GET,
        "/o/{org}/services/{id}",
        V,
        "/o/{org}/services/care",
        "",
    ),
    (
        Method::GET,
        "/o/{org}/services/{id}/edit",
        E,
        "/o/{org}/services/care/edit",
        "",
    ),
    (
        Method::POST,
        "/o/{org}/services/{id}/edit",
        E,
        "/o/{org}/services/care/edit",
        "name=&version=-1",
    ),
    (
        Method::POST,
        "/o/{org}/services/{id}/delete",
        E,
        "/o/{org}/services/triage/delete",
        "version=-1",
    ),
    (
        Method::GET,
        "/o/{org}/services/{id}/graph.svg",
        V,
        "/o/{org}/services/care/graph.svg",
        "",
    ),
    (Method::GET, "/o/{org}/assets", V, "/o/{org}/assets", ""),
    (Method::GET, "/o/{org}/estate", V, "/o/{org}/estate", ""),
    (
        Method::GET,
        "/o/{org}/estate/catalogue",
        V,
        "/o/{org}/estate/catalogue",
        "",
    ),
    (
        Method::POST,
        "/o/{org}/estate/catalogue",
        A,
        "/o/{org}/estate/catalogue",
        "catalogue=",
    ),
    (
        Method::GET,
        "/o/{org}/suppliers",
        V,
        "/o/{org}/suppliers",
        "",
    ),
    (Method::GET, "/o/{org}/skills", V, "/o/{org}/skills", ""),
    (Method::GET, "/o/{org}/risks", V, "/o/{org}/risks", ""),
    (
        Method::GET,
        "/o/{org}/risks/appetite",
        A,
        "/o/{org}/risks/appetite",
        "",
    ),
    (
        Method::POST,
        "/o/{org}/risks/appetite",
        A,
        "/o/{org}/risks/appetite",
        "impact-5=2&impact-4=3&impact-3=4&impact-2=never&impact-1=never",
    ),
    (
        Method::GET,
        "/o/{org}/what-if",
        V,
        "/o/{org}/what-if?fail=hall",
        "",
    ),
    (
        Method::GET,
        "/o/{org}/exercises",
        V,
        "/o/{org}/exercises",
        "",
    ),
    (
        Method::GET,
        "/o/{org}/exercises/new",
        E,
        "/o/{org}/exercises/new",
        "",
    ),
    (
        Method::POST,
        "/o/{org}/exercises/new",
        E,
        "/o/{org}/exercises/new",
        "title=",
    ),
    (
        Method::GET,
        "/o/{org}/exercises/{id}",
        V,
        "/o/{org}/exercises/1",
        "",
    ),
    (
        Method::GET,
        "/o/{org}/exercises/{id}/edit",
        E,
        "/o/{org}/exercises/1/edit",
        "",
    ),
    (
        Method::POST,
        "/o/{org}/exercises/{id}/edit",
        E,
        "/o/{org}/exercises/1/edit",
        "title=",
    ),
    (
        Method::POST,
        "/o/{org}/exercises/{id}/delete",
        A,
        "/o/{org}/exercises/2/delete",
        "",
    ),
    (
        Method::POST,
        "/o/{org}/exercises/{id}/run",
        E,
        "/o/{org}/exercises/1/run",
        "",
    ),
    (
        Method::GET,
        "/o/{org}/exercises/{id}/report",
        V,
        "/o/{org}/exercises/1/report",
        "",
    ),
    (
        Method::GET,
        "/o/{org}/exercises/{id}/report.pdf",
        V,
        "/o/{org}/exercises/1/report.pdf",
        "",
    ),
    (
        Method::GET,
        "/o/{org}/exercises/{id}/lessons/new",
        E,
        "/o/{org}/exercises/1/lessons/new",
        "",
    ),
    (
        Method::POST,
        "/o/{org}/exercises/{id}/lessons/new",
        E,
        "/o/{org}/exercises/1/lessons/new",
        "title=",
    ),
    (
        Method::GET,
        "/o/{org}/lessons/{lesson}/actions/new",
        E,
        "/o/{org}/lessons/1/actions/new",
        "",
    ),
    (
        Method::POST,
        "/o/{org}/lessons/{lesson}/actions/new",
        E,
        "/o/{org}/lessons/1/actions/new",
        "description=",
    ),
    (
        Method::GET,
        "/o/{org}/actions/{id}",
        V,
        "/o/{org}/actions/1",
        "",
    ),
    (
        Method::POST,
        "/o/{org}/actions/{id}",
        E,
        "/o/{org}/actions/1",
        "status=done&evidence=",
    ),
    (Method::GET, "/o/{org}/lessons", V, "/o/{org}/lessons", ""),
    (
        Method::GET,
        "/o/{org}/programme",
        E,
        "/o/{org}/programme",
        "",
    ),
    (
        Method::POST,
        "/o/{org}/programme",
        E,
        "/o/{org}/programme",
        "every-pandemic-wave=99",
    ),
    (Method::GET, "/o/{org}/import", A, "/o/{org}/import", ""),
    (
        Method::POST,
        "/o/{org}/import",
        A,
        "/o/{org}/import",
        "multipart",
    ),
    (
        Method::GET,
        "/o/{org}/export.yaml",
        V,
        "/o/{org}/export.yaml",
        "",
    ),
    (
        Method::GET,
        "/o/{org}/export.json",
        V,
        "/o/{org}/export.json",
        "",
    ),
    (
        Method::GET,
        "/o/{org}/export.xlsx",
        V,
        "/o/{org}/export.xlsx",
        "",
    ),
    (
        Method::GET,
        "/o/{org}/bia-template.xlsx",
        V,
        "/o/{org}/bia-template.xlsx",
        "",
    ),
    (Method::GET, "/o/{org}/audit", V, "/o/{org}/audit", ""),
    (Method::GET, "/o/{org}/members", A, "/o/{org}/members", ""),
    (
        Method::POST,
        "/o/{org}/members",
        A,
        "/o/{org}/members",
        "email=x&role=nobody",
    ),
    (
        Method::POST,
        "/o/{org}/members/{user}/remove",
        A,
        "/o/{org}/members/999999/remove",
        "",
    ),
    (Method::GET, "/o/{org}/sign-on", A, "/o/{org}/sign-on", ""),
    (
        Method::POST,
        "/o/{org}/sign-on",
        A,
        "/o/{org}/sign-on",
        "kind=email-domain&domain=example.gov.uk&role=viewer",
    ),
    (
        Method::POST,
        "/o/{org}/sign-on/{id}/remove",
        A,
        "/o/{org}/sign-on/1/remove",
        "",
    ),
    (Method::GET, "/o/{org}/sharing", V, "/o/{org}/sharing", ""),
    (
        Method::POST,
        "/o/{org}/sharing",
        A,
        "/o/{org}/sharing",
        "service=&partner=",
    ),
    (
        Method::POST,
        "/o/{org}/sharing/remove",
        A,
        "/o/{org}/sharing/remove",
        "service=none&partner=0",
    ),
    (
        Method::GET,
        "/o/{org}/shared/{owner}/{service}",
        V,
        "/o/{org}/shared/{partner}/care",
        "",
    ),
    (
        Method::GET,
        "/account/tokens",
        Guard::SignedIn,
        "/account/tokens",
        "",
    ),
    (
        Method::POST,
        "/account/tokens",
        Guard::SignedIn,
        "/account/tokens",
        "name=",
    ),
    (
        Method::POST,
        "/account/tokens/{id}/delete",
        Guard::SignedIn,
        "/account/tokens/{token}/delete",
        "",
    ),
    (Method::GET, "/admin", Guard::SiteAdmin, "/admin", ""),
    (
        Method::POST,
        "/admin",
        Guard::SiteAdmin,
        "/admin",
        "action=org&name=",
    ),
    (
        Method::GET,
        "/api/openapi.json",
        Guard::Public,
        "/api/openapi.json",
        "",
    ),
    (Method::GET, "/api/orgs", Guard::ApiCaller, "/api/orgs", ""),
    (
        Method::GET,
        "/api/orgs/{org}/services",
        AV,
        "/api/orgs/{org}/services",
        "",
    ),
    (
        Method::GET,
        "/api/orgs/{org}/services/{id}",
        AV,
        "/api/orgs/{org}/services/care",
        "",
    ),
    (
        Method::PUT,
        "/api/orgs/{org}/services/{id}",
        AE,
        "/api/orgs/{org}/services/care",
        r#"{"name": "Care", "needs": ["nowhere"]}"#,
    ),
    (
        Method::DELETE,
        "/api/orgs/{org}/services/{id}",
        AE,
        "/api/orgs/{org}/services/triage",
        "",
    ),
    (
        Method::GET,
        "/api/orgs/{org}/assets",
        AV,
        "/api/orgs/{org}/assets",
        "",
    ),
    (
        Method::GET,
        "/api/orgs/{org}/risks",
        AV,
        "/api/orgs/{org}/risks",
        "",
    ),
    (
        Method::GET,
        "/api/orgs/{org}/skills",
        AV,
        "/api/orgs/{org}/skills",
        "",
    ),
    (
        Method::GET,
        "/api/orgs/{org}/members",
        AA,
        "/api/orgs/{org}/members",
        "",
    ),
    (
        Method::PUT,
        "/api/orgs/{org}/members/{email}",
        AA,
        "/api/orgs/{org}/members/nobody@nowhere.test",
        r#"{"role": "viewer"}"#,
    ),
    (
        Method::DELETE,
        "/api/orgs/{org}/members/{email}",
        AA,
        "/api/orgs/{org}/members/admin@north.test",
        "",
    ),
    (
        Method::GET,
        "/api/orgs/{org}/shares",
        AV,
        "/api/orgs/{org}/shares",
        "",
    ),
    (
        Method::PUT,
        "/api/orgs/{org}/shares/{service}/{partner}",
        AA,
        "/api/orgs/{org}/shares/nothing/south",
        "",
    ),
    (
        Method::DELETE,
        "/api/orgs/{org}/shares/{service}/{partner}",
        AA,
        "/api/orgs/{org}/shares/care/nowhere",
        "",
    ),
    (
        Method::GET,
        "/api/orgs/{org}/spof",
        AV,
        "/api/orgs/{org}/spof",
        "",
    ),
    (
        Method::GET,
        "/api/orgs/{org}/estate",
        AV,
        "/api/orgs/{org}/estate?today=2026-11-30",
        "",
    ),
    (
        Method::GET,
        "/api/orgs/{org}/suppliers",
        AV,
        "/api/orgs/{org}/suppliers",
        "",
    ),
    (
        Method::POST,
        "/api/orgs/{org}/impact",
        AV,
        "/api/orgs/{org}/impact",
        r#"{"fail": ["hall"]}"#,
    ),
    (
        Method::GET,
        "/api/orgs/{org}/model",
        AV,
        "/api/orgs/{org}/model",
        "",
    ),
    (
        Method::PUT,
        "/api/orgs/{org}/model",
        AA,
        "/api/orgs/{org}/model",
        "bulwark: 1\nservices: [{id: x}]\n",
    ),
    (
        Method::GET,
        "/api/orgs/{org}/model.xlsx",
        AV,
        "/api/orgs/{org}/model.xlsx",
        "",
    ),
    (
        Method::GET,
        "/api/orgs/{org}/audit",
        AV,
        "/api/orgs/{org}/audit",
        "",
    ),
    (
        Method::GET,
        "/api/orgs/{org}/exercises",
        AV,
        "/api/orgs/{org}/exercises",
        "",
    ),
    (
        Method::POST,
        "/api/orgs/{org}/exercises",
        AE,
        "/api/orgs/{org}/exercises",
        r#"{"title": "", "scenario": "x", "held_on": "no", "format": "x"}"#,
    ),
    (
        Method::GET,
        "/api/orgs/{org}/exercises/{id}",
        AV,
        "/api/orgs/{org}/exercises/1",
        "",
    ),
    (
        Method::PUT,
        "/api/orgs/{org}/exercises/{id}",
        AE,
        "/api/orgs/{org}/exercises/1",
        r#"{"title": "", "scenario": "x", "held_on": "no", "format": "x"}"#,
    ),
    (
        Method::DELETE,
        "/api/orgs/{org}/exercises/{id}",
        AA,
        "/api/orgs/{org}/exercises/3",
        "",
    ),
    (
        Method::POST,
        "/api/orgs/{org}/exercises/{id}/run",
        AE,
        "/api/orgs/{org}/exercises/1/run",
        "",
    ),
    (
        Method::POST,
        "/api/orgs/{org}/exercises/{id}/lessons",
        AE,
        "/api/orgs/{org}/exercises/1/lessons",
        r#"{"title": ""}"#,
    ),
    (
        Method::GET,
        "/api/orgs/{org}/lessons",
        AV,
        "/api/orgs/{org}/lessons",
        "",
    ),
    (
        Method::POST,
        "/api/orgs/{org}/lessons/{id}/actions",
        AE,
        "/api/orgs/{org}/lessons/1/actions",
        r#"{"description": "", "owner": "", "due_on": ""}"#,
    ),
    (
        Method::PUT,
        "/api/orgs/{org}/actions/{id}",
        AE,
        "/api/orgs/{org}/actions/1",
        r#"{"status": "done"}"#,
    ),
    (
        Method::GET,
        "/api/orgs/{org}/programme",
        AV,
        "/api/orgs/{org}/programme",
        "",
    ),
    (
        Method::PUT,
        "/api/orgs/{org}/programme/{scenario}",
        AE,
        "/api/orgs/{org}/programme/pandemic-wave",
        r#"{"every_months": 48}"#,
    ),
    (
        Method::GET,
        "/api/orgs/{org}/shared",
        AV,
        "/api/orgs/{org}/shared",
        "",
    ),
    (
        Method::GET,
        "/api/orgs/{org}/shared/{owner}/{service}",
        AV,
        "/api/orgs/{org}/shared/{partner}/care",
        "",
    ),
    // Public warnings: north and south each have warning 1 issued and warning 2 a draft.
    (Method::GET, "/o/{org}/warnings", V, "/o/{org}/warnings", ""),
    (
        Method::GET,
        "/o/{org}/warnings/new",
        E,
        "/o/{org}/warnings/new?template=flood",
        "",
    ),
    (
        Method::POST,
        "/o/{org}/warnings/new",
        E,
        "/o/{org}/warnings/new",
        "headline=",
    ),
    (
        Method::GET,
        "/o/{org}/warnings/settings",
        A,
        "/o/{org}/warnings/settings",
        "",
    ),
    (
        Method::POST,
        "/o/{org}/warnings/settings",
        A,
        "/o/{org}/warnings/settings",
        "sender=",
    ),
    (
        Method::GET,
        "/o/{org}/warnings/templates/{key}",
        E,
        "/o/{org}/warnings/templates/flood",
        "",
    ),
    (
        Method::POST,
        "/o/{org}/warnings/templates/{key}",
        E,
        "/o/{org}/warnings/templates/flood",
        "name=",
    ),
    (
        Method::GET,
        "/api/orgs/{org}/warning-templates",
        AV,
        "/api/orgs/{org}/warning-templates",
        "",
    ),
    (
        Method::GET,
        "/o/{org}/warnings/{id}",
        V,
        "/o/{org}/warnings/1",
        "",
    ),
    (
        Method::GET,
        "/o/{org}/warnings/{id}/edit",
        E,
        "/o/{org}/warnings/2/edit",
        "",
    ),
    (
        Method::POST,
        "/o/{org}/warnings/{id}/edit",
        E,
        "/o/{org}/warnings/2/edit",
        "headline=",
    ),
    (
        Method::POST,
        "/o/{org}/warnings/{id}/approve",
        E,
        "/o/{org}/warnings/2/approve",
        "",
    ),
    (
        Method::GET,
        "/o/{org}/warnings/{id}/update",
        E,
        "/o/{org}/warnings/1/update",
        "",
    ),
    (
        Method::POST,
        "/o/{org}/warnings/{id}/update",
        E,
        "/o/{org}/warnings/1/update",
        "headline=",
    ),
    (
        Method::GET,
        "/o/{org}/warnings/{id}/cancel",
        E,
        "/o/{org}/warnings/1/cancel",
        "",
    ),
    (
        Method::POST,
        "/o/{org}/warnings/{id}/cancel",
        E,
        "/o/{org}/warnings/1/cancel",
        "note=",
    ),
    (Method::GET, "/cap/{org}", Guard::Public, "/cap/{org}", ""),
    (
        Method::GET,
        "/cap/{org}/alerts/{alert}",
        Guard::Public,
        "/cap/{org}/alerts/1.xml",
        "",
    ),
    (
        Method::GET,
        "/cap/{org}/feed.atom",
        Guard::Public,
        "/cap/{org}/feed.atom",
        "",
    ),
    (
        Method::GET,
        "/api/orgs/{org}/warnings",
        AV,
        "/api/orgs/{org}/warnings",
        "",
    ),
    (
        Method::POST,
        "/api/orgs/{org}/warnings",
        AE,
        "/api/orgs/{org}/warnings",
        "{}",
    ),
    (
        Method::GET,
        "/api/orgs/{org}/warnings/{id}",
        AV,
        "/api/orgs/{org}/warnings/1",
        "",
    ),
    (
        Method::PUT,
        "/api/orgs/{org}/warnings/{id}",
        AE,
        "/api/orgs/{org}/warnings/2",
        "{}",
    ),
    (
        Method::POST,
        "/api/orgs/{org}/warnings/{id}/approve",
        AE,
        "/api/orgs/{org}/warnings/2/approve",
        "",
    ),
    (
        Method::POST,
        "/api/orgs/{org}/warnings/{id}/update",
        AE,
        "/api/orgs/{org}/warnings/1/update",
        "{}",
    ),
    (
        Method::POST,
        "/api/orgs/{org}/warnings/{id}/cancel",
        AE,
        "/api/orgs/{org}/warnings/1/cancel",
        "{}",
    ),
    // The incident room: north leads incident 1 (with mark 1 and action 1).
    (
        Method::GET,
        "/static/incident.js",
        Guard::Public,
        "/static/incident.js",
        "",
    ),
    (
        Method::GET,
        "/o/{org}/incidents",
        V,
        "/o/{org}/incidents",
        "",
    ),
    (
        Method::GET,
        "/o/{org}/incidents/new",
        E,
        "/o/{org}/incidents/new",
        "",
    ),
    (
        Method::POST,
        "/o/{org}/incidents/new",
        E,
        "/o/{org}/incidents/new",
        "title=",
    ),
    (
        Method::GET,
        "/o/{org}/incidents/{id}",
        V,
        "/o/{org}/incidents/1",
        "",
    ),
    (
        Method::GET,
        "/o/{org}/incidents/{id}/edit",
        E,
        "/o/{org}/incidents/1/edit",
        "",
    ),
    (
        Method::POST,
        "/o/{org}/incidents/{id}/edit",
        E,
        "/o/{org}/incidents/1/edit",
        "title=",
    ),
    (
        Method::GET,
        "/o/{org}/incidents/{id}/events",
        V,
        "/o/{org}/incidents/1/events",
        "",
    ),
    (
        Method::POST,
        "/o/{org}/incidents/{id}/partners",
        E,
        "/o/{org}/incidents/1/partners",
        "partner=south",
    ),
    (
        Method::POST,
        "/o/{org}/incidents/{id}/hold",
        A,
        "/o/{org}/incidents/1/hold",
        "hold=on",
    ),
    (
        Method::GET,
        "/o/{org}/incidents/{id}/methane",
        V,
        "/o/{org}/incidents/1/methane",
        "",
    ),
    (
        Method::POST,
        "/o/{org}/incidents/{id}/methane",
        E,
        "/o/{org}/incidents/1/methane",
        "exact_location=",
    ),
    (
        Method::POST,
        "/o/{org}/incidents/{id}/actions",
        E,
        "/o/{org}/incidents/1/actions",
        "description=",
    ),
    (
        Method::POST,
        "/o/{org}/incidents/{id}/actions/{action}",
        E,
        "/o/{org}/incidents/1/actions/1",
        "status=done",
    ),
    (
        Method::POST,
        "/o/{org}/incidents/{id}/rhythm",
        E,
        "/o/{org}/incidents/1/rhythm",
        "kind=meeting&title=",
    ),
    (
        Method::GET,
        "/o/{org}/incidents/{id}/board",
        V,
        "/o/{org}/incidents/1/board",
        "",
    ),
    (
        Method::POST,
        "/o/{org}/incidents/{id}/marks",
        E,
        "/o/{org}/incidents/1/marks",
        "item=",
    ),
    (
        Method::POST,
        "/o/{org}/incidents/{id}/marks/{mark}/restore",
        E,
        "/o/{org}/incidents/1/marks/1/restore",
        "",
    ),
    (
        Method::GET,
        "/o/{org}/incidents/{id}/sitreps",
        V,
        "/o/{org}/incidents/1/sitreps",
        "",
    ),
    (
        Method::POST,
        "/o/{org}/incidents/{id}/sitreps",
        E,
        "/o/{org}/incidents/1/sitreps",
        "situation=",
    ),
    (
        Method::GET,
        "/o/{org}/incidents/{id}/briefing",
        V,
        "/o/{org}/incidents/1/briefing",
        "",
    ),
    (
        Method::GET,
        "/o/{org}/incidents/{id}/debrief",
        V,
        "/o/{org}/incidents/1/debrief",
        "",
    ),
    (
        Method::POST,
        "/o/{org}/incidents/{id}/debrief/lessons",
        E,
        "/o/{org}/incidents/1/debrief/lessons",
        "",
    ),
    (
        Method::GET,
        "/o/{org}/incidents/{id}/log",
        V,
        "/o/{org}/incidents/1/log",
        "",
    ),
    (
        Method::GET,
        "/o/{org}/incidents/{id}/log/new",
        E,
        "/o/{org}/incidents/1/log/new",
        "",
    ),
    (
        Method::POST,
        "/o/{org}/incidents/{id}/log/new",
        E,
        "/o/{org}/incidents/1/log/new",
        "decision=",
    ),
    (
        Method::GET,
        "/o/{org}/incidents/{id}/log/verify",
        V,
        "/o/{org}/incidents/1/log/verify",
        "",
    ),
    (
        Method::GET,
        "/o/{org}/incidents/{id}/log/export.zip",
        V,
        "/o/{org}/incidents/1/log/export.zip",
        "",
    ),
    (
        Method::GET,
        "/api/orgs/{org}/incidents",
        AV,
        "/api/orgs/{org}/incidents",
        "",
    ),
    (
        Method::POST,
        "/api/orgs/{org}/incidents",
        AE,
        "/api/orgs/{org}/incidents",
        "{}",
    ),
    (
        Method::GET,
        "/api/orgs/{org}/incidents/{id}",
        AV,
        "/api/orgs/{org}/incidents/1",
        "",
    ),
    (
        Method::PUT,
        "/api/orgs/{org}/incidents/{id}",
        AE,
        "/api/orgs/{org}/incidents/1",
        "{}",
    ),
    (
        Method::GET,
        "/api/orgs/{org}/incidents/{id}/decisions",
        AV,
        "/api/orgs/{org}/incidents/1/decisions",
        "",
    ),
    (
        Method::POST,
        "/api/orgs/{org}/incidents/{id}/decisions",
        AE,
        "/api/orgs/{org}/incidents/1/decisions",
        "{}",
    ),
    (
        Method::GET,
        "/api/orgs/{org}/incidents/{id}/verify",
        AV,
        "/api/orgs/{org}/incidents/1/verify",
        "",
    ),
    (
        Method::GET,
        "/api/orgs/{org}/incidents/{id}/board",
        AV,
        "/api/orgs/{org}/incidents/1/board",
        "",
    ),
    (
        Method::POST,
        "/api/orgs/{org}/incidents/{id}/marks",
        AE,
        "/api/orgs/{org}/incidents/1/marks",
        "{}",
    ),
    (
        Method::POST,
        "/api/orgs/{org}/incidents/{id}/sitreps",
        AE,
        "/api/orgs/{org}/incidents/1/sitreps",
        "{}",
    ),
    (
        Method::POST,
        "/api/orgs/{org}/incidents/{id}/actions",
        AE,
        "/api/orgs/{org}/incidents/1/actions",
        "{}",
    ),
    (
        Method::PUT,
        "/api/orgs/{org}/incidents/{id}/actions/{action}",
        AE,
        "/api/orgs/{org}/incidents/1/actions/1",
        "{}",
    ),
    (
        Method::POST,
        "/api/orgs/{org}/incidents/{id}/methane",
        AE,
        "/api/orgs/{org}/incidents/1/methane",
        "{}",
    ),
    (
        Method::POST,
        "/api/orgs/{org}/incidents/{id}/partners",
        AE,
        "/api/orgs/{org}/incidents/1/partners",
        "{}",
    ),
    (
        Method::PUT,
        "/api/orgs/{org}/incidents/{id}/legal-hold",
        AA,
        "/api/orgs/{org}/incidents/1/legal-hold",
        "{}",
    ),
    (
        Method::POST,
        "/api/orgs/{org}/incidents/{id}/rhythm",
        AE,
        "/api/orgs/{org}/incidents/1/rhythm",
        "{}",
    ),
    (
        Method::POST,
        "/api/orgs/{org}/incidents/{id}/marks/{mark}/restore",
        AE,
        "/api/orgs/{org}/incidents/1/marks/1/restore",
        "{}",
    ),
    // Community support pages.
    (Method::GET, "/o/{org}/people", V, "/o/{org}/people", ""),
    (
        Method::GET,
        "/o/{org}/people/sources/new",
        HC,
        "/o/{org}/people/sources/new",
        "",
    ),
    (
        Method::POST,
        "/o/{org}/people/sources/new",
        HC,
        "/o/{org}/people/sources/new",
        "name=",
    ),
    (
        Method::GET,
        "/o/{org}/people/lists/new",
        HC,
        "/o/{org}/people/lists/new",
        "",
    ),
    (
        Method::POST,
        "/o/{org}/people/lists/new",
        HC,
        "/o/{org}/people/lists/new",
        "name=",
    ),
    (
        Method::GET,
        "/o/{org}/people/lists/{id}",
        HC,
        "/o/{org}/people/lists/1?purpose=access%20check&postcodes=NM1",
        "",
    ),
    (
        Method::GET,
        "/o/{org}/people/lists/{id}/people/new",
        HC,
        "/o/{org}/people/lists/1/people/new",
        "",
    ),
    (
        Method::POST,
        "/o/{org}/people/lists/{id}/people/new",
        HC,
        "/o/{org}/people/lists/1/people/new",
        "name=",
    ),
    (
        Method::GET,
        "/o/{org}/people/{id}",
        HC,
        "/o/{org}/people/1?purpose=access%20check",
        "",
    ),
    // Community support: north and south each have list 1 with person 1 on it.
    (
        Method::POST,
        "/api/orgs/{org}/people",
        AHC,
        "/api/orgs/{org}/people",
        "{}",
    ),
    (
        Method::POST,
        "/api/orgs/{org}/people/affected",
        AHC,
        "/api/orgs/{org}/people/affected",
        "{}",
    ),
    (
        Method::GET,
        "/api/orgs/{org}/people/{id}",
        AHC,
        "/api/orgs/{org}/people/1?purpose=access%20check",
        "",
    ),
    (
        Method::GET,
        "/api/orgs/{org}/people-sources",
        AV,
        "/api/orgs/{org}/people-sources",
        "",
    ),
    (
        Method::POST,
        "/api/orgs/{org}/people-sources",
        AHC,
        "/api/orgs/{org}/people-sources",
        "{}",
    ),
    (
        Method::GET,
        "/api/orgs/{org}/people-lists",
        AHC,
        "/api/orgs/{org}/people-lists",
        "",
    ),
    (
        Method::POST,
        "/api/orgs/{org}/people-lists",
        AHC,
        "/api/orgs/{org}/people-lists",
        "{}",
    ),
    (
        Method::PUT,
        "/api/orgs/{org}/people-lists/{id}/legal-hold",
        AA,
        "/api/orgs/{org}/people-lists/1/legal-hold",
        "{}",
    ),
    // The community hub: north and south each have request 1 and volunteer 1.
    (Method::GET, "/o/{org}/requests", V, "/o/{org}/requests", ""),
    (
        Method::GET,
        "/o/{org}/requests/new",
        E,
        "/o/{org}/requests/new",
        "",
    ),
    (
        Method::POST,
        "/o/{org}/requests/new",
        E,
        "/o/{org}/requests/new",
        "name=",
    ),
    (
        Method::GET,
        "/o/{org}/requests/{id}",
        HC,
        "/o/{org}/requests/1?purpose=access%20check",
        "",
    ),
    (
        Method::POST,
        "/o/{org}/requests/{id}/assign",
        HC,
        "/o/{org}/requests/1/assign",
        "kind=",
    ),
    (
        Method::POST,
        "/o/{org}/requests/{id}/status",
        HC,
        "/o/{org}/requests/1/status",
        "status=",
    ),
    (
        Method::GET,
        "/o/{org}/volunteers",
        HC,
        "/o/{org}/volunteers",
        "",
    ),
    (
        Method::GET,
        "/o/{org}/volunteers/new",
        HC,
        "/o/{org}/volunteers/new",
        "",
    ),
    (
        Method::POST,
        "/o/{org}/volunteers/new",
        HC,
        "/o/{org}/volunteers/new",
        "name=",
    ),
    (
        Method::POST,
        "/o/{org}/volunteers/{id}/hours",
        HC,
        "/o/{org}/volunteers/1/hours",
        "hours=",
    ),
    (
        Method::POST,
        "/o/{org}/volunteers/{id}/availability",
        HC,
        "/o/{org}/volunteers/1/availability",
        "available=yes",
    ),
    (Method::GET, "/help/{org}", Guard::Public, "/help/{org}", ""),
    (
        Method::POST,
        "/help/{org}",
        Guard::Public,
        "/help/{org}",
        "name=",
    ),
    (
        Method::GET,
        "/help/{org}/sent",
        Guard::Public,
        "/help/{org}/sent?reference=1",
        "",
    ),
    (
        Method::GET,
        "/api/orgs/{org}/requests",
        AV,
        "/api/orgs/{org}/requests",
        "",
    ),
    (
        Method::POST,
        "/api/orgs/{org}/requests",
        AE,
        "/api/orgs/{org}/requests",
        "{}",
    ),
    (
        Method::GET,
        "/api/orgs/{org}/requests/{id}",
        AHC,
        "/api/orgs/{org}/requests/1?purpose=access%20check",
        "",
    ),
    (
        Method::GET,
        "/api/orgs/{org}/requests/{id}/volunteers",
        AHC,
        "/api/orgs/{org}/requests/1/volunteers?purpose=access%20check",
        "",
    ),
    (
        Method::POST,
        "/api/orgs/{org}/requests/{id}/assign",
        AHC,
        "/api/orgs/{org}/requests/1/assign",
        "{}",
    ),
    (
        Method::POST,
        "/api/orgs/{org}/requests/{id}/status",
        AHC,
        "/api/orgs/{org}/requests/1/status",
        "{}",
    ),
    (
        Method::PUT,
        "/api/orgs/{org}/requests/{id}/legal-hold",
        AA,
        "/api/orgs/{org}/requests/1/legal-hold",
        "{}",
    ),
    (
        Method::GET,
        "/api/orgs/{org}/volunteers",
        AHC,
        "/api/orgs/{org}/volunteers?purpose=access%20check",
        "",
    ),
    (
        Method::POST,
        "/api/orgs/{org}/volunteers",
        AHC,
        "/api/orgs/{org}/volunteers",
        "{}",
    ),
    (
        Method::POST,
        "/api/orgs/{org}/volunteers/{id}/hours",
        AHC,
        "/api/orgs/{org}/volunteers/1/hours",
        "{}",
    ),
    (
        Method::PUT,
        "/api/orgs/{org}/volunteers/{id}/availability",
        AHC,
        "/api/orgs/{org}/volunteers/1/availability",
        "{}",
    ),
];

/// What a caller should get from a route with `guard`: `role` is `None` for nobody signed
/// in; `own` says whether the organisation in the address is the caller's.
fn expected(guard: Guard, role: Option<Role>, own: bool, site_admin: bool) -> &'static str {
    match (guard, role) {
        (Guard::Public, _) => "served",
        (Guard::ApiCaller | Guard::ApiMember(_), None) => "401",
        (_, None) => "sign-in",
        (Guard::SignedIn | Guard::ApiCaller, Some(_)) => "served",
        (Guard::SiteAdmin, Some(_)) if site_admin => "served",
        (Guard::SiteAdmin, Some(_)) => "403",
        (Guard::Member(_) | Guard::ApiMember(_), Some(_)) if !own => "404",
        (Guard::Member(needed) | Guard::ApiMember(needed), Some(role)) if role < needed => "403",
        (Guard::Member(_) | Guard::ApiMember(_), Some(_)) => "served",
    }
}

fn outcome(r: &reqwest::Response) -> &'static str {
    let to_login = r.headers().get("location").is_some_and(|l| l == "/login");
    match r.status().as_u16() {
        _ if to_login => "sign-in",
        404 => "404",
        403 => "403",
        401 => "401",
        s if (200..500).contains(&s) => "served",
        _ => "error",
    }
}

fn is_api(entry: &Entry) -> bool {
    entry.1.starts_with("/api/")
}

/// One request as a route's entry describes it; `csrf` is sent with page forms when given.
fn request(
    client: &reqwest::Client,
    base: &str,
    entry: &Entry,
    org: &str,
    partner: &str,
    csrf: Option<&str>,
) -> reqwest::RequestBuilder {
    let (method, _, _, path, body) = entry;
    let path = path.replace("{org}", org).replace("{partner}", partner);
    // A token of nobody's: routes that act on the caller's own token get a real one instead.
    let path = path.replace("{token}", "999999");
    let req = client.request(method.clone(), format!("{base}{path}"));
    if *method == Method::GET {
        return req;
    }
    if is_api(entry) {
        if body.is_empty() {
            return req;
        }
        let kind = if body.starts_with('{') {
            "application/json"
        } else {
            "application/yaml"
        };
        return req.header("content-type", kind).body(*body);
    }
    if *body == "multipart" {
        let mut form = reqwest::multipart::Form::new();
        if let Some(t) = csrf {
            form = form.text("csrf", t.to_string());
        }
        return req.multipart(form.text("text", ""));
    }
    let form = match csrf {
        Some(t) => format!("csrf={t}&{body}"),
        None => body.to_string(),
    };
    req.header("content-type", "application/x-www-form-urlencoded")
        .body(form)
}

#[test]
fn every_declared_route_has_an_entry_and_every_entry_a_route() {
    let routes: Vec<RouteInfo> = table();
    let mut problems = Vec::new();
    for r in &routes {
        match ENTRIES.iter().find(|e| e.0 == r.method && e.1 == r.path) {
            None => problems.push(format!(
                "{} {} is not in the access matrix: add an entry saying who may call it",
                r.method, r.path
            )),
            Some(e) if e.2 != r.guard => problems.push(format!(
                "{} {} is declared {:?} but the access matrix expects {:?}",
                r.method, r.path, r.guard, e.2
            )),
            Some(_) => {}
        }
    }
    for e in ENTRIES {
        let declared = routes.iter().any(|r| r.method == e.0 && r.path == e.1);
        // The PDF report exists only with the `pdf` feature.
        if !declared && !e.1.ends_with("report.pdf") {
            problems.push(format!("{} {} is in the matrix but not declared", e.0, e.1));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[tokio::test]
async fn every_route_checks_role_and_organisation() {
    let routes = table();
    let entries: Vec<&Entry> = ENTRIES
        .iter()
        .filter(|e| routes.iter().any(|r| r.method == e.0 && r.path == e.1))
        .collect();
    for backend in BACKENDS {
        let app = App::start(backend).await;
        let actor = Actor {
            user_id: None,
            label: "test".into(),
        };
        // Each organisation shares `care` with the other, so the shared routes have something
        // to show to members and to withhold from everyone else.
        let north = app.store.org_by_slug("north").await.unwrap().unwrap();
        let south = app.store.org_by_slug("south").await.unwrap().unwrap();
        app.store
            .share(north.id, "care", south.id, &actor)
            .await
            .unwrap();
        app.store
            .share(south.id, "care", north.id, &actor)
            .await
            .unwrap();
        let mut failures = Vec::new();
        let mut callers: Vec<(&str, Option<Role>, bool)> = USERS
            .iter()
            .filter(|u| u.2 == "north")
            .map(|u| (u.0, Some(u.3), false))
            .collect();
        callers.push((SITE_ADMIN.0, Some(Role::Viewer), true));
        for (key, role, is_site_admin) in callers {
            let (client, csrf) = app.browser_client(key).await;
            let api = reqwest::Client::new();
            for org in ["north", "south"] {
                let own = org == "north" && !is_site_admin;
                let partner = if org == "north" { "south" } else { "north" };
                for entry in &entries {
                    let req = if is_api(entry) {
                        request(&api, &app.base, entry, org, partner, None)
                            .bearer_auth(app.token(key))
                    } else if entry.1 == "/logout" {
                        // Signing out ends the session: use one of its own.
                        let (own, csrf) = app.browser_client(key).await;
                        request(&own, &app.base, entry, org, partner, Some(&csrf))
                    } else if entry.3.contains("{token}") {
                        // The caller's own token, made for this request.
                        let email = USERS
                            .iter()
                            .map(|u| (u.0, u.1))
                            .chain([SITE_ADMIN])
                            .find(|u| u.0 == key)
                            .unwrap()
                            .1;
                        let user = app.store.user_by_email(email).await.unwrap().unwrap();
                        app.store.create_token(user.id, "to delete").await.unwrap();
                        let id = app.store.tokens(user.id).await.unwrap()[0].id;
                        let entry = (
                            entry.0.clone(),
                            entry.1,
                            entry.2,
                            "/account/tokens/{id}/delete",
                            entry.4,
                        );
                        let path = entry.3.replace("{id}", &id.to_string());
                        client
                            .post(format!("{}{path}", app.base))
                            .header("content-type", "application/x-www-form-urlencoded")
                            .body(format!("csrf={csrf}"))
                    } else {
                        request(&client, &app.base, entry, org, partner, Some(&csrf))
                    };
                    let r = req.send().await.unwrap();
                    let (want, got) = (expected(entry.2, role, own, is_site_admin), outcome(&r));
                    // Signing out sends the caller to the sign-in page.
                    let want = if entry.1 == "/logout" {
                        "sign-in"
                    } else {
                        want
                    };
                    // The site administrator is a member of no organisation here.
                    let want = if is_site_admin
                        && matches!(entry.2, Guard::Member(_) | Guard::ApiMember(_))
                    {
                        "404"
                    } else {
                        want
                    };
                    if want != got {
                        failures.push(format!(
                            "{backend:?} {key} {} {}: wanted {want}, got {}",
                            entry.0,
                            entry.3.replace("{org}", org).replace("{partner}", partner),
                            r.status()
                        ));
                    }
                }
            }
        }
        // Nobody signed in.
        let anonymous = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        for entry in &entries {
            if entry.1 == "/login" && entry.0 == Method::POST {
                continue; // needs the sign-in form's own token: tried in the CSRF test
            }
            let r = request(&anonymous, &app.base, entry, "north", "south", None)
                .send()
                .await
                .unwrap();
            let (want, got) = (expected(entry.2, None, false, false), outcome(&r));
            // A state-changing page route refuses a form without a token before anything else.
            let want = if !is_api(entry) && entry.0 != Method::GET && want == "sign-in" {
                "served"
            } else {
                want
            };
            if want != got {
                failures.push(format!(
                    "anonymous {} {}: wanted {want}, got {}",
                    entry.0,
                    entry.3,
                    r.status()
                ));
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

#[tokio::test]
async fn every_form_needs_its_token_and_cross_site_posts_are_refused() {
    let routes = table();
    let forms: Vec<&Entry> = ENTRIES
        .iter()
        .filter(|e| !is_api(e) && e.0 != Method::GET)
        .filter(|e| routes.iter().any(|r| r.method == e.0 && r.path == e.1))
        .collect();
    assert!(forms.len() > 20, "the table lists the forms");
    let app = App::start(bulwark_store::Backend::Sqlite).await;
    let (client, csrf) = app.browser_client("north-admin").await;
    let mut failures = Vec::new();
    for entry in &forms {
        for (token, extra, want) in [
            (None, None, 400),
            (Some("not-the-token"), None, 400),
            (
                Some(csrf.as_str()),
                Some(("origin", "https://evil.example")),
                403,
            ),
            (Some(csrf.as_str()), Some(("origin", "null")), 403),
            (
                Some(csrf.as_str()),
                Some(("sec-fetch-site", "cross-site")),
                403,
            ),
            (
                Some(csrf.as_str()),
                Some(("sec-fetch-site", "same-site")),
                403,
            ),
        ] {
            let mut req = request(&client, &app.base, entry, "north", "south", token);
            if let Some((k, v)) = extra {
                req = req.header(k, v);
            }
            let status = req.send().await.unwrap().status().as_u16();
            if status != want {
                failures.push(format!(
                    "{} {} with token {token:?} and {extra:?}: wanted {want}, got {status}",
                    entry.0, entry.3
                ));
            }
        }
    }
    // The API refuses cross-site requests from browsers too.
    let r = reqwest::Client::new()
        .delete(format!("{}/api/orgs/north/services/triage", app.base))
        .bearer_auth(app.token("north-admin"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    if r.status() != 403 {
        failures.push(format!("cross-site API delete: {}", r.status()));
    }
    // Nothing above changed anything: triage is still there, nobody was added.
    let (status, _) = app
        .get("north-admin", "/api/orgs/north/services/triage")
        .await;
    assert_eq!(status, 200, "a refused request changed nothing");
    // The sign-in form needs the token its page set in a cookie.
    let fresh = cookie_client();
    let token = app.sign_in_token(&fresh).await;
    for (sent, want) in [("forged", 400), (token.as_str(), 200)] {
        let status = fresh
            .post(format!("{}/login", app.base))
            .form(&[
                ("csrf", sent),
                ("email", "nobody@north.test"),
                ("password", "wrong password here"),
            ])
            .send()
            .await
            .unwrap()
            .status()
            .as_u16();
        if status != want && !(want == 200 && status == 422) {
            failures.push(format!(
                "sign-in with token {sent}: wanted {want}, got {status}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn every_api_route_is_in_the_openapi_document_and_nothing_else() {
    let app = App::start(bulwark_store::Backend::Sqlite).await;
    let doc: serde_json::Value = reqwest::get(format!("{}/api/openapi.json", app.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let paths = doc["paths"].as_object().expect("paths");
    let declared: Vec<(String, String)> = table()
        .into_iter()
        .filter(|r| r.path.starts_with("/api/") && r.path != "/api/openapi.json")
        .map(|r| (r.path.to_string(), r.method.as_str().to_lowercase()))
        .collect();
    let mut problems = Vec::new();
    for (path, method) in &declared {
        if paths.get(path).and_then(|p| p.get(method)).is_none() {
            problems.push(format!("{method} {path} is not documented"));
        }
    }
    for (path, item) in paths {
        for method in ["get", "put", "post", "delete", "patch"] {
            if item.get(method).is_some() && !declared.contains(&(path.clone(), method.to_string()))
            {
                problems.push(format!("{method} {path} is documented but not routed"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
