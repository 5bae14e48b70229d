//! The model: what an organisation delivers, what that needs, its staff, risks and scenarios.
//!
//! These types hold only values that were checked while reading (ids, durations, percentages
//! and dates are parsed); cross-references are checked by [`crate::validate`].

use crate::diag::Pos;
use crate::values::{Duration, Id, Percent};
use chrono::NaiveDate;

/// `x-` keys, kept in the order written and exported unchanged.
pub type Extensions = Vec<(String, serde_json::Value)>;

/// A whole model, with every included file merged in.
#[derive(Debug, Clone, Default)]
pub struct Model {
    /// Organisations the model covers.
    pub organisations: Vec<Organisation>,
    /// Services delivered.
    pub services: Vec<Service>,
    /// Sites, systems, suppliers, utilities and everything else services need.
    pub assets: Vec<Asset>,
    /// Staff pools.
    pub skills: Vec<Skill>,
    /// The risk register.
    pub risks: Vec<Risk>,
    /// Scenarios to rehearse.
    pub scenarios: Vec<Scenario>,
    /// Top-level `x-` keys.
    pub extensions: Extensions,
}

/// Fields every item has.
#[derive(Debug, Clone, Default)]
pub struct Meta {
    /// Unique id.
    pub id: Id,
    /// Where the id was written.
    pub pos: Pos,
    /// Human name.
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// Who is responsible.
    pub owner: Option<String>,
    /// Labels for filtering.
    pub tags: Vec<String>,
    /// `x-` keys on this item.
    pub extensions: Extensions,
}

impl Default for Id {
    fn default() -> Self {
        Id::parse("unnamed").expect("valid")
    }
}

/// A reference to another item by id, with where it was written.
#[derive(Debug, Clone)]
pub struct Ref {
    /// The id referred to (not necessarily a valid or existing one).
    pub id: String,
    /// Where the reference was written.
    pub pos: Pos,
}

/// A reference that may also be `all`.
#[derive(Debug, Clone)]
pub enum Target {
    /// Every skill or service.
    All(Pos),
    /// One item.
    One(Ref),
}

/// An organisation.
#[derive(Debug, Clone, Default)]
pub struct Organisation {
    /// Common fields.
    pub meta: Meta,
    /// Kind, e.g. "unitary council", "NHS trust".
    pub kind: Option<String>,
    /// People served.
    pub population: Option<u64>,
}

/// How critical a service is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Criticality {
    /// Loss threatens life or welfare within hours.
    Critical,
    /// Loss causes serious harm within days.
    High,
    /// Loss can be tolerated for a week or so.
    Medium,
    /// Loss can be tolerated for weeks.
    Low,
}

impl Criticality {
    /// Every value, most critical first.
    pub const ALL: [Criticality; 4] = [Self::Critical, Self::High, Self::Medium, Self::Low];

    /// The word used in model files.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Critical => "critical",
            Self::High => "high",
            Self::Medium => "medium",
            Self::Low => "low",
        }
    }
}

/// A dependency expression.
#[derive(Debug, Clone)]
pub enum Need {
    /// The capacity of one asset or service.
    Ref(Ref),
    /// All of these (minimum); a plain list in a file.
    All(Vec<Need>, Pos),
    /// One of these is enough (maximum).
    Any(Vec<Need>, Pos),
    /// `k` of these (the k-th largest).
    AtLeast {
        /// How many are needed.
        k: u32,
        /// The alternatives.
        of: Vec<Need>,
        /// Where the expression was written.
        pos: Pos,
    },
    /// An alternative that takes time to bring up (`{standby: ..., switchover: 4h}`): only a
    /// part of an `any` or `atleast` list. It counts in full in the structural analyses; over
    /// time it gives nothing until `switchover` has passed since it was needed.
    Standby {
        /// What the standby is.
        need: Box<Need>,
        /// How long it takes to bring up.
        switchover: Duration,
        /// Where it was written.
        pos: Pos,
    },
}

impl Need {
    /// Calls `f` on every reference in the expression, in the order written.
    pub fn for_each_ref<'a>(&'a self, f: &mut impl FnMut(&'a Ref)) {
        match self {
            Need::Ref(r) => f(r),
            Need::All(parts, _) | Need::Any(parts, _) | Need::AtLeast { of: parts, .. } => {
                parts.iter().for_each(|p| p.for_each_ref(f))
            }
            Need::Standby { need, .. } => need.for_each_ref(f),
        }
    }

    /// Calls `f` on every standby in the expression, in the order written.
    pub fn for_each_standby<'a>(&'a self, f: &mut impl FnMut(&'a Need, Duration)) {
        match self {
            Need::Ref(_) => {}
            Need::All(parts, _) | Need::Any(parts, _) | Need::AtLeast { of: parts, .. } => {
                parts.iter().for_each(|p| p.for_each_standby(f))
            }
            Need::Standby {
                need, switchover, ..
            } => {
                f(need, *switchover);
                need.for_each_standby(f);
            }
        }
    }
}

