//! Reconciling into a report, the evidence behind a gap, and writing a report file.
//!
//! One function, [`ReconcileInputs::reconcile`], turns the state into a report with its
//! coverage, verdict, warnings and ledger view; the CLI calls it in the foreground and the
//! workbench on a worker, so they can never disagree.

use super::workspace::{WorkflowError, Workspace};
use crate::domain::ledger::{GapReferences, TrackedGap};
use crate::domain::lines::{Side, SourceKey, Term};
use crate::domain::reconcile::seen;
use crate::domain::reconcile::{
    Coverage, Gap, MappingSet, Position, Reconciliation, Thresholds, reconcile,
};
use crate::domain::report::Report;
use crate::export::ExportFormat;
use crate::store::{DrillDownLine, RecordedRun, Store, StoreError};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The saved review a report is measured against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Baseline {
    /// The latest saved review.
    #[default]
    Latest,
    /// Saved review number N (a run id).
    Run(i64),
    /// The latest review saved on or before this day.
    OnOrBefore(NaiveDate),
}

/// Everything one reconciliation reads, shared cheaply with a worker thread.
#[derive(Debug, Clone)]
pub struct ReconcileInputs {
    vendor: Arc<Vec<Position>>,
    /// The last complete vendor data, when an incomplete vendor pull raised `vendor` (see
    /// [`crate::domain::reconcile::seen`]): its gaps are held, never resolved.
    held_vendor: Option<Arc<Vec<Position>>>,
    psa: Arc<Vec<Position>>,
    mappings: MappingSet,
    thresholds: Thresholds,
    vendor_period: Option<String>,
    psa_period: Option<String>,
    today: NaiveDate,
}

impl ReconcileInputs {
    /// Reconciles, reads each gap's ledger history, and adds what the reader must know before
    /// trusting the figures. With `record`, the run is written to the ledger.
    pub fn reconcile(&self, store: &mut Store, record: bool) -> Result<Report, StoreError> {
        let reconciliation = self.reconciliation();
        let run = if record {
            store.record_run(&reconciliation, self.vendor_period.as_deref(), self.today)?
        } else {
            store.track_gaps(&reconciliation, self.today)?
        };
        self.report_of(store, reconciliation, run)
    }

    /// The domain's reconciliation of these inputs.
    pub(super) fn reconciliation(&self) -> Reconciliation {
        let of = |vendor: &[Position]| {
            reconcile(
                vendor,
                &self.psa,
                &self.mappings,
                &self.thresholds,
                self.today,
            )
        };
        let raised = of(&self.vendor);
        match &self.held_vendor {
            Some(base) => seen::hold_back(raised, &of(base), &self.thresholds),
            None => raised,
        }
    }

    /// The vendor period compared, which a recorded run is filed under.
    pub(super) fn vendor_period(&self) -> Option<&str> {
        self.vendor_period.as_deref()
    }

    /// The report of a reconciliation and its ledger view, with the warnings.
    pub(super) fn report_of(
        &self,
        store: &Store,
        reconciliation: Reconciliation,
        run: RecordedRun,
    ) -> Result<Report, StoreError> {
        let mut warnings = Vec::new();
        if let Some(period) = &self.vendor_period {
            for system in store.vendor_systems_missing_from(period)? {
                warnings.push(format!(
                    "no {system} export for {period} has been imported: its spend is not compared (import it, or the figures are for part of the month)"
                ));
            }
        }
        if self.held_vendor.is_some() {
            warnings.push(
                "a vendor pull stopped early: the seats it did read are compared as a lower bound, so new missing and unbilled gaps show; every other gap stays as the last complete pull left it, and nothing is resolved".to_string(),
            );
        }
        let has_previous_run = run.run_id != 0;
        // The work the billing owner recorded stays with each gap, by its stable key.
        let mut gaps = run.gaps;
        super::gap_work::attach_work(store, &mut gaps)?;
        let mut report = Report::new(
            self.today,
            self.vendor_period.clone(),
            self.psa_period.clone(),
            reconciliation,
            gaps,
            // Next to a partial vendor pull nothing is known to be resolved.
            if self.held_vendor.is_some() {
                Vec::new()
            } else {
                run.resolved
            },
        );
        report.warnings = warnings;
        report.has_previous_run = has_previous_run;
        Ok(report)
    }
}

