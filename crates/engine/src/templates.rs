//! Scenario templates based on the UK National Risk Register, applied to a user's own model.
//!
//! A template is a recipe with parameters: [`apply`] checks them against the model (ids must
//! exist and be of the right kind) and returns an ordinary [`Scenario`], to be written into the
//! model's `scenarios` and simulated like any other. Where a parameter names items and the user
//! gives none, a template picks them from the model by kind and by words in ids and names
//! (a `generator`, a `grid` utility, `vehicle` assets), and says so when it finds none.
//!
//! Every template also takes `id` (the scenario's id; default the template's id) and `horizon`.
//!
//! Each template is an entry of [`TEMPLATES`] (its id, name, parameters and default horizon)
//! with one small function that builds its events.

use crate::compile::Compiled;
use bulwark_model::{
    AssetKind, Duration, Event, EventKind, Meta, Model, Percent, Pos, Ref, Scenario, Target,
};
use std::collections::BTreeSet;

/// The default of a parameter whose items are picked from the model when not given.
pub const PICK: &str = "(picked from the model)";

/// A template's parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Param {
    /// Its name, as in `--param name=value`.
    pub name: &'static str,
    /// What it means.
    pub help: &'static str,
    /// Its default: `None` when required, [`PICK`] when picked from the model, `""` when optional.
    pub default: Option<&'static str>,
}

/// A scenario template: its data, and the function that builds its events.
#[derive(Debug, Clone, Copy)]
pub struct Template {
    /// Its id.
    pub id: &'static str,
    /// Its name.
    pub name: &'static str,
    /// The National Risk Register risk it follows.
    pub nrr: &'static str,
    /// What it does to the model.
    pub description: &'static str,
    /// Its parameters, besides `id` and `horizon`.
    pub params: &'static [Param],
    /// Its default horizon.
    pub horizon: &'static str,
    build: Build,
}

