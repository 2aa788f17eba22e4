//! A file opened as a table: decoded, its dialect sniffed, its header read, its rows streamed.

use super::beside::Beside;
use super::decode::{DecodingReader, Plan, Utf8Scan};
use super::dialect::sniff_delimiter;
use super::json::{JsonRow, JsonTable, Position, read_document};
use super::record_stream::RecordStream;
use crate::import::contract::{ImportError, Location};
use csv::StringRecord;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

type TextReader = BufReader<DecodingReader<File>>;

enum Rows {
    Csv(RecordStream),
    Json(std::vec::IntoIter<JsonRow>),
}

/// One file ready to be read row by row.
pub struct Table {
    /// The file name used in every message.
    pub file: String,
    /// The header cells as written.
    pub headers: Vec<String>,
    /// True for API JSON: rows are numbered by record, and columns have no numbers.
    pub is_json: bool,
    /// The cell separator of a CSV (`,` for JSON).
    pub delimiter: u8,
    /// Size of the file in bytes.
    pub total_bytes: u64,
    /// For JSON, where each cell of the current row is (line, column).
    pub cell_positions: Vec<Option<Position>>,
    /// For a joined JSON table, which file each cell of the current row was written in (an
    /// index into `files`); empty when every cell is the file's own.
    pub cell_origins: Vec<usize>,
    /// The file, then each beside file joined with it.
    pub files: Vec<String>,
    /// Invalid UTF-8 bytes replaced by U+FFFD, and the line of the first, when the file is
    /// UTF-8 but for them.
    pub replaced_bytes: Option<(u64, u64)>,
    /// Lines above the header that the CSV reader never saw (a PowerShell `#TYPE` line).
    line_offset: u64,
    bytes_read: Arc<AtomicU64>,
    rows: Rows,
}

/// Refuses anything that is not a regular file before it is opened: opening a FIFO with no
/// writer blocks for ever, and a device such as `/dev/zero` never ends.
pub fn regular_file(path: &Path) -> Result<(), ImportError> {
    let file = crate::domain::text::strip_control(&path.display().to_string());
    let metadata = std::fs::metadata(path).map_err(|source| ImportError::Io {
        file: file.clone(),
        source,
    })?;
    if metadata.is_file() {
        return Ok(());
    }
    let what = if metadata.is_dir() {
        "a directory"
    } else {
        "not a regular file (a pipe, socket or device)"
    };
    Err(ImportError::Io {
        file,
        source: std::io::Error::other(format!("{what}; billgap imports regular files only")),
    })
}

/// The name a file is shown by: its name without the directory, as the user recognises it.
/// Control characters are dropped: a file named `evil\e]0;pwned\a.csv` would otherwise retitle
/// the terminal of every message that names it.
pub fn display_name(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    crate::domain::text::strip_control(&name)
}

/// A file decoded for reading: its display name, a reader of its text, its size, the byte
/// counter behind the reader, and the invalid bytes replaced in an otherwise UTF-8 file.
struct Decoded {
    file: String,
    reader: TextReader,
    total_bytes: u64,
    bytes_read: Arc<AtomicU64>,
    replaced_bytes: Option<(u64, u64)>,
}

impl Decoded {
    /// `scan` is the pass over the same bytes ([`super::file_scan::scan_file`]): the encoding
    /// is decided from the whole file before a byte of it is decoded.
    fn open(path: &Path, scan: &Utf8Scan) -> Result<Decoded, ImportError> {
        let file_name = display_name(path);
        let io_error = |source| ImportError::Io {
            file: file_name.clone(),
            source,
        };
        regular_file(path)?;
        let file = File::open(path).map_err(io_error)?;
        let total_bytes = file.metadata().map_err(io_error)?.len();
        let bytes_read = Arc::new(AtomicU64::new(0));
        let plan = if scan.utf16 { Plan::Utf8 } else { scan.plan() };
        let replaced_bytes =
            (plan == Plan::Utf8Lossy).then_some((scan.invalid, scan.first_invalid_line));
        let reader = BufReader::with_capacity(
            64 * 1024,
            DecodingReader::with_plan(file, Arc::clone(&bytes_read), plan),
        );
        Ok(Decoded {
            file: file_name,
            reader,
            total_bytes,
            bytes_read,
            replaced_bytes,
        })
    }
}

