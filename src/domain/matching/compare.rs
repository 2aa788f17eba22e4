//! One name against one name: the head, the site tail, the acronym check, and the token
//! evidence an explanation shows.

use crate::domain::matching::explain::{Evidence, TokenEvidence, TokenReport};
use crate::domain::matching::feedback::Feedback;
use crate::domain::matching::score::{
    Overlap, TokenCover, TokenWeights, blend, character_similarity, is_acronym_of, is_connector,
    soft_overlap, spells_abbreviation,
};
use crate::domain::normalize::NormalizedName;

/// Share of the name score that comes from site agreement. Big enough that two sites of one
/// organisation ("- Dallas", "- Austin") fall out of the High band against each other, small
/// enough that a site only the PSA names costs little.
const SITE_SHARE: f64 = 0.12;
/// The share when neither name has a site: the value the calibration knots were read with, so
/// the scores of the plain names that make up most pools stay where they were calibrated.
const NO_SITE_SHARE: f64 = 0.07;
/// Site agreement when only the candidate names a site: the vendor side rarely names one while
/// the PSA side often does, so this is the usual shape of a right pair.
const CANDIDATE_ONLY_SITE: f64 = 0.8;
/// Site agreement when only the query names a site: the vendor singles out a site that this
/// candidate does not carry, which is how the bare organisation record of a PSA with one
/// record per site looks. A site dropped here would collapse the sites into one.
const QUERY_ONLY_SITE: f64 = 0.3;
/// Similarity given to an exact acronym ("IBM" and "International Business Machines").
const ACRONYM_SIMILARITY: f64 = 0.82;
/// Similarity of a looser acronym (a word left out, a short word kept whole): a little below
/// plain initials, so "CNRS" beats "CNR" for "Centre National de la Recherche Scientifique".
const LOOSE_ACRONYM_SIMILARITY: f64 = 0.8;
/// Similarity given to a name in brackets that is the other side's whole name ("China Academy
/// of Information and Communication Technology (CAICT)" and "CAICT"): a strong hint, but
/// brackets also hold sites, so it stays in the review band.
const ALIAS_SIMILARITY: f64 = 0.85;
/// A whole-name comparison (head plus site tokens) counts slightly less than the head, so a
/// wrong site split cannot hide a match but a right one still decides.
const FULL_NAME_FACTOR: f64 = 0.97;

/// Near-token weight share above which a comparison is not certain (see
/// [`NameComparison::certain`]).
const NEAR_SHARE_LIMIT: f64 = 0.1;

/// The outcome of comparing two normalised names.
#[derive(Debug, Clone, PartialEq)]
pub struct NameComparison {
    /// Similarity 0..1.
    pub similarity: f64,
    /// False when a noticeable share of the weight matched only nearly ("meyer" against
    /// "meyers"): such a name may be the right one, but only a person can say.
    pub certain: bool,
    /// Tokens and name-level evidence for the explanation.
    pub tokens: TokenReport,
    /// Name-level evidence (acronym, different sites).
    pub evidence: Vec<Evidence>,
}

/// A normalised name with the derived forms every comparison needs, computed once.
#[derive(Debug, Clone, PartialEq)]
pub struct PreparedName {
    /// The normalised name.
    pub name: NormalizedName,
    squashed: String,
    full: Vec<String>,
    full_squashed: String,
    /// The aside and the site as one, the whole text after the name, for the alias check.
    bracketed: Vec<String>,
}

impl PreparedName {
    /// Derives the squashed and whole-name (head plus site) forms.
    pub fn new(name: NormalizedName) -> PreparedName {
        let squashed = name.squashed();
        let full: Vec<String> = name.tokens.iter().chain(&name.site).cloned().collect();
        let full_squashed = full.concat();
        let bracketed = name.aside.iter().chain(&name.site).cloned().collect();
        PreparedName {
            name,
            squashed,
            full,
            full_squashed,
            bracketed,
        }
    }

    /// The head tokens followed by the site tokens.
    pub fn full(&self) -> &[String] {
        &self.full
    }

