//! What the matchers return: one ranked candidate with its score, band and explanation, and
//! the one rule that may turn the best of them into a mapping without a person.

use crate::domain::lines::SourceKey;
use crate::domain::matching::calibration::Band;
use crate::domain::matching::explain::Explanation;

/// Points the best candidate must lead the second by before it may be auto-accepted.
///
/// Two sites of one organisation ("Contoso - Dallas", "Contoso - Austin") and near names of
/// different companies ("Clark Bros" / "Clarke Bros") score within a few points of each other;
/// on the labelled set a lead of 6 left no wrong pair among auto-acceptable suggestions.
pub const AUTO_ACCEPT_MARGIN: u8 = 6;

/// One ranked candidate for a query.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    /// The candidate's system-qualified key (PSA company or product). The system travels with
    /// the key because two PSA systems may use the same bare id for different records.
    pub candidate_key: SourceKey,
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
        candidate_key: SourceKey,
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
