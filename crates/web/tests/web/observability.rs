//! What operators rely on to run Bulwark (issue 10, observability): metrics for Prometheus on
//! their own listener only, counted by route pattern; a request id on every answer, taken
//! from a proxy only when it is trusted; and a reference to quote on failure pages.

use super::{MODEL, PASSWORD, cookie_client, hidden, page_text};
use bulwark_store::{Actor, Backend, Role, Store};
use bulwark_testkit::{BACKENDS, TestDatabase};
use bulwark_web::{AppState, Settings, password};

/// A running app and its metrics listener, over one organisation `north` with a viewer.
struct Running {
    base: String,
    metrics: String,
    store: Store,
    token: String,
    _db: TestDatabase,
}

async fn start(backend: Backend, settings: Settings) -> Running {
    let db = TestDatabase::new(backend).await;
    let store = db.store().await;
    let actor = Actor {
        user_id: None,
        label: "test".into(),
    };
    let org = store.create_org("north", "North council").await.unwrap();
    let model = bulwark_model::load_str("m.yaml", MODEL);
    store
        .replace_model(
            org.id,
            &bulwark_model::export::to_value(&model.model),
            None,
            &actor,
        )
        .await
        .unwrap();
    let user = store
        .create_user(
            "viewer@north.test",
            "Viewer",
            &password::hash(PASSWORD),
            false,
        )
        .await
        .unwrap();
    store
        .set_membership(user.id, org.id, Role::Viewer, &actor)
        .await
        .unwrap();
    let token = store.create_token(user.id, "test").await.unwrap();
    let state = AppState::with_settings(store.clone(), settings);
    let app = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let metrics = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let (base, metrics_base) = (
        format!("http://{}", app.local_addr().unwrap()),
        format!("http://{}", metrics.local_addr().unwrap()),
    );
    tokio::spawn(bulwark_web::observability::serve_metrics(
        metrics,
        state.clone(),
    ));
    tokio::spawn(bulwark_web::serve(app, state));
    Running {
        base,
        metrics: metrics_base,
        store,
        token,
        _db: db,
    }
}

/// The value of one series (its name and labels exactly as exposed), if it is there.
fn series(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
        .map(|v| v.split(' ').next().unwrap().parse().unwrap())
}

