//! Exercises, the lessons they leave, the actions that close those lessons, and the
//! exercise programme (how often each scenario must be exercised).
//!
//! The store keeps these records and their audit trail, each write in one transaction; the
//! rules about their content (valid dates, evidence before closing, the pandemic minimum)
//! belong to the caller, which checks them before writing. Dates are ISO text
//! (`YYYY-MM-DD`), so they sort and compare the same way on both backends.

use crate::audit::{Actor, Change, finish, json, record};
use crate::{Store, StoreError, now};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::any::AnyRow;

/// How an exercise was run (the usual UK exercise types).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExerciseFormat {
    /// A discussion-based workshop or seminar.
    Discussion,
    /// A tabletop exercise: a scenario played through around a table.
    Tabletop,
    /// A command post exercise: the response teams in their real rooms and systems.
    CommandPost,
    /// A live exercise, with people and equipment deployed.
    Live,
}

impl ExerciseFormat {
    /// Every format, in the order forms offer them.
    pub const ALL: [ExerciseFormat; 4] = [
        ExerciseFormat::Discussion,
        ExerciseFormat::Tabletop,
        ExerciseFormat::CommandPost,
        ExerciseFormat::Live,
    ];

    /// The word stored and submitted.
    pub fn as_str(self) -> &'static str {
        match self {
            ExerciseFormat::Discussion => "discussion",
            ExerciseFormat::Tabletop => "tabletop",
            ExerciseFormat::CommandPost => "command-post",
            ExerciseFormat::Live => "live",
        }
    }

    /// Reads a stored or submitted format.
    pub fn parse(text: &str) -> Option<ExerciseFormat> {
        ExerciseFormat::ALL.into_iter().find(|f| f.as_str() == text)
    }
}

/// Where an action has got to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ActionStatus {
    /// Not started.
    Open,
    /// Being worked on.
    InProgress,
    /// Finished, with evidence.
    Done,
}

impl ActionStatus {
    /// Every status, in order.
    pub const ALL: [ActionStatus; 3] = [
        ActionStatus::Open,
        ActionStatus::InProgress,
        ActionStatus::Done,
    ];

    /// The word stored and submitted.
    pub fn as_str(self) -> &'static str {
        match self {
            ActionStatus::Open => "open",
            ActionStatus::InProgress => "in-progress",
            ActionStatus::Done => "done",
        }
    }

    /// Reads a stored or submitted status.
    pub fn parse(text: &str) -> Option<ActionStatus> {
        ActionStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// An organisation that took part in an exercise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participant {
    /// Its name.
    pub name: String,
    /// Its sector, such as `social care` or `voluntary sector`.
    pub sector: String,
}

/// What describes an exercise (everything but its simulation run).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExerciseDetails {
    /// Its title.
    pub title: String,
    /// The model scenario it rehearsed.
    pub scenario_id: String,
    /// The day it was (or will be) held.
    pub held_on: NaiveDate,
    /// How it was run.
    pub format: ExerciseFormat,
    /// Who led it.
    pub lead: String,
    /// What it set out to test.
    pub objectives: String,
    /// The organisations that took part.
    pub participants: Vec<Participant>,
}

/// An exercise.
#[derive(Debug, Clone, Serialize)]
pub struct Exercise {
    /// Database id.
    pub id: i64,
    /// Its description.
    #[serde(flatten)]
    pub details: ExerciseDetails,
    /// When its simulation was last run (seconds since 1970).
    pub run_at: Option<i64>,
}

/// A lesson identified in an exercise.
#[derive(Debug, Clone, Serialize)]
pub struct Lesson {
    /// Database id.
    pub id: i64,
    /// The exercise it came from.
    pub exercise_id: i64,
    /// That exercise's title.
    pub exercise_title: String,
    /// What was learned, in a line.
    pub title: String,
    /// More about it.
    pub detail: String,
    /// The day it was recorded.
    pub recorded_on: NaiveDate,
}

/// What describes an action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionDetails {
    /// What must be done.
    pub description: String,
    /// Who is responsible (a person or a role).
    pub owner: String,
    /// When it must be done by.
    pub due_on: NaiveDate,
    /// The service whose plan or dependencies it changes, if any.
    pub service_id: Option<String>,
    /// The plan it changes, if any.
    pub plan: Option<String>,
}

/// Where an action has got to, and the proof when it is done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionProgress {
    /// Its status.
    pub status: ActionStatus,
    /// What shows it is done (required when done).
    pub evidence: Option<String>,
    /// The day it was closed (set when done).
    pub closed_on: Option<NaiveDate>,
}

