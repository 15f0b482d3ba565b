//! Falco alerts as Falco's `json_output` writes them (stdout, file, `http_output`, one
//! object per line or per POST) and as falcosidekick's webhook forwards them (the same
//! fields with a `uuid`): `output`, `priority`, `rule`, `time`, `output_fields`,
//! `hostname`, `source`, `tags`, `uuid`.
//!
//! [`parse_falco`] reads one object, a JSON array of them, or newline-delimited objects.
//! An alert without `uuid` (Falco itself writes none) gets one derived from its content,
//! so that the same alert sent twice has the same id.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::json::{nullable, strip_bom, trim_start};
use crate::model::Severity;
use crate::{Error, Limits};

const FORMAT: &str = "Falco alert";

/// A Falco priority, highest first (syslog's levels).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Priority {
    Emergency,
    Alert,
    Critical,
    Error,
    Warning,
    Notice,
    Informational,
    Debug,
}

impl Priority {
    /// Every priority, highest first.
    pub const ALL: [Priority; 8] = [
        Priority::Emergency,
        Priority::Alert,
        Priority::Critical,
        Priority::Error,
        Priority::Warning,
        Priority::Notice,
        Priority::Informational,
        Priority::Debug,
    ];

    /// The name as Falco writes it: `Emergency` … `Debug`.
    pub fn name(self) -> &'static str {
        match self {
            Priority::Emergency => "Emergency",
            Priority::Alert => "Alert",
            Priority::Critical => "Critical",
            Priority::Error => "Error",
            Priority::Warning => "Warning",
            Priority::Notice => "Notice",
            Priority::Informational => "Informational",
            Priority::Debug => "Debug",
        }
    }

    /// Vigil's severity for the priority: Emergency, Alert and Critical are critical,
    /// Error high, Warning medium, Notice low, Informational and Debug unrated.
    pub fn severity(self) -> Severity {
        match self {
            Priority::Emergency | Priority::Alert | Priority::Critical => Severity::Critical,
            Priority::Error => Severity::High,
            Priority::Warning => Severity::Medium,
            Priority::Notice => Severity::Low,
            Priority::Informational | Priority::Debug => Severity::Unrated,
        }
    }
}

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A priority name that is none of Falco's.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown Falco priority {0:?}; expected one of Emergency, Alert, Critical, Error, Warning, Notice, Informational, Debug"
)]
pub struct UnknownPriority(pub String);

impl FromStr for Priority {
    type Err = UnknownPriority;
    /// Any case; `Info` is Informational, as in Falco's rule files.
    fn from_str(s: &str) -> Result<Self, UnknownPriority> {
        let t = s.trim();
        if t.eq_ignore_ascii_case("info") {
            return Ok(Priority::Informational);
        }
        Priority::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(t))
            .ok_or_else(|| UnknownPriority(s.to_owned()))
    }
}

/// One Falco alert.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FalcoAlert {
    /// The alert's id, lower-case: its own `uuid`, else one derived from the alert's
    /// time, rule, priority, source, hostname, output and output fields (a version 8
    /// UUID made of their SHA-256).
    pub uuid: String,
    /// True when `uuid` was derived rather than sent.
    pub uuid_derived: bool,
    /// The rule's formatted output line.
    pub output: String,
    pub priority: Priority,
    pub rule: String,
    /// When the event happened, to the nanosecond, in UTC.
    #[serde(with = "time::serde::rfc3339")]
    pub time: OffsetDateTime,
    /// The fields the rule's output names (`container.id`, `proc.cmdline`,
    /// `k8s.ns.name`, …), with their JSON values as sent (strings, numbers, lists, null).
    pub output_fields: BTreeMap<String, Value>,
    pub hostname: Option<String>,
    /// The event source: `syscall`, `k8s_audit`, `aws_cloudtrail`, ….
    pub source: Option<String>,
    /// The rule's tags (`container`, `mitre_execution`, `T1059`, …).
    pub tags: Vec<String>,
}

#[derive(Deserialize)]
struct RawAlert {
    uuid: Option<String>,
    output: String,
    priority: String,
    rule: String,
    time: String,
    #[serde(default, deserialize_with = "nullable")]
    output_fields: BTreeMap<String, Value>,
    hostname: Option<String>,
    source: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    tags: Vec<String>,
}

