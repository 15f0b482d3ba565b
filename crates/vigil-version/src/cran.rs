//! Version order of CRAN packages: R's `package_version`, compared as `utils::compareVersion`
//! does.
//!
//! A version is non-negative integers separated by `.` or `-`, the two separators being
//! the same (`1.2-3 == 1.2.3`). Versions compare component by component as numbers, and
//! when one is a prefix of the other the shorter one is lower.
//!
//! # Traps
//!
//! - `1.0 < 1.0.0`: trailing zeros count, unlike in most ecosystems. (R 4.2's
//!   `numeric_version` operators pad with zeros and call the two equal, but
//!   `utils::compareVersion` and the conformance data, which R generated with it, put the
//!   shorter one first; so do we.)
//! - Components are numbers, not text: `0.1.4 < 0.1.18`, and leading zeros do not count
//!   (`01.002 == 1.2`, as R's `as.integer` reads them).
//! - R stores components as 32-bit integers: one above 2147483647 becomes `NA` and the
//!   version no longer compares with anything. We reject it instead of inventing an order.
//! - `package_version` wants at least two components, but `numeric_version` and
//!   `compareVersion` take one, and the conformance data compares `0`; we accept one.
//! - Anything else R rejects is rejected: letters, empty components (`1..2`, `1.`, `.1`),
//!   signs, non-ASCII digits, inner whitespace.
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

/// The largest integer R can hold; `as.integer` turns anything above it into `NA`.
const R_INT_MAX: u64 = 2_147_483_647;

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
                        "expected a number after {} but found {}",
                        found(input, start - 1),
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
                    "component {} is larger than {R_INT_MAX}, the largest integer R can hold",
                    String::from_utf8_lossy(digits)
                ),
            )
        })?);
        let end = start + len;
        match bytes.get(end) {
            None => break,
            Some(b'.' | b'-') => start = end + 1,
            Some(_) => {
                return Err(Invalid::at(
                    end,
                    format!("expected \".\" or \"-\" but found {}", found(input, end)),
                ));
            }
        }
    }
    w.tag(END);
    Ok(())
}

/// The value of a run of ASCII digits, if R can hold it.
fn component(digits: &[u8]) -> Option<u64> {
    let significant = digits.iter().skip_while(|&&d| d == b'0');
    let mut value = 0u64;
    for &d in significant {
        value = value.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
        if value > R_INT_MAX {
            return None;
        }
    }
    Some(value)
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
            ("1.0.0", "<", "1.0.0.0"),
            ("0.1.4", "<", "0.1.18"),
            ("1.2-3", "=", "1.2.3"),
            ("1-0", "=", "1.0"),
            ("01.002", "=", "1.2"),
            ("0.9.22", "<", "1.0"),
            ("0.1.26.0", ">", "0"),
            ("1.1", ">", "1.0.9"),
            ("2147483647", ">", "2147483646.9"),
        ];
        check_all(Scheme::Cran, &cases);
    }

    #[test]
    fn rejected_inputs() {
        let cases = [
            (
                "1..2",
                "expected a number after \".\" but found \".\" (at byte 2)",
            ),
            (
                "1.",
                "expected a number after \".\" but found the end (at byte 2)",
            ),
            (".1", "expected a number but found \".\" (at byte 0)"),
            (
                "1.2a",
                "expected \".\" or \"-\" but found \"a\" (at byte 3)",
            ),
            (
                "1-rc1",
                "expected a number after \"-\" but found \"r\" (at byte 2)",
            ),
            ("1_2", "expected \".\" or \"-\" but found \"_\" (at byte 1)"),
            ("+1", "expected a number but found \"+\" (at byte 0)"),
            (
                "1 .2",
                "expected \".\" or \"-\" but found \" \" (at byte 1)",
            ),
            ("١.٢", "expected a number but found \"١\" (at byte 0)"),
            (
                "1.2147483648",
                "component 2147483648 is larger than 2147483647, \
             the largest integer R can hold (at byte 2)",
            ),
            (
                "1.99999999999999999999999",
                "component 99999999999999999999999 \
             is larger than 2147483647, the largest integer R can hold (at byte 2)",
            ),
        ];
        rejects_all(Scheme::Cran, &cases);
    }

    /// `utils::compareVersion`, on the strings: split at `.` and `-`, compare as integers,
    /// and a longer version wins a tie.
    fn compare_version(a: &str, b: &str) -> Ordering {
        let parts = |v: &str| -> Vec<u64> {
            v.split(['.', '-'])
                .map(|p| p.parse().expect("digits"))
                .collect()
        };
        let (a, b) = (parts(a), parts(b));
        for (x, y) in a.iter().zip(&b) {
            if x != y {
                return x.cmp(y);
            }
        }
        a.len().cmp(&b.len())
    }

    /// R's `numeric_version` validity: `([[:digit:]]+[.-])*[[:digit:]]+`, each component
    /// within R's integers.
    fn r_accepts(v: &str) -> bool {
        v.split(['.', '-']).all(|p| {
            !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) && {
                let t = p.trim_start_matches('0');
                t.len() < 10 || (t.len() == 10 && t <= "2147483647")
            }
        })
    }

    fn version() -> impl Strategy<Value = String> {
        let component = prop_oneof![
            6 => (0u32..12).prop_map(|n| n.to_string()),
            1 => (0u32..5).prop_map(|n| format!("0{n}")),
            1 => (2_147_483_640u32..=2_147_483_647).prop_map(|n| n.to_string()),
        ];
        proptest::collection::vec(
            (component, prop_oneof![3 => Just('.'), 1 => Just('-')]),
            1..6,
        )
        .prop_map(|parts| {
            let mut v = String::new();
            for (i, (c, sep)) in parts.into_iter().enumerate() {
                if i > 0 {
                    v.push(sep);
                }
                v.push_str(&c);
            }
            v
        })
    }

    /// The reference on what `Scheme::parse` sees.
    fn reference(a: &str, b: &str) -> Option<Ordering> {
        Some(compare_version(a, b))
    }

    proptest! {
        #[test]
        fn key_order_is_compare_version(a in version(), b in version()) {
            assert_accepted_and_matches(Scheme::Cran, &a, &b, reference)?;
        }

        #[test]
        fn antisymmetric(a in version(), b in version()) {
            assert_antisymmetric(&a, &b, |x, y| key_order(Scheme::Cran, x, y))?;
        }

        #[test]
        fn transitive(a in version(), b in version(), c in version()) {
            assert_transitive(&a, &b, &c, |x, y| key_order(Scheme::Cran, x, y))?;
        }

        #[test]
        fn equal_keys_are_equal_versions(a in version(), b in version()) {
            assert_equal_iff_keys_equal(Scheme::Cran, &a, &b, reference)?;
        }

        /// Junk never panics, and is accepted exactly when R accepts it.
        #[test]
        fn accepts_what_r_accepts(s in "[0-9.\\-a+ ]{1,12}|[0-9]{9,12}(\\.[0-9]{1,3})?") {
            assert_accepts_unless_blank(Scheme::Cran, &s, r_accepts)?;
        }
    }
}
