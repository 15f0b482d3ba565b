//! What can stop a benchmark run: the engine or store refusing an operation, a
//! generated document the parsers reject (a bug in the generator), files that cannot be
//! read or written.

use vigil_engine::EngineError;
use vigil_engine::advisories::SourceError;
use vigil_store::StoreError;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BenchError {
    #[error("the engine refused {during}: {source}")]
    Engine {
        during: String,
        #[source]
        source: EngineError,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("reading the real advisories: {0}")]
    Source(#[from] SourceError),
    #[error("generated {what} does not parse: {reason}")]
    Generated { what: String, reason: String },
    #[error("writing JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
    #[error("PostgreSQL: {0}")]
    Postgres(#[from] postgres::Error),
    #[error("invalid benchmark configuration: {0}")]
    Config(String),
}

impl BenchError {
    pub(crate) fn engine(during: impl Into<String>) -> impl FnOnce(EngineError) -> BenchError {
        let during = during.into();
        move |source| BenchError::Engine { during, source }
    }

    pub(crate) fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> BenchError {
        let what = what.into();
        move |source| BenchError::Io { what, source }
    }
}

/// Results of the benchmark.
pub type Result<T, E = BenchError> = std::result::Result<T, E>;
