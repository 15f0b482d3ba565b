//! Every fixture report read, item by item, and the fields each format fills checked
//! one by one. The fixtures are written from each tool's documented output (and, for
//! Semgrep, saved from a real run; see `semgrep.rs`).

#![allow(clippy::unwrap_used, reason = "tests panic on failure by design")]

mod support;

use support::{fixture, summary};
use vigil_reports::{Format, Item, Limits, Location, Report, Severity, Vulnerability, Weakness};

/// Reads `name`, checks the detected format, the tool and one line per item.
#[track_caller]
fn check(name: &str, format: Format, tool: &str, expect: &[&str]) -> Report {
    let bytes = fixture(name);
    assert_eq!(vigil_reports::detect(&bytes), Some(format), "{name}");
    let report = vigil_reports::parse(format, &bytes, &Limits::default()).unwrap();
    assert_eq!(report.format, format);
    let version = report.tool.version.as_deref().unwrap_or("-");
    assert_eq!(format!("{} {version}", report.tool.name), tool, "{name}");
    let got = summary(&report);
    assert_eq!(got, expect, "{name}:\n{}", got.join("\n"));
    report
}

fn weakness(report: &Report, i: usize) -> &Weakness {
    report.items[i].as_weakness().unwrap()
}

fn vulnerability(report: &Report, i: usize) -> &Vulnerability {
    report.items[i].as_vulnerability().unwrap()
}

#[test]
fn zap_2_15() {
    let report = check(
        "zap-2.15-report.json",
        Format::Zap,
        "ZAP 2.15.0",
        &[
            "40018 high (riskcode 3 (High)) cwe:89 GET https://shop.example/api/products?id=5-2 [id] fp:f8328da2478b(derived)",
            "10038-1 medium (riskcode 2 (Medium)) cwe:693 GET https://shop.example/ fp:f7076a5103f2(derived)",
            "10038-1 medium (riskcode 2 (Medium)) cwe:693 GET https://shop.example/cart fp:54701f018ed2(derived)",
            "10054-2 low (riskcode 1 (Low)) cwe:1275 POST https://shop.example/login [session] fp:a779810d3c73(derived)",
            "10027 unrated (riskcode 0 (Informational)) cwe:615 GET https://shop.example/static/js/app.3f9a1c.js fp:6c73c08cd445(derived)",
        ],
    );
    let artifact = report.artifact.as_ref().unwrap();
    assert_eq!(artifact.name, "https://shop.example");
    let sqli = weakness(&report, 0);
    assert_eq!(sqli.title.as_deref(), Some("SQL Injection"));
    assert_eq!(sqli.message, "SQL injection may be possible.");
    assert_eq!(sqli.precision.as_deref(), Some("medium"));
    assert_eq!(sqli.tags, ["WASC-19"]);
    assert_eq!(
        sqli.help.as_deref(),
        Some(
            "Do not trust client side input, even if there is client side validation in place.\n\nIn general, type check all data on the server side.\n\nIf the application uses JDBC, use PreparedStatement or CallableStatement, with parameters passed by '?'"
        )
    );
    assert_eq!(
        sqli.help_uri.as_deref(),
        Some(
            "https://cheatsheetseries.owasp.org/cheatsheets/SQL_Injection_Prevention_Cheat_Sheet.html"
        )
    );
    // Entities decode, `&mdash;` included.
    assert!(
        weakness(&report, 1)
            .message
            .contains("on that page \u{2014} covered types")
    );
    let Some(Location::Web { host, evidence, .. }) = &weakness(&report, 3).location else {
        panic!("a web location")
    };
    assert_eq!(host.as_deref(), Some("https://shop.example"));
    assert_eq!(evidence.as_deref(), Some("set-cookie: session"));
    assert!(report.weaknesses().all(|w| !w.suppressed));
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
}

