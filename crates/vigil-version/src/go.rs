//! Version order of Go modules, as `golang.org/x/mod/semver` compares them: SemVer 2.0
//! precedence, read with the SemVer scanner and key of [`crate::semver`].
//!
//! The traps of Go's rules:
//!
//! - Go tooling writes a `v` (`v1.2.3`) and its parser requires one, but OSV's Go
//!   advisories leave it out (`1.2.3`); both spellings are the same version here.
//! - `v1` and `v1.2` are shorthands for `v1.0.0` and `v1.2.0`, but only bare: Go rejects
//!   `v1.2-pre` and `v1.2+meta`, and so does this module.
//! - Pseudo-versions are ordinary pre-releases, not a separate kind. In
//!   `v0.0.0-20191109021931-daa7c04131f5` the pre-release is the *single* identifier
//!   `20191109021931-daa7c04131f5` (the hyphen does not split it), which is text, so two
//!   such versions compare as ASCII; the fixed-width timestamp makes that chronological.
//!   `v1.2.4-0.20191109021931-daa7c04131f5` has the identifiers `0` and the timestamp-hash:
//!   it sorts after `v1.2.3` and before `v1.2.4-1`, `v1.2.4-alpha` and the release,
//!   since the numeric `0` is the lowest identifier there is (only the unusual
//!   `v1.2.4-0` itself sorts lower, being a shorter list). `v1.2.3-pre.0.2019...` sorts
//!   just after `v1.2.3-pre` for the same reason: a longer identifier list wins a tie.
//! - `+incompatible` (a v2+ module without a `go.mod`) is build metadata: it does not
//!   change the order, so `v2.0.0+incompatible == v2.0.0`.
//! - Leading zeros are invalid in numbers and in numeric pre-release identifiers
//!   (`v1.02.3`, `v1.2.3-01`), as in Go.
//! - Go's `semver.Compare` treats every invalid string as equal to every other and below
//!   all valid versions; here an invalid string is rejected with the reason instead, so
//!   it can never silently fall inside a range.
//!
//! One leniency beyond Go, because OSV data needs it: numeric components after the third
//! (`1.1.3.4.5`) are build metadata, as in every SemVer dialect.
//!
//! The key is the SemVer key described in [`crate::semver`]: the three numbers, then a
//! pre-release marker and its identifiers, or the higher release marker.

use crate::Invalid;
use crate::key::KeyWriter;
use crate::semver::{self, STRICT};

pub(crate) fn encode(input: &str, w: &mut KeyWriter) -> Result<(), Invalid> {
    // Go's grammar is the strict one: no leading zeros, short versions only when bare.
    semver::encode_with(input, w, &STRICT)
}

#[cfg(test)]
mod tests {
    use std::cmp::Ordering;

    use proptest::prelude::*;

    use crate::Scheme;
    use crate::testing::{Shape, assert_consistent_triple, check_all, rejects_all, shaped_triples};

    #[test]
    fn notable_orderings() {
        let cases = [
            ("v1.2.3", "=", "1.2.3"),
            ("v1", "=", "v1.0.0"),
            ("v1.2", "=", "1.2.0"),
            ("v2.0.0+incompatible", "=", "v2.0.0"),
            ("v2.0.0+incompatible", "<", "v2.0.1"),
            ("v0.0.0-20191109021931-daa7c04131f5", "<", "v0.0.0"),
            (
                "v0.0.0-20191109021931-daa7c04131f5",
                "<",
                "v0.0.0-20200101000000-000000000000",
            ),
            ("v1.2.3", "<", "v1.2.4-0.20191109021931-daa7c04131f5"),
            ("v1.2.4-0.20191109021931-daa7c04131f5", "<", "v1.2.4-alpha"),
            ("v1.2.4-0", "<", "v1.2.4-0.20191109021931-daa7c04131f5"),
            ("v1.2.4-0.20191109021931-daa7c04131f5", "<", "v1.2.4-1"),
            ("v1.2.4-0.20191109021931-daa7c04131f5", "<", "v1.2.4"),
            (
                "v1.2.4-pre",
                "<",
                "v1.2.4-pre.0.20191109021931-daa7c04131f5",
            ),
            (
                "v1.2.4-pre.0.20191109021931-daa7c04131f5",
                "<",
                "v1.2.4-pre.1",
            ),
            ("v1.0.0-rc.9", "<", "v1.0.0-rc.10"),
            ("v1.0.0-RC", "<", "v1.0.0-rc"),
            ("1.1.3.4.5", "=", "v1.1.3"),
        ];
        check_all(Scheme::Go, &cases);
    }

    #[test]
    fn rejected_inputs() {
        let cases = [
            ("V1.2.3", "expected a number but found \"V\" (at byte 0)"),
            ("vv1.2.3", "expected a number but found \"v\" (at byte 1)"),
            (
                "v1.2-pre",
                "a pre-release needs all three of major.minor.patch (at byte 4)",
            ),
            (
                "v1+meta",
                "build metadata needs all three of major.minor.patch (at byte 2)",
            ),
            (
                "v01.2.3",
                "major version \"01\" has a leading zero (at byte 1)",
            ),
            (
                "v1.2.3-01",
                "numeric pre-release identifier \"01\" has a leading zero (at byte 7)",
            ),
            ("v1.2.3-", "empty pre-release identifier (at byte 7)"),
            (
                "v1.2.3+in_compatible",
                "unexpected \"_\" in the build metadata (at byte 9)",
            ),
        ];
        rejects_all(Scheme::Go, &cases);
    }

    /// A version as `golang.org/x/mod/semver` holds it after parsing.
    #[derive(Debug)]
    struct Parsed {
        numbers: [String; 3],
        prerelease: String,
    }

