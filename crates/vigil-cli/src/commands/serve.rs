//! The server and what goes with it: `vigil init` (which makes the first admin token),
//! `vigil serve`, `vigil token create|list|revoke`, `vigil config show`.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use serde::Serialize;
use vigil_server::auth::{self, CreatedToken, Role};
use vigil_server::config::Config;

use super::store;
use crate::cli::{
    ConfigShowArgs, FormatArgs, ServeArgs, StoreArgs, TokenCreateArgs, TokenRevokeArgs,
};
use crate::output::{Format, print, print_json, table};

/// Which store flags were given (on the command line or by their environment variable)
/// rather than left at their defaults: those override the configuration file.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Explicit {
    pub(crate) data_dir: bool,
    pub(crate) database_url: bool,
}

#[derive(Serialize)]
struct Init {
    location: String,
    backend: String,
    schema_version: i64,
    /// The first admin token, made when the store has none; shown once.
    admin_token: Option<CreatedToken>,
    /// The key that signs the ledger's checkpoints.
    ledger_key: Option<LedgerKey>,
}

#[derive(Serialize)]
struct LedgerKey {
    /// Where the key is: a file, or `VIGIL_LEDGER_KEY`.
    source: String,
    /// Whether `vigil init` made it now.
    created: bool,
    /// The verifier key that checks its signatures, for auditors.
    vkey: String,
}

pub(crate) fn init(store_args: &StoreArgs, args: &FormatArgs) -> anyhow::Result<ExitCode> {
    let location = store::location(store_args);
    let create = matches!(location, vigil_store::Location::Sqlite(_));
    let ledger_key = store::ledger_key(store_args, create)?.map(|(key, source)| {
        use vigil_engine::ledger::KeySource;
        let (source, created) = match source {
            KeySource::Environment => ("VIGIL_LEDGER_KEY".to_owned(), false),
            KeySource::File(p) => (p.display().to_string(), false),
            KeySource::Created(p) => (p.display().to_string(), true),
        };
        LedgerKey {
            source,
            created,
            vkey: key.verifier().to_vkey(),
        }
    });
    let mut store = store::open(store_args)?;
    let backend = store.backend().to_string();
    let mut tx = store.write()?;
    let admin_token = if tx.active_admin_tokens()? == 0 {
        let now = time::OffsetDateTime::now_utc();
        let made = auth::create(
            &mut tx,
            "first admin",
            Role::Admin,
            None,
            Some("vigil init"),
            now,
        )
        .map_err(|e| anyhow::anyhow!(e.message))?;
        Some(made)
    } else {
        None
    };
    tx.commit()?;
    let init = Init {
        location: store::describe(&location),
        backend,
        schema_version: vigil_store::SCHEMA_VERSION,
        admin_token,
        ledger_key,
    };
    match args.format {
        Format::Json => print_json(&init)?,
        Format::Table => {
            let mut text = format!(
                "The store is ready: {} (schema version {}).\n",
                init.location, init.schema_version
            );
            if let Some(t) = &init.admin_token {
                text.push_str(&format!(
                    "\nThe first admin token ({}), shown this once; keep it secret:\n\n    {}\n\n",
                    t.id, t.token
                ));
            }
            match &init.ledger_key {
                Some(k) => text.push_str(&format!(
                    "\nLedger checkpoints are signed with the key in {}{}; auditors verify them with:\n\n    {}\n\n",
                    k.source,
                    if k.created { " (made now, mode 0600; back it up)" } else { "" },
                    k.vkey
                )),
                None => text.push_str(
                    "\nNo ledger signing key: set VIGIL_LEDGER_KEY or VIGIL_LEDGER__KEY_FILE so that checkpoints are signed.\n",
                ),
            }
            text.push_str(
                "Next: vigil release add --service NAME --version V --sbom bom.json\n      vigil serve\n",
            );
            print(&text)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The configuration: file, then `VIGIL_*` environment, then flags.
fn config(store_args: &StoreArgs, explicit: Explicit, args: &ServeArgs) -> anyhow::Result<Config> {
    // Variables that are not UTF-8 cannot be Vigil's: skipped rather than a panic.
    let env = std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)));
    let mut config = Config::load(args.config.as_deref(), env)?;
    if explicit.data_dir {
        config.data_dir.clone_from(&store_args.data_dir);
    }
    if explicit.database_url {
        config.database_url.clone_from(&store_args.database_url);
    }
    if let Some(listen) = &args.listen {
        config.listen.clone_from(listen);
    }
    if let Some(f) = &args.log_format {
        config.log.format = match f.as_str() {
            "text" => vigil_server::config::LogFormat::Text,
            "json" => vigil_server::config::LogFormat::Json,
            other => anyhow::bail!("--log-format {other:?}: use text or json"),
        };
    }
    if let Some(level) = &args.log_level {
        config.log.level.clone_from(level);
    }
    config.validate()?;
    Ok(config)
}

