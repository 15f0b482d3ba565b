//! The router, its middleware, and `vigil serve`: the HTTP server with the scheduler,
//! the outbox dispatcher and the notification listener beside it, all stopped together
//! on a shutdown signal.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Json;
use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use tokio::sync::watch;
use vigil_engine::Clock;
use vigil_store::Location;

use crate::api;
use crate::auth::Permission;
use crate::config::Config;
use crate::error::{ApiError, ApiResult};
use crate::metrics::{RouteLabels, StoreGauges};
use crate::state::{AppState, Auth};

/// Every route, with its middleware, on `state`.
pub fn router(state: AppState) -> Router {
    let max_body = state.config().api.max_body_bytes;
    Router::new()
        .route("/healthz", get(api::healthz))
        .route("/readyz", get(api::readyz))
        .route("/metrics", get(metrics))
        .route("/api/v1/openapi.json", get(openapi))
        .route(
            "/api/v1/releases",
            get(api::list_releases).post(api::create_release),
        )
        .route("/api/v1/releases/{id}", get(api::get_release))
        .route(
            "/api/v1/deployments",
            get(api::list_deployments).post(api::create_deployment),
        )
        .route("/api/v1/deployments/argocd", post(api::argocd))
        .route("/api/v1/undeployments", post(api::create_undeployment))
        .route("/api/v1/environments", get(api::list_environments))
        .route("/api/v1/services", get(api::list_services))
        .route("/api/v1/services/{name}", get(api::get_service))
        .route("/api/v1/services/{name}/diff", get(api::diff))
        .route(
            "/api/v1/services/{name}/keys",
            get(api::list_service_keys).post(api::add_service_key),
        )
        .route(
            "/api/v1/services/{name}/keys/{fingerprint}",
            delete(api::remove_service_key),
        )
        .route("/api/v1/environments/{name}/policy", put(api::set_policy))
        .route("/api/v1/services/{name}/owner", put(api::set_owner))
        .route("/api/v1/teams", get(api::list_teams))
        .route("/api/v1/teams/{name}", put(api::put_team))
        .route("/api/v1/catalog/backstage", post(api::import_backstage))
        .route(
            "/api/v1/triage",
            get(api::list_triage).post(api::record_triage),
        )
        .route("/api/v1/triage/{id}", delete(api::revoke_triage))
        .route("/api/v1/metrics", get(api::metrics))
        .route("/api/v1/advisories/{id}", get(api::get_advisory))
        .route("/api/v1/advisories/{id}/exposure", get(api::exposure))
        .route("/api/v1/advisories/{id}/root-cause", get(api::root_cause))
        .route("/api/v1/patterns", get(api::patterns))
        .route("/api/v1/vex", get(api::export_vex).post(api::import_vex))
        .route("/api/v1/gate", post(api::gate))
        .route("/api/v1/signals", get(api::list_signals))
        .route("/api/v1/signals/{id}/triage", post(api::triage_signal))
        .route("/api/v1/inventory", post(api::inventory))
        .route("/api/v1/fim/changes", post(api::fim_changes))
        .route(
            "/api/v1/runtime/mappings",
            get(api::list_mappings).put(api::put_mapping),
        )
        .route(
            "/api/v1/runtime/mappings/{kind}/{name}",
            delete(api::delete_mapping),
        )
        .route("/api/v1/runtime/alerts", get(api::runtime_alerts))
        .route("/api/v1/runtime/falco", post(api::falco))
        .route("/api/v1/reports", post(api::import_report))
        .route("/api/v1/affected/{id}", get(api::affected))
        .route("/api/v1/findings", get(api::findings))
        .route("/api/v1/status", get(api::status))
        .route("/api/v1/feeds", get(api::feeds))
        .route("/api/v1/alerts", get(api::alerts))
        .route(
            "/api/v1/tokens",
            get(api::list_tokens).post(api::create_token),
        )
        .route("/api/v1/tokens/{id}", delete(api::revoke_token))
        .route("/api/v1/ledger/checkpoint", get(crate::ledger::checkpoint))
        .route(
            "/api/v1/ledger/proof/inclusion",
            get(crate::ledger::inclusion),
        )
        .route("/api/v1/ledger/proof/event", get(crate::ledger::event))
        .route(
            "/api/v1/ledger/proof/consistency",
            get(crate::ledger::consistency),
        )
        .merge(crate::osv_api::routes())
        .merge(crate::console::routes(&state))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(max_body))
        .layer(middleware::from_fn_with_state(state.clone(), observe))
        .with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::not_found("no such endpoint; GET /api/v1/openapi.json lists them")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this endpoint does not take this method; GET /api/v1/openapi.json lists them",
    )
}

/// Times every request by route, and logs it.
async fn observe(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |m| m.as_str().to_owned());
    let mut response = next.run(request).await;
    let elapsed = started.elapsed();
    let status = response.status();
    state
        .0
        .metrics
        .http
        .get_or_create(&RouteLabels {
            method: method.clone(),
            route: route.clone(),
            status: status.as_u16().to_string(),
        })
        .observe(elapsed.as_secs_f64());
    tracing::debug!(%method, %route, status = status.as_u16(), ms = elapsed.as_secs_f64() * 1e3, "request");
    response.headers_mut().insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    response
}

