//! Response over HTTP, at the router, on every backend, with an injected clock: triage
//! decisions recorded, listed and revoked as findings close and reopen; teams, owners and
//! a Backstage catalog; SLA policies and the due dates of findings; the metrics as JSON
//! and as Prometheus gauges, to the second; the SLA sweep run by the scheduler; and the
//! errors each endpoint answers with.
#![allow(clippy::unwrap_used, reason = "tests panic on failure by design")]

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::{Value, json};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use tower::ServiceExt;
use vigil_engine::response::MetricsQuery;
use vigil_engine::triage::TriageInput;
use vigil_engine::{AdvisoryInput, DeployInput, Engine, FixedClock, ReleaseInput, ReleaseRef};
use vigil_server::auth::{self, Role};
use vigil_server::config::Config;
use vigil_server::{AppState, router};
use vigil_store::testing::{TestStore, stores};

/// Day 0 of every timeline: the advisories are published.
const DAY0: OffsetDateTime = datetime!(2026-03-01 00:00 UTC);
const DAY: f64 = 86_400.0;

fn day(n: i64) -> OffsetDateTime {
    DAY0 + Duration::days(n)
}

/// A high-severity advisory on npm `package` before `fixed`, published on day 0.
fn advisory(id: &str, cve: &str, package: &str, fixed: &str) -> AdvisoryInput {
    let json = format!(
        r#"{{"schema_version": "1.6.0", "id": "{id}", "modified": "2026-03-01T00:00:00Z",
  "published": "2026-03-01T00:00:00Z", "aliases": ["{cve}"], "summary": "{package} issue",
  "database_specific": {{"severity": "HIGH"}},
  "affected": [{{"package": {{"ecosystem": "npm", "name": "{package}"}},
    "ranges": [{{"type": "SEMVER", "events": [{{"introduced": "0"}}, {{"fixed": "{fixed}"}}]}}]}}]}}"#
    );
    AdvisoryInput {
        osv: vigil_osv::from_json(json.as_bytes()).unwrap(),
        json: json.into_bytes(),
        source: Some("test".into()),
    }
}

fn lodash_advisory() -> AdvisoryInput {
    advisory("GHSA-35jh-r3h4-6jhm", "CVE-2021-23337", "lodash", "4.17.21")
}

fn release(service: &str, version: &str, lodash: &str) -> Value {
    json!({"service": service, "version": version, "owner": "payments",
        "sbom": {"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
            "components": [{"type": "library", "name": "lodash", "version": lodash,
                "purl": format!("pkg:npm/lodash@{lodash}")}]}})
}

struct Api {
    rt: tokio::runtime::Runtime,
    app: Router,
    clock: Arc<FixedClock>,
    /// An engine on the same store, for what the API does not do (importing advisories).
    engine: Engine,
    tokens: HashMap<&'static str, String>,
    _store: TestStore,
}

impl Api {
    fn new(t: TestStore, tweak: impl FnOnce(&mut Config)) -> Api {
        let clock = Arc::new(FixedClock::new(DAY0));
        let engine = Engine::with_clock(t.reopen(), clock.clone());
        let mut store = t.reopen();
        let mut tokens = HashMap::new();
        let mut tx = store.write().unwrap();
        let staging = || Some(vec!["staging".to_owned()]);
        for (name, role, envs) in [
            ("admin", Role::Admin, None),
            ("publisher", Role::Publisher, None),
            ("triager", Role::Triager, None),
            ("reader", Role::Reader, None),
            ("staging-publisher", Role::Publisher, staging()),
            ("staging-triager", Role::Triager, staging()),
        ] {
            let made = auth::create(&mut tx, name, role, envs, None, DAY0).unwrap();
            tokens.insert(name, made.token);
        }
        tx.commit().unwrap();
        let mut config = Config::default();
        config.api.read_connections = 2;
        config.response.metrics_max_age_secs = 0;
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
            engine,
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
    ) -> (StatusCode, Value) {
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
            let bytes = axum::body::to_bytes(resp.into_body(), 1 << 26)
                .await
                .unwrap();
            let value = serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
            (status, value)
        })
    }

    fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        match body {
            Some(b) => self.request(
                method,
                path,
                token,
                Some("application/json"),
                serde_json::to_vec(&b).unwrap(),
            ),
            None => self.request(method, path, token, None, Vec::new()),
        }
    }

    /// A GET as the reader that must succeed.
    fn get(&self, path: &str) -> Value {
        let (s, body) = self.call(Method::GET, path, Some("reader"), None);
        assert_eq!(s, StatusCode::OK, "GET {path}: {body}");
        body
    }

    fn post(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(token), Some(body))
    }

    fn put(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::PUT, path, Some(token), Some(body))
    }

    fn add_release(&self, service: &str, version: &str, lodash: &str) {
        let (s, b) = self.post(
            "/api/v1/releases",
            "publisher",
            release(service, version, lodash),
        );
        assert_eq!(s, StatusCode::CREATED, "{b}");
    }

    fn deploy(&self, env: &str, service: &str, version: &str) {
        let (s, b) = self.post(
            "/api/v1/deployments",
            "publisher",
            json!({"environment": env, "service": service, "version": version}),
        );
        assert_eq!(s, StatusCode::CREATED, "{b}");
    }

    fn import(&mut self, advisory: AdvisoryInput) {
        self.engine.import_advisories(vec![advisory]).unwrap();
    }

    /// The open findings as `GET /api/v1/findings{query}` lists them.
    fn findings(&self, query: &str) -> Vec<Value> {
        self.get(&format!("/api/v1/findings{query}"))["items"]
            .as_array()
            .unwrap()
            .clone()
    }

    /// Every sample of `/metrics` whose name and labels start with `prefix`, by the
    /// rest of the line before the value.
    fn samples(&self, prefix: &str) -> HashMap<String, f64> {
        let (s, body) = self.call(Method::GET, "/metrics", Some("reader"), None);
        assert_eq!(s, StatusCode::OK, "{body}");
        body.as_str()
            .unwrap()
            .lines()
            .filter(|l| l.starts_with(prefix))
            .map(|l| {
                let (name, value) = l.rsplit_once(' ').unwrap();
                (name.to_owned(), value.parse().unwrap())
            })
            .collect()
    }
}

