//! The API at the router, without a socket, on every backend: authentication and every
//! role on every endpoint, the evidence loop through HTTP, errors in one JSON shape,
//! pagination, limits, and the OpenAPI document.
#![allow(clippy::unwrap_used, reason = "tests panic on failure by design")]

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::{Value, json};
use time::macros::datetime;
use tower::ServiceExt;
use vigil_engine::{AdvisoryInput, Engine, FixedClock};
use vigil_server::auth::{self, Role};
use vigil_server::config::Config;
use vigil_server::{AppState, router};
use vigil_store::testing::{TestStore, stores};

const ADVISORY: &str = r#"{"schema_version": "1.6.0", "id": "GHSA-35jh-r3h4-6jhm",
  "modified": "2024-01-01T00:00:00Z", "published": "2021-02-15T00:00:00Z",
  "aliases": ["CVE-2021-23337"], "summary": "Command injection in lodash",
  "database_specific": {"severity": "HIGH"},
  "affected": [{"package": {"ecosystem": "npm", "name": "lodash"},
    "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "4.17.21"}]}]}]}"#;

fn sbom(lodash: &str) -> Value {
    json!({"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
      "components": [{"type": "library", "name": "lodash", "version": lodash,
                      "purl": format!("pkg:npm/lodash@{lodash}")}]})
}

struct Api {
    rt: tokio::runtime::Runtime,
    app: Router,
    state: AppState,
    tokens: std::collections::HashMap<&'static str, String>,
    _store: TestStore,
}

impl Api {
    fn new(t: TestStore, tweak: impl FnOnce(&mut Config)) -> Api {
        let clock = Arc::new(FixedClock::new(datetime!(2026-03-01 12:00 UTC)));
        let mut store = t.reopen();
        let mut engine = Engine::with_clock(t.reopen(), clock.clone());
        let osv = vigil_osv::from_json(ADVISORY.as_bytes()).unwrap();
        engine
            .import_advisories(vec![AdvisoryInput {
                osv,
                json: ADVISORY.as_bytes().to_vec(),
                source: None,
            }])
            .unwrap();
        let mut tokens = std::collections::HashMap::new();
        let mut tx = store.write().unwrap();
        let now = datetime!(2026-03-01 12:00 UTC);
        for (name, role, envs) in [
            ("admin", Role::Admin, None),
            ("publisher", Role::Publisher, None),
            ("triager", Role::Triager, None),
            ("reader", Role::Reader, None),
            ("staging", Role::Publisher, Some(vec!["staging".to_owned()])),
        ] {
            let made = auth::create(&mut tx, name, role, envs, None, now).unwrap();
            tokens.insert(name, made.token);
        }
        tx.commit().unwrap();
        let mut config = Config::default();
        config.api.read_connections = 2;
        tweak(&mut config);
        let key = vigil_ledger::note::NoteSigner::generate("vigil-test").unwrap();
        let signer = vigil_engine::ledger::signer(key, None, std::time::Duration::ZERO);
        let state = AppState::new(config, t.location.clone(), clock, Some(signer)).unwrap();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        Api {
            rt,
            app: router(state.clone()),
            state,
            tokens,
            _store: t,
        }
    }

    /// Sends a request; the store's clients are synchronous, so tests drive the
    /// router from a runtime of their own rather than from inside one.
    fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        self.rt.block_on(self.call_async(method, path, token, body))
    }

    /// Posts the release `version` of checkout with lodash at `lodash`, as the publisher.
    fn post_release(&self, version: &str, lodash: &str) -> StatusCode {
        self.call(
            Method::POST,
            "/api/v1/releases",
            Some("publisher"),
            Some(release(version, lodash)),
        )
        .0
    }

    /// The rows of `affected` for the lodash advisory, asked with `query` by `token`.
    fn affected_rows(&self, query: &str, token: &str) -> Vec<(String, String, String, String)> {
        let (s, body) = self.call(
            Method::GET,
            &format!("/api/v1/affected/CVE-2021-23337{query}"),
            Some(token),
            None,
        );
        assert_eq!(s, StatusCode::OK, "{body}");
        rows(&body)
    }

    /// `vigil_affected_cache_lookups_total` with `result`, from `/metrics`.
    fn cache_lookups(&self, result: &str) -> u64 {
        let (_, metrics) = self.call(Method::GET, "/metrics", Some("reader"), None);
        let prefix = format!("vigil_affected_cache_lookups_total{{result=\"{result}\"}} ");
        metrics
            .as_str()
            .unwrap()
            .lines()
            .find_map(|l| l.strip_prefix(prefix.as_str()))
            .map_or(0, |n| n.trim().parse().unwrap())
    }

    fn send(&self, req: Request<Body>) -> axum::response::Response {
        self.rt.block_on(self.app.clone().oneshot(req)).unwrap()
    }

    async fn call_async(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            req = req.header(
                header::AUTHORIZATION,
                format!("Bearer {}", self.tokens.get(t).map_or(t, String::as_str)),
            );
        }
        let req = match body {
            Some(b) => req
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(serde_json::to_vec(&b).unwrap())),
            None => req.body(Body::empty()),
        }
        .unwrap();
        let resp = self.app.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let bytes = axum::body::to_bytes(resp.into_body(), 1 << 26)
            .await
            .unwrap();
        let value = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        (status, value)
    }
}

fn release(version: &str, lodash: &str) -> Value {
    json!({"service": "checkout", "version": version, "sbom": sbom(lodash), "owner": "payments",
           "digests": [format!("sha256:{}", vigil_engine::sha256(version.as_bytes()))]})
}

