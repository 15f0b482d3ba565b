#![no_main]
//! `vigil_dast::robots::Robots` on arbitrary robots.txt files: the first line is a path
//! to ask about, the rest the file. Never panics; `/robots.txt` is always allowed; the
//! answer is the same when asked twice.

use libfuzzer_sys::fuzz_target;
use vigil_dast::robots::Robots;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (path, file) = text.split_once('\n').unwrap_or(("/", &text));
    let robots = Robots::parse(file, "vigil-dast");
    assert!(robots.allowed("/robots.txt"));
    assert_eq!(robots.allowed(path), robots.allowed(path));
});
