#![no_main]
//! `vigil_vex::parse` on arbitrary bytes, within small limits: never panics. What parses
//! is written as OpenVEX and as CycloneDX; each output reads back, names the same
//! vulnerabilities with the same statuses, and writing what was read back gives the same
//! bytes again.

use std::collections::BTreeSet;

use libfuzzer_sys::fuzz_target;
use vigil_vex::{Document, Limits, cyclonedx, openvex};

fn said(doc: &Document) -> BTreeSet<(String, &'static str)> {
    doc.statements
        .iter()
        .map(|s| (s.vulnerability.name.clone(), s.status.as_str()))
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_document_bytes: 1 << 20,
        max_statements: 1_000,
    };
    let Ok(doc) = vigil_vex::parse_with_limits(data, &limits) else {
        return;
    };
    for (name, write) in [
        ("OpenVEX", openvex::write as fn(&Document) -> Vec<u8>),
        ("CycloneDX", cyclonedx::write),
    ] {
        let out = write(&doc);
        let back = vigil_vex::parse(&out).unwrap_or_else(|e| {
            panic!(
                "{name} output does not read back: {e}\n{}",
                String::from_utf8_lossy(&out)
            )
        });
        assert_eq!(said(&back), said(&doc), "{name} output says other statuses");
        assert!(
            write(&back) == out,
            "{name} output is not a fixed point:\n{}\n{}",
            String::from_utf8_lossy(&out),
            String::from_utf8_lossy(&write(&back))
        );
    }
});
