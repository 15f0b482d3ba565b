//! The server configuration: a TOML file, then `VIGIL_*` environment variables, then
//! flags. Every field has a default, so an empty file (or none) is a working setup.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::sinks::SinkConfig;

/// Everything `vigil serve` reads at start.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// The address the HTTP server listens on.
    pub listen: String,
    /// The directory of the embedded SQLite store.
    pub data_dir: PathBuf,
    /// A PostgreSQL URL; when set, used instead of the embedded store. A secret: its
    /// password is redacted when shown.
    pub database_url: Option<String>,
    pub log: LogConfig,
    pub api: ApiConfig,
    pub osv_api: OsvApiConfig,
    pub scheduler: SchedulerConfig,
    pub outbox: OutboxConfig,
    /// Where alerts go; none by default (alerts are still recorded and listed).
    pub sinks: Vec<SinkConfig>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogConfig {
    /// `text` or `json`.
    pub format: LogFormat,
    /// A tracing filter directive, e.g. `info` or `vigil_server=debug,info`.
    pub level: String,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ApiConfig {
    /// Largest request body accepted, in bytes (an SBOM upload is the largest).
    pub max_body_bytes: usize,
    /// Requests per second each token may make, sustained.
    pub rate_limit_per_second: u32,
    /// Requests a token may make at once above the sustained rate.
    pub rate_limit_burst: u32,
    /// Largest page a list endpoint returns.
    pub max_page_size: usize,
    /// Connections to the store kept for reads.
    pub read_connections: usize,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OsvApiConfig {
    /// Serve `/v1/query`, `/v1/querybatch` and `/v1/vulns/{id}` without a token. They
    /// expose advisories only, never the portfolio.
    pub public: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SchedulerConfig {
    /// Seconds between OSV feed syncs; 0 disables them.
    pub osv_interval_secs: u64,
    /// The OSV bucket (or a mirror with its layout).
    pub osv_url: String,
    /// Ecosystems to sync; empty syncs every ecosystem (`all.zip`).
    pub osv_ecosystems: Vec<String>,
    /// Seconds between KEV imports; 0 disables them.
    pub kev_interval_secs: u64,
    pub kev_url: String,
    /// Seconds between EPSS imports; 0 disables them.
    pub epss_interval_secs: u64,
    pub epss_url: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OutboxConfig {
    /// Milliseconds between looks at the outbox when it is idle.
    pub poll_interval_ms: u64,
    /// First retry delay, in seconds; each retry doubles it.
    pub backoff_base_secs: u64,
    /// Longest delay between retries, in seconds.
    pub backoff_max_secs: u64,
    /// Hours a delivery is retried before it is marked failed.
    pub give_up_after_hours: u64,
    /// Seconds one delivery attempt may take.
    pub timeout_secs: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "127.0.0.1:8080".to_owned(),
            data_dir: PathBuf::from("vigil-data"),
            database_url: None,
            log: LogConfig::default(),
            api: ApiConfig::default(),
            osv_api: OsvApiConfig::default(),
            scheduler: SchedulerConfig::default(),
            outbox: OutboxConfig::default(),
            sinks: Vec::new(),
        }
    }
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            format: LogFormat::Text,
            level: "info".to_owned(),
        }
    }
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            max_body_bytes: 64 * 1024 * 1024,
            rate_limit_per_second: 200,
            rate_limit_burst: 400,
            max_page_size: 1000,
            read_connections: 8,
        }
    }
}

impl Default for SchedulerConfig {
    fn default() -> Self {
        SchedulerConfig {
            osv_interval_secs: 600,
            osv_url: vigil_engine::feed::DEFAULT_BASE.to_owned(),
            osv_ecosystems: Vec::new(),
            kev_interval_secs: 86_400,
            kev_url: "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json"
                .to_owned(),
            epss_interval_secs: 86_400,
            epss_url: "https://epss.cyentia.com/epss_scores-current.csv.gz".to_owned(),
        }
    }
}

impl Default for OutboxConfig {
    fn default() -> Self {
        OutboxConfig {
            poll_interval_ms: 1000,
            backoff_base_secs: 5,
            backoff_max_secs: 600,
            give_up_after_hours: 72,
            timeout_secs: 10,
        }
    }
}
