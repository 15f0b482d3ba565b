//! Vigil's server: the authenticated HTTP API over the engine, the web console, the
//! scheduler that keeps advisories and exploit intelligence fresh, the alert outbox and
//! its sinks, and the Prometheus metrics.

mod answers;
pub mod api;
pub mod auth;
pub mod config;
mod console;
pub mod error;
mod ledger;
mod listen;
pub mod logging;
mod metrics;
pub mod openapi;
mod osv_api;
mod outbox;
mod pool;
mod scheduler;
mod server;
pub mod sinks;
mod state;

pub use server::{Running, ledger_signer, location, router, signal, start};
pub use state::{AppState, StateError};
