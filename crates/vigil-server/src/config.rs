//! The server configuration, in layers: defaults, then a TOML file, then `VIGIL_*`
//! environment variables; flags, applied by the binary, come last. Every field has a
//! default, so an empty file (or none) is a working setup.
//!
//! An environment variable names a key by its path in upper case, a section and its key
//! joined by a double underscore: `VIGIL_LISTEN`, `VIGIL_LOG__LEVEL`,
//! `VIGIL_API__MAX_PAGE_SIZE`. A list is comma-separated:
//! `VIGIL_SCHEDULER__OSV_ECOSYSTEMS=npm,PyPI`. Sinks are written in the file, all but
//! their secrets, which may come from `VIGIL_SINKS__<NAME>__SECRET` (the sink's name upper
//! case, every other character than a letter or digit as `_`), so secrets can stay out of
//! files.
//!
//! A variable whose first part names no key (`VIGIL_CONFIG`, `VIGIL_TEST_PG_URL`) belongs
//! to something else and is ignored. One that names a section but a key the section does
//! not have is an error, as an unknown key in the file is.

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tracing_subscriber::EnvFilter;

use crate::logging::{REDACTED, redact_url, redact_url_path};
use crate::sinks::{SinkConfig, SinkKind};

/// Everything `vigil serve` reads at start.
///
/// Its `Debug` shows [`Config::redacted`], so a configuration in a log line or a panic
/// message carries no secret.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// The address the HTTP server listens on.
    pub listen: String,
    /// The directory of the embedded SQLite store.
    pub data_dir: PathBuf,
    /// A PostgreSQL URL; when set, used instead of the embedded store. A secret: its
    /// password is redacted when shown.
    pub database_url: Option<String>,
    /// `[log]`: what is logged and how.
    pub log: LogConfig,
    /// `[api]`: limits of the HTTP API.
    pub api: ApiConfig,
    /// `[osv_api]`: the OSV-compatible query endpoints.
    pub osv_api: OsvApiConfig,
    /// `[scheduler]`: the background imports and where they read from.
    pub scheduler: SchedulerConfig,
    /// `[outbox]`: delivery of alerts to sinks.
    pub outbox: OutboxConfig,
    /// `[ledger]`: the key that signs checkpoints, and how often.
    pub ledger: LedgerConfig,
    /// `[gate]`: the deployment gate's policy.
    pub gate: GateConfig,
    /// `[response]`: the SLA sweep, and how often the response gauges are computed.
    pub response: ResponseConfig,
    /// `[console]`: the web console at `/`.
    pub console: ConsoleConfig,
    /// `[[sinks]]`: where alerts go; none by default (alerts are still recorded and listed).
    pub sinks: Vec<SinkConfig>,
}

/// The web console: sign-in with a token, then a cookie session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConsoleConfig {
    /// Serve the console at `/`; when false, `/` and the console's pages answer 404.
    pub enabled: bool,
    /// Hours a console session lasts after signing in (1 to 720).
    pub session_hours: u64,
    /// Mark the session cookie `Secure`, so that browsers send it over HTTPS only. Set
    /// it when a TLS proxy serves the console.
    pub secure_cookie: bool,
}

impl Default for ConsoleConfig {
    fn default() -> Self {
        ConsoleConfig {
            enabled: true,
            session_hours: 12,
            secure_cookie: false,
        }
    }
}

/// Logging, as [`crate::logging::init`] sets it up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogConfig {
    /// `text` or `json`.
    pub format: LogFormat,
    /// A tracing filter directive, e.g. `info` or `vigil_server=debug,info`.
    pub level: String,
}

/// How log lines are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// For people: one line per event, with its fields as `key=value`.
    #[default]
    Text,
    /// For log collectors: one JSON object per line.
    Json,
}

