//! The application core: every use case a face can start.
//!
//! The CLI, the workbench, and the headless `check` and `watch` are faces of this module: they
//! parse what the user typed or pressed, call a [`Workspace`] method, and show what it returns.
//! None of them holds a business rule or composes a sentence that another face also composes,
//! so the same data gives the same answer through every face.
//!
//! - [`Workspace`]: one open database as of one day, with its state cached between calls and a
//!   generation number that moves whenever the state does.
//! - importing: files into the store, with the options a user can set, and one receipt sentence.
//! - queues and candidates: the mapping queues, ranked candidates, and the safe band.
//! - deciding: confirm, reject, ignore, unmap, undo and redo, each answered with *changed* or
//!   *no-op* and a sentence in business words.
//! - reporting: reconcile into a report (coverage, verdict, warnings, ledger), the overview,
//!   the drill-down, and writing a report file atomically.

mod certain;
mod deciding;
mod importing;
mod lookup;
mod queue;
mod reporting;
mod session;
mod suggestions;

pub use certain::CertainMappings;
pub use deciding::{DecisionOutcome, HistoryStep};
pub use importing::{ImportReceipt, import_file, sniff};
pub use queue::{
    MappingChoice, MappingKind, MappingState, QueueEntry, QueueFilter, Target, rank_safe_band,
};
pub use reporting::{
    DrillDown, EvidenceLine, GapTotal, Overview, ReconcileJob, ReconciledReport, SourceView,
    write_report_file,
};
pub use suggestions::{
    AcceptOutcome, Candidate, ClientSuggestions, MappingQueue, ProductSuggestions,
};

use crate::store::{Store, StoreError};
use chrono::NaiveDate;
use session::Session;
use std::path::{Path, PathBuf};

/// A use case that could not be carried out. Nothing was changed unless the variant says so.
#[derive(Debug, thiserror::Error)]
pub enum WorkflowError {
    /// The database refused or could not be read; an import error keeps its file:line:column.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A report file could not be written; any earlier file at that path is untouched.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file asked for.
        path: PathBuf,
        /// Why.
        source: crate::export::ExportError,
    },
    /// The rejected rows of an import could not be written next to the file.
    #[error("cannot write the rejected rows to {path}: {source}")]
    Rejects {
        /// The rejects file.
        path: PathBuf,
        /// Why.
        source: csv::Error,
    },
    /// The request cannot be honoured as asked, such as a threshold too large to compute
    /// with; the sentence says what to do instead.
    #[error("{0}")]
    Refused(String),
}

/// One open billgap database as of one day.
///
/// Every figure that depends on the date (gap ages, ignore-rule expiry) uses `today`, so a
/// test or a backfill pins it with [`Workspace::open_as_of`].
pub struct Workspace {
    store: Store,
    database: PathBuf,
    today: NaiveDate,
    session: Option<Session>,
    generation: u64,
}

impl Workspace {
    /// Opens the database (creating and migrating it if needed) as of today, local time.
    pub fn open(database: &Path) -> Result<Workspace, WorkflowError> {
        Workspace::open_as_of(database, chrono::Local::now().date_naive())
    }

    /// Opens the database as of a given day.
    pub fn open_as_of(database: &Path, today: NaiveDate) -> Result<Workspace, WorkflowError> {
        Ok(Workspace {
            store: Store::open(database)?,
            database: database.to_path_buf(),
            today,
            session: None,
            generation: 1,
        })
    }

    /// The day figures are computed for.
    pub fn today(&self) -> NaiveDate {
        self.today
    }

    /// The database file.
    pub fn database(&self) -> &Path {
        &self.database
    }

    /// A number that changes whenever the state a face shows may have changed (a decision, an
    /// import, a threshold); a result computed under an older generation is outdated.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Forgets everything cached, after another connection (an import worker) wrote.
    pub fn invalidate(&mut self) {
        self.session = None;
        self.generation = self.generation.wrapping_add(1);
    }

    /// The cached session, loaded on first use.
    fn session(&mut self) -> Result<&mut Session, WorkflowError> {
        let session = match self.session.take() {
            Some(session) => session,
            None => Session::load(&self.store, self.today)?,
        };
        Ok(self.session.insert(session))
    }

    /// The matcher of the cached session.
    fn suggester(&mut self) -> Result<&suggestions::Suggester, WorkflowError> {
        if self.session.is_none() {
            self.session()?;
        }
        match self.session.as_mut() {
            Some(session) => Ok(session.suggester(&self.store)?),
            None => Err(WorkflowError::Refused(
                "the database could not be read".to_string(),
            )),
        }
    }
}
