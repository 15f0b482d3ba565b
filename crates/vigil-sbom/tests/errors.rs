//! Errors say where and what, and every limit is named when reached.

use vigil_sbom::{Format, Limits};

#[track_caller]
fn check_err(doc: &str, limits: &Limits, expect: &[&str]) {
    let err = vigil_sbom::parse_with_limits(doc.as_bytes(), limits).expect_err("should fail");
    let text = err.to_string();
    for want in expect {
        assert!(text.contains(want), "{text:?} lacks {want:?}");
    }
}

fn cdx(components: &str) -> String {
    format!(r#"{{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{components}]}}"#)
}

#[test]
fn field_paths() {
    let d = Limits::default();
    // A missing name, a bad hash or an unknown type are read leniently, with a warning:
    // see tests/lenient.rs. A value of the wrong JSON type is still rejected.
    check_err(
        &cdx(r#"{"type":"library","name":"a","components":[{"name":"b","version":7}]}"#),
        &d,
        &["components[0].components[0].version", "line 1"],
    );
    check_err(
        r#"{"bomFormat":"CycloneDX","specVersion":"2.0"}"#,
        &d,
        &["unsupported spec version \"2.0\"", "1.7"],
    );
    // A malformed checksum is only ignored (tests/lenient.rs); a line that is not
    // `Tag: value` is malformed tag-value.
    check_err(
        "SPDXVersion: SPDX-2.3\nSPDXID: SPDXRef-DOCUMENT\nPackageName: a\nSPDXID: SPDXRef-a\nPackageChecksum SHA1 abc\n",
        &d,
        &["line 5", "is not `Tag: value`"],
    );
    check_err(
        r#"{"spdxVersion":"SPDX-2.3","packages":[{"SPDXID":"SPDXRef-a","name":"a","checksums":[{"algorithm":"SHA1","checksumValue":7}]}]}"#,
        &d,
        &["packages[0].checksums[0].checksumValue", "invalid type"],
    );
    check_err(
        r#"{"spdxVersion":"SPDX-3.0","packages":[]}"#,
        &d,
        &["unsupported spec version \"SPDX-3.0\""],
    );
}

#[test]
fn limits_are_named_with_how_to_raise_them() {
    check_err(
        &cdx(""),
        &Limits {
            max_document_bytes: 10,
            ..Limits::default()
        },
        &["max_document_bytes", "raise it"],
    );
    let two = cdx(r#"{"type":"library","name":"a"},{"type":"library","name":"b"}"#);
    check_err(
        &two,
        &Limits {
            max_components: 1,
            ..Limits::default()
        },
        &["max_components", "components[1]"],
    );
    let nested = cdx(&format!(
        r#"{{"type":"library","name":"a","components":[{{"type":"library","name":"b","components":[{}]}}]}}"#,
        r#"{"type":"library","name":"c"}"#
    ));
    // JSON nesting is caught before serde recurses.
    check_err(
        &nested,
        &Limits {
            max_depth: 4,
            ..Limits::default()
        },
        &["max_depth", "JSON nesting"],
    );
    let deep_xml = format!(
        "<bom xmlns=\"http://cyclonedx.org/schema/bom/1.5\">{}{}</bom>",
        "<a>".repeat(100),
        "</a>".repeat(100)
    );
    check_err(&deep_xml, &Limits::default(), &["max_depth", "XML nesting"]);
    let ok = vigil_sbom::parse_as(Format::CycloneDxJson, two.as_bytes(), &Limits::default())
        .expect("two components");
    assert_eq!(ok.components.len(), 2);
}
