//! OSV ecosystem names with their release suffixes, their version schemes, and their
//! mapping to and from package URL types and `distro` qualifiers.

use std::fmt;
use std::str::FromStr;

use crate::Scheme;

/// An OSV ecosystem family, without its release suffix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Family {
    AlmaLinux,
    Alpaquita,
    Alpine,
    Android,
    AzureLinux,
    BellSoftHardenedContainers,
    Bioconductor,
    Bitnami,
    Chainguard,
    CleanStart,
    ConanCenter,
    Cran,
    CratesIo,
    Debian,
    DockerHardenedImages,
    Echo,
    FreeBsd,
    Ghc,
    GitHubActions,
    Go,
    Hackage,
    Hex,
    Julia,
    Kubernetes,
    Linux,
    Mageia,
    Maven,
    MinimOs,
    Npm,
    NuGet,
    Opam,
    OpenEuler,
    OpenSuse,
    OssFuzz,
    Packagist,
    PhotonOs,
    Pub,
    PyPI,
    RedHat,
    RockyLinux,
    Root,
    RubyGems,
    Suse,
    SwiftUrl,
    TuxCare,
    Ubuntu,
    VsCode,
    Wolfi,
}

/// Each family with its OSV name, exactly as OSV writes it.
const NAMES: [(Family, &str); 48] = [
    (Family::AlmaLinux, "AlmaLinux"),
    (Family::Alpaquita, "Alpaquita"),
    (Family::Alpine, "Alpine"),
    (Family::Android, "Android"),
    (Family::AzureLinux, "Azure Linux"),
    (
        Family::BellSoftHardenedContainers,
        "BellSoft Hardened Containers",
    ),
    (Family::Bioconductor, "Bioconductor"),
    (Family::Bitnami, "Bitnami"),
    (Family::Chainguard, "Chainguard"),
    (Family::CleanStart, "CleanStart"),
    (Family::ConanCenter, "ConanCenter"),
    (Family::Cran, "CRAN"),
    (Family::CratesIo, "crates.io"),
    (Family::Debian, "Debian"),
    (Family::DockerHardenedImages, "Docker Hardened Images"),
    (Family::Echo, "Echo"),
    (Family::FreeBsd, "FreeBSD"),
    (Family::Ghc, "GHC"),
    (Family::GitHubActions, "GitHub Actions"),
    (Family::Go, "Go"),
    (Family::Hackage, "Hackage"),
    (Family::Hex, "Hex"),
    (Family::Julia, "Julia"),
    (Family::Kubernetes, "Kubernetes"),
    (Family::Linux, "Linux"),
    (Family::Mageia, "Mageia"),
    (Family::Maven, "Maven"),
    (Family::MinimOs, "MinimOS"),
    (Family::Npm, "npm"),
    (Family::NuGet, "NuGet"),
    (Family::Opam, "opam"),
    (Family::OpenEuler, "openEuler"),
    (Family::OpenSuse, "openSUSE"),
    (Family::OssFuzz, "OSS-Fuzz"),
    (Family::Packagist, "Packagist"),
    (Family::PhotonOs, "Photon OS"),
    (Family::Pub, "Pub"),
    (Family::PyPI, "PyPI"),
    (Family::RedHat, "Red Hat"),
    (Family::RockyLinux, "Rocky Linux"),
    (Family::Root, "Root"),
    (Family::RubyGems, "RubyGems"),
    (Family::Suse, "SUSE"),
    (Family::SwiftUrl, "SwiftURL"),
    (Family::TuxCare, "TuxCare"),
    (Family::Ubuntu, "Ubuntu"),
    (Family::VsCode, "VSCode"),
    (Family::Wolfi, "Wolfi"),
];

impl Family {
    /// Every family OSV defines.
    pub fn all() -> impl Iterator<Item = Family> {
        NAMES.iter().map(|(f, _)| *f)
    }