/// Templates are told apart by id.
impl PartialEq for Template {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl Eq for Template {}

/// Builds a template's events from its parameters.
type Build = fn(&Args<'_>) -> Result<Built, TemplateError>;

/// What a template's builder makes: the events, and a description when it has a more precise
/// one than the template's own.
struct Built {
    events: Vec<Event>,
    description: Option<String>,
}

impl From<Vec<Event>> for Built {
    fn from(events: Vec<Event>) -> Built {
        Built {
            events,
            description: None,
        }
    }
}

/// Why a template could not be applied.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TemplateError {
    /// No template has this id.
    #[error("no template has the id `{0}`; `bulwark scenario templates` lists them")]
    UnknownTemplate(String),
    /// The template has no such parameter.
    #[error("template `{template}` has no parameter `{param}` (it takes: {known})")]
    UnknownParam {
        /// The template.
        template: String,
        /// The parameter given.
        param: String,
        /// The parameters it takes.
        known: String,
    },
    /// A required parameter is missing, or nothing in the model fits its default.
    #[error("template `{template}` needs `{param}`: {hint}")]
    Missing {
        /// The template.
        template: String,
        /// The parameter.
        param: String,
        /// What to give.
        hint: String,
    },
    /// A parameter's value is not valid.
    #[error("`{param}={value}` is not valid: {reason}")]
    BadValue {
        /// The parameter.
        param: String,
        /// Its value.
        value: String,
        /// Why.
        reason: String,
    },
}

const fn p(name: &'static str, help: &'static str, default: Option<&'static str>) -> Param {
    Param {
        name,
        help,
        default,
    }
}

/// Every template.
pub const TEMPLATES: &[Template] = &[
    Template {
        id: "pandemic-wave",
        name: "Pandemic wave",
        nrr: "Pandemic",
        description: "Staff absence across all skills rising to a peak and falling away, with more demand on chosen services while it lasts.",
        params: &[
            p(
                "peak",
                "absence at the peak, across all skills",
                Some("20%"),
            ),
            p("peak_at", "when absence peaks", Some("28d")),
            p("length", "when absence is back to zero", Some("70d")),
            p(
                "services",
                "services whose demand rises (comma-separated ids)",
                Some(""),
            ),
            p("factor", "demand factor on those services", Some("1.5")),
        ],
        horizon: "90d",
        build: pandemic_wave,
    },
    Template {
        id: "ransomware",
        name: "Ransomware on a system",
        nrr: "Cyber attack (ransomware)",
        description: "A system is encrypted and out for weeks; services that rely on it see more work from manual workarounds.",
        params: &[
            p("system", "the asset encrypted (an id)", None),
            p("duration", "how long it is out", Some("21d")),
            p(
                "factor",
                "demand factor on services that depend on it, from day one",
                Some("1.3"),
            ),
        ],
        horizon: "90d",
        build: ransomware,
    },
    Template {
        id: "supplier-insolvency",
        name: "Insolvency of a supplier",
        nrr: "Insolvency of a supplier of critical services",
        description: "A supplier stops trading; its services are lost until replaced (never, without `duration`).",
        params: &[
            p("supplier", "the supplier (an asset id)", None),
            p(
                "duration",
                "until a replacement is in place (empty: not within the horizon)",
                Some(""),
            ),
        ],
        horizon: "60d",
        build: supplier_insolvency,
    },
    Template {
        id: "regional-power-loss",
        name: "Regional power loss",
        nrr: "Failure of the national electricity transmission system / regional power failure",
        description: "Grid supplies fail; standby generators carry on until their fuel runs out.",
        params: &[
            p(
                "grid",
                "grid supplies that fail (default: utilities named grid, power or electricity)",
                Some(PICK),
            ),
            p("duration", "how long the power is off", Some("48h")),
            p(
                "generators",
                "standby generators (default: assets named generator)",
                Some(PICK),
            ),
            p(
                "generator_fuel",
                "how long generators run before their fuel runs out (empty: to the end)",
                Some("24h"),
            ),
        ],
        horizon: "14d",
        build: regional_power_loss,
    },
    Template {
        id: "river-flooding",
        name: "River flooding",
        nrr: "Fluvial flooding",
        description: "Flooded sites close; some staff cannot get to work for a few days; chosen services see more demand.",
        params: &[
            p("sites", "sites that flood (comma-separated ids)", None),
            p("duration", "how long the sites stay closed", Some("14d")),
            p(
                "absence",
                "staff unable to work at the peak (day one)",
                Some("10%"),
            ),
            p(
                "services",
                "services whose demand rises (comma-separated ids)",
                Some(""),
            ),
            p(
                "factor",
                "demand factor on those services for the first two weeks",
                Some("2"),
            ),
        ],
        horizon: "60d",
        build: river_flooding,
    },
    Template {
        id: "severe-winter",
        name: "Snow and low temperatures",
        nrr: "Snow and low temperatures",
        description: "Staff cannot travel, vehicles are slowed, and winter services see more demand.",
        params: &[
            p("absence", "staff unable to work at the peak", Some("25%")),
            p("length", "how long the cold spell lasts", Some("9d")),
            p(
                "vehicles",
                "vehicles slowed (default: every vehicle asset)",
                Some(PICK),
            ),
            p(
                "vehicle_capacity",
                "what the vehicles can still do",
                Some("50%"),
            ),
            p(
                "services",
                "services whose demand rises (comma-separated ids)",
                Some(""),
            ),
            p("factor", "demand factor on those services", Some("2")),
        ],
        horizon: "21d",
        build: severe_winter,
    },
    Template {
        id: "fuel-shortage",
        name: "Fuel supply disruption",
        nrr: "Disruption to fuel supply",
        description: "Fuel supplies and the vehicles that need them run at part capacity for two weeks.",
        params: &[
            p(
                "assets",
                "assets that run short (default: assets named fuel, and vehicles)",
                Some(PICK),
            ),
            p("level", "what they can still do", Some("50%")),
            p("duration", "how long the shortage lasts", Some("14d")),
        ],
        horizon: "30d",
        build: fuel_shortage,
    },
    Template {
        id: "avian-influenza",
        name: "Avian influenza outbreak",
        nrr: "Animal disease (avian influenza)",
        description: "Animal health and regulatory services see a surge in work, and their staff are stretched.",
        params: &[
            p(
                "services",
                "services whose demand rises (comma-separated ids)",
                None,
            ),
            p("factor", "demand factor on those services", Some("4")),
            p("duration", "how long the outbreak lasts", Some("6w")),
            p(
                "skill",
                "a skill whose staff are stretched (optional)",
                Some(""),
            ),
            p("absence", "absence of that skill at the peak", Some("10%")),
        ],
        horizon: "60d",
        build: avian_influenza,
    },
    Template {
        id: "telecoms-loss",
        name: "Loss of telecommunications",
        nrr: "Failure of the telecommunications system",
        description: "Fixed, mobile and data networks fail for a day and a half.",
        params: &[
            p(
                "assets",
                "networks lost (default: assets named telecoms, network, wan, phone, mobile or landline)",
                Some(PICK),
            ),
            p("duration", "how long they are out", Some("36h")),
        ],
        horizon: "7d",
        build: telecoms_loss,
    },
];

struct Args<'a> {
    template: &'static Template,
    given: &'a [(String, String)],
    model: &'a Model,
    c: &'a Compiled,
}

