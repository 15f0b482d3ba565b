//! The source package of an OS package, from whatever its producer wrote.
//!
//! Distributions publish advisories for *source* packages (Debian's `util-linux`, not
//! the `bsdutils` binary built from it), and the source version can differ from the
//! binary's: `bsdutils` 1:2.38.1-5+b1 (epoch of its own, binNMU suffix) is built from
//! `util-linux` 2.38.1-5, `cpp` 4:12.2.0-3 from `gcc-defaults` 1.205. So the source
//! version must be read from the document, never computed from the binary's, except
//! where the packaging rules say they are equal. Producers write it as:
//!
//! - trivy: properties `aquasecurity:trivy:SrcName`, `SrcVersion`, `SrcRelease` and
//!   `SrcEpoch`, the version split as `[epoch:]version[-release]`; in SPDX,
//!   `sourceInfo: "built package from: util-linux 2.38.1-5"`.
//! - syft: the purl qualifier `upstream=util-linux@2.38.1-5` (just `upstream=glibc` when
//!   dpkg's `Source:` has no version; the source RPM's file name for RPMs), and the
//!   properties `syft:metadata:source`/`sourceVersion` (deb), `originPackage` (apk) and
//!   `sourceRpm` (rpm).
//! - cdxgen: a separate component tagged `source` whose identity evidence names the
//!   binary (`technique: filename`, `value: bsdutils`); see `cyclonedx`.
//!
//! dpkg's rule is that a `Source:` without a version means the binary's version, and an
//! Alpine origin always has the binary's version; for those a missing source version
//! is the binary's full version.

use vigil_purl::Purl;

use crate::SourcePackage;

/// What a component says about its source package, gathered from its properties.
#[derive(Debug, Default)]
pub(crate) struct SourceHints<'a> {
    trivy_name: Option<&'a str>,
    trivy_version: Option<&'a str>,
    trivy_release: Option<&'a str>,
    trivy_epoch: Option<&'a str>,
    syft_source: Option<&'a str>,
    syft_source_version: Option<&'a str>,
    syft_origin: Option<&'a str>,
    syft_source_rpm: Option<&'a str>,
    /// SPDX `sourceInfo` of the form trivy writes.
    built_from: Option<(&'a str, Option<&'a str>)>,
}

impl<'a> SourceHints<'a> {
    /// Notes one CycloneDX property.
    pub(crate) fn property(&mut self, name: &'a str, value: &'a str) {
        if value.is_empty() {
            return;
        }
        let slot = match name {
            "aquasecurity:trivy:SrcName" => &mut self.trivy_name,
            "aquasecurity:trivy:SrcVersion" => &mut self.trivy_version,
            "aquasecurity:trivy:SrcRelease" => &mut self.trivy_release,
            "aquasecurity:trivy:SrcEpoch" => &mut self.trivy_epoch,
            "syft:metadata:source" => &mut self.syft_source,
            "syft:metadata:sourceVersion" => &mut self.syft_source_version,
            "syft:metadata:originPackage" => &mut self.syft_origin,
            "syft:metadata:sourceRpm" => &mut self.syft_source_rpm,
            _ => return,
        };
        *slot = Some(value);
    }

    /// Notes an SPDX 2 `sourceInfo`; only trivy's `built package from: NAME VERSION`
    /// names a source package.
    pub(crate) fn source_info(&mut self, info: &'a str) {
        if let Some(rest) = info.trim().strip_prefix("built package from:") {
            let mut words = rest.split_whitespace();
            if let Some(name) = words.next() {
                self.built_from = Some((name, words.next()));
            }
        }
    }

    /// The source package, or `None` when nothing names one.
    pub(crate) fn resolve(
        &self,
        purl: Option<&Purl>,
        version: Option<&str>,
    ) -> Option<SourcePackage> {
        let ty = purl.map(Purl::ty).unwrap_or("");
        let binary_version = binary_full_version(purl, version);
        let same_version = || {
            matches!(ty, "deb" | "apk")
                .then(|| binary_version.clone())
                .flatten()
        };

        if let Some(name) = self.trivy_name {
            let version = match self.trivy_version {
                Some(v) => Some(join_version(self.trivy_epoch, v, self.trivy_release)),
                None => same_version(),
            };
            return Some(source(name, version));
        }
        if let Some((name, version)) = self.built_from {
            let version = version.map(str::to_owned).or_else(same_version);
            return Some(source(name, version));
        }
        if let Some(name) = self.syft_source {
            let version = self
                .syft_source_version
                .map(str::to_owned)
                .or_else(same_version);
            return Some(source(name, version));
        }
        if let Some(name) = self.syft_origin {
            return Some(source(name, same_version()));
        }
        if let Some(srpm) = self.syft_source_rpm {
            return source_rpm(srpm, purl, version);
        }
        from_purl(purl?, version)
    }
}

