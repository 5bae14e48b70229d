//! Server-rendered pages. Each handler resolves the caller's access to the organisation in
//! the address before reading anything of it.

mod account;
mod admin;
mod api_docs;
mod catalogue;
mod dashboard;
mod decision_log;
mod estate;
mod exercises;
mod help;
mod incident_board;
mod incident_reports;
mod incidents;
mod login;
mod people;
mod requests;
mod risks;
mod services;
mod sign_on;
mod volunteers;
mod warnings;
mod whatif;

use crate::access::OrgAccess;
use crate::auth::SignedIn;
use crate::error::WebError;
use crate::routes::{Guard, Table};
use askama::Template;
use askama_web::WebTemplate;
use axum::http::StatusCode;
use bulwark_store::Role;

/// Every page route, with the access it needs.
pub fn routes() -> Table {
    use Guard::{Member, Public, SignedIn, SiteAdmin};
    let (viewer, editor, admin) = (
        Member(Role::Viewer),
        Member(Role::Editor),
        Member(Role::Admin),
    );
    Table::new()
        .get("/", SignedIn, dashboard::home)
        .get("/docs/api", Public, api_docs::page)
        .get("/login", Public, login::form)
        .post("/login", Public, login::submit)
        .post("/logout", SignedIn, login::logout)
        .get("/login/sso", Public, login::sign_on_start)
        .get("/login/sso/callback", Public, login::sign_on_finish)
        .get("/o/{org}", viewer, dashboard::dashboard)
        .get("/o/{org}/services", viewer, services::list)
        .get("/o/{org}/services/new", editor, services::new_form)
        .post("/o/{org}/services/new", editor, services::create)
        .get("/o/{org}/services/{id}", viewer, services::show)
        .get("/o/{org}/services/{id}/edit", editor, services::edit_form)
        .post("/o/{org}/services/{id}/edit", editor, services::update)
        .post("/o/{org}/services/{id}/delete", editor, services::delete)
        .get("/o/{org}/services/{id}/graph.svg", viewer, services::graph)
        .get("/o/{org}/assets", viewer, catalogue::assets)
        .get("/o/{org}/estate", viewer, estate::estate)
        .get("/o/{org}/estate/catalogue", viewer, estate::catalogue)
        .post("/o/{org}/estate/catalogue", admin, estate::save_catalogue)
        .get("/o/{org}/suppliers", viewer, estate::suppliers)
        .get("/o/{org}/skills", viewer, catalogue::skills)
        .get("/o/{org}/risks", viewer, risks::register)
        .get("/o/{org}/risks/appetite", admin, risks::appetite_form)
        .post("/o/{org}/risks/appetite", admin, risks::save_appetite)
        .get("/o/{org}/what-if", viewer, whatif::whatif)
        .merge(exercise_routes())
        .merge(warning_routes())
        .merge(people_routes())
        .merge(community_routes())
        .merge(incident_routes())
        .get("/o/{org}/import", admin, admin::import_form)
        .post("/o/{org}/import", admin, admin::import)
        .get("/o/{org}/export.yaml", viewer, admin::export_yaml)
        .get("/o/{org}/export.json", viewer, admin::export_json)
        .get("/o/{org}/export.xlsx", viewer, admin::export_xlsx)
        .get("/o/{org}/bia-template.xlsx", viewer, admin::bia_template)
        .get("/o/{org}/audit", viewer, admin::audit)
        .get("/o/{org}/members", admin, admin::members)
        .post("/o/{org}/members", admin, admin::add_member)
        .post(
            "/o/{org}/members/{user}/remove",
            admin,
            admin::remove_member,
        )
        .get("/o/{org}/sign-on", admin, sign_on::rules)
        .post("/o/{org}/sign-on", admin, sign_on::add_rule)
        .post("/o/{org}/sign-on/{id}/remove", admin, sign_on::remove_rule)
        .get("/o/{org}/sharing", viewer, admin::sharing)
        .post("/o/{org}/sharing", admin, admin::share)
        .post("/o/{org}/sharing/remove", admin, admin::unshare)
        .get(
            "/o/{org}/shared/{owner}/{service}",
            viewer,
            admin::shared_service,
        )
        .get("/account/tokens", SignedIn, account::tokens)
        .post("/account/tokens", SignedIn, account::create_token)
        .post(
            "/account/tokens/{id}/delete",
            SignedIn,
            account::delete_token,
        )
        .get("/admin", SiteAdmin, account::admin)
        .post("/admin", SiteAdmin, account::admin_create)
}

