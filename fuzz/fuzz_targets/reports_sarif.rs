#![no_main]
//! `vigil_reports::parse(Format::Sarif, ..)` on arbitrary bytes, within small limits:
//! never panics; what is read is consistent (see `vigil_fuzz::report`).

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| vigil_fuzz::report(vigil_reports::Format::Sarif, data));
