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
    // The rejected rows are written to a temporary file before the import commits, so that a
    // rejects file that cannot be written fails the import instead of losing the rows.
    let mut pending: Option<(tempfile::NamedTempFile, PathBuf)> = None;
    let outcome = store.import_file_then(path, options, progress, &mut |summary| {
        if !summary.rejected.is_empty() {
            pending = Some(write_rejects(path, &summary.rejected)?);
        }
        Ok(())
    })?;
    let rejects_file = pending.map(|(temporary, target)| place_rejects(temporary, target));
    Ok(ImportReceipt {
        file: path.to_path_buf(),
        outcome,
        rejects_file,
    })
}

/// Moves the written rejects to `FILE.rejected.csv`. The import is committed by now, so if the
/// rename fails the temporary file is kept and its path is reported instead.
fn place_rejects(temporary: tempfile::NamedTempFile, target: PathBuf) -> PathBuf {
    match temporary.persist(&target) {
        Ok(_) => target,
        Err(error) => match error.file.into_temp_path().keep() {
            Ok(kept) => kept,
            Err(_) => target,
        },
    }
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

/// Writes the rejected rows to a new temporary file beside `FILE`, for `FILE.rejected.csv`:
/// location and reason, then the row's own cells, each neutralised for spreadsheets.
///
/// Fails, before anything is committed, when the folder cannot take a new file or
/// `FILE.rejected.csv` exists and is not a regular file (a directory, or a symlink that a
/// plain create would follow and overwrite the target of).
fn write_rejects(
    file: &Path,
    rejected: &[RejectedRow],
) -> Result<(tempfile::NamedTempFile, PathBuf), crate::store::StoreError> {
    let mut target = file.as_os_str().to_owned();
    target.push(".rejected.csv");
    let target = PathBuf::from(target);
    let failed = |source: std::io::Error| crate::store::StoreError::Io {
        file: crate::domain::text::strip_control(&target.display().to_string()),
        source,
    };
    if let Ok(metadata) = std::fs::symlink_metadata(&target) {
        if !metadata.file_type().is_file() {
            return Err(failed(std::io::Error::other(
                "it exists and is not a regular file; move it away to keep the rejected rows",
            )));
        }
    }
    let folder = match target.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let temporary = tempfile::Builder::new()
        .prefix(".billgap-rejects")
        .tempfile_in(&folder)
        .map_err(failed)?;
    let as_io = |error: csv::Error| std::io::Error::other(error.to_string());
    {
        // Rows have different lengths when a row is malformed, so the file is written flexibly.
        let mut writer = csv::WriterBuilder::new()
            .flexible(true)
            .from_writer(temporary.as_file());
        writer
            .write_record(["location", "reason", "cells of the rejected row…"])
            .map_err(|e| failed(as_io(e)))?;
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
            writer.write_record(&record).map_err(|e| failed(as_io(e)))?;
        }
        writer.flush().map_err(failed)?;
    }
    Ok((temporary, target))
}