async fn openapi(
    State(state): State<AppState>,
    Auth(who): Auth,
) -> ApiResult<Json<utoipa::openapi::OpenApi>> {
    who.require(Permission::Read)?;
    Ok(Json(crate::openapi::document_for(&state.config().api)))
}

async fn metrics(State(state): State<AppState>, Auth(who): Auth) -> ApiResult<Response> {
    who.require(Permission::Read)?;
    let response = crate::metrics::response_gauges(&state).await?;
    let gauges = state
        .readers()
        .run(|e| {
            let mut tx = e.store().read()?;
            let counts = tx.counts()?;
            Ok(StoreGauges {
                findings: tx.finding_counts()?,
                environments: tx.environment_gauges()?,
                advisories: counts.advisories,
                advisories_withdrawn: counts.withdrawn_advisories,
                jobs: tx.job_runs()?,
                outbox: tx.outbox_counts()?,
                response,
            })
        })
        .await?;
    let body = state.0.metrics.render(gauges, state.now());
    Ok((
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        body,
    )
        .into_response())
}

/// Where the store is, from the configuration.
pub fn location(config: &Config) -> Location {
    match &config.database_url {
        Some(url) => Location::Postgres {
            url: url.clone(),
            schema: None,
        },
        None => Location::Sqlite(config.data_dir.clone()),
    }
}

/// A running server.
#[derive(Debug)]
pub struct Running {
    pub addr: SocketAddr,
    pub state: AppState,
    shutdown: watch::Sender<bool>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    /// Stops taking requests, lets those in flight finish, and waits for the scheduler
    /// and the dispatcher to finish their current step, each for at most a minute. A
    /// sync still running then is abandoned when the process exits: its open batch rolls
    /// back, and the next sync resumes from the stored cursors.
    pub async fn shutdown(self) -> std::io::Result<()> {
        let _ = self.shutdown.send(true);
        self.task
            .await
            .map_err(|e| std::io::Error::other(format!("the server task failed: {e}")))?
    }

    /// A receiver that turns true when the server stops.
    pub fn stopping(&self) -> watch::Receiver<bool> {
        self.shutdown.subscribe()
    }
}

/// Starts the server on `listen` with the scheduler, dispatcher and listener.
pub async fn start(
    config: Config,
    location: Location,
    clock: Arc<dyn Clock>,
) -> std::io::Result<Running> {
    let listener = tokio::net::TcpListener::bind(&config.listen).await?;
    let addr = listener.local_addr()?;
    let signer = ledger_signer(&config, &location)?;
    let state = AppState::new(config, location, clock, signer)
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    let (tx, rx) = watch::channel(false);
    let background = vec![
        tokio::spawn(crate::ledger::run(state.clone(), rx.clone())),
        tokio::spawn(crate::scheduler::run(state.clone(), rx.clone())),
        tokio::spawn(crate::outbox::run(state.clone(), rx.clone())),
        tokio::spawn(crate::listen::run(state.clone(), rx.clone())),
    ];
    let app = router(state.clone());
    let mut stop = rx.clone();
    let serving_state = state.clone();
    let task = tokio::spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = stop.wait_for(|s| *s).await;
                serving_state.set_ready(false);
            })
            .await;
        for b in background {
            // Each returns once it has seen the signal and finished its step.
            let _ = tokio::time::timeout(Duration::from_secs(60), b).await;
        }
        served
    });
    tracing::info!(%addr, "listening");
    Ok(Running {
        addr,
        state,
        shutdown: tx,
        task,
    })
}

/// The checkpoint signer: the key from `VIGIL_LEDGER_KEY`, `[ledger] key_file`, or
/// `ledger.key` in the data directory of an SQLite store (made there if missing). A
/// PostgreSQL store without a configured key runs unsigned, with a warning.
pub fn ledger_signer(
    config: &Config,
    location: &Location,
) -> std::io::Result<Option<Arc<vigil_store::LedgerSigner>>> {
    let env_key = std::env::var("VIGIL_LEDGER_KEY").ok();
    let data_dir = match location {
        Location::Sqlite(dir) => Some(dir.as_path()),
        Location::Postgres { .. } => None,
    };
    let found = vigil_engine::ledger::find_key(
        env_key.as_deref(),
        config.ledger.key_file.as_deref(),
        data_dir,
        true,
    )
    .map_err(|e| std::io::Error::other(e.to_string()))?;
    let Some((key, _)) = found else {
        tracing::warn!(
            "no ledger signing key: events are ledgered but no checkpoint is signed; set VIGIL_LEDGER_KEY or [ledger] key_file"
        );
        return Ok(None);
    };
    Ok(Some(vigil_engine::ledger::signer(
        key,
        config.ledger.origin.clone(),
        Duration::from_millis(config.ledger.checkpoint_interval_ms),
    )))
}

/// Waits for Ctrl-C or SIGTERM.
pub async fn signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(t) => t,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
