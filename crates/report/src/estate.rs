//! The IT estate register and the supply chain as the command line (`bulwark estate`,
//! `bulwark suppliers`), the API and the web pages show them: each system's support and blast
//! radius, each supplier's reach (fourth parties included), and concentration findings.
//! Defined once so that they cannot drift apart.

use bulwark_engine::Compiled;
use bulwark_engine::estate::Reliance;
use bulwark_model::catalogue::{Catalogue, Status};
use bulwark_model::estate::{ExitPlan, Substitutability, Word};
use bulwark_model::{Asset, AssetKind, Criticality, Model, Standing};
use chrono::NaiveDate;
use serde::Serialize;

/// A supplier is a concentration finding when at least this share of all services need it.
pub const CONCENTRATION_SHARE: f64 = 0.25;
/// ... and at least this many.
pub const CONCENTRATION_MIN: usize = 3;
/// The most simulation work (systems to rehearse times the compiled graph's nodes) the web
/// app spends on ransomware rehearsals of one model version; `bulwark estate --ransomware`
/// has no limit.
pub const RANSOMWARE_WORK_LIMIT: usize = 2_000_000;
/// A restore test older than this many months is overdue.
pub const RESTORE_TEST_MONTHS: u32 = 12;

/// The words `bulwark estate` uses for a system's support.
pub fn support_word(s: Standing) -> &'static str {
    match s {
        Standing::Expired => "expired",
        Standing::Within12Months => "within-12-months",
        Standing::Current => "supported",
        Standing::Unknown => "unknown",
    }
}

/// The words `bulwark suppliers` uses for a contract.
pub fn contract_word(s: Standing) -> &'static str {
    match s {
        Standing::Expired => "ended",
        Standing::Within12Months => "within-12-months",
        Standing::Current => "current",
        Standing::Unknown => "unknown",
    }
}

/// One IT system of the estate.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SystemEntry {
    /// Asset id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// End of vendor support, `YYYY-MM-DD`.
    pub end_of_support: Option<String>,
    /// `expired`, `within-12-months`, `supported` or `unknown`.
    pub support: &'static str,
    /// Services its failure alone loses (as `impact`), in model order.
    pub services_lost: Vec<String>,
    /// How many of those are critical.
    pub critical_services_lost: usize,
    /// Services that need it at all, directly or not.
    pub services_needing: usize,
    /// Who is responsible.
    pub owner: Option<String>,
    /// Vendor.
    pub vendor: Option<String>,
    /// Product.
    pub product: Option<String>,
    /// Version.
    pub version: Option<String>,
    /// `on-premises`, `cloud` or `saas`.
    pub hosting: Option<&'static str>,
    /// `tolerate`, `invest`, `migrate` or `eliminate`.
    pub lifecycle: Option<&'static str>,
    /// Security classification of its data.
    pub classification: Option<&'static str>,
    /// Pounds a year.
    pub annual_cost: Option<f64>,
    /// Whether its backups are immutable, when recorded.
    pub backups_immutable: Option<bool>,
    /// When a restore was last tested, `YYYY-MM-DD`.
    pub last_restore_test: Option<String>,
    /// What a planner should look at, in plain words.
    pub concerns: Vec<String>,
    /// Where it stands against the approved technology catalogue (left out until
    /// [`EstateReport::check_catalogue`] fills it in).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub catalogue: Option<CatalogueStanding>,
    /// What a ransomware attack on it would breach, from the simulation (left out until
    /// [`EstateReport::rehearse_ransomware`] fills it in).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub ransomware: Option<Ransomware>,
}

/// Where a system stands against the approved technology catalogue.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CatalogueStanding {
    /// Its product's status (`approved`, `contained`, `retiring`, `prohibited`), or
    /// `outside` when its product is not in the catalogue.
    pub status: &'static str,
    /// The product's category, when it is in the catalogue.
    pub category: Option<String>,
    /// The exception in force for it.
    pub exception: Option<CatalogueException>,
}

