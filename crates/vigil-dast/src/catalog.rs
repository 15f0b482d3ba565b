//! The catalogue of checks: each with a stable id, a CWE, a severity and the fix.
//!
//! Ids are readable slugs (`csp-missing`), stable across releases: findings in the store
//! are keyed by them, so a check is never renamed, only retired. Severities follow ZAP's
//! risk levels for the same alert where ZAP has one (High, Medium, Low, Informational);
//! none is Critical, because a passive scan proves exposure, not exploitation.

use serde::Serialize;

/// How bad a finding of a check is, in the order of the vulnerability findings' scale.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; nothing to fix on its own.
    Info,
    /// ZAP's Low risk.
    Low,
    /// ZAP's Medium risk.
    Medium,
    /// ZAP's High risk.
    High,
    /// Not used by any passive check today; kept so the scale matches vulnerabilities'.
    Critical,
}

impl Severity {
    /// The lowercase name, as in the JSON output: `info`, `low`, `medium`, `high`, `critical`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a check's findings are about the whole site or about one URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Headers and cookies a site sets everywhere: one finding per site (and header or
    /// cookie name), listing the pages that showed it.
    Site,
    /// Something at one URL (an exposed file, an error page): one finding per URL.
    Page,
}

/// One check the scanner runs.
#[derive(Debug, PartialEq, Eq, Serialize)]
pub struct Check {
    /// Stable slug, such as `csp-missing`.
    pub id: &'static str,
    /// One line saying what is wrong.
    pub title: &'static str,
    /// The CWE number (`693` for CWE-693).
    pub cwe: u32,
    /// How bad a finding is.
    pub severity: Severity,
    /// Whether findings are per site or per URL.
    pub scope: Scope,
    /// What to change, in a sentence or two.
    pub fix: &'static str,
    /// Where to read more.
    pub reference: &'static str,
}

/// Every check, in the order of `docs/dast.md`.
pub fn checks() -> &'static [Check] {
    CHECKS
}

/// The check with this id, if there is one.
pub fn check(id: &str) -> Option<&'static Check> {
    CHECKS.iter().find(|c| c.id == id)
}

macro_rules! mdn {
    ($header:literal) => {
        concat!(
            "https://developer.mozilla.org/en-US/docs/Web/HTTP/Reference/Headers/",
            $header
        )
    };
}

pub(crate) const CSP_MISSING: Check = Check {
    id: "csp-missing",
    title: "Content-Security-Policy header missing",
    cwe: 693,
    severity: Severity::Medium,
    scope: Scope::Site,
    fix: "Send a Content-Security-Policy header on every HTML response, starting from \
          `default-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'self'` \
          and adding the sources the pages need.",
    reference: mdn!("Content-Security-Policy"),
};

pub(crate) const CSP_UNSAFE: Check = Check {
    id: "csp-unsafe",
    title: "Content-Security-Policy allows inline or arbitrary scripts",
    cwe: 693,
    severity: Severity::Medium,
    scope: Scope::Site,
    fix: "Remove 'unsafe-inline', 'unsafe-eval' and wildcard or scheme-only sources from \
          script-src (or default-src); allow inline scripts by nonce or hash instead.",
    reference: "https://developer.mozilla.org/en-US/docs/Web/HTTP/Guides/CSP",
};

pub(crate) const HSTS: Check = Check {
    id: "hsts-missing",
    title: "Strict-Transport-Security missing or too short on HTTPS",
    cwe: 319,
    severity: Severity::Low,
    scope: Scope::Site,
    fix: "Send `Strict-Transport-Security: max-age=31536000; includeSubDomains` on every \
          HTTPS response (at least 180 days).",
    reference: mdn!("Strict-Transport-Security"),
};

pub(crate) const NOSNIFF: Check = Check {
    id: "content-type-options",
    title: "X-Content-Type-Options is not nosniff",
    cwe: 693,
    severity: Severity::Low,
    scope: Scope::Site,
    fix: "Send `X-Content-Type-Options: nosniff` on every response.",
    reference: mdn!("X-Content-Type-Options"),
};

pub(crate) const FRAME: Check = Check {
    id: "frame-protection",
    title: "No protection against framing (clickjacking)",
    cwe: 1021,
    severity: Severity::Medium,
    scope: Scope::Site,
    fix: "Send `Content-Security-Policy: frame-ancestors 'self'` (or 'none'), or \
          `X-Frame-Options: DENY` or `SAMEORIGIN`, on every HTML response.",
    reference: mdn!("Content-Security-Policy/frame-ancestors"),
};

pub(crate) const REFERRER_MISSING: Check = Check {
    id: "referrer-policy-missing",
    title: "Referrer-Policy header missing",
    cwe: 200,
    severity: Severity::Info,
    scope: Scope::Site,
    fix: "Send `Referrer-Policy: strict-origin-when-cross-origin` (or stricter) so the \
          policy does not depend on the browser's default.",
    reference: mdn!("Referrer-Policy"),
};

