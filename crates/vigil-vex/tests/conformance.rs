//! Conformance against other projects' documents, read from `VIGIL_CONFORMANCE_DATA`:
//! every OpenVEX document of go-vex and vexctl, every CycloneDX VEX example, the BOMs
//! the examples link to, and every CycloneDX BOM with embedded vulnerabilities. Each is
//! checked against a table written from reading the file, and each one's output from
//! both writers validates against the format's JSON schema and reads back.

#![allow(clippy::unwrap_used, reason = "tests")]

mod support;

use std::collections::BTreeMap;
use std::path::Path;

use support::{Schemas, check_round_trips, files, summary};
use vigil_vex::{Document, Format, OpenVexSpec, ProductId, Status};

const ALPINE: &str =
    "pkg:oci/alpine@sha256:124c7d2707904eea7431fffe91522a01e5a861a624ee31d03372cc1d138a3126";
const ALPINE_SUBS: &str = "{pkg:apk/alpine/libcrypto3@3.0.8-r3, pkg:apk/alpine/libssl3@3.0.8-r3}";
const NGINX: &str =
    "pkg:oci/nginx@sha256:13d22ec63300e16014d4a42aed735207a8b33c223cff19627dd3042e5a10a3a0";

/// Every OpenVEX document under `openvex/`, with each statement as [`summary`] prints
/// it (products and subcomponents sorted), written from reading the file.
fn openvex_expected() -> Vec<(&'static str, OpenVexSpec, Vec<String>)> {
    let git = |ns: &str| {
        format!("pkg:apk/{ns}/git@2.39.0-r1?arch=armv7; pkg:apk/{ns}/git@2.39.0-r1?arch=x86_64")
    };
    let alpine = format!("{ALPINE} {ALPINE_SUBS}");
    vec![
        (
            "go-vex/pkg/csaf/testdata/openvex.json",
            OpenVexSpec::V0_0_1,
            vec![format!("CVE-2014-123456 fixed -: {}", git("distro"))],
        ),
        (
            "go-vex/pkg/vex/testdata/v0.0.1-noversion.json",
            OpenVexSpec::V0_0_1,
            vec![format!("CVE-2023-12345 fixed -: {}", git("wolfi"))],
        ),
        (
            "go-vex/pkg/vex/testdata/v0.0.1.json",
            OpenVexSpec::V0_0_1,
            vec![format!("CVE-2023-12345 fixed -: {}", git("wolfi"))],
        ),
        (
            "go-vex/pkg/vex/testdata/v0.2.0.json",
            OpenVexSpec::V0_2_0,
            vec![
                format!("CVE-2023-1255 fixed -: {alpine}"),
                format!("CVE-2023-2650 fixed -: {alpine}"),
                format!("CVE-2023-2975 fixed -: {alpine}"),
                format!("CVE-2023-3446 not_affected vulnerable_code_not_present: {alpine}"),
                format!("CVE-2023-3817 not_affected vulnerable_code_not_present: {alpine}"),
            ],
        ),
        (
            "go-vex/pkg/vex/testdata/v001-1.vex.json",
            OpenVexSpec::V0_0_1,
            vec!["CVE-1234-5678 under_investigation -: pkg:apk/wolfi/bash@1.0.0".into()],
        ),
        (
            "go-vex/pkg/vex/testdata/v001-2.vex.json",
            OpenVexSpec::V0_0_1,
            vec!["CVE-1234-5678 fixed -: pkg:apk/wolfi/bash@1.0.0".into()],
        ),
        (
            "go-vex/pkg/vex/testdata/v020-1.vex.json",
            OpenVexSpec::V0_2_0,
            vec!["CVE-9876-54321 under_investigation -: pkg:apk/wolfi/bash@1.0.0".into()],
        ),
        (
            "go-vex/pkg/vex/testdata/v020-2.vex.json",
            OpenVexSpec::V0_2_0,
            vec!["CVE-1234-5678 under_investigation -: pkg:apk/wolfi/git@2.41.0-1".into()],
        ),
        (
            "go-vex/pkg/vex/testdata/vex.yaml",
            OpenVexSpec::V0_0_1,
            vec![
                "CVE-2022-31030 not_affected vulnerable_code_not_in_execute_path: ".into(),
                "CVE-2021-44228 affected -: ".into(),
            ],
        ),
        (
            "vexctl/examples/csaf/openvex.json",
            OpenVexSpec::V0_2_0,
            vec!["CVE-2014-123456 fixed -: pkg:generic/component2@2.39.0-r1".into()],
        ),
        (
            "vexctl/examples/openvex/demo.vex.json",
            OpenVexSpec::V0_2_0,
            vec![format!("CVE-2014-123456 fixed -: {}", git("distro"))],
        ),
        (
            "vexctl/examples/openvex/document1.vex.json",
            OpenVexSpec::V0_2_0,
            vec!["CVE-1234-5678 under_investigation -: pkg:apk/wolfi/bash@1.0.0".into()],
        ),
        (
            "vexctl/examples/openvex/document2.vex.json",
            OpenVexSpec::V0_2_0,
            vec!["CVE-1234-5678 fixed -: pkg:apk/wolfi/bash@1.0.0".into()],
        ),
        (
            "vexctl/examples/sarif/sample-1statement.openvex.json",
            OpenVexSpec::V0_2_0,
            vec![format!("CVE-2023-27103 not_affected component_not_present: {NGINX}")],
        ),
        (
            "vexctl/examples/sarif/sample-2vulns.openvex.json",
            OpenVexSpec::V0_2_0,
            vec![
                format!("CVE-2023-27103 not_affected component_not_present: {NGINX}"),
                format!("CVE-2007-5686 fixed -: {NGINX}"),
            ],
        ),
        (
            "vexctl/examples/sarif/sample-history.openvex.json",
            OpenVexSpec::V0_2_0,
            vec![
                format!("CVE-2023-27103 not_affected component_not_present: {NGINX}"),
                format!("CVE-2023-27103 not_affected component_not_present: {NGINX}"),
            ],
        ),
        (
            "vexctl/pkg/ctl/testdata/images.vex.json",
            OpenVexSpec::V0_0_1,
            vec![
                "CVE-1234-5678 under_investigation -: pkg:oci/alpine@sha256:f271e74b17ced29b915d351685fd4644785c6d1559dd1f2d4189a5e851ef753a".into(),
                "CVE-1234-5678 under_investigation -: nginx".into(),
                "CVE-1234-5678 under_investigation -: registry.k8s.io/kube-apiserver:v1.26.0".into(),
                "CVE-1234-5678 under_investigation -: pkg:oci/kube-apiserver?repository_url=registry.k8s.io&tag=v1.26.0".into(),
            ],
        ),
        (
            "vexctl/pkg/ctl/testdata/templates/oci-vexctl.openvex.json",
            OpenVexSpec::V0_2_0,
            vec!["CVE-2014-12345678 not_affected vulnerable_code_not_present: pkg:oci/vexctl".into()],
        ),
        (
            "vexctl/pkg/ctl/testdata/test.vex.json",
            OpenVexSpec::V0_0_1,
            vec![
                "CVE-2009-4487 not_affected vulnerable_code_not_in_execute_path: ".into(),
                "CVE-2021-44228 affected -: ".into(),
            ],
        ),
    ]
}

