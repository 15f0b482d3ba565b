#![no_main]
//! `vigil_intel::parse_epss` on arbitrary bytes, plain or gzip (inputs starting with
//! `1f 8b`): never panics, stays within the limits, and every row it accepts has a valid
//! CVE id and values in [0, 1].

use libfuzzer_sys::fuzz_target;
use vigil_intel::{Limits, is_cve_id, parse_epss};

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_decompressed_bytes: 1 << 20,
        max_epss_rows: 10_000,
        ..Limits::default()
    };
    if let Ok(scores) = parse_epss(data, &limits) {
        assert!(scores.scores.len() <= 10_000);
        for s in &scores.scores {
            assert!(is_cve_id(&s.cve));
            assert!((0.0..=1.0).contains(&s.epss) && (0.0..=1.0).contains(&s.percentile));
        }
    }
});
