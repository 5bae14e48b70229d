//! `bulwark estate` and `bulwark suppliers`: the fixed JSON shapes, the blast radius agreeing
//! with `impact`, fourth parties through the model, concentration, and readable tables.

use super::{bulwark, demo, json, write};
use serde_json::{Value, json};

/// Systems and suppliers whose answers are known by hand.
const ESTATE: &str = r#"bulwark: 1
assets:
  - {id: cloud-host, name: Cloud Host Ltd, kind: supplier, contract_end: 2026-12-31,
     exit_plan: none, substitutability: difficult}
  - {id: network-co, name: Network Co, kind: supplier, needs: [cloud-host], contract_end: 2025-03-31}
  - {id: old-app, name: Old app, kind: it-system, end_of_support: 2025-01-31, needs: [cloud-host],
     hosting: cloud, lifecycle: eliminate, backups: {immutable: false}}
  - {id: new-app, name: New app, kind: it-system, end_of_support: 2027-06-30, needs: [network-co],
     recovery: {rto: 4h}}
  - {id: far-app, name: Far app, kind: it-system, end_of_support: 2030-01-01}
  - {id: mystery, name: Mystery app, kind: it-system}
  - {id: spare, name: Spare Supplies Ltd, kind: supplier}
services:
  - {id: a, name: A, criticality: critical, mtpd: 1d, needs: [old-app]}
  - {id: b, name: B, criticality: high, mtpd: 3d, needs: [new-app]}
  - {id: c, name: C, criticality: critical, needs: [{any: [far-app, mystery]}]}
  - {id: d, name: D, criticality: low, needs: [{any: [old-app, spare]}]}
"#;

fn pick<'a>(list: &'a Value, id: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == id)
        .unwrap_or_else(|| panic!("no {id} in {list:#}"))
}

