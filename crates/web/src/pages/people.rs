//! Community support pages: the list of lists (every member sees it: it holds no personal
//! data), lists activated for an incident or a standing hub, who is affected in an area, and
//! person records. Person records are for hub coordinators and administrators only, and
//! every page that shows one first asks why (the purpose goes into the audit trail with the
//! read).

use super::{Ctx, FieldError, form_status};
use crate::access::{HubCoordinator, Member, Viewer};
use crate::error::{PageError, WebError};
use crate::people::{Affected, Failure, affected};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::{Form, Query};
use bulwark_rules::exercises::today;
use bulwark_rules::people::{self as rules, COMMON_NEEDS, PersonDraft, SourceDraft};
use bulwark_store::{ListDetails, PeopleList, PeopleSource, Person, PersonDetails, SourceDetails};
use serde::Deserialize;

fn number(s: &str) -> Result<i64, PageError> {
    s.parse().map_err(|_| PageError(WebError::NotFound))
}

/// A notice after a change.
#[derive(Deserialize, Default)]
pub(super) struct Done {
    done: Option<String>,
}

impl Done {
    fn notice(&self) -> Option<String> {
        let text = match self.done.as_deref()? {
            "source" => "Source added to the list of lists",
            "list" => "List activated",
            "person" => {
                "Person added: their details are sealed, and every time anyone opens them it is recorded"
            }
            _ => return None,
        };
        Some(text.to_string())
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "people.html")]
struct OverviewPage {
    ctx: Ctx,
    sources: Vec<PeopleSource>,
    lists: Vec<PeopleList>,
    coordinator: bool,
}

/// `GET /o/{org}/people`: the list of lists, and the activated lists for coordinators.
pub(super) async fn overview(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Viewer>,
    Query(q): Query<Done>,
) -> Result<Response, PageError> {
    let sources = state.store().people_sources(a.org.id).await?;
    let coordinator = a.is_hub_coordinator();
    let lists = if coordinator {
        state.store().people_lists(a.org.id).await?
    } else {
        Vec::new()
    };
    let mut ctx = Ctx::org(&s, &a, "people");
    ctx.notice = q.notice();
    Ok(OverviewPage {
        ctx,
        sources,
        lists,
        coordinator,
    }
    .into_response())
}

/// The source form's fields.
#[derive(Deserialize, Default)]
pub(super) struct SourceForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    holder: String,
    #[serde(default)]
    contents: String,
    #[serde(default)]
    how_to_request: String,
    #[serde(default)]
    article6: String,
    #[serde(default)]
    article9: String,
    #[serde(default)]
    schedule1: String,
    #[serde(default)]
    agreement: String,
    #[serde(default)]
    review_on: String,
    #[serde(default)]
    triggers: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "people_source_form.html")]
struct SourcePage {
    ctx: Ctx,
    f: SourceForm,
}

/// `GET /o/{org}/people/sources/new`.
pub(super) async fn source_form(
    Member { s, a, .. }: Member<HubCoordinator>,
) -> Result<Response, PageError> {
    let ctx = Ctx::org(&s, &a, "people");
    Ok(SourcePage {
        ctx,
        f: SourceForm::default(),
    }
    .into_response())
}

/// `POST /o/{org}/people/sources/new`.
pub(super) async fn create_source(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<HubCoordinator>,
    Path(slug): Path<String>,
    Form(f): Form<SourceForm>,
) -> Result<Response, PageError> {
    let draft = SourceDraft {
        details: SourceDetails {
            name: f.name.clone(),
            holder: f.holder.clone(),
            contents: f.contents.clone(),
            how_to_request: f.how_to_request.clone(),
            article6: f.article6.clone(),
            article9: f.article9.clone(),
            schedule1: f.schedule1.clone(),
            agreement: f.agreement.clone(),
            review_on: None,
            triggers: f.triggers.clone(),
        },
        review_on: f.review_on.clone(),
    };
    match rules::check_source(&draft) {
        Ok(details) => {
            state
                .store()
                .create_people_source(a.org.id, &details, &s.actor())
                .await?;
            Ok(Redirect::to(&format!("/o/{slug}/people?done=source")).into_response())
        }
        Err(errors) => {
            let mut ctx = Ctx::org(&s, &a, "people");
            ctx.errors = errors;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, SourcePage { ctx, f }).into_response())
        }
    }
}

