//! Leniencies: a document that is wrong in one field but still usable is read, and each
//! leniency is recorded in `Bom::warnings` with where it is.

use vigil_sbom::{Bom, EdgeKind};

fn cdx(body: &str) -> String {
    format!(r#"{{"bomFormat":"CycloneDX","specVersion":"1.6",{body}}}"#)
}

fn components(list: &str) -> String {
    cdx(&format!(r#""components":[{list}]"#))
}

#[track_caller]
fn read(doc: &str) -> Bom {
    vigil_sbom::parse(doc.as_bytes()).unwrap_or_else(|e| panic!("should be read: {e}"))
}

/// Asserts that the document warns exactly once, at `at`, with a message containing
/// every one of `message`.
#[track_caller]
fn only_warning(bom: &Bom, at: &str, message: &[&str]) {
    assert_eq!(bom.warnings.len(), 1, "{:?}", bom.warnings);
    let w = &bom.warnings[0];
    assert_eq!(w.at, at, "{w}");
    for m in message {
        assert!(w.message.contains(m), "{w} lacks {m:?}");
    }
    assert_eq!(w.to_string(), format!("{at}: {}", w.message));
}

#[test]
fn a_clean_document_has_no_warnings() {
    let bom = read(&components(
        r#"{"type":"library","bom-ref":"a","name":"qs","version":"6.7.0","purl":"pkg:npm/qs@6.7.0"}"#,
    ));
    assert!(bom.warnings.is_empty(), "{:?}", bom.warnings);
}

#[test]
fn component_without_name_takes_the_purls_name() {
    let bom = read(&components(
        r#"{"type":"library","name":"a","purl":"pkg:npm/a@1"},{"type":"library","name":" ","version":"6.7.0","purl":"pkg:npm/qs@6.7.0"}"#,
    ));
    only_warning(
        &bom,
        "components[1].name",
        &[r#"no name; the purl's name "qs" is used"#],
    );
    assert_eq!(bom.components[1].name, "qs");
    assert!(bom.unmatchable.is_empty(), "{:?}", bom.unmatchable);
}

#[test]
fn component_without_name_or_purl_is_kept_and_unmatchable() {
    let bom = read(&components(r#"{"type":"library","version":"1.0"}"#));
    only_warning(
        &bom,
        "components[0].name",
        &["no name and no usable purl: kept with an empty name"],
    );
    assert_eq!(bom.components.len(), 1);
    assert_eq!(bom.components[0].name, "");
    assert_eq!(bom.unmatchable.len(), 1);
    assert_eq!(bom.unmatchable[0].0, 0);
}

#[test]
fn component_without_name_in_xml() {
    let doc = r#"<?xml version="1.0"?>
<bom xmlns="http://cyclonedx.org/schema/bom/1.4" version="1">
  <components>
    <component type="library"><name></name><version>6.7.0</version><purl>pkg:npm/qs@6.7.0</purl></component>
  </components>
</bom>"#;
    let bom = read(doc);
    only_warning(
        &bom,
        "components[0].name",
        &[r#"the purl's name "qs" is used"#],
    );
    assert_eq!(bom.components[0].name, "qs");
}

#[test]
fn subject_without_name() {
    let bom = read(&cdx(
        r#""metadata":{"component":{"type":"application","name":"","version":"2.0","purl":"pkg:npm/app@2.0"}}"#,
    ));
    only_warning(
        &bom,
        "metadata.component.name",
        &[r#"the purl's name "app" is used"#],
    );
    let subject = bom.subject.as_ref().expect("subject kept");
    assert_eq!(subject.name, "app");
    assert_eq!(subject.version.as_deref(), Some("2.0"));

    // osv-scanner's alpine-zlib-16.cdx.json: neither name nor purl, and an empty type.
    let bom = read(&cdx(
        r#""metadata":{"component":{"bom-ref":"s","type":"","name":""}},"components":[{"type":"library","name":"zlib","version":"1.2.12-r1","purl":"pkg:apk/alpine/zlib@1.2.12-r1?distro=3.22.0"}]"#,
    ));
    let w: Vec<String> = bom.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        w,
        [
            "metadata.component.type: empty component type: ignored",
            "metadata.component.name: no name and no usable purl: kept with an empty name",
        ]
    );
    assert_eq!(bom.subject.as_ref().map(|s| s.name.as_str()), Some(""));
    assert_eq!(bom.components.len(), 2);
    assert_eq!(bom.components[0].kind, None);
}

#[test]
fn duplicate_bom_refs_keep_both_and_resolve_to_the_first() {
    let bom = read(&cdx(r#""components":[
            {"type":"library","bom-ref":"x","name":"a","version":"1","purl":"pkg:npm/a@1"},
            {"type":"library","bom-ref":"y","name":"c","version":"1","purl":"pkg:npm/c@1",
             "components":[{"type":"library","bom-ref":"x","name":"b","version":"2","purl":"pkg:npm/b@2"}]}],
           "dependencies":[{"ref":"y","dependsOn":["x"]},{"ref":"x","dependsOn":["y"]}],
           "vulnerabilities":[{"id":"CVE-1","affects":[{"ref":"x"}]}]"#));
    only_warning(
        &bom,
        "components[1].components[0].bom-ref",
        &[
            r#""x" names both components[0] ("a") and components[1].components[0] ("b")"#,
            "both are kept, and references to it resolve to the first",
        ],
    );
    assert_eq!(bom.components.len(), 3);
    let (a, c, b) = (0, 1, 2);
    assert_eq!(bom.components[b].name, "b");
    let edges: Vec<(usize, usize, EdgeKind)> =
        bom.edges.iter().map(|e| (e.from, e.to, e.kind)).collect();
    // Nesting is by position, not by ref; references by ref go to the first.
    assert!(edges.contains(&(c, b, EdgeKind::Contains)), "{edges:?}");
    assert!(edges.contains(&(c, a, EdgeKind::DependsOn)), "{edges:?}");
    assert!(edges.contains(&(a, c, EdgeKind::DependsOn)), "{edges:?}");
    assert!(
        !edges
            .iter()
            .any(|&(f, t, k)| k == EdgeKind::DependsOn && (f == b || t == b))
    );
    assert_eq!(bom.vulnerabilities[0].affects[0].component, Some(a));
}

#[test]
fn unknown_component_type_is_kept() {
    let bom = read(&components(
        r#"{"type":"library","name":"a","components":[{"type":"nope","name":"b"}]}"#,
    ));
    only_warning(
        &bom,
        "components[0].components[0].type",
        &[r#"unknown component type "nope", kept as written"#],
    );
    assert_eq!(bom.components[1].kind.as_deref(), Some("nope"));
}

#[test]
fn empty_bom_ref_is_ignored() {
    let bom = read(&components(
        r#"{"type":"library","bom-ref":" ","name":"a"}"#,
    ));
    only_warning(&bom, "components[0].bom-ref", &["empty bom-ref: ignored"]);
    assert_eq!(bom.components[0].bom_ref, None);
}

#[test]
fn malformed_hashes_are_ignored() {
    let bom = read(&components(
        r#"{"type":"library","name":"a","hashes":[{"alg":"SHA-1","content":"foo"},{"alg":"MD5","content":"0123456789abcdef0123456789abcdef"}]}"#,
    ));
    only_warning(
        &bom,
        "components[0].hashes[0]",
        &[r#"SHA-1 digest "foo" is not hex: hash ignored"#],
    );
    assert_eq!(bom.components[0].hashes.len(), 1);

    let bom = read(&components(
        r#"{"type":"library","name":"a","hashes":[{"alg":"FOO","content":"abcd"}]}"#,
    ));
    only_warning(
        &bom,
        "components[0].hashes[0].alg",
        &[r#"unknown hash algorithm "FOO": hash ignored"#],
    );
    assert!(bom.components[0].hashes.is_empty());

    let xml = r#"<bom xmlns="http://cyclonedx.org/schema/bom/1.5"><components>
        <component type="library"><name>a</name><hashes><hash>abcd</hash></hashes></component>
        </components></bom>"#;
    only_warning(
        &read(xml),
        "components[0].hashes[0].alg",
        &[r#"unknown hash algorithm "": hash ignored"#],
    );
}

#[test]
fn empty_license_is_ignored() {
    let bom = read(&components(
        r#"{"type":"library","name":"a","licenses":[{"license":{}},{"license":{"id":"MIT"}}]}"#,
    ));
    only_warning(
        &bom,
        "components[0].licenses[0]",
        &["a license needs an id, a name or an expression: license ignored"],
    );
    assert_eq!(bom.components[0].licenses, ["MIT"]);
}

#[test]
fn dependency_without_ref_is_ignored() {
    let bom = read(&cdx(
        r#""components":[{"type":"library","bom-ref":"a","name":"a"},{"type":"library","bom-ref":"b","name":"b"}],
           "dependencies":[{"dependsOn":["a"]},{"ref":"a","dependsOn":["b"]}]"#,
    ));
    only_warning(
        &bom,
        "dependencies[0].ref",
        &["a dependency needs a non-empty ref: the entry is ignored"],
    );
    assert_eq!(bom.edges.len(), 1);

    let xml = r#"<bom xmlns="http://cyclonedx.org/schema/bom/1.5"><components>
        <component type="library" bom-ref="a"><name>a</name></component>
        </components><dependencies><dependency ref="a"><dependency/></dependency></dependencies></bom>"#;
    only_warning(
        &read(xml),
        "dependencies[0].dependsOn[0]",
        &["an empty ref: ignored"],
    );
}

#[test]
fn malformed_timestamp_is_dropped() {
    let bom = read(&cdx(r#""metadata":{"timestamp":"2020-04-13"}"#));
    only_warning(
        &bom,
        "metadata.timestamp",
        &[
            "\"2020-04-13\" is not an RFC 3339 date-time",
            "no timestamp is kept",
        ],
    );
    assert_eq!(bom.timestamp, None);
}

#[test]
fn malformed_serial_number_is_kept() {
    let bom = read(&cdx(r#""serialNumber":"urn:uuid:3e671687-395b""#));
    only_warning(
        &bom,
        "serialNumber",
        &["is not a urn:uuid: URN; kept as written"],
    );
    assert_eq!(bom.serial_number.as_deref(), Some("urn:uuid:3e671687-395b"));
}

#[test]
fn vulnerability_without_id_is_ignored() {
    let bom = read(&cdx(r#""vulnerabilities":[{"ratings":[]},{"id":"CVE-2"}]"#));
    only_warning(
        &bom,
        "vulnerabilities[0].id",
        &["a vulnerability needs an id: the vulnerability is ignored"],
    );
    assert_eq!(bom.vulnerabilities.len(), 1);
    assert_eq!(bom.vulnerabilities[0].id, "CVE-2");
}
