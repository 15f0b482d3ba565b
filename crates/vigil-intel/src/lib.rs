//! Exploit intelligence, parsed from bytes: CISA's Known Exploited Vulnerabilities
//! catalog ([`parse_kev`]) and FIRST's daily EPSS scores ([`parse_epss`], or
//! [`EpssReader`] to stream them). No I/O: callers fetch or read the files.
//!
//! ```
//! let csv = b"#model_version:v2025.03.14,score_date:2025-03-16T00:00:00+0000\n\
//!             cve,epss,percentile\n\
//!             CVE-2021-44228,0.94358,0.99957\n";
//! let scores = vigil_intel::parse_epss(csv, &vigil_intel::Limits::default())?;
//! assert_eq!(scores.model_version.as_deref(), Some("v2025.03.14"));
//! assert_eq!(scores.scores[0].cve, "CVE-2021-44228");
//! # Ok::<(), vigil_intel::Error>(())
//! ```

mod cve;
mod epss;
mod error;
mod kev;
mod limits;

pub use cve::is_cve_id;
pub use epss::{EpssReader, EpssScore, EpssScores, parse_epss};
pub use error::Error;
pub use kev::{KevCatalog, KevEntry, RansomwareUse, parse_kev};
pub use limits::Limits;
