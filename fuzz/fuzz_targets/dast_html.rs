#![no_main]
//! `vigil_dast::html::tags` on arbitrary text: never panics, keeps the tag limit, and
//! returns only URL-carrying tags with lowercase names and at most 64 attributes each.

use libfuzzer_sys::fuzz_target;
use vigil_dast::html::{URL_TAGS, tags};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let found = tags(&text, 100);
    assert!(found.len() <= 100);
    for tag in &found {
        assert!(URL_TAGS.contains(&tag.name.as_str()));
        assert!(tag.attrs.len() <= 64);
        for (name, _) in &tag.attrs {
            assert_eq!(*name, name.to_ascii_lowercase());
        }
    }
});
