//! Package identity: an ecosystem and a name normalized by that ecosystem's rules, the
//! same for advisories and for SBOM components, so that both sides meet on one key.
//!
//! The rules, each from the registry that owns the names:
//!
//! | ecosystem | rule | source |
//! | --- | --- | --- |
//! | PyPI | lower-case; runs of `-`, `_`, `.` become one `-` | PEP 503, "Normalized Names" |
//! | crates.io | lower-case; `_` is `-` | crates.io refuses a name that differs from an existing one only in case or `-`/`_` (cargo book, "Publishing on crates.io"), so the folded name is unique |
//! | NuGet | lower-case | NuGet package ids are case-insensitive (NuGet docs, "Package ID"); nuget.org's own index lower-cases them |
//! | Packagist | lower-case | Composer package names are lower-case (`composer validate`), and Packagist matches them case-insensitively |
//! | GitHub Actions | lower-case | `owner/repo` on GitHub is case-insensitive |
//! | Maven | `groupId:artifactId`, exact | coordinates are case-sensitive in Maven; OSV joins them with `:` (OSV schema, Maven ecosystem) |
//! | npm | exact, scope included (`@scope/name`) | the registry is case-sensitive: legacy names such as `JSONStream` still differ from lower-case ones |
//! | Go, Kubernetes | exact module path | module paths are case-sensitive (Go modules reference; the proxy escapes capitals with `!`) |
//! | RubyGems, Hex, Pub, CRAN, Hackage, SwiftURL, ConanCenter, others | exact | each registry is case-sensitive or enforces one spelling at publication |
//! | Debian, Ubuntu, Alpine, RPM distributions | exact **source** package name | OSV names source packages (OSV schema, ecosystem table); SBOM binary packages are mapped to their source before matching |
//!
//! Surrounding whitespace is never part of a name, and is removed for every ecosystem.

use std::borrow::Cow;
use std::fmt;

use vigil_version::Ecosystem;
use vigil_version::ecosystem::Family;

/// A package's identity for matching: ecosystem (with release) and normalized name.
///
/// Built only through [`PackageKey::new`], so the name is always normalized.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PackageKey {
    ecosystem: Ecosystem,
    name: String,
}

impl PackageKey {
    /// The key for `name` in `ecosystem`, normalizing the name by the ecosystem's rule.
    pub fn new(ecosystem: Ecosystem, name: &str) -> Self {
        let name = normalize_name(ecosystem.family, name).into_owned();
        PackageKey { ecosystem, name }
    }

    pub fn ecosystem(&self) -> &Ecosystem {
        &self.ecosystem
    }

    /// The normalized name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether an advisory about `self` applies to a component `other`: same family and
    /// name, and the same release where both name one. An ecosystem without a release
    /// (`Debian`, an SBOM that does not say which Debian) meets every release, and a
    /// release-less advisory applies to every release.
    pub fn matches(&self, other: &PackageKey) -> bool {
        self.ecosystem.family == other.ecosystem.family
            && self.name == other.name
            && match (&self.ecosystem.release, &other.ecosystem.release) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            }
    }
}

impl fmt::Display for PackageKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.ecosystem, self.name)
    }
}

/// `name` normalized by `family`'s rule (see the module documentation).
pub fn normalize_name(family: Family, name: &str) -> Cow<'_, str> {
    let name = name.trim();
    match family {
        Family::PyPI => Cow::Owned(pep503(name)),
        Family::CratesIo => Cow::Owned(name.to_ascii_lowercase().replace('_', "-")),
        Family::NuGet | Family::Packagist | Family::GitHubActions => lower(name),
        _ => Cow::Borrowed(name),
    }
}

fn lower(name: &str) -> Cow<'_, str> {
    if name.bytes().any(|b| b.is_ascii_uppercase()) || !name.is_ascii() {
        Cow::Owned(name.to_lowercase())
    } else {
        Cow::Borrowed(name)
    }
}

/// PEP 503: `re.sub(r"[-_.]+", "-", name).lower()`.
fn pep503(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut in_run = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !in_run {
                out.push('-');
            }
            in_run = true;
        } else {
            in_run = false;
            // Python's str.lower() on the whole name; ASCII is all PyPI allows, but
            // lower-casing Unicode too keeps the key stable for any input.
            out.extend(c.to_lowercase());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(ecosystem: &str, name: &str, expect: &str) {
        let e: Ecosystem = ecosystem.parse().unwrap();
        assert_eq!(
            PackageKey::new(e, name).name(),
            expect,
            "{ecosystem} {name:?}"
        );
    }

    #[test]
    fn names_normalize_per_ecosystem() {
        check("PyPI", "Django", "django");
        check("PyPI", "zope.interface", "zope-interface");
        check("PyPI", "Foo__Bar-.baz", "foo-bar-baz");
        check("PyPI", "  requests ", "requests");
        check("crates.io", "Serde_JSON", "serde-json");
        check("NuGet", "Newtonsoft.Json", "newtonsoft.json");
        check("Packagist", "Symfony/HTTP-Kernel", "symfony/http-kernel");
        check(
            "Maven",
            "org.apache.logging.log4j:log4j-core",
            "org.apache.logging.log4j:log4j-core",
        );
        check("npm", "@Babel/core", "@Babel/core");
        check("npm", "JSONStream", "JSONStream");
        check(
            "Go",
            "github.com/BurntSushi/toml",
            "github.com/BurntSushi/toml",
        );
        check("RubyGems", "Rack", "Rack");
        check("Debian:12", "openssl", "openssl");
        check("GitHub Actions", "Actions/Checkout", "actions/checkout");
    }

    #[test]
    fn releases_meet_when_either_is_unspecified() {
        let key = |e: &str, n: &str| PackageKey::new(e.parse().unwrap(), n);
        assert!(key("Debian:12", "curl").matches(&key("Debian:12", "curl")));
        assert!(key("Debian:12", "curl").matches(&key("Debian", "curl")));
        assert!(key("Debian", "curl").matches(&key("Debian:11", "curl")));
        assert!(!key("Debian:12", "curl").matches(&key("Debian:11", "curl")));
        assert!(!key("Debian:12", "curl").matches(&key("Ubuntu:22.04:LTS", "curl")));
        assert!(key("PyPI", "Foo.Bar").matches(&key("PyPI", "foo_bar")));
    }
}
