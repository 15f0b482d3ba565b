//! Bounds on what one document may make the reader do.

use crate::Error;

/// Bounds on a document, each reported by name when reached.
///
/// The defaults admit every real SBOM seen so far with a wide margin; lower them for
/// documents from untrusted sources.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Bytes in the document. Default 512 MiB.
    pub max_document_bytes: usize,
    /// Components (packages) in the document, nested ones included. Default 1,000,000.
    pub max_components: usize,
    /// Nesting depth: JSON arrays and objects, XML elements, and components within
    /// components. Default 64.
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_document_bytes: 512 * 1024 * 1024,
            max_components: 1_000_000,
            max_depth: 64,
        }
    }
}

impl Limits {
    pub(crate) fn check_size(&self, len: usize) -> Result<(), Error> {
        if len > self.max_document_bytes {
            return Err(Error::LimitExceeded {
                limit: "max_document_bytes",
                what: "document size",
                max: self.max_document_bytes,
                at: format!(" ({len} bytes)"),
            });
        }
        Ok(())
    }

    pub(crate) fn check_components(
        &self,
        count: usize,
        at: impl FnOnce() -> String,
    ) -> Result<(), Error> {
        if count > self.max_components {
            return Err(Error::LimitExceeded {
                limit: "max_components",
                what: "component count",
                max: self.max_components,
                at: format!(" at {}", at()),
            });
        }
        Ok(())
    }

    pub(crate) fn depth_error(&self, what: &'static str, at: String) -> Error {
        Error::LimitExceeded {
            limit: "max_depth",
            what,
            max: self.max_depth,
            at: format!(" at {at}"),
        }
    }
}
