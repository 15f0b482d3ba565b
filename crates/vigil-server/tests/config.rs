//! Loading the server configuration from defaults, a file and the environment; checking,
//! redacting and printing it.

#![allow(clippy::unwrap_used, reason = "tests")]

use std::path::PathBuf;

use vigil_server::config::{Config, ConfigError, LogFormat};
use vigil_server::sinks::SinkKind;

/// A config file in a temporary directory that lives as long as it does.
struct File {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

fn file(text: &str) -> File {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vigil.toml");
    std::fs::write(&path, text).unwrap();
    File { _dir: dir, path }
}

fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// Loads `toml` (when given) as a file, with `env` as the environment.
fn load(toml: Option<&str>, env: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let file = toml.map(file);
    Config::load(file.as_ref().map(|f| f.path.as_path()), vars(env))
}

/// The message of the error loading gives; it must fail.
fn load_error(toml: Option<&str>, env: &[(&str, &str)]) -> String {
    load(toml, env).unwrap_err().to_string()
}

const SINKS: &str = r#"
[[sinks]]
name = "ops-hooks.prod"
kind = "webhook"
url = "https://hooks.example.com/vigil?token=tok3n"
secret = "file-secret"

[[sinks]]
name = "slack"
kind = "slack"
url = "https://hooks.slack.com/services/T0001/B0002/slackpathsecret"
environments = ["production"]
min_severity = "high"
"#;

#[test]
fn defaults_with_no_file_and_no_env() {
    let config = load(None, &[]).unwrap();
    assert_eq!(config, Config::default());
    config.validate().unwrap();
    assert_eq!(config.listen, "127.0.0.1:8080");
    assert_eq!(config.log.format, LogFormat::Text);
    assert!(config.sinks.is_empty());
}

#[test]
fn an_empty_file_is_the_defaults() {
    assert_eq!(load(Some(""), &[]).unwrap(), Config::default());
}

#[test]
fn a_file_overrides_the_defaults() {
    let toml = format!(
        r#"
listen = "0.0.0.0:9000"
database_url = "postgres://vigil@db/vigil"

[log]
format = "json"

[api]
max_page_size = 50

[scheduler]
osv_ecosystems = ["npm", "PyPI"]
{SINKS}"#
    );
    let config = load(Some(&toml), &[]).unwrap();
    assert_eq!(config.listen, "0.0.0.0:9000");
    assert_eq!(
        config.database_url.as_deref(),
        Some("postgres://vigil@db/vigil")
    );
    assert_eq!(config.log.format, LogFormat::Json);
    // Keys the file leaves out keep their defaults, within a section too.
    assert_eq!(config.log.level, "info");
    assert_eq!(config.api.max_page_size, 50);
    assert_eq!(config.api.read_connections, 8);
    assert_eq!(config.scheduler.osv_ecosystems, ["npm", "PyPI"]);
    assert_eq!(config.sinks.len(), 2);
    assert_eq!(config.sinks[1].kind, SinkKind::Slack);
    assert_eq!(config.sinks[0].secret.as_deref(), Some("file-secret"));
    config.validate().unwrap();
}

#[test]
fn the_response_section_has_defaults_a_file_and_env_override() {
    let config = load(None, &[]).unwrap();
    assert_eq!(config.response.sweep_interval_secs, 60);
    assert_eq!(config.response.metrics_max_age_secs, 60);
    let config = load(
        Some("[response]\nsweep_interval_secs = 0\n"),
        &[("VIGIL_RESPONSE__METRICS_MAX_AGE_SECS", "5")],
    )
    .unwrap();
    assert_eq!(config.response.sweep_interval_secs, 0);
    assert_eq!(config.response.metrics_max_age_secs, 5);
    config.validate().unwrap();
    check_invalid(
        "[response]\nmetrics_max_age_secs = 3601",
        "response.metrics_max_age_secs",
        "allowed 0 to 3600",
    );
    check_invalid(
        "[response]\nsweep_interval_secs = 86401",
        "response.sweep_interval_secs",
        "allowed 0 to 86400 (0 disables the sweep)",
    );
    assert!(
        load_error(Some("[response]\nsweep_every = 1\n"), &[]).contains("sweep_every"),
        "an unknown key is named"
    );
}

#[test]
fn env_overrides_the_file() {
    let toml = "listen = \"0.0.0.0:9000\"\n[api]\nmax_page_size = 50\nrate_limit_burst = 7\n";
    let config = load(
        Some(toml),
        &[
            ("VIGIL_LISTEN", "[::]:8443"),
            ("VIGIL_DATA_DIR", "/var/lib/vigil"),
            ("VIGIL_DATABASE_URL", "postgresql://vigil:pw@db/vigil"),
            ("VIGIL_LOG__FORMAT", "json"),
            ("VIGIL_LOG__LEVEL", "vigil_server=debug,info"),
            ("VIGIL_API__MAX_PAGE_SIZE", "200"),
            ("VIGIL_API__RATE_LIMIT_PER_SECOND", " 15 "),
            ("VIGIL_OSV_API__PUBLIC", "true"),
            ("VIGIL_SCHEDULER__OSV_INTERVAL_SECS", "0"),
            ("VIGIL_OUTBOX__BACKOFF_MAX_SECS", "60"),
        ],
    )
    .unwrap();
    assert_eq!(config.listen, "[::]:8443");
    assert_eq!(config.data_dir, PathBuf::from("/var/lib/vigil"));
    assert_eq!(
        config.database_url.as_deref(),
        Some("postgresql://vigil:pw@db/vigil")
    );
    assert_eq!(config.log.format, LogFormat::Json);
    assert_eq!(config.log.level, "vigil_server=debug,info");
    assert_eq!(config.api.max_page_size, 200);
    assert_eq!(config.api.rate_limit_per_second, 15);
    // What neither overrides stays as the file or the defaults have it.
    assert_eq!(config.api.rate_limit_burst, 7);
    assert_eq!(config.api.read_connections, 8);
    assert!(config.osv_api.public);
    assert_eq!(config.scheduler.osv_interval_secs, 0);
    assert_eq!(config.outbox.backoff_max_secs, 60);
    config.validate().unwrap();
}

#[test]
fn lists_from_env_are_comma_separated() {
    let ecosystems = |value: &str| {
        load(None, &[("VIGIL_SCHEDULER__OSV_ECOSYSTEMS", value)])
            .unwrap()
            .scheduler
            .osv_ecosystems
    };
    assert_eq!(
        ecosystems("npm, PyPI,,crates.io"),
        ["npm", "PyPI", "crates.io"]
    );
    assert_eq!(ecosystems("Rocky Linux"), ["Rocky Linux"]);
    // Empty clears a list the file set.
    let config = load(
        Some("[scheduler]\nosv_ecosystems = [\"npm\"]\n"),
        &[("VIGIL_SCHEDULER__OSV_ECOSYSTEMS", "")],
    )
    .unwrap();
    assert!(config.scheduler.osv_ecosystems.is_empty());
}

#[test]
fn a_sink_secret_comes_from_env() {
    let config = load(
        Some(SINKS),
        &[
            ("VIGIL_SINKS__OPS_HOOKS_PROD__SECRET", "env-secret"),
            ("VIGIL_SINKS__SLACK__SECRET", "other"),
        ],
    )
    .unwrap();
    assert_eq!(config.sinks[0].secret.as_deref(), Some("env-secret"));
    assert_eq!(config.sinks[1].secret.as_deref(), Some("other"));
    // Nothing else of the sinks changed.
    let from_file = load(Some(SINKS), &[]).unwrap();
    assert_eq!(config.sinks[0].url, from_file.sinks[0].url);
    assert_eq!(
        config.sinks[1].environments,
        from_file.sinks[1].environments
    );
}

#[test]
fn unknown_vigil_variables_are_ignored() {
    let config = load(
        None,
        &[
            ("VIGIL_TEST_PG_URL", "postgres://x"),
            ("VIGIL_BENCH_PG_URL", "postgres://x"),
            ("VIGIL_CONFIG", "/etc/vigil.toml"),
            ("VIGIL_", "x"),
            ("VIGIL_API_TOKEN", "x"),
            ("LISTEN", "bad"),
            ("vigil_listen", "bad"),
        ],
    )
    .unwrap();
    assert_eq!(config, Config::default());
}

/// Loading with `env` fails with a message naming `var` and containing `expect`.
fn check_env_error(toml: Option<&str>, var: &str, value: &str, expect: &str) {
    let message = load_error(toml, &[(var, value)]);
    assert!(
        message.starts_with(&format!("environment variable {var}: ")),
        "{message}"
    );
    assert!(message.contains(expect), "{message}");
}

#[test]
fn a_bad_value_names_the_variable_and_the_type() {
    check_env_error(
        None,
        "VIGIL_API__MAX_PAGE_SIZE",
        "lots",
        "\"lots\" is not valid for api.max_page_size, which takes a whole number",
    );
    check_env_error(None, "VIGIL_API__MAX_PAGE_SIZE", "-1", "expected usize");
    check_env_error(
        None,
        "VIGIL_API__RATE_LIMIT_BURST",
        "5000000000",
        "expected u32",
    );
    check_env_error(None, "VIGIL_OSV_API__PUBLIC", "maybe", "true or false");
    check_env_error(
        None,
        "VIGIL_LOG__FORMAT",
        "xml",
        "\"xml\" is not valid for log.format: unknown variant `xml`, expected `text` or `json`",
    );
    check_env_error(None, "VIGIL_LOG__COLOUR", "on", "log has no key colour");
    check_env_error(None, "VIGIL_LOG", "json", "log is a section");
    check_env_error(
        None,
        "VIGIL_LISTEN__PORT",
        "1",
        "listen is a value, not a section",
    );
    check_env_error(
        Some(SINKS),
        "VIGIL_SINKS__SLACK__URL",
        "https://x",
        "only a sink's secret",
    );
    check_env_error(Some(SINKS), "VIGIL_SINKS", "x", "only a sink's secret");
    check_env_error(
        Some(SINKS),
        "VIGIL_SINKS__OPS__SECRET",
        "s",
        "no sink has this name; the sinks are ops-hooks.prod, slack",
    );
    check_env_error(
        None,
        "VIGIL_SINKS__OPS__SECRET",
        "s",
        "the config file has no [[sinks]]",
    );
    let two = "[[sinks]]\nname = \"a-b\"\nkind = \"webhook\"\nurl = \"https://a\"\n\
               [[sinks]]\nname = \"a.b\"\nkind = \"webhook\"\nurl = \"https://b\"\n";
    check_env_error(
        Some(two),
        "VIGIL_SINKS__A_B__SECRET",
        "s",
        "the sinks a-b and a.b",
    );
}

#[test]
fn an_unknown_key_in_the_file_is_rejected_by_name_and_line() {
    let message = load_error(Some("listen = \"0.0.0.0:1\"\n\n[api]\nmax_page = 5\n"), &[]);
    assert!(message.starts_with("in the config file "), "{message}");
    assert!(message.contains("vigil.toml"), "{message}");
    assert!(message.contains("line 4"), "{message}");
    assert!(message.contains("unknown field `max_page`"), "{message}");

    let message = load_error(Some("colour = true\n"), &[]);
    assert!(message.contains("line 1"), "{message}");
    assert!(message.contains("unknown field `colour`"), "{message}");

    let message = load_error(
        Some("[[sinks]]\nname = \"a\"\nkind = \"webhook\"\nurl = \"https://a\"\nsecrets = \"x\"\n"),
        &[],
    );
    assert!(message.contains("line 5"), "{message}");
    assert!(message.contains("unknown field `secrets`"), "{message}");
}

#[test]
fn a_syntax_or_type_error_in_the_file_gives_its_line() {
    let message = load_error(Some("[api]\nmax_page_size = = 5\n"), &[]);
    assert!(message.contains("line 2"), "{message}");
    let message = load_error(Some("[api]\n\nmax_page_size = \"50\"\n"), &[]);
    assert!(message.contains("line 3"), "{message}");
    assert!(message.contains("invalid type"), "{message}");
}

#[test]
fn a_missing_file_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("absent.toml");
    let error = Config::load(Some(&path), vars(&[])).unwrap_err();
    assert!(matches!(error, ConfigError::Read { .. }), "{error:?}");
    assert_eq!(
        error.to_string(),
        format!("cannot read the config file {}", path.display())
    );
    let source = std::error::Error::source(&error).unwrap();
    assert_eq!(
        source.downcast_ref::<std::io::Error>().unwrap().kind(),
        std::io::ErrorKind::NotFound
    );
}

