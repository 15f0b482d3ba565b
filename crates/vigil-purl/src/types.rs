//! The rules of the registered purl types, from purl-spec's `types/*-definition.json`.
//!
//! Only what changes parsing or the canonical form is encoded here: whether a namespace
//! is required or prohibited, which components are case-insensitive (and so lower-cased),
//! which qualifiers are required, and the few normalization and permitted-character rules
//! the definitions state. The conformance test checks this table against the definition
//! files themselves, so a change upstream shows up as a test failure rather than drift.
//!
//! Unregistered types get no type rules: ECMA-427 §5.7 says their purls are valid when
//! the generic component rules hold.

use std::collections::BTreeMap;

use crate::error::Component;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Namespace {
    Optional,
    Required,
    Prohibited,
}

/// Case folding per component; `true` means the definition says `case_sensitive: false`,
/// so the canonical form is lower-case.
#[derive(Clone, Copy, Debug)]
struct Rules {
    namespace: Namespace,
    lower_namespace: bool,
    lower_name: bool,
    lower_version: bool,
    lower_subpath: bool,
    required_qualifiers: &'static [&'static str],
}

const fn rules(namespace: Namespace) -> Rules {
    Rules {
        namespace,
        lower_namespace: false,
        lower_name: false,
        lower_version: false,
        lower_subpath: false,
        required_qualifiers: &[],
    }
}

impl Rules {
    const fn lower_ns(mut self) -> Self {
        self.lower_namespace = true;
        self
    }
    const fn lower_name(mut self) -> Self {
        self.lower_name = true;
        self
    }
    const fn lower_version(mut self) -> Self {
        self.lower_version = true;
        self
    }
    const fn lower_subpath(mut self) -> Self {
        self.lower_subpath = true;
        self
    }
    const fn requires(mut self, keys: &'static [&'static str]) -> Self {
        self.required_qualifiers = keys;
        self
    }
}

/// Every registered type (purl-spec's `purl-types-index.json`), sorted for lookup.
///
/// `golang`'s definition notes that namespace and name "shall be lowercased" but marks
/// both `case_sensitive: true`; Go module paths really are case-sensitive
/// (`github.com/BurntSushi/toml`) and OSV records them as such, so the structured field
/// wins and Go paths keep their case. `hackage`'s "apply kebab-case" names no
/// transformation (Cabal names already are kebab-case and are case-sensitive), so there
/// is nothing to apply.
const TYPES: &[(&str, Rules)] = {
    use Namespace::{Optional as O, Prohibited as P, Required as R};
    &[
        ("alpm", rules(R).lower_ns().lower_name()),
        ("apk", rules(R).lower_ns().lower_name()),
        ("bazel", rules(P)),
        ("bitbucket", rules(R).lower_ns().lower_name()),
        ("bitnami", rules(P).lower_name()),
        ("brew", rules(O).lower_ns().lower_name()),
        ("cargo", rules(P)),
        ("chrome-extension", rules(P).lower_name()),
        ("cocoapods", rules(P)),
        ("composer", rules(R).lower_ns().lower_name()),
        ("conan", rules(O)),
        ("conda", rules(P)),
        ("cpan", rules(O)),
        ("cran", rules(P)),
        ("deb", rules(R).lower_ns().lower_name()),
        ("docker", rules(O)),
        ("gem", rules(P)),
        ("generic", rules(O)),
        ("git", rules(R)),
        ("github", rules(R).lower_ns().lower_name()),
        ("golang", rules(R)),
        ("hackage", rules(P)),
        ("hex", rules(O).lower_ns().lower_name()),
        ("huggingface", rules(R).lower_version()),
        ("julia", rules(P).requires(&["uuid"])),
        ("luarocks", rules(O).lower_ns().lower_name()),
        ("maven", rules(R)),
        ("mlflow", rules(P)),
        ("npm", rules(O)),
        ("nuget", rules(P)),
        ("oci", rules(P).lower_name().lower_version()),
        ("opam", rules(P)),
        ("otp", rules(P).lower_name().lower_subpath()),
        ("pub", rules(P).lower_name()),
        ("pypi", rules(P).lower_name().lower_version()),
        ("qpkg", rules(R).lower_ns()),
        ("rpm", rules(R).lower_ns()),
        ("swid", rules(O).requires(&["tag_id"])),
        ("swift", rules(R)),
        ("vcpkg", rules(P)),
        (
            "vscode-extension",
            rules(R).lower_ns().lower_name().lower_version(),
        ),
        ("yocto", rules(O).lower_ns()),
    ]
};

