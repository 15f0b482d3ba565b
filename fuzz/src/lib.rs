//! What every fuzz target checks, beyond "no panic".

use vigil_version::Scheme;

/// Parses the input as one or two versions (split at the first newline) and checks that
/// parsing is deterministic and comparison antisymmetric and reflexive.
pub fn version(scheme: Scheme, data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (a, b) = text.split_once('\n').unwrap_or((text, text));
    let (Ok(x), Ok(y)) = (scheme.parse(a), scheme.parse(b)) else {
        return;
    };
    assert_eq!(
        scheme.parse(a).ok().as_ref(),
        Some(&x),
        "parse is deterministic"
    );
    assert_eq!(x.cmp(&y), y.cmp(&x).reverse(), "{a:?} vs {b:?}");
    assert_eq!(x.cmp(&x), std::cmp::Ordering::Equal);
}
