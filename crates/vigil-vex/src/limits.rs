//! Bounds on what one document may make the reader do.

use crate::Error;

/// Bounds on a document, each reported by name when reached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Bytes in the document. Default 16 MiB: the largest real VEX documents are a few
    /// hundred KiB, and an SBOM with embedded VEX that needs more should be split.
    pub max_document_bytes: usize,
    /// Statements in the document, after CycloneDX `affects[].versions[]` are split into
    /// statements by status. Default 100,000.
    pub max_statements: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_document_bytes: 16 * 1024 * 1024,
            max_statements: 100_000,
        }
    }
}

impl Limits {
    pub(crate) fn check_size(&self, len: usize) -> Result<(), Error> {
        if len > self.max_document_bytes {
            return Err(Error::LimitExceeded {
                limit: "max_document_bytes",
                what: "document size in bytes",
                found: len,
                max: self.max_document_bytes,
            });
        }
        Ok(())
    }

    pub(crate) fn check_statements(&self, count: usize) -> Result<(), Error> {
        if count > self.max_statements {
            return Err(Error::LimitExceeded {
                limit: "max_statements",
                what: "statement count",
                found: count,
                max: self.max_statements,
            });
        }
        Ok(())
    }
}
