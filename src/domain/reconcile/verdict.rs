//! The verdict of a reconcile: the one-line answer a headless run gives.

use serde::Serialize;

/// The one-line answer a headless run gives, in order of precedence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Nothing was compared: no vendor lines, no PSA lines, or every vendor line ignored.
    /// Never reported as clean.
    NothingCompared,
    /// Some vendor spend is neither mapped nor ignored, so gaps may be hidden.
    IncompleteCoverage,
    /// At least one client's gaps exceed its threshold.
    OverThreshold,
    /// Full coverage and no client over its threshold (gaps below threshold may remain).
    Clean,
}

impl Verdict {
    /// A sentence for the operator.
    pub fn describe(self) -> &'static str {
        match self {
            Verdict::NothingCompared => "nothing was compared: import vendor and PSA data first",
            Verdict::IncompleteCoverage => {
                "coverage is incomplete: map or ignore the remaining vendor customers and products before trusting this"
            }
            Verdict::OverThreshold => "clients over threshold: action needed",
            Verdict::Clean => "clean: full coverage and no client over its threshold",
        }
    }
}
