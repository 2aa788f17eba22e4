//! The narrow interface between the workbench and the library.
//!
//! The app and its views see the library only through [`WorkbenchData`] and the plain view
//! types below, so a screen can be rendered from any state the data can be in. The one
//! implementation is [`crate::tui::store_data::StoreData`], over the real store; tests use it
//! on fixture databases too.

use crate::domain::lines::{Side, SourceKey, Term};
use crate::domain::money::Money;
use crate::export::ExportFormat;
use crate::import::{Progress, SourceInfo};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A failure of the library below the workbench, as a sentence for the status bar.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DataError(pub String);

/// Which of the two mapping queues an operation is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MappingKind {
    /// Vendor customer to PSA company.
    Client,
    /// Vendor product to PSA product.
    Product,
}

/// Which vendor entries a queue lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QueueFilter {
    /// Entries with neither a mapping nor an ignore rule: the work to do.
    #[default]
    Unmapped,
    /// Entries that are mapped or ignored.
    Mapped,
    /// Every entry.
    All,
}

impl QueueFilter {
    /// The next filter in the cycle unmapped → mapped → all.
    pub fn cycled(self) -> QueueFilter {
        match self {
            QueueFilter::Unmapped => QueueFilter::Mapped,
            QueueFilter::Mapped => QueueFilter::All,
            QueueFilter::All => QueueFilter::Unmapped,
        }
    }

    /// The word shown in the queue's title.
    pub fn label(self) -> &'static str {
        match self {
            QueueFilter::Unmapped => "unmapped",
            QueueFilter::Mapped => "mapped",
            QueueFilter::All => "all",
        }
    }
}

/// The state of one vendor entry's mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MappingState {
    /// Not decided yet.
    Unmapped,
    /// Mapped to a PSA entry (its key and display name).
    Mapped {
        /// The PSA key.
        target_key: SourceKey,
        /// The PSA display name.
        target_name: String,
    },
    /// Ignored on purpose.
    Ignored {
        /// Why.
        reason: String,
        /// When the rule lapses, if ever.
        expires: Option<NaiveDate>,
    },
}

/// One vendor customer or product in a mapping queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueEntry {
    /// The vendor's stable key.
    pub key: SourceKey,
    /// Display name (control characters may still be present; views strip them).
    pub name: String,
    /// Tenant domain for customers; the SKU or part number for products.
    pub detail: Option<String>,
    /// For products: the term this entry covers (a product is mapped per term).
    pub term: Option<Term>,
    /// Seats over every line of the entry in the current period.
    pub seats: Decimal,
    /// Vendor spend in the current period, per currency, largest first.
    pub spend: Vec<Money>,
    /// Whether and how it is mapped.
    pub state: MappingState,
}

/// A ranked PSA candidate for a vendor entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// The PSA key.
    pub key: SourceKey,
    /// The PSA display name.
    pub name: String,
    /// Score from 0 to 100.
    pub score: u8,
    /// The explanation: normalisation trail, shared tokens, domain evidence.
    pub why: Vec<String>,
    /// True when the matcher puts it in the safe band that bulk accept may confirm.
    pub safe: bool,
}

/// A PSA company or product, for the fuzzy search over the full list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The PSA key.
    pub key: SourceKey,
    /// The display name.
    pub name: String,
}

/// What the operator decided about one vendor entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Map the entry to this PSA key.
    Confirm(SourceKey),
    /// Never suggest this PSA key for the entry again.
    Reject(SourceKey),
    /// Ignore the entry, with a reason and an optional expiry.
    Ignore {
        /// Why, in the operator's words.
        reason: String,
        /// When the rule lapses.
        expires: Option<NaiveDate>,
    },
    /// Remove the mapping or ignore rule.
    Unmap,
}

/// One decision for the decision log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// Client or product.
    pub kind: MappingKind,
    /// The vendor entry's key.
    pub vendor_key: SourceKey,
    /// For products: the term the decision is about.
    pub term: Option<Term>,
    /// What to do.
    pub verdict: Verdict,
    /// True when it comes from the bulk accept of the safe band, which the log records.
    pub bulk: bool,
}

