//! The web console at the router, on every backend: sign-in and sessions, CSRF and
//! origin checks, what each role and environment scope sees and may do, triage from a
//! form, the ledger's proofs and the evidence download. (The browser test in
//! `crates/vigil-cli/tests/console_browser.rs` drives the same pages in Chromium.)
#![allow(clippy::unwrap_used, reason = "tests panic on failure by design")]

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use time::macros::datetime;
use tower::ServiceExt;
use vigil_engine::{AdvisoryInput, DeployInput, Engine, FixedClock, ReleaseInput, ReleaseRef};
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

const SBOM: &str = r#"{"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
  "metadata": {"component": {"type": "application", "name": "checkout", "bom-ref": "app"}},
  "components": [
    {"type": "library", "name": "lodash", "version": "4.17.20", "purl": "pkg:npm/lodash@4.17.20", "bom-ref": "lodash"},
    {"type": "library", "name": "express", "version": "4.18.2", "purl": "pkg:npm/express@4.18.2", "bom-ref": "express"}],
  "dependencies": [{"ref": "app", "dependsOn": ["express"]}, {"ref": "express", "dependsOn": ["lodash"]}]}"#;

struct Console {
    rt: tokio::runtime::Runtime,
    app: Router,
    tokens: HashMap<&'static str, (String, String)>,
    store: TestStore,
}

/// A response, its body as text.
struct Page {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
}

impl Page {
    fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(&format!("{name}=")))
            .map(str::to_owned)
    }

    fn csrf(&self) -> String {
        let at = self.body.find("name=\"csrf\" value=\"").unwrap() + 19;
        self.body[at..].split('"').next().unwrap().to_owned()
    }
}

fn cookie_value(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap().to_owned()
}

impl Console {
    fn new(t: TestStore, tweak: impl FnOnce(&mut Config)) -> Console {
        let now = datetime!(2026-03-01 12:00 UTC);
        let clock = Arc::new(FixedClock::new(now));
        let mut engine = Engine::with_clock(t.reopen(), clock.clone());
        engine
            .import_advisories(vec![AdvisoryInput {
                osv: vigil_osv::from_json(ADVISORY.as_bytes()).unwrap(),
                json: ADVISORY.as_bytes().to_vec(),
                source: None,
            }])
            .unwrap();
        engine
            .add_release(&ReleaseInput {
                service: "checkout",
                version: "1.0.0",
                sbom: SBOM.as_bytes(),
                owner: Some("payments"),
                ..ReleaseInput::default()
            })
            .unwrap();
        for env in ["production", "staging"] {
            engine
                .deploy(&DeployInput {
                    environment: env,
                    release: ReleaseRef::Version {
                        service: "checkout",
                        version: "1.0.0",
                    },
                    actor: Some("ci"),
                    source: None,
                    at: Some(datetime!(2026-02-01 10:00 UTC)),
                })
                .unwrap();
        }
        let mut store = t.reopen();
        let mut tx = store.write().unwrap();
        let mut tokens = HashMap::new();
        for (name, role, envs) in [
            ("admin", Role::Admin, None),
            ("triager", Role::Triager, None),
            ("reader", Role::Reader, None),
            ("staging", Role::Triager, Some(vec!["staging".to_owned()])),
        ] {
            let made = auth::create(&mut tx, name, role, envs, None, now).unwrap();
            tokens.insert(name, (made.id, made.token));
        }
        tx.commit().unwrap();
        let mut config = Config::default();
        config.api.read_connections = 2;
        tweak(&mut config);
        let key = vigil_ledger::note::NoteSigner::generate("vigil-test").unwrap();
        let signer = vigil_engine::ledger::signer(key, None, std::time::Duration::ZERO);
        engine.store().set_ledger_signer(Some(signer.clone()));
        engine.checkpoint().unwrap();
        let state = AppState::new(config, t.location.clone(), clock, Some(signer)).unwrap();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        Console {
            rt,
            app: router(state),
            tokens,
            store: t,
        }
    }

