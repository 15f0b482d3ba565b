//! Checks on the answers to requests made for them: exposed files, backup copies of
//! crawled files, TRACE.
//!
//! A 200 is never enough: many sites answer 200 to any path with a "not found" page or
//! their single-page app (a soft 404). So before probing, the scan fetches a path that
//! cannot exist ([`NOT_FOUND_PATH`]) and keeps the answer as a [`Baseline`]; a probe's
//! answer that looks like it is not a hit. Each file must also look like what it is
//! (`ref: refs/...` for `.git/HEAD`, `KEY=value` lines for `.env`, the Bud1 magic for
//! `.DS_Store`).

use crate::catalog::{BACKUP_FILE, EXPOSED_DS_STORE, EXPOSED_ENV, EXPOSED_GIT, TRACE};
use crate::report::Observation;
use crate::response::{Method, Response};

/// A path no site has, fetched to learn how the site answers for missing pages. Fixed,
/// so a debug page found there is the same finding in every scan.
pub(crate) const NOT_FOUND_PATH: &str = "/vigil-dast-404-check-7f3e9a1c";

/// The header sent with the TRACE request; an echo of it proves the request came back.
pub(crate) const TRACE_HEADER: (&str, &str) = ("x-vigil-dast-trace", "echo-7f3e9a1c");

/// How the site answers a request for a path that does not exist.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Baseline {
    status: u16,
    media_type: Option<String>,
    body: String,
}

impl Baseline {
    /// Learns from `response`, the answer for `path`.
    pub(crate) fn learn(response: &Response, path: &str) -> Baseline {
        Baseline {
            status: response.status,
            media_type: response.media_type(),
            body: normalized(&response.text(), path),
        }
    }

    /// Whether the site answers 2xx for paths that do not exist.
    fn soft(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// Whether `response`, the answer for `path`, is the site's not-found answer: the same
    /// status and the same body once the requested path is taken out of both.
    pub(crate) fn is_not_found(&self, response: &Response, path: &str) -> bool {
        response.status == self.status && normalized(&response.text(), path) == self.body
    }
}

/// `body` with `path` (as sent and percent-decoded) and its last segment removed, so that
/// "/x was not found" and "/y was not found" compare equal.
fn normalized(body: &str, path: &str) -> String {
    let mut text = body.to_owned();
    let decoded = percent_decode(path);
    let last = path.rsplit('/').next().unwrap_or_default();
    let last_decoded = percent_decode(last);
    for needle in [path, decoded.as_str(), last, last_decoded.as_str()] {
        if needle.len() > 1 {
            text = text.replace(needle, "");
        }
    }
    text.trim().to_owned()
}

fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// A file that must not be served, where to ask for it, and how to recognize it.
pub(crate) struct Exposed {
    pub(crate) path: &'static str,
    recognize: fn(&Response) -> Option<String>,
    check: &'static crate::Check,
}

/// The exposed-file probes, in the order they are sent.
pub(crate) const EXPOSED: &[Exposed] = &[
    Exposed {
        path: ".git/HEAD",
        recognize: git_head,
        check: &EXPOSED_GIT,
    },
    Exposed {
        path: ".env",
        recognize: dotenv,
        check: &EXPOSED_ENV,
    },
    Exposed {
        path: ".DS_Store",
        recognize: ds_store,
        check: &EXPOSED_DS_STORE,
    },
];

impl Exposed {
    /// A finding when `response` (to a GET of this file at `path`) is the file.
    pub(crate) fn judge(
        &self,
        response: &Response,
        path: &str,
        baseline: &Baseline,
    ) -> Option<Observation> {
        if response.status != 200 || baseline.is_not_found(response, path) {
            return None;
        }
        (self.recognize)(response)
            .map(|evidence| Observation::new(self.check, &response.url, evidence))
    }
}

/// `ref: refs/heads/main`, or a bare commit id (a detached HEAD).
fn git_head(response: &Response) -> Option<String> {
    if response.body.len() > 512 {
        return None;
    }
    let text = response.text();
    let line = text.trim();
    let detached = matches!(line.len(), 40 | 64) && line.bytes().all(|b| b.is_ascii_hexdigit());
    (line.starts_with("ref: refs/") || detached).then(|| line.to_owned())
}

/// Mostly `NAME=value` lines, and not a web page. The evidence names the variables,
/// never their values.
fn dotenv(response: &Response) -> Option<String> {
    if response.is_html() || response.text().trim_start().starts_with('<') {
        return None;
    }
    let text = response.text();
    let mut lines = 0;
    let mut names: Vec<&str> = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        lines += 1;
        let line = line.strip_prefix("export ").unwrap_or(line);
        if let Some((name, _)) = line.split_once('=') {
            let name = name.trim_end();
            let mut bytes = name.bytes();
            let valid = bytes
                .next()
                .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
                && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.');
            if valid {
                names.push(name);
            }
        }
    }
    // Multi-line values (keys, certificates) make lines that are not assignments; most
    // must still be.
    if names.is_empty() || names.len() * 2 < lines {
        return None;
    }
    let shown: Vec<&str> = names.iter().take(8).copied().collect();
    let more = names.len() - shown.len();
    let mut evidence = format!("{} variables: {}", names.len(), shown.join(", "));
    if more > 0 {
        evidence.push_str(&format!(" and {more} more"));
    }
    Some(evidence)
}