/// An action that closes (part of) a lesson.
#[derive(Debug, Clone, Serialize)]
pub struct Action {
    /// Database id.
    pub id: i64,
    /// The lesson it answers.
    pub lesson_id: i64,
    /// What, who, when, and what it changes.
    #[serde(flatten)]
    pub details: ActionDetails,
    /// Where it has got to.
    #[serde(flatten)]
    pub progress: ActionProgress,
}

/// How often a scenario must be exercised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProgrammeEntry {
    /// The model scenario.
    pub scenario_id: String,
    /// At least once in this many months.
    pub every_months: i64,
}

/// What the dashboard shows of an organisation's exercises and lessons, read in one query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExerciseSummary {
    /// The exercise programme.
    pub programme: Vec<ProgrammeEntry>,
    /// Each exercised scenario with the last day it was exercised (on or before today).
    pub last_exercised: Vec<(String, String)>,
    /// The day each open lesson was recorded (open: no actions, or some not done).
    pub open_lessons: Vec<String>,
    /// Actions not done whose due date has passed.
    pub overdue_actions: i64,
}

/// The dashboard's figures as rows of one kind each: `p` programme entries, `e` last exercise
/// per scenario, `l` open lessons, `o` the overdue action count.
const SUMMARY: &str = "\
    SELECT 'p' AS kind, scenario_id AS name, every_months AS n, '' AS day FROM programme WHERE org_id = $1 \
    UNION ALL SELECT 'e', scenario_id, 0, MAX(held_on) FROM exercises WHERE org_id = $1 AND held_on <= $2 GROUP BY scenario_id \
    UNION ALL SELECT 'l', '', 0, l.recorded_on FROM lessons l WHERE l.org_id = $1 AND (\
        NOT EXISTS (SELECT 1 FROM actions a WHERE a.lesson_id = l.id) \
        OR EXISTS (SELECT 1 FROM actions a WHERE a.lesson_id = l.id AND a.status <> 'done')) \
    UNION ALL SELECT 'o', '', COUNT(*), '' FROM actions WHERE org_id = $1 AND status <> 'done' AND due_on < $2";

const EXERCISE_COLUMNS: &str =
    "id, title, scenario_id, held_on, format, lead, objectives, participants, run_at";

fn exercise_from(row: &AnyRow) -> Result<Exercise, StoreError> {
    let format: String = row.try_get("format")?;
    let participants: String = row.try_get("participants")?;
    Ok(Exercise {
        id: row.try_get("id")?,
        details: ExerciseDetails {
            title: row.try_get("title")?,
            scenario_id: row.try_get("scenario_id")?,
            held_on: date(row, "held_on")?,
            format: ExerciseFormat::parse(&format).unwrap_or(ExerciseFormat::Discussion),
            lead: row.try_get("lead")?,
            objectives: row.try_get("objectives")?,
            participants: serde_json::from_str(&participants).unwrap_or_default(),
        },
        run_at: row.try_get("run_at")?,
    })
}

fn lesson_from(row: &AnyRow) -> Result<Lesson, StoreError> {
    Ok(Lesson {
        id: row.try_get("id")?,
        exercise_id: row.try_get("exercise_id")?,
        exercise_title: row.try_get("exercise_title")?,
        title: row.try_get("title")?,
        detail: row.try_get("detail")?,
        recorded_on: date(row, "recorded_on")?,
    })
}

fn action_from(row: &AnyRow) -> Result<Action, StoreError> {
    let status: String = row.try_get("status")?;
    Ok(Action {
        id: row.try_get("id")?,
        lesson_id: row.try_get("lesson_id")?,
        details: ActionDetails {
            description: row.try_get("description")?,
            owner: row.try_get("owner")?,
            due_on: date(row, "due_on")?,
            service_id: row.try_get("service_id")?,
            plan: row.try_get("plan")?,
        },
        progress: ActionProgress {
            status: ActionStatus::parse(&status).unwrap_or(ActionStatus::Open),
            evidence: row.try_get("evidence")?,
            closed_on: row
                .try_get::<Option<String>, _>("closed_on")?
                .map(|d| parse_date("closed_on", &d))
                .transpose()?,
        },
    })
}

/// A date column, kept as ISO 8601 text (`2027-03-31`) so both backends compare them alike.
pub(crate) fn date(row: &AnyRow, column: &str) -> Result<NaiveDate, sqlx::Error> {
    let text: String = row.try_get(column)?;
    parse_date(column, &text)
}

