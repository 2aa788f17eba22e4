//! Finding the file a raw API answer is read beside (`--with`), among the files next to it.
//!
//! A raw ConnectWise `/additions` or Autotask `ContractServiceUnits` answer names no company;
//! the import joins it with the agreements or contracts answer beside it. A user who saved both
//! into one folder expects them to be paired, so the workbench (for a file) and a folder import
//! (for every face) try the `.json` files beside it: a candidate fits when the import itself
//! accepts the pair, so the rule of what fits stays in the importer and nothing is guessed here.

use super::importing::sniff;
use crate::import::{ImportOptions, SourceInfo};
use std::path::{Path, PathBuf};

/// At most this many candidates are tried, so a file in a crowded downloads folder is not read
/// against hundreds of others when it is simply not an export.
const MOST_CANDIDATES: usize = 64;

/// What `file` reads as when joined with some of `candidates`, and those files in the order
/// the join takes them; `None` when `options` already names beside files, when `file` is not a
/// `.json` file, or when no candidate makes the import accept it.
///
/// The first candidate (in the given order) that the import accepts alone is taken, then each
/// further one the import still accepts with it (the Autotask Companies and Services answers
/// beside the Contracts). Each try is a detection of the first rows: nothing is written.
pub fn find_beside(
    file: &Path,
    candidates: &[PathBuf],
    options: &ImportOptions,
) -> Option<(SourceInfo, Vec<PathBuf>)> {
    if !options.with.is_empty() || !is_json(file) {
        return None;
    }
    let candidates: Vec<&PathBuf> = candidates
        .iter()
        .filter(|candidate| candidate.as_path() != file && is_json(candidate))
        .take(MOST_CANDIDATES)
        .collect();
    let accepts = |with: &[PathBuf]| {
        let options = ImportOptions {
            with: with.to_vec(),
            ..options.clone()
        };
        sniff(file, &options).ok()
    };
    let (mut info, mut with) = candidates.iter().find_map(|candidate| {
        accepts(std::slice::from_ref(*candidate)).map(|info| (info, vec![(*candidate).clone()]))
    })?;
    for candidate in &candidates {
        if with.contains(candidate) {
            continue;
        }
        let mut more = with.clone();
        more.push((*candidate).clone());
        if let Some(joined) = accepts(&more) {
            (info, with) = (joined, more);
        }
    }
    Some((info, with))
}

/// Detects `path` as [`sniff`] does; when the import refuses it and no beside file was given,
/// the `.json` files in its folder are tried as its beside files ([`find_beside`]). Returns
/// what it reads as and the beside files found (empty when it needed none), or the refusal of
/// the file on its own when none fits.
pub fn sniff_pairing(
    path: &Path,
    options: &ImportOptions,
) -> Result<(SourceInfo, Vec<PathBuf>), super::WorkflowError> {
    let refusal = match sniff(path, options) {
        Ok(info) => return Ok((info, Vec::new())),
        Err(refusal) => refusal,
    };
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let siblings = super::files_to_import(folder).unwrap_or_default();
    find_beside(path, &siblings, options).ok_or(refusal)
}

fn is_json(path: &Path) -> bool {
    path.extension()
        .is_some_and(|extension| extension.eq_ignore_ascii_case("json"))
}
