//! The crate's own fixtures: an SBOM with embedded VEX in CycloneDX JSON and XML (which
//! must read the same), and an OpenVEX document with every product shape. Each is read
//! against a table, and each writer's output is pinned by a snapshot.

#![allow(clippy::unwrap_used, reason = "tests")]

mod support;

use support::summary;
use time::macros::datetime;
use vigil_vex::{
    Digest, Document, Format, Justification, LocalComponent, ProductId, Status, VersionSpec,
    cyclonedx, openvex,
};

const EMBEDDED_JSON: &[u8] = include_bytes!("fixtures/embedded.cdx.json");
const EMBEDDED_XML: &[u8] = include_bytes!("fixtures/embedded.cdx.xml");
const SHAPES: &[u8] = include_bytes!("fixtures/shapes.openvex.json");

fn read(bytes: &[u8]) -> Document {
    vigil_vex::parse(bytes).unwrap()
}

fn warnings(doc: &Document) -> Vec<String> {
    doc.warnings.iter().map(ToString::to_string).collect()
}

#[test]
fn embedded_vex_reads_the_same_from_json_and_xml() {
    assert_eq!(read(EMBEDDED_JSON), read(EMBEDDED_XML));
}

#[test]
fn embedded_vex() {
    let doc = read(EMBEDDED_JSON);
    assert_eq!(
        doc.format,
        Format::CycloneDx {
            spec_version: "1.6".into()
        }
    );
    assert_eq!(doc.author.as_deref(), Some("Example Security Team"));
    assert_eq!(doc.version, Some(3));
    assert_eq!(doc.timestamp, Some(datetime!(2024-05-01 10:00 UTC)));
    let bom = doc.bom.as_ref().unwrap();
    assert_eq!(
        bom.serial.as_deref(),
        Some("urn:uuid:6f2c1a9e-4b3d-4c5e-9a7b-1d2e3f405162")
    );
    assert_eq!(bom.version, 3);
    assert_eq!(bom.subject_bom_ref.as_deref(), Some("shop"));
    assert_eq!(
        bom.subject_purl
            .as_ref()
            .map(ToString::to_string)
            .as_deref(),
        Some(
            "pkg:oci/shop@sha256:8d9001d32c6a703d95921a77115050f33dd823d3f1730bd35215dcbecad6dc20"
        )
    );
    assert_eq!(bom.components, 4);

    let got: Vec<String> = doc.statements.iter().map(summary).collect();
    assert_eq!(
        got,
        [
            "CVE-2021-44228 not_affected component_not_present: pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1 {pkg:maven/org.apache.logging.log4j/log4j-api@2.14.1}",
            "CVE-2023-0464 affected -: pkg:deb/debian/libssl3@3.0.11-1?package-id=4f1b2c",
            "CVE-2021-23337 affected -: pkg:npm/lodash@4.17.20; lodash @range vers:npm/<4.17.20",
            "CVE-2021-23337 fixed -: pkg:npm/lodash@4.17.21",
            "CVE-2024-9999 under_investigation -: sha256:6466e450a16b77b865c5829d6b6c56d9f892956475642dbeb9ccc4340fe01b15; urn:cdx:2c385cf7-e1ee-46e9-a51c-13de1ecb380a/2#acme-product-1",
            "GHSA-2222-3333-4444 affected -: shop",
        ]
    );
    assert_eq!(
        warnings(&doc),
        [
            "vulnerabilities[1].id: a vulnerability needs an id: the vulnerability is ignored",
            "vulnerabilities[2].affects[1].ref: missing: the entry names no product and is skipped",
            "vulnerabilities[3].affects[0].versions[0].status: affected under an analysis state of \"resolved\": the version's own status decides, so the product is affected",
            "vulnerabilities[3].affects[0].versions[2].status: affected under an analysis state of \"resolved\": the version's own status decides, so the product is affected",
            "vulnerabilities[3]: affected without action_statement, which VEX requires; kept",
            "vulnerabilities[5]: affected without action_statement, which VEX requires; kept",
        ]
    );

    // log4j: its bom-ref is its purl, so it is named by the purl; aliases from
    // references; the time from lastUpdated, in UTC; hashes and CPE from the component.
    let s = &doc.statements[0];
    assert_eq!(s.vulnerability.aliases, ["GHSA-jfh8-c2jp-5v3q"]);
    assert_eq!(s.timestamp, Some(datetime!(2024-04-02 07:00 UTC)));
    assert_eq!(
        s.impact_statement.as_deref(),
        Some("The JNDI lookup class was removed from the jar.")
    );
    let p = &s.products[0];
    assert_eq!(
        p.hashes,
        [Digest::new(
            "sha256",
            "68a947b398180efaaa012ea5cf9ba32f30ec56da1a00260ee85f8585f5addc60"
        )
        .unwrap()]
    );
    assert_eq!(
        p.identifiers.cpe23.as_deref(),
        Some("cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*")
    );
    let cdx = s.cdx.as_ref().unwrap();
    assert_eq!(cdx.justification.as_deref(), Some("requires_dependency"));
    assert_eq!(cdx.response, ["will_not_fix"]);

    // libssl3: a syft-style bom-ref is a component of the document, with its purl.
    let s = &doc.statements[1];
    assert_eq!(
        s.products[0].id,
        ProductId::Component(LocalComponent {
            bom_ref: "pkg:deb/debian/libssl3@3.0.11-1?package-id=4f1b2c".into(),
            purl: Some("pkg:deb/debian/libssl3@3.0.11-1".parse().unwrap()),
            name: Some("libssl3".into()),
            version: Some("3.0.11-1".into()),
        })
    );
    assert_eq!(
        s.action_statement.as_deref(),
        Some("Update to a different revision or release; There is a workaround available.")
    );
    assert_eq!(s.timestamp, doc.timestamp, "no analysis time: the BOM's");

    // lodash: versions folded into the version-less purl, the range kept; the detail,
    // written for "resolved", is only a note on the affected statement.
    let s = &doc.statements[2];
    assert_eq!(
        s.products[1].versions,
        Some(VersionSpec::Range("vers:npm/<4.17.20".into()))
    );
    assert_eq!(s.action_statement, None);
    assert_eq!(s.status_notes.as_deref(), Some("Fixed in 4.17.21."));
    assert_eq!(
        doc.statements[3].status_notes.as_deref(),
        Some("Fixed in 4.17.21.")
    );

    // The file: named by the digest its bom-ref is; the time from firstIssued.
    let s = &doc.statements[4];
    assert_eq!(s.timestamp, Some(datetime!(2024-04-20 00:00 UTC)));
    assert_eq!(
        s.products[0]
            .id
            .digest()
            .map(ToString::to_string)
            .as_deref(),
        Some("sha256:6466e450a16b77b865c5829d6b6c56d9f892956475642dbeb9ccc4340fe01b15")
    );
    let ProductId::BomLink(link) = &s.products[1].id else {
        panic!("{:?}", s.products[1].id)
    };
    assert_eq!(
        (link.serial.as_str(), link.version, link.bom_ref.as_deref()),
        (
            "urn:uuid:2c385cf7-e1ee-46e9-a51c-13de1ecb380a",
            2,
            Some("acme-product-1")
        )
    );

    // No analysis: affected, and nothing to keep.
    let s = &doc.statements[5];
    assert_eq!(s.cdx, None);
    let ProductId::Component(c) = &s.products[0].id else {
        panic!("{:?}", s.products[0].id)
    };
    assert_eq!(c.purl.as_ref(), bom.subject_purl.as_ref());
}

