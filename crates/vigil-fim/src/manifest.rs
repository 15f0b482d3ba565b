//! The manifest: every entry of a tree at one moment, in a stable JSON form with a
//! digest that a ledger can record.

use sha2::Digest as _;
use time::OffsetDateTime;

use crate::entry::{Entry, Kind, Sha256};
use crate::path::RelPath;
use crate::{Error, Limits, Result};

/// The value of a manifest's `format` field.
pub const FORMAT: &str = "vigil-fim-manifest/1";

/// Every entry of a tree, sorted by path (see [`RelPath`]'s order), with totals.
///
/// The JSON form is the one [`Manifest::to_json`] writes: compact, fields in a fixed
/// order, no floating-point numbers and no maps, so equal manifests have equal bytes
/// and [`Manifest::digest`] is the SHA-256 of the file as written (`sha256sum
/// manifest.json` prints it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Manifest {
    /// The root as it was given to [`baseline`](crate::baseline), in the escaped form
    /// of [`RelPath`] (it may be absolute). Informative: [`check`](crate::check) is
    /// given its root again.
    pub root: String,
    /// When the tree was read.
    pub created: OffsetDateTime,
    /// The glob patterns of paths left out ([`Options::exclude`](crate::Options::exclude)),
    /// which [`check`](crate::check) leaves out again.
    pub exclude: Vec<String>,
    entries: Vec<Entry>,
    totals: Totals,
}

/// What a manifest holds, counted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Totals {
    /// Entries of every kind, the root included.
    pub entries: u64,
    /// Regular files.
    pub files: u64,
    /// Bytes in the regular files.
    pub bytes: u64,
}

impl Manifest {
    /// A manifest of `entries`, sorted here. Fails if two entries have the same path,
    /// the root is missing or is not a directory, or an entry's parent is missing or is
    /// not a directory.
    pub fn new(
        root: String,
        created: OffsetDateTime,
        exclude: Vec<String>,
        mut entries: Vec<Entry>,
    ) -> Result<Manifest> {
        entries.sort_unstable_by(|a, b| a.path.cmp(&b.path));
        let totals = validate(&entries)?;
        Ok(Manifest {
            root,
            created,
            exclude,
            entries,
            totals,
        })
    }

    /// The entries, sorted by path; the root, `.`, is first.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The entry at `path`, if any.
    pub fn get(&self, path: &RelPath) -> Option<&Entry> {
        self.entries
            .binary_search_by(|e| e.path.cmp(path))
            .ok()
            .map(|i| &self.entries[i])
    }

    /// The entries, counted.
    pub fn totals(&self) -> Totals {
        self.totals
    }

    /// The manifest's one JSON form (see the type's documentation).
    pub fn to_json(&self) -> Vec<u8> {
        // Serializing a struct of strings and integers into memory cannot fail.
        let out = ManifestOut {
            format: FORMAT,
            root: &self.root,
            created: self.created,
            exclude: &self.exclude,
            totals: self.totals,
            entries: &self.entries,
        };
        serde_json::to_vec(&out).unwrap_or_default()
    }

    /// The SHA-256 of [`Manifest::to_json`]: what a ledger records for this manifest.
    pub fn digest(&self) -> Sha256 {
        Sha256(sha2::Sha256::digest(self.to_json()).into())
    }

