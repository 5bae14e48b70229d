//! The JSON API on both databases: authentication, editing, whole-model validation,
//! all-or-nothing imports, sharing, and the OpenAPI document.

use super::App;
use bulwark_testkit::BACKENDS;
use serde_json::json;

#[tokio::test]
async fn api_works_the_same_on_both_databases() {
    for backend in BACKENDS {
        let app = App::start(backend).await;
        let http = reqwest::Client::new();
        let url = |p: &str| format!("{}{p}", app.base);

        // Without a valid token: 401 with a reason.
        let r = http.get(url("/api/orgs")).send().await.unwrap();
        assert_eq!(r.status(), 401);
        assert_eq!(r.headers()["www-authenticate"], "Bearer");
        assert_eq!(
            http.get(url("/api/orgs"))
                .bearer_auth("bwk_wrong")
                .send()
                .await
                .unwrap()
                .status(),
            401
        );

        let (status, orgs) = app.get("north-editor", "/api/orgs").await;
        assert_eq!(status, 200);
        assert_eq!(
            orgs,
            json!([{"slug": "north", "name": "north council", "role": "editor"}])
        );

        // Reading: services with their single points of failure, and the analyses.
        let (_, services) = app.get("north-viewer", "/api/orgs/north/services").await;
        let care = services
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == "care")
            .unwrap();
        assert_eq!(
            care["single_points_of_failure"],
            json!(["caseapp", "substation"])
        );
        let impact: serde_json::Value = http
            .post(url("/api/orgs/north/impact"))
            .bearer_auth(app.token("north-viewer"))
            .json(&json!({"fail": ["substation"]}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(impact["lost"], json!(["care"]));

        // Editing a service's needs: the SPOF appears, then disappears.
        let mut edited = app
            .get("north-editor", "/api/orgs/north/services/care")
            .await
            .1;
        edited["needs"] = json!(["triage", "hall"]);
        let r = http
            .put(url("/api/orgs/north/services/care"))
            .bearer_auth(app.token("north-editor"))
            .json(&edited)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let (_, spof) = app.get("north-editor", "/api/orgs/north/spof").await;
        let care = spof["services"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == "care")
            .unwrap()
            .clone();
        assert_eq!(
            care["single_points_of_failure"],
            json!(["caseapp", "hall", "substation"])
        );

        // A change that breaks the model is refused with every problem, and changes nothing.
        edited["needs"] = json!(["triage", "hal"]);
        edited["rto"] = json!("3d");
        let r = http
            .put(url("/api/orgs/north/services/care"))
            .bearer_auth(app.token("north-editor"))
            .json(&edited)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        let body: serde_json::Value = r.json().await.unwrap();
        let problems = body["problems"].as_array().unwrap();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(
            problems
                .iter()
                .any(|p| p.as_str().unwrap().contains("did you mean `hall`"))
        );
        assert_eq!(
            app.get("north-editor", "/api/orgs/north/services/care")
                .await
                .1["needs"],
            json!(["triage", "hall"])
        );

        // A stale version is refused.
        let r = http
            .put(url("/api/orgs/north/services/care"))
            .bearer_auth(app.token("north-editor"))
            .header("If-Match", "\"1\"")
            .json(&json!({"name": "X"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 409);

        // Deleting something still needed is refused.
        let r = http
            .delete(url("/api/orgs/north/services/triage"))
            .bearer_auth(app.token("north-editor"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);

        // Import is all or nothing and reports positions.
        let broken = "bulwark: 1\nservices:\n  - {id: a, name: A, mtpd: 24}\n  - {id: b, name: B, needs: [nope]}\n";
        let r = http
            .put(url("/api/orgs/north/model"))
            .bearer_auth(app.token("north-admin"))
            .body(broken)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["problems"].as_array().unwrap().len(), 2);
        assert!(
            body["problems"][0]
                .as_str()
                .unwrap()
                .starts_with("model.yaml:3:"),
            "{body}"
        );
        assert_eq!(
            app.get("north-viewer", "/api/orgs/north/services")
                .await
                .1
                .as_array()
                .unwrap()
                .len(),
            2,
            "nothing changed"
        );
        let r = http
            .put(url("/api/orgs/north/model"))
            .bearer_auth(app.token("north-admin"))
            .body(super::MODEL)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);

        // Every change is audited, with who did it.
        let (_, audit) = app.get("north-viewer", "/api/orgs/north/audit").await;
        let actions: Vec<&str> = audit
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["action"].as_str().unwrap())
            .collect();
        assert_eq!(&actions[..2], ["import", "update"]);
        assert_eq!(audit[1]["actor"], "editor@north.test (API)");

        // Sharing: south sees only what north shares.
        assert_eq!(
            app.get("south-admin", "/api/orgs/north/services").await.0,
            404
        );
        let r = http
            .put(url("/api/orgs/north/shares/care/south"))
            .bearer_auth(app.token("north-admin"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 204);
        let (_, outgoing) = app.get("north-viewer", "/api/orgs/north/shares").await;
        assert_eq!(outgoing, json!([{"service": "care", "partner": "south"}]));
        let (_, shared) = app.get("south-admin", "/api/orgs/south/shared").await;
        assert_eq!(
            shared,
            json!([{"owner": "north", "owner_name": "north council", "service": "care"}])
        );
        assert_eq!(
            app.get("south-admin", "/api/orgs/south/shared/north/care")
                .await
                .0,
            200
        );
        assert_eq!(
            app.get("south-admin", "/api/orgs/south/shared/north/triage")
                .await
                .0,
            404
        );
        assert_eq!(
            app.get("north-viewer", "/api/orgs/south/shared/north/care")
                .await
                .0,
            404
        );

        // Members are managed by administrators, and every change is audited.
        let r = http
            .put(url("/api/orgs/north/members/editor@north.test"))
            .bearer_auth(app.token("north-admin"))
            .json(&json!({"role": "viewer"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 204);
        let (_, members) = app.get("north-admin", "/api/orgs/north/members").await;
        let editor = members
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["email"] == "editor@north.test")
            .unwrap();
        assert_eq!(editor["role"], "viewer");
        assert_eq!(
            app.get("north-editor", "/api/orgs/north/members").await.0,
            403,
            "no longer an administrator, never was"
        );
        let r = http
            .delete(url("/api/orgs/north/members/admin@north.test"))
            .bearer_auth(app.token("north-admin"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "administrators cannot remove themselves");

        // The OpenAPI document describes the API and its bearer authentication.
        let doc: serde_json::Value = http
            .get(url("/api/openapi.json"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
        assert!(doc["paths"]["/api/orgs/{org}/services/{id}"]["put"].is_object());
        assert_eq!(
            doc["components"]["securitySchemes"]["bearer"]["scheme"],
            "bearer"
        );
        assert_eq!(
            http.get(url("/healthz")).send().await.unwrap().status(),
            200
        );
    }
}