/// Limits of the HTTP API.
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
    /// Memory for answers of `/api/v1/affected/{id}` kept between requests, in MiB;
    /// 0 keeps none.
    pub affected_cache_mib: usize,
    /// Age after which a kept answer is made again, in milliseconds: how long a write
    /// this process cannot hear of (another process on the same SQLite store) may stay
    /// unseen.
    pub affected_cache_max_age_ms: u64,
}

/// The OSV-compatible query endpoints.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OsvApiConfig {
    /// Serve `/v1/query`, `/v1/querybatch` and `/v1/vulns/{id}` without a token. They
    /// expose advisories only, never the portfolio.
    pub public: bool,
}

/// The background imports: OSV advisories, CISA KEV, FIRST EPSS.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SchedulerConfig {
    /// Seconds between OSV feed syncs; 0 disables them.
    pub osv_interval_secs: u64,
    /// The OSV bucket (or a mirror with its layout), over http(s).
    pub osv_url: String,
    /// Ecosystems to sync; empty syncs every ecosystem (`all.zip`).
    pub osv_ecosystems: Vec<String>,
    /// Seconds between KEV imports; 0 disables them.
    pub kev_interval_secs: u64,
    /// The KEV catalog: an http(s) URL or a local file path.
    pub kev_url: String,
    /// Seconds between EPSS imports; 0 disables them.
    pub epss_interval_secs: u64,
    /// The EPSS scores (gzipped CSV): an http(s) URL or a local file path.
    pub epss_url: String,
}

/// The deployment gate of `POST /api/v1/gate`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GateConfig {
    /// A directory of `.rego` files (read with its subdirectories), or one file, holding
    /// `package vigil.gate`; by default the built-in policy. Read and compiled once at
    /// start: a policy that does not compile stops the server from starting.
    pub policy_dir: Option<PathBuf>,
}

/// Response to exposure: the periodic SLA sweep and the gauges of `/metrics` that
/// come from exposure episodes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ResponseConfig {
    /// Seconds between SLA sweeps, which lapse expired risk acceptances and write an
    /// alert for each exposure past its due date; 0 disables them.
    pub sweep_interval_secs: u64,
    /// Seconds a computation of the exposure gauges of `/metrics` (overdue findings,
    /// SLA compliance, MTTR, MTTD, open exposure age, backlog) is reused by later
    /// scrapes; 0 computes them on every scrape.
    pub metrics_max_age_secs: u64,
}

impl Default for ResponseConfig {
    fn default() -> Self {
        ResponseConfig {
            sweep_interval_secs: 60,
            metrics_max_age_secs: 60,
        }
    }
}

/// Delivery of alerts from the outbox to the sinks.
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
            ledger: LedgerConfig::default(),
            gate: GateConfig::default(),
            response: ResponseConfig::default(),
            console: ConsoleConfig::default(),
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
            affected_cache_mib: 64,
            affected_cache_max_age_ms: 2_000,
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

/// The ledger's checkpoints. The signing key itself may come from the environment
/// variable `VIGIL_LEDGER_KEY` (never from this file).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LedgerConfig {
    /// The signing key file; by default `ledger.key` in the data directory of an SQLite
    /// store (made there if missing). Replicas on one PostgreSQL share one key, by this
    /// or by `VIGIL_LEDGER_KEY`.
    pub key_file: Option<PathBuf>,
    /// The checkpoints' origin line; by default the key's name.
    pub origin: Option<String>,
    /// Milliseconds between checkpoints while events arrive: at most one per interval.
    pub checkpoint_interval_ms: u64,
}

impl Default for LedgerConfig {
    fn default() -> Self {
        LedgerConfig {
            key_file: None,
            origin: None,
            checkpoint_interval_ms: 1000,
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

/// Why a configuration could not be loaded, or is not valid.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The config file named could not be read (a missing file included); the reason is
    /// the source.
    #[error("cannot read the config file {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The config file is not valid TOML, or has a key or value the configuration does not
    /// take. The message is toml's: it gives the line and column, and quotes the line.
    #[error("in the config file {}: {message}", path.display())]
    Parse { path: PathBuf, message: String },
    /// A `VIGIL_*` variable names a key but cannot set it.
    #[error("environment variable {var}: {message}")]
    Env { var: String, message: String },
    /// Values that load but are not allowed; each problem names its key.
    #[error("{}", describe(problems))]
    Invalid { problems: Vec<Problem> },
}

/// One value that is not allowed: its key as written in TOML (`api.max_page_size`,
/// `sinks[1].name`) and what is wrong with it and what is allowed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub key: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.key, self.message)
    }
}