#[tokio::test]
async fn metrics_count_requests_by_route_pattern_on_their_own_listener_only() {
    for backend in BACKENDS {
        let app = start(backend, Settings::default()).await;
        let client = reqwest::Client::new();
        for _ in 0..2 {
            let r = client
                .get(format!("{}/api/orgs/north/services", app.base))
                .bearer_auth(&app.token)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
        }
        // Not found, by a path no route matches: counted, but not by its path.
        let r = client
            .get(format!("{}/no/such/page-1234", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);
        // The app itself has no metrics to give anyone.
        let r = client
            .get(format!("{}/metrics", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{backend:?}: no public /metrics");
        assert!(!r.text().await.unwrap().contains("bulwark_http_requests"));

        let r = client
            .get(format!("{}/metrics", app.metrics))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/openmetrics-text")
        );
        let text = r.text().await.unwrap();
        assert_eq!(
            series(
                &text,
                r#"bulwark_http_requests_total{route="/api/orgs/{org}/services",method="GET",status="2xx"}"#
            ),
            Some(2.0),
            "{backend:?}: counted by pattern\n{text}"
        );
        assert_eq!(
            series(
                &text,
                r#"bulwark_http_request_duration_seconds_count{route="/api/orgs/{org}/services",method="GET"}"#
            ),
            Some(2.0),
            "{text}"
        );
        assert_eq!(
            series(
                &text,
                r#"bulwark_http_requests_total{route="unmatched",method="GET",status="4xx"}"#
            ),
            Some(2.0),
            "the page that is not there and the app's /metrics\n{text}"
        );
        assert!(
            !text.contains("north") && !text.contains("page-1234"),
            "no concrete path is a label\n{text}"
        );
        // The model was loaded once, then served from memory.
        assert_eq!(series(&text, "bulwark_model_cache_misses_total"), Some(1.0));
        assert_eq!(series(&text, "bulwark_model_cache_hits_total"), Some(1.0));
        assert_eq!(series(&text, "bulwark_model_cache_entries"), Some(1.0));
        let max = series(&text, "bulwark_db_pool_max_connections").unwrap();
        let open = series(&text, "bulwark_db_pool_connections").unwrap();
        assert!(max >= 1.0 && (1.0..=max).contains(&open), "{text}");
        assert_eq!(
            series(&text, r#"bulwark_jobs_limit{kind="analysis"}"#),
            Some(Settings::default().max_jobs as f64)
        );
        assert_eq!(
            series(&text, r#"bulwark_jobs_running{kind="analysis"}"#),
            Some(0.0)
        );
        assert_eq!(
            series(&text, r#"bulwark_jobs_queued{kind="analysis"}"#),
            Some(0.0)
        );
        assert_eq!(
            series(
                &text,
                &format!(
                    "bulwark_build_info{{version=\"{}\"}}",
                    env!("CARGO_PKG_VERSION")
                )
            ),
            Some(1.0)
        );
        // The metrics listener serves nothing of the app.
        for path in ["/healthz", "/api/orgs/north/services", "/"] {
            let r = client
                .get(format!("{}{path}", app.metrics))
                .bearer_auth(&app.token)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 404, "{path} on the metrics listener");
        }
    }
}

#[tokio::test]
async fn refused_and_failed_sign_ins_are_counted() {
    let app = start(Backend::Sqlite, Settings::default()).await;
    // Three failures are free, then each attempt must wait twice as long as the last.
    for _ in 0..8 {
        let client = cookie_client();
        let csrf = hidden(
            &page_text(&client, format!("{}/login", app.base)).await,
            "csrf",
        );
        client
            .post(format!("{}/login", app.base))
            .form(&[
                ("csrf", csrf.as_str()),
                ("email", "viewer@north.test"),
                ("password", "wrong guess"),
            ])
            .send()
            .await
            .unwrap();
    }
    let text = page_text(&reqwest::Client::new(), format!("{}/metrics", app.metrics)).await;
    let failed = series(&text, "bulwark_signin_failures_total").unwrap();
    let throttled = series(&text, "bulwark_signin_throttled_total").unwrap();
    assert!(failed >= 3.0, "{text}");
    assert_eq!(failed + throttled, 8.0, "{text}");
    assert!(throttled >= 1.0, "{text}");
}

/// The `x-request-id` of a response.
fn request_id(r: &reqwest::Response) -> String {
    r.headers()["x-request-id"].to_str().unwrap().to_string()
}

#[tokio::test]
async fn every_answer_carries_a_request_id_and_a_proxys_is_kept_only_when_trusted() {
    let client = reqwest::Client::new();
    let direct = start(Backend::Sqlite, Settings::default()).await;
    let mut seen = Vec::new();
    for path in ["/healthz", "/no/such/page", "/login"] {
        let r = client
            .get(format!("{}{path}", direct.base))
            .header("x-request-id", "chosen-by-the-caller")
            .send()
            .await
            .unwrap();
        let id = request_id(&r);
        assert_eq!(id.len(), 16, "{path}: {id}");
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit()), "{path}: {id}");
        seen.push(id);
    }
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 3, "a new id for each request");

    let proxied = start(
        Backend::Sqlite,
        Settings {
            behind_proxy: true,
            ..Settings::default()
        },
    )
    .await;
    let r = client
        .get(format!("{}/healthz", proxied.base))
        .header("x-request-id", "lb-7f3a-0001")
        .send()
        .await
        .unwrap();
    assert_eq!(request_id(&r), "lb-7f3a-0001", "the proxy's id is kept");
    // One that could forge a log line or a header is replaced.
    let r = client
        .get(format!("{}/healthz", proxied.base))
        .header("x-request-id", "x\" injected=\"1")
        .send()
        .await
        .unwrap();
    assert_eq!(request_id(&r).len(), 16);
    let r = client
        .get(format!("{}/healthz", proxied.base))
        .send()
        .await
        .unwrap();
    assert_eq!(request_id(&r).len(), 16, "one is made when none comes");
}

#[tokio::test]
async fn a_failure_page_gives_the_reference_to_quote_and_others_do_not() {
    let app = start(Backend::Sqlite, Settings::default()).await;
    let client = reqwest::Client::new();
    let r = client
        .get(format!("{}/no/such/page", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert!(!r.text().await.unwrap().contains("quote reference"));
    // The database goes away: a signed-in page cannot be answered.
    app.store.close().await;
    let r = client
        .get(format!("{}/o/north/services", app.base))
        .header("cookie", "bulwark_session=some-session")
        .send()
        .await
        .unwrap();
    assert!(r.status().is_server_error(), "{}", r.status());
    let id = request_id(&r);
    let page = r.text().await.unwrap();
    assert!(
        page.contains(&format!("quote reference <strong>{id}</strong>")),
        "{page}"
    );
}