    /// The family's name as OSV writes it (`crates.io`, `Red Hat`, `PyPI`).
    pub fn name(self) -> &'static str {
        NAMES
            .iter()
            .find(|(f, _)| *f == self)
            .map_or("", |(_, name)| name)
    }

    /// The version scheme of the family, or `None` where OSV records use only `GIT`
    /// ranges or enumerated versions (Linux, Android, OSS-Fuzz, ...).
    pub fn scheme(self) -> Option<Scheme> {
        use Family::*;
        Some(match self {
            Npm => Scheme::Npm,
            CratesIo => Scheme::Cargo,
            Hex => Scheme::Hex,
            Pub => Scheme::Pub,
            Go | Kubernetes => Scheme::Go,
            NuGet => Scheme::NuGet,
            PyPI => Scheme::PyPI,
            Maven => Scheme::Maven,
            RubyGems => Scheme::RubyGems,
            Packagist => Scheme::Packagist,
            Debian | Ubuntu | Echo => Scheme::Dpkg,
            AlmaLinux | AzureLinux | Mageia | OpenEuler | OpenSuse | PhotonOs | RedHat
            | RockyLinux | Suse | TuxCare => Scheme::Rpm,
            Alpine | Alpaquita | BellSoftHardenedContainers | Chainguard | MinimOs | Wolfi => {
                Scheme::Apk
            }
            Cran => Scheme::Cran,
            Hackage => Scheme::Hackage,
            Bioconductor | Bitnami | ConanCenter | GitHubActions | SwiftUrl | Julia
            | CleanStart | DockerHardenedImages | Opam | VsCode => Scheme::SemVer,
            Android | FreeBsd | Ghc | Linux | OssFuzz | Root => return None,
        })
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An OSV ecosystem string: a family and, for distributions and some registries, a
/// release or repository suffix (`Debian:12`, `Alpine:v3.19`, `Ubuntu:Pro:18.04:LTS`,
/// `Red Hat:enterprise_linux:9::appstream`, `Maven:https://maven.google.com`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ecosystem {
    pub family: Family,
    /// Everything after the first `:`, exactly as written.
    pub release: Option<String>,
}

impl Ecosystem {
    /// An ecosystem with no release suffix.
    pub fn new(family: Family) -> Self {
        Ecosystem {
            family,
            release: None,
        }
    }

    /// An ecosystem with a release suffix.
    pub fn with_release(family: Family, release: impl Into<String>) -> Self {
        Ecosystem {
            family,
            release: Some(release.into()),
        }
    }

    /// The version scheme of the ecosystem, if it has one.
    pub fn scheme(&self) -> Option<Scheme> {
        self.family.scheme()
    }

