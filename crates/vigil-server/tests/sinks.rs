//! Alert sinks against receivers on 127.0.0.1: a tiny_http server that records what it
//! gets, and the real Alertmanager when it is installed.
#![allow(clippy::unwrap_used, reason = "tests")]

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use serde_json::{Value, json};
use time::macros::datetime;
use vigil_server::sinks::{
    Alert, AlertAdvisory, AlertKind, DeliveryError, Sink, SinkConfig, SinkKind, backoff,
    verify_signature,
};

const SECRET: &str = "correct-horse-battery-staple";
const TIMEOUT: Duration = Duration::from_secs(10);
/// How long a receiver thread waits for the request a test is about to send.
const RECEIVER_WAIT: Duration = Duration::from_secs(30);

/// What a receiver got.
#[derive(Debug)]
struct Captured {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Captured {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

/// How a receiver answers.
struct Reply {
    status: u16,
    headers: Vec<(&'static str, &'static str)>,
    body: String,
}

fn reply(status: u16) -> Reply {
    Reply {
        status,
        headers: Vec::new(),
        body: String::new(),
    }
}

/// A receiver on 127.0.0.1 that answers one request per reply, in order. Returns its base
/// URL (`http://127.0.0.1:PORT`) and what it gets.
fn receiver(replies: Vec<Reply>) -> (String, mpsc::Receiver<Captured>) {
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let port = server.server_addr().to_ip().unwrap().port();
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for reply in replies {
            let Ok(Some(mut request)) = server.recv_timeout(RECEIVER_WAIT) else {
                return;
            };
            let mut body = Vec::new();
            request.as_reader().read_to_end(&mut body).unwrap();
            let captured = Captured {
                method: request.method().to_string(),
                path: request.url().to_owned(),
                headers: request
                    .headers()
                    .iter()
                    .map(|h| (h.field.to_string(), h.value.to_string()))
                    .collect(),
                body,
            };
            tx.send(captured).unwrap();
            let mut response =
                tiny_http::Response::from_string(reply.body).with_status_code(reply.status);
            for (name, value) in reply.headers {
                response.add_header(
                    tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()).unwrap(),
                );
            }
            let _ = request.respond(response);
        }
    });
    (format!("http://127.0.0.1:{port}"), rx)
}

fn config(kind: SinkKind, url: &str) -> SinkConfig {
    SinkConfig {
        name: "test-sink".to_owned(),
        kind,
        url: url.to_owned(),
        secret: (kind == SinkKind::Webhook).then(|| SECRET.to_owned()),
        environments: Vec::new(),
        min_severity: None,
        teams: Vec::new(),
    }
}

fn advisory(n: usize) -> AlertAdvisory {
    AlertAdvisory {
        id: format!("GHSA-test-{n:04}"),
        aliases: vec![format!("CVE-2024-{n:05}")],
        summary: Some(format!("Flaw number {n} in the parser")),
        severity: if n == 0 { "critical" } else { "high" }.to_owned(),
        package: format!("pkg:cargo/parser{n}@1.0.{n}"),
        fixed: n.is_multiple_of(2).then(|| format!("1.0.{}", n + 1)),
        kev: n == 0,
        exposed_since: None,
        due: None,
    }
}

fn alert(advisories: usize) -> Alert {
    Alert {
        id: 42,
        key: "alert-7f3a9c".to_owned(),
        kind: AlertKind::Advisory,
        created_at: datetime!(2024-05-01 10:00:00 UTC),
        environment: "prod".to_owned(),
        service: "payments".to_owned(),
        version: "1.4.2".to_owned(),
        team: Some("billing".to_owned()),
        severity: "critical".to_owned(),
        severity_rank: 4,
        advisories: (0..advisories).map(advisory).collect(),
    }
}