/// Exercises, lessons, actions and the exercise programme.
fn exercise_routes() -> Table {
    let (viewer, editor, admin) = (
        Guard::Member(Role::Viewer),
        Guard::Member(Role::Editor),
        Guard::Member(Role::Admin),
    );
    let t = Table::new()
        .get("/o/{org}/exercises", viewer, exercises::list)
        .get("/o/{org}/exercises/new", editor, exercises::new_form)
        .post("/o/{org}/exercises/new", editor, exercises::create)
        .get("/o/{org}/exercises/{id}", viewer, exercises::show)
        .get("/o/{org}/exercises/{id}/edit", editor, exercises::edit_form)
        .post("/o/{org}/exercises/{id}/edit", editor, exercises::update)
        .post("/o/{org}/exercises/{id}/delete", admin, exercises::delete)
        .post("/o/{org}/exercises/{id}/run", editor, exercises::run)
        .get("/o/{org}/exercises/{id}/report", viewer, exercises::report)
        .get(
            "/o/{org}/exercises/{id}/lessons/new",
            editor,
            exercises::lesson_form,
        )
        .post(
            "/o/{org}/exercises/{id}/lessons/new",
            editor,
            exercises::add_lesson,
        )
        .get(
            "/o/{org}/lessons/{lesson}/actions/new",
            editor,
            exercises::action_form,
        )
        .post(
            "/o/{org}/lessons/{lesson}/actions/new",
            editor,
            exercises::add_action,
        )
        .get("/o/{org}/actions/{id}", viewer, exercises::action)
        .post("/o/{org}/actions/{id}", editor, exercises::update_action)
        .get("/o/{org}/lessons", viewer, exercises::lessons)
        .get("/o/{org}/programme", editor, exercises::programme_form)
        .post("/o/{org}/programme", editor, exercises::save_programme);
    #[cfg(feature = "pdf")]
    let t = t.get(
        "/o/{org}/exercises/{id}/report.pdf",
        viewer,
        exercises::report_pdf,
    );
    t
}

/// Public warnings: drafting, approval by a second person, updates and cancellations, and
/// what the public sees without signing in (the alert pages, CAP XML and the Atom feed).
fn warning_routes() -> Table {
    let (public, viewer, editor, admin) = (
        Guard::Public,
        Guard::Member(Role::Viewer),
        Guard::Member(Role::Editor),
        Guard::Member(Role::Admin),
    );
    Table::new()
        .get("/o/{org}/warnings", viewer, warnings::list)
        .get("/o/{org}/warnings/new", editor, warnings::new_form)
        .post("/o/{org}/warnings/new", editor, warnings::create)
        .get("/o/{org}/warnings/settings", admin, warnings::settings_form)
        .post("/o/{org}/warnings/settings", admin, warnings::save_settings)
        .get(
            "/o/{org}/warnings/templates/{key}",
            editor,
            warnings::template_form,
        )
        .post(
            "/o/{org}/warnings/templates/{key}",
            editor,
            warnings::save_template,
        )
        .get("/o/{org}/warnings/{id}", viewer, warnings::show)
        .get("/o/{org}/warnings/{id}/edit", editor, warnings::edit_form)
        .post("/o/{org}/warnings/{id}/edit", editor, warnings::edit)
        .post("/o/{org}/warnings/{id}/approve", editor, warnings::approve)
        .get(
            "/o/{org}/warnings/{id}/update",
            editor,
            warnings::update_form,
        )
        .post("/o/{org}/warnings/{id}/update", editor, warnings::update)
        .get(
            "/o/{org}/warnings/{id}/cancel",
            editor,
            warnings::cancel_form,
        )
        .post("/o/{org}/warnings/{id}/cancel", editor, warnings::cancel)
        .get("/cap/{org}", public, warnings::public_list)
        // `{alert}` is `N` (the page) or `N.xml` (the CAP message): the router matches whole
        // segments only.
        .get("/cap/{org}/alerts/{alert}", public, warnings::public_alert)
        .get("/cap/{org}/feed.atom", public, warnings::public_feed)
}

