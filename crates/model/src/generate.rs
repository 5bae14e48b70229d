//! Synthetic models with the shape of a real council, at any size, for benchmarks and tests.
//!
//! The structure follows what planners find in practice: directorates with their own sites and
//! staff, shared infrastructure (data centres fed by regional power, a WAN), corporate systems,
//! suppliers shared by many services, redundancy (any-of sites, k-of-n providers) and services
//! that rely on other services. The same seed always gives the same model.

use crate::types::*;
use crate::values::{Duration, Id, Percent};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Settings for [`generate`].
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    /// Number of services.
    pub services: usize,
    /// Random seed.
    pub seed: u64,
}

const SERVICES_PER_DIRECTORATE: usize = 25;

/// Names for the services of each directorate, so generated models read like a council's.
const SERVICE_NAMES: [&str; SERVICES_PER_DIRECTORATE] = [
    "Home care",
    "Safeguarding triage",
    "Residential care",
    "Reablement",
    "Child protection",
    "Fostering",
    "Homelessness assessment",
    "Temporary accommodation",
    "Housing repairs",
    "Waste collection",
    "Recycling",
    "Street cleansing",
    "Highways maintenance",
    "Winter gritting",
    "Council Tax",
    "Housing Benefit",
    "Payroll",
    "IT service desk",
    "Contact centre",
    "Registrars",
    "Bereavement services",
    "Libraries",
    "Environmental health",
    "Trading standards",
    "Emergency planning",
];

