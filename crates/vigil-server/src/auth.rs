//! Bearer tokens: random secrets of which the store keeps only the SHA-256, each with a
//! role and optionally the environments it may touch; and a rate limit per token.
//!
//! Roles: `admin` does everything; `publisher` (CI/CD) records releases and deployments
//! and reads; `triager` decides on findings and reads; `reader` reads.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use vigil_store::{NewToken, Token, Tx};

use crate::error::ApiError;

/// What a token may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Publisher,
    Triager,
    Reader,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Publisher, Role::Triager, Role::Reader];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Publisher => "publisher",
            Role::Triager => "triager",
            Role::Reader => "reader",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// What an endpoint needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permission {
    /// Read the portfolio and advisories.
    Read,
    /// Record releases and deployments.
    Publish,
    /// Decide on findings.
    Triage,
    /// Tokens, feeds and everything else.
    Admin,
}

impl Permission {
    pub fn allows(self, role: Role) -> bool {
        matches!(
            (self, role),
            (_, Role::Admin)
                | (Permission::Read, _)
                | (Permission::Publish, Role::Publisher)
                | (Permission::Triage, Role::Triager)
        )
    }

    fn describe(self) -> &'static str {
        match self {
            Permission::Read => "any token",
            Permission::Publish => "a publisher or admin token",
            Permission::Triage => "a triager or admin token",
            Permission::Admin => "an admin token",
        }
    }
}

/// The caller of a request, from its token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    pub token_id: String,
    pub name: String,
    pub role: Role,
    /// `None`: every environment.
    pub environments: Option<Vec<String>>,
}

impl Principal {
    pub fn require(&self, p: Permission) -> Result<(), ApiError> {
        if p.allows(self.role) {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "token {} has the role {}; this needs {}",
                self.token_id,
                self.role.as_str(),
                p.describe()
            )))
        }
    }

    /// Whether the token may touch `environment`.
    pub fn may_touch(&self, environment: &str) -> bool {
        self.environments
            .as_ref()
            .is_none_or(|envs| envs.iter().any(|e| e == environment))
    }

    pub fn require_environment(&self, environment: &str) -> Result<(), ApiError> {
        if self.may_touch(environment) {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "token {} may touch only the environments {}; not {environment:?}",
                self.token_id,
                self.environments.as_deref().unwrap_or_default().join(", ")
            )))
        }
    }

    pub(crate) fn from_token(t: Token) -> Option<Principal> {
        Some(Principal {
            role: Role::parse(&t.role)?,
            token_id: t.id,
            name: t.name,
            environments: t.environments,
        })
    }
}

/// The notification channel for token changes.
pub const TOKENS_CHANNEL: &str = "tokens";

/// A token made by [`create`]: the secret is shown once and never stored.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CreatedToken {
    pub id: String,
    pub name: String,
    pub role: Role,
    pub environments: Option<Vec<String>>,
    /// The bearer token. Shown once: only its SHA-256 is stored.
    pub token: String,
}

/// The prefix of every token, so that secret scanners can find leaked ones.
pub const TOKEN_PREFIX: &str = "vigil_";

/// SHA-256 of a token, as stored.
pub fn hash(token: &str) -> String {
    vigil_engine::sha256(token.as_bytes())
}

/// Creates a token in `tx` (committed by the caller).
pub fn create(
    tx: &mut Tx<'_>,
    name: &str,
    role: Role,
    environments: Option<Vec<String>>,
    created_by: Option<&str>,
    now: time::OffsetDateTime,
) -> Result<CreatedToken, ApiError> {
    if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err(ApiError::bad_request(
            "a token name is 1 to 200 printable characters",
        ));
    }
    if let Some(envs) = &environments {
        if envs.is_empty() {
            return Err(ApiError::bad_request(
                "give at least one environment, or none for every environment",
            ));
        }
        if let Some(bad) = envs
            .iter()
            .find(|e| e.is_empty() || e.chars().count() > 200)
        {
            return Err(ApiError::bad_request(format!(
                "environment name {bad:?}: 1 to 200 characters"
            )));
        }
    }
    let mut rng = rand::rng();
    let mut id = [0u8; 8];
    rng.fill_bytes(&mut id);
    let mut secret = [0u8; 32];
    rng.fill_bytes(&mut secret);
    let id = format!("tok_{}", hex::encode(id));
    let token = format!("{TOKEN_PREFIX}{}", hex::encode(secret));
    tx.insert_token(
        &NewToken {
            id: &id,
            name,
            role: role.as_str(),
            environments: environments.as_deref(),
            secret_sha256: &hash(&token),
            created_by,
        },
        now,
    )?;
    tx.notify(TOKENS_CHANNEL, &id)?;
    Ok(CreatedToken {
        id,
        name: name.to_owned(),
        role,
        environments,
        token,
    })
}