fn describe(problems: &[Problem]) -> String {
    match problems {
        [one] => format!("invalid configuration: {one}"),
        _ => {
            let mut text = "invalid configuration:".to_owned();
            for problem in problems {
                text.push_str("\n  ");
                text.push_str(&problem.to_string());
            }
            text
        }
    }
}

const ENV_PREFIX: &str = "VIGIL_";

impl Config {
    /// Defaults, then `file` when given, then the `VIGIL_*` variables of `env`, as the
    /// module documentation describes. It does not [`validate`](Config::validate).
    ///
    /// For the process environment pass `std::env::vars_os()` kept to the pairs that are
    /// UTF-8 (`std::env::vars()` panics on one that is not).
    ///
    /// # Errors
    /// A file that cannot be read (a missing one included) or parsed, an unknown key in
    /// it, or a variable that names a key but whose value does not parse as that key's
    /// type.
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config, ConfigError> {
        let config = match file {
            Some(path) => Config::from_file(path)?,
            None => Config::default(),
        };
        let mut vars: Vec<(String, String)> = env
            .into_iter()
            .filter(|(var, _)| var.starts_with(ENV_PREFIX))
            .collect();
        if vars.is_empty() {
            return Ok(config);
        }
        // Sorted, so that the same environment always gives the same error first.
        vars.sort();
        // Overlaid on the serialized form, so that every field of every section can be
        // set, typed by the value it replaces, without a line per field here.
        let mut tree = serde_json::to_value(&config)
            .expect("a config read from TOML or defaults is strings, numbers, lists and tables");
        for (var, raw) in &vars {
            let Some(key) = set_from_env(&mut tree, var, raw)? else {
                continue;
            };
            // Checked after each variable, so a value the type refuses (an unknown enum
            // variant, a number too large) is blamed on its variable.
            if let Err(e) = Config::deserialize(&tree) {
                return Err(ConfigError::Env {
                    var: var.clone(),
                    message: format!("{raw:?} is not valid for {key}: {e}"),
                });
            }
        }
        Ok(Config::deserialize(&tree).expect("checked after each variable"))
    }

    fn from_file(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        toml::from_str(&text).map_err(|e| ConfigError::Parse {
            path: path.to_owned(),
            message: e.to_string().trim_end().to_owned(),
        })
    }

