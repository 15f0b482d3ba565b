#![allow(clippy::unwrap_used, reason = "tests panic on failure by design")]
//! Whole scans against servers the tests start: a deliberately weak site that must yield
//! exactly the expected checks, and a well-configured one (answering 200 to any path)
//! that must yield none. Each server records every request it gets, so the tests also
//! see what the scanner sent and what it never did.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use vigil_dast::{Report, ScanConfig, SkipReason, scan};

/// One request as the server read it.
#[derive(Clone, Debug)]
struct Request {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
}

impl Request {
    fn path(&self) -> &str {
        self.target.split('?').next().unwrap()
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            status,
            headers: vec![("Content-Type".to_owned(), content_type.to_owned())],
            body: body.into(),
        }
    }

    fn html(body: &str) -> Reply {
        Reply::new(200, "text/html; charset=utf-8", body)
    }

    fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }
}

type Handler = dyn Fn(&Request) -> Reply + Send + Sync;

/// A one-connection-at-a-time HTTP/1.1 server on 127.0.0.1 that closes every connection
/// after its response and logs each request.
struct Server {
    url: String,
    log: Arc<Mutex<Vec<Request>>>,
}

impl Server {
    fn start(handler: Arc<Handler>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let log = Arc::new(Mutex::new(Vec::new()));
        let thread_log = Arc::clone(&log);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                if let Some(request) = read_request(&stream) {
                    thread_log.lock().unwrap().push(request.clone());
                    let _ = write_reply(stream, &handler(&request));
                }
            }
        });
        Server { url, log }
    }

    fn requests(&self) -> Vec<Request> {
        self.log.lock().unwrap().clone()
    }

    fn paths(&self) -> BTreeSet<String> {
        self.requests()
            .iter()
            .map(|r| r.path().to_owned())
            .collect()
    }
}

fn read_request(stream: &TcpStream) -> Option<Request> {
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_owned();
    let target = parts.next()?.to_owned();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':')?;
        headers.push((name.trim().to_owned(), value.trim().to_owned()));
    }
    Some(Request {
        method,
        target,
        headers,
    })
}

fn write_reply(mut stream: TcpStream, reply: &Reply) -> std::io::Result<()> {
    let mut head = format!("HTTP/1.1 {} X\r\n", reply.status);
    for (name, value) in &reply.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        reply.body.len()
    ));
    stream.write_all(head.as_bytes())?;
    stream.write_all(&reply.body)?;
    stream.flush()
}

/// A site that records any request and must get none: the target of off-origin links.
fn elsewhere() -> Server {
    Server::start(Arc::new(|_: &Request| Reply::html("<p>elsewhere</p>")))
}

