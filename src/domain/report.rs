//! The delta report's data: everything a reader needs, in the order they need it (coverage,
//! verdict, clients, gaps), with no formatting. `export` turns it into files.

use crate::domain::ledger::{PriorGap, TrackedGap};
use crate::domain::reconcile::{ClientTotal, Coverage, Reconciliation, Verdict};
use chrono::NaiveDate;
use serde::Serialize;

/// The version of the JSON report's shape. A test pins every field path of the JSON against
/// this number, so a change to the shape without a new version fails CI. Version 3 added
/// each gap's `references` (PSA agreements and vendor subscriptions behind it); version 4 added
/// `references.psa_additions` (the PSA's own records behind it).
pub const REPORT_SCHEMA_VERSION: u32 = 4;

/// A complete delta report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The version of the JSON shape ([`REPORT_SCHEMA_VERSION`]): scripts that read the JSON
    /// report check it, and it changes whenever a field is added, renamed or removed.
    pub schema_version: u32,
    /// The day the report was made.
    pub generated_on: NaiveDate,
    /// Vendor period compared.
    pub vendor_period: Option<String>,
    /// PSA period compared.
    pub psa_period: Option<String>,
    /// Coverage, always first.
    pub coverage: Coverage,
    /// The verdict.
    pub verdict: Verdict,
    /// Orphan lines not reported until coverage allows it.
    pub withheld_orphans: usize,
    /// Things the reader must know before trusting the figures, such as a vendor system whose
    /// export for the compared period has not been imported.
    pub warnings: Vec<String>,
    /// Per-client totals against thresholds.
    pub clients: Vec<ClientTotal>,
    /// Every gap, with age and cost to date, largest first.
    pub gaps: Vec<TrackedGap>,
    /// Gaps of the previous run that are gone.
    pub resolved: Vec<PriorGap>,
    /// True when the ledger had a recorded run to compare with, so that "new" and "resolved"
    /// mean something.
    #[serde(skip)]
    pub has_previous_run: bool,
}

impl Report {
    /// Assembles a report from a reconciliation and its ledger view.
    pub fn new(
        generated_on: NaiveDate,
        vendor_period: Option<String>,
        psa_period: Option<String>,
        reconciliation: Reconciliation,
        gaps: Vec<TrackedGap>,
        resolved: Vec<PriorGap>,
    ) -> Self {
        Self {
            schema_version: REPORT_SCHEMA_VERSION,
            generated_on,
            vendor_period,
            psa_period,
            coverage: reconciliation.coverage,
            verdict: reconciliation.verdict,
            withheld_orphans: reconciliation.withheld_orphans,
            warnings: Vec::new(),
            clients: reconciliation.clients,
            gaps,
            resolved,
            has_previous_run: false,
        }
    }

    /// The verdict in words that are true of this report: "clean" only when there is nothing
    /// at all, otherwise how many clients need action, or how much sits below the threshold.
    pub fn verdict_sentence(&self) -> String {
        match self.verdict {
            Verdict::Clean if self.gaps.is_empty() => {
                "clean: full coverage and no gaps".to_string()
            }
            // "Clean" above a table of gaps reads as "nothing to do"; say what is left.
            Verdict::Clean => {
                let mut below = crate::domain::money::MoneyByCurrency::default();
                for gap in &self.gaps {
                    if let Some(value) = &gap.gap.value {
                        below.add(&value.abs());
                    }
                }
                format!(
                    "no client over its threshold, at full coverage ({} gap(s) below it, {below}/month)",
                    self.gaps.len()
                )
            }
            Verdict::OverThreshold => {
                let over = self.clients.iter().filter(|c| c.over_threshold).count();
                format!("{over} client(s) over their threshold: action needed")
            }
            other => other.describe().to_string(),
        }
    }

    /// A sentence about withheld orphans, or `None` when there are none.
    pub fn withheld_note(&self) -> Option<String> {
        (self.withheld_orphans > 0).then(|| {
            format!(
                "{} PSA licence line(s) without vendor seats are not reported as orphans yet: map or ignore the remaining vendor customers and products first",
                self.withheld_orphans
            )
        })
    }

    /// Gaps of clients over their threshold first, then by value (the order reconcile gives):
    /// the order a billing owner works them in.
    pub fn worklist(&self) -> Vec<&TrackedGap> {
        let over = self.over_threshold();
        let mut gaps: Vec<&TrackedGap> = self.gaps.iter().collect();
        gaps.sort_by_key(|gap| !over.holds(gap));
        gaps
    }

    /// The clients over their threshold, to ask of each gap. Built once per listing: asking
    /// the client list for every gap made a report of 200,000 clients quadratic.
    pub fn over_threshold(&self) -> OverThreshold<'_> {
        OverThreshold(
            self.clients
                .iter()
                .filter(|client| client.over_threshold)
                .map(|client| &client.company)
                .collect(),
        )
    }
}

/// The companies of a report whose gaps pass their threshold.
pub struct OverThreshold<'r>(crate::domain::lines::KeySet<&'r crate::domain::lines::SourceKey>);

impl OverThreshold<'_> {
    /// True when the gap's client is over its threshold.
    pub fn holds(&self, gap: &TrackedGap) -> bool {
        self.0.contains(&gap.gap.company)
    }
}
