//! Alert sinks: a signed JSON webhook, a Slack-compatible incoming webhook, Alertmanager.
//!
//! The outbox dispatcher asks each sink's [`SinkConfig::routes`] whether an alert goes
//! there, then calls [`Sink::deliver`] once per alert and sink from a blocking thread. Any
//! error is retried after [`backoff`] until the give-up window passes, so delivery is at
//! least once: receivers drop repeats by the `Idempotency-Key` header (the alert's `key`).
//! `docs/alerts.md` describes each payload for the people who write receivers.

use std::fmt::Write as _;
use std::io::Read as _;
use std::time::Duration;

use hmac::{Hmac, Mac};
use rand::Rng;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::Sha256;
use time::OffsetDateTime;
use ureq::http::Uri;

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

/// An alert as the outbox hands it to a sink. The webhook body is this, serialized, with a
/// `schema` field added (see [`WEBHOOK_SCHEMA`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
    /// An exposure to an advisory in the environment is past its SLA due date.
    SlaBreach,
    /// A check, scanner report, drift or file integrity check found new issues in what
    /// runs; `advisories` lists them (id: kind and rule, summary: title, package: where).
    Signal,
    /// A runtime alert (Falco) about what runs.
    Runtime,
}

/// One advisory in an alert.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
    /// SLA breaches only: when the exposure began (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exposed_since: Option<String>,
    /// SLA breaches only: when the fix was due (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<String>,
}

impl std::fmt::Debug for SinkConfig {
    // The secret is never shown, nor the URL's path and query: a Slack webhook URL holds
    // its secret in the path.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SinkConfig")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .field("url", &redacted_url(&self.url))
            .field("secret", &self.secret.as_ref().map(|_| "<redacted>"))
            .field("environments", &self.environments)
            .field("min_severity", &self.min_severity)
            .field("teams", &self.teams)
            .finish()
    }
}

/// The `schema` field of every webhook body. A change that could break a receiver gets a
/// new version; new fields may be added within one.
pub const WEBHOOK_SCHEMA: &str = "vigil.alert/v1";
/// Sent to every sink: the alert's `key`, the same on every attempt.
pub const IDEMPOTENCY_HEADER: &str = "Idempotency-Key";
/// Sent to every sink: the alert's outbox id.
pub const ALERT_ID_HEADER: &str = "X-Vigil-Alert-Id";
/// Webhook only: `sha256=` and the lowercase hex HMAC-SHA256 of the body under the secret.
pub const SIGNATURE_HEADER: &str = "X-Vigil-Signature-256";
/// The `alertname` label of the alerts sent to Alertmanager about a vulnerable release.
pub const ALERTMANAGER_ALERTNAME: &str = "VigilVulnerableDeployment";
/// The `alertname` label of the alerts sent to Alertmanager about an SLA breach.
pub const ALERTMANAGER_SLA_ALERTNAME: &str = "VigilSlaBreach";
/// The `alertname` of issues found in what runs.
pub const ALERTMANAGER_SIGNAL_ALERTNAME: &str = "VigilSignal";
/// The `alertname` of runtime alerts.
pub const ALERTMANAGER_RUNTIME_ALERTNAME: &str = "VigilRuntimeAlert";
/// Advisories listed one by one in a Slack message; the rest are counted.
pub const SLACK_MAX_ADVISORIES: usize = 10;

/// Severity names from the lowest rank (0) to the highest (4).
const SEVERITIES: [&str; 5] = ["unrated", "low", "medium", "high", "critical"];
/// Bytes of an error response read for the excerpt in a [`DeliveryError`].
const EXCERPT_READ_BYTES: u64 = 1024;
/// Characters of an error response shown in a [`DeliveryError`].
const EXCERPT_CHARS: usize = 200;
/// Path segments and query strings at least this long are taken for secrets and kept out
/// of error messages, in case a receiver echoes its URL back in an error page.
const SECRET_LIKE_LEN: usize = 16;