    /// Reads a manifest written by [`Manifest::to_json`] (any JSON spelling of the same
    /// content is accepted), within `limits` (`max_manifest_bytes`, `max_entries`,
    /// `max_path_bytes`), and checks that it describes a tree: entries sorted and
    /// unique, every parent a directory, totals right.
    pub fn from_json(json: &[u8], limits: &Limits) -> Result<Manifest> {
        if json.len() as u64 > limits.max_manifest_bytes {
            return Err(Error::LimitExceeded {
                limit: "max_manifest_bytes",
                what: "manifest size",
                max: limits.max_manifest_bytes,
                at: format!(" ({} bytes)", json.len()),
            });
        }
        let repr: ManifestRepr = serde_json::from_slice(json).map_err(|e| Error::Json {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
        if repr.format != FORMAT {
            return Err(Error::Manifest {
                at: "format".to_owned(),
                message: format!("{:?} is not {FORMAT:?}", repr.format),
            });
        }
        if repr.entries.len() > limits.max_entries {
            return Err(limits.entries_error(format!(" ({} entries)", repr.entries.len())));
        }
        for (i, entry) in repr.entries.iter().enumerate() {
            let len = entry.path.to_bytes().len().max(match &entry.kind {
                Kind::Symlink { target } => target.len(),
                _ => 0,
            });
            if len > limits.max_path_bytes {
                return Err(limits.path_error(format!(" at entries[{i}] ({len} bytes)")));
            }
        }
        for (i, pair) in repr.entries.windows(2).enumerate() {
            if pair[0].path >= pair[1].path {
                return Err(Error::Manifest {
                    at: format!("entries[{}] ({})", i + 1, pair[1].path),
                    message: format!(
                        "entries are sorted by path and unique, and this comes after {}",
                        pair[0].path
                    ),
                });
            }
        }
        let totals = validate(&repr.entries)?;
        if totals != repr.totals {
            return Err(Error::Manifest {
                at: "totals".to_owned(),
                message: format!(
                    "{:?} does not count the entries, which make {totals:?}",
                    repr.totals
                ),
            });
        }
        Ok(Manifest {
            root: repr.root,
            created: repr.created,
            exclude: repr.exclude,
            entries: repr.entries,
            totals,
        })
    }
}

/// Checks sorted `entries` for a root, unique paths and parents that are directories,
/// and counts them.
fn validate(entries: &[Entry]) -> Result<Totals> {
    let at = |i: usize| format!("entries[{i}] ({})", entries[i].path);
    match entries.first() {
        Some(Entry {
            path,
            kind: Kind::Dir,
            ..
        }) if path.is_root() => {}
        _ => {
            return Err(Error::Manifest {
                at: "entries".to_owned(),
                message: "the first entry is the root, \".\", a directory".to_owned(),
            });
        }
    }
    let mut totals = Totals::default();
    // The parent of each entry is somewhere before it; the directories on the way from
    // the root to the current entry are a stack.
    let mut dirs: Vec<&RelPath> = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        if i > 0 && entries[i - 1].path == entry.path {
            return Err(Error::Manifest {
                at: at(i),
                message: "a second entry with this path".to_owned(),
            });
        }
        if let Some(parent) = entry.path.parent() {
            while dirs.last().is_some_and(|d| **d != parent) {
                dirs.pop();
            }
            if dirs.is_empty() {
                return Err(Error::Manifest {
                    at: at(i),
                    message: format!("its directory, {parent}, has no entry of kind dir"),
                });
            }
        }
        totals.entries += 1;
        match entry.kind {
            Kind::File { .. } => {
                totals.files += 1;
                totals.bytes = totals.bytes.saturating_add(entry.size);
            }
            Kind::Dir => dirs.push(&entry.path),
            Kind::Symlink { .. } | Kind::Other => {}
        }
    }
    Ok(totals)
}

/// A manifest as it is written in JSON: fields in this order.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ManifestRepr {
    format: String,
    root: String,
    #[serde(with = "time::serde::rfc3339")]
    created: OffsetDateTime,
    exclude: Vec<String>,
    totals: Totals,
    entries: Vec<Entry>,
}

/// The same, borrowed, for writing.
#[derive(serde::Serialize)]
struct ManifestOut<'a> {
    format: &'a str,
    root: &'a str,
    #[serde(with = "time::serde::rfc3339")]
    created: OffsetDateTime,
    exclude: &'a [String],
    totals: Totals,
    entries: &'a [Entry],
}
