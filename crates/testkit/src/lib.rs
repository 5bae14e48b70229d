//! Test-only helpers: a fresh, empty database for each test on either backend, and a
//! headless Chromium to drive pages.
#![allow(clippy::unwrap_used, clippy::string_slice)] // test code: a panic is a failed test

pub mod browser;

use bulwark_store::{Backend, Store, new_secret};
use sqlx::Executor;
use sqlx::any::AnyPoolOptions;

/// Where the PostgreSQL used by tests listens: `BULWARK_TEST_POSTGRES`, or the local server.
pub fn postgres_admin_url() -> String {
    std::env::var("BULWARK_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string())
}

/// A database made for one test, removed when dropped.
pub struct TestDatabase {
    /// Its URL, for `Store::connect` or `bulwark --database-url`.
    pub url: String,
    backend: Backend,
    name: String,
    _dir: Option<tempfile::TempDir>,
}

impl TestDatabase {
    /// Creates a fresh database on `backend`.
    pub async fn new(backend: Backend) -> TestDatabase {
        sqlx::any::install_default_drivers();
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("a temporary folder");
                let url = format!("sqlite://{}", dir.path().join("bulwark.db").display());
                TestDatabase {
                    url,
                    backend,
                    name: String::new(),
                    _dir: Some(dir),
                }
            }
            Backend::Postgres => {
                let admin = postgres_admin_url();
                let name = format!(
                    "bulwark_t_{}",
                    &new_secret("").to_lowercase().replace(['-', '_'], "")[..16]
                );
                let pool = AnyPoolOptions::new().max_connections(1).connect(&admin).await.unwrap_or_else(|e| {
                    panic!("PostgreSQL is needed for this test but {admin} cannot be reached ({e}); start it or set BULWARK_TEST_POSTGRES")
                });
                pool.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .await
                    .expect("create a test database");
                pool.close().await;
                let base = admin
                    .rsplit_once('/')
                    .map_or(admin.as_str(), |(b, _)| b)
                    .to_string();
                TestDatabase {
                    url: format!("{base}/{name}"),
                    backend,
                    name,
                    _dir: None,
                }
            }
        }
    }

    /// Connects a store to it (running migrations).
    pub async fn store(&self) -> Store {
        Store::connect(&self.url)
            .await
            .expect("the test database accepts the schema")
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if self.backend != Backend::Postgres {
            return;
        }
        let name = self.name.clone();
        // Drop the database from a thread of its own: Drop cannot await.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            rt.block_on(async move {
                if let Ok(pool) = AnyPoolOptions::new()
                    .max_connections(1)
                    .connect(&postgres_admin_url())
                    .await
                {
                    let _ = pool
                        .execute(sqlx::AssertSqlSafe(format!(
                            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                        )))
                        .await;
                    pool.close().await;
                }
            });
        })
        .join();
    }
}

/// Both backends, for tests that must pass on each.
pub const BACKENDS: [Backend; 2] = [Backend::Sqlite, Backend::Postgres];
