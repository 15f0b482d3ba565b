//! Signals from the running system over HTTP, on every backend: an inventory's drift,
//! file integrity changes, signals listed and triaged by role and environment, runtime
//! mappings, and the alerts they raise.
#![allow(clippy::unwrap_used, reason = "tests panic on failure by design")]

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::{Value, json};
use time::macros::datetime;
use tower::ServiceExt;
use vigil_engine::{DeployInput, Engine, FixedClock, ReleaseInput, ReleaseRef};
use vigil_server::auth::{self, Role};
use vigil_server::config::Config;
use vigil_server::{AppState, router};
use vigil_store::testing::{TestStore, stores};

struct Api {
    rt: tokio::runtime::Runtime,
    app: Router,
    tokens: std::collections::HashMap<&'static str, String>,
    _store: TestStore,
}

const DIGEST: &str = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

impl Api {
    fn new(t: TestStore) -> Api {
        let now = datetime!(2026-03-01 12:00 UTC);
        let clock = Arc::new(FixedClock::new(now));
        let mut engine = Engine::with_clock(t.reopen(), clock.clone());
        engine
            .add_release(&ReleaseInput {
                service: "checkout",
                version: "1.0.0",
                sbom: br#"{"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1, "components": []}"#,
                digests: vec![DIGEST.to_owned()],
                owner: Some("payments"),
                ..ReleaseInput::default()
            })
            .unwrap();
        engine
            .deploy(&DeployInput {
                environment: "production",
                release: ReleaseRef::Version {
                    service: "checkout",
                    version: "1.0.0",
                },
                actor: None,
                source: None,
                at: None,
            })
            .unwrap();
        let mut store = t.reopen();
        let mut tx = store.write().unwrap();
        let mut tokens = std::collections::HashMap::new();
        for (name, role, envs) in [
            ("admin", Role::Admin, None),
            ("publisher", Role::Publisher, None),
            ("triager", Role::Triager, None),
            ("reader", Role::Reader, None),
            ("staging", Role::Triager, Some(vec!["staging".to_owned()])),
            (
                "staging-admin",
                Role::Admin,
                Some(vec!["staging".to_owned()]),
            ),
        ] {
            tokens.insert(
                name,
                auth::create(&mut tx, name, role, envs, None, now)
                    .unwrap()
                    .token,
            );
        }
        tx.commit().unwrap();
        let mut config = Config::default();
        config.api.read_connections = 2;
        let state = AppState::new(config, t.location.clone(), clock, None).unwrap();
        Api {
            rt: tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap(),
            app: router(state),
            tokens,
            _store: t,
        }
    }

    fn call(
        &self,
        method: Method,
        path: &str,
        who: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = Request::builder().method(method).uri(path).header(
            header::AUTHORIZATION,
            format!("Bearer {}", self.tokens[who]),
        );
        let req = match body {
            Some(b) => {
                req = req.header(header::CONTENT_TYPE, "application/json");
                req.body(Body::from(serde_json::to_vec(&b).unwrap()))
            }
            None => req.body(Body::empty()),
        }
        .unwrap();
        self.send(req)
    }
}