/// Reads a file given with `--with` as the records of an API response.
fn read_beside(path: &Path) -> Result<Beside, ImportError> {
    let io_error = |source| ImportError::Io {
        file: display_name(path),
        source,
    };
    regular_file(path)?;
    // A beside file is small next to the answer it names: it gets its own encoding pass.
    let scan = Utf8Scan::of(File::open(path).map_err(io_error)?).map_err(io_error)?;
    let mut decoded = Decoded::open(path, &scan)?;
    let table = read_json_records(&decoded.file, &mut decoded.reader)?;
    Ok(Beside {
        file: decoded.file,
        table,
    })
}

impl Table {
    /// Opens a file and reads its header.
    ///
    /// Fails with `Empty` when the file holds nothing but whitespace, `Io` when it cannot be
    /// read, and `Row` when a JSON document is malformed or holds no list of records.
    ///
    /// `scan` is the pass over the same bytes ([`super::file_scan::scan_file`]).
    pub fn open(path: &Path, scan: &Utf8Scan) -> Result<Table, ImportError> {
        Self::open_with(path, scan, &[])
    }

    /// [`Table::open`], joining a raw API response with the files beside it (see
    /// [`super::beside`]); only a JSON document can be joined.
    pub fn open_with(
        path: &Path,
        scan: &Utf8Scan,
        beside: &[std::path::PathBuf],
    ) -> Result<Table, ImportError> {
        let Decoded {
            file: file_name,
            mut reader,
            total_bytes,
            bytes_read,
            replaced_bytes,
        } = Decoded::open(path, scan)?;
        let io_error = |source| ImportError::Io {
            file: file_name.clone(),
            source,
        };
        let peeked = reader.fill_buf().map_err(io_error)?;
        let start = String::from_utf8_lossy(peeked);
        let trimmed = start.trim_start();
        if trimmed.is_empty() {
            return Err(ImportError::Empty { file: file_name });
        }
        if trimmed.starts_with('{') || trimmed.starts_with('[') {
            let besides = beside
                .iter()
                .map(|path| read_beside(path))
                .collect::<Result<Vec<_>, _>>()?;
            let mut table = Self::open_json(file_name, reader, total_bytes, bytes_read, besides)?;
            table.replaced_bytes = replaced_bytes;
            return Ok(table);
        }
        if !beside.is_empty() {
            return Err(ImportError::Profile {
                file: file_name,
                reason: "--with joins an API response saved as JSON with the files beside it; \
                         this file is not JSON: drop --with"
                    .to_string(),
            });
        }
        // PowerShell 5.1's Export-Csv writes `#TYPE System.Management.Automation.PSCustomObject`
        // (or the object's type) above the header; it is no part of the table.
        let type_line = trimmed.starts_with("#TYPE");
        let first_line = start
            .lines()
            .nth(usize::from(type_line))
            .unwrap_or_default()
            .to_string();
        if type_line {
            let mut skipped = String::new();
            reader.read_line(&mut skipped).map_err(io_error)?;
        }
        let delimiter = sniff_delimiter(&first_line);
        let mut csv_reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .has_headers(true)
            .buffer_capacity(64 * 1024)
            .from_reader(reader);
        let line_offset = u64::from(type_line);
        let headers = csv_reader
            .headers()
            .map_err(|error| csv_error(&file_name, line_offset, error))?
            .iter()
            .map(str::to_string)
            .collect();
        Ok(Table {
            file: file_name,
            headers,
            is_json: false,
            delimiter,
            total_bytes,
            cell_positions: Vec::new(),
            cell_origins: Vec::new(),
            files: Vec::new(),
            replaced_bytes,
            line_offset,
            bytes_read,
            rows: Rows::Csv(RecordStream::start(csv_reader)),
        })
    }