impl Args<'_> {
    fn raw(&self, name: &str) -> Option<String> {
        if let Some((_, v)) = self.given.iter().rev().find(|(k, _)| k == name) {
            return Some(v.trim().to_string());
        }
        self.template
            .params
            .iter()
            .find(|p| p.name == name)
            .and_then(|p| p.default)
            .map(str::to_string)
    }

    fn bad(&self, name: &str, value: &str, reason: String) -> TemplateError {
        TemplateError::BadValue {
            param: name.into(),
            value: value.into(),
            reason,
        }
    }

    fn duration(&self, name: &str) -> Result<Option<Duration>, TemplateError> {
        match self.raw(name) {
            None => Ok(None),
            Some(v) if v.is_empty() || v == "none" => Ok(None),
            Some(v) => v.parse().map(Some).map_err(|e| self.bad(name, &v, e)),
        }
    }

    fn percent(&self, name: &str) -> Result<Percent, TemplateError> {
        let v = self.raw(name).unwrap_or_default();
        Percent::parse(&v, true).map_err(|e| self.bad(name, &v, e))
    }

    fn factor(&self, name: &str) -> Result<f64, TemplateError> {
        let v = self.raw(name).unwrap_or_default();
        match v.parse::<f64>() {
            Ok(f) if f.is_finite() && f >= 0.0 => Ok(f),
            _ => Err(self.bad(name, &v, "a factor is a number such as 1.5".into())),
        }
    }

    /// Ids given for `name` (checked to exist with an accepted kind), or those `pick` finds.
    fn ids(
        &self,
        name: &str,
        kind: Kind,
        pick: impl Fn(&Model) -> Vec<String>,
    ) -> Result<Vec<String>, TemplateError> {
        let v = self.raw(name);
        let ids: Vec<String> = match &v {
            Some(v) if v != PICK => v
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            _ => pick(self.model),
        };
        for id in &ids {
            let ok = matches!(
                (self.c.lookup(id), kind),
                (Some(crate::ItemRef::Asset(_)), Kind::Asset | Kind::Item)
                    | (Some(crate::ItemRef::Service(_)), Kind::Service | Kind::Item)
                    | (Some(crate::ItemRef::Skill(_)), Kind::Skill)
            );
            if !ok {
                let what = match kind {
                    Kind::Asset => "an asset",
                    Kind::Service => "a service",
                    Kind::Skill => "a skill",
                    Kind::Item => "an asset or service",
                };
                return Err(self.bad(name, id, format!("`{id}` is not {what} of this model")));
            }
        }
        Ok(ids)
    }

    /// The ids given for `name` (no picking from the model), which must not be empty.
    fn required_ids(
        &self,
        name: &str,
        kind: Kind,
        hint: &str,
    ) -> Result<Vec<String>, TemplateError> {
        let ids = self.ids(name, kind, |_| Vec::new())?;
        self.required(name, ids, hint)
    }

    fn required(
        &self,
        name: &str,
        ids: Vec<String>,
        hint: &str,
    ) -> Result<Vec<String>, TemplateError> {
        if ids.is_empty() {
            return Err(TemplateError::Missing {
                template: self.template.id.into(),
                param: name.into(),
                hint: hint.into(),
            });
        }
        Ok(ids)
    }
}

