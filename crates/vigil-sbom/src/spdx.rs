//! SPDX 2.2/2.3 (JSON and tag-value) and SPDX 3.0 JSON-LD.

pub(crate) mod json;
pub(crate) mod tag;
pub(crate) mod v3;