/// Files under `openvex/` that are not OpenVEX documents, with the error `parse` must
/// give (a substring), or `None` for files that are not documents at all.
const OPENVEX_NOT_DOCUMENTS: &[(&str, Option<&str>, &str)] = &[
    (
        "go-vex/pkg/csaf/testdata/csaf.json",
        Some("found a CSAF document"),
        "CSAF VEX is not read: its product tree needs its own reader, and go-vex converts it to OpenVEX",
    ),
    (
        "go-vex/pkg/vex/testdata/csaf.json",
        Some("found a CSAF document"),
        "CSAF, as above",
    ),
    (
        "vexctl/examples/csaf/csaf.json",
        Some("found a CSAF document"),
        "CSAF, as above",
    ),
    (
        "vexctl/examples/csaf/sbom.spdx.json",
        Some("found an SPDX 2 document"),
        "the SBOM of the CSAF example",
    ),
    ("spec/openvex_json_schema.json", None, "the JSON schema"),
    ("spec/ns/v0.2.0/context.json", None, "the JSON-LD context"),
];

fn read_doc(path: &Path) -> Result<Document, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    vigil_vex::parse(&bytes).map_err(|e| e.to_string())
}

fn report(suite: &str, checked: usize, failures: &[String]) {
    eprintln!(
        "conformance {suite}: {checked} checked, {} failed",
        failures.len()
    );
    assert!(failures.is_empty(), "{suite}:\n{}", failures.join("\n\n"));
}

