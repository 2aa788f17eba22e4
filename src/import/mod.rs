//! Bytes to lines: decoding, format detection and parsing of vendor and PSA exports.
//!
//! A parser knows nothing about SQLite or the screen. It pushes each [`Line`] into a
//! [`LineSink`] and reports progress through a callback; the store implements the sink inside
//! one transaction, so a failed parse leaves the database untouched. The CLI shows the progress
//! on stderr and the workbench shows it as a gauge: one parser serves both.

use crate::domain::lines::{Line, Period, Side};
use std::fmt;

/// Receives the lines of one import, in file order.
pub trait LineSink {
    /// Takes one parsed line. An error aborts the whole import.
    fn accept(&mut self, line: Line) -> Result<(), SinkError>;
}

/// The sink could not take a line (for example, the database write failed).
#[derive(Debug, thiserror::Error)]
#[error("could not store the line: {0}")]
pub struct SinkError(pub String);

impl LineSink for Vec<Line> {
    fn accept(&mut self, line: Line) -> Result<(), SinkError> {
        self.push(line);
        Ok(())
    }
}

/// Where in a file something went wrong: `file:line:column`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file name as the user gave it.
    pub file: String,
    /// 1-based physical line.
    pub line: u64,
    /// 1-based column number, when known.
    pub column: Option<u64>,
    /// The header of that column, when known.
    pub column_name: Option<String>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)?;
        if let Some(column) = self.column {
            write!(f, ":{column}")?;
        }
        if let Some(name) = &self.column_name {
            write!(f, " ({name})")?;
        }
        Ok(())
    }
}

/// How the user asked for a file to be read. Every field has a safe default.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Force a format by name instead of detecting it from the header.
    pub format: Option<String>,
    /// Force a side; otherwise the format's own side is used.
    pub side: Option<Side>,
    /// The billing period the file covers; otherwise derived from its charge dates.
    pub period: Option<Period>,
    /// Import the good rows and return the bad ones instead of failing the whole file.
    pub skip_bad_rows: bool,
    /// Numbers use a decimal comma (`12,50`), as regional exports do.
    pub decimal_comma: bool,
    /// Slash dates are day first (`31/01/2026`) rather than US month first.
    pub day_first: bool,
    /// Currency of files that carry none.
    pub currency: Option<crate::domain::money::Currency>,
    /// A generic profile (TOML).
    pub profile: Option<std::path::PathBuf>,
}

/// Progress of a running import, for a gauge or a progress bar.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    /// Bytes of the file consumed so far.
    pub bytes_read: u64,
    /// Size of the file in bytes.
    pub total_bytes: u64,
    /// Data rows parsed so far.
    pub rows: u64,
}

/// What an import was detected to be, shown to the user before anything is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceInfo {
    /// The format profile's name, such as `partner-center-nce` or `connectwise-additions`.
    pub format: String,
    /// The source system, such as `microsoft`, `pax8`, `connectwise`.
    pub system: String,
    /// Which side the lines feed.
    pub side: Side,
    /// The slice of the period this file covers (for Partner Center: partner id and billing
    /// currency). A later import of the same system, slice and period replaces this one.
    pub slice: String,
    /// The billing period, from the options or the file's charge dates.
    pub period: Option<Period>,
}

/// A row that was skipped under `skip_bad_rows`, with why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedRow {
    /// Where the row is.
    pub location: Location,
    /// What was expected and what was found.
    pub reason: String,
    /// The raw cells of the row, for the rejects file.
    pub raw: Vec<String>,
}

/// The result of parsing one file completely.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportSummary {
    /// What the file was.
    pub source: SourceInfo,
    /// Data rows read (header excluded).
    pub rows_read: u64,
    /// Lines handed to the sink.
    pub lines: u64,
    /// Rows skipped under `skip_bad_rows`; always empty otherwise.
    pub rejected: Vec<RejectedRow>,
}

/// Why a file could not be imported. Every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file could not be read.
    #[error("{file}: cannot read the file: {source}")]
    Io {
        /// The file.
        file: String,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// The file has no bytes, or only whitespace.
    #[error("{file}: the file is empty; nothing was imported")]
    Empty {
        /// The file.
        file: String,
    },
    /// The file has a header and no data rows.
    #[error("{file}: the file has a header but no data rows; nothing was imported")]
    HeaderOnly {
        /// The file.
        file: String,
    },
    /// The header matches no known format.
    #[error(
        "{file}:1: the columns match no known format (found: {found}); run `billgap formats` to see the known formats, or pass --format"
    )]
    UnknownFormat {
        /// The file.
        file: String,
        /// The headers found, comma-separated.
        found: String,
    },
    /// The file is not in an encoding we can read.
    #[error("{file}: {reason}")]
    Encoding {
        /// The file.
        file: String,
        /// What was wrong.
        reason: String,
    },
    /// A row is malformed: a cell could not be read as what its column needs.
    #[error("{location}: expected {expected}, found {found:?}")]
    Row {
        /// Where.
        location: Location,
        /// What the column needs, such as "a decimal number".
        expected: String,
        /// What the cell held.
        found: String,
    },
    /// The sink refused a line.
    #[error("{file}: {source}")]
    Sink {
        /// The file.
        file: String,
        /// The sink's reason.
        source: SinkError,
    },
}

// TEMPORARY until the importers land from the `import` branch: the signatures the store calls.
/// Detects a file's format without writing anything.
pub fn sniff(path: &std::path::Path, _options: &ImportOptions) -> Result<SourceInfo, ImportError> {
    Err(ImportError::UnknownFormat {
        file: path.display().to_string(),
        found: String::new(),
    })
}

/// Streams a file into a sink.
pub fn parse_file(
    path: &std::path::Path,
    _options: &ImportOptions,
    _sink: &mut dyn LineSink,
    _progress: &mut dyn FnMut(Progress),
) -> Result<ImportSummary, ImportError> {
    Err(ImportError::UnknownFormat {
        file: path.display().to_string(),
        found: String::new(),
    })
}

/// A format billgap knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatDescription {
    /// The name `--format` takes.
    pub name: String,
    /// The source system.
    pub system: String,
    /// The side it feeds.
    pub side: Option<Side>,
    /// One sentence.
    pub description: String,
    /// The headers that identify the format.
    pub fingerprint: Vec<String>,
}

/// Every known format.
pub fn known_formats() -> Vec<FormatDescription> {
    Vec::new()
}