pub(crate) fn parse_date(column: &str, text: &str) -> Result<NaiveDate, sqlx::Error> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|e| sqlx::Error::ColumnDecode {
        index: column.to_string(),
        source: Box::new(e),
    })
}

/// Reads one row of `table` belonging to `org` as JSON-able `T`, inside a transaction, or
/// fails with `NotFound` (so another organisation's id is never told apart from none).
async fn owned<T>(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    sql: &'static str,
    org: i64,
    id: i64,
    read: fn(&AnyRow) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(org)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    read(&row)
}

const ONE_EXERCISE: &str = "SELECT id, title, scenario_id, held_on, format, lead, objectives, participants, run_at FROM exercises WHERE org_id = $1 AND id = $2";
const ONE_LESSON: &str = "SELECT l.id, l.exercise_id, e.title AS exercise_title, l.title, l.detail, l.recorded_on FROM lessons l JOIN exercises e ON e.id = l.exercise_id WHERE l.org_id = $1 AND l.id = $2";
const ONE_ACTION: &str = "SELECT id, lesson_id, description, owner, due_on, service_id, plan, status, evidence, closed_on FROM actions WHERE org_id = $1 AND id = $2";

impl Store {
    /// Records a new exercise of `org`; returns its id.
    pub async fn create_exercise(
        &self,
        org: i64,
        details: &ExerciseDetails,
        actor: &Actor,
    ) -> Result<i64, StoreError> {
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(
            "INSERT INTO exercises (org_id, title, scenario_id, held_on, format, lead, objectives, participants, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(org)
        .bind(&details.title)
        .bind(&details.scenario_id)
        .bind(details.held_on.to_string())
        .bind(details.format.as_str())
        .bind(&details.lead)
        .bind(&details.objectives)
        .bind(json(&details.participants))
        .bind(now())
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get("id")?;
        let what = ["create", "exercise", &id.to_string()];
        finish(tx, org, actor, what, None, Some(json(details))).await?;
        Ok(id)
    }

    /// Changes an exercise's description.
    pub async fn update_exercise(
        &self,
        org: i64,
        id: i64,
        details: &ExerciseDetails,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let before = owned(&mut tx, ONE_EXERCISE, org, id, exercise_from).await?;
        // A run of another scenario no longer describes this exercise: it is dropped (the
        // audit trail keeps that the exercise changed).
        sqlx::query(
            "UPDATE exercises SET title = $1, scenario_id = $2, held_on = $3, format = $4, lead = $5, objectives = $6, participants = $7, \
             run_json = CASE WHEN scenario_id = $2 THEN run_json ELSE NULL END, \
             run_at = CASE WHEN scenario_id = $2 THEN run_at ELSE NULL END \
             WHERE org_id = $8 AND id = $9",
        )
        .bind(&details.title)
        .bind(&details.scenario_id)
        .bind(details.held_on.to_string())
        .bind(details.format.as_str())
        .bind(&details.lead)
        .bind(&details.objectives)
        .bind(json(&details.participants))
        .bind(org)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let what = ["update", "exercise", &id.to_string()];
        finish(
            tx,
            org,
            actor,
            what,
            Some(json(&before.details)),
            Some(json(details)),
        )
        .await?;
        Ok(())
    }

    /// Deletes an exercise with its lessons and their actions.
    pub async fn delete_exercise(
        &self,
        org: i64,
        id: i64,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let before = owned(&mut tx, ONE_EXERCISE, org, id, exercise_from).await?;
        // Children first, so the result does not depend on the backend enforcing cascades.
        for sql in [
            "DELETE FROM actions WHERE org_id = $1 AND lesson_id IN (SELECT id FROM lessons WHERE exercise_id = $2)",
            "DELETE FROM lessons WHERE org_id = $1 AND exercise_id = $2",
            "DELETE FROM exercises WHERE org_id = $1 AND id = $2",
        ] {
            sqlx::query(sql)
                .bind(org)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        let what = ["delete", "exercise", &id.to_string()];
        finish(tx, org, actor, what, Some(json(&before.details)), None).await?;
        Ok(())
    }

    /// Every exercise of `org`, newest first.
    pub async fn exercises(&self, org: i64) -> Result<Vec<Exercise>, StoreError> {
        let sql = format!(
            "SELECT {EXERCISE_COLUMNS} FROM exercises WHERE org_id = $1 ORDER BY held_on DESC, id DESC"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(org)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(exercise_from).collect()
    }

    /// One exercise of `org`, with its stored simulation run (JSON) if it has one.
    pub async fn exercise(
        &self,
        org: i64,
        id: i64,
    ) -> Result<Option<(Exercise, Option<String>)>, StoreError> {
        let sql = format!(
            "SELECT {EXERCISE_COLUMNS}, run_json FROM exercises WHERE org_id = $1 AND id = $2"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(org)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        match row {
            Some(r) => Ok(Some((exercise_from(&r)?, r.try_get("run_json")?))),
            None => Ok(None),
        }
    }

    /// Keeps the result of running an exercise's simulation (replacing an earlier one).
    pub async fn save_exercise_run(
        &self,
        org: i64,
        id: i64,
        run_json: &str,
        summary: &str,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE exercises SET run_json = $1, run_at = $2 WHERE org_id = $3 AND id = $4",
        )
        .bind(run_json)
        .bind(now())
        .bind(org)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        let what = ["run", "exercise", &id.to_string()];
        finish(tx, org, actor, what, None, Some(summary.to_string())).await?;
        Ok(())
    }

    /// Records a lesson from exercise `exercise` of `org`; returns its id.
    pub async fn add_lesson(
        &self,
        org: i64,
        exercise: i64,
        title: &str,
        detail: &str,
        recorded_on: NaiveDate,
        actor: &Actor,
    ) -> Result<i64, StoreError> {
        let mut tx = self.pool.begin().await?;
        owned(&mut tx, ONE_EXERCISE, org, exercise, exercise_from).await?;
        let row = sqlx::query(
            "INSERT INTO lessons (org_id, exercise_id, title, detail, recorded_on, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(org)
        .bind(exercise)
        .bind(title)
        .bind(detail)
        .bind(recorded_on.to_string())
        .bind(now())
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get("id")?;
        let what = ["create", "lesson", &id.to_string()];
        let after = serde_json::json!({"exercise": exercise, "title": title, "detail": detail, "recorded_on": recorded_on});
        finish(tx, org, actor, what, None, Some(after.to_string())).await?;
        Ok(id)
    }

    /// Every lesson of `org` (of one exercise when `exercise` is given), oldest first.
    pub async fn lessons(
        &self,
        org: i64,
        exercise: Option<i64>,
    ) -> Result<Vec<Lesson>, StoreError> {
        let rows = sqlx::query(
            "SELECT l.id, l.exercise_id, e.title AS exercise_title, l.title, l.detail, l.recorded_on \
             FROM lessons l JOIN exercises e ON e.id = l.exercise_id \
             WHERE l.org_id = $1 AND ($2 < 0 OR l.exercise_id = $2) ORDER BY l.recorded_on, l.id",
        )
        .bind(org)
        .bind(exercise.unwrap_or(-1))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(lesson_from).collect()
    }

    /// One lesson of `org`.
    pub async fn lesson(&self, org: i64, id: i64) -> Result<Option<Lesson>, StoreError> {
        let row = sqlx::query(ONE_LESSON)
            .bind(org)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(lesson_from).transpose()
    }

    /// Adds an action, not yet started, to lesson `lesson` of `org`; returns its id.
    pub async fn add_action(
        &self,
        org: i64,
        lesson: i64,
        details: &ActionDetails,
        actor: &Actor,
    ) -> Result<i64, StoreError> {
        let mut tx = self.pool.begin().await?;
        owned(&mut tx, ONE_LESSON, org, lesson, lesson_from).await?;
        let row = sqlx::query(
            "INSERT INTO actions (org_id, lesson_id, description, owner, due_on, service_id, plan, status, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(org)
        .bind(lesson)
        .bind(&details.description)
        .bind(&details.owner)
        .bind(details.due_on.to_string())
        .bind(details.service_id.as_deref())
        .bind(details.plan.as_deref())
        .bind(ActionStatus::Open.as_str())
        .bind(now())
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get("id")?;
        let what = ["create", "action", &id.to_string()];
        finish(tx, org, actor, what, None, Some(json(details))).await?;
        Ok(id)
    }

    /// Moves action `id` of `org` on (or back), with the evidence when it is done. An action
    /// already done keeps the day it was first closed when its evidence is corrected.
    pub async fn update_action(
        &self,
        org: i64,
        id: i64,
        progress: &ActionProgress,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let before = owned(&mut tx, ONE_ACTION, org, id, action_from).await?;
        sqlx::query(
            "UPDATE actions SET status = $1, evidence = $2, closed_on = CASE WHEN $3 IS NULL THEN NULL ELSE COALESCE(closed_on, $3) END \
             WHERE org_id = $4 AND id = $5",
        )
        .bind(progress.status.as_str())
        .bind(progress.evidence.as_deref())
        .bind(progress.closed_on.map(|d| d.to_string()))
        .bind(org)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let what = ["update", "action", &id.to_string()];
        finish(
            tx,
            org,
            actor,
            what,
            Some(json(&before.progress)),
            Some(json(progress)),
        )
        .await?;
        Ok(())
    }

    /// One action of `org`.
    pub async fn action(&self, org: i64, id: i64) -> Result<Option<Action>, StoreError> {
        let row = sqlx::query(ONE_ACTION)
            .bind(org)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(action_from).transpose()
    }

    /// Every action of `org` (of one exercise's lessons when `exercise` is given), by due date.
    pub async fn actions(
        &self,
        org: i64,
        exercise: Option<i64>,
    ) -> Result<Vec<Action>, StoreError> {
        let rows = sqlx::query(
            "SELECT a.id, a.lesson_id, a.description, a.owner, a.due_on, a.service_id, a.plan, a.status, a.evidence, a.closed_on \
             FROM actions a JOIN lessons l ON l.id = a.lesson_id \
             WHERE a.org_id = $1 AND ($2 < 0 OR l.exercise_id = $2) ORDER BY a.due_on, a.id",
        )
        .bind(org)
        .bind(exercise.unwrap_or(-1))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(action_from).collect()
    }

    /// The dashboard's summary of `org`'s exercises and lessons as of `today` (ISO date).
    pub async fn exercise_summary(
        &self,
        org: i64,
        today: &str,
    ) -> Result<ExerciseSummary, StoreError> {
        let rows = sqlx::query(SUMMARY)
            .bind(org)
            .bind(today)
            .fetch_all(&self.pool)
            .await?;
        let mut out = ExerciseSummary::default();
        for r in &rows {
            let kind: String = r.try_get("kind")?;
            let name: String = r.try_get("name")?;
            let n: i64 = r.try_get("n")?;
            let day: String = r.try_get("day")?;
            match kind.as_str() {
                "p" => out.programme.push(ProgrammeEntry {
                    scenario_id: name,
                    every_months: n,
                }),
                "e" => out.last_exercised.push((name, day)),
                "l" => out.open_lessons.push(day),
                _ => out.overdue_actions = n,
            }
        }
        Ok(out)
    }

    /// The exercise programme of `org`, by scenario.
    pub async fn programme(&self, org: i64) -> Result<Vec<ProgrammeEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT scenario_id, every_months FROM programme WHERE org_id = $1 ORDER BY scenario_id",
        )
        .bind(org)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ProgrammeEntry {
                    scenario_id: r.try_get("scenario_id")?,
                    every_months: r.try_get("every_months")?,
                })
            })
            .collect()
    }

