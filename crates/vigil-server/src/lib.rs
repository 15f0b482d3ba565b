//! Vigil's server: the authenticated HTTP API over the engine, the scheduler that keeps
//! advisories and exploit intelligence fresh, the alert outbox and its sinks, and the
//! Prometheus metrics.

pub mod config;
pub mod logging;
pub mod sinks;
