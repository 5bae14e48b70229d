//! Exercises end to end on both databases: record one with its participants, run its
//! scenario, read the report, follow a lesson's action to closure with evidence, and keep the
//! exercise programme (a pandemic at least every three years), with every change audited.

use super::{App, page_text};
use bulwark_testkit::BACKENDS;
use serde_json::{Value, json};

async fn send(
    app: &App,
    key: &str,
    method: reqwest::Method,
    path: &str,
    body: Value,
) -> (u16, Value) {
    let body = (!body.is_null()).then_some(body);
    app.send(key, method, path, body).await
}

fn problems(body: &Value) -> String {
    body["problems"].to_string()
}

#[tokio::test]
async fn an_exercise_is_run_reported_and_its_lessons_closed() {
    use reqwest::Method;
    for backend in BACKENDS {
        let app = App::start(backend).await;
        let today = bulwark_web::exercises::today().to_string();

        // Bad input is refused with every problem named, and nothing is written.
        let (status, body) = send(
            &app,
            "north-editor",
            Method::POST,
            "/api/orgs/north/exercises",
            json!({"title": " ", "scenario": "volcano", "held_on": "31/02/2026", "format": "party",
                   "participants": [{"name": "Moorside Homecare", "sector": "care homes"}]}),
        )
        .await;
        assert_eq!(status, 422, "{body}");
        for field in ["title", "scenario", "held_on", "format", "care homes"] {
            assert!(problems(&body).contains(field), "{field} in {body}");
        }
        let (_, list) = app.get("north-viewer", "/api/orgs/north/exercises").await;
        assert_eq!(
            list.as_array().unwrap().len(),
            3,
            "only the seeded exercises"
        );

        // A valid exercise, with social care and the voluntary sector taking part.
        let (status, body) = send(
            &app,
            "north-editor",
            Method::POST,
            "/api/orgs/north/exercises",
            json!({"title": "Exercise Lights Out", "scenario": "power-cut", "held_on": today,
                   "format": "tabletop", "lead": "Emergency planning officer",
                   "participants": [{"name": "Moorside Homecare", "sector": "Social care"},
                                    {"name": "Northmoor Foodbank", "sector": "voluntary sector"}]}),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        let id = body["id"].as_i64().unwrap();

        // Running it simulates the scenario: the outage-only scenario gives exactly the times
        // the model implies (substation out from 2h for 30h; care's MTPD is 1d).
        let (status, run) = send(
            &app,
            "north-editor",
            Method::POST,
            &format!("/api/orgs/north/exercises/{id}/run"),
            Value::Null,
        )
        .await;
        assert_eq!(status, 200, "{run}");
        let care = run["services"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == "care")
            .expect("care is lost");
        assert_eq!(care["lost_at"], "2h");
        assert_eq!(care["restored_at"], "1d8h");
        assert_eq!(care["breached_at"], "1d2h");
        assert_eq!(run["without"]["breaches"], 1);
        assert!(run["charts"][0]["svg"].as_str().unwrap().contains("<svg"));
        let (_, got) = app
            .get("north-viewer", &format!("/api/orgs/north/exercises/{id}"))
            .await;
        assert_eq!(got["run"]["services"], run["services"], "the run is kept");
        assert_eq!(got["exercise"]["participants"][0]["sector"], "social care");

        // Retitling keeps the run; moving the exercise to another scenario drops it.
        let body = |scenario: &str| {
            json!({"title": "Exercise Lights Out (final)", "scenario": scenario, "held_on": today,
                   "format": "tabletop", "participants": got["exercise"]["participants"]})
        };
        let path = format!("/api/orgs/north/exercises/{id}");
        let (status, _) = send(&app, "north-editor", Method::PUT, &path, body("power-cut")).await;
        assert_eq!(status, 200);
        assert!(!app.get("north-viewer", &path).await.1["run"].is_null());
        let (status, _) = send(
            &app,
            "north-editor",
            Method::PUT,
            &path,
            body("pandemic-wave"),
        )
        .await;
        assert_eq!(status, 200);
        assert!(app.get("north-viewer", &path).await.1["run"].is_null());
        send(&app, "north-editor", Method::PUT, &path, body("power-cut")).await;
        send(
            &app,
            "north-editor",
            Method::POST,
            &format!("{path}/run"),
            Value::Null,
        )
        .await;

        // A lesson cannot be recorded in the future.
        let (status, body) = send(
            &app,
            "north-editor",
            Method::POST,
            &format!("/api/orgs/north/exercises/{id}/lessons"),
            json!({"title": "Too early", "recorded_on": "2999-01-01"}),
        )
        .await;
        assert_eq!(status, 422);
        assert!(problems(&body).contains("recorded_on"), "{body}");

        // A lesson, and an action that must name what it changes and needs evidence to close.
        let (status, body) = send(
            &app,
            "north-editor",
            Method::POST,
            &format!("/api/orgs/north/exercises/{id}/lessons"),
            json!({"title": "Home care has no second site with its own power"}),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        let lesson = body["id"].as_i64().unwrap();
        let (_, lessons) = app.get("north-viewer", "/api/orgs/north/lessons").await;
        let open = |l: &Value| -> Vec<u64> {
            l["open_by_age"]
                .as_array()
                .unwrap()
                .iter()
                .map(|b| b["count"].as_u64().unwrap())
                .collect()
        };
        assert_eq!(open(&lessons)[0], 1, "recorded today: {lessons}");
        assert_eq!(
            open(&lessons).iter().sum::<u64>(),
            2,
            "with the seeded lesson"
        );
        let (status, body) = send(
            &app,
            "north-editor",
            Method::POST,
            &format!("/api/orgs/north/lessons/{lesson}/actions"),
            json!({"description": "Fit a generator at the depot", "owner": "Head of facilities", "due_on": "2027-03-31"}),
        )
        .await;
        assert_eq!(status, 422);
        assert!(problems(&body).contains("service"), "{body}");
        let (status, body) = send(
            &app,
            "north-editor",
            Method::POST,
            &format!("/api/orgs/north/lessons/{lesson}/actions"),
            json!({"description": "Fit a generator at the depot", "owner": "Head of facilities",
                   "due_on": "2027-03-31", "service": "care", "plan": "Power resilience plan"}),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        let action = body["id"].as_i64().unwrap();
        let path = format!("/api/orgs/north/actions/{action}");
        let (status, body) = send(
            &app,
            "north-editor",
            Method::PUT,
            &path,
            json!({"status": "done"}),
        )
        .await;
        assert_eq!(status, 422);
        assert!(problems(&body).contains("evidence"), "{body}");
        let (status, _) = send(
            &app,
            "north-viewer",
            Method::PUT,
            &path,
            json!({"status": "done", "evidence": "x"}),
        )
        .await;
        assert_eq!(status, 403, "viewers cannot close actions");
        let (status, body) = send(
            &app,
            "north-editor",
            Method::PUT,
            &path,
            json!({"status": "done", "evidence": "Generator commissioned, certificate on the facilities drive"}),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["closed_on"], today.as_str());
        let (_, lessons) = app.get("north-viewer", "/api/orgs/north/lessons").await;
        let mine = lessons["lessons"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["id"] == lesson)
            .unwrap();
        assert_eq!(mine["open"], false, "closed once every action is done");
        assert_eq!(open(&lessons)[0], 0);
        assert_eq!(
            open(&lessons).iter().sum::<u64>(),
            1,
            "the seeded lesson is still open"
        );
        assert_eq!(
            lessons["overdue_actions"],
            json!([1]),
            "the seeded action was due 2026-06-30"
        );

        // The programme: a pandemic is due every 36 months unless set shorter, never longer.
        let (_, programme) = app.get("north-viewer", "/api/orgs/north/programme").await;
        let row = |p: &Value, id: &str| {
            p.as_array()
                .unwrap()
                .iter()
                .find(|r| r["scenario_id"] == id)
                .unwrap()
                .clone()
        };
        assert_eq!(row(&programme, "pandemic-wave")["every_months"], 36);
        assert_eq!(
            row(&programme, "pandemic-wave")["status"],
            "never-exercised"
        );
        assert_eq!(row(&programme, "power-cut")["status"], "not-in-programme");
        let (status, body) = send(
            &app,
            "north-editor",
            Method::PUT,
            "/api/orgs/north/programme/pandemic-wave",
            json!({"every_months": 48}),
        )
        .await;
        assert_eq!(status, 422);
        assert!(problems(&body).contains("36 months"), "{body}");
        let (status, _) = send(
            &app,
            "north-editor",
            Method::PUT,
            "/api/orgs/north/programme/power-cut",
            json!({"every_months": 12}),
        )
        .await;
        assert_eq!(status, 200);
        let (_, programme) = app.get("north-viewer", "/api/orgs/north/programme").await;
        let power = row(&programme, "power-cut");
        assert_eq!(power["last_exercised"], today.as_str());
        assert_eq!(power["status"], "up-to-date");

        // The programme page saves every scenario at once, or nothing when one is wrong.
        let (client, csrf) = app.browser_client("north-editor").await;
        let save = |form: Vec<(&'static str, String)>| {
            let client = client.clone();
            let url = format!("{}/o/north/programme", app.base);
            async move { client.post(url).form(&form).send().await.unwrap().status() }
        };
        let refused = save(vec![
            ("csrf", csrf.clone()),
            ("every-power-cut", "6".into()),
            ("every-pandemic-wave", "40".into()),
        ])
        .await;
        assert_eq!(refused, 422);
        let (_, programme) = app.get("north-viewer", "/api/orgs/north/programme").await;
        assert_eq!(
            row(&programme, "power-cut")["every_months"],
            12,
            "nothing saved"
        );
        let saved = save(vec![
            ("csrf", csrf.clone()),
            ("every-power-cut", "6".into()),
            ("every-pandemic-wave", "24".into()),
        ])
        .await;
        assert_eq!(saved, 303);
        let (_, programme) = app.get("north-viewer", "/api/orgs/north/programme").await;
        assert_eq!(row(&programme, "power-cut")["every_months"], 6);
        assert_eq!(row(&programme, "pandemic-wave")["every_months"], 24);

        // Every change is in the audit trail, with who made it.
        let (_, audit) = app.get("north-viewer", "/api/orgs/north/audit").await;
        let seen: Vec<String> = audit
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                format!(
                    "{} {}",
                    e["action"].as_str().unwrap(),
                    e["entity"].as_str().unwrap()
                )
            })
            .collect();
        for wanted in [
            "create exercise",
            "run exercise",
            "create lesson",
            "create action",
            "update action",
            "update programme",
        ] {
            assert!(seen.iter().any(|s| s == wanted), "{wanted} in {seen:?}");
        }

        // Another organisation's exercise is not there, whatever its id.
        let (status, body) = send(
            &app,
            "south-admin",
            Method::POST,
            "/api/orgs/south/exercises",
            json!({"title": "South drill", "scenario": "power-cut", "held_on": "2026-02-01", "format": "live"}),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        let south = body["id"].as_i64().unwrap();
        let (status, _) = app
            .get("north-admin", &format!("/api/orgs/north/exercises/{south}"))
            .await;
        assert_eq!(status, 404);
        let (client, _) = app.browser_client("north-admin").await;
        let r = client
            .get(format!("{}/o/north/exercises/{south}/report", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);

        // The report, as a page: participants, the times, the charts, the closed action.
        let (client, _) = app.browser_client("north-viewer").await;
        let page = page_text(
            &client,
            format!("{}/o/north/exercises/{id}/report", app.base),
        )
        .await;
        for wanted in [
            "Exercise report: Exercise Lights Out",
            "Northmoor Foodbank",
            "voluntary sector",
            "1d2h",
            "<svg",
            "Generator commissioned",
        ] {
            assert!(page.contains(wanted), "{wanted} in the report");
        }
        if cfg!(feature = "pdf") {
            let r = client
                .get(format!("{}/o/north/exercises/{id}/report.pdf", app.base))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
            assert_eq!(r.headers()["content-type"], "application/pdf");
            let bytes = r.bytes().await.unwrap();
            assert!(bytes.starts_with(b"%PDF-"), "a PDF");
            assert!(
                bytes.len() > 10_000,
                "with its charts: {} bytes",
                bytes.len()
            );
        }
    }
}