#[test]
fn trivy_0_56_image() {
    let report = check(
        "trivy-0.56-image.json",
        Format::Trivy,
        "Trivy -",
        &[
            "CVE-2024-9143 (DSA-5826-1) pkg:deb/debian/libssl3@3.0.14-1~deb12u2?arch=amd64&distro=debian-12.7 [Debian:12] fixed: 3.0.15-1~deb12u1 low (LOW) cvss 9.1 @ registry.example/shop/payments-api:1.4.2 (debian 12.7)",
            "CVE-2023-45853 pkg:deb/debian/zlib1g@1.2.13.dfsg-1?arch=amd64&distro=debian-12.7&epoch=1 [Debian:12] fixed: - critical (CRITICAL) cvss 9.8 @ registry.example/shop/payments-api:1.4.2 (debian 12.7)",
            "CVE-2024-45590 pkg:npm/body-parser@1.20.1 [npm] fixed: 1.20.3 high (HIGH) cvss 7.5 @ app/package-lock.json",
            "CVE-2021-44228 pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1 [Maven] fixed: 2.15.0, 2.3.1, 2.12.2 critical (CRITICAL) cvss 10.0 @ app/lib/log4j-core-2.14.1.jar",
            "CVE-2024-35195 pkg:pypi/requests@2.31.0 [PyPI] fixed: 2.32.0 medium (MEDIUM) cvss 5.6 @ usr/local/lib/python3.11/site-packages/requests-2.31.0.dist-info/METADATA",
        ],
    );
    let artifact = report.artifact.as_ref().unwrap();
    assert_eq!(artifact.name, "registry.example/shop/payments-api:1.4.2");
    assert_eq!(artifact.kind.as_deref(), Some("container_image"));
    assert_eq!(
        artifact.digest.as_deref(),
        Some("sha256:1f1f3c6a0e5d2b4c8a9e7f6d5c4b3a29180f7e6d5c4b3a2918f7e6d5c4b3a291")
    );
    let openssl = vulnerability(&report, 0);
    assert_eq!(openssl.package.name, "libssl3");
    assert_eq!(openssl.package.version.as_deref(), Some("3.0.14-1~deb12u2"));
    assert_eq!(openssl.fix_state.as_deref(), Some("fixed"));
    assert_eq!(openssl.cwe, [787]);
    assert_eq!(
        openssl.title.as_deref(),
        Some("openssl: Low-level invalid GF(2^m) parameters lead to OOB memory access")
    );
    assert_eq!(
        openssl.url.as_deref(),
        Some("https://avd.aquasec.com/nvd/cve-2024-9143")
    );
    assert_eq!(
        openssl.layer.as_deref(),
        Some("sha256:a2318d6c47ec9cac5acc500c47c79602bcf953cec711a18bc898911a0984365b")
    );
    // Debian rates it low; the vendor named by SeveritySource has no CVSS entry, so
    // NVD's is the score.
    let cvss = openssl.cvss.as_ref().unwrap();
    assert_eq!(cvss.source.as_deref(), Some("nvd"));
    assert_eq!(
        cvss.vector.as_deref(),
        Some("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:H")
    );
    let zlib = vulnerability(&report, 1);
    assert_eq!(zlib.package.version.as_deref(), Some("1:1.2.13.dfsg-1"));
    assert_eq!(zlib.fix_state.as_deref(), Some("will_not_fix"));
    let log4j = vulnerability(&report, 3);
    assert_eq!(log4j.cwe, [20, 400, 502, 917]);
    assert_eq!(log4j.cvss.as_ref().unwrap().source.as_deref(), Some("ghsa"));
    // No PkgIdentifier: the purl is built from the result's Type.
    let requests = vulnerability(&report, 4);
    assert_eq!(requests.package.name, "requests");
    assert_eq!(
        requests.layer.as_deref(),
        Some("sha256:c3a2f4b1e0d9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3")
    );
    assert_eq!(
        report.warnings,
        ["1 secret(s) not read: only vulnerabilities are imported"]
    );
}

