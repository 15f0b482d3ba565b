//! File integrity baselines and checks, as AIDE or Tripwire make them: a [`Manifest`]
//! of every entry of a deployed tree (SHA-256 of each file, kind, size, mode, owner,
//! link target, times), and the entries added, removed and changed since
//! ([`Changes`]).
//!
//! [`baseline`] walks a tree without following symlinks or leaving the root, hashing
//! files on several threads; [`compare`] compares two manifests; [`check`] does both
//! against the tree as it is now. A manifest has one JSON form
//! ([`Manifest::to_json`]) and a digest ([`Manifest::digest`]) for the ledger. The
//! manifest format, what is compared and the limits are in `docs/fim.md`.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use vigil_fim::{Aspect, Options, baseline, check};
//! use std::os::unix::fs::PermissionsExt as _;
//!
//! let tree = tempfile::tempdir()?;
//! std::fs::write(tree.path().join("app.py"), "print('hi')\n")?;
//! let options = Options::default();
//! let manifest = baseline(tree.path(), &options)?;
//! assert_eq!(manifest.totals().files, 1);
//!
//! std::fs::set_permissions(tree.path().join("app.py"), std::fs::Permissions::from_mode(0o777))?;
//! let changes = check(tree.path(), &manifest, &options)?;
//! assert_eq!(changes.changed[0].path.as_str(), "app.py");
//! assert_eq!(changes.changed[0].what, [Aspect::Mode].into());
//! # Ok(())
//! # }
//! ```

mod compare;
mod entry;
mod error;
mod limits;
mod manifest;
mod options;
mod path;
mod walk;

pub use compare::{Aspect, Change, Changes, compare, differences};
pub use entry::{Entry, FileTime, Kind, Mode, Sha256};
pub use error::{Error, Result};
pub use limits::Limits;
pub use manifest::{FORMAT, Manifest, Totals};
pub use options::{CompareOptions, Options};
pub use path::{LinkTarget, PathError, RelPath};
pub use walk::{baseline, check};