#[test]
fn openvex_documents() {
    let Some(data) = vigil_testkit::conformance_dir("openvex") else {
        return;
    };
    let root = data.join("openvex");
    let expected = openvex_expected();
    let mut failures = Vec::new();
    let mut checked = 0;
    for path in files(&root, &[".json", ".yaml", ".yml"]) {
        let rel = path
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        checked += 1;
        if let Some((_, error, _)) = OPENVEX_NOT_DOCUMENTS.iter().find(|(f, ..)| *f == rel) {
            match (read_doc(&path), error) {
                (Err(e), Some(want)) if e.contains(want) => {}
                (_, None) => {}
                (got, _) => failures.push(format!("{rel}: want error {error:?}, got {got:?}")),
            }
            continue;
        }
        let Some((_, spec, statements)) = expected.iter().find(|(f, ..)| *f == rel) else {
            failures.push(format!(
                "{rel}: no expectation; add the file to openvex_expected"
            ));
            continue;
        };
        match read_doc(&path) {
            Err(e) => failures.push(format!("{rel}: {e}")),
            Ok(mut doc) => {
                if doc.format != (Format::OpenVex { spec: *spec }) {
                    failures.push(format!("{rel}: format {}", doc.format));
                }
                doc.normalize();
                let got: Vec<String> = doc.statements.iter().map(summary).collect();
                if &got != statements {
                    failures.push(format!("{rel}:\n got {got:#?}\nwant {statements:#?}"));
                }
            }
        }
    }
    assert_eq!(checked, expected.len() + OPENVEX_NOT_DOCUMENTS.len());
    report("openvex", checked, &failures);
}

