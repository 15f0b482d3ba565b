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

    use crate::semver::tests::{Shape, triples};
    use crate::{Key, Scheme};

    fn key(s: &str) -> Key {
        match Scheme::Go.parse(s) {
            Ok(v) => v.key().clone(),
            Err(e) => panic!("Go rejected {s:?}: {e}"),
        }
    }

    fn check(a: &str, op: &str, b: &str) {
        let expect = match op {
            "<" => Ordering::Less,
            "=" => Ordering::Equal,
            ">" => Ordering::Greater,
            _ => panic!("bad operator {op}"),
        };
        assert_eq!(key(a).cmp(&key(b)), expect, "expected {a} {op} {b}");
    }

    fn rejects(input: &str, reason: &str) {
        match Scheme::Go.parse(input) {
            Ok(v) => panic!("Go accepted {input:?} as {:?}", v.key()),
            Err(e) => assert_eq!(
                e.to_string(),
                format!("invalid Go version {input:?}: {reason}")
            ),
        }
    }

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
        for (a, op, b) in cases {
            check(a, op, b);
        }
    }

    #[test]
    fn rejected_inputs() {
        rejects("V1.2.3", "expected a number but found \"V\" (at byte 0)");
        rejects("vv1.2.3", "expected a number but found \"v\" (at byte 1)");
        rejects(
            "v1.2-pre",
            "a pre-release needs all three of major.minor.patch (at byte 4)",
        );
        rejects(
            "v1+meta",
            "build metadata needs all three of major.minor.patch (at byte 2)",
        );
        rejects(
            "v01.2.3",
            "major version \"01\" has a leading zero (at byte 1)",
        );
        rejects(
            "v1.2.3-01",
            "numeric pre-release identifier \"01\" has a leading zero (at byte 7)",
        );
        rejects("v1.2.3-", "empty pre-release identifier (at byte 7)");
        rejects(
            "v1.2.3+in_compatible",
            "unexpected \"_\" in the build metadata (at byte 9)",
        );
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

    fn parse_both(s: &str) -> Result<Option<(Key, Parsed)>, TestCaseError> {
        let s = s.trim();
        let ours = Scheme::Go.parse(s).ok();
        let reference = go_parse(s);
        prop_assert_eq!(
            ours.is_some(),
            reference.is_some(),
            "acceptance of {:?}: ours {:?}, reference {:?}",
            s,
            ours,
            reference
        );
        Ok(ours.zip(reference).map(|(v, r)| (v.key().clone(), r)))
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
        fn matches_go_reference([a, b, c] in triples(shape())) {
            let parsed = [parse_both(&a)?, parse_both(&b)?, parse_both(&c)?];
            for (i, j) in [(0, 1), (1, 2), (0, 2)] {
                let (Some(x), Some(y)) = (&parsed[i], &parsed[j]) else {
                    continue;
                };
                let reference = go_compare(&x.1, &y.1);
                prop_assert_eq!(x.0.cmp(&y.0), reference, "{:?} vs {:?}", x.1, y.1);
                prop_assert_eq!(x.0 == y.0, reference == Ordering::Equal);
                prop_assert_eq!(go_compare(&y.1, &x.1), reference.reverse());
                prop_assert_eq!(y.0.cmp(&x.0), reference.reverse());
            }
            if let [Some(a), Some(b), Some(c)] = &parsed {
                let (ab, bc, ac) = (go_compare(&a.1, &b.1), go_compare(&b.1, &c.1), go_compare(&a.1, &c.1));
                if ab == bc {
                    prop_assert_eq!(ac, ab);
                }
                if ab == Ordering::Equal {
                    prop_assert_eq!(ac, bc);
                }
                if bc == Ordering::Equal {
                    prop_assert_eq!(ac, ab);
                }
            }
        }
    }
}
