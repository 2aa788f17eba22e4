//! Imports: each file read and aggregated outside the database, then copied in one transaction.

use super::connection::{Store, StoreError};
use super::connection_settings::ConnectionSettings;
use super::import_slices::{Replacing, supersede};
use super::staging::Staging;
use super::values::now_text;
use crate::domain::lines::{Line, Period, Side};
use crate::import::FileScan;
use crate::import::{
    ImportError, ImportOptions, ImportSummary, LineSink, Progress, SinkError, SourceInfo,
};
use rusqlite::{OptionalExtension, params};
use std::collections::HashSet;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

/// One stored import, as listed to the user.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SourceRow {
    /// Import id.
    pub id: i64,
    /// Which side it feeds.
    pub side: Side,
    /// Source system.
    pub system: String,
    /// Format profile.
    pub format: String,
    /// The slice of the period it covers.
    pub slice: String,
    /// Billing period.
    pub period: String,
    /// File name as given.
    pub file_name: String,
    /// Data rows read.
    pub row_count: i64,
    /// Lines stored.
    pub line_count: i64,
    /// When it was imported (RFC 3339 UTC).
    pub imported_at: String,
    /// The later import of the same slice that replaced it, if any.
    pub superseded_by: Option<i64>,
}

/// A completed import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    /// The new import's id.
    pub import_id: i64,
    /// What the parser read.
    pub summary: ImportSummary,
    /// The period it was filed under.
    pub period: Period,
    /// Earlier imports of the same slice and period that this one replaced.
    pub replaced: Vec<i64>,
}

/// What importing a file did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportOutcome {
    /// The file was new and is now stored.
    Imported(ImportReport),
    /// These exact bytes were imported before and are still current; nothing changed.
    AlreadyImported(SourceRow),
    /// These exact bytes were imported before and later replaced by another export of the same
    /// slice; they are current again, and the imports that had replaced them are not.
    Reinstated {
        /// The import that is current again.
        import: SourceRow,
        /// The imports it now replaces.
        replaced: Vec<i64>,
    },
}