    /// Reads one number as Go's `parseInt` does: digits, and no leading zero.
    fn go_int(v: &str) -> Option<(&str, &str)> {
        let end = v.find(|c: char| !c.is_ascii_digit()).unwrap_or(v.len());
        let (n, rest) = v.split_at(end);
        if n.is_empty() || (n.len() > 1 && n.starts_with('0')) {
            return None;
        }
        Some((n, rest))
    }

    fn go_identifiers(list: &str, numeric_zeros: bool) -> bool {
        list.split('.').all(|id| {
            !id.is_empty()
                && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && (numeric_zeros
                    || !(id.len() > 1
                        && id.starts_with('0')
                        && id.chars().all(|c| c.is_ascii_digit())))
        })
    }

    /// Go's parser, step by step, with the `v` made optional and OSV's extra components.
    fn go_parse(input: &str) -> Option<Parsed> {
        let v = input.strip_prefix('v').unwrap_or(input);
        let (major, v) = go_int(v)?;
        if v.is_empty() {
            return Some(Parsed {
                numbers: [major.into(), "0".into(), "0".into()],
                prerelease: String::new(),
            });
        }
        let (minor, v) = go_int(v.strip_prefix('.')?)?;
        if v.is_empty() {
            return Some(Parsed {
                numbers: [major.into(), minor.into(), "0".into()],
                prerelease: String::new(),
            });
        }
        let (patch, mut v) = go_int(v.strip_prefix('.')?)?;
        // OSV's extension: `.N` components after the patch are build metadata.
        let mut extended = false;
        while let Some(rest) = v.strip_prefix('.') {
            let end = rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len());
            if end == 0 {
                return None;
            }
            v = &rest[end..];
            extended = true;
        }
        let mut prerelease = String::new();
        if let Some(rest) = v.strip_prefix('-') {
            if extended {
                return None;
            }
            let end = rest.find('+').unwrap_or(rest.len());
            if !go_identifiers(&rest[..end], false) {
                return None;
            }
            prerelease = rest[..end].to_owned();
            v = &rest[end..];
        }
        if let Some(rest) = v.strip_prefix('+') {
            if !go_identifiers(rest, true) {
                return None;
            }
            v = "";
        }
        if !v.is_empty() {
            return None;
        }
        Some(Parsed {
            numbers: [major.into(), minor.into(), patch.into()],
            prerelease,
        })
    }

    /// Go's `compareInt`: without leading zeros, a longer number is larger.
    fn compare_int(x: &str, y: &str) -> Ordering {
        x.len().cmp(&y.len()).then_with(|| x.cmp(y))
    }

    fn is_num(s: &str) -> bool {
        s.chars().all(|c| c.is_ascii_digit())
    }

    /// Go's `comparePrerelease`, identifier by identifier.
    fn compare_prerelease(x: &str, y: &str) -> Ordering {
        if x == y {
            return Ordering::Equal;
        }
        if x.is_empty() {
            return Ordering::Greater;
        }
        if y.is_empty() {
            return Ordering::Less;
        }
        let mut xs = x.split('.');
        let mut ys = y.split('.');
        loop {
            match (xs.next(), ys.next()) {
                (None, None) => return Ordering::Equal,
                (None, Some(_)) => return Ordering::Less,
                (Some(_), None) => return Ordering::Greater,
                (Some(dx), Some(dy)) => {
                    if dx == dy {
                        continue;
                    }
                    return match (is_num(dx), is_num(dy)) {
                        (true, true) => compare_int(dx, dy),
                        (true, false) => Ordering::Less,
                        (false, true) => Ordering::Greater,
                        (false, false) => dx.cmp(dy),
                    };
                }
            }
        }
    }

    fn go_compare(a: &Parsed, b: &Parsed) -> Ordering {
        for (x, y) in a.numbers.iter().zip(&b.numbers) {
            let c = compare_int(x, y);
            if c != Ordering::Equal {
                return c;
            }
        }
        compare_prerelease(&a.prerelease, &b.prerelease)
    }

    fn shape() -> Shape {
        Shape {
            number: prop_oneof![
                6 => Just("1".to_owned()),
                3 => Just("0".to_owned()),
                1 => Just("01".to_owned()),
                1 => Just("99999999999999999999".to_owned()),
                1 => "[0-9]{1,3}",
            ]
            .boxed(),
            count: prop_oneof![1 => 1..=2usize, 8 => Just(3usize), 1 => 4..=5usize].boxed(),
            identifier: prop_oneof![
                3 => Just("0".to_owned()),
                2 => Just("1".to_owned()),
                1 => Just("01".to_owned()),
                2 => Just("20191109021931-daa7c04131f5".to_owned()),
                2 => Just("20200101000000-000000000000".to_owned()),
                1 => Just("20191109021931".to_owned()),
                2 => Just("pre".to_owned()),
                1 => Just("rc".to_owned()),
                1 => Just("RC".to_owned()),
                1 => Just("incompatible".to_owned()),
                1 => "[0-9A-Za-z-]{1,3}",
                1 => Just(String::new()),
            ]
            .boxed(),
            prefix: prop_oneof![3 => Just("v"), 3 => Just(""), 1 => Just("V")].boxed(),
            separator: prop_oneof![8 => Just("-"), 1 => Just("")].boxed(),
        }
    }

    proptest! {
        #[test]
        fn matches_go_reference([a, b, c] in shaped_triples(shape())) {
            assert_consistent_triple(Scheme::Go, [&a, &b, &c], go_parse, go_compare)?;
        }
    }
}
