//! VEX in and out on every backend: an OpenVEX document shrinks the exposure and the
//! export round-trips into a fresh store with the same statuses (OpenVEX and CycloneDX);
//! the export is valid against the OpenVEX JSON schema; and the conformance documents
//! (openvex's go-vex and vexctl documents, CycloneDX's VEX/BOM pairs) apply with exactly
//! the statuses they state.
#![allow(
    clippy::unwrap_used,
    reason = "test helpers panic on failure by design"
)]

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use time::macros::datetime;
use vigil_engine::vex::{VexFormat, VexScope};
use vigil_engine::{
    AdvisoryInput, DeployInput, Engine, FindingQuery, FixedClock, ReleaseInput, ReleaseRef,
};
use vigil_store::testing::{TestStore, stores};
use vigil_vex::ProductId;

const DIGEST: &str = "sha256:124c7d2707904eea7431fffe91522a01e5a861a624ee31d03372cc1d138a3126";

fn engine(t: &TestStore) -> Engine {
    Engine::with_clock(
        t.reopen(),
        Arc::new(FixedClock::new(datetime!(2026-03-01 09:00 UTC))),
    )
}

fn sbom(purls: &[&str]) -> Vec<u8> {
    let list: Vec<String> = purls
        .iter()
        .enumerate()
        .map(|(i, p)| format!(r#"{{"type": "library", "name": "c{i}", "purl": "{p}"}}"#))
        .collect();
    format!(
        r#"{{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1, "components": [{}]}}"#,
        list.join(",")
    )
    .into_bytes()
}

fn advisory(id: &str, cve: &str, package: &str, fixed: &str) -> AdvisoryInput {
    let json = format!(
        r#"{{"schema_version": "1.6.0", "id": "{id}", "modified": "2026-01-01T00:00:00Z",
  "published": "2026-01-01T00:00:00Z", "aliases": ["{cve}"], "summary": "{package}",
  "affected": [{{"package": {{"ecosystem": "npm", "name": "{package}"}},
    "ranges": [{{"type": "SEMVER", "events": [{{"introduced": "0"}}, {{"fixed": "{fixed}"}}]}}]}}]}}"#
    );
    AdvisoryInput {
        osv: vigil_osv::from_json(json.as_bytes()).unwrap(),
        json: json.into_bytes(),
        source: Some("test".into()),
    }
}

/// Two advisories, checkout 1.0.0 (with a digest) in production.
fn portfolio(e: &mut Engine) {
    e.import_advisories(vec![
        advisory("GHSA-aaaa-aaaa-aaaa", "CVE-2026-0001", "lodash", "4.17.21"),
        advisory("GHSA-bbbb-bbbb-bbbb", "CVE-2026-0002", "minimist", "1.2.6"),
    ])
    .unwrap();
    e.add_release(&ReleaseInput {
        service: "checkout",
        version: "1.0.0",
        sbom: &sbom(&["pkg:npm/lodash@4.17.20", "pkg:npm/minimist@1.2.5"]),
        digests: vec![DIGEST.to_owned()],
        ..ReleaseInput::default()
    })
    .unwrap();
    e.deploy(&DeployInput {
        environment: "production",
        release: ReleaseRef::Version {
            service: "checkout",
            version: "1.0.0",
        },
        actor: None,
        source: None,
        at: None,
    })
    .unwrap();
}

/// (advisory, triage) of every finding of checkout 1.0.0.
fn triage(e: &mut Engine) -> Vec<(String, Option<String>)> {
    let mut rows: Vec<_> = e
        .findings(&FindingQuery {
            all_releases: true,
            include_resolved: true,
            ..FindingQuery::default()
        })
        .unwrap()
        .into_iter()
        .map(|r| (r.row.advisory_id, r.row.triage))
        .collect();
    rows.sort();
    rows.dedup();
    rows
}