/// Tokens seen recently, by the SHA-256 of their secret. Entries expire after a
/// minute, and are dropped at once when any process on the store changes a token.
#[derive(Debug, Default)]
pub struct TokenCache {
    entries: Mutex<HashMap<String, (Option<Principal>, Instant)>>,
    /// Moves on every clear, under the entries' lock: a lookup that began before a
    /// change may have read the token as it was, so its answer is not cached.
    generation: std::sync::atomic::AtomicU64,
}

const CACHE_TTL: Duration = Duration::from_secs(60);
const CACHE_MAX: usize = 10_000;

impl TokenCache {
    /// `Some(Some(p))` known, `Some(None)` known to be invalid, `None` not cached.
    pub fn get(&self, hash: &str) -> Option<Option<Principal>> {
        let entries = self.entries.lock().ok()?;
        let (p, at) = entries.get(hash)?;
        (at.elapsed() < CACHE_TTL).then(|| p.clone())
    }

    /// The generation to pass to [`TokenCache::put`]: read before the lookup starts.
    pub fn generation(&self) -> u64 {
        self.generation.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Caches a lookup's answer, unless a token changed since `generation` was read.
    pub fn put(&self, hash: String, p: Option<Principal>, generation: u64) {
        if let Ok(mut entries) = self.entries.lock() {
            if self.generation() != generation {
                return;
            }
            if entries.len() >= CACHE_MAX {
                entries.retain(|_, (_, at)| at.elapsed() < CACHE_TTL);
                if entries.len() >= CACHE_MAX {
                    entries.clear();
                }
            }
            entries.insert(hash, (p, Instant::now()));
        }
    }

    pub fn clear(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            self.generation
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            entries.clear();
        }
    }
}

/// Looks a token up in the store: the principal, or `None` for an unknown or revoked one.
pub fn lookup(tx: &mut Tx<'_>, hash: &str) -> vigil_store::Result<Option<Principal>> {
    Ok(tx
        .token_by_secret(hash)?
        .filter(|t| t.revoked_at.is_none())
        .and_then(Principal::from_token))
}

/// Requests per token per second, with a burst.
#[derive(Debug)]
pub struct Limiter {
    limiter: DefaultKeyedRateLimiter<String>,
}

impl Limiter {
    pub fn new(per_second: u32, burst: u32) -> Limiter {
        let per_second = NonZeroU32::new(per_second.max(1)).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(burst.max(1)).unwrap_or(NonZeroU32::MIN);
        Limiter {
            limiter: RateLimiter::keyed(Quota::per_second(per_second).allow_burst(burst)),
        }
    }

    pub fn check(&self, token_id: &str) -> Result<(), ApiError> {
        match self.limiter.check_key(&token_id.to_owned()) {
            Ok(()) => Ok(()),
            Err(not_until) => {
                let wait = not_until.wait_time_from(governor::clock::Clock::now(
                    &governor::clock::DefaultClock::default(),
                ));
                let mut e = ApiError::new(
                    axum::http::StatusCode::TOO_MANY_REQUESTS,
                    "rate_limited",
                    format!("token {token_id} is over its rate limit; retry shortly"),
                );
                e.retry_after = Some(wait.as_secs().max(1));
                Err(e)
            }
        }
    }

    /// Forgets tokens that have been idle, so the map stays small.
    pub fn shrink(&self) {
        self.limiter.retain_recent();
    }
}

/// Shared by every request.
pub type SharedLimiter = Arc<Limiter>;