/// Reads Falco alerts: one JSON object, a JSON array of objects, or objects one after
/// another (newline-delimited, as Falco writes to a file or stdout).
///
/// # Errors
/// When a limit is reached, the JSON is malformed, a required field (`output`,
/// `priority`, `rule`, `time`) is missing, the priority is unknown, the time is not
/// RFC 3339, or a `uuid` is not one. The error names the alert and the field.
pub fn parse_falco(bytes: &[u8], limits: &Limits) -> Result<Vec<FalcoAlert>, Error> {
    limits.check_size(FORMAT, bytes.len())?;
    crate::json::prescan(bytes, limits, FORMAT)?;
    let text = strip_bom(bytes);
    let mut raw: Vec<(String, RawAlert)> = Vec::new();
    match trim_start(text).first() {
        None => {
            return Err(Error::WrongFormat {
                format: FORMAT,
                found: "an empty body".into(),
            });
        }
        Some(b'[') => {
            let list: Vec<RawAlert> = crate::json::from_slice(text, FORMAT)?;
            limits.check_items(FORMAT, "alert count", list.len())?;
            raw.extend(
                list.into_iter()
                    .enumerate()
                    .map(|(i, a)| (format!("[{i}]"), a)),
            );
        }
        Some(b'{') => {
            // Values one after another: a first pass finds where each ends, and each is
            // then read on its own, so that errors name the alert and its field.
            // (Asking serde_json's deserializer whether more follows would compute a
            // line number from the start each time, which is quadratic.)
            let mut stream = serde_json::Deserializer::from_slice(text).into_iter::<IgnoredAny>();
            let mut start = 0;
            loop {
                let prefix = format!("alert {}", raw.len() + 1);
                match stream.next() {
                    None => break,
                    Some(Err(e)) => {
                        return Err(crate::json::json_error(FORMAT, &prefix, &e, text, 0));
                    }
                    Some(Ok(IgnoredAny)) => {
                        limits.check_items(FORMAT, "alert count", raw.len() + 1)?;
                        let end = stream.byte_offset();
                        let alert: RawAlert =
                            crate::json::value_at(text, start, end, FORMAT, &prefix)?;
                        raw.push((prefix, alert));
                        start = end;
                    }
                }
            }
        }
        Some(_) => {
            return Err(Error::WrongFormat {
                format: FORMAT,
                found: "neither a JSON object nor an array of them".into(),
            });
        }
    }
    raw.into_iter().map(|(at, a)| alert(&at, a)).collect()
}

fn alert(at: &str, raw: RawAlert) -> Result<FalcoAlert, Error> {
    let priority: Priority = raw.priority.parse().map_err(|e: UnknownPriority| {
        Error::invalid(FORMAT, format!("{at}.priority"), e.to_string())
    })?;
    let time = OffsetDateTime::parse(raw.time.trim(), &Rfc3339)
        .map(|t| t.to_offset(time::UtcOffset::UTC))
        .map_err(|e| {
            Error::invalid(
                FORMAT,
                format!("{at}.time"),
                format!("{:?} is not an RFC 3339 date-time: {e}", raw.time),
            )
        })?;
    let (uuid, uuid_derived) = match raw.uuid.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
        Some(u) if is_uuid(u) => (u.to_ascii_lowercase(), false),
        Some(u) => {
            return Err(Error::invalid(
                FORMAT,
                format!("{at}.uuid"),
                format!("{u:?} is not a UUID (8-4-4-4-12 hexadecimal digits)"),
            ));
        }
        None => (derived_uuid(&raw, priority, time), true),
    };
    Ok(FalcoAlert {
        uuid,
        uuid_derived,
        output: raw.output,
        priority,
        rule: raw.rule,
        time,
        output_fields: raw.output_fields,
        hostname: raw.hostname.filter(|h| !h.is_empty()),
        source: raw.source.filter(|s| !s.is_empty()),
        tags: raw.tags,
    })
}

fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// A version 8 (RFC 9562, vendor-defined) UUID from the SHA-256 of the alert's content,
/// taken as read (the instant, the priority's name) so that spelling does not change it.
fn derived_uuid(raw: &RawAlert, priority: Priority, time: OffsetDateTime) -> String {
    let mut h = Sha256::new();
    let nanos = time.unix_timestamp_nanos().to_string();
    let fields = serde_json::to_string(&raw.output_fields).unwrap_or_default();
    for part in [
        "vigil falco alert v1",
        nanos.as_str(),
        raw.rule.as_str(),
        priority.name(),
        raw.source.as_deref().unwrap_or(""),
        raw.hostname.as_deref().unwrap_or(""),
        raw.output.as_str(),
        fields.as_str(),
    ] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    let digest = h.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let x = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &x[0..8],
        &x[8..12],
        &x[12..16],
        &x[16..20],
        &x[20..32]
    )
}

impl FalcoAlert {
    /// The output field `name` as a string, when it is a non-empty string other than
    /// Falco's `<NA>` (not available).
    pub fn field_str(&self, name: &str) -> Option<&str> {
        match self.output_fields.get(name)? {
            Value::String(s) if !s.is_empty() && s != "<NA>" => Some(s.as_str()),
            _ => None,
        }
    }

