//! Falco alerts written for the project in Falco's documented JSON output (and
//! falcosidekick's webhook body): one object, an array, newline-delimited objects; with
//! and without uuid; with Kubernetes fields in each of the shapes Falco writes them.

#![allow(clippy::unwrap_used, reason = "tests panic on failure by design")]

mod support;

use std::collections::BTreeMap;

use support::fixture;
use vigil_reports::{FalcoAlert, Limits, Priority, Severity, parse_falco};

fn read(name: &str) -> Vec<FalcoAlert> {
    parse_falco(&fixture(name), &Limits::default()).unwrap()
}

fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

const PAYMENTS_DIGEST: &str =
    "sha256:1f1f3c6a0e5d2b4c8a9e7f6d5c4b3a29180f7e6d5c4b3a2918f7e6d5c4b3a291";

#[test]
fn shell_in_container_from_falco_has_no_uuid() {
    let alerts = read("falco/falco-0.38-shell-in-container.json");
    let [a] = alerts.as_slice() else {
        panic!("one alert")
    };
    assert_eq!(a.rule, "Terminal shell in container");
    assert_eq!(a.priority, Priority::Notice);
    assert_eq!(a.priority.severity(), Severity::Low);
    assert_eq!(a.time.to_string(), "2024-10-14 9:41:02.118402331 +00:00:00");
    assert_eq!(a.hostname.as_deref(), Some("node-7.prod.example"));
    assert_eq!(a.source.as_deref(), Some("syscall"));
    assert_eq!(
        a.tags,
        [
            "T1059",
            "container",
            "maturity_stable",
            "mitre_execution",
            "shell"
        ]
    );
    assert!(a.uuid_derived);
    assert_eq!(a.uuid.len(), 36);
    assert_eq!(&a.uuid[14..15], "8", "a version 8 UUID");
    assert_eq!(a.output_fields["proc.tty"], 34816);
    assert_eq!(a.field_str("proc.cmdline"), Some("bash"));
    assert_eq!(
        a.container_image().as_deref(),
        Some("registry.example/shop/payments-api:1.4.2")
    );
    assert_eq!(a.container_image_digest(), None);
    assert_eq!(a.k8s_namespace(), Some("shop"));
    assert_eq!(a.k8s_pod(), Some("payments-api-7c5ddbdf54-zw8wz"));
    assert!(a.k8s_pod_labels().is_empty());
}

#[test]
fn derived_uuids_are_stable_and_distinct() {
    let bytes = fixture("falco/falco-0.38-shell-in-container.json");
    let once = parse_falco(&bytes, &Limits::default()).unwrap();
    let value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    let reordered = serde_json::to_vec_pretty(&value).unwrap();
    let again = parse_falco(&reordered, &Limits::default()).unwrap();
    assert_eq!(once[0].uuid, again[0].uuid, "the same alert, the same uuid");
    let other = read("falco/falco-0.38-sensitive-file-read.json");
    assert_ne!(once[0].uuid, other[0].uuid);
}

#[test]
fn shell_in_container_from_falcosidekick() {
    let alerts = read("falco/falcosidekick-shell-in-container.json");
    let a = &alerts[0];
    assert!(!a.uuid_derived);
    assert_eq!(
        a.uuid, "2b5d7c3e-9f41-4e6a-8c2d-1a0b9e8f7d6c",
        "lower-cased"
    );
    assert_eq!(a.container_image_digest().as_deref(), Some(PAYMENTS_DIGEST));
    assert_eq!(
        a.k8s_pod_labels(),
        labels(&[
            ("app", "payments-api"),
            ("pod-template-hash", "7c5ddbdf54"),
            ("team", "payments")
        ])
    );
    // Falco's own alert for the same event has the same fields but no uuid.
    let falco = read("falco/falco-0.38-shell-in-container.json");
    assert_eq!(falco[0].time, a.time);
    assert_eq!(falco[0].output, a.output);
}

#[test]
fn sensitive_file_read_with_digest_in_the_repository() {
    let alerts = read("falco/falco-0.38-sensitive-file-read.json");
    let a = &alerts[0];
    assert_eq!(a.rule, "Read sensitive file untrusted");
    assert_eq!(a.priority, Priority::Warning);
    assert_eq!(a.field_str("fd.name"), Some("/etc/shadow"));
    assert_eq!(a.field_str("container.image.tag"), None, "null");
    assert_eq!(a.field_str("proc.aname[3]"), None, "null");
    assert_eq!(
        a.container_image_digest().as_deref(),
        Some("sha256:7e3b0a5c9d1f2e4a6b8c0d2e4f6a8b0c2d4e6f8a0b2c4d6e8f0a2b4c6d8e0f2a")
    );
    assert_eq!(
        a.container_image().as_deref(),
        Some(
            "registry.example/shop/checkout@sha256:7E3B0A5C9D1F2E4A6B8C0D2E4F6A8B0C2D4E6F8A0B2C4D6E8F0A2B4C6D8E0F2A"
        )
    );
    assert_eq!(
        a.k8s_pod_labels(),
        labels(&[("app", "checkout"), ("team", "storefront")])
    );
}

