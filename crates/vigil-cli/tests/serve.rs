//! `vigil serve` end to end, as a process on a real socket: a release and a deployment
//! posted over HTTP raise an alert that a local webhook receives signed; the server is
//! killed while the alert cannot be delivered and, restarted, delivers it; an advisory
//! published to a local OSV bucket is synced by the scheduler and alerts the owner.
#![allow(clippy::unwrap_used, reason = "tests panic on failure by design")]

#[path = "../../vigil-engine/tests/support/mod.rs"]
mod support;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, mpsc};
use std::time::Duration;

use serde_json::{Value, json};

use support::{Bucket, Server};

const SECRET: &str = "webhook-secret-for-tests";

/// What the receiver saw of one request: the signature header, the idempotency key, the body.
type Received = (String, String, Vec<u8>);

fn vigil(data: &Path, args: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(["--data-dir", data.to_str().unwrap()])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "vigil {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Starts `vigil serve`; returns the process and its base URL, read from what it prints.
fn serve(data: &Path, config: &Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(["--data-dir", data.to_str().unwrap(), "serve", "--config"])
        .arg(config)
        .env("RUST_LOG", "info")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(rest) = line.split("listening on ").nth(1) {
                let _ = tx.send(rest.split_whitespace().next().unwrap_or("").to_owned());
            }
            eprintln!("[serve] {line}");
        }
    });
    let base = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("vigil serve printed no address");
    (child, base)
}

/// A webhook receiver on `port` that hands each request's signature and body over.
fn receiver(port: u16) -> (Arc<tiny_http::Server>, mpsc::Receiver<Received>) {
    let server = Arc::new(tiny_http::Server::http(("127.0.0.1", port)).unwrap());
    let (tx, rx) = mpsc::channel();
    let s = Arc::clone(&server);
    std::thread::spawn(move || {
        for mut req in s.incoming_requests() {
            let header = |req: &tiny_http::Request, name: &'static str| {
                req.headers()
                    .iter()
                    .find(|h| h.field.equiv(name))
                    .map(|h| h.value.to_string())
                    .unwrap_or_default()
            };
            let signature = header(&req, "X-Vigil-Signature-256");
            let key = header(&req, "Idempotency-Key");
            let mut body = Vec::new();
            let _ = req.as_reader().read_to_end(&mut body);
            let _ = tx.send((signature, key, body));
            let _ = req.respond(tiny_http::Response::empty(204));
        }
    });
    (server, rx)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn post(base: &str, path: &str, token: &str, body: &Value) -> (u16, Value) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut resp = agent
        .post(&format!("{base}{path}"))
        .header("Authorization", &format!("Bearer {token}"))
        .header("Content-Type", "application/json")
        .send(&serde_json::to_vec(body).unwrap()[..])
        .unwrap();
    let status = resp.status().as_u16();
    let text = resp.body_mut().read_to_string().unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn advisory(id: &str, package: &str, fixed: &str, modified: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({"id": id, "modified": modified, "summary": format!("{package} is vulnerable"),
        "database_specific": {"severity": "CRITICAL"},
        "affected": [{"package": {"ecosystem": "npm", "name": package},
                      "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": fixed}]}]}]}))
    .unwrap()
}

fn wait_alert(rx: &mpsc::Receiver<Received>) -> (String, String, Value) {
    let (signature, key, body) = rx
        .recv_timeout(Duration::from_secs(90))
        .expect("no alert reached the webhook");
    assert!(
        vigil_server::sinks::verify_signature(SECRET.as_bytes(), &body, &signature),
        "the alert's signature does not verify"
    );
    (signature, key, serde_json::from_slice(&body).unwrap())
}

