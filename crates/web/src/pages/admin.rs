//! Organisation administration: import and export, members, sharing, and the audit trail.

use super::{Ctx, FieldError};
use crate::access::{Admin, Member, OrgAccess, Viewer};
use crate::auth::SignedIn;
use crate::error::{PageError, WebError};
use crate::jobs;
use crate::models::{self, org_model};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Multipart;
use bulwark_model::export::{Format, write};
use bulwark_store::{AuditEntry, Role, Share, User};
use serde::Deserialize;

#[derive(Template, WebTemplate)]
#[template(path = "import.html")]
struct ImportPage {
    ctx: Ctx,
    text: String,
}

/// `GET /o/{org}/import`.
pub(super) async fn import_form(Member { s, a, .. }: Member<Admin>) -> Result<Response, PageError> {
    Ok(ImportPage {
        ctx: Ctx::org(&s, &a, "import"),
        text: String::new(),
    }
    .into_response())
}

/// `POST /o/{org}/import`: a model file (YAML, JSON or a workbook) or pasted text replaces
/// the model, all or nothing.
pub(super) async fn import(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Admin>,
    mut form: Multipart,
) -> Result<Response, PageError> {
    let (mut file_name, mut file, mut text) = (String::new(), Vec::new(), String::new());
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| WebError::BadRequest(format!("The upload could not be read: {e}")))?
    {
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            file_name = field.file_name().unwrap_or_default().to_string();
        }
        let bytes = field
            .bytes()
            .await
            .map_err(|e| WebError::BadRequest(format!("The upload could not be read: {e}")))?;
        match name.as_str() {
            "file" => file = bytes.to_vec(),
            "text" => {
                text = String::from_utf8(bytes.to_vec())
                    .map_err(|_| WebError::BadRequest("The text is not UTF-8".into()))?
            }
            _ => {}
        }
    }
    let mut ctx = Ctx::org(&s, &a, "import");
    let workbook = models::is_workbook(&file_name, &file);
    let imported = if workbook {
        let name = if file_name.is_empty() {
            "upload.xlsx".to_string()
        } else {
            file_name
        };
        models::import_workbook(&state, &a.org, &name, file, &s.actor())
            .await
            .map(|(_, loaded)| (name, loaded))
    } else {
        let file = String::from_utf8(file).map_err(|_| {
            WebError::BadRequest(
                "The file is neither text (YAML or JSON in UTF-8) nor an Excel workbook (.xlsx)"
                    .into(),
            )
        })?;
        let (name, body) = if !file.trim().is_empty() {
            (
                if file_name.is_empty() {
                    "upload.yaml".to_string()
                } else {
                    file_name
                },
                file,
            )
        } else if !text.trim().is_empty() {
            ("pasted.yaml".to_string(), text.clone())
        } else {
            ctx.errors.push(FieldError {
                field: "file".into(),
                message: "Choose a model file or workbook, or paste a model".into(),
            });
            return Ok((
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                ImportPage { ctx, text },
            )
                .into_response());
        };
        models::import(&state, &a.org, &name, &body, &s.actor())
            .await
            .map(|(_, loaded)| (name, loaded))
    };
    match imported {
        Ok((name, loaded)) => {
            let m = &loaded.model;
            ctx.notice = Some(format!(
                "Imported {} services, {} assets, {} skills, {} risks and {} scenarios from {name}",
                m.services.len(),
                m.assets.len(),
                m.skills.len(),
                m.risks.len(),
                m.scenarios.len()
            ));
            Ok(ImportPage {
                ctx,
                text: String::new(),
            }
            .into_response())
        }
        Err(WebError::InvalidModel(problems)) => {
            ctx.errors = problems
                .into_iter()
                .map(|message| FieldError {
                    field: "file".into(),
                    message,
                })
                .collect();
            Ok((
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                ImportPage { ctx, text },
            )
                .into_response())
        }
        Err(e) => Err(PageError(e)),
    }
}