#[test]
fn the_evidence_loop_over_http() {
    for t in stores("api_loop") {
        let name = t.name();
        let api = Api::new(t, |_| {});
        let (s, body) = api.call(
            Method::POST,
            "/api/v1/releases",
            Some("publisher"),
            Some(release("1.0.0", "4.17.20")),
        );
        assert_eq!(s, StatusCode::CREATED, "{name}: {body}");
        assert_eq!(body["findings"], 1, "{name}: {body}");
        let id = body["release"]["id"].as_i64().unwrap();
        // The same release again changes nothing.
        let (s, body) = api.call(
            Method::POST,
            "/api/v1/releases",
            Some("publisher"),
            Some(release("1.0.0", "4.17.20")),
        );
        assert_eq!(s, StatusCode::OK, "{name}: {body}");
        assert_eq!(body["created"], false);
        // A different SBOM for a stored version is refused.
        let (s, body) = api.call(
            Method::POST,
            "/api/v1/releases",
            Some("publisher"),
            Some(release("1.0.0", "4.17.21")),
        );
        assert_eq!(s, StatusCode::CONFLICT, "{name}: {body}");
        assert_eq!(body["error"]["code"], "conflict");

        let (s, body) = api.call(
            Method::POST,
            "/api/v1/deployments",
            Some("publisher"),
            Some(json!({"environment": "production", "service": "checkout", "version": "1.0.0"})),
        );
        assert_eq!(s, StatusCode::CREATED, "{name}: {body}");
        assert_eq!(
            body["alerts"], 1,
            "{name}: a deployment of an affected release raises an alert: {body}"
        );

        let (s, body) = api.call(
            Method::GET,
            "/api/v1/affected/CVE-2021-23337",
            Some("reader"),
            None,
        );
        assert_eq!(s, StatusCode::OK, "{name}: {body}");
        assert_eq!(body["environments"], json!(["production"]));
        assert_eq!(body["services"], json!(["checkout"]));
        assert_eq!(body["findings"][0]["owner"], "payments");
        assert_eq!(body["findings"][0]["fixed"], "4.17.21");
        assert_eq!(body["advisories"][0]["id"], "GHSA-35jh-r3h4-6jhm");

        let (s, body) = api.call(
            Method::GET,
            &format!("/api/v1/releases/{id}"),
            Some("reader"),
            None,
        );
        assert_eq!(s, StatusCode::OK, "{name}: {body}");
        assert_eq!(body["findings"].as_array().unwrap().len(), 1);
        assert_eq!(body["running"][0]["environment"], "production");

        let (s, body) = api.call(
            Method::GET,
            "/api/v1/advisories/CVE-2021-23337",
            Some("reader"),
            None,
        );
        assert_eq!(s, StatusCode::OK, "{name}: {body}");
        assert_eq!(body["id"], "GHSA-35jh-r3h4-6jhm");
        assert_eq!(body["osv"]["summary"], "Command injection in lodash");

        let (s, body) = api.call(
            Method::GET,
            "/api/v1/findings?environment=production&min_severity=high",
            Some("reader"),
            None,
        );
        assert_eq!(s, StatusCode::OK, "{name}: {body}");
        assert_eq!(body["items"].as_array().unwrap().len(), 1);
        let (s, body) = api.call(
            Method::GET,
            "/api/v1/findings?min_severity=critical",
            Some("reader"),
            None,
        );
        assert_eq!(s, StatusCode::OK);
        assert_eq!(body["items"].as_array().unwrap().len(), 0, "{name}: {body}");
        let (s, body) = api.call(
            Method::GET,
            "/api/v1/findings?min_severity=severe",
            Some("reader"),
            None,
        );
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("critical, high"),
            "{body}"
        );

        let (s, body) = api.call(Method::GET, "/api/v1/alerts", Some("reader"), None);
        assert_eq!(s, StatusCode::OK, "{name}: {body}");
        assert_eq!(body["items"][0]["kind"], "deployment");
        assert_eq!(body["items"][0]["team"], "payments");
        assert_eq!(
            body["items"][0]["advisories"][0]["id"],
            "GHSA-35jh-r3h4-6jhm"
        );

        // The fixed release replaces it: the finding resolves.
        assert_eq!(api.post_release("1.0.1", "4.17.21"), StatusCode::CREATED);
        let (s, body) = api.call(
            Method::POST,
            "/api/v1/deployments",
            Some("publisher"),
            Some(json!({"environment": "production", "service": "checkout", "version": "1.0.1"})),
        );
        assert_eq!(s, StatusCode::CREATED, "{body}");
        assert_eq!(body["replaced"], "1.0.0");
        assert_eq!(body["alerts"], 0);
        let (_, body) = api.call(
            Method::GET,
            "/api/v1/affected/CVE-2021-23337",
            Some("reader"),
            None,
        );
        assert_eq!(
            body["findings"].as_array().unwrap().len(),
            0,
            "{name}: {body}"
        );

        let (s, body) = api.call(Method::GET, "/api/v1/status", Some("reader"), None);
        assert_eq!(s, StatusCode::OK);
        assert_eq!(body["counts"]["releases"], 2);
        let (s, body) = api.call(Method::GET, "/api/v1/environments", Some("reader"), None);
        assert_eq!(s, StatusCode::OK);
        assert_eq!(body[0]["running"][0]["version"], "1.0.1");
        let (s, body) = api.call(
            Method::GET,
            "/api/v1/services/checkout",
            Some("reader"),
            None,
        );
        assert_eq!(s, StatusCode::OK);
        assert_eq!(body["owner"], "payments");
        let (s, _) = api.call(Method::GET, "/api/v1/services/nope", Some("reader"), None);
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, body) = api.call(
            Method::GET,
            "/api/v1/deployments?page_size=1",
            Some("reader"),
            None,
        );
        assert_eq!(s, StatusCode::OK);
        assert_eq!(body["items"][0]["version"], "1.0.1");
        let next = body["next_page_token"].as_str().unwrap().to_owned();
        let (_, body) = api.call(
            Method::GET,
            &format!("/api/v1/deployments?page_size=1&page_token={next}"),
            Some("reader"),
            None,
        );
        assert_eq!(body["items"][0]["version"], "1.0.0");
        assert!(body["next_page_token"].is_null());

        let (s, body) = api.call(
            Method::POST,
            "/api/v1/undeployments",
            Some("publisher"),
            Some(json!({"environment": "production", "service": "checkout"})),
        );
        assert_eq!(s, StatusCode::CREATED, "{body}");
        let (s, body) = api.call(Method::GET, "/metrics", Some("reader"), None);
        assert_eq!(s, StatusCode::OK);
        let text = body.as_str().unwrap();
        for family in [
            "vigil_findings",
            "vigil_http_request_duration_seconds",
            "vigil_advisories ",
            "vigil_outbox_unrouted_alerts",
            "vigil_services_running",
        ] {
            assert!(
                text.contains(family),
                "{name}: /metrics lacks {family}:\n{text}"
            );
        }
    }
}