const OPENVEX: &str = r#"{
  "@context": "https://openvex.dev/ns/v0.2.0",
  "@id": "https://example.com/vex/checkout-1",
  "author": "Payments team",
  "timestamp": "2026-02-20T10:00:00Z",
  "version": 1,
  "statements": [
    {"vulnerability": {"name": "CVE-2026-0001"},
     "products": [{"@id": "pkg:oci/checkout@sha256%3A124c7d2707904eea7431fffe91522a01e5a861a624ee31d03372cc1d138a3126",
                   "subcomponents": [{"@id": "pkg:npm/lodash@4.17.20"}]}],
     "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"},
    {"vulnerability": {"name": "GHSA-bbbb-bbbb-bbbb"},
     "products": [{"@id": "checkout@1.0.0"}],
     "status": "affected", "action_statement": "upgrade minimist to 1.2.6"},
    {"vulnerability": {"name": "CVE-2026-0003"},
     "products": [{"@id": "pkg:npm/left-pad@1.0.0"}],
     "status": "fixed"},
    {"vulnerability": {"name": "CVE-2026-0004"},
     "products": [{"@id": "pkg:npm/some-app@2.0.0", "subcomponents": [{"@id": "pkg:npm/qs@6.0.0"}]}],
     "status": "not_affected", "justification": "component_not_present"}
  ]
}"#;

#[test]
fn import_shrinks_the_exposure_and_export_round_trips() {
    for t in stores("vex_round_trip") {
        let mut e = engine(&t);
        portfolio(&mut e);
        assert_eq!(e.findings(&FindingQuery::default()).unwrap().len(), 2);
        let report = e.import_vex(OPENVEX.as_bytes(), "alice").unwrap();
        assert!(report.new);
        assert_eq!(report.format, "openvex-0.2.0");
        let scopes: Vec<(&str, &str, &str)> = report
            .decisions
            .iter()
            .map(|d| {
                (
                    d.vulnerability.as_str(),
                    d.status.as_str(),
                    d.scope.as_str(),
                )
            })
            .collect();
        assert_eq!(
            scopes,
            [
                ("CVE-2026-0001", "not_affected", "finding"),
                ("GHSA-bbbb-bbbb-bbbb", "affected", "release"),
                ("CVE-2026-0003", "fixed", "package"),
            ]
        );
        assert_eq!(report.skipped.len(), 1, "{:?}", report.skipped);
        assert!(report.skipped[0].1.contains("no recorded release"));
        assert_eq!(report.findings_changed, 2);
        // The exposure shrinks to the affected finding.
        let open = e.findings(&FindingQuery::default()).unwrap();
        assert_eq!(open.len(), 1);
        assert_eq!(open[0].row.advisory_id, "GHSA-bbbb-bbbb-bbbb");
        let expected = triage(&mut e);
        assert_eq!(
            expected,
            [
                ("GHSA-aaaa-aaaa-aaaa".into(), Some("not_affected".into())),
                ("GHSA-bbbb-bbbb-bbbb".into(), Some("affected".into())),
            ]
        );
        // Importing the same bytes again records nothing.
        let again = e.import_vex(OPENVEX.as_bytes(), "alice").unwrap();
        assert!(!again.new);
        assert!(again.decisions.is_empty());

        for format in [VexFormat::OpenVex, VexFormat::CycloneDx] {
            let out = e
                .export_vex(
                    &VexScope::Release {
                        service: "checkout".into(),
                        version: "1.0.0".into(),
                    },
                    format,
                )
                .unwrap();
            if format == VexFormat::OpenVex {
                check_schema(&out);
            }
            // Into a fresh store with the same portfolio: the same statuses.
            let fresh = stores(&format!("vex_round_trip_into_{format:?}"));
            let mut other = engine(&fresh[0]);
            portfolio(&mut other);
            let r = other.import_vex(&out, "bob").unwrap();
            assert!(r.skipped.is_empty(), "{format:?}: {:?}", r.skipped);
            assert_eq!(triage(&mut other), expected, "{format:?}");
        }
        // Untriaged findings are exported as under investigation.
        let mut bare = engine(&stores("vex_bare")[0]);
        portfolio(&mut bare);
        let out = bare
            .export_vex(&VexScope::Portfolio, VexFormat::OpenVex)
            .unwrap();
        let doc = vigil_vex::parse(&out).unwrap();
        assert_eq!(doc.statements.len(), 2);
        assert!(
            doc.statements
                .iter()
                .all(|s| s.status == vigil_vex::Status::UnderInvestigation)
        );
        assert!(e.import_vex(b"{\"not\": \"vex\"}", "alice").is_err());
        // Re-importing the same bytes adds no ledger leaf either.
        let leaves = |e: &mut Engine| e.store().read().unwrap().ledger_size().unwrap();
        let before = leaves(&mut e);
        assert!(!e.import_vex(OPENVEX.as_bytes(), "alice").unwrap().new);
        assert_eq!(leaves(&mut e), before);
        // A long multi-byte note is cut at a character boundary, with a warning; an empty
        // detail and a stray justification do not fail the import.
        let long = format!(
            r#"{{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://example.com/vex/long",
  "author": "x", "timestamp": "2026-02-21T10:00:00Z", "version": 1,
  "statements": [{{"vulnerability": {{"name": "CVE-2026-0002"}}, "products": [{{"@id": "checkout@1.0.0"}}],
    "status": "affected", "justification": "component_not_present", "action_statement": " ",
    "status_notes": "{}"}}]}}"#,
            "é".repeat(3000)
        );
        let r = e.import_vex(long.as_bytes(), "alice").unwrap();
        assert_eq!(r.decisions.len(), 1);
        assert!(
            r.warnings.iter().any(|w| w.contains("was cut")),
            "{:?}",
            r.warnings
        );
        let d = e.triage_decisions(None, None, true).unwrap();
        let last = d.iter().max_by_key(|d| d.id).unwrap();
        assert!(last.reason.as_ref().unwrap().len() <= vigil_engine::triage::MAX_TEXT);
        assert_eq!(last.justification, None);
    }
}