/// The rank of a severity name: 0 for `unrated` up to 4 for `critical`.
fn severity_rank(name: &str) -> Option<i64> {
    SEVERITIES
        .iter()
        .position(|s| *s == name)
        .and_then(|rank| i64::try_from(rank).ok())
}

impl SinkConfig {
    /// Checks what serde cannot: the name's characters, the URL, the secret against the
    /// kind, and `min_severity`. The message names the sink and says what to change.
    pub fn validate(&self) -> Result<(), String> {
        let name = &self.name;
        if name.is_empty() {
            return Err(
                "a sink has an empty `name`: name it with letters, digits, `_`, `.` or `-`"
                    .to_owned(),
            );
        }
        if let Some(c) = name
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')))
        {
            return Err(format!(
                "sink {name:?}: the name holds {c:?}; use only letters, digits, `_`, `.` and `-`"
            ));
        }
        self.parse_url()?;
        match (self.kind, self.secret.as_deref()) {
            (SinkKind::Webhook, None | Some("")) => {
                return Err(format!(
                    "sink {name}: a webhook sink needs `secret`, the key that signs each body; \
                     set it to a long random string and give the same to the receiver"
                ));
            }
            (SinkKind::Slack | SinkKind::Alertmanager, Some(_)) => {
                return Err(format!(
                    "sink {name}: `secret` is only for webhook sinks, and a {} sink is not \
                     signed; remove it",
                    kind_name(self.kind)
                ));
            }
            _ => {}
        }
        if let Some(min) = &self.min_severity
            && severity_rank(min).is_none()
        {
            return Err(format!(
                "sink {name}: `min_severity` is {min:?}; use one of critical, high, medium, \
                 low or unrated"
            ));
        }
        for (field, values) in [("environments", &self.environments), ("teams", &self.teams)] {
            if values.iter().any(String::is_empty) {
                return Err(format!(
                    "sink {name}: `{field}` has an empty entry, which nothing matches; remove it"
                ));
            }
        }
        Ok(())
    }

    /// Whether `alert` goes to this sink: its environment is listed (or none are), its
    /// severity reaches `min_severity`, and its team is listed (or none are). A sink that
    /// lists teams never gets an alert for a service without an owner.
    pub fn routes(&self, alert: &Alert) -> bool {
        let environment =
            self.environments.is_empty() || self.environments.contains(&alert.environment);
        // `validate` refuses an unknown name; were one to get here, everything passes.
        let min_rank = self
            .min_severity
            .as_deref()
            .and_then(severity_rank)
            .unwrap_or(0);
        let team = self.teams.is_empty()
            || alert
                .team
                .as_ref()
                .is_some_and(|team| self.teams.contains(team));
        environment && alert.severity_rank >= min_rank && team
    }

    /// The URL, parsed and checked: absolute, http or https, with a host.
    fn parse_url(&self) -> Result<Uri, String> {
        let name = &self.name;
        // The URL is never quoted back: a Slack URL holds its secret.
        let uri: Uri = self.url.parse().map_err(|e| {
            format!("sink {name}: `url` is not a URL ({e}); give an absolute https:// URL")
        })?;
        match uri.scheme_str() {
            Some("http" | "https") => {}
            Some(other) => {
                return Err(format!(
                    "sink {name}: `url` uses the scheme {other:?}; use http:// or https://"
                ));
            }
            None => {
                return Err(format!(
                    "sink {name}: `url` has no scheme; give an absolute https:// URL"
                ));
            }
        }
        if uri.host().is_none_or(str::is_empty) {
            return Err(format!("sink {name}: `url` has no host"));
        }
        if self.kind == SinkKind::Alertmanager && uri.query().is_some() {
            return Err(format!(
                "sink {name}: `url` of an Alertmanager sink is its base URL, such as \
                 http://alertmanager:9093; remove the query"
            ));
        }
        Ok(uri)
    }
}

fn kind_name(kind: SinkKind) -> &'static str {
    match kind {
        SinkKind::Webhook => "webhook",
        SinkKind::Slack => "slack",
        SinkKind::Alertmanager => "alertmanager",
    }
}