/// A reconciliation to run on a worker thread, on its own database connection.
#[derive(Debug, Clone)]
pub struct ReconcileJob {
    database: PathBuf,
    generation: u64,
    threshold: Decimal,
    inputs: ReconcileInputs,
}

/// A finished [`ReconcileJob`], to hand back to [`Workspace::accept_report`].
#[derive(Debug, Clone)]
pub struct ReconciledReport {
    generation: u64,
    threshold: Decimal,
    /// The report, or why it could not be made.
    pub result: Result<Arc<Report>, Arc<WorkflowError>>,
}

impl ReconcileJob {
    /// The result to report when the job could not finish (its worker panicked), so that a
    /// face waiting for it is never left waiting.
    pub fn failure(&self, why: &str) -> ReconciledReport {
        ReconciledReport {
            generation: self.generation,
            threshold: self.threshold,
            result: Err(Arc::new(WorkflowError::Refused(why.to_string()))),
        }
    }

    /// Runs the reconciliation; never records a ledger run.
    pub fn run(self) -> ReconciledReport {
        let result = Store::open(&self.database)
            .and_then(|mut store| self.inputs.reconcile(&mut store, false))
            .map(Arc::new)
            .map_err(|error| Arc::new(WorkflowError::from(error)));
        ReconciledReport {
            generation: self.generation,
            threshold: self.threshold,
            result,
        }
    }
}

/// True when a stored line of `line_term` can stand behind a gap of `gap_term`: the same term,
/// or a line that states none (PSA lines, which cover every term) or a one-time charge (a
/// credit or proration, which follows the position it credits).
fn behind_term(line_term: Term, gap_term: Term) -> bool {
    gap_term == Term::Unspecified
        || line_term == gap_term
        || matches!(line_term, Term::Unspecified | Term::OneTime)
}

/// The stored lines behind one gap, each side in file order.
struct LinesBehind {
    vendor: Vec<DrillDownLine>,
    psa: Vec<DrillDownLine>,
}

/// The stored lines behind a gap: the vendor lines of every vendor customer and product mapped
/// into it, and the PSA lines of its company and product, of the compared periods. Only the
/// lines of the gap's term: a monthly gap does not list the client's annual subscription of
/// the same product. The drill-down and the references in the reports both read this, so they
/// always show the same evidence.
fn lines_behind(
    store: &Store,
    vendor_period: Option<&str>,
    psa_period: Option<&str>,
    gap: &Gap,
) -> Result<LinesBehind, StoreError> {
    let mut vendor = Vec::new();
    for (customer, product) in &gap.vendor_sources {
        vendor.extend(store.lines_of(Side::Vendor, vendor_period, customer, product)?);
    }
    let mut psa = store.lines_of(Side::Psa, psa_period, &gap.company, &gap.product)?;
    vendor.retain(|line| behind_term(line.term, gap.term));
    psa.retain(|line| behind_term(line.term, gap.term));
    Ok(LinesBehind { vendor, psa })
}

/// The report with the PSA agreements and vendor subscriptions its gaps' lines name beside
/// each gap, so a written report says where to fix it. Read from the lines of the report's own
/// periods. Only for a report about to be written: it reads the lines behind every gap, which
/// the workbench's refresh after each decision should not wait for.
pub fn with_references(store: &Store, report: &Report) -> Result<Report, StoreError> {
    let mut report = report.clone();
    let (vendor_period, psa_period) = (report.vendor_period.clone(), report.psa_period.clone());
    for tracked in &mut report.gaps {
        let behind = lines_behind(
            store,
            vendor_period.as_deref(),
            psa_period.as_deref(),
            &tracked.gap,
        )?;
        let named = |lines: &[DrillDownLine], id: fn(&DrillDownLine) -> Option<&str>| {
            GapReferences::distinct(lines.iter().filter_map(id))
        };
        tracked.references = GapReferences {
            psa_agreements: named(&behind.psa, |line| line.subscription.as_deref()),
            psa_additions: named(&behind.psa, |line| line.line_id.as_deref()),
            vendor_subscriptions: named(&behind.vendor, |line| line.subscription.as_deref()),
        };
    }
    Ok(report)
}

/// A stored line behind a gap, with its customer's display name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceLine {
    /// The vendor customer or PSA company name.
    pub customer_name: String,
    /// The line as stored, with its file and line.
    pub line: DrillDownLine,
}

