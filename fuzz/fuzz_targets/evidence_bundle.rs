#![no_main]
//! `vigil_engine::evidence::verify_bundle` on arbitrary bytes, with a fixed key: never
//! panics, and nothing made up verifies (the key's secret is not in the fuzzer's reach,
//! so a bundle that verifies would be a forgery).

use libfuzzer_sys::fuzz_target;
use vigil_ledger::note::NoteVerifier;

fuzz_target!(|data: &[u8]| {
    let key = NoteVerifier::from_vkey("astra+cad5a3d2+AZJqeuyE/GnknsCNh1eCtDtwdAwKBddOlS8M2eI1Jt4b")
        .expect("the fixed verifier key parses");
    assert!(
        vigil_engine::evidence::verify_bundle(data, &[key]).is_err(),
        "an arbitrary input verified as an evidence bundle"
    );
});
