//! The service catalogue: list, one service's BIA and dependencies, and editing.

use super::{Ctx, FieldError};
use crate::access::{Editor, Member, OrgAccess, Viewer};
use crate::auth::SignedIn;
use crate::error::{PageError, WebError};

use crate::jobs;
use crate::models::{self, OrgModel, org_model};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use bulwark_engine::ItemRef;
use bulwark_engine::spof::ServiceSpof;
use bulwark_model::{Criticality, Duration, Need, Percent, Service, export};
use bulwark_store::ItemKind;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::sync::Arc;

/// One row of the services list.
pub struct Row {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Criticality word.
    pub criticality: &'static str,
    /// MTPD as written.
    pub mtpd: String,
    /// RTO as written.
    pub rto: String,
    /// Number of single points of failure.
    pub spof: usize,
}

#[derive(Template, WebTemplate)]
#[template(path = "services.html")]
struct ListPage {
    ctx: Ctx,
    rows: Vec<Row>,
    q: String,
    criticality: String,
    sort: String,
    total: usize,
}

#[derive(Deserialize, Default)]
pub(super) struct Filter {
    #[serde(default)]
    q: String,
    #[serde(default)]
    criticality: String,
    #[serde(default)]
    sort: String,
}

fn crit_rank(c: Option<Criticality>) -> u8 {
    c.map_or(9, |c| c as u8)
}

fn spof_count(m: &OrgModel, index: usize) -> usize {
    match m.spof().get(index) {
        Some(ServiceSpof::Assets(a)) => a.len(),
        Some(ServiceSpof::LostWithoutFailure) => usize::MAX,
        None => 0,
    }
}

/// `GET /o/{org}/services`: filter by text and criticality, sort by a column.
pub(super) async fn list(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Viewer>,
    Query(f): Query<Filter>,
) -> Result<Response, PageError> {
    let m = org_model(&state, &a.org).await?;
    let q = f.q.trim().to_lowercase();
    let mut picked: Vec<(usize, &Service)> = m
        .loaded
        .model
        .services
        .iter()
        .enumerate()
        .filter(|(_, s)| {
            q.is_empty()
                || s.meta.name.to_lowercase().contains(&q)
                || s.meta.id.as_str().contains(&q)
        })
        .filter(|(_, s)| {
            f.criticality.is_empty()
                || s.criticality.map(|c| c.as_str()) == Some(f.criticality.as_str())
        })
        .collect();
    match f.sort.as_str() {
        "name" => picked.sort_by(|a, b| a.1.meta.name.cmp(&b.1.meta.name)),
        "mtpd" => picked.sort_by_key(|(_, s)| s.mtpd.map(|d| d.0)),
        "spof" => picked.sort_by_key(|(i, _)| std::cmp::Reverse(spof_count(&m, *i))),
        _ => picked.sort_by_key(|(i, s)| (crit_rank(s.criticality), *i)),
    }
    let rows = picked
        .iter()
        .map(|(i, s)| Row {
            id: s.meta.id.to_string(),
            name: s.meta.name.clone(),
            criticality: s.criticality.map_or("not rated", |c| c.as_str()),
            mtpd: s.mtpd.map(|d| d.0.to_string()).unwrap_or_default(),
            rto: s.rto.map(|d| d.0.to_string()).unwrap_or_default(),
            spof: spof_count(&m, *i).min(999),
        })
        .collect();
    Ok(ListPage {
        ctx: Ctx::org(&s, &a, "services"),
        rows,
        q: f.q,
        criticality: f.criticality,
        sort: f.sort,
        total: m.loaded.model.services.len(),
    }
    .into_response())
}

/// A line of a needs tree, indented by depth.
pub struct NeedLine {
    /// Nesting depth, from 0.
    pub depth: usize,
    /// What to show.
    pub label: String,
    /// The item's id when the line is a reference.
    pub link: Option<String>,
}

