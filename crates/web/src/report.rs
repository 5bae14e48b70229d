//! Exercise reports: running an exercise's simulation and keeping it, reading an exercise
//! with its run and lessons, and writing it all up as one document for the web page and PDF.

use crate::error::WebError;
use crate::exercises::{self as rules, LessonStatus, ProgrammeRow};
use crate::labels::Label;
use crate::models::org_model;
use crate::state::AppState;
use bulwark_model::Model;
use bulwark_report::document::{Block, Document};
use bulwark_report::exercise::{self, RunSnapshot};
use bulwark_store::{Actor, Exercise, Organisation};

/// An exercise of `org` with its simulation run (if it has one) and its lessons.
pub async fn load_exercise(
    state: &AppState,
    org: i64,
    id: i64,
) -> Result<(Exercise, Option<RunSnapshot>, Vec<LessonStatus>), WebError> {
    let (e, run) = state
        .store()
        .exercise(org, id)
        .await?
        .ok_or(WebError::NotFound)?;
    let run = match run {
        Some(text) => Some(
            serde_json::from_str(&text)
                .map_err(|err| WebError::Internal(format!("exercise {id}: stored run: {err}")))?,
        ),
        None => None,
    };
    Ok((e, run, lessons_of(state, org, Some(id)).await?))
}

/// The lessons of `org` (of one exercise when given) with their actions, open or not, and
/// their age today.
pub async fn lessons_of(
    state: &AppState,
    org: i64,
    exercise: Option<i64>,
) -> Result<Vec<LessonStatus>, WebError> {
    let store = state.store();
    Ok(rules::lesson_statuses(
        store.lessons(org, exercise).await?,
        &store.actions(org, exercise).await?,
        rules::today(),
    ))
}

/// The exercise programme of `org` over the scenarios of `model`, as of today.
pub async fn programme_of(
    state: &AppState,
    org: i64,
    model: &Model,
) -> Result<Vec<ProgrammeRow>, WebError> {
    let today = rules::today();
    let last = rules::last_exercised(&state.store().exercises(org).await?, today);
    Ok(rules::programme(
        model,
        &state.store().programme(org).await?,
        &last,
        today,
    ))
}

/// Simulates the exercise's scenario on the organisation's current model (as things are and
/// with staff redeployed) and keeps the result with the exercise.
pub async fn run_exercise(
    state: &AppState,
    org: &Organisation,
    e: &Exercise,
    actor: &Actor,
) -> Result<RunSnapshot, WebError> {
    let m = org_model(state, org).await?;
    if m.compiled.is_none() {
        return Err(WebError::BadRequest(
            "The model has problems, so the simulation cannot run. Fix them first: the dashboard lists them.".into(),
        ));
    }
    let scenario = e.details.scenario_id.clone();
    let model = m.clone();
    let budget = bulwark_engine::Budget::with_timeout(state.settings().job_time);
    let snapshot = crate::jobs::run(state, move || match model.compiled.as_ref() {
        Some(c) => {
            exercise::run(&model.loaded.model, c, &scenario, &budget).map_err(|e| e.to_string())
        }
        None => Err("the model has problems".to_string()),
    })
    .await?
    .map_err(|err| WebError::BadRequest(format!("The simulation could not run: {err}")))?;
    let text =
        serde_json::to_string(&snapshot).map_err(|err| WebError::Internal(err.to_string()))?;
    let summary = format!(
        "{}: {} service(s) lost, {} MTPD breach(es), {} service-days lost (model version {})",
        snapshot.scenario,
        snapshot.without.services_lost,
        snapshot.without.breaches,
        snapshot.without.service_days_lost,
        m.version
    );
    state
        .store()
        .save_exercise_run(org.id, e.id, &text, &summary, actor)
        .await?;
    Ok(snapshot)
}

fn or_dash(v: &Option<String>) -> String {
    v.clone().unwrap_or_else(|| "–".into())
}

