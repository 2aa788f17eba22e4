//! Opening the database the way every subcommand does.

/// Opens the database as a workspace dated today, with a message that names it.
pub(super) fn open(database: &std::path::Path) -> color_eyre::Result<crate::workflow::Workspace> {
    use color_eyre::eyre::WrapErr;
    crate::workflow::Workspace::open(database)
        .wrap_err_with(|| format!("cannot open the database {}", database.display()))
}
