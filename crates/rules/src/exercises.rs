//! The rules of exercises, lessons and actions, shared by the pages and the API: what a valid
//! exercise, lesson or action is, how often scenarios must be exercised (a pandemic at least
//! every three years, as the COVID-19 Inquiry asks), what is overdue, and how old the open
//! lessons are.

use crate::{FieldError, text};
use bulwark_model::{Model, Scenario};
use bulwark_store::{
    Action, ActionDetails, ActionProgress, ActionStatus, Exercise, ExerciseDetails, ExerciseFormat,
    Lesson, Participant, ProgrammeEntry,
};
use chrono::{DateTime, Months, NaiveDate};
use serde::Serialize;
use std::collections::HashMap;

/// Sectors an exercise's participants come from.
pub const SECTORS: [&str; 10] = [
    "local authority",
    "health",
    "social care",
    "voluntary sector",
    "emergency services",
    "utilities",
    "transport",
    "business",
    "central government",
    "other",
];

/// The longest a pandemic scenario may go unexercised, in months.
pub const PANDEMIC_MAX_MONTHS: i64 = 36;

/// Exercises due within this many days are flagged as due soon.
pub const DUE_SOON_DAYS: i64 = 90;

/// Today's date in the UK (Europe/London, so British Summer Time counts).
pub fn today() -> NaiveDate {
    DateTime::from_timestamp(bulwark_store::now(), 0).map_or(NaiveDate::MIN, |t| {
        t.with_timezone(&chrono_tz::Europe::London).date_naive()
    })
}

/// Reads an ISO date (`2026-03-31`).
pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| format!("\"{}\" is not a date like 2026-03-31", text.trim()))
}

/// Reads a date from the day, month and year boxes of a form.
pub fn date_from_parts(day: &str, month: &str, year: &str) -> Result<NaiveDate, String> {
    let (d, m, y) = (day.trim(), month.trim(), year.trim());
    if d.is_empty() && m.is_empty() && y.is_empty() {
        return Err("Enter the date".into());
    }
    let (Ok(d), Ok(m), Ok(y)) = (d.parse::<u32>(), m.parse::<u32>(), y.parse::<i32>()) else {
        return Err("The date must include a day, month and year in numbers".into());
    };
    if !(1900..=2200).contains(&y) {
        return Err("The year must be between 1900 and 2200, like 2026".into());
    }
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| "The date must be a real date".into())
}

/// Reads participants, one organisation per line as `Name, sector`.
pub fn parse_participants(text: &str) -> Result<Vec<Participant>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let Some((name, sector)) = line.rsplit_once(',') else {
            return Err(format!(
                "Line {}: give the organisation and its sector, separated by a comma, like \"Moorside Homecare, social care\"",
                i + 1
            ));
        };
        out.push(Participant {
            name: name.trim().to_string(),
            sector: sector.trim().to_lowercase(),
        });
    }
    Ok(out)
}

/// Writes participants back as form text.
pub fn participants_text(participants: &[Participant]) -> String {
    participants
        .iter()
        .map(|p| format!("{}, {}\n", p.name, p.sector))
        .collect()
}

/// The name of service `id` in the model, or the id marked as gone when the model dropped it.
pub fn service_label(model: &Model, id: &str) -> (String, bool) {
    match model.services.iter().find(|s| s.meta.id.as_str() == id) {
        Some(s) => (s.meta.name.clone(), true),
        None => (format!("{id} (no longer in the model)"), false),
    }
}

/// True when a scenario rehearses a pandemic (its id or name says so).
pub fn is_pandemic(scenario: &Scenario) -> bool {
    scenario.meta.id.as_str().contains("pandemic")
        || scenario.meta.name.to_lowercase().contains("pandemic")
}

fn field(field: &str, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.into(),
        message: message.into(),
    }
}

