//! How writing a report fails.

/// Writing a report failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The destination could not be written.
    #[error("cannot write the report: {0}")]
    Io(#[from] std::io::Error),
    /// CSV encoding failed.
    #[error("cannot write the CSV report: {0}")]
    Csv(#[from] csv::Error),
    /// JSON encoding failed.
    #[error("cannot write the JSON report: {0}")]
    Json(#[from] serde_json::Error),
    /// The Excel workbook could not be built, for example with more rows than a sheet holds.
    #[error("cannot write the Excel report: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
}