    /// The squashed head ("contosoltd" style), for tenant-name comparison.
    pub fn squashed(&self) -> &str {
        &self.squashed
    }
}

/// Compares a query name with a candidate name. With `explain` false the token report is left
/// empty, which is what ranking needs; the few suggestions shown are compared again with it.
pub fn compare_names(
    query: &PreparedName,
    candidate: &PreparedName,
    weights: &TokenWeights,
    feedback: &Feedback,
    explain: bool,
) -> NameComparison {
    let (q, c) = (&query.name, &candidate.name);
    let (mut query_tokens, mut candidate_tokens) = join_split_words(&q.tokens, &c.tokens);
    // Initials are read only beside a word both names share ("berlin" of "FU Berlin"): a
    // short word alone spells the initials of too many unrelated names ("net" of "Nissho
    // Electronics Tampa").
    let anchored = q
        .tokens
        .iter()
        .any(|token| !is_connector(token) && c.tokens.contains(token));
    let mut read_initials = anchored && expand_initials(&mut query_tokens, &mut candidate_tokens);
    let head = soft_overlap(&query_tokens, &candidate_tokens, weights, feedback);
    let head_characters = character_similarity(&query.squashed, &candidate.squashed);
    let mut evidence = Vec::new();
    let mut head_similarity = blend(head.score, head_characters);
    // An acronym against the long name, either way; when one side names a site that the other
    // ends with ("LJMU Austin", "Liverpool John Moores University - Austin"), without it.
    fn without_tail<'n>(name: &'n PreparedName, other: &PreparedName) -> &'n [String] {
        let tail = &other.name.site;
        let full = &name.full;
        if !tail.is_empty() && full.len() > tail.len() && full.ends_with(tail) {
            &full[..full.len() - tail.len()]
        } else {
            &name.name.tokens
        }
    }
    let (query_head, candidate_head) = (
        without_tail(query, candidate),
        without_tail(candidate, query),
    );
    let acronym = |short: &[String], long: &[String]| {
        if is_acronym_of(short, long) {
            Some(ACRONYM_SIMILARITY)
        } else if short.len() == 1 && spells_abbreviation(&short[0], long) {
            Some(LOOSE_ACRONYM_SIMILARITY)
        } else {
            None
        }
    };
    let acronym_similarity = acronym(query_head, &c.tokens)
        .or_else(|| acronym(&c.tokens, query_head))
        .or_else(|| acronym(candidate_head, &q.tokens))
        .or_else(|| acronym(&q.tokens, candidate_head));
    if let Some(acronym_similarity) = acronym_similarity {
        head_similarity = head_similarity.max(acronym_similarity);
        evidence.push(Evidence::Acronym);
    }
    // "Long Name (LN)", "Long Name (LN - Site)" or "Long Name (LN) Site": the brackets give
    // the other side's name.
    let alias_of = |named: &PreparedName, other: &PreparedName| match named.bracketed.as_slice() {
        [] => None,
        bracketed if named.name.tokens.len() >= 2 && other.name.site.is_empty() => {
            let alias = bracketed.join(" ");
            (alias == other.full.join(" ") || alias == other.squashed).then_some(alias)
        }
        _ => None,
    };
    if let Some(alias) = alias_of(query, candidate).or_else(|| alias_of(candidate, query)) {
        head_similarity = head_similarity.max(ALIAS_SIMILARITY);
        evidence.push(Evidence::Alias { alias });
    }
    // A site one side sets apart ("HKUST (Chicago)") that the other merely ends with ("HK
    // University of Science and Technology Chicago") is the same site, not a missing one: among
    // several sites of one organisation it is what tells them apart.
    let ends_with_site = |name: &PreparedName, site: &[String]| {
        !site.is_empty() && name.full.len() > site.len() && name.full.ends_with(site)
    };
    let site_agreement = match (q.site.is_empty(), c.site.is_empty()) {
        (true, true) => 1.0,
        (false, false) => soft_overlap(&q.site, &c.site, weights, feedback).score,
        (true, false) if ends_with_site(query, &c.site) => 1.0,
        (false, true) if ends_with_site(candidate, &q.site) => 1.0,
        (true, false) => CANDIDATE_ONLY_SITE,
        (false, true) => QUERY_ONLY_SITE,
    };
    if let Some((query_tail, candidate_tail)) = differing_tails(query, candidate) {
        evidence.push(Evidence::DifferentSites {
            query: query_tail,
            candidate: candidate_tail,
        });
    }
    let share = if q.site.is_empty() && c.site.is_empty() {
        NO_SITE_SHARE
    } else {
        SITE_SHARE
    };
    let mut similarity = (1.0 - share) * head_similarity + share * site_agreement;
    let mut near_share = head.near_share;
    let with_site = !q.site.is_empty() || !c.site.is_empty();
    let (mut query_full, mut candidate_full) = if with_site {
        join_split_words(&query.full, &candidate.full)
    } else {
        (Vec::new(), Vec::new())
    };
    read_initials |= anchored && expand_initials(&mut query_full, &mut candidate_full);
    let mut report = (head, &query_tokens, &candidate_tokens);
    if with_site {
        let full = soft_overlap(&query_full, &candidate_full, weights, feedback);
        // The same words split differently ("Org - Site" against "Org Site") are the same
        // name: only an inexact whole-name match pays for the doubt about the split.
        let full_similarity = if query_full == candidate_full {
            1.0
        } else {
            FULL_NAME_FACTOR
                * blend(
                    full.score,
                    character_similarity(&query.full_squashed, &candidate.full_squashed),
                )
        };
        if full_similarity > similarity {
            similarity = full_similarity;
            near_share = full.near_share;
            report = (full, &query_full, &candidate_full);
        }
    }
    let tokens = if explain {
        token_report(&report.0, report.1, report.2, feedback)
    } else {
        TokenReport::default()
    };
    NameComparison {
        similarity,
        certain: near_share <= NEAR_SHARE_LIMIT && !read_initials,
        tokens,
        evidence,
    }
}

