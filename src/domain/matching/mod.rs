//! Suggests which PSA company a vendor customer is, and which PSA product a vendor SKU is.
//!
//! The pipeline: operator decisions first (a confirmed pair short-circuits, a rejected pair is
//! never suggested), then strong keys (an id carried across, equal registrable domains, a
//! tenant name), then names: normalised ([`crate::domain::normalize`]), blocked through an
//! index, scored with IDF-weighted soft token overlap blended with character similarity, and
//! calibrated to 0..100 so one threshold means the same for every query. Every suggestion
//! carries an [`Explanation`]. Suggestions never become mappings by themselves; only
//! [`auto_acceptable`] names the few that may.

mod catalog;
mod client;
mod compare;
mod explain;
mod feedback;
mod index;
mod product;
mod score;

pub use catalog::{CatalogProduct, catalog_products, find_in_catalog};
pub use client::ClientMatcher;
pub use explain::{Evidence, Explanation, TokenEvidence};
pub use feedback::Feedback;
pub use product::ProductMatcher;

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;

/// Lowest score of the High band.
///
/// Calibrated on the labelled set in `tests/data/matching/` (527 vendor-style queries against
/// 485 PSA-style names with distractors; `cargo bench --bench matching_eval`): of all top-3
/// suggestions scoring 90–99, 95% were right pairs, and at 100 all were; with the margin below,
/// 403 of 403 auto-acceptable suggestions were right (recall 0.84 of queries whose company is in
/// the pool).
pub const HIGH_THRESHOLD: u8 = 90;

/// Lowest score of the Review band; below it nothing is suggested.
///
/// Calibrated on the same set: right pairs were 1% of suggestions scoring 60–69, 6% at 70–79
/// and 34% at 80–89, and no right pair of that set scored below 60. Below 60 a suggestion is
/// noise, so it is shown only as context.
pub const REVIEW_THRESHOLD: u8 = 60;

/// Points the best candidate must lead the second by before it may be auto-accepted.
///
/// Two sites of one organisation ("Contoso - Dallas", "Contoso - Austin") and near names of
/// different companies ("Clark Bros" / "Clarke Bros") score within a few points of each other;
/// on the labelled set a lead of 6 left no wrong pair among auto-acceptable suggestions.
pub const AUTO_ACCEPT_MARGIN: u8 = 6;

/// How confident a suggestion is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Band {
    /// Score at or above [`HIGH_THRESHOLD`]: safe to accept in bulk after a glance, and
    /// auto-acceptable when also clearly ahead of the second candidate.
    High,
    /// Score at or above [`REVIEW_THRESHOLD`]: plausible, needs a person.
    Review,
    /// Below [`REVIEW_THRESHOLD`]: not worth showing as a suggestion.
    None,
}

impl Band {
    /// The band of a calibrated score.
    pub fn of(score: u8) -> Band {
        if score >= HIGH_THRESHOLD {
            Band::High
        } else if score >= REVIEW_THRESHOLD {
            Band::Review
        } else {
            Band::None
        }
    }

    /// Lower-case name for CSV, JSON and screens.
    pub fn as_str(self) -> &'static str {
        match self {
            Band::High => "high",
            Band::Review => "review",
            Band::None => "none",
        }
    }
}

/// One ranked candidate for a query.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    /// The candidate's stable key (PSA company id or product id).
    pub candidate_key: String,
    /// The candidate's display name.
    pub candidate_name: String,
    /// Calibrated score, 0..100.
    pub score: u8,
    /// The band of `score`.
    pub band: Band,
    /// Why this candidate.
    pub explanation: Explanation,
}

impl Suggestion {
    /// A suggestion of one candidate, in the band of its score.
    pub(crate) fn new(
        candidate_key: String,
        candidate_name: String,
        score: u8,
        explanation: Explanation,
    ) -> Suggestion {
        Suggestion {
            candidate_key,
            candidate_name,
            score,
            band: Band::of(score),
            explanation,
        }
    }

    /// The one-line reason for CLI and TUI lists.
    pub fn summary(&self) -> String {
        self.explanation.summary()
    }
}

/// The best suggestion only when it may be auto-accepted: it is High, at least `accept_above`,
/// and at least [`AUTO_ACCEPT_MARGIN`] points ahead of the next candidate (including
/// candidates cut off by `top`). Suggestions must be in the order the matchers return.
pub fn auto_acceptable(suggestions: &[Suggestion], accept_above: u8) -> Option<&Suggestion> {
    let best = suggestions.first()?;
    if best.band != Band::High || best.score < accept_above {
        return None;
    }
    let margin = match suggestions.get(1) {
        Some(second) => Some(best.score.saturating_sub(second.score)),
        None => best.explanation.margin_to_next,
    };
    match margin {
        Some(margin) if margin < AUTO_ACCEPT_MARGIN => None,
        _ => Some(best),
    }
}

/// Maps a 0..1 similarity onto the calibrated 0..100 scale.
///
/// The knots were read off the labelled set so that a score means the same for every query:
/// unrelated names land below 0.55 raw (under 45), names of the same company with heavy
/// distortion between 0.7 and 0.9 (62 to 89), clean or key-backed matches above 0.9 (90+).
/// The bench prints the right-pair rate per score bucket to check this after any change.
pub(crate) fn calibrate(similarity: f64) -> u8 {
    const KNOTS: [(f64, f64); 5] = [
        (0.0, 0.0),
        (0.5, 35.0),
        (0.7, 62.0),
        (0.9, 90.0),
        (1.0, 100.0),
    ];
    let similarity = similarity.clamp(0.0, 1.0);
    let mut score = 100.0;
    for pair in KNOTS.windows(2) {
        let ((x0, y0), (x1, y1)) = (pair[0], pair[1]);
        if similarity <= x1 {
            score = y0 + (similarity - x0) / (x1 - x0) * (y1 - y0);
            break;
        }
    }
    score.round().clamp(0.0, 100.0) as u8
}

/// Sorts scored suggestions (score descending, then key ascending, so equal scores come out in
/// the same order every run), records each one's margin to the next, and keeps `top`.
pub(crate) fn rank(mut suggestions: Vec<Suggestion>, top: usize) -> Vec<Suggestion> {
    suggestions.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then_with(|| a.candidate_key.cmp(&b.candidate_key))
    });
    let scores: Vec<u8> = suggestions.iter().map(|s| s.score).collect();
    for (index, suggestion) in suggestions.iter_mut().enumerate() {
        suggestion.explanation.margin_to_next = scores
            .get(index + 1)
            .map(|next| suggestion.score.saturating_sub(*next));
    }
    suggestions.truncate(top);
    suggestions
}

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
