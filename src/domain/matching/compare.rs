//! One name against one name: the head, the site tail, the acronym check, and the token
//! evidence an explanation shows.

use crate::domain::matching::explain::{Evidence, TokenEvidence};
use crate::domain::matching::feedback::Feedback;
use crate::domain::matching::score::{
    Overlap, TokenCover, TokenWeights, blend, character_similarity, is_acronym_of, soft_overlap,
};
use crate::domain::normalize::NormalizedName;

/// Share of the name score that comes from site agreement; small, because the vendor side
/// rarely names a site while the PSA side often does.
const SITE_SHARE: f64 = 0.07;
/// Similarity given to an exact acronym ("IBM" and "International Business Machines").
const ACRONYM_SIMILARITY: f64 = 0.82;
/// A whole-name comparison (head plus site tokens) counts slightly less than the head, so a
/// wrong site split cannot hide a match but a right one still decides.
const FULL_NAME_FACTOR: f64 = 0.97;

/// The outcome of comparing two normalised names.
#[derive(Debug, Clone, PartialEq)]
pub struct NameComparison {
    /// Similarity 0..1.
    pub similarity: f64,
    /// Tokens and name-level evidence for the explanation.
    pub tokens: TokenReport,
    /// Name-level evidence (acronym, different sites).
    pub evidence: Vec<Evidence>,
}

/// The token part of an explanation.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TokenReport {
    /// Tokens both sides have.
    pub shared: Vec<TokenEvidence>,
    /// Query tokens the candidate lacks.
    pub missing_from_candidate: Vec<TokenEvidence>,
    /// Candidate tokens the query lacks.
    pub missing_from_query: Vec<TokenEvidence>,
}

/// Compares a query name with a candidate name.
pub fn compare_names(
    query: &NormalizedName,
    candidate: &NormalizedName,
    weights: &TokenWeights,
    feedback: &Feedback,
) -> NameComparison {
    let head = soft_overlap(&query.tokens, &candidate.tokens, weights, feedback);
    let head_characters = character_similarity(&query.squashed(), &candidate.squashed());
    let mut evidence = Vec::new();
    let mut head_similarity = blend(head.score, head_characters);
    if is_acronym_of(&query.tokens, &candidate.tokens)
        || is_acronym_of(&candidate.tokens, &query.tokens)
    {
        head_similarity = head_similarity.max(ACRONYM_SIMILARITY);
        evidence.push(Evidence::Acronym);
    }
    let site_agreement = match (query.site.is_empty(), candidate.site.is_empty()) {
        (true, true) => 1.0,
        (false, false) => {
            let sites = soft_overlap(&query.site, &candidate.site, weights, feedback);
            if sites.score < 0.5 {
                evidence.push(Evidence::DifferentSites);
            }
            sites.score
        }
        _ => 0.8,
    };
    let mut similarity = (1.0 - SITE_SHARE) * head_similarity + SITE_SHARE * site_agreement;
    let mut report_overlap = head;
    if !query.site.is_empty() || !candidate.site.is_empty() {
        let full_query: Vec<String> = query.tokens.iter().chain(&query.site).cloned().collect();
        let full_candidate: Vec<String> = candidate
            .tokens
            .iter()
            .chain(&candidate.site)
            .cloned()
            .collect();
        let full = soft_overlap(&full_query, &full_candidate, weights, feedback);
        let full_similarity = FULL_NAME_FACTOR
            * blend(
                full.score,
                character_similarity(&full_query.concat(), &full_candidate.concat()),
            );
        if full_similarity > similarity {
            similarity = full_similarity;
            report_overlap = full;
        }
    }
    NameComparison {
        similarity,
        tokens: token_report(&report_overlap, feedback),
        evidence,
    }
}

fn token_report(overlap: &Overlap, feedback: &Feedback) -> TokenReport {
    let evidence = |cover: &TokenCover| TokenEvidence {
        token: cover.token.clone(),
        weight: (cover.weight * 10.0).round() / 10.0,
        near: cover
            .best
            .as_ref()
            .filter(|(other, _)| *other != cover.token)
            .map(|(other, _)| other.clone()),
        learned_noise: feedback.noise_factor(&cover.token) < 1.0,
    };
    let mut report = TokenReport::default();
    for cover in &overlap.left {
        if cover.best.is_some() {
            report.shared.push(evidence(cover));
        } else {
            report.missing_from_candidate.push(evidence(cover));
        }
    }
    for cover in overlap.right.iter().filter(|cover| cover.best.is_none()) {
        report.missing_from_query.push(evidence(cover));
    }
    report
}