/// The findings' (environment, service, release, owner) in an answer of `affected`.
fn rows(body: &Value) -> Vec<(String, String, String, String)> {
    let text = |v: &Value| v.as_str().unwrap_or("-").to_owned();
    let mut rows: Vec<_> = body["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                text(&f["environment"]),
                text(&f["service"]),
                text(&f["release"]),
                text(&f["owner"]),
            )
        })
        .collect();
    rows.sort();
    rows
}

fn row(env: &str, release: &str, owner: &str) -> (String, String, String, String) {
    (env.into(), "checkout".into(), release.into(), owner.into())
}

#[test]
fn kept_answers_of_affected_follow_every_change() {
    for t in stores("api_answers") {
        let name = t.name();
        // Kept for an hour: each answer below that changes is the invalidation's doing.
        let api = Api::new(t, |c| c.api.affected_cache_max_age_ms = 3_600_000);
        let ask = |query: &str, token: &str| api.affected_rows(query, token);
        let post = |path: &str, body: Value| {
            let (s, r) = api.call(Method::POST, path, Some("admin"), Some(body));
            assert!(s.is_success(), "{name}: {path}: {r}");
        };
        let all = "?all_releases=true";
        post("/api/v1/releases", release("1.0.0", "4.17.20"));
        for _ in 0..2 {
            assert_eq!(ask("", "reader"), vec![], "{name}");
            assert_eq!(ask(all, "reader"), vec![row("-", "1.0.0", "payments")]);
        }
        // A new release runs nowhere: it changes the answer about every release only.
        post("/api/v1/releases", release("1.0.1", "4.17.20"));
        assert_eq!(ask("", "reader"), vec![], "{name}");
        assert_eq!(
            ask(all, "reader"),
            vec![row("-", "1.0.0", "payments"), row("-", "1.0.1", "payments")],
            "{name}"
        );
        // Deployments change what runs.
        post(
            "/api/v1/deployments",
            json!({"environment": "staging", "service": "checkout", "version": "1.0.1"}),
        );
        assert_eq!(ask("", "reader"), vec![row("staging", "1.0.1", "payments")]);
        post(
            "/api/v1/deployments",
            json!({"environment": "production", "service": "checkout", "version": "1.0.0"}),
        );
        let both = vec![
            row("production", "1.0.0", "payments"),
            row("staging", "1.0.1", "payments"),
        ];
        assert_eq!(ask("", "reader"), both, "{name}");
        // A token kept to staging sees staging only, though a wider answer is kept.
        assert_eq!(
            ask("", "staging"),
            vec![row("staging", "1.0.1", "payments")],
            "{name}"
        );
        assert_eq!(ask("", "reader"), both, "{name}");
        // The same release posted with another owner changes every answer naming it.
        let mut again = release("1.0.1", "4.17.20");
        again["owner"] = json!("storefront");
        post("/api/v1/releases", again);
        assert_eq!(
            ask("", "reader"),
            vec![
                row("production", "1.0.0", "storefront"),
                row("staging", "1.0.1", "storefront")
            ],
            "{name}"
        );
        post(
            "/api/v1/undeployments",
            json!({"environment": "production", "service": "checkout"}),
        );
        assert_eq!(
            ask("", "reader"),
            vec![row("staging", "1.0.1", "storefront")]
        );
        // A fixed release, with no finding of its own, replaces the affected one.
        let mut fixed = release("1.0.2", "4.17.21");
        fixed["owner"] = json!("storefront");
        post("/api/v1/releases", fixed);
        post(
            "/api/v1/deployments",
            json!({"environment": "staging", "service": "checkout", "version": "1.0.2"}),
        );
        assert_eq!(ask("", "reader"), vec![], "{name}");
        let (_, metrics) = api.call(Method::GET, "/metrics", Some("reader"), None);
        let metrics = metrics.as_str().unwrap();
        for line in [
            "vigil_affected_cache_lookups_total{result=\"hit\"}",
            "vigil_affected_cache_lookups_total{result=\"miss\"}",
            "vigil_affected_cache_bytes",
        ] {
            assert!(metrics.contains(line), "{name}: no {line}:\n{metrics}");
        }
    }
}

#[test]
fn a_write_the_server_cannot_hear_of_shows_once_the_answer_is_old() {
    for t in stores("api_answer_age") {
        let name = t.name();
        let location = t.location.clone();
        let api = Api::new(t, |c| c.api.affected_cache_max_age_ms = 200);
        assert_eq!(api.post_release("1.0.0", "4.17.20"), StatusCode::CREATED);
        let ask = || api.affected_rows("", "reader");
        assert_eq!(ask(), vec![], "{name}");
        let misses = api.cache_lookups("miss");
        assert_eq!(ask(), vec![], "{name}");
        assert_eq!(
            api.cache_lookups("miss"),
            misses,
            "{name}: the answer was kept"
        );
        // Another process deploys, as `vigil deploy` would on the same store.
        let mut other = Engine::new(vigil_store::Store::open(&location).unwrap());
        other
            .deploy(&vigil_engine::DeployInput {
                environment: "production",
                release: vigil_engine::ReleaseRef::Version {
                    service: "checkout",
                    version: "1.0.0",
                },
                at: None,
                actor: None,
                source: None,
            })
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(400));
        assert_eq!(
            ask(),
            vec![row("production", "1.0.0", "payments")],
            "{name}"
        );
        assert_eq!(api.cache_lookups("miss"), misses + 1, "{name}");
    }
}

