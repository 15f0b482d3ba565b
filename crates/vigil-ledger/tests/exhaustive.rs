//! Exhaustive: every root, inclusion proof and consistency proof for every tree size up to
//! 300, from `MemoryTree`, `Frontier` and plans, against RFC 9162 section 2.1 transcribed
//! literally (MTH, PATH, PROOF and SUBPROOF). Every proof verifies; with any one hash
//! flipped it is rejected (checked for every proof in trees up to 200 leaves and a fifth of
//! those beyond). Subtree proofs of the Merkle Tree Certificates draft are checked for every
//! subtree of every tree up to 64 leaves.
#![allow(clippy::unwrap_used, reason = "tests fail loudly on any error")]

use std::cell::RefCell;
use std::collections::HashMap;

use vigil_ledger::{
    Frontier, Hash, MemoryTree, NodeId, Plan, ProofError, consistency_plan, empty_root,
    inclusion_plan, leaf_hash, node_hash, root_plan, verify_consistency, verify_inclusion,
    verify_subtree_consistency, verify_subtree_inclusion,
};

const MAX: u64 = 300;

/// Up to this size every proof is also checked with each hash flipped; beyond it, a sample
/// of one pair in five, which keeps the suite within seconds in a debug build.
const ALL_MUTATIONS: u64 = 200;

fn mutate(size1: u64, size2: u64) -> bool {
    size2 <= ALL_MUTATIONS || (size1 + size2).is_multiple_of(5)
}

/// RFC 9162 section 2.1, written as the RFC writes it, over leaf inputs. MTH is memoized by
/// range, which changes nothing but the running time.
struct Reference {
    inputs: Vec<Vec<u8>>,
    memo: RefCell<HashMap<(usize, usize), Hash>>,
}

impl Reference {
    fn new(n: usize) -> Self {
        Reference {
            inputs: (0..n).map(|i| format!("leaf {i}").into_bytes()).collect(),
            memo: RefCell::new(HashMap::new()),
        }
    }

    /// The largest power of two smaller than n.
    fn k(n: usize) -> usize {
        let mut k = 1;
        while k << 1 < n {
            k <<= 1;
        }
        k
    }

    /// MTH(D[lo:hi]).
    fn mth(&self, lo: usize, hi: usize) -> Hash {
        if let Some(h) = self.memo.borrow().get(&(lo, hi)) {
            return *h;
        }
        let n = hi - lo;
        let h = match n {
            0 => sha256_empty(),
            1 => leaf_hash(&self.inputs[lo]),
            _ => {
                let k = Self::k(n);
                node_hash(&self.mth(lo, lo + k), &self.mth(lo + k, hi))
            }
        };
        self.memo.borrow_mut().insert((lo, hi), h);
        h
    }

    /// PATH(m, D[lo:hi]).
    fn path(&self, m: usize, lo: usize, hi: usize) -> Vec<Hash> {
        let n = hi - lo;
        if n == 1 {
            return vec![];
        }
        let k = Self::k(n);
        if m < k {
            let mut p = self.path(m, lo, lo + k);
            p.push(self.mth(lo + k, hi));
            p
        } else {
            let mut p = self.path(m - k, lo + k, hi);
            p.push(self.mth(lo, lo + k));
            p
        }
    }

    /// PROOF(m, D[n]) = SUBPROOF(m, D[n], true).
    fn proof(&self, m: usize, n: usize) -> Vec<Hash> {
        self.subproof(m, 0, n, true)
    }

    /// SUBPROOF(m, D[lo:hi], b).
    fn subproof(&self, m: usize, lo: usize, hi: usize, b: bool) -> Vec<Hash> {
        let n = hi - lo;
        if m == n {
            return if b { vec![] } else { vec![self.mth(lo, hi)] };
        }
        let k = Self::k(n);
        if m <= k {
            let mut p = self.subproof(m, lo, lo + k, b);
            p.push(self.mth(lo + k, hi));
            p
        } else {
            let mut p = self.subproof(m - k, lo + k, hi, false);
            p.push(self.mth(lo, lo + k));
            p
        }
    }
}

fn sha256_empty() -> Hash {
    use std::sync::LazyLock;
    static EMPTY: LazyLock<Hash> = LazyLock::new(empty_root);
    *EMPTY
}

/// Fetches a plan's nodes from a tree, as a storage layer would, and assembles it.
fn run(plan: &Plan, tree: &MemoryTree) -> Vec<Hash> {
    let fetched: Vec<Hash> = plan
        .needs()
        .iter()
        .map(|id| {
            tree.node(*id)
                .unwrap_or_else(|| panic!("plan needs incomplete node {id:?}"))
        })
        .collect();
    let mut sorted = plan.needs().to_vec();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted, plan.needs(), "needs are distinct and sorted");
    plan.assemble(&fetched).unwrap()
}