/// Staff needed to run a service at full capacity.
#[derive(Debug, Clone)]
pub struct StaffNeed {
    /// The skill (staff pool).
    pub skill: Ref,
    /// Full-time equivalents needed.
    pub fte: f64,
}

/// Work arriving each day.
#[derive(Debug, Clone, Default)]
pub struct Demand {
    /// Units of work a day.
    pub per_day: f64,
    /// What a unit is: cases, visits, calls.
    pub unit: Option<String>,
    /// Whether work not done waits (`deferrable`, the default) or is lost (`perishable`).
    pub kind: Option<DemandKind>,
    /// How long work may wait before it counts as overdue (deferrable demand only).
    pub max_wait: Option<(Duration, Pos)>,
}

impl Demand {
    /// The kind of demand, deferrable unless written otherwise.
    pub fn kind(&self) -> DemandKind {
        self.kind.unwrap_or(DemandKind::Deferrable)
    }
}

/// What happens to work a service cannot do the day it arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DemandKind {
    /// It waits in a backlog.
    Deferrable,
    /// It is lost: a visit missed, a dose not given.
    Perishable,
}

impl DemandKind {
    /// Every kind, in the order of the format.
    pub const ALL: [DemandKind; 2] = [Self::Deferrable, Self::Perishable];

    /// The word used in model files.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Deferrable => "deferrable",
            Self::Perishable => "perishable",
        }
    }
}

/// A procedure to continue a service at a reduced level when its usual way is lost
/// (ISO 22301 8.4.4).
#[derive(Debug, Clone, Default)]
pub struct Workaround {
    /// What it is, e.g. "Paper referral forms and phone triage".
    pub name: String,
    /// Where it was written.
    pub pos: Pos,
    /// The capacity it gives while in use.
    pub capacity: Percent,
    /// Start-up time, from the moment the service is lost.
    pub after: Duration,
    /// The longest it can be kept up in one scenario (no limit when absent).
    pub lasts: Option<Duration>,
    /// What it needs of its own.
    pub needs: Option<Need>,
    /// Staff it needs.
    pub staff: Vec<StaffNeed>,
}

/// The part of the year in which a service runs: from `from` to `to` (month, day), both
/// included; wraps the year when `to` comes before `from`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Season {
    /// First day: (month, day).
    pub from: (u32, u32),
    /// Last day: (month, day).
    pub to: (u32, u32),
}

impl Season {
    /// Whether `date` falls in the season.
    pub fn contains(&self, date: NaiveDate) -> bool {
        use chrono::Datelike;
        let d = (date.month(), date.day());
        if self.from <= self.to {
            self.from <= d && d <= self.to
        } else {
            d >= self.from || d <= self.to
        }
    }
}

/// A service delivered to the public or to another service.
#[derive(Debug, Clone, Default)]
pub struct Service {
    /// Common fields.
    pub meta: Meta,
    /// Owning organisation (required when the model has several).
    pub organisation: Option<Ref>,
    /// How critical it is.
    pub criticality: Option<Criticality>,
    /// Maximum tolerable period of disruption.
    pub mtpd: Option<(Duration, Pos)>,
    /// Recovery time objective.
    pub rto: Option<(Duration, Pos)>,
    /// Recovery point objective.
    pub rpo: Option<Duration>,
    /// Least acceptable capacity, as written (default 100%).
    pub mbco: Option<Percent>,
    /// What it needs.
    pub needs: Option<Need>,
    /// Staff it needs.
    pub staff: Vec<StaffNeed>,
    /// Work arriving each day.
    pub demand: Option<Demand>,
    /// Most capacity reachable while clearing a backlog, as a fraction of 1 or more (default 1).
    pub surge: Option<f64>,
    /// People who rely on it.
    pub population: Option<u64>,
    /// Business impact over time: severity 1-5 after each duration.
    pub impacts: Vec<(Duration, u8)>,
    /// Local Government Service List code.
    pub lgsl: Option<u32>,
    /// Procedures to continue at a reduced level.
    pub workarounds: Vec<Workaround>,
    /// The part of the year it runs in (all year when absent).
    pub season: Option<Season>,
}

impl Service {
    /// Calls `f` on every item the service depends on: its needs, then its workarounds' needs.
    pub fn for_each_dependency<'a>(&'a self, f: &mut impl FnMut(&'a Ref)) {
        if let Some(n) = &self.needs {
            n.for_each_ref(f);
        }
        for w in &self.workarounds {
            if let Some(n) = &w.needs {
                n.for_each_ref(f);
            }
        }
    }

    /// The minimum business continuity objective, defaulting to 100%.
    pub fn mbco(&self) -> Percent {
        self.mbco.unwrap_or(Percent::FULL)
    }

    /// The surge capacity, defaulting to 100%.
    pub fn surge(&self) -> f64 {
        self.surge.unwrap_or(1.0)
    }
}

