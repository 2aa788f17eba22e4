//! A folder of exports, as one import: this month's files, dropped in one place.

use super::workspace::WorkflowError;
use crate::import::{ImportOptions, SourceInfo};
use std::path::{Path, PathBuf};

/// A file of a folder, and what importing the folder does with it.
#[derive(Debug, Clone)]
pub struct FolderFile {
    /// The file.
    pub path: PathBuf,
    /// What it was detected to be (joined with [`FolderFile::with`] when that holds files),
    /// or why it is not an export; a file that is not one is left out of the import, by name.
    pub detected: Result<SourceInfo, String>,
    /// The files of the folder it is joined with, as `--with` would join them: the agreements
    /// or contracts saved beside a raw ConnectWise `/additions` or Autotask
    /// `ContractServiceUnits` answer. Empty for every other file.
    pub with: Vec<PathBuf>,
    /// For a file read beside another (agreements, contracts): that file. It is read with it,
    /// and not imported on its own.
    pub beside_of: Option<PathBuf>,
}

impl FolderFile {
    /// True when importing the folder imports this file.
    pub fn imported(&self) -> bool {
        self.detected.is_ok() && self.beside_of.is_none()
    }

    /// The options this file is imported with: `options`, with the beside files found for it.
    pub fn options(&self, options: &ImportOptions) -> ImportOptions {
        let mut options = options.clone();
        if !self.with.is_empty() {
            options.with = self.with.clone();
        }
        options
    }
}

/// Every file of a folder with what it was detected to be, or why it is not an export:
/// nothing is written. A folder holds notes, the database itself, last month's rejected rows;
/// only exports are imported.
///
/// Unless `options` names beside files itself, a raw API answer that names no company is
/// paired with the unrecognised `.json` files of the folder that the import accepts beside it
/// (see [`super::find_beside`]), so a folder holding `additions.json` and `agreements.json`
/// imports as `billgap import additions.json --with agreements.json` does.
pub fn detect_folder(
    path: &Path,
    options: &ImportOptions,
) -> Result<Vec<FolderFile>, WorkflowError> {
    let mut files: Vec<FolderFile> = files_to_import(path)?
        .into_iter()
        .map(|file| FolderFile {
            detected: super::sniff(&file, options).map_err(|error| error.to_string()),
            path: file,
            with: Vec::new(),
            beside_of: None,
        })
        .collect();
    if !options.with.is_empty() {
        return Ok(files);
    }
    for index in 0..files.len() {
        let Some(file) = files.get(index) else { break };
        if file.detected.is_ok() || file.beside_of.is_some() {
            continue;
        }
        // Only files nothing else reads: not an export on their own, not paired yet.
        let free: Vec<PathBuf> = files
            .iter()
            .filter(|other| {
                other.path != file.path
                    && other.detected.is_err()
                    && other.beside_of.is_none()
                    && other.with.is_empty()
            })
            .map(|other| other.path.clone())
            .collect();
        let Some((info, with)) = super::find_beside(&file.path, &free, options) else {
            continue;
        };
        let main = file.path.clone();
        for other in files.iter_mut() {
            if with.contains(&other.path) {
                other.beside_of = Some(main.clone());
            }
        }
        if let Some(file) = files.get_mut(index) {
            file.detected = Ok(info);
            file.with = with;
        }
    }
    Ok(files)
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
