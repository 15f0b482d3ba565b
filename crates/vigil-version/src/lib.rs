//! Version parsing and exact ordering for every package ecosystem Vigil matches.
//!
//! Every match rests on comparing versions as the ecosystem's own tool does, so each
//! [`Scheme`] implements its ecosystem's rules rather than a SemVer approximation. The traps
//! that catch matchers which do not:
//!
//! - **dpkg** (Debian, Ubuntu): `~` sorts before everything, even the end of the string
//!   (`1.0~rc1 < 1.0`); letters sort before other punctuation; `1.0 < 1.0.0`; an epoch
//!   (`1:`) outweighs everything after it.
//! - **rpm** (Red Hat, Rocky, Alma, SUSE): separators are ignored (`1.0 == 1_0`), `~`
//!   sorts before the end and `^` after it; a numeric segment beats an alphabetic one.
//! - **apk** (Alpine): `_alpha < _beta < _pre < _rc < (none) < _cvs < _svn < _git < _hg <
//!   _p`, and `-rN` revisions.
//! - **Maven**: qualifiers have a fixed order (`alpha < beta < milestone < rc < snapshot <
//!   "" < sp`), `1.0 == 1.0.0 == 1-ga`, and `-` and `.` separators rank differently.
//! - **PEP 440** (PyPI): `1.0 == 1.0.0`, `1.0.dev0 < 1.0a0 < 1.0 < 1.0.post0`, epochs
//!   (`1!0.1 > 2.0`), local versions sort after their public version.
//! - **SemVer** family (npm, crates.io, Go, Hex): pre-releases sort before their release
//!   and build metadata is ignored; **Pub** compares build metadata; **NuGet** has four
//!   numeric parts and ignores case in pre-releases.
//! - **RubyGems**: any letter makes a pre-release (`1.0.a < 1.0`); `1.0 == 1`.
//!
//! Each version is parsed once into a [`Key`] whose byte order *is* the ecosystem's
//! order: comparing two versions is one `memcmp`, and keys can be indexed by a database.

mod key;
mod lex;

mod apk;
mod cran;
mod dpkg;
mod go;
mod hackage;
mod maven;
mod nuget;
mod packagist;
mod pep440;
mod pubdev;
mod rpm;
mod rubygems;
mod semver;
#[cfg(test)]
pub(crate) mod testing;

pub mod ecosystem;

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

pub use ecosystem::Ecosystem;
pub use key::Key;

/// Longest version string accepted, in bytes. Real versions are far shorter; the limit
/// bounds the work and memory one untrusted string can cost.
pub const MAX_VERSION_LEN: usize = 1024;

/// A version-ordering scheme: the rules one family of package tools uses to compare
/// versions. Several OSV ecosystems share a scheme (Debian and Ubuntu both use dpkg's).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Scheme {
    /// SemVer 2.0, as OSV `SEMVER` ranges use it.
    SemVer,
    /// npm (node-semver).
    Npm,
    /// crates.io (Cargo's semver).
    Cargo,
    /// Hex (Elixir's `Version`).
    Hex,
    /// Pub (Dart's `pub_semver`): SemVer that also orders build metadata.
    Pub,
    /// Go modules: SemVer with a `v` prefix, pseudo-versions and `+incompatible`.
    Go,
    /// NuGet: up to four numeric parts, case-insensitive pre-release labels.
    NuGet,
    /// PyPI: PEP 440.
    PyPI,
    /// Maven: `ComparableVersion`.
    Maven,
    /// RubyGems: `Gem::Version`.
    RubyGems,
    /// Packagist: Composer, as PHP's `version_compare` orders normalized versions.
    Packagist,
    /// Debian and Ubuntu: dpkg.
    Dpkg,
    /// Red Hat, Rocky Linux, AlmaLinux, SUSE, openSUSE and other RPM distributions.
    Rpm,
    /// Alpine, Wolfi and Chainguard: apk-tools.
    Apk,
    /// CRAN: R's `package_version`.
    Cran,
    /// Hackage: Haskell's `Data.Version`.
    Hackage,
}

impl Scheme {
    /// Every scheme, in declaration order.
    pub const ALL: [Scheme; 16] = [
        Scheme::SemVer,
        Scheme::Npm,
        Scheme::Cargo,
        Scheme::Hex,
        Scheme::Pub,
        Scheme::Go,
        Scheme::NuGet,
        Scheme::PyPI,
        Scheme::Maven,
        Scheme::RubyGems,
        Scheme::Packagist,
        Scheme::Dpkg,
        Scheme::Rpm,
        Scheme::Apk,
        Scheme::Cran,
        Scheme::Hackage,
    ];

