//! The workbench's `/` search: a finder over display names, kept apart from the matchers
//! because its scores are not calibrated and never become suggestions.

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;

/// Interactive type-ahead for the workbench's `/` search: fzf-style subsequence matching of
/// what the operator types against display names, so "cntso" finds "Contoso Ltd" while the
/// operator is still typing.
///
/// Returns (index into `names`, score) for every name that contains the query's characters in
/// order, best first, ties by index so the list does not jump between keystrokes. Case is
/// ignored, because PSA names are often upper case ("A AND B PLUMBING") and vendor names are
/// not. This is a finder, not a matcher: its scores mean nothing across queries, and it never
/// feeds a suggestion or a mapping.
pub fn type_ahead<S: AsRef<str>>(query: &str, names: &[S]) -> Vec<(usize, i64)> {
    let matcher = SkimMatcherV2::default().ignore_case();
    let mut hits: Vec<(usize, i64)> = names
        .iter()
        .enumerate()
        .filter_map(|(index, name)| {
            matcher
                .fuzzy_match(name.as_ref(), query)
                .map(|score| (index, score))
        })
        .collect();
    hits.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    hits
}