/// An exercise as submitted, before it is checked.
#[derive(Debug, Clone)]
pub struct ExerciseDraft {
    /// Title.
    pub title: String,
    /// Scenario id.
    pub scenario_id: String,
    /// The day held, already read from the form (or the problem with it).
    pub held_on: Result<NaiveDate, String>,
    /// Format word.
    pub format: String,
    /// Lead.
    pub lead: String,
    /// Objectives.
    pub objectives: String,
    /// Participants (or the problem with them).
    pub participants: Result<Vec<Participant>, String>,
}

/// Checks an exercise against the model: every problem, each tied to its field. `kept` is the
/// scenario the exercise already has, accepted even if the model has since dropped it.
pub fn check_exercise(
    d: &ExerciseDraft,
    model: &Model,
    kept: Option<&str>,
) -> Result<ExerciseDetails, Vec<FieldError>> {
    let mut errors = text::check_all(&[
        ("title", "The title", &d.title, text::SHORT, false),
        ("lead", "The lead", &d.lead, text::SHORT, false),
        (
            "objectives",
            "The objectives",
            &d.objectives,
            text::LONG,
            true,
        ),
    ]);
    if d.title.trim().is_empty() {
        errors.push(field("title", "Enter the exercise's title"));
    }
    let known = |id: &str| model.scenarios.iter().any(|s| s.meta.id.as_str() == id);
    if kept != Some(d.scenario_id.as_str()) && !known(&d.scenario_id) {
        errors.push(field(
            "scenario",
            "Choose the scenario the exercise rehearsed",
        ));
    }
    if let Err(e) = &d.held_on {
        errors.push(field("held-day", format!("Date held: {e}")));
    }
    let format = ExerciseFormat::parse(&d.format);
    if format.is_none() {
        errors.push(field("format", "Choose how the exercise was run"));
    }
    match &d.participants {
        Err(e) => errors.push(field("participants", e.clone())),
        Ok(list) => {
            for p in list {
                if let Some(e) = text::check(
                    "participants",
                    "A participant's name",
                    &p.name,
                    text::SHORT,
                    false,
                ) {
                    errors.push(e);
                } else if p.name.is_empty() {
                    errors.push(field("participants", "Every participant needs a name"));
                } else if !SECTORS.contains(&p.sector.as_str()) {
                    errors.push(field(
                        "participants",
                        format!(
                            "{}: \"{}\" is not a sector we know; use one of {}",
                            p.name,
                            p.sector,
                            SECTORS.join(", ")
                        ),
                    ));
                }
            }
        }
    }
    match (errors.is_empty(), format, &d.held_on, &d.participants) {
        (true, Some(format), Ok(held), Ok(participants)) => Ok(ExerciseDetails {
            title: d.title.trim().to_string(),
            scenario_id: d.scenario_id.clone(),
            held_on: *held,
            format,
            lead: d.lead.trim().to_string(),
            objectives: d.objectives.trim().to_string(),
            participants: participants.clone(),
        }),
        _ => Err(errors),
    }
}

/// Checks a lesson's title, detail and date (today or earlier).
pub fn check_lesson(
    title: &str,
    detail: &str,
    recorded_on: &Result<NaiveDate, String>,
) -> Vec<FieldError> {
    let mut errors = text::check_all(&[
        ("title", "What was learned", title, text::SHORT, false),
        ("detail", "The detail", detail, text::LONG, true),
    ]);
    if title.trim().is_empty() {
        errors.push(field("title", "Enter what was learned"));
    }
    match recorded_on {
        Err(e) => errors.push(field("recorded-day", format!("Date recorded: {e}"))),
        Ok(day) if *day > today() => errors.push(field(
            "recorded-day",
            "Date recorded must be today or in the past",
        )),
        Ok(_) => {}
    }
    errors
}

/// An action as submitted.
#[derive(Debug, Clone)]
pub struct ActionDraft {
    /// What must be done.
    pub description: String,
    /// Who.
    pub owner: String,
    /// By when (or the problem with it).
    pub due_on: Result<NaiveDate, String>,
    /// The service it changes (empty: none).
    pub service_id: String,
    /// The plan it changes (empty: none).
    pub plan: String,
}