    /// Checks every value, and reports every problem found, not only the first.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] with one [`Problem`] per value not allowed.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let mut problems = Problems::default();
        self.validate_top(&mut problems);
        self.validate_api(&mut problems);
        self.validate_scheduler(&mut problems);
        self.validate_outbox(&mut problems);
        self.validate_ledger(&mut problems);
        self.validate_gate(&mut problems);
        self.validate_response(&mut problems);
        problems.range(
            "console.session_hours",
            self.console.session_hours,
            1,
            720,
            "",
        );
        self.validate_sinks(&mut problems);
        if problems.0.is_empty() {
            Ok(())
        } else {
            Err(ConfigError::Invalid {
                problems: problems.0,
            })
        }
    }

    fn validate_top(&self, problems: &mut Problems) {
        if self.listen.parse::<SocketAddr>().is_err() {
            problems.push(
                "listen",
                format!(
                    "{:?} is not a socket address; write an IP address and a port, \
                     e.g. 127.0.0.1:8080 or [::]:8080",
                    self.listen
                ),
            );
        }
        if self.data_dir.as_os_str().is_empty() {
            problems.push(
                "data_dir",
                "is empty; name the directory of the embedded store",
            );
        }
        if let Some(url) = &self.database_url
            && !(url.starts_with("postgres://") || url.starts_with("postgresql://"))
        {
            // Quoted only when it is URL-shaped, so that redaction can find the password.
            let shown = if url.contains("://") {
                format!("{:?} ", redact_url(url))
            } else {
                String::new()
            };
            problems.push(
                "database_url",
                format!(
                    "{shown}is not a PostgreSQL URL; it starts with postgres:// or postgresql://"
                ),
            );
        }
        if let Err(e) = EnvFilter::builder().parse(&self.log.level) {
            problems.push(
                "log.level",
                format!(
                    "{:?} is not a tracing filter ({e}); write a level (error, warn, info, \
                     debug, trace) or directives such as vigil_server=debug,info",
                    self.log.level
                ),
            );
        }
    }

    fn validate_api(&self, problems: &mut Problems) {
        let api = &self.api;
        problems.range(
            "api.max_body_bytes",
            api.max_body_bytes,
            1 << 10,
            1 << 30,
            " (1 KiB to 1 GiB)",
        );
        problems.at_least_one("api.rate_limit_per_second", api.rate_limit_per_second);
        problems.at_least_one("api.rate_limit_burst", api.rate_limit_burst);
        problems.range("api.max_page_size", api.max_page_size, 1, 10_000, "");
        problems.range("api.read_connections", api.read_connections, 1, 256, "");
        problems.range(
            "api.affected_cache_mib",
            api.affected_cache_mib,
            0,
            65_536,
            "",
        );
        problems.range(
            "api.affected_cache_max_age_ms",
            api.affected_cache_max_age_ms,
            1,
            3_600_000,
            "",
        );
    }

    fn validate_scheduler(&self, problems: &mut Problems) {
        let scheduler = &self.scheduler;
        if !is_http_url(&scheduler.osv_url) {
            problems.push(
                "scheduler.osv_url",
                format!(
                    "{:?} is not an http(s) URL; the OSV feed is read over HTTP, from \
                     osv.dev's bucket ({}) or a mirror with its layout",
                    redact_url(&scheduler.osv_url),
                    vigil_engine::feed::DEFAULT_BASE
                ),
            );
        }
        for (key, source) in [
            ("scheduler.kev_url", &scheduler.kev_url),
            ("scheduler.epss_url", &scheduler.epss_url),
        ] {
            if let Err(message) = check_source(source) {
                problems.push(key, message);
            }
        }
        for (i, ecosystem) in scheduler.osv_ecosystems.iter().enumerate() {
            if ecosystem.trim().is_empty() {
                problems.push(
                    format!("scheduler.osv_ecosystems[{i}]"),
                    "is empty; name an ecosystem as the feed does (npm, PyPI, crates.io), \
                     or leave the list empty for every ecosystem",
                );
            }
        }
    }

    fn validate_ledger(&self, problems: &mut Problems) {
        problems.at_least_one(
            "ledger.checkpoint_interval_ms",
            self.ledger.checkpoint_interval_ms,
        );
        if let Some(origin) = &self.ledger.origin
            && (origin.is_empty() || origin.chars().any(|c| c.is_control()))
        {
            problems.push(
                "ledger.origin",
                format!("{origin:?} is empty or holds control characters; write a name such as example.com/vigil"),
            );
        }
    }

    fn validate_gate(&self, problems: &mut Problems) {
        if let Some(dir) = &self.gate.policy_dir
            && dir.as_os_str().is_empty()
        {
            problems.push(
                "gate.policy_dir",
                "is empty; name a directory of .rego files, or leave it out for the built-in policy",
            );
        }
    }

    fn validate_response(&self, problems: &mut Problems) {
        problems.range(
            "response.sweep_interval_secs",
            self.response.sweep_interval_secs,
            0,
            86_400,
            " (0 disables the sweep)",
        );
        problems.range(
            "response.metrics_max_age_secs",
            self.response.metrics_max_age_secs,
            0,
            3_600,
            "",
        );
    }

    fn validate_outbox(&self, problems: &mut Problems) {
        let outbox = &self.outbox;
        problems.at_least_one("outbox.poll_interval_ms", outbox.poll_interval_ms);
        problems.at_least_one("outbox.backoff_base_secs", outbox.backoff_base_secs);
        problems.at_least_one("outbox.backoff_max_secs", outbox.backoff_max_secs);
        problems.at_least_one("outbox.give_up_after_hours", outbox.give_up_after_hours);
        problems.at_least_one("outbox.timeout_secs", outbox.timeout_secs);
        if outbox.backoff_base_secs > outbox.backoff_max_secs {
            problems.push(
                "outbox.backoff_base_secs",
                format!(
                    "{} is more than outbox.backoff_max_secs ({}); the first retry delay \
                     is at most the longest",
                    outbox.backoff_base_secs, outbox.backoff_max_secs
                ),
            );
        }
    }

    fn validate_sinks(&self, problems: &mut Problems) {
        let mut first: HashMap<&str, usize> = HashMap::new();
        for (i, sink) in self.sinks.iter().enumerate() {
            if let Some(earlier) = first.get(sink.name.as_str()) {
                problems.push(
                    format!("sinks[{i}].name"),
                    format!(
                        "{:?} is also the name of sinks[{earlier}]; sink names are unique",
                        sink.name
                    ),
                );
            } else {
                first.insert(&sink.name, i);
            }
            if let Err(message) = sink.validate() {
                problems.push(format!("sinks[{i}]"), message);
            }
        }
    }

    /// A copy safe to show: the database password (in the userinfo or a query parameter)
    /// and every sink secret replaced by `***`, every sink URL passed through
    /// [`redact_url`], and the path and query of Slack webhook URLs, which are the secret,
    /// replaced by `/***`.
    pub fn redacted(&self) -> Config {
        let mut config = self.clone();
        if let Some(url) = &mut config.database_url {
            *url = redact_url(url);
        }
        for sink in &mut config.sinks {
            if sink.secret.is_some() {
                sink.secret = Some(REDACTED.to_owned());
            }
            sink.url = match sink.kind {
                SinkKind::Slack => redact_url_path(&sink.url),
                SinkKind::Webhook | SinkKind::Alertmanager => redact_url(&sink.url),
            };
        }
        config
    }

    /// The configuration as a TOML file that [`Config::load`] reads back equal. Shows
    /// secrets: print `redacted().to_toml()`.
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(&*self.utf8())
            .expect("every field is a string, number, bool, list or table")
    }

    /// The configuration as pretty JSON, with the same keys as the TOML. Shows secrets:
    /// print `redacted().to_json()`.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&*self.utf8())
            .expect("every field is a string, number, bool, list or table")
    }

    /// Itself, or a copy whose `data_dir` is made UTF-8 (lossily) so that it serializes:
    /// a path from a flag may not be.
    fn utf8(&self) -> std::borrow::Cow<'_, Config> {
        let key_file_ok = self
            .ledger
            .key_file
            .as_ref()
            .is_none_or(|p| p.to_str().is_some());
        let policy_dir_ok = self
            .gate
            .policy_dir
            .as_ref()
            .is_none_or(|p| p.to_str().is_some());
        if self.data_dir.to_str().is_some() && key_file_ok && policy_dir_ok {
            std::borrow::Cow::Borrowed(self)
        } else {
            let mut config = self.clone();
            config.data_dir = PathBuf::from(self.data_dir.to_string_lossy().into_owned());
            config.ledger.key_file = self
                .ledger
                .key_file
                .as_ref()
                .map(|p| PathBuf::from(p.to_string_lossy().into_owned()));
            config.gate.policy_dir = self
                .gate
                .policy_dir
                .as_ref()
                .map(|p| PathBuf::from(p.to_string_lossy().into_owned()));
            std::borrow::Cow::Owned(config)
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Destructured, so that a new field cannot be left out of the redacted view.
        let Config {
            listen,
            data_dir,
            database_url,
            log,
            api,
            osv_api,
            scheduler,
            outbox,
            sinks,
            ledger,
            gate,
            response,
            console,
        } = self.redacted();
        f.debug_struct("Config")
            .field("listen", &listen)
            .field("data_dir", &data_dir)
            .field("database_url", &database_url)
            .field("log", &log)
            .field("api", &api)
            .field("osv_api", &osv_api)
            .field("scheduler", &scheduler)
            .field("outbox", &outbox)
            .field("sinks", &sinks)
            .field("ledger", &ledger)
            .field("gate", &gate)
            .field("response", &response)
            .field("console", &console)
            .finish()
    }
}

