//! Bad reports give errors that name the format and where in the document, one line of
//! input and one of expectation each.

#![allow(clippy::unwrap_used, reason = "tests panic on failure by design")]

mod support;

use vigil_reports::{Format, Limits};

#[track_caller]
fn check(format: Format, input: &str, want: &str) {
    check_with(format, input, &Limits::default(), want);
}

#[track_caller]
fn check_with(format: Format, input: &str, limits: &Limits, want: &str) {
    match vigil_reports::parse(format, input.as_bytes(), limits) {
        Ok(r) => panic!("{format} {input:?} was read: {r:?}"),
        Err(e) => assert_eq!(e.to_string(), want, "{input}"),
    }
}

#[test]
fn not_json_or_another_document() {
    check(Format::Sarif, "", "not a SARIF document: an empty document");
    check(
        Format::Zap,
        "<?xml version=\"1.0\"?><OWASPZAPReport/>",
        "not a ZAP JSON document: text that is not a JSON object",
    );
    check(
        Format::Trivy,
        "[]",
        "not a Trivy JSON document: a JSON array; the report is one object",
    );
    check(
        Format::Trivy,
        r#"{"matches":[],"descriptor":{"name":"grype"}}"#,
        "not a Trivy JSON document: it looks like a Grype JSON report",
    );
    check(
        Format::Sarif,
        r#"{"runs":[]}"#,
        "not a SARIF document: no \"version\" (a SARIF log has \"version\": \"2.1.0\")",
    );
    check(
        Format::Grype,
        r#"{"matches":"#,
        "Grype JSON: malformed JSON at matches (line 1, column 11): EOF while parsing a value",
    );
}

#[test]
fn values_the_format_does_not_allow() {
    check(
        Format::Sarif,
        r#"{"version":"2.0.0","runs":[]}"#,
        "SARIF: version: unsupported SARIF version \"2.0.0\"; only 2.1.0 is read",
    );
    check(
        Format::Sarif,
        r#"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"ruleId":7}]}]}"#,
        "SARIF: runs[0].results[0].ruleId (line 1, column 81): invalid type: integer `7`, expected a string",
    );
    check(
        Format::Sarif,
        r#"{"version":"2.1.0","runs":[{"results":[]}]}"#,
        "SARIF: runs[0] (line 1, column 41): missing field `tool`",
    );
    check(
        Format::Trivy,
        r#"{"SchemaVersion":1,"ArtifactName":"x","Results":[]}"#,
        "Trivy JSON: SchemaVersion: unsupported SchemaVersion 1; only 2 (Trivy 0.20 and later) is read",
    );
    check(
        Format::Trivy,
        r#"{"SchemaVersion":2,"Results":[{"Target":"x","Vulnerabilities":[{"VulnerabilityID":"CVE-1"}]}]}"#,
        "Trivy JSON: Results[0].Vulnerabilities[0] (line 1, column 90): missing field `PkgName`",
    );
    check(
        Format::Grype,
        r#"{"matches":[{"vulnerability":{"id":"CVE-1"},"artifact":{"name":5}}],"source":{}}"#,
        "Grype JSON: matches[0].artifact.name (line 1, column 64): invalid type: integer `5`, expected a string",
    );
    check(
        Format::Zap,
        r#"{"@version":"2.15.0","site":[{"@name":"s","alerts":[{"pluginid":"1","riskcode":"7"}]}]}"#,
        "ZAP JSON: site[0].alerts[0]: riskcode \"7\" is none of 0 to 3",
    );
    check(
        Format::Zap,
        r#"{"@version":"2.15.0","site":[{"@name":"s","alerts":[{"name":"no id","riskcode":"1"}]}]}"#,
        "ZAP JSON: site[0].alerts[0]: an alert without alertRef or pluginid",
    );
    check(
        Format::Nikto,
        r#"[{"host":"h","vulnerabilities":[{"url":"/","msg":"m"}]}]"#,
        "Nikto JSON: [0].vulnerabilities[0]: a finding without id",
    );
    check(
        Format::Nikto,
        r#"{"host":"h","vulnerabilities":[{"id":1,"url":"/"},{"url":"/x"},],}"#,
        "Nikto JSON: vulnerabilities[1]: a finding without id",
    );
    check(
        Format::Nikto,
        r#"{"host":"h","vulnerabilities":[{"id":1,"url":"/"},]"#,
        "Nikto JSON: malformed JSON at vulnerabilities (line 1, column 51): trailing comma",
    );
}

#[test]
fn limits_are_named() {
    let tiny = |f: fn(&mut Limits)| {
        let mut l = Limits::default();
        f(&mut l);
        l
    };
    let zap = r#"{"@version":"2.15.0","site":[{"@name":"s","alerts":[{"pluginid":"1","riskcode":"1","instances":[{"uri":"a"},{"uri":"b"}]}]}]}"#;
    check_with(
        Format::Zap,
        zap,
        &tiny(|l| l.max_items = 1),
        "ZAP JSON: alert instance count 2 exceeds the limit Limits::max_items = 1; if the report is trusted, raise the limit",
    );
    check_with(
        Format::Zap,
        zap,
        &tiny(|l| l.max_document_bytes = 64),
        &format!(
            "ZAP JSON: document size in bytes {} exceeds the limit Limits::max_document_bytes = 64; if the report is trusted, raise the limit",
            zap.len()
        ),
    );
    check_with(
        Format::Zap,
        zap,
        &tiny(|l| l.max_depth = 4),
        "ZAP JSON: JSON nesting depth 5 exceeds the limit Limits::max_depth = 4 at line 1, column 53; if the report is trusted, raise the limit",
    );
    check_with(
        Format::Zap,
        zap,
        &tiny(|l| l.max_string_bytes = 6),
        "ZAP JSON: string length in bytes 8 exceeds the limit Limits::max_string_bytes = 6 at line 1, column 2; if the report is trusted, raise the limit",
    );
    // Deep nesting is refused before serde recurses into it.
    let deep = format!("{{\"version\":\"2.1.0\",\"runs\":{}", "[".repeat(100_000));
    let e = vigil_reports::parse(Format::Sarif, deep.as_bytes(), &Limits::default()).unwrap_err();
    assert!(e.to_string().contains("Limits::max_depth = 64"), "{e}");
}

#[test]
fn every_fixture_fails_cleanly_as_every_other_format() {
    let fixtures = [
        "zap-2.15-report.json",
        "trivy-0.56-image.json",
        "grype-0.80-image.json",
        "nikto-2.5.json",
        "nikto-2.1.6.json",
        "semgrep-1.187-target.sarif",
        "codeql-2.19-javascript.sarif",
        "sarif-edge-cases.sarif",
    ];
    for name in fixtures {
        let bytes = support::fixture(name);
        let own = vigil_reports::detect(&bytes).unwrap();
        for format in Format::ALL.into_iter().filter(|f| *f != own) {
            let e = vigil_reports::parse(format, &bytes, &Limits::default()).unwrap_err();
            assert!(
                e.to_string()
                    .starts_with(&format!("not a {} document", format.title())),
                "{name} as {format}: {e}"
            );
        }
    }
}
