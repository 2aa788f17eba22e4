//! The application core: every use case a face can start.
//!
//! The CLI, the workbench, and the headless `check` and `watch` are faces of this module: they
//! parse what the user typed or pressed, call a [`Workspace`] method, and show what it returns.
//! None of them holds a business rule or composes a sentence that another face also composes,
//! so the same data gives the same answer through every face.
//!
//! - [`Workspace`]: one open database as of one day, with its state cached between calls and a
//!   generation number that moves whenever the state does.
//! - importing: files into the store, with the options a user can set, and one receipt sentence;
//!   a raw API answer is paired with the file it is read beside (`--with`).
//! - queues and candidates: the mapping queues, ranked candidates, and the safe band.
//! - deciding: confirm, reject, ignore, unmap, undo and redo, each answered with *changed* or
//!   *no-op* and a sentence in business words.
//! - reporting: reconcile into a report (coverage, verdict, warnings, ledger), the overview,
//!   the drill-down, and writing a report file atomically.
//! - pulling: a source's API snapshot into the store, and what a failing source holds back.

mod account;
mod alert_policy;
mod beside;
mod bulk_mapping;
mod certain;
mod checking;
mod deciding;
mod folder;
mod gap_work;
mod importing;
mod lookup;
mod matcher;
mod overview;
mod provenance;
mod pull_alerts;
mod pulling;
mod queue;
mod recipients;
mod reporting;
mod session;
mod suggestions;
mod workspace;

pub use crate::store::UndoScope;
pub use beside::{find_beside, sniff_pairing};
pub use bulk_mapping::BulkMappingOutcome;
pub use certain::CertainMappings;
pub use checking::{AlertSettings, CheckOutcome, PlannedMessage};
pub use deciding::{DecisionOutcome, HistoryStep};
pub use folder::{FolderFile, detect_folder, files_to_import};
pub use importing::{ImportReceipt, import_file, sniff};
pub use matcher::Candidate;
pub use overview::{GapTotal, Overview, SourceView, Unmapped};
pub use provenance::MadeBy;
pub use pulling::PullReceipt;
pub use queue::{
    MappingChoice, MappingKind, MappingState, QueueEntry, QueueFilter, Target, rank_safe_band,
};
pub use reporting::{
    Baseline, DrillDown, EvidenceLine, ReconcileJob, ReconciledReport, review_saved,
    with_references, write_report_file, write_report_with_references,
};
pub use suggestions::{AcceptOutcome, ClientSuggestions, MappingQueue, ProductSuggestions};

pub use workspace::{WorkflowError, Workspace};