/// The problems `validate` collects.
#[derive(Default)]
struct Problems(Vec<Problem>);

impl Problems {
    fn push(&mut self, key: impl Into<String>, message: impl Into<String>) {
        self.0.push(Problem {
            key: key.into(),
            message: message.into(),
        });
    }

    fn range<T: PartialOrd + fmt::Display>(
        &mut self,
        key: &str,
        value: T,
        min: T,
        max: T,
        note: &str,
    ) {
        if value < min || value > max {
            self.push(
                key,
                format!("{value} is out of range; allowed {min} to {max}{note}"),
            );
        }
    }

    fn at_least_one<T: Into<u64>>(&mut self, key: &str, value: T) {
        if value.into() == 0 {
            self.push(key, "is 0; allowed 1 or more");
        }
    }
}

/// `http://` or `https://` and a host.
fn is_http_url(url: &str) -> bool {
    let Some(rest) = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
    else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority.rsplit('@').next().unwrap_or_default();
    !host.is_empty() && !url.contains(char::is_whitespace)
}

/// A KEV or EPSS source: an http(s) URL, or a local file path, as `vigil intel` reads
/// them. A `file://` URL is refused: it would be read as a relative path.
fn check_source(source: &str) -> Result<(), String> {
    if source.is_empty() {
        return Err("is empty; write an http(s) URL or a local file path".to_owned());
    }
    if source.contains("://") && !is_http_url(source) {
        return Err(format!(
            "{:?} is neither an http(s) URL nor a file path; write a local file as a plain \
             path, e.g. /var/lib/vigil/feeds/kev.json",
            redact_url(source)
        ));
    }
    Ok(())
}

