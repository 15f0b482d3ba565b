//! The right edge of a tree: all that appending leaves and computing the root need.

use crate::error::ProofError;
use crate::hash::{Hash, NodeId, fold_right, node_hash};

/// The right edge of a tree of `size` leaves: the perfect subtrees it is made of, largest
/// first (one per set bit of `size`). Appending needs only this.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frontier {
    size: u64,
    /// The hashes of the subtrees of `Frontier::needs(size)`, in that order.
    hashes: Vec<Hash>,
}

impl Frontier {
    /// The frontier of the empty tree.
    pub fn empty() -> Frontier {
        Frontier {
            size: 0,
            hashes: Vec::new(),
        }
    }

    /// The perfect subtrees a tree of `size` leaves is made of, largest first: the nodes to
    /// load for [`Frontier::from_hashes`].
    pub fn needs(size: u64) -> Vec<NodeId> {
        (0..64u8)
            .rev()
            .filter(|&level| size >> level & 1 == 1)
            .map(|level| NodeId {
                level,
                index: (size >> level) - 1,
            })
            .collect()
    }

    /// The frontier of a tree of `size` leaves from the hashes of `Frontier::needs(size)`,
    /// in that order.
    ///
    /// Precondition: one hash per set bit of `size`, else
    /// [`ProofError::WrongFrontierLength`]. The hashes are trusted as given.
    pub fn from_hashes(size: u64, hashes: Vec<Hash>) -> Result<Frontier, ProofError> {
        let expected = size.count_ones() as usize;
        if hashes.len() != expected {
            return Err(ProofError::WrongFrontierLength {
                size,
                expected,
                got: hashes.len(),
            });
        }
        Ok(Frontier { size, hashes })
    }

    /// The number of leaves in the tree.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The hashes of the subtrees of `Frontier::needs(self.size())`, largest first.
    pub fn hashes(&self) -> &[Hash] {
        &self.hashes
    }

    /// The root of the tree (the empty root for size 0).
    pub fn root(&self) -> Hash {
        fold_right(self.hashes.iter())
    }

    /// Appends one leaf, given as its leaf hash. Pushes onto `completed` every node this
    /// append completes: `(NodeId { level: 0, index: old_size }, leaf)` first, then each
    /// parent completed, bottom up. A storage layer that keeps these has every complete
    /// node, which is all any [`Plan`](crate::Plan) needs.
    ///
    /// # Panics
    /// When the tree already holds `u64::MAX` leaves.
    pub fn append(&mut self, leaf: Hash, completed: &mut Vec<(NodeId, Hash)>) {
        let old = self.size;
        self.size = old
            .checked_add(1)
            .expect("a tree holds at most u64::MAX leaves");
        completed.push((
            NodeId {
                level: 0,
                index: old,
            },
            leaf,
        ));
        let mut hash = leaf;
        let mut level = 0u8;
        // Each set low bit of the old size is a subtree of that level now joined by the
        // new one: the frontier's last entries, smallest last.
        while old >> level & 1 == 1 {
            let left = self.hashes.pop().unwrap_or_default();
            hash = node_hash(&left, &hash);
            level += 1;
            completed.push((
                NodeId {
                    level,
                    index: old >> level,
                },
                hash,
            ));
        }
        self.hashes.push(hash);
    }
}

impl Default for Frontier {
    fn default() -> Self {
        Frontier::empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::leaf_hash;

    #[test]
    fn needs_names_the_set_bits() {
        assert_eq!(
            Frontier::needs(13),
            [
                NodeId { level: 3, index: 0 },
                NodeId { level: 2, index: 2 },
                NodeId {
                    level: 0,
                    index: 12
                },
            ]
        );
        assert!(Frontier::needs(0).is_empty());
        assert_eq!(Frontier::needs(u64::MAX).len(), 64);
    }

    #[test]
    fn append_reports_completed_nodes_bottom_up() {
        let mut f = Frontier::empty();
        let mut done = Vec::new();
        for i in 0..3u8 {
            f.append(leaf_hash(&[i]), &mut done);
        }
        done.clear();
        f.append(leaf_hash(&[3]), &mut done);
        let ids: Vec<NodeId> = done.iter().map(|(id, _)| *id).collect();
        assert_eq!(
            ids,
            [
                NodeId { level: 0, index: 3 },
                NodeId { level: 1, index: 1 },
                NodeId { level: 2, index: 0 },
            ]
        );
        assert_eq!(f.root(), done[2].1);
        assert_eq!(f.hashes().len(), 1);
    }

    #[test]
    fn from_hashes_checks_the_count() {
        assert_eq!(
            Frontier::from_hashes(5, vec![[0; 32]]),
            Err(ProofError::WrongFrontierLength {
                size: 5,
                expected: 2,
                got: 1
            })
        );
    }
}
