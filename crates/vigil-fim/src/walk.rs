//! Reading a tree: one thread walks it, the others hash its files.
//!
//! The walk never follows a symlink and never leaves the root, even while the tree
//! changes under it: every name is looked up relative to its directory's descriptor
//! (`fstatat`, `openat`) with `O_NOFOLLOW`, and what is opened is checked to be what
//! was listed (same inode, same kind). A name that vanishes or changes kind between the
//! two is an [`Error::Changed`], not a silent skip.
//!
//! Directories are listed depth first. A directory's descriptor is shared (`Arc`) by
//! the jobs of its files and the entries of its subdirectories still to visit, so
//! descriptors in use stay near the depth of the tree plus the queue's length,
//! whatever the width of a directory.

use std::ffi::{CString, OsStr};
use std::io::Read as _;
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt as _;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, SyncSender, sync_channel};
use std::sync::{Arc, Mutex, mpsc};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use rustix::fs::{AtFlags, Dir, FileType, Mode as OpenMode, OFlags, Stat};
use rustix::io::Errno;
use sha2::Digest as _;
use time::OffsetDateTime;

use crate::entry::{Entry, FileTime, Kind, Mode, Sha256};
use crate::manifest::Manifest;
use crate::path::{LinkTarget, RelPath, escape};
use crate::{Changes, Error, Options, Result, compare};

/// Bytes read at a time from a file being hashed. On the 100,000-file tree of
/// scripts/bench-fim, from the page cache, 64 KiB, 256 KiB and 1 MiB took the same user
/// time (about 2.0 s, the SHA-256 itself) and 64 KiB the least system time (1.3 to
/// 1.4 s against 1.5 to 1.8 s): the buffer stays in the core's L2 cache between the
/// kernel's copy and the hash. Files are never mapped: mapping needs unsafe code, which
/// the workspace forbids.
const READ_BUFFER: usize = 64 * 1024;

/// Files listed but not yet taken by a hashing thread.
const QUEUE: usize = 4096;

/// Records every entry of the tree at `root` (the root included, as `.`), hashing its
/// regular files with SHA-256 on [`Options::threads`] threads.
///
/// `root` must be a directory or a symlink to one (the only symlink followed). Entries
/// matching [`Options::exclude`] are left out; files larger than
/// [`Limits::max_hashed_file_size`](crate::Limits::max_hashed_file_size) are recorded
/// without a digest. Files are read a buffer at a time: memory does not grow with file
/// size.
///
/// # Errors
///
/// [`Error::NotADirectory`] for a root that is not a directory; [`Error::Io`] naming
/// the path and the call for an entry that cannot be listed, examined or read (an
/// unreadable file fails the whole baseline: a manifest with a hole would certify
/// what it never saw); [`Error::Changed`] when the tree changed while it was read;
/// [`Error::LimitExceeded`]; [`Error::Pattern`] for a bad exclusion pattern.
pub fn baseline(root: impl AsRef<Path>, options: &Options) -> Result<Manifest> {
    read_tree(root.as_ref(), options, &options.exclude, None)
}

/// Reads the tree at `root` again, leaving out the paths `manifest` left out
/// ([`Manifest::exclude`]), and compares it with `manifest` by
/// [`Options::compare`](crate::Options::compare).
///
/// Every file is hashed again unless [`Options::trust_unchanged_metadata`] is set.
///
/// # Errors
///
/// Those of [`baseline`].
pub fn check(root: impl AsRef<Path>, manifest: &Manifest, options: &Options) -> Result<Changes> {
    let previous = options.trust_unchanged_metadata.then_some(manifest);
    let now = read_tree(root.as_ref(), options, &manifest.exclude, previous)?;
    Ok(compare(manifest, &now, &options.compare))
}

