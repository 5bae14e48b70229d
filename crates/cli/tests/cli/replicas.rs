//! Two `bulwark serve` processes on one PostgreSQL database, as two instances behind a load
//! balancer: what is written through one is read through the other at once, a session
//! begun on one is valid on the other, and an incident's open page on one hears of changes
//! made through the other.

use super::bulwark;
use bulwark_store::Backend;
use bulwark_testkit::TestDatabase;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// A `bulwark serve` process, killed when the test ends.
struct Server {
    base: String,
    child: Child,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(url: &str) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_bulwark"))
            .args(["serve", "--listen", "127.0.0.1:0", "--database-url", url])
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let after = line.split("http://").nth(1).expect("the server's address");
        let base = format!("http://{}", after.split('/').next().unwrap());
        Server { base, child }
    }
}

const MODEL: &str = "bulwark: 1
organisations:
  - {id: northmoor, name: Northmoor}
services:
  - {id: care, name: Home care, criticality: critical, mtpd: 1d, needs: [app]}
assets:
  - {id: app, name: Care app, kind: it-system}
";

async fn services(client: &reqwest::Client, base: &str, token: &str) -> String {
    let r = client
        .get(format!("{base}/api/orgs/northmoor/services"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.text().await.unwrap()
}

async fn put_model(client: &reqwest::Client, base: &str, token: &str, model: &str) {
    let r = client
        .put(format!("{base}/api/orgs/northmoor/model"))
        .bearer_auth(token)
        .header("content-type", "application/yaml")
        .body(model.to_string())
        .send()
        .await
        .unwrap();
    let status = r.status();
    assert_eq!(status, 200, "{}", r.text().await.unwrap());
}

#[test]
fn two_server_processes_on_one_postgres_database_behave_as_one() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let db = TestDatabase::new(Backend::Postgres).await;
        let created = Command::new(env!("CARGO_BIN_EXE_bulwark"))
            .args([
                "user",
                "create",
                "--email",
                "ann@example.org",
                "--name",
                "Ann",
            ])
            .args(["--org", "northmoor", "--database-url", &db.url])
            .env("BULWARK_PASSWORD", "a long enough passphrase")
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert!(created.status.success());
        let out = bulwark(&[
            "token",
            "create",
            "--email",
            "ann@example.org",
            "--name",
            "replica test",
            "--database-url",
            &db.url,
        ]);
        assert!(out.status.success());
        let token = String::from_utf8(out.stdout).unwrap().trim().to_string();

        let (one, two) = (Server::start(&db.url), Server::start(&db.url));
        assert_ne!(one.base, two.base);
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();

        // Both have seen the (empty) model, so both have cached it.
        assert!(!services(&client, &one.base, &token).await.contains("care"));
        assert!(!services(&client, &two.base, &token).await.contains("care"));
        // Written through one, read through the other at once; and back.
        put_model(&client, &one.base, &token, MODEL).await;
        assert!(
            services(&client, &two.base, &token)
                .await
                .contains("Home care")
        );
        let more = MODEL.replace(
            "assets:",
            "  - {id: meals, name: Meals on wheels, criticality: high, mtpd: 3d}\nassets:",
        );
        put_model(&client, &two.base, &token, &more).await;
        assert!(
            services(&client, &one.base, &token)
                .await
                .contains("Meals on wheels")
        );

        // A session begun on one server is honoured by the other.
        let page = client
            .get(format!("{}/login", one.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let marker = "name=\"csrf\" value=\"";
        let csrf = page
            .split(marker)
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        let r = client
            .post(format!("{}/login", one.base))
            .form(&[
                ("email", "ann@example.org"),
                ("password", "a long enough passphrase"),
                ("csrf", csrf),
                ("next", "/o/northmoor"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        let r = client
            .get(format!("{}/o/northmoor/services", two.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "the other server knows the session");
        assert!(r.text().await.unwrap().contains("Meals on wheels"));

        // An incident's page open on the second server hears of a change made on the first
        // (PostgreSQL's NOTIFY, heard by the second server's LISTEN).
        let r = client
            .post(format!("{}/api/orgs/northmoor/incidents", one.base))
            .bearer_auth(&token)
            .json(&serde_json::json!({"title": "Power cut", "level": "tactical", "started_at": "2026-01-05T06:00:00Z"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let id = r.json::<serde_json::Value>().await.unwrap()["id"].as_i64().unwrap();
        let mut events = client
            .get(format!("{}/o/northmoor/incidents/{id}/events", two.base))
            .send()
            .await
            .unwrap();
        assert_eq!(events.status(), 200);
        let mut heard = String::new();
        for _ in 0..10 {
            let r = client
                .post(format!("{}/api/orgs/northmoor/incidents/{id}/sitreps", one.base))
                .bearer_auth(&token)
                .json(&serde_json::json!({"situation": "Generators on site"}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 201);
            while let Ok(Ok(Some(chunk))) =
                tokio::time::timeout(std::time::Duration::from_secs(2), events.chunk()).await
            {
                heard.push_str(&String::from_utf8_lossy(&chunk));
            }
            if heard.contains("event: changed") {
                break;
            }
        }
        assert!(heard.contains("event: changed"), "the second server heard: {heard:?}");
    });
}