#[test]
fn openvex_shapes() {
    let doc = read(SHAPES);
    assert_eq!(doc.id.as_deref(), Some("https://example.com/vex/shapes-1"));
    assert_eq!(doc.role.as_deref(), Some("Document Creator"));
    assert_eq!(doc.tooling.as_deref(), Some("hand-written"));
    assert_eq!(doc.version, Some(4));
    assert_eq!(doc.timestamp, Some(datetime!(2024-05-01 15:00 UTC)));
    assert_eq!(doc.last_updated, Some(datetime!(2024-05-02 10:00 UTC)));
    let got: Vec<String> = doc.statements.iter().map(summary).collect();
    let app = "pkg:oci/app@sha256:a172cedcae47474b615c54d510a5d84a8dea3032e958587430b413538be3f333";
    assert_eq!(
        got,
        [
            format!(
                "CVE-2023-44487 not_affected vulnerable_code_cannot_be_controlled_by_adversary: {app} {{pkg:golang/golang.org/x/net@v0.15.0, pkg:golang/google.golang.org/grpc@v1.58.2}}; pkg:pypi/django@4.2; checkout@1.4.2; urn:cdx:2c385cf7-e1ee-46e9-a51c-13de1ecb380a/2#acme-product-1; sha256:6466e450a16b77b865c5829d6b6c56d9f892956475642dbeb9ccc4340fe01b15"
            ),
            format!(
                "CVE-2024-24790 affected -: {app} {{pkg:golang/stdlib@1.22.3}}; registry.example.com/app:2.0.0 {{pkg:golang/stdlib@1.22.3}}"
            ),
            "CVE-2024-0001 fixed -: checkout@1.4.2".to_owned(),
        ]
    );
    assert_eq!(
        warnings(&doc),
        [
            "statements[1].subcomponents[0]: purl \"pkg:golang/stdlib@1.22.3\": namespace missing: type \"golang\" requires one; kept as written"
        ]
    );
    let s = &doc.statements[0];
    assert_eq!(
        s.vulnerability.aliases,
        ["GHSA-qppj-fm5r-hxr3"],
        "deduplicated, blanks dropped"
    );
    assert_eq!(
        s.justification,
        Some(Justification::VulnerableCodeCannotBeControlledByAdversary)
    );
    assert_eq!(
        s.status_notes.as_deref(),
        Some("Checked by the platform team.")
    );
    let p = &s.products[0];
    assert_eq!(
        p.identifiers
            .purl
            .as_ref()
            .map(ToString::to_string)
            .as_deref(),
        Some("pkg:docker/example/app@2.0.0")
    );
    assert_eq!(p.hashes[0].algorithm, "sha512");
    // Every digest and purl that names the product.
    assert_eq!(
        p.digests()
            .map(|d| d.algorithm.as_str())
            .collect::<Vec<_>>(),
        ["sha256", "sha512"]
    );
    assert_eq!(p.purls().count(), 2);
    assert_eq!(s.products[2].id, ProductId::Other("checkout@1.4.2".into()));
    // A product named only by a hash is named by the digest.
    assert!(matches!(
        &s.products[4].id,
        ProductId::Digest { purl: None, .. }
    ));
    assert!(s.products[4].hashes.is_empty());

    let s = &doc.statements[1];
    assert_eq!(s.status, Status::Affected);
    assert_eq!(s.timestamp, Some(datetime!(2024-05-03 00:00 UTC)));
    assert_eq!(doc.statements[2].timestamp, doc.timestamp, "inherited");
}

