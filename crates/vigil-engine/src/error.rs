//! What can go wrong in the engine's operations on the store. Input errors name what is
//! wrong and what to do; store errors pass through.

use vigil_store::StoreError;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("SBOM: {0}")]
    Sbom(#[from] vigil_sbom::Error),
    #[error(transparent)]
    Source(#[from] crate::advisories::SourceError),
    #[error("{0}")]
    Intel(#[from] vigil_intel::Error),
    #[error(transparent)]
    Feed(#[from] crate::feed::FeedError),
    /// Something the caller named does not exist.
    #[error("{what}{}", hint.as_deref().map(|h| format!("; {h}")).unwrap_or_default())]
    NotFound { what: String, hint: Option<String> },
    /// The request contradicts what is stored.
    #[error("{0}")]
    Conflict(String),
    /// A value given is not valid.
    #[error("{0}")]
    Invalid(String),
}

impl EngineError {
    /// Whether the caller's input is at fault (exit code 2 in the CLI), not the system.
    pub fn is_input(&self) -> bool {
        match self {
            EngineError::Store(e) => matches!(e, StoreError::Conflict(_) | StoreError::Input(_)),
            EngineError::Feed(_) => false,
            _ => true,
        }
    }
}

/// Results of the engine.
pub type Result<T, E = EngineError> = std::result::Result<T, E>;
