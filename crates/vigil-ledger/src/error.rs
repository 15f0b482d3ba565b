//! The one error type of the tree functions: what was asked or proved, with the numbers.

use crate::hash::{Hash, hex};

/// Why a tree computation or a proof check failed. Messages quote the sizes and indices
/// involved, and hashes in lowercase hex.
#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
#[non_exhaustive]
pub enum ProofError {
    /// A leaf index at or beyond the tree size.
    #[error("leaf index {index} is out of range for a tree of size {size}")]
    IndexOutOfRange {
        /// The leaf index asked for.
        index: u64,
        /// The tree size.
        size: u64,
    },
    /// A consistency proof from a larger tree to a smaller one.
    #[error(
        "size1 {size1} is greater than size2 {size2}: a tree cannot be consistent with a smaller one"
    )]
    SizeOrder {
        /// The older tree's size.
        size1: u64,
        /// The newer tree's size.
        size2: u64,
    },
    /// A consistency proof from the empty tree, which proves nothing.
    #[error(
        "size1 is 0: every tree extends the empty tree, so there is no consistency proof from it (size2 {size2})"
    )]
    EmptyOldTree {
        /// The newer tree's size.
        size2: u64,
    },
    /// A tree size beyond the leaves held.
    #[error("tree size {size} is beyond the {held} leaves held")]
    SizeBeyondTree {
        /// The size asked for.
        size: u64,
        /// The number of leaves held.
        held: u64,
    },
    /// A proof with more or fewer hashes than its sizes call for.
    #[error("the proof has {got} hashes, but {expected} are needed for {what}")]
    WrongProofLength {
        /// The number of hashes the sizes call for.
        expected: usize,
        /// The number of hashes given.
        got: usize,
        /// What the proof is for, with its numbers, e.g. `inclusion of leaf 3 in a tree of size 7`.
        what: String,
    },
    /// A proof that leads to a different root than the one expected.
    #[error("the proof leads to root {} but the expected root is {}", hex(.computed), hex(.expected))]
    RootMismatch {
        /// The root the proof computes.
        computed: Hash,
        /// The root the caller expected.
        expected: Hash,
    },
    /// A proof that leads to a different old root than the one expected.
    #[error("the proof leads to old root {} (size {size1}) but the expected old root is {}", hex(.computed), hex(.expected))]
    OldRootMismatch {
        /// The old tree's size.
        size1: u64,
        /// The old root the proof computes.
        computed: Hash,
        /// The old root the caller expected.
        expected: Hash,
    },
    /// Two trees of the same size with different roots.
    #[error("both trees have size {size} but their roots differ: {} and {}", hex(.root1), hex(.root2))]
    SameSizeDifferentRoots {
        /// The common size.
        size: u64,
        /// The first root.
        root1: Hash,
        /// The second root.
        root2: Hash,
    },
    /// [`Plan::assemble`](crate::Plan::assemble) given a different number of hashes than the
    /// plan needs.
    #[error("the plan needs {expected} node hashes but {got} were fetched")]
    WrongFetchedCount {
        /// `needs().len()`.
        expected: usize,
        /// The number given.
        got: usize,
    },
    /// [`Frontier::from_hashes`](crate::Frontier::from_hashes) given a different number of
    /// hashes than the size has set bits.
    #[error("a frontier of size {size} has {expected} hashes, but {got} were given")]
    WrongFrontierLength {
        /// The tree size.
        size: u64,
        /// The number of set bits of `size`.
        expected: usize,
        /// The number given.
        got: usize,
    },
    /// A subtree range that no tree contains: `start < end`, and `start` a multiple of the
    /// smallest power of two at least `end - start`.
    #[error(
        "[{start}, {end}) is not a subtree: it must be non-empty and start at a multiple of a power of two at least its width"
    )]
    InvalidSubtree {
        /// The first leaf.
        start: u64,
        /// One past the last leaf.
        end: u64,
    },
}
