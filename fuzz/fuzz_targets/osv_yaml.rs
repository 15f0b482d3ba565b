#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| vigil_fuzz::osv(vigil_osv::Format::Yaml, data));
