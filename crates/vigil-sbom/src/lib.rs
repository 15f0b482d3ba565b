//! SBOMs of every flavour in use, read into one normalized bill of materials.
//!
//! Vigil matches the components of a release's SBOM against advisories, so it must read
//! what real producers write: CycloneDX JSON and XML 1.2–1.7, SPDX 2.2/2.3 JSON and
//! tag-value, and SPDX 3.0 JSON-LD. [`detect`] tells the format from the bytes, and
//! [`parse`] turns any of them into a [`Bom`]: the subject, tools and timestamp, the
//! components with their purls (derived where the document gives enough), the dependency
//! graph as edges between component indices, and CycloneDX's embedded vulnerabilities.
//!
//! Operating-system packages are matched on their *source* package, whose name and
//! version may differ from the binary's (`bsdutils` 1:2.38.1-5+b1 is built from
//! `util-linux` 2.38.1-5). Each producer records that differently, and
//! [`Component::source`] gathers all of them; see the `source` module.
//!
//! The crate is pure: it parses the bytes it is given, and every input is bounded by
//! [`Limits`].
//!
//! ```
//! let doc = br#"{"bomFormat": "CycloneDX", "specVersion": "1.6",
//!   "components": [{"type": "library", "name": "qs", "version": "6.7.0",
//!                   "purl": "pkg:npm/qs@6.7.0"}]}"#;
//! let bom = vigil_sbom::parse(doc)?;
//! assert_eq!(bom.format, vigil_sbom::Format::CycloneDxJson);
//! assert_eq!(bom.components[0].purl.as_ref().map(|p| p.to_string()).as_deref(), Some("pkg:npm/qs@6.7.0"));
//! # Ok::<(), vigil_sbom::Error>(())
//! ```

mod cyclonedx;
mod derive;
mod detect;
mod error;
mod graph;
mod jsonutil;
mod limits;
mod model;
mod source;
mod spdx;

pub use detect::{Format, detect};
pub use error::Error;
pub use graph::{Graph, Relation};
pub use limits::Limits;
pub use model::{
    Affect, AffectedVersion, Analysis, Bom, Component, Edge, EdgeKind, Hash, HashAlgorithm, Rating,
    SourcePackage, Subject, Tool, Vulnerability, Warning,
};

/// Reads an SBOM of any supported format with the default [`Limits`].
///
/// # Errors
/// When the format is not recognized, a limit is exceeded, or the document is unusable;
/// the error says where.
pub fn parse(bytes: &[u8]) -> Result<Bom, Error> {
    parse_with_limits(bytes, &Limits::default())
}

/// Reads an SBOM of any supported format within `limits`.
///
/// # Errors
/// As [`parse`].
pub fn parse_with_limits(bytes: &[u8], limits: &Limits) -> Result<Bom, Error> {
    limits.check_size(bytes.len())?;
    parse_as(detect(bytes)?, bytes, limits)
}

/// Reads `bytes` as `format` within `limits`, without detecting the format: for callers
/// that know it (a content type, a file extension) and for fuzzing one reader.
///
/// # Errors
/// As [`parse`].
pub fn parse_as(format: Format, bytes: &[u8], limits: &Limits) -> Result<Bom, Error> {
    limits.check_size(bytes.len())?;
    match format {
        Format::CycloneDxJson => cyclonedx::json::parse(bytes, limits),
        Format::CycloneDxXml => cyclonedx::xml::parse(bytes, limits),
        Format::SpdxJson => spdx::json::parse(bytes, limits),
        Format::SpdxTagValue => spdx::tag::parse(bytes, limits),
        Format::Spdx3JsonLd => spdx::v3::parse(bytes, limits),
    }
}