/// Delivers `alert` to a fresh receiver at `path` that answers `reply`.
fn deliver(
    kind: SinkKind,
    path: &str,
    alert: &Alert,
    reply: Reply,
) -> (Result<u16, DeliveryError>, Captured) {
    let (base, rx) = receiver(vec![reply]);
    let sink = Sink::new(&config(kind, &format!("{base}{path}")), TIMEOUT).unwrap();
    let result = sink.deliver(alert).map(|d| d.status);
    let captured = rx.recv_timeout(RECEIVER_WAIT).unwrap();
    (result, captured)
}

/// A port on 127.0.0.1 where nothing listens.
fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

#[test]
fn webhook_posts_the_alert_signed() {
    let alert = alert(2);
    let (result, got) = deliver(SinkKind::Webhook, "/hooks/vigil", &alert, reply(204));
    assert_eq!(result.unwrap(), 204);
    assert_eq!(got.method, "POST");
    assert_eq!(got.path, "/hooks/vigil");
    assert_eq!(got.header("Content-Type"), Some("application/json"));
    assert_eq!(got.header("Idempotency-Key"), Some("alert-7f3a9c"));
    assert_eq!(got.header("X-Vigil-Alert-Id"), Some("42"));
    assert_eq!(
        got.header("User-Agent"),
        Some(concat!("vigil/", env!("CARGO_PKG_VERSION")))
    );

    // The body is the alert, with its schema.
    let parsed: Alert = serde_json::from_slice(&got.body).unwrap();
    assert_eq!(parsed, alert);
    let body = got.json();
    assert_eq!(body["schema"], "vigil.alert/v1");
    assert_eq!(body["created_at"], "2024-05-01T10:00:00Z");
    let keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys.len(),
        12,
        "the webhook schema's top-level fields changed: {keys:?}; update docs/alerts.md"
    );

    let signature = got.header("X-Vigil-Signature-256").unwrap();
    assert!(signature.starts_with("sha256="), "{signature}");
    assert_eq!(signature.len(), "sha256=".len() + 64);
    assert_eq!(signature, signature.to_lowercase());
    assert!(verify_signature(SECRET.as_bytes(), &got.body, signature));
    assert!(!verify_signature(b"another secret", &got.body, signature));
    let mut changed = got.body.clone();
    changed[10] ^= 1;
    assert!(!verify_signature(SECRET.as_bytes(), &changed, signature));
    let bare = signature.strip_prefix("sha256=").unwrap();
    assert!(!verify_signature(SECRET.as_bytes(), &got.body, bare));
    assert!(!verify_signature(SECRET.as_bytes(), &got.body, "sha256=zz"));
    assert!(!verify_signature(SECRET.as_bytes(), &got.body, ""));
}

#[test]
fn an_error_status_is_an_error_with_an_excerpt() {
    let answer = Reply {
        body: "database is down\n\n  try later".to_owned(),
        ..reply(500)
    };
    let (result, _) = deliver(SinkKind::Webhook, "/", &alert(1), answer);
    let error = result.unwrap_err();
    assert_eq!(error.status, Some(500));
    assert_eq!(error.retry_after, None);
    assert_eq!(error.to_string(), error.message);
    assert!(
        error
            .message
            .ends_with(" answered HTTP 500: database is down try later"),
        "{}",
        error.message
    );
    assert!(
        error
            .message
            .starts_with("sink test-sink: http://127.0.0.1:")
    );

    // A long page is cut.
    let answer = Reply {
        body: "x".repeat(100_000),
        ..reply(502)
    };
    let (result, _) = deliver(SinkKind::Slack, "/", &alert(1), answer);
    let error = result.unwrap_err();
    assert_eq!(error.status, Some(502));
    assert!(error.message.len() < 400, "{}", error.message);
    assert!(error.message.ends_with("x…"), "{}", error.message);
}

#[test]
fn retry_after_in_seconds_is_read_on_429_and_503() {
    let cases: [(u16, &str, Option<u64>); 5] = [
        (429, "7", Some(7)),
        (503, " 120 ", Some(120)),
        (429, "Wed, 21 Oct 2015 07:28:00 GMT", None),
        (500, "7", None),
        (429, "-1", None),
    ];
    for (status, value, expected) in cases {
        let answer = Reply {
            headers: vec![("Retry-After", value)],
            ..reply(status)
        };
        let (result, _) = deliver(SinkKind::Alertmanager, "", &alert(1), answer);
        let error = result.unwrap_err();
        assert_eq!(error.status, Some(status));
        assert_eq!(
            error.retry_after,
            expected.map(Duration::from_secs),
            "{status} with Retry-After: {value}"
        );
    }
}

