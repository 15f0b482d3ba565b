//! Products: what a statement is about, identified by purl, digest, BOM-link, a
//! CycloneDX component, or any other string.
//!
//! Every format names products by strings (an OpenVEX `@id`, a CycloneDX `ref`), and the
//! same rules turn each string into a [`ProductId`]: `pkg:` is a package URL (one whose
//! version is a digest, as `pkg:oci/alpine@sha256%3A...` has, is a [`ProductId::Digest`]
//! that keeps its purl), `urn:cdx:` a BOM-link, `sha256:<hex>` a digest, and anything
//! else is kept as written ([`ProductId::Other`]: IRIs, image references, Vigil's own
//! `service@version`, which the engine resolves).

use std::fmt;
use std::str::FromStr;

use vigil_purl::Purl;

/// One product of a statement.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Product {
    pub id: ProductId,
    /// Other identifiers of the same product: OpenVEX `identifiers`, a CycloneDX
    /// component's CPE.
    pub identifiers: Identifiers,
    /// Digests of the product: OpenVEX `hashes`, a CycloneDX component's `hashes`.
    pub hashes: Vec<Digest>,
    /// Where in the product the vulnerability is (OpenVEX `subcomponents`).
    pub subcomponents: Vec<ProductId>,
    /// The versions of the product the statement is about, when the document says so
    /// in a way that cannot be folded into `id`: a CycloneDX `affects[].versions[]`
    /// entry with a `range`, or with a `version` for a product that is not a
    /// version-less purl. `None` means `id` alone says which product it is.
    pub versions: Option<VersionSpec>,
}

impl Product {
    /// A product with this id and nothing else.
    pub fn new(id: ProductId) -> Self {
        Product {
            id,
            identifiers: Identifiers::default(),
            hashes: Vec::new(),
            subcomponents: Vec::new(),
            versions: None,
        }
    }

    /// Every digest that names the product: the id's, then `hashes`. Look a release up
    /// by any of them.
    pub fn digests(&self) -> impl Iterator<Item = &Digest> {
        self.id.digest().into_iter().chain(&self.hashes)
    }

    /// Every purl that names the product: the id's, then `identifiers.purl`.
    pub fn purls(&self) -> impl Iterator<Item = &Purl> {
        self.id.purl().into_iter().chain(&self.identifiers.purl)
    }
}

/// How a product is identified.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ProductId {
    /// A package URL, canonical.
    Purl(Purl),
    /// A digest of an algorithm Vigil knows ([`Digest::is_known`]): from `sha256:<hex>`,
    /// or from a purl whose version is a digest (an OCI image,
    /// `pkg:oci/alpine@sha256%3A124c...`), which is kept in `purl`.
    Digest { digest: Digest, purl: Option<Purl> },
    /// A component or service in another CycloneDX BOM: `urn:cdx:<uuid>/<version>#<bom-ref>`.
    BomLink(BomLink),
    /// A component of the CycloneDX document the statement was read from that is not
    /// named by its purl (its bom-ref is something else, or it has no purl).
    Component(LocalComponent),
    /// Anything else, as written: an IRI, an image reference, `service@version`.
    Other(String),
}

impl ProductId {
    /// Reads a product id from the string a document names it by, by the rules in the
    /// module documentation. The second value says why a string that looks like a purl,
    /// BOM-link or digest is kept as [`ProductId::Other`] instead.
    pub fn parse(s: &str) -> (ProductId, Option<String>) {
        let s = s.trim();
        if has_scheme(s, "pkg:") {
            return match s.parse::<Purl>() {
                Ok(purl) => (ProductId::from_purl(purl), None),
                Err(e) => (
                    ProductId::Other(s.to_owned()),
                    Some(format!("{e}; kept as written")),
                ),
            };
        }
        if has_scheme(s, "urn:cdx:") {
            return match s.parse::<BomLink>() {
                Ok(link) => (ProductId::BomLink(link), None),
                Err(e) => (
                    ProductId::Other(s.to_owned()),
                    Some(format!("{e}; kept as written")),
                ),
            };
        }
        match Digest::parse_prefixed(s) {
            Some(Ok(digest)) => (ProductId::Digest { digest, purl: None }, None),
            Some(Err(e)) => (
                ProductId::Other(s.to_owned()),
                Some(format!("{e}; kept as written")),
            ),
            None => (ProductId::Other(s.to_owned()), None),
        }
    }

