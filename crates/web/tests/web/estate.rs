//! The IT estate and supplier pages and their API: viewers see systems out of support first
//! with each one's blast radius, suppliers ranked with contract alerts, fourth parties and
//! concentration; another organisation sees nothing; a wrong date is explained.

use super::{App, page_text};
use bulwark_testkit::BACKENDS;
use serde_json::json;

/// The test model with an estate: the case app is out of support and hosted by a supplier
/// that itself runs on a cloud provider (a fourth party), which every service needs.
const ESTATE: &str = r#"bulwark: 1
organisations:
  - {id: org, name: Test Council}
services:
  - {id: triage, name: Triage desk, criticality: high, mtpd: 2d, needs: [caseapp]}
  - {id: care, name: Home care, criticality: critical, needs: [triage, {any: [hall, depot]}]}
  - {id: parks, name: Parks bookings, criticality: low, needs: [bookings]}
assets:
  - {id: substation, name: Substation, kind: utility}
  - {id: hall, name: Town Hall, kind: site, needs: [substation]}
  - {id: depot, name: Depot, kind: site, needs: [substation]}
  - id: caseapp
    name: Case app
    kind: it-system
    owner: Head of Adults' Systems
    vendor: Casework Ltd
    product: CaseWise
    version: "4.2"
    hosting: saas
    end_of_support: 2025-03-31
    lifecycle: migrate
    backups: {immutable: false, last_restore_test: 2024-01-10}
    needs: [sup-host]
  - {id: bookings, name: Bookings <b>app</b>, kind: it-system, end_of_support: 2030-01-01, hosting: cloud,
     needs: [sup-cloud]}
  - id: sup-host
    name: Host & Co Ltd
    kind: supplier
    contract_end: 2027-02-28
    exit_plan: none
    substitutability: difficult
    needs: [sup-cloud]
  - {id: sup-cloud, name: Big Cloud plc, kind: supplier, contract_end: 2024-12-31}
"#;

#[tokio::test]
async fn viewers_see_the_estate_and_suppliers_ranked_with_alerts() {
    for backend in BACKENDS {
        let app = App::start(backend).await;
        app.import_model(ESTATE).await;
        let (viewer, _) = app.browser_client("north-viewer").await;

        let page = page_text(
            &viewer,
            format!("{}/o/north/estate?on=2026-11-30", app.base),
        )
        .await;
        assert!(
            page.contains("<h1 class=\"govuk-heading-l\">IT estate</h1>"),
            "{page}"
        );
        assert!(
            page.contains("1 system(s) out of vendor support on 2026-11-30"),
            "{page}"
        );
        let case = page.find("id=\"caseapp\"").unwrap();
        assert!(
            case < page.find("id=\"bookings\"").unwrap(),
            "out of support first"
        );
        assert!(page.contains("Casework Ltd · CaseWise · 4.2"), "{page}");
        assert!(
            page.contains("what-if?fail=caseapp\">2<"),
            "triage and care are lost: {page}"
        );
        assert!(
            page.contains("vendor support ended on 2025-03-31"),
            "{page}"
        );
        assert!(page.contains("backups are not immutable"), "{page}");
        assert!(
            page.contains("Bookings &#60;b&#62;app&#60;/b&#62;")
                || page.contains("Bookings &lt;b&gt;app&lt;/b&gt;"),
            "names are escaped: {page}"
        );
        assert!(
            page.contains("aria-current=\"page\">IT estate<"),
            "in the navigation"
        );

        let page = page_text(
            &viewer,
            format!("{}/o/north/estate?on=30/11/2026", app.base),
        )
        .await;
        assert!(page.contains("There is a problem"), "{page}");
        assert!(
            page.contains("href=\"#on\">Enter the date as year, month and day"),
            "{page}"
        );
        assert!(
            page.contains("value=\"30/11/2026\""),
            "what was typed comes back"
        );

        let page = page_text(
            &viewer,
            format!("{}/o/north/suppliers?on=2026-11-30", app.base),
        )
        .await;
        let cloud = page.find("id=\"sup-cloud\"").unwrap();
        assert!(
            cloud < page.find("id=\"sup-host\"").unwrap(),
            "ranked by services lost"
        );
        assert!(page.contains("Big Cloud plc</strong> is needed by 3 of 3 services (1 critical), also through sup-host"), "{page}");
        assert!(
            page.contains("Big Cloud plc</strong>: ended on 2024-12-31"),
            "{page}"
        );
        assert!(page.contains("Host &#38; Co Ltd</strong>: ends on 2027-02-28, and 1 critical service(s) rely on it alone"), "{page}");
        assert!(page.contains("no exit plan"), "{page}");

        // The API gives the same reports; other organisations get nothing.
        let (status, v) = app
            .get("north-viewer", "/api/orgs/north/estate?today=2026-11-30")
            .await;
        assert_eq!(status, 200, "{v}");
        assert_eq!(v["systems"][0]["id"], "caseapp");
        assert_eq!(v["systems"][0]["support"], "expired");
        assert_eq!(v["systems"][0]["services_lost"], json!(["triage", "care"]));
        assert_eq!(v["systems"][0]["critical_services_lost"], 1);
        let (status, v) = app.get("north-viewer", "/api/orgs/north/suppliers").await;
        assert_eq!(status, 200, "{v}");
        assert_eq!(v["suppliers"][0]["id"], "sup-cloud");
        assert_eq!(v["suppliers"][0]["concentration"], true);
        assert_eq!(
            v["suppliers"][0]["services_lost"],
            json!(["triage", "care", "parks"])
        );
        assert_eq!(v["suppliers"][1]["id"], "sup-host");
        assert_eq!(v["suppliers"][1]["fourth_parties"], json!(["sup-cloud"]));
        assert_eq!(v["suppliers"][1]["concentration"], false);
        let (status, v) = app
            .get("north-viewer", "/api/orgs/north/estate?today=tomorrow")
            .await;
        assert_eq!(status, 400, "{v}");
        assert!(v["error"].as_str().unwrap().contains("YYYY-MM-DD"), "{v}");
        let (status, _) = app.get("south-admin", "/api/orgs/north/suppliers").await;
        assert_eq!(status, 404);

        // The estate fields survive the model's export.
        let (_, model) = app.get("north-viewer", "/api/orgs/north/model").await;
        let text = model.to_string();
        assert!(
            text.contains("\"exit_plan\":\"none\"") && text.contains("\"vendor\":\"Casework Ltd\""),
            "{text}"
        );
    }
}