#[test]
fn estate_flags_support_and_gives_each_systems_blast_radius() {
    let dir = tempfile::tempdir().unwrap();
    let m = write(dir.path(), "m.yaml", ESTATE);
    let v = json(&["estate", &m, "--today", "2026-11-30", "--json"]);
    assert!(
        v["systems"][0].get("ransomware").is_none(),
        "rehearsed only when asked"
    );
    let v = json(&[
        "estate",
        &m,
        "--today",
        "2026-11-30",
        "--ransomware",
        "--json",
    ]);
    let systems = &v["systems"];
    let ids: Vec<&str> = systems
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["old-app", "new-app", "far-app", "mystery"],
        "every it-system, in model order"
    );
    let expect = |id: &str, end: Value, support: &str, lost: Value, critical: u64| {
        let s = pick(systems, id);
        assert_eq!(s["end_of_support"], end, "{id}");
        assert_eq!(s["support"], support, "{id}");
        assert_eq!(s["services_lost"], lost, "{id}");
        assert_eq!(s["critical_services_lost"], critical, "{id}");
    };
    expect("old-app", json!("2025-01-31"), "expired", json!(["a"]), 1);
    expect(
        "new-app",
        json!("2027-06-30"),
        "within-12-months",
        json!(["b"]),
        0,
    );
    expect("far-app", json!("2030-01-01"), "supported", json!([]), 0);
    expect("mystery", Value::Null, "unknown", json!([]), 0);
    // A ransomware outage for the recovery time (21 days without one) breaches A's MTPD of
    // a day; four hours do not breach B's three days.
    assert_eq!(
        pick(systems, "old-app")["ransomware"],
        json!({"outage": "21d", "breached": ["a"], "critical_breached": 1})
    );
    assert_eq!(
        pick(systems, "new-app")["ransomware"],
        json!({"outage": "4h", "breached": [], "critical_breached": 0})
    );
    let old = pick(systems, "old-app");
    assert_eq!(old["hosting"], "cloud");
    assert_eq!(old["lifecycle"], "eliminate");
    let concerns = old["concerns"].to_string();
    assert!(
        concerns.contains("vendor support ended on 2025-01-31"),
        "{concerns}"
    );
    assert!(concerns.contains("backups are not immutable"), "{concerns}");

    // Judged on another day, support moves on.
    let v = json(&["estate", &m, "--today", "2024-03-01", "--json"]);
    assert_eq!(
        pick(&v["systems"], "old-app")["support"],
        "within-12-months"
    );
    assert_eq!(pick(&v["systems"], "new-app")["support"], "supported");

    let out = bulwark(&["estate", &m, "--today", "2026-11-30", "--ransomware"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(
        text.contains("Old app (old-app)") && text.contains("expired"),
        "{text}"
    );
    assert!(
        text.contains("1 out of support") && text.contains("1 due out within 12 months"),
        "{text}"
    );
    let first = text.find("old-app").unwrap();
    assert!(
        first < text.find("far-app").unwrap(),
        "expired systems come first: {text}"
    );

    let out = bulwark(&["estate", &m, "--today", "30/11/2026"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("YYYY-MM-DD"));
}

#[test]
fn suppliers_are_ranked_with_fourth_parties_and_concentration() {
    let dir = tempfile::tempdir().unwrap();
    let m = write(dir.path(), "m.yaml", ESTATE);
    let v = json(&["suppliers", &m, "--today", "2026-11-30", "--json"]);
    let list = v["suppliers"].as_array().unwrap();
    let shape: Vec<Value> = list
        .iter()
        .map(|s| {
            json!({"id": s["id"], "contract_end": s["contract_end"],
                   "services_lost": s["services_lost"], "critical_services_lost": s["critical_services_lost"]})
        })
        .collect();
    assert_eq!(
        shape,
        [
            json!({"id": "cloud-host", "contract_end": "2026-12-31", "services_lost": ["a", "b"], "critical_services_lost": 1}),
            json!({"id": "network-co", "contract_end": "2025-03-31", "services_lost": ["b"], "critical_services_lost": 0}),
            json!({"id": "spare", "contract_end": null, "services_lost": [], "critical_services_lost": 0}),
        ]
    );
    let host = &list[0];
    assert_eq!(
        host["services_needing"], 3,
        "a, b (through network-co) and d"
    );
    assert_eq!(host["concentration"], true, "3 of 4 services need it");
    assert_eq!(host["relied_on_by"], json!(["network-co"]));
    assert_eq!(host["contract"], "within-12-months");
    assert!(
        host["concerns"].to_string().contains("no exit plan"),
        "{host:#}"
    );
    let network = &list[1];
    assert_eq!(network["fourth_parties"], json!(["cloud-host"]));
    assert_eq!(network["contract"], "ended");
    assert_eq!(network["concentration"], false);

    let out = bulwark(&["suppliers", &m, "--today", "2026-11-30"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(
        text.contains("Cloud Host Ltd (cloud-host) is needed by 3 of 4 services"),
        "{text}"
    );
    assert!(text.contains("contract ended on 2025-03-31"), "{text}");
}

#[test]
fn estate_and_suppliers_agree_with_impact_on_the_demo() {
    let model = demo();
    let estate = json(&["estate", &model, "--today", "2026-11-30", "--json"]);
    let suppliers = json(&["suppliers", &model, "--json"]);
    let entries: Vec<&Value> = estate["systems"]
        .as_array()
        .unwrap()
        .iter()
        .chain(suppliers["suppliers"].as_array().unwrap())
        .collect();
    assert!(
        entries.len() > 40,
        "the demo has many systems and suppliers"
    );
    // One `impact` run per entry is slow; every fifth, plus the top suppliers, is enough here
    // (the engine's property test compares every asset on random models).
    for (n, e) in entries.iter().enumerate() {
        if n % 5 != 0 && n < entries.len() - 5 {
            continue;
        }
        let id = e["id"].as_str().unwrap();
        let impact = json(&["impact", &model, "--fail", id, "--json"]);
        assert_eq!(e["services_lost"], impact["lost"], "{id}");
    }
    let ranked: Vec<(u64, usize)> = suppliers["suppliers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["critical_services_lost"].as_u64().unwrap(),
                s["services_lost"].as_array().unwrap().len(),
            )
        })
        .collect();
    assert!(ranked.windows(2).all(|w| w[0] >= w[1]), "{ranked:?}");
    let expired = estate["systems"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["support"] == "expired")
        .count();
    assert!(expired >= 3, "the demo has legacy systems out of support");
    assert!(
        suppliers["suppliers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["concentration"] == true),
        "the demo has a supplier behind many services"
    );
}

#[test]
fn systems_outside_the_catalogue_or_on_retiring_products_are_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let model = ESTATE
        .replace(
            "hosting: cloud, lifecycle: eliminate",
            "product: OldWorks, hosting: cloud, lifecycle: eliminate",
        )
        .replace(
            "{id: far-app, name: Far app, kind: it-system,",
            "{id: far-app, name: Far app, kind: it-system, product: FarSight,",
        )
        .replace(
            "{id: mystery, name: Mystery app, kind: it-system}",
            "{id: mystery, name: Mystery app, kind: it-system, product: Shadow IT}",
        );
    let m = write(dir.path(), "m.yaml", &model);
    let catalogue = write(
        dir.path(),
        "catalogue.yaml",
        r#"categories:
  - id: case
    name: Case management
    products:
      - {product: oldworks, vendor: Old Ltd, status: retiring, review: 2026-01-31}
      - {product: FarSight, status: approved, review: 2027-06-30}
exceptions:
  - {system: mystery, owner: Head of ICT, expires: 2027-01-31, reason: Replacement procured}
  - {system: new-app, owner: Head of ICT, expires: 2026-10-31}
"#,
    );
    let v = json(&[
        "estate",
        &m,
        "--today",
        "2026-11-30",
        "--catalogue",
        &catalogue,
        "--json",
    ]);
    let systems = &v["systems"];
    let old = pick(systems, "old-app");
    assert_eq!(
        old["catalogue"],
        json!({"status": "retiring", "category": "case", "exception": null})
    );
    assert!(
        old["concerns"]
            .to_string()
            .contains("its product OldWorks is being retired"),
        "{old:#}"
    );
    assert_eq!(pick(systems, "far-app")["catalogue"]["status"], "approved");
    assert_eq!(pick(systems, "far-app")["concerns"], json!([]));
    let mystery = pick(systems, "mystery");
    assert_eq!(
        mystery["catalogue"]["exception"],
        json!({"owner": "Head of ICT", "expires": "2027-01-31"})
    );
    assert!(mystery["concerns"].to_string().contains("not in the approved technology catalogue, by exception (owner Head of ICT) until 2027-01-31"), "{mystery:#}");
    let new = pick(systems, "new-app");
    assert_eq!(new["catalogue"]["status"], "outside");
    assert!(
        new["concerns"]
            .to_string()
            .contains("its exception ended on 2026-10-31"),
        "{new:#}"
    );
    assert_eq!(v["catalogue_reviews_due"], json!(["oldworks"]));

    let broken = write(
        dir.path(),
        "broken.yaml",
        "categories:\n  - id: case\n    name: Case\n    products:\n      - {product: X, status: banned}\nexceptions:\n  - {system: old-ap, owner: Me, expires: 2027-01-31}\n  - {system: a, owner: Me, expires: soon}\n  - {system: a, owner: Me, expires: 2027-01-31}\n",
    );
    let out = bulwark(&["estate", &m, "--catalogue", &broken]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("broken.yaml:5:"), "{err}");
    assert!(
        err.contains("`status`: `banned` is not one of approved, contained, retiring, prohibited"),
        "{err}"
    );
    assert!(
        err.contains("broken.yaml:7:") && err.contains("did you mean `old-app`"),
        "{err}"
    );
    assert!(
        err.contains("broken.yaml:8:") && err.contains("YYYY-MM-DD"),
        "{err}"
    );
    assert!(
        err.contains("broken.yaml:9:") && err.contains("`a`, which is a service, not an it-system"),
        "{err}"
    );
}
