//! RFC 8785 canonical JSON against the RFC's own examples: the sample object of section
//! 3.2.2, the key sorting example of section 3.2.3 and the number table of Appendix B.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on any error")]

use serde_json::{Value, json};
use vigil_ledger::canonical::{self, CanonicalError};

/// Canonicalizes `input` (JSON text) and compares with `expect`.
fn check(input: &str, expect: &str) {
    let value: Value = serde_json::from_str(input).unwrap();
    let got = String::from_utf8(canonical::to_vec(&value).unwrap()).unwrap();
    assert_eq!(got, expect, "input {input}");
}

/// Canonicalizes the double with bits `bits` and compares with `expect`.
fn check_number(bits: u64, expect: &str) {
    let value = Value::from(f64::from_bits(bits));
    let got = String::from_utf8(canonical::to_vec(&value).unwrap()).unwrap();
    assert_eq!(got, expect, "0x{bits:016x}");
}

#[test]
fn rfc_8785_section_3_2_2_sample() {
    check(
        r#"{
          "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
          "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
          "literals": [null, true, false]
        }"#,
        "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],\"string\":\"\u{20ac}$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}",
    );
}

#[test]
fn rfc_8785_section_3_2_3_key_order() {
    // Sorted by UTF-16 code units: the emoji (a surrogate pair, 0xd83d...) sorts before
    // U+FB33 although its code point is larger.
    check(
        r#"{
          "\u20ac": "Euro Sign",
          "\r": "Carriage Return",
          "\ufb33": "Hebrew Letter Dalet With Dagesh",
          "1": "One",
          "\ud83d\ude00": "Emoji: Grinning Face",
          "\u0080": "Control",
          "\u00f6": "Latin Small Letter O With Diaeresis"
        }"#,
        "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u{80}\":\"Control\",\"\u{f6}\":\"Latin Small Letter O With Diaeresis\",\"\u{20ac}\":\"Euro Sign\",\"\u{1f600}\":\"Emoji: Grinning Face\",\"\u{fb33}\":\"Hebrew Letter Dalet With Dagesh\"}",
    );
    check(
        r#"{"b":{"z":1,"a":[{"y":2,"x":1}]},"a":"\u2028"}"#,
        "{\"a\":\"\u{2028}\",\"b\":{\"a\":[{\"x\":1,\"y\":2}],\"z\":1}}",
    );
}

#[test]
fn rfc_8785_appendix_b_numbers() {
    check_number(0x0000000000000000, "0");
    check_number(0x8000000000000000, "0");
    check_number(0x0000000000000001, "5e-324");
    check_number(0x8000000000000001, "-5e-324");
    check_number(0x7fefffffffffffff, "1.7976931348623157e+308");
    check_number(0xffefffffffffffff, "-1.7976931348623157e+308");
    check_number(0x4340000000000000, "9007199254740992");
    check_number(0xc340000000000000, "-9007199254740992");
    check_number(0x4430000000000000, "295147905179352830000");
    check_number(0x44b52d02c7e14af5, "9.999999999999997e+22");
    check_number(0x44b52d02c7e14af6, "1e+23");
    check_number(0x44b52d02c7e14af7, "1.0000000000000001e+23");
    check_number(0x444b1ae4d6e2ef4e, "999999999999999700000");
    check_number(0x444b1ae4d6e2ef4f, "999999999999999900000");
    check_number(0x444b1ae4d6e2ef50, "1e+21");
    check_number(0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7");
    check_number(0x3eb0c6f7a0b5ed8d, "0.000001");
    check_number(0x41b3de4355555553, "333333333.3333332");
    check_number(0x41b3de4355555554, "333333333.33333325");
    check_number(0x41b3de4355555555, "333333333.3333333");
    check_number(0x41b3de4355555556, "333333333.3333334");
    check_number(0x41b3de4355555557, "333333333.33333343");
    check_number(0xbecbf647612f3696, "-0.0000033333333333333333");
    check_number(0x43143ff3c1cb0959, "1424953923781206.2");
    // NaN and the infinities (0x7fffffffffffffff, 0x7ff0000000000000) cannot be held by a
    // serde_json::Value at all.
    assert_eq!(Value::from(f64::NAN), Value::Null);
    assert_eq!(Value::from(f64::INFINITY), Value::Null);
    check(
        "[1e-7, 1e21, 1e20, -0, -0.0, 4.50, 100, 1E2, 0.1, 123456789012345680000]",
        "[1e-7,1e+21,100000000000000000000,0,0,4.5,100,100,0.1,123456789012345680000]",
    );
}

#[test]
fn integers_must_be_exact_doubles() {
    check("9007199254740992", "9007199254740992");
    // Exact doubles print as ECMAScript prints them: shortest round-trip digits, then zeros.
    check("-9223372036854775808", "-9223372036854776000");
    check("1152921504606846976", "1152921504606847000");
    let err = canonical::to_vec(&json!({"a": [1, {"b/c": 9007199254740993u64}]})).unwrap_err();
    assert_eq!(
        err,
        CanonicalError::InexactNumber {
            path: "/a/1/b~1c".into(),
            number: "9007199254740993".into()
        }
    );
    assert_eq!(
        err.to_string(),
        "/a/1/b~1c: the integer 9007199254740993 has no exact IEEE 754 double; RFC 8785 requires numbers a double can hold (carry larger integers as strings)"
    );
    assert!(canonical::to_vec(&json!(u64::MAX)).is_err());
    assert!(canonical::to_vec(&json!(-9007199254740993i64)).is_err());
}
