//! CycloneDX VEX: reading the vulnerabilities of a CycloneDX 1.2–1.7 BOM, JSON or XML,
//! standalone or embedded in an SBOM, and writing CycloneDX 1.6 JSON.
//!
//! Reading is through [`crate::parse`], which tells the format from the bytes; this
//! module writes.

mod extras;
mod read;
mod write;

pub(crate) use read::parse;
pub use write::write;
