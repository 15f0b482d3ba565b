//! OpenVEX: reading 0.0.1 and 0.2.0 (JSON and YAML) and writing 0.2.0.
//!
//! Reading is through [`crate::parse`], which tells the format from the bytes; this
//! module writes.

mod read;
pub(crate) mod write;

pub(crate) use read::{check_statement, parse};
pub use write::{NO_ACTION_STATEMENT, NO_IMPACT_STATEMENT, write};
