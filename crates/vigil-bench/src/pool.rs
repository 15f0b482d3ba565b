//! The package pool: every package version a synthetic portfolio can contain, over npm,
//! PyPI, Maven, Go, crates.io and Debian 12, each version written in its ecosystem's own
//! syntax and listed in ascending order, and each ecosystem's packages ranked by
//! popularity so that releases draw them with a Zipf law (a few packages are in almost
//! every release, most in a handful).
//!
//! The most popular names of each ecosystem are real ones (`lodash`, `django`, `serde`,
//! `openssl`), so real advisories can match them; the rest are made-up words built from
//! the package's index, unique by construction.

use std::collections::HashSet;

use rand::Rng as _;
use rand_distr::{Distribution, Zipf};
use serde::Serialize;

use crate::seed::{Rng, rng};

/// An ecosystem of the pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Ecosystem {
    Npm,
    PyPI,
    Maven,
    Go,
    CratesIo,
    Debian,
}

impl Ecosystem {
    pub const ALL: [Ecosystem; 6] = [
        Ecosystem::Npm,
        Ecosystem::PyPI,
        Ecosystem::Maven,
        Ecosystem::Go,
        Ecosystem::CratesIo,
        Ecosystem::Debian,
    ];

    /// The OSV ecosystem name.
    pub fn osv(self) -> &'static str {
        match self {
            Ecosystem::Npm => "npm",
            Ecosystem::PyPI => "PyPI",
            Ecosystem::Maven => "Maven",
            Ecosystem::Go => "Go",
            Ecosystem::CratesIo => "crates.io",
            Ecosystem::Debian => "Debian:12",
        }
    }

    /// The OSV range type advisories of the ecosystem use.
    pub fn range_type(self) -> &'static str {
        match self {
            Ecosystem::Npm | Ecosystem::Go | Ecosystem::CratesIo => "SEMVER",
            Ecosystem::PyPI | Ecosystem::Maven | Ecosystem::Debian => "ECOSYSTEM",
        }
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }

    /// The ecosystem's share of the pool's package versions.
    fn share(self) -> f64 {
        match self {
            Ecosystem::Npm => 0.32,
            Ecosystem::PyPI => 0.14,
            Ecosystem::Maven => 0.22,
            Ecosystem::Go => 0.14,
            Ecosystem::CratesIo => 0.08,
            Ecosystem::Debian => 0.10,
        }
    }

    /// The Zipf exponent of the ecosystem's popularity: the larger, the more the head
    /// dominates.
    fn zipf_exponent(self) -> f64 {
        match self {
            Ecosystem::Debian => 1.1,
            _ => 0.9,
        }
    }
}

/// One package (for Debian, one binary package) and its versions.
#[derive(Clone, Debug)]
pub struct Package {
    pub ecosystem: Ecosystem,
    /// The npm scope (`@babel`), Maven group id or Go module path prefix
    /// (`github.com/gorilla`); `None` elsewhere.
    pub namespace: Option<String>,
    pub name: String,
    /// Debian: the source package it is built from, when named differently.
    pub source: Option<String>,
    /// Ascending in the ecosystem's order.
    pub versions: Vec<String>,
    /// The pool entry of `versions[0]`; the others follow.
    pub first_entry: u32,
}

impl Package {
    /// The name OSV records use for the package: `@scope/name`, `group:artifact`, the Go
    /// module path, the Debian source package.
    pub fn osv_name(&self) -> String {
        match (self.ecosystem, &self.namespace) {
            (Ecosystem::Maven, Some(group)) => format!("{group}:{}", self.name),
            (Ecosystem::Npm | Ecosystem::Go, Some(ns)) => format!("{ns}/{}", self.name),
            (Ecosystem::Debian, _) => self.source.clone().unwrap_or_else(|| self.name.clone()),
            _ => self.name.clone(),
        }
    }

    /// The version as an OSV range event writes it (Go drops the `v`).
    pub fn osv_version(&self, i: usize) -> &str {
        let v = &self.versions[i];
        match self.ecosystem {
            Ecosystem::Go => v.strip_prefix('v').unwrap_or(v),
            _ => v,
        }
    }

