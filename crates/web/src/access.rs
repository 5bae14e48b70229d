//! Access to an organisation's data: the caller's role there, checked on every route.

use crate::error::WebError;
use bulwark_store::{Membership, Organisation, Role};

/// An organisation the caller may see, with their role in it.
#[derive(Debug, Clone)]
pub struct OrgAccess {
    /// The organisation.
    pub org: Organisation,
    /// The caller's role.
    pub role: Role,
}

impl OrgAccess {
    /// Fails with 403 unless the caller's role is at least `needed`.
    pub fn require(&self, needed: Role) -> Result<(), WebError> {
        if self.role >= needed {
            Ok(())
        } else {
            Err(WebError::Forbidden)
        }
    }

    /// True when the caller may change the model.
    pub fn can_edit(&self) -> bool {
        self.role >= Role::Editor
    }

    /// True when the caller may manage members, sharing and imports.
    pub fn is_admin(&self) -> bool {
        self.role >= Role::Admin
    }
}

/// The caller's access to the organisation `slug`: 404 when they are not a member (whether
/// or not it exists), 403 when their role is below `needed`.
///
/// The memberships are read once per request, with each organisation's model version, so
/// this needs no query of its own.
pub fn access(memberships: &[Membership], slug: &str, needed: Role) -> Result<OrgAccess, WebError> {
    let Some(m) = memberships.iter().find(|m| m.org_slug == slug) else {
        return Err(WebError::NotFound);
    };
    let org = Organisation {
        id: m.org_id,
        slug: m.org_slug.clone(),
        name: m.org_name.clone(),
        model_version: m.model_version,
    };
    let access = OrgAccess { org, role: m.role };
    access.require(needed)?;
    Ok(access)
}