/// The `.DS_Store` magic: `00 00 00 01` then `Bud1`.
fn ds_store(response: &Response) -> Option<String> {
    response
        .body
        .starts_with(b"\x00\x00\x00\x01Bud1")
        .then(|| format!("Bud1 file, {} bytes", response.body.len()))
}

/// Extensions of files whose backup copies are worth asking for: server-side code,
/// configuration and pages. A copy of a stylesheet or an image shows nothing new.
const BACKUP_EXTENSIONS: &[&str] = &[
    "php", "php3", "php4", "php5", "php7", "phtml", "inc", "asp", "aspx", "ascx", "ashx", "asmx",
    "jsp", "jspx", "do", "action", "cfm", "cgi", "pl", "py", "rb", "erb", "config", "conf", "ini",
    "yml", "yaml", "sql", "html", "htm", "shtml",
];

/// Whether the file at `path` is one whose backup copies are probed.
pub(crate) fn backup_worthy(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    name.rsplit_once('.').is_some_and(|(stem, ext)| {
        !stem.is_empty() && BACKUP_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str())
    })
}

/// Names to try for backup copies of the file at `path`: `path.bak`, `path.old`, `path~`
/// and vim's `.name.swp` beside it; none unless [`backup_worthy`].
pub(crate) fn backup_paths(path: &str) -> Vec<String> {
    if !backup_worthy(path) {
        return Vec::new();
    }
    let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
    vec![
        format!("{path}.bak"),
        format!("{path}.old"),
        format!("{path}~"),
        format!("{dir}/.{name}.swp"),
    ]
}

/// A finding when `response` (to a GET of backup candidate `path`) is a file, not the
/// site's not-found answer.
pub(crate) fn backup(response: &Response, path: &str, baseline: &Baseline) -> Option<Observation> {
    if response.status != 200 || response.body.is_empty() || baseline.is_not_found(response, path) {
        return None;
    }
    let swap = path.ends_with(".swp");
    if swap && !response.body.starts_with(b"b0VIM") {
        return None;
    }
    // A site that answers 2xx for anything may vary its not-found page (a timestamp, a
    // token): an answer of the same type as that page is not taken as a file.
    let media_type = response.media_type();
    if !swap && baseline.soft() && media_type == baseline.media_type {
        return None;
    }
    Some(Observation::new(
        &BACKUP_FILE,
        &response.url,
        format!(
            "HTTP 200, {} bytes{}",
            response.body.len(),
            media_type.map(|t| format!(", {t}")).unwrap_or_default()
        ),
    ))
}

