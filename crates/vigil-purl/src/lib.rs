//! Package URLs (purl, ECMA-427): parsing, validation and the one canonical string form.
//!
//! SBOMs and advisories name packages with purls such as `pkg:npm/%40angular/core@12.3.1`,
//! and Vigil maps them to OSV ecosystems and package names, so two spellings of the same
//! package must become the same [`Purl`] and every [`Purl`] must print the same way. A
//! [`Purl`] therefore only exists in canonical form: parsing and building both decode
//! the components, apply the generic rules (type lower-cased, empty qualifier values
//! dropped, qualifier keys lower-cased and sorted, `.`/`..`/empty subpath segments
//! removed) and the rules of the registered type (pypi names lower-cased with `_` → `-`,
//! GitHub owners and repositories lower-cased, a namespace required or prohibited, …),
//! and [`Display`](std::fmt::Display) percent-encodes every component the one way
//! ECMA-427 §5.4 allows. `parse(p.to_string()) == p` for every `p`.
//!
//! Conformance is checked against every case of purl-spec's test suite
//! (`tests/purl_spec.rs`). The crate is pure: no I/O, and no input panics.
//!
//! ```
//! use vigil_purl::Purl;
//!
//! let p: Purl = "pkg:PYPI/Django_Package@1.11.1?Arch=x86&empty=".parse()?;
//! assert_eq!(p.ty(), "pypi");
//! assert_eq!(p.name(), "django-package");
//! assert_eq!(p.qualifier("arch"), Some("x86"));
//! assert_eq!(p.to_string(), "pkg:pypi/django-package@1.11.1?arch=x86");
//!
//! let built = Purl::builder("npm", "core").namespace("@angular").version("12.3.1").build()?;
//! assert_eq!(built.to_string(), "pkg:npm/%40angular/core@12.3.1");
//! # Ok::<(), vigil_purl::PurlError>(())
//! ```

mod encoding;
mod error;
mod types;

use std::collections::BTreeMap;
use std::fmt::{self, Write};
use std::str::FromStr;

pub use error::{Component, PurlError};
use types::{Parts, Violation};

/// A package URL in canonical form.
///
/// The fields are private so that every value is canonical: construct one with
/// [`str::parse`] or [`Purl::builder`]. All accessors return decoded strings.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Purl {
    ty: String,
    namespace: Option<String>,
    name: String,
    version: Option<String>,
    qualifiers: BTreeMap<String, String>,
    subpath: Option<String>,
}

impl Purl {
    /// A builder for a purl of type `ty` named `name`; see [`PurlBuilder`].
    pub fn builder(ty: impl Into<String>, name: impl Into<String>) -> PurlBuilder {
        PurlBuilder::default().ty(ty).name(name)
    }

    /// The type, lower-case: `npm`, `pypi`, `maven`, ….
    pub fn ty(&self) -> &str {
        &self.ty
    }

    /// The namespace, segments joined by `/` (`@angular`, `github.com/gorilla`).
    pub fn namespace(&self) -> Option<&str> {
        self.namespace.as_deref()
    }

    /// The name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The version, as an opaque string.
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// The qualifiers, sorted by key; keys are lower-case and no value is empty.
    pub fn qualifiers(&self) -> &BTreeMap<String, String> {
        &self.qualifiers
    }

    /// `version` with this purl's `epoch` qualifier put in front (`2.38.1-5` with
    /// `epoch=1` is `1:2.38.1-5`), as dpkg and rpm compare it. Producers such as trivy
    /// move the epoch out of the version into the qualifier. Unchanged when there is no
    /// epoch, it is `0`, or the version already carries one.
    pub fn with_epoch<'a>(&self, version: &'a str) -> std::borrow::Cow<'a, str> {
        match self.qualifier("epoch") {
            Some(epoch) if epoch != "0" && !version.contains(':') => {
                std::borrow::Cow::Owned(format!("{epoch}:{version}"))
            }
            _ => std::borrow::Cow::Borrowed(version),
        }
    }

    /// The value of qualifier `key`. Keys are case-insensitive, so `key` may have any case.
    pub fn qualifier(&self, key: &str) -> Option<&str> {
        if key.bytes().any(|b| b.is_ascii_uppercase()) {
            self.qualifiers
                .get(&key.to_ascii_lowercase())
                .map(String::as_str)
        } else {
            self.qualifiers.get(key).map(String::as_str)
        }
    }

    /// The subpath, segments joined by `/`.
    pub fn subpath(&self) -> Option<&str> {
        self.subpath.as_deref()
    }

    /// Whether the type is one of purl-spec's registered types, whose own rules were
    /// applied. ECMA-427 §5.7 accepts other types but says a tool should warn about them.
    pub fn is_registered_type(&self) -> bool {
        types::is_registered(&self.ty)
    }
}

