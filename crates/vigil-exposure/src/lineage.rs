//! Root cause: which release of a service brought a vulnerable package version in, and
//! which took it out.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// One release of a service and the package versions in its SBOM.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseFacts {
    pub release_id: i64,
    pub version: String,
    pub commit: Option<String>,
    /// When Vigil recorded the release.
    #[serde(with = "time::serde::rfc3339")]
    pub recorded_at: OffsetDateTime,
    /// Package URLs with versions.
    pub purls: BTreeSet<String>,
}

/// A release named in a [`Lineage`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReleaseRef {
    pub release_id: i64,
    pub version: String,
    pub commit: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub recorded_at: OffsetDateTime,
}

impl From<&ReleaseFacts> for ReleaseRef {
    fn from(release: &ReleaseFacts) -> Self {
        Self {
            release_id: release.release_id,
            version: release.version.clone(),
            commit: release.commit.clone(),
            recorded_at: release.recorded_at,
        }
    }
}

/// Where a package version came from and where it went, around one release.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Lineage {
    /// The package version asked about.
    pub purl: String,
    /// Its package: the purl without version, qualifiers or subpath ([`purl_package`]).
    pub package: String,
    /// The first release of the unbroken run of releases that contain `purl` and include
    /// the release asked about.
    pub entered: ReleaseRef,
    /// The first release after that run; `None` while the newest release still has `purl`.
    pub left: Option<ReleaseRef>,
    /// The versions of the same package in `left`, sorted: what replaced `purl`. Empty when
    /// `left` dropped the package altogether, or is `None`.
    pub replaced_by: Vec<String>,
}

/// The lineage of `purl` around release `at_release` of one service, or `None` if the
/// releases do not include `at_release` or it does not contain `purl`.
///
/// `releases` are one service's; they are taken in order of `recorded_at`, releases
/// recorded at the same instant in the order given. A package version that leaves and
/// comes back forms two runs; the run that includes `at_release` is the one described.
pub fn root_cause(releases: &[ReleaseFacts], purl: &str, at_release: i64) -> Option<Lineage> {
    let mut ordered: Vec<&ReleaseFacts> = releases.iter().collect();
    ordered.sort_by_key(|r| r.recorded_at);
    let at = ordered.iter().position(|r| r.release_id == at_release)?;
    let contains = |r: &&ReleaseFacts| r.purls.contains(purl);
    if !contains(&ordered[at]) {
        return None;
    }
    let entered = ordered[..at]
        .iter()
        .rposition(|r| !contains(r))
        .map_or(0, |i| i + 1);
    let left = ordered[at..]
        .iter()
        .position(|r| !contains(r))
        .map(|i| ordered[at + i]);
    let package = purl_package(purl);
    let replaced_by = left
        .map(|left| {
            left.purls
                .iter()
                .filter(|p| p.as_str() != purl && purl_package(p) == package)
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    Some(Lineage {
        purl: purl.to_owned(),
        package: package.to_owned(),
        entered: ReleaseRef::from(ordered[entered]),
        left: left.map(ReleaseRef::from),
        replaced_by,
    })
}

/// The package of a package URL: everything before the `@version`, without qualifiers or
/// subpath. `pkg:npm/%40scope/name@1.0.0?x=y` gives `pkg:npm/%40scope/name`.
///
/// The version is taken to start at the first `@` after the last `/`, so an unencoded
/// npm scope (`pkg:npm/@scope/name@1.0.0`) is not mistaken for it. A purl without a
/// version is its own package.
pub fn purl_package(purl: &str) -> &str {
    let base = purl.find(['?', '#']).map_or(purl, |end| &purl[..end]);
    let name_start = base.rfind('/').map_or(0, |slash| slash + 1);
    match base[name_start..].find('@') {
        Some(at) => &base[..name_start + at],
        None => base,
    }
}

#[cfg(test)]
mod tests {
    use super::purl_package;

    #[test]
    fn packages_of_purls() {
        let cases = [
            ("pkg:npm/lodash@4.17.20", "pkg:npm/lodash"),
            ("pkg:npm/%40angular/core@12.0.0", "pkg:npm/%40angular/core"),
            ("pkg:npm/@angular/core@12.0.0", "pkg:npm/@angular/core"),
            ("pkg:npm/@angular/core", "pkg:npm/@angular/core"),
            (
                "pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-12",
                "pkg:deb/debian/openssl",
            ),
            (
                "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
                "pkg:maven/org.apache.logging.log4j/log4j-core",
            ),
            (
                "pkg:golang/golang.org/x/net@v0.0.0-2021#http2",
                "pkg:golang/golang.org/x/net",
            ),
            ("pkg:pypi/django", "pkg:pypi/django"),
        ];
        for (purl, package) in cases {
            assert_eq!(purl_package(purl), package, "{purl}");
        }
    }
}
