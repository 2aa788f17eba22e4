//! Pulling a source from its API: the connector's snapshot into the store, and what a failing
//! source means for a check (it holds back resolves and keeps "clean" from being said).
//!
//! A complete snapshot is stored exactly as an import of the same source's export: the same
//! lines, the same profile, filed under the month of the pull, and identical lines are a
//! no-op. An incomplete one is recorded with its error and pages, but never replaces the
//! stored state: half a snapshot would make every seat on the missing pages look gone. What an
//! incomplete *vendor* pull did read is kept beside it as a lower bound of the vendor's seats,
//! so that it can show new `missing` and `unbilled` gaps and never resolve one; an incomplete
//! PSA pull keeps nothing (the rule and why: `domain::reconcile::seen`).

use super::workspace::{WorkflowError, Workspace};
use crate::connectors::{
    ApiSettings, Budget, ConnectorState, Credentials, Snapshot, Source, Timing,
};
use crate::domain::lines::{Period, Side};
use crate::domain::reconcile::seen::positions_seen;
use crate::domain::report::Report;
use crate::import::SourceInfo;
use crate::store::{ImportOutcome, PullRecord, PullRow};

/// What one pull did.
#[derive(Debug, Clone)]
pub struct PullReceipt {
    /// The source.
    pub source: String,
    /// True when every page was read and the lines are stored (or were already).
    pub complete: bool,
    /// What went wrong, naming no secret.
    pub problems: Vec<String>,
    /// Records read.
    pub records: usize,
    /// Lines the records gave.
    pub lines: usize,
    /// For an incomplete vendor pull, the lines it read, kept as a lower bound of the seats.
    pub seen: usize,
    /// What the pull spent.
    pub budget: Budget,
    /// The pull's record.
    pub pull_id: i64,
    /// What the store did with the lines, for a complete pull.
    pub import: Option<ImportOutcome>,
}

impl PullReceipt {
    /// What the pull did, in one sentence.
    pub fn sentence(&self) -> String {
        let spent = self.budget.describe();
        let text = match (&self.import, self.complete) {
            (Some(ImportOutcome::AlreadyImported(existing)), true) => format!(
                "{}: {} records, unchanged since import #{} ({spent}).",
                self.source, self.records, existing.id
            ),
            (Some(ImportOutcome::Imported(report)), true) => format!(
                "{}: {} records gave {} lines, stored as import #{} for {}{} ({spent}).",
                self.source,
                self.records,
                self.lines,
                report.import_id,
                report.period,
                if report.replaced.is_empty() {
                    String::new()
                } else {
                    format!(", replacing the earlier pull of {}", report.period)
                }
            ),
            (Some(ImportOutcome::Reinstated { import, .. }), true) => format!(
                "{}: {} records, the same as import #{}, which is current again ({spent}).",
                self.source, self.records, import.id
            ),
            _ if self.seen > 0 => format!(
                "{}: INCOMPLETE, nothing replaced ({spent}); the {} lines read before it stopped count as a lower bound of the seats: {}",
                self.source,
                self.seen,
                self.problems.join("; ")
            ),
            _ => format!(
                "{}: INCOMPLETE, nothing replaced ({spent}): {}",
                self.source,
                self.problems.join("; ")
            ),
        };
        crate::domain::text::strip_control(&text)
    }
}

impl Workspace {
    /// Pulls one source and stores the snapshot: its lines as an import when complete, and a
    /// pull record either way.
    pub fn pull(
        &mut self,
        source: Source,
        settings: &ApiSettings,
        credentials: &Credentials,
        state: &mut ConnectorState,
        timing: &mut dyn Timing,
    ) -> Result<PullReceipt, WorkflowError> {
        let started_at = now();
        let period = Period::containing(self.today);
        let snapshot =
            crate::connectors::pull(source, settings, credentials, period, state, timing);
        self.store_snapshot(source, snapshot, &started_at, period)
    }