fn lookup(ty: &str) -> Option<&'static Rules> {
    TYPES
        .binary_search_by(|(t, _)| (*t).cmp(ty))
        .ok()
        .map(|i| &TYPES[i].1)
}

/// Whether `ty` is a registered purl type.
pub(crate) fn is_registered(ty: &str) -> bool {
    lookup(ty).is_some()
}

/// The components of a purl on their way to being one: decoded, generic rules applied.
#[derive(Debug)]
pub(crate) struct Parts {
    pub(crate) ty: String,
    /// Non-empty segments, none containing `/`.
    pub(crate) namespace: Vec<String>,
    /// Non-empty. Contains `/` only for `git`, whose name is a path.
    pub(crate) name: String,
    pub(crate) version: Option<String>,
    pub(crate) qualifiers: BTreeMap<String, String>,
    /// Non-empty segments, none of them `.`, `..` or containing `/`.
    pub(crate) subpath: Vec<String>,
}

/// A type rule that `Parts` break.
#[derive(Debug)]
pub(crate) enum Violation {
    NamespaceRequired,
    NamespaceProhibited,
    QualifierRequired(&'static str),
    Rule {
        component: Component,
        value: String,
        reason: &'static str,
    },
}

fn rule(component: Component, value: &str, reason: &'static str) -> Violation {
    Violation::Rule {
        component,
        value: value.to_owned(),
        reason,
    }
}

/// Applies the type's normalization and checks its rules. Idempotent: applying it to
/// its own output changes nothing, which is what makes `parse(display(p)) == p` hold.
pub(crate) fn apply(p: &mut Parts) -> Result<(), Violation> {
    let Some(rules) = lookup(&p.ty) else {
        return Ok(());
    };

    if p.ty == "git" {
        // The definition makes the namespace the host and the name "the path on the host
        // to the git repository", and its tests write that path with unencoded slashes
        // (`pkg:git/codeberg.org/forgejo/forgejo` has the name `forgejo/forgejo`). So
        // only the first path segment is the namespace, however the purl was written.
        let mut all: Vec<String> = std::mem::take(&mut p.namespace);
        all.extend(
            p.name
                .split('/')
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
        );
        if all.len() < 2 {
            p.name = all.pop().unwrap_or_default();
            return Err(Violation::NamespaceRequired);
        }
        p.name = all[1..].join("/");
        all.truncate(1);
        p.namespace = all;
    }

    if rules.lower_namespace {
        for seg in &mut p.namespace {
            *seg = seg.to_lowercase();
        }
    }
    if rules.lower_name {
        p.name = p.name.to_lowercase();
    }
    if rules.lower_version {
        p.version = p.version.as_deref().map(str::to_lowercase);
    }
    if rules.lower_subpath {
        for seg in &mut p.subpath {
            *seg = seg.to_lowercase();
        }
    }

    match rules.namespace {
        Namespace::Required if p.namespace.is_empty() => return Err(Violation::NamespaceRequired),
        Namespace::Prohibited if !p.namespace.is_empty() => {
            return Err(Violation::NamespaceProhibited);
        }
        _ => {}
    }
    for &key in rules.required_qualifiers {
        if !p.qualifiers.contains_key(key) {
            return Err(Violation::QualifierRequired(key));
        }
    }

    match p.ty.as_str() {
        "pypi" => {
            // "Replace underscore _ with dash -" (after lower-casing: case_sensitive false).
            p.name = p.name.replace('_', "-");
        }
        "pub" => {
            // "The only allowed characters are [a-z0-9_]"; the normalization rule replaces
            // everything else (after lower-casing) with an underscore.
            p.name = p
                .name
                .chars()
                .map(|c| match c {
                    'a'..='z' | '0'..='9' | '_' => c,
                    _ => '_',
                })
                .collect();
        }
        "cpan" => {
            // The namespace is a CPAN author ID, which "shall be uppercase".
            for seg in &mut p.namespace {
                *seg = seg.to_uppercase();
            }
            if p.name.contains("::") {
                return Err(rule(
                    Component::Name,
                    &p.name,
                    "is a module name: a distribution name has no '::'",
                ));
            }
        }
        "chrome-extension" => {
            if !(p.name.len() == 32 && p.name.bytes().all(|b| (b'a'..=b'p').contains(&b))) {
                return Err(rule(
                    Component::Name,
                    &p.name,
                    "is not an extension ID: 32 letters a to p",
                ));
            }
            if let Some(v) = &p.version
                && !is_chrome_version(v)
            {
                return Err(rule(
                    Component::Version,
                    v,
                    "is not 1 to 4 dot-separated decimal numbers",
                ));
            }
        }
        // The namespace is the scope, `@name`; a bare `@` names no scope at all.
        "npm" if p.namespace.first().is_some_and(|s| s == "@") => {
            return Err(rule(Component::Namespace, "@", "is an empty scope"));
        }
        "cocoapods" if !is_pod_name(&p.name) => {
            return Err(rule(
                Component::Name,
                &p.name,
                "is not a pod name: no whitespace or '+', no leading '.'",
            ));
        }
        // Databricks model names are case-insensitive and lower-cased; Azure ML (and other
        // servers) keep the name as it is. The server is the repository_url.
        "mlflow"
            if p.qualifiers
                .get("repository_url")
                .is_some_and(|u| is_databricks(u)) =>
        {
            p.name = p.name.to_lowercase();
        }
        "swid" => {
            if p.namespace.len() > 2 {
                return Err(rule(
                    Component::Namespace,
                    &p.namespace.join("/"),
                    "has more than two segments (creator name and regid)",
                ));
            }
            // "If a GUID is used, it shall be lowercase."
            if let Some(tag_id) = p.qualifiers.get_mut("tag_id")
                && is_guid(tag_id)
            {
                *tag_id = tag_id.to_ascii_lowercase();
            }
        }
        _ => {}
    }
    Ok(())
}

/// `^\d+(\.\d+){0,3}$`, the definition's permitted characters for versions.
fn is_chrome_version(v: &str) -> bool {
    let parts: Vec<&str> = v.split('.').collect();
    parts.len() <= 4
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

fn is_pod_name(name: &str) -> bool {
    !name.starts_with('.') && !name.chars().any(|c| c == '+' || c.is_whitespace())
}

/// `8-4-4-4-12` hex digits.
fn is_guid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Whether a tracking URI's host is a Databricks workspace (`*.azuredatabricks.net`,
/// `*.cloud.databricks.com`, `*.gcp.databricks.com`, as the mlflow definition lists).
fn is_databricks(url: &str) -> bool {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = after_scheme
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = host_port
        .split_once(':')
        .map_or(host_port, |(h, _)| h)
        .to_ascii_lowercase();
    let host = host.trim_end_matches('.');
    ["azuredatabricks.net", "databricks.com"]
        .iter()
        .any(|d| host == *d || host.strip_suffix(d).is_some_and(|h| h.ends_with('.')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_for_binary_search() {
        assert!(TYPES.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn databricks_hosts() {
        let cases = [
            ("https://adb-1.2.azuredatabricks.net/api/2.0/mlflow", true),
            ("https://dbc-a-b.cloud.databricks.com/api/2.0/mlflow", true),
            ("https://1.2.gcp.databricks.com", true),
            ("https://user@X.AzureDatabricks.NET:443/x", true),
            ("https://westus2.api.azureml.ms/mlflow/v1.0", false),
            ("https://notdatabricks.com/", false),
            ("https://example.com/databricks.com", false),
        ];
        for (url, want) in cases {
            assert_eq!(is_databricks(url), want, "{url}");
        }
    }

    #[test]
    fn chrome_versions_and_guids() {
        for (v, ok) in [
            ("1", true),
            ("1.2.3.4", true),
            ("1.2.3.4.5", false),
            ("1..2", false),
        ] {
            assert_eq!(is_chrome_version(v), ok, "{v}");
        }
        assert!(is_guid("75B8C285-fa7b-485b-b199-4745e3004d0d"));
        assert!(!is_guid("org.fedoraproject.Fedora-29"));
    }
}