    /// The package URL of version `i`, as syft and cdxgen write it.
    pub fn purl(&self, i: usize) -> String {
        let v = &self.versions[i];
        match self.ecosystem {
            Ecosystem::Npm => match &self.namespace {
                Some(scope) => format!(
                    "pkg:npm/%40{}/{}@{v}",
                    scope.trim_start_matches('@'),
                    self.name
                ),
                None => format!("pkg:npm/{}@{v}", self.name),
            },
            Ecosystem::PyPI => format!("pkg:pypi/{}@{v}", self.name),
            Ecosystem::Maven => format!(
                "pkg:maven/{}/{}@{v}",
                self.namespace.as_deref().unwrap_or_default(),
                self.name
            ),
            Ecosystem::Go => format!(
                "pkg:golang/{}/{}@{v}",
                self.namespace.as_deref().unwrap_or_default(),
                self.name
            ),
            Ecosystem::CratesIo => format!("pkg:cargo/{}@{v}", self.name),
            Ecosystem::Debian => {
                // A purl version escapes `+` (it is a space in a query string) and the
                // epoch's `:`.
                let v = v.replace(':', "%3A").replace('+', "%2B");
                match &self.source {
                    Some(src) => format!(
                        "pkg:deb/debian/{}@{v}?arch=amd64&distro=debian-12&upstream={src}",
                        self.name
                    ),
                    None => format!(
                        "pkg:deb/debian/{}@{v}?arch=amd64&distro=debian-12",
                        self.name
                    ),
                }
            }
        }
    }
}

/// The pool: packages, their versions numbered as entries, popularity per ecosystem.
#[derive(Debug)]
pub struct Pool {
    packages: Vec<Package>,
    /// Package ids of each ecosystem, most popular first.
    ranked: [Vec<u32>; 6],
    /// Debian source packages, most popular first: the ids of their binaries, which
    /// share the source's versions.
    debian_sources: Vec<Vec<u32>>,
    entry_package: Vec<u32>,
    zipf: [Option<Zipf<f64>>; 6],
    /// A flatter law for what advisories name: popular packages have more advisories
    /// than rare ones, but not in proportion to their use (lodash has a dozen, not a
    /// thousand).
    flat: [Option<Zipf<f64>>; 6],
    debian_zipf: Option<Zipf<f64>>,
}

impl Pool {
    /// A pool of about `size` package versions (exactly `size` unless Debian's binaries
    /// round it up by a few).
    pub fn generate(seed: u64, size: usize) -> Pool {
        let mut pool = Pool {
            packages: Vec::new(),
            ranked: Default::default(),
            debian_sources: Vec::new(),
            entry_package: Vec::with_capacity(size + 8),
            zipf: Default::default(),
            flat: Default::default(),
            debian_zipf: None,
        };
        let mut names = HashSet::new();
        let mut remaining = size;
        for (k, eco) in Ecosystem::ALL.into_iter().enumerate() {
            let target = if k + 1 == Ecosystem::ALL.len() {
                remaining
            } else {
                ((size as f64 * eco.share()).round() as usize).min(remaining)
            };
            remaining -= target;
            let mut r = rng(seed, "pool", k as u64);
            let mut made = 0;
            let mut n = 0u64;
            while made < target {
                made += if eco == Ecosystem::Debian {
                    pool.add_debian_source(&mut r, n, target - made, &mut names)
                } else {
                    pool.add_package(eco, &mut r, n, target - made, &mut names)
                };
                n += 1;
            }
        }
        for eco in Ecosystem::ALL {
            let n = pool.ranked[eco.index()].len();
            pool.zipf[eco.index()] = (n > 0)
                .then(|| Zipf::new(n as f64, eco.zipf_exponent()).ok())
                .flatten();
            pool.flat[eco.index()] = (n > 0)
                .then(|| Zipf::new(n as f64, ADVISORY_EXPONENT).ok())
                .flatten();
        }
        let sources = pool.debian_sources.len();
        pool.debian_zipf = (sources > 0)
            .then(|| Zipf::new(sources as f64, Ecosystem::Debian.zipf_exponent()).ok())
            .flatten();
        pool
    }

    /// The `n`-th package of `eco` (a well-known name first, then made-up ones), with at
    /// most `room` versions; returns how many entries it added.
    fn add_package(
        &mut self,
        eco: Ecosystem,
        r: &mut Rng,
        n: u64,
        room: usize,
        names: &mut HashSet<String>,
    ) -> usize {
        let mut attempt = 0;
        let (namespace, name) = loop {
            let candidate = package_name(eco, r, n, attempt);
            attempt += 1;
            let key = format!(
                "{:?}/{}/{}",
                eco,
                candidate.0.as_deref().unwrap_or(""),
                candidate.1
            );
            if names.insert(key) {
                break candidate;
            }
        };
        let count = version_count(r, n).min(room).max(1);
        let versions = versions(eco, r, count);
        self.push(eco, namespace, name, None, versions)
    }

