//! What changed between two manifests of the same tree.

use std::cmp::Ordering;
use std::collections::BTreeSet;

use crate::CompareOptions;
use crate::entry::{Entry, Kind};
use crate::manifest::Manifest;
use crate::path::RelPath;

/// One aspect of an entry that [`compare`] found different.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Aspect {
    /// The kind (file, directory, symlink, other) changed. Content, size and link target
    /// are not compared across kinds.
    Kind,
    /// A file's SHA-256 changed (or one of the two files was too large to hash).
    Content,
    /// A file's size changed.
    Size,
    /// A symlink points elsewhere.
    LinkTarget,
    /// Permission or special bits changed.
    Mode,
    /// The owning user or group changed.
    Owner,
    /// The modification time changed; only with [`CompareOptions::mtime`].
    Mtime,
}

impl Aspect {
    /// The aspect's name, as in JSON: `kind`, `content`, `size`, `link_target`, `mode`,
    /// `owner`, `mtime`.
    pub fn name(self) -> &'static str {
        match self {
            Aspect::Kind => "kind",
            Aspect::Content => "content",
            Aspect::Size => "size",
            Aspect::LinkTarget => "link_target",
            Aspect::Mode => "mode",
            Aspect::Owner => "owner",
            Aspect::Mtime => "mtime",
        }
    }
}

/// An entry present in both manifests that differs.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Change {
    pub path: RelPath,
    /// What differs; never empty.
    pub what: BTreeSet<Aspect>,
    pub old: Entry,
    pub new: Entry,
}

/// What [`compare`] found, each list sorted by path.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Changes {
    /// Entries only in the new manifest.
    pub added: Vec<Entry>,
    /// Entries only in the old manifest.
    pub removed: Vec<Entry>,
    pub changed: Vec<Change>,
}

impl Changes {
    /// Nothing added, removed or changed.
    pub fn is_clean(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }

    /// Added, removed and changed entries, in all.
    pub fn len(&self) -> usize {
        self.added.len() + self.removed.len() + self.changed.len()
    }

    /// The same as [`Changes::is_clean`].
    pub fn is_empty(&self) -> bool {
        self.is_clean()
    }
}

/// The entries added, removed and changed from `old` to `new`.
///
/// Always compared: kind; for two files, content and size; for two symlinks, the
/// target; for any two entries, mode and owner (user or group). The modification time
/// only with `options.mtime`; ctime and inode never (a copy, a restore or a package
/// reinstall changes them without changing what is deployed). A directory's content
/// is not compared: what it holds shows as added and removed entries.
pub fn compare(old: &Manifest, new: &Manifest, options: &CompareOptions) -> Changes {
    let mut changes = Changes::default();
    let (mut olds, mut news) = (
        old.entries().iter().peekable(),
        new.entries().iter().peekable(),
    );
    loop {
        let order = match (olds.peek(), news.peek()) {
            (None, None) => break,
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some(o), Some(n)) => o.path.cmp(&n.path),
        };
        match order {
            Ordering::Less => changes.removed.extend(olds.next().cloned()),
            Ordering::Greater => changes.added.extend(news.next().cloned()),
            Ordering::Equal => {
                if let (Some(o), Some(n)) = (olds.next(), news.next()) {
                    let what = differences(o, n, options);
                    if !what.is_empty() {
                        changes.changed.push(Change {
                            path: n.path.clone(),
                            what,
                            old: o.clone(),
                            new: n.clone(),
                        });
                    }
                }
            }
        }
    }
    changes
}

/// The aspects in which two entries at the same path differ.
pub fn differences(old: &Entry, new: &Entry, options: &CompareOptions) -> BTreeSet<Aspect> {
    let mut what = BTreeSet::new();
    match (&old.kind, &new.kind) {
        (Kind::File { sha256: a }, Kind::File { sha256: b }) => {
            if a != b {
                what.insert(Aspect::Content);
            }
            if old.size != new.size {
                what.insert(Aspect::Size);
            }
        }
        (Kind::Symlink { target: a }, Kind::Symlink { target: b }) => {
            if a != b {
                what.insert(Aspect::LinkTarget);
            }
        }
        (Kind::Dir, Kind::Dir) | (Kind::Other, Kind::Other) => {}
        _ => {
            what.insert(Aspect::Kind);
        }
    }
    if old.mode != new.mode {
        what.insert(Aspect::Mode);
    }
    if old.uid != new.uid || old.gid != new.gid {
        what.insert(Aspect::Owner);
    }
    if options.mtime && old.mtime != new.mtime {
        what.insert(Aspect::Mtime);
    }
    what
}
