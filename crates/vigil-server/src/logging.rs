//! Logging for `vigil serve`: a tracing subscriber writing text or JSON lines to stderr.
//!
//! **No secret is ever logged.** API tokens, webhook signing secrets, Slack webhook URLs
//! and database passwords must not appear in a log message or field, at any level. This
//! is a rule for every caller: log a token by its id or name, a sink by its name, and a
//! URL only through [`redact_url`]. [`Config`](crate::config::Config)'s `Debug` shows
//! the redacted configuration, so logging a config is safe.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::util::SubscriberInitExt;

use crate::config::{LogConfig, LogFormat};

/// What replaces a secret wherever one is shown.
pub(crate) const REDACTED: &str = "***";

/// Installs the global subscriber: the filter is `RUST_LOG` when it is set and not empty,
/// else `config.level`; `text` writes human-readable lines, `json` one object a line with
/// the event's fields at the top level and the current span under `span`. Events of the
/// `log` crate (from dependencies) are forwarded too.
///
/// Calling it again, or after another subscriber was installed, changes nothing and is
/// not an error.
///
/// # Errors
/// The filter is not a valid tracing filter; the message names where it came from.
pub fn init(config: &LogConfig) -> Result<(), String> {
    let rust_log = std::env::var("RUST_LOG").ok();
    let filter = filter(config, rust_log.as_deref())?;
    let ansi = std::io::stderr().is_terminal();
    match subscriber(config.format, filter, ansi, std::io::stderr).try_init() {
        Ok(()) => Ok(()),
        // `try_init` fails only when a global subscriber, or a `log` logger, is already
        // set; either way a subscriber is in place.
        Err(_) if tracing::dispatcher::has_been_set() => Ok(()),
        Err(e) => Err(format!("installing the log subscriber: {e}")),
    }
}

/// The filter: `rust_log` when set and not blank, else the configured level.
fn filter(config: &LogConfig, rust_log: Option<&str>) -> Result<EnvFilter, String> {
    match rust_log.filter(|s| !s.trim().is_empty()) {
        Some(directives) => EnvFilter::builder()
            .parse(directives)
            .map_err(|e| format!("RUST_LOG={directives:?} is not a tracing filter: {e}")),
        None => EnvFilter::builder()
            .parse(&config.level)
            .map_err(|e| format!("log.level {:?} is not a tracing filter: {e}", config.level)),
    }
}

/// The subscriber `init` installs, writing to `writer`, with colours when `ansi`.
fn subscriber<W>(
    format: LogFormat,
    filter: EnvFilter,
    ansi: bool,
    writer: W,
) -> Box<dyn tracing::Subscriber + Send + Sync>
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer);
    match format {
        LogFormat::Text => Box::new(builder.with_ansi(ansi).finish()),
        LogFormat::Json => Box::new(
            builder
                .json()
                .flatten_event(true)
                .with_current_span(true)
                .with_span_list(false)
                .finish(),
        ),
    }
}

/// A URL safe to log or show: a password in the userinfo becomes `***` (the user name
/// stays), every query value becomes `***` except a few known not to be secret
/// (`sslmode`, `connect_timeout`, `application_name`, `target_session_attrs`), and a
/// fragment becomes `#***`. Scheme, host, port and path stay, so
/// `postgres://vigil:pw@db:5432/vigil?sslmode=require&password=pw` is shown as
/// `postgres://vigil:***@db:5432/vigil?sslmode=require&password=***`.
///
/// Text without `://` is returned as it is: a file path has no secret to strip.
///
/// The userinfo ends at the last `@` before the first `/` after the scheme, so a password
/// with an unencoded `@`, `?` or `#` is still hidden; if that userinfo holds a `?` or `#`
/// it is hidden whole, user name included.
pub fn redact_url(url: &str) -> String {
    let Some(parts) = Parts::split(url) else {
        return url.to_owned();
    };
    let mut out = parts.origin();
    out.push_str(parts.path);
    if let Some(query) = parts.query {
        out.push('?');
        let params: Vec<String> = query.split('&').map(redact_param).collect();
        out.push_str(&params.join("&"));
    }
    if parts.fragment.is_some() {
        out.push('#');
        out.push_str(REDACTED);
    }
    out
}

/// A URL whose path and query are themselves the secret (a Slack incoming webhook,
/// `https://hooks.slack.com/services/T000/B000/XXXX`): scheme and host, then `/***`.
pub(crate) fn redact_url_path(url: &str) -> String {
    match Parts::split(url) {
        Some(parts) => format!("{}/{REDACTED}", parts.origin()),
        // Not a URL, so there is nothing to keep that is surely not the secret.
        None => REDACTED.to_owned(),
    }
}

/// Query parameters whose values are shown: libpq settings that are never secret.
const PUBLIC_PARAMS: &[&str] = &[
    "sslmode",
    "connect_timeout",
    "application_name",
    "target_session_attrs",
];

fn redact_param(param: &str) -> String {
    match param.split_once('=') {
        Some((key, _)) if PUBLIC_PARAMS.contains(&key) => param.to_owned(),
        Some((key, _)) => format!("{key}={REDACTED}"),
        None if param.is_empty() => String::new(),
        None => REDACTED.to_owned(),
    }
}

/// A URL cut where redaction needs it.
struct Parts<'a> {
    /// With `://`.
    scheme: &'a str,
    userinfo: Option<&'a str>,
    host: &'a str,
    path: &'a str,
    query: Option<&'a str>,
    fragment: Option<&'a str>,
}

