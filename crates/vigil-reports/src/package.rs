//! Packages from what scanners say about them: the purl when they give one, else the
//! package type (Trivy's result `Type`, Grype's artifact `type`) and the scanned OS, from
//! which a purl and the OSV ecosystem are built.

use vigil_purl::Purl;
use vigil_version::Ecosystem;

use crate::model::Package;

/// What a scanner's package type says about purls: the purl type, and for OS packages
/// the purl namespace that names the distribution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Kind {
    pub(crate) purl_type: &'static str,
    pub(crate) namespace: Option<&'static str>,
}

const fn kind(purl_type: &'static str) -> Option<Kind> {
    Some(Kind {
        purl_type,
        namespace: None,
    })
}

const fn os(purl_type: &'static str, namespace: &'static str) -> Option<Kind> {
    Some(Kind {
        purl_type,
        namespace: Some(namespace),
    })
}

/// The kind of packages of a distribution, by the names Trivy (`OS.Family`, result
/// `Type`) and Grype (`distro.name`) use.
pub(crate) fn distro_kind(family: &str) -> Option<Kind> {
    match family.trim().to_ascii_lowercase().as_str() {
        "alpine" => os("apk", "alpine"),
        "wolfi" => os("apk", "wolfi"),
        "chainguard" => os("apk", "chainguard"),
        "minimos" => os("apk", "minimos"),
        "debian" => os("deb", "debian"),
        "ubuntu" => os("deb", "ubuntu"),
        "echo" => os("deb", "echo"),
        "redhat" | "rhel" => os("rpm", "redhat"),
        "rocky" | "rockylinux" => os("rpm", "rocky"),
        "alma" | "almalinux" => os("rpm", "almalinux"),
        "opensuse"
        | "opensuse.leap"
        | "opensuse-leap"
        | "opensuse.tumbleweed"
        | "opensuse-tumbleweed" => os("rpm", "opensuse"),
        "suse linux enterprise server" | "sles" | "suse" => os("rpm", "suse"),
        "photon" => os("rpm", "photon"),
        "cbl-mariner" | "mariner" | "azurelinux" => os("rpm", "azurelinux"),
        "centos" => os("rpm", "centos"),
        "amazon" | "amzn" => os("rpm", "amazon"),
        "oracle" | "ol" => os("rpm", "oracle"),
        "fedora" => os("rpm", "fedora"),
        _ => None,
    }
}

/// The kind of a Trivy result `Type` (language package types; OS types go through
/// [`distro_kind`]).
pub(crate) fn trivy_kind(ty: &str) -> Option<Kind> {
    match ty {
        "npm" | "yarn" | "pnpm" | "bun" | "node-pkg" => kind("npm"),
        "pip" | "pipenv" | "poetry" | "uv" | "python-pkg" => kind("pypi"),
        "jar" | "pom" | "gradle" | "sbt" => kind("maven"),
        "gobinary" | "gomod" => kind("golang"),
        "cargo" | "rust-binary" => kind("cargo"),
        "bundler" | "gemspec" => kind("gem"),
        "composer" | "composer-vendor" => kind("composer"),
        "nuget" | "dotnet-core" | "packages-props" => kind("nuget"),
        "pub" => kind("pub"),
        "hex" => kind("hex"),
        "conan" => kind("conan"),
        "swift" => kind("swift"),
        "cocoapods" => kind("cocoapods"),
        "conda-pkg" | "conda-environment" => kind("conda"),
        other => distro_kind(other),
    }
}

