//! The settings of the store's connection: those it is opened with, and those of an import's
//! copy, set for the copy and back after it.

use super::connection::StoreError;
use rusqlite::Connection;

/// The per-connection settings that differ between ordinary use and an import's copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct ConnectionSettings {
    /// How long to wait for another process's write lock before giving up.
    busy_seconds: u64,
    /// The page cache, in KiB as `PRAGMA cache_size` takes it (negative).
    pub(super) cache_kib: i64,
    /// Whether SQLite checks foreign keys.
    pub(super) check_references: bool,
}

impl ConnectionSettings {
    /// As every connection is opened.
    pub(super) const OPENED: Self = Self {
        busy_seconds: 5,
        cache_kib: -65536,
        check_references: true,
    };

    /// During an import's copy.
    pub(super) const COPYING: Self = Self {
        // An import waits for another one copying into the same database, however long that
        // takes (a large file in another process), rather than failing after five seconds.
        busy_seconds: 600,
        // The copy writes each new page once: a small page cache spills it to the log rather
        // than holding the whole import in memory (the 64 MiB of `OPENED` serve reads).
        cache_kib: -8192,
        // Every reference the copy writes is to an id the same transaction has just made or
        // read (its import's, its parties' and products'), and it deletes nothing, so checking
        // them would confirm what is true by construction: one look-up of a party and one of
        // the import per stored party, 40% of the time of storing the positions of a PSA
        // export that names 200,000 companies (0.40 s against 0.22 s, sqlite3 CLI).
        check_references: false,
    };

    /// Sets these on `connection`. SQLite honours the pragmas only outside a transaction,
    /// which is where callers set them.
    pub(super) fn apply(&self, connection: &Connection) -> Result<(), StoreError> {
        connection.busy_timeout(std::time::Duration::from_secs(self.busy_seconds))?;
        connection.pragma_update(None, "cache_size", self.cache_kib)?;
        connection.pragma_update(None, "foreign_keys", self.check_references)?;
        Ok(())
    }
}
