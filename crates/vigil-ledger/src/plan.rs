//! Plans: the perfect-subtree hashes a root or proof over a stored tree needs, and how to
//! assemble the answer from them once a storage layer has fetched them.

use crate::error::ProofError;
use crate::hash::{Hash, NodeId, decompose, empty_root, fold_right};
use crate::proof::{
    check_consistency_sizes, consistency_shape, inclusion_proof_len, inclusion_steps, path,
};

/// What a computation over a stored tree needs: the hashes of some perfect subtrees
/// ([`NodeId`]s), which a storage layer fetches in one query, then hands back to
/// [`Plan::assemble`].
///
/// Every plan needs O(log n) nodes: at most 64 for a root, and at most 128 for a proof
/// (the perfect siblings on the path, plus the right-edge sibling split into its perfect
/// subtrees). Every node a plan needs is complete in the tree the plan is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    needs: Vec<NodeId>,
    /// For each output hash, the positions in `needs` of its perfect subtrees, largest
    /// first; the output is their right fold.
    outputs: Vec<Vec<usize>>,
}

impl Plan {
    /// Builds a plan whose outputs are the hashes of the given leaf ranges.
    fn from_ranges(ranges: impl IntoIterator<Item = (u64, u64)>) -> Plan {
        let parts: Vec<Vec<NodeId>> = ranges
            .into_iter()
            .map(|(start, end)| decompose(start, end).collect())
            .collect();
        let mut needs: Vec<NodeId> = parts.iter().flatten().copied().collect();
        needs.sort_unstable();
        needs.dedup();
        let outputs = parts
            .iter()
            .map(|ids| {
                // Every part is in `needs`, so the search always finds it.
                ids.iter()
                    .map(|id| needs.binary_search(id).unwrap_or_default())
                    .collect()
            })
            .collect();
        Plan { needs, outputs }
    }

    /// The perfect subtrees whose hashes the plan needs: distinct, sorted by level then
    /// index.
    pub fn needs(&self) -> &[NodeId] {
        &self.needs
    }

    /// The answer, from `fetched[i]`, the hash of `needs()[i]`: the proof hashes in proof
    /// order (for proof plans), or exactly one hash, the root (for root plans).
    ///
    /// Precondition: `fetched.len() == needs().len()`, else
    /// [`ProofError::WrongFetchedCount`]. The hashes are trusted as given: a wrong one makes
    /// a wrong answer, which verification against a signed root then rejects.
    pub fn assemble(&self, fetched: &[Hash]) -> Result<Vec<Hash>, ProofError> {
        if fetched.len() != self.needs.len() {
            return Err(ProofError::WrongFetchedCount {
                expected: self.needs.len(),
                got: fetched.len(),
            });
        }
        Ok(self
            .outputs
            .iter()
            .map(|parts| fold_right(parts.iter().map(|&i| &fetched[i])))
            .collect())
    }
}

/// The plan for the root of the tree of `size` leaves. For size 0 it needs nothing and
/// assembles to `[empty_root()]`.
pub fn root_plan(size: u64) -> Plan {
    let plan = Plan::from_ranges([(0, size)]);
    debug_assert!(size != 0 || plan.assemble(&[]) == Ok(vec![empty_root()]));
    plan
}

/// The plan for the inclusion proof of leaf `index` in the tree of `size` leaves.
///
/// Precondition: `index < size`, else [`ProofError::IndexOutOfRange`].
pub fn inclusion_plan(index: u64, size: u64) -> Result<Plan, ProofError> {
    inclusion_proof_len(index, size)?;
    Ok(Plan::from_ranges(
        inclusion_steps(index, size).map(|s| (s.start, s.end)),
    ))
}

/// The plan for the consistency proof from the tree of `size1` leaves to the tree of
/// `size2` leaves (RFC 9162 section 2.1.4).
///
/// Preconditions: `0 < size1 <= size2`. Equal sizes make an empty proof. `size1 == 0` is
/// [`ProofError::EmptyOldTree`]: nothing is proved about the empty tree, which every tree
/// extends.
pub fn consistency_plan(size1: u64, size2: u64) -> Result<Plan, ProofError> {
    check_consistency_sizes(size1, size2)?;
    if size1 == size2 {
        return Ok(Plan::from_ranges([]));
    }
    let shape = consistency_shape(size1, size2);
    let seed = shape.seed_in_proof.then_some(shape.seed);
    Ok(Plan::from_ranges(seed.into_iter().chain(
        path(shape.level, shape.index, size2).map(|s| (s.start, s.end)),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_root_plan() {
        let plan = root_plan(0);
        assert!(plan.needs().is_empty());
        assert_eq!(plan.assemble(&[]), Ok(vec![empty_root()]));
    }

    #[test]
    fn assemble_checks_the_count() {
        let plan = root_plan(3);
        assert_eq!(plan.needs().len(), 2);
        assert_eq!(
            plan.assemble(&[[0; 32]]),
            Err(ProofError::WrongFetchedCount {
                expected: 2,
                got: 1
            })
        );
    }

    #[test]
    fn plans_stay_logarithmic() {
        let size = 10_000_000;
        for index in [0, 1, 4_999_999, 9_999_998, 9_999_999] {
            let plan = inclusion_plan(index, size).expect("index < size");
            assert!(plan.needs().len() <= 2 * 24, "{}", plan.needs().len());
            assert!(plan.needs().iter().all(|id| id.is_complete_in(size)));
        }
        let plan = consistency_plan(u64::MAX / 3, u64::MAX).expect("sizes ordered");
        assert!(plan.needs().len() <= 128);
        assert!(root_plan(u64::MAX).needs().len() == 64);
    }
}