/// `scheme://host[:port]`, with `/…` when a path or query was dropped; the whole string
/// replaced when it is no URL.
fn redacted_url(url: &str) -> String {
    match url.parse::<Uri>() {
        Ok(uri) => {
            let origin = origin(&uri);
            let rest = uri.path_and_query().map_or("", |p| p.as_str());
            if rest.is_empty() || rest == "/" {
                origin
            } else {
                format!("{origin}/…")
            }
        }
        Err(_) => "<not a URL>".to_owned(),
    }
}

/// `scheme://host[:port]`, without any user or password.
fn origin(uri: &Uri) -> String {
    let scheme = uri.scheme_str().unwrap_or("");
    let host_port = uri
        .authority()
        .map_or("", |a| a.as_str().rsplit('@').next().unwrap_or(""));
    format!("{scheme}://{host_port}")
}

/// A sink ready to deliver: its checked configuration and an HTTP agent.
pub struct Sink {
    config: SinkConfig,
    agent: ureq::Agent,
    /// Where alerts are POSTed.
    endpoint: String,
    /// `scheme://host[:port]`, the only part of the URL that messages show.
    origin: String,
    /// Strings kept out of messages, longest first.
    hidden: Vec<String>,
}

impl std::fmt::Debug for Sink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sink")
            .field("name", &self.config.name)
            .field("kind", &self.config.kind)
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

/// A delivery the receiver accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Delivered {
    /// The HTTP status, 2xx.
    pub status: u16,
}

/// A delivery that failed; the dispatcher retries every one.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct DeliveryError {
    /// The receiver's HTTP status; `None` when no response came (refused, timed out).
    pub status: Option<u16>,
    /// What went wrong, with the sink's name, its URL's scheme and host only, and a short
    /// excerpt of any response body. Never the secret or the URL's path or query.
    pub message: String,
    /// The receiver's `Retry-After` on a 429 or 503, when given in seconds.
    pub retry_after: Option<Duration>,
}

impl Sink {
    /// Checks `config` (see [`SinkConfig::validate`]) and builds the agent. `timeout`
    /// bounds one whole attempt: connecting, sending and reading the response.
    pub fn new(config: &SinkConfig, timeout: Duration) -> Result<Sink, String> {
        config.validate()?;
        let uri = config.parse_url()?;
        let endpoint = match config.kind {
            SinkKind::Alertmanager => {
                format!("{}/api/v2/alerts", config.url.trim_end_matches('/'))
            }
            SinkKind::Webhook | SinkKind::Slack => config.url.clone(),
        };
        let mut hidden: Vec<String> = Vec::new();
        hidden.extend(config.secret.clone());
        if let Some(path_and_query) = uri.path_and_query()
            && path_and_query.as_str() != "/"
        {
            hidden.push(path_and_query.as_str().to_owned());
            hidden.extend(
                path_and_query
                    .path()
                    .split('/')
                    .chain(path_and_query.query())
                    .filter(|part| part.len() >= SECRET_LIKE_LEN)
                    .map(str::to_owned),
            );
        }
        hidden.sort_by_key(|s| std::cmp::Reverse(s.len()));
        hidden.dedup();
        let agent = ureq::Agent::config_builder()
            // Every status is an answer to report, not a transport failure.
            .http_status_as_error(false)
            // A redirect is reported: a POST is never replayed to another URL.
            .max_redirects(0)
            .timeout_global(Some(timeout))
            .user_agent(concat!("vigil/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Ok(Sink {
            config: config.clone(),
            agent,
            endpoint,
            origin: origin(&uri),
            hidden,
        })
    }

    /// The configuration the sink was built from.
    pub fn config(&self) -> &SinkConfig {
        &self.config
    }

