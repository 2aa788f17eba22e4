//! Records that wait in an anonymous temporary file while an import is staged, and are read
//! back in the order written.
//!
//! An import keeps memory flat by writing what it cannot yet store (line chunks, parties and
//! products it names first, sorted runs of positions, encoded party blobs) to such files. Each
//! record is its length, eight bytes little-endian, then its bytes. The system removes the
//! file when it closes, whether the import succeeds or fails.

use super::connection::StoreError;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, Write};

/// The write buffer of a spool.
const WRITE_BUFFER: usize = 1 << 16;

/// A temporary file of records being written.
pub(super) struct Spool {
    writer: BufWriter<File>,
    records: u64,
    /// What the file holds, for messages: "the import's temporary file of positions".
    what: &'static str,
}

impl Spool {
    /// An empty spool; `what` names its content in error messages.
    pub(super) fn new(what: &'static str) -> Result<Self, StoreError> {
        let file = tempfile::tempfile().map_err(|source| io_error(what, source))?;
        Ok(Self {
            writer: BufWriter::with_capacity(WRITE_BUFFER, file),
            records: 0,
            what,
        })
    }

    /// Appends one record made of `parts`, one after another.
    pub(super) fn push(&mut self, parts: &[&[u8]]) -> Result<(), StoreError> {
        let length: usize = parts.iter().map(|part| part.len()).sum();
        let length = u64::try_from(length).unwrap_or(u64::MAX);
        self.writer
            .write_all(&length.to_le_bytes())
            .and_then(|()| {
                parts
                    .iter()
                    .try_for_each(|part| self.writer.write_all(part))
            })
            .map_err(|source| io_error(self.what, source))?;
        self.records += 1;
        Ok(())
    }

    /// How many records were pushed.
    pub(super) fn len(&self) -> u64 {
        self.records
    }

    /// Reads the records back from the first, through a buffer of `buffer` bytes; the file
    /// closes when the reader is dropped. Every spool is written, then read once.
    pub(super) fn into_reader(self, buffer: usize) -> Result<SpoolReader, StoreError> {
        let what = self.what;
        let mut file = self
            .writer
            .into_inner()
            .map_err(|error| io_error(what, error.into_error()))?;
        file.rewind().map_err(|source| io_error(what, source))?;
        Ok(SpoolReader {
            reader: BufReader::with_capacity(buffer, file),
            left: self.records,
            what,
        })
    }
}

/// The records of a spool, read in the order they were written.
pub(super) struct SpoolReader {
    reader: BufReader<File>,
    left: u64,
    what: &'static str,
}

impl SpoolReader {
    /// Reads the next record into `record`; false after the last.
    pub(super) fn next_into(&mut self, record: &mut Vec<u8>) -> Result<bool, StoreError> {
        if self.left == 0 {
            return Ok(false);
        }
        self.left -= 1;
        let mut length = [0_u8; 8];
        self.reader
            .read_exact(&mut length)
            .map_err(|source| io_error(self.what, source))?;
        let length = usize::try_from(u64::from_le_bytes(length)).unwrap_or(usize::MAX);
        record.resize(length, 0);
        self.reader
            .read_exact(record)
            .map_err(|source| io_error(self.what, source))?;
        Ok(true)
    }

    /// The message for a record that does not decode as what `what` says the file holds.
    pub(super) fn corrupt(&self, record: &[u8]) -> StoreError {
        StoreError::Corrupt {
            column: self.what,
            value: format!("a record of {} bytes that does not decode", record.len()),
        }
    }
}

fn io_error(what: &'static str, source: std::io::Error) -> StoreError {
    StoreError::Io {
        file: what.to_string(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_read_back_in_order_with_their_exact_bytes() {
        let mut spool = Spool::new("test records").expect("spool");
        spool.push(&[b"abc", b"", b"de"]).expect("push");
        spool.push(&[]).expect("push");
        spool.push(&[&[0_u8; 70_000]]).expect("push");
        let mut record = Vec::new();
        let mut reader = spool.into_reader(16).expect("into reader");
        assert!(reader.next_into(&mut record).expect("first"));
        assert_eq!(record, b"abcde");
        assert!(reader.next_into(&mut record).expect("second"));
        assert!(record.is_empty());
        assert!(reader.next_into(&mut record).expect("third"));
        assert_eq!(record.len(), 70_000);
        assert!(!reader.next_into(&mut record).expect("after the last"));
    }
}