impl Store {
    /// Imports one file in one transaction: detects its format, streams its rows into the
    /// database and aggregates them. Identical bytes imported before are a no-op. On any error
    /// the transaction is rolled back and the database is exactly as before.
    pub fn import_file(
        &mut self,
        path: &Path,
        options: &ImportOptions,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<ImportOutcome, StoreError> {
        self.import_file_then(path, options, progress, &mut |_| Ok(()))
    }

    /// [`Store::import_file`], with `before_commit` run on the parsed summary inside the
    /// transaction: when it fails, nothing is committed. The rejected rows of
    /// `--skip-bad-rows` are written there, so that an import never stands without them.
    pub fn import_file_then(
        &mut self,
        path: &Path,
        options: &ImportOptions,
        progress: &mut dyn FnMut(Progress),
        before_commit: &mut dyn FnMut(&ImportSummary) -> Result<(), StoreError>,
    ) -> Result<ImportOutcome, StoreError> {
        // The name is shown in listings and messages; it must not carry escape sequences.
        let file_name = crate::domain::text::strip_control(&path.display().to_string());
        crate::import::check_regular_file(path)?;
        // Joined files are one import: the same additions with changed agreements are new.
        // A beside file is small next to the answer it names, so it is scanned first.
        let mut beside_digests = Vec::new();
        for beside in &options.with {
            crate::import::check_regular_file(beside)?;
            beside_digests.push(super::digest::hex(
                &crate::import::scan_file(beside)?.sha256,
            ));
        }
        let known = self.known_digests()?;
        let seen_before = AtomicBool::new(false);
        // Bytes imported before are "already imported", unless the user asked to read them again.
        let note_if_seen_before = |digest: &str| {
            if known.contains(digest) && !options.replace {
                seen_before.store(true, Ordering::Relaxed);
            }
        };
        // A file of the size of one imported before may be those bytes again, and is hashed
        // before its rows are read: a scheduled import of an unchanged export then answers in
        // the time of the hash, not of the whole read. A file of any other size cannot be.
        let byte_count = std::fs::metadata(path).map(|metadata| metadata.len()).ok();
        let hashed_first = match byte_count {
            Some(bytes) if !options.replace && self.holds_import_of_size(bytes)? => {
                let hashed = hash_pass(path, &beside_digests)?;
                note_if_seen_before(&hashed.1);
                Some(hashed)
            }
            _ => None,
        };
        let first_encoding = hashed_first.as_ref().map(|(scan, _)| scan.encoding.clone());
        let (note_if_seen_before, beside) = (&note_if_seen_before, &beside_digests);
        // Otherwise the pass that hashes the file and settles its encoding runs on a thread
        // beside the row loop, rather than before it: on two cores it costs no time. When it
        // finds bytes imported before, the row loop is stopped at its next line.
        std::thread::scope(|scope| {
            let scanning = scope.spawn(move || -> Result<(FileScan, String), ImportError> {
                if let Some(hashed) = hashed_first {
                    return Ok(hashed);
                }
                // Three threads share two cores: the record reader, this pass and the row loop,
                // which is the longest. At the lowest priority this pass takes the time the
                // reader leaves idle instead of a third of the row loop's core. Where the
                // system refuses, it runs as before.
                let _ = thread_priority::set_current_thread_priority(
                    thread_priority::ThreadPriority::Min,
                );
                let (scan, digest) = hash_pass(path, beside)?;
                note_if_seen_before(&digest);
                Ok((scan, digest))
            });
            // The whole file's encoding when it was hashed first, else what its first bytes say.
            let encoding = match &first_encoding {
                Some(encoding) => encoding.clone(),
                None => crate::import::first_bytes(path)?,
            };
            // The options are checked before identical bytes are answered, so `--format
            // nonsense` on a known file is an error rather than "already imported".
            let source = crate::import::sniff_scanned(path, &encoding, options)?;
            let staged = self.stage(|sink| {
                let mut sink = UntilSeenBefore {
                    staging: sink,
                    seen_before: &seen_before,
                };
                crate::import::parse_scanned(path, &encoding, options, &mut sink, progress)
            });
            let (scan, digest) = scanning.join().map_err(|_| StoreError::Io {
                file: file_name.clone(),
                source: std::io::Error::other("the pass hashing the file stopped unexpectedly"),
            })??;
            let earlier = match self.import_by_digest(&digest)? {
                Some(existing) if !options.replace => return self.reuse(existing),
                Some(existing) => Some(existing.id),
                None => None,
            };
            let (source, staged) = if encoding.reads_like(&scan.encoding) {
                (source, staged?)
            } else {
                // A UTF-8 file with stray bytes: read again, each stray byte as U+FFFD.
                let source = crate::import::sniff_scanned(path, &scan.encoding, options)?;
                let staged = self.stage(|sink| {
                    crate::import::parse_scanned(path, &scan.encoding, options, sink, progress)
                })?;
                (source, staged)
            };
            let identity = Identity {
                file_name: &file_name,
                digest: &digest,
                byte_count,
            };
            self.commit_staged(
                &source,
                &identity,
                Replacing {
                    same_bytes: earlier,
                    overlaps: options.replace,
                },
                staged,
                before_commit,
            )
        })
    }

    /// Imports lines that did not come from a file (an API pull), under a label. The digest
    /// is taken over the serialised lines, so an identical pull is a no-op too.
    pub fn import_lines(
        &mut self,
        source: &SourceInfo,
        label: &str,
        lines: Vec<Line>,
    ) -> Result<ImportOutcome, StoreError> {
        let serialised = serde_json::to_string(&lines).map_err(|source| StoreError::Serialise {
            what: "the pulled lines",
            source,
        })?;
        let digest = super::digest::hex_sha256(&format!("{}\n{serialised}", source.system));
        if let Some(existing) = self.import_by_digest(&digest)? {
            return self.reuse(existing);
        }
        let rows = lines.len() as u64;
        let replacing = Replacing {
            same_bytes: None,
            overlaps: false,
        };
        let staged = self.stage(|sink| {
            if lines.is_empty() {
                return Err(ImportError::Empty {
                    file: label.to_string(),
                });
            }
            for line in lines {
                sink.accept(line).map_err(|source| ImportError::Sink {
                    file: label.to_string(),
                    source,
                })?;
            }
            Ok(ImportSummary {
                source: source.clone(),
                rows_read: rows,
                lines: rows,
                excluded: 0,
                rejected: Vec::new(),
                warnings: Vec::new(),
            })
        })?;
        let identity = Identity {
            file_name: label,
            digest: &digest,
            byte_count: None,
        };
        self.commit_staged(source, &identity, replacing, staged, &mut |_| Ok(()))
    }

    /// Reads and aggregates an import outside the database, into a staging area.
    ///
    /// The whole file is read and aggregated before the write lock is taken, so a decision
    /// taken in another process meanwhile is not kept waiting (F15).
    fn stage(
        &self,
        parse: impl FnOnce(&mut dyn LineSink) -> Result<ImportSummary, ImportError>,
    ) -> Result<(Staging, ImportSummary), StoreError> {
        let mut staging = Staging::new(self.positions_in_memory)?;
        let summary = parse(&mut staging).map_err(store_error)?;
        Ok((staging, summary))
    }

    /// Copies a staged import into the database in one transaction.
    fn commit_staged(
        &mut self,
        source: &SourceInfo,
        identity: &Identity<'_>,
        replacing: Replacing,
        (staging, summary): (Staging, ImportSummary),
        before_commit: &mut dyn FnMut(&ImportSummary) -> Result<(), StoreError>,
    ) -> Result<ImportOutcome, StoreError> {
        let result = ConnectionSettings::COPYING
            .apply(&self.connection)
            .and_then(|()| {
                self.import_locked(
                    source,
                    identity,
                    replacing,
                    (staging, summary),
                    before_commit,
                )
            });
        // Restored whatever happened, so that the connection serves every later use as opened.
        let restored = ConnectionSettings::OPENED.apply(&self.connection);
        let outcome = result?;
        restored?;
        Ok(outcome)
    }

    fn import_locked(
        &mut self,
        source: &SourceInfo,
        identity: &Identity<'_>,
        replacing: Replacing,
        (staging, summary): (Staging, ImportSummary),
        before_commit: &mut dyn FnMut(&ImportSummary) -> Result<(), StoreError>,
    ) -> Result<ImportOutcome, StoreError> {
        // Immediate: the write lock is taken (or waited for) now, not at the first write.
        let transaction = self
            .connection
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        if let Some(earlier) = replacing.same_bytes {
            // The digest is unique; the earlier reading of these bytes keeps its digest with
            // its id appended, and is superseded below like any import of the same slice.
            transaction.execute(
                "UPDATE imports SET sha256 = sha256 || '#' || id WHERE id = ?1",
                [earlier],
            )?;
        }
        let inserted = transaction.execute(
            "INSERT INTO imports (side, system, format, slice, period, file_name, sha256,
                                  row_count, line_count, imported_at, byte_count)
             VALUES (?1, ?2, ?3, ?4, '', ?5, ?6, 0, 0, ?7, ?8)",
            params![
                source.side.as_str(),
                source.system,
                source.format,
                source.slice,
                identity.file_name,
                identity.digest,
                now_text(),
                identity
                    .byte_count
                    .map(|bytes| i64::try_from(bytes).unwrap_or(i64::MAX)),
            ],
        );
        let duplicate = matches!(
            &inserted,
            Err(rusqlite::Error::SqliteFailure(failure, _))
                if failure.code == rusqlite::ErrorCode::ConstraintViolation
        );
        if duplicate {
            // Another process imported the same bytes between our digest check and this
            // insert (it held the write lock meanwhile): that is "already imported".
            drop(transaction);
            if let Some(existing) = self.import_by_digest(identity.digest)? {
                return self.reuse(existing);
            }
            return Err(StoreError::NotFound(
                "an import with the same digest appeared and vanished; try again".to_string(),
            ));
        }
        inserted?;
        let import_id = transaction.last_insert_rowid();
        staging.write(
            &transaction,
            import_id,
            source.side.as_str(),
            &source.system,
        )?;
        // A dateless export (ConnectWise additions) is filed under the local month it was
        // imported in, the calendar every other date in billgap uses.
        let period = summary
            .source
            .period
            .unwrap_or_else(|| Period::containing(chrono::Local::now().date_naive()));
        let mut replaced = supersede(
            &transaction,
            import_id,
            identity.file_name,
            &summary.source,
            period,
            replacing.overlaps,
        )?;
        if let Some(earlier) = replacing.same_bytes {
            // Filed under another period or slice, the earlier reading is still replaced.
            let changed = transaction.execute(
                "UPDATE imports SET superseded_by = ?1 WHERE id = ?2 AND superseded_by IS NULL",
                [import_id, earlier],
            )?;
            if changed > 0 && !replaced.contains(&earlier) {
                replaced.push(earlier);
            }
        }
        transaction.execute(
            "UPDATE imports SET period = ?1, row_count = ?2, line_count = ?3, slice = ?4,
                                format = ?5
             WHERE id = ?6",
            params![
                period.to_string(),
                summary.rows_read as i64,
                summary.lines as i64,
                summary.source.slice,
                summary.source.format,
                import_id
            ],
        )?;
        before_commit(&summary)?;
        transaction.commit()?;
        Ok(ImportOutcome::Imported(ImportReport {
            import_id,
            summary,
            period,
            replaced,
        }))
    }

