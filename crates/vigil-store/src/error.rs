//! The store's errors: what went wrong with the database, and the conflicts a caller
//! must hear about (a release version reused with different contents, a digest claimed
//! by two releases).

/// Results of the store.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error("SQLite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("invalid database URL: {reason}")]
    DatabaseUrl { reason: String },
    #[error("cannot connect to PostgreSQL: {source}")]
    Connect { source: postgres::Error },
    #[error("PostgreSQL: {}", pg_message(.0))]
    Postgres(#[from] postgres::Error),
    #[error(
        "the database is at schema version {found}, newer than this Vigil knows ({known}); use a newer Vigil"
    )]
    SchemaTooNew { found: i64, known: i64 },
    #[error("migration {version} ({name}) failed: {source}")]
    Migration {
        version: i64,
        name: &'static str,
        source: Box<StoreError>,
    },
    /// A write that contradicts what is stored.
    #[error("{0}")]
    Conflict(String),
    /// A value no backend can store or compare, such as text holding a NUL character.
    #[error("{0}")]
    Input(String),
    #[error("internal store error: {0}")]
    Internal(String),
}

/// PostgreSQL's own message and detail, which `postgres::Error`'s `Display` leaves out.
fn pg_message(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => match db.detail() {
            Some(detail) => format!("{} ({detail})", db.message()),
            None => db.message().to_owned(),
        },
        None => e.to_string(),
    }
}
