//! What the community support pages and API share: who is affected by an incident, from
//! the postcodes of its area and the model items that failed (through the engine's impact:
//! people who rely on a service that is lost or degraded, or on a failed asset).

use crate::access::OrgAccess;
use crate::error::WebError;
use crate::jobs;
use crate::models::{self, org_model};
use crate::pages::FieldError;
use crate::state::AppState;
use bulwark_store::{Actor, PeopleQuery, Person, PostcodeArea};

/// Who to look for.
#[derive(Debug, Clone, Default)]
pub struct Affected {
    /// Postcodes, sectors or districts, separated by commas or new lines.
    pub postcodes: String,
    /// Ids of failed assets or services.
    pub fail: Vec<String>,
    /// Only people on this list.
    pub list: Option<i64>,
}

/// Who was found, and what the failures take down.
#[derive(Debug, Clone, Default)]
pub struct Found {
    /// The people, by record number.
    pub people: Vec<Person>,
    /// The failed items and the services their failure loses or degrades (ids).
    pub lost: Vec<String>,
}

/// Reads the areas of `text` (separated by commas or new lines); every one that is not a
/// postcode, sector or district is a problem.
pub fn areas(text: &str) -> Result<Vec<PostcodeArea>, FieldError> {
    let mut areas = Vec::new();
    let mut bad = Vec::new();
    for part in text.split([',', '\n', ';']) {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        match PostcodeArea::parse(part) {
            Some(a) => areas.push(a),
            None => bad.push(part.chars().take(20).collect::<String>()),
        }
    }
    if bad.is_empty() {
        Ok(areas)
    } else {
        Err(FieldError::new(
            "postcodes",
            format!(
                "Enter postcodes (NM1 4AB), sectors (NM1 4) or districts (NM1): {} {} not one",
                bad.join(", "),
                if bad.len() == 1 { "is" } else { "are" }
            ),
        ))
    }
}

/// The failed items and every service their failure loses or degrades, from the
/// organisation's model; an unknown id is a problem.
async fn lost(state: &AppState, a: &OrgAccess, fail: &[String]) -> Result<Vec<String>, Failure> {
    if fail.is_empty() {
        return Ok(Vec::new());
    }
    let m = org_model(state, &a.org).await?;
    let Some(c) = m.compiled.as_ref() else {
        return Err(WebError::InvalidModel(models::errors(&m.loaded)).into());
    };
    let mut refs = Vec::new();
    let mut unknown = Vec::new();
    for id in fail {
        match c.lookup(id) {
            Some(r) => refs.push(r),
            None => unknown.push(id.as_str()),
        }
    }
    if !unknown.is_empty() {
        return Err(Failure::Fields(vec![FieldError::new(
            "fail",
            format!(
                "No asset or service in the model has the id {}",
                unknown.join(", ")
            ),
        )]));
    }
    let mut out: Vec<String> = fail.to_vec();
    let taken = {
        let m = m.clone();
        jobs::run(state, move || {
            m.compiled.as_ref().map(|c| {
                let impact = c.impact(&refs);
                let report = bulwark_report::shapes::ImpactReport::new(c, &impact);
                let mut ids = report.lost;
                ids.extend(report.degraded.into_iter().map(|d| d.id));
                ids
            })
        })
        .await?
    };
    out.extend(taken.unwrap_or_default());
    out.sort();
    out.dedup();
    Ok(out)
}

/// Why a search could not run: problems with what was asked, or an error.
#[derive(Debug)]
pub enum Failure {
    /// Problems with the fields, each naming its field.
    Fields(Vec<FieldError>),
    /// Anything else.
    Web(WebError),
}

impl From<WebError> for Failure {
    fn from(e: WebError) -> Failure {
        Failure::Web(e)
    }
}

/// The people on `a`'s lists inside the area of `q` or relying on what its failures take
/// down, each read audited with `purpose`.
pub async fn affected(
    state: &AppState,
    a: &OrgAccess,
    q: &Affected,
    purpose: &str,
    actor: &Actor,
) -> Result<Found, Failure> {
    let keys = state.people_keys()?;
    let areas = areas(&q.postcodes).map_err(|e| Failure::Fields(vec![e]))?;
    if areas.is_empty() && q.fail.is_empty() {
        return Err(Failure::Fields(vec![FieldError::new(
            "postcodes",
            "Enter the postcodes of the area, or what has failed",
        )]));
    }
    let lost = lost(state, a, &q.fail).await?;
    let query = PeopleQuery {
        list: q.list,
        areas: &areas,
        relies_on: &lost,
    };
    let people = state
        .store()
        .find_people(a.org.id, &query, purpose, keys, actor)
        .await
        .map_err(WebError::from)?;
    Ok(Found { people, lost })
}
