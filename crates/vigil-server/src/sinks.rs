//! Alert sinks: a signed JSON webhook, a Slack-compatible incoming webhook, Alertmanager.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// One configured destination for alerts, with the routes that pick what it gets.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SinkConfig {
    /// Unique among sinks; names the sink in deliveries, logs and metrics.
    pub name: String,
    pub kind: SinkKind,
    /// The webhook URL, or Alertmanager's base URL (`/api/v2/alerts` is appended).
    pub url: String,
    /// Webhook only: the HMAC-SHA256 key that signs each body. A secret.
    #[serde(default)]
    pub secret: Option<String>,
    /// Environments routed here; empty routes every environment.
    #[serde(default)]
    pub environments: Vec<String>,
    /// Lowest severity routed here: `critical`, `high`, `medium`, `low` or `unrated`
    /// (the default, everything).
    #[serde(default)]
    pub min_severity: Option<String>,
    /// Owning teams routed here; empty routes every team, and services with no owner.
    #[serde(default)]
    pub teams: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SinkKind {
    Webhook,
    Slack,
    Alertmanager,
}

/// An alert as the outbox hands it to a sink.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Alert {
    /// The outbox row; stable.
    pub id: i64,
    /// Unique per alert: sent with every attempt so receivers can drop repeats.
    pub key: String,
    pub kind: AlertKind,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub environment: String,
    pub service: String,
    pub version: String,
    /// The owning team of the service, when known.
    pub team: Option<String>,
    /// The highest severity among `advisories`: `critical` … `low`, or `unrated`.
    pub severity: String,
    /// 4 critical, 3 high, 2 medium, 1 low, 0 unrated.
    pub severity_rank: i64,
    pub advisories: Vec<AlertAdvisory>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// An advisory newly affects a release that runs in the environment.
    Advisory,
    /// A deployment brought a release with open findings into the environment.
    Deployment,
}

/// One advisory in an alert.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AlertAdvisory {
    pub id: String,
    pub aliases: Vec<String>,
    pub summary: Option<String>,
    pub severity: String,
    /// The affected package and version, as a package URL.
    pub package: String,
    /// Versions that fix it, comma-separated, when known.
    pub fixed: Option<String>,
    /// Listed in CISA's Known Exploited Vulnerabilities catalog.
    pub kev: bool,
}

impl std::fmt::Debug for SinkConfig {
    // The secret is never shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SinkConfig")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .field("url", &self.url)
            .field("secret", &self.secret.as_ref().map(|_| "<redacted>"))
            .field("environments", &self.environments)
            .field("min_severity", &self.min_severity)
            .field("teams", &self.teams)
            .finish()
    }
}
