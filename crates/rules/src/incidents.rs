//! What a valid incident, decision log entry, board mark, incident action and situation
//! report is. Pages and the API hand in what was typed (times already read, or the reason
//! they could not be) and get back the record to store, or every problem with its field.

use crate::FieldError;
use crate::text::{LONG, SHORT, check_all};
use bulwark_store::{
    CommandLevel, DecisionInput, IncidentDetails, LATE_RECORDING_SECONDS, Methane, SitrepBody,
};

/// An incident as submitted.
#[derive(Debug, Clone)]
pub struct IncidentDraft {
    /// A short title.
    pub title: String,
    /// What happened.
    pub summary: String,
    /// Where.
    pub location: String,
    /// When it started, as read from the form or body.
    pub started_at: Result<Option<i64>, String>,
    /// `operational`, `tactical` or `strategic`.
    pub level: String,
    /// A model scenario id, or empty.
    pub scenario: String,
}

/// Checks an incident; `scenarios` are the ids of the organisation's model scenarios.
pub fn check_incident(
    d: &IncidentDraft,
    scenarios: &[String],
) -> Result<IncidentDetails, Vec<FieldError>> {
    let mut errors = check_all(&[
        ("title", "The title", &d.title, SHORT, false),
        ("summary", "What happened", &d.summary, LONG, true),
        ("location", "Where", &d.location, SHORT, false),
    ]);
    if d.title.trim().is_empty() {
        errors.push(FieldError::new("title", "Enter a title for the incident"));
    }
    let started_at = match &d.started_at {
        Ok(Some(t)) => Some(*t),
        Ok(None) => {
            errors.push(FieldError::new(
                "started-day",
                "Enter when the incident started",
            ));
            None
        }
        Err(e) => {
            errors.push(FieldError::new("started-day", e.clone()));
            None
        }
    };
    if started_at.is_some_and(|t| t > bulwark_store::now() + 3600) {
        errors.push(FieldError::new(
            "started",
            "The start of an incident cannot be in the future",
        ));
    }
    let level = CommandLevel::parse(d.level.trim());
    if level.is_none() {
        errors.push(FieldError::new(
            "level",
            "Choose the command level: operational, tactical or strategic",
        ));
    }
    let scenario = d.scenario.trim();
    if !scenario.is_empty() && !scenarios.iter().any(|s| s == scenario) {
        errors.push(FieldError::new(
            "scenario",
            format!("There is no scenario with the id {scenario} in your model"),
        ));
    }
    match (started_at, level, errors.is_empty()) {
        (Some(started_at), Some(level), true) => Ok(IncidentDetails {
            title: d.title.trim().to_string(),
            summary: d.summary.trim().to_string(),
            location: d.location.trim().to_string(),
            started_at,
            level,
            scenario: (!scenario.is_empty()).then(|| scenario.to_string()),
        }),
        _ => Err(errors),
    }
}

/// Checks a M/ETHANE report: at least the exact location and the type of incident.
pub fn check_methane(m: &Methane) -> Result<Methane, Vec<FieldError>> {
    let mut errors = check_all(&[
        (
            "major_incident",
            "Major incident declared",
            &m.major_incident,
            SHORT,
            false,
        ),
        (
            "exact_location",
            "Exact location",
            &m.exact_location,
            LONG,
            true,
        ),
        (
            "incident_type",
            "Type of incident",
            &m.incident_type,
            LONG,
            true,
        ),
        ("hazards", "Hazards", &m.hazards, LONG, true),
        ("access", "Access", &m.access, LONG, true),
        (
            "casualties",
            "Number of casualties",
            &m.casualties,
            LONG,
            true,
        ),
        (
            "emergency_services",
            "Emergency services",
            &m.emergency_services,
            LONG,
            true,
        ),
    ]);
    if m.exact_location.trim().is_empty() {
        errors.push(FieldError::new(
            "exact_location",
            "Enter the exact location",
        ));
    }
    if m.incident_type.trim().is_empty() {
        errors.push(FieldError::new(
            "incident_type",
            "Enter the type of incident",
        ));
    }
    if errors.is_empty() {
        Ok(Methane {
            major_incident: m.major_incident.trim().into(),
            exact_location: m.exact_location.trim().into(),
            incident_type: m.incident_type.trim().into(),
            hazards: m.hazards.trim().into(),
            access: m.access.trim().into(),
            casualties: m.casualties.trim().into(),
            emergency_services: m.emergency_services.trim().into(),
        })
    } else {
        Err(errors)
    }
}

