//! The one error type of the crate: what is wrong with a report, in which format, and where.

/// Why a report or an alert could not be read.
///
/// `format` is the name of what was being read (`SARIF`, `Trivy JSON`, `Falco alert`, …)
/// and `at` a path into the document (`runs[0].results[3].locations[0]`) with the line
/// and column where serde_json knows them.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A format name that is none of the formats read.
    #[error("unknown report format {name:?}; expected one of sarif, zap, trivy, grype, nikto")]
    UnknownFormatName {
        /// The name as given.
        name: String,
    },

    /// A [`Limits`](crate::Limits) bound was reached.
    #[error(
        "{format}: {what} {found} exceeds the limit Limits::{limit} = {max}{at}; if the report is trusted, raise the limit"
    )]
    LimitExceeded {
        format: &'static str,
        /// The field of [`Limits`](crate::Limits).
        limit: &'static str,
        /// What was counted.
        what: &'static str,
        found: usize,
        max: usize,
        /// Where, with a leading space (` at line 3, column 7`), or empty.
        at: String,
    },

    /// The bytes are not well-formed JSON.
    #[error("{format}: malformed JSON at {at}: {message}")]
    Syntax {
        format: &'static str,
        at: String,
        message: String,
    },

    /// Well-formed JSON whose value at `at` is not what the format has there: a missing
    /// field, a wrong type, an unknown label.
    #[error("{format}: {at}: {message}")]
    Invalid {
        format: &'static str,
        at: String,
        message: String,
    },

    /// Well-formed JSON that is some other document than the format asked for.
    #[error("not a {format} document: {found}")]
    WrongFormat {
        format: &'static str,
        /// What the document is or lacks instead.
        found: String,
    },
}

impl Error {
    pub(crate) fn invalid(
        format: &'static str,
        at: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Error::Invalid {
            format,
            at: at.into(),
            message: message.into(),
        }
    }
}