/// Checks an action against the model.
pub fn check_action(d: &ActionDraft, model: &Model) -> Result<ActionDetails, Vec<FieldError>> {
    let mut errors = text::check_all(&[
        (
            "description",
            "What must be done",
            &d.description,
            text::LONG,
            true,
        ),
        ("owner", "The owner", &d.owner, text::SHORT, false),
        ("plan", "The plan", &d.plan, text::SHORT, false),
    ]);
    if d.description.trim().is_empty() {
        errors.push(field("description", "Enter what must be done"));
    }
    if d.owner.trim().is_empty() {
        errors.push(field(
            "owner",
            "Enter who owns the action: a person or a role",
        ));
    }
    if let Err(e) = &d.due_on {
        errors.push(field("due-day", format!("Due date: {e}")));
    }
    let service = d.service_id.trim();
    if !service.is_empty() && !model.services.iter().any(|s| s.meta.id.as_str() == service) {
        errors.push(field(
            "service",
            format!("There is no service with the id {service}"),
        ));
    }
    if service.is_empty() && d.plan.trim().is_empty() {
        errors.push(field(
            "service",
            "Choose the service this action changes, or name the plan it changes",
        ));
    }
    match (&d.due_on, errors.is_empty()) {
        (Ok(due), true) => Ok(ActionDetails {
            description: d.description.trim().to_string(),
            owner: d.owner.trim().to_string(),
            due_on: *due,
            service_id: (!service.is_empty()).then(|| service.to_string()),
            plan: (!d.plan.trim().is_empty()).then(|| d.plan.trim().to_string()),
        }),
        _ => Err(errors),
    }
}

/// Checks a change of an action's status: closing it needs evidence.
pub fn check_progress(
    status: &str,
    evidence: &str,
    today: NaiveDate,
) -> Result<ActionProgress, Vec<FieldError>> {
    let Some(status) = ActionStatus::parse(status) else {
        return Err(vec![field("status", "Choose the action's status")]);
    };
    if let Some(e) = text::check("evidence", "The evidence", evidence, text::LONG, true) {
        return Err(vec![e]);
    }
    let evidence = evidence.trim();
    if status == ActionStatus::Done && evidence.is_empty() {
        return Err(vec![field(
            "evidence",
            "Describe the evidence that the action is done, such as the updated plan and where it is kept",
        )]);
    }
    Ok(ActionProgress {
        status,
        evidence: (!evidence.is_empty()).then(|| evidence.to_string()),
        closed_on: (status == ActionStatus::Done).then_some(today),
    })
}

/// Checks how often a scenario must be exercised.
pub fn check_every_months(scenario: &Scenario, months: i64) -> Result<(), String> {
    if !(1..=120).contains(&months) {
        return Err(format!(
            "{}: enter a number of months from 1 to 120",
            scenario.meta.name
        ));
    }
    if is_pandemic(scenario) && months > PANDEMIC_MAX_MONTHS {
        return Err(format!(
            "{}: a pandemic must be exercised at least every {PANDEMIC_MAX_MONTHS} months (three years)",
            scenario.meta.name
        ));
    }
    Ok(())
}

/// Where a scenario stands in the exercise programme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProgrammeStatus {
    /// No frequency set and none required.
    NotInProgramme,
    /// Due, and never exercised.
    NeverExercised,
    /// Past its due date.
    Overdue,
    /// Due within [`DUE_SOON_DAYS`].
    DueSoon,
    /// Exercised recently enough.
    UpToDate,
}

impl ProgrammeStatus {
    /// True when the scenario needs exercising now.
    pub fn is_overdue(self) -> bool {
        matches!(
            self,
            ProgrammeStatus::NeverExercised | ProgrammeStatus::Overdue
        )
    }
}

/// One scenario in the exercise programme.
#[derive(Debug, Clone, Serialize)]
pub struct ProgrammeRow {
    /// Scenario id.
    pub scenario_id: String,
    /// Scenario name.
    pub scenario_name: String,
    /// At least every this many months (set, or required for a pandemic).
    pub every_months: Option<i64>,
    /// True for a pandemic scenario, which must be exercised at least every three years.
    pub pandemic: bool,
    /// The last day it was exercised (on or before today).
    pub last_exercised: Option<String>,
    /// When it is next due.
    pub due_on: Option<String>,
    /// Where it stands.
    pub status: ProgrammeStatus,
}

