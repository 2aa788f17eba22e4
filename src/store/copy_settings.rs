//! The connection's settings while an import's staged result is copied in, and back after.

use super::connection::{BUSY_SECONDS, CACHE_KIB, Store, StoreError};

/// Whether the connection is set for an import's copy or as it was opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Copying {
    /// Set for the copy.
    Import,
    /// Back as opened.
    Done,
}

/// How long an import waits for another writer (an import of a large file in another
/// process) before it gives up.
const IMPORT_BUSY_SECONDS: u64 = 600;

/// The page cache of an import's copy, in KiB as `PRAGMA cache_size` takes it (negative).
const IMPORT_CACHE_KIB: i64 = -8192;

impl Store {
    /// The connection's settings for an import's copy, or back to those it was opened with.
    /// Pragmas: SQLite honours these only outside a transaction, which is where they are set.
    pub(super) fn copy_settings(&self, copying: Copying) -> Result<(), StoreError> {
        let importing = copying == Copying::Import;
        // An import waits for another one copying into the same database, however long that
        // takes, rather than failing after the connection's usual five seconds.
        let busy_seconds = if importing {
            IMPORT_BUSY_SECONDS
        } else {
            BUSY_SECONDS
        };
        self.connection
            .busy_timeout(std::time::Duration::from_secs(busy_seconds))?;
        // The copy writes each new page once: a small page cache spills it to the log rather
        // than holding the whole import in memory (the connection's 64 MiB serves reads).
        let cache_kib = if importing {
            IMPORT_CACHE_KIB
        } else {
            CACHE_KIB
        };
        self.connection
            .pragma_update(None, "cache_size", cache_kib)?;
        // Every reference the copy writes is to an id the same transaction has just made or
        // read (its import's, its parties' and products'), and it deletes nothing, so checking
        // them would confirm what is true by construction: one look-up of a party and one of
        // the import per stored party, 40% of the time of storing the positions of a PSA
        // export that names 200,000 companies (0.40 s against 0.22 s, sqlite3 CLI).
        self.connection
            .pragma_update(None, "foreign_keys", !importing)?;
        Ok(())
    }
}