/// The kind of a Grype (syft) artifact `type`; OS package types need the distro.
pub(crate) fn grype_kind(ty: &str, distro: Option<&str>) -> Option<Kind> {
    match ty {
        "npm" => kind("npm"),
        "python" => kind("pypi"),
        "java-archive" | "jenkins-plugin" => kind("maven"),
        "go-module" => kind("golang"),
        "rust-crate" => kind("cargo"),
        "gem" => kind("gem"),
        "php-composer" => kind("composer"),
        "dotnet" => kind("nuget"),
        "dart-pub" => kind("pub"),
        "hex" => kind("hex"),
        "conan" => kind("conan"),
        "swift" => kind("swift"),
        "cocoapods" => kind("cocoapods"),
        "github-action" | "github-action-workflow" => kind("github"),
        "apk" | "deb" | "rpm" => {
            let from_distro = distro.and_then(distro_kind).filter(|k| k.purl_type == ty);
            from_distro.or(match ty {
                "apk" => os("apk", "alpine"),
                "deb" => os("deb", "debian"),
                _ => kind("rpm"),
            })
        }
        _ => None,
    }
}

/// The purl `distro` qualifier for a distribution and its version, as syft and trivy
/// write it (`debian-12.7`, `alpine-3.19.1`, `opensuse-leap-15.5`, `sles-15.5`).
pub(crate) fn distro_qualifier(family: &str, version: &str) -> Option<String> {
    let version = version.trim();
    if version.is_empty() {
        return None;
    }
    let family = family.trim().to_ascii_lowercase();
    Some(match family.as_str() {
        "opensuse.leap" | "opensuse-leap" | "opensuse" => format!("opensuse-leap-{version}"),
        "opensuse.tumbleweed" | "opensuse-tumbleweed" => "opensuse-tumbleweed".to_owned(),
        "suse linux enterprise server" | "sles" | "suse" => format!("sles-{version}"),
        _ => {
            let ns = distro_kind(&family)
                .and_then(|k| k.namespace)
                .unwrap_or(&family);
            format!("{ns}-{version}")
        }
    })
}

/// What a scanner says about one package.
#[derive(Debug, Default)]
pub(crate) struct Seen<'a> {
    pub(crate) name: &'a str,
    pub(crate) version: Option<&'a str>,
    /// The report's purl, if any.
    pub(crate) purl: Option<&'a str>,
    pub(crate) kind: Option<Kind>,
    /// The purl `distro` qualifier for OS packages.
    pub(crate) distro: Option<String>,
}

/// The package: its purl parsed (or built from the kind), and the OSV ecosystem from it.
/// A purl the report gives that does not parse is a warning, not an error: the finding
/// still names its package.
pub(crate) fn package(
    seen: Seen<'_>,
    warnings: &mut Vec<String>,
    at: impl FnOnce() -> String,
) -> Package {
    let given = seen.purl.filter(|p| !p.trim().is_empty());
    let purl = match given {
        Some(text) => match text.parse::<Purl>() {
            Ok(p) => Some(p),
            Err(e) => {
                warnings.push(format!("{}: purl {text:?} not read: {e}", at()));
                None
            }
        },
        None => None,
    };
    let purl = purl.or_else(|| build(&seen));
    let ecosystem = match &purl {
        Some(p) => Ecosystem::from_purl(p.ty(), p.namespace(), p.qualifier("distro")),
        None => seen
            .kind
            .and_then(|k| Ecosystem::from_purl(k.purl_type, k.namespace, seen.distro.as_deref())),
    };
    Package {
        name: seen.name.to_owned(),
        version: seen.version.filter(|v| !v.is_empty()).map(str::to_owned),
        ecosystem,
        purl,
    }
}

