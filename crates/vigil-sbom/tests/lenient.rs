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

// SPDX 2.2/2.3 JSON and tag-value, SPDX 3.0 JSON-LD.

/// An SPDX 2.3 JSON document with `body` after its header.
fn spdx(body: &str) -> String {
    format!(
        r#"{{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","name":"d","documentNamespace":"https://example.com/d",{body}}}"#
    )
}

fn spdx_packages(list: &str) -> String {
    spdx(&format!(r#""packages":[{list}]"#))
}

const QS: &str = r#"{"SPDXID":"SPDXRef-qs","name":"qs","versionInfo":"6.7.0","externalRefs":[{"referenceCategory":"PACKAGE-MANAGER","referenceType":"purl","referenceLocator":"pkg:npm/qs@6.7.0"}]}"#;

/// An SPDX 2.3 tag-value document: the header is lines 1-3, `body` starts on line 4.
fn tag(body: &str) -> String {
    format!("SPDXVersion: SPDX-2.3\nSPDXID: SPDXRef-DOCUMENT\nDocumentName: d\n{body}")
}

/// An SPDX 3.0.1 JSON-LD document: `@graph[0]` is the CreationInfo, `@graph[1]` the
/// SpdxDocument, and `elements` follow from `@graph[2]`.
fn spdx3(created: &str, elements: &str) -> String {
    format!(
        r#"{{"@context":"https://spdx.org/rdf/3.0.1/spdx-context.jsonld","@graph":[
        {{"type":"CreationInfo","@id":"_:ci","specVersion":"3.0.1","created":"{created}"}},
        {{"type":"SpdxDocument","spdxId":"urn:doc","rootElement":["urn:app"]}},
        {elements}]}}"#
    )
}

const APP3: &str = r#"{"type":"software_Package","spdxId":"urn:app","name":"app","software_packageVersion":"1.0","software_packageUrl":"pkg:npm/app@1.0"}"#;

#[test]
fn spdx_clean_documents_have_no_warnings() {
    let doc = spdx(&format!(
        r#""packages":[{QS}],"files":[{{"SPDXID":"SPDXRef-f","fileName":"./a"}}],
           "relationships":[{{"spdxElementId":"SPDXRef-DOCUMENT","relationshipType":"DESCRIBES","relatedSpdxElement":"SPDXRef-qs"}},
            {{"spdxElementId":"SPDXRef-qs","relationshipType":"CONTAINS","relatedSpdxElement":"SPDXRef-f"}},
            {{"spdxElementId":"SPDXRef-qs","relationshipType":"DEPENDS_ON","relatedSpdxElement":"NONE"}},
            {{"spdxElementId":"SPDXRef-qs","relationshipType":"DEPENDS_ON","relatedSpdxElement":"DocumentRef-other:SPDXRef-x"}}],
           "creationInfo":{{"created":"2024-01-01T00:00:00Z","creators":["Tool: t-1"]}}"#
    ));
    let bom = read(&doc);
    assert!(bom.warnings.is_empty(), "{:?}", bom.warnings);
    assert_eq!(bom.subject.map(|s| s.components), Some(vec![0]));

    let bom = read(&tag(
        "Created: 2024-01-01T00:00:00Z\nPackageName: qs\nSPDXID: SPDXRef-qs\nPackageChecksum: SHA1: 85ed0817af83a24ad8da68c2b5094de69833983c\nExternalRef: PACKAGE-MANAGER purl pkg:npm/qs@6.7.0\nFileName: ./a\nSPDXID: SPDXRef-f\nSnippetSPDXID: SPDXRef-s\nRelationship: SPDXRef-qs CONTAINS SPDXRef-f\nRelationship: SPDXRef-s GENERATED_FROM SPDXRef-f\nRelationship: SPDXRef-DOCUMENT DESCRIBES SPDXRef-qs\n",
    ));
    assert!(bom.warnings.is_empty(), "{:?}", bom.warnings);
    assert_eq!(bom.components[0].hashes.len(), 1);

    let bom = read(&spdx3(
        "2024-01-01T00:00:00Z",
        &format!(
            r#"{APP3},
            {{"type":"Relationship","spdxId":"urn:r1","relationshipType":"hasDeclaredLicense","from":"urn:app","to":["https://spdx.org/licenses/MIT"]}},
            {{"type":"Relationship","spdxId":"urn:r2","relationshipType":"dependsOn","from":"urn:app","to":["https://spdx.org/rdf/3.0.1/terms/Core/NoneElement"]}}"#
        ),
    ));
    assert!(bom.warnings.is_empty(), "{:?}", bom.warnings);
}