    /// Stores a snapshot taken at `started_at` (RFC 3339) for `period`.
    pub fn store_snapshot(
        &mut self,
        source: Source,
        snapshot: Snapshot,
        started_at: &str,
        period: Period,
    ) -> Result<PullReceipt, WorkflowError> {
        let raw = snapshot.raw_json();
        let mut problems = snapshot.problems.clone();
        let lines = snapshot.lines.len();
        let import = if snapshot.complete {
            let mut currencies: Vec<String> = snapshot
                .lines
                .iter()
                .filter_map(|line| line.currency().map(|currency| currency.code().to_string()))
                .collect();
            currencies.sort();
            currencies.dedup();
            // The slice an import of the same records gets (Pax8: the currency; Partner
            // Center: partner and currency), else the currencies pulled.
            let slice = match &snapshot.slice {
                Some(slice) if !slice.is_empty() => slice.clone(),
                _ if currencies.is_empty() => "all".to_string(),
                _ => currencies.join("+"),
            };
            let info = SourceInfo {
                format: source.format().to_string(),
                system: source.system().to_string(),
                side: source.side(),
                slice,
                period: Some(period),
            };
            let label = format!("{} API pull {started_at}", source.name());
            match self.store.import_lines(&info, &label, snapshot.lines) {
                Ok(outcome) => Some(outcome),
                Err(error) => {
                    problems.push(format!(
                        "{}: the lines could not be stored: {error}",
                        source.name()
                    ));
                    None
                }
            }
        } else {
            None
        };
        let complete = import.is_some();
        // Only a vendor's partial lines are kept: PSA lines missing from a partial pull would
        // show as seats nobody bills.
        let seen = match (complete, source.side()) {
            (false, Side::Vendor) => positions_seen(source.system(), &snapshot.seen)
                .unwrap_or_else(|error| {
                    problems.push(format!(
                        "{}: the lines read before the pull stopped are not kept: {error}",
                        source.name()
                    ));
                    Vec::new()
                }),
            _ => Vec::new(),
        };
        let seen_lines = if seen.is_empty() {
            0
        } else {
            snapshot.seen.len()
        };
        let (import_id, created_import) = match &import {
            Some(ImportOutcome::Imported(report)) => (Some(report.import_id), true),
            Some(ImportOutcome::AlreadyImported(row)) => (Some(row.id), false),
            Some(ImportOutcome::Reinstated { import, .. }) => (Some(import.id), false),
            None => (None, false),
        };
        let pull_id = self.store.record_pull_seen(
            &PullRecord {
                source: source.name().to_string(),
                system: source.system().to_string(),
                started_at: started_at.to_string(),
                complete,
                requests: snapshot.budget.used,
                request_budget: snapshot.budget.limit,
                waited_ms: u64::try_from(snapshot.budget.waited.as_millis()).unwrap_or(u64::MAX),
                records: snapshot.records,
                import_id,
                created_import,
                error: (!problems.is_empty()).then(|| problems.join("; ")),
                raw: Some(raw),
            },
            &period.to_string(),
            &seen,
        )?;
        self.invalidate();
        Ok(PullReceipt {
            source: source.name().to_string(),
            complete,
            problems,
            records: snapshot.records,
            lines,
            seen: seen_lines,
            budget: snapshot.budget,
            pull_id,
            import,
        })
    }

    /// The latest pull of every source, for the overview and `billgap pull --status`.
    pub fn latest_pulls(&self) -> Result<Vec<PullRow>, WorkflowError> {
        Ok(self.store.latest_pulls()?)
    }

    /// Sources whose latest pull failed, with no import of their system since.
    pub fn failing_sources(&self) -> Result<Vec<PullRow>, WorkflowError> {
        Ok(self.store.failing_pulls()?)
    }
}

/// A report that follows a failing source says so, and is never "clean".
pub(super) fn with_source_warnings(mut report: Report, failing: &[PullRow]) -> Report {
    for pull in failing {
        report.warnings.push(format!(
            "The latest {} pull is incomplete ({}): its last complete data is used (raised to any seats a vendor pull did read) and nothing is resolved.",
            pull.source,
            pull.error.as_deref().unwrap_or("no error recorded")
        ));
    }
    if !failing.is_empty() {
        // What looks resolved next to a stale or partial source is not known to be resolved.
        report.resolved.clear();
    }
    if !failing.is_empty() && report.verdict == crate::domain::reconcile::Verdict::Clean {
        report.verdict = crate::domain::reconcile::Verdict::IncompleteCoverage;
    }
    report
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