/// The tails after a shared organisation head, when the two names share one and differ after
/// it: the longest common token prefix of the whole names must be a whole head of one side
/// ("northside health" of "Northside Health - Eastgate"), so two names that merely start alike
/// ("Harbor View Dental", "Harbor View Family Dentistry") are not read as sites.
fn differing_tails(query: &PreparedName, candidate: &PreparedName) -> Option<(String, String)> {
    let shared = query
        .full
        .iter()
        .zip(&candidate.full)
        .take_while(|(a, b)| a == b)
        .count();
    let is_head = shared == query.name.tokens.len() || shared == candidate.name.tokens.len();
    let (query_tail, candidate_tail) = (&query.full[shared..], &candidate.full[shared..]);
    if shared == 0 || !is_head || (query_tail.is_empty() && candidate_tail.is_empty()) {
        return None;
    }
    Some((query_tail.join(" "), candidate_tail.join(" ")))
}

/// Reads "Tri County" as "TriCounty" when the other name has the word run together (and the
/// reverse), so that a hyphen or a space inside a word never splits it into two weak tokens.
/// Only a pair whose parts are both absent from the other name is joined.
fn join_split_words(left: &[String], right: &[String]) -> (Vec<String>, Vec<String>) {
    let joined_left = join_against(left, right);
    let joined_right = join_against(right, &joined_left);
    (joined_left, joined_right)
}

/// Reads a short word that spells the initials of a run of the other name's words as those
/// words ("fu berlin" against "free university of berlin"), each way. Only part of a name: a
/// whole name of initials is the acronym check's. Returns whether any word was read so, since
/// such a comparison may be right but is never certain.
fn expand_initials(left: &mut Vec<String>, right: &mut Vec<String>) -> bool {
    let expanded_left = expand_against(left, right);
    let expanded_right = expand_against(right, left);
    expanded_left || expanded_right
}