impl FromStr for Purl {
    type Err = PurlError;

    /// Parses a purl, canonicalizing it; see the crate documentation.
    ///
    /// Beyond the canonical form this accepts what ECMA-427 and purl-spec's parsing
    /// guide tell parsers to accept: any case in the scheme, the type and qualifier keys;
    /// slashes after `pkg:`; leading and trailing slashes around the namespace, name and
    /// subpath; unencoded characters that the canonical form encodes.
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        parse(input)
    }
}

impl TryFrom<&str> for Purl {
    type Error = PurlError;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        parse(s)
    }
}

impl TryFrom<String> for Purl {
    type Error = PurlError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        parse(&s)
    }
}

impl From<Purl> for String {
    fn from(p: Purl) -> String {
        p.to_string()
    }
}

impl fmt::Display for Purl {
    /// The canonical string: `pkg:type/namespace/name@version?k=v&…#subpath`, each
    /// component percent-encoded per ECMA-427 §5.4 and qualifiers in key order.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("pkg:")?;
        f.write_str(&self.ty)?;
        f.write_char('/')?;
        if let Some(ns) = &self.namespace {
            encode_segments(ns, f)?;
            f.write_char('/')?;
        }
        if self.ty == "git" {
            // A git name is a path (see `types::apply`), written with plain slashes.
            encode_segments(&self.name, f)?;
        } else {
            encoding::encode(&self.name, f)?;
        }
        if let Some(v) = &self.version {
            f.write_char('@')?;
            encoding::encode(v, f)?;
        }
        for (i, (k, v)) in self.qualifiers.iter().enumerate() {
            f.write_char(if i == 0 { '?' } else { '&' })?;
            f.write_str(k)?;
            f.write_char('=')?;
            encoding::encode(v, f)?;
        }
        if let Some(sp) = &self.subpath {
            f.write_char('#')?;
            encode_segments(sp, f)?;
        }
        Ok(())
    }
}

fn encode_segments(path: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    for (i, seg) in path.split('/').enumerate() {
        if i > 0 {
            f.write_char('/')?;
        }
        encoding::encode(seg, f)?;
    }
    Ok(())
}

/// Builds a [`Purl`] from decoded components, applying the same normalization and
/// checks as parsing: `Purl::builder(t, n)...build()` and parsing the built purl's string
/// give equal values.
///
/// The namespace and subpath are `/`-separated paths whose empty segments (and, for the
/// subpath, `.` and `..`) are dropped; leading and trailing slashes of the name are
/// dropped. An empty version or qualifier value counts as absent.
#[derive(Clone, Debug, Default)]
pub struct PurlBuilder {
    ty: Option<String>,
    namespace: Option<String>,
    name: Option<String>,
    version: Option<String>,
    qualifiers: Vec<(String, String)>,
    subpath: Option<String>,
}

impl PurlBuilder {
    /// Sets the type.
    pub fn ty(mut self, ty: impl Into<String>) -> Self {
        self.ty = Some(ty.into());
        self
    }

    /// Sets the namespace.
    pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = Some(namespace.into());
        self
    }

    /// Sets the name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Sets the version.
    pub fn version(mut self, version: impl Into<String>) -> Self {
        self.version = Some(version.into());
        self
    }

    /// Adds a qualifier. Giving the same key twice (in any case) is an error at
    /// [`build`](Self::build).
    pub fn qualifier(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.qualifiers.push((key.into(), value.into()));
        self
    }

    /// Sets the subpath.
    pub fn subpath(mut self, subpath: impl Into<String>) -> Self {
        self.subpath = Some(subpath.into());
        self
    }

    /// Validates and normalizes the components into a [`Purl`].
    pub fn build(&self) -> Result<Purl, PurlError> {
        let input = self.describe();
        let Some(ty) = self.ty.as_deref().filter(|t| !t.is_empty()) else {
            return Err(PurlError::Missing {
                input,
                component: Component::Type,
            });
        };
        let Some(name) = &self.name else {
            return Err(PurlError::Missing {
                input,
                component: Component::Name,
            });
        };
        let namespace = self
            .namespace
            .iter()
            .flat_map(|ns| ns.split('/'))
            .map(str::to_owned)
            .collect();
        let subpath = self
            .subpath
            .iter()
            .flat_map(|sp| sp.split('/'))
            .map(str::to_owned)
            .collect();
        finish(
            &input,
            ty,
            namespace,
            name.clone(),
            self.version.clone(),
            self.qualifiers.clone(),
            subpath,
        )
    }

    /// The components joined into purl shape without encoding, to quote in errors.
    fn describe(&self) -> String {
        let mut s = format!("pkg:{}/", self.ty.as_deref().unwrap_or_default());
        if let Some(ns) = &self.namespace {
            s.push_str(ns);
            s.push('/');
        }
        s.push_str(self.name.as_deref().unwrap_or_default());
        if let Some(v) = &self.version {
            s.push('@');
            s.push_str(v);
        }
        for (i, (k, v)) in self.qualifiers.iter().enumerate() {
            s.push(if i == 0 { '?' } else { '&' });
            s.push_str(k);
            s.push('=');
            s.push_str(v);
        }
        if let Some(sp) = &self.subpath {
            s.push('#');
            s.push_str(sp);
        }
        s
    }
}