/// The lines behind one gap, side by side, a page at a time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DrillDown {
    /// Vendor lines (first page).
    pub vendor: Vec<EvidenceLine>,
    /// How many vendor lines there are in all.
    pub vendor_total: usize,
    /// PSA lines (first page).
    pub psa: Vec<EvidenceLine>,
    /// How many PSA lines there are in all.
    pub psa_total: usize,
}

impl Workspace {
    /// The inputs of a reconciliation of the current state; `threshold` replaces the stored
    /// default for this reconciliation only.
    pub(super) fn reconcile_inputs(
        &mut self,
        threshold: Option<Decimal>,
    ) -> Result<ReconcileInputs, WorkflowError> {
        let today = self.today;
        let session = self.session()?;
        let mut thresholds = session.thresholds.clone();
        if let Some(threshold) = threshold {
            thresholds.default = threshold;
        }
        Ok(ReconcileInputs {
            vendor: Arc::clone(&session.vendor),
            held_vendor: session.held_vendor.clone(),
            psa: Arc::clone(&session.psa),
            mappings: session.mappings.clone(),
            thresholds,
            vendor_period: session.vendor_period.clone(),
            psa_period: session.psa_period.clone(),
            today,
        })
    }

    /// Reconciles the current state now. With `record`, the run enters the ledger (scheduled
    /// checks do this; browsing and exporting do not).
    pub fn report(
        &mut self,
        threshold: Option<Decimal>,
        record: bool,
    ) -> Result<Arc<Report>, WorkflowError> {
        let inputs = self.reconcile_inputs(threshold)?;
        let report = Arc::new(inputs.reconcile(&mut self.store, record)?);
        let threshold = inputs.thresholds.default;
        self.keep_report(Arc::clone(&report), threshold);
        Ok(report)
    }

    /// The reconciliation to run in the background for the current state at `threshold`, or
    /// `None` when the latest report is already current for both.
    pub fn reconcile_job(
        &mut self,
        threshold: Decimal,
    ) -> Result<Option<ReconcileJob>, WorkflowError> {
        if self.current_report(threshold).is_some() {
            return Ok(None);
        }
        Ok(Some(ReconcileJob {
            database: self.database.clone(),
            generation: self.generation,
            threshold,
            inputs: self.reconcile_inputs(Some(threshold))?,
        }))
    }

    /// Takes a finished background reconciliation. Returns false, and drops it, when the state
    /// moved on after the job started; its successor will bring the current figures.
    pub fn accept_report(&mut self, done: ReconciledReport) -> Result<bool, WorkflowError> {
        if done.generation != self.generation {
            return Ok(false);
        }
        let report = done.result.map_err(|error| {
            WorkflowError::Refused(format!("the gaps could not be recalculated: {error}"))
        })?;
        self.keep_report(report, done.threshold);
        Ok(true)
    }

    fn keep_report(&mut self, report: Arc<Report>, threshold: Decimal) {
        let generation = self.generation;
        if let Some(session) = &mut self.session {
            session.report = Some(super::session::CachedReport {
                generation,
                threshold,
                report,
            });
        }
    }

    /// The report current for the state and `threshold`, if one has been computed.
    pub fn current_report(&self, threshold: Decimal) -> Option<Arc<Report>> {
        let cached = self.session.as_ref()?.report.as_ref()?;
        (cached.generation == self.generation && cached.threshold == threshold)
            .then(|| Arc::clone(&cached.report))
    }

    /// The latest report computed, current or not: the gap table shows it while its successor
    /// is computed.
    pub fn latest_report(&self) -> Option<Arc<Report>> {
        let cached = self.session.as_ref()?.report.as_ref()?;
        Some(Arc::clone(&cached.report))
    }

    /// Coverage under the current mappings.
    pub fn coverage(&mut self) -> Result<Coverage, WorkflowError> {
        Ok(self.session()?.coverage.clone())
    }

