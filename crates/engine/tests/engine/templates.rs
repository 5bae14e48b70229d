//! Every template, applied to the demo council, gives exactly the scenario it gave when these
//! expectations were written down (from the output of the match-based `apply`), so restructuring
//! the templates cannot change what they do.

use bulwark_engine::Compiled;
use bulwark_engine::templates::{TEMPLATES, apply};
use bulwark_model::{EventKind, Model, Scenario, Target};
use std::fmt::Write;

fn demo() -> (Model, Compiled) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/demo-council/council.yaml");
    let loaded = bulwark_model::load(&path);
    assert!(loaded.is_valid());
    let c = Compiled::new(&loaded.model).unwrap();
    (loaded.model, c)
}

/// A scenario as text, with times in minutes and fractions exact.
fn render(sc: &Scenario) -> String {
    let mut out = format!(
        "{} | {} | {:?} | {:?}\n",
        sc.meta.id,
        sc.meta.name,
        sc.horizon.map(|h| h.minutes()),
        sc.meta.description
    );
    let target = |t: &Target| match t {
        Target::All(_) => "all".to_string(),
        Target::One(r) => r.id.clone(),
    };
    for e in &sc.events {
        let what = match &e.kind {
            EventKind::Outage(r) => format!("outage {}", r.id),
            EventKind::Degrade(r, p) => format!("degrade {} to {:?}", r.id, p.fraction()),
            EventKind::Absence(t, profile) => format!(
                "absence {} {:?}",
                target(t),
                profile
                    .iter()
                    .map(|(d, p)| (d.minutes(), p.fraction()))
                    .collect::<Vec<_>>()
            ),
            EventKind::Demand(t, f) => format!("demand {} x{f:?}", target(t)),
            EventKind::Resupply(r) => format!("resupply {}", r.id),
        };
        let _ = writeln!(
            out,
            "  {what} at {} for {:?}",
            e.at.minutes(),
            e.duration.map(|d| d.minutes())
        );
    }
    out
}

/// (template, parameters): each template with what it requires, then variants.
const CASES: &[(&str, &[(&str, &str)])] = &[
    ("pandemic-wave", &[]),
    (
        "pandemic-wave",
        &[
            ("services", "as-home-care,cm-death-registration"),
            ("peak", "35%"),
            ("peak_at", "10d"),
            ("length", "1w"),
            ("id", "my-wave"),
            ("horizon", "30d"),
        ],
    ),
    ("ransomware", &[("system", "careledger")]),
    (
        "ransomware",
        &[("system", "careledger"), ("duration", "none")],
    ),
    (
        "supplier-insolvency",
        &[("supplier", "sup-homecare-moorside")],
    ),
    (
        "supplier-insolvency",
        &[("supplier", "sup-homecare-moorside"), ("duration", "10d")],
    ),
    ("regional-power-loss", &[]),
    ("regional-power-loss", &[("generator_fuel", "")]),
    ("regional-power-loss", &[("generator_fuel", "72h")]),
    (
        "river-flooding",
        &[("sites", "depot-tillenmouth,tillen-house")],
    ),
    (
        "river-flooding",
        &[
            ("sites", "depot-tillenmouth"),
            ("absence", "0%"),
            ("services", "as-home-care"),
            ("duration", "none"),
        ],
    ),
    ("severe-winter", &[]),
    (
        "severe-winter",
        &[("length", "2d"), ("services", "as-home-care")],
    ),
    ("fuel-shortage", &[]),
    ("avian-influenza", &[("services", "cm-animal-health")]),
    (
        "avian-influenza",
        &[
            ("services", "cm-animal-health"),
            ("skill", "regulatory-officer"),
            ("duration", "none"),
        ],
    ),
    ("telecoms-loss", &[]),
];

const EXPECTED: &str = r#"pandemic-wave | Pandemic wave (from template pandemic-wave) | Some(129600) | Some("Absence peaks at 20% on day 28.")
  absence all [(0, 0.0), (20160, 0.08000000000000002), (40320, 0.2), (70560, 0.08000000000000002), (100800, 0.0)] at 0 for None
my-wave | Pandemic wave (from template pandemic-wave) | Some(43200) | Some("Absence peaks at 35% on day 10.")
  absence all [(0, 0.0), (7200, 0.13999999999999999), (14400, 0.35), (14401, 0.13999999999999999), (14402, 0.0)] at 0 for None
  demand as-home-care x1.5 at 7200 for Some(7202)
  demand cm-death-registration x1.5 at 7200 for Some(7202)