/// A purl built from the package's kind, name, version and distro.
fn build(seen: &Seen<'_>) -> Option<Purl> {
    let kind = seen.kind?;
    let (namespace, name) = match kind.purl_type {
        "maven" => {
            let (group, artifact) = seen.name.split_once(':')?;
            (Some(group), artifact)
        }
        "npm" => match seen.name.strip_prefix('@').and_then(|n| n.split_once('/')) {
            Some((scope, name)) => (Some(&seen.name[..scope.len() + 1]), name),
            None => (None, seen.name),
        },
        "golang" => match seen.name.rsplit_once('/') {
            Some((ns, name)) => (Some(ns), name),
            None => (None, seen.name),
        },
        _ => (kind.namespace, seen.name),
    };
    let mut b = Purl::builder(kind.purl_type, name);
    if let Some(ns) = namespace {
        b = b.namespace(ns);
    }
    if let Some(v) = seen.version.filter(|v| !v.is_empty()) {
        b = b.version(v);
    }
    if kind.namespace.is_some()
        && let Some(d) = &seen.distro
    {
        b = b.qualifier("distro", d.as_str());
    }
    b.build().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(seen: Seen<'_>, purl: Option<&str>, ecosystem: Option<&str>) {
        let mut warnings = Vec::new();
        let p = package(seen, &mut warnings, || "here".into());
        assert_eq!(p.purl.map(|p| p.to_string()).as_deref(), purl);
        assert_eq!(p.ecosystem.map(|e| e.to_string()).as_deref(), ecosystem);
    }

    #[test]
    fn purls_are_built_from_kinds() {
        check(
            Seen {
                name: "org.apache.logging.log4j:log4j-core",
                version: Some("2.14.1"),
                kind: trivy_kind("jar"),
                ..Seen::default()
            },
            Some("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"),
            Some("Maven"),
        );
        check(
            Seen {
                name: "@babel/traverse",
                version: Some("7.22.5"),
                kind: trivy_kind("npm"),
                ..Seen::default()
            },
            Some("pkg:npm/%40babel/traverse@7.22.5"),
            Some("npm"),
        );
        check(
            Seen {
                name: "golang.org/x/net",
                version: Some("v0.17.0"),
                kind: grype_kind("go-module", None),
                ..Seen::default()
            },
            Some("pkg:golang/golang.org/x/net@v0.17.0"),
            Some("Go"),
        );
        check(
            Seen {
                name: "libssl3",
                version: Some("3.0.11-1~deb12u2"),
                kind: trivy_kind("debian"),
                distro: distro_qualifier("debian", "12.7"),
                ..Seen::default()
            },
            Some("pkg:deb/debian/libssl3@3.0.11-1~deb12u2?distro=debian-12.7"),
            Some("Debian:12"),
        );
        check(
            Seen {
                name: "busybox",
                version: Some("1.36.1-r15"),
                kind: grype_kind("apk", Some("alpine")),
                distro: distro_qualifier("alpine", "3.19.1"),
                ..Seen::default()
            },
            Some("pkg:apk/alpine/busybox@1.36.1-r15?distro=alpine-3.19.1"),
            Some("Alpine:v3.19"),
        );
    }

    #[test]
    fn a_given_purl_wins_and_a_bad_one_warns() {
        check(
            Seen {
                name: "Django",
                version: Some("4.2.0"),
                purl: Some("pkg:pypi/django@4.2.0"),
                kind: trivy_kind("npm"),
                ..Seen::default()
            },
            Some("pkg:pypi/django@4.2.0"),
            Some("PyPI"),
        );
        let mut warnings = Vec::new();
        let p = package(
            Seen {
                name: "x",
                purl: Some("not a purl"),
                ..Seen::default()
            },
            &mut warnings,
            || "matches[0]".into(),
        );
        assert_eq!(p.purl, None);
        assert!(
            warnings[0].starts_with("matches[0]: purl \"not a purl\" not read"),
            "{warnings:?}"
        );
    }

    #[test]
    fn distributions_without_osv_ecosystem_keep_their_purl() {
        check(
            Seen {
                name: "openssl-libs",
                version: Some("1:1.0.2k-26.el7_9"),
                kind: trivy_kind("centos"),
                distro: distro_qualifier("centos", "7.9.2009"),
                ..Seen::default()
            },
            Some("pkg:rpm/centos/openssl-libs@1:1.0.2k-26.el7_9?distro=centos-7.9.2009"),
            None,
        );
    }
}
