//! The SQLite store: the only module that knows SQL.
//!
//! One file holds the imports, the operator's mappings and decisions, and the ledger of runs.
//! Every write that belongs together happens in one transaction, so a failed import or a killed
//! process leaves the database as it was. Connections open with foreign keys on and WAL, so the
//! workbench can keep reading while a worker imports.

mod alerts;
mod decision_records;
mod decisions;
mod imports;
mod lookup;
mod migrate;
mod positions;
mod runs;

pub use alerts::{
    ClaimedNotification, DueNotification, NotificationRow, Recipients, log_due_notifications,
};
pub use decisions::{Decision, DecisionRecord, Origin, UndoOutcome};
pub use imports::{ImportOutcome, ImportReport, SourceRow};
pub use positions::{CurrentState, DrillDownLine};
pub use runs::RecordedRun;

use rusqlite::Connection;
use std::path::{Path, PathBuf};

/// A failure of the store. Import failures keep their file:line:column location.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite refused an operation.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The file could not be parsed; nothing was written. The parse error is part of the
    /// message rather than a `source`, so that it is printed once.
    #[error("{0}\nnothing was imported; the database is unchanged")]
    Import(crate::import::ImportError),
    /// A file could not be read.
    #[error("cannot read {file}: {source}")]
    Io {
        /// The file.
        file: String,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// A migration that has landed was changed afterwards.
    #[error(
        "migration {name} differs from the one applied to this database; migrations are append-only"
    )]
    MigrationChanged {
        /// The migration's file name.
        name: String,
    },
    /// The database was written by a newer billgap.
    #[error(
        "this database has migration {name}, which this billgap does not know; upgrade billgap"
    )]
    UnknownMigration {
        /// The unknown migration's name.
        name: String,
    },
    /// A stored value could not be read back (a hand-edited database).
    #[error("stored value {value:?} in {column} is not valid")]
    Corrupt {
        /// The column.
        column: &'static str,
        /// The value found.
        value: String,
    },
    /// The user named something that does not exist.
    #[error("{0}")]
    NotFound(String),
    /// A running total of an import left the range of exact decimals.
    #[error("{0}; nothing was imported, the database is unchanged")]
    Overflow(#[from] crate::domain::positions::TotalsOverflow),
    /// A value could not be serialised for storage.
    #[error("cannot serialise {what} for storage: {source}")]
    Serialise {
        /// What was being stored.
        what: &'static str,
        /// serde_json's reason.
        source: serde_json::Error,
    },
}

impl From<crate::import::ImportError> for StoreError {
    fn from(error: crate::import::ImportError) -> Self {
        StoreError::Import(error)
    }
}

/// An open billgap database.
pub struct Store {
    connection: Connection,
    path: Option<PathBuf>,
}

impl Store {
    /// Opens (creating if needed) the database at `path`, sets the pragmas and applies pending
    /// migrations. Fails if a landed migration was edited or the file is from a newer billgap.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if let Some(parent) = path
            .parent()
            .filter(|parent| !parent.as_os_str().is_empty())
        {
            std::fs::create_dir_all(parent).map_err(|source| StoreError::Io {
                file: parent.display().to_string(),
                source,
            })?;
        }
        let connection = Connection::open(path)?;
        Self::prepare(connection, Some(path.to_path_buf()))
    }

    /// An in-memory database, for tests and one-off comparisons.
    pub fn open_in_memory() -> Result<Store, StoreError> {
        Self::prepare(Connection::open_in_memory()?, None)
    }

    fn prepare(connection: Connection, path: Option<PathBuf>) -> Result<Store, StoreError> {
        // Page size only takes effect before the first table exists; 16 KiB pages made bulk
        // imports markedly faster in our measurements (DESIGN.md §5).
        connection.execute_batch(
            "PRAGMA page_size = 16384;
             PRAGMA foreign_keys = ON;
             PRAGMA busy_timeout = 5000;
             PRAGMA cache_size = -65536;",
        )?;
        if path.is_some() {
            connection.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))?;
            connection.execute_batch("PRAGMA synchronous = NORMAL;")?;
        }
        let mut store = Store { connection, path };
        migrate::apply(&mut store.connection)?;
        Ok(store)
    }

    /// The database file, or `None` for an in-memory store.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// A stored setting.
    pub fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        use rusqlite::OptionalExtension;
        Ok(self
            .connection
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |row| {
                row.get(0)
            })
            .optional()?)
    }

    /// Stores a setting, replacing any earlier value.
    pub fn set_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.connection.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [key, value],
        )?;
        Ok(())
    }
}

/// The current time as RFC 3339 UTC text, the format every timestamp is stored in.
fn now_text() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Reads a stored decimal, naming the column when the text is not a number.
fn decimal_from(column: &'static str, text: &str) -> Result<rust_decimal::Decimal, StoreError> {
    text.parse().map_err(|_| StoreError::Corrupt {
        column,
        value: text.to_string(),
    })
}

/// The SHA-256 of a text as lower-case hex: how migrations and API pulls are fingerprinted.
fn hex_sha256(text: &str) -> String {
    use sha2::Digest;
    hex(&sha2::Sha256::digest(text.as_bytes()))
}

/// A digest as lower-case hex, the form every fingerprint is stored in.
fn hex(digest: &[u8]) -> String {
    digest.iter().map(|byte| format!("{byte:02x}")).collect()
}