#[test]
fn openvex_details() {
    let Some(data) = vigil_testkit::conformance_dir("openvex") else {
        return;
    };
    let root = data.join("openvex");
    let doc = |rel: &str| read_doc(&root.join(rel)).unwrap();
    let ts = |s: &str| {
        time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
            .unwrap()
            .to_offset(time::UtcOffset::UTC)
    };

    // The document's timestamp applies to statements without their own.
    let d = doc("go-vex/pkg/vex/testdata/v0.2.0.json");
    assert_eq!(d.timestamp, Some(ts("2023-07-17T18:28:47.696004345-06:00")));
    assert!(d.statements.iter().all(|s| s.timestamp == d.timestamp));
    assert_eq!(d.version, Some(1));
    assert_eq!(
        d.author.as_deref(),
        Some("The OpenVEX Project <openvex@openssf.org>")
    );
    assert_eq!(d.role.as_deref(), Some("Demo Writer"));
    let product = &d.statements[0].products[0];
    let digest = product.id.digest().unwrap();
    assert_eq!(
        digest.to_string(),
        ALPINE.trim_start_matches("pkg:oci/alpine@")
    );
    assert_eq!(product.id.purl().unwrap().name(), "alpine");
    assert_eq!(
        d.statements[3].impact_statement.as_deref(),
        Some("affected functions were removed before packaging")
    );
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);

    // A statement's own timestamp wins; 0.0.1's version is a string.
    let d = doc("vexctl/examples/sarif/sample-history.openvex.json");
    assert_eq!(
        d.statements[0].timestamp,
        Some(ts("2023-08-15T19:55:22.076684217-06:00"))
    );
    assert_eq!(
        d.statements[1].timestamp,
        Some(ts("2023-08-16T19:55:22.076684217-06:00"))
    );
    assert_eq!(
        d.statements[0].vulnerability.aliases,
        ["SNYK-DEBIAN12-LIBDE265-3361563"]
    );
    let d = doc("go-vex/pkg/vex/testdata/v0.0.1.json");
    assert_eq!(d.version, Some(1));

    // go-vex's early YAML: no @context, no products, aliases, action statements.
    let d = doc("go-vex/pkg/vex/testdata/vex.yaml");
    assert_eq!(d.author.as_deref(), Some("Chainguard"));
    assert_eq!(
        d.statements[1].vulnerability.aliases,
        [
            "FEDORA-2021-66d6c484f3",
            "VU#930724",
            "cisco-sa-apache-log4j-qRuKNEbd"
        ]
    );
    assert_eq!(
        d.statements[0].action_statement.as_deref(),
        Some("Affected library function not called")
    );
    let warnings: Vec<String> = d.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        [
            "@context: missing; read as OpenVEX 0.0.1, which the spec makes the default",
            "@id: missing, though OpenVEX requires it; the document is read without it",
            "version: missing, though OpenVEX requires it; the document is read without it",
            "statements[0]: names no product; kept, and it applies to nothing until something supplies one",
            "statements[1]: names no product; kept, and it applies to nothing until something supplies one",
        ]
    );

    // Image references and names that are no purl are kept as written.
    let d = doc("vexctl/pkg/ctl/testdata/images.vex.json");
    assert_eq!(
        d.statements[1].products[0].id,
        ProductId::Other("nginx".into())
    );
    assert_eq!(
        d.statements[0].status_notes, None,
        "empty notes are no notes"
    );
}

/// Per CycloneDX VEX example: statements per status (not_affected, affected, fixed,
/// under_investigation) and products in all, counted from reading each file.
const CYCLONEDX_COUNTS: &[(&str, [usize; 4], usize)] = &[
    ("CISA-Use-Cases/Case-1/vex-affected.json", [0, 1, 0, 0], 1),
    ("CISA-Use-Cases/Case-1/vex-fixed.json", [0, 0, 1, 0], 1),
    (
        "CISA-Use-Cases/Case-1/vex-not_affected.json",
        [1, 0, 0, 0],
        1,
    ),
    (
        "CISA-Use-Cases/Case-1/vex-under_investigation.json",
        [0, 0, 0, 1],
        1,
    ),
    ("CISA-Use-Cases/Case-2/vex.json", [19, 0, 0, 0], 19),
    ("CISA-Use-Cases/Case-3/vex.json", [6, 5, 3, 5], 19),
    ("CISA-Use-Cases/Case-4/vex.json", [0, 1, 0, 0], 3),
    ("CISA-Use-Cases/Case-5/vex.json", [0, 0, 0, 1], 1),
    ("CISA-Use-Cases/Case-6/vex.json", [1, 1, 0, 0], 7),
    ("CISA-Use-Cases/Case-7/vex.json", [2, 1, 1, 0], 10),
    ("CISA-Use-Cases/Case-8/vex.json", [4, 2, 2, 0], 24),
    ("Use-Cases/Case-1/vex.json", [1, 0, 0, 0], 1),
    ("Use-Cases/Case-10/vex.json", [1, 0, 0, 0], 12),
    ("Use-Cases/Case-11/vex.json", [19, 0, 0, 0], 19),
    ("Use-Cases/Case-12/vex.json", [2, 1, 0, 0], 3),
    ("Use-Cases/Case-13/vex.json", [1, 1, 0, 0], 3),
    ("Use-Cases/Case-2/vex.json", [0, 1, 0, 0], 1),
    ("Use-Cases/Case-3/vex.json", [0, 0, 0, 1], 1),
    ("Use-Cases/Case-4/vex.json", [1, 0, 0, 0], 1),
    ("Use-Cases/Case-5/vex.json", [1, 1, 0, 0], 2),
    ("Use-Cases/Case-6/vex.json", [1, 0, 0, 0], 3),
    ("Use-Cases/Case-7/vex.json", [1, 0, 0, 0], 0),
    ("Use-Cases/Case-8/vex.json", [1, 0, 0, 0], 4),
    ("Use-Cases/Case-9/vex.json", [19, 0, 0, 0], 57),
    ("vex.json", [1, 0, 0, 0], 1),
];