pub(crate) const REFERRER_UNSAFE: Check = Check {
    id: "referrer-policy-unsafe",
    title: "Referrer-Policy unsafe-url sends full URLs to other sites",
    cwe: 200,
    severity: Severity::Low,
    scope: Scope::Site,
    fix: "Replace `unsafe-url` with `strict-origin-when-cross-origin` or `no-referrer`.",
    reference: mdn!("Referrer-Policy"),
};

pub(crate) const COOKIE_SECURE: Check = Check {
    id: "cookie-no-secure",
    title: "Cookie set over HTTPS without the Secure flag",
    cwe: 614,
    severity: Severity::Low,
    scope: Scope::Site,
    fix: "Add `Secure` to the cookie so it is never sent over plain HTTP.",
    reference: mdn!("Set-Cookie"),
};

pub(crate) const COOKIE_HTTPONLY: Check = Check {
    id: "cookie-no-httponly",
    title: "Session cookie without the HttpOnly flag",
    cwe: 1004,
    severity: Severity::Low,
    scope: Scope::Site,
    fix: "Add `HttpOnly` to session and authentication cookies so scripts cannot read them.",
    reference: mdn!("Set-Cookie"),
};

pub(crate) const COOKIE_SAMESITE: Check = Check {
    id: "cookie-no-samesite",
    title: "Cookie without a valid SameSite attribute",
    cwe: 1275,
    severity: Severity::Low,
    scope: Scope::Site,
    fix: "Add `SameSite=Lax` (or `Strict`); use `SameSite=None` only together with `Secure` \
          for cookies that must be sent cross-site.",
    reference: mdn!("Set-Cookie"),
};

pub(crate) const SERVER_VERSION: Check = Check {
    id: "server-version",
    title: "Server header discloses a version",
    cwe: 497,
    severity: Severity::Low,
    scope: Scope::Site,
    fix: "Configure the server to send its name without a version (nginx `server_tokens off`, \
          Apache `ServerTokens Prod`), or no Server header at all.",
    reference: mdn!("Server"),
};

pub(crate) const FRAMEWORK: Check = Check {
    id: "framework-disclosure",
    title: "Response header discloses the framework or its version",
    cwe: 497,
    severity: Severity::Low,
    scope: Scope::Site,
    fix: "Stop sending X-Powered-By, X-AspNet-Version, X-AspNetMvc-Version and X-Generator \
          (Express `app.disable('x-powered-by')`, PHP `expose_php = Off`, ASP.NET \
          `enableVersionHeader=false`).",
    reference: "https://owasp.org/www-project-secure-headers/",
};

pub(crate) const CORS_REFLECTED: Check = Check {
    id: "cors-credentials-reflected",
    title: "CORS reflects any Origin and allows credentials",
    cwe: 942,
    severity: Severity::High,
    scope: Scope::Site,
    fix: "Answer Access-Control-Allow-Origin only for an allowlist of trusted origins; never \
          echo the request's Origin together with `Access-Control-Allow-Credentials: true`.",
    reference: mdn!("Access-Control-Allow-Origin"),
};

pub(crate) const CORS_WILDCARD: Check = Check {
    id: "cors-credentials-wildcard",
    title: "CORS allows any origin and credentials together",
    cwe: 942,
    severity: Severity::Low,
    scope: Scope::Site,
    fix: "Browsers refuse `Access-Control-Allow-Origin: *` with credentials, so the intent is \
          unclear: drop `Access-Control-Allow-Credentials: true`, or name trusted origins.",
    reference: mdn!("Access-Control-Allow-Credentials"),
};

pub(crate) const DIRECTORY_LISTING: Check = Check {
    id: "directory-listing",
    title: "Directory listing enabled",
    cwe: 548,
    severity: Severity::Medium,
    scope: Scope::Page,
    fix: "Turn off automatic directory indexes (nginx `autoindex off`, Apache \
          `Options -Indexes`) and serve an index page or a 403.",
    reference: "https://cwe.mitre.org/data/definitions/548.html",
};

pub(crate) const EXPOSED_GIT: Check = Check {
    id: "exposed-git",
    title: "Git repository metadata is downloadable (/.git/HEAD)",
    cwe: 538,
    severity: Severity::High,
    scope: Scope::Page,
    fix: "Deny every path under /.git in the web server and keep the repository out of the \
          document root; assume the source and its history have been read.",
    reference: "https://cwe.mitre.org/data/definitions/538.html",
};

pub(crate) const EXPOSED_ENV: Check = Check {
    id: "exposed-env",
    title: "Environment file is downloadable (/.env)",
    cwe: 538,
    severity: Severity::High,
    scope: Scope::Page,
    fix: "Remove .env from the document root and deny dotfiles in the web server; rotate every \
          secret the file held.",
    reference: "https://cwe.mitre.org/data/definitions/538.html",
};

