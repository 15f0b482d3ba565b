//! Two `vigil serve` processes on one PostgreSQL database, as replicas behind a load
//! balancer run: what one writes the other reads; alerts reach a webhook once although
//! both run dispatchers; a token revoked through one is refused by the other; exactly one
//! runs the scheduler, and when it is killed the other takes over and keeps syncing.
//!
//! PostgreSQL only: it runs when `VIGIL_TEST_PG_URL` names a server, in a database of
//! its own (advisory locks and notifications are per database), dropped afterwards.
#![allow(clippy::unwrap_used, reason = "tests panic on failure by design")]

#[path = "../../vigil-engine/tests/support/mod.rs"]
mod support;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use support::{Bucket, Server};

const SECRET: &str = "webhook-secret-for-tests";
/// Services released and deployed to production: one alert each.
const SERVICES: [&str; 3] = ["checkout", "cart", "billing"];

// ---------------------------------------------------------------------------------------
// The database

/// A database made for this test, dropped (with whatever is still connected) at the end.
struct Database {
    admin: String,
    name: String,
    url: String,
}

impl Database {
    /// A new database on the server `VIGIL_TEST_PG_URL` names, or `None` (after saying
    /// why) when it names none.
    fn create(test: &str) -> Option<Database> {
        let Ok(admin) = std::env::var("VIGIL_TEST_PG_URL") else {
            assert!(
                std::env::var("VIGIL_REQUIRE_PG").map_or(true, |v| v != "1"),
                "{test}: VIGIL_REQUIRE_PG=1 but VIGIL_TEST_PG_URL is not set"
            );
            eprintln!(
                "SKIPPED PostgreSQL for {test}: set VIGIL_TEST_PG_URL (e.g. postgres://postgres@127.0.0.1:5432/test) to run it"
            );
            return None;
        };
        let name = format!(
            "vigil_{}",
            vigil_store::testing::unique_name(test).trim_start_matches("t_")
        );
        let mut client = postgres::Client::connect(&admin, postgres::NoTls)
            .unwrap_or_else(|e| panic!("{test}: connecting to VIGIL_TEST_PG_URL: {e}"));
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap_or_else(|e| panic!("{test}: creating the database {name}: {e}"));
        let url = with_database(&admin, &name);
        Some(Database { admin, name, url })
    }

    fn client(&self) -> postgres::Client {
        postgres::Client::connect(&self.url, postgres::NoTls).unwrap()
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        if let Ok(mut client) = postgres::Client::connect(&self.admin, postgres::NoTls) {
            let _ = client.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// `url` with its database replaced by `name`. `vigil serve` takes only the URL form
/// (`postgres://user@host:5432/db?options`).
fn with_database(url: &str, name: &str) -> String {
    let (scheme, rest) = url
        .split_once("://")
        .unwrap_or_else(|| panic!("VIGIL_TEST_PG_URL is not a postgres:// URL"));
    let (rest, query) = match rest.split_once('?') {
        Some((r, q)) => (r, format!("?{q}")),
        None => (rest, String::new()),
    };
    let authority = rest.split_once('/').map_or(rest, |(a, _)| a);
    format!("{scheme}://{authority}/{name}{query}")
}

// ---------------------------------------------------------------------------------------
// The processes

fn vigil(database: &str, args: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(["--database-url", database])
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

/// One `vigil serve` process; killed when dropped.
struct Replica {
    name: &'static str,
    child: Child,
    base: String,
    /// Every line it wrote to stderr so far.
    log: Arc<Mutex<Vec<String>>>,
}

impl Replica {
    /// Starts `vigil serve` with `HOSTNAME=name`, so that the job runs it records name it.
    fn start(name: &'static str, database: &str, config: &Path) -> Replica {
        let mut child = Command::new(env!("CARGO_BIN_EXE_vigil"))
            .args(["--database-url", database, "serve", "--config"])
            .arg(config)
            .env("HOSTNAME", name)
            .env("RUST_LOG", "info")
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = mpsc::channel();
        let lines = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(rest) = line.split("listening on ").nth(1) {
                    let _ = tx.send(rest.split_whitespace().next().unwrap_or("").to_owned());
                }
                eprintln!("[{name}] {line}");
                lines.lock().unwrap().push(line);
            }
        });
        let base = rx
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("{name}: vigil serve printed no address"));
        Replica {
            name,
            child,
            base,
            log,
        }
    }

