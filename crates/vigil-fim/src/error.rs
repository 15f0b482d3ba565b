//! The one error type of the crate: what failed, on which path, and what to do about it.

/// Why a tree could not be read, or a manifest could not be parsed.
///
/// Paths in messages are the root as given joined with the entry's relative path, in
/// the escaped form of [`RelPath`](crate::RelPath) (UTF-8 as is, other bytes as `\xNN`).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The root given to [`baseline`](crate::baseline) or [`check`](crate::check) is not a
    /// directory (or a symlink to one).
    #[error("{path}: not a directory; give the directory the artifact is deployed in")]
    NotADirectory { path: String },

    /// A system call on a path failed: the file is unreadable, the directory cannot be
    /// listed, and so on.
    #[error("{path}: cannot {action}: {source}")]
    Io {
        path: String,
        /// What was attempted: `open`, `read`, `list`, `stat`, `read the link`.
        action: &'static str,
        #[source]
        source: std::io::Error,
    },

    /// The tree changed while it was read: a listed entry was gone, or a file was
    /// replaced or changed size while it was hashed. The result would not describe any
    /// one state of the tree.
    #[error(
        "{path}: {what}; the tree changed while it was read: run again once it is not being changed"
    )]
    Changed { path: String, what: String },

    /// A [`Limits`](crate::Limits) bound was reached.
    #[error(
        "{what} exceeds the limit Limits::{limit} = {max}{at}; if the tree or manifest is expected to be this large, raise it: Limits {{ {limit}: .., ..Limits::default() }}"
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

    /// An exclusion pattern of [`Options::exclude`](crate::Options::exclude) is not a
    /// valid glob.
    #[error("exclusion pattern {pattern:?}: {message}")]
    Pattern { pattern: String, message: String },

    /// A manifest is not JSON of the manifest's shape.
    #[error("manifest: line {line}, column {column}: {message}")]
    Json {
        line: usize,
        column: usize,
        message: String,
    },

    /// A manifest is well-formed JSON but says something impossible (entries out of
    /// order, a parent missing, totals that do not add up).
    #[error("manifest: {at}: {message}")]
    Manifest {
        /// `entries[12] (lib/x.so)`, `totals`, or `.` for the document.
        at: String,
        message: String,
    },
}

/// The result type of the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
