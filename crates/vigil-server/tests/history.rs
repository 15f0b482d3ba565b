//! VEX, the deployment gate and history over HTTP, at the router, on every backend, with
//! an injected clock: a VEX document imported (then again, then garbage) shrinks the
//! open findings; exports in both formats parse back; the gate allows and denies on
//! built data, with the built-in policy and a configured one, and a configured policy
//! that does not compile stops startup; exposure at a past instant, root cause and
//! patterns; and the errors each endpoint answers with.
#![allow(clippy::unwrap_used, reason = "tests panic on failure by design")]

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::{Value, json};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use tower::ServiceExt;
use vigil_engine::{AdvisoryInput, Engine, FixedClock};
use vigil_server::auth::{self, Role};
use vigil_server::config::Config;
use vigil_server::{AppState, StateError, router};
use vigil_store::testing::{TestStore, stores};

/// Day 0 of the timeline: the advisories are published.
const DAY0: OffsetDateTime = datetime!(2026-03-01 00:00 UTC);

fn day(n: i64) -> OffsetDateTime {
    DAY0 + Duration::days(n)
}

fn rfc3339(t: OffsetDateTime) -> String {
    vigil_store::time::format(t)
}

/// lodash before 4.17.21: high.
const LODASH: &str = r#"{"schema_version": "1.6.0", "id": "GHSA-35jh-r3h4-6jhm",
  "modified": "2026-03-01T00:00:00Z", "published": "2026-03-01T00:00:00Z",
  "aliases": ["CVE-2021-23337"], "summary": "Command injection in lodash",
  "database_specific": {"severity": "HIGH"},
  "affected": [{"package": {"ecosystem": "npm", "name": "lodash"},
    "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "4.17.21"}]}]}]}"#;

/// qs before 6.10.3: critical (CVSS 9.8).
const QS: &str = r#"{"schema_version": "1.6.0", "id": "GHSA-cccc-cccc-cccc",
  "modified": "2026-03-01T00:00:00Z", "published": "2026-03-01T00:00:00Z",
  "aliases": ["CVE-2026-0003"], "summary": "qs prototype pollution",
  "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
  "affected": [{"package": {"ecosystem": "npm", "name": "qs"},
    "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "6.10.3"}]}]}]}"#;

/// Says checkout 1.1.0 is not affected by the lodash advisory.
const OPENVEX: &str = r#"{
  "@context": "https://openvex.dev/ns/v0.2.0",
  "@id": "https://example.com/vex/checkout-1.1.0",
  "author": "Payments team",
  "timestamp": "2026-03-10T00:00:00Z",
  "version": 1,
  "statements": [
    {"vulnerability": {"name": "CVE-2021-23337"},
     "products": [{"@id": "checkout@1.1.0"}],
     "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"}
  ]
}"#;

fn advisory(json: &str) -> AdvisoryInput {
    AdvisoryInput {
        osv: vigil_osv::from_json(json.as_bytes()).unwrap(),
        json: json.as_bytes().to_vec(),
        source: Some("test".into()),
    }
}

fn release(service: &str, version: &str, commit: &str, packages: &[(&str, &str)]) -> Value {
    let components: Vec<Value> = packages
        .iter()
        .map(|(name, version)| {
            json!({"type": "library", "name": name, "version": version,
                   "purl": format!("pkg:npm/{name}@{version}")})
        })
        .collect();
    json!({"service": service, "version": version, "commit": commit, "owner": "payments",
        "sbom": {"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
                 "components": components}})
}

/// A response: status, content type, body.
struct Reply {
    status: StatusCode,
    content_type: String,
    bytes: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&self.bytes).into_owned()))
    }
}

struct Api {
    rt: tokio::runtime::Runtime,
    app: Router,
    clock: Arc<FixedClock>,
    tokens: HashMap<&'static str, String>,
    _store: TestStore,
}