    /// The container image's digest, `sha256:` and 64 lower-case hex digits: from
    /// `container.image.digest`, else from a `…@sha256:…` reference in
    /// `container.image.repository` or `container.image`.
    pub fn container_image_digest(&self) -> Option<String> {
        if let Some(d) = self.field_str("container.image.digest").and_then(sha256) {
            return Some(d);
        }
        ["container.image.repository", "container.image"]
            .into_iter()
            .filter_map(|f| self.field_str(f))
            .find_map(|r| r.rsplit_once('@').and_then(|(_, d)| sha256(d)))
    }

    /// The container image reference: `container.image.repository` with
    /// `container.image.tag` (`docker.io/library/nginx:1.27`), else `container.image`.
    pub fn container_image(&self) -> Option<String> {
        match self.field_str("container.image.repository") {
            Some(repo) => match self.field_str("container.image.tag") {
                Some(tag) if !repo.contains('@') && !has_tag(repo) => Some(format!("{repo}:{tag}")),
                _ => Some(repo.to_owned()),
            },
            None => self.field_str("container.image").map(str::to_owned),
        }
    }

    /// The Kubernetes namespace (`k8s.ns.name`).
    pub fn k8s_namespace(&self) -> Option<&str> {
        self.field_str("k8s.ns.name")
    }

    /// The Kubernetes pod name (`k8s.pod.name`).
    pub fn k8s_pod(&self) -> Option<&str> {
        self.field_str("k8s.pod.name")
    }

    /// The pod's labels: from `k8s.pod.labels` (a list of `key:value` strings, or one
    /// string of them separated by commas, in brackets or not, or an object), and from
    /// single-label fields `k8s.pod.label.KEY` and `k8s.pod.label[KEY]`, which win.
    pub fn k8s_pod_labels(&self) -> BTreeMap<String, String> {
        let mut labels = BTreeMap::new();
        let mut add = |pair: &str| {
            let pair = pair.trim();
            if let Some((k, v)) = pair.split_once(':').or_else(|| pair.split_once('='))
                && !k.trim().is_empty()
            {
                labels.insert(k.trim().to_owned(), v.trim().to_owned());
            }
        };
        match self.output_fields.get("k8s.pod.labels") {
            Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).for_each(&mut add),
            Some(Value::String(s)) if s != "<NA>" => s
                .trim()
                .trim_start_matches(['(', '['])
                .trim_end_matches([')', ']'])
                .split(',')
                .for_each(&mut add),
            Some(Value::Object(map)) => {
                for (k, v) in map {
                    if let Some(v) = v.as_str() {
                        labels.insert(k.clone(), v.to_owned());
                    }
                }
            }
            _ => {}
        }
        for (key, value) in &self.output_fields {
            let label = key.strip_prefix("k8s.pod.label.").or_else(|| {
                key.strip_prefix("k8s.pod.label[")
                    .and_then(|k| k.strip_suffix(']'))
            });
            if let (Some(label), Some(v)) = (label, value.as_str())
                && !label.is_empty()
                && v != "<NA>"
            {
                labels.insert(label.to_owned(), v.to_owned());
            }
        }
        labels
    }
}

/// `sha256:<64 hex>` lower-cased, or `None`.
fn sha256(s: &str) -> Option<String> {
    let hex = s.trim().strip_prefix("sha256:")?;
    (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| format!("sha256:{}", hex.to_ascii_lowercase()))
}

/// Whether an image reference already ends in a tag (a `:` after the last `/`).
fn has_tag(reference: &str) -> bool {
    let last = reference.rsplit('/').next().unwrap_or(reference);
    last.contains(':')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn priorities_read_in_any_case() {
        for p in Priority::ALL {
            assert_eq!(p.name().to_uppercase().parse::<Priority>(), Ok(p));
        }
        assert_eq!("info".parse::<Priority>(), Ok(Priority::Informational));
        assert_eq!(
            "loud".parse::<Priority>().unwrap_err().to_string(),
            "unknown Falco priority \"loud\"; expected one of Emergency, Alert, Critical, Error, Warning, Notice, Informational, Debug"
        );
        assert!(Priority::Emergency < Priority::Debug);
    }

    #[test]
    fn uuids_are_checked() {
        assert!(is_uuid("3f0b4a52-6f3e-4a7c-9a8e-1c2d3e4f5a6b"));
        assert!(!is_uuid("3f0b4a52-6f3e-4a7c-9a8e-1c2d3e4f5a6"));
        assert!(!is_uuid("3f0b4a52x6f3e-4a7c-9a8e-1c2d3e4f5a6b"));
    }

    #[test]
    fn digests_and_tags() {
        assert_eq!(
            sha256(&format!("sha256:{}", "A".repeat(64))),
            Some(format!("sha256:{}", "a".repeat(64)))
        );
        assert_eq!(sha256("sha256:abc"), None);
        assert!(has_tag("registry:5000/shop/api:1.2"));
        assert!(!has_tag("registry:5000/shop/api"));
    }
}
