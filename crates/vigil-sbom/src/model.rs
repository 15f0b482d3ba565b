//! The normalized bill of materials that every format is read into.

use std::borrow::Cow;
use std::fmt;

use time::OffsetDateTime;
use vigil_purl::Purl;

use crate::Format;

/// One SBOM, whatever its format.
#[derive(Clone, Debug, PartialEq)]
pub struct Bom {
    pub format: Format,
    /// The spec version the document declares: `1.6`, `SPDX-2.3`, `3.0.1`.
    pub spec_version: String,
    /// CycloneDX `serialNumber`, SPDX 2 `documentNamespace` or SPDX 3 document `spdxId`.
    pub serial_number: Option<String>,
    /// What the document describes, if it says.
    pub subject: Option<Subject>,
    pub tools: Vec<Tool>,
    /// When the document was made, in UTC.
    pub timestamp: Option<OffsetDateTime>,
    /// Every component (CycloneDX, nested ones included) or package (SPDX). The subject's
    /// own components are among them, see [`Subject::components`].
    pub components: Vec<Component>,
    /// The dependency graph: CycloneDX `dependencies` and nesting, SPDX relationships
    /// between packages. Indices into `components`.
    pub edges: Vec<Edge>,
    /// CycloneDX embedded vulnerabilities (VEX), kept for triage.
    pub vulnerabilities: Vec<Vulnerability>,
    /// Components that cannot be matched against advisories, with the reason: no purl
    /// and none derivable, an invalid purl, a purl type with no OSV ecosystem, or no
    /// version.
    pub unmatchable: Vec<(usize, String)>,
    /// Each leniency the reader applied instead of rejecting the document: a field that
    /// is wrong or missing but not needed to match the rest (an empty component name, a
    /// duplicated bom-ref, a malformed hash or timestamp, …), with where it is and what
    /// was done instead. Empty for a document read as written. A caller such as
    /// `vigil scan` should show them, since each may hide or misattribute a finding; see
    /// the crate README for the full list.
    pub warnings: Vec<Warning>,
}

/// A leniency applied while reading a document: where, and what the reader did instead of
/// rejecting it.
///
/// Displays as `{at}: {message}`, like [`Error`](crate::Error) without the format:
/// `components[3].name: no name; the purl's name "zlib" is used`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    /// A path into the document, as in errors: `components[3].name`,
    /// `metadata.component.name`, `dependencies[0].ref`, `bom-ref`.
    pub at: String,
    /// What was wrong and what was done instead.
    pub message: String,
}

impl Warning {
    pub(crate) fn new(at: impl Into<String>, message: impl Into<String>) -> Self {
        Warning {
            at: at.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.at, self.message)
    }
}

/// What an SBOM describes: CycloneDX `metadata.component`, SPDX `documentDescribes` and
/// `DESCRIBES` relationships, SPDX 3 `rootElement`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subject {
    pub name: String,
    pub version: Option<String>,
    pub hashes: Vec<Hash>,
    /// The subject's components, roots of the dependency graph. Empty when the subject
    /// is not a package (an SPDX document describing only files).
    pub components: Vec<usize>,
}

/// A tool that made the document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tool {
    pub vendor: Option<String>,
    pub name: String,
    pub version: Option<String>,
}

/// A component (CycloneDX) or package (SPDX).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Component {
    /// CycloneDX `bom-ref` or SPDX `SPDXID`/`spdxId`.
    pub bom_ref: Option<String>,
    /// The package URL from the document, or derived from it (see `purl_derived`).
    pub purl: Option<Purl>,
    /// Whether `purl` was derived rather than written in the document.
    pub purl_derived: bool,
    pub name: String,
    /// CycloneDX `group` (Maven group id, npm scope, …).
    pub group: Option<String>,
    /// The version as the document writes it.
    pub version: Option<String>,
    /// CycloneDX `type` or SPDX `primaryPackagePurpose`, as written (`library`,
    /// `operating-system`, `LIBRARY`).
    pub kind: Option<String>,
    pub hashes: Vec<Hash>,
    /// SPDX license expressions or license names, as written.
    pub licenses: Vec<String>,
    pub supplier: Option<String>,
    pub cpes: Vec<String>,
    /// The source package an OS package was built from, where the producer recorded it.
    pub source: Option<SourcePackage>,
}

