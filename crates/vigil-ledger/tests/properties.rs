//! Property tests: notes and checkpoints print and parse back to themselves, and a proof
//! changed in any way is rejected.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on any error")]

use std::sync::LazyLock;

use proptest::prelude::*;
use vigil_ledger::checkpoint::Checkpoint;
use vigil_ledger::note::{Note, Signature};
use vigil_ledger::{Hash, MemoryTree, leaf_hash, verify_consistency, verify_inclusion};

const LEAVES: u64 = 2000;

static TREE: LazyLock<MemoryTree> = LazyLock::new(|| {
    MemoryTree::from_leaf_hashes((0..LEAVES).map(|i| leaf_hash(&i.to_be_bytes())).collect())
});

/// A line of note text: any characters but control characters (possibly empty).
fn text_line() -> impl Strategy<Value = String> {
    "[^\\x00-\\x1f]{0,40}"
}

fn key_name() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9./_:\\-\u{e9}\u{2014}]{1,24}"
}

fn signature() -> impl Strategy<Value = Signature> {
    (
        key_name(),
        any::<u32>(),
        prop::collection::vec(any::<u8>(), 1..80),
    )
        .prop_map(|(name, key_id, bytes)| Signature {
            name,
            key_id,
            bytes,
        })
}

/// How a proof is changed.
#[derive(Clone, Debug)]
enum Mutation {
    Flip { at: usize, bit: u8 },
    Drop { at: usize },
    Insert { at: usize, hash: Hash },
    Swap { a: usize, b: usize },
    Index { delta: u64 },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 0..=255u8).prop_map(|(at, bit)| Mutation::Flip { at, bit }),
        any::<usize>().prop_map(|at| Mutation::Drop { at }),
        (any::<usize>(), any::<[u8; 32]>()).prop_map(|(at, hash)| Mutation::Insert { at, hash }),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::Swap { a, b }),
        (1..LEAVES).prop_map(|delta| Mutation::Index { delta }),
    ]
}

/// Applies `m` to `proof` (and to `number`, an index or size); `None` if it changes nothing.
fn apply(m: &Mutation, proof: &[Hash], number: u64, modulus: u64) -> Option<(Vec<Hash>, u64)> {
    let mut p = proof.to_vec();
    let n = p.len();
    match *m {
        Mutation::Flip { at, bit } => {
            if n == 0 {
                return None;
            }
            p[at % n][usize::from(bit / 8)] ^= 1 << (bit % 8);
        }
        Mutation::Drop { at } => {
            if n == 0 {
                return None;
            }
            p.remove(at % n);
        }
        Mutation::Insert { at, hash } => p.insert(at % (n + 1), hash),
        Mutation::Swap { a, b } => {
            if n == 0 || p[a % n] == p[b % n] {
                return None;
            }
            p.swap(a % n, b % n);
        }
        Mutation::Index { delta } => {
            let changed = (number + delta) % modulus;
            if changed == number {
                return None;
            }
            return Some((p, changed));
        }
    }
    Some((p, number))
}

proptest! {
    #[test]
    fn notes_round_trip(
        lines in prop::collection::vec(text_line(), 1..6),
        signatures in prop::collection::vec(signature(), 1..5),
    ) {
        let text = lines.iter().map(|l| format!("{l}\n")).collect::<String>();
        let note = Note::new(text.clone(), signatures).unwrap();
        let bytes = note.to_bytes();
        let back = Note::parse(&bytes).unwrap();
        prop_assert_eq!(&back, &note);
        prop_assert_eq!(back.text(), text);
    }

    /// Whatever parses prints back byte for byte: parsing keeps nothing out and guesses
    /// nothing in.
    #[test]
    fn parsed_notes_print_as_read(input in "([^\\x00-\\x1f]{0,12}\n){0,3}\n(\u{2014} [a-z+ ]{0,6} [A-Za-z0-9+/=]{0,16}\n){1,3}") {
        if let Ok(note) = Note::parse(input.as_bytes()) {
            prop_assert_eq!(note.to_bytes(), input.as_bytes());
        }
    }

    #[test]
    fn checkpoints_round_trip(
        origin in "[^\\x00-\\x1f]{1,40}",
        size in any::<u64>(),
        root in any::<[u8; 32]>(),
        extensions in prop::collection::vec("[^\\x00-\\x1f]{1,20}", 0..3),
    ) {
        let cp = Checkpoint { origin, size, root, extensions };
        let text = cp.to_text();
        prop_assert_eq!(Checkpoint::parse(&text).unwrap(), cp.clone());
        prop_assert!(cp.check().is_ok());
    }

    #[test]
    fn changed_inclusion_proofs_are_rejected(
        size in 1..=LEAVES,
        index in any::<u64>(),
        m in mutation(),
    ) {
        let index = index % size;
        let proof = TREE.inclusion_proof(index, size).unwrap();
        let root = TREE.root(size).unwrap();
        let leaf = TREE.node(vigil_ledger::NodeId { level: 0, index }).unwrap();
        verify_inclusion(&leaf, index, size, &proof, &root).unwrap();
        if let Some((bad, bad_index)) = apply(&m, &proof, index, size) {
            prop_assert!(verify_inclusion(&leaf, bad_index, size, &bad, &root).is_err(), "{:?}", m);
        }
    }

    #[test]
    fn changed_consistency_proofs_are_rejected(
        size2 in 1..=LEAVES,
        size1 in any::<u64>(),
        m in mutation(),
    ) {
        let size1 = 1 + size1 % size2;
        let proof = TREE.consistency_proof(size1, size2).unwrap();
        let (root1, root2) = (TREE.root(size1).unwrap(), TREE.root(size2).unwrap());
        verify_consistency(size1, size2, &proof, &root1, &root2).unwrap();
        if let Some((bad, bad_size1)) = apply(&m, &proof, size1 - 1, size2) {
            let bad_size1 = bad_size1 + 1;
            prop_assert!(verify_consistency(bad_size1, size2, &bad, &root1, &root2).is_err(), "{:?}", m);
        }
    }
}