    /// Sends `alert` once, in the sink's format. Any answer but 2xx is an error; so is no
    /// answer. Blocks for at most the timeout given to [`Sink::new`].
    pub fn deliver(&self, alert: &Alert) -> Result<Delivered, DeliveryError> {
        let body = match self.config.kind {
            SinkKind::Webhook => webhook_body(alert),
            SinkKind::Slack => serde_json::to_vec(&slack_message(alert)),
            SinkKind::Alertmanager => serde_json::to_vec(&alertmanager_alerts(alert)),
        }
        .map_err(|e| self.error(None, format!("cannot encode alert {}: {e}", alert.id)))?;
        let mut request = self
            .agent
            .post(&self.endpoint)
            .header("Content-Type", "application/json")
            .header(IDEMPOTENCY_HEADER, &alert.key)
            .header(ALERT_ID_HEADER, alert.id.to_string());
        if let Some(secret) = self.config.secret.as_deref() {
            request = request.header(SIGNATURE_HEADER, sign(secret.as_bytes(), &body));
        }
        let response = request.send(&body[..]).map_err(|e| {
            self.error(
                None,
                format!(
                    "no answer from {}: {}",
                    self.origin,
                    self.scrub(&e.to_string())
                ),
            )
        })?;
        let status = response.status().as_u16();
        if (200..300).contains(&status) {
            return Ok(Delivered { status });
        }
        let retry_after = match status {
            429 | 503 => response
                .headers()
                .get("Retry-After")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs),
            _ => None,
        };
        let excerpt = self.scrub(&excerpt(response.into_body()));
        let mut message = format!("{} answered HTTP {status}", self.origin);
        if !excerpt.is_empty() {
            let _ = write!(message, ": {excerpt}");
        }
        Err(DeliveryError {
            retry_after,
            ..self.error(Some(status), message)
        })
    }

    fn error(&self, status: Option<u16>, message: String) -> DeliveryError {
        DeliveryError {
            status,
            message: format!("sink {}: {message}", self.config.name),
            retry_after: None,
        }
    }

    /// `text` with the secret and the secret-like parts of the URL replaced by `…`.
    fn scrub(&self, text: &str) -> String {
        let mut text = text.to_owned();
        for hidden in &self.hidden {
            if text.contains(hidden.as_str()) {
                text = text.replace(hidden.as_str(), "…");
            }
        }
        text
    }
}

