//! Which subtrees a proof is made of, and proof verification (RFC 9162 section 2.1.3 and
//! 2.1.4, and the subtree proofs of the Merkle Tree Certificates draft).
//!
//! The tree of `size` leaves is the binary tree over leaf positions in which a node whose
//! right child would start at or beyond `size` is replaced by its left child. Walking up
//! from a node, each level contributes its sibling, if the sibling starts before `size`;
//! that sibling is a perfect subtree, or on the right edge, the hash of the leaves from its
//! start to `size`. RFC 9162's recursive PATH and SUBPROOF list exactly these siblings,
//! bottom up, which the exhaustive tests check against a literal transcription.

use crate::error::ProofError;
use crate::hash::{Hash, node_hash};

/// Where a proof hash sits relative to the running hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Side {
    /// The sibling is on the left: `node(sibling, running)`.
    Left,
    /// The sibling is on the right: `node(running, sibling)`.
    Right,
}

/// A step of the walk from a node to the root: the sibling's leaf range and side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Step {
    pub(crate) start: u64,
    pub(crate) end: u64,
    pub(crate) side: Side,
}

/// The siblings met walking from the node `(level, index)` up to the root of a tree of
/// `size` leaves, bottom up.
///
/// Precondition: the node's first leaf is below `size`.
pub(crate) fn path(level: u32, index: u64, size: u64) -> impl Iterator<Item = Step> {
    // u128 keeps `index << level` and the node ends exact up to level 64.
    let size = u128::from(size);
    let mut level = level;
    let mut index = u128::from(index);
    std::iter::from_fn(move || {
        loop {
            let width = 1u128 << level;
            let start = index * width;
            if start == 0 && width >= size {
                return None;
            }
            let sibling = index ^ 1;
            let sib_start = sibling * width;
            let side = if index & 1 == 1 {
                Side::Left
            } else {
                Side::Right
            };
            level += 1;
            index >>= 1;
            if sib_start < size {
                let sib_end = (sib_start + width).min(size);
                // Both bounds are at most `size`, which came from a u64.
                return Some(Step {
                    start: sib_start as u64,
                    end: sib_end as u64,
                    side,
                });
            }
        }
    })
}

/// The leaf ranges of an inclusion proof's hashes, in proof order.
///
/// Precondition: `index < size`.
pub(crate) fn inclusion_steps(index: u64, size: u64) -> impl Iterator<Item = Step> {
    path(0, index, size)
}

/// What a consistency proof is made of: optionally the old tree's last perfect subtree
/// (when `size1` is not a power of two), then the path from that subtree to the new root.
pub(crate) struct ConsistencyShape {
    /// The old tree's last perfect subtree, as a leaf range.
    pub(crate) seed: (u64, u64),
    /// Whether the seed is the first proof hash (false: it is the old root itself).
    pub(crate) seed_in_proof: bool,
    /// The level and index of the seed.
    pub(crate) level: u32,
    pub(crate) index: u64,
}

/// The shape of the proof from `size1` to `size2`.
///
/// Precondition: `0 < size1 < size2`.
pub(crate) fn consistency_shape(size1: u64, size2: u64) -> ConsistencyShape {
    debug_assert!(0 < size1 && size1 < size2);
    let level = size1.trailing_zeros();
    let index = (size1 - 1) >> level;
    ConsistencyShape {
        seed: (index << level, size1),
        seed_in_proof: index != 0,
        level,
        index,
    }
}

/// Checks the sizes of a consistency proof request: `0 < size1 <= size2`.
pub(crate) fn check_consistency_sizes(size1: u64, size2: u64) -> Result<(), ProofError> {
    if size1 > size2 {
        return Err(ProofError::SizeOrder { size1, size2 });
    }
    if size1 == 0 {
        return Err(ProofError::EmptyOldTree { size2 });
    }
    Ok(())
}

/// The number of hashes in the inclusion proof of leaf `index` in a tree of `size` leaves.
///
/// Precondition: `index < size`, else [`ProofError::IndexOutOfRange`].
pub fn inclusion_proof_len(index: u64, size: u64) -> Result<usize, ProofError> {
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    Ok(inclusion_steps(index, size).count())
}