/// The activation form's fields.
#[derive(Deserialize, Default)]
pub(super) struct ListForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    purpose: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    incident: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "people_list_form.html")]
struct ListFormPage {
    ctx: Ctx,
    f: ListForm,
    sources: Vec<PeopleSource>,
}

/// `GET /o/{org}/people/lists/new`.
pub(super) async fn list_form(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<HubCoordinator>,
) -> Result<Response, PageError> {
    let sources = state.store().people_sources(a.org.id).await?;
    let ctx = Ctx::org(&s, &a, "people");
    Ok(ListFormPage {
        ctx,
        f: ListForm::default(),
        sources,
    }
    .into_response())
}

/// `POST /o/{org}/people/lists/new`.
pub(super) async fn create_list(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<HubCoordinator>,
    Path(slug): Path<String>,
    Form(f): Form<ListForm>,
) -> Result<Response, PageError> {
    let sources = state.store().people_sources(a.org.id).await?;
    let source = f.source.parse::<i64>().ok();
    let mut errors = Vec::new();
    if !f.source.is_empty() && !sources.iter().any(|s| Some(s.id) == source) {
        errors.push(FieldError::new(
            "source",
            "Choose a source from the list of lists",
        ));
    }
    let checked = rules::check_list(&ListDetails {
        name: f.name.clone(),
        purpose: f.purpose.clone(),
        source,
        incident: Some(f.incident.clone()),
    });
    match checked {
        Ok(details) if errors.is_empty() => {
            let id = state
                .store()
                .activate_people_list(a.org.id, &details, &s.actor())
                .await?;
            Ok(Redirect::to(&format!("/o/{slug}/people/lists/{id}?done=list")).into_response())
        }
        other => {
            errors.extend(other.err().unwrap_or_default());
            let mut ctx = Ctx::org(&s, &a, "people");
            ctx.errors = errors;
            let page = ListFormPage { ctx, f, sources };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

/// Who is affected, as asked on a list's page.
#[derive(Deserialize, Default)]
pub(super) struct Search {
    done: Option<String>,
    #[serde(default)]
    purpose: String,
    #[serde(default)]
    postcodes: String,
    #[serde(default)]
    fail: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "people_list.html")]
struct ListPage {
    ctx: Ctx,
    list: PeopleList,
    q: Search,
    searched: bool,
    people: Vec<Person>,
    lost: Vec<String>,
}

/// `GET /o/{org}/people/lists/{id}`: a list, and who on it is affected by an area or a
/// failure (after the purpose is given).
pub(super) async fn list(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<HubCoordinator>,
    Path((_slug, id)): Path<(String, String)>,
    Query(q): Query<Search>,
) -> Result<Response, PageError> {
    let list = state
        .store()
        .people_list(a.org.id, number(&id)?)
        .await?
        .ok_or(WebError::NotFound)?;
    let mut ctx = Ctx::org(&s, &a, "people");
    ctx.notice = Done {
        done: q.done.clone(),
    }
    .notice();
    let searched = !q.postcodes.trim().is_empty() || !q.fail.trim().is_empty();
    let (mut people, mut lost) = (Vec::new(), Vec::new());
    if searched {
        let query = Affected {
            postcodes: q.postcodes.clone(),
            fail: q
                .fail
                .split([',', ' ', '\n'])
                .map(str::trim)
                .filter(|f| !f.is_empty())
                .map(String::from)
                .collect(),
            list: Some(list.id),
        };
        let purpose = rules::check_purpose(&q.purpose);
        match purpose {
            Err(e) => ctx.errors.push(e),
            Ok(purpose) => match affected(&state, &a, &query, &purpose, &s.actor()).await {
                Ok(found) => (people, lost) = (found.people, found.lost),
                Err(Failure::Fields(errors)) => ctx.errors = errors,
                Err(Failure::Web(e)) => return Err(PageError(e)),
            },
        }
    }
    let status = form_status(&ctx.errors);
    let page = ListPage {
        ctx,
        list,
        q,
        searched,
        people,
        lost,
    };
    Ok((status, page).into_response())
}

/// The person form's fields.
#[derive(Deserialize, Default)]
pub(super) struct PersonForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    postcode: String,
    #[serde(default)]
    uprn: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    needs: Vec<String>,
    #[serde(default)]
    other_needs: String,
    #[serde(default)]
    mobility: String,
    #[serde(default)]
    language: String,
    #[serde(default)]
    care_package: String,
    #[serde(default)]
    key_safe: String,
    #[serde(default)]
    relies_on: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    lawful_basis: String,
    #[serde(default)]
    expires_on: String,
}

impl PersonForm {
    /// True when `need` is ticked.
    fn has_need(&self, need: &str) -> bool {
        self.needs.iter().any(|n| n == need)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "person_form.html")]
struct PersonFormPage {
    ctx: Ctx,
    list: PeopleList,
    f: PersonForm,
    common: Vec<&'static str>,
}

fn some(text: &str) -> Option<String> {
    Some(text.trim().to_string()).filter(|t| !t.is_empty())
}

/// `GET /o/{org}/people/lists/{id}/people/new`.
pub(super) async fn person_form(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<HubCoordinator>,
    Path((_slug, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let list = state
        .store()
        .people_list(a.org.id, number(&id)?)
        .await?
        .ok_or(WebError::NotFound)?;
    let f = PersonForm {
        expires_on: (today() + chrono::Duration::days(90)).to_string(),
        ..PersonForm::default()
    };
    Ok(PersonFormPage {
        ctx: Ctx::org(&s, &a, "people"),
        list,
        f,
        common: COMMON_NEEDS.to_vec(),
    }
    .into_response())
}

/// `POST /o/{org}/people/lists/{id}/people/new`.
pub(super) async fn create_person(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<HubCoordinator>,
    Path((slug, id)): Path<(String, String)>,
    Form(f): Form<PersonForm>,
) -> Result<Response, PageError> {
    let keys = state.people_keys()?;
    let list = state
        .store()
        .people_list(a.org.id, number(&id)?)
        .await?
        .ok_or(WebError::NotFound)?;
    let mut needs = f.needs.clone();
    needs.extend(f.other_needs.lines().map(String::from));
    let draft = PersonDraft {
        details: PersonDetails {
            name: f.name.clone(),
            address: f.address.clone(),
            postcode: f.postcode.clone(),
            uprn: some(&f.uprn),
            phone: some(&f.phone),
            needs,
            mobility: some(&f.mobility),
            language: some(&f.language),
            care_package: some(&f.care_package),
            key_safe: some(&f.key_safe),
            relies_on: f
                .relies_on
                .split([',', ' ', '\n'])
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(String::from)
                .collect(),
        },
        list: Some(list.id),
        source: f.source.clone(),
        lawful_basis: f.lawful_basis.clone(),
        expires_on: f.expires_on.clone(),
    };
    match rules::check_person(&draft, today()) {
        Ok(person) => {
            state
                .store()
                .create_person(a.org.id, &person, keys, &s.actor())
                .await?;
            Ok(
                Redirect::to(&format!("/o/{slug}/people/lists/{}?done=person", list.id))
                    .into_response(),
            )
        }
        Err(errors) => {
            let mut ctx = Ctx::org(&s, &a, "people");
            ctx.errors = errors;
            let page = PersonFormPage {
                ctx,
                list,
                f,
                common: COMMON_NEEDS.to_vec(),
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

/// Why a record is opened.
#[derive(Deserialize, Default)]
pub(super) struct Why {
    purpose: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "person.html")]
struct PersonPage {
    ctx: Ctx,
    id: i64,
    purpose: String,
    person: Option<Person>,
}

/// `GET /o/{org}/people/{id}`: asks why, then shows the record (and records the read).
pub(super) async fn person(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<HubCoordinator>,
    Path((_slug, id)): Path<(String, String)>,
    Query(q): Query<Why>,
) -> Result<Response, PageError> {
    let id = number(&id)?;
    let keys = state.people_keys()?;
    let mut ctx = Ctx::org(&s, &a, "people");
    let given = q.purpose.unwrap_or_default();
    let mut person = None;
    if !given.is_empty() {
        match rules::check_purpose(&given) {
            Err(e) => ctx.errors.push(e),
            Ok(purpose) => {
                person = Some(
                    state
                        .store()
                        .read_person(a.org.id, id, &purpose, keys, &s.actor())
                        .await?,
                );
            }
        }
    }
    let status = form_status(&ctx.errors);
    let page = PersonPage {
        ctx,
        id,
        purpose: given,
        person,
    };
    Ok((status, page).into_response())
}
