#![no_main]
//! `vigil_ledger::note::Note::parse` on arbitrary bytes: never panics, and a note that parses
//! prints back byte for byte and re-parses to an equal note.

use libfuzzer_sys::fuzz_target;
use vigil_ledger::note::Note;

fuzz_target!(|data: &[u8]| {
    if let Ok(note) = Note::parse(data) {
        let bytes = note.to_bytes();
        assert_eq!(bytes, data, "a parsed note prints as it was read");
        let again = Note::parse(&bytes).expect("a printed note parses");
        assert_eq!(again, note);
    }
});