    /// What its scheduled jobs record as their runner.
    fn runner(&self) -> String {
        format!("{}/{}", self.name, self.child.id())
    }

    fn logged(&self, text: &str) -> bool {
        self.log.lock().unwrap().iter().any(|l| l.contains(text))
    }

    /// Kills it with SIGKILL: nothing gets to clean up, not even its database sessions.
    fn kill(&mut self) {
        self.child.kill().unwrap();
        let _ = self.child.wait();
    }

    fn get(&self, path: &str, token: &str) -> (u16, Value) {
        request("GET", &format!("{}{path}", self.base), token, None)
    }

    fn post(&self, path: &str, token: &str, body: &Value) -> (u16, Value) {
        request("POST", &format!("{}{path}", self.base), token, Some(body))
    }

    fn delete(&self, path: &str, token: &str) -> (u16, Value) {
        request("DELETE", &format!("{}{path}", self.base), token, None)
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn request(method: &str, url: &str, token: &str, body: Option<&Value>) -> (u16, Value) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let auth = format!("Bearer {token}");
    let sent = match (method, body) {
        ("POST", Some(body)) => agent
            .post(url)
            .header("Authorization", &auth)
            .header("Content-Type", "application/json")
            .send(&serde_json::to_vec(body).unwrap()[..]),
        ("DELETE", None) => agent.delete(url).header("Authorization", &auth).call(),
        ("GET", None) => agent.get(url).header("Authorization", &auth).call(),
        _ => unreachable!("{method} {url}"),
    };
    let mut resp = sent.unwrap();
    let status = resp.status().as_u16();
    let text = resp.body_mut().read_to_string().unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Polls `f` until it answers, for at most `limit`; a bound on a wait, not a timing
/// assertion.
fn eventually<T>(what: &str, limit: Duration, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "gave up waiting: {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

// ---------------------------------------------------------------------------------------
// The feed and the webhook

fn advisory(id: &str, package: &str, fixed: &str, modified: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({"id": id, "modified": modified, "summary": format!("{package} is vulnerable"),
        "database_specific": {"severity": "CRITICAL"},
        "affected": [{"package": {"ecosystem": "npm", "name": package},
                      "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": fixed}]}]}]}))
    .unwrap()
}

/// What the webhook saw of one request: the idempotency key, whether the signature
/// verified, the body.
type Received = (String, bool, Value);

/// A webhook receiver on a port of its own that hands each request over.
fn receiver() -> (u16, Arc<tiny_http::Server>, mpsc::Receiver<Received>) {
    let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
    let port = server.server_addr().to_ip().unwrap().port();
    let (tx, rx) = mpsc::channel();
    let s = Arc::clone(&server);
    std::thread::spawn(move || {
        for mut req in s.incoming_requests() {
            let header = |name: &'static str| {
                req.headers()
                    .iter()
                    .find(|h| h.field.equiv(name))
                    .map(|h| h.value.to_string())
                    .unwrap_or_default()
            };
            let (signature, key) = (header("X-Vigil-Signature-256"), header("Idempotency-Key"));
            let mut body = Vec::new();
            let _ = req.as_reader().read_to_end(&mut body);
            let verified =
                vigil_server::sinks::verify_signature(SECRET.as_bytes(), &body, &signature);
            let _ = tx.send((
                key,
                verified,
                serde_json::from_slice(&body).unwrap_or(Value::Null),
            ));
            let _ = req.respond(tiny_http::Response::empty(204));
        }
    });
    (port, server, rx)
}

/// The next alert the webhook received: its idempotency key and body.
fn next_alert(alerts: &mpsc::Receiver<Received>) -> (String, Value) {
    let (key, verified, alert) = alerts
        .recv_timeout(Duration::from_secs(30))
        .expect("an alert did not reach the webhook");
    assert!(verified, "the signature of {key} does not verify");
    (key, alert)
}

// ---------------------------------------------------------------------------------------
// What the replicas left in the database

/// The runner of the latest OSV sync, and whether it finished without error.
fn osv_run(db: &mut postgres::Client) -> Option<(String, bool)> {
    db.query_opt("SELECT runner, ok FROM job_runs WHERE job = 'osv'", &[])
        .unwrap()
        .map(|r| {
            (
                r.get::<_, Option<String>>(0).unwrap_or_default(),
                r.get::<_, Option<i64>>(1) == Some(1),
            )
        })
}