    /// The `n`-th Debian source package with its binaries; returns the entries added.
    fn add_debian_source(
        &mut self,
        r: &mut Rng,
        n: u64,
        room: usize,
        names: &mut HashSet<String>,
    ) -> usize {
        let (source, binaries): (String, Vec<String>) = match WELL_KNOWN_DEBIAN.get(n as usize) {
            Some((src, bins)) => (
                (*src).to_owned(),
                bins.iter().map(|b| (*b).to_owned()).collect(),
            ),
            None => {
                let src = word(n + 1_000);
                let bins = match r.random_range(0..4) {
                    0 => vec![src.clone()],
                    1 => vec![format!("lib{src}{}", r.random_range(0..4))],
                    2 => vec![src.clone(), format!("{src}-common")],
                    _ => vec![
                        format!("lib{src}{}", r.random_range(0..4)),
                        format!("{src}-bin"),
                        format!("{src}-common"),
                    ],
                };
                (src, bins)
            }
        };
        let binaries: Vec<String> = binaries
            .into_iter()
            .filter(|b| names.insert(format!("Debian//{b}")))
            .collect();
        if binaries.is_empty() {
            return 0;
        }
        let count = version_count(r, n)
            .min(room.div_ceil(binaries.len()))
            .max(1);
        let versions = versions(Ecosystem::Debian, r, count);
        let mut ids = Vec::new();
        let mut added = 0;
        for b in binaries {
            ids.push(self.packages.len() as u32);
            let source = (b != source).then(|| source.clone());
            added += self.push(
                Ecosystem::Debian,
                Some("debian".to_owned()),
                b,
                source,
                versions.clone(),
            );
        }
        self.debian_sources.push(ids);
        added
    }

    fn push(
        &mut self,
        ecosystem: Ecosystem,
        namespace: Option<String>,
        name: String,
        source: Option<String>,
        versions: Vec<String>,
    ) -> usize {
        let id = self.packages.len() as u32;
        let first_entry = self.entry_package.len() as u32;
        let count = versions.len();
        self.entry_package.extend(std::iter::repeat_n(id, count));
        self.ranked[ecosystem.index()].push(id);
        // Debian's namespace is only the purl's; OSV names the source package.
        let namespace = namespace.filter(|_| ecosystem != Ecosystem::Debian);
        self.packages.push(Package {
            ecosystem,
            namespace,
            name,
            source,
            versions,
            first_entry,
        });
        count
    }

    /// Package versions in the pool.
    pub fn len(&self) -> usize {
        self.entry_package.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entry_package.is_empty()
    }

    pub fn packages(&self) -> &[Package] {
        &self.packages
    }

    pub fn package(&self, id: u32) -> &Package {
        &self.packages[id as usize]
    }

    /// The package and version index of an entry.
    pub fn entry(&self, entry: u32) -> (&Package, usize) {
        let p = &self.packages[self.entry_package[entry as usize] as usize];
        (p, (entry - p.first_entry) as usize)
    }

    pub fn package_of(&self, entry: u32) -> u32 {
        self.entry_package[entry as usize]
    }

    /// Packages of `eco`, most popular first.
    pub fn ranked(&self, eco: Ecosystem) -> &[u32] {
        &self.ranked[eco.index()]
    }

    /// A package of `eco` drawn by popularity.
    pub fn draw(&self, eco: Ecosystem, r: &mut Rng) -> Option<u32> {
        let zipf = self.zipf[eco.index()].as_ref()?;
        let rank = zipf.sample(r) as usize;
        self.ranked[eco.index()]
            .get(rank.saturating_sub(1))
            .copied()
    }

    /// A package of `eco` for an advisory to name, drawn by the flatter law.
    pub fn draw_for_advisory(&self, eco: Ecosystem, r: &mut Rng) -> Option<u32> {
        let zipf = self.flat[eco.index()].as_ref()?;
        let rank = zipf.sample(r) as usize;
        self.ranked[eco.index()]
            .get(rank.saturating_sub(1))
            .copied()
    }

    /// A Debian source package (its binaries) drawn by popularity.
    pub fn draw_debian_source(&self, r: &mut Rng) -> Option<(usize, &[u32])> {
        let zipf = self.debian_zipf.as_ref()?;
        let rank = (zipf.sample(r) as usize).saturating_sub(1);
        self.debian_sources
            .get(rank)
            .map(|bins| (rank, bins.as_slice()))
    }