#[test]
fn grype_0_80_image() {
    let report = check(
        "grype-0.80-image.json",
        Format::Grype,
        "grype 0.80.0",
        &[
            "GHSA-qwcr-r2fm-qrc7 (CVE-2024-45590) pkg:npm/body-parser@1.20.1 [npm] fixed: 1.20.3 high (High) cvss 7.5 @ /app/package-lock.json",
            "GHSA-jfh8-c2jp-5v3q (CVE-2021-44228) pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1 [Maven] fixed: 2.15.0 critical (Critical) cvss 10.0 @ /app/lib/log4j-core-2.14.1.jar",
            "GHSA-9wx4-h78v-vm56 (CVE-2024-35195) pkg:pypi/requests@2.31.0 [PyPI] fixed: 2.32.0 medium (Medium) cvss 5.6 @ /usr/local/lib/python3.11/site-packages/requests-2.31.0.dist-info/METADATA",
            "CVE-2023-45853 pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&distro=debian-12&upstream=zlib [Debian:12] fixed: - low (Negligible) cvss 9.8 @ /usr/share/doc/zlib1g/copyright",
            "CVE-2024-2236 pkg:deb/debian/libgcrypt20@1.10.1-3?distro=debian-12 [Debian:12] fixed: - medium (Medium) cvss 5.9 @ /var/lib/dpkg/status",
        ],
    );
    let artifact = report.artifact.as_ref().unwrap();
    assert_eq!(artifact.kind.as_deref(), Some("image"));
    assert_eq!(
        artifact.digest.as_deref(),
        Some("sha256:1f1f3c6a0e5d2b4c8a9e7f6d5c4b3a29180f7e6d5c4b3a2918f7e6d5c4b3a291")
    );
    let body_parser = vulnerability(&report, 0);
    assert_eq!(
        body_parser.match_type.as_deref(),
        Some("exact-direct-match")
    );
    assert_eq!(body_parser.fix_state.as_deref(), Some("fixed"));
    assert_eq!(
        body_parser.url.as_deref(),
        Some("https://github.com/advisories/GHSA-qwcr-r2fm-qrc7")
    );
    // The related NVD record's Primary v3.1 entry wins over its v2.0 one.
    let log4j = vulnerability(&report, 1);
    assert_eq!(
        log4j.cvss.as_ref().unwrap().vector.as_deref(),
        Some("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H")
    );
    // Debian's own record has no CVSS: the related NVD record's is taken, with its
    // source; the rating stays Debian's.
    let zlib = vulnerability(&report, 3);
    assert_eq!(zlib.match_type.as_deref(), Some("exact-indirect-match"));
    assert_eq!(zlib.fix_state.as_deref(), Some("wont-fix"));
    assert!(
        zlib.aliases.is_empty(),
        "the related record has the same id"
    );
    assert_eq!(
        zlib.cvss.as_ref().unwrap().source.as_deref(),
        Some("nvd@nist.gov")
    );
    assert!(
        zlib.description
            .as_deref()
            .unwrap()
            .starts_with("MiniZip in zlib")
    );
    // Severity Unknown falls back to the related record's.
    assert_eq!(vulnerability(&report, 4).severity, Severity::Medium);
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
}

#[test]
fn trivy_and_grype_agree_on_packages() {
    let read =
        |name, format| vigil_reports::parse(format, &fixture(name), &Limits::default()).unwrap();
    let trivy = read("trivy-0.56-image.json", Format::Trivy);
    let grype = read("grype-0.80-image.json", Format::Grype);
    // The same advisory in the same package gives the same merge key, whichever
    // scanner found it, once the id is the same; Grype names the GHSA and lists the CVE.
    let key = |v: &Vulnerability| v.merge_key().1;
    let trivy_log4j = trivy
        .vulnerabilities()
        .find(|v| v.id == "CVE-2021-44228")
        .unwrap();
    let grype_log4j = grype
        .vulnerabilities()
        .find(|v| v.aliases.iter().any(|a| a == "CVE-2021-44228"))
        .unwrap();
    assert_eq!(key(trivy_log4j), key(grype_log4j));
    assert_eq!(
        trivy_log4j.merge_key(),
        (
            "CVE-2021-44228".to_owned(),
            "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1".to_owned()
        )
    );
    // Qualifiers (arch, distro) do not split a package.
    let trivy_zlib = trivy
        .vulnerabilities()
        .find(|v| v.id == "CVE-2023-45853")
        .unwrap();
    assert_eq!(
        trivy_zlib.merge_key().1,
        "pkg:deb/debian/zlib1g@1.2.13.dfsg-1"
    );
}

#[test]
fn nikto_2_5_hosts() {
    let report = check(
        "nikto-2.5.json",
        Format::Nikto,
        "Nikto -",
        &[
            "999986 unrated (-) cwe:- GET / fp:370d1a2aabf1(derived)",
            "999103 unrated (-) cwe:- GET / fp:4f710392a85b(derived)",
            "000390 unrated (-) cwe:- GET /backup/ fp:b3f53b25c306(derived)",
            "007105 unrated (-) cwe:- GET /admin/config.php.bak fp:98f913628fe7(derived)",
            "999970 unrated (-) cwe:- OPTIONS / fp:5dc14b5077bd(derived)",
        ],
    );
    assert_eq!(report.artifact, None, "two hosts");
    let first = weakness(&report, 0);
    assert_eq!(
        first.help_uri.as_deref(),
        Some("https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/X-Frame-Options")
    );
    let Some(Location::Web { host, .. }) = &weakness(&report, 4).location else {
        panic!("a web location")
    };
    assert_eq!(host.as_deref(), Some("api.shop.example:8443"));
    // Nikto 2.5 escapes quotes twice; they are read back as written.
    assert_eq!(
        weakness(&report, 3).message,
        "Backup file found; the page says \"do not publish\"."
    );
}

