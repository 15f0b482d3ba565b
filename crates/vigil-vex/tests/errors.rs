//! Every way a document is rejected, with where and what; every leniency, with its
//! warning; and every limit, named when reached.

#![allow(clippy::unwrap_used, reason = "tests")]

use vigil_vex::{Limits, Status};

/// An OpenVEX 0.2.0 document around `statements` (a JSON array).
fn openvex(statements: &str) -> String {
    format!(
        r#"{{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://example.com/v", "author": "a",
            "timestamp": "2024-01-01T00:00:00Z", "version": 1, "statements": {statements}}}"#
    )
}

/// A CycloneDX 1.6 VEX with `vulnerabilities` (a JSON array) and one component, `lib`.
fn cyclonedx(vulnerabilities: &str) -> String {
    format!(
        r#"{{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
            "components": [{{"type": "library", "bom-ref": "lib", "name": "lib", "purl": "pkg:npm/lib"}}],
            "vulnerabilities": {vulnerabilities}}}"#
    )
}

#[track_caller]
fn error(input: &str, expect: &str) {
    match vigil_vex::parse(input.as_bytes()) {
        Ok(doc) => panic!("accepted, want error {expect:?}: {doc:?}"),
        Err(e) => assert_eq!(e.to_string(), expect),
    }
}

#[track_caller]
fn error_containing(input: &str, expect: &str) {
    match vigil_vex::parse(input.as_bytes()) {
        Ok(doc) => panic!("accepted, want error containing {expect:?}: {doc:?}"),
        Err(e) => assert!(
            e.to_string().contains(expect),
            "{e}\nwant it to contain {expect:?}"
        ),
    }
}

