//! Report to files: CSV, JSON, Markdown, Excel (XLSX) and HTML.
//!
//! Every format carries the same delta sections ([`sections`]): new since the previous saved
//! review, worse, still open (with age and cost to date) and fixed, each with its count and its
//! money per currency.
//!
//! Reports are opened in Excel, so every CSV text cell that Excel would read as a formula is
//! neutralised, and the XLSX writes text only as string cells; numbers stay numbers.

mod csv_report;
mod error;
mod formula;
pub mod html;
mod markdown;
pub mod sections;
mod xlsx;

pub use csv_report::{CsvTable, write_table as write_csv_table};
pub use error::ExportError;
pub use formula::neutralise_formula;

use crate::domain::report::Report;
use std::io::Write;
use std::str::FromStr;

/// A report file format. The command line parses it through `FromStr`, so this module does not
/// depend on the argument parser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// One CSV table; the `record` column says whether a row is coverage, a client or a gap.
    Csv,
    /// The whole report as JSON.
    Json,
    /// A Markdown document.
    Md,
    /// An Excel workbook: Summary, Gaps, Clients, Fixed and Coverage sheets, with typed cells.
    Xlsx,
    /// One self-contained HTML page that prints on A4 and Letter.
    Html,
}

impl ExportFormat {
    /// Every format, for menus.
    pub const ALL: [ExportFormat; 5] = [
        ExportFormat::Csv,
        ExportFormat::Json,
        ExportFormat::Md,
        ExportFormat::Xlsx,
        ExportFormat::Html,
    ];

    /// The usual file extension.
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Json => "json",
            ExportFormat::Md => "md",
            ExportFormat::Xlsx => "xlsx",
            ExportFormat::Html => "html",
        }
    }
}

impl FromStr for ExportFormat {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.to_ascii_lowercase().as_str() {
            "csv" => Ok(ExportFormat::Csv),
            "json" => Ok(ExportFormat::Json),
            "md" | "markdown" => Ok(ExportFormat::Md),
            "xlsx" | "excel" => Ok(ExportFormat::Xlsx),
            "html" | "htm" => Ok(ExportFormat::Html),
            other => Err(format!(
                "unknown report format '{other}': use csv, json, md, xlsx or html"
            )),
        }
    }
}

/// Writes a report in a format.
pub fn write_report(
    report: &Report,
    format: ExportFormat,
    out: &mut dyn Write,
) -> Result<(), ExportError> {
    match format {
        ExportFormat::Csv => csv_report::write(report, out),
        ExportFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, report)?;
            writeln!(out)?;
            Ok(())
        }
        ExportFormat::Md => markdown::write(report, out),
        ExportFormat::Xlsx => xlsx::write(report, out),
        ExportFormat::Html => html::write(report, out),
    }
}

/// Writes a report to a file atomically: a temporary file in the same folder is renamed over
/// the destination only once complete, so a failure never leaves half a report behind.
pub fn write_report_file(
    report: &Report,
    format: ExportFormat,
    path: &std::path::Path,
) -> Result<(), ExportError> {
    write_atomically(path, |out| write_report(report, format, out))
}

/// Writes a file atomically with `write`: into a temporary file in the destination's folder,
/// renamed over the destination only once complete.
pub fn write_atomically(
    path: &std::path::Path,
    write: impl FnOnce(&mut dyn Write) -> Result<(), ExportError>,
) -> Result<(), ExportError> {
    let folder = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let mut file = tempfile::NamedTempFile::new_in(folder)?;
    {
        let mut writer = std::io::BufWriter::new(file.as_file_mut());
        write(&mut writer)?;
        writer.flush()?;
    }
    // A report replacing a file keeps that file's mode (a folder shared with the team stays
    // shared); a new one keeps the temporary file's owner-only 0600.
    if let Ok(existing) = std::fs::metadata(path) {
        file.as_file().set_permissions(existing.permissions())?;
    }
    file.persist(path).map_err(|error| error.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised() {
        assert_eq!(
            neutralise_formula("=HYPERLINK(\"x\")"),
            "'=HYPERLINK(\"x\")"
        );
        assert_eq!(neutralise_formula("+1"), "'+1");
        assert_eq!(neutralise_formula("-2+3"), "'-2+3");
        assert_eq!(neutralise_formula("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralise_formula("\tcmd"), "' cmd");
        assert_eq!(neutralise_formula("Contoso Ltd"), "Contoso Ltd");
        assert_eq!(neutralise_formula("\u{1}=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(neutralise_formula("\u{202E}+1"), "'+1");
    }
}
