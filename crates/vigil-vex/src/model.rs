//! The normalized VEX document that every format is read into and written from.

use std::fmt;
use std::str::FromStr;

use time::OffsetDateTime;
use vigil_purl::Purl;

use crate::product::Product;

/// One VEX document, whatever its format.
#[derive(Clone, Debug, PartialEq)]
pub struct Document {
    /// The format and version it was read from.
    pub format: Format,
    /// OpenVEX `@id`; CycloneDX `serialNumber`.
    pub id: Option<String>,
    /// OpenVEX `author`; CycloneDX `metadata.authors[0].name`, else the manufacturer's
    /// or supplier's name.
    pub author: Option<String>,
    /// OpenVEX `role`.
    pub role: Option<String>,
    /// When the document was issued, in UTC: OpenVEX `timestamp`, CycloneDX
    /// `metadata.timestamp`.
    pub timestamp: Option<OffsetDateTime>,
    /// OpenVEX `last_updated`, in UTC.
    pub last_updated: Option<OffsetDateTime>,
    /// OpenVEX `version`; CycloneDX BOM `version`.
    pub version: Option<u64>,
    /// OpenVEX `tooling`.
    pub tooling: Option<String>,
    /// Every statement, in document order. The order matters: of two statements about
    /// the same product and vulnerability with the same timestamp, the later one holds.
    pub statements: Vec<Statement>,
    /// Set for a CycloneDX document: which BOM this is, so that VEX embedded in an SBOM
    /// can be tied to the release whose SBOM it is.
    pub bom: Option<BomIdentity>,
    /// Each leniency the reader applied instead of rejecting the document (a
    /// `not_affected` statement without justification or impact statement, an `affected`
    /// one without action statement, a product id that is not a valid purl, …), with
    /// where it is. Empty for a document read as written.
    pub warnings: Vec<Warning>,
}

/// The formats read, with the version the document declares.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// OpenVEX JSON (or YAML).
    OpenVex { spec: OpenVexSpec },
    /// CycloneDX JSON or XML with `vulnerabilities`.
    CycloneDx {
        /// `1.4`, `1.6`, ….
        spec_version: String,
    },
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Format::OpenVex { spec } => write!(f, "OpenVEX {spec}"),
            Format::CycloneDx { spec_version } => write!(f, "CycloneDX {spec_version}"),
        }
    }
}

/// The OpenVEX versions read: 0.0.1 (`@context` `https://openvex.dev/ns` or
/// `.../v0.0.1`, or none) and 0.2.0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum OpenVexSpec {
    V0_0_1,
    V0_2_0,
}

impl OpenVexSpec {
    /// `0.0.1` or `0.2.0`.
    pub fn as_str(self) -> &'static str {
        match self {
            OpenVexSpec::V0_0_1 => "0.0.1",
            OpenVexSpec::V0_2_0 => "0.2.0",
        }
    }
}

impl fmt::Display for OpenVexSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One assertion: the status of a vulnerability in some products.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Statement {
    pub vulnerability: Vulnerability,
    /// What the statement is about. Empty when the document names no product (OpenVEX
    /// lets an encapsulating document supply them); a warning says so.
    pub products: Vec<Product>,
    pub status: Status,
    /// Why a `not_affected` product is not affected.
    pub justification: Option<Justification>,
    /// Free text on why a product is not affected.
    pub impact_statement: Option<String>,
    /// Free text on what to do about an affected product.
    pub action_statement: Option<String>,
    /// Free text on how the status was determined.
    pub status_notes: Option<String>,
    /// When the statement was known to be true, in UTC: its own timestamp, else the
    /// document's (OpenVEX inheritance); CycloneDX `analysis.lastUpdated`, else
    /// `analysis.firstIssued`, else `metadata.timestamp`.
    pub timestamp: Option<OffsetDateTime>,
    /// The CycloneDX analysis as written, when the statement was read from CycloneDX:
    /// the mapping to OpenVEX terms loses distinctions (`false_positive` and
    /// `not_affected` are both [`Status::NotAffected`]), and this keeps them.
    pub cdx: Option<CdxAnalysis>,
}

/// A vulnerability by its identifiers.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Vulnerability {
    /// The main identifier: `CVE-2021-44228`, `GHSA-...`.
    pub name: String,
    /// Other identifiers of the same vulnerability (OpenVEX `aliases`, CycloneDX
    /// `references[].id`), without duplicates.
    pub aliases: Vec<String>,
}

