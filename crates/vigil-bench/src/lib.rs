//! Vigil's scale benchmark. [`portfolio`] and [`pool`] generate a synthetic portfolio
//! (services, releases drawn from a pool of package versions with Zipf popularity,
//! deployments) deterministically from a seed; [`cyclonedx`] writes each release's SBOM
//! as CycloneDX 1.6 JSON the way syft or cdxgen would; [`osv`] reads the real advisory
//! databases and builds synthetic OSV records, a controlled share of them hitting the
//! portfolio. [`run`] loads all of it through the engine's own operations
//! (`import_advisories`, `add_release`, `deploy`) into SQLite or PostgreSQL and times
//! what a user waits for.
//!
//! Documents are made one at a time as they are loaded; only each service's current
//! dependency list is kept between releases.

pub mod cyclonedx;
mod error;
pub mod ledger;
mod measure;
pub mod osv;
pub mod pool;
pub mod portfolio;
mod runner;
pub mod seed;

pub use error::{BenchError, Result};
pub use measure::{Summary, peak_rss_bytes};
pub use runner::{
    BenchConfig, BenchReport, IngestTiming, LoadTimes, QueryTiming, RematchTiming, Sizes,
    StoreTarget, Target, run,
};