pub(crate) const EXPOSED_DS_STORE: Check = Check {
    id: "exposed-ds-store",
    title: "macOS .DS_Store file is downloadable",
    cwe: 538,
    severity: Severity::Low,
    scope: Scope::Page,
    fix: "Delete .DS_Store files from the deployment and deny dotfiles in the web server; the \
          file lists the names of files in its directory.",
    reference: "https://cwe.mitre.org/data/definitions/538.html",
};

pub(crate) const BACKUP_FILE: Check = Check {
    id: "backup-file",
    title: "Backup copy of a page is downloadable",
    cwe: 530,
    severity: Severity::Medium,
    scope: Scope::Page,
    fix: "Delete backup and editor files (.bak, .old, ~, .swp) from the document root and \
          exclude them from deployments; they may show source code.",
    reference: "https://cwe.mitre.org/data/definitions/530.html",
};

pub(crate) const TRACE: Check = Check {
    id: "trace-enabled",
    title: "HTTP TRACE method enabled",
    cwe: 693,
    severity: Severity::Medium,
    scope: Scope::Site,
    fix: "Disable TRACE in the server and any proxy in front of it (Apache `TraceEnable off`); \
          it echoes requests, headers included.",
    reference: "https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/02-Configuration_and_Deployment_Management_Testing/06-Test_HTTP_Methods",
};

pub(crate) const STACK_TRACE: Check = Check {
    id: "error-stack-trace",
    title: "Error response shows a stack trace",
    cwe: 209,
    severity: Severity::Medium,
    scope: Scope::Page,
    fix: "Serve a generic error page in production and log the details on the server instead.",
    reference: "https://cwe.mitre.org/data/definitions/209.html",
};

pub(crate) const DEBUG_PAGE: Check = Check {
    id: "debug-page",
    title: "Framework debug page exposed",
    cwe: 489,
    severity: Severity::High,
    scope: Scope::Page,
    fix: "Turn debug mode off in production (Django `DEBUG = False`, Flask/Werkzeug \
          `debug=False`, Laravel `APP_DEBUG=false`, Rails production environment); an \
          interactive debugger runs code for anyone who reaches it.",
    reference: "https://cwe.mitre.org/data/definitions/489.html",
};

pub(crate) const MIXED_CONTENT: Check = Check {
    id: "mixed-content",
    title: "HTTPS page loads resources over plain HTTP",
    cwe: 311,
    severity: Severity::Medium,
    scope: Scope::Page,
    fix: "Load every script, stylesheet, image, frame and media file over https:// (or a \
          relative URL); `Content-Security-Policy: upgrade-insecure-requests` helps meanwhile.",
    reference: "https://developer.mozilla.org/en-US/docs/Web/Security/Mixed_content",
};

pub(crate) const FORM_INSECURE: Check = Check {
    id: "form-action-insecure",
    title: "HTTPS page has a form that submits over plain HTTP",
    cwe: 319,
    severity: Severity::Low,
    scope: Scope::Page,
    fix: "Point the form's action at an https:// URL (or a relative one).",
    reference: "https://cwe.mitre.org/data/definitions/319.html",
};

// The checks are constants: a finding's `&'static Check` is a promoted reference to one,
// equal (not identical) to its entry here.
static CHECKS: &[Check] = &[
    CSP_MISSING,
    CSP_UNSAFE,
    HSTS,
    NOSNIFF,
    FRAME,
    REFERRER_MISSING,
    REFERRER_UNSAFE,
    COOKIE_SECURE,
    COOKIE_HTTPONLY,
    COOKIE_SAMESITE,
    SERVER_VERSION,
    FRAMEWORK,
    CORS_REFLECTED,
    CORS_WILDCARD,
    DIRECTORY_LISTING,
    EXPOSED_GIT,
    EXPOSED_ENV,
    EXPOSED_DS_STORE,
    BACKUP_FILE,
    TRACE,
    STACK_TRACE,
    DEBUG_PAGE,
    MIXED_CONTENT,
    FORM_INSECURE,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_lowercase_slugs() {
        let mut seen = std::collections::BTreeSet::new();
        for check in checks() {
            assert!(seen.insert(check.id), "duplicate id {}", check.id);
            assert!(
                check
                    .id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{} is not a lowercase slug",
                check.id
            );
            assert!(
                check.cwe > 0 && !check.fix.is_empty() && check.reference.starts_with("https://")
            );
            assert_eq!(super::check(check.id), Some(check));
        }
        assert_eq!(super::check("no-such-check"), None);
    }

    #[test]
    fn no_check_claims_critical() {
        assert!(checks().iter().all(|c| c.severity < Severity::Critical));
    }
}