    pub fn debian_source(&self, i: usize) -> &[u32] {
        &self.debian_sources[i]
    }
}

/// The Zipf exponent of advisories over packages: with it the most popular package of
/// a 100,000-advisory database has a few dozen.
const ADVISORY_EXPONENT: f64 = 0.5;

/// How many versions the `n`-th package has: popular packages have long histories.
fn version_count(r: &mut Rng, n: u64) -> usize {
    let mean = if n < 50 { 12.0 } else { 3.0 };
    let u: f64 = r.random_range(f64::EPSILON..1.0);
    1 + ((-u.ln() * mean) as usize).min(40)
}

/// The namespace and name of the `n`-th package of `eco`; a retry after a clash
/// (`attempt` > 0) gives another name.
fn package_name(eco: Ecosystem, r: &mut Rng, n: u64, attempt: u64) -> (Option<String>, String) {
    let known: &[&str] = match eco {
        Ecosystem::Npm => WELL_KNOWN_NPM,
        Ecosystem::PyPI => WELL_KNOWN_PYPI,
        Ecosystem::Maven => WELL_KNOWN_MAVEN,
        Ecosystem::Go => WELL_KNOWN_GO,
        Ecosystem::CratesIo => WELL_KNOWN_CRATES,
        Ecosystem::Debian => &[],
    };
    if attempt == 0
        && let Some(k) = known.get(n as usize)
    {
        return split_known(eco, k);
    }
    // Made-up names live in a range of indexes no other use of `word` takes.
    let base = word(2_000_000 + n * 8 + attempt % 8);
    let pick = |r: &mut Rng, list: &[&str]| list[r.random_range(0..list.len())].to_owned();
    match eco {
        Ecosystem::Npm => {
            if r.random_bool(0.2) {
                let scope = word(r.random_range(0..400));
                (Some(format!("@{scope}")), base)
            } else if r.random_bool(0.3) {
                let suffix = pick(
                    r,
                    &["js", "utils", "core", "parser", "plugin", "loader", "cli"],
                );
                (None, format!("{base}-{suffix}"))
            } else {
                (None, base)
            }
        }
        Ecosystem::PyPI => {
            if r.random_bool(0.25) {
                let prefix = pick(r, &["py", "django-", "flask-", "pytest-", "types-"]);
                (None, format!("{prefix}{base}"))
            } else {
                (None, base)
            }
        }
        Ecosystem::Maven => {
            let tld = pick(r, &["org", "com", "io", "net"]);
            let group = format!("{tld}.{}", word(r.random_range(0..2_000)));
            let suffix = pick(r, &["", "-core", "-api", "-client", "-spring-boot-starter"]);
            (Some(group), format!("{base}{suffix}"))
        }
        Ecosystem::Go => {
            let org = word(10_000 + r.random_range(0..3_000));
            (Some(format!("github.com/{org}")), base)
        }
        Ecosystem::CratesIo => {
            if r.random_bool(0.2) {
                (
                    None,
                    format!("{base}-{}", pick(r, &["sys", "derive", "macros", "core"])),
                )
            } else {
                (None, base)
            }
        }
        Ecosystem::Debian => (None, base),
    }
}

fn split_known(eco: Ecosystem, k: &str) -> (Option<String>, String) {
    match eco {
        Ecosystem::Maven => match k.split_once(':') {
            Some((g, a)) => (Some(g.to_owned()), a.to_owned()),
            None => (None, k.to_owned()),
        },
        Ecosystem::Npm | Ecosystem::Go => match k.rsplit_once('/') {
            Some((ns, name)) => (Some(ns.to_owned()), name.to_owned()),
            None => (None, k.to_owned()),
        },
        _ => (None, k.to_owned()),
    }
}

/// A made-up word of four consonant-vowel syllables for the index `n`, different for
/// every `n` below 75^4: the index is scrambled by a bijection so that neighbours do not
/// look alike, then written in base 75.
pub(crate) fn word(n: u64) -> String {
    const CONSONANTS: &[u8] = b"bdfghklmnprstvz";
    const VOWELS: &[u8] = b"aeiou";
    const SYLLABLES: u64 = 75;
    const SPACE: u64 = SYLLABLES * SYLLABLES * SYLLABLES * SYLLABLES;
    // 104,729 is prime and shares no factor with 75^4 = 3^4 * 5^8, so this permutes the
    // space.
    let mut x = (n % SPACE) * 104_729 % SPACE;
    let mut s = String::with_capacity(8);
    for _ in 0..4 {
        let d = (x % SYLLABLES) as usize;
        x /= SYLLABLES;
        s.push(CONSONANTS[d / 5] as char);
        s.push(VOWELS[d % 5] as char);
    }
    s
}

