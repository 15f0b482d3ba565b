//! What every request handler shares.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use std::time::Duration;

use vigil_engine::{Change, Changes, Clock, Engine};
use vigil_policy::Policy;
use vigil_store::{LedgerSigner, Location};

use crate::answers::AnswerCache;
use crate::auth::{self, Limiter, Principal, TokenCache};
use crate::config::{Config, GateConfig};
use crate::error::ApiError;
use crate::metrics::Metrics;
use crate::pool::Pool;

/// The server's shared state; cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState(pub(crate) Arc<Inner>);

#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) config: Config,
    pub(crate) readers: Arc<Pool>,
    pub(crate) writers: Arc<Pool>,
    pub(crate) tokens: TokenCache,
    pub(crate) limiter: Limiter,
    pub(crate) metrics: Metrics,
    /// Answers of `/api/v1/affected` kept between requests.
    pub(crate) answers: Arc<AnswerCache>,
    /// Given to every engine of this process.
    pub(crate) changes: Changes,
    pub(crate) clock: Arc<dyn Clock>,
    /// Signs ledger checkpoints; set on every store this process opens.
    pub(crate) signer: Option<Arc<LedgerSigner>>,
    /// False while starting and once shutting down.
    pub(crate) ready: AtomicBool,
    /// Wakes the outbox dispatcher early.
    pub(crate) outbox_wake: tokio::sync::Notify,
    /// The deployment gate's policy, compiled once.
    pub(crate) gate: Arc<Policy>,
    /// What the console keeps between requests.
    pub(crate) console: crate::console::Snapshots,
}

/// Why the server's state could not be made from its configuration.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StateError {
    /// `[gate] policy_dir` cannot be read, or its policy does not compile. The message
    /// names the file and, where Rego gives one, the line.
    #[error("gate.policy_dir {}: {message}", path.display())]
    GatePolicy {
        path: std::path::PathBuf,
        message: String,
    },
}

/// The gate policy of `config`: the built-in one, or the one in `policy_dir`.
fn gate_policy(config: &GateConfig) -> Result<Policy, StateError> {
    let Some(path) = &config.policy_dir else {
        return Ok(Policy::builtin());
    };
    let error = |e: vigil_engine::EngineError| StateError::GatePolicy {
        path: path.clone(),
        message: e.to_string(),
    };
    let sources = vigil_engine::gate::read_policy(path).map_err(error)?;
    vigil_engine::gate::compile(&sources).map_err(error)
}

impl AppState {
    /// State for a server on the store at `location`, signing ledger checkpoints with
    /// `signer` when given.
    ///
    /// # Errors
    /// The gate policy of `[gate] policy_dir` cannot be read or does not compile.
    pub fn new(
        config: Config,
        location: Location,
        clock: Arc<dyn Clock>,
        signer: Option<Arc<LedgerSigner>>,
    ) -> Result<AppState, StateError> {
        let gate = Arc::new(gate_policy(&config.gate)?);
        let writers = match location {
            Location::Sqlite(_) => 1,
            Location::Postgres { .. } => 4,
        };
        let metrics = Metrics::new();
        let answers = Arc::new(AnswerCache::new(
            config.api.affected_cache_mib << 20,
            Duration::from_millis(config.api.affected_cache_max_age_ms),
            metrics.answer_lookups.clone(),
            metrics.answer_bytes.clone(),
        ));
        let observer = Arc::clone(&answers);
        let changes = Changes {
            origin: format!("{:016x}", rand::random::<u64>()),
            observer: Some(Arc::new(move |change: &Change| observer.changed(change))),
        };
        let readers = Arc::new(Pool::new(
            location.clone(),
            Arc::clone(&clock),
            changes.clone(),
            signer.clone(),
            config.api.read_connections,
        ));
        let writers = Arc::new(Pool::new(
            location,
            Arc::clone(&clock),
            changes.clone(),
            signer.clone(),
            writers,
        ));
        let limiter = Limiter::new(
            config.api.rate_limit_per_second,
            config.api.rate_limit_burst,
        );
        Ok(AppState(Arc::new(Inner {
            config,
            readers,
            writers,
            tokens: TokenCache::default(),
            limiter,
            metrics,
            answers,
            changes,
            clock,
            signer,
            ready: AtomicBool::new(true),
            outbox_wake: tokio::sync::Notify::new(),
            gate,
            console: crate::console::Snapshots::default(),
        })))
    }

    pub fn config(&self) -> &Config {
        &self.0.config
    }