/// Everything wrong at once: no security headers, a leaky Server and X-Powered-By, a
/// session cookie without flags, CORS that echoes any Origin with credentials, a directory
/// listing, /.git/HEAD, /.env, /.DS_Store and index.php.bak served, TRACE echoed, and a
/// Werkzeug debugger when a quote reaches the app. robots.txt disallows /private.
fn weak_site(other: &str) -> Server {
    let other = other.to_owned();
    let host = other.trim_start_matches("http://").to_owned();
    Server::start(Arc::new(move |request: &Request| {
        if request.method == "TRACE" {
            let mut echo = format!("TRACE {} HTTP/1.1\r\n", request.target);
            for (name, value) in &request.headers {
                echo.push_str(&format!("{name}: {value}\r\n"));
            }
            return Reply::new(200, "message/http", echo);
        }
        if request.target.contains("%27") {
            let page = include_str!("fixtures/werkzeug-debug.html");
            return Reply::new(500, "text/html; charset=utf-8", page)
                .header("Server", "Werkzeug/2.0.1 Python/3.9.2");
        }
        let reply = match request.path() {
            path if path.ends_with("/steal.php") => Reply::html("<p>a page</p>"),
            "/robots.txt" => Reply::new(200, "text/plain", "User-agent: *\nDisallow: /private\n"),
            "/" => Reply::html(&format!(
                r#"<!doctype html><title>Shop</title>
                <a href="/about.html">About</a> <a href="/files/">Files</a>
                <a href="/private/secret">Staff</a> <a href="{other}/external">Partner</a>
                <a href="/go">Go</a> <a href="/d1">Deeper</a> <a href="/csp">CSP</a>
                <a href="/index.php#top">Home</a> <a href="mailto:shop@example.com">Mail</a>
                <a href="/.//{host}/steal.php">A path that looks like a host</a>
                <form action="/login" method="POST"><input name="user"></form>"#
            ))
            .header("Set-Cookie", "PHPSESSID=abc123; path=/"),
            "/about.html" => {
                Reply::html(r#"<script src="/static/app.js"></script><p>About us</p>"#)
            }
            "/static/app.js" => Reply::new(200, "application/javascript", "console.log(1)"),
            "/files/" => Reply::html(
                "<html><head><title>Index of /files</title></head><body><h1>Index of /files</h1>\
                 <a href=\"report.pdf\">report.pdf</a></body></html>",
            ),
            "/files/report.pdf" => Reply::new(200, "application/pdf", "%PDF-1.4"),
            "/csp" => Reply::html("<p>inline scripts welcome</p>").header(
                "Content-Security-Policy",
                "script-src 'self' 'unsafe-inline'",
            ),
            "/go" => {
                Reply::new(302, "text/html", "").header("Location", &format!("{other}/redirected"))
            }
            "/d1" => Reply::html(r#"<a href="/d2">2</a>"#),
            "/d2" => Reply::html(r#"<a href="/d3">3</a>"#),
            "/d3" => Reply::html(r#"<a href="/d4">4</a>"#),
            "/d4" => Reply::html("<p>too deep</p>"),
            "/index.php" => Reply::html("<p>Welcome</p>"),
            "/index.php.bak" => Reply::new(200, "application/octet-stream", "<?php $db = 'x'; ?>"),
            "/.git/HEAD" => Reply::new(200, "text/plain", "ref: refs/heads/main\n"),
            "/.env" => Reply::new(
                200,
                "text/plain",
                "APP_KEY=base64:c2VjcmV0\nDB_PASSWORD=hunter2\n",
            ),
            "/.DS_Store" => Reply::new(
                200,
                "application/octet-stream",
                &b"\x00\x00\x00\x01Bud1\x00\x00"[..],
            ),
            _ => Reply::new(404, "text/html", "<h1>Not Found</h1>"),
        };
        let mut reply = reply
            .header("Server", "Apache/2.4.41 (Ubuntu)")
            .header("X-Powered-By", "PHP/7.4.3");
        if let Some(origin) = request.header("Origin") {
            reply = reply
                .header("Access-Control-Allow-Origin", origin)
                .header("Access-Control-Allow-Credentials", "true");
        }
        reply
    }))
}

/// Everything right, and a soft 404: any unknown path gets 200 and a page naming it.
fn good_site(other: &str) -> Server {
    let other = other.to_owned();
    Server::start(Arc::new(move |request: &Request| {
        let reply = if request.method != "GET" && request.method != "HEAD" {
            Reply::new(405, "text/plain", "Method Not Allowed").header("Allow", "GET, HEAD")
        } else if request.target.contains("%27") {
            Reply::new(400, "text/html", "<h1>Bad request</h1>")
        } else {
            match request.path() {
                "/robots.txt" => Reply::new(200, "text/plain", "User-agent: *\nDisallow: /admin\n"),
                "/" => Reply::html(&format!(
                    r#"<!doctype html><html><head><title>Shop</title>
                    <link rel="stylesheet" href="/static/site.css">
                    <script src="/static/app.js"></script></head>
                    <body><img src="/logo.png"><a href="/about">About</a>
                    <a href="/products/">Products</a> <a href="{other}/partner">Partner</a>
                    <a href="/admin/">Admin</a>
                    <form action="/search" method="get"><input name="q"></form></body></html>"#
                ))
                .header(
                    "Set-Cookie",
                    "session=abc123; Path=/; HttpOnly; SameSite=Lax",
                ),
                "/about" => Reply::html("<p>About us</p>"),
                "/products/" => Reply::html(r#"<a href="/products/widget.html">Widget</a>"#),
                "/products/widget.html" => Reply::html("<p>A widget</p>"),
                "/static/site.css" => Reply::new(200, "text/css", "body{}"),
                "/static/app.js" => Reply::new(200, "application/javascript", "console.log(1)"),
                "/logo.png" => Reply::new(200, "image/png", &b"\x89PNG\r\n\x1a\n"[..]),
                path => Reply::html(&format!(
                    "<html><body><h1>Page not found</h1><p>We could not find {path}.</p></body></html>"
                )),
            }
        };
        let mut reply = reply
            .header("Server", "nginx")
            .header(
                "Content-Security-Policy",
                "default-src 'self'; object-src 'none'; frame-ancestors 'none'",
            )
            .header("X-Content-Type-Options", "nosniff")
            .header("X-Frame-Options", "DENY")
            .header("Referrer-Policy", "strict-origin-when-cross-origin");
        if request.header("Origin") == Some("https://app.example.com") {
            reply = reply
                .header("Access-Control-Allow-Origin", "https://app.example.com")
                .header("Access-Control-Allow-Credentials", "true");
        }
        reply
    }))
}

fn config(url: &str) -> ScanConfig {
    let mut config = ScanConfig::new(format!("{url}/"));
    config.requests_per_second = 1000;
    config.timeout = Duration::from_secs(5);
    config
}

fn ids(report: &Report) -> BTreeSet<&'static str> {
    report.findings.iter().map(|f| f.check.id).collect()
}

fn finding<'a>(report: &'a Report, id: &str) -> &'a vigil_dast::Finding {
    report
        .findings
        .iter()
        .find(|f| f.check.id == id)
        .unwrap_or_else(|| panic!("no {id} finding in {:#?}", report.findings))
}

#[test]
fn weak_site_yields_exactly_the_expected_checks() {
    let other = elsewhere();
    let site = weak_site(&other.url);
    let report = scan(&config(&site.url)).unwrap();

    let expected: BTreeSet<&str> = [
        "csp-missing",
        "csp-unsafe",
        "content-type-options",
        "frame-protection",
        "referrer-policy-missing",
        "cookie-no-httponly",
        "cookie-no-samesite",
        "server-version",
        "framework-disclosure",
        "cors-credentials-reflected",
        "directory-listing",
        "exposed-git",
        "exposed-env",
        "exposed-ds-store",
        "backup-file",
        "trace-enabled",
        "debug-page",
    ]
    .into_iter()
    .collect();
    assert_eq!(ids(&report), expected, "{:#?}", report.findings);

    // Site-wide findings are one per site, listing the pages.
    let csp = finding(&report, "csp-missing");
    assert_eq!(csp.url, format!("{}/", site.url));
    assert!(csp.count >= 5, "{csp:#?}");
    assert_eq!(
        report
            .findings
            .iter()
            .filter(|f| f.check.id == "csp-missing")
            .count(),
        1
    );
    let cookie = finding(&report, "cookie-no-httponly");
    assert_eq!(cookie.param.as_deref(), Some("PHPSESSID"));
    assert!(!cookie.evidence.contains("abc123"), "{}", cookie.evidence);
    let env = finding(&report, "exposed-env");
    assert_eq!(env.url, format!("{}/.env", site.url));
    assert_eq!(env.evidence, "2 variables: APP_KEY, DB_PASSWORD");
    assert_eq!(
        finding(&report, "backup-file").url,
        format!("{}/index.php.bak", site.url)
    );
    assert_eq!(
        finding(&report, "directory-listing").url,
        format!("{}/files/", site.url)
    );
    assert_eq!(
        finding(&report, "debug-page").evidence,
        "Werkzeug debugger (HTTP 500)"
    );
    assert_eq!(
        finding(&report, "cors-credentials-reflected")
            .check
            .severity,
        vigil_dast::Severity::High
    );

    // Only GET, plus exactly one TRACE.
    let requests = site.requests();
    let methods: Vec<&str> = requests.iter().map(|r| r.method.as_str()).collect();
    assert!(
        methods
            .iter()
            .all(|m| matches!(*m, "GET" | "HEAD" | "OPTIONS" | "TRACE")),
        "{methods:?}"
    );
    assert_eq!(methods.iter().filter(|m| **m == "TRACE").count(), 1);
    assert_eq!(report.requests as usize, requests.len());

    // robots.txt, the depth limit and the origin were kept.
    let paths = site.paths();
    assert!(!paths.contains("/private/secret"), "{paths:?}");
    assert!(paths.contains("/d3") && !paths.contains("/d4"), "{paths:?}");
    assert!(paths.contains("/files/report.pdf"), "{paths:?}");
    // Regression: the backup probes of `/.//host/steal.php` once joined `//host/...` to
    // the base URL and asked the other server.
    assert!(other.requests().is_empty(), "{:?}", other.requests());
    let skipped = |reason: SkipReason| -> BTreeSet<String> {
        report
            .skipped
            .iter()
            .filter(|s| s.reason == reason)
            .map(|s| s.url.replace(&site.url, "").replace(&other.url, "OTHER"))
            .collect()
    };
    assert_eq!(
        skipped(SkipReason::Robots),
        BTreeSet::from(["/private/secret".to_owned()])
    );
    assert_eq!(
        skipped(SkipReason::OffOrigin),
        BTreeSet::from(["OTHER/external".to_owned(), "OTHER/redirected".to_owned()])
    );
    assert_eq!(
        skipped(SkipReason::Depth),
        BTreeSet::from(["/d4".to_owned()])
    );

    // The form was recorded, never submitted.
    assert_eq!(report.forms.len(), 1);
    assert_eq!(report.forms[0].action, format!("{}/login", site.url));
    assert_eq!(report.forms[0].method, "post");
    assert!(!paths.contains("/login"));
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert!(!report.limit_reached);
}

#[test]
fn well_configured_site_with_soft_404s_is_clean() {
    let other = elsewhere();
    let site = good_site(&other.url);
    let report = scan(&config(&site.url)).unwrap();
    assert!(report.findings.is_empty(), "{:#?}", report.findings);

    // The probes did ask, and every answer was the soft 404 page.
    let paths = site.paths();
    for probe in [
        "/.git/HEAD",
        "/.env",
        "/.DS_Store",
        "/products/widget.html.bak",
    ] {
        assert!(paths.contains(probe), "{probe} not requested: {paths:?}");
    }
    for page in [
        "/about",
        "/products/widget.html",
        "/static/site.css",
        "/static/app.js",
        "/logo.png",
    ] {
        assert!(paths.contains(page), "{page} not crawled: {paths:?}");
    }
    assert!(!paths.contains("/admin/"));
    assert!(other.requests().is_empty());
    let traces = site
        .requests()
        .iter()
        .filter(|r| r.method == "TRACE")
        .count();
    assert_eq!(traces, 1);
}

#[test]
fn request_limit_is_kept() {
    let other = elsewhere();
    let site = weak_site(&other.url);
    let mut config = config(&site.url);
    config.max_requests = 5;
    let report = scan(&config).unwrap();
    assert_eq!(report.requests, 5);
    assert_eq!(site.requests().len(), 5);
    assert!(report.limit_reached);
}

#[test]
fn without_probes_only_the_crawl_is_sent() {
    let other = elsewhere();
    let site = weak_site(&other.url);
    let mut config = config(&site.url);
    config.probes = false;
    let report = scan(&config).unwrap();
    let requests = site.requests();
    assert!(
        requests
            .iter()
            .all(|r| r.method == "GET" && r.header("Origin").is_none())
    );
    let paths = site.paths();
    assert!(
        !paths.contains("/.env") && !paths.contains("/index.php.bak"),
        "{paths:?}"
    );
    let found = ids(&report);
    assert!(found.contains("csp-missing") && found.contains("directory-listing"));
    assert!(!found.contains("exposed-env") && !found.contains("trace-enabled"));
}

#[test]
fn unreachable_target_is_an_error_not_a_clean_report() {
    // A port that was free a moment ago; nothing listens on it now.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let err = scan(&config(&format!("http://127.0.0.1:{port}"))).unwrap_err();
    assert!(
        err.to_string().starts_with(&format!(
            "no answer from http://127.0.0.1:{port}/robots.txt"
        )),
        "{err}"
    );
}

#[test]
fn refused_settings() {
    let err = scan(&ScanConfig::new("ftp://example.com/")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "target URL \"ftp://example.com/\": only http:// and https:// URLs can be scanned"
    );
    let err = scan(&ScanConfig::new("https://user:pw@example.com/")).unwrap_err();
    assert!(err.to_string().contains("credentials in the URL"), "{err}");
}

#[test]
fn report_serializes_with_check_details() {
    let other = elsewhere();
    let site = weak_site(&other.url);
    let mut config = config(&site.url);
    config.probes = false;
    config.max_depth = 0;
    let report = scan(&config).unwrap();
    let json = serde_json::to_value(&report).unwrap();
    let first = &json["findings"][0];
    assert!(first["check"]["id"].is_string() && first["check"]["cwe"].is_number());
    assert!(json["started"].as_str().unwrap().ends_with('Z'));
}