/// What kind of thing an asset is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum AssetKind {
    /// A building or place.
    Site,
    /// An application or infrastructure system.
    ItSystem,
    /// A company or body that supplies goods or services.
    Supplier,
    /// Power, water, gas, telecoms.
    Utility,
    /// Records and data sets.
    Data,
    /// Plant and equipment.
    Equipment,
    /// A vehicle or fleet.
    Vehicle,
    /// Anything else.
    #[default]
    Other,
}

impl AssetKind {
    /// Every kind, in the order of the format.
    pub const ALL: [AssetKind; 8] = [
        Self::Site,
        Self::ItSystem,
        Self::Supplier,
        Self::Utility,
        Self::Data,
        Self::Equipment,
        Self::Vehicle,
        Self::Other,
    ];

    /// The word used in model files.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Site => "site",
            Self::ItSystem => "it-system",
            Self::Supplier => "supplier",
            Self::Utility => "utility",
            Self::Data => "data",
            Self::Equipment => "equipment",
            Self::Vehicle => "vehicle",
            Self::Other => "other",
        }
    }
}

/// How often an asset fails.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Failure {
    /// Chance of loss in a year.
    Probability(f64),
    /// Failures per year and mean time to restore.
    Rate {
        /// Failures per year.
        rate: f64,
        /// Mean time to restore.
        repair: Duration,
    },
}

/// Anything a service needs that is not a service.
#[derive(Debug, Clone, Default)]
pub struct Asset {
    /// Common fields.
    pub meta: Meta,
    /// Owning organisation (required when the model has several).
    pub organisation: Option<Ref>,
    /// What it is.
    pub kind: AssetKind,
    /// What it needs in turn.
    pub needs: Option<Need>,
    /// How often it fails.
    pub failure: Option<Failure>,
    /// How soon it can be restored or worked around, with where that was written.
    pub recovery_rto: Option<(Duration, Pos)>,
    /// End of vendor support (IT systems).
    pub end_of_support: Option<NaiveDate>,
    /// End of contract (suppliers).
    pub contract_end: Option<NaiveDate>,
    /// The estate register's and supply chain's fields (IT systems and suppliers).
    pub estate: crate::estate::Estate,
    /// A stock that lasts a given time while in use (fuel, salt, PPE, medicines).
    pub stock: Option<Stock>,
}

/// A stock: an asset that runs out after `lasts` of use and is resupplied after `resupply`
/// empty, or by a scenario's `resupply` event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stock {
    /// How long a full stock lasts while in use.
    pub lasts: Duration,
    /// How long it stays empty before a delivery fills it again (never, without one).
    pub resupply: Option<Duration>,
    /// Where it was written.
    pub pos: Pos,
}

/// A staff pool.
#[derive(Debug, Clone, Default)]
pub struct Skill {
    /// Common fields.
    pub meta: Meta,
    /// Full-time equivalents who hold the skill.
    pub headcount: f64,
    /// Skills these staff can stand in for.
    pub can_cover: Vec<Ref>,
}

/// An entry in the risk register.
#[derive(Debug, Clone, Default)]
pub struct Risk {
    /// Common fields.
    pub meta: Meta,
    /// Likelihood, 1-5 (National Risk Register scale).
    pub likelihood: u8,
    /// Impact, 1-5 (National Risk Register scale).
    pub impact: u8,
    /// The period the likelihood is the chance of it happening in, in years (the National
    /// Risk Register uses 5 years, 2 for malicious risks); `None` when not recorded.
    pub period_years: Option<u8>,
    /// The scenario that rehearses it.
    pub scenario: Option<Ref>,
    /// Controls in place.
    pub controls: Vec<String>,
    /// Next review date.
    pub review: Option<NaiveDate>,
    /// Theme, e.g. "cyber".
    pub category: Option<String>,
}

/// A scenario: a timeline of events.
#[derive(Debug, Clone, Default)]
pub struct Scenario {
    /// Common fields.
    pub meta: Meta,
    /// How long to rehearse.
    pub horizon: Option<Duration>,
    /// The calendar date it starts on, for services' seasons (seasons are ignored without one).
    pub start: Option<NaiveDate>,
    /// Services deliberately stood down for it.
    pub suspend: Vec<Ref>,
    /// What happens.
    pub events: Vec<Event>,
}

/// One event of a scenario.
#[derive(Debug, Clone)]
pub struct Event {
    /// What happens.
    pub kind: EventKind,
    /// From when.
    pub at: Duration,
    /// For how long (to the horizon when absent).
    pub duration: Option<Duration>,
    /// Where it was written.
    pub pos: Pos,
    /// `x-` keys on the event.
    pub extensions: Extensions,
}

/// The kinds of event.
#[derive(Debug, Clone)]
pub enum EventKind {
    /// The item's capacity falls to 0.
    Outage(Ref),
    /// The item runs at part capacity.
    Degrade(Ref, Percent),
    /// Part of a skill's headcount is absent over time.
    Absence(Target, Vec<(Duration, Percent)>),
    /// A service's demand is multiplied.
    Demand(Target, f64),
    /// An asset's stock is filled again.
    Resupply(Ref),
}