#[test]
fn alerts_reach_the_webhook_signed_and_survive_a_crash() {
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("data");
    let admin = vigil(&data, &["init", "--format", "json"])["admin_token"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let publisher = vigil(
        &data,
        &["token", "create", "--role", "publisher", "--format", "json"],
    )["token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(admin.starts_with("vigil_"));

    let mut bucket = Bucket::new();
    bucket.publish_json(
        "npm",
        vec![advisory(
            "GHSA-aaaa-aaaa-aaaa",
            "left-pad",
            "1.3.0",
            "2024-01-01T00:00:00Z",
        )],
    );
    let feed = Server::start(bucket.root());

    let port = free_port();
    let config = work.path().join("vigil.toml");
    std::fs::write(
        &config,
        format!(
            r#"listen = "127.0.0.1:0"
[scheduler]
osv_interval_secs = 1
osv_url = "{feed}"
osv_ecosystems = ["npm"]
kev_interval_secs = 0
epss_interval_secs = 0
[outbox]
poll_interval_ms = 100
backoff_base_secs = 1
backoff_max_secs = 2
timeout_secs = 2
[[sinks]]
name = "security"
kind = "webhook"
url = "http://127.0.0.1:{port}/hook"
secret = "{SECRET}"
environments = ["production"]
"#,
            feed = feed.base
        ),
    )
    .unwrap();

    // The webhook is down: the alert waits in the outbox.
    let (mut server, base) = serve(&data, &config);
    let sbom = json!({"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
        "components": [{"type": "library", "name": "left-pad", "version": "1.1.0", "purl": "pkg:npm/left-pad@1.1.0"},
                       {"type": "library", "name": "lodash", "version": "4.17.20", "purl": "pkg:npm/lodash@4.17.20"}]});
    // The first sync may still be running: wait until the advisory is in.
    let mut findings = 0;
    for _ in 0..60 {
        let (s, b) = post(
            &base,
            "/api/v1/releases",
            &publisher,
            &json!({"service": "checkout", "version": "1.0.0", "sbom": sbom, "owner": "payments"}),
        );
        assert!(s == 201 || s == 200, "{s} {b}");
        findings = b["findings"].as_u64().unwrap();
        if findings > 0 {
            break;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    assert_eq!(
        findings, 1,
        "the scheduler's first sync stored the advisory"
    );
    let (s, b) = post(
        &base,
        "/api/v1/deployments",
        &publisher,
        &json!({"environment": "production", "service": "checkout", "version": "1.0.0"}),
    );
    assert_eq!(s, 201, "{b}");
    assert_eq!(b["alerts"], 1);
    std::thread::sleep(Duration::from_secs(2));
    // Killed, not stopped: nothing gets to clean up.
    server.kill().unwrap();
    let _ = server.wait();

    let (_hook, rx) = receiver(port);
    let (mut server, base) = serve(&data, &config);
    let (_, key, alert) = wait_alert(&rx);
    assert_eq!(alert["kind"], "deployment");
    assert_eq!(alert["environment"], "production");
    assert_eq!(alert["team"], "payments");
    assert_eq!(alert["advisories"][0]["id"], "GHSA-aaaa-aaaa-aaaa");
    assert!(key.starts_with("vigil-"));

    // A new advisory in the feed: the scheduler syncs it and the owner hears.
    bucket.publish_json(
        "npm",
        vec![advisory(
            "GHSA-bbbb-bbbb-bbbb",
            "lodash",
            "4.17.21",
            "2024-02-01T00:00:00Z",
        )],
    );
    let (_, key2, alert) = wait_alert(&rx);
    assert_eq!(alert["kind"], "advisory");
    assert_eq!(alert["advisories"][0]["id"], "GHSA-bbbb-bbbb-bbbb");
    assert_eq!(alert["severity"], "critical");
    assert_ne!(key, key2);
    let (s, b) = post(
        &base,
        "/v1/query",
        &admin,
        &json!({"package": {"purl": "pkg:npm/lodash@4.17.20"}}),
    );
    assert_eq!(s, 200);
    assert_eq!(b["vulns"][0]["id"], "GHSA-bbbb-bbbb-bbbb");
    // Delivered once each: nothing more arrives.
    assert!(
        rx.recv_timeout(Duration::from_secs(3)).is_err(),
        "an alert was delivered twice"
    );
    server.kill().unwrap();
    let _ = server.wait();
}
