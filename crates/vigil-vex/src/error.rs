//! The one error type of the crate: what went wrong, where, and what to do about it.

/// Why a document could not be read.
///
/// Every variant that concerns one value says where it is, as a path into the document:
/// `statements[3].status: unknown status "foo"; expected one of ...`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The bytes are no VEX format this crate reads.
    #[error(
        "not a supported VEX document: expected OpenVEX JSON or YAML (\"@context\": \"https://openvex.dev/ns/v0.2.0\") or CycloneDX JSON or XML with vulnerabilities; found {found}"
    )]
    UnknownFormat {
        /// What the document starts with or declares instead.
        found: String,
    },

    /// The document declares a version of its format this crate does not read.
    #[error("{format}: unsupported version {version:?} (at {at}); supported: {supported}")]
    UnsupportedVersion {
        format: &'static str,
        version: String,
        at: &'static str,
        supported: &'static str,
    },

    /// A [`Limits`](crate::Limits) bound was reached.
    #[error(
        "{what} {found} exceeds the limit Limits::{limit} = {max}; if the document is trusted, raise it: vigil_vex::parse_with_limits(bytes, &Limits {{ {limit}: .., ..Limits::default() }})"
    )]
    LimitExceeded {
        /// The field of [`Limits`](crate::Limits).
        limit: &'static str,
        /// What was counted.
        what: &'static str,
        found: usize,
        max: usize,
    },

    /// The bytes are not well-formed JSON or YAML, or a value has the wrong type.
    #[error("{format}: malformed document at {at}: {message}")]
    Syntax {
        format: &'static str,
        at: String,
        message: String,
    },

    /// The document is well-formed but a value is unusable: a required field is missing
    /// or a label is unknown.
    #[error("{at}: {message}")]
    Invalid { at: String, message: String },

    /// The CycloneDX reader rejected the document.
    #[error(transparent)]
    CycloneDx(#[from] vigil_sbom::Error),
}

impl Error {
    pub(crate) fn invalid(at: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Invalid {
            at: at.into(),
            message: message.into(),
        }
    }
}