/// An exception to the catalogue in force for a system.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CatalogueException {
    /// Who answers for it.
    pub owner: String,
    /// When it ends, `YYYY-MM-DD`.
    pub expires: String,
}

/// A ransomware outage of one system rehearsed with the simulation (the `ransomware` scenario
/// template: out for its recovery time, demand up on what relies on it).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Ransomware {
    /// How long it is out: its `recovery.rto`, or the template's 21 days without one.
    pub outage: String,
    /// Services that breach their MTPD, in model order.
    pub breached: Vec<String>,
    /// How many of those are critical.
    pub critical_breached: usize,
}

/// The IT estate register (`bulwark estate --json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EstateReport {
    /// The day support was judged on, `YYYY-MM-DD`.
    pub today: String,
    /// Every `it-system` asset, in model order.
    pub systems: Vec<SystemEntry>,
    /// Catalogue products whose review date has passed (after
    /// [`EstateReport::check_catalogue`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub catalogue_reviews_due: Vec<String>,
}

/// One supplier.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SupplierEntry {
    /// Asset id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// End of contract, `YYYY-MM-DD`.
    pub contract_end: Option<String>,
    /// `ended`, `within-12-months`, `current` or `unknown`, on the report's day.
    pub contract: &'static str,
    /// Services its failure alone loses (as `impact`), in model order.
    pub services_lost: Vec<String>,
    /// How many of those are critical.
    pub critical_services_lost: usize,
    /// Services that need it at all, directly or not.
    pub services_needing: usize,
    /// Of which critical.
    pub critical_services_needing: usize,
    /// Other suppliers it relies on (fourth parties), through the model's needs, sorted.
    pub fourth_parties: Vec<String>,
    /// Suppliers that rely on it in turn, sorted.
    pub relied_on_by: Vec<String>,
    /// True when at least [`CONCENTRATION_SHARE`] of all services need it.
    pub concentration: bool,
    /// `none`, `documented` or `tested`.
    pub exit_plan: Option<&'static str>,
    /// `easy`, `moderate`, `difficult` or `none`.
    pub substitutability: Option<&'static str>,
    /// Pounds a year.
    pub annual_cost: Option<f64>,
    /// Who is responsible.
    pub owner: Option<String>,
    /// What a planner should look at, in plain words.
    pub concerns: Vec<String>,
}

/// The supply chain (`bulwark suppliers --json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SuppliersReport {
    /// The day contracts were judged on, `YYYY-MM-DD`.
    pub today: String,
    /// How many services the model has.
    pub services: usize,
    /// Every `supplier` asset, by critical services lost, then services lost (both
    /// descending), then id.
    pub suppliers: Vec<SupplierEntry>,
}

/// What the services lose and need of each asset, with the model alongside.
struct Reach<'a> {
    model: &'a Model,
    c: &'a Compiled,
    reliance: &'a [Reliance],
}

impl Reach<'_> {
    fn ids(&self, services: &[u32]) -> Vec<String> {
        services
            .iter()
            .map(|s| self.c.services[*s as usize].id.clone())
            .collect()
    }

    fn critical(&self, services: &[u32]) -> usize {
        services
            .iter()
            .filter(|s| self.c.services[**s as usize].criticality == Some(Criticality::Critical))
            .count()
    }

    fn of_kind(&self, kind: AssetKind) -> impl Iterator<Item = (usize, &Asset)> {
        self.model
            .assets
            .iter()
            .enumerate()
            .filter(move |(_, a)| a.kind == kind)
    }
}

fn date_text(d: Option<NaiveDate>) -> Option<String> {
    d.map(|d| d.to_string())
}