    /// The first `limit` vendor and PSA lines behind a gap of the latest report, with how many
    /// there are in all.
    pub fn drill_down(
        &mut self,
        gap: &TrackedGap,
        limit: usize,
    ) -> Result<DrillDown, WorkflowError> {
        let session = self.session()?;
        let (vendor_period, psa_period) =
            (session.vendor_period.clone(), session.psa_period.clone());
        let names: HashMap<SourceKey, String> = gap
            .gap
            .vendor_sources
            .iter()
            .map(|(customer, _)| {
                let name = session
                    .vendor_parties
                    .iter()
                    .find(|row| row.key == *customer)
                    .map_or_else(|| customer.to_string(), |row| row.party.name.clone());
                (customer.clone(), name)
            })
            .collect();
        let behind = lines_behind(
            &self.store,
            vendor_period.as_deref(),
            psa_period.as_deref(),
            &gap.gap,
        )?;
        let (vendor_total, psa_total) = (behind.vendor.len(), behind.psa.len());
        let vendor = behind
            .vendor
            .into_iter()
            .take(limit)
            .map(|line| EvidenceLine {
                customer_name: names
                    .get(&line.customer)
                    .cloned()
                    .unwrap_or_else(|| line.customer.to_string()),
                line,
            })
            .collect();
        let psa = behind
            .psa
            .into_iter()
            .take(limit)
            .map(|line| EvidenceLine {
                customer_name: gap.gap.company_name.clone(),
                line,
            })
            .collect();
        Ok(DrillDown {
            vendor,
            vendor_total,
            psa,
            psa_total,
        })
    }

    /// The report of the current state measured against a chosen saved review: "new",
    /// "worse", "still open" and "fixed" are then since that review, and each gap names the
    /// agreements and subscriptions behind it ([`with_references`]). Never records a run.
    pub fn report_against(
        &mut self,
        threshold: Option<Decimal>,
        baseline: Baseline,
    ) -> Result<Arc<Report>, WorkflowError> {
        let run = match baseline {
            Baseline::Latest => {
                let report = self.report(threshold, false)?;
                return Ok(Arc::new(with_references(&self.store, &report)?));
            }
            Baseline::Run(run) if self.store.run_exists(run)? => run,
            Baseline::Run(run) => {
                return Err(WorkflowError::Refused(format!(
                    "there is no saved review #{run}: `billgap history` lists the messages of each run, and every `billgap check` saves one"
                )));
            }
            Baseline::OnOrBefore(day) => self.store.run_on_or_before(day)?.ok_or_else(|| {
                WorkflowError::Refused(format!(
                    "no review was saved on or before {day}: run `billgap check`, or save a review in the workbench"
                ))
            })?,
        };
        let inputs = self.reconcile_inputs(threshold)?;
        let reconciliation = inputs.reconciliation();
        let tracked = self
            .store
            .track_gaps_since(&reconciliation, self.today, Some(run))?;
        let report = inputs.report_of(&self.store, reconciliation, tracked)?;
        Ok(Arc::new(with_references(&self.store, &report)?))
    }

    /// Writes the report of the current state against `baseline` to `path` atomically: a
    /// temporary file beside it is renamed over the destination only when complete. Writing
    /// never records a run. Returns the report written.
    pub fn write_report(
        &mut self,
        format: ExportFormat,
        path: &Path,
        threshold: Option<Decimal>,
        baseline: Baseline,
    ) -> Result<Arc<Report>, WorkflowError> {
        let report = self.report_against(threshold, baseline)?;
        write_report_file(&report, format, path)?;
        Ok(report)
    }
}

impl Workspace {
    /// The report with the agreements and subscriptions behind each gap, for writing it out.
    pub fn with_references(&self, report: &Report) -> Result<Report, WorkflowError> {
        Ok(with_references(&self.store, report)?)
    }
}

/// Writes a report the face already has to `path`, with the agreements and subscriptions
/// behind each gap read from `database` first: for a worker thread, which opens its own
/// connection.
pub fn write_report_with_references(
    database: &Path,
    report: &Report,
    format: ExportFormat,
    path: &Path,
) -> Result<(), WorkflowError> {
    let store = Store::open(database)?;
    write_report_file(&with_references(&store, report)?, format, path)
}

/// Writes a report to `path` atomically: a temporary file beside it is renamed over the
/// destination only when complete, so a failure never leaves half a report. Needs no database,
/// so a face may call it on a worker with a report it already has.
pub fn write_report_file(
    report: &Report,
    format: ExportFormat,
    path: &Path,
) -> Result<(), WorkflowError> {
    crate::export::write_report_file(report, format, path).map_err(|source| WorkflowError::Write {
        path: path.to_path_buf(),
        source,
    })
}

/// What saving a review recorded, in one sentence.
pub fn review_saved(report: &Report) -> String {
    format!(
        "Review saved for {}: {} gap(s) recorded; the next review compares with this one.",
        report.generated_on,
        report.gaps.len()
    )
}
