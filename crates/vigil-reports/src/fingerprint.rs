//! Fingerprints: one SHA-256 over length-prefixed parts, so that no two different lists
//! of parts hash alike.

use sha2::{Digest, Sha256};

use crate::model::Fingerprint;

/// The fingerprint of `parts`, the first of which should be the tool name.
pub(crate) fn of(parts: &[&str], from_tool: bool) -> Fingerprint {
    let mut h = Sha256::new();
    for part in parts {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    Fingerprint {
        value: hex::encode(h.finalize()),
        from_tool,
    }
}

#[cfg(test)]
mod tests {
    use super::of;

    #[test]
    fn parts_are_delimited() {
        assert_ne!(of(&["ab", "c"], false).value, of(&["a", "bc"], false).value);
        assert_eq!(of(&["a", "b"], true).value, of(&["a", "b"], false).value);
        assert_eq!(of(&["a"], false).value.len(), 64);
    }
}