/// The incident room: incidents, their status board, decision log, situation reports and
/// briefing. Partners invited to an incident reach it under their own organisation's address.
fn incident_routes() -> Table {
    let (viewer, editor, admin) = (
        Guard::Member(Role::Viewer),
        Guard::Member(Role::Editor),
        Guard::Member(Role::Admin),
    );
    Table::new()
        .get("/o/{org}/incidents", viewer, incidents::list)
        .get("/o/{org}/incidents/new", editor, incidents::new_form)
        .post("/o/{org}/incidents/new", editor, incidents::create)
        .get("/o/{org}/incidents/{id}", viewer, incidents::show)
        .get("/o/{org}/incidents/{id}/edit", editor, incidents::edit_form)
        .post("/o/{org}/incidents/{id}/edit", editor, incidents::update)
        .get("/o/{org}/incidents/{id}/events", viewer, incidents::events)
        .post(
            "/o/{org}/incidents/{id}/partners",
            editor,
            incidents::invite,
        )
        .post("/o/{org}/incidents/{id}/hold", admin, incidents::hold)
        .get(
            "/o/{org}/incidents/{id}/methane",
            viewer,
            incidents::methane_form,
        )
        .post(
            "/o/{org}/incidents/{id}/methane",
            editor,
            incidents::save_methane,
        )
        .post(
            "/o/{org}/incidents/{id}/actions",
            editor,
            incidents::add_action,
        )
        .post(
            "/o/{org}/incidents/{id}/actions/{action}",
            editor,
            incidents::action_status,
        )
        .post(
            "/o/{org}/incidents/{id}/rhythm",
            editor,
            incidents::add_rhythm,
        )
        .get(
            "/o/{org}/incidents/{id}/board",
            viewer,
            incident_board::board,
        )
        .post(
            "/o/{org}/incidents/{id}/marks",
            editor,
            incident_board::add_mark,
        )
        .post(
            "/o/{org}/incidents/{id}/marks/{mark}/restore",
            editor,
            incident_board::restore_mark,
        )
        .get(
            "/o/{org}/incidents/{id}/sitreps",
            viewer,
            incident_reports::sitreps,
        )
        .post(
            "/o/{org}/incidents/{id}/sitreps",
            editor,
            incident_reports::submit_sitrep,
        )
        .get(
            "/o/{org}/incidents/{id}/briefing",
            viewer,
            incident_reports::briefing,
        )
        .get(
            "/o/{org}/incidents/{id}/debrief",
            viewer,
            incident_reports::debrief,
        )
        .post(
            "/o/{org}/incidents/{id}/debrief/lessons",
            editor,
            incident_reports::debrief_lessons,
        )
        .get("/o/{org}/incidents/{id}/log", viewer, decision_log::log)
        .get(
            "/o/{org}/incidents/{id}/log/new",
            editor,
            decision_log::new_form,
        )
        .post(
            "/o/{org}/incidents/{id}/log/new",
            editor,
            decision_log::append,
        )
        .get(
            "/o/{org}/incidents/{id}/log/verify",
            viewer,
            decision_log::verify,
        )
        .get(
            "/o/{org}/incidents/{id}/log/export.zip",
            viewer,
            decision_log::export,
        )
}

/// Community support: the list of lists, activated lists, who is affected, person records.
fn people_routes() -> Table {
    let (viewer, coordinator) = (
        Guard::Member(Role::Viewer),
        Guard::Member(Role::HubCoordinator),
    );
    Table::new()
        .get("/o/{org}/people", viewer, people::overview)
        .get(
            "/o/{org}/people/sources/new",
            coordinator,
            people::source_form,
        )
        .post(
            "/o/{org}/people/sources/new",
            coordinator,
            people::create_source,
        )
        .get("/o/{org}/people/lists/new", coordinator, people::list_form)
        .post(
            "/o/{org}/people/lists/new",
            coordinator,
            people::create_list,
        )
        .get("/o/{org}/people/lists/{id}", coordinator, people::list)
        .get(
            "/o/{org}/people/lists/{id}/people/new",
            coordinator,
            people::person_form,
        )
        .post(
            "/o/{org}/people/lists/{id}/people/new",
            coordinator,
            people::create_person,
        )
        .get("/o/{org}/people/{id}", coordinator, people::person)
}

