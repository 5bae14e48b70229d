//! The route table: every route is declared once, with the access it needs, and the router
//! is built from the declarations. The table is public so that the access test is generated
//! from it (a route without an entry in that test fails the suite) and so that the API's
//! routes can be checked against the OpenAPI document.

use crate::state::AppState;
use axum::Router;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{MethodFilter, on};
use bulwark_store::Role;

/// Who may call a route. The handler enforces it through its extractor
/// ([`crate::access::Member`], [`crate::access::ApiMember`], [`crate::access::SiteAdmin`],
/// [`crate::auth::SignedIn`], [`crate::auth::ApiCaller`]); the declaration says what the
/// access test expects of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guard {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in person (their own account pages).
    SignedIn,
    /// Site administrators.
    SiteAdmin,
    /// Signed-in members of the organisation in the address with at least this role.
    Member(Role),
    /// Any holder of an API token.
    ApiCaller,
    /// API token holders who are members of the organisation in the address with at least
    /// this role.
    ApiMember(Role),
}

/// One declared route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteInfo {
    /// The HTTP method.
    pub method: Method,
    /// The path pattern, like `/o/{org}/services/{id}`.
    pub path: &'static str,
    /// Who may call it.
    pub guard: Guard,
}

/// A router under construction, remembering what it declares.
pub struct Table {
    router: Router<AppState>,
    routes: Vec<RouteInfo>,
}

impl Default for Table {
    fn default() -> Table {
        Table::new()
    }
}

impl Table {
    /// An empty table.
    pub fn new() -> Table {
        Table {
            router: Router::new(),
            routes: Vec::new(),
        }
    }

    fn add<H, T>(mut self, method: Method, path: &'static str, guard: Guard, handler: H) -> Table
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let filter = MethodFilter::try_from(method.clone()).unwrap_or(MethodFilter::GET);
        self.router = self.router.route(path, on(filter, handler));
        self.routes.push(RouteInfo {
            method,
            path,
            guard,
        });
        self
    }

    /// Declares `GET path`.
    pub fn get<H: Handler<T, AppState>, T: 'static>(
        self,
        path: &'static str,
        guard: Guard,
        h: H,
    ) -> Table {
        self.add(Method::GET, path, guard, h)
    }

    /// Declares `POST path`.
    pub fn post<H: Handler<T, AppState>, T: 'static>(
        self,
        path: &'static str,
        guard: Guard,
        h: H,
    ) -> Table {
        self.add(Method::POST, path, guard, h)
    }

    /// Declares `PUT path`.
    pub fn put<H: Handler<T, AppState>, T: 'static>(
        self,
        path: &'static str,
        guard: Guard,
        h: H,
    ) -> Table {
        self.add(Method::PUT, path, guard, h)
    }

    /// Declares `DELETE path`.
    pub fn delete<H: Handler<T, AppState>, T: 'static>(
        self,
        path: &'static str,
        guard: Guard,
        h: H,
    ) -> Table {
        self.add(Method::DELETE, path, guard, h)
    }

    /// Adds every route of `other`.
    pub fn merge(mut self, other: Table) -> Table {
        self.router = self.router.merge(other.router);
        self.routes.extend(other.routes);
        self
    }

    /// The router and the declarations.
    pub fn into_parts(self) -> (Router<AppState>, Vec<RouteInfo>) {
        (self.router, self.routes)
    }
}

/// Every route of the app, pages and API, as declared.
pub fn table() -> Vec<RouteInfo> {
    crate::pages::routes()
        .merge(crate::api::routes())
        .merge(crate::public_routes())
        .into_parts()
        .1
}
