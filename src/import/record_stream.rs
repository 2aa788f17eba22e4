//! CSV records read on a thread of their own.
//!
//! Decoding the bytes and splitting them into records is a third of an import's work, and
//! reading each record into a seat line is the rest. The two run side by side: a reader thread
//! fills batches of records and hands them over a bounded channel, so that the row loop finds
//! its next record waiting. The bound keeps memory flat (a few batches, whatever the file's
//! size), and the batches travel back to the reader to be refilled, so that a record's buffers
//! are allocated once, not once per row.
//!
//! The reader thread also takes a first look at each record (see [`Look`]): whether its shape
//! is plainly the header's, and how its number cells read. The row loop is the import's
//! slowest thread, so whatever can be told of a record without the profile's rules is told
//! beside it.
//!
//! The row loop sees the same records, with the same positions and the same errors, in the same
//! order as from the csv reader itself.

use super::decimal_mark::{Reading, reading};
use csv::StringRecord;
use std::io::Read;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

/// Records per batch: enough to make a hand-over rare next to the rows' work.
const BATCH_RECORDS: usize = 512;
/// Batches that may wait full: the reader runs this far ahead of the row loop, no further.
const BATCHES_AHEAD: usize = 4;

/// What the reader thread tells of a record before the row loop reads it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Look {
    /// The record has exactly the header's cells and no line break in any of them, so its
    /// shape needs no closer check (see [`super::shape`]).
    pub plain_shape: bool,
    /// When number cells are watched ([`Watch::numbers`]): for each way a number can read
    /// ([`Reading::Point`], [`Reading::Comma`], [`Reading::Ambiguous`], in that order), the
    /// first watched cell of the record that reads so, as an index into the watched cells.
    pub first_reading: Option<[Option<u8>; 3]>,
}

/// What the reader thread looks at in each record.
#[derive(Debug, Clone, Default)]
pub(super) struct Watch {
    /// The header's cell count.
    pub cells: usize,
    /// The positions of the number cells whose reading decides the decimal mark, in the order
    /// their evidence is taken; `None` watches none.
    pub numbers: Option<Vec<usize>>,
}

impl Watch {
    /// The look at one record.
    pub(super) fn look(&self, record: &StringRecord) -> Look {
        let plain_shape = record.len() == self.cells
            && memchr::memchr2(b'\n', b'\r', record.as_slice().as_bytes()).is_none();
        let first_reading = self.numbers.as_ref().map(|numbers| {
            let mut first = [None; 3];
            for (index, position) in (0..=u8::MAX).zip(numbers) {
                let slot = match record.get(*position).map(reading) {
                    Some(Reading::Point) => first.get_mut(0),
                    Some(Reading::Comma) => first.get_mut(1),
                    Some(Reading::Ambiguous) => first.get_mut(2),
                    Some(Reading::Neutral) | None => None,
                };
                if let Some(slot @ None) = slot {
                    *slot = Some(index);
                }
            }
            first
        });
        Look {
            plain_shape,
            first_reading,
        }
    }
}

/// Records read in file order, and how the reading ended when it did.
struct Batch {
    records: Vec<StringRecord>,
    /// The reader thread's look at each record, beside it.
    looks: Vec<Look>,
    /// How many of `records` were filled; the rest are spare buffers.
    filled: usize,
    /// `Some` once the file ended (`Ok`) or could not be read further (`Err`).
    end: Option<Result<(), csv::Error>>,
}

impl Batch {
    fn empty() -> Self {
        Self {
            records: Vec::new(),
            looks: Vec::new(),
            filled: 0,
            end: None,
        }
    }
}

/// The records of a CSV reader, read ahead on a thread.
pub(super) struct RecordStream {
    batches: Receiver<Batch>,
    refill: SyncSender<Batch>,
    current: Batch,
    next: usize,
}

impl RecordStream {
    /// Starts reading `reader`, whose header was read already, on a thread of its own, with a
    /// look at each record as `watch` says.
    pub(super) fn start<R: Read + Send + 'static>(
        mut reader: csv::Reader<R>,
        watch: Watch,
    ) -> Self {
        let (full_sender, full) = sync_channel::<Batch>(BATCHES_AHEAD);
        // Every batch ever made can be waiting to be refilled, so this send never blocks.
        let (refill, empty) = sync_channel::<Batch>(BATCHES_AHEAD + 2);
        std::thread::spawn(move || {
            loop {
                let mut batch = empty.try_recv().unwrap_or_else(|_| Batch::empty());
                batch.filled = 0;
                batch.looks.clear();
                while batch.filled < BATCH_RECORDS {
                    if batch.records.len() == batch.filled {
                        batch.records.push(StringRecord::new());
                    }
                    let Some(record) = batch.records.get_mut(batch.filled) else {
                        break;
                    };
                    match reader.read_record(record) {
                        Ok(true) => {
                            batch.looks.push(watch.look(record));
                            batch.filled = batch.filled.saturating_add(1);
                        }
                        Ok(false) => {
                            batch.end = Some(Ok(()));
                            break;
                        }
                        Err(error) => {
                            batch.end = Some(Err(error));
                            break;
                        }
                    }
                }
                let ended = batch.end.is_some();
                // The row loop stopped listening (it failed or was dropped): stop reading.
                if full_sender.send(batch).is_err() || ended {
                    return;
                }
            }
        });
        Self {
            batches: full,
            refill,
            current: Batch::empty(),
            next: 0,
        }
    }

    /// Moves the next record into `record` (its buffers go back to the reader) and returns
    /// the reader thread's look at it; `Ok(None)` at the end of the file.
    pub(super) fn read_record(
        &mut self,
        record: &mut StringRecord,
    ) -> Result<Option<Look>, csv::Error> {
        loop {
            if self.next < self.current.filled {
                if let Some(read) = self.current.records.get_mut(self.next) {
                    std::mem::swap(record, read);
                }
                let look = self
                    .current
                    .looks
                    .get(self.next)
                    .copied()
                    .unwrap_or_default();
                self.next = self.next.saturating_add(1);
                return Ok(Some(look));
            }
            if let Some(end) = self.current.end.take() {
                // Asked again after the end, the stream stays ended.
                self.current.end = Some(Ok(()));
                return end.map(|()| None);
            }
            let Ok(batch) = self.batches.recv() else {
                // The reader thread is gone without an end: it can only have panicked.
                return Err(csv::Error::from(std::io::Error::other(
                    "the thread reading the file stopped unexpectedly",
                )));
            };
            let used = std::mem::replace(&mut self.current, batch);
            self.next = 0;
            // A full refill queue only means the reader makes a new batch instead.
            let _ = self.refill.try_send(used);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Only a record the shape check would pass without a second look is called plain.
    #[test]
    fn a_plain_shape_is_the_headers_cells_without_a_line_break() {
        let watch = Watch {
            cells: 3,
            numbers: None,
        };
        for (cells, plain) in [
            (vec!["a", "b", "c"], true),
            (vec!["a", "b"], false),
            (vec!["a", "b", "c", ""], false),
            (vec!["a", "b\nx,y,z", "c"], false),
            (vec!["a", "b\r", "c"], false),
        ] {
            let look = watch.look(&StringRecord::from(cells.clone()));
            assert_eq!(look.plain_shape, plain, "{cells:?}");
            assert_eq!(look.first_reading, None);
        }
    }
}
