//! The live service status board of an incident: from the assets and services marked failed
//! or degraded (each from a time, until marked restored), what the model says is lost and
//! degraded now, why, since when, and how long each lost service has before it breaches its
//! maximum tolerable period of disruption (MTPD), with the work building up meanwhile.
//!
//! The marks are replayed in time order: at every moment a mark starts or ends, the engine
//! evaluates the model with each marked item at the lowest capacity marked for it, so a
//! service's loss is dated from when it actually began, not from when the board was opened.

use bulwark_engine::{Compiled, ItemRef};
use bulwark_model::Model;
use bulwark_store::Mark;

/// A service the marks take below its MBCO, or reduce.
#[derive(Debug, Clone, PartialEq)]
pub struct Affected {
    /// The service's id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its criticality, in words.
    pub criticality: &'static str,
    /// Its capacity now, from 0 to 1.
    pub capacity: f64,
    /// Since when it has been lost without a break (seconds since 1970); for a degraded
    /// service, since when it has been reduced.
    pub since: i64,
    /// Its MTPD in seconds, when the model gives one.
    pub mtpd: Option<i64>,
    /// When it breaches its MTPD (`since + mtpd`).
    pub breach_at: Option<i64>,
    /// Why it is lost: the chain of needs from it to a marked item.
    pub because: String,
    /// Work not done since it was lost, in the demand's unit: (amount, unit).
    pub backlog: Option<(f64, String)>,
    /// Its workarounds from the business continuity plan, in words.
    pub workarounds: Vec<String>,
}

/// What the board shows at one moment.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Board {
    /// Lost services, the soonest to breach first (those without an MTPD last).
    pub lost: Vec<Affected>,
    /// Services running reduced but at or above their MBCO.
    pub degraded: Vec<Affected>,
    /// Marks in force now, as (item, capacity in percent).
    pub marked: Vec<(String, i64)>,
}

/// Why a service is lost, in words with the items' names rather than their ids: "Home care
/// needs Triage desk, which needs Case app, which failed".
pub fn in_words(
    e: &bulwark_engine::impact::Explanation,
    name_of: &dyn Fn(&str) -> String,
) -> String {
    in_words_failing(e, name_of, "is marked failed")
}

/// [`in_words`], saying what happened to the failed item in `failed` words ("fails" when
/// a planner asks what if).
pub fn in_words_failing(
    e: &bulwark_engine::impact::Explanation,
    name_of: &dyn Fn(&str) -> String,
    failed: &str,
) -> String {
    use bulwark_engine::impact::Cause;
    let mut out = String::new();
    for (i, step) in e.path.iter().enumerate() {
        let name = name_of(&step.id);
        match i {
            0 => out.push_str(&name),
            1 => out.push_str(&format!(" needs {name}")),
            _ => out.push_str(&format!(", which needs {name}")),
        }
        let alternatives: Vec<String> = step.alternatives_lost.iter().map(|a| name_of(a)).collect();
        match alternatives.as_slice() {
            [] => {}
            [one] => out.push_str(&format!(" (its alternative {one} is lost too)")),
            many => out.push_str(&format!(
                " (its alternatives {} are lost too)",
                many.join(", ")
            )),
        }
    }
    match &e.cause {
        Cause::Failed if e.path.len() == 1 => out.push_str(&format!(" {failed}")),
        Cause::Failed => out.push_str(&format!(", which {failed}")),
        Cause::ShortOfStaff(skill) => {
            out.push_str(&format!(" is short of {} staff", name_of(skill)))
        }
    }
    out
}

/// The name of the service, asset or skill `id` in `model`, or the id where there is none.
pub fn item_name(model: &Model, id: &str) -> String {
    model
        .services
        .iter()
        .map(|x| &x.meta)
        .chain(model.assets.iter().map(|x| &x.meta))
        .chain(model.skills.iter().map(|x| &x.meta))
        .find(|m| m.id.as_str() == id)
        .map_or_else(|| id.to_string(), |m| m.name.clone())
}