#[test]
fn a_redirect_is_an_error() {
    let answer = Reply {
        headers: vec![("Location", "http://127.0.0.1:1/elsewhere")],
        ..reply(302)
    };
    let (result, _) = deliver(SinkKind::Webhook, "/", &alert(1), answer);
    assert_eq!(result.unwrap_err().status, Some(302));
}

#[test]
fn no_answer_is_an_error_without_status() {
    let port = closed_port();
    let sink = Sink::new(
        &config(SinkKind::Webhook, &format!("http://127.0.0.1:{port}/hook")),
        TIMEOUT,
    )
    .unwrap();
    let error = sink.deliver(&alert(1)).unwrap_err();
    assert_eq!(error.status, None);
    assert_eq!(error.retry_after, None);
    assert!(
        error.message.starts_with(&format!(
            "sink test-sink: no answer from http://127.0.0.1:{port}"
        )),
        "{}",
        error.message
    );

    // A listener that never answers: the attempt ends at the timeout.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let sink = Sink::new(
        &config(SinkKind::Webhook, &format!("http://127.0.0.1:{port}/hook")),
        Duration::from_millis(300),
    )
    .unwrap();
    let error = sink.deliver(&alert(1)).unwrap_err();
    assert_eq!(error.status, None);
    assert!(error.message.contains("timeout"), "{}", error.message);
}

#[test]
fn secrets_stay_out_of_messages() {
    let token = "XXXXXXXXXXXXXXXXXXXXXXXX";
    let path = format!("/services/T0000/B0000/{token}");
    // A receiver that echoes the URL and the secret back.
    let echo = format!("no_service for {path} (signed with {SECRET})");
    let (base, _rx) = receiver(vec![Reply {
        body: echo.clone(),
        ..reply(404)
    }]);
    let slack = config(SinkKind::Slack, &format!("{base}{path}"));
    let error = Sink::new(&slack, TIMEOUT)
        .unwrap()
        .deliver(&alert(1))
        .unwrap_err();
    assert_eq!(error.status, Some(404));
    assert!(!error.message.contains(token), "{}", error.message);
    assert!(error.message.contains(&base), "{}", error.message);

    let (base, _rx) = receiver(vec![Reply {
        body: echo,
        ..reply(400)
    }]);
    let webhook = config(SinkKind::Webhook, &format!("{base}/hook"));
    let error = Sink::new(&webhook, TIMEOUT)
        .unwrap()
        .deliver(&alert(1))
        .unwrap_err();
    assert!(!error.message.contains(SECRET), "{}", error.message);

    let unreachable = config(
        SinkKind::Slack,
        &format!("http://127.0.0.1:{}{path}", closed_port()),
    );
    let sink = Sink::new(&unreachable, TIMEOUT).unwrap();
    let error = sink.deliver(&alert(1)).unwrap_err();
    assert!(!error.message.contains(token), "{}", error.message);

    for shown in [
        format!("{slack:?}"),
        format!("{webhook:?}"),
        format!("{sink:?}"),
    ] {
        assert!(!shown.contains(token), "{shown}");
        assert!(!shown.contains(SECRET), "{shown}");
    }
}