/// Full statements for some examples, as [`summary`] prints them.
fn cyclonedx_detail() -> Vec<(&'static str, Vec<String>)> {
    let abc = "urn:cdx:cbb2cd68-2857-43b8-a10b-e8c03d277d18/1#product-ABC";
    let jkl = "urn:cdx:e4c3eedc-4978-470c-ad02-6ffff63738ff/1#product-JKL";
    let acme = |n: u8| match n {
        1 => "urn:cdx:2c385cf7-e1ee-46e9-a51c-13de1ecb380a/1#acme-product-1",
        2 => "urn:cdx:6ffac0b2-5246-4fb9-a6fe-7993041856a0/1#acme-product-2",
        _ => "urn:cdx:240b5b0b-917d-4f48-816c-97e1944d8079/1#acme-product-3",
    };
    vec![
        ("CISA-Use-Cases/Case-1/vex-affected.json", vec!["CVE-2021-44228 affected -: product-DEF".into()]),
        ("CISA-Use-Cases/Case-1/vex-fixed.json", vec!["CVE-2021-44228 fixed -: product-DEF".into()]),
        (
            "CISA-Use-Cases/Case-1/vex-not_affected.json",
            vec!["CVE-2021-44228 not_affected vulnerable_code_not_present: product-ABC".into()],
        ),
        (
            "CISA-Use-Cases/Case-1/vex-under_investigation.json",
            vec!["CVE-2021-44228 under_investigation -: product-GHI".into()],
        ),
        (
            "CISA-Use-Cases/Case-7/vex.json",
            vec![
                format!("CVE-2021-44228 affected -: {abc} @range vers:generic/>=2.9|<=4.1; {abc} @version 2.4; {abc} @version 2.6; {jkl} @range vers:generic/>=4.5|<=5.0"),
                format!("CVE-2021-44228 not_affected vulnerable_code_not_present: {abc} @range vers:generic/>=1.0|<=2.3; {abc} @range vers:generic/>=2.7|<=2.8; {abc} @version 2.5; {abc} @version 4.2"),
                format!("CVE-2021-44228 not_affected vulnerable_code_not_present: {jkl} @range vers:generic/>=1.0|<=4.4"),
                format!("CVE-2021-44228 fixed -: {jkl} @version 5.1"),
            ],
        ),
        (
            "Use-Cases/Case-4/vex.json",
            vec!["CVE-2020-25649 not_affected vulnerable_code_not_in_execute_path: acme-product @range vers:semver/>=2.2.0|<=2.4.0".into()],
        ),
        (
            "Use-Cases/Case-5/vex.json",
            vec![
                "CVE-2020-25649 affected -: acme-product @range vers:semver/<7.0.0|>=1.5.0".into(),
                "CVE-2020-25649 not_affected vulnerable_code_not_in_execute_path: acme-product @range vers:semver/<1.5.0|>=7.0.0".into(),
            ],
        ),
        ("Use-Cases/Case-7/vex.json", vec!["CVE-2020-25649 not_affected vulnerable_code_not_in_execute_path: ".into()]),
        (
            "Use-Cases/Case-12/vex.json",
            vec![
                "CVE-2020-25649 not_affected vulnerable_code_not_in_execute_path: acme-product".into(),
                "CVE-2020-35491 affected -: acme-product".into(),
                "CVE-2020-14195 not_affected inline_mitigations_already_exist: acme-product".into(),
            ],
        ),
        (
            "Use-Cases/Case-13/vex.json",
            vec![
                format!("CVE-2020-25649 not_affected vulnerable_code_not_in_execute_path: {}; {}", acme(1), acme(2)),
                format!("CVE-2020-25649 affected -: {}", acme(3)),
            ],
        ),
        (
            "vex.json",
            vec!["CVE-2020-25649 not_affected vulnerable_code_not_in_execute_path: urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.10.0?type=jar".into()],
        ),
    ]
}