impl Component {
    /// The version in its ecosystem's own form: the document's version, with the epoch
    /// that trivy and cdxgen move into the purl's `epoch` qualifier put back
    /// (`2.38.1-5+b1` with `epoch=1` is `1:2.38.1-5+b1`).
    pub fn full_version(&self) -> Option<Cow<'_, str>> {
        let version = self
            .version
            .as_deref()
            .or_else(|| self.purl.as_ref().and_then(Purl::version))?;
        Some(match &self.purl {
            Some(purl) => purl.with_epoch(version),
            None => Cow::Borrowed(version),
        })
    }
}

/// The source package of an OS package: Debian's `Source:`, Alpine's origin, the RPM
/// source package.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourcePackage {
    pub name: String,
    /// The source version in the ecosystem's own form (with epoch where there is one).
    pub version: Option<String>,
}

/// A digest of a component or subject.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hash {
    pub algorithm: HashAlgorithm,
    /// Lower-case hex.
    pub hex: String,
}

/// Digest algorithms, under both CycloneDX's and SPDX's spellings.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HashAlgorithm {
    Md2,
    Md4,
    Md5,
    Md6,
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
    Sha3_256,
    Sha3_384,
    Sha3_512,
    Blake2b256,
    Blake2b384,
    Blake2b512,
    Blake3,
    Adler32,
    /// SPDX 3 and future names, lower-cased.
    Other(String),
}

impl HashAlgorithm {
    /// Reads CycloneDX (`SHA-256`, `SHA3-256`, `BLAKE2b-256`), SPDX 2 (`SHA256`,
    /// `BLAKE2b-256`) and SPDX 3 (`sha256`, `sha3_256`, `blake2b256`) spellings.
    pub fn from_name(name: &str) -> HashAlgorithm {
        let key: String = name
            .chars()
            .filter(|c| !matches!(c, '-' | '_' | ' '))
            .map(|c| c.to_ascii_lowercase())
            .collect();
        match key.as_str() {
            "md2" => Self::Md2,
            "md4" => Self::Md4,
            "md5" => Self::Md5,
            "md6" => Self::Md6,
            "sha1" => Self::Sha1,
            "sha224" => Self::Sha224,
            "sha256" => Self::Sha256,
            "sha384" => Self::Sha384,
            "sha512" => Self::Sha512,
            "sha3256" => Self::Sha3_256,
            "sha3384" => Self::Sha3_384,
            "sha3512" => Self::Sha3_512,
            "blake2b256" => Self::Blake2b256,
            "blake2b384" => Self::Blake2b384,
            "blake2b512" => Self::Blake2b512,
            "blake3" => Self::Blake3,
            "adler32" => Self::Adler32,
            _ => Self::Other(name.to_ascii_lowercase()),
        }
    }

    /// The digest length in hex digits, where the algorithm fixes it.
    pub fn hex_len(&self) -> Option<usize> {
        Some(match self {
            Self::Md2 | Self::Md4 | Self::Md5 => 32,
            Self::Sha1 => 40,
            Self::Sha224 => 56,
            Self::Sha256 | Self::Sha3_256 | Self::Blake2b256 | Self::Blake3 => 64,
            Self::Sha384 | Self::Sha3_384 | Self::Blake2b384 => 96,
            Self::Sha512 | Self::Sha3_512 | Self::Blake2b512 => 128,
            Self::Adler32 => 8,
            Self::Md6 | Self::Other(_) => return None,
        })
    }

    /// Whether CycloneDX's schema names the algorithm.
    pub(crate) fn is_cyclonedx(&self) -> bool {
        !matches!(
            self,
            Self::Md2 | Self::Md4 | Self::Md6 | Self::Sha224 | Self::Adler32 | Self::Other(_)
        )
    }
}