/// The capacity of each marked item at time `t` (the lowest of the marks in force then).
fn states_at(compiled: &Compiled, marks: &[Mark], t: i64) -> Vec<(ItemRef, f64)> {
    let mut states: Vec<(ItemRef, f64)> = Vec::new();
    for m in marks
        .iter()
        .filter(|m| m.from_at <= t && m.until_at.is_none_or(|u| u > t))
    {
        let Some(item) = compiled.lookup(&m.item) else {
            continue;
        };
        let capacity = m.capacity as f64 / 100.0;
        match states.iter_mut().find(|(i, _)| *i == item) {
            Some((_, c)) => *c = c.min(capacity),
            None => states.push((item, capacity)),
        }
    }
    states
}

/// The board at `now` for `model` (compiled as `compiled`) under `marks`.
pub fn board(model: &Model, compiled: &Compiled, marks: &[Mark], now: i64) -> Board {
    let mut times: Vec<i64> = marks
        .iter()
        .flat_map(|m| [Some(m.from_at), m.until_at])
        .flatten()
        .filter(|t| *t <= now)
        .collect();
    times.push(now);
    times.sort_unstable();
    times.dedup();
    // For each service, since when it has been lost (or reduced) without a break.
    let n = compiled.services.len();
    let mut lost_since: Vec<Option<i64>> = vec![None; n];
    let mut reduced_since: Vec<Option<i64>> = vec![None; n];
    let mut last = bulwark_engine::impact::Impact::default();
    for &t in &times {
        last = compiled.impact_with(&states_at(compiled, marks, t));
        let mut lost_now = vec![false; n];
        let mut reduced_now = vec![false; n];
        for l in &last.lost {
            lost_now[l.service as usize] = true;
        }
        for d in &last.degraded {
            reduced_now[d.service as usize] = true;
        }
        for i in 0..n {
            lost_since[i] = lost_now[i].then(|| lost_since[i].unwrap_or(t));
            reduced_since[i] =
                (lost_now[i] || reduced_now[i]).then(|| reduced_since[i].unwrap_or(t));
        }
    }
    let name_of = |id: &str| item_name(model, id);
    let affected = |i: u32, capacity: f64, since: i64, because: String| {
        let info = &compiled.services[i as usize];
        let service = &model.services[i as usize];
        let mtpd = service.mtpd.map(|(d, _)| d.minutes() as i64 * 60);
        let backlog = service.demand.as_ref().map(|d| {
            let days = (now - since).max(0) as f64 / 86_400.0;
            (
                d.per_day * days * (1.0 - capacity),
                d.unit.clone().unwrap_or_else(|| "units of work".into()),
            )
        });
        let workarounds = service
            .workarounds
            .iter()
            .map(|w| {
                format!(
                    "{} ({:.0}% of normal, ready {} after the loss)",
                    w.name,
                    w.capacity.fraction() * 100.0,
                    span(w.after.minutes() as i64 * 60)
                )
            })
            .collect();
        Affected {
            id: info.id.clone(),
            workarounds,
            name: info.name.clone(),
            criticality: info.criticality.map_or("not rated", |c| c.as_str()),
            capacity,
            since,
            mtpd,
            breach_at: mtpd.map(|m| since + m),
            because,
            backlog,
        }
    };
    let mut lost: Vec<Affected> = last
        .lost
        .iter()
        .map(|l| {
            let since = lost_since[l.service as usize].unwrap_or(now);
            affected(l.service, l.capacity, since, in_words(&l.because, &name_of))
        })
        .collect();
    lost.sort_by_key(|a| (a.breach_at.is_none(), a.breach_at, a.id.clone()));
    let degraded = last
        .degraded
        .iter()
        .map(|d| {
            let since = reduced_since[d.service as usize].unwrap_or(now);
            affected(d.service, d.capacity, since, String::new())
        })
        .collect();
    let marked = marks
        .iter()
        .filter(|m| m.from_at <= now && m.until_at.is_none_or(|u| u > now))
        .map(|m| (m.item.clone(), m.capacity))
        .collect();
    Board {
        lost,
        degraded,
        marked,
    }
}

