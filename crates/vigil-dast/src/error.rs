//! The scanner's errors: a configuration it refuses, or a target it cannot reach at all.

/// Why a scan did not run. Requests that fail once the target has answered are not
/// errors: they are listed in [`Report::errors`](crate::Report::errors) and the scan goes on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The target URL does not parse, is not http(s), or carries credentials.
    #[error("target URL {url:?}: {reason}")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A setting is out of range.
    #[error("scan setting {setting}: {reason}")]
    InvalidConfig {
        /// The field of [`ScanConfig`](crate::ScanConfig) or [`Limits`](crate::Limits).
        setting: &'static str,
        /// What is wrong and what is allowed.
        reason: String,
    },
    /// The target URL itself gave no HTTP response (refused, timed out, TLS failed), so
    /// nothing was checked.
    #[error("no answer from {url}: {reason}")]
    Unreachable {
        /// The target URL.
        url: String,
        /// The transport error.
        reason: String,
    },
}
