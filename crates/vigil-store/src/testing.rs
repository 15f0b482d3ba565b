//! Test support: a fresh store on every backend this machine offers, so that one test
//! runs against SQLite and PostgreSQL alike.
//!
//! SQLite always runs, in a new temporary directory. PostgreSQL runs when
//! `VIGIL_TEST_PG_URL` names a server; each test gets a schema of its own, dropped
//! afterwards, so tests run in parallel on one database. Without the variable a line
//! says that PostgreSQL was skipped; with `VIGIL_REQUIRE_PG=1` (set by CI) its absence
//! fails the test instead.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::{Location, Store};

/// A store for one test, removed when dropped.
#[derive(Debug)]
pub struct TestStore {
    pub store: Store,
    pub location: Location,
    dir: Option<PathBuf>,
}

impl TestStore {
    /// `SQLite` or `PostgreSQL`, for assertion messages.
    pub fn name(&self) -> String {
        self.store.backend().to_string()
    }

    /// Opens a second connection to the same store, as another process would.
    pub fn reopen(&self) -> Store {
        Store::open(&self.location).unwrap_or_else(|e| panic!("reopening the test store: {e}"))
    }

    /// Runs `sql` on the store behind Vigil's back, as an attacker with database access
    /// would.
    pub fn tamper(&self, sql: &str) {
        match &self.location {
            Location::Sqlite(dir) => {
                let conn = rusqlite::Connection::open(dir.join(crate::SQLITE_FILE_NAME))
                    .unwrap_or_else(|e| panic!("opening the test store: {e}"));
                conn.execute_batch(sql)
                    .unwrap_or_else(|e| panic!("tampering: {e}"));
            }
            Location::Postgres { url, schema } => {
                let mut client = postgres::Client::connect(url, postgres::NoTls)
                    .unwrap_or_else(|e| panic!("connecting to the test store: {e}"));
                let schema = schema.as_deref().unwrap_or("public");
                client
                    .batch_execute(&format!("SET search_path TO {schema}; {sql}"))
                    .unwrap_or_else(|e| panic!("tampering: {e}"));
            }
        }
    }
}

impl Drop for TestStore {
    fn drop(&mut self) {
        match &self.location {
            Location::Sqlite(_) => {
                if let Some(dir) = &self.dir {
                    let _ = std::fs::remove_dir_all(dir);
                }
            }
            Location::Postgres {
                url,
                schema: Some(schema),
            } => {
                if let Ok(mut client) = postgres::Client::connect(url, postgres::NoTls) {
                    let _ =
                        client.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
                }
            }
            Location::Postgres { .. } => {}
        }
    }
}

/// A name no other test of any process uses now.
pub fn unique_name(test: &str) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let clean: String = test
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .take(24)
        .collect();
    format!("t_{clean}_{}_{n}_{nanos}", std::process::id())
}

/// A new, empty SQLite store.
pub fn sqlite(test: &str) -> TestStore {
    let dir = std::env::temp_dir().join(format!("vigil-{}", unique_name(test)));
    let location = Location::Sqlite(dir.clone());
    let store = Store::open(&location).unwrap_or_else(|e| panic!("opening SQLite: {e}"));
    TestStore {
        store,
        location,
        dir: Some(dir),
    }
}

/// A new, empty PostgreSQL store, or `None` (after saying why) when no server is
/// configured.
///
/// # Panics
/// When `VIGIL_REQUIRE_PG=1` and `VIGIL_TEST_PG_URL` is not set, or the server cannot be
/// reached.
pub fn postgres(test: &str) -> Option<TestStore> {
    let Ok(url) = std::env::var("VIGIL_TEST_PG_URL") else {
        assert!(
            std::env::var("VIGIL_REQUIRE_PG").map_or(true, |v| v != "1"),
            "{test}: VIGIL_REQUIRE_PG=1 but VIGIL_TEST_PG_URL is not set"
        );
        eprintln!(
            "SKIPPED PostgreSQL for {test}: set VIGIL_TEST_PG_URL (e.g. postgres://postgres@127.0.0.1:5432/test) to run it"
        );
        return None;
    };
    let location = Location::Postgres {
        url,
        schema: Some(unique_name(test)),
    };
    let store = Store::open(&location).unwrap_or_else(|e| panic!("opening PostgreSQL: {e}"));
    Some(TestStore {
        store,
        location,
        dir: None,
    })
}

/// A fresh store on every backend available: SQLite, then PostgreSQL when configured.
pub fn stores(test: &str) -> Vec<TestStore> {
    let mut all = vec![sqlite(test)];
    all.extend(postgres(test));
    all
}
