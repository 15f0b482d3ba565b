//! The one error type of the crate: what went wrong, where, and what to do about it.

use crate::Format;

/// Why a document could not be read.
///
/// Every variant says where: a path into the document such as `components[3].purl`, or
/// `line N` for tag-value and XML.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The bytes are none of the supported formats.
    #[error(
        "not a supported SBOM: expected CycloneDX JSON (\"bomFormat\": \"CycloneDX\"), CycloneDX XML (<bom xmlns=\"http://cyclonedx.org/schema/bom/1.x\">), SPDX 2.2/2.3 JSON (\"spdxVersion\": \"SPDX-2.x\"), SPDX 2.2/2.3 tag-value (SPDXVersion: SPDX-2.x) or SPDX 3.0 JSON-LD (\"@context\": \"https://spdx.org/rdf/3.0.x/spdx-context.jsonld\"); found {found}"
    )]
    UnknownFormat {
        /// What the document starts with or declares instead.
        found: String,
    },

    /// The document declares a version of its format this crate does not read.
    #[error("{format}: unsupported spec version {version:?}; supported: {supported}")]
    UnsupportedVersion {
        format: Format,
        version: String,
        supported: &'static str,
    },

    /// A [`Limits`](crate::Limits) bound was reached.
    #[error(
        "{what} exceeds the limit Limits::{limit} = {max}{at}; if the document is trusted, raise it: vigil_sbom::parse_with_limits(bytes, &Limits {{ {limit}: .., ..Limits::default() }})"
    )]
    LimitExceeded {
        /// The field of [`Limits`](crate::Limits).
        limit: &'static str,
        /// What was being counted.
        what: &'static str,
        max: usize,
        /// Where, with a leading separator, or empty.
        at: String,
    },

    /// The bytes are not well-formed JSON, XML or tag-value.
    #[error("{format}: malformed document at {at}: {message}")]
    Syntax {
        format: Format,
        at: String,
        message: String,
    },

    /// The document is well-formed but unusable: a required field is missing or a value
    /// that Vigil relies on is wrong.
    #[error("{format}: {at}: {message}")]
    Invalid {
        format: Format,
        at: String,
        message: String,
    },
}

impl Error {
    pub(crate) fn invalid(
        format: Format,
        at: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Error::Invalid {
            format,
            at: at.into(),
            message: message.into(),
        }
    }

    pub(crate) fn syntax(
        format: Format,
        at: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Error::Syntax {
            format,
            at: at.into(),
            message: message.into(),
        }
    }
}

/// `line N` for an offset into `bytes`, 1-based, for messages.
pub(crate) fn line_of(bytes: &[u8], offset: usize) -> String {
    let end = offset.min(bytes.len());
    let line = bytes[..end].iter().filter(|&&b| b == b'\n').count() + 1;
    format!("line {line}")
}
