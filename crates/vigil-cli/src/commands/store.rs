//! Opening the evidence store the global flags name, and reading the values every
//! store command shares (times).

use anyhow::Context;
use time::OffsetDateTime;
use vigil_engine::Engine;
use vigil_store::{Location, Store};

use crate::cli::StoreArgs;

/// Where the store is: PostgreSQL when a URL is given, else SQLite in the data directory.
pub(crate) fn location(args: &StoreArgs) -> Location {
    match &args.database_url {
        Some(url) => Location::Postgres {
            url: url.clone(),
            schema: None,
        },
        None => Location::Sqlite(args.data_dir.clone()),
    }
}

/// A human description of the location, without any password.
pub(crate) fn describe(location: &Location) -> String {
    match location {
        Location::Sqlite(dir) => format!(
            "SQLite in {}",
            dir.join(vigil_store::SQLITE_FILE_NAME).display()
        ),
        Location::Postgres { .. } => "PostgreSQL (VIGIL_DATABASE_URL)".to_owned(),
    }
}

/// Opens the store, creating or migrating it.
pub(crate) fn open(args: &StoreArgs) -> anyhow::Result<Store> {
    let location = location(args);
    Store::open(&location).with_context(|| format!("opening the store ({})", describe(&location)))
}

/// An engine on the store.
pub(crate) fn engine(args: &StoreArgs) -> anyhow::Result<Engine> {
    Ok(Engine::new(open(args)?))
}

/// Parses an RFC 3339 time given on the command line.
pub(crate) fn time(flag: &str, value: Option<&str>) -> anyhow::Result<Option<OffsetDateTime>> {
    value
        .map(|v| {
            let t = vigil_store::time::parse(v).map_err(|e| {
                vigil_engine::EngineError::Invalid(format!(
                    "--{flag} {v:?} is not an RFC 3339 time such as 2026-03-01T12:00:00Z: {e}"
                ))
            })?;
            if !(1970..=9999).contains(&t.year()) {
                return Err(vigil_engine::EngineError::Invalid(format!(
                    "--{flag} {v:?} is outside the years 1970 to 9999"
                ))
                .into());
            }
            Ok(t)
        })
        .transpose()
}
