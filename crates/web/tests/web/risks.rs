//! The risk register on the National Risk Register's terms, and the risk appetite an
//! organisation's administrators set on its matrix.

use super::{App, page_text};
use bulwark_testkit::BACKENDS;

#[tokio::test]
async fn the_risk_appetite_is_set_on_the_matrix_and_flags_risks_outside_it() {
    for backend in BACKENDS {
        let app = App::start(backend).await;
        let (viewer, _) = app.browser_client("north-viewer").await;
        let register = format!("{}/o/north/risks", app.base);
        // Before any appetite is set, the default one: impact 4 from likelihood 3.
        let page = page_text(&viewer, register.clone()).await;
        assert!(
            page.contains("1 of 1 risk is outside"),
            "{backend:?}: {page}"
        );
        assert!(
            page.contains("4, significant") && page.contains("4, 5% to 25%"),
            "{page}"
        );
        assert!(page.contains("has not set its risk appetite"), "{page}");
        assert!(
            !page.contains("Change the risk appetite"),
            "viewers cannot change it"
        );

        // An appetite that tolerates a worse impact more often than a lesser one is refused,
        // at the field, and nothing is saved.
        let (admin, csrf) = app.browser_client("north-admin").await;
        let appetite = format!("{}/o/north/risks/appetite", app.base);
        let levels = |five: &'static str, four: &'static str| {
            [
                ("impact-5", five),
                ("impact-4", four),
                ("impact-3", "never"),
                ("impact-2", "never"),
                ("impact-1", "never"),
            ]
        };
        let mut form: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
        form.extend(levels("never", "5"));
        let r = admin.post(&appetite).form(&form).send().await.unwrap();
        assert_eq!(r.status(), 422, "{backend:?}");
        let body = r.text().await.unwrap();
        assert!(body.contains("govuk-error-summary"), "{body}");
        assert!(
            body.contains("A catastrophic impact cannot be tolerated at a higher likelihood than a significant one"),
            "{body}"
        );
        assert!(
            page_text(&viewer, register.clone())
                .await
                .contains("1 of 1 risk is outside")
        );

        // Flooding (likelihood 4, impact 4) is within an appetite that starts at likelihood 5.
        let mut form: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
        form.extend(levels("4", "5"));
        let r = admin.post(&appetite).form(&form).send().await.unwrap();
        assert_eq!(r.status(), 303, "{backend:?}");
        let page = page_text(&viewer, register.clone()).await;
        assert!(page.contains("0 of 1 risk is outside"), "{page}");
        assert!(
            page.contains(
                "A significant impact (4) is outside it from likelihood 5 (more than 25%)"
            ),
            "{page}"
        );
        let dashboard = page_text(&viewer, format!("{}/o/north", app.base)).await;
        let outside = dashboard.split("Risks outside appetite").nth(1).unwrap();
        assert!(!outside.contains("River flooding"), "{outside}");

        // The form shows what is saved; the change is in the audit trail.
        let form = page_text(&admin, appetite.clone()).await;
        assert!(form.contains("<option value=\"5\" selected>"), "{form}");
        let north = app.store.org_by_slug("north").await.unwrap().unwrap();
        let audit = app.store.audit(north.id, 10, None).await.unwrap();
        assert!(
            audit
                .iter()
                .any(|e| e.action == "create" && e.entity == "risk_appetite"),
            "{backend:?}"
        );
    }
}

#[tokio::test]
async fn a_service_shows_its_impact_assessment_at_the_times_the_planner_gave() {
    let app = App::start(bulwark_store::Backend::Sqlite).await;
    let (viewer, _) = app.browser_client("north-viewer").await;
    let page = page_text(&viewer, format!("{}/o/north/services/care", app.base)).await;
    // The model says {4h: 2, 1d: 4, 3d: 5} with an MTPD of 1 day: three columns, the last
    // past the MTPD, and no fixed bands.
    let table = page
        .split("Impact of losing the service over time")
        .nth(1)
        .and_then(|t| t.split("</table>").next())
        .unwrap();
    let after: Vec<&str> = table
        .split("<th scope=\"col\" class=\"govuk-table__header\">")
        .skip(1)
        .map(|h| h.split('<').next().unwrap().trim())
        .collect();
    assert_eq!(after, ["After 4 hours", "After 1 day", "After 3 days"]);
    assert_eq!(table.matches("past MTPD").count(), 1, "{table}");
    assert!(!table.contains("not assessed"));
}
