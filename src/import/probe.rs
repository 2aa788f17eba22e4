//! The property every importer must keep on any input, for the fuzz targets (`fuzz/`) and the
//! property test in `cargo test`: bytes are read without a panic, and a refusal says where,
//! within the file, without a raw control character that would reach the terminal.

use super::contract::{ImportError, ImportOptions, ImportSummary};
use crate::domain::lines::Line;

/// Reads `bytes` as the file `name` (its extension does not matter to detection) with
/// `options`, and checks the property. `Ok` carries the summary when the file was read;
/// `Err` says how the property was broken.
///
/// `profile`, when given, is written beside the file and passed as `--profile`.
pub fn check_reading(
    bytes: &[u8],
    name: &str,
    profile: Option<&[u8]>,
    options: &ImportOptions,
) -> Result<Option<ImportSummary>, String> {
    check(bytes, name, profile, None, options)
}

/// [`check_reading`] for a file read with a beside file (`--with`, written as `beside.json`):
/// a refusal may then name a line of either file, inside that file.
pub fn check_joined(
    bytes: &[u8],
    name: &str,
    beside: &[u8],
    options: &ImportOptions,
) -> Result<Option<ImportSummary>, String> {
    check(bytes, name, None, Some(beside), options)
}

fn check(
    bytes: &[u8],
    name: &str,
    profile: Option<&[u8]>,
    beside: Option<&[u8]>,
    options: &ImportOptions,
) -> Result<Option<ImportSummary>, String> {
    let directory = tempfile::tempdir().map_err(|error| format!("no temp dir: {error}"))?;
    let path = directory.path().join(name);
    std::fs::write(&path, bytes).map_err(|error| format!("cannot write: {error}"))?;
    let mut options = options.clone();
    if let Some(profile) = profile {
        let profile_path = directory.path().join("profile.toml");
        std::fs::write(&profile_path, profile).map_err(|error| format!("cannot write: {error}"))?;
        options.profile = Some(profile_path);
    }
    let mut files = vec![(path.clone(), bytes.len())];
    if let Some(beside) = beside {
        let beside_path = directory.path().join("beside.json");
        std::fs::write(&beside_path, beside).map_err(|error| format!("cannot write: {error}"))?;
        options.with = vec![beside_path.clone()];
        files.push((beside_path, beside.len()));
    }
    let mut lines: Vec<Line> = Vec::new();
    match super::parse_file(&path, &options, &mut lines, &mut |_| {}) {
        Ok(summary) => {
            if summary.lines != lines.len() as u64 {
                return Err(format!(
                    "the summary counts {} lines but {} reached the sink",
                    summary.lines,
                    lines.len()
                ));
            }
            Ok(Some(summary))
        }
        Err(error) => {
            check_error(&error, &files)?;
            Ok(None)
        }
    }
}

/// A refusal must name a line inside the file it names (one of `files`, each with its size)
/// and print no control character but line breaks.
fn check_error(error: &ImportError, files: &[(std::path::PathBuf, usize)]) -> Result<(), String> {
    let message = error.to_string();
    if let Some(bad) = message.chars().find(|c| c.is_control() && *c != '\n') {
        return Err(format!("raw control character {bad:?} in: {message:?}"));
    }
    if let Some(location) = error.location() {
        let Some((_, size)) = files
            .iter()
            .find(|(path, _)| super::table::display_name(path) == location.file)
        else {
            return Err(format!("names {:?}, not a file it read", location.file));
        };
        let last_line = (*size as u64).saturating_add(1);
        if location.line == 0 || location.line > last_line {
            return Err(format!(
                "line {} outside the file: {message}",
                location.line
            ));
        }
    }
    Ok(())
}
