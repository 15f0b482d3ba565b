//! Transparency-log algorithms, with no storage and no I/O: RFC 9162 (RFC 6962) Merkle tree
//! hashing, roots, inclusion and consistency proofs; C2SP signed notes with Ed25519 keys;
//! C2SP tlog-checkpoints; and RFC 8785 canonical JSON for the entries a log records.
//!
//! # The tree
//!
//! Leaves are hashed as `SHA-256(0x00 || data)` ([`leaf_hash`]) and interior nodes as
//! `SHA-256(0x01 || left || right)` ([`node_hash`]); the tree of `n` leaves splits at the
//! largest power of two below `n`, so it is made of perfect subtrees, one per set bit of
//! `n`, largest on the left. A perfect subtree is named by a [`NodeId`]: its level (log2 of
//! its leaf count) and its index among the subtrees of that level.
//!
//! A storage layer keeps the hashes of complete perfect subtrees only. Every computation
//! over a stored tree is a [`Plan`]: the `NodeId`s it needs (O(log n) of them, fetched in
//! one query) and how to assemble the answer from their hashes. [`Frontier`] is the
//! right edge that appending needs; [`MemoryTree`] holds a whole tree in memory.
//!
//! Traps this crate keeps out of its callers' way:
//!
//! - **Proof order.** Proof hashes run from the leaf (or the old tree's last subtree) up to
//!   the root, exactly as RFC 9162 section 2.1.3 and 2.1.4 list them.
//! - **Consistency from a power of two.** When `size1` is a power of two the proof does not
//!   repeat the old root (the verifier has it); otherwise its first hash is the old tree's
//!   last perfect subtree.
//! - **The empty tree.** Its root is `SHA-256("")`, not a leaf hash. A consistency proof
//!   from size 0 proves nothing, so [`consistency_plan`], [`MemoryTree::consistency_proof`]
//!   and [`verify_consistency`] reject `size1 == 0` with [`ProofError::EmptyOldTree`], as
//!   the transparency-dev test vectors require; a caller that holds an empty checkpoint
//!   needs no proof to accept any later one.
//! - **Lengths.** Verification checks the exact proof length first, so a truncated or
//!   padded proof is a [`ProofError::WrongProofLength`], never a silent success.

mod error;
mod frontier;
mod hash;
mod memory;
mod plan;
mod proof;

pub mod canonical;
pub mod checkpoint;
pub mod note;

pub use error::ProofError;
pub use frontier::Frontier;
pub use hash::{Hash, NodeId, empty_root, leaf_hash, node_hash};
pub use memory::MemoryTree;
pub use plan::{Plan, consistency_plan, inclusion_plan, root_plan};
pub use proof::{
    consistency_proof_len, inclusion_proof_len, root_from_inclusion, verify_consistency,
    verify_inclusion, verify_subtree_consistency, verify_subtree_inclusion,
};
