//! Signed notes, keys and checkpoints: what is accepted, and the exact message for what is
//! not. Each case is one line of input and one of expectation.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on any error")]

use vigil_ledger::checkpoint::{self, Checkpoint};
use vigil_ledger::note::{self, Note, NoteError, NoteSigner, NoteVerifier, Signature};

/// The signed-note spec's example key and note.
const EXAMPLE_VKEY: &str = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";
const EXAMPLE_NOTE: &str = "This is an example message.\n\n\u{2014} example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n";
/// A signature line that parses (the example's).
const SIG: &str = "\u{2014} example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n";

/// Parses `input` as a note and compares the error message (or "ok").
fn check_note(input: &str, expect: &str) {
    let got = match Note::parse(input.as_bytes()) {
        Ok(_) => "ok".to_owned(),
        Err(e) => e.to_string(),
    };
    assert_eq!(got, expect, "input {input:?}");
}

fn check_checkpoint(input: &str, expect: &str) {
    let got = match Checkpoint::parse(input) {
        Ok(cp) => {
            assert_eq!(cp.to_text(), input, "round trip");
            "ok".to_owned()
        }
        Err(e) => e.to_string(),
    };
    assert_eq!(got, expect, "input {input:?}");
}

fn check_vkey(input: &str, expect: &str) {
    let got = match NoteVerifier::from_vkey(input) {
        Ok(v) => {
            assert_eq!(v.to_vkey(), input);
            "ok".to_owned()
        }
        Err(e) => e.to_string(),
    };
    assert_eq!(got, expect, "input {input:?}");
}

#[test]
fn note_errors() {
    check_note(EXAMPLE_NOTE, "ok");
    check_note(&format!("a\n\nb\n\n{SIG}"), "ok");
    check_note(&format!("\n\n{SIG}"), "ok");
    check_note(
        "no signatures\n",
        "the note has no blank line separating its text from its signatures (the text must end in a newline, then an empty line, then signature lines)",
    );
    check_note(
        "text\n\n",
        "line 3: no signature lines after the blank line",
    );
    check_note(
        &format!("text\n\n{}", SIG.trim_end()),
        "line 3: the last signature line does not end in a newline",
    );
    check_note(
        &format!("text\n\n{SIG}{}", SIG.trim_end()),
        "line 4: the last signature line does not end in a newline",
    );
    check_note(
        &format!("te\rxt\n\n{SIG}"),
        "line 1: control character U+000D is not allowed in a note",
    );
    check_note(
        &format!("one\ntwo\tthree\n\n{SIG}"),
        "line 2: control character U+0009 is not allowed in a note",
    );
    check_note(
        "text\n\n- example.com/foo AAAAAAA=\n",
        "line 3: bad signature line: it does not start with an em dash (U+2014) and a space",
    );
    check_note(
        "text\n\n\u{2014} example.com/foo\n",
        "line 3: bad signature line: no space between the key name and the signature",
    );
    check_note(
        "text\n\n\u{2014} a+b AAAAAAA=\n",
        "line 3: bad signature line: invalid key name \"a+b\": it contains '+'",
    );
    check_note(
        "text\n\n\u{2014}  AAAAAAA=\n",
        "line 3: bad signature line: invalid key name \"\": it is empty",
    );
    check_note(
        "text\n\n\u{2014} a\u{a0}b AAAAAAA=\n",
        "line 3: bad signature line: invalid key name \"a\\u{a0}b\": it contains white space",
    );
    check_note(
        "text\n\n\u{2014} name AAAA\n",
        "line 3: bad signature line: the signature decodes to 3 bytes; a 4-byte key id and a signature are needed",
    );
    check_note(
        "text\n\n\u{2014} name AAAAAAA\n",
        "line 3: bad signature line: the signature is not canonical standard base64: Invalid padding",
    );
    check_note(
        "text\n\n\u{2014} name AAAAAAB=\n",
        "line 3: bad signature line: the signature is not canonical standard base64: Invalid last symbol 66, offset 6.",
    );
    check_note(
        "text\n\n\u{2014} name AAAA AAA=\n",
        "line 3: bad signature line: the signature is not canonical standard base64: Invalid symbol 32, offset 4.",
    );
    let too_many = format!("text\n\n{}", SIG.repeat(101));
    check_note(&too_many, "line 103: more than 100 signatures");
    check_note(&format!("text\n\n{}", SIG.repeat(100)), "ok");
    let huge = format!("{}\n\n{SIG}", "x".repeat(1 << 20));
    check_note(
        &huge,
        "the note is 1048691 bytes; at most 1048576 are accepted",
    );
    let bad_utf8 = [b"ok\nok\n\xff\n\n".as_slice(), SIG.as_bytes()].concat();
    assert_eq!(
        Note::parse(&bad_utf8).unwrap_err().to_string(),
        "line 3: the note is not valid UTF-8"
    );
}

