//! Writes a model back out as one YAML or JSON document that reads back to the same model.

use crate::types::*;
use serde_json::{Map, Value, json};

/// Output syntax.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// YAML 1.2.
    Yaml,
    /// Pretty-printed JSON.
    Json,
}

/// Writes `model` as text in `format`.
pub fn write(model: &Model, format: Format) -> String {
    let value = to_value(model);
    match format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&value).expect("JSON values always serialise");
            s.push('\n');
            s
        }
        Format::Yaml => {
            serde_saphyr::to_string(&value).expect("JSON values always serialise as YAML")
        }
    }
}

/// The model as a JSON value, keys in the order of the format.
pub fn to_value(model: &Model) -> Value {
    let mut top = Map::new();
    top.insert("bulwark".into(), json!(1));
    put_list(
        &mut top,
        "organisations",
        &model.organisations,
        organisation,
    );
    put_list(&mut top, "skills", &model.skills, skill);
    put_list(&mut top, "services", &model.services, service);
    put_list(&mut top, "assets", &model.assets, asset);
    put_list(&mut top, "risks", &model.risks, risk);
    put_list(&mut top, "scenarios", &model.scenarios, scenario);
    extend(&mut top, &model.extensions);
    Value::Object(top)
}

fn put_list<T>(map: &mut Map<String, Value>, key: &str, items: &[T], f: fn(&T) -> Value) {
    if !items.is_empty() {
        map.insert(key.into(), Value::Array(items.iter().map(f).collect()));
    }
}

fn put<T: Into<Value>>(map: &mut Map<String, Value>, key: &str, value: Option<T>) {
    if let Some(v) = value {
        map.insert(key.into(), v.into());
    }
}

fn extend(map: &mut Map<String, Value>, ext: &Extensions) {
    for (k, v) in ext {
        map.insert(k.clone(), v.clone());
    }
}

/// A number as an integer when it is whole, so `2` is not written `2.0`.
fn number(v: f64) -> Value {
    if v.fract() == 0.0 && v.abs() < 9e15 {
        json!(v as i64)
    } else {
        json!(v)
    }
}

fn meta(m: &Meta) -> Map<String, Value> {
    let mut map = Map::new();
    map.insert("id".into(), json!(m.id.as_str()));
    map.insert("name".into(), json!(m.name));
    put(&mut map, "description", m.description.clone());
    put(&mut map, "owner", m.owner.clone());
    if !m.tags.is_empty() {
        map.insert("tags".into(), json!(m.tags));
    }
    map
}

fn finish(mut map: Map<String, Value>, m: &Meta) -> Value {
    extend(&mut map, &m.extensions);
    Value::Object(map)
}

fn organisation(o: &Organisation) -> Value {
    let mut map = meta(&o.meta);
    put(&mut map, "kind", o.kind.clone());
    put(&mut map, "population", o.population);
    finish(map, &o.meta)
}

/// A dependency expression; `top` writes a top-level `all` as a plain list.
pub fn need(n: &Need, top: bool) -> Value {
    let parts = |ps: &[Need]| Value::Array(ps.iter().map(|p| need(p, false)).collect());
    match n {
        Need::Ref(r) => json!(r.id),
        Need::All(ps, _) if top => parts(ps),
        Need::All(ps, _) => json!({ "all": parts(ps) }),
        Need::Any(ps, _) => json!({ "any": parts(ps) }),
        Need::AtLeast { k, of, .. } => json!({ "atleast": k, "of": parts(of) }),
        Need::Standby {
            need: n,
            switchover,
            ..
        } => json!({ "standby": need(n, true), "switchover": switchover.to_string() }),
    }
}

fn service(s: &Service) -> Value {
    let mut map = meta(&s.meta);
    put(
        &mut map,
        "organisation",
        s.organisation.as_ref().map(|r| r.id.clone()),
    );
    put(&mut map, "criticality", s.criticality.map(|c| c.as_str()));
    put(&mut map, "mtpd", s.mtpd.map(|(d, _)| d.to_string()));
    put(&mut map, "rto", s.rto.map(|(d, _)| d.to_string()));
    put(&mut map, "rpo", s.rpo.map(|d| d.to_string()));
    put(&mut map, "mbco", s.mbco.map(|p| p.to_string()));
    put(&mut map, "needs", s.needs.as_ref().map(|n| need(n, true)));
    if !s.staff.is_empty() {
        map.insert("staff".into(), staff(&s.staff));
    }
    put(
        &mut map,
        "demand",
        s.demand.as_ref().map(|dm| {
            let mut d = Map::new();
            d.insert("per_day".into(), number(dm.per_day));
            put(&mut d, "unit", dm.unit.clone());
            put(&mut d, "kind", dm.kind.map(|k| k.as_str()));
            put(&mut d, "max_wait", dm.max_wait.map(|(w, _)| w.to_string()));
            Value::Object(d)
        }),
    );
    put(
        &mut map,
        "surge",
        s.surge.map(crate::values::Percent::surge_text),
    );
    put(&mut map, "population", s.population);
    if !s.impacts.is_empty() {
        let grid: Map<String, Value> = s
            .impacts
            .iter()
            .map(|(t, sev)| (t.to_string(), json!(sev)))
            .collect();
        map.insert("impacts".into(), Value::Object(grid));
    }
    put(&mut map, "lgsl", s.lgsl);
    if !s.workarounds.is_empty() {
        map.insert(
            "workarounds".into(),
            Value::Array(s.workarounds.iter().map(workaround).collect()),
        );
    }
    put(
        &mut map,
        "season",
        s.season.map(|se| {
            json!({
                "from": format!("{:02}-{:02}", se.from.0, se.from.1),
                "to": format!("{:02}-{:02}", se.to.0, se.to.1),
            })
        }),
    );
    finish(map, &s.meta)
}

