#![allow(clippy::unwrap_used, reason = "tests panic on failure by design")]
//! Properties over random trees: a tree compared with itself is clean, and a random set
//! of edits is reported exactly.
//!
//! A tree is a set of slots (fixed names in fixed directories), each empty, a file
//! (content, mode) or a symlink (target). The expected changes are worked out from two
//! such models alone; the tree is edited in place from one to the other.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::os::unix::fs::{PermissionsExt as _, symlink};
use std::path::Path;

use proptest::prelude::*;
use vigil_fim::{Aspect, CompareOptions, Options, baseline, compare};

const DIRS: [&str; 3] = ["a", "a/b", "c"];
const NAMES: [&str; 4] = ["f0", "f1", "x y", "caf\u{e9}"];

#[derive(Clone, Debug, PartialEq)]
enum Node {
    File { content: Vec<u8>, mode: u32 },
    Link { target: String },
}

type Model = BTreeMap<String, Node>;

fn slots() -> Vec<String> {
    let mut slots: Vec<String> = NAMES.iter().map(|n| (*n).to_owned()).collect();
    for dir in DIRS {
        slots.extend(NAMES.iter().map(|n| format!("{dir}/{n}")));
    }
    slots
}

fn node() -> impl Strategy<Value = Node> {
    prop_oneof![
        4 => (prop::collection::vec(0u8..4, 0..6), prop::sample::select(vec![0o644, 0o600, 0o755, 0o4755]))
            .prop_map(|(content, mode)| Node::File { content, mode }),
        1 => prop::sample::select(vec!["f0", "../f1", "/etc/passwd"]).prop_map(|t| Node::Link { target: t.to_owned() }),
    ]
}

fn model() -> impl Strategy<Value = Model> {
    prop::collection::vec(prop::option::weighted(0.6, node()), slots().len()).prop_map(|nodes| {
        slots()
            .into_iter()
            .zip(nodes)
            .filter_map(|(slot, node)| node.map(|n| (slot, n)))
            .collect()
    })
}

/// An edited copy of `model`: each slot kept (most often), emptied, or given another
/// node; sometimes only a file's mode or content changes.
fn edited(model: Model) -> impl Strategy<Value = (Model, Model)> {
    let n = slots().len();
    (
        prop::collection::vec(0u8..8, n),
        prop::collection::vec(node(), n),
    )
        .prop_map(move |(choices, nodes)| {
            let mut new = Model::new();
            for ((slot, choice), fresh) in slots().into_iter().zip(choices).zip(nodes) {
                let old = model.get(&slot).cloned();
                let next = match (choice, old) {
                    (0..=3, old) => old,
                    (4, _) => None,
                    (5, Some(Node::File { content, .. })) => {
                        let Node::File { mode, .. } = fresh else {
                            continue;
                        };
                        Some(Node::File { content, mode })
                    }
                    (6, Some(Node::File { mut content, mode })) => {
                        // Same size, different content, where there is content.
                        if let Some(b) = content.first_mut() {
                            *b ^= 0x80;
                        }
                        Some(Node::File { content, mode })
                    }
                    (_, _) => Some(fresh),
                };
                if let Some(node) = next {
                    new.insert(slot, node);
                }
            }
            (model.clone(), new)
        })
}

fn build(root: &Path, model: &Model) {
    for dir in DIRS {
        fs::create_dir_all(root.join(dir)).unwrap();
    }
    for (slot, node) in model {
        put(&root.join(slot), node);
    }
}

fn put(path: &Path, node: &Node) {
    match node {
        Node::File { content, mode } => {
            fs::write(path, content).unwrap();
            fs::set_permissions(path, fs::Permissions::from_mode(*mode)).unwrap();
        }
        Node::Link { target } => symlink(target, path).unwrap(),
    }
}