pub use crate::domain::reconcile::GapKind;

/// One row of the gap table: a (client, product, term) whose seats disagree.
#[derive(Debug, Clone, PartialEq)]
pub struct GapRow {
    /// The PSA company key.
    pub client_key: SourceKey,
    /// Client display name.
    pub client: String,
    /// Product key.
    pub product_key: SourceKey,
    /// Product display name.
    pub product: String,
    /// Term.
    pub term: Term,
    /// Vendor seats.
    pub vendor_seats: Decimal,
    /// PSA billed seats.
    pub psa_seats: Decimal,
    /// Vendor seats minus PSA seats.
    pub delta: Decimal,
    /// Revenue at stake per month (signed: negative when overbilled); None when unpriced.
    pub value: Option<Money>,
    /// Vendor cost not recovered, when known.
    pub cost: Option<Money>,
    /// What kind of gap.
    pub kind: GapKind,
    /// Which price valued the gap, as words ("client price", "vendor cost", ...).
    pub price_basis: &'static str,
    /// Days since the gap was first seen, when the ledger knows.
    pub age_days: Option<i64>,
    /// True when the client's gaps together are over the threshold.
    pub over_threshold: bool,
}

/// One source line shown in a drill-down.
#[derive(Debug, Clone, PartialEq)]
pub struct LineView {
    /// `file:line` of the row.
    pub origin: String,
    /// Customer display name.
    pub customer: String,
    /// Product display name.
    pub product: String,
    /// Charge kind and term, as words.
    pub charge: String,
    /// Signed seats.
    pub seats: Decimal,
    /// The row's amount.
    pub amount: Option<Money>,
}

/// The lines behind one gap, a page at a time.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Drilldown {
    /// Vendor lines (first page).
    pub vendor: Vec<LineView>,
    /// How many vendor lines there are in all.
    pub vendor_total: usize,
    /// PSA lines (first page).
    pub psa: Vec<LineView>,
    /// How many PSA lines there are in all.
    pub psa_total: usize,
}

/// One imported source, as the overview lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceView {
    /// Source system and slice, such as `microsoft / partner 123 EUR`.
    pub name: String,
    /// Vendor or PSA.
    pub side: Side,
    /// The billing period, as `YYYY-MM`.
    pub period: String,
    /// Lines stored.
    pub rows: u64,
    /// When it was imported, local time, as text.
    pub imported: String,
}

/// How much of the vendor spend is accounted for.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CoverageView {
    /// Spend whose customer and product are both mapped or ignored, per currency.
    pub covered: Vec<Money>,
    /// All vendor spend, per currency.
    pub total: Vec<Money>,
    /// The lowest covered share over the currencies, from 0 to 1: the honest headline.
    pub share: Decimal,
    /// The covered share of each currency's spend, by currency code.
    pub shares: Vec<(String, Decimal)>,
}

/// Everything the overview screen shows.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Overview {
    /// Coverage, shown first.
    pub coverage: CoverageView,
    /// Unmapped customers, largest spend first (a few).
    pub unmapped_clients: Vec<(String, Money)>,
    /// How many customers are unmapped in all.
    pub unmapped_client_count: usize,
    /// Unmapped products, largest spend first (a few).
    pub unmapped_products: Vec<(String, Money)>,
    /// How many products are unmapped in all.
    pub unmapped_product_count: usize,
    /// Per kind: number of gaps and their value (absolute, per currency).
    pub gap_totals: Vec<(GapKind, usize, Vec<Money>)>,
    /// Clients whose gaps are over the threshold.
    pub clients_over_threshold: usize,
    /// The imported sources.
    pub sources: Vec<SourceView>,
    /// Changes since the previous run, as short sentences (empty on a first run).
    pub changes: Vec<String>,
}