/// The first bytes of an error response, on one line and at most [`EXCERPT_CHARS`] long.
fn excerpt(body: ureq::Body) -> String {
    let mut bytes = Vec::new();
    // A body that fails midway still shows what came.
    let _ = body
        .into_reader()
        .take(EXCERPT_READ_BYTES)
        .read_to_end(&mut bytes);
    let text = String::from_utf8_lossy(&bytes);
    let mut line = String::new();
    for word in text.split(|c: char| c.is_whitespace() || c.is_control()) {
        if word.is_empty() {
            continue;
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    truncate(&line, EXCERPT_CHARS)
}

/// `text` cut to at most `max` characters, ending in `…` when cut.
fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// `sha256=` and the lowercase hex HMAC-SHA256 of `body` under `secret`: the value of the
/// [`SIGNATURE_HEADER`].
fn sign(secret: &[u8], body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Whether `header` (the [`SIGNATURE_HEADER`] value, `sha256=<hex>`) is the signature of
/// `body` under `secret`. The comparison takes the same time wherever the first
/// difference is.
pub fn verify_signature(secret: &[u8], body: &[u8], header: &str) -> bool {
    let Some(hex_mac) = header.strip_prefix("sha256=") else {
        return false;
    };
    let Ok(expected) = hex::decode(hex_mac) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else {
        return false;
    };
    mac.update(body);
    mac.verify_slice(&expected).is_ok()
}

/// The webhook body: the alert's fields and `"schema": "vigil.alert/v1"`.
fn webhook_body(alert: &Alert) -> serde_json::Result<Vec<u8>> {
    #[derive(Serialize)]
    struct Body<'a> {
        schema: &'static str,
        #[serde(flatten)]
        alert: &'a Alert,
    }
    serde_json::to_vec(&Body {
        schema: WEBHOOK_SCHEMA,
        alert,
    })
}

/// Slack's limits: header text, section text, field text.
const SLACK_HEADER_CHARS: usize = 150;
const SLACK_SECTION_CHARS: usize = 3000;
const SLACK_FIELD_CHARS: usize = 2000;
/// An advisory summary is cut to this many characters in a Slack message.
const SLACK_SUMMARY_CHARS: usize = 300;

/// A message in Slack's incoming-webhook format: a plain `text` fallback for
/// notifications, and `blocks` that show the alert and up to [`SLACK_MAX_ADVISORIES`]
/// advisories.
fn slack_message(alert: &Alert) -> Value {
    let title = format!(
        "{}: {}@{} in {}",
        alert.severity.to_uppercase(),
        alert.service,
        alert.version,
        alert.environment
    );
    let trigger = match alert.kind {
        AlertKind::Advisory => "A new advisory affects a release running in this environment.",
        AlertKind::Deployment => "A deployment brought an affected release into this environment.",
        AlertKind::SlaBreach => {
            "An exposure in this environment is past its SLA due date: fix it, or record a triage decision."
        }
        AlertKind::Signal => {
            "New issues were found in what runs in this environment (DAST, a scanner report, drift or file integrity)."
        }
        AlertKind::Runtime => "A runtime alert fired on what runs in this environment.",
    };
    let team = alert.team.as_deref().unwrap_or("none");
    let count = alert.advisories.len();
    let more = count.saturating_sub(SLACK_MAX_ADVISORIES);
    let shown = &alert.advisories[..count.min(SLACK_MAX_ADVISORIES)];

    let mut text = format!(
        "{title} (team {team}): {count} {}: ",
        if count == 1 { "advisory" } else { "advisories" }
    );
    for (i, advisory) in shown.iter().enumerate() {
        if i > 0 {
            text.push_str(", ");
        }
        let _ = write!(text, "{} ({}", advisory.id, advisory.severity);
        if advisory.kev {
            text.push_str(", known exploited");
        }
        text.push(')');
    }
    if more > 0 {
        let _ = write!(text, " and {more} more");
    }

    let field = |label: &str, value: &str| {
        json!({
            "type": "mrkdwn",
            "text": truncate(&format!("*{label}*\n{}", slack_escape(value)), SLACK_FIELD_CHARS),
        })
    };
    let mut blocks = vec![
        json!({
            "type": "header",
            "text": {"type": "plain_text", "text": truncate(&title, SLACK_HEADER_CHARS)},
        }),
        json!({
            "type": "section",
            "text": {"type": "mrkdwn", "text": trigger},
            "fields": [
                field("Environment", &alert.environment),
                field("Service", &format!("{}@{}", alert.service, alert.version)),
                field("Team", team),
                field("Severity", &alert.severity),
            ],
        }),
        json!({"type": "divider"}),
    ];
    for advisory in shown {
        blocks.push(json!({
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": truncate(&slack_advisory(advisory), SLACK_SECTION_CHARS),
            },
        }));
    }
    if more > 0 {
        blocks.push(json!({
            "type": "context",
            "elements": [{
                "type": "mrkdwn",
                "text": format!("and {more} more {}", if more == 1 { "advisory" } else { "advisories" }),
            }],
        }));
    }
    json!({"text": slack_escape(&text), "blocks": blocks})
}

/// One advisory as mrkdwn: the id (linked to osv.dev), severity and KEV marker; the
/// summary; the package and the fix.
fn slack_advisory(advisory: &AlertAdvisory) -> String {
    let id = slack_escape(&advisory.id);
    let linkable = advisory
        .id
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'));
    let mut text = if linkable {
        format!("*<https://osv.dev/vulnerability/{id}|{id}>*")
    } else {
        format!("*{id}*")
    };
    let _ = write!(text, " · {}", slack_escape(&advisory.severity));
    if advisory.kev {
        text.push_str(" · :rotating_light: *known exploited (KEV)*");
    }
    if let Some(summary) = advisory.summary.as_deref().filter(|s| !s.is_empty()) {
        let _ = write!(
            text,
            "\n{}",
            slack_escape(&truncate(summary, SLACK_SUMMARY_CHARS))
        );
    }
    let _ = write!(text, "\n`{}` · ", slack_escape(&advisory.package));
    if let Some(due) = &advisory.due {
        let _ = write!(text, "due {}", slack_escape(due));
        if let Some(since) = &advisory.exposed_since {
            let _ = write!(text, ", exposed since {}", slack_escape(since));
        }
        return text;
    }
    match advisory.fixed.as_deref().filter(|f| !f.is_empty()) {
        Some(fixed) => {
            let _ = write!(text, "fixed in {}", slack_escape(fixed));
        }
        None => text.push_str("no fix known"),
    }
    text
}

/// Slack reads `&`, `<` and `>` as markup; everything else is literal.
fn slack_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Alertmanager's `postableAlerts`: one alert per advisory. Its labels are the alert's
/// identity, so a repeat delivery updates the same alerts instead of adding new ones.
fn alertmanager_alerts(alert: &Alert) -> Value {
    let starts_at = alert
        .created_at
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let alerts: Vec<Value> = alert
        .advisories
        .iter()
        .map(|advisory| {
            let mut labels = serde_json::Map::new();
            let mut label = |name: &str, value: &str| {
                labels.insert(name.to_owned(), Value::from(value));
            };
            label(
                "alertname",
                match alert.kind {
                    AlertKind::SlaBreach => ALERTMANAGER_SLA_ALERTNAME,
                    AlertKind::Signal => ALERTMANAGER_SIGNAL_ALERTNAME,
                    AlertKind::Runtime => ALERTMANAGER_RUNTIME_ALERTNAME,
                    AlertKind::Advisory | AlertKind::Deployment => ALERTMANAGER_ALERTNAME,
                },
            );
            label("environment", &alert.environment);
            label("service", &alert.service);
            label("version", &alert.version);
            label("advisory", &advisory.id);
            label("severity", &advisory.severity);
            if let Some(team) = alert.team.as_deref().filter(|t| !t.is_empty()) {
                label("team", team);
            }
            label("source", "vigil");

            let mut annotations = serde_json::Map::new();
            let summary = match &advisory.due {
                Some(due) => format!(
                    "{} in {}@{} in {} is past its due date {due}",
                    advisory.id, alert.service, alert.version, alert.environment
                ),
                None => format!(
                    "{} affects {}@{} in {}",
                    advisory.id, alert.service, alert.version, alert.environment
                ),
            };
            let mut description = match advisory.summary.as_deref().filter(|s| !s.is_empty()) {
                Some(text) => format!("{text}\n"),
                None => String::new(),
            };
            let _ = write!(description, "Package: {}", advisory.package);
            if !advisory.aliases.is_empty() {
                let _ = write!(description, "\nAliases: {}", advisory.aliases.join(", "));
            }
            annotations.insert("summary".to_owned(), Value::from(summary));
            annotations.insert("description".to_owned(), Value::from(description));
            annotations.insert("package".to_owned(), Value::from(advisory.package.as_str()));
            if let Some(fixed) = advisory.fixed.as_deref().filter(|f| !f.is_empty()) {
                annotations.insert("fixed".to_owned(), Value::from(fixed));
            }
            for (key, value) in [
                ("due", &advisory.due),
                ("exposed_since", &advisory.exposed_since),
            ] {
                if let Some(v) = value {
                    annotations.insert(key.to_owned(), Value::from(v.as_str()));
                }
            }
            annotations.insert("kev".to_owned(), Value::from(advisory.kev.to_string()));

            let mut posted = json!({"labels": labels, "annotations": annotations});
            // A time that cannot be written is left out; Alertmanager then takes now.
            if !starts_at.is_empty() {
                posted["startsAt"] = Value::from(starts_at.as_str());
            }
            posted
        })
        .collect();
    Value::Array(alerts)
}

/// The delay before retry `attempt` (1 for the first retry; 0 counts as 1):
/// `base * 2^(attempt - 1)`, capped at `max`, then scaled by a random factor in
/// [0.5, 1.0] so that sinks failing together do not retry together.
pub fn backoff(attempt: u32, base: Duration, max: Duration) -> Duration {
    jitter(ceiling(attempt, base, max), &mut rand::rng())
}

/// `base * 2^(attempt - 1)`, at most `max`; never overflows.
fn ceiling(attempt: u32, base: Duration, max: Duration) -> Duration {
    let doublings = attempt.saturating_sub(1).min(31);
    base.checked_mul(1u32 << doublings)
        .map_or(max, |delay| delay.min(max))
}

/// A duration drawn uniformly from [`ceiling / 2`, `ceiling`].
fn jitter(ceiling: Duration, rng: &mut impl Rng) -> Duration {
    let high = ceiling.as_nanos();
    let nanos = rng.random_range(high / 2..=high);
    let secs = u64::try_from(nanos / 1_000_000_000).unwrap_or(u64::MAX);
    let subsec = u32::try_from(nanos % 1_000_000_000).unwrap_or(0);
    Duration::new(secs, subsec)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ceiling_doubles_then_holds_at_max() {
        let base = Duration::from_secs(5);
        let max = Duration::from_secs(600);
        let expected = [5, 5, 10, 20, 40, 80, 160, 320, 600, 600];
        for (attempt, secs) in (0u32..).zip(expected) {
            assert_eq!(
                ceiling(attempt, base, max),
                Duration::from_secs(secs),
                "attempt {attempt}"
            );
        }
        for attempt in [31, 32, 33, 64, 1000, u32::MAX] {
            assert_eq!(ceiling(attempt, base, max), max, "attempt {attempt}");
        }
        // A huge base overflows the doubling; the cap still holds.
        assert_eq!(
            ceiling(40, Duration::from_secs(u64::MAX / 2), Duration::MAX),
            Duration::MAX
        );
        assert_eq!(ceiling(3, Duration::from_secs(700), max), max);
    }

    #[test]
    fn jitter_stays_within_half_and_whole() {
        let mut rng = rand::rng();
        for ceiling in [
            Duration::ZERO,
            Duration::from_nanos(1),
            Duration::from_millis(1500),
            Duration::from_secs(600),
            Duration::MAX,
        ] {
            for _ in 0..200 {
                let delay = jitter(ceiling, &mut rng);
                assert!(delay <= ceiling, "{delay:?} over {ceiling:?}");
                assert!(delay >= ceiling / 2, "{delay:?} under half of {ceiling:?}");
            }
        }
    }

    #[test]
    fn severity_ranks() {
        assert_eq!(severity_rank("unrated"), Some(0));
        assert_eq!(severity_rank("low"), Some(1));
        assert_eq!(severity_rank("medium"), Some(2));
        assert_eq!(severity_rank("high"), Some(3));
        assert_eq!(severity_rank("critical"), Some(4));
        assert_eq!(severity_rank("Critical"), None);
        assert_eq!(severity_rank("moderate"), None);
    }

    #[test]
    fn redacted_urls_keep_scheme_and_host() {
        assert_eq!(
            redacted_url("https://hooks.slack.com/services/T0/B0/abcdefghijklmnopqrstuvwx"),
            "https://hooks.slack.com/…"
        );
        assert_eq!(
            redacted_url("http://user:pw@alertmanager:9093/"),
            "http://alertmanager:9093"
        );
        assert_eq!(
            redacted_url("https://example.com/hook?token=abc"),
            "https://example.com/…"
        );
        assert_eq!(redacted_url("not a url"), "<not a URL>");
    }

    #[test]
    fn truncate_counts_characters() {
        assert_eq!(truncate("short", 10), "short");
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("ééééé", 3), "éé…");
    }

    #[test]
    fn slack_escapes_markup() {
        assert_eq!(
            slack_escape("<script> & <@U123>"),
            "&lt;script&gt; &amp; &lt;@U123&gt;"
        );
    }
}
