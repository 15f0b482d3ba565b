//! The RFC 9162 hash functions and the names of perfect subtrees.

use sha2::{Digest, Sha256};

/// A SHA-256 hash: of a leaf, of an interior node, or of a whole tree.
pub type Hash = [u8; 32];

/// The leaf hash of `data`: `SHA-256(0x00 || data)`.
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0x00]);
    h.update(data);
    h.finalize().into()
}

/// The hash of an interior node: `SHA-256(0x01 || left || right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut block = [0u8; 65];
    block[0] = 0x01;
    block[1..33].copy_from_slice(left);
    block[33..].copy_from_slice(right);
    Sha256::digest(block).into()
}

/// The root of the empty tree: the SHA-256 of the empty string.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// The perfect subtree of 2^level leaves covering leaves `[index << level, (index + 1) << level)`.
///
/// Level 0 names single leaves. A `NodeId` says nothing about whether the subtree is
/// complete in a given tree: that holds when its last leaf is below the tree size
/// ([`NodeId::is_complete_in`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId {
    /// log2 of the number of leaves under the node; at most 63.
    pub level: u8,
    /// The position of the node among the nodes of its level, from 0 on the left.
    pub index: u64,
}

impl NodeId {
    /// The node of `2^level` leaves whose first leaf is `start`.
    ///
    /// Precondition: `level < 64` and `start` is a multiple of `2^level`.
    pub fn covering(level: u8, start: u64) -> NodeId {
        debug_assert!(level < 64 && start.trailing_zeros() >= u32::from(level));
        NodeId {
            level,
            index: start >> level,
        }
    }

    /// The first leaf under the node, or `None` when it lies beyond `u64::MAX`.
    pub fn first_leaf(self) -> Option<u64> {
        let first = self.index.checked_shl(u32::from(self.level))?;
        (first >> self.level == self.index).then_some(first)
    }

    /// One past the last leaf under the node, or `None` when that overflows a `u64`.
    pub fn end_leaf(self) -> Option<u64> {
        self.first_leaf()?
            .checked_add(1u64.checked_shl(u32::from(self.level))?)
    }

    /// Whether every leaf of the node is below `size`, so that a tree of `size` leaves
    /// (and every larger one) holds the node's hash.
    pub fn is_complete_in(self, size: u64) -> bool {
        self.end_leaf().is_some_and(|end| end <= size)
    }
}

/// Lowercase hex of a hash, for messages.
pub(crate) fn hex(hash: &Hash) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(64);
    for b in hash {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// The perfect subtrees that make up the leaf range `[start, end)`, left to right.
///
/// Precondition: the range is one an RFC 9162 tree splits into: `start` is a multiple of
/// the largest power of two not above `end - start` (every subtree in a proof is). The
/// subtrees then come largest first, and the range's hash is their right fold.
pub(crate) fn decompose(start: u64, end: u64) -> impl Iterator<Item = NodeId> {
    let mut at = start;
    std::iter::from_fn(move || {
        if at >= end {
            return None;
        }
        let len = end - at;
        let by_len = 63 - len.leading_zeros();
        let level = by_len.min(at.trailing_zeros());
        let id = NodeId {
            level: level as u8,
            index: at >> level,
        };
        at += 1u64 << level;
        Some(id)
    })
}

/// The hash of a range from the hashes of its perfect subtrees, largest (leftmost) first:
/// `node(h0, node(h1, ... node(h[k-2], h[k-1])))`. An empty list is the empty tree.
pub(crate) fn fold_right<'a>(hashes: impl DoubleEndedIterator<Item = &'a Hash>) -> Hash {
    let mut it = hashes.rev();
    let Some(last) = it.next() else {
        return empty_root();
    };
    it.fold(*last, |acc, h| node_hash(h, &acc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_root_is_sha256_of_nothing() {
        assert_eq!(
            hex(&empty_root()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn decompose_follows_the_set_bits() {
        let ids: Vec<_> = decompose(0, 13).collect();
        assert_eq!(
            ids,
            [
                NodeId { level: 3, index: 0 },
                NodeId { level: 2, index: 2 },
                NodeId {
                    level: 0,
                    index: 12
                },
            ]
        );
        let ids: Vec<_> = decompose(8, 11).collect();
        assert_eq!(
            ids,
            [
                NodeId { level: 1, index: 4 },
                NodeId {
                    level: 0,
                    index: 10
                }
            ]
        );
        assert_eq!(decompose(0, u64::MAX).count(), 64);
    }

    #[test]
    fn node_bounds_do_not_overflow() {
        let top = NodeId {
            level: 63,
            index: 1,
        };
        assert_eq!(top.first_leaf(), Some(1 << 63));
        assert_eq!(top.end_leaf(), None);
        assert!(!top.is_complete_in(u64::MAX));
        let huge = NodeId {
            level: 2,
            index: u64::MAX,
        };
        assert_eq!(huge.first_leaf(), None);
        assert!(
            NodeId {
                level: 62,
                index: 1
            }
            .is_complete_in(u64::MAX)
        );
    }
}
