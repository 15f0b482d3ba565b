//! Cookie flags: Secure on HTTPS, HttpOnly on session-looking cookies, SameSite on all.
//! One finding per cookie name and site; the cookie's value is never kept as evidence.

use crate::catalog::{COOKIE_HTTPONLY, COOKIE_SAMESITE, COOKIE_SECURE};
use crate::report::Observation;
use crate::response::Response;

/// Parts of a cookie name that mark it as a session or authentication cookie
/// (`PHPSESSID`, `JSESSIONID`, `connect.sid`, `.AspNetCore.Session`, `auth_token`, `jwt`).
const SESSION_HINTS: &[&str] = &["sess", "sid", "auth", "token", "jwt", "login", "remember"];

/// Parts of a name that mark a CSRF token, which scripts are meant to read.
const SCRIPT_READABLE: &[&str] = &["csrf", "xsrf"];

/// One `Set-Cookie` line, read as browsers do (RFC 6265 section 5.2).
#[derive(Debug)]
struct SetCookie<'a> {
    name: &'a str,
    value: &'a str,
    attrs: Vec<(String, &'a str)>,
}

impl<'a> SetCookie<'a> {
    fn parse(line: &'a str) -> Option<SetCookie<'a>> {
        let mut parts = line.split(';');
        let (name, value) = parts.next()?.split_once('=')?;
        let name = name.trim();
        if name.is_empty() {
            return None;
        }
        let attrs = parts
            .map(|a| match a.split_once('=') {
                Some((k, v)) => (k.trim().to_ascii_lowercase(), v.trim()),
                None => (a.trim().to_ascii_lowercase(), ""),
            })
            .collect();
        Some(SetCookie {
            name,
            value: value.trim(),
            attrs,
        })
    }

    fn attr(&self, name: &str) -> Option<&'a str> {
        self.attrs
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| *v)
    }

    /// A cookie being cleared: empty, or expiring at once.
    fn is_deletion(&self) -> bool {
        self.value.is_empty()
            || self
                .attr("max-age")
                .and_then(|v| v.parse::<i64>().ok())
                .is_some_and(|age| age <= 0)
            || self.attr("expires").is_some_and(|v| v.contains("1970"))
    }

    /// The line with the value replaced, for evidence.
    fn redacted(&self) -> String {
        let mut out = format!("{}=…", self.name);
        for (k, v) in &self.attrs {
            if k.is_empty() {
                continue;
            }
            out.push_str("; ");
            out.push_str(k);
            if !v.is_empty() {
                out.push('=');
                out.push_str(v);
            }
        }
        out
    }
}

fn looks_like_session(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    SESSION_HINTS.iter().any(|h| name.contains(h))
        && !SCRIPT_READABLE.iter().any(|h| name.contains(h))
}

/// Every flag missing on every cookie the response sets.
pub(crate) fn cookies(response: &Response) -> Vec<Observation> {
    let mut out = Vec::new();
    for line in response.headers_named("set-cookie") {
        let Some(cookie) = SetCookie::parse(line) else {
            continue;
        };
        if cookie.is_deletion() {
            continue;
        }
        let secure = cookie.attr("secure").is_some();
        let evidence = cookie.redacted();
        let observe =
            |check| Observation::new(check, &response.url, evidence.clone()).param(cookie.name);
        if response.is_https() && !secure {
            out.push(observe(&COOKIE_SECURE));
        }
        if looks_like_session(cookie.name) && cookie.attr("httponly").is_none() {
            out.push(observe(&COOKIE_HTTPONLY));
        }
        let same_site = cookie.attr("samesite").map(str::to_ascii_lowercase);
        let valid_same_site = match same_site.as_deref() {
            Some("lax" | "strict") => true,
            // Browsers reject SameSite=None without Secure.
            Some("none") => secure,
            _ => false,
        };
        if !valid_same_site {
            out.push(observe(&COOKIE_SAMESITE));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The (check, cookie) pairs flagged on a response at `url` setting `cookies`.
    fn check(url: &str, cookies: &[&str], expect: &[(&str, &str)]) {
        let mut response = Response::get(url, 200);
        for c in cookies {
            response = response.with_header("set-cookie", c);
        }
        let found: Vec<(&str, String)> = super::cookies(&response)
            .into_iter()
            .map(|o| (o.check.id, o.param.unwrap_or_default()))
            .collect();
        let expect: Vec<(&str, String)> =
            expect.iter().map(|(a, b)| (*a, (*b).to_owned())).collect();
        assert_eq!(found, expect, "{cookies:?} at {url}");
    }

    #[test]
    fn well_set_cookies_pass() {
        check(
            "https://h/",
            &["session=abc; Path=/; Secure; HttpOnly; SameSite=Lax"],
            &[],
        );
        check(
            "http://h/",
            &["session=abc; HttpOnly; SameSite=Strict"],
            &[],
        );
        check("https://h/", &["prefs=dark; Secure; SameSite=None"], &[]);
        // A CSRF token is meant to be read by scripts.
        check("https://h/", &["csrftoken=x; Secure; SameSite=Lax"], &[]);
    }

    #[test]
    fn missing_flags() {
        check(
            "https://h/",
            &["PHPSESSID=abc; path=/"],
            &[
                ("cookie-no-secure", "PHPSESSID"),
                ("cookie-no-httponly", "PHPSESSID"),
                ("cookie-no-samesite", "PHPSESSID"),
            ],
        );
        // Secure is not asked of a cookie set over HTTP; HttpOnly only of session cookies.
        check(
            "http://h/",
            &["theme=dark"],
            &[("cookie-no-samesite", "theme")],
        );
        check(
            "http://h/",
            &["prefs=1; SameSite=None"],
            &[("cookie-no-samesite", "prefs")],
        );
        check(
            "http://h/",
            &["prefs=1; SameSite=bogus"],
            &[("cookie-no-samesite", "prefs")],
        );
    }

    #[test]
    fn deletions_are_not_judged() {
        check(
            "https://h/",
            &[
                "session=; Max-Age=0",
                "sid=x; Max-Age=-1",
                "auth=x; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
            ],
            &[],
        );
    }

    #[test]
    fn evidence_never_holds_the_value() {
        let response = Response::get("https://h/", 200)
            .with_header("set-cookie", "session=SECRET123; Path=/; HttpOnly");
        let found = super::cookies(&response);
        assert!(!found.is_empty());
        for o in found {
            assert_eq!(o.evidence, "session=…; path=/; httponly");
        }
    }
}
