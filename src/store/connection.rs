//! The database connection: opening (pragmas, migrations), the store's error, and the small
//! helpers every table module uses.

use super::connection_settings::ConnectionSettings;
pub use super::error::StoreError;
use rusqlite::Connection;
use rusqlite::config::DbConfig;
use std::path::{Path, PathBuf};

/// Creates the database file owner-only, and its missing folders likewise, unless it exists.
fn create_private(path: &Path) -> Result<(), StoreError> {
    let io_error = |file: &Path, source| StoreError::Io {
        file: crate::domain::text::strip_control(&file.display().to_string()),
        source,
    };
    if let Some(parent) = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
    {
        let mut folders = std::fs::DirBuilder::new();
        folders.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut folders, 0o700);
        folders
            .create(parent)
            .map_err(|source| io_error(parent, source))?;
    }
    let mut file = std::fs::OpenOptions::new();
    file.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut file, 0o600);
    match file.open(path) {
        Ok(_) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(source) => Err(io_error(path, source)),
    }
}

/// An open billgap database.
pub struct Store {
    pub(super) connection: Connection,
    pub(super) path: Option<PathBuf>,
    /// How many positions an import holds in memory before it spills them to a sorted run;
    /// tests lower it to make a small file spill.
    pub(super) positions_in_memory: usize,
}

impl Store {
    /// Opens (creating if needed) the database at `path`, sets the pragmas and applies pending
    /// migrations. Fails if a landed migration was edited or the file is from a newer billgap.
    ///
    /// Billing data is private: a database this call creates is readable by its owner only
    /// (0600, and SQLite gives its `-wal` and `-shm` files the same mode), and so are the
    /// folders it creates for it (0700). An existing file keeps the mode it has.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        create_private(path)?;
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
        connection.execute_batch("PRAGMA page_size = 16384;")?;
        ConnectionSettings::OPENED.apply(&connection)?;
        // A statement whose plan could depend on a bound value is marked to be prepared again
        // when that value changes, and SQLite takes clearing the bindings as a change: a cached
        // statement was compiled afresh on every use. The report's drill-down spent a fifth
        // of its time in the SQL parser. billgap keeps no statistics tables, so a bound value
        // could only nudge the planner's row estimates: it is asked to keep its plan.
        connection.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
        if path.is_some() {
            connection.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))?;
            connection.execute_batch("PRAGMA synchronous = NORMAL;")?;
        }
        let mut store = Store {
            connection,
            path,
            positions_in_memory: super::position_runs::POSITIONS_IN_MEMORY,
        };
        super::migrate::apply(&mut store.connection)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The drill-down behind every gap of a report runs the same few cached statements
    /// thousands of times; each must be compiled once, not at every use.
    #[test]
    fn a_cached_statement_is_compiled_once() {
        let store = Store::open_in_memory().expect("store");
        // The shape of the drill-down's query: a join whose equality filters the planner
        // weighs by their bound values, which used to mark the statement for compiling again
        // whenever its bindings were cleared.
        let sql = "SELECT count(*) FROM party_positions p
                   JOIN imports i ON i.id = p.import_id
                   JOIN parties pa ON pa.id = p.party_id
                   WHERE pa.side = ?1 AND pa.system = ?2 AND pa.key = ?3 AND i.period = ?4
                     AND i.superseded_by IS NULL";
        for key in ["a", "b", "c"] {
            let mut statement = store.connection.prepare_cached(sql).expect("statement");
            let _: i64 = statement
                .query_row(["vendor", "pc", key, "2026-11"], |row| row.get(0))
                .expect("count");
        }
        let statement = store.connection.prepare_cached(sql).expect("statement");
        assert_eq!(
            statement.get_status(rusqlite::StatementStatus::RePrepare),
            0
        );
    }
}
