//! Bounds on what one report or one request of alerts may make the reader do.

use crate::Error;

/// Bounds on a document, each reported by name when reached.
///
/// The defaults admit the largest real reports with a wide margin (a Trivy report of a
/// big image is a few MiB, CodeQL's SARIF for a large repository some tens); lower them
/// for documents from sources you do not trust, such as alerts posted to an API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Bytes in the document. Default 256 MiB.
    pub max_document_bytes: usize,
    /// Items read from one document: SARIF results, ZAP alert instances, Trivy and Grype
    /// vulnerabilities, Nikto findings, Falco alerts. Default 1,000,000.
    pub max_items: usize,
    /// Bytes in any one JSON string, keys included, counted as written (escapes
    /// included). Default 1 MiB.
    pub max_string_bytes: usize,
    /// Nesting depth of JSON arrays and objects. Default 64; the deepest real SARIF
    /// (code flows) nests about 15.
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_document_bytes: 256 * 1024 * 1024,
            max_items: 1_000_000,
            max_string_bytes: 1024 * 1024,
            max_depth: 64,
        }
    }
}

impl Limits {
    pub(crate) fn check_size(&self, format: &'static str, len: usize) -> Result<(), Error> {
        if len > self.max_document_bytes {
            return Err(Error::LimitExceeded {
                format,
                limit: "max_document_bytes",
                what: "document size in bytes",
                found: len,
                max: self.max_document_bytes,
                at: String::new(),
            });
        }
        Ok(())
    }

    /// Fails when `count` items are more than allowed; `what` names them.
    pub(crate) fn check_items(
        &self,
        format: &'static str,
        what: &'static str,
        count: usize,
    ) -> Result<(), Error> {
        if count > self.max_items {
            return Err(Error::LimitExceeded {
                format,
                limit: "max_items",
                what,
                found: count,
                max: self.max_items,
                at: String::new(),
            });
        }
        Ok(())
    }
}