#[test]
fn newline_delimited_alerts() {
    let alerts = read("falco/falco-alerts.ndjson");
    let rules: Vec<(&str, Priority, Option<&str>)> = alerts
        .iter()
        .map(|a| (a.rule.as_str(), a.priority, a.source.as_deref()))
        .collect();
    assert_eq!(
        rules,
        [
            (
                "Terminal shell in container",
                Priority::Notice,
                Some("syscall")
            ),
            (
                "Read sensitive file untrusted",
                Priority::Warning,
                Some("syscall")
            ),
            (
                "K8s Secret Get Successfully",
                Priority::Informational,
                Some("k8s_audit")
            ),
        ]
    );
    assert!(alerts.iter().all(|a| a.uuid_derived));
    assert_eq!(
        alerts[0].k8s_pod_labels(),
        labels(&[("app", "payments-api"), ("pod-template-hash", "7c5ddbdf54")])
    );
    assert_eq!(alerts[1].k8s_namespace(), None);
    assert_eq!(
        alerts[2].time.to_string(),
        "2024-10-14 12:00:00.0 +00:00:00"
    );
}

#[test]
fn an_array_of_alerts() {
    let alerts = read("falco/falcosidekick-array.json");
    assert_eq!(alerts.len(), 2);
    assert_eq!(alerts[0].priority, Priority::Critical);
    assert_eq!(alerts[0].priority.severity(), Severity::Critical);
    assert_eq!(
        alerts[1].priority,
        Priority::Error,
        "priority in lower case"
    );
    // A time with an offset is kept as the same instant, in UTC.
    assert_eq!(
        alerts[1].time.to_string(),
        "2024-10-14 13:16:44.771203945 +00:00:00"
    );
    assert_eq!(
        alerts[1].container_image().as_deref(),
        Some("docker.io/library/alpine:3.19")
    );
    assert_eq!(alerts[1].container_image_digest(), None);
}

#[test]
fn alerts_serialize_with_rfc3339_times() {
    let alerts = read("falco/falcosidekick-shell-in-container.json");
    let json = serde_json::to_value(&alerts[0]).unwrap();
    assert_eq!(json["time"], "2024-10-14T09:41:02.118402331Z");
    assert_eq!(json["priority"], "Notice");
    assert_eq!(json["output_fields"]["user.uid"], 0);
}

#[track_caller]
fn check_error(body: &str, want: &str) {
    let e = parse_falco(body.as_bytes(), &Limits::default()).unwrap_err();
    assert_eq!(e.to_string(), want);
}

#[test]
fn bad_alerts_say_which_and_where() {
    let ok = r#""output":"x","priority":"Notice","rule":"r","time":"2024-10-14T09:41:02Z""#;
    check_error("", "not a Falco alert document: an empty body");
    check_error(
        "hello",
        "not a Falco alert document: neither a JSON object nor an array of them",
    );
    check_error(
        r#"{"output":"x","rule":"r","time":"2024-10-14T09:41:02Z"}"#,
        "Falco alert: alert 1 (line 1, column 55): missing field `priority`",
    );
    check_error(
        &format!(
            "{{{ok}}}\n{{\"output\":\"x\",\"priority\":\"Loud\",\"rule\":\"r\",\"time\":\"2024-10-14T09:41:02Z\"}}"
        ),
        "Falco alert: alert 2.priority: unknown Falco priority \"Loud\"; expected one of Emergency, Alert, Critical, Error, Warning, Notice, Informational, Debug",
    );
    check_error(
        r#"[{"output":"x","priority":"Notice","rule":"r","time":"yesterday"}]"#,
        "Falco alert: [0].time: \"yesterday\" is not an RFC 3339 date-time: the 'year' component could not be parsed",
    );
    check_error(
        &format!("[{{{ok},\"uuid\":\"42\"}}]"),
        "Falco alert: [0].uuid: \"42\" is not a UUID (8-4-4-4-12 hexadecimal digits)",
    );
    check_error(
        &format!("[{{{ok},\"tags\":\"shell\"}}]"),
        "Falco alert: [0].tags (line 1, column 90): invalid type: string \"shell\", expected a sequence",
    );
    check_error(
        &format!("{{{ok}}} {{"),
        "Falco alert: malformed JSON at alert 2 (line 1, column 77): EOF while parsing an object",
    );
}

#[test]
fn limits_bound_alerts() {
    let one = r#"{"output":"x","priority":"Notice","rule":"r","time":"2024-10-14T09:41:02Z"}"#;
    let three = format!("{one}\n{one}\n{one}\n");
    let limits = Limits {
        max_items: 2,
        ..Limits::default()
    };
    let e = parse_falco(three.as_bytes(), &limits).unwrap_err();
    assert_eq!(
        e.to_string(),
        "Falco alert: alert count 3 exceeds the limit Limits::max_items = 2; if the report is trusted, raise the limit"
    );
    let array = format!("[{one},{one},{one}]");
    assert!(parse_falco(array.as_bytes(), &limits).is_err());
    let small = Limits {
        max_document_bytes: 10,
        ..Limits::default()
    };
    let e = parse_falco(one.as_bytes(), &small).unwrap_err();
    assert!(e.to_string().contains("max_document_bytes"), "{e}");
}