pub(crate) fn serve(
    store_args: &StoreArgs,
    explicit: Explicit,
    args: &ServeArgs,
) -> anyhow::Result<ExitCode> {
    let config = config(store_args, explicit, args)?;
    vigil_server::logging::init(&config.log).map_err(|e| anyhow::anyhow!(e))?;
    let location = vigil_server::location(&config);
    // Open once up front: a bad URL or a store newer than this binary fails here, with
    // the reason, rather than on the first request.
    vigil_store::Store::open(&location)
        .with_context(|| format!("opening the store ({})", store::describe(&location)))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        let running = vigil_server::start(config, location, Arc::new(vigil_engine::SystemClock))
            .await
            .context("starting the server")?;
        eprintln!(
            "vigil serve: listening on http://{} (Ctrl-C stops)",
            running.addr
        );
        vigil_server::signal().await;
        eprintln!("vigil serve: stopping: finishing requests and work in flight");
        running.shutdown().await.context("stopping the server")?;
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn token_create(
    store_args: &StoreArgs,
    args: &TokenCreateArgs,
) -> anyhow::Result<ExitCode> {
    let role = Role::parse(&args.role).ok_or_else(|| {
        vigil_engine::EngineError::Invalid(format!(
            "--role {:?}: use admin, publisher, triager or reader",
            args.role
        ))
    })?;
    let envs = (!args.env.is_empty()).then(|| args.env.clone());
    let mut store = store::open(store_args)?;
    let mut tx = store.write()?;
    let made = auth::create(
        &mut tx,
        &args.name,
        role,
        envs,
        Some("cli"),
        time::OffsetDateTime::now_utc(),
    )
    .map_err(|e| vigil_engine::EngineError::Invalid(e.message))?;
    tx.commit()?;
    match args.format {
        Format::Json => print_json(&made)?,
        Format::Table => print(&format!(
            "Created {} ({}, {}). The token, shown this once:\n\n    {}\n\nUse it as: curl -H \"Authorization: Bearer $TOKEN\" http://127.0.0.1:8080/api/v1/status\n",
            made.id,
            made.role.as_str(),
            made.environments
                .as_ref()
                .map_or_else(|| "every environment".to_owned(), |e| e.join(", ")),
            made.token
        ))?,
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn token_list(store_args: &StoreArgs, args: &FormatArgs) -> anyhow::Result<ExitCode> {
    let mut store = store::open(store_args)?;
    let tokens = store.read()?.tokens()?;
    match args.format {
        Format::Json => print_json(&tokens)?,
        Format::Table => {
            let rows: Vec<Vec<String>> = tokens
                .iter()
                .map(|t| {
                    vec![
                        t.id.clone(),
                        t.name.clone(),
                        t.role.clone(),
                        t.environments
                            .as_ref()
                            .map_or_else(|| "all".to_owned(), |e| e.join(",")),
                        t.created_at.clone(),
                        t.revoked_at.clone().unwrap_or_else(|| "-".to_owned()),
                    ]
                })
                .collect();
            print(&table(
                &["ID", "NAME", "ROLE", "ENVIRONMENTS", "CREATED", "REVOKED"],
                &rows,
            ))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn token_revoke(
    store_args: &StoreArgs,
    args: &TokenRevokeArgs,
) -> anyhow::Result<ExitCode> {
    let mut store = store::open(store_args)?;
    let mut tx = store.write()?;
    let Some(token) = tx.token(&args.id)? else {
        return Err(vigil_engine::EngineError::NotFound {
            what: format!("no token {:?}", args.id),
            hint: Some("`vigil token list` lists them".into()),
        }
        .into());
    };
    let revoked = tx.revoke_token(&args.id, time::OffsetDateTime::now_utc())?;
    tx.notify(auth::TOKENS_CHANNEL, &args.id)?;
    tx.commit()?;
    let token = if revoked {
        store.read()?.token(&args.id)?.unwrap_or(token)
    } else {
        token
    };
    match args.format {
        Format::Json => print_json(&token)?,
        Format::Table => print(&format!(
            "{} {} (revoked {}).\n",
            token.id,
            if revoked {
                "is revoked"
            } else {
                "was already revoked"
            },
            token.revoked_at.as_deref().unwrap_or("-")
        ))?,
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn config_show(
    store_args: &StoreArgs,
    explicit: Explicit,
    args: &ConfigShowArgs,
) -> anyhow::Result<ExitCode> {
    let config = config(store_args, explicit, &args.serve)?.redacted();
    match args.format {
        Format::Json => print_json(&config)?,
        Format::Table => print(&config.to_toml())?,
    }
    Ok(ExitCode::SUCCESS)
}
