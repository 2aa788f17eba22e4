//! Interim candidate ranking for the mapping screens, until `domain::matching` lands on main.
//!
//! It is deliberately simple and lives here only so the workbench can be built and tested
//! against the real store today: names are folded (case, punctuation, common legal suffixes),
//! then scored by shared tokens blended with Jaro-Winkler similarity. The lead should replace
//! [`rank`] with the matching engine's suggestions; the screen only needs score, why and band.

use crate::domain::lines::SourceKey;
use crate::tui::data::Candidate;
use std::collections::BTreeSet;

/// Lowest score the bulk accept may confirm, provided the best candidate also leads the second
/// by [`SAFE_MARGIN`] points.
pub const SAFE_SCORE: u8 = 95;
/// Lead over the second candidate needed for the safe band.
pub const SAFE_MARGIN: u8 = 6;
/// Candidates below this score are not shown.
const SHOWN_SCORE: u8 = 40;
/// How many candidates are shown.
const SHOWN: usize = 10;

const LEGAL_SUFFIXES: &[&str] = &[
    "ltd",
    "limited",
    "inc",
    "incorporated",
    "llc",
    "llp",
    "lp",
    "plc",
    "corp",
    "corporation",
    "co",
    "company",
    "gmbh",
    "ag",
    "bv",
    "nv",
    "sa",
    "sas",
    "sarl",
    "srl",
    "spa",
    "pty",
    "oy",
    "ab",
    "as",
    "aps",
    "kg",
];

/// A name folded for comparison: lower case, punctuation as spaces, legal suffixes dropped.
pub fn fold(name: &str) -> String {
    let lowered: String = name
        .to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    let words: Vec<&str> = lowered.split_whitespace().collect();
    let kept: Vec<&str> = words
        .iter()
        .copied()
        .filter(|word| !LEGAL_SUFFIXES.contains(word))
        .collect();
    if kept.is_empty() {
        words.join(" ")
    } else {
        kept.join(" ")
    }
}

/// Ranks `pool` (key, name) for a vendor `name`, leaving out `rejected` keys; best first.
pub fn rank(
    name: &str,
    pool: &[(SourceKey, String)],
    rejected: &BTreeSet<SourceKey>,
) -> Vec<Candidate> {
    let query = fold(name);
    let query_tokens: BTreeSet<&str> = query.split_whitespace().collect();
    let mut scored: Vec<(u8, Candidate)> = pool
        .iter()
        .filter(|(key, _)| !rejected.contains(key))
        .filter_map(|(key, candidate_name)| {
            let folded = fold(candidate_name);
            let tokens: BTreeSet<&str> = folded.split_whitespace().collect();
            let shared: Vec<&str> = query_tokens.intersection(&tokens).copied().collect();
            let union = query_tokens.union(&tokens).count().max(1);
            let overlap = shared.len() as f64 / union as f64;
            let similarity = strsim::jaro_winkler(&query, &folded);
            let score = if query == folded {
                100
            } else {
                (100.0 * (0.5 * overlap + 0.5 * similarity))
                    .round()
                    .clamp(0.0, 99.0) as u8
            };
            if score < SHOWN_SCORE {
                return None;
            }
            let mut why = vec![format!(
                "\"{name}\" → \"{query}\"; \"{candidate_name}\" → \"{folded}\""
            )];
            if !shared.is_empty() {
                why.push(format!("shared words: {}", shared.join(", ")));
            }
            why.push(format!("character similarity {:.0}%", similarity * 100.0));
            Some((
                score,
                Candidate {
                    key: key.clone(),
                    name: candidate_name.clone(),
                    score,
                    why,
                    safe: false,
                },
            ))
        })
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.name.cmp(&b.1.name)));
    scored.truncate(SHOWN);
    let second = scored.get(1).map_or(0, |(score, _)| *score);
    if let Some((score, best)) = scored.first_mut() {
        best.safe = *score >= SAFE_SCORE && *score - second >= SAFE_MARGIN;
    }
    scored.into_iter().map(|(_, candidate)| candidate).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(names: &[&str]) -> Vec<(SourceKey, String)> {
        names
            .iter()
            .map(|name| (SourceKey::new("psa", *name), name.to_string()))
            .collect()
    }

    #[test]
    fn legal_suffixes_and_punctuation_do_not_count() {
        assert_eq!(fold("Contoso Ltd."), "contoso");
        assert_eq!(fold("Fabrikam, Inc"), "fabrikam");
        assert_eq!(fold("Ltd"), "ltd");
    }

    #[test]
    fn an_equal_folded_name_is_safe_only_when_clearly_ahead() {
        let ranked = rank(
            "Contoso Ltd.",
            &pool(&["Contoso", "Northwind Traders"]),
            &BTreeSet::new(),
        );
        assert_eq!(ranked[0].name, "Contoso");
        assert_eq!(ranked[0].score, 100);
        assert!(ranked[0].safe);
        let close = rank(
            "Contoso",
            &pool(&["Contoso Ltd", "Contoso Inc"]),
            &BTreeSet::new(),
        );
        assert!(!close[0].safe, "two equal names are ambiguous");
    }

    #[test]
    fn rejected_candidates_are_never_offered() {
        let rejected: BTreeSet<SourceKey> =
            [SourceKey::new("psa", "Contoso")].into_iter().collect();
        let ranked = rank("Contoso", &pool(&["Contoso"]), &rejected);
        assert!(ranked.is_empty());
    }
}
