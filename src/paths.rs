//! Where billgap keeps its files.

use std::path::PathBuf;

/// The database billgap uses when neither `--db` nor `BILLGAP_DB` names one: `billgap.sqlite`
/// in the platform's data directory (for example `~/.local/share/billgap` on Linux). Falls
/// back to the current directory when the platform has no home directory.
pub fn default_database() -> PathBuf {
    directories::ProjectDirs::from("", "", "billgap")
        .map(|dirs| dirs.data_dir().join("billgap.sqlite"))
        .unwrap_or_else(|| PathBuf::from("billgap.sqlite"))
}

/// The folder for user configuration, such as a keymap override.
pub fn config_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "billgap").map(|dirs| dirs.config_dir().to_path_buf())
}
