//! CSV records read on a thread of their own.
//!
//! Decoding the bytes and splitting them into records is a third of an import's work, and
//! reading each record into a seat line is the rest. The two run side by side: a reader thread
//! fills batches of records and hands them over a bounded channel, so that the row loop finds
//! its next record waiting. The bound keeps memory flat (a few batches, whatever the file's
//! size), and the batches travel back to the reader to be refilled, so that a record's buffers
//! are allocated once, not once per row.
//!
//! The row loop sees the same records, with the same positions and the same errors, in the same
//! order as from the csv reader itself.

use csv::StringRecord;
use std::io::Read;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

/// Records per batch: enough to make a hand-over rare next to the rows' work, and few enough
/// that the batches in flight (a vendor record is about 700 bytes with its field ends) stay
/// near the reader's core. With 512, the row loop's first reads of each record (its
/// decimal-mark scan) were mostly waits for memory: 6.2% of an import's samples against 2.9%,
/// and 1M NCE lines took about 6% longer than with 128.
const BATCH_RECORDS: usize = 128;
/// Batches that may wait full: the reader runs this far ahead of the row loop, no further.
const BATCHES_AHEAD: usize = 4;

/// Records read in file order, and how the reading ended when it did.
struct Batch {
    records: Vec<StringRecord>,
    /// How many of `records` were filled; the rest are spare buffers.
    filled: usize,
    /// `Some` once the file ended (`Ok`) or could not be read further (`Err`).
    end: Option<Result<(), csv::Error>>,
}

/// The records of a CSV reader, read ahead on a thread.
pub(super) struct RecordStream {
    batches: Receiver<Batch>,
    refill: SyncSender<Batch>,
    current: Batch,
    next: usize,
}

impl RecordStream {
    /// Starts reading `reader`, whose header was read already, on a thread of its own.
    pub(super) fn start<R: Read + Send + 'static>(mut reader: csv::Reader<R>) -> Self {
        let (full_sender, full) = sync_channel::<Batch>(BATCHES_AHEAD);
        // Every batch ever made can be waiting to be refilled, so this send never blocks.
        let (refill, empty) = sync_channel::<Batch>(BATCHES_AHEAD + 2);
        std::thread::spawn(move || {
            loop {
                let mut batch = empty.try_recv().unwrap_or_else(|_| Batch {
                    records: Vec::new(),
                    filled: 0,
                    end: None,
                });
                batch.filled = 0;
                while batch.filled < BATCH_RECORDS {
                    if batch.records.len() == batch.filled {
                        batch.records.push(StringRecord::new());
                    }
                    let Some(record) = batch.records.get_mut(batch.filled) else {
                        break;
                    };
                    match reader.read_record(record) {
                        Ok(true) => batch.filled = batch.filled.saturating_add(1),
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
            current: Batch {
                records: Vec::new(),
                filled: 0,
                end: None,
            },
            next: 0,
        }
    }

    /// Moves the next record into `record` (its buffers go back to the reader); `Ok(false)`
    /// at the end of the file.
    pub(super) fn read_record(&mut self, record: &mut StringRecord) -> Result<bool, csv::Error> {
        loop {
            if self.next < self.current.filled {
                if let Some(read) = self.current.records.get_mut(self.next) {
                    std::mem::swap(record, read);
                }
                self.next = self.next.saturating_add(1);
                return Ok(true);
            }
            if let Some(end) = self.current.end.take() {
                // Asked again after the end, the stream stays ended.
                self.current.end = Some(Ok(()));
                return end.map(|()| false);
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
