//! Direct and transitive dependencies of the subject, and one shortest path to each.

use std::collections::VecDeque;

use crate::Bom;

/// How a component relates to the subject of its BOM.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Relation {
    /// One of the subject's own components, or a grouping node without a purl that
    /// the subject reaches through no package (a lockfile, the operating system).
    Subject,
    /// The subject depends on it through no other package.
    Direct,
    /// It is reached from the subject through other components.
    Transitive,
    /// No path leads to it from the subject: the document lists it without saying how
    /// it is used.
    Unreachable,
}

/// Shortest dependency paths from the subject to every component, computed once with a
/// breadth-first search over all edges.
#[derive(Clone, Debug)]
pub struct Graph {
    /// For each component: its distance from the subject and its predecessor on one
    /// shortest path.
    reached: Vec<Option<(usize, Option<usize>)>>,
}

impl Graph {
    /// The graph of `bom`. Without a subject, or a subject with no components, nothing
    /// is reachable.
    ///
    /// Distance counts packages only: a component with neither purl nor version
    /// (trivy's lockfile and operating-system nodes, syft's directory) groups the
    /// subject's packages rather than being one, so stepping onto it costs nothing. The packages a lockfile lists
    /// are therefore direct dependencies of the subject, and theirs transitive.
    pub fn new(bom: &Bom) -> Graph {
        let n = bom.components.len();
        let mut adjacency: Vec<Vec<usize>> = vec![Vec::new(); n];
        for e in &bom.edges {
            if e.from < n && e.to < n && e.from != e.to {
                adjacency[e.from].push(e.to);
            }
        }
        let weight = |i: usize| {
            let c = &bom.components[i];
            usize::from(c.purl.is_some() || c.version.is_some())
        };
        let mut reached: Vec<Option<(usize, Option<usize>)>> = vec![None; n];
        let mut done = vec![false; n];
        // 0-1 breadth-first search: zero-cost steps go to the front of the queue.
        let mut queue = VecDeque::new();
        for &root in bom.subject.iter().flat_map(|s| &s.components) {
            if root < n && reached[root].is_none() {
                reached[root] = Some((0, None));
                queue.push_back(root);
            }
        }
        while let Some(at) = queue.pop_front() {
            if done[at] {
                continue;
            }
            done[at] = true;
            let dist = reached[at].map_or(0, |(d, _)| d);
            for &next in &adjacency[at] {
                let w = weight(next);
                let better = match reached[next] {
                    None => true,
                    Some((d, _)) => dist + w < d,
                };
                if better && !done[next] {
                    reached[next] = Some((dist + w, Some(at)));
                    if w == 0 {
                        queue.push_front(next);
                    } else {
                        queue.push_back(next);
                    }
                }
            }
        }
        Graph { reached }
    }

    /// How component `index` relates to the subject.
    pub fn relation(&self, index: usize) -> Relation {
        match self.reached.get(index).copied().flatten() {
            Some((0, _)) => Relation::Subject,
            Some((1, _)) => Relation::Direct,
            Some(_) => Relation::Transitive,
            None => Relation::Unreachable,
        }
    }

    /// One shortest path from a subject component to `index`, both ends included, or
    /// `None` when `index` is unreachable.
    pub fn path(&self, index: usize) -> Option<Vec<usize>> {
        let (dist, _) = self.reached.get(index).copied().flatten()?;
        let mut path = Vec::with_capacity(dist + 1);
        let mut at = Some(index);
        while let Some(i) = at {
            path.push(i);
            at = self.reached[i].and_then(|(_, prev)| prev);
        }
        path.reverse();
        Some(path)
    }
}

impl Bom {
    /// The dependency graph, for [`Graph::relation`] and [`Graph::path`] queries.
    pub fn graph(&self) -> Graph {
        Graph::new(self)
    }

    /// Whether component `index` is the subject, a direct or a transitive dependency.
    /// Computes the graph: for many queries use [`Bom::graph`] once.
    pub fn relation(&self, index: usize) -> Relation {
        self.graph().relation(index)
    }

    /// One shortest dependency path from the subject to component `index`.
    pub fn dependency_path(&self, index: usize) -> Option<Vec<usize>> {
        self.graph().path(index)
    }
}
