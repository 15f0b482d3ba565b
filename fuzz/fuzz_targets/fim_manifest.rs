#![no_main]
//! `vigil_fim::Manifest::from_json` on arbitrary bytes: never panics; a manifest that
//! parses writes back to JSON that parses to the same manifest, byte for byte, and
//! compares clean with itself.

use libfuzzer_sys::fuzz_target;
use vigil_fim::{CompareOptions, Limits, Manifest, compare};

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_manifest_bytes: 1 << 20,
        max_entries: 10_000,
        ..Limits::default()
    };
    if let Ok(manifest) = Manifest::from_json(data, &limits) {
        let json = manifest.to_json();
        let again = Manifest::from_json(&json, &limits).expect("a written manifest reads back");
        assert_eq!(again, manifest);
        assert_eq!(again.to_json(), json);
        for entry in manifest.entries() {
            let text = entry.path.as_str();
            assert_eq!(text.parse::<vigil_fim::RelPath>().as_ref(), Ok(&entry.path));
        }
        assert!(compare(&manifest, &again, &CompareOptions { mtime: true }).is_clean());
    }
});