ransomware | Ransomware on a system (from template ransomware) | Some(129600) | Some("Ransomware encrypts careledger; 18 services rely on it.")
  outage careledger at 0 for Some(30240)
  demand as-amhp x1.3 at 1440 for Some(28800)
  demand as-brokerage x1.3 at 1440 for Some(28800)
  demand as-carers x1.3 at 1440 for Some(28800)
  demand as-dols x1.3 at 1440 for Some(28800)
  demand as-financial-assessments x1.3 at 1440 for Some(28800)
  demand as-front-door x1.3 at 1440 for Some(28800)
  demand as-hospital-discharge x1.3 at 1440 for Some(28800)
  demand as-mash-triage x1.3 at 1440 for Some(28800)
  demand as-ot-equipment x1.3 at 1440 for Some(28800)
  demand as-s42-enquiries x1.3 at 1440 for Some(28800)
  demand cs-care-leavers x1.3 at 1440 for Some(28800)
  demand cs-child-protection x1.3 at 1440 for Some(28800)
  demand cs-early-help x1.3 at 1440 for Some(28800)
  demand cs-edt x1.3 at 1440 for Some(28800)
  demand cs-fostering x1.3 at 1440 for Some(28800)
  demand cs-looked-after x1.3 at 1440 for Some(28800)
  demand cs-mash x1.3 at 1440 for Some(28800)
  demand cs-placements x1.3 at 1440 for Some(28800)
ransomware | Ransomware on a system (from template ransomware) | Some(129600) | Some("Ransomware encrypts careledger; 18 services rely on it.")
  outage careledger at 0 for None
  demand as-amhp x1.3 at 1440 for None
  demand as-brokerage x1.3 at 1440 for None
  demand as-carers x1.3 at 1440 for None
  demand as-dols x1.3 at 1440 for None
  demand as-financial-assessments x1.3 at 1440 for None
  demand as-front-door x1.3 at 1440 for None
  demand as-hospital-discharge x1.3 at 1440 for None
  demand as-mash-triage x1.3 at 1440 for None
  demand as-ot-equipment x1.3 at 1440 for None
  demand as-s42-enquiries x1.3 at 1440 for None
  demand cs-care-leavers x1.3 at 1440 for None
  demand cs-child-protection x1.3 at 1440 for None
  demand cs-early-help x1.3 at 1440 for None
  demand cs-edt x1.3 at 1440 for None
  demand cs-fostering x1.3 at 1440 for None
  demand cs-looked-after x1.3 at 1440 for None
  demand cs-mash x1.3 at 1440 for None
  demand cs-placements x1.3 at 1440 for None
supplier-insolvency | Insolvency of a supplier (from template supplier-insolvency) | Some(86400) | Some("sup-homecare-moorside stops trading.")
  outage sup-homecare-moorside at 0 for None
supplier-insolvency | Insolvency of a supplier (from template supplier-insolvency) | Some(86400) | Some("sup-homecare-moorside stops trading.")
  outage sup-homecare-moorside at 0 for Some(14400)
regional-power-loss | Regional power loss (from template regional-power-loss) | Some(20160) | Some("Power is off for 2d; generators run for 1d.")
  outage grid-marsh-lane at 0 for Some(2880)
  outage grid-brackenholt at 0 for Some(2880)
  outage grid-oakshaw at 0 for Some(2880)
  outage generator-civic at 1440 for Some(1440)
  outage generator-elmbank at 1440 for Some(1440)
regional-power-loss | Regional power loss (from template regional-power-loss) | Some(20160) | Some("Power is off for 2d; generators run for the whole time.")
  outage grid-marsh-lane at 0 for Some(2880)
  outage grid-brackenholt at 0 for Some(2880)
  outage grid-oakshaw at 0 for Some(2880)
regional-power-loss | Regional power loss (from template regional-power-loss) | Some(20160) | Some("Power is off for 2d; generators run for 3d.")
  outage grid-marsh-lane at 0 for Some(2880)
  outage grid-brackenholt at 0 for Some(2880)
  outage grid-oakshaw at 0 for Some(2880)
river-flooding | River flooding (from template river-flooding) | Some(86400) | Some("Flooded sites close; some staff cannot get to work for a few days; chosen services see more demand.")
  outage depot-tillenmouth at 360 for Some(20160)
  outage tillen-house at 360 for Some(20160)
  absence all [(0, 0.0), (1440, 0.1), (5760, 0.05), (10080, 0.0)] at 0 for None
river-flooding | River flooding (from template river-flooding) | Some(86400) | Some("Flooded sites close; some staff cannot get to work for a few days; chosen services see more demand.")
  outage depot-tillenmouth at 360 for None
  demand as-home-care x2.0 at 0 for Some(20160)
severe-winter | Snow and low temperatures (from template severe-winter) | Some(30240) | Some("Staff cannot travel, vehicles are slowed, and winter services see more demand.")
  absence all [(0, 0.0), (1440, 0.25), (4320, 0.2), (8640, 0.075), (12960, 0.0)] at 0 for None
  degrade pool-cars to 0.5 at 720 for Some(8640)
  degrade telecare-vans to 0.5 at 720 for Some(8640)
  degrade day-service-minibuses to 0.5 at 720 for Some(8640)
  degrade equipment-vans to 0.5 at 720 for Some(8640)
  degrade reablement-cars to 0.5 at 720 for Some(8640)
  degrade send-minibuses to 0.5 at 720 for Some(8640)
  degrade rcv-fleet to 0.5 at 720 for Some(8640)
  degrade gritter-fleet to 0.5 at 720 for Some(8640)
  degrade street-vans to 0.5 at 720 for Some(8640)
  degrade sweepers to 0.5 at 720 for Some(8640)
  degrade highway-vans to 0.5 at 720 for Some(8640)
  degrade gully-tankers to 0.5 at 720 for Some(8640)
  degrade grounds-fleet to 0.5 at 720 for Some(8640)
  degrade dlo-vans to 0.5 at 720 for Some(8640)