fn flip(proof: &[Hash], i: usize) -> Vec<Hash> {
    let mut bad = proof.to_vec();
    bad[i][i % 32] ^= 1 << (i % 8);
    bad
}

#[test]
fn roots_for_every_size() {
    let reference = Reference::new(MAX as usize);
    let leaves: Vec<Hash> = reference.inputs.iter().map(|d| leaf_hash(d)).collect();
    let tree = MemoryTree::from_leaf_hashes(leaves.clone());
    let mut pushed = MemoryTree::new();
    let mut frontier = Frontier::empty();
    let mut stored: HashMap<NodeId, Hash> = HashMap::new();
    let mut completed = Vec::new();
    for size in 0..=MAX {
        let expect = reference.mth(0, size as usize);
        assert_eq!(tree.root(size).unwrap(), expect, "MemoryTree root {size}");
        assert_eq!(pushed.root(size).unwrap(), expect, "pushed root {size}");
        assert_eq!(frontier.root(), expect, "Frontier root {size}");
        assert_eq!(
            run(&root_plan(size), &tree),
            vec![expect],
            "root plan {size}"
        );
        // A frontier rebuilt from its stored nodes is the same frontier.
        let reloaded: Vec<Hash> = Frontier::needs(size).iter().map(|id| stored[id]).collect();
        assert_eq!(Frontier::from_hashes(size, reloaded).unwrap(), frontier);
        if size < MAX {
            let leaf = leaves[size as usize];
            completed.clear();
            frontier.append(leaf, &mut completed);
            pushed.push(leaf);
            assert_eq!(
                completed[0],
                (
                    NodeId {
                        level: 0,
                        index: size
                    },
                    leaf
                )
            );
            for (id, hash) in &completed {
                assert_eq!(tree.node(*id), Some(*hash), "completed node {id:?}");
                assert!(
                    stored.insert(*id, *hash).is_none(),
                    "{id:?} completed twice"
                );
            }
        }
    }
    // Every complete node was reported exactly once.
    let complete: usize = (0..64).map(|l| (MAX >> l) as usize).sum();
    assert_eq!(stored.len(), complete);
    println!("exhaustive roots: sizes 0..={MAX} agree across MemoryTree, Frontier and plans");
}

#[test]
fn inclusion_proofs_for_every_leaf_of_every_size() {
    let reference = Reference::new(MAX as usize);
    let leaves: Vec<Hash> = reference.inputs.iter().map(|d| leaf_hash(d)).collect();
    let tree = MemoryTree::from_leaf_hashes(leaves.clone());
    let mut checked = 0;
    for size in 1..=MAX {
        let root = reference.mth(0, size as usize);
        for index in 0..size {
            let expect = reference.path(index as usize, 0, size as usize);
            let proof = tree.inclusion_proof(index, size).unwrap();
            assert_eq!(proof, expect, "inclusion {index} in {size}");
            let plan = inclusion_plan(index, size).unwrap();
            assert_eq!(
                run(&plan, &tree),
                expect,
                "inclusion plan {index} in {size}"
            );
            let leaf = leaves[index as usize];
            verify_inclusion(&leaf, index, size, &proof, &root).unwrap();
            checked += 1;
            if !mutate(index, size) {
                continue;
            }
            for i in 0..proof.len() {
                assert!(
                    matches!(
                        verify_inclusion(&leaf, index, size, &flip(&proof, i), &root),
                        Err(ProofError::RootMismatch { .. })
                    ),
                    "flipped hash {i} of inclusion {index} in {size} verified"
                );
            }
            // The wrong leaf, the wrong index, a short or long proof: all rejected.
            assert!(
                verify_inclusion(&leaves[0], index, size, &proof, &root).is_err() || index == 0
            );
            if size > 1 {
                let other = (index + 1) % size;
                assert!(verify_inclusion(&leaf, other, size, &proof, &root).is_err());
            }
            assert!(
                verify_inclusion(
                    &leaf,
                    index,
                    size,
                    &[proof.clone(), vec![root]].concat(),
                    &root
                )
                .is_err()
            );
            if !proof.is_empty() {
                assert!(verify_inclusion(&leaf, index, size, &proof[1..], &root).is_err());
            }
        }
        assert!(matches!(
            tree.inclusion_proof(size, size),
            Err(ProofError::IndexOutOfRange { .. })
        ));
    }
    println!(
        "exhaustive inclusion: {checked} proofs for sizes 1..={MAX} equal RFC 9162 PATH and verify"
    );
}

