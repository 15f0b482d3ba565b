//! The OSV vulnerability model, its validation, and exact evaluation of whether a
//! package version is affected.
//!
//! - [`model`]: the OSV record (schema 1.x) as serde types, read from JSON or YAML.
//! - [`validate`]: the schema's cross-field rules, the OSV linter's offline checks and
//!   size [`Limits`]; a rejected record names the JSON path and the reason.
//! - [`eval`]: the specification's evaluation algorithm on values parsed once per
//!   advisory ([`CompiledAdvisory`]), answering which range or listed version matched
//!   and which versions fix it.
//! - [`identity`]: package names normalized per ecosystem ([`PackageKey`]), the same for
//!   advisories and SBOM components.
//! - [`severity`]: CVSS v2/v3/v4 scores and ratings, or the database's own rating.
//!
//! The crate does no I/O: it parses bytes it is given.
//!
//! ```
//! use vigil_osv::{CompiledAdvisory, PackageKey, QueryVersion, Verdict};
//!
//! let record = br#"{"id": "PYSEC-0000-1", "modified": "2024-01-01T00:00:00Z",
//!   "affected": [{"package": {"ecosystem": "PyPI", "name": "Example_Pkg"},
//!     "ranges": [{"type": "ECOSYSTEM", "events": [{"fixed": "2.0"}, {"introduced": "1.0"}]}]}]}"#;
//! let osv = vigil_osv::from_json(record).unwrap();
//! let advisory = CompiledAdvisory::new(&osv);
//! let pypi = "PyPI".parse().unwrap();
//! let package = PackageKey::new(pypi, "example-pkg");
//! let version = QueryVersion::new(package.ecosystem(), "1.5");
//! assert!(advisory.is_affected(&package, &version));
//! assert!(!advisory.is_affected(&package, &QueryVersion::new(package.ecosystem(), "2.0.0")));
//! ```

pub mod eval;
pub mod identity;
pub mod model;
pub mod severity;
pub mod validate;

use std::fmt;

pub use eval::{
    CompiledAdvisory, CompiledAffected, Fixes, Hit, QueryVersion, Remedy, Unevaluable,
    UnevaluableReason, Unknown, Verdict,
};
pub use identity::{PackageKey, normalize_name};
pub use model::{Affected, Event, EventKind, Osv, Package, Range, RangeType};
pub use severity::{Rating, Severity, SeveritySource};
pub use validate::{LimitExceeded, Limits, PackageIndex, Violation};

/// The serialization a record is read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    Json,
    /// YAML, as the PyPI advisory database writes OSV.
    Yaml,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Json => "JSON",
            Format::Yaml => "YAML",
        })
    }
}

/// Why a record was rejected.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("record is {len} bytes, more than the limit max_record_bytes = {max}")]
    TooLarge { len: usize, max: usize },
    /// Not well-formed, or a field of the wrong type or value.
    #[error("{path}: {message}")]
    Syntax {
        format: Format,
        /// JSON path of the field, `(record)` for the record itself.
        path: String,
        message: String,
    },
    #[error(transparent)]
    Limit(#[from] LimitExceeded),
    /// A schema or linter rule is broken; the first broken rule, then the rest.
    #[error("{}", describe_violations(.0))]
    Invalid(Vec<Violation>),
}

fn describe_violations(all: &[Violation]) -> String {
    match all {
        [] => "the record breaks a schema rule".to_owned(),
        [one] => one.to_string(),
        [first, _] => format!("{first} (and 1 more violation)"),
        [first, rest @ ..] => format!("{first} (and {} more violations)", rest.len()),
    }
}

impl Error {
    /// The JSON path of the offending field, when there is one.
    pub fn path(&self) -> Option<&str> {
        match self {
            Error::Syntax { path, .. } => Some(path),
            Error::Limit(l) => Some(&l.path),
            Error::Invalid(v) => v.first().map(|v| v.path.as_str()),
            Error::TooLarge { .. } => None,
        }
    }
}

/// Reads and validates records with chosen limits and package index.
#[derive(Clone, Copy, Default)]
pub struct Loader<'a> {
    pub limits: Limits,
    /// Known packages, for the linter's "package-exists" check; `None` skips it.
    pub package_index: Option<&'a dyn PackageIndex>,
}

impl fmt::Debug for Loader<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Loader")
            .field("limits", &self.limits)
            .field("package_index", &self.package_index.is_some())
            .finish()
    }
}

impl Loader<'_> {
    /// Parses and validates one record.
    pub fn load(&self, bytes: &[u8], format: Format) -> Result<Osv, Error> {
        if bytes.len() > self.limits.max_record_bytes {
            return Err(Error::TooLarge {
                len: bytes.len(),
                max: self.limits.max_record_bytes,
            });
        }
        let osv = match format {
            Format::Json => parse_json(bytes)?,
            Format::Yaml => parse_yaml(bytes)?,
        };
        validate::check_limits(&osv, &self.limits)?;
        let violations = validate::violations(&osv, self.package_index);
        if !violations.is_empty() {
            return Err(Error::Invalid(violations));
        }
        Ok(osv)
    }
}

/// Parses and validates one JSON record with the default limits.
pub fn from_json(bytes: &[u8]) -> Result<Osv, Error> {
    Loader::default().load(bytes, Format::Json)
}

/// Parses and validates one YAML record with the default limits.
pub fn from_yaml(bytes: &[u8]) -> Result<Osv, Error> {
    Loader::default().load(bytes, Format::Yaml)
}

fn path_text(path: &serde_path_to_error::Path) -> String {
    let s = path.to_string();
    if s == "." || s.is_empty() {
        "(record)".to_owned()
    } else {
        s
    }
}

fn parse_json(bytes: &[u8]) -> Result<Osv, Error> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let osv: Osv = serde_path_to_error::deserialize(&mut de).map_err(|e| Error::Syntax {
        format: Format::Json,
        path: path_text(e.path()),
        message: e.inner().to_string(),
    })?;
    de.end().map_err(|e| Error::Syntax {
        format: Format::Json,
        path: "(record)".to_owned(),
        message: e.to_string(),
    })?;
    Ok(osv)
}

fn parse_yaml(bytes: &[u8]) -> Result<Osv, Error> {
    let mut path = None;
    let result = serde_saphyr::with_deserializer_from_slice(bytes, |de| {
        serde_path_to_error::deserialize::<_, Osv>(de).map_err(|e| {
            path = Some(path_text(e.path()));
            e.into_inner()
        })
    });
    result.map_err(|e| Error::Syntax {
        format: Format::Yaml,
        path: path.unwrap_or_else(|| "(record)".to_owned()),
        message: e.to_string(),
    })
}
