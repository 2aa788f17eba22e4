//! The property every importer must keep on any input, for the fuzz targets (`fuzz/`) and the
//! property test in `cargo test`: bytes are read without a panic, and a refusal says where,
//! within the file, without a raw control character that would reach the terminal.

use super::contract::{ImportError, ImportOptions, ImportSummary};
use crate::domain::lines::Line;
use std::path::Path;

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
    let directory = tempfile::tempdir().map_err(|error| format!("no temp dir: {error}"))?;
    let path = directory.path().join(name);
    std::fs::write(&path, bytes).map_err(|error| format!("cannot write: {error}"))?;
    let mut options = options.clone();
    if let Some(profile) = profile {
        let profile_path = directory.path().join("profile.toml");
        std::fs::write(&profile_path, profile).map_err(|error| format!("cannot write: {error}"))?;
        options.profile = Some(profile_path);
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
            check_error(&error, &path, bytes.len())?;
            Ok(None)
        }
    }
}

/// A refusal must name a line inside the file and print no control character but line breaks.
fn check_error(error: &ImportError, path: &Path, size: usize) -> Result<(), String> {
    let message = error.to_string();
    if let Some(bad) = message.chars().find(|c| c.is_control() && *c != '\n') {
        return Err(format!("raw control character {bad:?} in: {message:?}"));
    }
    if let Some(location) = error.location() {
        let last_line = (size as u64).saturating_add(1);
        if location.line == 0 || location.line > last_line {
            return Err(format!(
                "line {} outside the file: {message}",
                location.line
            ));
        }
        let name = super::table::display_name(path);
        if location.file != name {
            return Err(format!("names {:?}, not the file {name:?}", location.file));
        }
    }
    Ok(())
}