/// `count` ascending versions in `eco`'s syntax, from a random start, stepping as
/// projects release: mostly patches, some minors, a few majors.
fn versions(eco: Ecosystem, r: &mut Rng, count: usize) -> Vec<String> {
    let (mut major, mut minor, mut patch) = (
        r.random_range(0..5u32),
        r.random_range(0..20u32),
        r.random_range(0..8u32),
    );
    // A style per package: two-part PyPI versions, Maven's `.Final`, Debian epochs.
    let two_part = eco == Ecosystem::PyPI && r.random_bool(0.2);
    let final_suffix = eco == Ecosystem::Maven && r.random_bool(0.1);
    let epoch = eco == Ecosystem::Debian && r.random_bool(0.1);
    let (mut revision, mut security) = (r.random_range(1..4u32), 0u32);
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        if i > 0 {
            if eco == Ecosystem::Debian {
                let step: f64 = r.random();
                if step < 0.5 {
                    security += 1;
                    out.push(debian(epoch, major, minor, patch, revision, security));
                    continue;
                } else if step < 0.8 {
                    revision += 1;
                    security = 0;
                    out.push(debian(epoch, major, minor, patch, revision, security));
                    continue;
                }
                revision = 1;
                security = 0;
            }
            let step: f64 = r.random();
            if two_part {
                if step < 0.85 {
                    minor += 1;
                } else {
                    major += 1;
                    minor = 0;
                }
            } else if step < 0.65 {
                patch += 1;
            } else if step < 0.93 {
                minor += 1;
                patch = 0;
            } else {
                major += 1;
                minor = 0;
                patch = 0;
            }
        }
        out.push(match eco {
            Ecosystem::Npm | Ecosystem::CratesIo => format!("{major}.{minor}.{patch}"),
            Ecosystem::Go => format!("v{major}.{minor}.{patch}"),
            Ecosystem::PyPI if two_part => format!("{major}.{minor}"),
            Ecosystem::PyPI => format!("{major}.{minor}.{patch}"),
            Ecosystem::Maven if final_suffix => format!("{major}.{minor}.{patch}.Final"),
            Ecosystem::Maven => format!("{major}.{minor}.{patch}"),
            Ecosystem::Debian => debian(epoch, major, minor, patch, revision, security),
        });
    }
    out
}

fn debian(epoch: bool, major: u32, minor: u32, patch: u32, revision: u32, security: u32) -> String {
    let epoch = if epoch { "1:" } else { "" };
    let security = if security > 0 {
        format!("+deb12u{security}")
    } else {
        String::new()
    };
    format!("{epoch}{major}.{minor}.{patch}-{revision}{security}")
}

const WELL_KNOWN_NPM: &[&str] = &[
    "lodash",
    "debug",
    "ms",
    "semver",
    "express",
    "qs",
    "minimist",
    "react",
    "axios",
    "chalk",
    "commander",
    "tslib",
    "uuid",
    "glob",
    "yargs",
    "body-parser",
    "moment",
    "@babel/core",
    "@babel/traverse",
    "@types/node",
    "ws",
    "follow-redirects",
    "cookie",
    "path-to-regexp",
    "jsonwebtoken",
    "node-fetch",
    "minimatch",
    "async",
    "underscore",
    "handlebars",
];

const WELL_KNOWN_PYPI: &[&str] = &[
    "requests",
    "urllib3",
    "certifi",
    "idna",
    "setuptools",
    "six",
    "pyyaml",
    "jinja2",
    "markupsafe",
    "django",
    "flask",
    "werkzeug",
    "cryptography",
    "numpy",
    "pillow",
    "sqlalchemy",
    "aiohttp",
    "protobuf",
    "pydantic",
    "lxml",
    "paramiko",
    "pyjwt",
    "gunicorn",
    "tornado",
    "twisted",
];

