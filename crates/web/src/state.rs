//! What every request shares: the store, settings, and compiled models cached by version.

use crate::models::OrgModel;
use bulwark_store::Store;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Shared application state.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    secure_cookies: bool,
    cache: Mutex<HashMap<i64, Arc<OrgModel>>>,
}

impl AppState {
    /// State over `store`; `secure_cookies` marks cookies `Secure` (set it behind TLS).
    pub fn new(store: Store, secure_cookies: bool) -> AppState {
        AppState {
            inner: Arc::new(Inner {
                store,
                secure_cookies,
                cache: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// The database.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// Whether cookies carry `Secure`.
    pub fn secure_cookies(&self) -> bool {
        self.inner.secure_cookies
    }

    /// The cached model of `org` if it is still at `version`.
    pub(crate) fn cached(&self, org: i64, version: i64) -> Option<Arc<OrgModel>> {
        let cache = self.inner.cache.lock().unwrap_or_else(|e| e.into_inner());
        cache.get(&org).filter(|m| m.version == version).cloned()
    }

    /// Remembers a freshly loaded model.
    pub(crate) fn remember(&self, org: i64, model: Arc<OrgModel>) {
        let mut cache = self.inner.cache.lock().unwrap_or_else(|e| e.into_inner());
        cache.insert(org, model);
    }
}
