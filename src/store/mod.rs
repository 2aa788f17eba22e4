//! The SQLite store: the only module that knows SQL.
//!
//! One file holds the imports, the operator's mappings and decisions, and the ledger of runs.
//! Every write that belongs together happens in one transaction, so a failed import or a killed
//! process leaves the database as it was. Connections open with foreign keys on and WAL, so the
//! workbench can keep reading while a worker imports.

mod alerts;
mod bulk_indexes;
mod chunk_codec;
mod connection;
mod connection_settings;
mod decision_records;
mod decisions;
mod digest;
mod error;
mod gap_work;
mod history;
mod import_slices;
mod imports;
mod key_index;
mod line_codec;
mod lookup;
mod migrate;
mod newcomers;
mod party_positions;
mod position_runs;
mod positions;
mod provenance;
mod pulls;
mod runs;
mod spool;
mod staging;
mod stored_lines;
mod values;

pub use alerts::{
    ClaimedNotification, DueNotification, NotificationRow, Recipients, log_due_notifications,
};
pub use connection::{Store, StoreError};
pub use decisions::{Decision, DecisionRecord, Origin, UndoOutcome};
pub use history::UndoScope;
pub use imports::{ImportOutcome, ImportReport, SourceRow};
pub use line_codec::StoredLine;
pub use positions::CurrentState;
pub use provenance::{MappingProvenance, Provenance};
pub use pulls::{PullRecord, PullRow, mark_run_incomplete};
pub use runs::RecordedRun;
pub use stored_lines::{AuditLine, DrillDownLine};
