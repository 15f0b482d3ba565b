//! Vigil's engine: the I/O around the pure domain crates. It reads advisories from
//! directories, zip archives (osv.dev's `all.zip`) and files, and runs every operation
//! on the evidence store: releases in with their SBOMs, deployments, advisories and
//! exploit intelligence, incremental matching, and the questions asked of it.

pub mod advisories;
mod alerts;
mod catalog;
mod changes;
mod clock;
mod deploy;
pub mod diff;
mod engine;
mod error;
pub mod evidence;
pub mod feed;
pub mod gate;
pub mod history;
mod import;
pub mod ledger;
pub mod matching;
pub mod osv_api;
pub mod owners;
mod query;
mod release;
pub mod response;
pub mod runtime;
pub mod signatures;
pub mod triage;
pub mod vex;

pub use alerts::{ALERTS_CHANNEL, AlertAdvisory};
pub use changes::{CHANGES_CHANNEL, Change, Changes, Observer};
pub use clock::{Clock, FixedClock, SystemClock};
pub use deploy::{DeployInput, DeployOutcome, ReleaseRef};
pub use engine::{Engine, Limits, check_digest, sha256};
pub use error::{EngineError, Result};
pub use import::{AdvisoryInput, BatchOutcome, Exposure, ImportReport, RematchOutcome};
pub use query::{
    AdvisoryInfo, AffectedReport, EnvironmentExposure, Exploitation, FindingQuery, FindingRow,
    Status,
};
pub use release::{ReleaseInput, ReleaseOutcome};
