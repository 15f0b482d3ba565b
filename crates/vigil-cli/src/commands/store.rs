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

/// Opens the store, creating or migrating it, with the ledger's signing key when there
/// is one: every command that writes signs a checkpoint at its commit.
pub(crate) fn open(args: &StoreArgs) -> anyhow::Result<Store> {
    let location = location(args);
    // A new SQLite store gets a key in its directory; an existing one without a key
    // gets one from `vigil init`, never from a command that happens to open it.
    let fresh = match &location {
        Location::Sqlite(dir) => !dir.join(vigil_store::SQLITE_FILE_NAME).exists(),
        Location::Postgres { .. } => false,
    };
    let mut store = Store::open(&location)
        .with_context(|| format!("opening the store ({})", describe(&location)))?;
    if let Some((key, _)) = ledger_key(args, fresh)? {
        store.set_ledger_signer(Some(vigil_engine::ledger::signer(
            key,
            args.ledger_origin.clone(),
            std::time::Duration::ZERO,
        )));
    }
    Ok(store)
}

/// The checkpoint signing key: `VIGIL_LEDGER_KEY`, `--ledger-key`, or `ledger.key` in the
/// data directory of an SQLite store (made there when `create` and missing). A
/// PostgreSQL store shared by several processes gets its key only by the first two, so
/// that they all sign with one key.
pub(crate) fn ledger_key(
    args: &StoreArgs,
    create: bool,
) -> anyhow::Result<
    Option<(
        vigil_ledger::note::NoteSigner,
        vigil_engine::ledger::KeySource,
    )>,
> {
    let env_key = std::env::var("VIGIL_LEDGER_KEY").ok();
    let data_dir = args
        .database_url
        .is_none()
        .then_some(args.data_dir.as_path());
    Ok(vigil_engine::ledger::find_key(
        env_key.as_deref(),
        args.ledger_key.as_deref(),
        data_dir,
        create,
    )?)
}

/// An engine on the store.
pub(crate) fn engine(args: &StoreArgs) -> anyhow::Result<Engine> {
    Ok(Engine::new(open(args)?))
}

/// An engine on the store, after lapsing risk acceptances that have expired (their
/// findings reopen), for the commands that show triage. Writes only when one expired.
pub(crate) fn engine_now(args: &StoreArgs) -> anyhow::Result<Engine> {
    let mut engine = engine(args)?;
    let lapsed = engine.lapse_acceptances()?;
    for d in &lapsed {
        eprintln!(
            "risk acceptance {} of {} expired at {}; its findings are open again",
            d.id,
            d.vulnerability,
            d.expires_at.as_deref().unwrap_or("?")
        );
    }
    Ok(engine)
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
