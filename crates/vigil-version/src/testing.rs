//! Test scaffolding shared by the scheme modules: table checks, rejection checks, the
//! properties every scheme's key must have against its reference comparator, and the
//! generators that make versions share prefixes.
//!
//! The reference comparators stay in their modules; the checks here take them as
//! closures `(a, b) -> Option<Ordering>`, where `None` means the reference declines
//! (it rejects one of the versions), and then nothing is asserted about the pair.

use std::cmp::Ordering;

use proptest::prelude::*;

use crate::{Key, Scheme};

/// The order a table operator (`<`, `=` or `>`) stands for.
#[track_caller]
fn ordering(op: &str) -> Ordering {
    match op {
        "<" => Ordering::Less,
        "=" => Ordering::Equal,
        ">" => Ordering::Greater,
        _ => panic!("unknown operator {op:?}"),
    }
}

/// The key of a version the scheme must accept.
#[track_caller]
fn key(scheme: Scheme, s: &str) -> Key {
    match scheme.parse(s) {
        Ok(v) => v.key().clone(),
        Err(e) => panic!("{scheme} rejected {s:?}: {e}"),
    }
}

/// The key of a version, or `None` where the scheme rejects it.
pub(crate) fn try_key(scheme: Scheme, s: &str) -> Option<Key> {
    scheme.parse(s).ok().map(|v| v.key().clone())
}

/// Key order, with a rejected version as `None`, before every key.
pub(crate) fn key_order(scheme: Scheme, a: &str, b: &str) -> Option<Ordering> {
    Some(try_key(scheme, a).cmp(&try_key(scheme, b)))
}

/// Asserts `a op b` by key, and the reverse for `b` against `a`.
#[track_caller]
pub(crate) fn check(scheme: Scheme, a: &str, op: &str, b: &str) {
    let want = ordering(op);
    let (ka, kb) = (key(scheme, a), key(scheme, b));
    assert_eq!(ka.cmp(&kb), want, "{scheme}: expected {a} {op} {b}");
    assert_eq!(kb.cmp(&ka), want.reverse(), "{scheme}: {b} vs {a}");
}

/// [`check`], and asserts `a op b` by the reference comparator too.
#[track_caller]
pub(crate) fn check_with_reference(
    scheme: Scheme,
    a: &str,
    op: &str,
    b: &str,
    reference_cmp: impl FnOnce(&str, &str) -> Option<Ordering>,
) {
    check(scheme, a, op, b);
    assert_eq!(
        reference_cmp(a, b),
        Some(ordering(op)),
        "{scheme}: {a} {op} {b} (reference)"
    );
}

/// [`check`] on every `(a, op, b)` of a table.
#[track_caller]
pub(crate) fn check_all(scheme: Scheme, cases: &[(&str, &str, &str)]) {
    for &(a, op, b) in cases {
        check(scheme, a, op, b);
    }
}

/// Asserts that the scheme rejects `input`, with exactly the message
/// `invalid {scheme} version {input:?}: {reason}`.
#[track_caller]
pub(crate) fn rejects(scheme: Scheme, input: &str, reason: &str) {
    match scheme.parse(input) {
        Ok(v) => panic!("{scheme} accepted {input:?} as {:?}", v.key()),
        Err(e) => assert_eq!(
            e.to_string(),
            format!("invalid {scheme} version {input:?}: {reason}"),
            "{scheme} on {input:?}"
        ),
    }
}

/// [`rejects`] on every `(input, reason)` of a table.
#[track_caller]
pub(crate) fn rejects_all(scheme: Scheme, cases: &[(&str, &str)]) {
    for &(input, reason) in cases {
        rejects(scheme, input, reason);
    }
}

// ---- Properties -------------------------------------------------------------------------

/// Asserts that the scheme accepts `input` exactly when the reference does.
pub(crate) fn assert_accepts_iff(
    scheme: Scheme,
    input: &str,
    reference_accepts: bool,
) -> Result<(), TestCaseError> {
    let ours = scheme.parse(input);
    prop_assert_eq!(
        ours.is_ok(),
        reference_accepts,
        "{} acceptance of {:?}: ours {:?}",
        scheme,
        input,
        ours
    );
    Ok(())
}

/// Asserts that the scheme accepts an input that is not blank exactly when the reference
/// accepts it trimmed; blank inputs are left out.
pub(crate) fn assert_accepts_unless_blank(
    scheme: Scheme,
    input: &str,
    reference_accepts: impl FnOnce(&str) -> bool,
) -> Result<(), TestCaseError> {
    let trimmed = input.trim();
    if !trimmed.is_empty() {
        assert_accepts_iff(scheme, input, reference_accepts(trimmed))?;
    }
    Ok(())
}

/// The keys of two versions the scheme accepts and the reference's order of them, or
/// `None` where either declines.
fn keys_and_reference(
    scheme: Scheme,
    a: &str,
    b: &str,
    reference_cmp: impl FnOnce(&str, &str) -> Option<Ordering>,
) -> Option<(Key, Key, Ordering)> {
    let (x, y) = (try_key(scheme, a)?, try_key(scheme, b)?);
    Some((x, y, reference_cmp(a, b)?))
}