#[test]
fn every_endpoint_needs_a_token_and_the_right_role() {
    let t = stores("api_roles").into_iter().next().unwrap();
    let api = Api::new(t, |_| {});
    let (s, _) = api.call(
        Method::POST,
        "/api/v1/releases",
        Some("admin"),
        Some(release("1.0.0", "4.17.20")),
    );
    assert_eq!(s, StatusCode::CREATED);
    let dep = json!({"environment": "production", "service": "checkout", "version": "1.0.0"});
    let undep = json!({"environment": "production", "service": "checkout"});
    let argo = json!({"app": {"metadata": {"name": "checkout"}, "spec": {"destination": {"namespace": "production"}},
                              "status": {"summary": {"images": ["registry.example/checkout:1.0.0"]}}}});
    // (method, path, body, what it needs)
    let read = ["admin", "publisher", "triager", "reader"];
    let publish = ["admin", "publisher"];
    let admin = ["admin"];
    let triage = ["admin", "triager"];
    let endpoints: Vec<(Method, String, Option<Value>, &[&str])> = vec![
        (Method::GET, "/api/v1/triage".into(), None, &read),
        (
            Method::POST,
            "/api/v1/triage".into(),
            Some(json!({"vulnerability": "CVE-2021-23337", "status": "under_investigation"})),
            &triage,
        ),
        (Method::GET, "/api/v1/teams".into(), None, &read),
        (
            Method::PUT,
            "/api/v1/teams/payments".into(),
            Some(json!({"title": "Payments"})),
            &admin,
        ),
        (
            Method::PUT,
            "/api/v1/services/checkout/owner".into(),
            Some(json!({"team": "payments"})),
            &admin,
        ),
        (
            Method::PUT,
            "/api/v1/environments/production/policy".into(),
            Some(json!({"sla": "high=14"})),
            &admin,
        ),
        (Method::GET, "/api/v1/metrics".into(), None, &read),
        (Method::GET, "/api/v1/releases".into(), None, &read),
        (Method::GET, "/api/v1/releases/1".into(), None, &read),
        (
            Method::POST,
            "/api/v1/releases".into(),
            Some(release("2.0.0", "4.17.20")),
            &publish,
        ),
        (Method::GET, "/api/v1/deployments".into(), None, &read),
        (
            Method::POST,
            "/api/v1/deployments".into(),
            Some(dep),
            &publish,
        ),
        (
            Method::POST,
            "/api/v1/deployments/argocd".into(),
            Some(argo),
            &publish,
        ),
        (
            Method::POST,
            "/api/v1/undeployments".into(),
            Some(undep),
            &publish,
        ),
        (Method::GET, "/api/v1/environments".into(), None, &read),
        (Method::GET, "/api/v1/services".into(), None, &read),
        (Method::GET, "/api/v1/services/checkout".into(), None, &read),
        (
            Method::GET,
            "/api/v1/advisories/CVE-2021-23337".into(),
            None,
            &read,
        ),
        (
            Method::GET,
            "/api/v1/affected/CVE-2021-23337".into(),
            None,
            &read,
        ),
        (Method::GET, "/api/v1/findings".into(), None, &read),
        (Method::GET, "/api/v1/status".into(), None, &read),
        (Method::GET, "/api/v1/feeds".into(), None, &read),
        (Method::GET, "/api/v1/alerts".into(), None, &read),
        (Method::GET, "/api/v1/openapi.json".into(), None, &read),
        (Method::GET, "/metrics".into(), None, &read),
        (Method::GET, "/api/v1/tokens".into(), None, &admin),
        (
            Method::POST,
            "/api/v1/tokens".into(),
            Some(json!({"name": "x", "role": "reader"})),
            &admin,
        ),
    ];
    for (method, path, body, allowed) in &endpoints {
        let (s, b) = api.call(method.clone(), path, None, body.clone());
        assert_eq!(
            s,
            StatusCode::UNAUTHORIZED,
            "{method} {path} without a token: {b}"
        );
        assert_eq!(b["error"]["code"], "unauthorized");
        let (s, _) = api.call(
            method.clone(),
            path,
            Some("vigil_not-a-token"),
            body.clone(),
        );
        assert_eq!(
            s,
            StatusCode::UNAUTHORIZED,
            "{method} {path} with an unknown token"
        );
        for role in ["admin", "publisher", "triager", "reader"] {
            let (s, b) = api.call(method.clone(), path, Some(role), body.clone());
            if allowed.contains(&role) {
                // Allowed: it runs (an undeploy repeated finds nothing to undeploy).
                assert!(
                    s.is_success() || (role != allowed[0] && s == StatusCode::NOT_FOUND),
                    "{method} {path} as {role}: {s} {b}"
                );
            } else {
                assert_eq!(s, StatusCode::FORBIDDEN, "{method} {path} as {role}: {b}");
                assert!(
                    b["error"]["message"].as_str().unwrap().contains(role),
                    "{b}"
                );
            }
        }
    }
    // Health needs no token.
    for path in ["/healthz", "/readyz"] {
        let (s, _) = api.call(Method::GET, path, None, None);
        assert_eq!(s, StatusCode::OK, "{path}");
    }
    // A token limited to staging may not deploy to production.
    let (s, b) = api.call(
        Method::POST,
        "/api/v1/deployments",
        Some("staging"),
        Some(json!({"environment": "production", "service": "checkout", "version": "1.0.0"})),
    );
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    let (s, b) = api.call(
        Method::POST,
        "/api/v1/deployments",
        Some("staging"),
        Some(json!({"environment": "staging", "service": "checkout", "version": "1.0.0"})),
    );
    assert_eq!(s, StatusCode::CREATED, "{b}");
    // A release's detail names to a token limited to staging only where it runs there.
    let (s, b) = api.call(
        Method::POST,
        "/api/v1/deployments",
        Some("admin"),
        Some(json!({"environment": "production", "service": "checkout", "version": "1.0.0"})),
    );
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let envs = |b: &Value| -> Vec<String> {
        b["running"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["environment"].as_str().unwrap().to_owned())
            .collect()
    };
    let mut hidden = 0;
    for id in 1..=4 {
        let path = format!("/api/v1/releases/{id}");
        let (s, all) = api.call(Method::GET, &path, Some("admin"), None);
        if s != StatusCode::OK {
            continue;
        }
        let (s, some) = api.call(Method::GET, &path, Some("staging"), None);
        assert_eq!(s, StatusCode::OK, "{some}");
        assert!(envs(&some).iter().all(|e| e == "staging"), "{some}");
        assert_eq!(some["findings"], all["findings"], "{path}");
        hidden += envs(&all).len() - envs(&some).len();
    }
    assert!(hidden > 0, "no release ran outside staging to check");
    // Revoking works at once.
    let (_, list) = api.call(Method::GET, "/api/v1/tokens", Some("admin"), None);
    let reader_id = list
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "reader")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (s, b) = api.call(
        Method::DELETE,
        &format!("/api/v1/tokens/{reader_id}"),
        Some("admin"),
        None,
    );
    assert_eq!(s, StatusCode::OK, "{b}");
    assert!(b["revoked_at"].is_string());
    let (s, _) = api.call(Method::GET, "/api/v1/status", Some("reader"), None);
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    // A created token works, and its secret is never listed.
    let (s, made) = api.call(
        Method::POST,
        "/api/v1/tokens",
        Some("admin"),
        Some(json!({"name": "ci", "role": "publisher", "environments": ["qa"]})),
    );
    assert_eq!(s, StatusCode::CREATED);
    let secret = made["token"].as_str().unwrap().to_owned();
    let (s, _) = api.call(Method::GET, "/api/v1/status", Some(&secret), None);
    assert_eq!(s, StatusCode::OK);
    let (_, list) = api.call(Method::GET, "/api/v1/tokens", Some("admin"), None);
    assert!(!list.to_string().contains(&secret));
    let _ = &api.state;
}