fn message(body: &Value) -> &str {
    body["error"]["message"].as_str().unwrap_or_default()
}

#[test]
fn a_triage_decision_closes_findings_and_its_revocation_reopens_them() {
    for t in stores("resp_triage") {
        let name = t.name();
        let mut api = Api::new(t, |_| {});
        api.import(lodash_advisory());
        api.add_release("checkout", "1.0.0", "4.17.20");
        api.deploy("production", "checkout", "1.0.0");
        let open = api.findings("");
        assert_eq!(open.len(), 1, "{name}: {open:?}");
        assert_eq!(open[0]["triage"], Value::Null);
        assert_eq!(open[0]["decision_id"], Value::Null);

        // A not_affected decision on the service: recorded as the token's name, in effect
        // on the one finding, which closes.
        let decision = json!({"vulnerability": "CVE-2021-23337", "status": "not_affected",
            "service": "checkout", "justification": "vulnerable_code_not_in_execute_path"});
        let (s, out) = api.post("/api/v1/triage", "triager", decision);
        assert_eq!(s, StatusCode::CREATED, "{name}: {out}");
        assert_eq!(out["findings_changed"], 1, "{out}");
        assert_eq!(out["in_effect_on"], 1, "{out}");
        let d = &out["decision"];
        assert_eq!(d["actor"], "triager");
        assert_eq!(d["scope"], "service");
        assert_eq!(d["service"], "checkout");
        assert_eq!(d["status"], "not_affected");
        assert_eq!(d["justification"], "vulnerable_code_not_in_execute_path");
        assert_eq!(d["created_at"], "2026-03-01T00:00:00Z");
        assert_eq!(d["active"], true);
        let id = d["id"].as_i64().unwrap();
        assert!(api.findings("").is_empty(), "{name}");
        // The release's findings show it closed by the decision.
        let release = api.get("/api/v1/releases?service=checkout")["items"][0]["id"].clone();
        let detail = api.get(&format!("/api/v1/releases/{release}"));
        let f = &detail["findings"][0];
        assert_eq!(f["triage"], "not_affected", "{detail}");
        assert_eq!(f["decision_id"], id);
        assert_eq!(f["resolution"], "not_affected");
        assert_eq!(f["due"], Value::Null);

        // Listed by any name of the advisory, newest first.
        for query in [
            "",
            "?vulnerability=CVE-2021-23337",
            "?vulnerability=GHSA-35jh-r3h4-6jhm",
            "?service=checkout",
        ] {
            let list = api.get(&format!("/api/v1/triage{query}"));
            assert_eq!(
                list["items"].as_array().unwrap().len(),
                1,
                "{query}: {list}"
            );
            assert_eq!(list["items"][0]["id"], id);
        }
        let list = api.get("/api/v1/triage?vulnerability=CVE-1999-0001");
        assert!(list["items"].as_array().unwrap().is_empty());

        // Revoked: the finding is open again, without a decision.
        let path = format!("/api/v1/triage/{id}?reason=the%20call%20path%20exists");
        let (s, out) = api.call(Method::DELETE, &path, Some("triager"), None);
        assert_eq!(s, StatusCode::OK, "{name}: {out}");
        assert_eq!(out["findings_changed"], 1);
        assert_eq!(out["in_effect_on"], 0);
        assert_eq!(out["decision"]["revoked_by"], "triager");
        assert_eq!(out["decision"]["active"], false);
        let open = api.findings("");
        assert_eq!(open.len(), 1, "{name}");
        assert_eq!(open[0]["triage"], Value::Null);
        // Twice is a conflict; an unknown id is not found.
        let (s, body) = api.call(Method::DELETE, &path, Some("triager"), None);
        assert_eq!(s, StatusCode::CONFLICT, "{name}: {body}");
        assert!(message(&body).contains("already revoked"), "{body}");
        let (s, _) = api.call(Method::DELETE, "/api/v1/triage/9999", Some("admin"), None);
        assert_eq!(s, StatusCode::NOT_FOUND, "{name}");
        // Only decisions that may be in effect are listed, unless all are asked for.
        assert!(
            api.get("/api/v1/triage")["items"]
                .as_array()
                .unwrap()
                .is_empty()
        );
        assert_eq!(api.get("/api/v1/triage?all=true")["items"][0]["id"], id);

        // A risk accepted for 10 days keeps the finding open, with its decision, and
        // expires exactly 10 days from the engine's now.
        api.at(day(2));
        let (s, out) = api.post(
            "/api/v1/triage",
            "admin",
            json!({"vulnerability": "GHSA-35jh-r3h4-6jhm", "status": "risk_accepted",
                "purl": "pkg:npm/lodash@4.17.20", "reason": "not reachable from the internet",
                "for_days": 10}),
        );
        assert_eq!(s, StatusCode::CREATED, "{name}: {out}");
        assert_eq!(out["decision"]["scope"], "package");
        assert_eq!(out["decision"]["expires_at"], "2026-03-13T00:00:00Z");
        assert_eq!(out["decision"]["actor"], "admin");
        let open = api.findings("");
        assert_eq!(open.len(), 1);
        assert_eq!(open[0]["triage"], "risk_accepted");
        assert_eq!(open[0]["decision_id"], out["decision"]["id"]);
        // Past its expiry the decision is no longer active, before any sweep.
        api.at(day(13));
        let all = api.get("/api/v1/triage?all=true");
        assert_eq!(all["items"][0]["active"], false, "{all}");
        assert!(
            api.get("/api/v1/triage")["items"]
                .as_array()
                .unwrap()
                .is_empty()
        );
    }
}