impl Api {
    fn new(t: TestStore, tweak: impl FnOnce(&mut Config)) -> Api {
        let clock = Arc::new(FixedClock::new(DAY0));
        let mut engine = Engine::with_clock(t.reopen(), clock.clone());
        engine
            .import_advisories(vec![advisory(LODASH), advisory(QS)])
            .unwrap();
        let mut store = t.reopen();
        let mut tokens = HashMap::new();
        let mut tx = store.write().unwrap();
        let staging = || Some(vec!["staging".to_owned()]);
        for (name, role, envs) in [
            ("admin", Role::Admin, None),
            ("publisher", Role::Publisher, None),
            ("triager", Role::Triager, None),
            ("reader", Role::Reader, None),
            ("staging-reader", Role::Reader, staging()),
            ("staging-triager", Role::Triager, staging()),
        ] {
            let made = auth::create(&mut tx, name, role, envs, None, DAY0).unwrap();
            tokens.insert(name, made.token);
        }
        tx.commit().unwrap();
        let mut config = Config::default();
        config.api.read_connections = 2;
        tweak(&mut config);
        let state = AppState::new(config, t.location.clone(), clock.clone(), None).unwrap();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        Api {
            rt,
            app: router(state),
            clock,
            tokens,
            _store: t,
        }
    }

    fn at(&self, t: OffsetDateTime) {
        self.clock.set(t);
    }

    fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> Reply {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            req = req.header(
                header::AUTHORIZATION,
                format!("Bearer {}", self.tokens.get(t).map_or(t, String::as_str)),
            );
        }
        if let Some(c) = content_type {
            req = req.header(header::CONTENT_TYPE, c);
        }
        let req = req.body(Body::from(body)).unwrap();
        self.rt.block_on(async {
            let resp = self.app.clone().oneshot(req).await.unwrap();
            let status = resp.status();
            let content_type = resp
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            let bytes = axum::body::to_bytes(resp.into_body(), 1 << 26)
                .await
                .unwrap()
                .to_vec();
            Reply {
                status,
                content_type,
                bytes,
            }
        })
    }

    fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        let r = self.request(Method::GET, path, Some(token), None, Vec::new());
        (r.status, r.json())
    }

    fn post(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        let r = self.request(
            Method::POST,
            path,
            Some(token),
            Some("application/json"),
            serde_json::to_vec(&body).unwrap(),
        );
        (r.status, r.json())
    }

    fn post_vex(&self, token: &str, content_type: &str, body: &[u8]) -> (StatusCode, Value) {
        let r = self.request(
            Method::POST,
            "/api/v1/vex",
            Some(token),
            Some(content_type),
            body.to_vec(),
        );
        (r.status, r.json())
    }

    fn add_release(&self, service: &str, version: &str, commit: &str, pkgs: &[(&str, &str)]) {
        let (s, body) = self.post(
            "/api/v1/releases",
            "publisher",
            release(service, version, commit, pkgs),
        );
        assert_eq!(s, StatusCode::CREATED, "{body}");
    }

    fn deploy(&self, environment: &str, service: &str, version: &str) {
        let (s, body) = self.post(
            "/api/v1/deployments",
            "publisher",
            json!({"environment": environment, "service": service, "version": version}),
        );
        assert_eq!(s, StatusCode::CREATED, "{body}");
    }

    /// The timeline every test starts from, ending on day 10:
    /// - day 1: checkout 1.0.0 (lodash fixed) to prod;
    /// - day 2: checkout 1.1.0 brings lodash 4.17.20 in, to staging;
    /// - day 3: 1.1.0 to prod;
    /// - day 8: 1.3.0 (lodash fixed again) to prod; staging keeps 1.1.0;
    /// - day 9: cart 1.0.0 with qs 6.10.1 (critical), recorded, deployed nowhere.
    fn timeline(&self) {
        self.at(day(1));
        self.add_release("checkout", "1.0.0", "c1", &[("lodash", "4.17.21")]);
        self.deploy("prod", "checkout", "1.0.0");
        self.at(day(2));
        self.add_release("checkout", "1.1.0", "c2", &[("lodash", "4.17.20")]);
        self.deploy("staging", "checkout", "1.1.0");
        self.at(day(3));
        self.deploy("prod", "checkout", "1.1.0");
        self.at(day(8));
        self.add_release("checkout", "1.3.0", "c4", &[("lodash", "4.17.21")]);
        self.deploy("prod", "checkout", "1.3.0");
        self.at(day(9));
        self.add_release("cart", "1.0.0", "k1", &[("qs", "6.10.1")]);
        self.at(day(10));
    }

    /// (environment, service, advisory) of the open findings of running releases.
    fn open_findings(&self) -> Vec<(String, String, String)> {
        let (s, body) = self.get("/api/v1/findings", "reader");
        assert_eq!(s, StatusCode::OK, "{body}");
        let mut rows: Vec<(String, String, String)> = body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["environment"].as_str().unwrap_or_default().to_owned(),
                    f["service"].as_str().unwrap().to_owned(),
                    f["advisory_id"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        rows.sort();
        rows
    }
}