#[test]
fn writers_are_pinned() {
    for (name, bytes) in [("embedded", EMBEDDED_JSON), ("shapes", SHAPES)] {
        let doc = read(bytes);
        let ov = String::from_utf8(openvex::write(&doc)).unwrap();
        let cdx = String::from_utf8(cyclonedx::write(&doc)).unwrap();
        insta::assert_snapshot!(format!("{name}.openvex"), ov);
        insta::assert_snapshot!(format!("{name}.cdx"), cdx);
    }
}

#[test]
fn writers_are_deterministic() {
    // The same statements in another order of products, aliases and hashes write the
    // same bytes; a different document writes a different serial number and @id.
    let doc = read(SHAPES);
    let mut shuffled = doc.clone();
    for s in &mut shuffled.statements {
        s.products.reverse();
        s.vulnerability.aliases.reverse();
        for p in &mut s.products {
            p.subcomponents.reverse();
        }
    }
    assert_eq!(openvex::write(&doc), openvex::write(&shuffled));
    assert_eq!(cyclonedx::write(&doc), cyclonedx::write(&shuffled));

    let mut other = doc.clone();
    other.id = None;
    other.statements[0].impact_statement = Some("Another reason.".into());
    let id_of = |d: &Document| read(&openvex::write(d)).id.unwrap();
    let serial_of = |d: &Document| read(&cyclonedx::write(d)).id.unwrap();
    let mut again = other.clone();
    assert_eq!(id_of(&other), id_of(&again));
    assert!(id_of(&other).starts_with("https://openvex.dev/docs/public/vex-"));
    again.statements[0].impact_statement = Some("A third reason.".into());
    assert_ne!(id_of(&other), id_of(&again));
    assert_ne!(serial_of(&doc), serial_of(&other));
    let serial = serial_of(&doc);
    // A version 8 UUID with the RFC 9562 variant.
    assert_eq!(&serial[23..24], "8", "{serial}");
    assert!("89ab".contains(&serial[28..29]), "{serial}");
}

