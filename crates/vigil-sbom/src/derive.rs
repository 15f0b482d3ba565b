//! Purls for components whose document gives none, and why a component cannot be
//! matched when even that fails.
//!
//! A purl is derived only where the document leaves no doubt about the ecosystem: a
//! producer's own package-type property (syft's `syft:package:type`, trivy's
//! `aquasecurity:trivy:PkgType`) names it, and the name splits into namespace and name
//! the one way that ecosystem allows. CycloneDX's component `type` (`library`,
//! `application`, …) names no ecosystem, so it alone never yields a purl. SPDX purls come
//! only from `externalRefs` of category `PACKAGE-MANAGER` and type `purl`.

use vigil_purl::Purl;
use vigil_version::Ecosystem;

use crate::Component;

/// The purl type a producer's package-type property implies, and whether the ecosystem
/// needs a namespace that the document's `group` must give.
fn purl_type_for(package_type: &str) -> Option<&'static str> {
    Some(match package_type {
        // syft
        "npm" | "node-pkg" | "yarn" | "pnpm" => "npm",
        "python" | "pip" | "pipenv" | "poetry" | "python-pkg" | "uv" => "pypi",
        "rust-crate" | "cargo" | "rust-binary" => "cargo",
        "go-module" | "gomod" | "gobinary" => "golang",
        "gem" | "gemspec" | "bundler" => "gem",
        "php-composer" | "composer" | "composer-vendor" => "composer",
        "dotnet" | "nuget" | "dotnet-core" | "packages-props" => "nuget",
        "java-archive" | "jar" | "pom" | "gradle" | "sbt" => "maven",
        "hex" | "mix" | "rebar" => "hex",
        "dart-pub" | "pub" => "pub",
        "conan" => "conan",
        "swift" | "swift-package-manager" | "swift-pm" => "swift",
        "cocoapods" => "cocoapods",
        _ => return None,
    })
}

/// A purl from the producer's package type, `group`, name and version, or why not.
pub(crate) fn derive(package_type: &str, c: &Component) -> Result<Purl, String> {
    let Some(ty) = purl_type_for(package_type) else {
        return Err(format!(
            "no purl, and package type {package_type:?} names no ecosystem a purl can be derived for"
        ));
    };
    let (namespace, name): (Option<&str>, &str) =
        match (ty, c.group.as_deref().filter(|g| !g.is_empty())) {
            (_, Some(group)) => (Some(group), c.name.as_str()),
            ("npm", None) => match c.name.split_once('/') {
                Some((scope, name)) if scope.starts_with('@') => (Some(scope), name),
                _ => (None, c.name.as_str()),
            },
            ("golang" | "composer", None) => match c.name.rsplit_once('/') {
                Some((ns, name)) => (Some(ns), name),
                None => (None, c.name.as_str()),
            },
            ("maven", None) => {
                return Err(
                    "no purl, and a Maven package needs a group that the document does not give"
                        .into(),
                );
            }
            _ => (None, c.name.as_str()),
        };
    let mut b = Purl::builder(ty, name);
    if let Some(ns) = namespace {
        b = b.namespace(ns);
    }
    if let Some(v) = c.version.as_deref() {
        b = b.version(v);
    }
    b.build().map_err(|e| {
        format!("no purl, and the one derived from package type {package_type:?} is invalid: {e}")
    })
}

/// Sets `c.purl` from the document's purl text or by derivation, and says why the
/// component cannot be matched, if it cannot.
pub(crate) fn resolve(
    c: &mut Component,
    purl: Option<&str>,
    package_type: Option<&str>,
) -> Option<String> {
    match purl.map(str::trim).filter(|p| !p.is_empty()) {
        Some(text) => match text.parse::<Purl>() {
            Ok(p) => c.purl = Some(p),
            Err(e) => return Some(format!("purl {text:?} is invalid: {e}")),
        },
        None => match package_type {
            Some(pt) => match derive(pt, c) {
                Ok(p) => {
                    c.purl = Some(p);
                    c.purl_derived = true;
                }
                Err(reason) => return Some(reason),
            },
            None => {
                return Some(
                    "no purl, and the document names no package ecosystem to derive one from"
                        .into(),
                );
            }
        },
    }
    let p = c.purl.as_ref()?;
    if Ecosystem::from_purl(p.ty(), p.namespace(), p.qualifier("distro")).is_none() {
        return Some(format!("purl type {:?} has no OSV ecosystem", p.ty()));
    }
    if c.full_version().is_none() {
        return Some("no version".into());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(package_type: &str, group: Option<&str>, name: &str, expect: Result<&str, &str>) {
        let c = Component {
            name: name.into(),
            group: group.map(Into::into),
            version: Some("1.0.0".into()),
            ..Component::default()
        };
        match (derive(package_type, &c), expect) {
            (Ok(p), Ok(want)) => assert_eq!(p.to_string(), want),
            (Err(e), Err(want)) => assert!(e.contains(want), "{e}"),
            (got, want) => panic!("{got:?}, want {want:?}"),
        }
    }

    #[test]
    fn derivation() {
        check(
            "npm",
            None,
            "@angular/core",
            Ok("pkg:npm/%40angular/core@1.0.0"),
        );
        check(
            "python",
            None,
            "Django_Package",
            Ok("pkg:pypi/django-package@1.0.0"),
        );
        check(
            "go-module",
            None,
            "github.com/gorilla/mux",
            Ok("pkg:golang/github.com/gorilla/mux@1.0.0"),
        );
        check(
            "java-archive",
            Some("org.example"),
            "lib",
            Ok("pkg:maven/org.example/lib@1.0.0"),
        );
        check("java-archive", None, "lib", Err("needs a group"));
        check("deb", None, "bsdutils", Err("names no ecosystem"));
        check("library", None, "x", Err("names no ecosystem"));
    }
}
