//! Single sign-on against a real OpenID Connect provider (the `oidc-provider` package, run
//! by Node.js from `tests/oidc`; `scripts/test` installs it): discovery, authorisation with
//! PKCE, the code exchange and a signed ID token, organisations' rules mapping people to
//! roles, the refusals, replayed and forged returns, and signing out at the provider.

use super::{App, PASSWORD, cookie_client, hidden, page_text};
use bulwark_store::{Backend, Role};
use bulwark_testkit::BACKENDS;
use bulwark_web::Settings;
use bulwark_web::sign_on::{Provider, SignOnSettings};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// The test provider, running until dropped.
struct OpenIdProvider {
    issuer: String,
    _process: Child,
}

impl OpenIdProvider {
    /// Starts the provider for a Bulwark at `bulwark` (its base URL).
    async fn start(bulwark: &str) -> OpenIdProvider {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/oidc");
        assert!(
            dir.join("node_modules/oidc-provider").is_dir(),
            "the test OpenID provider is not installed: run `npm ci --prefix crates/web/tests/oidc` (scripts/test does)"
        );
        let mut process = Command::new("node")
            .arg("provider.mjs")
            .arg(format!("{bulwark}/login/sso/callback"))
            .arg(format!("{bulwark}/login"))
            .current_dir(&dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("Node.js runs the test OpenID provider (install nodejs)");
        let stdout = process.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let first = tokio::time::timeout(std::time::Duration::from_secs(30), lines.next_line())
            .await
            .expect("the provider starts within 30 s")
            .unwrap()
            .expect("the provider says where it listens");
        let port = first.strip_prefix("listening ").expect("listening PORT");
        OpenIdProvider {
            issuer: format!("http://127.0.0.1:{port}"),
            _process: process,
        }
    }

    /// Makes `claims` (with `sub`) the next person to sign in.
    async fn next_person(&self, claims: Value) {
        let r = reqwest::Client::new()
            .post(format!("{}/test/next-person", self.issuer))
            .json(&claims)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 204);
    }
}

/// The app on `backend` registered with a fresh provider.
async fn start(backend: Backend) -> (App, OpenIdProvider) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let idp = OpenIdProvider::start(&base).await;
    let provider = Provider::new(SignOnSettings {
        issuer: idp.issuer.clone(),
        client_id: "bulwark".into(),
        client_secret: Some("test-client-secret".into()),
        public_url: base,
        provider_name: "Test ID".into(),
        trust_email: false,
        extra_scopes: Vec::new(),
    })
    .unwrap();
    let settings = Settings {
        sign_on: Some(Arc::new(provider)),
        ..Settings::default()
    };
    (App::start_on(backend, listener, settings).await, idp)
}

/// Follows redirects from `url` with `client` until one leads back to Bulwark's callback;
/// returns the callback URL (with the code and state).
async fn to_callback(app: &App, client: &reqwest::Client, url: String) -> String {
    let mut url = url;
    for _ in 0..12 {
        if url.starts_with(&format!("{}/login/sso/callback", app.base)) {
            return url;
        }
        let r = client.get(&url).send().await.unwrap();
        let status = r.status();
        let location = r
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap().to_string());
        let Some(location) = location else {
            panic!(
                "{url} answered {status} without a redirect: {}",
                r.text().await.unwrap()
            );
        };
        url = match location.starts_with('/') {
            true => {
                let origin = url.splitn(4, '/').take(3).collect::<Vec<_>>().join("/");
                format!("{origin}{location}")
            }
            false => location,
        };
    }
    panic!("too many redirects");
}

/// Signs in through the provider as `claims` with a fresh client; returns the client and
/// Bulwark's answer to the callback.
async fn sign_in(
    app: &App,
    idp: &OpenIdProvider,
    claims: Value,
) -> (reqwest::Client, reqwest::Response) {
    idp.next_person(claims).await;
    let client = cookie_client();
    let callback = to_callback(
        app,
        &client,
        format!("{}/login/sso?next=/o/north", app.base),
    )
    .await;
    let r = client.get(callback).send().await.unwrap();
    (client, r)
}

/// The role `email` holds in `north`, if any.
async fn north_role(app: &App, email: &str) -> Option<Role> {
    let user = app.store.user_by_email(email).await.unwrap()?;
    app.store
        .memberships(user.id)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.org_slug == "north")
        .map(|m| m.role)
}

