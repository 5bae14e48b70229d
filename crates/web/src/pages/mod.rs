//! Server-rendered pages. Each handler resolves the caller's access to the organisation in
//! the address before reading anything of it.

mod account;
mod admin;
mod catalogue;
mod dashboard;
mod exercises;
mod login;
mod services;
mod whatif;

use crate::access::{OrgAccess, access};
use crate::auth::SignedIn;
use crate::error::{PageError, WebError};
use crate::state::AppState;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::http::StatusCode;
use axum::routing::{get, post};
use bulwark_store::Role;

/// Every page route.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(dashboard::home))
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/o/{org}", get(dashboard::dashboard))
        .route("/o/{org}/services", get(services::list))
        .route(
            "/o/{org}/services/new",
            get(services::new_form).post(services::create),
        )
        .route("/o/{org}/services/{id}", get(services::show))
        .route(
            "/o/{org}/services/{id}/edit",
            get(services::edit_form).post(services::update),
        )
        .route("/o/{org}/services/{id}/delete", post(services::delete))
        .route("/o/{org}/services/{id}/graph.svg", get(services::graph))
        .route("/o/{org}/assets", get(catalogue::assets))
        .route("/o/{org}/suppliers", get(catalogue::suppliers))
        .route("/o/{org}/skills", get(catalogue::skills))
        .route("/o/{org}/risks", get(catalogue::risks))
        .route("/o/{org}/what-if", get(whatif::whatif))
        .merge(exercise_routes())
        .route(
            "/o/{org}/import",
            get(admin::import_form).post(admin::import),
        )
        .route("/o/{org}/export.yaml", get(admin::export_yaml))
        .route("/o/{org}/export.json", get(admin::export_json))
        .route("/o/{org}/audit", get(admin::audit))
        .route(
            "/o/{org}/members",
            get(admin::members).post(admin::add_member),
        )
        .route("/o/{org}/members/{user}/remove", post(admin::remove_member))
        .route("/o/{org}/sharing", get(admin::sharing).post(admin::share))
        .route("/o/{org}/sharing/remove", post(admin::unshare))
        .route(
            "/o/{org}/shared/{owner}/{service}",
            get(admin::shared_service),
        )
        .route(
            "/account/tokens",
            get(account::tokens).post(account::create_token),
        )
        .route("/account/tokens/{id}/delete", post(account::delete_token))
        .route("/admin", get(account::admin).post(account::admin_create))
}

/// Exercises, lessons, actions and the exercise programme.
fn exercise_routes() -> Router<AppState> {
    let r = Router::new()
        .route("/o/{org}/exercises", get(exercises::list))
        .route(
            "/o/{org}/exercises/new",
            get(exercises::new_form).post(exercises::create),
        )
        .route("/o/{org}/exercises/{id}", get(exercises::show))
        .route(
            "/o/{org}/exercises/{id}/edit",
            get(exercises::edit_form).post(exercises::update),
        )
        .route("/o/{org}/exercises/{id}/delete", post(exercises::delete))
        .route("/o/{org}/exercises/{id}/run", post(exercises::run))
        .route("/o/{org}/exercises/{id}/report", get(exercises::report))
        .route(
            "/o/{org}/exercises/{id}/lessons/new",
            get(exercises::lesson_form).post(exercises::add_lesson),
        )
        .route(
            "/o/{org}/lessons/{lesson}/actions/new",
            get(exercises::action_form).post(exercises::add_action),
        )
        .route(
            "/o/{org}/actions/{id}",
            get(exercises::action).post(exercises::update_action),
        )
        .route("/o/{org}/lessons", get(exercises::lessons))
        .route(
            "/o/{org}/programme",
            get(exercises::programme_form).post(exercises::save_programme),
        );
    #[cfg(feature = "pdf")]
    let r = r.route(
        "/o/{org}/exercises/{id}/report.pdf",
        get(exercises::report_pdf),
    );
    r
}

/// A field-level problem for the error summary and the field itself.
#[derive(Debug, Clone)]
pub struct FieldError {
    /// The id of the input it belongs to.
    pub field: String,
    /// What is wrong, in plain words.
    pub message: String,
}