    /// The answer to importing bytes that are stored already: a no-op while that import is
    /// current, otherwise it becomes current again, so that going back to an earlier export is
    /// never silently refused.
    fn reuse(&mut self, existing: SourceRow) -> Result<ImportOutcome, StoreError> {
        if existing.superseded_by.is_none() {
            return Ok(ImportOutcome::AlreadyImported(existing));
        }
        let transaction = self.connection.transaction()?;
        transaction.execute(
            "UPDATE imports SET superseded_by = NULL WHERE id = ?1",
            [existing.id],
        )?;
        let period: Period = existing.period.parse().map_err(|_| StoreError::Corrupt {
            column: "imports.period",
            value: existing.period.clone(),
        })?;
        let source = SourceInfo {
            format: existing.format.clone(),
            system: existing.system.clone(),
            side: existing.side,
            slice: existing.slice.clone(),
            period: Some(period),
        };
        let replaced = supersede(
            &transaction,
            existing.id,
            &existing.file_name,
            &source,
            period,
            false,
        )?;
        transaction.commit()?;
        Ok(ImportOutcome::Reinstated {
            import: SourceRow {
                superseded_by: None,
                ..existing
            },
            replaced,
        })
    }

    /// Every import, newest first.
    pub fn sources(&self) -> Result<Vec<SourceRow>, StoreError> {
        let mut statement = self.connection.prepare(&format!(
            "SELECT {SOURCE_COLUMNS} FROM imports ORDER BY id DESC"
        ))?;
        let rows = statement.query_map([], source_row)?;
        rows.map(|row| row?).collect()
    }