#[test]
fn slack_message_has_text_and_blocks() {
    let mut alert = alert(12);
    alert.advisories[1].summary = Some("<script> & friends".to_owned());
    let (result, got) = deliver(SinkKind::Slack, "/services/T/B/x", &alert, reply(200));
    assert_eq!(result.unwrap(), 200);
    assert_eq!(got.header("Idempotency-Key"), Some("alert-7f3a9c"));
    assert_eq!(got.header("X-Vigil-Signature-256"), None);
    let message = got.json();

    let text = message["text"].as_str().unwrap();
    assert!(
        text.starts_with("CRITICAL: payments@1.4.2 in prod (team billing): 12 advisories: "),
        "{text}"
    );
    assert!(
        text.contains("GHSA-test-0000 (critical, known exploited), GHSA-test-0001 (high)"),
        "{text}"
    );
    assert!(text.ends_with("GHSA-test-0009 (high) and 2 more"), "{text}");

    let blocks = message["blocks"].as_array().unwrap();
    let types: Vec<&str> = blocks.iter().map(|b| b["type"].as_str().unwrap()).collect();
    let mut expected = vec!["header", "section", "divider"];
    expected.extend(["section"; 10]);
    expected.push("context");
    assert_eq!(types, expected);
    assert_eq!(
        blocks[0]["text"],
        json!({"type": "plain_text", "text": "CRITICAL: payments@1.4.2 in prod"})
    );
    let fields: Vec<&str> = blocks[1]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "*Environment*\nprod",
            "*Service*\npayments@1.4.2",
            "*Team*\nbilling",
            "*Severity*\ncritical"
        ]
    );
    assert_eq!(
        blocks[3]["text"]["text"],
        "*<https://osv.dev/vulnerability/GHSA-test-0000|GHSA-test-0000>* · critical · \
         :rotating_light: *known exploited (KEV)*\nFlaw number 0 in the parser\n\
         `pkg:cargo/parser0@1.0.0` · fixed in 1.0.1"
    );
    assert_eq!(
        blocks[4]["text"]["text"],
        "*<https://osv.dev/vulnerability/GHSA-test-0001|GHSA-test-0001>* · high\n\
         &lt;script&gt; &amp; friends\n`pkg:cargo/parser1@1.0.1` · no fix known"
    );
    assert_eq!(blocks[13]["elements"][0]["text"], "and 2 more advisories");

    // With few advisories and no team, nothing is counted as more.
    let mut small = self::alert(1);
    small.team = None;
    let (_, got) = deliver(SinkKind::Slack, "/", &small, reply(200));
    let message = got.json();
    assert!(
        message["text"]
            .as_str()
            .unwrap()
            .ends_with("(team none): 1 advisory: GHSA-test-0000 (critical, known exploited)")
    );
    assert_eq!(message["blocks"].as_array().unwrap().len(), 4);
}

#[test]
fn alertmanager_gets_one_alert_per_advisory() {
    let mut alert = alert(2);
    alert.team = None;
    for (url_path, posted_to) in [
        ("", "/api/v2/alerts"),
        ("/", "/api/v2/alerts"),
        ("/am", "/am/api/v2/alerts"),
        ("/am/", "/am/api/v2/alerts"),
    ] {
        let (result, got) = deliver(SinkKind::Alertmanager, url_path, &alert, reply(200));
        assert_eq!(result.unwrap(), 200);
        assert_eq!(got.path, posted_to, "url ending {url_path:?}");
    }
    let (_, got) = deliver(SinkKind::Alertmanager, "", &alert, reply(200));
    assert_eq!(got.header("Content-Type"), Some("application/json"));
    assert_eq!(
        got.json(),
        json!([
            {
                "labels": {
                    "alertname": "VigilVulnerableDeployment",
                    "environment": "prod",
                    "service": "payments",
                    "version": "1.4.2",
                    "advisory": "GHSA-test-0000",
                    "severity": "critical",
                    "source": "vigil",
                },
                "annotations": {
                    "summary": "GHSA-test-0000 affects payments@1.4.2 in prod",
                    "description": "Flaw number 0 in the parser\n\
                                    Package: pkg:cargo/parser0@1.0.0\nAliases: CVE-2024-00000",
                    "package": "pkg:cargo/parser0@1.0.0",
                    "fixed": "1.0.1",
                    "kev": "true",
                },
                "startsAt": "2024-05-01T10:00:00Z",
            },
            {
                "labels": {
                    "alertname": "VigilVulnerableDeployment",
                    "environment": "prod",
                    "service": "payments",
                    "version": "1.4.2",
                    "advisory": "GHSA-test-0001",
                    "severity": "high",
                    "source": "vigil",
                },
                "annotations": {
                    "summary": "GHSA-test-0001 affects payments@1.4.2 in prod",
                    "description": "Flaw number 1 in the parser\n\
                                    Package: pkg:cargo/parser1@1.0.1\nAliases: CVE-2024-00001",
                    "package": "pkg:cargo/parser1@1.0.1",
                    "kev": "false",
                },
                "startsAt": "2024-05-01T10:00:00Z",
            },
        ])
    );
}

