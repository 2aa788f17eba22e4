//! The slice of a period a file covers, from every row of it.
//!
//! A slice is what a later export of the same source replaces: for Partner Center, the partner
//! and the billing currency. It used to be read from the first row only, so a re-export sorted
//! differently, or Microsoft's separate per-currency file after a mixed one, named another
//! slice, replaced nothing, and every seat of the month counted twice. Now each slice role
//! collects every value its rows hold, and the slice is written `p1/CAD+USD`: the roles in
//! profile order separated by `/`, each role's values sorted and joined by `+`.

use std::collections::BTreeSet;

/// Collects the values of each slice role while the rows stream in.
#[derive(Debug, Clone, Default)]
pub struct SliceCollector {
    roles: Vec<BTreeSet<String>>,
}

/// How a role's values are separated in a slice string.
const VALUES: char = '+';
/// How roles are separated in a slice string.
const ROLES: char = '/';

impl SliceCollector {
    /// A collector for `count` slice roles.
    pub fn new(count: usize) -> Self {
        Self {
            roles: vec![BTreeSet::new(); count],
        }
    }

    /// Adds the value of role `index` in one row; blank values say nothing.
    pub fn add(&mut self, index: usize, value: &str) {
        let Some(values) = self.roles.get_mut(index) else {
            return;
        };
        // Every row passes here with the value the rows before it had: look it up as written
        // first. The set holds cleaned values only, so a value found as written is clean and
        // in it already; only a value not found is cleaned, then looked up again.
        if values.contains(value) {
            return;
        }
        let dropped = |c: char| c.is_control() || c.is_whitespace() || matches!(c, '+' | '/');
        let value: String = value.chars().filter(|c| !dropped(*c)).collect();
        // A role with thousands of values is no slice; a handful is all a real file has.
        if !value.is_empty() && values.len() < 64 && !values.contains(&value) {
            values.insert(value);
        }
    }

    /// The slice string, or `all` when no role had a value.
    pub fn finish(&self) -> String {
        let parts: Vec<String> = self
            .roles
            .iter()
            .filter(|values| !values.is_empty())
            .map(|values| {
                values
                    .iter()
                    .map(String::as_str)
                    .collect::<Vec<_>>()
                    .join(&VALUES.to_string())
            })
            .collect();
        if parts.is_empty() {
            "all".to_string()
        } else {
            parts.join(&ROLES.to_string())
        }
    }
}

/// How a new import's slice relates to an earlier one's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overlap {
    /// They share nothing: both stay current.
    Disjoint,
    /// The new one covers all of the earlier one: it replaces it.
    Covers,
    /// They share part: keeping both counts the shared part twice, and replacing drops the
    /// rest of the earlier one.
    Partial,
}

/// Compares two slice strings role by role.
pub fn overlap(new: &str, earlier: &str) -> Overlap {
    if new == earlier {
        return Overlap::Covers;
    }
    let split = |slice: &str| -> Vec<BTreeSet<String>> {
        slice
            .split(ROLES)
            .map(|role| role.split(VALUES).map(str::to_string).collect())
            .collect()
    };
    let (new, earlier) = (split(new), split(earlier));
    if new.len() != earlier.len() {
        // Different roles present (a file without its partner column): not comparable.
        return Overlap::Disjoint;
    }
    let mut covers = true;
    for (mine, theirs) in new.iter().zip(&earlier) {
        if mine.is_disjoint(theirs) {
            return Overlap::Disjoint;
        }
        covers &= theirs.is_subset(mine);
    }
    if covers {
        Overlap::Covers
    } else {
        Overlap::Partial
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_counts_in_sorted_order() {
        let mut slice = SliceCollector::new(2);
        for (partner, currency) in [("p1", "CAD"), ("p1", "USD"), ("p1", "CAD"), ("", "")] {
            slice.add(0, partner);
            slice.add(1, currency);
        }
        assert_eq!(slice.finish(), "p1/CAD+USD");
        assert_eq!(SliceCollector::new(2).finish(), "all");
    }

    #[test]
    fn slices_cover_overlap_or_not() {
        assert_eq!(overlap("p1/CAD+USD", "p1/USD+CAD"), Overlap::Covers);
        assert_eq!(overlap("p1/CAD+USD", "p1/CAD"), Overlap::Covers);
        assert_eq!(overlap("p1/CAD", "p1/CAD+USD"), Overlap::Partial);
        assert_eq!(overlap("p1/EUR", "p1/CAD+USD"), Overlap::Disjoint);
        assert_eq!(overlap("p2/CAD", "p1/CAD"), Overlap::Disjoint);
        assert_eq!(overlap("all", "all"), Overlap::Covers);
    }
}