    /// A purl's id: [`ProductId::Digest`] when its version is a digest, else
    /// [`ProductId::Purl`].
    pub fn from_purl(purl: Purl) -> ProductId {
        match purl.version().and_then(Digest::parse_prefixed) {
            Some(Ok(digest)) => ProductId::Digest {
                digest,
                purl: Some(purl),
            },
            _ => ProductId::Purl(purl),
        }
    }

    /// The purl that names the product, if one does.
    pub fn purl(&self) -> Option<&Purl> {
        match self {
            ProductId::Purl(p) => Some(p),
            ProductId::Digest { purl, .. } => purl.as_ref(),
            ProductId::Component(c) => c.purl.as_ref(),
            ProductId::BomLink(_) | ProductId::Other(_) => None,
        }
    }

    /// The digest that names the product, if one does.
    pub fn digest(&self) -> Option<&Digest> {
        match self {
            ProductId::Digest { digest, .. } => Some(digest),
            _ => None,
        }
    }

    /// The id as a string, as the writers put it in an OpenVEX `@id` or a CycloneDX
    /// `ref`: the purl, the digest, the BOM-link, the component's bom-ref, or the string.
    pub fn as_iri(&self) -> String {
        match self {
            ProductId::Purl(p) => p.to_string(),
            ProductId::Digest {
                purl: Some(purl), ..
            } => purl.to_string(),
            ProductId::Digest { digest, purl: None } => digest.to_string(),
            ProductId::BomLink(link) => link.to_string(),
            ProductId::Component(c) => c.bom_ref.clone(),
            ProductId::Other(s) => s.clone(),
        }
    }
}

impl fmt::Display for ProductId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_iri())
    }
}

fn has_scheme(s: &str, scheme: &str) -> bool {
    s.get(..scheme.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(scheme))
}

/// A component of the CycloneDX document a statement was read from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LocalComponent {
    pub bom_ref: String,
    /// The component's purl, when the document writes one.
    pub purl: Option<Purl>,
    pub name: Option<String>,
    pub version: Option<String>,
}

/// OpenVEX `identifiers`: other names of a product.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct Identifiers {
    pub purl: Option<Purl>,
    pub cpe22: Option<String>,
    pub cpe23: Option<String>,
}

impl Identifiers {
    pub fn is_empty(&self) -> bool {
        self.purl.is_none() && self.cpe22.is_none() && self.cpe23.is_none()
    }
}

/// Which versions of a product a statement is about, from CycloneDX
/// `affects[].versions[]`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum VersionSpec {
    /// One version, as written.
    Version(String),
    /// A version range in vers syntax (`vers:semver/>=2.2.0|<=2.4.0`), as written.
    Range(String),
}

/// A cryptographic digest: a normalized algorithm name and lower-case hex.
///
/// Displays as `algorithm:hex`, the form OCI and in-toto use (`sha256:9f86...`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest {
    /// `sha256`, `sha512`, `sha1`, `md5`, `sha3-256`, `blake2b-256`, …; see
    /// [`Digest::new`]. An algorithm not in that list is kept lower-cased.
    pub algorithm: String,
    /// Lower-case hex.
    pub hex: String,
}