impl EstateReport {
    /// The estate of `model` (compiled as `c`, with `reliance` from
    /// [`Compiled::reliance`]) on `today`.
    pub fn new(
        model: &Model,
        c: &Compiled,
        reliance: &[Reliance],
        today: NaiveDate,
    ) -> EstateReport {
        let r = Reach { model, c, reliance };
        let restore_due = today
            .checked_sub_months(chrono::Months::new(RESTORE_TEST_MONTHS))
            .unwrap_or(NaiveDate::MIN);
        let systems = r
            .of_kind(AssetKind::ItSystem)
            .map(|(i, a)| {
                let rel = &r.reliance[i];
                let e = &a.estate;
                let support = Standing::of(a.end_of_support, today);
                let critical = r.critical(&rel.lost_alone);
                let mut concerns = Vec::new();
                match (support, a.end_of_support) {
                    (Standing::Expired, Some(d)) => {
                        concerns.push(format!("vendor support ended on {d}"))
                    }
                    (Standing::Within12Months, Some(d)) => {
                        concerns.push(format!("vendor support ends on {d}, within 12 months"))
                    }
                    _ => {}
                }
                if let Some(b) = &e.backups {
                    if b.immutable == Some(false) {
                        concerns.push("backups are not immutable".into());
                    }
                    match b.last_restore_test {
                        Some(t) if t < restore_due => concerns.push(format!(
                            "restore last tested on {t}, more than {RESTORE_TEST_MONTHS} months ago"
                        )),
                        None => concerns.push("restore from backup never tested".into()),
                        _ => {}
                    }
                }
                if critical > 0 && matches!(support, Standing::Expired) {
                    concerns.push(format!(
                        "{critical} critical service(s) rely on it alone while unsupported"
                    ));
                }
                SystemEntry {
                    id: a.meta.id.to_string(),
                    name: a.meta.name.clone(),
                    end_of_support: date_text(a.end_of_support),
                    support: support_word(support),
                    services_lost: r.ids(&rel.lost_alone),
                    critical_services_lost: critical,
                    services_needing: rel.needed_by.len(),
                    owner: a.meta.owner.clone(),
                    vendor: e.vendor.clone(),
                    product: e.product.clone(),
                    version: e.version.clone(),
                    hosting: e.hosting.map(Word::as_str),
                    lifecycle: e.lifecycle.map(Word::as_str),
                    classification: e
                        .data
                        .as_ref()
                        .and_then(|d| d.classification)
                        .map(Word::as_str),
                    annual_cost: e.annual_cost,
                    backups_immutable: e.backups.as_ref().and_then(|b| b.immutable),
                    last_restore_test: date_text(
                        e.backups.as_ref().and_then(|b| b.last_restore_test),
                    ),
                    concerns,
                    catalogue: None,
                    ransomware: None,
                }
            })
            .collect();
        EstateReport {
            today: today.to_string(),
            systems,
            catalogue_reviews_due: Vec::new(),
        }
    }
}

impl EstateReport {
    /// Rehearses a ransomware outage of each system that any service needs (the `ransomware`
    /// scenario template, out for the system's `recovery.rto` or 21 days) and records what
    /// breaches. A system whose failure alone loses no service cannot make one breach, so it
    /// is not simulated. One simulation per other system: call it off the async threads on
    /// large models.
    pub fn rehearse_ransomware(&mut self, model: &Model, c: &Compiled) {
        let options = bulwark_engine::simulate::Options::default();
        for s in &mut self.systems {
            if s.services_needing == 0 {
                continue;
            }
            let Some(asset) = model.assets.iter().find(|a| a.meta.id.as_str() == s.id) else {
                continue;
            };
            let mut params = vec![("system".to_string(), s.id.clone())];
            if let Some((rto, _)) = asset.recovery_rto {
                params.push(("duration".to_string(), rto.to_string()));
            }
            let outage = asset
                .recovery_rto
                .map_or_else(|| "21d".to_string(), |(rto, _)| rto.to_string());
            if s.services_lost.is_empty() {
                s.ransomware = Some(Ransomware {
                    outage,
                    breached: Vec::new(),
                    critical_breached: 0,
                });
                continue;
            }
            let Ok(scenario) = bulwark_engine::templates::apply(model, c, "ransomware", &params)
            else {
                continue;
            };
            let Ok(sim) =
                bulwark_engine::simulate::simulate_scenario(model, c, &scenario, &options)
            else {
                continue;
            };
            let breached: Vec<u32> = sim
                .services
                .iter()
                .enumerate()
                .filter(|(_, o)| o.breached_at.is_some())
                .map(|(i, _)| i as u32)
                .collect();
            let critical_breached = breached
                .iter()
                .filter(|i| c.services[**i as usize].criticality == Some(Criticality::Critical))
                .count();
            s.ransomware = Some(Ransomware {
                outage,
                breached: breached
                    .iter()
                    .map(|i| c.services[*i as usize].id.clone())
                    .collect(),
                critical_breached,
            });
        }
    }
}