#[derive(Clone, Copy)]
enum Kind {
    Asset,
    Service,
    Skill,
    Item,
}

fn assets_matching(m: &Model, kinds: &[AssetKind], words: &[&str]) -> Vec<String> {
    m.assets
        .iter()
        .filter(|a| kinds.is_empty() || kinds.contains(&a.kind))
        .filter(|a| {
            let text = format!("{} {}", a.meta.id, a.meta.name).to_lowercase();
            words.is_empty() || words.iter().any(|w| text.contains(w))
        })
        .map(|a| a.meta.id.to_string())
        .collect()
}

fn r(id: &str) -> Ref {
    Ref {
        id: id.to_string(),
        pos: Pos::default(),
    }
}

fn event(kind: EventKind, at: Duration, duration: Option<Duration>) -> Event {
    Event {
        kind,
        at,
        duration,
        pos: Pos::default(),
        extensions: Vec::new(),
    }
}

fn mins(m: u64) -> Duration {
    Duration::from_minutes(m)
}

fn pct(f: f64) -> Percent {
    Percent::from_fraction(f.clamp(0.0, 1.0)).unwrap_or(Percent::FULL)
}

/// Finds a template.
pub fn template(id: &str) -> Option<&'static Template> {
    TEMPLATES.iter().find(|t| t.id == id)
}

/// Applies template `id` to `model` (compiled as `c`) with `params` (name, value) pairs.
pub fn apply(
    model: &Model,
    c: &Compiled,
    id: &str,
    params: &[(String, String)],
) -> Result<Scenario, TemplateError> {
    let t = template(id).ok_or_else(|| TemplateError::UnknownTemplate(id.to_string()))?;
    for (k, _) in params {
        if k != "id" && k != "horizon" && !t.params.iter().any(|p| p.name == k) {
            let mut known: Vec<&str> = t.params.iter().map(|p| p.name).collect();
            known.extend(["id", "horizon"]);
            return Err(TemplateError::UnknownParam {
                template: t.id.into(),
                param: k.clone(),
                known: known.join(", "),
            });
        }
    }
    let a = Args {
        template: t,
        given: params,
        model,
        c,
    };
    let scenario_id = a
        .raw("id")
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| t.id.to_string());
    let meta_id =
        bulwark_model::Id::parse(&scenario_id).map_err(|e| a.bad("id", &scenario_id, e))?;
    let horizon_text = a.raw("horizon").unwrap_or_else(|| t.horizon.to_string());
    let horizon: Duration = horizon_text
        .parse()
        .map_err(|e| a.bad("horizon", &horizon_text, e))?;
    let built = (t.build)(&a)?;
    Ok(Scenario {
        meta: Meta {
            id: meta_id,
            name: format!("{} (from template {})", t.name, t.id),
            description: Some(
                built
                    .description
                    .unwrap_or_else(|| t.description.to_string()),
            ),
            ..Meta::default()
        },
        horizon: Some(horizon),
        events: built.events,
        ..Scenario::default()
    })
}

/// Demand on each of `services` multiplied by `factor` from `at`, for `dur`.
fn demand(
    events: &mut Vec<Event>,
    services: &[String],
    factor: f64,
    at: Duration,
    dur: Option<Duration>,
) {
    for s in services {
        events.push(event(EventKind::Demand(Target::One(r(s)), factor), at, dur));
    }
}

/// An outage of each of `ids` from `at`, for `dur`.
fn outages(events: &mut Vec<Event>, ids: &[String], at: Duration, dur: Option<Duration>) {
    for id in ids {
        events.push(event(EventKind::Outage(r(id)), at, dur));
    }
}

/// Absence across all skills following `profile`, from the start.
fn absence_of_all(profile: Vec<(Duration, Percent)>) -> Event {
    event(
        EventKind::Absence(Target::All(Pos::default()), profile),
        mins(0),
        None,
    )
}