/// Checks `SinkConfig::routes` for an alert in `environment`, of `severity`, owned by
/// `team`, against a sink with the given routes.
#[track_caller]
/// An SLA breach as the outbox hands it over: one advisory whose exposure is past due.
fn breach() -> Alert {
    Alert {
        kind: AlertKind::SlaBreach,
        severity: "high".to_owned(),
        severity_rank: 3,
        advisories: vec![AlertAdvisory {
            id: "GHSA-test-0001".to_owned(),
            aliases: Vec::new(),
            summary: None,
            severity: "high".to_owned(),
            package: "pkg:cargo/parser1@1.0.1".to_owned(),
            fixed: None,
            kev: false,
            exposed_since: Some("2024-03-01T00:00:00Z".to_owned()),
            due: Some("2024-03-31T00:00:00Z".to_owned()),
        }],
        ..alert(0)
    }
}

#[test]
fn an_sla_breach_says_when_the_fix_was_due() {
    let alert = breach();
    let (result, got) = deliver(SinkKind::Webhook, "/", &alert, reply(204));
    assert_eq!(result.unwrap(), 204);
    let body = got.json();
    assert_eq!(body["kind"], "sla_breach");
    assert_eq!(body["advisories"][0]["due"], "2024-03-31T00:00:00Z");
    assert_eq!(
        body["advisories"][0]["exposed_since"],
        "2024-03-01T00:00:00Z"
    );
    assert_eq!(serde_json::from_value::<Alert>(body).unwrap(), alert);
    // The other kinds' advisories carry neither field.
    let (_, got) = deliver(SinkKind::Webhook, "/", &self::alert(1), reply(204));
    let keys: Vec<String> = got.json()["advisories"][0]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert!(!keys.contains(&"due".to_owned()), "{keys:?}");

    let (_, got) = deliver(SinkKind::Slack, "/", &alert, reply(200));
    let message = got.json();
    assert_eq!(
        message["blocks"][1]["text"]["text"],
        "An exposure in this environment is past its SLA due date: fix it, or record a triage decision."
    );
    let advisory = message["blocks"][3]["text"]["text"].as_str().unwrap();
    assert!(
        advisory.ends_with(
            "`pkg:cargo/parser1@1.0.1` · due 2024-03-31T00:00:00Z, exposed since 2024-03-01T00:00:00Z"
        ),
        "{advisory}"
    );

    let (_, got) = deliver(SinkKind::Alertmanager, "", &alert, reply(200));
    let posted = got.json();
    assert_eq!(posted[0]["labels"]["alertname"], "VigilSlaBreach");
    assert_eq!(
        posted[0]["annotations"]["summary"],
        "GHSA-test-0001 in payments@1.4.2 in prod is past its due date 2024-03-31T00:00:00Z"
    );
    assert_eq!(posted[0]["annotations"]["due"], "2024-03-31T00:00:00Z");
    assert_eq!(
        posted[0]["annotations"]["exposed_since"],
        "2024-03-01T00:00:00Z"
    );
}