impl<'a> Parts<'a> {
    fn split(url: &'a str) -> Option<Parts<'a>> {
        let start = url.find("://")? + 3;
        let (scheme, rest) = url.split_at(start);
        // libpq ends the userinfo at the first `@` unless a `/` comes first; taking the
        // last `@` before that `/` hides at least as much.
        let slash = rest.find('/').unwrap_or(rest.len());
        let (userinfo, rest) = match rest[..slash].rfind('@') {
            Some(at) => (Some(&rest[..at]), &rest[at + 1..]),
            None => (None, rest),
        };
        let (rest, fragment) = match rest.split_once('#') {
            Some((rest, fragment)) => (rest, Some(fragment)),
            None => (rest, None),
        };
        let (rest, query) = match rest.split_once('?') {
            Some((rest, query)) => (rest, Some(query)),
            None => (rest, None),
        };
        let host_end = rest.find('/').unwrap_or(rest.len());
        let (host, path) = rest.split_at(host_end);
        Some(Parts {
            scheme,
            userinfo,
            host,
            path,
            query,
            fragment,
        })
    }

    /// Scheme, redacted userinfo and host: `postgres://vigil:***@db:5432`.
    fn origin(&self) -> String {
        let mut out = self.scheme.to_owned();
        if let Some(userinfo) = self.userinfo {
            if userinfo.contains(['?', '#']) {
                out.push_str(REDACTED);
            } else if let Some((user, _)) = userinfo.split_once(':') {
                out.push_str(user);
                out.push(':');
                out.push_str(REDACTED);
            } else {
                out.push_str(userinfo);
            }
            out.push('@');
        }
        out.push_str(self.host);
        out
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use super::*;

    fn check(url: &str, expect: &str) {
        assert_eq!(redact_url(url), expect, "{url}");
    }

    #[test]
    fn redacts_urls() {
        check(
            "postgres://vigil:s3cret@db:5432/vigil",
            "postgres://vigil:***@db:5432/vigil",
        );
        check("postgres://vigil@db/vigil", "postgres://vigil@db/vigil");
        check("postgresql://db/vigil", "postgresql://db/vigil");
        check(
            "postgres://db/vigil?sslmode=require&password=s3cret",
            "postgres://db/vigil?sslmode=require&password=***",
        );
        check(
            "postgres://u:p@ss@[::1]:5432/db",
            "postgres://u:***@[::1]:5432/db",
        );
        check("postgres://u:p?s#s@db/x", "postgres://***@db/x");
        check("postgres://u:@db", "postgres://u:***@db");
        check("https://h/x?token&a=b#frag", "https://h/x?***&a=***#***");
        check("https://h?", "https://h?");
        check("/var/lib/vigil/kev.json", "/var/lib/vigil/kev.json");
        assert_eq!(
            redact_url_path("https://hooks.slack.com/services/T0/B0/XXXX?x=1"),
            "https://hooks.slack.com/***"
        );
        assert_eq!(
            redact_url_path("https://u:pw@h.example/a"),
            "https://u:***@h.example/***"
        );
        assert_eq!(redact_url_path("hooks.slack.com/services/T0"), "***");
    }

    fn config(format: LogFormat, level: &str) -> LogConfig {
        LogConfig {
            format,
            level: level.to_owned(),
        }
    }

    #[test]
    fn rust_log_overrides_the_level() {
        let text = config(LogFormat::Text, "info");
        assert_eq!(filter(&text, None).unwrap().to_string(), "info");
        assert_eq!(filter(&text, Some(" ")).unwrap().to_string(), "info");
        assert_eq!(
            filter(&text, Some("vigil_server=debug"))
                .unwrap()
                .to_string(),
            "vigil_server=debug"
        );
        let err = filter(&text, Some("vigil=loud")).unwrap_err();
        assert!(err.starts_with("RUST_LOG=\"vigil=loud\""), "{err}");
        let err = filter(&config(LogFormat::Text, "x=loud"), None).unwrap_err();
        assert!(err.starts_with("log.level \"x=loud\""), "{err}");
    }

    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl Write for Buffer {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'w> MakeWriter<'w> for Buffer {
        type Writer = Buffer;
        fn make_writer(&'w self) -> Buffer {
            self.clone()
        }
    }

    fn capture(format: LogFormat) -> String {
        let buffer = Buffer::default();
        let filter = filter(&config(format, "info"), None).unwrap();
        let subscriber = subscriber(format, filter, false, buffer.clone());
        tracing::subscriber::with_default(subscriber, || {
            let span = tracing::info_span!("request", id = 7);
            let _entered = span.enter();
            tracing::info!(sink = "ops", attempts = 3, "delivered");
            tracing::debug!("filtered out");
        });
        let bytes = buffer.0.lock().unwrap().clone();
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn json_lines_have_flat_fields_and_the_span() {
        let out = capture(LogFormat::Json);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 1, "{out}");
        let line: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
        assert_eq!(line["level"], "INFO");
        assert_eq!(line["message"], "delivered");
        assert_eq!(line["sink"], "ops");
        assert_eq!(line["attempts"], 3);
        assert_eq!(line["span"]["name"], "request");
        assert_eq!(line["span"]["id"], 7);
        assert!(line.get("fields").is_none() && line.get("spans").is_none());
    }

    #[test]
    fn text_lines_are_filtered() {
        let out = capture(LogFormat::Text);
        assert_eq!(out.lines().count(), 1, "{out}");
        assert!(
            out.contains("delivered") && out.contains("sink=\"ops\""),
            "{out}"
        );
    }

    #[test]
    fn init_twice_is_not_an_error() {
        let config = config(LogFormat::Json, "warn");
        assert_eq!(init(&config), Ok(()));
        assert_eq!(init(&config), Ok(()));
        assert!(tracing::dispatcher::has_been_set());
    }
}