fn need_lines(n: &Need, depth: usize, names: &dyn Fn(&str) -> String, out: &mut Vec<NeedLine>) {
    let (label, parts) = match n {
        Need::Ref(r) => {
            out.push(NeedLine {
                depth,
                label: names(&r.id),
                link: Some(r.id.clone()),
            });
            return;
        }
        Need::All(parts, _) => ("All of:".to_string(), parts),
        Need::Any(parts, _) => ("Any one of:".to_string(), parts),
        Need::AtLeast { k, of, .. } => (format!("At least {k} of:"), of),
        Need::Standby {
            need, switchover, ..
        } => {
            out.push(NeedLine {
                depth,
                label: if switchover.minutes() == 0 {
                    "On standby, taking over at once:".to_string()
                } else {
                    format!(
                        "On standby, taking {} to bring up:",
                        crate::board::span(switchover.minutes() as i64 * 60)
                    )
                },
                link: None,
            });
            need_lines(need, depth + 1, names, out);
            return;
        }
    };
    out.push(NeedLine {
        depth,
        label,
        link: None,
    });
    for p in parts {
        need_lines(p, depth + 1, names, out);
    }
}

/// A duration as people say it: `4 hours`, `1 day 12 hours`, `none` for zero.
fn in_words(d: bulwark_model::Duration) -> String {
    match d.minutes() {
        0 => "none".into(),
        m => crate::board::span(m as i64 * 60),
    }
}

/// A workaround of the business continuity plan, in plain words.
pub struct WorkaroundView {
    /// Its name.
    pub name: String,
    /// What it gives, when, for how long and with whom, one sentence each.
    pub sentences: Vec<String>,
    /// What it needs of its own, as "What it needs" shows a service's needs.
    pub needs: Vec<NeedLine>,
}

