//! From a package URL to what OSV calls the package: the ecosystem (with the distribution
//! release), the package name as OSV writes it, and the version to compare.
//!
//! The mapping is where matchers go wrong most, so each rule is explicit:
//! - **Names.** Maven is `group:artifact` (purl namespace and name); npm keeps its scope
//!   (`@scope/name`); Go, Packagist, SwiftURL and GitHub Actions join namespace and name
//!   with `/`; every other registry uses the purl name. `vigil-osv` then normalizes the
//!   name by the ecosystem's rule (PEP 503 for PyPI, ...).
//! - **OS packages** are matched on their **source** package, because OSV's Debian,
//!   Ubuntu, Alpine and RPM records name source packages: the caller passes the source
//!   name and version when the SBOM gives them (syft's `upstream` qualifier, trivy's
//!   `SrcName`/`SrcVersion` properties), and the binary's otherwise.
//! - **Epochs.** trivy writes the epoch as a qualifier (`?epoch=1`) and leaves it out of
//!   the version; dpkg and rpm compare it first, so it is put back (`1:2.38.1-5`).
//! - **Releases.** The `distro` qualifier gives the release (`debian-12` → `Debian:12`);
//!   without one, advisories of every release of the distribution apply.

use vigil_osv::PackageKey;
use vigil_purl::Purl;
use vigil_version::Ecosystem;
use vigil_version::ecosystem::Family;

/// A component's source package, where the SBOM names one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Source<'a> {
    pub name: Option<&'a str>,
    pub version: Option<&'a str>,
}

/// What to look up for one component.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub key: PackageKey,
    /// The version to compare, epoch restored where the ecosystem compares one.
    pub version: String,
    /// Whether name or version came from the source package rather than the binary.
    pub via_source: bool,
}

/// Why a component cannot be matched.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Unmatchable {
    #[error("package URL type {0:?} has no OSV ecosystem")]
    UnknownType(String),
    #[error("package URL has no version")]
    NoVersion,
    #[error("{ty} package URL needs a namespace ({what})")]
    NoNamespace { ty: String, what: &'static str },
}

/// The OSV identity of the component `purl`, with its source package when known.
/// `version` is the component's version as the SBOM states it, used when the purl
/// carries none.
pub fn identity(
    purl: &Purl,
    source: Source<'_>,
    version: Option<&str>,
) -> Result<Identity, Unmatchable> {
    let ecosystem = Ecosystem::from_purl(purl.ty(), purl.namespace(), purl.qualifier("distro"))
        .ok_or_else(|| Unmatchable::UnknownType(purl.ty().to_owned()))?;
    let os = matches!(purl.ty(), "deb" | "apk" | "rpm");
    let name = match (ecosystem.family, purl.namespace()) {
        (Family::Maven, Some(ns)) => format!("{ns}:{}", purl.name()),
        (Family::Maven, None) => {
            return Err(Unmatchable::NoNamespace {
                ty: purl.ty().to_owned(),
                what: "the Maven group id",
            });
        }
        (
            Family::Npm | Family::Go | Family::Packagist | Family::SwiftUrl | Family::GitHubActions,
            Some(ns),
        ) => format!("{ns}/{}", purl.name()),
        _ => purl.name().to_owned(),
    };
    let (name, via_source_name) = match source.name {
        Some(src) if os && !src.is_empty() => (src.to_owned(), src != name),
        _ => (name, false),
    };
    let binary_version = purl
        .version()
        .or(version)
        .filter(|v| !v.is_empty())
        .ok_or(Unmatchable::NoVersion)?;
    // The purl's `epoch` qualifier is the binary's; a source version carries its own.
    let (version, via_source_version) = match source.version {
        Some(v) if os && !v.is_empty() => (v.to_owned(), v != binary_version),
        _ => (with_epoch(purl, &ecosystem, binary_version), false),
    };
    Ok(Identity {
        key: PackageKey::new(ecosystem, &name),
        version,
        via_source: via_source_name || via_source_version,
    })
}