/// The VEX status of a product with respect to a vulnerability.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    NotAffected,
    Affected,
    Fixed,
    UnderInvestigation,
}

impl Status {
    pub const ALL: [Status; 4] = [
        Status::NotAffected,
        Status::Affected,
        Status::Fixed,
        Status::UnderInvestigation,
    ];

    /// The OpenVEX spelling: `not_affected`, `affected`, `fixed`, `under_investigation`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::NotAffected => "not_affected",
            Status::Affected => "affected",
            Status::Fixed => "fixed",
            Status::UnderInvestigation => "under_investigation",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that is none of the OpenVEX statuses or justifications.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} {value:?}; expected one of {expected}")]
pub struct UnknownLabel {
    /// `status` or `justification`.
    pub what: &'static str,
    pub value: String,
    pub expected: &'static str,
}

impl FromStr for Status {
    type Err = UnknownLabel;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Status::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| UnknownLabel {
                what: "status",
                value: s.to_owned(),
                expected: "not_affected, affected, fixed, under_investigation",
            })
    }
}

/// Why a product is not affected: the five labels of the VEX working group, as OpenVEX
/// spells them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Justification {
    ComponentNotPresent,
    VulnerableCodeNotPresent,
    VulnerableCodeNotInExecutePath,
    VulnerableCodeCannotBeControlledByAdversary,
    InlineMitigationsAlreadyExist,
}

impl Justification {
    pub const ALL: [Justification; 5] = [
        Justification::ComponentNotPresent,
        Justification::VulnerableCodeNotPresent,
        Justification::VulnerableCodeNotInExecutePath,
        Justification::VulnerableCodeCannotBeControlledByAdversary,
        Justification::InlineMitigationsAlreadyExist,
    ];

    /// The OpenVEX spelling, `component_not_present` and so on.
    pub fn as_str(self) -> &'static str {
        match self {
            Justification::ComponentNotPresent => "component_not_present",
            Justification::VulnerableCodeNotPresent => "vulnerable_code_not_present",
            Justification::VulnerableCodeNotInExecutePath => "vulnerable_code_not_in_execute_path",
            Justification::VulnerableCodeCannotBeControlledByAdversary => {
                "vulnerable_code_cannot_be_controlled_by_adversary"
            }
            Justification::InlineMitigationsAlreadyExist => "inline_mitigations_already_exist",
        }
    }
}

impl fmt::Display for Justification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Justification {
    type Err = UnknownLabel;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Justification::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| UnknownLabel {
                what: "justification",
                value: s.to_owned(),
                expected: "component_not_present, vulnerable_code_not_present, vulnerable_code_not_in_execute_path, vulnerable_code_cannot_be_controlled_by_adversary, inline_mitigations_already_exist",
            })
    }
}

/// A CycloneDX `analysis`, as written (trimmed), so that nothing is lost in the mapping
/// to OpenVEX terms.
#[derive(Clone, Debug, PartialEq, Eq, Default, Hash)]
pub struct CdxAnalysis {
    /// `resolved`, `resolved_with_pedigree`, `exploitable`, `in_triage`,
    /// `false_positive` or `not_affected`.
    pub state: Option<String>,
    /// `code_not_present`, `requires_dependency`, `protected_at_runtime`, ….
    pub justification: Option<String>,
    /// `can_not_fix`, `will_not_fix`, `update`, `rollback`, `workaround_available`.
    pub response: Vec<String>,
    pub detail: Option<String>,
}

/// Which CycloneDX BOM a document is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BomIdentity {
    /// `serialNumber` as written (`urn:uuid:...`).
    pub serial: Option<String>,
    /// The BOM `version`, 1 when not written.
    pub version: u64,
    /// `metadata.component`: what the BOM describes.
    pub subject_bom_ref: Option<String>,
    /// The subject's purl, where the document writes one.
    pub subject_purl: Option<Purl>,
    pub subject_name: Option<String>,
    pub subject_version: Option<String>,
    /// How many components the BOM lists besides the subject: 0 for a VEX-only BOM, more
    /// for an SBOM with embedded VEX.
    pub components: usize,
}

/// A leniency applied while reading a document: where, and what the reader did instead
/// of rejecting it.
///
/// Displays as `{at}: {message}`:
/// `statements[2]: not_affected without justification or impact_statement; kept`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Warning {
    /// A path into the document: `statements[2].products[0].@id`,
    /// `vulnerabilities[1].affects[0].ref`.
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