    /// The scheme's name, as used in messages.
    pub fn name(self) -> &'static str {
        match self {
            Scheme::SemVer => "SemVer",
            Scheme::Npm => "npm",
            Scheme::Cargo => "crates.io",
            Scheme::Hex => "Hex",
            Scheme::Pub => "Pub",
            Scheme::Go => "Go",
            Scheme::NuGet => "NuGet",
            Scheme::PyPI => "PyPI",
            Scheme::Maven => "Maven",
            Scheme::RubyGems => "RubyGems",
            Scheme::Packagist => "Packagist",
            Scheme::Dpkg => "dpkg",
            Scheme::Rpm => "RPM",
            Scheme::Apk => "apk",
            Scheme::Cran => "CRAN",
            Scheme::Hackage => "Hackage",
        }
    }

    /// Parses `input` as a version of this scheme.
    ///
    /// Surrounding whitespace is ignored. A string the ecosystem's own tool rejects is
    /// an error that quotes it and says why; no input panics.
    pub fn parse(self, input: &str) -> Result<Version, ParseError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(ParseError::Empty { scheme: self });
        }
        if trimmed.len() > MAX_VERSION_LEN {
            return Err(ParseError::TooLong {
                scheme: self,
                len: trimmed.len(),
            });
        }
        let mut w = key::KeyWriter::new();
        let encoded = match self {
            Scheme::SemVer => semver::encode_semver(trimmed, &mut w),
            Scheme::Npm => semver::encode_npm(trimmed, &mut w),
            Scheme::Cargo => semver::encode_cargo(trimmed, &mut w),
            Scheme::Hex => semver::encode_hex(trimmed, &mut w),
            Scheme::Pub => pubdev::encode(trimmed, &mut w),
            Scheme::Go => go::encode(trimmed, &mut w),
            Scheme::NuGet => nuget::encode(trimmed, &mut w),
            Scheme::PyPI => pep440::encode(trimmed, &mut w),
            Scheme::Maven => maven::encode(trimmed, &mut w),
            Scheme::RubyGems => rubygems::encode(trimmed, &mut w),
            Scheme::Packagist => packagist::encode(trimmed, &mut w),
            Scheme::Dpkg => dpkg::encode(trimmed, &mut w),
            Scheme::Rpm => rpm::encode(trimmed, &mut w),
            Scheme::Apk => apk::encode(trimmed, &mut w),
            Scheme::Cran => cran::encode(trimmed, &mut w),
            Scheme::Hackage => hackage::encode(trimmed, &mut w),
        };
        match encoded {
            Ok(()) => Ok(Version {
                scheme: self,
                key: w.finish(),
            }),
            Err(Invalid { at, reason }) => Err(ParseError::Invalid {
                scheme: self,
                input: trimmed.to_owned(),
                at,
                reason,
            }),
        }
    }

    /// Compares two version strings of this scheme.
    pub fn compare(self, a: &str, b: &str) -> Result<std::cmp::Ordering, ParseError> {
        Ok(self.parse(a)?.cmp(&self.parse(b)?))
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A parsed version: its scheme and its order key.
///
/// Versions of one scheme compare by their ecosystem's rules; equal means the ecosystem
/// considers them the same version (`1.0 == 1.0.0` in PEP 440). Versions of different
/// schemes never compare equal; their relative order is arbitrary but total.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    scheme: Scheme,
    key: Key,
}

impl Version {
    /// The scheme this version was parsed with.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The order key: byte order of keys of one scheme is version order.
    pub fn key(&self) -> &Key {
        &self.key
    }
}

/// Why a version string was rejected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    #[error("empty {scheme} version")]
    Empty { scheme: Scheme },
    #[error(
        "{scheme} version is {len} bytes long; versions are limited to {MAX_VERSION_LEN} bytes"
    )]
    TooLong { scheme: Scheme, len: usize },
    #[error("invalid {scheme} version {input:?}: {reason}{}", At(*at))]
    Invalid {
        scheme: Scheme,
        input: String,
        /// Byte offset in `input` where the problem is, when there is one place.
        at: Option<usize>,
        reason: Cow<'static, str>,
    },
}

struct At(Option<usize>);

impl fmt::Display for At {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(at) => write!(f, " (at byte {at})"),
            None => Ok(()),
        }
    }
}

/// A scheme module's rejection of its input, before the crate adds scheme and input.
#[derive(Debug)]
pub(crate) struct Invalid {
    pub(crate) at: Option<usize>,
    pub(crate) reason: Cow<'static, str>,
}

impl Invalid {
    /// A rejection with no single position to point at.
    pub(crate) fn new(reason: impl Into<Cow<'static, str>>) -> Self {
        Invalid {
            at: None,
            reason: reason.into(),
        }
    }

    /// A rejection at byte offset `at` of the (trimmed) input.
    pub(crate) fn at(at: usize, reason: impl Into<Cow<'static, str>>) -> Self {
        Invalid {
            at: Some(at),
            reason: reason.into(),
        }
    }
}

impl FromStr for Scheme {
    type Err = UnknownScheme;

    /// Accepts a scheme name as [`Scheme::name`] prints it, or any OSV ecosystem name
    /// that has a version order (`Debian:12` gives [`Scheme::Dpkg`]).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Some(scheme) = Scheme::ALL.into_iter().find(|x| x.name() == s) {
            return Ok(scheme);
        }
        let ecosystem: Ecosystem = s.parse().map_err(|_| UnknownScheme(s.to_owned()))?;
        ecosystem
            .scheme()
            .ok_or_else(|| UnknownScheme(s.to_owned()))
    }
}

/// A name that is neither a scheme nor an OSV ecosystem with a version order.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown ecosystem {0:?}: expected an OSV ecosystem name such as PyPI, npm, Maven, Go, crates.io, Debian:12 or Alpine:v3.19"
)]
pub struct UnknownScheme(pub String);
