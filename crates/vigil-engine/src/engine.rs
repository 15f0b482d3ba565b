//! The engine over a store: every operation that changes evidence (a release, a
//! deployment, advisories, exploit intelligence) runs in one transaction with the
//! matching it causes, so the store never holds a release without its findings or an
//! advisory without its matches.

use std::sync::Arc;

use time::OffsetDateTime;
use vigil_store::Store;

use crate::advisories::SourceLimits;
use crate::clock::{Clock, SystemClock};
use crate::error::{EngineError, Result};

/// Bounds on what one operation may take in.
#[derive(Clone, Debug)]
pub struct Limits {
    pub sbom: vigil_sbom::Limits,
    pub source: SourceLimits,
    pub intel: vigil_intel::Limits,
    /// Advisories per transaction during an import.
    pub advisory_batch: usize,
    /// Most compiled advisories kept in memory between operations; past it the cache
    /// starts again.
    pub advisory_cache: usize,
    /// Longest service, environment or application name.
    pub max_name_len: usize,
    /// Longest release version.
    pub max_version_len: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            sbom: vigil_sbom::Limits::default(),
            source: SourceLimits::default(),
            intel: vigil_intel::Limits::default(),
            advisory_batch: 500,
            advisory_cache: 250_000,
            max_name_len: 200,
            max_version_len: 256,
        }
    }
}

/// The engine: a store, a clock and limits.
#[derive(Debug)]
pub struct Engine {
    pub(crate) store: Store,
    pub(crate) clock: Arc<dyn Clock>,
    pub limits: Limits,
    /// Advisories compiled before, checked against the store's `modified` before use, so
    /// a long-running process parses each version of a record once.
    pub(crate) cache: vigil_match::Index,
    /// Told of every change this engine commits.
    pub changes: crate::changes::Changes,
}

impl Engine {
    /// An engine on `store` with the system clock and default limits.
    pub fn new(store: Store) -> Engine {
        Engine::with_clock(store, Arc::new(SystemClock))
    }

    pub fn with_clock(store: Store, clock: Arc<dyn Clock>) -> Engine {
        Engine {
            store,
            clock,
            limits: Limits::default(),
            cache: vigil_match::Index::new(),
            changes: crate::changes::Changes::default(),
        }
    }

    pub fn store(&mut self) -> &mut Store {
        &mut self.store
    }

    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// Checks a service, environment or application name.
    pub(crate) fn check_name(&self, what: &str, name: &str) -> Result<()> {
        if name.trim().is_empty() {
            return Err(EngineError::Invalid(format!("the {what} name is empty")));
        }
        if name.len() > self.limits.max_name_len {
            return Err(EngineError::Invalid(format!(
                "the {what} name is {} bytes long; the limit is {}",
                name.len(),
                self.limits.max_name_len
            )));
        }
        if name != name.trim() || name.chars().any(char::is_control) {
            return Err(EngineError::Invalid(format!(
                "the {what} name {name:?} has surrounding spaces or control characters"
            )));
        }
        Ok(())
    }

    pub(crate) fn check_version(&self, version: &str) -> Result<()> {
        if version.trim().is_empty() || version != version.trim() {
            return Err(EngineError::Invalid(format!(
                "the release version {version:?} is empty or has surrounding spaces"
            )));
        }
        if version.len() > self.limits.max_version_len || version.chars().any(char::is_control) {
            return Err(EngineError::Invalid(format!(
                "the release version {version:?} is longer than {} bytes or has control characters",
                self.limits.max_version_len
            )));
        }
        Ok(())
    }
}

/// Checks an artifact digest: `sha256:` and 64 lower-case hex digits (or `sha384:`,
/// `sha512:` with 96 and 128), as OCI and in-toto write them.
pub fn check_digest(digest: &str) -> Result<()> {
    let invalid = |why: &str| {
        EngineError::Invalid(format!(
            "digest {digest:?} {why}; write it as sha256: followed by 64 lower-case hex digits"
        ))
    };
    let (algorithm, hex) = digest
        .split_once(':')
        .ok_or_else(|| invalid("has no algorithm prefix"))?;
    let len = match algorithm {
        "sha256" => 64,
        "sha384" => 96,
        "sha512" => 128,
        _ => {
            return Err(invalid(
                "uses an algorithm other than sha256, sha384 or sha512",
            ));
        }
    };
    if hex.len() != len
        || !hex
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return Err(invalid(&format!("is not {len} lower-case hex digits")));
    }
    Ok(())
}

/// The SHA-256 of `bytes`, in lower-case hex.
pub fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::check_digest;

    #[test]
    fn digests_are_checked() {
        let ok = format!("sha256:{}", "a".repeat(64));
        assert!(check_digest(&ok).is_ok());
        for bad in [
            "sha256:abc".to_owned(),
            format!("sha256:{}", "A".repeat(64)),
            format!("md5:{}", "a".repeat(32)),
            "a".repeat(64),
        ] {
            assert!(check_digest(&bad).is_err(), "{bad}");
        }
    }
}