#[test]
fn verifier_key_errors() {
    check_vkey(EXAMPLE_VKEY, "ok");
    check_vkey(
        "example.com/foo+530d903a",
        "invalid verifier key \"example.com/foo+530d903a\": expected <name>+<key id>+<key>",
    );
    check_vkey(
        "example.com/foo+530D903A+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
        "invalid verifier key \"example.com/foo+530D903A+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k\": the key id is not 8 lowercase hex digits",
    );
    check_vkey(
        "example.com/bar+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
        "key \"example.com/bar\" states key id 530d903a but its name and public key give c6fb2e3e",
    );
    check_vkey(
        "example.com/foo+530d903a+BEkyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
        "unsupported signature type 0x04: only Ed25519 (0x01) note keys are supported",
    );
    check_vkey(
        "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U",
        "invalid verifier key \"example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U\": the key is not canonical standard base64",
    );
    check_vkey(
        "foo bar+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
        "invalid verifier key \"foo bar+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k\": invalid key name \"foo bar\": it contains white space",
    );
}

#[test]
fn verify_outcomes() {
    let example = NoteVerifier::from_vkey(EXAMPLE_VKEY).unwrap();
    let note = Note::parse(EXAMPLE_NOTE.as_bytes()).unwrap();
    assert_eq!(
        note::verify(&note, std::slice::from_ref(&example)).unwrap(),
        ["example.com/foo"]
    );
    // A key with the same name but another id is not the signer: the note is unverified.
    let other = NoteSigner::generate("example.com/foo").unwrap();
    assert_eq!(
        note::verify(&note, &[other.verifier()])
            .unwrap_err()
            .to_string(),
        format!(
            "no signature by a known key: the note is signed by [example.com/foo+530d903a], the known keys are [example.com/foo+{:08x}]",
            other.key_id()
        )
    );
    // A known key whose signature does not verify rejects the note, even beside a good one.
    let tampered = EXAMPLE_NOTE.replace("example message", "exemplary message");
    let tampered = Note::parse(tampered.as_bytes()).unwrap();
    assert_eq!(
        note::verify(&tampered, std::slice::from_ref(&example))
            .unwrap_err()
            .to_string(),
        "line 3: the signature by known key example.com/foo (530d903a) does not verify"
    );
    let mut cosigned = tampered.clone();
    other.add_signature(&mut cosigned).unwrap();
    assert!(matches!(
        note::verify(&cosigned, &[other.verifier(), example.clone()]),
        Err(NoteError::BadSignature { line: 3, .. })
    ));
    // Unknown signers are ignored.
    let mut with_unknown = note.clone();
    NoteSigner::generate("stranger")
        .unwrap()
        .add_signature(&mut with_unknown)
        .unwrap();
    assert_eq!(
        note::verify(&with_unknown, &[example]).unwrap(),
        ["example.com/foo"]
    );
}

