//! The one error type of the crate: what went wrong, where, and what to do about it.

/// Why a KEV catalog or an EPSS file could not be read.
///
/// Every variant says where: a JSON path such as `vulnerabilities[12].dateAdded` for
/// KEV, `line N` for EPSS.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A [`Limits`](crate::Limits) bound was reached.
    #[error(
        "{what} exceeds the limit Limits::{limit} = {max}{at}; if the file is trusted, raise it: Limits {{ {limit}: .., ..Limits::default() }}"
    )]
    LimitExceeded {
        /// The field of [`Limits`](crate::Limits).
        limit: &'static str,
        /// What was being counted.
        what: &'static str,
        max: u64,
        /// Where, with a leading separator, or empty.
        at: String,
    },

    /// The KEV catalog is not JSON of the catalog's shape, or a field's value is wrong.
    #[error("KEV catalog: {path}: {message}")]
    Kev {
        /// JSON path of the offending value (`vulnerabilities[12].dateAdded`), or `.`
        /// for the document.
        path: String,
        message: String,
    },

    /// The KEV catalog's `count` is not the number of its `vulnerabilities`.
    #[error("KEV catalog: count is {count} but vulnerabilities has {entries} entries")]
    KevCount { count: u64, entries: usize },

    /// A line of the EPSS file is wrong.
    #[error("EPSS scores: line {line}: {message}")]
    Epss {
        /// 1-based line number in the (decompressed) file.
        line: u64,
        message: String,
    },

    /// The gzip stream of a compressed EPSS file is corrupt or truncated.
    #[error("EPSS scores: gzip stream after line {line}: {message}")]
    Gzip { line: u64, message: String },
}
