//! Version order of Hackage packages: Haskell's `Data.Version`, whose order is that of its
//! list of integer components (`versionBranch`).
//!
//! A version is one or more non-negative integers separated by `.`. Versions compare like
//! Haskell lists: component by component as numbers, and a proper prefix sorts first.
//!
//! # Traps
//!
//! - `1.0 < 1.0.0`: trailing zeros count; Haskell's list order puts the prefix first.
//! - Components are numbers, not text: `1.9 < 1.10`, and `Data.Version` reads leading zeros
//!   away (`1.01 == 1.1`). Cabal, which checks what Hackage accepts, is stricter (no leading
//!   zeros, at most 9 digits), so real Hackage versions never differ on this.
//! - Components are Haskell `Int`s (64-bit): `Data.Version`'s parser silently wraps a
//!   larger one, which gives no meaningful order, so we reject it.
//! - `Data.Version` also parses tags (`1.0-beta`), but its order ignores them, Cabal drops
//!   them with a warning, and Hackage versions have none: anything but digits and dots is
//!   rejected, as are empty components (`1..2`, `1.`, `.1`).
//!
//! # The key
//!
//! Each component is [`PART`] and its value; [`END`] closes the version. `END` sorts below
//! `PART`, so a version that stops where the other goes on is the lower one.

use crate::Invalid;
use crate::key::KeyWriter;

/// The end of the version: below [`PART`], so a proper prefix sorts first.
const END: u8 = 0x00;
/// A component; its value follows.
const PART: u8 = 0x01;

/// The largest Haskell `Int` on 64-bit platforms.
const INT_MAX: u64 = i64::MAX as u64;

pub(crate) fn encode(input: &str, w: &mut KeyWriter) -> Result<(), Invalid> {
    let bytes = input.as_bytes();
    let mut start = 0;
    loop {
        let rest = bytes.get(start..).unwrap_or_default();
        let len = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        let digits = rest.get(..len).unwrap_or_default();
        if digits.is_empty() {
            return Err(match start {
                0 => Invalid::at(
                    0,
                    format!("expected a number but found {}", found(input, 0)),
                ),
                _ => Invalid::at(
                    start,
                    format!(
                        "expected a number after \".\" but found {}",
                        found(input, start)
                    ),
                ),
            });
        }
        w.tag(PART);
        w.uint(component(digits).ok_or_else(|| {
            Invalid::at(
                start,
                format!(
                    "component {} is larger than {INT_MAX}, the largest Haskell Int",
                    String::from_utf8_lossy(digits)
                ),
            )
        })?);
        let end = start + len;
        match bytes.get(end) {
            None => break,
            Some(b'.') => start = end + 1,
            Some(_) => {
                return Err(Invalid::at(
                    end,
                    format!("expected \".\" but found {}", found(input, end)),
                ));
            }
        }
    }
    w.tag(END);
    Ok(())
}

/// The value of a run of ASCII digits, if a Haskell `Int` holds it.
fn component(digits: &[u8]) -> Option<u64> {
    let mut value = 0u64;
    for &d in digits {
        value = value.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
    }
    (value <= INT_MAX).then_some(value)
}

/// The character at byte `at`, quoted, or "the end".
fn found(input: &str, at: usize) -> String {
    match input.get(at..).and_then(|rest| rest.chars().next()) {
        Some(c) => format!("{:?}", c.to_string()),
        None => "the end".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use std::cmp::Ordering;

    use proptest::prelude::*;

    use crate::Scheme;
    use crate::testing::{
        assert_accepted_and_matches, assert_accepts_unless_blank, assert_antisymmetric,
        assert_equal_iff_keys_equal, assert_transitive, check_all, key_order, rejects_all,
    };

    #[test]
    fn notable_orders() {
        let cases = [
            ("1.0", "<", "1.0.0"),
            ("1.9", "<", "1.10"),
            ("1.01", "=", "1.1"),
            ("0", "<", "0.0"),
            ("2", ">", "1.99.99"),
            ("1.2.3", "<", "1.2.3.0.0"),
            ("9223372036854775807", ">", "9223372036854775806.1"),
        ];
        check_all(Scheme::Hackage, &cases);
    }

    #[test]
    fn rejected_inputs() {
        let cases = [
            ("1.0-beta", "expected \".\" but found \"-\" (at byte 3)"),
            (
                "1..2",
                "expected a number after \".\" but found \".\" (at byte 2)",
            ),
            (
                "1.",
                "expected a number after \".\" but found the end (at byte 2)",
            ),
            ("v1", "expected a number but found \"v\" (at byte 0)"),
            (
                "1.x",
                "expected a number after \".\" but found \"x\" (at byte 2)",
            ),
            (
                "1.9223372036854775808",
                "component 9223372036854775808 is \
             larger than 9223372036854775807, the largest Haskell Int (at byte 2)",
            ),
        ];
        rejects_all(Scheme::Hackage, &cases);
    }

    /// `compare` on `versionBranch`: Haskell's list order, on the strings.
    fn compare_branches(a: &str, b: &str) -> Ordering {
        let branch =
            |v: &str| -> Vec<u64> { v.split('.').map(|p| p.parse().expect("digits")).collect() };
        branch(a).cmp(&branch(b))
    }

    fn haskell_accepts(v: &str) -> bool {
        v.split('.').all(|p| {
            !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) && p.parse::<i64>().is_ok()
        })
    }

    fn version() -> impl Strategy<Value = String> {
        let component = prop_oneof![
            6 => (0u64..12).prop_map(|n| n.to_string()),
            1 => (0u64..5).prop_map(|n| format!("00{n}")),
            1 => (i64::MAX as u64 - 3..=i64::MAX as u64).prop_map(|n| n.to_string()),
        ];
        proptest::collection::vec(component, 1..6).prop_map(|parts| parts.join("."))
    }

    /// The reference on what `Scheme::parse` sees.
    fn reference(a: &str, b: &str) -> Option<Ordering> {
        Some(compare_branches(a, b))
    }

    proptest! {
        #[test]
        fn key_order_is_list_order(a in version(), b in version()) {
            assert_accepted_and_matches(Scheme::Hackage, &a, &b, reference)?;
        }

        #[test]
        fn antisymmetric(a in version(), b in version()) {
            assert_antisymmetric(&a, &b, |x, y| key_order(Scheme::Hackage, x, y))?;
        }

        #[test]
        fn transitive(a in version(), b in version(), c in version()) {
            assert_transitive(&a, &b, &c, |x, y| key_order(Scheme::Hackage, x, y))?;
        }

        #[test]
        fn equal_keys_are_equal_versions(a in version(), b in version()) {
            assert_equal_iff_keys_equal(Scheme::Hackage, &a, &b, reference)?;
        }

        /// Junk never panics, and is accepted exactly when it is digits and dots.
        #[test]
        fn accepts_only_numeric_versions(s in "[0-9.\\-a ]{1,12}|[0-9]{18,21}(\\.[0-9]{1,3})?") {
            assert_accepts_unless_blank(Scheme::Hackage, &s, haskell_accepts)?;
        }
    }
}
