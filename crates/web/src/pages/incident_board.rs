//! The live status board of an incident: mark assets or services failed or degraded (and
//! restored), and see what the lead organisation's model says that takes down, for how long,
//! and how long each lost service has before it breaches its MTPD.

use super::incidents::{Done, When, field, refused, when_of};
use super::{Ctx, FieldError};
use crate::access::{Editor, Member, Viewer};
use crate::board::{Board, span};
use crate::error::{PageError, WebError};
use crate::incidents::{find, find_led, markable_items, status_board};
use crate::labels::Label;
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::{Form, Query};
use bulwark_rules::warnings::time_label;
use bulwark_store::{Incident, Standing, now};

/// A lost or degraded service as the board shows it.
pub struct BoardRow {
    id: String,
    name: String,
    criticality: &'static str,
    capacity: String,
    lost_for: String,
    mtpd: String,
    /// Seconds since 1970 when it breaches (for the countdown script).
    breach_at: Option<i64>,
    time_left: String,
    breached: bool,
    because: String,
    backlog: String,
    workarounds: Vec<String>,
}

/// A mark as the board lists it.
pub struct MarkRow {
    id: i64,
    item: String,
    state: String,
    since: String,
    until: Option<String>,
    note: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "incident_board.html")]
struct BoardPage {
    ctx: Ctx,
    i: Incident,
    lead: bool,
    valid_model: bool,
    lost: Vec<BoardRow>,
    degraded: Vec<BoardRow>,
    marks: Vec<MarkRow>,
    items: Vec<(String, String)>,
    now_label: String,
    at: When,
}

fn board_rows(b: &Board, at: i64) -> (Vec<BoardRow>, Vec<BoardRow>) {
    let row = |x: &crate::board::Affected| BoardRow {
        id: x.id.clone(),
        name: x.name.clone(),
        criticality: x.criticality,
        capacity: format!("{:.0}%", x.capacity * 100.0),
        lost_for: span(at - x.since),
        mtpd: x.mtpd.map_or_else(|| "Not set".into(), span),
        breach_at: x.breach_at,
        time_left: match x.breach_at {
            None => "No MTPD set".into(),
            Some(b) if b <= at => format!("Breached {} ago", span(at - b)),
            Some(b) => span(b - at),
        },
        breached: x.breach_at.is_some_and(|b| b <= at),
        because: x.because.clone(),
        backlog: x
            .backlog
            .as_ref()
            .map_or_else(String::new, |(n, unit)| format!("{n:.0} {unit}")),
        workarounds: x.workarounds.clone(),
    };
    (
        b.lost.iter().map(row).collect(),
        b.degraded.iter().map(row).collect(),
    )
}

/// `GET /o/{org}/incidents/{id}/board`.
pub(super) async fn board(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Viewer>,
    Path((_, id)): Path<(String, String)>,
    Query(done): Query<Done>,
) -> Result<Response, PageError> {
    let (i, standing) = find(&state, &a, &id).await?;
    let at = now();
    let computed = status_board(&state, &i, at).await?;
    let items = markable_items(&state, &i).await?;
    let name_of = |id: &str| {
        items
            .iter()
            .find(|(x, _)| x == id)
            .map_or_else(|| id.to_string(), |(_, n)| n.clone())
    };
    let (lost, degraded) = computed
        .as_ref()
        .map(|b| board_rows(b, at))
        .unwrap_or_default();
    let marks = state
        .store()
        .marks(i.id)
        .await?
        .into_iter()
        .rev()
        .map(|m| MarkRow {
            id: m.id,
            item: name_of(&m.item),
            state: if m.capacity == 0 {
                "Failed".into()
            } else {
                format!("Degraded to {}%", m.capacity)
            },
            since: time_label(m.from_at),
            until: m.until_at.map(time_label),
            note: m.note,
        })
        .collect();
    let mut ctx = Ctx::org(&s, &a, "incidents");
    ctx.notice = done.notice();
    Ok(BoardPage {
        ctx,
        lead: standing == Standing::Lead,
        valid_model: computed.is_some(),
        lost,
        degraded,
        marks,
        items,
        now_label: time_label(at),
        at: When::of(Some(at)),
        i,
    }
    .into_response())
}

/// `POST /o/{org}/incidents/{id}/marks`: marks an asset or service failed or degraded.
pub(super) async fn add_mark(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Editor>,
    Path((_, id)): Path<(String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let i = find_led(&state, &a, &id).await?;
    let items = markable_items(&state, &i).await?;
    let (from_at, capacity, note) = check_mark(
        &items,
        field(&fields, "item"),
        field(&fields, "capacity"),
        when_of(&fields, "from").read(),
        field(&fields, "note"),
    )
    .map_err(refused)?;
    state
        .store()
        .add_mark(
            a.org.id,
            i.id,
            &s.actor(),
            &bulwark_store::NewMark {
                item: field(&fields, "item"),
                capacity,
                from_at,
                note: &note,
            },
        )
        .await?;
    state.incident_changed(i.id).await;
    Ok(Redirect::to(&format!(
        "/o/{}/incidents/{}/board?done=marked",
        a.org.slug, i.id
    ))
    .into_response())
}

/// Checks a board mark: a model item, a capacity below 100% (empty: failed), a time no later
/// than now (empty: now), a note of reasonable length.
pub fn check_mark(
    items: &[(String, String)],
    item: &str,
    capacity: &str,
    from: Result<Option<i64>, String>,
    note: &str,
) -> Result<(i64, i64, String), Vec<FieldError>> {
    let mut errors: Vec<FieldError> =
        bulwark_rules::text::check("note", "The note", note, bulwark_rules::text::LONG, true)
            .into_iter()
            .collect();
    if !items.iter().any(|(id, _)| id == item) {
        errors.push(FieldError::new(
            "item",
            "Choose an asset or service from your model",
        ));
    }
    let capacity = match capacity.trim().trim_end_matches('%') {
        "" => 0,
        c => match c.parse::<i64>() {
            Ok(n) if (0..100).contains(&n) => n,
            _ => {
                errors.push(FieldError::new(
                    "capacity",
                    "Enter the capacity left as a whole number of percent from 0 to 99 (0: failed)",
                ));
                0
            }
        },
    };
    let at = now();
    let from_at = match from {
        Ok(Some(t)) if t > at + 60 => {
            errors.push(FieldError::new(
                "from-day",
                "It cannot have failed in the future",
            ));
            at
        }
        Ok(Some(t)) => t,
        Ok(None) => at,
        Err(e) => {
            errors.push(FieldError::new("from-day", e));
            at
        }
    };
    if errors.is_empty() {
        Ok((from_at, capacity, note.trim().to_string()))
    } else {
        Err(errors)
    }
}

/// `POST /o/{org}/incidents/{id}/marks/{mark}/restore`.
pub(super) async fn restore_mark(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Editor>,
    Path((_, id, mark)): Path<(String, String, String)>,
) -> Result<Response, PageError> {
    let i = find_led(&state, &a, &id).await?;
    let mark: i64 = mark.parse().map_err(|_| WebError::NotFound)?;
    state
        .store()
        .restore_mark(a.org.id, i.id, mark, &s.actor(), now())
        .await?;
    state.incident_changed(i.id).await;
    Ok(Redirect::to(&format!(
        "/o/{}/incidents/{}/board?done=restored",
        a.org.slug, i.id
    ))
    .into_response())
}