/// Reads `input` and checks its warnings, exactly.
#[track_caller]
fn warnings(input: &str, expect: &[&str]) -> vigil_vex::Document {
    let doc = vigil_vex::parse(input.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    let got: Vec<String> = doc.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(got, expect);
    doc
}

const NOT_A_VEX: &str = "not a supported VEX document: expected OpenVEX JSON or YAML (\"@context\": \"https://openvex.dev/ns/v0.2.0\") or CycloneDX JSON or XML with vulnerabilities; found ";

#[test]
fn formats_that_are_not_vex() {
    error("", &format!("{NOT_A_VEX}an empty document"));
    error(" \n", &format!("{NOT_A_VEX}an empty document"));
    error(
        "[]",
        &format!("{NOT_A_VEX}a JSON array; a VEX document is one object"),
    );
    error(
        r#"{"spdxVersion": "SPDX-2.3"}"#,
        &format!("{NOT_A_VEX}an SPDX 2 document, which has no VEX statements"),
    );
    error_containing(
        r#"{"document": {"category": "csaf_vex"}, "vulnerabilities": []}"#,
        "found a CSAF document",
    );
    error_containing(
        r#"{"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"}"#,
        "found SPDX 3 JSON-LD",
    );
    error(
        r#"{"name": "x"}"#,
        &format!("{NOT_A_VEX}a JSON object with none of @context, statements, bomFormat"),
    );
    error(
        "author: me\n",
        &format!("{NOT_A_VEX}a document with neither @context nor statements"),
    );
    error(
        r#"{"@context": "#,
        "JSON: malformed document at line 1, column 13: EOF while parsing a value",
    );
    error_containing("<html/>", "CycloneDX XML");
}

#[test]
fn openvex_document_errors() {
    error(
        r#"{"@context": "https://example.com/ns", "statements": []}"#,
        "@context: \"https://example.com/ns\" is not OpenVEX's; it is https://openvex.dev/ns/v0.2.0",
    );
    error(
        r#"{"@context": "https://openvex.dev/ns/v0.3.0", "statements": []}"#,
        "OpenVEX: unsupported version \"https://openvex.dev/ns/v0.3.0\" (at @context); supported: https://openvex.dev/ns (0.0.1), https://openvex.dev/ns/v0.0.1, https://openvex.dev/ns/v0.2.0",
    );
    error(
        r#"{"@context": "https://openvex.dev/ns/v0.2.0", "timestamp": "yesterday", "statements": []}"#,
        "timestamp: \"yesterday\" is not an RFC 3339 date-time: the 'year' component could not be parsed",
    );
    error(
        r#"{"@context": "https://openvex.dev/ns/v0.2.0", "last_updated": "2024-13-01T00:00:00Z", "statements": []}"#,
        "last_updated: \"2024-13-01T00:00:00Z\" is not an RFC 3339 date-time: month was not in range",
    );
    error(
        r#"{"@context": "https://openvex.dev/ns", "version": "one", "statements": []}"#,
        "version: \"one\" is not a whole number of 0 or more",
    );
    error(
        r#"{"@context": "https://openvex.dev/ns", "version": -1, "statements": []}"#,
        "version: \"-1\" is not a whole number of 0 or more",
    );
    error(
        r#"{"@context": "https://openvex.dev/ns/v0.2.0", "author": ["a"], "statements": []}"#,
        "OpenVEX JSON: malformed document at author (line 1, column 56): invalid type: sequence, expected a string",
    );
    error(
        &openvex(r#"[{"vulnerability": {"name": "CVE-1"}, "status": "fixed"}] 7"#),
        "JSON: malformed document at line 2, column 136: expected `,` or `}`",
    );
    error(
        &format!("{} x", openvex("[]")),
        "JSON: malformed document at line 2, column 82: trailing characters",
    );
}

#[test]
fn openvex_statement_errors() {
    let ok = r#"{"vulnerability": {"name": "CVE-1"}, "products": [{"@id": "pkg:npm/a@1"}], "status": "fixed"}"#;
    let cases = [
        (
            r#"{"products": [], "status": "fixed"}"#,
            "statements[3].vulnerability: missing; every statement names a vulnerability",
        ),
        (
            r#"{"vulnerability": {"name": " "}, "status": "fixed"}"#,
            "statements[3].vulnerability.name: missing or empty; every statement names a vulnerability",
        ),
        (
            r#"{"vulnerability": {"aliases": ["x"]}, "status": "fixed"}"#,
            "statements[3].vulnerability.name: missing or empty; every statement names a vulnerability",
        ),
        (
            r#"{"vulnerability": "CVE-1"}"#,
            "statements[3].status: missing; every statement has one of not_affected, affected, fixed, under_investigation",
        ),
        (
            r#"{"vulnerability": "CVE-1", "status": "foo"}"#,
            "statements[3].status: unknown status \"foo\"; expected one of not_affected, affected, fixed, under_investigation",
        ),
        (
            r#"{"vulnerability": "CVE-1", "status": "Fixed"}"#,
            "statements[3].status: unknown status \"Fixed\"; expected one of not_affected, affected, fixed, under_investigation",
        ),
        (
            r#"{"vulnerability": "CVE-1", "status": "not_affected", "justification": "code_not_present"}"#,
            "statements[3].justification: unknown justification \"code_not_present\"; expected one of component_not_present, vulnerable_code_not_present, vulnerable_code_not_in_execute_path, vulnerable_code_cannot_be_controlled_by_adversary, inline_mitigations_already_exist",
        ),
        (
            r#"{"vulnerability": "CVE-1", "status": "fixed", "timestamp": "2024-01-01"}"#,
            "statements[3].timestamp: \"2024-01-01\" is not an RFC 3339 date-time: the 'separator' component could not be parsed",
        ),
        (
            r#"{"vulnerability": "CVE-1", "status": "fixed", "products": [{"hashes": {"md5": "x"}}]}"#,
            "statements[3].products[0]: has no @id, identifiers or hash of a known algorithm: nothing names the product",
        ),
        (
            r#"{"vulnerability": "CVE-1", "status": "fixed", "products": [""]}"#,
            "statements[3].products[0]: an empty product id",
        ),
        (
            r#"{"vulnerability": "CVE-1", "status": "fixed", "products": [{"@id": "pkg:npm/a@1", "subcomponents": [" "]}]}"#,
            "statements[3].products[0].subcomponents[0]: an empty subcomponent id",
        ),
        (
            r#"{"vulnerability": "CVE-1", "status": "fixed", "products": [{"@id": "a", "subcomponents": [{}]}]}"#,
            "statements[3].products[0].subcomponents[0]: has no @id, identifiers or hash of a known algorithm: nothing names the product",
        ),
    ];
    for (statement, expect) in cases {
        error(
            &openvex(&format!("[{ok}, {ok}, {ok}, {statement}]")),
            expect,
        );
    }
    // Wrong types are named by their path.
    error_containing(
        &openvex(r#"[{"vulnerability": "CVE-1", "status": "fixed", "products": [7]}]"#),
        "OpenVEX JSON: malformed document at statements[0].products[0] (line 2, column 138): invalid type: integer `7`, expected a string or an object",
    );
    error_containing(
        &openvex(r#"[{"vulnerability": "CVE-1", "status": 1}]"#),
        "malformed document at statements[0].status",
    );
}

#[test]
fn openvex_yaml_errors() {
    error_containing(
        "\"@context\": https://openvex.dev/ns/v0.2.0\nstatements:\n  - vulnerability: CVE-1\n    status: [x]\n",
        "OpenVEX YAML: malformed document at statements[0].status: error: line 4 column 13: expected string scalar",
    );
    error_containing("statements: [\n", "OpenVEX YAML: malformed document");
}

#[test]
fn openvex_leniencies() {
    // Producers break what OpenVEX makes their duty; each break is a warning.
    let doc = warnings(
        &openvex(
            r#"[
            {"vulnerability": "CVE-1", "products": ["pkg:npm/a@1"], "status": "not_affected"},
            {"vulnerability": "CVE-2", "products": ["pkg:npm/a@1"], "status": "affected"},
            {"vulnerability": "CVE-3", "status": "fixed", "justification": "component_not_present"},
            {"vulnerability": "CVE-4", "status": "fixed", "subcomponents": ["pkg:npm/b@1"]},
            {"vulnerability": "CVE-5", "status": "fixed", "products": [
                "pkg:npm",
                {"@id": "urn:cdx:nope/1#x", "identifiers": {"purl": "pkg:"}, "hashes": {"sha-256": "abc", "whirlpool": "00"}},
                {"@id": "sha256:abc", "subcomponents": [{"@id": "pkg:npm/c@1", "hashes": {"md5": "0cc175b9c0f1b6a831c399e269772661"}}]}
            ]}
        ]"#,
        ),
        &[
            "statements[0]: not_affected without justification or impact_statement, which VEX requires; kept",
            "statements[1]: affected without action_statement, which VEX requires; kept",
            "statements[2]: names no product; kept, and it applies to nothing until something supplies one",
            "statements[2].justification: component_not_present on a fixed statement; justifications explain not_affected; kept",
            "statements[3].subcomponents: subcomponents of no product: the statement names no product, so they are not kept",
            "statements[3]: names no product; kept, and it applies to nothing until something supplies one",
            "statements[4].products[0]: purl \"pkg:npm\": missing name; kept as written",
            "statements[4].products[1].identifiers.purl: purl \"pkg:\": missing type; the identifier is not kept",
            "statements[4].products[1].hashes.sha-256: sha256 digest \"abc\" has 3 hex digits, not 64; the hash is not kept",
            "statements[4].products[1].hashes.whirlpool: not one of OpenVEX's hash names; kept",
            "statements[4].products[1].@id: BOM-link \"urn:cdx:nope/1#x\" does not have a UUID as its serial number; the form is urn:cdx:<uuid>/<version>#<bom-ref>; kept as written",
            "statements[4].products[2].@id: sha256 digest \"abc\" has 3 hex digits, not 64; kept as written",
            "statements[4].products[2].subcomponents[0]: a subcomponent's identifiers and hashes besides its id are not kept",
        ],
    );
    assert_eq!(doc.statements.len(), 5, "no statement is dropped");
    assert_eq!(doc.statements[4].products.len(), 3);

    warnings(
        r#"{"@context": "https://openvex.dev/ns", "statements": [], "version": 0}"#,
        &[
            "version: 0; OpenVEX document versions start at 1; kept",
            "@id: missing, though OpenVEX requires it; the document is read without it",
            "author: missing, though OpenVEX requires it; the document is read without it",
            "timestamp: missing, though OpenVEX requires it; the document is read without it",
            "statements: empty: the document states nothing",
        ],
    );
}

#[test]
fn cyclonedx_errors() {
    let vuln = |analysis: &str| {
        cyclonedx(&format!(
            r#"[{{"id": "CVE-0"}}, {{"id": "CVE-1", "analysis": {analysis}, "affects": [{{"ref": "lib"}}]}}]"#
        ))
    };
    error(
        &vuln(r#"{"state": "exploited"}"#),
        "vulnerabilities[1].analysis.state: unknown state \"exploited\"; expected one of resolved, resolved_with_pedigree, exploitable, in_triage, false_positive, not_affected",
    );
    error(
        &vuln(r#"{"state": "not_affected", "justification": "vulnerable_code_not_present"}"#),
        "vulnerabilities[1].analysis.justification: unknown justification \"vulnerable_code_not_present\"; expected one of code_not_present, code_not_reachable, requires_configuration, requires_dependency, requires_environment, protected_by_compiler, protected_at_runtime, protected_at_perimeter, protected_by_mitigating_control",
    );
    // A vulnerability without id shifts nothing: paths count every entry.
    error(
        &cyclonedx(
            r#"[{"description": "no id"}, {"id": "CVE-1", "affects": [{"versions": []}, {"ref": "lib", "versions": [{"version": "1", "status": "vulnerable"}]}]}]"#,
        ),
        "vulnerabilities[1].affects[1].versions[0].status: unknown version status \"vulnerable\"; expected one of affected, unaffected, unknown",
    );
    // What vigil-sbom rejects is its error.
    error(
        r#"{"bomFormat": "CycloneDX", "specVersion": "2.0"}"#,
        "CycloneDX JSON: unsupported spec version \"2.0\"; supported: 1.2, 1.3, 1.4, 1.5, 1.6, 1.7",
    );
    error_containing(
        r#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "vulnerabilities": [{"id": "x", "references": "CVE-1"}]}"#,
        "CycloneDX JSON: malformed document at vulnerabilities[0].references",
    );
}

#[test]
fn cyclonedx_leniencies() {
    let doc = warnings(
        &cyclonedx(
            r#"[
            {"id": "CVE-1", "analysis": {"state": "not_affected", "response": ["ignore"], "lastUpdated": "soon"}, "affects": [{"ref": "nowhere"}, {"ref": "urn:cdx:bad"}]},
            {"id": "CVE-2", "analysis": {"state": "exploitable"}, "affects": [{"ref": "lib", "versions": [{"version": "1.0", "range": "vers:npm/<2", "status": "unaffected"}, {"status": "affected"}]}]},
            {"id": "CVE-3", "analysis": {"state": "in_triage"}, "affects": [{"ref": "pkg:npm/free@1"}], "properties": [{"name": "vigil:openvex:subcomponent", "value": "not json"}]}
        ]"#,
        ),
        &[
            "vulnerabilities[0].analysis.response[0]: unknown response \"ignore\"; kept as written",
            "vulnerabilities[0].analysis.lastUpdated: \"soon\" is not an RFC 3339 date-time: the 'year' component could not be parsed: not used",
            "vulnerabilities[0].affects[0].ref: \"nowhere\" names no component of this document and is no BOM-link, purl or digest; kept as written",
            "vulnerabilities[0].affects[1].ref: BOM-link \"urn:cdx:bad\" has no /<version> after the serial number; the form is urn:cdx:<uuid>/<version>#<bom-ref>; kept as written",
            "vulnerabilities[0]: not_affected without justification or impact_statement, which VEX requires; kept",
            "vulnerabilities[1].affects[0].versions[0].status: unaffected under an analysis state of \"exploitable\": the version's own status decides, so the product is not_affected",
            "vulnerabilities[1].affects[0].versions[0]: both version \"1.0\" and range \"vers:npm/<2\"; CycloneDX allows one, and the range is kept",
            "vulnerabilities[1].affects[0].versions[1]: neither version nor range: the entry is about the product as its ref names it",
            "vulnerabilities[1]: not_affected without justification or impact_statement, which VEX requires; kept",
            "vulnerabilities[1]: affected without action_statement, which VEX requires; kept",
            "vulnerabilities[2].properties[0]: vigil:openvex:subcomponent value \"not json\" is not a JSON array of the affects ref and the subcomponent id (expected ident at line 1 column 2); skipped",
        ],
    );
    let statuses: Vec<Status> = doc.statements.iter().map(|s| s.status).collect();
    assert_eq!(
        statuses,
        [
            Status::NotAffected,
            Status::NotAffected,
            Status::Affected,
            Status::UnderInvestigation
        ]
    );
    // An unresolved ref that is a purl is the purl; the version-less component with a
    // range keeps the range.
    assert_eq!(doc.statements[3].products[0].id.as_iri(), "pkg:npm/free@1");
    assert_eq!(doc.statements[2].products[0].id.as_iri(), "lib");
}

#[test]
fn limits_are_named() {
    let doc = openvex(
        r#"[{"vulnerability": "CVE-1", "status": "fixed"}, {"vulnerability": "CVE-2", "status": "fixed"}]"#,
    );
    let small = Limits {
        max_document_bytes: 100,
        ..Limits::default()
    };
    let e = vigil_vex::parse_with_limits(doc.as_bytes(), &small).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "document size in bytes {} exceeds the limit Limits::max_document_bytes = 100; if the document is trusted, raise it: vigil_vex::parse_with_limits(bytes, &Limits {{ max_document_bytes: .., ..Limits::default() }})",
            doc.len()
        )
    );
    let one = Limits {
        max_statements: 1,
        ..Limits::default()
    };
    let e = vigil_vex::parse_with_limits(doc.as_bytes(), &one).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("statement count 2 exceeds the limit Limits::max_statements = 1"),
        "{e}"
    );
    assert!(
        vigil_vex::parse_with_limits(
            doc.as_bytes(),
            &Limits {
                max_statements: 2,
                ..Limits::default()
            }
        )
        .is_ok()
    );

    // CycloneDX versions become statements: the limit counts those.
    let cdx = cyclonedx(
        r#"[{"id": "CVE-1", "affects": [{"ref": "lib", "versions": [{"version": "1", "status": "affected"}, {"version": "2", "status": "unaffected"}]}]}]"#,
    );
    let e = vigil_vex::parse_with_limits(cdx.as_bytes(), &one).unwrap_err();
    assert!(
        e.to_string().starts_with("statement count 2 exceeds"),
        "{e}"
    );
    let e = vigil_vex::parse_with_limits(cdx.as_bytes(), &small).unwrap_err();
    assert!(e.to_string().starts_with("document size in bytes"), "{e}");
    assert_eq!(Limits::default().max_document_bytes, 16 * 1024 * 1024);
}

/// Found by the fuzz target: a product named only by a hash of an algorithm Vigil does
/// not know became a digest id that read back, from either writer, as a plain string.
/// Such a product is named by a hash Vigil knows, or not at all.
#[test]
fn regression_a_product_named_only_by_an_unknown_hash() {
    let hex = "6466e450a16b77b865c5829d6b6c56d9f892956475642dbeb9ccc4340fe01b15";
    error(
        &openvex(&format!(
            r#"[{{"vulnerability": "CVE-1", "status": "fixed", "products": [{{"hashes": {{"sha-656": "{hex}"}}}}]}}]"#
        )),
        "statements[0].products[0]: has no @id, identifiers or hash of a known algorithm: nothing names the product",
    );
    let doc = warnings(
        &openvex(&format!(
            r#"[{{"vulnerability": "CVE-1", "status": "fixed", "products": [{{"hashes": {{"sha-656": "{hex}", "sha-256": "{hex}"}}}}]}}]"#
        )),
        &["statements[0].products[0].hashes.sha-656: not one of OpenVEX's hash names; kept"],
    );
    let p = &doc.statements[0].products[0];
    assert_eq!(p.id.as_iri(), format!("sha256:{hex}"));
    assert_eq!(p.hashes.len(), 1);
    assert!(!p.hashes[0].is_known());
    for write in [vigil_vex::openvex::write, vigil_vex::cyclonedx::write] {
        let back = vigil_vex::parse(&write(&doc)).unwrap();
        assert_eq!(back.statements[0].products[0].id, p.id);
    }
}