/// `toml` loads, and validation fails with a problem under `key` whose message contains
/// `expect`.
fn check_invalid(toml: &str, key: &str, expect: &str) {
    let config = load(Some(toml), &[]).unwrap();
    let Err(ConfigError::Invalid { problems }) = config.validate() else {
        panic!("{toml} validated");
    };
    assert!(
        problems
            .iter()
            .any(|p| p.key == key && p.message.contains(expect)),
        "{toml}: {problems:?}"
    );
}

#[test]
fn validation_names_the_key_and_what_is_allowed() {
    check_invalid(
        "listen = \"localhost:8080\"",
        "listen",
        "is not a socket address",
    );
    check_invalid("data_dir = \"\"", "data_dir", "is empty");
    check_invalid(
        "database_url = \"mysql://u:hunter2@db/x\"",
        "database_url",
        "\"mysql://u:***@db/x\" is not a PostgreSQL URL",
    );
    check_invalid(
        "database_url = \"u:hunter2@db/x\"",
        "database_url",
        "is not a PostgreSQL URL; it starts with postgres:// or postgresql://",
    );
    check_invalid(
        "[log]\nlevel = \"vigil=loud\"",
        "log.level",
        "is not a tracing filter",
    );
    check_invalid(
        "[api]\nmax_body_bytes = 1023",
        "api.max_body_bytes",
        "1023 is out of range; allowed 1024 to 1073741824 (1 KiB to 1 GiB)",
    );
    check_invalid(
        "[api]\nmax_body_bytes = 1073741825",
        "api.max_body_bytes",
        "out of range",
    );
    check_invalid(
        "[api]\nmax_page_size = 0",
        "api.max_page_size",
        "allowed 1 to 10000",
    );
    check_invalid(
        "[api]\nmax_page_size = 10001",
        "api.max_page_size",
        "allowed 1 to 10000",
    );
    check_invalid(
        "[api]\nread_connections = 257",
        "api.read_connections",
        "allowed 1 to 256",
    );
    check_invalid(
        "[api]\nrate_limit_per_second = 0",
        "api.rate_limit_per_second",
        "is 0; allowed 1 or more",
    );
    check_invalid(
        "[api]\nrate_limit_burst = 0",
        "api.rate_limit_burst",
        "allowed 1 or more",
    );
    check_invalid(
        "[scheduler]\nosv_url = \"file:///srv/osv\"",
        "scheduler.osv_url",
        "is not an http(s) URL",
    );
    check_invalid(
        "[scheduler]\nosv_url = \"https://\"",
        "scheduler.osv_url",
        "is not an http(s) URL",
    );
    check_invalid(
        "[scheduler]\nkev_url = \"ftp://mirror/kev.json\"",
        "scheduler.kev_url",
        "neither an http(s) URL nor a file path",
    );
    check_invalid(
        "[scheduler]\nepss_url = \"file:///srv/epss.csv.gz\"",
        "scheduler.epss_url",
        "write a local file as a plain path",
    );
    check_invalid(
        "[scheduler]\nepss_url = \"\"",
        "scheduler.epss_url",
        "is empty",
    );
    check_invalid(
        "[scheduler]\nosv_ecosystems = [\"npm\", \" \"]",
        "scheduler.osv_ecosystems[1]",
        "is empty",
    );
    for key in [
        "poll_interval_ms",
        "backoff_base_secs",
        "backoff_max_secs",
        "give_up_after_hours",
        "timeout_secs",
    ] {
        check_invalid(
            &format!("[outbox]\n{key} = 0"),
            &format!("outbox.{key}"),
            "is 0; allowed 1 or more",
        );
    }
    check_invalid(
        "[outbox]\nbackoff_base_secs = 61\nbackoff_max_secs = 60",
        "outbox.backoff_base_secs",
        "61 is more than outbox.backoff_max_secs (60)",
    );
    check_invalid(
        &format!(
            "{SINKS}\n[[sinks]]\nname = \"slack\"\nkind = \"alertmanager\"\nurl = \"http://am:9093\"\n"
        ),
        "sinks[2].name",
        "\"slack\" is also the name of sinks[1]; sink names are unique",
    );
}