#[test]
fn nikto_2_1_6_single_object_with_trailing_commas() {
    let report = check(
        "nikto-2.1.6.json",
        Format::Nikto,
        "Nikto -",
        &[
            "999986 unrated (-) cwe:- GET / fp:2c8caee9e393(derived)",
            "3268 unrated (-) cwe:- GET /icons/ fp:3a0b97136067(derived)",
            "3233 unrated (-) cwe:- GET /icons/README fp:47e818f8d9a3(derived)",
        ],
    );
    assert_eq!(report.artifact.as_ref().unwrap().name, "shop.example");
    assert!(weakness(&report, 0).tags.is_empty(), "OSVDB 0 is none");
    assert_eq!(weakness(&report, 1).tags, ["OSVDB-3268"]);
    assert_eq!(
        report.warnings,
        ["trailing commas removed before reading (Nikto 2.1.6 writes them)"]
    );
}

#[test]
fn sarif_from_semgrep_1_187() {
    let report = check(
        "semgrep-1.187-target.sarif",
        Format::Sarif,
        "Semgrep OSS 1.187.0",
        &[
            "python-eval-input critical (security-severity 9.1) cwe:95 app/views.py:9:12 fp:f3958ee90d46(derived)",
            "python-subprocess-shell medium (level warning) cwe:78 app/views.py:13:5 fp:75f225807d89(derived)",
            "python-weak-hash low (level note) cwe:328 app/views.py:18:12 fp:afe3c21b6820(derived)",
            "js-inner-html medium (level warning) cwe:79 web/render.js:3:3 fp:010d1e4a7078(derived)",
        ],
    );
    // Semgrep writes the same placeholder fingerprint for every result without a
    // login; it must not make them one.
    assert_eq!(
        report.warnings,
        [
            "runs[0]: fingerprint \"matchBasedId/v1\" not used (placeholder values); fingerprints derived from rule and location instead"
        ]
    );
    let eval = weakness(&report, 0);
    assert_eq!(
        eval.message,
        "eval() of a value that may come from the request; use ast.literal_eval or a parser"
    );
    assert_eq!(eval.precision.as_deref(), Some("very-high"));
    assert!(eval.tags.iter().any(|t| t == "HIGH CONFIDENCE"));
    let Some(Location::Source {
        end_line, snippet, ..
    }) = &eval.location
    else {
        panic!("a source location")
    };
    assert_eq!(*end_line, Some(9));
    assert_eq!(snippet.as_deref(), Some("    return eval(expression)"));
}

#[test]
fn sarif_from_codeql_2_19() {
    let report = check(
        "codeql-2.19-javascript.sarif",
        Format::Sarif,
        "CodeQL 2.19.1",
        &[
            "js/sql-injection high (security-severity 8.8) cwe:89,90,943 src/db/products.js:41:20 fp:dc561608eed9(tool)",
            "js/xss medium (security-severity 6.1) cwe:79,116 src/views/search.js:27:22 fp:0a74c85d48fa(tool)",
            "js/xss medium (security-severity 6.1) cwe:79,116 src/views/search.js:58:9 fp:3e797283da14(tool) suppressed",
            "js/unused-local-variable low (level note) cwe:- src/util/format.js:4:9 fp:dc4b88de89ee(tool)",
        ],
    );
    // Rules are found in the extension the result's toolComponent names.
    let sqli = weakness(&report, 0);
    assert_eq!(
        sqli.title.as_deref(),
        Some("Database query built from user-controlled sources")
    );
    assert_eq!(sqli.precision.as_deref(), Some("high"));
    assert!(
        sqli.help
            .as_deref()
            .unwrap()
            .starts_with("# Database query built")
    );
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
}