/// The algorithms Vigil knows: its own name, OpenVEX's (`hashes` key), CycloneDX's
/// (`alg`), and the digest length in hex digits.
pub(crate) const ALGORITHMS: &[(&str, Option<&str>, Option<&str>, usize)] = &[
    ("md5", Some("md5"), Some("MD5"), 32),
    ("sha1", Some("sha1"), Some("SHA-1"), 40),
    ("sha256", Some("sha-256"), Some("SHA-256"), 64),
    ("sha384", Some("sha-384"), Some("SHA-384"), 96),
    ("sha512", Some("sha-512"), Some("SHA-512"), 128),
    ("sha3-224", Some("sha3-224"), None, 56),
    ("sha3-256", Some("sha3-256"), Some("SHA3-256"), 64),
    ("sha3-384", Some("sha3-384"), Some("SHA3-384"), 96),
    ("sha3-512", Some("sha3-512"), Some("SHA3-512"), 128),
    ("blake2s-256", Some("blake2s-256"), None, 64),
    ("blake2b-256", Some("blake2b-256"), Some("BLAKE2b-256"), 64),
    ("blake2b-384", None, Some("BLAKE2b-384"), 96),
    ("blake2b-512", Some("blake2b-512"), Some("BLAKE2b-512"), 128),
    ("blake3", None, Some("BLAKE3"), 64),
];

fn algorithm_entry(
    name: &str,
) -> Option<&'static (
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
    usize,
)> {
    let key = |s: &str| -> String {
        s.chars()
            .filter(|c| !matches!(c, '-' | '_' | ' '))
            .map(|c| c.to_ascii_lowercase())
            .collect()
    };
    let k = key(name);
    ALGORITHMS.iter().find(|(ours, ..)| key(ours) == k)
}

/// Why a string is not a digest.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{algorithm} digest {hex:?} {why}")]
pub struct BadDigest {
    pub algorithm: String,
    pub hex: String,
    pub why: String,
}

impl Digest {
    /// A digest from an algorithm name in any of the spellings in use (`sha256`,
    /// `sha-256`, `SHA-256`, `SHA256`) and hex of either case. The hex must have the
    /// algorithm's length where Vigil knows it.
    pub fn new(algorithm: &str, hex: &str) -> Result<Digest, BadDigest> {
        let entry = algorithm_entry(algorithm);
        let algorithm =
            entry.map_or_else(|| algorithm.trim().to_ascii_lowercase(), |e| e.0.to_owned());
        let bad = |why: String| BadDigest {
            algorithm: algorithm.clone(),
            hex: hex.to_owned(),
            why,
        };
        if algorithm.is_empty() {
            return Err(bad("has no algorithm".to_owned()));
        }
        if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad("is not hex".to_owned()));
        }
        if let Some(&(_, _, _, len)) = entry
            && hex.len() != len
        {
            return Err(bad(format!("has {} hex digits, not {len}", hex.len())));
        }
        Ok(Digest {
            algorithm,
            hex: hex.to_ascii_lowercase(),
        })
    }

    /// `algorithm:hex` where the algorithm is one Vigil knows; `None` when the string
    /// does not have that shape (so it is no digest at all), an error when it does but
    /// the hex is wrong.
    pub(crate) fn parse_prefixed(s: &str) -> Option<Result<Digest, BadDigest>> {
        let (algorithm, hex) = s.split_once(':')?;
        algorithm_entry(algorithm)?;
        Some(Digest::new(algorithm, hex))
    }

    /// Whether Vigil knows the algorithm (see [`Digest::new`]), so that `algorithm:hex`
    /// reads back as this digest.
    pub fn is_known(&self) -> bool {
        algorithm_entry(&self.algorithm).is_some()
    }

    /// The OpenVEX `hashes` key for the algorithm, if OpenVEX names it.
    pub fn openvex_name(&self) -> Option<&'static str> {
        algorithm_entry(&self.algorithm).and_then(|e| e.1)
    }

    /// The CycloneDX `alg` for the algorithm, if CycloneDX names it.
    pub fn cyclonedx_name(&self) -> Option<&'static str> {
        algorithm_entry(&self.algorithm).and_then(|e| e.2)
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.algorithm, self.hex)
    }
}

impl FromStr for Digest {
    type Err = BadDigest;
    /// `algorithm:hex`, with any algorithm name.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.split_once(':') {
            Some((algorithm, hex)) => Digest::new(algorithm, hex),
            None => Err(BadDigest {
                algorithm: String::new(),
                hex: s.to_owned(),
                why: "is not algorithm:hex".to_owned(),
            }),
        }
    }
}

