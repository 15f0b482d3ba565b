//! The web console in a real headless Chromium: builds the demo store, makes an admin, a
//! triager and a reader token, starts `vigil serve` on a free port and runs the scenario
//! script `tests/browser/console.mjs` against it (how to run it: tests/browser/README.md).
//!
//! Without Chromium, Node.js or the script's npm packages it prints `SKIPPED browser`
//! and what to install, and passes; with `VIGIL_REQUIRE_BROWSER=1` (as CI sets) it fails.
#![allow(clippy::unwrap_used, reason = "tests panic on failure by design")]

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use serde_json::Value;

/// How long the scenario script may run before it is stopped; it takes well under a minute.
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(600);

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// What the script needs from the machine.
#[derive(Debug)]
struct Tools {
    chromium: PathBuf,
    node: PathBuf,
}

/// Finds Chromium, node and the npm packages, or says what is missing and how to get it.
fn tools(repo: &Path) -> Result<Tools, Vec<String>> {
    let mut missing = Vec::new();
    let chromium = std::env::var_os("VIGIL_CHROMIUM")
        .map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from);
    if !chromium.is_file() {
        missing.push(format!(
            "no Chromium at {} (apt-get install -y --no-install-recommends chromium, or set \
             VIGIL_CHROMIUM to a Chromium binary)",
            chromium.display()
        ));
    }
    let node = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join("node"))
            .find(|node| node.is_file())
    });
    if node.is_none() {
        missing.push("no `node` on PATH (install Node.js 20 or later)".to_owned());
    }
    let modules = repo.join("tests/browser/node_modules");
    for package in ["playwright-core", "axe-core"] {
        if !modules.join(package).join("package.json").is_file() {
            missing.push(format!(
                "no {package} in {} (run `npm ci` in tests/browser)",
                modules.display()
            ));
        }
    }
    match node {
        Some(node) if missing.is_empty() => Ok(Tools { chromium, node }),
        _ => Err(missing),
    }
}

/// `vigil` with none of the caller's `VIGIL_*` variables, which would point it at another
/// store or configuration than this test's.
fn vigil() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_vigil"));
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("VIGIL_") {
            command.env_remove(&name);
        }
    }
    command.env_remove("RUST_LOG");
    command
}