fn check_route(
    (environments, min_severity, teams): (&[&str], Option<&str>, &[&str]),
    (environment, severity, team): (&str, &str, Option<&str>),
    expected: bool,
) {
    let sink = SinkConfig {
        environments: environments.iter().map(|s| (*s).to_owned()).collect(),
        min_severity: min_severity.map(str::to_owned),
        teams: teams.iter().map(|s| (*s).to_owned()).collect(),
        ..config(SinkKind::Slack, "https://hooks.example.com/x")
    };
    let ranks = ["unrated", "low", "medium", "high", "critical"];
    let alert = Alert {
        environment: environment.to_owned(),
        severity: severity.to_owned(),
        severity_rank: ranks.iter().position(|s| *s == severity).unwrap() as i64,
        team: team.map(str::to_owned),
        ..alert(1)
    };
    assert_eq!(
        sink.routes(&alert),
        expected,
        "sink {environments:?}/{min_severity:?}/{teams:?}, alert {environment}/{severity}/{team:?}"
    );
}

#[test]
fn routing() {
    let every: (&[&str], Option<&str>, &[&str]) = (&[], None, &[]);
    check_route(every, ("prod", "unrated", None), true);
    check_route(every, ("dev", "critical", Some("a")), true);

    let prod: (&[&str], Option<&str>, &[&str]) = (&["prod", "staging"], None, &[]);
    check_route(prod, ("prod", "low", None), true);
    check_route(prod, ("staging", "low", None), true);
    check_route(prod, ("dev", "critical", None), false);
    check_route(prod, ("Prod", "critical", None), false);

    let high: (&[&str], Option<&str>, &[&str]) = (&[], Some("high"), &[]);
    check_route(high, ("prod", "critical", None), true);
    check_route(high, ("prod", "high", None), true);
    check_route(high, ("prod", "medium", None), false);
    check_route(high, ("prod", "unrated", None), false);
    check_route((&[], Some("unrated"), &[]), ("prod", "unrated", None), true);
    check_route((&[], Some("critical"), &[]), ("prod", "high", None), false);

    let billing: (&[&str], Option<&str>, &[&str]) = (&[], None, &["billing", "core"]);
    check_route(billing, ("prod", "low", Some("billing")), true);
    check_route(billing, ("prod", "low", Some("core")), true);
    check_route(billing, ("prod", "low", Some("search")), false);
    check_route(billing, ("prod", "critical", None), false);

    // Every route must match.
    let all: (&[&str], Option<&str>, &[&str]) = (&["prod"], Some("medium"), &["billing"]);
    check_route(all, ("prod", "high", Some("billing")), true);
    check_route(all, ("dev", "high", Some("billing")), false);
    check_route(all, ("prod", "low", Some("billing")), false);
    check_route(all, ("prod", "high", Some("search")), false);
}

/// Checks `validate` (and `Sink::new`, which calls it) on the config `change` makes of a
/// valid webhook sink: `Ok` when `error` is `None`, else an error containing it.
#[track_caller]
fn check_validate(change: impl FnOnce(&mut SinkConfig), error: Option<&str>) {
    let mut sink = config(SinkKind::Webhook, "https://hooks.example.com/vigil");
    change(&mut sink);
    match (sink.validate(), error) {
        (Ok(()), None) => {
            Sink::new(&sink, TIMEOUT).unwrap();
        }
        (Err(got), Some(want)) => {
            assert!(got.contains(want), "{got:?} lacks {want:?}");
            assert_eq!(Sink::new(&sink, TIMEOUT).unwrap_err(), got);
        }
        (got, want) => panic!("{sink:?}: got {got:?}, want an error with {want:?}"),
    }
}