/// A finding when `response` to the TRACE request echoes it back.
pub(crate) fn trace(response: &Response) -> Option<Observation> {
    if response.method != Method::Trace || response.status != 200 {
        return None;
    }
    let text = response.text();
    let echoed = text.starts_with("TRACE ")
        && text
            .to_ascii_lowercase()
            .contains(&format!("{}: {}", TRACE_HEADER.0, TRACE_HEADER.1));
    echoed.then(|| {
        Observation::new(
            &TRACE,
            &response.url,
            format!(
                "TRACE answered 200 and echoed the request: {}",
                text.lines().next().unwrap_or_default()
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hard_404() -> Baseline {
        Baseline::learn(
            &Response::get("http://h/x", 404).with_body("Not Found"),
            NOT_FOUND_PATH,
        )
    }

    /// A site that answers 200 with a page naming the path for anything.
    fn soft_page(path: &str) -> Response {
        Response::get(format!("http://h{path}"), 200)
            .with_header("content-type", "text/html")
            .with_body(format!("<html><p>Sorry, {path} is not here.</p></html>"))
    }

    fn judge(path: &str, response: &Response, baseline: &Baseline) -> Option<String> {
        let exposed = EXPOSED.iter().find(|e| path.ends_with(e.path))?;
        exposed.judge(response, path, baseline).map(|o| o.evidence)
    }

    #[test]
    fn git_head_by_content() {
        let head = Response::get("http://h/.git/HEAD", 200).with_body("ref: refs/heads/main\n");
        assert_eq!(
            judge("/.git/HEAD", &head, &hard_404()).as_deref(),
            Some("ref: refs/heads/main")
        );
        let detached = Response::get("http://h/.git/HEAD", 200)
            .with_body("0123456789abcdef0123456789abcdef01234567\n");
        assert!(judge("/.git/HEAD", &detached, &hard_404()).is_some());
        let page = Response::get("http://h/.git/HEAD", 200).with_body("<html>welcome</html>");
        assert_eq!(judge("/.git/HEAD", &page, &hard_404()), None);
    }

    #[test]
    fn dotenv_names_variables_only() {
        let env = Response::get("http://h/.env", 200).with_body(
            "# settings\nAPP_KEY=base64:secret\nexport DB_PASSWORD=hunter2\n\nDEBUG=true\n",
        );
        assert_eq!(
            judge("/.env", &env, &hard_404()).as_deref(),
            Some("3 variables: APP_KEY, DB_PASSWORD, DEBUG")
        );
        let prose = Response::get("http://h/.env", 200)
            .with_body("Nothing here.\nReally = nothing\nat all\n");
        assert_eq!(judge("/.env", &prose, &hard_404()), None);
        let html = Response::get("http://h/.env", 200)
            .with_header("content-type", "text/html")
            .with_body("A=1\nB=2");
        assert_eq!(judge("/.env", &html, &hard_404()), None);
    }

    #[test]
    fn ds_store_by_magic() {
        let file = Response::get("http://h/.DS_Store", 200)
            .with_body(&b"\x00\x00\x00\x01Bud1\x00\x00\x10\x00"[..]);
        assert_eq!(
            judge("/.DS_Store", &file, &hard_404()).as_deref(),
            Some("Bud1 file, 12 bytes")
        );
        assert_eq!(
            judge(
                "/.DS_Store",
                &Response::get("http://h/.DS_Store", 200).with_body("Bud1"),
                &hard_404()
            ),
            None
        );
    }

    #[test]
    fn soft_404_answers_are_not_hits() {
        let baseline = Baseline::learn(&soft_page(NOT_FOUND_PATH), NOT_FOUND_PATH);
        for path in ["/.git/HEAD", "/.env", "/.DS_Store"] {
            assert_eq!(judge(path, &soft_page(path), &baseline), None, "{path}");
        }
        // A plain-text soft 404 that happens to look like an assignment.
        let text_404 = |path: &str| {
            Response::get(format!("http://h{path}"), 200)
                .with_body(format!("error=not found: {path}"))
        };
        let baseline = Baseline::learn(&text_404(NOT_FOUND_PATH), NOT_FOUND_PATH);
        assert_eq!(judge("/.env", &text_404("/.env"), &baseline), None);
    }

    #[test]
    fn backup_candidates() {
        assert_eq!(
            backup_paths("/app/index.php"),
            [
                "/app/index.php.bak",
                "/app/index.php.old",
                "/app/index.php~",
                "/app/.index.php.swp"
            ]
        );
        assert!(backup_paths("/app/").is_empty());
        assert!(backup_paths("/about").is_empty());
        assert!(backup_paths("/static/site.css").is_empty());
        assert!(backup_paths("/.htaccess").is_empty());
        assert_eq!(backup_paths("/Default.ASPX").len(), 4);
    }

    #[test]
    fn backups_against_hard_and_soft_404s() {
        let source = Response::get("http://h/index.php.bak", 200)
            .with_header("content-type", "application/octet-stream")
            .with_body("<?php echo 'hi';");
        assert!(backup(&source, "/index.php.bak", &hard_404()).is_some());
        let soft = Baseline::learn(&soft_page(NOT_FOUND_PATH), NOT_FOUND_PATH);
        assert!(backup(&soft_page("/index.php.bak"), "/index.php.bak", &soft).is_none());
        // A soft-404 page that changes per request is still not taken for a file.
        let varying = soft_page("/index.php.bak").with_body("<html>request 7</html>");
        assert!(backup(&varying, "/index.php.bak", &soft).is_none());
        assert!(backup(&source, "/index.php.bak", &soft).is_some());
        let not_swap = Response::get("http://h/.index.php.swp", 200).with_body("hello");
        assert!(backup(&not_swap, "/.index.php.swp", &hard_404()).is_none());
    }

    #[test]
    fn trace_echo() {
        let mut echo = Response::get("http://h/", 200).with_body(format!(
            "TRACE / HTTP/1.1\r\nHost: h\r\n{}: {}\r\n\r\n",
            TRACE_HEADER.0, TRACE_HEADER.1
        ));
        echo.method = Method::Trace;
        assert_eq!(
            trace(&echo).map(|o| o.evidence).as_deref(),
            Some("TRACE answered 200 and echoed the request: TRACE / HTTP/1.1")
        );
        let mut refused = Response::get("http://h/", 405);
        refused.method = Method::Trace;
        assert!(trace(&refused).is_none());
        let mut ignored = Response::get("http://h/", 200).with_body("<html>home</html>");
        ignored.method = Method::Trace;
        assert!(trace(&ignored).is_none());
    }
}