#[test]
fn validation_accepts_what_the_feeds_read() {
    let toml = r#"
listen = "[::1]:0"
database_url = "postgresql://localhost/vigil"

[log]
level = "vigil_server=debug,tower_http=warn,info"

[api]
max_body_bytes = 1024
max_page_size = 10000
read_connections = 256

[scheduler]
osv_url = "http://mirror.internal:8000/osv/"
kev_url = "/var/lib/vigil/kev.json"
epss_url = "feeds/epss.csv.gz"

[outbox]
backoff_base_secs = 60
backoff_max_secs = 60
"#;
    load(Some(toml), &[]).unwrap().validate().unwrap();
}

#[test]
fn validation_reports_every_problem() {
    let config = load(
        Some("listen = \"x\"\n[api]\nmax_page_size = 0\n[outbox]\ntimeout_secs = 0\n"),
        &[],
    )
    .unwrap();
    let message = config.validate().unwrap_err().to_string();
    assert_eq!(
        message,
        "invalid configuration:\n  \
         listen: \"x\" is not a socket address; write an IP address and a port, e.g. \
         127.0.0.1:8080 or [::]:8080\n  \
         api.max_page_size: 0 is out of range; allowed 1 to 10000\n  \
         outbox.timeout_secs: is 0; allowed 1 or more"
    );
}