/// (a) Where the scheme accepts both versions and the reference orders them, the keys
/// order them as the reference does.
pub(crate) fn assert_matches_reference(
    scheme: Scheme,
    a: &str,
    b: &str,
    reference_cmp: impl FnOnce(&str, &str) -> Option<Ordering>,
) -> Result<(), TestCaseError> {
    if let Some((x, y, want)) = keys_and_reference(scheme, a, b, reference_cmp) {
        prop_assert_eq!(x.cmp(&y), want, "{:?} vs {:?}", a, b);
    }
    Ok(())
}

/// (a) The scheme accepts both versions, and the keys order them as the reference does.
pub(crate) fn assert_accepted_and_matches(
    scheme: Scheme,
    a: &str,
    b: &str,
    reference_cmp: impl FnOnce(&str, &str) -> Option<Ordering>,
) -> Result<(), TestCaseError> {
    assert_accepts_iff(scheme, a, true)?;
    assert_accepts_iff(scheme, b, true)?;
    assert_matches_reference(scheme, a, b, reference_cmp)
}

/// (b) Swapping the operands of `cmp` reverses its answer.
pub(crate) fn assert_antisymmetric(
    a: &str,
    b: &str,
    cmp: impl Fn(&str, &str) -> Option<Ordering>,
) -> Result<(), TestCaseError> {
    if let (Some(ab), Some(ba)) = (cmp(a, b), cmp(b, a)) {
        prop_assert_eq!(ab, ba.reverse(), "{:?} vs {:?}", a, b);
    }
    Ok(())
}

/// (c) `cmp` is transitive on `a`, `b` and `c`, equality included.
pub(crate) fn assert_transitive(
    a: &str,
    b: &str,
    c: &str,
    cmp: impl Fn(&str, &str) -> Option<Ordering>,
) -> Result<(), TestCaseError> {
    let (Some(ab), Some(bc), Some(ac)) = (cmp(a, b), cmp(b, c), cmp(a, c)) else {
        return Ok(());
    };
    if ab == bc {
        prop_assert_eq!(ac, ab, "{:?} {:?} {:?}", a, b, c);
    }
    if ab == Ordering::Equal {
        prop_assert_eq!(ac, bc, "{:?} {:?} {:?}", a, b, c);
    }
    if bc == Ordering::Equal {
        prop_assert_eq!(ac, ab, "{:?} {:?} {:?}", a, b, c);
    }
    Ok(())
}

/// (c) Versions sorted by key are in the reference's order too: no pair of them, taken
/// in key order, does the reference put the other way round. Ties between equal keys are
/// broken by the strings as given.
pub(crate) fn assert_key_sort_agrees(
    scheme: Scheme,
    versions: [&str; 3],
    reference_cmp: impl Fn(&str, &str) -> Option<Ordering>,
) -> Result<(), TestCaseError> {
    let [Some(ka), Some(kb), Some(kc)] = versions.map(|v| try_key(scheme, v)) else {
        return Ok(());
    };
    let [a, b, c] = versions;
    let mut sorted = [(ka, a), (kb, b), (kc, c)];
    sorted.sort();
    for (i, j) in [(0, 1), (1, 2), (0, 2)] {
        let got = reference_cmp(sorted[i].1, sorted[j].1);
        prop_assert!(
            got != Some(Ordering::Greater),
            "{:?} then {:?}",
            sorted[i].1,
            sorted[j].1
        );
    }
    Ok(())
}

/// (d) Where the scheme accepts both versions and the reference orders them, their keys
/// are equal exactly when the reference says they are equal.
pub(crate) fn assert_equal_iff_keys_equal(
    scheme: Scheme,
    a: &str,
    b: &str,
    reference_cmp: impl FnOnce(&str, &str) -> Option<Ordering>,
) -> Result<(), TestCaseError> {
    if let Some((x, y, r)) = keys_and_reference(scheme, a, b, reference_cmp) {
        prop_assert_eq!(x == y, r == Ordering::Equal, "{:?} vs {:?}", a, b);
    }
    Ok(())
}

/// Every property at once on three (trimmed) versions, against a reference that parses
/// each version into an `R` and compares those: acceptance is the reference's, and on
/// every pair the keys order as the reference does, both ways, with equal keys exactly
/// for equal versions; the reference is antisymmetric and transitive.
pub(crate) fn assert_consistent_triple<R>(
    scheme: Scheme,
    versions: [&str; 3],
    reference_parse: impl Fn(&str) -> Option<R>,
    reference_cmp: impl Fn(&R, &R) -> Ordering,
) -> Result<(), TestCaseError> {
    let [a, b, c] = versions.map(str::trim);
    for v in [a, b, c] {
        assert_accepts_iff(scheme, v, reference_parse(v).is_some())?;
    }
    let cmp = |x: &str, y: &str| Some(reference_cmp(&reference_parse(x)?, &reference_parse(y)?));
    for (x, y) in [(a, b), (b, c), (a, c)] {
        assert_matches_reference(scheme, x, y, cmp)?;
        assert_equal_iff_keys_equal(scheme, x, y, cmp)?;
        assert_antisymmetric(x, y, cmp)?;
        assert_matches_reference(scheme, y, x, cmp)?;
    }
    assert_transitive(a, b, c, cmp)
}

