//! The workspace: one open database as of one day, its cached session, and the errors of
//! every use case.

use super::session::Session;
use crate::store::{Store, StoreError};
use chrono::NaiveDate;
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
    pub(super) store: Store,
    pub(super) database: PathBuf,
    pub(super) today: NaiveDate,
    pub(super) session: Option<Session>,
    pub(super) generation: u64,
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
    pub(super) fn session(&mut self) -> Result<&mut Session, WorkflowError> {
        let session = match self.session.take() {
            Some(session) => session,
            None => Session::load(&self.store, self.today)?,
        };
        Ok(self.session.insert(session))
    }

    /// The matcher of the cached session.
    pub(super) fn suggester(&mut self) -> Result<&super::matcher::Suggester, WorkflowError> {
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