/// The number of hashes in the consistency proof from `size1` to `size2`.
///
/// Precondition: `0 < size1 <= size2`, or an error says which does not hold.
pub fn consistency_proof_len(size1: u64, size2: u64) -> Result<usize, ProofError> {
    check_consistency_sizes(size1, size2)?;
    if size1 == size2 {
        return Ok(0);
    }
    let shape = consistency_shape(size1, size2);
    Ok(usize::from(shape.seed_in_proof) + path(shape.level, shape.index, size2).count())
}

/// The root that `proof` leads to from leaf `index` (its leaf hash `leaf_hash`) in a tree of
/// `size` leaves.
///
/// Precondition: `index < size` and the proof has exactly the length those call for;
/// otherwise an error says which does not hold. The result is meaningful only once compared
/// with a trusted root, which [`verify_inclusion`] does.
pub fn root_from_inclusion(
    leaf_hash: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
) -> Result<Hash, ProofError> {
    let expected = inclusion_proof_len(index, size)?;
    if proof.len() != expected {
        return Err(ProofError::WrongProofLength {
            expected,
            got: proof.len(),
            what: format!("inclusion of leaf {index} in a tree of size {size}"),
        });
    }
    Ok(climb(*leaf_hash, inclusion_steps(index, size), proof))
}

/// Combines `running` with the proof hashes along `steps`.
fn climb(running: Hash, steps: impl Iterator<Item = Step>, proof: &[Hash]) -> Hash {
    steps
        .zip(proof)
        .fold(running, |acc, (step, p)| match step.side {
            Side::Left => node_hash(p, &acc),
            Side::Right => node_hash(&acc, p),
        })
}

/// Checks that `proof` shows leaf `index`, whose leaf hash is `leaf_hash`, in the tree of
/// `size` leaves whose root is `root`.
///
/// Precondition: `index < size`. A proof of the wrong length is an error before any hashing.
pub fn verify_inclusion(
    leaf_hash: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), ProofError> {
    let computed = root_from_inclusion(leaf_hash, index, size, proof)?;
    if computed != *root {
        return Err(ProofError::RootMismatch {
            computed,
            expected: *root,
        });
    }
    Ok(())
}

/// Checks that `proof` shows the tree of `size2` leaves with root `root2` extends the tree
/// of `size1` leaves with root `root1`.
///
/// Preconditions: `0 < size1 <= size2`. When the sizes are equal the proof must be empty
/// and the roots equal. `size1 == 0` is rejected ([`ProofError::EmptyOldTree`]): nothing can
/// be proved about the empty tree, and a caller holding it needs no proof.
pub fn verify_consistency(
    size1: u64,
    size2: u64,
    proof: &[Hash],
    root1: &Hash,
    root2: &Hash,
) -> Result<(), ProofError> {
    let expected = consistency_proof_len(size1, size2)?;
    if proof.len() != expected {
        return Err(ProofError::WrongProofLength {
            expected,
            got: proof.len(),
            what: format!("consistency from size {size1} to size {size2}"),
        });
    }
    if size1 == size2 {
        if root1 != root2 {
            return Err(ProofError::SameSizeDifferentRoots {
                size: size1,
                root1: *root1,
                root2: *root2,
            });
        }
        return Ok(());
    }
    let new = consistency_new_root(size1, size2, proof, root1)?;
    if new != *root2 {
        return Err(ProofError::RootMismatch {
            computed: new,
            expected: *root2,
        });
    }
    Ok(())
}

/// Whether `[start, end)` is a subtree some tree is made of: non-empty, and `start` a
/// multiple of the smallest power of two at least `end - start` (Merkle Tree Certificates
/// draft, section "Subtrees").
pub(crate) fn check_subtree(start: u64, end: u64) -> Result<(), ProofError> {
    let valid = start < end
        && (end - start)
            .checked_next_power_of_two()
            .is_none_or(|width| start.is_multiple_of(width))
        && (end - start <= 1 << 63 || start == 0);
    if valid {
        Ok(())
    } else {
        Err(ProofError::InvalidSubtree { start, end })
    }
}