/// The exercise report: what was rehearsed, who took part, what the simulation showed, and
/// the lessons with their actions.
pub fn exercise_document(
    org_name: &str,
    e: &Exercise,
    scenario_name: &str,
    run: Option<&RunSnapshot>,
    lessons: &[LessonStatus],
    model: &Model,
) -> Document {
    let d = &e.details;
    let mut blocks = vec![Block::Facts(vec![
        ("Organisation".into(), org_name.into()),
        ("Scenario".into(), scenario_name.into()),
        ("Held on".into(), d.held_on.to_string()),
        ("Type of exercise".into(), d.format.label().into()),
        (
            "Led by".into(),
            if d.lead.is_empty() {
                "–".into()
            } else {
                d.lead.clone()
            },
        ),
        (
            "Simulation run".into(),
            e.run_at
                .and_then(|t| chrono::DateTime::from_timestamp(t, 0))
                .map_or_else(
                    || "not yet".into(),
                    |t| {
                        format!(
                            "{} UTC, on the model as it was then",
                            t.format("%Y-%m-%d %H:%M")
                        )
                    },
                ),
        ),
    ])];
    if !d.objectives.is_empty() {
        blocks.push(Block::Heading("Objectives".into()));
        blocks.push(Block::Paragraph(d.objectives.clone()));
    }
    blocks.push(Block::Heading("Participants".into()));
    if d.participants.is_empty() {
        blocks.push(Block::Paragraph(
            "No participating organisations were recorded.".into(),
        ));
    } else {
        blocks.push(Block::Table {
            caption: format!("{} organisation(s) took part", d.participants.len()),
            head: vec!["Organisation".into(), "Sector".into()],
            rows: d
                .participants
                .iter()
                .map(|p| vec![p.name.clone(), p.sector.clone()])
                .collect(),
        });
    }
    blocks.push(Block::Heading("What the simulation showed".into()));
    match run {
        None => blocks.push(Block::Paragraph(
            "The scenario's simulation has not been run for this exercise.".into(),
        )),
        Some(r) => run_blocks(r, &mut blocks),
    }
    blocks.push(Block::Heading("Lessons and actions".into()));
    if lessons.is_empty() {
        blocks.push(Block::Paragraph(
            "No lessons have been recorded yet.".into(),
        ));
    }
    for l in lessons {
        let state = if l.open { "open" } else { "closed" };
        blocks.push(Block::Paragraph(format!(
            "Lesson ({state}, recorded {}): {}{}",
            l.lesson.recorded_on,
            l.lesson.title,
            if l.lesson.detail.is_empty() {
                String::new()
            } else {
                format!(". {}", l.lesson.detail)
            }
        )));
        if !l.actions.is_empty() {
            blocks.push(Block::Table {
                caption: format!("Actions for: {}", l.lesson.title),
                head: ["Action", "Owner", "Due", "Changes", "Status", "Evidence"]
                    .map(String::from)
                    .to_vec(),
                rows: l
                    .actions
                    .iter()
                    .map(|a| {
                        let service = (a.details.service_id.as_deref())
                            .map(|id| rules::service_label(model, id).0);
                        let changes = [service, a.details.plan.clone()]
                            .into_iter()
                            .flatten()
                            .collect::<Vec<_>>()
                            .join("; ");
                        vec![
                            a.details.description.clone(),
                            a.details.owner.clone(),
                            a.details.due_on.to_string(),
                            changes,
                            a.progress.status.label().into(),
                            or_dash(&a.progress.evidence),
                        ]
                    })
                    .collect(),
            });
        }
    }
    Document {
        title: format!("Exercise report: {}", d.title),
        blocks,
    }
}

fn run_blocks(r: &RunSnapshot, blocks: &mut Vec<Block>) {
    blocks.push(Block::Paragraph(format!(
        "{} over {}. {}",
        r.scenario_name, r.horizon, r.description
    )));
    let mut head = vec!["Measure".to_string(), "As things are".to_string()];
    let mut rows = vec![
        vec!["Services lost".into(), r.without.services_lost.to_string()],
        vec!["MTPD breaches".into(), r.without.breaches.to_string()],
        vec![
            "Service-days lost".into(),
            format!("{:.1}", r.without.service_days_lost),
        ],
    ];
    if let Some(w) = &r.redeployed {
        head.push("With staff redeployed".into());
        rows[0].push(w.services_lost.to_string());
        rows[1].push(w.breaches.to_string());
        rows[2].push(format!("{:.1}", w.service_days_lost));
    }
    blocks.push(Block::Table {
        caption: "Totals across services".into(),
        head,
        rows,
    });
    if let Some(p) = &r.redeploy_problem {
        blocks.push(Block::Paragraph(format!(
            "Redeployment could not be simulated: {p}"
        )));
    }
    if r.services.is_empty() {
        blocks.push(Block::Paragraph(
            "No service fell below its minimum or built up a backlog.".into(),
        ));
    } else {
        blocks.push(Block::Table {
            caption: "Services lost or with a backlog (times from the start of the scenario)"
                .into(),
            head: [
                "Service",
                "Criticality",
                "Lost at",
                "Restored at",
                "MTPD breached at",
                "Days lost",
                "Days lost if redeployed",
                "Peak backlog",
                "Backlog cleared at",
            ]
            .map(String::from)
            .to_vec(),
            rows: r
                .services
                .iter()
                .map(|s| {
                    vec![
                        s.name.clone(),
                        s.criticality.clone(),
                        or_dash(&s.lost_at),
                        or_dash(&s.restored_at),
                        or_dash(&s.breached_at),
                        format!("{:.1}", s.days_lost),
                        s.days_lost_redeployed
                            .map_or_else(|| "–".into(), |d| format!("{d:.1}")),
                        or_dash(&s.backlog_peak),
                        match (&s.backlog_peak, &s.backlog_cleared_at) {
                            (None, _) => "–".into(),
                            (Some(_), None) => "not within the horizon".into(),
                            (Some(_), Some(t)) => t.clone(),
                        },
                    ]
                })
                .collect(),
        });
    }
    if !r.moves.is_empty() {
        blocks.push(Block::Table {
            caption: "Who moves where with redeployment (largest moves)".into(),
            head: ["Staff", "To service", "Full-time equivalents", "From"]
                .map(String::from)
                .to_vec(),
            rows: r
                .moves
                .iter()
                .map(|m| {
                    vec![
                        m.skill.clone(),
                        m.service.clone(),
                        format!("{:.1}", m.fte),
                        m.from.clone(),
                    ]
                })
                .collect(),
        });
    }
    blocks.extend(r.charts.iter().cloned().map(Block::Chart));
}