#[test]
fn drift_fim_and_signal_triage_over_http() {
    for t in stores("api_signals") {
        let name = t.name();
        let api = Api::new(t);
        // An inventory as kubectl gives it: the recorded image, and one nobody recorded.
        let pods = json!({"apiVersion": "v1", "kind": "List", "items": [
            {"kind": "Pod", "metadata": {"name": "checkout-1", "namespace": "shop"},
             "spec": {"containers": [{"name": "app", "image": "r/checkout:1.0.0"}]},
             "status": {"containerStatuses": [{"name": "app", "imageID": format!("r/checkout@{DIGEST}")}]}},
            {"kind": "Pod", "metadata": {"name": "miner", "namespace": "shop"},
             "spec": {"containers": [{"name": "x", "image": "r/x@sha256:eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"}]}}]});
        let (s, body) = api.call(
            Method::POST,
            "/api/v1/inventory?environment=production",
            "reader",
            Some(pods.clone()),
        );
        assert_eq!(
            s,
            StatusCode::FORBIDDEN,
            "{name}: readers do not post inventories"
        );
        let (s, body2) = api.call(
            Method::POST,
            "/api/v1/inventory?environment=production",
            "publisher",
            Some(pods),
        );
        assert_eq!(s, StatusCode::OK, "{name}: {body} {body2}");
        assert_eq!(body2["matched"], 1);
        assert_eq!(
            body2["signals"]["opened"].as_array().unwrap().len(),
            1,
            "{body2}"
        );
        let (s, bad) = api.call(
            Method::POST,
            "/api/v1/inventory?environment=production",
            "publisher",
            Some(json!({"x": 1})),
        );
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        // File integrity changes.
        let (s, fim) = api.call(
            Method::POST,
            "/api/v1/fim/changes",
            "publisher",
            Some(json!({
            "environment": "production", "service": "checkout",
            "changes": [{"path": "bin/app", "change": "changed", "what": ["content"]},
                        {"path": "etc/app.conf", "change": "changed", "what": ["mode"]}]})),
        );
        assert_eq!(s, StatusCode::OK, "{name}: {fim}");
        assert_eq!(fim["release"], "1.0.0");
        let (s, list) = api.call(
            Method::GET,
            "/api/v1/signals?environment=production",
            "reader",
            None,
        );
        assert_eq!(s, StatusCode::OK);
        let items = list["items"].as_array().unwrap();
        assert_eq!(items.len(), 3, "{name}: {list}");
        assert_eq!(items[0]["severity"], "high", "{list}");
        assert!(items.iter().all(|i| i["due"].is_string()));
        let drift = items.iter().find(|i| i["kind"] == "drift").unwrap();
        // Scoped and read-only tokens cannot decide; a triager can.
        let id = drift["id"].as_i64().unwrap();
        let decision = json!({"status": "not_affected", "justification": "component_not_present"});
        let path = format!("/api/v1/signals/{id}/triage");
        assert_eq!(
            api.call(Method::POST, &path, "reader", Some(decision.clone()))
                .0,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            api.call(Method::POST, &path, "staging", Some(decision.clone()))
                .0,
            StatusCode::FORBIDDEN
        );
        let (s, bad) = api.call(
            Method::POST,
            &path,
            "triager",
            Some(json!({"status": "not_affected"})),
        );
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        let (s, done) = api.call(Method::POST, &path, "triager", Some(decision));
        assert_eq!(s, StatusCode::OK, "{name}: {done}");
        assert_eq!(done["resolution"], "not_affected");
        assert_eq!(done["decided_by"], "triager");
        assert_eq!(
            api.call(
                Method::POST,
                "/api/v1/signals/999999/triage",
                "triager",
                Some(json!({"status": "fixed"}))
            )
            .0,
            StatusCode::NOT_FOUND
        );
        let (_, list) = api.call(Method::GET, "/api/v1/signals", "staging", None);
        assert_eq!(
            list["items"].as_array().unwrap().len(),
            0,
            "{name}: not its environment"
        );
        // Alerts went to the outbox for the drift and the file changes.
        let (_, alerts) = api.call(Method::GET, "/api/v1/alerts", "reader", None);
        let kinds: Vec<&str> = alerts["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["kind"].as_str().unwrap())
            .collect();
        assert_eq!(
            kinds.iter().filter(|k| **k == "signal").count(),
            2,
            "{name}: {alerts}"
        );
        // Runtime mappings: admin only, and a known service.
        let mapping = json!({"kind": "hostname", "name": "node-7", "environment": "production", "service": "checkout"});
        assert_eq!(
            api.call(
                Method::PUT,
                "/api/v1/runtime/mappings",
                "publisher",
                Some(mapping.clone())
            )
            .0,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            api.call(
                Method::PUT,
                "/api/v1/runtime/mappings",
                "admin",
                Some(mapping.clone())
            )
            .0,
            StatusCode::OK
        );
        let unknown =
            json!({"kind": "label", "name": "x", "environment": "production", "service": "nope"});
        assert_eq!(
            api.call(
                Method::PUT,
                "/api/v1/runtime/mappings",
                "admin",
                Some(unknown)
            )
            .0,
            StatusCode::NOT_FOUND
        );
        let (_, maps) = api.call(Method::GET, "/api/v1/runtime/mappings", "reader", None);
        assert_eq!(maps, json!([mapping]), "{name}");
        // An admin limited to staging may not map into production, nor move or remove a
        // production mapping.
        let staged = json!({"kind": "hostname", "name": "node-7", "environment": "staging"});
        let into_production =
            json!({"kind": "hostname", "name": "node-8", "environment": "production"});
        for (method, path, body) in [
            (
                Method::PUT,
                "/api/v1/runtime/mappings",
                Some(into_production),
            ),
            (
                Method::PUT,
                "/api/v1/runtime/mappings",
                Some(staged.clone()),
            ),
            (
                Method::DELETE,
                "/api/v1/runtime/mappings/hostname/node-7",
                None,
            ),
        ] {
            let (s, body) = api.call(method.clone(), path, "staging-admin", body);
            assert_eq!(s, StatusCode::FORBIDDEN, "{name}: {method} {path}: {body}");
        }
        let (_, maps) = api.call(Method::GET, "/api/v1/runtime/mappings", "reader", None);
        assert_eq!(maps, json!([mapping]), "{name}: nothing changed");
        let (s, _) = api.call(
            Method::PUT,
            "/api/v1/runtime/mappings",
            "staging-admin",
            Some(json!({"kind": "hostname", "name": "node-9", "environment": "staging"})),
        );
        assert_eq!(s, StatusCode::OK, "{name}");
        let (s, _) = api.call(
            Method::DELETE,
            "/api/v1/runtime/mappings/hostname/node-9",
            "staging-admin",
            None,
        );
        assert_eq!(s, StatusCode::NO_CONTENT, "{name}");
        // Removing one: admin only, 404 when there is none, 400 for an unknown kind.
        let path = "/api/v1/runtime/mappings/hostname/node-7";
        assert_eq!(
            api.call(Method::DELETE, path, "publisher", None).0,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            api.call(
                Method::DELETE,
                "/api/v1/runtime/mappings/pod/node-7",
                "admin",
                None
            )
            .0,
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            api.call(Method::DELETE, path, "admin", None).0,
            StatusCode::NO_CONTENT
        );
        let (s, body) = api.call(Method::DELETE, path, "admin", None);
        assert_eq!(s, StatusCode::NOT_FOUND, "{name}: {body}");
        let (_, maps) = api.call(Method::GET, "/api/v1/runtime/mappings", "reader", None);
        assert_eq!(maps, json!([]), "{name}");
        let (s, _) = api.call(
            Method::GET,
            "/api/v1/runtime/alerts?limit=0",
            "reader",
            None,
        );
        assert_eq!(s, StatusCode::BAD_REQUEST);
    }
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../vigil-reports/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

impl Api {
    /// Sends a request; the store's clients are synchronous, so the router runs on a
    /// runtime of the test's own.
    fn send(&self, req: Request<Body>) -> (StatusCode, Value) {
        let resp = self.rt.block_on(self.app.clone().oneshot(req)).unwrap();
        let status = resp.status();
        let bytes = self
            .rt
            .block_on(axum::body::to_bytes(resp.into_body(), 1 << 24))
            .unwrap();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    fn post_raw(
        &self,
        path: &str,
        who: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> (StatusCode, Value) {
        let req = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(
                header::AUTHORIZATION,
                format!("Bearer {}", self.tokens[who]),
            )
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body))
            .unwrap();
        self.send(req)
    }
}

#[test]
fn scanner_reports_and_falco_alerts_over_http() {
    for t in stores("api_reports") {
        let name = t.name();
        let api = Api::new(t);
        // Real semgrep output (SARIF 2.1.0), recognised without format=.
        let path = "/api/v1/reports?environment=production&service=checkout";
        let sarif = fixture("semgrep-1.187-target.sarif");
        let (s, body) = api.post_raw(path, "publisher", "application/sarif+json", sarif.clone());
        assert_eq!(s, StatusCode::OK, "{name}: {body}");
        assert_eq!(body["kind"], "sarif");
        assert_eq!(body["release"], "1.0.0");
        assert_eq!(
            body["signals"]["opened"].as_array().unwrap().len(),
            4,
            "{body}"
        );
        // The same report again: kept, not duplicated.
        let (_, again) = api.post_raw(path, "publisher", "application/json", sarif);
        assert_eq!(
            again["signals"]["kept"].as_array().unwrap().len(),
            4,
            "{again}"
        );
        assert!(again["signals"]["opened"].as_array().unwrap().is_empty());
        let (s, zap) = api.post_raw(
            &format!("{path}&format=zap"),
            "publisher",
            "application/json",
            fixture("zap-2.15-report.json"),
        );
        assert_eq!(s, StatusCode::OK, "{zap}");
        let (s, bad) = api.post_raw(
            path,
            "publisher",
            "application/json",
            b"{\"hello\": 1}".to_vec(),
        );
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        let (s, _) = api.post_raw(
            &format!("{path}&format=nessus"),
            "publisher",
            "application/json",
            b"{}".to_vec(),
        );
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            api.post_raw(
                path,
                "reader",
                "application/json",
                fixture("zap-2.15-report.json")
            )
            .0,
            StatusCode::FORBIDDEN
        );
        let (_, list) = api.call(Method::GET, "/api/v1/signals?kind=sarif", "reader", None);
        assert_eq!(list["items"].as_array().unwrap().len(), 4, "{name}");
        // Falco: kept once per uuid; a token for one environment may not send them.
        let alert = fixture("falco/falco-0.38-shell-in-container.json");
        let (s, out) = api.post_raw(
            "/api/v1/runtime/falco",
            "publisher",
            "application/json",
            alert.clone(),
        );
        assert_eq!(s, StatusCode::OK, "{name}: {out}");
        assert_eq!(out[0]["stored"], true, "{out}");
        let (_, out) = api.post_raw(
            "/api/v1/runtime/falco",
            "publisher",
            "application/json",
            alert.clone(),
        );
        assert_eq!(out[0]["stored"], false, "{name}: the same uuid again");
        assert_eq!(
            api.post_raw(
                "/api/v1/runtime/falco",
                "staging",
                "application/json",
                alert
            )
            .0,
            StatusCode::FORBIDDEN
        );
        let (s, _) = api.post_raw(
            "/api/v1/runtime/falco",
            "publisher",
            "application/json",
            b"{\"rule\": 1}".to_vec(),
        );
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        let (_, alerts) = api.call(Method::GET, "/api/v1/runtime/alerts", "reader", None);
        assert_eq!(alerts.as_array().unwrap().len(), 1, "{name}: {alerts}");
    }
}
