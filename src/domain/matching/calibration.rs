//! The calibrated 0..100 score scale and its bands, shared by every matcher and by
//! explanations, so that one threshold means the same for clients and products.

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