/// A CycloneDX BOM-link: `urn:cdx:<serial uuid>/<version>` names a BOM, and
/// `#<bom-ref>` an element in it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BomLink {
    /// The BOM's `serialNumber`, `urn:uuid:<uuid>` with the UUID lower-cased, so it
    /// compares equal to [`BomIdentity::serial`](crate::BomIdentity::serial).
    pub serial: String,
    /// The BOM's `version`.
    pub version: u64,
    /// The element, as written after `#`; `None` for a link to the whole BOM.
    pub bom_ref: Option<String>,
}

/// Why a `urn:cdx:` string is not a BOM-link.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("BOM-link {input:?} {why}; the form is urn:cdx:<uuid>/<version>#<bom-ref>")]
pub struct BadBomLink {
    pub input: String,
    pub why: &'static str,
}

impl FromStr for BomLink {
    type Err = BadBomLink;
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let bad = |why| BadBomLink {
            input: input.to_owned(),
            why,
        };
        let rest = if has_scheme(input, "urn:cdx:") {
            &input["urn:cdx:".len()..]
        } else {
            return Err(bad("does not start with urn:cdx:"));
        };
        let (doc, bom_ref) = match rest.split_once('#') {
            Some((doc, r)) if !r.is_empty() => (doc, Some(r.to_owned())),
            Some(_) => return Err(bad("has an empty bom-ref after #")),
            None => (rest, None),
        };
        let (uuid, version) = doc
            .split_once('/')
            .ok_or_else(|| bad("has no /<version> after the serial number"))?;
        if !is_uuid(uuid) {
            return Err(bad("does not have a UUID as its serial number"));
        }
        let version: u64 = version
            .parse()
            .ok()
            .filter(|v| *v >= 1 && !version.starts_with('0'))
            .ok_or_else(|| bad("does not have a version of 1 or more"))?;
        Ok(BomLink {
            serial: format!("urn:uuid:{}", uuid.to_ascii_lowercase()),
            version,
            bom_ref,
        })
    }
}

impl fmt::Display for BomLink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let uuid = self
            .serial
            .strip_prefix("urn:uuid:")
            .unwrap_or(&self.serial);
        write!(f, "urn:cdx:{uuid}/{}", self.version)?;
        if let Some(r) = &self.bom_ref {
            write!(f, "#{r}")?;
        }
        Ok(())
    }
}