fn pandemic_wave(a: &Args<'_>) -> Result<Built, TemplateError> {
    let peak = a.percent("peak")?.fraction();
    let peak_at = a
        .duration("peak_at")?
        .unwrap_or(mins(28 * 1440))
        .minutes()
        .max(2);
    let length = a
        .duration("length")?
        .unwrap_or(mins(70 * 1440))
        .minutes()
        .max(peak_at + 2);
    let mid = peak_at + (length - peak_at) / 2;
    let mut events = vec![absence_of_all(vec![
        (mins(0), pct(0.0)),
        (mins(peak_at / 2), pct(peak * 0.4)),
        (mins(peak_at), pct(peak)),
        (mins(mid), pct(peak * 0.4)),
        (mins(length), pct(0.0)),
    ])];
    let services = a.ids("services", Kind::Service, |_| Vec::new())?;
    let factor = a.factor("factor")?;
    demand(
        &mut events,
        &services,
        factor,
        mins(peak_at / 2),
        Some(mins(length - peak_at / 2)),
    );
    Ok(Built {
        events,
        description: Some(format!(
            "Absence peaks at {} on day {}.",
            pct(peak),
            peak_at / 1440
        )),
    })
}

fn ransomware(a: &Args<'_>) -> Result<Built, TemplateError> {
    let sys = a.required_ids(
        "system",
        Kind::Item,
        "the id of the system encrypted, e.g. `--param system=careledger`",
    )?;
    let dur = a.duration("duration")?;
    let factor = a.factor("factor")?;
    let mut events = Vec::new();
    outages(&mut events, &sys, mins(0), dur);
    let affected: BTreeSet<String> = sys.iter().flat_map(|s| dependents(a.c, s)).collect();
    let affected: Vec<String> = affected.into_iter().collect();
    demand(
        &mut events,
        &affected,
        factor,
        mins(1440),
        dur.map(|d| mins(d.minutes().saturating_sub(1440))),
    );
    Ok(Built {
        events,
        description: Some(format!(
            "Ransomware encrypts {}; {} services rely on it.",
            sys.join(", "),
            affected.len()
        )),
    })
}

fn supplier_insolvency(a: &Args<'_>) -> Result<Built, TemplateError> {
    let sup = a.required_ids(
        "supplier",
        Kind::Asset,
        "the id of the supplier, e.g. `--param supplier=sup-homecare-moorside`",
    )?;
    let dur = a.duration("duration")?;
    let mut events = Vec::new();
    outages(&mut events, &sup, mins(0), dur);
    Ok(Built {
        events,
        description: Some(format!("{} stops trading.", sup.join(", "))),
    })
}

fn regional_power_loss(a: &Args<'_>) -> Result<Built, TemplateError> {
    let grid = a.ids("grid", Kind::Asset, |m| {
        assets_matching(m, &[AssetKind::Utility], &["grid", "power", "electric"])
    })?;
    let grid = a.required(
        "grid",
        grid,
        "no utility in the model is named grid, power or electricity; give the ids",
    )?;
    let dur = a.duration("duration")?.unwrap_or(mins(48 * 60));
    let generators = a.ids("generators", Kind::Asset, |m| {
        assets_matching(m, &[], &["generator"])
    })?;
    let fuel = a.duration("generator_fuel")?;
    let mut events = Vec::new();
    outages(&mut events, &grid, mins(0), Some(dur));
    if let Some(fuel) = fuel.filter(|f| *f < dur) {
        let rest = mins(dur.minutes() - fuel.minutes());
        outages(&mut events, &generators, fuel, Some(rest));
    }
    Ok(Built {
        events,
        description: Some(format!(
            "Power is off for {dur}; generators run for {}.",
            fuel.map_or("the whole time".into(), |f| f.to_string())
        )),
    })
}

fn river_flooding(a: &Args<'_>) -> Result<Built, TemplateError> {
    let sites = a.required_ids("sites", Kind::Asset, "the ids of the sites that flood")?;
    let dur = a.duration("duration")?;
    let absence = a.percent("absence")?.fraction();
    let mut events = Vec::new();
    outages(&mut events, &sites, mins(6 * 60), dur);
    if absence > 0.0 {
        events.push(absence_of_all(vec![
            (mins(0), pct(0.0)),
            (mins(1440), pct(absence)),
            (mins(4 * 1440), pct(absence / 2.0)),
            (mins(7 * 1440), pct(0.0)),
        ]));
    }
    let services = a.ids("services", Kind::Service, |_| Vec::new())?;
    let factor = a.factor("factor")?;
    demand(
        &mut events,
        &services,
        factor,
        mins(0),
        Some(mins(14 * 1440)),
    );
    Ok(events.into())
}