fn check(what: &str, out: &Output) {
    assert!(
        out.status.success(),
        "{what}: {}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Makes a token with `role`; returns its secret.
fn token(data: &Path, role: &str) -> String {
    let out = vigil()
        .arg("--data-dir")
        .arg(data)
        .args(["token", "create", "--name", &format!("browser-{role}")])
        .args(["--role", role, "--format", "json"])
        .output()
        .unwrap();
    check(&format!("vigil token create --role {role}"), &out);
    let made: Value = serde_json::from_slice(&out.stdout).unwrap();
    made["token"].as_str().unwrap().to_owned()
}

/// A child process that is killed when this goes out of scope, panics included.
#[derive(Debug)]
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Lines a child wrote, kept to show when something fails.
type Lines = Arc<Mutex<Vec<String>>>;

/// Prints what `from` writes, line by line, as it comes; `done` hears when it ends.
fn echo(from: impl Read + Send + 'static, done: mpsc::Sender<()>) {
    std::thread::spawn(move || {
        for line in BufReader::new(from).lines().map_while(Result::ok) {
            println!("{line}");
        }
        let _ = done.send(());
    });
}

/// The last `n` lines of `lines`.
fn tail(lines: &Lines, n: usize) -> String {
    let lines = lines.lock().unwrap();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// Starts `vigil serve` on a port of the system's choosing, with the feeds' scheduler
/// off (the test reaches nothing outside this machine); returns it, its base URL and
/// its log. Ready when `/readyz` answers 200.
fn serve(data: &Path) -> (Killed, String, Lines) {
    let mut child = vigil()
        .arg("--data-dir")
        .arg(data)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("VIGIL_SCHEDULER__OSV_INTERVAL_SECS", "0")
        .env("VIGIL_SCHEDULER__KEV_INTERVAL_SECS", "0")
        .env("VIGIL_SCHEDULER__EPSS_INTERVAL_SECS", "0")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let server = Killed(child);
    let log = Lines::default();
    let (tx, rx) = mpsc::channel();
    let lines = Arc::clone(&log);
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(rest) = line.split("listening on ").nth(1) {
                let _ = tx.send(rest.split_whitespace().next().unwrap_or("").to_owned());
            }
            lines.lock().unwrap().push(line);
        }
    });
    let Ok(base) = rx.recv_timeout(Duration::from_secs(60)) else {
        panic!(
            "vigil serve printed no address; its log:\n{}",
            tail(&log, 100)
        );
    };
    let ready = format!("{base}/readyz");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !ureq::get(&ready)
        .call()
        .is_ok_and(|r| r.status().as_u16() == 200)
    {
        assert!(
            Instant::now() < deadline,
            "{ready} never answered 200; the server's log:\n{}",
            tail(&log, 100)
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    (server, base, log)
}

/// Where the screenshots go: `VIGIL_SCREENSHOTS`, else `console-screenshots` in the
/// workspace's target directory, emptied first.
fn screenshots(repo: &Path) -> PathBuf {
    if let Some(dir) = std::env::var_os("VIGIL_SCREENSHOTS") {
        std::fs::create_dir_all(&dir).unwrap();
        return PathBuf::from(dir).canonicalize().unwrap();
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| repo.join("target"), |dir| repo.join(dir));
    let dir = target.join("console-screenshots");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.canonicalize().unwrap()
}

#[test]
fn console_works_in_a_real_browser() {
    let repo = repo();
    let tools = match tools(&repo) {
        Ok(tools) => tools,
        Err(missing) => {
            let reason = missing.join("; ");
            assert!(
                std::env::var("VIGIL_REQUIRE_BROWSER").as_deref() != Ok("1"),
                "VIGIL_REQUIRE_BROWSER=1 but {reason}"
            );
            println!("SKIPPED browser: {reason}");
            return;
        }
    };

    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("demo");
    let out = vigil()
        .arg("demo")
        .arg("--dir")
        .arg(&data)
        .args(["--no-serve", "--format", "json"])
        .output()
        .unwrap();
    check("vigil demo --no-serve", &out);
    let admin = token(&data, "admin");
    let triager = token(&data, "triager");
    let reader = token(&data, "reader");
    let (server, base, server_log) = serve(&data);
    let shots = screenshots(&repo);
    println!("console screenshots: {}", shots.display());

    let started = Instant::now();
    let mut child = Command::new(&tools.node)
        .arg("--test-reporter=spec")
        .arg(repo.join("tests/browser/console.mjs"))
        .current_dir(&repo)
        .env("VIGIL_CONSOLE_URL", &base)
        .env("VIGIL_ADMIN_TOKEN", &admin)
        .env("VIGIL_TRIAGER_TOKEN", &triager)
        .env("VIGIL_READER_TOKEN", &reader)
        .env("VIGIL_SCREENSHOTS", &shots)
        .env("VIGIL_CHROMIUM", &tools.chromium)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (done, ended) = mpsc::channel();
    echo(child.stdout.take().unwrap(), done.clone());
    echo(child.stderr.take().unwrap(), done);
    let mut script = Killed(child);
    let status = loop {
        if let Some(status) = script.0.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < SCRIPT_TIMEOUT,
            "console.mjs ran longer than {SCRIPT_TIMEOUT:?} (its output is above)"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    // Its last lines, before the verdict. A browser it left running may hold the pipes
    // open, so this waits a little, not for ever.
    for _ in 0..2 {
        let _ = ended.recv_timeout(Duration::from_secs(5));
    }
    println!(
        "console.mjs took {:.1} s; screenshots in {}",
        started.elapsed().as_secs_f64(),
        shots.display()
    );
    drop(server);
    assert!(
        status.success(),
        "console.mjs failed ({status}): its output is above; the end of the server's log:\n{}",
        tail(&server_log, 100)
    );
}