    /// The deployment gate's policy.
    pub(crate) fn gate_policy(&self) -> &Arc<Policy> {
        &self.0.gate
    }

    pub(crate) fn signer(&self) -> Option<&Arc<LedgerSigner>> {
        self.0.signer.as_ref()
    }

    pub fn location(&self) -> &Location {
        self.0.readers.location()
    }

    pub(crate) fn readers(&self) -> &Arc<Pool> {
        &self.0.readers
    }

    pub(crate) fn writers(&self) -> &Arc<Pool> {
        &self.0.writers
    }

    pub(crate) fn now(&self) -> time::OffsetDateTime {
        self.0.clock.now()
    }

    pub fn set_ready(&self, ready: bool) {
        self.0.ready.store(ready, Ordering::SeqCst);
    }

    pub(crate) fn is_ready(&self) -> bool {
        self.0.ready.load(Ordering::SeqCst)
    }

    /// Drops cached tokens: another process changed one.
    pub fn tokens_changed(&self) {
        self.0.tokens.clear();
    }

    /// An engine on `store` as this process's engines are: its clock, and its changes
    /// told to its caches.
    pub(crate) fn engine(&self, mut store: vigil_store::Store) -> Engine {
        store.set_ledger_signer(self.0.signer.clone());
        let mut engine = Engine::with_clock(store, Arc::clone(&self.0.clock));
        engine.changes = self.0.changes.clone();
        engine
    }

    /// Hears a change another process committed.
    pub(crate) fn heard(&self, payload: &str) {
        match Change::from_payload(payload) {
            Some((origin, _)) if origin == self.0.changes.origin => {}
            Some((_, change)) => self.0.answers.changed(&change),
            None => {
                tracing::warn!(
                    payload,
                    "a change notification that does not parse; dropping every kept answer"
                );
                self.0.answers.changed(&Change::Everything);
            }
        }
    }

    /// Drops every kept answer: changes may have been missed.
    pub(crate) fn forget_answers(&self) {
        self.0.answers.changed(&Change::Everything);
    }

    /// Tells the dispatcher that alerts may be waiting.
    pub fn alerts_waiting(&self) {
        self.0.outbox_wake.notify_one();
    }

    /// Resolves a bearer token to its principal.
    pub(crate) async fn authenticate(&self, token: &str) -> Result<Principal, ApiError> {
        let hash = auth::hash(token);
        let found = match self.0.tokens.get(&hash) {
            Some(p) => p,
            None => {
                let generation = self.0.tokens.generation();
                let key = hash.clone();
                let p = self
                    .readers()
                    .run(move |engine| {
                        let mut tx = engine.store().read()?;
                        Ok(auth::lookup(&mut tx, &key)?)
                    })
                    .await?;
                self.0.tokens.put(hash, p.clone(), generation);
                p
            }
        };
        found.ok_or_else(|| ApiError::unauthorized("the bearer token is unknown or revoked"))
    }
}

/// The authenticated caller of a request (and the request counted against its rate
/// limit). Handlers then check the permission they need.
#[derive(Clone, Debug)]
pub(crate) struct Auth(pub(crate) Principal);

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer(parts)?;
        let principal = state.authenticate(token).await?;
        state.0.limiter.check(&principal.token_id)?;
        Ok(Auth(principal))
    }
}

/// The caller, if the request carries a token; for endpoints an operator may open.
#[derive(Clone, Debug)]
pub(crate) struct MaybeAuth(pub(crate) Option<Principal>);

impl FromRequestParts<AppState> for MaybeAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if parts.headers.get(header::AUTHORIZATION).is_none() {
            return Ok(MaybeAuth(None));
        }
        Auth::from_request_parts(parts, state)
            .await
            .map(|a| MaybeAuth(Some(a.0)))
    }
}

fn bearer(parts: &Parts) -> Result<&str, ApiError> {
    let Some(value) = parts.headers.get(header::AUTHORIZATION) else {
        return Err(ApiError::unauthorized(
            "this endpoint needs a bearer token: send `Authorization: Bearer <token>` (create one with `vigil token create`)",
        ));
    };
    let value = value
        .to_str()
        .map_err(|_| ApiError::unauthorized("the Authorization header is not ASCII"))?;
    let Some((scheme, token)) = value.split_once(' ') else {
        return Err(ApiError::unauthorized(
            "the Authorization header must be `Bearer <token>`",
        ));
    };
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(ApiError::unauthorized(
            "the Authorization header must be `Bearer <token>`",
        ));
    }
    Ok(token.trim())
}