fn staff(staff: &[StaffNeed]) -> Value {
    let staff = staff
        .iter()
        .map(|st| json!({"skill": st.skill.id, "fte": number(st.fte)}));
    Value::Array(staff.collect())
}

fn workaround(w: &Workaround) -> Value {
    let mut map = Map::new();
    map.insert("name".into(), json!(w.name));
    map.insert("capacity".into(), json!(w.capacity.to_string()));
    map.insert("after".into(), json!(w.after.to_string()));
    put(&mut map, "lasts", w.lasts.map(|d| d.to_string()));
    put(&mut map, "needs", w.needs.as_ref().map(|n| need(n, true)));
    if !w.staff.is_empty() {
        map.insert("staff".into(), staff(&w.staff));
    }
    Value::Object(map)
}

fn asset(a: &Asset) -> Value {
    let mut map = meta(&a.meta);
    put(
        &mut map,
        "organisation",
        a.organisation.as_ref().map(|r| r.id.clone()),
    );
    map.insert("kind".into(), json!(a.kind.as_str()));
    put(&mut map, "needs", a.needs.as_ref().map(|n| need(n, true)));
    put(
        &mut map,
        "failure",
        a.failure.map(|f| match f {
            Failure::Probability(p) => json!({ "probability": number(p) }),
            Failure::Rate { rate, repair } => {
                json!({ "rate": number(rate), "repair": repair.to_string() })
            }
        }),
    );
    put(
        &mut map,
        "recovery",
        a.recovery_rto.map(|(d, _)| json!({ "rto": d.to_string() })),
    );
    put(
        &mut map,
        "end_of_support",
        a.end_of_support.map(|d| d.to_string()),
    );
    put(
        &mut map,
        "contract_end",
        a.contract_end.map(|d| d.to_string()),
    );
    put(
        &mut map,
        "stock",
        a.stock.map(|st| {
            let mut m = Map::new();
            m.insert("lasts".into(), json!(st.lasts.to_string()));
            put(&mut m, "resupply", st.resupply.map(|d| d.to_string()));
            Value::Object(m)
        }),
    );
    crate::estate::export(&a.estate, &mut map);
    finish(map, &a.meta)
}

fn skill(s: &Skill) -> Value {
    let mut map = meta(&s.meta);
    map.insert("headcount".into(), number(s.headcount));
    if !s.can_cover.is_empty() {
        map.insert(
            "can_cover".into(),
            json!(s.can_cover.iter().map(|r| &r.id).collect::<Vec<_>>()),
        );
    }
    finish(map, &s.meta)
}

fn risk(r: &Risk) -> Value {
    let mut map = meta(&r.meta);
    map.insert("likelihood".into(), json!(r.likelihood));
    map.insert("impact".into(), json!(r.impact));
    put(&mut map, "period_years", r.period_years);
    put(
        &mut map,
        "scenario",
        r.scenario.as_ref().map(|s| s.id.clone()),
    );
    if !r.controls.is_empty() {
        map.insert("controls".into(), json!(r.controls));
    }
    put(&mut map, "review", r.review.map(|d| d.to_string()));
    put(&mut map, "category", r.category.clone());
    finish(map, &r.meta)
}

fn target(t: &Target) -> Value {
    match t {
        Target::All(_) => json!("all"),
        Target::One(r) => json!(r.id),
    }
}

fn scenario(s: &Scenario) -> Value {
    let mut map = meta(&s.meta);
    put(&mut map, "horizon", s.horizon.map(|h| h.to_string()));
    put(&mut map, "start", s.start.map(|d| d.to_string()));
    if !s.suspend.is_empty() {
        map.insert(
            "suspend".into(),
            json!(s.suspend.iter().map(|r| &r.id).collect::<Vec<_>>()),
        );
    }
    let events = s.events.iter().map(|e| {
        let mut ev = Map::new();
        match &e.kind {
            EventKind::Outage(r) => {
                ev.insert("outage".into(), json!(r.id));
            }
            EventKind::Degrade(r, to) => {
                ev.insert("degrade".into(), json!(r.id));
                ev.insert("to".into(), json!(to.to_string()));
            }
            EventKind::Absence(t, profile) => {
                ev.insert("absence".into(), target(t));
                let points = profile
                    .iter()
                    .map(|(t, p)| json!([t.to_string(), p.to_string()]));
                ev.insert("profile".into(), Value::Array(points.collect()));
            }
            EventKind::Demand(t, factor) => {
                ev.insert("demand".into(), target(t));
                ev.insert("factor".into(), number(*factor));
            }
            EventKind::Resupply(r) => {
                ev.insert("resupply".into(), json!(r.id));
            }
        }
        if !matches!(e.kind, EventKind::Absence(..)) || e.at.minutes() > 0 {
            ev.insert("at".into(), json!(e.at.to_string()));
        }
        put(&mut ev, "for", e.duration.map(|d| d.to_string()));
        extend(&mut ev, &e.extensions);
        Value::Object(ev)
    });
    map.insert("events".into(), Value::Array(events.collect()));
    finish(map, &s.meta)
}