/// Checks that `proof` shows leaf `index` (its leaf hash `leaf_hash`) in the subtree of
/// leaves `[start, end)` whose hash is `root`.
///
/// A subtree is hashed as a tree of `end - start` leaves of its own, so this is
/// [`verify_inclusion`] of leaf `index - start` in a tree of `end - start` leaves, after
/// checking the subtree is one a tree can contain. Preconditions: `start <= index < end`,
/// `start` a multiple of the smallest power of two at least `end - start`.
pub fn verify_subtree_inclusion(
    leaf_hash: &Hash,
    index: u64,
    start: u64,
    end: u64,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), ProofError> {
    check_subtree(start, end)?;
    if index < start || index >= end {
        // Out of the subtree: as out of range as a leaf past the end of a tree.
        return Err(ProofError::IndexOutOfRange { index, size: end });
    }
    verify_inclusion(leaf_hash, index - start, end - start, proof, root)
}

/// Checks that `proof` shows the subtree `[start, end)` with hash `subtree_root` is part of
/// the tree of `size` leaves with root `root` (the subtree consistency proof of the Merkle
/// Tree Certificates draft; with `start == 0` it is an RFC 9162 consistency proof).
///
/// Preconditions: the subtree is valid (see [`verify_subtree_inclusion`]) and `end <= size`.
/// The empty subtree (`start == end <= size`) is part of every tree: its hash must be the
/// empty root and its proof empty, and `root` is not consulted.
pub fn verify_subtree_consistency(
    start: u64,
    end: u64,
    size: u64,
    proof: &[Hash],
    subtree_root: &Hash,
    root: &Hash,
) -> Result<(), ProofError> {
    if end > size {
        return Err(ProofError::SizeOrder {
            size1: end,
            size2: size,
        });
    }
    if start == end {
        // The empty subtree is part of every tree, as the transparency-dev vectors have it:
        // its hash must be the empty root and the proof empty; the tree's root is not used.
        let expected = crate::hash::empty_root();
        if !proof.is_empty() {
            return Err(ProofError::WrongProofLength {
                expected: 0,
                got: proof.len(),
                what: format!("the empty subtree [{start}, {end})"),
            });
        }
        if *subtree_root != expected {
            return Err(ProofError::OldRootMismatch {
                size1: 0,
                computed: expected,
                expected: *subtree_root,
            });
        }
        return Ok(());
    }
    check_subtree(start, end)?;
    if start == 0 {
        return verify_consistency(end, size, proof, subtree_root, root);
    }
    // A subtree that does not start at 0 sits under one node of the binary tree over leaf
    // positions: the node of width `bit_ceil(end - start)` at `start`. Its own hash is the
    // subtree hash when the subtree is that whole node or the node is cut by `size`;
    // otherwise the proof reaches it like a consistency proof from size `end - start` in
    // a tree of `min(width, size - start)` leaves, then climbs to the root.
    let width = (end - start).next_power_of_two();
    let node_end = start.saturating_add(width).min(size);
    let local_end = end - start;
    let local_size = node_end - start;
    let level = width.trailing_zeros();
    let steps_above: Vec<Step> = path(level, start >> level, size).collect();
    let below = if local_end == local_size {
        0
    } else {
        consistency_proof_len(local_end, local_size)?
    };
    let expected = below + steps_above.len();
    if proof.len() != expected {
        return Err(ProofError::WrongProofLength {
            expected,
            got: proof.len(),
            what: format!("subtree [{start}, {end}) in a tree of size {size}"),
        });
    }
    let (below_proof, above_proof) = proof.split_at(below);
    let node = if local_end == local_size {
        *subtree_root
    } else {
        consistency_new_root(local_end, local_size, below_proof, subtree_root)?
    };
    let computed = climb(node, steps_above.into_iter(), above_proof);
    if computed != *root {
        return Err(ProofError::RootMismatch {
            computed,
            expected: *root,
        });
    }
    Ok(())
}