pub(crate) fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(input: &str, expect: &str) {
        let (id, why) = ProductId::parse(input);
        let got = match (&id, why) {
            (ProductId::Purl(p), None) => format!("purl {p}"),
            (ProductId::Digest { digest, purl }, None) => format!(
                "digest {digest}{}",
                purl.as_ref()
                    .map(|p| format!(" of {p}"))
                    .unwrap_or_default()
            ),
            (ProductId::BomLink(l), None) => {
                format!("bomlink {} v{} ref {:?}", l.serial, l.version, l.bom_ref)
            }
            (ProductId::Other(s), None) => format!("other {s}"),
            (ProductId::Other(s), Some(why)) => format!("other {s} ({why})"),
            (other, why) => format!("{other:?} {why:?}"),
        };
        assert_eq!(got, expect, "ProductId::parse({input:?})");
    }

    #[test]
    fn ids() {
        check(
            "pkg:npm/%40angular/core@12.3.1",
            "purl pkg:npm/%40angular/core@12.3.1",
        );
        check(
            "PKG:PYPI/Django_Package@1.0",
            "purl pkg:pypi/django-package@1.0",
        );
        check(
            "pkg:oci/alpine@sha256%3A124c7d2707904eea7431fffe91522a01e5a861a624ee31d03372cc1d138a3126",
            "digest sha256:124c7d2707904eea7431fffe91522a01e5a861a624ee31d03372cc1d138a3126 of pkg:oci/alpine@sha256:124c7d2707904eea7431fffe91522a01e5a861a624ee31d03372cc1d138a3126",
        );
        check(
            "sha256:124C7D2707904EEA7431FFFE91522A01E5A861A624EE31D03372CC1D138A3126",
            "digest sha256:124c7d2707904eea7431fffe91522a01e5a861a624ee31d03372cc1d138a3126",
        );
        check(
            "urn:cdx:CBB2CD68-2857-43b8-a10b-e8c03d277d18/1#product-ABC",
            "bomlink urn:uuid:cbb2cd68-2857-43b8-a10b-e8c03d277d18 v1 ref Some(\"product-ABC\")",
        );
        check(
            "urn:cdx:cbb2cd68-2857-43b8-a10b-e8c03d277d18/2",
            "bomlink urn:uuid:cbb2cd68-2857-43b8-a10b-e8c03d277d18 v2 ref None",
        );
        check("checkout@1.4.2", "other checkout@1.4.2");
        check(
            "registry.k8s.io/kube-apiserver:v1.26.0",
            "other registry.k8s.io/kube-apiserver:v1.26.0",
        );
        check(
            "https://example.com/product",
            "other https://example.com/product",
        );
    }

    #[test]
    fn lookalikes_are_kept_with_the_reason() {
        check(
            "pkg:npm",
            "other pkg:npm (purl \"pkg:npm\": missing name; kept as written)",
        );
        check(
            "urn:cdx:not-a-uuid/1#x",
            "other urn:cdx:not-a-uuid/1#x (BOM-link \"urn:cdx:not-a-uuid/1#x\" does not have a UUID as its serial number; the form is urn:cdx:<uuid>/<version>#<bom-ref>; kept as written)",
        );
        check(
            "urn:cdx:cbb2cd68-2857-43b8-a10b-e8c03d277d18/0#x",
            "other urn:cdx:cbb2cd68-2857-43b8-a10b-e8c03d277d18/0#x (BOM-link \"urn:cdx:cbb2cd68-2857-43b8-a10b-e8c03d277d18/0#x\" does not have a version of 1 or more; the form is urn:cdx:<uuid>/<version>#<bom-ref>; kept as written)",
        );
        check(
            "sha256:abc",
            "other sha256:abc (sha256 digest \"abc\" has 3 hex digits, not 64; kept as written)",
        );
    }

    #[test]
    fn digests_normalize_algorithm_names() {
        for name in ["sha256", "sha-256", "SHA-256", "SHA256", "sha_256"] {
            let d = Digest::new(name, &"A".repeat(64)).expect("valid");
            assert_eq!(d.algorithm, "sha256");
            assert_eq!(d.hex, "a".repeat(64));
            assert_eq!(d.openvex_name(), Some("sha-256"));
            assert_eq!(d.cyclonedx_name(), Some("SHA-256"));
        }
        let d = Digest::new("SHA3-256", &"0".repeat(64)).expect("valid");
        assert_eq!(d.to_string(), format!("sha3-256:{}", "0".repeat(64)));
        let other = Digest::new("Whirlpool", "00ff").expect("unknown algorithms keep any length");
        assert_eq!(
            (other.algorithm.as_str(), other.openvex_name()),
            ("whirlpool", None)
        );
        assert!(Digest::new("sha1", "xyz").is_err());
        assert!(Digest::new("", "00").is_err());
        assert_eq!(
            "sha512:00".parse::<Digest>().map_err(|e| e.to_string()),
            Err("sha512 digest \"00\" has 2 hex digits, not 128".to_owned())
        );
    }

    #[test]
    fn bom_links_print_as_read() {
        for s in [
            "urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.10.0?type=jar",
            "urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/12",
        ] {
            assert_eq!(s.parse::<BomLink>().expect("valid").to_string(), s);
        }
        for bad in [
            "urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79",
            "urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#",
            "urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/01#x",
        ] {
            assert!(bad.parse::<BomLink>().is_err(), "{bad}");
        }
    }
}