/// The PostgreSQL sessions holding the scheduler's leader lock. It is the only advisory
/// lock with a 64-bit key: the store's transaction locks (migrations, matching) have
/// keys below 2^32.
fn scheduler_lock_holders(db: &mut postgres::Client) -> Vec<i32> {
    db.query(
        "SELECT pid FROM pg_locks
         WHERE locktype = 'advisory' AND granted AND classid <> 0
           AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
        &[],
    )
    .unwrap()
    .iter()
    .map(|r| r.get(0))
    .collect()
}

// ---------------------------------------------------------------------------------------

#[test]
fn replicas_share_writes_tokens_alerts_and_the_scheduler() {
    let test = "replicas";
    let Some(database) = Database::create(test) else {
        return;
    };
    let url = database.url.as_str();
    let mut db = database.client();
    let admin = vigil(url, &["init", "--format", "json"])["admin_token"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let publisher = vigil(
        url,
        &["token", "create", "--role", "publisher", "--format", "json"],
    )["token"]
        .as_str()
        .unwrap()
        .to_owned();

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
    let (port, _hook, alerts) = receiver();
    let work = tempfile::tempdir().unwrap();
    let config = work.path().join("vigil.toml");
    std::fs::write(
        &config,
        format!(
            r#"listen = "127.0.0.1:0"
[api]
affected_cache_max_age_ms = 3600000
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

    let mut replicas = [
        Replica::start("replica-a", url, &config),
        Replica::start("replica-b", url, &config),
    ];

    // The scheduler: one replica takes the lock and syncs the feed.
    let leader = eventually("a first OSV sync", Duration::from_secs(30), || {
        osv_run(&mut db).and_then(|(runner, ok)| ok.then_some(runner))
    });
    let held = replicas
        .iter()
        .position(|r| r.runner() == leader)
        .unwrap_or_else(|| panic!("the OSV sync ran in {leader}, which is neither replica"));
    let other = 1 - held;
    let holders = scheduler_lock_holders(&mut db);
    assert_eq!(holders.len(), 1, "one session holds the scheduler lock");
    let leads = "this process runs the scheduled syncs";
    assert!(replicas[held].logged(leads));
    assert!(
        !replicas[other].logged(leads),
        "{} took the scheduler lock too",
        replicas[other].name
    );

    // (a) Written through A, read through B. B keeps its answer of `affected` for an
    // hour: seeing A's writes within seconds is the notification's doing.
    let (a, b) = (&replicas[0], &replicas[1]);
    for _ in 0..2 {
        let (s, r) = b.get("/api/v1/affected/GHSA-aaaa-aaaa-aaaa", &publisher);
        assert_eq!(s, 200, "{r}");
        assert_eq!(r["services"], json!([]), "{r}");
    }
    for service in SERVICES {
        let sbom = json!({"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
            "components": [{"type": "library", "name": "left-pad", "version": "1.1.0", "purl": "pkg:npm/left-pad@1.1.0"},
                           {"type": "library", "name": "lodash", "version": "4.17.20", "purl": "pkg:npm/lodash@4.17.20"}]});
        let (s, r) = a.post(
            "/api/v1/releases",
            &publisher,
            &json!({"service": service, "version": "1.0.0", "sbom": sbom, "owner": "payments"}),
        );
        assert_eq!(s, 201, "{r}");
        assert_eq!(r["findings"], 1, "{r}");
        let (s, r) = a.post(
            "/api/v1/deployments",
            &publisher,
            &json!({"environment": "production", "service": service, "version": "1.0.0"}),
        );
        assert_eq!(s, 201, "{r}");
        assert_eq!(r["alerts"], 1, "{r}");
    }
    let (s, r) = b.get("/api/v1/releases", &publisher);
    assert_eq!(s, 200, "{r}");
    let released: BTreeSet<&str> = r["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["service"].as_str().unwrap())
        .collect();
    assert_eq!(released, BTreeSet::from(SERVICES));
    let r = eventually(
        "the other replica's kept answer to follow the deployments",
        Duration::from_secs(10),
        || {
            let (s, r) = b.get("/api/v1/affected/GHSA-aaaa-aaaa-aaaa", &publisher);
            assert_eq!(s, 200, "{r}");
            (r["services"].as_array().map(Vec::len) == Some(SERVICES.len())).then_some(r)
        },
    );
    assert_eq!(r["environments"], json!(["production"]));
    assert_eq!(r["services"], json!(["billing", "cart", "checkout"]));

    // (d) Both replicas dispatch; each alert reaches the webhook once.
    let mut keys = BTreeSet::new();
    for _ in SERVICES {
        let (key, alert) = next_alert(&alerts);
        assert_eq!(alert["kind"], "deployment");
        assert!(keys.insert(key.clone()), "{key} was delivered twice");
    }
    let deliveries = eventually(
        "the deliveries to be recorded",
        Duration::from_secs(10),
        || {
            let rows = db
                .query(
                    "SELECT state, attempts FROM alert_deliveries ORDER BY id",
                    &[],
                )
                .unwrap();
            let rows: Vec<(String, i64)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
            (rows.len() == SERVICES.len() && rows.iter().all(|(s, _)| s != "pending"))
                .then_some(rows)
        },
    );
    assert_eq!(
        deliveries,
        vec![("delivered".to_owned(), 1); SERVICES.len()],
        "each delivery was claimed by one replica, once"
    );

    // (c) A token revoked through one replica is refused by the other, which had it
    // cached: the cache lives a minute, so a refusal within seconds is the notification's.
    let (s, made) = b.post(
        "/api/v1/tokens",
        &admin,
        &json!({"name": "short-lived", "role": "reader"}),
    );
    assert_eq!(s, 201, "{made}");
    let (id, reader) = (
        made["id"].as_str().unwrap(),
        made["token"].as_str().unwrap(),
    );
    assert_eq!(b.get("/api/v1/status", reader).0, 200);
    assert_eq!(a.get("/api/v1/status", reader).0, 200);
    let (s, r) = a.delete(&format!("/api/v1/tokens/{id}"), &admin);
    assert_eq!(s, 200, "{r}");
    assert!(r["revoked_at"].is_string(), "{r}");
    assert_eq!(a.get("/api/v1/status", reader).0, 401);
    eventually(
        "the other replica to refuse the revoked token",
        Duration::from_secs(10),
        || (b.get("/api/v1/status", reader).0 == 401).then_some(()),
    );
    assert_eq!(b.get("/api/v1/status", &publisher).0, 200);

    // (b) Still the one leader after all that; then it dies without a word, and the
    // other takes the lock and syncs.
    assert!(
        !replicas[other].logged(leads),
        "{} took the scheduler lock too",
        replicas[other].name
    );
    assert_eq!(scheduler_lock_holders(&mut db), holders);
    replicas[held].kill();
    let survivor = &replicas[other];
    eventually(
        "the survivor to run the OSV sync",
        Duration::from_secs(30),
        || {
            osv_run(&mut db)
                .and_then(|(runner, ok)| (ok && runner == survivor.runner()).then_some(()))
        },
    );
    assert!(survivor.logged(leads));
    let now_holding = scheduler_lock_holders(&mut db);
    assert_eq!(now_holding.len(), 1, "one session holds the scheduler lock");
    assert_ne!(now_holding, holders, "the lock moved to another session");

    // A new advisory reaches findings, and the owner, through the survivor alone.
    bucket.publish_json(
        "npm",
        vec![advisory(
            "GHSA-bbbb-bbbb-bbbb",
            "lodash",
            "4.17.21",
            "2024-02-01T00:00:00Z",
        )],
    );
    let affected = eventually(
        "the new advisory to affect the services",
        Duration::from_secs(30),
        || {
            let (s, r) = survivor.get("/api/v1/affected/GHSA-bbbb-bbbb-bbbb", &publisher);
            (s == 200 && r["services"].as_array().is_some_and(|s| !s.is_empty())).then_some(r)
        },
    );
    assert_eq!(affected["services"], json!(["billing", "cart", "checkout"]));
    for _ in SERVICES {
        let (key, alert) = next_alert(&alerts);
        assert_eq!(alert["kind"], "advisory");
        assert_eq!(alert["advisories"][0]["id"], "GHSA-bbbb-bbbb-bbbb");
        assert!(keys.insert(key.clone()), "{key} was delivered twice");
    }
    assert!(
        alerts.recv_timeout(Duration::from_secs(2)).is_err(),
        "an alert was delivered twice"
    );
}