#[test]
fn bad_requests_say_what_to_fix() {
    let t = stores("api_errors").into_iter().next().unwrap();
    let api = Api::new(t, |c| {
        c.api.max_body_bytes = 4096;
        c.api.rate_limit_per_second = 1;
        c.api.rate_limit_burst = 30;
    });
    let (s, b) = api.call(Method::GET, "/api/v1/nothing", Some("reader"), None);
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(b["error"]["code"], "not_found");
    let (s, b) = api.call(
        Method::POST,
        "/api/v1/deployments",
        Some("publisher"),
        Some(json!({"environment": "x"})),
    );
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    assert!(
        b["error"]["message"]
            .as_str()
            .unwrap()
            .contains("service and version"),
        "{b}"
    );
    let (s, b) = api.call(
        Method::POST,
        "/api/v1/deployments",
        Some("publisher"),
        Some(json!({"environment": "x", "colour": 1})),
    );
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(
        b["error"]["message"].as_str().unwrap().contains("colour"),
        "{b}"
    );
    let (s, b) = api.call(
        Method::POST,
        "/api/v1/deployments",
        Some("publisher"),
        Some(json!({"environment": "x", "service": "nope", "version": "1"})),
    );
    assert_eq!(s, StatusCode::NOT_FOUND, "{b}");
    let (s, b) = api.call(
        Method::GET,
        "/api/v1/releases?page_size=0",
        Some("reader"),
        None,
    );
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    let (s, b) = api.call(
        Method::GET,
        "/api/v1/releases?page_token=zz",
        Some("reader"),
        None,
    );
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    let (s, b) = api.call(Method::GET, "/api/v1/releases/abc", Some("reader"), None);
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    let (s, b) = api.call(
        Method::GET,
        "/api/v1/affected/CVE-0000-0000",
        Some("reader"),
        None,
    );
    assert_eq!(s, StatusCode::NOT_FOUND, "{b}");
    // Over the body limit.
    let big = release("9.9.9", &"1".repeat(5000));
    let (s, b) = api.call(
        Method::POST,
        "/api/v1/releases",
        Some("publisher"),
        Some(big),
    );
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{b}");
    // An SBOM that is not one.
    let (s, b) = api.call(
        Method::POST,
        "/api/v1/releases",
        Some("publisher"),
        Some(json!({"service": "s", "version": "1", "sbom": {"hello": 1}})),
    );
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    // The rate limit: a burst of 30, then 429 with Retry-After.
    let mut limited = false;
    for _ in 0..40 {
        let (s, b) = api.call(Method::GET, "/api/v1/status", Some("triager"), None);
        if s == StatusCode::TOO_MANY_REQUESTS {
            assert_eq!(b["error"]["code"], "rate_limited");
            limited = true;
            break;
        }
    }
    assert!(limited, "40 requests in a burst of 30 hit no limit");
    // Other tokens are not limited by it.
    let (s, _) = api.call(Method::GET, "/api/v1/status", Some("reader"), None);
    assert_eq!(s, StatusCode::OK);
}

