//! Importing a file: detection, the transaction, the rejected rows, and the one sentence every
//! face shows about what was stored.

use super::workspace::{WorkflowError, Workspace};
use crate::import::{ImportOptions, Progress, RejectedRow, SourceInfo};
use crate::store::{ImportOutcome, Store};
use std::path::{Path, PathBuf};

/// What importing one file did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReceipt {
    /// The file imported.
    pub file: PathBuf,
    /// What the store did with it.
    pub outcome: ImportOutcome,
    /// Where the rejected rows went, when `skip_bad_rows` skipped some.
    pub rejects_file: Option<PathBuf>,
}

impl ImportReceipt {
    /// What was stored, or why nothing changed, in one sentence.
    pub fn sentence(&self) -> String {
        let file = self.file.display();
        let mut text = match &self.outcome {
            ImportOutcome::AlreadyImported(existing) => format!(
                "{file} was already imported as #{} on {}: nothing changed, and options given now \
                 were not applied; pass --replace to read it again with them.",
                existing.id,
                day(&existing.imported_at)
            ),
            ImportOutcome::Reinstated { import, replaced } => format!(
                "{file} was imported as #{} on {} and later replaced; it is current again{}.",
                import.id,
                day(&import.imported_at),
                replaces(replaced)
            ),
            ImportOutcome::Imported(report) => {
                let summary = &report.summary;
                format!(
                    "Imported {} lines from {} rows of {file} as {} ({} side, slice {}, period {}){}.",
                    summary.lines,
                    summary.rows_read,
                    summary.source.format,
                    summary.source.side,
                    if summary.source.slice.is_empty() {
                        "whole"
                    } else {
                        summary.source.slice.as_str()
                    },
                    report.period,
                    replaces(&report.replaced)
                )
            }
        };
        if let ImportOutcome::Imported(report) = &self.outcome {
            for warning in &report.summary.warnings {
                text.push_str(&format!(" Warning: {warning}."));
            }
        }
        if let (ImportOutcome::Imported(report), Some(rejects)) =
            (&self.outcome, &self.rejects_file)
        {
            text.push_str(&format!(
                " It skipped {} bad row(s); see {}.",
                report.summary.rejected.len(),
                rejects.display()
            ));
        }
        crate::domain::text::strip_control(&text)
    }
}

/// The date part of a stored timestamp.
fn day(timestamp: &str) -> String {
    timestamp.chars().take(10).collect()
}

fn replaces(replaced: &[i64]) -> String {
    if replaced.is_empty() {
        String::new()
    } else {
        let ids: Vec<String> = replaced.iter().map(|id| format!("#{id}")).collect();
        format!("; it replaces {} of the same slice", ids.join(", "))
    }
}

/// Detects what a file is without writing anything.
pub fn sniff(path: &Path, options: &ImportOptions) -> Result<SourceInfo, WorkflowError> {
    crate::import::sniff(path, options)
        .map_err(|error| WorkflowError::Store(crate::store::StoreError::Import(error)))
}

/// Imports one file on a connection of its own, for a worker thread: the file is one
/// transaction, and on any error the database is exactly as before.
pub fn import_file(
    database: &Path,
    path: &Path,
    options: &ImportOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportReceipt, WorkflowError> {
    let mut store = Store::open(database)?;
    import_into(&mut store, path, options, progress)
}

fn import_into(
    store: &mut Store,
    path: &Path,
    options: &ImportOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportReceipt, WorkflowError> {
    let outcome = store.import_file(path, options, progress)?;
    let rejects_file = match &outcome {
        ImportOutcome::Imported(report) if !report.summary.rejected.is_empty() => {
            Some(write_rejects(path, &report.summary.rejected)?)
        }
        _ => None,
    };
    Ok(ImportReceipt {
        file: path.to_path_buf(),
        outcome,
        rejects_file,
    })
}

impl Workspace {
    /// Imports one file into this workspace's database and reloads what it shows.
    pub fn import(
        &mut self,
        path: &Path,
        options: &ImportOptions,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<ImportReceipt, WorkflowError> {
        let receipt = import_into(&mut self.store, path, options, progress)?;
        self.invalidate();
        Ok(receipt)
    }
}

/// Writes the rejected rows next to the file as `FILE.rejected.csv`: location and reason, then
/// the row's own cells, each neutralised for spreadsheets.
fn write_rejects(file: &Path, rejected: &[RejectedRow]) -> Result<PathBuf, WorkflowError> {
    let mut path = file.as_os_str().to_owned();
    path.push(".rejected.csv");
    let path = PathBuf::from(path);
    let failed = |source: csv::Error| WorkflowError::Rejects {
        path: path.clone(),
        source,
    };
    // Rows have different lengths when a row is malformed, so the file is written flexibly.
    let mut writer = csv::WriterBuilder::new()
        .flexible(true)
        .from_path(&path)
        .map_err(failed)?;
    writer
        .write_record(["location", "reason", "cells of the rejected row…"])
        .map_err(failed)?;
    for row in rejected {
        let mut record = vec![
            crate::export::neutralise_formula(&row.location.to_string()),
            crate::export::neutralise_formula(&row.reason),
        ];
        record.extend(
            row.raw
                .iter()
                .map(|cell| crate::export::neutralise_formula(cell)),
        );
        writer.write_record(&record).map_err(failed)?;
    }
    writer
        .flush()
        .map_err(|error| failed(csv::Error::from(error)))?;
    Ok(path)
}