fn read_tree(
    root: &Path,
    options: &Options,
    exclude: &[String],
    previous: Option<&Manifest>,
) -> Result<Manifest> {
    let root_text = escape(root.as_os_str().as_bytes());
    let excluded = exclusions(exclude)?;
    let created = OffsetDateTime::now_utc();
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
    let root_fd = rustix::fs::open(root, flags, OpenMode::empty()).map_err(|e| match e {
        Errno::NOTDIR => Error::NotADirectory {
            path: root_text.clone(),
        },
        e => io_error(root_text.clone(), "open", e),
    })?;
    let root_stat =
        rustix::fs::fstat(&root_fd).map_err(|e| io_error(root_text.clone(), "stat", e))?;

    let stop = AtomicBool::new(false);
    let (jobs, job_queue) = sync_channel::<Job>(QUEUE);
    let job_queue = Mutex::new(job_queue);
    let (results, hashed) = mpsc::channel::<(usize, Result<Sha256>)>();
    let mut walker = Walker {
        root_text: &root_text,
        limits: &options.limits,
        excluded,
        previous,
        entries: vec![entry(RelPath::root(), Kind::Dir, &root_stat, 0)],
        jobs,
        stop: &stop,
    };

    let entries = std::thread::scope(|scope| -> Result<Vec<Entry>> {
        let (job_queue, stop) = (&job_queue, &stop);
        for _ in 0..options.threads.max(1) {
            let results = results.clone();
            std::thread::Builder::new()
                .name("vigil-fim-hash".to_owned())
                .spawn_scoped(scope, move || hash_files(job_queue, &results, stop))
                .map_err(|e| Error::Io {
                    path: root_text.clone(),
                    action: "start a hashing thread to read",
                    source: e,
                })?;
        }
        drop(results);
        let walked = walker.walk(root_fd);
        // Closing the queue lets the hashing threads finish; on an error they skip what
        // is left in it.
        drop(walker.jobs);
        if walked.is_err() {
            stop.store(true, Ordering::Relaxed);
        }
        let mut entries = walker.entries;
        let mut failed = None;
        for (index, result) in hashed {
            match result {
                Ok(digest) => {
                    entries[index].kind = Kind::File {
                        sha256: Some(digest),
                    }
                }
                Err(e) => {
                    stop.store(true, Ordering::Relaxed);
                    failed.get_or_insert(e);
                }
            }
        }
        walked?;
        match failed {
            Some(e) => Err(e),
            None => Ok(entries),
        }
    })?;
    Manifest::new(root_text, created, exclude.to_vec(), entries)
}

fn exclusions(patterns: &[String]) -> Result<Option<GlobSet>> {
    if patterns.is_empty() {
        return Ok(None);
    }
    let mut set = GlobSetBuilder::new();
    for pattern in patterns {
        let glob = GlobBuilder::new(pattern)
            .literal_separator(true)
            .backslash_escape(true)
            .build()
            .map_err(|e| Error::Pattern {
                pattern: pattern.clone(),
                message: e.kind().to_string(),
            })?;
        set.add(glob);
    }
    set.build().map(Some).map_err(|e| Error::Pattern {
        pattern: patterns.join(", "),
        message: e.to_string(),
    })
}

/// A file to hash: where it is, and what it was when listed.
struct Job {
    dir: Arc<OwnedFd>,
    name: CString,
    /// Its place in the walker's entries.
    index: usize,
    /// For messages.
    path: String,
    size: u64,
    inode: u64,
    dev: u64,
}

/// A directory listed but not yet visited.
struct Pending {
    parent: Arc<OwnedFd>,
    name: CString,
    path: RelPath,
    /// The path's bytes, for matching exclusions.
    raw: Vec<u8>,
    inode: u64,
    dev: u64,
}

struct Walker<'a> {
    root_text: &'a str,
    limits: &'a crate::Limits,
    excluded: Option<GlobSet>,
    previous: Option<&'a Manifest>,
    entries: Vec<Entry>,
    jobs: SyncSender<Job>,
    stop: &'a AtomicBool,
}