impl EstateReport {
    /// How much work [`EstateReport::rehearse_ransomware`] would do: the systems to simulate
    /// times the nodes of the compiled graph.
    pub fn ransomware_work(&self, c: &Compiled) -> usize {
        self.systems
            .iter()
            .filter(|s| !s.services_lost.is_empty())
            .count()
            .saturating_mul(c.node_count())
    }

    /// Checks every system against the approved technology `catalogue` on `today`: systems
    /// whose product is not in it, or is retiring or prohibited, are named in their concerns
    /// unless an exception is in force (an expired one is named too); products due for review
    /// are listed.
    pub fn check_catalogue(&mut self, model: &Model, catalogue: &Catalogue, today: NaiveDate) {
        for s in &mut self.systems {
            let product = model
                .assets
                .iter()
                .find(|a| a.meta.id.as_str() == s.id)
                .and_then(|a| a.estate.product.as_deref());
            let entry = product.and_then(|p| catalogue.product(p));
            let exception = catalogue.exception(&s.id, today);
            let status = entry.map_or("outside", |e| e.status.as_str());
            let trouble = match entry.map(|e| e.status) {
                None => Some("its product is not in the approved technology catalogue".to_string()),
                Some(Status::Retiring) => Some(format!(
                    "its product {} is being retired from the catalogue",
                    product.unwrap_or_default()
                )),
                Some(Status::Prohibited) => Some(format!(
                    "its product {} is prohibited by the catalogue",
                    product.unwrap_or_default()
                )),
                Some(Status::Approved | Status::Contained) => None,
            };
            match (trouble, exception) {
                (Some(t), Some(e)) => s.concerns.push(format!(
                    "{t}, by exception (owner {}) until {}",
                    e.owner, e.expires
                )),
                (Some(t), None) => {
                    s.concerns.push(t);
                    if let Some(old) = catalogue
                        .exceptions
                        .iter()
                        .filter(|e| e.system == s.id)
                        .map(|e| e.expires)
                        .max()
                    {
                        s.concerns.push(format!("its exception ended on {old}"));
                    }
                }
                (None, _) => {}
            }
            s.catalogue = Some(CatalogueStanding {
                status,
                category: entry.map(|e| e.category.clone()),
                exception: exception.map(|e| CatalogueException {
                    owner: e.owner.clone(),
                    expires: e.expires.to_string(),
                }),
            });
        }
        self.catalogue_reviews_due = catalogue
            .products
            .iter()
            .filter(|p| p.review.is_some_and(|r| r < today))
            .map(|p| p.product.clone())
            .collect();
    }

    /// Each system's ransomware rehearsal, in the order of the report (to keep and reuse
    /// with [`EstateReport::with_ransomware`]: rehearsals do not depend on the day).
    pub fn ransomware(&self) -> Vec<Option<Ransomware>> {
        self.systems.iter().map(|s| s.ransomware.clone()).collect()
    }

    /// The report with rehearsals `kept` from [`EstateReport::ransomware`] of a report on
    /// the same model.
    pub fn with_ransomware(mut self, kept: &[Option<Ransomware>]) -> EstateReport {
        for (s, r) in self.systems.iter_mut().zip(kept) {
            s.ransomware = r.clone();
        }
        self
    }
}

