//! A whole tree in memory: every complete perfect-subtree hash, level by level.

use crate::error::ProofError;
use crate::hash::{Hash, NodeId, decompose, empty_root, fold_right, node_hash};
use crate::proof::check_consistency_sizes;

/// An in-memory tree holding every perfect-subtree hash (level by level), built from leaf
/// hashes. Used to recompute a whole log, and as the node source for plans in tests.
///
/// Its proofs follow RFC 9162's recursive definitions (PATH and SUBPROOF) directly, not
/// the level walk the plans use, so the two check each other.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemoryTree {
    /// `levels[l][i]` is the hash of `NodeId { level: l, index: i }`; only complete nodes
    /// are held, so `levels[l].len() == size >> l`.
    levels: Vec<Vec<Hash>>,
}

impl MemoryTree {
    /// The empty tree.
    pub fn new() -> Self {
        MemoryTree { levels: Vec::new() }
    }

    /// The tree over `leaves` (leaf hashes, in order), built a level at a time.
    pub fn from_leaf_hashes(leaves: Vec<Hash>) -> Self {
        let mut levels = vec![leaves];
        while let Some(below) = levels.last().filter(|l| l.len() >= 2) {
            let above: Vec<Hash> = below
                .chunks_exact(2)
                .map(|pair| node_hash(&pair[0], &pair[1]))
                .collect();
            levels.push(above);
        }
        if levels[0].is_empty() {
            levels.clear();
        }
        MemoryTree { levels }
    }

    /// Appends one leaf hash, completing its parents.
    pub fn push(&mut self, leaf: Hash) {
        let mut hash = leaf;
        let mut level = 0;
        loop {
            if self.levels.len() == level {
                self.levels.push(Vec::new());
            }
            let row = &mut self.levels[level];
            row.push(hash);
            if row.len() % 2 == 1 {
                return;
            }
            hash = node_hash(&row[row.len() - 2], &row[row.len() - 1]);
            level += 1;
        }
    }

    /// The number of leaves.
    pub fn size(&self) -> u64 {
        self.levels.first().map_or(0, |l| l.len() as u64)
    }

    /// The hash of the perfect subtree `id`, or `None` if that subtree is not complete.
    pub fn node(&self, id: NodeId) -> Option<Hash> {
        let index = usize::try_from(id.index).ok()?;
        self.levels.get(usize::from(id.level))?.get(index).copied()
    }

    /// The root of the tree of the first `size` leaves.
    ///
    /// Precondition: `size <= self.size()`, else [`ProofError::SizeBeyondTree`].
    pub fn root(&self, size: u64) -> Result<Hash, ProofError> {
        self.check_size(size)?;
        let parts: Vec<Hash> = decompose(0, size).map(|id| self.held(id)).collect();
        Ok(fold_right(parts.iter()))
    }

    /// The inclusion proof of leaf `index` in the tree of the first `size` leaves (RFC 9162
    /// section 2.1.3.1).
    ///
    /// Preconditions: `size <= self.size()` and `index < size`.
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>, ProofError> {
        self.check_size(size)?;
        if index >= size {
            return Err(ProofError::IndexOutOfRange { index, size });
        }
        let mut proof = Vec::new();
        self.path(index, 0, size, &mut proof);
        Ok(proof)
    }

    /// The consistency proof from the tree of the first `size1` leaves to that of the first
    /// `size2` (RFC 9162 section 2.1.4.1).
    ///
    /// Preconditions: `0 < size1 <= size2 <= self.size()`; equal sizes give an empty proof,
    /// and `size1 == 0` is [`ProofError::EmptyOldTree`].
    pub fn consistency_proof(&self, size1: u64, size2: u64) -> Result<Vec<Hash>, ProofError> {
        self.check_size(size2)?;
        check_consistency_sizes(size1, size2)?;
        let mut proof = Vec::new();
        self.subproof(size1, 0, size2, true, &mut proof);
        Ok(proof)
    }

    fn check_size(&self, size: u64) -> Result<(), ProofError> {
        if size > self.size() {
            return Err(ProofError::SizeBeyondTree {
                size,
                held: self.size(),
            });
        }
        Ok(())
    }

    /// The hash of a node known to be complete.
    fn held(&self, id: NodeId) -> Hash {
        self.node(id).unwrap_or_else(empty_root)
    }

    /// MTH(D[lo:hi]) for a range some RFC 9162 tree splits into.
    fn mth(&self, lo: u64, hi: u64) -> Hash {
        let parts: Vec<Hash> = decompose(lo, hi).map(|id| self.held(id)).collect();
        fold_right(parts.iter())
    }

    /// PATH(m, D[lo:hi]), with `m` relative to `lo`, appended to `out`.
    fn path(&self, m: u64, lo: u64, hi: u64, out: &mut Vec<Hash>) {
        let n = hi - lo;
        if n <= 1 {
            return;
        }
        let k = split(n);
        if m < k {
            self.path(m, lo, lo + k, out);
            out.push(self.mth(lo + k, hi));
        } else {
            self.path(m - k, lo + k, hi, out);
            out.push(self.mth(lo, lo + k));
        }
    }

    /// SUBPROOF(m, D[lo:hi], b), appended to `out`.
    fn subproof(&self, m: u64, lo: u64, hi: u64, b: bool, out: &mut Vec<Hash>) {
        let n = hi - lo;
        if m == n {
            if !b {
                out.push(self.mth(lo, hi));
            }
            return;
        }
        let k = split(n);
        if m <= k {
            self.subproof(m, lo, lo + k, b, out);
            out.push(self.mth(lo + k, hi));
        } else {
            self.subproof(m - k, lo + k, hi, false, out);
            out.push(self.mth(lo, lo + k));
        }
    }
}

/// The largest power of two smaller than `n`, where RFC 9162 splits a tree of `n > 1` leaves.
fn split(n: u64) -> u64 {
    debug_assert!(n > 1);
    1 << (63 - (n - 1).leading_zeros())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::leaf_hash;

    #[test]
    fn split_is_the_largest_power_of_two_below() {
        assert_eq!(split(2), 1);
        assert_eq!(split(3), 2);
        assert_eq!(split(4), 2);
        assert_eq!(split(5), 4);
        assert_eq!(split(u64::MAX), 1 << 63);
    }

    #[test]
    fn push_and_bulk_build_agree() {
        let leaves: Vec<Hash> = (0..37u8).map(|i| leaf_hash(&[i])).collect();
        let mut pushed = MemoryTree::new();
        for l in &leaves {
            pushed.push(*l);
        }
        assert_eq!(pushed, MemoryTree::from_leaf_hashes(leaves));
        assert_eq!(MemoryTree::from_leaf_hashes(Vec::new()), MemoryTree::new());
        assert_eq!(MemoryTree::new().root(0), Ok(empty_root()));
    }

    #[test]
    fn sizes_beyond_the_tree_are_errors() {
        let tree = MemoryTree::from_leaf_hashes(vec![leaf_hash(b"a")]);
        assert_eq!(
            tree.root(2),
            Err(ProofError::SizeBeyondTree { size: 2, held: 1 })
        );
        assert_eq!(
            tree.inclusion_proof(1, 1),
            Err(ProofError::IndexOutOfRange { index: 1, size: 1 })
        );
        assert_eq!(tree.consistency_proof(1, 1), Ok(vec![]));
        assert!(tree.node(NodeId { level: 1, index: 0 }).is_none());
    }
}