#[test]
fn triage_refuses_what_vex_does_not_allow() {
    let t = stores("resp_triage_errors").into_iter().next().unwrap();
    let mut api = Api::new(t, |_| {});
    api.import(lodash_advisory());
    api.add_release("checkout", "1.0.0", "4.17.20");
    let cases = [
        (
            json!({"vulnerability": "CVE-2021-23337", "status": "not_affected"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "needs a justification",
        ),
        (
            json!({"vulnerability": "CVE-2021-23337", "status": "affected"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "action statement",
        ),
        (
            json!({"vulnerability": "CVE-2021-23337", "status": "risk_accepted", "for_days": 3}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "needs a reason",
        ),
        (
            json!({"vulnerability": "CVE-2021-23337", "status": "risk_accepted", "reason": "r"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "needs an expiry",
        ),
        (
            json!({"vulnerability": "CVE-2021-23337", "status": "risk_accepted", "reason": "r",
                "for_days": 3, "expires_at": "2027-01-01T00:00:00Z"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "not both",
        ),
        (
            json!({"vulnerability": "CVE-2021-23337", "status": "risk_accepted", "reason": "r",
                "expires_at": "2025-01-01T00:00:00Z"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "not in the future",
        ),
        (
            json!({"vulnerability": "CVE-2021-23337", "status": "risk_accepted", "reason": "r",
                "for_days": 0}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "1 to 3650",
        ),
        (
            json!({"vulnerability": "CVE-2021-23337", "status": "fixed", "expires_at": "yesterday"}),
            StatusCode::BAD_REQUEST,
            "not an RFC 3339 time",
        ),
        (
            json!({"vulnerability": "CVE-2021-23337", "status": "wontfix"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown variant `wontfix`",
        ),
        (
            json!({"vulnerability": "CVE-2021-23337", "status": "fixed", "severity": "low"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown field `severity`",
        ),
        (
            json!({"vulnerability": "CVE 2021", "status": "fixed"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "is not an advisory id or alias",
        ),
        (
            json!({"vulnerability": "CVE-2021-23337", "status": "fixed", "purl": "lodash@1"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "package URL \"lodash@1\"",
        ),
        (
            json!({"vulnerability": "CVE-2021-23337", "status": "fixed", "service": "nope"}),
            StatusCode::NOT_FOUND,
            "no service \"nope\"",
        ),
        (
            json!({"vulnerability": "CVE-2021-23337", "status": "fixed", "service": "checkout",
                "release": "9.9.9"}),
            StatusCode::NOT_FOUND,
            "no release checkout 9.9.9",
        ),
        (
            json!({"vulnerability": "CVE-2021-23337", "status": "fixed", "release": "1.0.0"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "needs its service",
        ),
    ];
    for (body, status, expect) in cases {
        let (s, b) = api.post("/api/v1/triage", "triager", body.clone());
        assert_eq!(s, status, "{body}: {b}");
        assert!(message(&b).contains(expect), "{body}: {b}");
    }
    // Who may decide: triagers and admins, for every environment.
    let fixed = json!({"vulnerability": "CVE-2021-23337", "status": "fixed"});
    let (s, _) = api.call(Method::POST, "/api/v1/triage", None, Some(fixed.clone()));
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    for token in ["reader", "publisher"] {
        let (s, b) = api.post("/api/v1/triage", token, fixed.clone());
        assert_eq!(s, StatusCode::FORBIDDEN, "{token}: {b}");
        assert!(message(&b).contains("a triager or admin token"), "{b}");
    }
    let (s, b) = api.post("/api/v1/triage", "staging-triager", fixed.clone());
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    assert!(message(&b).contains("applies in every environment"), "{b}");
    let (s, b) = api.call(
        Method::DELETE,
        "/api/v1/triage/1",
        Some("staging-triager"),
        None,
    );
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    let (s, _) = api.call(Method::DELETE, "/api/v1/triage/1", Some("reader"), None);
    assert_eq!(s, StatusCode::FORBIDDEN);
    // A blank reason is refused before anything is looked up.
    let (s, b) = api.call(
        Method::DELETE,
        "/api/v1/triage/1?reason=%20",
        Some("triager"),
        None,
    );
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    let (s, _) = api.call(Method::DELETE, "/api/v1/triage/one", Some("triager"), None);
    assert_eq!(s, StatusCode::BAD_REQUEST);
    // Listing: an unknown service is not found, a name that cannot be an advisory's is
    // unprocessable, an unknown filter a bad request.
    let (s, _) = api.call(
        Method::GET,
        "/api/v1/triage?service=nope",
        Some("reader"),
        None,
    );
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = api.call(
        Method::GET,
        "/api/v1/triage?vulnerability=a%20b",
        Some("reader"),
        None,
    );
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _) = api.call(
        Method::GET,
        "/api/v1/triage?status=fixed",
        Some("reader"),
        None,
    );
    assert_eq!(s, StatusCode::BAD_REQUEST);
    // A decision about an advisory not stored yet is kept, in effect on nothing.
    let (s, out) = api.post(
        "/api/v1/triage",
        "triager",
        json!({"vulnerability": "GHSA-0000-0000-0000", "status": "under_investigation"}),
    );
    assert_eq!(s, StatusCode::CREATED, "{out}");
    assert_eq!(out["in_effect_on"], 0);
    assert_eq!(out["decision"]["scope"], "advisory");
}

#[test]
fn teams_owners_and_a_backstage_catalog() {
    for t in stores("resp_teams") {
        let name = t.name();
        let api = Api::new(t, |_| {});
        let (s, team) = api.put(
            "/api/v1/teams/payments",
            "admin",
            json!({"title": "Payments", "contacts": {"email": "payments@example.com",
                "pager": ["+1 555 0100", "+1 555 0101"]}}),
        );
        assert_eq!(s, StatusCode::OK, "{name}: {team}");
        assert_eq!(team["name"], "payments");
        assert_eq!(team["title"], "Payments");
        assert_eq!(team["source"], "api");
        assert_eq!(team["contacts"]["pager"][1], "+1 555 0101");
        assert_eq!(team["updated_at"], "2026-03-01T00:00:00Z");
        assert_eq!(team["services"], json!([]));

        let (s, service) = api.put(
            "/api/v1/services/checkout/owner",
            "admin",
            json!({"team": "payments"}),
        );
        assert_eq!(s, StatusCode::OK, "{name}: {service}");
        assert_eq!(service["name"], "checkout");
        assert_eq!(service["owner"], "payments");
        let teams = api.get("/api/v1/teams");
        assert_eq!(teams[0]["services"], json!(["checkout"]), "{teams}");

        // The catalog: the components' owner and the group's profile.
        let yaml = std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/catalog-info.yaml"),
        )
        .unwrap();
        let (s, report) = api.request(
            Method::POST,
            "/api/v1/catalog/backstage",
            Some("admin"),
            Some("application/yaml"),
            yaml.clone(),
        );
        assert_eq!(s, StatusCode::OK, "{name}: {report}");
        assert_eq!(
            report["owners"],
            json!({"checkout": "platform", "search": "platform"})
        );
        assert_eq!(report["teams"], json!(["platform"]));
        assert_eq!(
            report["skipped"],
            json!([
                {"document": 3, "reason": "kind API is neither Component nor Group"},
                {"document": 4, "reason": "not a Backstage entity"},
            ])
        );
        let teams = api.get("/api/v1/teams");
        let platform = teams
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == "platform")
            .unwrap();
        assert_eq!(platform["title"], "Platform Engineering");
        assert_eq!(platform["contacts"]["email"], "platform@example.com");
        assert_eq!(
            platform["contacts"]["links"],
            json!(["https://wiki.example.com/platform"])
        );
        assert_eq!(platform["services"], json!(["checkout", "search"]));
        assert_eq!(api.get("/api/v1/services/search")["owner"], "platform");
        // text/plain is taken too.
        let (s, _) = api.request(
            Method::POST,
            "/api/v1/catalog/backstage",
            Some("admin"),
            Some("text/plain; charset=utf-8"),
            yaml,
        );
        assert_eq!(s, StatusCode::OK, "{name}");

        // A body that is not YAML changes nothing, and its message names the body.
        let (s, b) = api.request(
            Method::POST,
            "/api/v1/catalog/backstage",
            Some("admin"),
            Some("application/yaml"),
            b"kind: Component\nmetadata: [unclosed\n".to_vec(),
        );
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{name}: {b}");
        assert!(message(&b).starts_with("the request body: not YAML"), "{b}");
        assert!(!message(&b).contains("vigil-catalog-"), "{b}");
        let (s, _) = api.request(
            Method::POST,
            "/api/v1/catalog/backstage",
            Some("admin"),
            Some("application/json"),
            b"{}".to_vec(),
        );
        assert_eq!(s, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    }
}

#[test]
fn teams_and_owners_refuse_bad_input_and_other_roles() {
    let t = stores("resp_teams_errors").into_iter().next().unwrap();
    let api = Api::new(t, |c| c.api.max_body_bytes = 4096);
    for (body, expect) in [
        (json!({"contacts": {"email": 7}}), "contact \"email\""),
        (
            json!({"contacts": {"pager": vec!["x"; 33]}}),
            "at most 32 strings",
        ),
        (json!({"title": "a\u{7}b"}), "control character"),
        (json!({"title": ""}), "1 to 200 characters"),
        (json!({"colour": "red"}), "unknown field `colour`"),
    ] {
        let (s, b) = api.put("/api/v1/teams/payments", "admin", body.clone());
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {b}");
        assert!(message(&b).contains(expect), "{body}: {b}");
    }
    // serde reads a struct from an array of its fields too; the API takes objects only.
    for (path, body) in [
        ("/api/v1/teams/payments", json!([null, null])),
        ("/api/v1/environments/prod/policy", json!([true, "high=14"])),
        ("/api/v1/services/checkout/owner", json!(["payments"])),
    ] {
        let (s, b) = api.put(path, "admin", body);
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {b}");
        assert!(message(&b).contains("a JSON object is expected"), "{b}");
    }
    let (s, b) = api.request(
        Method::PUT,
        "/api/v1/teams/payments",
        Some("admin"),
        Some("application/json"),
        b"{\"title\": ".to_vec(),
    );
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    let (s, b) = api.put("/api/v1/teams/%20payments", "admin", json!({}));
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    let (s, b) = api.put(
        "/api/v1/services/checkout/owner",
        "admin",
        json!({"team": "a\u{0}b"}),
    );
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    let (s, _) = api.put("/api/v1/services/checkout/owner", "admin", json!({}));
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    // Over the body limit.
    let (s, _) = api.request(
        Method::POST,
        "/api/v1/catalog/backstage",
        Some("admin"),
        Some("application/yaml"),
        vec![b'#'; 5000],
    );
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    // Only admins change owners; any token reads the teams.
    for token in ["publisher", "triager", "reader"] {
        let (s, b) = api.put("/api/v1/teams/payments", token, json!({}));
        assert_eq!(s, StatusCode::FORBIDDEN, "{token}: {b}");
        let (s, _) = api.put(
            "/api/v1/services/checkout/owner",
            token,
            json!({"team": "payments"}),
        );
        assert_eq!(s, StatusCode::FORBIDDEN, "{token}");
        let (s, _) = api.request(
            Method::POST,
            "/api/v1/catalog/backstage",
            Some(token),
            Some("application/yaml"),
            b"{}".to_vec(),
        );
        assert_eq!(s, StatusCode::FORBIDDEN, "{token}");
        let (s, _) = api.call(Method::GET, "/api/v1/teams", Some(token), None);
        assert_eq!(s, StatusCode::OK, "{token}");
    }
    let (s, _) = api.call(Method::GET, "/api/v1/teams", None, None);
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

#[test]
fn an_environment_sla_policy_sets_the_due_dates_of_its_findings() {
    for t in stores("resp_sla") {
        let name = t.name();
        let mut api = Api::new(t, |_| {});
        api.import(lodash_advisory());
        api.add_release("checkout", "1.0.0", "4.17.20");
        api.deploy("production", "checkout", "1.0.0");
        api.deploy("staging", "checkout", "1.0.0");
        // High: 30 days by default, from day 0.
        let due = |env: &str| {
            api.findings(&format!("?environment={env}"))[0]["due"]
                .as_str()
                .unwrap()
                .to_owned()
        };
        assert_eq!(due("production"), "2026-03-31T00:00:00Z", "{name}");

        let (s, b) = api.put("/api/v1/environments/production/policy", "admin", json!({}));
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert!(message(&b).contains("say what to set"), "{b}");
        let (s, b) = api.put(
            "/api/v1/environments/production/policy",
            "admin",
            json!({"sla": "high=14,kev=1"}),
        );
        assert_eq!(s, StatusCode::OK, "{name}: {b}");
        assert_eq!(
            b,
            json!({"environment": "production", "require_signed": false,
                "sla": "critical=7,high=14,medium=90,low=180,unrated=90,kev=1",
                "sla_in_effect": "critical=7,high=14,medium=90,low=180,unrated=90,kev=1"})
        );
        assert_eq!(due("production"), "2026-03-15T00:00:00Z", "{name}");
        assert_eq!(due("staging"), "2026-03-31T00:00:00Z", "{name}");
        // The signing policy alone leaves the SLA as it is.
        let (s, b) = api.put(
            "/api/v1/environments/production/policy",
            "admin",
            json!({"require_signed": true}),
        );
        assert_eq!(s, StatusCode::OK, "{b}");
        assert_eq!(b["require_signed"], true);
        assert_eq!(
            b["sla"],
            "critical=7,high=14,medium=90,low=180,unrated=90,kev=1"
        );
        // A policy that does not parse changes nothing, the signing policy in the same
        // request included.
        let (s, b) = api.put(
            "/api/v1/environments/production/policy",
            "admin",
            json!({"require_signed": false, "sla": "high=0"}),
        );
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert!(message(&b).contains("\"high=0\""), "{b}");
        let (s, b) = api.put(
            "/api/v1/environments/production/policy",
            "admin",
            json!({"sla": "sev=1"}),
        );
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");

        // Day 20: past the 14 days in production, not the 30 in staging.
        api.at(day(20));
        let overdue = api.findings("?overdue=true");
        assert_eq!(overdue.len(), 1, "{name}: {overdue:?}");
        assert_eq!(overdue[0]["environment"], "production");
        assert_eq!(overdue[0]["overdue"], true);
        assert_eq!(api.findings("?environment=staging")[0]["overdue"], false);
        assert!(api.findings("?environment=staging&overdue=true").is_empty());

        // Back to the defaults.
        let (s, b) = api.put(
            "/api/v1/environments/production/policy",
            "admin",
            json!({"sla": "default", "require_signed": false}),
        );
        assert_eq!(s, StatusCode::OK, "{b}");
        assert_eq!(b["sla"], Value::Null);
        assert_eq!(
            b["sla_in_effect"],
            "critical=7,high=30,medium=90,low=180,unrated=90,kev=3"
        );
        assert!(api.findings("?overdue=true").is_empty(), "{name}");
        let (s, _) = api.put(
            "/api/v1/environments/production/policy",
            "triager",
            json!({"sla": "default"}),
        );
        assert_eq!(s, StatusCode::FORBIDDEN);
    }
}

/// Days 0 to 20: checkout 1.0.0 (lodash 4.17.20) runs in prod from day 2, the advisory
/// (published day 0) is imported on day 5, 1.0.0 reaches staging on day 6, and the fixed
/// 1.2.0 replaces it in prod on day 12. Now is day 20.
fn timeline(api: &mut Api) {
    api.at(day(2));
    api.add_release("checkout", "1.0.0", "4.17.20");
    api.deploy("prod", "checkout", "1.0.0");
    api.at(day(5));
    api.import(lodash_advisory());
    api.at(day(6));
    api.deploy("staging", "checkout", "1.0.0");
    api.at(day(12));
    api.add_release("checkout", "1.2.0", "4.17.21");
    api.deploy("prod", "checkout", "1.2.0");
    api.at(day(20));
}

#[test]
fn metrics_come_out_to_the_second() {
    for t in stores("resp_metrics") {
        let name = t.name();
        let mut api = Api::new(t, |_| {});
        timeline(&mut api);

        let m = api.get("/api/v1/metrics?by=environment&months=2");
        assert_eq!(m["now"], "2026-03-21T00:00:00Z", "{name}");
        assert_eq!(m["group"], "environment");
        let rows = m["rows"].as_array().unwrap();
        assert_eq!(rows.len(), 2, "{name}: {m}");
        // prod: detected on day 5 (5 days after publication), fixed on day 12.
        let prod = &rows[0];
        assert_eq!(prod["key"], "prod");
        assert_eq!(prod["episodes"], 1);
        assert_eq!(prod["mttd"]["mean_seconds"], 5.0 * DAY);
        assert_eq!(prod["mttr"]["count"], 1);
        assert_eq!(prod["mttr"]["mean_seconds"], 7.0 * DAY);
        assert_eq!(prod["mttr"]["median_seconds"], 7.0 * DAY);
        assert_eq!(prod["sla"]["met"], 1);
        assert_eq!(prod["sla"]["ratio"], 1.0);
        assert_eq!(prod["open"]["count"], 0);
        assert_eq!(prod["backlog"]["high"], 0);
        // staging: exposed from day 6, open for 14 days, due on day 36.
        let staging = &rows[1];
        assert_eq!(staging["key"], "staging");
        assert_eq!(staging["mttd"]["mean_seconds"], 6.0 * DAY);
        assert_eq!(staging["mttr"]["count"], 0);
        assert_eq!(staging["mttr"]["mean_seconds"], Value::Null);
        assert_eq!(staging["open"]["max_seconds"], 14.0 * DAY);
        assert_eq!(staging["sla"]["ratio"], Value::Null);
        assert_eq!(staging["backlog"]["high"], 1);
        // The trend: February had nothing; March both detections and the one fix.
        let trend = m["trend"].as_array().unwrap();
        assert_eq!(trend.len(), 2);
        assert_eq!(trend[0]["month"], "2026-02");
        assert_eq!(trend[0]["start"], "2026-02-01T00:00:00Z");
        assert_eq!(trend[0]["detected"], 0);
        assert_eq!(trend[1]["detected"], 2);
        assert_eq!(trend[1]["resolved"], 1);
        assert_eq!(trend[1]["open_at_end"], 1);
        assert_eq!(
            m["policies"]["default"],
            json!({"critical": 7, "high": 30, "medium": 90, "low": 180, "unrated": 90, "kev": 3})
        );

        // The API answers exactly what `vigil metrics --format json` prints.
        for (query, q) in [
            ("", MetricsQuery::default()),
            (
                "?by=team&months=1",
                MetricsQuery {
                    group: vigil_exposure::Group::Team,
                    trend_from: Some(datetime!(2026-03-01 00:00 UTC)),
                    ..MetricsQuery::default()
                },
            ),
            (
                "?by=service&env=staging",
                MetricsQuery {
                    group: vigil_exposure::Group::Service,
                    environment: Some("staging".into()),
                    ..MetricsQuery::default()
                },
            ),
            (
                "?team=nobody",
                MetricsQuery {
                    team: Some("nobody".into()),
                    ..MetricsQuery::default()
                },
            ),
        ] {
            let expected = serde_json::to_value(api.engine.metrics(&q).unwrap()).unwrap();
            let got = api.get(&format!("/api/v1/metrics{query}"));
            assert_eq!(got, expected, "{name}: {query}");
        }
        let all = api.get("/api/v1/metrics");
        assert_eq!(all["rows"][0]["episodes"], 2);
        assert_eq!(all["rows"][0]["mttd"]["median_seconds"], 5.5 * DAY);
        assert_eq!(all["trend"], Value::Null);
        assert_eq!(
            api.get("/api/v1/metrics?by=team")["rows"][0]["key"],
            "payments"
        );

        // Bad parameters, and a token limited to environments.
        for query in ["?months=0", "?months=121", "?by=month", "?since=2026-01"] {
            let (s, b) = api.call(
                Method::GET,
                &format!("/api/v1/metrics{query}"),
                Some("reader"),
                None,
            );
            assert_eq!(s, StatusCode::BAD_REQUEST, "{query}: {b}");
        }
        let limited = |query: &str| {
            api.call(
                Method::GET,
                &format!("/api/v1/metrics{query}"),
                Some("staging-publisher"),
                None,
            )
        };
        let (s, b) = limited("");
        assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
        assert!(message(&b).contains("env="), "{b}");
        assert_eq!(limited("?env=prod").0, StatusCode::FORBIDDEN);
        let (s, b) = limited("?env=staging");
        assert_eq!(s, StatusCode::OK, "{b}");
        assert_eq!(b["rows"][0]["episodes"], 1);
    }
}

#[test]
fn the_prometheus_gauges_follow_the_episodes() {
    for t in stores("resp_gauges") {
        let name = t.name();
        let mut api = Api::new(t, |_| {});
        timeline(&mut api);
        let g = api.samples("vigil_");
        let value = |g: &HashMap<String, f64>, key: &str| {
            *g.get(key)
                .unwrap_or_else(|| panic!("{name}: no sample {key}: {g:?}"))
        };
        assert_eq!(
            value(&g, "vigil_mttr_seconds{environment=\"prod\"}"),
            7.0 * DAY
        );
        assert_eq!(
            value(&g, "vigil_mttd_seconds{environment=\"prod\"}"),
            5.0 * DAY
        );
        assert_eq!(
            value(&g, "vigil_mttd_seconds{environment=\"staging\"}"),
            6.0 * DAY
        );
        assert_eq!(
            value(&g, "vigil_sla_compliance_ratio{environment=\"prod\"}"),
            1.0
        );
        assert_eq!(
            value(
                &g,
                "vigil_exposure_open_age_max_seconds{environment=\"staging\"}"
            ),
            14.0 * DAY
        );
        assert_eq!(
            value(
                &g,
                "vigil_backlog{environment=\"staging\",severity=\"high\"}"
            ),
            1.0
        );
        assert_eq!(
            value(&g, "vigil_backlog{environment=\"prod\",severity=\"high\"}"),
            0.0
        );
        assert_eq!(
            value(&g, "vigil_findings_overdue{environment=\"prod\"}"),
            0.0
        );
        assert_eq!(
            value(&g, "vigil_findings_overdue{environment=\"staging\"}"),
            0.0
        );
        // What has no value has no sample: nothing in staging closed, and nothing in
        // prod is open.
        for absent in [
            "vigil_mttr_seconds{environment=\"staging\"}",
            "vigil_sla_compliance_ratio{environment=\"staging\"}",
            "vigil_exposure_open_age_max_seconds{environment=\"prod\"}",
        ] {
            assert!(!g.contains_key(absent), "{name}: {absent}");
        }

        // Day 40: staging is 4 days past its due date (day 36).
        api.at(day(40));
        let g = api.samples("vigil_");
        assert_eq!(
            value(&g, "vigil_findings_overdue{environment=\"staging\"}"),
            1.0
        );
        assert_eq!(
            value(&g, "vigil_sla_compliance_ratio{environment=\"staging\"}"),
            0.0
        );
        assert_eq!(
            value(
                &g,
                "vigil_exposure_open_age_max_seconds{environment=\"staging\"}"
            ),
            34.0 * DAY
        );
    }
}

#[test]
fn the_exposure_gauges_are_reused_within_their_max_age() {
    let t = stores("resp_gauges_age").into_iter().next().unwrap();
    let mut api = Api::new(t, |c| c.response.metrics_max_age_secs = 3600);
    timeline(&mut api);
    let key = "vigil_findings_overdue{environment=\"staging\"}";
    assert_eq!(api.samples("vigil_findings_overdue")[key], 0.0);
    // Overdue now, but the computation of a moment ago stands for an hour; the gauges
    // read from the store at each scrape do not wait.
    api.at(day(40));
    api.deploy("qa", "checkout", "1.0.0");
    let g = api.samples("vigil_");
    assert_eq!(g[key], 0.0);
    assert!(!g.contains_key("vigil_findings_overdue{environment=\"qa\"}"));
    assert_eq!(g["vigil_services_running{environment=\"qa\"}"], 1.0);
}

#[test]
fn the_scheduler_sweeps_lapsed_acceptances_and_overdue_exposures() {
    for t in stores("resp_sweep") {
        let name = t.name();
        let clock = Arc::new(FixedClock::new(DAY0));
        let mut engine = Engine::with_clock(t.reopen(), clock.clone());
        engine.import_advisories(vec![lodash_advisory()]).unwrap();
        let sbom = |lodash: &str| serde_json::to_vec(&release("x", "x", lodash)["sbom"]).unwrap();
        for service in ["checkout", "search"] {
            engine
                .add_release(&ReleaseInput {
                    service,
                    version: "1.0.0",
                    sbom: &sbom("4.17.20"),
                    owner: Some("payments"),
                    ..ReleaseInput::default()
                })
                .unwrap();
            engine
                .deploy(&DeployInput {
                    environment: "prod",
                    release: ReleaseRef::Version {
                        service,
                        version: "1.0.0",
                    },
                    actor: None,
                    source: None,
                    at: None,
                })
                .unwrap();
        }
        // search's risk is accepted until day 10; both are due on day 30.
        clock.set(day(1));
        engine
            .triage(&TriageInput {
                vulnerability: "CVE-2021-23337".into(),
                status: "risk_accepted".into(),
                service: Some("search".into()),
                reason: Some("behind the VPN".into()),
                expires_at: Some(day(10)),
                actor: "carol".into(),
                ..TriageInput::default()
            })
            .unwrap();
        clock.set(day(40));

        let mut config = Config {
            listen: "127.0.0.1:0".into(),
            ..Config::default()
        };
        config.scheduler.osv_interval_secs = 0;
        config.scheduler.kev_interval_secs = 0;
        config.scheduler.epss_interval_secs = 0;
        config.response.sweep_interval_secs = 60;
        if let vigil_store::Location::Sqlite(dir) = &t.location {
            config.data_dir = dir.clone();
        }
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let running = rt
            .block_on(vigil_server::start(
                config,
                t.location.clone(),
                clock.clone(),
            ))
            .unwrap();
        // The sweep runs at once, then every interval.
        let mut run = None;
        for _ in 0..300 {
            let runs = engine.store().read().unwrap().job_runs().unwrap();
            if let Some(r) = runs
                .into_iter()
                .find(|r| r.job == "sla_sweep" && r.ok.is_some())
            {
                run = Some(r);
                break;
            }
            std::thread::sleep(StdDuration::from_millis(100));
        }
        rt.block_on(running.shutdown()).unwrap();
        let run = run.unwrap_or_else(|| panic!("{name}: the sweep did not run"));
        assert_eq!(run.ok, Some(true), "{name}: {run:?}");
        let summary: Value = serde_json::from_str(run.summary.as_deref().unwrap()).unwrap();
        assert_eq!(summary, json!({"lapsed": 1, "alerts": 2}), "{name}");
        assert_eq!(run.started_at, "2026-04-10T00:00:00Z");

        // The acceptance lapsed; each overdue exposure has its alert, to its team.
        let decisions = engine.triage_decisions(None, None, false).unwrap();
        assert_eq!(
            decisions[0].lapsed_at.as_deref(),
            Some("2026-04-10T00:00:00Z")
        );
        let api = Api::new(t, |_| {});
        let alerts = api.get("/api/v1/alerts");
        let breaches: Vec<&Value> = alerts["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["kind"] == "sla_breach")
            .collect();
        assert_eq!(breaches.len(), 2, "{name}: {alerts}");
        for b in breaches {
            assert_eq!(b["environment"], "prod");
            assert_eq!(b["team"], "payments");
            assert_eq!(b["severity"], "high");
            let a = &b["advisories"][0];
            assert_eq!(a["id"], "GHSA-35jh-r3h4-6jhm", "{b}");
            assert_eq!(a["package"], "pkg:npm/lodash@4.17.20");
            assert_eq!(a["exposed_since"], "2026-03-01T00:00:00Z");
            assert_eq!(a["due"], "2026-03-31T00:00:00Z");
        }
        let jobs = api.get("/api/v1/feeds")["jobs"].clone();
        assert_eq!(jobs[0]["job"], "sla_sweep", "{jobs}");
        assert_eq!(jobs[0]["summary"]["alerts"], 2);
    }
}

#[test]
fn every_new_endpoint_is_in_the_document_with_its_errors() {
    let doc = serde_json::to_value(vigil_server::openapi::document()).unwrap();
    let ops = [
        (
            "/api/v1/triage",
            "post",
            &["201", "401", "403", "404", "422"][..],
        ),
        (
            "/api/v1/triage",
            "get",
            &["200", "400", "401", "404", "422"],
        ),
        (
            "/api/v1/triage/{id}",
            "delete",
            &["200", "400", "401", "403", "404", "409", "422"],
        ),
        ("/api/v1/teams", "get", &["200", "401"]),
        ("/api/v1/teams/{name}", "put", &["200", "403", "415", "422"]),
        (
            "/api/v1/services/{name}/owner",
            "put",
            &["200", "403", "422"],
        ),
        (
            "/api/v1/catalog/backstage",
            "post",
            &["200", "403", "413", "415", "422"],
        ),
        (
            "/api/v1/environments/{name}/policy",
            "put",
            &["200", "403", "422"],
        ),
        ("/api/v1/metrics", "get", &["200", "400", "401", "403"]),
        (
            "/api/v1/findings",
            "get",
            &["200", "400", "401", "403", "404", "422"],
        ),
        // What schemathesis found with seed 7: a NUL character in a query parameter is
        // refused by the store with 422, which every operation with parameters documents.
        ("/api/v1/releases", "get", &["422"]),
    ];
    for (path, method, codes) in ops {
        let op = &doc["paths"][path][method];
        assert!(op.is_object(), "the document lacks {method} {path}");
        for code in codes {
            assert!(
                op["responses"][code].is_object(),
                "{method} {path} does not document {code}"
            );
        }
    }
    let findings = &doc["paths"]["/api/v1/findings"]["get"]["parameters"];
    assert!(
        findings
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "overdue")
    );
    let finding = &doc["components"]["schemas"]["FindingView"]["properties"];
    for field in ["due", "overdue", "triage", "decision_id"] {
        assert!(finding[field].is_object(), "FindingView lacks {field}");
    }
    // A policy change names at least one of its two fields.
    let policy = &doc["components"]["schemas"]["PolicyRequest"]["allOf"][1]["anyOf"];
    assert_eq!(policy[0]["required"], json!(["require_signed"]), "{policy}");
    assert_eq!(policy[1]["required"], json!(["sla"]), "{policy}");
    // Every reference resolves.
    let text = doc.to_string();
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for part in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = part.split('"').next().unwrap();
        assert!(schemas.contains_key(name), "no schema {name}");
    }
}
