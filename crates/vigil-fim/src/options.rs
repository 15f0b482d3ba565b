//! What [`baseline`](crate::baseline) and [`check`](crate::check) are told.

use crate::Limits;

/// How a tree is read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// Threads that hash files, besides the one that walks the tree. 0 counts as 1.
    /// Default: twice the machine's available parallelism, at least 8. More threads
    /// than cores pay off when the files are not in the page cache: a thread waiting
    /// for the disk leaves its core to another, and the disk gets several reads at once
    /// (on the 2-core benchmark machine, 100,000 files from a cold cache: 11 to 13 s
    /// with 2 threads, 6 s with 8; from a warm cache the thread count made no difference
    /// beyond noise).
    pub threads: usize,
    /// Glob patterns of paths to leave out, matched against the whole path relative to
    /// the root (`logs/**`, `**/*.pyc`, `run/app.pid`): `*` and `?` do not match `/`,
    /// `**` matches any number of components. A directory that matches is left out with
    /// everything in it. The root is never left out. [`check`](crate::check) uses the
    /// patterns recorded in the manifest instead, so a check sees the tree the baseline
    /// saw.
    pub exclude: Vec<String>,
    pub limits: Limits,
    /// What [`check`](crate::check) compares.
    pub compare: CompareOptions,
    /// Lets [`check`](crate::check) take a file's digest from the manifest instead of
    /// hashing it again when its size, mtime, ctime and inode are all unchanged. Much
    /// faster on a large tree; it trusts the file system's timestamps (ctime cannot be
    /// set back by a system call, but can be by changing the clock or writing the
    /// device). Default false: every file is hashed.
    pub trust_unchanged_metadata: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            threads: std::thread::available_parallelism()
                .map_or(1, usize::from)
                .saturating_mul(2)
                .max(8),
            exclude: Vec::new(),
            limits: Limits::default(),
            compare: CompareOptions::default(),
            trust_unchanged_metadata: false,
        }
    }
}

/// What [`compare`](crate::compare) looks at beyond kind, content, size, link target,
/// mode and owner, which it always compares.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CompareOptions {
    /// Report a changed modification time. Default false: deployments often rewrite
    /// files with the same content, and a changed mtime alone is rarely a finding.
    pub mtime: bool,
}
