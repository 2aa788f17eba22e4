//! Opening the database the way every subcommand does. Only `import` (and the demo, in its
//! own temporary folder) creates a database: any other command on a path with none says so,
//! instead of creating an empty one that would then report "nothing compared" forever. The
//! workbench creates the default database on first run, but one named with `--db` or
//! `BILLGAP_DB` only with `--new`.

use color_eyre::eyre::{WrapErr, bail};
use std::path::Path;

/// Opens an existing database as a workspace dated `today`, with a message that names it.
pub(super) fn open_as_of(
    database: &Path,
    today: chrono::NaiveDate,
) -> color_eyre::Result<crate::workflow::Workspace> {
    if !database.exists() {
        bail!(
            "no database at {}: import an export first (`billgap import FILE`), or name another with --db",
            database.display()
        );
    }
    crate::workflow::Workspace::open_as_of(database, today)
        .wrap_err_with(|| format!("cannot open the database {}", database.display()))
}

/// Opens an existing database as a workspace dated today.
pub(super) fn open(database: &Path) -> color_eyre::Result<crate::workflow::Workspace> {
    open_as_of(database, chrono::Local::now().date_naive())
}

/// Opens the database, creating it (and its folder) when it does not exist yet: for `import`
/// and the demo. The store creates both owner-only.
pub(super) fn open_or_create(database: &Path) -> color_eyre::Result<crate::workflow::Workspace> {
    crate::workflow::Workspace::open(database)
        .wrap_err_with(|| format!("cannot open the database {}", database.display()))
}

/// Fails, naming the path, when the workbench is asked to open a database that the user named
/// (`--db` or `BILLGAP_DB`) and that does not exist: a typo there would otherwise open an empty
/// workbench on a new file, and the user's mappings would seem lost.
pub(super) fn refuse_missing_for_workbench(database: &Path) -> color_eyre::Result<()> {
    if !database.exists() {
        bail!(
            "no database at {}: check the path given with --db or BILLGAP_DB, or pass --new to \
             create a new database there",
            database.display()
        );
    }
    Ok(())
}
