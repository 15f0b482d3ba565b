//! Bounds on what one file may make the parsers do.

use crate::Error;

/// Bounds on a KEV catalog or an EPSS file, each reported by name when reached.
///
/// The defaults admit the real files with a wide margin (in 2025 the KEV catalog has
/// about 1,400 entries in 1.5 MB; the EPSS file about 300,000 rows in 10 MB); lower
/// them for files from untrusted sources.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of the document after decompression (for input that is not compressed,
    /// its size). Bounds gzip bombs: decompression stops here. Default 256 MiB.
    pub max_decompressed_bytes: u64,
    /// Entries in a KEV catalog's `vulnerabilities`. Default 100,000.
    pub max_kev_entries: usize,
    /// Score rows in an EPSS file. Default 5,000,000.
    pub max_epss_rows: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_decompressed_bytes: 256 * 1024 * 1024,
            max_kev_entries: 100_000,
            max_epss_rows: 5_000_000,
        }
    }
}

impl Limits {
    pub(crate) fn size_error(&self, at: String) -> Error {
        Error::LimitExceeded {
            limit: "max_decompressed_bytes",
            what: "document size",
            max: self.max_decompressed_bytes,
            at,
        }
    }

    pub(crate) fn check_size(&self, len: usize) -> Result<(), Error> {
        if len as u64 > self.max_decompressed_bytes {
            return Err(self.size_error(format!(" ({len} bytes)")));
        }
        Ok(())
    }
}