/// Validates an OpenVEX document against the schema in the conformance data, when there.
fn check_schema(out: &[u8]) {
    let Some(dir) = vigil_testkit::conformance_dir("openvex") else {
        return;
    };
    let schema: serde_json::Value = serde_json::from_str(&vigil_testkit::read(
        &dir,
        "openvex/spec/openvex_json_schema.json",
    ))
    .unwrap();
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler
        .add_resource("https://openvex.dev/schema.json", schema)
        .unwrap();
    let index = compiler
        .compile("https://openvex.dev/schema.json", &mut schemas)
        .unwrap();
    let value: serde_json::Value = serde_json::from_slice(out).unwrap();
    if let Err(e) = schemas.validate(&value, index) {
        panic!("not valid OpenVEX: {e}\n{}", String::from_utf8_lossy(out));
    }
}

/// Every OpenVEX document of the conformance data: with a release recorded for each
/// digest a product names (holding its subcomponents), every product with a digest
/// becomes decisions with exactly the statement's status.
#[test]
fn openvex_conformance_documents_apply_with_their_statuses() {
    let Some(dir) = vigil_testkit::conformance_dir("openvex") else {
        return;
    };
    let mut files = Vec::new();
    collect(&dir.join("openvex"), &mut files);
    files.retain(|f| {
        let name = f.to_string_lossy();
        name.ends_with(".json")
            && !name.contains("csaf")
            && !name.ends_with("schema.json")
            && !name.ends_with("context.json")
            && !name.contains("sbom.spdx")
    });
    assert!(files.len() >= 15, "{files:?}");
    let mut applied = 0;
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        let doc = vigil_vex::parse(&bytes).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let t = &stores("vex_openvex_conformance")[0];
        let mut e = engine(t);
        // A release for each digest, holding the subcomponents.
        let mut expected = BTreeSet::new();
        let mut releases = 0;
        for s in &doc.statements {
            for p in &s.products {
                let Some(digest) = p.digests().next() else {
                    continue;
                };
                let digest = digest.to_string();
                let subs: Vec<String> = p
                    .subcomponents
                    .iter()
                    .filter_map(ProductId::purl)
                    .map(ToString::to_string)
                    .collect();
                let service = format!("product-{}", &digest[7..19]);
                if e.store()
                    .read()
                    .unwrap()
                    .release_by_digest(&digest)
                    .unwrap()
                    .is_none()
                {
                    releases += 1;
                    let purls: Vec<&str> = subs.iter().map(String::as_str).collect();
                    e.add_release(&ReleaseInput {
                        service: &service,
                        version: "1",
                        sbom: &sbom(&purls),
                        digests: vec![digest.clone()],
                        ..ReleaseInput::default()
                    })
                    .unwrap();
                }
                if subs.is_empty() {
                    expected.insert((s.vulnerability.name.clone(), s.status.as_str(), None));
                }
                for sub in subs {
                    expected.insert((s.vulnerability.name.clone(), s.status.as_str(), Some(sub)));
                }
            }
        }
        let report = e
            .import_vex(&bytes, "conformance")
            .unwrap_or_else(|err| panic!("{}: {err}", file.display()));
        let got: BTreeSet<(String, &str, Option<String>)> = report
            .decisions
            .iter()
            .filter(|d| d.release.is_some())
            .map(|d| {
                (
                    d.vulnerability.clone(),
                    vigil_vex::Status::ALL
                        .into_iter()
                        .find(|s| s.as_str() == d.status)
                        .unwrap()
                        .as_str(),
                    d.purl.clone(),
                )
            })
            .collect();
        assert_eq!(got, expected, "{}", file.display());
        // Every decision has the status its statement states.
        let stated: BTreeSet<(String, &str)> = doc
            .statements
            .iter()
            .map(|s| (s.vulnerability.name.clone(), s.status.as_str()))
            .collect();
        for d in &report.decisions {
            assert!(
                stated.contains(&(d.vulnerability.clone(), d.status.as_str())),
                "{}: {d:?}",
                file.display()
            );
        }
        applied += got.len();
        let _ = releases;
    }
    assert!(
        applied >= 10,
        "only {applied} decisions from release products"
    );
}