/// The service's workarounds in plain words: the capacity each gives against the service's
/// minimum, when it is ready against the MTPD, how long it can be kept up, and its staff.
fn workaround_views(
    svc: &Service,
    skills: &dyn Fn(&str) -> String,
    names: &dyn Fn(&str) -> String,
) -> Vec<WorkaroundView> {
    let words = in_words;
    let mbco = svc.mbco();
    svc.workarounds
        .iter()
        .map(|w| {
            let mut sentences = vec![if w.capacity.fraction() >= mbco.fraction() {
                format!(
                    "Gives {} of normal capacity while in use: enough for the minimum the service must keep ({mbco}).",
                    w.capacity
                )
            } else {
                format!(
                    "Gives {} of normal capacity while in use: below the minimum the service must keep ({mbco}), so it still counts as lost while this is in use.",
                    w.capacity
                )
            }];
            let ready = if w.after.minutes() == 0 {
                "Ready as soon as the service is lost.".to_string()
            } else {
                format!("Ready {} after the service is lost.", words(w.after))
            };
            sentences.push(match svc.mtpd {
                Some((mtpd, _)) if w.after >= mtpd => format!(
                    "{ready} That is not within the maximum tolerable period of disruption ({}), so it cannot prevent a breach.",
                    words(mtpd)
                ),
                _ => ready,
            });
            sentences.push(match w.lasts {
                Some(l) => format!("Can be kept up for {} at most in one disruption.", words(l)),
                None => "Can be kept up for as long as it is needed.".to_string(),
            });
            if !w.staff.is_empty() {
                let staff: Vec<String> = (w.staff.iter())
                    .map(|st| format!("{} FTE of {}", st.fte, skills(&st.skill.id)))
                    .collect();
                sentences.push(format!("Needs staff: {}.", staff.join(", ")));
            }
            let mut needs = Vec::new();
            match &w.needs {
                Some(Need::All(parts, _)) => parts
                    .iter()
                    .for_each(|p| need_lines(p, 0, names, &mut needs)),
                Some(other) => need_lines(other, 0, names, &mut needs),
                None => {}
            }
            WorkaroundView {
                name: w.name.clone(),
                sentences,
                needs,
            }
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "service.html")]
struct ShowPage {
    ctx: Ctx,
    id: String,
    name: String,
    description: String,
    owner: String,
    facts: Vec<(&'static str, String)>,
    /// The planner's impact assessment: (after how long, in words; severity 1 to 5;
    /// whether that is past the MTPD), at the times they gave.
    impacts: Vec<(String, u8, bool)>,
    needs: Vec<NeedLine>,
    staff: Vec<(String, String)>,
    workarounds: Vec<WorkaroundView>,
    /// (id, name, whether its failure alone would breach the MTPD).
    spof: Vec<(String, String, bool)>,
    lost_without_failure: bool,
    cut_sets: Option<Vec<String>>,
    svg: String,
    shared_view: bool,
    version: i64,
}

impl ShowPage {
    /// Whether any single point of failure would breach the MTPD.
    fn any_breach(&self) -> bool {
        self.spof.iter().any(|(_, _, breach)| *breach)
    }
}

/// The impact assessment as the planner gave it, earliest first: every entry at its own
/// time, never folded into fixed bands.
fn impact_columns(svc: &bulwark_model::Service) -> Vec<(String, u8, bool)> {
    let mut given = svc.impacts.clone();
    given.sort_by_key(|(t, _)| t.minutes());
    given
        .into_iter()
        .map(|(t, severity)| {
            let after = match t.minutes() {
                0 => "At once".to_string(),
                _ => format!("After {}", in_words(t)),
            };
            let past_mtpd = svc
                .mtpd
                .is_some_and(|(mtpd, _)| t.minutes() > mtpd.minutes());
            (after, severity, past_mtpd)
        })
        .collect()
}

/// Builds the page for one service of a model (also used for shared, read-only views).
pub(super) async fn service_page(
    state: &AppState,
    ctx: Ctx,
    m: Arc<OrgModel>,
    id: &str,
    shared_view: bool,
) -> Result<Response, PageError> {
    let model = &m.loaded.model;
    let Some((index, svc)) = model
        .services
        .iter()
        .enumerate()
        .find(|(_, s)| s.meta.id.as_str() == id)
    else {
        return Err(PageError(WebError::NotFound));
    };
    let name_of = |id: &str| -> String {
        model
            .assets
            .iter()
            .map(|a| &a.meta)
            .chain(model.services.iter().map(|s| &s.meta))
            .find(|m| m.id.as_str() == id)
            .map_or(id.to_string(), |m| format!("{} ({id})", m.name))
    };
    let mut facts = vec![
        (
            "Criticality",
            svc.criticality
                .map_or("not rated".into(), |c| c.as_str().to_string()),
        ),
        (
            "Maximum tolerable period of disruption (MTPD)",
            svc.mtpd.map_or("not set".into(), |d| in_words(d.0)),
        ),
        (
            "Recovery time objective (RTO)",
            svc.rto.map_or("not set".into(), |d| in_words(d.0)),
        ),
        (
            "Recovery point objective (RPO)",
            svc.rpo.map_or("not set".into(), in_words),
        ),
        (
            "Minimum business continuity objective (MBCO)",
            svc.mbco().to_string(),
        ),
    ];
    if let Some(p) = svc.population {
        facts.push(("People who rely on it", p.to_string()));
    }
    if let Some(d) = &svc.demand {
        facts.push((
            "Work arriving each day",
            format!("{} {}", d.per_day, d.unit.as_deref().unwrap_or("units")),
        ));
    }
    let impacts = impact_columns(svc);
    let mut needs = Vec::new();
    if let Some(n) = &svc.needs {
        match n {
            Need::All(parts, _) => parts
                .iter()
                .for_each(|p| need_lines(p, 0, &name_of, &mut needs)),
            other => need_lines(other, 0, &name_of, &mut needs),
        }
    }
    if shared_view && !needs.is_empty() {
        // A partner sees the service alone: nothing else of the owner's model, as the API.
        let items = needs.iter().filter(|n| n.link.is_some()).count();
        needs = vec![NeedLine {
            depth: 0,
            label: format!(
                "{items} {} that {} not shared with your organisation",
                if items == 1 { "item" } else { "items" },
                if items == 1 { "is" } else { "are" }
            ),
            link: None,
        }];
    }
    let skill_name = |id: &str| -> String {
        (model.skills.iter())
            .find(|k| k.meta.id.as_str() == id)
            .map_or(id.to_string(), |k| format!("{} ({id})", k.meta.name))
    };
    let staff = svc
        .staff
        .iter()
        .map(|st| (skill_name(&st.skill.id), st.fte.to_string()))
        .collect();
    let mut workarounds = workaround_views(svc, &skill_name, &name_of);
    if shared_view {
        // A partner sees no item of the owner's model beyond the service itself.
        workarounds.iter_mut().for_each(|w| w.needs.clear());
    }
    let analyses = if shared_view || m.compiled.is_none() {
        Analyses::default()
    } else {
        let m = m.clone();
        jobs::run(state, move || analyse(&m, index)).await?
    };
    Ok(ShowPage {
        ctx,
        id: id.to_string(),
        name: svc.meta.name.clone(),
        description: svc.meta.description.clone().unwrap_or_default(),
        owner: svc.meta.owner.clone().unwrap_or_default(),
        facts,
        impacts,
        needs,
        staff,
        workarounds,
        spof: analyses.spof,
        lost_without_failure: analyses.lost_without_failure,
        cut_sets: (*analyses.cut_sets).clone(),
        svg: analyses.svg.to_string(),
        shared_view,
        version: m.version,
    }
    .into_response())
}

/// What a service page shows from the analyses; by default, nothing found.
struct Analyses {
    /// (id, name, whether its failure alone would breach the MTPD).
    spof: Vec<(String, String, bool)>,
    lost_without_failure: bool,
    cut_sets: Arc<Option<Vec<String>>>,
    svg: Arc<String>,
}

impl Default for Analyses {
    fn default() -> Analyses {
        Analyses {
            spof: Vec::new(),
            lost_without_failure: false,
            cut_sets: Arc::new(Some(Vec::new())),
            svg: Arc::default(),
        }
    }
}

/// Single points of failure, combinations of up to three failures and the picture of
/// service `index`: slow on large models, so run through [`jobs::run`].
fn analyse(m: &OrgModel, index: usize) -> Analyses {
    let Some(c) = &m.compiled else {
        return Analyses::default();
    };
    let mut out = Analyses::default();
    match m.spof().get(index) {
        Some(ServiceSpof::LostWithoutFailure) => out.lost_without_failure = true,
        Some(spof @ ServiceSpof::Assets(a)) => {
            let breaching = c.breaching(index, spof);
            out.spof = a
                .iter()
                .map(|x| {
                    (
                        c.assets[*x as usize].id.clone(),
                        c.assets[*x as usize].name.clone(),
                        breaching.contains(x),
                    )
                })
                .collect();
        }
        None => {}
    }
    out.spof.sort();
    out.cut_sets = m.combinations(index as u32);
    out.svg = m.picture(index as u32);
    out
}

/// `GET /o/{org}/services/{id}`.
pub(super) async fn show(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Viewer>,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let m = org_model(&state, &a.org).await?;
    service_page(&state, Ctx::org(&s, &a, "services"), m, &id, false).await
}

/// `GET /o/{org}/services/{id}/graph.svg`: what the service depends on, as a picture.
pub(super) async fn graph(
    State(state): State<AppState>,
    Member { s: _, a, .. }: Member<Viewer>,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let m = org_model(&state, &a.org).await?;
    let c = m.compiled.as_ref().ok_or(WebError::BadRequest(
        "The model has problems to fix first".into(),
    ))?;
    let Some(ItemRef::Service(i)) = c.lookup(&id) else {
        return Err(PageError(WebError::NotFound));
    };
    let svg = {
        let m = m.clone();
        jobs::run(&state, move || m.picture(i)).await?
    };
    Ok(([(header::CONTENT_TYPE, "image/svg+xml")], svg.to_string()).into_response())
}

/// The service form's fields, as typed.
#[derive(Deserialize, Default, Clone)]
pub(super) struct ServiceForm {
    #[serde(default)]
    id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    owner: String,
    #[serde(default)]
    criticality: String,
    #[serde(default)]
    mtpd: String,
    #[serde(default)]
    rto: String,
    #[serde(default)]
    rpo: String,
    #[serde(default)]
    mbco: String,
    #[serde(default)]
    population: String,
    #[serde(default)]
    needs: String,
    #[serde(default)]
    staff: String,
    #[serde(default)]
    impacts: String,
    #[serde(default)]
    version: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "service_form.html")]
struct FormPage {
    ctx: Ctx,
    f: ServiceForm,
    new: bool,
    criticalities: [&'static str; 4],
}

/// Writes a needs expression as lines a planner can edit (the model's own text form).
fn needs_text(n: &Need) -> String {
    bulwark_model::lines::needs_text(&export::need(n, true))
}

fn form_from(svc: &Service, version: i64) -> ServiceForm {
    ServiceForm {
        id: svc.meta.id.to_string(),
        name: svc.meta.name.clone(),
        description: svc.meta.description.clone().unwrap_or_default(),
        owner: svc.meta.owner.clone().unwrap_or_default(),
        criticality: svc
            .criticality
            .map(|c| c.as_str().to_string())
            .unwrap_or_default(),
        mtpd: svc.mtpd.map(|d| d.0.to_string()).unwrap_or_default(),
        rto: svc.rto.map(|d| d.0.to_string()).unwrap_or_default(),
        rpo: svc.rpo.map(|d| d.to_string()).unwrap_or_default(),
        mbco: svc.mbco.map(|p| p.to_string()).unwrap_or_default(),
        population: svc.population.map(|p| p.to_string()).unwrap_or_default(),
        needs: svc.needs.as_ref().map(needs_text).unwrap_or_default(),
        staff: svc
            .staff
            .iter()
            .map(|s| format!("{}: {}", s.skill.id, s.fte))
            .collect::<Vec<_>>()
            .join("\n"),
        impacts: svc
            .impacts
            .iter()
            .map(|(t, s)| format!("{t}: {s}"))
            .collect::<Vec<_>>()
            .join(", "),
        version,
    }
}

fn form_page(ctx: Ctx, f: ServiceForm, new: bool) -> Response {
    let status = super::form_status(&ctx.errors);
    (
        status,
        FormPage {
            ctx,
            f,
            new,
            criticalities: ["critical", "high", "medium", "low"],
        },
    )
        .into_response()
}

/// `GET /o/{org}/services/new`.
pub(super) async fn new_form(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Editor>,
) -> Result<Response, PageError> {
    let m = org_model(&state, &a.org).await?;
    let mut ctx = Ctx::org(&s, &a, "services");
    ctx.csrf = s.csrf.clone();
    Ok(form_page(
        ctx,
        ServiceForm {
            version: m.version,
            ..ServiceForm::default()
        },
        true,
    ))
}

/// `GET /o/{org}/services/{id}/edit`.
pub(super) async fn edit_form(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Editor>,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let m = org_model(&state, &a.org).await?;
    let svc = m
        .loaded
        .model
        .services
        .iter()
        .find(|x| x.meta.id.as_str() == id)
        .ok_or(WebError::NotFound)?;
    Ok(form_page(
        Ctx::org(&s, &a, "services"),
        form_from(svc, m.version),
        false,
    ))
}

/// Builds the service's JSON from the form over its current JSON (keeping fields the form
/// does not show), or lists the fields that are wrong.
fn body_from(f: &ServiceForm, current: Option<Value>) -> Result<Value, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut err = |field: &str, message: String| {
        errors.push(FieldError {
            field: field.into(),
            message,
        })
    };
    let mut body: Map<String, Value> = match current {
        Some(Value::Object(m)) => m,
        _ => Map::new(),
    };
    if bulwark_model::Id::parse(f.id.trim()).is_err() {
        err(
            "id",
            "Enter an id of lower-case letters, digits and hyphens, like home-care".into(),
        );
    }
    body.insert("id".into(), json!(f.id.trim()));
    if f.name.trim().is_empty() {
        err("name", "Enter the service's name".into());
    }
    body.insert("name".into(), json!(f.name.trim()));
    for (key, value) in [("description", &f.description), ("owner", &f.owner)] {
        if value.trim().is_empty() {
            body.remove(key)
        } else {
            body.insert(key.into(), json!(value.trim()))
        };
    }
    if f.criticality.is_empty() {
        body.remove("criticality");
    } else if Criticality::ALL.iter().any(|c| c.as_str() == f.criticality) {
        body.insert("criticality".into(), json!(f.criticality));
    } else {
        err("criticality", "Choose a criticality".into());
    }
    for (key, value, label) in [
        ("mtpd", &f.mtpd, "MTPD"),
        ("rto", &f.rto, "RTO"),
        ("rpo", &f.rpo, "RPO"),
    ] {
        let v = value.trim();
        if v.is_empty() {
            body.remove(key);
        } else {
            match v.parse::<Duration>() {
                Ok(d) => {
                    body.insert(key.into(), json!(d.to_string()));
                }
                Err(e) => err(key, format!("{label}: {e}")),
            }
        }
    }
    let mbco = f.mbco.trim();
    if mbco.is_empty() {
        body.remove("mbco");
    } else {
        match Percent::parse(mbco, false) {
            Ok(p) => {
                body.insert("mbco".into(), json!(p.to_string()));
            }
            Err(e) => err("mbco", format!("MBCO: {e}")),
        }
    }
    let population = f.population.trim().replace(',', "");
    if population.is_empty() {
        body.remove("population");
    } else {
        match population.parse::<u64>() {
            Ok(p) => {
                body.insert("population".into(), json!(p));
            }
            Err(_) => err(
                "population",
                "People who rely on it must be a whole number, like 2500".into(),
            ),
        }
    }
    match bulwark_model::lines::parse_needs(&f.needs) {
        Ok(Value::Array(a)) if a.is_empty() => {
            body.remove("needs");
        }
        Ok(v) => {
            body.insert("needs".into(), v);
        }
        Err(e) => err("needs", e),
    }
    let mut staff = Vec::new();
    for (i, line) in f
        .staff
        .lines()
        .map(str::trim)
        .enumerate()
        .filter(|(_, l)| !l.is_empty())
    {
        match line
            .split_once(':')
            .map(|(k, v)| (k.trim(), v.trim().parse::<f64>()))
        {
            Some((skill, Ok(fte))) if fte >= 0.0 => staff.push(json!({"skill": skill, "fte": fte})),
            _ => err(
                "staff",
                format!(
                    "Line {} of the staff should be `skill: FTE`, like `care-worker: 12`",
                    i + 1
                ),
            ),
        }
    }
    if staff.is_empty() {
        body.remove("staff")
    } else {
        body.insert("staff".into(), Value::Array(staff))
    };
    let mut impacts = Map::new();
    for part in f
        .impacts
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        match part
            .split_once(':')
            .map(|(t, s)| (t.trim().parse::<Duration>(), s.trim().parse::<u8>()))
        {
            Some((Ok(t), Ok(sev))) if (1..=5).contains(&sev) => {
                impacts.insert(t.to_string(), json!(sev));
            }
            _ => err(
                "impacts",
                format!("`{part}` should be a time and a severity from 1 to 5, like `1d: 4`"),
            ),
        }
    }
    if impacts.is_empty() {
        body.remove("impacts")
    } else {
        body.insert("impacts".into(), Value::Object(impacts))
    };
    if errors.is_empty() {
        Ok(Value::Object(body))
    } else {
        Err(errors)
    }
}