impl Walker<'_> {
    fn full(&self, path: &RelPath) -> String {
        format!("{}/{path}", self.root_text.trim_end_matches('/'))
    }

    fn walk(&mut self, root: OwnedFd) -> Result<()> {
        let mut stack: Vec<(Arc<OwnedFd>, RelPath, Vec<u8>)> =
            vec![(Arc::new(root), RelPath::root(), Vec::new())];
        let mut pending: Vec<Pending> = Vec::new();
        loop {
            let (dir, dir_path, dir_raw) = match stack.pop() {
                Some(next) => next,
                None => match pending.pop() {
                    Some(p) => (Arc::new(self.open_dir(&p)?), p.path, p.raw),
                    None => return Ok(()),
                },
            };
            if self.stop.load(Ordering::Relaxed) {
                return Ok(());
            }
            let names = self.list(&dir, &dir_path)?;
            let before = pending.len();
            for name in names {
                let raw = if self.excluded.is_some() {
                    let mut raw = dir_raw.clone();
                    if !raw.is_empty() {
                        raw.push(b'/');
                    }
                    raw.extend_from_slice(name.as_bytes());
                    raw
                } else {
                    Vec::new()
                };
                if let Some(set) = &self.excluded
                    && set.is_match(Path::new(OsStr::from_bytes(&raw)))
                {
                    continue;
                }
                if let Some(p) = self.visit(&dir, &dir_path, name, raw)? {
                    pending.push(p);
                }
            }
            // Visit this directory's subdirectories in name order next (depth first).
            pending[before..].reverse();
        }
    }

    fn list(&self, dir: &OwnedFd, path: &RelPath) -> Result<Vec<CString>> {
        let listing_error = |e| io_error(self.full(path), "list", e);
        let mut listing = Dir::read_from(dir).map_err(listing_error)?;
        let mut names = Vec::new();
        while let Some(item) = listing.read() {
            let item = item.map_err(listing_error)?;
            let name = item.file_name();
            if name != c"." && name != c".." {
                names.push(name.to_owned());
            }
        }
        names.sort_unstable();
        Ok(names)
    }

    fn open_dir(&self, p: &Pending) -> Result<OwnedFd> {
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        let fd = rustix::fs::openat(&*p.parent, &p.name, flags, OpenMode::empty())
            .map_err(|e| self.changed_or(&p.path, "open", e))?;
        let st = rustix::fs::fstat(&fd).map_err(|e| io_error(self.full(&p.path), "stat", e))?;
        if ino(&st) != p.inode || dev(&st) != p.dev {
            return Err(Error::Changed {
                path: self.full(&p.path),
                what: "was replaced".to_owned(),
            });
        }
        Ok(fd)
    }

    /// A `NotFound`, `ELOOP` or `ENOTDIR` after the name was listed means the tree
    /// changed; anything else is the entry's own failure.
    fn changed_or(&self, path: &RelPath, action: &'static str, e: Errno) -> Error {
        match e {
            Errno::NOENT => Error::Changed {
                path: self.full(path),
                what: "was removed".to_owned(),
            },
            Errno::LOOP | Errno::NOTDIR => Error::Changed {
                path: self.full(path),
                what: "was replaced".to_owned(),
            },
            e => io_error(self.full(path), action, e),
        }
    }

    /// Records one entry of `dir`; a subdirectory is returned, to be visited later.
    fn visit(
        &mut self,
        dir: &Arc<OwnedFd>,
        dir_path: &RelPath,
        name: CString,
        raw: Vec<u8>,
    ) -> Result<Option<Pending>> {
        let path = dir_path.join(name.as_bytes()).map_err(|e| Error::Changed {
            path: self.full(dir_path),
            what: format!("listed an impossible name ({e})"),
        })?;
        if self.entries.len() >= self.limits.max_entries {
            return Err(self
                .limits
                .entries_error(format!(" at {}", self.full(&path))));
        }
        // The escaped text is never shorter than the bytes: unescape only when needed.
        let max = self.limits.max_path_bytes;
        if path.as_str().len() > max && path.to_bytes().len() > max {
            return Err(self.limits.path_error(format!(" at {}", self.full(&path))));
        }
        let st = rustix::fs::statat(&**dir, &name, AtFlags::SYMLINK_NOFOLLOW)
            .map_err(|e| self.changed_or(&path, "stat", e))?;
        let index = self.entries.len();
        match FileType::from_raw_mode(st.st_mode as _) {
            FileType::Directory => {
                if path.depth() > self.limits.max_depth {
                    return Err(Error::LimitExceeded {
                        limit: "max_depth",
                        what: "directory depth",
                        max: self.limits.max_depth as u64,
                        at: format!(" at {}", self.full(&path)),
                    });
                }
                self.entries.push(entry(path.clone(), Kind::Dir, &st, 0));
                Ok(Some(Pending {
                    parent: Arc::clone(dir),
                    name,
                    path,
                    raw,
                    inode: ino(&st),
                    dev: dev(&st),
                }))
            }
            FileType::Symlink => {
                let target = rustix::fs::readlinkat(&**dir, &name, Vec::new())
                    .map_err(|e| self.changed_or(&path, "read the link", e))?;
                let bytes = target.as_bytes();
                if bytes.len() > self.limits.max_path_bytes {
                    return Err(self
                        .limits
                        .path_error(format!(" at the target of {}", self.full(&path))));
                }
                let target = LinkTarget::from_bytes(bytes).map_err(|e| Error::Changed {
                    path: self.full(&path),
                    what: format!("has an impossible link target ({e})"),
                })?;
                let size = bytes.len() as u64;
                self.entries
                    .push(entry(path, Kind::Symlink { target }, &st, size));
                Ok(None)
            }
            FileType::RegularFile => {
                let size = st.st_size as u64;
                let mut job = None;
                let mut sha256 = None;
                if size <= self.limits.max_hashed_file_size {
                    sha256 = self.unchanged_digest(&path, &st, size);
                    if sha256.is_none() {
                        job = Some(Job {
                            dir: Arc::clone(dir),
                            name,
                            index,
                            path: self.full(&path),
                            size,
                            inode: ino(&st),
                            dev: dev(&st),
                        });
                    }
                }
                self.entries
                    .push(entry(path, Kind::File { sha256 }, &st, size));
                if let Some(job) = job {
                    // Fails only once every hashing thread has stopped, on an error
                    // that the results carry.
                    if self.jobs.send(job).is_err() {
                        self.stop.store(true, Ordering::Relaxed);
                    }
                }
                Ok(None)
            }
            _ => {
                self.entries.push(entry(path, Kind::Other, &st, 0));
                Ok(None)
            }
        }
    }

    /// The previous digest of a file whose size, mtime, ctime and inode are unchanged,
    /// when the options trust them.
    fn unchanged_digest(&self, path: &RelPath, st: &Stat, size: u64) -> Option<Sha256> {
        let old = self.previous?.get(path)?;
        let now = entry(path.clone(), Kind::Dir, st, size);
        let same = old.size == size
            && old.mtime == now.mtime
            && old.ctime == now.ctime
            && old.inode == now.inode;
        if same { old.sha256() } else { None }
    }
}