/// The last day each scenario was exercised, on or before today.
pub fn last_exercised(exercises: &[Exercise], today: NaiveDate) -> HashMap<String, NaiveDate> {
    let mut last: HashMap<String, NaiveDate> = HashMap::new();
    for e in exercises {
        let day = e.details.held_on;
        if day <= today {
            let entry = last.entry(e.details.scenario_id.clone()).or_insert(day);
            *entry = (*entry).max(day);
        }
    }
    last
}

/// The programme: every scenario of the model with its frequency, last exercise (from
/// [`last_exercised`] or the store's summary) and status.
pub fn programme(
    model: &Model,
    entries: &[ProgrammeEntry],
    last_exercised: &HashMap<String, NaiveDate>,
    today: NaiveDate,
) -> Vec<ProgrammeRow> {
    model
        .scenarios
        .iter()
        .map(|s| {
            let id = s.meta.id.as_str();
            let pandemic = is_pandemic(s);
            // A frequency saved before the scenario counted as a pandemic is capped on reading.
            let every = entries
                .iter()
                .find(|e| e.scenario_id == id)
                .map(|e| match pandemic {
                    true => e.every_months.min(PANDEMIC_MAX_MONTHS),
                    false => e.every_months,
                })
                .or(pandemic.then_some(PANDEMIC_MAX_MONTHS));
            let last = last_exercised.get(id).copied();
            let due = match (every, last) {
                (Some(m), Some(l)) => l.checked_add_months(Months::new(m as u32)),
                _ => None,
            };
            let status = match (every, due) {
                (None, _) => ProgrammeStatus::NotInProgramme,
                (Some(_), None) => ProgrammeStatus::NeverExercised,
                (Some(_), Some(d)) if d < today => ProgrammeStatus::Overdue,
                (Some(_), Some(d)) if (d - today).num_days() <= DUE_SOON_DAYS => {
                    ProgrammeStatus::DueSoon
                }
                _ => ProgrammeStatus::UpToDate,
            };
            ProgrammeRow {
                scenario_id: id.to_string(),
                scenario_name: s.meta.name.clone(),
                every_months: every,
                pandemic,
                last_exercised: last.map(|d| d.to_string()),
                due_on: due.map(|d| d.to_string()),
                status,
            }
        })
        .collect()
}

/// A lesson with its actions and where it stands.
#[derive(Debug, Clone, Serialize)]
pub struct LessonStatus {
    /// The lesson.
    #[serde(flatten)]
    pub lesson: Lesson,
    /// Its actions.
    pub actions: Vec<Action>,
    /// Open until it has actions and every one is done.
    pub open: bool,
    /// Days since it was recorded.
    pub age_days: i64,
}

/// Days from the ISO date `day` to `today` (none when `day` is not a date).
pub fn age_days(day: &str, today: NaiveDate) -> Option<i64> {
    parse_date(day).ok().map(|d| (today - d).num_days())
}

/// The actions of `lessons` that are overdue today, by due date.
pub fn overdue_actions(lessons: &[LessonStatus], today: NaiveDate) -> Vec<Action> {
    let mut out: Vec<Action> = (lessons.iter())
        .flat_map(|l| &l.actions)
        .filter(|a| action_overdue(a, today))
        .cloned()
        .collect();
    out.sort_by(|a, b| (&a.details.due_on, a.id).cmp(&(&b.details.due_on, b.id)));
    out
}

/// True when an action is not done and its due date has passed.
pub fn action_overdue(a: &Action, today: NaiveDate) -> bool {
    a.progress.status != ActionStatus::Done && a.details.due_on < today
}