#[test]
fn sarif_edge_cases() {
    let report = check(
        "sarif-edge-cases.sarif",
        Format::Sarif,
        "ExampleScanner 3.2.0",
        &[
            "EX1001 medium (level warning) cwe:22 lib/files.js:12:3 fp:22a8347c4897(derived)",
            "EX2002 high (level error) cwe:798 logical config.Settings.DB_PASSWORD fp:b96d261fce1b(derived)",
            "EX4004 unrated (level none) cwe:352 nowhere fp:b0ec03bfafd0(derived)",
            "EX2002 critical (security-severity 9.5) cwe:798 nowhere fp:d218d8562a6d(tool)",
            "EX3003 low (level note) cwe:- lib/a.js:3:- fp:532b53178a11(derived)",
            "EX3003 low (level note) cwe:- lib/a.js:9:- fp:63bab4c58c48(derived)",
        ],
    );
    // A message by id from the rule's messageStrings, with its arguments.
    assert_eq!(
        weakness(&report, 0).message,
        "Value req.query.path flows to fs.readFile."
    );
    assert_eq!(
        weakness(&report, 0).help_uri.as_deref(),
        Some("https://scanner.example/rules/EX1001")
    );
    // An underReview suppression does not suppress; result and rule tags merge.
    let key = weakness(&report, 3);
    assert!(!key.suppressed);
    assert_eq!(key.tags, ["secrets", "api-key"]);
    assert_eq!(
        report.warnings,
        [
            "runs[0]: fingerprint \"lineHash\" not used (one value for different locations); fingerprints derived from rule and location instead",
            "runs[0]: 1 result(s) of kind pass skipped: they are not findings",
            "runs[0]: 1 result(s) with baselineState absent skipped: they are not findings",
        ]
    );
}

#[test]
fn fingerprints_survive_reformatting() {
    // The same report, pretty-printed, gives the same fingerprints: they depend on
    // what was found, never on bytes or order of keys.
    for (name, format) in [
        ("semgrep-1.187-target.sarif", Format::Sarif),
        ("zap-2.15-report.json", Format::Zap),
        ("nikto-2.5.json", Format::Nikto),
    ] {
        let bytes = fixture(name);
        let value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        let pretty = serde_json::to_vec_pretty(&value).unwrap();
        let prints = |b: &[u8]| -> Vec<String> {
            let r = vigil_reports::parse(format, b, &Limits::default()).unwrap();
            r.weaknesses()
                .map(|w| w.fingerprint.value.clone())
                .collect()
        };
        assert_eq!(prints(&bytes), prints(&pretty), "{name}");
    }
}

#[test]
fn reports_serialize_to_json() {
    let report = vigil_reports::parse(
        Format::Trivy,
        &fixture("trivy-0.56-image.json"),
        &Limits::default(),
    )
    .unwrap();
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["format"], "trivy");
    let first = &json["items"][0];
    assert_eq!(first["kind"], "vulnerability");
    assert_eq!(first["severity"], "low");
    assert_eq!(first["package"]["ecosystem"], "Debian:12");
    assert_eq!(
        first["package"]["purl"],
        "pkg:deb/debian/libssl3@3.0.14-1~deb12u2?arch=amd64&distro=debian-12.7"
    );
    let zap = vigil_reports::parse(
        Format::Zap,
        &fixture("zap-2.15-report.json"),
        &Limits::default(),
    )
    .unwrap();
    let json = serde_json::to_value(&zap).unwrap();
    assert_eq!(json["items"][0]["kind"], "weakness");
    assert_eq!(json["items"][0]["location"]["kind"], "web");
    assert_eq!(json["items"][0]["location"]["param"], "id");
}

#[test]
fn items_are_what_the_format_finds() {
    for (name, format) in [
        ("trivy-0.56-image.json", Format::Trivy),
        ("grype-0.80-image.json", Format::Grype),
    ] {
        let r = vigil_reports::parse(format, &fixture(name), &Limits::default()).unwrap();
        assert!(
            r.items.iter().all(|i| matches!(i, Item::Vulnerability(_))),
            "{name}"
        );
    }
    for (name, format) in [
        ("zap-2.15-report.json", Format::Zap),
        ("nikto-2.5.json", Format::Nikto),
        ("codeql-2.19-javascript.sarif", Format::Sarif),
    ] {
        let r = vigil_reports::parse(format, &fixture(name), &Limits::default()).unwrap();
        assert!(
            r.items.iter().all(|i| matches!(i, Item::Weakness(_))),
            "{name}"
        );
    }
}