const SECRETS: &[&str] = &[
    "hunter2",
    "qpass",
    "file-secret",
    "env-secret",
    "slackpathsecret",
    "T0001",
    "tok3n",
];

fn with_secrets() -> Config {
    load(
        Some(SINKS),
        &[
            (
                "VIGIL_DATABASE_URL",
                "postgres://vigil:hunter2@db.internal:5432/vigil?sslmode=require&password=qpass",
            ),
            ("VIGIL_SINKS__SLACK__SECRET", "env-secret"),
        ],
    )
    .unwrap()
}

#[test]
fn redacted_hides_passwords_secrets_and_slack_paths() {
    let config = with_secrets();
    let redacted = config.redacted();
    assert_eq!(
        redacted.database_url.as_deref(),
        Some("postgres://vigil:***@db.internal:5432/vigil?sslmode=require&password=***")
    );
    assert_eq!(redacted.sinks[0].secret.as_deref(), Some("***"));
    assert_eq!(
        redacted.sinks[0].url,
        "https://hooks.example.com/vigil?token=***"
    );
    assert_eq!(redacted.sinks[1].secret.as_deref(), Some("***"));
    assert_eq!(redacted.sinks[1].url, "https://hooks.slack.com/***");
    // What is not secret is kept.
    assert_eq!(redacted.sinks[1].environments, ["production"]);
    assert_eq!(redacted.listen, config.listen);

    for shown in [
        redacted.to_toml(),
        redacted.to_json(),
        format!("{config:?}"),
        format!("{config:#?}"),
    ] {
        for secret in SECRETS {
            assert!(!shown.contains(secret), "{secret} in\n{shown}");
        }
        assert!(shown.contains("db.internal"), "{shown}");
    }
    // A URL without a password, and no sinks, are unchanged.
    let plain = load(None, &[("VIGIL_DATABASE_URL", "postgres://vigil@db/vigil")]).unwrap();
    assert_eq!(plain.redacted(), plain);
}

#[test]
fn to_toml_loads_back_equal() {
    let config = with_secrets();
    let toml = config.to_toml();
    assert!(toml.contains("hunter2"), "not redacted: {toml}");
    assert_eq!(load(Some(&toml), &[]).unwrap(), config);
    assert_eq!(
        load(Some(&Config::default().to_toml()), &[]).unwrap(),
        Config::default()
    );
    let json: serde_json::Value = serde_json::from_str(&config.to_json()).unwrap();
    assert_eq!(json["api"]["max_page_size"], 1000);
    assert_eq!(json["sinks"][1]["name"], "slack");
}