/// The community hub: requests for help (taken by phone, or sent by the public through
/// `/help/{org}` without signing in) and the volunteers who answer them.
fn community_routes() -> Table {
    let (public, viewer, editor, coordinator) = (
        Guard::Public,
        Guard::Member(Role::Viewer),
        Guard::Member(Role::Editor),
        Guard::Member(Role::HubCoordinator),
    );
    Table::new()
        .get("/o/{org}/requests", viewer, requests::list)
        .get("/o/{org}/requests/new", editor, requests::new_form)
        .post("/o/{org}/requests/new", editor, requests::create)
        .get("/o/{org}/requests/{id}", coordinator, requests::show)
        .post(
            "/o/{org}/requests/{id}/assign",
            coordinator,
            requests::assign,
        )
        .post(
            "/o/{org}/requests/{id}/status",
            coordinator,
            requests::update,
        )
        .get("/o/{org}/volunteers", coordinator, volunteers::list)
        .get("/o/{org}/volunteers/new", coordinator, volunteers::new_form)
        .post("/o/{org}/volunteers/new", coordinator, volunteers::create)
        .post(
            "/o/{org}/volunteers/{id}/hours",
            coordinator,
            volunteers::log_hours,
        )
        .post(
            "/o/{org}/volunteers/{id}/availability",
            coordinator,
            volunteers::set_availability,
        )
        .get("/help/{org}", public, help::form)
        .post("/help/{org}", public, help::submit)
        .get("/help/{org}/sent", public, help::sent)
}

pub use bulwark_rules::FieldError;
pub use decision_log::JDM_FIELDS;
pub use incident_board::check_mark;
pub use incident_reports::{SITREP_FIELDS, sitrep_value};
pub use incidents::{METHANE_FIELDS, methane_value};

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
            ("estate", "IT estate", "/estate"),
            ("suppliers", "Suppliers", "/suppliers"),
            ("skills", "Staff skills", "/skills"),
            ("what-if", "What if", "/what-if"),
            ("risks", "Risks", "/risks"),
            ("exercises", "Exercises", "/exercises"),
            ("lessons", "Lessons", "/lessons"),
            ("incidents", "Incidents", "/incidents"),
            ("warnings", "Warnings", "/warnings"),
            ("people", "Community support", "/people"),
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

/// `n` and the noun that goes with it: "1 service", "3 services".
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A stored time (seconds since 1970) as templates show it: `Monday 30 November 2026 at
/// 09:15 GMT`, UK time.
pub fn when(at: &i64) -> String {
    bulwark_rules::warnings::time_label(*at)
}

/// `text` with a capital letter and a full stop, as a sentence on a page.
fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    let mut out: String = chars
        .next()
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_default();
    out.push_str(chars.as_str());
    if !out.ends_with(['.', '?', '!']) {
        out.push('.');
    }
    out
}

/// The page shown for an error.
#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
pub struct ErrorPage {
    ctx: Ctx,
    heading: String,
    message: String,
    /// The request id, on failures of ours, for people to quote to their IT support.
    reference: Option<String>,
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
            StatusCode::SERVICE_UNAVAILABLE if matches!(error, WebError::Unavailable(_)) => {
                "This is switched off on this server".to_string()
            }
            StatusCode::SERVICE_UNAVAILABLE => "The service is busy".to_string(),
            StatusCode::PAYLOAD_TOO_LARGE => "The file is too large".to_string(),
            _ => "There is a problem".to_string(),
        };
        let message = match error {
            WebError::NotFound => "If you typed the web address, check it is correct. If you followed a link, you may not have access to it.".to_string(),
            WebError::CrossSite => "This request came from another website, so it was refused. Open Bulwark yourself and use its own pages.".to_string(),
            WebError::FormExpired => "This form has expired. Go back, reload the page and try again.".to_string(),
            WebError::Busy => "Too many analyses are running at the moment. Wait a few seconds, then try again.".to_string(),
            WebError::Forbidden => "Your role in this organisation does not allow this. Ask one of its administrators if you need it.".to_string(),
            WebError::InvalidModel(p) | WebError::Invalid(p) => p.join("; "),
            WebError::TooLarge(limit) => format!(
                "What you sent is larger than this server accepts ({} MiB at most). Split a large model over several files with include, or ask your administrator to raise the limit.",
                limit / (1024 * 1024)
            ),
            other => sentence(&other.to_string()),
        };
        let reference = status
            .is_server_error()
            .then(crate::observability::current_request_id)
            .flatten()
            .map(|id| id.to_string());
        ErrorPage {
            ctx: Ctx::default(),
            heading,
            message,
            reference,
        }
    }
}