#[test]
fn validation() {
    check_validate(|_| {}, None);
    check_validate(|s| s.name = "ops_slack.prod-1".to_owned(), None);
    check_validate(|s| s.name = String::new(), Some("empty `name`"));
    check_validate(
        |s| s.name = "ops slack".to_owned(),
        Some("sink \"ops slack\": the name holds ' '"),
    );
    check_validate(|s| s.name = "ops/slack".to_owned(), Some("holds '/'"));

    check_validate(|s| s.url = "http://10.0.0.1:8080/hook".to_owned(), None);
    check_validate(
        |s| s.url = "ftp://example.com/hook".to_owned(),
        Some("sink test-sink: `url` uses the scheme \"ftp\"; use http:// or https://"),
    );
    check_validate(|s| s.url = "/relative/hook".to_owned(), Some("no scheme"));
    check_validate(|s| s.url = "example.com".to_owned(), Some("no scheme"));
    check_validate(|s| s.url = String::new(), Some("`url` is not a URL"));
    check_validate(
        |s| s.url = "https://exa mple.com/".to_owned(),
        Some("`url` is not a URL"),
    );

    check_validate(
        |s| s.secret = None,
        Some("sink test-sink: a webhook sink needs `secret`"),
    );
    check_validate(|s| s.secret = Some(String::new()), Some("needs `secret`"));
    check_validate(
        |s| s.kind = SinkKind::Slack,
        Some("sink test-sink: `secret` is only for webhook sinks"),
    );
    check_validate(
        |s| {
            s.kind = SinkKind::Slack;
            s.secret = None;
        },
        None,
    );
    check_validate(
        |s| {
            s.kind = SinkKind::Alertmanager;
            s.secret = None;
            s.url = "http://alertmanager:9093/?x=1".to_owned();
        },
        Some("remove the query"),
    );

    for severity in ["critical", "high", "medium", "low", "unrated"] {
        check_validate(|s| s.min_severity = Some(severity.to_owned()), None);
    }
    check_validate(
        |s| s.min_severity = Some("moderate".to_owned()),
        Some("`min_severity` is \"moderate\"; use one of critical, high, medium, low or unrated"),
    );
    check_validate(
        |s| s.environments = vec!["prod".to_owned(), String::new()],
        Some("`environments` has an empty entry"),
    );
    check_validate(
        |s| s.teams = vec![String::new()],
        Some("`teams` has an empty entry"),
    );
}

#[test]
fn validation_never_quotes_the_url() {
    let mut sink = config(
        SinkKind::Slack,
        "ftp://hooks.example.com/services/T/B/SECRET",
    );
    sink.secret = None;
    let error = sink.validate().unwrap_err();
    assert!(!error.contains("SECRET"), "{error}");
}

#[test]
fn backoff_stays_between_half_the_ceiling_and_the_ceiling() {
    let base = Duration::from_secs(5);
    let max = Duration::from_secs(600);
    let mut previous_ceiling = Duration::ZERO;
    for attempt in (0..=80).chain([1000, u32::MAX]) {
        // base * 2^(attempt - 1), capped, computed without the library's arithmetic.
        let doublings = attempt.saturating_sub(1).min(64);
        let uncapped = base.as_nanos() << doublings;
        let ceiling = if uncapped >= max.as_nanos() {
            max
        } else {
            Duration::from_nanos(u64::try_from(uncapped).unwrap())
        };
        assert!(ceiling >= previous_ceiling);
        previous_ceiling = ceiling;
        for _ in 0..50 {
            let delay = backoff(attempt, base, max);
            assert!(
                delay <= ceiling,
                "attempt {attempt}: {delay:?} > {ceiling:?}"
            );
            assert!(delay <= max, "attempt {attempt}: {delay:?} > {max:?}");
            assert!(
                delay >= ceiling / 2,
                "attempt {attempt}: {delay:?} < half of {ceiling:?}"
            );
        }
    }
    // A huge base or maximum does not overflow.
    let delay = backoff(u32::MAX, Duration::MAX, Duration::MAX);
    assert!(delay >= Duration::MAX / 2);
    assert_eq!(backoff(5, Duration::ZERO, max), Duration::ZERO);
}

/// A running Alertmanager, stopped on drop.
struct Alertmanager {
    child: Child,
    url: String,
    _dir: tempfile::TempDir,
}

