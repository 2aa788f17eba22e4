//! A folder of exports, as one import: this month's files, dropped in one place.

use super::workspace::WorkflowError;
use crate::import::{ImportOptions, SourceInfo};
use std::path::{Path, PathBuf};

/// A file of a folder and what it was detected to be, or why it is not an export.
pub type DetectedFile = (PathBuf, Result<SourceInfo, String>);

/// Every file of a folder with what it was detected to be, or why it is not an export (it is
/// then left out of the import, by name): nothing is written. A folder holds notes, the
/// database itself, last month's rejected rows; only exports are imported.
pub fn detect_folder(
    path: &Path,
    options: &ImportOptions,
) -> Result<Vec<DetectedFile>, WorkflowError> {
    Ok(files_to_import(path)?
        .into_iter()
        .map(|file| {
            let detected = super::sniff(&file, options).map_err(|error| error.to_string());
            (file, detected)
        })
        .collect())
}

/// The files to import for `path`: the file itself, or every regular file directly inside a
/// folder, by name, leaving out hidden files and the rejected-rows files billgap writes beside
/// an import. Not recursive: a subfolder is often last month's.
pub fn files_to_import(path: &Path) -> Result<Vec<PathBuf>, WorkflowError> {
    if !path.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let refuse = |error: std::io::Error| {
        WorkflowError::Refused(format!(
            "cannot read the folder {}: {error}",
            path.display()
        ))
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(path).map_err(refuse)? {
        let entry = entry.map_err(refuse)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        // `metadata` follows a link, so a link to a file is a file and a link to a FIFO is not.
        let is_file = std::fs::metadata(entry.path()).is_ok_and(|meta| meta.is_file());
        if is_file && !name.starts_with('.') && !name.contains(".rejected") {
            files.push(entry.path());
        }
    }
    files.sort();
    if files.is_empty() {
        return Err(WorkflowError::Refused(format!(
            "the folder {} holds no file to import",
            path.display()
        )));
    }
    Ok(files)
}