    /// The package URL type of the ecosystem's packages, where the purl specification
    /// defines one.
    pub fn purl_type(&self) -> Option<&'static str> {
        use Family::*;
        Some(match self.family {
            Npm => "npm",
            PyPI => "pypi",
            Maven => "maven",
            Go | Kubernetes => "golang",
            CratesIo => "cargo",
            RubyGems => "gem",
            NuGet => "nuget",
            Packagist => "composer",
            Hex => "hex",
            Pub => "pub",
            SwiftUrl => "swift",
            Hackage => "hackage",
            Cran => "cran",
            Bioconductor => "bioconductor",
            ConanCenter => "conan",
            GitHubActions => "githubactions",
            Bitnami => "bitnami",
            Opam => "opam",
            Julia => "julia",
            Debian | Ubuntu | Echo => "deb",
            Alpine | Alpaquita | Chainguard | Wolfi | MinimOs | BellSoftHardenedContainers => "apk",
            AlmaLinux | AzureLinux | Mageia | OpenEuler | OpenSuse | PhotonOs | RedHat
            | RockyLinux | Suse | TuxCare => "rpm",
            _ => return None,
        })
    }

    /// The package URL namespace that names the distribution, for OS ecosystems
    /// (`deb/debian`, `apk/alpine`, `rpm/redhat`), as syft and trivy write it.
    pub fn purl_namespace(&self) -> Option<&'static str> {
        use Family::*;
        Some(match self.family {
            Debian => "debian",
            Ubuntu => "ubuntu",
            Echo => "echo",
            Alpine => "alpine",
            Wolfi => "wolfi",
            Chainguard => "chainguard",
            MinimOs => "minimos",
            Alpaquita => "alpaquita",
            RedHat => "redhat",
            RockyLinux => "rocky",
            AlmaLinux => "almalinux",
            OpenSuse => "opensuse",
            Suse => "suse",
            PhotonOs => "photon",
            Mageia => "mageia",
            OpenEuler => "openeuler",
            AzureLinux => "azurelinux",
            _ => return None,
        })
    }

    /// The purl `distro` qualifier for this ecosystem's release, in syft's spelling
    /// (`Debian:12` → `debian-12`, `Ubuntu:Pro:18.04:LTS` → `ubuntu-18.04`,
    /// `Alpine:v3.19` → `alpine-3.19`). `None` without a release, or where the release
    /// names no distribution version (`Red Hat`'s CPE suffixes).
    pub fn purl_distro(&self) -> Option<String> {
        let release = self.release.as_deref()?;
        let version = match self.family {
            Family::Debian => match release {
                "sid" => "sid".to_owned(),
                r => r.to_owned(),
            },
            Family::Ubuntu => release
                .split(':')
                .find(|part| part.contains('.'))?
                .to_owned(),
            Family::Alpine => release.strip_prefix('v')?.to_owned(),
            Family::RockyLinux | Family::AlmaLinux | Family::PhotonOs | Family::Mageia => {
                release.to_owned()
            }
            Family::OpenSuse => match release {
                "Tumbleweed" => return Some("opensuse-tumbleweed".to_owned()),
                r => return Some(format!("opensuse-leap-{}", r.strip_prefix("Leap ")?)),
            },
            Family::Suse => {
                let rest = release.strip_prefix("Linux Enterprise Server ")?;
                let distro = match rest.split_once(" SP") {
                    Some((major, sp)) => format!("sles-{major}.{sp}"),
                    None => format!("sles-{rest}"),
                };
                return Some(distro);
            }
            _ => return None,
        };
        Some(format!("{}-{version}", self.purl_namespace()?))
    }

    /// The ecosystem of a package URL, from its type, namespace and `distro` qualifier.
    ///
    /// Distribution packages need the distribution's release to be matched, taken from
    /// the `distro` qualifier as syft and trivy write it (`debian-12`, `debian-12.4`,
    /// `ubuntu-22.04`, `alpine-3.19.1`, `3.19.1`, `rhel-9.3`, `rocky-9.3`,
    /// `opensuse-leap-15.5`, `sles-15.5`). Without one, the ecosystem has no release
    /// and matches advisories of every release of the distribution.
    pub fn from_purl(
        purl_type: &str,
        namespace: Option<&str>,
        distro: Option<&str>,
    ) -> Option<Self> {
        use Family::*;
        let ns = namespace.unwrap_or("").to_ascii_lowercase();
        let family = match purl_type.to_ascii_lowercase().as_str() {
            "npm" => Npm,
            "pypi" => PyPI,
            "maven" => Maven,
            "golang" => Go,
            "cargo" => CratesIo,
            "gem" => RubyGems,
            "nuget" => NuGet,
            "composer" => Packagist,
            "hex" => Hex,
            "pub" => Pub,
            "swift" => SwiftUrl,
            "hackage" => Hackage,
            "cran" => Cran,
            "bioconductor" => Bioconductor,
            "conan" => ConanCenter,
            "githubactions" => GitHubActions,
            "bitnami" => Bitnami,
            "opam" => Opam,
            "julia" => Julia,
            "deb" => match ns.as_str() {
                "ubuntu" => Ubuntu,
                "echo" => Echo,
                _ => Debian,
            },
            "apk" => match ns.as_str() {
                "wolfi" => Wolfi,
                "chainguard" => Chainguard,
                "minimos" => MinimOs,
                "alpaquita" => Alpaquita,
                _ => Alpine,
            },
            "rpm" => match ns.as_str() {
                "redhat" | "rhel" => RedHat,
                "rocky" | "rockylinux" => RockyLinux,
                "almalinux" | "alma" => AlmaLinux,
                "opensuse" => OpenSuse,
                "suse" | "sles" => Suse,
                "photon" | "vmware" => PhotonOs,
                "mageia" => Mageia,
                "openeuler" => OpenEuler,
                "azurelinux" | "mariner" | "microsoft" => AzureLinux,
                _ => return None,
            },
            _ => return None,
        };
        let release = distro.and_then(|d| distro_release(family, d));
        Some(Ecosystem { family, release })
    }
}

