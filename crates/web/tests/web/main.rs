//! The web app end to end: the app runs on port 0 over a fresh database (SQLite and
//! PostgreSQL), and is driven over HTTP and, for the pages, by headless Chromium.
#![allow(clippy::unwrap_used, clippy::string_slice)] // test code: a panic is a failed test

mod access;
mod api;
mod browser;
mod estate;
mod exercises;
mod hardening;
mod incidents;
mod observability;
mod people;
mod replicas;
mod requests;
mod risks;
mod sign_on;
mod warnings;
mod workbooks;

use bulwark_store::{Actor, Backend, Role, Store};
use bulwark_testkit::TestDatabase;
use bulwark_web::{AppState, Settings, password};
use serde_json::Value;

/// A date written the ISO way, for test data.
pub fn day(iso: &str) -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(iso, "%Y-%m-%d").unwrap()
}

/// A small model with a redundant pair of sites on one substation, a service other
/// services need, and a risk.
pub const MODEL: &str = r#"bulwark: 1
organisations:
  - {id: org, name: Test Council}
skills:
  - {id: carer, name: Carer, headcount: 10}
services:
  - id: triage
    name: Triage desk
    criticality: high
    mtpd: 1d
    rto: 8h
    needs: [caseapp]
  - id: care
    name: Home care
    criticality: critical
    mtpd: 1d
    rto: 4h
    mbco: 60%
    needs: [triage, {any: [hall, depot]}]
    staff: [{skill: carer, fte: 8}]
    impacts: {4h: 2, 1d: 4, 3d: 5}
    workarounds:
      - {name: Phone rounds by the duty team, capacity: 40%, after: 2h, lasts: 3d}
assets:
  - {id: substation, name: Substation, kind: utility}
  - {id: hall, name: Town Hall, kind: site, needs: [substation]}
  - {id: depot, name: Depot, kind: site, needs: [substation]}
  - {id: caseapp, name: Case app, kind: it-system}
risks:
  - {id: flood, name: River flooding, likelihood: 4, impact: 4, category: natural hazards}
scenarios:
  - id: power-cut
    name: Power cut at the substation
    horizon: 3d
    events:
      - {outage: substation, at: 2h, for: 30h}
  - id: pandemic-wave
    name: Pandemic wave
    horizon: 30d
    events:
      - absence: carer
        profile: [[0d, 0%], [10d, 50%], [20d, 0%]]
"#;

/// A site administrator (key, email), a member of no organisation.
pub const SITE_ADMIN: (&str, &str) = ("site-admin", "admin@bulwark.test");

/// A running app with two organisations and their people.
pub struct App {
    /// Base URL, like `http://127.0.0.1:PORT`.
    pub base: String,
    /// Its database.
    pub store: Store,
    /// API tokens by user key: north-viewer, north-editor, north-coordinator, north-admin,
    /// south-admin.
    pub tokens: Vec<(&'static str, String)>,
    _db: TestDatabase,
}

/// Every test user's password (they are distinct accounts).
pub const PASSWORD: &str = "correct horse battery staple";

/// The test users: (key, email, organisation, role).
pub const USERS: [(&str, &str, &str, Role); 5] = [
    ("north-viewer", "viewer@north.test", "north", Role::Viewer),
    ("north-editor", "editor@north.test", "north", Role::Editor),
    (
        "north-coordinator",
        "coordinator@north.test",
        "north",
        Role::HubCoordinator,
    ),
    ("north-admin", "admin@north.test", "north", Role::Admin),
    ("south-admin", "admin@south.test", "south", Role::Admin),
];

impl App {
    /// Starts the app on `backend` with organisations `north` and `south` and the users.
    pub async fn start(backend: Backend) -> App {
        App::start_with(backend, Settings::default()).await
    }

    /// Starts the app like [`App::start`], with `settings`.
    pub async fn start_with(backend: Backend, settings: Settings) -> App {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        App::start_on(backend, listener, settings).await
    }