#[test]
fn multipart_and_argocd() {
    let t = stores("api_forms").into_iter().next().unwrap();
    let api = Api::new(t, |_| {});
    let boundary = "XyZ";
    let sbom = serde_json::to_string(&sbom("4.17.20")).unwrap();
    let digest = format!("sha256:{}", "b".repeat(64));
    let form = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"service\"\r\n\r\ncheckout\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"version\"\r\n\r\n3.0.0\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"digest\"\r\n\r\n{digest}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"sbom\"; filename=\"bom.json\"\r\nContent-Type: application/json\r\n\r\n{sbom}\r\n\
         --{boundary}--\r\n"
    );
    let req = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/releases")
        .header(
            header::AUTHORIZATION,
            format!("Bearer {}", api.tokens["publisher"]),
        )
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(form))
        .unwrap();
    let resp = api.send(req);
    assert_eq!(resp.status(), StatusCode::CREATED);
    // Argo CD names the image by digest: the release is found by it.
    let argo = json!({"app": {"metadata": {"name": "checkout-app", "annotations": {"vigil.dev/service": "checkout", "vigil.dev/environment": "production"}},
        "spec": {"destination": {"namespace": "prod-ns"}},
        "status": {"summary": {"images": [format!("registry.example/checkout@{digest}")]},
                   "operationState": {"finishedAt": "2026-03-01T11:00:00Z"}}}});
    let (s, b) = api.call(
        Method::POST,
        "/api/v1/deployments/argocd",
        Some("publisher"),
        Some(argo),
    );
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["environment"], "production");
    assert_eq!(b["version"], "3.0.0");
    assert_eq!(b["at"], "2026-03-01T11:00:00Z");
    let (_, log) = api.call(Method::GET, "/api/v1/deployments", Some("reader"), None);
    assert_eq!(log["items"][0]["source"], "argocd");
    // A plain text body is refused with the forms that work.
    let req = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/releases")
        .header(
            header::AUTHORIZATION,
            format!("Bearer {}", api.tokens["publisher"]),
        )
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from("hello"))
        .unwrap();
    let resp = api.send(req);
    assert_eq!(resp.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[test]
fn the_openapi_document_covers_every_route() {
    let doc = serde_json::to_value(vigil_server::openapi::document()).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/api/v1/releases",
        "/api/v1/releases/{id}",
        "/api/v1/deployments",
        "/api/v1/deployments/argocd",
        "/api/v1/undeployments",
        "/api/v1/environments",
        "/api/v1/services",
        "/api/v1/services/{name}",
        "/api/v1/advisories/{id}",
        "/api/v1/affected/{id}",
        "/api/v1/findings",
        "/api/v1/status",
        "/api/v1/feeds",
        "/api/v1/alerts",
        "/api/v1/tokens",
        "/api/v1/tokens/{id}",
        "/api/v1/ledger/checkpoint",
        "/api/v1/ledger/proof/inclusion",
        "/api/v1/ledger/proof/event",
        "/api/v1/ledger/proof/consistency",
        "/api/v1/services/{name}/keys",
        "/api/v1/services/{name}/keys/{fingerprint}",
        "/api/v1/services/{name}/diff",
        "/api/v1/environments/{name}/policy",
        "/api/v1/triage",
        "/api/v1/triage/{id}",
        "/api/v1/teams",
        "/api/v1/teams/{name}",
        "/api/v1/services/{name}/owner",
        "/api/v1/catalog/backstage",
        "/api/v1/metrics",
        "/healthz",
        "/readyz",
    ] {
        assert!(paths.contains_key(p), "the document lacks {p}");
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    assert!(doc["paths"]["/api/v1/findings"]["get"]["responses"]["401"].is_object());
}

/// What schemathesis (scripts/api-conformance) found where the document and the
/// handlers disagreed: each request here is one the document allows.
#[test]
fn requests_the_document_allows_are_accepted() {
    let t = stores("api_schema").into_iter().next().unwrap();
    let api = Api::new(t, |c| c.api.max_page_size = 50);
    // The served document bounds page_size by this server's limit, and it holds.
    let (s, doc) = api.call(Method::GET, "/api/v1/openapi.json", Some("reader"), None);
    assert_eq!(s, StatusCode::OK);
    let params = doc["paths"]["/api/v1/releases"]["get"]["parameters"]
        .as_array()
        .unwrap();
    let page_size = params.iter().find(|p| p["name"] == "page_size").unwrap();
    assert_eq!(page_size["schema"]["minimum"], 1);
    assert_eq!(page_size["schema"]["maximum"], 50);
    let (s, _) = api.call(
        Method::GET,
        "/api/v1/releases?page_size=50",
        Some("reader"),
        None,
    );
    assert_eq!(s, StatusCode::OK);
    let (s, _) = api.call(
        Method::GET,
        "/api/v1/releases?page_size=51",
        Some("reader"),
        None,
    );
    assert_eq!(s, StatusCode::BAD_REQUEST);
    // A job that failed or still runs has no summary.
    let summary = &doc["components"]["schemas"]["JobView"]["properties"]["summary"];
    assert_eq!(summary["type"], json!(["object", "null"]), "{summary}");
    // A token name is limited in characters, not bytes.
    let (s, b) = api.call(
        Method::POST,
        "/api/v1/tokens",
        Some("admin"),
        Some(json!({"name": "é".repeat(200), "role": "reader", "environments": ["ü".repeat(200)]})),
    );
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let (s, b) = api.call(
        Method::POST,
        "/api/v1/tokens",
        Some("admin"),
        Some(json!({"name": "é".repeat(201), "role": "reader"})),
    );
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    // An Application that names no environment is well-formed JSON the server cannot
    // use: 422, which the document lists, not 400.
    let (s, b) = api.call(
        Method::POST,
        "/api/v1/deployments/argocd",
        Some("publisher"),
        Some(json!({"app": {"metadata": {"name": "checkout"}}})),
    );
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(b["error"]["code"], "unprocessable");
    // A time that is in the year 10000 in UTC was a panic, and one in the year -1 was
    // stored as `-001-12-31…`: both are outside the documented years 0001 to 9998.
    for at in ["9999-12-31T23:59:59-23:59", "0000-01-01T00:00:00+01:00"] {
        let (s, b) = api.call(
            Method::POST,
            "/api/v1/deployments",
            Some("publisher"),
            Some(json!({"environment": "x", "service": "nope", "version": "1", "at": at})),
        );
        assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
        assert!(
            b["error"]["message"]
                .as_str()
                .unwrap()
                .contains("0001 to 9998"),
            "{b}"
        );
    }
}

#[test]
fn the_osv_api_answers_as_osv_dev_and_is_closed_by_default() {
    for public in [false, true] {
        let t = stores("api_osv").into_iter().next().unwrap();
        let api = Api::new(t, |c| c.osv_api.public = public);
        let q = json!({"package": {"name": "lodash", "ecosystem": "npm"}, "version": "4.17.20"});
        let (s, b) = api.call(Method::POST, "/v1/query", None, Some(q.clone()));
        if public {
            assert_eq!(s, StatusCode::OK, "{b}");
            assert_eq!(b["vulns"][0]["id"], "GHSA-35jh-r3h4-6jhm");
        } else {
            assert_eq!(s, StatusCode::UNAUTHORIZED, "{b}");
            let (s, b) = api.call(Method::POST, "/v1/query", Some("reader"), Some(q));
            assert_eq!(s, StatusCode::OK, "{b}");
            assert_eq!(b["vulns"][0]["id"], "GHSA-35jh-r3h4-6jhm");
        }
        let token = (!public).then_some("reader");
        // A fixed version: nothing, as an empty object.
        let (s, b) = api.call(
            Method::POST,
            "/v1/query",
            token,
            Some(json!({"package": {"purl": "pkg:npm/lodash@4.17.21"}})),
        );
        assert_eq!(s, StatusCode::OK);
        assert_eq!(b, json!({}));
        let (s, b) = api.call(Method::POST, "/v1/querybatch", token,
            Some(json!({"queries": [{"package": {"name": "lodash", "ecosystem": "npm"}, "version": "4.0.0"}, {"package": {"name": "left-pad", "ecosystem": "npm"}, "version": "1.0.0"}]})));
        assert_eq!(s, StatusCode::OK, "{b}");
        assert_eq!(b["results"][0]["vulns"][0]["id"], "GHSA-35jh-r3h4-6jhm");
        assert_eq!(
            b["results"][0]["vulns"][0]["modified"],
            "2024-01-01T00:00:00Z"
        );
        assert_eq!(b["results"][1], json!({}));
        let (s, b) = api.call(Method::GET, "/v1/vulns/GHSA-35jh-r3h4-6jhm", token, None);
        assert_eq!(s, StatusCode::OK);
        assert_eq!(b["aliases"][0], "CVE-2021-23337");
        let (s, b) = api.call(Method::GET, "/v1/vulns/GHSA-0000-0000-0000", token, None);
        assert_eq!(s, StatusCode::NOT_FOUND);
        assert_eq!(b["code"], 5);
        let (s, b) = api.call(
            Method::POST,
            "/v1/query",
            token,
            Some(json!({"version": "1.0"})),
        );
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert_eq!(b["code"], 3, "{b}");
        // Never the portfolio without a token.
        let (s, _) = api.call(Method::GET, "/api/v1/findings", None, None);
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
}

#[test]
fn a_nul_character_is_an_input_error_on_every_backend() {
    for t in stores("api_nul") {
        let name = t.name();
        let api = Api::new(t, |_| {});
        for path in [
            "/api/v1/services/a%00b",
            "/api/v1/advisories/CVE-1%00",
            "/api/v1/findings?environment=p%00",
        ] {
            let (s, b) = api.call(Method::GET, path, Some("reader"), None);
            assert!(s.is_client_error(), "{name}: GET {path}: {s} {b}");
        }
        let (s, b) = api.call(
            Method::POST,
            "/api/v1/undeployments",
            Some("publisher"),
            Some(json!({"environment": "prod\u{0}", "service": "x"})),
        );
        assert!(s.is_client_error(), "{name}: {s} {b}");
        let (s, b) = api.call(
            Method::POST,
            "/v1/query",
            Some("reader"),
            Some(json!({"package": {"name": "lo\u{0}dash", "ecosystem": "npm"}, "version": "1"})),
        );
        assert!(s.is_client_error(), "{name}: OSV query: {s} {b}");
    }
}

fn hash(hex_text: &Value) -> [u8; 32] {
    hex::decode(hex_text.as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap()
}

#[test]
fn the_ledger_proves_events_over_http() {
    for t in stores("api_ledger") {
        let name = t.name();
        let api = Api::new(t, |_| {});
        assert_eq!(api.post_release("1.0.0", "4.17.20"), StatusCode::CREATED);
        let (s, first) = api.call(
            Method::GET,
            "/api/v1/ledger/checkpoint",
            Some("reader"),
            None,
        );
        assert_eq!(s, StatusCode::OK, "{name}: {first}");
        assert_eq!(api.post_release("1.1.0", "4.17.21"), StatusCode::CREATED);
        let (s, cp) = api.call(
            Method::GET,
            "/api/v1/ledger/checkpoint",
            Some("reader"),
            None,
        );
        assert_eq!(s, StatusCode::OK, "{name}: {cp}");
        // The note's text is a C2SP checkpoint of the size and root the API states.
        let note = cp["note"].as_str().unwrap();
        let body = note.split("\n\n").next().unwrap().to_owned() + "\n";
        let parsed = vigil_ledger::checkpoint::Checkpoint::parse(&body).unwrap();
        assert_eq!(parsed.size, cp["size"].as_u64().unwrap(), "{name}");
        assert_eq!(parsed.root, hash(&cp["root"]), "{name}");

        let (s, proofs) = api.call(
            Method::GET,
            "/api/v1/ledger/proof/event?subject=release/checkout@1.0.0",
            Some("reader"),
            None,
        );
        assert_eq!(s, StatusCode::OK, "{name}: {proofs}");
        let proofs = proofs.as_array().unwrap();
        assert!(!proofs.is_empty());
        for p in proofs {
            let path: Vec<[u8; 32]> = p["proof"].as_array().unwrap().iter().map(hash).collect();
            let data = p["data"].as_str().unwrap();
            vigil_ledger::verify_inclusion(
                &vigil_ledger::leaf_hash(data.as_bytes()),
                p["index"].as_u64().unwrap(),
                parsed.size,
                &path,
                &parsed.root,
            )
            .unwrap();
        }
        let (s, c) = api.call(
            Method::GET,
            &format!(
                "/api/v1/ledger/proof/consistency?size1={}&size2={}",
                first["size"], cp["size"]
            ),
            Some("reader"),
            None,
        );
        assert_eq!(s, StatusCode::OK, "{name}: {c}");
        let path: Vec<[u8; 32]> = c["proof"].as_array().unwrap().iter().map(hash).collect();
        vigil_ledger::verify_consistency(
            first["size"].as_u64().unwrap(),
            parsed.size,
            &path,
            &hash(&first["root"]),
            &parsed.root,
        )
        .unwrap();
        // Asking beyond the log, or for nothing, is a client error.
        let (s, _) = api.call(
            Method::GET,
            "/api/v1/ledger/proof/inclusion?index=0&size=999999",
            Some("reader"),
            None,
        );
        assert_eq!(s, StatusCode::NOT_FOUND, "{name}");
        let (s, one) = api.call(
            Method::GET,
            "/api/v1/ledger/proof/inclusion?index=0",
            Some("reader"),
            None,
        );
        assert_eq!(s, StatusCode::OK, "{name}: {one}");
        assert_eq!(one["tree_size"], cp["size"], "{name}");
        let (s, _) = api.call(
            Method::GET,
            "/api/v1/ledger/proof/event?subject=release/nothing@0",
            Some("reader"),
            None,
        );
        assert_eq!(s, StatusCode::NOT_FOUND, "{name}");
        let (s, _) = api.call(Method::GET, "/api/v1/ledger/checkpoint", None, None);
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{name}");
    }
}

#[test]
fn keys_and_the_signed_only_policy_over_http() {
    let pem = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../vigil-attest/tests/fixtures/keys/p256.pub"),
    )
    .unwrap();
    for t in stores("api_signing") {
        let name = t.name();
        let api = Api::new(t, |_| {});
        let path = "/api/v1/services/checkout/keys";
        let (s, _) = api.call(
            Method::POST,
            path,
            Some("publisher"),
            Some(json!({"pem": pem})),
        );
        assert_eq!(s, StatusCode::FORBIDDEN, "{name}");
        let (s, key) = api.call(Method::POST, path, Some("admin"), Some(json!({"pem": pem})));
        assert_eq!(s, StatusCode::CREATED, "{name}: {key}");
        assert_eq!(key["algorithm"], "ecdsa-p256-sha256");
        let (s, keys) = api.call(Method::GET, path, Some("reader"), None);
        assert_eq!(s, StatusCode::OK);
        assert_eq!(keys.as_array().unwrap().len(), 1, "{name}");
        let (s, body) = api.call(
            Method::POST,
            path,
            Some("admin"),
            Some(json!({"pem": "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"})),
        );
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{name}: {body}");

        let (s, _) = api.call(
            Method::PUT,
            "/api/v1/environments/production/policy",
            Some("admin"),
            Some(json!({"require_signed": true})),
        );
        assert_eq!(s, StatusCode::OK, "{name}");
        // An unsigned release is recorded as unsigned, and production refuses it.
        let (s, body) = api.call(
            Method::POST,
            "/api/v1/releases",
            Some("publisher"),
            Some(release("1.0.0", "4.17.20")),
        );
        assert_eq!(s, StatusCode::CREATED, "{name}: {body}");
        assert_eq!(body["signature_verdict"], "unsigned");
        let deploy = |env: &str| {
            api.call(
                Method::POST,
                "/api/v1/deployments",
                Some("publisher"),
                Some(json!({"environment": env, "service": "checkout", "version": "1.0.0"})),
            )
        };
        let (s, body) = deploy("production");
        assert_eq!(s, StatusCode::CONFLICT, "{name}: {body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("takes only signed releases"),
            "{body}"
        );
        assert_eq!(deploy("staging").0, StatusCode::CREATED, "{name}");

        let fingerprint = key["fingerprint"].as_str().unwrap();
        let (s, _) = api.call(
            Method::DELETE,
            &format!("{path}/{fingerprint}"),
            Some("admin"),
            None,
        );
        assert_eq!(s, StatusCode::NO_CONTENT, "{name}");
        let (_, keys) = api.call(Method::GET, path, Some("reader"), None);
        assert!(keys.as_array().unwrap().is_empty(), "{name}");
    }
}

#[test]
fn the_diff_of_two_releases_over_http() {
    for t in stores("api_diff") {
        let name = t.name();
        let api = Api::new(t, |_| {});
        assert_eq!(api.post_release("1.0.0", "4.17.20"), StatusCode::CREATED);
        assert_eq!(api.post_release("1.1.0", "4.17.21"), StatusCode::CREATED);
        let (s, d) = api.call(
            Method::GET,
            "/api/v1/services/checkout/diff?from=1.0.0&to=1.1.0",
            Some("reader"),
            None,
        );
        assert_eq!(s, StatusCode::OK, "{name}: {d}");
        assert_eq!(d["upgraded"][0]["name"], "lodash", "{name}: {d}");
        assert_eq!(d["upgraded"][0]["from"], "4.17.20");
        assert_eq!(d["upgraded"][0]["to"], "4.17.21");
        let (s, _) = api.call(
            Method::GET,
            "/api/v1/services/checkout/diff?from=1.0.0&to=9.9.9",
            Some("reader"),
            None,
        );
        assert_eq!(s, StatusCode::NOT_FOUND, "{name}");
        let (s, _) = api.call(
            Method::GET,
            "/api/v1/services/checkout/diff?from=1.0.0",
            Some("reader"),
            None,
        );
        assert_eq!(s, StatusCode::BAD_REQUEST, "{name}");
    }
}