/// Applies one `VIGIL_*` variable to the serialized configuration. Returns the key it set
/// (`api.max_page_size`), or `None` when the variable names no key.
fn set_from_env(tree: &mut Value, var: &str, raw: &str) -> Result<Option<String>, ConfigError> {
    let error = |message: String| ConfigError::Env {
        var: var.to_owned(),
        message,
    };
    let Some(name) = var.strip_prefix(ENV_PREFIX) else {
        return Ok(None);
    };
    let mut segments = name.split("__");
    let first = segments.next().unwrap_or_default();
    let Value::Object(root) = tree else {
        return Ok(None);
    };
    let Some((key, mut node)) = root.iter_mut().find(|(key, _)| env_name(key) == first) else {
        return Ok(None);
    };
    let mut path = key.clone();
    let rest: Vec<&str> = segments.collect();
    for (i, segment) in rest.iter().enumerate() {
        if path == "sinks" {
            return set_sink_secret(node, var, &rest[i..], raw).map(Some);
        }
        let Value::Object(section) = node else {
            return Err(error(format!(
                "{path} is a value, not a section; set it as {ENV_PREFIX}{}",
                env_name(&path.replace('.', "__"))
            )));
        };
        let Some(key) = section
            .keys()
            .find(|key| env_name(key) == *segment)
            .cloned()
        else {
            let keys: Vec<&str> = section.keys().map(String::as_str).collect();
            return Err(error(format!(
                "{path} has no key {}; its keys are {}",
                segment.to_ascii_lowercase(),
                keys.join(", ")
            )));
        };
        path = format!("{path}.{key}");
        node = section.get_mut(&key).expect("the key was just found");
    }
    if path == "sinks" {
        return Err(error(sinks_from_file()));
    }
    if node.is_object() {
        return Err(error(format!(
            "{path} is a section; set its keys, as {var}__<KEY>"
        )));
    }
    *node = coerce(node, raw).map_err(|expected| {
        error(format!(
            "{raw:?} is not valid for {path}, which takes {expected}"
        ))
    })?;
    Ok(Some(path))
}