/// Which field a whole-model problem is about, for linking it from the summary.
fn field_of(message: &str) -> &'static str {
    if message.contains("`needs`") || message.contains("cycle") || message.contains("atleast") {
        "needs"
    } else if message.contains("`staff`") {
        "staff"
    } else if message.contains("rto") {
        "rto"
    } else if message.contains("duplicate id") {
        "id"
    } else {
        "name"
    }
}

async fn save(
    state: &AppState,
    s: &SignedIn,
    a: &OrgAccess,
    f: ServiceForm,
    existing: Option<String>,
) -> Result<Response, PageError> {
    let new = existing.is_none();
    let mut f = f;
    if let Some(id) = &existing {
        f.id = id.clone();
    }
    let current = match &existing {
        Some(id) => Some(
            state
                .store()
                .item(a.org.id, ItemKind::Service, id)
                .await?
                .ok_or(WebError::NotFound)?
                .body,
        ),
        None => None,
    };
    let mut ctx = Ctx::org(s, a, "services");
    let body = match body_from(&f, current) {
        Ok(b) => b,
        Err(errors) => {
            ctx.errors = errors;
            return Ok(form_page(ctx, f, new));
        }
    };
    if new
        && state
            .store()
            .item(a.org.id, ItemKind::Service, &f.id)
            .await?
            .is_some()
    {
        ctx.errors = vec![FieldError {
            field: "id".into(),
            message: format!("A service with the id {} already exists", f.id),
        }];
        return Ok(form_page(ctx, f, new));
    }
    match models::put_item(
        state,
        &a.org,
        ItemKind::Service,
        body,
        f.version,
        &s.actor(),
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/o/{}/services/{}", a.org.slug, f.id)).into_response()),
        Err(WebError::InvalidModel(problems)) => {
            ctx.errors = problems
                .into_iter()
                .map(|m| FieldError {
                    field: field_of(&m).into(),
                    message: m,
                })
                .collect();
            Ok(form_page(ctx, f, new))
        }
        Err(WebError::Conflict(m)) => {
            ctx.errors = vec![FieldError {
                field: "name".into(),
                message: m,
            }];
            Ok(form_page(ctx, f, new))
        }
        Err(e) => Err(PageError(e)),
    }
}

/// `POST /o/{org}/services/new`.
pub(super) async fn create(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Editor>,
    Form(f): Form<ServiceForm>,
) -> Result<Response, PageError> {
    save(&state, &s, &a, f, None).await
}

/// `POST /o/{org}/services/{id}/edit`.
pub(super) async fn update(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Editor>,
    Path((_, id)): Path<(String, String)>,
    Form(f): Form<ServiceForm>,
) -> Result<Response, PageError> {
    save(&state, &s, &a, f, Some(id)).await
}

#[derive(Deserialize)]
pub(super) struct DeleteForm {
    version: i64,
}

/// `POST /o/{org}/services/{id}/delete`: refused while anything still needs the service.
pub(super) async fn delete(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Editor>,
    Path((slug, id)): Path<(String, String)>,
    Form(f): Form<DeleteForm>,
) -> Result<Response, PageError> {
    models::delete_item(
        &state,
        &a.org,
        ItemKind::Service,
        &id,
        f.version,
        &s.actor(),
    )
    .await?;
    Ok(Redirect::to(&format!("/o/{slug}/services")).into_response())
}
