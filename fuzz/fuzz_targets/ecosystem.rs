#![no_main]
use vigil_version::Ecosystem;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // A parsed ecosystem prints back to exactly what was parsed.
    if let Ok(e) = text.parse::<Ecosystem>() {
        assert_eq!(e.to_string(), text);
    }
});