/// `version` with the purl's `epoch` qualifier put back in front, for the schemes that
/// compare an epoch (dpkg and rpm); other registries' purls never mean one.
fn with_epoch(purl: &Purl, ecosystem: &Ecosystem, version: &str) -> String {
    match ecosystem.scheme() {
        Some(vigil_version::Scheme::Dpkg | vigil_version::Scheme::Rpm) => {
            purl.with_epoch(version).into_owned()
        }
        _ => version.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `purl` (with an optional source package) maps to `expect`: `ECOSYSTEM/name@version`.
    fn check(purl: &str, source: Source<'_>, expect: &str) {
        let purl: Purl = purl.parse().unwrap();
        let got = identity(&purl, source, None).unwrap();
        assert_eq!(format!("{}@{}", got.key, got.version), expect, "{purl}");
    }

    fn plain(purl: &str, expect: &str) {
        check(purl, Source::default(), expect);
    }

    #[test]
    fn registry_names() {
        plain(
            "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
            "Maven/org.apache.logging.log4j:log4j-core@2.14.1",
        );
        plain("pkg:npm/%40babel/core@7.0.0", "npm/@babel/core@7.0.0");
        plain("pkg:npm/lodash@4.17.20", "npm/lodash@4.17.20");
        plain(
            "pkg:golang/github.com/gorilla/mux@v1.8.0",
            "Go/github.com/gorilla/mux@v1.8.0",
        );
        plain("pkg:pypi/Django@4.2", "PyPI/django@4.2");
        plain("pkg:cargo/Serde_JSON@1.0.0", "crates.io/serde-json@1.0.0");
        plain(
            "pkg:composer/symfony/http-kernel@6.0.0",
            "Packagist/symfony/http-kernel@6.0.0",
        );
        plain("pkg:gem/rails@7.1.0", "RubyGems/rails@7.1.0");
        plain(
            "pkg:nuget/Newtonsoft.Json@13.0.1",
            "NuGet/newtonsoft.json@13.0.1",
        );
    }

    #[test]
    fn os_packages_match_on_their_source() {
        check(
            "pkg:deb/debian/bsdutils@1:2.38.1-5+b1?arch=amd64&distro=debian-12&upstream=util-linux",
            Source {
                name: Some("util-linux"),
                version: Some("2.38.1-5"),
            },
            "Debian:12/util-linux@2.38.1-5",
        );
        plain(
            "pkg:deb/debian/openssl@3.0.11-1~deb12u2?distro=debian-12",
            "Debian:12/openssl@3.0.11-1~deb12u2",
        );
        plain(
            "pkg:apk/alpine/busybox@1.36.1-r15?distro=alpine-3.19.1",
            "Alpine:v3.19/busybox@1.36.1-r15",
        );
    }

    #[test]
    fn trivy_epochs_are_restored() {
        plain(
            "pkg:deb/debian/bsdutils@2.38.1-5%2Bb1?distro=debian-12.4&epoch=1",
            "Debian:12/bsdutils@1:2.38.1-5+b1",
        );
        plain(
            "pkg:rpm/rocky/openssl@3.0.7-27.el9?epoch=1&distro=rocky-9.3",
            "Rocky Linux:9/openssl@1:3.0.7-27.el9",
        );
        // Not doubled when the version already carries it, and never for registries.
        plain(
            "pkg:deb/debian/vim@2:9.0.1378-2?epoch=2&distro=debian-12",
            "Debian:12/vim@2:9.0.1378-2",
        );
        plain("pkg:npm/x@1.0.0?epoch=1", "npm/x@1.0.0");
        // The binary's epoch is not the source's: trivy's bsdutils has epoch 1, its
        // source util-linux none.
        check(
            "pkg:deb/debian/bsdutils@2.38.1-5%2Bb1?distro=debian-12.5&epoch=1",
            Source {
                name: Some("util-linux"),
                version: Some("2.38.1-5"),
            },
            "Debian:12/util-linux@2.38.1-5",
        );
    }

    #[test]
    fn unmatchable_components_say_why() {
        let err = |p: &str| {
            identity(&p.parse::<Purl>().unwrap(), Source::default(), None)
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            err("pkg:generic/openssl@3.0"),
            r#"package URL type "generic" has no OSV ecosystem"#
        );
        assert_eq!(err("pkg:npm/lodash"), "package URL has no version");
        // The SBOM's own version field stands in for a purl without one.
        let purl: Purl = "pkg:npm/lodash".parse().unwrap();
        assert_eq!(
            identity(&purl, Source::default(), Some("4.17.21"))
                .unwrap()
                .version,
            "4.17.21"
        );
    }
}