/// A length of time for people: `2 days 3 hours`, `45 minutes`, `under a minute`.
pub fn span(seconds: i64) -> String {
    let minutes = seconds.abs() / 60;
    if minutes == 0 {
        return "under a minute".into();
    }
    let (days, hours, mins) = (minutes / 1440, minutes % 1440 / 60, minutes % 60);
    let part = |n: i64, one: &str| match n {
        0 => None,
        1 => Some(format!("1 {one}")),
        n => Some(format!("{n} {one}s")),
    };
    let parts: Vec<String> = if days > 0 {
        [part(days, "day"), part(hours, "hour")]
            .into_iter()
            .flatten()
            .collect()
    } else {
        [part(hours, "hour"), part(mins, "minute")]
            .into_iter()
            .flatten()
            .collect()
    };
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mark(item: &str, capacity: i64, from_at: i64, until_at: Option<i64>) -> Mark {
        Mark {
            id: 0,
            item: item.into(),
            capacity,
            from_at,
            until_at,
            note: String::new(),
            recorded_by: "duty@example.org".into(),
        }
    }

    fn model() -> (Model, Compiled) {
        let text = r#"bulwark: 1
services:
  - {id: triage, name: Triage desk, criticality: high, mtpd: 1d, needs: [caseapp], demand: {per_day: 48, unit: calls}}
  - {id: care, name: Home care, criticality: critical, mtpd: 4h, needs: [triage, {any: [hall, depot]}]}
assets:
  - {id: substation, name: Substation, kind: utility}
  - {id: hall, name: Town Hall, kind: site, needs: [substation]}
  - {id: depot, name: Depot, kind: site}
  - {id: caseapp, name: Case app, kind: it-system, needs: [hall]}
"#;
        let loaded = bulwark_model::load_str("model.yaml", text);
        let compiled = Compiled::new(&loaded.model).unwrap();
        (loaded.model, compiled)
    }

    #[test]
    fn a_loss_is_dated_from_when_it_began_and_sorted_by_time_to_breach() {
        let (m, c) = model();
        let marks = [mark("substation", 0, 1000, None)];
        let b = board(&m, &c, &marks, 1000 + 3 * 3600);
        let ids: Vec<&str> = b.lost.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["care", "triage"]);
        assert_eq!(b.lost[0].since, 1000);
        assert_eq!(b.lost[0].breach_at, Some(1000 + 4 * 3600));
        assert_eq!(
            b.lost[1].because,
            "Triage desk needs Case app, which needs Town Hall, which needs Substation, which is marked failed"
        );
        let (amount, unit) = b.lost[1].backlog.clone().unwrap();
        assert_eq!(unit, "calls");
        assert!((amount - 6.0).abs() < 1e-9, "{amount}");
    }

    #[test]
    fn a_restored_item_ends_the_loss_and_a_later_failure_starts_a_new_one() {
        let (m, c) = model();
        let marks = [
            mark("caseapp", 0, 0, Some(600)),
            mark("caseapp", 0, 7200, None),
        ];
        let b = board(&m, &c, &marks, 9000);
        assert_eq!(
            b.lost.iter().find(|a| a.id == "triage").unwrap().since,
            7200
        );
        let b = board(&m, &c, &marks, 3600);
        assert!(b.lost.is_empty());
    }

    #[test]
    fn spans_read_as_words() {
        assert_eq!(span(30), "under a minute");
        assert_eq!(span(3 * 3600 + 60), "3 hours 1 minute");
        assert_eq!(span(2 * 86_400 + 3600 + 59), "2 days 1 hour");
    }
}