impl SuppliersReport {
    /// The suppliers of `model` (compiled as `c`, with `reliance` from
    /// [`Compiled::reliance`]), contracts judged on `today`.
    pub fn new(
        model: &Model,
        c: &Compiled,
        reliance: &[Reliance],
        today: NaiveDate,
    ) -> SuppliersReport {
        let r = Reach { model, c, reliance };
        let supplier: Vec<bool> = model
            .assets
            .iter()
            .map(|a| a.kind == AssetKind::Supplier)
            .collect();
        let fourth: Vec<Vec<u32>> = (0..model.assets.len() as u32)
            .map(|i| {
                if supplier[i as usize] {
                    c.assets_needed_by_asset(i)
                        .into_iter()
                        .filter(|a| supplier[*a as usize])
                        .collect()
                } else {
                    Vec::new()
                }
            })
            .collect();
        let mut relied = vec![Vec::new(); model.assets.len()];
        for (o, parties) in fourth.iter().enumerate() {
            for f in parties {
                relied[*f as usize].push(o as u32);
            }
        }
        let total = c.services.len();
        let threshold =
            ((total as f64 * CONCENTRATION_SHARE).ceil() as usize).max(CONCENTRATION_MIN);
        let asset_id = |a: &u32| model.assets[*a as usize].meta.id.to_string();
        let mut suppliers: Vec<SupplierEntry> = r
            .of_kind(AssetKind::Supplier)
            .map(|(i, a)| {
                let rel = &r.reliance[i];
                let e = &a.estate;
                let contract = Standing::of(a.contract_end, today);
                let critical = r.critical(&rel.lost_alone);
                let concentration = rel.needed_by.len() >= threshold;
                let mut concerns = Vec::new();
                match (contract, a.contract_end) {
                    (Standing::Expired, Some(d)) => {
                        concerns.push(format!("contract ended on {d}"))
                    }
                    (Standing::Within12Months, Some(d)) => {
                        concerns.push(format!("contract ends on {d}, within 12 months"))
                    }
                    _ => {}
                }
                if concentration {
                    concerns.push(format!(
                        "{} of {total} services need it: a concentration of reliance",
                        rel.needed_by.len()
                    ));
                }
                let hard = matches!(
                    e.substitutability,
                    Some(Substitutability::Difficult | Substitutability::None)
                );
                if critical > 0 && hard && matches!(e.exit_plan, None | Some(ExitPlan::None)) {
                    concerns.push(
                        "hard to replace, critical services rely on it alone, and there is no exit plan"
                            .into(),
                    );
                }
                let mut relied_on_by: Vec<String> = relied[i].iter().map(asset_id).collect();
                relied_on_by.sort_unstable();
                let mut fourth_parties: Vec<String> = fourth[i].iter().map(asset_id).collect();
                fourth_parties.sort_unstable();
                SupplierEntry {
                    id: a.meta.id.to_string(),
                    name: a.meta.name.clone(),
                    contract_end: date_text(a.contract_end),
                    contract: contract_word(contract),
                    services_lost: r.ids(&rel.lost_alone),
                    critical_services_lost: critical,
                    services_needing: rel.needed_by.len(),
                    critical_services_needing: r.critical(&rel.needed_by),
                    fourth_parties,
                    relied_on_by,
                    concentration,
                    exit_plan: e.exit_plan.map(Word::as_str),
                    substitutability: e.substitutability.map(Word::as_str),
                    annual_cost: e.annual_cost,
                    owner: a.meta.owner.clone(),
                    concerns,
                }
            })
            .collect();
        suppliers.sort_by(|a, b| {
            b.critical_services_lost
                .cmp(&a.critical_services_lost)
                .then(b.services_lost.len().cmp(&a.services_lost.len()))
                .then_with(|| a.id.cmp(&b.id))
        });
        SuppliersReport {
            today: today.to_string(),
            services: total,
            suppliers,
        }
    }
}
