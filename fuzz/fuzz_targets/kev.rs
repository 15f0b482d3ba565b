#![no_main]
//! `vigil_intel::parse_kev` on arbitrary bytes: never panics; a catalog that parses has
//! exactly `count` entries, each with a valid CVE id.

use libfuzzer_sys::fuzz_target;
use vigil_intel::{Limits, is_cve_id, parse_kev};

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_decompressed_bytes: 1 << 20,
        max_kev_entries: 1_000,
        ..Limits::default()
    };
    if let Ok(catalog) = parse_kev(data, &limits) {
        assert!(catalog.entries.len() <= 1_000);
        for entry in &catalog.entries {
            assert!(is_cve_id(&entry.cve));
        }
    }
});