#[test]
fn consistency_proofs_for_every_pair_of_sizes() {
    let reference = Reference::new(MAX as usize);
    let leaves: Vec<Hash> = reference.inputs.iter().map(|d| leaf_hash(d)).collect();
    let tree = MemoryTree::from_leaf_hashes(leaves);
    let mut checked = 0;
    for size2 in 1..=MAX {
        let root2 = reference.mth(0, size2 as usize);
        for size1 in 1..=size2 {
            let root1 = reference.mth(0, size1 as usize);
            let expect = reference.proof(size1 as usize, size2 as usize);
            let proof = tree.consistency_proof(size1, size2).unwrap();
            assert_eq!(proof, expect, "consistency {size1} -> {size2}");
            let plan = consistency_plan(size1, size2).unwrap();
            assert_eq!(
                run(&plan, &tree),
                expect,
                "consistency plan {size1} -> {size2}"
            );
            verify_consistency(size1, size2, &proof, &root1, &root2).unwrap();
            checked += 1;
            if !mutate(size1, size2) {
                continue;
            }
            for i in 0..proof.len() {
                assert!(
                    verify_consistency(size1, size2, &flip(&proof, i), &root1, &root2).is_err(),
                    "flipped hash {i} of consistency {size1} -> {size2} verified"
                );
            }
            let bad_root = flip(&[root1], 0)[0];
            assert!(verify_consistency(size1, size2, &proof, &bad_root, &root2).is_err());
            assert!(verify_consistency(size1, size2, &proof, &root1, &bad_root).is_err());
        }
        assert!(matches!(
            tree.consistency_proof(0, size2),
            Err(ProofError::EmptyOldTree { .. })
        ));
    }
    println!(
        "exhaustive consistency: {checked} proofs for every pair 1 <= size1 <= size2 <= {MAX} equal RFC 9162 PROOF and verify"
    );
}

/// SUBTREE_SUBPROOF of the Merkle Tree Certificates draft (section 4.4.1), in absolute leaf
/// positions: the proof that `[s, e)` is part of `D[lo:hi]`.
fn subtree_subproof(r: &Reference, s: usize, e: usize, lo: usize, hi: usize, b: bool) -> Vec<Hash> {
    if s == lo && e == hi {
        return if b { vec![] } else { vec![r.mth(lo, hi)] };
    }
    let k = Reference::k(hi - lo);
    let (mut p, sibling) = if e <= lo + k {
        (subtree_subproof(r, s, e, lo, lo + k, b), r.mth(lo + k, hi))
    } else if lo + k <= s {
        (subtree_subproof(r, s, e, lo + k, hi, b), r.mth(lo, lo + k))
    } else {
        // A valid subtree straddles the split only when it starts the window, as the old
        // tree does in RFC 9162's SUBPROOF when m > k.
        assert_eq!(s, lo);
        (
            subtree_subproof(r, lo + k, e, lo + k, hi, false),
            r.mth(lo, lo + k),
        )
    };
    p.push(sibling);
    p
}

/// Every valid subtree of every tree up to 64 leaves: its consistency proof, and the
/// inclusion proof of each of its leaves, verify; any flipped hash is rejected.
#[test]
fn subtree_proofs_for_every_subtree() {
    const N: usize = 64;
    let reference = Reference::new(N);
    let mut checked = 0;
    for n in 1..=N {
        let root = reference.mth(0, n);
        for start in 0..n {
            for end in start + 1..=n {
                let width = (end - start).next_power_of_two();
                if start % width != 0 {
                    assert!(
                        verify_subtree_consistency(
                            start as u64,
                            end as u64,
                            n as u64,
                            &[],
                            &root,
                            &root
                        )
                        .is_err()
                    );
                    continue;
                }
                let sub = reference.mth(start, end);
                let proof = subtree_subproof(&reference, start, end, 0, n, true);
                let (s, e, size) = (start as u64, end as u64, n as u64);
                verify_subtree_consistency(s, e, size, &proof, &sub, &root)
                    .unwrap_or_else(|err| panic!("[{start}, {end}) in {n}: {err}"));
                for i in 0..proof.len() {
                    assert!(
                        verify_subtree_consistency(s, e, size, &flip(&proof, i), &sub, &root)
                            .is_err(),
                        "flipped hash {i} of [{start}, {end}) in {n} verified"
                    );
                }
                if n == N {
                    for leaf in start..end {
                        let path = subtree_subproof(&reference, leaf, leaf + 1, start, end, true);
                        let hash = leaf_hash(&reference.inputs[leaf]);
                        verify_subtree_inclusion(&hash, leaf as u64, s, e, &path, &sub).unwrap();
                    }
                }
                checked += 1;
            }
        }
    }
    println!(
        "exhaustive subtrees: {checked} subtree consistency proofs in trees up to {N} leaves verify"
    );
}