/// Joins lessons with their actions and works out which are open and how old.
pub fn lesson_statuses(
    lessons: Vec<Lesson>,
    actions: &[Action],
    today: NaiveDate,
) -> Vec<LessonStatus> {
    lessons
        .into_iter()
        .map(|lesson| {
            let mine: Vec<Action> = actions
                .iter()
                .filter(|a| a.lesson_id == lesson.id)
                .cloned()
                .collect();
            let open =
                mine.is_empty() || mine.iter().any(|a| a.progress.status != ActionStatus::Done);
            let age_days = (today - lesson.recorded_on).num_days();
            LessonStatus {
                lesson,
                actions: mine,
                open,
                age_days,
            }
        })
        .collect()
}

/// Open lessons counted by age.
#[derive(Debug, Clone, Serialize)]
pub struct AgeBand {
    /// The band, in words.
    pub label: &'static str,
    /// Open lessons in it.
    pub count: usize,
}

/// Open lessons by age: under 3 months, 3 to 6, 6 to 12, over a year.
pub fn open_by_age(lessons: &[LessonStatus]) -> Vec<AgeBand> {
    age_bands(lessons.iter().filter(|l| l.open).map(|l| l.age_days))
}

/// Counts ages in days into the bands of [`open_by_age`].
pub fn age_bands(ages: impl IntoIterator<Item = i64>) -> Vec<AgeBand> {
    const BANDS: [(&str, i64); 4] = [
        ("Under 3 months", 91),
        ("3 to 6 months", 182),
        ("6 to 12 months", 365),
        ("Over a year", i64::MAX),
    ];
    let mut out: Vec<AgeBand> = BANDS
        .iter()
        .map(|(label, _)| AgeBand { label, count: 0 })
        .collect();
    for age in ages {
        let band = BANDS
            .iter()
            .position(|(_, upto)| age < *upto)
            .unwrap_or(BANDS.len() - 1);
        out[band].count += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_from_form_boxes_are_checked() {
        assert_eq!(
            date_from_parts("31", "3", "2026"),
            Ok(NaiveDate::from_ymd_opt(2026, 3, 31).unwrap())
        );
        assert_eq!(
            date_from_parts("31", "2", "2026").unwrap_err(),
            "The date must be a real date"
        );
        assert!(date_from_parts("", "", "").unwrap_err().contains("Enter"));
        assert!(
            date_from_parts("1", "2", "26")
                .unwrap_err()
                .contains("between 1900")
        );
    }

    #[test]
    fn participants_need_a_sector_after_a_comma() {
        let p = parse_participants(
            "Moorside Homecare, Social care\n\nNorthmoor Foodbank, voluntary sector",
        )
        .unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].sector, "social care");
        assert!(
            parse_participants("ok, health\nNo sector")
                .unwrap_err()
                .starts_with("Line 2")
        );
    }

    #[test]
    fn an_exercise_keeps_a_scenario_the_model_has_dropped() {
        let model = bulwark_model::load_str(
            "m.yaml",
            "bulwark: 1\nscenarios:\n  - {id: flood, name: Flood, events: []}\n",
        )
        .model;
        let draft = ExerciseDraft {
            title: "Old drill".into(),
            scenario_id: "gone".into(),
            held_on: Ok(NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()),
            format: "live".into(),
            lead: String::new(),
            objectives: String::new(),
            participants: Ok(Vec::new()),
        };
        assert_eq!(
            check_exercise(&draft, &model, None).unwrap_err()[0].field,
            "scenario"
        );
        assert!(check_exercise(&draft, &model, Some("gone")).is_ok());
        assert!(check_exercise(&draft, &model, Some("other")).is_err());
    }

    #[test]
    fn closing_an_action_needs_evidence() {
        let day = NaiveDate::from_ymd_opt(2026, 5, 1).unwrap();
        assert_eq!(
            check_progress("done", "  ", day).unwrap_err()[0].field,
            "evidence"
        );
        let p = check_progress("done", "Plan v4 on the intranet", day).unwrap();
        assert_eq!(
            p.closed_on.map(|d| d.to_string()).as_deref(),
            Some("2026-05-01")
        );
        assert_eq!(check_progress("open", "", day).unwrap().closed_on, None);
        assert!(check_progress("finished", "", day).is_err());
    }
}
