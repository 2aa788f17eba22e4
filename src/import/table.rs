//! A file opened as a table: decoded, its dialect sniffed, its header read, its rows streamed.

use super::decode::DecodingReader;
use super::dialect::sniff_delimiter;
use super::json::flatten_document;
use crate::import::contract::{ImportError, Location};
use csv::StringRecord;
use std::cell::Cell;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::rc::Rc;

type TextReader = BufReader<DecodingReader<File>>;

enum Rows {
    Csv(Box<csv::Reader<TextReader>>),
    Json(std::vec::IntoIter<Vec<String>>, u64),
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
    bytes_read: Rc<Cell<u64>>,
    rows: Rows,
}

/// The name a file is shown by: its name without the directory, as the user recognises it.
pub fn display_name(path: &Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

impl Table {
    /// Opens a file and reads its header.
    ///
    /// Fails with `Empty` when the file holds nothing but whitespace, `Io` when it cannot be
    /// read, and `Row` when a JSON document is malformed or holds no list of records.
    pub fn open(path: &Path) -> Result<Table, ImportError> {
        let file_name = display_name(path);
        let io_error = |source| ImportError::Io {
            file: file_name.clone(),
            source,
        };
        let file = File::open(path).map_err(io_error)?;
        let total_bytes = file.metadata().map_err(io_error)?.len();
        let bytes_read = Rc::new(Cell::new(0));
        let mut reader =
            BufReader::with_capacity(64 * 1024, DecodingReader::new(file, Rc::clone(&bytes_read)));
        let peeked = reader.fill_buf().map_err(io_error)?;
        let start = String::from_utf8_lossy(peeked);
        let trimmed = start.trim_start();
        if trimmed.is_empty() {
            return Err(ImportError::Empty { file: file_name });
        }
        if trimmed.starts_with('{') || trimmed.starts_with('[') {
            return Self::open_json(file_name, reader, total_bytes, bytes_read);
        }
        let first_line = start.lines().next().unwrap_or_default();
        let delimiter = sniff_delimiter(first_line);
        let mut csv_reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .has_headers(true)
            .buffer_capacity(64 * 1024)
            .from_reader(reader);
        let headers = csv_reader
            .headers()
            .map_err(|error| csv_error(&file_name, error))?
            .iter()
            .map(str::to_string)
            .collect();
        Ok(Table {
            file: file_name,
            headers,
            is_json: false,
            delimiter,
            total_bytes,
            bytes_read,
            rows: Rows::Csv(Box::new(csv_reader)),
        })
    }

    fn open_json(
        file: String,
        reader: TextReader,
        total_bytes: u64,
        bytes_read: Rc<Cell<u64>>,
    ) -> Result<Table, ImportError> {
        let document: serde_json::Value =
            serde_json::from_reader(reader).map_err(|error| ImportError::Row {
                location: Location {
                    file: file.clone(),
                    line: error.line() as u64,
                    column: Some(error.column() as u64),
                    column_name: None,
                },
                expected: "valid JSON".to_string(),
                found: error.to_string(),
            })?;
        let table = flatten_document(document).ok_or_else(|| ImportError::Row {
            location: Location {
                file: file.clone(),
                line: 1,
                column: None,
                column_name: None,
            },
            expected: "a JSON list of records (an array, or an object with items or content)"
                .to_string(),
            found: "no list of objects".to_string(),
        })?;
        Ok(Table {
            file,
            headers: table.headers,
            is_json: true,
            delimiter: b',',
            total_bytes,
            bytes_read,
            rows: Rows::Json(table.rows.into_iter(), 0),
        })
    }

    /// Raw bytes consumed so far.
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read.get()
    }

    /// Reads the next row into `record`; returns its 1-based physical line (CSV) or record
    /// number (JSON), or `None` at the end. Fails on malformed CSV quoting or a read error.
    pub fn next_row(&mut self, record: &mut StringRecord) -> Result<Option<u64>, ImportError> {
        match &mut self.rows {
            Rows::Csv(reader) => {
                let more = reader
                    .read_record(record)
                    .map_err(|error| csv_error(&self.file, error))?;
                Ok(more.then(|| record.position().map_or(0, |p| p.line())))
            }
            Rows::Json(rows, counter) => Ok(rows.next().map(|cells| {
                record.clear();
                for cell in cells {
                    record.push_field(&cell);
                }
                *counter = counter.saturating_add(1);
                *counter
            })),
        }
    }
}

/// A csv crate error as an import error: I/O failures keep their cause, anything else is a
/// malformed row at its line, described in the crate's own words (its `Display`, not `Debug`).
fn csv_error(file: &str, error: csv::Error) -> ImportError {
    let line = error.position().map_or(1, |position| position.line());
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
        let ImportError::Row { found, .. } = csv_error("bad.csv", error) else {
            panic!("a malformed row");
        };
        assert!(found.contains("invalid utf-8"), "{found}");
        assert!(!found.contains("Utf8 {"), "{found}");
    }
}