    fn open_json(
        file: String,
        mut reader: TextReader,
        total_bytes: u64,
        bytes_read: Arc<AtomicU64>,
        beside: Vec<Beside>,
    ) -> Result<Table, ImportError> {
        let table = read_json_records(&file, &mut reader)?;
        let (table, files) = super::beside::join(&file, table, beside)?;
        Ok(Table {
            file,
            headers: table.headers,
            is_json: true,
            delimiter: b',',
            total_bytes,
            cell_positions: Vec::new(),
            cell_origins: Vec::new(),
            files,
            replaced_bytes: None,
            line_offset: 0,
            bytes_read,
            rows: Rows::Json(table.rows.into_iter()),
        })
    }

    /// The file a cell of the current row was written in: the file itself, or for a joined
    /// JSON table the beside file it was copied from.
    pub fn file_of_cell(&self, column: usize) -> &str {
        self.cell_origins
            .get(column)
            .and_then(|origin| self.files.get(*origin))
            .unwrap_or(&self.file)
    }

    /// Raw bytes consumed so far.
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read.load(Ordering::Relaxed)
    }

    /// Reads the next row into `record`; returns its 1-based physical line (CSV) or record
    /// number (JSON), or `None` at the end. Fails on malformed CSV quoting or a read error.
    pub fn next_row(&mut self, record: &mut StringRecord) -> Result<Option<u64>, ImportError> {
        match &mut self.rows {
            Rows::Csv(reader) => {
                let more = reader
                    .read_record(record)
                    .map_err(|error| csv_error(&self.file, self.line_offset, error))?;
                let offset = self.line_offset;
                Ok(more.then(|| {
                    record
                        .position()
                        .map_or(0, |p| p.line())
                        .saturating_add(offset)
                }))
            }
            Rows::Json(rows) => Ok(rows.next().map(|row| {
                record.clear();
                for cell in &row.cells {
                    record.push_field(cell);
                }
                self.cell_positions = row.positions;
                self.cell_origins = row.origins;
                row.line
            })),
        }
    }
}

/// The records of a JSON document, or the located reason it has none.
fn read_json_records(file: &str, reader: &mut TextReader) -> Result<JsonTable, ImportError> {
    let mut text = String::new();
    std::io::Read::read_to_string(reader, &mut text).map_err(|source| ImportError::Io {
        file: file.to_string(),
        source,
    })?;
    let problem_error = |problem: super::json::JsonProblem| ImportError::Row {
        location: Location {
            file: file.to_string(),
            line: problem.position.0,
            column: Some(problem.position.1),
            column_name: None,
        },
        expected: problem.expected,
        found: problem.found,
    };
    read_document(&text)
        .map_err(problem_error)?
        .ok_or_else(|| ImportError::Row {
            location: Location {
                file: file.to_string(),
                line: 1,
                column: None,
                column_name: None,
            },
            expected: "a JSON list of records (an array, or an object with items or content)"
                .to_string(),
            found: "no list of objects".to_string(),
        })
}

/// A csv crate error as an import error: I/O failures keep their cause, anything else is a
/// malformed row at its line, described in the crate's own words (its `Display`, not `Debug`).
fn csv_error(file: &str, line_offset: u64, error: csv::Error) -> ImportError {
    let line = error
        .position()
        .map_or(1, |position| position.line())
        .saturating_add(line_offset);
    let found = error.to_string();
    match error.into_kind() {
        csv::ErrorKind::Io(source) => ImportError::Io {
            file: file.to_string(),
            source,
        },
        _ => ImportError::Row {
            location: Location {
                file: file.to_string(),
                line,
                column: None,
                column_name: None,
            },
            expected: "a well-formed CSV row".to_string(),
            found,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_malformed_row_is_described_in_words() {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(&b"name,seats\nCaf\xE9,3\n"[..]);
        let error = reader
            .records()
            .find_map(Result::err)
            .expect("invalid UTF-8 is an error");
        let ImportError::Row { found, .. } = csv_error("bad.csv", 0, error) else {
            panic!("a malformed row");
        };
        assert!(found.contains("invalid utf-8"), "{found}");
        assert!(!found.contains("Utf8 {"), "{found}");
    }
}