    /// Sets how often `scenario` must be exercised (`None`: take it out of the programme).
    pub async fn set_programme(
        &self,
        org: i64,
        scenario: &str,
        every_months: Option<i64>,
        actor: &Actor,
    ) -> Result<(), StoreError> {
        self.set_programmes(org, &[(scenario, every_months)], actor)
            .await
    }

    /// Sets several scenarios' frequencies in one transaction: all are kept or none. Each
    /// scenario whose frequency changes is audited.
    pub async fn set_programmes(
        &self,
        org: i64,
        frequencies: &[(&str, Option<i64>)],
        actor: &Actor,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        for &(scenario, every_months) in frequencies {
            let before = sqlx::query(
                "SELECT every_months FROM programme WHERE org_id = $1 AND scenario_id = $2",
            )
            .bind(org)
            .bind(scenario)
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| r.try_get::<i64, _>("every_months"))
            .transpose()?;
            if before == every_months {
                continue;
            }
            sqlx::query("DELETE FROM programme WHERE org_id = $1 AND scenario_id = $2")
                .bind(org)
                .bind(scenario)
                .execute(&mut *tx)
                .await?;
            if let Some(months) = every_months {
                sqlx::query(
                    "INSERT INTO programme (org_id, scenario_id, every_months) VALUES ($1, $2, $3)",
                )
                .bind(org)
                .bind(scenario)
                .bind(months)
                .execute(&mut *tx)
                .await?;
            }
            let every = |m: Option<i64>| m.map(|m| format!("every {m} months"));
            let change = Change {
                org: Some(org),
                actor,
                action: "update",
                entity: "programme",
                entity_id: scenario,
                before: every(before),
                after: every(every_months),
                summary: None,
            };
            record(&mut *tx, change).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