#[test]
fn cyclonedx_vex_examples() {
    let Some(data) = vigil_testkit::conformance_dir("cyclonedx-bom-examples") else {
        return;
    };
    let root = data.join("cyclonedx-bom-examples/VEX");
    let detail = cyclonedx_detail();
    let mut failures = Vec::new();
    let mut checked = 0;
    for path in files(&root, &[".json"]) {
        let rel = path
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let name = path.file_name().unwrap().to_string_lossy();
        if !name.starts_with("vex") {
            continue;
        }
        checked += 1;
        let Some((_, counts, products)) = CYCLONEDX_COUNTS.iter().find(|(f, ..)| *f == rel) else {
            failures.push(format!("{rel}: no expectation; add it to CYCLONEDX_COUNTS"));
            continue;
        };
        let mut doc = match read_doc(&path) {
            Ok(d) => d,
            Err(e) => {
                failures.push(format!("{rel}: {e}"));
                continue;
            }
        };
        assert!(matches!(doc.format, Format::CycloneDx { .. }));
        assert!(
            doc.bom.is_some(),
            "{rel}: a CycloneDX document says which BOM it is"
        );
        let mut got = [0; 4];
        for s in &doc.statements {
            got[Status::ALL.iter().position(|x| *x == s.status).unwrap()] += 1;
        }
        let got_products: usize = doc.statements.iter().map(|s| s.products.len()).sum();
        if got != *counts || got_products != *products {
            failures.push(format!(
                "{rel}: statements per status {got:?} and {got_products} products, want {counts:?} and {products}"
            ));
        }
        if let Some((_, want)) = detail.iter().find(|(f, _)| *f == rel) {
            doc.normalize();
            let got: Vec<String> = doc.statements.iter().map(summary).collect();
            if &got != want {
                failures.push(format!("{rel}:\n got {got:#?}\nwant {want:#?}"));
            }
        }
    }
    assert_eq!(
        checked,
        CYCLONEDX_COUNTS.len(),
        "every VEX example is in the table"
    );
    report("cyclonedx-bom-examples VEX", checked, &failures);
}

#[test]
fn cyclonedx_details() {
    let Some(data) = vigil_testkit::conformance_dir("cyclonedx-bom-examples") else {
        return;
    };
    let root = data.join("cyclonedx-bom-examples/VEX");
    let doc = |rel: &str| read_doc(&root.join(rel)).unwrap();

    // The analysis as written stays with the statement; the detail becomes the text the
    // status calls for.
    let d = doc("CISA-Use-Cases/Case-1/vex-not_affected.json");
    let s = &d.statements[0];
    let cdx = s.cdx.as_ref().unwrap();
    assert_eq!(cdx.state.as_deref(), Some("not_affected"));
    assert_eq!(cdx.justification.as_deref(), Some("code_not_present"));
    assert_eq!(cdx.response, ["will_not_fix"]);
    assert_eq!(
        s.impact_statement.as_deref(),
        Some(
            "This version of Product ABC is not affected by the vulnerability. Class with vulnerable code was removed before shipping."
        )
    );
    let ProductId::Component(c) = &s.products[0].id else {
        panic!("{:?}", s.products[0].id)
    };
    assert_eq!(
        (c.name.as_deref(), c.version.as_deref()),
        (Some("ABC"), Some("4.2"))
    );
    let bom = d.bom.as_ref().unwrap();
    assert_eq!(bom.subject_bom_ref.as_deref(), Some("product-ABC"));
    assert_eq!(bom.components, 0);
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);

    let d = doc("CISA-Use-Cases/Case-1/vex-affected.json");
    assert_eq!(
        d.statements[0].action_statement.as_deref(),
        Some(
            "This version of Product DEF is affected by the vulnerability. Customers are advised to upgrade to the latest release."
        )
    );
    let d = doc("CISA-Use-Cases/Case-1/vex-fixed.json");
    assert_eq!(
        d.statements[0].status_notes.as_deref(),
        Some("This version of Product DEF has been fixed.")
    );

    // Aliases from references; the timestamp from metadata.
    let d = doc("vex.json");
    assert_eq!(
        d.statements[0].vulnerability.aliases,
        ["SNYK-JAVA-COMFASTERXMLJACKSONCORE-1048302"]
    );
    assert_eq!(d.statements[0].timestamp, None);
    let d = doc("Use-Cases/Case-1/vex.json");
    assert_eq!(d.statements[0].timestamp, d.timestamp);
    assert!(d.timestamp.is_some());

    // Case-10 lists version 2.3.1 twice; it is one product.
    let d = doc("Use-Cases/Case-10/vex.json");
    assert_eq!(d.statements[0].products.len(), 12);
}