fn severe_winter(a: &Args<'_>) -> Result<Built, TemplateError> {
    let absence = a.percent("absence")?.fraction();
    let length = a
        .duration("length")?
        .unwrap_or(mins(9 * 1440))
        .minutes()
        .max(3);
    let mut events = vec![absence_of_all(vec![
        (mins(0), pct(0.0)),
        (mins(length / 9), pct(absence)),
        (mins(length / 3), pct(absence * 0.8)),
        (mins(length * 2 / 3), pct(absence * 0.3)),
        (mins(length), pct(0.0)),
    ])];
    let vehicles = a.ids("vehicles", Kind::Asset, |m| {
        assets_matching(m, &[AssetKind::Vehicle], &[])
    })?;
    let level = a.percent("vehicle_capacity")?;
    for v in &vehicles {
        events.push(event(
            EventKind::Degrade(r(v), level),
            mins(12 * 60),
            Some(mins(length * 2 / 3)),
        ));
    }
    let services = a.ids("services", Kind::Service, |_| Vec::new())?;
    let factor = a.factor("factor")?;
    demand(&mut events, &services, factor, mins(0), Some(mins(length)));
    Ok(events.into())
}

fn fuel_shortage(a: &Args<'_>) -> Result<Built, TemplateError> {
    let assets = a.ids("assets", Kind::Asset, |m| {
        let mut v = assets_matching(m, &[], &["fuel"]);
        v.extend(assets_matching(m, &[AssetKind::Vehicle], &[]));
        v.dedup();
        v
    })?;
    let assets = a.required(
        "assets",
        assets,
        "no asset is named fuel and there are no vehicles; give the ids",
    )?;
    let level = a.percent("level")?;
    let dur = a.duration("duration")?;
    Ok(assets
        .iter()
        .map(|s| event(EventKind::Degrade(r(s), level), mins(1440), dur))
        .collect::<Vec<_>>()
        .into())
}

fn avian_influenza(a: &Args<'_>) -> Result<Built, TemplateError> {
    let services = a.required_ids(
        "services",
        Kind::Service,
        "the ids of the animal health and regulatory services",
    )?;
    let dur = a.duration("duration")?;
    let factor = a.factor("factor")?;
    let mut events = Vec::new();
    demand(&mut events, &services, factor, mins(0), dur);
    let skill = a.ids("skill", Kind::Skill, |_| Vec::new())?;
    let absence = a.percent("absence")?.fraction();
    let half = dur.map_or(21 * 1440, |d| d.minutes() / 2);
    for k in &skill {
        let profile = vec![
            (mins(0), pct(0.0)),
            (mins(half), pct(absence)),
            (mins(2 * half), pct(0.0)),
        ];
        events.push(event(
            EventKind::Absence(Target::One(r(k)), profile),
            mins(0),
            None,
        ));
    }
    Ok(events.into())
}

fn telecoms_loss(a: &Args<'_>) -> Result<Built, TemplateError> {
    let words = ["telecom", "network", "wan", "phone", "mobile", "landline"];
    let assets = a.ids("assets", Kind::Asset, |m| {
        assets_matching(m, &[AssetKind::Utility, AssetKind::ItSystem], &words)
    })?;
    let assets = a.required(
        "assets",
        assets,
        "no network asset found by name; give the ids",
    )?;
    let dur = a.duration("duration")?;
    let mut events = Vec::new();
    outages(&mut events, &assets, mins(0), dur);
    Ok(events.into())
}

/// Services that depend on item `id`, directly or through other items.
fn dependents(c: &Compiled, id: &str) -> Vec<String> {
    let Some(target) = (match c.lookup(id) {
        Some(crate::ItemRef::Asset(i)) => Some(c.assets[i as usize].node),
        Some(crate::ItemRef::Service(i)) => Some(c.services[i as usize].node),
        _ => None,
    }) else {
        return Vec::new();
    };
    c.services
        .iter()
        .filter(|s| s.node != target && c.reachable(s.node).contains(&target))
        .map(|s| s.id.clone())
        .collect()
}
