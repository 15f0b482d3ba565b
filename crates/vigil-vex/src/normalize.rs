//! The canonical form the writers write: sorted where order carries no meaning, without
//! duplicates, statements in document order.

use std::collections::HashSet;

use crate::product::{Product, ProductId};
use crate::{Document, Statement};

/// A sort key for ids: the string form first, so output reads in order, then the whole
/// value, so that ids with the same string (a bom-ref and an unresolved ref) are still
/// ordered the same way every time.
pub(crate) fn id_key(id: &ProductId) -> (String, String) {
    (id.as_iri(), format!("{id:?}"))
}

fn product_key(p: &Product) -> (String, String) {
    (p.id.as_iri(), format!("{p:?}"))
}

impl Statement {
    /// Sorts aliases, products, their hashes and subcomponents, and drops duplicates.
    pub fn normalize(&mut self) {
        self.vulnerability.aliases.sort();
        self.vulnerability.aliases.dedup();
        for p in &mut self.products {
            p.hashes.sort();
            p.hashes.dedup();
            p.subcomponents.sort_by_cached_key(id_key);
            p.subcomponents.dedup();
        }
        self.products.sort_by_cached_key(product_key);
        self.products.dedup();
    }
}

impl Document {
    /// Puts the document in the form the writers write: every statement normalized
    /// ([`Statement::normalize`]), and of statements that are then equal only the last
    /// kept. Statements stay in document order otherwise, since a later statement about
    /// the same product, vulnerability and time overrides an earlier one; dropping the
    /// earlier copy of an equal statement keeps that meaning.
    pub fn normalize(&mut self) {
        for s in &mut self.statements {
            s.normalize();
        }
        let mut seen = HashSet::with_capacity(self.statements.len());
        let mut keep = vec![false; self.statements.len()];
        for (i, s) in self.statements.iter().enumerate().rev() {
            keep[i] = seen.insert(s.clone());
        }
        let mut i = 0;
        self.statements.retain(|_| {
            i += 1;
            keep[i - 1]
        });
    }
}
