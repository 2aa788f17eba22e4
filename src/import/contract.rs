//! The import's contract: what it takes (options), what it reports (progress, the source it
//! detected, the summary), where its lines go (the sink), and how it fails (located errors).

use crate::domain::lines::{Line, Period, Side};
use crate::domain::money::Currency;
use crate::domain::text::strip_control;
use std::error::Error;
use std::fmt;
use std::path::PathBuf;

/// Receives the lines of one import, in file order.
pub trait LineSink {
    /// Takes one parsed line. An error aborts the whole import.
    fn accept(&mut self, line: Line) -> Result<(), SinkError>;

    /// Forgets every line taken so far: the file is about to be read again from its start
    /// (its decimal mark turned out to be the other one than its first rows named).
    fn restart(&mut self) -> Result<(), SinkError>;
}

/// The sink could not take a line (for example, the database write failed).
///
/// It carries the sink's own error, typed, as its `source`, so that the caller that built the
/// sink (the store) can get its error back with [`SinkError::into_inner`] and a downcast,
/// instead of the message alone.
#[derive(Debug, thiserror::Error)]
#[error("could not store the line: {source}")]
pub struct SinkError {
    source: Box<dyn Error + Send + Sync>,
}

impl SinkError {
    /// Wraps the sink's reason: any error type, or a plain message (`String` or `&str`).
    pub fn new(source: impl Into<Box<dyn Error + Send + Sync>>) -> Self {
        Self {
            source: source.into(),
        }
    }

    /// The sink's own error, to downcast to the type the sink produced.
    pub fn into_inner(self) -> Box<dyn Error + Send + Sync> {
        self.source
    }
}

impl LineSink for Vec<Line> {
    fn accept(&mut self, line: Line) -> Result<(), SinkError> {
        self.push(line);
        Ok(())
    }

    fn restart(&mut self) -> Result<(), SinkError> {
        self.clear();
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
    // The file name and the header come from outside; either can carry an escape sequence
    // that would retitle or reset the terminal the message is printed on.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", strip_control(&self.file), self.line)?;
        if let Some(column) = self.column {
            write!(f, ":{column}")?;
        }
        if let Some(name) = &self.column_name {
            write!(f, " ({})", strip_control(name))?;
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
    /// Numbers use a decimal comma (`12,50`), as regional exports do. Without this flag or
    /// `decimal_point` the file's own cells decide, and a file they leave ambiguous is refused.
    pub decimal_comma: bool,
    /// Numbers use a decimal point (`12.50`); settles a file whose cells are all ambiguous
    /// (`12.495`).
    pub decimal_point: bool,
    /// Slash dates are day first (`31/01/2026`) rather than US month first.
    pub day_first: bool,
    /// Currency of files (or rows) that carry none; without it such a file is refused.
    pub currency: Option<Currency>,
    /// Read the file even if the same bytes were imported before (with other options), and
    /// let it replace every current import of its period whose slice it overlaps.
    pub replace: bool,
    /// A generic profile (TOML) naming which header plays which role, for formats billgap
    /// does not know; see `assets/formats/generic-example.toml`.
    pub profile: Option<PathBuf>,
    /// Files read beside a raw API response that names no company, and joined with it: the
    /// ConnectWise agreements of a `/additions` response, or the Autotask Contracts (and
    /// Companies and Services) of a `ContractServiceUnits` response. Empty for every other
    /// file, which names its companies itself.
    pub with: Vec<PathBuf>,
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
    /// Valid rows the format's seat rule does not count (a ConnectWise addition that is not
    /// billable or is cancelled, an inactive Halo line, an Autotask row for another date).
    pub excluded: u64,
    /// What was accepted but looks wrong, or was repaired, counted per kind in file order of
    /// first sight ("3 rows with negative seats on recurring charges").
    pub warnings: Vec<ImportWarning>,
}

/// Rows an import accepted that the user should look at, of one kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportWarning {
    /// What the rows have, as it reads after a count ("rows with fractional seats").
    pub what: String,
    /// How many rows.
    pub count: u64,
    /// The first of them.
    pub first: Location,
}

impl fmt::Display for ImportWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} (first at {})", self.count, self.what, self.first)
    }
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
    /// A row does not have the shape of the header: cut short, longer, or swallowing the
    /// lines after it through a quote that is not closed.
    #[error("{location}: {reason}")]
    Shape {
        /// Where the row, or the first missing cell, is.
        location: Location,
        /// What is wrong with the row.
        reason: String,
    },
    /// A number is too large to be real: a cell beyond its bound, or a line amount computed
    /// from cells (unit price × seats) beyond the amount bound. Refused so that no sum or
    /// product over the stored lines can overflow; see [`number::MAX_SEATS`] and
    /// [`crate::domain::money::MAX_AMOUNT`].
    #[error("{location}: {value}")]
    Implausible {
        /// Where: the cell, or for a computed amount the cell of its unit amount.
        location: Location,
        /// The value and the bound it broke.
        value: crate::import::number::ImplausibleValue,
    },
    /// The file's numbers cannot be read without the user's word: cells that only a decimal
    /// comma reads beside cells only a decimal point reads, a flag a cell contradicts, or
    /// cells such as `12.495` that read both ways with nothing in the file to settle which.
    #[error("{location}: {reason}")]
    DecimalMark {
        /// The cell that shows the problem.
        location: Location,
        /// What is wrong and which flag settles it.
        reason: String,
    },
    /// The file has no currency column and no currency was given.
    #[error(
        "{file}: the file has no currency column; pass --currency (for example --currency USD)"
    )]
    NoCurrency {
        /// The file.
        file: String,
    },
    /// The generic profile given with `--profile` cannot be used.
    #[error("{file}: {source}")]
    GenericProfile {
        /// The file being imported.
        file: String,
        /// What is wrong with the profile; boxed, because a TOML error is large and every
        /// import result would otherwise carry its size.
        source: Box<crate::import::generic_profile::GenericProfileError>,
    },
    /// The format or profile asked for cannot be used.
    #[error("{file}: {reason}")]
    Profile {
        /// The file being imported.
        file: String,
        /// What is wrong with the format name or profile.
        reason: String,
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

impl ImportError {
    /// Where in the file the error is, for the errors about one row or cell.
    pub fn location(&self) -> Option<&Location> {
        match self {
            Self::Row { location, .. }
            | Self::Shape { location, .. }
            | Self::DecimalMark { location, .. }
            | Self::Implausible { location, .. } => Some(location),
            _ => None,
        }
    }
}

/// A format billgap knows, for `billgap formats`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatDescription {
    /// The name `--format` takes.
    pub name: String,
    /// The source system.
    pub system: String,
    /// The side it feeds; `None` for the generic format, whose profile says.
    pub side: Option<Side>,
    /// One sentence.
    pub description: String,
    /// The headers that identify the format.
    pub fingerprint: Vec<String>,
    /// Checked against a real file layout (true), or built from a spec only (false).
    pub verified: bool,
    /// What the format was built from or checked against.
    pub evidence: String,
}