/// Runs one import to completion on its own database connection, reporting progress, and
/// returns a sentence saying what was stored (or why nothing was, with file:line:column). It is
/// shared with worker threads, so it must be `Send + Sync`.
pub type ImportRunner =
    Arc<dyn Fn(&Path, &mut dyn FnMut(Progress)) -> Result<String, String> + Send + Sync>;

/// A reconciliation computed on a worker thread, for [`WorkbenchData::accept_report`].
#[derive(Debug, Clone)]
pub struct ReconciledReport {
    /// The threshold it was computed at.
    pub threshold: Decimal,
    /// The report: coverage, gaps with their ledger history, client totals.
    pub report: crate::domain::report::Report,
    /// True when the ledger has an earlier recorded run to compare with.
    pub has_previous_run: bool,
}

/// A reconciliation to run on a worker thread; it opens its own connection.
pub type ReconcileJob = Box<dyn FnOnce() -> Result<ReconciledReport, String> + Send>;

/// Everything the workbench reads from and writes to the library.
///
/// Every call is synchronous and must stay fast on a million vendor lines (the refresh after a
/// decision is budgeted at 50 ms): lists are per customer or product, never per line, and the
/// only per-line read, [`WorkbenchData::drilldown`], is paged.
pub trait WorkbenchData {
    /// The overview: coverage, gap totals, sources and movement since the previous run.
    fn overview(&mut self) -> Result<Overview, DataError>;
    /// The queue of vendor entries, ordered by vendor spend, largest first.
    fn queue(
        &mut self,
        kind: MappingKind,
        filter: QueueFilter,
    ) -> Result<Vec<QueueEntry>, DataError>;
    /// Ranked candidates for one vendor entry, best first.
    fn candidates(
        &mut self,
        kind: MappingKind,
        entry: &QueueEntry,
    ) -> Result<Vec<Candidate>, DataError>;
    /// The full list of PSA companies or products, by name.
    fn targets(&mut self, kind: MappingKind) -> Result<Vec<Target>, DataError>;
    /// Records a decision in the decision log and applies it.
    fn decide(&mut self, decision: Decision) -> Result<(), DataError>;
    /// Undoes the latest decision still in effect; returns what was undone, or None if nothing.
    fn undo(&mut self) -> Result<Option<String>, DataError>;
    /// Redoes the latest undone decision; returns what was redone, or None if nothing.
    fn redo(&mut self) -> Result<Option<String>, DataError>;
    /// Every gap of the latest reconciliation (the threshold is applied by the reconcile job).
    fn gaps(&mut self) -> Result<Vec<GapRow>, DataError>;
    /// The first `limit` vendor and PSA lines behind a gap.
    fn drilldown(&mut self, gap: &GapRow, limit: usize) -> Result<Drilldown, DataError>;
    /// Detects what a file is without writing anything.
    fn sniff(&mut self, path: &Path) -> Result<SourceInfo, DataError>;
    /// A runner that imports on its own connection, for a worker thread.
    fn import_runner(&self) -> ImportRunner;
    /// Writes the delta report; returns the path written.
    fn export(
        &mut self,
        format: ExportFormat,
        path: &Path,
        threshold: Decimal,
    ) -> Result<PathBuf, DataError>;
    /// The reconciliation to run in the background when the gaps are not current for the
    /// mappings and `threshold`; None when they are. Until its result is accepted, gaps and
    /// gap totals show the previous reconciliation (or nothing on a first load).
    fn reconcile_job(&mut self, threshold: Decimal) -> Result<Option<ReconcileJob>, DataError>;
    /// Takes a finished reconciliation. The app drops results of outdated jobs before this.
    fn accept_report(&mut self, report: ReconciledReport);
    /// Forgets every cached figure, after another connection (an import worker) wrote.
    fn invalidate(&mut self);
    /// The stored default per-client threshold, where the workbench starts.
    fn default_threshold(&mut self) -> Result<Decimal, DataError>;
}