    /// Whether an import was of a file of exactly `bytes` bytes (imports made before schema 17
    /// have no size, and are found by the hash beside the row loop).
    fn holds_import_of_size(&self, bytes: u64) -> Result<bool, StoreError> {
        let bytes = i64::try_from(bytes).unwrap_or(i64::MAX);
        Ok(self.connection.query_row(
            "SELECT EXISTS (SELECT 1 FROM imports WHERE byte_count = ?1)",
            [bytes],
            |row| row.get(0),
        )?)
    }

    /// The digest of every stored import, to tell bytes imported before while they are read.
    fn known_digests(&self) -> Result<HashSet<String>, StoreError> {
        let mut statement = self.connection.prepare("SELECT sha256 FROM imports")?;
        let digests = statement
            .query_map([], |row| row.get::<_, String>(0))?
            .collect::<Result<HashSet<_>, _>>()?;
        Ok(digests)
    }

    fn import_by_digest(&self, digest: &str) -> Result<Option<SourceRow>, StoreError> {
        self.connection
            .query_row(
                &format!("SELECT {SOURCE_COLUMNS} FROM imports WHERE sha256 = ?1"),
                [digest],
                source_row,
            )
            .optional()?
            .transpose()
    }
}

const SOURCE_COLUMNS: &str = "id, side, system, format, slice, period, file_name, row_count,
                              line_count, imported_at, superseded_by";

fn source_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Result<SourceRow, StoreError>> {
    let side: String = row.get(1)?;
    let Ok(side) = side.parse::<Side>() else {
        return Ok(Err(StoreError::Corrupt {
            column: "imports.side",
            value: side,
        }));
    };
    Ok(Ok(SourceRow {
        id: row.get(0)?,
        side,
        system: row.get(2)?,
        format: row.get(3)?,
        slice: row.get(4)?,
        period: row.get(5)?,
        file_name: row.get(6)?,
        row_count: row.get(7)?,
        line_count: row.get(8)?,
        imported_at: row.get(9)?,
        superseded_by: row.get(10)?,
    }))
}

/// The pass over a file's bytes: its encoding scan, and its digest, joined with the digests of
/// the files imported beside it.
fn hash_pass(path: &Path, beside_digests: &[String]) -> Result<(FileScan, String), ImportError> {
    let scan = crate::import::scan_file(path)?;
    let mut digest = super::digest::hex(&scan.sha256);
    for beside in beside_digests {
        digest = super::digest::hex_sha256(&format!("{digest}\n{beside}"));
    }
    Ok((scan, digest))
}

/// What names an import: the file name shown, the digest that makes a re-import a no-op, and
/// the file's size in bytes (none for an API pull).
struct Identity<'a> {
    file_name: &'a str,
    digest: &'a str,
    byte_count: Option<u64>,
}

/// The staging sink of a file import, which stops taking lines once the pass hashing the file
/// found its bytes imported before: the import then only answers "already imported".
struct UntilSeenBefore<'a> {
    staging: &'a mut dyn LineSink,
    seen_before: &'a AtomicBool,
}

impl LineSink for UntilSeenBefore<'_> {
    fn accept(&mut self, line: Line) -> Result<(), SinkError> {
        if self.seen_before.load(Ordering::Relaxed) {
            return Err(SinkError::new("these bytes were imported before"));
        }
        self.staging.accept(line)
    }

    fn restart(&mut self) -> Result<(), SinkError> {
        self.staging.restart()
    }
}

/// An import failure as the store reports it: the store's own error when its sink refused a
/// line (a database write failed), else the parse error with its location.
fn store_error(error: ImportError) -> StoreError {
    match error {
        ImportError::Sink { file, source } => match source.into_inner().downcast::<StoreError>() {
            Ok(store) => *store,
            Err(other) => StoreError::Import(ImportError::Sink {
                file,
                source: SinkError::new(other),
            }),
        },
        other => StoreError::Import(other),
    }
}

#[cfg(test)]
mod tests;