#[test]
fn signers_sign_cosign_and_round_trip_keys() {
    let log = NoteSigner::generate("example.com/log").unwrap();
    let skey = log.to_skey();
    assert!(skey.starts_with(&format!(
        "PRIVATE+KEY+example.com/log+{:08x}+",
        log.key_id()
    )));
    let again = NoteSigner::from_skey(&skey).unwrap();
    assert_eq!(again.verifier(), log.verifier());
    // PRIVATE+KEY+<name>+<id>+<base64>: the base64 itself may hold '+'.
    let secret = skey.splitn(5, '+').nth(4).unwrap();
    assert!(secret.len() > 40, "{skey}");
    assert!(!format!("{log:?}").contains(secret));
    assert!(format!("{log:?}").contains("<redacted>"));
    let vkey = log.verifier().to_vkey();
    assert_eq!(NoteVerifier::from_vkey(&vkey).unwrap(), log.verifier());
    assert_eq!(
        log.verifier().key_id(),
        note::key_id("example.com/log", 1, log.verifier().public_key())
    );

    let text = "example.com/log\n1\nbjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=\n";
    let mut signed = log.sign(text).unwrap();
    let witness = NoteSigner::generate("witness.example/w1").unwrap();
    witness.add_signature(&mut signed).unwrap();
    witness.add_signature(&mut signed).unwrap();
    assert_eq!(
        signed.signatures().len(),
        2,
        "a second cosignature by the same key is not added"
    );
    let bytes = signed.to_bytes();
    let (cp, note) = checkpoint::open(&bytes, &[witness.verifier(), log.verifier()]).unwrap();
    assert_eq!(note, signed);
    assert_eq!((cp.origin.as_str(), cp.size), ("example.com/log", 1));
    assert_eq!(
        note::verify(&note, &[log.verifier(), witness.verifier()]).unwrap(),
        ["example.com/log", "witness.example/w1"]
    );

    assert_eq!(
        log.sign("no newline").unwrap_err().to_string(),
        "invalid note text: the text must end in a newline"
    );
    assert_eq!(
        log.sign("a\u{7}\n").unwrap_err().to_string(),
        "invalid note text: line 1: control character U+0007 is not allowed in a note"
    );
    assert_eq!(
        NoteSigner::generate("bad name").unwrap_err().to_string(),
        "invalid key name \"bad name\": it contains white space"
    );
    assert_eq!(
        NoteSigner::generate("a\u{1}b").unwrap_err().to_string(),
        "invalid key name \"a\\u{1}b\": it contains a control character"
    );
    let wrong_id = skey.replacen(&format!("{:08x}", log.key_id()), "00000000", 1);
    assert_eq!(
        NoteSigner::from_skey(&wrong_id).unwrap_err().to_string(),
        format!(
            "key \"example.com/log\" states key id 00000000 but its name and public key give {:08x}",
            log.key_id()
        )
    );
    assert_eq!(
        NoteSigner::from_skey("PUBLIC+KEY+a+00000000+AQ==")
            .unwrap_err()
            .to_string(),
        "invalid private key: it does not start with PRIVATE+KEY+"
    );
    assert!(
        Note::new(
            "text\n".into(),
            vec![Signature {
                name: "a b".into(),
                key_id: 1,
                bytes: vec![1]
            }]
        )
        .is_err()
    );
    assert!(Note::new("text\n".into(), vec![]).is_err());
}

/// Go's `x/mod/sumdb/note` test key (note_test.go): a private key written by Go signs as
/// Go does.
#[test]
fn go_private_key_format() {
    let skey = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    let vkey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    let signer = NoteSigner::from_skey(skey).unwrap();
    assert_eq!(signer.to_skey(), skey);
    assert_eq!(signer.verifier().to_vkey(), vkey);
    let note = signer.sign("If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n").unwrap();
    assert_eq!(
        String::from_utf8(note.to_bytes()).unwrap(),
        "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n\n\u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
    );
}

#[test]
fn checkpoint_errors() {
    check_checkpoint(
        "example.com/log\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
        "ok",
    );
    check_checkpoint(
        "example.com/log\n18446744073709551615\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\next one\next two\n",
        "ok",
    );
    check_checkpoint(
        "example.com/log\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
        "the checkpoint text does not end in a newline",
    );
    check_checkpoint(
        "example.com/log\n1\n",
        "the checkpoint has 2 lines; the origin, size and root hash lines are required",
    );
    check_checkpoint(
        "\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
        "line 1 (origin): the line is empty: \"\"",
    );
    check_checkpoint(
        "example.com/log\n01\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
        "line 2 (tree size): the tree size has a leading zero: \"01\"",
    );
    check_checkpoint(
        "example.com/log\n+1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
        "line 2 (tree size): the tree size must be ASCII decimal digits only: \"+1\"",
    );
    check_checkpoint(
        "example.com/log\n18446744073709551616\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
        "line 2 (tree size): the tree size does not fit in 64 bits: \"18446744073709551616\"",
    );
    check_checkpoint(
        "example.com/log\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU\n",
        "line 3 (root hash): the root hash is not canonical standard base64: \"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU\"",
    );
    check_checkpoint(
        "example.com/log\n1\nAAAA\n",
        "line 3 (root hash): the root hash must decode to 32 bytes: \"AAAA\"",
    );
    check_checkpoint(
        "example.com/log\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\nafter a blank\n",
        "line 4 (extension): the line is empty: \"\"",
    );
    check_checkpoint(
        "example.com/log\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\nan\u{0}extension\n",
        "line 4 (extension): the line contains a control character: \"an\\0extension\"",
    );
    check_checkpoint(
        "example.com/log\r\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
        "line 1 (origin): the line contains a control character: \"example.com/log\\r\"",
    );
    let cp = Checkpoint {
        origin: "two\nlines".into(),
        size: 1,
        root: [0; 32],
        extensions: vec![],
    };
    assert!(cp.check().is_err());
    // A checkpoint note that does not verify says so, prefixed.
    let stranger = NoteSigner::generate("stranger").unwrap();
    let note = stranger
        .sign("example.com/log\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n")
        .unwrap();
    let example = NoteVerifier::from_vkey(EXAMPLE_VKEY).unwrap();
    let err = checkpoint::open(&note.to_bytes(), &[example])
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("checkpoint note: no signature by a known key"),
        "{err}"
    );
}
