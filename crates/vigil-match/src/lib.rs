//! The in-memory match index: package identity → advisories with ranges parsed once.
//!
//! [`Index`] holds advisories compiled by `vigil-osv` and finds, for a package key and a
//! version, every advisory that affects it, with the verdict that says which range or
//! listed version matched and what fixes it. It is pure (no I/O), so `vigil scan` uses it
//! on an SBOM and the store keeps one per process for incremental matching.

mod identity;
mod index;
pub mod scan;

pub use identity::{Identity, Source, Unmatchable, identity};
pub use index::{Advisory, Index, Inserted, Match};