/// A hashing thread: takes files off the queue until it closes.
fn hash_files(
    queue: &Mutex<Receiver<Job>>,
    results: &Sender<(usize, Result<Sha256>)>,
    stop: &AtomicBool,
) {
    let mut buffer = vec![0u8; READ_BUFFER];
    loop {
        // A poisoned lock means another hashing thread panicked; the queue is still
        // sound, so carry on.
        let job = match queue.lock() {
            Ok(q) => q.recv(),
            Err(poisoned) => poisoned.into_inner().recv(),
        };
        let Ok(job) = job else { return };
        if stop.load(Ordering::Relaxed) {
            continue;
        }
        let result = hash_file(&job, &mut buffer);
        if result.is_err() {
            // The walk stops at its next directory and the queue drains unread.
            stop.store(true, Ordering::Relaxed);
        }
        if results.send((job.index, result)).is_err() {
            return;
        }
    }
}

fn hash_file(job: &Job, buffer: &mut [u8]) -> Result<Sha256> {
    let changed = |what: String| Error::Changed {
        path: job.path.clone(),
        what,
    };
    // O_NONBLOCK: had the file been swapped for a FIFO, opening it would wait for a
    // writer. It changes nothing for a regular file.
    let flags =
        OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC | OFlags::NOCTTY;
    let fd = rustix::fs::openat(&*job.dir, &job.name, flags, OpenMode::empty()).map_err(
        |e| match e {
            Errno::NOENT => changed("was removed".to_owned()),
            Errno::LOOP => changed("was replaced by a symlink".to_owned()),
            e => io_error(job.path.clone(), "open", e),
        },
    )?;
    let st = rustix::fs::fstat(&fd).map_err(|e| io_error(job.path.clone(), "stat", e))?;
    if FileType::from_raw_mode(st.st_mode as _) != FileType::RegularFile
        || ino(&st) != job.inode
        || dev(&st) != job.dev
    {
        return Err(changed("was replaced".to_owned()));
    }
    let mut file = std::fs::File::from(fd);
    let mut hasher = sha2::Sha256::new();
    let mut read = 0u64;
    loop {
        match file.read(buffer) {
            Ok(0) => break,
            Ok(n) => {
                hasher.update(&buffer[..n]);
                read += n as u64;
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                return Err(Error::Io {
                    path: job.path.clone(),
                    action: "read",
                    source: e,
                });
            }
        }
    }
    if read != job.size {
        return Err(changed(format!(
            "changed size while it was hashed ({} bytes when listed, {read} read)",
            job.size
        )));
    }
    Ok(Sha256(hasher.finalize().into()))
}

fn io_error(path: String, action: &'static str, e: Errno) -> Error {
    Error::Io {
        path,
        action,
        source: e.into(),
    }
}

#[allow(
    clippy::unnecessary_cast,
    reason = "the field types of rustix's Stat differ between architectures"
)]
fn ino(st: &Stat) -> u64 {
    st.st_ino as u64
}

#[allow(
    clippy::unnecessary_cast,
    reason = "the field types of rustix's Stat differ between architectures"
)]
fn dev(st: &Stat) -> u64 {
    st.st_dev as u64
}

#[allow(
    clippy::unnecessary_cast,
    reason = "the field types of rustix's Stat differ between architectures"
)]
fn entry(path: RelPath, kind: Kind, st: &Stat, size: u64) -> Entry {
    Entry {
        path,
        kind,
        size,
        mode: Mode::from_st_mode(st.st_mode as u32),
        uid: st.st_uid as u32,
        gid: st.st_gid as u32,
        mtime: FileTime::from_stat(st.st_mtime as i64, st.st_mtime_nsec as u64),
        ctime: FileTime::from_stat(st.st_ctime as i64, st.st_ctime_nsec as u64),
        inode: ino(st),
    }
}