/// The OSV release suffix for a purl `distro` qualifier, where one follows from it.
fn distro_release(family: Family, distro: &str) -> Option<String> {
    let distro = distro.trim().to_ascii_lowercase();
    // `debian-12.4` → `12.4`; trivy may write just `12.4`.
    let version = distro
        .rsplit_once('-')
        .map_or(distro.as_str(), |(_, v)| v)
        .to_owned();
    let numeric = |v: &str| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    let major = |v: &str| v.split('.').next().unwrap_or("").to_owned();
    let major_minor = |v: &str| v.split('.').take(2).collect::<Vec<_>>().join(".");
    match family {
        Family::Debian => {
            if numeric(&version) {
                Some(major(&version))
            } else {
                debian_codename(&version).map(str::to_owned)
            }
        }
        Family::Ubuntu => {
            let v = major_minor(&version);
            let (yy, mm) = v.split_once('.')?;
            let lts = mm == "04" && yy.parse::<u32>().is_ok_and(|y| y % 2 == 0);
            Some(if lts { format!("{v}:LTS") } else { v })
        }
        Family::Alpine => numeric(&version).then(|| format!("v{}", major_minor(&version))),
        Family::RockyLinux | Family::AlmaLinux => numeric(&version).then(|| major(&version)),
        Family::OpenSuse => {
            if distro.contains("tumbleweed") {
                Some("Tumbleweed".to_owned())
            } else {
                numeric(&version).then(|| format!("Leap {version}"))
            }
        }
        Family::Suse => {
            let (major, sp) = version.split_once('.').unwrap_or((&version, "0"));
            numeric(&version).then(|| match sp {
                "0" => format!("Linux Enterprise Server {major}"),
                sp => format!("Linux Enterprise Server {major} SP{sp}"),
            })
        }
        Family::PhotonOs | Family::Mageia | Family::AzureLinux => {
            numeric(&version).then_some(version)
        }
        _ => None,
    }
}

/// Debian's release numbers by codename, from distro-info-data; `sid` has no number.
fn debian_codename(codename: &str) -> Option<&'static str> {
    Some(match codename {
        "buzz" => "1.1",
        "hamm" => "2.0",
        "woody" => "3.0",
        "sarge" => "3.1",
        "etch" => "4.0",
        "lenny" => "5.0",
        "squeeze" => "6.0",
        "wheezy" => "7",
        "jessie" => "8",
        "stretch" => "9",
        "buster" => "10",
        "bullseye" => "11",
        "bookworm" => "12",
        "trixie" => "13",
        "forky" => "14",
        "duke" => "15",
        "sid" => "sid",
        _ => return None,
    })
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.family.name())?;
        if let Some(release) = &self.release {
            write!(f, ":{release}")?;
        }
        Ok(())
    }
}

/// An ecosystem string that names no OSV ecosystem.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown OSV ecosystem {0:?}")]
pub struct UnknownEcosystem(pub String);

impl FromStr for Ecosystem {
    type Err = UnknownEcosystem;