const WELL_KNOWN_MAVEN: &[&str] = &[
    "com.fasterxml.jackson.core:jackson-databind",
    "org.apache.logging.log4j:log4j-core",
    "org.springframework:spring-core",
    "org.springframework:spring-web",
    "com.google.guava:guava",
    "org.apache.commons:commons-lang3",
    "commons-io:commons-io",
    "org.yaml:snakeyaml",
    "io.netty:netty-handler",
    "org.apache.tomcat.embed:tomcat-embed-core",
    "ch.qos.logback:logback-classic",
    "com.google.protobuf:protobuf-java",
    "org.bouncycastle:bcprov-jdk18on",
    "org.apache.httpcomponents:httpclient",
    "com.h2database:h2",
];

const WELL_KNOWN_GO: &[&str] = &[
    "golang.org/x/net",
    "golang.org/x/crypto",
    "golang.org/x/text",
    "golang.org/x/sys",
    "google.golang.org/grpc",
    "google.golang.org/protobuf",
    "github.com/gin-gonic/gin",
    "github.com/golang-jwt/jwt",
    "github.com/gorilla/websocket",
    "github.com/prometheus/client_golang",
    "github.com/sirupsen/logrus",
    "github.com/spf13/cobra",
    "gopkg.in/yaml.v3",
    "github.com/docker/docker",
    "k8s.io/apimachinery",
];

const WELL_KNOWN_CRATES: &[&str] = &[
    "serde",
    "tokio",
    "regex",
    "hyper",
    "openssl",
    "time",
    "chrono",
    "smallvec",
    "rand",
    "bytes",
    "h2",
    "rustls",
    "url",
    "idna",
    "crossbeam-channel",
    "tracing-subscriber",
    "sqlx",
    "ring",
];

/// Source packages of a Debian 12 image, with the binaries an image installs.
const WELL_KNOWN_DEBIAN: &[(&str, &[&str])] = &[
    ("glibc", &["libc6", "libc-bin"]),
    ("openssl", &["libssl3", "openssl"]),
    ("zlib", &["zlib1g"]),
    (
        "util-linux",
        &[
            "util-linux",
            "libblkid1",
            "libmount1",
            "bsdutils",
            "libuuid1",
        ],
    ),
    ("systemd", &["libsystemd0", "libudev1"]),
    ("curl", &["curl", "libcurl4"]),
    ("gnutls28", &["libgnutls30"]),
    ("ncurses", &["libncursesw6", "libtinfo6", "ncurses-base"]),
    ("perl", &["perl-base"]),
    ("bash", &["bash"]),
    ("coreutils", &["coreutils"]),
    ("tar", &["tar"]),
    ("xz-utils", &["liblzma5"]),
    ("libxml2", &["libxml2"]),
    ("sqlite3", &["libsqlite3-0"]),
    ("krb5", &["libkrb5-3", "libgssapi-krb5-2", "libk5crypto3"]),
    ("openldap", &["libldap-2.5-0"]),
    ("libgcrypt20", &["libgcrypt20"]),
    ("e2fsprogs", &["libcom-err2", "libss2", "e2fsprogs"]),
    ("shadow", &["login", "passwd"]),
    ("pam", &["libpam0g", "libpam-modules"]),
    ("apt", &["apt", "libapt-pkg6.0"]),
    ("expat", &["libexpat1"]),
    ("pcre2", &["libpcre2-8-0"]),
    ("libzstd", &["libzstd1"]),
    ("bzip2", &["libbz2-1.0"]),
    ("gnupg2", &["gpgv"]),
    ("tzdata", &["tzdata"]),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_distinct() {
        let words: HashSet<String> = (0..100_000).map(word).collect();
        assert_eq!(words.len(), 100_000);
    }

    #[test]
    fn pool_has_its_size_and_distinct_purls() {
        let pool = Pool::generate(1, 20_000);
        assert!((20_000..20_010).contains(&pool.len()), "{}", pool.len());
        let mut purls = HashSet::new();
        for p in pool.packages() {
            for i in 0..p.versions.len() {
                assert!(purls.insert(p.purl(i)), "{}", p.purl(i));
            }
        }
        assert_eq!(purls.len(), pool.len());
        for eco in Ecosystem::ALL {
            assert!(!pool.ranked(eco).is_empty(), "{eco:?}");
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_pool() {
        let (a, b) = (Pool::generate(9, 5_000), Pool::generate(9, 5_000));
        let purls = |p: &Pool| -> Vec<String> {
            p.packages()
                .iter()
                .map(|p| p.purl(p.versions.len() - 1))
                .collect()
        };
        assert_eq!(purls(&a), purls(&b));
        assert_ne!(purls(&a), purls(&Pool::generate(10, 5_000)));
    }
}