    /// Starts the app like [`App::start`] on `listener` (bound first when the settings
    /// need the app's address), with `settings`.
    pub async fn start_on(
        backend: Backend,
        listener: tokio::net::TcpListener,
        mut settings: Settings,
    ) -> App {
        let keys = settings
            .people_keys
            .get_or_insert_with(|| std::sync::Arc::new(bulwark_store::Keyring::ephemeral()))
            .clone();
        let db = TestDatabase::new(backend).await;
        let store = db.store().await;
        let actor = Actor {
            user_id: None,
            label: "test".into(),
        };
        let hash = password::hash(PASSWORD);
        let mut tokens = Vec::new();
        for slug in ["north", "south"] {
            let org = store
                .create_org(slug, &format!("{slug} council"))
                .await
                .unwrap();
            let model = bulwark_model::load_str("m.yaml", MODEL);
            assert!(model.is_valid());
            store
                .replace_model(
                    org.id,
                    &bulwark_model::export::to_value(&model.model),
                    None,
                    &actor,
                )
                .await
                .unwrap();
        }
        for (key, email, slug, role) in USERS {
            let user = store.create_user(email, key, &hash, false).await.unwrap();
            let org = store.org_by_slug(slug).await.unwrap().unwrap();
            store
                .set_membership(user.id, org.id, role, &actor)
                .await
                .unwrap();
            tokens.push((key, store.create_token(user.id, "test").await.unwrap()));
        }
        let admin = store
            .create_user(SITE_ADMIN.1, "Site administrator", &hash, true)
            .await
            .unwrap();
        tokens.push((
            SITE_ADMIN.0,
            store.create_token(admin.id, "test").await.unwrap(),
        ));
        seed_exercises(&store, &actor).await;
        warnings::seed(&store).await;
        incidents::seed(&store).await;
        people::seed(&store, &keys).await;
        let base = format!("http://{}", listener.local_addr().unwrap());
        let state = AppState::with_settings(store.clone(), settings);
        let service =
            bulwark_web::app(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
        tokio::spawn(async move { axum::serve(listener, service).await.unwrap() });
        App {
            base,
            store,
            tokens,
            _db: db,
        }
    }

    /// Starts a second server on the same database, with its own connections and its own
    /// caches, as a second replica behind a load balancer would be; returns its base URL.
    pub async fn replica(&self) -> String {
        let store = Store::connect(&self._db.url).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let service = bulwark_web::app(AppState::new(store, false))
            .into_make_service_with_connect_info::<std::net::SocketAddr>();
        tokio::spawn(async move { axum::serve(listener, service).await.unwrap() });
        base
    }

    /// Replaces north's model with `text` through the API, as its administrator; the import
    /// must succeed.
    pub async fn import_model(&self, text: impl Into<String>) {
        let r = reqwest::Client::new()
            .put(format!("{}/api/orgs/north/model", self.base))
            .bearer_auth(self.token("north-admin"))
            .header("content-type", "application/yaml")
            .body(text.into())
            .send()
            .await
            .unwrap();
        let status = r.status();
        assert_eq!(status, 200, "{}", r.text().await.unwrap());
    }

    /// The API token of user `key`.
    pub fn token(&self, key: &str) -> &str {
        &self
            .tokens
            .iter()
            .find(|(k, _)| *k == key)
            .expect("a test user")
            .1
    }

    /// Opens the sign-in page with `client` (which keeps its cookie) and returns the token
    /// its form carries.
    pub async fn sign_in_token(&self, client: &reqwest::Client) -> String {
        let page = page_text(client, format!("{}/login", self.base)).await;
        hidden(&page, "csrf")
    }

    /// A client with a cookie jar, signed in as user `key`; returns it and its CSRF token.
    pub async fn browser_client(&self, key: &str) -> (reqwest::Client, String) {
        let email = USERS
            .iter()
            .map(|u| (u.0, u.1))
            .chain([SITE_ADMIN])
            .find(|u| u.0 == key)
            .expect("a test user")
            .1;
        let client = cookie_client();
        let csrf = self.sign_in_token(&client).await;
        let r = client
            .post(format!("{}/login", self.base))
            .form(&[
                ("email", email),
                ("password", PASSWORD),
                ("csrf", csrf.as_str()),
                ("next", "/"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "sign in as {key}");
        let page = page_text(&client, format!("{}/account/tokens", self.base)).await;
        let csrf = hidden(&page, "csrf");
        (client, csrf)
    }

    /// GET on the API as `key`.
    pub async fn get(&self, key: &str, path: &str) -> (u16, Value) {
        self.send(key, reqwest::Method::GET, path, None).await
    }

    /// A request to the API as `key`, with a JSON body if given.
    pub async fn send(
        &self,
        key: &str,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = reqwest::Client::new()
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(self.token(key));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let r = request.send().await.unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }
}

/// Gives `north` exercises 1, 2 and 3 (2 and 3 exist to be deleted), lesson 1 of exercise 1,
/// and action 1 of that lesson: the access matrix reaches them by these ids.
async fn seed_exercises(store: &Store, actor: &Actor) {
    let north = store.org_by_slug("north").await.unwrap().unwrap();
    for title in ["Exercise Dark Night", "Spare one", "Spare two"] {
        let details = bulwark_store::ExerciseDetails {
            title: title.into(),
            scenario_id: "power-cut".into(),
            held_on: day("2026-01-15"),
            format: bulwark_store::ExerciseFormat::Tabletop,
            lead: String::new(),
            objectives: String::new(),
            participants: Vec::new(),
        };
        store
            .create_exercise(north.id, &details, actor)
            .await
            .unwrap();
    }
    let lesson = store
        .add_lesson(
            north.id,
            1,
            "Generators untested",
            "",
            day("2026-01-15"),
            actor,
        )
        .await
        .unwrap();
    let details = bulwark_store::ActionDetails {
        description: "Test the depot generator monthly".into(),
        owner: "Facilities manager".into(),
        due_on: day("2026-06-30"),
        service_id: Some("care".into()),
        plan: None,
    };
    store
        .add_action(north.id, lesson, &details, actor)
        .await
        .unwrap();
}

/// The body of `GET url` through `client`, as text.
pub async fn page_text(client: &reqwest::Client, url: String) -> String {
    client.get(url).send().await.unwrap().text().await.unwrap()
}

/// A client that keeps cookies and does not follow redirects, like one browser tab.
pub fn cookie_client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The value of the first hidden input called `name` in a page.
pub fn hidden(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page
        .find(&marker)
        .unwrap_or_else(|| panic!("no hidden {name} in page"))
        + marker.len();
    page[start..].split('"').next().unwrap().to_string()
}