/// A decision log entry as submitted.
#[derive(Debug, Clone)]
pub struct DecisionDraft {
    /// The JDM's questions and the decision, as typed.
    pub input: DecisionInput,
    /// When it was decided, as read.
    pub decided_at: Result<Option<i64>, String>,
    /// When it is to be reviewed, as read.
    pub review_at: Result<Option<i64>, String>,
    /// How many entries the log holds (a correction must name one of them).
    pub log_length: i64,
}

/// Checks a decision before it is appended, `now` being the time it is recorded: the decision,
/// rationale and decision-maker are required; a decision recorded more than 15 minutes after
/// it was made needs the reason; it cannot have been made in the future.
pub fn check_decision(d: &DecisionDraft, now: i64) -> Result<DecisionInput, Vec<FieldError>> {
    let i = &d.input;
    let reason = i.delay_reason.clone().unwrap_or_default();
    let agencies = i.agencies.join(", ");
    let mut errors = check_all(&[
        (
            "information",
            "Information and intelligence",
            &i.information,
            LONG,
            true,
        ),
        (
            "assessment",
            "Assessment of risk",
            &i.assessment,
            LONG,
            true,
        ),
        (
            "powers",
            "Powers, policies and procedures",
            &i.powers,
            LONG,
            true,
        ),
        ("options", "Options considered", &i.options, LONG, true),
        ("decision", "The decision", &i.decision, LONG, true),
        ("rationale", "The rationale", &i.rationale, LONG, true),
        (
            "decision_maker",
            "The decision-maker",
            &i.decision_maker,
            SHORT,
            false,
        ),
        ("agencies", "The agencies", &agencies, LONG, false),
        (
            "delay_reason",
            "The reason for recording late",
            &reason,
            LONG,
            true,
        ),
    ]);
    for (field, value, message) in [
        ("decision", &i.decision, "Enter the decision"),
        (
            "rationale",
            &i.rationale,
            "Enter the rationale: why this decision was made",
        ),
        (
            "decision_maker",
            &i.decision_maker,
            "Enter who made the decision",
        ),
    ] {
        if value.trim().is_empty() {
            errors.push(FieldError::new(field, message));
        }
    }
    let decided_at = match &d.decided_at {
        Ok(Some(t)) if *t > now + 60 => {
            errors.push(FieldError::new(
                "decided-day",
                "A decision cannot be made in the future",
            ));
            None
        }
        Ok(Some(t)) => Some(*t),
        Ok(None) => {
            errors.push(FieldError::new(
                "decided-day",
                "Enter when the decision was made",
            ));
            None
        }
        Err(e) => {
            errors.push(FieldError::new("decided-day", e.clone()));
            None
        }
    };
    if let Some(t) = decided_at
        && now - t > LATE_RECORDING_SECONDS
        && reason.trim().is_empty()
    {
        errors.push(FieldError::new(
            "delay_reason",
            "This decision is recorded more than 15 minutes after it was made: say why",
        ));
    }
    let review_at = match &d.review_at {
        Ok(t) => *t,
        Err(e) => {
            errors.push(FieldError::new("review-day", e.clone()));
            None
        }
    };
    if let Some(c) = i.corrects
        && !(1..=d.log_length).contains(&c)
    {
        errors.push(FieldError::new(
            "corrects",
            format!("There is no entry {c} in this log to correct"),
        ));
    }
    match decided_at {
        Some(decided_at) if errors.is_empty() => Ok(DecisionInput {
            information: i.information.trim().into(),
            assessment: i.assessment.trim().into(),
            powers: i.powers.trim().into(),
            options: i.options.trim().into(),
            decision: i.decision.trim().into(),
            rationale: i.rationale.trim().into(),
            decision_maker: i.decision_maker.trim().into(),
            agencies: i
                .agencies
                .iter()
                .map(|a| a.trim().to_string())
                .filter(|a| !a.is_empty())
                .collect(),
            decided_at,
            delay_reason: (!reason.trim().is_empty()).then(|| reason.trim().to_string()),
            review_at,
            corrects: i.corrects,
        }),
        _ => Err(errors),
    }
}

