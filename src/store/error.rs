//! How the store fails.

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
    /// A new import shares part of its slice with a current import of the same period without
    /// covering all of it: keeping both counts the shared part twice, replacing the earlier
    /// one drops the rest of it, so neither is done without the user's word.
    #[error(
        "{file} covers slice {slice}, which overlaps import #{earlier} ({earlier_file}, slice \
         {earlier_slice}) of the same period without covering all of it: keeping both would \
         count the shared part twice, and replacing #{earlier} would drop the rest of it. \
         Import an export that covers all of #{earlier}'s slice, or pass --replace to replace \
         #{earlier} anyway; nothing was imported, the database is unchanged"
    )]
    Overlap {
        /// The file being imported.
        file: String,
        /// Its slice.
        slice: String,
        /// The current import it overlaps.
        earlier: i64,
        /// That import's file name.
        earlier_file: String,
        /// That import's slice.
        earlier_slice: String,
    },
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