/// A form page's status: 200 when shown fresh, 422 when it comes back with problems.
pub fn form_status(errors: &[FieldError]) -> StatusCode {
    if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

/// What the layout needs on every page.
#[derive(Debug, Clone, Default)]
pub struct Ctx {
    /// The signed-in person's name.
    pub user_name: Option<String>,
    /// Their CSRF token, for forms.
    pub csrf: String,
    /// The organisation in the address.
    pub org_slug: Option<String>,
    /// Its name.
    pub org_name: Option<String>,
    /// The caller's role there.
    pub role: Option<Role>,
    /// Which section is current.
    pub nav: &'static str,
    /// Problems to summarise at the top.
    pub errors: Vec<FieldError>,
    /// A success message.
    pub notice: Option<String>,
}

impl Ctx {
    /// A page for a signed-in person outside any organisation.
    pub fn user(s: &SignedIn) -> Ctx {
        Ctx {
            user_name: Some(s.user.name.clone()),
            csrf: s.csrf.clone(),
            ..Ctx::default()
        }
    }

    /// A page inside an organisation.
    pub fn org(s: &SignedIn, a: &OrgAccess, nav: &'static str) -> Ctx {
        Ctx {
            org_slug: Some(a.org.slug.clone()),
            org_name: Some(a.org.name.clone()),
            role: Some(a.role),
            nav,
            ..Ctx::user(s)
        }
    }

    /// The sections of the navigation: (key, label, path below the organisation).
    pub fn sections(&self) -> Vec<(&'static str, &'static str, &'static str)> {
        let mut s = vec![
            ("dashboard", "Dashboard", ""),
            ("services", "Services", "/services"),
            ("assets", "Assets", "/assets"),
            ("suppliers", "Suppliers", "/suppliers"),
            ("skills", "Staff skills", "/skills"),
            ("what-if", "What if", "/what-if"),
            ("risks", "Risks", "/risks"),
            ("exercises", "Exercises", "/exercises"),
            ("lessons", "Lessons", "/lessons"),
            ("sharing", "Sharing", "/sharing"),
            ("audit", "Audit trail", "/audit"),
        ];
        if self.role >= Some(Role::Admin) {
            s.push(("import", "Import and export", "/import"));
            s.push(("members", "Members", "/members"));
        }
        s
    }

    /// True when `key` is the current section.
    pub fn is_current(&self, key: &str) -> bool {
        self.nav == key
    }

    /// True when `field` has a problem.
    pub fn has_error(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }

    /// The first problem with `field`.
    pub fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    /// True when the caller may edit the model.
    pub fn can_edit(&self) -> bool {
        self.role >= Some(Role::Editor)
    }

    /// True when the caller administers the organisation.
    pub fn is_admin(&self) -> bool {
        self.role >= Some(Role::Admin)
    }
}

/// Resolves the caller's access to `slug` for a page.
pub async fn org_access(s: &SignedIn, slug: &str, needed: Role) -> Result<OrgAccess, PageError> {
    Ok(access(&s.memberships, slug, needed)?)
}

/// The page shown for an error.
#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
pub struct ErrorPage {
    ctx: Ctx,
    heading: String,
    message: String,
}

impl ErrorPage {
    /// A page for `error` with its status.
    pub fn new(status: StatusCode, error: &WebError) -> ErrorPage {
        let heading = match status {
            StatusCode::NOT_FOUND => "Page not found".to_string(),
            StatusCode::FORBIDDEN => "You do not have permission to do this".to_string(),
            StatusCode::INTERNAL_SERVER_ERROR => {
                "Sorry, there is a problem with the service".to_string()
            }
            _ => "There is a problem".to_string(),
        };
        let message = match error {
            WebError::NotFound => "If you typed the web address, check it is correct. If you followed a link, you may not have access to it.".to_string(),
            WebError::Forbidden => "Your role in this organisation does not allow this. Ask one of its administrators if you need it.".to_string(),
            WebError::InvalidModel(p) | WebError::Invalid(p) => p.join("; "),
            other => other.to_string(),
        };
        ErrorPage {
            ctx: Ctx::default(),
            heading,
            message,
        }
    }
}
