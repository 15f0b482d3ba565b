//! Exposure over time and what it says about the response to it, computed from facts the
//! store supplies, with no I/O.
//!
//! - [`episodes`]: the intervals during which a service in an environment ran a release
//!   carrying an advisory that Vigil knew of, with SLA due dates from [`SlaPolicies`].
//! - [`metrics`]: time to detect and to remediate, open exposure age, SLA compliance and
//!   the open backlog, for the portfolio or by environment, service or team ([`Group`]).
//! - [`trend`]: the same by calendar month.
//! - [`root_cause`]: the release that brought a vulnerable package version in, and the
//!   one that took it out.
//! - [`patterns`]: the packages, ecosystems and teams through which vulnerabilities recur.
//!
//! Durations are reported in seconds as `f64`, computed from whole nanoseconds; durations
//! of whole seconds give exact values. `docs/metrics.md` defines every number.
//!
//! ```
//! use time::macros::datetime;
//! use vigil_exposure::{FindingFact, SlaPolicies, Track, Window, episodes};
//!
//! let track = Track {
//!     environment: "prod".into(),
//!     service: "api".into(),
//!     team: None,
//!     windows: vec![Window { release_id: 1, from: datetime!(2025-01-01 0:00 UTC), to: None }],
//! };
//! let finding = FindingFact {
//!     release_id: 1,
//!     advisory_id: "GHSA-xxxx".into(),
//!     purl: "pkg:npm/lodash@4.17.20".into(),
//!     ecosystem: "npm".into(),
//!     severity_rank: 3,
//!     kev: false,
//!     first_seen: datetime!(2025-01-05 0:00 UTC),
//!     ruled_out_at: None,
//!     accepted_until: None,
//! };
//! let now = datetime!(2025-03-01 0:00 UTC);
//! let found = episodes(&[track], &[finding], &SlaPolicies::default(), now);
//! assert_eq!(found[0].start, datetime!(2025-01-05 0:00 UTC));
//! assert_eq!(found[0].due, datetime!(2025-02-04 0:00 UTC)); // high: 30 days
//! assert!(found[0].overdue);
//! ```

mod episode;
mod error;
mod facts;
mod lineage;
mod metrics;
mod patterns;
mod sla;
mod stats;
mod trend;

pub use episode::{Episode, episodes};
pub use error::PolicyError;
pub use facts::{AdvisoryFact, FindingFact, Track, Window};
pub use lineage::{Lineage, ReleaseFacts, ReleaseRef, purl_package, root_cause};
pub use metrics::{Backlog, Group, MetricsRow, OpenAge, SlaCompliance, metrics};
pub use patterns::{EcosystemRow, PackageRow, PatternFact, Patterns, Tally, TeamRow, patterns};
pub use sla::{MAX_DAYS, Severity, SlaPolicies, SlaPolicy};
pub use stats::DurationStats;
pub use trend::{TrendRow, trend};
