//! Models as workbooks in the web app and the API, on both databases: export, import all or
//! nothing with every problem placed by sheet, row and column, and the BIA template.

use super::{App, MODEL};
use bulwark_model::export::to_value;
use bulwark_model::{load_str, load_workbook, workbook};
use bulwark_testkit::BACKENDS;
use std::path::Path;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The test model as a workbook, and the same with its assets left out, so that its
/// services name assets that are not there.
fn workbooks() -> (Vec<u8>, Vec<u8>) {
    let loaded = load_str("m.yaml", MODEL);
    let good = workbook::write(&loaded.model).unwrap();
    let mut broken = loaded.model.clone();
    broken.assets.clear();
    (good, workbook::write(&broken).unwrap())
}

#[tokio::test]
async fn workbooks_go_in_and_out_through_the_api_all_or_nothing() {
    for backend in BACKENDS {
        let app = App::start(backend).await;
        let http = reqwest::Client::new();
        let (good, broken) = workbooks();
        let put = |body: Vec<u8>| {
            http.put(format!("{}/api/orgs/north/model", app.base))
                .bearer_auth(app.token("north-admin"))
                .header("content-type", XLSX)
                .body(body)
                .send()
        };
        // A workbook with problems changes nothing, and says where each problem is.
        let (_, before) = app.get("north-viewer", "/api/orgs/north/model").await;
        let r = put(broken).await.unwrap();
        assert_eq!(r.status(), 422);
        let body: serde_json::Value = r.json().await.unwrap();
        let problems: Vec<&str> = body["problems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap())
            .collect();
        assert!(
            problems.iter().any(|p| p
                .starts_with("model.xlsx, sheet Services, row 2, column Needs: ")
                && p.contains("caseapp")),
            "{problems:?}"
        );
        let (_, after) = app.get("north-viewer", "/api/orgs/north/model").await;
        assert_eq!(before, after);
        // A good one replaces the model; the workbook exported reads back to it.
        let r = put(good).await.unwrap();
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let r = http
            .get(format!("{}/api/orgs/north/model.xlsx", app.base))
            .bearer_auth(app.token("north-viewer"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], XLSX);
        let bytes = r.bytes().await.unwrap();
        let loaded = load_workbook(Path::new("north.xlsx"), &bytes);
        assert!(loaded.is_valid());
        let (_, model) = app.get("north-viewer", "/api/orgs/north/model").await;
        assert_eq!(to_value(&loaded.model), model);
        assert_eq!(
            to_value(&loaded.model),
            to_value(&load_str("m.yaml", MODEL).model)
        );
    }
}

#[tokio::test]
async fn the_import_page_takes_a_workbook_and_lists_its_problems() {
    let app = App::start(bulwark_store::Backend::Sqlite).await;
    let (client, csrf) = app.browser_client("north-admin").await;
    let (good, broken) = workbooks();
    let upload = |bytes: Vec<u8>| {
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf.clone())
            .part(
                "file",
                reqwest::multipart::Part::bytes(bytes).file_name("services.xlsx"),
            );
        client
            .post(format!("{}/o/north/import", app.base))
            .multipart(form)
            .send()
    };
    let r = upload(broken).await.unwrap();
    assert_eq!(r.status(), 422);
    let page = r.text().await.unwrap();
    assert!(page.contains("govuk-error-summary"), "{page}");
    assert!(
        page.contains("services.xlsx, sheet Services, row 2, column Needs: "),
        "{page}"
    );
    let r = upload(good).await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains(
        "Imported 2 services, 4 assets, 1 skills, 1 risks and 2 scenarios from services.xlsx"
    ));
    // The export and the template are links on the page.
    for (path, name) in [
        ("/o/north/export.xlsx", "north.xlsx"),
        (
            "/o/north/bia-template.xlsx",
            "business-impact-analysis.xlsx",
        ),
    ] {
        let r = client
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], XLSX);
        assert!(
            r.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .contains(name)
        );
        let loaded = load_workbook(Path::new(name), &r.bytes().await.unwrap());
        assert!(loaded.is_valid(), "{path}");
    }
}