impl Drop for Alertmanager {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Debian's package installs `prometheus-alertmanager`; upstream's binary is `alertmanager`.
fn alertmanager_binary() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| ["prometheus-alertmanager", "alertmanager"].map(|name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

fn start_alertmanager(binary: &Path) -> Alertmanager {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("alertmanager.yml");
    std::fs::write(
        &config,
        "route:\n  receiver: discard\nreceivers:\n  - name: discard\n",
    )
    .unwrap();
    let port = closed_port();
    let log = std::fs::File::create(dir.path().join("alertmanager.log")).unwrap();
    let child = Command::new(binary)
        .arg(format!("--config.file={}", config.display()))
        .arg(format!(
            "--storage.path={}",
            dir.path().join("data").display()
        ))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .arg("--cluster.listen-address=")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap();
    let mut alertmanager = Alertmanager {
        child,
        url: format!("http://127.0.0.1:{port}"),
        _dir: dir,
    };
    // Up to 60 s for the server to come up; a slow machine only makes this loop longer.
    for _ in 0..600 {
        if let Ok(Some(status)) = alertmanager.child.try_wait() {
            let log = std::fs::read_to_string(alertmanager._dir.path().join("alertmanager.log"))
                .unwrap_or_default();
            panic!("alertmanager exited with {status}:\n{log}");
        }
        let ready = ureq::get(format!("{}/-/ready", alertmanager.url))
            .call()
            .is_ok_and(|r| r.status() == 200);
        if ready {
            return alertmanager;
        }
        thread::sleep(Duration::from_millis(100));
    }
    panic!("alertmanager on {} never became ready", alertmanager.url);
}

/// The labels of every alert Alertmanager holds, sorted by advisory.
fn alertmanager_alerts(alertmanager: &Alertmanager) -> Vec<(BTreeMap<String, String>, Value)> {
    let body = ureq::get(format!("{}/api/v2/alerts", alertmanager.url))
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap();
    let alerts: Vec<Value> = serde_json::from_str(&body).unwrap();
    let mut found: Vec<(BTreeMap<String, String>, Value)> = alerts
        .into_iter()
        .map(|a| {
            let labels = serde_json::from_value(a["labels"].clone()).unwrap();
            (labels, a["annotations"].clone())
        })
        .collect();
    found.sort_by(|a, b| a.0.get("advisory").cmp(&b.0.get("advisory")));
    found
}

#[test]
fn real_alertmanager_takes_and_dedupes_alerts() {
    let Some(binary) = alertmanager_binary() else {
        let reason = "neither prometheus-alertmanager nor alertmanager is on PATH \
                      (apt-get install prometheus-alertmanager)";
        assert!(
            std::env::var("VIGIL_REQUIRE_ALERTMANAGER").as_deref() != Ok("1"),
            "VIGIL_REQUIRE_ALERTMANAGER=1 but {reason}"
        );
        println!("SKIPPED alertmanager: {reason}");
        return;
    };
    let alertmanager = start_alertmanager(&binary);
    let sink = Sink::new(&config(SinkKind::Alertmanager, &alertmanager.url), TIMEOUT).unwrap();
    let alert = alert(2);

    for delivery in 1..=2 {
        let delivered = sink.deliver(&alert).unwrap();
        assert_eq!(delivered.status, 200);
        let found = alertmanager_alerts(&alertmanager);
        assert_eq!(found.len(), 2, "after delivery {delivery}: {found:?}");
        for ((labels, annotations), advisory) in found.iter().zip(&alert.advisories) {
            let expected: BTreeMap<String, String> = [
                ("alertname", "VigilVulnerableDeployment"),
                ("environment", "prod"),
                ("service", "payments"),
                ("version", "1.4.2"),
                ("advisory", advisory.id.as_str()),
                ("severity", advisory.severity.as_str()),
                ("team", "billing"),
                ("source", "vigil"),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
            assert_eq!(labels, &expected);
            assert_eq!(annotations["kev"], advisory.kev.to_string());
            assert_eq!(
                annotations["summary"],
                format!("{} affects payments@1.4.2 in prod", advisory.id)
            );
        }
    }

    // Another release is another pair of alerts.
    let mut next = alert.clone();
    next.version = "1.4.3".to_owned();
    sink.deliver(&next).unwrap();
    assert_eq!(alertmanager_alerts(&alertmanager).len(), 4);
}