#[test]
fn spdx_package_without_name_takes_the_purls_name() {
    let bom = read(&spdx_packages(
        &QS.replace(r#""name":"qs""#, r#""name":" ""#),
    ));
    only_warning(
        &bom,
        "packages[0].name",
        &[r#"no name; the purl's name "qs" is used"#],
    );
    assert_eq!(bom.components[0].name, "qs");
    assert!(bom.unmatchable.is_empty(), "{:?}", bom.unmatchable);

    // Without a purl either: kept, with an empty name, and unmatchable.
    let bom = read(&tag(
        "PackageName:\nSPDXID: SPDXRef-a\nPackageVersion: 1.0\n",
    ));
    only_warning(
        &bom,
        "line 4: PackageName",
        &["no name and no usable purl: kept with an empty name"],
    );
    assert_eq!(bom.components.len(), 1);
    assert_eq!(bom.components[0].name, "");
    assert_eq!(bom.unmatchable.len(), 1);

    let bom = read(&spdx3(
        "2024-01-01T00:00:00Z",
        r#"{"type":"software_Package","spdxId":"urn:app","software_packageVersion":"1.0","software_packageUrl":"pkg:npm/app@1.0"}"#,
    ));
    only_warning(
        &bom,
        "@graph[2].name",
        &[r#"no name; the purl's name "app" is used"#],
    );
    assert_eq!(bom.subject.map(|s| s.name).as_deref(), Some("app"));
}

#[test]
fn spdx_package_without_spdxid_is_kept() {
    let bom = read(&spdx_packages(&QS.replace(r#""SPDXID":"SPDXRef-qs","#, "")));
    only_warning(
        &bom,
        "packages[0].SPDXID",
        &["no SPDXID: the package is kept, but no relationship can name it"],
    );
    assert_eq!(bom.components[0].bom_ref, None);
    assert!(bom.components[0].purl.is_some());

    let bom = read(&tag("PackageName: a\nPackageVersion: 1.0\n"));
    only_warning(&bom, "line 4: PackageName", &["no SPDXID"]);

    let bom = read(&spdx3(
        "2024-01-01T00:00:00Z",
        &APP3.replace(r#""spdxId":"urn:app","#, ""),
    ));
    only_warning(
        &bom,
        "@graph[2].spdxId",
        &["no spdxId: the package is kept, but no relationship can name it"],
    );
    assert_eq!(bom.components.len(), 1);
}

#[test]
fn spdx_malformed_checksum_is_ignored() {
    let bom = read(&spdx_packages(
        r#"{"SPDXID":"SPDXRef-a","name":"a","checksums":[
            {"algorithm":"SHA1","checksumValue":"85ed0817af83a24ad8da68c2b5094de69833983c"},
            {"algorithm":"SHA256","checksumValue":"abc"}]}"#,
    ));
    only_warning(
        &bom,
        "packages[0].checksums[1]",
        &[r#"SHA-256 digest "abc" has 3 hex digits, not 64: checksum ignored"#],
    );
    assert_eq!(bom.components[0].hashes.len(), 1);

    let bom = read(&spdx_packages(
        r#"{"SPDXID":"SPDXRef-a","name":"a","checksums":[{"algorithm":"SHA1"}]}"#,
    ));
    only_warning(
        &bom,
        "packages[0].checksums[0]",
        &["a checksum needs an algorithm and a checksumValue: checksum ignored"],
    );

    // Tag-value: a digest that is not hex, and a value that is not `ALGORITHM: hex`.
    let bom = read(&tag(
        "PackageName: a\nSPDXID: SPDXRef-a\nPackageChecksum: SHA1: xyz\n",
    ));
    only_warning(
        &bom,
        "line 6: PackageChecksum",
        &[r#"SHA-1 digest "xyz" is not hex: checksum ignored"#],
    );
    let bom = read(&tag(
        "PackageName: a\nSPDXID: SPDXRef-a\nPackageChecksum: SHA1 85ed0817af83a24ad8da68c2b5094de69833983c\n",
    ));
    only_warning(
        &bom,
        "line 6: PackageChecksum",
        &["is not `ALGORITHM: hex`: checksum ignored"],
    );
    assert_eq!(bom.components.len(), 1);
    assert!(bom.components[0].hashes.is_empty());

    let bom = read(&spdx3(
        "2024-01-01T00:00:00Z",
        &APP3.replace(
            r#""name":"app","#,
            r#""name":"app","verifiedUsing":[{"type":"Hash","algorithm":"sha256","hashValue":"xyz"},{"type":"Hash","algorithm":"sha256"}],"#,
        ),
    ));
    let w: Vec<String> = bom.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        w,
        [
            r#"@graph[2].verifiedUsing[0]: SHA-256 digest "xyz" is not hex: hash ignored"#,
            "@graph[2].verifiedUsing[1]: a Hash needs an algorithm and a hashValue: hash ignored",
        ]
    );
    assert!(bom.components[0].hashes.is_empty());
}

#[test]
fn spdx_malformed_created_is_dropped() {
    let bom = read(&spdx(
        r#""creationInfo":{"created":"2024-01-01","creators":[]}"#,
    ));
    only_warning(
        &bom,
        "creationInfo.created",
        &[
            "\"2024-01-01\" is not an RFC 3339 date-time",
            "no timestamp is kept",
        ],
    );
    assert_eq!(bom.timestamp, None);

    let bom = read(&tag("Created: yesterday\n"));
    only_warning(
        &bom,
        "line 4: Created",
        &["\"yesterday\" is not an RFC 3339 date-time"],
    );
    assert_eq!(bom.timestamp, None);

    let bom = read(&spdx3("2024-01-01 00:00", APP3));
    only_warning(&bom, "@graph[0].created", &["no timestamp is kept"]);
    assert_eq!(bom.timestamp, None);
}

#[test]
fn spdx_relationship_naming_an_unknown_element_is_skipped() {
    let bom = read(&spdx(&format!(
        r#""packages":[{QS}],"relationships":[
            {{"spdxElementId":"SPDXRef-qs","relationshipType":"DEPENDS_ON","relatedSpdxElement":"SPDXRef-gone"}},
            {{"spdxElementId":"SPDXRef-DOCUMENT","relationshipType":"DESCRIBES","relatedSpdxElement":"SPDXRef-qs"}}]"#
    )));
    only_warning(
        &bom,
        "relationships[0].relatedSpdxElement",
        &[r#""SPDXRef-gone" names no element of the document: the relationship is skipped"#],
    );
    assert!(bom.edges.is_empty());
    assert_eq!(bom.subject.map(|s| s.components), Some(vec![0]));

    let bom = read(&spdx(&format!(
        r#""packages":[{QS}],"documentDescribes":["SPDXRef-app","SPDXRef-qs"]"#
    )));
    only_warning(
        &bom,
        "documentDescribes[0]",
        &[r#""SPDXRef-app" names no element of the document: ignored"#],
    );
    assert_eq!(bom.subject.map(|s| s.components), Some(vec![0]));

    let bom = read(&tag(
        "PackageName: a\nSPDXID: SPDXRef-a\nRelationship: SPDXRef-x DEPENDS_ON SPDXRef-y\n",
    ));
    only_warning(
        &bom,
        "line 6: Relationship",
        &[r#""SPDXRef-x" and "SPDXRef-y" name no element of the document"#],
    );

    let bom = read(&spdx3(
        "2024-01-01T00:00:00Z",
        &format!(
            r#"{APP3},
            {{"type":"software_Package","spdxId":"urn:qs","name":"qs","software_packageVersion":"6.7.0","software_packageUrl":"pkg:npm/qs@6.7.0"}},
            {{"type":"Relationship","spdxId":"urn:r1","relationshipType":"dependsOn","from":"urn:app","to":["urn:gone","urn:qs"]}},
            {{"type":"Relationship","spdxId":"urn:r2","relationshipType":"dependsOn","from":"urn:nope","to":["urn:qs"]}}"#
        ),
    ));
    let w: Vec<String> = bom.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        w,
        [
            r#"@graph[4].to[0]: "urn:gone" names no element of the document: skipped"#,
            r#"@graph[5].from: "urn:nope" names no element of the document: the relationship is skipped"#,
        ]
    );
    // The known target of the first relationship is still read.
    assert_eq!(bom.edges.len(), 1);
    assert_eq!((bom.edges[0].from, bom.edges[0].to), (0, 1));
}

#[test]
fn spdx_incomplete_relationship_is_skipped() {
    let bom = read(&spdx(&format!(
        r#""packages":[{QS}],"relationships":[{{"spdxElementId":"SPDXRef-DOCUMENT","relationshipType":"DESCRIBES"}}]"#
    )));
    only_warning(
        &bom,
        "relationships[0]",
        &["no relatedSpdxElement: the relationship is skipped"],
    );

    let bom = read(&tag("Relationship: SPDXRef-DOCUMENT DESCRIBES\n"));
    only_warning(
        &bom,
        "line 4: Relationship",
        &["is not `ELEMENT TYPE ELEMENT`: the relationship is skipped"],
    );

    let bom = read(&spdx3(
        "2024-01-01T00:00:00Z",
        &format!(
            r#"{APP3},{{"type":"Relationship","spdxId":"urn:r","relationshipType":"dependsOn","to":["urn:app"]}}"#
        ),
    ));
    only_warning(
        &bom,
        "@graph[3].from",
        &["a Relationship needs a from: the relationship is skipped"],
    );
}

#[test]
fn spdx_incomplete_external_ref_is_ignored() {
    let bom = read(&spdx_packages(
        r#"{"SPDXID":"SPDXRef-a","name":"a","externalRefs":[{"referenceCategory":"PACKAGE-MANAGER","referenceType":"purl"}]}"#,
    ));
    only_warning(
        &bom,
        "packages[0].externalRefs[0]",
        &[
            "an external reference needs a referenceCategory, a referenceType and a referenceLocator: ignored",
        ],
    );
    assert_eq!(bom.components.len(), 1);

    let bom = read(&tag(
        "PackageName: a\nSPDXID: SPDXRef-a\nExternalRef: PACKAGE-MANAGER purl\n",
    ));
    only_warning(
        &bom,
        "line 6: ExternalRef",
        &["is not `CATEGORY TYPE LOCATOR`: ignored"],
    );
}

#[test]
fn spdx_duplicate_spdxids_keep_both_and_resolve_to_the_first() {
    let bom = read(&spdx(
        r#""packages":[
            {"SPDXID":"SPDXRef-x","name":"a","versionInfo":"1"},
            {"SPDXID":"SPDXRef-y","name":"c","versionInfo":"1"},
            {"SPDXID":"SPDXRef-x","name":"b","versionInfo":"2"}],
           "relationships":[{"spdxElementId":"SPDXRef-y","relationshipType":"DEPENDS_ON","relatedSpdxElement":"SPDXRef-x"},
            {"spdxElementId":"SPDXRef-DOCUMENT","relationshipType":"DESCRIBES","relatedSpdxElement":"SPDXRef-x"}]"#,
    ));
    only_warning(
        &bom,
        "packages[2].SPDXID",
        &[
            r#""SPDXRef-x" names both packages[0] ("a") and packages[2] ("b")"#,
            "both are kept, and relationships resolve to the first",
        ],
    );
    assert_eq!(bom.components.len(), 3);
    let edges: Vec<(usize, usize, EdgeKind)> =
        bom.edges.iter().map(|e| (e.from, e.to, e.kind)).collect();
    assert_eq!(edges, [(1, 0, EdgeKind::DependsOn)]);
    assert_eq!(bom.subject.map(|s| s.name).as_deref(), Some("a"));

    let bom = read(&tag(
        "PackageName: a\nSPDXID: SPDXRef-x\nPackageName: b\nSPDXID: SPDXRef-x\n",
    ));
    only_warning(
        &bom,
        "line 7: SPDXID",
        &[r#""SPDXRef-x" names both the package at line 4 ("a") and the package at line 6 ("b")"#],
    );

    let bom = read(&spdx3(
        "2024-01-01T00:00:00Z",
        &format!(
            r#"{APP3},{}"#,
            APP3.replace(r#""name":"app""#, r#""name":"other""#)
        ),
    ));
    only_warning(
        &bom,
        "@graph[3].spdxId",
        &[r#""urn:app" names both @graph[2] ("app") and @graph[3] ("other")"#],
    );
    assert_eq!(bom.components.len(), 2);
    assert_eq!(bom.subject.map(|s| s.components), Some(vec![0]));
}