/// Parses as purl-spec's "How to parse a PURL" describes: subpath, qualifiers, scheme,
/// type, then version, name and namespace.
///
/// One departure: the guide splits off the subpath and the qualifiers at the *last* `#`
/// and `?`, but ECMA-427 §5.1 makes a purl an RFC 3986 URL, whose fragment starts at the
/// first `#` and whose query starts at the first `?` and may contain more of them. The
/// two agree on every canonical purl (which encodes both characters inside components);
/// on others the URL reading keeps an unencoded URL in a qualifier value whole
/// (`?download_url=https://x.org/get?id=1`), where the guide would cut it.
fn parse(input: &str) -> Result<Purl, PurlError> {
    let invalid = |component, value: &str, reason| PurlError::Invalid {
        input: input.to_owned(),
        component,
        value: value.to_owned(),
        reason,
    };
    let decode =
        |component, raw: &str| encoding::decode(raw).map_err(|r| invalid(component, raw, r));

    let (rest, subpath_raw) = input.split_once('#').unwrap_or((input, ""));
    let (rest, qualifiers_raw) = rest.split_once('?').unwrap_or((rest, ""));

    let Some((scheme, rest)) = rest.split_once(':') else {
        return Err(PurlError::MissingScheme {
            input: input.to_owned(),
        });
    };
    if !scheme.eq_ignore_ascii_case("pkg") {
        return Err(invalid(Component::Scheme, scheme, "is not \"pkg\""));
    }

    // ECMA-427 §5.6.1: slashes after `pkg:` (as in `pkg://`) are ignored.
    let rest = rest.trim_start_matches('/');
    let (ty, path) = rest.split_once('/').unwrap_or((rest, ""));
    check_type(input, ty)?;

    let (path, version_raw) = split_version(path);
    let mut segments: Vec<&str> = path.split('/').collect();
    if version_raw.is_none() {
        // §5.6.4: trailing slashes are not part of the name. With a version they are
        // kept, so that `pkg:swift/github.com/Alamofire/@5.4.3` has an empty name (an
        // error, as purl-spec's swift tests require) rather than the name `Alamofire`.
        while segments.last() == Some(&"") {
            segments.pop();
        }
    }
    let name_raw = segments.pop().unwrap_or_default();
    if name_raw.is_empty() {
        return Err(PurlError::Missing {
            input: input.to_owned(),
            component: Component::Name,
        });
    }

    let mut namespace = Vec::new();
    for raw in segments.into_iter().filter(|s| !s.is_empty()) {
        let seg = decode(Component::Namespace, raw)?;
        if seg.contains('/') {
            return Err(invalid(
                Component::Namespace,
                &seg,
                "has a segment containing '/'",
            ));
        }
        namespace.push(seg);
    }
    let name = decode(Component::Name, name_raw)?;
    let version = decode(Component::Version, version_raw.unwrap_or_default())?;

    let mut qualifiers = Vec::new();
    for pair in qualifiers_raw.split('&').filter(|p| !p.is_empty()) {
        let Some((key, value)) = pair.split_once('=') else {
            return Err(invalid(
                Component::Qualifiers,
                pair,
                "is not a key=value pair",
            ));
        };
        qualifiers.push((key.to_owned(), decode(Component::QualifierValue, value)?));
    }

    let mut subpath = Vec::new();
    for raw in subpath_raw.split('/') {
        let seg = decode(Component::Subpath, raw)?;
        if seg.contains('/') {
            return Err(invalid(
                Component::Subpath,
                &seg,
                "has a segment containing '/'",
            ));
        }
        subpath.push(seg);
    }

    finish(
        input,
        ty,
        namespace,
        name,
        Some(version),
        qualifiers,
        subpath,
    )
}

