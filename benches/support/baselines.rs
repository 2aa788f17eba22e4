//! Plain baselines measured in the same run as the matcher, on the same normalised names
//! (billgap's own company normalisation: folded, punctuation and legal suffixes removed,
//! abbreviations spelled out), so the comparison is about scoring, not cleaning.
//!
//! * Jaro-Winkler: `strsim::jaro_winkler` on the normalised names.
//! * Token-set ratio: rapidfuzz's `token_set_ratio` rebuilt on an indel (LCS) ratio:
//!   the sorted intersection of the token sets against it plus each side's remaining tokens,
//!   best of the three comparisons.

#![allow(dead_code)]

use std::collections::BTreeSet;

/// Normalised text of a name: head and site tokens, space-joined.
pub fn normalised(name: &str) -> String {
    let normalized = billgap::domain::normalize::normalize_company(name);
    normalized
        .tokens
        .iter()
        .chain(&normalized.site)
        .cloned()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Indel similarity (rapidfuzz `ratio` / 100): 1 − indel distance / total length.
pub fn indel_ratio(left: &str, right: &str) -> f64 {
    let (a, b): (Vec<char>, Vec<char>) = (left.chars().collect(), right.chars().collect());
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let mut row = vec![0usize; b.len() + 1];
    for x in &a {
        let mut diagonal = 0;
        for (j, y) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = if x == y {
                diagonal + 1
            } else {
                above.max(row[j])
            };
            diagonal = above;
        }
    }
    let common = row[b.len()];
    2.0 * common as f64 / (a.len() + b.len()) as f64
}

/// rapidfuzz-style token-set ratio of two normalised names, 0..1.
pub fn token_set_ratio(left: &str, right: &str) -> f64 {
    let a: BTreeSet<&str> = left.split_whitespace().collect();
    let b: BTreeSet<&str> = right.split_whitespace().collect();
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let join = |set: Vec<&str>| set.join(" ");
    let common = join(a.intersection(&b).copied().collect());
    let only_a = join(a.difference(&b).copied().collect());
    let only_b = join(b.difference(&a).copied().collect());
    let with = |rest: &str| match (common.is_empty(), rest.is_empty()) {
        (true, _) => rest.to_string(),
        (false, true) => common.clone(),
        (false, false) => format!("{common} {rest}"),
    };
    let (first, second) = (with(&only_a), with(&only_b));
    // A full subset is a perfect token-set match, as in rapidfuzz.
    if !common.is_empty() && (only_a.is_empty() || only_b.is_empty()) {
        return 1.0;
    }
    let mut best = indel_ratio(&first, &second);
    if !common.is_empty() {
        best = best
            .max(indel_ratio(&common, &first))
            .max(indel_ratio(&common, &second));
    }
    best
}
