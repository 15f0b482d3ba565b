//! Conformance against other projects' documents, read from `VIGIL_CONFORMANCE_DATA`:
//! CycloneDX's own schema tests (every `valid-*` ingests without a warning, every
//! `invalid-*` is rejected or allow-listed below with the reason and its warning), CycloneDX's example BOMs, and SPDX's
//! examples, each read without a warning and with the package count the document states,
//! counted here independently of the reader.

use std::path::{Path, PathBuf};

/// `invalid-*` CycloneDX tests that Vigil accepts on purpose: a reader is not a schema
/// validator, and refusing a real producer's slightly-off document loses every finding in
/// it. Each entry is the test's stem, the warning it must produce (a substring of the
/// `Bom::warnings` entry, location first) or `None` where nothing Vigil reads is wrong,
/// and the reason.
const LENIENT: &[(&str, Option<&str>, &str)] = &[
    (
        "invalid-component-ref",
        Some(".bom-ref: "),
        "lenient with a warning: an empty bom-ref is ignored (nothing can reference the component by it), and of two components with one bom-ref both are kept and references resolve to the first; rejecting loses every finding",
    ),
    (
        "invalid-component-swid",
        None,
        "lenient: SWID tags are not read; the component itself is usable",
    ),
    (
        "invalid-component-type",
        Some("components[0].type: unknown component type"),
        "lenient with a warning: the type names no ecosystem, so an unknown one is kept as written and the component is still matched by purl",
    ),
    (
        "invalid-dependency",
        Some("dependencies[0].ref: "),
        "lenient with a warning: a dependency entry without a ref is ignored; only that part of the graph is lost",
    ),
    (
        "invalid-empty-component",
        Some("components[0].name: no name"),
        "lenient with a warning: a component without a name is kept (named from its purl when it has one; unmatchable when it has neither)",
    ),
    (
        "invalid-hash-alg",
        Some("components[0].hashes[0].alg: unknown hash algorithm"),
        "lenient with a warning: hashes are not matched on, so a hash of an unknown algorithm is ignored",
    ),
    (
        "invalid-hash-md5",
        Some("components[0].hashes[0]: MD5 digest"),
        "lenient with a warning: a malformed hash is ignored",
    ),
    (
        "invalid-hash-sha1",
        Some("components[0].hashes[1]: SHA-1 digest"),
        "lenient with a warning: a malformed hash is ignored",
    ),
    (
        "invalid-hash-sha256",
        Some("components[0].hashes[2]: SHA-256 digest"),
        "lenient with a warning: a malformed hash is ignored",
    ),
    (
        "invalid-hash-sha512",
        Some("components[0].hashes[3]: SHA-512 digest"),
        "lenient with a warning: a malformed hash is ignored",
    ),
    (
        "invalid-issue-type",
        None,
        "lenient: pedigree patches are not read",
    ),
    (
        "invalid-license-choice",
        None,
        "lenient: both the expression and the license are kept as strings",
    ),
    (
        "invalid-license-declared-concluded-mix",
        None,
        "lenient: licenses are kept as strings whatever their acknowledgement",
    ),
    (
        "invalid-license-encoding",
        None,
        "lenient: license texts are not read",
    ),
    (
        "invalid-license-id",
        None,
        "lenient: an unknown SPDX id is kept as written rather than losing the component",
    ),
    (
        "invalid-license-missing-id-and-name",
        Some("components[0].licenses[0]: a license needs"),
        "lenient with a warning: licenses are not matched on, so an empty license is ignored",
    ),
    (
        "invalid-metadata-license",
        None,
        "lenient: document licenses are not read",
    ),
    (
        "invalid-metadata-timestamp",
        Some("metadata.timestamp: "),
        "lenient with a warning: a timestamp that is not RFC 3339 (a bare date) is dropped; nothing is matched on it",
    ),
    (
        "invalid-missing-component-type",
        None,
        "lenient: the type names no ecosystem, so a component without one is still matchable by purl",
    ),
    (
        "invalid-patch-type",
        None,
        "lenient: pedigree patches are not read",
    ),
    (
        "invalid-properties",
        None,
        "lenient: properties without a name are skipped",
    ),
    ("invalid-scope", None, "lenient: scope is not read"),
    (
        "invalid-serialnumber",
        Some("serialNumber: "),
        "lenient with a warning: a serial number that is not a urn:uuid: URN is kept as written; nothing is matched on it",
    ),
    (
        "invalid-service-data",
        None,
        "lenient: services are not read",
    ),
];

fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display()));
        for e in entries {
            let p = e.expect("dir entry").path();
            if p.is_dir() {
                stack.push(p);
            } else if p.to_string_lossy().ends_with(ext) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn report(suite: &str, checked: usize, failures: &[String]) {
    eprintln!(
        "conformance {suite}: {checked} checked, {} failed",
        failures.len()
    );
    assert!(failures.is_empty(), "{suite}:\n{}", failures.join("\n"));
}

#[test]
fn cyclonedx_spec_tests() {
    let Some(dir) = vigil_testkit::conformance_dir("cyclonedx-spec") else {
        return;
    };
    let mut checked = 0;
    let mut failures = Vec::new();
    let mut lenient_used = Vec::new();
    for version in ["1.4", "1.5", "1.6"] {
        for path in files(&dir.join("cyclonedx-spec").join(version), ".json") {
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_owned();
            let stem = name
                .trim_end_matches(".json")
                .trim_end_matches(&format!("-{version}"))
                .to_owned();
            let bytes = std::fs::read(&path).expect("read");
            let result = vigil_sbom::parse(&bytes);
            checked += 1;
            if stem.starts_with("valid-") {
                match result {
                    Err(e) => failures.push(format!("{version}/{name}: valid, rejected: {e}")),
                    Ok(bom) if !bom.warnings.is_empty() => failures.push(format!(
                        "{version}/{name}: valid, but warns: {:?}",
                        bom.warnings
                            .iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                    )),
                    Ok(_) => {}
                }
            } else if stem.starts_with("invalid-") {
                match (result, LENIENT.iter().find(|(s, _, _)| *s == stem)) {
                    (Ok(_), None) => failures.push(format!("{version}/{name}: invalid, accepted")),
                    (Ok(bom), Some((_, warning, _))) => {
                        let warnings: Vec<String> =
                            bom.warnings.iter().map(ToString::to_string).collect();
                        match warning {
                            Some(w) if !warnings.iter().any(|got| got.contains(w)) => failures
                                .push(format!(
                                    "{version}/{name}: lenient, but no warning contains {w:?}: {warnings:?}"
                                )),
                            None if !warnings.is_empty() => failures.push(format!(
                                "{version}/{name}: lenient without a warning, but warns: {warnings:?}"
                            )),
                            _ => {}
                        }
                        lenient_used.push(stem);
                    }
                    (Err(e), Some(_)) => failures.push(format!(
                        "{version}/{name}: allow-listed as lenient but rejected: {e}"
                    )),
                    (Err(_), None) => {}
                }
            }
        }
    }
    for (stem, _, _) in LENIENT {
        if !lenient_used.iter().any(|s| s == stem) {
            failures.push(format!(
                "allow-list entry {stem} matched no accepted document: remove it"
            ));
        }
    }
    report("cyclonedx-spec", checked, &failures);
}

#[test]
fn cyclonedx_bom_examples() {
    let Some(dir) = vigil_testkit::conformance_dir("cyclonedx-bom-examples") else {
        return;
    };
    let mut checked = 0;
    let mut failures = Vec::new();
    let root = dir.join("cyclonedx-bom-examples");
    for path in files(&root, ".json")
        .into_iter()
        .chain(files(&root, ".xml"))
    {
        let rel = path
            .strip_prefix(&root)
            .unwrap_or(&path)
            .display()
            .to_string();
        let bytes = std::fs::read(&path).expect("read");
        checked += 1;
        match vigil_sbom::parse(&bytes) {
            Ok(bom) => eprintln!(
                "  {rel}: {} {}, {} components, {} edges, {} vulnerabilities, {} unmatchable",
                bom.format,
                bom.spec_version,
                bom.components.len(),
                bom.edges.len(),
                bom.vulnerabilities.len(),
                bom.unmatchable.len()
            ),
            Err(e) => failures.push(format!("{rel}: {e}")),
        }
    }
    report("cyclonedx-bom-examples", checked, &failures);
}

/// The packages an SPDX document states, counted without the reader: the `packages`
/// array of SPDX 2 JSON, `PackageName:` lines of tag-value, package elements of the
/// SPDX 3 `@graph`.
fn stated_packages(path: &Path, bytes: &[u8]) -> usize {
    let name = path.to_string_lossy();
    if name.ends_with(".spdx") {
        return String::from_utf8_lossy(bytes)
            .lines()
            .filter(|l| l.trim_start().starts_with("PackageName:"))
            .count();
    }
    let v: serde_json::Value = serde_json::from_slice(bytes).expect("JSON");
    if let Some(p) = v.get("packages") {
        return p.as_array().map_or(0, Vec::len);
    }
    v.get("@graph").and_then(|g| g.as_array()).map_or(0, |g| {
        g.iter()
            .filter(|e| {
                matches!(
                    e.get("type").and_then(|t| t.as_str()),
                    Some("software_Package" | "ai_AIPackage" | "dataset_DatasetPackage")
                )
            })
            .count()
    })
}

fn spdx_suite(suite: &str, subdir: &str, wanted: fn(&str) -> bool) {
    let Some(dir) = vigil_testkit::conformance_dir(suite) else {
        return;
    };
    let root = dir.join(subdir);
    let mut checked = 0;
    let mut failures = Vec::new();
    let paths = files(&root, ".json")
        .into_iter()
        .chain(files(&root, ".spdx"));
    for path in paths {
        let rel = path
            .strip_prefix(&root)
            .unwrap_or(&path)
            .display()
            .to_string();
        if !wanted(&rel) {
            continue;
        }
        let bytes = std::fs::read(&path).expect("read");
        let stated = stated_packages(&path, &bytes);
        checked += 1;
        match vigil_sbom::parse(&bytes) {
            // SPDX's own examples are valid: a warning is a leniency applied where none
            // is needed.
            Ok(bom) if !bom.warnings.is_empty() => failures.push(format!(
                "{rel}: warns: {:?}",
                bom.warnings
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
            )),
            Ok(bom) if bom.components.len() == stated => {
                eprintln!(
                    "  {rel}: {} {}, {stated} packages, {} edges",
                    bom.format,
                    bom.spec_version,
                    bom.edges.len()
                );
            }
            Ok(bom) => failures.push(format!(
                "{rel}: {} packages read, {stated} stated",
                bom.components.len()
            )),
            Err(e) => failures.push(format!("{rel}: {e}")),
        }
    }
    report(suite, checked, &failures);
}

/// Which documents of a suite are SPDX: the spec's schemas and the JSON-LD context are
/// not.
fn is_spdx_document(rel: &str) -> bool {
    !rel.contains("schemas/") && !rel.ends_with(".jsonld") && !rel.contains("/rdf/")
}

#[test]
fn spdx_examples() {
    spdx_suite("spdx-examples", "spdx-examples", is_spdx_document);
}

#[test]
fn spdx_spec_examples() {
    spdx_suite("spdx-spec", "spdx-spec", is_spdx_document);
}