/// Initials are two to four letters; longer words are words.
const INITIALS_LENGTH: std::ops::RangeInclusive<usize> = 2..=4;

fn expand_against(tokens: &mut Vec<String>, other: &[String]) -> bool {
    if tokens.len() < 2 {
        return false;
    }
    let mut expanded = false;
    let mut index = 0;
    while index < tokens.len() {
        let token = &tokens[index];
        let short = INITIALS_LENGTH.contains(&token.len())
            && token.chars().all(|c| c.is_ascii_alphabetic())
            && !other.contains(token);
        let run = short.then(|| initials_run(token, other)).flatten();
        match run {
            // The spelled-out words must be new to this side, or the initials add nothing.
            Some(words) if words.iter().all(|word| !tokens.contains(word)) => {
                let count = words.len();
                tokens.splice(index..=index, words);
                index += count;
                expanded = true;
            }
            _ => index += 1,
        }
    }
    expanded
}

/// The run of `other`'s words, connectors left out, whose first letters spell `short`.
fn initials_run(short: &str, other: &[String]) -> Option<Vec<String>> {
    let letters: Vec<char> = short.chars().collect();
    (0..other.len()).find_map(|start| {
        let mut words = Vec::new();
        let mut at = start;
        for letter in &letters {
            while other.get(at).is_some_and(|word| is_connector(word)) && !words.is_empty() {
                at += 1;
            }
            let word = other.get(at)?;
            if is_connector(word) || !word.starts_with(*letter) || word.len() < 2 {
                return None;
            }
            words.push(word.clone());
            at += 1;
        }
        Some(words)
    })
}

fn join_against(tokens: &[String], other: &[String]) -> Vec<String> {
    let mut joined = Vec::with_capacity(tokens.len());
    let mut index = 0;
    while index < tokens.len() {
        if let Some(next) = tokens.get(index + 1) {
            let first = &tokens[index];
            // Compared in place: this runs for every candidate of every query, and building
            // the joined word first was an eighth of the matcher's time.
            let is_joined = |word: &String| {
                word.len() == first.len() + next.len()
                    && word.starts_with(first.as_str())
                    && word.ends_with(next.as_str())
            };
            let parts_absent = !other.contains(first) && !other.contains(next);
            if parts_absent && let Some(word) = other.iter().find(|word| is_joined(word)) {
                joined.push(word.clone());
                index += 2;
                continue;
            }
        }
        joined.push(tokens[index].clone());
        index += 1;
    }
    joined
}

fn token_report(
    overlap: &Overlap,
    left: &[String],
    right: &[String],
    feedback: &Feedback,
) -> TokenReport {
    let evidence = |cover: &TokenCover, own: &[String], other: &[String]| {
        let token = own[cover.token].clone();
        TokenEvidence {
            near: cover
                .best
                .map(|(index, _)| &other[index])
                .filter(|near| **near != token)
                .cloned(),
            weight: (cover.weight * 10.0).round() / 10.0,
            learned_noise: feedback.noise_factor(&token) < 1.0,
            token,
        }
    };
    let mut report = TokenReport::default();
    for cover in &overlap.left {
        if cover.best.is_some() {
            report.shared.push(evidence(cover, left, right));
        } else {
            report
                .missing_from_candidate
                .push(evidence(cover, left, right));
        }
    }
    for cover in overlap.right.iter().filter(|cover| cover.best.is_none()) {
        report.missing_from_query.push(evidence(cover, right, left));
    }
    report
}

#[cfg(test)]
mod split_word_tests {
    use super::join_split_words;

    fn words(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn a_word_split_on_one_side_is_joined() {
        let (left, right) =
            join_split_words(&words("tricounty electric"), &words("tri county electric"));
        assert_eq!(left, words("tricounty electric"));
        assert_eq!(right, words("tricounty electric"));
        let (left, right) = join_split_words(&words("tri county"), &words("tri county"));
        assert_eq!(
            (left, right),
            (words("tri county"), words("tri county")),
            "equal names stay"
        );
    }
}
