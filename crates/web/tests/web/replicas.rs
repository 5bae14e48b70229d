//! Two servers on one database behave as one: a session, a change, a sign-out and failed
//! sign-ins made through one are seen at once through the other (issue 10, several servers).

use super::{App, PASSWORD, cookie_client, page_text};
use bulwark_testkit::BACKENDS;
use serde_json::json;

#[tokio::test]
async fn two_replicas_on_one_database_behave_as_one() {
    for backend in BACKENDS {
        let app = App::start(backend).await;
        let other = app.replica().await;
        // Signed in through one, recognised by the other (the cookie jar sends the session
        // cookie to both: cookies do not depend on the port).
        let (client, csrf) = app.browser_client("north-editor").await;
        let r = client.get(format!("{other}/o/north")).send().await.unwrap();
        assert_eq!(r.status(), 200, "{backend:?}: the session is shared");
        // A change through one is read through the other at once, although that one had
        // already loaded and cached the model.
        let r = reqwest::Client::new()
            .get(format!("{other}/api/orgs/north/services/care"))
            .bearer_auth(app.token("north-editor"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let (status, _) = app
            .send(
                "north-editor",
                reqwest::Method::PUT,
                "/api/orgs/north/services/triage",
                Some(json!({"name": "Triage desk, renamed", "needs": ["caseapp"]})),
            )
            .await;
        assert_eq!(status, 200);
        let page = page_text(&client, format!("{other}/o/north/services")).await;
        assert!(
            page.contains("Triage desk, renamed"),
            "{backend:?}: the change is seen"
        );
        // Failed sign-ins through one slow down attempts through the other (after eight, the
        // wait is half a minute: long enough for this check on a slow machine).
        for _ in 0..8 {
            let fresh = cookie_client();
            let token = app.sign_in_token(&fresh).await;
            fresh
                .post(format!("{}/login", app.base))
                .form(&[
                    ("csrf", token.as_str()),
                    ("email", "viewer@north.test"),
                    ("password", "wrong guess"),
                ])
                .send()
                .await
                .unwrap();
        }
        let fresh = cookie_client();
        let page = page_text(&fresh, format!("{other}/login")).await;
        let token = super::hidden(&page, "csrf");
        let page = fresh
            .post(format!("{other}/login"))
            .form(&[
                ("csrf", token.as_str()),
                ("email", "viewer@north.test"),
                ("password", PASSWORD),
            ])
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("Wait"),
            "{backend:?}: the other replica knows of the failures"
        );
        // Signing out through one ends the session on both.
        let r = client
            .post(format!("{}/logout", app.base))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        let r = client.get(format!("{other}/o/north")).send().await.unwrap();
        assert_eq!(
            r.headers()["location"],
            "/login",
            "{backend:?}: signed out on both"
        );
    }
}
