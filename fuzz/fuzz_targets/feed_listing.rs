#![no_main]
//! `vigil_engine::feed::changed_since` on an arbitrary `modified_id.csv`: never panics;
//! every id it returns is newer than the cursor, listed once, and a single path segment.

use libfuzzer_sys::fuzz_target;
use time::macros::datetime;
use vigil_engine::feed::changed_since;

fuzz_target!(|data: &[u8]| {
    let cursor = datetime!(2024-01-01 00:00:00.5 UTC);
    let Ok(listing) = changed_since(&mut &data[..], "modified_id.csv", cursor) else {
        return;
    };
    let mut ids = std::collections::HashSet::new();
    for c in &listing.changed {
        assert!(c.modified > cursor);
        assert!(!c.id.is_empty() && !c.id.contains('/'));
        assert!(ids.insert(c.id.clone()), "{} listed twice", c.id);
    }
});