/// Splits `namespace/name@version` at the version's `@`: the last one, as purl-spec's
/// parsing guide says, so that a version may hold an unencoded `/` (a tag such as
/// `release/1.0`) and a name an unencoded `@` (Homebrew's `node@20@20.10.0`). The one
/// exception is an `@` that starts a segment and is followed by more segments: that is
/// an npm scope written unencoded (`pkg:npm/@babel/core`), not a version.
fn split_version(path: &str) -> (&str, Option<&str>) {
    let Some(at) = path.rfind('@') else {
        return (path, None);
    };
    let (left, version) = (&path[..at], &path[at + 1..]);
    let starts_segment = left.is_empty() || left.ends_with('/');
    if starts_segment && version.contains('/') {
        (path, None)
    } else {
        (left, Some(version))
    }
}

/// ECMA-427 §5.6.2: ASCII letters, digits, `.` and `-`, starting with a letter; never
/// percent-encoded.
fn check_type(input: &str, ty: &str) -> Result<(), PurlError> {
    let reason = if ty.is_empty() {
        return Err(PurlError::Missing {
            input: input.to_owned(),
            component: Component::Type,
        });
    } else if !ty.starts_with(|c: char| c.is_ascii_alphabetic()) {
        "does not start with an ASCII letter"
    } else if !ty
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
    {
        "has a character other than ASCII letters, digits, '.' and '-'"
    } else {
        return Ok(());
    };
    Err(PurlError::Invalid {
        input: input.to_owned(),
        component: Component::Type,
        value: ty.to_owned(),
        reason,
    })
}

/// ECMA-427 §5.6.6: ASCII letters, digits, `.`, `-` and `_`, starting with a letter;
/// never percent-encoded. Keys are case-insensitive and canonically lower-case.
fn check_key(key: &str) -> Result<String, &'static str> {
    if key.is_empty() {
        Err("is empty")
    } else if !key.starts_with(|c: char| c.is_ascii_alphabetic()) {
        Err("does not start with an ASCII letter")
    } else if !key
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
    {
        Err("has a character other than ASCII letters, digits, '.', '-' and '_'")
    } else {
        Ok(key.to_ascii_lowercase())
    }
}

/// The part shared by parsing and building: generic rules, then the type's rules.
/// Components arrive decoded; namespace and subpath as segments without `/`.
fn finish(
    input: &str,
    ty: &str,
    namespace: Vec<String>,
    name: String,
    version: Option<String>,
    qualifier_pairs: Vec<(String, String)>,
    subpath: Vec<String>,
) -> Result<Purl, PurlError> {
    check_type(input, ty)?;
    let ty = ty.to_ascii_lowercase();

    // §5.6.4: leading and trailing slashes are not part of the name.
    let name = name.trim_matches('/');
    if name.is_empty() {
        return Err(PurlError::Missing {
            input: input.to_owned(),
            component: Component::Name,
        });
    }

    let mut qualifiers = BTreeMap::new();
    for (key, value) in qualifier_pairs {
        let key = check_key(&key).map_err(|reason| PurlError::Invalid {
            input: input.to_owned(),
            component: Component::QualifierKey,
            value: key.clone(),
            reason,
        })?;
        // §5.6.6: a pair with an empty value is the same as no pair at all.
        if value.is_empty() {
            continue;
        }
        if qualifiers.contains_key(&key) {
            return Err(PurlError::DuplicateQualifier {
                input: input.to_owned(),
                key,
            });
        }
        qualifiers.insert(key, value);
    }

    let mut parts = Parts {
        ty,
        namespace: namespace.into_iter().filter(|s| !s.is_empty()).collect(),
        name: name.to_owned(),
        version: version.filter(|v| !v.is_empty()),
        qualifiers,
        subpath: subpath
            .into_iter()
            .filter(|s| !matches!(s.as_str(), "" | "." | ".."))
            .collect(),
    };
    types::apply(&mut parts).map_err(|v| match v {
        Violation::NamespaceRequired => PurlError::NamespaceRequired {
            input: input.to_owned(),
            ty: parts.ty.clone(),
        },
        Violation::NamespaceProhibited => PurlError::NamespaceProhibited {
            input: input.to_owned(),
            ty: parts.ty.clone(),
            namespace: parts.namespace.join("/"),
        },
        Violation::QualifierRequired(key) => PurlError::QualifierRequired {
            input: input.to_owned(),
            ty: parts.ty.clone(),
            key,
        },
        Violation::Rule {
            component,
            value,
            reason,
        } => PurlError::TypeRule {
            input: input.to_owned(),
            ty: parts.ty.clone(),
            component,
            value,
            reason,
        },
    })?;

    let Parts {
        ty,
        namespace,
        name,
        version,
        qualifiers,
        subpath,
    } = parts;
    Ok(Purl {
        ty,
        namespace: (!namespace.is_empty()).then(|| namespace.join("/")),
        name,
        version,
        qualifiers,
        subpath: (!subpath.is_empty()).then(|| subpath.join("/")),
    })
}

#[cfg(test)]
mod tests;