/// The new root a consistency proof leads to, after checking it leads to `root1`.
///
/// Precondition: `0 < size1 < size2` and the proof has the right length.
fn consistency_new_root(
    size1: u64,
    size2: u64,
    proof: &[Hash],
    root1: &Hash,
) -> Result<Hash, ProofError> {
    let shape = consistency_shape(size1, size2);
    let (seed, rest) = if shape.seed_in_proof {
        (proof[0], &proof[1..])
    } else {
        (*root1, proof)
    };
    // The old root folds in only the left siblings (every right sibling lies beyond
    // size1); the new root folds in all of them.
    let mut old = seed;
    let mut new = seed;
    for (step, p) in path(shape.level, shape.index, size2).zip(rest) {
        match step.side {
            Side::Left => {
                old = node_hash(p, &old);
                new = node_hash(p, &new);
            }
            Side::Right => new = node_hash(&new, p),
        }
    }
    if old != *root1 {
        return Err(ProofError::OldRootMismatch {
            size1,
            computed: old,
            expected: *root1,
        });
    }
    Ok(new)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranges(index: u64, size: u64) -> Vec<(u64, u64, Side)> {
        inclusion_steps(index, size)
            .map(|s| (s.start, s.end, s.side))
            .collect()
    }

    #[test]
    fn inclusion_paths_follow_rfc_9162_examples() {
        // RFC 9162 section 2.1.5: the inclusion proof for d0 in the 7-leaf tree is [b, h, l]:
        // leaf 1, leaves [2, 4), leaves [4, 7).
        assert_eq!(
            ranges(0, 7),
            [
                (1, 2, Side::Right),
                (2, 4, Side::Right),
                (4, 7, Side::Right)
            ]
        );
        // d3: [c, g, l].
        assert_eq!(
            ranges(3, 7),
            [(2, 3, Side::Left), (0, 2, Side::Left), (4, 7, Side::Right)]
        );
        // d4: [f, j, k].
        assert_eq!(
            ranges(4, 7),
            [(5, 6, Side::Right), (6, 7, Side::Right), (0, 4, Side::Left)]
        );
        // d6: [i, k].
        assert_eq!(ranges(6, 7), [(4, 6, Side::Left), (0, 4, Side::Left)]);
        assert!(ranges(0, 1).is_empty());
    }

    #[test]
    fn consistency_lengths_follow_rfc_9162_examples() {
        // Section 2.1.5: 3 -> 7 is [c, d, g, l]; 4 -> 7 is [l]; 6 -> 7 is [i, j, k].
        assert_eq!(consistency_proof_len(3, 7), Ok(4));
        assert_eq!(consistency_proof_len(4, 7), Ok(1));
        assert_eq!(consistency_proof_len(6, 7), Ok(3));
        assert_eq!(consistency_proof_len(7, 7), Ok(0));
        assert_eq!(
            consistency_proof_len(0, 7),
            Err(ProofError::EmptyOldTree { size2: 7 })
        );
    }

    #[test]
    fn huge_trees_do_not_overflow() {
        // The last leaf of a tree of 2^64 - 1 leaves has no sibling at level 0.
        assert_eq!(inclusion_proof_len(u64::MAX - 1, u64::MAX), Ok(63));
        assert_eq!(inclusion_proof_len(0, u64::MAX), Ok(64));
        assert!(consistency_proof_len(u64::MAX - 1, u64::MAX).is_ok());
        assert!(consistency_proof_len(1 << 63, u64::MAX).is_ok());
    }

    #[test]
    fn subtree_validity() {
        assert!(check_subtree(8, 16).is_ok());
        assert!(check_subtree(8, 13).is_ok());
        assert!(check_subtree(0, u64::MAX).is_ok());
        assert!(check_subtree(1, 3).is_err());
        assert!(check_subtree(2, 5).is_err());
        assert!(check_subtree(3, 3).is_err());
        assert!(check_subtree(4, 3).is_err());
    }
}