/// Checks a situation report: something must be said about the situation.
pub fn check_sitrep(
    b: &SitrepBody,
    next_due: &Result<Option<i64>, String>,
) -> Result<(SitrepBody, Option<i64>), Vec<FieldError>> {
    let mut errors = check_all(&[
        ("situation", "The situation", &b.situation, LONG, true),
        (
            "actions_taken",
            "Actions taken",
            &b.actions_taken,
            LONG,
            true,
        ),
        (
            "services_affected",
            "Services affected",
            &b.services_affected,
            LONG,
            true,
        ),
        ("resources", "Resources", &b.resources, LONG, true),
        ("issues", "Issues and requests", &b.issues, LONG, true),
        ("forecast", "Forecast", &b.forecast, LONG, true),
    ]);
    if b.situation.trim().is_empty() {
        errors.push(FieldError::new("situation", "Describe the situation now"));
    }
    let next = match next_due {
        Ok(t) => *t,
        Err(e) => {
            errors.push(FieldError::new("next-day", e.clone()));
            None
        }
    };
    if errors.is_empty() {
        let t = |s: &String| s.trim().to_string();
        Ok((
            SitrepBody {
                situation: t(&b.situation),
                actions_taken: t(&b.actions_taken),
                services_affected: t(&b.services_affected),
                resources: t(&b.resources),
                issues: t(&b.issues),
                forecast: t(&b.forecast),
            },
            next,
        ))
    } else {
        Err(errors)
    }
}

/// Checks what an action says: a description, an owner and when it is due.
pub fn check_action(
    description: &str,
    owner: &str,
    due: &Result<Option<i64>, String>,
) -> Result<i64, Vec<FieldError>> {
    let mut errors = check_all(&[
        ("description", "The action", description, LONG, true),
        ("owner", "The owner", owner, SHORT, false),
    ]);
    if description.trim().is_empty() {
        errors.push(FieldError::new("description", "Enter what is to be done"));
    }
    if owner.trim().is_empty() {
        errors.push(FieldError::new("owner", "Enter who owns the action"));
    }
    let due = match due {
        Ok(Some(t)) => Some(*t),
        Ok(None) => {
            errors.push(FieldError::new("due-day", "Enter when the action is due"));
            None
        }
        Err(e) => {
            errors.push(FieldError::new("due-day", e.clone()));
            None
        }
    };
    match due {
        Some(t) if errors.is_empty() => Ok(t),
        _ => Err(errors),
    }
}

/// Checks a battle rhythm entry: a meeting or a situation report deadline, what it is, and
/// when.
pub fn check_rhythm(
    kind: &str,
    title: &str,
    at: &Result<Option<i64>, String>,
) -> Result<(bulwark_store::RhythmKind, String, i64), Vec<FieldError>> {
    let mut errors = check_all(&[("title", "The title", title, SHORT, false)]);
    let kind = bulwark_store::RhythmKind::parse(kind.trim());
    if kind.is_none() {
        errors.push(FieldError::new(
            "kind",
            "Choose a meeting or a situation report deadline",
        ));
    }
    if title.trim().is_empty() {
        errors.push(FieldError::new(
            "title",
            "Enter what the meeting or deadline is",
        ));
    }
    let at = match at {
        Ok(Some(t)) => Some(*t),
        Ok(None) => {
            errors.push(FieldError::new("at-day", "Enter when it is"));
            None
        }
        Err(e) => {
            errors.push(FieldError::new("at-day", e.clone()));
            None
        }
    };
    match (kind, at) {
        (Some(kind), Some(at)) if errors.is_empty() => Ok((kind, title.trim().to_string(), at)),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(decided_at: i64) -> DecisionDraft {
        DecisionDraft {
            input: DecisionInput {
                decision: "Open the rest centre at Riverside School".into(),
                rationale: "40 households evacuated".into(),
                decision_maker: "Silver: J. Patel".into(),
                ..DecisionInput::default()
            },
            decided_at: Ok(Some(decided_at)),
            review_at: Ok(None),
            log_length: 0,
        }
    }

    #[test]
    fn a_late_decision_needs_a_reason() {
        let now = 1_800_000_000;
        assert!(check_decision(&draft(now - 14 * 60), now).is_ok());
        let errors = check_decision(&draft(now - 16 * 60), now).unwrap_err();
        assert_eq!(errors[0].field, "delay_reason");
        let mut d = draft(now - 16 * 60);
        d.input.delay_reason = Some("Loggist arrived at 10:40".into());
        assert!(check_decision(&d, now).is_ok());
    }

    #[test]
    fn a_decision_needs_its_rationale_and_cannot_correct_what_is_not_there() {
        let now = 1_800_000_000;
        let mut d = draft(now);
        d.input.rationale = " ".into();
        d.input.corrects = Some(1);
        let fields: Vec<String> = check_decision(&d, now)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["rationale", "corrects"]);
    }
}