// ---- Generators -------------------------------------------------------------------------

/// The pieces [`shaped_triples`] draws versions of one SemVer-like ecosystem from.
pub(crate) struct Shape {
    pub(crate) number: BoxedStrategy<String>,
    /// How many numeric components a version has.
    pub(crate) count: BoxedStrategy<usize>,
    pub(crate) identifier: BoxedStrategy<String>,
    pub(crate) prefix: BoxedStrategy<&'static str>,
    /// What goes between the numbers and the pre-release.
    pub(crate) separator: BoxedStrategy<&'static str>,
}

fn dotted(
    part: BoxedStrategy<String>,
    len: impl Strategy<Value = usize>,
) -> impl Strategy<Value = String> {
    len.prop_flat_map(move |n| prop::collection::vec(part.clone(), n))
        .prop_map(|v| v.join("."))
}

/// Three versions that share their numbers and a stem of pre-release identifiers
/// more often than not, so that comparisons reach the deep rules (a list that is a
/// prefix of another, identifiers that differ late); some are junk that only has to
/// be rejected without a panic.
pub(crate) fn shaped_triples(shape: Shape) -> impl Strategy<Value = [String; 3]> {
    let Shape {
        number,
        count,
        identifier,
        prefix,
        separator,
    } = shape;
    let numbers = dotted(number, count).boxed();
    (
        numbers.clone(),
        prop::collection::vec(identifier.clone(), 1..=4),
    )
        .prop_flat_map(move |(base, stem)| {
            let n = stem.len();
            let stem_a = stem.clone();
            let pre = prop_oneof![
                2 => Just(None),
                5 => (1..=n).prop_map(move |k| Some(stem_a[..k].join("."))),
                2 => (1..=n, identifier.clone())
                    .prop_map(move |(k, x)| Some(format!("{}.{x}", stem[..k].join(".")))),
                1 => dotted(identifier.clone(), 1..=3usize).prop_map(Some),
            ];
            let shaped = (
                prefix.clone(),
                prop_oneof![3 => Just(base), 1 => numbers.clone()],
                separator.clone(),
                pre,
                prop::option::weighted(0.3, dotted(identifier.clone(), 1..=2usize)),
                // Sometimes change the case of the suffixes, for the ecosystems
                // where case matters and those where it must not.
                prop_oneof![6 => Just(None), 1 => Just(Some(true)), 1 => Just(Some(false))],
            )
                .prop_map(|(prefix, numbers, sep, pre, build, upper)| {
                    let mut suffix = String::new();
                    if let Some(pre) = pre {
                        suffix.push_str(sep);
                        suffix.push_str(&pre);
                    }
                    if let Some(build) = build {
                        suffix.push('+');
                        suffix.push_str(&build);
                    }
                    match upper {
                        Some(true) => suffix.make_ascii_uppercase(),
                        Some(false) => suffix.make_ascii_lowercase(),
                        None => {}
                    }
                    format!("{prefix}{numbers}{suffix}")
                });
            let version = prop_oneof![
                16 => shaped,
                2 => "[v=0-9a-zA-Z.+ _-]{0,14}",
                1 => "\\PC{0,12}",
            ];
            prop::array::uniform3(version)
        })
}

/// `base` cut after `cut` characters, with `tail` appended.
pub(crate) fn derive(base: &str, cut: usize, tail: &str) -> String {
    let end = base.char_indices().nth(cut).map_or(base.len(), |(i, _)| i);
    format!("{}{tail}", &base[..end])
}

/// Two versions, often sharing a prefix: a version and a variant of it, or two variants
/// of one base cut at the same place, with different tails. `tail` is a regular
/// expression for the ecosystem's tokens, so that the comparison reaches the later ones.
pub(crate) fn pair<S: Strategy<Value = String>>(
    version: fn() -> S,
    tail: &'static str,
) -> impl Strategy<Value = (String, String)> {
    prop_oneof![
        (version(), version()),
        (version(), 0..16usize, tail).prop_map(|(base, cut, tail)| {
            let variant = derive(&base, cut, &tail);
            (base, variant)
        }),
        (version(), 0..16usize, tail, tail)
            .prop_map(|(base, cut, t1, t2)| { (derive(&base, cut, &t1), derive(&base, cut, &t2)) }),
    ]
}

/// Three versions, often sharing a prefix, as [`pair`] draws two.
pub(crate) fn triple<S: Strategy<Value = String>>(
    version: fn() -> S,
    tail: &'static str,
) -> impl Strategy<Value = (String, String, String)> {
    prop_oneof![
        (version(), version(), version()),
        (version(), 0..16usize, tail, tail, tail).prop_map(|(base, cut, t1, t2, t3)| {
            let derived = |tail: &str| derive(&base, cut, tail);
            (derived(&t1), derived(&t2), derived(&t3))
        }),
    ]
}