/// A workbook as a download named `file`.
fn workbook_download(file: &str, bytes: Vec<u8>) -> Response {
    let disposition = format!("attachment; filename=\"{file}\"");
    (
        [
            (header::CONTENT_TYPE, models::XLSX.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

/// `GET /o/{org}/export.xlsx`: the model as a workbook a planner can edit and import.
pub(super) async fn export_xlsx(
    State(state): State<AppState>,
    Member { a, .. }: Member<Viewer>,
) -> Result<Response, PageError> {
    let m = org_model(&state, &a.org).await?;
    let bytes = jobs::run(&state, move || {
        bulwark_model::workbook::write(&m.loaded.model)
    })
    .await?
    .map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(workbook_download(&format!("{}.xlsx", a.org.slug), bytes))
}

/// `GET /o/{org}/bia-template.xlsx`: the business impact analysis workbook for service
/// managers to fill in, to import here.
pub(super) async fn bia_template(
    State(state): State<AppState>,
    Member { .. }: Member<Viewer>,
) -> Result<Response, PageError> {
    let bytes = jobs::run(&state, bulwark_model::workbook::template_bia)
        .await?
        .map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(workbook_download("business-impact-analysis.xlsx", bytes))
}

async fn export(state: &AppState, a: &OrgAccess, format: Format) -> Result<Response, PageError> {
    let m = org_model(state, &a.org).await?;
    let slug = &a.org.slug;
    let (ext, mime) = if format == Format::Yaml {
        ("yaml", "application/yaml")
    } else {
        ("json", "application/json")
    };
    let disposition = format!("attachment; filename=\"{slug}.{ext}\"");
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        write(&m.loaded.model, format),
    )
        .into_response())
}

/// `GET /o/{org}/export.yaml`.
pub(super) async fn export_yaml(
    State(state): State<AppState>,
    Member { a, .. }: Member<Viewer>,
) -> Result<Response, PageError> {
    export(&state, &a, Format::Yaml).await
}

/// `GET /o/{org}/export.json`.
pub(super) async fn export_json(
    State(state): State<AppState>,
    Member { a, .. }: Member<Viewer>,
) -> Result<Response, PageError> {
    export(&state, &a, Format::Json).await
}

#[derive(Template, WebTemplate)]
#[template(path = "audit.html")]
struct AuditPage {
    ctx: Ctx,
    entries: Vec<AuditEntry>,
}

/// `GET /o/{org}/audit`: the newest 200 changes.
pub(super) async fn audit(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Viewer>,
) -> Result<Response, PageError> {
    let entries = state.store().audit(a.org.id, 200, None).await?;
    Ok(AuditPage {
        ctx: Ctx::org(&s, &a, "audit"),
        entries,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "members.html")]
struct MembersPage {
    ctx: Ctx,
    members: Vec<(User, Role)>,
    email: String,
}

async fn members_page(
    state: &AppState,
    s: &SignedIn,
    a: &OrgAccess,
    errors: Vec<FieldError>,
    notice: Option<String>,
    email: String,
) -> Result<Response, PageError> {
    let members = state.store().members(a.org.id).await?;
    let mut ctx = Ctx::org(s, a, "members");
    let status = super::form_status(&errors);
    ctx.errors = errors;
    ctx.notice = notice;
    Ok((
        status,
        MembersPage {
            ctx,
            members,
            email,
        },
    )
        .into_response())
}

/// `GET /o/{org}/members`.
pub(super) async fn members(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Admin>,
) -> Result<Response, PageError> {
    members_page(&state, &s, &a, Vec::new(), None, String::new()).await
}

#[derive(Deserialize)]
pub(super) struct MemberForm {
    email: String,
    role: String,
}

/// `POST /o/{org}/members`: adds an existing account, or changes a member's role.
pub(super) async fn add_member(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Admin>,
    Path(_slug): Path<String>,
    Form(f): Form<MemberForm>,
) -> Result<Response, PageError> {
    let Some(role) = Role::parse(&f.role) else {
        return members_page(
            &state,
            &s,
            &a,
            vec![FieldError {
                field: "role".into(),
                message: "Choose a role".into(),
            }],
            None,
            f.email,
        )
        .await;
    };
    let Some(user) = state.store().user_by_email(&f.email).await? else {
        let e = FieldError {
            field: "email".into(),
            message: format!(
                "There is no account for {}. Ask a site administrator to create one first.",
                f.email.trim()
            ),
        };
        return members_page(&state, &s, &a, vec![e], None, f.email).await;
    };
    state
        .store()
        .set_membership(user.id, a.org.id, role, &s.actor())
        .await?;
    members_page(
        &state,
        &s,
        &a,
        Vec::new(),
        Some(format!(
            "{} is now {} of {}",
            user.email,
            role.as_str(),
            a.org.name
        )),
        String::new(),
    )
    .await
}

#[derive(Deserialize)]
pub(super) struct CsrfForm {}

/// `POST /o/{org}/members/{user}/remove`.
pub(super) async fn remove_member(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Admin>,
    Path((slug, user)): Path<(String, i64)>,
    Form(_f): Form<CsrfForm>,
) -> Result<Response, PageError> {
    if user == s.user.id {
        let e = FieldError {
            field: "email".into(),
            message: "You cannot remove yourself; ask another administrator".into(),
        };
        return members_page(&state, &s, &a, vec![e], None, String::new()).await;
    }
    state
        .store()
        .remove_membership(user, a.org.id, &s.actor())
        .await?;
    Ok(Redirect::to(&format!("/o/{slug}/members")).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "sharing.html")]
struct SharingPage {
    ctx: Ctx,
    outgoing: Vec<Share>,
    incoming: Vec<Share>,
    services: Vec<(String, String)>,
}

/// `GET /o/{org}/sharing`: what this organisation shares, and what partners share with it.
pub(super) async fn sharing(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Viewer>,
) -> Result<Response, PageError> {
    sharing_page(&state, &s, a, Vec::new(), None).await
}

async fn sharing_page(
    state: &AppState,
    s: &SignedIn,
    a: crate::access::OrgAccess,
    errors: Vec<FieldError>,
    notice: Option<String>,
) -> Result<Response, PageError> {
    let m = org_model(state, &a.org).await?;
    let services = m
        .loaded
        .model
        .services
        .iter()
        .map(|x| (x.meta.id.to_string(), x.meta.name.clone()))
        .collect();
    let outgoing = state.store().shares(a.org.id, true).await?;
    let incoming = state.store().shares(a.org.id, false).await?;
    let mut ctx = Ctx::org(s, &a, "sharing");
    let status = super::form_status(&errors);
    ctx.errors = errors;
    ctx.notice = notice;
    Ok((
        status,
        SharingPage {
            ctx,
            outgoing,
            incoming,
            services,
        },
    )
        .into_response())
}

#[derive(Deserialize)]
pub(super) struct ShareForm {
    service: String,
    partner: String,
}

/// `POST /o/{org}/sharing`: shares a service read-only with a partner organisation.
pub(super) async fn share(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Admin>,
    Form(f): Form<ShareForm>,
) -> Result<Response, PageError> {
    let m = org_model(&state, &a.org).await?;
    let mut errors = Vec::new();
    if !m
        .loaded
        .model
        .services
        .iter()
        .any(|x| x.meta.id.as_str() == f.service)
    {
        errors.push(FieldError {
            field: "service".into(),
            message: "Choose a service to share".into(),
        });
    }
    let partner = state.store().org_by_slug(f.partner.trim()).await?;
    match &partner {
        None => errors.push(FieldError {
            field: "partner".into(),
            message: format!("There is no organisation with the id {}", f.partner.trim()),
        }),
        Some(p) if p.id == a.org.id => errors.push(FieldError {
            field: "partner".into(),
            message: "Choose another organisation than your own".into(),
        }),
        _ => {}
    }
    if !errors.is_empty() {
        return sharing_page(&state, &s, a, errors, None).await;
    }
    let partner = partner.expect("checked above");
    state
        .store()
        .share(a.org.id, &f.service, partner.id, &s.actor())
        .await?;
    let notice = Some(format!(
        "{} can now see {} (read only)",
        partner.name, f.service
    ));
    sharing_page(&state, &s, a, Vec::new(), notice).await
}

#[derive(Deserialize)]
pub(super) struct UnshareForm {
    service: String,
    partner: i64,
}

/// `POST /o/{org}/sharing/remove`.
pub(super) async fn unshare(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Admin>,
    Path(slug): Path<String>,
    Form(f): Form<UnshareForm>,
) -> Result<Response, PageError> {
    state
        .store()
        .unshare(a.org.id, &f.service, f.partner, &s.actor())
        .await?;
    Ok(Redirect::to(&format!("/o/{slug}/sharing")).into_response())
}

/// `GET /o/{org}/shared/{owner}/{service}`: a partner's shared service, read only. The
/// caller must belong to `org`, and `owner` must share `service` with `org`.
pub(super) async fn shared_service(
    State(state): State<AppState>,
    Member { s, a, .. }: Member<Viewer>,
    Path((_, owner, service)): Path<(String, String, String)>,
) -> Result<Response, PageError> {
    let owner = state
        .store()
        .org_by_slug(&owner)
        .await?
        .ok_or(WebError::NotFound)?;
    if !state
        .store()
        .is_shared(owner.id, &service, a.org.id)
        .await?
    {
        return Err(PageError(WebError::NotFound));
    }
    let m = org_model(&state, &owner).await?;
    let mut ctx = Ctx::org(&s, &a, "sharing");
    ctx.notice = None;
    super::services::service_page(&state, ctx, m, &service, true).await
}
