//! Access to an organisation's data, by construction: a handler that reads or changes an
//! organisation's data takes [`Member<R>`] (pages) or [`ApiMember<R>`] (API), whose type names
//! the least role `R` it needs. The extractor resolves the organisation in the address and
//! the caller's role there before the handler runs: 404 to non-members (whether or not the
//! organisation exists), 403 to a role too low. [`OrgAccess`] can be made only here, so a
//! handler cannot reach an organisation's id without going through one of them.
//! [`SiteAdmin`] does the same for site administration.

use crate::auth::{ApiCaller, SignedIn};
use crate::error::{ApiError, PageError, WebError};
use crate::state::AppState;
use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use bulwark_store::{Membership, Organisation, Role};
use std::marker::PhantomData;

/// An organisation the caller may see, with their role in it.
// The private field keeps every other module, in this crate too, from making one, which
// `#[non_exhaustive]` would not.
#[allow(clippy::manual_non_exhaustive)]
#[derive(Debug, Clone)]
pub struct OrgAccess {
    /// The organisation.
    pub org: Organisation,
    /// The caller's role.
    pub role: Role,
    /// Only this module makes one.
    _sealed: (),
}

impl OrgAccess {
    /// True when the caller may change the model.
    pub fn can_edit(&self) -> bool {
        self.role >= Role::Editor
    }

    /// True when the caller may read and add records of vulnerable people.
    pub fn is_hub_coordinator(&self) -> bool {
        self.role >= Role::HubCoordinator
    }

    /// True when the caller may manage members, sharing and imports.
    pub fn is_admin(&self) -> bool {
        self.role >= Role::Admin
    }
}

/// A role a route needs, as a type: [`Viewer`], [`Editor`], [`HubCoordinator`] or [`Admin`].
pub trait Need: Send + Sync + 'static {
    /// The least role.
    const ROLE: Role;
}

/// Any member of the organisation.
pub struct Viewer;
/// Members who may change the model.
pub struct Editor;
/// Hub coordinators (and administrators): those who may see personal data.
pub struct HubCoordinator;
/// The organisation's administrators.
pub struct Admin;

impl Need for Viewer {
    const ROLE: Role = Role::Viewer;
}
impl Need for Editor {
    const ROLE: Role = Role::Editor;
}
impl Need for HubCoordinator {
    const ROLE: Role = Role::HubCoordinator;
}
impl Need for Admin {
    const ROLE: Role = Role::Admin;
}

/// The caller's access to the organisation `slug`: 404 when they are not a member (whether
/// or not it exists), 403 when their role is below `needed`.
///
/// The memberships are read once per request, with each organisation's model version, so
/// this needs no query of its own.
fn access(memberships: &[Membership], slug: &str, needed: Role) -> Result<OrgAccess, WebError> {
    let Some(m) = memberships.iter().find(|m| m.org_slug == slug) else {
        return Err(WebError::NotFound);
    };
    if m.role < needed {
        return Err(WebError::Forbidden);
    }
    let org = Organisation {
        id: m.org_id,
        slug: m.org_slug.clone(),
        name: m.org_name.clone(),
        model_version: m.model_version,
    };
    Ok(OrgAccess {
        org,
        role: m.role,
        _sealed: (),
    })
}

/// The `{org}` segment of the matched route. A route without one cannot use these
/// extractors; that is a programming error, answered 404 rather than a panic.
async fn org_param(parts: &mut Parts, state: &AppState) -> Result<String, WebError> {
    let params = RawPathParams::from_request_parts(parts, state)
        .await
        .map_err(|_| WebError::NotFound)?;
    params
        .iter()
        .find(|(k, _)| *k == "org")
        .map(|(_, v)| v.to_string())
        .ok_or(WebError::NotFound)
}

/// A signed-in member of the organisation in the address (`{org}`) with at least role `R`.
pub struct Member<R: Need> {
    /// The person.
    pub s: SignedIn,
    /// Their access to the organisation.
    pub a: OrgAccess,
    _role: PhantomData<R>,
}

impl<R: Need> FromRequestParts<AppState> for Member<R> {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        let s = SignedIn::from_request_parts(parts, state).await?;
        let slug = org_param(parts, state).await?;
        let a = access(&s.memberships, &slug, R::ROLE)?;
        Ok(Member {
            s,
            a,
            _role: PhantomData,
        })
    }
}

/// An API caller (bearer token) who is a member of the organisation in the address with at
/// least role `R`.
pub struct ApiMember<R: Need> {
    /// The caller.
    pub caller: ApiCaller,
    /// Their access to the organisation.
    pub a: OrgAccess,
    _role: PhantomData<R>,
}

impl<R: Need> FromRequestParts<AppState> for ApiMember<R> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let caller = ApiCaller::from_request_parts(parts, state).await?;
        let slug = org_param(parts, state).await?;
        let a = access(&caller.memberships, &slug, R::ROLE)?;
        Ok(ApiMember {
            caller,
            a,
            _role: PhantomData,
        })
    }
}

/// A signed-in site administrator (who creates organisations and accounts); 403 for others.
pub struct SiteAdmin(pub SignedIn);

impl FromRequestParts<AppState> for SiteAdmin {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        let s = SignedIn::from_request_parts(parts, state).await?;
        if !s.user.is_admin {
            return Err(PageError(WebError::Forbidden));
        }
        Ok(SiteAdmin(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn membership(slug: &str, role: Role) -> Membership {
        Membership {
            org_id: 1,
            org_slug: slug.into(),
            org_name: "North".into(),
            model_version: 1,
            role,
        }
    }

    #[test]
    fn non_members_get_404_and_low_roles_403() {
        let ms = [membership("north", Role::Editor)];
        assert!(matches!(
            access(&ms, "south", Role::Viewer),
            Err(WebError::NotFound)
        ));
        assert!(matches!(
            access(&ms, "north", Role::Admin),
            Err(WebError::Forbidden)
        ));
        let a = access(&ms, "north", Role::Editor).expect("editor may edit");
        assert!(a.can_edit() && !a.is_admin());
    }
}
