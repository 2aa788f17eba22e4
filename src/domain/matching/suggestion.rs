//! What the matchers return: one ranked candidate with its score, band and explanation, and
//! the one rule that may turn the best of them into a mapping without a person.

use crate::domain::lines::SourceKey;
use crate::domain::matching::calibration::{Band, HIGH_THRESHOLD};
use crate::domain::matching::explain::{Evidence, Explanation};
use std::fmt;

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
    /// What the matcher found about this candidate that forbids accepting it without a person,
    /// whatever its score: it is one of several sites of one organisation, or the name is too
    /// short or too common to prove anything without a key.
    pub caution: Option<Hold>,
}

/// Why the best suggestion is not in the safe band, in the words an operator uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hold {
    /// No candidate at all.
    NoSuggestion,
    /// The best score is below the high band.
    BelowHighBand {
        /// The best score.
        score: u8,
    },
    /// The best score is below the threshold the operator asked for.
    BelowThreshold {
        /// The best score.
        score: u8,
        /// The operator's `--accept-above`.
        threshold: u8,
    },
    /// The runner-up is too close to tell the two apart.
    RunnerUpClose {
        /// Points between the best and the runner-up.
        margin: u8,
    },
    /// The PSA holds several companies under one organisation head, and the vendor name does
    /// not single out this one's tail.
    SitesOfOneOrganisation {
        /// How many PSA companies share the head.
        count: usize,
        /// The shared head, as a display name.
        organisation: String,
    },
    /// The vendor name goes on past the PSA name with words the PSA name lacks ("McAfee | An
    /// Intel Company" against "McAfee", "Northside Health Eastgate" against "Northside
    /// Health"): the PSA record may be the parent, not the site or unit the vendor means.
    TailOnlyInVendorName {
        /// The words only the vendor name has.
        tail: String,
    },
    /// A one-word name that is short, or that other companies in the pool also carry: an exact
    /// match of it is not proof without an id, a domain or a tenant.
    ShortCommonName,
}

impl fmt::Display for Hold {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Hold::NoSuggestion => write!(formatter, "no suggestion"),
            Hold::BelowHighBand { score } => {
                write!(formatter, "best score {score} is below {HIGH_THRESHOLD}")
            }
            Hold::BelowThreshold { score, threshold } => {
                write!(formatter, "best score {score} is below {threshold}")
            }
            Hold::RunnerUpClose { margin: 0 } => write!(formatter, "runner-up ties"),
            Hold::RunnerUpClose { margin } => {
                write!(formatter, "runner-up within {margin} points")
            }
            Hold::SitesOfOneOrganisation {
                count,
                organisation,
            } => write!(formatter, "{count} sites of {organisation}"),
            Hold::TailOnlyInVendorName { tail } => {
                write!(formatter, "only the vendor name says \"{tail}\"")
            }
            Hold::ShortCommonName => write!(formatter, "short common name, no id or domain"),
        }
    }
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
            caution: None,
        }
    }

    /// The one-line reason for CLI and TUI lists.
    pub fn summary(&self) -> String {
        self.explanation.summary()
    }
}

/// The best suggestion only when it may be auto-accepted; see [`safe_band`] for the rule and
/// for the reason when it may not.
pub fn auto_acceptable(suggestions: &[Suggestion], accept_above: u8) -> Option<&Suggestion> {
    safe_band(suggestions, accept_above).ok()
}

/// The safe band: the best suggestion may become a mapping without a person only when it is
/// unambiguous by construction. It must be High and at least `accept_above`; the matcher must
/// have found nothing against it (not one of several sites of one organisation, not a short or
/// common name without a key); and it must lead the runner-up by at least
/// [`AUTO_ACCEPT_MARGIN`] points (counting candidates cut off by `top`). Otherwise the reason,
/// for the CLI and the workbench to show. Suggestions must be in the order the matchers
/// return.
pub fn safe_band(suggestions: &[Suggestion], accept_above: u8) -> Result<&Suggestion, Hold> {
    let best = suggestions.first().ok_or(Hold::NoSuggestion)?;
    // A confirmed pair is the operator's own decision: nothing to hold.
    let confirmed = best.score == 100
        && best
            .explanation
            .evidence
            .first()
            .is_some_and(|evidence| *evidence == Evidence::Confirmed);
    if best.band == Band::None && !confirmed {
        return Err(Hold::BelowHighBand { score: best.score });
    }
    if let Some(caution) = best.caution.clone().filter(|_| !confirmed) {
        return Err(caution);
    }
    if best.band != Band::High {
        return Err(Hold::BelowHighBand { score: best.score });
    }
    if best.score < accept_above {
        return Err(Hold::BelowThreshold {
            score: best.score,
            threshold: accept_above,
        });
    }
    let margin = match suggestions.get(1) {
        Some(second) => Some(best.score.saturating_sub(second.score)),
        None => best.explanation.margin_to_next,
    };
    match margin {
        Some(margin) if margin < AUTO_ACCEPT_MARGIN && !confirmed => {
            Err(Hold::RunnerUpClose { margin })
        }
        _ => Ok(best),
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
