//! Schema migrations: numbered SQL files per backend, applied in order at open, each in
//! the transaction that records it, under a lock so that replicas starting together
//! apply each one once.

use crate::error::{Result, StoreError};
use crate::sql::{Backend, Database, Lock, params};

/// (version, name, SQL) for one backend.
type Migration = (i64, &'static str, &'static str);

const SQLITE: &[Migration] = &[
    (
        1,
        "evidence",
        include_str!("../migrations/sqlite/0001_evidence.sql"),
    ),
    (
        2,
        "serve",
        include_str!("../migrations/sqlite/0002_serve.sql"),
    ),
    (
        3,
        "ledger",
        include_str!("../migrations/sqlite/0003_ledger.sql"),
    ),
    (
        4,
        "signatures",
        include_str!("../migrations/sqlite/0004_signatures.sql"),
    ),
    (
        5,
        "triage",
        include_str!("../migrations/sqlite/0005_triage.sql"),
    ),
    (
        6,
        "console",
        include_str!("../migrations/sqlite/0006_console.sql"),
    ),
    (
        7,
        "signals",
        include_str!("../migrations/sqlite/0007_signals.sql"),
    ),
];

const POSTGRES: &[Migration] = &[
    (
        1,
        "evidence",
        include_str!("../migrations/postgres/0001_evidence.sql"),
    ),
    (
        2,
        "serve",
        include_str!("../migrations/postgres/0002_serve.sql"),
    ),
    (
        3,
        "ledger",
        include_str!("../migrations/postgres/0003_ledger.sql"),
    ),
    (
        4,
        "signatures",
        include_str!("../migrations/postgres/0004_signatures.sql"),
    ),
    (
        5,
        "triage",
        include_str!("../migrations/postgres/0005_triage.sql"),
    ),
    (
        6,
        "console",
        include_str!("../migrations/postgres/0006_console.sql"),
    ),
    (
        7,
        "signals",
        include_str!("../migrations/postgres/0007_signals.sql"),
    ),
];

/// The newest schema version this build knows.
pub const SCHEMA_VERSION: i64 = 7;

/// Brings the schema up to [`SCHEMA_VERSION`]; returns how many migrations ran.
pub(crate) fn migrate(db: &mut dyn Database) -> Result<usize> {
    let migrations = match db.backend() {
        Backend::Sqlite => SQLITE,
        Backend::Postgres => POSTGRES,
    };
    let mut conn = db.begin(true)?;
    conn.lock(Lock::Migrate)?;
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version BIGINT PRIMARY KEY,
             name TEXT NOT NULL,
             applied_at TEXT NOT NULL
         )",
    )?;
    let current = conn.query_int(
        "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
        &[],
    )?;
    if current > SCHEMA_VERSION {
        return Err(StoreError::SchemaTooNew {
            found: current,
            known: SCHEMA_VERSION,
        });
    }
    let mut ran = 0;
    for &(version, name, sql) in migrations.iter().filter(|m| m.0 > current) {
        let wrap = |source| StoreError::Migration {
            version,
            name,
            source: Box::new(source),
        };
        conn.execute_batch(sql).map_err(wrap)?;
        conn.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
            params![version, name, crate::time::now_text().as_str()],
        )
        .map_err(wrap)?;
        ran += 1;
    }
    conn.commit()?;
    Ok(ran)
}