/// The examples whose VEX links into BOMs beside it: each BOM-link's serial number and
/// bom-ref is one of the paired BOMs' serial and subject.
#[test]
fn bom_links_name_the_paired_boms() {
    let Some(data) = vigil_testkit::conformance_dir("cyclonedx-bom-examples") else {
        return;
    };
    let root = data.join("cyclonedx-bom-examples/VEX");
    for (case, boms) in [
        ("Use-Cases/Case-6", 3),
        ("Use-Cases/Case-9", 3),
        ("Use-Cases/Case-13", 3),
        ("CISA-Use-Cases/Case-7", 2),
        ("CISA-Use-Cases/Case-8", 2),
    ] {
        let vex = read_doc(&root.join(case).join("vex.json")).unwrap();
        let mut subjects = BTreeMap::new();
        for n in 1..=boms {
            let bom = read_doc(&root.join(case).join(format!("bom-{n}.json"))).unwrap();
            assert!(
                bom.statements.is_empty(),
                "{case}/bom-{n}.json has no vulnerabilities"
            );
            let id = bom.bom.unwrap();
            subjects.insert(
                (id.serial.unwrap(), id.version),
                id.subject_bom_ref.unwrap(),
            );
        }
        let mut linked = BTreeMap::new();
        for s in &vex.statements {
            for p in &s.products {
                let ProductId::BomLink(link) = &p.id else {
                    panic!("{case}: {} is no BOM-link", p.id)
                };
                linked.insert(
                    (link.serial.clone(), link.version),
                    link.bom_ref.clone().unwrap(),
                );
            }
        }
        assert_eq!(
            linked, subjects,
            "{case}: the BOM-links and the paired BOMs"
        );
    }

    // The top-level example links to a BOM whose serial is not that of bom.json beside
    // it: the upstream example is inconsistent, and the reader says what is written.
    let vex = read_doc(&root.join("vex.json")).unwrap();
    let bom = read_doc(&root.join("bom.json")).unwrap();
    let ProductId::BomLink(link) = &vex.statements[0].products[0].id else {
        panic!()
    };
    assert_eq!(link.serial, "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79");
    assert_eq!(
        bom.bom.unwrap().serial.as_deref(),
        Some("urn:uuid:5f0f0da9-c03d-47d8-b38d-009e6df67094")
    );
}