/// The technology catalogue the estate is checked against: the case app's product is being
/// retired, and the bookings app (no product) stands outside by exception.
const CATALOGUE: &str = "categories:
  - id: case
    name: Case management
    products:
      - {product: casewise, vendor: Casework Ltd, status: retiring, review: 2026-01-31}
exceptions:
  - {system: bookings, owner: Head of Parks, expires: 2027-06-30, reason: Moving to the new platform}
";

#[tokio::test]
async fn administrators_load_a_technology_catalogue_that_the_estate_is_checked_against() {
    for backend in BACKENDS {
        let app = App::start(backend).await;
        app.import_model(ESTATE).await;
        let (admin, csrf) = app.browser_client("north-admin").await;
        let url = format!("{}/o/north/estate/catalogue", app.base);
        let page = page_text(&admin, url.clone()).await;
        assert!(page.contains("No catalogue has been loaded yet."), "{page}");
        let estate = format!("{}/o/north/estate?on=2026-11-30", app.base);
        assert!(
            page_text(&admin, estate.clone())
                .await
                .contains("has been loaded, so systems are not checked")
        );

        // Every problem is listed where it is; nothing is kept.
        let broken = "categories:\n  - id: case\n    name: Case\n    products:\n      - {product: X, status: banned}\nexceptions:\n  - {system: casapp, owner: Me, expires: 2027-01-31}\n";
        let r = admin
            .post(&url)
            .form(&[("catalogue", broken), ("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        let page = r.text().await.unwrap();
        assert!(page.contains("There is a problem"), "{page}");
        assert!(page.contains("Line 5, column 30: `status`: `banned` is not one of approved, contained, retiring, prohibited"), "{page}");
        assert!(page.contains("did you mean `caseapp`?"), "{page}");
        assert!(
            page.contains("casapp, owner: Me"),
            "what was typed comes back: {page}"
        );

        let r = admin
            .post(&url)
            .form(&[("catalogue", CATALOGUE), ("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        let page = page_text(&admin, estate.clone()).await;
        assert!(page.contains("checked against the <a"), "{page}");
        assert!(
            page.contains("govuk-tag--yellow govuk-!-margin-top-1\">Retiring<"),
            "{page}"
        );
        assert!(
            page.contains("its product CaseWise is being retired from the catalogue"),
            "{page}"
        );
        assert!(page.contains("Outside the catalogue"), "{page}");
        assert!(
            page.contains("by exception (owner Head of Parks) until 2027-06-30"),
            "{page}"
        );
        assert!(
            page.contains("Catalogue entries due for review: casewise."),
            "{page}"
        );

        // Viewers read it; the change is in the audit trail.
        let (viewer, _) = app.browser_client("north-viewer").await;
        let page = page_text(&viewer, url.clone()).await;
        assert!(
            page.contains("Moving to the new platform") && page.contains("retiring"),
            "{page}"
        );
        assert!(
            !page.contains("Save the catalogue"),
            "only administrators change it"
        );
        let (_, audit) = app.get("north-viewer", "/api/orgs/north/audit").await;
        assert!(
            audit.to_string().contains("\"entity\":\"catalogue\""),
            "{audit}"
        );

        // An empty catalogue removes it.
        let r = admin
            .post(&url)
            .form(&[("catalogue", ""), ("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        assert!(
            page_text(&admin, url)
                .await
                .contains("No catalogue has been loaded yet.")
        );
    }
}