fn sinks_from_file() -> String {
    "sinks are set in the config file; only a sink's secret may come from the environment, \
     as VIGIL_SINKS__<NAME>__SECRET"
        .to_owned()
}

/// `VIGIL_SINKS__<NAME>__SECRET`: `rest` is `[NAME, "SECRET"]`.
fn set_sink_secret(
    sinks: &mut Value,
    var: &str,
    rest: &[&str],
    raw: &str,
) -> Result<String, ConfigError> {
    let error = |message: String| ConfigError::Env {
        var: var.to_owned(),
        message,
    };
    let [name, "SECRET"] = rest else {
        return Err(error(sinks_from_file()));
    };
    let Value::Array(sinks) = sinks else {
        return Err(error(sinks_from_file()));
    };
    let names: Vec<String> = sinks
        .iter()
        .filter_map(|sink| sink.get("name")?.as_str().map(str::to_owned))
        .collect();
    let mut matching: Vec<(usize, &mut Value)> = sinks
        .iter_mut()
        .enumerate()
        .filter(|(_, sink)| {
            sink.get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| env_name(n) == *name)
        })
        .collect();
    match matching.as_mut_slice() {
        [(i, Value::Object(sink))] => {
            sink.insert("secret".to_owned(), Value::String(raw.to_owned()));
            Ok(format!("sinks[{i}].secret"))
        }
        [] if names.is_empty() => Err(error(
            "no sink has this name; the config file has no [[sinks]]".to_owned(),
        )),
        [] => Err(error(format!(
            "no sink has this name; the sinks are {}",
            names.join(", ")
        ))),
        many => {
            let which: Vec<String> = many.iter().map(|(i, _)| names[*i].clone()).collect();
            Err(error(format!(
                "the sinks {} all have this name in a variable; rename one of them",
                which.join(" and ")
            )))
        }
    }
}

/// How a key, or a sink's name, is spelled in a variable: upper case, each character
/// other than a letter or digit as `_`.
fn env_name(key: &str) -> String {
    key.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// `raw` as a value of the type of `existing`, or what that type takes.
fn coerce(existing: &Value, raw: &str) -> Result<Value, String> {
    let trimmed = raw.trim();
    match existing {
        Value::Array(items) => {
            let element = items.first().unwrap_or(&Value::Null);
            trimmed
                .split(',')
                .map(str::trim)
                .filter(|item| !item.is_empty())
                .map(|item| coerce(element, item))
                .collect::<Result<Vec<Value>, String>>()
                .map(Value::Array)
                .map_err(|expected| format!("a comma-separated list, each item {expected}"))
        }
        Value::Bool(_) => match trimmed.to_ascii_lowercase().as_str() {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err("true or false".to_owned()),
        },
        // Whether the field is signed, and its width, is left to the type's own check.
        Value::Number(n) if n.is_u64() || n.is_i64() => {
            let number = match trimmed.parse::<u64>() {
                Ok(n) => Some(Value::from(n)),
                Err(_) => trimmed.parse::<i64>().ok().map(Value::from),
            };
            number.ok_or_else(|| "a whole number".to_owned())
        }
        Value::Number(_) => trimmed
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .ok_or_else(|| "a number".to_owned()),
        // A string, or an unset optional value (only strings are optional today): taken
        // as it is, since spaces may matter. The type's own check follows.
        Value::String(_) | Value::Null => Ok(Value::String(raw.to_owned())),
        Value::Object(_) => Err("a section".to_owned()),
    }
}
