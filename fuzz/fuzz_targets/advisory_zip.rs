#![no_main]
//! `vigil_engine::advisories::read_zip` on arbitrary bytes as an archive: never panics,
//! stays within its limits, and every record it yields parses.

use libfuzzer_sys::fuzz_target;
use vigil_engine::advisories::{SourceLimits, read_zip};

fuzz_target!(|data: &[u8]| {
    let limits = SourceLimits {
        max_record_bytes: 64 << 10,
        max_zip_entries: 256,
        max_compression_ratio: 100,
        max_total_bytes: 1 << 20,
        ..SourceLimits::default()
    };
    let mut records = 0usize;
    let _ = read_zip(
        "fuzz.zip",
        std::io::Cursor::new(data),
        &limits,
        &mut |record| {
            records += 1;
            assert!(record.json.len() as u64 <= limits.max_record_bytes);
            assert!(vigil_osv::from_json(&record.json).is_ok());
            Ok(())
        },
        &mut |_| {},
        &mut |_, _| {},
    );
    assert!(records <= limits.max_zip_entries);
});