severe-winter | Snow and low temperatures (from template severe-winter) | Some(30240) | Some("Staff cannot travel, vehicles are slowed, and winter services see more demand.")
  absence all [(0, 0.0), (320, 0.25), (960, 0.2), (1920, 0.075), (2880, 0.0)] at 0 for None
  degrade pool-cars to 0.5 at 720 for Some(1920)
  degrade telecare-vans to 0.5 at 720 for Some(1920)
  degrade day-service-minibuses to 0.5 at 720 for Some(1920)
  degrade equipment-vans to 0.5 at 720 for Some(1920)
  degrade reablement-cars to 0.5 at 720 for Some(1920)
  degrade send-minibuses to 0.5 at 720 for Some(1920)
  degrade rcv-fleet to 0.5 at 720 for Some(1920)
  degrade gritter-fleet to 0.5 at 720 for Some(1920)
  degrade street-vans to 0.5 at 720 for Some(1920)
  degrade sweepers to 0.5 at 720 for Some(1920)
  degrade highway-vans to 0.5 at 720 for Some(1920)
  degrade gully-tankers to 0.5 at 720 for Some(1920)
  degrade grounds-fleet to 0.5 at 720 for Some(1920)
  degrade dlo-vans to 0.5 at 720 for Some(1920)
  demand as-home-care x2.0 at 0 for Some(2880)
fuel-shortage | Fuel supply disruption (from template fuel-shortage) | Some(43200) | Some("Fuel supplies and the vehicles that need them run at part capacity for two weeks.")
  degrade fuel-retail to 0.5 at 1440 for Some(20160)
  degrade sup-moorland-fuels to 0.5 at 1440 for Some(20160)
  degrade fuel-bulk-kelder to 0.5 at 1440 for Some(20160)
  degrade fuel-bulk-tillenmouth to 0.5 at 1440 for Some(20160)
  degrade pool-cars to 0.5 at 1440 for Some(20160)
  degrade telecare-vans to 0.5 at 1440 for Some(20160)
  degrade day-service-minibuses to 0.5 at 1440 for Some(20160)
  degrade equipment-vans to 0.5 at 1440 for Some(20160)
  degrade reablement-cars to 0.5 at 1440 for Some(20160)
  degrade send-minibuses to 0.5 at 1440 for Some(20160)
  degrade rcv-fleet to 0.5 at 1440 for Some(20160)
  degrade gritter-fleet to 0.5 at 1440 for Some(20160)
  degrade street-vans to 0.5 at 1440 for Some(20160)
  degrade sweepers to 0.5 at 1440 for Some(20160)
  degrade highway-vans to 0.5 at 1440 for Some(20160)
  degrade gully-tankers to 0.5 at 1440 for Some(20160)
  degrade grounds-fleet to 0.5 at 1440 for Some(20160)
  degrade dlo-vans to 0.5 at 1440 for Some(20160)
avian-influenza | Avian influenza outbreak (from template avian-influenza) | Some(86400) | Some("Animal health and regulatory services see a surge in work, and their staff are stretched.")
  demand cm-animal-health x4.0 at 0 for Some(60480)
avian-influenza | Avian influenza outbreak (from template avian-influenza) | Some(86400) | Some("Animal health and regulatory services see a surge in work, and their staff are stretched.")
  demand cm-animal-health x4.0 at 0 for None
  absence regulatory-officer [(0, 0.0), (30240, 0.1), (60480, 0.0)] at 0 for None
telecoms-loss | Loss of telecommunications (from template telecoms-loss) | Some(10080) | Some("Fixed, mobile and data networks fail for a day and a half.")
  outage mobile-network at 0 for Some(2160)
  outage landline-network at 0 for Some(2160)
  outage wan-core-circuit at 0 for Some(2160)
  outage sip-trunks at 0 for Some(2160)
  outage core-network at 0 for Some(2160)
  outage payments-gateway at 0 for Some(2160)
"#;

#[test]
fn every_template_gives_the_scenario_it_always_gave() {
    let (m, c) = demo();
    let mut got = String::new();
    for (id, params) in CASES {
        let params: Vec<(String, String)> = params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let sc = apply(&m, &c, id, &params).unwrap_or_else(|e| panic!("{id}: {e}"));
        got.push_str(&render(&sc));
    }
    assert!(
        TEMPLATES
            .iter()
            .all(|t| CASES.iter().any(|(id, _)| *id == t.id)),
        "a template without a case"
    );
    assert_eq!(got, EXPECTED);
}
