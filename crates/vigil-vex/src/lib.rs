//! VEX documents in and out: OpenVEX and CycloneDX VEX read into one normalized
//! [`Document`], and written back as either.
//!
//! A VEX statement says what a vulnerability means for a product: `not_affected` (with a
//! justification), `affected` (with an action), `fixed` or `under_investigation`.
//! Vigil reads statements to triage findings, so it reads what producers write:
//!
//! - OpenVEX 0.2.0 and 0.0.1, JSON or YAML, including the older shapes (a vulnerability
//!   or product as a plain string, statement-level subcomponents);
//! - CycloneDX 1.2–1.7 VEX, JSON or XML, standalone or embedded in an SBOM, through
//!   `vigil_sbom`. Its analysis states and justifications map to OpenVEX's by fixed
//!   tables, and the values as written are kept in [`Statement::cdx`].
//!
//! [`parse`] tells the format from the bytes. Products are identified by purl, digest,
//! BOM-link, CycloneDX component or any other string ([`ProductId`]). The writers,
//! [`openvex::write`] and [`cyclonedx::write`], are deterministic and round-trip:
//! `parse(&write(&doc))` gives `doc`'s statements back. `docs/vex.md` has the tables and
//! rules.
//!
//! The crate is pure: it reads the bytes it is given, within [`Limits`]. A document
//! that breaks a rule real producers break (a `not_affected` statement without
//! justification, an `affected` one without action) is read with a [`Warning`]; one
//! that cannot be understood (an unknown status) is an [`Error`] that says where.
//!
//! ```
//! let doc = br#"{
//!   "@context": "https://openvex.dev/ns/v0.2.0",
//!   "@id": "https://openvex.dev/docs/example/vex-1",
//!   "author": "Example", "timestamp": "2023-01-08T18:02:03Z", "version": 1,
//!   "statements": [{
//!     "vulnerability": {"name": "CVE-2023-12345"},
//!     "products": [{"@id": "pkg:apk/wolfi/git@2.39.0-r1?arch=x86_64"}],
//!     "status": "not_affected", "justification": "component_not_present"
//!   }]
//! }"#;
//! let vex = vigil_vex::parse(doc)?;
//! let s = &vex.statements[0];
//! assert_eq!(s.status, vigil_vex::Status::NotAffected);
//! assert_eq!(s.products[0].id.as_iri(), "pkg:apk/wolfi/git@2.39.0-r1?arch=x86_64");
//! let again = vigil_vex::parse(&vigil_vex::cyclonedx::write(&vex))?;
//! assert_eq!(again.statements[0].justification, s.justification);
//! # Ok::<(), vigil_vex::Error>(())
//! ```

pub mod cyclonedx;
mod detect;
mod error;
mod limits;
mod mapping;
mod model;
mod normalize;
pub mod openvex;
mod product;
mod time;

pub use error::Error;
pub use limits::Limits;
pub use model::{
    BomIdentity, CdxAnalysis, Document, Format, Justification, OpenVexSpec, Statement, Status,
    UnknownLabel, Vulnerability, Warning,
};
pub use product::{
    BadBomLink, BadDigest, BomLink, Digest, Identifiers, LocalComponent, Product, ProductId,
    VersionSpec,
};

/// Reads a VEX document of any supported format with the default [`Limits`].
///
/// # Errors
/// When the format is not recognized, a limit is exceeded, or a value cannot be
/// understood; the error says where.
pub fn parse(bytes: &[u8]) -> Result<Document, Error> {
    parse_with_limits(bytes, &Limits::default())
}

/// Reads a VEX document of any supported format within `limits`.
///
/// # Errors
/// As [`parse`].
pub fn parse_with_limits(bytes: &[u8], limits: &Limits) -> Result<Document, Error> {
    limits.check_size(bytes.len())?;
    match detect::detect(bytes)? {
        detect::Kind::OpenVexJson => openvex::parse(bytes, false, limits),
        detect::Kind::OpenVexYaml => openvex::parse(bytes, true, limits),
        detect::Kind::CycloneDxJson => cyclonedx::parse(bytes, false, limits),
        detect::Kind::CycloneDxXml => cyclonedx::parse(bytes, true, limits),
    }
}