fn triple(env: &str, service: &str, advisory: &str) -> (String, String, String) {
    (env.to_owned(), service.to_owned(), advisory.to_owned())
}

fn codes(reasons: &Value) -> Vec<String> {
    reasons
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn vex_import_records_decisions_once_and_shrinks_the_findings() {
    for t in stores("api_vex_import") {
        let name = t.name();
        let api = Api::new(t, |_| {});
        api.timeline();
        assert_eq!(
            api.open_findings(),
            [triple("staging", "checkout", "GHSA-35jh-r3h4-6jhm")],
            "{name}"
        );

        let (s, body) = api.post_vex("triager", "application/openvex+json", OPENVEX.as_bytes());
        assert_eq!(s, StatusCode::CREATED, "{name}: {body}");
        assert_eq!(body["new"], true);
        assert_eq!(body["format"], "openvex-0.2.0");
        assert_eq!(body["author"], "Payments team");
        assert_eq!(body["statements"], 1);
        assert_eq!(body["findings_changed"], 1, "{name}: {body}");
        assert_eq!(body["sha256"], vigil_engine::sha256(OPENVEX.as_bytes()));
        let d = &body["decisions"][0];
        assert_eq!(
            (&d["vulnerability"], &d["status"], &d["scope"]),
            (
                &json!("CVE-2021-23337"),
                &json!("not_affected"),
                &json!("release")
            ),
            "{name}: {body}"
        );
        assert_eq!(
            (&d["service"], &d["release"]),
            (&json!("checkout"), &json!("1.1.0"))
        );
        assert_eq!(api.open_findings(), [], "{name}: the finding is closed");

        // The same bytes again: 200, nothing recorded.
        let (s, body) = api.post_vex("admin", "application/json", OPENVEX.as_bytes());
        assert_eq!(s, StatusCode::OK, "{name}: {body}");
        assert_eq!(body["new"], false);
        assert_eq!(body["decisions"], json!([]));

        // Not VEX: 422, saying so.
        for (ct, garbage) in [
            ("application/json", &br#"{"hello": "world"}"#[..]),
            ("application/json", b"not json at all"),
            ("application/vnd.cyclonedx+xml", b"<bom><oops"),
        ] {
            let (s, body) = api.post_vex("triager", ct, garbage);
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{name} {ct}: {body}");
            assert_eq!(body["error"]["code"], "unprocessable");
            assert!(
                body["error"]["message"].as_str().unwrap().contains("VEX"),
                "{name}: {body}"
            );
        }
        // Another media type: 415, naming those taken.
        let (s, body) = api.post_vex("triager", "text/plain", OPENVEX.as_bytes());
        assert_eq!(s, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{name}: {body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("application/openvex+json")
        );
        // Who may import: triagers and admins for every environment.
        for (token, status) in [
            ("reader", StatusCode::FORBIDDEN),
            ("publisher", StatusCode::FORBIDDEN),
            ("staging-triager", StatusCode::FORBIDDEN),
            ("no-such-token", StatusCode::UNAUTHORIZED),
        ] {
            let (s, body) = api.post_vex(token, "application/json", OPENVEX.as_bytes());
            assert_eq!(s, status, "{name} {token}: {body}");
        }
        let r = api.request(
            Method::POST,
            "/api/v1/vex",
            None,
            Some("application/json"),
            OPENVEX.as_bytes().to_vec(),
        );
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{name}");
    }
}

#[test]
fn vex_export_in_both_formats_parses_back() {
    for t in stores("api_vex_export") {
        let name = t.name();
        let api = Api::new(t, |_| {});
        api.timeline();
        let (s, _) = api.post_vex("triager", "application/json", OPENVEX.as_bytes());
        assert_eq!(s, StatusCode::CREATED, "{name}");

        // A release, OpenVEX by default: its one finding, not affected as imported.
        let r = api.request(
            Method::GET,
            "/api/v1/vex?service=checkout&version=1.1.0",
            Some("reader"),
            None,
            Vec::new(),
        );
        assert_eq!(r.status, StatusCode::OK, "{name}: {}", r.json());
        assert_eq!(r.content_type, "application/json");
        let doc = vigil_vex::parse(&r.bytes).unwrap();
        assert!(
            matches!(doc.format, vigil_vex::Format::OpenVex { .. }),
            "{:?}",
            doc.format
        );
        let statuses: Vec<(String, &str)> = doc
            .statements
            .iter()
            .map(|s| (s.vulnerability.name.clone(), s.status.as_str()))
            .collect();
        assert_eq!(
            statuses,
            [("GHSA-35jh-r3h4-6jhm".to_owned(), "not_affected")],
            "{name}"
        );

        // CycloneDX, with its own media type.
        let r = api.request(
            Method::GET,
            "/api/v1/vex?service=checkout&version=1.1.0&format=cyclonedx",
            Some("reader"),
            None,
            Vec::new(),
        );
        assert_eq!(r.status, StatusCode::OK, "{name}: {}", r.json());
        assert_eq!(r.content_type, "application/vnd.cyclonedx+json");
        let doc = vigil_vex::parse(&r.bytes).unwrap();
        assert!(
            matches!(&doc.format, vigil_vex::Format::CycloneDx { spec_version } if spec_version == "1.6"),
            "{:?}",
            doc.format
        );
        assert_eq!(doc.statements.len(), 1);
        assert_eq!(doc.statements[0].status.as_str(), "not_affected");
        // Posted back as it came, it is a new document that says the same.
        let (s, body) = api.post_vex("triager", &r.content_type, &r.bytes);
        assert_eq!(s, StatusCode::CREATED, "{name}: {body}");
        assert_eq!(body["format"], "cyclonedx-1.6");

        // The portfolio: releases that run now, the cart release (running nowhere) left
        // out. Checkout 1.3.0 in prod has no finding.
        let (s, body) = api.get("/api/v1/vex", "reader");
        assert_eq!(s, StatusCode::OK, "{name}: {body}");
        let statements = body["statements"].as_array().unwrap();
        assert_eq!(statements.len(), 1, "{name}: {body}");
        // The cart release by name: its critical qs finding, not yet triaged.
        let (s, body) = api.get("/api/v1/vex?service=cart&version=1.0.0", "reader");
        assert_eq!(s, StatusCode::OK, "{name}: {body}");
        assert_eq!(body["statements"][0]["status"], "under_investigation");

        for (query, status) in [
            ("?version=1.1.0", StatusCode::UNPROCESSABLE_ENTITY),
            ("?service=nope", StatusCode::NOT_FOUND),
            ("?service=checkout&version=9.9.9", StatusCode::NOT_FOUND),
            ("?format=spdx", StatusCode::BAD_REQUEST),
            ("?colour=blue", StatusCode::BAD_REQUEST),
        ] {
            let (s, body) = api.get(&format!("/api/v1/vex{query}"), "reader");
            assert_eq!(s, status, "{name} {query}: {body}");
        }
        let r = api.request(Method::GET, "/api/v1/vex", None, None, Vec::new());
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
}

#[test]
fn the_gate_allows_and_denies_with_the_builtin_policy() {
    for t in stores("api_gate") {
        let name = t.name();
        let api = Api::new(t, |_| {});
        api.timeline();
        let ask = |token: &str, env: &str, service: &str, version: &str| {
            api.post(
                "/api/v1/gate",
                token,
                json!({"environment": env, "service": service, "version": version}),
            )
        };
        // An untriaged critical finding: denied, still 200.
        let (s, body) = ask("reader", "prod", "cart", "1.0.0");
        assert_eq!(s, StatusCode::OK, "{name}: {body}");
        assert_eq!(body["allow"], false, "{name}: {body}");
        assert_eq!(
            codes(&body["deny"]),
            ["untriaged_critical"],
            "{name}: {body}"
        );
        assert_eq!(body["deny"][0]["advisory"], "GHSA-cccc-cccc-cccc");
        assert_eq!(body["policy"], json!(["default.rego"]));
        assert_eq!(
            (&body["environment"], &body["service"], &body["version"]),
            (&json!("prod"), &json!("cart"), &json!("1.0.0"))
        );
        assert_eq!(body["input"]["findings"][0]["severity"], "critical");
        assert_eq!(body["input"]["now"], rfc3339(day(10)));

        // No findings: allowed.
        let (s, body) = ask("publisher", "prod", "checkout", "1.3.0");
        assert_eq!(s, StatusCode::OK, "{name}: {body}");
        assert_eq!(body["allow"], true, "{name}: {body}");
        assert_eq!(body["deny"], json!([]));

        // Triage decides the critical one: allowed.
        let vex = r#"{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://example.com/vex/cart",
          "author": "Cart team", "timestamp": "2026-03-10T00:00:00Z", "version": 1,
          "statements": [{"vulnerability": {"name": "CVE-2026-0003"}, "products": [{"@id": "cart@1.0.0"}],
            "status": "affected", "action_statement": "upgrade qs this week"}]}"#;
        let (s, body) = api.post_vex("triager", "application/json", vex.as_bytes());
        assert_eq!(s, StatusCode::CREATED, "{name}: {body}");
        let (s, body) = ask("reader", "prod", "cart", "1.0.0");
        assert_eq!(s, StatusCode::OK, "{name}: {body}");
        assert_eq!(body["allow"], true, "{name}: {body}");

        // Errors.
        let (s, body) = ask("reader", "prod", "cart", "9.9.9");
        assert_eq!(s, StatusCode::NOT_FOUND, "{name}: {body}");
        let (s, body) = ask("staging-reader", "prod", "cart", "1.0.0");
        assert_eq!(s, StatusCode::FORBIDDEN, "{name}: {body}");
        let (s, body) = ask("staging-reader", "staging", "cart", "1.0.0");
        assert_eq!(s, StatusCode::OK, "{name}: {body}");
        let (s, body) = ask("no-such-token", "prod", "cart", "1.0.0");
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{name}: {body}");
        let (s, body) = api.post(
            "/api/v1/gate",
            "reader",
            json!({"environment": "prod", "service": "cart"}),
        );
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{name}: {body}");
        let (s, body) = ask("reader", "prod", " cart", "1.0.0");
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{name}: {body}");
    }
}

const FREEZE: &str = r#"package vigil.gate

deny contains {"code": "freeze", "msg": sprintf("no deployments to %s during the freeze", [input.environment.name])} if {
	input.environment.name == "prod"
}

warn contains {"code": "findings", "msg": "the release has findings"} if {
	count(input.findings) > 0
}
"#;

fn policy_dir(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

#[test]
fn the_gate_asks_a_configured_policy() {
    let dir = policy_dir(&[("rules/freeze.rego", FREEZE)]);
    for t in stores("api_gate_policy") {
        let name = t.name();
        let api = Api::new(t, |c| c.gate.policy_dir = Some(dir.path().to_owned()));
        api.timeline();
        let (s, body) = api.post(
            "/api/v1/gate",
            "reader",
            json!({"environment": "prod", "service": "checkout", "version": "1.3.0"}),
        );
        assert_eq!(s, StatusCode::OK, "{name}: {body}");
        assert_eq!(body["allow"], false);
        assert_eq!(body["policy"], json!(["rules/freeze.rego"]));
        assert_eq!(
            body["deny"],
            json!([{"code": "freeze", "message": "no deployments to prod during the freeze"}])
        );
        assert_eq!(body["warn"], json!([]));
        // The built-in policy would deny this one; this policy only warns.
        let (s, body) = api.post(
            "/api/v1/gate",
            "reader",
            json!({"environment": "staging", "service": "cart", "version": "1.0.0"}),
        );
        assert_eq!(s, StatusCode::OK, "{name}: {body}");
        assert_eq!(body["allow"], true, "{name}: {body}");
        assert_eq!(codes(&body["warn"]), ["findings"]);
    }
}

#[test]
fn a_gate_policy_that_does_not_compile_stops_startup() {
    let t = stores("api_gate_bad").remove(0);
    let start = |dir: &Path| {
        let mut config = Config::default();
        config.gate.policy_dir = Some(dir.to_owned());
        AppState::new(
            config,
            t.location.clone(),
            Arc::new(FixedClock::new(DAY0)),
            None,
        )
    };
    let check = |dir: &Path, expect: &[&str]| {
        let err = start(dir).unwrap_err();
        assert!(matches!(err, StateError::GatePolicy { .. }), "{err:?}");
        let message = err.to_string();
        for e in expect {
            assert!(message.contains(e), "{message:?} lacks {e:?}");
        }
    };
    // A syntax error: the file and the line.
    let broken = policy_dir(&[
        (
            "ok.rego",
            FREEZE.replace("vigil.gate", "vigil.util").as_str(),
        ),
        (
            "broken.rego",
            "package vigil.gate\n\ndeny contains msg if {\n  msg := \n}\n",
        ),
    ]);
    check(
        broken.path(),
        &[
            &broken.path().display().to_string(),
            "broken.rego",
            "does not parse",
        ],
    );
    // No deny rule.
    let no_deny = policy_dir(&[(
        "warn.rego",
        "package vigil.gate\n\nwarn contains \"x\" if { true }\n",
    )]);
    check(no_deny.path(), &["warn.rego", "deny"]);
    // No .rego file at all, and a directory that does not exist.
    let empty = tempfile::tempdir().unwrap();
    check(empty.path(), &["no .rego file"]);
    check(&empty.path().join("missing"), &["missing"]);

    // `vigil serve` does not start, and says why.
    let config = Config {
        listen: "127.0.0.1:0".to_owned(),
        gate: vigil_server::config::GateConfig {
            policy_dir: Some(broken.path().to_owned()),
        },
        ..Config::default()
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let err = rt
        .block_on(vigil_server::start(
            config,
            t.location.clone(),
            Arc::new(FixedClock::new(DAY0)),
        ))
        .unwrap_err();
    assert!(err.to_string().contains("broken.rego"), "{err}");
}

#[test]
fn the_gate_policy_dir_comes_from_the_file_and_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("vigil.toml");
    std::fs::write(&file, "[gate]\npolicy_dir = \"/etc/vigil/gate\"\n").unwrap();
    let config = Config::load(Some(&file), []).unwrap();
    assert_eq!(
        config.gate.policy_dir.as_deref(),
        Some(Path::new("/etc/vigil/gate"))
    );
    let config = Config::load(
        Some(&file),
        [(
            "VIGIL_GATE__POLICY_DIR".to_owned(),
            "/srv/policies".to_owned(),
        )],
    )
    .unwrap();
    assert_eq!(
        config.gate.policy_dir.as_deref(),
        Some(Path::new("/srv/policies"))
    );
    let config = Config::load(
        None,
        [(
            "VIGIL_GATE__POLICY_DIR".to_owned(),
            "/srv/policies".to_owned(),
        )],
    )
    .unwrap();
    assert_eq!(
        config.gate.policy_dir.as_deref(),
        Some(Path::new("/srv/policies"))
    );
    assert!(Config::default().gate.policy_dir.is_none());
    let mut config = Config::default();
    config.gate.policy_dir = Some("".into());
    let err = config.validate().unwrap_err().to_string();
    assert!(err.contains("gate.policy_dir"), "{err}");
}

/// (environment, service, release, ruled_out) of an exposure answer.
fn exposure_rows(body: &Value) -> Vec<(String, String, String, bool)> {
    body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["environment"].as_str().unwrap().to_owned(),
                r["service"].as_str().unwrap().to_owned(),
                r["release"].as_str().unwrap().to_owned(),
                r["ruled_out"].as_bool().unwrap(),
            )
        })
        .collect()
}

fn row(env: &str, release: &str, ruled_out: bool) -> (String, String, String, bool) {
    (
        env.to_owned(),
        "checkout".to_owned(),
        release.to_owned(),
        ruled_out,
    )
}

#[test]
fn exposure_at_a_past_instant() {
    for t in stores("api_exposure") {
        let name = t.name();
        let api = Api::new(t, |_| {});
        api.timeline();
        let exposure = |at: OffsetDateTime, token: &str| {
            let (s, body) = api.get(
                &format!(
                    "/api/v1/advisories/CVE-2021-23337/exposure?at={}",
                    rfc3339(at)
                ),
                token,
            );
            assert_eq!(s, StatusCode::OK, "{name}: {body}");
            body
        };
        // Day 4: 1.1.0 ran in both environments.
        let body = exposure(day(4), "reader");
        assert_eq!(body["query"], "CVE-2021-23337");
        assert_eq!(body["at"], rfc3339(day(4)));
        assert_eq!(
            body["advisories"],
            json!([{"id": "GHSA-35jh-r3h4-6jhm", "known": true,
                    "modified": "2026-03-01T00:00:00Z", "withdrawn": false}]),
            "{name}"
        );
        assert_eq!(
            exposure_rows(&body),
            [row("prod", "1.1.0", false), row("staging", "1.1.0", false)],
            "{name}"
        );
        assert_eq!(body["exposed"], 2);
        assert_eq!(body["rows"][0]["running_since"], rfc3339(day(3)));
        assert_eq!(body["rows"][0]["purl"], "pkg:npm/lodash@4.17.20");
        // A token for staging sees staging only.
        let body = exposure(day(4), "staging-reader");
        assert_eq!(exposure_rows(&body), [row("staging", "1.1.0", false)]);
        assert_eq!(body["exposed"], 1);
        // Day 9: prod runs the fix. Day 1: nothing vulnerable ran.
        let body = exposure(day(9), "reader");
        assert_eq!(exposure_rows(&body), [row("staging", "1.1.0", false)]);
        let body = exposure(day(1) + Duration::hours(12), "reader");
        assert_eq!(exposure_rows(&body), []);
        assert_eq!(body["exposed"], 0);

        // VEX on day 10 rules staging out from then on; day 4 stays as it was.
        let (s, _) = api.post_vex("triager", "application/json", OPENVEX.as_bytes());
        assert_eq!(s, StatusCode::CREATED);
        let body = exposure(day(10), "reader");
        assert_eq!(
            exposure_rows(&body),
            [row("staging", "1.1.0", true)],
            "{name}"
        );
        assert_eq!(body["rows"][0]["triage"], "not_affected");
        assert_eq!(body["exposed"], 0);
        let body = exposure(day(4), "reader");
        assert_eq!(body["exposed"], 2, "{name}: {body}");

        // An offset is taken and converted.
        let (s, body) = api.get(
            "/api/v1/advisories/GHSA-35jh-r3h4-6jhm/exposure?at=2026-03-05T02:00:00%2B02:00",
            "reader",
        );
        assert_eq!(s, StatusCode::OK, "{name}: {body}");
        assert_eq!(body["at"], "2026-03-05T00:00:00Z");

        for (query, status) in [
            (
                "CVE-2021-23337/exposure?at=yesterday",
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                "CVE-2021-23337/exposure?at=10000-01-01T00:00:00Z",
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            ("CVE-2021-23337/exposure", StatusCode::BAD_REQUEST),
            (
                "CVE-0000-0000/exposure?at=2026-03-04T00:00:00Z",
                StatusCode::NOT_FOUND,
            ),
        ] {
            let (s, body) = api.get(&format!("/api/v1/advisories/{query}"), "reader");
            assert_eq!(s, status, "{name} {query}: {body}");
        }
        let (s, _) = api.get(
            "/api/v1/advisories/CVE-2021-23337/exposure?at=2026-03-04T00:00:00Z",
            "no-such-token",
        );
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
}

#[test]
fn root_cause_names_the_releases_and_the_windows() {
    for t in stores("api_root_cause") {
        let name = t.name();
        let api = Api::new(t, |_| {});
        api.timeline();
        let (s, body) = api.get("/api/v1/advisories/CVE-2021-23337/root-cause", "reader");
        assert_eq!(s, StatusCode::OK, "{name}: {body}");
        assert_eq!(body["query"], "CVE-2021-23337");
        let origins = body["origins"].as_array().unwrap();
        assert_eq!(origins.len(), 1, "{name}: {body}");
        let o = &origins[0];
        assert_eq!(o["service"], "checkout");
        assert_eq!(o["advisory_id"], "GHSA-35jh-r3h4-6jhm");
        assert_eq!(o["purl"], "pkg:npm/lodash@4.17.20");
        assert_eq!(o["package"], "pkg:npm/lodash");
        assert_eq!(
            (
                &o["entered"]["version"],
                &o["entered"]["commit"],
                &o["entered"]["recorded_at"]
            ),
            (&json!("1.1.0"), &json!("c2"), &json!(rfc3339(day(2))))
        );
        assert_eq!(
            (&o["left"]["version"], &o["left"]["commit"]),
            (&json!("1.3.0"), &json!("c4"))
        );
        assert_eq!(o["replaced_by"], json!(["pkg:npm/lodash@4.17.21"]));
        assert_eq!(
            o["windows"],
            json!([
                {"environment": "prod", "from": rfc3339(day(3)), "to": rfc3339(day(8)),
                 "releases": ["1.1.0"]},
                {"environment": "staging", "from": rfc3339(day(2)), "to": null,
                 "releases": ["1.1.0"]},
            ]),
            "{name}"
        );
        // One service; a token for staging sees its windows only.
        let (s, body) = api.get(
            "/api/v1/advisories/GHSA-35jh-r3h4-6jhm/root-cause?service=checkout",
            "staging-reader",
        );
        assert_eq!(s, StatusCode::OK, "{name}: {body}");
        assert_eq!(
            body["origins"][0]["windows"],
            json!([{"environment": "staging", "from": rfc3339(day(2)), "to": null,
                    "releases": ["1.1.0"]}])
        );
        // A service without the finding: no origins.
        let (s, body) = api.get(
            "/api/v1/advisories/CVE-2021-23337/root-cause?service=cart",
            "reader",
        );
        assert_eq!(s, StatusCode::OK, "{name}: {body}");
        assert_eq!(body["origins"], json!([]));

        for (path, status) in [
            (
                "CVE-2021-23337/root-cause?service=nope",
                StatusCode::NOT_FOUND,
            ),
            ("CVE-0000-0000/root-cause", StatusCode::NOT_FOUND),
            ("CVE-2021-23337/root-cause?team=x", StatusCode::BAD_REQUEST),
        ] {
            let (s, body) = api.get(&format!("/api/v1/advisories/{path}"), "reader");
            assert_eq!(s, status, "{name} {path}: {body}");
        }
        let (s, _) = api.get("/api/v1/advisories/CVE-2021-23337/root-cause", "nobody");
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
}

#[test]
fn patterns_rank_packages_ecosystems_and_teams() {
    for t in stores("api_patterns") {
        let name = t.name();
        let api = Api::new(t, |_| {});
        api.timeline();
        let (s, body) = api.get("/api/v1/patterns", "reader");
        assert_eq!(s, StatusCode::OK, "{name}: {body}");
        // Two findings: lodash in checkout 1.1.0, qs in cart 1.0.0.
        assert_eq!(body["total"]["findings"], 2, "{name}: {body}");
        assert_eq!(body["total"]["introductions"], 2);
        assert_eq!(body["total"]["services"], 2);
        assert_eq!(body["total"]["max_severity"], "critical");
        let packages: Vec<(&str, &str, u64, &str)> = body["packages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["ecosystem"].as_str().unwrap(),
                    p["package"].as_str().unwrap(),
                    p["introductions"].as_u64().unwrap(),
                    p["max_severity"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            packages,
            [("npm", "lodash", 1, "high"), ("npm", "qs", 1, "critical")],
            "{name}: {body}"
        );
        assert_eq!(body["ecosystems"][0]["ecosystem"], "npm");
        assert_eq!(body["ecosystems"][0]["introductions"], 2);
        assert_eq!(body["teams"][0]["team"], "payments");
        assert_eq!(body["spread"].as_array().unwrap().len(), 2);

        let (s, body) = api.get("/api/v1/patterns?top=1", "reader");
        assert_eq!(s, StatusCode::OK, "{name}: {body}");
        assert_eq!(body["packages"].as_array().unwrap().len(), 1);
        assert_eq!(body["packages"][0]["package"], "lodash");
        assert_eq!(
            body["total"]["findings"], 2,
            "top does not change the total"
        );

        for query in ["?top=0", "?top=101", "?top=ten", "?bottom=3"] {
            let (s, body) = api.get(&format!("/api/v1/patterns{query}"), "reader");
            assert_eq!(s, StatusCode::BAD_REQUEST, "{name} {query}: {body}");
        }
        let (s, _) = api.get("/api/v1/patterns", "nobody");
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
}

#[test]
fn the_openapi_document_describes_the_new_operations() {
    let doc = serde_json::to_value(vigil_server::openapi::document()).unwrap();
    let paths = &doc["paths"];
    for (path, method, statuses) in [
        (
            "/api/v1/vex",
            "post",
            &["200", "201", "401", "403", "413", "415", "422"][..],
        ),
        ("/api/v1/vex", "get", &["200", "401", "404", "422"]),
        ("/api/v1/gate", "post", &["200", "401", "403", "404", "422"]),
        (
            "/api/v1/advisories/{id}/exposure",
            "get",
            &["200", "400", "404", "422"],
        ),
        ("/api/v1/advisories/{id}/root-cause", "get", &["200", "404"]),
        ("/api/v1/patterns", "get", &["200", "400"]),
    ] {
        let op = &paths[path][method];
        assert!(op.is_object(), "{method} {path} is not documented");
        for s in statuses {
            assert!(
                op["responses"][s].is_object(),
                "{method} {path} does not document {s}"
            );
        }
    }
    let vex_in = &paths["/api/v1/vex"]["post"]["requestBody"]["content"];
    for ct in [
        "application/json",
        "application/openvex+json",
        "application/vnd.cyclonedx+json",
        "application/vnd.cyclonedx+xml",
        "application/xml",
    ] {
        assert!(
            vex_in[ct].is_object(),
            "POST /api/v1/vex does not take {ct}"
        );
    }
    let vex_out = &paths["/api/v1/vex"]["get"]["responses"]["200"]["content"];
    assert!(vex_out["application/json"].is_object());
    assert!(vex_out["application/vnd.cyclonedx+json"].is_object());
}
