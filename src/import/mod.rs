//! Bytes to lines: decoding, format detection and parsing of vendor and PSA exports.
//!
//! A parser knows nothing about SQLite or the screen. It pushes each [`Line`] into a
//! [`LineSink`] and reports progress through a callback; the store implements the sink inside
//! one transaction, so a failed parse leaves the database untouched. The CLI shows the progress
//! on stderr and the workbench shows it as a gauge: one parser serves both.
//!
//! Every byte here comes from a file the user was sent, so nothing in this module may panic
//! on it: strings are sliced with `get` (a cell can cut a multi-byte character anywhere), and
//! arithmetic is checked or saturating (a cell can hold a number as large as `Decimal` allows).
//! The two lints below hold the whole module tree to that.

#![deny(clippy::string_slice)]
#![deny(clippy::arithmetic_side_effects)]

mod beside;
mod contract;
pub mod date;
pub mod decimal_mark;
pub mod decode;
pub mod dialect;
mod file_scan;
mod formats;
mod generic_profile;
pub mod header;
mod json;
mod mark_scan;
pub mod number;
mod parse;
mod plausible;
pub mod probe;
pub mod profile;
mod record_stream;
mod row;
mod shape;
pub mod slice;
mod table;

pub use contract::{
    FormatDescription, ImportError, ImportOptions, ImportSummary, ImportWarning, LineSink,
    Location, Progress, RejectedRow, SinkError, SourceInfo,
};
pub use file_scan::{Encoding, FileScan, first_bytes, scan_file};
pub use generic_profile::GenericProfileError;

use crate::domain::lines::Line;
use std::path::Path;

/// Fails unless `path` is a regular file, without opening it (a FIFO would block the open).
pub fn check_regular_file(path: &Path) -> Result<(), ImportError> {
    table::regular_file(path)
}

/// Detects format/side/slice from the header and first rows without writing anything (for
/// preview). Reads at most the first 2,000 rows and tolerates bad ones, so the period and slice
/// are estimates from those rows; [`parse_file`] reports the exact ones.
///
/// Fails when the file cannot be read, is empty or header-only, matches no format, or lacks a
/// currency with none given.
pub fn sniff(path: &Path, options: &ImportOptions) -> Result<SourceInfo, ImportError> {
    sniff_scanned(path, &scan_file(path)?.encoding, options)
}

/// [`sniff`] of a file read in `encoding` (from [`scan_file`], or [`first_bytes`]).
pub fn sniff_scanned(
    path: &Path,
    encoding: &Encoding,
    options: &ImportOptions,
) -> Result<SourceInfo, ImportError> {
    struct Discard;
    impl LineSink for Discard {
        fn accept(&mut self, _line: Line) -> Result<(), SinkError> {
            Ok(())
        }

        fn restart(&mut self) -> Result<(), SinkError> {
            Ok(())
        }
    }
    parse::run(
        path,
        encoding,
        options,
        &mut Discard,
        &mut |_| {},
        parse::Extent::Preview(2_000),
    )
    .map(|summary| summary.source)
}

/// Streams the file, pushing every Line into the sink in file order. Fails on the first bad row
/// with ImportError::Row (file:line:column, expected, found) unless options.skip_bad_rows.
///
/// The file is read in chunks and never held whole (API JSON excepted, which is small);
/// `progress` is called every 65,536 rows and once at the end. Lines a format can only choose
/// once the file is read (Autotask) reach the sink after the streamed ones, still in file order
/// among themselves. The period is `options.period`, else the one the format chose, else the
/// most common month of the lines' start dates.
pub fn parse_file(
    path: &Path,
    options: &ImportOptions,
    sink: &mut dyn LineSink,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportSummary, ImportError> {
    parse_scanned(path, &scan_file(path)?.encoding, options, sink, progress)
}

/// [`parse_file`] of a file read in `encoding` (from [`scan_file`], or [`first_bytes`] when
/// the caller checks it against the whole file's with [`Encoding::reads_like`]).
pub fn parse_scanned(
    path: &Path,
    encoding: &Encoding,
    options: &ImportOptions,
    sink: &mut dyn LineSink,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportSummary, ImportError> {
    parse::run(
        path,
        encoding,
        options,
        sink,
        progress,
        parse::Extent::Whole,
    )
}

/// Every known format, for `billgap formats`: each bundled profile, its API JSON variant, and
/// the generic format.
pub fn known_formats() -> Vec<FormatDescription> {
    let mut formats = Vec::new();
    for profile in profile::bundled_profiles().unwrap_or_default() {
        let fingerprint = profile::fingerprint_columns(&profile);
        if let Some(json_name) = &profile.json_name {
            formats.push(FormatDescription {
                name: profile.name.clone(),
                system: profile.system.clone(),
                side: Some(profile.side),
                description: profile.description.clone(),
                fingerprint: fingerprint.clone(),
                verified: profile.verified,
                evidence: profile.evidence.clone(),
            });
            formats.push(FormatDescription {
                name: json_name.clone(),
                system: profile.system,
                side: Some(profile.side),
                description: match beside::beside_note(&profile.name) {
                    Some(note) => format!("{} as API JSON; {note}", profile.name),
                    None => format!("{} as API JSON", profile.name),
                },
                fingerprint,
                verified: profile.verified,
                evidence: profile.evidence,
            });
        } else {
            formats.push(FormatDescription {
                name: profile.name,
                system: profile.system,
                side: Some(profile.side),
                description: profile.description,
                fingerprint,
                verified: profile.verified,
                evidence: profile.evidence,
            });
        }
    }
    formats.push(FormatDescription {
        name: "generic".to_string(),
        system: "from the profile".to_string(),
        side: None,
        description: "any CSV, described by a TOML profile given with --profile".to_string(),
        fingerprint: Vec::new(),
        verified: false,
        evidence: "described by the user's profile".to_string(),
    });
    formats
}