/// Generates a valid model with `shape.services` services.
pub fn generate(shape: Shape) -> Model {
    let mut g = Gen {
        rng: ChaCha8Rng::seed_from_u64(shape.seed),
        model: Model::default(),
    };
    g.model.organisations.push(Organisation {
        meta: g.meta("synthetic-council", "Synthetic Borough Council (generated)"),
        kind: Some("unitary council".into()),
        population: Some(shape.services as u64 * 2_500),
    });
    let n = shape.services.max(1);
    let directorates = n.div_ceil(SERVICES_PER_DIRECTORATE);
    let regions = n.div_ceil(2_000);
    // Regional power and shared infrastructure.
    for r in 0..regions {
        g.asset(
            &format!("grid-{r}"),
            "Regional power grid",
            AssetKind::Utility,
            None,
            Some(Failure::Rate {
                rate: 0.3,
                repair: hours(8),
            }),
        );
        g.asset(
            &format!("substation-{r}"),
            "Substation",
            AssetKind::Utility,
            Some(Need::Ref(g.r(&format!("grid-{r}")))),
            Some(Failure::Probability(0.01)),
        );
        g.asset(
            &format!("telecoms-{r}"),
            "Telecoms exchange",
            AssetKind::Utility,
            None,
            Some(Failure::Probability(0.02)),
        );
    }
    for dc in ["a", "b"] {
        g.asset(
            &format!("generator-{dc}"),
            "Standby generator",
            AssetKind::Equipment,
            None,
            Some(Failure::Probability(0.05)),
        );
        let power = Need::Any(
            vec![
                Need::Ref(g.r("substation-0")),
                Need::Ref(g.r(&format!("generator-{dc}"))),
            ],
            Default::default(),
        );
        g.asset(
            &format!("datacentre-{dc}"),
            "Data centre",
            AssetKind::Site,
            Some(power),
            Some(Failure::Probability(0.005)),
        );
    }
    g.asset(
        "wan",
        "Wide area network",
        AssetKind::ItSystem,
        Some(Need::Ref(g.r("telecoms-0"))),
        Some(Failure::Rate {
            rate: 1.0,
            repair: hours(6),
        }),
    );
    let systems = (n / 20).max(3);
    for i in 0..systems {
        let dcs = if g.rng.random_bool(0.7) {
            Need::Any(
                vec![
                    Need::Ref(g.r("datacentre-a")),
                    Need::Ref(g.r("datacentre-b")),
                ],
                Default::default(),
            )
        } else {
            Need::Ref(g.r(if i % 2 == 0 {
                "datacentre-a"
            } else {
                "datacentre-b"
            }))
        };
        let needs = Need::All(vec![dcs, Need::Ref(g.r("wan"))], Default::default());
        g.asset(
            &format!("system-{i}"),
            "Line-of-business system",
            AssetKind::ItSystem,
            Some(needs),
            Some(Failure::Rate {
                rate: 0.5,
                repair: hours(12),
            }),
        );
    }
    let suppliers = (n / 15).max(3);
    for i in 0..suppliers {
        g.asset(
            &format!("supplier-{i}"),
            "Contracted supplier",
            AssetKind::Supplier,
            None,
            Some(Failure::Probability(0.03)),
        );
    }
    let mut service_index = 0usize;
    for dir in 0..directorates {
        let region = dir % regions;
        for s in 0..2 {
            let needs = Need::All(
                vec![
                    Need::Ref(g.r(&format!("substation-{region}"))),
                    Need::Ref(g.r(&format!("telecoms-{region}"))),
                ],
                Default::default(),
            );
            g.asset(
                &format!("site-{dir}-{s}"),
                &format!("Area {dir} office {}", s + 1),
                AssetKind::Site,
                Some(needs),
                Some(Failure::Probability(0.01)),
            );
        }
        let skills = [format!("officers-{dir}"), format!("specialists-{dir}")];
        let mut fte = [0f64; 2];
        let count = SERVICES_PER_DIRECTORATE.min(n - service_index);
        let first_in_directorate = service_index;
        for _ in 0..count {
            let id = format!("service-{service_index}");
            let mut parts = Vec::new();
            parts.push(if g.rng.random_bool(0.6) {
                Need::Any(
                    vec![
                        Need::Ref(g.r(&format!("site-{dir}-0"))),
                        Need::Ref(g.r(&format!("site-{dir}-1"))),
                    ],
                    Default::default(),
                )
            } else {
                let site = g.rng.random_range(0..2);
                Need::Ref(g.r(&format!("site-{dir}-{site}")))
            });
            for _ in 0..g.rng.random_range(1..=2) {
                let sys = g.rng.random_range(0..systems);
                parts.push(Need::Ref(g.r(&format!("system-{sys}"))));
            }
            if g.rng.random_bool(0.4) {
                let base = g.rng.random_range(0..suppliers);
                let of = (0..3)
                    .map(|k| Need::Ref(g.r(&format!("supplier-{}", (base + k) % suppliers))))
                    .collect();
                parts.push(Need::AtLeast {
                    k: 2,
                    of,
                    pos: Default::default(),
                });
            } else if g.rng.random_bool(0.5) {
                let sup = g.rng.random_range(0..suppliers);
                parts.push(Need::Ref(g.r(&format!("supplier-{sup}"))));
            }
            if service_index > first_in_directorate && g.rng.random_bool(0.3) {
                let earlier = g.rng.random_range(first_in_directorate..service_index);
                parts.push(Need::Ref(g.r(&format!("service-{earlier}"))));
            }
            let criticality = Criticality::ALL[g.rng.random_range(0..4)];
            let mtpd_hours = match criticality {
                Criticality::Critical => 24,
                Criticality::High => 72,
                Criticality::Medium => 168,
                Criticality::Low => 672,
            };
            let which = g.rng.random_range(0..2);
            let need_fte = f64::from(g.rng.random_range(1..=12u32));
            fte[which] += need_fte;
            let per_day = f64::from(g.rng.random_range(5..=200u32));
            let pos = crate::diag::Pos::default();
            g.model.services.push(Service {
                meta: g.meta(
                    &id,
                    &format!(
                        "{} (area {dir})",
                        SERVICE_NAMES[service_index - first_in_directorate]
                    ),
                ),
                criticality: Some(criticality),
                mtpd: Some((hours(mtpd_hours), pos)),
                rto: Some((hours(mtpd_hours / 2), pos)),
                mbco: Some(
                    Percent::from_fraction(f64::from(g.rng.random_range(5..=10u32)) / 10.0)
                        .expect("in range"),
                ),
                needs: Some(Need::All(parts, pos)),
                staff: vec![StaffNeed {
                    skill: g.r(&skills[which]),
                    fte: need_fte,
                }],
                demand: Some(Demand {
                    per_day,
                    unit: Some("cases".into()),
                    ..Demand::default()
                }),
                surge: Some(1.3),
                population: Some(g.rng.random_range(100..50_000)),
                ..Service::default()
            });
            service_index += 1;
        }
        for (k, skill) in skills.iter().enumerate() {
            g.model.skills.push(Skill {
                meta: g.meta(
                    skill,
                    &format!(
                        "{} (area {dir})",
                        if k == 0 { "Officers" } else { "Specialists" }
                    ),
                ),
                headcount: (fte[k] * 1.1).ceil(),
                can_cover: vec![g.r(&skills[1 - k])],
            });
        }
    }
    g.model
}

fn hours(h: u64) -> Duration {
    Duration::from_minutes(h * 60)
}

struct Gen {
    rng: ChaCha8Rng,
    model: Model,
}

impl Gen {
    fn meta(&self, id: &str, name: &str) -> Meta {
        Meta {
            id: Id::parse(id).expect("generated ids are valid"),
            name: name.to_string(),
            ..Meta::default()
        }
    }

    fn r(&self, id: &str) -> Ref {
        Ref {
            id: id.to_string(),
            pos: Default::default(),
        }
    }

    fn asset(
        &mut self,
        id: &str,
        name: &str,
        kind: AssetKind,
        needs: Option<Need>,
        failure: Option<Failure>,
    ) {
        let meta = self.meta(id, name);
        self.model.assets.push(Asset {
            meta,
            kind,
            needs,
            failure,
            ..Asset::default()
        });
    }
}
