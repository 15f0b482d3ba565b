#![no_main]
//! `vigil_ledger::checkpoint::Checkpoint::parse` on arbitrary text: never panics, and a
//! checkpoint that parses prints back as it was read and re-parses to an equal checkpoint.

use libfuzzer_sys::fuzz_target;
use vigil_ledger::checkpoint::Checkpoint;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(cp) = Checkpoint::parse(text) {
        let printed = cp.to_text();
        assert_eq!(printed, text, "a parsed checkpoint prints as it was read");
        let again = Checkpoint::parse(&printed).expect("a printed checkpoint parses");
        assert_eq!(again, cp);
        assert!(cp.check().is_ok());
    }
});