fn collect(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            collect(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// The CycloneDX VEX/BOM pairs: each bom-N.json recorded as a release (of the versions
/// the VEX speaks of), then the VEX imported: decisions by BOM-link, with exactly the
/// stated statuses, version by version.
#[test]
fn cyclonedx_vex_bom_pairs_apply_with_their_statuses() {
    let Some(dir) = vigil_testkit::conformance_dir("cyclonedx-bom-examples") else {
        return;
    };
    let base = dir.join("cyclonedx-bom-examples/VEX");
    type Row = (String, String, String, String);
    let row = |v: &str, s: &str, ver: &str, st: &str| -> Row {
        (v.to_owned(), s.to_owned(), ver.to_owned(), st.to_owned())
    };
    let acme: Vec<Row> = ["Acme Product 1", "Acme Product 2", "Acme Product 3"]
        .iter()
        .map(|p| row("CVE-2020-25649", p, "1", "not_affected"))
        .collect();
    let case9: Vec<Row> = (11896..=11914)
        .flat_map(|n| {
            ["Acme Product 1", "Acme Product 2", "Acme Product 3"]
                .into_iter()
                .map(move |p| row(&format!("CVE-2020-{n}"), p, "1", "not_affected"))
        })
        .collect();
    /// (case, [(bom file, release versions)], expected decisions).
    type Case<'a> = (&'a str, Vec<(&'a str, &'a [&'a str])>, Vec<Row>);
    let cases: Vec<Case<'_>> = vec![
        (
            "Use-Cases/Case-6",
            vec![
                ("bom-1.json", &["1"]),
                ("bom-2.json", &["1"]),
                ("bom-3.json", &["1"]),
            ],
            acme,
        ),
        (
            "Use-Cases/Case-9",
            vec![
                ("bom-1.json", &["1"]),
                ("bom-2.json", &["1"]),
                ("bom-3.json", &["1"]),
            ],
            case9,
        ),
        (
            "Use-Cases/Case-13",
            vec![
                ("bom-1.json", &["1"]),
                ("bom-2.json", &["1"]),
                ("bom-3.json", &["1"]),
            ],
            vec![
                row("CVE-2020-25649", "Acme Product 1", "1", "not_affected"),
                row("CVE-2020-25649", "Acme Product 2", "1", "not_affected"),
                row("CVE-2020-25649", "Acme Product 3", "1", "affected"),
            ],
        ),
        (
            "CISA-Use-Cases/Case-8",
            vec![
                ("bom-1.json", &["2.4", "2.5", "2.6", "4.2"]),
                ("bom-2.json", &["5.1", "5.2"]),
            ],
            vec![
                row("CVE-2021-44228", "ABC", "2.4", "affected"),
                row("CVE-2021-44228", "ABC", "2.6", "affected"),
                row("CVE-2021-44228", "ABC", "2.5", "not_affected"),
                row("CVE-2021-44228", "ABC", "4.2", "not_affected"),
                row("CVE-2021-44228", "JKL", "5.1", "fixed"),
                row("CVE-2021-44228", "JKL", "5.2", "fixed"),
                row("CVE-2021-45105", "ABC", "2.4", "affected"),
                row("CVE-2021-45105", "ABC", "2.6", "affected"),
                row("CVE-2021-45105", "JKL", "5.1", "affected"),
                row("CVE-2021-45105", "ABC", "2.5", "not_affected"),
                row("CVE-2021-45105", "ABC", "4.2", "not_affected"),
                row("CVE-2021-45105", "JKL", "5.2", "not_affected"),
                row("CVE-2021-45105", "JKL", "5.2", "fixed"),
            ],
        ),
    ];
    for (case, boms, expected) in cases {
        let t = &stores("vex_cyclonedx_conformance")[0];
        let mut e = engine(t);
        for (file, versions) in boms {
            let bytes = std::fs::read(base.join(case).join(file)).unwrap();
            let bom: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
            let name = bom["metadata"]["component"]["name"]
                .as_str()
                .unwrap()
                .to_owned();
            for v in versions {
                e.add_release(&ReleaseInput {
                    service: &name,
                    version: v,
                    sbom: &bytes,
                    ..ReleaseInput::default()
                })
                .unwrap_or_else(|err| panic!("{case}/{file}: {err}"));
            }
        }
        let vex = std::fs::read(base.join(case).join("vex.json")).unwrap();
        let report = e.import_vex(&vex, "conformance").unwrap();
        let mut got: Vec<Row> = report
            .decisions
            .iter()
            .map(|d| {
                (
                    d.vulnerability.clone(),
                    d.service.clone().unwrap_or_default(),
                    d.release.clone().unwrap_or_default(),
                    d.status.clone(),
                )
            })
            .collect();
        got.sort();
        let mut expected = expected;
        expected.sort();
        assert_eq!(got, expected, "{case}");
        // Ranges (vers:generic) are reported as not applied, never dropped silently.
        if case.starts_with("CISA") {
            assert!(report.skipped.iter().any(|(_, why)| why.contains("range")));
        }
    }
}

/// VEX embedded in a release's own SBOM: importing that SBOM triages that release's
/// packages (and no one else's).
#[test]
fn vex_embedded_in_a_release_sbom_applies_to_that_release() {
    for t in stores("vex_embedded") {
        let mut e = engine(&t);
        portfolio(&mut e);
        let bom = br#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
  "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
  "metadata": {"component": {"type": "application", "name": "cart", "bom-ref": "cart"}},
  "components": [{"type": "library", "name": "lodash", "version": "4.17.20",
                  "purl": "pkg:npm/lodash@4.17.20", "bom-ref": "lodash"}],
  "vulnerabilities": [{"id": "CVE-2026-0001",
    "analysis": {"state": "not_affected", "justification": "code_not_reachable"},
    "affects": [{"ref": "lodash"}]}]}"#;
        e.add_release(&ReleaseInput {
            service: "cart",
            version: "3.0.0",
            sbom: bom,
            ..ReleaseInput::default()
        })
        .unwrap();
        let report = e.import_vex(bom, "alice").unwrap();
        assert_eq!(report.decisions.len(), 1, "{:?}", report.skipped);
        let d = &report.decisions[0];
        assert_eq!(
            (d.scope.as_str(), d.service.as_deref(), d.release.as_deref()),
            ("finding", Some("cart"), Some("3.0.0"))
        );
        assert_eq!(d.purl.as_deref(), Some("pkg:npm/lodash@4.17.20"));
        assert_eq!(d.status, "not_affected");
        // checkout's lodash 4.17.20 is not covered.
        assert_eq!(
            triage(&mut e)
                .into_iter()
                .filter(|(_, t)| t.is_some())
                .count(),
            1
        );
    }
}