    /// Parses an OSV ecosystem string. The family is matched exactly as OSV writes it;
    /// the suffix after the first `:` is kept as written.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (name, release) = match s.split_once(':') {
            Some((name, release)) => (name, Some(release)),
            None => (s, None),
        };
        let family = NAMES
            .iter()
            .find(|(_, n)| *n == name)
            .map(|(f, _)| *f)
            .ok_or_else(|| UnknownEcosystem(s.to_owned()))?;
        match release {
            Some("") => Err(UnknownEcosystem(s.to_owned())),
            Some(r) => Ok(Ecosystem::with_release(family, r)),
            None => Ok(Ecosystem::new(family)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_osv_strings() {
        for s in [
            "npm",
            "crates.io",
            "Debian:12",
            "Alpine:v3.19",
            "Ubuntu:22.04:LTS",
            "Ubuntu:Pro:18.04:LTS",
            "Red Hat:enterprise_linux:9::appstream",
            "Maven:https://maven.google.com",
            "openSUSE:Leap 15.5",
        ] {
            let e: Ecosystem = s.parse().unwrap();
            assert_eq!(e.to_string(), s);
        }
        assert_eq!(
            "Debian:12".parse::<Ecosystem>().unwrap(),
            Ecosystem::with_release(Family::Debian, "12")
        );
    }

    #[test]
    fn rejects_unknown_and_wrong_case() {
        for s in ["pypi", "NPM", "Debian:", "", "Crates.io", "Foo:1"] {
            assert!(s.parse::<Ecosystem>().is_err(), "{s} should be rejected");
        }
    }

    #[test]
    fn every_family_round_trips_by_name() {
        for (family, name) in NAMES {
            assert_eq!(family.name(), name);
            assert_eq!(name.parse::<Ecosystem>().unwrap().family, family);
        }
    }

    #[test]
    fn from_purl_distro_qualifiers() {
        let check = |ty, ns, distro, expect: &str| {
            let e = Ecosystem::from_purl(ty, ns, distro).unwrap();
            assert_eq!(e.to_string(), expect, "{ty}/{ns:?}?distro={distro:?}");
        };
        check("deb", Some("debian"), Some("debian-12"), "Debian:12");
        check("deb", Some("debian"), Some("debian-12.4"), "Debian:12");
        check("deb", Some("debian"), Some("bookworm"), "Debian:12");
        check(
            "deb",
            Some("ubuntu"),
            Some("ubuntu-22.04"),
            "Ubuntu:22.04:LTS",
        );
        check("deb", Some("ubuntu"), Some("ubuntu-23.10"), "Ubuntu:23.10");
        check("apk", Some("alpine"), Some("alpine-3.19.1"), "Alpine:v3.19");
        check("apk", Some("alpine"), Some("3.19.1"), "Alpine:v3.19");
        check("rpm", Some("rocky"), Some("rocky-9.3"), "Rocky Linux:9");
        check(
            "rpm",
            Some("almalinux"),
            Some("almalinux-8.9"),
            "AlmaLinux:8",
        );
        check(
            "rpm",
            Some("opensuse"),
            Some("opensuse-leap-15.5"),
            "openSUSE:Leap 15.5",
        );
        check(
            "rpm",
            Some("suse"),
            Some("sles-15.5"),
            "SUSE:Linux Enterprise Server 15 SP5",
        );
        check("deb", Some("debian"), None, "Debian");
        check("pypi", None, None, "PyPI");
        check("cargo", None, None, "crates.io");
        check("golang", Some("github.com/foo"), None, "Go");
        assert_eq!(Ecosystem::from_purl("generic", None, None), None);
    }

    /// `from_purl(type, namespace, distro)` gives back each distribution release.
    #[test]
    fn distro_qualifiers_round_trip() {
        for s in [
            "Debian:12",
            "Debian:sid",
            "Ubuntu:22.04:LTS",
            "Ubuntu:23.10",
            "Alpine:v3.19",
            "Rocky Linux:9",
            "AlmaLinux:8",
            "openSUSE:Leap 15.5",
            "openSUSE:Tumbleweed",
            "SUSE:Linux Enterprise Server 15 SP5",
            "SUSE:Linux Enterprise Server 15",
        ] {
            let e: Ecosystem = s.parse().unwrap();
            let distro = e
                .purl_distro()
                .unwrap_or_else(|| panic!("{s} has no distro"));
            let back =
                Ecosystem::from_purl(e.purl_type().unwrap(), e.purl_namespace(), Some(&distro));
            assert_eq!(
                back.map(|b| b.to_string()).as_deref(),
                Some(s),
                "{s} via {distro}"
            );
        }
        let pro: Ecosystem = "Ubuntu:Pro:18.04:LTS".parse().unwrap();
        assert_eq!(pro.purl_distro().as_deref(), Some("ubuntu-18.04"));
        let rhel: Ecosystem = "Red Hat:enterprise_linux:9::appstream".parse().unwrap();
        assert_eq!(rhel.purl_distro(), None);
        assert_eq!(rhel.purl_namespace(), Some("redhat"));
    }

    #[test]
    fn purl_type_round_trips_for_registries() {
        for (family, _) in NAMES {
            let e = Ecosystem::new(family);
            // RPM purls name their distribution in the namespace; without one there is
            // nothing to map back to.
            if let Some(ty) = e.purl_type().filter(|ty| *ty != "rpm") {
                let back = Ecosystem::from_purl(ty, None, None).unwrap();
                assert_eq!(back.purl_type(), Some(ty), "{family}");
            }
        }
    }
}