/// The source package named by a purl's `upstream` qualifier, as syft writes it.
pub(crate) fn from_purl(purl: &Purl, version: Option<&str>) -> Option<SourcePackage> {
    let upstream = purl.qualifier("upstream")?;
    match purl.ty() {
        "rpm" => source_rpm(upstream, Some(purl), version),
        ty => {
            let (name, v) = match upstream.split_once('@') {
                Some((n, v)) => (n, Some(v.to_owned())),
                None => (upstream, None),
            };
            let v = v.or_else(|| {
                matches!(ty, "deb" | "apk")
                    .then(|| binary_full_version(Some(purl), version))
                    .flatten()
            });
            Some(source(name, v))
        }
    }
}

/// `util-linux-2.32.1-42.el8.src.rpm` → `util-linux` `2.32.1-42.el8`, with the binary's
/// epoch: a spec file's epoch is its binaries' and its source package's.
fn source_rpm(file: &str, purl: Option<&Purl>, version: Option<&str>) -> Option<SourcePackage> {
    let stem = file
        .strip_suffix(".src.rpm")
        .or_else(|| file.strip_suffix(".nosrc.rpm"))
        .unwrap_or(file);
    let mut parts = stem.rsplitn(3, '-');
    let (release, ver, name) = (parts.next()?, parts.next(), parts.next());
    let (Some(ver), Some(name)) = (ver, name) else {
        // Not a file name: the bare source package name.
        return Some(source(stem, None));
    };
    let epoch = binary_full_version(purl, version)
        .and_then(|v| v.split_once(':').map(|(e, _)| e.to_owned()));
    Some(source(
        name,
        Some(join_version(epoch.as_deref(), ver, Some(release))),
    ))
}

/// The binary's version with the epoch from the purl's `epoch` qualifier put back.
fn binary_full_version(purl: Option<&Purl>, version: Option<&str>) -> Option<String> {
    let v = version.or_else(|| purl.and_then(Purl::version))?;
    Some(purl.map_or_else(|| v.to_owned(), |p| p.with_epoch(v).into_owned()))
}

fn join_version(epoch: Option<&str>, version: &str, release: Option<&str>) -> String {
    let mut out = String::with_capacity(version.len() + 8);
    if let Some(e) = epoch.filter(|e| !e.is_empty() && *e != "0") {
        out.push_str(e);
        out.push(':');
    }
    out.push_str(version);
    if let Some(r) = release.filter(|r| !r.is_empty()) {
        out.push('-');
        out.push_str(r);
    }
    out
}

fn source(name: &str, version: Option<String>) -> SourcePackage {
    SourcePackage {
        name: name.to_owned(),
        version: version.filter(|v| !v.is_empty()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check_purl(purl: &str, version: Option<&str>, expect: Option<(&str, Option<&str>)>) {
        let purl: Purl = purl.parse().expect("test purl");
        let got = from_purl(&purl, version);
        let got = got
            .as_ref()
            .map(|s| (s.name.as_str(), s.version.as_deref()));
        assert_eq!(got, expect);
    }

    #[test]
    fn upstream_qualifier() {
        check_purl(
            "pkg:deb/debian/bsdutils@1:2.38.1-5+b1?upstream=util-linux&distro=debian-12",
            Some("1:2.38.1-5+b1"),
            Some(("util-linux", Some("1:2.38.1-5+b1"))),
        );
        check_purl(
            "pkg:deb/debian/cpp@4:12.2.0-3?upstream=gcc-defaults%401.2",
            None,
            Some(("gcc-defaults", Some("1.2"))),
        );
        check_purl(
            "pkg:rpm/redhat/libblkid@2.32.1-42.el8?epoch=1&upstream=util-linux-2.32.1-42.el8.src.rpm",
            None,
            Some(("util-linux", Some("1:2.32.1-42.el8"))),
        );
        check_purl(
            "pkg:apk/alpine/libcrypto3@3.1.4-r5?upstream=openssl",
            None,
            Some(("openssl", Some("3.1.4-r5"))),
        );
        check_purl("pkg:npm/qs@6.7.0", None, None);
    }

    #[test]
    fn trivy_properties_join_epoch_version_release() {
        let mut h = SourceHints::default();
        h.property("aquasecurity:trivy:SrcName", "util-linux");
        h.property("aquasecurity:trivy:SrcVersion", "2.38.1");
        h.property("aquasecurity:trivy:SrcRelease", "5");
        h.property("aquasecurity:trivy:SrcEpoch", "2");
        let s = h.resolve(None, Some("1:2.38.1-5+b1"));
        assert_eq!(s, Some(source("util-linux", Some("2:2.38.1-5".into()))));
    }

    #[test]
    fn trivy_source_info() {
        let mut h = SourceHints::default();
        h.source_info("built package from: util-linux 2.38.1-5");
        assert_eq!(
            h.resolve(None, None),
            Some(source("util-linux", Some("2.38.1-5".into())))
        );
        let mut h = SourceHints::default();
        h.source_info("acquired package info from DPKG DB: /var/lib/dpkg/status");
        assert_eq!(h.resolve(None, None), None);
    }
}
