#![no_main]
use vigil_purl::Purl;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // Any string either fails to parse or parses to a purl whose canonical string parses
    // back to an equal purl and prints the same again.
    if let Ok(p) = text.parse::<Purl>() {
        let canonical = p.to_string();
        let back: Purl = canonical
            .parse()
            .unwrap_or_else(|e| panic!("{text:?} printed as {canonical:?}, which fails: {e}"));
        assert_eq!(back, p, "{text:?} printed as {canonical:?}");
        assert_eq!(back.to_string(), canonical, "{text:?}");
    }
});