    fn send(
        &self,
        method: Method,
        path: &str,
        cookie: Option<&str>,
        form: Option<&[(&str, &str)]>,
        origin: Option<&str>,
    ) -> Page {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, "console.test");
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        if let Some(o) = origin {
            req = req.header(header::ORIGIN, o);
        }
        let req = match form {
            Some(fields) => {
                let body: String = fields
                    .iter()
                    .map(|(k, v)| {
                        format!(
                            "{k}={}",
                            percent_encoding::utf8_percent_encode(
                                v,
                                percent_encoding::NON_ALPHANUMERIC
                            )
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("&");
                req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::from(body))
            }
            None => req.body(Body::empty()),
        }
        .unwrap();
        let resp = self.rt.block_on(self.app.clone().oneshot(req)).unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = self
            .rt
            .block_on(axum::body::to_bytes(resp.into_body(), 1 << 26))
            .unwrap();
        Page {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    fn get(&self, path: &str, cookie: &str) -> Page {
        self.send(Method::GET, path, Some(cookie), None, None)
    }

    fn post(&self, path: &str, cookie: &str, form: &[(&str, &str)]) -> Page {
        self.send(
            Method::POST,
            path,
            Some(cookie),
            Some(form),
            Some("http://console.test"),
        )
    }

    /// Signs in with the token of `who`; the session cookie, as a request sends it.
    fn sign_in(&self, who: &str) -> String {
        let form = self.send(Method::GET, "/login", None, None, None);
        assert_eq!(form.status, StatusCode::OK);
        let login = cookie_value(&form.cookie("vigil_login").unwrap());
        let token = self.tokens[who].1.clone();
        let done = self.post(
            "/login",
            &login,
            &[("token", &token), ("csrf", &form.csrf()), ("next", "/")],
        );
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        cookie_value(&done.cookie("vigil_session").unwrap())
    }

    /// The dashboard's count of open findings.
    fn total_open(&self, cookie: &str) -> u64 {
        let page = self.get("/", cookie);
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let at = page.body.find("id=\"total-open\">").unwrap() + 16;
        page.body[at..].split('<').next().unwrap().parse().unwrap()
    }

    fn finding_id(&self, cookie: &str) -> String {
        let page = self.get("/findings?environment=production", cookie);
        let at = page.body.find("data-finding=\"").unwrap() + 14;
        page.body[at..].split('"').next().unwrap().to_owned()
    }
}

#[test]
fn signing_in_makes_a_strict_http_only_session_and_every_page_renders() {
    for t in stores("console_sign_in") {
        let name = t.name();
        let c = Console::new(t, |_| {});
        let out = c.send(
            Method::GET,
            "/findings?environment=production",
            None,
            None,
            None,
        );
        assert_eq!(out.status, StatusCode::SEE_OTHER, "{name}");
        assert_eq!(
            out.location(),
            "/login?next=%2Ffindings%3Fenvironment%3Dproduction"
        );
        let form = c.send(Method::GET, "/login", None, None, None);
        let login = form.cookie("vigil_login").unwrap();
        assert!(
            login.contains("HttpOnly") && login.contains("SameSite=Strict"),
            "{login}"
        );
        let csrf = form.csrf();
        let login = cookie_value(&login);
        // A wrong token: the form again, 401, with an alert.
        let bad = c.post(
            "/login",
            &login,
            &[("token", "vigil_nope"), ("csrf", &csrf), ("next", "/")],
        );
        assert_eq!(bad.status, StatusCode::UNAUTHORIZED, "{name}");
        assert!(bad.body.contains("role=\"alert\""));
        assert!(bad.cookie("vigil_session").is_none());
        // The form's CSRF value must match its cookie.
        let token = c.tokens["reader"].1.clone();
        let forged = c.post(
            "/login",
            &login,
            &[("token", &token), ("csrf", "0000"), ("next", "/")],
        );
        assert_eq!(forged.status, StatusCode::FORBIDDEN, "{name}");
        assert!(forged.cookie("vigil_session").is_none());
        // And the next page is this console's only.
        let good = c.post(
            "/login",
            &login,
            &[
                ("token", &token),
                ("csrf", &csrf),
                ("next", "//evil.example/x"),
            ],
        );
        assert_eq!(good.status, StatusCode::SEE_OTHER, "{name}: {}", good.body);
        assert_eq!(good.location(), "/");
        let session = good.cookie("vigil_session").unwrap();
        for attr in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=43200"] {
            assert!(session.contains(attr), "{name}: {session}");
        }
        assert!(!session.contains("Secure"));
        let session = cookie_value(&session);
        for path in [
            "/",
            "/search",
            "/search?q=CVE-2021-23337",
            "/services",
            "/releases/1",
            "/findings",
            "/findings?environment=staging&min_severity=high&all_releases=on",
            "/ledger",
            "/ledger?event=0",
        ] {
            let page = c.get(path, &session);
            assert_eq!(page.status, StatusCode::OK, "{name} {path}: {}", page.body);
            let csp = page.headers[header::CONTENT_SECURITY_POLICY]
                .to_str()
                .unwrap();
            assert!(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"));
            assert_eq!(page.headers[header::CACHE_CONTROL], "no-store");
            assert!(
                page.body.contains("name=\"csrf\""),
                "{path}: the sign-out form"
            );
            assert!(
                !page.body.contains("src=\"http") && !page.body.contains("href=\"http"),
                "{path}: nothing from another host"
            );
        }
        let search = c.get("/search?q=CVE-2021-23337", &session);
        for text in [
            "GHSA-35jh-r3h4-6jhm",
            "production",
            "staging",
            "checkout",
            "owner payments",
            "4.17.21",
        ] {
            assert!(search.body.contains(text), "{name}: search shows {text}");
        }
        let missing = c.get("/search?q=CVE-1999-0001", &session);
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        let release = c.get("/releases/1", &session);
        assert!(
            release
                .body
                .contains("transitive: checkout → express → lodash"),
            "{}",
            release.body
        );
        assert!(release.body.contains("Download evidence bundle"));
        assert_eq!(
            c.get("/releases/999", &session).status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(c.get("/releases/x", &session).status, StatusCode::NOT_FOUND);
        let ledger = c.get("/ledger?event=0", &session);
        assert!(
            ledger.body.contains("Inclusion proof verified"),
            "{}",
            ledger.body
        );
        assert!(
            ledger.body.contains("verifies with this server&#39;s key")
                || ledger.body.contains("verifies with this server's key")
        );
        let subject = c.get("/ledger?event=release%2Fcheckout%401.0.0", &session);
        assert!(
            subject.body.contains("Inclusion proof verified"),
            "{}",
            subject.body
        );
        let unknown = c.get("/ledger?event=nothing%2Fhere", &session);
        assert!(unknown.body.contains("role=\"alert\""));
        // The assets are served from the binary.
        let css = c.send(Method::GET, "/console/assets/console.css", None, None, None);
        assert_eq!(css.status, StatusCode::OK);
        assert!(
            css.headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("text/css")
        );
    }
}

#[test]
fn triage_from_a_form_needs_the_session_csrf_token_and_changes_the_dashboard() {
    for t in stores("console_triage") {
        let name = t.name();
        let c = Console::new(t, |_| {});
        let triager = c.sign_in("triager");
        let before = c.total_open(&triager);
        assert_eq!(before, 2, "{name}: one finding in each of two environments");
        let findings = c.get("/findings", &triager);
        assert!(findings.body.contains("Record decision"));
        let id = c.finding_id(&triager);
        let csrf = findings.csrf();
        let form = |csrf: &str| {
            vec![
                ("csrf", csrf.to_owned()),
                ("finding", id.clone()),
                ("status", "not_affected".to_owned()),
                (
                    "justification",
                    "vulnerable_code_not_in_execute_path".to_owned(),
                ),
                ("back", "/findings?environment=production".to_owned()),
            ]
        };
        let send = |fields: &[(&str, String)], origin: Option<&str>| {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            c.send(
                Method::POST,
                "/findings/triage",
                Some(&triager),
                Some(&fields),
                origin,
            )
        };
        // No CSRF token, a wrong one, or another site: refused, nothing recorded.
        let mut missing = form(&csrf);
        missing.remove(0);
        assert_eq!(
            send(&missing, Some("http://console.test")).status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            send(&form("nope"), Some("http://console.test")).status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            send(&form(&csrf), Some("https://evil.example")).status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(c.total_open(&triager), before, "{name}: nothing changed");
        // A bad decision is explained.
        let mut bare = form(&csrf);
        bare.retain(|(k, _)| *k != "justification");
        let refused = send(&bare, Some("http://console.test"));
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            refused.body
        );
        assert!(refused.body.contains("justification"), "{}", refused.body);
        // Accepting a risk needs an expiry in the future.
        let mut accept = form(&csrf);
        accept.retain(|(k, _)| *k != "justification" && *k != "status");
        accept.push(("status", "risk_accepted".to_owned()));
        accept.push(("reason", "behind the WAF until the upgrade".to_owned()));
        let refused = send(&accept, Some("http://console.test"));
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            refused.body
        );
        accept.push(("expires", "2026-02-01".to_owned()));
        let refused = send(&accept, Some("http://console.test"));
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{name}: a past expiry: {}",
            refused.body
        );
        assert_eq!(c.total_open(&triager), before, "{name}: nothing changed");
        // The real thing.
        let done = send(&form(&csrf), Some("http://console.test"));
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{name}: {}", done.body);
        assert!(
            done.location()
                .starts_with("/findings?environment=production&recorded="),
            "{}",
            done.location()
        );
        let shown = c.get(done.location(), &triager);
        assert!(
            shown
                .body
                .contains("recorded: not_affected on GHSA-35jh-r3h4-6jhm for checkout 1.0.0"),
            "{}",
            shown.body
        );
        assert_eq!(
            c.total_open(&triager),
            0,
            "{name}: the finding is ruled out everywhere it runs"
        );
        let search = c.get("/search?q=CVE-2021-23337", &triager);
        assert!(
            search.body.contains("Not affected")
                && search.body.contains("vulnerable_code_not_in_execute_path"),
            "{}",
            search.body
        );
        assert!(search.body.contains("triager (console)"), "{}", search.body);
        let all = c.get("/findings?all_releases=on", &triager);
        assert!(
            !all.body.contains("data-finding"),
            "{name}: no open finding is left"
        );
    }
}

#[test]
fn readers_and_scoped_tokens_see_only_what_they_may() {
    for t in stores("console_roles") {
        let name = t.name();
        let c = Console::new(t, |_| {});
        let reader = c.sign_in("reader");
        let page = c.get("/findings", &reader);
        assert!(page.body.contains("data-finding"), "{name}");
        assert!(
            !page.body.contains("Record decision") && !page.body.contains("<summary"),
            "{name}"
        );
        let id = c.finding_id(&reader);
        let csrf = page.csrf();
        let denied = c.post(
            "/findings/triage",
            &reader,
            &[("csrf", &csrf), ("finding", &id), ("status", "fixed")],
        );
        assert_eq!(
            denied.status,
            StatusCode::FORBIDDEN,
            "{name}: {}",
            denied.body
        );
        assert_eq!(c.total_open(&reader), 2);

        let staging = c.sign_in("staging");
        assert_eq!(c.total_open(&staging), 1, "{name}: staging only");
        let dash = c.get("/", &staging);
        assert!(!dash.body.contains("production"), "{name}: {}", dash.body);
        assert_eq!(
            c.get("/findings?environment=production", &staging).status,
            StatusCode::FORBIDDEN
        );
        let findings = c.get("/findings", &staging);
        assert!(
            !findings.body.contains("Record decision"),
            "{name}: a scoped token cannot triage everywhere"
        );
        assert!(!c.get("/services", &staging).body.contains("production"));
        let release = c.get("/releases/1", &staging);
        assert_eq!(release.status, StatusCode::OK, "{name}: {}", release.body);
        assert!(
            release.body.contains("GHSA-35jh-r3h4-6jhm") && !release.body.contains("production"),
            "{name}: the release's findings and timeline of staging only: {}",
            release.body
        );
        assert_eq!(
            c.get("/releases/1/evidence", &staging).status,
            StatusCode::FORBIDDEN
        );

        let admin = c.sign_in("admin");
        let bundle = c.get("/releases/1/evidence", &admin);
        assert_eq!(bundle.status, StatusCode::OK, "{name}: {}", bundle.body);
        assert!(
            bundle.headers[header::CONTENT_DISPOSITION]
                .to_str()
                .unwrap()
                .contains("checkout-1.0.0.evidence.json")
        );
        let parsed: serde_json::Value = serde_json::from_str(&bundle.body).unwrap();
        assert!(
            parsed["checkpoint"].is_string() || parsed["checkpoint"].is_object(),
            "{name}"
        );
    }
}

#[test]
fn a_session_ends_at_sign_out_and_with_its_token() {
    for t in stores("console_session_end") {
        let name = t.name();
        let c = Console::new(t, |_| {});
        let admin = c.sign_in("admin");
        let page = c.get("/", &admin);
        assert_eq!(page.status, StatusCode::OK);
        // Signing out needs the CSRF token too.
        assert_eq!(
            c.post("/logout", &admin, &[("csrf", "x")]).status,
            StatusCode::FORBIDDEN
        );
        let out = c.post("/logout", &admin, &[("csrf", &page.csrf())]);
        assert_eq!(out.status, StatusCode::SEE_OTHER, "{name}");
        assert!(out.cookie("vigil_session").unwrap().contains("Max-Age=0"));
        assert_eq!(
            c.get("/", &admin).location(),
            "/login",
            "{name}: the session is gone"
        );

        let reader = c.sign_in("reader");
        assert_eq!(c.get("/", &reader).status, StatusCode::OK);
        let mut store = c.store.reopen();
        let mut tx = store.write().unwrap();
        tx.revoke_token(&c.tokens["reader"].0, datetime!(2026-03-01 12:00 UTC))
            .unwrap();
        tx.commit().unwrap();
        assert_eq!(
            c.get("/", &reader).location(),
            "/login",
            "{name}: revoked with its token"
        );
    }
}

#[test]
fn the_console_can_be_turned_off_and_marks_cookies_secure_behind_tls() {
    let t = vigil_store::testing::sqlite("console_off");
    let c = Console::new(t, |config| config.console.enabled = false);
    assert_eq!(
        c.send(Method::GET, "/", None, None, None).status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        c.send(Method::GET, "/login", None, None, None).status,
        StatusCode::NOT_FOUND
    );
    let t = vigil_store::testing::sqlite("console_secure");
    let c = Console::new(t, |config| config.console.secure_cookie = true);
    let form = c.send(Method::GET, "/login", None, None, None);
    assert!(form.cookie("vigil_login").is_none());
    let login = form.cookie("__Host-vigil_login").unwrap();
    assert!(
        login.contains("; Secure") && login.contains("Path=/") && !login.contains("Domain"),
        "{login}"
    );
    // Behind TLS, the session is the `__Host-` cookie, and only that one is read.
    let token = c.tokens["reader"].1.clone();
    let done = c.post(
        "/login",
        &cookie_value(&login),
        &[("token", &token), ("csrf", &form.csrf()), ("next", "/")],
    );
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert!(done.cookie("vigil_session").is_none());
    let session = cookie_value(&done.cookie("__Host-vigil_session").unwrap());
    assert_eq!(c.get("/", &session).status, StatusCode::OK);
    let unprefixed = session.trim_start_matches("__Host-").to_owned();
    assert_eq!(c.get("/", &unprefixed).status, StatusCode::SEE_OTHER);
    // Without the prefixed sign-in cookie, the form is refused.
    let plain = cookie_value(&login)
        .trim_start_matches("__Host-")
        .to_owned();
    let refused = c.post(
        "/login",
        &plain,
        &[("token", &token), ("csrf", &form.csrf()), ("next", "/")],
    );
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
}

#[test]
fn review_hardening_bounds_forms_paths_pages_and_trusts_only_the_signed_checkpoint() {
    for t in stores("console_hardening") {
        let name = t.name();
        let c = Console::new(t, |_| {});
        // An unauthenticated form is small or refused before it is read whole.
        let form = c.send(Method::GET, "/login", None, None, None);
        let login = cookie_value(&form.cookie("vigil_login").unwrap());
        let big = "x".repeat(64 * 1024);
        let refused = c.post("/login", &login, &[("token", &big), ("csrf", &form.csrf())]);
        assert_eq!(refused.status, StatusCode::PAYLOAD_TOO_LARGE, "{name}");
        // `next` with a tab or a backslash, which browsers read as another host, goes home.
        for next in ["/\t/evil.example/x", "/\\evil.example", "/ok\nLocation: x"] {
            let form = c.send(Method::GET, "/login", None, None, None);
            let login = cookie_value(&form.cookie("vigil_login").unwrap());
            let token = c.tokens["reader"].1.clone();
            let done = c.post(
                "/login",
                &login,
                &[("token", &token), ("csrf", &form.csrf()), ("next", next)],
            );
            assert_eq!(done.status, StatusCode::SEE_OTHER, "{name}");
            assert_eq!(done.location(), "/", "{name}: {next:?}");
        }
        let admin = c.sign_in("admin");
        // Page numbers out of range answer, without overflow.
        for path in [
            "/services?page=18446744073709551615",
            "/services?page=0",
            "/findings?page=4000000000",
        ] {
            assert_eq!(c.get(path, &admin).status, StatusCode::OK, "{name} {path}");
        }
        // A token limited to an environment with nothing in it yet sees an empty list.
        let mut store = c.store.reopen();
        let mut tx = store.write().unwrap();
        let made = auth::create(
            &mut tx,
            "qa",
            Role::Reader,
            Some(vec!["qa".to_owned()]),
            None,
            datetime!(2026-03-01 12:00 UTC),
        )
        .unwrap();
        tx.commit().unwrap();
        let mut tokens = c.tokens.clone();
        tokens.insert("qa", (made.id, made.token));
        let c2 = Console { tokens, ..c };
        let qa = c2.sign_in("qa");
        let page = c2.get("/findings", &qa);
        assert_eq!(page.status, StatusCode::OK, "{name}: {}", page.body);
        assert!(page.body.contains("No finding matches"), "{name}");
        // A stored checkpoint whose root column was rewritten: the page says so and
        // checks proofs against the signed note's root, which still holds.
        c2.store.tamper(&format!(
            "UPDATE ledger_checkpoints SET root = {} WHERE size = (SELECT MAX(size) FROM ledger_checkpoints)",
            if c2.store.name() == "SQLite" { "zeroblob(32)" } else { "decode(repeat('00', 32), 'hex')" }
        ));
        let ledger = c2.get("/ledger?event=0", &qa);
        assert!(
            ledger
                .body
                .contains("differs from what the signed note states"),
            "{name}: {}",
            ledger.body
        );
        assert!(ledger.body.contains("Inclusion proof verified"), "{name}");
    }
}
