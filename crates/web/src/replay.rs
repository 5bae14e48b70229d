//! An incident replayed as a model scenario: each failure marked on its status board becomes
//! an outage (or a degradation) from when it happened, counted from the incident's start, for
//! as long as it lasted. Simulated on the lead organisation's model, it shows what the model
//! predicts those failures do over time (staff, backlogs, breaches), to set beside what
//! happened; written as YAML, it can be added to the model and exercised again.

use bulwark_model::values::{Duration, Id, Percent};
use bulwark_model::{Event, EventKind, Meta, Ref, Scenario};
use bulwark_store::{Incident, Mark};

fn minutes(seconds: i64) -> Duration {
    Duration::from_minutes((seconds.max(0) / 60) as u64)
}

/// The incident's marks as a scenario, with `now` as the end of marks not yet restored.
pub fn scenario(incident: &Incident, marks: &[Mark], now: i64) -> Scenario {
    let start = incident.details.started_at;
    let end = marks
        .iter()
        .map(|m| m.until_at.unwrap_or(now))
        .max()
        .unwrap_or(now)
        .max(now.min(start + 86_400));
    let events = marks
        .iter()
        .map(|m| {
            let item = Ref {
                id: m.item.clone(),
                pos: Default::default(),
            };
            Event {
                kind: if m.capacity == 0 {
                    EventKind::Outage(item)
                } else {
                    EventKind::Degrade(
                        item,
                        Percent::from_fraction(m.capacity as f64 / 100.0).unwrap_or(Percent::FULL),
                    )
                },
                at: minutes(m.from_at - start),
                duration: Some(minutes(m.until_at.unwrap_or(now) - m.from_at)),
                pos: Default::default(),
                extensions: Default::default(),
            }
        })
        .collect();
    Scenario {
        meta: Meta {
            id: Id::parse(&format!("incident-{}-replay", incident.id)).unwrap_or_default(),
            name: format!(
                "Replay of incident {}: {}",
                incident.id, incident.details.title
            ),
            ..Meta::default()
        },
        horizon: Some(minutes(end - start + 86_400)),
        events,
        ..Scenario::default()
    }
}

/// The scenario as YAML to paste under `scenarios:` in the model.
pub fn yaml(s: &Scenario) -> String {
    let mut out = format!(
        "  - id: {}\n    name: {:?}\n",
        s.meta.id.as_str(),
        s.meta.name
    );
    if let Some(h) = s.horizon {
        out.push_str(&format!("    horizon: {h}\n"));
    }
    out.push_str("    events:\n");
    for e in &s.events {
        let what = match &e.kind {
            EventKind::Outage(r) => format!("outage: {}", r.id),
            EventKind::Degrade(r, p) => {
                format!("degrade: {}, to: {:.0}%", r.id, p.fraction() * 100.0)
            }
            _ => continue,
        };
        let length = e
            .duration
            .map(|d| format!(", for: {d}"))
            .unwrap_or_default();
        out.push_str(&format!("      - {{{what}, at: {}{length}}}\n", e.at));
    }
    out
}