/// Every CycloneDX BOM of the examples reads as a document that says which BOM it is;
/// those with embedded vulnerabilities (none among the examples; CycloneDX's own
/// `valid-vulnerability` and `valid-compositions` tests have them) read them.
#[test]
fn every_bom_reads_with_its_identity() {
    let Some(data) = vigil_testkit::conformance_dir("cyclonedx-bom-examples") else {
        return;
    };
    let root = data.join("cyclonedx-bom-examples");
    let mut checked = 0;
    let mut failures = Vec::new();
    for path in files(&root, &[".json", ".xml"]) {
        let rel = path
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let json: Option<serde_json::Value> = serde_json::from_str(&text).ok();
        let embedded = json
            .as_ref()
            .is_some_and(|j| j.get("vulnerabilities").is_some() && j.get("components").is_some());
        checked += 1;
        match read_doc(&path) {
            Err(e) => failures.push(format!("{rel}: {e}")),
            Ok(doc) => {
                let bom = doc.bom.as_ref().unwrap();
                let serial = json
                    .as_ref()
                    .and_then(|j| j.get("serialNumber"))
                    .and_then(|s| s.as_str());
                if json.is_some() && bom.serial.as_deref() != serial {
                    failures.push(format!("{rel}: serial {:?}, want {serial:?}", bom.serial));
                }
                if embedded || (!rel.starts_with("VEX/") && !doc.statements.is_empty()) {
                    failures.push(format!(
                        "{rel}: an SBOM with embedded vulnerabilities; add a check"
                    ));
                }
            }
        }
    }
    report("cyclonedx-bom-examples BOMs", checked, &failures);

    let Some(spec) = vigil_testkit::conformance_dir("cyclonedx-spec") else {
        return;
    };
    for version in ["1.4", "1.5", "1.6"] {
        let path = spec.join(format!(
            "cyclonedx-spec/{version}/valid-vulnerability-{version}.json"
        ));
        let doc = read_doc(&path).unwrap();
        let bom = doc.bom.as_ref().unwrap();
        assert_eq!(
            bom.serial.as_deref(),
            Some("urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79")
        );
        assert_eq!(bom.components, 1);
        assert_eq!(doc.statements.len(), 1, "{version}");
        let s = &doc.statements[0];
        // The analysis says not_affected but every version entry says affected: the
        // versions decide, with a warning each.
        assert_eq!(s.status, Status::Affected);
        assert_eq!(
            s.cdx.as_ref().unwrap().state.as_deref(),
            Some("not_affected")
        );
        assert_eq!(s.vulnerability.aliases, ["CVE-2018-7489"]);
        assert_eq!(s.products.len(), 3);
        assert_eq!(doc.warnings.len(), 3, "{:?}", doc.warnings);
        if version != "1.4" {
            assert_eq!(
                s.timestamp.map(|t| t.unix_timestamp()),
                Some(time::macros::datetime!(2022-02-01 00:00 UTC).unix_timestamp()),
                "analysis.lastUpdated"
            );
        }
    }
}

/// Every document above and the crate's own fixtures, written both ways: the output
/// validates against OpenVEX's and CycloneDX 1.6's JSON schemas and reads back.
#[test]
fn writers_validate_and_round_trip() {
    let Some(data) = vigil_testkit::conformance_dir("openvex") else {
        return;
    };
    let schemas = Schemas::load(&data);
    let mut inputs = Vec::new();
    for path in files(&data.join("openvex"), &[".json", ".yaml"]) {
        inputs.push(path);
    }
    for path in files(&data.join("cyclonedx-bom-examples/VEX"), &[".json"]) {
        inputs.push(path);
    }
    for version in ["1.4", "1.5", "1.6"] {
        for name in ["valid-vulnerability", "valid-compositions"] {
            inputs.push(data.join(format!("cyclonedx-spec/{version}/{name}-{version}.json")));
        }
    }
    for path in files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures"),
        &[".json", ".xml", ".yaml"],
    ) {
        inputs.push(path);
    }
    let mut checked = 0;
    let mut failures = Vec::new();
    for path in inputs {
        let Ok(doc) = read_doc(&path) else { continue };
        let label = path.display().to_string();
        checked += 1;
        if doc.statements.is_empty() {
            // OpenVEX requires a statement; there is nothing to write.
            continue;
        }
        if let Err(e) = schemas.check_openvex(&vigil_vex::openvex::write(&doc)) {
            failures.push(format!("{label}: OpenVEX schema: {e}"));
        }
        if let Err(e) = schemas.check_cyclonedx(&vigil_vex::cyclonedx::write(&doc)) {
            failures.push(format!("{label}: CycloneDX schema: {e}"));
        }
        if let Err(e) = check_round_trips(&doc, &label) {
            failures.push(e);
        }
    }
    assert!(checked > 50, "{checked}");
    report("writers", checked, &failures);
}