impl fmt::Display for HashAlgorithm {
    /// CycloneDX's spelling, or the lower-cased name for others.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Md2 => "MD2",
            Self::Md4 => "MD4",
            Self::Md5 => "MD5",
            Self::Md6 => "MD6",
            Self::Sha1 => "SHA-1",
            Self::Sha224 => "SHA-224",
            Self::Sha256 => "SHA-256",
            Self::Sha384 => "SHA-384",
            Self::Sha512 => "SHA-512",
            Self::Sha3_256 => "SHA3-256",
            Self::Sha3_384 => "SHA3-384",
            Self::Sha3_512 => "SHA3-512",
            Self::Blake2b256 => "BLAKE2b-256",
            Self::Blake2b384 => "BLAKE2b-384",
            Self::Blake2b512 => "BLAKE2b-512",
            Self::Blake3 => "BLAKE3",
            Self::Adler32 => "ADLER32",
            Self::Other(name) => name,
        })
    }
}

impl Hash {
    /// A hash from an algorithm name and hex digest; `None` with the reason when the
    /// digest is not hex or has the wrong length for the algorithm.
    pub(crate) fn new(algorithm: &str, hex: &str) -> Result<Hash, String> {
        let algorithm = HashAlgorithm::from_name(algorithm);
        if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!("{algorithm} digest {hex:?} is not hex"));
        }
        if let Some(len) = algorithm.hex_len()
            && hex.len() != len
        {
            return Err(format!(
                "{algorithm} digest {hex:?} has {} hex digits, not {len}",
                hex.len()
            ));
        }
        Ok(Hash {
            algorithm,
            hex: hex.to_ascii_lowercase(),
        })
    }
}

/// A directed edge of the dependency graph, between indices into [`Bom::components`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Edge {
    pub from: usize,
    pub to: usize,
    pub kind: EdgeKind,
}

/// What an edge means. Both kinds are followed when asking whether a component is a
/// direct or transitive dependency of the subject.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EdgeKind {
    /// `from` depends on `to` (CycloneDX `dependsOn`, SPDX `DEPENDS_ON` and the
    /// reversed `*DEPENDENCY_OF`).
    DependsOn,
    /// `from` depends on `to` only to develop, build or test it.
    DevDependsOn,
    /// `from` optionally depends on `to`.
    OptionalDependsOn,
    /// `from` contains `to` (CycloneDX nesting, SPDX `CONTAINS`/`CONTAINED_BY`).
    Contains,
    /// `to` is linked into, generated from, or otherwise part of `from`.
    Other,
}

/// A vulnerability embedded in a CycloneDX document (VEX).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Vulnerability {
    pub bom_ref: Option<String>,
    pub id: String,
    /// The source's name (`NVD`, `GitHub`) and URL.
    pub source_name: Option<String>,
    pub source_url: Option<String>,
    pub ratings: Vec<Rating>,
    pub analysis: Option<Analysis>,
    pub affects: Vec<Affect>,
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct Rating {
    pub source: Option<String>,
    pub score: Option<f64>,
    pub severity: Option<String>,
    pub method: Option<String>,
    pub vector: Option<String>,
}

/// The producer's triage of a vulnerability, as written.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Analysis {
    /// `resolved`, `exploitable`, `in_triage`, `false_positive`, `not_affected`, ….
    pub state: Option<String>,
    /// `code_not_present`, `requires_configuration`, ….
    pub justification: Option<String>,
    /// `can_not_fix`, `will_not_fix`, `update`, `rollback`, `workaround_available`.
    pub response: Vec<String>,
    pub detail: Option<String>,
}

/// A component a vulnerability affects.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Affect {
    /// The `ref` as written: a bom-ref or a BOM-Link.
    pub reference: String,
    /// The component it names in this document, if any.
    pub component: Option<usize>,
    pub versions: Vec<AffectedVersion>,
}

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct AffectedVersion {
    pub version: Option<String>,
    pub range: Option<String>,
    /// `affected`, `unaffected` or `unknown`.
    pub status: Option<String>,
}
