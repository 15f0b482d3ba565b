#![no_main]
use vigil_sbom::{Format, Limits};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    // Small limits, so the fuzzer reaches them too.
    let limits = Limits {
        max_document_bytes: 1 << 20,
        max_components: 1000,
        max_depth: 16,
    };
    // Any input is read or rejected with an error, never a panic, and what is read is
    // consistent: every index points at a component, every path starts at the subject.
    if let Ok(bom) = vigil_sbom::parse_as(Format::CycloneDxXml, data, &limits) {
        let n = bom.components.len();
        assert!(bom.edges.iter().all(|e| e.from < n && e.to < n));
        assert!(bom.unmatchable.iter().all(|(i, _)| *i < n));
        let graph = bom.graph();
        let roots = bom.subject.as_ref().map(|s| s.components.clone()).unwrap_or_default();
        for i in 0..n {
            if let Some(path) = graph.path(i) {
                assert!(roots.contains(&path[0]), "path to {i} starts at {}", path[0]);
                assert_eq!(path.last(), Some(&i));
            }
        }
    }
});