/// Adds a sign-on rule to north through its page, as its administrator.
async fn add_rule(app: &App, fields: &[(&str, &str)]) -> reqwest::Response {
    let (client, csrf) = app.browser_client("north-admin").await;
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    client
        .post(format!("{}/o/north/sign-on", app.base))
        .form(&form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn people_sign_in_through_the_provider_with_the_roles_their_organisations_rules_give() {
    for backend in BACKENDS {
        let (app, idp) = start(backend).await;
        let r = add_rule(
            &app,
            &[
                ("kind", "email-domain"),
                ("domain", "North.test"),
                ("role", "viewer"),
            ],
        )
        .await;
        assert_eq!(r.status(), 303, "{backend:?}: rule added");
        let r = add_rule(
            &app,
            &[
                ("kind", "claim"),
                ("claim", "groups"),
                ("value", "north-planners"),
                ("role", "editor"),
            ],
        )
        .await;
        assert_eq!(r.status(), 303);

        // The sign-in page offers the provider, keeping where to go afterwards.
        let page = page_text(
            &cookie_client(),
            format!("{}/login?next=/o/north", app.base),
        )
        .await;
        assert!(page.contains("Sign in with Test ID"), "{page}");
        assert!(page.contains("/login/sso?next=%2Fo%2Fnorth"));

        // A new person whose verified email is at the domain: a viewer, sent where they
        // were going, signed in.
        let pat = json!({"sub": "pat-1", "email": "Pat@north.test", "email_verified": true, "name": "Pat Jones"});
        let (client, r) = sign_in(&app, &idp, pat.clone()).await;
        assert_eq!(r.status(), 303, "{backend:?}: {}", r.text().await.unwrap());
        assert_eq!(r.headers()["location"], "/o/north");
        let home = client
            .get(format!("{}/o/north", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(home.status(), 200);
        assert!(home.text().await.unwrap().contains("Pat Jones"));
        assert_eq!(north_role(&app, "pat@north.test").await, Some(Role::Viewer));

        // In the planners' group: the higher role, from the next sign-in.
        let mut planner = pat.clone();
        planner["groups"] = json!(["other", "north-planners"]);
        let (_, r) = sign_in(&app, &idp, planner).await;
        assert_eq!(r.status(), 303);
        assert_eq!(north_role(&app, "pat@north.test").await, Some(Role::Editor));

        // A local password does not open an account that only signs in through the provider.
        let local = cookie_client();
        let csrf = app.sign_in_token(&local).await;
        let r = local
            .post(format!("{}/login", app.base))
            .form(&[
                ("email", "pat@north.test"),
                ("password", PASSWORD),
                ("csrf", &csrf),
                ("next", "/"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "no password matches a sign-on account");

        // When no rule admits them any more, the membership a rule gave ends.
        let rules = app
            .store
            .sign_on_rules(app.store.org_by_slug("north").await.unwrap().unwrap().id)
            .await
            .unwrap();
        let (admin, csrf) = app.browser_client("north-admin").await;
        for rule in &rules {
            let r = admin
                .post(format!("{}/o/north/sign-on/{}/remove", app.base, rule.id))
                .form(&[("csrf", csrf.as_str())])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 303);
        }
        let (_, r) = sign_in(&app, &idp, pat).await;
        assert_eq!(r.status(), 303, "an existing account still signs in");
        assert_eq!(
            north_role(&app, "pat@north.test").await,
            None,
            "{backend:?}"
        );

        // Every change was audited, naming the rule and the membership.
        let north = app.store.org_by_slug("north").await.unwrap().unwrap();
        let audit = app.store.audit(north.id, 100, None).await.unwrap();
        let said: Vec<String> = audit
            .iter()
            .map(|e| format!("{} {} {}", e.action, e.entity, e.entity_id))
            .collect();
        for expected in [
            "create sign-on rule email at north.test",
            "delete sign-on rule claim groups = north-planners",
            "grant membership pat@north.test",
            "revoke membership pat@north.test",
        ] {
            assert!(said.iter().any(|s| s == expected), "{expected} in {said:?}");
        }
    }
}

#[tokio::test]
async fn accounts_are_linked_once_and_unverified_or_unknown_people_are_refused() {
    let (app, idp) = start(Backend::Sqlite).await;
    let r = add_rule(
        &app,
        &[
            ("kind", "email-domain"),
            ("domain", "north.test"),
            ("role", "viewer"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);

    // An unverified email is not trusted to name an account.
    let (_, r) = sign_in(
        &app,
        &idp,
        json!({"sub": "x", "email": "viewer@north.test", "email_verified": false}),
    )
    .await;
    assert_eq!(r.status(), 403);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("did not confirm your email address")
    );

    // Someone no organisation admits gets no account, and is told whom to ask.
    let (_, r) = sign_in(
        &app,
        &idp,
        json!({"sub": "y", "email": "sam@elsewhere.test", "email_verified": true}),
    )
    .await;
    assert_eq!(r.status(), 403);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("no organisation in Bulwark admits people from elsewhere.test")
    );
    assert!(
        app.store
            .user_by_email("sam@elsewhere.test")
            .await
            .unwrap()
            .is_none()
    );

    // An existing local account is linked by its verified email and keeps the role an
    // administrator gave it by hand (editor), although the rule gives viewer.
    let (_, r) = sign_in(
        &app,
        &idp,
        json!({"sub": "ed-1", "email": "editor@north.test", "email_verified": true}),
    )
    .await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        north_role(&app, "editor@north.test").await,
        Some(Role::Editor)
    );

    // Once linked, another person at the provider cannot take the account by showing the
    // same address.
    let (_, r) = sign_in(
        &app,
        &idp,
        json!({"sub": "ed-2", "email": "editor@north.test", "email_verified": true}),
    )
    .await;
    assert_eq!(r.status(), 403);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("linked to a different Test ID account")
    );
}

#[tokio::test]
async fn a_return_from_the_provider_counts_once_and_only_in_the_browser_that_started_it() {
    let (app, idp) = start(Backend::Sqlite).await;
    let r = add_rule(
        &app,
        &[
            ("kind", "email-domain"),
            ("domain", "north.test"),
            ("role", "viewer"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    idp.next_person(json!({"sub": "p", "email": "pat@north.test", "email_verified": true}))
        .await;
    let client = cookie_client();
    let callback = to_callback(&app, &client, format!("{}/login/sso", app.base)).await;

    // Another browser (without the state cookie) cannot use the code.
    let r = cookie_client().get(&callback).send().await.unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("did not finish"));

    // A forged state is refused too.
    let forged = callback.replace("state=", "state=x");
    let r = client.get(&forged).send().await.unwrap();
    assert_eq!(r.status(), 403);

    // The provider's refusal is shown in its words.
    let r = client
        .get(format!(
            "{}/login/sso/callback?error=access_denied&error_description=Account+disabled",
            app.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("It said: Account disabled")
    );
    // Anyone can craft that address: what it says is cut short.
    let long = "x".repeat(500);
    let r = client
        .get(format!(
            "{}/login/sso/callback?error=e&error_description={long}",
            app.base
        ))
        .send()
        .await
        .unwrap();
    let page = r.text().await.unwrap();
    assert!(page.contains(&"x".repeat(200)) && !page.contains(&"x".repeat(201)));

    // The same browser, once: then the attempt is used up.
    let fresh = cookie_client();
    let callback = to_callback(&app, &fresh, format!("{}/login/sso", app.base)).await;
    let r = fresh.get(&callback).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let again = cookie_client();
    let r = again.get(&callback).send().await.unwrap();
    assert_eq!(r.status(), 403, "a replayed return is refused");
}

#[tokio::test]
async fn signing_out_ends_the_session_and_offers_to_sign_out_at_the_provider() {
    let (app, idp) = start(Backend::Sqlite).await;
    let r = add_rule(
        &app,
        &[
            ("kind", "email-domain"),
            ("domain", "north.test"),
            ("role", "viewer"),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let (client, r) = sign_in(
        &app,
        &idp,
        json!({"sub": "p", "email": "pat@north.test", "email_verified": true}),
    )
    .await;
    assert_eq!(r.status(), 303);
    let page = page_text(&client, format!("{}/account/tokens", app.base)).await;
    let csrf = hidden(&page, "csrf");
    let r = client
        .post(format!("{}/logout", app.base))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
    assert!(page.contains("Sign out of Test ID"), "{page}");
    let link = page
        .split("href=\"")
        .map(|s| s.split('"').next().unwrap().replace("&amp;", "&"))
        .find(|h| h.starts_with(&idp.issuer))
        .expect("a link to the provider");
    assert!(link.contains("/session/end?"), "{link}");
    assert!(link.contains("id_token_hint="));
    assert!(link.contains("post_logout_redirect_uri="));
    // The provider accepts the request (it asks the person to confirm).
    let r = client.get(&link).send().await.unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    // And the Bulwark session is over.
    let r = client
        .get(format!("{}/o/north", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
}
