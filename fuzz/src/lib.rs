//! What every fuzz target checks, beyond "no panic".

use vigil_sbom::{Format, Limits};
use vigil_version::Scheme;

/// Parses the input as one or two versions (split at the first newline) and checks that
/// parsing is deterministic and comparison antisymmetric and reflexive.
pub fn version(scheme: Scheme, data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (a, b) = text.split_once('\n').unwrap_or((text, text));
    let (Ok(x), Ok(y)) = (scheme.parse(a), scheme.parse(b)) else {
        return;
    };
    assert_eq!(
        scheme.parse(a).ok().as_ref(),
        Some(&x),
        "parse is deterministic"
    );
    assert_eq!(x.cmp(&y), y.cmp(&x).reverse(), "{a:?} vs {b:?}");
    assert_eq!(x.cmp(&x), std::cmp::Ordering::Equal);
}

/// Parses the input as one OSV record; when it loads, evaluates it for every package it
/// names at a few versions, including each of its own event and listed versions, and
/// computes its severities. Nothing may panic.
pub fn osv(format: vigil_osv::Format, data: &[u8]) {
    let Ok(osv) = vigil_osv::Loader::default().load(data, format) else {
        return;
    };
    let advisory = vigil_osv::CompiledAdvisory::new(&osv);
    let _ = osv.severity_assessment();
    for (a, compiled) in osv.affected.iter().zip(&advisory.affected) {
        let _ = a.severity_assessment();
        let Some(key) = &compiled.package else {
            continue;
        };
        let mut versions: Vec<&str> = vec!["0", "1.0", "1.0.0", "v1.2.3", "2.0.0-rc.1", ""];
        versions.extend(a.versions.iter().map(String::as_str));
        versions.extend(
            a.ranges
                .iter()
                .flat_map(|r| r.events.iter().map(|e| e.version())),
        );
        for v in versions.into_iter().take(64) {
            let q = vigil_osv::QueryVersion::new(key.ecosystem(), v);
            for verdict in advisory.check(key, &q) {
                if let vigil_osv::Verdict::Affected(vigil_osv::Hit::Range {
                    remedy: vigil_osv::Remedy::FixedIn(fixes),
                    ..
                }) = verdict
                {
                    let _ = fixes.first();
                    let _ = fixes.fixed().count() + fixes.limits().count();
                }
            }
        }
    }
    let _ = advisory.diagnostics().count();
    // What loads must serialize and load again.
    if format == vigil_osv::Format::Json {
        let json = serde_json::to_vec(&osv).expect("a loaded record serializes");
        let again = vigil_osv::from_json(&json).expect("a serialized record loads again");
        assert_eq!(again, osv, "JSON round trip");
    }
}

/// Reads the input as an SBOM of `format` within small limits (so the fuzzer reaches
/// them too). Any input is read or rejected with an error, never a panic, and what is
/// read is consistent: every index points at a component, every path starts at the
/// subject and ends at its component.
pub fn sbom(format: Format, data: &[u8]) {
    let limits = Limits {
        max_document_bytes: 1 << 20,
        max_components: 1000,
        max_depth: 16,
    };
    let Ok(bom) = vigil_sbom::parse_as(format, data, &limits) else {
        return;
    };
    let n = bom.components.len();
    assert!(bom.edges.iter().all(|e| e.from < n && e.to < n));
    assert!(bom.unmatchable.iter().all(|(i, _)| *i < n));
    let graph = bom.graph();
    let roots = bom
        .subject
        .as_ref()
        .map(|s| s.components.clone())
        .unwrap_or_default();
    for i in 0..n {
        if let Some(path) = graph.path(i) {
            assert!(
                roots.contains(&path[0]),
                "path to {i} starts at {}",
                path[0]
            );
            assert_eq!(path.last(), Some(&i));
        }
    }
}

/// Reads the input as a scanner report of `format` within small limits. Any input is
/// read or refused with an error, never a panic; what is read is within the limits,
/// the same when read again, serializes to JSON, and every fingerprint is 64 hex digits.
pub fn report(format: vigil_reports::Format, data: &[u8]) {
    let limits = vigil_reports::Limits {
        max_document_bytes: 1 << 20,
        max_items: 1_000,
        max_string_bytes: 4_096,
        max_depth: 32,
    };
    let _ = vigil_reports::detect(data);
    let Ok(report) = vigil_reports::parse(format, data, &limits) else {
        return;
    };
    assert!(report.items.len() <= limits.max_items);
    for w in report.weaknesses() {
        assert_eq!(w.fingerprint.value.len(), 64);
        assert!(w.fingerprint.value.bytes().all(|b| b.is_ascii_hexdigit()));
    }
    for v in report.vulnerabilities() {
        let _ = v.merge_key();
    }
    serde_json::to_vec(&report).expect("a report serializes");
    let again = vigil_reports::parse(format, data, &limits).expect("reads again");
    assert_eq!(again, report, "reading is deterministic");
}