#[test]
fn openvex_output_says_what_it_cannot_carry() {
    // A product with CycloneDX versions is not written as the bare product, which would
    // say every version; the status notes name it.
    let doc = read(EMBEDDED_JSON);
    let out = read(&openvex::write(&doc));
    let lodash = &out.statements[2];
    assert_eq!(
        summary(lodash),
        "CVE-2021-23337 affected -: pkg:npm/lodash@4.17.20"
    );
    assert_eq!(
        lodash.status_notes.as_deref(),
        Some(
            "Fixed in 4.17.21. Also about, but not expressible in OpenVEX: pkg:npm/lodash versions vers:npm/<4.17.20."
        )
    );
    assert_eq!(
        lodash.action_statement.as_deref(),
        Some(openvex::NO_ACTION_STATEMENT)
    );
    // A CycloneDX component is written as its purl, else a BOM-link into its BOM.
    let libssl = &out.statements[1].products[0].id;
    assert_eq!(libssl.as_iri(), "pkg:deb/debian/libssl3@3.0.11-1");
    let shop = &out.statements[5].products[0].id;
    assert_eq!(
        shop.as_iri(),
        "pkg:oci/shop@sha256:8d9001d32c6a703d95921a77115050f33dd823d3f1730bd35215dcbecad6dc20"
    );

    let mut doc = read(EMBEDDED_JSON);
    for s in &mut doc.statements {
        for p in &mut s.products {
            if let ProductId::Component(c) = &mut p.id {
                c.purl = None;
            }
        }
    }
    let out = read(&openvex::write(&doc));
    assert_eq!(
        out.statements[1].products[0].id.as_iri(),
        "urn:cdx:6f2c1a9e-4b3d-4c5e-9a7b-1d2e3f405162/3#pkg:deb/debian/libssl3@3.0.11-1?package-id=4f1b2c"
    );
}

/// Found by the fuzz target: a BOM whose own timestamp is malformed has statements with
/// analysis times and statements without. The CycloneDX writer put the latest of them in
/// `metadata.timestamp`, which the statements without one took on reading back, so the
/// second writing differed from the first.
#[test]
fn regression_statements_without_time_under_a_bom_without_time() {
    let text = String::from_utf8(EMBEDDED_XML.to_vec()).unwrap();
    let text = text.replace("<timestamp>2024", "<timestamp>=2024");
    let doc = read(text.as_bytes());
    assert_eq!(doc.timestamp, None);
    assert!(doc.statements.iter().any(|s| s.timestamp.is_none()));
    for write in [openvex::write as fn(&Document) -> Vec<u8>, cyclonedx::write] {
        let out = write(&doc);
        assert_eq!(write(&read(&out)), out);
    }
}
