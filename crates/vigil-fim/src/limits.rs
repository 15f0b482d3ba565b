//! Bounds on what one tree or one manifest may make the crate do.

use crate::Error;

/// Bounds on a tree walked by [`baseline`](crate::baseline) and on a manifest read by
/// [`Manifest::from_json`](crate::Manifest::from_json), each reported by name when
/// reached.
///
/// The defaults admit any deployed artifact one would reasonably check (a container
/// image's root file system has some 10,000 to 100,000 entries) with a wide margin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Entries (files, directories, symlinks, others, the root included) in one tree or
    /// manifest. A manifest entry takes some 300 bytes of memory. Default 5,000,000.
    pub max_entries: usize,
    /// Files larger than this are recorded (size, mode, owner) but not hashed: their
    /// `sha256` is absent and [`compare`](crate::compare) compares their size only.
    /// Files are always hashed a buffer at a time, never read whole into memory, so
    /// this bounds time, not memory. Default 64 GiB.
    pub max_hashed_file_size: u64,
    /// Directory levels below the root. Default 256.
    pub max_depth: usize,
    /// Bytes of one relative path or symlink target (Linux's `PATH_MAX` is 4,096).
    /// Default 4,096.
    pub max_path_bytes: usize,
    /// Bytes of a manifest document read by
    /// [`Manifest::from_json`](crate::Manifest::from_json). Default 2 GiB.
    pub max_manifest_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_entries: 5_000_000,
            max_hashed_file_size: 64 << 30,
            max_depth: 256,
            max_path_bytes: 4096,
            max_manifest_bytes: 2 << 30,
        }
    }
}

impl Limits {
    pub(crate) fn entries_error(&self, at: String) -> Error {
        Error::LimitExceeded {
            limit: "max_entries",
            what: "number of entries",
            max: self.max_entries as u64,
            at,
        }
    }

    pub(crate) fn path_error(&self, at: String) -> Error {
        Error::LimitExceeded {
            limit: "max_path_bytes",
            what: "path length",
            max: self.max_path_bytes as u64,
            at,
        }
    }
}