/// Turns the tree of `old` into that of `new`, touching only the slots that differ, and
/// in the least way: a chmod for a mode change, a rewrite in place for content.
fn apply(root: &Path, old: &Model, new: &Model) {
    for slot in slots() {
        let path = root.join(&slot);
        match (old.get(&slot), new.get(&slot)) {
            (a, b) if a == b => {}
            (Some(_), None) => fs::remove_file(&path).unwrap(),
            (None, Some(node)) => put(&path, node),
            (
                Some(Node::File { content: c0, .. }),
                Some(Node::File {
                    content: c1,
                    mode: m1,
                }),
            ) => {
                if c0 != c1 {
                    fs::write(&path, c1).unwrap();
                }
                fs::set_permissions(&path, fs::Permissions::from_mode(*m1)).unwrap();
            }
            (Some(_), Some(node)) => {
                fs::remove_file(&path).unwrap();
                put(&path, node);
            }
            (None, None) => {}
        }
    }
}

fn mode_of(node: &Node) -> u32 {
    match node {
        Node::File { mode, .. } => *mode,
        Node::Link { .. } => 0o777,
    }
}

/// The changes `compare` should report, from the models alone.
fn expected(old: &Model, new: &Model) -> Vec<String> {
    let mut lines = Vec::new();
    for slot in slots() {
        match (old.get(&slot), new.get(&slot)) {
            (None, Some(_)) => lines.push(format!("added {slot}")),
            (Some(_), None) => lines.push(format!("removed {slot}")),
            (Some(a), Some(b)) => {
                let mut what = BTreeSet::new();
                match (a, b) {
                    (Node::File { content: c0, .. }, Node::File { content: c1, .. }) => {
                        if c0 != c1 {
                            what.insert(Aspect::Content);
                        }
                        if c0.len() != c1.len() {
                            what.insert(Aspect::Size);
                        }
                    }
                    (Node::Link { target: t0 }, Node::Link { target: t1 }) => {
                        if t0 != t1 {
                            what.insert(Aspect::LinkTarget);
                        }
                    }
                    _ => {
                        what.insert(Aspect::Kind);
                    }
                }
                if mode_of(a) != mode_of(b) {
                    what.insert(Aspect::Mode);
                }
                if !what.is_empty() {
                    let what: Vec<&str> = what.iter().map(|a| a.name()).collect();
                    lines.push(format!("changed {slot} {}", what.join(",")));
                }
            }
            (None, None) => {}
        }
    }
    lines.sort();
    lines
}

fn reported(changes: &vigil_fim::Changes) -> Vec<String> {
    let mut lines = Vec::new();
    lines.extend(changes.added.iter().map(|e| format!("added {}", e.path)));
    lines.extend(
        changes
            .removed
            .iter()
            .map(|e| format!("removed {}", e.path)),
    );
    for c in &changes.changed {
        let what: Vec<&str> = c.what.iter().map(|a| a.name()).collect();
        lines.push(format!("changed {} {}", c.path, what.join(",")));
    }
    lines.sort();
    lines
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn a_tree_compared_with_itself_is_clean(model in model()) {
        let tree = tempfile::tempdir().unwrap();
        build(tree.path(), &model);
        let options = Options::default();
        let first = baseline(tree.path(), &options).unwrap();
        let second = baseline(tree.path(), &options).unwrap();
        let with_mtime = CompareOptions { mtime: true };
        let clean = compare(&first, &second, &with_mtime).is_clean();
        prop_assert!(clean);
        prop_assert_eq!(first.entries(), second.entries());
    }

    #[test]
    fn random_edits_are_reported_exactly((old, new) in model().prop_flat_map(edited)) {
        let tree = tempfile::tempdir().unwrap();
        build(tree.path(), &old);
        let options = Options::default();
        let before = baseline(tree.path(), &options).unwrap();
        apply(tree.path(), &old, &new);
        let changes = vigil_fim::check(tree.path(), &before, &options).unwrap();
        prop_assert_eq!(reported(&changes), expected(&old, &new));
    }
}
